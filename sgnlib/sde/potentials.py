"""Potentials ``U`` on R^N for the SDE of eq. 3: a quadratic basin, a double well, Ackley's function."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike
import torch

from sgnlib._checks import check_finite, check_positive
from sgnlib.sde._tensors import constants_like

__all__ = ["Potential", "quadratic", "double_well", "ackley"]


class Potential:
    """A potential ``U`` on R^N given as torch functions.

    ``energy(w)`` maps a ``(n, N)`` tensor to ``(n,)``; ``grad(w)`` to ``(n, N)``.
    Without ``grad`` the gradient is taken by autograd (slower: one backward
    pass per Euler step). ``minimum`` (optional) is the local minimum ``W*``;
    ``curvature`` (optional) the largest eigenvalue of the Hessian at it, which
    sets the Euler stability limit ``dt < 2 / curvature`` that
    :func:`sgnlib.sde.simulate` checks.
    """

    def __init__(self, energy: Callable, grad: Callable | None = None, *, dim: int | None = None,
                 minimum: ArrayLike | None = None, name: str = "custom", curvature: float | None = None):
        if not callable(energy):
            raise ValueError(f"energy must be callable; got {energy!r}")
        if grad is not None and not callable(grad):
            raise ValueError(f"grad must be callable or None; got {grad!r}")
        if dim is not None and (isinstance(dim, bool) or int(dim) != dim or dim < 1):
            raise ValueError(f"dim must be a positive int or None; got {dim!r}")
        self.energy = energy
        self._grad = grad
        self.dim = None if dim is None else int(dim)
        self.minimum = None if minimum is None else np.asarray(minimum, dtype=float)
        self.name = name
        self.curvature = None if curvature is None else float(check_positive(curvature, "curvature"))
        #: ``h`` (N,) when ``∇U(w) = h (w − minimum)`` coordinate-wise (a quadratic with diagonal Hessian):
        #: the Euler steps are then a linear recursion that :func:`sgnlib.sde.simulate` solves in blocks.
        self.diagonal_hessian: np.ndarray | None = None

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return self.energy(w)

    def grad(self, w: torch.Tensor) -> torch.Tensor:
        """``∇U(w)``, shape ``(n, N)``."""
        if self._grad is not None:
            return self._grad(w)
        with torch.enable_grad():
            x = w.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(self.energy(x).sum(), x)
        return g.detach()

    def __repr__(self) -> str:
        return f"Potential({self.name}, dim={self.dim})"


def quadratic(hessian: ArrayLike, minimum: ArrayLike | None = None) -> Potential:
    """Quadratic basin ``U(w) = ½ (w - W*)ᵀ H (w - W*)``, ``U(W*) = 0``.

    ``hessian``: a vector (diagonal Hessian) or a symmetric positive definite
    matrix; its smallest eigenvalue is the strong-convexity constant μ of
    Lemma 3.1 (eq. 6), its largest the ``curvature`` of the Euler stability limit.
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
    if minimum is None:
        m = np.zeros(n)
    else:
        m_in = np.asarray(minimum, dtype=float)
        if m_in.ndim > 1 or m_in.size not in (1, n):
            raise ValueError(f"minimum must be a scalar or of length {n} (the Hessian's dimension); "
                             f"got shape {m_in.shape}")
        m = np.broadcast_to(m_in, (n,)).copy()
    check_finite(m, "minimum")
    _get = constants_like(h, m)

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

    pot = Potential(energy, grad, dim=n, minimum=m, name="quadratic", curvature=float(eig.max()))
    pot.mu = float(eig.min())
    pot.hessian = h
    if diag:
        pot.diagonal_hessian = h.copy()
    return pot


def double_well(height: ArrayLike = 1.0, half_width: ArrayLike = 1.0) -> Potential:
    """Double well per coordinate: ``U(w) = Σ_l h_l ((w_l / a_l)² - 1)²``.

    Minima at ``±a_l`` (``U = 0``), barrier ``h_l`` at 0, curvature
    ``U'' = 8h/a²`` at the minima and ``-4h/a²`` at the barrier, so depth
    (``height``) and width (``half_width``) can be set independently.
    """
    h = np.atleast_1d(check_positive(height, "height"))
    a = np.atleast_1d(check_positive(half_width, "half_width"))
    if h.ndim > 1 or a.ndim > 1 or (h.size != a.size and 1 not in (h.size, a.size)):
        raise ValueError(f"height and half_width must be scalars or vectors of one length; "
                         f"got shapes {h.shape} and {a.shape}")
    h, a = np.broadcast_arrays(h, a)
    h, a = h.copy(), a.copy()
    _get = constants_like(h, a)

    def energy(w):
        hh, aa = _get(w)
        z = (w / aa) ** 2 - 1.0
        return (hh * z * z).sum(-1)

    def grad(w):
        hh, aa = _get(w)
        return 4.0 * hh * ((w / aa) ** 2 - 1.0) * w / (aa * aa)

    pot = Potential(energy, grad, dim=h.shape[0], minimum=-a, name="double_well",
                    curvature=float((8.0 * h / a ** 2).max()))
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
    if isinstance(dim, bool) or int(dim) != dim or int(dim) < 1:
        raise ValueError(f"dim must be an int >= 1; got {dim!r}")

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
