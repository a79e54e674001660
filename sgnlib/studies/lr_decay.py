r"""Does learning-rate decay attenuate the gradient noise? The studies behind chapter 04.

Battash et al. (Sec. 5, "Learning rate decay", Figure 2) train a ResNet-110 on CIFAR-100, divide
the learning rate by 10 at epoch 280 and show one parameter's stochastic gradient noise (SGN)
before (epoch 279) and after (epoch 281) the decay, against the same epoch without decay; then a
ResNet-20 trained for 90 epochs with the learning rate decayed at epochs 30 and 60, with the
batch size increased at the same epochs instead, or with neither (top-1 66.7, 66.4 and 53 %).

Two quantities are easy to confuse, and both are measured here. The SGD step (eq. 1) is

.. math:: w_k = w_{k-1} - \eta\,\nabla U(w_{k-1}) + \eta\,u_k,\qquad
   u_k = \nabla U(w_{k-1}) - \tfrac{1}{B}\textstyle\sum_{\ell\in\Omega_k}\nabla U^{(\ell)}(w_{k-1}),

so ``u_k`` (the *gradient noise*, what :func:`sgnlib.noise.measure_noise` returns) is a difference
of gradients: a learning-rate decay does not change it at given weights, it can only change it
through where the weights go. The *update noise* ``η u_k`` is what the step adds to the weights;
the paper writes it ``ε u_k`` with ``ε = η^{(α−1)/α}`` (the time scaling of its Lévy SDE). A decay
by ``f`` multiplies ``η u_k`` by ``f`` at once; a batch-size increase by ``F`` shrinks ``u_k``
itself (by ``F^{−1/2}`` for finite variance, ``F^{1/α − 1}`` for an α-stable law).

* :func:`branch_at_decay` — Figure 2: one trunk trained to the decay epoch, then two branches
  from its checkpoint (:func:`sgnlib.train.train` with ``branch_from``), one with the learning
  rate multiplied by ``factor``, one without; the noise of the same sampled coordinates on the
  same mini-batches before the decay and after it in both branches; the per-iteration loss.
* :func:`schedule_study` — the ResNet-20 study: learning-rate decay, batch-size increase and
  constant settings over several seeds; final top-1, and the noise amplitude at the epochs around
  each milestone and at the end.
* :func:`amplitude_table` — IQR, fitted SαS σ and α of each coordinate, in gradient units and in
  the update; :func:`attenuation` and :func:`attenuation_verdict` compare two points per
  parameter; :func:`accuracy_table` and :func:`accuracy_verdicts` compare the schedules.

Every training run is a cached unit of :func:`sgnlib.train.train` whose seed is
``streams.int_seed(seed, "lr-decay", schedule=..., run_seed=...)``; every noise measurement is
cached by the meter. The paper's top-1 values are typed in :data:`PAPER_TOP1`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from sgnlib import report, stable, stats, streams
from sgnlib._checks import torch_dtype
from sgnlib.stats import median_interval  # re-exported: the study states its intervals with it

__all__ = [
    "branch_trunks",
    "trunk_summary",
    "trunk_table",
    "trunk_verdict",
    "VERSION",
    "STUDY",
    "SCHEDULES",
    "PAPER_TOP1",
    "AMPLITUDE_COLUMNS",
    "Setup",
    "amplitude_table",
    "median_interval",
    "attenuation",
    "attenuation_verdict",
    "attenuation_summary",
    "milestone_attenuation",
    "Branch",
    "branch_at_decay",
    "ScheduleStudy",
    "schedule_study",
    "accuracy_table",
    "accuracy_verdicts",
    "noise_along",
]

#: Part of every cache key of the measurements: bump it when a change alters their numbers.
VERSION = "lr-decay-1"
STUDY = "lr-decay"

#: The three settings of the ResNet-20 study, in the order of the paper.
SCHEDULES = ("decay", "batch increase", "constant")

#: Top-1 accuracy (%) on the CIFAR-100 validation set of a ResNet-20 trained 90 epochs with plain SGD:
#: Battash et al., Sec. 5, paragraph "Learning rate decay" (learning-rate decay at epochs 30 and 60;
#: batch-size increase at epochs 30 and 60; neither). The paper gives no seeds or error bars.
PAPER_TOP1 = {"decay": 66.7, "batch increase": 66.4, "constant": 53.0}

#: Columns of :func:`amplitude_table` (one row per sampled coordinate).
AMPLITUDE_COLUMNS = ("coord", "name", "layer", "iqr", "sigma", "alpha", "update_iqr", "update_sigma")


def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class Setup:
    """The network and data of both studies.

    ``model`` a name of :func:`sgnlib.models.build` (a CIFAR ResNet in the paper), ``width`` its
    base width (``None``: the paper's); ``data`` an image data set of :mod:`sgnlib.data`, ``subset``
    training examples (``None``: all), ``test_subset`` evaluation examples; ``lr`` and
    ``batch_size`` the plain-SGD settings before any decay or increase.
    """

    model: str = "resnet20"
    data: str = "fashion_mnist"
    width: int | None = None
    subset: int | None = None
    test_subset: int | None = 1000
    lr: float = 0.1
    batch_size: int = 128
    dtype: str = "float32"

    def __post_init__(self):
        from sgnlib import data, models

        if self.model not in models.names():
            raise ValueError(f"unknown model {self.model!r}; valid: {', '.join(models.names())}")
        images = data.available("image", present_only=False)
        if self.data not in images:
            raise ValueError(f"data must be an image data set, one of {', '.join(images)}; got {self.data!r}")
        for name in ("width", "subset", "test_subset"):
            if getattr(self, name) is not None:
                _check_int(getattr(self, name), name, 1)
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not (0 < self.lr < math.inf):
            raise ValueError(f"lr must be a positive number; got {self.lr!r}")
        _check_int(self.batch_size, "batch_size", 1)
        torch_dtype(self.dtype)
        if self.subset is not None and self.batch_size > self.subset:
            raise ValueError(f"batch_size {self.batch_size} exceeds the {self.subset} training examples of subset")

    def settings(self) -> dict:
        out = dataclasses.asdict(self)
        if self.dtype == "float32":
            del out["dtype"]  # the keys of float32 units stay what they were before dtype existed
        return out

    def datasets(self, seed: int):
        """(train set, test set, model keyword arguments, classes, train key, test key); subsets from the data stream."""
        from sgnlib import data

        dseed = streams.int_seed(seed, STUDY, part="data", data=self.data) % 2**31
        dt = torch_dtype(self.dtype)
        tr = data.image_dataset(self.data, "train", subset=self.subset, seed=dseed, dtype=dt)
        te = data.image_dataset(self.data, "test", subset=self.test_subset, seed=dseed, dtype=dt)
        kw = {"in_channels": tr.in_channels} | ({"width": int(self.width)} if self.width is not None else {})
        key = f"{self.data}/{{}}/subset={{}}/seed={dseed}"
        return tr, te, kw, tr.num_classes, key.format("train", self.subset), key.format("test", self.test_subset)


# ----------------------------------------------------------------------------- amplitudes


def amplitude_table(u, lr: float, names: Sequence[str] | None = None, layers: Sequence[str] | None = None) -> pd.DataFrame:
    """Noise amplitude of each column of a ``[K, P]`` noise matrix ``u`` (eq. 1's ``u_k``, one column per parameter).

    Columns (:data:`AMPLITUDE_COLUMNS`): ``coord`` (column index), ``name``, ``layer``, ``iqr``
    (interquartile range across the K mini-batches), ``sigma`` and ``alpha`` (SαS scale and tail
    index by :func:`sgnlib.stable.fit`; NaN for a column it masks, e.g. a dead unit with many exact
    zeros), and ``update_iqr = lr · iqr``, ``update_sigma = lr · sigma``: the same amplitudes of the
    update noise ``η u_k`` (α is the same in both units).
    """
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[0] < 2 or u.shape[1] < 1:
        raise ValueError(f"u must be a [K >= 2, P >= 1] noise matrix; got shape {u.shape}")
    if not np.isfinite(u).all():
        raise ValueError("u holds NaN or infinite values")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not lr > 0:
        raise ValueError(f"lr must be a positive number; got {lr!r}")
    P = u.shape[1]
    names = [f"p{i}" for i in range(P)] if names is None else list(names)
    layers = [""] * P if layers is None else list(layers)
    if len(names) != P or len(layers) != P:
        raise ValueError(f"names and layers need {P} entries (one per column); got {len(names)} and {len(layers)}")
    q25, q75 = np.percentile(u, [25, 75], axis=0)
    iqr = q75 - q25
    sigma, alpha = np.full(P, np.nan), np.full(P, np.nan)
    ok = iqr > 0
    if ok.sum() and u.shape[0] >= 50:
        f = stable.fit(u[:, ok])
        sigma[ok], alpha[ok] = f.scale, f.alpha
    return pd.DataFrame({"coord": np.arange(P), "name": names, "layer": layers, "iqr": iqr, "sigma": sigma, "alpha": alpha,
                         "update_iqr": float(lr) * iqr, "update_sigma": float(lr) * sigma})


def _ratio_frame(amp: pd.DataFrame, before, after, stat: str, keys: Sequence[str]) -> pd.DataFrame:
    """Per-parameter ``after / before`` of ``stat``; ``before``/``after`` select rows by the ``point`` column."""
    if stat not in ("iqr", "sigma", "update_iqr", "update_sigma"):
        raise ValueError(f"stat must be 'iqr', 'sigma', 'update_iqr' or 'update_sigma'; got {stat!r}")
    if "point" not in amp:
        raise ValueError("amp needs a 'point' column naming the measurement of each row")
    points = set(amp["point"])
    for p in (before, after):
        if p not in points:
            raise ValueError(f"no measurement named {p!r}; points: {', '.join(map(str, sorted(points, key=str)))}")
    b = amp[amp["point"] == before].set_index(list(keys))[stat]
    a = amp[amp["point"] == after].set_index(list(keys))[stat]
    both = pd.DataFrame({"before": b, "after": a}).dropna()
    return both.assign(ratio=both["after"] / both["before"]).reset_index()


def attenuation(amp: pd.DataFrame, before, after, *, stat: str = "iqr", keys: Sequence[str] = ("coord",),
                level: float = 0.95) -> dict:
    """How much the amplitude ``stat`` of each parameter changes from point ``before`` to ``after``.

    ``amp`` is a long table of :func:`amplitude_table` rows with a ``point`` column; a parameter is
    identified by ``keys``. Parameters whose amplitude is zero (or unfitted) at either point are
    left out and counted. Returns ``n`` (parameters compared), ``excluded``, ``dropped`` (how many
    have a smaller amplitude after), ``median`` ratio with its order-statistic interval ``lo``,
    ``hi`` at ``level`` (:func:`sgnlib.stats.median_interval`), and ``ratios`` (the table).
    """
    r = _ratio_frame(amp, before, after, stat, keys)
    total = int((amp["point"] == before).sum())
    r = r[(r["before"] > 0) & (r["after"] > 0)]
    if len(r) == 0:
        raise ValueError(f"no parameter has a positive {stat} at both {before!r} and {after!r}")
    med, lo, hi = median_interval(r["ratio"], level) if len(r) >= 6 else (float(r["ratio"].median()), np.nan, np.nan)
    return {"n": len(r), "excluded": total - len(r), "dropped": int((r["ratio"] < 1).sum()), "median": med, "lo": lo, "hi": hi,
            "ratios": r}


def attenuation_verdict(amp: pd.DataFrame, before, after, *, stat: str = "iqr", keys: Sequence[str] = ("coord",),
                        level: float = 0.01, marginal_level: float = 0.05) -> report.Verdict:
    """Does the amplitude drop from ``before`` to ``after`` for most parameters?

    :func:`sgnlib.report.share_above` on the share of parameters whose ``stat`` is smaller after
    (one-sided exact binomial test against ½ at ``level``); the numbers also carry the median ratio
    after / before with its 95 % order-statistic interval (``median``, ``median_lo``, ``median_hi``),
    the parameters compared and left out (``compared``, ``excluded``).
    """
    a = attenuation(amp, before, after, stat=stat, keys=keys)
    v = report.share_above(a["dropped"], a["n"], 0.5, level=level, marginal_level=marginal_level,
                           what=f"share of parameters whose {stat.replace('_', ' ')} drops")
    extra = {"median": report.fmt(a["median"], 3), "median_lo": report.fmt(a["lo"], 3), "median_hi": report.fmt(a["hi"], 3),
             "compared": str(a["n"]), "excluded": str(a["excluded"])}
    return dataclasses.replace(v, numbers={**v.numbers, **extra})


def attenuation_summary(amp: pd.DataFrame, pairs: Sequence[tuple], *, stats_: Sequence[str] = ("iqr", "update_iqr"),
                        keys: Sequence[str] = ("coord",), level: float = 0.95) -> pd.DataFrame:
    """:func:`attenuation` for each ``(before, after)`` pair of points and each amplitude in ``stats_``, as a table.

    Columns: ``before``, ``after``, ``unit`` ("gradient" for ``iqr``/``sigma``, "update" for
    ``update_*``), ``stat``, ``compared``, ``dropped`` (parameters whose amplitude is smaller after),
    ``share`` (dropped / compared), ``median`` ratio after / before with its order-statistic
    interval ``lo``, ``hi``.
    """
    rows = []
    for before, after in pairs:
        for stat in stats_:
            a = attenuation(amp, before, after, stat=stat, keys=keys, level=level)
            rows.append({"before": before, "after": after, "unit": "update" if stat.startswith("update") else "gradient",
                         "stat": stat, "compared": a["n"], "dropped": a["dropped"], "share": a["dropped"] / a["n"],
                         "median": a["median"], "lo": a["lo"], "hi": a["hi"]})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- Figure 2: branch at the decay


@dataclass
class Branch:
    """Figure 2's runs: the trunk and its two branches, and the noise of the same coordinates at three points.

    ``amplitude``: :func:`amplitude_table` rows with ``point`` ("before", "after decay",
    "no decay"), ``epoch``, ``lr``, ``batch_size``; ``noise[point]`` the ``[K, P]`` noise;
    ``loss``: per-iteration training loss (``run``: "decay" or "no decay", ``iteration``,
    ``epoch``, ``loss``); ``histories`` of the runs ("trunk", "decay", "no decay");
    ``decay_iteration`` the first SGD step at the decayed rate; ``example`` the coordinate shown
    alone (the one whose IQR ratio after / before the decay is the median).
    """

    amplitude: pd.DataFrame
    noise: dict
    loss: pd.DataFrame
    histories: dict
    decay_epoch: int
    decay_iteration: int
    example: int
    settings: dict

    def figure_data(self, stat: str = "iqr") -> dict:
        """Keyword arguments of :func:`sgnlib.plotting.decay_branch_panels`: the example coordinate's noise at the
        three points, the loss of both branches against the iteration, and ``stat`` after against before for all."""
        amp = self.amplitude
        epochs = amp.groupby("point", sort=False)["epoch"].first()
        before = amp[amp["point"] == "before"].set_index("coord")[stat]
        return {
            "samples": {f"{p}, epoch {e}": self.noise[p][:, self.example] for p, e in epochs.items()},
            "curves": {run: (g["iteration"].to_numpy(), g["loss"].to_numpy()) for run, g in self.loss.groupby("run", sort=False)},
            "scatter": {p: (before.to_numpy(), amp[amp["point"] == p].set_index("coord")[stat].reindex(before.index).to_numpy())
                        for p in ("after decay", "no decay")},
            "mark": self.decay_iteration,
            "scatter_xlabel": f"{stat.replace('_', ' ')} before (epoch {epochs['before']})",
            "scatter_ylabel": f"{stat.replace('_', ' ')} after (epoch {epochs['after decay']})",
        }


def _measure(model, tr, *, batch_size, n_batches, n_coords, seed, device, progress, cache_root, data_key):
    from sgnlib import noise
    from sgnlib.cache import UnitCache

    return noise.measure_noise(model, "cross_entropy", tr, batch_size=int(batch_size), n_batches=n_batches, n_coords=n_coords,
                               seed=seed, device=device, progress=progress, data_key=data_key,
                               cache=UnitCache(f"{STUDY}-noise", root=cache_root, version=VERSION))


def branch_at_decay(setup: Setup, *, seed: int, before_epochs: int, after_epochs: int = 1, factor: float = 0.1,
                    n_batches: int = 100, n_coords: int = 100, device: str = "auto", progress: bool = False,
                    cache_root=None, trunk: int = 0) -> Branch:
    """Train to the decay, branch with and without a learning-rate decay by ``factor``, measure the noise.

    The trunk trains ``before_epochs`` epochs at ``setup.lr``; both branches start from its last
    checkpoint and train ``after_epochs`` more, one at ``factor · lr``, one at ``lr`` (same data
    order: the trunk's stream). The noise of ``n_coords`` sampled coordinates is measured on
    ``n_batches`` mini-batches of ``setup.batch_size`` (the same coordinates and batches at the
    three points) after the trunk ("before", epoch ``before_epochs``) and after each branch
    (epoch ``before_epochs + after_epochs``). ``trunk`` numbers independent repetitions: each
    has its own initial weights, data order, coordinates and mini-batches (its own streams).
    """
    from sgnlib import train

    if not isinstance(setup, Setup):
        raise ValueError(f"setup must be a Setup; got {type(setup).__name__}")
    _check_int(before_epochs, "before_epochs", 1)
    _check_int(after_epochs, "after_epochs", 1)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor < 1:
        raise ValueError(f"factor must lie in (0, 1) (a decay); got {factor!r}")
    _check_int(n_batches, "n_batches", 50)
    _check_int(n_coords, "n_coords", 1)
    tr, _, kw, classes, key, _ = setup.datasets(seed)
    index = _check_int(trunk, "trunk", 0)
    tseed = streams.int_seed(seed, STUDY, schedule="branch", run_seed=index) % 2**31
    total = before_epochs + after_epochs
    common = dict(data_key=key, num_classes=classes, model_kwargs=kw, batch_size=setup.batch_size, lr=setup.lr, seed=tseed,
                  record_iterations=True, device=device, progress=progress, cache_root=cache_root, dtype=setup.dtype)
    trunk = train.train(setup.model, tr, epochs=before_epochs, **common)
    runs = {"decay": train.train(setup.model, tr, epochs=total, branch_from=trunk, **common,
                                 lr_schedule=train.LRSchedule("multistep", milestones=(before_epochs,), factor=float(factor))),
            "no decay": train.train(setup.model, tr, epochs=total, branch_from=trunk, **common)}
    cseed = streams.int_seed(seed, STUDY, schedule="branch", run_seed=index, part="noise") % 2**31
    points = {"before": (trunk, before_epochs), "after decay": (runs["decay"], total), "no decay": (runs["no decay"], total)}
    noise, rows = {}, []
    for point, (run, epoch) in points.items():
        m = _measure(run.model, tr, batch_size=setup.batch_size, n_batches=n_batches, n_coords=n_coords, seed=cseed,
                     device=device, progress=progress, cache_root=cache_root, data_key=key)
        lr = run.history["lr"][epoch - 1]
        noise[point] = m.noise.astype(float)
        rows.append(amplitude_table(noise[point], lr, m.names, m.layers).assign(point=point, epoch=epoch, lr=lr,
                                                                                batch_size=setup.batch_size))
    amp = pd.concat(rows, ignore_index=True)
    steps = len(trunk.history["iteration_loss"])
    loss = pd.concat([pd.DataFrame({"run": name, "iteration": np.arange(len(r.history["iteration_loss"])),
                                    "loss": r.history["iteration_loss"]}) for name, r in runs.items()], ignore_index=True)
    per_epoch = np.repeat(np.arange(1, total + 1), runs["decay"].history["steps"])
    loss["epoch"] = np.tile(per_epoch, 2)
    r = attenuation(amp, "before", "after decay")["ratios"]
    example = int(r.iloc[(r["ratio"] - r["ratio"].median()).abs().argmin()]["coord"])
    histories = {"trunk": trunk.history, **{k: v.history for k, v in runs.items()}}
    settings = {"setup": setup.settings(), "seed": seed, "before_epochs": before_epochs, "after_epochs": after_epochs,
                "factor": factor, "n_batches": n_batches, "n_coords": n_coords, "trunk": index}
    return Branch(amp, noise, loss, histories, before_epochs, steps, example, settings)


def branch_trunks(setup: Setup, *, seed: int, trunks: int, **kw) -> list[Branch]:
    """:func:`branch_at_decay` for ``trunks`` independent trunks (numbers ``0 … trunks-1``); every setting is checked
    on the first before anything trains."""
    _check_int(trunks, "trunks", 1)
    return [branch_at_decay(setup, seed=seed, trunk=t, **kw) for t in range(trunks)]


def trunk_table(branches: Sequence[Branch], pairs: Sequence[tuple], *, stats_: Sequence[str] = ("iqr", "update_iqr")) -> pd.DataFrame:
    """One row per trunk, pair of points and amplitude: the median over parameters of the ratio after / before.

    Columns ``trunk, before, after, stat, unit, compared, median`` (the median ratio of that trunk),
    ``log_median``. The trunk, not the parameter, is the unit of inference: the parameters of one
    network share its trajectory.
    """
    rows = []
    for b in branches:
        for before, after in pairs:
            for stat in stats_:
                a = attenuation(b.amplitude, before, after, stat=stat)
                rows.append({"trunk": int(b.settings.get("trunk", 0)), "before": before, "after": after, "stat": stat,
                             "unit": "update" if stat.startswith("update") else "gradient", "compared": a["n"],
                             "median": a["median"], "log_median": float(np.log(a["median"]))})
    return pd.DataFrame(rows)


def trunk_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per pair of points and amplitude: ``trunks``, ``below_1`` (trunks whose median ratio is below 1) and
    ``geo_mean`` (the geometric mean of the trunks' median ratios)."""
    g = table.groupby(["before", "after", "stat"], sort=False)["log_median"]
    return g.agg(trunks="size", below_1=lambda x: int((x < 0).sum()), geo_mean=lambda x: float(np.exp(x.mean()))).reset_index()


def trunk_verdict(table: pd.DataFrame, before, after, *, stat: str = "iqr", level: float = 0.01,
                  marginal_level: float = 0.05) -> report.Verdict:
    """Does the amplitude drop from ``before`` to ``after`` in a typical network? Over trunks, not parameters.

    :func:`sgnlib.report.sign_flip_below` on the trunks' log median ratios (below 0: the median
    parameter's amplitude drops): an exact sign-flip test at ``level``; with fewer than
    ``log2(1/marginal_level)`` trunks it says "cannot tell". Numbers: ``ratio`` the geometric mean
    of the trunks' median ratios, ``k`` trunks whose median ratio is below 1 of ``n``, ``p``.
    """
    g = table[(table["before"] == before) & (table["after"] == after) & (table["stat"] == stat)]
    if g.empty:
        raise ValueError(f"no trunk rows for {before!r} → {after!r} of {stat!r}")
    v = report.sign_flip_below(g["log_median"], 0.0, level=level, marginal_level=marginal_level, unit="trunks",
                               what=f"mean log median {stat.replace('_', ' ')} ratio {after} / {before}",
                               labels=[f"trunk {t} median ratio" for t in g["trunk"]],
                               show=lambda x: report.fmt(float(np.exp(x)), 3))
    return dataclasses.replace(v, numbers={**v.numbers, "ratio": report.fmt(float(np.exp(g["log_median"].mean())), 3)})


# ----------------------------------------------------------------------------- the ResNet-20 study


@dataclass
class ScheduleStudy:
    """The runs of :func:`schedule_study`.

    ``runs``: one row per run and epoch (``schedule``, ``run_seed``, ``epoch``, ``lr``,
    ``batch_size``, ``train_loss``, ``eval_accuracy``); ``final``: final top-1 per run
    (``schedule``, ``run_seed``, ``top1``); ``amplitude``: :func:`amplitude_table` rows of every
    run at each measured epoch (with ``schedule``, ``run_seed``, ``epoch``, ``lr``, ``batch_size``
    and ``point`` = ``"<schedule>/<epoch>"``); ``milestones`` the epochs after which the rate or
    batch size changes; ``measured`` the epochs measured.
    """

    runs: pd.DataFrame
    final: pd.DataFrame
    amplitude: pd.DataFrame
    milestones: tuple
    measured: tuple
    settings: dict


def _schedules(name: str, milestones, factor: int):
    from sgnlib import train

    if name == "decay":
        return train.LRSchedule("multistep", milestones=milestones, factor=1.0 / factor), None
    if name == "batch increase":
        return train.LRSchedule(), train.BatchSchedule(milestones=milestones, factor=factor)
    return train.LRSchedule(), None


def schedule_study(setup: Setup, *, seed: int, epochs: int, run_seeds: Sequence[int] = (0, 1, 2),
                   milestones: Sequence = (1 / 3, 2 / 3), factor: int = 10, schedules: Sequence[str] = SCHEDULES,
                   n_batches: int = 50, n_coords: int = 100, device: str = "auto", progress: bool = False,
                   cache_root=None) -> ScheduleStudy:
    """Learning-rate decay by ``1/factor`` vs batch-size increase by ``factor`` vs constant, each over ``run_seeds``.

    Every run trains ``epochs`` epochs of plain SGD from ``setup.lr``, ``setup.batch_size``;
    ``milestones`` are epochs or fractions of the run (the paper: 30 and 60 of 90). The run of
    ``(schedule, run_seed)`` is initialised and shuffled from
    ``streams.int_seed(seed, "lr-decay", schedule=..., run_seed=...)``. The noise of ``n_coords``
    coordinates is measured on ``n_batches`` mini-batches of the batch size the run uses at that
    epoch, after each milestone epoch ``m`` (the last weights of the old phase), after ``m + 1``
    (one epoch into the new phase) and after the last epoch.
    """
    from sgnlib import train

    if not isinstance(setup, Setup):
        raise ValueError(f"setup must be a Setup; got {type(setup).__name__}")
    _check_int(epochs, "epochs", 2)
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 2:
        raise ValueError(f"factor must be an integer >= 2 (batch size × factor, learning rate ÷ factor); got {factor!r}")
    run_seeds = [int(_check_int(r, "each run seed", 0)) for r in run_seeds]
    if not run_seeds or len(set(run_seeds)) != len(run_seeds):
        raise ValueError(f"run_seeds must be distinct non-negative integers; got {run_seeds!r}")
    schedules = list(schedules)
    bad = [s for s in schedules if s not in SCHEDULES]
    if bad or not schedules:
        raise ValueError(f"schedules must be a non-empty list of {', '.join(SCHEDULES)}; got {schedules!r}")
    _check_int(n_batches, "n_batches", 50)
    _check_int(n_coords, "n_coords", 1)
    ms = train._resolve_milestones(tuple(milestones), epochs, "schedule")
    tr, te, kw, classes, key, test_key = setup.datasets(seed)
    biggest = setup.batch_size * factor ** len(ms)
    if "batch increase" in schedules and biggest > len(tr):
        raise ValueError(f"the batch size reaches {setup.batch_size} × {factor}^{len(ms)} = {biggest} > {len(tr)} training examples")
    measured = tuple(sorted({e for m in ms for e in (m, m + 1)} | {epochs}))
    rows, finals, amps = [], [], []
    for name in schedules:
        lr_s, b_s = _schedules(name, ms, int(factor))
        for r in run_seeds:
            tseed = streams.int_seed(seed, STUDY, schedule=name, run_seed=r) % 2**31
            run = train.train(setup.model, tr, data_key=key, num_classes=classes, model_kwargs=kw, epochs=epochs,
                              batch_size=setup.batch_size, lr=setup.lr, lr_schedule=lr_s, batch_schedule=b_s, seed=tseed,
                              eval_dataset=te, eval_key=test_key, snapshot_epochs=[e for e in measured if e < epochs],
                              device=device, progress=progress, cache_root=cache_root, dtype=setup.dtype)
            h = run.history
            rows.append(pd.DataFrame({k: h[k] for k in ("epoch", "lr", "batch_size", "train_loss", "eval_accuracy")})
                        .assign(schedule=name, run_seed=r))
            finals.append({"schedule": name, "run_seed": r, "top1": 100 * h["eval_accuracy"][-1]})
            cseed = streams.int_seed(seed, STUDY, schedule=name, run_seed=r, part="noise") % 2**31
            for e in measured:
                model = run.model if e == epochs else run.snapshot(e)
                lr, b = h["lr"][e - 1], h["batch_size"][e - 1]
                m = _measure(model, tr, batch_size=b, n_batches=n_batches, n_coords=n_coords, seed=cseed, device=device,
                             progress=progress, cache_root=cache_root, data_key=key)
                amps.append(amplitude_table(m.noise, lr, m.names, m.layers)
                            .assign(schedule=name, run_seed=r, epoch=e, lr=lr, batch_size=b, point=f"{name}/{e}"))
    runs = pd.concat(rows, ignore_index=True)[["schedule", "run_seed", "epoch", "lr", "batch_size", "train_loss", "eval_accuracy"]]
    settings = {"setup": setup.settings(), "seed": seed, "epochs": epochs, "run_seeds": run_seeds, "milestones": list(ms),
                "factor": int(factor), "n_batches": n_batches, "n_coords": n_coords, "n_train": len(tr), "n_test": len(te)}
    return ScheduleStudy(runs, pd.DataFrame(finals), pd.concat(amps, ignore_index=True), ms, measured, settings)


def accuracy_table(final: pd.DataFrame, level: float = 0.95, paper: dict | None = None) -> pd.DataFrame:
    """Final top-1 (%) per schedule: runs, mean and its Student-t ``level`` interval, beside the paper's value.

    ``paper`` defaults to :data:`PAPER_TOP1` (CIFAR-100, ResNet-20, 90 epochs; one run each).
    """
    if not {"schedule", "top1"} <= set(final):
        raise ValueError("final needs the columns schedule and top1")
    paper = PAPER_TOP1 if paper is None else paper
    out = []
    for name in [s for s in SCHEDULES if s in set(final["schedule"])]:
        x = final.loc[final["schedule"] == name, "top1"].to_numpy(float)
        m, lo, hi = stats.mean_ci(x, level) if x.size >= 2 else (float(x.mean()), np.nan, np.nan)
        out.append({"schedule": name, "runs": x.size, "top-1 (%)": m, "lo": lo, "hi": hi, "paper top-1 (%)": paper.get(name, np.nan)})
    return pd.DataFrame(out)


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean difference a − b, its standard error and Welch–Satterthwaite degrees of freedom."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1)) if se > 0 else np.inf
    return float(a.mean() - b.mean()), se, float(df)


def accuracy_verdicts(final: pd.DataFrame, *, level: float = 0.95, marginal_level: float = 0.99,
                      worse_level: float = 0.05, worse_marginal: float = 0.10) -> dict:
    """The paper's two accuracy claims as verdicts: ``"same"`` and ``"worse"``.

    * ``same`` — decay and batch increase end at the same top-1: the Welch t interval at ``level`` of the
      difference decay − batch increase covers 0 (marginal: only the ``marginal_level`` one does).
    * ``worse`` — constant settings end below both: one-sided Welch t-tests of constant < decay and
      constant < batch increase; holds when both p < ``worse_level``, marginal when both
      p < ``worse_marginal``, fails otherwise (a miss names each comparison that did not hold).
    Needs at least 2 runs per schedule.
    """
    top = {s: final.loc[final["schedule"] == s, "top1"].to_numpy(float) for s in SCHEDULES}
    short = [s for s, x in top.items() if x.size < 2]
    if short:
        raise ValueError(f"accuracy_verdicts needs at least 2 runs of each schedule; too few for {', '.join(short)}")
    d, se, df = _welch(top["decay"], top["batch increase"])
    half, half_m = (float(_st.t.ppf(0.5 + lv / 2, df)) * se for lv in (level, marginal_level))
    word = "holds" if abs(d) <= half else "marginal" if abs(d) <= half_m else "fails"
    same = report.Verdict(
        word, f"the difference of mean top-1 decay − batch increase is within its {100 * level:g} % Welch t interval "
              f"of 0 (marginal within the {100 * marginal_level:g} % one)",
        {"diff": report.fmt(d), "lo": report.fmt(d - half), "hi": report.fmt(d + half), "df": report.fmt(df, 1)},
        () if word == "holds" else (f"decay − batch increase = {report.fmt(d)} points, {100 * level:g} % interval "
                                    f"{report.fmt(d - half)} to {report.fmt(d + half)}",))
    ps, misses, numbers = [], [], {}
    for other, tag in (("decay", "decay"), ("batch increase", "batch")):
        diff, s, dof = _welch(top[other], top["constant"])
        p = float(_st.t.sf(diff / s, dof)) if s > 0 else (0.0 if diff > 0 else 1.0)
        ps.append(p)
        numbers |= {f"gap_{tag}": report.fmt(diff), f"p_{tag}": report.sig3(p)}
        if p >= worse_level:
            misses.append(f"constant vs {other}: gap {report.fmt(diff)} points, p = {report.sig3(p)}")
    word = "holds" if max(ps) < worse_level else "marginal" if max(ps) < worse_marginal else "fails"
    criterion = (f"constant settings end below both decay and batch increase by one-sided Welch t-tests over the seeds "
                 f"at p < {worse_level:g} each (marginal for p < {worse_marginal:g})")
    return {"same": same, "worse": report.Verdict(word, criterion, numbers, tuple(misses))}


def noise_along(amplitude: pd.DataFrame, stat: str = "iqr", level: float = 0.95) -> pd.DataFrame:
    """The noise amplitude along each schedule: per run and epoch the median over parameters, then mean over runs.

    Columns: ``schedule``, ``epoch``, ``lr``, ``batch_size``, ``runs``, ``grad`` (median ``stat``
    of the gradient noise), ``grad_lo``, ``grad_hi`` (Student-t interval over runs; NaN for one run),
    ``update``, ``update_lo``, ``update_hi`` (the same for ``update_<stat>``), ``alpha`` (median α).
    """
    if stat not in ("iqr", "sigma"):
        raise ValueError(f"stat must be 'iqr' or 'sigma'; got {stat!r}")
    need = {"schedule", "run_seed", "epoch", "lr", "batch_size", stat, f"update_{stat}", "alpha"}
    if not need <= set(amplitude):
        raise ValueError(f"amplitude lacks the columns {sorted(need - set(amplitude))}")
    per_run = (amplitude.groupby(["schedule", "epoch", "run_seed"])
               .agg(lr=("lr", "first"), batch_size=("batch_size", "first"), grad=(stat, "median"),
                    update=(f"update_{stat}", "median"), alpha=("alpha", "median")).reset_index())
    out = []
    for (name, epoch), g in per_run.groupby(["schedule", "epoch"], sort=False):
        row = {"schedule": name, "epoch": epoch, "lr": g["lr"].iloc[0], "batch_size": g["batch_size"].iloc[0], "runs": len(g)}
        for col in ("grad", "update"):
            x = g[col].to_numpy(float)
            m, lo, hi = stats.mean_ci(x, level) if x.size >= 2 else (float(x.mean()), np.nan, np.nan)
            row |= {col: m, f"{col}_lo": lo, f"{col}_hi": hi}
        row["alpha"] = float(g["alpha"].median())
        out.append(row)
    order = {s: i for i, s in enumerate(SCHEDULES)}
    return pd.DataFrame(out).sort_values(["schedule", "epoch"], key=lambda c: c.map(order) if c.name == "schedule" else c,
                                         ignore_index=True)


def milestone_attenuation(study: ScheduleStudy, *, stats_: Sequence[str] = ("iqr", "update_iqr"),
                          level: float = 0.95) -> pd.DataFrame:
    """Per schedule and milestone ``m``: the amplitude after epoch ``m + 1`` against after epoch ``m``, per parameter.

    A parameter is a ``(run_seed, coord)`` pair, so the runs of a schedule are pooled. Columns as
    :func:`attenuation_summary`, plus ``schedule`` and ``milestone``. The constant schedule is the
    control: what one more epoch does without any change of rate or batch size.
    """
    if not isinstance(study, ScheduleStudy):
        raise ValueError(f"study must be a ScheduleStudy; got {type(study).__name__}")
    out = []
    for name in [s for s in SCHEDULES if s in set(study.amplitude["schedule"])]:
        for m in study.milestones:
            t = attenuation_summary(study.amplitude, [(f"{name}/{m}", f"{name}/{m + 1}")], stats_=stats_,
                                    keys=("run_seed", "coord"), level=level)
            out.append(t.assign(schedule=name, milestone=m))
    cols = ["schedule", "milestone", "unit", "stat", "compared", "dropped", "share", "median", "lo", "hi", "before", "after"]
    return pd.concat(out, ignore_index=True)[cols]
