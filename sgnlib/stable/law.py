r"""The SαS law itself: Chambers–Mallows–Stuck draws, numpy or torch.

``SαS(α, σ)`` has characteristic function ``exp(-|σ t|^α)`` (see :mod:`sgnlib.stable`).
:func:`cms_transform` is the bare kernel (also used by :mod:`sgnlib.sde`);
:func:`sample` checks its arguments, draws and refuses draws that overflow.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from sgnlib._checks import check_alpha, check_positive, numpy_rng, torch_generator

__all__ = ["cms_transform", "sample", "is_torch"]


def is_torch(x) -> bool:
    """Whether ``x`` is a torch tensor (without importing torch for numpy-only callers)."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return isinstance(x, torch.Tensor)


def cms_transform(alpha, V, W):
    r"""Chambers–Mallows–Stuck map of ``V ~ U(-π/2, π/2)``, ``W ~ Exp(1)`` to standard SαS.

    For β = 0 (Chambers, Mallows & Stuck 1976, eq. (4.1); Weron 1996)

    .. math::  X = \frac{\sin(\alpha V)}{(\cos V)^{1/\alpha}}
               \left(\frac{\cos((1-\alpha)V)}{W}\right)^{(1-\alpha)/\alpha}

    has characteristic function ``exp(-|t|^α)``. The formula is evaluated as
    ``sin(αV) · exp(-log cos V / α + (1-α)/α · (log cos((1-α)V) - log W))`` which is
    regular at α = 1 (``tan V``, Cauchy) and α = 2 (``2 sin V √W``, i.e. N(0, 2)).

    No argument checks (this is the inner kernel of :func:`sample`, also used by
    :mod:`sgnlib.sde`). ``alpha``, ``V`` and ``W`` are numpy arrays or torch
    tensors (all of one kind, or python floats for ``alpha``) that broadcast.
    """
    if is_torch(V):
        import torch

        a = alpha if is_torch(alpha) else torch.as_tensor(alpha, dtype=V.dtype, device=V.device)
        logc = torch.log(torch.cos(V))
        e = (1.0 - a) / a
        return torch.sin(a * V) * torch.exp(-logc / a + e * (torch.log(torch.cos((1.0 - a) * V)) - torch.log(W)))
    a = np.asarray(alpha, dtype=float)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        logc = np.log(np.cos(V))
        e = (1.0 - a) / a
        return np.sin(a * V) * np.exp(-logc / a + e * (np.log(np.cos((1.0 - a) * V)) - np.log(W)))


def _to_numpy_param(value):
    if is_torch(value):
        return value.detach().cpu().double().numpy()
    return value


def _check_size(size) -> tuple[int, ...]:
    """``size`` as a tuple of non-negative ints (``None`` → ``()``); anything else is a ValueError."""
    if size is None:
        return ()
    items = (size,) if isinstance(size, numbers.Number) or np.ndim(size) == 0 else size
    try:
        items = tuple(items)
    except TypeError:
        raise ValueError(f"size must be an int or a tuple of ints; got {size!r}") from None
    out = []
    for s in items:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (numbers.Integral, np.integer)) or int(s) < 0:
            raise ValueError(f"size must be an int or a tuple of non-negative ints; got {size!r}")
        out.append(int(s))
    return tuple(out)


def _out_shape(size, *shapes, what="size"):
    size = _check_size(size)
    try:
        full = np.broadcast_shapes(size, *shapes)
    except ValueError as exc:
        raise ValueError(
            f"alpha (shape {shapes[0]}) and scale (shape {shapes[1]}) must broadcast against "
            f"the trailing dimensions of {what}={size}"
        ) from exc
    if size and full != size:
        raise ValueError(
            f"alpha (shape {shapes[0]}) and scale (shape {shapes[1]}) must broadcast to "
            f"{what}={size}; they broadcast to {full}"
        )
    return full


def _refuse_overflow(x, a, s, dtype_name: str):
    """Raise when draws are not finite (α near 0 or a scale near the largest float)."""
    bad = ~np.isfinite(x)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} of {bad.size} SαS draws overflow {dtype_name} (alpha min {float(np.min(a))!r}, "
            f"scale max {float(np.max(s))!r}): the law puts mass beyond the largest {dtype_name}; "
            "use a larger alpha, a smaller scale or work with log|x|"
        )


def sample(alpha, scale=1.0, size=(), rng=None, *, backend="numpy", device=None, dtype=None):
    r"""Draws of SαS(α, σ), characteristic function ``exp(-|σ t|^α)`` (module docstring).

    Parameters
    ----------
    alpha, scale
        Tail index α ∈ (0, 2] and scale σ > 0; scalars or arrays that broadcast
        against the trailing dimensions of ``size`` (one α per parameter/column:
        ``sample([1.5, 2.0], size=(1000, 2))``).
    size
        Output shape: a non-negative int or a tuple of them. ``()`` (default) gives the
        broadcast shape of ``alpha`` and ``scale``.
    rng
        ``backend="numpy"``: int seed, ``None`` or ``numpy.random.Generator``
        (:func:`sgnlib._checks.numpy_rng`). ``backend="torch"``: int seed, ``None`` or
        ``torch.Generator`` (:func:`sgnlib._checks.torch_generator`).
    backend
        ``"numpy"`` (float64 array) or ``"torch"`` (tensor on ``device``; dtype
        ``dtype`` or ``torch.get_default_dtype()``).

    Uses the Chambers–Mallows–Stuck construction (:func:`cms_transform`); for
    α = 2 the variance is 2σ². Same seed → same numbers. Draws that overflow the
    floating-point type (α ≲ 0.01, or σ near the largest float) raise ``ValueError``
    instead of returning infinities.
    """
    if backend not in ("numpy", "torch"):
        raise ValueError(f"backend must be 'numpy' or 'torch'; got {backend!r}")
    a_np = check_alpha(_to_numpy_param(alpha), "alpha")
    s_np = check_positive(_to_numpy_param(scale), "scale")
    shape = _out_shape(size, a_np.shape, s_np.shape)
    if backend == "numpy":
        gen = numpy_rng(rng)
        V = gen.uniform(-np.pi / 2, np.pi / 2, size=shape)
        W = gen.standard_exponential(size=shape)
        with np.errstate(over="ignore", invalid="ignore"):
            x = cms_transform(a_np, V, W) * s_np
        _refuse_overflow(x, a_np, s_np, "float64")
        return x.astype(dtype) if dtype is not None else x
    import torch

    dev = torch.device(device) if device is not None else torch.device("cpu")
    dt = dtype if dtype is not None else torch.get_default_dtype()
    gen = torch_generator(rng, dev)
    U = torch.rand(shape, generator=gen, device=dev, dtype=dt)
    V = (U - 0.5) * math.pi
    # keep V strictly inside (-π/2, π/2) for low precision dtypes
    lim = math.pi / 2 * (1 - torch.finfo(dt).eps)
    V = V.clamp(-lim, lim)
    W = torch.empty(shape, device=dev, dtype=dt).exponential_(1.0, generator=gen)
    W = W.clamp_min(torch.finfo(dt).tiny)
    a = torch.as_tensor(a_np, dtype=dt, device=dev)
    s = torch.as_tensor(s_np, dtype=dt, device=dev)
    x = cms_transform(a, V, W) * s
    if not bool(torch.isfinite(x).all()):
        _refuse_overflow(x.detach().cpu().double().numpy(), a_np, s_np, str(dt).replace("torch.", ""))
    return x
