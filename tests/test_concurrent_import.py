"""Two imports of the same folder at once: both finish, nothing twice (issue 10, item 9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import Store


@pytest.mark.slow
def test_two_concurrent_imports_both_finish_without_duplicates(tmp_path: Path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(60):
        (folder / f"a{i:02}.txt").write_text(
            f"Article {i}: Armenia and Azerbaijan met in Geneva.", encoding="utf-8"
        )
    db = tmp_path / "shared.db"
    Store.open(db).close()  # both find the schema made
    command = [
        sys.executable, "-m", "annotator", "import", str(folder),
        "--db", str(db), "--model", "blank:en", "--batch-size", "1",
    ]  # fmt: skip
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    for run, (_out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err[-2000:]
    with Store.open(db) as store:
        assert len(store.document_ids()) == 60


def test_a_writer_waits_for_another_instead_of_failing_at_once(db_path: Path):
    """A write transaction takes the write lock when it begins (BEGIN IMMEDIATE):
    one that read first and wrote later used to fail at once ("locked") when another
    writer had committed in between, instead of waiting for the busy timeout."""
    import threading

    from helpers import whitespace_document

    first, second = Store.open(db_path, actor="a"), Store.open(db_path, actor="b")
    done: list[object] = []
    try:
        with first._transaction("test"):
            first.conn.execute("SELECT COUNT(*) FROM documents").fetchone()
            other = threading.Thread(
                target=lambda: done.append(
                    second.add_documents([whitespace_document("Written by the other one")])
                )
            )
            other.start()
            other.join(0.5)  # the other writer commits now, or waits for this one
            first.add_documents([whitespace_document("Written by this one")])
        other.join(10)
        assert done and len(first.document_ids()) == 2
    finally:
        first.close()
        second.close()
