"""The shape of the library: one installed name, three engines that never import each other.

- ``screening.features``, ``screening.models`` and ``screening.audits`` import no other
  part of the library (and not the facade);
- no module imports another package's private (underscore) module;
- the wheel installs exactly one top-level name, ``screening``, so a user's own
  ``models.py`` or ``features.py`` cannot shadow the library.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: folder in the repository -> the package it installs as
PARTS = {
    "screening": "screening",
    "features": "screening.features",
    "models": "screening.models",
    "audits": "screening.audits",
}
ENGINES = ("features", "models", "audits")


def _modules(folder: str):
    for path in sorted((REPO / folder).rglob("*.py")):
        rel = path.relative_to(REPO / folder).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        package = ".".join([PARTS[folder], *parts[:-1]] if path.name != "__init__.py"
                           else [PARTS[folder], *parts])
        yield path, package


def _imports(path: Path, package: str):
    """Absolute names of everything a module imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield mod
            for alias in node.names:
                yield f"{mod}.{alias.name}"


def _owner(name: str) -> str | None:
    """Which part of the library an imported name belongs to."""
    for folder in ENGINES:
        if name == PARTS[folder] or name.startswith(PARTS[folder] + "."):
            return folder
    if name == "screening" or name.startswith("screening."):
        return "screening"
    return None


@pytest.mark.parametrize("folder", list(PARTS))
def test_parts_import_only_what_they_may(folder):
    bad = []
    for path, package in _modules(folder):
        for name in _imports(path, package):
            top = name.split(".")[0]
            if top in ENGINES:
                bad.append(f"{path.name}: imports top-level {name!r}; use screening.{name}")
            owner = _owner(name)
            if owner is None or owner == folder:
                continue
            if folder in ENGINES:
                bad.append(f"{path.relative_to(REPO)}: engine {folder} imports {name}")
            private = [p for p in name.split(".")[2 if owner in ENGINES else 1:]
                       if p.startswith("_") and not p.startswith("__")]
            if private:
                bad.append(f"{path.relative_to(REPO)}: imports private {name} of {owner}")
    assert not bad, "\n".join(sorted(set(bad)))


def test_examples_and_benchmarks_use_public_names():
    bad = []
    for folder in ("examples", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for name in _imports(path, folder):
                owner = _owner(name)
                if owner is None:
                    continue
                rest = name.split(".")[2 if owner in ENGINES else 1:]
                if any(p.startswith("_") and not p.startswith("__") for p in rest):
                    bad.append(f"{path.relative_to(REPO)}: imports private {name}")
    assert not bad, "\n".join(bad)


def test_import_is_not_shadowed_by_users_modules(tmp_path):
    # a user's project with modules named like the library's parts
    for name in ("models", "features", "audits"):
        (tmp_path / f"{name}.py").write_text(
            f"raise ImportError('the user\\'s own {name}.py was imported')\n")
    code = ("import screening, sys; from screening import features, models, audits; "
            "screening.Screener(); models.RiskScorecard(); "
            "assert not [m for m in sys.modules if m in ('features', 'models', 'audits')]")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_installed_distribution_has_one_top_level_name():
    from importlib.metadata import distribution

    top = distribution("pupil-risk-screening").read_text("top_level.txt")
    assert top is not None and top.split() == ["screening"]


def test_wheel_holds_one_top_level_name(tmp_path):
    # build from a copy, so the build leaves nothing behind in the repository
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in PARTS:
        shutil.copytree(REPO / part, src / part, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for extra in ("LICENSE",):
        if (REPO / extra).exists():
            shutil.copy(REPO / extra, src / extra)
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w",
         str(tmp_path)], capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        pytest.fail(f"could not build the wheel:\n{run.stdout}\n{run.stderr}")
    (wheel,) = tmp_path.glob("*.whl")
    names = {n.split("/")[0] for n in zipfile.ZipFile(wheel).namelist()}
    top = {n for n in names if not n.endswith(".dist-info")}
    assert top == {"screening"}
    members = zipfile.ZipFile(wheel).namelist()
    for sub in ("features", "models", "audits"):
        assert f"screening/{sub}/__init__.py" in members
