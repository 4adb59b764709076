"""An MIS vendor embeds the screen: load a model file, score a batch, emit JSON; then
apply the portable JSON scorecard with no library at all.

The vendor receives ``model.skops`` (a safe model file: loading it runs no code and
refuses untrusted types) and, for systems that cannot run Python, ``scorecard.json``.
This script plays both sides: the LA fits and exports; the vendor scores.

Run::

    python examples/mis_embed.py
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path

import screening
from screening import features


# ---------------------------------------------------------------- the vendor's own code
def apply_scorecard(card: dict, row: dict) -> float:
    """Apply a portable scorecard to one pupil with nothing but the standard library.

    This is what a vendor writes in C# or SQL from ``models/SCORECARD_JSON.md``: find
    each feature's band, add the points, map the total to a probability.
    """
    points = 0
    for feat in card["features"]:
        value = row.get(feat["name"])
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        bands = feat["bands"]
        if missing:
            band = bands[-1]  # the last band is always 'missing'
        elif feat["type"] == "numeric":
            band = bands[sum(1 for c in feat["cuts"] if c <= float(value))]
        elif feat["type"] == "bool":
            ordered = bands[:-1]
            truth = bool(value) if not isinstance(value, (int, float)) else value >= 0.5
            band = next((b for b in ordered if b.get("value") == truth), ordered[0])
        else:
            text = str(value)
            band = next((b for b in bands[:-1] if text in map(str, b.get("categories", []))),
                        None) or next(b for b in bands if b.get("unseen"))
        points += band["points"]
    prob = card["probability"]
    return 1.0 / (1.0 + math.exp(-(prob["intercept"] + prob["slope"] * points)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pupils", type=int, default=20_000)
    p.add_argument("--out", default="mis-output")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # ---- the local authority fits the screen and hands over two files
    la = screening.datasets.make_local_authority(n_pupils=args.pupils, seed=11)
    d = la.census_dates
    scr = screening.Screener(n_boot=200).fit(la.records, as_of=d[-3:-1])
    screening.save(scr, out / "model.skops")
    (out / "scorecard.json").write_text(scr.model_.to_json(), encoding="utf-8")

    # ---- the vendor: load the safe model file and score tonight's batch
    vendor = screening.load(out / "model.skops")
    folder = Path(tempfile.mkdtemp(prefix="mis_batch_"))
    la.write(folder, format="parquet")
    batch = screening.load_records(folder)
    t0 = time.perf_counter()
    result = vendor.screen(batch, as_of=d[-1])
    secs = time.perf_counter() - t0
    doc = json.loads(result.to_json(out / "result.json"))
    print(f"Scored {len(result.scores):,} pupils in {secs:.1f} s; JSON schema "
          f"{doc['schema']} v{doc['schema_version']}, {len(doc['audit'])} audit section(s)")
    print(json.dumps(doc["scores"][0], indent=2))

    # ---- a system without Python applies scorecard.json itself
    card = json.loads((out / "scorecard.json").read_text())
    X = features.build(batch, as_of=d[-1])[card_names(card)]
    rows = X.astype(object).where(X.notna(), None).to_dict(orient="records")
    mine = [apply_scorecard(card, r) for r in rows]
    theirs = result.scores["risk"].to_numpy()
    worst = max(abs(a - b) for a, b in zip(mine, theirs))
    print(f"Portable scorecard applied in plain Python to {len(rows):,} pupils: largest "
          f"difference from the library's risk {worst:.2e}")
    if worst > 1e-9:
        raise SystemExit("the portable scorecard disagrees with the library")
    return result


def card_names(card):
    return [f["name"] for f in card["features"]]


if __name__ == "__main__":
    main()
