"""From bands to integer points: penalised logistic regression, monotone merges, rounding."""

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from ._binning import encode, fit_bands, merge_bands, n_bands

_EPS = 1e-15
#: Points of the strongest band tried, fewest first, when ``max_points="auto"``; when none meets
#: ``ROUNDING_TOLERANCE`` the one with the smallest training log-loss is kept.
AUTO_POINTS = (5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100)
#: Largest difference in any training row's risk the rounding may make when
#: ``max_points="auto"`` (both scores recalibrated in sample).
ROUNDING_TOLERANCE = 0.01


def sigmoid(z):
    """The logistic function, written out so that the JSON reference reproduces it exactly."""
    return 1.0 / (1.0 + np.exp(-z))


def log_loss(y, p):
    """Mean binary log-loss with probabilities clipped away from 0 and 1."""
    p = np.clip(p, _EPS, 1 - _EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def fit_logistic_1d(z, y, *, n_iter=30, weight=None):
    """Unpenalised logistic regression of y on one score: returns (a, b) in a + b * z.

    Rows are pooled by distinct score (scores are few distinct values), then fitted by
    Newton-Raphson with step halving; (logit(mean y), 0) when z is constant. On separable
    data the slope grows until the loss stops improving (probabilities stay finite).
    ``weight`` (rows per entry, with ``y`` their outcome rate) fits already pooled rows.
    """
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones_like(y) if weight is None else np.asarray(weight, dtype=np.float64)
    n = w.sum()
    rate = np.clip(y.mean() if weight is None else np.dot(y, w) / n, 1e-6, 1 - 1e-6)
    a = float(np.log(rate / (1 - rate)))
    if np.ptp(z) == 0:
        return a, 0.0
    values, inverse = np.unique(z, return_inverse=True)
    if weight is None:
        count = np.bincount(inverse).astype(np.float64) / len(z)
        pos = np.bincount(inverse, weights=y) / len(z)
    else:
        count = np.bincount(inverse, weights=w) / n
        pos = np.bincount(inverse, weights=y * w) / n
    design = np.column_stack([np.ones_like(values), values])

    def loss(beta):
        p = np.clip(sigmoid(design @ beta), _EPS, 1 - _EPS)
        return float(-(pos * np.log(p) + (count - pos) * np.log(1 - p)).sum())

    beta = np.array([a, 0.0])
    current = loss(beta)
    for _ in range(n_iter):
        p = sigmoid(design @ beta)
        grad = design.T @ (count * p - pos)
        if np.abs(grad).max() < 1e-12:
            break
        hess = (design * (count * p * (1 - p))[:, None]).T @ design + 1e-12 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        for _ in range(20):
            trial = beta - step
            value = loss(trial)
            if value <= current:
                break
            step = step / 2
        else:
            break
        improved = current - value
        beta, current = trial, value
        if improved < 1e-13:
            break
    return float(beta[0]), float(beta[1])


def one_hot(codes, sizes):
    """Sparse one-hot design of integer band codes (n, p) -> (n, sum(sizes))."""
    n, p = codes.shape
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    cols = (codes + offsets).ravel()
    rows = np.repeat(np.arange(n), p)
    data = np.ones(n * p)
    return sp.csr_matrix((data, (rows, cols)), shape=(n, int(sum(sizes))))


def distinct_rows(codes, sizes):
    """Exact ids of the distinct rows of small integer codes, fast.

    Columns are folded into one int64 key (mixed radix); before the key could overflow it
    is renumbered densely (at most n distinct values), so no two patterns ever collide.

    Returns
    -------
    first : ndarray
        Index of one row of each distinct pattern.
    inverse : ndarray
        Pattern id of every row.

    Examples
    --------
    >>> first, inv = distinct_rows(np.array([[0, 1], [1, 0], [0, 1]]), [2, 2])
    >>> inv.tolist(), first.tolist()
    ([0, 1, 0], [0, 1])
    """
    n = codes.shape[0]
    key = np.zeros(n, dtype=np.int64)
    bound = 1
    limit = np.iinfo(np.int64).max // 64
    for j, size in enumerate(sizes):
        if bound * size > limit:
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64)
            bound = int(key.max()) + 1 if n else 1
        key = key * size + codes[:, j]
        bound *= size
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def fit_penalised(codes, sizes, y, C, init=None):
    """L2-penalised logistic regression on the one-hot band design, fitted on the distinct
    band patterns with counts as weights.

    Many pupils share a pattern, and the weighted fit minimises exactly the same objective
    as the row-level one (sum of per-row log-losses plus the penalty), so the coefficients
    agree to solver tolerance at a fraction of the cost. ``init`` (coefficients,
    intercept) of a neighbouring penalty warm-starts the solver.
    """
    first, inverse = distinct_rows(codes, sizes)
    patterns = codes[first]
    pos = np.bincount(inverse, weights=y, minlength=len(patterns))
    tot = np.bincount(inverse, minlength=len(patterns)).astype(float)
    design = one_hot(patterns, sizes)
    X = sp.vstack([design, design], format="csr")
    target = np.r_[np.ones(len(patterns)), np.zeros(len(patterns))]
    weight = np.r_[pos, tot - pos]
    keep = weight > 0
    lr = LogisticRegression(C=C, solver="newton-cholesky", max_iter=200, tol=1e-8,
                            warm_start=init is not None)
    if init is not None and np.size(init[0]) == design.shape[1]:
        lr.coef_ = np.asarray(init[0], dtype=float).reshape(1, -1).copy()
        lr.intercept_ = np.atleast_1d(np.asarray(init[1], dtype=float)).copy()
        lr.classes_ = np.array([0.0, 1.0])
    return lr.fit(X[keep], target[keep], sample_weight=weight[keep])


def _worst_violation(spec, coef, direction):
    """Index of the lower band of the worst monotone violation, or None."""
    if spec["kind"] == "categorical" or not direction:
        return None
    ordered = coef[:-1]  # the missing band is exempt
    steps = direction * np.diff(ordered)
    if steps.size == 0 or steps.min() >= 0:
        return None
    return int(np.argmin(steps))


def fit_specs(columns, kinds, names, y, *, max_bands, min_count, min_events, monotone,
              random_state):
    """Band specs of every column, learned on one training set."""
    return [
        fit_bands(name, col, kind, y, max_bands=max_bands, min_count=min_count,
                  direction=monotone.get(name, 0), random_state=random_state,
                  min_events=min_events)
        for name, col, kind in zip(names, columns, kinds)
    ]


def fit_card(columns, kinds, names, y, *, max_bands, min_count, monotone, max_points, C,
             random_state, min_events=0, specs=None, init=None, report=False):
    """Fit bands and integer points on one training set.

    ``specs`` (from :func:`fit_specs` on the same rows) skips learning the bands again,
    so a search over ``C`` bands each training set once; ``init`` (the returned
    ``first_fit`` of a neighbouring ``C`` on the same specs) warm-starts the regression.

    Bands with no training rows (a category never seen, a missing band when nothing was
    missing) carry no information: they get the feature's training-average log-odds, so
    an unseen value scores like the average training row, never like the lowest band.

    Returns a dict with the band specs, the points per band (int arrays), the unrounded
    shifted coefficients, the scale, the in-sample calibration (a0, b0) of the integer total
    and the rounding loss (training log-loss of the recalibrated integer total minus that
    of the recalibrated exact score). ``max_points="auto"`` takes the fewest points for
    the strongest band (from ``AUTO_POINTS``) at which no training row's risk moves by
    more than ``ROUNDING_TOLERANCE``; an int tries every cap from half of it up to it. ``report``
    adds ``rounding_report``: training AUC and log-loss of both scores and the largest
    per-row probability difference.
    """
    y = np.asarray(y, dtype=float)
    if specs is None:
        specs = fit_specs(columns, kinds, names, y, max_bands=max_bands, min_count=min_count,
                          min_events=min_events, monotone=monotone,
                          random_state=random_state)
    specs = [dict(s) for s in specs]
    codes = np.column_stack([encode(s, c) for s, c in zip(specs, columns)])
    first_fit = None
    while True:
        sizes = [n_bands(s) for s in specs]
        lr = fit_penalised(codes, sizes, y, C, init=init)
        if first_fit is None:
            first_fit = (lr.coef_.ravel().copy(), float(lr.intercept_[0]))
        coefs = np.split(lr.coef_.ravel(), np.cumsum(sizes)[:-1])
        merged = False
        for j, spec in enumerate(specs):
            lower = _worst_violation(spec, coefs[j], monotone.get(spec["name"], 0))
            if lower is not None:
                specs[j] = merge_bands(spec, lower)
                codes[:, j] = encode(specs[j], columns[j])
                coefs[j] = np.delete(coefs[j], lower + 1)
                merged = True
        if not merged:
            break
        # the refit starts from the merged coefficients: a few Newton steps, not a cold fit
        init = (np.concatenate(coefs), float(lr.intercept_[0]))
    counts = [np.bincount(codes[:, j], minlength=sizes[j]) for j in range(len(specs))]
    rates = [np.bincount(codes[:, j], weights=y, minlength=sizes[j]) / np.maximum(cnt, 1)
             for j, cnt in enumerate(counts)]
    shifted, intercept = [], float(lr.intercept_[0])
    for coef, cnt in zip(coefs, counts):
        seen = cnt > 0
        ref = coef[seen].min()
        average = float(np.dot(coef[seen], cnt[seen]) / cnt[seen].sum())
        shifted.append(np.where(seen, coef, average) - ref)
        intercept += ref
    # the rounding is judged on the distinct band patterns, each weighted by its rows:
    # the same losses and largest difference as over the rows, at a fraction of the cost
    first, inverse = distinct_rows(codes, sizes)
    pattern = codes[first]
    weight = np.bincount(inverse).astype(np.float64)
    pattern_y = np.bincount(inverse, weights=y) / weight
    unrounded = intercept + sum(b[pattern[:, j]] for j, b in enumerate(shifted))
    # like with like: the exact score gets the same two-parameter recalibration as the
    # integer total, so the loss measures the rounding alone (not the penalty's shrinkage)
    ea, eb = fit_logistic_1d(unrounded, pattern_y, weight=weight)
    exact_p = sigmoid(ea + eb * unrounded)
    loss_unrounded = _pooled_log_loss(pattern_y, exact_p, weight)
    top = max((float(b.max()) for b in shifted), default=0.0)
    if top <= 0:
        candidates = [0]
    elif max_points == "auto":
        candidates = AUTO_POINTS
    else:
        candidates = range((max_points + 1) // 2, max_points + 1)
    best = None
    for m in candidates:
        scale = m / top if top > 0 else 1.0
        points = [np.round(scale * b).astype(np.int64) for b in shifted]
        total = sum(pts[pattern[:, j]] for j, pts in enumerate(points))
        a0, b0 = fit_logistic_1d(total, pattern_y, weight=weight)
        points_p = sigmoid(a0 + b0 * total)
        loss = _pooled_log_loss(pattern_y, points_p, weight)
        diff = float(np.max(np.abs(points_p - exact_p), initial=0.0))
        candidate = {"loss": loss, "scale": scale, "points": points, "a0": a0, "b0": b0,
                     "diff": diff}
        if best is None or loss <= best["loss"] + 1e-12:
            best = candidate
        if max_points == "auto" and diff <= ROUNDING_TOLERANCE:
            best = candidate
            break  # the fewest points that carry the exact score's weight
    assert best is not None  # the loop above runs at least once
    card = {
        "specs": specs, "points": best["points"], "coef": shifted, "coef_intercept": intercept,
        "scale": best["scale"], "a0": best["a0"], "b0": best["b0"],
        "counts": counts, "rates": rates,
        "rounding_loss": best["loss"] - loss_unrounded, "first_fit": first_fit,
    }
    if report:
        total = sum(pts[codes[:, j]] for j, pts in enumerate(best["points"]))
        exact = sum(b[codes[:, j]] for j, b in enumerate(shifted))
        card["rounding_report"] = {
            "log_loss_exact": loss_unrounded, "log_loss_points": best["loss"],
            "auc_exact": _auc(y, exact), "auc_points": _auc(y, total),
            "max_proba_diff": best["diff"],
            "max_points": int(max((int(p.max()) for p in best["points"]), default=0)),
        }
    return card


def _pooled_log_loss(rate, p, weight):
    """Mean log-loss of rows pooled into entries of ``weight`` rows with outcome ``rate``."""
    p = np.clip(p, _EPS, 1 - _EPS)
    return float(-np.dot(weight, rate * np.log(p) + (1 - rate) * np.log(1 - p))
                 / weight.sum())


def _auc(y, score):
    """Training AUC of a score (0.5 when one class is absent)."""
    from sklearn.metrics import roc_auc_score

    if np.unique(y).size < 2:
        return 0.5
    return float(roc_auc_score(y, score))


def total_points(card, codes):
    """Integer total score of encoded rows."""
    return sum(pts[codes[:, j]] for j, pts in enumerate(card["points"]))
