"""A log file in the user's log folder (rotated at 1 MB, three old files kept).

Tracebacks of failures that the user sees as one sentence (a background job in
the window, an unexpected error) are kept here; the sentence names the file."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

LOGGER = "annotator"


def log_path() -> Path:
    return Path(platformdirs.user_log_dir("annotator", appauthor=False)) / "annotator.log"


def setup_logging() -> Path | None:
    """Send annotator's log to the log file (once); None if it cannot be written."""
    logger = logging.getLogger(LOGGER)
    path = log_path()
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler):
            if Path(handler.baseFilename) == path:
                return path
            logger.removeHandler(handler)  # the user's folders changed (tests, sandboxes)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


def log_failure(what: str) -> str:
    """Log the exception being handled with its traceback; returns where to find it."""
    path = setup_logging()
    logging.getLogger(LOGGER).exception(what)
    return f" (details in {path})" if path is not None else ""
