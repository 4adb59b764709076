"""Output folders that are whole or absent, never a mix of two runs.

A run writes every file into a hidden folder beside the target (``.NAME.partial-XXXX``),
adds ``manifest.json`` (the census, the command, each file's size and SHA-256
checksum, the library version and the time), and only then moves the folder into
place. A re-run into the same folder replaces the previous run's set as a whole; an
interrupted run leaves the previous set untouched and removes its own partial folder.
A folder that holds anything other than a previous run's files (those its manifest
lists, or files with the names this command writes, as ``ScreeningResult.to_csv``
leaves them) is refused, so a mistyped ``--out`` never deletes someone's documents.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._typing import PathLike

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "pupil-risk-screening/outputs"

_IS_FILE = "--out {out} is a file. Give a folder for the outputs, e.g. {suggest}."
_FOREIGN = (
    "--out {out} already holds files that no previous run of screening wrote ({names}). "
    "Outputs replace a folder as a whole, so it must be new, empty or a previous run's "
    "output folder: choose another folder, e.g. {suggest}."
)
_PARENT = "--out {out}: its parent folder cannot be created ({error})."


class OutputFolderError(ValueError):
    """The output folder cannot be used as given (it is a file, or holds other files)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def read_manifest(folder: PathLike) -> dict[str, Any] | None:
    """The manifest of an output folder, or None when it has none (or an unreadable one).

    Examples
    --------
    >>> import tempfile
    >>> read_manifest(tempfile.mkdtemp()) is None
    True
    """
    path = Path(folder) / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("schema") == MANIFEST_SCHEMA else None


def verify(folder: PathLike) -> list[str]:
    """Files of an output folder that are missing, extra or differ from its manifest.

    An empty list means the folder is exactly the set its manifest describes.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        return [MANIFEST]
    listed = {f["name"]: f for f in manifest.get("files", [])}
    present = {p.relative_to(folder).as_posix() for p in _files(folder)} - {MANIFEST}
    wrong = sorted(set(listed) ^ present)
    for name in sorted(set(listed) & present):
        if _sha256(folder / name) != listed[name]["sha256"]:
            wrong.append(name)
    return wrong


class Outputs:
    """One run's output folder, checked up front and written whole.

    Parameters
    ----------
    out : str or Path
        The target folder.
    command : list of str
        The command line, recorded in the manifest.
    files : iterable of str
        Names of the files the command writes: a folder holding only these (and
        files a previous run's manifest lists) may be replaced.
    """

    def __init__(self, out, *, command, files=()):
        self.out = Path(out)
        self.command = [str(c) for c in command]
        self.files = set(files)
        self._check()

    def _check(self):
        out = self.out
        suggest = f"{out.with_suffix('')}-outputs" if out.suffix else f"{out}-new"
        if out.exists() and not out.is_dir():
            raise OutputFolderError(_IS_FILE.format(out=out, suggest=suggest))
        if not out.is_dir():
            return
        entries = sorted(p.name for p in out.iterdir())
        if not entries:
            return
        manifest = read_manifest(out)
        ours = self.files | {MANIFEST} | (set() if manifest is None else {
            f["name"].split("/")[0] for f in manifest.get("files", [])})
        foreign = [e for e in entries if e not in ours]
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise OutputFolderError(_FOREIGN.format(out=out, names=shown, suggest=suggest))

    @contextmanager
    def staged(self, *, census=None):
        """Yield a hidden folder beside ``out``; move it into place when the block ends.

        If the block raises (or is interrupted), the hidden folder is removed and
        ``out`` is left as it was.
        """
        self._check()  # again: the folder may have changed while the run worked
        parent = self.out.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputFolderError(_PARENT.format(out=self.out, error=err.strerror or err))
        stage = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.partial-", dir=parent))
        try:
            yield stage
            self._write_manifest(stage, census)
            self._swap(stage)
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)

    def _write_manifest(self, stage: Path, census: object) -> None:
        from . import __version__

        files = [{"name": p.relative_to(stage).as_posix(), "bytes": p.stat().st_size,
                  "sha256": _sha256(p)} for p in _files(stage)]
        doc = {
            "schema": MANIFEST_SCHEMA,
            "schema_version": "1.0",
            "library_version": __version__,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "census": None if census is None else (
                census.date().isoformat() if hasattr(census, "date") else str(census)),
            "command": self.command,
            "files": files,
        }
        (stage / MANIFEST).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")

    def _swap(self, stage: Path) -> None:
        """Put ``stage`` at ``out``; a previous set moves aside first and is then removed.

        Ctrl-C is held back for the two renames (and acted on just after), so ``out`` is
        always either the previous set or the new one.
        """
        out = self.out
        previous = out.parent / f".{out.name}.previous-{stage.name.rsplit('-', 1)[-1]}"
        with _no_interrupts():
            moved = False
            try:
                if out.exists():
                    os.rename(out, previous)
                    moved = True
                os.rename(stage, out)
            except BaseException:
                if moved and not out.exists():
                    os.rename(previous, out)
                raise
        if moved:
            shutil.rmtree(previous, ignore_errors=True)


@contextmanager
def _no_interrupts():
    """Hold SIGINT back for a few system calls (where the platform allows it)."""
    import signal

    block = getattr(signal, "pthread_sigmask", None)
    if block is None:
        yield
        return
    old = block(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, old)
