"""Timing and memory of named benchmark steps, appended to a JSON file as they finish.

Each finished step is written at once, so a run that is stopped (a time limit, the
out-of-memory killer) still leaves every step that completed on disk.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path

from ._memory import PeakMemory, mib


class StepLog:
    """Record steps (wall time, peak RSS, increase over the step's start) and extra facts.

    Parameters
    ----------
    path : str or Path or None
        JSON file rewritten after every step; None keeps results in memory only.
    meta : dict, optional
        Facts about the whole run stored alongside the steps (pupils, seed, ...).

    Examples
    --------
    >>> log = StepLog(None, meta={"pupils": 10})
    >>> with log.step("sum", pupils=10) as extra:
    ...     extra["total"] = sum(range(10))
    >>> log.steps[0]["step"], log.steps[0]["total"]
    ('sum', 45)
    """

    def __init__(self, path=None, meta=None):
        self.path = Path(path) if path is not None else None
        self.meta = dict(meta or {})
        self.steps: list[dict] = []
        self.sections: dict[str, object] = {}
        self.errors: list[dict] = []
        self._flush()

    @contextmanager
    def step(self, name: str, **facts):
        """Time a block; the yielded dict collects extra facts recorded with the step."""
        extra: dict = {}
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            yield extra
            seconds = time.perf_counter() - t0
        row = {"step": name, **facts, "seconds": seconds,
               "peak_mib": mib(mem.peak), "increase_mib": mib(mem.increase),
               "start_mib": mib(mem.start), **extra}
        self.steps.append(row)
        self._flush()

    def section(self, name: str, value) -> None:
        """Store a whole result (peer comparisons, notes) under ``name``."""
        self.sections[name] = value
        self._flush()

    def error(self, where: str, exc: BaseException) -> None:
        """Record a failure without stopping the run."""
        self.errors.append({"where": where, "error": f"{type(exc).__name__}: {exc}"})
        self._flush()

    def as_dict(self) -> dict:
        return {"meta": self.meta, "steps": self.steps, "sections": self.sections,
                "errors": self.errors}

    def _flush(self):
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.as_dict(), indent=1, default=_jsonable))
        tmp.replace(self.path)


def _jsonable(value):
    """Fallback JSON encoding for numpy scalars, timestamps and the like."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
