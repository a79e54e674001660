"""The fast exit-time simulator (issue 11) against an independent plain Euler loop: same exit-time law.

`sgnlib.sde.simulate` draws noise only for live paths, from a numpy stream on the CPU, and solves the
Euler recursion of a diagonal quadratic in blocks (`linear_states`). None of that may change the law of
the exit time: each case below compares its exit times with a plain numpy loop over steps (CMS draws
for the live paths, one Euler step at a time) by a two-sample Kolmogorov–Smirnov test at level 1e-3,
and checks that the same test rejects a run with half the noise (so the comparison has power).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from sgnlib import sde, stable
from sgnlib.sde import simulator

LEVEL = 1e-3


def _reference_exit_times(grad, w0, alpha, eps, dt, lower, upper, n_paths, seed):
    """First exit times from the box (lower, upper) of W ← W − ∇U(W) dt + ε dt^(1/α) X, X ~ SαS, by a plain loop.

    Also the exit axis (the coordinate outside the box at exit; the first such one on a corner)."""
    rng = np.random.default_rng(seed)
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (len(w0),))
    scale = eps * dt ** (1.0 / alpha)
    w = np.tile(np.asarray(w0, dtype=float), (n_paths, 1))
    live = np.arange(n_paths)
    t_exit, axis = np.empty(n_paths), np.empty(n_paths, dtype=int)
    k = 0
    while live.size:
        k += 1
        x = np.column_stack([stable.sample(a, size=live.size, rng=rng) for a in alpha])
        w = w - grad(w) * dt + scale * x
        bad = (w <= lower) | (w >= upper)
        out = bad.any(1)
        t_exit[live[out]] = k * dt
        axis[live[out]] = bad[out].argmax(1)
        live, w = live[~out], w[~out]
    return t_exit, axis


def _ks(a, b) -> float:
    return float(stats.ks_2samp(a, b).pvalue)


def _quadratic_as_plain_potential():
    """U = w²/2 given only through its energy and gradient (no diagonal Hessian): the step-by-step path."""
    q = sde.quadratic([1.0])
    return sde.Potential(q.energy, q.grad, dim=1, minimum=[0.0], name="plain", curvature=1.0)


@pytest.mark.parametrize("potential", [lambda: sde.quadratic([1.0]), _quadratic_as_plain_potential],
                         ids=["linear-scan", "step-by-step"])
def test_exit_time_law_matches_a_plain_loop_1d(potential):
    """First exit of (−1, 1) in U = w²/2 (α = 1.5, ε = 0.3, dt = 0.01): simulate and a plain live-path
    loop give exit times whose two-sample KS p-value exceeds 1e-3, on the linear-scan path (a quadratic)
    and on the step-by-step path (the same potential as a plain Potential); with ε halved the same KS
    test rejects (p < 1e-3), so the comparison can fail."""
    pot = potential()
    assert (simulator.plan(pot, [0.0], alpha=1.5, dt=0.01, horizon=1.0).linear_drift is not None) == \
        (pot.name == "quadratic")
    kw = dict(alpha=1.5, dt=0.01, horizon=1e6, n_paths=3000, domain=sde.Box([-1.0], [1.0]))
    ref, _ = _reference_exit_times(lambda w: w, [0.0], 1.5, 0.3, 0.01, -1.0, 1.0, 3000, seed=5)
    fast = sde.simulate(pot, [0.0], eps=0.3, generator=7, **kw)
    assert bool(fast.exited.all())
    p_same = _ks(fast.exit_time.numpy(), ref)
    assert p_same > LEVEL, f"KS p = {p_same:.2g}: the fast simulator's exit-time law differs from the plain loop"
    half = sde.simulate(pot, [0.0], eps=0.15, generator=7, **kw)
    assert _ks(half.exit_time.numpy(), ref) < LEVEL


def test_exit_time_and_axis_law_match_a_plain_loop_2d_per_coordinate_alpha():
    """2-D quadratic h = (1, 2), α = (1.3, 1.8), ε = 0.25, box (−1, 1)²: exit times agree with the
    plain loop (KS p > 1e-3) and the share of exits through axis 0 lies in the 99.9 % normal interval of
    the difference of the two shares; half the noise is rejected by the same KS test."""
    lo, hi = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
    h = np.array([1.0, 2.0])
    n = 3000
    ref, ref_axis = _reference_exit_times(lambda w: w * h, [0.0, 0.0], [1.3, 1.8], 0.25, 0.01, lo, hi, n, seed=3)
    kw = dict(alpha=[1.3, 1.8], dt=0.01, horizon=1e6, n_paths=n, domain=sde.Box(lo, hi))
    fast = sde.simulate(sde.quadratic(h), [0.0, 0.0], eps=0.25, generator=4, **kw)
    assert _ks(fast.exit_time.numpy(), ref) > LEVEL
    p1, p2 = float((fast.exit_axis == 0).double().mean()), float((ref_axis == 0).mean())
    se = math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n)
    assert abs(p1 - p2) < stats.norm.ppf(1 - LEVEL / 2) * se
    half = sde.simulate(sde.quadratic(h), [0.0, 0.0], eps=0.125, generator=4, **kw)
    assert _ks(half.exit_time.numpy(), ref) < LEVEL


def test_linear_scan_equals_step_by_step_recursion():
    """linear_states solves x_(k+1) = a x_k + inc_k (a = 1 − h dt) in blocks: equal to the step loop within
    1e-12 relative, for |a| near 1 (long blocks), a = 0.2 (short blocks) and a < 0, over several blocks."""
    gen = torch.Generator().manual_seed(0)
    for a_np in ([0.999, 0.99], [0.2, 0.5], [-0.6, 0.9]):
        a = torch.tensor(a_np, dtype=torch.float64)
        inc = torch.randn((700, 5, 2), generator=gen, dtype=torch.float64)
        x0 = torch.randn((5, 2), generator=gen, dtype=torch.float64)
        want, x = [], x0
        for k in range(inc.shape[0]):
            x = a * x + inc[k]
            want.append(x)
        got = simulator.linear_states(x0, inc.clone(), a)
        torch.testing.assert_close(got, torch.stack(want), rtol=1e-12, atol=1e-12)


def test_in_place_cms_map_equals_the_stable_module():
    """cms_scaled_ (the simulator's in-place CMS map) equals scale × sgnlib.stable.cms_transform to 1e-12
    at α = 0.7, 1, 1.5, 2, including V near ±π/2 and tiny E."""
    gen = torch.Generator().manual_seed(1)
    V = (torch.rand(10_000, generator=gen, dtype=torch.float64) - 0.5) * math.pi
    E = torch.empty(10_000, dtype=torch.float64).exponential_(generator=gen)
    V[:3] = torch.tensor([math.pi / 2 - 1e-9, -math.pi / 2 + 1e-9, 0.0], dtype=torch.float64)
    E[3] = 1e-12
    for a in (0.7, 1.0, 1.5, 2.0):
        want = stable.cms_transform(a, V, E) * 0.3
        got = simulator.cms_scaled_(a, V.clone(), E.clone(), 0.3)
        torch.testing.assert_close(got, want, rtol=1e-12, atol=0.0)


def test_thread_count_is_restored_and_seed_fixes_every_exit():
    """simulate runs torch single-threaded on the CPU and restores the caller's thread count; the same
    seed gives the same exit times and positions (live-path draw layout is a function of the seed)."""
    before = torch.get_num_threads()
    kw = dict(alpha=1.5, eps=0.3, dt=0.01, horizon=1e6, n_paths=500, domain=sde.Box([-1.0], [1.0]))
    a = sde.simulate(sde.double_well(1.0, 1.0), [-1.0], generator=3, **{**kw, "domain": sde.Box([-3.0], [0.0])})
    b = sde.simulate(sde.double_well(1.0, 1.0), [-1.0], generator=3, **{**kw, "domain": sde.Box([-3.0], [0.0])})
    assert torch.get_num_threads() == before
    assert torch.equal(a.exit_time, b.exit_time) and torch.equal(a.position, b.position)
    c = sde.simulate(sde.quadratic([1.0]), [0.0], generator=3, **kw)
    d = sde.simulate(sde.quadratic([1.0]), [0.0], generator=3, **kw)
    assert torch.equal(c.exit_time, d.exit_time) and torch.equal(c.position, d.position)
