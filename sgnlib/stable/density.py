r"""Density, log density, distribution function and quantiles of SαS(α, σ).

Fourier inversion by Gauss–Legendre quadrature along a rotated ray in the complex
plane for moderate |z| (accurate to ~1e-10 absolute on α ∈ [0.5, 2]); the tail series,
summed in log space, for |z| > 1000 and wherever the density falls below 1e-8 (α just below
2), so ``logpdf`` keeps its relative accuracy out to the largest floats. Everything is vectorised over (x, α, σ).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sgnlib._checks import check_alpha, check_finite, check_positive

__all__ = ["pdf", "logpdf", "cdf", "ppf_standard"]

#
# Fourier inversion of φ(t) = exp(-t^α) along a rotated ray. For z ≥ 0
#
#   f(z) = (1/π) Re ∫_0^∞ exp(i z t - t^α) dt,
#   F(z) = 1/2 + (1/π) Im ∫_0^∞ (exp(i z t) - 1) exp(-t^α) dt / t.
#
# Both integrands are analytic in the sector 0 ≤ arg t ≤ φ with α φ < π/2, and decay on
# its arcs, so by Cauchy's theorem the ray t = r e^{iφ} gives the same value. On that ray
# exp(i z t) = exp(-z r sin φ + i z r cos φ) is damped (no more than ~C cot φ radians of
# oscillation whatever z is) and exp(-t^α) = exp(-r^α e^{iαφ}) decays like
# exp(-r^α cos αφ). With φ = min(π/2, π/(3α)) we have cos αφ ≥ 1/2 and sin φ ≥ 1/2, so
# a fixed composite Gauss–Legendre rule on [0, R], R = min((C / cos αφ)^{1/α},
# C / (z sin φ)), integrates to ~1e-10 for every α ∈ [0.5, 2] and every z, including
# α → 2 (no table, no series in the bulk). For F the part of the ray beyond C/(z sin φ), where
# exp(izt) is negligible, is an exponential integral E1 in closed form. For z > _Z_TAIL and α < 2 the convergent /
# asymptotic tail series (Nolan 2020, Thm 1.2 / Samorodnitsky & Taqqu 1994) is used instead,
# which keeps relative accuracy of log f far in the tails.

_C_DAMP = 34.0  # integrands are truncated where they fall below e^{-34} ≈ 1.7e-15
_Z_TAIL = 1.0e3
_F_SERIES = 1e-8  # below this density the bulk switches from quadrature to the series (relative accuracy)
_CHUNK = 8192


def _gl_panels(edges, n):
    """Composite Gauss–Legendre nodes and weights on consecutive panels ``edges``."""
    xg, wg = np.polynomial.legendre.leggauss(n)
    nodes, weights = [], []
    for a, b in zip(edges[:-1], edges[1:]):
        nodes.append(0.5 * (b - a) * xg + 0.5 * (a + b))
        weights.append(0.5 * (b - a) * wg)
    return np.concatenate(nodes), np.concatenate(weights)


@lru_cache(maxsize=None)
def _ray_rule():
    """Rule on [0, 1]: 22 geometric panels towards 0 (r^α endpoint singularity), 7 uniform."""
    geo = [0.0] + [2.0**-k for k in range(24, 2, -1)]
    s1, w1 = _gl_panels(np.array(geo), 8)
    s2, w2 = _gl_panels(np.linspace(0.125, 1.0, 8), 16)
    return np.concatenate([s1, s2]), np.concatenate([w1, w2])


@lru_cache(maxsize=None)
def _ray_rule_light():
    """Lighter rule for α ≥ 1 (milder endpoint singularity): 10 geometric panels of 6 nodes,
    6 uniform panels of 12; agrees with :func:`_ray_rule` to ~2e-10 on α ∈ [1, 2]."""
    geo = [0.0] + [2.0**-k for k in range(12, 2, -1)]
    s1, w1 = _gl_panels(np.array(geo), 6)
    s2, w2 = _gl_panels(np.linspace(0.125, 1.0, 7), 12)
    return np.concatenate([s1, s2]), np.concatenate([w1, w2])


def _angles(a):
    phi = np.minimum(np.pi / 2, np.pi / (3 * a))
    return phi, np.cos(a * phi), np.sin(a * phi), np.sin(phi), np.cos(phi)


def _ray_length(z, a, ca, sp):
    """Length of the quadrature ray: where either damping factor reaches exp(-_C_DAMP)."""
    Ra = (_C_DAMP / ca) ** (1.0 / a)
    with np.errstate(divide="ignore"):
        Rz = np.where(z > 0, _C_DAMP / (np.maximum(z, 1e-300) * sp), np.inf)
    return np.minimum(Ra, Rz)


def _ray_nodes(z, a, rule):
    """Nodes of the rotated ray for each point: angles, ray length R, r, r^α and z·r per node."""
    s, w = _ray_rule() if rule is None else rule
    phi, ca, sa, sp, cp = _angles(a)
    R = _ray_length(z, a, ca, sp)
    r = R[:, None] * s[None, :]
    ra = np.exp(a[:, None] * (np.log(R)[:, None] + np.log(s)[None, :]))
    return w, (phi, ca, sa, sp, cp), R, r, ra, z[:, None] * r


def _pdf_std_ray(z, a, rule=None):
    """Standard SαS density at z ≥ 0 (1-D arrays of equal length) by the rotated ray rule."""
    w, (phi, ca, sa, sp, cp), R, r, ra, zr = _ray_nodes(z, a, rule)
    re = -zr * sp[:, None] - ra * ca[:, None]
    im = zr * cp[:, None] - ra * sa[:, None] + phi[:, None]
    return R / np.pi * ((np.exp(re) * np.cos(im)) @ w)


def _sf_std_ray(z, a, rule=None):
    """Standard SαS survival function 1 - F(z) at z ≥ 0 by the rotated ray rule."""
    # part A: Im ∫_0^{R1} (e^{i z r e^{iφ}} - 1) G(r) dr / r,  G = exp(-r^α e^{iαφ})
    w, (phi, ca, sa, sp, cp), R1, r, ra, zr = _ray_nodes(z, a, rule)
    em = np.expm1(-zr * sp[:, None])
    b = zr * cp[:, None]
    cb, sb = np.cos(b), np.sin(b)
    P = em * cb - (1.0 - cb)  # Re(e^{w} - 1), w = i z r e^{iφ}
    Q = (em + 1.0) * sb  # Im(e^{w} - 1)
    gm = np.exp(-ra * ca[:, None])
    th = ra * sa[:, None]
    partA = R1 * ((gm * (Q * np.cos(th) - P * np.sin(th)) / r) @ w)
    # part B: -Im ∫_{R1}^∞ G dr / r = (1/α) ∫_{v1}^∞ e^{-v cos αφ} sin(v sin αφ) dv / v
    #       = (1/α) Im E1(v1 (cos αφ - i sin αφ)),  v1 = R1^α  (exponential integral)
    from scipy.special import exp1

    v1 = R1**a
    partB = np.imag(exp1(v1 * (ca - 1j * sa))) / a
    F = 0.5 + (partA + partB) / np.pi
    return 1.0 - F


def _tail_log(logz, a, kmax=12, cdf=False):
    """Log of the tail series of the standard SαS density (or survival function), large z > 0.

    f(z) = (1/π) Σ_{k≥1} (-1)^{k+1} Γ(αk+1)/k! sin(kπα/2) z^{-αk-1}
    (Samorodnitsky & Taqqu 1994, Property 1.2.15; Nolan 2020, Thm 1.2); the
    survival function has Γ(αk)/k! z^{-αk}. Summed as the log of the leading term plus
    ``log1p`` of the others relative to it, from ``log z``, so nothing underflows: the
    result stays exact far beyond where ``f`` itself is below the smallest float.
    """
    from scipy.special import gammaln

    k = np.arange(1, kmax + 1)[None, :]
    ak = a[:, None] * k
    off = 0 if cdf else 1
    lg = gammaln(ak + off) - gammaln(k + 1.0)
    lz = logz[:, None]
    sin_k = np.sin(k * np.pi * a[:, None] / 2)
    log_lead = lg[:, 0] - (a + off) * logz + np.log(sin_k[:, 0]) - np.log(np.pi)
    rel = (-1.0) ** (k[:, 1:] + 1) * sin_k[:, 1:] / sin_k[:, :1] * np.exp(lg[:, 1:] - lg[:, :1] - (ak[:, 1:] - a[:, None]) * lz)
    return log_lead + np.log1p(rel.sum(axis=1))


def _std_eval(z, a, kind, log=False):
    """The standard pdf ('pdf') or survival function ('sf') at finite |z|, flat arrays.

    ``log=True`` (pdf only) returns log f, exact in the tails (:func:`_tail_log`).
    """
    z = np.abs(z)
    out = np.empty_like(z)
    gauss = a >= 2.0
    tail = (z > _Z_TAIL) & ~gauss
    bulk = ~gauss & ~tail
    if gauss.any():
        zg = z[gauss]
        if kind == "pdf":
            with np.errstate(over="ignore"):  # z² beyond the largest float: log f = −inf
                out[gauss] = -0.25 * zg**2 - np.log(2 * np.sqrt(np.pi))
            if not log:
                out[gauss] = np.exp(out[gauss])
        else:
            from scipy.special import erfc

            out[gauss] = 0.5 * erfc(0.5 * zg)
    if tail.any():
        lt = _tail_log(np.log(z[tail]), a[tail], cdf=(kind == "sf"))
        out[tail] = lt if log else np.exp(lt)
    fn = _pdf_std_ray if kind == "pdf" else _sf_std_ray
    for sel, rule in ((bulk & (a >= 1.0), _ray_rule_light()), (bulk & (a < 1.0), _ray_rule())):
        idx = np.flatnonzero(sel)
        for i in range(0, idx.size, _CHUNK):
            j = idx[i : i + _CHUNK]
            v = fn(z[j], a[j], rule)
            small = (v < _F_SERIES) if kind == "pdf" else np.zeros(v.shape, bool)
            if log:
                with np.errstate(divide="ignore"):
                    v = np.log(np.maximum(v, 1e-300))
            if small.any():
                lt = _small_density_log(z[j][small], a[j][small])
                v[small] = lt if log else np.exp(lt)
            out[j] = v
    return out


def _small_density_log(z, a):
    """log f where the quadrature's absolute error (~3e-12) would swamp a density below 1e-8: the
    tail series plus the Gaussian core ``e^{-z²/4}/(2√π)`` that still matters for α within ~1e-5
    of 2 (α near 2 and |z| ≳ 9 is the only place the bulk reaches such small densities)."""
    core = -0.25 * z**2 - np.log(2 * np.sqrt(np.pi))
    return np.logaddexp(core, _tail_log(np.log(z), a))


def _prepare(x, alpha, scale):
    a = check_alpha(alpha, "alpha")
    s = check_positive(scale, "scale")
    if np.iscomplexobj(x) or (hasattr(x, "is_complex") and x.is_complex()):
        raise ValueError(f"x must be real; got complex values ({x!r:.60})")
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"x must be numeric; got {type(x).__name__} of dtype {np.asarray(x).dtype}") from None
    if np.isnan(x).any():
        check_finite(x, "x")
    x, a, s = np.broadcast_arrays(x, a, s)
    return x, a, s


def _eval_scaled(x, alpha, scale, kind):
    """``(x, z = x/σ, σ, standard pdf or sf at |z|)`` flat, 0 where ``z`` is infinite."""
    x, a, s = _prepare(x, alpha, scale)
    with np.errstate(over="ignore"):
        z = (x / s).ravel()
    v = np.zeros_like(z)
    fin = np.isfinite(z)
    v[fin] = _std_eval(z[fin], a.ravel()[fin], kind)
    return x, z, s.ravel(), v


def pdf(x, alpha, scale=1.0):
    r"""Density of SαS(α, σ) at ``x``; ``x``, ``alpha``, ``scale`` broadcast.

    The standard density :math:`f_\alpha(z) = \frac1\pi \int_0^\infty \cos(tz)\,e^{-t^\alpha}dt`
    (Nolan 2020, eq. (3.1)) is computed by Gauss–Legendre quadrature along the rotated
    ray :math:`t = re^{i\varphi}`, :math:`\varphi=\min(\pi/2, \pi/(3\alpha))`, on which the
    integrand is damped for every z (see the source); ``pdf = f_α(x/σ)/σ``. Accuracy
    better than 1e-9 absolute on the standard density for α ∈ [0.5, 2] (tested against
    ``scipy.stats.levy_stable``); 132 quadrature nodes per point for α ≥ 1, 288 for α < 1,
    vectorised in chunks (≈ 5 µs per point). Beyond |z| = 1000, and where the quadrature gives
    less than 1e-8 (α just below 2), the tail series is used. ±inf map to 0.
    """
    x, _, s, f = _eval_scaled(x, alpha, scale, "pdf")
    return (np.maximum(f, 0.0) / s).reshape(x.shape)


def logpdf(x, alpha, scale=1.0):
    """Log density of SαS(α, σ); ``x``, ``alpha``, ``scale`` broadcast.

    Exact Gaussian expression at α = 2; the tail series in log space beyond |z| = 1000,
    so the value stays exact out to the largest floats (``logpdf(1e308, 1.5)`` ≈ −1774.5,
    not a floor), also where ``x/σ`` itself overflows. ±inf map to −inf.
    """
    x, a, s = _prepare(x, alpha, scale)
    xf, af, sf = x.ravel(), a.ravel(), s.ravel()
    with np.errstate(over="ignore"):
        z = xf / sf
    out = np.full(z.shape, -np.inf)
    fin = np.isfinite(z)
    out[fin] = _std_eval(z[fin], af[fin], "pdf", log=True)
    huge = ~fin & np.isfinite(xf)  # |x/σ| overflows although x is finite: only log|z| is needed
    if huge.any():
        logz = np.log(np.abs(xf[huge])) - np.log(sf[huge])
        ah = af[huge]
        g = ah >= 2.0
        out_h = np.full(logz.shape, -np.inf)  # Gaussian: exp(-z²/4) with z > 1e308 is −inf in log too
        if (~g).any():
            out_h[~g] = _tail_log(logz[~g], ah[~g])
        out[huge] = out_h
    return (out - np.log(sf)).reshape(x.shape)


def cdf(x, alpha, scale=1.0):
    r"""Distribution function of SαS(α, σ); ``x``, ``alpha``, ``scale`` broadcast.

    :math:`F_\alpha(z) = \frac12 + \frac1\pi\int_0^\infty \frac{\sin tz}{t} e^{-t^\alpha}dt`
    (Gil-Pelaez inversion), computed on the same rotated ray as :func:`pdf`
    (as ``Im ∫ (e^{izt}-1) e^{-t^α} dt/t``, with the far part in closed form).
    """
    x, z, _, sf = _eval_scaled(x, alpha, scale, "sf")
    sf = np.clip(sf, 0.0, 1.0)
    out = np.where(z >= 0, 1.0 - sf, sf)
    return out.reshape(x.shape)


def ppf_standard(p, alpha):
    """Quantile of the standard SαS(α, 1) law for p ∈ (0, 1) (vectorised bisection on :func:`cdf`)."""
    p = np.asarray(p, dtype=float)
    a = check_alpha(alpha, "alpha")
    if not ((p > 0) & (p < 1)).all():
        raise ValueError(f"p must lie in (0, 1); got {p!r}")
    p, a = np.broadcast_arrays(p, a)
    q = np.abs(p - 0.5)
    lo = np.zeros(p.shape)
    hi = np.ones(p.shape)
    while True:  # bracket
        short = 1.0 - _sf_bulk(hi, a) < 0.5 + q
        if not short.any():
            break
        hi = np.where(short, hi * 4, hi)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = 1.0 - _sf_bulk(mid, a) < 0.5 + q
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    z = 0.5 * (lo + hi)
    return np.where(p >= 0.5, z, -z)


def _sf_bulk(z, a):
    zf, af = np.broadcast_arrays(np.asarray(z, float), np.asarray(a, float))
    return _std_eval(zf.ravel().copy(), af.ravel().copy(), "sf").reshape(zf.shape)
