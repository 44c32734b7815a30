"""Launch to the first painted article, against a bare PySide6 window with one
label, measured alternately in the same run.

    python benchmarks/startup_bench.py [--runs 15]

Runs on a shared machine vary by up to 1.5x (other guests share the host), so
each side runs 15 times, alternating, and the ratio is of the medians; the ratio
of the fastest runs is printed too. Both are started as new processes
(offscreen) and report the time from process start to the end of their first
paint: annotator through its own timing trace (ANNOTATOR_TRACE, the
`first_paint` event), the bare window from its paintEvent,
both with annotator.trace.process_age_ms. The database is the bundled sample,
imported once beforehand (with --model blank:en unless --model is given).
Python may write bytecode caches (as on a user's machine, unlike this sandbox's
PYTHONDONTWRITEBYTECODE=1), and annotator its cache of dataclass code
(annotator/code_cache.py), kept in the run's own folder ($XDG_CACHE_HOME); one
warm-up launch of each comes first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys
import time
from PySide6.QtWidgets import QApplication, QLabel
from annotator.trace import process_age_ms

app = QApplication(sys.argv[:1])


class Label(QLabel):
    def paintEvent(self, event):
        super().paintEvent(event)
        print(process_age_ms(), time.monotonic() * 1000, flush=True)
        app.quit()


label = Label("annotator")
label.resize(1280, 800)
label.show()
app.exec()
"""


CACHE_HOME: Path | None = None  # the run's $XDG_CACHE_HOME, set by main()


def environment(trace: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    if CACHE_HOME is not None:
        env["XDG_CACHE_HOME"] = str(CACHE_HOME)
    if trace is not None:
        env["ANNOTATOR_TRACE"] = str(trace)
    return env


def bare_window() -> tuple[float, float]:
    """(process age at the first paint, ms from spawning it to its first paint)."""
    spawned = time.monotonic() * 1000
    done = subprocess.run(
        [sys.executable, "-c", BARE],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    age, painted = done.stdout.split()[-2:]
    return float(age), float(painted) - spawned


def annotator_window(db: Path, tmp: Path) -> tuple[float, float]:
    """(process age at the first paint, ms from spawning it to its first paint)."""
    trace = tmp / f"trace-{time.monotonic_ns()}.jsonl"
    spawned = time.monotonic() * 1000
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", str(db)],
        env=environment(trace),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if trace.exists():
                for line in trace.read_text(encoding="utf-8").splitlines():
                    event = json.loads(line)
                    if event["event"] == "first_paint":
                        return float(event["ms"]), float(event["monotonic_ms"]) - spawned
            time.sleep(0.01)
        raise RuntimeError("annotator did not paint within 60 s")
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--model", default="blank:en")
    args = parser.parse_args()
    global CACHE_HOME
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        CACHE_HOME = tmp / "cache"
        db = tmp / "sample.db"
        seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "annotator",
                "import",
                *map(str, seeds),
                "--db",
                str(db),
                "--model",
                args.model,
            ],
            check=True,
            capture_output=True,
        )
        bare_window()
        annotator_window(db, tmp)  # warm-up: disk cache, bytecode caches
        bare, ours = [], []
        for _ in range(args.runs):
            bare.append(bare_window())
            ours.append(annotator_window(db, tmp))
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; offscreen")
    for i, how in (
        (0, "process age at the first paint (/proc, 10 ms ticks)"),
        (1, "spawn to first paint (monotonic clock)"),
    ):
        b = statistics.median(run[i] for run in bare)
        o = statistics.median(run[i] for run in ours)
        print(f"{how}:")
        print(
            f"  bare PySide6 window with one label: median {b:.0f} ms "
            f"(runs: {', '.join(f'{run[i]:.0f}' for run in bare)})"
        )
        print(
            f"  annotator on the sample, first painted article: median {o:.0f} ms "
            f"(runs: {', '.join(f'{run[i]:.0f}' for run in ours)})"
        )
        print(f"  ratio: {o / b:.2f}x the bare window")
        fastest = min(run[i] for run in ours) / min(run[i] for run in bare)
        print(f"  ratio of the fastest runs (the least disturbed): {fastest:.2f}x")


if __name__ == "__main__":
    main()
