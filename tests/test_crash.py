"""Kill an import mid-way and check that the database holds whole documents only."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from annotator.importer import run_import
from annotator.store import Store

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from spacy.language import Language
    from annotator.importer import run_import
    from annotator.nlp.pipeline import Pipeline, load_pipeline
    from annotator.store import Store

    @Language.component("slow_down")
    def slow_down(doc):
        time.sleep(0.002)  # keep the import running long enough to be killed
        return doc

    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Armenia"}])
    nlp.add_pipe("slow_down")
    with Store.open(Path(sys.argv[1])) as store:
        run_import(store, Pipeline(nlp), [Path(sys.argv[2])], batch_size=16)
    """
)
TOTAL = 3000


def count_documents(db_path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


@pytest.mark.slow
def test_killed_import_leaves_whole_documents_and_resumes(db_path, tmp_path, rule_pipeline):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"text": f"Article {i}: Armenia met Armenia again, number {i}."})
            for i in range(TOTAL)
        ),
        encoding="utf-8",
    )
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path), str(corpus)])
    deadline = time.monotonic() + 60
    while count_documents(db_path) < 100 and time.monotonic() < deadline:
        if child.poll() is not None:
            pytest.fail(f"the import ended early with code {child.returncode}")
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL

    with Store.open(db_path) as store:
        db = store.db
        stored = len(store.document_ids())
        assert 100 <= stored < TOTAL
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        # every stored document has its tokens and two entities in each layer
        incomplete = db.execute(
            """
            SELECT d.id FROM documents d LEFT JOIN tokens t ON t.doc_id = d.id
            WHERE t.doc_id IS NULL
               OR (SELECT COUNT(*) FROM spans s WHERE s.doc_id = d.id AND layer = 'model') != 2
               OR (SELECT COUNT(*) FROM spans s WHERE s.doc_id = d.id AND layer = 'gold') != 2
            """
        ).fetchall()
        assert incomplete == []
        # whole batches only: the import commits 16 documents at a time
        assert stored % 16 == 0

        report = run_import(store, rule_pipeline, [corpus])
        assert (report.imported, report.duplicates) == (TOTAL - stored, stored)
        assert len(store.document_ids()) == TOTAL
