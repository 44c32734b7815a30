"""The document list while adjudicating: the documents by how much is left to settle
(open disagreements, most first), with the same interface the window uses for the
ordinary list (annotator/ui/models.py's DocumentListModel), and the order N / P
follow while adjudicating (``neighbour``)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import ClassVar

from PySide6.QtCore import QObject, Qt

from annotator.model import DocumentSummary, Status
from annotator.store import Store
from annotator.ui.models import _RIGHT, _STATUS_COLORS, Index, _TableModel

Role = Qt.ItemDataRole


class AdjudicationListModel(_TableModel):
    HEADERS = ("#", "Status", "Title", "Left")
    ID, STATUS, TITLE, LEFT = range(4)
    TITLE_COLUMN: ClassVar[int] = 2

    def __init__(
        self, store: Store, left_of: Callable[[int], int], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._left_of = left_of
        self._status: Status | None = None
        self._all: list[tuple[DocumentSummary, int]] = []
        self._rows: list[tuple[DocumentSummary, int]] = []
        self._load()

    # ---- the interface of DocumentListModel --------------------------------

    def set_status_filter(self, status: Status | None) -> None:
        self.beginResetModel()
        self._status = status
        self._filter()
        self.endResetModel()

    def status_filter(self) -> Status | None:
        return self._status

    def refresh(self) -> None:
        self.beginResetModel()
        self._load()
        self.endResetModel()

    def total(self) -> int:
        return len(self._rows)

    def doc_id_at(self, row: int) -> int:
        return self._rows[row][0].id

    def row_of(self, doc_id: int) -> int | None:
        return next((i for i, (s, _) in enumerate(self._rows) if s.id == doc_id), None)

    def ordered_ids(self) -> list[int]:
        """Every document in the list's order (most left first), filter or not."""
        return [s.id for s, _ in self._all]

    def neighbour(self, doc_id: int | None, direction: int) -> int | None:
        """The document after (direction > 0) or before ``doc_id`` among the rows
        shown, in their order: what N and P open while adjudicating."""
        shown = {s.id for s, _ in self._rows}
        return neighbour_in(self.ordered_ids(), doc_id, direction, shown.__contains__)

    def left(self, doc_id: int) -> int | None:
        return next((n for s, n in self._all if s.id == doc_id), None)

    def update_summary(self, summary: DocumentSummary) -> None:
        """A document changed: its status and what is left, in place (the rows are
        not sorted again under the adjudicator's eyes; ``refresh`` does)."""
        entry = (summary, self._left_of(summary.id))
        self._all = [entry if s.id == summary.id else (s, n) for s, n in self._all]
        row = self.row_of(summary.id)
        if row is not None:
            self._rows[row] = entry
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1), [])

    # ---- Qt ----------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Role.DisplayRole) -> object:
        row = self._valid_row(index)
        if row is None:
            return None
        (summary, left), column = self._rows[row], index.column()
        if role == Role.DisplayRole:
            return (str(summary.id), summary.status.value, summary.title, str(left))[column]
        if role == Role.ToolTipRole and column == self.TITLE:
            return summary.title
        if role == Role.ForegroundRole:
            return _STATUS_COLORS.get(summary.status)
        if role == Role.TextAlignmentRole:
            return _RIGHT if column in (self.ID, self.LEFT) else None
        if role == Role.UserRole:
            return summary.id
        return None

    # ---- internals ---------------------------------------------------------

    def _load(self) -> None:
        entries = [
            (self._store.document_summary(doc_id), self._left_of(doc_id))
            for doc_id in self._store.document_ids()
        ]
        self._all = sorted(entries, key=lambda e: (-e[1], e[0].id))
        self._filter()

    def _filter(self) -> None:
        self._rows = [e for e in self._all if self._status is None or e[0].status == self._status]


def neighbour_in(
    order: Sequence[int],
    doc_id: int | None,
    direction: int,
    keep: Callable[[int], bool] = lambda _: True,
    wrap: bool = False,
) -> int | None:
    """The next (direction > 0) or previous document after ``doc_id`` in ``order``
    among those ``keep`` accepts (Store.neighbour does the same in id order);
    optionally wrapping around. Without ``doc_id``, or one not in ``order``: the
    first (last) one kept."""
    here = order.index(doc_id) if doc_id in order else None
    if direction > 0:
        candidates = order[here + 1 :] if here is not None else order
    else:
        candidates = list(reversed(order[:here] if here is not None else order))
    found = next((d for d in candidates if keep(d)), None)
    if found is None and wrap and here is not None:
        return neighbour_in(order, None, direction, keep)
    return found


def document_after(
    documents: object, order: Callable[[], list[int]], doc_id: int | None, direction: int
) -> int | None:
    """N / P while adjudicating: the document after (before) ``doc_id`` in the
    list's order (by what is left to settle, as the list shows it, with its status
    filter), not by id; in ``order`` while the list does not exist yet."""
    if isinstance(documents, AdjudicationListModel):
        return documents.neighbour(doc_id, direction)
    return neighbour_in(order(), doc_id, direction)


def next_to_do(
    documents: object, order: Callable[[], list[int]], doc_id: int | None, todo: Collection[int]
) -> int | None:
    """After A / X / S while adjudicating: the next document still to do (in
    ``todo``) in the list's order, wrapping around; None if only ``doc_id`` is."""
    ids = documents.ordered_ids() if isinstance(documents, AdjudicationListModel) else order()
    target = neighbour_in(ids, doc_id, 1, todo.__contains__, wrap=True)
    return None if target == doc_id else target
