r"""Which law describes a parameter's gradient noise? Likelihood tests the paper did not run.

The fit errors of Tables 1–3 of Battash et al. compare a Gaussian and an SαS fit with the
histogram; since SαS(α, σ) contains the Gaussian (α = 2) and has one more parameter, it fits at
least about as well by construction. The tools here ask the question with likelihoods, one
parameter (column) at a time, vectorised over columns:

* :func:`profile_fit` — maximum likelihood of a centred scale family with one shape parameter
  (SαS with shape α, Student-t with shape ν) by profiling: a grid over the shape, for each shape
  the scale maximised (a coarse grid then golden-section search on log σ), the log-likelihood at
  the maximiser evaluated exactly. The SαS search interpolates a table of the standard log density
  (:func:`sgnlib.stable.logpdf`), the final value is exact.
* :func:`lr_test_gaussian` — the likelihood-ratio test of α = 2 against α < 2. α = 2 lies on the
  boundary of the parameter space, so the statistic is asymptotically ½χ²₀ + ½χ²₁ under the
  Gaussian (Self & Liang 1987, case 5 with one parameter on the boundary).
* :func:`held_out_loglik` — fit Gaussian, SαS and Student-t on one half of the samples, score the
  mean log density on the other half.
* :func:`hill_tail_index` — the Hill (1975) estimator of the tail index of ``|x − median|``.

All laws are centred at zero: the noise ``u_k = ∇U − ∇U_{Ω_k}`` of eq. 1 has mean zero by
construction (the mini-batch gradient is an unbiased estimate of the full gradient), and for
α > 1 the centre of an SαS law is its mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special, stats as _st

from sgnlib._checks import check_finite
from sgnlib.stable import logpdf as _sas_logpdf
from sgnlib.stable.fitting import as_columns

__all__ = [
    "ALPHA_GRID",
    "DF_GRID",
    "ProfileFit",
    "profile_fit",
    "gaussian_loglik",
    "lr_test_gaussian",
    "held_out_loglik",
    "hill_tail_index",
]

#: Tail indices searched by the SαS profile likelihood (step 0.02 up to the Gaussian, α = 2).
ALPHA_GRID = np.round(np.arange(0.6, 2.0 + 1e-9, 0.02), 4)
#: Degrees of freedom searched by the Student-t profile likelihood (geometric, 0.5 to 500).
DF_GRID = np.round(np.geomspace(0.5, 500.0, 61), 6)

_N_MIN = 20
_LOG2SQRTPI = math.log(2.0 * math.sqrt(math.pi))


def _columns(x, name="x", n_min=_N_MIN):
    x2, _ = as_columns(x, 0, name)
    if x2.shape[0] < n_min:
        raise ValueError(f"{name} has {x2.shape[0]} samples per column; at least {n_min} are needed")
    check_finite(x2, name)
    scale = np.sqrt(np.mean(x2**2, axis=0))
    if np.any(scale == 0):
        j = int(np.flatnonzero(scale == 0)[0])
        raise ValueError(f"{name} column {j} is identically zero; no law can be fitted")
    return x2


def gaussian_loglik(x, scale):
    r"""Log-likelihood per column of ``x`` under SαS(2, σ) = N(0, 2σ²): ``Σ −x²/(4σ²) − log(2√π σ)``."""
    x2 = np.asarray(x, dtype=float)
    s = np.asarray(scale, dtype=float)
    return np.sum(-(x2 / s) ** 2 / 4.0, axis=0) - x2.shape[0] * (_LOG2SQRTPI + np.log(s))


_LOGZ_LO, _LOGZ_HI, _N_LOGZ = -20.0, 23.0, 4301  # grid of log|z|, step 0.01


@lru_cache(maxsize=4)
def _sas_table(alphas: tuple):
    """``log f_α(e^v)`` of the standard SαS law on a uniform grid of ``v = log|z|``, one row per α."""
    v = np.linspace(_LOGZ_LO, _LOGZ_HI, _N_LOGZ)
    a = np.asarray(alphas, dtype=float)
    return _sas_logpdf(np.exp(v)[None, :], a[:, None], 1.0)


def _sas_std_logpdf(logz, shapes):
    """Standard SαS log density at ``|z| = exp(logz[..., i])`` for α = ``shapes[i]`` (last axis).

    Linear interpolation in ``log|z|`` of :func:`_sas_table` (below e^-20 the density is flat);
    the Gaussian (α = 2) exactly.
    """
    shapes = np.asarray(shapes, dtype=float)
    table = _sas_table(tuple(shapes.tolist()))
    h = (_LOGZ_HI - _LOGZ_LO) / (_N_LOGZ - 1)
    pos = np.clip((logz - _LOGZ_LO) / h, 0.0, _N_LOGZ - 1.000001)
    i = pos.astype(np.intp)
    frac = pos - i
    rows = np.arange(shapes.size)
    flat = table.ravel()
    base = rows * _N_LOGZ + i
    out = flat[base] * (1.0 - frac) + flat[base + 1] * frac
    gauss = shapes >= 2.0
    if gauss.any():
        out[..., gauss] = -np.exp(2.0 * logz[..., gauss]) / 4.0 - _LOG2SQRTPI
    return out


def _t_std_logpdf(logz, shapes):
    """Standard Student-t log density at ``|z| = exp(logz[..., i])`` for ν = ``shapes[i]`` (last axis)."""
    nu = np.asarray(shapes, dtype=float)
    c = special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2) - 0.5 * np.log(nu * np.pi)
    return c - (nu + 1) / 2 * np.log1p(np.exp(2.0 * logz) / nu)


def _t_exact(x, nu, s):
    return np.sum(_st.t.logpdf(x, nu, scale=s), axis=0)


def _sas_exact(x, alpha, s):
    return np.sum(_sas_logpdf(x, alpha, s), axis=0)


_FAMILIES = {
    "sas": (_sas_std_logpdf, _sas_exact, ALPHA_GRID),
    "t": (_t_std_logpdf, _t_exact, DF_GRID),
}


@dataclass
class ProfileFit:
    """Result of :func:`profile_fit`, one entry per column.

    ``shape`` (α for SαS, ν for Student-t) and ``scale`` maximise the likelihood of the centred
    law over ``grid`` (shape) and a continuous search (scale); ``loglik`` is the exact
    log-likelihood there; ``profile`` ``[len(grid), P]`` the (interpolated) profile log-likelihood
    of each shape, scale maximised.
    """

    family: str
    shape: np.ndarray
    scale: np.ndarray
    loglik: np.ndarray
    grid: np.ndarray
    profile: np.ndarray
    n: int


def _profile_scales(x2, std_logpdf, shapes, n_coarse=21, half_width=2.5, n_golden=20):
    """For every (column, shape): the scale maximising the interpolated likelihood, and that likelihood."""
    n, P = x2.shape
    q = np.quantile(x2, [0.25, 0.75], axis=0)
    s0 = np.log(np.maximum((q[1] - q[0]) / 2.0, 1e-300))  # ≈ σ for Cauchy, σ·1.05 for the Gaussian

    with np.errstate(divide="ignore"):
        logx = np.maximum(np.log(np.abs(x2)), 2 * _LOGZ_LO)[:, :, None]  # [n, P, 1]

    def ll(log_s):  # log_s [P, A] -> loglik [P, A]
        return std_logpdf(logx - log_s[None], shapes).sum(axis=0) - n * log_s

    A = len(shapes)
    coarse = np.linspace(-half_width, half_width, n_coarse)
    grid_ll = np.stack([ll(np.broadcast_to(s0[:, None] + c, (P, A))) for c in coarse])  # [C, P, A]
    best = np.argmax(grid_ll, axis=0)
    step = coarse[1] - coarse[0]
    lo, hi = s0[:, None] + coarse[best] - step, s0[:, None] + coarse[best] + step
    g = (math.sqrt(5) - 1) / 2
    c, d = hi - g * (hi - lo), lo + g * (hi - lo)
    fc, fd = ll(c), ll(d)
    for _ in range(n_golden):
        left = fc > fd  # the maximum lies in [lo, d]
        lo, hi = np.where(left, lo, c), np.where(left, d, hi)
        c, d = hi - g * (hi - lo), lo + g * (hi - lo)
        fc, fd = ll(c), ll(d)
    log_s = (lo + hi) / 2
    return np.exp(log_s), ll(log_s)


def profile_fit(x, family: str = "sas", grid=None) -> ProfileFit:
    r"""Maximum-likelihood fit of a centred SαS (``family="sas"``) or Student-t (``"t"``) law per column.

    ``x`` ``[n, P]`` samples (≥ 20 per column, finite, no all-zero column). The shape is searched
    on ``grid`` (default :data:`ALPHA_GRID` or :data:`DF_GRID`); for each shape the scale
    maximising the likelihood is found; the returned ``loglik`` is the exact log-likelihood at the
    best (shape, scale) (for SαS: :func:`sgnlib.stable.logpdf`).
    """
    if family not in _FAMILIES:
        raise ValueError(f"family must be one of {sorted(_FAMILIES)}; got {family!r}")
    std_logpdf, exact, default = _FAMILIES[family]
    shapes = np.asarray(default if grid is None else grid, dtype=float).ravel()
    if shapes.size == 0 or not np.isfinite(shapes).all() or np.any(shapes <= 0):
        raise ValueError(f"grid must hold positive finite shapes; got {grid!r}")
    if family == "sas" and np.any(shapes > 2):
        raise ValueError(f"an SαS grid must lie in (0, 2]; got max {shapes.max()!r}")
    x2 = _columns(x)
    unit = np.sqrt(np.mean(x2**2, axis=0))  # work in units of the column's RMS; undone below
    z = x2 / unit
    scales, prof = _profile_scales(z, std_logpdf, shapes)  # [P, A]
    best = np.argmax(prof, axis=1)
    cols = np.arange(z.shape[1])
    shape, scale = shapes[best], scales[cols, best]
    ll = exact(z, shape, scale) - z.shape[0] * np.log(unit)
    return ProfileFit(family, shape, scale * unit, ll, shapes, prof.T - z.shape[0] * np.log(unit), z.shape[0])


def lr_test_gaussian(x, level: float = 0.01, fit: ProfileFit | None = None) -> pd.DataFrame:
    r"""Likelihood-ratio test of α = 2 (Gaussian) against α < 2 (SαS), one row per column.

    ``Λ = 2 (ℓ(α̂, σ̂) − ℓ(2, σ̂₂))`` with both laws centred at zero (σ̂₂² = mean x² / 2, the
    Gaussian MLE). With α = 2 on the boundary, Λ is asymptotically ½χ²₀ + ½χ²₁ under the null, so
    the p-value is ``½ P(χ²₁ > Λ)`` for Λ > 0 and 1 for Λ = 0. Columns: ``alpha_hat``,
    ``scale_hat``, ``stat``, ``p_value``, ``reject`` (p < ``level``).
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level!r}")
    x2 = _columns(x)
    fit = profile_fit(x2, "sas") if fit is None else fit
    if fit.family != "sas" or fit.shape.size != x2.shape[1]:
        raise ValueError("fit must be the SαS profile_fit of the same columns")
    s2 = np.sqrt(np.mean(x2**2, axis=0) / 2.0)
    ll0 = gaussian_loglik(x2, s2)
    stat = np.maximum(2.0 * (np.maximum(fit.loglik, ll0) - ll0), 0.0)
    p = np.where(stat > 0, 0.5 * _st.chi2.sf(stat, 1), 1.0)
    return pd.DataFrame({"alpha_hat": fit.shape, "scale_hat": fit.scale, "stat": stat, "p_value": p,
                         "reject": p < level})


def held_out_loglik(x, rng=None, train_fraction: float = 0.5) -> pd.DataFrame:
    r"""Held-out mean log density per column for the Gaussian, SαS and Student-t laws (all centred).

    The rows (samples) are split at random (``rng``: seed or Generator) into a training part
    (``train_fraction``) and a test part; each law is fitted by maximum likelihood on the training
    part (:func:`profile_fit`) and scored by its mean log density on the test part. Columns:
    ``gauss``, ``sas``, ``t`` (mean held-out log density), ``alpha``, ``df`` (fitted shapes),
    ``best`` (the law with the highest held-out score).
    """
    from sgnlib._checks import numpy_rng

    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must lie in (0, 1); got {train_fraction!r}")
    x2 = _columns(x, n_min=2 * _N_MIN)
    n = x2.shape[0]
    perm = numpy_rng(rng).permutation(n)
    k = int(round(train_fraction * n))
    if k < _N_MIN or n - k < 1:
        raise ValueError(f"train_fraction={train_fraction} leaves {k} training and {n - k} test samples")
    tr, te = x2[perm[:k]], x2[perm[k:]]
    unit = np.sqrt(np.mean(tr**2, axis=0))
    tr, te = tr / unit, te / unit
    sas, t = profile_fit(tr, "sas"), profile_fit(tr, "t")
    g = gaussian_loglik(te, np.sqrt(np.mean(tr**2, axis=0) / 2.0)) / te.shape[0]
    s = np.mean(_sas_logpdf(te, sas.shape, sas.scale), axis=0)
    tt = np.mean(_st.t.logpdf(te, t.shape, scale=t.scale), axis=0)
    shift = np.log(unit)  # back to the data's units (the same shift for every law)
    df = pd.DataFrame({"gauss": g - shift, "sas": s - shift, "t": tt - shift, "alpha": sas.shape, "df": t.shape})
    df["best"] = np.array(["gauss", "sas", "t"])[np.argmax(df[["gauss", "sas", "t"]].to_numpy(), axis=1)]
    return df


def hill_tail_index(x, tail_fraction: float = 0.05) -> np.ndarray:
    r"""Hill (1975) estimate of the tail index of ``|x − median|`` per column.

    With ``y_(1) ≥ … ≥ y_(k+1)`` the largest deviations and ``k = ⌈tail_fraction·n⌉``,
    ``1/ξ̂ = (1/k) Σ_{i≤k} log(y_(i) / y_(k+1))``. A tail ``P(|X| > y) ~ y^{−ξ}`` with ξ < 2 has
    infinite variance (the generalised CLT then gives an SαS limit with α = ξ); ξ > 2 is in the
    domain of the Gaussian. Columns whose (k+1)-th deviation is zero (mostly exact ties, e.g. dead
    units) give NaN.
    """
    if not 0 < tail_fraction < 0.5:
        raise ValueError(f"tail_fraction must lie in (0, 0.5); got {tail_fraction!r}")
    x2 = _columns(x)
    n = x2.shape[0]
    k = max(2, int(math.ceil(tail_fraction * n)))
    y = np.abs(x2 - np.median(x2, axis=0))
    top = -np.sort(-y, axis=0)[: k + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.mean(np.log(top[:k] / top[k]), axis=0)
        xi = 1.0 / inv
    return np.where((top[k] > 0) & (inv > 0), xi, np.nan)
