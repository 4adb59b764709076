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
