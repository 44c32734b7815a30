"""Issue 13, what a team's lead meets after adjudicating: the export dialog offers
the final and reviewer layers; `annotator stats` counts them and who reviewed
what; N / P follow the adjudication list's order; reviews merged after a
document was seeded can agree on a span the final layer lacks, which is then
proposed (not added by itself). Real key events on the real window; assertions
on the database and the files written."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import open_window
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from team_helpers import add, decide, delete, reviewer_copy, span_of
from test_adjudicate import choices, final, press

from annotator.cli import format_stats, main
from annotator.export_runner import exporter_for
from annotator.merge import merge
from annotator.model import Layer, Status, reviewer_layer
from annotator.store import Store
from annotator.ui.scene import ghost_tag

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier

SECOND = "Russia and Azerbaijan signed nothing on Monday.\nArmenia watched."
THIRD = "Armenia and Russia talked on Friday with Azerbaijan and Georgia.\nBaku listened."


def doc_of(store: Store, start: str) -> int:
    return next(d.id for d in store.list_documents() if store.text_of(d.id).startswith(start))


def relate(store: Store, doc_id: int, head: str, child: str, label: str) -> None:
    h, c = span_of(store, doc_id, head), span_of(store, doc_id, child)
    store.add_relation(doc_id, store.document_version(doc_id), h.id or 0, c.id or 0, label)


@pytest.fixture
def team(tmp_path: Path, rule_pipeline) -> dict[str, Path]:
    """The bundled article and two short ones, reviewed by four people and merged
    into ``team``. SECOND (4 disagreements): ana deletes Russia, marks "signed"
    (EVENT) and "on Monday" (TIME); ben marks "nothing" (CARDINAL) and "Monday"
    (DATE); both relate Armenia to Azerbaijan. THIRD (5): ana deletes Russia, marks
    "talked" (EVENT) and "Friday" (DATE); ben marks Georgia and Baku (GPE). abe
    accepts the bundled article as it is (0 left); cy deleted Russia in SECOND
    and has not decided it (todo)."""
    from annotator.importer import run_import
    from annotator.resources import sample_articles

    base = tmp_path / "base.db"
    texts = []
    for name, text in (("second.txt", SECOND), ("third.txt", THIRD)):
        texts.append(tmp_path / name)
        texts[-1].write_text(text, encoding="utf-8")
    with Store.open(base, actor="importer") as store:
        assert run_import(store, rule_pipeline, [*sample_articles(), *texts]).imported == 3
    paths = {name: reviewer_copy(base, tmp_path, name) for name in ("ana", "ben", "abe", "cy")}
    with Store.open(paths["ana"], actor="ana") as store:
        second, third = doc_of(store, "Russia"), doc_of(store, "Armenia and")
        delete(store, second, "Russia")
        add(store, second, "signed", "EVENT")
        add(store, second, "on Monday", "TIME")
        relate(store, second, "Armenia", "Azerbaijan", "PART-WHOLE")
        decide(store, second)
        delete(store, third, "Russia")
        add(store, third, "talked", "EVENT")
        add(store, third, "Friday", "DATE")
        decide(store, third)
    with Store.open(paths["ben"], actor="ben") as store:
        second, third = doc_of(store, "Russia"), doc_of(store, "Armenia and")
        add(store, second, "nothing", "CARDINAL")
        add(store, second, "Monday", "DATE")
        relate(store, second, "Armenia", "Azerbaijan", "PART-WHOLE")
        decide(store, second)
        add(store, third, "Georgia", "GPE")
        add(store, third, "Baku", "GPE")
        decide(store, third)
    with Store.open(paths["abe"], actor="abe") as store:
        decide(store, doc_of(store, "Armenia on"))
    with Store.open(paths["cy"], actor="cy") as store:
        delete(store, doc_of(store, "Russia"), "Russia")
    paths["team"] = tmp_path / "team.db"
    merge([paths[n] for n in ("ana", "ben", "abe", "cy")], paths["team"])
    return paths


@pytest.fixture
def adjudicating(qtbot, team: dict[str, Path]):
    """The window (with its exporter) on the team database, adjudicating (Ctrl+Shift+J)."""
    store = Store.open(team["team"], actor="lead")
    window = open_window(qtbot, store, exporter_for(store.path))
    press(qtbot, window, Qt.Key.Key_J, CTRL | SHIFT)
    assert getattr(window, "adjudicator", None) is not None
    yield window, store
    store.close()


def ids(store: Store) -> tuple[int, int, int]:
    """The bundled article, SECOND and THIRD."""
    return doc_of(store, "Armenia on"), doc_of(store, "Russia"), doc_of(store, "Armenia and")


# ---- N / P in the list's order ------------------------------------------------------


def test_n_and_p_follow_the_adjudication_list_and_the_ids_outside_it(qtbot, adjudicating) -> None:
    window, store = adjudicating
    sample, second, third = ids(store)
    assert (sample, second, third) == tuple(sorted((sample, second, third)))  # imported so
    listed = [window.documents.doc_id_at(r) for r in range(window.documents.rowCount())]
    assert listed == [third, second, sample]  # 5, 4 and 0 left to settle
    assert window.session.doc_id == third
    press(qtbot, window, Qt.Key.Key_N)  # by id there is nothing after the third
    assert window.session.doc_id == second
    press(qtbot, window, Qt.Key.Key_N)
    assert window.session.doc_id == sample
    press(qtbot, window, Qt.Key.Key_N)
    assert window.session.doc_id == sample
    assert "No more documents" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_P)
    press(qtbot, window, Qt.Key.Key_P)
    assert window.session.doc_id == third
    press(qtbot, window, Qt.Key.Key_P)
    assert window.session.doc_id == third
    # A accepts and goes on to the next one still to do in the list (by id: the sample)
    press(qtbot, window, Qt.Key.Key_A)
    assert store.load_document(third).status is Status.ACCEPTED
    assert window.session.doc_id == second

    press(qtbot, window, Qt.Key.Key_J, CTRL | SHIFT)  # back to the gold layer: by id
    assert getattr(window, "adjudicator", None) is None
    assert window.session.doc_id == second
    press(qtbot, window, Qt.Key.Key_P)
    assert window.session.doc_id == sample
    press(qtbot, window, Qt.Key.Key_N)
    press(qtbot, window, Qt.Key.Key_N)
    assert window.session.doc_id == third


# ---- the export dialog ----------------------------------------------------------------


def export_from_dialog(
    qtbot, window: QWidget, fill: Callable[[QDialog], object], wait: bool = True
) -> list[object]:
    """Ctrl+Shift+E in the article; ``fill(dialog)`` drives the modal dialog with
    keys (and says what it saw); then wait for the background export."""
    seen: list[object] = []

    def drive(tries: int = 50) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            if tries:
                QTimer.singleShot(20, lambda: drive(tries - 1))
            return
        try:
            qtbot.waitUntil(lambda: dialog.isActiveWindow() and dialog.focusWidget() is not None)
            seen.append(fill(dialog))
        finally:
            if dialog.isVisible():  # fill failed: do not leave the test waiting
                dialog.reject()

    QTimer.singleShot(0, drive)
    qtbot.keyClick(window.view, Qt.Key.Key_E, CTRL | SHIFT)  # type: ignore[attr-defined]
    assert seen, "the export dialog did not open"
    if wait:
        qtbot.waitUntil(
            lambda: "Exported" in window.statusBar().currentMessage(),  # type: ignore[attr-defined]
            timeout=20_000,
        )
    return seen


def save_to(qtbot, dialog: QDialog, target: Path) -> None:
    """Alt+V (Save to), the path typed over the default, Return (OK)."""
    qtbot.keyClick(dialog, Qt.Key.Key_V, ALT)
    edit = dialog.focusWidget()
    assert edit is dialog.path  # type: ignore[attr-defined]
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(edit, str(target))
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def layers_offered(dialog) -> list[str]:
    return [dialog.layer.itemData(i) for i in range(dialog.layer.count())]


def spans_of(record: dict) -> list[tuple[str, str]]:
    return [(record["text"][s["start"] : s["end"]], s["label"]) for s in record["spans"]]


def test_the_export_dialog_writes_the_final_layer_by_default_while_adjudicating(
    qtbot, adjudicating, tmp_path: Path
) -> None:
    window, store = adjudicating
    _, second, third = ids(store)
    press(qtbot, window, Qt.Key.Key_F8)  # THIRD: Russia, ana nothing, ben GPE
    press(qtbot, window, Qt.Key.Key_2, ALT)  # ben's
    press(qtbot, window, Qt.Key.Key_A)  # accepted: the export's default status
    out = tmp_path / "final.jsonl"

    def fill(dialog):
        offered, chosen = layers_offered(dialog), dialog.layer.currentData()
        save_to(qtbot, dialog, out)
        return offered, chosen

    [(offered, chosen)] = export_from_dialog(qtbot, window, fill)
    assert offered == [
        "gold",
        "model",
        "final",
        "reviewer:abe",
        "reviewer:ana",
        "reviewer:ben",
        "reviewer:cy",
    ]
    assert chosen == "final"
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["meta"]["layer"] == "final"
    assert spans_of(record) == final(store, third)
    assert ("Russia", "GPE") in spans_of(record)
    assert ("Russia", "GPE") not in [(w, label) for w, label in final(store, second)]


def test_the_export_dialog_writes_a_reviewers_layer_chosen_by_keys(
    qtbot, team: dict[str, Path], tmp_path: Path
) -> None:
    with Store.open(team["team"], actor="lead") as store:
        window = open_window(qtbot, store, exporter_for(store.path))
        out = tmp_path / "ben.jsonl"

        def fill(dialog):
            first = dialog.layer.currentData()
            qtbot.keyClick(dialog, Qt.Key.Key_L, ALT)  # &Layer
            assert dialog.focusWidget() is dialog.layer
            qtbot.keyClick(dialog.layer, Qt.Key.Key_End)  # the last: reviewer:ben... cy
            qtbot.keyClick(dialog.layer, Qt.Key.Key_Up)
            offered, chosen = layers_offered(dialog), dialog.layer.currentData()
            save_to(qtbot, dialog, out)
            return first, offered, chosen

        [(first, offered, chosen)] = export_from_dialog(qtbot, window, fill)
        assert first == "gold"  # outside adjudication; no final layer yet either
        assert offered == [
            "gold",
            "model",
            "reviewer:abe",
            "reviewer:ana",
            "reviewer:ben",
            "reviewer:cy",
        ]
        assert chosen == "reviewer:ben"
        records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        assert len(records) == 2  # the two documents ben accepted
        for record in records:
            doc_id = doc_of(store, record["text"][:12])
            text = store.text_of(doc_id)
            ben = store.annotations(doc_id, reviewer_layer("ben")).spans
            assert spans_of(record) == [(text[s.start : s.end], s.label) for s in ben]
            assert record["meta"]["annotator"] == "ben"


# ---- annotator stats ------------------------------------------------------------------


def counts(path: Path, table: str) -> dict[str, dict[str, int]]:
    """layer -> label -> rows, straight from SQLite."""
    conn = sqlite3.connect(path)
    try:
        found: dict[str, dict[str, int]] = {}
        for layer, label, n in conn.execute(
            f"SELECT layer, label, COUNT(*) FROM {table} GROUP BY layer, label"
        ):
            found.setdefault(layer, {})[label] = n
        return found
    finally:
        conn.close()


def test_stats_of_a_team_database_count_each_reviewer_and_the_final_layer(
    team: dict[str, Path], capsys
) -> None:
    path = team["team"]
    with Store.open(path, actor="lead") as store:  # adjudication seeds THIRD's final layer
        from annotator.adjudication import compare_layers

        third = doc_of(store, "Armenia and")
        agreed = compare_layers(store.reviewer_layers(third)).agreed
        store.seed_final(third, store.document_version(third), agreed, ())
    assert main(["stats", "--db", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # each column as wide as its layer's name, at least 8
    reviewers = ["reviewer:abe", "reviewer:ana", "reviewer:ben", "reviewer:cy"]
    columns = [(name, max(8, len(name))) for name in ["model", "gold", "final", *reviewers]]

    def row(first: str, values: dict[str, dict[str, int]], label: str) -> str:
        return first + "".join(f" {values.get(n, {}).get(label, 0):>{w}}" for n, w in columns)

    assert "Entities: label         " + "".join(f" {n:>{w}}" for n, w in columns) in lines
    spans = counts(path, "spans")
    for label in ("GPE", "EVENT", "DATE", "CARDINAL", "TIME"):
        assert row(f"  {label:<22}", spans, label) in lines, label
    assert spans["reviewer:ana"]["EVENT"] == 2 and spans["final"] == {"GPE": 2}
    related = counts(path, "relations")
    assert related["reviewer:ana"] == related["reviewer:ben"] == {"PART-WHOLE": 1}
    relations = lines.index(next(x for x in lines if x.startswith("Relations:")))
    assert row(f"  {'PART-WHOLE':<22}", related, "PART-WHOLE") in lines[relations:]
    reviews = lines.index(next(x for x in lines if x.startswith("Reviews:")))
    assert lines[reviews].split() == ["Reviews:", "reviewer", *map(str, Status), "total"]
    assert [x.split() for x in lines[reviews + 1 :]] == [
        ["abe", "0", "1", "0", "0", "1"],
        ["ana", "0", "2", "0", "0", "2"],
        ["ben", "0", "2", "0", "0", "2"],
        ["cy", "1", "0", "0", "0", "1"],
    ]


def test_stats_of_an_ordinary_database_print_model_and_gold_only(sample_store) -> None:
    text = format_stats(sample_store)
    assert f"Entities: {'label':<14} {'model':>8} {'gold':>8}\n" in text
    assert "final" not in text and "reviewer" not in text and "Reviews:" not in text


# ---- reviews merged after a document was seeded -----------------------------------------


def next_disagreement(qtbot, window, says: str) -> None:
    """F8 until the status bar says what the reviewers have there is ``says``."""
    for _ in range(len(window.adjudicator.open)):
        press(qtbot, window, Qt.Key.Key_F8)
        if says in window.statusBar().currentMessage():
            return
    raise AssertionError(f"no open disagreement where {says}")


def test_a_late_agreement_is_proposed_not_added_and_a_settled_choice_stands(
    qtbot, adjudicating, team: dict[str, Path]
) -> None:
    window, store = adjudicating
    _, second, _ = ids(store)
    window.open_document(second)  # seeded now: Azerbaijan and Armenia
    assert final(store, second) == [("Azerbaijan", "GPE"), ("Armenia", "GPE")]
    press(qtbot, window, Qt.Key.Key_Tab)  # the lead drops a seeded span by hand
    press(qtbot, window, Qt.Key.Key_Delete)
    assert ("Azerbaijan", "GPE") not in final(store, second)
    next_disagreement(qtbot, window, "ben: CARDINAL \u201cnothing\u201d")
    press(qtbot, window, Qt.Key.Key_1, ALT)  # ana's version: nothing there
    assert choices(store, second) == {"nothing": "ana"}

    # the reviewers go on working: ben now marks "signed" as ana did, ana "nothing"
    # as ben did; the next merge brings both
    with Store.open(team["ben"], actor="ben") as ben:
        add(ben, doc_of(ben, "Russia"), "signed", "EVENT")
    with Store.open(team["ana"], actor="ana") as ana:
        add(ana, doc_of(ana, "Russia"), "nothing", "CARDINAL")
    report = merge([team[n] for n in ("ana", "ben", "abe", "cy")], team["team"])
    assert report.reviews_replaced == 2
    window.open_document(second)

    assert ("signed", "EVENT") not in final(store, second)  # not added by itself
    tags = sorted(ghost_tag(g) for g in window.view.diff.deleted)
    assert "EVENT\u00b7ana+ben" in tags  # proposed by both
    assert not any(t.startswith("CARDINAL") for t in tags)  # the lead decided there
    assert "GPE\u00b7ana+ben" not in tags  # the seeded span the lead deleted
    next_disagreement(qtbot, window, "ana: EVENT \u201csigned\u201d; ben: EVENT \u201csigned\u201d")
    press(qtbot, window, Qt.Key.Key_B, ALT)  # one key takes it
    assert ("signed", "EVENT") in final(store, second)
    assert choices(store, second)["signed"] == "both"
    entry = [e for e in store.audit_log(second) if e.action == "adjudicate"][-1]
    assert (entry.actor, entry.after["choice"]) == ("lead", "both")
    window.open_document(second)  # settled: not proposed again
    assert "EVENT\u00b7ana+ben" not in [ghost_tag(g) for g in window.view.diff.deleted]
    assert store.annotations(second, Layer.GOLD).spans == ()


def test_late_agreements_are_those_neither_seeded_nor_covered_by_a_choice() -> None:
    from annotator.adjudication import compare_layers, late_agreements
    from annotator.model import Annotations, Span

    x, y, z = (0, 5, "GPE"), (10, 15, "ORG"), (20, 25, "DATE")
    assert late_agreements({x, y, z}, {x}, {(8, 16)}) == {z}  # y: a choice covers it
    assert late_agreements({y}, set(), {(8, 12), (11, 16)}) == {y}  # no one choice covers it
    assert late_agreements({y}, set(), {(2, 30), (11, 12)}) == set()
    # compared: the late span is a proposal of both; without a seed it is agreed only
    spans = (Span(0, 5, 0, 0, "GPE", 1), Span(10, 15, 2, 2, "ORG", 2))
    layers = {"ana": Annotations(spans), "ben": Annotations(spans)}
    assert compare_layers(layers).disagreements == ()
    (late,) = compare_layers(layers, seeded={x}).disagreements
    assert [(p.start, p.label, p.by) for p in late.proposals()] == [(10, "ORG", ("ana", "ben"))]
    assert len(compare_layers(layers, seeded={x}).agreed) == 2
