"""Import throughput against bare nlp.pipe, and one 1 MB article.

    python benchmarks/import_bench.py [--docs 2000] [--model NAME]

Prints: seconds and documents/s for bare ``nlp.pipe`` over the synthetic corpus,
the same for ``annotator import`` of it (read, check, pipe, store), the storage
overhead as a share of the bare time, then time and peak memory (RSS) to import
one 1 MB article in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import synthetic_articles

from annotator.importer import run_import
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
    args = parser.parse_args()

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


if __name__ == "__main__":
    main()
