"""The status bar's message tells the truth after an edit: Tab describes the
selected span ("GPE: Russia"); a relabel, an undo or a redo must not leave that
description standing once the span's label in the database is another."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.model import Layer

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _message(window) -> str:
    return window.statusBar().currentMessage()


def _stored_label(store, doc_id: int, span_id: int) -> str:
    doc = store.load_document(doc_id)
    [span] = [s for s in doc.layer(Layer.GOLD).spans if s.id == span_id]
    return span.label


def test_relabel_undo_and_redo_each_say_what_they_did(qtbot, window, sample_store):
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    span_id = window.view.selected_span
    doc_id = window.session.doc_id
    before = _stored_label(sample_store, doc_id, span_id)
    text = window.session.document.text
    span = window.session.span(span_id)
    words = text[span.start : span.end]
    assert _message(window) == f"{before}: {words}"
    new = "PERSON" if before != "PERSON" else "ORG"
    key = Qt.Key.Key_1 if new == "PERSON" else Qt.Key.Key_2

    qtbot.keyClick(window.view, key)
    assert _stored_label(sample_store, doc_id, span_id) == new
    assert _message(window) == f"Relabelled {before} \u2192 {new}: {words}"

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert _stored_label(sample_store, doc_id, span_id) == before
    assert _message(window) == f"Undone: Relabel {new}."

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert _stored_label(sample_store, doc_id, span_id) == new
    assert _message(window) == f"Redone: Relabel {new}."


def test_a_refused_undo_leaves_the_reason_in_the_status_bar(qtbot, window, sample_store):
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)  # "the United States", in no relation
    qtbot.keyClick(window.view, Qt.Key.Key_4)  # LOC
    span_id = window.view.selected_span
    assert _stored_label(sample_store, window.session.doc_id, span_id) == "LOC"
    reasons: list[str] = []
    window.session.failed.connect(reasons.append)

    def refuse(_version: int):
        from annotator.store import StoreError

        raise StoreError("The disk is full; nothing was changed.")

    command = window.session.undo_stack.command(window.session.undo_stack.index() - 1)
    command._undo = refuse  # the store refuses this one undo
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    [reason] = reasons
    assert reason.startswith("The disk is full; nothing was changed.")
    assert _message(window) == reason  # not "Undone: …"
    assert _stored_label(sample_store, window.session.doc_id, span_id) == "LOC"


def test_a_description_of_the_selection_goes_with_the_selection(qtbot, window):
    """Tab says "GPE: Russia"; once the caret moves off the span (Down, Right, a
    click on text) nothing is selected, and the status bar must not say it is."""
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    span = window.session.span(window.view.selected_span)
    words = window.session.document.text[span.start : span.end]
    assert _message(window) == f"{span.label}: {words}"
    qtbot.keyClick(window.view, Qt.Key.Key_Down)
    assert window.view.selected_span is None
    assert _message(window) == ""

    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    first = window.session.span(window.view.selected_span)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)  # another span: its own description
    second = window.session.span(window.view.selected_span)
    assert second.id != first.id
    text = window.session.document.text
    assert _message(window) == f"{second.label}: {text[second.start : second.end]}"
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert window.view.selected_span is None and _message(window) == ""


def test_a_report_of_what_was_done_stays_when_the_selection_moves(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    span = window.session.span(window.view.selected_span)
    new = "PERSON" if span.label != "PERSON" else "ORG"
    qtbot.keyClick(window.view, Qt.Key.Key_1 if new == "PERSON" else Qt.Key.Key_2)
    report = _message(window)
    assert report.startswith(f"Relabelled {span.label} \u2192 {new}")
    qtbot.keyClick(window.view, Qt.Key.Key_Down)  # the relabel still happened
    assert window.view.selected_span is None and _message(window) == report
