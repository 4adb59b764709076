"""Every docstring example of the installed package runs, module by module.

The examples are run through the installed ``screening`` package rather than by
``pytest --doctest-modules`` on the source folders: the folders ``features/``,
``models/`` and ``audits/`` install as ``screening.features`` and so on, and
collecting them by path would import them a second time as top-level packages.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import screening

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = ["screening"]
    for info in pkgutil.walk_packages(screening.__path__, prefix="screening."):
        names.append(info.name)
    # subpackages installed from other folders are found through their own __path__
    for sub in ("features", "models", "audits"):
        pkg = importlib.import_module(f"screening.{sub}")
        names.append(pkg.__name__)
        names += [i.name for i in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg.__name__}.")]
    return sorted(set(n for n in names if not n.endswith("__main__")))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    for test in finder.find(module, name):
        if test.examples and test.name.split(".")[-1] != "__test__":
            runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, out.getvalue()


def test_every_part_is_searched():
    names = _modules()
    for part in ("screening._screener", "screening.features._build",
                 "screening.models._scorecard", "screening.audits._audit"):
        assert part in names
