"""The team commands: merge reviewers' databases, their agreement, adjudication."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotator.cli.common import EXIT_INTERRUPTED, EXIT_OK, CliError, reviewer_of


def merge_command(db_path: Path, args: argparse.Namespace) -> int:
    """`annotator merge A.db B.db ... --output TEAM.db`."""
    from tqdm import tqdm

    from annotator.merge import MergeError, plan_merge, run_merge

    try:
        plan = plan_merge(args.inputs, args.output)
    except MergeError as exc:
        raise CliError(str(exc)) from exc
    print(
        f"Checked {len(plan.inputs)} database{'s' if len(plan.inputs) != 1 else ''}: "
        f"{len(plan.groups)} documents, {plan.reviews} reviews.",
        file=sys.stderr,
    )
    bar = tqdm(total=len(plan.groups), unit="doc", desc="Merging", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    try:
        report = run_merge(plan, reviewer_of(args), progress)
    except MergeError as exc:
        raise CliError(str(exc)) from exc
    except KeyboardInterrupt:
        print(
            "Interrupted. The documents merged so far are kept; run the same command again "
            "to merge the rest.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        bar.close()
    print(f"Merged into {args.output}: {report.summary()}.")
    return EXIT_OK


def agreement_command(db_path: Path, args: argparse.Namespace) -> int:
    """`annotator agreement --db TEAM.db [--json] [--status accepted]`."""
    import json

    from annotator.agreement import AgreementDocument, agreement, format_table
    from annotator.cli.common import statuses_of
    from annotator.store import Store

    if not db_path.exists():
        raise CliError(f"No database at {db_path}.")
    statuses = statuses_of(args.status)
    with Store.open_to_read(db_path, reviewer_of(args)) as store:
        if not store.is_team_database():
            raise CliError(
                f"{db_path} has no reviewers' reviews: it is not a team database. Make one "
                "with `annotator merge A.db B.db --output TEAM.db`."
            )
        documents = [
            AgreementDocument(doc_id, title, tokens, store.reviews_of(doc_id))
            for doc_id, title, tokens in store.reviewed_documents()
        ]
    report = agreement(documents, statuses)
    if args.json:
        print(json.dumps(report.as_dict(args.lowest), indent=2, ensure_ascii=False))
    else:
        print(format_table(report, args.lowest))
    return EXIT_OK


def adjudicate_command(db_path: Path, args: argparse.Namespace) -> int:
    """`annotator adjudicate TEAM.db` (or `--db TEAM.db`): the window, adjudicating."""
    from annotator.cli.window import start_window

    path = args.path or getattr(args, "db", None)
    if path is None:
        raise CliError("Name the team database: annotator adjudicate TEAM.db.")
    return start_window(
        path,
        getattr(args, "keymap", None),
        getattr(args, "trace_timings", None),
        reviewer_of(args),
        adjudicate=True,
    )
