"""Dates a user gives (Python and command line) are read by the contract's one rule:
ISO or DD/MM/YYYY, slashes always day first; anything else is refused, never guessed."""

import datetime
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from screening.features import parse_date
from screening.features._dates import BAD_DATE

import screening
from screening import _cli
from screening._dates import _ONE_DATE

_BAD = BAD_DATE.split("{value!r}")[0].split("}")[1][:30]


@pytest.mark.parametrize("value,expected", [
    ("03/10/2024", "2024-10-03"), ("3/10/2024", "2024-10-03"), ("2024-10-03", "2024-10-03"),
    ("2024-10-03T09:30:00", "2024-10-03"), (datetime.date(2024, 10, 3), "2024-10-03"),
    (pd.Timestamp("2024-10-03 14:00", tz="Europe/London"), "2024-10-03"),
    (np.datetime64("2024-10-03"), "2024-10-03"),
])
def test_slash_dates_are_day_first_and_others_exact(value, expected):
    assert parse_date(value) == pd.Timestamp(expected)


@pytest.mark.parametrize("value", [
    None, 20250331, 20250331.0, True, "20250331", "March 2025", "2025/03/31", "10/31/2024",
    "31/02/2024", "", float("nan"), pd.NaT,
])
def test_values_that_are_not_one_clear_date_are_refused(value):
    """Before: None raised AttributeError; an int became 1970-01-01; '20250331' was
    guessed; 10/31/2024 was read month first."""
    with pytest.raises(ValueError, match=_BAD):
        parse_date(value, what="as_of")


def test_screen_reads_slash_dates_day_first(la, fitted, result):
    """Before: screen(as_of='03/10/2024') screened at 10 March 2024."""
    census = la.census_dates[-1]
    res = fitted.screen(la.records, as_of=census.strftime("%d/%m/%Y"))
    assert res.as_of == census
    pd.testing.assert_frame_equal(res.scores, result.scores)


@pytest.mark.parametrize("value", [None, 20241003, "20241003"])
def test_screen_refuses_non_dates(la, fitted, value):
    with pytest.raises(ValueError, match=_BAD):
        fitted.screen(la.records, as_of=value)


def test_screen_refuses_a_list_instead_of_using_its_first_date(la, fitted):
    """Before: a list silently screened at its first date."""
    with pytest.raises(ValueError, match=_ONE_DATE.split("{kind}")[0].split("}")[1][:25]):
        fitted.screen(la.records, as_of=list(la.census_dates[-2:]))


def test_fit_reads_slash_dates_day_first(la):
    """Before: fit(as_of='07/10/2021') fitted on 10 July 2021."""
    d = la.census_dates[-3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scr = screening.Screener(n_boot=10).fit(la.records, as_of=[d.strftime("%d/%m/%Y")])
    assert scr.training_["census_dates"] == [str(d.date())]


def test_cli_as_of_is_day_first(la, fitted, tmp_path, monkeypatch, result):
    """Before: `screening score --as-of 03/10/2024` screened at 10 March."""
    seen = {}

    def screen(self, records, as_of, **kwargs):
        seen["as_of"] = as_of
        return result

    la.write(tmp_path / "la")
    model = screening.save(fitted, tmp_path / "m.skops")
    monkeypatch.setattr(screening.Screener, "screen", screen)
    assert _cli.main(["score", str(tmp_path / "la"), "--model", str(model), "--as-of",
                      "03/10/2024", "--out", str(tmp_path / "out")]) == 0
    assert seen["as_of"] == pd.Timestamp("2024-10-03")
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["census"] == \
        "2024-10-03"
    assert _cli.main(["score", str(tmp_path / "la"), "--model", str(model), "--as-of",
                      "10/31/2024", "--out", str(tmp_path / "out2")]) == 2
