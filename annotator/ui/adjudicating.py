"""Adjudication in the window: the final layer of a team database is edited, each
document's final layer is seeded on its first visit with what the reviewers agree
on, and their disagreements are drawn in place (each proposal with who made it)
until settled from the keyboard. What counts as agreed, a disagreement and
settled is annotator/adjudication/; the writes are annotator/store/adjudication.py.

Keys (the keymap's Adjudicate group): F8 / J and Shift+F8 / K go to the next /
previous disagreement still open, of spans or of the relations between two
final spans (annotator/ui/adjudicating_relations.py), in the text's order;
Alt+1..Alt+9 take the version of the reviewer with that number (the document's
reviewers by name, as the status bar lists them: a team of any size, as long as
at most nine reviewed one document); Alt+B takes every proposal there that
overlaps no other (of a relation disagreement: every distinct relation, if the
labels allow). Every other key edits the final layer as usual. Each choice is one
undoable, audited step. A click on a dashed arc's label, or on a proposed span,
selects its disagreement as F8 would (the mouse never settles one by itself).
N / P and the "and next" of A / X / S follow the document list's order (most left
to settle first), not the ids.

A document seeded before later reviews were merged is compared with its seed:
what every reviewer has now but the seed lacked is proposed, not added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from annotator.adjudication import (
    BOTH,
    Comparison,
    Disagreement,
    RelationDisagreement,
    Settleable,
    compare_layers,
    in_order,
    open_disagreements,
    position,
    proposals_of,
    span_key,
)
from annotator.adjudication.documents import compared_reviews, left_to_settle, most_left_first
from annotator.adjudication.keys import find_span
from annotator.model import Annotations, Layer, LayerDiff, Span, Status
from annotator.store import StoreError
from annotator.ui.adjudicating_relations import ghost_arcs, open_relations, proposed_at
from annotator.ui.adjudication_legend import legend_text, make_legend, numbered
from annotator.ui.adjudication_list import AdjudicationListModel, document_after, next_to_do
from annotator.ui.settle_command import take_relations, take_spans

if TYPE_CHECKING:
    from collections.abc import Sequence

    from annotator.adjudication import RelationKey
    from annotator.ui.main_window import MainWindow
    from annotator.ui.review import EditResult, ReviewSession


def toggle_adjudication(window: MainWindow) -> None:
    """The menu item: start adjudicating this (team) database, or stop."""
    if getattr(window, "adjudicator", None) is not None:
        stop_adjudication(window)
        window.statusBar().showMessage("Back to the gold layer.", 4000)
        return
    message = start_adjudication(window)
    if message:
        window.statusBar().showMessage(message, 8000)


def start_adjudication(window: MainWindow) -> str | None:
    """Put ``window`` in adjudication mode; returns why it cannot be, or None."""
    if not window.store.is_team_database():
        return (
            f"{window.store.path.name} has no reviewers' reviews to adjudicate: merge the "
            "reviewers' databases with `annotator merge A.db B.db --output TEAM.db`, then "
            "`annotator adjudicate TEAM.db`."
        )
    adjudicator = Adjudicator(window)
    window.adjudicator = adjudicator  # type: ignore[attr-defined]
    adjudicator.start()
    return None


def stop_adjudication(window: MainWindow) -> None:
    adjudicator: Adjudicator | None = getattr(window, "adjudicator", None)
    if adjudicator is not None:
        adjudicator.stop()
        window.adjudicator = None  # type: ignore[attr-defined]


class Adjudicator(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.store = window.store
        self.session: ReviewSession = window.session
        self._doc_id: int | None = None
        self._layers: dict[str, Annotations] = {}
        self._comparison = Comparison((), (), (), ())
        self.open: list[Disagreement] = []  # of the open document, by position
        self.open_relations: list[RelationDisagreement] = []  # likewise
        self.items: list[Settleable] = []  # both, in the order F8 visits them
        self._chosen: Settleable | None = None  # the one F8 last selected
        self._legend: QLabel | None = None

    # ---- entering and leaving -------------------------------------------------

    def start(self) -> None:
        self.store.edit_layer = Layer.FINAL
        self.session.compare = self._compare
        self.w.openRequested.connect(self.prepare)
        self.session.edited.connect(self._after_edit)
        self.session.documentOpened.connect(self._opened)
        self.w.view.proposedRelationClicked.connect(self._arc_clicked)
        self.w.view.tokenClicked.connect(self._token_clicked)
        self.session.undo_stack.clear()  # its commands edited the gold layer
        self.w.controller.set_state(show_deleted=True)
        if self.w.is_complete:
            self._complete()
        else:
            self.w.completed.connect(self._complete)
        first = self._most_left()
        if first is not None:
            self.w.open_document(first)

    def stop(self) -> None:
        self.w.openRequested.disconnect(self.prepare)
        self.session.edited.disconnect(self._after_edit)
        self.session.documentOpened.disconnect(self._opened)
        self.w.view.proposedRelationClicked.disconnect(self._arc_clicked)
        self.w.view.tokenClicked.disconnect(self._token_clicked)
        self.session.compare = None
        self.w.view.set_ghost_arcs(())
        self.store.edit_layer = Layer.GOLD
        self.session.undo_stack.clear()
        self.w.controller.set_state(show_deleted=False)
        if self._legend is not None:
            self._legend.hide()
            self._legend.deleteLater()
        if self.w.is_complete:
            self.w.actions_by_id["view.show_deleted"].setChecked(False)
            from annotator.ui.models import DocumentListModel

            self.w.documents = DocumentListModel(self.store, self.w)
            self.w.document_table.setModel(self.w.documents)
        doc_id = self.session.doc_id
        if doc_id is not None:
            self.w.open_document(doc_id)
        self.deleteLater()

    def _complete(self) -> None:
        """The window's panes exist: the list by what is left, the legend, D checked."""
        self.w.documents = AdjudicationListModel(self.store, self.left_of, self.w)  # type: ignore[assignment]
        self.w.document_table.setModel(self.w.documents)
        self.w.actions_by_id["view.show_deleted"].setChecked(True)
        self._legend = make_legend(self.w)
        if self.session.doc_id is not None:
            row = self.w.documents.row_of(self.session.doc_id)
            if row is not None:
                self.w.document_table.selectRow(row)
        self._show_legend()

    # ---- one document -------------------------------------------------------------

    def prepare(self, doc_id: int) -> None:
        """Before a document opens: compare its reviews and, on its first visit,
        seed its final layer with what they agree on (one audited transaction)."""
        self._doc_id = doc_id
        self._layers = compared_reviews(self.store, doc_id)
        self.open_relations, self._chosen = [], None
        seed = self.store.final_seed(doc_id)
        if seed is not None:  # reviews merged since may agree on what the seed lacks
            self._comparison = compare_layers(
                self._layers, seed, self.store.settled_regions(doc_id)
            )
            return
        self._comparison = compare_layers(self._layers)
        try:
            self.store.seed_final(
                doc_id,
                self.store.document_version(doc_id),
                self._comparison.agreed,
                self._comparison.agreed_relations,
            )
        except StoreError as exc:
            self._say(f"The final layer was not seeded: {exc}")

    def _compare(self, final: Sequence[Span]) -> LayerDiff:
        """The session's marking of the final layer: the open disagreements'
        proposals, drawn as ghosts with who proposed them."""
        doc_id = self.session.doc_id
        if doc_id is None:
            self.open = []
            return LayerDiff({}, ())
        if doc_id != self._doc_id:  # opened without asking the window (an undo)
            self.prepare(doc_id)
        settled = self.store.settled_regions(doc_id)
        self.open = open_disagreements(self._comparison, final, settled)
        self.items = in_order(self.open, self.open_relations)  # relations: see _relations
        self._show_legend()
        return LayerDiff({}, proposals_of(self.open))

    def _opened(self) -> None:
        """A document was opened (its final relations are in the session now)."""
        self._relations()

    def _relations(self) -> None:
        """The open relation disagreements, after the session took in an edit: listed
        with the spans' and drawn as dashed arcs between the final spans."""
        doc_id = self.session.doc_id
        disputes = self._comparison.relation_disputes
        if doc_id is None or doc_id != self._doc_id or not disputes:
            self.open_relations = []
        else:
            settled = self.store.settled_pairs(doc_id)
            self.open_relations = open_relations(self._comparison, self.session, settled)
        self.items = in_order(self.open, self.open_relations)
        arcs = ghost_arcs(self.open_relations, self.session.gold)
        if arcs != self.w.view.ghost_arcs:
            self.w.view.set_ghost_arcs(arcs)
        self._show_legend()

    def left_of(self, doc_id: int) -> int:
        """How many disagreements of a document are still open."""
        if doc_id == self._doc_id == self.session.doc_id:
            return len(self.items)
        return left_to_settle(self.store, doc_id)

    def _most_left(self) -> int | None:
        order = self._order()
        return order[0] if order else None

    # ---- moving between documents in the list's order ---------------------------

    def step_document(self, direction: int) -> None:
        """N / P: the next / previous document in the list's order, not by id."""
        target = document_after(self._list(), self._order, self.session.doc_id, direction)
        if target is None:
            self._say("No more documents in this direction.")
        else:
            self.w.open_document(target)

    def next_to_review(self) -> None:
        """After A / X / S: the next document still to do in the list's order,
        wrapping around (outside adjudication: the next by id)."""
        todo = set(self.store.document_ids(Status.TODO))
        target = next_to_do(self._list(), self._order, self.session.doc_id, todo)
        if target is None:
            self._say("Every document has been adjudicated.")
        else:
            self.w.open_document(target)

    def _order(self) -> list[int]:
        return most_left_first(self.store, self.left_of)

    def _list(self) -> object | None:
        """The document list, once the window's panes exist."""
        return self.w.documents if self.w.is_complete else None

    def _after_edit(self, result: EditResult) -> None:
        # a choice may settle a disagreement without changing any span of the final
        # layer (the session re-marks it only when spans changed)
        if not result.spans_changed:
            self.session.diff = self._compare(self.session.gold)
            self.w.view.set_spans(self.session.gold, self.session.diff, ())
        self._relations()  # and the legend
        if self.w.is_complete and self.session.doc_id is not None:
            self.w.documents.update_summary(self.store.document_summary(self.session.doc_id))

    # ---- the mouse: selects as F8 does, never settles ----------------------------

    def _arc_clicked(self, arc_id: int) -> None:
        """A click on a dashed arc's label: select its relation disagreement."""
        found = proposed_at(self.open_relations, arc_id)
        if found is not None and found in self.items:
            self._select(found)

    def _token_clicked(self, token: int) -> None:
        """A click on text outside the final spans (the controller put the caret
        there): on a proposed span drawn there, select its disagreement."""
        if not self.w.controller.state.show_deleted:
            return  # proposals hidden (D): a plain click
        found = next(
            (
                d
                for d in self.open
                if any(p.token_start <= token <= p.token_end for p in d.proposals())
            ),
            None,
        )
        if found is not None and found in self.items:
            self._select(found)

    # ---- keys ---------------------------------------------------------------------

    def step(self, direction: int) -> None:
        """Select the next (previous) open disagreement after (before) the caret."""
        items = self.items
        if not items:
            self._say("Nothing left to settle in this document; A accepts it and goes on.")
            return
        on = self._on()
        caret = self.w.controller.state.caret
        if on is not None:
            target = items[(items.index(on) + direction) % len(items)]
        elif direction > 0:
            target = next((d for d in items if d.token_start >= caret), items[0])
        else:
            target = next((d for d in reversed(items) if d.token_end <= caret), items[-1])
        self._select(target)

    def _on(self) -> Settleable | None:
        """The open disagreement the selection shows (as F8 selected it), if any."""
        state = self.w.controller.state
        chosen = self._chosen
        if isinstance(chosen, RelationDisagreement) and chosen in self.open_relations:
            span = self.session.span(state.selected_span)
            if span is not None and span_key(span) == chosen.spans[1]:
                return chosen
        return next(
            (d for d in self.open if (d.token_start, d.token_end) == (state.anchor, state.caret)),
            None,
        )

    def take(self, number: int) -> None:
        reviewers = self.reviewers
        if not 1 <= number <= len(reviewers):
            self._say(f"There is no reviewer {number} here: {self._numbered()}.")
            return
        reviewer = reviewers[number - 1]
        disagreement = self._current()
        if disagreement is None:
            return
        if isinstance(disagreement, RelationDisagreement):
            keys = disagreement.version(reviewer)
            if keys is not None:
                self._settle_relations(disagreement, reviewer, keys)
                return
        else:
            spans = disagreement.version(reviewer)
            if spans is not None:
                self._settle(disagreement, reviewer, spans)
                return
        self._say(f"{reviewer} did not review this document (or did not accept it).")

    def take_both(self) -> None:
        disagreement = self._current()
        if disagreement is None:
            return
        if isinstance(disagreement, RelationDisagreement):
            rules = {label.name: label for label in self.w.relation_labels}
            keys, refusal = disagreement.union(rules)
            if refusal:
                self._say(f"{refusal} ({self._numbered()}).")
            else:
                self._settle_relations(disagreement, BOTH, keys)
            return
        spans = disagreement.both()
        if not spans:
            self._say(f"The proposals here overlap: take one version ({self._numbered()}).")
            return
        self._settle(disagreement, BOTH, spans)

    def _current(self) -> Settleable | None:
        """What Alt+n / Alt+B settle: the relation disagreement of the selected final
        span (the one F8 chose, if several), else the span disagreement selected."""
        state = self.w.controller.state
        span = self.session.span(state.selected_span)
        if span is not None:
            key = span_key(span)
            around = [d for d in self.open_relations if key in d.spans]
            if around:
                return self._chosen if self._chosen in around else around[0]
        low = state.caret if state.anchor is None else min(state.anchor, state.caret)
        high = state.caret if state.anchor is None else max(state.anchor, state.caret)
        found = next((d for d in self.open if d.token_start <= high and low <= d.token_end), None)
        if found is None:
            self._say("No disagreement is selected: F8 (or J) goes to the next one.")
        return found

    def _settle(self, disagreement: Disagreement, choice: str, spans: Sequence[Span]) -> None:
        relations = self._comparison.relations
        if take_spans(self.session, relations, disagreement, choice, spans) is not None:
            self._next_after(disagreement)

    def _settle_relations(
        self, disagreement: RelationDisagreement, choice: str, keys: Sequence[RelationKey]
    ) -> None:
        if take_relations(self.session, disagreement, choice, keys) is not None:
            self._next_after(disagreement)

    def _next_after(self, settled: Settleable) -> None:
        """On to the next one still open (the session re-marked the final layer)."""
        after = position(settled)
        items = self.items
        following = next((d for d in items if position(d) > after), items[0] if items else None)
        if following is not None:
            self._select(following)
        else:
            self._say("Every disagreement here is settled; A accepts the document.")

    def _select(self, disagreement: Settleable) -> None:
        doc = self.session.document
        text = doc.text if doc is not None else ""
        n, total = self.items.index(disagreement) + 1, len(self.items)
        self._chosen = disagreement
        if isinstance(disagreement, RelationDisagreement):
            # the later span, as F8 orders them: its arcs (the proposed ones too) stand out
            span = find_span(self.session.gold, disagreement.spans[1])
            self.w.controller.select_span(span.id if span is not None else None)
            self._say(f"Relation {n} of {total}: {disagreement.describe(text)}")
            return
        self.w.controller.set_token_selection(disagreement.token_start, disagreement.token_end)
        self._say(f"Disagreement {n} of {total}: {disagreement.describe(text)}")

    # ---- what the status bar says ---------------------------------------------------

    @property
    def reviewers(self) -> tuple[str, ...]:
        """The reviewers compared in the open document, by name: Alt+1 is the first."""
        return self._comparison.reviewers

    def _numbered(self) -> str:
        return numbered(self.w, self.reviewers)

    def _show_legend(self) -> None:
        if self._legend is not None:
            left, relations = len(self.items), len(self.open_relations)
            self._legend.setText(legend_text(self.w, self.reviewers, left, relations))

    def _say(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 8000)
