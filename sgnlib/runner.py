"""The chapter runner: jupytext → papermill with a profile's parameters.

``python -m sgnlib run 01 --profile book -p n_samples 100000`` converts
``notebooks/01_*.py`` (py:percent) to a notebook, executes it with papermill
using the parameters of the chosen profile in ``notebooks/01_*.yml`` merged
with the ``-p`` overrides, and writes the executed notebook where it belongs:

* ``book``  → ``book/NN_slug.ipynb`` (the committed record the site is built from)
* ``quick`` → ``tests/notebooks/NN_slug.ipynb`` (the nbval references)
* ``paper`` → ``results/paper/NN_slug.ipynb`` (not committed by default)

Unknown chapters, profiles or parameter names are errors that list the valid
ones (papermill itself only warns). A failing cell gives a non-zero exit that
names the chapter and the cell; the previous good output is left in place and
the failed notebook is written beside it as ``NN_slug.failed.ipynb``.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = [
    "PROFILES",
    "Chapter",
    "RunnerError",
    "find_root",
    "chapters",
    "get_chapter",
    "resolve_parameters",
    "run_chapter",
    "main",
]

PROFILES = ("quick", "book", "paper")
_CHAPTER_RE = re.compile(r"^(\d\d)_([a-z0-9_]+)\.py$")


class RunnerError(Exception):
    """A user-facing error of the chapter runner (bad chapter, profile, parameter, failed cell)."""


def find_root(start: Path | None = None) -> Path:
    """The repository root: the first parent holding ``notebooks/`` and ``_toc.yml``."""
    env = os.environ.get("SGN_BOOK_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for cand in (here, *here.parents):
        if (cand / "notebooks").is_dir() and (cand / "_toc.yml").is_file():
            return cand
    pkg = Path(__file__).resolve().parent.parent
    if (pkg / "notebooks").is_dir():
        return pkg
    raise RunnerError(f"cannot find the sgn-book repository root above {here} (no notebooks/ and _toc.yml)")


@dataclass(frozen=True)
class Chapter:
    number: str
    slug: str
    source: Path
    profiles_file: Path
    root: Path = field(repr=False)

    @property
    def name(self) -> str:
        return f"{self.number}_{self.slug}"

    def output_path(self, profile: str) -> Path:
        folder = {"book": "book", "quick": "tests/notebooks", "paper": "results/paper"}[profile]
        return self.root / folder / f"{self.name}.ipynb"

    def profiles(self) -> dict[str, dict]:
        if not self.profiles_file.is_file():
            raise RunnerError(f"chapter {self.name}: profile file {self.profiles_file} is missing")
        data = yaml.safe_load(self.profiles_file.read_text()) or {}
        if not isinstance(data, dict):
            raise RunnerError(f"{self.profiles_file}: expected a mapping of profile → parameters")
        unknown = sorted(set(data) - set(PROFILES))
        if unknown:
            raise RunnerError(
                f"{self.profiles_file}: unknown profile(s) {unknown}; valid profiles are {list(PROFILES)}"
            )
        return {p: dict(data.get(p) or {}) for p in PROFILES}

    def parameters(self) -> dict[str, object]:
        """Names and default values of the notebook's ``parameters`` cell."""
        return parameters_cell(self.source)


def chapters(root: Path | None = None) -> list[Chapter]:
    """Every chapter ``notebooks/NN_slug.py``, sorted by number."""
    root = find_root(root)
    out = []
    for path in sorted((root / "notebooks").glob("*.py")):
        m = _CHAPTER_RE.match(path.name)
        if m:
            out.append(Chapter(m.group(1), m.group(2), path, path.with_suffix(".yml"), root))
    return out


def get_chapter(key: str, root: Path | None = None) -> Chapter:
    """Look a chapter up by number (``"1"``, ``"01"``) or name (``"01_noise_models"``)."""
    found = chapters(root)
    key = str(key).strip().removesuffix(".py")
    for ch in found:
        if key in (ch.number, ch.name, ch.slug) or (key.isdigit() and int(key) == int(ch.number)):
            return ch
    valid = ", ".join(ch.name for ch in found) or "(none)"
    raise RunnerError(f"unknown chapter {key!r}; valid chapters are: {valid}, or 'all'")


def parameters_cell(source: Path) -> dict[str, object]:
    """Parse the cell tagged ``parameters`` of a py:percent notebook into {name: default}."""
    import jupytext

    nb = jupytext.read(source)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RunnerError(f"{source.name}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    out: dict[str, object] = {}
    for node in ast.parse(cells[0].source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        else:
            continue
        try:
            out[target] = ast.literal_eval(value)
        except ValueError:
            out[target] = ast.unparse(value)
    return out


def _parse_value(text: str):
    """``-p`` values are YAML scalars/lists: ``100000`` → int, ``1e-4`` → float, ``[1, 2]`` → list."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:
            return float(value) if re.fullmatch(r"[-+]?\d*\.?\d+[eE][-+]?\d+", value) else value
        except ValueError:
            return value
    return value


def resolve_parameters(chapter: Chapter, profile: str, overrides: dict | None = None) -> dict:
    """The parameters injected into a run: the profile's YAML, then ``overrides``, then device.

    Every name must exist in the notebook's ``parameters`` cell; ``device="auto"``
    becomes ``"cuda"`` where a GPU is present, else ``"cpu"``.
    """
    if profile not in PROFILES:
        raise RunnerError(f"unknown profile {profile!r}; valid profiles are: {', '.join(PROFILES)}")
    declared = chapter.parameters()
    params: dict = {}
    params.update(chapter.profiles()[profile])
    params.update(overrides or {})
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise RunnerError(
            f"chapter {chapter.name}: unknown parameter(s) {unknown}; "
            f"valid parameters are: {', '.join(sorted(declared))}"
        )
    if "profile" in declared:
        params["profile"] = profile
    if "device" in declared:
        from sgnlib._checks import resolve_device

        params["device"] = resolve_device(params.get("device", declared["device"]))
    return params


def _kernel_env() -> None:
    # An inherited Agg backend makes executed notebooks silently lose their figures.
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def run_chapter(
    chapter: Chapter,
    profile: str,
    overrides: dict | None = None,
    output: Path | None = None,
    timeout: int | None = None,
    log=print,
) -> Path:
    """Execute one chapter; return the path of the executed notebook.

    Raises :class:`RunnerError` naming the chapter and the failing cell.
    """
    import jupytext
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    params = resolve_parameters(chapter, profile, overrides)
    out = Path(output) if output else chapter.output_path(profile)
    out.parent.mkdir(parents=True, exist_ok=True)
    _kernel_env()

    nb = jupytext.read(chapter.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    with tempfile.TemporaryDirectory(prefix="sgn-run-") as tmp:
        src = Path(tmp) / f"{chapter.name}.ipynb"
        dst = Path(tmp) / f"{chapter.name}.out.ipynb"
        nbformat.write(nb, src)
        start = time.perf_counter()
        try:
            pm.execute_notebook(
                str(src),
                str(dst),
                parameters=params,
                kernel_name="python3",
                cwd=str(chapter.root / "notebooks"),
                progress_bar=False,
                execution_timeout=timeout,
            )
        except PapermillExecutionError as exc:
            failed = out.with_suffix(".failed.ipynb")
            if dst.exists():
                os.replace(dst, failed)
            raise RunnerError(
                f"chapter {chapter.name} ({profile}) failed in cell {exc.cell_index} "
                f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}\n"
                f"  the failed notebook is at {failed}"
            ) from None
        elapsed = time.perf_counter() - start
        executed = nbformat.read(dst, as_version=4)
        executed.metadata["sgn_book"] = _provenance(chapter, profile, params, elapsed)
        tmp_out = out.with_name(f".{out.name}.tmp")
        nbformat.write(executed, tmp_out)
        os.replace(tmp_out, out)
    stale = out.with_suffix(".failed.ipynb")
    if stale.exists():
        stale.unlink()
    return out


def _provenance(chapter: Chapter, profile: str, params: dict, seconds: float) -> dict:
    from sgnlib.provenance import versions

    info = versions()
    return {
        "chapter": chapter.name,
        "profile": profile,
        "parameters": params,
        "seconds": round(seconds, 1),
        "device": info.pop("device"),
        "finished": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": info,
    }


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sgnlib", description="sgn-book chapter runner")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="execute chapters with a profile")
    r.add_argument("chapters", nargs="+", help="chapter numbers or names (01, 01_noise_models) or 'all'")
    r.add_argument("--profile", default="book", help=f"one of {', '.join(PROFILES)} (default: book)")
    r.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="override one parameter (repeatable); VALUE is read as YAML",
    )
    r.add_argument("--output", type=Path, help="write the executed notebook here (one chapter only)")
    r.add_argument("--timeout", type=int, default=None, help="per-cell timeout in seconds")
    sub.add_parser("list", help="list chapters, their profiles and parameters")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            for ch in chapters():
                profs = ch.profiles()
                print(f"{ch.name}: parameters {sorted(ch.parameters())}")
                for name in PROFILES:
                    print(f"    {name:<6} {profs[name]}")
            return 0
        selected = chapters() if args.chapters == ["all"] else [get_chapter(c) for c in args.chapters]
        if not selected:
            raise RunnerError("no chapters found under notebooks/")
        if args.output and len(selected) != 1:
            raise RunnerError("--output needs exactly one chapter")
        overrides = {name: _parse_value(value) for name, value in args.parameter}
        if args.profile not in PROFILES:
            raise RunnerError(f"unknown profile {args.profile!r}; valid profiles are: {', '.join(PROFILES)}")
        for i, ch in enumerate(selected, 1):
            print(f"[{i}/{len(selected)}] {ch.name} ({args.profile}) ...", flush=True)
            t0 = time.perf_counter()
            out = run_chapter(ch, args.profile, overrides, args.output, args.timeout)
            rel = os.path.relpath(out, Path.cwd())
            print(f"[{i}/{len(selected)}] {ch.name} done in {time.perf_counter() - t0:.1f} s → {rel}", flush=True)
        return 0
    except RunnerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if "failed in cell" not in str(exc) else 1
