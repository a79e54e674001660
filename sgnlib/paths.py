"""Where things live in the repository: its root, the committed references, run outputs, the cache.

One place for the layout the runner, the cache and the build agree on:

* ``book/NN_slug.ipynb`` — the book profile's committed record;
* ``tests/notebooks/NN_slug.ipynb`` — the quick profile's committed nbval reference;
* ``results/paper/NN_slug.ipynb`` — the paper profile's record (not committed);
* ``results/runs/<profile>/NN_slug.ipynb`` — runs with ``-p`` overrides, which never
  replace a profile's record unless asked (``--replace``);
* ``results/cache/<namespace>/`` — finished experiment units (:mod:`sgnlib.cache`).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "RootNotFoundError",
    "find_root",
    "reference_path",
    "override_run_path",
    "failed_path",
    "REFERENCE_FOLDERS",
]

#: Where each profile's record of a chapter is written, relative to the repository root.
REFERENCE_FOLDERS = {"book": "book", "quick": "tests/notebooks", "paper": "results/paper"}


class RootNotFoundError(LookupError):
    """No sgn-book repository root above the starting folder (and no ``$SGN_BOOK_ROOT``)."""


def find_root(start: str | Path | None = None) -> Path:
    """The repository root: ``$SGN_BOOK_ROOT``, else the first parent holding ``notebooks/`` and ``_toc.yml``.

    Falls back on the checkout this package was imported from; raises
    :class:`RootNotFoundError` naming the folder searched when there is none.
    """
    env = os.environ.get("SGN_BOOK_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for cand in (here, *here.parents):
        if (cand / "notebooks").is_dir() and (cand / "_toc.yml").is_file():
            return cand
    pkg = Path(__file__).resolve().parent.parent
    if (pkg / "notebooks").is_dir():
        return pkg
    raise RootNotFoundError(f"cannot find the sgn-book repository root above {here} (no notebooks/ and _toc.yml)")


def reference_path(root: Path, profile: str, name: str) -> Path:
    """The record of chapter ``name`` (``NN_slug``) for ``profile``: book/, tests/notebooks/ or results/paper/."""
    if profile not in REFERENCE_FOLDERS:
        raise ValueError(f"profile must be one of {', '.join(REFERENCE_FOLDERS)}; got {profile!r}")
    return Path(root) / REFERENCE_FOLDERS[profile] / f"{name}.ipynb"


def override_run_path(root: Path, profile: str, name: str) -> Path:
    """Where a run of ``profile`` with ``-p`` overrides goes: ``results/runs/<profile>/NN_slug.ipynb``."""
    if profile not in REFERENCE_FOLDERS:
        raise ValueError(f"profile must be one of {', '.join(REFERENCE_FOLDERS)}; got {profile!r}")
    return Path(root) / "results" / "runs" / profile / f"{name}.ipynb"


def failed_path(output: Path) -> Path:
    """The failed notebook kept beside ``output``: ``NN_slug.failed.ipynb`` (never collected nor built)."""
    output = Path(output)
    return output.with_name(f"{output.name.removesuffix('.ipynb')}.failed.ipynb")
