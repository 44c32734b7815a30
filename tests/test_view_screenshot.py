"""Pixels: after a keyboard review, the article looks exactly like a fresh
window's on the same database, at every scroll position; and after every key,
what the screen shows (the view repaints only the lines that changed) is what
painting the whole view draws."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from annotator.ui import arc_painter, block_painter
from annotator.ui.app import create_window

NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier

REVIEW: list[tuple[Qt.Key, Qt.KeyboardModifier]] = [
    # lay a label over the first two tokens (replacing the span there)
    (Qt.Key.Key_Home, NONE),
    (Qt.Key.Key_Right, SHIFT),
    (Qt.Key.Key_2, NONE),
    # delete the fourth span, relabel the sixth, grow the seventh
    *[(Qt.Key.Key_Tab, NONE)] * 3,
    (Qt.Key.Key_Delete, NONE),
    *[(Qt.Key.Key_Tab, NONE)] * 2,
    (Qt.Key.Key_1, NONE),
    (Qt.Key.Key_Tab, NONE),
    (Qt.Key.Key_Right, ALT | SHIFT),
    # a relation from the next span to the one after, then relabel it
    (Qt.Key.Key_Tab, NONE),
    (Qt.Key.Key_R, NONE),
    (Qt.Key.Key_Tab, NONE),
    (Qt.Key.Key_2, NONE),
    (Qt.Key.Key_4, NONE),
    (Qt.Key.Key_Escape, NONE),
    # undo the relabel of the relation, redo it, and relabel two more spans
    (Qt.Key.Key_Z, CTRL),
    (Qt.Key.Key_Z, CTRL | SHIFT),
    *[(Qt.Key.Key_Tab, NONE)] * 5,
    (Qt.Key.Key_3, NONE),
    *[(Qt.Key.Key_Tab, NONE)] * 4,
    (Qt.Key.Key_5, NONE),
    # an add in the first line again: every later span moves up in the list
    (Qt.Key.Key_Home, NONE),
    *[(Qt.Key.Key_Right, NONE)] * 3,
    (Qt.Key.Key_3, NONE),
    (Qt.Key.Key_Escape, NONE),
    (Qt.Key.Key_Escape, NONE),
    (Qt.Key.Key_Home, NONE),
]


def scroll_through(view) -> list[int]:
    """Scroll the article from top to bottom a page at a time (laying out every
    block); returns the scroll positions visited."""
    bar = view.verticalScrollBar()
    positions = []
    value = 0
    while True:
        bar.setValue(value)
        view.viewport().grab()
        positions.append(bar.value())
        if bar.value() >= bar.maximum():
            break
        value += max(1, bar.pageStep() // 2)
    return positions


def shot(view, position: int) -> QImage:
    view.verticalScrollBar().setValue(position)
    return view.viewport().grab().toImage()


def test_reviewed_article_matches_a_fresh_window_pixel_for_pixel(qtbot, window, sample_store):
    window.resize(1100, 700)
    view = window.view
    scroll_through(view)  # every block laid out before the edits
    view.verticalScrollBar().setValue(0)
    version = window.session.version
    for key, modifier in REVIEW:
        qtbot.keyClick(view, key, modifier)
    assert window.session.version >= version + 8  # the review was saved

    fresh = create_window(sample_store)
    qtbot.addWidget(fresh)
    fresh.resize(window.size())
    fresh.splitter.setSizes(window.splitter.sizes())
    fresh.show()
    qtbot.waitExposed(fresh)
    fresh.view.setFocus()
    qtbot.keyClick(fresh.view, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: fresh.view.viewport().size() == view.viewport().size())

    scroll_through(view)  # the blocks the edits changed are measured again
    scroll_through(fresh.view)
    positions = scroll_through(view)
    assert scroll_through(fresh.view) == positions
    assert len(positions) >= 3  # the article is longer than the window
    for position in positions:
        assert shot(view, position) == shot(fresh.view, position), f"at scroll {position}"


def test_the_article_is_drawn_on_the_palette_base_at_every_scroll_position(qtbot, window):
    """The viewport fills its own background (the view no longer paints it): the
    right margin, where no text reaches, shows the palette's Base color, before and
    after scrolling, and the text is drawn over it."""
    window.resize(1100, 700)
    view = window.view
    base = view.palette().color(view.viewport().backgroundRole()).rgb()
    for position in scroll_through(view):
        image = shot(view, position)
        margin = {image.pixel(image.width() - 4, y) for y in range(0, image.height(), 7)}
        assert margin == {base}, f"at scroll {position}"
        assert any(
            image.pixel(x, y) != base
            for x in range(0, image.width(), 5)
            for y in range(0, image.height(), 5)
        ), "nothing was drawn"


# Beyond REVIEW: missing spans with their suggested tag, relations selected,
# reversed and dimmed, deleted spans shown, and scrolling between edits so that
# blocks stand half out of the window.
MORE: list[tuple[Qt.Key, Qt.KeyboardModifier]] = [
    (Qt.Key.Key_M, NONE),  # a likely missing span: its dashed tag above the line
    (Qt.Key.Key_M, NONE),
    (Qt.Key.Key_Return, NONE),  # accepted
    (Qt.Key.Key_M, NONE),
    (Qt.Key.Key_Escape, NONE),
    (Qt.Key.Key_D, NONE),  # deleted model spans shown
    *[(Qt.Key.Key_Tab, NONE)] * 2,
    (Qt.Key.Key_Delete, NONE),
    # a relation from the next span to the one after; select it and reverse it
    (Qt.Key.Key_Tab, NONE),
    (Qt.Key.Key_R, NONE),
    (Qt.Key.Key_Tab, NONE),
    (Qt.Key.Key_3, NONE),  # PER-SOC
    (Qt.Key.Key_BracketRight, NONE),
    (Qt.Key.Key_V, NONE),  # the arrow moves to the other end
    (Qt.Key.Key_Escape, NONE),
    (Qt.Key.Key_H, NONE),  # dim the relations of other spans
    *[(Qt.Key.Key_Tab, NONE)] * 3,
    (Qt.Key.Key_H, NONE),  # hide them
    (Qt.Key.Key_H, NONE),
    # scrolled: blocks stand half out of the window
    (Qt.Key.Key_PageDown, NONE),
    *[(Qt.Key.Key_Down, NONE)] * 3,
    (Qt.Key.Key_Right, SHIFT),
    (Qt.Key.Key_3, NONE),
    (Qt.Key.Key_Left, ALT | SHIFT),
    (Qt.Key.Key_Z, CTRL),
    (Qt.Key.Key_Z, CTRL),
    (Qt.Key.Key_D, NONE),
    (Qt.Key.Key_End, NONE),
    (Qt.Key.Key_Backtab, SHIFT),
    (Qt.Key.Key_2, NONE),
    (Qt.Key.Key_Home, NONE),
    # zoomed in and out: every block laid out again, taller or shorter
    (Qt.Key.Key_Plus, CTRL),
    (Qt.Key.Key_PageDown, NONE),
    (Qt.Key.Key_Minus, CTRL),
    (Qt.Key.Key_0, CTRL),
]


def viewport_of(view, image: QImage) -> QImage:
    """The part of an image of the whole window that the article's viewport covers."""
    viewport = view.viewport()
    return image.copy(QRect(viewport.mapTo(view.window(), QPoint(0, 0)), viewport.size()))


def on_screen(view) -> QImage:
    """What the screen shows of the article: the window's backing store (which
    the offscreen platform's grabWindow reads)."""
    window = view.window()
    return viewport_of(view, QApplication.primaryScreen().grabWindow(window.winId()).toImage())


def painted_whole(view) -> QImage:
    """The article painted afresh, every block and line of it, into an image of
    the window's size (dotted outlines are dashed from the device's corner: the
    same device size gives the same dots). The view cannot tell that paint from
    one on screen, and would record what it drew as shown: its records are put
    back, or the screen's next repair would be lost."""
    record = view.screen_record
    shown, hits = dict(record.shown), {i: dict(by_line) for i, by_line in record.hits.items()}
    image = viewport_of(view, view.window().grab().toImage())
    record.shown, record.hits = shown, hits
    return image


def test_after_every_key_the_screen_shows_what_a_whole_paint_draws(qtbot, window, monkeypatch):
    # Qt dashes a line from where the repaint clips it: dotted outlines would differ
    # from a whole paint in their dots' shading alone (by up to 63 of 255 levels)
    for name in ("DASHED", "DOTTED"):
        monkeypatch.setattr(block_painter, name, Qt.PenStyle.SolidLine)
    monkeypatch.setattr(arc_painter, "DASHED", Qt.PenStyle.SolidLine)
    window.resize(1100, 700)
    view = window.view
    view.setFocus()
    qtbot.waitUntil(lambda: on_screen(view) == painted_whole(view), timeout=2000)
    version = window.session.version
    for n, (key, modifier) in enumerate(REVIEW + MORE):
        qtbot.keyClick(view, key, modifier)
        try:
            qtbot.waitUntil(lambda: on_screen(view) == painted_whole(view), timeout=1000)
        except qtbot.TimeoutError:
            raise AssertionError(
                f"key {n} ({key.name}): the screen differs from a whole paint"
            ) from None
    assert window.session.version >= version + 12  # the keys did edit
