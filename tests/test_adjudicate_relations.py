"""Adjudication of relations: two reviewers who agree on the spans but relate them
differently (one links two spans and the other does not; different labels;
different directions) make relation disagreements, drawn in place as dashed arcs
tagged with who proposed each, visited by F8 with the span disagreements and
settled from the keyboard (real key events on the real window), each choice
audited, recorded and undoable; free relation edits settle them too. And the
pure computation behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import open_window
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel
from team_helpers import add, decide, reviewer_copy, span_of
from test_adjudicate import final_relations, press

from annotator.adjudication import (
    BOTH,
    compare_layers,
    in_order,
    open_disagreements,
    open_relation_disagreements,
    proposals_of,
)
from annotator.adjudication.documents import compared_reviews, left_to_settle
from annotator.merge import merge
from annotator.model import Annotations, Label, LabelKind, Layer, LayerDiff, Relation, Span
from annotator.store import Store
from annotator.ui.adjudicating_relations import ghost_arcs
from annotator.ui.document_view import DocumentView
from annotator.ui.scene import GHOST_COLOR

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier

TEXT = "Ararat Mirzoyan of Armenia met Blinken in Russia.\nThe CSTO and Azerbaijan watched."
MIRZOYAN, ARMENIA, BLINKEN, RUSSIA = (0, 15), (19, 26), (31, 38), (42, 48)
CSTO, AZERBAIJAN = (54, 58), (63, 73)


def relate(store: Store, doc_id: int, head: str, child: str, label: str) -> None:
    h, c = span_of(store, doc_id, head), span_of(store, doc_id, child)
    store.add_relation(doc_id, store.document_version(doc_id), h.id or 0, c.id or 0, label)


@pytest.fixture
def team_db(tmp_path: Path, rule_pipeline) -> Path:
    """ana and ben keep the rules' six spans. Both have PHYS Blinken -> Russia.
    ana: ORG-AFF Ararat Mirzoyan -> Armenia (ben: none), PER-SOC Ararat Mirzoyan --
    Blinken (ben the other way round: undirected), PART-WHOLE Armenia -> Russia
    (ben Russia -> Armenia: directed), ORG-AFF CSTO -> Azerbaijan (ben PART-WHOLE
    Azerbaijan -> CSTO); and ana marks "met" as an EVENT (a span disagreement)."""
    from annotator.importer import run_import

    text = tmp_path / "meeting.txt"
    text.write_text(TEXT, encoding="utf-8")
    base = tmp_path / "base.db"
    with Store.open(base, actor="importer") as store:
        assert run_import(store, rule_pipeline, [text]).imported == 1
    ana, ben = (reviewer_copy(base, tmp_path, name) for name in ("ana", "ben"))
    with Store.open(ana, actor="ana") as store:
        [doc] = store.document_ids()
        add(store, doc, "met", "EVENT")
        relate(store, doc, "Blinken", "Russia", "PHYS")
        relate(store, doc, "Ararat Mirzoyan", "Armenia", "ORG-AFF")
        relate(store, doc, "Ararat Mirzoyan", "Blinken", "PER-SOC")
        relate(store, doc, "Armenia", "Russia", "PART-WHOLE")
        relate(store, doc, "CSTO", "Azerbaijan", "ORG-AFF")
        decide(store, doc)
    with Store.open(ben, actor="ben") as store:
        [doc] = store.document_ids()
        relate(store, doc, "Blinken", "Russia", "PHYS")
        relate(store, doc, "Blinken", "Ararat Mirzoyan", "PER-SOC")
        relate(store, doc, "Russia", "Armenia", "PART-WHOLE")
        relate(store, doc, "Azerbaijan", "CSTO", "PART-WHOLE")
        decide(store, doc)
    merge([ana, ben], tmp_path / "team.db")
    return tmp_path / "team.db"


@pytest.fixture
def adjudicating(qtbot, team_db: Path):
    store = Store.open(team_db, actor="lead")
    window = open_window(qtbot, store)
    press(qtbot, window, Qt.Key.Key_J, CTRL | SHIFT)  # Adjudicate > Adjudicate disagreements
    assert getattr(window, "adjudicator", None) is not None
    yield window, store
    store.close()


def pair_choices(store: Store, doc_id: int) -> dict[tuple[str, str], str]:
    text = store.text_of(doc_id)
    return {
        (text[a:b], text[c:d]): choice
        for ((a, b), (c, d)), choice in store.settled_pairs(doc_id).items()
    }


def audit(store: Store, doc_id: int, action: str, target: str = "relations") -> list[dict]:
    return [
        e.after or e.before
        for e in store.audit_log(doc_id)
        if (e.action, e.target) == (action, target)
    ]


def ghost_tags(window) -> list[str]:
    return sorted(arc.tag for arc in window.view.ghost_arcs)


def message(window) -> str:
    return window.statusBar().currentMessage()


def test_relation_disagreements_are_drawn_visited_and_settled_by_keys(qtbot, adjudicating) -> None:
    window, store = adjudicating
    [doc] = store.document_ids()
    adjudicator = window.adjudicator
    # the seed has the one relation both have
    assert final_relations(store, doc) == [("Blinken", "PHYS", "Russia")]
    # each disputed relation is drawn between the final spans, dashed, with who has it
    assert ghost_tags(window) == [
        "ORG-AFF\u00b7ana",
        "ORG-AFF\u00b7ana",
        "PART-WHOLE\u00b7ana",
        "PART-WHOLE\u00b7ben",
        "PART-WHOLE\u00b7ben",
        "PER-SOC\u00b7ana",
        "PER-SOC\u00b7ben",
    ]
    drawn = [a for i in range(len(window.view.blocks.blocks)) for a in window.view.drawing(i).arcs]
    ghosts = [a for a in drawn if a.ghost]
    assert {a.label for a in ghosts} == set(ghost_tags(window))
    assert {a.color for a in ghosts} == {GHOST_COLOR}
    assert [a.label for a in drawn if not a.ghost] == ["PHYS"]
    # counted with the span disagreement, in the legend and the list
    legend = window.findChild(QLabel, "adjudicationLegend")
    assert legend.text().startswith("Adjudicating: 5 disagreements left here (4 on relations)")
    assert window.documents.data(window.documents.index(0, 3)) == "5"

    press(qtbot, window, Qt.Key.Key_F8)  # the first by position: at Armenia
    assert message(window) == (
        "Relation 1 of 5: ana: ORG-AFF Ararat Mirzoyan \u2192 Armenia; ben: none"
    )
    assert window.session.span(window.view.selected_span).start == ARMENIA[0]
    press(qtbot, window, Qt.Key.Key_2, ALT)  # ben's version: no relation there
    assert final_relations(store, doc) == [("Blinken", "PHYS", "Russia")]
    assert pair_choices(store, doc) == {("Ararat Mirzoyan", "Armenia"): "ben"}
    assert audit(store, doc, "adjudicate")[-1]["choice"] == "ben"
    assert "Disagreement 1 of 4" in message(window)  # on to "met", a span disagreement
    press(qtbot, window, Qt.Key.Key_1, ALT)  # ana's EVENT

    assert message(window).startswith("Relation 1 of 3: ana: PER-SOC Ararat Mirzoyan")
    press(qtbot, window, Qt.Key.Key_B, ALT)  # both: undirected, so one relation
    assert ("Ararat Mirzoyan", "PER-SOC", "Blinken") in final_relations(store, doc)
    assert len(final_relations(store, doc)) == 2
    assert pair_choices(store, doc)[("Ararat Mirzoyan", "Blinken")] == BOTH

    assert "PART-WHOLE Armenia \u2192 Russia; ben: PART-WHOLE Russia \u2192 Armenia" in message(
        window
    )
    press(qtbot, window, Qt.Key.Key_B, ALT)  # a directed label both ways: refused
    assert "runs both ways" in message(window)
    assert ("Armenia", "Russia") not in pair_choices(store, doc)
    press(qtbot, window, Qt.Key.Key_1, ALT)  # ana's
    assert ("Armenia", "PART-WHOLE", "Russia") in final_relations(store, doc)
    assert ("Russia", "PART-WHOLE", "Armenia") not in final_relations(store, doc)

    assert message(window).startswith("Relation 1 of 1: ana: ORG-AFF CSTO")
    press(qtbot, window, Qt.Key.Key_B, ALT)  # different labels: both
    both = {("CSTO", "ORG-AFF", "Azerbaijan"), ("Azerbaijan", "PART-WHOLE", "CSTO")}
    assert both <= set(final_relations(store, doc))
    added = audit(store, doc, "adjudicate")[-1]
    assert added["first"] == list(CSTO) and added["second"] == list(AZERBAIJAN)
    assert sorted(r[2] for r in added["relations"]) == ["ORG-AFF", "PART-WHOLE"]
    assert adjudicator.items == [] and window.view.ghost_arcs == ()
    assert window.documents.data(window.documents.index(0, 3)) == "0"
    assert left_to_settle(store, doc) == 0

    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo the last choice
    assert not both & set(final_relations(store, doc))
    assert ("CSTO", "Azerbaijan") not in pair_choices(store, doc)
    assert len(audit(store, doc, "unadjudicate")) == 1
    assert ghost_tags(window) == ["ORG-AFF\u00b7ana", "PART-WHOLE\u00b7ben"]
    assert len(adjudicator.items) == 1 and left_to_settle(store, doc) == 1
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)  # and redo it
    assert both <= set(final_relations(store, doc))
    assert pair_choices(store, doc)[("CSTO", "Azerbaijan")] == BOTH
    assert adjudicator.items == []
    # every relation taken or dropped has its own audit row besides the choice's
    assert len(audit(store, doc, "adjudicate")) == 5  # ben, both, ana, both, both (redo)
    assert store.annotations(doc, Layer.GOLD).relations == ()  # gold untouched


def label_rect(qtbot, window, tag: str, head: str):
    """Where the dashed arc tagged ``tag`` from ``head`` has its label on screen,
    as the view recorded it when it painted it."""
    view, text = window.view, window.session.document.text
    [arc] = [
        a
        for a in view.ghost_arcs
        if a.tag == tag and text.startswith(head, window.session.span(a.head).start)
    ]
    found: list = []

    def painted() -> bool:
        found[:] = [r for r, rid in view.arc_hits if rid == arc.ends.relation]
        return bool(found)

    qtbot.waitUntil(painted)
    return found[0]


def test_a_click_on_a_dashed_arcs_label_selects_its_disagreement(qtbot, adjudicating) -> None:
    """The mouse selects as F8 would (the same selection and message), never
    settles: Alt+n then takes a reviewer's version there; a click on a proposed
    span's box selects its span disagreement likewise."""
    window, store = adjudicating
    [doc] = store.document_ids()
    left = Qt.MouseButton.LeftButton
    rect = label_rect(qtbot, window, "PART-WHOLE\u00b7ben", "Russia")
    qtbot.mouseClick(window.view.viewport(), left, pos=rect.center().toPoint())
    assert message(window) == (
        "Relation 4 of 5: ana: PART-WHOLE Armenia \u2192 Russia; "
        "ben: PART-WHOLE Russia \u2192 Armenia"
    )
    assert window.session.span(window.view.selected_span).start == RUSSIA[0]
    assert final_relations(store, doc) == [("Blinken", "PHYS", "Russia")]  # no edit by itself
    assert pair_choices(store, doc) == {}
    press(qtbot, window, Qt.Key.Key_2, ALT)  # ben's version
    assert ("Russia", "PART-WHOLE", "Armenia") in final_relations(store, doc)
    assert ("Armenia", "PART-WHOLE", "Russia") not in final_relations(store, doc)
    assert pair_choices(store, doc) == {("Armenia", "Russia"): "ben"}
    assert audit(store, doc, "adjudicate")[-1]["choice"] == "ben"

    met = window.view.viewport_point(TEXT.index("met") + 1)  # ana's EVENT, drawn as a ghost
    qtbot.mouseClick(window.view.viewport(), left, pos=met.toPoint())
    assert message(window) == "Disagreement 2 of 4: ana: EVENT \u201cmet\u201d; ben: nothing"
    press(qtbot, window, Qt.Key.Key_F8)  # elsewhere, then a click on its tag, above it
    assert message(window).startswith("Relation 3 of 4")
    tag = met - QPointF(0, window.view.blocks.tag_height)
    qtbot.mouseClick(window.view.viewport(), left, pos=tag.toPoint())
    assert message(window) == "Disagreement 2 of 4: ana: EVENT \u201cmet\u201d; ben: nothing"
    assert "met" not in [
        store.text_of(doc)[s.start : s.end] for s in store.annotations(doc, Layer.FINAL).spans
    ]
    press(qtbot, window, Qt.Key.Key_1, ALT)  # ana's
    final = store.annotations(doc, Layer.FINAL).spans
    assert any((s.start, s.label) == (TEXT.index("met"), "EVENT") for s in final)
    assert len(pair_choices(store, doc)) == 1  # a span choice, not a relation one
    assert store.settled_regions(doc) == {(TEXT.index("met"), TEXT.index("met") + 3): "ana"}


def test_free_relation_edits_settle_a_relation_disagreement(qtbot, adjudicating) -> None:
    window, store = adjudicating
    [doc] = store.document_ids()
    press(qtbot, window, Qt.Key.Key_F8)  # at Armenia: ana ORG-AFF, ben none
    press(qtbot, window, Qt.Key.Key_Tab, SHIFT)  # Ararat Mirzoyan
    press(qtbot, window, Qt.Key.Key_R)  # a relation from him
    press(qtbot, window, Qt.Key.Key_Tab)  # to Armenia
    press(qtbot, window, Qt.Key.Key_6)  # GEN-AFF, neither reviewer's
    assert ("Ararat Mirzoyan", "GEN-AFF", "Armenia") in final_relations(store, doc)
    assert len(window.adjudicator.items) == 4  # settled by the edit, no choice recorded
    assert pair_choices(store, doc) == {}
    assert "ORG-AFF\u00b7ana" in ghost_tags(window)  # CSTO's is still drawn
    assert left_to_settle(store, doc) == 4
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # undone: open again
    assert len(window.adjudicator.items) == 5
    assert ghost_tags(window).count("ORG-AFF\u00b7ana") == 2


def test_alt_n_needs_a_reviewer_of_the_document_and_d_hides_the_proposed_arcs(
    qtbot, adjudicating
) -> None:
    window, _ = adjudicating
    press(qtbot, window, Qt.Key.Key_F8)
    press(qtbot, window, Qt.Key.Key_3, ALT)
    assert "no reviewer 3" in message(window)
    press(qtbot, window, Qt.Key.Key_F8, SHIFT)  # previous wraps to the last: at Azerbaijan
    assert message(window).startswith("Relation 5 of 5: ana: ORG-AFF CSTO")
    press(qtbot, window, Qt.Key.Key_F8)  # and next wraps to the first
    assert message(window).startswith("Relation 1 of 5")
    press(qtbot, window, Qt.Key.Key_D)  # deleted spans and proposals hidden: arcs too
    blocks = range(len(window.view.blocks.blocks))
    assert not any(a.ghost for i in blocks for a in window.view.drawing(i).arcs)
    press(qtbot, window, Qt.Key.Key_D)
    assert any(a.ghost for i in blocks for a in window.view.drawing(i).arcs)


def test_the_proposed_arcs_are_drawn_as_a_fresh_view_draws_them(qtbot, adjudicating) -> None:
    """Drawn = f(data): after choices and their undo, the article view draws what a
    view built afresh from the database and the same proposals draws."""
    window, store = adjudicating
    [doc] = store.document_ids()
    for key, modifier in [
        (Qt.Key.Key_F8, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_1, ALT),
        (Qt.Key.Key_J, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_J, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_2, ALT),
        (Qt.Key.Key_Z, CTRL),
    ]:
        press(qtbot, window, key, modifier)
    loaded = store.load_document(doc)
    final = sorted(loaded.gold.spans, key=lambda s: s.start)  # the final layer (edit layer)
    comparison = compare_layers(
        compared_reviews(store, doc), store.final_seed(doc), store.settled_regions(doc)
    )
    proposals = proposals_of(open_disagreements(comparison, final, store.settled_regions(doc)))
    disputes = comparison.relation_disputes
    relations = loaded.gold.relations
    open_ = open_relation_disagreements(disputes, final, relations, store.settled_pairs(doc))
    view = DocumentView()
    view.resize(window.view.size())
    view.set_point_size(window.view.point_size())
    view.set_colors(window.view.palette_.colors)
    view.set_relation_styles(window.view.palette_.arc_styles)
    view.set_document(loaded.text, loaded.tokens, loaded.sentence_starts)
    view.blocks.set_geometry(window.view.blocks.width, window.view.text_font)
    view.show_state(window.controller.state)
    view.set_spans(final, LayerDiff({}, proposals))
    view.set_relations(relations)
    view.set_ghost_arcs(ghost_arcs(open_, final))
    blocks = range(len(view.blocks.blocks))
    assert [view.drawing(i) for i in blocks] == [window.view.drawing(i) for i in blocks]
    assert any(a.ghost for i in blocks for a in view.drawing(i).arcs)


# ---- the pure computation -------------------------------------------------------------


def spans(*ranges: tuple[int, int, str]) -> tuple[Span, ...]:
    return tuple(Span(a, b, a, b - 1, label, n) for n, (a, b, label) in enumerate(ranges, 1))


A, B, C = (0, 5, "PERSON"), (10, 15, "GPE"), (20, 25, "ORG")


def test_relation_disagreements_group_by_span_pair_and_close_when_settled() -> None:
    layer_spans = spans(A, B, C)  # ids 1, 2, 3
    ana = Annotations(
        layer_spans, (Relation(1, 2, "PHYS"), Relation(2, 3, "PART-WHOLE"), Relation(1, 3, "X"))
    )
    ben = Annotations(layer_spans, (Relation(1, 2, "PHYS"), Relation(3, 2, "PART-WHOLE")))
    cy = Annotations(spans(A, B), (Relation(1, 2, "PHYS"),))  # no C: "none" between B and C
    comparison = compare_layers({"ana": ana, "ben": ben, "cy": cy})
    disputes = comparison.relation_disputes
    # A-B: everyone has PHYS, no dispute; B-C: two directions and cy's none; A-C: ana's X
    assert [(d.first.start, d.second.start) for d in disputes] == [(0, 20), (10, 20)]
    a_c, b_c = disputes
    assert [p.tag for p in a_c.proposed] == ["X\u00b7ana"]
    assert [p.tag for p in b_c.proposed] == ["PART-WHOLE\u00b7ana", "PART-WHOLE\u00b7ben"]
    assert b_c.version("cy") == () and b_c.version("dan") is None
    assert b_c.pair == ((10, 15), (20, 25)) and b_c.token_start == 20
    text = "Alice     Paris     ACME!"
    assert b_c.describe(text) == (
        "ana: PART-WHOLE Paris \u2192 ACME!; ben: PART-WHOLE ACME! \u2192 Paris; cy: none"
    )

    final = spans(A, B, C)  # the final layer, as seeded: only PHYS between A and B
    seeded = (Relation(1, 2, "PHYS"),)
    assert open_relation_disagreements(disputes, final, seeded, ()) == [a_c, b_c]
    # a span missing from the final layer: nothing to relate there
    assert open_relation_disagreements(disputes, spans(A, B), seeded, ()) == []
    # a choice recorded for the pair (by characters) settles it
    assert open_relation_disagreements(disputes, final, seeded, {b_c.pair}) == [a_c]
    # so does an edit there: the final layer's relations no longer the agreed ones
    edited = (*seeded, Relation(2, 3, "GEN-AFF"))
    assert open_relation_disagreements(disputes, final, edited, ()) == [a_c]
    # in F8's order with the span disagreements: by the later span's token
    spans_open = open_disagreements(comparison, final, {})
    assert in_order(spans_open, [b_c, a_c]) == [*spans_open, a_c, b_c]


def test_taking_both_follows_the_relation_labels_rules() -> None:
    def label(name: str, directed: bool = True, child: tuple[str, ...] = ()) -> Label:
        return Label(name, LabelKind.RELATION, "#000", directed=directed, child_types=child)

    layer_spans = spans(A, (10, 15, "PERSON"))
    ana = Annotations(layer_spans, (Relation(1, 2, "PER-SOC"), Relation(1, 2, "KIN")))
    ben = Annotations(layer_spans, (Relation(2, 1, "PER-SOC"),))
    [dispute] = compare_layers({"ana": ana, "ben": ben}).relation_disputes
    rules = {"PER-SOC": label("PER-SOC", directed=False), "KIN": label("KIN")}
    keys, refusal = dispute.union(rules)
    assert refusal is None
    assert [k[2] for k in keys] == ["KIN", "PER-SOC"]  # PER-SOC once: it has no direction
    keys, refusal = dispute.union({**rules, "PER-SOC": label("PER-SOC")})
    assert keys == () and "runs both ways" in (refusal or "")
    keys, refusal = dispute.union({**rules, "KIN": label("KIN", child=("ORG",))})
    assert keys == () and "KIN needs a child of ORG" in (refusal or "")


def test_relation_choices_have_their_own_table_and_packed_ones_move_there(tmp_path) -> None:
    """m012: relation choices are keyed by the two spans' characters in
    ``adjudication_relations``; a choice an earlier build packed into
    ``adjudication`` (a negative start) moves there, span choices stay."""
    from sqlite_utils import Database

    from annotator.store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m012_relation_choices")
    now = "2026-01-01T00:00:00.000+00:00"
    old.execute(
        "INSERT INTO documents (id, content_hash, title, meta, status, version, created_at, "
        "updated_at, text_length) VALUES (1, 'h', 't', '{}', 'todo', 1, ?, ?, 4)",
        [now, now],
    )
    old.execute("INSERT INTO document_texts (doc_id, text) VALUES (1, 'a bc')")
    rows = [
        (1, 0, 1, "ana", "lead", now),  # a span choice
        (1, -(0 * 10**9 + 1), 2 * 10**9 + 4, "ben", "lead", now),  # relation: 0..1 and 2..4
    ]
    old["adjudication"].insert_all(
        [
            dict(zip(("doc_id", "start", "end", "choice", "actor", "at"), r, strict=True))
            for r in rows
        ]
    )
    old.conn.commit()
    old.close()
    with Store.open(path, actor="lead") as store:
        assert store.settled_regions(1) == {(0, 1): "ana"}
        assert store.settled_pairs(1) == {((0, 1), (2, 4)): "ben"}
        assert store.conn.execute("SELECT COUNT(*) FROM adjudication").fetchone()[0] == 1
