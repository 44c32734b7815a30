"""``annotator eval --relations-by-rule``: the precision of each relation rule on
the reviewed documents, and ``--disable-below P``: switch the weak ones off in a
rules file (annotator/relation_quality.py scores, annotator/relation_rules.py
reads and writes the file; neither loads spaCy)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator.cli.common import EXIT_OK, CliError
from annotator.model import LabelKind
from annotator.relation_quality import (
    RuleTable,
    below,
    format_rule_table,
    model_against_gold,
    score_by_rule,
)
from annotator.relation_rules import default_rules_path, is_bundled, load_rules, switch_off
from annotator.store import Store

COPY_NAME = "relation_rules.json"


def check_rule_options(args: argparse.Namespace) -> None:
    """Refuse the rule options without --relations-by-rule, and bad values, before
    the database is read."""
    by_rule = getattr(args, "relations_by_rule", False)
    disable_below: float | None = getattr(args, "disable_below", None)
    if not by_rule:
        for flag, value in (
            ("--disable-below", disable_below),
            ("--relation-rules", getattr(args, "relation_rules", None)),
        ):
            if value is not None:
                raise CliError(f"{flag} goes with --relations-by-rule.")
        return
    if disable_below is None:
        return
    if not 0 < disable_below <= 1:
        raise CliError(
            f"--disable-below takes a precision above 0 and at most 1, not {disable_below}."
        )
    if args.min_proposals < 1:
        raise CliError(f"--min-proposals must be at least 1, not {args.min_proposals}.")
    if args.relation_rules is None or is_bundled(args.relation_rules):
        bundled = default_rules_path()
        raise CliError(
            f"--disable-below rewrites a rules file, and the bundled one ({bundled}) is never "
            f"rewritten. Copy it first: cp {shlex.quote(str(bundled))} {COPY_NAME} ; then run "
            f"this again with --relation-rules {COPY_NAME}, and import with --relation-rules "
            f"{COPY_NAME} to use it."
        )


def rule_table(store: Store, doc_ids: Sequence[int], rules_file: Path | None) -> RuleTable:
    """The per-rule table of ``doc_ids`` against the rules of ``rules_file`` (default:
    the bundled rules), with a progress bar when it takes more than a second."""
    from tqdm import tqdm

    rules = load_rules(rules_file)
    undirected = [label.name for label in store.labels(LabelKind.RELATION) if not label.directed]
    documents = (
        store.load_document(i)  # its gold: the reviewed layer, as `annotator eval` reads it
        for i in tqdm(doc_ids, unit="doc", desc="Scoring", file=sys.stderr, delay=1.0)
    )
    layers = ((document.model, document.gold) for document in documents)
    return score_by_rule(model_against_gold(layers), undirected, rules)


def report(table: RuleTable, args: argparse.Namespace) -> int:
    """Print the table; with --disable-below, switch the weak rules off in the
    rules file first and say which."""
    rules_file: Path = args.relation_rules or default_rules_path()
    switched: list[tuple[str, int, int]] | None = None
    if args.disable_below is not None:
        weak = below(table, args.disable_below, args.min_proposals)
        done = set(switch_off(rules_file, [rule for rule, _, _ in weak]))
        switched = [entry for entry in weak if entry[0] in done]
    if args.json:
        out: dict[str, object] = {**table.as_dict(), "rules_file": str(rules_file)}
        if switched is not None:
            out["switched_off"] = [
                {"rule": rule, "kept": kept, "proposed": proposed}
                for rule, kept, proposed in switched
            ]
        print(json.dumps(out, indent=2))
        return EXIT_OK
    print(f"Rules: {rules_file}")
    print(format_rule_table(table))
    if switched is not None:
        what = (
            f"precision under {args.disable_below:g} with at least {args.min_proposals} proposals"
        )
        if switched:
            listed = ", ".join(f"{r} ({k} of {p} kept)" for r, k, p in switched)
            print(f"Switched off in {rules_file} ({what}): {listed}.")
            print(f"Import with --relation-rules {shlex.quote(str(rules_file))} to use it.")
        else:
            print(f"No rule switched off: none switched on has {what}.")
    return EXIT_OK
