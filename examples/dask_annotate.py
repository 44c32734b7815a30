"""Pre-annotate a corpus on a Dask cluster with `annotator annotate`, then import it.

    python examples/dask_annotate.py INPUT... --output OUT.jsonl --db DB
        [--model NAME_OR_PATH] [--relation-rules JSON] [--shard-size 500]
        [--scheduler tcp://HOST:8786 | --workers N] [--work-dir DIR] [--no-import]

1. Reads and checks the inputs as `annotator annotate` does (.txt files, folders of
   them, JSONL of {"text", "meta"}) and writes them, in order, as shards of
   --shard-size documents (JSONL) into --work-dir.
2. One Dask task per shard runs `annotator annotate SHARD --output SHARD.out.jsonl`
   in a subprocess (its own interpreter and pipeline: nothing of spaCy's runs in
   the Dask worker itself, so a worker's threads do not contend for the GIL).
3. Concatenates the shards' outputs in input order into OUT.jsonl, which appears
   only when complete.
4. Runs `annotator import OUT.jsonl --db DB` (with --no-import it prints that
   command instead).

Without --scheduler a LocalCluster runs on this machine: --workers single-threaded
workers (default: one per core) in this process, each running one `annotator
annotate` at a time. With --scheduler ADDRESS the same runs on a real cluster
(`dask scheduler` on one machine, `dask worker ADDRESS --nthreads CORES` on
each): every worker needs annotator and the pipeline installed (a custom
component as a package with a spaCy entry point), and --work-dir must be a
folder that this machine and every worker see (NFS, a cluster file system).

The import step runs no pipeline: each line of `annotator annotate`'s output
carries the pipeline's whole analysis (tokens, sentence starts, POS tags, the
pipeline's name and the rule behind each relation), which the import stores as
it is. The database is what `annotator import INPUT... --model MODEL` makes.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from annotator.cli.parser_annotate import processes_of
from annotator.preannotate import AnnotationPlan, documents_of, plan_annotation


class ShardError(RuntimeError):
    """`annotator annotate` failed on a shard; the message has its error output."""


@dataclass(frozen=True)
class Shard:
    index: int
    documents: int
    input: Path
    output: Path


@dataclass(frozen=True)
class AnnotateOptions:
    """What every shard's `annotator annotate` is given."""

    model: str | None
    relation_rules: Path | None
    jobs: int


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = plan_annotation(args.inputs)
    for problem in plan.problems:
        print(f"problem: {problem} (left out)", file=sys.stderr)
    if not plan.documents:
        print("No documents to annotate.", file=sys.stderr)
        return 2
    own_work_dir = args.work_dir is None
    work = args.work_dir or Path(tempfile.mkdtemp(prefix=".shards-", dir=args.output.parent))
    work.mkdir(parents=True, exist_ok=True)
    try:
        shards = write_shards(plan, work, args.shard_size)
        print(f"{plan.documents} documents in {len(shards)} shards in {work}", file=sys.stderr)
        options = AnnotateOptions(args.model, args.relation_rules, args.jobs)
        outputs = annotate_on_dask(shards, options, args.scheduler, args.workers)
        concatenate(outputs, args.output)
    except KeyboardInterrupt:
        print(f"Interrupted: {args.output} was not written.", file=sys.stderr)
        return 130
    except ShardError as exc:
        print(f"error: {exc}\n{args.output} was not written.", file=sys.stderr)
        return 1
    finally:
        if own_work_dir:
            shutil.rmtree(work, ignore_errors=True)
    print(f"Annotated {plan.documents} documents into {args.output}", file=sys.stderr)
    command = import_command(args)
    if args.no_import:
        print(shlex.join(command))
        return 0
    print(f"Running: {shlex.join(command)}", file=sys.stderr)
    return subprocess.run(command, check=False).returncode


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    parser.add_argument("--output", "-o", type=Path, required=True, metavar="OUT.jsonl")
    parser.add_argument("--db", type=Path, required=True, help="database to import into")
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="pipeline that annotates")
    parser.add_argument("--relation-rules", type=Path, metavar="JSON")
    parser.add_argument("--shard-size", type=int, default=500, help="documents per task (500)")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running Dask scheduler (default: a local cluster)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="local cluster: workers (one per core)"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="`annotator annotate --jobs` of each task (1)"
    )
    parser.add_argument(
        "--work-dir", type=Path, help="folder for the shards (default: a temporary one, removed)"
    )
    parser.add_argument(
        "--no-import", action="store_true", help="print the import command instead of running it"
    )
    args = parser.parse_args(argv)
    if args.shard_size < 1:
        parser.error("--shard-size must be at least 1")
    if args.output.is_dir():
        parser.error(f"--output {args.output} is a folder; give the JSONL file to write")
    return args


def write_shards(plan: AnnotationPlan, work: Path, size: int) -> list[Shard]:
    """The planned documents, in order, as JSONL shards of ``size`` documents: text
    and meta (its ``source`` names the input file, as a direct import stores it)."""
    shards: list[Shard] = []
    lines: list[str] = []

    def flush() -> None:
        index = len(shards)
        path = work / f"shard-{index:05}.jsonl"
        path.write_text("".join(lines), encoding="utf-8")
        shards.append(Shard(index, len(lines), path, work / f"shard-{index:05}.out.jsonl"))
        lines.clear()

    for _path, doc in documents_of(plan):
        lines.append(json.dumps({"text": doc.text, "meta": doc.meta}, ensure_ascii=False) + "\n")
        if len(lines) == size:
            flush()
    if lines:
        flush()
    return shards


def annotate_shard(shard: Shard, options: AnnotateOptions) -> Shard:
    """One Dask task: `annotator annotate` over one shard, in a subprocess."""
    command = [sys.executable, "-m", "annotator", "annotate", str(shard.input)]
    command += ["--output", str(shard.output), "--jobs", str(options.jobs)]
    if options.model:
        command += ["--model", options.model]
    if options.relation_rules:
        command += ["--relation-rules", str(options.relation_rules)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ShardError(
            f"shard {shard.index} ({shard.input}): annotator annotate exited with "
            f"{done.returncode}:\n{done.stderr.strip()[-2000:]}"
        )
    return shard


def annotate_on_dask(
    shards: list[Shard], options: AnnotateOptions, scheduler: str | None, workers: int | None
) -> list[Shard]:
    """Run every shard's task on the cluster; the shards back in input order."""
    from distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        # threads, not processes: a task's work is its subprocess
        cluster = LocalCluster(
            n_workers=workers or processes_of(0),
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        futures = client.map(annotate_shard, shards, options=options, pure=False)
        with tqdm(total=len(shards), unit="shard", desc="Annotating", file=sys.stderr) as bar:
            for _ in as_completed(futures):
                bar.update(1)
        done: list[Shard] = client.gather(futures)  # in the order of ``shards``
        return done
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def concatenate(shards: list[Shard], output: Path) -> None:
    """The shards' outputs, in order, into ``output``: written under a temporary
    name beside it and renamed when complete."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for shard in shards:
                with shard.output.open("rb") as part:
                    lines = sum(1 for line in part if line.strip())
                    if lines != shard.documents:
                        raise ShardError(
                            f"shard {shard.index}: {lines} lines for {shard.documents} documents"
                        )
                    part.seek(0)
                    shutil.copyfileobj(part, out)
        Path(temp).replace(output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def import_command(args: argparse.Namespace) -> list[str]:
    return [sys.executable, "-m", "annotator", "import", str(args.output), "--db", str(args.db)]


if __name__ == "__main__":
    sys.exit(main())
