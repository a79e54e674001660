"""Thm 4.1 as printed, for a decaying schedule (γ < 1) in two dimensions, against simulation.

Chapter 06 compares the printed Cor 4.2 (γ = 1) with the simulated 2-D mean
exit time; here the printed Thm 4.1 of :cite:`battash2023revisiting`
(:func:`sgnlib.theory.mean_transition_time_thm41_as_printed`, evaluated with
the noise scale that describes the simulated standard SαS process in the
paper's convention) meets simulations of eq. 3 in ``U = |w|²/2`` on
``(−d, d)²`` with ``α_1 < α_2``, ``ε_l = η^((α_l−1)/α_l)`` and
``s_t = t^(γ−1)`` (held at 1 for ``t < 1`` by the simulator), next to the
derived Weibull mean (:func:`sgnlib.theory.mean_exit_time`).

* :func:`thm41_two_axes` — one row per γ;
* :func:`upper_bound_verdict` — is a printed upper bound below the simulated
  mean by more than its interval allows?

Each γ draws from its own stream and is cached as a unit.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import report, sde, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies._exit_runs import check_n_paths, float_list, mean_columns, simulate_point, z_value
from sgnlib.studies.exit_direction import _printed_sigma

__all__ = ["thm41_two_axes", "upper_bound_verdict"]

STUDY = "ch05-thm41-printed-2d"


def _gammas(x, name):
    if ((x <= 0) | (x > 1)).any():
        raise ValueError(f"{name} must lie in (0, 1]; got {x.tolist()!r}")


def thm41_two_axes(gammas: Sequence[float], *, alpha1: float, alpha2: float, eta: float, rho: float,
                   n_paths: int, dt: float, seed: int, half_width: float = 1.0, horizon_means: float = 15.0,
                   level: float = 0.95, device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Simulated 2-D mean exit time under ``s_t = t^(γ−1)`` against Thm 4.1 as printed and as derived.

    Columns: ``gamma, eps1, eps2, n_paths, mean, se, ci_low, ci_high,
    censored_share`` (with censored paths the mean is the exponential-law MLE
    of :func:`sgnlib.sde.empirical_mean_exit_time`), ``derived`` (Weibull
    mean), ``printed`` (Thm 4.1 as printed), ``printed_ratio`` = printed / mean
    and ``ratio`` = mean / derived.
    """
    al = np.array([float(check_alpha(alpha1)), float(check_alpha(alpha2))])
    e = float(check_positive(eta, "eta"))
    eps = np.asarray(theory.noise_epsilon(e, al), dtype=float)
    g_v = float_list(gammas, "gammas", _gammas)
    n, h, d = check_n_paths(n_paths), float(check_positive(dt, "dt")), float(check_positive(half_width, "half_width"))
    hm = float(check_positive(horizon_means, "horizon_means"))
    box = [[-d, -d], [d, d]]
    rows = []
    for g in g_v:
        derived = float(theory.mean_exit_time(al, eps, *box, gamma=g))
        settings = dict(alpha1=al[0], alpha2=al[1], eta=e, gamma=g, half_width=d, dt=h, n_paths=n, horizon_means=hm)
        unit = simulate_point(STUDY, seed, settings, lambda gen, g=g, derived=derived: sde.simulate(
            sde.quadratic([1.0, 1.0]), [0.0, 0.0], alpha=al, eps=eps, dt=h, horizon=hm * derived, n_paths=n,
            domain=sde.Box(*box), schedule=sde.exponential_schedule(g), generator=gen, device=device),
            device=device, cache=cache, allow_censored=True)
        printed = float(theory.mean_transition_time_thm41_as_printed(al, eps, rho, *box, sigma=_printed_sigma(al),
                                                                      gamma=g))
        row = {"gamma": g, "eps1": float(eps[0]), "eps2": float(eps[1]), "n_paths": n, **mean_columns(unit, level),
               "derived": derived, "printed": printed}
        rows.append(row)
    df = pd.DataFrame(rows)
    df["printed_ratio"] = df["printed"] / df["mean"]
    df["ratio"] = df["mean"] / df["derived"]
    return df


def upper_bound_verdict(estimate, se, bound, *, labels=None, level: float = 0.95,
                        marginal_level: float = 0.99) -> report.Verdict:
    """Is the printed upper ``bound`` at least the simulated ``estimate``, within sampling error?

    A point violates the bound when ``bound < estimate − z·se`` (one-sided, ``z``
    the two-sided ``level`` quantile). *Holds* when no point violates it at
    ``level``, *marginal* when some do at ``level`` but none at
    ``marginal_level``, *fails* otherwise; every violation at ``level`` is a miss.
    """
    est, s, b = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (estimate, se, bound))
    est, s, b = np.broadcast_arrays(est, s, b)
    if np.any(~(s > 0)):
        raise ValueError(f"se must be > 0; got {se!r}")
    labels = [f"point {i + 1}" for i in range(est.size)] if labels is None else list(labels)
    if len(labels) != est.size:
        raise ValueError(f"labels must have {est.size} entries; got {len(labels)}")
    z1, z2 = z_value(level), z_value(marginal_level)
    below1, below2 = b < est - z1 * s, b < est - z2 * s
    word = "fails" if below2.any() else ("marginal" if below1.any() else "holds")
    misses = tuple(f"{lab}: bound {report.sig3(bb)} < {report.sig3(ee)} − {z1:.2f} × {report.sig3(ss)}"
                   for lab, bb, ee, ss, m in zip(labels, b, est, s, below1) if m)
    crit = (f"the printed upper bound is not below the lower end of the simulated mean's {100 * level:g} % interval "
            f"at any of the {est.size} points (marginal if below it only within the {100 * marginal_level:g} % interval)")
    numbers = {"points": str(est.size), "violations": str(int(below1.sum())),
               "ratio": report.fmt_range(b / est) if est.size > 1 else report.fmt(float(b[0] / est[0]))}
    return report.Verdict(word, crit, numbers, misses)
