"""Every docstring example in the packages runs and holds: they document, and a wrong one misleads."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from collections.abc import Iterator

import pytest

PACKAGES = ("contracts", "producers", "processors", "sinks", "infra", "khabar")


def _modules() -> Iterator[str]:
    for name in PACKAGES:
        yield name
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if not info.name.endswith("__main__"):  # importing it would run the command line
                yield info.name


@pytest.mark.parametrize("module", sorted(_modules()))
def test_docstring_examples_hold(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {module} fail"
