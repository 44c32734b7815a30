"""The relation list beside the article: head, label, child of each gold relation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from annotator.model import Relation, Span
from annotator.ui.models import Index, Role, _TableModel, span_display_text

SHORT = 30


class RelationListModel(_TableModel):
    """Gold relations of the current document, in the order of their head spans."""

    HEADERS = ("Head", "Relation", "Child")
    HEAD, LABEL, CHILD = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Relation, str, str]] = []
        self._rows_by_id: dict[int, int] = {}
        self._rows_of_span: dict[int, list[int]] = {}  # span id -> rows showing it
        self._head_starts: list[int] = []  # the rows' order: by their head's start
        self._colors: dict[str, QColor] = {}

    def set_relations(
        self,
        text: str,
        spans: Sequence[Span],
        relations: Sequence[Relation],
        colors: Mapping[str, str],
    ) -> None:
        by_id = {s.id: s for s in spans}
        rows = []
        for relation in relations:
            head, child = by_id.get(relation.head), by_id.get(relation.child)
            if head is None or child is None:
                continue
            rows.append(
                (
                    head.start,
                    relation,
                    span_display_text(text, head, SHORT),
                    span_display_text(text, child, SHORT),
                )
            )
        rows.sort(key=lambda row: (row[0], row[1].id or 0))
        self.beginResetModel()
        self._rows = [(relation, head, child) for _, relation, head, child in rows]
        self._rows_by_id = {r.id: n for n, (r, _, _) in enumerate(self._rows) if r.id is not None}
        self._head_starts = [start for start, _, _, _ in rows]
        self._rows_of_span = {}
        for n, (relation, _, _) in enumerate(self._rows):
            self._rows_of_span.setdefault(relation.head, []).append(n)
            self._rows_of_span.setdefault(relation.child, []).append(n)
        self._colors = {name: QColor(value) for name, value in colors.items()}
        self.endResetModel()

    def follow_spans(self, text: str, touched: Sequence[Span]) -> bool:
        """Spans changed in place (relabelled, resized) and no relation changed:
        update the rows that show them. False, with nothing changed, when that
        is not enough: a head span moved, so the order of the rows may change."""
        latest = {s.id: s for s in touched if s.id is not None}  # new versions come last
        updates: dict[int, tuple[Relation, str, str]] = {}
        for span_id, span in latest.items():
            for row in self._rows_of_span.get(span_id, ()):
                relation, head, child = updates.get(row, self._rows[row])
                if relation.head == span_id:
                    if span.start != self._head_starts[row]:
                        return False
                    head = span_display_text(text, span, SHORT)
                if relation.child == span_id:
                    child = span_display_text(text, span, SHORT)
                updates[row] = (relation, head, child)
        for row, values in updates.items():
            if values != self._rows[row]:
                self._rows[row] = values
                self.dataChanged.emit(self.index(row, self.HEAD), self.index(row, self.CHILD))
        return True

    def relation_id_at(self, row: int) -> int:
        relation_id = self._rows[row][0].id
        if relation_id is None:
            raise ValueError(f"The relation in row {row} has no id.")
        return relation_id

    def row_of(self, relation_id: int) -> int | None:
        return self._rows_by_id.get(relation_id)

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Role.DisplayRole) -> object:
        row = self._valid_row(index)
        if row is None:
            return None
        relation, head, child = self._rows[row]
        column = index.column()
        if role == Role.DisplayRole:
            return (head, relation.label, child)[column]
        if role == Role.DecorationRole and column == self.LABEL:
            return self._colors.get(relation.label, QColor("#666666"))
        if role == Role.UserRole:
            return relation.id
        if role == Role.TextAlignmentRole and column == self.LABEL:
            return Qt.AlignmentFlag.AlignCenter
        return None
