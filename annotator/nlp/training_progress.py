"""What spaCy's training loop reports, as ``annotator train`` shows it: each
scoring of the dev documents (``Evaluation``), through a logger registered in
spaCy's registry (``[training.logger]``) that hands every step to the running
training (training.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any

from spacy.language import Language
from spacy.util import registry

from annotator.nlp.training_setup import LOGGER, TRAINED

SCORES = ("ents_f", "ents_p", "ents_r")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One scoring of the dev documents during training."""

    step: int
    epoch: int
    loss: float  # the NER's loss since the evaluation before
    scores: dict[str, float]  # ents_f, ents_p, ents_r (0..1)
    best: bool  # the best so far: it is what model-best holds now
    seconds: int

    def line(self) -> str:
        f, p, r = (100 * self.scores.get(k, 0.0) for k in SCORES)
        best = "  best so far" if self.best else ""
        return (
            f"step {self.step:>6}  epoch {self.epoch:>3}  loss {self.loss:>10.2f}  "
            f"F {f:5.1f}  P {p:5.1f}  R {r:5.1f}  {self.seconds:>5}s{best}"
        )


@dataclass
class Tracker:
    """What spaCy's training loop reported through our logger."""

    progress: Callable[[Evaluation], None]
    step: Callable[[int], None] | None = None  # after every step; may raise KeyboardInterrupt
    steps: int = 0
    best: Evaluation | None = None

    def log_step(self, info: dict[str, Any] | None) -> None:
        self.steps += 1
        if info is not None:  # a step with an evaluation
            self._evaluated(info)
        if self.step is not None:
            self.step(self.steps)

    def _evaluated(self, info: dict[str, Any]) -> None:
        other = info.get("other_scores") or {}
        checkpoints = info.get("checkpoints") or [(info["score"], info["step"])]
        evaluation = Evaluation(
            step=int(info["step"]),
            epoch=int(info["epoch"]),
            loss=float(info["losses"].get(TRAINED, 0.0)),
            scores={k: float(other.get(k) or 0.0) for k in SCORES},
            best=info["score"] >= max(score for score, _ in checkpoints),
            seconds=int(info["seconds"]),
        )
        if evaluation.best:
            self.best = evaluation
        self.progress(evaluation)


_TRACKER: ContextVar[Tracker | None] = ContextVar("annotator_training_tracker", default=None)


def _progress_logger() -> Callable[..., Any]:
    """spaCy's ``[training.logger]``: hands every step to the running training."""

    def setup(
        nlp: Language, stdout: IO[str] = sys.stdout, stderr: IO[str] = sys.stderr
    ) -> tuple[Callable[[dict[str, Any] | None], None], Callable[[], None]]:
        tracker = _TRACKER.get()

        def log_step(info: dict[str, Any] | None) -> None:
            if tracker is not None:
                tracker.log_step(info)

        return log_step, lambda: None

    return setup


registry.loggers.register(LOGGER, func=_progress_logger)


@contextmanager
def tracking(tracker: Tracker) -> Iterator[None]:
    token = _TRACKER.set(tracker)
    try:
        yield
    finally:
        _TRACKER.reset(token)
