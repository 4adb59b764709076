"""Progress bars for long steps: shown on a terminal, silent in scripts and tests."""

from __future__ import annotations

import os
import sys

from tqdm.auto import tqdm


def progress(iterable, *, desc, unit="it", total=None):
    """Wrap ``iterable`` in a progress bar when stderr is a terminal.

    Set ``SCREENING_PROGRESS=1`` to force bars on, ``0`` to force them off.

    Examples
    --------
    >>> list(progress([1, 2], desc="counting"))
    [1, 2]
    """
    flag = os.environ.get("SCREENING_PROGRESS")
    disable = (flag == "0") if flag is not None else not sys.stderr.isatty()
    return tqdm(iterable, desc=desc, unit=unit, total=total, disable=disable, leave=False)
