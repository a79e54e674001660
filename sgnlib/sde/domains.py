"""Domains ``G`` of the first-exit problem (Sec. 4): a box ``Π_l (d-_l, d+_l)`` and a ball (Fig. 6)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
import torch

from sgnlib._checks import check_finite, check_positive
from sgnlib.sde._tensors import as_tensor

__all__ = ["Box", "Ball"]


class Box:
    """The box ``G = Π_l (lower_l, upper_l)``.

    Around a minimum ``W*`` the paper's ``d-_l < 0 < d+_l`` are
    ``lower - W*`` and ``upper - W*``. ``lower_l = -inf`` or ``upper_l = inf``
    leave a side open.
    """

    def __init__(self, lower: ArrayLike, upper: ArrayLike):
        lo = np.atleast_1d(np.asarray(lower, dtype=float))
        hi = np.atleast_1d(np.asarray(upper, dtype=float))
        if lo.ndim > 1 or hi.ndim > 1 or (lo.size != hi.size and 1 not in (lo.size, hi.size)):
            raise ValueError(f"lower and upper must be scalars or vectors of one length; "
                             f"got shapes {lo.shape} and {hi.shape}")
        lo, hi = np.broadcast_arrays(lo, hi)
        if np.isnan(lo).any() or np.isnan(hi).any():
            raise ValueError("box bounds must not be NaN")
        if not (lo < hi).all():
            i = int(np.argmin(hi - lo))
            raise ValueError(f"box needs lower < upper on every axis; axis {i}: {lo[i]!r} >= {hi[i]!r}")
        self.lower, self.upper = lo.copy(), hi.copy()
        self.dim = lo.shape[0]

    @classmethod
    def around(cls, center: ArrayLike, d_minus: ArrayLike, d_plus: ArrayLike) -> "Box":
        """The box ``(center + d_minus, center + d_plus)`` with the paper's ``d- < 0 < d+``."""
        c = np.asarray(center, dtype=float)
        dm = np.asarray(d_minus, dtype=float)
        dp = np.asarray(d_plus, dtype=float)
        if (dm >= 0).any() or (dp <= 0).any():
            raise ValueError(f"need d_minus < 0 < d_plus; got d_minus={d_minus!r}, d_plus={d_plus!r}")
        return cls(c + dm, c + dp)

    def tensors(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(lower, upper)`` on ``like``'s device and dtype (the extra arguments of :meth:`outside`)."""
        return as_tensor(self.lower, like), as_tensor(self.upper, like)

    def contains(self, w: ArrayLike) -> np.ndarray:
        """Whether each row of ``w`` lies inside (open box)."""
        w = np.atleast_2d(w)
        return ((w > self.lower) & (w < self.upper)).all(-1)

    def outside(self, w: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor, out=None) -> torch.Tensor:
        """Whether each row of ``w`` is outside (on the boundary counts as outside)."""
        bad = torch.logical_or(w <= lo, w >= hi)
        if out is None:
            return bad.any(-1)
        return torch.any(bad, dim=-1, out=out)

    def exit_axis_side(self, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Axis and side (+1 upper, -1 lower) of exit positions ``w`` (n, N).

        When several axes are violated at once (one step jumped out through
        a corner), the axis with the largest violation relative to the box
        width wins.
        """
        lo, hi = self.tensors(w)
        width = torch.where(torch.isfinite(hi - lo), hi - lo, torch.ones_like(lo))
        up = (w - hi) / width
        down = (lo - w) / width
        viol = torch.maximum(up, down)
        axis = viol.argmax(-1)
        side = torch.where(up.gather(-1, axis[:, None])[:, 0] >= down.gather(-1, axis[:, None])[:, 0], 1, -1)
        return axis, side.to(torch.int8)

    def __repr__(self) -> str:
        return f"Box(lower={self.lower.tolist()}, upper={self.upper.tolist()})"


class Ball:
    """The open ball ``{w : ‖w - center‖ < radius}``; exit axis = the largest ``|w_l - center_l|`` (Fig. 6)."""

    def __init__(self, center: ArrayLike, radius: float):
        self.center = np.atleast_1d(np.asarray(center, dtype=float)).copy()
        if self.center.ndim > 1:
            raise ValueError(f"center must be a vector; got shape {self.center.shape}")
        check_finite(self.center, "center")
        self.radius = float(check_positive(radius, "radius"))
        self.dim = self.center.shape[0]

    def tensors(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(center, radius²)`` on ``like``'s device and dtype (the extra arguments of :meth:`outside`)."""
        return as_tensor(self.center, like), as_tensor(self.radius ** 2, like)

    def contains(self, w: ArrayLike) -> np.ndarray:
        """Whether each row of ``w`` lies inside (open ball)."""
        w = np.atleast_2d(w)
        return ((w - self.center) ** 2).sum(-1) < self.radius ** 2

    def outside(self, w: torch.Tensor, c: torch.Tensor, r2: torch.Tensor, out=None) -> torch.Tensor:
        """Whether each row of ``w`` is outside (on the sphere counts as outside)."""
        d = w - c
        if out is None:
            return (d * d).sum(-1) >= r2
        return torch.ge((d * d).sum(-1), r2, out=out)

    def exit_axis_side(self, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Axis of the largest ``|w_l - center_l|`` and its sign, for exit positions ``w`` (n, N)."""
        c, _ = self.tensors(w)
        d = w - c
        axis = d.abs().argmax(-1)
        side = torch.where(d.gather(-1, axis[:, None])[:, 0] >= 0, 1, -1)
        return axis, side.to(torch.int8)

    def __repr__(self) -> str:
        return f"Ball(center={self.center.tolist()}, radius={self.radius})"
