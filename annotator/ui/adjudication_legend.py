"""The bar under the article while adjudicating (annotator/ui/adjudicating.py):
what is left to settle in the document and the keys that settle it, as the
keymap (with the user's overrides) binds them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from annotator.ui.keymap import TAKE_PREFIX

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

LEGEND_STYLE = (
    "QLabel#adjudicationLegend { background: #fff4e6; color: #5c3c00; "
    "border-top: 1px solid #f0c987; padding: 4px 8px; }"
)


def make_legend(window: MainWindow) -> QLabel:
    """The legend, under the article, not in the status bar: the keys stay in view
    and the status bar keeps its width for what each choice says."""
    legend = QLabel(window)
    legend.setObjectName("adjudicationLegend")
    legend.setWordWrap(True)
    legend.setStyleSheet(LEGEND_STYLE)
    window.show_below_article(legend)
    return legend


def legend_text(window: MainWindow, reviewers: Sequence[str], left: int, relations: int) -> str:
    """``left`` disagreements, ``relations`` of them between two final spans."""
    of_relations = f" ({relations} on relations)" if relations else ""
    return (
        f"Adjudicating: {left} disagreement{'s' if left != 1 else ''} left here{of_relations} · "
        f"{key_text(window, 'adjudicate.next')} / {key_text(window, 'adjudicate.previous')} "
        f"next / previous · {numbered(window, reviewers)} · "
        f"{key_text(window, 'adjudicate.take_both')} both"
    )


def numbered(window: MainWindow, reviewers: Sequence[str]) -> str:
    """The reviewers with the keys that take their versions (``Alt+1 ana · …``)."""
    return " · ".join(
        f"{key_text(window, f'{TAKE_PREFIX}{i}')} {name}" for i, name in enumerate(reviewers[:9], 1)
    )


def key_text(window: MainWindow, action_id: str) -> str:
    """The first key of an action as the keymap (with the user's overrides) binds
    it, in the platform's words; "(no key)" when it has none."""
    action = window.actions_by_id.get(action_id)
    keys = action.shortcuts() if action is not None else []
    return keys[0].toString(QKeySequence.SequenceFormat.NativeText) if keys else "(no key)"
