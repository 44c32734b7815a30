"""Fine-tune a pipeline's entity recognizer on reviewed documents (``annotator train``).

spaCy trains, as ``spacy train`` does (``spacy.training.initialize.init_nlp`` and
``spacy.training.loop.train``), from a config made here and ``.spacy`` files
written from the documents' stored tokens and spans (see docbin.py); the logger
that reports its progress is in training_progress.py.

- What it learns: the ``ner`` component only. Every other component of the base is
  sourced from it (``[components.X] source``) and frozen
  (``[training] frozen_components``), so a tagger and a parser predict exactly what
  they did; a frozen tok2vec that the NER listens to sets its annotations while the
  NER trains (``annotating_components``). A base without an NER gets a fresh one,
  and labels the base's NER does not know are added to it.
- Rehearsal (rehearsal.py): with ``rehearse`` above 0, the base's own
  predictions on documents nobody reviewed join the training documents (never
  the dev ones), so that the NER does not forget what the reviews do not show.
- What it leaves: spaCy's best model (model-best) as an ordinary pipeline folder at
  the output, whose meta.json says which database and documents it learnt from and
  how it scored. It is trained in a temporary folder beside the output and renamed
  into place at the end. Ctrl+C publishes the best model so far, if an evaluation
  has made one, and otherwise leaves nothing.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train
from thinc.api import Config

from annotator.formats.records import Record
from annotator.nlp.pipeline import (
    describe,
)
from annotator.nlp.rehearsal import Rehearsal, SilverDocument, rehearse
from annotator.nlp.training_progress import Evaluation, Tracker, tracking
from annotator.nlp.training_setup import (
    TRAINED,
    TrainingError,
    TrainSettings,
    check_output,
    load_base,
    publish,
    split_ids,
    training_config,
    work_folder,
    write_corpus,
)

_MODEL_BEST = "model-best"


@dataclass(frozen=True, slots=True)
class TrainResult:
    path: Path  # the published pipeline folder
    name: str  # its identity as imported documents store it (pipeline.describe)
    base: str
    train_ids: tuple[int, ...]
    dev_ids: tuple[int, ...]
    labels: tuple[str, ...]  # what its NER predicts
    new_labels: tuple[str, ...]  # labels the base's NER did not know (all, for a new NER)
    frozen: tuple[str, ...]
    scores: dict[str, Any]  # on the dev documents, at the best step
    best_step: int
    steps: int  # training steps run
    interrupted: bool = False
    silver_ids: tuple[int, ...] = ()  # documents rehearsed with the base's predictions


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl+C during training: ``result`` is the best model so far, published at
    the output, or None when there was none (nothing was written)."""

    def __init__(self, result: TrainResult | None, steps: int) -> None:
        super().__init__()
        self.result = result
        self.steps = steps


# ---- training ---------------------------------------------------------------------


def train_ner(
    load: Callable[[int], Record],
    ids: Sequence[int],
    settings: TrainSettings,
    progress: Callable[[Evaluation], None] = lambda e: None,
    say: Callable[[str], None] = lambda s: None,
    step: Callable[[int], None] | None = None,
    silver: Iterable[SilverDocument] = (),
) -> TrainResult:
    """Train the NER of ``settings.base`` on the documents ``ids`` (``load`` gives
    each as a record: its tokens and the spans to learn) and publish the best model
    at ``settings.output``. With ``settings.rehearse`` above 0, the first of the
    ``silver`` documents (not reviewed; read only as far as needed) are rehearsed
    with the base's predictions (rehearsal.py). Raises TrainingError, ModelNotFoundError, or
    TrainingInterrupted (a KeyboardInterrupt) on Ctrl+C. ``step(n)`` is called
    after each of the ``n`` steps (once spaCy has saved its checkpoint); a
    KeyboardInterrupt it raises stops the training as Ctrl+C does (the window's
    Cancel)."""
    if not 0 < settings.dev < 1:
        raise TrainingError(f"--dev must be between 0 and 1, e.g. 0.2, not {settings.dev}.")
    if settings.max_steps < 1:
        raise TrainingError(f"--max-steps must be at least 1, not {settings.max_steps}.")
    if not 0 <= settings.rehearse < float("inf"):
        raise TrainingError(
            f"--rehearse must be 0 (no rehearsal) or more, e.g. 1.0, not {settings.rehearse}."
        )
    output = settings.output.expanduser().absolute()
    train_ids, dev_ids = split_ids(ids, settings.dev, settings.seed)
    check_output(output, settings.overwrite)
    work = work_folder(output)
    try:
        plan = _prepare(load, train_ids, dev_ids, settings, work, say, silver)
        nlp = init_nlp(plan.config)
        ner = _ner(nlp)
        for label in plan.labels:  # new to the base, or in the dev documents only
            ner.add_label(label)
        tracker = Tracker(progress, step)
        training_dir = work / "training"
        training_dir.mkdir()
        quiet = io.StringIO()  # spaCy's own lines would name the temporary folder
        interrupted = False
        try:
            with tracking(tracker):
                spacy_train(nlp, training_dir, stdout=quiet, stderr=quiet)
        except KeyboardInterrupt:
            interrupted = True
        best = training_dir / _MODEL_BEST
        if interrupted and (tracker.best is None or not _loads(best)):
            raise TrainingInterrupted(None, tracker.steps)
        result = _finish(best, output, settings, plan, tracker, interrupted)
        if interrupted:
            raise TrainingInterrupted(result, tracker.steps)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class _Plan:
    config: Config
    base: str  # as the user sees it
    train_ids: tuple[int, ...]
    dev_ids: tuple[int, ...]
    labels: tuple[str, ...]
    new_labels: tuple[str, ...]
    frozen: tuple[str, ...]
    rehearsal: Rehearsal


def _prepare(
    load: Callable[[int], Record],
    train_ids: Sequence[int],
    dev_ids: Sequence[int],
    settings: TrainSettings,
    work: Path,
    say: Callable[[str], None],
    silver: Iterable[SilverDocument] = (),
) -> _Plan:
    """Load the base, write the corpus, make the config."""
    base = load_base(settings.base)
    corpus = work / "corpus"
    train_path, dev_path = corpus / "train", corpus / "dev.spacy"  # train: a folder
    train_path.mkdir(parents=True)
    reviewed = {doc_id: load(doc_id) for doc_id in train_ids}
    counts = write_corpus(reviewed.__getitem__, train_ids, base.lang, train_path / "gold.spacy")
    counts += write_corpus(load, dev_ids, base.lang, dev_path)
    rehearsal = rehearse(base, silver, settings.rehearse, list(reviewed.values()), say)
    if rehearsal.records:
        rehearsal.to_disk(train_path / "silver.spacy", base.lang)
    if not counts:
        raise TrainingError(
            f"The {len(train_ids) + len(dev_ids)} documents have no entities to learn from "
            "(no spans in their gold layer)."
        )
    labels = tuple(sorted(counts))
    known = _known_labels(base.nlp)
    new_labels = tuple(label for label in labels if label not in (known or ()))
    if known is None:
        say(f"{base.label} has no NER: a new one learns {', '.join(labels)}.")
    elif new_labels:
        say(f"The NER of {base.label} does not know {', '.join(new_labels)}: added.")
    eval_frequency = min(200, max(1, settings.max_steps // 5))
    config = training_config(base, train_path, dev_path, settings, eval_frequency)
    frozen = tuple(config["training"]["frozen_components"])
    silver_note = ""
    if rehearsal.records:
        silver_note = (
            f" and rehearsing {len(rehearsal.records)} not reviewed with the base's predictions"
        )
    say(
        f"Training {TRAINED} from {base.label} on {len(train_ids)} documents{silver_note}, "
        f"scoring on {len(dev_ids)}; at most {settings.max_steps} steps, scored every "
        f"{eval_frequency}"
        + (f"; frozen: {', '.join(frozen)}" if frozen else "")
        + ". Ctrl+C stops and keeps the best model so far."
    )
    return _Plan(
        config,
        base.label,
        tuple(train_ids),
        tuple(dev_ids),
        labels,
        new_labels,
        frozen,
        rehearsal,
    )


def _ner(nlp: Language) -> EntityRecognizer:
    ner = nlp.get_pipe(TRAINED)
    if not isinstance(ner, EntityRecognizer):
        raise TrainingError(
            f"The base pipeline's {TRAINED!r} component is not a trainable entity "
            f"recognizer ({type(ner).__name__}); train from another base."
        )
    return ner


def _known_labels(nlp: Language) -> tuple[str, ...] | None:
    """The labels of the base's NER; None if it has no trainable NER."""
    if TRAINED not in nlp.component_names:
        return None
    return tuple(_ner(nlp).labels)


def _loads(folder: Path) -> bool:
    """Whether a model folder is complete (a Ctrl+C may have cut its copy short)."""
    try:
        spacy.load(folder)
    except Exception:  # any failure means: not a usable model
        return False
    return True


def _finish(
    best: Path,
    output: Path,
    settings: TrainSettings,
    plan: _Plan,
    tracker: Tracker,
    interrupted: bool,
) -> TrainResult:
    """Give spaCy's best model its name, its meta and a config without the
    temporary paths, check that it loads, and publish it at ``output``."""
    meta_path = best / "meta.json"
    meta = srsly.read_json(meta_path)
    measured = {  # the frozen components were not scored here: no gold for them
        key: value
        for key, value in (meta.get("performance") or {}).items()
        if key.startswith("ents_") or key == f"{TRAINED}_loss"
    }
    scores = {key: value for key, value in measured.items() if key.startswith("ents_")}
    best_step = tracker.best.step if tracker.best is not None else 0
    silver = plan.rehearsal.doc_ids
    meta.update(
        name=_meta_name(output),
        version=settings.version,
        description=(
            f"{plan.base} with its {TRAINED} trained by annotator on "
            f"{len(plan.train_ids) + len(plan.dev_ids)} reviewed documents"
            + (f", rehearsing its own predictions on {len(silver)} others" if silver else "")
        ),
        performance=measured,
    )
    meta["annotator"] = {
        **settings.provenance,
        "documents": sorted((*plan.train_ids, *plan.dev_ids)),
        "train_documents": list(plan.train_ids),
        "dev_documents": list(plan.dev_ids),
        "base": plan.base,
        "trained": [TRAINED],
        "frozen": list(plan.frozen),
        "labels": list(plan.labels),
        "new_labels": list(plan.new_labels),
        "dev_share": settings.dev,
        "seed": settings.seed,
        "rehearse": settings.rehearse,
        "silver_documents": silver,
        "rehearsal": plan.rehearsal.summary(),
        "max_steps": settings.max_steps,
        "steps": tracker.steps,
        "best_step": best_step,
        "interrupted": interrupted,
        "scores": scores,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    srsly.write_json(meta_path, meta)
    config = Config().from_disk(best / "config.cfg", interpolate=False)
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    config["training"]["logger"] = {"@loggers": "spacy.ConsoleLogger.v1", "progress_bar": False}
    config.to_disk(best / "config.cfg")
    nlp = spacy.load(best)
    result = TrainResult(
        path=output,
        name=describe(nlp),
        base=plan.base,
        train_ids=plan.train_ids,
        dev_ids=plan.dev_ids,
        labels=tuple(_ner(nlp).labels),
        new_labels=plan.new_labels,
        frozen=plan.frozen,
        scores=scores,
        best_step=best_step,
        steps=tracker.steps,
        interrupted=interrupted,
        silver_ids=tuple(silver),
    )
    try:
        publish(best, output)
    except OSError as exc:
        raise TrainingError(
            f"Cannot move the trained pipeline into {output}: {exc.strerror or exc}; "
            "nothing was written there."
        ) from exc
    return result


def _meta_name(output: Path) -> str:
    """The pipeline's name (meta.json): its folder's name as a package name would be."""
    return re.sub(r"[^a-z0-9]+", "_", output.name.lower()).strip("_") or "ner"
