"""The chapter runner: jupytext → papermill with a profile's parameters.

``python -m sgnlib run 01 --profile book -p n_samples 100000`` converts
``notebooks/01_*.py`` (py:percent) to a notebook, executes it with papermill
using the parameters of the chosen profile in ``notebooks/01_*.yml`` merged
with the ``-p`` overrides, and writes the executed notebook where it belongs
(:mod:`sgnlib.paths`):

* ``book``  → ``book/NN_slug.ipynb`` (the committed record the site is built from)
* ``quick`` → ``tests/notebooks/NN_slug.ipynb`` (the nbval references)
* ``paper`` → ``results/paper/NN_slug.ipynb`` (not committed by default)
* a run whose ``-p`` overrides change a parameter of its profile →
  ``results/runs/<profile>/NN_slug.ipynb``, unless ``--replace`` (or ``--output``) is given.

Everything is checked before anything runs: every chapter, the profile, each
parameter's name and value (against the type of its default in the chapter's
``parameters`` cell; values are read as YAML 1.2, so ``010`` is ten and
``2024-01-01`` a string), the device, the profile files and the output paths.
A bad input is a one-line error (exit status 2). A failing cell, a cell past
``--timeout`` or a dead kernel is a one-line error naming the chapter and the
cell (exit status 1); the previous good notebook is left in place and the
failed one is kept beside it as ``NN_slug.failed.ipynb``. Ctrl-C leaves the
previous notebook in place too (exit status 130).

``python -m sgnlib precompute 07 --profile paper`` computes a chapter's cached units without
executing it, alone or on every rank of ``torchrun`` (:mod:`sgnlib.precompute`); ``run
--require-cached`` then fails on a unit that is missing instead of computing it.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import math
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sgnlib._io import atomic_write
from sgnlib.paths import RootNotFoundError, failed_path, find_root, override_run_path, reference_path

__all__ = [
    "PROFILES",
    "Chapter",
    "RunPlan",
    "RunnerError",
    "RunFailed",
    "find_root",
    "chapters",
    "get_chapter",
    "load_yaml",
    "parameters_cell",
    "Expression",
    "resolve_parameters",
    "plan_run",
    "plan_runs",
    "overrides_from_pairs",
    "execute_plan",
    "sweep_stale",
    "run_chapter",
    "main",
]

PROFILES = ("quick", "book", "paper")
_CHAPTER_RE = re.compile(r"^(\d\d)_([a-z0-9_]+)\.py$")
#: Temporary run folders and output files older than this, whose owner is gone, are removed by the next run.
STALE_SECONDS = 3600.0


class RunnerError(Exception):
    """A user-facing usage error of the chapter runner (bad chapter, profile, parameter, output): exit status 2."""


class RunFailed(RunnerError):
    """A run that started and failed (a cell raised, ran past ``--timeout``, the kernel died): exit status 1."""


# --------------------------------------------------------------------------------------------
# YAML 1.2 scalars: no octal ``010``, no dates, no ``yes``/``no`` booleans, no sexagesimal ``1:30``.


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's implicit scalars."""


_Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if not tag.endswith((":bool", ":int", ":float", ":timestamp"))]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9](?:_?[0-9])*|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_int(loader, node):
    text = loader.construct_scalar(node).replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_float(loader, node):
    text = loader.construct_scalar(node).replace("_", "").lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


def _construct_mapping(loader, node, deep=False):
    """A mapping whose keys are unique: a key given twice (a duplicated ``quick:`` block) is an error, not last-wins."""
    loader.flatten_mapping(node)
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node).lower() == "true")


def load_yaml(text: str):
    """Parse YAML with the 1.2 core schema's scalars: ``010`` → 10, ``2024-01-01`` → str, ``no`` → str."""
    return yaml.load(text, Loader=_Yaml12Loader)


def _parse_value(text: str):
    """``-p`` values are YAML 1.2 scalars/lists: ``100000`` → int, ``1e-4`` → float, ``[1, 2]`` → list."""
    try:
        return load_yaml(text)
    except yaml.YAMLError:
        return text


# --------------------------------------------------------------------------------------------
# Parameters: the chapter's parameters cell gives each name a default, whose type every value must match.


class Expression(str):
    """A default in the parameters cell that is not a literal (``2 ** 10``): its source text, type unchecked."""


class _Mismatch(Exception):
    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


def _describe(default) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "an int"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, str):
        return "a string"
    if isinstance(default, dict):
        return "a mapping"
    if isinstance(default, (list, tuple)):
        item = _item_template(default)
        plural = {"true or false": "bools", "an int": "ints", "a number": "numbers", "a string": "strings"}
        inner = plural.get(_describe(item), "items") if item is not _ANY else "items"
        return f"a list of {inner} like [{', '.join(map(repr, default[:2]))}]" if default else "a list"
    return "a literal value"


_ANY = object()


def _item_template(default: list | tuple):
    """The template every item of a list default's replacement must match (``_ANY``: unchecked)."""
    if not default:
        return _ANY
    if all(isinstance(v, bool) for v in default):
        return False
    if all(isinstance(v, int) and not isinstance(v, bool) for v in default):
        return 0
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in default):
        return 0.0
    if all(isinstance(v, str) for v in default):
        return ""
    first = default[0]
    if all(type(v) is type(first) for v in default) and isinstance(first, (list, tuple, dict)):
        return first
    return _ANY


def _plain(value) -> None:
    """Raise _Mismatch unless ``value`` is made of None, bools, finite numbers, strings, lists and mappings."""
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Mismatch("a finite number")
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _plain(v)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _Mismatch("a mapping with string keys")
            _plain(v)
        return
    raise _Mismatch("a number, string, bool, list or mapping")


def _conform(value, default):
    """``value`` converted to the type of ``default`` (int → float, integral float → int, tuple → list).

    ``None`` (YAML ``null``) is accepted for any parameter and list item: the chapters use it for
    "not set" (``image_subset: null``, the whole data set; ``[null, 16]``, the model's own width, then 16).
    Raises ``_Mismatch`` with what was expected when the types differ.
    """
    _plain(value)
    if value is None or default is None or isinstance(default, Expression):
        return value
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, str):
        if isinstance(value, str):
            return value
    elif isinstance(default, (list, tuple)):
        if isinstance(value, (list, tuple)):
            item = _item_template(default)
            if item is _ANY:
                return list(value)
            try:
                return [_conform(v, item) for v in value]
            except _Mismatch:
                pass
    elif isinstance(default, dict):
        if isinstance(value, dict):
            return dict(value)
    else:
        return value
    raise _Mismatch(_describe(default))


def _cli_value(text: str, default):
    """A ``-p`` value: YAML 1.2, except that a string parameter takes the text as typed (``-p name 1`` → ``"1"``)."""
    value = _parse_value(text)
    if isinstance(default, str) and not isinstance(default, Expression) and not isinstance(value, str):
        if value is None or isinstance(value, (bool, int, float)):
            return text
    return value


def parameters_cell(source: Path) -> dict[str, object]:
    """Parse the cell tagged ``parameters`` of a py:percent notebook into {name: default}.

    A default that is not a Python literal is returned as an :class:`Expression` (its source text).
    """
    import jupytext

    try:
        nb = jupytext.read(source)
    except Exception as exc:  # jupytext raises many kinds on a broken file
        raise RunnerError(f"{source}: cannot be read as a py:percent notebook: {exc}") from None
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RunnerError(f"{source.name}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    try:
        body = ast.parse(cells[0].source).body
    except SyntaxError as exc:
        raise RunnerError(f"{source.name}: the parameters cell is not valid Python (line {exc.lineno}: {exc.msg})") from None
    out: dict[str, object] = {}
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            target, value = node.target.id, node.value
        else:
            continue
        try:
            out[target] = ast.literal_eval(value)
        except ValueError:
            out[target] = Expression(ast.unparse(value))
    return out


# --------------------------------------------------------------------------------------------
# Chapters


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
        """The profile's record of this chapter (book/, tests/notebooks/ or results/paper/)."""
        return reference_path(self.root, profile, self.name)

    def profiles(self) -> dict[str, dict]:
        """{profile: {name: value}} from ``NN_slug.yml``; a malformed file is a one-line error naming it."""
        where = _rel(self.profiles_file, self.root)
        if not self.profiles_file.is_file():
            raise RunnerError(f"chapter {self.name}: profile file {where} is missing")
        try:
            data = load_yaml(self.profiles_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise RunnerError(f"{where}: not valid YAML{at}: {problem}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RunnerError(f"{where}: cannot be read: {exc}") from None
        if not isinstance(data, dict):
            raise RunnerError(f"{where}: expected a mapping of profile → parameters, got {type(data).__name__}")
        unknown = sorted(map(str, set(data) - set(PROFILES)))
        if unknown:
            raise RunnerError(f"{where}: unknown profile(s) {unknown}; valid profiles are {list(PROFILES)}")
        out = {}
        for p in PROFILES:
            section = data.get(p) or {}
            if not isinstance(section, dict):
                raise RunnerError(f"{where}: profile {p} must be a mapping of parameter → value, got {section!r}")
            out[p] = dict(section)
        return out

    def parameters(self) -> dict[str, object]:
        """Names and default values of the notebook's ``parameters`` cell."""
        return parameters_cell(self.source)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def _root(root: Path | None) -> Path:
    try:
        return find_root(root)
    except RootNotFoundError as exc:
        raise RunnerError(str(exc)) from None


def chapters(root: Path | None = None) -> list[Chapter]:
    """Every chapter ``notebooks/NN_slug.py``, sorted by number."""
    root = _root(root)
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


def _conform_all(chapter: Chapter, declared: dict, values: dict, source: str) -> dict:
    out = {}
    for name, value in values.items():
        if name == "profile" and "profile" in declared:
            raise RunnerError(f"chapter {chapter.name}: parameter profile is set by --profile, not {source}")
        try:
            out[name] = _conform(value, declared[name])
        except _Mismatch as exc:
            raise RunnerError(
                f"chapter {chapter.name}: parameter {name} must be {exc.expected} "
                f"(its default is {declared[name]!r}); got {value!r} from {source}"
            ) from None
    return out


def _check_names(chapter: Chapter, declared: dict, names, source: str) -> None:
    unknown = sorted(set(names) - set(declared), key=str)
    if unknown:
        raise RunnerError(
            f"chapter {chapter.name}: unknown parameter(s) {unknown} in {source}; "
            f"valid parameters are: {', '.join(sorted(declared))}"
        )


def resolve_parameters(chapter: Chapter, profile: str, overrides: dict | None = None) -> dict:
    """The parameters injected into a run: the profile's YAML, then ``overrides``, then device.

    Every name must exist in the notebook's ``parameters`` cell and every value
    must match the type of its default there; ``profile`` is set by the profile
    itself; ``device="auto"`` becomes ``"cuda"`` where a GPU is present, else
    ``"cpu"``, and a device that is not available here is an error.
    """
    if profile not in PROFILES:
        raise RunnerError(f"unknown profile {profile!r}; valid profiles are: {', '.join(PROFILES)}")
    declared = chapter.parameters()
    from_profile = chapter.profiles()[profile]
    where = f"profile {profile} in {_rel(chapter.profiles_file, chapter.root)}"
    _check_names(chapter, declared, from_profile, where)
    _check_names(chapter, declared, overrides or {}, "-p")
    params = _conform_all(chapter, declared, from_profile, where)
    params.update(_conform_all(chapter, declared, overrides or {}, "-p"))
    if "profile" in declared:
        params["profile"] = profile
    if "device" in declared:
        from sgnlib._checks import resolve_device

        asked = params.get("device", declared["device"])
        try:
            params["device"] = resolve_device(asked)
        except ValueError as exc:
            raise RunnerError(f"chapter {chapter.name}: parameter device: {exc}") from None
    return params


# --------------------------------------------------------------------------------------------
# Plans: everything a run needs, checked before anything executes.


@dataclass(frozen=True)
class RunPlan:
    """One checked run: its chapter, profile, injected parameters, the overrides that change the profile, output."""

    chapter: Chapter
    profile: str
    parameters: dict
    overrides: dict
    output: Path
    replaces_record: bool

    @property
    def failed(self) -> Path:
        return failed_path(self.output)


def _check_output(path: Path, flag: str) -> Path:
    """``path`` made absolute after checking it can take a notebook: a ``.ipynb`` file in a writable folder."""
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise RunnerError(f"{flag} {path} is a directory; give a file name such as {path / 'NN_slug.ipynb'}")
    if path.suffix != ".ipynb":
        raise RunnerError(f"{flag} must name a .ipynb file; got {path}")
    if path.name.endswith(".failed.ipynb"):
        raise RunnerError(f"{flag} must not end in .failed.ipynb (that name is kept for failed runs); got {path}")
    if path.exists() and not path.is_file():
        raise RunnerError(f"{flag} {path} exists and is not a regular file")
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise RunnerError(f"cannot write {path}: {folder} is not a directory")
    if folder == path.parent:
        try:
            fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe.tmp")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise RunnerError(f"cannot write {path}: {exc.strerror or exc}") from None
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise RunnerError(f"cannot write {path}: the folder {folder} is not writable")
    return path


def _check_not_a_record(chapter: Chapter, profile: str, out: Path, changed: dict, replace: bool) -> None:
    """``--output`` may name a committed record only as the runner itself would write it.

    Another chapter's record, or this chapter's record of another profile, is refused; this
    chapter's record of this profile is refused with overrides unless ``--replace`` is given.
    """
    for ch in chapters(chapter.root):
        for prof in PROFILES:
            if out != ch.output_path(prof).absolute():
                continue
            if ch.name != chapter.name or prof != profile:
                raise RunnerError(f"--output {out} is the committed {prof} record of {ch.name}; "
                                  f"chapter {chapter.name} ({profile}) may not overwrite it")
            if changed and not replace:
                raise RunnerError(f"--output {out} is the committed {profile} record and the run overrides "
                                  f"{', '.join(sorted(changed))}; add --replace to replace the record")


def plan_run(
    chapter: Chapter,
    profile: str,
    overrides: dict | None = None,
    output: Path | None = None,
    replace: bool = False,
) -> RunPlan:
    """Check everything about one run and decide where it writes, without executing anything.

    Overrides that change a parameter of the profile send the notebook to
    ``results/runs/<profile>/`` unless ``replace`` is true or ``output`` is given,
    so a profile's committed record only ever holds that profile.
    """
    params = resolve_parameters(chapter, profile, overrides)
    base = {**chapter.parameters(), **resolve_parameters(chapter, profile)}
    changed = {k: params[k] for k in (overrides or {}) if isinstance(base[k], Expression) or base[k] != params[k]}
    if output is not None:
        out = _check_output(output, "--output")
        _check_not_a_record(chapter, profile, out, changed, replace)
    elif changed and not replace:
        out = _check_output(override_run_path(chapter.root, profile, chapter.name), "the override run")
    else:
        out = _check_output(chapter.output_path(profile), f"the {profile} record")
    record = out == chapter.output_path(profile).absolute()
    return RunPlan(chapter, profile, params, changed, out, record)


# --------------------------------------------------------------------------------------------
# Execution


def _kernel_env() -> None:
    # An inherited Agg backend makes executed notebooks silently lose their figures.
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _kernel_config(folder: Path):
    """The kernel's connection file goes in the run's folder, so a killed run leaves it nowhere else.

    (TCP on localhost, not Unix sockets: a socket path in a deep temporary folder exceeds the
    107-character limit of Unix socket names.)
    """
    from traitlets.config import Config

    return Config({"KernelManager": {"connection_file": str(folder / "kernel.json")}})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(output_folder: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove what killed runs left: ``sgn-run-*`` temporary folders whose process is gone
    (or, without an owner file, older than :data:`STALE_SECONDS`) and ``.NN_slug.ipynb.*.tmp``
    files in ``output_folder`` older than that. Returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    host = socket.gethostname()
    for d in Path(tempfile.gettempdir()).glob("sgn-run-*"):
        try:
            if not d.is_dir() or d.is_symlink():
                continue
            owner = d / "owner"
            if owner.is_file():
                pid, _, who = owner.read_text().strip().partition(" ")
                stale = who == host and pid.isdigit() and not _alive(int(pid))
            else:
                stale = now - d.stat().st_mtime > STALE_SECONDS
            if stale:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
        except OSError:
            continue
    if output_folder is not None and Path(output_folder).is_dir():
        for f in Path(output_folder).glob(".*.ipynb.*.tmp"):
            try:
                if now - f.stat().st_mtime > STALE_SECONDS:
                    f.unlink()
                    removed.append(f)
            except OSError:
                continue
    return removed


@contextlib.contextmanager
def _run_folder(name: str):
    """A fresh temporary folder for one run (unique per run), removed afterwards; it holds the
    notebooks in flight, the kernel's connection file and sockets, and an ``owner`` file
    (pid and host) by which :func:`sweep_stale` knows a killed run's leftovers."""
    tmp = Path(tempfile.mkdtemp(prefix=f"sgn-run-{name}-"))
    try:
        (tmp / "owner").write_text(f"{os.getpid()} {socket.gethostname()}\n")
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _unit_log(path: Path):
    """The kernel logs its cache events to ``path`` too (beside any ``$SGN_CACHE_LOG`` of the caller)."""
    from sgnlib.cache import LOG_ENV

    before = os.environ.get(LOG_ENV)
    os.environ[LOG_ENV] = os.pathsep.join([p for p in (before or "").split(os.pathsep) if p] + [str(path)])
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop(LOG_ENV, None)
        else:
            os.environ[LOG_ENV] = before


def _read_events(path: Path) -> list[dict]:
    import json

    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a killed process
    return events


def _atomic_write_text(text: str, target: Path) -> None:
    """Write ``target`` whole or not at all (see :func:`sgnlib._io.atomic_write`)."""
    atomic_write(target, lambda fh: fh.write(text), text=True)


def _keep_failed(dst: Path, plan: RunPlan) -> str:
    if not dst.is_file():
        return "no notebook was written"
    _atomic_write_text(dst.read_text(encoding="utf-8"), plan.failed)
    return f"the failed notebook is at {plan.failed}"


def _last_started_cell(dst: Path) -> int | None:
    import nbformat

    try:
        nb = nbformat.read(dst, as_version=4)
    except Exception:
        return None
    started = [i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("status") not in (None, "pending")]
    return started[-1] if started else None


def execute_plan(plan: RunPlan, timeout: int | None = None) -> Path:
    """Execute a checked :class:`RunPlan`; return the path of the executed notebook.

    The notebook replaces ``plan.output`` atomically only when every cell ran;
    otherwise :class:`RunFailed` names the chapter and the cell and the failed
    notebook is kept as ``NN_slug.failed.ipynb`` beside the output.
    """
    import jupytext
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from sgnlib.provenance import unit_costs, write_run_metadata

    ch, out = plan.chapter, plan.output
    what = f"chapter {ch.name} ({plan.profile})"
    _kernel_env()
    sweep_stale(out.parent)
    nb = jupytext.read(ch.source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    with _run_folder(ch.name) as tmp, _unit_log(tmp / "units.jsonl") as unit_log:
        src, dst = tmp / f"{ch.name}.ipynb", tmp / f"{ch.name}.out.ipynb"
        nbformat.write(nb, src)
        start = time.perf_counter()
        try:
            pm.execute_notebook(
                str(src),
                str(dst),
                parameters=plan.parameters,
                kernel_name="python3",
                cwd=str(ch.root / "notebooks"),
                progress_bar=False,
                execution_timeout=timeout,
                config=_kernel_config(tmp),
                # the kernel's own log (a TCP warning; a traceback when a timed-out kernel is shut down) is noise here
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        except PapermillExecutionError as exc:
            out.parent.mkdir(parents=True, exist_ok=True)
            kept = _keep_failed(dst, plan)
            raise RunFailed(
                f"{what} failed in cell {exc.cell_index} (execution count {exc.exec_count}): "
                f"{exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''}; {kept}"
            ) from None
        except CellTimeoutError:
            out.parent.mkdir(parents=True, exist_ok=True)
            cell, kept = _last_started_cell(dst), _keep_failed(dst, plan)
            raise RunFailed(f"{what} timed out: cell {cell} ran past --timeout {timeout} s; {kept}") from None
        except DeadKernelError:
            out.parent.mkdir(parents=True, exist_ok=True)
            cell, kept = _last_started_cell(dst), _keep_failed(dst, plan)
            raise RunFailed(f"{what}: the kernel died in cell {cell} (out of memory, or killed); {kept}") from None
        except Exception as exc:  # kernel start-up failures and the like: one line, no traceback
            first = (str(exc).strip().splitlines() or [""])[0]
            raise RunFailed(f"{what} could not be executed: {type(exc).__name__}: {first}") from None
        elapsed = time.perf_counter() - start
        executed = nbformat.read(dst, as_version=4)
        declared = {**parameters_cell(ch.source), **plan.parameters}
        write_run_metadata(
            executed,
            threads=next((declared[k] for k in ("threads", "cpu_threads") if isinstance(declared.get(k), int)), None),
            chapter=ch.name,
            profile=plan.profile,
            parameters=plan.parameters,
            seconds=elapsed,
            overrides=plan.overrides,
            units=unit_costs(_read_events(unit_log)),
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(nbformat.writes(executed) + "\n", out)
    if plan.failed.exists():
        plan.failed.unlink()
    return out


def run_chapter(
    chapter: Chapter,
    profile: str,
    overrides: dict | None = None,
    output: Path | None = None,
    timeout: int | None = None,
    log=print,
    replace: bool = False,
) -> Path:
    """Check and execute one chapter; return the path of the executed notebook.

    Overrides that change the profile's parameters go to ``results/runs/<profile>/``
    unless ``replace`` or ``output`` (``log`` says where). Raises :class:`RunnerError`
    on bad input and :class:`RunFailed` naming the chapter and the failing cell.
    """
    plan = plan_run(chapter, profile, overrides, output, replace)
    _announce(plan, log)
    return execute_plan(plan, timeout)


def _announce(plan: RunPlan, log) -> None:
    if plan.overrides and not plan.replaces_record:
        log(
            f"{plan.chapter.name}: the overrides {plan.overrides} change the {plan.profile} profile, so this run "
            f"writes {plan.output}, not the {plan.profile} record (--replace writes the record)"
        )
    elif plan.overrides:
        log(f"{plan.chapter.name}: the {plan.profile} record {plan.output} will hold a run with overrides {plan.overrides}")


# --------------------------------------------------------------------------------------------
# Command line


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit status 2
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--timeout must be a whole number of seconds; got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"--timeout must be > 0 seconds; got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m sgnlib", description="sgn-book chapter runner")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("run", help="execute chapters with a profile")
    r.add_argument("chapters", nargs="+", help="chapter numbers or names (01, 01_noise_models) or 'all'")
    r.add_argument("--profile", default="book", help=f"one of {', '.join(PROFILES)} (default: book)")
    r.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="override one parameter (repeatable); VALUE is read as YAML 1.2 and must match the default's type",
    )
    r.add_argument("--output", type=Path, help="write the executed notebook here (one chapter only)")
    r.add_argument(
        "--replace", action="store_true",
        help="let a run with -p overrides replace the profile's record (book/, tests/notebooks/, results/paper/)",
    )
    r.add_argument("--timeout", type=_positive_int, default=None, help="per-cell timeout in seconds")
    r.add_argument(
        "--require-cached", action="store_true",
        help="fail (naming the unit) instead of computing a unit that is not cached: checks a `precompute`",
    )
    pc = sub.add_parser(
        "precompute", help="compute a chapter's cached units without executing it (alone, or on every rank of torchrun)"
    )
    pc.add_argument("chapter", help="chapter number or name (02, 03, 04, 07), or 'all' (every chapter with a plan)")
    pc.add_argument("--profile", default="book", help=f"one of {', '.join(PROFILES)} (default: book)")
    pc.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="override one parameter (repeatable), as for `run`",
    )
    pc.add_argument("--timeout-hours", type=float, default=24.0,
                    help="how long a rank waits for the others at a barrier (default: 24)")
    sub.add_parser("list", help="list chapters, their profiles and parameters")
    return p


def _check_cache() -> None:
    """A bad ``$SGN_CACHE_DIR`` is a usage error before anything runs."""
    from sgnlib.cache import check_cache_dir

    try:
        check_cache_dir()
    except ValueError as exc:
        raise RunnerError(str(exc)) from None


def plan_runs(keys: list[str], profile: str, pairs: list, output: Path | None = None, replace: bool = False) -> list[RunPlan]:
    """Check every chapter, the profile, every ``-p NAME VALUE`` pair and the outputs; return the plans."""
    if profile not in PROFILES:
        raise RunnerError(f"unknown profile {profile!r}; valid profiles are: {', '.join(PROFILES)}")
    selected = chapters() if list(keys) == ["all"] else [get_chapter(c) for c in keys]
    selected = list(dict.fromkeys(selected))
    if not selected:
        raise RunnerError(f"no chapters found under {_root(None) / 'notebooks'} (is SGN_BOOK_ROOT right?)")
    if output is not None and len(selected) != 1:
        raise RunnerError("--output needs exactly one chapter")
    return [plan_run(ch, profile, overrides_from_pairs(ch, pairs), output, replace) for ch in selected]


def overrides_from_pairs(chapter: Chapter, pairs: list) -> dict:
    """The ``-p NAME VALUE`` pairs as overrides: each value read against its default's type (unknown names are kept
    as text for :func:`resolve_parameters` to refuse with the list of valid ones); a name given twice is an error."""
    names = [name for name, _ in pairs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RunnerError(f"-p {twice[0]} is given more than once")
    declared = chapter.parameters()
    return {name: _cli_value(text, declared[name]) if name in declared else text for name, text in pairs}


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (``kill``) stops a run like Ctrl-C: the previous notebook kept, the temporary files removed."""
    try:
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    current = None
    try:
        if args.command == "list":
            if not chapters():
                raise RunnerError(f"no chapters found under {_root(None) / 'notebooks'} (is SGN_BOOK_ROOT right?)")
            for ch in chapters():
                profs = ch.profiles()
                print(f"{ch.name}: parameters {sorted(ch.parameters())}")
                for name in PROFILES:
                    print(f"    {name:<6} {profs[name]}")
            return 0
        if args.command == "precompute":
            from sgnlib.precompute import main as precompute_main

            return precompute_main(args)
        plans = plan_runs(args.chapters, args.profile, args.parameter, args.output, args.replace)
        _check_cache()
        if args.require_cached:
            from sgnlib.cache import REQUIRE_ENV

            os.environ[REQUIRE_ENV] = "1"  # the kernel inherits it: a missing unit fails the cell that needs it
        with _sigterm_as_interrupt():
            for i, plan in enumerate(plans, 1):
                current = plan
                _announce(plan, print)
                print(f"[{i}/{len(plans)}] {plan.chapter.name} ({plan.profile}) ...", flush=True)
                t0 = time.perf_counter()
                try:
                    out = execute_plan(plan, args.timeout)
                except RunFailed as exc:
                    rest = [p.chapter.name for p in plans[i:]]
                    raise RunFailed(f"{exc}" + (f"; not run: {', '.join(rest)}" if rest else "")) from None
                rel = os.path.relpath(out, Path.cwd())
                print(f"[{i}/{len(plans)}] {plan.chapter.name} done in {time.perf_counter() - t0:.1f} s → {rel}", flush=True)
        return 0
    except RunFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except RunnerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a folder removed under our feet...
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        kept = f"; {current.output} is unchanged" if current is not None else ""
        print(f"interrupted{f' during {current.chapter.name}' if current else ''}{kept}", file=sys.stderr)
        return 130
