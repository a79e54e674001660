"""Escaping real minima (chapter 07): the minimum, escape sweeps, the theory contest, α per parameter, Thm 4.3.

Studies behind chapter 07 (:cite:`battash2023revisiting`, Sec. 5, Figures 3 and 4), each a
function of explicit parameters returning a tidy table:

* :func:`minimum_table` — the trained minimum of each data set (:func:`sgnlib.escape.train_to_minimum`).
* :func:`escape_sweep` — per-seed escape iterations of a list of (η, B) settings, every
  setting one batched program and one cached unit (:func:`sgnlib.escape.escape_runs`).
* :func:`landscape` — the loss at the minimum, the escape barrier ΔL it implies and the top
  Hessian eigenvalue ``h*`` (power iteration on Hessian-vector products).
* :func:`contest` / :func:`contests` / :func:`figure3_data` — the three theories fitted to the mean
  escape times (:mod:`sgnlib.fitting`) and their curves against η.
* :func:`survival` — Kaplan–Meier curves and the fitted exponential law of Cor 4.6 per batch size.
* :func:`noise_alphas` — the tail index α of each parameter's gradient noise at the minimum.
* :func:`exit_alpha_test` — Thm 4.3: is the parameter farthest from ``w*`` at the exit among
  the lowest-α parameters more often than chance?
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import escape, fitting, report, stable

__all__ = ["minimum_table", "escape_sweep", "chapter_sweeps", "contests", "landscape", "contest", "figure3_data", "survival", "noise_alphas",
           "exit_alpha_test"]


def minimum_table(datasets: Sequence[str], *, seed: int, **minimum_kw) -> pd.DataFrame:
    """One row per data set: ``dataset, examples, parameters, epochs, loss, grad_norm, accuracy``."""
    rows = []
    for name in datasets:
        m = escape.train_to_minimum(name, seed=seed, **minimum_kw)
        X, _ = escape.load_data(name)
        rows.append({"dataset": name, "examples": int(X.shape[0]), "parameters": m.n_params, "epochs": m.epochs,
                     "loss": m.loss, "grad_norm": m.grad_norm, "accuracy": m.accuracy})
    return pd.DataFrame(rows)


def escape_sweep(dataset: str, settings: Sequence[tuple[float, int]], *, n_seeds: int, horizon: int, threshold: float,
                 check_every: int, seed: int, minimum_kw: dict | None = None, device: str = "cpu") -> pd.DataFrame:
    """Per-seed escapes of every ``(eta, batch_size)`` in ``settings`` from the minimum of ``dataset``.

    Columns: ``dataset, eta, batch_size, threshold, replica, steps, escaped, exit_param, exit_loss``.
    All settings are checked before the first one runs. The continuations run in the minimum's
    ``dtype`` (``minimum_kw["dtype"]``, float32 by default).
    """
    pairs = [(float(e), int(b)) for e, b in settings]
    if not pairs:
        raise ValueError("settings must hold at least one (eta, batch_size) pair")
    m = escape.train_to_minimum(dataset, seed=seed, **(minimum_kw or {}))
    dtype = (minimum_kw or {}).get("dtype", "float32")
    for e, b in pairs:  # validate every setting up front (a tiny dry run of the argument checks)
        escape.escape_runs(m, eta=e, batch_size=b, n_seeds=n_seeds, horizon=horizon, threshold=threshold,
                           check_every=check_every, seed=seed, device=device, replicas=[0], dry_run=True, dtype=dtype)
    frames = []
    for e, b in pairs:
        r = escape.escape_runs(m, eta=e, batch_size=b, n_seeds=n_seeds, horizon=horizon, threshold=threshold,
                               check_every=check_every, seed=seed, device=device, dtype=dtype)
        frames.append(pd.DataFrame({"dataset": dataset, "eta": e, "batch_size": b, "threshold": float(threshold),
                                    "replica": r.replicas, "steps": r.steps, "escaped": r.escaped,
                                    "exit_param": r.exit_param, "exit_loss": r.exit_loss}))
    return pd.concat(frames, ignore_index=True)


def chapter_sweeps(datasets: Sequence[str], *, etas: Sequence[float], batch_size: int, survival_dataset: str,
                   survival_eta: float, survival_batch_sizes: Sequence[int], n_seeds: int, n_seeds_survival: int,
                   horizon: int, threshold: float, check_every: int, seed: int, minimum_kw: dict | None = None,
                   device: str = "cpu") -> pd.DataFrame:
    """The per-seed escapes behind Figures 3 and 4, one table with a ``sweep`` column.

    ``sweep = "eta"``: every data set at ``batch_size`` over ``etas`` with ``n_seeds`` seeds
    (Figure 3). ``sweep = "batch"``: ``survival_dataset`` at ``survival_eta`` over
    ``survival_batch_sizes`` with ``n_seeds_survival`` seeds (Figure 4). Each setting has its
    own stream and cache unit, so enlarging one sweep leaves the other's numbers unchanged. A
    setting in both sweeps draws from one stream (its first seeds are the same continuations)
    and is kept once, with the survival sweep's seeds.
    """
    kw = dict(horizon=horizon, threshold=threshold, check_every=check_every, seed=seed, minimum_kw=minimum_kw,
              device=device)
    frames = [escape_sweep(ds, [(e, batch_size) for e in etas], n_seeds=n_seeds, **kw).assign(sweep="eta")
              for ds in datasets]
    frames.append(escape_sweep(survival_dataset, [(survival_eta, b) for b in survival_batch_sizes],
                               n_seeds=n_seeds_survival, **kw).assign(sweep="batch"))
    # a setting in both sweeps is one stream: its first seeds are the same continuations, kept once
    runs = pd.concat(frames, ignore_index=True)
    return runs.drop_duplicates(["dataset", "eta", "batch_size", "replica"], keep="last", ignore_index=True)


def contests(runs: pd.DataFrame, *, threshold: float, check_every: int, n_boot: int, seed: int,
             minimum_kw: dict | None = None) -> tuple[pd.DataFrame, dict, dict]:
    """The theory contest of every data set in ``runs`` (all its settings pooled).

    Returns the fitted table (with a ``dataset`` column), the verdict and the landscape
    (:func:`landscape`) of each data set.
    """
    tables, verdicts, lands = [], {}, {}
    for ds, g in runs.groupby("dataset", sort=False):
        lands[ds] = landscape(ds, threshold=threshold, seed=seed, minimum_kw=minimum_kw)
        t, verdicts[ds] = contest(g, lands[ds], check_every=check_every, n_boot=n_boot, seed=seed)
        tables.append(t.assign(dataset=ds))
    return pd.concat(tables, ignore_index=True), verdicts, lands


def landscape(dataset: str, *, threshold: float, seed: int, minimum_kw: dict | None = None) -> dict:
    """``loss_min``, ``barrier = threshold · loss_min`` (the rise that counts as an escape) and ``h_top``."""
    m = escape.train_to_minimum(dataset, seed=seed, **(minimum_kw or {}))
    return {"loss_min": m.loss, "barrier": float(threshold) * m.loss, "h_top": escape.top_hessian_eigenvalue(m, seed=seed)}


def contest(runs: pd.DataFrame, land: dict, *, check_every: int, n_boot: int, seed: int):
    """The three theories fitted to ``runs`` (:func:`sgnlib.fitting.contest`) and the verdict on the Lévy law."""
    table = fitting.contest(runs, check_every=check_every, h_top=land["h_top"], barrier=land["barrier"],
                            n_boot=n_boot, seed=seed, study=f"ch07-contest-{runs['dataset'].iloc[0]}")
    return table, fitting.contest_verdict(table)


def figure3_data(runs: pd.DataFrame, fits: pd.DataFrame, lands: dict, dataset: str, *, batch_size: int,
                 check_every: int, n: int = 100):
    """Figure 3 of one data set: the mean escape times at ``batch_size`` and every fitted theory's ``τ(η)``.

    Returns the points (:func:`sgnlib.fitting.escape_means`), the curves ``[(η, τ)]`` on a log
    grid over the points' η range and their labels (for ``plotting.sim_vs_theory``).
    """
    pts = fitting.escape_means(runs[(runs["dataset"] == dataset) & (runs["batch_size"] == batch_size)], check_every)
    if pts.empty:
        raise ValueError(f"no runs of {dataset!r} at batch_size={batch_size}")
    grid = np.geomspace(pts["eta"].min(), pts["eta"].max(), n)
    curves, labels = [], []
    for _, row in fits[fits["dataset"] == dataset].iterrows():
        x = fitting.THEORIES[row["theory"]].feature(grid, float(batch_size), lands[dataset])
        curves.append((grid, np.exp(row["a"] + row["b"] * x) / grid))
        labels.append(f"{row['label']} (R² {report.fmt(row['r2'], 3)})")
    return pts, curves, labels


def survival(runs: pd.DataFrame, *, check_every: int, early_checks: int = 5):
    """Per batch size: the fitted exponential mean and χ² verdict (table), curves and theory for ``survival_curves``.

    The table also holds ``early_obs``, the share of seeds escaped by the first
    ``early_checks`` checks, and ``early_exp``, the share the fitted exponential law predicts.
    Returns ``(table, curves, theory, verdict)``; the verdict on Cor 4.6 over all batch sizes is
    the weakest of the per-batch-size verdicts (:func:`sgnlib.fitting.exponential_law_fit`),
    every batch size that does not hold listed as a miss.
    """
    rows, curves, theory, fits = [], {}, {}, []
    for B, g in runs.groupby("batch_size", sort=True):
        fit = fitting.exponential_law_fit(g["steps"], g["escaped"], check_every)
        fits.append(fit)
        mean = fit.mean
        early = early_checks * check_every
        label = f"B = {int(B)}"
        curves[label] = (g["steps"].to_numpy(), g["escaped"].to_numpy())
        u = np.linspace(0, g["steps"].max(), 200)
        theory[label] = (u, np.exp(-u / mean))
        rows.append({"batch_size": int(B), "eta": float(g["eta"].iloc[0]), "seeds": len(g),
                     "censored_share": 1 - float(g["escaped"].mean()), "mean": mean,
                     "early_obs": float((g["escaped"] & (g["steps"] <= early)).mean()),
                     "early_exp": float(1 - np.exp(-early / mean)), "verdict": fit.verdict.word,
                     "chi2": fit.chi2, "dof": fit.dof, "p": fit.p})
    table = pd.DataFrame(rows)
    order = ("holds", "marginal", "fails")
    word = max(table["verdict"], key=order.index)
    criterion = (f"for every batch size, {fits[0].verdict.criterion}; the verdict over all batch sizes is "
                 f"the weakest of theirs")
    misses = tuple(f"B = {b}: χ² = {report.fmt(f.chi2, 1)} on {f.dof} df, p = {report.sig3(f.p)}"
                   for b, f in zip(table["batch_size"], fits) if f.verdict.word != "holds")
    numbers = {"n_holds": str(int((table["verdict"] == "holds").sum())), "n_sizes": str(len(table))}
    return table, curves, theory, report.Verdict(word, criterion, numbers, misses)


def noise_alphas(dataset: str, *, batch_size: int, n_batches: int, seed: int,
                 minimum_kw: dict | None = None) -> pd.DataFrame:
    """α and σ of every parameter's gradient noise at the minimum (``stable.fit``, ECF), one row per parameter.

    Columns: ``param`` (flat index), ``group`` (layer), ``alpha``, ``scale``, ``clipped`` (α at
    an end of the estimator's range [0.4, 2]), ``fitted`` (False
    where the noise has zero interquartile range — a parameter whose per-example gradients are
    mostly tied, e.g. of a unit that is off on most examples — and no α can be fitted).
    """
    m = escape.train_to_minimum(dataset, seed=seed, **(minimum_kw or {}))
    N = escape.gradient_noise(m, batch_size=batch_size, n_batches=n_batches, seed=seed).numpy()
    q = np.quantile(N, [0.25, 0.75], axis=0)
    ok = (q[1] - q[0]) > 0
    alpha = np.full(N.shape[1], np.nan)
    scale = np.full(N.shape[1], np.nan)
    clipped = np.zeros(N.shape[1], dtype=bool)
    f = stable.fit(N[:, ok])
    alpha[ok], scale[ok], clipped[ok] = f.alpha, f.scale, np.asarray(f.clipped, dtype=bool)
    return pd.DataFrame({"param": np.arange(N.shape[1]), "group": escape.parameter_groups(m.sizes),
                         "alpha": alpha, "scale": scale, "clipped": clipped, "fitted": ok & np.isfinite(alpha)})


def exit_alpha_test(runs: pd.DataFrame, alphas: pd.DataFrame, *, quantile: float = 0.25, by: str = "alpha",
                    lowest: bool = True) -> report.Verdict:
    """Thm 4.3 on a real network: is the exit parameter among the ``quantile`` lowest-α parameters more often than chance?

    The exit parameter of an escaped seed is the one farthest from ``w*`` at the exit step.
    Among escapes whose exit parameter has a fitted α, ``k`` fall in the set of the lowest
    ``quantile`` of fitted α values (chance ``p0`` = the set's share of fitted parameters);
    :func:`sgnlib.report.share_above` tests ``k/n > p0``. ``by="scale"``, ``lowest=False`` asks
    the same of the largest noise scales σ (a competing explanation).
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must lie in (0, 1); got {quantile!r}")
    if by not in ("alpha", "scale"):
        raise ValueError(f"by must be 'alpha' or 'scale'; got {by!r}")
    fitted = alphas[alphas["fitted"]]
    v = fitted[by].to_numpy()
    cut = np.quantile(v, quantile if lowest else 1 - quantile)
    chosen = set(fitted["param"][(v <= cut) if lowest else (v >= cut)].tolist())
    p0 = len(chosen) / len(fitted)
    ex = runs[runs["escaped"]]["exit_param"]
    ex = ex[ex.isin(set(fitted["param"].tolist()))]
    if ex.empty:
        raise ValueError("no escape has an exit parameter with a fitted alpha")
    k = int(ex.isin(chosen).sum())
    what = (f"share of escapes whose exit parameter is among the {100 * quantile:g} % "
            f"{'lowest' if lowest else 'highest'} {'α' if by == 'alpha' else 'noise scales σ'}")
    v_ = report.share_above(k, len(ex), p0, what=what)
    return report.Verdict(v_.word, v_.criterion, {**v_.numbers, "p0": report.fmt(p0)}, v_.misses)
