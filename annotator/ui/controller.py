"""What each keymap action does: the one owner of the view state (caret,
selection, relation being made, arc mode), and glue to the review session's
edits. No painting, no SQL."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from annotator.model import Label, LabelKind, Relation, Span, Status
from annotator.ui.document_view import DocumentView
from annotator.ui.review import EditResult, ReviewSession
from annotator.ui.view_state import ViewState

if TYPE_CHECKING:
    from annotator.propagation import Correction
    from annotator.ui.finding import Finder
    from annotator.ui.propagating import Propagator


class ReviewController(QObject):
    message = Signal(str)  # a short status-bar message
    # a message that described the selection no longer does (it changed): its text
    descriptionExpired = Signal(str)
    relationModeChanged = Signal(bool)  # relation keys live (making or selected)

    def __init__(self, session: ReviewSession, view: DocumentView) -> None:
        super().__init__(view)
        self.session = session
        self.view = view
        self.state = ViewState()
        self.last_correction: Correction | None = None  # what "." applies everywhere
        # the last message that described the selection ("ORG: Armenia"), and the
        # selection it described: when that selection goes, it no longer holds
        self._described: tuple[str, tuple[int | None, ...]] | None = None
        view.spanClicked.connect(self.select_span)
        view.relationClicked.connect(self.select_relation)
        view.tokenClicked.connect(
            lambda token: self.set_state(caret=token, anchor=None, selected_span=None)
        )
        view.tokensDragged.connect(
            lambda anchor, caret: self.set_state(anchor=anchor, caret=caret, selected_span=None)
        )

    # ---- the view state ------------------------------------------------

    def set_state(self, reveal: tuple[int, int] | None = None, **changes: Any) -> None:
        """Make a new view state and show it; tell when relation keys go live or not.
        A suggested label lasts only while nothing else changes."""
        changes.setdefault("suggestion", None)
        before = self.state
        self.state = replace(before, **changes)
        self.view.show_state(self.state, reveal)
        if before.relation_mode != self.state.relation_mode:
            self.relationModeChanged.emit(self.state.relation_mode)
        described = self._described
        if described is not None and described[1] != self._selection():
            self._described = None
            self.descriptionExpired.emit(described[0])

    def _selection(self) -> tuple[int | None, ...]:
        return (self.state.selected_span, self.state.selected_relation, self.state.relation_head)

    def _describe_selection(self, text: str) -> None:
        """Show ``text`` about what is selected, for as long as it stays selected."""
        self.message.emit(text)
        self._described = (text, self._selection())

    def document_opened(self) -> None:
        """A document was opened: caret at its start, nothing selected."""
        self.last_correction = None
        self.set_state(
            caret=0, anchor=None, selected_span=None, selected_relation=None, relation_head=None
        )

    def edited(self, result: EditResult) -> None:
        """After an edit: drop selections of spans and relations that are gone."""
        if result.status is not None:
            self.finder.forget_reviewed()  # an accepted document adds to reviewed words
        changes: dict[str, Any] = {}
        if result.spans_changed:
            if self.session.span(self.state.selected_span) is None:
                changes["selected_span"] = None
            if self.session.span(self.state.relation_head) is None:
                changes["relation_head"] = None
        if self.session.relation(self.state.selected_relation) is None:
            changes["selected_relation"] = None
        tokens = len(self.view.tokens)
        if tokens and self.state.caret >= tokens:
            changes["caret"] = tokens - 1
        if changes:
            self.set_state(**changes)

    def toggle_deleted(self) -> bool:
        show = not self.state.show_deleted
        self.set_state(show_deleted=show)
        return show

    def cycle_arc_mode(self) -> None:
        mode = self.state.arc_mode.next()
        self.set_state(arc_mode=mode)
        self.message.emit(mode.description)

    # ---- caret and selection -------------------------------------------

    def move_caret(self, delta: int, extend: bool = False) -> None:
        if not len(self.view.tokens):
            return
        anchor = self.state.anchor
        if extend and anchor is None:
            span = self.view.span_by_id(self.state.selected_span)
            anchor = span.token_start if span else self.state.caret
            start = span.token_end if span and delta > 0 else self.state.caret
        else:
            start = self.state.caret
        caret = self._skip_space(start + delta, delta)
        self.set_token_selection(anchor if extend else None, caret)

    def caret_to(self, token: int) -> None:
        self.set_token_selection(None, self._skip_space(token, 1 if token == 0 else -1))

    def caret_line(self, direction: int) -> None:
        if len(self.view.tokens):
            self.set_token_selection(None, self.view.line_neighbour(self.state.caret, direction))

    def set_token_selection(self, anchor: int | None, caret: int) -> None:
        """Put the caret on token ``caret`` (selecting from ``anchor``), in view."""
        tokens = self.view.tokens
        if not len(tokens):
            return
        caret = max(0, min(caret, len(tokens) - 1))
        anchor = None if anchor is None else max(0, min(anchor, len(tokens) - 1))
        self.set_state(
            reveal=(tokens.starts[caret], tokens.ends[caret]),
            caret=caret,
            anchor=anchor,
            selected_span=None,
        )

    def clear_selection(self) -> None:
        """Esc: cancel a relation being made, else drop the selected relation,
        else the selection."""
        if self.state.relation_head is not None:
            self.set_state(relation_head=None)
            self.message.emit("Relation cancelled.")
        elif self.state.selected_relation is not None:
            self.set_state(selected_relation=None)
        else:
            self.set_token_selection(None, self.state.caret)

    def select_neighbour_span(self, direction: int) -> None:
        spans = self.session.gold
        if not spans:
            self.message.emit("This document has no spans.")
            return
        current = self.view.span_by_id(self.state.selected_span)
        offset = (
            current.start
            if current
            else self.view.tokens.starts[self.state.caret]
            if len(self.view.tokens)
            else 0
        )
        if direction > 0:
            i = (
                bisect.bisect_right(spans, offset, key=_start)
                if current
                else bisect.bisect_left(spans, offset, key=_start)
            )
            i = i if i < len(spans) else 0
        else:
            i = bisect.bisect_left(spans, offset, key=_start) - 1
            i = i if i >= 0 else len(spans) - 1
        self.select_span(spans[i].id)

    def select_span(self, span_id: int | None, scroll: bool = True) -> None:
        span = self.session.span(span_id)
        if span is None:
            self.set_state(selected_span=None, selected_relation=None)
            return
        self.set_state(
            reveal=(span.start, span.end) if scroll else None,
            selected_span=span.id,
            selected_relation=None,
            caret=span.token_start,
            anchor=None,
        )
        head = self.session.span(self.state.relation_head)
        if span is not None and head is not None:
            keys = ", ".join(f"{lab.hotkey} {lab.name}" for lab in self._relation_labels())
            self._describe_selection(
                f"Relation {self._text(head)} \u2192 {self._text(span)}: press {keys}; Esc cancels."
            )
        elif span is not None:
            self._describe_selection(f"{span.label}: {self._text(span)}")

    # ---- edits -----------------------------------------------------------

    def apply_label(self, label: str) -> None:
        """Label key: relabel the selected span, or make a span of the selection
        (or of the token under the caret)."""
        selected = self.state.selected_span
        if selected is not None and self.state.token_selection() is None:
            before = self.session.span(selected)
            after = self.session.relabel_span(selected, label)
            if before is not None and after is not None:
                self._remember("relabel", after.start, after.end, label)
                # the status bar described the selection with its old label
                self.message.emit(
                    f"Relabelled {before.label} \u2192 {after.label}: {self._text(after)}"
                )
            return
        if not len(self.view.tokens):
            return
        first, last = self.state.token_selection() or (self.state.caret, self.state.caret)
        same = self.finder.span_on(first, last)
        if same is not None and same.id is not None:  # exactly a span: relabel it (keeps
            self.select_span(same.id, scroll=False)  # its id and relations)
            self.apply_label(label)
            return
        span = self.session.create_span(first, last, label)
        if span is not None and span.id is not None:
            self._remember("add", span.start, span.end, label)
            self.select_span(span.id, scroll=False)
            self.message.emit(f"Added {label}: {self._text(span)}")

    def delete_selected(self) -> None:
        relation = self.session.relation(self.state.selected_relation)
        if relation is not None and relation.id is not None:
            if self.session.delete_relation(relation.id):
                self.set_state(selected_relation=None)
                self.message.emit(f"Deleted relation {self._describe(relation)}")
            return
        span_id = self._need_span("delete")
        if span_id is not None:
            span = self.session.span(span_id)
            if self.session.delete_span(span_id) and span is not None:
                self._remember("delete", span.start, span.end, span.label)
                self.set_token_selection(None, span.token_start)
                self.message.emit(f"Deleted {span.label}: {self._text(span)}")

    def _remember(self, kind: str, start: int, end: int, label: str) -> None:
        """The correction that "." repeats everywhere."""
        from annotator.propagation import Correction, CorrectionKind

        self.last_correction = Correction(CorrectionKind(kind), start, end, label)

    # Finding and repeating corrections load on first use (start-up time).

    @cached_property
    def finder(self) -> Finder:
        from annotator.ui.finding import Finder

        return Finder(self)

    @cached_property
    def propagator(self) -> Propagator:
        from annotator.ui.propagating import Propagator

        return Propagator(self)

    def confirm(self, title: str, question: str) -> bool:
        """Ask before a step that changes other documents."""
        from PySide6.QtWidgets import QMessageBox  # on first use: start-up time

        answer = QMessageBox.question(self.view.window(), title, question)
        return answer == QMessageBox.StandardButton.Yes

    def move_boundary(self, start_delta: int, end_delta: int) -> None:
        span_id = self._need_span("resize")
        if span_id is not None:
            self.session.move_span(span_id, start_delta, end_delta)
            self.select_span(span_id)

    def set_status_and_next(self, status: Status, next_document: Callable[[], None]) -> None:
        if self.session.document is None:
            return
        if self.session.set_status(status):
            self.message.emit(f"Document {self.session.doc_id} marked {status.value}.")
            next_document()

    # ---- relations -----------------------------------------------------------

    def in_relation_mode(self) -> bool:
        return self.state.relation_mode

    def start_relation(self) -> None:
        head = self.session.span(self.state.selected_span)
        if head is None or head.id is None:
            self.message.emit("Select the relation's first span (its head) before pressing R.")
            return
        self.set_state(selected_relation=None, relation_head=head.id)
        self.message.emit(
            f"Relation from {self._text(head)}: Tab / Shift+Tab to the other span, then a "
            "relation key. Esc cancels."
        )

    def apply_relation_label(self, label: str) -> None:
        head = self.state.relation_head
        if head is not None:
            target = self.state.selected_span
            if target is None or target == head:
                self.message.emit("Select the relation's other span first (Tab / Shift+Tab).")
                return
            relation = self.session.add_relation(head, target, label)
            if relation is not None and relation.id is not None:
                self.set_state(relation_head=None, selected_relation=relation.id)
                self.message.emit(f"Added relation {self._describe(relation)}")
            return
        if self.state.selected_relation is not None:
            self.session.relabel_relation(self.state.selected_relation, label)

    def select_neighbour_relation(self, direction: int) -> None:
        current = self.session.relation(self.state.selected_relation)
        span_id = self.state.focus_span
        if span_id is None and current is not None:
            span_id = current.head
        mine = [r for r in self.session.relations if span_id in (r.head, r.child)]
        if not mine:
            self.message.emit("The selected span has no relations.")
            return
        ids = [r.id for r in mine]
        here = ids.index(current.id) if current is not None and current.id in ids else -1
        chosen = mine[(here + direction) % len(mine) if here >= 0 else 0 if direction > 0 else -1]
        self._show_relation(chosen)
        self._describe_selection(f"Relation {self._describe(chosen)}")

    def reverse_selected(self) -> None:
        relation = self.session.relation(self.state.selected_relation)
        if relation is None or relation.id is None:
            self.message.emit("Select a relation first ([ and ] go through the span's relations).")
            return
        self.session.reverse_relation(relation.id)
        updated = self.session.relation(relation.id)
        if updated is not None and updated.head != relation.head:
            self.message.emit(f"Reversed: {self._describe(updated)}")

    def select_relation(self, relation_id: int) -> None:
        """From the relation list or a click on an arc: select it, in view."""
        relation = self.session.relation(relation_id)
        if relation is not None:
            self._show_relation(relation)
            self._describe_selection(f"Relation {self._describe(relation)}")

    def _show_relation(self, relation: Relation) -> None:
        start = self.view.relation_start(relation.id)
        self.set_state(
            reveal=None if start is None else (start, start + 1),
            relation_head=None,
            selected_relation=relation.id,
        )

    def _relation_labels(self) -> list[Label]:
        return self.session.store.labels(LabelKind.RELATION)

    def _describe(self, relation: Relation) -> str:
        head, child = self.session.span(relation.head), self.session.span(relation.child)
        if head is None or child is None:
            return relation.label
        return f"{self._text(head)} \u2014{relation.label}\u2192 {self._text(child)}"

    # ---- find ------------------------------------------------------------

    # ---- finding and applying everywhere (ui/finding.py, ui/propagating.py) ----

    def find(self, needle: str, direction: int = 1) -> bool:
        return self.finder.find(needle, direction)

    def extend_match(self) -> None:
        self.finder.extend_match()

    def select_candidate(self, direction: int) -> None:
        self.finder.select_candidate(direction)

    def accept_suggestion(self) -> None:
        self.finder.accept_suggestion()

    def apply_everywhere(self) -> None:
        self.propagator.apply_everywhere()

    def apply_everywhere_in_documents(self) -> None:
        self.propagator.apply_everywhere_in_documents()

    def _need_span(self, what: str) -> int | None:
        if self.state.selected_span is None:
            self.message.emit(f"Select a span first to {what} it (Tab selects the next one).")
        return self.state.selected_span

    def _skip_space(self, token: int, direction: int) -> int:
        """Clamp to the document and step over whitespace-only tokens."""
        tokens = self.view.tokens
        text = self.session.document.text if self.session.document else ""
        token = max(0, min(token, len(tokens) - 1))
        step = 1 if direction >= 0 else -1
        probe = token
        while (
            0 <= probe < len(tokens) and text[tokens.starts[probe] : tokens.ends[probe]].isspace()
        ):
            probe += step
        return probe if 0 <= probe < len(tokens) else token

    def _text(self, span: Span) -> str:
        doc = self.session.document
        text = doc.text[span.start : span.end] if doc else ""
        return text if len(text) <= 60 else text[:59] + "…"


def _start(span: Span) -> int:
    return span.start
