"""The feature table as of a census date.

Every domain applies the input contract's time rule through :mod:`features._known`:
an event dated ``d`` is known at census ``T`` only when ``d < T`` (attendance
periods by ``period_end``), so appending records dated on or after ``T`` changes no
feature.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import _attendance, _school, _sen, _suspension, _transition
from ._args import check_records
from ._attendance import attendance_features
from ._cohort import build_census
from ._dictionary import CATEGORIES, FEATURE_NAMES, episode_feature_specs
from ._episodes import DOMAIN as EPISODES
from ._episodes import check_kinds, episode_features
from ._school import school_features
from ._sen import sen_features
from ._spec import check_domain_output
from ._suspension import suspension_features
from ._transition import transition_features
from ._typing import DateLike

if TYPE_CHECKING:
    from ._records import Records

#: What the feature table says about gaps in a pupil's history, by column.
_HISTORY_NOTES = {
    "attendance_missing": "no attendance history before the census",
}


def build(records: Records, as_of: DateLike, year_groups: Sequence[int] = (5, 6, 7),
          episode_kinds: Sequence[str] = ()) -> pd.DataFrame:
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
    episode_kinds : sequence of str, default=()
        Kinds of the ``episodes`` table (the LA's own labels, e.g. ``child_in_need``)
        to add features for: current, in the last 24 months, in the last 12 months, count and months
        since the latest start, per kind, after the fixed features (see
        ``describe(episode_kinds=...)``). Only episodes that started before ``as_of``
        count; one with an end date on or after ``as_of`` is current.

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
    check_records(records)
    kinds = check_kinds(episode_kinds)
    census = build_census(records, as_of, year_groups)
    parts = [
        (_transition, transition_features(census)),
        (_attendance, attendance_features(census, records.attendance,
                                          records.attendance_marks)),
        (_suspension, suspension_features(census, records.suspensions)),
        (_sen, sen_features(census, records.sen)),
        (_school, school_features(census, records.suspensions, records.enrolments)),
    ]
    for domain, frame in parts:
        check_domain_output(domain.DOMAIN, domain.FEATURES, frame)
    frames = [frame for _, frame in parts]
    if kinds:
        frame = episode_features(census, records.episodes, kinds)
        specs = episode_feature_specs(kinds)
        check_domain_output(EPISODES, specs, frame)
        frames.append(frame)
    X = pd.concat(frames, axis=1)
    X.insert(0, "school", census.frame["school"])
    expected = list(FEATURE_NAMES) + [s.name for s in episode_feature_specs(kinds)]
    if list(X.columns[1:]) != expected:  # pragma: no cover - a library fault
        raise RuntimeError("build assembled its domains in another order than the "
                           "feature dictionary; see features._dictionary.DOMAINS.")
    for name, cats in CATEGORIES.items():
        X[name] = pd.Categorical(X[name].astype(object), categories=list(cats))
    X.index.name = "upn"
    return X


def history_notes(X: pd.DataFrame) -> pd.Series:
    """A plain-English note per pupil on gaps in their recorded history ("" if none).

    Parameters
    ----------
    X : pandas.DataFrame
        A table from :func:`build`.

    Returns
    -------
    pandas.Series
        Indexed like ``X``; for example ``"no attendance history before the census"``
        for a pupil whose absence rates are blank. Several notes are joined by "; ".

    Examples
    --------
    >>> import pandas as pd
    >>> history_notes(pd.DataFrame({"attendance_missing": [False, True]})).tolist()
    ['', 'no attendance history before the census']
    """
    notes = pd.Series("", index=X.index, dtype=object)
    for col, text in _HISTORY_NOTES.items():
        if col in X:
            hit = X[col].astype("boolean").fillna(False).to_numpy(dtype=bool)
            notes[hit] = np.where(notes[hit] == "", text, notes[hit] + "; " + text)
    return notes
