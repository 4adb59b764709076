"""Nothing dated on or after the census date may change any feature.

Two checks on a small random local authority: appending records dated on or after
T changes no feature, and truncating the records to what was known before T gives
the same features. A hypothesis version appends events at random offsets >= 0.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import features

T = pd.Timestamp("2023-10-05")
CODES = np.array(["/", "\\", "I", "M", "O", "G", "L", "U", "E", "D", "#"])
REASONS = np.array(["PP", "PA;VA", "DB", "PD", "TH", "DA;DB", None], dtype=object)
PHASES = np.array(["primary", "secondary", "ap", None], dtype=object)


def _date(rng, lo, hi, n):
    day = 86_400_000_000_000
    a, b = pd.Timestamp(lo).value // day, pd.Timestamp(hi).value // day
    return pd.to_datetime(rng.integers(a, b, n), unit="D")


def make_tables(n=40, seed=0):
    """A small random LA whose records run well past T (raw tables, all dates)."""
    rng = np.random.default_rng(seed)
    upn = np.array([f"U{i:03d}" for i in range(n)])
    pupils = pd.DataFrame({"upn": upn, "sex": rng.choice(["M", "F"], n),
                           "date_of_birth": _date(rng, "2010-09-01", "2014-08-31", n)})
    # first school from 2018, a second registration for about half, some in AP
    second = rng.random(n) < 0.5
    e1 = pd.DataFrame({"upn": upn, "school": rng.choice(["S1", "S2", "S3"], n),
                       "entry_date": _date(rng, "2018-09-01", "2021-09-01", n),
                       "leaving_date": pd.NaT, "phase": "primary"})
    k = int(second.sum())
    e2 = pd.DataFrame({"upn": upn[second], "school": rng.choice(["S4", "S5", "AP1"], k),
                       "entry_date": _date(rng, "2021-10-01", "2024-06-01", k),
                       "leaving_date": pd.NaT, "phase": rng.choice(PHASES, k)})
    leave = rng.random(n) < 0.4
    e1.loc[leave, "leaving_date"] = _date(rng, "2022-01-01", "2024-07-01", int(leave.sum()))
    e1["leaving_date"] = e1["leaving_date"].where(
        e1["leaving_date"] > e1["entry_date"] + pd.Timedelta(days=1))
    enrolments = pd.concat([e1, e2], ignore_index=True)

    terms = [("2021-09-01", "2021-12-17"), ("2022-01-04", "2022-07-22"),
             ("2022-09-05", "2022-12-16"), ("2023-01-03", "2023-07-21"),
             ("2023-09-04", "2023-12-20"), ("2024-01-03", "2024-07-19")]
    rows = []
    for s, e in terms:
        who = upn[rng.random(n) < 0.8]
        poss = rng.integers(100, 220, len(who)).astype(float)
        auth = np.floor(poss * rng.random(len(who)) * 0.2)
        unauth = np.floor((poss - auth) * rng.random(len(who)) * 0.1)
        rows.append(pd.DataFrame({"upn": who, "period_start": s, "period_end": e,
                                  "sessions_possible": poss, "sessions_authorised": auth,
                                  "sessions_unauthorised": unauth}))
    attendance = pd.concat(rows, ignore_index=True)

    m = 600
    mdates = _date(rng, "2023-06-01", "2023-11-30", m)
    marks = pd.DataFrame({"upn": rng.choice(upn[:10], m), "date": mdates,
                          "session": rng.choice(["AM", "PM"], m), "code": rng.choice(CODES, m)})
    marks = marks.drop_duplicates(["upn", "date", "session"])

    s = 60
    suspensions = pd.DataFrame({
        "upn": rng.choice(upn, s), "start_date": _date(rng, "2021-01-01", "2024-09-01", s),
        "category": rng.choice(["FIXD", "FIXD", "FIXD", "PERM"], s),
        "sessions": rng.choice([1.0, 2.0, 4.0, np.nan], s),
        "reason": rng.choice(REASONS, s),
        "school": rng.choice(np.array(["S1", "S4", None], dtype=object), s)})
    q = 20
    sstart = _date(rng, "2019-01-01", "2024-06-01", q)
    sen = pd.DataFrame({"upn": rng.choice(upn, q), "start_date": sstart,
                        "end_date": [d + pd.Timedelta(days=int(x)) if x > 300 else pd.NaT
                                     for d, x in zip(sstart, rng.integers(30, 900, q))],
                        "provision": rng.choice(["K", "E"], q),
                        "primary_need": rng.choice(["SEMH", "SLCN", "ASD", "MLD", None], q)})
    return dict(pupils=pupils, enrolments=enrolments, attendance=attendance,
                attendance_marks=marks, suspensions=suspensions, sen=sen)


def build(tables, as_of=T):
    return features.build(features.Records(**tables), as_of)


@pytest.fixture(scope="module")
def base():
    tables = make_tables()
    return tables, build(tables)


def test_fixture_has_a_cohort_with_history(base):
    _, X = base
    assert len(X) >= 15
    assert X["any_exclusion_24m"].any() and not X["attendance_missing"].all()
    assert (X["sen_provision"] != "none").any() and X["dual_registered"].any()
    assert (~X["marks_missing"]).any()


def truncate(tables):
    """Keep only what was known before T (the contract's time rules, applied to raw rows)."""
    t = {k: v.copy() for k, v in tables.items()}
    t["enrolments"] = t["enrolments"][t["enrolments"]["entry_date"] < T]
    e = t["enrolments"]
    e.loc[e["leaving_date"] >= T, "leaving_date"] = pd.NaT
    t["attendance"] = t["attendance"][pd.to_datetime(t["attendance"]["period_end"]) < T]
    t["attendance_marks"] = t["attendance_marks"][t["attendance_marks"]["date"] < T]
    t["suspensions"] = t["suspensions"][t["suspensions"]["start_date"] < T]
    sen = t["sen"][t["sen"]["start_date"] < T].copy()
    sen.loc[sen["end_date"] >= T, "end_date"] = pd.NaT
    t["sen"] = sen
    return t


def test_truncating_to_what_was_known_changes_nothing(base):
    tables, X = base
    pd.testing.assert_frame_equal(build(truncate(tables)), X)


def _append(tables, **extra):
    t = dict(tables)
    for name, df in extra.items():
        t[name] = pd.concat([tables[name], df], ignore_index=True)
    return t


def test_appending_events_on_or_after_t_changes_nothing(base):
    tables, X = base
    who = X.index[:8].tolist()
    on_t = [T] * len(who)
    later = [T + pd.Timedelta(days=40)] * len(who)
    extra = dict(
        suspensions=pd.DataFrame({"upn": who * 2, "start_date": on_t + later,
                                  "category": ["FIXD", "PERM"] * len(who),
                                  "sessions": 4.0, "reason": "PP",
                                  "school": [None, "S1"] * len(who)}),
        attendance=pd.DataFrame({"upn": who * 2,
                                 "period_start": ["2023-09-04"] * len(who) * 2,
                                 "period_end": on_t + later, "sessions_possible": 50.0,
                                 "sessions_authorised": 40.0,
                                 "sessions_unauthorised": 10.0}),
        attendance_marks=pd.DataFrame({"upn": who, "date": on_t, "session": "AM",
                                       "code": "O"}).drop_duplicates(),
        sen=pd.DataFrame({"upn": who, "start_date": on_t, "end_date": pd.NaT,
                          "provision": "E", "primary_need": "SEMH"}),
        enrolments=pd.DataFrame({"upn": who * 2, "school": ["S9", "AP9"] * len(who),
                                 "entry_date": on_t + later, "leaving_date": pd.NaT,
                                 "phase": ["secondary", "ap"] * len(who)}),
    )
    # drop marks that would duplicate an existing session (a validation error)
    old = tables["attendance_marks"]
    key = old["upn"] + old["date"].astype(str) + old["session"]
    m = extra["attendance_marks"]
    extra["attendance_marks"] = m[~(m["upn"] + m["date"].astype(str) + m["session"]).isin(key)]
    # a new pupil entering on T joins no cohort at T
    pupils = pd.DataFrame({"upn": ["NEW"], "sex": ["F"], "date_of_birth": ["2012-12-12"]})
    extra["pupils"] = pupils
    extra["enrolments"] = pd.concat([extra["enrolments"], pd.DataFrame(
        {"upn": ["NEW"], "school": ["S1"], "entry_date": [T], "leaving_date": [pd.NaT],
         "phase": ["primary"]})])
    pd.testing.assert_frame_equal(build(_append(tables, **extra)), X)


def test_leaving_and_sen_end_dates_on_or_after_t_change_nothing(base):
    tables, X = base
    t = {k: v.copy() for k, v in tables.items()}
    e = t["enrolments"]
    e.loc[e["leaving_date"].isna() & (e["entry_date"] < T), "leaving_date"] = T
    s = t["sen"]
    s.loc[s["end_date"].isna() & (s["start_date"] < T), "end_date"] = T
    pd.testing.assert_frame_equal(build(t), X)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(0, 400), pick=st.integers(0, 39),
       table=st.sampled_from(["suspensions", "attendance", "sen", "enrolments"]))
def test_any_event_dated_on_or_after_t_changes_nothing(base, offset, pick, table):
    tables, X = base
    upn = f"U{pick:03d}"
    d = T + pd.Timedelta(days=offset)
    rows = {
        "suspensions": dict(upn=[upn], start_date=[d], category=["PERM"], sessions=[9.0],
                            reason=["PA"], school=[None]),
        "attendance": dict(upn=[upn], period_start=[T - pd.Timedelta(days=300)],
                           period_end=[d], sessions_possible=[300.0],
                           sessions_authorised=[150.0], sessions_unauthorised=[150.0]),
        "sen": dict(upn=[upn], start_date=[d], end_date=[pd.NaT], provision=["E"],
                    primary_need=["SEMH"]),
        "enrolments": dict(upn=[upn], school=["AP7"], entry_date=[d],
                           leaving_date=[pd.NaT], phase=["ap"]),
    }[table]
    pd.testing.assert_frame_equal(build(_append(tables, **{table: pd.DataFrame(rows)})), X)
