"""The review window driven with real key events; assertions on the database."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.model import Layer, Status
from annotator.store import Store

ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def gold(store: Store, doc_id: int) -> list[tuple[str, str]]:
    doc = store.load_document(doc_id)
    return [(doc.text[s.start : s.end], s.label) for s in doc.layer(Layer.GOLD).spans]


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier, times=1):
    for _ in range(times):
        qtbot.keyClick(window.view, key, modifier)


def test_review_flow_is_saved_and_fully_undoable(qtbot, window, sample_store):
    store = sample_store
    doc_id = window.session.doc_id
    start = gold(store, doc_id)
    assert start[0] == ("Armenia", "GPE")

    press(qtbot, window, Qt.Key.Key_Tab)  # select the first span
    assert window.view.selected_span == window.session.gold[0].id
    press(qtbot, window, Qt.Key.Key_2)  # relabel: ORG
    assert gold(store, doc_id)[0] == ("Armenia", "ORG")

    press(qtbot, window, Qt.Key.Key_Right, ALT | SHIFT)  # end one token right
    assert gold(store, doc_id)[0] == ("Armenia on", "ORG")

    press(qtbot, window, Qt.Key.Key_Delete)
    assert gold(store, doc_id)[0] == ("United States", "GPE")

    # a token selection from the caret: "Armenia on Tuesday" -> PERSON
    press(qtbot, window, Qt.Key.Key_Home)
    press(qtbot, window, Qt.Key.Key_Right, SHIFT, times=2)
    press(qtbot, window, Qt.Key.Key_1)
    assert gold(store, doc_id)[0] == ("Armenia on Tuesday", "PERSON")
    assert window.windowTitle().endswith("[*]") and window.isWindowModified()

    press(qtbot, window, Qt.Key.Key_Z, CTRL, times=4)
    assert gold(store, doc_id) == start
    assert not window.isWindowModified()
    actions = [e.action for e in store.audit_log(doc_id)]
    assert actions[:4] == ["relabel", "resize", "delete", "add"]

    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT, times=4)  # redo all of it
    assert gold(store, doc_id)[0] == ("Armenia on Tuesday", "PERSON")

    press(qtbot, window, Qt.Key.Key_A)  # accept and move on
    assert store.load_document(doc_id).status is Status.ACCEPTED
    assert window.session.doc_id != doc_id
    assert window.session.document.text.startswith("Russia and Azerbaijan")
    assert "Reviewed 1 of 2" in window.status.progress_label.text()


def test_find_then_label_replaces_overlapping_spans_in_one_undo_step(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    before = gold(sample_store, doc_id)
    assert ("Antony Blinken", "PERSON") in before and ("Armenian", "NORP") in before
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    assert window.find_box.isVisible() and window.find_box.hasFocus()
    qtbot.keyClicks(window.find_box, "antony blinken and armen")
    qtbot.keyClick(window.find_box, Qt.Key.Key_Return)
    qtbot.keyClick(window.find_box, Qt.Key.Key_Escape)
    assert not window.find_box.isVisible() and window.view.hasFocus()
    press(qtbot, window, Qt.Key.Key_2)  # the match snaps to whole tokens
    after = gold(sample_store, doc_id)
    assert ("Antony Blinken and Armenian", "ORG") in after
    assert len(after) == len(before) - 1
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert gold(sample_store, doc_id) == before


def test_reject_skip_and_document_navigation(qtbot, window, sample_store):
    first = window.session.doc_id
    press(qtbot, window, Qt.Key.Key_N)
    second = window.session.doc_id
    assert second != first
    press(qtbot, window, Qt.Key.Key_X)  # reject the second; back to the first to-do
    assert sample_store.load_document(second).status is Status.REJECTED
    assert window.session.doc_id == first
    press(qtbot, window, Qt.Key.Key_S)
    assert sample_store.load_document(first).status is Status.SKIPPED
    assert "Every document has been reviewed" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # undo the skip
    assert sample_store.load_document(first).status is Status.TODO


def test_reset_to_model_and_back(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    model = gold(sample_store, doc_id)
    press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Delete)
    press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_5)
    edited = gold(sample_store, doc_id)
    assert edited != model
    press(qtbot, window, Qt.Key.Key_R, CTRL | SHIFT)
    assert gold(sample_store, doc_id) == model
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert gold(sample_store, doc_id) == edited
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert gold(sample_store, doc_id) == model


def test_find_next_and_previous_walk_through_the_matches(qtbot, window):
    text = window.session.document.text
    tokens = window.session.document.tokens
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_box, "armenia")
    qtbot.keyClick(window.find_box, Qt.Key.Key_Return)
    first = tokens.starts[window.view.caret]
    qtbot.keyClick(window.find_box, Qt.Key.Key_F3)
    second = tokens.starts[window.view.caret]
    assert text[first : first + 7] == text[second : second + 7] == "Armenia"
    assert second > first
    qtbot.keyClick(window.find_box, Qt.Key.Key_F3, SHIFT)
    assert tokens.starts[window.view.caret] == first
    qtbot.keyClicks(window.find_box, "zzz")
    qtbot.keyClick(window.find_box, Qt.Key.Key_Return)
    assert "Not found: armeniazzz" in window.statusBar().currentMessage()


def test_a_boundary_moved_by_a_key_steps_over_a_paragraph_break(qtbot, store):
    """Alt+Shift+Right at the end of a paragraph takes the next word, never the
    invisible line break alone (a span ending in "\\n\\n" looks unchanged)."""
    from helpers import open_window

    from annotator.model import NewDocument, Span, Tokens

    text = "Armenia\n\nThe United States said"
    tokens = Tokens((0, 7, 9, 13, 20, 27), (7, 9, 12, 19, 26, 31))
    [doc_id] = store.add_documents(
        [NewDocument(text, "Armenia", tokens, (0, 2), spans=(Span(0, 7, 0, 0, "GPE"),))]
    )
    window = open_window(qtbot, store)
    press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Right, ALT | SHIFT)
    assert gold(store, doc_id) == [("Armenia\n\nThe", "GPE")]
    press(qtbot, window, Qt.Key.Key_Left, ALT | SHIFT)
    assert gold(store, doc_id) == [("Armenia", "GPE")]
