"""The one keymap table: action id -> text, default keys, mode, handler. It feeds
the menus, the F1 help overlay, ``annotator keys`` and the tests; label hotkeys
come from the label config. An action's handler is the method of
``ui.actions.ActionHandlers`` named by ``ActionSpec.handler``: a new action is
one entry here plus one method there.

Users override bindings in ``keymap.json`` in the config folder (or ``--keymap``):
``{"span.delete": ["Delete", "X"], "doc.skip": []}``. Keys use Qt's portable
key-sequence names ("Ctrl+Shift+Z", "Alt+Left", "F1").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import TypedDict

import platformdirs
from PySide6.QtCore import Qt

from annotator.errors import AnnotatorError
from annotator.model import Label, LabelKind


class KeyMode(Enum):
    """When an action's keys are live. Entity and relation label keys share the
    digits; relation keys are live while a relation is being made or selected."""

    ALWAYS = "always"
    ENTITY = "entity"
    RELATION = "relation"

    def live(self, relation_mode: bool) -> bool:
        if self is KeyMode.ALWAYS:
            return True
        return (self is KeyMode.RELATION) == relation_mode


class Scope(Enum):
    """VIEW: live while the article has focus (so the arrow keys still move
    through the document list when it has focus); FIND: while the find bar has
    focus; WINDOW: anywhere in the window."""

    VIEW = "view"
    FIND = "find"
    WINDOW = "window"

    def overlaps(self, other: Scope) -> bool:
        """Whether keys of the two scopes can be live at the same time."""
        return Scope.WINDOW in (self, other) or self is other


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...]
    group: str
    tip: str = ""
    scope: Scope = Scope.WINDOW
    mode: KeyMode = KeyMode.ALWAYS

    @property
    def handler(self) -> tuple[str, tuple[str, ...]]:
        """The ``ActionHandlers`` method that runs this action, and its arguments."""
        if self.id.startswith(LABEL_PREFIX):
            return "apply_label", (self.id[len(LABEL_PREFIX) :],)
        if self.id.startswith(FIND_LABEL_PREFIX):
            return "apply_label_from_find", (self.id[len(FIND_LABEL_PREFIX) :],)
        if self.id.startswith(RELATION_PREFIX):
            return "apply_relation_label", (self.id[len(RELATION_PREFIX) :],)
        if self.id.startswith(TAKE_PREFIX) and self.id[len(TAKE_PREFIX) :].isdigit():
            return "adjudicate_take", (self.id[len(TAKE_PREFIX) :],)
        return self.id.replace(".", "_"), ()


LABEL_PREFIX = "label."
RELATION_PREFIX = "relation_label."
FIND_LABEL_PREFIX = "find_label."
TAKE_PREFIX = "adjudicate.take_"  # + the reviewer's number, 1-9


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


ACTIONS: tuple[ActionSpec, ...] = (
    # moving and selecting
    ActionSpec(
        "caret.next",
        "Next token",
        ("Right",),
        "Select",
        "Move the token caret right",
        scope=Scope.VIEW,
    ),
    ActionSpec("caret.previous", "Previous token", ("Left",), "Select", scope=Scope.VIEW),
    ActionSpec("caret.line_down", "Token below", ("Down",), "Select", scope=Scope.VIEW),
    ActionSpec("caret.line_up", "Token above", ("Up",), "Select", scope=Scope.VIEW),
    ActionSpec("caret.first", "First token", ("Home",), "Select", scope=Scope.VIEW),
    ActionSpec("caret.last", "Last token", ("End",), "Select", scope=Scope.VIEW),
    ActionSpec(
        "selection.grow",
        "Grow selection",
        ("Shift+Right",),
        "Select",
        "Extend the token selection by one token to the right",
        scope=Scope.VIEW,
    ),
    ActionSpec(
        "selection.shrink",
        "Shrink selection",
        ("Shift+Left",),
        "Select",
        "Extend the token selection by one token to the left",
        scope=Scope.VIEW,
    ),
    ActionSpec("selection.clear", "Clear selection", ("Esc",), "Select", scope=Scope.VIEW),
    ActionSpec("span.next", "Next span", ("Tab",), "Select", scope=Scope.VIEW),
    ActionSpec(
        "span.missing_next",
        "Next likely missing span",
        ("M",),
        "Select",
        "Proper nouns and words that are spans elsewhere, with no span here: selected, "
        "with a suggested label",
        scope=Scope.VIEW,
    ),
    ActionSpec(
        "span.missing_previous",
        "Previous likely missing span",
        ("Shift+M",),
        "Select",
        scope=Scope.VIEW,
    ),
    ActionSpec(
        "span.accept_suggestion",
        "Accept the suggested label",
        ("Return", "Enter"),
        "Edit",
        "Make the selected likely missing span with its suggested label (a label key "
        "gives another label)",
        scope=Scope.VIEW,
    ),
    ActionSpec("span.previous", "Previous span", ("Shift+Tab",), "Select", scope=Scope.VIEW),
    # editing spans
    ActionSpec("span.delete", "Delete span", ("Delete", "Backspace"), "Edit", scope=Scope.VIEW),
    ActionSpec("span.start_left", "Start one token left", ("Alt+Left",), "Edit", scope=Scope.VIEW),
    ActionSpec(
        "span.start_right", "Start one token right", ("Alt+Right",), "Edit", scope=Scope.VIEW
    ),
    ActionSpec(
        "span.end_left", "End one token left", ("Alt+Shift+Left",), "Edit", scope=Scope.VIEW
    ),
    ActionSpec(
        "span.end_right", "End one token right", ("Alt+Shift+Right",), "Edit", scope=Scope.VIEW
    ),
    ActionSpec(
        "edit.everywhere",
        "Apply to every identical mention",
        (".",),
        "Edit",
        "Repeat the last add, relabel or delete on every mention of the same words "
        "in this document, as one undoable step",
        scope=Scope.VIEW,
    ),
    ActionSpec(
        "edit.everywhere_documents",
        "Apply to every mention in documents not yet reviewed",
        ("Ctrl+.",),
        "Edit",
        "Repeat the last add, relabel or delete in every document still to review "
        "(counts first; asks; one undoable step)",
        scope=Scope.VIEW,
    ),
    ActionSpec("edit.undo", "Undo", ("Ctrl+Z",), "Edit"),
    ActionSpec("edit.redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Edit"),
    ActionSpec(
        "doc.reset",
        "Reset document to model",
        ("Ctrl+Shift+R",),
        "Edit",
        "Replace every correction of this document by the model's predictions",
    ),
    # documents
    ActionSpec("doc.accept", "Accept and next", ("A",), "Document"),
    ActionSpec("doc.reject", "Reject and next", ("X",), "Document"),
    ActionSpec("doc.skip", "Skip and next", ("S",), "Document"),
    ActionSpec("doc.next", "Next document", ("N",), "Document"),
    ActionSpec("doc.previous", "Previous document", ("P",), "Document"),
    ActionSpec("doc.list", "Go to document list", ("Ctrl+L",), "Document"),
    ActionSpec(
        "doc.export",
        "Export…",
        ("Ctrl+Shift+E",),
        "Document",
        "Write reviewed documents as JSONL, doccano, brat, CoNLL or spaCy DocBin",
    ),
    ActionSpec(
        "doc.evaluate",
        "Evaluate the model",
        ("Ctrl+E",),
        "Document",
        "Precision, recall and F1 of the model layer against the accepted reviews",
    ),
    ActionSpec(
        "doc.train",
        "Train on my reviews…",
        ("Ctrl+Shift+T",),
        "Document",
        "Fine-tune the pipeline's NER on the accepted documents in the background, then "
        "offer to re-annotate the documents not yet reviewed with it",
    ),
    ActionSpec(
        "doc.reviewer",
        "Change reviewer…",
        ("Ctrl+Shift+I",),
        "Document",
        "Who the next edits are recorded as (audit, review, exports); saved as the default",
    ),
    ActionSpec(
        "doc.quit", "Quit", ("Ctrl+Q",), "Document", "Close the window: every edit is saved"
    ),
    # view
    ActionSpec("view.find", "Find in text", ("Ctrl+F",), "View"),
    ActionSpec(
        "find.extend",
        "Extend the match to the end of the name",
        ("Tab",),
        "View",
        "In the find bar: to the end of the span that starts there, or of the run of proper nouns",
        scope=Scope.FIND,
    ),
    ActionSpec("view.find_next", "Find next", ("F3",), "View"),
    ActionSpec("view.find_previous", "Find previous", ("Shift+F3",), "View"),
    ActionSpec("view.zoom_in", "Zoom in", ("Ctrl++", "Ctrl+="), "View"),
    ActionSpec("view.zoom_out", "Zoom out", ("Ctrl+-",), "View"),
    ActionSpec("view.zoom_reset", "Normal size", ("Ctrl+0",), "View"),
    ActionSpec(
        "view.show_deleted",
        "Show deleted model spans",
        ("D",),
        "View",
        "Show the model's spans that the review removed",
    ),
    ActionSpec(
        "relation.start",
        "Start a relation",
        ("R",),
        "Relation",
        "From the selected span; Tab or Ctrl+F to the other span, then a relation key",
        scope=Scope.VIEW,
    ),
    ActionSpec("relation.next", "Next relation of the span", ("]",), "Relation", scope=Scope.VIEW),
    ActionSpec(
        "relation.previous", "Previous relation of the span", ("[",), "Relation", scope=Scope.VIEW
    ),
    ActionSpec(
        "relation.reverse", "Reverse the selected relation", ("V",), "Relation", scope=Scope.VIEW
    ),
    ActionSpec(
        "view.relations",
        "Relations: all / dim others / hide others",
        ("H",),
        "View",
        "How relations that do not touch the selected span are drawn",
    ),
    # adjudication (a team database; see annotator/ui/adjudicating.py)
    ActionSpec(
        "doc.adjudicate",
        "Adjudicate disagreements (team database)",
        ("Ctrl+Shift+J",),
        "Adjudicate",
        "In a team database (annotator merge): edit the final layer, with each "
        "reviewer's proposals shown where they disagree (again: back to the gold layer)",
    ),
    ActionSpec(
        "adjudicate.next",
        "Next disagreement",
        ("F8", "J"),
        "Adjudicate",
        "Select the next disagreement still to settle",
        scope=Scope.VIEW,
    ),
    ActionSpec(
        "adjudicate.previous",
        "Previous disagreement",
        ("Shift+F8", "K"),
        "Adjudicate",
        scope=Scope.VIEW,
    ),
    *(
        ActionSpec(
            f"{TAKE_PREFIX}{n}",
            f"Take the version of reviewer {n}",
            (f"Alt+{n}",),
            "Adjudicate",
            f"The {_ordinal(n)} reviewer of the document (by name, as the status bar lists "
            "them): their spans of the selected disagreement go into the final layer (of a "
            "relation disagreement: their relations between its two spans)",
            scope=Scope.VIEW,
        )
        for n in range(1, 10)
    ),
    ActionSpec(
        "adjudicate.take_both",
        "Take both where they do not overlap",
        ("Alt+B",),
        "Adjudicate",
        "Every proposal of the selected disagreement that overlaps no other goes into the "
        "final layer (of a relation disagreement: every distinct relation, if the labels allow)",
        scope=Scope.VIEW,
    ),
    ActionSpec("help.keys", "Keyboard help", ("F1",), "Help"),
)


class KeymapError(AnnotatorError, ValueError):
    """The user's keymap file is unreadable or names unknown actions."""


def label_actions(labels: Iterable[Label]) -> list[ActionSpec]:
    """One action per label: entity labels make a span of the selection or relabel
    the selected span (and, with Alt, do it from the find bar); relation labels
    finish or relabel a relation."""
    from_find = [
        ActionSpec(
            FIND_LABEL_PREFIX + label.name,
            f"{label.name} (from the find bar)",
            (f"Alt+{label.hotkey}",) if label.hotkey else (),
            "Label",
            "Label the find bar's match and return to the article",
            scope=Scope.FIND,
            mode=KeyMode.ENTITY,
        )
        for label in labels
        if label.kind is LabelKind.ENTITY
    ]
    return [*_label_actions(labels), *from_find]


def _label_actions(labels: Iterable[Label]) -> list[ActionSpec]:
    return [
        ActionSpec(
            RELATION_PREFIX + label.name,
            label.name,
            (label.hotkey,) if label.hotkey else (),
            "Relation label",
            label.description,
            scope=Scope.VIEW,
            mode=KeyMode.RELATION,
        )
        if label.kind is LabelKind.RELATION
        else ActionSpec(
            LABEL_PREFIX + label.name,
            label.name,
            (label.hotkey,) if label.hotkey else (),
            "Label",
            label.description,
            scope=Scope.VIEW,
            mode=KeyMode.ENTITY,
        )
        for label in labels
    ]


def user_keymap_path() -> Path:
    return Path(platformdirs.user_config_dir("annotator", appauthor=False)) / "keymap.json"


def load_overrides(path: Path) -> dict[str, tuple[str, ...]]:
    """Read ``{"action.id": ["Key", ...]}``; a missing file means no overrides."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KeymapError(f"Cannot read keymap {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise KeymapError(f"Keymap {path} must be a JSON object of action id -> list of keys.")
    overrides: dict[str, tuple[str, ...]] = {}
    for action_id, keys in raw.items():
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise KeymapError(f"Keymap {path}: {action_id!r} must map to a list of key names.")
        for key in keys:
            if not is_key_name(key):
                raise KeymapError(f"Keymap {path}: {key!r} for {action_id!r} is not a key name.")
        overrides[action_id] = tuple(keys)
    return overrides


def build_keymap(
    labels: Sequence[Label], overrides: Mapping[str, tuple[str, ...]] | None = None
) -> list[ActionSpec]:
    """The full table: fixed actions plus label actions, with user overrides applied."""
    specs = [*ACTIONS, *label_actions(labels)]
    overrides = dict(overrides or {})
    known = {spec.id for spec in specs}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise KeymapError(f"Keymap names unknown actions: {', '.join(unknown)}.")
    return [replace(s, keys=overrides[s.id]) if s.id in overrides else s for s in specs]


def effective_keymap(labels: Sequence[Label], keymap: Path | None = None) -> list[ActionSpec]:
    """The table with the user's overrides (``keymap`` or the user's keymap.json)."""
    return build_keymap(labels, load_overrides(keymap or user_keymap_path()))


class KeyRow(TypedDict):
    id: str
    text: str
    keys: list[str]
    group: str
    mode: str
    scope: str


def keymap_rows(specs: Iterable[ActionSpec]) -> list[KeyRow]:
    """One plain record per action, for ``annotator keys`` and scripts."""
    return [
        KeyRow(
            id=spec.id,
            text=spec.text,
            keys=[normalized(k) for k in spec.keys],
            group=spec.group,
            mode=spec.mode.value,
            scope=spec.scope.value,
        )
        for spec in specs
    ]


def is_key_name(key: str) -> bool:
    """True for one key combination Qt understands, such as "Ctrl+Shift+Z"."""
    from PySide6.QtGui import QKeySequence  # (not before the first paint: 1 ms)

    sequence = QKeySequence(key)
    return (
        sequence.count() == 1
        and sequence[0].key() != Qt.Key.Key_unknown  # type: ignore[index]
        and bool(sequence.toString())
    )


def normalized(key: str) -> str:
    from PySide6.QtGui import QKeySequence

    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


def find_conflicts(specs: Iterable[ActionSpec]) -> dict[str, list[str]]:
    """Keys bound to more than one action that can be live at the same time:
    normalized key -> action ids. Entity and relation label keys never are."""
    owners: dict[str, list[ActionSpec]] = {}
    for spec in specs:
        for key in spec.keys:
            owners.setdefault(normalized(key), []).append(spec)
    conflicts: dict[str, list[str]] = {}
    for key, found in owners.items():
        clashing = [
            a.id
            for a in found
            if any(
                b is not a
                and a.scope.overlaps(b.scope)
                and (KeyMode.ALWAYS in (a.mode, b.mode) or a.mode == b.mode)
                for b in found
            )
        ]
        if clashing:
            conflicts[key] = clashing
    return conflicts
