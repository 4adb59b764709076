"""Benchmarks: how fast, how big, how good, against the peers, in one run, recorded.

Run ``python -m benchmarks --size small`` (20,000 pupils, a few minutes) or
``python -m benchmarks --size large`` (20k, 100k, 200k and 1,000,000 pupils). The run
writes ``benchmarks/RESULTS.md`` and ``benchmarks/scaling.png``.

Modules: ``_memory`` (peak RSS sampler), ``_steps`` (timed steps to JSON), ``_pipeline``
(the timed pipeline at one size), ``_peers`` (shap, fairlearn, boosting, logistic
regression, the oracle, real data), ``_distributed`` (joblib on loky and dask),
``_machine`` and ``_report`` (RESULTS.md and the chart), ``_worker`` (one job per process).
"""
