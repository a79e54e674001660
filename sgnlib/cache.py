"""On-disk cache of finished experiment units, so long runs resume after an interruption.

An experiment is split into units (one seed, one learning rate, one model...).
Each finished unit is stored as an ``.npz`` of arrays under a key derived from
its parameters; writes are atomic (temporary file + ``os.replace``), so an
interrupted run leaves either the whole unit or nothing, and a re-run computes
only the missing units::

    cache = UnitCache("escape-times")
    for lr in lrs:
        res = cache.get_or_compute({"lr": lr, "seed": seed}, lambda: simulate(lr, seed))

The default folder is ``results/cache/<namespace>`` under the repository root
(``$SGN_CACHE_DIR`` overrides it); it is never committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["UnitCache", "unit_key", "default_cache_dir"]


def default_cache_dir() -> Path:
    env = os.environ.get("SGN_CACHE_DIR")
    if env:
        return Path(env)
    from sgnlib.runner import RunnerError, find_root

    try:
        return find_root() / "results" / "cache"
    except RunnerError:
        return Path.cwd() / "results" / "cache"


def _canonical(value):
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"cache keys hold str, numbers, bools, None, lists, dicts and arrays; got {type(value).__name__}")


def unit_key(params: dict) -> str:
    """A stable 20-hex-digit key for a dict of unit parameters (order-independent)."""
    text = json.dumps(_canonical(params), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class UnitCache:
    """Finished units of one experiment, stored as ``<key>.npz`` in ``folder``."""

    def __init__(self, namespace: str, root: str | Path | None = None):
        if not namespace or "/" in namespace or namespace.startswith("."):
            raise ValueError(f"namespace must be a plain folder name; got {namespace!r}")
        self.folder = Path(root if root is not None else default_cache_dir()) / namespace

    def path(self, params: dict) -> Path:
        return self.folder / f"{unit_key(params)}.npz"

    def __contains__(self, params: dict) -> bool:
        return self.path(params).is_file()

    def load(self, params: dict) -> dict[str, np.ndarray]:
        with np.load(self.path(params), allow_pickle=False) as f:
            return {k: f[k] for k in f.files if k != "__params__"}

    def save(self, params: dict, arrays: dict) -> Path:
        """Store ``arrays`` (name → array-like) for ``params`` atomically."""
        if not isinstance(arrays, dict) or not arrays:
            raise ValueError("a unit must be a non-empty dict of name -> array")
        if "__params__" in arrays:
            raise ValueError("'__params__' is reserved")
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.path(params)
        payload = {k: np.asarray(v) for k, v in arrays.items()}
        payload["__params__"] = np.asarray(json.dumps(_canonical(params), sort_keys=True))
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return final

    def get_or_compute(self, params: dict, compute) -> dict[str, np.ndarray]:
        """The stored unit for ``params``, or ``compute()`` (a dict of arrays) stored then returned."""
        if params in self:
            return self.load(params)
        arrays = compute()
        self.save(params, arrays)
        return self.load(params)

    def clear(self) -> int:
        """Remove every stored unit of this namespace; returns how many were removed."""
        n = 0
        if self.folder.is_dir():
            for p in self.folder.glob("*.npz"):
                p.unlink()
                n += 1
        return n
