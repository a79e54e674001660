"""What :func:`sgnlib.sde.simulate` returns, and the statistics read off it: mean exit time, inter-jump gaps."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["SDEResult", "empirical_mean_exit_time", "jump_gaps"]


@dataclass
class SDEResult:
    """What :func:`simulate` returns (tensors on the simulation device).

    ``exit_time`` (n,): first exit time σ_G, the horizon for censored paths;
    ``exited`` (n,) bool; ``exit_axis`` (n,) long, -1 if censored;
    ``exit_side`` (n,) int8, +1 / -1 / 0; ``position`` (n, N): the exit position
    of exited paths, the state at the horizon of censored ones;
    ``n_large_jumps`` (n, N): large jumps (``|ΔL| > O``) before or at exit;
    ``jumps``: with ``record_jumps``, dict of 1-D tensors ``path, coord, time, size``
    (``size`` is the increment ``ΔL`` of the driving process);
    ``times``/``trajectory``: with ``record_every``, the saved times and
    states (len(times), n, N), frozen after exit.
    """

    exit_time: torch.Tensor
    exited: torch.Tensor
    exit_axis: torch.Tensor
    exit_side: torch.Tensor
    position: torch.Tensor
    n_large_jumps: torch.Tensor
    horizon: float
    dt: float
    n_steps: int
    jump_threshold: np.ndarray | None = None
    jumps: dict | None = None
    times: np.ndarray | None = None
    trajectory: torch.Tensor | None = None
    params: dict = field(default_factory=dict)

    @property
    def censored(self) -> torch.Tensor:
        return ~self.exited

    @property
    def n_paths(self) -> int:
        return int(self.exited.shape[0])


def _check_result(result) -> None:
    if not isinstance(result, SDEResult):
        raise ValueError(f"result must be an sgnlib.sde.SDEResult; got {type(result).__name__}")


def empirical_mean_exit_time(result: SDEResult, allow_censored: bool = False) -> tuple[float, float]:
    """Mean first exit time of the simulated paths and its standard error.

    (The law's prediction is :func:`sgnlib.theory.mean_exit_time`.) With
    censored paths this raises ``ValueError`` unless ``allow_censored``; then
    it returns the exponential-law MLE ``Σ times / #exits`` (exit times are
    asymptotically exponential, Imkeller & Pavlyukevich
    :cite:`imkeller2006first`) with standard error ``mean / sqrt(#exits)``.
    """
    _check_result(result)
    t = result.exit_time.double().cpu().numpy()
    ex = result.exited.cpu().numpy()
    n_ex = int(ex.sum())
    if n_ex == 0:
        raise ValueError(f"no path exited before the horizon {result.horizon:g}; increase the horizon")
    if n_ex < ex.size:
        if not allow_censored:
            raise ValueError(f"{ex.size - n_ex} of {ex.size} paths are censored at the horizon "
                             f"{result.horizon}; increase it or pass allow_censored=True")
        m = t.sum() / n_ex
        return float(m), float(m / math.sqrt(n_ex))
    return float(t.mean()), float(t.std(ddof=1) / math.sqrt(t.size)) if t.size > 1 else float("nan")


def jump_gaps(result: SDEResult, start_before: float | None = None) -> np.ndarray:
    """Gaps ``S_k = τ_k − τ_(k−1)`` between the large jumps of each path and coordinate (eq. 15), ``τ_0 = 0``.

    Only paths that never exited count (after an exit no jump is recorded).
    Only gaps that start before ``start_before`` (default: half the horizon)
    are returned: a gap that starts late is seen only if it is short, so
    keeping all would bias the law of the gaps low; a gap starting before
    ``T/2`` is missed only if it is longer than ``T/2``, with probability
    ``e^(−βT/2)``. Needs a run with ``record_jumps=True``.
    """
    _check_result(result)
    if result.jumps is None:
        raise ValueError("result has no recorded jumps; simulate with record_jumps=True and rho or jump_threshold")
    cut = result.horizon / 2 if start_before is None else float(start_before)
    if not (math.isfinite(cut) and 0 < cut <= result.horizon):
        raise ValueError(f"start_before must lie in (0, horizon = {result.horizon:g}]; got {start_before!r}")
    path = result.jumps["path"].cpu().numpy()
    coord = result.jumps["coord"].cpu().numpy()
    t = result.jumps["time"].double().cpu().numpy()
    keep = ~result.exited.cpu().numpy()[path]
    path, coord, t = path[keep], coord[keep], t[keep]
    order = np.lexsort((t, coord, path))
    path, coord, t = path[order], coord[order], t[order]
    start = np.concatenate([[0.0], t[:-1]])
    first = np.ones(t.size, dtype=bool)
    first[1:] = (path[1:] != path[:-1]) | (coord[1:] != coord[:-1])
    start[first] = 0.0
    return (t - start)[start < cut]
