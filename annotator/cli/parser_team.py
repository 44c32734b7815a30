"""The team commands' parsers: merge, agreement, adjudicate."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def add_team_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    identity: argparse.ArgumentParser,
    fills: Callable[[str], bool] = lambda command: True,
) -> list[argparse.ArgumentParser]:
    """Add the team commands, with their options where ``fills`` says so (see
    build_parser); returns the parsers that open the window (they take the
    window's --keymap and --trace-timings, as build_parser adds them)."""
    merge = commands.add_parser(
        "merge",
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
    if fills("merge"):
        merge.add_argument(
            "inputs", nargs="+", type=Path, metavar="DB", help="reviewers' databases"
        )
        merge.add_argument(
            "--output", "-o", type=Path, required=True, metavar="TEAM_DB", help="team database"
        )
    agree = commands.add_parser(
        "agreement",
        parents=[common],
        help="how far the reviewers of a team database agree (F1, Cohen's and Fleiss' kappa)",
        description="For every pair of reviewers, over the documents both reviewed with "
        "the given statuses: entity F1 (exact span and label; symmetric), Cohen's kappa "
        "over IOB token tags, relation F1, per label and micro-averaged; Fleiss' kappa "
        "with more than two reviewers; the documents with the lowest agreement. --db is "
        "the team database `annotator merge` wrote.",
    )
    if fills("agreement"):
        agree.add_argument("--json", action="store_true", help="print JSON instead of tables")
        agree.add_argument(
            "--status",
            default="accepted",
            help="the reviewers' statuses of the documents to compare: accepted, rejected, "
            "skipped, todo, or all (default: accepted)",
        )
        agree.add_argument(
            "--lowest", type=int, default=10, metavar="N", help="documents to list (10)"
        )
    adjudicate = commands.add_parser(
        "adjudicate",
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
    if fills("adjudicate"):
        adjudicate.add_argument(
            "path", type=Path, nargs="?", metavar="TEAM_DB", help="team database (or --db)"
        )
    return [adjudicate]


def layer_name(text: str) -> str:
    """``export --layer``: gold, model, final or reviewer:NAME."""
    from annotator.model import is_layer_name

    if not is_layer_name(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a layer: gold, model, final or reviewer:NAME"
        )
    return text
