"""The documentation builds without a warning, its examples run, and its links resolve.

* The Sphinx build runs with ``-W`` (every warning an error) and ``nitpicky`` (every
  broken cross-reference a warning) into a temporary folder, so a docstring that numpydoc
  cannot parse, or a reference to a name that does not exist, fails the suite.
* Every ``python`` block of every page runs, page by page in a fresh namespace and a
  temporary working folder; blocks with ``>>>`` prompts are doctests, so their output is
  checked. Every ``$`` line of a ``console`` block runs as a command and must succeed.
  ``bash`` blocks are shown, not run (installing, ``make``). Commands run in process
  through ``screening._cli.main``, which is what ``python -m screening`` calls.
* Every relative link in the README points at a file in the repository.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from screening import _cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
_FENCE = re.compile(r"^```([^\s`]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
#: Fence languages that would hold Python the runner does not see.
_HIDDEN_PYTHON = {"py", "pycon", "python3", "ipython", "{code-block}", "{code}"}
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _blocks(page: Path):
    text = page.read_text(encoding="utf-8")
    for m in _FENCE.finditer(text):
        yield m.group(1), m.group(2), text.count("\n", 0, m.start()) + 2


def _name(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    res = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
        capture_output=True, text=True, timeout=600,
    )
    return res, out / "html"


def test_docs_build_without_warnings(built):
    res, html = built
    assert res.returncode == 0, res.stderr[-5000:] + res.stdout[-2000:]
    for page in PAGES:
        assert (html / _name(page)).with_suffix(".html").is_file(), _name(page)


def test_api_reference_documents_every_public_name(built):
    res, html = built
    assert res.returncode == 0, res.stderr[-3000:]
    pages = "".join(p.read_text(encoding="utf-8") for p in (html / "api").glob("*.html"))
    missing = []
    for package in ("screening", "screening.features", "screening.models",
                    "screening.audits", "screening.datasets"):
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if name.startswith("__") or inspect.ismodule(obj):
                continue
            anchor = f'id="{package}.{name}"'
            if anchor not in pages:
                missing.append(f"{package}.{name}")
    assert not missing, f"not in the API reference: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_page_examples_run(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    for lang, code, line in _blocks(page):
        where = f"{_name(page)}, line {line}"
        assert lang not in _HIDDEN_PYTHON, (
            f"{where}: write Python examples in a ```python block so that they run")
        if lang == "python" and ">>>" in code:
            test = parser.get_doctest(code, namespace, where, str(page), line)
            runner = doctest.DocTestRunner(optionflags=_FLAGS)
            report: list[str] = []
            runner.run(test, out=report.append, clear_globs=False)
            assert runner.failures == 0, "".join(report)
            namespace.update(test.globs)  # a doctest works on a copy of the namespace
        elif lang == "python":
            exec(compile(code, where, "exec"), namespace)
        elif lang == "console":
            for cmd in (ln[2:] for ln in code.splitlines() if ln.startswith("$ ")):
                args = shlex.split(cmd)
                assert args[0] == "screening", f"{where}: only `screening` commands run"
                # in process (what `python -m screening` calls), to save an import per line
                with warnings.catch_warnings():
                    status = _cli.main(args[1:])
                out = capsys.readouterr()
                assert status == 0, f"{where}: $ {cmd}\n{out.out}{out.err}"


def test_every_readme_link_resolves_in_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.*)$", text, re.M)}
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links
    for link in links:
        if re.match(r"[a-z]+://", link):
            continue
        path, _, anchor = link.partition("#")
        if not path:
            assert anchor in anchors, f"README links to a missing heading: {link}"
            continue
        target = (ROOT / path).resolve()
        assert target.is_relative_to(ROOT), f"README links outside the repository: {link}"
        assert target.exists(), f"README links to a missing file: {link}"

