"""A screen at a census long after the records end is refused (or, opted into, marked
loudly in the warning, the result, its JSON and its report)."""

import json

import pandas as pd
import pytest
from screening.features._outcome import AFTER_DATA_END

import screening
from screening import features

_FIX = "Use records extracted on or after"
assert _FIX in AFTER_DATA_END  # the tests match on the message constant's fixed text


def test_screen_long_after_the_records_end_is_refused(la, fitted):
    """Before: every pupil was scored as 'no attendance history' and findings reported."""
    late = la.records.extract_date + pd.DateOffset(years=2)
    with pytest.raises(features.CensusError) as err:
        fitted.screen(la.records, as_of=late)
    msg = str(err.value)
    assert str(la.records.extract_date.date()) in msg and _FIX in msg
    assert "allow_after_data_end=True" in msg and "their extract date" in msg
    assert isinstance(err.value, ValueError)


@pytest.mark.filterwarnings("ignore::screening._screener.DriftWarning")
def test_opting_in_warns_and_marks_the_result(la, fitted, tmp_path):
    late = la.records.extract_date + pd.DateOffset(years=2)
    with pytest.warns(screening.DataEndWarning, match="long after the records end"):
        res = fitted.screen(la.records, as_of=late, allow_after_data_end=True)
    assert res.after_data_end and res.data_end == la.records.extract_date
    assert "AFTER THE RECORDS END" in repr(res)
    doc = res.to_dict()
    assert doc["summary"]["after_data_end"] is True
    assert doc["data_end"] == str(la.records.extract_date.date())
    html = res.to_html()
    assert html.index("This census is after the records end") < html.index("pupils screened")


def test_a_census_within_the_grace_is_screened_quietly(la, fitted, result, recwarn):
    assert not result.after_data_end
    assert result.data_end == la.records.extract_date
    assert result.to_dict()["summary"]["after_data_end"] is False
    assert "after the records end" not in result.to_html()
    # three months after the extract is still accepted (CTFs sent in July, October census)
    edge = la.records.extract_date + pd.DateOffset(months=features.DATA_END_GRACE_MONTHS)
    assert not features.census_after_data_end(la.records, edge)
    assert features.census_after_data_end(la.records, edge + pd.Timedelta(days=1))


def test_without_an_extract_date_the_latest_date_is_the_end(la):
    tables = la.records.tables()
    rec = screening.Records(**tables)  # no extract date
    late = rec.data_end + pd.DateOffset(months=7)
    with pytest.raises(features.CensusError, match="the latest date in them"):
        features.check_census_in_records(rec, late)


def test_evaluate_and_fit_refuse_incomplete_windows_with_census_error(la, fitted):
    with pytest.raises(features.CensusError, match="outcome window"):
        fitted.evaluate(la.records, as_of=la.census_dates[-1])
    with pytest.raises(features.CensusError, match="outcome window"):
        screening.Screener().fit(la.records, as_of=la.census_dates[-1])


def test_result_json_is_still_valid_json(result):
    assert json.loads(result.to_json())["data_end"] == str(result.data_end.date())
