"""The chapter runner (issue: the book's spine): profiles, -p overrides, clear errors."""

import json
import textwrap
from pathlib import Path

import pytest

from sgnlib import runner

HEADER = """\
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""


@pytest.fixture()
def mini_repo(tmp_path: Path) -> Path:
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    nb = tmp_path / "notebooks"
    nb.mkdir()
    (nb / "01_echo.py").write_text(
        HEADER
        + textwrap.dedent(
            """
            # %% tags=["parameters"]
            profile = "book"
            n = 3
            scale = 1.5
            device = "auto"

            # %%
            print(f"n={n} scale={scale} profile={profile} device={device}")
            """
        )
    )
    (nb / "01_echo.yml").write_text("quick:\n  n: 1\nbook:\n  n: 2\npaper:\n  n: 1000\n")
    (nb / "02_broken.py").write_text(
        HEADER
        + textwrap.dedent(
            """
            # %% tags=["parameters"]
            x = 1

            # %%
            y = x + 1

            # %%
            raise ValueError(f"bad value {y}")
            """
        )
    )
    (nb / "02_broken.yml").write_text("quick: {}\nbook: {}\npaper: {}\n")
    return tmp_path


def _stdout(path: Path) -> str:
    nb = json.loads(path.read_text())
    return "".join(
        "".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
    )


def test_lookup_by_number_or_name(mini_repo):
    assert runner.get_chapter("1", mini_repo).name == "01_echo"
    assert runner.get_chapter("01_echo", mini_repo).name == "01_echo"


def test_unknown_chapter_lists_valid(mini_repo):
    with pytest.raises(runner.RunnerError, match=r"unknown chapter '07'.*01_echo, 02_broken"):
        runner.get_chapter("07", mini_repo)


def test_unknown_profile_lists_valid(mini_repo):
    ch = runner.get_chapter("01", mini_repo)
    with pytest.raises(runner.RunnerError, match="unknown profile 'fast'.*quick, book, paper"):
        runner.resolve_parameters(ch, "fast")


def test_unknown_parameter_lists_valid(mini_repo):
    """papermill only warns on an unknown parameter; the runner refuses it."""
    ch = runner.get_chapter("01", mini_repo)
    with pytest.raises(runner.RunnerError, match=r"unknown parameter\(s\) \['n_samples'\].*device, n, profile, scale"):
        runner.resolve_parameters(ch, "book", {"n_samples": 10})


def test_profile_then_override_then_device(mini_repo):
    ch = runner.get_chapter("01", mini_repo)
    p = runner.resolve_parameters(ch, "quick", {"scale": 2.5})
    assert p == {"n": 1, "scale": 2.5, "profile": "quick", "device": "cpu"}


def test_values_are_read_as_yaml():
    assert runner._parse_value("100000") == 100000
    assert runner._parse_value("1e-4") == pytest.approx(1e-4)
    assert runner._parse_value("[1, 2]") == [1, 2]
    assert runner._parse_value("cpu") == "cpu"


def test_run_injects_parameters_and_records_provenance(mini_repo, tmp_path):
    ch = runner.get_chapter("01", mini_repo)
    out = runner.run_chapter(ch, "book", {"n": 7}, output=tmp_path / "out" / "01_echo.ipynb")
    assert "n=7 scale=1.5 profile=book device=cpu" in _stdout(out)
    meta = json.loads(out.read_text())["metadata"]["sgn_book"]
    assert meta["profile"] == "book" and meta["parameters"]["n"] == 7 and meta["device"] == "cpu"


def test_failing_cell_names_chapter_and_cell(mini_repo):
    ch = runner.get_chapter("02", mini_repo)
    with pytest.raises(runner.RunnerError, match=r"02_broken \(quick\) failed in cell \d+ .*ValueError: bad value 2"):
        runner.run_chapter(ch, "quick")
    assert (mini_repo / "tests" / "notebooks" / "02_broken.failed.ipynb").exists()
    assert not (mini_repo / "tests" / "notebooks" / "02_broken.ipynb").exists()


def test_cli_exit_codes(mini_repo, monkeypatch, capsys):
    monkeypatch.setenv("SGN_BOOK_ROOT", str(mini_repo))
    assert runner.main(["run", "09", "--profile", "quick"]) == 2
    assert "valid chapters are: 01_echo, 02_broken" in capsys.readouterr().err
    assert runner.main(["run", "01", "--profile", "quick", "-p", "bogus", "1"]) == 2
    assert runner.main(["run", "02", "--profile", "quick"]) == 1
    err = capsys.readouterr().err
    assert "02_broken" in err and "cell" in err
