"""Issue 13, adjudication: the final layer seeded with what reviewers agree on,
their disagreements drawn in place and settled from the keyboard (real key events
on the real window), every choice audited; the pure comparison; the export of the
final and reviewer layers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from team_helpers import add, base_database, decide, delete, reviewer_copy, second_id, span_of

from annotator.adjudication import (
    ProposedSpan,
    compare_layers,
    open_disagreements,
    short_name,
)
from annotator.cli import main
from annotator.merge import merge
from annotator.model import Annotations, Layer, Relation, Span, Status
from annotator.store import Store
from annotator.ui.scene import ghost_tag

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def relate(store: Store, doc_id: int, head: str, child: str, label: str) -> None:
    h, c = span_of(store, doc_id, head), span_of(store, doc_id, child)
    store.add_relation(doc_id, store.document_version(doc_id), h.id or 0, c.id or 0, label)


@pytest.fixture
def team_db(tmp_path: Path, rule_pipeline) -> Path:
    """Two reviewers of "Russia and Azerbaijan signed nothing on Monday.\\nArmenia
    watched.": both keep Azerbaijan and Armenia and relate them; ana deletes
    Russia, marks "signed" (EVENT) and "on Monday" (TIME); ben marks "nothing"
    (CARDINAL) and "Monday" (DATE) and relates Russia to Armenia. A third, abe,
    reviewed only the other document: in this one Alt+1 is ana, Alt+2 ben."""
    base = base_database(tmp_path, rule_pipeline)
    ana, ben, abe = (reviewer_copy(base, tmp_path, name) for name in ("ana", "ben", "abe"))
    with Store.open(abe, actor="abe") as store:
        decide(store, next(d for d in store.document_ids() if d != second_id(store)))
    with Store.open(ana, actor="ana") as store:
        doc = second_id(store)
        delete(store, doc, "Russia")
        add(store, doc, "signed", "EVENT")
        add(store, doc, "on Monday", "TIME")
        relate(store, doc, "Armenia", "Azerbaijan", "PART-WHOLE")
        decide(store, doc)
    with Store.open(ben, actor="ben") as store:
        doc = second_id(store)
        add(store, doc, "nothing", "CARDINAL")
        add(store, doc, "Monday", "DATE")
        relate(store, doc, "Armenia", "Azerbaijan", "PART-WHOLE")
        relate(store, doc, "Russia", "Armenia", "PART-WHOLE")
        decide(store, doc)
    merge([ana, ben, abe], tmp_path / "team.db")
    return tmp_path / "team.db"


def final(store: Store, doc_id: int) -> list[tuple[str, str]]:
    text = store.text_of(doc_id)
    return [(text[s.start : s.end], s.label) for s in store.annotations(doc_id, Layer.FINAL).spans]


def final_relations(store: Store, doc_id: int) -> list[tuple[str, str, str]]:
    text = store.text_of(doc_id)
    layer = store.annotations(doc_id, Layer.FINAL)
    words = {s.id: text[s.start : s.end] for s in layer.spans}
    return sorted((words[r.head], r.label, words[r.child]) for r in layer.relations)


def choices(store: Store, doc_id: int) -> dict[str, str]:
    text = store.text_of(doc_id)
    return {text[a:b]: choice for (a, b), choice in store.settled_regions(doc_id).items()}


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.view, key, modifier)


@pytest.fixture
def adjudicating(qtbot, team_db: Path):
    """The window on the team database, put in adjudication mode from its menu key."""
    store = Store.open(team_db, actor="lead")
    window = open_window(qtbot, store)
    press(qtbot, window, Qt.Key.Key_J, CTRL | SHIFT)  # Adjudicate > Adjudicate the ...
    assert getattr(window, "adjudicator", None) is not None
    yield window, store
    store.close()


def test_keys_settle_disagreements_in_the_final_layer_with_every_choice_audited(
    qtbot, adjudicating
) -> None:
    window, store = adjudicating
    doc = second_id(store)
    assert window.session.doc_id == doc  # the document with the most left comes first
    # seeded on the first visit: the spans and the relation both reviewers have
    assert final(store, doc) == [("Azerbaijan", "GPE"), ("Armenia", "GPE")]
    assert final_relations(store, doc) == [("Armenia", "PART-WHOLE", "Azerbaijan")]
    seeds = [e for e in store.audit_log(doc) if e.action == "seed"]
    assert [(e.actor, e.target) for e in seeds] == [("lead", "final")]
    # the three disagreements are drawn in place with who proposed each
    tags = sorted(ghost_tag(g) for g in window.view.diff.deleted)
    assert tags == [
        "CARDINAL\u00b7ben",
        "DATE\u00b7ben",
        "EVENT\u00b7ana",
        "GPE\u00b7ben",
        "TIME\u00b7ana",
    ]
    assert window.documents.data(window.documents.index(0, 3)) == "4"  # listed by what is left

    press(qtbot, window, Qt.Key.Key_F8)  # Russia: ana nothing, ben GPE
    assert "ben: GPE \u201cRussia\u201d" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_2, ALT)  # ben's version, with his relation
    assert ("Russia", "GPE") in final(store, doc)
    assert ("Russia", "PART-WHOLE", "Armenia") in final_relations(store, doc)
    assert choices(store, doc) == {"Russia": "ben"}

    press(qtbot, window, Qt.Key.Key_B, ALT)  # "signed", ana's alone: both = take it
    assert ("signed", "EVENT") in final(store, doc)
    assert choices(store, doc)["signed"] == "both"
    press(qtbot, window, Qt.Key.Key_1, ALT)  # "nothing": ana's version has no span there
    assert ("nothing", "CARDINAL") not in final(store, doc)
    assert choices(store, doc)["nothing"] == "ana"

    press(qtbot, window, Qt.Key.Key_B, ALT)  # "on Monday" against "Monday": they overlap
    assert "overlap" in window.statusBar().currentMessage()
    assert "on Monday" not in choices(store, doc)
    press(qtbot, window, Qt.Key.Key_1, ALT)  # ana's
    assert ("on Monday", "TIME") in final(store, doc)
    assert choices(store, doc)["on Monday"] == "ana"
    assert window.adjudicator.open == []

    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo the last choice
    assert ("on Monday", "TIME") not in final(store, doc)
    assert "on Monday" not in choices(store, doc)
    press(qtbot, window, Qt.Key.Key_J)  # back to it
    press(qtbot, window, Qt.Key.Key_2, ALT)  # ben's this time
    assert ("Monday", "DATE") in final(store, doc)

    actions = [(e.action, e.actor) for e in store.audit_log(doc)]
    assert actions.count(("adjudicate", "lead")) == 5
    assert actions.count(("unadjudicate", "lead")) == 1
    assert window.documents.data(window.documents.index(0, 3)) == "0"
    press(qtbot, window, Qt.Key.Key_A)  # accept the adjudicated document
    assert store.load_document(doc).status is Status.ACCEPTED
    assert store.annotations(doc, Layer.GOLD).spans == ()  # gold untouched throughout


def test_free_editing_settles_too_and_reviewer_numbers_are_checked(qtbot, adjudicating) -> None:
    window, store = adjudicating
    doc = second_id(store)
    press(qtbot, window, Qt.Key.Key_3, ALT)  # there is no third reviewer
    assert "no reviewer 3" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_F8)  # Russia selected: label it by hand as a LOC
    press(qtbot, window, Qt.Key.Key_4)
    assert ("Russia", "LOC") in final(store, doc)
    assert len(window.adjudicator.open) == 3  # a span of the final layer there settles it
    press(qtbot, window, Qt.Key.Key_F8, SHIFT)  # previous wraps to the last one
    assert "Monday" in window.statusBar().currentMessage()


def test_leaving_adjudication_edits_the_gold_layer_again(qtbot, adjudicating) -> None:
    window, store = adjudicating
    press(qtbot, window, Qt.Key.Key_J, CTRL | SHIFT)
    assert getattr(window, "adjudicator", None) is None
    assert store.edit_layer == "gold"
    assert window.documents.headerData(3, Qt.Orientation.Horizontal) == "Entities"


def test_the_menu_item_refuses_a_database_without_reviews(qtbot, window) -> None:
    press(qtbot, window, Qt.Key.Key_J, CTRL | SHIFT)
    assert getattr(window, "adjudicator", None) is None
    assert "annotator merge" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_F8)
    assert "Not adjudicating" in window.statusBar().currentMessage()


def test_adjudicate_command_refuses_a_database_without_reviews(sample_store, capsys) -> None:
    assert main(["adjudicate", str(sample_store.path)]) == 2
    assert "no reviewers' reviews" in capsys.readouterr().err


# ---- export of the final and reviewer layers --------------------------------------


def test_export_of_the_final_and_a_reviewer_layer(qtbot, adjudicating, tmp_path, capsys) -> None:
    window, store = adjudicating
    doc = second_id(store)
    press(qtbot, window, Qt.Key.Key_F8)
    press(qtbot, window, Qt.Key.Key_2, ALT)
    press(qtbot, window, Qt.Key.Key_A)
    path = str(store.path)
    out = tmp_path / "final.jsonl"
    assert main(["export", str(out), "--db", path, "--layer", "final"]) == 0
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    text = record["text"]
    assert [(text[s["start"] : s["end"]], s["label"]) for s in record["spans"]] == final(store, doc)
    assert record["meta"]["layer"] == "final"
    out = tmp_path / "ana.jsonl"
    assert main(["export", str(out), "--db", path, "--layer", "reviewer:ana"]) == 0
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert {r["meta"]["annotator"] for r in records} == {"ana"}
    second = next(r for r in records if r["text"].startswith("Russia"))
    labels = {(second["text"][s["start"] : s["end"]], s["label"]) for s in second["spans"]}
    assert ("on Monday", "TIME") in labels and ("Russia", "GPE") not in labels
    assert main(["export", str(out), "--db", path, "--layer", "reviewer:zed"]) == 2
    assert "no layer 'reviewer:zed'" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse refuses it, naming the layers
        main(["export", str(out), "--db", path, "--layer", "bogus"])
    assert "'bogus' is not a layer" in capsys.readouterr().err


# ---- the comparison, pure ------------------------------------------------------------


def _s(start: int, end: int, label: str, ts: int, te: int | None = None, i: int = 0) -> Span:
    return Span(start, end, ts, ts if te is None else te, label, i or None)


def test_overlapping_proposals_are_one_disagreement_and_agreement_is_exact() -> None:
    # tokens: New(0) York(1) City(2) is(3) big(4)
    ana = Annotations((_s(0, 13, "GPE", 0, 2, 1), _s(17, 20, "ORG", 4, 4, 2)))
    ben = Annotations(
        (_s(0, 8, "GPE", 0, 1, 3), _s(9, 13, "LOC", 2, 2, 4), _s(17, 20, "ORG", 4, 4, 5)),
        (Relation(3, 5, "PART-WHOLE", 1),),
    )
    comparison = compare_layers({"ben": ben, "ana": ana})
    assert comparison.reviewers == ("ana", "ben")
    assert [(s.start, s.label) for s in comparison.agreed] == [(17, "ORG")]
    (d,) = comparison.disagreements
    assert (d.start, d.end, d.token_start, d.token_end) == (0, 13, 0, 2)
    assert [s.label for s in d.version("ben") or ()] == ["GPE", "LOC"]
    assert d.both() == ()  # ana's span overlaps both of ben's
    assert comparison.agreed_relations == ()  # ana has no relation
    assert open_disagreements(comparison, [_s(0, 8, "GPE", 0, 1)], set()) == []
    assert open_disagreements(comparison, [], {(0, 13)}) == []
    assert open_disagreements(comparison, [], set()) == [d]
    # touching is not overlapping: "New York" and "City" alone are two choices
    cy = Annotations((_s(0, 8, "GPE", 0, 1, 6), _s(9, 13, "LOC", 2, 2, 7)))
    two = compare_layers({"cy": cy, "dan": Annotations()})
    assert [(d.start, d.end) for d in two.disagreements] == [(0, 8), (9, 13)]
    assert [s.label for s in two.disagreements[1].both()] == ["LOC"]


def test_proposal_tags_name_who_proposed() -> None:
    span = ProposedSpan(0, 5, 0, 0, "PERSON", None, ("ana", "Maria Luisa Bemberg"))
    assert span.tag == "PERSON\u00b7ana+MLB"
    assert ghost_tag(span) == span.tag
    assert ghost_tag(Span(0, 5, 0, 0, "ORG")) == "\u2212ORG"
    assert short_name("bartholomew") == "barthol\u2026"


def test_what_is_painted_sits_where_the_layout_puts_it(qtbot, adjudicating) -> None:
    """The proposals change every block's height: each block on screen must be
    painted at its laid-out position (a paint with estimated heights drew lines
    over each other)."""
    from annotator.ui.document_view import MARGIN_TOP

    window, _ = adjudicating
    view = window.view
    press(qtbot, window, Qt.Key.Key_F8)
    press(qtbot, window, Qt.Key.Key_2, ALT)  # the proposals change: every layout is dropped
    view.blocks.invalidate_all()  # (as it is then, and after a zoom)
    view.viewport().repaint()  # a paint the screen asks for before the view repairs itself
    blocks = view.blocks
    scroll = view.verticalScrollBar().value()
    assert view.screen_record.shown
    for index, (top, height, *_) in view.screen_record.shown.items():
        assert top == blocks.top(index) + MARGIN_TOP - scroll, index
        assert height == blocks.height(index), index


def test_the_legend_sits_under_the_article_and_leaves_the_status_bar_to_messages(
    qtbot, adjudicating
) -> None:
    """The keys and what is left are shown in a bar under the article; the status
    bar keeps its width for what each choice says (in the status bar, the legend
    left a few letters of "Disagreement 1 of 3: ..." in a window of 1100 px)."""
    window, store = adjudicating
    window.resize(1100, 700)
    legend = window.findChild(QLabel, "adjudicationLegend")
    assert legend is not None and legend.isVisible()
    assert window.statusBar().isAncestorOf(legend) is False
    assert window.view.geometry().bottom() < legend.geometry().top()  # under the article
    text = legend.text()
    assert text.startswith("Adjudicating: 4 disagreements left here")
    assert "Alt+1 ana \u00b7 Alt+2 ben" in text and "F8 / Shift+F8" in text and "Alt+B both" in text
    press(qtbot, window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: legend.text().startswith("Adjudicating: 4"))
    message = window.statusBar().currentMessage()
    assert message.startswith("Disagreement 1 of 4")
    permanent = sum(w.width() for w in window.statusBar().findChildren(QLabel) if w.isVisible())
    free = window.statusBar().width() - permanent
    assert free >= window.statusBar().fontMetrics().horizontalAdvance(message[:40])
    press(qtbot, window, Qt.Key.Key_2, ALT)
    assert choices(store, second_id(store)) == {"Russia": "ben"}
    qtbot.waitUntil(lambda: legend.text().startswith("Adjudicating: 3 disagreements"))
    press(qtbot, window, Qt.Key.Key_J, CTRL | SHIFT)  # leaving adjudication removes it
    qtbot.waitUntil(lambda: window.findChild(QLabel, "adjudicationLegend") is None)
