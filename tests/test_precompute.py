"""Issue 13: `python -m sgnlib precompute` computes a chapter's units; torchrun spreads them over ranks.

Checked on chapter 07's quick profile (13 units: two minima, eleven escape settings), and the
plans of chapters 02, 03 and 04 on theirs:

* one process, then `run --require-cached`: the notebook computes nothing and prints what the
  committed quick reference prints;
* `torchrun --nproc_per_node 2` (gloo on the CPU): every unit equals the single-process unit
  array by array, both ranks computed some, and the executed notebook again matches;
* a rank killed (SIGKILL) in the middle of a unit, then a second launch: only the units not
  finished by the first launch are computed by the second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_stream_independence import checked_outputs

from sgnlib import precompute as pc
from sgnlib.runner import _read_events, get_chapter

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = "07"
REFERENCE = next((ROOT / "tests" / "notebooks").glob(f"{CHAPTER}_*.ipynb"))
pytestmark = pytest.mark.slow


def _env(cache: Path, log: Path | None = None, **extra) -> dict:
    env = dict(os.environ)
    for k in ("MPLBACKEND", "SGN_CACHE_LOG", "SGN_CACHE_REQUIRE", pc.FAULT_ENV, "RANK", "WORLD_SIZE", "LOCAL_RANK"):
        env.pop(k, None)
    env["SGN_CACHE_DIR"] = str(cache)
    if log is not None:
        env["SGN_CACHE_LOG"] = str(log)
    env.update(extra)
    return env


def _sgnlib(*args, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sgnlib", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _torchrun(*args, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "sgnlib", "precompute", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _run_required(cache: Path, out: Path) -> subprocess.CompletedProcess:
    return _sgnlib("run", CHAPTER, "--profile", "quick", "--require-cached", "--output", str(out),
                   env=_env(cache, cache.parent / f"{cache.name}-run.log"))


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> Path:
    """Chapter 07's quick units computed by one process into an empty cache."""
    cache = tmp_path_factory.mktemp("single") / "cache"
    res = _sgnlib("precompute", CHAPTER, "--profile", "quick", env=_env(cache, cache.parent / "precompute.log"))
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return cache


def test_single_process_precompute_leaves_the_run_nothing_to_compute(single, tmp_path):
    """`precompute` then `run --require-cached`: no unit computed by the run, outputs as the committed reference."""
    units = pc.cached_units(single)
    assert len(units) == 13, sorted(units)  # 2 minima + 6 Figure-3 + 2 Figure-4 + 3 threshold-check settings
    out = tmp_path / REFERENCE.name
    res = _run_required(single, out)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    events = _read_events(single.parent / "cache-run.log")
    assert events and {e["event"] for e in events} == {"hit"}, "the run computed a unit the precompute should have"
    assert checked_outputs(nbformat.read(out, as_version=4)) == checked_outputs(nbformat.read(REFERENCE, as_version=4))


def test_require_cached_names_the_missing_unit(tmp_path):
    """`run --require-cached` on an empty cache fails (exit 1) with one line naming the unit and `precompute`."""
    res = _run_required(tmp_path / "empty", tmp_path / "out.ipynb")
    assert res.returncode == 1, res.stdout[-1000:] + res.stderr[-1000:]
    err = res.stderr.strip().splitlines()[-1]
    assert "ch07-escape-minimum" in err and "not cached" in err and "precompute" in err, err


def test_torchrun_two_ranks_equal_one_process(single, tmp_path):
    """torchrun with 2 gloo ranks: both ranks compute units, every unit equals the single-process one, same outputs."""
    cache, log = tmp_path / "cache", tmp_path / "precompute.log"
    res = _torchrun(CHAPTER, "--profile", "quick", env=_env(cache, log))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    stored = [e for e in _read_events(log) if e["event"] == "stored"]
    assert {e["rank"] for e in stored} == {0, 1}, "the work was not spread over both ranks"
    assert len(stored) == 13 and len({e["path"] for e in stored}) == 13, "a unit was computed twice or not at all"
    ours, theirs = pc.cached_units(cache), pc.cached_units(single)
    assert sorted(ours) == sorted(theirs)
    assert pc.differing_units(theirs, ours) == []
    written = json.loads((cache / "_precompute" / "07_escaping_real_minima-quick.json").read_text())
    assert written["world_size"] == 2 and sum(r["units_stored"] for r in written["ranks"]) == 13
    out = tmp_path / REFERENCE.name
    res = _run_required(cache, out)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert checked_outputs(nbformat.read(out, as_version=4)) == checked_outputs(nbformat.read(REFERENCE, as_version=4))


def test_killed_rank_then_relaunch_computes_only_unfinished_units(single, tmp_path):
    """Rank 1 killed (SIGKILL) while starting its third unit; the relaunch computes exactly the units not yet stored."""
    cache, first, second = tmp_path / "cache", tmp_path / "first.log", tmp_path / "second.log"
    res = _torchrun(CHAPTER, "--profile", "quick", env=_env(cache, first, **{pc.FAULT_ENV: "1:2"}))
    assert res.returncode != 0, "the launch with a killed rank reported success"
    ev1 = _read_events(first)
    stored1 = {e["path"] for e in ev1 if e["event"] == "stored"}
    in_flight = {e["path"] for e in ev1 if e["event"] == "start"} - stored1
    assert sum(e["event"] == "stored" and e["rank"] == 1 for e in ev1) == 2
    assert any(e["rank"] == 1 for e in ev1 if e["path"] in in_flight), "rank 1 died outside a unit"
    assert len(stored1) < 13
    res = _torchrun(CHAPTER, "--profile", "quick", env=_env(cache, second))
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    stored2 = {e["path"] for e in _read_events(second) if e["event"] == "stored"}
    assert not stored1 & stored2, f"finished units were computed again: {sorted(stored1 & stored2)}"
    assert in_flight <= stored2
    assert {Path(p).relative_to(cache).as_posix() for p in stored1 | stored2} == set(pc.cached_units(single))
    assert pc.differing_units(pc.cached_units(single), pc.cached_units(cache)) == []
    assert not [p for p in cache.rglob("*") if p.name.startswith(".") and p.is_file()], "temporary files left behind"


@pytest.mark.parametrize("args, message", [
    (["01", "--profile", "quick"], "has no precompute plan"),
    (["07", "--profile", "fast"], "unknown profile 'fast'"),
    (["07", "--profile", "quick", "-p", "n_seed", "3"], "unknown parameter(s) ['n_seed']"),
    (["07", "--profile", "quick", "-p", "n_seeds", "many"], "parameter n_seeds must be an int"),
    (["07", "--profile", "quick", "--timeout-hours", "0"], "--timeout-hours must be > 0"),
    (["99", "--profile", "quick"], "unknown chapter"),
    (["03", "--profile", "quick", "-p", "cnn_widths", "[2, 3]"], "cnn_widths has 2 entries for 1 cnn_models"),
    # issue 19: `all` with a parameter only some chapters have failed after 02's and 03's units were computed
    (["all", "--profile", "quick", "-p", "fe_n", "400"], "unknown parameter(s) ['fe_n']"),
])
def test_bad_input_is_one_line(args, message, tmp_path):
    """A bad chapter, profile, parameter name or value, or timeout: exit 2 and one line naming it, nothing computed."""
    res = _sgnlib("precompute", *args, env=_env(tmp_path / "cache"), timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.stderr
    assert not (tmp_path / "cache").exists()


def test_rank_outside_the_world_is_refused(tmp_path):
    """RANK must lie in [0, WORLD_SIZE): a hand-set launch environment that does not is a one-line error."""
    res = _sgnlib("precompute", "07", "--profile", "quick", env=_env(tmp_path / "cache", RANK="2", WORLD_SIZE="2"),
                  timeout=120)
    assert res.returncode == 2 and "RANK=2 and WORLD_SIZE=2" in res.stderr, res.stderr


@pytest.mark.parametrize("env, message", [
    # issue 19: a stale launch environment (a SLURM job) made a plain precompute wait 24 h, printing nothing
    (dict(RANK="0", WORLD_SIZE="2", MASTER_ADDR="localhost", MASTER_PORT="29531"), "not started by torchrun"),
    # and without MASTER_ADDR it was a 31-line torch traceback
    (dict(RANK="0", WORLD_SIZE="2", TORCHELASTIC_RUN_ID="x"), "MASTER_ADDR and MASTER_PORT unset"),
])
def test_stale_launch_environment_is_one_line_not_a_hang(tmp_path, env, message):
    """RANK/WORLD_SIZE left over from another job are refused at once with one line, never joined."""
    res = _sgnlib("precompute", "07", "--profile", "quick", env=_env(tmp_path / "cache", **env), timeout=120)
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert res.returncode == 2 and len(lines) == 1 and message in lines[0], res.stderr


def test_plans_slice_the_sweeps_of_their_chapters():
    """Every chapter with a plan: its tasks at the quick profile are distinct and run the chapter's own studies."""
    for number in sorted(pc.PLANS):
        ch = get_chapter(number)
        stages = pc.chapter_plan(ch, pc.chapter_parameters(ch, "quick"))
        labels = [t.label for stage in stages for t in stage]
        assert labels and len(labels) == len(set(labels)), (number, labels)
        assert all(t.fn.__module__.startswith("sgnlib.") for stage in stages for t in stage)


def test_chapter_parameters_match_the_notebook_defaults():
    """The plan sees the parameters cell's defaults (expressions evaluated), then the profile's values."""
    ch = get_chapter("04")
    p = pc.chapter_parameters(ch, "quick")
    assert p["milestones"] == [1 / 3, 2 / 3] and p["subset"] == 256 and p["profile"] == "quick"
    assert pc.chapter_parameters(ch, "book")["subset"] == 1500


def test_differing_units_sees_any_difference(tmp_path):
    """Comparing two caches: a changed value, a missing unit or an extra array is reported; NaN equals NaN."""
    import numpy as np

    from sgnlib.cache import UnitCache

    for root, v in ((tmp_path / "a", 1.0), (tmp_path / "b", 1.0), (tmp_path / "c", 2.0)):
        UnitCache("ns", root=root).save({"k": 1}, {"x": np.array([v, np.nan])}, seconds=0.5)
    a, b, c = (pc.cached_units(tmp_path / n) for n in "abc")
    assert pc.differing_units(a, b) == [] and list(a) == [f"ns/{UnitCache('ns').path({'k': 1}).name}"]
    assert pc.differing_units(a, c) == list(a)
    assert pc.differing_units(a, {}) == list(a) == pc.differing_units({}, a)
    name = list(a)[0]
    assert pc.differing_units(a, {name: dict(a[name], y=np.ones(1))}) == [name]
