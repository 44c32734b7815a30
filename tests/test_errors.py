"""One root error type: every message-carrying error of annotator derives from it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import annotator
from annotator.errors import AnnotatorError


def test_every_error_class_of_annotator_derives_from_the_root():
    found = []
    for module_info in pkgutil.walk_packages(annotator.__path__, "annotator."):
        if module_info.name.startswith(("annotator.ui", "annotator.__main__")):
            continue  # the window's modules need Qt; KeymapError is checked below
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__ == module.__name__
            ):
                found.append(value)
                assert issubclass(value, AnnotatorError), f"{value.__module__}.{name}"
    from annotator.ui.keymap import KeymapError

    assert issubclass(KeymapError, AnnotatorError)
    assert len(found) >= 15
