"""Learning-rate schedules ``s_t`` of eq. 3: constant, the paper's exponential scheduler (Thm 4.1), multistep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from sgnlib._checks import check_positive

__all__ = ["Schedule", "constant_schedule", "exponential_schedule", "multistep_schedule"]


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule ``s_t`` (the factor multiplying η at SDE time ``t``)."""

    kind: str
    gamma: float = 1.0
    t0: float = 1.0
    milestones: tuple = ()
    factor: float = 0.1

    def __call__(self, t: ArrayLike) -> np.ndarray:
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
