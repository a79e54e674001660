r"""Escaping real minima: a ReLU network trained to a minimum, then many SGD continuations at once.

The experiment of Battash et al. (Sec. 5, "Escape time", Figures 3 and 4): a three-layer ReLU
network is trained with plain SGD (learning rate 0.05, batch 128) until it reaches a minimum,
then continued from that minimum with a smaller batch ``B`` and a learning rate ``η`` until it
escapes; the escape iteration of ``S`` independent continuations (seeds) is recorded.

Two criteria, stated here because the paper's appendix that defines them is not available:

* **Minimum** (:func:`train_to_minimum`). At the end of every epoch the full-data loss
  ``L_e`` and gradient norm ``‖∇L(w_e)‖`` are computed; training stops at the first epoch
  ``e ≥ window`` where the loss has *plateaued*, ``L_{e−window} − L_e ≤ plateau_rtol · L_e``
  (it fell by less than ``plateau_rtol`` of itself over the last ``window`` epochs), *and*
  the gradient is small, ``‖∇L(w_e)‖ ≤ grad_tol``. On separable data (Ionosphere and
  Cardio are, for this network) the cross-entropy has no finite minimiser — the loss creeps
  to 0 along a direction of growing weights — so a minimum can only be a point where SGD at
  the training learning rate has stopped making relative progress; both conditions say so.
* **Escape** (:func:`escape_runs`). Every ``check_every`` steps the full-data loss of every
  continuation is evaluated; a continuation has escaped at the first check where
  ``L(w) > (1 + threshold) · L(w*)`` (or the loss is no longer finite). Its escape
  iteration is that step (resolution ``check_every``). Continuations that have not escaped
  by ``horizon`` steps are *censored* there (``escaped`` False) and must be treated as
  censored by every statistic (:func:`sgnlib.stats.kaplan_meier`,
  :func:`sgnlib.stats.censored_exponential_mean`). At the exit the parameter with the largest
  displacement ``|w_σ − w*|`` is recorded (the exit direction of Thm 4.3).

All ``S`` continuations of one setting run as one tensor program: the weights are stacked
``[S, ...]`` and every step is a handful of batched matrix products (``torch.baddbmm`` /
``torch.bmm``) with the backward pass written out. The mini-batches are drawn by a
counter-based generator (a SplitMix64 hash of the seed's key, the step and the slot in the
batch), so the batch a continuation sees depends on its own key only: any single seed
replayed alone (``replicas=[i]``) follows exactly the same path. The keys come from
:func:`sgnlib.streams.seed_sequence` of (chapter seed, study, data set, minimum, η, B), not
from the call order; the threshold, horizon and check interval are left out on purpose, so
two thresholds see the same paths (a paired comparison) and a longer horizon extends them.

Each minimum and each finished setting is a unit of :class:`sgnlib.cache.UnitCache` keyed
by every setting that changes it (atomic writes): an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import torch

from sgnlib import streams
from sgnlib._checks import torch_dtype
from sgnlib.cache import UnitCache

__all__ = [
    "VERSION",
    "Minimum",
    "EscapeRuns",
    "load_data",
    "batch_indices",
    "loss_and_grad",
    "sgd_step",
    "full_loss",
    "train_to_minimum",
    "escape_runs",
    "top_hessian_eigenvalue",
    "gradient_noise",
    "parameter_groups",
]

#: Part of every cache key: bump it when a change alters a minimum or an escape time.
VERSION = "escape-2"
MIN_STUDY = "ch07-escape-minimum"
RUN_STUDY = "ch07-escape-runs"



# --------------------------------------------------------------------------- checks


def _check_int(value, name: str, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    v = int(value)
    if v < low or (high is not None and v > high):
        rng = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer in {rng}; got {value!r}")
    return v


def _check_pos(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number; got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return v


def _check_hidden(hidden) -> tuple[int, ...]:
    h = tuple(hidden) if isinstance(hidden, (list, tuple)) else None
    if not h or any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 1 for x in h):
        raise ValueError(f"hidden must be a non-empty list of positive layer widths; got {hidden!r}")
    return tuple(int(x) for x in h)


def load_data(name: str, dtype: str = "float32", device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Features ``X [D, d]`` (standardised) and integer labels ``y [D]`` of a tabular data set of :mod:`sgnlib.data`.

    An unknown name is a ``ValueError`` listing the known ones.
    """
    from sgnlib import data

    if not isinstance(name, str) or name not in data.available():
        raise ValueError(f"unknown data set {name!r}; available here: {', '.join(data.available())}")
    ds = data.load(name, dtype=torch_dtype(dtype))
    return ds.X.to(device), ds.y.to(device=device, dtype=torch.long)


# --------------------------------------------------------------------------- the network, batched


def _sizes(X: torch.Tensor, y: torch.Tensor, hidden: tuple[int, ...]) -> list[int]:
    return [int(X.shape[1]), *hidden, int(y.max()) + 1]


def _forward(params: list[torch.Tensor], x: torch.Tensor, start: int = 0) -> list[torch.Tensor]:
    """Activations of the stacked MLP on ``x [S, n, ·]`` from layer ``start`` on (ReLU in place)."""
    acts = [x]
    n_layers = len(params) // 2
    for i in range(start, n_layers):
        z = torch.baddbmm(params[2 * i + 1], acts[-1], params[2 * i])
        acts.append(z.clamp_min_(0) if i < n_layers - 1 else z)
    return acts


def _cross_entropy(out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    logp = out.log_softmax(-1)
    return -logp.gather(-1, y.unsqueeze(-1)).squeeze(-1).mean(-1), logp


def _backprop(params: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor):
    """Loss ``[S]`` and, layer by layer from the top, ``(i, a_i, δ_i)`` with ``∂L/∂W_i = a_iᵀ δ_i``.

    Each ``δ`` is propagated below with the layer's weights *before* the caller may update
    them in place, so the pairs are exact gradients of the weights at entry.
    """
    acts = _forward(params, x)
    loss, logp = _cross_entropy(acts[-1], y)
    delta = logp.exp()
    delta.scatter_add_(-1, y.unsqueeze(-1), -torch.ones_like(y, dtype=delta.dtype).unsqueeze(-1))
    delta = delta / x.shape[1]
    steps = []
    for i in reversed(range(len(params) // 2)):
        steps.append((i, acts[i], delta))
        if i > 0:
            delta = torch.bmm(delta, params[2 * i].transpose(1, 2)) * (acts[i] > 0)
    return loss, steps


def _penalty(params: list[torch.Tensor], weight_decay: float) -> torch.Tensor:
    """``(λ/2) Σ_i ‖W_i‖²`` per network (biases are not penalised)."""
    return 0.5 * weight_decay * sum((W * W).sum((1, 2)) for W in params[0::2])


def loss_and_grad(params: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor, weight_decay: float = 0.0):
    """Objective ``[S]`` (mean cross-entropy + ``(λ/2)‖W‖²``) of each stacked network on its own batch, and its gradients.

    ``params`` are ``[W_1, b_1, …]`` with ``W_i [S, in, out]`` and ``b_i [S, 1, out]``;
    ``x [S, n, d]``, ``y [S, n]``. The backward pass is written out (two ``bmm`` per
    layer), so S networks cost one batched program.
    """
    loss, steps = _backprop(params, x, y)
    grads: list[torch.Tensor] = [None] * len(params)  # type: ignore[list-item]
    for i, a, d in steps:
        grads[2 * i] = torch.baddbmm(params[2 * i], a.transpose(1, 2), d, beta=weight_decay)
        grads[2 * i + 1] = d.sum(1, keepdim=True)
    return loss + _penalty(params, weight_decay), grads


def sgd_step(params: list[torch.Tensor], x: torch.Tensor, y: torch.Tensor, lr: float,
             weight_decay: float = 0.0) -> None:
    """One SGD step of every stacked network on its own batch, in place: ``W ← (1 − lr λ) W − lr · aᵀδ``.

    The gradient is never stored: each weight is updated by one fused ``baddbmm_`` (one
    pass over the weights), after its ``δ`` has been propagated to the layer below.
    """
    _, steps = _backprop(params, x, y)
    for i, a, d in steps:
        params[2 * i].baddbmm_(a.transpose(1, 2), d, beta=1.0 - lr * weight_decay, alpha=-lr)
        params[2 * i + 1].add_(d.sum(1, keepdim=True), alpha=-lr)


def full_logits(params: list[torch.Tensor], X: torch.Tensor) -> torch.Tensor:
    """Outputs ``[S, D, classes]`` of the stacked networks on all of ``X``.

    The first layer of all ``S`` networks is one matrix product ``X [D, d] @ [d, S·h]`` (the
    data is shared, never copied per network); the layers above are batched products.
    """
    S, d, h = params[0].shape
    D = X.shape[0]
    z = torch.addmm(params[1].reshape(1, S * h), X, params[0].transpose(0, 1).reshape(d, S * h))
    a1 = z.clamp_min_(0).view(D, S, h).transpose(0, 1)
    return _forward(params, a1, start=1)[-1]


def full_loss(params: list[torch.Tensor], X: torch.Tensor, y: torch.Tensor, weight_decay: float = 0.0,
              chunk: int = 256) -> torch.Tensor:
    """Full-data objective ``[S]`` of each stacked network: mean cross-entropy + ``(λ/2)‖W‖²`` (``chunk`` at a time)."""
    S = params[0].shape[0]
    out = torch.empty(S, dtype=params[0].dtype, device=params[0].device)
    for s in range(0, S, chunk):
        part = [p[s:s + chunk] for p in params]
        logits = full_logits(part, X)
        out[s:s + logits.shape[0]] = _cross_entropy(logits, y.unsqueeze(0).expand(logits.shape[0], -1))[0]
    return out + _penalty(params, weight_decay)


def _flat(params: list[torch.Tensor]) -> torch.Tensor:
    """``[S, P]`` in the column order of :func:`sgnlib.noise.per_example_gradients` (torch ``weight`` is ``[out, in]``)."""
    S = params[0].shape[0]
    cols = []
    for i in range(0, len(params), 2):
        cols += [params[i].transpose(1, 2).reshape(S, -1), params[i + 1].reshape(S, -1)]
    return torch.cat(cols, dim=1)


def _unflat(flat: torch.Tensor, sizes: list[int]) -> list[torch.Tensor]:
    """Inverse of :func:`_flat` for ``flat [S, P]``."""
    S, out, k = flat.shape[0], [], 0
    for a, b in zip(sizes[:-1], sizes[1:]):
        out.append(flat[:, k:k + a * b].reshape(S, b, a).transpose(1, 2).contiguous())
        k += a * b
        out.append(flat[:, k:k + b].reshape(S, 1, b).contiguous())
        k += b
    return out


def parameter_groups(sizes: Sequence[int]) -> list[str]:
    """The layer of every scalar parameter (``"W1"``, ``"b1"``, …) in flat order."""
    groups = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        groups += [f"W{i}"] * (a * b) + [f"b{i}"] * b
    return groups


# --------------------------------------------------------------------------- counter-based mini-batches

_MASK = (1 << 63) - 1


def _mix64(x: torch.Tensor) -> torch.Tensor:
    """SplitMix64 finaliser on int64 (wrapping products, logical shifts by masking)."""
    x = x ^ ((x >> 30) & ((1 << 34) - 1))
    x = x * -4658895280553007687  # 0xbf58476d1ce4e5b9
    x = x ^ ((x >> 27) & ((1 << 37) - 1))
    x = x * -7723592293110705685  # 0x94d049bb133111eb
    return x ^ ((x >> 31) & ((1 << 33) - 1))


def batch_indices(keys: torch.Tensor, step: int, n_steps: int, batch_size: int, n_examples: int) -> torch.Tensor:
    """Example indices ``[S, n_steps, batch_size]`` of steps ``step … step + n_steps − 1``.

    Index ``(s, t, j)`` is a hash of (``keys[s]``, ``t``, ``j``) modulo ``n_examples``: uniform
    with replacement, and independent of every other seed and of how many steps are drawn at once.
    """
    t = torch.arange(step, step + n_steps, device=keys.device, dtype=torch.int64)
    j = torch.arange(batch_size, device=keys.device, dtype=torch.int64)
    ctr = _mix64(t[:, None] * batch_size + j[None, :] + 0x632BE59BD9B4E019)
    x = _mix64(_mix64(keys.to(torch.int64))[:, None, None] ^ ctr[None])
    return (x & _MASK) % n_examples


# --------------------------------------------------------------------------- the minimum


@dataclass(frozen=True)
class Minimum:
    """A trained network at its minimum (see the module docstring for the criterion)."""

    dataset: str
    sizes: tuple[int, ...]
    flat: np.ndarray          # [P] weights in flat order
    loss: float
    grad_norm: float
    epochs: int
    loss_trace: np.ndarray    # full-data loss after each epoch
    grad_trace: np.ndarray    # full-data gradient norm after each epoch
    accuracy: float
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        # Own, read-only copies: a caller's array (or a cached unit's) can never be moved through
        # this object, and no function handed a Minimum can move it in place.
        for name in ("flat", "loss_trace", "grad_trace"):
            a = np.array(getattr(self, name), dtype=np.float64, copy=True)
            a.setflags(write=False)
            object.__setattr__(self, name, a)
        sizes = [int(s) for s in self.sizes]
        need = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        if len(sizes) < 2 or min(sizes) < 1 or self.flat.ndim != 1 or self.flat.size != need:
            raise ValueError(f"sizes {tuple(self.sizes)} need {need} weights; the minimum holds {self.flat.size}")
        if not np.isfinite(self.flat).all():
            raise ValueError(f"the minimum's weights are not finite ({int((~np.isfinite(self.flat)).sum())} of "
                             f"{self.flat.size} are NaN or infinite)")

    @property
    def weights_hash(self) -> str:
        """SHA-256 (16 hex digits) of the weights: what cached escape runs are checked against."""
        import hashlib

        return hashlib.sha256(self.flat.tobytes() + repr(tuple(self.sizes)).encode()).hexdigest()[:16]

    @property
    def weight_decay(self) -> float:
        return float(self.settings.get("weight_decay", 0.0))

    @property
    def n_params(self) -> int:
        return int(self.flat.size)

    def params(self, n: int = 1, dtype: str = "float32", device: str = "cpu") -> list[torch.Tensor]:
        """The weights stacked ``n`` times, as ``[W_1, b_1, …]``: fresh tensors, never views of :attr:`flat`.

        (``torch.as_tensor`` of a float64 array shares its memory, so without the copy an in-place
        SGD step on the returned tensors would move the stored minimum itself.)
        """
        w = torch.tensor(self.flat, dtype=torch_dtype(dtype), device=device)
        return _unflat(w.unsqueeze(0).expand(n, -1).clone(), list(self.sizes))

    def module(self) -> torch.nn.Sequential:
        """The network as a ``torch.nn.Sequential`` (float64) with these weights."""
        from sgnlib import models

        net = models.mlp(self.sizes[0], list(self.sizes[1:-1]), self.sizes[-1], seed=0, dtype=torch.float64)
        ps = self.params(dtype="float64")
        with torch.no_grad():
            for lin, W, b in zip([m for m in net if isinstance(m, torch.nn.Linear)], ps[0::2], ps[1::2]):
                lin.weight.copy_(W[0].T)
                lin.bias.copy_(b[0, 0])
        return net


def _train(X, y, hidden, lr, weight_decay, batch_size, window, plateau_rtol, grad_tol, max_epochs, gen, init_seed):
    from sgnlib import models

    sizes = _sizes(X, y, hidden)
    net = models.mlp(sizes[0], list(hidden), sizes[-1], seed=init_seed, dtype=X.dtype)
    params = []
    for lin in [m for m in net if isinstance(m, torch.nn.Linear)]:
        params += [lin.weight.detach().T.unsqueeze(0).contiguous(), lin.bias.detach().reshape(1, 1, -1).clone()]
    D = X.shape[0]
    losses, gnorms = [], []
    for epoch in range(1, max_epochs + 1):
        perm = torch.randperm(D, generator=gen)
        for start in range(0, D, batch_size):
            idx = perm[start:start + batch_size]
            sgd_step(params, X[idx].unsqueeze(0), y[idx].unsqueeze(0), lr, weight_decay)
        loss, g = loss_and_grad(params, X.unsqueeze(0), y.unsqueeze(0), weight_decay)
        losses.append(float(loss[0]))
        gnorms.append(float(torch.sqrt(sum((t * t).sum() for t in g))))
        if not math.isfinite(losses[-1]):
            raise RuntimeError(f"training diverged at epoch {epoch} (lr={lr}); lower lr")
        if epoch > window and losses[-1 - window] - losses[-1] <= plateau_rtol * losses[-1] and gnorms[-1] <= grad_tol:
            break
    else:
        raise RuntimeError(f"no minimum within max_epochs={max_epochs} (criterion: plateau over {window} epochs "
                           f"within {plateau_rtol} and gradient norm <= {grad_tol}); raise max_epochs")
    acc = float((full_logits(params, X).argmax(-1)[0] == y).double().mean())
    return sizes, _flat(params)[0], losses, gnorms, acc


def train_to_minimum(dataset: str, *, hidden: Sequence[int] = (32, 32), lr: float = 0.05, batch_size: int = 128,
                     weight_decay: float = 1e-2, window: int = 20, plateau_rtol: float = 0.01, grad_tol: float = 0.02, max_epochs: int = 5000,
                     seed: int = 0, dtype: str = "float32", cache: bool = True) -> Minimum:
    """Train the ReLU MLP ``d → hidden… → classes`` with plain SGD until the minimum criterion holds.

    Plain SGD without momentum on the objective ``mean cross-entropy + (λ/2) Σ‖W_i‖²``
    (``λ = weight_decay`` on the weights, not the biases: with ``λ > 0`` the objective has a
    true minimum even on separable data), learning rate ``lr``, mini-batches of ``batch_size``
    from a fresh permutation each epoch (the last one shorter), initial weights and
    permutations from the stream of (``seed``, study, settings). The criterion (module
    docstring) is checked after every epoch; reaching ``max_epochs`` without it raises.
    Cached in ``UnitCache("ch07-escape-minimum")`` under every setting.
    """
    hidden = _check_hidden(hidden)
    lr = _check_pos(lr, "lr")
    torch_dtype(dtype)
    X, y = load_data(dataset, dtype)
    batch_size = _check_int(batch_size, "batch_size", 1, X.shape[0])
    window = _check_int(window, "window")
    max_epochs = _check_int(max_epochs, "max_epochs", window + 1)
    plateau_rtol = _check_pos(plateau_rtol, "plateau_rtol")
    grad_tol = _check_pos(grad_tol, "grad_tol")
    weight_decay = float(weight_decay)
    if not (math.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0; got {weight_decay!r}")
    settings = dict(dataset=dataset, hidden=list(hidden), lr=lr, weight_decay=weight_decay, batch_size=batch_size,
                    window=window,
                    plateau_rtol=plateau_rtol, grad_tol=grad_tol, max_epochs=max_epochs, dtype=dtype)

    def compute() -> dict:
        gen = streams.torch_generator(seed, MIN_STUDY, **settings)
        init_seed = streams.int_seed(seed, MIN_STUDY + "-init", **settings)
        sizes, flat, losses, gnorms, acc = _train(X, y, hidden, lr, weight_decay, batch_size, window, plateau_rtol,
                                                  grad_tol, max_epochs, gen, init_seed)
        return {"sizes": np.asarray(sizes), "flat": flat.double().numpy(), "loss_trace": np.asarray(losses),
                "grad_trace": np.asarray(gnorms), "accuracy": np.asarray(acc)}

    key = {"version": VERSION, "seed": int(seed), **settings}
    unit = UnitCache(MIN_STUDY).get_or_compute(key, compute) if cache else compute()
    lt, gt = np.asarray(unit["loss_trace"]), np.asarray(unit["grad_trace"])
    flat = np.asarray(unit["flat"])
    return Minimum(dataset, tuple(int(s) for s in unit["sizes"]), flat, float(lt[-1]), float(gt[-1]), int(lt.size),
                   lt, gt, float(unit["accuracy"]), {"seed": int(seed), **settings})


# --------------------------------------------------------------------------- escape runs


@dataclass(frozen=True)
class EscapeRuns:
    """Escape iterations of ``S`` continuations of one setting."""

    steps: np.ndarray        # [S] escape iteration, or the horizon where censored
    escaped: np.ndarray      # [S] False where censored at the horizon
    exit_param: np.ndarray   # [S] flat index of the parameter farthest from w* at the exit (-1 if censored)
    exit_loss: np.ndarray    # [S] full-data loss at the exit (NaN if censored)
    replicas: np.ndarray     # [S] replica (seed) indices
    loss_min: float          # L(w*) in the run's dtype
    settings: dict = field(default_factory=dict)


def _keys(seed: int, settings: dict, replicas: np.ndarray) -> torch.Tensor:
    ss = streams.seed_sequence(seed, RUN_STUDY, **settings)
    state = ss.generate_state(int(replicas.max()) + 1, dtype=np.uint64)[replicas]
    return torch.as_tensor((state >> np.uint64(1)).astype(np.int64))


def _simulate(params, X, y, keys, eta, wd, batch_size, horizon, check_every, loss_thr, w_star):
    S = keys.shape[0]
    D = X.shape[0]
    steps = np.full(S, horizon, dtype=np.int64)
    escaped = np.zeros(S, dtype=bool)
    exit_param = np.full(S, -1, dtype=np.int64)
    exit_loss = np.full(S, np.nan)
    active = torch.arange(S)
    t = 0
    while t < horizon and active.numel():
        K = min(check_every, horizon - t)
        idx = batch_indices(keys[active], t, K, batch_size, D).transpose(0, 1).contiguous()  # [K, S, B]
        xb, yb = X[idx], y[idx]
        for k in range(K):
            sgd_step(params, xb[k], yb[k], eta, wd)
        t += K
        L = full_loss(params, X, y, wd)
        out = ~(L <= loss_thr)
        if bool(out.any()):
            sel = active[out].numpy()
            steps[sel] = t
            escaped[sel] = True
            exit_loss[sel] = L[out].double().numpy()
            disp = (_flat([p[out] for p in params]) - w_star).abs()
            exit_param[sel] = torch.nan_to_num(disp, nan=math.inf).argmax(1).numpy()
            keep = ~out
            params = [p[keep] for p in params]
            active = active[keep]
    return steps, escaped, exit_param, exit_loss


def escape_runs(minimum: Minimum, *, eta: float, batch_size: int, n_seeds: int, horizon: int, threshold: float,
                check_every: int = 10, seed: int = 0, replicas: Sequence[int] | None = None, dtype: str = "float32",
                device: str = "cpu", cache: bool = True, dry_run: bool = False) -> EscapeRuns | None:
    """``n_seeds`` SGD continuations from ``minimum`` with learning rate ``eta`` and batch ``batch_size``, until escape.

    One batched tensor program for all seeds (module docstring). ``replicas`` runs only
    those seed indices (for replay: seed ``i`` alone follows the path it follows among all
    ``n_seeds``); it bypasses the cache. Otherwise the setting is one unit of
    ``UnitCache("ch07-escape-runs")`` keyed by every argument but ``device``. ``dry_run``
    checks the arguments and returns ``None`` (to validate a whole sweep before it starts).
    """
    eta = _check_pos(eta, "eta")
    X, y = load_data(minimum.dataset, dtype, device)
    batch_size = _check_int(batch_size, "batch_size", 1, X.shape[0])
    n_seeds = _check_int(n_seeds, "n_seeds")
    check_every = _check_int(check_every, "check_every")
    horizon = _check_int(horizon, "horizon", 1)
    if horizon < check_every:
        raise ValueError(f"horizon must be at least one check interval (check_every={check_every}); got {horizon!r}")
    threshold = _check_pos(threshold, "threshold")
    if replicas is None:
        reps = np.arange(n_seeds)
    else:
        reps = np.asarray(replicas)
        if reps.ndim != 1 or reps.size == 0 or reps.dtype.kind not in "iu" or reps.min() < 0 or reps.max() >= n_seeds:
            raise ValueError(f"replicas must be a non-empty list of seed indices in [0, {n_seeds}); got {replicas!r}")
    if dry_run:
        return None
    stream = dict(dataset=minimum.dataset, minimum=minimum.settings, eta=eta, batch_size=batch_size, dtype=dtype)
    settings = dict(**stream, n_seeds=n_seeds, horizon=horizon, threshold=threshold, check_every=check_every)

    params = minimum.params(1, dtype, device)
    loss_min = float(full_loss(params, X, y, minimum.weight_decay)[0])
    if not abs(loss_min - minimum.loss) <= 1e-3 * abs(minimum.loss) + 1e-6:
        raise ValueError(f"the minimum's weights give the loss {loss_min:.6g} on {minimum.dataset}, not its recorded "
                         f"{minimum.loss:.6g}: they are not the weights it was trained to")

    def compute() -> dict:
        keys = _keys(seed, stream, reps).to(device)
        ps = [p.expand(reps.size, *p.shape[1:]).contiguous() for p in params]
        w_star = _flat(params)
        out = _simulate(ps, X, y, keys, eta, minimum.weight_decay, batch_size, horizon, check_every, (1 + threshold) * loss_min, w_star)
        return dict(zip(("steps", "escaped", "exit_param", "exit_loss"), out))

    if cache and replicas is None:
        # keyed by the weights too: two minima with the same training settings never share escape times
        key = {"version": VERSION, "seed": int(seed), **settings, "weights": minimum.weights_hash}
        unit = UnitCache(RUN_STUDY).get_or_compute(key, compute)
    else:
        unit = compute()
    return EscapeRuns(np.asarray(unit["steps"]), np.asarray(unit["escaped"]).astype(bool),
                      np.asarray(unit["exit_param"]), np.asarray(unit["exit_loss"]), reps, loss_min,
                      {"seed": int(seed), **settings})


# --------------------------------------------------------------------------- the landscape at the minimum


def top_hessian_eigenvalue(minimum: Minimum, *, iters: int = 200, tol: float = 1e-6, seed: int = 0) -> float:
    """Largest eigenvalue ``h*`` of the full-data loss Hessian at the minimum, by power iteration.

    Each iteration is one Hessian-vector product ``H v = d/dr ∇L(w* + r v)`` computed with
    ``torch.func.jvp`` of ``torch.func.grad`` (forward-over-reverse, float64): the Hessian is
    never formed. Stops when the Rayleigh quotient changes by less than ``tol`` (relative).
    At a minimum the Hessian is positive semi-definite, so the dominant eigenvalue is the top one.
    """
    from torch.func import grad, jvp

    iters = _check_int(iters, "iters")
    tol = _check_pos(tol, "tol")
    X, y = load_data(minimum.dataset, "float64")
    sizes = list(minimum.sizes)
    w = torch.tensor(minimum.flat, dtype=torch.float64)

    def f(v):
        return full_loss(_unflat(v.unsqueeze(0), sizes), X, y, minimum.weight_decay)[0]

    g = grad(f)
    v = torch.randn(w.shape, generator=streams.torch_generator(seed, "ch07-hessian", dataset=minimum.dataset),
                    dtype=torch.float64)
    v = v / v.norm()
    lam = 0.0
    for _ in range(iters):
        hv = jvp(g, (w,), (v,))[1]
        new = float(v @ hv)
        v = hv / hv.norm()
        if abs(new - lam) <= tol * abs(new):
            return new
        lam = new
    return lam


def gradient_noise(minimum: Minimum, *, batch_size: int, n_batches: int, seed: int = 0) -> torch.Tensor:
    """The gradient noise (eq. 1) of every parameter at the minimum across ``n_batches`` mini-batches: ``[n_batches, P]``.

    Per-example gradients of the full data in one vectorised pass
    (:func:`sgnlib.noise.per_example_gradients`, float64), then mini-batches of ``batch_size``
    without replacement (:func:`sgnlib.noise.minibatch_noise`) from the stream of
    (``seed``, study, data set, ``batch_size``). Columns are in flat order
    (:func:`parameter_groups`).
    """
    from sgnlib import noise

    X, y = load_data(minimum.dataset, "float64")
    batch_size = _check_int(batch_size, "batch_size", 1, X.shape[0])
    n_batches = _check_int(n_batches, "n_batches")
    G = noise.per_example_gradients(minimum.module(), torch.nn.functional.cross_entropy, X, y)
    gen = streams.torch_generator(seed, "ch07-noise", dataset=minimum.dataset, batch_size=batch_size)
    return noise.minibatch_noise(G, batch_size, n_batches, generator=gen)
