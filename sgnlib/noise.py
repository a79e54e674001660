"""Stochastic gradient noise (SGN) of torch models, one parameter at a time.

The SGD step of Battash et al. (eq. 1) is

.. math:: w_k = w_{k-1} - \\eta \\nabla U(w_{k-1}) + \\epsilon u_k,
   \\qquad u_k = \\nabla U(w_k) - \\frac{1}{B}\\sum_{\\ell\\in\\Omega_k} \\nabla U^{(\\ell)}(w_k),

so the noise of a mini-batch is the full-batch gradient minus the mini-batch
gradient. Under the Gaussian model its covariance is (eq. 2)

.. math:: \\lambda(w) = \\frac{1}{B}\\Big(\\frac{1}{D}\\sum_{j=1}^{D} \\nabla U^{(j)}\\nabla U^{(j)\\top}
   - \\nabla U \\nabla U^{\\top}\\Big).

Everything here works on the matrix ``G`` of per-example gradients,
``[D examples, P parameters]``, computed in one vectorised pass with
``torch.func`` (no loop over examples). Mini-batch noise for many batches is
then a gather and a mean (no loop over batches beyond memory-sized chunks).

For networks too large for ``G``, :func:`measure_noise` is the paper's measurement on any
torch model and data set: the full-data gradient once, then ``K`` mini-batch gradients (one
forward and one backward pass each), keeping only sampled coordinates (:func:`select_coords`).
:func:`pooled_noise` is the per-batch view of Şimşekli et al. 2019 on the same model, and
:func:`example_gradients` the per-example gradients of the sampled coordinates (their tail
decides what the generalised CLT predicts for the mini-batch noise).
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from sgnlib._checks import check_finite, resolve_device, torch_generator

__all__ = [
    "per_example_gradients",
    "noise_covariance",
    "minibatch_noise",
    "parameter_names",
    "Coords",
    "select_coords",
    "uniform_coords",
    "NoiseMeasurement",
    "measure_noise",
    "pooled_noise",
    "ExampleGradients",
    "example_gradients",
    "MIN_BATCHES",
]


def parameter_names(model: torch.nn.Module) -> list[str]:
    """Name of every scalar parameter, in the column order of :func:`per_example_gradients`."""
    names = []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim == 0:
            names.append(name)
        else:
            names.extend(f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*p.shape))
    return names


def per_example_gradients(model: torch.nn.Module, loss_fn, X: torch.Tensor, y: torch.Tensor, chunk_size: int | None = 1024) -> torch.Tensor:
    """Gradients of the loss of each example w.r.t. every parameter: a ``[D, P]`` tensor.

    ``loss_fn(output, target)`` must return the loss of the examples it is given
    (a mean or a sum; it is called on single examples). Columns follow
    ``model.named_parameters()`` flattened (see :func:`parameter_names`).
    Uses ``torch.func.vmap(grad(...))``: one vectorised pass, ``chunk_size``
    examples at a time to bound memory.
    """
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} examples but y has {y.shape[0]}")
    if X.shape[0] == 0:
        raise ValueError("X holds no examples")
    check_finite(X, "X")
    g = _vmap_gradients(model, loss_fn, X, y, None, chunk_size)
    G = torch.cat([v.reshape(X.shape[0], -1) for v in g.values()], dim=1)
    check_finite(G, "per-example gradients")
    return G


def _vmap_gradients(model: torch.nn.Module, loss_fn, X: torch.Tensor, y: torch.Tensor, names, chunk_size) -> dict:
    """Per-example gradients ``{name: [n, *shape]}`` of the trainable parameters in ``names`` (all when None).

    One ``torch.func.vmap(grad(...))`` pass; the other parameters and the buffers are held fixed.
    """
    from torch.func import functional_call, grad, vmap

    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}
    wanted = {k: params[k] for k in (params if names is None else names)}
    fixed = {k: v for k, v in params.items() if k not in wanted}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def loss_one(p, xi, yi):
        out = functional_call(model, ({**fixed, **p}, buffers), (xi.unsqueeze(0),))
        return loss_fn(out, yi.unsqueeze(0))

    return vmap(grad(loss_one), in_dims=(None, 0, 0), chunk_size=chunk_size)(wanted, X, y)


def noise_covariance(G: torch.Tensor, batch_size: int, diagonal: bool = False, replace: bool = True) -> torch.Tensor:
    """The Gaussian model's noise covariance λ(w) of eq. 2 from per-example gradients ``G``.

    ``λ = (1/B) [ (1/D) Σ_j g_j g_jᵀ − ḡ ḡᵀ ]``, the covariance of the mini-batch
    noise when the ``B`` examples are drawn with replacement. With
    ``replace=False`` (SGD's usual sampling without replacement) it is multiplied
    by the finite-population factor ``(D − B)/(D − 1)``. ``diagonal=True``
    returns only the variances (``[P]``), for models too large for ``P × P``.
    """
    D = G.shape[0]
    if not (isinstance(batch_size, int) and 1 <= batch_size <= D):
        raise ValueError(f"batch_size must be an integer in [1, {D}] (number of examples); got {batch_size!r}")
    check_finite(G, "G")
    gbar = G.mean(dim=0)
    if diagonal:
        second = (G * G).mean(dim=0) - gbar * gbar
    else:
        second = G.T @ G / D - torch.outer(gbar, gbar)
    lam = second / batch_size
    if not replace:
        if D == 1:
            raise ValueError("sampling without replacement needs at least 2 examples")
        lam = lam * (D - batch_size) / (D - 1)
    return lam


def minibatch_noise(
    G: torch.Tensor,
    batch_size: int,
    n_batches: int,
    generator=None,
    replace: bool = False,
    columns=None,
    max_elements: int = 2**26,
) -> torch.Tensor:
    """Noise ``u_k = ḡ − (1/B) Σ_{ℓ∈Ω_k} g_ℓ`` (eq. 1) of ``n_batches`` random mini-batches.

    Returns ``[n_batches, P]`` (or ``[n_batches, len(columns)]``): each row is
    one mini-batch, so a column is the noise of one parameter across
    mini-batches (the measurement of Xie et al. 2020 and of the paper) and a
    row is the noise of all parameters on one mini-batch (the measurement of
    Şimşekli et al. 2019). Batches are drawn without replacement within a
    batch unless ``replace=True``; ``generator`` is an int seed or
    ``torch.Generator``. Vectorised: batches are processed in chunks holding
    at most ``max_elements`` gathered entries. With ``replace=True`` the draws
    do not depend on the chunking; without replacement they depend on
    ``max_elements`` too (keep it fixed to reproduce a run).
    """
    D, P = G.shape
    if not (isinstance(batch_size, int) and 1 <= batch_size <= D):
        raise ValueError(f"batch_size must be an integer in [1, {D}] (number of examples); got {batch_size!r}")
    if not (isinstance(n_batches, int) and n_batches >= 1):
        raise ValueError(f"n_batches must be a positive integer; got {n_batches!r}")
    check_finite(G, "G")
    if columns is not None:
        G = G[:, torch.as_tensor(columns, dtype=torch.long, device=G.device)]
    gen = torch_generator(generator, device="cpu")
    gbar = G.mean(dim=0)
    per_batch = batch_size * G.shape[1] + (0 if replace else D)
    chunk = max(1, min(n_batches, max_elements // max(per_batch, 1)))
    out = torch.empty(n_batches, G.shape[1], dtype=G.dtype, device=G.device)
    for start in range(0, n_batches, chunk):
        k = min(chunk, n_batches - start)
        if replace:
            idx = torch.randint(0, D, (k, batch_size), generator=gen)
        else:
            idx = torch.rand(k, D, generator=gen).argsort(dim=1)[:, :batch_size]
        idx = idx.to(G.device)
        out[start : start + k] = gbar - G[idx].mean(dim=1)
    return out



# ============================================================================= the noise meter

#: Fewest mini-batches :func:`measure_noise` accepts: an α estimate from fewer samples is noise.
MIN_BATCHES = 50


@dataclass(frozen=True)
class Coords:
    """Sampled scalar coordinates of a model: parameter tensor, flat index in it, layer (module)."""

    param_names: tuple[str, ...]
    flat_index: np.ndarray
    shapes: dict = field(repr=False)

    def __len__(self) -> int:
        return len(self.param_names)

    @property
    def layers(self) -> tuple[str, ...]:
        """The module owning each coordinate (the parameter name without its last part)."""
        return tuple(n.rsplit(".", 1)[0] if "." in n else n for n in self.param_names)

    @property
    def names(self) -> tuple[str, ...]:
        """``param[i,j,…]`` for each coordinate, as :func:`parameter_names` writes them."""
        out = []
        for n, i in zip(self.param_names, self.flat_index):
            shape = self.shapes[n]
            out.append(n if not shape else f"{n}[{','.join(str(int(v)) for v in np.unravel_index(int(i), shape))}]")
        return tuple(out)

    def key(self) -> str:
        """A hash of the coordinates (for cache keys)."""
        text = "|".join(f"{n}:{int(i)}" for n, i in zip(self.param_names, self.flat_index))
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _trainable(model: torch.nn.Module) -> dict[str, torch.nn.Parameter]:
    return {k: v for k, v in model.named_parameters() if v.requires_grad}


def _unknown_name(name: str, valid) -> ValueError:
    close = difflib.get_close_matches(name, list(valid), n=5, cutoff=0.4)
    hint = f"; close: {', '.join(close)}" if close else f"; the model has {len(valid)} parameter tensors, e.g. {', '.join(list(valid)[:3])}"
    return ValueError(f"coords names a parameter {name!r} that the model does not have{hint}")


def uniform_coords(sizes: dict[str, int], n_coords: int, rng: np.random.Generator) -> list[tuple[str, int]]:
    """``n_coords`` distinct ``(tensor name, flat index)`` pairs drawn uniformly over all scalars of ``sizes``.

    ``sizes`` maps tensor names to their numbers of scalars (in parameter order); the pairs come
    sorted by tensor, then flat index. The caller owns the stream ``rng``.
    """
    total = sum(sizes.values())
    flat = np.sort(rng.choice(total, n_coords, replace=False))
    offsets = np.cumsum([0, *sizes.values()])
    tensor = np.searchsorted(offsets, flat, side="right") - 1
    keys = list(sizes)
    return [(keys[t], int(f - offsets[t])) for f, t in zip(flat, tensor)]


def select_coords(model: torch.nn.Module, coords="uniform", n_coords: int = 100, seed: int = 0) -> Coords:
    """The coordinates a measurement follows; the same (model shapes, coords, n_coords, seed) give the same ones.

    ``coords``:

    * ``"uniform"`` — ``n_coords`` distinct scalars drawn uniformly over all trainable scalars
      (the paper's "100 randomly sampled parameters");
    * ``"per_layer"`` — ``n_coords`` from *each* parameter tensor (all of a smaller one);
    * ``"all"`` — every trainable scalar (for :func:`pooled_noise`);
    * a list mixing ``(param_name, flat_index)`` pairs, element names ``"param[i,j,…]"``
      (as :func:`parameter_names` writes them) and tensor names ``"param"`` (``n_coords`` of
      that tensor, all of a smaller one); or a :class:`Coords`.

    Draws come from the stream ``(seed, "sgnlib.noise.coords")`` only, so they do not depend
    on the batch size or the number of batches. Order: parameter order, then flat index, for
    the named modes; the order given for a list.
    """
    from sgnlib import streams

    params = _trainable(model)
    if not params:
        raise ValueError("the model has no trainable parameters")
    shapes = {k: tuple(v.shape) for k, v in params.items()}
    sizes = {k: v.numel() for k, v in params.items()}
    if isinstance(coords, Coords):
        for n, i in zip(coords.param_names, coords.flat_index):
            if n not in params:
                raise _unknown_name(n, params)
            if not 0 <= int(i) < sizes[n]:
                raise ValueError(f"coordinate {n}:{int(i)} is outside the tensor ({sizes[n]} entries)")
        return coords
    if isinstance(n_coords, bool) or not isinstance(n_coords, int) or n_coords < 1:
        raise ValueError(f"n_coords must be a positive integer; got {n_coords!r}")
    rng = streams.rng(seed, "sgnlib.noise.coords")
    names: list[str] = []
    index: list[int] = []

    def take(name: str, k: int) -> None:
        size = sizes[name]
        pick = np.arange(size) if k >= size else np.sort(streams.rng(seed, "sgnlib.noise.coords", tensor=name).choice(size, k, replace=False))
        names.extend([name] * len(pick))
        index.extend(int(i) for i in pick)

    if isinstance(coords, str):
        if coords == "uniform":
            total = sum(sizes.values())
            if n_coords > total:
                raise ValueError(f"n_coords={n_coords} exceeds the {total} trainable scalars of the model")
            pairs = uniform_coords(sizes, n_coords, rng)
            names = [n for n, _ in pairs]
            index = [i for _, i in pairs]
        elif coords == "per_layer":
            for name in params:
                take(name, n_coords)
        elif coords == "all":
            for name in params:
                take(name, sizes[name])
        else:
            raise ValueError(f"coords must be 'uniform', 'per_layer', 'all', a list of names / (name, index) pairs, or Coords; got {coords!r}")
    else:
        try:
            items = list(coords)
        except TypeError:
            raise ValueError(f"coords must be 'uniform', 'per_layer', 'all' or a list; got {coords!r}") from None
        if not items:
            raise ValueError("coords is an empty list")
        for item in items:
            if isinstance(item, str) and item.endswith("]") and "[" in item:
                base, _, rest = item.partition("[")
                if base not in params:
                    raise _unknown_name(base, params)
                try:
                    idx = tuple(int(v) for v in rest[:-1].split(","))
                    flat_i = int(np.ravel_multi_index(idx, shapes[base]))
                except ValueError:
                    raise ValueError(f"coords entry {item!r} is not an element of {base} (shape {shapes[base]})") from None
                names.append(base)
                index.append(flat_i)
            elif isinstance(item, str):
                if item not in params:
                    raise _unknown_name(item, params)
                take(item, n_coords)
            elif isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
                name, i = item
                if name not in params:
                    raise _unknown_name(name, params)
                if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= int(i) < sizes[name]:
                    raise ValueError(f"flat index {i!r} of {name!r} must be an integer in [0, {sizes[name]})")
                names.append(name)
                index.append(int(i))
            else:
                raise ValueError(f"coords entries are parameter names, 'name[i,j]' or (name, flat_index) pairs; got {item!r}")
    return Coords(tuple(names), np.asarray(index, dtype=np.int64), shapes)


class _Gather:
    """Gathers the sampled coordinates out of per-tensor gradients with ``index_select`` (no full copies)."""

    def __init__(self, model: torch.nn.Module, coords: Coords, device):
        params = _trainable(model)
        self.names = [n for n in params if n in set(coords.param_names)]  # parameter order
        self.params = [params[n] for n in self.names]
        pn = np.asarray(coords.param_names, dtype=object)
        self.groups = []
        for n in self.names:
            cols = np.flatnonzero(pn == n)
            self.groups.append((torch.as_tensor(coords.flat_index[cols], device=device), torch.as_tensor(cols, device=device)))
        self.size = len(coords)
        order = np.concatenate([np.flatnonzero(pn == n) for n in self.names])
        self.identity = bool((order == np.arange(self.size)).all())
        self.cols = torch.as_tensor(order, device=device)

    def __call__(self, grads: Sequence[torch.Tensor]) -> torch.Tensor:
        parts = [(g if g is not None else torch.zeros_like(p)).reshape(-1).index_select(0, idx)
                 for g, p, (idx, _) in zip(grads, self.params, self.groups)]
        flat = torch.cat(parts)
        if self.identity:
            return flat
        return torch.empty_like(flat).index_copy_(0, self.cols, flat)


def _loss_callable(loss_fn) -> tuple[Callable, str]:
    if isinstance(loss_fn, str):
        from sgnlib.train import LOSSES

        if loss_fn not in LOSSES:
            raise ValueError(f"unknown loss {loss_fn!r}; valid: {', '.join(sorted(LOSSES))} or a callable")
        return LOSSES[loss_fn], loss_fn
    if not callable(loss_fn):
        raise ValueError(f"loss_fn must be a callable loss(output, target) or a name; got {loss_fn!r}")
    return loss_fn, f"{getattr(loss_fn, '__module__', '')}.{getattr(loss_fn, '__qualname__', repr(loss_fn))}"


def _state_hash(model: torch.nn.Module) -> str:
    h = hashlib.sha256()
    for k, v in model.state_dict().items():
        h.update(k.encode())
        h.update(str(v.dtype).encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes() if v.dtype != torch.bfloat16 else v.float().cpu().numpy().tobytes())
    return h.hexdigest()[:20]


def _data_hash(dataset) -> str | None:
    from sgnlib.train import _tensor_view

    view = _tensor_view(dataset)
    if view is None:
        return None
    tensors, index = view
    h = hashlib.sha256()
    for t in tensors:
        h.update(str((t.dtype, tuple(t.shape))).encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    if index is not None:
        h.update(index.numpy().tobytes())
    return h.hexdigest()[:20]


def _batch_indices(D: int, B: int, K: int, replacement: bool, seed: int) -> torch.Tensor:
    """``[K, B]`` example indices: shuffled epochs cut into batches (SGD), or i.i.d. draws with replacement."""
    from sgnlib import streams

    gen = streams.torch_generator(seed, "sgnlib.noise.batches", batch_size=B, replacement=replacement)
    if replacement:
        return torch.randint(0, D, (K, B), generator=gen)
    per_epoch = D // B
    epochs = -(-K // per_epoch)
    rows = [torch.randperm(D, generator=gen)[: per_epoch * B].view(per_epoch, B) for _ in range(epochs)]
    return torch.cat(rows)[:K]


@dataclass(frozen=True)
class NoiseMeasurement:
    """Gradient noise at sampled coordinates over ``K`` mini-batches.

    ``noise[k, p] = ∇U(w)_p − (1/B) Σ_{ℓ∈Ω_k} ∇U^{(ℓ)}(w)_p`` (eq. 1 of Battash et al.): a column
    is one parameter across mini-batches (the measurement of Xie et al. 2020 and of the paper), a
    row is one mini-batch across parameters (Şimşekli et al. 2019). ``batch_loss[k]`` is the loss
    of mini-batch ``k``; ``batches[k]`` its example indices; ``full_gradient`` the full-data
    gradient at the coordinates; ``settings`` every argument that shaped the result.
    """

    noise: np.ndarray
    full_gradient: np.ndarray
    batch_loss: np.ndarray
    batches: np.ndarray
    coords: Coords
    settings: dict

    @property
    def names(self) -> tuple[str, ...]:
        return self.coords.names

    @property
    def param_names(self) -> tuple[str, ...]:
        return self.coords.param_names

    @property
    def layers(self) -> tuple[str, ...]:
        return self.coords.layers

    @property
    def flat_index(self) -> np.ndarray:
        return self.coords.flat_index

    def pooled(self, rows: int | None = None, standardise: bool = False) -> np.ndarray:
        """The first ``rows`` mini-batches (all when None) pooled over coordinates: Şimşekli et al.'s sample.

        ``standardise`` divides each coordinate by its own standard deviation across all ``K``
        mini-batches first (removing the scale-mixture artefact of pooling; chapter 01).
        """
        u = self.noise if rows is None else self.noise[: int(rows)]
        if standardise:
            sd = self.noise.std(axis=0)
            keep = sd > 0
            u = u[:, keep] / sd[keep]
        return np.ascontiguousarray(u).reshape(-1)


def _check_measure_args(dataset, batch_size, n_batches, min_batches, chunk_size, bn_mode, seed, unit_batches=1):
    from sgnlib.train import _check_dataset

    D = _check_dataset(dataset)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= D:
        raise ValueError(f"batch_size must be an integer in [1, {D}] (the data set's size); got {batch_size!r}")
    if isinstance(n_batches, bool) or not isinstance(n_batches, int) or n_batches < min_batches:
        why = " (a tail-index fit needs at least that many samples)" if min_batches > 1 else ""
        raise ValueError(f"n_batches must be an integer >= {min_batches}{why}; got {n_batches!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer; got {chunk_size!r}")
    if isinstance(unit_batches, bool) or not isinstance(unit_batches, int) or unit_batches < 1:
        raise ValueError(f"unit_batches must be a positive integer; got {unit_batches!r}")
    if bn_mode not in ("eval", "train"):
        raise ValueError(f"bn_mode must be 'eval' or 'train'; got {bn_mode!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    return D


class _Session:
    """Model on the device in the chosen mode; restores mode, buffers and device on exit."""

    def __init__(self, model: torch.nn.Module, device: str, bn_mode: str):
        self.model, self.device, self.bn_mode = model, device, bn_mode

    def __enter__(self):
        first = next(self.model.parameters())
        self.home = first.device
        self.was_training = self.model.training
        self.buffers = {k: v.detach().clone() for k, v in self.model.named_buffers()}
        self.model.to(self.device)
        self.model.train(self.bn_mode == "train")
        return self

    def __exit__(self, *exc):
        with torch.no_grad():
            for k, v in self.model.named_buffers():
                v.copy_(self.buffers[k])  # BatchNorm in train mode updates running stats: undo
        self.model.train(self.was_training)
        self.model.to(self.home)
        return False


def _full_gradient(model, loss, get, D, chunk_size, params, gather, progress) -> torch.Tensor:
    """The exact full-data gradient ``(1/D) Σ_j ∇U^{(j)}`` at the coordinates, accumulated over chunks."""
    from tqdm.auto import tqdm

    total = None
    for start in tqdm(range(0, D, chunk_size), disable=not progress, desc="full gradient", leave=False):
        stop = min(D, start + chunk_size)
        x, y = get(torch.arange(start, stop))[:2]
        value = loss(model(x), y) * ((stop - start) / D)
        grads = torch.autograd.grad(value, params, allow_unused=True)
        part = gather(grads)
        total = part if total is None else total + part
    return total


def _cached_unit(cache, base: dict | None, part) -> dict | None:
    """A stored unit of a measurement, or None (missing, or damaged: reported and recomputed)."""
    if cache is None or dict(base, part=part) not in cache:
        return None
    try:
        unit = cache.load(dict(base, part=part))
    except Exception as exc:  # truncated, garbage or foreign file (the cache names it)
        warnings.warn(f"recomputing a damaged unit of the noise measurement: {exc}", stacklevel=4)
        return None
    bad = [k for k, v in unit.items() if np.asarray(v).dtype.kind == "f" and not np.isfinite(v).all()]
    if bad:  # a computed part is checked for finiteness before it is stored; a stored one is checked when read
        warnings.warn(f"recomputing a unit of the noise measurement whose {', '.join(bad)} holds NaN or infinite "
                      f"values (part {part!r} in {cache.folder})", stacklevel=4)
        return None
    return unit


def _measure(model, loss_fn, dataset, *, batch_size, n_batches, coords, n_coords, seed, device, chunk_size, cache,
             progress, replacement, bn_mode, data_key, unit_batches, min_batches, kind) -> NoiseMeasurement:
    from tqdm.auto import tqdm

    from sgnlib import streams
    from sgnlib.train import batch_loader

    D = _check_measure_args(dataset, batch_size, n_batches, min_batches, chunk_size, bn_mode, seed, unit_batches)
    if batch_size == D and not replacement:
        raise ValueError(f"batch_size {batch_size} is the whole data set: without replacement every mini-batch is the "
                         "full batch and the noise is rounding; use a smaller batch_size or replacement=True")
    loss, loss_name = _loss_callable(loss_fn)
    device = resolve_device(device)
    chosen = select_coords(model, coords, n_coords, seed)
    settings = {
        "kind": kind, "batch_size": batch_size, "n_batches": n_batches, "coords": coords if isinstance(coords, str) else "list",
        "n_coords": len(chosen), "coords_key": chosen.key(), "seed": int(seed), "replacement": bool(replacement),
        "bn_mode": bn_mode, "chunk_size": chunk_size, "loss": loss_name, "unit_batches": unit_batches, "examples": D,
    }
    base = None
    if cache is not None:
        data_id = data_key if data_key is not None else _data_hash(dataset)
        if data_id is None:
            raise ValueError("caching a measurement on a data set that is not a TensorDataset needs data_key naming it")
        base = dict(settings, model=_state_hash(model), data=data_id, version="noise-meter-1")
    idx = _batch_indices(D, batch_size, n_batches, replacement, int(seed))
    parts = [(a, min(n_batches, a + unit_batches)) for a in range(0, n_batches, unit_batches)]
    units = {j: u for j in range(len(parts)) if (u := _cached_unit(cache, base, j)) is not None}
    # the full gradient does not depend on the mini-batches: one unit serves every batch size
    full_base = None if base is None else {k: v for k, v in base.items() if k not in ("batch_size", "n_batches", "replacement", "unit_batches", "kind")}
    full_unit = _cached_unit(cache, full_base, "full")
    full_np = None if full_unit is None else full_unit["full_gradient"]
    if full_np is None or len(units) < len(parts):
        with _Session(model, device, bn_mode):
            gather = _Gather(model, chosen, device)
            get = batch_loader(dataset, device)
            cuda = [torch.device(device).index or 0] if device.startswith("cuda") else []
            if full_np is None:
                t_full = time.perf_counter()
                with torch.random.fork_rng(devices=cuda):
                    torch.manual_seed(streams.int_seed(int(seed), "sgnlib.noise.dropout", part="full"))
                    full = _full_gradient(model, loss, get, D, chunk_size, gather.params, gather, progress)
                check_finite(full, "full gradient")
                full_np = full.cpu().numpy()
                if cache is not None:
                    cache.save(dict(full_base, part="full"), {"full_gradient": full_np}, seconds=time.perf_counter() - t_full)
            full = torch.as_tensor(full_np, device=device)
            bar = tqdm(total=n_batches, initial=sum(b - a for j, (a, b) in enumerate(parts) if j in units),
                       disable=not progress, desc=f"noise B={batch_size}", unit="batch", leave=False)
            for j, (a, b) in enumerate(parts):
                if j in units:
                    continue
                t_part = time.perf_counter()
                rows = torch.empty(b - a, len(chosen), dtype=full.dtype, device=device)
                losses = torch.empty(b - a, dtype=full.dtype, device=device)
                with torch.random.fork_rng(devices=cuda):
                    torch.manual_seed(streams.int_seed(int(seed), "sgnlib.noise.dropout", part=j))
                    for k in range(a, b):
                        x, y = get(idx[k])[:2]
                        value = loss(model(x), y)
                        rows[k - a] = full - gather(torch.autograd.grad(value, gather.params, allow_unused=True))
                        losses[k - a] = value.detach()
                        bar.update()
                check_finite(rows, f"noise of mini-batches {a} to {b - 1}")
                units[j] = {"noise": rows.cpu().numpy(), "batch_loss": losses.cpu().numpy()}
                if cache is not None:
                    cache.save(dict(base, part=j), units[j], seconds=time.perf_counter() - t_part)
            bar.close()
    noise = np.concatenate([units[j]["noise"] for j in range(len(parts))])
    batch_loss = np.concatenate([units[j]["batch_loss"] for j in range(len(parts))])
    return NoiseMeasurement(noise, full_np, batch_loss, idx.numpy(), chosen, settings)


_MEASURE_DOC = """
    ``model`` any torch module taking the data set's inputs; ``loss_fn(output, target)`` the mean
    loss of a batch (a callable, or a name of :data:`sgnlib.train.LOSSES`); ``dataset`` any
    map-style torch Dataset of ``(input, target)`` pairs (TensorDatasets are indexed directly).

    * The full-data gradient ``∇U = (1/D) Σ_j ∇U^{(j)}`` is computed once, exactly, over chunks
      of ``chunk_size`` examples; then each mini-batch costs one forward and one backward pass
      (``torch.autograd.grad`` w.r.t. the parameter tensors holding sampled coordinates only),
      and only the sampled coordinates are gathered (``index_select``; no flattened copy of the
      gradient).
    * Mini-batches: with ``replacement=False`` (SGD's sampling) consecutive batches of ``B``
      examples cut from shuffled epochs (``D mod B`` examples left out of each epoch, so a full
      epoch's batches are disjoint and their gradients average to the full gradient); with
      ``replacement=True`` ``B`` i.i.d. uniform examples per batch (the sampling behind eq. 2).
      Drawn from the stream ``(seed, "sgnlib.noise.batches", B, replacement)``; the coordinates
      from ``(seed, "sgnlib.noise.coords")`` (see :func:`select_coords`), so every batch size
      follows the same coordinates.
    * ``bn_mode="eval"`` (default): the model is measured in eval mode — BatchNorm uses its
      running statistics and dropout is off, so every gradient is the gradient of one fixed
      function and eq. 1's decomposition is exact. ``bn_mode="train"``: BatchNorm normalises
      with each batch's statistics (the gradient SGD actually steps with; the "full gradient"
      is then the mean over ``chunk_size``-example chunks, not a gradient of one function) and
      dropout is on, seeded per unit; running statistics are restored afterwards. Either way
      the model's mode, buffers and device are as before on return.
    * ``cache``: a :class:`sgnlib.cache.UnitCache`; the full gradient and every ``unit_batches``
      mini-batches are stored as units keyed by a hash of the model state, the data set
      (``data_key``, or a hash of a TensorDataset's tensors) and every setting, so an
      interrupted measurement resumes and a repeated one loads.
    * ``device``: ``"auto"`` (CUDA when present), ``"cpu"``, ``"cuda"``; ``progress``: a tqdm bar.
"""


def measure_noise(
    model: torch.nn.Module,
    loss_fn,
    dataset,
    *,
    batch_size: int,
    n_batches: int,
    coords="uniform",
    n_coords: int = 100,
    seed: int = 0,
    device: str = "auto",
    chunk_size: int = 1024,
    cache=None,
    data_key: str | None = None,
    progress: bool = True,
    replacement: bool = False,
    bn_mode: str = "eval",
    unit_batches: int = 50,
) -> NoiseMeasurement:
    """The stochastic gradient noise (eq. 1) of ``n_batches`` mini-batches at sampled coordinates: ``[K, P]``.

    The paper's measurement (Battash et al., sec. 5; Xie et al. 2020): each sampled parameter's
    noise across ``K = n_batches ≥ 50`` mini-batches of size ``B = batch_size``, at fixed weights.
    """
    return _measure(model, loss_fn, dataset, batch_size=batch_size, n_batches=n_batches, coords=coords, n_coords=n_coords,
                    seed=seed, device=device, chunk_size=chunk_size, cache=cache, progress=progress, replacement=replacement,
                    bn_mode=bn_mode, data_key=data_key, unit_batches=unit_batches, min_batches=MIN_BATCHES, kind="per-parameter")


_MEASURE_DEFAULTS = {k: p.default for k, p in inspect.signature(measure_noise).parameters.items()
                     if p.kind is inspect.Parameter.KEYWORD_ONLY and k not in ("batch_size", "n_batches", "coords")}


def pooled_noise(model: torch.nn.Module, loss_fn, dataset, *, batch_size: int, n_batches: int = 1, coords="all", **options) -> NoiseMeasurement:
    """The noise of a few mini-batches over all (or many) parameters: Şimşekli et al. 2019's sample.

    :func:`measure_noise` with ``coords="all"`` by default and any ``n_batches ≥ 1``; every other
    keyword argument (``n_coords``, ``seed``, ``device``, ``chunk_size``, ``cache``, ``data_key``,
    ``progress``, ``replacement``, ``bn_mode``, ``unit_batches``) as there. With the same
    ``seed``, ``batch_size`` and ``replacement`` the mini-batches are those of
    :func:`measure_noise`, so both methodologies run on the same batches. ``result.pooled()``
    is the pooled sample (every coordinate of every batch as one draw);
    ``result.pooled(standardise=True)`` divides each coordinate by its scale first (meaningful
    with many batches).
    """
    return _measure(model, loss_fn, dataset, batch_size=batch_size, n_batches=n_batches, coords=coords, min_batches=1,
                    kind="pooled", **{**_MEASURE_DEFAULTS, **options})


measure_noise.__doc__ += _MEASURE_DOC


@dataclass(frozen=True)
class ExampleGradients:
    """Per-example gradients ``∇U^{(j)}(w)`` at sampled coordinates: ``grads[n_examples, P]``.

    ``examples`` are the data-set indices of the rows; ``full_gradient`` is ``∇U`` over the whole
    data set at the same coordinates, so ``grads − full_gradient`` is the per-example noise whose
    tail the generalised CLT is about (Şimşekli et al. 2019).
    """

    grads: np.ndarray
    examples: np.ndarray
    full_gradient: np.ndarray
    coords: Coords
    settings: dict

    @property
    def centred(self) -> np.ndarray:
        return self.grads - self.full_gradient


def example_gradients(
    model: torch.nn.Module,
    loss_fn,
    dataset,
    *,
    coords="uniform",
    n_coords: int = 100,
    seed: int = 0,
    n_examples: int | None = None,
    chunk_size: int = 256,
    device: str = "auto",
    progress: bool = True,
) -> ExampleGradients:
    """Per-example gradients of the coordinates :func:`select_coords` picks (same ``coords``, ``n_coords``, ``seed`` → same ones).

    ``n_examples`` examples drawn without replacement from the stream
    ``(seed, "sgnlib.noise.examples")`` (all when None), in data-set order; gradients by
    ``torch.func.vmap(grad(...))`` over chunks of ``chunk_size`` examples, w.r.t. the parameter
    tensors holding sampled coordinates only. The model is evaluated in eval mode (BatchNorm
    running statistics: a single example has no batch statistics).
    """
    from tqdm.auto import tqdm

    from sgnlib import streams
    from sgnlib.train import batch_loader

    D = _check_measure_args(dataset, 1, 1, 1, chunk_size, "eval", seed)
    if n_examples is not None and (isinstance(n_examples, bool) or not isinstance(n_examples, int) or not 1 <= n_examples <= D):
        raise ValueError(f"n_examples must be an integer in [1, {D}] or None; got {n_examples!r}")
    loss, loss_name = _loss_callable(loss_fn)
    device = resolve_device(device)
    chosen = select_coords(model, coords, n_coords, seed)
    examples = np.arange(D) if n_examples is None else np.sort(streams.rng(int(seed), "sgnlib.noise.examples").choice(D, n_examples, replace=False))
    with _Session(model, device, "eval"), warnings.catch_warnings():
        gather = _Gather(model, chosen, device)
        get = batch_loader(dataset, device)
        full = _full_gradient(model, loss, get, D, 1024, gather.params, gather, progress)
        rows = []
        warnings.filterwarnings("ignore", message="There is a performance drop because we have not yet implemented the batching rule")
        for start in tqdm(range(0, len(examples), chunk_size), disable=not progress, desc="per-example gradients", leave=False):
            x, y = get(torch.as_tensor(examples[start : start + chunk_size]))[:2]
            g = _vmap_gradients(model, loss, x, y, gather.names, None)
            per = [g[n].reshape(len(y), -1).index_select(1, i) for n, (i, _) in zip(gather.names, gather.groups)]
            flat = torch.cat(per, dim=1)
            rows.append(flat if gather.identity else torch.empty_like(flat).index_copy_(1, gather.cols, flat))
        grads = torch.cat(rows)
    check_finite(grads, "per-example gradients")
    settings = {"coords": coords if isinstance(coords, str) else "list", "n_coords": len(chosen), "seed": int(seed),
                "n_examples": len(examples), "loss": loss_name, "examples": D}
    return ExampleGradients(grads.cpu().numpy(), examples, full.cpu().numpy(), chosen, settings)
