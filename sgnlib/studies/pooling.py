"""Pooling coordinates of different scales manufactures heavy tails (chapter 02; the toy of chapter 01).

If coordinate j is N(0, s_j²) and the scales vary, all coordinates pooled into one sample are a
scale mixture of Gaussians, whose tails are as heavy as the spread of the s_j makes them
(Xie et al. 2020's objection to the pooled measurement of Şimşekli et al. 2019).

* :func:`scale_mixture` — Gaussian coordinates with ``log10 s_j ~ N(0, spread²)``;
* :func:`pooling_sweep` — α̂ per coordinate and pooled, per spread, each spread from its own stream;
* :func:`pooling_numbers` — the numbers the chapter quotes, read off the sweep.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import report, stable, streams
from sgnlib._checks import check_positive

__all__ = ["scale_mixture", "pooling_sweep", "pooling_numbers", "ESTIMATES"]

STUDY = "pooling"

#: the estimates of :func:`pooling_sweep`, in its column ``estimate``
ESTIMATES = ("per coordinate (median)", "pooled, regression", "pooled, log estimator",
             "pooled after per-coordinate scaling")


def scale_mixture(spread: float, n_coords: int, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """``[n_samples, n_coords]`` Gaussian draws, coordinate j with scale ``s_j = 10^(spread · N(0, 1))``."""
    spread = float(check_positive(spread, "spread", allow_zero=True))
    for v, name in ((n_coords, "n_coords"), (n_samples, "n_samples")):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive int; got {v!r}")
    s = 10 ** (spread * rng.standard_normal(int(n_coords)))
    return rng.standard_normal((int(n_samples), int(n_coords))) * s


def pooling_sweep(spreads: Sequence[float], n_coords: int, n_samples: int, seed: int) -> pd.DataFrame:
    """α̂ of Gaussian coordinates of spread-out scales, per spread (stream ``("pooling", spread)``):
    the median over coordinates of the per-coordinate ECF estimate, the ECF estimate of all values
    pooled, the log estimator on the pooled values in random order (as Şimşekli et al.), and the ECF
    estimate after dividing each coordinate by its own fitted scale. Long table: ``spread, estimate,
    alpha_hat`` (``estimate`` one of :data:`ESTIMATES`)."""
    rows = []
    for spread in [float(v) for v in np.atleast_1d(np.asarray(spreads, dtype=float))]:
        rng = streams.rng(seed, STUDY, spread=spread)
        X = scale_mixture(spread, n_coords, n_samples, rng)
        per = stable.fit(X)
        vals = (float(np.median(per.alpha)), float(stable.fit(X.reshape(-1)).alpha),
                float(stable.fit(rng.permutation(X.reshape(-1)), method="log").alpha),
                float(stable.fit((X / per.scale).reshape(-1)).alpha))
        rows += [dict(spread=spread, estimate=e, alpha_hat=v) for e, v in zip(ESTIMATES, vals)]
    return pd.DataFrame(rows)


def _at_least(low: float, verb: str) -> str:
    """``'is 2.00 at every spread'`` when the smallest value rounds to 2, else ``'is at least 1.93'``."""
    return f"{verb} {report.fmt(2.0)} at every spread" if report.fmt(low) == report.fmt(2.0) else f"{verb} at least {report.fmt(low)}"


def pooling_numbers(sweep: pd.DataFrame, near: tuple[float, float] = (0.2, 0.5)) -> dict[str, str]:
    """Formatted numbers for the prose: at the spreads closest to ``near`` (``sa``, ``sb``) the pooled
    regression and log estimates, the factor 10^sa, the smallest per-coordinate and scaled-pooled
    estimates (also as phrases chosen by the value, ``per_text`` and ``std_text``), the smallest pooled
    estimate and its spread, and whether the log estimator moves
    ``"less"`` or ``"no less"`` than the regression estimator at ``sb``."""
    w = sweep.pivot(index="spread", columns="estimate", values="alpha_hat")
    sp = w.index.to_numpy(float)
    ia, ib = (int(np.argmin(np.abs(sp - v))) for v in near)
    reg, log = w[ESTIMATES[1]].to_numpy(), w[ESTIMATES[2]].to_numpy()
    return dict(sa=report.fmt(sp[ia]), sa_factor=report.fmt(10 ** sp[ia], 1), sb=report.fmt(sp[ib]),
                a=report.fmt(reg[ia]), b=report.fmt(reg[ib]), log_a=report.fmt(log[ia]), log_b=report.fmt(log[ib]),
                per_min=report.fmt(w[ESTIMATES[0]].min()), std_min=report.fmt(w[ESTIMATES[3]].min()),
                per_text=_at_least(w[ESTIMATES[0]].min(), "is"), std_text=_at_least(w[ESTIMATES[3]].min(), "gives"),
                min=report.fmt(reg.min()), smax=report.fmt(sp[int(np.argmin(reg))]),
                log_less="less" if abs(2 - log[ib]) < abs(2 - reg[ib]) else "no less")
