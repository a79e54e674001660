"""Exit direction and the law of the exit time in a 2-D basin (Thm 4.3, Cor 4.4, eqs. 19–20, Cor 4.6).

Eq. 3 in ``U = |w|²/2`` on ``G = (-d, d)²`` with a common learning rate η,
``α_1 = α_2 - Δ`` and ``ε_l = η^((α_l-1)/α_l)`` (:cite:`battash2023revisiting`,
Sec. 4). One simulated point per Δ, from its own stream, cached as a unit:

* :func:`exit_directions` — the share of exits through axis 1 (Wilson
  interval) against the derived eq. 19–21 and the printed eq. 20, and the
  mean exit time against the derived Cor 4.2 and the printed one;
* :func:`exit_time_law` — the exit time against the derived exponential law
  (Cor 4.6 corrected): KS p-value and ``P(σ > mean)``;
* :func:`survival_table` — empirical survival curves with the derived law
  and the printed Cor 4.6 bound at the same times.

These are small-noise results: the column ``small_noise`` marks the Δ whose
largest ``ε_l`` is at most ``small_noise_eps``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _sp

from sgnlib import sde, stats, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies._exit_runs import check_n_paths, float_list, mean_columns, simulate_point

__all__ = ["exit_directions", "exit_time_law", "survival_table"]

STUDY = "ch06-exit-direction"


def _setup(delta: float, alpha2: float, eta: float) -> tuple[list[float], np.ndarray]:
    al = [float(alpha2) - float(delta), float(alpha2)]
    check_alpha(al, "alpha2 - delta")
    return al, np.asarray(theory.noise_epsilon(eta, al), dtype=float)


def _units(deltas, alpha2, eta, n_paths, dt, half_width, seed, device, cache):
    dl = float_list(deltas, "deltas", lambda x, name: check_positive(x, name, allow_zero=True))
    check_alpha(alpha2, "alpha2")
    eta = float(check_positive(eta, "eta"))
    n = check_n_paths(n_paths)
    dt = float(check_positive(dt, "dt"))
    d = float(check_positive(half_width, "half_width"))
    quad = sde.quadratic([1.0, 1.0])
    out = {}
    for dlt in dl:
        al, _ = _setup(dlt, alpha2, eta)
        settings = dict(delta=dlt, alpha2=float(alpha2), eta=eta, half_width=d, dt=dt, n_paths=n)
        out[dlt] = simulate_point(STUDY, seed, settings, lambda gen, al=al: sde.simulate(
            quad, [0.0, 0.0], alpha=al, eta=eta, dt=dt, horizon=1e6, n_paths=n, domain=sde.Box([-d, -d], [d, d]),
            generator=gen, device=device), device=device, cache=cache)
    return out


def _printed_sigma(al) -> np.ndarray:
    """Noise scale that describes the simulated process with the paper's Lévy measure (c = 1)."""
    a = np.asarray(al, dtype=float)
    return theory.levy_constant(a) ** (1.0 / a)


def exit_directions(deltas: Sequence[float], *, alpha2: float, eta: float, n_paths: int, dt: float, seed: int,
                    half_width: float = 1.0, rho: float = 0.5, small_noise_eps: float = 0.1, level: float = 0.95,
                    device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Exit axis and mean exit time per Δ. One row per Δ.

    Columns: ``delta, alpha1, alpha2, eps1, eps2, small_noise`` (max ε ≤
    ``small_noise_eps``), ``n_paths, n_axis1, p_axis1, p_low, p_high`` (Wilson
    interval at ``level``), ``p_derived`` (eq. 19–21 derived: ``P(axis 1)``),
    ``p_printed`` (eq. 20 as printed with ``ρ`` and ``ε = η^((α_ν-1)/α_ν)``,
    α_ν the mean α, as ``r/(1+r)``), ``mean, se, ci_low, ci_high, censored_share, mean_derived``
    (Cor 4.2 derived) and ``mean_printed`` (Cor 4.2 as printed, paper
    constants with the simulated noise scale).
    """
    units = _units(deltas, alpha2, eta, n_paths, dt, half_width, seed, device, cache)
    d = float(half_width)
    rows = []
    for dlt, u in units.items():
        al, eps = _setup(dlt, alpha2, eta)
        n = int(u["exit_axis"].size)
        k = int((u["exit_axis"] == 0).sum())
        lo, hi = stats.binomial_interval(k, n, level)
        sig_p = _printed_sigma(al)
        rp = float(theory.exit_direction_ratio_as_printed(al[0], al[1], theory.noise_epsilon(eta, float(np.mean(al))),
                                                          rho, d, d, sigma_l=sig_p[0], sigma_j=sig_p[1]))
        rows.append({
            "delta": dlt, "alpha1": al[0], "alpha2": al[1], "eps1": float(eps[0]), "eps2": float(eps[1]),
            "small_noise": bool(eps.max() <= small_noise_eps), "n_paths": n, "n_axis1": k, "p_axis1": k / n,
            "p_low": float(lo), "p_high": float(hi),
            "p_derived": float(theory.exit_direction_probabilities(al, eps, [-d, -d], [d, d])[0].sum()),
            "p_printed": rp / (1.0 + rp), **mean_columns(u, level),
            "mean_derived": float(theory.mean_exit_time(al, eps, [-d, -d], [d, d])),
            "mean_printed": float(theory.mean_transition_time_cor42_as_printed(al, eps, rho, [-d, -d], [d, d],
                                                                               sigma=sig_p)),
        })
    return pd.DataFrame(rows)


def exit_time_law(deltas: Sequence[float], *, alpha2: float, eta: float, n_paths: int, dt: float, seed: int,
                  half_width: float = 1.0, small_noise_eps: float = 0.1, device: str = "cpu",
                  cache: bool = True) -> pd.DataFrame:
    """The exit time against the derived exponential law ``P(σ > u) = e^(-u Σ m_lΦ_l)`` (Cor 4.6 corrected), per Δ.

    Same points (and streams) as :func:`exit_directions`. Columns: ``delta,
    eps1, eps2, small_noise, n_paths, mean, mean_derived, ks_stat, ks_pvalue``
    (one-sample KS against the exponential law with the derived mean, no
    parameter fitted) and ``p_above_mean`` (simulated ``P(σ > mean)``;
    exponential: ``e^-1``).
    """
    units = _units(deltas, alpha2, eta, n_paths, dt, half_width, seed, device, cache)
    d = float(half_width)
    rows = []
    for dlt, u in units.items():
        al, eps = _setup(dlt, alpha2, eta)
        t = u["exit_time"]
        md = float(theory.mean_exit_time(al, eps, [-d, -d], [d, d]))
        ks = _sp.kstest(t, "expon", args=(0.0, md))
        rows.append({"delta": dlt, "eps1": float(eps[0]), "eps2": float(eps[1]),
                     "small_noise": bool(eps.max() <= small_noise_eps), "n_paths": int(t.size),
                     "mean": float(t.mean()), "mean_derived": md, "ks_stat": float(ks.statistic),
                     "ks_pvalue": float(ks.pvalue), "p_above_mean": float(np.mean(t > t.mean()))})
    return pd.DataFrame(rows)


def survival_table(deltas: Sequence[float], *, alpha2: float, eta: float, n_paths: int, dt: float, seed: int,
                   half_width: float = 1.0, rho: float = 0.5, device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Empirical survival of the exit time with the derived law and the printed Cor 4.6 at the same times.

    Same points (and streams) as :func:`exit_directions`. One row per path and
    Δ, sorted by time: ``delta, time, survival`` (empirical ``P(σ > time)``),
    ``derived`` (``e^(-time Σ m_lΦ_l)``) and ``printed`` (Cor 4.6 as printed,
    paper constants with the simulated noise scale; a bound, not capped).
    """
    units = _units(deltas, alpha2, eta, n_paths, dt, half_width, seed, device, cache)
    d = float(half_width)
    parts = []
    for dlt, u in units.items():
        al, eps = _setup(dlt, alpha2, eta)
        t, surv = stats.empirical_survival(u["exit_time"])
        parts.append(pd.DataFrame({
            "delta": dlt, "time": t, "survival": surv,
            "derived": theory.survival_probability(t, al, eps, [-d, -d], [d, d]),
            "printed": theory.survival_cor46_as_printed(t, al, eps, rho, [-d, -d], [d, d], sigma=_printed_sigma(al)),
        }))
    return pd.concat(parts, ignore_index=True)

