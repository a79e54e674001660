"""One simulated point of an exit-time study: its own random stream, cached as a unit.

Every exit-time study of chapter 06 (basin escape, exit direction, schedules,
Ackley) simulates many independent points (one α, one ε, one width, ...).
Each point draws from the stream ``streams.torch_generator(seed, study,
**settings)``, so adding or removing a point never changes another's numbers,
and is stored in ``UnitCache(study)`` under all its settings, the seed, the
device and :data:`VERSION`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import stats as _sp

from sgnlib import sde, streams
from sgnlib._checks import check_positive
from sgnlib.cache import UnitCache

#: Bump when the simulation behind a cached unit changes (stale units are then not read).
VERSION = "ch06-studies-2"  # 2: issue-11 simulator (live-path draws, numpy stream)


def z_value(level: float) -> float:
    """The two-sided normal quantile of a confidence ``level`` in (0, 1): 1.96 at 0.95."""
    lv = float(level)
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level must lie in (0, 1); got {level!r}")
    return float(_sp.norm.ppf(0.5 + lv / 2.0))


def check_n_paths(n_paths, name: str = "n_paths") -> int:
    """``n_paths`` as an int after checking it is an integer >= 2."""
    n = int(n_paths)
    if n < 2 or n != n_paths:
        raise ValueError(f"{name} must be an integer >= 2; got {n_paths!r}")
    return n


def float_list(values, name: str, check: Callable = check_positive) -> list[float]:
    """A non-empty sweep as a list of floats, each checked with ``check(array, name)``."""
    v = [float(x) for x in np.atleast_1d(np.asarray(values, dtype=float))]
    if not v:
        raise ValueError(f"{name} must hold at least one value; got {values!r}")
    check(np.asarray(v), name)
    return v


def mean_columns(unit: dict, level: float) -> dict:
    """``mean, se, ci_low, ci_high`` (normal interval at ``level``) and ``censored_share`` of a simulated unit."""
    z = z_value(level)
    m, se = float(unit["mean"]), float(unit["se"])
    return {"mean": m, "se": se, "ci_low": m - z * se, "ci_high": m + z * se,
            "censored_share": float(1.0 - np.mean(unit["exited"]))}


def simulate_point(study: str, seed: int, settings: dict, run: Callable, *, device: str = "cpu",
                   cache: bool = True, allow_censored: bool = False) -> dict[str, np.ndarray]:
    """Exit times, exit flags, exit axes, mean exit time and its standard error of one point.

    ``run(generator)`` simulates the point with ``sgnlib.sde.simulate`` and must
    depend on nothing but ``settings`` and the generator. The generator is
    ``streams.torch_generator(seed, study, device, **settings)``; with ``cache``
    the unit is read from / written to ``UnitCache(study)``. ``allow_censored``
    is passed to :func:`sgnlib.sde.empirical_mean_exit_time`.
    """
    if not isinstance(settings, dict) or not settings:
        raise ValueError(f"settings must be a non-empty dict; got {settings!r}")
    if not callable(run):
        raise ValueError(f"run must be callable; got {run!r}")

    def compute() -> dict[str, np.ndarray]:
        gen = streams.torch_generator(seed, study, device=device, **settings)
        r = run(gen)
        mean, se = sde.empirical_mean_exit_time(r, allow_censored=allow_censored)
        return {
            "exit_time": r.exit_time.double().cpu().numpy(),
            "exited": r.exited.cpu().numpy(),
            "exit_axis": r.exit_axis.cpu().numpy(),
            "mean": np.asarray(mean),
            "se": np.asarray(se),
        }

    if not cache:
        return compute()
    key = {"study": study, "seed": int(seed), "device": str(device), "version": VERSION,
           "allow_censored": bool(allow_censored), **settings}
    return UnitCache(study).get_or_compute(key, compute)
