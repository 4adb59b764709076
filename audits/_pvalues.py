"""p-values computed from the counts, so their precision does not depend on ``n_boot``.

A bootstrap p-value can never be smaller than ``2 / (n_boot + 1)``; after a Holm
correction over ``m`` comparisons that floor becomes ``2m / (n_boot + 1)``, and with
``n_boot=1000`` and 25 comparisons nothing could ever be significant. The tests here
are closed-form and vectorised over every group at once:

Rate ratio (``flag_ratio``, ``fpr_ratio``, ...)
    Two independent binomial proportions ``x1 / n1`` (the group) and ``x0 / n0`` (the
    reference). H0: equal rates. The pooled two-proportion score test (Pearson's
    chi-square on the 2 x 2 table, without continuity correction). It stays valid with
    zero counts on one side, where a Wald test on the log ratio is undefined.
Amplification (``flag_ratio / base_ratio``, same pupils)
    A Wald test on ``log(F_g / O_g) - log(F_r / O_r)`` with the delta-method variance
    of the log of two correlated counts in one multinomial: with cell proportions
    ``p_tp, p_fp, p_fn`` and ``F = tp + fp``, ``O = tp + fn``::

        var log(F / O) = (1 - pF) / (n pF) + (1 - pO) / (n pO) - 2 (p_tp - pF pO) / (n pF pO)

    and the two groups independent.
Recent amplification (flags now, outcomes in an earlier cohort)
    The same Wald test with the flag ratio and the recent outcome ratio independent.

Every p-value is two-sided. ``tests/audits/test_pvalues.py`` checks them against the
bootstrap where the bootstrap has the resolution to tell, and checks the false-finding
rate under the null by simulation.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

#: Stated in every report's ``params`` and HTML.
METHOD = (
    "two-sided p-values from the counts (resolution independent of the bootstrap): rate "
    "ratios by the pooled two-proportion score test; amplification by a Wald test on the "
    "log ratio with the delta-method variance of a group's flag and outcome counts; Holm's "
    "step-down correction over every comparison in the report"
)


def _div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(a, b)


def _two_sided(z):
    z = np.abs(np.asarray(z, dtype=float))
    return np.where(np.isfinite(z), 2.0 * ndtr(-z), np.nan)


@np.errstate(divide="ignore", invalid="ignore")
def rate_ratio_p(x1, n1, x0, n0):
    """Score-test p-value for ``x1/n1 == x0/n0`` (arrays broadcast).

    NaN where a side has no rows or the pooled rate is 0 or 1 (nothing to test).

    >>> float(rate_ratio_p(30, 100, 15, 100).round(4))
    0.0111
    """
    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    pooled = _div(x1 + x0, n1 + n0)
    se = np.sqrt(pooled * (1 - pooled) * (_div(1.0, n1) + _div(1.0, n0)))
    z = _div(_div(x1, n1) - _div(x0, n0), se)
    ok = (n1 > 0) & (n0 > 0) & (se > 0)
    return np.where(ok, _two_sided(z), np.nan)


@np.errstate(divide="ignore", invalid="ignore")
def log_ratio_var(x, n):
    """Delta-method variance of ``log(x / n)`` for a binomial count (inf when x == 0)."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    return np.where(x > 0, _div(1.0, x) - _div(1.0, n), np.inf)


@np.errstate(divide="ignore", invalid="ignore")
def log_amp_var(c):
    """Variance of ``log(flags / outcomes)`` within one group from cells ``(tp, fp, fn, tn)``."""
    c = np.asarray(c, dtype=float)
    tp, fp, fn = c[..., 0], c[..., 1], c[..., 2]
    n = c.sum(-1)
    f, o = tp + fp, tp + fn
    # (1-pF)/(n pF) + (1-pO)/(n pO) - 2 (p_tp - pF pO)/(n pF pO), written in counts
    v = _div(1.0, f) - _div(1.0, n) + _div(1.0, o) - _div(1.0, n) \
        - 2.0 * (_div(tp, f * o) - _div(1.0, n))
    return np.where((f > 0) & (o > 0), np.maximum(v, 0.0), np.inf)


@np.errstate(divide="ignore", invalid="ignore")
def wald_p(log_ratio, var):
    """p-value for ``log_ratio == 0`` given its variance (NaN when not finite)."""
    log_ratio, var = np.asarray(log_ratio, dtype=float), np.asarray(var, dtype=float)
    z = _div(log_ratio, np.sqrt(var))
    ok = np.isfinite(log_ratio) & np.isfinite(var) & (var > 0)
    return np.where(ok, _two_sided(z), np.nan)
