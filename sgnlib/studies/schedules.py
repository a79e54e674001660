"""Escape under the exponential scheduler ``s_t = t^(γ-1)`` (Thm 4.1 of :cite:`battash2023revisiting`).

Eq. 3 in ``U = w²/2`` on ``(-d, d)``. The derived first-jump law gives a
Weibull exit time, ``E σ = (γ_l/(mΦ))^(1/γ_l) Γ(1 + 1/γ_l)`` with
``γ_l = 1 + (γ-1)(α-1)`` (:func:`sgnlib.theory.mean_exit_time`). ε is chosen
per α so that the predicted mean at γ = 1 is ``target_mean``
(:func:`sgnlib.theory.eps_for_mean_exit_time`). The simulator holds ``s_t``
at 1 for ``t < 1`` (:func:`sgnlib.sde.exponential_schedule`).
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from sgnlib import sde, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies._exit_runs import check_n_paths, float_list, mean_columns, simulate_point

__all__ = ["exponential_schedule_escape", "exponential_schedule_law", "exponential_schedule_theory"]

STUDY = "ch06-schedules-exponential"


def _gammas(x, name):
    if ((x <= 0) | (x > 1)).any():
        raise ValueError(f"{name} must lie in (0, 1]; got {x.tolist()!r}")


def exponential_schedule_theory(alphas: Sequence[float], gammas: Sequence[float], *, target_mean: float,
                                half_width: float = 1.0) -> pd.DataFrame:
    """The derived mean exit time under ``s_t = t^(γ-1)``, one row per (α, γ).

    Columns: ``alpha, gamma, eps`` (giving ``target_mean`` at γ = 1),
    ``theory`` (eq. of the Weibull mean) and ``relative = theory / target_mean``.
    """
    a_v = float_list(alphas, "alphas", check_alpha)
    g_v = float_list(gammas, "gammas", _gammas)
    tm = float(check_positive(target_mean, "target_mean"))
    d = float(check_positive(half_width, "half_width"))
    rows = []
    for a in a_v:
        e = theory.eps_for_mean_exit_time(tm, a, -d, d)
        for g in g_v:
            th = float(theory.mean_exit_time(a, e, -d, d, gamma=g))
            rows.append({"alpha": a, "gamma": g, "eps": e, "theory": th, "relative": th / tm})
    return pd.DataFrame(rows)


def _points(alphas, gammas, target_mean, n_paths, dt, seed, horizon_means, half_width, small_noise_eps, device, cache):
    """``(theory row, small_noise, unit)`` per (α, γ): the simulated points shared by the studies below."""
    n = check_n_paths(n_paths)
    dt = float(check_positive(dt, "dt"))
    hm = float(check_positive(horizon_means, "horizon_means"))
    th = exponential_schedule_theory(alphas, gammas, target_mean=target_mean, half_width=half_width)
    d = float(half_width)
    quad = sde.quadratic([1.0])
    for row in th.itertuples(index=False):
        a, g, e, t_m = row.alpha, row.gamma, row.eps, row.theory
        settings = dict(alpha=a, gamma=g, target_mean=float(target_mean), half_width=d, dt=dt, n_paths=n,
                        horizon_means=hm)
        unit = simulate_point(STUDY, seed, settings, lambda gen, a=a, g=g, e=e, t_m=t_m: sde.simulate(
            quad, [0.0], alpha=a, eps=e, dt=dt, horizon=hm * t_m, n_paths=n, domain=sde.Box([-d], [d]),
            schedule=sde.exponential_schedule(g), generator=gen, device=device),
            device=device, cache=cache, allow_censored=True)
        yield row, bool(e <= small_noise_eps), unit


def exponential_schedule_escape(alphas: Sequence[float], gammas: Sequence[float], *, target_mean: float,
                                n_paths: int, dt: float, seed: int, horizon_means: float = 30.0,
                                half_width: float = 1.0, small_noise_eps: float = 0.1, level: float = 0.95,
                                device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Simulated mean exit time under ``s_t = t^(γ-1)`` against the Weibull mean, one row per (α, γ).

    Paths run to ``horizon_means`` predicted means. Columns: ``alpha, gamma,
    eps, small_noise`` (ε ≤ ``small_noise_eps``: the regime of the first-jump
    law), ``n_paths, mean, se, ci_low, ci_high`` (``level`` normal interval; with
    censored paths the mean is the exponential-law MLE of
    :func:`sgnlib.sde.empirical_mean_exit_time`), ``censored_share``,
    ``theory``, ``relative`` (``mean / target_mean``), ``rel_low, rel_high``,
    ``theory_relative`` and ``ratio = mean / theory``.
    """
    rows = [{"alpha": r.alpha, "gamma": r.gamma, "eps": r.eps, "small_noise": small, "n_paths": unit["exit_time"].size,
             **mean_columns(unit, level), "theory": r.theory}
            for r, small, unit in _points(alphas, gammas, target_mean, n_paths, dt, seed, horizon_means, half_width,
                                          small_noise_eps, device, cache)]
    df = pd.DataFrame(rows)
    tm = float(target_mean)
    for col, src in (("relative", "mean"), ("rel_low", "ci_low"), ("rel_high", "ci_high"), ("theory_relative", "theory")):
        df[col] = df[src] / tm
    df["ratio"] = df["mean"] / df["theory"]
    return df


def exponential_schedule_law(alphas: Sequence[float], gammas: Sequence[float], *, target_mean: float,
                             n_paths: int, dt: float, seed: int, horizon_means: float = 30.0,
                             half_width: float = 1.0, small_noise_eps: float = 0.1, device: str = "cpu",
                             cache: bool = True) -> pd.DataFrame:
    """The whole law of the exit time under ``s_t = t^(γ-1)`` (Thm 4.5 derived), by the probability integral transform.

    Same points (and streams) as :func:`exponential_schedule_escape`. One row
    per path: ``alpha, gamma, eps, small_noise, exit_time, exited`` and
    ``pit = 1 - P(σ > exit_time)`` under the derived Weibull law
    (:func:`sgnlib.theory.survival_probability` with ``gamma``). If the law
    holds, ``pit`` is uniform on (0, 1) at every point, so the values of
    several points can be pooled into one test. The simulator holds ``s_t``
    at 1 for ``t < 1`` where the law integrates ``t^((γ-1)(α-1))`` from 0: a
    difference of ``mΦ((1+(γ-1)(α-1))^(-1) - 1)`` in the cumulative hazard,
    small when ``mΦ`` is. Censored paths (at the horizon) keep the horizon.
    """
    d = float(half_width)
    parts = []
    for r, small, unit in _points(alphas, gammas, target_mean, n_paths, dt, seed, horizon_means, half_width,
                                  small_noise_eps, device, cache):
        t = unit["exit_time"]
        parts.append(pd.DataFrame({
            "alpha": r.alpha, "gamma": r.gamma, "eps": r.eps, "small_noise": small, "exit_time": t,
            "exited": unit["exited"],
            "pit": 1.0 - theory.survival_probability(t, r.alpha, r.eps, -d, d, gamma=r.gamma)}))
    return pd.concat(parts, ignore_index=True)
