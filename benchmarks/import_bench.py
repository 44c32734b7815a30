"""Import throughput against bare nlp.pipe, one 1 MB article, and --jobs.

    python benchmarks/import_bench.py [--docs 2000] [--model NAME]
        [--jobs 2] [--jobs-docs 200] [--jobs-only]

Prints: seconds and documents/s for bare ``nlp.pipe`` over the synthetic corpus,
the same for ``annotator import`` of it (read, check, pipe, store), the storage
overhead as a share of the bare time, then time and peak memory (RSS) to import
one 1 MB article in a fresh process. Then the import of --jobs-docs articles
with the pipeline in one process and in --jobs processes (``annotator import
--jobs N``), one after the other in this run, each into a new database: both
times, the speed-up, and whether both databases hold the same annotations. The
machine's load average is printed with it: other work on the cores lowers the
speed-up, so compare figures from a quiet machine. The CPU time of each run (this
process and the workers) shows what the processes cost whatever the load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import synthetic_articles

from annotator.importer import run_import
from annotator.model import Layer
from annotator.nlp.pipeline import Pipeline
from annotator.store import Store

ONE_MB_CHILD = """
import resource, sys, time
from pathlib import Path
from annotator.importer import run_import
from annotator.nlp.pipeline import Pipeline
from annotator.store import Store
pipeline = Pipeline.load(sys.argv[3] or None)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
with Store.open(Path(sys.argv[1])) as store:
    report = run_import(store, pipeline, [Path(sys.argv[2])])
    doc = store.load_document(report.doc_ids[0])
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{elapsed:.2f} {base / 1024:.0f} {peak / 1024:.0f} {len(doc.tokens)} {len(doc.model.spans)}")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--jobs", type=int, default=2, help="processes to compare with one (2)")
    parser.add_argument("--jobs-docs", type=int, default=200, help="articles for --jobs (200)")
    parser.add_argument("--jobs-only", action="store_true", help="only the --jobs comparison")
    args = parser.parse_args()

    if not args.jobs_only:
        throughput(args)
    compare_jobs(synthetic_articles(args.jobs_docs), args.model, args.jobs)


def throughput(args: argparse.Namespace) -> None:
    texts = synthetic_articles(args.docs)
    mean = sum(map(len, texts)) / len(texts)
    pipeline = Pipeline.load(args.model)
    print(f"pipeline {pipeline.name}; {len(texts)} articles, mean {mean:.0f} characters")
    list(pipeline.nlp.pipe(texts[:50]))  # warm up

    t = time.perf_counter()
    for _ in pipeline.nlp.pipe(texts, batch_size=64):
        pass
    bare = time.perf_counter() - t
    print(f"bare nlp.pipe:     {bare:7.1f} s  {len(texts) / bare:6.1f} docs/s")

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        corpus.write_text("\n".join(json.dumps({"text": x}) for x in texts), encoding="utf-8")
        with Store.open(Path(tmp) / "bench.db") as store:
            t = time.perf_counter()
            report = run_import(store, pipeline, [corpus], batch_size=64)
            full = time.perf_counter() - t
        assert report.imported == len(texts), report.summary()
        print(f"annotator import:  {full:7.1f} s  {len(texts) / full:6.1f} docs/s")
        print(
            f"storage overhead:  {full - bare:7.1f} s  {100 * (full - bare) / bare:5.1f} % of bare"
        )

        big = Path(tmp) / "big.txt"
        article = "\n".join(synthetic_articles(260, seed=11))[:1_000_000]
        big.write_text(article, encoding="utf-8")
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                ONE_MB_CHILD,
                str(Path(tmp) / "big.db"),
                str(big),
                args.model or "",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        seconds, base, peak, tokens, spans = out
        print(
            f"1 MB article ({len(article):,} chars, {int(tokens):,} tokens, {int(spans):,} "
            f"entities): {seconds} s; peak RSS of the process {peak} MB (it was {base} MB "
            "once the pipeline had loaded)"
        )


def compare_jobs(texts: list[str], model: str | None, jobs: int) -> None:
    """Import ``texts`` with the pipeline in one process, then in ``jobs``."""
    cores = len(os.sched_getaffinity(0))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"--jobs: {len(texts)} articles, 1 process vs {jobs}, on {cores} cores "
        f"(load average before: {load})"
    )
    seconds: dict[int, float] = {}
    stored: dict[int, list[object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        corpus.write_text("\n".join(json.dumps({"text": x}) for x in texts), encoding="utf-8")
        for processes in (1, jobs):
            pipeline = Pipeline.load(model, processes=processes)  # loading is not timed
            list(pipeline.nlp.pipe(texts[:10]))  # warm up (the workers inherit it)
            with Store.open(Path(tmp) / f"jobs-{processes}.db") as store:
                cpu = cpu_seconds()
                t = time.perf_counter()  # the workers' start is timed: it is part of it
                report = run_import(store, pipeline, [corpus], batch_size=64)
                seconds[processes] = time.perf_counter() - t
                own, workers = (a - b for a, b in zip(cpu_seconds(), cpu, strict=True))
                assert report.imported == len(texts), report.summary()
                stored[processes] = annotations(store)
            print(
                f"  --jobs {processes}: {seconds[processes]:7.1f} s  "
                f"{len(texts) / seconds[processes]:6.1f} docs/s; CPU time {own:.1f} s here + "
                f"{workers:.1f} s in workers"
            )
    differ = sum(a != b for a, b in zip(stored[1], stored[jobs], strict=True))
    print(
        f"  speed-up --jobs {jobs} over --jobs 1: {seconds[1] / seconds[jobs]:.2f}x; "
        f"annotations {'identical' if not differ else f'differ in {differ} documents'}; "
        f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process, and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def annotations(store: Store) -> list[object]:
    """Per document: tokens, sentences, POS and the model layer's spans and relations."""
    found: list[object] = []
    for doc_id in store.document_ids():
        doc = store.load_document(doc_id)
        model = doc.layer(Layer.MODEL)
        spans = {s.id: (s.start, s.end, s.label) for s in model.spans}
        relations = sorted((spans[r.head], spans[r.child], r.label) for r in model.relations)
        found.append((doc.tokens, doc.sentence_starts, doc.pos, sorted(spans.values()), relations))
    return found


if __name__ == "__main__":
    main()
