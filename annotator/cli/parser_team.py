"""The team commands' parsers: merge, agreement, adjudicate."""

from __future__ import annotations

import argparse
from pathlib import Path

from annotator.cli.parser_annotate import AddCommand


def add_team_commands(
    command: AddCommand, common: argparse.ArgumentParser, identity: argparse.ArgumentParser
) -> list[argparse.ArgumentParser]:
    """Add the team commands; returns the parsers that open the window (they take
    the window's --keymap and --trace-timings, as build_parser adds them)."""
    command(
        "merge",
        _merge_options,
        parents=[identity],
        help="merge reviewers' databases into one team database (a layer per reviewer)",
        description="Merge the reviewers' databases (one file per reviewer) into a team "
        "database. Documents are matched by content hash; each reviewer's gold layer "
        "becomes the layer reviewer:NAME (NAME: who set the document's status, else who "
        "last edited it), the model layer is kept once, and each reviewer's status is "
        "kept. The same reviewer with different reviews of a document is a conflict: "
        "all are listed and nothing is merged. Every input is checked before the output "
        "is written; then each document is one transaction, so merging again adds only "
        "new or newer reviews, and an interrupted merge is finished by running it again.",
    )
    command(
        "agreement",
        _agreement_options,
        parents=[common],
        help="how far the reviewers of a team database agree (F1, Cohen's and Fleiss' kappa)",
        description="For every pair of reviewers, over the documents both reviewed with "
        "the given statuses: entity F1 (exact span and label; symmetric), Cohen's kappa "
        "over IOB token tags, relation F1, per label and micro-averaged; Fleiss' kappa "
        "with more than two reviewers; the documents with the lowest agreement. --db is "
        "the team database `annotator merge` wrote.",
    )
    adjudicate = command(
        "adjudicate",
        _adjudicate_options,
        parents=[common],
        help="settle the reviewers' disagreements in the window (the final layer)",
        description="Open the review window on a team database in adjudication mode: "
        "it edits the final layer, seeded on each document's first visit with what "
        "the reviewers agree on; their disagreements are drawn in place with who "
        "proposed each span. F8 / Shift+F8: next / previous disagreement; Alt+1..9: "
        "take that reviewer's version (reviewers by name); Alt+B: both, where they "
        "do not overlap; every other key edits as usual. Documents are listed by how "
        "much is left to settle.",
    )
    return [adjudicate]


def _merge_options(merge: argparse.ArgumentParser) -> None:
    merge.add_argument("inputs", nargs="+", type=Path, metavar="DB", help="reviewers' databases")
    merge.add_argument(
        "--output", "-o", type=Path, required=True, metavar="TEAM_DB", help="team database"
    )


def _agreement_options(agree: argparse.ArgumentParser) -> None:
    agree.add_argument("--json", action="store_true", help="print JSON instead of tables")
    agree.add_argument(
        "--status",
        default="accepted",
        help="the reviewers' statuses of the documents to compare: accepted, rejected, "
        "skipped, todo, or all (default: accepted)",
    )
    agree.add_argument("--lowest", type=int, default=10, metavar="N", help="documents to list (10)")


def _adjudicate_options(adjudicate: argparse.ArgumentParser) -> None:
    adjudicate.add_argument(
        "path", type=Path, nargs="?", metavar="TEAM_DB", help="team database (or --db)"
    )


def layer_name(text: str) -> str:
    """``export --layer``: gold, model, final or reviewer:NAME."""
    from annotator.model import is_layer_name

    if not is_layer_name(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a layer: gold, model, final or reviewer:NAME"
        )
    return text
