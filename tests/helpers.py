"""Small builders shared by tests."""

from __future__ import annotations

import subprocess
import sys

from annotator.model import NewDocument, Span, Tokens, first_line_title


def whitespace_document(text: str, entities: dict[str, str] | None = None) -> NewDocument:
    """A document tokenized on single spaces; ``entities`` maps a word to its label."""
    starts: list[int] = []
    ends: list[int] = []
    offset = 0
    for word in text.split(" "):
        starts.append(offset)
        ends.append(offset + len(word))
        offset += len(word) + 1
    spans = tuple(
        Span(starts[i], ends[i], i, i, (entities or {})[text[starts[i] : ends[i]]])
        for i in range(len(starts))
        if text[starts[i] : ends[i]] in (entities or {})
    )
    return NewDocument(
        text=text,
        title=first_line_title(text),
        tokens=Tokens(tuple(starts), tuple(ends)),
        sentence_starts=(0,),
        spans=spans,
    )


def open_window(qtbot, store, exporter=None):
    """The review window on ``store``, shown, with the keyboard in the article."""
    from annotator.ui.app import application, create_window

    application()
    win = create_window(store, exporter=exporter)
    qtbot.addWidget(win)
    return show_window(qtbot, win)


def show_window(qtbot, win):
    """Show ``win`` and wait until the keyboard is in its article."""
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.view.setFocus()
    qtbot.waitUntil(lambda: win.view.hasFocus())
    return win


def python_output(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """What ``python -c code args...`` prints, in a new process; fails the test,
    with its error output, if the process fails."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
