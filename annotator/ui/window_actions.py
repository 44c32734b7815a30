"""The window's actions: one QAction per keymap entry, in the menus, with its
shortcut live where the keymap's scope says; and the right-click menu."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from annotator.model import Label
from annotator.ui.actions import ActionHandlers
from annotator.ui.keymap import LABEL_PREFIX, RELATION_PREFIX, ActionSpec, Scope

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

    from annotator.ui.main_window import MainWindow

CONTEXT_ACTIONS = (
    "span.delete",
    "span.start_left",
    "span.start_right",
    "span.end_left",
    "span.end_right",
    None,
    "relation.start",
    "relation.next",
    "relation.reverse",
    None,
    "edit.undo",
    "edit.redo",
)
MENU_ORDER = ("Document", "Edit", "Select", "Label", "Relation", "View", "Adjudicate", "Help")
MENU_OF_GROUP = {"Relation label": "Relation"}


def build_actions(
    window: MainWindow, keymap: Sequence[ActionSpec], view: QWidget, find_box: QWidget
) -> dict[str, QAction]:
    """The actions of ``keymap``, by id, added to the menu bar of ``window``.

    VIEW and FIND actions are live only while the article (or the find bar) has
    focus; their menu entries are proxies, so that the shortcut is not also
    registered window-wide."""
    handlers = ActionHandlers(window)
    menus = {group: window.menuBar().addMenu(f"&{group}") for group in MENU_ORDER}
    native = QKeySequence.SequenceFormat.NativeText
    actions: dict[str, QAction] = {}
    for spec in keymap:
        action = QAction(spec.text, window)
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setToolTip(spec.tip or spec.text)
        name, args = spec.handler
        action.triggered.connect(partial(getattr(handlers, name), *args))
        if spec.id == "view.show_deleted":
            action.setCheckable(True)
        menu = menus[MENU_OF_GROUP.get(spec.group, spec.group)]
        if spec.scope in (Scope.VIEW, Scope.FIND):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            (view if spec.scope is Scope.VIEW else find_box).addAction(action)
            keys = ", ".join(QKeySequence(k).toString(native) for k in spec.keys)
            proxy = QAction(f"{spec.text}\t{keys}" if keys else spec.text, window)
            proxy.triggered.connect(action.trigger)
            menu.addAction(proxy)
        else:
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            window.addAction(action)
            menu.addAction(action)
        actions[spec.id] = action
    return actions


def enable_for_mode(
    actions: dict[str, QAction],
    keymap: Sequence[ActionSpec],
    stack: QUndoStack,
    relation_mode: bool,
) -> None:
    """Label keys mean entity labels, or relation labels while a relation is
    being made or is selected (the keymap lets the two share keys)."""
    for spec in keymap:
        actions[spec.id].setEnabled(spec.mode.live(relation_mode))
    actions["edit.undo"].setEnabled(stack.canUndo())
    actions["edit.redo"].setEnabled(stack.canRedo())


def context_menu(
    parent: QWidget,
    actions: dict[str, QAction],
    labels: Sequence[Label],
    relation_labels: Sequence[Label],
    relation_mode: bool,
) -> QMenu:
    """The right-click menu: the same actions as the keys, for the mouse."""
    menu = QMenu(parent)
    label_menu = menu.addMenu("Label")
    for label in labels:
        label_menu.addAction(actions[LABEL_PREFIX + label.name])
    # live while a relation is being made (then the right-clicked span is its
    # other end) or selected
    relation_menu = menu.addMenu("Relation to this span")
    for label in relation_labels:
        relation_menu.addAction(actions[RELATION_PREFIX + label.name])
    relation_menu.setEnabled(relation_mode)
    for action_id in CONTEXT_ACTIONS:
        if action_id is None:
            menu.addSeparator()
        else:
            menu.addAction(actions[action_id])
    return menu
