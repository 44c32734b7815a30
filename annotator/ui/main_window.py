"""The main window: composes the document list, the article view, the side panel
and the status bar, and wires the keymap's actions to the controller.

It is built in two steps so that the article shows as early as possible: first
the article (with the session and controller behind it) in a frame of empty
panes; then, right after the article's first paint, the panes' contents, the
status bar, the menus and the actions (``complete``). Any key or mouse press
that comes before that completes the window first, so no input is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from annotator.model import LabelKind, Span, Status
from annotator.store import Store
from annotator.ui.controller import ReviewController
from annotator.ui.document_view import DocumentView
from annotator.ui.keymap import ActionSpec, build_keymap
from annotator.ui.pauses import settle_heap, without_gc_pauses
from annotator.ui.review import EditResult, ReviewSession
from annotator.ui.window_layout import restore_layout, restore_side_layout, save_layout
from annotator.ui.window_panes import STATUS_FILTERS, CompleteOnInput, status_filter_box

if TYPE_CHECKING:  # (classes the first paint does not use: each costs it 0.1-1 ms)
    from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
    from PySide6.QtWidgets import QComboBox, QMenu, QTableView

    from annotator.train_options import Training
    from annotator.ui.find_bar import FindBar
    from annotator.ui.jobs import Exporter
    from annotator.ui.models import DocumentListModel
    from annotator.ui.side_panel import SidePanel
    from annotator.ui.status_bar import ReviewStatusBar


class MainWindow(QMainWindow):
    openRequested = Signal(int)  # a document is about to be opened
    completed = Signal()  # the panes, menus and actions exist (see ``complete``)

    def __init__(
        self,
        store: Store,
        overrides: dict[str, tuple[str, ...]] | None = None,
        exporter: Exporter | None = None,
        *,
        staged: bool = False,
        training: Training | None = None,
    ) -> None:
        """``staged``: build the panes, menus and actions only after the article's
        first paint (or at the first input before it); else all of it now.
        ``exporter``, ``training``: jobs from above the UI (they may load spaCy)."""
        super().__init__()
        self.store = store
        self.exporter = exporter
        self.training = training
        self.session = ReviewSession(store, self)
        self.view = DocumentView(self)
        self.controller = ReviewController(self.session, self.view)
        self.labels = store.labels(LabelKind.ENTITY)
        self.relation_labels = store.labels(LabelKind.RELATION)
        # a bad keymap file is refused here, before anything is shown
        self.keymap: list[ActionSpec] = build_keymap(
            [*self.labels, *self.relation_labels], overrides
        )
        self.actions_by_id: dict[str, QAction] = {}
        self.is_complete = False
        self._shown_once = False
        self._panel_timer = QTimer(self)
        self._panel_timer.setSingleShot(True)
        self._panel_timer.setInterval(0)
        self._panel_timer.timeout.connect(self._refresh_after_edit)
        self._pending_edits: list[EditResult] = []
        self._panels_reload = True  # the lists must show a newly opened document
        # the lists beside the article follow its first paint (or this, if it is hidden)
        self._panel_fallback = QTimer(self)
        self._panel_fallback.setSingleShot(True)
        self._panel_fallback.setInterval(200)
        self._panel_fallback.timeout.connect(self._panel_timer.start)
        self._writes_ready = False
        self._idle = QTimer(self)  # a second after the last paint: settle the heap
        self._idle.setSingleShot(True)
        self._idle.setInterval(1000)
        self._idle.timeout.connect(settle_heap)
        self._input_guard: CompleteOnInput | None = None
        self._completion = QTimer(self)  # a staged window: right after the first paint
        self._completion.setSingleShot(True)
        self._completion.setInterval(0)
        self._completion.timeout.connect(self.complete)
        self._build_frame()
        self._connect_article()
        restore_layout(self, self.splitter, self.view)
        first = store.neighbour(None, 1, Status.TODO) or store.neighbour(None, 1)
        if first is not None:
            self.open_document(first)
        self._update_title()
        if staged:
            self._input_guard = CompleteOnInput(self)
        else:
            self.complete()

    # ---- building ----------------------------------------------------------

    def _build_frame(self) -> None:
        """The article between two empty panes, sized as they will be when filled."""
        self.view.set_colors({label.name: label.color for label in self.labels})
        self.view.set_relation_styles(
            {label.name: (label.color, label.directed) for label in self.relation_labels}
        )
        self._left = QWidget(self)
        self._centre = QWidget(self)
        box = QVBoxLayout(self._centre)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.view)
        self._right = QWidget(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        for pane in (self._left, self._centre, self._right):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 760, 260])
        self.setCentralWidget(self.splitter)
        self.resize(1280, 800)

    def complete(self) -> None:
        """Build the panes' contents, the status bar, the menus and the actions
        (once); the lists then follow the open document."""
        if self.is_complete:
            return
        self.is_complete = True
        self._completion.stop()
        if self._input_guard is not None:
            self._input_guard.remove()
            self._input_guard = None
        # isort: off
        from annotator.ui.find_bar import FindBar
        from annotator.ui.models import DocumentListModel
        from annotator.ui.side_panel import SidePanel, make_table
        from annotator.ui.status_bar import ReviewStatusBar
        from annotator.ui.window_actions import build_actions

        # isort: on
        self.documents: DocumentListModel = DocumentListModel(self.store, self)
        self.filter_box: QComboBox = status_filter_box(self._left)
        self.document_table: QTableView = make_table(
            self.documents, self._left, DocumentListModel.TITLE, (56, 72, 0, 60)
        )
        box = QVBoxLayout(self._left)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.filter_box)
        box.addWidget(self.document_table)
        self.find_box: FindBar = FindBar(self._centre)
        centre_box = self._centre.layout()
        assert isinstance(centre_box, QVBoxLayout)
        centre_box.insertWidget(0, self.find_box)
        self.side: SidePanel = SidePanel(self.labels, self.relation_labels, self._right)
        box = QVBoxLayout(self._right)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.side)
        restore_side_layout(self.side)
        self.status: ReviewStatusBar = ReviewStatusBar(self.store.path, self)
        self.setStatusBar(self.status)
        self.status.show_reviewer(self.store.actor)
        self.actions_by_id.update(build_actions(self, self.keymap, self.view, self.find_box))
        self._set_relation_keys(self.controller.in_relation_mode())
        self._connect_panes()
        self.documents.set_status_filter(None)
        if self.session.doc_id is not None:
            self._select_document_row(self.session.doc_id)
            self._panel_fallback.start()  # the lists follow the article's next paint
        self._update_status()
        self.completed.emit()

    def _connect_article(self) -> None:
        s = self.session
        s.documentOpened.connect(self._on_document_opened)
        s.edited.connect(self._on_edited)
        s.documentsChanged.connect(self._on_documents_changed)
        s.failed.connect(self._on_failed)
        s.undo_stack.cleanChanged.connect(self._on_clean_changed)
        s.undo_stack.indexChanged.connect(self._after_undo_step)
        self.controller.message.connect(self._show_message)
        self.controller.descriptionExpired.connect(self._expire_message)
        self.controller.relationModeChanged.connect(self._set_relation_keys)
        self.view.contextMenuWanted.connect(self._context_menu)
        self.view.painted.connect(self._after_paint)

    def _connect_panes(self) -> None:
        stack = self.session.undo_stack
        stack.canUndoChanged.connect(self.actions_by_id["edit.undo"].setEnabled)
        stack.canRedoChanged.connect(self.actions_by_id["edit.redo"].setEnabled)
        self.filter_box.currentIndexChanged.connect(self._on_filter)
        self.document_table.activated.connect(self._on_document_activated)
        self.document_table.clicked.connect(self._on_document_activated)
        self.side.span_table.clicked.connect(self._on_span_row)
        self.side.relation_table.clicked.connect(self._on_relation_row)
        self.find_box.findRequested.connect(self.controller.find)
        self.find_box.closed.connect(self.view.setFocus)

    # ---- documents -----------------------------------------------------------

    def reload_documents(self) -> None:
        """Re-read the document list (after an import) and open a document if none is."""
        self.documents.refresh()
        if self.session.doc_id is None:
            first = self.store.neighbour(None, 1, Status.TODO) or self.store.neighbour(None, 1)
            if first is not None:
                self.open_document(first)
        self._update_status()

    def open_document(self, doc_id: int) -> None:
        self.openRequested.emit(doc_id)
        with without_gc_pauses():
            self.session.open(doc_id)

    def step_document(self, direction: int) -> None:
        target = self.store.neighbour(
            self.session.doc_id, direction, self.documents.status_filter()
        )
        if target is None:
            self.statusBar().showMessage("No more documents in this direction.", 4000)
        else:
            self.open_document(target)

    def next_to_review(self) -> None:
        target = self.store.neighbour(self.session.doc_id, 1, Status.TODO, wrap=True)
        if target is None:
            self.statusBar().showMessage("Every document has been reviewed.", 8000)
        else:
            self.open_document(target)

    def _on_document_opened(self, doc_id: int) -> None:
        doc = self.session.document
        assert doc is not None
        self.view.set_document(doc.text, doc.tokens, doc.sentence_starts)
        self.view.set_spans(self.session.gold, self.session.diff)
        self.view.set_relations(self.session.relations)
        self.controller.document_opened()
        self._pending_edits = []
        self._panels_reload = True
        self._panel_fallback.start()  # the lists beside the article follow its first paint
        if self.is_complete:
            self._select_document_row(doc_id)
            self._update_status()
        self._update_title()
        self.view.setFocus()

    def _select_document_row(self, doc_id: int) -> None:
        row = self.documents.row_of(doc_id)
        if row is not None:
            self.document_table.selectRow(row)
            self.document_table.scrollTo(self.documents.index(row, 0))

    def _on_edited(self, result: EditResult) -> None:
        """One committed edit: the article first, the lists beside it after the repaint."""
        if result.spans_changed:
            self.view.set_spans(self.session.gold, self.session.diff, result.touched_spans)
        if result.relations_changed:
            self.view.set_relations(self.session.relations, result.touched_relations)
        self.controller.edited(result)
        self.status.show_saved(f"version {result.version}")
        self._update_title()
        if result.status is not None:
            self.documents.update_summary(self.store.document_summary(result.doc_id))
            self._update_status()
        if result.spans_changed or result.relations_changed:
            self._pending_edits.append(result)
            self._panel_fallback.start()  # the lists follow the article's repaint

    def _on_documents_changed(self, doc_ids: list[int]) -> None:
        for doc_id in doc_ids:
            self.documents.update_summary(self.store.document_summary(doc_id))
        self._update_title()

    def _after_paint(self, with_text: bool) -> None:
        """The article was repainted: now the lists beside it follow (after this
        frame is shown), and writes get ready after a document's first paint."""
        self._idle.start()
        if not self.is_complete:  # the rest of the window follows the first frame
            self._completion.start()
            return
        if not self._panel_fallback.isActive():
            return
        self._panel_fallback.stop()
        self._panel_timer.start()
        if not self._writes_ready:
            self._writes_ready = True
            # so that the first edit is as fast as the next
            QTimer.singleShot(0, self.store.prepare_writes)

    def _refresh_after_edit(self) -> None:
        """The lists beside the article follow the edits made since the last
        event-loop turn (or a newly opened document)."""
        if not self.is_complete:  # the lists do not exist yet
            return
        edits, self._pending_edits = self._pending_edits, []
        doc = self.session.document
        if doc is None:
            return
        touched: list[Span] | None = None if self._panels_reload else []
        self._panels_reload = False
        for edit in edits:
            if edit.doc_id != doc.id or edit.touched_spans is None or touched is None:
                touched = None
            else:
                touched.extend(edit.touched_spans)
        self.side.apply_edit(
            doc.text,
            self.session.gold,
            self.session.relations,
            touched,
            any(e.relations_changed for e in edits),
        )
        doc_id = self.session.doc_id
        if doc_id is not None:
            self.documents.update_summary(self.store.document_summary(doc_id))

    def _after_undo_step(self, _index: int) -> None:
        self._update_title()

    def _on_clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    def _expire_message(self, text: str) -> None:
        """What the status bar said of the selection is no longer true: clear it,
        unless another message has replaced it."""
        if self.statusBar().currentMessage() == text:
            self.statusBar().clearMessage()

    # ---- status bar and title --------------------------------------------------

    def _update_status(self) -> None:
        doc_id = self.session.doc_id
        position = None if doc_id is None else self.store.position(doc_id)
        self.status.show_progress(position, self.store.count_by_status())

    def show_below_article(self, widget: QWidget) -> None:
        """Show ``widget`` (a question, a notice) under the article: the article
        does not move, so a click meant for it still lands on it."""
        box = self._centre.layout()
        assert isinstance(box, QVBoxLayout)
        box.insertWidget(box.indexOf(self.view) + 1, widget)
        widget.show()

    def set_reviewer(self, name: str) -> None:
        """Record the next edits as made by ``name`` (the store checks it)."""
        self.store.actor = name
        if self.is_complete:
            self.status.show_reviewer(self.store.actor)

    def _update_title(self) -> None:
        doc = self.session.document
        name = f"document {doc.id} ({doc.status.value})" if doc else "no documents"
        self.setWindowTitle(f"annotator — {name}[*]")

    def _on_failed(self, message: str) -> None:
        self.complete()
        self.status.show_failure(message)

    # ---- small handlers -------------------------------------------------------

    def _on_filter(self, index: int) -> None:
        self.documents.set_status_filter(STATUS_FILTERS[index][1])
        if self.session.doc_id is not None:
            self._select_document_row(self.session.doc_id)

    def _on_document_activated(self, index: QModelIndex) -> None:
        doc_id = self.documents.doc_id_at(index.row())
        if doc_id != self.session.doc_id:
            self.open_document(doc_id)

    def _on_span_row(self, index: QModelIndex) -> None:
        self.controller.select_span(self.side.spans.span_id_at(index.row()))

    def _on_relation_row(self, index: QModelIndex) -> None:
        self.controller.select_relation(self.side.relations.relation_id_at(index.row()))

    def _set_relation_keys(self, relation_mode: bool) -> None:
        """Label keys mean entity labels, or relation labels while a relation is
        being made or is selected (the keymap lets the two share keys)."""
        if self.actions_by_id:  # (the window is complete)
            from annotator.ui.window_actions import enable_for_mode

            stack = self.session.undo_stack
            enable_for_mode(self.actions_by_id, self.keymap, stack, relation_mode)

    def context_menu(self) -> QMenu:
        """The right-click menu: the same actions as the keys, for the mouse."""
        from annotator.ui.window_actions import context_menu

        self.complete()
        return context_menu(
            self,
            self.actions_by_id,
            self.labels,
            self.relation_labels,
            self.controller.in_relation_mode(),
        )

    def _context_menu(self, where: QPoint) -> None:
        self.context_menu().exec(where)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:  # the keyboard starts in the article
            self._shown_once = True
            self.view.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        save_layout(self, self.splitter, self.side if self.is_complete else None, self.view)
        super().closeEvent(event)
