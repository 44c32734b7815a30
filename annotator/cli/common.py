"""What every command shares: exit codes, the error type, the --reviewer and --status options."""

from __future__ import annotations

import argparse

from annotator.errors import AnnotatorError
from annotator.identity import InvalidActorError, check_actor
from annotator.model import Status

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class CliError(AnnotatorError):
    """A failure the user can act on; printed as one message, exit code 2."""


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def reviewer_of(args: argparse.Namespace) -> str | None:
    """The --reviewer name, checked; None if not given (Store.open then finds the
    default: annotator.store.resolve_reviewer)."""
    given: str | None = getattr(args, "reviewer", None)
    if given is None:
        return None
    try:
        return check_actor(given)
    except InvalidActorError as exc:
        raise CliError(f"--reviewer: {exc}") from exc


def statuses_of(text: str) -> tuple[Status, ...]:
    if text.strip() == "all":
        return tuple(Status)
    try:
        return tuple(Status(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise CliError(
            f"{text!r} is not a list of statuses (accepted, rejected, skipped, todo, all)."
        ) from exc


def f_score(scores: dict[str, object]) -> str:
    f, p, r = (scores.get(k) for k in ("ents_f", "ents_p", "ents_r"))
    if isinstance(f, int | float) and isinstance(p, int | float) and isinstance(r, int | float):
        return f"F {100 * f:.1f} P {100 * p:.1f} R {100 * r:.1f}"
    return "not scored"
