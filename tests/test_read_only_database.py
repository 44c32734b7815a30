"""A database the user cannot write is still read (issue 10, item 14).

`annotator stats`, `eval` and `export` open the database read-only: they create no
file beside it, switch nothing and migrate nothing, so a WAL database in a read-only
folder is read (with or without -wal and -shm files left beside it) and stays byte
for byte as it was. A write through a read-only store is refused with a WriteError.

Root writes through file modes, so as root the commands run in a child process
that cannot: as `nobody`, or as root without CAP_DAC_OVERRIDE (when `nobody` cannot
reach the interpreter, e.g. one installed under /root).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import whitespace_document

from annotator.cli import main
from annotator.evaluate import evaluate
from annotator.model import Status
from annotator.store import (
    NeedsUpgradeError,
    SchemaTooNewError,
    Store,
    StoreError,
    WriteError,
)

TEXTS = (
    "Blinken met Mirzoyan in Armenia on Tuesday",
    "Mirzoyan flew to Russia from Armenia",
    "Blinken called Azerbaijan and Armenia",
)
ENTITIES = {
    "Blinken": "PERSON",
    "Mirzoyan": "PERSON",
    "Armenia": "GPE",
    "Russia": "GPE",
    "Azerbaijan": "GPE",
}
# spaces, '#', '?' and '%' in the path: the read-only open goes through a file: URI
FOLDER = "read only #1 50%"
DB_NAME = "gold? set.db"

# Run as root, a child drops root's pass over file modes, then runs the command.
DROP_DAC = """\
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL
for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    if libc.prctl(24, cap, 0, 0, 0):  # PR_CAPBSET_DROP
        sys.exit("prctl: " + os.strerror(ctypes.get_errno()))
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""
PROBE = """\
import sys
import annotator.cli
try:
    open(sys.argv[1] + "/probe", "w")
except PermissionError:
    print("cannot write")
"""


@dataclass(frozen=True)
class Way:
    """How to run a child that file modes bind: a prefix of interpreter options, a user."""

    prefix: tuple[str, ...] = ()
    user: str | None = None


def _ways() -> list[Way]:
    if os.geteuid() != 0:
        return [Way()]
    ways = []
    try:
        pwd.getpwnam("nobody")
        ways.append(Way(user="nobody"))
    except KeyError:
        pass
    if sys.platform.startswith("linux"):
        ways.append(Way(prefix=("-c", DROP_DAC)))
    return ways


@functools.cache
def _unprivileged_way() -> Way | None:
    """The first way whose child imports annotator and cannot write a 0o555 folder."""
    base = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        base.chmod(0o755)
        locked = base / "locked"
        locked.mkdir(mode=0o555)
        locked.chmod(0o555)
        for way in _ways():
            try:
                done = subprocess.run(
                    [sys.executable, *way.prefix, "-c", PROBE, str(locked)],
                    user=way.user,
                    capture_output=True,
                    text=True,
                    check=False,
                    cwd=base,
                    env=_child_env(base),
                    timeout=120,
                )
            except OSError:  # e.g. `nobody` may not reach an interpreter under /root
                continue
            if done.returncode == 0 and done.stdout.strip() == "cannot write":
                return way
        return None
    finally:
        _unlock(base)
        shutil.rmtree(base, ignore_errors=True)


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _lock(folder: Path) -> None:
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)


def _unlock(folder: Path) -> None:
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


@dataclass
class Place:
    base: Path
    folder: Path  # holds the database; locked read-only by the test
    out: Path  # writable by the child (exports go here)
    home: Path  # the child's HOME (log file, user folders)

    @property
    def db(self) -> Path:
        return self.folder / DB_NAME

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``python ARGS`` in a child that cannot write the locked folder."""
        way = _unprivileged_way()
        if way is None:
            pytest.skip("cannot run a child that file modes bind (root, and no nobody)")
        return subprocess.run(
            [sys.executable, *way.prefix, *args],
            user=way.user,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.home,
            env=_child_env(self.home),
            timeout=300,
        )

    def annotator(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "annotator", *args)


@pytest.fixture
def place() -> Iterator[Place]:
    # not pytest's tmp_path: /tmp/pytest-of-root is 0o700, closed to `nobody`
    base = Path(tempfile.mkdtemp(prefix="annotator-ro-", dir="/tmp"))
    base.chmod(0o755)
    made = Place(base, base / FOLDER, base / "out", base / "home")
    made.folder.mkdir()
    for writable in (made.out, made.home):
        writable.mkdir()
        writable.chmod(0o777)
    try:
        yield made
    finally:
        _unlock(base)
        shutil.rmtree(base, ignore_errors=True)


def contents(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with a digest of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def build(db: Path) -> None:
    """Three documents, two accepted (one corrected: gold differs from model)."""
    with Store.open(db, actor="tester") as store:
        ids = store.add_documents([whitespace_document(t, ENTITIES) for t in TEXTS])
        first, second, _ = (i for i in ids if i is not None)
        doc = store.load_document(first)
        change = store.relabel_span(first, doc.version, doc.gold.spans[0].id, "ORG")
        store.set_status(first, change.version, Status.ACCEPTED)
        store.set_status(second, store.document_version(second), Status.ACCEPTED)
    assert db.read_bytes()[18:20] == b"\x02\x02", "the database is in WAL mode"
    assert not (db.parent / f"{db.name}-wal").exists()


def expected(store: Store) -> tuple[int, dict[str, object]]:
    """What stats (accepted count) and eval --json should report for ``store``."""
    accepted = store.document_ids(Status.ACCEPTED)
    result = evaluate(store.load_document(i) for i in accepted)
    return len(accepted), json.loads(json.dumps(result.as_dict()))


def make_leftovers(place: Place, leftover: str) -> tuple[int, dict[str, object]]:
    """Put the database in the folder as a crash or a still-open window leaves it.

    none: closed cleanly, no -wal or -shm. wal+shm: the third document was accepted
    in the log only (not yet in the database file). empty wal+shm: everything
    checkpointed, both files left. empty wal: an empty log and no -shm."""
    stage = place.base / "stage"
    stage.mkdir()
    db = stage / DB_NAME
    build(db)
    names = {"none": (), "wal+shm": ("-wal", "-shm"), "empty wal+shm": ("-wal", "-shm")}
    names["empty wal"] = ("-wal",)
    with Store.open(db) as store:
        store.conn.execute("PRAGMA wal_autocheckpoint = 0")
        if leftover == "wal+shm":
            third = store.document_ids(Status.TODO)[0]
            store.set_status(third, store.document_version(third), Status.ACCEPTED)
        else:
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        want = expected(store)
        if leftover != "none":  # a copy while the writer is open: what a crash leaves
            for suffix in ("", *names[leftover]):
                shutil.copy(f"{db}{suffix}", place.folder / f"{DB_NAME}{suffix}")
    if leftover == "none":
        shutil.copy(db, place.db)
    if leftover == "wal+shm":
        assert (place.folder / f"{DB_NAME}-wal").stat().st_size > 0
    elif leftover != "none":
        assert (place.folder / f"{DB_NAME}-wal").stat().st_size == 0
    return want


@pytest.mark.slow
@pytest.mark.parametrize("leftover", ["none", "wal+shm", "empty wal+shm", "empty wal"])
def test_stats_eval_and_export_read_a_database_in_a_read_only_folder(
    place: Place, leftover: str
) -> None:
    accepted, scores = make_leftovers(place, leftover)
    assert accepted == (3 if leftover == "wal+shm" else 2)
    _lock(place.folder)
    before = contents(place.folder)

    stats = place.annotator("stats", "--db", str(place.db))
    assert stats.returncode == 0, stats.stderr
    assert f"Database: {place.db}" in stats.stdout
    assert f"  accepted  {accepted:>8}" in stats.stdout
    assert "Documents: 3" in stats.stdout

    scored = place.annotator("eval", "--json", "--db", str(place.db))
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout) == scores

    out = place.out / "gold.jsonl"
    exported = place.annotator("export", str(out), "--db", str(place.db))
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in records] == list(TEXTS[:accepted])
    assert records[0]["spans"][0]["label"] == "ORG"  # the gold layer, corrected

    assert contents(place.folder) == before  # no file made, changed or removed


@pytest.mark.slow
def test_a_log_with_changes_but_no_shm_is_refused_clearly(place: Place) -> None:
    """Reading the database file alone would miss the accepted third document."""
    make_leftovers(place, "wal+shm")
    (place.folder / f"{DB_NAME}-shm").unlink()
    _lock(place.folder)
    before = contents(place.folder)
    done = place.annotator("stats", "--db", str(place.db))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"annotator: error: Cannot read database {place.db}: {DB_NAME}-wal" in done.stderr
    assert "not in the database file yet" in done.stderr
    assert "nothing was changed" in done.stderr
    assert contents(place.folder) == before


WRITE_THROUGH_READ_ONLY = """\
import sys
from pathlib import Path
from annotator.model import Status
from annotator.store import Store, WriteError
with Store.open(Path(sys.argv[1]), read_only=True) as store:
    doc_id = store.document_ids(Status.ACCEPTED)[0]
    try:
        store.set_status(doc_id, store.document_version(doc_id), Status.REJECTED)
    except WriteError as exc:
        print(exc)
    print(store.document_ids(Status.REJECTED))
"""


@pytest.mark.slow
@pytest.mark.parametrize("leftover", ["none", "wal+shm"])
def test_a_write_through_a_read_only_store_in_a_read_only_folder_is_refused(
    place: Place, leftover: str
) -> None:
    make_leftovers(place, leftover)
    _lock(place.folder)
    before = contents(place.folder)
    done = place.run("-c", WRITE_THROUGH_READ_ONLY, str(place.db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"Could not save (set status) to {place.db}: it was opened for reading only. "
        "The change was not saved.",
        "[]",
    ]
    assert contents(place.folder) == before


@pytest.mark.slow
def test_an_older_database_in_a_read_only_folder_says_it_needs_upgrading(place: Place) -> None:
    older_database(place.db)
    _lock(place.folder)
    before = contents(place.folder)
    done = place.annotator("stats", "--db", str(place.db))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"Database {place.db} was made by an older version of annotator" in done.stderr
    assert "'m005_pos_tags'" in done.stderr and "nothing was changed" in done.stderr
    assert contents(place.folder) == before


# ---- in this process: a writable folder --------------------------------------------


def older_database(db: Path) -> None:
    """A database of the schema before m005 (WAL, no documents)."""
    from sqlite_utils import Database

    from annotator.store.schema import migrations

    old = Database(db)
    old.execute("PRAGMA journal_mode = WAL")
    migrations.apply(old, stop_before="m005_pos_tags")
    old.close()


@pytest.fixture
def built(tmp_path: Path) -> Path:
    db = tmp_path / FOLDER / DB_NAME
    db.parent.mkdir()
    build(db)
    return db


def test_a_read_only_store_refuses_every_write_clearly(built: Path) -> None:
    before = contents(built.parent)
    with Store.open(built, read_only=True) as store:
        assert store.read_only
        doc_id = store.document_ids(Status.TODO)[0]
        doc = store.load_document(doc_id)
        refused = r"Could not save \((set status|relabel span|import documents)\) to .*: it was "
        with pytest.raises(WriteError, match=refused + "opened for reading only"):
            store.set_status(doc_id, doc.version, Status.REJECTED)
        with pytest.raises(WriteError, match=refused):
            store.relabel_span(doc_id, doc.version, doc.gold.spans[0].id, "ORG")
        with pytest.raises(WriteError, match=refused):
            store.add_documents([whitespace_document("Someone new here")])
        with pytest.raises(WriteError, match="opened for reading only"):
            _ = store.db
        store.prepare_writes()  # nothing to prepare: no error
        assert store.load_document(doc_id) == doc
    assert contents(built.parent) == before


def test_reading_leaves_no_file_beside_the_database(built: Path) -> None:
    """A read-only reader of a WAL database makes a -wal and a -shm file; they go
    when it closes, as when a writer closes, and the database file is untouched."""
    before = contents(built.parent)
    with Store.open(built, read_only=True) as store:
        assert store.count_by_status()[Status.ACCEPTED] == 2
    assert contents(built.parent) == before
    assert main(["stats", "--db", str(built)]) == 0
    assert main(["eval", "--json", "--db", str(built)]) == 0
    assert contents(built.parent) == before


def test_a_read_only_store_sees_what_an_open_writer_saved(built: Path) -> None:
    with Store.open(built) as writer, Store.open(built, read_only=True) as reader:
        doc_id = writer.document_ids(Status.TODO)[0]
        writer.set_status(doc_id, writer.document_version(doc_id), Status.ACCEPTED)
        assert reader.count_by_status()[Status.ACCEPTED] == 3
        reader.close()  # the writer still has the database open: its files stay
        writer.set_status(doc_id, writer.document_version(doc_id), Status.SKIPPED)
    assert sorted(p.name for p in built.parent.iterdir()) == [DB_NAME]
    with Store.open(built, read_only=True) as store:
        assert store.count_by_status()[Status.SKIPPED] == 1


def test_an_older_database_is_not_upgraded_by_a_read_only_open(tmp_path: Path) -> None:
    db = tmp_path / DB_NAME
    older_database(db)
    before = contents(tmp_path)
    with pytest.raises(NeedsUpgradeError, match=r"older version of annotator.*m005_pos_tags"):
        Store.open(db, read_only=True)
    assert contents(tmp_path) == before
    # where it can be written, a command that reads upgrades it first, as before
    assert main(["stats", "--db", str(db)]) == 0
    with Store.open(db, read_only=True) as store:
        assert store.count_by_status()[Status.TODO] == 0


def test_a_newer_or_foreign_database_is_refused_read_only_too(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    Store.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('annotator', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNewError, match=r"newer version of annotator.*m999_future"):
        Store.open(newer, read_only=True)
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(NeedsUpgradeError, match="holds no annotator data yet"):
        Store.open(empty, read_only=True)
    assert empty.stat().st_size == 0
    with pytest.raises(StoreError, match="No database at"):
        Store.open(tmp_path / "missing.db", read_only=True)
    assert not (tmp_path / "missing.db").exists()
