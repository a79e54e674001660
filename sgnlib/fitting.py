r"""Mean escape times against the learning rate and the batch size: three theories, one fair contest.

Escape iterations ``τ`` of SGD continuations (:mod:`sgnlib.escape`) are recorded on a grid
of ``check_every`` steps and censored at a horizon. Under an exponential law of mean ``m``
steps the number of checks until escape is geometric with ``q = e^{-k/m}``, so the
censored maximum-likelihood estimate on the grid is (:func:`grid_exponential_mean`)

.. math:: \hat q = 1 - \frac{\#\text{escapes}}{\sum_i N_i}, \qquad \hat m = \frac{k}{-\ln \hat q},

``N_i`` the checks seed ``i`` survived or escaped at. It equals
:func:`sgnlib.stats.censored_exponential_mean` as ``k → 0`` and removes its ``k/2`` bias
otherwise. ``log m̂`` has standard error ``≈ 1/√#escapes``.

Each theory says how the escape time in SDE units, ``η·τ`` (the SDE time of ``τ`` steps of
size ``η``), depends on ``η`` and ``B`` at a fixed minimum, with two free parameters ``a, b``:

* **Lévy** (Battash et al., Cor 4.2 / eq. 17): ``E σ = 1/Σ_l m_l Φ_l`` with
  ``m_l ∝ (σ_l ε_l)^{α_l}``, ``ε_l = η^{(α_l−1)/α_l}`` and the scale of a mean of ``B`` SαS
  draws ``σ_l ∝ B^{1/α_l − 1}``; for one dominant α, ``log(ητ) = a + b·log(B/η)`` with
  ``b = α − 1``. At fixed ``B`` this is ``log τ`` linear in ``log η`` with slope ``−α``.
* **Mori et al. 2021** (power-law escape rate): ``log(ητ) = a + [B/(η h*) + 1 − n/2]·log(L_s/L*)``;
  with the landscape fixed, ``log(ητ) = a + b·B/(η h*)``, ``b = log(L_s/L*)``, ``h*`` the top
  Hessian eigenvalue at the minimum.
* **Xie et al. 2020** (diffusion theory, Kramers): ``log(ητ) = a + b·B·ΔL/(η·H)`` with the
  barrier ``ΔL`` and the curvature ``H`` along the escape path; ``b = 2`` when the escape
  runs along the top eigen-direction. We take ``H = h*`` and ``ΔL`` the loss rise that
  defines an escape.

With the landscape fixed both Gaussian theories are linear in ``B/η``: they fit the escape
times identically and differ only in what their slope means (:data:`THEORIES`, ``family``).
The contest (:func:`contest`) fits each by weighted least squares of ``log(η m̂)`` (weights
= number of escapes), reports R², AIC and bootstrap intervals of ``a, b`` (seeds
resampled within each setting) and the share of bootstrap replicates each family wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as _st

from sgnlib import streams
from sgnlib.report import Verdict, fmt, sig3

__all__ = [
    "Theory",
    "THEORIES",
    "grid_exponential_mean",
    "escape_means",
    "fit_line",
    "contest",
    "contest_verdict",
    "exponential_law_fit",
    "ExponentialFit",
]


@dataclass(frozen=True)
class Theory:
    """``log(ητ) = a + b·feature(η, B, landscape)``."""

    name: str
    label: str
    family: str
    feature: Callable
    slope_meaning: str


def _levy(eta, B, land):
    return np.log(B / eta)


def _mori(eta, B, land):
    return B / (eta * land["h_top"])


def _xie(eta, B, land):
    return B * land["barrier"] / (eta * land["h_top"])


#: The three theories of the contest.
THEORIES: dict[str, Theory] = {
    "levy": Theory("levy", "Battash et al. (Lévy)", "power law in B/η", _levy, "α − 1"),
    "mori": Theory("mori", "Mori et al. 2021", "exponential in B/η", _mori, "log(L_s/L*)"),
    "xie": Theory("xie", "Xie et al. 2020", "exponential in B/η", _xie, "2 (escape along the top eigen-direction)"),
}


def _check_runs(steps, escaped, check_every):
    t = np.asarray(steps, dtype=float).ravel()
    e = np.asarray(escaped).ravel().astype(bool)
    if t.size == 0 or t.shape != e.shape:
        raise ValueError(f"steps and escaped must be non-empty and of one shape; got {t.shape} and {e.shape}")
    k = float(check_every)
    if not (math.isfinite(k) and k > 0):
        raise ValueError(f"check_every must be > 0; got {check_every!r}")
    if not np.isfinite(t).all() or (t < k).any():
        raise ValueError("steps must be finite and at least one check interval")
    return t, e, k


def grid_exponential_mean(steps, escaped, check_every: float) -> tuple[float, int]:
    """Censored MLE of the mean escape time (steps) on a grid of ``check_every`` steps, and the number of escapes.

    ``inf`` when no seed escaped (no finite estimate).
    """
    t, e, k = _check_runs(steps, escaped, check_every)
    n_ev = int(e.sum())
    if n_ev == 0:
        return math.inf, 0
    q = 1.0 - n_ev / float((t / k).sum())
    return (k / -math.log(q) if q > 0 else 0.0), n_ev


def escape_means(runs: pd.DataFrame, check_every: float, level: float = 0.95) -> pd.DataFrame:
    """One row per (``eta``, ``batch_size``) of a per-seed table (columns ``eta, batch_size, steps, escaped``).

    With a ``dataset`` column, one row per (``dataset``, ``eta``, ``batch_size``) (column first).

    Columns: ``eta, batch_size, n_seeds, escapes, censored_share, mean, ci_low, ci_high``
    (the ``level`` interval of ``exp(log m̂ ± z/√escapes)``; ``mean`` is ``inf`` without escapes).
    """
    need = {"eta", "batch_size", "steps", "escaped"}
    if not need <= set(runs.columns):
        raise ValueError(f"runs needs the columns {sorted(need)}; got {list(runs.columns)}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level!r}")
    z = _st.norm.ppf(0.5 + level / 2)
    keys = ["dataset", "eta", "batch_size"] if "dataset" in runs.columns else ["eta", "batch_size"]
    rows = []
    for key, g in runs.groupby(keys, sort=True):
        m, n_ev = grid_exponential_mean(g["steps"], g["escaped"], check_every)
        h = z / math.sqrt(n_ev) if n_ev else math.inf
        head = dict(zip(keys, key))
        rows.append({**head, "eta": float(head["eta"]), "batch_size": int(head["batch_size"]), "n_seeds": len(g),
                     "escapes": n_ev,
                     "censored_share": 1.0 - n_ev / len(g), "mean": m,
                     "ci_low": m * math.exp(-h) if n_ev else math.nan, "ci_high": m * math.exp(h) if n_ev else math.nan})
    return pd.DataFrame(rows)


def fit_line(x, y, w) -> dict:
    """Weighted least squares ``y = a + b x`` (weights ``w``, rows of ``[n_rep, n]`` arrays fitted at once).

    Returns ``a, b``, the weighted ``r2`` and ``aic = n log(WRSS/n) + 2·3`` (a, b and the
    residual scale) with ``WRSS`` normalised so that the weights average 1.
    """
    x, y, w = (np.atleast_2d(np.asarray(v, dtype=float)) for v in (x, y, w))
    x, y, w = np.broadcast_arrays(x, y, w)
    n = x.shape[-1]
    if n < 3:
        raise ValueError(f"a two-parameter fit with a residual needs at least 3 points; got {n}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()) or (w <= 0).any():
        raise ValueError("x and y must be finite and every weight > 0")
    w = w / w.mean(axis=-1, keepdims=True)
    xm = (w * x).sum(-1, keepdims=True) / w.sum(-1, keepdims=True)
    ym = (w * y).sum(-1, keepdims=True) / w.sum(-1, keepdims=True)
    sxx = (w * (x - xm) ** 2).sum(-1)
    if (sxx <= 0).any():
        raise ValueError("x is constant: no slope")
    b = (w * (x - xm) * (y - ym)).sum(-1) / sxx
    a = ym[..., 0] - b * xm[..., 0]
    rss = (w * (y - a[..., None] - b[..., None] * x) ** 2).sum(-1)
    sst = (w * (y - ym) ** 2).sum(-1)
    r2 = np.where(sst > 0, 1 - rss / np.where(sst > 0, sst, 1), 1.0)
    aic = n * np.log(np.maximum(rss, 1e-300) / n) + 6
    return {"a": a, "b": b, "r2": r2, "aic": aic}


def _log_eta_tau(means: pd.DataFrame):
    return np.log(means["eta"].to_numpy() * means["mean"].to_numpy())


def contest(runs: pd.DataFrame, *, check_every: float, h_top: float, barrier: float, n_boot: int = 1000,
            seed: int = 0, level: float = 0.95, study: str = "ch07-contest") -> pd.DataFrame:
    """Fit every theory of :data:`THEORIES` to the mean escape times of ``runs`` and rank them.

    ``runs`` is the per-seed table of :func:`escape_means`; settings without any escape are
    left out of the fits. ``h_top`` (top Hessian eigenvalue) and ``barrier`` (ΔL) fix the
    landscape of the Gaussian theories. The bootstrap resamples the seeds of every setting
    with replacement ``n_boot`` times (stream of (``seed``, ``study``)); replicates in
    which a setting has no escape are dropped (column ``boot_used``).

    One row per theory: ``theory, label, family, a, b`` with ``a_lo, a_hi, b_lo, b_hi``
    (``level`` percentile intervals), ``r2, aic, delta_aic`` (to the best),
    ``boot_win_share`` (share of replicates in which the theory's *family* has the lowest
    AIC), ``slope_meaning``, ``points`` and ``boot_used``.
    """
    h_top, barrier = float(h_top), float(barrier)
    if not (h_top > 0 and math.isfinite(h_top)):
        raise ValueError(f"h_top must be a finite number > 0; got {h_top!r}")
    if not (barrier > 0 and math.isfinite(barrier)):
        raise ValueError(f"barrier must be a finite number > 0; got {barrier!r}")
    if not (isinstance(n_boot, int) and n_boot >= 10):
        raise ValueError(f"n_boot must be an integer >= 10; got {n_boot!r}")
    means = escape_means(runs, check_every, level)
    keep = means["escapes"] > 0
    means = means[keep].reset_index(drop=True)
    if len(means) < 3:
        raise ValueError(f"need at least 3 settings with escapes to fit; got {len(means)}")
    land = {"h_top": h_top, "barrier": barrier}
    eta, B = means["eta"].to_numpy(), means["batch_size"].to_numpy().astype(float)
    y, w = _log_eta_tau(means), means["escapes"].to_numpy().astype(float)

    # bootstrap: resample each setting's seeds
    rng = streams.rng(seed, study, n_boot=n_boot)
    k = float(check_every)
    boot_n = np.empty((n_boot, len(means)))
    boot_m = np.empty((n_boot, len(means)))
    for j, row in means.iterrows():
        g = runs[(runs["eta"] == row["eta"]) & (runs["batch_size"] == row["batch_size"])]
        N = g["steps"].to_numpy(dtype=float) / k
        e = g["escaped"].to_numpy().astype(float)
        idx = rng.integers(0, len(g), size=(n_boot, len(g)))
        ev, tot = e[idx].sum(1), N[idx].sum(1)
        q = 1.0 - ev / tot
        with np.errstate(divide="ignore"):
            boot_m[:, j] = np.where(ev > 0, k / -np.log(np.where(q > 0, q, 1e-300)), np.inf)
        boot_n[:, j] = ev
    ok = np.isfinite(boot_m).all(1)
    by = np.log(eta * boot_m[ok])
    bw = boot_n[ok]

    rows, boot_aic = [], {}
    for th in THEORIES.values():
        x = th.feature(eta, B, land)
        f = fit_line(x, y, w)
        fb = fit_line(np.broadcast_to(x, by.shape), by, bw)
        boot_aic[th.name] = fb["aic"]
        lo, hi = (1 - level) / 2, (1 + level) / 2
        rows.append({"theory": th.name, "label": th.label, "family": th.family,
                     "a": float(f["a"][0]), "b": float(f["b"][0]),
                     "a_lo": float(np.quantile(fb["a"], lo)), "a_hi": float(np.quantile(fb["a"], hi)),
                     "b_lo": float(np.quantile(fb["b"], lo)), "b_hi": float(np.quantile(fb["b"], hi)),
                     "r2": float(f["r2"][0]), "aic": float(f["aic"][0]), "slope_meaning": th.slope_meaning,
                     "points": len(means), "boot_used": int(ok.sum())})
    table = pd.DataFrame(rows)
    table["delta_aic"] = table["aic"] - table["aic"].min()
    # the share of replicates each family wins
    names = list(THEORIES)
    stack = np.vstack([boot_aic[n] for n in names])
    fam = np.array([THEORIES[n].family for n in names])
    winner_family = fam[np.argmin(stack, axis=0)]
    table["boot_win_share"] = [float((winner_family == THEORIES[n].family).mean()) for n in names]
    return table


def contest_verdict(table: pd.DataFrame, *, strong: float = 10.0, weak: float = 2.0, share: float = 0.95) -> Verdict:
    """Does the paper's Lévy law describe the mean escape times better than the Gaussian laws?

    ``ΔAIC`` = AIC of the best Gaussian theory − AIC of the Lévy theory (same number of
    parameters, so a difference of likelihoods). Holds when ``ΔAIC ≥ strong`` and the Lévy
    family wins in at least ``share`` of the bootstrap replicates; fails when the Gaussian
    family is ahead by ``weak`` or more; otherwise marginal (``|ΔAIC| < weak``: the data
    cannot tell; in between: Lévy ahead, but not decisively). Burnham & Anderson's scale.
    """
    if not {"theory", "family", "aic", "boot_win_share"} <= set(table.columns):
        raise ValueError("table must come from fitting.contest")
    lev = table[table["theory"] == "levy"].iloc[0]
    gauss = table[table["family"] != lev["family"]]
    best_g = gauss.loc[gauss["aic"].idxmin()]
    d = float(best_g["aic"] - lev["aic"])
    win = float(lev["boot_win_share"])
    if d >= strong and win >= share:
        word = "holds"
    elif d <= -weak:
        word = "fails"
    else:
        word = "marginal"
    tell = "the data cannot tell the laws apart" if abs(d) < weak else (
        "the Lévy law is ahead" if d > 0 else "the Gaussian laws are ahead")
    criterion = (f"the Lévy law (power law in B/η) beats the best Gaussian law (exponential in B/η) by ΔAIC ≥ "
                 f"{strong:g} and wins in at least {100 * share:g} % of the bootstrap replicates; it fails if a "
                 f"Gaussian law is ahead by ΔAIC ≥ {weak:g}; marginal in between (|ΔAIC| < {weak:g}: the data "
                 f"cannot tell)")
    numbers = {"delta_aic": fmt(d, 1), "levy_share": fmt(win), "best_gaussian": str(best_g["label"]),
               "outcome": tell}
    misses = () if word == "holds" else (f"ΔAIC = {fmt(d, 1)}, Lévy wins {fmt(win)} of the replicates",)
    return Verdict(word, criterion, numbers, misses)


class ExponentialFit(NamedTuple):
    """The fitted exponential law of :func:`exponential_law_fit` and its χ² test."""

    mean: float
    chi2: float
    dof: int
    p: float
    verdict: Verdict


def exponential_law_fit(steps, escaped, check_every: float, *, min_expected: float = 5.0, level: float = 0.05,
                        marginal_level: float = 0.01) -> ExponentialFit:
    """Fit the exponential law of Cor 4.6 to censored escape times on a check grid, and test it.

    The mean is :func:`grid_exponential_mean`; the test is Pearson's χ² of the escapes per
    check interval against the geometric law it implies, censored seeds forming the last
    cell "beyond the horizon", neighbouring cells merged until each expects at least
    ``min_expected`` (degrees of freedom: cells − 2, one parameter fitted). Holds at
    p ≥ ``level``, marginal for ``marginal_level ≤ p < level``, fails below.
    """
    t, e, k = _check_runs(steps, escaped, check_every)
    m, n_ev = grid_exponential_mean(t, e, k)
    if n_ev < 5:
        raise ValueError(f"need at least 5 escapes to test the exponential law; got {n_ev}")
    q = math.exp(-k / m)
    N = np.round(t / k).astype(int)
    horizon = int(N[~e].max()) if (~e).any() else int(N.max())
    j = np.arange(1, horizon + 1)
    p = (1 - q) * q ** (j - 1)
    obs = np.bincount(N[e], minlength=horizon + 1)[1:horizon + 1].astype(float)
    if (~e).any():
        p = np.append(p, q ** horizon)
        obs = np.append(obs, float((~e).sum()))
    else:
        p[-1] += q ** horizon
    exp_ = p * t.size
    cells_o, cells_e, acc_o, acc_e = [], [], 0.0, 0.0
    for o, x in zip(obs, exp_):
        acc_o += o
        acc_e += x
        if acc_e >= min_expected:
            cells_o.append(acc_o)
            cells_e.append(acc_e)
            acc_o = acc_e = 0.0
    if acc_e > 0 and cells_e:
        cells_o[-1] += acc_o
        cells_e[-1] += acc_e
    if len(cells_e) < 3:
        raise ValueError("too few cells for a χ² test: the escape times span fewer than 3 cells")
    co, ce = np.asarray(cells_o), np.asarray(cells_e)
    chi2 = float(((co - ce) ** 2 / ce).sum())
    dof = len(ce) - 2
    pval = float(_st.chi2.sf(chi2, dof))
    word = "holds" if pval >= level else "marginal" if pval >= marginal_level else "fails"
    criterion = (f"Pearson's χ² of the escapes per check interval against the fitted exponential law "
                 f"(censored seeds in a last cell, cells expecting ≥ {min_expected:g}, one parameter fitted) "
                 f"does not reject at the {100 * level:g} % level (marginal for {marginal_level:g} ≤ p < {level:g})")
    numbers = {"chi2": fmt(chi2, 1), "dof": str(dof), "p": sig3(pval), "mean": sig3(m), "n": str(t.size),
               "escapes": str(n_ev)}
    misses = () if word == "holds" else (f"χ² = {fmt(chi2, 1)} on {dof} df, p = {sig3(pval)}",)
    return ExponentialFit(m, chi2, dof, pval, Verdict(word, criterion, numbers, misses))
