"""Relations made, relabeled, reversed and deleted with key events only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_view_truth import drawings, fresh_view

from annotator.model import Layer
from annotator.store import Store

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def relations(store: Store, doc_id: int) -> list[tuple[str, str, str]]:
    doc = store.load_document(doc_id)
    text = {s.id: doc.text[s.start : s.end] for s in doc.layer(Layer.GOLD).spans}
    return [(text[r.head], r.label, text[r.child]) for r in doc.layer(Layer.GOLD).relations]


def key(qtbot, window, k, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(window.view, k, modifier)


def tab_to(qtbot, window, text: str, backwards: bool = False) -> None:
    for _ in range(60):
        span = window.session.span(window.view.selected_span)
        doc = window.session.document
        if span is not None and doc.text[span.start : span.end] == text:
            return
        key(qtbot, window, Qt.Key.Key_Tab, SHIFT if backwards else Qt.KeyboardModifier.NoModifier)
    raise AssertionError(f"no span {text!r}")


def test_relation_lifecycle_from_the_keyboard(qtbot, window, sample_store):
    store, doc_id = sample_store, window.session.doc_id
    tab_to(qtbot, window, "Antony Blinken")
    key(qtbot, window, Qt.Key.Key_R)
    assert window.view.relation_head is not None
    assert "Tab / Shift+Tab to the other span" in window.statusBar().currentMessage()
    tab_to(qtbot, window, "Azerbaijan", backwards=True)
    assert window.view.relation_head is not None  # still making the relation
    key(qtbot, window, Qt.Key.Key_4)  # ORG-AFF (not ORG: relation keys are live)
    assert relations(store, doc_id) == [("Antony Blinken", "ORG-AFF", "Azerbaijan")]
    assert window.view.selected_relation is not None
    assert len(window.session.gold) == len(store.load_document(doc_id).gold.spans)

    key(qtbot, window, Qt.Key.Key_1)  # relabel: PHYS
    assert relations(store, doc_id) == [("Antony Blinken", "PHYS", "Azerbaijan")]
    key(qtbot, window, Qt.Key.Key_V)  # reverse: PHYS cannot end at a PERSON
    assert relations(store, doc_id) == [("Antony Blinken", "PHYS", "Azerbaijan")]
    assert "Not allowed: PHYS needs a child of GPE, LOC, FAC" in window.statusBar().currentMessage()
    key(qtbot, window, Qt.Key.Key_6)  # GEN-AFF
    assert relations(store, doc_id) == [("Antony Blinken", "GEN-AFF", "Azerbaijan")]

    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert relations(store, doc_id) == [("Antony Blinken", "PHYS", "Azerbaijan")]
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert relations(store, doc_id) == []
    for _ in range(3):
        key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert relations(store, doc_id) == [("Antony Blinken", "GEN-AFF", "Azerbaijan")]

    # Delete removes the selected relation, not its spans
    window.controller.select_relation(window.session.relations[0].id)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert relations(store, doc_id) == []
    assert "Antony Blinken" in [
        window.session.document.text[s.start : s.end] for s in window.session.gold
    ]
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert relations(store, doc_id) == [("Antony Blinken", "GEN-AFF", "Azerbaijan")]

    # deleting a span takes its relations with it, in one undoable step
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.view.selected_relation is None
    tab_to(qtbot, window, "Antony Blinken")
    key(qtbot, window, Qt.Key.Key_Delete)
    assert relations(store, doc_id) == []
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert relations(store, doc_id) == [("Antony Blinken", "GEN-AFF", "Azerbaijan")]

    actions = [(e.action, e.target) for e in store.audit_log(doc_id) if e.target == "relation"]
    assert ("add", "relation") in actions and ("reverse", "relation") not in actions
    assert ("relabel", "relation") in actions and ("delete", "relation") in actions


def test_relation_keys_need_a_target_and_escape_cancels(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    tab_to(qtbot, window, "Armenia")
    key(qtbot, window, Qt.Key.Key_R)
    key(qtbot, window, Qt.Key.Key_1)  # no other span chosen yet
    assert "Select the relation's other span first" in window.statusBar().currentMessage()
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.view.relation_head is None
    key(qtbot, window, Qt.Key.Key_1)  # back to entity keys: relabel Armenia as PERSON
    assert sample_store.load_document(doc_id).gold.spans[0].label == "PERSON"
    assert relations(sample_store, doc_id) == []


def test_cycling_relations_list_and_display_modes(qtbot, qtmodeltester, window, sample_store):
    doc_id = window.session.doc_id
    tab_to(qtbot, window, "Antony Blinken")
    head = window.view.selected_span
    for target, label_key in (("Azerbaijan", Qt.Key.Key_4), ("Russia", Qt.Key.Key_1)):
        window.controller.select_span(head)
        key(qtbot, window, Qt.Key.Key_R)
        tab_to(qtbot, window, target, backwards=True)
        key(qtbot, window, label_key)
    assert sorted(relations(sample_store, doc_id)) == [
        ("Antony Blinken", "ORG-AFF", "Azerbaijan"),
        ("Antony Blinken", "PHYS", "Russia"),
    ]
    key(qtbot, window, Qt.Key.Key_Escape)
    window.controller.select_span(head)
    key(qtbot, window, Qt.Key.Key_BracketRight)
    first = window.view.selected_relation
    key(qtbot, window, Qt.Key.Key_BracketRight)
    assert window.view.selected_relation not in (None, first)
    key(qtbot, window, Qt.Key.Key_BracketLeft)
    assert window.view.selected_relation == first

    model = window.side.relations
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    assert {model.index(r, 1).data() for r in range(2)} == {"ORG-AFF", "PHYS"}
    assert model.index(0, 0).data() == "Antony Blinken"
    qtmodeltester.check(model, force_py=True)

    assert window.view.arc_mode.value == "all"
    key(qtbot, window, Qt.Key.Key_H)
    assert window.view.arc_mode.value == "dim"
    key(qtbot, window, Qt.Key.Key_H)
    assert window.view.arc_mode.value == "hide"
    assert "Only the selected span's relations" in window.statusBar().currentMessage()
    window.view.viewport().repaint()  # painting every mode must not fail


def test_find_is_the_type_ahead_for_a_relation_target(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    tab_to(qtbot, window, "Ararat Mirzoyan")
    key(qtbot, window, Qt.Key.Key_R)
    key(qtbot, window, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_box, "antony bl")
    qtbot.keyClick(window.find_box, Qt.Key.Key_Return)
    qtbot.keyClick(window.find_box, Qt.Key.Key_Escape)
    assert window.view.relation_head is not None  # closing the find bar keeps the relation
    key(qtbot, window, Qt.Key.Key_3)  # PER-SOC
    assert relations(sample_store, doc_id) == [("Ararat Mirzoyan", "PER-SOC", "Antony Blinken")]


def test_clicking_an_arc_label_selects_the_relation(qtbot, window, sample_store):
    tab_to(qtbot, window, "Antony Blinken")
    key(qtbot, window, Qt.Key.Key_R)
    tab_to(qtbot, window, "Ararat Mirzoyan")
    key(qtbot, window, Qt.Key.Key_3)
    relation_id = window.view.selected_relation
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.view.selected_relation is None
    window.view.viewport().repaint()
    [(rect, hit)] = [(r, i) for r, i in window.view.arc_hits if i == relation_id][:1]
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert window.view.selected_relation == relation_id == hit
    assert "PER-SOC" in window.statusBar().currentMessage()
    key(qtbot, window, Qt.Key.Key_Delete)  # the clicked relation, not a span
    assert relations(sample_store, window.session.doc_id) == []


def test_the_mouse_can_finish_a_relation_from_the_context_menu(qtbot, window, sample_store):
    tab_to(qtbot, window, "Antony Blinken")
    menu = window.context_menu()
    relation_menu = next(a.menu() for a in menu.actions() if a.text() == "Relation to this span")
    assert not relation_menu.isEnabled()  # no relation being made yet
    key(qtbot, window, Qt.Key.Key_R)
    tab_to(qtbot, window, "Ararat Mirzoyan")  # as a right-click on it would select it
    relation_menu = next(
        a.menu() for a in window.context_menu().actions() if a.text() == "Relation to this span"
    )
    assert relation_menu.isEnabled()
    per_soc = next(a for a in relation_menu.actions() if a.text() == "PER-SOC")
    per_soc.trigger()
    assert relations(sample_store, window.session.doc_id) == [
        ("Antony Blinken", "PER-SOC", "Ararat Mirzoyan")
    ]


def test_the_relation_list_follows_span_edits_row_by_row(qtbot, window, sample_store):
    """A relabel or resize of a relation's span updates the rows that show it; the
    list is rebuilt only when relations change or a head span moves (the order)."""
    alt = Qt.KeyboardModifier.AltModifier
    tab_to(qtbot, window, "Antony Blinken")
    head = window.view.selected_span
    key(qtbot, window, Qt.Key.Key_R)
    tab_to(qtbot, window, "Azerbaijan", backwards=True)
    key(qtbot, window, Qt.Key.Key_4)
    model = window.side.relations
    qtbot.waitUntil(lambda: ("Antony Blinken", "ORG-AFF", "Azerbaijan") in rows(model))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    key(qtbot, window, Qt.Key.Key_Escape)
    window.controller.select_span(head)
    key(qtbot, window, Qt.Key.Key_2)  # relabel the head: its row shows the same text
    key(qtbot, window, Qt.Key.Key_Left, alt | SHIFT)  # "Antony": the head's end moves
    qtbot.waitUntil(lambda: ("Antony", "ORG-AFF", "Azerbaijan") in rows(model))
    assert resets == []
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the end move
    qtbot.waitUntil(lambda: ("Antony Blinken", "ORG-AFF", "Azerbaijan") in rows(model))
    key(qtbot, window, Qt.Key.Key_Right, alt)  # the head's start moves: "Blinken"
    qtbot.waitUntil(lambda: ("Blinken", "ORG-AFF", "Azerbaijan") in rows(model))
    assert rows(model) == sorted_rows(window)


def rows(model) -> list[tuple[str, str, str]]:
    return [
        tuple(model.index(r, c).data() for c in range(3))  # type: ignore[misc]
        for r in range(model.rowCount())
    ]


def sorted_rows(window) -> list[tuple[str, str, str]]:
    """The relation list as a freshly opened window shows it."""
    from annotator.ui.relation_model import RelationListModel

    fresh = RelationListModel()
    fresh.set_relations(
        window.session.document.text, window.session.gold, window.session.relations, {}
    )
    return rows(fresh)


def test_a_relabel_that_would_break_a_relation_is_refused(qtbot, window, sample_store):
    """PHYS needs a child of GPE, LOC or FAC: relabelling its child to PERSON is
    refused, as adding such a relation is (and as an import of the export would
    refuse the file); the database, the view and the relation stay as they were."""
    store, doc_id = sample_store, window.session.doc_id
    tab_to(qtbot, window, "Antony Blinken")
    key(qtbot, window, Qt.Key.Key_R)
    tab_to(qtbot, window, "Azerbaijan", backwards=True)
    key(qtbot, window, Qt.Key.Key_1)  # PHYS
    assert relations(store, doc_id) == [("Antony Blinken", "PHYS", "Azerbaijan")]
    key(qtbot, window, Qt.Key.Key_Escape)
    tab_to(qtbot, window, "Azerbaijan")
    selected = window.view.selected_span
    version = store.document_version(doc_id)
    key(qtbot, window, Qt.Key.Key_1)  # PERSON
    message = window.statusBar().currentMessage()
    assert "Not allowed: as PERSON, 'Azerbaijan' would break its relation PHYS" in message
    assert "PHYS needs a child of GPE, LOC, FAC, not PERSON" in message
    gold = {s.id: s for s in store.load_document(doc_id).gold.spans}
    assert gold[selected].label == "GPE"
    assert store.document_version(doc_id) == version  # nothing was written
    assert window.session.span(selected).label == "GPE"
    # what is drawn is what a view built afresh from the database draws
    assert drawings(window.view) == drawings(fresh_view(window))
    assert relations(store, doc_id) == [("Antony Blinken", "PHYS", "Azerbaijan")]
    key(qtbot, window, Qt.Key.Key_4)  # LOC: PHYS allows it
    assert {s.id: s for s in store.load_document(doc_id).gold.spans}[selected].label == "LOC"
    # the head side too: PHYS takes a PERSON, ORG, GPE or FAC head
    tab_to(qtbot, window, "Antony Blinken")
    head = window.view.selected_span
    key(qtbot, window, Qt.Key.Key_5)  # NORP: refused
    assert "PHYS needs a head of PERSON, ORG, GPE, FAC, not NORP" in (
        window.statusBar().currentMessage()
    )
    assert {s.id: s for s in store.load_document(doc_id).gold.spans}[head].label == "PERSON"
    key(qtbot, window, Qt.Key.Key_2)  # ORG: allowed
    assert {s.id: s for s in store.load_document(doc_id).gold.spans}[head].label == "ORG"
    assert relations(store, doc_id) == [("Antony Blinken", "PHYS", "Azerbaijan")]
