"""Compute a chapter's cached units without executing its notebook, on one process or spread over ranks.

``python -m sgnlib precompute 07 --profile paper`` computes every unit (:class:`sgnlib.cache.UnitCache`
units and trained networks of :func:`sgnlib.train.train`) that chapter 07 needs at that profile;
``python -m sgnlib run 07 --profile paper`` then executes the chapter and finds all of them cached
(``run --require-cached`` checks it: a missing unit is an error, not a computation).

The same command under ``torchrun`` spreads the work::

    torchrun --nproc_per_node 8 -m sgnlib precompute 07 --profile paper
    torchrun --nnodes 4 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint HOST:29500 \\
        -m sgnlib precompute 07 --profile paper        # SGN_CACHE_DIR on a shared file system

Each chapter's work is a list of **stages**, each a list of **tasks**; a task is one call of a
study on a slice of its sweep (one network, one training run, one learning rate...). A task's
random streams derive from its settings alone (:mod:`sgnlib.streams`), so it computes the same
units on any rank as in a single process. Rank ``r`` of ``W`` runs tasks ``r, r + W, r + 2W, ...``
of a stage on its own device (``cuda:LOCAL_RANK`` when the chapter runs on CUDA), writing every
unit atomically; all ranks meet at a barrier (``torch.distributed``: ``gloo`` on CPU, ``nccl`` on
GPUs) before the next stage, whose tasks may read the units of the previous one. A rank that dies
loses only the unit it was computing; launching again skips everything cached. Rank 0 reports
progress and, at the end, a summary of every rank (tasks, units computed and loaded, seconds),
also written beside the units (:func:`summary_path`).

One unit is never split over ranks: the largest (a network's noise measurement over many
mini-batches, chapter 03) runs on one device. Chapters 01, 05 and 06 have no plan: their units
are minutes of CPU time.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Task", "TaskFailed", "PLANS", "chapter_parameters", "chapter_plan", "Rank", "init_rank", "precompute",
           "summary_path", "cached_units", "differing_units", "main"]

#: ``SGN_PRECOMPUTE_FAULT="RANK:N"`` kills rank RANK with SIGKILL when it starts computing its
#: (N+1)-th unit: the fault injection of the tests (a rank dying in the middle of a unit).
FAULT_ENV = "SGN_PRECOMPUTE_FAULT"


class TaskFailed(Exception):
    """A task of a precompute raised (names the chapter, the rank and the task)."""


@dataclass(frozen=True)
class Task:
    """One call ``fn(**kwargs)`` that computes (or loads) a slice of a chapter's units; ``label`` names it."""

    label: str
    fn: Callable
    kwargs: dict = field(default_factory=dict)

    def run(self):
        return self.fn(**self.kwargs)


#: chapter number -> function(parameters) -> list of stages (each a list of :class:`Task`).
PLANS: dict[str, Callable[[dict], list[list[Task]]]] = {}


def _plan(number: str):
    def register(fn):
        PLANS[number] = fn
        return fn

    return register


def _set_threads(n: int) -> None:
    """The chapter's own ``torch.set_num_threads`` (CPU results and the training cache key depend on it)."""
    import torch

    if n and n > 0:
        torch.set_num_threads(int(n))


@_plan("02")
def _plan_02(p: dict) -> list[list[Task]]:
    from sgnlib.studies import estimators as es

    return [[Task(f"estimators {m} α={a:g} n={n}", es.accuracy_estimates,
                  dict(methods=[m], alphas=[a], ns=[n], n_rep=p["study_reps"], seed=p["seed"]))
             for n in p["study_ns"] for a in p["study_alphas"] for m in p["study_methods"]]]


@_plan("03")
def _plan_03(p: dict) -> list[list[Task]]:
    from sgnlib.studies import heavy_tails as ht

    _set_threads(p["cpu_threads"])
    specs = ht.make_specs(cnn_models=p["cnn_models"], cnn_widths=p["cnn_widths"], image_data=p["image_data"],
                          image_subset=p["image_subset"], cnn_batch=p["cnn_batch"], sweep_batches=p["sweep_batches"],
                          text_data=p["text_data"], text_subset=p["text_subset"], text_width=p["text_width"],
                          text_batches=p["text_batches"], text_layers=p["text_layers"], epochs=p["epochs"], lr=p["lr"],
                          train_batch=p["train_batch"], dtype=p["dtype"], cnn_seeds=p["cnn_seeds"])
    kw = dict(seed=p["seed"], n_batches=p["n_batches"], n_coords=p["n_coords"], method=p["method"], level=p["level"],
              device=p["device"])
    null = Task(f"Gaussian null of the tests at K={p['n_batches']}", ht.null_rates,
                dict(n_batches=p["n_batches"], seed=p["seed"], n_columns=p["n_null"], level=p["level"]))
    return [[Task(f"network {s.label}", ht.network_unit, dict(spec=s, **kw)) for s in specs] + [null]]


@_plan("04")
def _plan_04(p: dict) -> list[list[Task]]:
    from sgnlib.studies import lr_decay

    _set_threads(p["threads"])
    fig_setup = lr_decay.Setup(p["fig_model"], p["data"], p["fig_width"], p["subset"], p["test_subset"], p["lr"],
                               p["batch_size"], p["dtype"])
    study_setup = lr_decay.Setup(p["model"], p["data"], p["width"], p["subset"], p["test_subset"], p["lr"], p["batch_size"],
                                 p["dtype"])
    tasks = [Task(f"Figure 2: trunk {t}, two branches, three measurements", lr_decay.branch_at_decay,
                  dict(setup=fig_setup, seed=p["seed"], before_epochs=p["fig_before"], after_epochs=p["fig_after"],
                       factor=p["fig_factor"], n_batches=p["fig_batches"], n_coords=p["n_coords"], device=p["device"],
                       trunk=t))
             for t in range(p["fig_trunks"])]
    tasks += [Task(f"schedule {s}, run seed {r}", lr_decay.schedule_study,
                   dict(setup=study_setup, seed=p["seed"], epochs=p["epochs"], run_seeds=[r], milestones=p["milestones"],
                        factor=p["factor"], schedules=[s], n_batches=p["n_batches"], n_coords=p["n_coords"],
                        device=p["device"]))
              for s in lr_decay.SCHEDULES for r in p["run_seeds"]]
    return [tasks]


@_plan("07")
def _plan_07(p: dict) -> list[list[Task]]:
    from sgnlib import escape
    from sgnlib.studies import escape_real as er

    _set_threads(p["threads"])  # as the chapter
    mk = dict(hidden=p["hidden"], weight_decay=p["weight_decay"], dtype=p["dtype"])
    minima = [Task(f"minimum of {d}", escape.train_to_minimum, dict(dataset=d, seed=p["seed"], **mk))
              for d in dict.fromkeys([*p["datasets"], p["survival_dataset"]])]
    kw = dict(horizon=p["horizon"], check_every=p["check_every"], seed=p["seed"], minimum_kw=mk, device=p["device"])
    sweeps = [(d, e, p["batch_size"], p["n_seeds"], p["threshold"]) for d in p["datasets"] for e in p["etas"]]
    sweeps += [(p["survival_dataset"], p["survival_eta"], b, p["n_seeds_survival"], p["threshold"])
               for b in p["survival_batch_sizes"]]
    sweeps += [(p["datasets"][0], e, p["batch_size"], p["n_seeds_alt"], p["threshold_alt"]) for e in p["etas"]]
    runs = [Task(f"escapes {d} η={e:g} B={b} S={s} θ={t:g}", er.escape_sweep,
                 dict(dataset=d, settings=[(e, b)], n_seeds=s, threshold=t, **kw))
            for d, e, b, s, t in dict.fromkeys(sweeps)]
    return [minima, runs]


def chapter_parameters(chapter, profile: str, overrides: dict | None = None) -> dict:
    """Every parameter of a run as the notebook sees it: its parameters cell, then the profile and ``overrides``."""
    import jupytext

    from sgnlib.runner import resolve_parameters

    nb = jupytext.read(chapter.source)
    cell = next(c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", []))
    values: dict = {}
    exec(compile(cell.source, str(chapter.source), "exec"), {}, values)  # the chapter's own defaults, as it runs them
    values.update(resolve_parameters(chapter, profile, overrides))
    return values


def chapter_plan(chapter, params: dict) -> list[list[Task]]:
    """The stages of tasks of ``chapter`` for ``params`` (a :class:`sgnlib.runner.RunnerError` if it has no plan)."""
    from sgnlib.runner import RunnerError

    plan = PLANS.get(chapter.number)
    if plan is None:
        have = ", ".join(sorted(PLANS))
        raise RunnerError(f"chapter {chapter.name} has no precompute plan (its units are quick); chapters with one: {have}")
    try:
        return plan(params)
    except (ValueError, TypeError, KeyError) as exc:  # a setting the chapter's studies refuse, found before any work
        detail = (str(exc).splitlines() or [""])[0]
        raise RunnerError(f"chapter {chapter.name}: {type(exc).__name__}: {detail}") from None


@dataclass
class Rank:
    """This process's place in the launch: rank, world size, local rank, its device, and whether a group was formed."""

    rank: int = 0
    world: int = 1
    local: int = 0
    device: str = "cpu"
    distributed: bool = False

    def barrier(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            dist.barrier()

    def gather(self, obj) -> list:
        if not self.distributed:
            return [obj]
        import torch.distributed as dist

        out = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def close(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        from sgnlib.runner import RunnerError

        raise RunnerError(f"environment variable {name} must be an integer; got {text!r}") from None


def init_rank(device: str, timeout_hours: float = 24.0) -> Rank:
    """Join the launch ``torchrun`` set up (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``), or run alone.

    ``device`` is the chapter's resolved device; on CUDA each rank takes ``cuda:LOCAL_RANK``.
    """
    from sgnlib.runner import RunnerError

    rank, world, local = _env_int("RANK", 0), _env_int("WORLD_SIZE", 1), _env_int("LOCAL_RANK", 0)
    if world < 1 or not 0 <= rank < world:
        raise RunnerError(f"RANK={rank} and WORLD_SIZE={world} do not describe a launch")
    if world > 1:
        # torchrun sets TORCHELASTIC_RUN_ID; RANK/WORLD_SIZE without it are left over from another job (a SLURM
        # allocation, a sourced launch script) and joining would wait hours for ranks that never come
        if "TORCHELASTIC_RUN_ID" not in os.environ:
            raise RunnerError(f"RANK={rank} and WORLD_SIZE={world} are set but this process was not started by torchrun "
                              "(TORCHELASTIC_RUN_ID is unset): unset them, or launch with torchrun (see the README)")
        missing = [k for k in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(k)]
        if missing:
            raise RunnerError(f"{' and '.join(missing)} unset: WORLD_SIZE={world} needs the rendezvous torchrun sets up")
    cuda = device.startswith("cuda")
    if cuda:
        import torch

        n = torch.cuda.device_count()
        if world > 1 and local >= n:
            raise RunnerError(f"LOCAL_RANK={local} but this machine has {n} CUDA device(s); launch at most {n} per node")
        if world > 1:
            device = f"cuda:{local}"
            torch.cuda.set_device(local)
    if world == 1:
        return Rank(rank, world, local, device, False)
    import torch.distributed as dist

    dist.init_process_group(backend="nccl" if cuda else "gloo", timeout=_dt.timedelta(hours=timeout_hours))
    return Rank(rank, world, local, device, True)


class _Counter:
    """Unit events of this process (from :func:`sgnlib.cache.add_listener`), plus the fault injection of the tests."""

    def __init__(self, rank: int):
        self.events: list[dict] = []
        self.started = 0
        self.fault_after = None
        spec = os.environ.get(FAULT_ENV)
        if spec:
            r, _, n = spec.partition(":")
            if not (r.isdigit() and n.isdigit()):
                from sgnlib.runner import RunnerError

                raise RunnerError(f"{FAULT_ENV} must read RANK:N (two whole numbers); got {spec!r}")
            if int(r) == rank:
                self.fault_after = int(n)

    def __call__(self, event: dict) -> None:
        if event["event"] == "start":
            if self.fault_after is not None and self.started >= self.fault_after:
                os.kill(os.getpid(), signal.SIGKILL)  # a rank dying in the middle of a unit (tests)
            self.started += 1
        self.events.append(event)


def precompute(chapter_key: str, profile: str = "book", pairs: list | None = None, *, timeout_hours: float = 24.0,
               log=print, rank: Rank | None = None) -> dict:
    """Compute every unit of ``chapter_key`` at ``profile`` (with ``-p`` ``pairs``); this rank's share under torchrun.

    ``rank``: the launch joined by the caller (:func:`init_rank`); by default this call joins it
    and leaves it at the end. Returns the summary (rank 0: every rank's; others: their own).
    """
    from sgnlib import cache as _cache
    from sgnlib.provenance import unit_costs
    from sgnlib.runner import get_chapter, overrides_from_pairs

    ch = get_chapter(chapter_key)
    overrides = overrides_from_pairs(ch, list(pairs or []))
    params = chapter_parameters(ch, profile, overrides)  # names and values checked against the chapter
    chapter_plan(ch, params)  # every setting checked before joining the launch (cheap: nothing is computed)
    owns_rank = rank is None
    if owns_rank:
        rank = init_rank(params.get("device", "cpu"), timeout_hours)
    if str(params.get("device", "cpu")).startswith("cuda") and rank.device.startswith("cuda"):
        params["device"] = rank.device  # each rank on its own GPU
    counter = _cache.add_listener(_Counter(rank.rank))
    say = log if rank.rank == 0 else (lambda *a, **k: None)
    t_start = time.perf_counter()
    try:
        stages = chapter_plan(ch, params)
        n_tasks = sum(map(len, stages))
        say(f"precompute {ch.name} ({profile}): {len(stages)} stage(s), {n_tasks} task(s), {rank.world} rank(s)"
            f"{', device ' + rank.device if rank.world == 1 else ''}", flush=True)
        done = []
        for si, stage in enumerate(stages, 1):
            mine = stage[rank.rank::rank.world]
            for ti, task in enumerate(mine, 1):
                t0 = time.perf_counter()
                try:
                    task.run()
                except (ValueError, TypeError, RuntimeError, OSError) as exc:
                    detail = (str(exc).splitlines() or [""])[0]
                    raise TaskFailed(f"precompute {ch.name} ({profile}), rank {rank.rank}: task '{task.label}' failed: "
                                     f"{type(exc).__name__}: {detail}") from exc
                done.append({"stage": si, "task": task.label, "seconds": round(time.perf_counter() - t0, 3)})
                say(f"  stage {si}/{len(stages)}, rank 0: {ti}/{len(mine)} {task.label} ({done[-1]['seconds']:.1f} s)", flush=True)
            rank.barrier()
            say(f"stage {si}/{len(stages)} done by every rank ({time.perf_counter() - t_start:.1f} s)", flush=True)
        units = unit_costs(counter.events)
        mine_summary = {"rank": rank.rank, "device": rank.device, "tasks": done, "units_stored": units["computed"],
                        "units_loaded": units["loaded"], "seconds": round(time.perf_counter() - t_start, 3)}
        ranks = rank.gather(mine_summary)
    finally:
        _cache.remove_listener(counter)
    summary = {"chapter": ch.name, "profile": profile, "overrides": {k: v for k, v in overrides.items()},
               "world_size": rank.world, "finished": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "ranks": ranks}
    if rank.rank == 0:
        for r in ranks:
            say(f"rank {r['rank']} ({r['device']}): {len(r['tasks'])} task(s), {r['units_stored']} unit(s) computed, "
                f"{r['units_loaded']} loaded from the cache, {r['seconds']:.1f} s", flush=True)
        out = summary_path(ch.name, profile)
        out.parent.mkdir(parents=True, exist_ok=True)
        from sgnlib._io import atomic_write

        atomic_write(out, lambda fh: fh.write(json.dumps(summary, indent=1, default=str).encode()))
        say(f"summary → {out}; `python -m sgnlib run {ch.number} --profile {profile}` now finds every unit cached", flush=True)
    rank.barrier()
    if owns_rank:
        rank.close()
    return summary


def summary_path(name: str, profile: str) -> Path:
    """Where rank 0 writes the summary of a precompute: beside the units it describes (``<cache>/_precompute/``)."""
    from sgnlib.cache import default_cache_dir

    return default_cache_dir() / "_precompute" / f"{name}-{profile}.json"


def cached_units(root: str | Path) -> dict[str, dict]:
    """Every unit stored under the cache folder ``root``: relative path -> its arrays (the recorded compute time aside)."""
    import numpy as np

    root = Path(root)
    out = {}
    for p in sorted(root.rglob("*.npz")):
        with np.load(p, allow_pickle=False) as f:
            out[p.relative_to(root).as_posix()] = {k: f[k] for k in f.files if k != "__seconds__"}
    return out


def differing_units(a: dict, b: dict) -> list[str]:
    """The units of either :func:`cached_units` result missing from the other or holding other arrays (NaN == NaN)."""
    import numpy as np

    def same(x: dict, y: dict) -> bool:
        return sorted(x) == sorted(y) and all(
            np.array_equal(x[k], y[k], equal_nan=x[k].dtype.kind in "fc" and y[k].dtype.kind in "fc") for k in x)

    return sorted({n for n in a if n not in b or not same(a[n], b[n])} | {n for n in b if n not in a})


def main(args) -> int:
    """``python -m sgnlib precompute`` (called by :func:`sgnlib.runner.main` with its parsed arguments).

    Usage errors raise :class:`sgnlib.runner.RunnerError` (exit 2, one line, from the runner); a task
    that fails is one line naming the chapter, the task and the rank (exit 1).
    """
    if not args.timeout_hours > 0:
        from sgnlib.runner import RunnerError

        raise RunnerError(f"--timeout-hours must be > 0; got {args.timeout_hours!r}")
    from sgnlib.runner import _check_cache

    _check_cache()
    if args.chapter != "all":
        try:
            precompute(args.chapter, args.profile, args.parameter, timeout_hours=args.timeout_hours)
        except TaskFailed as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    import torch

    from sgnlib.runner import get_chapter, overrides_from_pairs

    for key in sorted(PLANS):  # every chapter's plan checked before the first unit of any is computed
        ch = get_chapter(key)
        chapter_plan(ch, chapter_parameters(ch, args.profile, overrides_from_pairs(ch, list(args.parameter or []))))
    rank = init_rank("cuda" if torch.cuda.is_available() else "cpu", args.timeout_hours)
    try:
        for key in sorted(PLANS):
            precompute(key, args.profile, args.parameter, timeout_hours=args.timeout_hours, rank=rank)
    except TaskFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        rank.close()
    return 0
