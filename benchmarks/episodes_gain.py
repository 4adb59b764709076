"""How much do the LA's social-care episodes add to a screen? Average precision with and
without ``episode_kinds``, on synthetic LAs with children-in-need and child-protection
episodes (``make_local_authority(social_care=True)``).

Run ``python -m benchmarks.episodes_gain --seeds 0-5 --pupils 30000`` from the repository
root. For each seed: one LA; two Screeners identical but for
``episode_kinds=("child_in_need", "child_protection")``, each fitted on two censuses
(the 3rd and 4th) and evaluated on the next (the 5th, the latest whose outcome window is
complete), flags at 5% capacity. The gain is the paired difference in average precision
on the same test pupils: a 95% interval per seed by a paired bootstrap over test pupils,
and over seeds by a t interval of the per-seed gains. With ``known_if`` (both kinds and
EHC plans) each evaluation also says how many flagged pupils were already known to a
service, and the outcome rate among those who were not. Results go to
``benchmarks/episodes_gain.json``; ``benchmarks/RESULTS.md`` records a run.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

KINDS = ("child_in_need", "child_protection")
KNOWN = KINDS + ("ehc_plan",)


def _seeds(text):
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in text.split(",")]


def run_seed(seed: int, pupils: int, n_boot: int = 1000, capacity: float = 0.05) -> dict:
    from sklearn.metrics import average_precision_score

    import screening

    la = screening.datasets.make_local_authority(n_pupils=pupils, seed=seed, social_care=True)
    d = la.census_dates
    train, test = d[2:4], d[4]
    out = {"seed": seed, "pupils": pupils, "train": [str(t.date()) for t in train],
           "test": str(test.date())}
    scores = {}
    for name, kinds in (("without", ()), ("with", KINDS)):
        t0 = time.perf_counter()
        scr = screening.Screener(episode_kinds=kinds, known_if=KNOWN, capacity=capacity,
                                 n_boot=0, random_state=0).fit(la.records, as_of=train)
        ev = scr.evaluate(la.records, as_of=test)
        s = ev.scores.set_index("upn").sort_index()
        scores[name] = s
        v = ev.added_value
        out[name] = {"average_precision": float(ev.metrics["average_precision"]),
                     "auc": float(ev.metrics["auc"]),
                     "precision_at_capacity": float(ev.metrics["precision_at_capacity"]),
                     "flagged_not_known": v["n_flagged_not_known"],
                     "flagged": v["n_flagged"],
                     "precision_not_known": v["precision_not_known"],
                     "seconds": round(time.perf_counter() - t0, 1)}
    y = scores["with"]["outcome"].to_numpy()
    a, b = scores["without"]["risk"].to_numpy(), scores["with"]["risk"].to_numpy()
    oracle = la.true_risk(test).reindex(scores["with"].index).to_numpy()
    out["oracle_average_precision"] = float(average_precision_score(y, oracle))
    out["n_test"], out["n_outcomes"] = int(len(y)), int(y.sum())
    gain = average_precision_score(y, b) - average_precision_score(y, a)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(n_boot):
        i = rng.integers(0, len(y), len(y))
        if y[i].any():
            boot.append(average_precision_score(y[i], b[i]) - average_precision_score(y[i], a[i]))
    out["gain"] = float(gain)
    out["gain_low"], out["gain_high"] = (float(q) for q in np.quantile(boot, [0.025, 0.975]))
    return out


def summarise(rows) -> dict:
    from scipy import stats

    g = np.array([r["gain"] for r in rows])
    half = (stats.t.ppf(0.975, len(g) - 1) * g.std(ddof=1) / np.sqrt(len(g))
            if len(g) > 1 else float("nan"))
    if not np.isfinite(half):
        half = None
    mean = lambda key, arm: float(np.mean([r[arm][key] for r in rows]))  # noqa: E731
    return {"seeds": len(g), "mean_gain": float(g.mean()),
            "low": None if half is None else float(g.mean() - half),
            "high": None if half is None else float(g.mean() + half),
            "average_precision_without": mean("average_precision", "without"),
            "average_precision_with": mean("average_precision", "with"),
            "oracle": float(np.mean([r["oracle_average_precision"] for r in rows]))}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0-5")
    p.add_argument("--pupils", type=int, default=30_000)
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--out", default="benchmarks/episodes_gain.json")
    args = p.parse_args(argv)
    rows = []
    for seed in _seeds(args.seeds):
        rows.append(run_seed(seed, args.pupils, args.n_boot))
        print(json.dumps(rows[-1]), flush=True)
    summary = summarise(rows)
    print(json.dumps(summary), flush=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"summary": summary, "seeds": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
