"""The timing trace: one JSON line per event, appended to a file the user names
(``annotator --trace-timings FILE`` or ``ANNOTATOR_TRACE=FILE``), so that anyone
can send us real figures from their machine. Nothing is measured when it is off.

Events (times in milliseconds):
- ``{"event": "first_paint", "ms": …, "monotonic_ms": …}``: from process start to
  the first painted article (and when that was, on the system's monotonic clock);
- ``{"event": "open", "doc": …, "ms": …}``: from asking for a document to its first paint;
- ``{"event": "key", "action": …, "ms": …}``: from a key press to the end of the repaint
  it caused (``"painted": false`` if it caused none).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO

from annotator.errors import AnnotatorError

ENV = "ANNOTATOR_TRACE"
_IMPORTED = time.monotonic()


def process_age_ms() -> float:
    """Milliseconds since this process started (Linux: from /proc, to 10 ms;
    elsewhere: since annotator was first imported)."""
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        fields = stat.rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # seconds after boot
        return (time.clock_gettime(time.CLOCK_BOOTTIME) - started) * 1000.0
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.monotonic() - _IMPORTED) * 1000.0


class TimingTrace:
    """Appends events to ``path``; each line is flushed as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file: IO[str] = path.open("a", encoding="utf-8", buffering=1)
        except OSError as exc:
            raise TraceError(f"Cannot write the timing trace {path}: {exc.strerror}.") from exc

    def write(self, event: str, **fields: object) -> None:
        record = {"event": event, **fields}
        if isinstance(record.get("ms"), float):
            record["ms"] = round(float(record["ms"]), 3)  # type: ignore[arg-type]
        self._file.write(json.dumps(record) + "\n")

    def close(self) -> None:
        self._file.close()


class TraceError(AnnotatorError, OSError):
    """The trace file cannot be written."""


def trace_from(path: Path | None) -> TimingTrace | None:
    """The trace to ``path``, else to ``$ANNOTATOR_TRACE``, else none."""
    chosen = path or (Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    return None if chosen is None else TimingTrace(chosen)
