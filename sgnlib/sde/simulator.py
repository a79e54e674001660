"""The Euler scheme of eq. 3 with first-exit and large-jump bookkeeping (:func:`simulate`).

One call runs in five parts, each a function below: :func:`plan` (validation
and planning, before anything is drawn), :func:`draw_increments` (a chunk of
SαS increments for all live paths), :func:`euler_chunk` (the Euler steps of
that chunk), :class:`Bookkeeping` (exits, large jumps, compaction of exited
paths) and :func:`assemble` (the :class:`~sgnlib.sde.result.SDEResult`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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

__all__ = ["simulate", "plan", "Plan", "draw_increments", "euler_chunk", "Bookkeeping", "assemble",
           "DEFAULT_MAX_STEPS", "MAX_TRAJECTORY_BYTES"]

#: Default cap on the number of Euler steps ``ceil(horizon / dt)`` (raise it with ``max_steps=``).
DEFAULT_MAX_STEPS = 10**9
#: The largest trajectory ``record_every`` may ask for (saved states of every path), in bytes.
MAX_TRAJECTORY_BYTES = 4 * 2**30
#: A live path farther than this many start distances from the minimum is checked for an unstable step.
_EXPLODE_FACTOR = 1e6


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
        """Steps of noise drawn at once for ``m`` live paths: about 2**21 variates, 16 to 1024 steps."""
        return self.chunk or max(16, min(1024, (1 << 21) // (m * self.dim)))


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


def draw_increments(plan_: Plan, gen: torch.Generator, k0: int, K: int, m: int,
                    rows: torch.Tensor | None = None) -> Increments:
    """SαS increments ``dL = dt^(1/α) X`` for ``K`` steps of ``m`` paths from step ``k0`` (CMS map).

    The generator draws for all ``m`` rows; only the ``rows`` given (default: all) are
    transformed and returned, so leaving out finished paths never changes the others' numbers.

    Overflow: NaN (0·∞ at the edge of the CMS map) becomes 0 and ±∞ or anything
    larger than ``sqrt(finfo(dtype).max)`` is clamped to ± that value (and the
    scaled increment to ``± finfo(dtype).max / 4``).
    """
    if not plan_.noisy:
        return Increments(None, None, None)
    opts = dict(dtype=plan_.dtype, device=plan_.device)
    big = math.sqrt(torch.finfo(plan_.dtype).max)
    a = plan_.alpha
    alpha_arg = float(a[0]) if (a == a[0]).all() else torch.as_tensor(a, **opts)
    dtpow = torch.as_tensor(plan_.dt ** (1.0 / a), **opts)
    if plan_.schedule.kind == "constant":
        scale_np, thr_np = plan_.factors(np.zeros(1))
    else:
        scale_np, thr_np = plan_.factors((k0 + np.arange(K)) * plan_.dt)
    V = torch.empty((K, m, plan_.dim), **opts).uniform_(-math.pi / 2, math.pi / 2, generator=gen)
    E = torch.empty((K, m, plan_.dim), **opts).exponential_(1.0, generator=gen)
    if rows is not None:
        V, E = V[:, rows], E[:, rows]
    X = stable.cms_transform(alpha_arg, V, E)
    del V, E
    dL = torch.nan_to_num_(X * dtpow, nan=0.0, posinf=big, neginf=-big).clamp_(-big, big)
    del X
    large = None
    if plan_.track_jumps:
        thr_t = torch.as_tensor(np.ascontiguousarray(thr_np)[:, None, :], **opts)
        large = dL.abs() > thr_t
        if plan_.small_jumps_only:
            dL = dL.masked_fill(large, 0.0)
    inc = (dL * torch.as_tensor(scale_np[:, None, :], **opts)).clamp_(-torch.finfo(plan_.dtype).max / 4,
                                                                       torch.finfo(plan_.dtype).max / 4)
    return Increments(inc, dL, large)


def euler_chunk(plan_: Plan, W: torch.Tensor, inc: torch.Tensor | None, k0: int, K: int,
                book: "Bookkeeping") -> tuple[torch.Tensor, torch.Tensor | None]:
    """``K`` Euler steps ``W ← W − ∇U(W) dt + inc_k``; exited paths stay frozen where they left.

    Returns the new state and the (K, m) mask of steps at which each path was outside.
    With a domain and no saved trajectory the steps run unfrozen into one stack and exits are
    read off it afterwards (:func:`_euler_chunk_stacked`, same numbers, fewer operations per step).
    """
    dom = plan_.domain
    if dom is not None and plan_.record_every is None:
        return _euler_chunk_stacked(plan_, W, inc, K, book)
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
        if plan_.record_every is not None and (k0 + k + 1) % plan_.record_every == 0:
            book.trajectory.append(W.clone())
            book.times.append((k0 + k + 1) * dt)
    return W, out_buf


def _euler_chunk_stacked(plan_: Plan, W: torch.Tensor, inc: torch.Tensor | None, K: int,
                         book: "Bookkeeping") -> tuple[torch.Tensor, torch.Tensor]:
    """The Euler steps of a chunk written into a (K, m, N) stack, exits found on the whole stack at once.

    A path keeps moving after it left (those states are never used); afterwards each path that
    left in this chunk is put back at its first outside state, and one that had left before at
    the state it entered with, so the result equals the step-by-step freezing of :func:`euler_chunk`.
    """
    states = torch.empty((K,) + tuple(W.shape), dtype=W.dtype, device=W.device)
    rows = states.unbind(0)
    incs = inc.unbind(0) if inc is not None else None
    grad, dt = plan_.potential.grad, plan_.dt
    x = W
    for k in range(K):
        torch.add(x, grad(x), alpha=-dt, out=rows[k])
        if incs is not None:
            rows[k].add_(incs[k])
        x = rows[k]
    out_buf = plan_.domain.outside(states, *book.dom_t)
    before = ~book.alive
    hit = out_buf.any(0)
    first = out_buf.to(torch.uint8).argmax(0)
    exit_pos = states[first, torch.arange(W.shape[0], device=W.device)]
    W_new = torch.where(before[:, None], W, torch.where(hit[:, None], exit_pos, states[-1]))
    book.alive = ~(before | hit)
    return W_new, out_buf


# --------------------------------------------------------------------------- exits, jumps, compaction


class Bookkeeping:
    """Exit steps, large-jump counts and lists, saved states; exited rows are compacted away.

    Rows of the live batch are mapped to path ids by ``ids``; ``exit_step`` is
    ``n_steps + 1`` while a path is inside. With a domain and no saved
    trajectory, finished rows move to the global arrays after every chunk.
    The random numbers are still drawn for the rows ``rng_ids``, which drop
    finished paths only once they are half of them (the layout of the draws,
    and so every path's numbers, stay those of that rule).
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
        self.rng_ids, self.rng_m = self.ids, n

    def record_chunk(self, k0: int, K: int, out_buf: torch.Tensor | None, noise: Increments) -> None:
        """First exits and the large jumps (before or at exit) of the chunk of steps ``k0 .. k0+K-1``."""
        n_steps = self.plan.n_steps
        if out_buf is not None:
            hit = out_buf.any(0)
            first = out_buf.to(torch.uint8).argmax(0)
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

    def compact(self, W: torch.Tensor, k0: int) -> torch.Tensor:
        """Move finished rows to the global arrays; drop them from the drawn rows once they are half of those."""
        if not self.compactable:
            return W
        done = self.exit_step <= self.plan.n_steps
        if bool(done.any()):
            self._store(done, W)
            keep = ~done
            self.ids, W, self.alive = self.ids[keep], W[keep], self.alive[keep]
            self.exit_step, self.counts = self.exit_step[keep], self.counts[keep]
            self.m = int(self.ids.shape[0])
        n_done = self.rng_m - self.m
        if n_done == self.rng_m or (n_done > 0 and (n_done >= self.rng_m // 2 or k0 >= self.plan.n_steps)):
            self.rng_ids, self.rng_m = self.ids, self.m
        return W

    def rng_rows(self) -> torch.Tensor | None:
        """Positions of the live rows among the drawn rows (None when they are the same)."""
        if self.m == self.rng_m:
            return None
        return torch.searchsorted(self.rng_ids, self.ids)

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
    chunk : steps of noise drawn at once (default: about 2**21 variates, 16 to 1024 steps).
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
    W = torch.as_tensor(p.w0, dtype=p.dtype, device=p.device)
    _check_start(p, W)
    book = Bookkeeping(p, W)
    k0 = 0
    while k0 < p.n_steps and book.m > 0:
        K = min(p.chunk_size(book.rng_m), p.n_steps - k0)
        noise = draw_increments(p, gen, k0, K, book.rng_m, rows=book.rng_rows())
        W, out_buf = euler_chunk(p, W, noise.inc, k0, K, book)
        book.record_chunk(k0, K, out_buf, noise)
        del noise
        book.check_live(W, (k0 + K) * p.dt)
        k0 += K
        W = book.compact(W, k0)
    return assemble(p, book, W)


def _generator(generator, device: str) -> torch.Generator:
    if generator is not None and not isinstance(generator, (torch.Generator, Integral)) or isinstance(generator, bool):
        raise ValueError(f"generator must be an int seed, a torch.Generator or None; got {generator!r}")
    return torch_generator(generator, device=device)
