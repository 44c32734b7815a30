"""The export dialog: format, documents, layer and target, then a background export.

The layers offered are those the database has (``Store.layers_present``): gold and
model always, and in a team database the final layer and each reviewer's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from annotator.export_options import ExportError, ExportOptions, parse_ids
from annotator.formats.options import OPTIONS
from annotator.formats.registry import FORMATS, get_format
from annotator.model import Layer, Status, layer_reviewer

_LAYER_TITLES = {
    Layer.GOLD.value: "gold (the review)",
    Layer.MODEL.value: "model (the pipeline's predictions)",
    Layer.FINAL.value: "final (the adjudicated reviews)",
}


def layer_title(layer: str) -> str:
    """How the dialog names a layer: what it holds, after the name ``--layer`` takes."""
    reviewer = layer_reviewer(layer)
    if reviewer is not None:
        return f"{layer} ({reviewer}'s review)"
    return _LAYER_TITLES.get(layer, layer)


class ExportDialog(QDialog):
    def __init__(
        self,
        default_folder: Path,
        parent: QWidget | None = None,
        layers: Sequence[str] = (Layer.GOLD, Layer.MODEL),
        layer: str = Layer.GOLD,
    ) -> None:
        """``layers``: the layers to offer (gold and model come first, always);
        ``layer``: the one chosen at first (gold if it is not offered)."""
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.default_folder = default_folder
        self.format = QComboBox(self)
        for fmt in FORMATS:
            self.format.addItem(fmt.title, fmt.name)
        self.statuses = {status: QCheckBox(status.value, self) for status in Status}
        self.statuses[Status.ACCEPTED].setChecked(True)
        status_row = QHBoxLayout()
        for box in self.statuses.values():
            status_row.addWidget(box)
        self.layer = QComboBox(self)
        offered = [Layer.GOLD.value, Layer.MODEL.value]
        offered += [str(name) for name in layers if name not in offered]
        for name in offered:
            self.layer.addItem(layer_title(name), name)
        self.layer.setCurrentIndex(max(0, self.layer.findData(str(layer))))
        self.ids = QLineEdit(self)
        self.ids.setPlaceholderText("all, or e.g. 1-100,250")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("only documents containing this text")
        self.split = QDoubleSpinBox(self)
        self.split.setRange(0.0, 0.95)
        self.split.setSingleStep(0.05)
        self.split.setSpecialValueText("no split")
        self.split.setToolTip("Share of the documents in the -train file (the rest: -dev)")
        # one control per format option; live when the chosen format reads it
        self.options: dict[str, QComboBox | QCheckBox] = {}
        for option in OPTIONS:
            control: QComboBox | QCheckBox
            if option.choices:
                control = QComboBox(self)
                control.addItems(list(option.choices))
            else:
                control = QCheckBox(self)
            control.setToolTip(option.help)
            self.options[option.name] = control
        self.path = QLineEdit(self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path)
        path_row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow("&Format", self.format)
        form.addRow("Documents", status_row)
        form.addRow("&Layer", self.layer)
        form.addRow("&Ids", self.ids)
        form.addRow("&Containing", self.search)
        form.addRow("&Train share", self.split)
        for option in OPTIONS:
            form.addRow(option.title, self.options[option.name])
        save_to = QLabel("Sa&ve to", self)
        save_to.setBuddy(self.path)
        form.addRow(save_to, path_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def _format_changed(self) -> None:
        fmt = get_format(str(self.format.currentData()))
        self.split.setEnabled(fmt.splits)
        for name, control in self.options.items():
            control.setEnabled(name in fmt.options)
        name = f"annotator-{fmt.name}" if fmt.folder else f"annotator-export{fmt.suffix}"
        self.path.setText(str(self.default_folder / name))

    def _browse(self) -> None:
        fmt = get_format(str(self.format.currentData()))
        if fmt.folder:
            chosen = QFileDialog.getExistingDirectory(self, "Folder to create the export in")
            if chosen:
                self.path.setText(str(Path(chosen) / f"annotator-{fmt.name}"))
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
            if chosen:
                self.path.setText(chosen)

    def choice(self) -> tuple[Path, ExportOptions]:
        """The target and options; ExportError says what is wrong with them."""
        text = self.path.text().strip()
        if not text:
            raise ExportError("Choose where to save the export.")
        statuses = tuple(s for s, box in self.statuses.items() if box.isChecked())
        if not statuses:
            raise ExportError("Tick at least one document status to export.")
        name = str(self.format.currentData())
        splits = get_format(name).splits
        split = self.split.value() if splits and self.split.value() > 0 else None
        options = ExportOptions(
            format=name,
            layer=str(self.layer.currentData()),
            statuses=statuses,
            ids=parse_ids(self.ids.text()),
            search=self.search.text().strip() or None,
            split=split,
            format_options=self._format_options(name),
        )
        return Path(text).expanduser(), options

    def _format_options(self, name: str) -> tuple[tuple[str, str], ...]:
        chosen = []
        for option_name in get_format(name).options:
            control = self.options[option_name]
            if isinstance(control, QComboBox):
                chosen.append((option_name, control.currentText()))
            elif control.isChecked():
                chosen.append((option_name, "1"))
        return tuple(chosen)
