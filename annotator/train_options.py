"""What the window's "Train on my reviews…" asks for and gets back; no I/O here.

The window (annotator.ui) may not import spaCy, so the training and the
re-annotation run in callables that a module above it makes
(annotator.train_runner); these are the shapes they exchange."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# ``annotator train --rehearse`` and the dialog's Rehearse when not given: silver
# documents (the base's predictions on documents not reviewed) per training one
# (annotator/nlp/rehearsal.py). Off: on benchmarks/learning_curve.py it did not
# lower the fixes, held out or on the bundled article (README, "Rehearsal").
DEFAULT_REHEARSE = 0.0


@dataclass(frozen=True, slots=True)
class TrainRequest:
    """The dialog's choices."""

    output: Path  # the pipeline folder to make (new, or empty)
    base: str | None = None  # package, folder or blank:LANG; None: what pre-annotated them
    max_steps: int | None = None  # None: annotator train's default
    rehearse: float | None = None  # silver documents per training one; None: the default
    actor: str | None = None  # who the model is recorded as made by


@dataclass(frozen=True, slots=True)
class TrainScore:
    """One scoring of the dev documents during training."""

    step: int
    loss: float  # the NER's loss since the scoring before
    f: float  # entity F1 on the dev documents (0..1)
    p: float
    r: float
    best: bool  # the best so far: the model kept if training stops now


class TrainingMonitor(Protocol):
    """The training's reports to the window, from the training's thread."""

    def step(self, done: int, total: int) -> None:
        """``done`` training steps of at most ``total``."""

    def scored(self, score: TrainScore) -> None: ...

    def said(self, text: str) -> None:
        """A note: the base chosen, labels added, the documents used."""

    def stopping(self) -> bool:
        """True once the user asked to stop (the best model so far is kept)."""


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    """What a training left behind."""

    path: Path | None  # the pipeline folder; None: stopped before any scoring, nothing written
    model_id: int | None  # its row in the models table
    name: str = ""  # its identity, as re-annotated documents record it
    base: str = ""
    scores: Mapping[str, float] = field(default_factory=dict)  # ents_f, ents_p, ents_r
    best_step: int = 0
    steps: int = 0  # training steps run
    train_documents: int = 0
    dev_documents: int = 0
    silver_documents: int = 0  # not reviewed, rehearsed with the base's predictions
    interrupted: bool = False  # stopped by the user: the best model so far
    to_reannotate: int = 0  # documents not yet reviewed that this model has not re-annotated


@dataclass(frozen=True, slots=True)
class ReannotateOutcome:
    summary: str
    doc_ids: tuple[int, ...]  # the documents re-annotated (committed)
    stopped: bool = False  # stopped between documents; running it again does the rest


class Training(Protocol):
    """What the window needs to train and re-annotate (annotator.train_runner's)."""

    def train(self, request: TrainRequest, monitor: TrainingMonitor) -> TrainOutcome:
        """Train on the accepted documents, reporting to ``monitor``; raises
        AnnotatorError (too few documents, unknown base, unwritable folder) with a
        message for the user."""

    def reannotate(
        self,
        model: Path,
        actor: str | None,
        progress: Callable[[int, int], None],
        stop: Callable[[], bool],
    ) -> ReannotateOutcome:
        """Re-annotate the documents not yet reviewed with the pipeline folder
        ``model``, as ``actor``; ``progress(done, total)`` after each document;
        stops between documents once ``stop()`` is true."""
