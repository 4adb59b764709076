"""Code tables: attendance code sets by date, reasons, SEN needs, ethnicity, UPNs."""

import numpy as np
import pandas as pd
import pytest
from screening.features._codes import (
    ATTENDANCE_CODES_2024,
    ATTENDANCE_CODES_PRE_2024,
    CODE_SET_CHANGE,
    ETHNICITY_MAJOR,
    REASON_GROUPS,
    SEN_NEED_GROUPS,
    classify_marks,
    ethnicity_audit_group,
    ethnicity_major,
    upn_check_letter,
    upn_is_valid,
    upn_valid_mask,
)

CLASSES = {"PRESENT", "AUTH", "UNAUTH", "NOT_POSSIBLE"}


def _classify(codes, dates):
    return classify_marks(pd.Series(codes), pd.to_datetime(pd.Series(dates))).tolist()


def test_code_tables_use_the_four_classes():
    assert set(ATTENDANCE_CODES_PRE_2024.values()) == CLASSES
    assert set(ATTENDANCE_CODES_2024.values()) == CLASSES
    assert "-" not in ATTENDANCE_CODES_2024 and "-" not in ATTENDANCE_CODES_PRE_2024


def test_j_is_present_before_2024_and_unknown_after():
    day_before = CODE_SET_CHANGE - pd.Timedelta(days=1)
    assert _classify(["J", "J"], [day_before, CODE_SET_CHANGE]) == ["PRESENT", pd.NA]


def test_j1_is_auth_only_from_2024():
    assert _classify(["J1", "J1"], ["2024-07-01", "2024-08-19"]) == [pd.NA, "AUTH"]


@pytest.mark.parametrize("code,before,after", [
    ("H", "AUTH", pd.NA), ("Y", "NOT_POSSIBLE", pd.NA), ("K", pd.NA, "PRESENT"),
    ("Q", pd.NA, "NOT_POSSIBLE"), ("C2", pd.NA, "AUTH"), ("Y7", pd.NA, "NOT_POSSIBLE"),
    ("I", "AUTH", "AUTH"), ("O", "UNAUTH", "UNAUTH"), ("/", "PRESENT", "PRESENT"),
    ("\\", "PRESENT", "PRESENT"), ("#", "NOT_POSSIBLE", "NOT_POSSIBLE"),
])
def test_code_set_by_date(code, before, after):
    assert _classify([code, code], ["2023-09-04", "2024-09-02"]) == [before, after]


def test_dash_is_missing_and_unknown_is_na():
    out = _classify(["-", " - ", "ZZ", None, "l"], ["2023-01-09"] * 5)
    assert out == ["MISSING", "MISSING", pd.NA, pd.NA, "PRESENT"]


def test_missing_date_classifies_only_codes_equal_in_both_sets():
    out = classify_marks(pd.Series(["I", "J"]), pd.Series([pd.NaT, pd.NaT]))
    assert out.tolist() == ["AUTH", pd.NA]


def test_classify_keeps_index():
    codes = pd.Series(["/", "N"], index=[10, 20])
    out = classify_marks(codes, pd.Series(pd.to_datetime(["2023-01-09"] * 2), index=[10, 20]))
    assert out.index.tolist() == [10, 20]


def test_reason_groups():
    assert {REASON_GROUPS[c] for c in ("PP", "PA", "VP", "VA", "OW", "RA", "LG", "DS")} == {
        "violence"}
    assert REASON_GROUPS["PD"] == REASON_GROUPS["DB"] == "disruption"
    assert REASON_GROUPS["LD"] == REASON_GROUPS["CB"] == "disruption"
    assert REASON_GROUPS["TH"] == "other"
    assert "AA" not in REASON_GROUPS


def test_sen_need_groups():
    assert SEN_NEED_GROUPS["BESD"] == "SEMH"
    assert SEN_NEED_GROUPS["SLCN"] == "SLCN" and SEN_NEED_GROUPS["ASD"] == "ASD"
    assert SEN_NEED_GROUPS["MLD"] == "other"


def test_ethnicity_major_and_fallback():
    assert len(ETHNICITY_MAJOR) == 20
    out = ethnicity_major(pd.Series(["CHNE", "OARA", "ANEP", "NOBT", "ZZZZ", "W", ""]))
    assert out.tolist() == ["Chinese", "Any other ethnic group", "Asian", "Unknown",
                            pd.NA, pd.NA, pd.NA]


def test_ethnicity_audit_group_reports_grt_apart():
    out = ethnicity_audit_group(pd.Series(["WOTH", "wirt", "WROM", None]))
    assert out.tolist() == ["White", "Gypsy, Roma and Traveller",
                            "Gypsy, Roma and Traveller", pd.NA]


@pytest.mark.parametrize("upn,valid", [
    ("B801200005001", True), ("R674123101121", True), ("A801200005001", False),
    (" b801200005001 ", True), ("B80120000500", False), ("B8012000050O1", False),
    ("I801200005001", False), ("UN1", False), (None, False), (12, False),
])
def test_upn_vectors(upn, valid):
    assert upn_is_valid(upn) is valid
    assert upn_valid_mask(pd.Series([upn], dtype=object)).tolist() == [valid]


def test_upn_check_letter_vector():
    assert upn_check_letter("801200005001") == "B"
    assert upn_check_letter("674123101121") == "R"


def test_upn_check_letter_rejects_bad_body():
    with pytest.raises(ValueError, match="11 digits"):
        upn_check_letter("80120000500I")


def test_upn_temporary_letter_in_last_position():
    body = "80120000500A"
    upn = upn_check_letter(body) + body
    assert upn_is_valid(upn)
    assert upn_valid_mask(pd.Series([upn, "Ａ" + body])).tolist() == [True, False]


def test_upn_mask_matches_scalar_on_random_strings(rng):
    alphabet = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    upns = ["".join(rng.choice(alphabet, 13)) for _ in range(300)]
    bodies = ["".join(rng.choice(alphabet[:10], 12)) for _ in range(100)]
    upns += [upn_check_letter(b) + b for b in bodies]
    assert upn_valid_mask(pd.Series(upns)).tolist() == [upn_is_valid(u) for u in upns]


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_upn_mask_same_from_arrow_buffers_and_python_strings(rng, dtype):
    import pyarrow as pa

    bodies = ["".join(rng.choice(list("0123456789"), 12)) for _ in range(200)]
    upns = [upn_check_letter(b) + b for b in bodies]
    upns[::7] = ["A" + b for b in bodies[::7]]  # wrong check letters
    upns[3], upns[5] = "Ｂ801200005001", None  # 13 characters, not 13 bytes; missing
    expected = [upn_is_valid(u) for u in upns]
    assert upn_valid_mask(pd.Series(upns, dtype=dtype)).tolist() == expected
    # ASCII Arrow text (read from its buffer) in chunks, one starting inside its buffer
    ascii_upns = [u for u in upns if u is None or u.isascii()]
    arr = pa.chunked_array([pa.array(ascii_upns[:50]).slice(10), pa.array(ascii_upns[50:])])
    s = pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())))
    assert upn_valid_mask(s).tolist() == [upn_is_valid(u) for u in ascii_upns[10:]]
