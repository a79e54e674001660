"""Accuracy of the tail-index estimators on draws with a known law (chapter 02, ``benchmarks/bench_stable.py``).

* :func:`accuracy_estimates` — every estimate α̂ of every replicate, for each (method, α, n): a
  long table, one row per estimate. Each (α, n) cell draws its ``[n, n_rep]`` sample from its own
  stream ``("estimator-accuracy", alpha, n)`` (common to all methods, so they see the same data),
  and each (method, α, n) is one cached unit (:class:`sgnlib.cache.UnitCache`): the maximum
  likelihood cells take minutes.
* :func:`accuracy_summary` — bias, RMSE, sd, share clipped and share below 1.9 per cell;
  :func:`estimator_study` — both in one call.
* :func:`estimate_cdf` — the empirical distribution of α̂ of each method in one (α, n) cell.
* :func:`rmse_slopes` — how fast the RMSE falls with n, per method.
* :func:`separates` — can one estimate tell α = a from α = 2? A stated criterion.
* :func:`accuracy_numbers`, :func:`gaussian_numbers` — the numbers chapter 02 quotes, formatted.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import report, stable, streams
from sgnlib._checks import check_alpha, check_positive
from sgnlib.cache import UnitCache

__all__ = ["accuracy_estimates", "accuracy_summary", "estimator_study", "estimate_cdf", "rmse_slopes", "separates",
           "accuracy_numbers", "gaussian_numbers"]

STUDY = "estimator-accuracy"
VERSION = "3"  # bump when an estimator or the density changes its numbers


def _check_grid(methods, alphas, ns, n_rep):
    methods = [str(m) for m in methods]
    for m in methods:
        if m not in stable.REGISTRY:
            raise ValueError(f"methods must be drawn from {tuple(stable.REGISTRY)}; got {m!r}")
    al = [float(a) for a in np.atleast_1d(np.asarray(alphas, dtype=float))]
    check_alpha(al, "alphas")
    nl = []
    for n in np.atleast_1d(ns):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 50:
            raise ValueError(f"ns must hold ints >= 50 (the estimators' minimum sample); got {n!r}")
        nl.append(int(n))
    if isinstance(n_rep, (bool, np.bool_)) or not isinstance(n_rep, (int, np.integer)) or n_rep < 2:
        raise ValueError(f"n_rep must be an int >= 2; got {n_rep!r}")
    if not (methods and al and nl):
        raise ValueError("methods, alphas and ns must each hold at least one value")
    return methods, al, nl, int(n_rep)


def accuracy_estimates(methods: Sequence[str], alphas: Sequence[float], ns: Sequence[int], n_rep: int, seed: int, *,
                       scale: float = 1.0, cache: bool = True) -> pd.DataFrame:
    """Every α̂ on SαS(α, ``scale``) draws: one row per (method, α, n, replicate).

    Columns ``method, alpha, n, rep, alpha_hat, clipped, time_s`` (``time_s``: seconds per
    fitted column of that cell's batched :func:`sgnlib.stable.fit` call, as measured when the
    unit was computed). ``cache=False`` recomputes without touching the cache.
    """
    methods, al, nl, n_rep = _check_grid(methods, alphas, ns, n_rep)
    scale = float(check_positive(scale, "scale"))
    store = UnitCache(STUDY) if cache else None
    frames = []
    for n in nl:
        for a in al:
            draws = {}

            def x():
                if "x" not in draws:
                    draws["x"] = stable.sample(a, scale, (n, n_rep), rng=streams.rng(seed, STUDY, alpha=a, n=n))
                return draws["x"]

            for m in methods:
                def compute(m=m):
                    xs = x()  # drawn once per cell, outside the timing
                    t0 = time.perf_counter()
                    r = stable.fit(xs, method=m)
                    return {"alpha_hat": r.alpha, "clipped": r.clipped,
                            "time_s": np.float64((time.perf_counter() - t0) / n_rep)}

                key = dict(version=VERSION, seed=int(seed), method=m, alpha=a, n=n, n_rep=n_rep, scale=scale)
                unit = store.get_or_compute(key, compute) if store is not None else compute()
                frames.append(pd.DataFrame({"method": m, "alpha": a, "n": n, "rep": np.arange(n_rep),
                                            "alpha_hat": unit["alpha_hat"], "clipped": unit["clipped"],
                                            "time_s": float(unit["time_s"])}))
    return pd.concat(frames, ignore_index=True)


def accuracy_summary(estimates: pd.DataFrame, threshold: float = 1.9) -> pd.DataFrame:
    """Per (method, α, n): ``n_rep, mean, bias, sd, rmse, frac_clipped, share_below`` (share of
    α̂ < ``threshold``) and ``time_s``, in the order the cells appear in ``estimates``."""
    e = estimates.assign(err=estimates.alpha_hat - estimates.alpha, err2=(estimates.alpha_hat - estimates.alpha) ** 2,
                         below=estimates.alpha_hat < threshold)
    out = e.groupby(["method", "alpha", "n"], sort=False).agg(
        n_rep=("alpha_hat", "size"), mean=("alpha_hat", "mean"), bias=("err", "mean"),
        sd=("alpha_hat", lambda v: float(np.std(v))), rmse=("err2", "mean"), frac_clipped=("clipped", "mean"),
        share_below=("below", "mean"), time_s=("time_s", "first")).reset_index()
    out["rmse"] = np.sqrt(out["rmse"])
    return out


def estimator_study(methods: Sequence[str] = ("mcculloch", "ecf", "log", "ml"),
                    alphas: Sequence[float] = (1.1, 1.5, 1.8, 1.95, 2.0), ns: Sequence[int] = (1000, 10000),
                    n_rep: int = 200, seed: int = 0, *, scale: float = 1.0, cache: bool = True) -> pd.DataFrame:
    """:func:`accuracy_summary` of :func:`accuracy_estimates`: bias, RMSE and time per (method, α, n)."""
    return accuracy_summary(accuracy_estimates(methods, alphas, ns, n_rep, seed, scale=scale, cache=cache))


def estimate_cdf(estimates: pd.DataFrame, alpha: float, n: int) -> pd.DataFrame:
    """Empirical distribution function of α̂ per method in the cell (α, n): ``method, alpha_hat, share``
    (share of estimates ≤ alpha_hat), sorted."""
    sel = estimates[(estimates.alpha == alpha) & (estimates.n == n)]
    if sel.empty:
        raise ValueError(f"no estimates at alpha={alpha!r}, n={n!r}")
    frames = []
    for m, g in sel.groupby("method", sort=False):
        v = np.sort(g.alpha_hat.to_numpy())
        frames.append(pd.DataFrame({"method": m, "alpha_hat": v, "share": np.arange(1, v.size + 1) / v.size}))
    return pd.concat(frames, ignore_index=True)


def rmse_slopes(summary: pd.DataFrame) -> pd.DataFrame:
    """Per method, the least-squares slope of log(mean RMSE over α) against log n (−0.5 for n^(−1/2));
    NaN with fewer than two n. Columns ``method, slope``."""
    rows = []
    for m, g in summary.groupby("method", sort=False):
        per_n = g.groupby("n").rmse.mean()
        slope = np.polyfit(np.log(per_n.index.to_numpy(float)), np.log(per_n.to_numpy()), 1)[0] if len(per_n) > 1 else np.nan
        rows.append(dict(method=m, slope=float(slope)))
    return pd.DataFrame(rows)


def separates(rmse_a: float, rmse_2: float, a: float, *, z: float = 1.96) -> report.Verdict:
    """Can one estimate separate α = ``a`` from α = 2? The 95 % error band (±z·RMSE, the larger
    RMSE of the two cells) must be narrower than half the gap ``(2 − a)/2``: holds; narrower than
    the whole gap only: marginal; otherwise fails.

    (A criterion the book needs that ``sgnlib.report`` lacks; a candidate to move there.)
    """
    band = z * max(float(rmse_a), float(rmse_2))
    half = (2.0 - float(a)) / 2
    word = "holds" if band < half else "marginal" if band < 2 * half else "fails"
    criterion = (f"a single estimate separates α = {report.fmt(a)} from α = 2 when its error band ±{z:g} RMSE is "
                 f"narrower than half the gap, {report.fmt(half)} (marginal when narrower than the whole gap)")
    misses = () if word == "holds" else (f"band ±{report.fmt(band)} vs half gap {report.fmt(half)}",)
    return report.Verdict(word, criterion, {"band": report.fmt(band), "half_gap": report.fmt(half)}, misses)


_QUOTED = ("mcculloch", "ecf", "log", "ml")


def _cells(summary: pd.DataFrame, n: int, alphas: Sequence[float]) -> pd.DataFrame:
    """The rows of ``summary`` at sample size ``n``, indexed by (method, α); every quoted method and
    α must be there (a ValueError names what is missing)."""
    missing = [m for m in _QUOTED if m not in set(summary.method)]
    if missing:
        raise ValueError(f"study_methods must include {_QUOTED} for the chapter's numbers; missing {missing}")
    sel = summary[summary.n == n].set_index(["method", "alpha"])
    for a in alphas:
        if ("ecf", a) not in sel.index:
            raise ValueError(f"no estimates at n={n!r}, alpha={a!r} in the study")
    return sel


def accuracy_numbers(summary: pd.DataFrame, n_at: int, a_near: float) -> tuple[dict, report.Verdict]:
    """The accuracy numbers chapter 02 quotes, formatted, at sample size ``n_at``: the largest RMSE of
    ECF and ML over α, McCulloch's RMSE at ``a_near``, the log estimator's RMSE range, the range of
    :func:`rmse_slopes` and the ratio of mean RMSEs log/ECF; with the :func:`separates` verdict of the
    log estimator for ``a_near`` against 2."""
    at = _cells(summary, n_at, [a_near, 2.0]).rmse
    nums = dict(n_at=str(n_at), a18=report.fmt(a_near), ecf_rmse_max=report.fmt(at["ecf"].max()),
                ml_rmse_max=report.fmt(at["ml"].max()), mcc_rmse_a18=report.fmt(at["mcculloch", a_near]),
                log_rmse_range=report.fmt_range(at["log"]), rmse_slope_range=report.fmt_range(rmse_slopes(summary).slope),
                log_vs_ecf=report.fmt(at["log"].mean() / at["ecf"].mean(), 1))
    return nums, separates(at["log", a_near], at["log", 2.0], a_near)


def _pct(x: float, nd: int = 0) -> str:
    return f"{100 * float(x):.{nd}f} %"


def gaussian_numbers(summary: pd.DataFrame, n_at: int) -> dict:
    """The numbers chapter 02 quotes on Gaussian data (α = 2), formatted: the largest |bias| and share of
    α̂ < 1.9 of ECF and ML over all n, ECF's |bias| at ``n_at``, the bias ranges of McCulloch and the log
    estimator, the log estimator's share below 1.9 over n ≤ ``n_at``, and the three shares at ``n_at``."""
    _cells(summary, n_at, [2.0])
    g2 = summary[summary.alpha == 2.0].set_index(["method", "n"])
    good = g2.loc[["ecf", "ml"]]
    log = g2.loc["log"]
    return dict(good_bias=report.fmt(good.bias.abs().max(), 3), good_share=_pct(good.share_below.max(), 1),
                ecf_bias=report.fmt(abs(g2.bias["ecf", n_at]), 3), mcc_bias=report.fmt_range(g2.bias["mcculloch"], 3),
                log_bias=report.fmt_range(log.bias, 3),
                log_share_small=report.fmt_range(100 * log.share_below[log.index <= n_at], 0) + " %",
                log_share_nat=_pct(g2.share_below["log", n_at]), mcc_share_nat=_pct(g2.share_below["mcculloch", n_at]),
                ecf_share_nat=_pct(g2.share_below["ecf", n_at]))
