"""The Lévy-driven SDE of SGD (eq. 3 of Battash, Wolf & Lindenbaum) and its Euler scheme.

The model (eq. 3 of :cite:`battash2023revisiting`), one coordinate ``l`` per parameter::

    dW_t = -∇U(W_t) dt + Σ_l s_t^((α_l-1)/α_l) ε_l σ_l dL^l_t e_l ,   ε_l = η^((α_l-1)/α_l),

where ``L^l`` are independent standard symmetric α_l-stable Lévy processes
(``L^l_1`` has characteristic function ``exp(-|u|^α_l)``, the convention of
:mod:`sgnlib.stable`; at α = 2 this is ``√2 B`` with ``B`` a Brownian motion,
variance ``2t``), ``σ_l`` is the paper's noise scale ``1ᵀλ_l``, ``s_t`` the
learning-rate schedule and ``η`` the learning rate.

The Euler scheme (Protter & Talay :cite:`protter1997euler`) with step ``dt``::

    W_{k+1} = W_k - ∇U(W_k) dt + s_{t_k}^((α-1)/α) ε σ dt^(1/α) X_k ,   X_k ~ SαS(1) i.i.d.

With ``dt = η`` and ``ε = η^((α-1)/α)`` one Euler step *is* one SGD step with
SαS gradient noise of scale σ: ``ε dt^(1/α) = η``.

Everything is one tensor program: ``n_paths × N`` states advance together,
noise is drawn in chunks of steps, memory does not grow with the number of
steps unless trajectories or the large-jump list are requested.

Exit bookkeeping: the first step at which a path is outside the domain ``G``
(a :class:`Box` or a :class:`Ball`) is its exit step; the path is frozen there
(its position is the exit position). Paths still inside at the horizon are
*censored*: ``exit_time`` is the horizon, ``exited`` is False, ``exit_axis``
is -1 and ``exit_side`` 0. Nothing is dropped.

Overflow: stable increments are drawn with :func:`sgnlib.stable.cms_transform`;
NaN (0·∞ at the edge of the CMS map) becomes 0 and ±∞ or anything larger than
``sqrt(finfo(dtype).max)`` is clamped to ± that value (and the scaled increment
to ``± finfo(dtype).max / 4``). Such an increment
always throws the path out of any bounded domain, so exit times, axes and
sides are unaffected (exit positions are then huge but finite). A state that
becomes non-finite while still inside (e.g. no domain and a quartic potential
after a huge jump, or a potential whose gradient is NaN) raises ``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from sgnlib._checks import check_alpha, check_finite, check_positive, resolve_device, torch_generator
from sgnlib.stable import cms_transform
from sgnlib.theory import noise_epsilon

__all__ = [
    "Potential",
    "quadratic",
    "double_well",
    "ackley",
    "Box",
    "Ball",
    "Schedule",
    "constant_schedule",
    "exponential_schedule",
    "multistep_schedule",
    "SDEResult",
    "simulate",
    "mean_exit_time",
    "noise_epsilon",
]


# --------------------------------------------------------------------------- potentials


class Potential:
    """A potential ``U`` on R^N given as torch functions.

    ``energy(w)`` maps a ``(n, N)`` tensor to ``(n,)``; ``grad(w)`` to ``(n, N)``.
    Without ``grad`` the gradient is taken by autograd (slower: one backward
    pass per Euler step). ``minimum`` (optional) is the local minimum ``W*``.
    """

    def __init__(self, energy: Callable, grad: Callable | None = None, *, dim: int | None = None,
                 minimum=None, name: str = "custom"):
        if not callable(energy):
            raise ValueError(f"energy must be callable; got {energy!r}")
        if grad is not None and not callable(grad):
            raise ValueError(f"grad must be callable or None; got {grad!r}")
        self.energy = energy
        self._grad = grad
        self.dim = dim
        self.minimum = None if minimum is None else np.asarray(minimum, dtype=float)
        self.name = name

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return self.energy(w)

    def grad(self, w: torch.Tensor) -> torch.Tensor:
        if self._grad is not None:
            return self._grad(w)
        with torch.enable_grad():
            x = w.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(self.energy(x).sum(), x)
        return g.detach()

    def __repr__(self) -> str:
        return f"Potential({self.name}, dim={self.dim})"


def _as_tensor(x, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(x, dtype=like.dtype, device=like.device)


def _constants_like(*arrays):
    """A function ``w -> arrays as tensors on w's device and dtype``, converted once per (device, dtype)."""
    cache: dict = {}

    def get(w):
        key = (w.device, w.dtype)
        if key not in cache:
            cache[key] = tuple(_as_tensor(x, w) for x in arrays)
        return cache[key]

    return get


def quadratic(hessian, minimum=None) -> Potential:
    """Quadratic basin ``U(w) = ½ (w - W*)ᵀ H (w - W*)``, ``U(W*) = 0``.

    ``hessian``: a vector (diagonal Hessian) or a symmetric positive definite
    matrix; its smallest eigenvalue is the strong-convexity constant μ of
    Lemma 3.1 (eq. 6).
    """
    h = np.asarray(hessian, dtype=float)
    if h.ndim == 0:
        h = h.reshape(1)
    check_finite(h, "hessian")
    diag = h.ndim == 1
    if diag:
        check_positive(h, "hessian")
        n = h.shape[0]
        eig = h
    else:
        if h.ndim != 2 or h.shape[0] != h.shape[1] or not np.allclose(h, h.T):
            raise ValueError(f"hessian must be a vector or a symmetric square matrix; got shape {h.shape}")
        eig = np.linalg.eigvalsh(h)
        if eig.min() <= 0:
            raise ValueError(f"hessian must be positive definite; smallest eigenvalue {eig.min()!r}")
        n = h.shape[0]
    m = np.zeros(n) if minimum is None else np.broadcast_to(np.asarray(minimum, dtype=float), (n,)).copy()
    check_finite(m, "minimum")
    _get = _constants_like(h, m)

    if diag:
        def energy(w):
            hh, mm = _get(w)
            d = w - mm
            return 0.5 * (d * d * hh).sum(-1)

        def grad(w):
            hh, mm = _get(w)
            return (w - mm) * hh
    else:
        def energy(w):
            hh, mm = _get(w)
            d = w - mm
            return 0.5 * ((d @ hh) * d).sum(-1)

        def grad(w):
            hh, mm = _get(w)
            return (w - mm) @ hh

    pot = Potential(energy, grad, dim=n, minimum=m, name="quadratic")
    pot.mu = float(eig.min())
    pot.hessian = h
    return pot


def double_well(height=1.0, half_width=1.0) -> Potential:
    """Double well per coordinate: ``U(w) = Σ_l h_l ((w_l / a_l)² - 1)²``.

    Minima at ``±a_l`` (``U = 0``), barrier ``h_l`` at 0, curvature
    ``U'' = 8h/a²`` at the minima and ``-4h/a²`` at the barrier, so depth
    (``height``) and width (``half_width``) can be set independently.
    """
    h = np.atleast_1d(check_positive(height, "height"))
    a = np.atleast_1d(check_positive(half_width, "half_width"))
    h, a = np.broadcast_arrays(h, a)
    h, a = h.copy(), a.copy()
    _get = _constants_like(h, a)

    def energy(w):
        hh, aa = _get(w)
        z = (w / aa) ** 2 - 1.0
        return (hh * z * z).sum(-1)

    def grad(w):
        hh, aa = _get(w)
        return 4.0 * hh * ((w / aa) ** 2 - 1.0) * w / (aa * aa)

    pot = Potential(energy, grad, dim=h.shape[0], minimum=-a, name="double_well")
    pot.height, pot.half_width = h, a
    return pot


def ackley(a: float = 20.0, b: float = 0.2, c: float = 2 * math.pi, dim: int = 2) -> Potential:
    """Ackley's function :cite:`ackley1987connectionist` in ``dim`` dimensions, global minimum 0 at the origin.

    ``U(w) = -a exp(-b sqrt(mean w²)) - exp(mean cos(c w)) + a + e``. The
    gradient is analytic; at the origin (a cone point) the radial term's
    gradient is taken as 0.
    """
    check_positive(a, "a")
    check_positive(b, "b")
    check_positive(c, "c")
    if int(dim) < 1:
        raise ValueError(f"dim must be >= 1; got {dim!r}")

    def energy(w):
        r = torch.sqrt((w * w).mean(-1))
        return -a * torch.exp(-b * r) - torch.exp(torch.cos(c * w).mean(-1)) + a + math.e

    def grad(w):
        d = w.shape[-1]
        r = torch.sqrt((w * w).mean(-1, keepdim=True))
        safe = torch.where(r > 0, r, torch.ones_like(r))
        radial = torch.where(r > 0, a * b * torch.exp(-b * r) * w / (d * safe), torch.zeros_like(w))
        cosine = torch.exp(torch.cos(c * w).mean(-1, keepdim=True)) * c * torch.sin(c * w) / d
        return radial + cosine

    return Potential(energy, grad, dim=int(dim), minimum=np.zeros(int(dim)), name="ackley")


# --------------------------------------------------------------------------- domains


class Box:
    """The box ``G = Π_l (lower_l, upper_l)``.

    Around a minimum ``W*`` the paper's ``d-_l < 0 < d+_l`` are
    ``lower - W*`` and ``upper - W*``. ``lower_l = -inf`` or ``upper_l = inf``
    leave a side open.
    """

    def __init__(self, lower, upper):
        lo = np.atleast_1d(np.asarray(lower, dtype=float))
        hi = np.atleast_1d(np.asarray(upper, dtype=float))
        lo, hi = np.broadcast_arrays(lo, hi)
        if np.isnan(lo).any() or np.isnan(hi).any():
            raise ValueError("box bounds must not be NaN")
        if not (lo < hi).all():
            i = int(np.argmin(hi - lo))
            raise ValueError(f"box needs lower < upper on every axis; axis {i}: {lo[i]!r} >= {hi[i]!r}")
        self.lower, self.upper = lo.copy(), hi.copy()
        self.dim = lo.shape[0]

    @classmethod
    def around(cls, center, d_minus, d_plus) -> "Box":
        """The box ``(center + d_minus, center + d_plus)`` with the paper's ``d- < 0 < d+``."""
        c = np.asarray(center, dtype=float)
        dm = np.asarray(d_minus, dtype=float)
        dp = np.asarray(d_plus, dtype=float)
        if (dm >= 0).any() or (dp <= 0).any():
            raise ValueError(f"need d_minus < 0 < d_plus; got d_minus={d_minus!r}, d_plus={d_plus!r}")
        return cls(c + dm, c + dp)

    def _tensors(self, like):
        return _as_tensor(self.lower, like), _as_tensor(self.upper, like)

    def contains(self, w: np.ndarray) -> np.ndarray:
        w = np.atleast_2d(w)
        return ((w > self.lower) & (w < self.upper)).all(-1)

    def outside(self, w: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor, out=None) -> torch.Tensor:
        bad = torch.logical_or(w <= lo, w >= hi)
        if out is None:
            return bad.any(-1)
        return torch.any(bad, dim=-1, out=out)

    def exit_axis_side(self, w: torch.Tensor):
        """Axis and side (+1 upper, -1 lower) of exit positions ``w`` (n, N).

        When several axes are violated at once (one step jumped out through
        a corner), the axis with the largest violation relative to the box
        width wins.
        """
        lo, hi = self._tensors(w)
        width = torch.where(torch.isfinite(hi - lo), hi - lo, torch.ones_like(lo))
        up = (w - hi) / width
        down = (lo - w) / width
        viol = torch.maximum(up, down)
        axis = viol.argmax(-1)
        side = torch.where(up.gather(-1, axis[:, None])[:, 0] >= down.gather(-1, axis[:, None])[:, 0], 1, -1)
        return axis, side.to(torch.int8)

    def __repr__(self):
        return f"Box(lower={self.lower.tolist()}, upper={self.upper.tolist()})"


class Ball:
    """The open ball ``{w : ‖w - center‖ < radius}``; exit axis = the largest ``|w_l - center_l|`` (Fig. 6)."""

    def __init__(self, center, radius):
        self.center = np.atleast_1d(np.asarray(center, dtype=float)).copy()
        check_finite(self.center, "center")
        self.radius = float(check_positive(radius, "radius"))
        self.dim = self.center.shape[0]

    def _tensors(self, like):
        return _as_tensor(self.center, like), _as_tensor(self.radius ** 2, like)

    def contains(self, w: np.ndarray) -> np.ndarray:
        w = np.atleast_2d(w)
        return ((w - self.center) ** 2).sum(-1) < self.radius ** 2

    def outside(self, w, c, r2, out=None):
        d = w - c
        if out is None:
            return (d * d).sum(-1) >= r2
        return torch.ge((d * d).sum(-1), r2, out=out)

    def exit_axis_side(self, w):
        c, _ = self._tensors(w)
        d = w - c
        axis = d.abs().argmax(-1)
        side = torch.where(d.gather(-1, axis[:, None])[:, 0] >= 0, 1, -1)
        return axis, side.to(torch.int8)

    def __repr__(self):
        return f"Ball(center={self.center.tolist()}, radius={self.radius})"


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule ``s_t`` (the factor multiplying η at SDE time ``t``)."""

    kind: str
    gamma: float = 1.0
    t0: float = 1.0
    milestones: tuple = ()
    factor: float = 0.1

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        if self.kind == "constant":
            return np.ones_like(t)
        if self.kind == "exponential":
            return np.maximum(t, self.t0) ** (self.gamma - 1.0)
        if self.kind == "multistep":
            k = np.searchsorted(np.asarray(self.milestones, dtype=float), t, side="right")
            return self.factor ** k
        raise ValueError(f"unknown schedule kind {self.kind!r}")  # pragma: no cover


def constant_schedule() -> Schedule:
    """``s_t = 1``."""
    return Schedule("constant")


def exponential_schedule(gamma: float, t0: float = 1.0) -> Schedule:
    """The paper's "exponential scheduler" ``s_t = t^(γ-1)`` (Thm 4.1), γ ∈ (0, 1].

    ``s_t`` is infinite at ``t = 0`` for γ < 1, so the simulator uses
    ``max(t, t0)^(γ-1)``: the paper's schedule from ``t0`` on, held at its
    value ``t0^(γ-1)`` before.
    """
    g = float(gamma)
    if not (0.0 < g <= 1.0):
        raise ValueError(f"gamma must lie in (0, 1]; got {gamma!r}")
    check_positive(t0, "t0")
    return Schedule("exponential", gamma=g, t0=float(t0))


def multistep_schedule(milestones: Sequence[float], factor: float = 0.1) -> Schedule:
    """``s_t = factor^#{milestones ≤ t}`` (step decay at the given SDE times)."""
    ms = tuple(float(m) for m in milestones)
    check_positive(np.asarray(ms) if ms else 1.0, "milestones")
    if list(ms) != sorted(ms):
        raise ValueError(f"milestones must be increasing; got {list(milestones)!r}")
    f = float(check_positive(factor, "factor"))
    return Schedule("multistep", milestones=ms, factor=f)


# --------------------------------------------------------------------------- result


@dataclass
class SDEResult:
    """What :func:`simulate` returns (tensors on the simulation device).

    ``exit_time`` (n,): first exit time σ_G, the horizon for censored paths;
    ``exited`` (n,) bool; ``exit_axis`` (n,) long, -1 if censored;
    ``exit_side`` (n,) int8, +1 / -1 / 0; ``position`` (n, N): the exit position
    of exited paths, the state at the horizon of censored ones;
    ``n_large_jumps`` (n, N): large jumps (``|ΔL| > O``) before or at exit;
    ``jumps``: with ``record_jumps``, dict of 1-D tensors ``path, coord, time, size``
    (``size`` is the increment ``ΔL`` of the driving process);
    ``times``/``trajectory``: with ``record_every``, the saved times and
    states (len(times), n, N), frozen after exit.
    """

    exit_time: torch.Tensor
    exited: torch.Tensor
    exit_axis: torch.Tensor
    exit_side: torch.Tensor
    position: torch.Tensor
    n_large_jumps: torch.Tensor
    horizon: float
    dt: float
    n_steps: int
    jump_threshold: np.ndarray | None = None
    jumps: dict | None = None
    times: np.ndarray | None = None
    trajectory: torch.Tensor | None = None
    params: dict = field(default_factory=dict)

    @property
    def censored(self) -> torch.Tensor:
        return ~self.exited

    @property
    def n_paths(self) -> int:
        return int(self.exited.shape[0])


def mean_exit_time(result: SDEResult, allow_censored: bool = False):
    """Mean first exit time and its standard error.

    With censored paths this raises ``ValueError`` unless ``allow_censored``;
    then it returns the exponential-law MLE ``Σ times / #exits`` (exit times
    are asymptotically exponential, Imkeller & Pavlyukevich
    :cite:`imkeller2006first`) with standard error ``mean / sqrt(#exits)``.
    """
    t = result.exit_time.double().cpu().numpy()
    ex = result.exited.cpu().numpy()
    n_ex = int(ex.sum())
    if n_ex == 0:
        raise ValueError("no path exited before the horizon; increase the horizon")
    if n_ex < ex.size:
        if not allow_censored:
            raise ValueError(f"{ex.size - n_ex} of {ex.size} paths are censored at the horizon "
                             f"{result.horizon}; increase it or pass allow_censored=True")
        m = t.sum() / n_ex
        return float(m), float(m / math.sqrt(n_ex))
    return float(t.mean()), float(t.std(ddof=1) / math.sqrt(t.size)) if t.size > 1 else float("nan")


# --------------------------------------------------------------------------- simulator


def simulate(
    potential: Potential | Callable,
    w0,
    *,
    alpha,
    dt: float,
    horizon: float,
    n_paths: int = 1,
    sigma=1.0,
    eta=None,
    eps=None,
    schedule: Schedule | None = None,
    domain: Box | Ball | None = None,
    rho: float | None = None,
    jump_threshold=None,
    small_jumps_only: bool = False,
    record_jumps: bool = False,
    record_every: int | None = None,
    generator=None,
    device="cpu",
    dtype=torch.float64,
    chunk: int | None = None,
) -> SDEResult:
    """Euler scheme for eq. 3 with first-exit bookkeeping (see the module docstring).

    Parameters
    ----------
    potential : Potential or callable ``U(w) -> (n,)`` (gradient then by autograd).
    w0 : start, ``(N,)`` or ``(n_paths, N)``; must lie inside ``domain``.
    alpha : tail index per coordinate (scalar or ``(N,)``), in (0, 2].
    dt, horizon : Euler step and time horizon (> 0); ``ceil(horizon/dt)`` steps.
    sigma : noise scale σ_l (the paper's ``1ᵀλ_l``), ≥ 0; σ = 0 gives the
        deterministic process Y_t of eq. 5.
    eta, eps : learning rate η (then ``ε_l = η^((α_l-1)/α_l)``) or ε directly;
        neither: ε = 1.
    schedule : ``s_t`` (default constant).
    domain : :class:`Box`, :class:`Ball` or None (no exit, nothing censored).
    rho, jump_threshold : the large-jump threshold ``O`` of Sec. 3.2, either
        directly (per coordinate, constant) or as ``O_l(t) = ε̄_l(t)^(-ρ)``
        with ``ε̄_l = s_t^((α_l-1)/α_l) ε_l``; an increment ``|ΔL| > O`` of the
        driving process is a large jump. Needed for ``n_large_jumps``,
        ``record_jumps`` and ``small_jumps_only``.
    small_jumps_only : drop the large increments (the process Z of eq. 8).
    record_jumps : keep times and sizes of all large jumps up to exit.
    record_every : save the state every this many steps (and at t = 0).
    generator : int seed or ``torch.Generator``; device : "cpu", "cuda", "auto".
    chunk : steps of noise drawn at once (default: about 2**21 variates, 16 to 1024 steps).
    """
    # ---- validation (once) ------------------------------------------------
    dev = resolve_device(device)
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f"dtype must be torch.float32 or torch.float64; got {dtype!r}")
    if not isinstance(potential, Potential):
        if not callable(potential):
            raise ValueError(f"potential must be a Potential or a callable; got {potential!r}")
        potential = Potential(potential)
    dt = float(check_positive(dt, "dt"))
    horizon = float(check_positive(horizon, "horizon"))
    n_paths = int(n_paths)
    if n_paths < 1:
        raise ValueError(f"n_paths must be >= 1; got {n_paths!r}")
    w0n = np.asarray(w0, dtype=float)
    if w0n.ndim == 0:
        w0n = w0n.reshape(1)
    check_finite(w0n, "w0")
    N = w0n.shape[-1]
    if w0n.ndim == 2 and w0n.shape[0] != n_paths:
        raise ValueError(f"w0 of shape {w0n.shape} needs n_paths == {w0n.shape[0]}; got {n_paths}")
    if w0n.ndim > 2:
        raise ValueError(f"w0 must be (N,) or (n_paths, N); got shape {w0n.shape}")
    alpha_v = np.broadcast_to(check_alpha(alpha), (N,)).astype(float).copy()
    sigma_v = np.broadcast_to(check_positive(sigma, "sigma", allow_zero=True), (N,)).astype(float).copy()
    if eta is not None and eps is not None:
        raise ValueError("give eta or eps, not both")
    if eta is not None:
        eps_v = np.broadcast_to(noise_epsilon(eta, alpha_v), (N,)).astype(float).copy()
    elif eps is not None:
        eps_v = np.broadcast_to(check_positive(eps, "eps", allow_zero=True), (N,)).astype(float).copy()
    else:
        eps_v = np.ones(N)
    schedule = schedule or constant_schedule()
    if not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be a sgnlib.sde.Schedule; got {schedule!r}")
    if domain is not None:
        if not isinstance(domain, (Box, Ball)):
            raise ValueError(f"domain must be a Box, a Ball or None; got {domain!r}")
        if domain.dim != N:
            raise ValueError(f"domain has dimension {domain.dim} but w0 has {N}")
        inside = domain.contains(w0n)
        if not inside.all():
            raise ValueError(f"the start w0 must lie inside the domain {domain!r}; "
                             f"{int((~inside).sum())} start point(s) do not")
    if rho is not None and jump_threshold is not None:
        raise ValueError("give rho or jump_threshold, not both")
    thr_const = None
    if jump_threshold is not None:
        thr_const = np.broadcast_to(check_positive(jump_threshold, "jump_threshold"), (N,)).astype(float).copy()
    if rho is not None:
        rho = float(rho)
        if not (0.0 < rho < 1.0):
            raise ValueError(f"rho must lie in (0, 1); got {rho!r}")
        if (eps_v == 0).any():
            raise ValueError("rho needs eps > 0 on every coordinate")
    track_jumps = rho is not None or thr_const is not None
    if (record_jumps or small_jumps_only) and not track_jumps:
        raise ValueError("record_jumps / small_jumps_only need rho or jump_threshold")
    if record_every is not None:
        record_every = int(record_every)
        if record_every < 1:
            raise ValueError(f"record_every must be >= 1; got {record_every!r}")

    n_steps = int(math.ceil(horizon / dt - 1e-9))
    gen = torch_generator(generator, device=dev)
    opts = dict(dtype=dtype, device=dev)
    W = torch.as_tensor(np.broadcast_to(w0n, (n_paths, N)).copy(), **opts)
    # the potential must be finite at the start
    e0 = potential(W[:1])
    g0 = potential.grad(W[:1])
    if not (torch.isfinite(e0).all() and torch.isfinite(g0).all()):
        raise ValueError(f"potential {potential!r} returned NaN or inf at the start point")
    if g0.shape != W[:1].shape:
        raise ValueError(f"potential gradient has shape {tuple(g0.shape)}; expected {tuple(W[:1].shape)}")

    cms = cms_transform
    big = math.sqrt(torch.finfo(dtype).max)
    big_inc = torch.finfo(dtype).max / 4
    alpha_arg = float(alpha_v[0]) if (alpha_v == alpha_v[0]).all() else torch.as_tensor(alpha_v, **opts)
    dtpow = torch.as_tensor(dt ** (1.0 / alpha_v), **opts)  # dL = dt^(1/α) X
    noisy = bool((sigma_v * eps_v > 0).any())
    sched_const = schedule.kind == "constant"
    # per-step noise scale s^((α-1)/α) ε σ and threshold O (constant schedule: computed once)

    def step_factors(t_left: np.ndarray):
        s = schedule(t_left)[:, None]  # (K, 1)
        sp = s ** ((alpha_v - 1.0) / alpha_v)  # (K, N)
        scale = sp * eps_v * sigma_v
        if rho is not None:
            thr = (sp * eps_v) ** (-rho)
        elif thr_const is not None:
            thr = np.broadcast_to(thr_const, scale.shape)
        else:
            thr = None
        return scale, thr

    const_factors = step_factors(np.zeros(1)) if sched_const else None
    user_chunk = None if chunk is None else int(chunk)
    if user_chunk is not None and user_chunk < 1:
        raise ValueError(f"chunk must be >= 1; got {chunk!r}")

    m = n_paths  # rows still simulated (exited rows are compacted away, see below)
    ids = torch.arange(n_paths, device=dev)
    alive = torch.ones(m, dtype=torch.bool, device=dev)
    exit_step = torch.full((m,), n_steps + 1, dtype=torch.long, device=dev)
    counts = torch.zeros((m, N), dtype=torch.long, device=dev)
    g_exit = torch.full((n_paths,), n_steps + 1, dtype=torch.long, device=dev)
    g_pos = torch.empty((n_paths, N), **opts)
    g_counts = torch.zeros((n_paths, N), dtype=torch.long, device=dev)
    jump_lists = {"path": [], "coord": [], "step": [], "size": []}
    traj, times = [], []
    if record_every is not None:
        traj.append(W.clone())
        times.append(0.0)
    dom_t = domain._tensors(W) if domain is not None else None
    compact = domain is not None and record_every is None

    k0 = 0
    while k0 < n_steps and m > 0:
        chunk = user_chunk or max(16, min(1024, (1 << 21) // (m * N)))
        K = min(chunk, n_steps - k0)
        if sched_const:
            scale_np, thr_np = const_factors
        else:
            scale_np, thr_np = step_factors((k0 + np.arange(K)) * dt)
        if noisy:
            V = torch.empty((K, m, N), **opts).uniform_(-math.pi / 2, math.pi / 2, generator=gen)
            E = torch.empty((K, m, N), **opts).exponential_(1.0, generator=gen)
            X = cms(alpha_arg, V, E)
            del V, E
            dL = torch.nan_to_num_(X * dtpow, nan=0.0, posinf=big, neginf=-big).clamp_(-big, big)
            del X
            scale_t = torch.as_tensor(scale_np[:, None, :], **opts)
            if track_jumps:
                thr_t = torch.as_tensor(np.ascontiguousarray(thr_np)[:, None, :], **opts)
                large = dL.abs() > thr_t  # (K, m, N)
                if small_jumps_only:
                    dL = dL.masked_fill(large, 0.0)
            inc = (dL * scale_t).clamp_(-big_inc, big_inc)
        else:
            inc = None
        out_buf = torch.zeros((K, m), dtype=torch.bool, device=dev) if domain is not None else None
        alive2d = alive[:, None]  # a view: updated in place below
        # ---- Euler steps of this chunk (paths frozen after exit) -------------
        for k in range(K):
            Wn = torch.add(W, potential.grad(W), alpha=-dt)
            if inc is not None:
                Wn.add_(inc[k])
            if domain is None:
                W = Wn
            else:
                W = torch.where(alive2d, Wn, W)
                ob = out_buf[k]
                domain.outside(W, *dom_t, out=ob)
                torch.logical_not(ob, out=alive)
            if record_every is not None and (k0 + k + 1) % record_every == 0:
                traj.append(W.clone())
                times.append((k0 + k + 1) * dt)
        # ---- exits and large jumps of this chunk -------------------------------
        if domain is not None:
            hit = out_buf.any(0)
            first = out_buf.to(torch.uint8).argmax(0)
            new = hit & (exit_step > n_steps)
            exit_step = torch.where(new, k0 + first, exit_step)
        if track_jumps and noisy:
            steps = torch.arange(k0, k0 + K, device=dev)[:, None, None]
            valid = large & (steps <= exit_step[None, :, None])
            counts += valid.sum(0)
            if record_jumps:
                kk, pp, cc = valid.nonzero(as_tuple=True)
                jump_lists["step"].append(kk + k0)
                jump_lists["path"].append(ids[pp])
                jump_lists["coord"].append(cc)
                jump_lists["size"].append(dL[kk, pp, cc])
            del large, valid
        inc = dL = None
        # ---- a state that went non-finite while inside is an error -----------
        live = W[exit_step > n_steps] if domain is not None else W
        if not bool(torch.isfinite(live).all()):
            raise ValueError(
                f"the state became NaN/inf on a path still inside the domain near t = {(k0 + K) * dt:g}: "
                f"potential {potential!r} returned NaN/inf or the state overflowed "
                "(use a bounded domain, a smaller step or less noise)")
        k0 += K
        # ---- compaction: drop exited rows once they are half of the batch -----
        if compact:
            done = exit_step <= n_steps
            n_done = int(done.sum())
            if n_done == m or (n_done > 0 and (n_done >= m // 2 or k0 >= n_steps)):
                g_exit[ids[done]] = exit_step[done]
                g_pos[ids[done]] = W[done]
                g_counts[ids[done]] = counts[done]
                keep = ~done
                ids, W, alive, exit_step, counts = ids[keep], W[keep], alive[keep], exit_step[keep], counts[keep]
                m = int(ids.shape[0])
    if m > 0:
        g_exit[ids] = exit_step
        g_pos[ids] = W
        g_counts[ids] = counts
    exit_step, W, counts = g_exit, g_pos, g_counts
    exited = exit_step <= n_steps
    exit_time = torch.where(exited, (exit_step + 1).to(dtype) * dt, torch.full_like(W[:, 0], n_steps * dt))
    axis = torch.full((n_paths,), -1, dtype=torch.long, device=dev)
    side = torch.zeros(n_paths, dtype=torch.int8, device=dev)
    if domain is not None and bool(exited.any()):
        ax, sd = domain.exit_axis_side(W[exited])
        axis[exited] = ax
        side[exited] = sd
    jumps = None
    if record_jumps:
        cat = {k: (torch.cat(v) if v else torch.zeros(0, device=dev, dtype=torch.long if k != "size" else dtype))
               for k, v in jump_lists.items()}
        order = torch.argsort(cat["path"] * (n_steps + 2) + cat["step"], stable=True)
        jumps = {
            "path": cat["path"][order],
            "coord": cat["coord"][order],
            "time": (cat["step"][order] + 1).to(dtype) * dt,
            "size": cat["size"][order],
        }
    thr_report = None
    if track_jumps:
        thr_report = step_factors(np.zeros(1))[1][0]
    return SDEResult(
        exit_time=exit_time,
        exited=exited,
        exit_axis=axis,
        exit_side=side,
        position=W,
        n_large_jumps=counts,
        horizon=n_steps * dt,
        dt=dt,
        n_steps=n_steps,
        jump_threshold=thr_report,
        jumps=jumps,
        times=np.asarray(times) if record_every is not None else None,
        trajectory=torch.stack(traj) if record_every is not None else None,
        params=dict(alpha=alpha_v, sigma=sigma_v, eps=eps_v, schedule=schedule, domain=domain,
                    rho=rho, potential=potential.name),
    )
