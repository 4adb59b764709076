"""The loaders give exactly the problems, warnings and tables they gave before issue 21.

A 20,000-pupil synthetic LA is corrupted deterministically (every problem class of the
input contract, in text and in typed form) and written as CSV, as all-text Parquet and
as typed Parquet. ``load_records`` + ``validate`` must give the same problem table, row
for row, as the pandas-based loader did before the Arrow one replaced it; on a clean
variant with warnings, the same warnings and the same normalised tables (by digest).

The expected results were captured from the earlier code (commit 72af204) and stored in
``tests/fixtures/loading/expected.json.gz``. To capture them again from a checkout of that
code (installed, say, with ``pip install --no-deps --target REF <checkout>``)::

    PYTHONPATH=REF python tests/features/test_loading_identity.py --capture OUT.json.gz
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loading" / "expected.json.gz"
N_PUPILS, SEED, CORRUPTION_SEED = 20_000, 0, 2024
TABLES = ("pupils", "enrolments", "attendance", "attendance_marks", "suspensions", "sen")
VARIANTS = ("csv", "parquet_text", "parquet_typed", "structure_csv")


# ----------------------------------------------------------------------------- the data
def _marks(pupils: pd.DataFrame, rng) -> pd.DataFrame:
    """Register marks of 400 pupils over 12 weekdays in 2023 and 8 in September 2024."""
    upns = pupils["upn"].astype(str).to_numpy()[:400]
    days = np.r_[pd.bdate_range("2023-01-09", periods=12).to_numpy(),
                 pd.bdate_range("2024-09-02", periods=8).to_numpy()]
    upn = np.repeat(upns, len(days) * 2)
    date = np.tile(np.repeat(days, 2), len(upns))
    session = np.tile(["AM", "PM"], len(upns) * len(days))
    codes = np.array(["/", "\\", "L", "B", "P", "I", "M", "C", "N", "O", "U", "G", "#", "-"])
    code = rng.choice(codes, size=len(upn), p=[0.4, 0.4] + [0.2 / 12] * 12)
    return pd.DataFrame({"upn": upn, "date": pd.to_datetime(date), "session": session,
                         "code": code})


def _base(rng):
    import screening

    la = screening.datasets.make_local_authority(n_pupils=N_PUPILS, seed=SEED)
    out = {}
    for name in ("pupils", "enrolments", "attendance", "suspensions", "sen"):
        df = la.records.raw[name].copy()
        for c in df.columns:
            if isinstance(df[c].dtype, pd.CategoricalDtype):
                df[c] = df[c].astype(str)
        out[name] = df.reset_index(drop=True)
    out["attendance_marks"] = _marks(out["pupils"], rng)
    return out, la.extract_date


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """The table as a CSV export writes it (ISO dates, blanks for missing)."""
    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[c] = s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), "")
        else:
            out[c] = s.astype(object).where(s.notna(), "").astype(str)
    return pd.DataFrame(out)


class _Pick:
    """Distinct row positions, drawn without replacement, so corruptions never collide."""

    def __init__(self, rng, tables):
        self.rng = rng
        self.free = {k: np.ones(len(v), dtype=bool) for k, v in tables.items()}

    def __call__(self, table, n):
        free = np.flatnonzero(self.free[table])
        rows = np.sort(self.rng.choice(free, size=n, replace=False))
        self.free[table][rows] = False
        return rows


def _set(df, rows, col, value):
    df.loc[df.index[rows], col] = value


def corrupt_text(tables, rng) -> dict:
    """Every text-level problem class, a few rows each (and harmless variants)."""
    t = {k: _as_text(v) for k, v in tables.items()}
    pick = _Pick(rng, t)
    p, e, a, s, n, m = (t[k] for k in ("pupils", "enrolments", "attendance", "suspensions",
                                         "sen", "attendance_marks"))
    for col, value, k in [
        ("sex", "X", 8), ("sex", "  ", 4), ("sex", "female", 4), ("sex", "m", 4),
        ("date_of_birth", "2012-02-30", 4), ("date_of_birth", "last spring", 4),
        ("date_of_birth", "14/03/2012", 4), ("date_of_birth", "1985-01-01", 3),
        ("date_of_birth", "2030-01-01", 3), ("date_of_birth", "9999-12-31", 2),
        ("date_of_birth", " 2012-05-01 ", 2), ("date_of_birth", "2012-05-01 00:00", 2),
        ("date_of_birth", "", 2), ("fsm", "maybe", 4), ("fsm", "Y", 4), ("fsm", "no", 4),
        ("fsm", "", 3), ("eal", "1", 3), ("ethnicity", "martian", 4),
        ("ethnicity", " wbri ", 3), ("upn", "", 3),
    ]:
        _set(p, pick("pupils", k), col, value)
    dup = pick("pupils", 5)
    _set(p, dup, "upn", p["upn"].to_numpy()[dup - 1])
    padded = pick("pupils", 3)
    p.loc[p.index[padded], "upn"] = " " + p["upn"].to_numpy()[padded]

    for col, value, k in [
        ("school", "", 4), ("school", "0100001", 3), ("entry_date", "yesterday", 4),
        ("entry_date", "01/09/2019", 4), ("entry_date", "2031-09-01", 3),
        ("leaving_date", "2030-07-20", 4), ("leaving_date", "  ", 3), ("phase", "nursery", 4),
        ("phase", "AP", 3), ("upn", "GHOST1", 3), ("upn", "GHOST2", 2),
    ]:
        _set(e, pick("enrolments", k), col, value)
    rows = pick("enrolments", 5)
    _set(e, rows, "entry_date", "2022-09-01")
    _set(e, rows, "leaving_date", "2022-08-31")

    for col, value, k in [
        ("sessions_possible", "lots", 4), ("sessions_authorised", "-3", 4),
        ("sessions_unauthorised", "inf", 3), ("sessions_possible", "12.0", 3),
        ("sessions_authorised", "", 4), ("sessions_unauthorised", "999", 4),
        ("sessions_possible", " 70 ", 3), ("period_start", "01/09/2022", 4),
        ("period_end", "2022-13-01", 3), ("upn", "GHOST3", 4), ("school", "", 4),
    ]:
        _set(a, pick("attendance", k), col, value)
    rows = pick("attendance", 4)
    _set(a, rows, "period_start", "2022-09-05")
    _set(a, rows, "period_end", "2022-09-01")

    for col, value, k in [
        ("category", "EXPEL", 4), ("category", "perm", 3), ("category", "LNCH", 3),
        ("category", "", 3), ("sessions", "-1", 3), ("sessions", "two", 3),
        ("sessions", "", 3), ("start_date", "2026-01-05", 3), ("start_date", "1899-01-01", 3),
        ("reason", "pp, DB", 3), ("upn", "GHOST4", 3),
    ]:
        _set(s, pick("suspensions", k), col, value)

    for col, value, k in [
        ("provision", "Z", 4), ("provision", "n", 3), ("provision", "s", 3),
        ("provision", "", 3), ("start_date", "", 3), ("upn", "GHOST5", 3),
        ("primary_need", " semh", 3),
    ]:
        _set(n, pick("sen", k), col, value)
    rows = pick("sen", 4)
    _set(n, rows, "start_date", "2021-01-04")
    _set(n, rows, "end_date", "2020-12-18")

    for col, value, k in [
        ("session", "Morning", 4), ("session", "am", 4), ("code", "ZZ", 4), ("code", "", 3),
        ("date", "someday", 3), ("upn", "GHOST6", 3),
    ]:
        _set(m, pick("attendance_marks", k), col, value)
    late = np.flatnonzero(m["date"].str.startswith("2024-09").to_numpy() & pick.free[
        "attendance_marks"])[:4]
    _set(m, late, "code", "J")  # withdrawn in 2024
    pick.free["attendance_marks"][late] = False
    twice = pick("attendance_marks", 4)  # the same session marked again, another code
    clash = m.iloc[twice].assign(code="N")
    t["attendance_marks"] = pd.concat([m, clash], ignore_index=True)
    for name, k in [("enrolments", 4), ("attendance", 4), ("suspensions", 3), ("sen", 2),
                    ("attendance_marks", 3)]:
        src = t[name]
        t[name] = pd.concat([src, src.iloc[pick(name, k)]], ignore_index=True)
    return t


def corrupt_typed(tables, rng) -> dict:
    """Problem classes a typed (Parquet) export can carry."""
    t = {k: v.copy() for k, v in tables.items()}
    pick = _Pick(rng, t)
    p, e, a, s, n, m = (t[k] for k in ("pupils", "enrolments", "attendance", "suspensions",
                                         "sen", "attendance_marks"))
    _set(p, pick("pupils", 4), "date_of_birth", pd.NaT)
    _set(p, pick("pupils", 3), "date_of_birth", pd.Timestamp("1985-01-01"))
    _set(p, pick("pupils", 3), "date_of_birth", pd.Timestamp("2030-01-01"))
    _set(p, pick("pupils", 5), "sex", "X")
    _set(p, pick("pupils", 3), "sex", None)
    _set(p, pick("pupils", 3), "ethnicity", "zzzz")
    dup = pick("pupils", 4)
    _set(p, dup, "upn", p["upn"].to_numpy()[dup - 1])
    p["eal"] = p["eal"].astype("int64")
    _set(p, pick("pupils", 3), "eal", 2)

    rows = pick("enrolments", 4)
    _set(e, rows, "leaving_date", e["entry_date"].to_numpy()[rows] - np.timedelta64(1, "D"))
    _set(e, pick("enrolments", 4), "upn", "GHOST7")
    _set(e, pick("enrolments", 3), "school", None)
    _set(e, pick("enrolments", 3), "entry_date", pd.Timestamp("2032-01-01"))

    counts = ["sessions_possible", "sessions_authorised", "sessions_unauthorised"]
    a[counts] = a[counts].astype("float64")
    _set(a, pick("attendance", 4), "sessions_authorised", -3.0)
    _set(a, pick("attendance", 4), "sessions_unauthorised", 900.0)
    _set(a, pick("attendance", 3), "sessions_possible", np.nan)
    rows = pick("attendance", 4)
    _set(a, rows, "period_end", a["period_start"].to_numpy()[rows] - np.timedelta64(3, "D"))
    _set(a, pick("attendance", 4), "upn", "GHOST8")

    _set(s, pick("suspensions", 4), "category", "EXPEL")
    _set(s, pick("suspensions", 3), "sessions", -1.0)
    _set(s, pick("suspensions", 3), "start_date", pd.Timestamp("2027-02-01"))
    s["start_date"] = s["start_date"].astype("datetime64[s]")
    _set(s, pick("suspensions", 2), "start_date", np.datetime64("2300-01-01", "s"))

    _set(n, pick("sen", 4), "provision", "Z")
    rows = pick("sen", 4)
    _set(n, rows, "end_date", n["start_date"].to_numpy()[rows] - np.timedelta64(10, "D"))

    _set(m, pick("attendance_marks", 4), "session", "XX")
    _set(m, pick("attendance_marks", 4), "code", "ZZ")
    _set(m, pick("attendance_marks", 3), "date", pd.NaT)
    _set(m, pick("attendance_marks", 3), "upn", "GHOST9")
    twice = pick("attendance_marks", 3)
    t["attendance_marks"] = pd.concat([m, m.iloc[twice].assign(code="O")], ignore_index=True)
    for name, k in [("enrolments", 3), ("attendance", 3), ("suspensions", 2), ("sen", 2)]:
        src = t[name]
        t[name] = pd.concat([src, src.iloc[pick(name, k)]], ignore_index=True)
    return t


def warned_typed(tables, rng) -> dict:
    """Valid records with warnings: UPN check letters, ethnicity, phase, sessions."""
    t = {k: v.copy() for k, v in tables.items()}
    pick = _Pick(rng, t)
    rows = pick("pupils", 4)
    old = t["pupils"]["upn"].to_numpy()[rows]
    new = np.array([("Z" if u[0] != "Z" else "Y") + u[1:] for u in old], dtype=object)
    lookup = dict(zip(old, new))
    for name in TABLES:
        t[name]["upn"] = t[name]["upn"].map(lambda u: lookup.get(u, u))
    _set(t["pupils"], pick("pupils", 4), "ethnicity", "MARS")
    _set(t["enrolments"], pick("enrolments", 4), "phase", "nursery")
    a = t["attendance"]
    _set(a, pick("attendance", 4), "sessions_possible", 480)
    _set(t["sen"], pick("sen", 3), "provision", "N")
    # extra columns are kept as given
    notes = np.array(["", "  ", "007", "x y", " padded "], dtype=object)
    t["pupils"]["note"] = notes[rng.integers(0, len(notes), len(t["pupils"]))]
    t["enrolments"]["tier"] = rng.integers(0, 3, len(t["enrolments"]))
    return t


def structural(tables) -> dict:
    """Table-level problems: a missing table, a missing column, a padded column name."""
    t = {k: _as_text(v) for k, v in tables.items() if k != "enrolments"}
    t["sen"] = t["sen"].drop(columns="provision")
    t["pupils"] = t["pupils"].rename(columns={"sex": " sex "})
    return t


def write_variant(variant, tables, folder: Path, extract_date) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if variant == "csv":
            # a spreadsheet's UTF-8 export starts with a byte-order mark
            df.to_csv(folder / f"{name}.csv", index=False,
                      encoding="utf-8-sig" if name == "pupils" else "utf-8")
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "metadata.json").write_text(json.dumps(
        {"extract_date": str(pd.Timestamp(extract_date).date())}))
    return folder


def make_variants(root: Path) -> dict:
    """Write every variant under ``root``; return ``{name: folder}``."""
    rng = np.random.default_rng(CORRUPTION_SEED)
    base, extract = _base(rng)
    text = corrupt_text(base, rng)
    typed = corrupt_typed(base, rng)
    warned = warned_typed(base, rng)
    return {
        "csv": write_variant("csv", text, root / "csv", extract),
        "parquet_text": write_variant("parquet", text, root / "parquet_text", extract),
        "parquet_typed": write_variant("parquet", typed, root / "parquet_typed", extract),
        "warned_csv": write_variant("csv", {k: _as_text(v) for k, v in warned.items()},
                                    root / "warned_csv", extract),
        "warned_parquet": write_variant("parquet", warned, root / "warned_parquet", extract),
        "structure_csv": write_variant("csv", structural(base), root / "structure_csv",
                                       extract),
    }


# ----------------------------------------------------------------------------- results
def _value(v):
    """A comparable, JSON-safe form of a problem's value (missing values are one kind)."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return ["missing", ""]
    if isinstance(v, (bool, np.bool_)):
        return ["bool", str(bool(v))]
    if isinstance(v, (int, np.integer)):
        return ["int", str(int(v))]
    if isinstance(v, (float, np.floating)):
        return ["float", repr(float(v))]
    if isinstance(v, pd.Timestamp):
        return ["timestamp", v.isoformat()]
    if isinstance(v, np.datetime64):
        return ["timestamp", pd.Timestamp(v).isoformat()]
    return [type(v).__name__, str(v)]


def _row(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v)


def problem_rows(frame: pd.DataFrame) -> list:
    cols = ["table", "row", "column", "value", "problem", "fix"]
    out = []
    for r in frame[cols].itertuples(index=False):
        column = None if r.column is None or (isinstance(r.column, float)) else str(r.column)
        out.append([r.table, _row(r.row), column, _value(r.value), r.problem, r.fix])
    return out


def table_digest(df: pd.DataFrame) -> dict:
    """Columns, dtypes, length and a hash of the values of one normalised table."""
    h = hashlib.sha256()
    for c in df.columns:
        h.update(str(c).encode())
        h.update(pd.util.hash_pandas_object(df[c], index=False).to_numpy().tobytes())
    return {"columns": [str(c) for c in df.columns],
            "dtypes": [str(t) for t in df.dtypes], "rows": int(len(df)),
            "index": [int(df.index[0]) if len(df) else None, type(df.index).__name__],
            "sha256": h.hexdigest()}


def results(folders: dict) -> dict:
    from screening.features import InputError, load_records

    out = {}
    for name, folder in folders.items():
        rec = load_records(folder)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                w = rec.validate()
            except InputError as err:
                out[name] = {"problems": problem_rows(err.problems)}
                continue
        out[name] = {"warnings": problem_rows(w),
                     "tables": {t: table_digest(rec.tables()[t]) for t in TABLES},
                     "given_attendance": int(len(rec.given_attendance())),
                     "data_end": str(rec.data_end)}
    return out


def _load_fixture():
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        return json.load(fh)


# ----------------------------------------------------------------------------- tests
import pytest  # noqa: E402


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    return results(make_variants(tmp_path_factory.mktemp("identity")))


@pytest.fixture(scope="module")
def expected():
    return _load_fixture()


@pytest.mark.parametrize("variant", VARIANTS)
def test_problems_are_identical_to_the_earlier_loader(measured, expected, variant):
    got, want = measured[variant]["problems"], expected[variant]["problems"]
    if variant != "structure_csv":  # every class is represented, several rows each
        assert len(want) > 150 and len({tuple(r[i] for i in (0, 2, 4)) for r in want}) > 30
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"problem {i} differs: got {g}, expected {w}"
    assert len(got) == len(want)


@pytest.mark.parametrize("variant", ["warned_csv", "warned_parquet"])
def test_warnings_and_tables_are_identical_to_the_earlier_loader(measured, expected, variant):
    got, want = measured[variant], expected[variant]
    assert "problems" not in got, got.get("problems", [])[:5]
    assert got["warnings"] == want["warnings"]
    assert len(want["warnings"]) > 10
    for t in TABLES:
        assert got["tables"][t] == want["tables"][t], t
    assert got["given_attendance"] == want["given_attendance"]
    assert got["data_end"] == want["data_end"]


if __name__ == "__main__":
    import tempfile

    if len(sys.argv) != 3 or sys.argv[1] != "--capture":
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as d:
        res = results(make_variants(Path(d)))
    Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(sys.argv[2], "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(res, fh, separators=(",", ":"))
    for k, v in res.items():
        print(k, {kk: len(vv) for kk, vv in v.items() if isinstance(vv, (list, dict))})
