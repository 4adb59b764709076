"""to_html / html_fragment / to_dict / breakdowns / concentration."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from screening.audits import _messages as msg
from screening.audits._concentration import concentration

from screening import audits

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def hostile(cohort):
    df = cohort.copy()
    df.loc[df.index[:60], "ethnicity"] = HOSTILE
    df.loc[df.index[60:90], "ethnicity"] = "$\\frac{a}{b}$ & co"
    return df


def test_html_escapes_hostile_group_names(hostile, tmp_path):
    rep = audits.audit(hostile, groups=["ethnicity", "sex"], flag="flagged", score="risk",
                       outcome="outcome", n_boot=100, random_state=0, controls="school")
    path = tmp_path / "audit.html"
    page = rep.to_html(path)
    assert path.read_text(encoding="utf-8") == page
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&amp; co" in page
    assert page.count("data:image/png;base64,") == 2  # forest plot + calibration
    frag = rep.html_fragment()
    assert "<html" not in frag and frag.startswith("<section") and "<script>" not in frag
    assert "Findings" in frag and "By school" in frag and "Concentration" in frag


def test_to_dict_is_strict_json(hostile):
    rep = audits.audit(hostile, groups="ethnicity", flag="flagged", outcome="outcome",
                       n_boot=50, random_state=0)
    d = rep.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["params"]["n_boot"] == 50
    rows = d["by_group"]
    assert len(rows) == len(rep.to_frame())
    ref = [r for r in rows if r["reference"]][0]
    assert ref["flag_ratio_low"] is None  # NaN -> None
    assert isinstance(rep.to_json(), str)


def test_to_frame_is_a_copy(tiny):
    rep = audits.audit(tiny, groups="sex", flag="flagged", min_cell=0, n_boot=0)
    f = rep.to_frame()
    f.loc[0, "n"] = 999
    assert rep.to_frame().loc[0, "n"] == 6


def test_breakdown_never_aggregates(cohort):
    rep = audits.audit(cohort, groups="sex", flag="flagged", outcome="outcome", min_cell=0,
                       n_boot=50, random_state=0, controls=["school"])
    b = rep.breakdown("school")
    assert set(b["control_value"]) == set(cohort["school"])
    # per-school counts add up to the attribute table, never mixed across schools
    totals = b.groupby("group")["n"].sum()
    main = rep.to_frame().set_index("group")["n"]
    assert (totals == main.loc[totals.index]).all()
    # the reference group is the attribute's reference within every school
    assert (b.loc[b["reference"], "group"] == rep.references["sex"]).all()
    with pytest.raises(KeyError, match=re.escape(msg._UNKNOWN_CONTROL.split("{")[0])):
        rep.breakdown("year_group")


def test_concentration_by_school():
    # 10 schools; school 0 makes 60 flags, schools 1-4 make 10 each, the rest none
    school = np.repeat(np.arange(10), 100)
    flags = np.zeros(1000, dtype=bool)
    flags[:60] = True
    for s in range(1, 5):
        flags[s * 100:s * 100 + 10] = True
    df = pd.DataFrame({"school": school, "g": np.tile(["a", "b"], 500), "flagged": flags})
    rep = audits.audit(df, groups="g", flag="flagged", n_boot=0, controls="school")
    c = rep.concentration.set_index("measure").loc["flags"]
    assert c["total"] == 100 and c["n_units"] == 10 and c["n_units_with_any"] == 5
    assert c["top_1_share"] == pytest.approx(0.6)
    assert c["top_5_share"] == pytest.approx(1.0)
    assert c["units_for_half"] == 1
    assert c["cohort_share_of_those_units"] == pytest.approx(0.1)


def test_concentration_hides_small_shares():
    codes = np.array([0, 0, 1, 2, 3])
    df = concentration(codes, ["a", "b", "c", "d"], "school",
                       {"flags": np.array([1, 1, 1, 0, 0], dtype=bool)}, 10)
    assert np.isnan(df.loc[0, "total"]) and np.isnan(df.loc[0, "top_1_share"])


def test_calibration_table(cohort):
    rep = audits.audit(cohort, groups="sex", flag="flagged", score="risk", outcome="outcome",
                       min_cell=10, n_boot=0)
    cal = rep.calibration
    assert list(cal.columns)[:3] == ["attribute", "group", "bin"]
    shown = cal[~cal["suppressed"]]
    assert shown["observed_rate"].between(0, 1).all()
    assert (shown["mean_score"] >= shown["bin_low"]).all()
    assert cal.loc[cal["suppressed"], "observed_rate"].isna().all()
    assert "n" not in cal.columns  # bin counts are not shown
    # without an outcome there is nothing to calibrate against
    rep2 = audits.audit(cohort, groups="sex", flag="flagged", score="risk", n_boot=0)
    assert len(rep2.calibration) == 0


def test_html_without_outcome_score_or_intervals(tiny):
    rep = audits.audit(tiny, groups="sex", flag="flagged", n_boot=0, min_cell=0)
    frag = rep.html_fragment()
    assert frag.count("data:image/png;base64,") == 1  # forest plot only, no calibration
    assert "<th>Outcome rate</th>" not in frag and "no small-cell suppression" in frag
    assert "Columns left out: " in frag  # and the report says why


def test_html_renders_everything_new_and_says_why_each_cell_is_blank(cohort):
    recent = cohort.sample(frac=1.0, random_state=1).reset_index(drop=True)
    rep = audits.audit(cohort, groups=["ethnicity", "sex"], flag="flagged", score="risk",
                       outcome="outcome", n_boot=100, random_state=0, controls="school",
                       recent=recent, recent_outcome="outcome", recent_label="census 2023",
                       adjust=["fsm"])
    page = rep.to_html()
    for heading in ("Error rates and their disparities", "Every comparison tested",
                    "Adjusted disproportionality", "Recent amplification", "census 2023",
                    "Method", "score test"):
        assert heading in page, heading
    assert page.count("data:image/png;base64,") == 3  # ratios, adjusted, calibration
    # every blank cell points at a numbered sentence under its table
    for tbl, notes in re.findall(r"<table>(.*?)</table>(<ol class=\"why\">.*?</ol>)?", page,
                                 flags=re.S):
        cells = re.findall(r"<td>([^<]*)(<sup>(\d+)</sup>)?", tbl)
        n_notes = notes.count("<li>")
        for text, sup, num in cells:
            if text.strip().startswith("–") or text.strip().endswith("(–"):
                assert sup, text
                assert 1 <= int(num) <= n_notes
    no_out = audits.audit(cohort, groups="sex", flag="flagged", n_boot=0).to_html()
    assert msg.WHY_NO_OUTCOME in no_out and msg.WHY_NO_BOOT in no_out
