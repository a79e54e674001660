"""Tests of sgnlib.sde: the Euler scheme of eq. 3, exit bookkeeping and the classical exit laws."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from sgnlib import sde, theory


def _quad1():
    return sde.quadratic([1.0])


# --------------------------------------------------------------------------- seeding


def test_same_seed_same_paths_and_different_seed_differs():
    """Seeding rule (CONTRIBUTING): same seed on the CPU → same numbers; another seed → others."""
    kw = dict(alpha=[1.3, 1.7], dt=0.05, horizon=50.0, n_paths=300, eps=0.1,
              domain=sde.Box([-1, -1], [1, 1]), rho=0.5, record_jumps=True)
    pot = sde.quadratic([1.0, 2.0])
    a = sde.simulate(pot, [0.0, 0.0], generator=11, **kw)
    b = sde.simulate(pot, [0.0, 0.0], generator=torch.Generator().manual_seed(11), **kw)
    c = sde.simulate(pot, [0.0, 0.0], generator=12, **kw)
    assert torch.equal(a.exit_time, b.exit_time)
    assert torch.equal(a.position, b.position)
    assert torch.equal(a.jumps["size"], b.jumps["size"])
    assert not torch.equal(a.exit_time, c.exit_time)


# --------------------------------------------------------------------------- Lemma 3.1


def test_lemma_3_1_deterministic_process_on_quadratic():
    """Lemma 3.1 (eq. 6): with no noise ‖Y_t − W*‖² ≤ (2Ũ/μ) e^(−2μt), and the decay rate is 2μ."""
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    wstar = np.array([0.3, -0.2])
    pot = sde.quadratic(H, minimum=wstar)
    w0 = np.array([1.0, -0.5])
    dt = 1e-3
    r = sde.simulate(pot, w0, alpha=1.5, sigma=0.0, dt=dt, horizon=4.0, record_every=10)
    y = r.trajectory[:, 0, :].numpy()
    d2 = ((y - wstar) ** 2).sum(-1)
    mu = np.linalg.eigvalsh(H).min()
    u_tilde = 0.5 * (w0 - wstar) @ H @ (w0 - wstar)
    bound = theory.lemma31_bound(u_tilde, mu, r.times)
    assert (d2 <= bound * (1 + 1e-12)).all()
    # the slowest mode sets the rate: log-slope at late times -> -2μ (Euler: 2 log(1-μ dt)/dt)
    late = r.times > 2.0
    slope = np.polyfit(r.times[late], np.log(d2[late]), 1)[0]
    assert slope == pytest.approx(2 * math.log(1 - mu * dt) / dt, rel=2e-2)


# --------------------------------------------------------------------------- first exit laws


@pytest.mark.parametrize("alpha,eps,dt", [(0.8, 0.02, 0.1), (1.0, 0.02, 0.1), (1.5, 0.03, 0.05)])
def test_imkeller_pavlyukevich_mean_exit_time_and_side(alpha, eps, dt):
    """Imkeller–Pavlyukevich law: E σ ≈ α/(c_α ε^α (a^−α + b^−α)) and P(exit right) = a^−α/(a^−α + b^−α).

    2000 paths from (−1, 0.5) (= (−b, a)); the exit time is close to exponential, so
    the standard error of the mean is ≈ mean/√2000 ≈ 2.2 %; we allow 4 standard errors
    (the small-noise bias at these ε was measured below 2 %). The side frequency is
    binomial, allowed 4 standard errors.
    """
    n = 2000
    r = sde.simulate(_quad1(), [0.0], alpha=alpha, dt=dt, horizon=1e5, n_paths=n, eps=eps,
                     domain=sde.Box([-1.0], [0.5]), generator=7)
    assert bool(r.exited.all())
    m, se = sde.empirical_mean_exit_time(r)
    ip = theory.imkeller_pavlyukevich_mean_exit_time(alpha, eps, a=0.5, b=1.0)
    assert abs(m - ip) < 4 * se, (m, se, ip)
    p_right, _ = theory.imkeller_pavlyukevich_exit_probabilities(alpha, 0.5, 1.0)
    f = float((r.exit_side == 1).double().mean())
    assert abs(f - p_right) < 4 * math.sqrt(p_right * (1 - p_right) / n)
    # the exit position is outside on the reported side
    pos = r.position[:, 0]
    assert bool(((r.exit_side == 1) == (pos >= 0.5)).all())
    assert bool(((r.exit_side == -1) == (pos <= -1.0)).all())


def test_alpha_2_matches_exact_diffusion_mfpt_and_kramers_limit():
    """α = 2 (L = √2 B, D = ε²): mean transition time of the double well vs the exact
    mean-first-passage integral (within 4 standard errors), whose ratio to Kramers'
    law 2π/√(U''_min |U''_s|) e^(ΔU/D) is 1 + O(D)."""
    h = 0.25
    pot = sde.double_well(h, 1.0)
    D = h / 3.0
    eps = math.sqrt(D)
    r = sde.simulate(pot, [-1.0], alpha=2.0, dt=0.05, horizon=1e4, n_paths=1500, eps=eps,
                     domain=sde.Box([-4.0], [1.0]), generator=3)
    m, se = sde.empirical_mean_exit_time(r)
    exact = theory.mean_first_passage_time_diffusion(lambda x: h * (x ** 2 - 1) ** 2, -1.0, 1.0, D, -3.0)
    assert abs(m - exact) < 4 * se, (m, se, exact)
    kr = theory.kramers_mean_transition_time(h, 8 * h, 4 * h, eps)
    assert 1.0 < exact / kr < 1.3  # Kramers is the D → 0 asymptote; at ΔU/D = 3 it is ~16 % low


def test_censored_paths_are_reported_not_dropped():
    """σ_G censoring: paths inside at the horizon keep exit_time = horizon, axis −1, side 0;
    the exited fraction matches 1 − exp(−T/Eσ) (exponential IP law) within 4 binomial SE."""
    n, alpha, eps, T = 2000, 1.0, 0.02, 10.0
    r = sde.simulate(_quad1(), [0.0], alpha=alpha, dt=0.1, horizon=T, n_paths=n, eps=eps,
                     domain=sde.Box([-1.0], [1.0]), generator=5)
    assert r.exit_time.shape == (n,)
    cens = r.censored
    assert 0 < int(cens.sum()) < n
    assert bool((r.exit_time[cens] == r.horizon).all())
    assert bool((r.exit_axis[cens] == -1).all()) and bool((r.exit_side[cens] == 0).all())
    assert bool((r.position[cens].abs() < 1.0).all())
    assert bool((r.exit_time[~cens] <= r.horizon).all())
    ip = theory.imkeller_pavlyukevich_mean_exit_time(alpha, eps, 1.0, 1.0)
    p = 1 - math.exp(-T / ip)
    f = float(r.exited.double().mean())
    assert abs(f - p) < 4 * math.sqrt(p * (1 - p) / n) + 0.01
    with pytest.raises(ValueError, match="censored"):
        sde.empirical_mean_exit_time(r)
    m, _ = sde.empirical_mean_exit_time(r, allow_censored=True)
    assert m > T


def _drift(v):
    v_t = torch.tensor(v, dtype=torch.float64)
    return sde.Potential(lambda w: -(w * v_t).sum(-1), lambda w: -v_t.expand_as(w), name="linear")


def test_exit_axis_side_and_time_bookkeeping_box_and_ball():
    """σ_G, exit axis and side: a constant drift v with no noise leaves the box [−1,1]² at
    t = 1/|v_l| through the axis and side of v; the ball uses the largest |w_l| (Fig. 6 rule)."""
    for v, axis, side in [([0.0, -2.0], 1, -1), ([1.0, 0.2], 0, 1), ([-0.1, 4.0], 1, 1)]:
        r = sde.simulate(_drift(v), [0.0, 0.0], alpha=1.5, sigma=0.0, dt=1e-3, horizon=5.0, n_paths=3,
                         domain=sde.Box([-1, -1], [1, 1]))
        t_exit = 1.0 / max(abs(x) for x in v)
        assert bool(r.exited.all())
        assert r.exit_time[0].item() == pytest.approx(t_exit, abs=2e-3)
        assert r.exit_axis.tolist() == [axis] * 3 and r.exit_side.tolist() == [side] * 3
    r = sde.simulate(_drift([3.0, -1.0]), [0.0, 0.0], alpha=1.5, sigma=0.0, dt=1e-3, horizon=5.0,
                     domain=sde.Ball([0.0, 0.0], 0.5))
    assert r.exit_axis.item() == 0 and r.exit_side.item() == 1
    assert r.exit_time.item() == pytest.approx(0.5 / math.sqrt(10.0), abs=2e-3)


def test_autograd_potential_matches_analytic_gradient():
    """A user-defined potential (energy only, gradient by autograd) gives the same paths as the analytic one."""
    kw = dict(alpha=1.5, dt=0.05, horizon=5.0, n_paths=50, eps=0.1, domain=sde.Box([-1.0], [1.0]), generator=2)
    a = sde.simulate(_quad1(), [0.1], **kw)
    b = sde.simulate(lambda w: 0.5 * (w * w).sum(-1), [0.1], **kw)
    assert torch.allclose(a.position, b.position)


# --------------------------------------------------------------------------- large jumps (Sec. 3.2)


def test_large_jump_counts_poisson_with_rate_beta():
    """Eq. 12: increments |ΔL| > O = ε^(−ρ) arrive as a Poisson process of rate β = (2c_α/α) O^(−α):
    mean count βT within 4 SE, dispersion index ≈ 1, inter-arrival times Exp(β) (KS)."""
    alpha, eps, rho, T, n = 1.5, 0.1, 0.5, 200.0, 400
    r = sde.simulate(_quad1(), [0.0], alpha=alpha, dt=0.05, horizon=T, n_paths=n, eps=eps, rho=rho,
                     record_jumps=True, generator=9)
    beta = theory.jump_intensity(alpha, eps, rho, c=theory.levy_constant(alpha))
    assert r.jump_threshold[0] == pytest.approx(eps ** -rho)
    k = r.n_large_jumps[:, 0].double().numpy()
    lam = beta * T
    assert abs(k.mean() - lam) < 4 * math.sqrt(lam / n), (k.mean(), lam)
    assert abs(k.var(ddof=1) / k.mean() - 1) < 4 * math.sqrt(2 / (n - 1))
    t = r.jumps["time"].numpy()
    assert len(t) == int(k.sum())
    assert (np.abs(r.jumps["size"].numpy()) > eps ** -rho).all()
    # inter-arrival times, only those starting before T/2 (sde.jump_gaps): no length bias
    gaps = sde.jump_gaps(r)
    assert stats.kstest(gaps, "expon", args=(0, 1 / beta)).pvalue > 1e-3


def test_small_jumps_only_removes_large_increments():
    """Eq. 8: the small-jump process Z has no increment above O, so |Z| stays far below the large jumps."""
    kw = dict(alpha=1.2, dt=0.05, horizon=100.0, n_paths=200, eps=0.05, rho=0.5, generator=4)
    z = sde.simulate(_quad1(), [0.0], small_jumps_only=True, **kw)
    w = sde.simulate(_quad1(), [0.0], **kw)
    assert int(z.n_large_jumps.sum()) == int(w.n_large_jumps.sum()) > 0
    assert z.position.abs().max() < w.position.abs().max()


# --------------------------------------------------------------------------- schedules (Thm 4.1)


def test_exponential_schedule_lengthens_escape_as_in_theory():
    """Thm 4.1 (derived law): s_t = t^(γ−1) with γ < 1 multiplies E σ by the ratio of
    mean_exit_time(γ)/mean_exit_time(1); the simulated ratio agrees within 4 SE."""
    kw = dict(alpha=1.5, dt=0.1, horizon=1e5, n_paths=1500, eps=0.1, domain=sde.Box([-1.0], [1.0]))
    r1 = sde.simulate(_quad1(), [0.0], generator=5, **kw)
    r2 = sde.simulate(_quad1(), [0.0], generator=6, schedule=sde.exponential_schedule(0.7), **kw)
    m1, s1 = sde.empirical_mean_exit_time(r1)
    m2, s2 = sde.empirical_mean_exit_time(r2)
    ratio = m2 / m1
    se = ratio * math.hypot(s1 / m1, s2 / m2)
    th = theory.mean_exit_time(1.5, 0.1, -1, 1, gamma=0.7) / theory.mean_exit_time(1.5, 0.1, -1, 1)
    assert ratio > 1.5
    assert abs(ratio - th) < 4 * se, (ratio, th, se)


def test_schedules_values():
    """Schedules s_t: constant 1, the paper's t^(γ−1) held at t0^(γ−1) before t0, multistep factor^k."""
    assert sde.constant_schedule()(np.array([0.0, 5.0])).tolist() == [1.0, 1.0]
    s = sde.exponential_schedule(0.5, t0=1.0)
    assert s(np.array([0.0, 1.0, 4.0])).tolist() == [1.0, 1.0, 0.5]
    ms = sde.multistep_schedule([10, 20], factor=0.1)
    assert np.allclose(ms(np.array([0.0, 10.0, 15.0, 25.0])), [1, 0.1, 0.1, 0.01])
    with pytest.raises(ValueError):
        sde.exponential_schedule(1.5)
    with pytest.raises(ValueError):
        sde.multistep_schedule([20, 10])


def test_eta_gives_sgd_step_noise():
    """Below eq. 3: with dt = η and ε = η^((α−1)/α) one Euler step is an SGD step with noise ησX."""
    eta, alpha = 1e-2, 1.5
    r = sde.simulate(lambda w: 0.0 * w.sum(-1), [0.0], alpha=alpha, eta=eta, dt=eta, horizon=eta,
                     n_paths=20000, sigma=2.0, generator=1)
    x = r.position[:, 0].numpy() / (eta * 2.0)  # should be standard SαS
    from sgnlib import stable
    y = stable.sample(alpha, size=20000, rng=1)
    assert stats.ks_2samp(np.clip(x, -50, 50), np.clip(y, -50, 50)).pvalue > 1e-3


# --------------------------------------------------------------------------- bad input and overflow


def test_bad_input_raises_value_error():
    """Bad input → ValueError naming it: α ∉ (0,2], dt/horizon ≤ 0, start outside, NaN potential."""
    pot = _quad1()
    box = sde.Box([-1.0], [1.0])
    base = dict(dt=0.1, horizon=1.0, domain=box)
    for a in (0.0, -1.0, 2.5, float("nan")):
        with pytest.raises(ValueError, match="alpha"):
            sde.simulate(pot, [0.0], alpha=a, **base)
    with pytest.raises(ValueError, match="dt"):
        sde.simulate(pot, [0.0], alpha=1.5, dt=0.0, horizon=1.0)
    with pytest.raises(ValueError, match="horizon"):
        sde.simulate(pot, [0.0], alpha=1.5, dt=0.1, horizon=-1.0)
    with pytest.raises(ValueError, match="inside the domain"):
        sde.simulate(pot, [2.0], alpha=1.5, **base)
    with pytest.raises(ValueError, match="inside the domain"):
        sde.simulate(sde.quadratic([1, 1]), [0.0, 0.0], alpha=1.5, dt=0.1, horizon=1.0, domain=sde.Ball([0, 0.9], 0.5))
    with pytest.raises(ValueError, match="NaN"):
        sde.simulate(lambda w: torch.sqrt(w).sum(-1), [-0.5], alpha=1.5, **base)
    # a gradient that turns NaN later, inside the domain
    bad = sde.Potential(lambda w: w.sum(-1), lambda w: torch.where(w > 0.2, torch.nan, -1.0) + 0 * w)
    with pytest.raises(ValueError, match="NaN/inf"):
        sde.simulate(bad, [0.0], alpha=1.5, sigma=0.0, **base)
    with pytest.raises(ValueError, match="sigma"):
        sde.simulate(pot, [0.0], alpha=1.5, sigma=-1.0, **base)
    with pytest.raises(ValueError, match="rho"):
        sde.simulate(pot, [0.0], alpha=1.5, rho=1.5, **base)
    with pytest.raises(ValueError):
        sde.Box([1.0], [0.0])


def test_heavy_tail_overflow_is_never_a_silent_nan():
    """α near 0.5 with huge noise in float32: exits are recorded with finite times and
    positions (clamped increments); without a domain a quartic drift that overflows raises."""
    r = sde.simulate(_quad1(), [0.0], alpha=0.5, sigma=1e12, dt=0.1, horizon=10.0, n_paths=5000,
                     domain=sde.Box([-1.0], [1.0]), generator=0, dtype=torch.float32)
    assert bool(r.exited.all())
    assert bool(torch.isfinite(r.position).all()) and bool(torch.isfinite(r.exit_time).all())
    r = sde.simulate(_quad1(), [0.0], alpha=0.3, sigma=1.0, dt=0.1, horizon=100.0, n_paths=500,
                     generator=0, dtype=torch.float32)
    assert bool(torch.isfinite(r.position).all())
    with pytest.raises(ValueError, match="NaN/inf"):
        sde.simulate(sde.double_well(1.0, 1.0), [-1.0], alpha=0.3, sigma=1e3, dt=0.1, horizon=100.0,
                     n_paths=500, generator=0, dtype=torch.float32)


def test_ackley_potential_minimum_and_gradient():
    """Ackley's function (Fig. 6): U(0) = 0, gradient 0 at the origin and equal to autograd elsewhere."""
    pot = sde.ackley()
    w = torch.tensor([[0.0, 0.0], [0.3, -0.7], [1.2, 2.5]], dtype=torch.float64)
    assert pot(w)[0].item() == pytest.approx(0.0, abs=1e-12)
    g = pot.grad(w)
    assert torch.allclose(g[0], torch.zeros(2, dtype=torch.float64))
    auto = sde.Potential(pot.energy).grad(w[1:])
    assert torch.allclose(g[1:], auto)


# --------------------------------------------------------------------------- statistics of a result


def _result_with_jumps(path, coord, time, exited, horizon=10.0, n_dim=2):
    n = len(exited)
    t = torch.tensor(time, dtype=torch.float64)
    return sde.SDEResult(
        exit_time=torch.full((n,), horizon, dtype=torch.float64), exited=torch.tensor(exited),
        exit_axis=torch.full((n,), -1), exit_side=torch.zeros(n, dtype=torch.int8),
        position=torch.zeros((n, n_dim), dtype=torch.float64), n_large_jumps=torch.zeros((n, n_dim), dtype=torch.long),
        horizon=horizon, dt=0.1, n_steps=int(horizon / 0.1),
        jumps={"path": torch.tensor(path), "coord": torch.tensor(coord), "time": t, "size": torch.ones_like(t)})


def test_jump_gaps_per_path_and_coordinate():
    """Eq. 15's gaps S_k = τ_k − τ_(k−1), τ_0 = 0, per path and coordinate (interleaved coordinates
    are separated), only gaps starting before T/2, only paths that never exited."""
    r = _result_with_jumps(path=[0, 0, 0, 0, 1, 2], coord=[0, 1, 0, 1, 0, 0], time=[1.0, 2.0, 4.0, 7.0, 3.0, 1.0],
                           exited=[False, False, True])
    assert sorted(sde.jump_gaps(r).tolist()) == [1.0, 2.0, 3.0, 3.0, 5.0]
    # a start at or after T/2 = 5 is dropped: nothing starts there here; with start_before=2 only
    # the gaps from 0 (and from τ = 1) remain
    assert sorted(sde.jump_gaps(r, start_before=2.0).tolist()) == [1.0, 2.0, 3.0, 3.0]
    with pytest.raises(ValueError, match="start_before"):
        sde.jump_gaps(r, start_before=20.0)
    no_jumps = sde.simulate(_quad1(), [0.0], alpha=1.5, dt=0.1, horizon=1.0, generator=0)
    with pytest.raises(ValueError, match="record_jumps"):
        sde.jump_gaps(no_jumps)


def test_empirical_mean_exit_time_mean_and_standard_error():
    """Mean exit time of uncensored paths: the sample mean with standard error sd/√n; with censoring the
    exponential MLE Σt / #exits with error mean/√#exits, only when allowed."""
    r = _result_with_jumps([], [], [], exited=[True, True, True, True])
    r.exit_time = torch.tensor([1.0, 2.0, 3.0, 6.0], dtype=torch.float64)
    m, se = sde.empirical_mean_exit_time(r)
    assert m == pytest.approx(3.0) and se == pytest.approx(np.std([1, 2, 3, 6], ddof=1) / 2)
    r.exited = torch.tensor([True, True, False, False])
    r.exit_time = torch.tensor([1.0, 2.0, 10.0, 10.0], dtype=torch.float64)
    with pytest.raises(ValueError, match="censored"):
        sde.empirical_mean_exit_time(r)
    m, se = sde.empirical_mean_exit_time(r, allow_censored=True)
    assert m == pytest.approx(11.5) and se == pytest.approx(11.5 / math.sqrt(2))
