"""The collector and the view: what the view lays out lives as long as the
layout, so it is moved out of the collector's reach (ui/pauses.py); a full
collection scanning it stalled keys and scrolls for 50-100 ms."""

from __future__ import annotations

import gc


def test_what_scrolling_lays_out_is_out_of_the_collectors_reach(qtbot, window):
    window.resize(1100, 500)
    view = window.view
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    laid = {i for i, block in enumerate(view.blocks.blocks) if block.scene is not None}
    bar.setValue(bar.maximum())
    view.viewport().repaint()
    new = [
        block.scene
        for i, block in enumerate(view.blocks.blocks)
        if block.scene is not None and i not in laid
    ]
    assert new, "scrolling laid no block out"
    tracked = {id(o) for o in gc.get_objects()}
    assert not [scene for scene in new if id(scene) in tracked]
    assert not [line for scene in new for line in scene.lines if id(line) in tracked]
