"""Find the bundled resources/ and seeds/ folders, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel carries the folders inside the package (see pyproject.toml);
    # a source checkout or an editable install has them next to the package.
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"annotator's bundled '{name}' folder is missing (looked in "
        f"{_PACKAGE_DIR / '_data' / name} and {_PACKAGE_DIR.parent / name}); "
        "reinstall the package"
    )


def resources_dir() -> Path:
    return _data_dir("resources")


def seeds_dir() -> Path:
    return _data_dir("seeds")


def default_labels_path() -> Path:
    return resources_dir() / "labels.json"


def sample_articles() -> list[Path]:
    """The bundled sample articles, in a stable order."""
    return sorted(seeds_dir().glob("*.txt"))
