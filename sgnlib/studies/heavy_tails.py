r"""Is the gradient noise of real networks heavy-tailed? The study behind chapter 03.

Battash et al. (Sec. 5, Tables 1–3, Figures 1 and 5) train ResNets on CIFAR-100 / CINIC-10 and
BERT on CoLA, then measure the stochastic gradient noise (SGN, eq. 1) of 100 random parameters of
each across many mini-batches, fit a Gaussian and an SαS law to each parameter, and compare the fit
errors. This module does the same on any network of :func:`sgnlib.models.build` and data set of
:mod:`sgnlib.data`, and adds the tests the paper did not run (:mod:`sgnlib.studies.noise_laws`).

* :func:`network_unit` — one network: train it (or load the cached run, :func:`sgnlib.train.train`),
  then measure the noise of ``n_coords`` sampled coordinates at each batch size, and analyse it
  (fit errors, α per parameter, likelihood-ratio test, held-out likelihood, tail of the per-example
  gradients, pooled α). One cached unit per network, drawn from its own stream
  ``(seed, "heavy-tails", net=<label>, ...)``.
* Two ways to measure, the same quantity: ``method="meter"`` runs :func:`sgnlib.noise.measure_noise`
  (``K`` mini-batches, one forward and backward pass each: the paper's way); ``method="examples"``
  computes the per-example gradients of the sampled coordinates over the whole training set once
  (:func:`sgnlib.noise.example_gradients`) and draws ``K`` mini-batches of any size from them
  (:func:`sgnlib.noise.minibatch_noise`). In eval mode (BatchNorm on running statistics, dropout
  off) both give eq. 1 exactly; the second is far cheaper when ``K·B`` exceeds the data set.
* :func:`study` — every network, as tidy tables; :func:`fit_error_table`, :func:`paper_comparison`,
  :func:`paired_tests`, :func:`likelihood_summary`, :func:`batch_size_table`, :func:`pooled_table`
  turn them into the chapter's tables.

The paper's numbers are typed in :data:`PAPER_TABLES` with the table and row they come from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from sgnlib import stable, stats, streams
from sgnlib._checks import torch_dtype
from sgnlib.studies import noise_laws

__all__ = [
    "VERSION",
    "METRICS",
    "PAPER_TABLES",
    "NetworkSpec",
    "network_unit",
    "null_rates",
    "NullRates",
    "network_verdicts",
    "HELD_OUT_TIE",
    "HeavyTails",
    "study",
    "fit_error_table",
    "paper_comparison",
    "paired_tests",
    "likelihood_summary",
    "batch_size_table",
    "pooled_table",
    "per_example_table",
    "alpha_trend",
    "example_rows",
    "figure1_panels",
    "LABELS",
    "make_specs",
    "main_rows",
    "verdict_table",
    "null_rates",
    "NullRates",
    "where",
    "verdict_keys",
]

#: Part of every cache key: bump it when a change alters a unit's numbers.
VERSION = "heavy-tails-1"
STUDY = "heavy-tails"
#: The four fit errors of Tables 1–3 (sgnlib.stable.fit_errors), in the paper's column order.
METRICS = ("Gauss-SSE", "SαS-SSE", "Gauss-Chi2", "SαS-Chi2")


def _paper_rows():
    """The paper's Tables 1 and 2 (mean ± std over sampled parameters), typed from the text."""
    t1 = "Table 1 (CIFAR-100, B = 400, 100 parameters)"
    t2 = "Table 2 (CoLA, 120 parameters)"
    rows = [
        (t1, "ResNet110", 400, (7.43, 9.14), (7.31, 9.15), (2.38, 1.61), (2.32, 1.49)),
        (t1, "ResNet18", 400, (120.44, 145.52), (87.43, 130.91), (7.78, 5.15), (5.87, 4.75)),
        (t1, "ResNet34", 400, (36.47, 41.27), (29.66, 35.22), (4.46, 3.21), (3.64, 2.77)),
        (t1, "ResNet50", 400, (288.58, 417.24), (203.70, 331.19), (10.78, 9.13), (8.01, 7.34)),
        (t2, "Bert Base", 8, (2.15, 0.64), (0.71, 0.33), (1.41, 0.43), (0.42, 0.21)),
        (t2, "Bert Base", 32, (0.37, 0.33), (0.18, 0.12), (0.09, 0.07), (0.11, 0.06)),
    ]
    out = []
    for table, model, b, *vals in rows:
        row = {"source": table, "model": model, "batch_size": b}
        for k, (m, s) in zip(METRICS, vals):
            row[f"{k} mean"], row[f"{k} std"] = m, s
        out.append(row)
    return pd.DataFrame(out)


#: Tables 1 and 2 of Battash et al. as printed (the paper's numbers, not ours). Table 3 (CINIC-10)
#: is referred to in Sec. 5 but its values are not in the text this book works from.
PAPER_TABLES = _paper_rows()


# ----------------------------------------------------------------------------- one network


@dataclass(frozen=True)
class NetworkSpec:
    """One network of the study: registry ``model`` trained on ``data``.

    ``label`` names it in tables and streams; ``width`` its base width (``None``: the paper's);
    ``subset`` training examples (``None``: all); ``epochs``, ``lr``, ``train_batch``: plain SGD;
    ``batch_sizes``: the mini-batch sizes whose noise is measured; ``exclude``: parameter tensors
    whose name starts with one of these strings are not sampled (e.g. a token embedding, whose
    coordinates get a gradient only from the few examples containing their word); ``extra``:
    further arguments of the model (e.g. ``n_layers`` of the transformer).
    """

    label: str
    model: str
    data: str
    batch_sizes: tuple
    width: int | None = None
    subset: int | None = None
    epochs: int = 3
    lr: float = 0.05
    train_batch: int = 64
    text_max_len: int = 48
    exclude: tuple = ()
    extra: dict = field(default_factory=dict)
    dtype: str = "float32"

    def settings(self) -> dict:
        # dtype only when not float32: the keys of float32 units stay what they were before it existed
        return ({"dtype": self.dtype} if self.dtype != "float32" else {}) | {"label": self.label, "model": self.model, "data": self.data, "batch_sizes": [int(b) for b in self.batch_sizes],
                "width": self.width, "subset": self.subset, "epochs": self.epochs, "lr": self.lr,
                "train_batch": self.train_batch, "text_max_len": self.text_max_len, "exclude": list(self.exclude),
                "extra": dict(self.extra)}


_TEXT = {"rotten_tomatoes", "cola"}


def _check_spec(spec: NetworkSpec) -> None:
    from sgnlib import data, models

    if not isinstance(spec, NetworkSpec):
        raise ValueError(f"spec must be a NetworkSpec; got {type(spec).__name__}")
    if spec.model not in models.names():
        raise ValueError(f"unknown model {spec.model!r}; valid: {', '.join(models.names())}")
    known = set(data.available(present_only=False))
    if spec.data not in known:
        raise ValueError(f"unknown data set {spec.data!r}; valid: {', '.join(sorted(known))}")
    torch_dtype(spec.dtype)
    if not spec.batch_sizes or any(isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1 for b in spec.batch_sizes):
        raise ValueError(f"batch_sizes must be positive integers; got {spec.batch_sizes!r}")
    if spec.subset is not None and (not isinstance(spec.subset, int) or spec.subset < max(spec.batch_sizes)):
        raise ValueError(f"subset must be an integer >= the largest batch size {max(spec.batch_sizes)}; got {spec.subset!r}")


def _datasets(spec: NetworkSpec, seed: int):
    """(train set, test set, model keyword arguments, data key) of a spec; subsets from the data streams."""
    import torch

    from sgnlib import data

    dseed = streams.int_seed(seed, STUDY, part="data", data=spec.data) % 2**31
    if spec.data in _TEXT:
        tr = data.text_dataset(spec.data, "train", max_len=spec.text_max_len, seed=dseed)
        te = data.text_dataset(spec.data, "test", max_len=spec.text_max_len, seed=dseed)
        kw = {"vocab_size": len(tr.vocab), "max_len": spec.text_max_len, "pad_id": int(tr.pad_id)}
        if spec.subset is not None and spec.subset < len(tr):
            idx = data.stratified_subset(tr.labels.numpy(), spec.subset, dseed, name=spec.data, split="train")
            tr = torch.utils.data.TensorDataset(tr.tensors[0][idx], tr.tensors[1][idx])
        n_test = min(len(te), 1000)
        te = torch.utils.data.TensorDataset(te.tensors[0][:n_test], te.tensors[1][:n_test])
        classes = int(torch.max(tr.tensors[1])) + 1
    else:
        dt = torch_dtype(spec.dtype)
        tr = data.image_dataset(spec.data, "train", subset=spec.subset, seed=dseed, dtype=dt)
        te = data.image_dataset(spec.data, "test", subset=1000, seed=dseed, dtype=dt)
        kw = {"in_channels": tr.in_channels}
        classes = tr.num_classes
    if spec.width is not None:
        kw["width"] = int(spec.width)
    kw.update(spec.extra)
    key = f"{spec.data}/train/max_len={spec.text_max_len}/subset={spec.subset}/seed={dseed}"
    return tr, te, kw, classes, key


def _coord_strata(layers) -> np.ndarray:
    """Depth position of each coordinate's layer: 'stem', 'early', 'middle', 'late' or 'head'."""
    layers = list(layers)
    order = list(dict.fromkeys(layers))
    out = []
    for name in layers:
        low = name.lower()
        if any(s in low for s in ("fc", "head", "linear", "classifier")) and order.index(name) >= len(order) - 2:
            out.append("head")
        elif order.index(name) == 0 or low.startswith(("conv1", "bn1", "embed", "pos")):
            out.append("stem")
        else:
            third = order.index(name) / max(len(order) - 1, 1)
            out.append("early" if third < 1 / 3 else "middle" if third < 2 / 3 else "late")
    return np.asarray(out)


def _analyse(u: np.ndarray, seed: int, label: str, b: int, level: float) -> dict:
    """Per-coordinate statistics of one noise matrix ``u`` [K, P].

    A coordinate is *usable* when its noise has a positive interquartile range and at most 5 %
    exact zeros (:func:`sgnlib.stable.fit`'s rule); others (the embedding row of a word absent from
    most mini-batches, a dead unit) get NaN and ``usable = False``.
    """
    P = u.shape[1]
    q = np.quantile(u, [0.25, 0.75], axis=0)
    usable = (q[1] > q[0]) & ((u == 0).mean(axis=0) <= 0.05)
    names = ("alpha", "scale", "loc", "sse_gauss", "sse_sas", "chi2_gauss", "chi2_sas",
             "alpha_ml", "lr_stat", "p_value", "ho_gauss", "ho_sas", "ho_t", "df_t")
    out = {k: np.full(P, np.nan) for k in names}
    out["usable"] = usable
    if not usable.any():
        return out
    uu = u[:, usable]
    fe = stable.fit_errors(uu)
    for k, v in (("alpha", fe.stable.alpha), ("scale", fe.stable.scale), ("loc", fe.stable.loc), ("sse_gauss", fe.sse_gauss),
                 ("sse_sas", fe.sse_sas), ("chi2_gauss", fe.chi2_gauss), ("chi2_sas", fe.chi2_sas)):
        out[k][usable] = np.asarray(v, dtype=float).ravel()
    lr = noise_laws.lr_test_gaussian(uu, level=level)
    out["alpha_ml"][usable], out["lr_stat"][usable], out["p_value"][usable] = lr.alpha_hat, lr.stat, lr.p_value
    ho = noise_laws.held_out_loglik(uu, rng=streams.rng(seed, STUDY, net=label, batch_size=int(b), part="held-out"))
    for src, dst in (("gauss", "ho_gauss"), ("sas", "ho_sas"), ("t", "ho_t"), ("df", "df_t")):
        out[dst][usable] = ho[src].to_numpy()
    return out


def _pooled_alphas(u: np.ndarray, keep: np.ndarray, rng) -> np.ndarray:
    """α of the pooled sample (Şimşekli et al. 2019): regression and log estimators, and after per-coordinate scaling.

    Only the ``keep`` (usable) coordinates are pooled; NaN when fewer than 50 values remain.
    """
    if keep.sum() * u.shape[0] < 50:
        return np.full(3, np.nan)
    flat = u[:, keep].reshape(-1)
    scaled = (u[:, keep] / u[:, keep].std(axis=0)).reshape(-1)
    return np.array([float(stable.fit(flat).alpha), float(stable.fit(rng.permutation(flat), method="log").alpha),
                     float(stable.fit(scaled).alpha)])


def network_unit(spec: NetworkSpec, *, seed: int, n_batches: int, n_coords: int, method: str = "examples",
                 level: float = 0.01, device: str = "auto", progress: bool = False, cache_root=None) -> dict:
    """Train (or load) one network and measure and analyse its gradient noise; a cached unit (dict of arrays).

    Keys: ``names``, ``layers``, ``strata`` (per coordinate); ``accuracy``, ``train_loss``,
    ``n_params``, ``n_train``; per batch size ``b``: ``B{b}_noise`` [K, P] and the per-coordinate
    statistics of :func:`_analyse` as ``B{b}_<stat>``, ``B{b}_pooled`` (pooled α: regression, log,
    scaled); ``hill`` the Hill tail index of the per-example gradients (all training examples with
    ``method="examples"``, at most 4096 with ``"meter"``).
    """
    from sgnlib.cache import UnitCache

    _check_spec(spec)
    if method not in ("examples", "meter"):
        raise ValueError(f"method must be 'examples' or 'meter'; got {method!r}")
    for name, v, low in (("n_batches", n_batches, 50), ("n_coords", n_coords, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {v!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level!r}")
    key = {"spec": spec.settings(), "seed": int(seed), "n_batches": int(n_batches), "n_coords": int(n_coords),
           "method": method, "level": float(level), "version": VERSION}
    cache = UnitCache(STUDY, root=cache_root)
    return cache.get_or_compute(key, lambda: _compute_unit(spec, seed, n_batches, n_coords, method, level, device,
                                                            progress, cache_root))


def _compute_unit(spec, seed, n_batches, n_coords, method, level, device, progress, cache_root) -> dict:
    import torch

    from sgnlib import noise, train

    tr, te, kw, classes, data_key = _datasets(spec, seed)
    if max(spec.batch_sizes) > len(tr):
        raise ValueError(f"batch size {max(spec.batch_sizes)} exceeds the {len(tr)} training examples of {spec.label}")
    tseed = streams.int_seed(seed, STUDY, net=spec.label, part="train") % 2**31
    run = train.train(spec.model, tr, data_key=data_key, num_classes=classes, model_kwargs=kw, epochs=spec.epochs,
                      batch_size=spec.train_batch, lr=spec.lr, seed=tseed, device=device, progress=progress,
                      cache_root=None if cache_root is None else cache_root, dtype=spec.dtype)
    model = run.model
    acc = train.evaluate(model, te, device=device)["accuracy"]
    cseed = streams.int_seed(seed, STUDY, net=spec.label, part="coords") % 2**31
    out: dict = {"accuracy": np.array(acc), "train_loss": np.array(run.history["train_loss"][-1]),
                 "n_params": np.array(sum(p.numel() for p in model.parameters())), "n_train": np.array(len(tr))}
    coords = _sample_coords(model, spec.exclude, n_coords, streams.rng(seed, STUDY, net=spec.label, part="coords"))
    # per-example gradients: of every training example (method "examples"), or of at most 4096 of them
    # (method "meter", for their tail index only)
    eg = noise.example_gradients(model, "cross_entropy", tr, coords=coords, n_coords=n_coords, seed=cseed,
                                 n_examples=None if method == "examples" else min(len(tr), 4096),
                                 device=device, progress=progress)
    coords = eg.coords
    G = torch.as_tensor(eg.grads, dtype=torch.float64)
    hill = _hill_masked(eg.centred)
    for b in spec.batch_sizes:
        if method == "examples":
            gen = streams.torch_generator(seed, STUDY, net=spec.label, batch_size=int(b), part="batches")
            u = noise.minibatch_noise(G, int(b), int(n_batches), generator=gen).numpy()
        else:
            m = noise.measure_noise(model, "cross_entropy", tr, batch_size=int(b), n_batches=int(n_batches),
                                    coords=coords, n_coords=n_coords, seed=cseed, device=device, progress=progress)
            u = m.noise.astype(np.float64)
        out[f"B{b}_noise"] = u
        res = _analyse(u, seed, spec.label, int(b), level)
        for k, v in res.items():
            out[f"B{b}_{k}"] = v
        out[f"B{b}_pooled"] = _pooled_alphas(u, res["usable"], streams.rng(seed, STUDY, net=spec.label, batch_size=int(b), part="pooled"))
    chosen = noise.select_coords(model, coords, n_coords, cseed)
    out["names"] = np.asarray(chosen.names)
    out["layers"] = np.asarray(chosen.layers)
    out["strata"] = _coord_strata(chosen.layers)
    out["hill"] = hill
    out["excluded_share"] = np.array(_excluded_share(model, spec.exclude))
    return out


def _excluded_share(model, exclude) -> float:
    """Fraction of the model's trainable scalars in tensors whose name starts with one of ``exclude``."""
    sizes = {k: v.numel() for k, v in model.named_parameters() if v.requires_grad}
    return sum(n for k, n in sizes.items() if k.startswith(tuple(exclude))) / sum(sizes.values()) if exclude else 0.0


def _sample_coords(model, exclude, n_coords: int, rng):
    """``"uniform"`` when nothing is excluded; otherwise ``n_coords`` (name, flat index) pairs drawn
    uniformly over the scalars of the tensors not excluded."""
    if not exclude:
        return "uniform"
    sizes = {k: v.numel() for k, v in model.named_parameters() if v.requires_grad and not k.startswith(tuple(exclude))}
    total = sum(sizes.values())
    if not sizes or n_coords > total:
        raise ValueError(f"exclude={list(exclude)!r} leaves {total} scalars; fewer than n_coords={n_coords}")
    from sgnlib import noise

    return noise.uniform_coords(sizes, n_coords, rng)


def _hill_masked(x: np.ndarray) -> np.ndarray:
    """Hill tail index per column, NaN for constant columns."""
    out = np.full(x.shape[1], np.nan)
    ok = x.std(axis=0) > 0
    if ok.any():
        out[ok] = noise_laws.hill_tail_index(x[:, ok])
    return out


# ----------------------------------------------------------------------------- all networks


@dataclass
class HeavyTails:
    """The study's results: ``params`` one row per (network, batch size, coordinate); ``nets`` one row per
    network; ``noise[(label, B)]`` the noise matrices [K, P]; ``pooled`` pooled α per (network, B)."""

    params: pd.DataFrame
    nets: pd.DataFrame
    noise: dict
    pooled: pd.DataFrame


_STATS = ("alpha", "scale", "loc", "sse_gauss", "sse_sas", "chi2_gauss", "chi2_sas", "usable", "alpha_ml", "lr_stat", "p_value",
          "ho_gauss", "ho_sas", "ho_t", "df_t")


def study(specs: Sequence[NetworkSpec], *, seed: int, n_batches: int, n_coords: int, method: str = "examples",
          level: float = 0.01, device: str = "auto", progress: bool = False, cache_root=None) -> HeavyTails:
    """Every network of ``specs`` (each its own cached unit and stream) as tidy tables."""
    specs = list(specs)
    if not specs:
        raise ValueError("specs is empty: give at least one NetworkSpec")
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"network labels must be distinct; got {labels}")
    rows, nets, store, pooled = [], [], {}, []
    for spec in specs:
        u = network_unit(spec, seed=seed, n_batches=n_batches, n_coords=n_coords, method=method, level=level,
                         device=device, progress=progress, cache_root=cache_root)
        nets.append({"network": spec.label, "model": spec.model, "data": spec.data, "width": spec.width,
                     "n_params": int(u["n_params"]), "excluded share": float(u["excluded_share"]), "n_train": int(u["n_train"]), "epochs": spec.epochs,
                     "accuracy": float(u["accuracy"]), "train_loss": float(u["train_loss"])})
        for b in spec.batch_sizes:
            df = pd.DataFrame({k: u[f"B{b}_{k}"] for k in _STATS})
            df.insert(0, "coord", u["names"])
            df.insert(1, "layer", u["layers"])
            df.insert(2, "stratum", u["strata"])
            df.insert(0, "batch_size", int(b))
            df.insert(0, "network", spec.label)
            df["hill"] = u["hill"]
            rows.append(df)
            store[spec.label, int(b)] = u[f"B{b}_noise"]
            a = u[f"B{b}_pooled"]
            per = df.loc[df.usable.astype(bool), "alpha"]
            pooled.append({"network": spec.label, "batch_size": int(b), "per-parameter median α": float(per.median()),
                           "pooled α (regression)": a[0], "pooled α (log estimator)": a[1],
                           "pooled α after per-parameter scaling": a[2]})
    params = pd.concat(rows, ignore_index=True)
    params["usable"] = params["usable"].astype(bool)
    params["reject"] = params["p_value"] < level
    return HeavyTails(params, pd.DataFrame(nets), store, pd.DataFrame(pooled))


# ----------------------------------------------------------------------------- tables


def _groups(params: pd.DataFrame):
    if not isinstance(params, pd.DataFrame) or not {"network", "batch_size"} <= set(params.columns):
        raise ValueError("params must be the HeavyTails.params table (columns network, batch_size, ...)")
    return params.groupby(["network", "batch_size"], sort=False)


def fit_error_table(params: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """Tables 1–3: mean ± std over usable parameters of the four fit errors, per (network, batch size)."""
    cols = dict(zip(METRICS, ("sse_gauss", "sse_sas", "chi2_gauss", "chi2_sas")))
    rows = []
    for (net, b), g in _groups(params):
        g = g[g.usable]
        row = {"network": net, "batch_size": b, "parameters": len(g)}
        for k, c in cols.items():
            row[f"{k} mean"], row[f"{k} std"] = float(g[c].mean()), float(g[c].std(ddof=0))
            row[k] = f"{row[f'{k} mean']:.{digits}f}±{row[f'{k} std']:.{digits}f}"
        rows.append(row)
    return pd.DataFrame(rows)


def paper_comparison(ours: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """Our fit-error table and the paper's Tables 1–2 in one table (``source`` says whose row it is)."""
    paper = PAPER_TABLES.rename(columns={"model": "network"}).copy()
    for k in METRICS:
        paper[k] = [f"{m:.2f}±{s:.2f}" for m, s in zip(paper[f"{k} mean"], paper[f"{k} std"])]
    mine = ours.copy()
    mine.insert(0, "source", "this run")
    cols = ["source", "network", "batch_size", *METRICS, "SαS/Gauss SSE"]
    for df in (paper, mine):
        df["SαS/Gauss SSE"] = df["SαS-SSE mean"] / df["Gauss-SSE mean"]
    return pd.concat([paper[cols], mine[cols]], ignore_index=True)


def paired_tests(params: pd.DataFrame) -> pd.DataFrame:
    """Per (network, B): how many parameters the SαS fit beats the Gaussian (SSE and χ²), one-sided sign-test p-values."""
    rows = []
    for (net, b), g in _groups(params):
        g = g[g.usable]
        n = len(g)
        k_sse = int((g.sse_sas < g.sse_gauss).sum())
        k_chi = int((g.chi2_sas < g.chi2_gauss).sum())
        rows.append({"network": net, "batch_size": b, "parameters": n, "SαS better (SSE)": k_sse,
                     "share (SSE)": k_sse / n if n else np.nan, "p (SSE)": stats.binomial_test_greater(k_sse, n, 0.5) if n else np.nan,
                     "SαS better (χ²)": k_chi, "share (χ²)": k_chi / n if n else np.nan,
                     "p (χ²)": stats.binomial_test_greater(k_chi, n, 0.5) if n else np.nan})
    return pd.DataFrame(rows)


def likelihood_summary(params: pd.DataFrame) -> pd.DataFrame:
    """Per (network, B): Gaussian rejected by the LR test, median α̂ (ML), and held-out log-likelihood gains.

    ``Δ SαS`` / ``Δ t``: median over parameters of the held-out mean log density of SαS / Student-t
    minus that of the Gaussian (nats per mini-batch); ``SαS > Gauss``: parameters where the
    held-out SαS score is higher; ``best: …``: parameters where each law scores highest.
    """
    rows = []
    for (net, b), g in _groups(params):
        g = g[g.usable]
        n = len(g)
        best = np.array(["Gaussian", "SαS", "Student-t"])[np.argmax(g[["ho_gauss", "ho_sas", "ho_t"]].to_numpy(), axis=1)]
        rows.append({"network": net, "batch_size": b, "parameters": n, "reject Gaussian": int(g.reject.sum()),
                     "share rejecting": float(g.reject.mean()) if n else np.nan,
                     "median α̂ (ML)": float(g.alpha_ml.median()), "Δ SαS": float((g.ho_sas - g.ho_gauss).median()),
                     "Δ t": float((g.ho_t - g.ho_gauss).median()), "SαS > Gauss": int((g.ho_sas > g.ho_gauss).sum()),
                     "best: Gaussian": int((best == "Gaussian").sum()), "best: SαS": int((best == "SαS").sum()),
                     "best: Student-t": int((best == "Student-t").sum())})
    return pd.DataFrame(rows)


def batch_size_table(params: pd.DataFrame, network: str) -> pd.DataFrame:
    """α̂ against the batch size on one network: median α̂ (regression; ML) with a 95 % interval of the mean, share rejecting."""
    g0 = params[(params.network == network) & params.usable]
    if g0.empty:
        raise ValueError(f"network {network!r} is not in params (have {sorted(params.network.unique())})")
    rows = []
    for b, g in g0.groupby("batch_size"):
        m, lo, hi = stats.mean_ci(g.alpha, 0.95) if len(g) > 1 else (float(g.alpha.mean()),) * 3
        rows.append({"batch_size": int(b), "parameters": len(g), "mean α̂": m, "lo": lo, "hi": hi,
                     "median α̂": float(g.alpha.median()), "median α̂ (ML)": float(g.alpha_ml.median()),
                     "share α̂ (ML) < 2": float((g.alpha_ml < 2).mean()), "share rejecting": float(g.reject.mean())})
    return pd.DataFrame(rows)


def per_example_table(params: pd.DataFrame) -> pd.DataFrame:
    """Per network: tail index of the per-example gradients (Hill): median and share of coordinates below 2."""
    rows = []
    for net, g in params.groupby("network", sort=False):
        h = g.drop_duplicates("coord").hill.to_numpy(dtype=float)
        h = h[np.isfinite(h)]
        rows.append({"network": net, "coordinates": h.size, "median ξ̂": float(np.median(h)) if h.size else np.nan,
                     "share ξ̂ < 2": float((h < 2).mean()) if h.size else np.nan,
                     "regime": ("no per-example gradients" if not h.size else
                                "finite variance: GCLT → Gaussian" if np.median(h) > 2 else "heavy-tailed examples: GCLT → SαS")})
    return pd.DataFrame(rows)


def pooled_table(result: HeavyTails) -> pd.DataFrame:
    """Pooled (Şimşekli et al.) against per-parameter (the paper) α, per (network, B)."""
    return result.pooled.copy()


def alpha_trend(params: pd.DataFrame, network: str) -> tuple[int, int, float]:
    """Paired across batch sizes: (number of coordinates whose α̂ at the largest B exceeds that at the smallest,
    number compared (ties left out), one-sided sign-test p-value)."""
    g = params[(params.network == network) & params.usable]
    bs = sorted(g.batch_size.unique())
    if len(bs) < 2:
        raise ValueError(f"network {network!r} has one batch size; the trend needs two or more")
    lo = g[g.batch_size == bs[0]].set_index("coord").alpha
    hi = g[g.batch_size == bs[-1]].set_index("coord").alpha
    both = lo.index.intersection(hi.index)
    d = hi[both] - lo[both]
    d = d[d != 0]
    k, n = int((d > 0).sum()), int(d.size)
    return k, n, float(stats.binomial_test_greater(k, n, 0.5)) if n else float("nan")


def example_rows(params: pd.DataFrame, network: str, batch_size: int) -> pd.DataFrame:
    """Two coordinates of one network for Figure 1: the one with the smallest α̂ and the one with the median α̂."""
    g = params[(params.network == network) & (params.batch_size == batch_size) & params.usable]
    if g.empty:
        raise ValueError(f"no usable coordinates for network {network!r} at batch size {batch_size!r}")
    g = g.sort_values("alpha", kind="stable")
    return g.iloc[[0, len(g) // 2]]


def figure1_panels(result: HeavyTails, network: str, batch_size: int) -> list[dict]:
    """Figure 1's panels: for the coordinates of :func:`example_rows`, each on a linear and a log scale.

    Each panel is the keyword arguments of :func:`sgnlib.plotting.hist_with_fits` (``x``, ``stable``,
    ``gaussian``, ``logy``, ``title``).
    """
    rows = example_rows(result.params, network, batch_size)
    names = list(result.params[(result.params.network == network) & (result.params.batch_size == batch_size)].coord)
    u = result.noise[network, int(batch_size)]
    panels = []
    for logy in (False, True):
        for _, r in rows.iterrows():
            x = u[:, names.index(r.coord)]
            panels.append({"x": x, "stable": (float(r.alpha), float(r.scale), float(r["loc"])),
                           "gaussian": (float(x.mean()), float(x.std())), "logy": logy,
                           "title": f"{r.coord}\n({'log' if logy else 'linear'} scale)"})
    return panels


# ----------------------------------------------------------------------------- chapter helpers

#: Labels of the registry's networks in tables.
LABELS = {"resnet20": "ResNet-20", "resnet32": "ResNet-32", "resnet56": "ResNet-56", "resnet110": "ResNet-110",
          "resnet18": "ResNet-18", "resnet34": "ResNet-34", "resnet50": "ResNet-50", "transformer": "Transformer"}


def make_specs(*, cnn_models: Sequence[str], cnn_widths: Sequence[int | None], image_data: str, image_subset: int | None,
               cnn_batch: int, sweep_batches: Sequence[int], text_data: str | None, text_subset: int | None,
               text_width: int | None, text_batches: Sequence[int], text_layers: int = 2, epochs: int = 3,
               lr: float = 0.05, train_batch: int = 64, dtype: str = "float32", cnn_seeds: int = 1) -> list[NetworkSpec]:
    """The chapter's networks: each CNN at ``cnn_batch`` (the first also at every ``sweep_batches``), and the
    transformer at ``text_batches`` (Table 2), its token and position embeddings not sampled; all in ``dtype``.

    ``cnn_seeds`` independent replicas of each CNN (labels "ResNet-20", "ResNet-20 r2", …: the label
    names the network's streams, so each replica has its own initial weights, data order, sampled
    parameters and mini-batches); the network is the unit of the chapter's verdicts over networks.
    """
    if isinstance(cnn_seeds, bool) or not isinstance(cnn_seeds, int) or cnn_seeds < 1:
        raise ValueError(f"cnn_seeds must be an integer >= 1; got {cnn_seeds!r}")
    if len(cnn_models) != len(cnn_widths):
        raise ValueError(f"cnn_widths has {len(cnn_widths)} entries for {len(cnn_models)} cnn_models")
    unknown = [m for m in cnn_models if m not in LABELS or m == "transformer"]
    if unknown:
        raise ValueError(f"unknown CNN {unknown[0]!r}; valid: {', '.join(k for k in LABELS if k != 'transformer')}")
    out = []
    for r in range(cnn_seeds):
        for i, (m, w) in enumerate(zip(cnn_models, cnn_widths)):
            bs = sorted({int(cnn_batch), *map(int, sweep_batches)}) if i == 0 and r == 0 else [int(cnn_batch)]
            out.append(NetworkSpec(LABELS[m] if r == 0 else f"{LABELS[m]} r{r + 1}", m, image_data, tuple(bs), width=w,
                                   subset=image_subset, epochs=epochs, lr=lr, train_batch=train_batch, dtype=dtype))
    if text_data:
        out.append(NetworkSpec(LABELS["transformer"], "transformer", text_data, tuple(int(b) for b in text_batches),
                               width=text_width, subset=text_subset, epochs=epochs, lr=lr, train_batch=train_batch,
                               exclude=("embed", "pos"), extra={"n_layers": int(text_layers), "n_heads": 2, "dropout": 0.1},
                               dtype=dtype))
    return out


def main_rows(params: pd.DataFrame, specs: Sequence[NetworkSpec], cnn_batch: int) -> pd.DataFrame:
    """The rows of each network at its main batch size (``cnn_batch`` for the CNNs, every batch size of the transformer)."""
    keep = []
    for s in specs:
        bs = [int(cnn_batch)] if s.model != "transformer" else [int(b) for b in s.batch_sizes]
        keep.append(params[(params.network == s.label) & params.batch_size.isin(bs)])
    return pd.concat(keep, ignore_index=True)


#: held-out log densities closer than this (nats per mini-batch) are a tie: at α̂ = 2 the SαS and Gaussian
#: fits are the same law, and their difference is rounding (74 % of Gaussian columns)
HELD_OUT_TIE = 1e-6


def _test_outcomes(g: pd.DataFrame, level: float) -> dict[str, np.ndarray]:
    """Per usable parameter, the outcome that each of the three tests counts (the same rule for data and null)."""
    return {"SSE": (g["sse_sas"] < g["sse_gauss"]).to_numpy(),
            "LR": (g["p_value"] < level).to_numpy(),
            "held-out": (g["ho_sas"] - g["ho_gauss"] > HELD_OUT_TIE).to_numpy()}


@dataclass(frozen=True)
class NullRates:
    """How often each per-parameter test "succeeds" on Gaussian noise of ``n_batches`` samples, simulated.

    ``k[name]`` successes of ``n`` simulated Gaussian columns; ``upper[name]`` the 95 % Clopper–Pearson
    upper bound of that rate: the reference rate each count of real parameters is tested against
    (conservative by the simulation's own error).
    """

    n_batches: int
    n: int
    k: dict
    upper: dict
    level: float

    def rate(self, name: str) -> float:
        return self.k[name] / self.n


def null_rates(n_batches: int, *, seed: int, n_columns: int = 1000, level: float = 0.01, cache_root=None) -> NullRates:
    """The three tests of :func:`verdict_table` on ``n_columns`` Gaussian columns of ``n_batches`` samples (a cached unit).

    The same estimators, grids and rules as on the networks (:func:`_analyse`), so the rates are the
    tests' real sizes at this sample size: the likelihood-ratio test at the boundary α = 2 rejects
    less often than its nominal ``level`` (the SαS family is not regular there), SαS has the
    smaller SSE for more than half of Gaussian columns, and held out it wins less than half once
    ties are not counted.
    """
    from scipy import stats as st

    from sgnlib.cache import UnitCache

    for name, v, low in (("n_batches", n_batches, 50), ("n_columns", n_columns, 20)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {v!r}")

    def compute() -> dict:
        u = streams.rng(seed, STUDY, part="null", n_batches=int(n_batches), n_columns=int(n_columns)).standard_normal(
            (int(n_batches), int(n_columns)))
        res = _analyse(u, seed, "gaussian-null", 0, level)
        g = pd.DataFrame({k: res[k] for k in ("sse_sas", "sse_gauss", "p_value", "ho_sas", "ho_gauss")})[res["usable"]]
        return {k: v.astype(np.int8) for k, v in _test_outcomes(g, level).items()}

    key = {"n_batches": int(n_batches), "n_columns": int(n_columns), "level": float(level), "seed": int(seed),
           "tie": HELD_OUT_TIE, "version": VERSION}
    unit = UnitCache(f"{STUDY}-null", root=cache_root).get_or_compute(key, compute)
    k = {name: int(np.asarray(unit[name]).sum()) for name in ("SSE", "LR", "held-out")}
    n = int(np.asarray(unit["SSE"]).size)
    upper = {name: float(st.binomtest(v, n).proportion_ci(0.95, method="exact").high) for name, v in k.items()}
    return NullRates(int(n_batches), n, k, upper, float(level))


def verdict_table(params: pd.DataFrame, level: float = 0.01, null: NullRates | None = None) -> pd.DataFrame:
    """Per (network, B) the verdicts of :mod:`sgnlib.report` on three claims, with their numbers.

    * ``SSE``: SαS fits better (smaller SSE) for more parameters than it does on Gaussian noise;
    * ``LR``: the LR test rejects the Gaussian at ``level`` for more parameters than it does on
      Gaussian noise;
    * ``held-out``: SαS scores higher than the Gaussian on held-out mini-batches (by more than
      :data:`HELD_OUT_TIE`) for more parameters than it does on Gaussian noise.

    Each count is a one-sided exact binomial test (:func:`sgnlib.report.share_above` at p < 0.01,
    marginal below 0.05) against the reference rate of ``null`` (:func:`null_rates`: simulated at
    the same number of mini-batches, its 95 % upper bound). Without ``null`` the nominal rates
    (½, ½, ``level``) are used, which the simulation shows to be wrong; the chapter always passes it.
    """
    from sgnlib import report

    if null is not None and null.level != float(level):
        raise ValueError(f"null was simulated at level {null.level:g}, the verdicts ask for {level:g}")
    p0 = dict(null.upper) if null is not None else {"SSE": 0.5, "LR": level, "held-out": 0.5}
    rows = []
    for (net, b), g in _groups(params):
        g = g[g.usable]
        n = len(g)
        if n == 0:
            continue
        won = {k: int(v.sum()) for k, v in _test_outcomes(g, level).items()}
        claims = {"SSE": (won["SSE"], p0["SSE"], "share of parameters where SαS has the smaller SSE"),
                  "LR": (won["LR"], p0["LR"], f"share of parameters rejecting the Gaussian at {level:g}"),
                  "held-out": (won["held-out"], p0["held-out"], "share of parameters where SαS scores higher held out")}
        row = {"network": net, "batch_size": int(b), "parameters": n}
        for name, (k, ref, what) in claims.items():
            row[name] = report.share_above(k, n, ref, what=what).word
            row[f"{name} share"], row[f"{name} p"] = k / n, float(stats.binomial_test_greater(k, n, ref))
            row[f"{name} null"] = ref
        rows.append(row)
    return pd.DataFrame(rows)


def network_verdicts(verdicts: pd.DataFrame, level: float = 0.01, marginal_level: float = 0.05) -> dict:
    """The three claims over networks, the unit of inference (a network's parameters share its trajectory).

    Per network (its rows of :func:`verdict_table` averaged), the excess of its share over the
    reference rate (``"<claim> share" − "<claim> null"``); then :func:`sgnlib.report.sign_flip_below`
    (``above=True``): is the excess positive in a typical network? With ``n`` networks the
    smallest attainable p is ``2^-n``, so 5 networks can at best be marginal at 0.01, and fewer than
    5 cannot tell. Returns ``{"SSE": Verdict, "LR": Verdict, "held-out": Verdict}``; each Verdict's
    numbers carry ``k`` (networks with a positive excess), ``n``, ``p`` and ``excess`` (mean).
    """
    from sgnlib import report

    out = {}
    for claim in ("SSE", "LR", "held-out"):
        need = {f"{claim} share", f"{claim} null"}
        if not need <= set(verdicts.columns):
            raise ValueError(f"verdicts lacks {sorted(need - set(verdicts.columns))}: pass null to verdict_table")
        per = (verdicts[f"{claim} share"] - verdicts[f"{claim} null"]).groupby(verdicts["network"], sort=False).mean()
        v = report.sign_flip_below(per.to_numpy(), 0.0, level=level, marginal_level=marginal_level, unit="networks",
                                   what=f"mean excess of the {claim} share over its Gaussian reference rate", above=True,
                                   labels=[f"{net} excess" for net in per.index])
        out[claim] = dataclasses.replace(v, numbers={**v.numbers, "excess": report.fmt(float(per.mean()), 3)})
    return out


def where(verdicts: pd.DataFrame, claim: str, words: Sequence[str] = ("marginal", "fails")) -> str:
    """The (network, B) rows whose verdict on ``claim`` is one of ``words``, in words (``'none'`` when none)."""
    if claim not in verdicts.columns:
        raise ValueError(f"claim must be one of SSE, LR, held-out; got {claim!r}")
    rows = verdicts[verdicts[claim].isin(list(words))]
    return ", ".join(f"{r.network} (B = {r.batch_size}: {r[claim]})" for _, r in rows.iterrows()) or "none"


def verdict_keys(verdicts: pd.DataFrame) -> dict:
    """The verdict words of :func:`verdict_table` as glue names: ``<network>_b<B>_<sse|lr|ho>_verdict``
    (network lower case without '-', e.g. ``resnet20_b64_lr_verdict``), for the claims scoreboard."""
    out = {}
    for _, r in verdicts.iterrows():
        slug = f"{str(r.network).lower().replace('-', '').replace(' ', '')}_b{int(r.batch_size)}"
        for claim, short in (("SSE", "sse"), ("LR", "lr"), ("held-out", "ho")):
            out[f"{slug}_{short}_verdict"] = str(r[claim])
    return out
