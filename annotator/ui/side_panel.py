"""The panel beside the article: label palette, span list, relation list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSplitter, QTableView, QWidget

from annotator.model import Label, Relation, Span
from annotator.ui.models import LabelPaletteModel, SpanListModel
from annotator.ui.relation_model import RelationListModel


def make_table(
    model: QAbstractItemModel, parent: QWidget, stretch: int, widths: Sequence[int] = ()
) -> QTableView:
    """A read-only, row-selecting table whose column ``stretch`` takes the spare width.

    The other columns fit their contents when ``widths`` is empty (small tables
    only: fitting asks every row), else get those fixed pixel widths, so that a
    list of 10,000 spans costs nothing to repaint.
    """
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(22)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for column in range(model.columnCount()):
        if column == stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        elif widths:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, widths[column])
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table


class SidePanel(QSplitter):
    def __init__(
        self,
        entity_labels: Sequence[Label],
        relation_labels: Sequence[Label],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.entity_colors = {label.name: label.color for label in entity_labels}
        self.relation_colors = {label.name: label.color for label in relation_labels}
        self.palette_model = LabelPaletteModel(self)
        self.palette_model.set_labels(entity_labels)
        self.spans = SpanListModel(self)
        self.relations = RelationListModel(self)
        self.palette_table = make_table(self.palette_model, self, LabelPaletteModel.LABEL)
        self.span_table = make_table(self.spans, self, SpanListModel.TEXT, (0, 110))
        self.relation_table = make_table(self.relations, self, RelationListModel.HEAD, (0, 90, 110))
        for table in (self.palette_table, self.span_table, self.relation_table):
            self.addWidget(table)
        self.setSizes([260, 300, 200])

    def show_document(
        self, text: str, spans: Sequence[Span], relations: Sequence[Relation]
    ) -> None:
        self.spans.set_document(text, spans, self.entity_colors)
        self.relations.set_relations(text, spans, relations, self.relation_colors)
        self.palette_model.set_counts(Counter(span.label for span in spans))

    def apply_edit(
        self,
        text: str,
        spans: Sequence[Span],
        relations: Sequence[Relation],
        touched: Sequence[Span] | None,
        relations_changed: bool,
    ) -> None:
        """Follow one edit (``touched`` None: the whole document changed)."""
        if touched is None:
            self.show_document(text, spans, relations)
            return
        self.spans.apply_edit(spans, touched)
        if relations_changed or not self.relations.follow_spans(text, touched):
            self.relations.set_relations(text, spans, relations, self.relation_colors)
        self.palette_model.set_counts(Counter(span.label for span in spans))
