"""An installed (non-editable) wheel carries the label config and the sample article."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_resources_and_seeds(tmp_path):
    pytest.importorskip("hatchling")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    [wheel] = tmp_path.glob("annotator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "annotator/_data/resources/labels.json" in names
    assert {n for n in names if n.startswith("annotator/_data/seeds/")} == {
        f"annotator/_data/seeds/{p.name}" for p in (ROOT / "seeds").glob("*.txt")
    }
    assert "annotator/store/schema.py" in names


def test_installed_layout_is_found_first(tmp_path, monkeypatch):
    import annotator.resources as resources

    package = tmp_path / "annotator"
    (package / "_data" / "resources").mkdir(parents=True)
    (package / "_data" / "seeds").mkdir()
    (package / "_data" / "seeds" / "x.txt").write_text("x")
    monkeypatch.setattr(resources, "_PACKAGE_DIR", package)
    assert resources.resources_dir() == package / "_data" / "resources"
    assert resources.sample_articles() == [package / "_data" / "seeds" / "x.txt"]
    monkeypatch.setattr(resources, "_PACKAGE_DIR", tmp_path / "elsewhere" / "annotator")
    with pytest.raises(FileNotFoundError, match="reinstall"):
        resources.seeds_dir()
