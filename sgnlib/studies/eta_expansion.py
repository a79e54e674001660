"""Eq. 17: the mean escape time as a function of the learning rate η, against simulation.

Eq. 17 of :cite:`battash2023revisiting` expands Cor 4.2 (eq. 16) in η. Its
constants ``C_{l,i}`` (functions of the Hessian, the gradient and the weights)
and ``C_{jλ}`` are defined only in the appendix, which our copy lacks, so the
printed expansion cannot be evaluated; its dependence on η can. With every
``α_l`` equal, the printed denominator is ``Σ_i C_{l,i} + O(η^(1+(α−1)/α))``:
the bound tends to a constant as η → 0. Eq. 16 itself, and the derived law,
give ``E σ ∝ 1/(β_S m̄ Φ/β̄) ∝ η^(−(α−1))`` (``ε = η^((α−1)/α)``).

* :func:`mean_exit_vs_eta` — the 2-D mean exit time (SDE time) per η, equal α
  on both axes, ``U = |w|²/2`` on ``(−d, d)²``;
* :func:`eta_exponent_verdict` — its log–log slope in η against ``−(α−1)``.

Each η draws from its own stream and is cached as a unit.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import report, sde, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies._exit_runs import check_n_paths, float_list, mean_columns, simulate_point

__all__ = ["mean_exit_vs_eta", "eta_exponent_verdict", "printed_eta_exponent"]

STUDY = "ch05-eta-expansion"


def printed_eta_exponent(alpha: float) -> float:
    """Leading exponent of η in eq. 17 with all α equal: 0 (the denominator tends to ``Σ_i C_{l,i}``)."""
    check_alpha(alpha)
    return 0.0


def mean_exit_vs_eta(etas: Sequence[float], *, alpha: float, n_paths: int, dt: float, seed: int,
                     half_width: float = 1.0, horizon_means: float = 6.0, level: float = 0.95, device: str = "cpu",
                     cache: bool = True) -> pd.DataFrame:
    """Mean first exit time from ``(−d, d)²`` with ``α_1 = α_2 = α``, ``ε = η^((α−1)/α)``, one row per η.

    Columns: ``eta, eps, n_paths, mean, se, ci_low, ci_high, censored_share``
    (censored paths: the exponential-law MLE) and ``derived``
    (:func:`sgnlib.theory.mean_exit_time`, ∝ ``η^(−(α−1))``).
    """
    a = float(check_alpha(alpha))
    if a >= 2:
        raise ValueError(f"alpha must be < 2 (no large jumps at 2); got {alpha!r}")
    e_v = float_list(etas, "etas")
    n, h, d = check_n_paths(n_paths), float(check_positive(dt, "dt")), float(check_positive(half_width, "half_width"))
    hm = float(check_positive(horizon_means, "horizon_means"))
    box = [[-d, -d], [d, d]]
    rows = []
    for eta in e_v:
        eps = float(theory.noise_epsilon(eta, a))
        derived = float(theory.mean_exit_time([a, a], [eps, eps], *box))
        settings = dict(alpha=a, eta=eta, half_width=d, dt=h, n_paths=n, horizon_means=hm)
        unit = simulate_point(STUDY, seed, settings, lambda gen, eps=eps, derived=derived: sde.simulate(
            sde.quadratic([1.0, 1.0]), [0.0, 0.0], alpha=a, eps=eps, dt=h, horizon=hm * derived, n_paths=n,
            domain=sde.Box(*box), generator=gen, device=device), device=device, cache=cache, allow_censored=True)
        rows.append({"eta": eta, "eps": eps, "n_paths": n, **mean_columns(unit, level), "derived": derived})
    return pd.DataFrame(rows)


def eta_exponent_verdict(table: pd.DataFrame, alpha: float, *, level: float = 0.95) -> report.Verdict:
    """:func:`sgnlib.report.slope_matches` of ``log mean`` on ``log η`` against the derived exponent ``−(α−1)``."""
    if not {"eta", "mean"} <= set(table.columns):
        raise ValueError("table must come from mean_exit_vs_eta (columns eta, mean)")
    a = float(check_alpha(alpha))
    return report.slope_matches(np.log(table["eta"]), np.log(table["mean"]), -(a - 1.0), level=level,
                                what="exponent of η in the mean exit time")
