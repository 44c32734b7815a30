"""The end of the start-up, for what ``annotator.launch`` pauses until then.

The launcher turns the garbage collector off and caches compiled code while a
command starts (see annotator/launch.py); whoever knows when the start is over
says so with ``started()``: the command line once a command other than the window
is chosen, the window after its first paint. Importing annotator as a library
leaves nothing waiting, and ``started()`` then does nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_waiting: list[Callable[[], None]] = []


def after_startup(callback: Callable[[], None]) -> None:
    """Run ``callback`` when the start-up is over."""
    _waiting.append(callback)


def starting() -> bool:
    """Whether something waits for the start-up to end."""
    return bool(_waiting)


def started() -> None:
    """The start-up is over: run what waited for it, once, in the order given."""
    while _waiting:
        _waiting.pop(0)()
