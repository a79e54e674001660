"""Escape under the multistep scheduler: the derived first-jump law with a piecewise-constant ``s_t``.

Sec. 4 of :cite:`battash2023revisiting` says the escape time is analysed "for
the exponential scheduler and for the multi-step scheduler"; the multistep
result is not among the printed statements of Secs. 3–4. The model of eq. 3
with exits at large jumps (eq. 13) gives exits as a Poisson process of rate
``Σ_l m_lΦ_l s_t^(α_l−1)`` (:func:`sgnlib.theory.multistep_survival_probability`),
which this study sets against simulation in ``U = w²/2`` on ``(−d, d)``:

* :func:`multistep_escape` — per decay factor, the restricted mean
  ``E min(σ, T)`` against ``∫_0^T P(σ > u) du`` (exact with censoring at ``T``),
  and against the constant-schedule law for contrast;
* :func:`multistep_pit` — the exit times transformed by the law's
  distribution function conditional on ``σ ≤ T``: uniform if the law holds.

Each factor draws from its own stream and is cached as a unit
(:func:`sgnlib.studies._exit_runs.simulate_point`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import sde, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies._exit_runs import check_n_paths, float_list, simulate_point, z_value

__all__ = ["multistep_escape", "multistep_pit"]

STUDY = "ch05-multistep-escape"


def _unit(factor: float, alpha: float, eps: float, milestones: tuple, half_width: float, dt: float, horizon: float,
          n_paths: int, seed: int, device: str, cache: bool) -> dict:
    settings = dict(factor=factor, alpha=alpha, eps=eps, milestones=list(milestones), half_width=half_width, dt=dt,
                    horizon=horizon, n_paths=n_paths)

    def run(gen):
        sched = sde.constant_schedule() if factor == 1.0 else sde.multistep_schedule(milestones, factor=factor)
        return sde.simulate(sde.quadratic([1.0]), [0.0], alpha=alpha, eps=eps, dt=dt, horizon=horizon, n_paths=n_paths,
                            schedule=sched, domain=sde.Box([-half_width], [half_width]), generator=gen, device=device)

    return simulate_point(STUDY, seed, settings, run, device=device, cache=cache, allow_censored=True)


def _settings(factors, alpha, eps, milestones, half_width, dt, horizon, n_paths):
    fs = float_list(factors, "factors")
    if any(f > 1 for f in fs):
        raise ValueError(f"factors must lie in (0, 1]; got {factors!r}")
    ms = tuple(float_list(milestones, "milestones"))
    if list(ms) != sorted(ms) or ms[-1] >= float(horizon):
        raise ValueError(f"milestones must be increasing and below the horizon; got {milestones!r}")
    return (fs, float(check_alpha(alpha)), float(check_positive(eps, "eps")), ms,
            float(check_positive(half_width, "half_width")), float(check_positive(dt, "dt")),
            float(check_positive(horizon, "horizon")), check_n_paths(n_paths))


def multistep_escape(factors: Sequence[float], *, alpha: float, eps: float, milestones: Sequence[float],
                     half_width: float, dt: float, horizon: float, n_paths: int, seed: int, level: float = 0.95,
                     device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Restricted mean exit time ``E min(σ, T)`` under ``s_t = factor^#{milestones ≤ t}``, one row per factor.

    Columns: ``factor, exited, mean, se, ci_low, ci_high`` (of ``min(σ, T)``,
    normal interval at ``level``), ``theory`` (the derived law,
    :func:`sgnlib.theory.multistep_restricted_mean`), ``theory_constant``
    (the same law with ``s ≡ 1``) and ``ratio`` = mean / theory.
    """
    fs, a, e, ms, d, h, T, n = _settings(factors, alpha, eps, milestones, half_width, dt, horizon, n_paths)
    z = z_value(level)
    rows = []
    for f in fs:
        u = _unit(f, a, e, ms, d, h, T, n, seed, device, cache)
        t = np.minimum(np.asarray(u["exit_time"], dtype=float), T)
        m, se = float(t.mean()), float(t.std(ddof=1) / np.sqrt(t.size))
        th = theory.multistep_restricted_mean(T, a, e, -d, d, ms, f)
        rows.append({"factor": f, "exited": float(np.mean(u["exited"])), "mean": m, "se": se, "ci_low": m - z * se,
                     "ci_high": m + z * se, "theory": th,
                     "theory_constant": theory.multistep_restricted_mean(T, a, e, -d, d, [], 1.0), "ratio": m / th})
    return pd.DataFrame(rows)


def multistep_pit(factors: Sequence[float], *, alpha: float, eps: float, milestones: Sequence[float],
                  half_width: float, dt: float, horizon: float, n_paths: int, seed: int, device: str = "cpu",
                  cache: bool = True) -> pd.DataFrame:
    """Exit times before ``T`` transformed by the derived law, ``F(σ)/F(T)`` with ``F = 1 − P(σ > ·)``.

    Uniform on (0, 1) if the law holds (conditioning on ``σ ≤ T`` removes the
    censoring). The same cached units as :func:`multistep_escape`. Columns: ``factor, pit``.
    """
    fs, a, e, ms, d, h, T, n = _settings(factors, alpha, eps, milestones, half_width, dt, horizon, n_paths)
    frames = []
    for f in fs:
        u = _unit(f, a, e, ms, d, h, T, n, seed, device, cache)
        t = np.asarray(u["exit_time"], dtype=float)[np.asarray(u["exited"], dtype=bool)]
        cdf = lambda x: 1.0 - theory.multistep_survival_probability(x, a, e, -d, d, ms, f)  # noqa: E731
        frames.append(pd.DataFrame({"factor": f, "pit": cdf(t) / cdf(T)}))
    return pd.concat(frames, ignore_index=True)
