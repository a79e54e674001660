"""Fault injection against the chapter runner (issue 8): every bad input is named before anything runs,
and no fault loses a good notebook or leaves temporary files behind.

Each test uses a throw-away repository of tiny chapters (``runner_fixtures``), never the real ones.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from runner_fixtures import ALL_PROFILES_EMPTY, BROKEN, make_repo

from sgnlib import runner
from sgnlib.provenance import RUN_METADATA_KEY, read_run_metadata, write_run_metadata

ROOT = Path(__file__).resolve().parent.parent

TYPED = """
# %% tags=["parameters"]
profile = "book"
seed = 0
n = 3
scale = 1.5
device = "auto"
flag = False
name = "x"
ns = [1, 2]
xs = [0.5, 1.0]
words = ["a", "b"]
expr = 2 ** 3

# %%
print(repr((seed, n, scale, flag, name, ns, xs, words, expr)))
"""

SLEEPY = """
# %% tags=["parameters"]
seconds = 0.0
marker = ""

# %%
import pathlib, time
if marker:
    pathlib.Path(marker).write_text("started")
time.sleep(seconds)
print("slept", seconds)
"""

INTERRUPTS = """
# %% tags=["parameters"]
x = 1

# %%
raise KeyboardInterrupt
"""

DIES = """
# %% tags=["parameters"]
x = 1

# %%
import os
os._exit(1)
"""


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch) -> Path:
    """A repository of tiny chapters; SGN_BOOK_ROOT and the temporary folder point into tmp_path."""
    root = make_repo(
        tmp_path / "repo",
        {
            "01_typed": (TYPED, "quick:\n  n: 1\nbook: {}\npaper: {}\n"),
            "02_broken": (BROKEN, ALL_PROFILES_EMPTY),
            "03_sleepy": (SLEEPY, ALL_PROFILES_EMPTY),
            "04_interrupts": (INTERRUPTS, ALL_PROFILES_EMPTY),
            "05_dies": (DIES, ALL_PROFILES_EMPTY),
        },
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("SGN_BOOK_ROOT", str(root))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", str(tmp))
    return root


def _cli(capsys, *argv: str) -> tuple[int, str]:
    """Run the command line in-process: (exit status, stderr); a usage error of argparse counts as its status."""
    try:
        code = runner.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, f"expected one line, got:\n{err}"
    return lines[0]


def _reference(repo: Path, name: str, text: str = '{"previous": "good"}') -> Path:
    """A stand-in for a committed quick reference, to check that a fault leaves it byte for byte."""
    path = repo / "tests" / "notebooks" / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _leftovers(repo: Path) -> list[Path]:
    tmp = repo.parent / "tmp"
    hidden = [p for p in repo.rglob(".*") if p.is_file()]
    return sorted(tmp.iterdir()) + hidden


# ---------------------------------------------------------------- checked before anything runs


def test_output_that_is_a_directory_is_refused_before_running(repo, capsys):
    """--output naming a folder is a one-line usage error before the kernel starts; no stray .tmp file."""
    marker = repo / "started"
    code, err = _cli(capsys, "run", "03", "--profile", "quick", "-p", "marker", str(marker), "--output", str(repo))
    assert code == 2 and "is a directory" in _one_line(err)
    assert not marker.exists() and _leftovers(repo) == []


@pytest.mark.parametrize(
    "output, message",
    [
        ("file.txt/out.ipynb", "is not a directory"),
        ("out.html", "must name a .ipynb file"),
        ("out.failed.ipynb", "must not end in .failed.ipynb"),
    ],
)
def test_output_that_cannot_be_written_is_refused(repo, capsys, output, message):
    """An --output under a file, without .ipynb, or with the failed-run suffix is a one-line usage error."""
    (repo / "file.txt").write_text("x")
    code, err = _cli(capsys, "run", "01", "--profile", "quick", "--output", str(repo / output))
    assert code == 2 and message in _one_line(err)
    assert _leftovers(repo) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write to read-only folders")
def test_output_in_read_only_folder_is_refused(repo, capsys):
    """An --output in a folder without write permission is refused before running."""
    ro = repo / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, err = _cli(capsys, "run", "01", "--profile", "quick", "--output", str(ro / "x.ipynb"))
    finally:
        ro.chmod(0o700)
    assert code == 2 and "cannot write" in _one_line(err)


def test_every_chapter_is_checked_before_the_first_runs(repo, capsys):
    """`run 01 03 -p n 5`: chapter 03 has no n, so nothing runs and 01's reference is not written."""
    code, err = _cli(capsys, "run", "01", "03", "--profile", "quick", "-p", "n", "5")
    assert code == 2 and "03_sleepy: unknown parameter(s) ['n']" in _one_line(err)
    assert not (repo / "tests").exists() and not (repo / "results").exists()


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("seed", "010", 10),  # YAML 1.1 would read octal 8
        ("seed", "0x10", 16),
        ("n", "1e3", 1000),
        ("n", "200_000", 200000),
        ("scale", "2", 2.0),
        ("flag", "true", True),
        ("name", "1", "1"),  # a string parameter takes the text as typed
        ("name", "2024-01-01", "2024-01-01"),
        ("name", "no", "no"),
        ("xs", "[1, 2]", [1.0, 2.0]),
        ("ns", "[]", []),
        ("ns", "[null, 2]", [None, 2]),  # null stands for "not set" in any parameter or list item
        ("n", "null", None),
        ("expr", "[1, 'a']", [1, "a"]),  # a default that is no literal is not type-checked
    ],
)
def test_parameter_values_are_read_as_yaml_1_2_and_the_default_type(repo, name, text, expected):
    """-p values: YAML 1.2 scalars (no octal, no dates, no yes/no), converted to the default's type."""
    (plan,) = runner.plan_runs(["01"], "quick", [(name, text)])
    value = plan.parameters[name]
    assert value == expected and type(value) is type(expected)


# "-p NAME VALUE" → what the one-line error says about NAME
WRONG_TYPES = """\
seed abc        → must be an int
seed 2024-01-01 → must be an int
n 2.7           → must be an int
n true          → must be an int
scale abc       → must be a number
scale .nan      → must be a finite number
flag yes        → must be true or false
ns [1, 2.5]     → must be a list of ints
xs [1, a]       → must be a list of numbers
words abc       → must be a list of strings
profile paper   → is set by --profile
device gpu      → : device must be
""".splitlines()


@pytest.mark.parametrize("row", WRONG_TYPES)
def test_parameter_value_of_wrong_type_is_a_one_line_usage_error(repo, capsys, row):
    """A -p value that does not match its default's type is refused up front, naming the parameter."""
    given, _, says = row.partition("→")
    name, text = given.strip().split(" ", 1)
    message = f"parameter {name}{'' if says.strip().startswith(':') else ' '}{says.strip()}"
    code, err = _cli(capsys, "run", "01", "--profile", "quick", "-p", name, text)
    assert code == 2 and message in _one_line(err)
    assert not (repo / "tests").exists() and not (repo / "results").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present here")
def test_cuda_without_a_gpu_is_a_usage_error(repo, capsys):
    """`-p device cuda` on a machine without CUDA is a one-line error naming the device, exit status 2."""
    code, err = _cli(capsys, "run", "01", "--profile", "quick", "-p", "device", "cuda")
    assert code == 2 and "parameter device" in _one_line(err) and "CUDA is not available" in err


@pytest.mark.parametrize("command", [["run", "01", "--profile", "quick"], ["precompute", "all", "--profile", "quick"]])
def test_a_bad_cache_folder_is_refused_before_any_work(repo, capsys, monkeypatch, tmp_path, command):
    """Issue 19: SGN_CACHE_DIR naming a file was found only when the first unit was stored, after the work."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SGN_CACHE_DIR", str(blocker / "cache"))
    code, err = _cli(capsys, *command)
    assert code == 2 and "SGN_CACHE_DIR" in _one_line(err) and "cannot be written" in err
    monkeypatch.setenv("SGN_CACHE_DIR", str(blocker))
    code, err = _cli(capsys, *command)
    assert code == 2 and "is not a folder" in _one_line(err)


@pytest.mark.parametrize("device", ["meta", "mps"])
def test_devices_no_experiment_runs_on_are_refused(repo, capsys, device):
    """Issue 19: `-p device meta` passed the device check (a device torch knows, but not one to compute on)."""
    code, err = _cli(capsys, "run", "01", "--profile", "quick", "-p", "device", device)
    assert code == 2 and "parameter device" in _one_line(err) and f"got {device!r}" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-p", "n", "1", "-p", "n", "2"], "-p n is given more than once"),
        (["--timeout", "0"], "--timeout must be > 0"),
        (["--timeout", "soon"], "--timeout must be a whole number"),
        (["--profile", "fast"], "unknown profile 'fast'"),
    ],
)
def test_command_line_misuse_is_one_line(repo, capsys, argv, message):
    """Repeated -p, a bad --timeout or profile: one line on stderr, exit status 2, no traceback."""
    code, err = _cli(capsys, "run", "01", "--profile", "quick", *argv)
    assert code == 2 and message in _one_line(err)


@pytest.mark.parametrize(
    "yml, message",
    [
        ("quick:\n  n: [1,\n", "01_typed.yml: not valid YAML (line"),
        ("- quick\n- book\n", "expected a mapping of profile"),
        ("fast: {}\n", "unknown profile(s) ['fast']"),
        ("quick: [1, 2]\n", "profile quick must be a mapping"),
        ("quick:\n  bogus: 1\n", "unknown parameter(s) ['bogus'] in profile quick in notebooks/01_typed.yml"),
        ("quick:\n  n: abc\n", "parameter n must be an int (its default is 3); got 'abc' from profile quick"),
        ("quick:\n  profile: book\n", "parameter profile is set by --profile"),
        # issue 19: a duplicated block was last-wins, silently discarding the first
        ("quick:\n  n: 1\nbook: {}\npaper: {}\nquick:\n  n: 2\n", "the key 'quick' is given twice (lines 1 and 5)"),
        ("quick:\n  n: 1\n  n: 2\nbook: {}\npaper: {}\n", "the key 'n' is given twice"),
    ],
)
def test_malformed_profile_file_is_named(repo, capsys, yml, message):
    """A broken profile .yml (syntax, shape, names, value types) is one line naming the file, exit status 2."""
    (repo / "notebooks" / "01_typed.yml").write_text(yml)
    code, err = _cli(capsys, "run", "01", "--profile", "quick")
    assert code == 2 and message in _one_line(err)
    if "parameter" not in message:  # `list` reads the file too (it does not check values, e.g. a paper-only cuda)
        code, err = _cli(capsys, "list")
        assert code == 2 and message in _one_line(err)


def test_an_empty_book_root_is_an_error_not_an_empty_list(tmp_path, capsys, monkeypatch):
    """Issue 19: SGN_BOOK_ROOT pointing to a folder without chapters made `list` exit 0 printing nothing."""
    (tmp_path / "empty" / "notebooks").mkdir(parents=True)
    (tmp_path / "empty" / "pyproject.toml").write_text("")
    monkeypatch.setenv("SGN_BOOK_ROOT", str(tmp_path / "empty"))
    for argv in (["list"], ["run", "all", "--profile", "quick"]):
        code, err = _cli(capsys, *argv)
        assert code == 2 and "no chapters found under" in _one_line(err)


def test_missing_profile_file_is_named(repo, capsys):
    """A chapter without its NN_slug.yml is one line naming the missing file, exit status 2."""
    (repo / "notebooks" / "01_typed.yml").unlink()
    code, err = _cli(capsys, "run", "01", "--profile", "quick")
    assert code == 2 and "profile file notebooks/01_typed.yml is missing" in _one_line(err)


def test_every_chapter_profile_of_the_book_passes_the_checks(monkeypatch):
    """Each profile of each real chapter names only declared parameters, with values of their defaults' types."""
    monkeypatch.delenv("SGN_BOOK_ROOT", raising=False)
    monkeypatch.setattr("sgnlib._checks.resolve_device", lambda device: device)  # a paper profile may ask for cuda
    found = runner.chapters(ROOT)
    assert found
    for ch in found:
        for profile in runner.PROFILES:
            assert runner.resolve_parameters(ch, profile)["profile"] == profile


def test_profile_file_is_yaml_1_2(repo):
    """Profile files are read like -p values: `seed: 010` is ten, not octal eight."""
    (repo / "notebooks" / "01_typed.yml").write_text("quick:\n  seed: 010\n")
    assert runner.resolve_parameters(runner.get_chapter("01"), "quick")["seed"] == 10


def test_parameters_cell_that_is_not_python_is_named(repo, capsys):
    """A syntax error in the parameters cell is a one-line usage error naming the chapter file."""
    src = repo / "notebooks" / "01_typed.py"
    src.write_text(src.read_text().replace("n = 3", "n = = 3"))
    code, err = _cli(capsys, "run", "01", "--profile", "quick")
    assert code == 2 and "01_typed.py: the parameters cell is not valid Python" in _one_line(err)


# ---------------------------------------------------------------- where runs go


def test_override_run_never_replaces_the_record_unless_asked(repo):
    """-p overrides that change the profile go to results/runs/<profile>/; --replace or equal values go to the record."""
    ch = runner.get_chapter("01")
    record = ch.output_path("quick")
    changed = runner.plan_run(ch, "quick", {"n": 5})
    assert changed.output == repo / "results" / "runs" / "quick" / "01_typed.ipynb"
    assert changed.overrides == {"n": 5} and not changed.replaces_record
    assert runner.plan_run(ch, "quick", {"n": 5}, replace=True).output == record
    same = runner.plan_run(ch, "quick", {"n": 1, "scale": 1.5})  # the quick profile's own values
    assert same.output == record and same.overrides == {}
    assert runner.plan_run(ch, "quick", {"n": 5}, output=repo / "x.ipynb").output == repo / "x.ipynb"


def test_override_run_says_where_it_wrote_and_leaves_the_record(repo, capsys, monkeypatch, tmp_path):
    """A run with overrides writes results/runs/quick/, says so, records the overrides; no temp or kernel files stay."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    record = _reference(repo, "01_typed")
    code = runner.main(["run", "01", "--profile", "quick", "-p", "seed", "010", "-p", "name", "no"])
    out = capsys.readouterr().out
    written = repo / "results" / "runs" / "quick" / "01_typed.ipynb"
    assert code == 0 and str(written) in out and "not the quick record" in out
    assert record.read_text() == '{"previous": "good"}'
    assert read_run_metadata(written)["overrides"] == {"seed": 10, "name": "no"}
    assert "(10, 1, 1.5, False, 'no'" in json.dumps(json.loads(written.read_text())["cells"])
    assert _leftovers(repo) == [] and list(runtime.iterdir()) == []


@pytest.mark.parametrize("argv, message", [
    # issue 19: chapter 01 on chapter 02's quick page
    (["run", "01", "--profile", "quick", "--output", "tests/notebooks/02_broken.ipynb"], "committed quick record of 02_broken"),
    # this chapter's book record written by a quick run
    (["run", "01", "--profile", "quick", "--output", "book/01_typed.ipynb"], "committed book record of 01_typed"),
    # this chapter's own record, with overrides, without --replace
    (["run", "01", "--profile", "quick", "-p", "n", "5", "--output", "tests/notebooks/01_typed.ipynb"], "add --replace"),
])
def test_output_naming_a_committed_record_follows_the_record_rules(repo, capsys, monkeypatch, argv, message):
    """Issue 19: --output never overwrites another chapter's or profile's record, nor the own record with overrides."""
    monkeypatch.chdir(repo)
    records = [_reference(repo, "01_typed"), _reference(repo, "02_broken")]
    code, err = _cli(capsys, *argv)
    assert code == 2 and message in _one_line(err)
    assert all(r.read_text() == '{"previous": "good"}' for r in records)


def test_output_naming_the_own_record_with_replace_is_allowed(repo):
    """--replace with overrides, or no overrides at all, may write the chapter's own record through --output."""
    ch = runner.get_chapter("01")
    record = ch.output_path("quick")
    assert runner.plan_run(ch, "quick", {"n": 5}, output=record, replace=True).output == record
    assert runner.plan_run(ch, "quick", output=record).output == record


def test_relative_output_is_taken_from_the_current_folder(repo, monkeypatch):
    """A relative --output is fixed against the folder the command was typed in (papermill changes folder later)."""
    monkeypatch.chdir(repo.parent)
    plan = runner.plan_run(runner.get_chapter("01"), "quick", output=Path("sub/x.ipynb"))
    assert plan.output == repo.parent / "sub" / "x.ipynb"


# ---------------------------------------------------------------- failures during a run


def test_failure_names_the_chapters_not_run(repo, capsys):
    """`run 02 01`: 02 fails, so 01 is not run, and the error says so (exit status 1)."""
    code, err = _cli(capsys, "run", "02", "01", "--profile", "quick")
    last = err.strip().splitlines()[-1]
    assert code == 1 and "02_broken (quick) failed in cell" in last and last.endswith("not run: 01_typed")
    assert not (repo / "tests" / "notebooks" / "01_typed.ipynb").exists()


def test_timeout_keeps_failed_notebook_and_previous_record(repo, capsys):
    """A cell past --timeout: exit status 1, one error line naming chapter, cell and timeout; failed notebook kept."""
    record = _reference(repo, "03_sleepy")
    code, err = _cli(capsys, "run", "03", "--profile", "quick", "-p", "seconds", "60", "--replace", "--timeout", "2")
    last = err.strip().splitlines()[-1]
    assert code == 1 and "Traceback" not in err
    assert "03_sleepy (quick) timed out: cell 2 ran past --timeout 2 s" in last
    failed = repo / "tests" / "notebooks" / "03_sleepy.failed.ipynb"
    assert str(failed) in last and failed.is_file()
    assert record.read_text() == '{"previous": "good"}' and _leftovers(repo) == []


def test_cell_raising_keyboard_interrupt_keeps_previous_record(repo, capsys):
    """A KeyboardInterrupt inside a cell fails the run (exit 1) and leaves the previous notebook intact."""
    record = _reference(repo, "04_interrupts")
    code, err = _cli(capsys, "run", "04", "--profile", "quick")
    assert code == 1 and "KeyboardInterrupt" in err.strip().splitlines()[-1]
    assert record.read_text() == '{"previous": "good"}'
    assert (repo / "tests" / "notebooks" / "04_interrupts.failed.ipynb").is_file() and _leftovers(repo) == []


def test_dead_kernel_is_named(repo, capsys):
    """A kernel that dies (os._exit, out of memory) is one error line naming the chapter and cell, exit status 1."""
    code, err = _cli(capsys, "run", "05", "--profile", "quick")
    assert code == 1 and "05_dies (quick): the kernel died in cell" in err.strip().splitlines()[-1]
    assert "Traceback" not in err and _leftovers(repo) == []


def test_success_removes_a_stale_failed_notebook(repo):
    """After a good run the failed notebook of an earlier run is removed, so it cannot be mistaken for news."""
    failed = repo / "tests" / "notebooks" / "01_typed.failed.ipynb"
    failed.parent.mkdir(parents=True)
    failed.write_text("{}")
    out = runner.run_chapter(runner.get_chapter("01"), "quick")
    assert out.is_file() and not failed.exists()


def _spawn(repo: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SGN_BOOK_ROOT": str(repo), "TMPDIR": str(repo.parent / "tmp")}
    return subprocess.Popen(
        [sys.executable, "-m", "sgnlib", "run", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for(path: Path, proc: subprocess.Popen, limit: float = 60.0) -> None:
    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < limit, "the chapter never started"
        time.sleep(0.1)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_interrupted_run_keeps_previous_record_and_no_temp_files(repo, sig):
    """Ctrl-C (or kill) mid-cell: exit status 130, one line, the previous record intact, no temporary files."""
    record = _reference(repo, "03_sleepy")
    marker = repo / "started"
    proc = _spawn(repo, "03", "--profile", "quick", "-p", "seconds", "60", "-p", "marker", str(marker), "--replace")
    _wait_for(marker, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "is unchanged" in _one_line(err)
    assert record.read_text() == '{"previous": "good"}'
    assert _leftovers(repo) == []


def test_killed_run_keeps_record_and_next_run_sweeps_its_leftovers(repo):
    """kill -9 mid-cell leaves the record intact; the temporary folder it leaves is removed by the next run."""
    record = _reference(repo, "03_sleepy")
    marker = repo / "started"
    proc = _spawn(repo, "03", "--profile", "quick", "-p", "seconds", "60", "-p", "marker", str(marker), "--replace")
    _wait_for(marker, proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert record.read_text() == '{"previous": "good"}'
    left = list((repo.parent / "tmp").glob("sgn-run-03_sleepy-*"))
    assert len(left) == 1 and (left[0] / "owner").is_file()
    assert runner.sweep_stale() == left and _leftovers(repo) == []


def test_concurrent_runs_of_one_chapter_use_their_own_folders(repo):
    """Two runs of one chapter at once each get a temporary folder of their own, and both succeed."""
    procs, markers = [], []
    for i in range(2):
        markers.append(repo / f"started{i}")
        procs.append(_spawn(repo, "03", "--profile", "quick", "-p", "seconds", "4", "-p", "marker", str(markers[-1]),
                            "--output", str(repo / f"out{i}.ipynb")))
    for m, p in zip(markers, procs):
        _wait_for(m, p)
    folders = list((repo.parent / "tmp").glob("sgn-run-03_sleepy-*"))
    for p in procs:
        p.communicate(timeout=60)
    assert len(folders) == 2 and [p.returncode for p in procs] == [0, 0]
    assert all(read_run_metadata(repo / f"out{i}.ipynb")["chapter"] == "03_sleepy" for i in range(2))
    assert _leftovers(repo) == []


def test_sweep_removes_only_what_dead_or_old_runs_left(repo):
    """sweep_stale removes folders of dead processes and old orphans, never a live run's folder or fresh files."""
    tmp = repo.parent / "tmp"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folders = {}
    for label, owner in [("dead", f"{dead.pid} "), ("live", f"{os.getpid()} "), ("orphan", None), ("fresh", None)]:
        d = tmp / f"sgn-run-01_typed-{label}"
        d.mkdir()
        if owner is not None:
            import socket

            (d / "owner").write_text(owner + socket.gethostname())
        folders[label] = d
    old = time.time() - 2 * runner.STALE_SECONDS
    os.utime(folders["orphan"], (old, old))
    out = repo / "tests" / "notebooks"
    out.mkdir(parents=True)
    stale_tmp, fresh_tmp = out / ".01_typed.ipynb.abc.tmp", out / ".01_typed.ipynb.def.tmp"
    stale_tmp.write_text("x")
    fresh_tmp.write_text("x")
    os.utime(stale_tmp, (old, old))
    removed = set(runner.sweep_stale(out))
    assert removed == {folders["dead"], folders["orphan"], stale_tmp}
    assert folders["live"].is_dir() and folders["fresh"].is_dir() and fresh_tmp.is_file()


# ---------------------------------------------------------------- failed notebooks are never collected nor built


def test_failed_notebooks_are_never_collected_by_pytest(tmp_path):
    """With the repository's pytest configuration, *.failed.ipynb and hidden .tmp files are not collected."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    for name in ("01_x.ipynb", "01_x.failed.ipynb", ".01_x.ipynb.abc.tmp"):
        nbformat.write(nb, folder / name)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
         "--collect-only", "-q", str(folder)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "01_x.ipynb::Cell 0" in proc.stdout
    assert "failed" not in proc.stdout and ".tmp" not in proc.stdout


def test_failed_notebooks_are_never_built_by_jupyter_book():
    """_config.yml's exclude_patterns keep failed notebooks and temporary files out of the book."""
    import yaml
    from sphinx.util.matching import Matcher

    patterns = yaml.safe_load((ROOT / "_config.yml").read_text())["exclude_patterns"]
    excluded = Matcher(patterns)
    assert excluded("01_noise_models.failed.ipynb") and excluded(".01_noise_models.ipynb.x7f.tmp")
    assert not excluded("01_noise_models.ipynb")


# ---------------------------------------------------------------- the run record is written and read in one place


def test_run_record_round_trip_and_missing_keys_are_named(tmp_path):
    """write_run_metadata's record reads back with read_run_metadata; a record lacking a key is named."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    assert read_run_metadata(nb) is None
    write_run_metadata(nb, chapter="01_x", profile="quick", parameters={"n": 1}, seconds=2.345, overrides={"n": 1})
    rec = read_run_metadata(nb)
    assert rec["chapter"] == "01_x" and rec["seconds"] == 2.3 and rec["overrides"] == {"n": 1}
    del nb.metadata[RUN_METADATA_KEY]["device"]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match=r"01_x.ipynb: the sgn_book run record lacks device"):
        read_run_metadata(path)


def test_runs_table_skips_failed_runs_and_names_unrecorded_notebooks(tmp_path):
    """The book's runs table reads records through provenance, skips NN.failed.ipynb, names a notebook without one."""
    import nbformat
    from sphinx.errors import ExtensionError

    from sgnlib.sphinxext import run_records

    nb = nbformat.v4.new_notebook()
    write_run_metadata(nb, chapter="01_a", profile="book", parameters={"n": 1}, seconds=1.0)
    nbformat.write(nb, tmp_path / "01_a.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "01_a.failed.ipynb")
    assert [(r["doc"], r["profile"]) for r in run_records(tmp_path)] == [("01_a", "book")]
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "02_b.ipynb")
    with pytest.raises(ExtensionError, match="02_b.ipynb has no run record"):
        run_records(tmp_path)
