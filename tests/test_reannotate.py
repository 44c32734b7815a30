"""`annotator reannotate`: a new pipeline's predictions over stored documents.

Pipelines are spacy.blank("en") plus an EntityRuler (no downloaded model); the
"old" one finds places only, the "new" one places and people."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importer import run_import
from annotator.model import Layer, Span, Status
from annotator.reannotate import plan_reannotation, run_reannotation
from annotator.store import Store

TEXTS = [
    "Alice flew to Paris on Monday.",
    "Bob stayed in  Berlin.\n\nCarol did not.",
    "Dave went to Rome with Alice.",
]
PLACES = [{"label": "GPE", "pattern": p} for p in ("Paris", "Berlin", "Rome")]
PEOPLE = [{"label": "PERSON", "pattern": p} for p in ("Alice", "Bob", "Carol", "Dave")]
SOURCE = "test-rules"


def pipeline(patterns: list[dict[str, str]], name: str):
    from annotator.nlp.pipeline import Pipeline, load_pipeline

    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    nlp.meta["name"] = name
    return Pipeline(nlp)


@pytest.fixture(scope="module")
def old_pipeline():
    return pipeline(PLACES, "old")


@pytest.fixture(scope="module")
def new_pipeline():
    return pipeline(PLACES + PEOPLE, "new")


@pytest.fixture
def imported(store: Store, old_pipeline, tmp_path: Path) -> list[int]:
    paths = []
    for i, text in enumerate(TEXTS):
        path = tmp_path / f"doc{i}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    report = run_import(store, old_pipeline, paths)
    assert report.imported == len(TEXTS)
    return sorted(report.doc_ids)


def labels(store: Store, doc_id: int, layer: Layer) -> list[tuple[str, str]]:
    doc = store.load_document(doc_id)
    spans = doc.model.spans if layer is Layer.MODEL else doc.gold.spans
    return [(doc.text[s.start : s.end], s.label) for s in spans]


def test_untouched_documents_get_new_model_and_gold(store, imported, new_pipeline):
    before = {i: store.load_document(i) for i in imported}
    report = run_reannotation(store, new_pipeline, SOURCE)
    assert (report.reannotated, report.gold_replaced, report.gold_kept) == (3, 3, 0)
    assert labels(store, imported[0], Layer.MODEL) == [("Alice", "PERSON"), ("Paris", "GPE")]
    assert labels(store, imported[0], Layer.GOLD) == [("Alice", "PERSON"), ("Paris", "GPE")]
    # a text with two spaces and blank lines: spans still on the stored tokens
    assert labels(store, imported[1], Layer.GOLD) == [
        ("Bob", "PERSON"),
        ("Berlin", "GPE"),
        ("Carol", "PERSON"),
    ]
    for doc_id in imported:
        after = store.load_document(doc_id)
        assert after.tokens == before[doc_id].tokens  # tokens never change
        assert after.sentence_starts == before[doc_id].sentence_starts
        assert after.version == before[doc_id].version + 1
        assert after.meta["pipeline"] == new_pipeline.name
        for span in after.model.spans:
            assert after.tokens.token_span(span.start, span.end) == (
                span.token_start,
                span.token_end,
            )


def test_edited_document_keeps_its_gold_but_gets_the_new_model(store, imported, new_pipeline):
    doc_id = imported[0]
    doc = store.load_document(doc_id)
    paris = doc.gold.spans[0]
    store.delete_span(doc_id, doc.version, paris.id or 0)  # the reviewer's edit
    gold_before = labels(store, doc_id, Layer.GOLD)
    report = run_reannotation(store, new_pipeline, SOURCE)
    assert (report.reannotated, report.gold_replaced, report.gold_kept) == (3, 2, 1)
    assert labels(store, doc_id, Layer.GOLD) == gold_before
    assert labels(store, doc_id, Layer.MODEL) == [("Alice", "PERSON"), ("Paris", "GPE")]
    entry = store.audit_log(doc_id)[-1]
    assert entry.action == "reannotate"
    assert entry.after["gold"] == "kept"


def test_skipped_status_counts_as_reviewed_with_gold_equal_to_model(store, imported, new_pipeline):
    doc_id = imported[2]
    store.set_status(doc_id, store.document_version(doc_id), Status.SKIPPED)
    report = run_reannotation(store, new_pipeline, SOURCE, (Status.TODO, Status.SKIPPED))
    assert (report.reannotated, report.gold_replaced, report.gold_kept) == (3, 2, 1)
    assert labels(store, doc_id, Layer.GOLD) == [("Rome", "GPE")]
    assert labels(store, doc_id, Layer.MODEL) == [
        ("Dave", "PERSON"),
        ("Rome", "GPE"),
        ("Alice", "PERSON"),
    ]


def test_accepted_documents_are_not_selected_by_default(store, imported, new_pipeline):
    accepted = imported[1]
    store.set_status(accepted, store.document_version(accepted), Status.ACCEPTED)
    version = store.document_version(accepted)
    report = run_reannotation(store, new_pipeline, SOURCE)
    assert report.reannotated == 2
    assert store.document_version(accepted) == version
    assert labels(store, accepted, Layer.MODEL) == [("Berlin", "GPE")]
    assert [e.action for e in store.audit_log(accepted)] == ["status"]


def test_one_audit_row_per_document_keeps_the_old_layers(store, imported, new_pipeline):
    old_model = store.load_document(imported[0]).model
    run_reannotation(store, new_pipeline, SOURCE)
    for doc_id in imported:
        rows = [e for e in store.audit_log(doc_id) if e.action == "reannotate"]
        assert len(rows) == 1
        assert rows[0].actor == "tester"
        assert rows[0].version == store.document_version(doc_id)
        assert rows[0].after["pipeline"] == new_pipeline.name
        assert rows[0].after["source"] == SOURCE
        assert rows[0].after["gold"] == "replaced"
        assert rows[0].before["pipeline"] == "en_old-0.0.0"
    first = next(e for e in store.audit_log(imported[0]) if e.action == "reannotate")
    assert first.after["model_spans"] == [1, 2]
    assert [(s["start"], s["end"], s["label"]) for s in first.before["model"]["spans"]] == [
        (s.start, s.end, s.label) for s in old_model.spans
    ]


def test_resumable_after_a_kill(store, imported, new_pipeline):
    def killed(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_reannotation(store, new_pipeline, SOURCE, progress=killed)
    assert labels(store, imported[0], Layer.MODEL) == [("Alice", "PERSON"), ("Paris", "GPE")]
    assert labels(store, imported[1], Layer.MODEL) == [("Berlin", "GPE")]  # not yet
    plan = plan_reannotation(store, new_pipeline.name, SOURCE)
    assert (plan.to_do, plan.already_done) == (imported[1:], 1)
    report = run_reannotation(store, new_pipeline, SOURCE)
    assert (report.reannotated, report.skipped) == (2, 1)
    assert summary_counts(store, imported) == [1, 1, 1]
    again = run_reannotation(store, new_pipeline, SOURCE)
    assert (again.reannotated, again.skipped) == (0, 3)


def summary_counts(store: Store, ids: list[int]) -> list[int]:
    return [sum(e.action == "reannotate" for e in store.audit_log(i)) for i in ids]


def test_same_pipeline_name_from_another_source_is_not_skipped(store, imported, new_pipeline):
    run_reannotation(store, new_pipeline, SOURCE)
    report = run_reannotation(store, new_pipeline, "/elsewhere/model")
    assert (report.reannotated, report.skipped) == (3, 0)


def test_reset_to_model_after_reannotate_gives_the_new_model(store, imported, new_pipeline):
    doc_id = imported[0]
    doc = store.load_document(doc_id)
    store.add_span(doc_id, doc.version, Span(20, 22, 4, 4, "GPE"))  # "on": a reviewer's edit
    run_reannotation(store, new_pipeline, SOURCE)
    assert ("on", "GPE") in labels(store, doc_id, Layer.GOLD)  # kept
    store.reset_gold(doc_id, store.document_version(doc_id))
    assert labels(store, doc_id, Layer.GOLD) == [("Alice", "PERSON"), ("Paris", "GPE")]


def test_relations_of_the_new_pipeline_are_stored(store, imported):
    from annotator.model import Relation
    from annotator.nlp.pipeline import Pipeline, load_pipeline

    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(PLACES + PEOPLE)
    rules = Pipeline(nlp)

    class WithRelations:
        name = "en_relations-1.0.0"

        def analyse_tokens(self, items, batch_size=64):
            for key, analysis in rules.analyse_tokens(items, batch_size):
                related = (Relation(0, 1, "LOCATED_IN"),) if len(analysis.spans) > 1 else ()
                yield (
                    key,
                    type(analysis)(
                        analysis.tokens, analysis.sentence_starts, analysis.spans, related
                    ),
                )

    run_reannotation(store, WithRelations(), SOURCE)
    doc = store.load_document(imported[0])
    assert [r.label for r in doc.model.relations] == ["LOCATED_IN"]
    assert [r.label for r in doc.gold.relations] == ["LOCATED_IN"]
    head = next(s for s in doc.gold.spans if s.id == doc.gold.relations[0].head)
    assert doc.text[head.start : head.end] == "Alice"


def test_tokens_with_other_gaps_than_one_space(new_pipeline):
    """Tokens an input file brought (no whitespace tokens): the gaps become
    whitespace words of the Doc, the spans stay on the stored tokens."""
    from annotator.model import Tokens

    text = "  Alice\n\nmet   Bob in Rome ."
    words = ["Alice", "met", "Bob", "in", "Rome", "."]
    starts, position = [], 0
    for word in words:
        position = text.index(word, position)
        starts.append(position)
        position += len(word)
    tokens = Tokens(tuple(starts), tuple(s + len(w) for s, w in zip(starts, words, strict=True)))
    [(key, analysis)] = list(new_pipeline.analyse_tokens([("k", text, tokens)]))
    assert key == "k"
    assert analysis.tokens == tokens
    assert [
        (text[s.start : s.end], s.token_start, s.token_end, s.label) for s in analysis.spans
    ] == [
        ("Alice", 0, 0, "PERSON"),
        ("Bob", 2, 2, "PERSON"),
        ("Rome", 4, 4, "GPE"),
    ]


# ---- command line ---------------------------------------------------------


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A pipeline folder like the ones `annotator train` writes."""
    from annotator.nlp.pipeline import load_pipeline

    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(PLACES + PEOPLE)
    nlp.meta["name"] = "trained"
    folder = tmp_path / "model"
    nlp.to_disk(folder)
    return folder


def test_cli_summary_and_resume(db_path, imported, model_dir, capsys, tmp_path):
    store_path = str(db_path)
    with Store.open(db_path, actor="tester") as store:
        doc_id = imported[0]
        store.delete_span(doc_id, 2 - 1, store.load_document(doc_id).gold.spans[0].id or 0)
    code = main(["reannotate", "--db", store_path, "--model", str(model_dir)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.strip() == (
        "Re-annotated 3 documents (2 gold layers replaced, 1 kept: reviewed), "
        "skipped 0 already done."
    )
    assert "Pipeline: en_trained-0.0.0" in err
    with Store.open(db_path, actor="tester") as store:
        assert labels(store, imported[1], Layer.GOLD)[0] == ("Bob", "PERSON")
        assert store.load_document(imported[1]).meta["pipeline_source"] == str(model_dir)
    code = main(["reannotate", "--db", store_path, "--model", str(model_dir), "--status", "all"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.strip().endswith("skipped 3 already done.")
    assert out.startswith("Re-annotated 0 documents")


def test_cli_ctrl_c_exits_130_and_keeps_committed(
    db_path, imported, model_dir, capsys, monkeypatch
):
    original = Store.reannotate
    calls = []

    def once_then_interrupt(self, *args, **kwargs):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "reannotate", once_then_interrupt)
    code = main(["reannotate", "--db", str(db_path), "--model", str(model_dir)])
    _, err = capsys.readouterr()
    assert code == 130
    assert "Interrupted after 1 documents" in err
    monkeypatch.setattr(Store, "reannotate", original)
    code = main(["reannotate", "--db", str(db_path), "--model", str(model_dir)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "Re-annotated 2 documents" in out
    assert "skipped 1 already done" in out


def test_cli_bad_model_gives_the_import_message(db_path, imported, tmp_path, capsys):
    code = main(["reannotate", "--db", str(db_path), "--model", str(tmp_path / "nope")])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Cannot load the spaCy pipeline" in err
    assert "pip install" in err  # the import's install hint


def test_cli_bad_status_and_missing_database(db_path, tmp_path, capsys):
    code = main(["reannotate", "--db", str(tmp_path / "none.db"), "--model", "blank:en"])
    assert code == 2
    assert "No database at" in capsys.readouterr().err
    Store.open(db_path, actor="tester").close()
    code = main(["reannotate", "--db", str(db_path), "--model", "blank:en", "--status", "done"])
    assert code == 2
    assert "is not a list of statuses" in capsys.readouterr().err
