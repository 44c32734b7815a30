"""Options of export formats: one table that the command line (``annotator export
--conll-sep tab``) and the export dialog both derive from. A format reads the
options its registry entry lists (``Format.options``) from ``WriteSettings``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FormatOption:
    name: str  # as in WriteSettings.option(name, default)
    flag: str  # on the command line
    title: str  # in the export dialog, with its &mnemonic
    help: str
    choices: tuple[str, ...] = ()  # the first is the default; none: an on/off switch

    @property
    def default(self) -> str:
        return self.choices[0] if self.choices else ""


OPTIONS: tuple[FormatOption, ...] = (
    FormatOption(
        "conll_sep",
        "--conll-sep",
        "Column &separator",
        "conll: the separator between a token and its tag (default: space)",
        ("space", "tab"),
    ),
    FormatOption(
        "by_sentence",
        "--by-sentence",
        "One row per se&ntence",
        "hf: one row per sentence (default: one per document)",
    ),
    FormatOption(
        "doccano_shape",
        "--doccano-shape",
        "doccano s&hape",
        "doccano: entities and relations (default), or the sequence-labeling shape "
        '"label": [[start, end, LABEL], ...] without relations',
        ("entities", "label"),
    ),
)


def get_option(name: str) -> FormatOption:
    for option in OPTIONS:
        if option.name == name:
            return option
    raise KeyError(name)
