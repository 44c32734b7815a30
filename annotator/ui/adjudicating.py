"""Adjudication in the window: the final layer of a team database is edited, each
document's final layer is seeded on its first visit with what the reviewers agree
on, and their disagreements are drawn in place (each proposal with who made it)
until settled from the keyboard. What counts as agreed, a disagreement and
settled is annotator/adjudication.py; the writes are annotator/store/adjudication.py.

Keys (the keymap's Adjudicate group): F8 / J and Shift+F8 / K go to the next /
previous disagreement still open; Alt+1..Alt+9 take the version of the reviewer
with that number (the document's reviewers by name, as the status bar lists
them: a team of any size, as long as at most nine reviewed one document); Alt+B
takes every proposal there that overlaps no other. Every other key edits the
final layer as usual. Each choice is one undoable, audited step. N / P and the
"and next" of A / X / S follow the document list's order (most left to settle
first), not the ids.

A document seeded before later reviews were merged is compared with its seed:
what every reviewer has now but the seed lacked is proposed, not added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from annotator.adjudication import (
    BOTH,
    Comparison,
    Disagreement,
    compare_layers,
    open_disagreements,
    proposals_of,
    relations_to_take,
    span_key,
)
from annotator.model import Annotations, Layer, LayerDiff, Span, Status
from annotator.store import Change, StoreError
from annotator.ui.adjudication_list import AdjudicationListModel, neighbour_in
from annotator.ui.keymap import TAKE_PREFIX
from annotator.ui.settle_command import SettleCommand

# the bar under the article that says what is left and which keys settle it
LEGEND_STYLE = (
    "QLabel#adjudicationLegend { background: #fff4e6; color: #5c3c00; "
    "border-top: 1px solid #f0c987; padding: 4px 8px; }"
)

if TYPE_CHECKING:
    from collections.abc import Sequence

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
        self._legend: QLabel | None = None
        self._list_before: object | None = None

    # ---- entering and leaving -------------------------------------------------

    def start(self) -> None:
        self.store.edit_layer = Layer.FINAL
        self.session.compare = self._compare
        self.w.openRequested.connect(self.prepare)
        self.session.edited.connect(self._after_edit)
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
        self.session.compare = None
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
        # under the article, not in the status bar: the keys stay in view and the
        # status bar keeps its width for what each choice says
        self._legend = QLabel(self.w)
        self._legend.setObjectName("adjudicationLegend")
        self._legend.setWordWrap(True)
        self._legend.setStyleSheet(LEGEND_STYLE)
        self.w.show_below_article(self._legend)
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
        self._layers = self._reviews(doc_id)
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

    def _reviews(self, doc_id: int) -> dict[str, Annotations]:
        """The layers compared: the reviewers who accepted the document, or, when
        none did, every reviewer of it."""
        reviews = self.store.reviews_of(doc_id)
        accepted = {r: a for r, (s, a) in reviews.items() if s is Status.ACCEPTED}
        return accepted or {r: a for r, (_, a) in reviews.items()}

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
        self._show_legend()
        return LayerDiff({}, proposals_of(self.open))

    def left_of(self, doc_id: int) -> int:
        """How many disagreements of a document are still open."""
        if doc_id == self._doc_id == self.session.doc_id:
            return len(self.open)
        settled = self.store.settled_regions(doc_id)
        comparison = compare_layers(self._reviews(doc_id), self.store.final_seed(doc_id), settled)
        if not comparison.disagreements:
            return 0
        final = sorted(self.store.annotations(doc_id, Layer.FINAL).spans, key=_start)
        return len(open_disagreements(comparison, final, settled))

    def _most_left(self) -> int | None:
        order = self._order()
        return order[0] if order else None

    # ---- moving between documents in the list's order ---------------------------

    def step_document(self, direction: int) -> None:
        """N / P: the next / previous document in the list's order (by what is left
        to settle, as the list shows it, with its status filter), not by id."""
        documents = self._list()
        if documents is not None:
            target = documents.neighbour(self.session.doc_id, direction)
        else:
            target = neighbour_in(self._order(), self.session.doc_id, direction)
        if target is None:
            self._say("No more documents in this direction.")
        else:
            self.w.open_document(target)

    def next_to_review(self) -> None:
        """After A / X / S: the next document still to do in the list's order,
        wrapping around (outside adjudication: the next by id)."""
        current = self.session.doc_id
        todo = set(self.store.document_ids(Status.TODO))
        documents = self._list()
        order = documents.ordered_ids() if documents is not None else self._order()
        target = neighbour_in(order, current, 1, todo.__contains__, wrap=True)
        if target is None or target == current:
            self._say("Every document has been adjudicated.")
        else:
            self.w.open_document(target)

    def _order(self) -> list[int]:
        """Every document, most left to settle first (the list's order)."""
        lefts = [(self.left_of(d), d) for d in self.store.document_ids()]
        return [d for _, d in sorted(lefts, key=lambda e: (-e[0], e[1]))]

    def _list(self) -> AdjudicationListModel | None:
        """The document list, once the window's panes exist."""
        documents = self.w.documents if self.w.is_complete else None
        return documents if isinstance(documents, AdjudicationListModel) else None

    def _after_edit(self, result: EditResult) -> None:
        # a choice may settle a disagreement without changing any span of the final
        # layer (the session re-marks it only when spans changed)
        if not result.spans_changed:
            self.session.diff = self._compare(self.session.gold)
            self.w.view.set_spans(self.session.gold, self.session.diff, ())
        if self.w.is_complete and self.session.doc_id is not None:
            self.w.documents.update_summary(self.store.document_summary(self.session.doc_id))
        self._show_legend()

    # ---- keys ---------------------------------------------------------------------

    def step(self, direction: int) -> None:
        """Select the next (previous) open disagreement after (before) the caret."""
        if not self.open:
            self._say("Nothing left to settle in this document; A accepts it and goes on.")
            return
        state = self.w.controller.state
        on = next(
            (d for d in self.open if (d.token_start, d.token_end) == (state.anchor, state.caret)),
            None,
        )
        if direction > 0:
            after = on.token_end + 1 if on is not None else state.caret
            target = next((d for d in self.open if d.token_start >= after), self.open[0])
        else:
            before = on.token_start - 1 if on is not None else state.caret
            target = next((d for d in reversed(self.open) if d.token_end <= before), self.open[-1])
        self._select(target)

    def take(self, number: int) -> None:
        reviewers = self.reviewers
        if not 1 <= number <= len(reviewers):
            self._say(f"There is no reviewer {number} here: {self._numbered()}.")
            return
        reviewer = reviewers[number - 1]
        disagreement = self._current()
        if disagreement is None:
            return
        spans = disagreement.version(reviewer)
        if spans is None:
            self._say(f"{reviewer} did not review this document (or did not accept it).")
            return
        self._settle(disagreement, reviewer, spans)

    def take_both(self) -> None:
        disagreement = self._current()
        if disagreement is None:
            return
        spans = disagreement.both()
        if not spans:
            self._say(f"The proposals here overlap: take one version ({self._numbered()}).")
            return
        self._settle(disagreement, BOTH, spans)

    def _current(self) -> Disagreement | None:
        state = self.w.controller.state
        low = state.caret if state.anchor is None else min(state.anchor, state.caret)
        high = state.caret if state.anchor is None else max(state.anchor, state.caret)
        found = next((d for d in self.open if d.token_start <= high and low <= d.token_end), None)
        if found is None:
            self._say("No disagreement is selected: F8 (or J) goes to the next one.")
        return found

    def _settle(self, disagreement: Disagreement, choice: str, spans: Sequence[Span]) -> None:
        doc_id = self.session.doc_id
        if doc_id is None:
            return
        start, end = disagreement.region
        remove = [s for s in self.session.gold if s.start < end and start < s.end]
        after = [s for s in self.session.gold if s not in remove] + list(spans)
        taken = {span_key(s) for s in spans}
        keys = sorted(
            {
                key
                for reviewer, layer in self._layers.items()
                if choice in (reviewer, BOTH) and layer.relations and taken
                for key in relations_to_take(
                    layer, [s for s in layer.spans if span_key(s) in taken], after
                )
            }
        )
        region = disagreement.region

        def run(version: int) -> Change:
            return self.store.settle(
                doc_id,
                version,
                region,
                choice,
                [s.id for s in remove if s.id is not None],
                spans,
                relation_keys=keys,
            )

        def command(change: Change) -> SettleCommand:
            return SettleCommand(self.session, doc_id, region, choice, change)

        if self.session.run_edit(run, command) is None:
            return
        # on to the next one still open (the session re-marked the final layer)
        following = next(
            (d for d in self.open if d.token_start > disagreement.token_end),
            self.open[0] if self.open else None,
        )
        if following is not None:
            self._select(following)
        else:
            self._say("Every disagreement here is settled; A accepts the document.")

    def _select(self, disagreement: Disagreement) -> None:
        self.w.controller.set_token_selection(disagreement.token_start, disagreement.token_end)
        doc = self.session.document
        text = doc.text if doc is not None else ""
        n = self.open.index(disagreement) + 1
        self._say(f"Disagreement {n} of {len(self.open)}: {disagreement.describe(text)}")

    # ---- what the status bar says ---------------------------------------------------

    @property
    def reviewers(self) -> tuple[str, ...]:
        """The reviewers compared in the open document, by name: Alt+1 is the first."""
        return self._comparison.reviewers

    def _numbered(self) -> str:
        return " · ".join(
            f"{self._key(f'{TAKE_PREFIX}{i}')} {name}"
            for i, name in enumerate(self.reviewers[:9], 1)
        )

    def _key(self, action_id: str) -> str:
        """The first key of an action as the keymap (with the user's overrides)
        binds it, in the platform's words; "(no key)" when it has none."""
        action = self.w.actions_by_id.get(action_id)
        keys = action.shortcuts() if action is not None else []
        return keys[0].toString(QKeySequence.SequenceFormat.NativeText) if keys else "(no key)"

    def _show_legend(self) -> None:
        if self._legend is None:
            return
        left = len(self.open)
        self._legend.setText(
            f"Adjudicating: {left} disagreement{'s' if left != 1 else ''} left here · "
            f"{self._key('adjudicate.next')} / {self._key('adjudicate.previous')} next / "
            f"previous · {self._numbered()} · {self._key('adjudicate.take_both')} both"
        )

    def _say(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 8000)


def _start(span: Span) -> int:
    return span.start
