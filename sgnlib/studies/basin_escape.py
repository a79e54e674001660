"""Basin escape: mean first exit time against ε, α and the width (Cor 4.2), and width versus depth.

Two studies behind chapter 06 (:cite:`battash2023revisiting`, Sec. 4):

* :func:`mean_exit_times` — eq. 3 in ``U = w²/2`` with a constant schedule,
  first exit from ``(-d, d)``; against the derived Cor 4.2, ``E σ = 1/(mΦ)``,
  which in one dimension is the Imkeller–Pavlyukevich law
  :cite:`imkeller2006first` (:func:`sgnlib.theory.mean_exit_time`).
* :func:`double_well_escape` — the double well ``h((w/a)² - 1)²`` started at
  ``-a``, first passage to ``a/2``: heavy-tailed noise (α < 2) against
  Imkeller–Pavlyukevich, Gaussian noise (α = 2) against Kramers' law
  :cite:`kramers1940brownian` and the exact diffusion mean first passage time.
  :func:`elasticities` turns it into matched changes: ``d log E σ / d log h``
  against ``d log E σ / d log a``.

Every point (one α, ε, d, or one well and one noise) draws from its own
stream and is cached as a unit (:mod:`sgnlib.studies._exit_runs`).
"""

from __future__ import annotations

import itertools
import math
from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import sde, stats, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies._exit_runs import check_n_paths, float_list, mean_columns, simulate_point, z_value

__all__ = ["mean_exit_times", "eps_exponents", "double_well_escape", "elasticities"]

BOX_STUDY = "ch06-basin-escape-box"
WELL_STUDY = "ch06-basin-escape-double-well"


def mean_exit_times(alphas: Sequence[float], eps_values: Sequence[float], half_widths: Sequence[float] = (1.0,), *,
                    n_paths: int, dt: float, seed: int, level: float = 0.95, device: str = "cpu",
                    cache: bool = True) -> pd.DataFrame:
    """Mean first exit time from ``(-d, d)`` of eq. 3 in ``U = w²/2``, one row per (α, ε, d).

    Columns: ``alpha, eps, half_width, n_paths, mean, se, ci_low, ci_high``
    (standard error and ``level`` normal interval of the mean, every path runs to its exit),
    ``censored_share`` (0), ``theory`` (derived Cor 4.2 = Imkeller–Pavlyukevich,
    ``α d^α / (2 c_α ε^α)``) and ``ratio = mean / theory``.
    """
    a_v = float_list(alphas, "alphas", check_alpha)
    e_v = float_list(eps_values, "eps_values", check_positive)
    d_v = float_list(half_widths, "half_widths", check_positive)
    n = check_n_paths(n_paths)
    dt = float(check_positive(dt, "dt"))
    z_value(level)  # checks the level before simulating
    quad = sde.quadratic([1.0])
    rows = []
    for a, e, d in itertools.product(a_v, e_v, d_v):
        settings = dict(alpha=a, eps=e, half_width=d, dt=dt, n_paths=n)
        unit = simulate_point(BOX_STUDY, seed, settings, lambda gen, a=a, e=e, d=d: sde.simulate(
            quad, [0.0], alpha=a, eps=e, dt=dt, horizon=1e6, n_paths=n, domain=sde.Box([-d], [d]),
            generator=gen, device=device), device=device, cache=cache)
        th = float(theory.mean_exit_time(a, e, -d, d))
        rows.append({"alpha": a, "eps": e, "half_width": d, "n_paths": n, **mean_columns(unit, level),
                     "theory": th})
    df = pd.DataFrame(rows)
    df["ratio"] = df["mean"] / df["theory"]
    return df


def eps_exponents(table: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """The fitted exponent ``d log E σ / d log ε`` per (α, d) of a :func:`mean_exit_times` table (Cor 4.2: ``-α``).

    Least squares on the log–log points (:func:`sgnlib.stats.linear_fit`). Columns:
    ``alpha, half_width, points, eps_min, eps_max, slope, low, high`` (the
    ``level`` interval; NaN with fewer than 3 values of ε), ``target = -alpha``
    and ``target_inside``.
    """
    need = {"alpha", "eps", "half_width", "mean"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"table must be a mean_exit_times table with columns {sorted(need)}")
    rows = []
    for (a, d), g in table.groupby(["alpha", "half_width"], sort=True):
        x, y = np.log(g["eps"].to_numpy()), np.log(g["mean"].to_numpy())
        if np.unique(x).size < 2:
            continue
        if x.size >= 3:
            fit = stats.linear_fit(x, y, level)
            slope, lo, hi = fit.slope, fit.slope_lo, fit.slope_hi
        else:
            slope, lo, hi = float(np.polyfit(x, y, 1)[0]), float("nan"), float("nan")
        rows.append({"alpha": a, "half_width": d, "points": int(x.size), "eps_min": float(g["eps"].min()),
                     "eps_max": float(g["eps"].max()), "slope": slope, "low": lo, "high": hi, "target": -a,
                     "target_inside": bool(lo <= -a <= hi)})
    return pd.DataFrame(rows)


def double_well_escape(depths: Sequence[float], half_widths: Sequence[float], *, alpha: float, eps: float,
                       diffusion: float, n_paths: int, dt: float, seed: int, ref_depth: float = 0.5,
                       ref_half_width: float = 1.0, level: float = 0.95, device: str = "cpu",
                       cache: bool = True) -> pd.DataFrame:
    """First passage from ``-a`` to ``a/2`` in ``U = h((w/a)² - 1)²``, heavy-tailed and Gaussian noise.

    The wells are ``(h, ref_half_width)`` for each depth ``h`` and
    ``(ref_depth, a)`` for each half-width ``a`` (a pair is not repeated). Two
    rows per well: ``noise = "stable"`` (α = ``alpha``, ε = ``eps``; theory:
    Imkeller–Pavlyukevich with the barrier at distance ``a``) and
    ``noise = "gaussian"`` (α = 2, ε = √``diffusion``, so ``D = ε²``; theory:
    the exact mean first passage time of the diffusion, ``kramers``: eq. of
    Kramers' law). Columns: ``depth, half_width, noise, alpha, eps, n_paths,
    mean, ci_low, ci_high, censored_share, theory, kramers`` (NaN for the stable
    rows) and ``ratio = mean / theory``.
    """
    h_v = float_list(depths, "depths", check_positive)
    a_v = float_list(half_widths, "half_widths", check_positive)
    al = float(check_alpha(alpha, "alpha", high=2.0 - 1e-9))
    eps = float(check_positive(eps, "eps"))
    D = float(check_positive(diffusion, "diffusion"))
    n = check_n_paths(n_paths)
    dt = float(check_positive(dt, "dt"))
    h0 = float(check_positive(ref_depth, "ref_depth"))
    a0 = float(check_positive(ref_half_width, "ref_half_width"))
    z_value(level)  # checks the level before simulating
    wells = sorted({(h, a0) for h in h_v} | {(h0, a) for a in a_v})
    rows = []
    for h, a in wells:
        pot = sde.double_well(h, a)
        dom = sde.Box([-np.inf], [a / 2])
        for noise, an, en in (("stable", al, eps), ("gaussian", 2.0, math.sqrt(D))):
            settings = dict(depth=h, half_width=a, noise=noise, alpha=an, eps=en, dt=dt, n_paths=n)
            unit = simulate_point(WELL_STUDY, seed, settings, lambda gen, an=an, en=en, pot=pot, dom=dom, a=a: sde.simulate(
                pot, [-a], alpha=an, eps=en, dt=dt, horizon=1e6, n_paths=n, domain=dom, generator=gen, device=device),
                device=device, cache=cache)
            if noise == "stable":
                th, kr = float(theory.mean_exit_time(an, en, -np.inf, a)), float("nan")
            else:
                th = theory.mean_first_passage_time_diffusion(lambda x, h=h, a=a: h * ((x / a) ** 2 - 1) ** 2,
                                                               -a, a / 2, D, -3 * a)
                kr = float(theory.kramers_mean_transition_time(h, 8 * h / a ** 2, 4 * h / a ** 2, en))
            rows.append({"depth": h, "half_width": a, "noise": noise, "alpha": an, "eps": en, "n_paths": n,
                         **mean_columns(unit, level), "theory": th, "kramers": kr})
    df = pd.DataFrame(rows)
    df["ratio"] = df["mean"] / df["theory"]
    return df


def elasticities(wells: pd.DataFrame, *, ref_depth: float = 0.5, ref_half_width: float = 1.0,
                 level: float = 0.95) -> pd.DataFrame:
    """Matched changes: ``Δ log E σ / Δ log h`` (at ``a = ref_half_width``) and ``Δ log E σ / Δ log a`` (at ``h = ref_depth``).

    From a :func:`double_well_escape` table, between the smallest and the
    largest depth (width) of each noise. One row per (noise, wrt ∈ {depth,
    width}): ``x0, x1, factor = x1/x0``, ``mean0, mean1``, ``elasticity`` with
    its standard error ``se`` and ``level`` interval ``low, high`` (delta method, ``se(log m) = se/m``),
    ``theory`` (the same elasticity of the theory column) and ``kramers``.
    Rows need two distinct values of the swept quantity; otherwise they are left out.
    """
    need = {"depth", "half_width", "noise", "mean", "ci_low", "ci_high", "theory", "kramers"}
    if not isinstance(wells, pd.DataFrame) or not need <= set(wells.columns):
        raise ValueError(f"wells must be a double_well_escape table with columns {sorted(need)}")
    z = z_value(level)
    rows = []
    for noise, g in wells.groupby("noise", sort=False):
        for wrt, col, other, ref in (("depth", "depth", "half_width", ref_half_width),
                                     ("width", "half_width", "depth", ref_depth)):
            s = g[np.isclose(g[other], ref)].sort_values(col)
            if s[col].nunique() < 2:
                continue
            r0, r1 = s.iloc[0], s.iloc[-1]
            lf = math.log(r1[col] / r0[col])
            se0 = (r0["ci_high"] - r0["mean"]) / z / r0["mean"]
            se1 = (r1["ci_high"] - r1["mean"]) / z / r1["mean"]
            el = math.log(r1["mean"] / r0["mean"]) / lf
            se = math.hypot(se0, se1) / abs(lf)
            rows.append({"noise": noise, "wrt": wrt, "x0": r0[col], "x1": r1[col], "factor": r1[col] / r0[col],
                         "mean0": r0["mean"], "mean1": r1["mean"], "elasticity": el, "se": se, "low": el - z * se,
                         "high": el + z * se, "theory": math.log(r1["theory"] / r0["theory"]) / lf,
                         "kramers": math.log(r1["kramers"] / r0["kramers"]) / lf})
    return pd.DataFrame(rows, columns=["noise", "wrt", "x0", "x1", "factor", "mean0", "mean1", "elasticity",
                                       "se", "low", "high", "theory", "kramers"])
