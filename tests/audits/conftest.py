"""Tiny synthetic fixtures for the audits tests (never real pupil data)."""

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def tiny():
    """12 pupils with a hand-checkable confusion table per sex.

    F: tp=2 fp=1 fn=1 tn=2 (flag rate 1/2); M: tp=1 fp=0 fn=2 tn=3 (flag rate 1/6).
    """
    return pd.DataFrame({
        "sex": ["F"] * 6 + ["M"] * 6,
        "flagged": [1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0],
        "outcome": [1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0],
        "risk": [0.9, 0.8, 0.3, 0.2, 0.1, 0.7, 0.6, 0.5, 0.1, 0.4, 0.3, 0.2],
    })


@pytest.fixture
def cohort():
    """400 synthetic pupils with groups, a score, flags, an outcome and schools."""
    rng = np.random.default_rng(7)
    n = 400
    df = pd.DataFrame({
        "sex": rng.choice(["F", "M"], n),
        "fsm": rng.random(n) < 0.35,
        "ethnicity": rng.choice(["WBRI", "ASIA", "BLAC", "MIXD"], n, p=[.55, .2, .15, .1]),
        "school": rng.choice([f"S{i}" for i in range(6)], n),
    })
    df["risk"] = np.clip(rng.beta(2, 8, n) + 0.15 * df["fsm"], 0, 1)
    df["flagged"] = df["risk"] >= np.quantile(df["risk"], 0.8)
    df["outcome"] = rng.random(n) < df["risk"]
    return df
