"""The Euler scheme of eq. 3 with first-exit and large-jump bookkeeping (:func:`simulate`).

One call runs in five parts, each a function below: :func:`plan` (validation
and planning, before anything is drawn), :func:`draw_increments` (a chunk of
SαS increments for the live paths only), :func:`euler_chunk` (the Euler steps of
that chunk), :class:`Bookkeeping` (exits, large jumps, compaction of exited
paths) and :func:`assemble` (the :class:`~sgnlib.sde.result.SDEResult`).

Speed (exit times, issue 11): with a domain, exited paths are dropped after
every chunk and the next chunk draws noise only for the paths still inside
(the draws of a run are laid out by the live paths, so the numbers depend on
the seed alone); on the CPU the uniform and exponential variates of the CMS
map come from a numpy PCG64 stream seeded once from the torch generator, and
chunks are kept small enough for the cache (about 2**16 variates). On a
quadratic with diagonal Hessian in float64 the Euler recursion
``W − W* ← (1 − h dt)(W − W*) + inc`` is linear and is solved for a whole chunk
at once (:func:`linear_states`), with no Python work per step.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral, Real
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike
import torch

from sgnlib import stable
from sgnlib._checks import check_alpha, check_finite, check_positive, resolve_device, torch_generator
from sgnlib.sde.domains import Ball, Box
from sgnlib.sde.potentials import Potential
from sgnlib.sde.result import SDEResult
from sgnlib.sde.schedules import Schedule, constant_schedule
from sgnlib.theory import noise_epsilon

__all__ = ["simulate", "plan", "Plan", "NoiseSource", "draw_increments", "euler_chunk", "linear_states",
           "Bookkeeping", "assemble",
           "DEFAULT_MAX_STEPS", "MAX_TRAJECTORY_BYTES"]

#: Default cap on the number of Euler steps ``ceil(horizon / dt)`` (raise it with ``max_steps=``).
DEFAULT_MAX_STEPS = 10**9
#: The largest trajectory ``record_every`` may ask for (saved states of every path), in bytes.
MAX_TRAJECTORY_BYTES = 4 * 2**30
#: A live path farther than this many start distances from the minimum is checked for an unstable step.
_EXPLODE_FACTOR = 1e6
#: Variates drawn per chunk by default: small enough for the cache and below torch's parallel grain.
_CHUNK_VARIATES = 1 << 16
#: The linear scan of a quadratic multiplies increments by at most this factor ``|a|^(-steps)`` (1e-12 rounding).
_SCAN_RANGE = 1e4


def _scan_block(a: np.ndarray) -> int:
    """Steps per block of the linear scan: the largest ``L`` with ``|a_l|^(-L) ≤ _SCAN_RANGE`` on every axis."""
    mag = np.abs(a)
    if (mag <= 0).any():
        return 0
    if (mag >= 1).all():
        return 1 << 30
    return int(math.log(_SCAN_RANGE) / -np.log(mag[mag < 1]).max())


# --------------------------------------------------------------------------- planning and validation


def _count(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``; integral floats (``1e4``) pass, ``2.7``, ``True`` or NaN do not."""
    if isinstance(value, bool) or not isinstance(value, (Integral, Real)):
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    if isinstance(value, Real) and not isinstance(value, Integral):
        if not (math.isfinite(value) and float(value).is_integer()):
            raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    n = int(value)
    if n < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return n


def _per_coordinate(values: np.ndarray, name: str, n_dim: int) -> np.ndarray:
    """A scalar or a length-``n_dim`` vector as a ``(n_dim,)`` float array; anything else is named."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size not in (1, n_dim)):
        raise ValueError(f"{name} must be a scalar or have length {n_dim} (the dimension of w0); "
                         f"got shape {arr.shape}")
    return np.broadcast_to(arr, (n_dim,)).astype(float).copy()


@dataclass
class Plan:
    """Everything :func:`simulate` needs, checked: the validated arguments and the number of steps."""

    potential: Potential
    w0: np.ndarray  # (n_paths, N)
    alpha: np.ndarray  # (N,)
    sigma: np.ndarray
    eps: np.ndarray
    schedule: Schedule
    domain: Box | Ball | None
    rho: float | None
    thr_const: np.ndarray | None
    small_jumps_only: bool
    record_jumps: bool
    record_every: int | None
    dt: float
    n_steps: int
    device: str
    dtype: torch.dtype
    chunk: int | None

    @property
    def n_paths(self) -> int:
        return self.w0.shape[0]

    @property
    def dim(self) -> int:
        return self.w0.shape[1]

    @property
    def track_jumps(self) -> bool:
        return self.rho is not None or self.thr_const is not None

    @property
    def noisy(self) -> bool:
        return bool((self.sigma * self.eps > 0).any())

    def factors(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-step noise scale ``s_t^((α-1)/α) ε σ`` and threshold ``O`` (K, N) at the times ``t`` (K,)."""
        s = self.schedule(t)[:, None]
        sp = s ** ((self.alpha - 1.0) / self.alpha)
        scale = sp * self.eps * self.sigma
        if self.rho is not None:
            thr = (sp * self.eps) ** (-self.rho)
        elif self.thr_const is not None:
            thr = np.broadcast_to(self.thr_const, scale.shape)
        else:
            thr = None
        return scale, thr

    def chunk_size(self, m: int) -> int:
        """Steps of noise drawn at once for ``m`` live paths: about 2**16 variates (cache-sized), 16 to 4096 steps."""
        return self.chunk or max(16, min(4096, _CHUNK_VARIATES // (m * self.dim)))

    @cached_property
    def linear_drift(self) -> np.ndarray | None:
        """``a = 1 − h dt`` (N,) when the Euler step is the linear recursion ``W − W* ← a (W − W*) + inc``.

        Only for a potential with a diagonal Hessian ``h`` and a minimum, in float64, without
        saved states, and when a block of at least 8 steps keeps ``|a|^(-steps) ≤`` :data:`_SCAN_RANGE`.
        """
        h = getattr(self.potential, "diagonal_hessian", None)
        if (h is None or self.potential.minimum is None or self.dtype != torch.float64
                or self.record_every is not None or self.potential.minimum.shape != (self.dim,)):
            return None
        a = 1.0 - np.broadcast_to(h, (self.dim,)) * self.dt
        if _scan_block(a) < 8:
            return None
        return a


def plan(potential: Potential | Callable, w0: ArrayLike, *, alpha: ArrayLike, dt: float, horizon: float,
         n_paths: int = 1, sigma: ArrayLike = 1.0, eta: ArrayLike | None = None, eps: ArrayLike | None = None,
         schedule: Schedule | None = None, domain: Box | Ball | None = None, rho: float | None = None,
         jump_threshold: ArrayLike | None = None, small_jumps_only: bool = False, record_jumps: bool = False,
         record_every: int | None = None, device: str = "cpu", dtype: torch.dtype = torch.float64,
         chunk: int | None = None, max_steps: int = DEFAULT_MAX_STEPS) -> Plan:
    """Check every argument of :func:`simulate` (one ``ValueError`` naming the argument) and plan the run."""
    dev = resolve_device(device)
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f"dtype must be torch.float32 or torch.float64; got {dtype!r}")
    if not isinstance(potential, Potential):
        if not callable(potential):
            raise ValueError(f"potential must be a Potential or a callable; got {potential!r}")
        potential = Potential(potential)
    dt = float(check_positive(dt, "dt"))
    horizon = float(check_positive(horizon, "horizon"))
    if dt > horizon:
        raise ValueError(f"dt={dt:g} is larger than the horizon={horizon:g}; take dt <= horizon")
    max_steps = _count(max_steps, "max_steps")
    n_steps = int(math.ceil(horizon / dt - 1e-9))
    if n_steps > max_steps:
        raise ValueError(f"horizon={horizon:g} / dt={dt:g} asks for {n_steps:.3g} Euler steps, above "
                         f"max_steps={max_steps:.3g}; take a larger dt or a shorter horizon, or raise max_steps")
    n_paths = _count(n_paths, "n_paths")
    w0n = _start(w0, n_paths, potential)
    n_dim = w0n.shape[1]
    alpha_v = _per_coordinate(check_alpha(alpha), "alpha", n_dim)
    sigma_v = _per_coordinate(check_positive(sigma, "sigma", allow_zero=True), "sigma", n_dim)
    if eta is not None and eps is not None:
        raise ValueError("give eta or eps, not both")
    if eta is not None:
        eps_v = _per_coordinate(noise_epsilon(_per_coordinate(check_positive(eta, "eta"), "eta", n_dim), alpha_v),
                                "eta", n_dim)
    elif eps is not None:
        eps_v = _per_coordinate(check_positive(eps, "eps", allow_zero=True), "eps", n_dim)
    else:
        eps_v = np.ones(n_dim)
    schedule = schedule or constant_schedule()
    if not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be a sgnlib.sde.Schedule; got {schedule!r}")
    _check_domain(domain, w0n)
    if rho is not None and jump_threshold is not None:
        raise ValueError("give rho or jump_threshold, not both")
    thr_const = None
    if jump_threshold is not None:
        thr_const = _per_coordinate(check_positive(jump_threshold, "jump_threshold"), "jump_threshold", n_dim)
    if rho is not None:
        rho = float(check_positive(rho, "rho"))
        if not rho < 1.0:
            raise ValueError(f"rho must lie in (0, 1); got {rho!r}")
        if (eps_v == 0).any():
            raise ValueError("rho needs eps > 0 on every coordinate")
    if (record_jumps or small_jumps_only) and rho is None and thr_const is None:
        raise ValueError("record_jumps / small_jumps_only need rho or jump_threshold")
    if record_every is not None:
        record_every = _count(record_every, "record_every")
        n_saved = n_steps // record_every + 1
        size = n_saved * n_paths * n_dim * torch.empty((), dtype=dtype).element_size()
        if size > MAX_TRAJECTORY_BYTES:
            raise ValueError(f"record_every={record_every} would save {n_saved:.3g} states of {n_paths} paths × {n_dim} "
                             f"coordinates ({size / 2**30:.3g} GiB, above {MAX_TRAJECTORY_BYTES / 2**30:g} GiB); "
                             "save less often, fewer paths or a shorter horizon")
    if chunk is not None:
        chunk = _count(chunk, "chunk")
    _check_step_stability(potential, dt)
    return Plan(potential=potential, w0=w0n, alpha=alpha_v, sigma=sigma_v, eps=eps_v, schedule=schedule,
                domain=domain, rho=rho, thr_const=thr_const, small_jumps_only=bool(small_jumps_only),
                record_jumps=bool(record_jumps), record_every=record_every, dt=dt, n_steps=n_steps,
                device=dev, dtype=dtype, chunk=chunk)


def _start(w0, n_paths: int, potential: Potential) -> np.ndarray:
    """The start ``(n_paths, N)`` from ``(N,)`` or ``(n_paths, N)``, its dimension matching the potential's."""
    try:
        w0n = np.asarray(w0, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"w0 must be a vector of numbers (N,) or (n_paths, N); got {w0!r}") from exc
    if w0n.ndim == 0:
        w0n = w0n.reshape(1)
    if w0n.ndim > 2:
        raise ValueError(f"w0 must be (N,) or (n_paths, N); got shape {w0n.shape}")
    check_finite(w0n, "w0")
    if w0n.ndim == 2 and w0n.shape[0] != n_paths:
        raise ValueError(f"w0 of shape {w0n.shape} needs n_paths == {w0n.shape[0]}; got {n_paths}")
    n_dim = w0n.shape[-1]
    if potential.dim is not None and potential.dim != n_dim:
        raise ValueError(f"w0 has dimension {n_dim} but the potential {potential.name!r} has dimension "
                         f"{potential.dim}")
    return np.broadcast_to(w0n, (n_paths, n_dim)).copy()


def _check_domain(domain, w0n: np.ndarray) -> None:
    if domain is None:
        return
    if not isinstance(domain, (Box, Ball)):
        raise ValueError(f"domain must be a Box, a Ball or None; got {domain!r}")
    if domain.dim != w0n.shape[1]:
        raise ValueError(f"domain has dimension {domain.dim} but w0 has {w0n.shape[1]}")
    inside = domain.contains(w0n)
    if not inside.all():
        raise ValueError(f"the start w0 must lie inside the domain {domain!r}; "
                         f"{int((~inside).sum())} start point(s) do not")


def _check_step_stability(potential: Potential, dt: float) -> None:
    """Euler's step ``w − dt U'(w)`` is stable at the minimum only if ``dt · curvature < 2``."""
    c = potential.curvature
    if c is not None and dt * c >= 2.0:
        raise ValueError(f"dt={dt:g} makes the Euler step unstable: dt × curvature = {dt * c:g} >= 2 "
                         f"(largest curvature {c:g} of {potential!r} at its minimum); take dt < {2.0 / c:g}")


def _check_start(plan_: Plan, W: torch.Tensor) -> None:
    """The potential must be finite at the start, its energy of shape (n,) and its gradient (n, N)."""
    try:
        e0 = plan_.potential(W[:1])
        g0 = plan_.potential.grad(W[:1])
    except (RuntimeError, IndexError) as exc:
        raise ValueError(f"potential {plan_.potential!r} failed on a start of dimension {plan_.dim} "
                         f"(does w0 have the potential's dimension?): {str(exc).splitlines()[0]}") from exc
    if not isinstance(e0, torch.Tensor) or tuple(e0.shape) != (1,):
        shape = tuple(e0.shape) if isinstance(e0, torch.Tensor) else type(e0).__name__
        raise ValueError(f"potential {plan_.potential!r} must map (n, N) states to (n,) energies; got {shape}")
    if not (torch.isfinite(e0).all() and torch.isfinite(g0).all()):
        raise ValueError(f"potential {plan_.potential!r} returned NaN or inf at the start point")
    if g0.shape != W[:1].shape:
        raise ValueError(f"potential gradient has shape {tuple(g0.shape)}; expected {tuple(W[:1].shape)}")


# --------------------------------------------------------------------------- increments and Euler steps


@dataclass
class Increments:
    """One chunk of noise: the increments ``inc`` of W (K, m, N), those ``dL`` of L and the large-jump mask."""

    inc: torch.Tensor | None
    dL: torch.Tensor | None
    large: torch.Tensor | None


class NoiseSource:
    """The uniform ``V ~ U(-π/2, π/2)`` and exponential ``E ~ Exp(1)`` variates of the CMS map.

    On the CPU a numpy PCG64 stream seeded once from the torch generator (numpy's
    ziggurat exponential is several times faster than torch's); on other devices
    the torch generator itself. Same generator state → same variates.
    """

    def __init__(self, gen: torch.Generator, plan_: Plan):
        self.gen, self.dtype, self.device = gen, plan_.dtype, plan_.device
        self.rng = None
        if torch.device(plan_.device).type == "cpu":
            seed = int(torch.randint(0, 2**62, (1,), generator=gen, device="cpu"))
            self.rng = np.random.default_rng(seed)
        self.np_dtype = np.float64 if plan_.dtype == torch.float64 else np.float32

    def draw(self, shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
        if self.rng is not None:
            V = torch.from_numpy(self.rng.random(shape, dtype=self.np_dtype)).sub_(0.5).mul_(math.pi)
            E = torch.from_numpy(self.rng.standard_exponential(shape, dtype=self.np_dtype))
            return V, E
        opts = dict(dtype=self.dtype, device=self.device)
        V = torch.empty(shape, **opts).uniform_(-math.pi / 2, math.pi / 2, generator=self.gen)
        E = torch.empty(shape, **opts).exponential_(1.0, generator=self.gen)
        return V, E


def cms_scaled_(alpha: float, V: torch.Tensor, E: torch.Tensor, scale: torch.Tensor | float) -> torch.Tensor:
    """``scale · X`` with ``X`` the CMS map of :func:`sgnlib.stable.cms_transform` at one scalar ``alpha``.

    The same formula ``sin(αV) exp(−log cos V / α + (1−α)/α · log(cos((1−α)V) / E))`` written as
    in-place operations that overwrite ``V`` and ``E`` (one pass fewer, no temporaries): the
    simulator's hot loop.
    """
    e = (1.0 - alpha) / alpha
    t = torch.mul(V, 1.0 - alpha).cos_().div_(E).log_().mul_(e)
    t.add_(torch.cos(V, out=E).log_(), alpha=-1.0 / alpha).exp_()
    return V.mul_(alpha).sin_().mul_(t).mul_(scale)


class _Factors:
    """The per-run constants of :func:`draw_increments` as tensors, made once."""

    def __init__(self, plan_: Plan):
        opts = dict(dtype=plan_.dtype, device=plan_.device)
        a = plan_.alpha
        self.alpha = float(a[0]) if (a == a[0]).all() else torch.as_tensor(a, **opts)
        self.dtpow = torch.as_tensor(plan_.dt ** (1.0 / a), **opts)
        self.big = math.sqrt(torch.finfo(plan_.dtype).max)
        lin = plan_.linear_drift
        #: the largest scaled increment: finfo.max / 4, or less for the linear scan (see linear_states)
        self.top = torch.finfo(plan_.dtype).max / 4
        if lin is not None:
            self.top /= _SCAN_RANGE * _scan_block(lin)
        self.constant = plan_.schedule.kind == "constant"
        if self.constant:
            scale, thr = plan_.factors(np.zeros(1))
            self.scale = torch.as_tensor(scale[0], **opts)
            self.thr = None if thr is None else torch.as_tensor(np.ascontiguousarray(thr[0]), **opts)


def draw_increments(plan_: Plan, source: NoiseSource, k0: int, K: int, m: int,
                    factors: _Factors | None = None) -> Increments:
    """SαS increments ``dL = dt^(1/α) X`` for ``K`` steps of ``m`` paths from step ``k0`` (CMS map).

    Exactly ``K × m × N`` variate pairs are drawn (only the live paths get numbers).

    Overflow: NaN (0·∞ at the edge of the CMS map) becomes 0 and ±∞ or anything
    larger than ``sqrt(finfo(dtype).max)`` is clamped to ± that value (and the
    scaled increment to ``± finfo(dtype).max / 4``).
    """
    if not plan_.noisy:
        return Increments(None, None, None)
    f = factors or _Factors(plan_)
    opts = dict(dtype=plan_.dtype, device=plan_.device)
    if f.constant:
        scale, thr = f.scale, f.thr
    else:
        scale_np, thr_np = plan_.factors((k0 + np.arange(K)) * plan_.dt)
        scale = torch.as_tensor(scale_np[:, None, :], **opts)
        thr = None if thr_np is None else torch.as_tensor(np.ascontiguousarray(thr_np)[:, None, :], **opts)
    V, E = source.draw((K, m, plan_.dim))
    if isinstance(f.alpha, float):
        dL = cms_scaled_(f.alpha, V, E, f.dtpow)
    else:
        dL = stable.cms_transform(f.alpha, V, E).mul_(f.dtpow)
    del V, E
    torch.nan_to_num_(dL, nan=0.0, posinf=f.big, neginf=-f.big).clamp_(-f.big, f.big)
    large = None
    if plan_.track_jumps:
        large = dL.abs() > thr
        if plan_.small_jumps_only:
            dL = dL.masked_fill(large, 0.0)
        inc = dL * scale
    else:
        inc, dL = dL.mul_(scale), None
    return Increments(inc.clamp_(-f.top, f.top), dL, large)


def euler_chunk(plan_: Plan, W: torch.Tensor, inc: torch.Tensor | None, k0: int, K: int,
                book: "Bookkeeping") -> tuple[torch.Tensor, tuple | None]:
    """``K`` Euler steps ``W ← W − ∇U(W) dt + inc_k``; exited paths stay frozen where they left.

    Returns the new state and the chunk's exits ``(hit, first)`` (None without a domain): per path,
    whether it was outside at some step of the chunk and the first such step.
    Without a saved trajectory the steps run unfrozen into one (K, m, N) stack (by
    :func:`linear_states` on a diagonal quadratic, else step by step) and exits are read
    off it afterwards (:func:`_exits_from_stack`, same numbers, fewer operations per step).
    """
    dom = plan_.domain
    if plan_.record_every is None:
        a = plan_.linear_drift
        if a is not None and inc is not None:
            c = plan_.potential.minimum
            at = torch.as_tensor(a, dtype=W.dtype, device=W.device)
            if (c == 0).all():
                states = linear_states(W, inc, at)
            else:
                ct = torch.as_tensor(c, dtype=W.dtype, device=W.device)
                states = linear_states(W - ct, inc, at).add_(ct)
        else:
            states = _step_states(plan_, W, inc, K)
        if dom is None:
            return states[-1].clone(), None
        return _exits_from_stack(plan_, W, states, book)
    out_buf = torch.zeros((K, W.shape[0]), dtype=torch.bool, device=W.device) if dom is not None else None
    alive2d = book.alive[:, None]  # a view: updated in place below
    grad, dt = plan_.potential.grad, plan_.dt
    for k in range(K):
        Wn = torch.add(W, grad(W), alpha=-dt)
        if inc is not None:
            Wn.add_(inc[k])
        if dom is None:
            W = Wn
        else:
            W = torch.where(alive2d, Wn, W)
            dom.outside(W, *book.dom_t, out=out_buf[k])
            torch.logical_not(out_buf[k], out=book.alive)
        if (k0 + k + 1) % plan_.record_every == 0:
            book.trajectory.append(W.clone())
            book.times.append((k0 + k + 1) * dt)
    if out_buf is None:
        return W, None
    return W, (out_buf.any(0), _first_true(out_buf))


def _first_true(mask: torch.Tensor) -> torch.Tensor:
    """Per column of a (K, m) bool mask, the first row that is True (0 where none is)."""
    return torch.max(mask.view(torch.uint8), 0).indices


def linear_states(x0: torch.Tensor, inc: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """The states ``x_(k+1) = a x_k + inc_k`` (k < K) of a linear recursion, without a loop over steps.

    ``x0`` (m, N), ``inc`` (K, m, N), ``a`` (N,) with ``0 < |a| < 1`` (or 1). In blocks of ``L``
    steps (:func:`_scan_block`): ``x_(k+1) = a^(k+1) (x_0 + Σ_(j≤k) a^(−(j+1)) inc_j)``, one cumulative
    sum per block; the factors ``a^(−j)`` stay ≤ :data:`_SCAN_RANGE`, so rounding stays near
    ``1e-12`` of the increments. ``inc`` is overwritten with the (K, m, N) states ``x_1 .. x_K``,
    which are returned; ``|inc|`` must be at most ``finfo.max / (4 L _SCAN_RANGE)`` (then no partial
    sum overflows; :func:`draw_increments` clamps to that, a step that large leaves any bounded domain).
    """
    K = inc.shape[0]
    L = max(1, min(K, _scan_block(a.detach().cpu().numpy())))
    j = torch.arange(1, L + 1, dtype=inc.dtype, device=inc.device)[:, None]
    pw = a[None, :] ** j  # (L, N): a^(j+1) for j = 0 .. L-1
    ipw = pw.reciprocal()[:, None, :]
    pw = pw[:, None, :]
    out = inc
    x = x0
    for s in range(0, K, L):
        blk = out[s:s + L]
        n = blk.shape[0]
        blk.mul_(ipw[:n])
        torch.cumsum(blk, 0, out=blk)
        blk.add_(x).mul_(pw[:n])
        x = blk[-1]
    return out


def _step_states(plan_: Plan, W: torch.Tensor, inc: torch.Tensor | None, K: int) -> torch.Tensor:
    """The (K, m, N) stack of ``K`` unfrozen Euler steps from ``W``, one gradient call per step.

    With noise the stack is written over ``inc`` (row ``k`` becomes ``inc_k + (x − dt ∇U(x))``, the
    same floating-point sum as ``(x − dt ∇U(x)) + inc_k``), which saves a buffer and one view per step.
    An analytic gradient is called directly (no wrapper per step).
    """
    pot, dt = plan_.potential, plan_.dt
    grad = pot._grad if pot._grad is not None else pot.grad
    x = W
    if inc is None:
        states = torch.empty((K,) + tuple(W.shape), dtype=W.dtype, device=W.device)
        for row in states.unbind(0):
            x = torch.add(x, grad(x), alpha=-dt, out=row)
        return states
    for row in inc.unbind(0):
        x = row.add_(torch.add(x, grad(x), alpha=-dt))
    return inc


def _exits_from_stack(plan_: Plan, W: torch.Tensor, states: torch.Tensor,
                      book: "Bookkeeping") -> tuple[torch.Tensor, tuple]:
    """Exits found on the whole (K, m, N) stack of a chunk at once.

    A path keeps moving after it left (those states are never used); afterwards each path that
    left in this chunk is put back at its first outside state, and one that had left before at
    the state it entered with, so the result equals step-by-step freezing.
    """
    out_buf = plan_.domain.outside(states, *book.dom_t)
    before = ~book.alive
    hit = out_buf.any(0)
    first = _first_true(out_buf)
    exit_pos = states[first, torch.arange(W.shape[0], device=W.device)]
    W_new = torch.where(before[:, None], W, torch.where(hit[:, None], exit_pos, states[-1]))
    book.alive = ~(before | hit)
    return W_new, (hit, first)


# --------------------------------------------------------------------------- exits, jumps, compaction


class Bookkeeping:
    """Exit steps, large-jump counts and lists, saved states; exited rows are compacted away.

    Rows of the live batch are mapped to path ids by ``ids``; ``exit_step`` is
    ``n_steps + 1`` while a path is inside. With a domain and no saved
    trajectory, finished rows move to the global arrays after every chunk, and
    the next chunk draws noise for the remaining rows only.
    """

    def __init__(self, plan_: Plan, W: torch.Tensor):
        n, dev, never = plan_.n_paths, W.device, plan_.n_steps + 1
        self.plan = plan_
        self.m = n
        self.ids = torch.arange(n, device=dev)
        self.alive = torch.ones(n, dtype=torch.bool, device=dev)
        self.exit_step = torch.full((n,), never, dtype=torch.long, device=dev)
        self.counts = torch.zeros((n, plan_.dim), dtype=torch.long, device=dev)
        self.g_exit = torch.full((n,), never, dtype=torch.long, device=dev)
        self.g_pos = torch.empty_like(W)
        self.g_counts = torch.zeros((n, plan_.dim), dtype=torch.long, device=dev)
        self.jump_lists: dict[str, list] = {"path": [], "coord": [], "step": [], "size": []}
        self.trajectory: list[torch.Tensor] = [W.clone()] if plan_.record_every is not None else []
        self.times: list[float] = [0.0] if plan_.record_every is not None else []
        self.dom_t = plan_.domain.tensors(W) if plan_.domain is not None else None
        self.compactable = plan_.domain is not None and plan_.record_every is None

    def record_chunk(self, k0: int, K: int, exits: tuple | None, noise: Increments) -> None:
        """First exits and the large jumps (before or at exit) of the chunk of steps ``k0 .. k0+K-1``.

        ``exits``: ``(hit, first)`` of :func:`euler_chunk` (None without a domain)."""
        n_steps = self.plan.n_steps
        if exits is not None:
            hit, first = exits
            new = hit & (self.exit_step > n_steps)
            self.exit_step = torch.where(new, k0 + first, self.exit_step)
        if noise.large is None:
            return
        steps = torch.arange(k0, k0 + K, device=self.ids.device)[:, None, None]
        valid = noise.large & (steps <= self.exit_step[None, :, None])
        self.counts += valid.sum(0)
        if self.plan.record_jumps:
            kk, pp, cc = valid.nonzero(as_tuple=True)
            self.jump_lists["step"].append(kk + k0)
            self.jump_lists["path"].append(self.ids[pp])
            self.jump_lists["coord"].append(cc)
            self.jump_lists["size"].append(noise.dL[kk, pp, cc])

    def check_live(self, W: torch.Tensor, t: float) -> None:
        """A live state that is NaN/inf, or that explodes under an unstable Euler step, is an error."""
        live = W[self.exit_step > self.plan.n_steps] if self.plan.domain is not None else W
        if not bool(torch.isfinite(live).all()):
            raise ValueError(
                f"the state became NaN/inf on a path still inside the domain near t = {t:g}: potential "
                f"{self.plan.potential!r} returned NaN/inf or the state overflowed (an Euler step too large for "
                f"the potential's curvature, dt={self.plan.dt:g}, or a huge jump in a potential steeper than "
                "quadratic); use a bounded domain, a smaller dt or less noise")
        _check_explosion(self.plan, live, t)

    def compact(self, W: torch.Tensor) -> torch.Tensor:
        """Move finished rows to the global arrays and drop them (the next chunk draws for live rows only)."""
        if not self.compactable:
            return W
        done = self.exit_step <= self.plan.n_steps
        if bool(done.any()):
            self._store(done, W)
            keep = ~done
            self.ids, W, self.alive = self.ids[keep], W[keep], self.alive[keep]
            self.exit_step, self.counts = self.exit_step[keep], self.counts[keep]
            self.m = int(self.ids.shape[0])
        return W

    def _store(self, rows: torch.Tensor, W: torch.Tensor) -> None:
        self.g_exit[self.ids[rows]] = self.exit_step[rows]
        self.g_pos[self.ids[rows]] = W[rows]
        self.g_counts[self.ids[rows]] = self.counts[rows]

    def finish(self, W: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Exit step, final position and large-jump counts of every path, in path order."""
        if self.m > 0:
            self._store(torch.ones(self.m, dtype=torch.bool, device=W.device), W)
        return self.g_exit, self.g_pos, self.g_counts


def _check_explosion(plan_: Plan, live: torch.Tensor, t: float) -> None:
    """Unstable Euler step: far from the minimum the drift step overshoots (``dt |∇U| > 2 |w − W*|``)."""
    if live.shape[0] == 0:
        return
    pot = plan_.potential
    centre = pot.minimum if pot.minimum is not None and pot.minimum.shape == (plan_.dim,) else plan_.w0.mean(0)
    c = torch.as_tensor(centre, dtype=live.dtype, device=live.device)
    r0 = float(np.sqrt(((plan_.w0 - centre) ** 2).sum(-1)).max())
    dist = (live - c).norm(dim=-1)
    far = dist > _EXPLODE_FACTOR * (1.0 + r0)
    if not bool(far.any()):
        return
    wf, df = live[far], dist[far]
    step = plan_.dt * pot.grad(wf).norm(dim=-1)
    bad = ~torch.isfinite(step) | (step > 2.0 * df)
    if bool(bad.any()):
        i = int(bad.nonzero()[0, 0])
        raise ValueError(
            f"the Euler step explodes near t = {t:g}: at |w − W*| = {float(df[i]):.3g} the drift step "
            f"dt × |∇U| = {float(step[i]):.3g} overshoots the minimum (dt={plan_.dt:g} is above 2 / curvature "
            f"there); take a smaller dt, a bounded domain or less noise")


# --------------------------------------------------------------------------- result


def assemble(plan_: Plan, book: Bookkeeping, W: torch.Tensor) -> SDEResult:
    """The :class:`SDEResult`: exit times (horizon if censored), axes and sides, jumps sorted by path and time."""
    exit_step, W, counts = book.finish(W)
    n_steps, dt, dtype, dev = plan_.n_steps, plan_.dt, plan_.dtype, W.device
    exited = exit_step <= n_steps
    exit_time = torch.where(exited, (exit_step + 1).to(dtype) * dt, torch.full_like(W[:, 0], n_steps * dt))
    axis = torch.full((plan_.n_paths,), -1, dtype=torch.long, device=dev)
    side = torch.zeros(plan_.n_paths, dtype=torch.int8, device=dev)
    if plan_.domain is not None and bool(exited.any()):
        ax, sd = plan_.domain.exit_axis_side(W[exited])
        axis[exited] = ax
        side[exited] = sd
    jumps = None
    if plan_.record_jumps:
        cat = {k: (torch.cat(v) if v else torch.zeros(0, device=dev, dtype=torch.long if k != "size" else dtype))
               for k, v in book.jump_lists.items()}
        order = torch.argsort(cat["path"] * (n_steps + 2) + cat["step"], stable=True)
        jumps = {
            "path": cat["path"][order],
            "coord": cat["coord"][order],
            "time": (cat["step"][order] + 1).to(dtype) * dt,
            "size": cat["size"][order],
        }
    saved = plan_.record_every is not None
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
        jump_threshold=plan_.factors(np.zeros(1))[1][0] if plan_.track_jumps else None,
        jumps=jumps,
        times=np.asarray(book.times) if saved else None,
        trajectory=torch.stack(book.trajectory) if saved else None,
        params=dict(alpha=plan_.alpha, sigma=plan_.sigma, eps=plan_.eps, schedule=plan_.schedule,
                    domain=plan_.domain, rho=plan_.rho, potential=plan_.potential.name),
    )


# --------------------------------------------------------------------------- the simulator


def simulate(
    potential: Potential | Callable,
    w0: ArrayLike,
    *,
    alpha: ArrayLike,
    dt: float,
    horizon: float,
    n_paths: int = 1,
    sigma: ArrayLike = 1.0,
    eta: ArrayLike | None = None,
    eps: ArrayLike | None = None,
    schedule: Schedule | None = None,
    domain: Box | Ball | None = None,
    rho: float | None = None,
    jump_threshold: ArrayLike | None = None,
    small_jumps_only: bool = False,
    record_jumps: bool = False,
    record_every: int | None = None,
    generator: int | torch.Generator | None = None,
    device: str = "cpu",
    dtype: torch.dtype = torch.float64,
    chunk: int | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> SDEResult:
    """Euler scheme for eq. 3 with first-exit bookkeeping (see :mod:`sgnlib.sde`).

    Parameters
    ----------
    potential : Potential or callable ``U(w) -> (n,)`` (gradient then by autograd).
    w0 : start, ``(N,)`` or ``(n_paths, N)``; must lie inside ``domain``; its
        dimension must be the potential's.
    alpha : tail index per coordinate (scalar or ``(N,)``), in (0, 2].
    dt, horizon : Euler step and time horizon (> 0, ``dt <= horizon``);
        ``ceil(horizon/dt)`` steps, at most ``max_steps`` (default 10⁹).
        With a potential of known ``curvature`` (quadratic, double well),
        ``dt · curvature < 2`` (Euler stability) is required.
    n_paths : number of paths, a positive int.
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
    record_every : save the state every this many steps (and at t = 0); at most 4 GiB of states.
    generator : int seed or ``torch.Generator``; device : "cpu", "cuda", "auto".
    chunk : steps of noise drawn at once (default: about 2**16 variates, 16 to 4096 steps).
    max_steps : the largest number of Euler steps allowed (a guard against a mistyped dt).

    Every argument is checked before anything is drawn; a state that becomes
    NaN/inf, or explodes under an unstable Euler step, while inside raises
    ``ValueError``.
    """
    p = plan(potential, w0, alpha=alpha, dt=dt, horizon=horizon, n_paths=n_paths, sigma=sigma, eta=eta, eps=eps,
             schedule=schedule, domain=domain, rho=rho, jump_threshold=jump_threshold,
             small_jumps_only=small_jumps_only, record_jumps=record_jumps, record_every=record_every,
             device=device, dtype=dtype, chunk=chunk, max_steps=max_steps)
    gen = _generator(generator, p.device)
    with _one_cpu_thread(p.device):
        W = torch.as_tensor(p.w0, dtype=p.dtype, device=p.device)
        _check_start(p, W)
        book = Bookkeeping(p, W)
        source = NoiseSource(gen, p) if p.noisy else None
        factors = _Factors(p) if p.noisy else None
        k0 = 0
        while k0 < p.n_steps and book.m > 0:
            K = min(p.chunk_size(book.m), p.n_steps - k0)
            noise = draw_increments(p, source, k0, K, book.m, factors)
            W, exits = euler_chunk(p, W, noise.inc, k0, K, book)
            book.record_chunk(k0, K, exits, noise)
            del noise
            book.check_live(W, (k0 + K) * p.dt)
            k0 += K
            W = book.compact(W)
        return assemble(p, book, W)


@contextmanager
def _one_cpu_thread(device: str):
    """On the CPU run torch single-threaded, then restore the thread count.

    The simulator's operations are small (cache-sized chunks, one step of the live paths); torch's
    intra-op threads would only add wake-ups, which on a loaded machine cost more than the work
    (measured: 10× the CPU time on 2 shared cores). Elementwise results do not depend on it.
    """
    n = torch.get_num_threads()
    if torch.device(device).type != "cpu" or n == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def _generator(generator, device: str) -> torch.Generator:
    if generator is not None and not isinstance(generator, (torch.Generator, Integral)) or isinstance(generator, bool):
        raise ValueError(f"generator must be an int seed, a torch.Generator or None; got {generator!r}")
    return torch_generator(generator, device=device)
