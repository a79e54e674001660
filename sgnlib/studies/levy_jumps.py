"""The driving noise of eq. 3: one SGD step, a sample path, large-jump intensity (eq. 12) and gaps (eq. 15).

Studies behind chapter 05 (:cite:`battash2023revisiting`, Secs. 3–3.2):

* :func:`sgd_step_noise` — one Euler step with ``dt = η`` on a flat potential,
  divided by ``ησ``: standard SαS if the Euler step of eq. 3 is an SGD step.
* :func:`sample_path` — one path in ``U = w²/2`` with its large jumps marked.
* :func:`jump_intensity` — the rate of increments ``|ΔL| > O = ε^(−ρ)`` per
  Euler step ``dt``, against the exact per-step rate of the scheme
  (:func:`euler_jump_intensity`) and eq. 12 (its ``dt → 0`` limit).
* :func:`inter_jump_gaps` — the gaps between large jumps (eq. 15).

Each point (one ``dt``) draws from its own stream
``streams.torch_generator(seed, study, **settings)`` and is cached as a unit.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sgnlib import sde, stable, streams, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.cache import UnitCache

__all__ = ["sgd_step_noise", "step_quantiles", "sample_path", "euler_jump_intensity", "jump_intensity",
           "inter_jump_gaps"]

#: Bump when the simulation behind a cached unit changes.
VERSION = "ch05-levy-jumps-2"  # 2: issue-11 simulator (live-path draws, numpy stream)
STEP_STUDY = "ch05-sgd-step"
PATH_STUDY = "ch05-sample-path"
JUMP_STUDY = "ch05-jump-statistics"


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value!r}")
    return int(value)


def _rho(rho) -> float:
    r = float(rho)
    if not 0.0 < r < 1.0:
        raise ValueError(f"rho must lie in (0, 1); got {rho!r}")
    return r


def sgd_step_noise(alpha: float, eta: float, sigma: float, n_paths: int, *, seed: int,
                   device: str = "cpu") -> pd.DataFrame:
    """One Euler step of eq. 3 with ``dt = η``, ``ε = η^((α−1)/α)`` on a flat potential, divided by ``ησ``.

    Below eq. 3: ``ε dt^(1/α) = η``, so the step is ``ησX`` with ``X`` standard
    SαS. Columns: ``x`` (one row per path).
    """
    a = float(check_alpha(alpha))
    e, s = float(check_positive(eta, "eta")), float(check_positive(sigma, "sigma"))
    n = _positive_int(n_paths, "n_paths")
    gen = streams.torch_generator(seed, STEP_STUDY, device=device, alpha=a, eta=e, sigma=s, n_paths=n)
    r = sde.simulate(lambda w: 0.0 * w.sum(-1), [0.0], alpha=a, eta=e, dt=e, horizon=e, n_paths=n, sigma=s,
                     generator=gen, device=device)
    return pd.DataFrame({"x": r.position[:, 0].double().cpu().numpy() / (e * s)})


def step_quantiles(x: ArrayLike, alpha: float, probs: Sequence[float] = (0.75, 0.9, 0.95, 0.99)) -> pd.DataFrame:
    """Quantiles of a sample ``x`` against those of standard SαS(α). Columns: ``p, simulated, sas``."""
    p = np.asarray(probs, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any((p <= 0) | (p >= 1)):
        raise ValueError(f"probs must be probabilities in (0, 1); got {probs!r}")
    v = np.asarray(x, dtype=float).ravel()
    if v.size < 2 or not np.isfinite(v).all():
        raise ValueError(f"x must hold at least 2 finite values; got {v.size}")
    return pd.DataFrame({"p": p, "simulated": np.quantile(v, p), "sas": stable.ppf_standard(p, float(check_alpha(alpha)))})


def sample_path(alpha: float, eps: float, rho: float, dt: float, horizon: float, *, seed: int,
                device: str = "cpu") -> pd.DataFrame:
    """One path of eq. 3 in ``U = w²/2`` from 0, every Euler step saved.

    Columns: ``time, w, large_jump`` (whether the step ending at ``time`` held
    an increment ``|ΔL| > ε^(−ρ)``).
    """
    a, e, r_ = float(check_alpha(alpha)), float(check_positive(eps, "eps")), _rho(rho)
    gen = streams.torch_generator(seed, PATH_STUDY, device=device, alpha=a, eps=e, rho=r_, dt=dt, horizon=horizon)
    r = sde.simulate(sde.quadratic([1.0]), [0.0], alpha=a, eps=e, rho=r_, dt=dt, horizon=horizon, record_every=1,
                     record_jumps=True, generator=gen, device=device)
    marked = np.zeros(r.times.size, dtype=bool)
    marked[np.rint(r.jumps["time"].double().cpu().numpy() / r.dt).astype(int)] = True
    return pd.DataFrame({"time": r.times, "w": r.trajectory[:, 0, 0].double().cpu().numpy(), "large_jump": marked})


def euler_jump_intensity(alpha: ArrayLike, eps: ArrayLike, rho: ArrayLike, dt: ArrayLike) -> np.ndarray:
    """Rate of large jumps of the Euler scheme: ``P(|dt^(1/α) X| > O) / dt`` with ``O = ε^(−ρ)``, X standard SαS.

    One increment per step, so this is the exact rate of the simulated counts;
    it tends to eq. 12 with ``c = c_α`` (:func:`sgnlib.theory.jump_intensity`) as ``dt → 0``.
    """
    a = check_alpha(alpha)
    h = check_positive(dt, "dt")
    o = theory.jump_threshold(eps, a, rho)
    return 2.0 * (1.0 - stable.cdf(o * h ** (-1.0 / a), a)) / h


def _jump_unit(alpha: float, eps: float, rho: float, dt: float, horizon: float, n_paths: int, seed: int,
               device: str, cache: bool) -> dict[str, np.ndarray]:
    settings = dict(alpha=alpha, eps=eps, rho=rho, dt=dt, horizon=horizon, n_paths=n_paths)

    def compute() -> dict[str, np.ndarray]:
        gen = streams.torch_generator(seed, JUMP_STUDY, device=device, **settings)
        r = sde.simulate(sde.quadratic([1.0]), [0.0], alpha=alpha, eps=eps, rho=rho, dt=dt, horizon=horizon,
                         n_paths=n_paths, record_jumps=True, generator=gen, device=device)
        return {"counts": r.n_large_jumps[:, 0].cpu().numpy(), "gaps": sde.jump_gaps(r),
                "horizon": np.asarray(r.horizon)}

    if not cache:
        return compute()
    key = {"study": JUMP_STUDY, "seed": int(seed), "device": str(device), "version": VERSION, **settings}
    return UnitCache(JUMP_STUDY).get_or_compute(key, compute)


def jump_intensity(dts: Sequence[float], *, alpha: float, eps: float, rho: float, horizon: float, n_paths: int,
                   seed: int, device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Measured rate of large jumps (``|ΔL| > ε^(−ρ)``) of eq. 3 in ``U = w²/2``, one row per Euler step ``dt``.

    Columns: ``dt, n_paths, horizon, jumps, beta_hat, se`` (Poisson standard
    error ``sqrt(jumps) / (n_paths · horizon)``), ``beta_euler``
    (:func:`euler_jump_intensity`), ``beta_eq12`` (eq. 12 with ``c_α``),
    ``beta_paper`` (eq. 12 with the paper's ``c = 1``) and ``dispersion`` (variance / mean of
    the per-path counts; 1 for Poisson counts).
    """
    a, e, r_ = float(check_alpha(alpha)), float(check_positive(eps, "eps")), _rho(rho)
    T = float(check_positive(horizon, "horizon"))
    n = _positive_int(n_paths, "n_paths")
    d_v = [float(x) for x in np.atleast_1d(check_positive(np.asarray(dts, dtype=float), "dts"))]
    rows = []
    for dt in d_v:
        u = _jump_unit(a, e, r_, dt, T, n, seed, device, cache)
        k, hz = u["counts"].astype(float), float(u["horizon"])
        rows.append({"dt": dt, "n_paths": n, "horizon": hz, "jumps": int(k.sum()), "beta_hat": k.mean() / hz,
                     "se": math.sqrt(max(k.sum(), 1.0)) / (n * hz),
                     "beta_euler": float(euler_jump_intensity(a, e, r_, dt)),
                     "beta_eq12": float(theory.jump_intensity(a, e, r_, c=theory.levy_constant(a))),
                     "beta_paper": float(theory.jump_intensity(a, e, r_)),
                     "dispersion": float(k.var() / k.mean()) if k.mean() > 0 else float("nan")})
    return pd.DataFrame(rows)


def inter_jump_gaps(dt: float, *, alpha: float, eps: float, rho: float, horizon: float, n_paths: int, seed: int,
                    device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Gaps between consecutive large jumps of each path (eq. 15; :func:`sgnlib.sde.jump_gaps`), at step ``dt``.

    The same simulation (and cached unit) as :func:`jump_intensity` at that ``dt``. Columns: ``gap``.
    """
    a, e, r_ = float(check_alpha(alpha)), float(check_positive(eps, "eps")), _rho(rho)
    u = _jump_unit(a, e, r_, float(check_positive(dt, "dt")), float(check_positive(horizon, "horizon")),
                   _positive_int(n_paths, "n_paths"), seed, device, cache)
    return pd.DataFrame({"gap": u["gaps"]})
