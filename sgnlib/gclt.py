r"""The generalised central limit theorem, made executable.

Sums of i.i.d. symmetric variables whose tails decay like :math:`|x|^{-a}`
converge, once normalised by :math:`n^{1/a}`, to an SαS law with α = a when
a < 2 (Gnedenko & Kolmogorov 1954; Samorodnitsky & Taqqu 1994, Thm 1.8.1 and
Prop. 1.2.15), and to a Gaussian when the variance is finite (a > 2).
This is why heavy-tailed per-example gradients can give heavy-tailed
mini-batch noise no matter how large the batch.
"""

from __future__ import annotations

import math

import numpy as np

from sgnlib._checks import check_alpha, check_positive, numpy_rng

__all__ = ["symmetric_pareto", "stable_tail_constant", "limit_scale", "normalized_sums"]


def symmetric_pareto(tail, size, rng=None) -> np.ndarray:
    """Draws with ``P(|X| > x) = x^(-tail)`` for ``x ≥ 1`` and a random sign."""
    a = float(check_positive(tail, "tail"))
    gen = numpy_rng(rng)
    u = 1.0 - gen.random(size)  # in (0, 1]
    return np.where(gen.random(size) < 0.5, -1.0, 1.0) * u ** (-1.0 / a)


def stable_tail_constant(alpha) -> np.ndarray:
    r"""``K_α`` in ``P(|X| > x) ~ K_α σ^α x^(−α)`` for ``X ~ SαS(α, σ)``, α < 2.

    ``K_α = 2 c_α / α = 2 Γ(α) sin(πα/2) / π`` with ``c_α`` of :func:`sgnlib.theory.levy_constant`
    (Samorodnitsky & Taqqu 1994, Prop. 1.2.15, for ``exp(−|σt|^α)``); ``K_1 = 2/π`` (Cauchy).
    """
    from sgnlib.theory import levy_constant

    a = check_alpha(alpha, "alpha")
    if np.any(a >= 2):
        raise ValueError(f"the tail constant is defined for alpha < 2; got {alpha!r}")
    return 2.0 * levy_constant(a) / a  # the tail of the Lévy density c_α |y|^(-1-α), both sides


def limit_scale(tail) -> float:
    """Scale of the limit law of ``n^(−1/a) Σ X_i`` for :func:`symmetric_pareto` draws.

    ``a < 2``: the SαS(a, σ) limit with ``K_a σ^a = 1``. ``a > 2``: the normal limit
    ``N(0, a/(a−2))``, returned as the SαS(2, σ) scale ``σ = sqrt(a/(2(a−2)))``.
    ``a = 2`` needs a logarithmic normalisation and is refused.
    """
    a = float(check_positive(tail, "tail"))
    if a == 2:
        raise ValueError("tail = 2 is the boundary case (normalisation sqrt(n log n)); use a != 2")
    if a < 2:
        return float(stable_tail_constant(a) ** (-1.0 / a))
    return math.sqrt(a / (2.0 * (a - 2.0)))


def normalized_sums(tail, n: int, n_sums: int, rng=None, block: int = 2**22) -> np.ndarray:
    """``n_sums`` draws of ``n^(−1/min(a, 2)) Σ_{i≤n} X_i`` with ``X_i`` :func:`symmetric_pareto`.

    Vectorised over the sums; summands are drawn in blocks of at most ``block`` numbers.
    """
    a = float(check_positive(tail, "tail"))
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n must be a positive integer; got {n!r}")
    if not (isinstance(n_sums, (int, np.integer)) and n_sums >= 1):
        raise ValueError(f"n_sums must be a positive integer; got {n_sums!r}")
    gen = numpy_rng(rng)
    total = np.zeros(n_sums)
    step = max(1, block // n_sums)
    for start in range(0, n, step):
        k = min(step, n - start)
        total += symmetric_pareto(a, (n_sums, k), gen).sum(axis=1)
    return total / n ** (1.0 / min(a, 2.0))
