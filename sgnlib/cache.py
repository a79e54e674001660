"""On-disk cache of finished experiment units, so long runs resume after an interruption.

An experiment is split into units (one seed, one learning rate, one model...).
Each finished unit is stored as an ``.npz`` of arrays under a key derived from
its parameters; writes are atomic (temporary file + ``os.replace``), so an
interrupted run leaves either the whole unit or nothing, and a re-run computes
only the missing units::

    cache = UnitCache("escape-times")
    for lr in lrs:
        res = cache.get_or_compute({"lr": lr, "seed": seed}, lambda: simulate(lr, seed))

Each unit also stores its parameters. :meth:`UnitCache.get_or_compute` checks
them and the file on every read: a truncated or garbage unit, or one stored for
other parameters, is reported (a :class:`UnitCacheWarning` naming the file) and
recomputed. Arrays of Python objects are refused when saved, so a unit can
always be read back.

What a key holds: exactly the settings that change a unit's numbers beyond rounding — the
experiment's own settings (model, data and subset, schedules, sizes, seeds and stream names), the
floating type (``dtype``: float32 and float64 runs are different results) and the study's
version. What it does not hold: the device type, the CPU model and its kernels
(``ATEN_CPU_CAPABILITY``), ``MKL_CBWR`` and, for units, the thread count. These move results
only by rounding, and every checked output is shown to survive them (``tests/test_portability.py``:
other CPU kernels and two threads print the same checked cells), so a unit computed on one
machine, on a GPU or under ``torchrun`` (one thread per rank) is found by the next ``run`` on
another (``tests/test_precompute.py``). One exception, kept for the record a cached network
carries: :func:`sgnlib.train.train` adds the CPU thread count to a network's key, because
float32 SGD amplifies rounding into another network. The machine a run used is recorded
(:func:`sgnlib.provenance.machine`), not keyed.

The default folder is ``results/cache/<namespace>`` under the repository root
(``$SGN_CACHE_DIR`` overrides it); it is never committed.

What happens to units can be watched: every unit loaded, started or stored is an
event passed to the listeners of :func:`add_listener` (``$SGN_CACHE_LOG`` names a
JSON-lines file that receives them all, with the process id and the distributed
rank; several files separated by ``os.pathsep``), and ``$SGN_CACHE_REQUIRE=1`` turns a missing unit into a
:class:`MissingUnitError` instead of a computation — how a run checks that
``python -m sgnlib precompute`` left nothing to do. A unit also records how long
it took to compute (``seconds_of``), so the cost of a run from an empty cache can
be told from a run that found everything cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from sgnlib._io import TMP_PREFIX, atomic_write

__all__ = [
    "UnitCache",
    "UnitCacheWarning",
    "DamagedUnitError",
    "MissingUnitError",
    "add_listener",
    "remove_listener",
    "notify",
    "require_cached",
    "KeyTypeError",
    "canonical",
    "unit_key",
    "default_cache_dir",
    "check_cache_dir",
]

_KEY_RE = re.compile(r"^[0-9a-f]{20}\.npz$")
# Tags of the canonical form; a str-keyed dict using one of them as a key is written in the tagged form.
_TAGS = ("__array__", "__dict__", "__versioned__")


class KeyTypeError(TypeError, ValueError):
    """A value that cannot be part of a cache key or a stream's settings (names where it sits)."""


class DamagedUnitError(ValueError):
    """A stored unit that cannot be read, or that holds another set of parameters (names the file)."""


class MissingUnitError(RuntimeError):
    """A unit that is not cached while ``$SGN_CACHE_REQUIRE`` forbids computing it (names the namespace and file)."""


#: Environment variables read by this module.
LOG_ENV = "SGN_CACHE_LOG"
REQUIRE_ENV = "SGN_CACHE_REQUIRE"

_listeners: list = []
_log_lock = threading.Lock()


def add_listener(fn: Callable[[dict], None]) -> Callable[[dict], None]:
    """Call ``fn(event)`` for every unit event of this process; returns ``fn`` (for :func:`remove_listener`).

    An event is a dict with ``event`` ("hit": read from the cache, with ``recorded_seconds`` when
    the unit recorded its compute time; "start": about to be computed; "stored": computed and
    written, with ``seconds`` when known), ``namespace``, ``key`` and ``path``.
    """
    if not callable(fn):
        raise ValueError(f"a listener must be callable; got {fn!r}")
    _listeners.append(fn)
    return fn


def remove_listener(fn) -> None:
    """Stop calling ``fn`` (no error when it is not registered)."""
    if fn in _listeners:
        _listeners.remove(fn)


def require_cached() -> bool:
    """Whether ``$SGN_CACHE_REQUIRE`` forbids computing units in this process (``1``/``true``/``yes``)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes")


def notify(event: str, namespace: str, key: str, path, **extra) -> None:
    """Pass one unit event to the listeners and to ``$SGN_CACHE_LOG`` (a JSON line per event, appended)."""
    record = {"event": event, "namespace": namespace, "key": key, "path": str(path), **extra}
    targets = [t for t in os.environ.get(LOG_ENV, "").split(os.pathsep) if t]
    if targets:  # logged first, so that a listener that stops the process leaves the event on record
        line = json.dumps({**record, "pid": os.getpid(), "rank": int(os.environ.get("RANK", 0)),
                           "time": round(time.time(), 3)}, sort_keys=True, default=str)
        with _log_lock:
            for target in targets:
                with open(target, "a", encoding="utf-8") as fh:  # one short write per line: atomic in append mode
                    fh.write(line + "\n")
    for fn in list(_listeners):
        fn(record)


def check_may_compute(namespace: str, path) -> None:
    """Raise :class:`MissingUnitError` when ``$SGN_CACHE_REQUIRE`` is set (a unit of ``namespace`` is missing)."""
    if require_cached():
        raise MissingUnitError(
            f"unit of {namespace!r} is not cached ({path}) and {REQUIRE_ENV} forbids computing it; "
            "run `python -m sgnlib precompute` for this chapter and profile first"
        )


class UnitCacheWarning(UserWarning):
    """A damaged or foreign unit was found and is being recomputed."""


def check_cache_dir(path: Path | None = None) -> Path:
    """The cache folder (``path`` or :func:`default_cache_dir`) after checking that units can be written there.

    Called before any long work starts, so that a bad ``$SGN_CACHE_DIR`` (a file, a read-only or
    unreachable folder) is one line naming it, not an error after the first unit was computed.
    """
    folder = Path(path if path is not None else default_cache_dir()).expanduser()
    where = "SGN_CACHE_DIR" if path is None and os.environ.get("SGN_CACHE_DIR") else "the cache folder"
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{where} {folder} is not a folder")
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise ValueError(f"{where} {folder} cannot be written ({probe} is not a writable folder)")
    return folder


def default_cache_dir() -> Path:
    """``$SGN_CACHE_DIR``, else ``results/cache`` under the repository root (or the current folder)."""
    env = os.environ.get("SGN_CACHE_DIR")
    if env:
        return Path(env)
    from sgnlib.paths import RootNotFoundError, find_root

    try:
        return find_root() / "results" / "cache"
    except RootNotFoundError:
        return Path.cwd() / "results" / "cache"


def canonical(value, _where: str = "value"):
    """A JSON-ready form of ``value`` that names the same setting whatever its spelling.

    Dict order, numpy scalars versus Python numbers, tuples versus lists do not
    matter; types do: ``1``, ``1.0``, ``"1"`` and ``True`` differ, and so do the
    dict keys ``1`` and ``"1"``. Arrays keep their dtype and shape. Anything else
    (objects, sets, object arrays) raises :class:`KeyTypeError` naming where it is.
    """
    if isinstance(value, Mapping):
        if all(isinstance(k, str) for k in value) and not any(k in _TAGS for k in value):
            return {k: canonical(value[k], f"{_where}[{k!r}]") for k in sorted(value)}
        items = [(canonical(k, f"a key of {_where}"), canonical(v, f"{_where}[{k!r}]")) for k, v in value.items()]
        items.sort(key=lambda kv: json.dumps(kv[0], sort_keys=True))
        return {"__dict__": [[k, v] for k, v in items]}
    if isinstance(value, (list, tuple)):
        return [canonical(v, f"{_where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise KeyTypeError(f"{_where} is an array of dtype object; cache keys take numeric, bool or string arrays")
        return {"__array__": canonical(value.tolist(), _where), "dtype": str(value.dtype)}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, (str, int, float)) or value is None:
        return value
    raise KeyTypeError(
        f"{_where} is a {type(value).__name__}; cache keys hold str, numbers, bools, None, lists, dicts and arrays"
    )


def _params_text(params) -> str:
    if not isinstance(params, Mapping):
        raise KeyTypeError(f"params must be a dict of settings; got {type(params).__name__}")
    return json.dumps(canonical(params, "params"), sort_keys=True)


def unit_key(params: dict) -> str:
    """A stable 20-hex-digit key for a dict of unit parameters (order-independent, type-sensitive)."""
    if not isinstance(params, Mapping):
        raise KeyTypeError(f"params must be a dict of settings; got {type(params).__name__}")
    text = json.dumps(canonical(params, "params"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _unit_arrays(arrays, namespace: str) -> dict[str, np.ndarray]:
    """``arrays`` as a dict of numpy arrays that ``np.load(allow_pickle=False)`` can read back."""
    if not isinstance(arrays, Mapping) or not arrays:
        raise ValueError(f"a unit of {namespace!r} must be a non-empty dict of name -> array; got {type(arrays).__name__}")
    out = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"unit array names must be non-empty strings; got {name!r}")
        if name in ("__params__", "__seconds__"):
            raise ValueError(f"{name!r} is reserved")
        try:
            arr = np.asarray(value)
        except ValueError as exc:
            raise ValueError(f"unit array {name!r} of {namespace!r} is not a regular array: {exc}") from None
        if arr.dtype.hasobject:
            raise ValueError(
                f"unit array {name!r} of {namespace!r} has dtype object (ragged lists or Python objects?), "
                "which cannot be loaded without pickle; store numeric, bool or string arrays"
            )
        out[name] = arr
    return out


class UnitCache:
    """Finished units of one experiment, stored as ``<key>.npz`` in ``folder``.

    ``version`` (optional) is part of every key: bump it when the computation
    changes, and the units of the old version are simply never read again.
    """

    def __init__(self, namespace: str, root: str | Path | None = None, version: str | None = None):
        if (
            not isinstance(namespace, str)
            or not namespace
            or namespace.startswith(".")
            or any(c in namespace for c in "/\\\0")
        ):
            raise ValueError(f"namespace must be a plain folder name; got {namespace!r}")
        if version is not None and (not isinstance(version, str) or not version):
            raise ValueError(f"version must be a non-empty string or None; got {version!r}")
        self.namespace = namespace
        self.version = version
        self.folder = Path(root if root is not None else default_cache_dir()) / namespace

    def _key_params(self, params: dict):
        if not isinstance(params, Mapping):
            raise KeyTypeError(f"params must be a dict of settings; got {type(params).__name__}")
        if self.version is None:
            return params
        return {"__versioned__": [self.version, params]}

    def path(self, params: dict) -> Path:
        """The file that holds (or would hold) the unit of ``params``."""
        return self.folder / f"{unit_key(self._key_params(params))}.npz"

    def __contains__(self, params: dict) -> bool:
        """Whether a unit file exists for ``params`` (:meth:`get_or_compute` also checks its content)."""
        return self.path(params).is_file()

    def _read(self, path: Path, params: dict) -> tuple[dict[str, np.ndarray], dict]:
        """The unit's arrays, and ``{"recorded_seconds": s}`` when it recorded its compute time (else ``{}``)."""
        try:
            with np.load(path, allow_pickle=False) as f:
                if not hasattr(f, "files"):
                    raise ValueError("not an .npz archive")
                data = {k: np.asarray(f[k]) for k in f.files}
        except Exception as exc:  # BadZipFile, EOFError, zlib.error, ValueError (pickled data), OSError...
            detail = (str(exc).splitlines() or [""])[0]
            raise DamagedUnitError(f"damaged cache unit {path} ({type(exc).__name__}: {detail})") from None
        seconds = data.pop("__seconds__", None)
        stored = data.pop("__params__", None)
        if stored is None or stored.shape != () or stored.dtype.kind != "U":
            raise DamagedUnitError(f"damaged cache unit {path} (no record of its parameters)")
        if str(stored) != _params_text(self._key_params(params)):
            raise DamagedUnitError(f"cache unit {path} holds other parameters ({str(stored)[:120]})")
        recorded = {"recorded_seconds": float(seconds)} if seconds is not None and seconds.shape == () else {}
        return data, recorded

    def load(self, params: dict) -> dict[str, np.ndarray]:
        """The stored unit of ``params``; a damaged or foreign file raises :class:`DamagedUnitError` naming it."""
        path = self.path(params)
        if not path.is_file():
            raise FileNotFoundError(f"no unit of {self.namespace!r} for these parameters: {path} does not exist")
        data, recorded = self._read(path, params)
        notify("hit", self.namespace, path.stem, path, **recorded)
        return data

    def seconds_of(self, params: dict) -> float | None:
        """How many seconds the stored unit of ``params`` took to compute (None: not stored, or not recorded)."""
        path = self.path(params)
        if not path.is_file():
            return None
        try:
            return self._read(path, params)[1].get("recorded_seconds")
        except DamagedUnitError:
            return None

    def save(self, params: dict, arrays: dict, seconds: float | None = None) -> Path:
        """Store ``arrays`` (name → array-like) for ``params`` atomically; object arrays are refused.

        ``seconds``: how long the unit took to compute (recorded with it; see :meth:`seconds_of`).
        Under ``$SGN_CACHE_REQUIRE`` storing a new unit is an error (:class:`MissingUnitError`).
        """
        final = self.path(params)
        check_may_compute(self.namespace, final)
        payload = _unit_arrays(arrays, self.namespace)
        payload["__params__"] = np.asarray(_params_text(self._key_params(params)))
        if seconds is not None:
            payload["__seconds__"] = np.asarray(float(seconds))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(f"cannot create the cache folder {self.folder}: {exc.strerror or exc}") from None
        atomic_write(final, lambda fh: np.savez(fh, **payload))
        notify("stored", self.namespace, final.stem, final, **({} if seconds is None else {"seconds": round(float(seconds), 4)}))
        return final

    def get_or_compute(self, params: dict, compute: Callable[[], dict]) -> dict[str, np.ndarray]:
        """The stored unit for ``params``, or ``compute()`` (a dict of arrays) stored then returned.

        A stored unit that is damaged (truncated, garbage) or holds other
        parameters is reported with a :class:`UnitCacheWarning` naming its file,
        then recomputed and replaced.
        """
        if not callable(compute):
            raise ValueError(f"compute must be a callable returning a dict of arrays; got {compute!r}")
        path = self.path(params)
        if path.is_file():
            try:
                data, recorded = self._read(path, params)
                notify("hit", self.namespace, path.stem, path, **recorded)
                return data
            except DamagedUnitError as exc:
                warnings.warn(f"{exc}; recomputing it", UnitCacheWarning, stacklevel=2)
        check_may_compute(self.namespace, path)
        notify("start", self.namespace, path.stem, path)
        t0 = time.perf_counter()
        arrays = compute()
        self.save(params, arrays, seconds=time.perf_counter() - t0)
        return self._read(path, params)[0]

    def clear(self) -> int:
        """Remove every stored unit of this namespace (and leftover temporary files); returns how many units."""
        n = 0
        if self.folder.is_dir():
            for p in self.folder.iterdir():
                if not p.is_file():
                    continue
                if _KEY_RE.match(p.name):
                    p.unlink()
                    n += 1
                elif p.name.startswith(TMP_PREFIX):
                    p.unlink()
        return n
