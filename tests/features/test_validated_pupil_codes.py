"""Validation finds every row's pupil once; the census reuses it instead of hashing again."""

import numpy as np
import pandas as pd
import pytest
from screening.features import Records
from screening.features._cohort import _CACHE, _lookup, pupil_codes

from .conftest import make_tables


def _kept(pupils, table):
    """The pupil rows validation left for ``table``, or None."""
    hit = _CACHE.get((id(table), ("codes", id(pupils))))
    if hit is None or hit[0]() is not table:
        return None
    ref, rows = hit[1]
    assert ref() is pupils
    return rows


def _looked_up(pupils, table):
    """What the census would find by hashing the upns itself."""
    index = pd.Index(pupils["upn"]).drop_duplicates()
    return _lookup(index, table["upn"])


def _untidy():
    t = make_tables()
    # spellings that normalise to a pupil's upn, and rows in another order
    t["attendance"]["upn"] = [" B801200005001", "R674123101121 "]
    t["enrolments"] = t["enrolments"].iloc[[2, 0, 1]].reset_index(drop=True)
    t["suspensions"]["upn"] = ["R674123101121", " P3 "]
    return t


@pytest.mark.parametrize("make", [make_tables, _untidy])
def test_every_table_keeps_the_pupils_validation_found(make):
    rec = Records(**make())
    rec.validate()
    for name in ("enrolments", "attendance", "suspensions", "sen"):
        table = getattr(rec, name)
        kept = _kept(rec.pupils, table)
        assert kept is not None, name
        np.testing.assert_array_equal(kept, _looked_up(rec.pupils, table))
        np.testing.assert_array_equal(pupil_codes(rec.pupils, table), kept)
        assert (kept >= 0).all()


def test_set_aside_sen_rows_keep_the_rows_left():
    t = make_tables()
    rec = Records(**t)
    rec.validate()
    assert len(rec.sen) == 2  # the row with provision N is set aside
    np.testing.assert_array_equal(_kept(rec.pupils, rec.sen), _looked_up(rec.pupils, rec.sen))
    assert list(rec.pupils["upn"].iloc[_kept(rec.pupils, rec.sen)]) == list(rec.sen["upn"])


def test_attendance_made_from_marks_is_matched_on_first_use():
    t = make_tables()
    t["attendance_marks"] = pd.DataFrame({
        "upn": ["P3", "P3"], "date": ["2022-10-03", "2022-10-03"],
        "session": ["AM", "PM"], "code": ["/", "O"]})
    rec = Records(**t)
    rec.validate()
    assert len(rec.attendance) > 2  # rows were added from the marks
    assert _kept(rec.pupils, rec.attendance) is None
    np.testing.assert_array_equal(pupil_codes(rec.pupils, rec.attendance),
                                  _looked_up(rec.pupils, rec.attendance))
    np.testing.assert_array_equal(_kept(rec.pupils, rec.enrolments),
                                  _looked_up(rec.pupils, rec.enrolments))


def test_pupils_index_is_the_pupils_upns():
    rec = Records(**_untidy())
    rec.validate()
    hit = _CACHE.get((id(rec.pupils), "index"))
    assert hit is not None and hit[0]() is rec.pupils
    pd.testing.assert_index_equal(hit[1], pd.Index(rec.pupils["upn"]).drop_duplicates())


def test_a_screen_of_validated_records_equals_one_that_matches_upns_itself():
    import screening

    la = screening.datasets.make_local_authority(n_pupils=1500, seed=3)
    census = list(la.census_dates)[-1]
    rec = la.records
    rec.validate()
    features = screening.features.build(rec, as_of=census)
    assert _kept(rec.pupils, rec.attendance) is not None
    _CACHE.clear()  # the census now hashes the upns itself
    again = screening.features.build(rec, as_of=census)
    pd.testing.assert_frame_equal(features, again, check_exact=True)
