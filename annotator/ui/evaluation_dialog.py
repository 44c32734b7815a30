"""Model-vs-gold figures in a dialog (the same numbers as `annotator eval`)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from annotator.evaluate import PRF, Evaluation


def evaluation_html(result: Evaluation, statuses: str) -> str:
    noun = "document" if result.documents == 1 else "documents"
    parts = [f"<h3>Model against gold: {result.documents} {escape(statuses)} {noun}</h3>"]
    for title, table in (("Entities", result.entities), ("Relations", result.relations)):
        parts.append(
            f"<h4>{title}</h4><table cellpadding='3'><tr><th align='left'>label</th>"
            "<th>P</th><th>R</th><th>F1</th><th>gold</th><th>model</th></tr>"
        )
        rows = [*sorted(table.items()), ("micro avg", Evaluation.micro(table))]
        for label, prf in rows:
            parts.append(_row(label, prf, bold=label == "micro avg"))
        parts.append("</table>")
    if not result.documents:
        parts.append("<p>No documents to score yet: accept some reviewed documents first.</p>")
    return "".join(parts)


def _row(label: str, prf: PRF, bold: bool) -> str:
    cells = [
        f"{prf.precision * 100:.1f}%",
        f"{prf.recall * 100:.1f}%",
        f"{prf.f1 * 100:.1f}%",
        str(prf.tp + prf.fn),
        str(prf.tp + prf.fp),
    ]
    style = " style='font-weight:bold'" if bold else ""
    tds = "".join(f"<td align='right'>{c}</td>" for c in cells)
    return f"<tr{style}><td>{escape(label)}</td>{tds}</tr>"


class EvaluationDialog(QDialog):
    def __init__(self, result: Evaluation, statuses: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Evaluation")
        self.resize(560, 520)
        self.browser = QTextBrowser(self)
        self.browser.setHtml(evaluation_html(result, statuses))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
