"""Argument checks, seeding and device helpers shared by every sgnlib module.

One place for the errors a user sees on bad input: each names the argument
and the offending value, never returns a silent NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "check_alpha",
    "check_positive",
    "check_finite",
    "numpy_rng",
    "torch_generator",
    "resolve_device",
]


def _describe(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(arr.item())
    return f"array of shape {arr.shape}"


def check_alpha(alpha, name: str = "alpha", low: float = 0.0, high: float = 2.0):
    """Return ``alpha`` as a float array after checking ``low < alpha <= high``.

    Raises ``ValueError`` naming the first bad entry (NaN included).
    """
    arr = np.asarray(alpha, dtype=float)
    bad = ~((arr > low) & (arr <= high))
    if bad.any():
        idx = np.argwhere(bad)[0] if arr.ndim else ()
        val = arr[tuple(idx)] if arr.ndim else arr.item()
        where = f" at index {tuple(int(i) for i in idx)}" if arr.ndim else ""
        raise ValueError(
            f"{name} must lie in ({low:g}, {high:g}]; got {float(val)!r}{where}"
        )
    return arr


def check_positive(value, name: str, allow_zero: bool = False):
    """Return ``value`` as a float array after checking it is finite and > 0 (or >= 0)."""
    arr = np.asarray(value, dtype=float)
    ok = np.isfinite(arr) & ((arr >= 0) if allow_zero else (arr > 0))
    if not ok.all():
        idx = np.argwhere(~ok)[0] if arr.ndim else ()
        val = arr[tuple(idx)] if arr.ndim else arr.item()
        where = f" at index {tuple(int(i) for i in idx)}" if arr.ndim else ""
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}; got {float(val)!r}{where}")
    return arr


def check_finite(x, name: str = "x"):
    """Raise ``ValueError`` naming the first column holding NaN or inf.

    ``x`` is a numpy array or torch tensor; for 2-D input the column index
    (the parameter) is reported, for other shapes the flat index.
    """
    try:
        import torch

        if isinstance(x, torch.Tensor):
            ok = torch.isfinite(x)
            if bool(ok.all()):
                return x
            bad = (~ok).nonzero()[0].tolist()
            raise ValueError(_nonfinite_message(name, bad, x.ndim))
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    arr = np.asarray(x)
    ok = np.isfinite(arr)
    if ok.all():
        return x
    bad = np.argwhere(~ok)[0].tolist()
    raise ValueError(_nonfinite_message(name, bad, arr.ndim))


def _nonfinite_message(name: str, bad_index: list, ndim: int) -> str:
    if ndim == 2:
        return f"{name} holds NaN or inf in column {bad_index[1]} (row {bad_index[0]})"
    return f"{name} holds NaN or inf at index {tuple(bad_index)}"


def numpy_rng(seed=None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, ``None`` or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (np.random.RandomState,)):
        raise TypeError("pass a numpy.random.Generator or an int seed, not a RandomState")
    return np.random.default_rng(seed)


def torch_generator(seed=None, device="cpu"):
    """A ``torch.Generator`` on ``device`` from an int seed, ``None`` or a Generator."""
    import torch

    if isinstance(seed, torch.Generator):
        return seed
    gen = torch.Generator(device=device)
    if seed is None:
        gen.seed()
    else:
        gen.manual_seed(int(seed))
    return gen


#: The floating types an experiment can run in, by the name chapters and cache keys use.
FLOAT_DTYPES = ("float32", "float64")


def torch_dtype(name: str):
    """The torch dtype named ``"float32"`` or ``"float64"`` (one-line error otherwise)."""
    import torch

    if name not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be one of {list(FLOAT_DTYPES)}; got {name!r}")
    return getattr(torch, name)


def resolve_device(device: str | None = "auto") -> str:
    """Map ``"auto"`` to ``"cuda"`` when a GPU is present, else ``"cpu"``.

    Any other value is checked to be a device torch understands.
    """
    import torch

    if device is None or device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}") from exc
    if dev.type not in ("cpu", "cuda"):  # meta, mps, xpu, …: no experiment of the book runs there
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was asked for but CUDA is not available here")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(f"device {device!r} was asked for but this machine has {torch.cuda.device_count()} CUDA device(s)")
    return str(dev)
