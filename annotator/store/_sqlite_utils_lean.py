"""Import sqlite-utils without numpy.

sqlite-utils imports numpy only to map numpy scalar types to column types when
inserting them; annotator never inserts numpy values. Loading numpy costs 60-140
ms of the window's start-up on the development machine, so while sqlite-utils is
imported, numpy is hidden (unless something already loaded it). Imported first
by ``annotator.store``; numpy itself stays importable afterwards (spaCy needs it).
"""

from __future__ import annotations

import sys

if "sqlite_utils" not in sys.modules and "numpy" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]
