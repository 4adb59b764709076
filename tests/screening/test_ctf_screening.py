"""End to end: a secondary screens its incoming Year 7s from their primaries' CTFs."""

import numpy as np
import pandas as pd

import screening
from screening import features


def _as_known_on(records, day):
    """The records as a primary's MIS held them on ``day`` (nothing later)."""
    t = records.tables()
    enr = t["enrolments"][t["enrolments"]["entry_date"] < day].copy()
    enr.loc[enr["leaving_date"] >= day, "leaving_date"] = pd.NaT
    att = t["attendance"][t["attendance"]["period_end"] < day]
    sen = t["sen"][t["sen"]["start_date"] < day].copy()
    sen.loc[sen["end_date"] >= day, "end_date"] = pd.NaT
    susp = t["suspensions"][t["suspensions"]["start_date"] < day]
    return t["pupils"], enr, att, sen, susp


def test_screen_incoming_year7_from_ctfs(la, fitted, tmp_path):
    census = la.census_dates[-1]
    sent = pd.Timestamp(census.year, 7, 19)
    arrive = pd.Timestamp(census.year, 9, 4)
    full = fitted.screen(la.records, as_of=census).scores
    incoming = full.loc[full["year_group"] == 7, "upn"].tolist()

    pupils, enr, att, sen, susp = _as_known_on(la.records, sent)
    keep = lambda df: df[df["upn"].isin(incoming)]  # noqa: E731
    # the primaries' view: on roll at a primary in July of Year 6
    on_roll = keep(enr)[keep(enr)["leaving_date"].isna()]
    primary_pupils = sorted(set(on_roll["upn"]))
    assert len(primary_pupils) > 100
    pick = lambda df: df[df["upn"].isin(primary_pupils)]  # noqa: E731
    rec = screening.Records(pupils=pick(pupils), enrolments=pick(enr), attendance=pick(att),
                            sen=pick(sen), suspensions=pick(susp).iloc[:0], extract_date=sent)
    folder = tmp_path / "ctf"
    files = features.write_ctf(rec, folder, date_time=sent, dest_school="8889999")
    assert len(files) >= 2  # one per sending primary
    pick(susp).to_csv(tmp_path / "suspensions.csv", index=False)

    from_ctf = screening.read_ctf(folder, suspensions=tmp_path / "suspensions.csv",
                                  enrol_at_destination=arrive)
    assert len(from_ctf.suspensions) == len(pick(susp))
    res = fitted.screen(from_ctf, as_of=census)
    s = res.scores
    assert set(s["upn"]) == set(primary_pupils)  # every incoming pupil has a row
    assert (s["year_group"] == 7).all()
    assert (s["school"] == "8889999").all()
    assert s["status"].str.startswith("scored").all()
    assert s["flagged"].any() and res.audit is not None
    # the CTF carries less detail (yearly attendance, no phase), but the ranking agrees
    joined = s.set_index("upn")["risk"].to_frame("ctf").join(
        full.set_index("upn")["risk"].rename("full"))
    assert joined.corr(method="spearman").iloc[0, 1] > 0.6
    assert np.isfinite(s["risk"]).all()
    # a band (nearly) every incoming pupil shares, such as being new to the school, says
    # nothing about the child, so it is never listed as a reason
    shared = res.shared_reasons[7]
    # (the band's cut and points are the fitted card's: being in Year 7 is one of them)
    assert shared and any(r.startswith("Year group: ") for r in shared), shared
    for col in ("reason_1", "reason_2", "reason_3"):
        assert not s[col].isin(shared).any()
        assert not s[col].str.startswith("New to the school").all()
    assert (s.loc[s["flagged"], "reason_1"] != "").all()
