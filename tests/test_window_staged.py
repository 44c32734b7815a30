"""The window as `annotator` starts it: the article first, the rest of the window
right after its first paint, and no key lost in between."""

from __future__ import annotations

import json

from helpers import python_output, show_window
from PySide6.QtCore import Qt

from annotator.model import Layer
from annotator.store import Store


def staged_window(qtbot, store: Store, complete_after_paint: bool):
    from annotator.ui.app import application, create_window

    application()
    win = create_window(store, staged=True)
    qtbot.addWidget(win)
    if not complete_after_paint:  # as if the first key came before the first paint
        win._completion.setInterval(60_000)
    return show_window(qtbot, win)


def test_the_article_is_painted_first_and_the_window_completes_after_it(qtbot, sample_store):
    from annotator.ui.app import application, create_window

    application()
    win = create_window(sample_store, staged=True)
    qtbot.addWidget(win)
    assert not win.is_complete
    assert win.actions_by_id == {}
    assert win.menuBar().actions() == []
    events: list[str] = []
    first: dict[int, object] = {}  # block -> what the first paint drew

    def painted(with_text: bool) -> None:
        events.append(f"painted {with_text}")
        if not first:
            first.update({i: shown.drawing for i, shown in win.view.screen_record.shown.items()})

    win.view.painted.connect(painted)
    win.completed.connect(lambda: events.append("completed"))
    with qtbot.waitSignal(win.completed, timeout=5000):
        win.show()
    assert events[:2] == ["painted True", "completed"]
    # what was painted first is the article as a window built whole draws it
    assert first, "no block of the article was painted"
    whole = create_window(sample_store)
    qtbot.addWidget(whole)
    whole.show()
    qtbot.waitUntil(lambda: bool(whole.view.screen_record.shown))
    qtbot.waitUntil(lambda: whole.view.viewport().width() == win.view.viewport().width())
    for i, drawing in first.items():
        assert drawing == whole.view.drawing(i)
    doc = win.session.document
    assert doc is not None
    spans = doc.layer(Layer.GOLD).spans
    qtbot.waitUntil(lambda: win.side.spans.rowCount() == len(spans))
    assert [a.text().replace("&", "") for a in win.menuBar().actions()][:2] == [
        "Document",
        "Edit",
    ]
    assert win.document_table.currentIndex().row() == win.documents.row_of(doc.id)
    assert "Reviewed 0 of 2" in win.status.progress_label.text()


def test_keys_pressed_before_the_window_is_complete_are_not_lost(qtbot, sample_store):
    win = staged_window(qtbot, sample_store, complete_after_paint=False)
    assert not win.is_complete
    doc_id = win.session.doc_id
    before = len(sample_store.load_document(doc_id).layer(Layer.GOLD).spans)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)  # select the first span
    assert win.is_complete
    assert win.controller.state.selected_span is not None
    qtbot.keyClick(win.view, Qt.Key.Key_Delete)
    after = sample_store.load_document(doc_id).layer(Layer.GOLD).spans
    assert len(after) == before - 1


def test_a_right_click_before_the_window_is_complete_gets_its_menu(qtbot, sample_store):
    win = staged_window(qtbot, sample_store, complete_after_paint=False)
    menu = win.context_menu()
    assert win.is_complete
    assert "Label" in [a.text() for a in menu.actions()]


def test_the_trace_times_the_keys_of_a_window_completed_later(qtbot, sample_store, tmp_path):
    """As `annotator --trace-timings` runs it: the trace is attached before the
    window is shown, and the first key comes before the window is complete."""
    import json

    from annotator.trace import TimingTrace
    from annotator.ui.app import application, create_window
    from annotator.ui.timing import WindowTimings

    application()
    win = create_window(sample_store, staged=True)
    qtbot.addWidget(win)
    win._completion.setInterval(60_000)
    path = tmp_path / "trace.jsonl"
    WindowTimings(win, TimingTrace(path))
    show_window(qtbot, win)
    assert not win.is_complete
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)  # completes the window, then selects

    def events() -> list[dict]:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [json.loads(line) for line in lines]

    def keys() -> list[str]:
        return [e["action"] for e in events() if e["event"] == "key"]

    qtbot.waitUntil(lambda: keys() == ["span.next"])
    assert events()[0]["event"] == "first_paint"


def test_the_first_paint_makes_no_qt_class_the_rest_of_the_window_needs(sample_store):
    """PySide6 makes a Python class, with all its enums, for each Qt class the
    first time it is used (0.1-1 ms each): the ones the first paint does not draw
    with wait until after it, and the completed window has them (menus, filter box)."""
    code = (
        "import json, os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QTimer\n"
        "import PySide6.QtGui as G, PySide6.QtWidgets as W\n"
        "from annotator.store import Store\n"
        "from annotator.ui.app import application, start_window\n"
        "LATER = ('QKeySequence', 'QGradient', 'QComboBox', 'QMenu')\n"
        "def made(): return [n for n in LATER if n in vars(G) or n in vars(W)]\n"
        "app = application()\n"
        "seen = {}\n"
        "window = start_window(Store.open(Path(sys.argv[1]), 'me'))\n"
        "window.view.painted.connect(lambda _: seen.setdefault('first paint', made()))\n"
        "def complete():\n"
        "    seen['complete'] = made()\n"
        "    QTimer.singleShot(0, app.quit)\n"
        "window.completed.connect(complete)\n"
        "app.exec()\n"
        "print(json.dumps(seen))\n"
    )
    seen = json.loads(python_output(code, str(sample_store.path)))
    assert seen["first paint"] == []
    assert {"QKeySequence", "QComboBox", "QMenu"} <= set(seen["complete"])
