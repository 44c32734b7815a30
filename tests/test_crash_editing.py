"""Kill the window's process mid-editing: every edit it reported as saved is there."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from annotator.store import Store

CHILD = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from annotator.store import Store
    from annotator.ui.app import application, create_window

    app = application()
    window = create_window(Store.open(Path(sys.argv[1])))
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window, 5000)
    window.view.setFocus()
    app.processEvents()
    print("ready", window.isActiveWindow(), window.view.hasFocus(), flush=True)
    session = window.session
    while True:  # until killed
        QTest.keyClick(window.view, Qt.Key.Key_Tab)
        current = session.span(window.view.selected_span).label
        before = session.version
        # relabel: ORG (key 2), or GPE (key 3) if it is an ORG already
        QTest.keyClick(window.view, Qt.Key.Key_3 if current == "ORG" else Qt.Key.Key_2)
        if session.version != before:  # committed, and shown as saved
            span = session.span(window.view.selected_span)
            print(session.version, span.id, span.label, flush=True)
    """
)


@pytest.mark.slow
def test_killed_window_keeps_every_edit_it_showed_as_saved(sample_store: Store):
    path = sample_store.path
    doc_id = sample_store.neighbour(None, 1)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE)
    assert child.stdout is not None
    reported: list[tuple[int, int, str]] = []
    deadline = time.monotonic() + 60
    pending = b""
    while len(reported) < 60 and time.monotonic() < deadline:
        ready, _, _ = select.select([child.stdout], [], [], 1.0)
        if not ready:
            continue
        chunk = os.read(child.stdout.fileno(), 65536)
        if not chunk:
            break  # the child died
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            if not line.startswith(b"ready"):
                version, span_id, label = line.decode().split()
                reported.append((int(version), int(span_id), label))
    reported = reported[:60]
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL
    assert len(reported) == 60

    with Store.open(path) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        doc = store.load_document(doc_id)
        assert doc.version >= reported[-1][0]
        # the last label each span was reported with is in the database, unless
        # a later (unreported) edit changed it again: then the audit log says so
        labels = {s.id: s.label for s in doc.gold.spans}
        last: dict[int, tuple[int, str]] = {}
        for version, span_id, label in reported:
            last[span_id] = (version, label)
        audit = store.audit_log(doc_id)
        for span_id, (version, label) in last.items():
            later = [e for e in audit if e.target_id == span_id and e.version > version]
            assert labels[span_id] == label or later
        versions = {e.version for e in audit}
        assert all(v in versions for v, _, _ in reported)
