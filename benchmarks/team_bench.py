"""A team of simulated reviewers, merged, measured, adjudicated (issue 13).

    python benchmarks/team_bench.py [--articles 5] [--keep DIR]

The bundled article and ``--articles`` more made of its sentences are imported
with the real pipeline (en_core_web_sm 3.8.0). The truth is the hand review of
the bundled article (tests/fixtures/sample_entities_gold.json), carried over to
the sentences the other articles reuse. Three reviewers start from the
pipeline's predictions, as in the window, and each fixes what they notice, with
their own habits:

- ana: careful (fixes 95% of wrong predictions, finds 90% of missed entities),
  rare slips;
- ben: quicker (85%, 75%), confuses GPE and LOC, NORP and GPE now and then;
- cy: finds fewer missed entities (60%), trims titles off names and words off
  long organisations; reviews only the first four articles.

Every reviewer accepts what they reviewed. Their databases are merged, the
agreement report is printed (table and the JSON's ``micro``), and the time to
compare the reviews of every document (what adjudication does on opening one).
``--keep DIR`` keeps the databases (team.db to try `annotator adjudicate`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import sample_sentences, synthetic_articles

from annotator.adjudication import compare_layers
from annotator.agreement import AgreementDocument, agreement, format_table
from annotator.importer import run_import
from annotator.merge import merge
from annotator.model import Span, Status
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.resources import sample_articles
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sample_entities_gold.json"
Key = tuple[int, int, str]
CONFUSED = {"GPE": "LOC", "LOC": "GPE", "NORP": "GPE", "ORG": "GPE", "FAC": "ORG"}
TITLES = ("President", "Prime", "Minister", "Secretary", "Foreign", "spokesman", "Deputy")


class Habits:
    def __init__(
        self, name: str, fix: float, find: float, slip: float, trims: bool, articles: int
    ) -> None:
        self.name, self.fix, self.find, self.slip = name, fix, find, slip
        self.trims, self.articles = trims, articles


REVIEWERS = (
    Habits("ana", fix=0.95, find=0.90, slip=0.02, trims=False, articles=99),
    Habits("ben", fix=0.85, find=0.75, slip=0.06, trims=False, articles=99),
    Habits("cy", fix=0.90, find=0.60, slip=0.03, trims=True, articles=4),
)


def truths(texts: list[str]) -> dict[str, set[Key]]:
    """The hand review of the bundled article, carried to every text that reuses
    its sentences (each sentence found verbatim, its spans shifted)."""
    sample = sample_articles()[0].read_text(encoding="utf-8")
    gold = [tuple(s) for s in json.loads(FIXTURE.read_text(encoding="utf-8"))["spans"]]
    by_sentence: dict[str, list[Key]] = {}
    cursor = 0
    for sentence in sample_sentences():
        at = sample.find(sentence, cursor)
        if at < 0:
            continue
        cursor = at
        by_sentence[sentence] = [
            (a - at, b - at, label) for a, b, label in gold if at <= a and b <= at + len(sentence)
        ]
    found: dict[str, set[Key]] = {}
    for text in texts:
        keys: set[Key] = set()
        if text == sample:
            keys = {(a, b, str(label)) for a, b, label in gold}  # type: ignore[misc]
        else:
            for sentence, spans in by_sentence.items():
                for match in re.finditer(re.escape(sentence), text):
                    keys.update((a + match.start(), b + match.start(), lab) for a, b, lab in spans)
        found[text] = keys
    return found


def review(store: Store, doc_id: int, truth: set[Key], habits: Habits, rng: random.Random) -> None:
    """Fix the gold layer (the pipeline's predictions) towards the truth, with habits."""
    doc = store.load_document(doc_id)
    tokens, text = doc.tokens, doc.text
    predicted = {(s.start, s.end, s.label): s for s in doc.gold.spans}
    target: set[Key] = set()
    for key in predicted:  # a wrong prediction is fixed (deleted) if noticed
        if key in truth or rng.random() > habits.fix:
            target.add(key)
    for key in sorted(truth - set(predicted)):  # a missed (or mislabelled) entity, if found
        if rng.random() < (habits.fix if _same_place(key, predicted) else habits.find):
            target = {k for k in target if not _overlap(k, key)} | {key}
    for key in sorted(target):
        start, end, label = key
        if habits.trims:  # titles and the first word of long organisations go
            words = text[start:end].split()
            if len(words) > 1 and (words[0] in TITLES or (label == "ORG" and len(words) > 3)):
                trimmed = _snap(tokens, start + len(words[0]) + 1, end)
                if trimmed is not None:
                    target.discard(key)
                    target.add((trimmed[0], trimmed[1], label))
                    continue
        if rng.random() < habits.slip and label in CONFUSED:
            target.discard(key)
            target.add((start, end, CONFUSED[label]))
    remove = [s.id for k, s in predicted.items() if k not in target and s.id is not None]
    add = []
    for start, end, label in sorted(target - set(predicted)):
        found = tokens.token_span(start, end)
        if found is not None:
            add.append(Span(start, end, found[0], found[1], label))
    kept = [k for k in predicted if k in target]
    add = [s for s in add if not any(_overlap((s.start, s.end, ""), k) for k in kept)]
    add = _without_overlaps(add)
    change = store.replace_spans(doc_id, store.document_version(doc_id), remove, add)
    store.set_status(doc_id, change.version, Status.ACCEPTED)


def _same_place(key: Key, predicted: dict[Key, Span]) -> bool:
    return any(k[:2] == key[:2] for k in predicted)


def _overlap(a: Key, b: Key) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _without_overlaps(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if not kept or kept[-1].end <= span.start:
            kept.append(span)
    return kept


def _snap(tokens, start: int, end: int) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    found = tokens.snap(start, end, "contract")
    if found is None:
        return None
    return tokens.starts[found[0]], tokens.ends[found[1]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="team-bench-"))
    try:
        run(folder, args.articles)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for db in folder.glob("*.db"):
                shutil.copy2(db, args.keep / db.name)
            print(f"databases kept in {args.keep}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, articles: int) -> None:
    inputs = [*sample_articles()]
    for i, text in enumerate(synthetic_articles(articles, size=3000, seed=3)):
        path = folder / f"article-{i}.txt"
        path.write_text(text, encoding="utf-8")
        inputs.append(path)
    nlp = Pipeline(load_pipeline(None))
    base = folder / "base.db"
    t = time.perf_counter()
    with Store.open(base, actor="importer") as store:
        run_import(store, nlp, inputs)
        texts = {d: store.load_document(d).text for d in store.document_ids()}
    print(f"imported {len(texts)} articles with {nlp.name} in {time.perf_counter() - t:.1f} s")
    truth = truths(list(texts.values()))
    files = []
    for n, habits in enumerate(REVIEWERS):
        path = folder / f"{habits.name}.db"
        shutil.copyfile(base, path)
        rng = random.Random(100 + n)
        with Store.open(path, actor=habits.name) as store:
            for doc_id in sorted(texts)[: habits.articles]:
                review(store, doc_id, truth[texts[doc_id]], habits, rng)
        files.append(path)
    team = folder / "team.db"
    t = time.perf_counter()
    report = merge(files, team, actor="lead")
    print(
        f"merged {len(files)} reviewers' databases in {time.perf_counter() - t:.2f} s: "
        f"{report.summary()}"
    )
    with Store.open_to_read(team) as store:
        documents = [
            AgreementDocument(doc_id, title, tokens, store.reviews_of(doc_id))
            for doc_id, title, tokens in store.reviewed_documents()
        ]
        t = time.perf_counter()
        for doc_id, _, _ in store.reviewed_documents():
            compare_layers({r: a for r, (_, a) in store.reviews_of(doc_id).items()})
        compared = time.perf_counter() - t
    result = agreement(documents)
    print(format_table(result, lowest=5))
    print("micro (JSON):", json.dumps(result.as_dict()["micro"]))
    print(f"compared the reviews of {len(documents)} documents in {compared * 1000:.0f} ms")


if __name__ == "__main__":
    main()
