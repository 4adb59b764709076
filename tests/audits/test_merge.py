"""merge_audits: the merged audit of parts equals the audit of the concatenated frames."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal
from screening.audits import _merge as merge_mod
from screening.audits import audit, flag_top, merge_audits

_TABLES = ("by_group", "by_control", "comparisons", "concentration", "calibration")


def assert_same_audit(merged, whole):
    for name in _TABLES:
        a = getattr(merged, name).reset_index(drop=True)
        b = getattr(whole, name).reset_index(drop=True)
        assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12, obj=name)
    assert_series_equal(merged.overall, whole.overall, check_exact=False, rtol=1e-9)
    assert merged.findings == whole.findings
    assert merged.references == whole.references
    if whole.adjusted is None:
        assert merged.adjusted is None
    else:
        assert_frame_equal(merged.adjusted.reset_index(drop=True),
                           whole.adjusted.reset_index(drop=True), check_exact=False,
                           rtol=1e-7, obj="adjusted")
    skip = {"flag_source", "capacity", "threshold", "tie_rule", "merged_from",
            "capacity_within", "local_columns"}
    assert {k: v for k, v in merged.params.items() if k not in skip} == {
        k: v for k, v in whole.params.items() if k not in skip}


def _kw(**extra):
    kw = dict(groups=["sex", "fsm", "ethnicity"], flag="flagged", score="risk",
              outcome="outcome", controls="school", n_boot=30, random_state=0,
              intersections=[("sex", "fsm")])
    kw.update(extra)
    return kw


def test_merged_equals_concatenated(cohort):
    parts = [cohort[cohort["school"].isin(s)] for s in (["S0", "S1"], ["S2", "S3", "S4"],
                                                         ["S5"])]
    kw = _kw(adjust=["sex"])
    merged = merge_audits([audit(p, **kw) for p in parts])
    whole = audit(pd.concat(parts), **kw)
    assert_same_audit(merged, whole)
    assert merged.params["merged_from"] == ["report 0", "report 1", "report 2"]
    assert merged.params["n_rows"] == len(cohort)
    # the merged counts are the sums of the parts' counts (unsuppressed here)
    n = merged.to_frame().set_index(["attribute", "group"])["n"]
    assert n.loc[("sex", "F")] == (cohort["sex"] == "F").sum()


def test_merge_of_merges_and_capacity_rule(cohort):
    kw = dict(groups=["sex", "fsm"], score="risk", capacity=0.2, n_boot=0)
    parts = [cohort.iloc[:150], cohort.iloc[150:300], cohort.iloc[300:]]
    reps = [audit(p, **kw) for p in parts]
    two_step = merge_audits([merge_audits(reps[:2]), reps[2]])
    one_step = merge_audits({"a": reps[0], "b": reps[1], "c": reps[2]})
    assert_same_audit(two_step, one_step)
    assert one_step.params["flag_source"] == "capacity"
    assert one_step.params["capacity_within"] == "each merged report"
    # flags are each part's own top 20%, not the top 20% of the whole
    flagged = np.concatenate([flag_top(p["risk"].to_numpy(), capacity=0.2) for p in parts])
    want = pd.Series(flagged).groupby(cohort["sex"].to_numpy()).sum()
    got = one_step.to_frame().query("attribute == 'sex'").set_index("group")["n_flagged"]
    assert got.astype(int).to_dict() == want.to_dict()
    assert (flagged != flag_top(cohort["risk"].to_numpy(), capacity=0.2)).any()


def test_small_unknown_pooled_locally_is_shown_nationally():
    rng = np.random.default_rng(3)
    frames = []
    for k in range(3):
        n = 200
        fsm = rng.random(n) < 0.3
        fsm = pd.Series(fsm, dtype=object)
        fsm[:4] = None  # 4 unknown in each: pooled locally, 12 in all: shown
        frames.append(pd.DataFrame({"fsm": fsm, "sex": rng.choice(["F", "M"], n),
                                    "flagged": rng.random(n) < 0.2}))
    kw = dict(groups=["fsm", "sex"], flag="flagged", n_boot=0)
    reps = [audit(f, **kw) for f in frames]
    assert reps[0].params["pooled_unknown"] == {"fsm": "False"}
    merged = merge_audits(reps)
    assert merged.params["pooled_unknown"] == {}
    row = merged.to_frame().query("attribute == 'fsm' and group == 'Unknown'")
    assert int(row["n"].iloc[0]) == 12
    assert_same_audit(merged, audit(pd.concat(frames, ignore_index=True), **kw))


def test_recent_cohort_merges(cohort):
    recent = cohort.assign(outcome=cohort["outcome"].astype(int))
    parts = [cohort.iloc[:200], cohort.iloc[200:]]
    rparts = [recent.iloc[:180], recent.iloc[180:]]
    kw = dict(groups=["sex", "fsm"], flag="flagged", n_boot=20, random_state=1,
              recent_outcome="outcome", recent_label="census 2023")
    reps = [audit(p, recent=r, **kw) for p, r in zip(parts, rparts)]
    whole = audit(pd.concat(parts), recent=pd.concat(rparts), **kw)
    assert_same_audit(merge_audits(reps), whole)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(1, 119), min_size=1,
                                                  max_size=3, unique=True),
       outcome=st.booleans())
def test_property_merge_equals_concatenation(seed, cuts, outcome):
    rng = np.random.default_rng(seed)
    n = 120
    df = pd.DataFrame({
        "sex": rng.choice(["F", "M", None], n, p=[.48, .48, .04]),
        "eth": rng.choice(["A", "B", "C", "D"], n, p=[.6, .2, .15, .05]),
        "school": rng.choice(["s1", "s2", "s3"], n),
        "risk": rng.integers(0, 20, n) / 20,  # few distinct scores, as a scorecard gives
        "flagged": rng.random(n) < 0.25,
        "outcome": rng.random(n) < 0.2,
    })
    bounds = [0, *sorted(cuts), n]
    parts = [df.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    kw = dict(groups=["sex", "eth"], flag="flagged", score="risk", controls="school",
              outcome="outcome" if outcome else None, n_boot=10, random_state=seed,
              min_cell=5)
    assert_same_audit(merge_audits([audit(p, **kw) for p in parts]), audit(df, **kw))


# errors: say which setting differs, where, and how to fix it ------------------------

def test_different_groups_refused(cohort):
    a = audit(cohort.iloc[:200], groups="sex", flag="flagged", n_boot=0)
    b = audit(cohort.iloc[200:], groups="fsm", flag="flagged", n_boot=0)
    with pytest.raises(ValueError, match="different groups") as err:
        merge_audits({"north": a, "south": b})
    assert "['sex'] in north" in str(err.value) and "groups=" in str(err.value)


def test_different_metrics_refused(cohort):
    a = audit(cohort.iloc[:200], groups="sex", flag="flagged", outcome="outcome", n_boot=0)
    b = audit(cohort.iloc[200:], groups="sex", flag="flagged", n_boot=0)
    with pytest.raises(ValueError, match="an outcome in some and not others"):
        merge_audits([a, b])


def test_different_capacity_rules_refused(cohort):
    a = audit(cohort.iloc[:200], groups="sex", score="risk", capacity=0.1, n_boot=0)
    b = audit(cohort.iloc[200:], groups="sex", score="risk", capacity=0.2, n_boot=0)
    with pytest.raises(ValueError, match="capacity rules") as err:
        merge_audits([a, b])
    assert "the same capacity= or threshold=" in str(err.value)


def test_different_bootstrap_chosen_by_caller(cohort):
    a = audit(cohort.iloc[:200], groups="sex", flag="flagged", n_boot=0)
    b = audit(cohort.iloc[200:], groups="sex", flag="flagged", n_boot=10)
    with pytest.raises(ValueError, match=r"merge_audits\(\.\.\., n_boot=\.\.\.\)"):
        merge_audits([a, b])
    assert merge_audits([a, b], n_boot=0).params["n_boot"] == 0


def test_not_reports_refused(cohort):
    with pytest.raises(ValueError, match=merge_mod._EMPTY):
        merge_audits([])
    with pytest.raises(TypeError, match="is a DataFrame"):
        merge_audits([cohort])


def test_local_columns_are_labelled_by_report(cohort):
    a, b = cohort.iloc[:200], cohort.iloc[200:]
    kw = dict(groups=["sex"], flag="flagged", controls="school", n_boot=0)
    merged = merge_audits({"north": audit(a, **kw), "south": audit(b, **kw)}, local="school")
    prefixed = pd.concat([a.assign(school="north/" + a["school"]),
                          b.assign(school="south/" + b["school"])])
    assert_same_audit(merged, audit(prefixed, **kw))
    assert merged.params["local_columns"] == ["school"]
    with pytest.raises(ValueError, match="local=\\['school'\\]"):
        merge_audits([audit(a, **kw), audit(b, **kw)], local="la")


def test_chosen_breakdowns_and_by_report(cohort):
    a, b = cohort.iloc[:200], cohort.iloc[200:]
    kw = dict(groups=["sex", "fsm"], flag="flagged", controls="school", n_boot=0)
    merged = merge_audits({"north": audit(a, **kw), "south": audit(b, **kw)},
                          controls=[], by="la")
    labelled = pd.concat([a.assign(la="north"), b.assign(la="south")])
    assert_same_audit(merged, audit(labelled, **dict(kw, controls="la")))
    no_school = merge_audits([audit(a, **kw), audit(b, **kw)], controls=())
    assert_same_audit(no_school, audit(cohort, **dict(kw, controls=None)))
    with pytest.raises(ValueError, match="not a control of these audits"):
        merge_audits([audit(a, **kw)], controls=["year_group"])
    with pytest.raises(ValueError, match="must be a new column name"):
        merge_audits([audit(a, **kw)], by="sex")
