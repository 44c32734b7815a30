"""Thin Qt item models over domain objects: the document list, the span list, the label palette.

Each model holds a list of immutable domain objects and answers ``data()`` from it; it
computes nothing the domain or the store does not already provide (Anki's browser table
model is the pattern). ``Qt.UserRole`` always gives the id behind a row.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from typing import ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.model import DocumentSummary, Label, LabelKind, Span, Status, sorted_spans
from annotator.store import Store

PAGE_SIZE = 500
"""Documents loaded per ``fetchMore``."""

SPAN_TEXT_LIMIT = 60
"""Longest span text shown in the span list, ellipsis included."""

FALLBACK_COLOR = "#9e9e9e"

Index = QModelIndex | QPersistentModelIndex


def _span_start(span: Span) -> int:
    return span.start


Role = Qt.ItemDataRole

_ROOT = QModelIndex()
_FALLBACK = QColor(FALLBACK_COLOR)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NEWLINES = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")

# Todo keeps the palette's text color (None); the others are chosen to read well on the
# default light palette (Material green/red 800, mid gray).
_STATUS_COLORS: dict[Status, QColor] = {
    Status.ACCEPTED: QColor("#2e7d32"),
    Status.REJECTED: QColor("#c62828"),
    Status.SKIPPED: QColor("#808080"),
}


def _color(name: str) -> QColor:
    color = QColor(name)
    return color if color.isValid() else _FALLBACK


def _doc_id(summary: DocumentSummary) -> int:
    return summary.id


def span_display_text(text: str, span: Span, limit: int = SPAN_TEXT_LIMIT) -> str:
    """The span's text on one line, shortened to ``limit`` characters with an ellipsis."""
    shown = _NEWLINES.sub(" ", text[span.start : span.end])
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class _TableModel(QAbstractTableModel):
    """A flat table with fixed horizontal headers."""

    HEADERS: ClassVar[tuple[str, ...]] = ()

    def _row_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Role.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def _valid_row(self, index: Index) -> int | None:
        if not index.isValid() or index.parent().isValid():
            return None
        row = index.row()
        return row if 0 <= row < self._row_count() else None

    def _column_changed(self, column: int, role: Role = Role.DisplayRole) -> None:
        if self._row_count():
            last = self._row_count() - 1
            self.dataChanged.emit(self.index(0, column), self.index(last, column), [role])


class DocumentListModel(_TableModel):
    """Documents in id order, optionally filtered by status, loaded lazily page by page."""

    HEADERS = ("#", "Status", "Title", "Entities")
    ID, STATUS, TITLE, ENTITIES = range(4)
    _NUMERIC = frozenset({ID, ENTITIES})

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._status: Status | None = None
        self._rows: list[DocumentSummary] = []
        self._exhausted = False
        self._total = 0
        self._load(PAGE_SIZE)

    # ---- public API --------------------------------------------------------

    def set_status_filter(self, status: Status | None) -> None:
        """Show only documents with ``status`` (None: all), starting again at the first page."""
        self.beginResetModel()
        self._status = status
        self._load(PAGE_SIZE)
        self.endResetModel()

    def status_filter(self) -> Status | None:
        return self._status

    def refresh(self) -> None:
        """Re-read the rows already loaded (at least one page) from the store."""
        self.beginResetModel()
        self._load(max(len(self._rows), PAGE_SIZE))
        self.endResetModel()

    def total(self) -> int:
        """How many documents match the filter, loaded or not."""
        return self._total

    def doc_id_at(self, row: int) -> int:
        return self._rows[row].id

    def row_of(self, doc_id: int) -> int | None:
        """The row of ``doc_id``, loading further pages until it appears or cannot."""
        while True:
            row = self._loaded_row(doc_id)
            if row is not None:
                return row
            if self._covers(doc_id) or not self.canFetchMore(_ROOT):
                return None
            self.fetchMore(_ROOT)

    def update_summary(self, summary: DocumentSummary) -> None:
        """Show a document's new state: replace its row, or drop it if it left the filter.

        A document that entered the filter is inserted when it falls inside the loaded
        range (so later pages neither repeat nor skip a row); otherwise a later page
        brings it.
        """
        row = self._loaded_row(summary.id)
        matches = self._status is None or summary.status == self._status
        if row is not None and matches:
            self._rows[row] = summary
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1), [])
        elif row is not None:
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            self.endRemoveRows()
        elif matches and self._covers(summary.id):
            row = bisect.bisect_left(self._rows, summary.id, key=_doc_id)
            self.beginInsertRows(_ROOT, row, row)
            self._rows.insert(row, summary)
            self.endInsertRows()
        self._total = self._count()

    # ---- Qt ----------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._rows)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._exhausted:
            return
        first = len(self._rows)
        page = self._store.list_documents(self._status, first, PAGE_SIZE)
        self._exhausted = len(page) < PAGE_SIZE
        if self._rows:  # another window may have shifted the offsets meanwhile
            last_id = self._rows[-1].id
            page = [s for s in page if s.id > last_id]
        if not page:
            return
        self.beginInsertRows(_ROOT, first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def data(self, index: Index, role: int = Role.DisplayRole) -> object:
        row = self._valid_row(index)
        if row is None:
            return None
        summary, column = self._rows[row], index.column()
        if role == Role.DisplayRole:
            return self._display(summary, column)
        if role == Role.ToolTipRole:
            return summary.title if column == self.TITLE else None
        if role == Role.ForegroundRole:
            return _STATUS_COLORS.get(summary.status)
        if role == Role.TextAlignmentRole:
            return _RIGHT if column in self._NUMERIC else None
        if role == Role.UserRole:
            return summary.id
        return None

    # ---- internals ---------------------------------------------------------

    def _display(self, summary: DocumentSummary, column: int) -> str | None:
        if column == self.ID:
            return str(summary.id)
        if column == self.STATUS:
            return summary.status.value
        if column == self.TITLE:
            return summary.title
        if column == self.ENTITIES:
            return str(summary.gold_spans)
        return None

    def _load(self, limit: int) -> None:
        self._rows = self._store.list_documents(self._status, 0, limit)
        self._exhausted = len(self._rows) < limit
        self._total = self._count()

    def _count(self) -> int:
        counts = self._store.count_by_status()
        return sum(counts.values()) if self._status is None else counts[self._status]

    def _loaded_row(self, doc_id: int) -> int | None:
        row = bisect.bisect_left(self._rows, doc_id, key=_doc_id)
        return row if row < len(self._rows) and self._rows[row].id == doc_id else None

    def _covers(self, doc_id: int) -> bool:
        """True when ``doc_id`` would already be loaded if it matched the filter."""
        return self._exhausted or (bool(self._rows) and doc_id < self._rows[-1].id)


class SpanListModel(_TableModel):
    """The gold spans of the current document, in text order."""

    HEADERS = ("Text", "Label")
    TEXT, LABEL = range(2)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._spans: list[Span] = []
        self._rows_by_id: dict[int, int] = {}
        self._colors: dict[str, QColor] = {}

    def set_document(self, text: str, spans: Sequence[Span], colors: Mapping[str, str]) -> None:
        """Show ``spans`` of ``text``; ``colors`` maps a label name to ``#rrggbb``."""
        self.beginResetModel()
        self._text = text
        self._spans = sorted_spans(spans)
        self._rows_by_id = {s.id: row for row, s in enumerate(self._spans) if s.id is not None}
        self._colors = {name: _color(value) for name, value in colors.items()}
        self.endResetModel()

    def apply_edit(self, spans: Sequence[Span], touched: Sequence[Span]) -> None:
        """Follow one edit: ``spans`` is the new list (sorted by start) and
        ``touched`` the spans the edit took out or put in. Only their rows change."""
        ids = {s.id for s in touched if s.id is not None}
        rows = sorted((self._rows_by_id[i] for i in ids if i in self._rows_by_id), reverse=True)
        for row in rows:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._spans[row]
            self.endRemoveRows()
        latest = {s.id: s for s in touched if s.id is not None}  # new versions come last
        for span in latest.values():
            i = bisect.bisect_left(spans, span.start, key=_span_start)
            if i < len(spans) and spans[i].id == span.id:
                row = bisect.bisect_left(self._spans, span.start, key=_span_start)
                self.beginInsertRows(QModelIndex(), row, row)
                self._spans.insert(row, spans[i])
                self.endInsertRows()
        self._rows_by_id = {s.id: row for row, s in enumerate(self._spans) if s.id is not None}

    def span_at(self, row: int) -> Span:
        return self._spans[row]

    def span_id_at(self, row: int) -> int:
        span_id = self._spans[row].id
        if span_id is None:
            raise ValueError(f"The span in row {row} has not been stored yet and has no id.")
        return span_id

    def row_of(self, span_id: int) -> int | None:
        return self._rows_by_id.get(span_id)

    def _row_count(self) -> int:
        return len(self._spans)

    def data(self, index: Index, role: int = Role.DisplayRole) -> object:
        row = self._valid_row(index)
        if row is None:
            return None
        span, column = self._spans[row], index.column()
        if role == Role.DisplayRole:
            if column == self.TEXT:
                return span_display_text(self._text, span)
            return span.label if column == self.LABEL else None
        if role == Role.ToolTipRole and column == self.TEXT:
            return span_display_text(self._text, span, limit=1000)
        if role == Role.DecorationRole and column == self.LABEL:
            return self._colors.get(span.label, _FALLBACK)
        if role == Role.UserRole:
            return span.id
        return None


class LabelPaletteModel(_TableModel):
    """Entity labels with their hotkey and how often each occurs in the current document."""

    HEADERS = ("Key", "Label", "Count")
    KEY, LABEL, COUNT = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels: list[Label] = []
        self._colors: list[QColor] = []
        self._counts: dict[str, int] = {}

    def set_labels(self, labels: Sequence[Label]) -> None:
        """Show the entity labels among ``labels``, in the given order."""
        self.beginResetModel()
        self._labels = [label for label in labels if label.kind == LabelKind.ENTITY]
        self._colors = [_color(label.color) for label in self._labels]
        self.endResetModel()

    def set_counts(self, counts: Mapping[str, int]) -> None:
        """Gold span count per label name; labels not in ``counts`` count zero."""
        self._counts = dict(counts)
        self._column_changed(self.COUNT)

    def label_at(self, row: int) -> Label:
        return self._labels[row]

    def _row_count(self) -> int:
        return len(self._labels)

    def data(self, index: Index, role: int = Role.DisplayRole) -> object:
        row = self._valid_row(index)
        if row is None:
            return None
        label, column = self._labels[row], index.column()
        if role == Role.DisplayRole:
            if column == self.KEY:
                return label.hotkey
            if column == self.LABEL:
                return label.name
            return str(self._counts.get(label.name, 0)) if column == self.COUNT else None
        if role == Role.ToolTipRole:
            return label.description or None
        if role == Role.DecorationRole and column == self.LABEL:
            return self._colors[row]
        if role == Role.TextAlignmentRole and column == self.COUNT:
            return _RIGHT
        if role == Role.UserRole:
            return label.name
        return None
