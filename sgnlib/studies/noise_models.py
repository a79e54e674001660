"""Chapter 01's experiments: eqs. 1–2 on a real network, the SαS law, the generalised CLT,
and the dispute over how to measure the noise (Şimşekli et al. 2019 vs Xie et al. 2020).

Every function takes its settings explicitly and draws from its own stream,
``sgnlib.streams`` (chapter seed, study name, setting): the draws of one α, one
tail exponent or one measurement never depend on which others are in the sweep.

* :func:`example_network` — the small real network at a minimum, its per-example gradients;
* :func:`covariance_check` — the measured noise variance of every parameter against eq. 2
  (with replacement) and eq. 2 × (D−B)/(D−1) (without); :func:`covariance_structure`;
* :func:`sas_draws`, :func:`sas_cf_check`, :func:`sas_law_tables` — draws of the SαS law,
  their characteristic function, and the histogram/survival tables of its figure;
* :func:`gclt_sweep`, :func:`gclt_limit` — α fitted to normalised sums of Pareto variables;
* :func:`toy_pooling`, :func:`network_pooling`, :func:`pooling_verdict` — per-parameter
  against pooled α.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from sgnlib import data, gclt, models, noise, report, stable, streams
from sgnlib._checks import check_alpha, check_positive
from sgnlib.studies import pooling

__all__ = [
    "ExampleNetwork",
    "example_network",
    "covariance_check",
    "covariance_structure",
    "sas_draws",
    "sas_cf_check",
    "sas_law_tables",
    "gclt_sweep",
    "gclt_limit",
    "toy_pooling",
    "network_pooling",
    "pooling_verdict",
]


def _pos_int(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def _floats(values, name: str) -> list[float]:
    vals = [float(v) for v in np.atleast_1d(np.asarray(values, dtype=float))]
    if not vals:
        raise ValueError(f"{name} must hold at least one value; got {values!r}")
    return vals


# --------------------------------------------------------------------------------------
# The example network and eq. 2
# --------------------------------------------------------------------------------------


def _bce(out, target):
    return torch.nn.functional.binary_cross_entropy_with_logits(out.squeeze(-1), target)


@dataclass
class ExampleNetwork:
    """The trained example network: per-example gradients ``G[D, P]`` at its minimum, the
    parameter names, and a one-row ``summary`` (``source, D, P, features, loss_start, loss_end,
    grad_norm, top10_share``: the share of the gradient energy carried by the ten examples
    with the largest gradients)."""

    G: torch.Tensor
    names: list
    summary: pd.DataFrame


def example_network(seed: int, *, hidden: int = 16, train_steps: int = 3000, lr: float = 0.5,
                    device: str = "cpu") -> ExampleNetwork:
    """A one-hidden-layer tanh network on UCI Breast Cancer, trained to a minimum by full-batch
    gradient descent (initialisation from the stream ``("noise-models-network", hidden)``)."""
    hidden, train_steps = _pos_int(hidden, "hidden"), _pos_int(train_steps, "train_steps")
    check_positive(lr, "lr")
    ds = data.load("breast_cancer")
    X, y = ds.X.to(device), ds.y.to(device)
    init = streams.int_seed(seed, "noise-models-network", hidden=hidden) % 2**32
    net = models.mlp(X.shape[1], [hidden], 1, activation="tanh", seed=init).to(device)
    history = models.train_sgd(net, _bce, X, y, lr=lr, steps=train_steps)
    G = noise.per_example_gradients(net, _bce, X, y)
    energy = G.pow(2).sum(1).sort(descending=True).values
    summary = pd.DataFrame([dict(source=ds.source, D=int(G.shape[0]), P=int(G.shape[1]), features=int(X.shape[1]),
                                 loss_start=float(history[0]), loss_end=float(history[-1]),
                                 grad_norm=float(G.mean(0).norm()),
                                 top10_share=float(energy[:10].sum() / energy.sum()))])
    return ExampleNetwork(G=G, names=list(noise.parameter_names(net)), summary=summary)


def _active(lam: torch.Tensor) -> torch.Tensor:
    d = lam.diagonal()
    return d > 1e-12 * d.max()


def covariance_check(G: torch.Tensor, batch_size: int, n_batches: int, seed: int) -> pd.DataFrame:
    """Measured mini-batch noise variance of each active parameter against eq. 2.

    One row per parameter whose eq.-2 variance is not negligible: ``parameter`` (its
    column in ``G``), ``var_rep`` (measured, batches drawn with replacement), ``eq2``
    (eq. 2), ``ratio_rep``, ``var_wor`` (without replacement, as SGD draws), ``eq2_wor``
    (eq. 2 × (D−B)/(D−1)), ``ratio_wor``. Each sampling scheme has its own stream.
    """
    batch_size, n_batches = _pos_int(batch_size, "batch_size"), _pos_int(n_batches, "n_batches")
    out = {}
    for replace in (True, False):
        gen = streams.torch_generator(seed, "noise-covariance", batch_size=batch_size, replace=replace)
        U = noise.minibatch_noise(G, batch_size, n_batches, generator=gen, replace=replace)
        lam = noise.noise_covariance(G, batch_size, replace=replace).diagonal()
        out[replace] = (U.var(0), lam)
    active = _active(noise.noise_covariance(G, batch_size))
    cols = torch.nonzero(active).ravel()
    (v_rep, l_rep), (v_wor, l_wor) = out[True], out[False]
    df = pd.DataFrame({"parameter": cols.cpu().numpy(), "var_rep": v_rep[cols].cpu().numpy(),
                       "eq2": l_rep[cols].cpu().numpy(), "var_wor": v_wor[cols].cpu().numpy(),
                       "eq2_wor": l_wor[cols].cpu().numpy()})
    df["ratio_rep"] = df["var_rep"] / df["eq2"]
    df["ratio_wor"] = df["var_wor"] / df["eq2_wor"]
    return df


def covariance_structure(G: torch.Tensor, batch_size: int, n_corr: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Eigenvalues of eq. 2's λ(w) (``rank, eigenvalue``, largest first) and the correlation
    matrix of the noise of the first ``n_corr`` parameters."""
    n_corr = _pos_int(n_corr, "n_corr")
    lam = noise.noise_covariance(G, _pos_int(batch_size, "batch_size"))
    ev = torch.linalg.eigvalsh(lam).flip(0).clamp_min(0).cpu().numpy()
    sd = lam.diagonal().clamp_min(1e-300).sqrt()
    corr = (lam / torch.outer(sd, sd)).cpu().numpy()[:n_corr, :n_corr]
    return pd.DataFrame({"rank": np.arange(1, ev.size + 1), "eigenvalue": ev}), corr


# --------------------------------------------------------------------------------------
# The SαS law
# --------------------------------------------------------------------------------------


def sas_draws(alphas: Sequence[float], n_draws: int, seed: int) -> dict[float, np.ndarray]:
    """``n_draws`` draws of SαS(α, 1) for each α, each α from its own stream ``("sas-law", alpha)``."""
    al = _floats(alphas, "alphas")
    check_alpha(al, "alphas")
    n = _pos_int(n_draws, "n_draws")
    return {a: stable.sample(a, 1.0, n, rng=streams.rng(seed, "sas-law", alpha=a)) for a in al}


def sas_cf_check(draws: dict, t: float = 0.7) -> pd.DataFrame:
    """Empirical characteristic function ``E cos(tX)`` of each α's draws against ``exp(−|t|^α)`` (eq. of
    the SαS law), and the sample variance (2 for α = 2, unbounded below). Columns
    ``alpha, t, ecf, theory, variance``."""
    t = float(check_positive(t, "t"))
    return pd.DataFrame([dict(alpha=a, t=t, ecf=float(np.mean(np.cos(t * x))), theory=float(np.exp(-t**a)),
                              variance=float(np.var(x))) for a, x in draws.items()])


def sas_law_tables(draws: dict, *, xlim: float = 8.0, bins: int = 80, points: int = 200):
    """Tables for the figure of the SαS law: ``hist`` (``alpha, x, density``: left bin edges, counts
    divided by ALL draws times the bin width, so mass outside ±xlim is not spread over the bins),
    ``density`` (``alpha, x, theory``: :func:`sgnlib.stable.pdf`), ``survival`` (``alpha, x,
    survival, tail``: ``P(|X| > x)`` at ``points`` order statistics log-spaced in ``P`` from 0.95
    down to 10 draws, and the tail law
    ``K_α x^−α`` of eq. (sas-tail) for α < 2 and x > 3)."""
    edges = np.linspace(-xlim, xlim, _pos_int(bins, "bins") + 1)
    grid = np.linspace(-xlim, xlim, 401)
    hist, dens, surv = [], [], []
    for a, x in draws.items():
        counts, _ = np.histogram(x, bins=edges)
        h = counts / (x.size * np.diff(edges))
        hist.append(pd.DataFrame({"alpha": a, "x": edges, "density": np.append(h, h[-1])}))
        dens.append(pd.DataFrame({"alpha": a, "x": grid, "theory": stable.pdf(grid, a)}))
        xs = np.sort(np.abs(x))
        m = np.unique(np.geomspace(10, 0.95 * xs.size, _pos_int(points, "points")).astype(int))  # draws above
        k = (xs.size - m)[::-1]
        s = (m[::-1] - 1) / xs.size
        tail = gclt.stable_tail_constant(a) * xs[k] ** -a if a < 2 else np.full(k.size, np.nan)
        tail = np.where(xs[k] > 3, tail, np.nan)
        surv.append(pd.DataFrame({"alpha": a, "x": xs[k], "survival": s, "tail": tail}))
    return pd.concat(hist, ignore_index=True), pd.concat(dens, ignore_index=True), pd.concat(surv, ignore_index=True)


# --------------------------------------------------------------------------------------
# The generalised CLT
# --------------------------------------------------------------------------------------


def _sums(tail: float, n: int, n_sums: int, seed: int) -> np.ndarray:
    return gclt.normalized_sums(tail, n, n_sums, rng=streams.rng(seed, "gclt", tail=tail, n=n))


def gclt_sweep(tails: Sequence[float], ns: Sequence[int], n_sums: int, seed: int) -> pd.DataFrame:
    """α fitted (:func:`sgnlib.stable.fit`, ECF) to ``n_sums`` normalised sums of ``n`` symmetric
    Pareto variables with tail exponent ``tail``, for every (tail, n), each from its own stream
    ``("gclt", tail, n)``. Columns ``a`` (the tail exponent), ``n, alpha_hat, theory`` (min(a, 2), eq. gclt)."""
    tl = _floats(tails, "tails")
    nl = [_pos_int(n, "ns") for n in np.atleast_1d(ns)]
    n_sums = _pos_int(n_sums, "n_sums")
    rows = []
    for a in tl:
        sums = np.stack([_sums(a, n, n_sums, seed) for n in nl], axis=1)
        fitted = stable.fit(sums).alpha  # one call fits every n
        rows += [dict(a=a, n=n, alpha_hat=float(f), theory=min(a, 2.0)) for n, f in zip(nl, fitted)]
    return pd.DataFrame(rows)


def gclt_limit(tail: float, n: int, n_sums: int, seed: int) -> dict:
    """The normalised sums of one (tail, n) cell of :func:`gclt_sweep` (the same stream), with
    their predicted limit: ``sums``, ``alpha`` and ``scale`` of the SαS limit (eq. gclt; for a > 2
    the normal law as α = 2), and ``gauss_sd``, the sd of the Gaussian matched to their IQR."""
    s = _sums(float(tail), _pos_int(n, "n"), _pos_int(n_sums, "n_sums"), seed)
    return dict(sums=s, alpha=min(float(tail), 2.0), scale=gclt.limit_scale(tail),
                gauss_sd=float(np.subtract(*np.percentile(s, [75, 25])) / 1.349))


# --------------------------------------------------------------------------------------
# Per parameter or pooled
# --------------------------------------------------------------------------------------


def _pooled_alphas(U: np.ndarray, n_pool: int) -> dict:
    rows = U[:n_pool]
    return {"pooled": float(stable.fit(rows.reshape(-1)).alpha),
            "pooled standardised": float(stable.fit((rows / U.std(0)).reshape(-1)).alpha)}


def toy_pooling(n_coords: int, n_samples: int, seed: int, *, log_sd: float = 1.0) -> pd.DataFrame:
    """Gaussian coordinates with log-normal scales (``log s_j ~ N(0, log_sd²)``,
    :func:`sgnlib.studies.pooling.scale_mixture`): α fitted to each coordinate across ``n_samples``
    draws, and to the first draw of all coordinates pooled (one "mini-batch"). Columns
    ``measurement`` ('per coordinate (median)', 'pooled'), ``alpha``. Stream ``("toy-pooling")``."""
    rng = streams.rng(seed, "toy-pooling", log_sd=float(log_sd))
    X = pooling.scale_mixture(float(log_sd) / np.log(10), n_coords, n_samples, rng)
    per = stable.fit(X).alpha
    return pd.DataFrame({"measurement": ["per coordinate (median)", "pooled"],
                         "alpha": [float(np.median(per)), float(stable.fit(X[0]).alpha)]})


def network_pooling(G: torch.Tensor, batch_size: int, n_batches: int, seed: int, *, n_pool: int = 8):
    """The two measurements on the example network, on one set of mini-batches (stream
    ``("noise-dispute", batch_size)``, drawn without replacement as SGD does).

    Returns ``(per_parameter, summary, pooled)``: ``per_parameter`` has one row per active
    parameter (``parameter, alpha``: α across the ``n_batches`` mini-batches, Xie et al.);
    ``summary`` the ``measurement, alpha`` of the per-parameter median, the first ``n_pool``
    mini-batches pooled across parameters (Şimşekli et al.) and the same after dividing each
    parameter by its own standard deviation; ``pooled`` (``measurement, x, survival``) the
    survival function of |u| / median |u| of the two pooled samples.
    """
    batch_size, n_batches = _pos_int(batch_size, "batch_size"), _pos_int(n_batches, "n_batches")
    n_pool = _pos_int(n_pool, "n_pool")
    gen = streams.torch_generator(seed, "noise-dispute", batch_size=batch_size)
    active = _active(noise.noise_covariance(G, batch_size))
    U = noise.minibatch_noise(G, batch_size, n_batches, generator=gen)[:, active].cpu().numpy()
    per = stable.fit(U).alpha
    pooled = _pooled_alphas(U, n_pool)
    summary = pd.DataFrame({"measurement": ["per parameter (median)", *pooled],
                            "alpha": [float(np.median(per)), *pooled.values()]})
    curves = []
    for name, vals in (("pooled", U[:n_pool].ravel()), ("pooled standardised", (U[:n_pool] / U.std(0)).ravel())):
        xs = np.sort(np.abs(vals) / np.median(np.abs(vals)))
        curves.append(pd.DataFrame({"measurement": name, "x": xs, "survival": 1 - np.arange(1, xs.size + 1) / xs.size}))
    per_parameter = pd.DataFrame({"parameter": np.flatnonzero(active.cpu().numpy()), "alpha": per})
    return per_parameter, summary, pd.concat(curves, ignore_index=True)


def pooling_verdict(summary: pd.DataFrame, *, margin: float = 0.1) -> report.Verdict:
    """Xie et al.'s objection as a stated criterion: pooling the parameters lowers α̂ below the
    per-parameter median by more than ``margin``, and standardising each parameter before pooling
    moves α̂ back up by more than ``margin`` (the drop is the mixing of scales). Holds when both
    do, marginal when only the first does, fails otherwise.

    (A criterion the book needs that ``sgnlib.report`` lacks; a candidate to move there.)
    """
    a = dict(zip(summary["measurement"], summary["alpha"]))
    per = next(v for k, v in a.items() if k.startswith("per "))
    drop, back = per - a["pooled"], a["pooled standardised"] - a["pooled"]
    word = "holds" if drop > margin and back > margin else "marginal" if drop > margin else "fails"
    misses = tuple(m for m, bad in ((f"pooling lowers α̂ by only {report.fmt(drop)}", drop <= margin),
                                     (f"standardising moves it by only {report.fmt(back)}", back <= margin)) if bad)
    criterion = (f"pooled α̂ lies more than {report.fmt(margin)} below the per-parameter median and standardising "
                 f"each parameter before pooling raises it by more than {report.fmt(margin)} "
                 f"(marginal when only the first holds)")
    return report.Verdict(word, criterion, {"drop": report.fmt(drop), "back": report.fmt(back)}, misses)
