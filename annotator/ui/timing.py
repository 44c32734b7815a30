"""Feeds the timing trace (annotator/trace.py) from the window: first paint,
document opens, and key press to the end of the repaint it caused. Installed
only when a trace is asked for; without it the window has no hooks at all."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from annotator.trace import TimingTrace, process_age_ms
from annotator.ui.main_window import MainWindow

NO_PAINT_AFTER_MS = 250  # an action that repaints nothing is reported after this
MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
        Qt.Key.Key_Hyper_L,
        Qt.Key.Key_Hyper_R,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)


class WindowTimings(QObject):
    def __init__(self, window: MainWindow, trace: TimingTrace) -> None:
        super().__init__(window)
        self.trace = trace
        self._first_paint_done = False
        self._key_pressed_at: float | None = None
        self._pending_key: tuple[str, float] | None = None
        self._pending_open: tuple[int, float] | None = None
        self._handled_at = 0.0
        window.view.painted.connect(self._painted)
        window.openRequested.connect(self._open_requested)
        if window.is_complete:
            self._hook_actions(window)
        else:  # the actions are made after the first paint
            window.completed.connect(lambda: self._hook_actions(window))
        # Key presses are seen by an application-wide filter from the first paint
        # on: installed earlier, it would slow the start-up it measures (PySide6
        # then wraps Qt's internal objects, building every class first: 12 ms).
        self._filtering = False
        if window.isVisible():  # already painted
            self._filter_keys()

    def _filter_keys(self) -> None:
        self._filtering = True
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _hook_actions(self, window: MainWindow) -> None:
        for action_id, action in window.actions_by_id.items():
            action.triggered.connect(lambda _checked=False, a=action_id: self._action(a))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # a key press reaches several objects (window, shortcut map, widget): the
        # first one gives the time it was taken from the queue. A modifier pressed
        # on its own is not the key: Ctrl+Z is timed from Z, not from Ctrl.
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            if isinstance(event, QKeyEvent) and event.key() in MODIFIER_KEYS:
                return False
            now = time.perf_counter()
            if self._key_pressed_at is None or now - self._key_pressed_at > 0.05:
                self._key_pressed_at = now
        return False

    def _action(self, action_id: str) -> None:
        pressed = self._key_pressed_at
        self._key_pressed_at = None
        if pressed is None:  # from a menu or a test's trigger(), not a key
            return
        if self._pending_key is not None:  # the previous key's repaint never came
            self._report_unpainted()
        self._pending_key = (action_id, pressed)
        self._handled_at = time.perf_counter()
        QTimer.singleShot(NO_PAINT_AFTER_MS, lambda: self._no_paint(action_id, pressed))

    def _no_paint(self, action_id: str, pressed: float) -> None:
        if self._pending_key == (action_id, pressed):
            self._report_unpainted()

    def _report_unpainted(self) -> None:
        assert self._pending_key is not None
        action_id, pressed = self._pending_key
        self._pending_key = None
        ms = (self._handled_at - pressed) * 1000
        self.trace.write("key", action=action_id, ms=ms, painted=False)

    def _open_requested(self, doc_id: int) -> None:
        self._pending_open = (doc_id, time.perf_counter())

    def _painted(self, with_text: bool) -> None:
        now = time.perf_counter()
        if not self._filtering:
            self._filter_keys()
        if with_text and not self._first_paint_done:
            self._first_paint_done = True
            # also the system-wide monotonic clock, to the microsecond: a benchmark
            # that started the process can time it without /proc's 10 ms ticks
            self.trace.write(
                "first_paint", ms=process_age_ms(), monotonic_ms=time.monotonic() * 1000
            )
        if self._pending_open is not None and with_text:
            doc_id, asked = self._pending_open
            self._pending_open = None
            self.trace.write("open", doc=doc_id, ms=(now - asked) * 1000)
        if self._pending_key is not None:
            action_id, pressed = self._pending_key
            self._pending_key = None
            self.trace.write("key", action=action_id, ms=(now - pressed) * 1000, painted=True)
