"""examples/dask_annotate.py on a two-worker local Dask cluster: the database it
makes equals a single-process `annotator import` of the same inputs."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from annotate_helpers import articles, component_package, rules_nlp, stored, write_rules

from annotator.cli import main
from annotator.store import Store

ROOT = Path(__file__).resolve().parents[1]


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dask_annotate", ROOT / "examples/dask_annotate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses, and Dask's pickling, look it up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_dask_example_equals_a_single_process_import(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    # The pipeline has a custom component (a stand-in parser, for relations): the
    # `annotator annotate` subprocesses find it as an installed package's entry point
    site = tmp_path / "site"
    component_package(site)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(ROOT / "tests")]))
    model = tmp_path / "model"
    rules_nlp().to_disk(model)
    rules = write_rules(tmp_path)
    folder = tmp_path / "articles"
    folder.mkdir()
    texts = articles(18)
    for i, text in enumerate(texts[:14]):
        (folder / f"a{i:02}.txt").write_text(text, encoding="utf-8")
    lines = tmp_path / "more.jsonl"
    lines.write_text(
        "".join(
            json.dumps({"text": text, "meta": {"title": f"Line {i}"}}) + "\n"
            for i, text in enumerate([*texts[14:], texts[3], "Russia and Armenia."])
        ),
        encoding="utf-8",
    )  # 20 documents, one of them a repeated text
    inputs = [str(folder), str(lines)]
    options = ["--model", str(model), "--relation-rules", str(rules)]

    via, output, work = tmp_path / "dask.db", tmp_path / "annotated.jsonl", tmp_path / "work"
    cluster = ["--workers", "2", "--shard-size", "6", "--work-dir", str(work)]
    code = load_example().main(
        [*inputs, "--output", str(output), "--db", str(via), *options, *cluster]
    )
    assert code == 0
    assert len(output.read_text(encoding="utf-8").splitlines()) == 20
    assert sorted(p.name for p in work.glob("*.out.jsonl")) == [
        f"shard-{i:05}.out.jsonl" for i in range(4)
    ]
    direct = tmp_path / "direct.db"
    assert main(["import", *inputs, "--db", str(direct), *options]) == 0
    with Store.open(via) as a, Store.open(direct) as b:
        assert len(a.document_ids()) == 19  # the repeated text once, as in a direct import
        assert a.document_ids() == b.document_ids()
        assert stored(a) == stored(b)  # per document: text, tokens, spans, relations...
        assert sum(len(row[6][0][1]) for row in stored(a)) > 19  # relations came through
