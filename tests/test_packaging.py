"""The repository's layout promises (issue: the book's spine)."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(req: str) -> str:
    return req.replace(" ", "").lower()


def test_environment_yml_names_the_same_packages_as_pyproject():
    """environment.yml (conda) and pyproject.toml (pip extras book, test) cannot drift."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_reqs = list(project["dependencies"])
    for extra in ("book", "test"):
        pip_reqs += project["optional-dependencies"][extra]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    conda_pip = [r for r in conda_pip if not r.startswith("-e")]
    assert sorted(map(_spec, conda_pip)) == sorted(map(_spec, pip_reqs))
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"])


def test_single_config_and_toc():
    """One real _config.yml and _toc.yml at the top; book/_toc.yml is a relative symlink to it."""
    link = ROOT / "book" / "_toc.yml"
    assert link.is_symlink() and not Path(link.readlink()).is_absolute()
    assert link.resolve() == (ROOT / "_toc.yml").resolve()
    assert not (ROOT / "book" / "_config.yml").exists()


def test_every_chapter_in_toc_has_source_profiles_and_records():
    """Each chapter of the TOC has a py:percent source, a profile file and executed book + quick notebooks."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    chapters = [f for f in files if re.match(r"\d\d_", f)]
    assert chapters, "the TOC lists no chapter"
    for name in chapters:
        assert (ROOT / "notebooks" / f"{name}.py").is_file(), name
        assert (ROOT / "notebooks" / f"{name}.yml").is_file(), name
        assert (ROOT / "book" / f"{name}.ipynb").is_file(), f"{name}: run it with the book profile"
        assert (ROOT / "tests" / "notebooks" / f"{name}.ipynb").is_file(), f"{name}: run it with the quick profile"
    assert not list((ROOT / "notebooks").glob("*.ipynb")), "chapters are kept as py:percent only"

