"""Features of the LA's own dated episodes, and who is already known to a service."""

import numpy as np
import pandas as pd
import pytest
from screening.features import Records

from screening import features

T = "2023-10-05"
CIN = "child_in_need"
COLS = [f"episode_{CIN}_current", f"episode_{CIN}_24m", f"episode_{CIN}_12m",
        f"episode_{CIN}_count_24m", f"months_since_episode_{CIN}"]


def _records(tables, episodes):
    return Records(**tables, episodes=pd.DataFrame(episodes, columns=[
        "upn", "kind", "start_date", "end_date"]), extract_date="2024-06-30")


def _ep(upn, start, end=None, kind=CIN):
    return (upn, kind, start, end)


def test_no_kinds_no_change(tables):
    rec = _records(tables, [_ep("P3", "2023-01-01")])
    plain = features.build(Records(**tables, extract_date="2024-06-30"), as_of=T)
    pd.testing.assert_frame_equal(features.build(rec, as_of=T), plain)
    assert list(features.describe()["feature"]) == list(plain.columns[1:])


def test_features_follow_the_known_rule(tables):
    rec = _records(tables, [
        _ep("P3", "2021-01-10", "2021-06-30"),      # ended long ago
        _ep("P3", "2023-03-01", "2023-10-05"),      # ends on the census: still current
        _ep("B801200005001", "2022-05-01", "2023-09-01"),  # ended before: not current
        _ep("B801200005001", "2023-10-05"),          # starts on the census: unknown
    ])
    X = features.build(rec, as_of=T, episode_kinds=[CIN])
    assert list(X.columns[-5:]) == COLS
    p3, b = X.loc["P3", COLS], X.loc["B801200005001", COLS]
    assert p3.iloc[:4].tolist() == [True, True, True, 1.0]  # 2021: out of 24m
    assert p3.iloc[4] == pytest.approx((pd.Timestamp(T) - pd.Timestamp("2023-03-01")).days
                                       / (365.25 / 12))
    assert b.iloc[:4].tolist() == [False, True, False, 1.0]  # started 17 months before
    desc = features.describe(episode_kinds=[CIN])
    assert list(desc["feature"].iloc[-5:]) == COLS
    assert (desc["fairness_note"].iloc[-5:] != "").all()


def test_episodes_on_or_after_the_census_change_nothing(tables):
    before = [_ep("P3", "2022-02-01", "2022-08-01")]
    base = features.build(_records(tables, before), as_of=T, episode_kinds=[CIN, "early_help"])
    later = before + [_ep("P3", T), _ep("B801200005001", "2024-01-01"),
                      _ep("R674123101121", "2023-11-01", kind="early_help")]
    after = features.build(_records(tables, later), as_of=T, episode_kinds=[CIN, "early_help"])
    pd.testing.assert_frame_equal(after, base)
    # the same episode a day earlier is known
    earlier = features.build(_records(tables, before + [_ep("P3", "2023-10-04")]), as_of=T,
                             episode_kinds=[CIN])
    assert earlier.loc["P3", f"episode_{CIN}_current"]
    assert not base.loc["P3", f"episode_{CIN}_current"]


def test_kinds_match_by_slug_and_other_kinds_are_ignored(tables):
    rec = _records(tables, [_ep("P3", "2023-01-01", kind=" Child in Need "),
                            _ep("B801200005001", "2023-01-01", kind="young_carer")])
    X = features.build(rec, as_of=T, episode_kinds=["child-in-need"])
    assert X[f"episode_{CIN}_count_24m"].tolist() == [0.0, 1.0]  # B..., P3 (R left in July)
    assert np.isnan(X.loc["B801200005001", f"months_since_episode_{CIN}"])


@pytest.mark.parametrize("kinds, text", [
    ("child_in_need", "must be a sequence"),
    (["--"], "no letters or digits"),
    (["Child in need", "child_in_need "], "same names"),
])
def test_bad_kinds_say_how_to_fix(tables, kinds, text):
    with pytest.raises(ValueError, match=text):
        features.build(_records(tables, []), as_of=T, episode_kinds=kinds)


def test_protected_kinds_have_their_own_note():
    assert features.is_protected("Looked after") and not features.is_protected(CIN)
    desc = features.describe(episode_kinds=["looked_after", CIN]).set_index("feature")
    assert "audit group" in desc.loc["episode_looked_after_current", "fairness_note"]
    assert "audit group" not in desc.loc[f"episode_{CIN}_current", "fairness_note"]


def test_model_hints_cover_episode_features():
    hints = features.model_hints([f"episode_{CIN}_current"], episode_kinds=[CIN])
    assert hints["monotone"] == {f"episode_{CIN}_current": 1}
    with pytest.raises(ValueError, match="not features"):
        features.model_hints([f"episode_{CIN}_current"])


def test_already_known_marks_current_episodes_and_ehc_plans(tables):
    tables["sen"].loc[0, "provision"] = "E"  # R674... has a current EHC plan, but left
    tables["sen"].loc[2, "provision"] = "E"  # B801... now has a current plan
    rec = _records(tables, [_ep("P3", "2023-01-01"), _ep("P3", "2023-02-01", kind="yj"),
                            _ep("B801200005001", T)])
    known = features.already_known(rec, T, [CIN, "ehc_plan", "yj"])
    assert known["already_known"].tolist() == [True, True]
    assert known["known_to"].tolist() == ["ehc_plan", "child_in_need, yj"]
    only = features.already_known(rec, T, [CIN])
    assert only["known_to"].tolist() == ["", CIN]
    assert only.index.equals(features.build(rec, as_of=T).index)


def test_an_episode_more_than_24_months_before_is_in_no_window(tables):
    rec = _records(tables, [_ep("P3", "2021-01-10", "2021-06-30"),
                            _ep("B801200005001", "2021-10-05")])  # exactly 24 months
    X = features.build(rec, as_of=T, episode_kinds=[CIN])
    assert X.loc["P3", COLS].iloc[:4].tolist() == [False, False, False, 0.0]
    assert X.loc["B801200005001", COLS].iloc[:4].tolist() == [True, True, False, 1.0]
