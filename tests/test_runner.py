"""The chapter runner (issue: the book's spine): profiles, -p overrides, clear errors, provenance."""

import json
import os
from pathlib import Path

import pytest
from runner_fixtures import ALL_PROFILES_EMPTY, BROKEN, ECHO, make_repo, stdout_of

from sgnlib import runner
from sgnlib.provenance import RUN_METADATA_KEY, read_run_metadata


@pytest.fixture()
def mini_repo(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path,
        {
            "01_echo": (ECHO, "quick:\n  n: 1\nbook:\n  n: 2\npaper:\n  n: 1000\n"),
            "02_broken": (BROKEN, ALL_PROFILES_EMPTY),
        },
    )


def test_lookup_by_number_or_name(mini_repo):
    """A chapter is found by its number with or without the leading zero, or by its full name."""
    assert runner.get_chapter("1", mini_repo).name == "01_echo"
    assert runner.get_chapter("01_echo", mini_repo).name == "01_echo"


def test_unknown_chapter_lists_valid(mini_repo):
    """An unknown chapter is an error that lists the valid chapters."""
    with pytest.raises(runner.RunnerError, match=r"unknown chapter '07'.*01_echo, 02_broken"):
        runner.get_chapter("07", mini_repo)


def test_unknown_profile_lists_valid(mini_repo):
    """An unknown profile is an error that lists quick, book and paper."""
    ch = runner.get_chapter("01", mini_repo)
    with pytest.raises(runner.RunnerError, match="unknown profile 'fast'.*quick, book, paper"):
        runner.resolve_parameters(ch, "fast")


def test_unknown_parameter_lists_valid(mini_repo):
    """papermill only warns on an unknown parameter; the runner refuses it and lists the valid ones."""
    ch = runner.get_chapter("01", mini_repo)
    with pytest.raises(runner.RunnerError, match=r"unknown parameter\(s\) \['n_samples'\].*device, n, profile, scale"):
        runner.resolve_parameters(ch, "book", {"n_samples": 10})


def test_profile_then_override_then_device(mini_repo):
    """The injected parameters are the profile's values, then the overrides, then device 'auto' resolved."""
    ch = runner.get_chapter("01", mini_repo)
    p = runner.resolve_parameters(ch, "quick", {"scale": 2.5})
    assert p == {"n": 1, "scale": 2.5, "profile": "quick", "device": "cpu"}


def test_values_are_read_as_yaml():
    """-p values are YAML: ints, floats with an exponent, lists, and bare words as strings."""
    assert runner._parse_value("100000") == 100000
    assert runner._parse_value("1e-4") == pytest.approx(1e-4)
    assert runner._parse_value("[1, 2]") == [1, 2]
    assert runner._parse_value("cpu") == "cpu"


def test_run_injects_parameters_and_records_provenance(mini_repo, tmp_path):
    """The executed notebook shows the injected values, records profile, parameters and device, and is readable."""
    ch = runner.get_chapter("01", mini_repo)
    out = runner.run_chapter(ch, "book", {"n": 7}, output=tmp_path / "out" / "01_echo.ipynb")
    assert "n=7 scale=1.5 profile=book device=cpu" in stdout_of(out)
    meta = read_run_metadata(out)
    assert meta["profile"] == "book" and meta["parameters"]["n"] == 7 and meta["device"] == "cpu"
    assert meta["overrides"] == {"n": 7}
    assert json.loads(out.read_text())["metadata"][RUN_METADATA_KEY]["chapter"] == "01_echo"
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not mkstemp's private 0600


def test_failing_cell_names_chapter_and_cell(mini_repo):
    """A raising cell is a RunFailed naming chapter, profile and cell; the failed notebook is kept beside."""
    ch = runner.get_chapter("02", mini_repo)
    with pytest.raises(runner.RunFailed, match=r"02_broken \(quick\) failed in cell \d+ .*ValueError: bad value 2"):
        runner.run_chapter(ch, "quick")
    assert (mini_repo / "tests" / "notebooks" / "02_broken.failed.ipynb").exists()
    assert not (mini_repo / "tests" / "notebooks" / "02_broken.ipynb").exists()


def test_cli_exit_codes(mini_repo, monkeypatch, capsys):
    """The command line exits 2 on bad input (listing what is valid) and 1 when a cell fails."""
    monkeypatch.setenv("SGN_BOOK_ROOT", str(mini_repo))
    assert runner.main(["run", "09", "--profile", "quick"]) == 2
    assert "valid chapters are: 01_echo, 02_broken" in capsys.readouterr().err
    assert runner.main(["run", "01", "--profile", "quick", "-p", "bogus", "1"]) == 2
    assert runner.main(["run", "02", "--profile", "quick"]) == 1
    err = capsys.readouterr().err
    assert "02_broken" in err and "cell" in err


UNITS = """
# %% tags=["parameters"]
n = 2

# %%
import numpy as np
from sgnlib.cache import UnitCache

store = UnitCache("runner-test")
for k in range(n):
    store.get_or_compute({"k": k}, lambda: {"x": np.arange(3)})
"""


def test_run_records_units_computed_and_loaded(tmp_path, monkeypatch):
    """The run record says how many units the chapter computed and loaded, and what the loaded ones cost (issue 12)."""
    from sgnlib.provenance import empty_cache_estimate

    repo = make_repo(tmp_path / "repo", {"01_units": (UNITS, ALL_PROFILES_EMPTY)})
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path / "cache"))
    ch = runner.get_chapter("01", repo)
    first = read_run_metadata(runner.run_chapter(ch, "book", output=tmp_path / "a.ipynb"))
    assert first["units"] == {"computed": 2, "loaded": 0, "loaded_seconds": 0.0, "loaded_unrecorded": 0}
    second = read_run_metadata(runner.run_chapter(ch, "book", {"n": 3}, output=tmp_path / "b.ipynb"))
    assert second["units"]["computed"] == 1 and second["units"]["loaded"] == 2
    assert second["units"]["loaded_unrecorded"] == 0
    assert empty_cache_estimate(second) >= second["seconds"]
    assert "SGN_CACHE_LOG" not in os.environ  # the runner's own log is gone with the run


def test_unit_costs_count_distinct_units_and_unrecorded_times():
    """unit_costs: a unit read twice counts once; one computed in the run is not 'loaded'; missing times are counted."""
    from sgnlib.provenance import empty_cache_estimate, unit_costs

    ev = [{"event": "hit", "path": "a", "recorded_seconds": 2.0}, {"event": "hit", "path": "a", "recorded_seconds": 2.0},
          {"event": "hit", "path": "b"}, {"event": "start", "path": "c"}, {"event": "stored", "path": "c", "seconds": 1.5},
          {"event": "hit", "path": "c", "recorded_seconds": 1.5}]
    u = unit_costs(ev)
    assert u == {"computed": 1, "loaded": 2, "loaded_seconds": 2.0, "loaded_unrecorded": 1}
    assert empty_cache_estimate({"seconds": 10.0, "units": u}) is None
    assert empty_cache_estimate({"seconds": 10.0, "units": dict(u, loaded_unrecorded=0)}) == 12.0
    assert empty_cache_estimate({"seconds": 10.0}) is None
