"""`annotator import --jobs N`: the pipeline in N worker processes (spaCy's n_process),
with the same results as in one, progress as documents land, and Ctrl+C that stops
the workers too."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from annotate_helpers import PATTERNS, PIDS_DIR, articles, rules_pipeline, stored

from annotator.cli import main
from annotator.cli.parser_annotate import jobs_value, processes_of
from annotator.importer import run_import
from annotator.nlp.annotate import annotate
from annotator.nlp.pipeline import load_pipeline
from annotator.store import Store


def test_two_processes_give_what_one_gives(tmp_path):
    pipeline = rules_pipeline(tmp_path)
    items = list(enumerate(articles(40)))
    # pieces of 120 characters: most articles are cut, and their pieces are put
    # back together from the batches of both workers
    one = list(annotate(pipeline.nlp, items, chunk_chars=120, relations=pipeline.relations))
    PIDS_DIR.append(tmp_path / "pids")
    PIDS_DIR[0].mkdir()
    try:
        two = list(
            annotate(
                pipeline.nlp, items, chunk_chars=120, relations=pipeline.relations, n_process=2
            )
        )
    finally:
        PIDS_DIR.clear()
    assert two == one
    assert [key for key, _ in two] == list(range(40))
    assert sum(len(a.relations) for _, a in one) > 40  # the rules did propose
    assert all(a.pos for _, a in one)
    ran_in = {int(p.name) for p in (tmp_path / "pids").iterdir()}
    assert len(ran_in) == 2 and os.getpid() not in ran_in  # two workers, not this process


def test_no_documents_start_no_processes(tmp_path):
    pipeline = rules_pipeline(tmp_path)
    assert list(annotate(pipeline.nlp, [], n_process=2)) == []


def test_import_with_two_processes_stores_what_one_stores(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, text in enumerate(articles(30)):
        (folder / f"a{i:02}.txt").write_text(text, encoding="utf-8")
    with Store.open(tmp_path / "one.db") as one, Store.open(tmp_path / "two.db") as two:
        landed: list[int] = []
        two_processes = rules_pipeline(tmp_path, 2)
        report = run_import(two, two_processes, [folder], batch_size=8, progress=landed.append)
        run_import(one, rules_pipeline(tmp_path, 1), [folder], batch_size=8)
        assert report.imported == 30
        assert landed == [8, 8, 8, 6]  # progress as each batch is stored
        assert stored(two) == stored(one)
        assert any(row[6][0][1] for row in stored(one))  # with relations


def test_jobs_option(tmp_path, capsys):
    assert [jobs_value(v) for v in ("1", "4", "0", "auto")] == [1, 4, 0, 0]
    assert processes_of(3) == 3
    assert processes_of(0) >= 1  # one per core
    with pytest.raises(SystemExit):
        main(["import", str(tmp_path), "--jobs", "-2"])
    assert "'-2' is not a number of processes" in capsys.readouterr().err
    model = tmp_path / "model"
    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    nlp.to_disk(model)
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, text in enumerate(articles(12)):
        (folder / f"a{i:02}.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "cli.db"
    args = ["import", str(folder), "--db", str(db), "--model", str(model), "--jobs", "2"]
    assert main(args) == 0
    assert "in 2 processes" in capsys.readouterr().err
    with Store.open(db) as store:
        assert len(store.document_ids()) == 12
        doc = store.load_document(store.document_ids()[0])
        assert [doc.text[s.start : s.end] for s in doc.model.spans][:2] == ["Armenia", "Blinken"]


CHILD = textwrap.dedent(
    """
    import sys, time
    from spacy.language import Language
    from annotator.cli import main

    @Language.component("jobs_slow_down")
    def slow_down(doc):
        time.sleep(0.002)  # keep the import running long enough to be interrupted
        return doc

    sys.exit(main(sys.argv[1:]))
    """
)
TOTAL = 3000


def count_documents(db_path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


def running_import(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, list[str]]:
    """An `annotator import --jobs 2` of TOTAL short articles in a child process (in a
    process group of its own, as a terminal's job), once it has stored 64 of them."""
    model = tmp_path / "model"
    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    nlp.add_pipe("jobs_slow_down")  # slow in the child (CHILD registers it), not here
    nlp.to_disk(model)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"text": f"Article {i}: Armenia met Blinken."}) for i in range(TOTAL)),
        encoding="utf-8",
    )
    db = tmp_path / "interrupted.db"
    args = ["import", str(corpus), "--db", str(db), "--model", str(model), "--jobs", "2"]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args, "--batch-size", "16"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while count_documents(db) < 64 and time.monotonic() < deadline:
        if child.poll() is not None:
            pytest.fail(f"the import ended early: {child.communicate()[1][-2000:]}")
        time.sleep(0.01)
    return child, db, args


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_and_keeps_whole_batches(tmp_path):
    """Ctrl+C reaches the whole process group, workers included: the import stops,
    says so without a traceback from any worker, leaves no process behind, and
    keeps whole batches; the same command imports the rest."""
    child, db, args = running_import(tmp_path)
    os.killpg(child.pid, signal.SIGINT)  # what Ctrl+C in a terminal does
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 130, err[-2000:]
    assert "Interrupted" in err
    assert "Traceback" not in err
    with pytest.raises(ProcessLookupError):  # no worker left running
        os.killpg(child.pid, 0)
    with Store.open(db) as store:
        kept = len(store.document_ids())
        assert 64 <= kept < TOTAL
        assert kept % 16 == 0  # whole batches
    child = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=300
    )
    assert child.returncode == 0, child.stderr[-2000:]
    with Store.open(db) as store:
        assert len(store.document_ids()) == TOTAL


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in /proc")
def test_a_killed_worker_stops_the_import_with_a_message(tmp_path):
    """A worker killed (the out-of-memory killer) does not leave the import waiting
    for its results for ever: the others are stopped and the import says why."""
    child, db, _args = running_import(tmp_path)
    workers = children_of(child.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 2, err[-2000:]
    assert "A pipeline worker process ended without sending its results" in err
    assert "Traceback" not in err
    with pytest.raises(ProcessLookupError):
        os.killpg(child.pid, 0)
    with Store.open(db) as store:
        assert len(store.document_ids()) % 16 == 0
