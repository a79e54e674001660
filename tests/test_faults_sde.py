"""Fault injection for sgnlib.sde.simulate (issue 8, numerical edges): every bad input gets a one-line
ValueError naming the argument, every numerical edge a clear error or the correct result."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from sgnlib import sde

QUAD = dict(alpha=1.5, dt=0.1, horizon=1.0)


def _quad(n=1, h=1.0):
    return sde.quadratic([h] * n)


def test_too_many_steps_is_refused_before_drawing():
    """Guard: dt = 1e-12 over horizon 1 (10^12 Euler steps) is an error naming dt, horizon, the step
    count and max_steps, raised at once; max_steps can lower or raise the cap explicitly."""
    t = time.perf_counter()
    with pytest.raises(ValueError, match=r"horizon=1 / dt=1e-12 asks for 1e\+12 Euler steps.*max_steps"):
        sde.simulate(_quad(), [0.0], alpha=1.5, dt=1e-12, horizon=1.0)
    assert time.perf_counter() - t < 1.0
    with pytest.raises(ValueError, match="max_steps"):
        sde.simulate(_quad(), [0.0], alpha=1.5, dt=0.01, horizon=1.0, max_steps=50)
    r = sde.simulate(_quad(), [0.0], alpha=1.5, dt=0.01, horizon=1.0, max_steps=100, generator=0)
    assert r.n_steps == 100
    with pytest.raises(ValueError, match="max_steps"):
        sde.simulate(_quad(), [0.0], alpha=1.5, dt=0.01, horizon=1.0, max_steps=0)


def test_dt_larger_than_horizon_is_an_error_not_a_censored_time():
    """dt > horizon: an error naming both (not one step reported as a censored exit time of dt);
    dt = horizon is one step."""
    with pytest.raises(ValueError, match=r"dt=2 is larger than the horizon=1"):
        sde.simulate(_quad(), [0.0], alpha=1.5, dt=2.0, horizon=1.0, domain=sde.Box([-1.0], [1.0]))
    r = sde.simulate(_quad(), [0.0], alpha=1.5, dt=0.5, horizon=0.5, generator=0)
    assert r.n_steps == 1 and r.horizon == 0.5


def test_start_dimension_must_match_the_potential():
    """A 3-D start in a 2-D quadratic: an error naming both dimensions (not a torch broadcast error)."""
    with pytest.raises(ValueError, match=r"w0 has dimension 3 but the potential 'quadratic' has dimension 2"):
        sde.simulate(_quad(2), [0.0, 0.0, 0.0], **QUAD)
    with pytest.raises(ValueError, match=r"dimension 1 .* dimension 2"):
        sde.simulate(sde.double_well([1.0, 1.0]), [0.5], **QUAD)


@pytest.mark.parametrize("name,value", [("alpha", [1.5, 1.2, 1.1]), ("sigma", [1.0, 2.0, 3.0]),
                                        ("eps", [0.1, 0.2, 0.3]), ("eta", [0.1, 0.2, 0.3]),
                                        ("jump_threshold", [1.0, 2.0, 3.0]), ("sigma", [[1.0, 2.0]])])
def test_per_coordinate_argument_of_wrong_length(name, value):
    """alpha/sigma/eps/eta/jump_threshold must be a scalar or have length N: an error naming the argument
    and the expected length (not numpy's broadcast message)."""
    kw = dict(alpha=1.5, dt=0.1, horizon=1.0)
    kw[name] = value
    with pytest.raises(ValueError, match=rf"{name} must be a scalar or have length 2 \(the dimension of w0\)"):
        sde.simulate(_quad(2), [0.0, 0.0], **kw)


@pytest.mark.parametrize("name,value", [("n_paths", 2.7), ("n_paths", 0), ("n_paths", -3), ("n_paths", True),
                                        ("n_paths", "10"), ("n_paths", float("nan")), ("record_every", 1.5),
                                        ("chunk", 0), ("chunk", 2.5)])
def test_counts_must_be_positive_ints(name, value):
    """n_paths, record_every and chunk are positive ints: 2.7 is an error, not silently 2."""
    with pytest.raises(ValueError, match=rf"{name} must be an int >= 1; got"):
        sde.simulate(_quad(), [0.0], **QUAD, **{name: value})


def test_integral_counts_of_other_types_are_accepted():
    """1e2 paths (an integral float) and numpy ints are counts (profiles written in YAML or numpy give them)."""
    r = sde.simulate(_quad(), [0.0], **QUAD, n_paths=1e2, record_every=np.int64(2), generator=0)
    assert r.n_paths == 100 and len(r.times) == 6


def test_unstable_euler_step_on_a_stiff_quadratic_is_refused():
    """Euler stability: dt × curvature ≥ 2 on a quadratic (dt = 3, curvature 10) is an error naming dt and
    the curvature, before any step (not a run to |w| ≈ 1e300); dt just below the limit runs."""
    with pytest.raises(ValueError, match=r"dt=3 makes the Euler step unstable: dt × curvature = 30 >= 2 .*"
                                         r"largest curvature 10"):
        sde.simulate(_quad(1, 10.0), [0.5], alpha=1.5, dt=3.0, horizon=100.0)
    hess = np.array([[20.0, 1.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="curvature"):
        sde.simulate(sde.quadratic(hess), [0.1, 0.1], alpha=1.5, dt=0.1, horizon=10.0, sigma=0.0)
    r = sde.simulate(_quad(1, 10.0), [0.5], alpha=1.5, dt=0.19, horizon=50.0, sigma=0.0)
    assert abs(r.position.item()) < 1e-6


def test_unstable_euler_step_of_a_potential_without_known_curvature_is_detected():
    """A stiff quadratic given by its energy only (no declared curvature): the explosion |w| → 1e146
    within 100 steps is detected and reported naming dt, not returned as a result."""
    stiff = sde.Potential(lambda w: 5.0 * (w * w).sum(-1), minimum=[0.0])
    with pytest.raises(ValueError, match=r"Euler step explodes .*dt=3"):
        sde.simulate(stiff, [0.5], alpha=1.5, dt=3.0, horizon=300.0, sigma=0.0)
    with pytest.raises(ValueError, match=r"NaN/inf.*dt=3"):  # 29^1000 overflows within one chunk
        sde.simulate(stiff, [0.5], alpha=1.5, dt=3.0, horizon=3000.0, sigma=0.0)


def test_heavy_noise_in_a_stable_quadratic_is_not_taken_for_an_explosion():
    """The explosion check only fires on an overshooting drift step: huge α = 0.3 jumps (|w| far beyond the
    explosion radius) in a stable quadratic run to the horizon with finite states."""
    r = sde.simulate(_quad(), [0.0], alpha=0.3, sigma=1e9, dt=0.1, horizon=50.0, n_paths=200, generator=1)
    assert float(r.position.abs().max()) > 1e7
    assert bool(torch.isfinite(r.position).all())


def test_other_edges_named():
    """More edges: horizon = inf, NaN dt, a numpy generator, an energy of the wrong shape, NaN in w0,
    a (n, N) start with the wrong n_paths, a domain of another dimension."""
    with pytest.raises(ValueError, match="horizon must be finite"):
        sde.simulate(_quad(), [0.0], alpha=1.5, dt=0.1, horizon=float("inf"))
    with pytest.raises(ValueError, match="dt must be finite"):
        sde.simulate(_quad(), [0.0], alpha=1.5, dt=float("nan"), horizon=1.0)
    with pytest.raises(ValueError, match="generator must be an int seed, a torch.Generator or None"):
        sde.simulate(_quad(), [0.0], **QUAD, generator=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"must map \(n, N\) states to \(n,\) energies; got \(1, 1\)"):
        sde.simulate(lambda w: w * w, [0.0], **QUAD)
    with pytest.raises(ValueError, match="w0 holds NaN"):
        sde.simulate(_quad(), [float("nan")], **QUAD)
    with pytest.raises(ValueError, match="needs n_paths == 3"):
        sde.simulate(_quad(), np.zeros((3, 1)), **QUAD, n_paths=4)
    with pytest.raises(ValueError, match="domain has dimension 2 but w0 has 1"):
        sde.simulate(_quad(), [0.0], **QUAD, domain=sde.Box([-1, -1], [1, 1]))
    with pytest.raises(ValueError, match="w0 must be a vector of numbers"):
        sde.simulate(_quad(), ["a"], **QUAD)


def test_constructors_name_bad_shapes():
    """Potentials and domains: vectors of two different lengths are named, not broadcast-errored."""
    with pytest.raises(ValueError, match="height and half_width"):
        sde.double_well([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="lower and upper"):
        sde.Box([0.0, 0.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="minimum must be a scalar or of length 2"):
        sde.quadratic([1.0, 2.0], minimum=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="dim must be"):
        sde.ackley(dim=2.5)


def test_a_trajectory_too_large_for_memory_is_refused():
    """record_every = 1 over 10^6 steps of 10^4 paths would save 75 GiB of states: an error naming
    record_every and the size, raised before anything is allocated; saving every 1000th step runs."""
    with pytest.raises(ValueError, match=r"record_every=1 would save .* GiB"):
        sde.simulate(_quad(), [0.0], alpha=1.5, dt=0.01, horizon=1e4, n_paths=10_000, record_every=1)
    r = sde.simulate(_quad(), [0.0], alpha=1.5, dt=0.01, horizon=10.0, n_paths=10, record_every=100, generator=0)
    assert r.trajectory.shape == (11, 10, 1)


@pytest.mark.parametrize("kwargs,match", [
    (dict(eta=0.1, eps=0.1), "give eta or eps, not both"),
    (dict(rho=0.5, jump_threshold=2.0), "give rho or jump_threshold, not both"),
    (dict(record_jumps=True), "record_jumps / small_jumps_only need rho or jump_threshold"),
    (dict(small_jumps_only=True), "record_jumps / small_jumps_only need rho or jump_threshold"),
    (dict(rho=0.5, eps=0.0), "rho needs eps > 0"),
    (dict(eps=-0.1), "eps must be finite and >= 0"),
    (dict(eta=0.0), "eta must be finite and > 0"),
    (dict(dtype=torch.float16), "dtype must be torch.float32 or torch.float64"),
    (dict(schedule="exponential"), "schedule must be a sgnlib.sde.Schedule"),
    (dict(domain=(-1.0, 1.0)), "domain must be a Box, a Ball or None"),
    (dict(domain=sde.Ball([0.0, 0.0], 1.0)), "domain has dimension 2 but w0 has 1"),
    (dict(domain=sde.Box([0.0], [1.0])), "must lie inside the domain"),  # the start 0 is on the boundary
    (dict(alpha=[float("nan")]), "alpha must lie in"),
])
def test_inconsistent_options_are_named(kwargs, match):
    """Options that contradict each other or the start are a one-line ValueError naming them."""
    kw = dict(QUAD, **kwargs)
    with pytest.raises(ValueError, match=match):
        sde.simulate(_quad(), [0.0], **kw)


def test_start_of_too_many_dimensions_and_uncallable_potential():
    """w0 must be (N,) or (n_paths, N); the potential must be callable."""
    with pytest.raises(ValueError, match=r"w0 must be \(N,\) or \(n_paths, N\)"):
        sde.simulate(_quad(), np.zeros((2, 2, 1)), **QUAD, n_paths=2)
    with pytest.raises(ValueError, match="potential must be a Potential or a callable"):
        sde.simulate(3.0, [0.0], **QUAD)


def test_a_plain_callable_of_another_dimension_is_named():
    """A potential given as a plain function (no declared dimension) that fails on the start's dimension:
    a ValueError naming the start's dimension, not torch's broadcast RuntimeError."""
    with pytest.raises(ValueError, match=r"failed on a start of dimension 1 \(does w0 have the potential's dimension"):
        sde.simulate(lambda w: w[:, 0] ** 2 + 4 * w[:, 1] ** 2, [0.0], **QUAD)
    with pytest.raises(ValueError, match="failed on a start of dimension 3"):
        sde.simulate(lambda w: (w @ torch.ones(2, dtype=w.dtype)) ** 2, [0.0, 0.0, 0.0], **QUAD)
