"""Tests for the synthetic local authority (screening.datasets).

Rates are computed from the records (as a user would), never from generator internals,
on one 25,000-pupil LA shared by the module. Tolerances are wide enough for sampling noise
at that size (a few hundred suspended pupils per census) but fail on a mis-calibration.
The exactness of the oracle is checked separately by Monte-Carlo: one small population
whose events are redrawn many times through the generator's internal hooks.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from screening.features import Records

from screening import features
from screening.datasets import SyntheticLA, make_local_authority
from screening.datasets import _local_authority as la_mod

N_PUPILS = 25_000


@pytest.fixture(scope="module")
def la():
    return make_local_authority(n_pupils=N_PUPILS, seed=3)


def _year_group(dob, as_of):
    """Year group at ``as_of`` by the English rule, computed independently."""
    start_year = as_of.year if as_of.month >= 9 else as_of.year - 1
    # age in whole years on 31 August before the academic year: born after 31 August of
    # a year means one year younger
    age = start_year - dob.dt.year - (dob.dt.month > 8)
    return age - 4


def _frame(la, as_of):
    """Pupils on roll at ``as_of`` (time rules) with year group, label and SEN status."""
    rec = la.records
    e = rec.enrolments
    on = e[(e.entry_date < as_of) & (e.leaving_date.isna() | (e.leaving_date >= as_of))]
    p = rec.pupils.set_index("upn")
    f = p.loc[sorted(set(on.upn))].copy()
    f["year_group"] = _year_group(f.date_of_birth, as_of)
    s = rec.suspensions
    end = as_of + pd.DateOffset(months=12)
    f["y"] = f.index.isin(s.upn[(s.start_date >= as_of) & (s.start_date < end)])
    sen = rec.sen
    cur = sen[(sen.start_date < as_of) & (sen.end_date.isna() | (sen.end_date >= as_of))]
    f["sen"] = "none"
    f.loc[f.index.isin(cur.upn[cur.provision == "K"]), "sen"] = "K"
    f.loc[f.index.isin(cur.upn[cur.provision == "E"]), "sen"] = "E"
    return f


@pytest.fixture(scope="module")
def complete(la):
    """All pupils at the censuses whose 12-month window is complete."""
    frames = [_frame(la, t).assign(census=t) for t in la.census_dates[:-1]]
    return pd.concat(frames)


def test_shape_of_the_la(la):
    assert isinstance(la, SyntheticLA)
    assert isinstance(la.records, Records)
    assert la.records.raw["pupils"].shape[0] == N_PUPILS
    assert [str(d.date()) for d in la.census_dates] == [
        "2019-10-03", "2020-10-01", "2021-10-07", "2022-10-06", "2023-10-05", "2024-10-03"]
    assert all(d.day_of_week == 3 and d.month == 10 and d.day <= 7 for d in la.census_dates)
    assert la.extract_date == pd.Timestamp("2025-03-31") == la.records.extract_date
    # last census window incomplete, earlier ones complete
    assert la.census_dates[-1] + pd.DateOffset(months=12) > la.extract_date
    assert la.census_dates[-2] + pd.DateOffset(months=12) <= la.extract_date


def test_records_validate_clean(la):
    warnings = la.records.validate()  # raises InputError on any problem
    # the only warnings allowed are the deliberate dual registrations at AP
    if len(warnings):
        assert set(warnings["table"]) == {"enrolments"}
        e = la.records.raw["enrolments"]
        rows = e.iloc[warnings["row"].astype(int) - 1]
        assert set(rows["phase"]) <= {"secondary", "primary", "ap", "special"}
        assert len(warnings) < 0.01 * len(e)


def test_nothing_after_extract(la):
    rec, x = la.records, la.extract_date
    assert rec.suspensions.start_date.max() <= x
    assert rec.enrolments.entry_date.max() <= x
    assert (rec.enrolments.leaving_date.dropna() <= x).all()
    assert rec.attendance.period_end.max() <= x
    assert rec.sen.start_date.max() <= x


def test_year_groups_1_to_11_at_each_census(la):
    for t in la.census_dates:
        f = _frame(la, t)
        counts = f.year_group.value_counts()
        assert set(counts.index) >= set(range(1, 12))
        yg = counts.reindex(range(1, 12))
        assert yg.min() > 0.6 * yg.max()


@pytest.mark.parametrize("year_group, national, tol", [
    (5, 1.01, 0.6), (6, 1.22, 0.6), (7, 3.42, 1.0), (8, 5.15, 1.3), (10, 7.02, 1.6)])
def test_suspension_rates_by_year_group(complete, year_group, national, tol):
    rate = 100 * complete.loc[complete.year_group == year_group, "y"].mean()
    assert abs(rate - national) < tol, rate


def _ratio(f, col, a, b):
    return f.loc[f[col] == a, "y"].mean() / f.loc[f[col] == b, "y"].mean()


@pytest.mark.parametrize("col, a, b, national, lo, hi", [
    ("sex", "M", "F", 2.6, 1.9, 3.5),
    ("fsm", True, False, 3.7, 2.7, 5.0),
    ("sen", "K", "none", 3.8, 2.7, 5.5),
    ("sen", "E", "none", 4.0, 2.5, 6.5),
])
def test_group_ratios_near_national(complete, col, a, b, national, lo, hi):
    f = complete[complete.year_group.between(1, 11)]
    assert lo < _ratio(f, col, a, b) < hi


@pytest.mark.parametrize("code, national, lo, hi", [
    ("BCRB", 2.5, 1.7, 3.6), ("WROM", 3.7, 2.0, 7.0)])
def test_ethnicity_ratios_near_national(complete, code, national, lo, hi):
    f = complete[complete.year_group.between(1, 11)]
    assert lo < f.loc[f.ethnicity == code, "y"].mean() / f.y.mean() < hi


def test_characteristic_shares(complete):
    f = complete[complete.year_group.between(1, 11)]
    assert 0.21 < f.fsm.mean() < 0.29
    assert 0.16 < f.eal.mean() < 0.24
    assert 0.005 < f.looked_after.mean() < 0.016
    assert 0.11 < (f.sen == "K").mean() < 0.16
    assert 0.03 < (f.sen == "E").mean() < 0.055
    assert {"WROM", "WIRT", "BCRB", "REFU", "NOBT"} <= set(f.ethnicity)


def test_attendance_rates(la):
    a = la.records.attendance
    year = a.period_start.dt.year - (a.period_start.dt.month < 9)
    g = a.assign(year=year).groupby(["upn", "year"])[
        ["sessions_possible", "sessions_authorised", "sessions_unauthorised"]].sum()
    absent = g.sessions_authorised + g.sessions_unauthorised
    assert 0.05 <= absent.sum() / g.sessions_possible.sum() <= 0.07
    assert 0.15 <= (absent / g.sessions_possible >= 0.10).mean() <= 0.20
    assert (a.sessions_authorised + a.sessions_unauthorised <= a.sessions_possible).all()


def test_suspension_codes(la):
    s = la.records.raw["suspensions"]
    assert set(s.category) == {"FIXD", "PERM", "LNCH"}
    assert (s.category == "FIXD").mean() > 0.9
    reasons = s.reason.str.split(";").explode()
    early = s.start_date < pd.Timestamp("2020-09-01")
    assert "PD" in set(s.reason[early]) and "DB" not in set(s.reason[early])
    assert "DB" in set(reasons[~early.reindex(reasons.index)]) and "PD" not in set(
        reasons[~early.reindex(reasons.index)])
    fixd = s[s.category == "FIXD"]
    assert fixd.sessions.between(1, 20).all()
    # repeat suspensions are common (overdispersed counts)
    per_pupil = s.groupby(s.upn.astype(str)).size()
    assert (per_pupil >= 2).mean() > 0.4


def test_repeat_suspensions_near_national(la, complete):
    """About 2 suspensions per suspended pupil a year (DfE 2016/17: 381,865 / 183,475)."""
    s = la.records.suspensions
    s = s[s.start_date < la.census_dates[-1]]
    year = s.start_date.dt.year - (s.start_date.dt.month < 9)
    per_year = s.groupby([s.upn.astype(str), year]).size()
    assert 1.8 < per_year.mean() < 2.3, per_year.mean()
    assert 0.35 < (per_year >= 2).mean() < 0.65
    # the same in the 12-month outcome windows, and not only in secondary schools
    counts = []
    for t in la.census_dates[:-1]:
        w = s[(s.start_date >= t) & (s.start_date < t + pd.DateOffset(months=12))]
        f = complete[complete.census == t]
        n = w.groupby(w.upn.astype(str)).size().reindex(f.index[f.y])
        counts.append(pd.DataFrame({"n": n.to_numpy(), "yg": f.year_group[f.y].to_numpy()}))
    c = pd.concat(counts)
    assert 1.8 < c.n.mean() < 2.5, c.n.mean()
    assert c.n[c.yg.between(5, 7)].mean() > 1.5


def test_schools_and_moves(la):
    e = la.records.enrolments
    assert {"primary", "secondary", "ap"} <= set(e.phase)
    # Year 6 -> 7 transfer: primary leavers in late July or on 31 August
    end_of_phase = e[(e.phase == "primary") & (e.leaving_reason == "end of phase")]
    months = end_of_phase.leaving_date.dt.month
    assert set(months.unique()) <= {7, 8}
    # permanent exclusion followed by an AP placement
    perm = la.records.suspensions.query("category == 'permanent'").upn
    ap = set(e.upn[e.phase == "ap"])
    assert len(perm) > 0 and np.mean([u in ap for u in perm]) > 0.8
    # a few schools make most primary suspensions
    s = la.records.suspensions
    by_school = s[s.school.isin(e.school[e.phase == "primary"])].groupby("school").size()
    top = by_school.sort_values(ascending=False)
    share_top_tenth = top.iloc[: max(1, len(top) // 10)].sum() / top.sum()
    assert share_top_tenth > 0.25


def test_true_risk_index_is_the_cohort(la):
    for t in la.census_dates:
        risk = la.true_risk(t)
        f = _frame(la, t)
        cohort = sorted(f.index[f.year_group.isin([5, 6, 7])])
        assert list(risk.index) == cohort
        assert risk.name == "true_risk" and risk.index.name == "upn"
        assert ((risk > 0) & (risk < 1)).all()


def test_true_risk_matches_realised_outcomes(la, complete):
    """Labels are Bernoulli draws of the oracle: calibrated in total and AUC in range."""
    from sklearn.metrics import roc_auc_score

    ys, ps = [], []
    for t in la.census_dates[:-1]:
        risk = la.true_risk(t)
        y = complete[complete.census == t].loc[risk.index, "y"]
        ys.append(y.to_numpy())
        ps.append(risk.to_numpy())
        assert 0.75 < roc_auc_score(y, risk) < 0.95
    y, p = np.concatenate(ys), np.concatenate(ps)
    expected, sd = p.sum(), np.sqrt((p * (1 - p)).sum())
    assert abs(y.sum() - expected) < 4 * sd


def _monte_carlo(n_pupils, reps, horizons):
    """Redraw the events of one population ``reps`` times; pool labels and the oracle."""
    import copy

    state = la_mod._setup(n_pupils, 11, 2019, 4, None)
    upn = np.array([f"P{i:06d}" for i in range(n_pupils)])
    census = [pd.Timestamp(str(c)) for c in state["census"][:-1]]  # complete windows
    out = {}
    for r in range(reps):
        run = dict(state, p=copy.deepcopy(state["p"]))
        events, _seg, oracle = la_mod._draw(run, np.random.default_rng(100 + r))
        oracle["upn"] = upn
        for t in census:
            for h, target in horizons:
                risk = la_mod._oracle_risk(oracle, t, h, target, tuple(range(1, 12)))
                who = np.searchsorted(upn, risk.index.to_numpy())
                lo = oracle["cal"].index(np.datetime64(t.date(), "D"))
                hi = oracle["cal"].index(np.datetime64((t + pd.DateOffset(months=h)).date(),
                                                       "D"))
                hit = (events["day"] >= lo) & (events["day"] < hi)
                if target == "permanent":
                    hit &= events["perm"]
                y = np.isin(who, events["pupil"][hit])
                p = risk.to_numpy()
                acc = out.setdefault((h, target), np.zeros(3))
                acc += [y.sum(), p.sum(), (p * (1 - p)).sum()]
    return out


def test_true_risk_is_exact_by_monte_carlo():
    """For a fixed population, the oracle is the mean of redrawn window outcomes.

    Redraws every suspension (with the self-exciting repeats) of one population and checks
    observed against expected counts of pupils with an event in ``[T, T + h months)``,
    pooled over censuses and redraws. At this size an oracle window one week too long
    gives z of about -5 on the 1-month horizon; a bias of a day or two needs far more
    draws (40 redraws of 20,000 pupils found none: |z| < 1, relative bias < 0.6%).
    """
    horizons = [(12, "suspension"), (1, "suspension"), (12, "permanent")]
    for (h, target), (obs, exp, var) in _monte_carlo(4_000, 20, horizons).items():
        z = (obs - exp) / np.sqrt(var)
        assert abs(z) < 4, (h, target, obs, exp, z)
        assert exp > (200 if target == "suspension" else 10)


def test_true_risk_options(la):
    t = la.census_dates[2]
    full = la.true_risk(t)
    assert (la.true_risk(t, horizon_months=6) <= full + 1e-12).all()
    perm = la.true_risk(t, target="permanent")
    assert (perm <= full).all() and perm.mean() < 0.1 * full.mean()
    with pytest.raises(ValueError, match=_prefix(la_mod._NOT_A_CENSUS)):
        la.true_risk("2021-10-08")
    with pytest.raises(ValueError, match=_prefix(la_mod._BAD_HORIZON)):
        la.true_risk(t, horizon_months=13)
    with pytest.raises(ValueError, match=_prefix(la_mod._BAD_TARGET)):
        la.true_risk(t, target="exclusion")


def test_deterministic_per_seed():
    a = make_local_authority(n_pupils=1_500, seed=7)
    b = make_local_authority(n_pupils=1_500, seed=7)
    c = make_local_authority(n_pupils=1_500, seed=8)
    for name in ("pupils", "enrolments", "attendance", "suspensions", "sen"):
        pd.testing.assert_frame_equal(a.records.raw[name], b.records.raw[name])
    pd.testing.assert_series_equal(a.true_risk(a.census_dates[1]),
                                   b.true_risk(b.census_dates[1]))
    assert not a.records.raw["suspensions"].equals(c.records.raw["suspensions"])


def test_upns_are_valid_and_unique(la):
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    upn = la.records.pupils.upn
    assert upn.is_unique and (upn.str.len() == 13).all()
    for u in upn.sample(200, random_state=0):
        s = sum(int(ch) * w for w, ch in enumerate(u[1:], 2))
        assert letters[s % 23] == u[0]


def _prefix(message):
    """The fixed text before the first placeholder, as a regex."""
    return re.escape(message.split("{")[0])


def test_bad_arguments():
    with pytest.raises(ValueError, match=_prefix(la_mod._BAD_N_PUPILS)):
        make_local_authority(n_pupils=10)
    with pytest.raises(ValueError, match=_prefix(la_mod._BAD_YEARS)):
        make_local_authority(n_pupils=500, n_census=1)
    with pytest.raises(ValueError, match=_prefix(la_mod._BAD_EXTRACT)):
        make_local_authority(n_pupils=500, extract_date="2024-01-01")
    small = make_local_authority(n_pupils=500, seed=0)
    with pytest.raises(ValueError, match=_prefix(la_mod._BAD_FORMAT)):
        small.write("unused", format="xlsx")


def _read_folder(folder, fmt):
    tables = {}
    for name in ("pupils", "enrolments", "attendance", "suspensions", "sen"):
        path = folder / f"{name}.{fmt}"
        tables[name] = pd.read_csv(path, dtype=str) if fmt == "csv" else pd.read_parquet(path)
    meta = json.loads((folder / "metadata.json").read_text())
    return Records(**tables, extract_date=meta["extract_date"])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_and_read_back(tmp_path, fmt):
    small = make_local_authority(n_pupils=1_500, seed=4)
    folder = small.write(tmp_path / "la", format=fmt)
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["extract_date"] == "2025-03-31"
    assert meta["census_dates"][0] == "2019-10-03"
    if fmt == "csv":
        first = (folder / "suspensions.csv").read_text().splitlines()[1]
        assert first.split(",")[1][:4].isdigit() and first.split(",")[1][4] == "-"
    back = _read_folder(folder, fmt)
    back.validate()
    for name in ("pupils", "suspensions", "sen"):
        a, b = small.records.tables()[name], back.tables()[name]
        assert len(a) == len(b)
    assert back.extract_date == small.extract_date


def test_write_then_load_records(tmp_path):
    small = make_local_authority(n_pupils=1_500, seed=5)
    folder = small.write(tmp_path / "la")
    try:
        back = features.load_records(folder)
    except NotImplementedError:
        pytest.xfail("features.load_records is not implemented yet")
    back.validate()
    assert back.extract_date == small.extract_date
    assert len(back.pupils) == len(small.records.pupils)
    assert len(back.suspensions) == len(small.records.suspensions)


def test_no_dual_registration_on_top_of_an_ap_placement():
    # found by the national benchmark: in this LA a permanently excluded pupil's dual
    # registration at the AP started on the day their AP placement did, an exact
    # duplicate enrolment row that the loader rightly refuses
    from screening.datasets import make_local_authority

    la = make_local_authority(n_pupils=72_043, seed=1031, la_code=332)
    enrolments = la.records.raw["enrolments"]
    assert not enrolments.duplicated().any()
    assert len(la.records.enrolments) == len(enrolments)  # validates, nothing dropped
