"""Make docs/screenshot.png: the window on the bundled sample, after a few edits.

    python scripts/screenshot.py [OUT.png]

Imports the sample with the default pipeline into a temporary database, opens
the window offscreen at 1280x800, drives a few keys (relabel a span, delete
one, show deleted model spans) and selects a span with relations and saves the window's picture.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from annotator.sample import sample_import_job
from annotator.store import Store
from annotator.ui.app import application, create_window

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.db"
        print(sample_import_job(db)(lambda done, total: None))
        app = application()
        store = Store.open(db)
        window = create_window(store)
        window.resize(1280, 800)
        window.show()
        QTest.qWaitForWindowActive(window, 5000)
        view = window.view
        view.setFocus()
        keys = [
            (Qt.Key.Key_Tab, 3),  # third span: "the United States"
            (Qt.Key.Key_2, 1),  # relabel ORG
            (Qt.Key.Key_Tab, 1),  # "Russia"
            (Qt.Key.Key_Delete, 1),
            (Qt.Key.Key_D, 1),  # show deleted model spans
        ]
        for key, times in keys:
            for _ in range(times):
                QTest.keyClick(view, key)
        # select "Antony Blinken": its relation arcs stand out
        doc = window.session.document
        blinken = next(
            s for s in window.session.gold if doc.text[s.start : s.end] == "Antony Blinken"
        )
        window.controller.select_span(blinken.id)
        view.verticalScrollBar().setValue(0)
        app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"wrote {out}")
        window.close()
        store.close()


if __name__ == "__main__":
    main()
