"""M goes to likely missing spans (proper nouns, words that are spans elsewhere),
Enter accepts the suggested label: key events, asserting on the database. The
POS tags come from a real spaCy component at import (an attribute ruler)."""

from __future__ import annotations

import pytest
from helpers import open_window
from PySide6.QtCore import Qt

from annotator.model import Layer
from annotator.store import Store

TEXT = "Kremlin spokesman Dmitry Peskov met envoys in Yerevan.\nbut Yerevan answered."


@pytest.fixture
def tagged_store(store: Store, tmp_path) -> Store:
    from annotator.importer import run_import
    from annotator.nlp.pipeline import Pipeline, load_pipeline

    nlp = load_pipeline("blank:en")
    tagger = nlp.add_pipe("attribute_ruler")
    tagger.add(patterns=[[{"IS_TITLE": True}]], attrs={"POS": "PROPN"})
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"TEXT": "Dmitry"}, {"TEXT": "Peskov"}]}])
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    assert run_import(store, Pipeline(nlp), [path]).imported == 1
    return store


@pytest.fixture
def tagged_window(qtbot, tagged_store: Store):
    return open_window(qtbot, tagged_store)


def stored(store: Store, doc_id: int) -> list[tuple[str, str]]:
    doc = store.load_document(doc_id)
    return [(doc.text[s.start : s.end], s.label) for s in doc.layer(Layer.GOLD).spans]


def test_pos_tags_are_stored_at_import(tagged_store):
    [doc_id] = tagged_store.document_ids()
    doc = tagged_store.load_document(doc_id)
    assert len(doc.pos) == len(doc.tokens)
    assert doc.pos[0] == "PROPN" and doc.pos[1] != "PROPN"


def test_missing_spans_from_the_keyboard(qtbot, tagged_window, tagged_store):
    window, store = tagged_window, tagged_store
    doc_id = window.session.doc_id
    key = lambda k: qtbot.keyClick(window.view, k)  # noqa: E731
    key(Qt.Key.Key_M)  # "Kremlin": proper nouns, no label known
    assert "Missing? \u201cKremlin\u201d" in window.statusBar().currentMessage()
    key(Qt.Key.Key_Return)  # nothing to accept without a suggestion
    assert "press a label key" in window.statusBar().currentMessage()
    key(Qt.Key.Key_2)  # ORG
    key(Qt.Key.Key_M)  # the first "Yerevan"
    key(Qt.Key.Key_3)  # GPE
    key(Qt.Key.Key_M)  # the second "Yerevan", now known as GPE
    assert "Enter makes it GPE" in window.statusBar().currentMessage()
    view = window.view  # drawn: the selection and a dashed ghost tag "GPE?" over it
    drawn = [view.drawing(i) for i in range(len(view.blocks.blocks))]
    ghosts = [d for d in drawn if d.suggestion is not None]
    assert [d.suggestion[0] for d in ghosts] == ["GPE?"] and ghosts[0].selection
    key(Qt.Key.Key_Return)
    assert stored(store, doc_id) == [
        ("Kremlin", "ORG"),
        ("Dmitry Peskov", "PERSON"),
        ("Yerevan", "GPE"),
        ("Yerevan", "GPE"),
    ]
    key(Qt.Key.Key_M)  # nothing is left
    assert "No likely missing spans" in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ("Yerevan", "GPE") in stored(store, doc_id) and len(stored(store, doc_id)) == 3
