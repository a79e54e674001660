"""Large jumps as the exit mechanism: exits per large jump (eq. 13) and the jump rate under a schedule (eqs. 12, 15).

Studies behind chapter 05 (:cite:`battash2023revisiting`, Sec. 3.2):

* :func:`exit_per_jump` — in ``U = w²/2`` on ``(−d, d)``, the share of the
  large jumps (``|ΔL| > O``) at which the path leaves the interval, against
  eq. 13 (:func:`sgnlib.theory.first_jump_exit_probability`), for a constant
  schedule factor ``s``; also the left side of eq. 13 as printed (jump scaled
  by ``s`` instead of ``s^((α−1)/α)``) and the share of exits that happen at
  a large jump (the premise of Sec. 4).
* :func:`jumps_under_schedule` — the rate of large jumps in time windows under
  ``s_t = t^(γ−1)``; :func:`schedule_exponent_verdict` tests its log-slope in
  ``s_t`` against eq. 12's ``ρ(α−1)`` (eq. 15 prints ``ρα``).

Each simulated point draws from its own stream
``streams.torch_generator(seed, study, **settings)`` and is cached as a unit.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import report, sde, stats, streams, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.cache import UnitCache
from sgnlib.studies.levy_jumps import _positive_int as _count, _rho

__all__ = ["euler_exit_per_jump", "exit_per_jump", "jumps_under_schedule", "schedule_exponent_verdict"]

#: Bump when the simulation behind a cached unit changes.
VERSION = "ch05-jump-exits-2"  # 2: issue-11 simulator (live-path draws, numpy stream)
EXIT_STUDY = "ch05-exit-per-jump"
SCHED_STUDY = "ch05-jumps-under-schedule"


def _cached(study: str, settings: dict, seed: int, device: str, cache: bool, compute) -> dict:
    if not cache:
        return compute()
    key = {"study": study, "seed": int(seed), "device": str(device), "version": VERSION, **settings}
    return UnitCache(study).get_or_compute(key, compute)


def euler_exit_per_jump(alpha: float, eps: float, rho: float, half_width: float, dt: float, s: float = 1.0):
    """Eq. 13 for the Euler scheme: ``P(|X| > d/(ε̄ dt^(1/α)) | |X| > O dt^(−1/α))``, X standard SαS, from 0.

    One increment ``ε̄ dt^(1/α) X`` per step; it tends to eq. 13 as ``dt → 0``.
    """
    from sgnlib import stable

    a = float(check_alpha(alpha))
    h = float(check_positive(dt, "dt"))
    eb = float(theory.effective_epsilon(eps, a, s))
    o = float(theory.jump_threshold(eps, a, _rho(rho), s))
    d = float(check_positive(half_width, "half_width"))
    tail = lambda x: 1.0 - stable.cdf(x, a)  # noqa: E731
    return float(tail(max(d / eb, o) * h ** (-1.0 / a)) / tail(o * h ** (-1.0 / a)))


def exit_per_jump(s_values: Sequence[float], *, alpha: float, eps: float, rho: float, half_width: float, dt: float,
                  horizon: float, n_paths: int, seed: int, level: float = 0.95, device: str = "cpu",
                  cache: bool = True) -> pd.DataFrame:
    """Share of the large jumps at which ``U = w²/2`` leaves ``(−d, d)``, one row per schedule factor ``s``.

    The schedule is ``s_t = s`` from the first step on (a multistep schedule
    with its one milestone at ``dt/2``). Each large jump is one Bernoulli
    trial of eq. 13 (censored paths' jumps count too). Columns: ``s, eps_bar,
    jumps, exits_at_jump, exits_between, share, ci_low, ci_high`` (Wilson),
    ``p_eq13`` (:func:`sgnlib.theory.first_jump_exit_probability`),
    ``p_euler`` (:func:`euler_exit_per_jump`), ``p_lhs_printed`` (the left
    side of eq. 13 as printed) and ``exits_at_jump_share`` (exits at a large
    jump / all exits).
    """
    a, e, r_ = float(check_alpha(alpha)), float(check_positive(eps, "eps")), _rho(rho)
    d, h = float(check_positive(half_width, "half_width")), float(check_positive(dt, "dt"))
    T, n = float(check_positive(horizon, "horizon")), _count(n_paths, "n_paths")
    rows = []
    for s in [float(x) for x in np.atleast_1d(check_positive(np.asarray(s_values, dtype=float), "s_values"))]:
        if s > 1:
            raise ValueError(f"s_values must lie in (0, 1]; got {s!r}")
        settings = dict(alpha=a, eps=e, rho=r_, half_width=d, dt=h, horizon=T, n_paths=n, s=s)

        def compute(settings=settings, s=s) -> dict[str, np.ndarray]:
            gen = streams.torch_generator(seed, EXIT_STUDY, device=device, **settings)
            sched = sde.constant_schedule() if s == 1.0 else sde.multistep_schedule([h / 2], factor=s)
            res = sde.simulate(sde.quadratic([1.0]), [0.0], alpha=a, eps=e, rho=r_, dt=h, horizon=T, n_paths=n,
                               schedule=sched, domain=sde.Box([-d], [d]), record_jumps=True, generator=gen,
                               device=device)
            ex = res.exited.cpu().numpy()
            jt, jp = res.jumps["time"].double().cpu().numpy(), res.jumps["path"].cpu().numpy()
            et = res.exit_time.double().cpu().numpy()
            at_jump = np.zeros(n, dtype=bool)
            at_jump[jp[ex[jp] & (np.abs(jt - et[jp]) < h / 2)]] = True
            return {"jumps": np.asarray(jt.size), "exits": np.asarray(int(ex.sum())),
                    "at_jump": np.asarray(int(at_jump.sum()))}

        u = _cached(EXIT_STUDY, settings, seed, device, cache, compute)
        k, m, ex = int(u["at_jump"]), int(u["jumps"]), int(u["exits"])
        lo, hi = stats.binomial_interval(k, max(m, 1), level)
        rows.append({"s": s, "eps_bar": float(theory.effective_epsilon(e, a, s)), "jumps": m, "exits_at_jump": k,
                     "exits_between": ex - k, "share": k / m if m else float("nan"), "ci_low": float(lo),
                     "ci_high": float(hi),
                     "p_eq13": float(theory.first_jump_exit_probability(a, e, r_, -d, d, s=s)),
                     "p_euler": euler_exit_per_jump(a, e, r_, d, h, s),
                     "p_lhs_printed": float(theory.first_jump_exit_probability_lhs_as_printed(a, e, r_, -d, d, s=s)),
                     "exits_at_jump_share": k / ex if ex else float("nan")})
    return pd.DataFrame(rows)


def jumps_under_schedule(*, alpha: float, eps: float, rho: float, gamma: float, dt: float, horizon: float,
                         n_paths: int, n_bins: int, seed: int, t0: float = 1.0, device: str = "cpu",
                         cache: bool = True) -> pd.DataFrame:
    """Rate of large jumps of eq. 3 under ``s_t = max(t, t0)^(γ−1)``, in ``n_bins`` log-spaced windows of ``[t0, T]``.

    The threshold follows the schedule, ``O(t) = ε̄(t)^(−ρ)`` (Sec. 3.2).
    Columns: ``t_lo, t_hi, s_mid`` (``s`` at the geometric mid-time),
    ``jumps, rate, se`` (Poisson), ``rate_eq12`` (eq. 12 with ``c_α`` at
    ``s_mid``) and ``rate_printed`` (rate ∝ ``s^(ρα)`` as eq. 15 prints,
    equal to ``rate_eq12`` at ``s = 1``).
    """
    a, e, r_ = float(check_alpha(alpha)), float(check_positive(eps, "eps")), _rho(rho)
    g = float(gamma)
    if not 0.0 < g < 1.0:
        raise ValueError(f"gamma must lie in (0, 1) (a decaying schedule); got {gamma!r}")
    h, T, t0_ = float(check_positive(dt, "dt")), float(check_positive(horizon, "horizon")), float(check_positive(t0, "t0"))
    if T <= 2 * t0_:
        raise ValueError(f"horizon must exceed 2 t0 = {2 * t0_:g}; got {horizon!r}")
    n, nb = _count(n_paths, "n_paths"), _count(n_bins, "n_bins")
    settings = dict(alpha=a, eps=e, rho=r_, gamma=g, dt=h, horizon=T, n_paths=n, t0=t0_)

    def compute() -> dict[str, np.ndarray]:
        gen = streams.torch_generator(seed, SCHED_STUDY, device=device, **settings)
        res = sde.simulate(sde.quadratic([1.0]), [0.0], alpha=a, eps=e, rho=r_, dt=h, horizon=T, n_paths=n,
                           schedule=sde.exponential_schedule(g, t0=t0_), record_jumps=True, generator=gen,
                           device=device)
        return {"time": res.jumps["time"].double().cpu().numpy()}

    t = _cached(SCHED_STUDY, settings, seed, device, cache, compute)["time"]
    edges = np.geomspace(t0_, T, nb + 1)
    counts = np.histogram(t, bins=edges)[0]
    width = np.diff(edges) * n
    mid = np.sqrt(edges[:-1] * edges[1:])
    s_mid = mid ** (g - 1.0)
    k_der, k_pr = theory.eq15_schedule_exponent(a, r_)
    beta1 = float(theory.jump_intensity(a, e, r_, c=theory.levy_constant(a)))
    return pd.DataFrame({"t_lo": edges[:-1], "t_hi": edges[1:], "s_mid": s_mid, "jumps": counts,
                         "rate": counts / width, "se": np.sqrt(np.maximum(counts, 1)) / width,
                         "rate_eq12": np.asarray(theory.jump_intensity(a, e, r_, s=s_mid, c=theory.levy_constant(a))),
                         "rate_printed": beta1 * s_mid ** k_pr})


def schedule_exponent_verdict(table: pd.DataFrame, alpha: float, rho: float, *, level: float = 0.95):
    """The log–log slope of the jump rate against ``s_t`` (:func:`jumps_under_schedule`) against ``ρ(α−1)`` (eq. 12).

    Windows without jumps are left out. Returns ``(verdict, printed_exponent)``;
    the verdict is :func:`sgnlib.report.slope_matches` on the derived exponent.
    """
    if not {"s_mid", "rate"} <= set(table.columns):
        raise ValueError("table must come from jumps_under_schedule (columns s_mid, rate)")
    seen = table[table["rate"] > 0]
    k_der, k_pr = theory.eq15_schedule_exponent(alpha, rho)
    v = report.slope_matches(np.log(seen["s_mid"]), np.log(seen["rate"]), float(k_der), level=level,
                             what="exponent of s_t in the jump rate")
    return v, float(k_pr)
