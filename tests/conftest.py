"""Shared fixtures. Qt runs offscreen; every test gets its own database and settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.store import Store

PATTERNS = [
    {"label": "GPE", "pattern": "Armenia"},
    {"label": "GPE", "pattern": "Azerbaijan"},
    {"label": "GPE", "pattern": "Russia"},
    {"label": "GPE", "pattern": [{"LOWER": "united"}, {"LOWER": "states"}]},
    {"label": "PERSON", "pattern": [{"TEXT": "Antony"}, {"TEXT": "Blinken"}]},
    {"label": "PERSON", "pattern": "Blinken"},
    {"label": "PERSON", "pattern": [{"TEXT": "Ararat"}, {"TEXT": "Mirzoyan"}]},
    {"label": "ORG", "pattern": "CSTO"},
    {"label": "NORP", "pattern": "Armenian"},
]


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the default database, QSettings and caches of every test in its own folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path, actor="tester") as opened:
        yield opened


@pytest.fixture(scope="session")
def rule_pipeline():
    """A blank English pipeline with an EntityRuler: real spaCy, no downloaded model."""
    from annotator.nlp.pipeline import Pipeline, load_pipeline

    nlp = load_pipeline("blank:en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(PATTERNS)
    return Pipeline(nlp)


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path):
    """QSettings of every test go to its own folder (INI files)."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    return tmp_path / "qs"


SECOND_ARTICLE = "Russia and Azerbaijan signed nothing on Monday.\nArmenia watched."


@pytest.fixture
def sample_store(store: Store, rule_pipeline, tmp_path: Path) -> Store:
    """The store with the bundled article and a second short one, pre-annotated by rules."""
    from annotator.importer import run_import
    from annotator.resources import sample_articles

    second = tmp_path / "second.txt"
    second.write_text(SECOND_ARTICLE, encoding="utf-8")
    report = run_import(store, rule_pipeline, [*sample_articles(), second])
    assert report.imported == 2
    return store


@pytest.fixture
def window(qtbot, sample_store: Store):
    from helpers import open_window

    from annotator.export_runner import exporter_for

    return open_window(qtbot, sample_store, exporter_for(sample_store.path))
