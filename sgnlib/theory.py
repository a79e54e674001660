"""The formulas of Battash, Wolf & Lindenbaum (Secs. 3–4) and the classical first-exit laws.

Conventions (shared with :mod:`sgnlib.sde`):

* ``L`` is a standard SαS Lévy process, ``L_1`` with characteristic function
  ``exp(-|u|^α)``; its Lévy measure is ``ν(dy) = c_α |y|^(-1-α) dy`` with
  ``c_α = Γ(1+α) sin(πα/2)/π`` (:func:`levy_constant`; Samorodnitsky & Taqqu
  :cite:`samorodnitsky1994stable`, Property 1.2.15). The paper writes its
  formulas for ``ν(dy) = |y|^(-1-α) dy`` (``c = 1``, eq. 12), i.e. for an SαS
  process of scale ``c_α^(-1/α)``. Every function whose value depends on it
  takes ``c``: the building blocks of Sec. 3 (:func:`jump_intensity`,
  :func:`m_factor`, ...) and the ``*_as_printed`` bounds default to the
  paper's ``c = 1``; the exit laws (:func:`exit_rate`,
  :func:`survival_probability`, :func:`mean_exit_time`,
  :func:`exit_direction_probabilities`, :func:`exit_direction_ratio`, the
  Imkeller–Pavlyukevich functions) default to ``c = levy_constant(alpha)``,
  the process :mod:`sgnlib.sde` simulates. To evaluate a printed bound for the
  simulated process, pass ``sigma = levy_constant(alpha)**(1/alpha) * σ``.
* ``ε_l = η^((α_l-1)/α_l)``, ``ε̄_l(t) = s_t^((α_l-1)/α_l) ε_l``, noise scale
  ``σ_l`` (the paper's ``1ᵀλ_l``); a jump ``J`` of ``L^l`` moves ``W^l`` by
  ``ε̄_l σ_l J``.
* ``d-_l < 0 < d+_l``: the box ``G`` around the minimum, per axis.

Functions are numpy-vectorised over their arguments.

Where the printed statements differ from what the model of eq. 3 implies,
each difference is one of five kinds, listed with its place in the book in
:data:`DISCREPANCIES` (rendered by :func:`discrepancy_table`):

1. *a normalisation convention, not an error* — the Lévy constant ``c_α``
   above: both forms agree once the scale of ``L`` is fixed; Prop 3.4's
   per-example terms, which are ``B(D−1)/(D−B)`` times the row sums of eq. 2's
   covariance of a mini-batch mean;
2. *an internal inconsistency* — two printed statements that cannot both
   hold (``m_l`` of eq. 13 against ``m̄_l`` of Thm 4.1; the two sides of
   eq. 13; Lemma 3.3's non-zero small-jump mean against the mean-zero
   symmetric ``L``; eq. 17's η-dependence against eq. 16's; Prop 3.4 keeps
   the second-order term of the expansion in ``Z_t`` but drops the
   first-order one, which Lemma 3.3's own non-zero mean ``E[Z_t]`` makes the
   larger);
3. *a typo* — the schedule exponent of eq. 15; Prop 3.4 defines ``ũ_l`` and
   uses ``ū_lj``;
4. *a bound that holds but is loose* — Thm 4.1 / Cor 4.2 and Cor 4.6 as printed;
5. *a bound that is violated* — eqs. 19–20, whose printed ratio lies below
   simulated ratios because the factor ``β_i/β_S`` is missing.

Our copy of the paper lacks the appendices with the proofs; the docstrings
compare printed statements with each other, with what eq. 3 implies and with
simulation, never with a proof. The function implements the form eq. 3
implies; the printed form is kept as ``*_as_printed`` where it is worth
comparing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, special

from sgnlib._checks import check_alpha, check_positive

__all__ = [
    "levy_constant",
    "noise_epsilon",
    "effective_epsilon",
    "jump_threshold",
    "jump_intensity",
    "mean_interjump_time",
    "width_factor",
    "m_factor",
    "first_jump_exit_probability",
    "first_jump_exit_probability_lhs_as_printed",
    "eq15_schedule_exponent",
    "lemma31_bound",
    "prop32_exponent",
    "relaxation_time",
    "relaxation_time_bound",
    "lemma33_product_mean",
    "lemma33_as_printed",
    "exit_rate",
    "survival_probability",
    "mean_exit_time",
    "multistep_cumulative_hazard",
    "multistep_survival_probability",
    "multistep_restricted_mean",
    "exit_direction_probabilities",
    "exit_direction_ratio",
    "exit_direction_ratio_as_printed",
    "a_constant",
    "mean_transition_time_thm41_as_printed",
    "mean_transition_time_cor42_as_printed",
    "survival_thm45_as_printed",
    "survival_cor46_as_printed",
    "imkeller_pavlyukevich_mean_exit_time",
    "imkeller_pavlyukevich_exit_probabilities",
    "kramers_mean_transition_time",
    "mean_first_passage_time_diffusion",
    "eps_for_mean_exit_time",
    "Discrepancy",
    "DISCREPANCY_KINDS",
    "DISCREPANCIES",
    "discrepancy_table",
]


# --------------------------------------------------------------------------- basics


def levy_constant(alpha):
    """``c_α = Γ(1+α) sin(πα/2) / π``: Lévy density ``c_α |y|^(-1-α)`` of standard SαS.

    ``P(X > x) ~ (c_α/α) x^(-α)`` (Samorodnitsky & Taqqu
    :cite:`samorodnitsky1994stable`, Property 1.2.15); ``c_1 = 1/π`` (Cauchy),
    ``c_2 = 0`` (Gaussian: no jumps).
    """
    a = check_alpha(alpha)
    return special.gamma(1.0 + a) * np.sin(np.pi * a / 2.0) / np.pi


def noise_epsilon(eta, alpha):
    """``ε = η^((α-1)/α)`` (Sec. 3, below eq. 3)."""
    a = check_alpha(alpha)
    e = check_positive(eta, "eta")
    return e ** ((a - 1.0) / a)


def effective_epsilon(eps, alpha, s=1.0):
    """``ε̄ = s_t^((α-1)/α) ε`` (below eq. 9)."""
    a = check_alpha(alpha)
    e = check_positive(eps, "eps")
    s = check_positive(s, "s")
    return s ** ((a - 1.0) / a) * e


def jump_threshold(eps, alpha, rho, s=1.0):
    """The large-jump threshold ``O = ε̄^(-ρ) = ε^(-ρ) s_t^(-ρ(α-1)/α)`` (Sec. 3.2, below eq. 12)."""
    r = _check_rho(rho)
    return effective_epsilon(eps, alpha, s) ** (-r)


def _check_rho(rho):
    r = np.asarray(rho, dtype=float)
    if not ((r > 0) & (r < 1)).all():
        raise ValueError(f"rho must lie in (0, 1); got {rho!r}")
    return r


def jump_intensity(alpha, eps, rho, s=1.0, c=1.0):
    """Jump intensity of the large jumps, eq. 12: ``β_l(t) = ν(R \\ [-O, O]) = (2c/α) s_t^(ρ(α-1)) ε^(ρα)``.

    ``c = 1`` is the paper's Lévy measure; ``c = levy_constant(alpha)`` gives
    the rate of increments ``|ΔL| > O`` of a standard SαS process (the simulator).
    """
    a = check_alpha(alpha)
    r = _check_rho(rho)
    c = check_positive(c, "c")
    o = jump_threshold(eps, a, r, s)
    return 2.0 * c / a * o ** (-a)


def mean_interjump_time(alpha, eps, rho, s=1.0, c=1.0):
    """``E[S_k] = 1/β_l``, eq. 15.

    Kind: a typo. Eq. 15 is printed as ``(α/2) s_t^(-ρα) ε^(-ρα)``; the
    threshold ``O = ε̄^(-ρ)`` gives ``β ∝ s_t^(ρ(α-1))`` (eq. 12), as do the
    paper's ``β_l/β_S ∝ s^(ρ(α_l-α_ν))`` assumption and Thm 4.1's exponent,
    so ``1/β_l`` has ``s_t^(-ρ(α-1))``. We return ``1/β_l`` (the two agree for
    a constant schedule, ``s_t = 1``); :func:`eq15_schedule_exponent` gives
    both exponents.
    """
    return 1.0 / jump_intensity(alpha, eps, rho, s, c)


def width_factor(alpha, d_minus, d_plus):
    """``Φ_l = (-d-_l)^(-α_l) + (d+_l)^(-α_l)`` (below eq. 13); ``d- < 0 < d+``.

    An infinite ``d`` (open side) contributes 0.
    """
    a = check_alpha(alpha)
    dm = np.asarray(d_minus, dtype=float)
    dp = np.asarray(d_plus, dtype=float)
    if (dm >= 0).any() or (dp <= 0).any() or np.isnan(dm).any() or np.isnan(dp).any():
        raise ValueError(f"need d_minus < 0 < d_plus; got d_minus={d_minus!r}, d_plus={d_plus!r}")
    return (-dm) ** (-a) + dp ** (-a)


def m_factor(alpha, eps, sigma=1.0, c=1.0):
    """``m_l = c (σ_l ε_l)^α_l / α_l`` (below eq. 13; ``m̄_l`` of Thm 4.1).

    Kind: an internal inconsistency. Eq. 13 prints ``m_l = 1ᵀλ_l ε^α/α``
    with the noise scale not raised to α, Thm 4.1 ``m̄_l = λ̄^α ε^α/α``. Eq. 3
    depends on σ and ε only through ``σε`` (a jump ``ε̄σJ`` leaves
    ``[d-, d+]`` iff ``|J| > d/(ε̄σ)``, of Lévy mass ``c (ε̄σ)^α d^(-α)/α``), so
    only ``(σε)^α/α`` can be right; we use it.
    """
    a = check_alpha(alpha)
    e = check_positive(eps, "eps")
    sg = check_positive(sigma, "sigma")
    c = check_positive(c, "c")
    return c * (sg * e) ** a / a


def first_jump_exit_probability(alpha, eps, rho, d_minus, d_plus, sigma=1.0, s=1.0):
    """Probability that one large jump of axis ``l`` leaves ``[d-, d+]``, eq. 13.

    ``P = m_l Φ_l s_t^(α-1) / β_l(t) = (σ ε̄)^α Φ ε̄^(-ρα) / 2``, from the
    jump starting at the minimum. The Lévy constant ``c`` cancels. It is a
    small-noise formula: values ≥ 1 mean the jumps are not "rare".

    Kind: an internal inconsistency. The left side of eq. 13 is printed as
    ``P(s_t ε 1ᵀλ J ∉ [d-, d+])``, with the jump scaled by ``s_t``; its right
    side, ``m Φ s_t^(α-1)/β``, is the probability for a jump scaled by
    ``s_t^((α-1)/α)``, as in eq. 3. We follow eq. 3 and the right side;
    :func:`first_jump_exit_probability_lhs_as_printed` is the left side as printed.
    """
    a = check_alpha(alpha)
    m = m_factor(a, eps, sigma)
    phi = width_factor(a, d_minus, d_plus)
    s = check_positive(s, "s")
    return m * phi * s ** (a - 1.0) / jump_intensity(a, eps, rho, s)


def first_jump_exit_probability_lhs_as_printed(alpha, eps, rho, d_minus, d_plus, sigma=1.0, s=1.0):
    """The left side of eq. 13 as printed: ``P(s_t ε σ J ∉ [d-, d+] | |J| > O)``, jump scaled by ``s_t``.

    ``= (s_t σ ε)^α Φ O^α / 2`` with ``O = ε̄^(-ρ)``; it equals
    :func:`first_jump_exit_probability` (jump scaled by ``s_t^((α-1)/α)``, eq. 3)
    only at ``s_t = 1``: the ratio is ``s_t``.
    """
    a = check_alpha(alpha)
    s = check_positive(s, "s")
    return s * first_jump_exit_probability(a, eps, rho, d_minus, d_plus, sigma, s)


def eq15_schedule_exponent(alpha, rho):
    """The exponent ``k`` of ``s_t`` in the mean gap ``E[S_k] ∝ s_t^(-k)`` (eq. 15): ``(derived, printed)``.

    Derived from eq. 12 (the threshold ``O = ε̄^(-ρ)``): ``k = ρ(α-1)``; printed
    in eq. 15: ``k = ρα`` (a typo, :func:`mean_interjump_time`). The jump rate
    scales as ``s_t^k``.
    """
    a = check_alpha(alpha)
    r = _check_rho(rho)
    return r * (a - 1.0), r * a


def lemma31_bound(u_tilde, mu, t):
    """Lemma 3.1, eq. 6: ``‖Y_t - W*‖² ≤ (2Ũ/μ) e^(-2μt)``, ``Ũ = U(w) - U(W*)``."""
    u = check_positive(u_tilde, "u_tilde", allow_zero=True)
    m = check_positive(mu, "mu")
    t = check_positive(t, "t", allow_zero=True)
    return 2.0 * u / m * np.exp(-2.0 * m * t)


def prop32_exponent(alpha, rho, theta):
    """The exponent ``θ̄ = -ρ(1-α) + 2 - 2θ`` of Proposition 3.2 (eq. 9), θ ∈ (0, (2-α)/4).

    Eq. 9: ``P(sup_{t ≤ T} |Z_t - Y_t| ≥ c ε̄^θ) ≤ C_θ ε̄^θ̄``. The constant
    ``C_θ`` is not given, so only the rate in ε̄ can be compared.
    """
    a = check_alpha(alpha)
    r = _check_rho(rho)
    th = np.asarray(theta, dtype=float)
    if not ((th > 0) & (th < (2.0 - a) / 4.0)).all():
        raise ValueError(f"theta must lie in (0, (2-alpha)/4); got theta={theta!r} for alpha={alpha!r}")
    return -r * (1.0 - a) + 2.0 - 2.0 * th


def relaxation_time(d_minus, d_plus, eps_bar, zeta, grad=None, mu=None):
    """Relaxation time of ``Y``, eq. 14: ``T_R = max{∫_{d-}^{-ε̄^ζ} dy/(-U'(y)), ∫_{ε̄^ζ}^{d+} dy/U'(y)}``.

    Give ``grad`` (the 1-D ``U'``, a numpy callable) or ``mu`` (quadratic
    ``U = μy²/2``: ``T_R = ln(max(-d-, d+)/ε̄^ζ)/μ``).
    """
    dm, dp = float(d_minus), float(d_plus)
    if not (dm < 0 < dp):
        raise ValueError(f"need d_minus < 0 < d_plus; got {d_minus!r}, {d_plus!r}")
    eb = float(check_positive(eps_bar, "eps_bar"))
    z = float(check_positive(zeta, "zeta"))
    r = eb ** z
    if r >= min(-dm, dp):
        raise ValueError(f"eps_bar**zeta = {r:g} must be smaller than the distances to the boundary")
    if mu is not None:
        m = float(check_positive(mu, "mu"))
        return math.log(max(-dm, dp) / r) / m
    if grad is None or not callable(grad):
        raise ValueError("give grad (callable U') or mu")
    left = integrate.quad(lambda y: 1.0 / (-grad(y)), dm, -r, limit=200)[0]
    right = integrate.quad(lambda y: 1.0 / grad(y), r, dp, limit=200)[0]
    return max(left, right)


def relaxation_time_bound(eps_bar, c1=1.0):
    """The right-hand side of eq. 14, ``C_1 |ln ε̄|``."""
    eb = check_positive(eps_bar, "eps_bar")
    return check_positive(c1, "c1") * np.abs(np.log(eb))


def lemma33_product_mean(t, w_l, w_j, h_ll, h_jj):
    """``E[Z^l_t Z^j_t] = w_l w_j e^(-(h_ll+h_jj)t)`` for ``l ≠ j`` in a diagonal quadratic basin (cf. Lemma 3.3, eq. 10).

    The small-jump processes ``ξ^l`` are symmetric (the paper's ``L`` is mean-zero
    SαS and the cut at ``±O`` is symmetric) and independent across axes, so
    ``Z^l_t = w_l e^(-h_ll t) + (mean-zero noise)`` and the product's mean is the
    product of the means, exactly.
    """
    t = check_positive(t, "t", allow_zero=True)
    hl, hj = check_positive(h_ll, "h_ll"), check_positive(h_jj, "h_jj")
    return np.asarray(w_l, dtype=float) * np.asarray(w_j, dtype=float) * np.exp(-(hl + hj) * t)


def lemma33_as_printed(t, w_l, w_j, h_ll, h_jj, eps_bar_l, eps_bar_j, alpha_l, alpha_j, rho):
    """Lemma 3.3 (eq. 10) as printed: ``w_l w_j e^(-(h_ll+h_jj)t) + A_jl(t) + A_lj(t)``.

    ``A_lj(t) = ε̄_l w_j e^(-h_jj t) μ^l_ξ (2t + (1 - e^(-h_ll t))/h_ll)``,
    ``μ^l_ξ = 2t (ε̄_l^(-ρ(1-α_l)) - 1)/(1 - α_l)``, read from the printed lemma.

    Kind: an internal inconsistency. ``μ^l_ξ > 0`` for every α ∈ (1, 2) and
    ``ε̄ < 1``, so the printed ``A`` terms are non-zero, while the paper's own
    mean-zero symmetric ``L`` makes the small jumps mean-zero and the product
    mean exactly :func:`lemma33_product_mean` (no ``A`` terms).
    """
    t = np.asarray(check_positive(t, "t", allow_zero=True), dtype=float)
    hl, hj = float(check_positive(h_ll, "h_ll")), float(check_positive(h_jj, "h_jj"))
    al, aj = float(check_alpha(alpha_l)), float(check_alpha(alpha_j))
    r = float(_check_rho(rho))
    el, ej = float(check_positive(eps_bar_l, "eps_bar_l")), float(check_positive(eps_bar_j, "eps_bar_j"))
    if al == 1.0 or aj == 1.0:
        raise ValueError("Lemma 3.3's mu_xi divides by 1 - alpha: alpha must not be 1")

    def a_term(e_a, a_a, h_a, w_b, h_b):
        mu = 2.0 * t * (e_a ** (-r * (1.0 - a_a)) - 1.0) / (1.0 - a_a)
        return e_a * w_b * np.exp(-h_b * t) * mu * (2.0 * t + (1.0 - np.exp(-h_a * t)) / h_a)

    return (lemma33_product_mean(t, w_l, w_j, hl, hj) + a_term(el, al, hl, float(w_j), hj)
            + a_term(ej, aj, hj, float(w_l), hl))


# --------------------------------------------------------------------------- first-jump exit law


def _per_axis(alpha, eps, sigma, d_minus, d_plus, c):
    a = np.atleast_1d(check_alpha(alpha))
    eps = np.atleast_1d(check_positive(eps, "eps"))
    sg = np.atleast_1d(check_positive(sigma, "sigma"))
    dm = np.atleast_1d(np.asarray(d_minus, dtype=float))
    dp = np.atleast_1d(np.asarray(d_plus, dtype=float))
    a, eps, sg, dm, dp = np.broadcast_arrays(a, eps, sg, dm, dp)
    cc = levy_constant(a) if c is None else np.broadcast_to(check_positive(c, "c"), a.shape)
    m = m_factor(a, eps, sg, cc)
    phi = width_factor(a, dm, dp)
    return a, m, phi, dm, dp


def _schedule_integral(alpha, u, gamma):
    """``∫_0^u s_t^(α-1) dt`` for ``s_t = t^(γ-1)``: ``u^γ_l / γ_l``, ``γ_l = 1 + (γ-1)(α-1)``."""
    gl = 1.0 + (gamma - 1.0) * (alpha - 1.0)
    if np.any(gl <= 0):
        raise ValueError(f"need 1 + (gamma-1)(alpha-1) > 0; got gamma={gamma!r}")
    return np.power.outer(np.asarray(u, dtype=float), gl) / gl


def exit_rate(alpha, eps, d_minus, d_plus, sigma=1.0, s=1.0, c=None):
    """Exit hazard of the first-jump law: ``h(t) = Σ_l m_l Φ_l s_t^(α_l-1)`` = ``Σ_l β_l(t) × eq. 13``.

    ``c=None`` uses the standard-SαS Lévy constant (simulator convention).
    """
    a, m, phi, _, _ = _per_axis(alpha, eps, sigma, d_minus, d_plus, c)
    s = float(check_positive(s, "s"))
    return float(np.sum(m * phi * s ** (a - 1.0)))


def survival_probability(u, alpha, eps, d_minus, d_plus, sigma=1.0, gamma=1.0, c=None):
    """``P(σ_G > u) = exp(-Σ_l m_l Φ_l ∫_0^u s_t^(α_l-1) dt)`` (derivation of Thm 4.5 / Cor 4.6).

    Exits happen only at large jumps (Sec. 4) and a jump exits with the
    probability of eq. 13, so exits form a Poisson process of rate
    ``h(t)`` (:func:`exit_rate`). For ``s_t = t^(γ-1)``:
    ``exp(-Σ_l m_lΦ_l u^γ_l/γ_l)``, ``γ_l = 1 + (γ-1)(α_l-1)``; for γ = 1 the
    exponential law ``exp(-Σ_l m_lΦ_l u)`` of Cor 4.6.
    """
    a, m, phi, _, _ = _per_axis(alpha, eps, sigma, d_minus, d_plus, c)
    g = float(gamma)
    if not 0 < g <= 1:
        raise ValueError(f"gamma must lie in (0, 1]; got {gamma!r}")
    u = check_positive(u, "u", allow_zero=True)
    H = (_schedule_integral(a, u, g) * (m * phi)).sum(-1)
    return np.exp(-H)


def mean_exit_time(alpha, eps, d_minus, d_plus, sigma=1.0, gamma=1.0, c=None):
    """Mean first exit time ``E σ_G = ∫_0^∞ P(σ_G > u) du`` of the first-jump law (Thm 4.1, Cor 4.2 corrected).

    γ = 1 (Cor 4.2): ``E σ_G = 1 / Σ_l m_l Φ_l``. In one dimension this is the
    Imkeller–Pavlyukevich law (:func:`imkeller_pavlyukevich_mean_exit_time`).
    One axis and ``s_t = t^(γ-1)``: ``(γ_l/(mΦ))^(1/γ_l) Γ(1 + 1/γ_l)``;
    several axes with γ < 1: numerical quadrature.

    Kind: a bound that holds but is loose. Thm 4.1 and Cor 4.2 print a *sum
    over axes* of per-axis times weighted by ``A_{l,ν}^(-1) β_l/β_S``; thinning
    the combined stream of large jumps (all axes at total rate ``β_S``, axis
    ``l`` with probability ``β_l/β_S``, exiting with eq. 13) gives one time
    with the *sum of the rates* in the denominator. ``A_{l,ν}`` vanishes for
    N = 1, making the printed bound infinite; in 2-D it lies above the
    simulated means (:func:`mean_transition_time_thm41_as_printed`).
    """
    a, m, phi, _, _ = _per_axis(alpha, eps, sigma, d_minus, d_plus, c)
    g = float(gamma)
    if not 0 < g <= 1:
        raise ValueError(f"gamma must lie in (0, 1]; got {gamma!r}")
    lam = m * phi
    if g == 1.0:
        return float(1.0 / lam.sum())
    gl = 1.0 + (g - 1.0) * (a - 1.0)
    if a.size == 1:
        return float((gl[0] / lam[0]) ** (1.0 / gl[0]) * special.gamma(1.0 + 1.0 / gl[0]))
    scale = 1.0 / lam.sum()
    f = lambda u: float(np.exp(-np.sum(lam * u ** gl / gl)))  # noqa: E731
    val = integrate.quad(f, 0, np.inf, limit=400)[0] if scale > 0 else np.inf
    return float(val)


def _multistep_pieces(milestones, factor):
    ms = np.asarray(milestones, dtype=float).ravel()
    if ms.size and (not np.all(ms > 0) or np.any(np.diff(ms) <= 0)):
        raise ValueError(f"milestones must be positive and increasing; got {milestones!r}")
    f = float(check_positive(factor, "factor"))
    return np.concatenate([[0.0], ms]), f


def multistep_cumulative_hazard(u, alpha, eps, d_minus, d_plus, milestones, factor, sigma=1.0, c=None):
    """``H(u) = Σ_l m_lΦ_l ∫_0^u s_t^(α_l-1) dt`` for the multistep schedule ``s_t = factor^#{milestones ≤ t}``.

    The derived first-jump law (:func:`survival_probability`) under the
    multistep scheduler the paper names in Sec. 4 (its result for it is not
    in the printed Secs. 3–4): exits form a Poisson process of rate
    ``Σ_l m_lΦ_l s_t^(α_l-1)``, piecewise constant.
    """
    a, m, phi, _, _ = _per_axis(alpha, eps, sigma, d_minus, d_plus, c)
    starts, f = _multistep_pieces(milestones, factor)
    u = np.asarray(check_positive(u, "u", allow_zero=True), dtype=float)
    ends = np.concatenate([starts[1:], [np.inf]])
    k = np.arange(starts.size)
    rate = (m * phi * f ** (np.outer(k, a - 1.0))).sum(-1)  # (pieces,)
    span = np.clip(u[..., None] - starts, 0.0, None)
    span = np.minimum(span, ends - starts)
    return (span * rate).sum(-1)


def multistep_survival_probability(u, alpha, eps, d_minus, d_plus, milestones, factor, sigma=1.0, c=None):
    """``P(σ_G > u) = exp(-H(u))`` under the multistep schedule (:func:`multistep_cumulative_hazard`)."""
    return np.exp(-multistep_cumulative_hazard(u, alpha, eps, d_minus, d_plus, milestones, factor, sigma, c))


def multistep_restricted_mean(horizon, alpha, eps, d_minus, d_plus, milestones, factor, sigma=1.0, c=None):
    """``E min(σ_G, T) = ∫_0^T P(σ_G > u) du`` under the multistep schedule (exact, piecewise exponential)."""
    T = float(check_positive(horizon, "horizon"))
    a, m, phi, _, _ = _per_axis(alpha, eps, sigma, d_minus, d_plus, c)
    starts, f = _multistep_pieces(milestones, factor)
    edges = np.concatenate([starts[starts < T], [T]])
    total = 0.0
    for k in range(edges.size - 1):
        r = float(np.sum(m * phi * f ** (k * (a - 1.0))))
        h0 = float(multistep_cumulative_hazard(edges[k], alpha, eps, d_minus, d_plus, milestones, factor, sigma, c))
        total += math.exp(-h0) * -math.expm1(-r * (edges[k + 1] - edges[k])) / r
    return total


def exit_direction_probabilities(alpha, eps, d_minus, d_plus, sigma=1.0, c=None):
    """``P(exit through axis l, side ±)`` of the first-jump law (Thm 4.3, eq. 19, γ = 1).

    ``P(W_σ ∈ Ω±_l) = m_l |d±_l|^(-α_l) / Σ_j m_j Φ_j``; returns an
    ``(N, 2)`` array, column 0 the lower side ``d-``, column 1 the upper ``d+``.
    Sums to 1.
    """
    a, m, phi, dm, dp = _per_axis(alpha, eps, sigma, d_minus, d_plus, c)
    tot = np.sum(m * phi)
    return np.stack([m * (-dm) ** (-a), m * dp ** (-a)], axis=-1) / tot


def exit_direction_ratio(alpha_l, alpha_j, eps_l, eps_j, d_plus_l, d_plus_j, sigma_l=1.0, sigma_j=1.0, c=None):
    """``P(W_σ ∈ Ω+_l) / P(W_σ ∈ Ω+_j)`` of the first-jump law (Cor 4.4, eq. 20 corrected).

    ``= m_l (d+_l)^(-α_l) / (m_j (d+_j)^(-α_j))``; with a common ε it scales
    as ``ε^(α_l-α_j)`` (eq. 21), with ``ε_l = η^((α_l-1)/α_l)`` as
    ``η^(α_l-α_j)``.

    Kind: a bound that is violated. Eq. 20 prints ``ε^((α_l-α_j)(1-ρ))``:
    eq. 19 keeps ``m̄_i/β̄_i``, the exit probability *per large jump* of axis
    ``i``, without the factor ``β̄_i/β̄_S``, the share of the large jumps that
    are axis ``i``'s. The exit probability per unit time of an axis is
    ``β_l × eq. 13 = m_l Φ_l``, in which β cancels; the printed ratio lacks
    ``β̄_l/β̄_j = (α_j/α_l) ε^(ρ(α_l-α_j))`` exactly, and falls below the
    simulated ratios when ``α_l < α_j`` (chapter 06).
    """
    al = check_alpha(alpha_l)
    aj = check_alpha(alpha_j)
    cl = levy_constant(al) if c is None else c
    cj = levy_constant(aj) if c is None else c
    num = m_factor(al, eps_l, sigma_l, cl) * check_positive(d_plus_l, "d_plus_l") ** (-al)
    den = m_factor(aj, eps_j, sigma_j, cj) * check_positive(d_plus_j, "d_plus_j") ** (-aj)
    return num / den


def exit_direction_ratio_as_printed(alpha_l, alpha_j, eps, rho, d_plus_l, d_plus_j, sigma_l=1.0, sigma_j=1.0):
    """Cor 4.4, eq. 20 as printed: ``(σ_l^α_l/σ_j^α_j) ε^((α_l-α_j)(1-ρ)) (d+_l)^(-α_l)/(d+_j)^(-α_j)``."""
    al = check_alpha(alpha_l)
    aj = check_alpha(alpha_j)
    r = _check_rho(rho)
    e = check_positive(eps, "eps")
    return (check_positive(sigma_l, "sigma_l") ** al / check_positive(sigma_j, "sigma_j") ** aj
            * e ** ((al - aj) * (1.0 - r))
            * check_positive(d_plus_l, "d_plus_l") ** (-al) / check_positive(d_plus_j, "d_plus_j") ** (-aj))


# --------------------------------------------------------------------------- the printed bounds


def a_constant(alpha, eps, rho, d_minus, d_plus, sigma=1.0):
    """``A_{l,ν} = (1 - m̄_ν β̄_ν^(-1) Φ_ν)(1 - β̄_l β̄_S^(-1))`` (above Thm 4.1), paper convention c = 1.

    The average parameter ν is read as ``α_ν = mean α``, ``σ_ν``, ``ε_ν``,
    ``d±_ν`` the means over axes. ``A = 0`` for one axis (β̄_l = β̄_S).
    """
    a = np.atleast_1d(check_alpha(alpha))
    eps, sg, dm, dp = (np.broadcast_to(np.asarray(v, dtype=float), a.shape) for v in (eps, sigma, d_minus, d_plus))
    beta = 2.0 * eps ** (rho * a) / a
    an, en, sn, dmn, dpn = a.mean(), eps.mean(), sg.mean(), dm.mean(), dp.mean()
    p_nu = m_factor(an, en, sn) * width_factor(an, dmn, dpn) / (2.0 * en ** (rho * an) / an)
    return (1.0 - p_nu) * (1.0 - beta / beta.sum())


def mean_transition_time_thm41_as_printed(alpha, eps, rho, d_minus, d_plus, sigma=1.0, gamma=1.0):
    """Thm 4.1 as printed (paper convention c = 1), ``s_t = t^(γ-1)``::

        E σ_G ≤ Σ_l A_{l,ν}^(-1) β̄_l (m̄_lΦ_l)^(1-C) / (β̄_S (1+(γ-1)(α_l-1))) Γ(C),
        C = (2 + (γ-1)(α_l - 1 + ρ(α_l-α_ν))) / (1 + (γ-1)(α_l-1)).

    Infinite when ``A_{l,ν} = 0`` (one axis). See :func:`mean_exit_time` for the
    derived law.
    """
    a = np.atleast_1d(check_alpha(alpha))
    eps_b, sg, dm, dp = (np.broadcast_to(np.asarray(v, dtype=float), a.shape) for v in (eps, sigma, d_minus, d_plus))
    r = float(_check_rho(rho))
    g = float(gamma)
    A = a_constant(a, eps_b, r, dm, dp, sg)
    beta = 2.0 * eps_b ** (r * a) / a
    mphi = m_factor(a, eps_b, sg) * width_factor(a, dm, dp)
    gl = 1.0 + (g - 1.0) * (a - 1.0)
    C = (2.0 + (g - 1.0) * (a - 1.0 + r * (a - a.mean()))) / gl
    with np.errstate(divide="ignore"):
        terms = np.where(A > 0, beta * mphi ** (1.0 - C) / (beta.sum() * gl) * special.gamma(C) / np.where(A > 0, A, 1.0), np.inf)
    return float(terms.sum())


def mean_transition_time_cor42_as_printed(alpha, eps, rho, d_minus, d_plus, sigma=1.0):
    """Cor 4.2 (eq. 16) as reconstructed from Thm 4.1 at γ = 1: ``Σ_l A_{l,ν}^(-1) (β̄_l/β̄_S) / (m̄_l Φ_l)``.

    Eq. 16 as printed reads ``Σ A^(-1) (1/β_S) 1ᵀλ̄_l ε^(α_l(1-ρ)) Φ_l``; with
    ``m̄ = λ̄^α ε^α/α`` and ``β̄ = 2ε^(ρα)/α`` the γ → 1 limit of Thm 4.1 is
    ``A^(-1) 2/(β_S λ̄^α ε^(α(1-ρ)) Φ)``, i.e. ``1ᵀλ̄_l ε^(α_l(1-ρ)) Φ_l`` in the
    denominator; we evaluate that limit.
    """
    return mean_transition_time_thm41_as_printed(alpha, eps, rho, d_minus, d_plus, sigma, gamma=1.0)


def survival_thm45_as_printed(u, alpha, eps, rho, d_minus, d_plus, sigma=1.0, gamma=1.0):
    """Thm 4.5 (eq. 22) as printed: ``Σ_l A^(-1) β̄_l m̄_lΦ_l / (β̄_S γ_l (m̄_lΦ_l)^κ) Γ(κ, m̄_lΦ_l u^γ_l)``.

    ``γ_l = 1 + (γ-1)(α_l-1)``, ``κ = (1 + (γ-1)(α_l-1+ρ(α_l-α_ν)))/γ_l``,
    ``Γ(κ, x)`` the upper incomplete gamma function.
    """
    a = np.atleast_1d(check_alpha(alpha))
    eps_b, sg, dm, dp = (np.broadcast_to(np.asarray(v, dtype=float), a.shape) for v in (eps, sigma, d_minus, d_plus))
    r = float(_check_rho(rho))
    g = float(gamma)
    u = np.asarray(check_positive(u, "u", allow_zero=True))
    A = a_constant(a, eps_b, r, dm, dp, sg)
    beta = 2.0 * eps_b ** (r * a) / a
    mphi = m_factor(a, eps_b, sg) * width_factor(a, dm, dp)
    gl = 1.0 + (g - 1.0) * (a - 1.0)
    kap = (1.0 + (g - 1.0) * (a - 1.0 + r * (a - a.mean()))) / gl
    ug = np.power.outer(u, gl)
    upper = special.gammaincc(kap, mphi * ug) * special.gamma(kap)
    with np.errstate(divide="ignore"):
        coef = np.where(A > 0, beta * mphi / (beta.sum() * gl * mphi ** kap) / np.where(A > 0, A, 1.0), np.inf)
    return (coef * upper).sum(-1)


def survival_cor46_as_printed(u, alpha, eps, rho, d_minus, d_plus, sigma=1.0):
    """Cor 4.6 (eq. 23) as printed: ``P(σ > u) ≤ Σ_l A_{l,ν}^(-1) (β̄_l/β̄_S) e^(-m̄_lΦ_l u)`` (c = 1).

    Kind: a bound that holds but is loose: a mixture of per-axis exponentials
    with different rates, weighted by ``A^(-1)``, which stays above 1 for u
    up to one to two mean exit times (chapter 06); the derived law is one exponential
    ``exp(-u Σ_l m_lΦ_l)`` (:func:`survival_probability`).
    """
    return survival_thm45_as_printed(u, alpha, eps, rho, d_minus, d_plus, sigma, gamma=1.0)


# --------------------------------------------------------------------------- classical anchors


def imkeller_pavlyukevich_mean_exit_time(alpha, eps, a, b, sigma=1.0, c=None):
    """Mean first exit time from ``(-b, a)`` of ``dX = -U'(X)dt + εσ dL`` (small ε), 1-D.

    Imkeller & Pavlyukevich :cite:`imkeller2006first`: for a potential with a
    single non-degenerate minimum at 0 inside ``(-b, a)`` and ``L`` with Lévy
    density ``c |y|^(-1-α)``, ``σ(ε) (εσ)^α c (a^(-α) + b^(-α))/α`` converges
    in law to Exp(1), so ``E σ ≈ α / (c (εσ)^α (a^(-α) + b^(-α)))``. Default
    ``c = levy_constant(alpha)`` (standard SαS driver).
    """
    al = check_alpha(alpha)
    if np.any(al >= 2):
        raise ValueError("the Imkeller–Pavlyukevich law needs alpha < 2 (use kramers_mean_transition_time)")
    e = check_positive(eps, "eps")
    a_ = check_positive(a, "a")
    b_ = check_positive(b, "b")
    sg = check_positive(sigma, "sigma")
    cc = levy_constant(al) if c is None else check_positive(c, "c")
    return al / (cc * (e * sg) ** al * (a_ ** (-al) + b_ ** (-al)))


def imkeller_pavlyukevich_exit_probabilities(alpha, a, b):
    """Exit through the right / left end of ``(-b, a)``: ``a^(-α)/(a^(-α)+b^(-α))`` and ``b^(-α)/(…)`` :cite:`imkeller2006first`."""
    al = check_alpha(alpha)
    ra = check_positive(a, "a") ** (-al)
    rb = check_positive(b, "b") ** (-al)
    return ra / (ra + rb), rb / (ra + rb)


def kramers_mean_transition_time(barrier, curvature_min, curvature_saddle, eps, sigma=1.0):
    """Kramers' law :cite:`kramers1940brownian` for α = 2: ``2π/√(U''(x_min)|U''(x_s)|) · exp(ΔU/D)``.

    Mean time to cross the barrier ``ΔU`` (to a point beyond the saddle) for
    ``dX = -U'(X)dt + √(2D) dB``. In the SαS convention of this package
    ``L_t`` at α = 2 is ``√2 B_t`` (variance 2t), so ``εσ dL = √2 εσ dB`` and
    ``D = (εσ)²``. ``curvature_saddle`` is ``|U''|`` at the barrier top.
    """
    du = check_positive(barrier, "barrier")
    k1 = check_positive(curvature_min, "curvature_min")
    k2 = check_positive(np.abs(curvature_saddle), "curvature_saddle")
    D = (check_positive(eps, "eps") * check_positive(sigma, "sigma")) ** 2
    return 2.0 * np.pi / np.sqrt(k1 * k2) * np.exp(du / D)


def mean_first_passage_time_diffusion(potential, x0, b, D, lower, n_grid=20001):
    """Exact mean first passage time from ``x0`` to ``b > x0`` of ``dX = -U'(X)dt + √(2D) dB``.

    ``T = (1/D) ∫_{x0}^{b} e^(U(y)/D) ∫_{lower}^{y} e^(-U(z)/D) dz dy`` with a
    reflecting end at ``lower`` (take it where ``U`` is large; e.g. Gardiner,
    *Handbook of Stochastic Methods*, Sec. 5.2.7). ``potential`` is a numpy
    callable ``U``. Kramers' law is its small-D limit.
    """
    Dv = float(check_positive(D, "D"))
    x0, b, lower = float(x0), float(b), float(lower)
    if not lower < x0 < b:
        raise ValueError(f"need lower < x0 < b; got lower={lower}, x0={x0}, b={b}")
    z = np.linspace(lower, b, int(n_grid))
    Uz = np.asarray(potential(z), dtype=float)
    if not np.isfinite(Uz).all():
        raise ValueError("potential returned NaN or inf on the grid")
    u0 = Uz.min()
    with np.errstate(under="ignore"):
        inner = integrate.cumulative_trapezoid(np.exp(-(Uz - u0) / Dv), z, initial=0.0)
    mask = z >= x0
    expo = (Uz[mask] - u0) / Dv
    if expo.max() > 700:
        raise ValueError(f"barrier/D = {expo.max():.0f} overflows float64; D is too small")
    outer = np.exp(expo) * inner[mask]
    return float(integrate.trapezoid(outer, z[mask]) / Dv)


def eps_for_mean_exit_time(mean, alpha, d_minus, d_plus, sigma=1.0, gamma=1.0, c=None):
    """The common noise amplitude ε for which :func:`mean_exit_time` equals ``mean``.

    One axis and γ = 1 in closed form, ``ε = (α / (c σ^α Φ mean))^(1/α)``
    (inverse of Cor 4.2 derived); otherwise the root in ``log ε`` of the
    strictly decreasing ``mean_exit_time`` (Brent's method).
    """
    target = float(check_positive(mean, "mean"))
    a = np.atleast_1d(check_alpha(alpha))
    if np.any(a >= 2):
        raise ValueError(f"alpha must be < 2 (no jumps at 2, no exit law to invert); got {alpha!r}")
    if a.size == 1 and float(gamma) == 1.0 and np.ndim(sigma) == 0 and np.size(d_minus) == 1 and np.size(d_plus) == 1:
        cc = levy_constant(a) if c is None else check_positive(c, "c")
        phi = width_factor(a, d_minus, d_plus)
        sg = check_positive(sigma, "sigma")
        return float(((a / (cc * sg ** a * phi * target)) ** (1.0 / a))[0])

    def gap(log_eps):
        return math.log(mean_exit_time(a, math.exp(log_eps), d_minus, d_plus, sigma, gamma, c)) - math.log(target)

    lo, hi = -5.0, 5.0
    while gap(lo) < 0:
        lo -= 10.0
        if lo < -200:
            raise ValueError(f"no eps gives mean exit time {mean!r}")  # pragma: no cover
    while gap(hi) > 0:
        hi += 10.0
        if hi > 200:
            raise ValueError(f"no eps gives mean exit time {mean!r}")  # pragma: no cover
    return float(math.exp(optimize.brentq(gap, lo, hi, xtol=1e-12)))


# --------------------------------------------------------------------------- what differs from the printed statements


#: The five kinds of difference between a printed statement and what eq. 3 implies (module docstring).
DISCREPANCY_KINDS = (
    "normalisation convention",
    "internal inconsistency",
    "typo",
    "bound holds but is loose",
    "bound is violated",
)


@dataclass(frozen=True)
class Discrepancy:
    """One printed statement of the paper that differs from what eq. 3 implies.

    ``item``: the paper's equation or result; ``kind``: one of
    :data:`DISCREPANCY_KINDS`; ``printed``: what the paper prints; ``used``:
    what :mod:`sgnlib.theory` uses (and the function); ``checked``: where the
    book compares the two.
    """

    item: str
    kind: str
    printed: str
    used: str
    checked: str

    def __post_init__(self):
        if self.kind not in DISCREPANCY_KINDS:
            raise ValueError(f"kind must be one of {DISCREPANCY_KINDS}; got {self.kind!r}")


#: Every difference between the printed statements of Secs. 3–4 and the forms this module uses.
DISCREPANCIES = (
    Discrepancy("eq. P12 (Lévy measure)", "normalisation convention",
                "ν(dy) = |y|^(−1−α) dy, scale of L not fixed",
                "ν(dy) = c_α |y|^(−1−α) dy of standard SαS (c= argument); the same process once L's scale is c_α^(−1/α)",
                "ch. 05, jump intensity"),
    Discrepancy("eq. P13, m_l", "internal inconsistency",
                "m_l = 1ᵀλ_l ε^α/α (Thm 4.1: m̄_l = λ̄^α ε^α/α)",
                "m_l = c (σε)^α/α: eq. P3 depends on σ, ε only through σε (m_factor)",
                "ch. 06, every exit law"),
    Discrepancy("eq. P13, left side", "internal inconsistency",
                "P(s_t ε 1ᵀλ J ∉ [d−, d+]): jump scaled by s_t",
                "jump scaled by s_t^((α−1)/α), as in eq. P3 and the right side (first_jump_exit_probability)",
                "ch. 05, exit per large jump"),
    Discrepancy("Lemma 3.3 (eq. P10)", "internal inconsistency",
                "E[Z^l Z^j] ≈ w_l w_j e^(−(h_ll+h_jj)t) + A_jl + A_lj, A ∝ μ_ξ = 2t(ε̄^(−ρ(1−α))−1)/(1−α) > 0",
                "w_l w_j e^(−(h_ll+h_jj)t): the paper's L is mean-zero SαS, so the small jumps are mean-zero (lemma33_product_mean)",
                "ch. 05, small-jump covariance"),
    Discrepancy("Prop 3.4 (eq. P11), normalisation", "normalisation convention",
                "(1/D)Σ_j ū_lj + Σ h̄ E[Z^m Z^p], h̃ = (1/B)Σ_b h_b,lm h_b,pj: both terms per example",
                "(D−B)/(B(D−1)) × eq. P11 = row sums of eq. P2's covariance of a mini-batch mean drawn without "
                "replacement (studies.noise_covariance.expansion_terms)",
                "ch. 05, noise covariance near a minimum"),
    Discrepancy("Prop 3.4 (eq. P11), ū", "typo",
                "defines ũ_l = Σ_j ∇u_l∇u_j, uses ū_lj",
                "ū_lj = Σ_d u_d,l u_d,j over the D examples at W* (the per-example second moment)",
                "ch. 05, noise covariance near a minimum"),
    Discrepancy("Prop 3.4 (eq. P11), first-order term", "internal inconsistency",
                "no term linear in Z_t: only E[Z^m Z^p] enters",
                "g_d(W*) + H_d z gives 2 Sym Cov(g_d(W*), (H_d − H)E[z])1 = O(|z|); Lemma 3.3 starts Z at w ≠ W* "
                "(E[Z_t] = e^(−Ht)w ≠ 0), so it outweighs the kept O(|z|²) term (studies.noise_covariance.expansion_terms, r1)",
                "ch. 05, noise covariance near a minimum"),
    Discrepancy("eq. P15", "typo",
                "E[S_k] = (α/2) s_t^(−ρα) ε^(−ρα)",
                "1/β_l ∝ s_t^(−ρ(α−1)), the inverse of eq. P12 (mean_interjump_time)",
                "ch. 05, jumps under a schedule"),
    Discrepancy("Thm 4.1 / Cor 4.2 (eq. P16)", "bound holds but is loose",
                "Σ_l A_{l,ν}^(−1) (β_l/β_S) × per-axis time; A = 0 for one axis",
                "one time 1/Σ_l m_lΦ_l (Weibull mean for γ < 1) (mean_exit_time)",
                "ch. 06 (γ = 1, exit direction); ch. 05 (γ < 1, two axes)"),
    Discrepancy("eq. P17 (η-expansion of eq. P16)", "internal inconsistency",
                "denominator Σ_i C_{l,i} η^((α_l−α_i)/2) + O(η^(1+(α−1)/α)): tends to a constant as η → 0 at equal α",
                "eq. P16 (and the derived law) give E σ ∝ η^(−(α−1)) at equal α (mean_exit_time)",
                "ch. 05, escape time against η"),
    Discrepancy("Cor 4.6 (eq. P23)", "bound holds but is loose",
                "Σ_l A_{l,ν}^(−1) (β_l/β_S) e^(−m_lΦ_l u), above 1 for u up to one to two mean exit times",
                "exp(−u Σ_l m_lΦ_l) (survival_probability)",
                "ch. 06, law of the exit time"),
    Discrepancy("eqs. P19–P20 (Thm 4.3, Cor 4.4)", "bound is violated",
                "exit ratio ≤ (σ_l^α_l/σ_j^α_j) ε^((α_l−α_j)(1−ρ)) d-ratio: β_i/β_S missing",
                "m_l d_l^(−α_l) / (m_j d_j^(−α_j)) ∝ ε^(α_l−α_j) (exit_direction_ratio)",
                "ch. 06, exit direction"),
)


def discrepancy_table():
    """:data:`DISCREPANCIES` as a pandas table: ``paper, kind, printed, used here, checked in``."""
    import pandas as pd

    return pd.DataFrame([{"paper": d.item, "kind": d.kind, "printed": d.printed, "used here": d.used,
                          "checked in": d.checked} for d in DISCREPANCIES])
