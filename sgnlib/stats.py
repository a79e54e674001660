"""Small statistics used by the studies and their verdicts: one function per idea.

Binomial intervals and tests for shares of paths or parameters, survival curves
of (possibly censored) exit times, the censored exponential mean, Student-t
intervals of a mean, and a least-squares line with confidence intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = [
    "binomial_interval",
    "binomial_test_greater",
    "empirical_survival",
    "kaplan_meier",
    "censored_exponential_mean",
    "mean_ci",
    "median_interval",
    "LinearFit",
    "linear_fit",
]


def _check_level(level: float, name: str = "level") -> float:
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"{name} must lie in (0, 1); got {level!r}")
    return level


def _check_counts(k, n):
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(~np.isfinite(n)) or np.any(n < 1) or np.any(n != np.round(n)):
        raise ValueError(f"n must be a positive whole number of trials; got {n!r}")
    if np.any(~np.isfinite(k)) or np.any(k < 0) or np.any(k > n) or np.any(k != np.round(k)):
        raise ValueError(f"k must be a whole number of successes in [0, n]; got {k!r}")
    return k, n


def binomial_interval(k, n, level: float = 0.95):
    """Wilson score interval ``(lo, hi)`` of a share ``k / n`` (elementwise).

    Wilson (1927): unlike the normal-approximation interval it stays inside
    [0, 1] and keeps its coverage near shares of 0 and 1.
    """
    k, n = _check_counts(k, n)
    z = _st.norm.ppf(0.5 + _check_level(level) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def binomial_test_greater(k, n, p0: float = 0.5):
    """One-sided exact binomial p-value of ``P(X >= k)`` for ``X ~ Bin(n, p0)`` (elementwise)."""
    k, n = _check_counts(k, n)
    if not 0.0 <= p0 <= 1.0:
        raise ValueError(f"p0 must lie in [0, 1]; got {p0!r}")
    return _st.binom.sf(k - 1, n, p0)


def _check_times(times, observed=None):
    t = np.asarray(times, dtype=float).ravel()
    if t.size == 0:
        raise ValueError("times is empty")
    if not np.isfinite(t).all() or (t < 0).any():
        raise ValueError("times must be finite and >= 0")
    if observed is None:
        return t, np.ones(t.size, dtype=bool)
    obs = np.asarray(observed).ravel()
    if obs.shape != t.shape:
        raise ValueError(f"observed has shape {obs.shape}, times has {t.shape}")
    return t, obs.astype(bool)


def empirical_survival(times):
    """``(t, S)``: the sorted times and the share of times strictly above each, ``S(t_i) = #{t > t_i} / n``."""
    t, _ = _check_times(times)
    t = np.sort(t)
    return t, 1.0 - np.arange(1, t.size + 1) / t.size


def kaplan_meier(times, observed=None):
    """Kaplan–Meier estimate ``(t, S)`` of ``P(σ > t)`` at the distinct event times.

    ``observed[i]`` is False where path ``i`` was censored at ``times[i]`` (it had
    not exited by the horizon); censored paths leave the risk set without an event.
    Without censoring this is :func:`empirical_survival` at the distinct times.
    """
    t, obs = _check_times(times, observed)
    order = np.argsort(t, kind="stable")
    t, obs = t[order], obs[order]
    uniq, first = np.unique(t, return_index=True)
    at_risk = t.size - first
    events = np.add.reduceat(obs.astype(float), first)
    keep = events > 0
    surv = np.cumprod(1.0 - events[keep] / at_risk[keep])
    return uniq[keep], surv


def censored_exponential_mean(times, observed=None):
    """Mean ``Σ t / #events`` of exponential times with right censoring, and its standard error ``mean / √#events``.

    The maximum-likelihood estimate for an exponential law (exit times are
    asymptotically exponential, Imkeller & Pavlyukevich 2006).
    """
    t, obs = _check_times(times, observed)
    n_ev = int(obs.sum())
    if n_ev == 0:
        raise ValueError("no event observed: every time is censored")
    m = float(t.sum() / n_ev)
    return m, m / math.sqrt(n_ev)


def mean_ci(x, level: float = 0.95):
    """``(mean, lo, hi)``: the Student-t interval of the mean of ``x``."""
    x = np.asarray(x, dtype=float).ravel()
    if x.size < 2 or not np.isfinite(x).all():
        raise ValueError(f"mean_ci needs at least 2 finite values; got {x.size}")
    m = float(x.mean())
    h = float(_st.t.ppf(0.5 + _check_level(level) / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - h, m + h


def median_interval(x, level: float = 0.95) -> tuple[float, float, float]:
    """``(median, lo, hi)``: the distribution-free order-statistic interval of the median.

    ``[x_(j), x_(n+1−j)]`` with the largest ``j`` such that ``P(j ≤ Bin(n, ½) ≤ n − j) ≥ level``
    (e.g. Hollander & Wolfe); needs enough values for such a ``j`` (6 at 95 %).
    """
    x = np.sort(np.asarray(x, dtype=float).ravel())
    if not np.isfinite(x).all():
        raise ValueError("median_interval needs finite values")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level!r}")
    n = x.size
    j = int(_st.binom.ppf((1 - level) / 2, n, 0.5))  # P(Bin < j) <= (1 - level)/2
    while j >= 1 and _st.binom.cdf(n - j, n, 0.5) - _st.binom.cdf(j - 1, n, 0.5) < level:
        j -= 1
    if j < 1:
        raise ValueError(f"{n} values are too few for a {100 * level:g} % interval of the median")
    return float(np.median(x)), float(x[j - 1]), float(x[n - j])


@dataclass(frozen=True)
class LinearFit:
    """Least-squares line ``y = intercept + slope · x`` with ``level`` confidence intervals."""

    slope: float
    intercept: float
    slope_lo: float
    slope_hi: float
    slope_se: float
    r2: float
    n: int
    level: float

    def slope_interval(self, level: float) -> tuple[float, float]:
        """The slope's interval at another ``level`` (same fit)."""
        h = _st.t.ppf(0.5 + _check_level(level) / 2, self.n - 2) * self.slope_se
        return self.slope - h, self.slope + h


def linear_fit(x, y, level: float = 0.95) -> LinearFit:
    """Ordinary least squares of ``y`` on ``x`` with a Student-t interval of the slope (needs ≥ 3 points)."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x has {x.size} values, y has {y.size}")
    if x.size < 3:
        raise ValueError(f"a slope with an interval needs at least 3 points; got {x.size}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite")
    if np.ptp(x) == 0:
        raise ValueError("x is constant: no slope")
    xm, ym = x.mean(), y.mean()
    sxx = ((x - xm) ** 2).sum()
    slope = float(((x - xm) * (y - ym)).sum() / sxx)
    intercept = float(ym - slope * xm)
    resid = y - intercept - slope * x
    sst = float(((y - ym) ** 2).sum())
    r2 = 1.0 - float((resid ** 2).sum()) / sst if sst > 0 else 1.0
    se = math.sqrt(float((resid ** 2).sum()) / (x.size - 2) / sxx)
    h = _st.t.ppf(0.5 + _check_level(level) / 2, x.size - 2) * se
    return LinearFit(slope, intercept, slope - h, slope + h, se, r2, int(x.size), float(level))
