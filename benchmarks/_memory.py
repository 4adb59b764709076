"""Peak resident memory of this process during a block of code, with the standard library only.

A background thread reads ``VmRSS`` from ``/proc/self/status`` every few milliseconds and
keeps the largest value. Where the kernel allows it, the high-water mark ``VmHWM`` is also
reset at the start of the block (``echo 5 > /proc/self/clear_refs``) and read at its end,
so a spike shorter than the sampling interval is not missed; the reported peak is the larger
of the two readings.
"""

from __future__ import annotations

import threading
import time

_STATUS = "/proc/self/status"
_CLEAR_REFS = "/proc/self/clear_refs"
_MIB = 1024 * 1024


def _status_kib(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in KiB, or None."""
    try:
        with open(_STATUS, "rb") as fh:
            for line in fh:
                if line.startswith(field.encode() + b":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes() -> int:
    """Current resident set size of this process in bytes (0 where /proc is missing)."""
    kib = _status_kib("VmRSS")
    return 0 if kib is None else kib * 1024


def _reset_high_water_mark() -> bool:
    try:
        with open(_CLEAR_REFS, "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class PeakMemory:
    """Context manager recording the start, end and peak RSS of the process around a block.

    Parameters
    ----------
    interval : float, default=0.005
        Seconds between two samples.

    Attributes
    ----------
    start, end, peak : int
        Resident set size in bytes at the start, at the end, and the largest seen.

    Examples
    --------
    >>> with PeakMemory() as mem:
    ...     block = bytearray(50 * 1024 * 1024)
    >>> mem.peak >= mem.start
    True
    """

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.start = self.end = self.peak = 0
        self._stop = threading.Event()
        self._thread = None
        self._hwm = False

    def _run(self):
        while not self._stop.is_set():
            rss = rss_bytes()
            if rss > self.peak:
                self.peak = rss
            time.sleep(self.interval)

    def __enter__(self):
        self._hwm = _reset_high_water_mark()
        self.start = self.peak = rss_bytes()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.end = rss_bytes()
        self.peak = max(self.peak, self.end)
        if self._hwm:
            hwm = _status_kib("VmHWM")
            if hwm is not None:
                self.peak = max(self.peak, hwm * 1024)
        return False

    @property
    def increase(self) -> int:
        """Peak minus start, in bytes: what the block itself needed at its worst."""
        return max(0, self.peak - self.start)


def mib(n_bytes: float) -> float:
    """Bytes to MiB."""
    return n_bytes / _MIB
