"""Training as the paper does it: plain SGD, epoch schedules, checkpoints, and a cache of trained networks.

* :func:`fit` trains a given model with plain SGD (no momentum, no weight decay, eq. 1 of the
  paper) for a number of epochs, under a learning-rate schedule (:class:`LRSchedule`: constant,
  multistep, or the paper's exponential scheduler ``s_t = t^(γ−1)``) and a batch-size schedule
  (:class:`BatchSchedule`: the batch size multiplied at milestones, Smith et al. 2017). Each
  epoch visits a permutation of the data drawn from a generator seeded by ``(seed, epoch)``
  alone, in batches of exactly ``B`` examples (the last ``D mod B`` are left out of that
  epoch), so the data order never depends on what ran before.
* With a ``checkpoint_dir``, the model, the epoch, the torch random state (dropout) and the
  history are written atomically (temporary file + ``os.replace``) after every epoch, and a
  later call resumes from the last checkpoint; a resumed run equals an uninterrupted one.
  Checkpoints are read with ``torch.load(..., weights_only=True)``; one that cannot be read or
  was written under other settings is reported with a warning and ignored.
* :func:`train` builds a network of the registry (:func:`sgnlib.models.build`) and trains it
  once per settings: the run lives in ``results/cache/train/<key>/`` with ``key`` the
  :func:`sgnlib.cache.unit_key` of every setting that changes the result, so calling it again
  returns the trained network without training.
* :func:`evaluate`: mean loss and top-1 accuracy.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F

from sgnlib import models, streams
from sgnlib._io import atomic_write
from sgnlib._checks import check_positive, resolve_device, torch_dtype

__all__ = [
    "LRSchedule",
    "BatchSchedule",
    "fit",
    "train",
    "evaluate",
    "TrainResult",
    "LOSSES",
    "VERSION",
    "batch_loader",
]

#: Part of every cache key of :func:`train`: bump it when a change alters trained weights.
VERSION = "train-1"


def _bce(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(out.squeeze(-1), target.to(out.dtype))


#: Loss functions by name (each the mean over the batch).
LOSSES: dict[str, Callable] = {"cross_entropy": F.cross_entropy, "bce": _bce, "mse": F.mse_loss}


def _resolve_milestones(milestones: Sequence, epochs: int, what: str) -> tuple[int, ...]:
    """Milestones as epochs: an int ``m ≥ 1`` is epoch ``m``; a float in (0, 1) is ``round(f · epochs)``."""
    out = []
    for m in milestones:
        if isinstance(m, bool) or not isinstance(m, (int, float)):
            raise ValueError(f"{what} milestones must be epochs (int >= 1) or fractions in (0, 1); got {m!r}")
        if isinstance(m, float) and not m.is_integer():
            if not 0.0 < m < 1.0:
                raise ValueError(f"{what} milestone {m!r} is neither an epoch (int >= 1) nor a fraction in (0, 1)")
            e = round(m * epochs)
        else:
            e = int(m)
        if not 1 <= e < epochs:
            raise ValueError(f"{what} milestone {m!r} falls at epoch {e}, outside the run (epochs 1 to {epochs - 1} of {epochs})")
        out.append(e)
    if any(b <= a for a, b in zip(out, out[1:])):
        raise ValueError(f"{what} milestones must fall at increasing epochs; got {list(milestones)} -> epochs {out}")
    return tuple(out)


def _check_milestones_syntax(milestones: Sequence, what: str) -> None:
    for m in milestones:
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not (m > 0) or (m >= 1 and not float(m).is_integer()):
            raise ValueError(f"{what} milestones must be epochs (int >= 1) or fractions in (0, 1); got {m!r}")


@dataclass(frozen=True)
class LRSchedule:
    """Learning-rate multiplier ``s_t`` applied to the base learning rate.

    * ``LRSchedule()`` or ``LRSchedule("constant")``: ``s_t = 1``;
    * ``LRSchedule("multistep", milestones=(1/3, 2/3), factor=0.1)``: multiplied by ``factor``
      at each milestone (epochs ≥ 1, or fractions of the run in (0, 1)), the paper's multi-step
      scheduler ``s_t = γ_p`` on phase ``p``;
    * ``LRSchedule("exponential", gamma=0.9, unit="epoch")``: the paper's exponential scheduler
      ``s_t = t^(γ−1)`` (sec. 4, Thm 4.1), ``t = 1, 2, …`` counting epochs (``unit="epoch"``)
      or SGD steps (``unit="iteration"``); ``γ = 1`` is constant, smaller γ cools faster.
    """

    kind: str = "constant"
    milestones: tuple = ()
    factor: float = 0.1
    gamma: float = 1.0
    unit: str = "epoch"

    def __post_init__(self):
        if self.kind not in ("constant", "multistep", "exponential"):
            raise ValueError(f"kind must be 'constant', 'multistep' or 'exponential'; got {self.kind!r}")
        object.__setattr__(self, "milestones", tuple(self.milestones))
        _check_milestones_syntax(self.milestones, "learning-rate")
        if self.kind == "multistep" and not self.milestones:
            raise ValueError("a multistep schedule needs at least one milestone; got milestones=()")
        if self.kind != "multistep" and self.milestones:
            raise ValueError(f"milestones apply to kind='multistep' only; got kind={self.kind!r}, milestones={self.milestones}")
        check_positive(self.factor, "factor")
        if not 0.0 < self.gamma <= 1.0:
            raise ValueError(f"gamma must lie in (0, 1]; got {self.gamma!r}")
        if self.unit not in ("epoch", "iteration"):
            raise ValueError(f"unit must be 'epoch' or 'iteration'; got {self.unit!r}")

    def settings(self) -> dict:
        return {"kind": self.kind, "milestones": list(self.milestones), "factor": float(self.factor), "gamma": float(self.gamma), "unit": self.unit}

    def multiplier(self, epoch: int, iteration: int, epochs: int) -> float:
        """``s_t`` during ``epoch`` (0-based) at global SGD step ``iteration`` (0-based)."""
        if self.kind == "multistep":
            return float(self.factor) ** sum(epoch >= m for m in _resolve_milestones(self.milestones, epochs, "learning-rate"))
        if self.kind == "exponential":
            t = (epoch if self.unit == "epoch" else iteration) + 1
            return float(t) ** (self.gamma - 1.0)
        return 1.0


@dataclass(frozen=True)
class BatchSchedule:
    """Batch size multiplied by ``factor`` at each milestone (Smith et al. 2017); no milestones = constant."""

    milestones: tuple = ()
    factor: int = 2

    def __post_init__(self):
        object.__setattr__(self, "milestones", tuple(self.milestones))
        _check_milestones_syntax(self.milestones, "batch-size")
        if not (isinstance(self.factor, int) and self.factor >= 1):
            raise ValueError(f"factor must be an integer >= 1; got {self.factor!r}")

    def settings(self) -> dict:
        return {"milestones": list(self.milestones), "factor": int(self.factor)}

    def batch_size(self, base: int, epoch: int, epochs: int) -> int:
        """Batch size during ``epoch`` (0-based)."""
        return base * self.factor ** sum(epoch >= m for m in _resolve_milestones(self.milestones, epochs, "batch-size"))


# ----------------------------------------------------------------------------- data access


def _tensor_view(dataset) -> tuple[tuple[torch.Tensor, ...], torch.Tensor | None] | None:
    """The tensors behind a TensorDataset (possibly inside Subsets) and the index map, or None."""
    index = None
    while isinstance(dataset, torch.utils.data.Subset):
        sub = torch.as_tensor(dataset.indices, dtype=torch.long)
        index = sub if index is None else sub[index]
        dataset = dataset.dataset
    if isinstance(dataset, torch.utils.data.TensorDataset):
        return dataset.tensors, index
    return None


def batch_loader(dataset, device: str = "cpu") -> Callable[[torch.Tensor], tuple]:
    """A function ``indices → (inputs, targets)`` on ``device`` for any map-style torch Dataset.

    TensorDatasets (also inside ``Subset``) are indexed directly, moved to ``device`` once;
    other data sets go through ``default_collate`` of their items.
    """
    view = _tensor_view(dataset)
    if view is not None:
        tensors, index = view
        if index is not None:
            tensors = tuple(t[index] for t in tensors)
        tensors = tuple(t.to(device) for t in tensors)

        def get(idx: torch.Tensor) -> tuple:
            idx = idx.to(tensors[0].device)
            return tuple(t.index_select(0, idx) for t in tensors)

        return get

    def collate(idx: torch.Tensor) -> tuple:
        batch = torch.utils.data.default_collate([dataset[int(i)] for i in idx])
        return tuple(t.to(device) if isinstance(t, torch.Tensor) else t for t in batch)

    return collate


def _check_input_dtype(dataset, dtype: torch.dtype, name: str) -> None:
    """One line naming the mismatch when a TensorDataset's floating inputs are not of ``dtype``."""
    view = _tensor_view(dataset)
    if view is None:
        return
    for t in view[0][:-1]:
        if t.is_floating_point() and t.dtype != dtype:
            raise ValueError(f"{name} holds {str(t.dtype).removeprefix('torch.')} inputs but the network is "
                             f"{str(dtype).removeprefix('torch.')}: build the data set with that dtype")


def _check_dataset(dataset, name: str = "dataset") -> int:
    if isinstance(dataset, torch.Tensor):
        raise ValueError(f"{name} is a bare tensor of shape {tuple(dataset.shape)}; pass a data set of (input, target) "
                         "pairs, e.g. torch.utils.data.TensorDataset(X, y)")
    try:
        n = len(dataset)
    except TypeError as exc:
        raise ValueError(f"{name} must be a map-style torch Dataset with a length; got {type(dataset).__name__}") from exc
    if n < 1:
        raise ValueError(f"{name} holds no examples")
    return n


def _loss_fn(loss) -> Callable:
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; valid: {', '.join(sorted(LOSSES))} or a callable")
    return LOSSES[loss]


@torch.no_grad()
def evaluate(model: torch.nn.Module, dataset, *, loss="cross_entropy", batch_size: int = 1024, device: str = "auto") -> dict[str, float]:
    """Mean loss and top-1 accuracy of ``model`` (in eval mode) over ``dataset``.

    Accuracy is the fraction of examples whose largest output is the target class (for a single
    output, its sign against a 0/1 target).
    """
    n = _check_dataset(dataset)
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    device = resolve_device(device)
    fn = _loss_fn(loss)
    was_training = model.training
    model.eval()
    get = batch_loader(dataset, device)
    total, correct = 0.0, 0.0
    for start in range(0, n, batch_size):
        x, y = get(torch.arange(start, min(n, start + batch_size)))[:2]
        out = model(x)
        total += float(fn(out, y)) * len(y)
        pred = (out.squeeze(-1) > 0).to(y.dtype) if out.shape[-1] == 1 or out.ndim == 1 else out.argmax(-1)
        correct += float((pred == y).sum())
    model.train(was_training)
    return {"loss": total / n, "accuracy": correct / n}


# ----------------------------------------------------------------------------- checkpoints


def _atomic_save(obj: Any, path: Path) -> None:
    """``torch.save`` whole or not at all (see :func:`sgnlib._io.atomic_write`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda fh: torch.save(obj, fh))


def _load_checkpoint(path: Path, settings_json: str) -> dict | None:
    """The checkpoint at ``path`` if it is readable and was written under ``settings_json``; else warn and return None."""
    if not path.is_file():
        return None
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(ckpt, dict) or not {"model", "epoch", "torch_rng", "history", "settings"} <= set(ckpt):
            raise ValueError("not a checkpoint written by sgnlib.train")
    except Exception as exc:  # a truncated or foreign file: report it, start afresh
        warnings.warn(f"ignoring unreadable checkpoint {path}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", stacklevel=3)
        return None
    if ckpt["settings"] != settings_json:
        warnings.warn(f"ignoring checkpoint {path}: it was written under other settings", stacklevel=3)
        return None
    return ckpt


def _branch_point(path: Path, epochs: int, settings: dict) -> dict:
    """The checkpoint a branch starts from (see ``init_from`` of :func:`fit`); errors name what does not fit."""
    if not path.is_file():
        raise ValueError(f"init_from={str(path)!r} is not a checkpoint file")
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(ckpt, dict) or not {"model", "epoch", "torch_rng", "history", "settings"} <= set(ckpt):
        raise ValueError(f"init_from={str(path)!r} is not a checkpoint written by sgnlib.train")
    if not 1 <= int(ckpt["epoch"]) < epochs:
        raise ValueError(f"init_from holds {int(ckpt['epoch'])} epochs: a branch of {epochs} epochs must start after 1 to {epochs - 1}")
    trunk = json.loads(ckpt["settings"])
    for key in ("examples", "record_iterations", "eval", "loss", "architecture"):
        if key in trunk and trunk.get(key) != settings[key]:
            raise ValueError(f"init_from was trained with {key}={trunk.get(key)!r}; this run has {key}={settings[key]!r}")
    return ckpt


# ----------------------------------------------------------------------------- fit


def _check_int(value, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bound}; got {value!r}")
    return value


def _check_epochs_list(values, epochs: int, name: str) -> tuple[int, ...]:
    values = tuple(values)
    for e in values:
        _check_int(e, f"each of {name}", 0, epochs)
    return values


def fit(
    model: torch.nn.Module,
    dataset,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    lr_schedule: LRSchedule | str = "constant",
    batch_schedule: BatchSchedule | None = None,
    loss="cross_entropy",
    seed: int = 0,
    device: str = "auto",
    eval_dataset=None,
    checkpoint_dir: str | Path | None = None,
    snapshot_epochs: Sequence[int] = (),
    callback: Callable[[int, torch.nn.Module], Any] | None = None,
    callback_epochs: Sequence[int] = (),
    record_iterations: bool = False,
    progress: bool = True,
    init_from: str | Path | None = None,
) -> dict[str, list]:
    """Train ``model`` in place with plain SGD; returns the history (also in the checkpoint).

    Per epoch the history holds ``epoch`` (1-based, completed), ``lr`` (at the epoch's first
    step), ``batch_size``, ``steps``, ``train_loss`` (mean mini-batch loss over the epoch) and,
    with ``eval_dataset``, ``eval_loss`` and ``eval_accuracy``; with ``record_iterations``,
    ``iteration_loss`` holds every mini-batch loss. ``callback(epoch, model)`` runs after the
    listed ``callback_epochs`` (0 = before training) and its returns are stored under
    ``history["callbacks"]`` as ``[epoch, value]`` pairs (not checkpointed: on resume, only epochs
    trained by this call run it). ``snapshot_epochs`` saves the weights after those epochs in
    ``checkpoint_dir`` as ``snapshot-<epoch>.pt`` (see :meth:`TrainResult.snapshot`).
    ``loss`` is a name of :data:`LOSSES` or a callable ``loss(output, target)`` (a batch mean).
    The global torch random state is left as it was.

    ``init_from``: a checkpoint of another run (its ``last.pt``) to branch from when this run has
    no checkpoint of its own: its weights, completed epochs, torch random state and history carry
    over, and training goes on at the next epoch under this call's schedules (the data order of
    epoch ``e`` depends on ``(seed, e)`` only, so with the same ``seed`` a branch and an
    uninterrupted run see the same batches). Both runs then share everything up to the branch.
    """
    D = _check_dataset(dataset)
    _check_int(epochs, "epochs", 1)
    _check_int(batch_size, "batch_size", 1, D)
    check_positive(lr, "lr")
    if isinstance(lr_schedule, str):
        lr_schedule = LRSchedule(lr_schedule)
    if not isinstance(lr_schedule, LRSchedule):
        raise ValueError(f"lr_schedule must be an LRSchedule or one of 'constant'; got {lr_schedule!r}")
    batch_schedule = batch_schedule or BatchSchedule()
    if not isinstance(batch_schedule, BatchSchedule):
        raise ValueError(f"batch_schedule must be a BatchSchedule or None; got {batch_schedule!r}")
    lr_schedule.multiplier(0, 0, epochs)  # resolves (and checks) the milestones against this run
    sizes = [batch_schedule.batch_size(batch_size, e, epochs) for e in range(epochs)]
    if max(sizes) > D:
        raise ValueError(f"the batch-size schedule reaches batch size {max(sizes)} > {D} examples in the data set")
    _check_int(seed, "seed", 0)
    snapshot_epochs = _check_epochs_list(snapshot_epochs, epochs, "snapshot_epochs")
    callback_epochs = _check_epochs_list(callback_epochs, epochs, "callback_epochs")
    if callback_epochs and callback is None:
        raise ValueError("callback_epochs were given but callback is None")
    if snapshot_epochs and checkpoint_dir is None:
        raise ValueError("snapshot_epochs need a checkpoint_dir to write the snapshots to")
    if eval_dataset is not None:
        _check_dataset(eval_dataset, "eval_dataset")
    fn = _loss_fn(loss)
    device = resolve_device(device)
    settings = {
        # the architecture too (layer types and shapes): a checkpoint of another network with the same
        # parameter shapes (a Tanh MLP for a ReLU one) is never resumed
        "architecture": hashlib.sha256((repr(model) + str(next(model.parameters()).dtype)).encode()).hexdigest()[:16],
        "epochs": epochs, "batch_size": batch_size, "lr": float(lr), "lr_schedule": lr_schedule.settings(),
        "batch_schedule": batch_schedule.settings(), "loss": loss if isinstance(loss, str) else getattr(loss, "__qualname__", repr(loss)),
        "seed": seed, "examples": D, "record_iterations": bool(record_iterations), "eval": eval_dataset is not None,
    }
    settings_json = json.dumps(settings, sort_keys=True)
    folder = Path(checkpoint_dir) if checkpoint_dir is not None else None
    last = folder / "last.pt" if folder is not None else None

    model.to(device)
    history: dict[str, list] = {k: [] for k in ("epoch", "lr", "batch_size", "steps", "train_loss")}
    if eval_dataset is not None:
        history.update(eval_loss=[], eval_accuracy=[])
    if record_iterations:
        history["iteration_loss"] = []
    start = 0
    cuda_devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(streams.int_seed(seed, "sgnlib.train.dropout"))
        ckpt = _load_checkpoint(last, settings_json) if last is not None else None
        if ckpt is None and init_from is not None:
            ckpt = _branch_point(Path(init_from), epochs, settings)
            try:
                model.load_state_dict(ckpt["model"])
            except RuntimeError as exc:
                raise ValueError(f"init_from does not fit this model: {str(exc).splitlines()[0]}") from None
        if ckpt is not None:
            try:
                model.load_state_dict(ckpt["model"])
            except RuntimeError as exc:
                warnings.warn(f"ignoring checkpoint {last}: it does not fit this model ({str(exc).splitlines()[0]})", stacklevel=2)
                ckpt = None
        if ckpt is not None:
            start = int(ckpt["epoch"])
            history = {k: list(v) for k, v in ckpt["history"].items()}
            torch.set_rng_state(ckpt["torch_rng"])
            if cuda_devices and ckpt.get("cuda_rng") is not None:
                torch.cuda.set_rng_state(ckpt["cuda_rng"], cuda_devices[0])
        history.setdefault("callbacks", [])
        opt = torch.optim.SGD(model.parameters(), lr=float(lr), momentum=0.0, weight_decay=0.0)
        get = batch_loader(dataset, device)
        iteration = sum(D // sizes[e] for e in range(start))

        def run_callback(epoch: int) -> None:
            if epoch in callback_epochs:
                value = callback(epoch, model)
                model.train()
                history["callbacks"].append([epoch, value])

        if start == 0:
            run_callback(0)
        from tqdm.auto import tqdm

        bar = tqdm(total=sum(D // b for b in sizes), initial=iteration, disable=not progress, desc="SGD", unit="step", leave=False)
        for epoch in range(start, epochs):
            model.train()
            B = sizes[epoch]
            steps = D // B
            order = torch.randperm(D, generator=streams.torch_generator(seed, "sgnlib.train.order", epoch=epoch))
            losses = torch.empty(steps, device=device)
            epoch_lr = float(lr) * lr_schedule.multiplier(epoch, iteration, epochs)
            for i in range(steps):
                rate = float(lr) * lr_schedule.multiplier(epoch, iteration, epochs)
                for group in opt.param_groups:
                    group["lr"] = rate
                x, y = get(order[i * B : (i + 1) * B])[:2]
                loss_value = fn(model(x), y)
                opt.zero_grad(set_to_none=True)
                loss_value.backward()
                opt.step()
                losses[i] = loss_value.detach()
                iteration += 1
                bar.update()
            losses = losses.cpu()
            if not bool(torch.isfinite(losses).all()):
                bad = int((~torch.isfinite(losses)).nonzero()[0])
                raise FloatingPointError(f"the loss became {float(losses[bad])} at step {bad} of epoch {epoch + 1}: lower lr={lr}")
            # cross-entropy stays finite however far SGD has diverged: a run whose epoch loss is 1000 times its
            # first step's (or, resumed, its first epoch's) is never stored as finished
            first = history["train_loss"][0] if history["train_loss"] else float(losses[0])
            if float(losses.mean()) > 1e3 * abs(first) + 1e-12:
                raise FloatingPointError(f"training diverged: the mean loss of epoch {epoch + 1} is {float(losses.mean()):.3g} "
                                         f"against {first:.3g} at the start; lower lr={lr}")
            history["epoch"].append(epoch + 1)
            history["lr"].append(epoch_lr)
            history["batch_size"].append(B)
            history["steps"].append(steps)
            history["train_loss"].append(float(losses.mean()))
            if record_iterations:
                history["iteration_loss"].extend(losses.tolist())
            if eval_dataset is not None:
                ev = evaluate(model, eval_dataset, loss=fn, device=device)
                history["eval_loss"].append(ev["loss"])
                history["eval_accuracy"].append(ev["accuracy"])
            bar.set_postfix(epoch=epoch + 1, loss=f"{history['train_loss'][-1]:.3g}")
            if folder is not None:
                state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
                if epoch + 1 in snapshot_epochs:
                    _atomic_save({"model": state, "epoch": epoch + 1}, folder / f"snapshot-{epoch + 1}.pt")
                _atomic_save(
                    {
                        "model": state,
                        "epoch": epoch + 1,
                        "torch_rng": torch.get_rng_state(),
                        "cuda_rng": torch.cuda.get_rng_state(cuda_devices[0]) if cuda_devices else None,
                        "history": {k: v for k, v in history.items() if k != "callbacks"},
                        "settings": settings_json,
                    },
                    last,
                )
            run_callback(epoch + 1)
        bar.close()
    model.eval()
    return history


# ----------------------------------------------------------------------------- train (cached)


@dataclass
class TrainResult:
    """A trained network of :func:`train`: the model (eval mode), its history and where it is cached."""

    model: torch.nn.Module
    history: dict[str, list]
    settings: dict
    folder: Path
    trained: bool = False
    model_kwargs: dict = field(default_factory=dict, repr=False)

    @property
    def dtype(self) -> torch.dtype:
        """The network's floating type (``train``'s ``dtype``)."""
        return torch_dtype(self.settings.get("dtype", "float32"))

    def snapshot(self, epoch: int) -> torch.nn.Module:
        """The network as it was after ``epoch`` (0 = initial weights; needs ``epoch`` in ``snapshot_epochs``)."""
        model = models.build(self.settings["model"]["name"], **self.model_kwargs).to(self.dtype)
        if epoch == 0:
            return model.eval()
        path = self.folder / f"snapshot-{epoch}.pt"
        if not path.is_file():
            have = sorted(int(p.stem.split("-")[1]) for p in self.folder.glob("snapshot-*.pt"))
            raise ValueError(f"no snapshot after epoch {epoch!r}; saved: {have} (pass snapshot_epochs to train)")
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True)["model"])
        return model.eval()


def _snapshots_by_rerun(folder: Path, ckpt: dict, missing: list[int], build: Callable[[], torch.nn.Module],
                        fit_kw: dict) -> None:
    """Write the ``missing`` snapshots of the finished run in ``folder`` without touching its ``last.pt``.

    The run is trained again in ``folder/_snapshot-rerun`` (an interruption resumes there), its
    snapshots are moved into ``folder``, and its final weights are compared with the stored ones:
    where they differ (a GPU's non-deterministic kernels, another CPU), the snapshots belong to
    another trajectory and a warning says so.
    """
    import shutil

    side = folder / "_snapshot-rerun"
    side.mkdir(exist_ok=True)
    net = build()
    fit(net, checkpoint_dir=side, snapshot_epochs=missing, **fit_kw)
    same = all(torch.equal(v.cpu(), ckpt["model"][k]) for k, v in net.state_dict().items())
    for e in missing:
        os.replace(side / f"snapshot-{e}.pt", folder / f"snapshot-{e}.pt")
    shutil.rmtree(side, ignore_errors=True)
    if not same:
        warnings.warn(f"the snapshots added to {folder} come from a re-run whose final weights differ from the stored "
                      "run's (non-deterministic kernels): they are not exactly that run's trajectory", stacklevel=3)


#: Beside a finished run: how long its training took (a resumed run: the last part only).
_COST_FILE = "cost.json"


def _recorded_seconds(folder: Path) -> dict:
    """``{"recorded_seconds": s}`` when the run in ``folder`` recorded its training time, else ``{}``."""
    try:
        return {"recorded_seconds": float(json.loads((folder / _COST_FILE).read_text())["seconds"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def train(
    model: str,
    dataset,
    *,
    data_key: str,
    num_classes: int,
    model_kwargs: dict | None = None,
    epochs: int,
    batch_size: int,
    lr: float,
    lr_schedule: LRSchedule | str = "constant",
    batch_schedule: BatchSchedule | None = None,
    loss: str = "cross_entropy",
    seed: int = 0,
    eval_dataset=None,
    eval_key: str | None = None,
    snapshot_epochs: Sequence[int] = (),
    callback: Callable[[int, torch.nn.Module], Any] | None = None,
    callback_epochs: Sequence[int] = (),
    record_iterations: bool = False,
    device: str = "auto",
    progress: bool = True,
    cache_root: str | Path | None = None,
    branch_from: TrainResult | None = None,
    dtype: str = "float32",
) -> TrainResult:
    """Build ``models.build(model, num_classes=..., seed=seed, **model_kwargs)`` and train it with :func:`fit`, once.

    The run is cached under ``<cache_root or default_cache_dir()>/train/<unit_key(settings)>/``;
    ``settings`` holds the model name and arguments, ``data_key`` (a string naming the data set
    and subset, e.g. ``"fashion_mnist/train/5000"``: the caller vouches that it identifies
    ``dataset``), ``eval_key`` (same for ``eval_dataset``), the schedules, epochs, batch size,
    learning rate, loss, seed, :data:`VERSION` and, on the CPU, the number of torch threads (the
    numbers depend on it). A finished run is loaded without training
    (``result.trained`` is False and no callback runs); an interrupted one resumes from its last
    epoch. The device is not part of the key. Snapshots asked for but missing from a finished run
    are made by re-running the (deterministic) training.

    ``branch_from``: a finished run of :func:`train` (the trunk) to continue from its last epoch
    under this call's schedules (``init_from`` of :func:`fit`); the trunk's key becomes part of
    the settings, so two branches of one trunk share its weights and history up to the branch.

    ``dtype``: "float32" or "float64", the network's floating type (the floating tensors of
    ``dataset`` must have it). float64 makes a short run reproducible across CPUs, thread counts
    and devices (rounding ~1e-16 instead of ~1e-7, which chaotic SGD amplifies); it is part of the
    key when it is not float32.
    """
    net_dtype = torch_dtype(dtype)
    _check_input_dtype(dataset, net_dtype, "dataset")
    if eval_dataset is not None:
        _check_input_dtype(eval_dataset, net_dtype, "eval_dataset")
    if not isinstance(data_key, str) or not data_key:
        raise ValueError(f"data_key must be a non-empty string naming the data set; got {data_key!r}")
    if eval_dataset is not None and not (isinstance(eval_key, str) and eval_key):
        raise ValueError(f"eval_key must name eval_dataset (a non-empty string); got {eval_key!r}")
    if not isinstance(loss, str):
        raise ValueError(f"train takes a loss by name (one of {', '.join(sorted(LOSSES))}) so that it can key the cache; got {loss!r}")
    if isinstance(lr_schedule, str):
        lr_schedule = LRSchedule(lr_schedule)
    clash = sorted({"num_classes", "seed"} & set(model_kwargs or {}))
    if clash:
        raise ValueError(f"pass {clash[0]!r} to train itself, not inside model_kwargs")
    kwargs = dict(model_kwargs or {}, num_classes=num_classes, seed=seed)
    net = models.build(model, **kwargs).to(net_dtype)  # checks the model name and arguments before anything long
    from sgnlib.cache import check_may_compute, default_cache_dir, notify, unit_key

    settings = {
        "model": {"name": model, "kwargs": {k: str(v) if isinstance(v, torch.dtype) else v for k, v in kwargs.items()}},
        "data": data_key,
        "eval": eval_key if eval_dataset is not None else None,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": float(check_positive(lr, "lr")),
        "lr_schedule": lr_schedule.settings() if isinstance(lr_schedule, LRSchedule) else lr_schedule,
        "batch_schedule": batch_schedule.settings() if isinstance(batch_schedule, BatchSchedule) else None,
        "loss": loss,
        "seed": seed,
        "record_iterations": bool(record_iterations),
        "version": VERSION,
    }
    if dtype != "float32":
        settings["dtype"] = dtype
    if resolve_device(device) == "cpu":
        # CPU results depend on the thread count (reductions split differently): a network trained
        # with 2 threads must not be served to a run that would train it with 1.
        settings["cpu_threads"] = torch.get_num_threads()
    init_from = None
    if branch_from is not None:
        if not isinstance(branch_from, TrainResult):
            raise ValueError(f"branch_from must be a TrainResult of train(); got {type(branch_from).__name__}")
        init_from = branch_from.folder / "last.pt"
        settings["branch_from"] = branch_from.folder.name
    folder = Path(cache_root if cache_root is not None else default_cache_dir()) / "train" / unit_key(settings)
    last = folder / "last.pt"
    missing = [e for e in snapshot_epochs if e > 0 and not (folder / f"snapshot-{e}.pt").is_file()]
    ckpt, completed = None, 0
    if last.is_file():
        try:
            ckpt = torch.load(last, map_location="cpu", weights_only=True)
            completed = int(ckpt["epoch"]) if isinstance(ckpt, dict) else 0
        except Exception:
            ckpt = None  # fit reports it and starts afresh
    if ckpt is not None and completed == epochs:
        if missing:
            # A finished run is never deleted to add snapshots: they are made by a second training
            # in a side folder (resumable), checked against the stored weights, then moved in.
            check_may_compute("train", folder)
            _snapshots_by_rerun(folder, ckpt, missing, lambda: models.build(model, **kwargs).to(net_dtype), dict(
                dataset=dataset, epochs=epochs, batch_size=batch_size, lr=lr, lr_schedule=lr_schedule,
                batch_schedule=batch_schedule, loss=loss, seed=seed, device=device, eval_dataset=eval_dataset,
                record_iterations=record_iterations, progress=progress, init_from=init_from))
        notify("hit", "train", folder.name, folder, **_recorded_seconds(folder))
        net.load_state_dict(ckpt["model"])
        history = {k: list(v) for k, v in ckpt["history"].items()}
        history["callbacks"] = []
        return TrainResult(net.eval(), history, settings, folder, trained=False, model_kwargs=kwargs)
    check_may_compute("train", folder)  # $SGN_CACHE_REQUIRE: a run that should have been precomputed
    if ckpt is not None and any(e <= completed for e in missing):
        last.unlink()  # an unfinished run past a missing snapshot: re-run it from scratch (the run is deterministic)
    folder.mkdir(parents=True, exist_ok=True)
    notify("start", "train", folder.name, folder)
    t0 = time.perf_counter()
    (folder / "settings.json").write_text(json.dumps(settings, sort_keys=True, indent=1, default=str))
    history = fit(
        net, dataset, epochs=epochs, batch_size=batch_size, lr=lr, lr_schedule=lr_schedule, batch_schedule=batch_schedule,
        loss=loss, seed=seed, device=device, eval_dataset=eval_dataset, checkpoint_dir=folder, snapshot_epochs=snapshot_epochs,
        callback=callback, callback_epochs=callback_epochs, record_iterations=record_iterations, progress=progress,
        init_from=init_from,
    )
    took = round(time.perf_counter() - t0, 4)
    atomic_write(folder / _COST_FILE, lambda fh: fh.write(json.dumps({"seconds": took}).encode()))
    notify("stored", "train", folder.name, folder, seconds=took)
    return TrainResult(net.cpu().eval(), history, settings, folder, trained=True, model_kwargs=kwargs)
