"""The F1 overlay: every action and its keys, straight from the keymap table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from annotator.ui.keymap import ActionSpec


def keys_text(spec: ActionSpec) -> str:
    native = QKeySequence.SequenceFormat.NativeText
    return ", ".join(QKeySequence(k).toString(native) for k in spec.keys) or "—"


def keymap_html(specs: Sequence[ActionSpec]) -> str:
    groups: dict[str, list[ActionSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    parts = ["<h2>Keyboard</h2>"]
    for group, items in groups.items():
        parts.append(f"<h3>{escape(group)}</h3><table cellspacing='0' cellpadding='3'>")
        for spec in items:
            parts.append(
                f"<tr><td width='160'><b>{escape(keys_text(spec))}</b></td>"
                f"<td>{escape(spec.text)}</td><td style='color:gray'>{escape(spec.tip)}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        "<p>Label keys make a span of the selected tokens (or of the token under the caret), "
        "or relabel the selected span. A new span replaces the spans it overlaps. Every "
        "change is saved at once; undo and redo update the database too.</p>"
        "<p>In the find bar (Ctrl+F) the match of what you type is selected as you type "
        "(a match that is exactly a span selects the span); Tab extends it to the end of "
        "the name (a span that starts there, or a run of proper nouns); Alt + a label key "
        "labels it and returns to the article.</p>"
    )
    return "".join(parts)


class HelpDialog(QDialog):
    def __init__(self, specs: Sequence[ActionSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard help")
        self.resize(720, 640)
        browser = QTextBrowser(self)
        browser.setHtml(keymap_html(specs))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        self.setWindowModality(Qt.WindowModality.WindowModal)
