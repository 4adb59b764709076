"""Can anything one default Screener audit publishes be combined to recover a small count?

Run ``python -m benchmarks.audit_disclosure --seeds 0-9 --pupils 3000`` from the
repository root. For each seed: a synthetic local authority, a Screener fitted on two
past censuses, the screen of the latest census (its audit is the one every score
carries: ethnicity beside its major group, sex, FSM, SEN, EAL, broken down by year
group and school). The intruder of ``tests/audits/intruder.py`` then bounds every
hidden count from 1 to ``min_cell - 1`` by linear programming over every number the
audit publishes, and reports any that is determined or confined to 1..9.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "audits"))


def _seeds(text):
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in text.split(",")]


def check_seed(seed: int, pupils: int) -> dict:
    from intruder import Intruder  # noqa: E402  (tests/audits, put on the path above)

    import screening
    from screening import audits, datasets

    seen = {}
    real = audits.audit

    def spy(frame, **kw):
        rep = real(frame, **kw)
        seen.update(frame=frame, kw=kw, rep=rep)
        return rep

    la = datasets.make_local_authority(n_pupils=pupils, seed=seed)
    d = la.census_dates
    scr = screening.Screener(random_state=seed, n_boot=200).fit(la.records, as_of=d[-4:-2])
    audits.audit = spy
    try:
        t = time.perf_counter()
        scr.screen(la.records, as_of=d[-1])
        t_screen = time.perf_counter() - t
    finally:
        audits.audit = real
    kw, rep = seen["kw"], seen["rep"]
    t = time.perf_counter()
    res = Intruder(seen["frame"], rep, groups=kw["groups"], flag=kw["flag"],
                   outcome=kw.get("outcome"), controls=kw["controls"]).read_report().attack()
    f, b = rep.to_frame(), rep.by_control
    return {
        "seed": seed, "cohort": int(len(seen["frame"])), "screen_seconds": round(t_screen, 2),
        "hidden_small_counts_checked": res.checked, "recovered": len(res.recovered),
        "recovered_detail": [list(map(str, r)) for r in res.recovered],
        "lower_bound_positive": res.positive_lower, "lp_variables": res.n_vars,
        "published_equalities": res.n_equalities,
        "lp_seconds": round(time.perf_counter() - t, 1),
        "main_rows_suppressed": float(f["suppressed"].mean()),
        "breakdown_rows_suppressed": float(b["suppressed"].mean()),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0-9")
    p.add_argument("--pupils", type=int, default=3000)
    p.add_argument("--out", default="benchmarks/audit_disclosure.json")
    args = p.parse_args(argv)
    rows = []
    for seed in _seeds(args.seeds):
        rows.append(check_seed(seed, args.pupils))
        print(json.dumps(rows[-1]), flush=True)
    Path(args.out).write_text(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":  # pragma: no cover
    main()
