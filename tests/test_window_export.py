"""Export and evaluation from the window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.export_options import ExportError, ExportOptions
from annotator.model import Status
from annotator.ui.evaluation_dialog import EvaluationDialog
from annotator.ui.export_dialog import ExportDialog
from annotator.ui.jobs import start_export


def test_export_from_the_window_runs_in_the_background(qtbot, window, tmp_path):
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # accept the first document
    target = tmp_path / "out.jsonl"
    runner = start_export(window, window.exporter, target, ExportOptions())
    with qtbot.waitSignal(runner.finished, timeout=20_000) as finished:
        pass
    assert "Exported 1 documents (jsonl)" in finished.args[0]
    [line] = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["text"].startswith("Armenia on Tuesday")


def test_export_dialog_checks_its_choices(qtbot, tmp_path):
    dialog = ExportDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("spacy"))
    assert dialog.path.text().endswith("annotator-export.spacy")
    dialog.split.setValue(0.8)
    dialog.ids.setText("1-5")
    target, options = dialog.choice()
    assert target == tmp_path / "annotator-export.spacy"
    assert (options.format, options.split, options.ids) == ("spacy", 0.8, ((1, 5),))
    dialog.statuses[Status.ACCEPTED].setChecked(False)
    with pytest.raises(ExportError, match="Tick at least one"):
        dialog.choice()
    dialog.statuses[Status.TODO].setChecked(True)
    dialog.ids.setText("x")
    with pytest.raises(ExportError, match="not a document id"):
        dialog.choice()


def test_evaluate_key_shows_the_figures(qtbot, window, sample_store):
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # Armenia: GPE -> ORG, a model error now
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)

    def dialog():
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, EvaluationDialog)]
        return shown[0] if shown and shown[0].isVisible() else None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=20_000)
    html = dialog().browser.toPlainText()
    assert "1 accepted document" in html and "micro avg" in html and "GPE" in html
    dialog().close()
