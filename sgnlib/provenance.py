"""What ran where: package versions, the device, and the run record kept in each executed chapter.

The chapter runner stores a run record in the notebook's metadata under
``sgn_book`` (:func:`write_run_metadata`); the book's *How each chapter was run*
page and the tests read it back with :func:`read_run_metadata`. This module is
the only place that knows the record's layout.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

__all__ = ["versions", "show_versions", "RUN_METADATA_KEY", "write_run_metadata", "read_run_metadata", "unit_costs",
           "empty_cache_estimate"]

_PACKAGES = ("sgnlib", "numpy", "scipy", "torch", "matplotlib", "scikit-learn")

#: The notebook-metadata key holding the runner's record.
RUN_METADATA_KEY = "sgn_book"

_REQUIRED = ("chapter", "profile", "parameters", "seconds", "device", "finished", "versions")


def versions(packages=_PACKAGES) -> dict[str, str]:
    """Python, platform, device and the versions of ``packages`` (``"not installed"`` if absent)."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    try:
        import torch

        out["device"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover
        out["device"] = "cpu"
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine() -> dict[str, object]:
    """What a run's floating-point results may depend on: the CPU and its torch kernels, threads, BLAS, GPU.

    ``cpu`` the CPU model; ``cpu_kernels`` torch's CPU capability (``torch.backends.cpu.get_cpu_capability()``:
    which vectorised code paths ran, lowered by ``$ATEN_CPU_CAPABILITY``); ``torch_threads`` torch's
    thread count in this process (a chapter may set its own: see its thread parameter); ``blas``
    torch's BLAS and numpy's; ``gpu`` the CUDA device's name, or None; ``env`` the variables that
    change kernels (``ATEN_CPU_CAPABILITY``, ``MKL_CBWR``, ``ONEDNN_MAX_CPU_ISA``,
    ``OMP_NUM_THREADS``) where set.
    """
    import re

    out: dict[str, object] = {"cpu": _cpu_model(), "cpu_kernels": "unknown", "torch_threads": None, "blas": "unknown",
                              "gpu": None}
    try:
        import torch

        out["cpu_kernels"] = torch.backends.cpu.get_cpu_capability()
        out["torch_threads"] = torch.get_num_threads()
        blas = re.findall(r"BLAS_INFO=(\w+)", torch.__config__.show())
        out["blas"] = f"torch {blas[0] if blas else 'unknown'}"
        out["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:  # pragma: no cover
        pass
    try:
        import numpy as np

        out["blas"] = f"{out['blas']}, numpy {np.__config__.CONFIG['Build Dependencies']['blas']['name']}"
    except (KeyError, AttributeError, TypeError):  # pragma: no cover
        pass
    out["env"] = {k: os.environ[k] for k in ("ATEN_CPU_CAPABILITY", "MKL_CBWR", "ONEDNN_MAX_CPU_ISA", "OMP_NUM_THREADS")
                  if k in os.environ}
    return out


def machine_text(record: Mapping) -> str:
    """One line for a run record's machine: ``cpu · AMD EPYC · kernels AVX2 · 1 thread · torch mkl, numpy …``."""
    m = record.get("machine")
    if not m:
        return str(record.get("device", "unknown"))
    threads = m.get("chapter_threads")
    threads = threads if isinstance(threads, int) and threads > 0 else m.get("torch_threads")
    parts = [m["gpu"] if m.get("gpu") else "cpu", str(m.get("cpu")), f"kernels {m.get('cpu_kernels')}"]
    if threads:
        parts.append(f"{threads} thread{'s' if threads != 1 else ''}")
    parts.append(str(m.get("blas")))
    parts += [f"{k}={v}" for k, v in sorted((m.get("env") or {}).items())]
    return " · ".join(parts)


def show_versions(packages=_PACKAGES) -> None:
    """Print :func:`versions` as an aligned two-column table."""
    info = versions(packages)
    width = max(map(len, info))
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")


def unit_costs(events) -> dict:
    """What a run did with cached units, from its unit events (:func:`sgnlib.cache.notify`).

    ``computed``: units computed and stored by the run; ``loaded``: distinct units read from the
    cache and not computed by the run; ``loaded_seconds``: the compute time those recorded when they
    were made; ``loaded_unrecorded``: how many of them recorded none (made before units recorded it).
    """
    stored, hits = {}, {}
    for e in events:
        if e.get("event") == "stored":
            stored[e["path"]] = float(e.get("seconds") or 0.0)
        elif e.get("event") == "hit":
            hits.setdefault(e["path"], e.get("recorded_seconds"))
    loaded = {p: s for p, s in hits.items() if p not in stored}
    known = [s for s in loaded.values() if s is not None]
    return {"computed": len(stored), "loaded": len(loaded), "loaded_seconds": round(sum(known), 1),
            "loaded_unrecorded": len(loaded) - len(known)}


def empty_cache_estimate(record: Mapping) -> float | None:
    """Seconds the run would have taken from an empty cache: its run time plus the recorded compute time of the
    units it loaded; None when it has no unit record or some loaded unit recorded no time."""
    units = record.get("units")
    if not units:
        return None
    if units.get("loaded_unrecorded", 0):
        return None
    return float(record["seconds"]) + float(units.get("loaded_seconds", 0.0))


def write_run_metadata(
    nb,
    *,
    chapter: str,
    profile: str,
    parameters: Mapping,
    seconds: float,
    overrides: Mapping | None = None,
    units: Mapping | None = None,
    threads: int | None = None,
) -> dict:
    """Store the run record in ``nb.metadata["sgn_book"]`` and return it.

    The record holds the chapter name, profile, injected parameters, the ``-p``
    overrides among them, the run time in seconds, the device, the UTC time it
    finished, the package versions (:func:`versions`), the machine (:func:`machine`: CPU model, torch's
    CPU kernels, threads, BLAS, GPU; ``threads`` the torch thread count the chapter set itself, its
    thread parameter, 0 or None for torch's default); ``units`` (:func:`unit_costs`) what it
    computed and what it loaded from the cache.
    """
    if not isinstance(chapter, str) or not chapter:
        raise ValueError(f"chapter must be a non-empty chapter name; got {chapter!r}")
    if not isinstance(profile, str) or not profile:
        raise ValueError(f"profile must be a non-empty profile name; got {profile!r}")
    info = versions()
    record = {
        "chapter": chapter,
        "profile": profile,
        "parameters": dict(parameters),
        "overrides": dict(overrides or {}),
        "seconds": round(float(seconds), 1),
        "device": info.pop("device"),
        "finished": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": info,
        "machine": {**machine(), "chapter_threads": threads},
    }
    if units is not None:
        record["units"] = dict(units)
    nb.metadata[RUN_METADATA_KEY] = record
    return record


def read_run_metadata(nb: Mapping | str | Path) -> dict | None:
    """The run record of an executed chapter (a notebook mapping or a path), or ``None`` if it has none.

    Returns ``chapter``, ``profile``, ``parameters`` (papermill's own record of the
    injected parameters where present), ``overrides``, ``seconds`` (papermill's
    duration where present), ``device``, ``finished``, ``versions`` and, for runs
    that recorded it, ``units`` (:func:`unit_costs`). A record
    missing one of these raises ``ValueError`` naming the notebook and the key.
    """
    where = "the notebook"
    if isinstance(nb, (str, Path)):
        where = str(nb)
        try:
            nb = json.loads(Path(nb).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the notebook {where}: {exc}") from None
    meta = nb.get("metadata", {}) if isinstance(nb, Mapping) else {}
    record = meta.get(RUN_METADATA_KEY)
    if not record:
        return None
    missing = [key for key in _REQUIRED if key not in record]
    if missing:
        raise ValueError(f"{where}: the {RUN_METADATA_KEY} run record lacks {', '.join(missing)}")
    pm = meta.get("papermill") or {}
    out = {key: record[key] for key in _REQUIRED}
    out["overrides"] = dict(record.get("overrides") or {})
    if record.get("units"):
        out["units"] = dict(record["units"])
    if pm.get("parameters") is not None:
        out["parameters"] = pm["parameters"]
    if pm.get("duration") is not None:
        out["seconds"] = pm["duration"]
    return out
