"""The relation rules file: read and check it, and switch rules off in it.

A rules file is JSON: ``{"rules": [{"id", "label", "head_types", "child_types",
"pattern", "enabled"}, ...]}`` (see resources/relation_patterns.json). Each rule's
``pattern`` is a spaCy DependencyMatcher pattern; applying it is annotator.nlp's
work (annotator/nlp/relations.py). This module only reads and writes the file,
without spaCy, so ``annotator eval`` can show and switch rules without loading it.

``"enabled": false`` switches a rule off: the pipeline skips it. ``switch_off``
writes that into a file atomically (a temporary file beside it, then a rename):
a line ``"enabled": false`` after the rule's ``"id"``, every other byte of the
file as it was (should that not be possible, the file is written anew with every
key, value and their order kept, indented as its first indented line was).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.resources import resources_dir

ENABLED_KEY = "enabled"


class RelationRuleError(AnnotatorError, ValueError):
    """A relation rule file that cannot be used; the message names the rule."""


@dataclass(frozen=True, slots=True)
class RelationRule:
    id: str
    label: str
    head_types: tuple[str, ...]
    child_types: tuple[str, ...]
    pattern: list[dict[str, Any]]
    enabled: bool = True


def default_rules_path() -> Path:
    return resources_dir() / "relation_patterns.json"


def is_bundled(path: Path) -> bool:
    """Whether ``path`` is the rules file that ships with annotator."""
    try:
        return path.resolve() == default_rules_path().resolve()
    except OSError:
        return False


def load_rules(path: Path | None = None) -> list[RelationRule]:
    """Every rule of the file, switched off or not, in the file's order."""
    path = path or default_rules_path()
    entries = _entries(_read(path), path)
    rules = []
    seen: dict[str, int] = {}
    for n, entry in enumerate(entries, 1):
        where = f"relation rules {path}, rule #{n}"
        if not isinstance(entry, dict):
            raise RelationRuleError(f"{where} must be an object")
        rule_id = _rule_id(entry, n)
        if rule_id in seen:
            raise RelationRuleError(
                f"{where}: the id {rule_id!r} is also rule #{seen[rule_id]}'s; each rule "
                "needs its own id (relations are recorded with it)"
            )
        seen[rule_id] = n
        pattern = entry.get("pattern")
        label = entry.get("label")
        enabled = entry.get(ENABLED_KEY, True)
        if not isinstance(label, str) or not label:
            raise RelationRuleError(f"{where} ({rule_id}) needs a 'label'")
        if not isinstance(pattern, list) or not all(isinstance(p, dict) for p in pattern):
            raise RelationRuleError(f"{where} ({rule_id}) needs a 'pattern' list")
        names = {node.get("RIGHT_ID") for node in pattern}
        if not {"head", "child"} <= names:
            raise RelationRuleError(f"{where} ({rule_id}) must name nodes 'head' and 'child'")
        if not isinstance(enabled, bool):
            raise RelationRuleError(
                f"{where} ({rule_id}): '{ENABLED_KEY}' must be true or false, not {enabled!r}"
            )
        rules.append(
            RelationRule(
                rule_id,
                label,
                tuple(entry.get("head_types", [])),
                tuple(entry.get("child_types", [])),
                pattern,
                enabled,
            )
        )
    return rules


def switch_off(path: Path, rule_ids: Collection[str]) -> list[str]:
    """Write ``"enabled": false`` on the rules ``rule_ids`` of the file ``path``;
    returns the ids switched off by this call (in the file's order), leaving out
    those already off. The file is replaced whole or not at all."""
    load_rules(path)  # the file must be one the pipeline can use
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text)
    entries = raw["rules"]
    changed = []
    for n, entry in enumerate(entries, 1):
        rule_id = _rule_id(entry, n)
        if rule_id in rule_ids and entry.get(ENABLED_KEY, True) is not False:
            entries[n - 1] = _with_enabled(entry, False)
            changed.append(rule_id)
    if changed:
        _replace(path, _edited(text, raw, changed))
    return changed


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RelationRuleError(f"Cannot read relation rules {path}: {exc}") from exc


def _entries(raw: object, path: Path) -> list[object]:
    entries = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise RelationRuleError(f"Relation rules {path} need a 'rules' list.")
    return entries


def _rule_id(entry: dict[str, Any], n: int) -> str:
    """A rule's id; one without gets ``rule-N`` (its position, 1-based)."""
    return str(entry.get("id", f"rule-{n}"))


def _with_enabled(entry: dict[str, Any], enabled: bool) -> dict[str, Any]:
    """The rule with ``enabled`` set: in place if it has the key, else right after
    its ``id`` (first when it has none), where a reader sees it."""
    if ENABLED_KEY in entry:
        return {**entry, ENABLED_KEY: enabled}  # a key keeps its place when updated
    if "id" not in entry:
        return {ENABLED_KEY: enabled, **entry}
    out: dict[str, Any] = {}
    for key, value in entry.items():
        out[key] = value
        if key == "id":
            out[ENABLED_KEY] = enabled
    return out


def _edited(text: str, wanted: object, switched: list[str]) -> str:
    """``text`` with ``"enabled": false`` inserted after the ``"id"`` of each rule in
    ``switched``, as a person would type it, so every other byte stays as it was;
    when that does not give exactly ``wanted`` (a rule without an id, or one with
    ``enabled`` already, or an unusual layout), the whole of ``wanted`` re-indented
    as the file was."""
    edited = text
    for rule_id in switched:
        found = list(re.finditer(r'"id"\s*:\s*' + re.escape(json.dumps(rule_id)), edited))
        if len(found) != 1:
            break
        end = found[0].end()
        line_start = edited.rfind("\n", 0, found[0].start()) + 1
        indent = edited[line_start : found[0].start()]
        gap = f"\n{indent}" if not indent.strip() else " "
        edited = f'{edited[:end]},{gap}"{ENABLED_KEY}": false{edited[end:]}'
    else:
        try:
            if json.loads(edited) == wanted:
                return edited
        except json.JSONDecodeError:
            pass
    written = json.dumps(wanted, indent=_indent_of(text), ensure_ascii=False)
    return written + ("\n" if text.endswith("\n") else "")


def _indent_of(text: str) -> int | str | None:
    """The indent of the file's first indented line (None: a file on one line)."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and stripped != line:
            whitespace = line[: len(line) - len(stripped)]
            return "\t" if whitespace.startswith("\t") else len(whitespace)
    return None


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` (same mode), then rename it
    over ``path``: a reader sees the old file or the new one, never half of it."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise RelationRuleError(
            f"Cannot write relation rules {path}: {exc.strerror or exc}; nothing was changed."
        ) from exc
    temp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(path.stat().st_mode & 0o7777)
        temp.replace(path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise RelationRuleError(
            f"Cannot write relation rules {path}: {exc.strerror or exc}; nothing was changed."
        ) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
