"""The Qt item models: qtmodeltester conformance plus behaviour against a real store."""

from __future__ import annotations

import pytest
from helpers import whitespace_document
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester

from annotator.model import Label, LabelKind, Span, Status
from annotator.store import Store
from annotator.ui import models
from annotator.ui.models import DocumentListModel, LabelPaletteModel, SpanListModel

Role = Qt.ItemDataRole
ROOT = QModelIndex()
# Qt's C++ QAbstractItemModelTester reports failures as Qt warnings: make them fail the
# test. The pure-Python tester asserts; each model is checked by both.
fail_on_qt_warnings = pytest.mark.qt_log_level_fail("WARNING")
both_testers = pytest.mark.parametrize("force_py", [False, True], ids=["cpp-tester", "py-tester"])


def add_docs(store: Store, n: int, start: int = 0) -> list[int]:
    docs = [
        whitespace_document(f"Report {i} from Armenia and Russia", {"Armenia": "GPE"})
        if i % 2
        else whitespace_document(f"Report {i} with no entities")
        for i in range(start, start + n)
    ]
    ids = store.add_documents(docs)
    assert None not in ids
    return [i for i in ids if i is not None]


def set_status(store: Store, doc_id: int, status: Status) -> None:
    store.set_status(doc_id, store.document_version(doc_id), status)


def summary_of(store: Store, doc_id: int):
    return next(s for s in store.list_documents(limit=100_000) if s.id == doc_id)


def cell(model, row: int, column: int, role: int = Role.DisplayRole):
    return model.data(model.index(row, column), role)


def column_of(model, header: str) -> int:
    return model.HEADERS.index(header)


# ---- conformance -----------------------------------------------------------


@pytest.mark.parametrize("status", [None, Status.ACCEPTED])
@fail_on_qt_warnings
@both_testers
def test_document_list_conforms(store, qtmodeltester, monkeypatch, force_py, status):
    monkeypatch.setattr(models, "PAGE_SIZE", 10)  # let the tester page through fetchMore
    ids = add_docs(store, 25)
    for doc_id in ids[::3]:
        set_status(store, doc_id, Status.ACCEPTED)
    set_status(store, ids[1], Status.REJECTED)
    set_status(store, ids[2], Status.SKIPPED)
    model = DocumentListModel(store)
    model.set_status_filter(status)
    qtmodeltester.check(model, force_py=force_py)
    # Both testers call fetchMore from inside every change signal (a view does not), so
    # load the rest before changing rows under them.
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)
    assert model.rowCount() == model.total() == (25 if status is None else 9)
    set_status(store, ids[3], Status.TODO)
    model.update_summary(summary_of(store, ids[3]))  # in place, or removed from "accepted"
    set_status(store, ids[4], Status.ACCEPTED)
    model.update_summary(summary_of(store, ids[4]))  # in place, or inserted into "accepted"
    model.refresh()
    model.set_status_filter(Status.REJECTED)
    assert [model.doc_id_at(r) for r in range(model.rowCount())] == [ids[1]]


@fail_on_qt_warnings
def test_document_list_reset_with_pages_pending_conforms(store, monkeypatch):
    # Both testers run fetchMore from their modelReset slot before they mark the reset
    # finished, so they misreport any reset that leaves pages to fetch; Qt's tester can
    # check such a reset with fetchMore turned off.
    monkeypatch.setattr(models, "PAGE_SIZE", 10)
    add_docs(store, 25)
    model = DocumentListModel(store)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    tester.setUseFetchMore(False)
    model.set_status_filter(Status.TODO)
    assert model.rowCount() == 10
    model.fetchMore(ROOT)
    model.refresh()
    assert model.rowCount() == 20
    assert model.canFetchMore(ROOT)


@fail_on_qt_warnings
@both_testers
def test_span_list_conforms(qtmodeltester, force_py):
    model = SpanListModel()
    text = "Antony Blinken met\nArarat Mirzoyan in Armenia"
    model.set_document(
        text,
        [Span(38, 45, 5, 5, "GPE", 3), Span(0, 14, 0, 1, "PERSON", 1)],
        {"GPE": "#feca74"},
    )
    qtmodeltester.check(model, force_py=force_py)
    model.set_document(text, [Span(19, 34, 3, 4, "PERSON", 2)], {})
    assert model.rowCount() == 1


@fail_on_qt_warnings
@both_testers
def test_label_palette_conforms(store, qtmodeltester, force_py):
    model = LabelPaletteModel()
    model.set_labels(store.labels())
    model.set_counts({"GPE": 2})
    qtmodeltester.check(model, force_py=force_py)
    model.set_counts({"PERSON": 1})
    model.set_labels(store.labels(LabelKind.ENTITY)[:3])
    assert model.rowCount() == 3


# ---- DocumentListModel -----------------------------------------------------


def test_documents_load_lazily_page_by_page(store):
    add_docs(store, 1200)
    model = DocumentListModel(store)
    assert model.rowCount() == 500
    assert model.total() == 1200
    assert model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.rowCount() == 1000
    assert model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.rowCount() == 1200
    assert not model.canFetchMore(ROOT)
    model.fetchMore(ROOT)  # a stray call changes nothing
    assert model.rowCount() == 1200
    assert [model.doc_id_at(r) for r in (0, 499, 500, 1199)] == [1, 500, 501, 1200]
    assert not model.canFetchMore(model.index(0, 0))


def test_fetch_more_emits_rows_inserted(store, qtbot):
    add_docs(store, 600)
    model = DocumentListModel(store)
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as blocker:
        model.fetchMore(ROOT)
    assert blocker.args[1:] == [500, 599]


def test_empty_store_has_no_rows_and_nothing_to_fetch(store):
    model = DocumentListModel(store)
    assert model.rowCount() == 0
    assert model.total() == 0
    assert not model.canFetchMore(ROOT)
    assert model.row_of(1) is None


def test_status_filter(store):
    ids = add_docs(store, 10)
    set_status(store, ids[2], Status.ACCEPTED)
    set_status(store, ids[7], Status.ACCEPTED)
    set_status(store, ids[4], Status.REJECTED)
    model = DocumentListModel(store)
    assert model.status_filter() is None
    assert model.rowCount() == 10

    model.set_status_filter(Status.ACCEPTED)
    assert model.status_filter() is Status.ACCEPTED
    assert [model.doc_id_at(r) for r in range(model.rowCount())] == [ids[2], ids[7]]
    assert model.total() == 2
    assert not model.canFetchMore(ROOT)

    model.set_status_filter(Status.TODO)
    assert model.rowCount() == model.total() == 7
    assert ids[4] not in [model.doc_id_at(r) for r in range(7)]

    model.set_status_filter(Status.SKIPPED)
    assert model.rowCount() == model.total() == 0


def test_status_filter_starts_again_at_the_first_page(store):
    add_docs(store, 1200)
    model = DocumentListModel(store)
    model.fetchMore(ROOT)
    model.set_status_filter(Status.TODO)
    assert model.rowCount() == 500
    assert model.total() == 1200


def test_row_of_fetches_pages_until_found(store):
    ids = add_docs(store, 1200)
    model = DocumentListModel(store)
    assert model.row_of(ids[10]) == 10
    assert model.rowCount() == 500
    assert model.row_of(ids[1100]) == 1100
    assert model.rowCount() == 1200
    assert model.doc_id_at(1100) == ids[1100]
    assert model.row_of(999_999) is None


def test_row_of_stops_early_for_a_document_outside_the_filter(store):
    ids = add_docs(store, 1200)
    set_status(store, ids[3], Status.ACCEPTED)
    model = DocumentListModel(store)
    model.set_status_filter(Status.TODO)
    assert model.row_of(ids[3]) is None
    assert model.rowCount() == 500  # ids[3] lies inside the loaded range: no more pages read


def test_update_summary_replaces_a_row_in_place(store, qtbot):
    ids = add_docs(store, 5)
    model = DocumentListModel(store)
    set_status(store, ids[1], Status.ACCEPTED)
    with qtbot.waitSignal(model.dataChanged, timeout=1000) as blocker:
        model.update_summary(summary_of(store, ids[1]))
    top_left, bottom_right = blocker.args[0], blocker.args[1]
    assert (top_left.row(), top_left.column()) == (1, 0)
    assert (bottom_right.row(), bottom_right.column()) == (1, model.columnCount() - 1)
    assert cell(model, 1, column_of(model, "Status")) == "accepted"
    assert model.rowCount() == model.total() == 5


def test_update_summary_removes_a_row_that_left_the_filter(store, qtbot):
    ids = add_docs(store, 1200)
    model = DocumentListModel(store)
    model.set_status_filter(Status.TODO)
    set_status(store, ids[3], Status.ACCEPTED)
    with qtbot.waitSignal(model.rowsRemoved, timeout=1000) as blocker:
        model.update_summary(summary_of(store, ids[3]))
    assert blocker.args[1:] == [3, 3]
    assert model.rowCount() == 499
    assert model.total() == 1199
    assert model.row_of(ids[3]) is None
    assert model.doc_id_at(3) == ids[4]
    # Later pages continue where the loaded rows end: nothing repeated, nothing skipped.
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)
    loaded = [model.doc_id_at(r) for r in range(model.rowCount())]
    assert loaded == [i for i in ids if i != ids[3]]


def test_update_summary_inserts_a_loaded_range_document_that_entered_the_filter(store):
    ids = add_docs(store, 6)
    model = DocumentListModel(store)
    model.set_status_filter(Status.ACCEPTED)
    assert model.rowCount() == 0
    set_status(store, ids[4], Status.ACCEPTED)
    model.update_summary(summary_of(store, ids[4]))
    assert [model.doc_id_at(r) for r in range(model.rowCount())] == [ids[4]]
    assert model.total() == 1


def test_refresh_rereads_loaded_rows_and_keeps_their_number(store, qtbot):
    ids = add_docs(store, 1200)
    model = DocumentListModel(store)
    model.fetchMore(ROOT)
    set_status(store, ids[700], Status.REJECTED)
    assert cell(model, 700, column_of(model, "Status")) == "todo"
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.refresh()
    assert model.rowCount() == 1000
    assert cell(model, 700, column_of(model, "Status")) == "rejected"
    assert model.canFetchMore(ROOT)

    model.set_status_filter(Status.TODO)
    model.refresh()
    assert model.total() == 1199


def test_document_roles(store):
    long_title = "Armenia " + "word " * 30
    ids = store.add_documents(
        [
            whitespace_document(long_title.strip(), {"Armenia": "GPE"}),
            whitespace_document("Two", {"Two": "CARDINAL"}),
            whitespace_document("Three"),
            whitespace_document("Four"),
        ]
    )
    doc = [i for i in ids if i is not None]
    set_status(store, doc[1], Status.ACCEPTED)
    set_status(store, doc[2], Status.REJECTED)
    set_status(store, doc[3], Status.SKIPPED)
    model = DocumentListModel(store)

    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "#",
        "Status",
        "Title",
        "Entities",
    ]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert [cell(model, 0, c) for c in range(4)] == [str(doc[0]), "todo", model_title(store), "1"]
    assert cell(model, 0, 2, Role.ToolTipRole) == model_title(store)
    assert cell(model, 0, 1, Role.ToolTipRole) is None
    assert cell(model, 3, 2, Role.UserRole) == doc[3]

    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert cell(model, 0, 0, Role.TextAlignmentRole) == right
    assert cell(model, 0, 3, Role.TextAlignmentRole) == right
    assert cell(model, 0, 2, Role.TextAlignmentRole) is None

    assert cell(model, 0, 1, Role.ForegroundRole) is None
    colors = [cell(model, r, 1, Role.ForegroundRole) for r in (1, 2, 3)]
    assert all(isinstance(c, QColor) and c.isValid() for c in colors)
    assert len({c.name() for c in colors}) == 3
    green, red, gray = colors
    assert green.green() > max(green.red(), green.blue())
    assert red.red() > max(red.green(), red.blue())
    assert gray.red() == gray.green() == gray.blue()
    assert model.data(QModelIndex()) is None


def model_title(store: Store) -> str:
    return store.list_documents(limit=1)[0].title


# ---- SpanListModel ---------------------------------------------------------

TEXT = "Antony Blinken met\nArarat Mirzoyan in Armenia . " + "x" * 70
SPANS = [
    Span(38, 45, 5, 5, "GPE", 30),
    Span(0, 14, 0, 1, "PERSON", 10),
    Span(19, 34, 3, 4, "NORP", 20),
    Span(48, 118, 7, 7, "CUSTOM", 40),
]
COLORS = {"GPE": "#feca74", "PERSON": "#aa9cfc", "NORP": "not a color"}


def test_span_list_rows_in_text_order():
    model = SpanListModel()
    model.set_document(TEXT, SPANS, COLORS)
    assert model.rowCount() == 4
    assert [model.span_id_at(r) for r in range(4)] == [10, 20, 30, 40]
    assert [cell(model, r, 1) for r in range(4)] == ["PERSON", "NORP", "GPE", "CUSTOM"]
    assert [cell(model, r, 0, Role.UserRole) for r in range(4)] == [10, 20, 30, 40]
    assert model.row_of(30) == 2
    assert model.row_of(99) is None
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == [
        "Text",
        "Label",
    ]


def test_span_list_text_is_one_line_and_shortened():
    text = "Antony Blinken met\nArarat\r\nMirzoyan " + "y" * 80
    model = SpanListModel()
    spans = [Span(7, 25, 1, 3, "PERSON", 1), Span(0, len(text), 0, 5, "X", 2)]
    model.set_document(text, spans, {})
    assert cell(model, 1, 0) == "Blinken met Ararat"
    long = cell(model, 0, 0)
    assert len(long) == 60
    assert long.endswith("…")
    assert long.startswith("Antony Blinken met Ararat Mirzoyan yyy")
    assert "\n" not in long
    assert cell(model, 0, 0, Role.ToolTipRole).endswith("y" * 80)


def test_span_list_label_colors():
    model = SpanListModel()
    model.set_document(TEXT, SPANS, COLORS)
    assert cell(model, 0, 1, Role.DecorationRole) == QColor("#aa9cfc")
    assert cell(model, 2, 1, Role.DecorationRole) == QColor("#feca74")
    gray = QColor(models.FALLBACK_COLOR)
    assert cell(model, 1, 1, Role.DecorationRole) == gray  # invalid color string
    assert cell(model, 3, 1, Role.DecorationRole) == gray  # label without a color
    assert cell(model, 0, 0, Role.DecorationRole) is None


def test_span_list_set_document_resets(qtbot):
    model = SpanListModel()
    model.set_document(TEXT, SPANS, COLORS)
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.set_document(TEXT, SPANS[:1], COLORS)
    assert model.rowCount() == 1
    assert model.row_of(10) is None
    assert model.row_of(30) == 0


def test_span_list_over_a_stored_document(store):
    (doc_id,) = store.add_documents(
        [whitespace_document("Blinken visited Armenia", {"Blinken": "PERSON", "Armenia": "GPE"})]
    )
    assert doc_id is not None
    doc = store.load_document(doc_id)
    colors = {label.name: label.color for label in store.labels(LabelKind.ENTITY)}
    model = SpanListModel()
    model.set_document(doc.text, doc.gold.spans, colors)
    assert [cell(model, r, 0) for r in range(2)] == ["Blinken", "Armenia"]
    assert [model.span_id_at(r) for r in range(2)] == [s.id for s in doc.gold.spans]
    assert cell(model, 1, 1, Role.DecorationRole) == QColor(colors["GPE"])


# ---- LabelPaletteModel -----------------------------------------------------


def test_palette_shows_entity_labels_in_order(store):
    labels = [
        Label("GPE", LabelKind.ENTITY, "#feca74", "3", "Countries, cities, states"),
        Label("located_in", LabelKind.RELATION, "#cccccc", "l"),
        Label("PERSON", LabelKind.ENTITY, "#aa9cfc", "1"),
    ]
    model = LabelPaletteModel()
    model.set_labels(labels)
    assert model.rowCount() == 2
    assert [model.label_at(r).name for r in range(2)] == ["GPE", "PERSON"]
    assert [cell(model, 0, c) for c in range(3)] == ["3", "GPE", "0"]
    assert cell(model, 0, 1, Role.DecorationRole) == QColor("#feca74")
    assert cell(model, 0, 0, Role.DecorationRole) is None
    assert cell(model, 0, 1, Role.ToolTipRole) == "Countries, cities, states"
    assert cell(model, 1, 1, Role.ToolTipRole) is None  # no description
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == [
        "Key",
        "Label",
        "Count",
    ]

    model.set_labels(store.labels())
    assert [model.label_at(r) for r in range(model.rowCount())] == store.labels(LabelKind.ENTITY)


def test_palette_counts_emit_data_changed_for_the_count_column_only(store, qtbot):
    model = LabelPaletteModel()
    model.set_labels(store.labels(LabelKind.ENTITY))
    received = []
    model.dataChanged.connect(lambda tl, br, roles: received.append((tl, br, roles)))
    gpe = next(r for r in range(model.rowCount()) if model.label_at(r).name == "GPE")

    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.set_counts({"GPE": 2, "PERSON": 1})
    assert cell(model, gpe, 2) == "2"
    assert cell(model, gpe, 2, Role.TextAlignmentRole) == (
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    model.set_counts({})
    assert cell(model, gpe, 2) == "0"

    assert len(received) == 2
    for top_left, bottom_right, roles in received:
        assert (top_left.row(), top_left.column()) == (0, 2)
        assert (bottom_right.row(), bottom_right.column()) == (model.rowCount() - 1, 2)
        assert roles == [Role.DisplayRole]


def test_palette_counts_survive_set_labels_and_empty_palette_emits_nothing(store):
    model = LabelPaletteModel()
    received = []
    model.dataChanged.connect(lambda *args: received.append(args))
    model.set_counts({"GPE": 4})
    assert received == []
    model.set_labels(store.labels())
    gpe = next(r for r in range(model.rowCount()) if model.label_at(r).name == "GPE")
    assert cell(model, gpe, 2) == "4"


@fail_on_qt_warnings
@both_testers
def test_span_list_follows_an_edit_row_by_row(qtmodeltester, force_py):
    """An add replacing a span, a relabel, a resize and a delete, applied as one
    edit: the rows equal those of a fresh model, and only those rows moved."""
    text = "Antony Blinken met Ararat Mirzoyan in Armenia on Tuesday"
    before = [
        Span(0, 14, 0, 1, "PERSON", 1),
        Span(19, 25, 3, 3, "PERSON", 2),
        Span(38, 45, 6, 6, "ORG", 3),
        Span(49, 56, 8, 8, "DATE", 4),
    ]
    after = [
        Span(0, 6, 0, 0, "GPE", 5),  # replaces span 1
        Span(19, 34, 3, 4, "PERSON", 2),  # resized
        Span(38, 45, 6, 6, "GPE", 3),  # relabeled
    ]  # span 4 deleted
    touched = [before[0], before[1], before[2], before[3], after[0], after[1], after[2]]
    model = SpanListModel()
    model.set_document(text, before, {"GPE": "#feca74"})
    qtmodeltester.check(model, force_py=force_py)
    removed, inserted = [], []
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.apply_edit(after, touched)
    assert [model.span_at(r) for r in range(model.rowCount())] == after
    assert [model.row_of(s.id) for s in after] == [0, 1, 2]
    assert len(removed) == 4 and len(inserted) == 3  # the tester watched each change
    model.apply_edit(after, [after[2]])  # an edit touching one span moves one row
    assert [model.span_at(r) for r in range(model.rowCount())] == after
