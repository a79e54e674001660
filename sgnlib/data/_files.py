"""Where data files live, how they are checked, and the errors a user sees when they are missing.

* Files committed with the repository live in ``data/`` at its root (:data:`COMMITTED`);
  their SHA-256 sums are listed in ``data/SHA256SUMS`` and in the loaders.
* Data sets fetched by the user live in ``$SGN_DATA_DIR/<folder>``, by default
  ``data/external/<folder>`` (git-ignored); :func:`external_dir` resolves it.
* A data set whose files are missing raises :class:`DataUnavailable` (a
  ``RuntimeError``) with one line saying what to download and where to put it; a
  file whose checksum differs raises :class:`ChecksumMismatch`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from pathlib import Path

__all__ = [
    "COMMITTED",
    "DataUnavailable",
    "ChecksumMismatch",
    "external_root",
    "external_dir",
    "file_digest",
    "check_file",
    "check_published",
    "missing",
    "download_archive",
]

#: ``data/`` at the repository root: the small files committed with the book.
COMMITTED = Path(__file__).resolve().parents[2] / "data"


class DataUnavailable(RuntimeError):
    """A data set's files are not on this machine (it needs the internet or a package)."""


class ChecksumMismatch(DataUnavailable):
    """A data file is there but its checksum is not the published one."""


def external_root() -> Path:
    """``$SGN_DATA_DIR`` if set, else ``data/external`` at the repository root."""
    env = os.environ.get("SGN_DATA_DIR")
    return Path(env) if env else COMMITTED / "external"


def external_dir(folder: str, root: str | os.PathLike | None = None) -> Path:
    """The folder of one fetched data set: ``root`` if given, else ``external_root() / folder``."""
    return Path(root) if root is not None else external_root() / folder


def file_digest(path: str | os.PathLike, algorithm: str = "sha256", gunzip: bool = False) -> str:
    """Hex digest of a file (of its decompressed content when ``gunzip``)."""
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"algorithm must be 'sha256' or 'md5'; got {algorithm!r}")
    h = hashlib.new(algorithm)
    opener = gzip.open if gunzip else open
    with opener(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def missing(name: str, title: str, url: str, what: str, folder: Path, downloadable: bool) -> DataUnavailable:
    """The one-line error for a data set whose files are not in ``folder``."""
    also = ", or pass download=True" if downloadable else ""
    return DataUnavailable(
        f"data set {name!r} ({title}) needs the internet and is not here: download {url} "
        f"and put {what} in {folder} (or set SGN_DATA_DIR{also})"
    )


def check_file(path: str | os.PathLike, *, sha256: str | None = None, md5: str | None = None,
               gunzip: bool = False, hint: str = "delete it and fetch it again") -> Path:
    """Return ``path`` after checking it exists and matches the given digest(s).

    ``gunzip=True`` checks the decompressed content, so a re-compressed copy of
    the same data passes. Raises :class:`DataUnavailable` for a missing file and
    :class:`ChecksumMismatch` naming the file, the expected and the found digest.
    """
    path = Path(path)
    if not path.is_file():
        raise DataUnavailable(f"data file {path} is missing; {hint}")
    for algorithm, expected in (("sha256", sha256), ("md5", md5)):
        if expected is None:
            continue
        try:
            got = file_digest(path, algorithm, gunzip=gunzip)
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or damaged .gz (BadGzipFile is an OSError)
            raise ChecksumMismatch(f"{path}: cannot be read ({type(exc).__name__}: {exc}); {hint}") from None
        if got != expected.lower():
            what = "decompressed content" if gunzip else "file"
            raise ChecksumMismatch(
                f"{path}: {algorithm} of the {what} is {got}, expected {expected}; "
                f"it is corrupt or another release: {hint}"
            )
    return path


def check_published(path: Path, found: str, expected: str, hint: str) -> None:
    """For sets without a published checksum: raise :class:`ChecksumMismatch` unless ``found == expected``.

    ``found`` and ``expected`` describe the content (shape, counts), e.g. ``"3686x400, 61 outliers"``.
    """
    if found != expected:
        raise ChecksumMismatch(f"{path}: holds {found}, expected {expected}; {hint}")


def download_archive(url: str, folder: Path, filename: str, md5: str | None, name: str) -> None:
    """Download ``url`` into ``folder`` and extract it (torchvision's downloader, md5 checked).

    A network failure becomes :class:`DataUnavailable` saying what to fetch by hand.
    """
    from torchvision.datasets.utils import download_and_extract_archive

    try:
        download_and_extract_archive(url, str(folder), filename=filename, md5=md5)
    except (OSError, RuntimeError) as exc:
        raise DataUnavailable(
            f"data set {name!r}: downloading {url} failed ({type(exc).__name__}: {exc}); "
            f"download it by hand and put {filename} in {folder}"
        ) from exc
