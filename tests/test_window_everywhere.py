""" "." applies the last correction to every identical mention: key events in the
window, asserting on the database, with undo and redo as one step."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.model import Layer, Status
from annotator.store import Store

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def labels_of(store: Store, doc_id: int, words: str) -> list[str]:
    doc = store.load_document(doc_id)
    return [s.label for s in doc.layer(Layer.GOLD).spans if doc.text[s.start : s.end] == words]


def key(qtbot, window, k, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.view, k, modifier)


def test_relabel_everywhere_then_undo_and_redo_in_one_step(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    before = labels_of(sample_store, doc_id, "Armenia")
    assert len(before) > 3 and set(before) == {"GPE"}
    version = window.session.version
    key(qtbot, window, Qt.Key.Key_Tab)  # the first span: "Armenia"
    key(qtbot, window, Qt.Key.Key_2)  # ORG
    key(qtbot, window, Qt.Key.Key_Period)
    assert labels_of(sample_store, doc_id, "Armenia") == ["ORG"] * len(before)
    assert window.session.version == version + 2  # one transaction for all the mentions
    message = window.statusBar().currentMessage()
    assert f"Made ORG of {len(before) - 1} more mentions of \u201cArmenia\u201d" in message
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert labels_of(sample_store, doc_id, "Armenia") == ["ORG"] + ["GPE"] * (len(before) - 1)
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert labels_of(sample_store, doc_id, "Armenia") == ["ORG"] * len(before)
    audit = sample_store.db.execute(
        "SELECT COUNT(*) FROM audit WHERE doc_id = ? AND version = ?", [doc_id, version + 2]
    ).fetchone()[0]
    assert audit == len(before) - 1  # one audit row per changed mention, same version


def test_add_everywhere_skips_overlaps_and_delete_everywhere_restores_relations(
    qtbot, window, sample_store
):
    doc_id = window.session.doc_id
    text = window.session.document.text
    mentions = text.count("Nagorno-Karabakh")
    assert mentions == 3 and labels_of(sample_store, doc_id, "Nagorno-Karabakh") == []
    # select the three tokens of the first "Nagorno-Karabakh" and make it GPE
    first = window.session.document.tokens.token_at(text.index("Nagorno-Karabakh"))
    window.controller.caret_to(first)
    key(qtbot, window, Qt.Key.Key_Right, SHIFT)
    key(qtbot, window, Qt.Key.Key_Right, SHIFT)
    key(qtbot, window, Qt.Key.Key_3)
    assert labels_of(sample_store, doc_id, "Nagorno-Karabakh") == ["GPE"]
    key(qtbot, window, Qt.Key.Key_Period)
    assert labels_of(sample_store, doc_id, "Nagorno-Karabakh") == ["GPE"] * 3
    # now delete one and apply the delete everywhere: all three go, undo brings them back
    key(qtbot, window, Qt.Key.Key_Delete)
    key(qtbot, window, Qt.Key.Key_Period)
    assert labels_of(sample_store, doc_id, "Nagorno-Karabakh") == []
    assert "Deleted GPE on 2 more mentions" in window.statusBar().currentMessage()
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert labels_of(sample_store, doc_id, "Nagorno-Karabakh") == ["GPE"] * 2


def test_without_a_correction_the_key_explains_itself(qtbot, window, sample_store):
    version = window.session.version
    key(qtbot, window, Qt.Key.Key_Period)
    assert "Make a correction first" in window.statusBar().currentMessage()
    assert window.session.version == version


def test_typing_in_the_find_bar_selects_the_phrase_and_alt_label_labels_it(
    qtbot, window, sample_store
):
    doc_id = window.session.doc_id
    key(qtbot, window, Qt.Key.Key_F, CTRL)
    assert window.find_box.hasFocus()
    qtbot.keyClicks(window.find_box, "nagorno-kara")  # case-insensitive, a prefix
    first, last = window.view.token_selection()
    doc = window.session.document
    assert doc.text[doc.tokens.starts[first] : doc.tokens.ends[last]] == "Nagorno-Karabakh"
    qtbot.keyClick(window.find_box, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert labels_of(sample_store, doc_id, "Nagorno-Karabakh") == ["GPE"]
    assert not window.find_box.isVisible() and window.view.hasFocus()
    key(qtbot, window, Qt.Key.Key_Period)  # and the other two mentions follow
    assert labels_of(sample_store, doc_id, "Nagorno-Karabakh") == ["GPE"] * 3


def test_find_lands_on_spans_and_tab_completes_the_name(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    blinken = next(s for s in window.session.gold if s.label == "PERSON")
    assert window.session.document.text[blinken.start : blinken.end] == "Antony Blinken"
    key(qtbot, window, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_box, "anto")
    assert window.view.selected_span is None  # "Antony" alone is no span
    qtbot.keyClick(window.find_box, Qt.Key.Key_Tab)  # to the end of the span starting there
    assert window.view.selected_span == blinken.id
    qtbot.keyClick(window.find_box, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    relabeled = window.session.span(blinken.id)  # relabelled in place: same id
    assert relabeled is not None and relabeled.label == "ORG"
    assert ("Antony Blinken", "ORG") in [
        (window.session.document.text[s.start : s.end], s.label)
        for s in sample_store.load_document(doc_id).layer(Layer.GOLD).spans
    ]


def test_a_label_key_on_exactly_a_span_relabels_it(qtbot, window, sample_store):
    first = window.session.gold[0]
    window.controller.set_token_selection(first.token_end, first.token_start)
    key(qtbot, window, Qt.Key.Key_2)
    assert window.session.span(first.id).label == "ORG"  # same id: relabelled, not replaced


def test_apply_in_documents_not_yet_reviewed_asks_and_undoes_in_one_step(
    qtbot, window, sample_store
):
    first, second = sample_store.document_ids()
    assert labels_of(sample_store, second, "Armenia") == ["GPE"]
    questions: list[str] = []
    answer = [False]

    def confirm(title: str, question: str) -> bool:
        questions.append(question)
        return answer[0]

    window.controller.confirm = confirm
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_2)  # "Armenia": ORG here
    key(qtbot, window, Qt.Key.Key_Period, CTRL)
    assert "Make ORG of 1 mention of \u201cArmenia\u201d in 1 document" in questions[-1]
    assert labels_of(sample_store, second, "Armenia") == ["GPE"]  # refused: nothing changed
    answer[0] = True
    key(qtbot, window, Qt.Key.Key_Period, CTRL)
    assert labels_of(sample_store, second, "Armenia") == ["ORG"]
    model = sample_store.load_document(second).layer(Layer.MODEL).spans
    assert [s.label for s in model if s.label == "GPE"]  # the model layer is untouched
    assert window.session.doc_id == first  # the open document stays
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert labels_of(sample_store, second, "Armenia") == ["GPE"]
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert labels_of(sample_store, second, "Armenia") == ["ORG"]
    audit = sample_store.db.execute(
        "SELECT COUNT(*) FROM audit WHERE doc_id = ? AND action = 'relabel'", [second]
    ).fetchone()[0]
    assert audit == 3  # apply, undo, redo: each audited


def test_documents_already_reviewed_are_left_alone(qtbot, window, sample_store):
    _, second = sample_store.document_ids()
    doc = sample_store.load_document(second)
    sample_store.set_status(second, doc.version, Status.ACCEPTED)
    window.controller.confirm = lambda title, question: True
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_2)
    key(qtbot, window, Qt.Key.Key_Period, CTRL)
    assert "No document to review" in window.statusBar().currentMessage()
    assert labels_of(sample_store, second, "Armenia") == ["GPE"]
