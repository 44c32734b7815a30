"""The status bar: document i of N, review progress, saved indicator, reviewer,
database path."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from annotator.model import Status

SAVED_STYLE = "color: #2b8a3e;"
FAILED_STYLE = "color: #c92a2a; font-weight: bold;"


class ReviewStatusBar(QStatusBar):
    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.position_label = QLabel(self)
        self.progress_label = QLabel(self)
        self.saved_label = QLabel(self)
        self.reviewer_label = QLabel(self)
        self.reviewer_label.setTextFormat(Qt.TextFormat.PlainText)  # a name, never markup
        self.path_label = QLabel(str(db_path), self)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (
            self.position_label,
            self.progress_label,
            self.saved_label,
            self.reviewer_label,
        ):
            self.addPermanentWidget(widget)
        self.addPermanentWidget(self.path_label)

    def show_progress(self, position: int | None, counts: Mapping[Status, int]) -> None:
        total = sum(counts.values())
        if position is not None:
            self.position_label.setText(f"Document {position} of {total}")
        done = total - counts[Status.TODO]
        self.progress_label.setText(
            f"Reviewed {done} of {total} (accepted {counts[Status.ACCEPTED]})"
        )

    def show_reviewer(self, name: str) -> None:
        """Who the edits are recorded as."""
        self.reviewer_label.setText(f"Reviewer: {name}")
        self.reviewer_label.setToolTip(
            "Edits, reviews and exports record this name. Change it with "
            "Document \N{RIGHTWARDS ARROW} Change reviewer…"
        )

    def show_saved(self, what: str) -> None:
        if self.saved_label.styleSheet() != SAVED_STYLE:  # restyling costs a re-polish
            self.saved_label.setStyleSheet(SAVED_STYLE)
        self.saved_label.setText(f"\u2713 Saved {datetime.now():%H:%M:%S}")
        self.saved_label.setToolTip(f"Committed to {self.db_path} ({what})")

    def show_failure(self, message: str) -> None:
        if self.saved_label.styleSheet() != FAILED_STYLE:
            self.saved_label.setStyleSheet(FAILED_STYLE)
        self.saved_label.setText("\u2717 Not saved")
        self.saved_label.setToolTip(message)
        self.showMessage(message, 15000)
