"""Figure 6 of :cite:`battash2023revisiting`: which axis leaves a ball around Ackley's global minimum.

Gradient descent on the 2-D Ackley function :cite:`ackley1987connectionist`
with independent SαS noise per coordinate, ``α_1 = α_2 - Δ``, learning rate
η, started at the minimum 0: with ``dt = η`` the Euler scheme of eq. 3 *is*
``w ← w - η(∇U(w) + σX)``. Once the iterate leaves the ball of the given
radius, the larger coordinate names the exit axis. The paper gives neither
the noise scale σ nor the radius, so the study sweeps σ.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import pandas as pd

from sgnlib import sde, stats, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies._exit_runs import check_n_paths, float_list, simulate_point

__all__ = ["ackley_exit_axis"]

STUDY = "ch06-ackley"


def ackley_exit_axis(deltas: Sequence[float], sigmas: Sequence[float], *, alpha2: float, eta: float, radius: float,
                     n_seeds: int, seed: int, max_iterations: int = 1_000_000, level: float = 0.95,
                     device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Share of runs that leave the ball through ``x_1`` against the first-jump law, one row per (σ, Δ).

    The law is eq. 19 with the ball replaced by its inscribed box ``d± = ±r``.
    Columns: ``sigma, delta, alpha1, alpha2, n_seeds, n_axis1, p_axis1, p_low,
    p_high`` (Wilson interval at ``level``), ``p_law``, ``noise_per_step``
    (``ησ / r``), ``mean_iterations`` (exponential-law MLE when runs are
    censored at ``max_iterations``) and ``censored_share``.
    """
    d_v = float_list(deltas, "deltas", lambda x, name: check_positive(x, name, allow_zero=True))
    s_v = float_list(sigmas, "sigmas", check_positive)
    check_alpha(alpha2, "alpha2")
    eta = float(check_positive(eta, "eta"))
    r = float(check_positive(radius, "radius"))
    n = check_n_paths(n_seeds, "n_seeds")
    its = int(check_positive(max_iterations, "max_iterations"))
    pot = sde.ackley()
    rows = []
    for sg, dlt in itertools.product(s_v, d_v):
        al = [float(alpha2) - dlt, float(alpha2)]
        check_alpha(al, "alpha2 - delta")
        settings = dict(sigma=sg, delta=dlt, alpha2=float(alpha2), eta=eta, radius=r, n_seeds=n, max_iterations=its)
        unit = simulate_point(STUDY, seed, settings, lambda gen, al=al, sg=sg: sde.simulate(
            pot, [0.0, 0.0], alpha=al, eta=eta, sigma=sg, dt=eta, horizon=its * eta, n_paths=n,
            domain=sde.Ball([0.0, 0.0], r), generator=gen, device=device), device=device, cache=cache,
            allow_censored=True)
        k = int((unit["exit_axis"] == 0).sum())
        lo, hi = stats.binomial_interval(k, n, level)
        law = theory.exit_direction_probabilities(al, theory.noise_epsilon(eta, al), [-r, -r], [r, r], sigma=sg)
        rows.append({"sigma": sg, "delta": dlt, "alpha1": al[0], "alpha2": al[1], "n_seeds": n, "n_axis1": k,
                     "p_axis1": k / n, "p_low": float(lo), "p_high": float(hi), "p_law": float(law[0].sum()),
                     "noise_per_step": eta * sg / r, "mean_iterations": float(unit["mean"]) / eta,
                     "censored_share": float(1.0 - unit["exited"].mean())})
    return pd.DataFrame(rows)
