"""Numbers and verdicts for the prose of the chapters (glued with myst-nb).

A chapter states its results in sentences whose numbers come from the run
(``{glue:text}``), never typed by hand; these helpers format them and hold the
stated criteria by which a chapter says a claim "holds".
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["fmt", "fmt_list", "fmt_range", "sig3", "pct_dev", "in_band"]

_MINUS = "\u2212"


def fmt(x, nd: int = 2) -> str:
    """``x`` with ``nd`` decimals and a typographic minus; ``'n/a'`` where it is undefined."""
    x = float(x)
    return "n/a" if not math.isfinite(x) else f"{x:.{nd}f}".replace("-", _MINUS)


def fmt_list(values, nd: int = 2) -> str:
    """``'0.50, 0.72, 0.83'``."""
    return ", ".join(fmt(float(x), nd) for x in np.asarray(values, dtype=float).ravel())


def fmt_range(values, nd: int = 2) -> str:
    """``'lo to hi'`` of the finite values (one value where they agree at that precision)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    lo, hi = fmt(v.min(), nd), fmt(v.max(), nd)
    return lo if lo == hi else f"{lo} to {hi}"


def sig3(x) -> str:
    """Three significant digits, no exponent: ``1157``, ``28.5``, ``0.0422``."""
    x = float(x)
    if not math.isfinite(x) or x == 0:
        return fmt(x, 0)
    return fmt(x, max(0, 2 - math.floor(math.log10(abs(x)))))


def pct_dev(ratios, words=("faster", "slower")) -> str:
    """Ratios measured/predicted as a deviation: ``'11–13 % faster'``.

    ``words[0]`` names ratios below 1, ``words[1]`` ratios above 1; mixed signs give
    ``'from 3 % slower to 5 % faster'``.
    """
    d = 100 * (1 - np.asarray(ratios, dtype=float).ravel())
    if d.size == 0 or not np.isfinite(d).all():
        return "n/a"
    if (d > 0).all() or (d < 0).all():
        word = words[0] if d[0] > 0 else words[1]
        lo, hi = f"{np.abs(d).min():.0f}", f"{np.abs(d).max():.0f}"
        return f"{lo if lo == hi else lo + '–' + hi} % {word}"
    return f"from {-d.min():.0f} % {words[1]} to {d.max():.0f} % {words[0]}"


def in_band(p_sim, p_pred, n, z: float = 1.96):
    """Whether a simulated share of ``n`` trials lies in the ``z``-sigma binomial band of ``p_pred``.

    ``|p_sim − p_pred| ≤ z · sqrt(p_pred (1 − p_pred) / n)`` (normal approximation), elementwise.
    """
    p_pred = np.asarray(p_pred, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n < 1):
        raise ValueError(f"n must be >= 1 trials; got {n!r}")
    if np.any((p_pred < 0) | (p_pred > 1)):
        raise ValueError(f"p_pred must lie in [0, 1]; got {p_pred!r}")
    return np.abs(np.asarray(p_sim, dtype=float) - p_pred) <= z * np.sqrt(p_pred * (1 - p_pred) / n) + 1e-12
