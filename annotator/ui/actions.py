"""One method per keymap action (``ActionSpec.handler`` names it). Each method
only delegates: editing to the review controller, documents and dialogs to the
window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.model import Layer, Status

if TYPE_CHECKING:
    from collections.abc import Callable

    from annotator.ui.adjudicating import Adjudicator
    from annotator.ui.main_window import MainWindow


class ActionHandlers:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.c = window.controller

    # ---- caret and selection ------------------------------------------------

    def caret_next(self) -> None:
        self.c.move_caret(1)

    def caret_previous(self) -> None:
        self.c.move_caret(-1)

    def caret_line_down(self) -> None:
        self.c.caret_line(1)

    def caret_line_up(self) -> None:
        self.c.caret_line(-1)

    def caret_first(self) -> None:
        self.c.caret_to(0)

    def caret_last(self) -> None:
        self.c.caret_to(len(self.window.view.tokens) - 1)

    def selection_grow(self) -> None:
        self.c.move_caret(1, extend=True)

    def selection_shrink(self) -> None:
        self.c.move_caret(-1, extend=True)

    def selection_clear(self) -> None:
        self.c.clear_selection()

    def span_next(self) -> None:
        self.c.select_neighbour_span(1)

    def span_previous(self) -> None:
        self.c.select_neighbour_span(-1)

    def span_missing_next(self) -> None:
        self.c.select_candidate(1)

    def span_missing_previous(self) -> None:
        self.c.select_candidate(-1)

    def span_accept_suggestion(self) -> None:
        self.c.accept_suggestion()

    # ---- edits ----------------------------------------------------------------

    def apply_label(self, label: str) -> None:
        self.c.apply_label(label)

    def apply_label_from_find(self, label: str) -> None:
        self.window.find_box.close_bar()
        self.c.apply_label(label)

    def find_extend(self) -> None:
        self.c.extend_match()

    def apply_relation_label(self, label: str) -> None:
        self.c.apply_relation_label(label)

    def span_delete(self) -> None:
        self.c.delete_selected()

    def span_start_left(self) -> None:
        self.c.move_boundary(-1, 0)

    def span_start_right(self) -> None:
        self.c.move_boundary(1, 0)

    def span_end_left(self) -> None:
        self.c.move_boundary(0, -1)

    def span_end_right(self) -> None:
        self.c.move_boundary(0, 1)

    def edit_everywhere(self) -> None:
        self.c.apply_everywhere()

    def edit_everywhere_documents(self) -> None:
        self.c.apply_everywhere_in_documents()

    def edit_undo(self) -> None:
        self._step(undo=True)

    def edit_redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        """Undo or redo, and say which step: what the status bar said of the
        selection may no longer hold. A step the store refuses says why instead."""
        session = self.window.session
        stack = session.undo_stack
        if not (stack.canUndo() if undo else stack.canRedo()):
            return  # (the action is disabled then; this is for a direct call)
        text = stack.undoText() if undo else stack.redoText()
        refused: list[str] = []

        def refuse(reason: str) -> None:
            refused.append(reason)

        session.failed.connect(refuse)
        try:
            if undo:
                stack.undo()
            else:
                stack.redo()
        finally:
            session.failed.disconnect(refuse)
        if not refused:
            self.window.statusBar().showMessage(f"{'Undone' if undo else 'Redone'}: {text}.", 5000)

    def doc_reset(self) -> None:
        if getattr(self.window, "adjudicator", None) is not None:
            self.window.statusBar().showMessage(
                "The final layer is not reset to the model: undo (Ctrl+Z) or take a "
                "reviewer's version instead.",
                6000,
            )
            return
        self.window.session.reset_to_model()

    # ---- documents ------------------------------------------------------------

    # while adjudicating, "next" follows the list's order (by what is left to
    # settle: annotator/ui/adjudicating.py), otherwise the ids

    def doc_accept(self) -> None:
        self.c.set_status_and_next(Status.ACCEPTED, self._next_to_review)

    def doc_reject(self) -> None:
        self.c.set_status_and_next(Status.REJECTED, self._next_to_review)

    def doc_skip(self) -> None:
        self.c.set_status_and_next(Status.SKIPPED, self._next_to_review)

    def doc_next(self) -> None:
        self._step_document(1)

    def doc_previous(self) -> None:
        self._step_document(-1)

    def _next_to_review(self) -> None:
        adjudicator: Adjudicator | None = getattr(self.window, "adjudicator", None)
        if adjudicator is not None:
            adjudicator.next_to_review()
        else:
            self.window.next_to_review()

    def _step_document(self, direction: int) -> None:
        adjudicator: Adjudicator | None = getattr(self.window, "adjudicator", None)
        if adjudicator is not None:
            adjudicator.step_document(direction)
        else:
            self.window.step_document(direction)

    def doc_list(self) -> None:
        self.window.document_table.setFocus()

    def doc_quit(self) -> None:
        self.window.close()  # as the window's close button: the layout is kept

    def doc_export(self) -> None:
        from annotator.ui.jobs import export_dialog

        # the layers the database has; the final layer first while adjudicating
        adjudicating = getattr(self.window, "adjudicator", None) is not None
        layers = self.window.store.layers_present()
        first = Layer.FINAL if adjudicating and Layer.FINAL in layers else Layer.GOLD
        export_dialog(self.window, self.window.exporter, layers, first)

    def doc_evaluate(self) -> None:
        """Score the model layer against the accepted reviews, off the GUI thread."""
        from annotator.ui.jobs import start_evaluation

        start_evaluation(self.window, self.window.store.path)

    def doc_train(self) -> None:
        """Train on the accepted reviews, then offer to re-annotate (off the GUI thread)."""
        from annotator.ui.training_jobs import train_on_reviews  # on first use: start-up time

        train_on_reviews(self.window)

    def doc_reviewer(self) -> None:
        from annotator.ui.reviewer import change_reviewer  # on first use: start-up time

        change_reviewer(self.window)

    # ---- view -----------------------------------------------------------------

    def view_find(self) -> None:
        self.window.find_box.open_bar()

    def view_find_next(self) -> None:
        self.c.find(self.window.find_box.text(), 1)

    def view_find_previous(self) -> None:
        self.c.find(self.window.find_box.text(), -1)

    def view_zoom_in(self) -> None:
        self.window.view.zoom(1)

    def view_zoom_out(self) -> None:
        self.window.view.zoom(-1)

    def view_zoom_reset(self) -> None:
        self.window.view.zoom(0)

    def view_show_deleted(self) -> None:
        show = self.c.toggle_deleted()
        self.window.actions_by_id["view.show_deleted"].setChecked(show)
        count = len(self.window.session.diff.deleted)
        self.window.statusBar().showMessage(
            f"Showing {count} deleted model spans." if show else "Deleted model spans hidden.", 4000
        )

    def view_relations(self) -> None:
        self.c.cycle_arc_mode()

    # ---- relations ------------------------------------------------------------

    def relation_start(self) -> None:
        self.c.start_relation()

    def relation_next(self) -> None:
        self.c.select_neighbour_relation(1)

    def relation_previous(self) -> None:
        self.c.select_neighbour_relation(-1)

    def relation_reverse(self) -> None:
        self.c.reverse_selected()

    # ---- adjudication (annotator/ui/adjudicating.py) ---------------------------

    def doc_adjudicate(self) -> None:
        from annotator.ui.adjudicating import toggle_adjudication  # on first use

        toggle_adjudication(self.window)

    def adjudicate_next(self) -> None:
        self._adjudicate(lambda a: a.step(1))

    def adjudicate_previous(self) -> None:
        self._adjudicate(lambda a: a.step(-1))

    def adjudicate_take(self, number: str) -> None:
        self._adjudicate(lambda a: a.take(int(number)))

    def adjudicate_take_both(self) -> None:
        self._adjudicate(lambda a: a.take_both())

    def _adjudicate(self, run: Callable[[Adjudicator], None]) -> None:
        adjudicator = getattr(self.window, "adjudicator", None)
        if adjudicator is None:
            self.window.statusBar().showMessage(
                "Not adjudicating: open a team database with `annotator adjudicate TEAM.db`, "
                "or Adjudicate > Adjudicate disagreements (Ctrl+Shift+J).",
                6000,
            )
            return
        run(adjudicator)

    def help_keys(self) -> None:
        from annotator.ui.help_dialog import HelpDialog  # on first use: start-up time

        HelpDialog(self.window.keymap, self.window).exec()
