"""Where a document's model layer came from: a pipeline's predictions, or an
input's own spans (doccano, brat, JSONL gold...). The meta says so
(model.MODEL_LAYER_KEY), so that rehearsal never takes a file's spans for the
base's predictions, and a re-annotation, whose layer is its pipeline's, clears it."""

from __future__ import annotations

import json
from pathlib import Path

from test_reannotate import PEOPLE, PLACES, pipeline

from annotator.formats.records import record_from_document
from annotator.importer import run_import
from annotator.model import IMPORTED, MODEL_LAYER_KEY, Layer
from annotator.nlp.rehearsal import SilverDocument, _made_by
from annotator.reannotate import run_reannotation
from annotator.store import Store

TEXT = "Alice flew to Paris."


def _inputs(tmp_path: Path) -> dict[str, Path]:
    plain = tmp_path / "plain.txt"
    plain.write_text("Bob stayed in Berlin.", encoding="utf-8")
    doccano = tmp_path / "doccano.jsonl"
    doccano.write_text(
        json.dumps(
            {
                "text": TEXT,
                "entities": [{"id": 1, "start_offset": 0, "end_offset": 5, "label": "PERSON"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return {"plain": plain, "doccano": doccano}


def _meta(store: Store, text: str) -> dict[str, object]:
    [doc_id] = [i for i in store.document_ids() if store.load_document(i).text == text]
    return store.load_document(doc_id).meta


def test_a_file_s_own_spans_are_marked_as_imported(store: Store, tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    base = pipeline(PLACES, "base")
    run_import(store, base, list(inputs.values()))
    assert _meta(store, TEXT)[MODEL_LAYER_KEY] == IMPORTED
    assert _meta(store, TEXT)["pipeline"] == base.name  # it tokenized the text
    assert MODEL_LAYER_KEY not in _meta(store, "Bob stayed in Berlin.")  # predicted
    # to gold: the model layer is the pipeline's prediction
    with Store.open(tmp_path / "gold.db") as gold:
        run_import(gold, base, [inputs["doccano"]], to_gold=True)
        assert MODEL_LAYER_KEY not in _meta(gold, TEXT)


def test_a_re_annotation_clears_the_mark(store: Store, tmp_path: Path) -> None:
    run_import(store, pipeline(PLACES, "base"), [_inputs(tmp_path)["doccano"]])
    new = pipeline(PLACES + PEOPLE, "new")
    assert run_reannotation(store, new, "test-rules").reannotated == 1
    meta = _meta(store, TEXT)
    assert MODEL_LAYER_KEY not in meta and meta["pipeline"] == new.name


def test_rehearsal_does_not_take_imported_spans_for_the_base_s(
    store: Store, tmp_path: Path
) -> None:
    base = pipeline(PLACES, "base")
    run_import(store, base, list(_inputs(tmp_path).values()))
    silver = {}
    for doc_id in store.document_ids():
        doc = store.load_document(doc_id)
        silver[doc.text] = SilverDocument(
            record_from_document(doc, Layer.MODEL, {}), str(doc.meta["pipeline"]), None
        )
    assert _made_by(silver["Bob stayed in Berlin."], base.name, "")
    assert not _made_by(silver[TEXT], base.name, "")
