"""Shared test configuration (kept minimal: each package has its own fixtures)."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded random generator."""
    return np.random.default_rng(0)
