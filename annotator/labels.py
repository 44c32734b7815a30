"""The label configuration: entity and relation labels with color and hotkey."""

from __future__ import annotations

import colorsys
import hashlib
import json
import re
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.model import Label, LabelKind, is_label_name
from annotator.resources import default_labels_path

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class LabelConfigError(AnnotatorError, ValueError):
    """The label configuration file is unreadable or malformed."""


def load_labels(path: Path | None = None) -> list[Label]:
    """Read a label config (JSON with ``entity`` and ``relation`` lists)."""
    path = path or default_labels_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabelConfigError(f"cannot read label config {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelConfigError(f"label config {path} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise LabelConfigError(f"label config {path} must be a JSON object")
    labels: list[Label] = []
    seen: set[tuple[LabelKind, str]] = set()
    for kind in LabelKind:
        entries = raw.get(kind.value, [])
        if not isinstance(entries, list):
            raise LabelConfigError(f"label config {path}: '{kind.value}' must be a list")
        for n, entry in enumerate(entries, 1):
            where = f"label config {path}: {kind.value} label #{n}"
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise LabelConfigError(f"{where} needs a string 'name'")
            name = entry["name"].strip()
            if not is_label_name(name):
                raise LabelConfigError(f"{where}: name {name!r} must be one word")
            if (kind, name) in seen:
                raise LabelConfigError(f"{where}: {name} is listed twice")
            seen.add((kind, name))
            color = entry.get("color") or color_for(name)
            if not isinstance(color, str) or not _COLOR.match(color):
                raise LabelConfigError(f"{where} ({name}): color must look like #rrggbb")
            head_types = _names(entry.get("head_types", []), f"{where} ({name}): head_types")
            child_types = _names(entry.get("child_types", []), f"{where} ({name}): child_types")
            labels.append(
                Label(
                    name=name,
                    kind=kind,
                    color=color.lower(),
                    hotkey=str(entry.get("hotkey", "")),
                    description=str(entry.get("description", "")),
                    head_types=head_types,
                    child_types=child_types,
                    directed=bool(entry.get("directed", True)),
                )
            )
    return labels


def _names(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LabelConfigError(f"{where} must be a list of entity label names")
    return tuple(value)


def color_for(name: str) -> str:
    """A stable pastel color for a label that has none configured."""
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    hue = digest[0] / 255.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.78, 0.65)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
