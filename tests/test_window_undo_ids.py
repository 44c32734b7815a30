"""Undo in the window after another process wrote to the database, and undo
that the store refuses: the database, the view and the undo stack agree."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_store_ids import add_span_in_other_process

from annotator.model import Layer
from annotator.store import Store, StoreError

CTRL = Qt.KeyboardModifier.ControlModifier


def stored(store: Store, doc_id: int) -> list[tuple[int | None, int, int, str]]:
    spans = store.load_document(doc_id).layer(Layer.GOLD).spans
    return sorted((s.id, s.start, s.end, s.label) for s in spans)


def shown(window) -> list[tuple[int | None, int, int, str]]:
    return sorted((s.id, s.start, s.end, s.label) for s in window.session.gold)


def test_undo_of_a_delete_after_another_process_added_a_span(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    other_doc = next(d for d in sample_store.document_ids() if d != doc_id)
    highest = max(
        (s for d in sample_store.document_ids() for s in sample_store.load_document(d).gold.spans),
        key=lambda s: s.id or 0,
    )
    if highest.id not in {s.id for s in window.session.gold}:
        window.open_document(other_doc)
        doc_id, other_doc = other_doc, doc_id
    window.controller.select_span(highest.id)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert highest.id not in {s[0] for s in stored(sample_store, doc_id)}

    new_id = add_span_in_other_process(sample_store.path, other_doc, 1)
    assert new_id != highest.id  # ids are never handed out twice

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert highest.id in {s[0] for s in stored(sample_store, doc_id)}
    assert shown(window) == stored(sample_store, doc_id)
    assert window.session.undo_stack.canRedo()
    assert not window.status.saved_label.text().endswith("Not saved")


def test_undo_the_store_refuses_reloads_and_clears_the_history(
    qtbot, window, sample_store, monkeypatch
):
    doc_id = window.session.doc_id
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    after_delete = stored(sample_store, doc_id)

    def refuse(*args, **kwargs):
        raise StoreError("Could not save (test) to the database: refused.")

    monkeypatch.setattr(sample_store, "replace_spans", refuse)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert stored(sample_store, doc_id) == after_delete  # nothing was written
    assert shown(window) == after_delete  # and the window says so
    assert "undo history cleared" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.session.undo_stack.count() == 0)
    assert window.status.saved_label.text().endswith("Not saved")
