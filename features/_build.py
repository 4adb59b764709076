"""Feature table, outcome labels and audit attributes as of a census date.

Every function here applies the input contract's time rules: an event dated ``d`` is
known at census ``T`` only when ``d < T`` (attendance periods when
``period_end < T``), so appending records dated on or after ``T`` changes no feature.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._attendance import attendance_features
from ._codes import ethnicity_audit_group
from ._cohort import build_census, column
from ._dates import days, to_census_date
from ._dictionary import CATEGORIES, FEATURE_NAMES, describe
from ._school import school_features
from ._sen import current_provision, sen_features
from ._suspension import suspension_features
from ._transition import transition_features

__all__ = ["build", "label", "describe", "outcome_window_complete", "audit_attributes"]

_NOT_RECORDS = (
    "records must be a features.Records (with pupils and enrolments tables); got {}. "
    "Build one with features.Records(pupils=..., enrolments=..., ...) or "
    "features.load_records(folder)."
)
_BAD_TARGET = (
    "target must be 'suspension' or 'permanent'; got {!r}. 'suspension' counts any "
    "suspension or permanent exclusion, 'permanent' only permanent exclusions."
)
_BAD_HORIZON = (
    "horizon_months must be a whole number of months >= 1; got {!r}. The usual "
    "horizon is 12 (one year after the census)."
)

_SEN_STATUS = {"none": "none", "support": "SEN support", "ehcp": "EHC plan"}
_AUDIT_BOOLS = ("fsm", "eal", "looked_after")


def _check_records(records):
    if not all(hasattr(records, a) for a in ("pupils", "enrolments", "suspensions")):
        raise TypeError(_NOT_RECORDS.format(type(records).__name__))


def _check_horizon(horizon_months) -> int:
    if isinstance(horizon_months, bool) or not isinstance(
            horizon_months, (int, np.integer, float)) or horizon_months != int(
            horizon_months) or horizon_months < 1:
        raise ValueError(_BAD_HORIZON.format(horizon_months))
    return int(horizon_months)


def build(records, as_of, year_groups=(5, 6, 7)) -> pd.DataFrame:
    """Return one row of leakage-safe features per pupil in the cohort at ``as_of``.

    The cohort is every pupil on roll at ``as_of`` (some enrolment with
    ``entry_date < as_of`` and no leaving date before it) whose year group at
    ``as_of`` is in ``year_groups``: pupils in alternative provision, dual-registered
    pupils (one row) and pupils who left later are all included, none dropped for
    missing history. Only records dated before ``as_of`` are used.

    Parameters
    ----------
    records : Records
        The local authority's records.
    as_of : str, datetime.date or pandas.Timestamp
        The census date ``T``.
    year_groups : sequence of int, default=(5, 6, 7)
        National-curriculum year groups to screen.

    Returns
    -------
    pandas.DataFrame
        Index ``upn`` (sorted). Columns: ``school`` (main school at ``as_of``: a
        non-AP registration when dual registered, else the latest entry),
        ``year_group``, then the features of :func:`describe` in its order. Numeric
        features are float64 (``NaN`` = no history, e.g. absence rates of a pupil
        with no attendance record, with ``attendance_missing`` True), yes/no features
        bool (float 0/1 with ``NaN`` where they derive from a missing rate),
        categoricals ``category`` with the same categories at every census.

    See Also
    --------
    label : The outcome on the same index.
    describe : The feature dictionary.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A", "B"], "date_of_birth": ["2014-05-01",
    ...                          "2012-11-20"], "sex": ["M", "F"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A", "B"], "school": ["S1", "S2"],
    ...                              "entry_date": ["2019-09-01", "2023-01-09"]}),
    ...     attendance=pd.DataFrame({"upn": ["A"], "period_start": ["2022-09-01"],
    ...         "period_end": ["2023-07-21"], "sessions_possible": [380],
    ...         "sessions_authorised": [19], "sessions_unauthorised": [19]}),
    ...     suspensions=pd.DataFrame({"upn": ["B"], "start_date": ["2023-03-01"],
    ...                               "category": ["FIXD"], "sessions": [4]}))
    >>> X = build(rec, as_of="2023-10-05")
    >>> X[["school", "year_group", "absence_rate_12m", "attendance_missing",
    ...    "suspensions_12m"]]  # doctest: +NORMALIZE_WHITESPACE
        school  year_group  absence_rate_12m  attendance_missing  suspensions_12m
    upn
    A       S1           5               0.1               False              0.0
    B       S2           6               NaN                True              1.0
    """
    _check_records(records)
    census = build_census(records, as_of, year_groups)
    parts = [
        transition_features(census),
        attendance_features(census, records.attendance, records.attendance_marks),
        suspension_features(census, records.suspensions),
        sen_features(census, records.sen),
        school_features(census, records.suspensions, records.enrolments),
    ]
    X = pd.concat(parts, axis=1)
    X.insert(0, "school", census.frame["school"])
    X = X[["school", *FEATURE_NAMES]]
    for name, cats in CATEGORIES.items():
        X[name] = pd.Categorical(X[name].astype(object), categories=list(cats))
    X.index.name = "upn"
    return X


def label(records, as_of, horizon_months=12, target="suspension",
          year_groups=(5, 6, 7)) -> pd.Series:
    """Return the 0/1 outcome for every pupil in the cohort at ``as_of``.

    The outcome is 1 when the pupil has at least one suspension or permanent
    exclusion (``target='suspension'``) or permanent exclusion
    (``target='permanent'``) with ``start_date`` in
    ``[as_of, as_of + horizon_months)``, from any school.

    Parameters
    ----------
    records : Records
    as_of : str, datetime.date or pandas.Timestamp
    horizon_months : int, default=12
    target : {'suspension', 'permanent'}, default='suspension'
    year_groups : sequence of int, default=(5, 6, 7)
        As in :func:`build`; the result has the same index.

    Returns
    -------
    pandas.Series
        int64 0/1, index ``upn`` as :func:`build`, named ``target``. Check
        :func:`outcome_window_complete` before trusting zeros near the data's end.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A", "B"], "date_of_birth": ["2013-05-01",
    ...                          "2012-11-20"], "sex": ["M", "F"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A", "B"], "school": ["S1", "S2"],
    ...                              "entry_date": ["2019-09-01", "2023-01-09"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     suspensions=pd.DataFrame({"upn": ["B"], "start_date": ["2023-10-05"],
    ...                               "category": ["FIXD"]}))
    >>> label(rec, "2023-10-05").tolist()
    [0, 1]
    """
    _check_records(records)
    if target not in ("suspension", "permanent"):
        raise ValueError(_BAD_TARGET.format(target))
    months = _check_horizon(horizon_months)
    census = build_census(records, as_of, year_groups)
    s = records.suspensions
    start = days(s["start_date"])
    end = to_census_date(as_of) + pd.DateOffset(months=months)
    pos = census.positions(s)
    hit = (pos >= 0) & (start >= census.t) & (start < days(pd.Series([end]))[0])
    if target == "permanent":
        hit &= (column(s, "category").astype("string") == "permanent").fillna(
            False).to_numpy(dtype=bool)
    y = np.bincount(pos[hit], minlength=census.n) > 0
    return pd.Series(y.astype("int64"), index=census.upns, name=target)


def _data_end(records) -> pd.Timestamp | None:
    """Last day the records cover: ``records.data_end`` (extract date, else latest date)."""
    if getattr(records, "extract_date", None) is not None:
        return pd.Timestamp(records.extract_date)
    end = getattr(records, "data_end", None)
    if end is not None:
        return pd.Timestamp(end)
    latest = []  # older Records without data_end: latest event date
    for table, col in (("attendance", "period_end"), ("attendance_marks", "date"),
                       ("suspensions", "start_date"), ("enrolments", "entry_date"),
                       ("sen", "start_date")):
        t = getattr(records, table)
        if col in t.columns and len(t):
            d = days(t[col])
            if np.isfinite(d).any():
                latest.append(np.nanmax(d))
    if not latest:
        return None
    return pd.Timestamp("1970-01-01") + pd.Timedelta(days=max(latest))


def outcome_window_complete(records, as_of, horizon_months=12) -> bool:
    """Return whether the records cover the whole outcome window after ``as_of``.

    The window ``[as_of, as_of + horizon_months)`` is complete when its last day is
    on or before the last day the records cover: ``records.extract_date`` when
    given, else ``records.data_end`` (the latest date in the records).

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]),
    ...     extract_date="2024-10-01")
    >>> outcome_window_complete(rec, "2023-09-07"), outcome_window_complete(rec, "2023-10-05")
    (True, False)
    """
    _check_records(records)
    end = to_census_date(as_of) + pd.DateOffset(months=_check_horizon(horizon_months))
    data_end = _data_end(records)
    return bool(data_end is not None and end - pd.Timedelta(days=1) <= data_end)


def audit_attributes(records, as_of, year_groups=(5, 6, 7)) -> pd.DataFrame:
    """Return the audit groups of the cohort at ``as_of`` (never model features).

    Returns
    -------
    pandas.DataFrame
        Index ``upn`` as :func:`build`. Columns ``sex``, ``fsm``, ``eal``,
        ``looked_after`` (``boolean``, ``<NA>`` when unknown or not supplied),
        ``ethnicity`` (census code), ``ethnicity_major`` (major group, with Gypsy,
        Roma and Traveller pupils as their own group; blank or unrecognised codes
        are ``'Unknown'``), ``sen`` (``'none'``,
        ``'SEN support'`` or ``'EHC plan'`` at ``as_of``), ``year_group``, ``school``,
        plus any extra pupil columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from screening.features import Records
    >>> rec = Records(
    ...     pupils=pd.DataFrame({"upn": ["A"], "date_of_birth": ["2013-05-01"],
    ...                          "sex": ["M"], "ethnicity": ["WROM"]}),
    ...     enrolments=pd.DataFrame({"upn": ["A"], "school": ["S1"],
    ...                              "entry_date": ["2019-09-01"]}),
    ...     attendance=pd.DataFrame(columns=["upn", "period_start", "period_end",
    ...         "sessions_possible", "sessions_authorised", "sessions_unauthorised"]))
    >>> audit_attributes(rec, "2023-10-05").loc["A", ["ethnicity_major", "sen"]].tolist()
    ['Gypsy, Roma and Traveller', 'none']
    """
    _check_records(records)
    census = build_census(records, as_of, year_groups)
    p = census.pupil_rows().set_index(census.upns)
    out = pd.DataFrame(index=census.upns)
    out["sex"] = column(p, "sex").astype("string")
    for c in _AUDIT_BOOLS:
        out[c] = column(p, c, "boolean").astype("boolean")
    out["ethnicity"] = column(p, "ethnicity").astype("string")
    out["ethnicity_major"] = ethnicity_audit_group(out["ethnicity"]).fillna(
        "Unknown").to_numpy()
    sen = current_provision(census, records.sen)
    out["sen"] = pd.Categorical(pd.Series(sen).map(_SEN_STATUS).to_numpy(),
                                categories=list(_SEN_STATUS.values()))
    out["year_group"] = census.frame["year_group"]
    out["school"] = census.frame["school"]
    extra = [c for c in p.columns if c not in out.columns and c not in ("upn", "date_of_birth")]
    for c in extra:
        out[c] = p[c]
    return out
