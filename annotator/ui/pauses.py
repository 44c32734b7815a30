"""Garbage-collector pauses around bulk loading.

Opening a 1 MB article creates some 10^5 long-lived objects (spans, tokens,
layouts). Left alone, the collector scans them all during the load and again
at unpredictable moments later, which shows up as 50-600 ms stalls after a key
press. While a document loads the collector waits; afterwards what was loaded
is moved out of its reach (``gc.freeze``). Frozen objects are still freed by
reference counting when the next document replaces them. So is what the view
lays out as it scrolls (after each paint that laid blocks out), and whatever
is alive after a second without a paint.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from annotator import startup

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance


def end_startup_after_first_paint(painted: SignalInstance) -> None:
    """End the start-up (annotator.startup: the launcher turns the collector back
    on) once ``painted`` has fired, moving what the start-up made out of the
    collector's reach first."""

    def resume() -> None:
        painted.disconnect(resume)
        gc.freeze()
        startup.started()

    painted.connect(resume)


def settle_heap() -> None:
    """Move what exists now out of the collector's reach: called when the window
    has been idle for a moment, so that a later collection scans only what came
    after (one that scanned everything took up to 90 ms in the view benchmark)."""
    gc.freeze()


@contextmanager
def without_gc_pauses() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
