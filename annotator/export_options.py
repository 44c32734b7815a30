"""What an export writes, chosen by the user; no I/O here (the CLI and the window share it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.registry import NAMES as FORMATS
from annotator.model import Layer, Status

__all__ = ["FORMATS", "ExportError", "ExportOptions", "ExportReport", "parse_ids"]


class ExportError(AnnotatorError):
    """The export was refused or failed; nothing was written."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    format: str = "jsonl"
    # model, gold, or in a team database final or reviewer:NAME (model.is_layer_name)
    layer: str = Layer.GOLD
    statuses: tuple[Status, ...] = (Status.ACCEPTED,)
    ids: tuple[tuple[int, int], ...] = ()  # inclusive id ranges; empty: all
    search: str | None = None  # only documents whose text contains this
    split: float | None = None  # formats that split: share of documents for training
    seed: int = 0
    # options of the format, as (name, value) pairs: see Format.options
    format_options: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class ExportReport:
    documents: int = 0
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what was written but may surprise


def parse_ids(text: str) -> tuple[tuple[int, int], ...]:
    """``"1-100,250"`` -> ``((1, 100), (250, 250))``."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError as exc:
            raise ExportError(f"{part!r} is not a document id or id range like 1-100.") from exc
        if first > last:
            raise ExportError(f"The id range {part} is empty.")
        ranges.append((first, last))
    return tuple(ranges)
