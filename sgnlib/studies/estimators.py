"""Accuracy of the tail-index estimators on draws with a known law (chapter 02, benchmarks)."""

from __future__ import annotations

import time

import numpy as np

from sgnlib import stable
from sgnlib._checks import check_alpha, numpy_rng

__all__ = ["estimator_study"]


def estimator_study(
    methods=("mcculloch", "ecf", "log", "ml"),
    alphas=(1.1, 1.5, 1.8, 1.95, 2.0),
    ns=(1000, 10000),
    n_rep=200,
    rng=0,
    *,
    scale=1.0,
    keep_estimates=False,
):
    """Bias, RMSE and time of α̂ for each (method, α, n) cell on SαS(α, ``scale``) draws.

    Each cell draws an ``[n, n_rep]`` array (one replicate per column, common to all
    methods) and fits it with one batched :func:`sgnlib.stable.fit` call per method. Returns a tidy
    dict of equal-length lists: ``method, alpha, n, n_rep, bias, rmse, sd, mean,
    frac_clipped, time_s`` (seconds per fitted column) and, with ``keep_estimates``,
    ``estimates`` (the n_rep values of α̂). Used by ``benchmarks/bench_stable.py`` and
    chapter 02.
    """
    for mth in methods:
        if mth not in stable.REGISTRY:
            raise ValueError(f"methods must be drawn from {tuple(stable.REGISTRY)}; got {mth!r}")
    check_alpha(alphas, "alphas")
    if int(n_rep) < 2:
        raise ValueError(f"n_rep must be at least 2; got {n_rep!r}")
    gen = numpy_rng(rng)
    keys = ["method", "alpha", "n", "n_rep", "bias", "rmse", "sd", "mean", "frac_clipped", "time_s"]
    out = {k: [] for k in keys}
    if keep_estimates:
        out["estimates"] = []
    for n in ns:
        for a in alphas:
            x = stable.sample(float(a), scale, (int(n), int(n_rep)), rng=gen)
            for mth in methods:
                t0 = time.perf_counter()
                r = stable.fit(x, method=mth)
                dt = (time.perf_counter() - t0) / n_rep
                err = r.alpha - a
                vals = dict(
                    method=mth,
                    alpha=float(a),
                    n=int(n),
                    n_rep=int(n_rep),
                    bias=float(err.mean()),
                    rmse=float(np.sqrt((err**2).mean())),
                    sd=float(r.alpha.std()),
                    mean=float(r.alpha.mean()),
                    frac_clipped=float(r.clipped.mean()),
                    time_s=dt,
                )
                for k in keys:
                    out[k].append(vals[k])
                if keep_estimates:
                    out["estimates"].append(r.alpha.copy())
    return out
