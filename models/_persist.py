"""Safe model files: skops with an explicit trusted-type list and a checked metadata record.

:func:`load_model` is the library's one trust check for model files. In order, it:

1. reads the file once, refusing folders, special files and files larger than
   ``max_bytes``;
2. checks the zip archive before anything decompresses it: a readable central
   directory, at most :data:`MAX_MEMBERS` members with distinct names, stored or
   deflated only, a total declared size within ``max_bytes``, no member compressed
   more than :data:`MAX_RATIO` to 1, and every member's checksum, read in bounded
   chunks (so a decompression bomb or a member that lies about its size is refused
   after reading at most ``max_bytes``);
3. refuses any type outside the trusted list (nothing is constructed before this);
4. builds the objects with skops from the bytes already checked (no second read of
   the file);
5. checks the parameters that compiled code or the scores rely on: every
   gradient-boosting tree is a well-formed tree (child indices in range and after
   their parent, each node with one parent, split features below the model's feature
   count, categorical splits with their bitsets), and scorecard points, cut points and
   calibration parameters are finite. A tree that fails would make scikit-learn's
   compiled predictor read outside its arrays and crash the process, which is why
   skops leaves tree types out of its defaults; here they are trusted only because
   every one is checked.

Every failure is a :class:`ModelFileError` (a ``ValueError``) naming the file, or its
subclasses :class:`UntrustedTypesError` and :class:`ModelVersionError`.
"""

from __future__ import annotations

import copyreg
import importlib.metadata
import io
import os
import struct
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import skops.io as sio

#: Fully qualified names of the types a model file may contain besides the plain types
#: skops always trusts. ``load_model(path, trusted=[...])`` adds to this list, as
#: ``skops.io.load(trusted=...)`` adds to skops' own defaults.
TRUSTED_TYPES = [
    "screening.models._scorecard.RiskScorecard",
    "screening.models._boosted.BoostedRiskModel",
    "screening.models._drift.DriftProfile",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    # trusted because load_model checks the structure of every tree (see the module notes)
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.model_selection._split.StratifiedKFold",
]

#: Default limit, in bytes, on a model file and on the total size of its members once
#: decompressed. A fitted screener takes well under 1 MB (a boosted one a few MB);
#: pass ``load_model(path, max_bytes=...)`` to read a larger file you trust.
MAX_MODEL_BYTES = 64 * 2**20
#: Most members a model file may hold (one per array; a boosted model has a few hundred).
MAX_MEMBERS = 20_000
#: Largest compression ratio accepted for a member of more than 1 MiB (skops stores
#: members uncompressed by default; deflated arrays of real models compress far less).
MAX_RATIO = 100
_RATIO_FLOOR = 2**20
_MAX_ENTRY_BYTES = 512  # a directory entry: 46 bytes, the member's name and extras
_CHUNK = 2**20

_FORMAT = "models-skops"

_UNTRUSTED = (
    "{0} contains types that are not on the trusted list: {1}. It may not be a model file "
    "written by this library, and loading it could run code. If you wrote it yourself and "
    "trust these types, pass trusted={1}."
)
_NOT_A_MODEL_FILE = (
    "{0} is not a model file written by models.save_model (no metadata record). Save the "
    "model again with save_model(model, path)."
)
_BAD_METADATA = (
    "metadata must be a dict with str keys and plain values (str, int, float, bool, None, "
    "lists/dicts of these), got {0!r}. Convert it before saving."
)
_MISSING = "{0} does not exist. Give the path of a model file written by save_model."
_IS_FOLDER = (
    "{0} is a folder, not a model file. Give the path of the .skops file written by "
    "save_model (or screening.save), e.g. {0}/model.skops."
)
_NOT_REGULAR = "{0} is not a regular file. Give the path of a .skops model file."
_UNREADABLE = "{0} cannot be read ({1}). Check the path and its permissions."
_TOO_BIG = (
    "{0} is {1:,} bytes{2}, more than the limit of {3:,}. A model file of this library is "
    "far smaller, so this is not one (or it is a decompression bomb). If you trust the "
    "file, pass max_bytes= a larger limit."
)
_NOT_A_ZIP = (
    "{0} is not a model file: it is not a skops archive (a zip file){1}. It may be "
    "truncated or damaged, or another kind of file; save the model again with save_model."
)
_BAD_ARCHIVE = (
    "{0} is not a usable model file: {1}. It has been altered or damaged; save the model "
    "again with save_model."
)
_CORRUPT = (
    "{0} is damaged and cannot be read as a model file ({1}: {2}). Save the model again "
    "with save_model."
)
_UNSAFE_TREE = (
    "{0} holds a gradient-boosting tree that would crash prediction ({1}). The file has "
    "been altered or damaged; nothing was loaded. Fit and save the model again."
)
_BAD_PARAMETER = (
    "{0} holds a {1} whose {2} {3}; a fitted model never does. The file has been altered "
    "or damaged; nothing was loaded. Fit and save the model again."
)


def library_version() -> str:
    """The installed ``pupil-risk-screening`` version, or ``"0+unknown"``."""
    try:
        return importlib.metadata.version("pupil-risk-screening")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


class ModelFileError(ValueError):
    """A model file cannot be loaded: missing pieces, damaged, altered or not one at all.

    The message names the file and says what to do. :class:`UntrustedTypesError` and
    :class:`ModelVersionError` are the two kinds with their own class.

    Attributes
    ----------
    path : pathlib.Path or None
        The file.
    """

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None) -> None:
        self.path = None if path is None else Path(path)
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt without calling __init__ (whose arguments differ from ``args``), so
        # the error survives the trip back from a joblib or dask worker unchanged
        return (copyreg.__newobj__,  # type: ignore[attr-defined]  # not in typeshed
                (type(self), *self.args), self.__dict__)


class ModelVersionError(ModelFileError):
    """A model file was saved by another version of the library."""

    def __init__(self, path: str | os.PathLike[str] | None, saved: object,
                 installed: str) -> None:
        self.saved, self.installed = saved, installed
        super().__init__(
            f"{path} was saved by pupil-risk-screening {saved}; this is {installed}. "
            f"Re-fit the model and save it again with this version, or install "
            f"pupil-risk-screening=={saved} to load it.", path)


class UntrustedTypesError(ModelFileError):
    """A model file contains types outside the trusted list."""

    def __init__(self, path: str | os.PathLike[str] | None, types: Iterable[str]) -> None:
        self.types = list(types)
        super().__init__(_UNTRUSTED.format(path, self.types), path)


def _summary(model: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {"class": type(model).__name__}
    for name in ("n_features_in_", "n_splits_", "rounding_loss_", "intercept_", "slope_"):
        value = getattr(model, name, None)
        if isinstance(value, (int, float, np.integer, np.floating)):
            summary[name.rstrip("_")] = value.item() if hasattr(value, "item") else value
    classes = getattr(model, "classes_", None)
    if classes is not None:
        summary["classes"] = [str(c) for c in classes]
    return summary


def save_model(model: Any, path: str | os.PathLike[str],
               metadata: Mapping[str, Any] | None = None) -> Path:
    """Write a fitted model with skops, with a metadata record checked on load.

    The file is written beside ``path`` under a temporary name and moved into place
    when complete, so an interrupted save never leaves a truncated model file.

    Parameters
    ----------
    model : estimator
        A fitted RiskScorecard, BoostedRiskModel or other estimator of trusted types.
    path : str or Path
        File to write (conventionally ``*.skops``).
    metadata : dict, optional
        Extra facts to store (str keys, JSON-like values), returned by ``load_model``.

    Returns
    -------
    Path
        The path written.
    """
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(k, str) for k in metadata)):
        raise ValueError(_BAD_METADATA.format(metadata))
    names = getattr(model, "feature_names_in_", getattr(model, "feature_names_", None))
    record = {
        "format": _FORMAT,
        "library_version": library_version(),
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "feature_names": [str(n) for n in names] if names is not None else None,
        "training": _summary(model),
        "user": dict(metadata or {}),
    }
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(_IS_FOLDER.format(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            sio.dump({"metadata": record, "model": model}, handle)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@overload
def load_model(path: str | os.PathLike[str], *, trusted: Iterable[str] | None = ...,
               return_metadata: Literal[False] = ..., max_bytes: int = ...) -> Any: ...
@overload
def load_model(path: str | os.PathLike[str], *, trusted: Iterable[str] | None = ...,
               return_metadata: Literal[True], max_bytes: int = ...
               ) -> tuple[Any, dict[str, Any]]: ...
def load_model(path: str | os.PathLike[str], *, trusted: Iterable[str] | None = None,
               return_metadata: bool = False, max_bytes: int = MAX_MODEL_BYTES
               ) -> Any | tuple[Any, dict[str, Any]]:
    """Load a model written by :func:`save_model`, refusing anything unsafe.

    This is the library's one trust check for model files (see the module notes for
    every step): the archive is checked before it is decompressed, nothing is built
    from a file holding a type outside :data:`TRUSTED_TYPES` (plus ``trusted``), the
    parameters compiled code relies on are checked after it is built, and the library
    version that wrote it must be the one installed.

    Parameters
    ----------
    path : str or Path
    trusted : list of str, optional
        More type names to trust, in addition to :data:`TRUSTED_TYPES` (as
        ``skops.io.load(trusted=...)`` adds to skops' defaults). Use it only for types
        you wrote yourself, e.g. a custom model class.
    return_metadata : bool, default=False
        Also return the metadata record.
    max_bytes : int, default=MAX_MODEL_BYTES
        Largest file, and largest total of its members once decompressed, to read.

    Returns
    -------
    model or (model, dict)

    Raises
    ------
    FileNotFoundError
        Nothing exists at ``path``.
    UntrustedTypesError
        The file holds types outside the trusted list (nothing is loaded).
    ModelVersionError
        The file was written by another library version.
    ModelFileError
        Anything else: a folder, not a zip archive, truncated or damaged, too large
        when decompressed, or holding a model whose trees or parameters are invalid.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skops")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b"not a model")
    >>> load_model(path)
    Traceback (most recent call last):
    ...
    screening.models._persist.ModelFileError: ... is not a model file: it is not a skops ...
    """
    path = Path(path)
    data = _checked_archive(path, int(max_bytes))
    trusted = list(TRUSTED_TYPES) + [str(t) for t in (trusted or [])]
    with _as_model_file_error(path):
        found = sio.get_untrusted_types(data=data)
    untrusted = [t for t in found if t not in trusted]
    if untrusted:
        raise UntrustedTypesError(path, untrusted)
    with _as_model_file_error(path):
        content = sio.loads(data, trusted=trusted)
    if not (isinstance(content, dict) and isinstance(content.get("metadata"), dict)
            and content["metadata"].get("format") == _FORMAT and "model" in content):
        raise ModelFileError(_NOT_A_MODEL_FILE.format(path), path)
    record = content["metadata"]
    installed = library_version()
    if record.get("library_version") != installed:
        raise ModelVersionError(path, record.get("library_version"), installed)
    _check_structure(content["model"], path=path)
    return (content["model"], record) if return_metadata else content["model"]


class _as_model_file_error:
    """Turn any failure of skops on checked bytes into a ModelFileError naming the file."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, ModelFileError):
            return False
        detail = str(exc).splitlines()[0][:200] if str(exc) else "no detail"
        raise ModelFileError(_CORRUPT.format(self.path, type(exc).__name__, detail),
                             self.path) from exc


# ------------------------------------------------------------------ the archive
def _checked_archive(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, once its zip structure and sizes are known to be safe."""
    if path.is_dir():
        raise ModelFileError(_IS_FOLDER.format(path), path)
    if not path.exists():
        raise FileNotFoundError(_MISSING.format(path))
    if not path.is_file():
        raise ModelFileError(_NOT_REGULAR.format(path), path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ModelFileError(_TOO_BIG.format(path, size, "", max_bytes), path)
        with path.open("rb") as handle:
            data = handle.read(size + 1)  # not max_bytes: read(n) reserves n bytes
    except OSError as exc:
        raise ModelFileError(_UNREADABLE.format(path, exc.strerror or exc), path) from exc
    if len(data) > max_bytes:  # grew while being read
        raise ModelFileError(_TOO_BIG.format(path, len(data), "", max_bytes), path)
    _check_directory_size(path, data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelFileError(_NOT_A_ZIP.format(path, f" ({exc})" if str(exc) else ""),
                             path) from exc
    with archive:
        _check_members(path, archive, max_bytes)
    return data


def _check_directory_size(path: Path, data: bytes) -> None:
    """Refuse a central directory too large to list before zipfile lists it.

    zipfile builds one object per directory entry, however many the directory holds,
    so a small file packed with millions of empty entries would take gigabytes to open.
    The end-of-directory record gives the entry count and the directory's size; a model
    file never needs zip64 (more than 65,535 entries or 4 GiB).
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return  # not a zip: zipfile says so, with its own message
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        raise ModelFileError(_BAD_ARCHIVE.format(
            path, "it is a zip64 archive, which no model file needs"), path)
    if entries > MAX_MEMBERS or size > MAX_MEMBERS * _MAX_ENTRY_BYTES:
        raise ModelFileError(_BAD_ARCHIVE.format(
            path, f"its directory lists {entries:,} members in {size:,} bytes, more than "
                  f"{MAX_MEMBERS:,} members"), path)


def _check_members(path, archive, max_bytes):
    def refuse(why):
        raise ModelFileError(_BAD_ARCHIVE.format(path, why), path)

    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        refuse(f"it has {len(infos):,} members, more than {MAX_MEMBERS:,}")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})[:3]
        refuse(f"members {twice} appear twice")
    if "schema.json" not in names:
        refuse("it has no schema.json, so it was not written by skops")
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            refuse(f"member {info.filename!r} uses compression method "
                   f"{info.compress_type}; only stored and deflated members are read")
        if info.flag_bits & 0x1:
            refuse(f"member {info.filename!r} is encrypted")
        total += info.file_size
        if total > max_bytes:
            raise ModelFileError(_TOO_BIG.format(
                path, total, " once decompressed (declared sizes)", max_bytes), path)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            refuse(f"member {info.filename!r} is compressed {ratio:,.0f} to 1, more than "
                   f"{MAX_RATIO} to 1 (a decompression bomb)")
    # Read every member in bounded chunks: zipfile stops at the declared size and then
    # checks the CRC, so a member that lies about its size fails here, having produced
    # at most its declared size, and skops never sees it.
    for info in infos:
        try:
            with archive.open(info) as member:
                while member.read(_CHUNK):
                    pass
        except Exception as exc:  # BadZipFile (CRC), EOFError, zlib.error, ...
            refuse(f"member {info.filename!r} is damaged ({type(exc).__name__}: {exc})")


# ------------------------------------------------------------------ the objects
def _check_structure(obj: object, *, path: Path | None = None) -> None:
    """Refuse a loaded model whose trees or parameters could crash or corrupt scoring.

    Walks everything reachable from ``obj`` and checks every gradient-boosting model
    (each tree's structure against the model's feature count and bitsets), every
    :class:`~screening.models.RiskScorecard` (finite points, cut points and
    calibration), and every sigmoid or isotonic calibrator (finite parameters). A
    tree found outside a gradient-boosting model is refused.

    Parameters
    ----------
    obj : object
        A loaded model (or any object holding models).
    path : str or Path, optional
        Named in the error message.

    Raises
    ------
    ModelFileError
        Naming the model, the parameter and what is wrong with it.
    """
    from sklearn.calibration import _SigmoidCalibration
    from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import (
        BaseHistGradientBoosting,
    )
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.isotonic import IsotonicRegression

    from ._boosted import booster_problem
    from ._scorecard import RiskScorecard

    where = "model" if path is None else str(path)
    trees, checked = [], set[int]()
    for item in _reachable(obj):
        if isinstance(item, BaseHistGradientBoosting) and hasattr(item, "_predictors"):
            problem = booster_problem(item)
            if problem:
                raise ModelFileError(_UNSAFE_TREE.format(where, problem), path)
            checked.update(id(t) for it in item._predictors for t in it)
        elif isinstance(item, TreePredictor):
            trees.append(item)
        elif isinstance(item, RiskScorecard) and hasattr(item, "bands_"):
            _check_scorecard(item, where)
        elif isinstance(item, _SigmoidCalibration) and hasattr(item, "a_"):
            for name in ("a_", "b_"):
                _finite(where, item, name, getattr(item, name))
        elif isinstance(item, IsotonicRegression) and hasattr(item, "X_thresholds_"):
            for name in ("X_thresholds_", "y_thresholds_"):
                _finite(where, item, name, getattr(item, name))
    if any(id(t) not in checked for t in trees):
        raise ModelFileError(_UNSAFE_TREE.format(
            where, "a tree outside any gradient-boosting model"), path)


def _reachable(obj):
    """Every object reachable from ``obj`` through containers and instance attributes."""
    seen, stack = set(), [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None or isinstance(item, (str, bytes, int, float,
                                                                  bool, type)):
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, np.ndarray):
            if item.dtype == object:
                stack.extend(item.ravel().tolist())
        elif hasattr(item, "__dict__"):
            stack.extend(vars(item).values())


def _finite(where, owner, name, value):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        _bad(where, owner, name, "is not numeric")
    ok = np.isfinite(arr)
    if not ok.all():
        bad = float(arr[~ok].ravel()[0])
        _bad(where, owner, name, f"holds {bad}" if arr.ndim else f"is {bad}")
    return arr


def _bad(where, owner, name, what):
    raise ModelFileError(_BAD_PARAMETER.format(where, type(owner).__name__, name, what),
                         None if where == "model" else where)


def _check_scorecard(card, where):
    """Finite calibration and points; cut points finite and increasing; sizes consistent."""
    for name in ("scale_", "proba_intercept_", "slope_", "intercept_", "rounding_loss_"):
        _finite(where, card, name, getattr(card, name, np.nan))
    if not card.slope_ > 0:
        _bad(where, card, "slope_", f"is {card.slope_!r} (it must be positive)")
    bands, points = card.bands_, card.band_points_
    if not isinstance(bands, (list, tuple)) or not isinstance(points, (list, tuple)) or (
            len(bands) != len(points)):
        _bad(where, card, "band_points_", "does not match its bands")
    for name in ("band_coef_", "band_rates_", "band_counts_"):
        for values in getattr(card, name, []) or []:
            _finite(where, card, name, values)
    for spec, pts in zip(bands, points):
        if not isinstance(spec, dict) or "labels" not in spec:
            _bad(where, card, "bands_", "holds a band without labels")
        label = f"band_points_ of {spec.get('name')!r}"
        pts = _finite(where, card, label, pts)
        if pts.ndim != 1 or len(pts) != len(spec["labels"]):
            _bad(where, card, label, f"has {pts.size} values for {len(spec['labels'])} bands")
        if spec.get("kind") == "categorical":
            expected = len(spec.get("levels", [])) + 2
        else:
            cuts = _finite(where, card, f"cut points of {spec.get('name')!r}",
                           spec.get("cuts", []))
            if cuts.ndim != 1 or (np.diff(cuts) <= 0).any():
                _bad(where, card, f"cut points of {spec.get('name')!r}", "are not increasing")
            expected = len(cuts) + 2
        if len(spec["labels"]) != expected:
            _bad(where, card, f"bands of {spec.get('name')!r}", "have the wrong number of "
                 "labels")
