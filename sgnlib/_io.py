"""Atomic file writes: one piece of code for every file sgnlib writes whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "TMP_PREFIX"]

#: Prefix of the temporary files (readers and ``UnitCache.clear`` recognise them).
TMP_PREFIX = ".tmp-"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[IO], None], *, text: bool = False) -> Path:
    """Write ``path`` atomically: ``write(fh)`` into a unique temporary file beside it, fsync, then ``os.replace``.

    A reader (or a process killed mid-write) sees the old file or the new one,
    never a part. The file gets the ordinary permissions of the umask, not
    ``mkstemp``'s private 0600. The temporary file is removed on any error.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TMP_PREFIX}{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
