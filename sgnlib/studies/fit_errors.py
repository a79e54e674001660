"""The paper's fit errors (Tables 1–3) on synthetic "networks" whose law is known (chapter 02).

Three networks of ``n_params`` parameters with scales spread over two decades: Gaussian noise,
SαS with α = 1.8 and SαS with α = 1.5. Each network draws from its own stream
``("synthetic-fit-errors", network)``; the errors are :func:`sgnlib.stable.fit_errors`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sgnlib import report, stable, streams

__all__ = ["NETWORKS", "synthetic_fit_errors", "diagonal", "table_numbers"]

STUDY = "synthetic-fit-errors"

#: network name → α of its parameters' noise (2: Gaussian)
NETWORKS = {"Gaussian": 2.0, "SαS, α = 1.8": 1.8, "SαS, α = 1.5": 1.5}


def synthetic_fit_errors(n: int, n_params: int, seed: int, *, networks: dict | None = None):
    """Fit errors of every parameter of every synthetic network, and the table of Tables 1–3.

    Returns ``(per_parameter, table)``: ``per_parameter`` has one row per parameter (``network,
    parameter, alpha_hat, sse_gauss, sse_sas, chi2_gauss, chi2_sas``); ``table`` one row per network
    (:func:`sgnlib.stable.fit_error_table`: ``model``, the four ``mean±std`` columns, their means,
    ``SαS better (SSE)``) with ``SSE ratio`` = mean SαS SSE / mean Gaussian SSE.
    """
    if isinstance(n_params, (bool, np.bool_)) or not isinstance(n_params, (int, np.integer)) or n_params < 1:
        raise ValueError(f"n_params must be a positive int; got {n_params!r}")
    errors, frames = {}, []
    for name, alpha in (NETWORKS if networks is None else networks).items():
        rng = streams.rng(seed, STUDY, network=name)
        scales = 10 ** rng.uniform(-7, -5, int(n_params))
        if alpha >= 2:
            x = rng.standard_normal((int(n), int(n_params))) * scales
        else:
            x = stable.sample(alpha, scales, (int(n), int(n_params)), rng=rng)
        fe = errors[name] = stable.fit_errors(x)
        frames.append(pd.DataFrame({"network": name, "parameter": np.arange(int(n_params)),
                                    "alpha_hat": fe.stable.alpha, **{k: getattr(fe, k) for k in
                                                                    ("sse_gauss", "sse_sas", "chi2_gauss", "chi2_sas")}}))
    table = pd.DataFrame(stable.fit_error_table(errors, digits=3))
    table["SSE ratio"] = table["SαS-SSE mean"] / table["Gauss-SSE mean"]
    return pd.concat(frames, ignore_index=True), table


def diagonal(per_parameter: pd.DataFrame, x: str, y: str, label: str = "equal errors") -> pd.DataFrame:
    """The line y = x across the range of both columns, as a table ``x, "theory", "network"`` (``network``
    = ``label``) for :func:`sgnlib.plotting.panels_vs_theory`: points below it favour the SαS fit."""
    v = per_parameter[[x, y]].to_numpy(float)
    v = v[np.isfinite(v) & (v > 0)]
    ends = [float(v.min()), float(v.max())] if v.size else [np.nan, np.nan]
    return pd.DataFrame({x: ends, "theory": ends, "network": label})


def table_numbers(table: pd.DataFrame) -> dict:
    """The numbers chapter 02 quotes from the table of :func:`synthetic_fit_errors`, formatted: the SSE
    ratio of each default network and, for the Gaussian one, the count of parameters the SαS fit wins."""
    t = table.set_index("model")
    missing = [k for k in NETWORKS if k not in t.index]
    if missing:
        raise ValueError(f"the table lacks the networks {missing}")
    g = t.loc["Gaussian"]
    better = int(round(g["SαS better (SSE)"] * g["n_params"]))
    return dict(ratio_gauss=report.fmt(g["SSE ratio"]), ratio_18=report.fmt(t.loc["SαS, α = 1.8", "SSE ratio"]),
                ratio_15=report.fmt(t.loc["SαS, α = 1.5", "SSE ratio"]),
                better_gauss=report.fmt_count(better, int(g["n_params"]), "parameters"))
