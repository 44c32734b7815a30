"""Entry point of the `annotator` command and of `python -m annotator`.

Starting creates some 10^5 objects that live as long as the process: modules,
classes, Qt's wrappers. Left on, the garbage collector scans them again and
again while they are being made: 40 ms of the 250 ms to the window's first
paint on the 2-core machine of benchmarks/startup_bench.py. So it is off while
the command starts, and back on once it runs (the window: after its first
paint, see annotator.ui.app and annotator.startup).

The code ``dataclasses`` compiles for each class is cached on disk as ``.pyc``
files are (annotator/code_cache.py): saved once the command has started, and at
exit for what came later. Importing annotator as a library changes nothing.
"""

from __future__ import annotations

import atexit
import gc

from annotator import code_cache, startup


def main() -> int:
    gc.disable()
    cache = code_cache.install()
    startup.after_startup(gc.enable)
    if cache is not None:
        startup.after_startup(cache.save)
        atexit.register(cache.save)
    try:
        from annotator.cli import main as run_command
    except BaseException:
        startup.started()
        raise
    return run_command()
