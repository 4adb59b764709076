"""Audit groups in words, from the DfE code tables."""

import pytest
from screening.features._codes import ETHNICITY_MAJOR, ETHNICITY_NAMES

from screening import features


def test_every_main_ethnicity_code_has_a_description():
    assert set(ETHNICITY_NAMES) == set(ETHNICITY_MAJOR)
    assert all(features.describe_group("ethnicity", c) != c for c in ETHNICITY_NAMES)


@pytest.mark.parametrize("attribute, value, text", [
    ("ethnicity", "mwbc", "Mixed White and Black Caribbean"),
    ("fsm", True, "Eligible for free school meals"), ("fsm", "False",
                                                      "Not eligible for free school meals"),
    ("eal", 1, "English as an additional language"), ("looked_after", None, "Not recorded"),
    ("sen", "none", "No special educational needs"), ("sex", "M", "Boys"),
    ("year_group", 8.0, "Year 8"), ("school", "100019", "100019"),
    ("ethnicity_major", "Gypsy, Roma and Traveller", "Gypsy, Roma and Traveller"),
])
def test_descriptions(attribute, value, text):
    assert features.describe_group(attribute, value) == text


def test_attribute_names():
    assert features.describe_attribute("sen") == "Special educational needs"
    assert features.describe_attribute("custom") == "custom"
