"""The paper's fit errors (Battash et al., Tables 1–3): Gaussian and SαS fits against each
parameter's histogram, SSE and χ², and the per-network mean ± std table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sgnlib._checks import check_finite
from sgnlib.stable.density import cdf, pdf
from sgnlib.stable.fitting import StableFit, as_columns, fit, order_stats

__all__ = ["GaussianFit", "FitErrors", "fit_gaussian", "fit_errors", "fit_error_table", "format_fit_error_table"]


@dataclass
class GaussianFit:
    """Result of :func:`fit_gaussian`: maximum-likelihood mean and standard deviation per column."""

    loc: np.ndarray
    scale: np.ndarray
    n: int


def fit_gaussian(x, axis=0, *, n_min=2):
    """Gaussian maximum-likelihood fit (mean, standard deviation with ``ddof=0``) of every column.

    NaN/inf, constant columns or fewer than ``n_min`` samples → ``ValueError`` naming the column.
    """
    x2, shape = as_columns(x, axis)
    n = x2.shape[0]
    if n < n_min:
        raise ValueError(f"x has {n} samples per column; at least {n_min} are needed")
    check_finite(x2, "x")
    mu = x2.mean(axis=0)
    c = np.abs(x2 - mu).max(axis=0)  # scale first: the squares of values ~1e200 overflow
    sd = c * (((x2 - mu) / np.where(c > 0, c, 1.0)) ** 2).mean(axis=0) ** 0.5
    const = x2.max(axis=0) == x2.min(axis=0)
    if const.any():
        j = int(np.flatnonzero(const)[0])
        raise ValueError(f"x column {j} is constant (value {float(x2[0, j])!r}); a Gaussian cannot be fitted")
    return GaussianFit(loc=mu.reshape(shape), scale=sd.reshape(shape), n=n)


@dataclass
class FitErrors:
    """Per-column fit errors of :func:`fit_errors` (arrays shaped like the columns).

    ``sse_*``: sum over bins of squared differences between the normalised histogram and
    the fitted density at the bin centres; ``chi2_*``: ``Σ_b (p̂_b - p_b)² / p_b`` with
    ``p̂_b`` the fraction of samples in bin b and ``p_b`` the fitted probability of the bin
    (Pearson's statistic divided by n). ``*_gauss`` for the Gaussian fit, ``*_sas`` for the
    SαS fit. NaN for zero-masked columns.
    """

    sse_gauss: np.ndarray
    sse_sas: np.ndarray
    chi2_gauss: np.ndarray
    chi2_sas: np.ndarray
    stable: StableFit
    gauss: GaussianFit
    bins: int
    unit: np.ndarray = field(repr=False, default=None)

    def as_dict(self):
        return {
            "Gauss-SSE": self.sse_gauss,
            "SαS-SSE": self.sse_sas,
            "Gauss-Chi2": self.chi2_gauss,
            "SαS-Chi2": self.chi2_sas,
        }


def _n_bins(bins, n):
    if isinstance(bins, str):
        if bins == "rice":
            return int(math.ceil(2 * n ** (1 / 3)))
        if bins == "sqrt":
            return int(math.ceil(math.sqrt(n)))
        raise ValueError(f"bins must be an int, 'rice' or 'sqrt'; got {bins!r}")
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise ValueError(f"bins must be an int >= 2, 'rice' or 'sqrt'; got {bins!r}")
    return int(bins)


def fit_errors(x, axis=0, *, bins="rice", range_quantile=0.005, method="ecf", standardize=True, zero_tol=0.05):
    r"""The paper's fit errors (Battash et al., Tables 1–3) for every column, vectorised.

    For each parameter (column) the noise is compared with its fitted Gaussian
    (:func:`fit_gaussian`) and SαS (:func:`fit`, ``method``) laws.

    Bin rule (documented choice; the paper does not state one): ``bins`` equal-width bins
    per column (``"rice"``: ⌈2 n^{1/3}⌉, the default; ``"sqrt"``: ⌈√n⌉; or an int) spanning
    the column's ``[q_p, q_{1-p}]`` sample quantiles, ``p = range_quantile`` (0.5 %), so that
    a few extreme samples of a heavy-tailed column do not squeeze the bulk into one bin.
    The histogram is normalised by the total n (samples outside the range count in n),
    making it comparable with the density.

    * ``SSE = Σ_b (ĥ_b - f(c_b))²``, ``ĥ_b = count_b / (n·width)``, ``c_b`` the bin centre.
    * ``χ² = Σ_b (count_b/n - p_b)² / p_b``, ``p_b = F(right_b) - F(left_b)``.

    With ``standardize=True`` (default) the x-axis is measured in units of each column's
    robust scale ``IQR / 1.349`` (the standard deviation for Gaussian data), so SSE values are
    comparable across parameters of very different size; ``standardize=False`` uses raw
    units, as the paper presumably did (its SSE then scales like 1/unit).
    """
    x2, shape = as_columns(x, axis)
    n, P = x2.shape
    B = _n_bins(bins, n)
    if not 0 <= range_quantile < 0.5:
        raise ValueError(f"range_quantile must lie in [0, 0.5); got {range_quantile!r}")
    sf = fit(x2, axis=0, method=method, zero_tol=zero_tol)
    keep = ~sf.zero_mask
    xk = x2[:, keep]
    gk = fit_gaussian(xk, axis=0)
    gf = GaussianFit(loc=np.full(P, np.nan), scale=np.full(P, np.nan), n=n)
    gf.loc[keep], gf.scale[keep] = gk.loc, gk.scale
    q = order_stats(xk, [range_quantile, 0.25, 0.75, 1 - range_quantile])
    unit = (q[2] - q[1]) / 1.349 if standardize else np.ones(xk.shape[1])
    lo, hi = q[0], q[3]
    width = (hi - lo) / B
    idx = np.floor((xk - lo) / width).astype(np.int64)
    idx[xk == hi] = B - 1
    inside = (idx >= 0) & (idx < B)
    cols = np.broadcast_to(np.arange(xk.shape[1]), xk.shape)
    counts = np.bincount((cols * B + idx)[inside], minlength=xk.shape[1] * B).reshape(xk.shape[1], B).T
    edges = lo + width * np.arange(B + 1)[:, None]
    centres = 0.5 * (edges[1:] + edges[:-1])
    phat = counts / n
    hhat = phat / (width / unit)
    a, s, m = sf.alpha[keep], sf.scale[keep], sf.loc[keep]
    mu, sd = gk.loc, gk.scale
    # fitted densities in standardised units: f_u(z) = unit · f(unit z)
    f_sas = pdf(centres - m, a, s) * unit
    f_gau = np.exp(-0.5 * ((centres - mu) / sd) ** 2) / (np.sqrt(2 * np.pi) * sd) * unit
    from scipy.special import ndtr

    F_sas = cdf(edges - m, a, s)
    F_gau = ndtr((edges - mu) / sd)
    p_sas = np.maximum(np.diff(F_sas, axis=0), 1e-300)
    p_gau = np.maximum(np.diff(F_gau, axis=0), 1e-300)

    def full(v):
        out = np.full(P, np.nan)
        out[keep] = v
        return out.reshape(shape)

    return FitErrors(
        sse_gauss=full(((hhat - f_gau) ** 2).sum(axis=0)),
        sse_sas=full(((hhat - f_sas) ** 2).sum(axis=0)),
        chi2_gauss=full(((phat - p_gau) ** 2 / p_gau).sum(axis=0)),
        chi2_sas=full(((phat - p_sas) ** 2 / p_sas).sum(axis=0)),
        stable=StableFit(**{k: (v.reshape(shape) if isinstance(v, np.ndarray) else v) for k, v in sf.__dict__.items()}),
        gauss=GaussianFit(loc=gf.loc.reshape(shape), scale=gf.scale.reshape(shape), n=n),
        bins=B,
        unit=full(unit),
    )


def fit_error_table(errors, digits=2):
    """Per-network mean ± std of the fit errors over parameters, as in Tables 1–3.

    ``errors`` maps a network name to its :class:`FitErrors` (one entry per sampled
    parameter). Zero-masked parameters (NaN) are left out and counted. Returns a list of
    rows (dicts) with the model, ``n_params``, ``n_masked``, and for each of
    ``Gauss-SSE``, ``SαS-SSE``, ``Gauss-Chi2``, ``SαS-Chi2`` the mean, the std and a
    ``"mean±std"`` string; also the fraction of parameters where SαS fits better (SSE).
    Use :func:`format_fit_error_table` for a Markdown table.
    """
    rows = []
    for name, fe in errors.items():
        if not isinstance(fe, FitErrors):
            raise ValueError(f"errors[{name!r}] must be a FitErrors; got {type(fe).__name__}")
        row = {"model": name}
        d = {k: np.ravel(v) for k, v in fe.as_dict().items()}
        ok = np.isfinite(d["SαS-SSE"])
        row["n_params"] = int(ok.sum())
        row["n_masked"] = int((~ok).sum())
        for k, v in d.items():
            v = v[ok]
            mean, std = (float(v.mean()), float(v.std())) if v.size else (float("nan"), float("nan"))
            row[f"{k} mean"], row[f"{k} std"] = mean, std
            row[k] = f"{mean:.{digits}f}±{std:.{digits}f}"
        row["SαS better (SSE)"] = float((d["SαS-SSE"][ok] < d["Gauss-SSE"][ok]).mean()) if ok.any() else float("nan")
        rows.append(row)
    return rows


def format_fit_error_table(rows):
    """A Markdown table (Model | Gauss-SSE | SαS-SSE | Gauss-Chi2 | SαS-Chi2) of :func:`fit_error_table` rows."""
    keys = ["Gauss-SSE", "SαS-SSE", "Gauss-Chi2", "SαS-Chi2"]
    lines = ["| Model | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for r in rows:
        lines.append(f"| {r['model']} | " + " | ".join(r[k] for k in keys) + " |")
    return "\n".join(lines)
