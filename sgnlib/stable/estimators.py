r"""The tail-index estimators, each registered by name in :data:`REGISTRY`.

An estimator is a function of :class:`Standardised` columns (centred by the median,
divided by the interquartile range, with their quantiles) that returns an
:class:`Estimate` in standardised units; :func:`sgnlib.stable.fit` looks it up by name,
so a new estimator is one decorated function::

    @register("my-method", options=("m",))
    def _mine(z: Standardised, m: int) -> Estimate: ...

Registered here: ``"ecf"`` (Koutrouvelis 1980; Kogon & Williams 1998), ``"mcculloch"``
(McCulloch 1986), ``"log"`` (Mohammadi, Mohammadpour & Ogata 2015) and ``"ml"``
(maximum likelihood started from ``"ecf"``; Nolan 2001).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from sgnlib.stable.density import logpdf, ppf_standard

__all__ = ["Standardised", "Estimate", "Estimator", "REGISTRY", "register", "get", "ALPHA_MIN"]

ALPHA_MIN = 0.4  # McCulloch's table (and the ML search) spans α ∈ [0.4, 2]


@dataclass(frozen=True)
class Standardised:
    """Columns ``xc[n, P]`` centred by their median and divided by their IQR, and their
    standardised sample quantiles ``q[5, P]`` at 0.05, 0.25, 0.5, 0.75, 0.95."""

    xc: np.ndarray
    q: np.ndarray


@dataclass(frozen=True)
class Estimate:
    """One estimator's answer per column, in standardised units: α (clipped to the
    admissible range), σ, whether α was clipped, and α before clipping."""

    alpha: np.ndarray
    scale: np.ndarray
    clipped: np.ndarray
    raw_alpha: np.ndarray


@dataclass(frozen=True)
class Estimator:
    """A registered estimator: its ``run(z, **options)``, the keyword options of
    :func:`sgnlib.stable.fit` it takes, an optional ``check(n, **options)`` that validates
    them (and fills defaults) before any work, and the smallest sample it accepts."""

    name: str
    run: Callable[..., Estimate]
    options: tuple[str, ...] = ()
    check: Callable[..., dict] | None = None
    min_samples: int = 4
    summary: str = ""


#: name → :class:`Estimator`, in registration order.
REGISTRY: dict[str, Estimator] = {}


def register(name: str, *, options: tuple[str, ...] = (), check=None, min_samples: int = 4):
    """Decorator registering ``fn(z: Standardised, **options) -> Estimate`` under ``name``."""

    def deco(fn):
        if not isinstance(name, str) or not name or name in REGISTRY:
            raise ValueError(f"estimator name must be a new non-empty string; got {name!r}")
        summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        REGISTRY[name] = Estimator(name, fn, tuple(options), check, int(min_samples), summary)
        return fn

    return deco


def get(name) -> Estimator:
    """The estimator registered as ``name``; an unknown name is a ``ValueError`` listing them."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"method must be one of the registered estimators {tuple(REGISTRY)}; got {name!r}")
    return REGISTRY[name]


def _clip(raw) -> tuple[np.ndarray, np.ndarray]:
    """α clipped to [ALPHA_MIN, 2] and where it was."""
    raw = np.asarray(raw, dtype=float)
    return np.clip(raw, ALPHA_MIN, 2.0), (raw > 2.0) | (raw < ALPHA_MIN)


# --------------------------------------------------------------------------------------
# McCulloch (1986): quantile spreads
# --------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _mcculloch_table():
    """ν_α = (q.95 - q.05)/(q.75 - q.25) and q.75 of the standard SαS law on an α grid.

    Computed from the exact quantiles (:func:`ppf_standard`) instead of McCulloch's
    printed table; ν_α decreases in α from 0.4 to 2.
    """
    alphas = np.concatenate([np.linspace(ALPHA_MIN, 1.8, 141), np.linspace(1.8, 2.0, 81)[1:]])
    q = ppf_standard(np.array([0.95, 0.75])[:, None], alphas[None, :])
    nu = q[0] / q[1]
    return alphas, nu, q[1]


def _mcculloch_core(q05, q25, q75, q95):
    """McCulloch (1986) symmetric estimator from sample quantiles: α from ν_α, σ from the IQR."""
    alphas, nu_tab, q75_tab = _mcculloch_table()
    with np.errstate(divide="ignore", invalid="ignore"):
        nu = (q95 - q05) / (q75 - q25)
    # ν decreases with α: interpolate on the reversed (increasing) table
    a = np.interp(nu, nu_tab[::-1], alphas[::-1])
    clipped = (nu < nu_tab[-1]) | (nu > nu_tab[0])
    raw = a.copy()
    raw[nu < nu_tab[-1]] = 2.0 + 1e-3  # beyond the Gaussian end of the table
    raw[nu > nu_tab[0]] = ALPHA_MIN - 1e-3
    scale = (q75 - q25) / (2 * np.interp(a, alphas, q75_tab))
    return a, scale, clipped, raw


@register("mcculloch")
def _mcculloch(z: Standardised) -> Estimate:
    """McCulloch's (1986) quantile estimator with exact quantile tables (fastest; piles up at α = 2 for α ≳ 1.9)."""
    a, s, clipped, raw = _mcculloch_core(z.q[0], z.q[1], z.q[3], z.q[4])
    return Estimate(a, s, clipped, raw)


# --------------------------------------------------------------------------------------
# Characteristic-function regression (Koutrouvelis 1980; Kogon & Williams 1998)
# --------------------------------------------------------------------------------------

# Standardised values beyond this many IQRs enter the float32 ECF loop clipped: cos(t·y) of
# such a value is any number in [-1, 1] and contributes at most 1/n either way, but an inf
# (float32 holds at most 3.4e38) would turn the whole column into NaN.
_ECF_CLIP = 1e30

def _ecf_core(xc, s0, t=None, iters=2, backend="auto"):
    """Characteristic-function regression on centred columns ``xc`` with pilot scale ``s0``.

    For SαS(α, σ), ``-log φ(t) = (σ|t|)^α``, so ``log(-log Re φ̂(t_k)) = α log σ + α log t_k``
    (Koutrouvelis 1980). Following Kogon & Williams (1998) the points are
    ``t_k = 0.1, 0.2, …, 1.0`` in units of the current scale estimate (McCulloch's as
    the pilot); the first regression is ordinary least squares, the next ones (``iters``
    in all, data re-standardised by the new scale each time) are generalised least squares
    with the asymptotic covariance at the current α (Koutrouvelis 1980), which lowers the
    RMSE by ~10 %. Data are centred by the median, so the real part of the empirical
    characteristic function suffices.
    """
    tk = np.arange(1, 11) / 10.0 if t is None else np.asarray(t, dtype=float)
    w = np.log(tk)
    wc = w - w.mean()
    denom = (wc**2).sum()
    s = s0.copy()
    P = xc.shape[1]
    if backend == "auto":
        # torch's threads pay off on big arrays; small ones run single-threaded in numpy
        # (no thread start-up, robust when the cores are shared)
        backend = "torch" if xc.size >= 2_000_000 else "numpy"
    if backend == "numpy":
        X32 = xc.astype(np.float32)
        buf = np.empty_like(X32)
    if backend == "torch":
        import torch

        X = torch.from_numpy(xc).to(torch.float32)
        buf = torch.empty_like(X)
    alpha_safe = None
    for it in range(iters):
        # 1 - Re φ̂(t) = mean 2 sin²(t y / 2): no cancellation near t = 0, float32 is enough
        if backend == "torch":
            inv = torch.from_numpy(0.5 / s).to(torch.float32)
            Y = X * inv  # standardised, halved
            d = np.empty((tk.size, P))
            for k, tv in enumerate(tk):
                torch.mul(Y, float(tv), out=buf)
                buf.sin_().square_()
                d[k] = buf.mean(dim=0).double().numpy()
        else:
            Y = X32 * (0.5 / s).astype(np.float32)
            d = np.empty((tk.size, P))
            for k, tv in enumerate(tk):
                np.multiply(Y, np.float32(tv), out=buf)
                np.sin(buf, out=buf)
                np.square(buf, out=buf)
                d[k] = buf.mean(axis=0, dtype=np.float64)
        d = 2.0 * d
        d = np.clip(d, 1e-30, 1 - 1e-12)
        y = np.log(-np.log1p(-d))
        gls = _gls_line(w, y, alpha_safe) if it > 0 else None
        if gls is None:
            alpha = (wc[:, None] * (y - y.mean(axis=0))).sum(axis=0) / denom
            intercept = y.mean(axis=0) - alpha * w.mean()
        else:
            intercept, alpha = gls
        alpha_safe = np.clip(alpha, ALPHA_MIN, 2.0)
        s = s * np.exp(intercept / alpha_safe)
    return alpha, s


def _gls_line(w, y, alpha):
    """Generalised least squares of ``y[k, p]`` on ``(1, w[k])`` with the asymptotic covariance
    of ``log(-log Re φ̂(t_k))`` under SαS(α_p, 1) (Koutrouvelis 1980, Sect. 3):
    ``Cov(cos t_j X, cos t_l X) = (φ(t_j - t_l) + φ(t_j + t_l))/2 - φ(t_j) φ(t_l)`` and the
    delta method ``dy/dφ = 1/(φ log φ)``. Returns (intercept, slope) or None if singular."""
    t = np.exp(w)
    A = alpha[:, None, None]
    tj, tl = t[None, :, None], t[None, None, :]
    phi = np.exp(-t[None, :] ** alpha[:, None])  # [P, K]
    C = 0.5 * (np.exp(-np.abs(tj - tl) ** A) + np.exp(-((tj + tl) ** A))) - phi[:, :, None] * phi[:, None, :]
    J = 1.0 / (phi * np.log(phi))
    C = C * J[:, :, None] * J[:, None, :]
    K = t.size
    C = C + 1e-10 * np.trace(C, axis1=1, axis2=2)[:, None, None] / K * np.eye(K)
    rhs = np.stack([np.ones((alpha.size, K)), np.broadcast_to(w, (alpha.size, K)), y.T], axis=2)
    try:
        Z = np.linalg.solve(C, rhs)  # C^{-1} [1, w, y]
    except np.linalg.LinAlgError:
        return None
    X = rhs[:, :, :2]
    M = np.einsum("pki,pkj->pij", X, Z[:, :, :2])
    v = np.einsum("pki,pk->pi", X, Z[:, :, 2])
    det = M[:, 0, 0] * M[:, 1, 1] - M[:, 0, 1] * M[:, 1, 0]
    ok = np.isfinite(det) & (np.abs(det) > 0)
    if not ok.all():
        return None
    b0 = (M[:, 1, 1] * v[:, 0] - M[:, 0, 1] * v[:, 1]) / det
    b1 = (M[:, 0, 0] * v[:, 1] - M[:, 1, 0] * v[:, 0]) / det
    return b0, b1


@register("ecf")
def _ecf(z: Standardised) -> Estimate:
    """Empirical characteristic-function regression (Koutrouvelis 1980; Kogon & Williams 1998), McCulloch's scale as the pilot; the default."""
    s_mc = _mcculloch_core(z.q[0], z.q[1], z.q[3], z.q[4])[1]
    raw, s = _ecf_core(np.clip(z.xc, -_ECF_CLIP, _ECF_CLIP), s_mc)
    alpha, clipped = _clip(raw)
    return Estimate(alpha, s, clipped, raw)


# --------------------------------------------------------------------------------------
# The log estimator (Mohammadi, Mohammadpour & Ogata 2015; Şimşekli et al. 2019)
# --------------------------------------------------------------------------------------

def _log_core(xc, m):
    """Mohammadi, Mohammadpour & Ogata (2015) log estimator with block size m.

    With ``Y_i`` the sums of consecutive blocks of m centred samples,
    ``1/α̂ = (mean log|Y_i| - mean log|X_j|) / log m`` (their Cor. 2.4; Şimşekli et al. 2019,
    Sect. 4). Exact zeros (the median sample) are left out of the log-means.
    """
    n = xc.shape[0]
    nb = n // m
    X = xc[: nb * m]
    Y = X.reshape(nb, m, -1).sum(axis=1)

    def logmean(Z):
        a = np.abs(Z)
        nz = a > 0
        with np.errstate(divide="ignore"):
            la = np.where(nz, np.log(np.where(nz, a, 1.0)), 0.0)
        return la.sum(axis=0) / np.maximum(nz.sum(axis=0), 1)

    diff = (logmean(Y) - logmean(X)) / np.log(m)
    with np.errstate(divide="ignore"):
        alpha = np.where(diff > 0, 1.0 / np.where(diff > 0, diff, 1.0), np.inf)
    return alpha


def _check_log(n: int, m=None) -> dict:
    if m is None:
        m = int(round(math.sqrt(n)))
    elif isinstance(m, (bool, np.bool_)) or not isinstance(m, (int, np.integer)):
        raise ValueError(f"block size m must be an int; got {m!r}")
    if m < 2 or n // m < 2:
        raise ValueError(f"block size m must satisfy 2 ≤ m ≤ n/2 (n = {n}); got m={m}")
    return {"m": int(m)}


@register("log", options=("m",), check=_check_log)
def _log(z: Standardised, m: int) -> Estimate:
    """The log estimator of Mohammadi, Mohammadpour & Ogata (2015) with block size m (default round(√n)), as used by Şimşekli et al. (2019); depends on the order of the samples."""
    with np.errstate(over="ignore", invalid="ignore"):
        raw = _log_core(z.xc, m)
    raw = np.where(np.isnan(raw), 0.0, raw)  # inf - inf from overflowing block sums: as heavy as it gets
    alpha, clipped = _clip(raw)
    # the log estimator gives α only; σ from McCulloch's IQR rule at the fitted α
    alphas, _, q75_tab = _mcculloch_table()
    s = (z.q[3] - z.q[1]) / (2 * np.interp(alpha, alphas, q75_tab))
    return Estimate(alpha, s, clipped, raw)


# --------------------------------------------------------------------------------------
# Maximum likelihood (Nolan 2001), started from the ECF estimate
# --------------------------------------------------------------------------------------

def _cubic_lookup(table, h, u):
    """4-point Lagrange interpolation of per-column tables ``table[G, P]`` on grids ``k·h[P]``."""
    G = table.shape[0]
    v = u / h
    i = np.clip(np.floor(v).astype(np.int64), 1, G - 3)
    t = v - i
    out = np.zeros_like(u)
    wts = (
        -t * (t - 1) * (t - 2) / 6,
        (t + 1) * (t - 1) * (t - 2) / 2,
        -(t + 1) * t * (t - 2) / 2,
        (t + 1) * t * (t - 1) / 6,
    )
    for off, wt in zip((-1, 0, 1, 2), wts):
        out += wt * np.take_along_axis(table, i + off, axis=0)
    return out


def _asinh_ratio(ax, log_s):
    """``asinh(ax / e^log_s)`` without overflow: ``log 2 + log ax - log_s`` where the ratio overflows."""
    with np.errstate(over="ignore", divide="ignore"):
        r = ax / np.exp(log_s)
        return np.where(np.isfinite(r), np.arcsinh(r), np.log(2.0) + np.log(ax) - log_s)


def _ml_refine(xc, alpha, s, iters=6, grid=96, da=0.02, dc=0.02):
    """Maximum-likelihood refinement of (α, log σ) per column by damped Newton steps.

    The log-likelihood ``Σ log f_α(x_j/σ) - n log σ`` (location fixed at the median, as the
    noise is centred) is evaluated on a 3×3 stencil in (α, log σ); ``log f_α`` comes from
    :func:`logpdf` tabulated on ``grid`` points in ``u = asinh|z|`` per column and
    interpolated (cubic), so a step costs 3·grid density evaluations per column. Gradient
    and Hessian by central differences; steps limited to 0.1 in α and log σ; α kept in
    [0.4, 2] (a step beyond either end stops there and is reported as clipped).
    """
    n, P = xc.shape
    ax = np.abs(xc)
    axmax = ax.max(axis=0)
    a = np.clip(alpha, ALPHA_MIN, 2.0).astype(float)
    ls = np.log(s)
    clipped = np.zeros(P, bool)
    for _ in range(iters):
        ac = np.clip(a, ALPHA_MIN + da, 2.0 - da)
        # the table ends below asinh of the largest float (sinh(710) overflows); beyond it the
        # cubic extrapolates, which only far outliers of ~1e300 IQRs ever reach
        umax = np.minimum(_asinh_ratio(axmax, ls - dc) * 1.0001 + 1e-12, 709.0)
        h = umax / (grid - 1)
        ug = np.arange(grid)[:, None] * h[None, :]
        L = np.empty((3, 3, P))
        for i, ai in enumerate((ac - da, ac, ac + da)):
            tab = logpdf(np.sinh(ug), np.broadcast_to(ai, ug.shape))
            for j, lj in enumerate((ls - dc, ls, ls + dc)):
                u = _asinh_ratio(ax, lj)
                L[i, j] = _cubic_lookup(tab, h, u).sum(axis=0) - n * lj
        ga = (L[2, 1] - L[0, 1]) / (2 * da)
        gc = (L[1, 2] - L[1, 0]) / (2 * dc)
        haa = (L[2, 1] - 2 * L[1, 1] + L[0, 1]) / da**2
        hcc = (L[1, 2] - 2 * L[1, 1] + L[1, 0]) / dc**2
        hac = (L[2, 2] - L[2, 0] - L[0, 2] + L[0, 0]) / (4 * da * dc)
        det = haa * hcc - hac**2
        newton = (haa < 0) & (det > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            sa = np.where(newton, -(hcc * ga - hac * gc) / det, 0.0)
            sc = np.where(newton, -(haa * gc - hac * ga) / det, 0.0)
        # ascent direction where the Hessian is not negative definite
        sa = np.where(newton, sa, np.sign(ga) * 0.05)
        sc = np.where(newton, sc, np.sign(gc) * 0.05)
        a_new = ac + np.clip(sa, -0.1, 0.1)
        clipped = (a_new > 2.0) | (a_new < ALPHA_MIN)
        a = np.clip(a_new, ALPHA_MIN, 2.0)
        # σ step conditional on the (limited / clipped) α step
        with np.errstate(divide="ignore", invalid="ignore"):
            sc = np.where(hcc < 0, -(gc + hac * (a - ac)) / hcc, sc)
        ls = ls + np.clip(sc, -0.1, 0.1)
    return a, np.exp(ls), clipped


def _check_ml(n: int, ml_iters=6) -> dict:
    if isinstance(ml_iters, (bool, np.bool_)) or not isinstance(ml_iters, (int, np.integer)) or ml_iters < 1:
        raise ValueError(f"ml_iters must be a positive int; got {ml_iters!r}")
    return {"ml_iters": int(ml_iters)}


@register("ml", options=("ml_iters",), check=_check_ml)
def _ml(z: Standardised, ml_iters: int) -> Estimate:
    """Maximum likelihood over (α, σ) started from "ecf" (Nolan 2001): damped Newton steps on the fast density; slow."""
    start = _ecf(z)
    alpha, s, clipped = _ml_refine(z.xc, start.alpha, start.scale, iters=ml_iters)
    return Estimate(alpha, s, clipped, alpha.copy())
