"""Small tensor helpers shared by the potentials and domains of :mod:`sgnlib.sde`."""

from __future__ import annotations

from typing import Callable

import torch


def as_tensor(x, like: torch.Tensor) -> torch.Tensor:
    """``x`` as a tensor on ``like``'s device and dtype."""
    return torch.as_tensor(x, dtype=like.dtype, device=like.device)


def constants_like(*arrays) -> Callable[[torch.Tensor], tuple]:
    """A function ``w -> arrays as tensors on w's device and dtype``, converted once per (device, dtype)."""
    cache: dict = {}

    def get(w: torch.Tensor) -> tuple:
        key = (w.device, w.dtype)
        if key not in cache:
            cache[key] = tuple(as_tensor(x, w) for x in arrays)
        return cache[key]

    return get
