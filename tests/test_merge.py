"""Issue 13, `annotator merge`: reviewers' databases into one team database.

Matching by content hash, a layer and a status per reviewer, the model layer
once; idempotent and resumable; conflicts and bad inputs refused with the output
left untouched."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from team_helpers import (
    add,
    base_database,
    decide,
    delete,
    relabel,
    reviewer_copy,
    sample_id,
    second_id,
    snapshot,
)

from annotator.cli import main
from annotator.merge import MergeConflictError, MergeError, merge, plan_merge, run_merge
from annotator.model import Layer, Status, reviewer_layer
from annotator.store import Store


@pytest.fixture
def base(tmp_path: Path, rule_pipeline) -> Path:
    return base_database(tmp_path, rule_pipeline)


@pytest.fixture
def ana(base: Path, tmp_path: Path) -> Path:
    """ana deleted Russia in the second article and accepted it; she accepted the
    bundled article after relabeling Armenian as a GPE."""
    path = reviewer_copy(base, tmp_path, "ana")
    with Store.open(path, actor="ana") as store:
        second = second_id(store)
        delete(store, second, "Russia")
        decide(store, second)
        first = sample_id(store)
        relabel(store, first, "Armenian", "GPE")
        decide(store, first)
    return path


@pytest.fixture
def ben(base: Path, tmp_path: Path) -> Path:
    """ben relabeled Azerbaijan as LOC and added Monday (DATE) in the second
    article, accepted it; he did not open the bundled one."""
    path = reviewer_copy(base, tmp_path, "ben")
    with Store.open(path, actor="ben") as store:
        second = second_id(store)
        relabel(store, second, "Azerbaijan", "LOC")
        add(store, second, "Monday", "DATE")
        decide(store, second)
    return path


def layer_words(store: Store, doc_id: int, layer: str) -> list[tuple[str, str]]:
    doc = store.load_document(doc_id)
    return [(doc.text[s.start : s.end], s.label) for s in store.annotations(doc_id, layer).spans]


def test_each_reviewers_gold_becomes_their_layer_and_the_model_is_kept_once(
    ana: Path, ben: Path, base: Path, tmp_path: Path
) -> None:
    team = tmp_path / "team.db"
    report = merge([ana, ben], team, actor="lead")
    assert (report.documents_added, report.reviews_added) == (2, 3)
    assert report.by_reviewer == {"ana": 2, "ben": 1}
    with Store.open(ana) as a, Store.open(ben) as b, Store.open(base) as original:
        expected = {
            "ana": {d: layer_words(a, d, Layer.GOLD) for d in (sample_id(a), second_id(a))},
            "ben": {second_id(b): layer_words(b, second_id(b), Layer.GOLD)},
        }
        model = {
            original.load_document(d).text: layer_words(original, d, Layer.MODEL)
            for d in original.document_ids()
        }
    with Store.open(team) as store:
        assert len(store.document_ids()) == 2
        assert store.team_reviewers() == ["ana", "ben"]
        for doc_id in store.document_ids():
            text = store.load_document(doc_id).text
            assert layer_words(store, doc_id, Layer.MODEL) == model[text]
            assert layer_words(store, doc_id, Layer.GOLD) == []  # nobody's: see final
        second = second_id(store)
        assert layer_words(store, second, reviewer_layer("ana")) == expected["ana"][2]
        assert layer_words(store, second, reviewer_layer("ben")) == expected["ben"][2]
        assert ("Monday", "DATE") in layer_words(store, second, reviewer_layer("ben"))
        statuses = {(s.reviewer, s.doc_id): s for s in store.reviewer_statuses()}
        assert {k: s.status for k, s in statuses.items()} == {
            ("ana", sample_id(store)): Status.ACCEPTED,
            ("ana", second): Status.ACCEPTED,
            ("ben", second): Status.ACCEPTED,
        }
        assert statuses[("ben", second)].source == str(ben)
        merges = [e for e in store.audit_log(second) if e.action == "merge"]
        assert [(e.actor, e.target) for e in merges] == [
            ("lead", "document"),
            ("lead", "review"),
            ("lead", "review"),
        ]
        assert [e.after["reviewer"] for e in merges[1:]] == ["ana", "ben"]  # type: ignore[index]


def test_merging_again_changes_nothing(ana: Path, ben: Path, tmp_path: Path) -> None:
    team = tmp_path / "team.db"
    merge([ana, ben], team)
    before = snapshot(team)
    again = merge([ana, ben], team)
    assert (again.documents_added, again.reviews_added, again.reviews_replaced) == (0, 0, 0)
    assert again.reviews_unchanged == 3
    assert snapshot(team) == before
    merge([ben], team)  # one input alone: nothing new either
    assert snapshot(team) == before


def test_a_newer_review_replaces_the_reviewers_earlier_one(
    ana: Path, ben: Path, tmp_path: Path
) -> None:
    team = tmp_path / "team.db"
    merge([ana, ben], team)
    with Store.open(ben, actor="ben") as store:  # ben goes on working the next day
        add(store, second_id(store), "Russia", "ORG")
    report = merge([ana, ben], team)
    assert (report.reviews_added, report.reviews_replaced, report.reviews_unchanged) == (0, 1, 2)
    with Store.open(team) as store:
        second = second_id(store)
        assert ("Russia", "ORG") in layer_words(store, second, reviewer_layer("ben"))
        last = store.audit_log(second)[-1]
        assert (last.action, last.target) == ("merge", "review")
        assert last.before["fingerprint"] != last.after["fingerprint"]  # type: ignore[index]


def test_one_input_with_several_reviewers_keeps_each_document_under_its_decider(
    base: Path, tmp_path: Path
) -> None:
    shared = reviewer_copy(base, tmp_path, "shared")
    with Store.open(shared, actor="ana") as store:
        relabel(store, sample_id(store), "Armenian", "GPE")  # ana edits, ben accepts it
        store.actor = "ben"
        decide(store, sample_id(store))
        store.actor = "cy"
        delete(store, second_id(store), "Russia")  # in progress: no decision yet
    merge([shared], tmp_path / "team.db")
    with Store.open(tmp_path / "team.db") as store:
        reviews = {(s.reviewer, s.doc_id, s.status) for s in store.reviewer_statuses()}
        assert reviews == {
            ("ben", sample_id(store), Status.ACCEPTED),
            ("cy", second_id(store), Status.TODO),
        }


def test_documents_nobody_reviewed_bring_their_text_and_model_layer_only(
    base: Path, tmp_path: Path
) -> None:
    report = merge([base], tmp_path / "team.db")
    assert (report.documents_added, report.reviews_added) == (2, 0)
    with Store.open(tmp_path / "team.db") as store:
        assert store.reviewer_statuses() == []
        assert all(store.annotations(d, Layer.MODEL).spans for d in store.document_ids())


# ---- conflicts -------------------------------------------------------------------


def test_the_same_reviewer_with_two_reviews_is_a_conflict_and_nothing_is_merged(
    ana: Path, ben: Path, tmp_path: Path, capsys
) -> None:
    laptop = tmp_path / "ana-laptop.db"
    shutil.copyfile(ana, laptop)
    with Store.open(laptop, actor="ana") as store:  # the same document, another review
        add(store, second_id(store), "Monday", "DATE")
    team = tmp_path / "team.db"
    with pytest.raises(MergeConflictError) as raised:
        merge([ana, ben, laptop], team)
    assert not team.exists()
    (conflict,) = raised.value.conflicts
    assert "ana reviewed document 'Russia and Azerbaijan" in conflict
    assert str(ana) in conflict and str(laptop) in conflict
    assert main(["merge", str(ana), str(ben), str(laptop), "--output", str(team)]) == 2
    err = capsys.readouterr().err
    assert "1 conflicting review; nothing was merged" in err and str(laptop) in err
    assert not team.exists()


def test_an_older_different_review_than_the_team_database_has_is_a_conflict(
    ana: Path, ben: Path, tmp_path: Path
) -> None:
    older = tmp_path / "ana-old.db"
    shutil.copyfile(ana, older)
    with Store.open(ana, actor="ana") as store:  # ana's newer work
        add(store, second_id(store), "Monday", "DATE")
    team = tmp_path / "team.db"
    merge([ana, ben], team)
    before = snapshot(team)
    with pytest.raises(MergeConflictError, match="as new or newer") as raised:
        merge([older], team)
    assert str(older) in raised.value.conflicts[0] and str(team) in raised.value.conflicts[0]
    assert snapshot(team) == before


# ---- bad inputs ------------------------------------------------------------------


def _bad_input(kind: str, ana: Path, tmp_path: Path) -> tuple[Path, str]:
    bad = tmp_path / f"bad-{kind}.db"
    if kind == "missing":
        return bad, "no such file"
    if kind == "not-a-database":
        bad.write_text("not a database\n" * 100, encoding="utf-8")
        return bad, "is not an SQLite database"
    shutil.copyfile(ana, bad)
    conn = sqlite3.connect(bad)
    if kind == "newer-schema":
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('annotator', 'm999_future', '2030-01-01')"
        )
        message = "newer version of annotator"
    elif kind == "different-text":
        conn.execute("UPDATE document_texts SET text = text || ' (edited)' WHERE doc_id = 2")
        message = "but their texts differ"
    else:
        raise AssertionError(kind)
    conn.commit()
    conn.close()
    return bad, message


@pytest.mark.parametrize("kind", ["missing", "not-a-database", "newer-schema", "different-text"])
def test_a_bad_input_is_named_and_the_output_is_left_untouched(
    kind: str, ana: Path, ben: Path, tmp_path: Path, capsys
) -> None:
    bad, message = _bad_input(kind, ana, tmp_path)
    team = tmp_path / "team.db"
    with pytest.raises(MergeError, match=message):
        merge([ben, bad], team)
    assert not team.exists()  # a new output is not even created
    merge([ben], team)
    before = snapshot(team)
    assert main(["merge", str(ana), str(bad), "--output", str(team)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(bad) in err
    assert snapshot(team) == before


def test_other_refusals(ana: Path, ben: Path, tmp_path: Path) -> None:
    team = tmp_path / "team.db"
    merge([ana], team)
    with pytest.raises(MergeError, match="both an input and the output"):
        merge([ben, team], team)
    with pytest.raises(MergeError, match="is a team database"):
        merge([team], tmp_path / "other.db")
    with pytest.raises(MergeError, match="named twice"):
        merge([ben, ben], tmp_path / "other.db")
    assert not (tmp_path / "other.db").exists()


# ---- interrupted -----------------------------------------------------------------


def test_an_interrupted_merge_keeps_whole_documents_and_finishes_when_run_again(
    ana: Path, ben: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    complete = tmp_path / "complete.db"
    merge([ana, ben], complete)
    team = tmp_path / "team.db"
    plan = plan_merge([ana, ben], team)
    calls = 0
    real = Store.merge_document

    def killed_after_one(self: Store, *args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt  # as a kill would, between two documents
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "merge_document", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        run_merge(plan)
    monkeypatch.undo()
    with Store.open(team) as store:
        assert len(store.document_ids()) == 1
    report = merge([ana, ben], team)
    assert report.documents_added == 1
    assert layers_of(team) == layers_of(complete)


def layers_of(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT x.text, s.layer, s.start, s."end", s.label FROM spans s '
            "JOIN document_texts x ON x.doc_id = s.doc_id ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        conn.close()


def test_the_command_line_prints_what_it_merged(ana: Path, ben: Path, tmp_path: Path, capsys):
    team = tmp_path / "team.db"
    assert main(["merge", str(ana), str(ben), "--output", str(team), "--reviewer", "lead"]) == 0
    out = capsys.readouterr().out
    assert "2 new documents" in out and "3 added" in out and "ana 2, ben 1" in out
