"""Accuracy and speed of the SαS tail-index estimators of `sgnlib.stable`.

Printed, all measured in this run:

1. accuracy — bias, RMSE and sd of α̂ for every method (`mcculloch`, `ecf` = the
   default, `log` = Mohammadi et al. 2015 / Şimşekli et al. 2019, `ml`) for
   n ∈ {1000, 10000} and α ∈ {1.1, 1.5, 1.8, 1.95, 2.0}, ≥ 200 replicates per cell
   (`sgnlib.studies.estimators.estimator_study`, the same function chapter 02 calls);
2. speed — the time to fit 10 000 parameters × 1000 samples with each fast method,
   against two baselines measured here:
   * floor    – a `np.partition` of the same array selecting the order statistics a
     quantile method needs (row-wise on the [params, samples] layout, and along
     axis 0 of the [samples, params] layout `fit` uses): no quantile estimator can
     beat it;
   * scipy    – `scipy.stats.levy_stable.fit` on a few single 1000-sample vectors
     (minutes each), extrapolated per vector;
3. the goals of issue 3 (RMSE ≤ 0.06 at n = 1000, |bias| ≤ 0.01 at α = 2,
   10 000 × 1000 in < 2 s, fast mode within 2× of the floor, fit errors for 1000
   parameters in < 1 s), each marked ok / MISSED.

Usage: python benchmarks/bench_stable.py [--reps 200] [--scipy-vectors 2] [--threads 2] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from sgnlib import stable
from sgnlib.studies.estimators import estimator_study

ALPHAS = (1.1, 1.5, 1.8, 1.95, 2.0)


def timeit(fn, repeat=3):
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=200)
    p.add_argument("--ns", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--methods", nargs="+", default=["mcculloch", "ecf", "log", "ml"])
    p.add_argument("--scipy-vectors", type=int, default=2, help="single vectors fitted by levy_stable.fit (0: skip)")
    p.add_argument("--params", type=int, default=10_000)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: leave torch's default)")
    p.add_argument("--quick", action="store_true", help="small run: 40 replicates, n = 1000, no scipy")
    a = p.parse_args(argv)
    if a.quick:
        a.reps, a.ns, a.scipy_vectors, a.params = 40, [1000], 0, 2000
    import torch

    if a.threads:
        torch.set_num_threads(a.threads)
    print(f"torch threads: {torch.get_num_threads()}")
    stable.fit(stable.sample(1.5, 1.0, (100, 2), rng=0))  # warm the cached McCulloch table

    # 1. accuracy -----------------------------------------------------------------------
    t0 = time.perf_counter()
    res = estimator_study(a.methods, ALPHAS, a.ns, n_rep=a.reps, seed=2024, cache=False)
    print(f"\n## Accuracy of α̂ ({a.reps} replicates per cell, {time.perf_counter() - t0:.0f} s)\n")
    print(f"{'method':>10} {'n':>6} {'alpha':>5} {'bias':>8} {'rmse':>7} {'sd':>7} {'clip%':>6} {'ms/col':>8}")
    for r in res.itertuples():
        print(
            f"{r.method:>10} {r.n:>6} {r.alpha:>5.2f} {r.bias:>+8.4f} {r.rmse:>7.4f} {r.sd:>7.4f} "
            f"{100 * r.frac_clipped:>6.1f} {1e3 * r.time_s:>8.3f}"
        )

    # 2. speed ----------------------------------------------------------------------------
    n, P = 1000, a.params
    x = stable.sample(1.5, 1e-6, (n, P), rng=1)
    xT = np.ascontiguousarray(x.T)
    probs = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    h = (n - 1) * probs
    kth = np.unique(np.concatenate([np.floor(h), np.minimum(np.floor(h) + 1, n - 1)]).astype(int))
    t_rows, _ = timeit(lambda: np.partition(xT, kth, axis=1))
    t_cols, _ = timeit(lambda: np.partition(x, kth, axis=0))
    floor = min(t_rows, t_cols)
    print(f"\n## Speed, {P} parameters × {n} samples\n")
    print(f"floor  np.partition row-wise [params, samples]: {t_rows:.3f} s; along axis 0 [samples, params]: {t_cols:.3f} s")
    times = {}
    for mth in ("mcculloch", "ecf"):
        t, _ = timeit(lambda: stable.fit(x, method=mth))
        times[mth] = t
        print(f"fit method={mth:<9}: {t:.3f} s  ({1e6 * t / P:.1f} µs/param, {t / floor:.2f}× the partition floor)")
    t_fe, _ = timeit(lambda: stable.fit_errors(x[:, :1000]), repeat=1)
    print(f"fit_errors, 1000 parameters × {n} samples: {t_fe:.3f} s")
    t_scipy = None
    if a.scipy_vectors:
        import scipy.stats as st

        per = []
        for k in range(a.scipy_vectors):
            v = x[:, k] / 1e-6
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = time.perf_counter()
                est = st.levy_stable.fit(v)
                per.append(time.perf_counter() - t)
            print(f"scipy levy_stable.fit vector {k}: {per[-1]:.1f} s, α̂ = {est[0]:.3f} (sgnlib ecf: {stable.fit(v).alpha:.3f})")
        t_scipy = float(np.mean(per))
        print(
            f"scipy per vector {t_scipy:.1f} s → {t_scipy * P / 3600:.1f} h for {P} parameters; "
            f"ecf is {t_scipy * P / times['ecf']:.2e}× faster, mcculloch {t_scipy * P / times['mcculloch']:.2e}×"
        )

    # 3. goals ------------------------------------------------------------------------------
    cells = res.set_index(["method", "n", "alpha"])
    print("\n## Goals (issue 3)\n")
    if "ecf" in a.methods and 1000 in a.ns:
        worst = max(cells.rmse["ecf", 1000, al] for al in ALPHAS)
        bias2 = cells.bias["ecf", 1000, 2.0]
        print(f"default RMSE(α) ≤ 0.06 at n = 1000 for every α : {worst:.4f}  {'ok' if worst <= 0.06 else 'MISSED'}")
        print(f"default |bias| ≤ 0.01 at α = 2, n = 1000       : {abs(bias2):.4f}  {'ok' if abs(bias2) <= 0.01 else 'MISSED'}")
    print(f"default fit of {P} × {n} in < 2 s               : {times['ecf']:.3f} s  {'ok' if times['ecf'] < 2 else 'MISSED'}")
    r = times["mcculloch"] / floor
    print(f"fast mode within 2× of the partition floor     : {r:.2f}×  {'ok' if r <= 2 else 'MISSED'}")
    print(f"fit errors for 1000 parameters in < 1 s        : {t_fe:.3f} s  {'ok' if t_fe < 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
