"""Tests of sgnlib.theory against hand-computed values and limiting cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sgnlib import stable, theory


def test_levy_constant_values_and_sas_tail():
    """c_α = Γ(1+α) sin(πα/2)/π (Samorodnitsky–Taqqu 1.2.15): c_1 = 1/π, c_2 = 0, and the
    standard SαS tail P(|X| > x) ≈ 2 c_α x^(−α)/α (checked on 10^6 draws within 4 SE)."""
    assert theory.levy_constant(1.0) == pytest.approx(1 / math.pi)
    assert theory.levy_constant(2.0) == pytest.approx(0.0, abs=1e-15)
    assert theory.levy_constant(1.5) == pytest.approx(math.gamma(2.5) * math.sin(0.75 * math.pi) / math.pi)
    alpha, x, n = 1.5, 50.0, 1_000_000
    s = stable.sample(alpha, size=n, rng=0)
    p = 2 * theory.levy_constant(alpha) / alpha * x ** -alpha
    k = int((np.abs(s) > x).sum())
    assert abs(k - n * p) < 4 * math.sqrt(n * p)


def test_jump_intensity_eq12_hand_value():
    """Eq. 12: β = (2/α) s^(ρ(α−1)) ε^(ρα); α = 1.5, ε = 0.01, ρ = ½: O = 10, β = (4/3)·10^(−1.5)."""
    assert theory.jump_threshold(0.01, 1.5, 0.5) == pytest.approx(10.0)
    assert theory.jump_intensity(1.5, 0.01, 0.5) == pytest.approx(4 / 3 * 10 ** -1.5)
    a, e, r, s = 1.2, 0.05, 0.3, 0.4
    assert theory.jump_intensity(a, e, r, s) == pytest.approx(2 / a * s ** (r * (a - 1)) * e ** (r * a))
    assert theory.jump_intensity(a, e, r, s, c=0.5) == pytest.approx(0.5 * theory.jump_intensity(a, e, r, s))


def test_mean_interjump_time_eq15_is_inverse_intensity():
    """Eq. 15: E[S_k] = 1/β_l = (α/2) ε^(−ρα) at s = 1."""
    assert theory.mean_interjump_time(1.5, 0.01, 0.5) == pytest.approx(0.75 * 0.01 ** -0.75)


def test_width_factor_and_first_jump_probability_eq13():
    """Eq. 13: Φ = (−d−)^(−α) + (d+)^(−α); P(first jump exits) = mΦ s^(α−1)/β = (σε̄)^α Φ ε̄^(−ρα)/2."""
    assert theory.width_factor(2.0, -1.0, 2.0) == pytest.approx(1.25)
    assert theory.width_factor(1.0, -0.5, np.inf) == pytest.approx(2.0)
    a, e, r, sg = 1.5, 0.01, 0.5, 2.0
    p = theory.first_jump_exit_probability(a, e, r, -1.0, 2.0, sigma=sg)
    assert p == pytest.approx((sg * e) ** a * (1 + 2 ** -a) * e ** (-r * a) / 2)
    with pytest.raises(ValueError):
        theory.width_factor(1.5, 1.0, 2.0)


def test_lemma31_and_prop32_and_relaxation_time():
    """Eq. 6 at t = 0 is 2Ũ/μ; eq. 9's exponent θ̄ = −ρ(1−α) + 2 − 2θ; eq. 14 for U = μy²/2
    is ln(max(−d−, d+)/ε̄^ζ)/μ (quadrature and closed form agree) and is ≤ C₁|ln ε̄|."""
    assert theory.lemma31_bound(3.0, 2.0, 0.0) == pytest.approx(3.0)
    assert theory.lemma31_bound(3.0, 2.0, 1.0) == pytest.approx(3.0 * math.exp(-4.0))
    assert theory.prop32_exponent(1.5, 0.5, 0.1) == pytest.approx(-0.5 * (1 - 1.5) + 2 - 0.2)
    with pytest.raises(ValueError, match="theta"):
        theory.prop32_exponent(1.5, 0.5, 0.2)
    mu, eb, z = 2.0, 0.01, 0.5
    closed = theory.relaxation_time(-1.0, 2.0, eb, z, mu=mu)
    assert closed == pytest.approx(math.log(2.0 / eb ** z) / mu)
    quad = theory.relaxation_time(-1.0, 2.0, eb, z, grad=lambda y: mu * y)
    assert quad == pytest.approx(closed, rel=1e-6)
    assert closed <= theory.relaxation_time_bound(eb, c1=1.0)


def test_cor42_derived_equals_imkeller_pavlyukevich_in_1d():
    """Cor 4.2 (derived, γ = 1): E σ = 1/Σ m_lΦ_l, which in 1-D is the Imkeller–Pavlyukevich law."""
    a, e, sg = 1.3, 0.02, 1.7
    m = theory.mean_exit_time(a, e, -0.7, 1.2, sigma=sg)
    ip = theory.imkeller_pavlyukevich_mean_exit_time(a, e, a=1.2, b=0.7, sigma=sg)
    assert m == pytest.approx(ip)
    # two axes: rates add
    m2 = theory.mean_exit_time([1.3, 1.8], [e, e], [-0.7, -1], [1.2, 1])
    r1 = 1 / theory.mean_exit_time(1.3, e, -0.7, 1.2)
    r2 = 1 / theory.mean_exit_time(1.8, e, -1, 1)
    assert m2 == pytest.approx(1 / (r1 + r2))


def test_mean_exit_time_schedule_limits():
    """Thm 4.1 (derived): continuous as γ → 1; the 1-axis closed form equals quadrature of the
    survival function; smaller γ lengthens the escape; at α = 1 the schedule has no effect."""
    a, e = 1.5, 0.05
    assert theory.mean_exit_time(a, e, -1, 1, gamma=0.9999) == pytest.approx(theory.mean_exit_time(a, e, -1, 1), rel=1e-3)
    g = 0.6
    closed = theory.mean_exit_time(a, e, -1, 1, gamma=g)
    u = np.linspace(0, 50 * closed, 400001)
    num = np.trapezoid(theory.survival_probability(u, a, e, -1, 1, gamma=g), u)
    assert closed == pytest.approx(num, rel=1e-4)
    # multi-axis quadrature with a negligible second axis → the 1-axis value
    multi = theory.mean_exit_time([a, 1.9], [e, 1e-6], [-1, -1], [1, 1], gamma=g)
    assert multi == pytest.approx(closed, rel=1e-4)
    times = [theory.mean_exit_time(a, e, -1, 1, gamma=x) for x in (1.0, 0.8, 0.6, 0.4)]
    assert all(x < y for x, y in zip(times, times[1:]))
    assert theory.mean_exit_time(1.0, e, -1, 1, gamma=0.5) == pytest.approx(theory.mean_exit_time(1.0, e, -1, 1))


def test_survival_cor46_exponential_at_gamma_1():
    """Cor 4.6 (derived): P(σ > u) = exp(−u/Eσ) at γ = 1."""
    a, e = 1.4, 0.03
    m = theory.mean_exit_time(a, e, -1, 2)
    u = np.array([0.0, 0.5 * m, 2 * m])
    assert np.allclose(theory.survival_probability(u, a, e, -1, 2), np.exp(-u / m))


def test_exit_direction_probabilities_and_ratio_eq19_21():
    """Thm 4.3 / Cor 4.4 (derived): side probabilities sum to 1, are equal for equal axes,
    their ratio equals exit_direction_ratio, and with ε_l = η^((α_l−1)/α_l) the ratio
    scales as η^(α_l−α_j) (eq. 21)."""
    P = theory.exit_direction_probabilities([1.5, 1.5], 0.01, [-1, -1], [1, 1])
    assert P.sum() == pytest.approx(1.0)
    assert np.allclose(P, 0.25)
    al, aj = 1.2, 1.8
    P = theory.exit_direction_probabilities([al, aj], [0.01, 0.02], [-1, -1], [0.5, 1.0])
    ratio = theory.exit_direction_ratio(al, aj, 0.01, 0.02, 0.5, 1.0)
    assert P[0, 1] / P[1, 1] == pytest.approx(ratio)

    def r(eta):
        return theory.exit_direction_ratio(al, aj, theory.noise_epsilon(eta, al), theory.noise_epsilon(eta, aj), 1, 1)

    assert r(1e-3) / r(1e-4) == pytest.approx(10 ** (al - aj))
    printed = theory.exit_direction_ratio_as_printed(al, aj, 0.01, 0.5, 1.0, 1.0)
    assert printed == pytest.approx(0.01 ** ((al - aj) * 0.5))


def test_printed_thm41_cor42_cor46_structure():
    """Thm 4.1 / Cor 4.2 / Cor 4.6 as printed: A_{l,ν} = 0 for one axis (bound = ∞); for two
    axes Cor 4.2 = Σ A⁻¹(β̄_l/β̄_S)/(m̄_lΦ_l) and Cor 4.6 at u = 0 is Σ A⁻¹ β̄_l/β̄_S."""
    assert theory.mean_transition_time_thm41_as_printed(1.5, 0.01, 0.5, -1, 1) == math.inf
    a = np.array([1.3, 1.7])
    e, r = 0.01, 0.5
    A = theory.a_constant(a, e, r, -1, 1)
    assert (A > 0).all()
    beta = 2 * e ** (r * a) / a
    mphi = theory.m_factor(a, e) * theory.width_factor(a, -1, 1)
    expect = np.sum(beta / beta.sum() / mphi / A)
    assert theory.mean_transition_time_cor42_as_printed(a, e, r, -1, 1) == pytest.approx(expect)
    s0 = theory.survival_cor46_as_printed(0.0, a, e, r, -1, 1)
    assert s0 == pytest.approx(np.sum(beta / beta.sum() / A))
    u = np.array([10.0, 1e3])
    s = theory.survival_cor46_as_printed(u, a, e, r, -1, 1)
    assert np.allclose(s, (beta / beta.sum() / A * np.exp(-np.outer(u, mphi))).sum(-1))


def test_kramers_is_small_noise_limit_of_exact_mfpt():
    """Kramers' law (α = 2, D = ε²): exact MFPT / Kramers → 1 as D → 0, with error O(D)."""
    h = 0.25
    U = lambda x: h * (x ** 2 - 1) ** 2  # noqa: E731
    ratios = []
    for D in (0.1, 0.05, 0.02, 0.01):
        ex = theory.mean_first_passage_time_diffusion(U, -1.0, 1.0, D, -3.0)
        kr = theory.kramers_mean_transition_time(h, 8 * h, 4 * h, math.sqrt(D))
        ratios.append(ex / kr)
    assert all(x > y for x, y in zip(ratios, ratios[1:]))
    assert abs(ratios[-1] - 1) < 0.03
    # exponential in the barrier: doubling ΔU/D squares the Arrhenius factor
    k1 = theory.kramers_mean_transition_time(1.0, 1.0, 1.0, 1.0)
    k2 = theory.kramers_mean_transition_time(2.0, 1.0, 1.0, 1.0)
    assert k2 / k1 == pytest.approx(math.e)


def test_imkeller_pavlyukevich_values():
    """Imkeller–Pavlyukevich: E σ = α/(c (εσ)^α (a^−α + b^−α)); symmetric interval → P(right) = ½; α = 2 rejected."""
    assert theory.imkeller_pavlyukevich_mean_exit_time(1.0, 0.1, 1.0, 1.0) == pytest.approx(1 / (0.1 / math.pi * 2))
    assert theory.imkeller_pavlyukevich_exit_probabilities(1.3, 2.0, 2.0)[0] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        theory.imkeller_pavlyukevich_mean_exit_time(2.0, 0.1, 1, 1)


def test_bad_input():
    """Bad input → ValueError: α ∉ (0, 2], ρ ∉ (0, 1), d− ≥ 0, non-positive ε."""
    with pytest.raises(ValueError, match="alpha"):
        theory.jump_intensity(2.5, 0.1, 0.5)
    with pytest.raises(ValueError, match="rho"):
        theory.jump_intensity(1.5, 0.1, 1.0)
    with pytest.raises(ValueError, match="d_minus"):
        theory.mean_exit_time(1.5, 0.1, 0.5, 1.0)
    with pytest.raises(ValueError, match="eps"):
        theory.mean_exit_time(1.5, -0.1, -1, 1.0)
    with pytest.raises(ValueError, match="gamma"):
        theory.mean_exit_time(1.5, 0.1, -1, 1.0, gamma=1.5)
