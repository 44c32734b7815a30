"""Entry point of the `annotator` command and of `python -m annotator`.

Starting creates some 10^5 objects that live as long as the process: modules,
classes, Qt's wrappers. Left on, the garbage collector scans them again and
again while they are being made: 40 ms of the 250 ms to the window's first
paint on the 2-core machine of benchmarks/startup_bench.py. So it is off while
the command starts, and back on once it runs (the window: after its first
paint, see annotator.ui.app). Importing annotator as a library changes nothing.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    try:
        from annotator.cli import main as run_command
    except BaseException:
        gc.enable()
        raise
    return run_command(gc_paused=True)
