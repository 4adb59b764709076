"""The library's type hints: complete on the public API, and checked by mypy.

- every public callable (each name in the ``__all__`` of ``screening``,
  ``screening.features``, ``screening.models``, ``screening.audits`` and
  ``screening.datasets``, and the public methods and properties of the public classes)
  annotates every parameter and its return, so a new untyped public function fails here
  in a second rather than only under mypy;
- mypy, configured by ``[tool.mypy]`` in ``pyproject.toml``, reports no error on the
  package as it installs (``make typecheck`` checks the same layout).
"""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PUBLIC_PACKAGES = ("screening", "screening.features", "screening.models", "screening.audits",
                   "screening.datasets")


def _ours(obj: object) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module == "screening" or module.startswith("screening.")


def _missing(func, where: str) -> list[str]:
    """What ``func`` leaves unannotated, as readable lines (empty when complete)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin or C callable: nothing to annotate
        return []
    out = []
    params = list(sig.parameters.values())
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    for p in params:
        if p.annotation is inspect.Parameter.empty:
            out.append(f"{where}: parameter {p.name!r} has no type hint")
    if sig.return_annotation is inspect.Signature.empty:
        out.append(f"{where}: no return type hint (write -> None if it returns nothing)")
    return out


def _class_members(cls: type, where: str) -> list[str]:
    out = []
    for name, raw in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(raw, property):
            if raw.fget is not None:
                out += _missing(raw.fget, f"{where}.{name} (property)")
            continue
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if inspect.isfunction(raw):
            out += _missing(raw, f"{where}.{name}")
    return out


def public_callables_missing_hints() -> list[str]:
    """Every public function, method and property of the library without full hints."""
    out: list[str] = []
    seen: set[int] = set()
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen or not _ours(obj):
                continue
            seen.add(id(obj))
            where = f"{obj.__module__}.{getattr(obj, '__qualname__', name)}"
            if inspect.isclass(obj):
                # the class's own members and those of our base classes (not sklearn's)
                for klass in obj.__mro__:
                    if _ours(klass) and id(klass) not in seen | {id(obj)}:
                        seen.add(id(klass))
                        out += _class_members(klass, f"{klass.__module__}.{klass.__qualname__}")
                out += _class_members(obj, where)
            elif inspect.isfunction(obj):
                out += _missing(obj, where)
    return sorted(set(out))


def test_every_public_callable_is_fully_annotated():
    missing = public_callables_missing_hints()
    assert not missing, (
        f"{len(missing)} public type hints missing (users' type checkers and editors read "
        "them; mypy checks them in test_mypy_reports_no_errors):\n" + "\n".join(missing))


def test_the_annotation_check_sees_a_missing_hint():
    # the check above must be able to fail: an unannotated parameter and return are caught
    def untyped(records, as_of: str):  # deliberately untyped
        return records

    assert _missing(untyped, "f") == [
        "f: parameter 'records' has no type hint",
        "f: no return type hint (write -> None if it returns nothing)",
    ]


def _installed_layout(dest: Path) -> Path:
    """Copy the package as pip installs it (the folders of ``package-dir``) under ``dest``.

    The engine folders only become ``screening.features`` and so on when installed, so
    mypy reads this copy, as ``make typecheck`` reads a ``pip install --target`` copy. File
    times are kept, so mypy's cache under ``.pytest_cache`` stays valid between runs.
    """
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_dir = config["tool"]["setuptools"]["package-dir"]
    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.md")
    # shortest names first: "screening" before "screening.features" nests inside it
    for package in sorted(package_dir, key=len):
        target = dest.joinpath(*package.split("."))
        shutil.copytree(REPO / package_dir[package], target, ignore=ignore,
                        dirs_exist_ok=True)
    return dest


def test_mypy_reports_no_errors(request):
    cache = getattr(request.config, "cache", None)
    if cache is None:  # pytest run with -p no:cacheprovider
        base = REPO / ".pytest_cache" / "d"
    else:
        base = Path(cache.mkdir("typecheck"))
    src = _installed_layout(base / "src")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
         "--cache-dir", str(base / "mypy-cache"), "-p", "screening"],
        cwd=base, env={**os.environ, "MYPYPATH": str(src)}, capture_output=True, text=True,
        timeout=900)
    report = run.stdout + run.stderr
    # name files as they are in the repository: src/screening/audits/x.py -> audits/x.py
    for prefix in (str(src) + os.sep, "src" + os.sep):
        report = report.replace(prefix, "")
    for sub in ("features", "models", "audits"):
        report = report.replace(f"screening{os.sep}{sub}{os.sep}", f"{sub}{os.sep}")
    assert run.returncode == 0, f"mypy found type errors (run `make typecheck`):\n{report}"
    assert "Success: no issues found" in run.stdout, report
