"""Readers of the image data sets: each returns ``(images, labels, classes, source)``.

``images`` are ``uint8`` arrays ``[N, C, H, W]``, ``labels`` ``int64`` class indices.
Formats: Fashion-MNIST as the idx files of Xiao et al. 2017 (gzipped or not),
CIFAR-100 as the python pickles of ``cifar-100-python.tar.gz`` (Krizhevsky 2009),
CINIC-10 as ``train/ valid/ test/`` folders of 32×32 PNGs, one folder per class
(Darlow et al. 2018).
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import tarfile
import zlib
from pathlib import Path

import numpy as np

from sgnlib.data._files import (
    DataUnavailable,
    check_file,
    check_published,
    download_archive,
    external_dir,
    missing,
)

# ---------------------------------------------------------------- Fashion-MNIST

FASHION_SYSTEM = Path("/usr/share/datasets/fashion-mnist")
FASHION_URL = "https://github.com/zalandoresearch/fashion-mnist"
#: SHA-256 of the decompressed idx files (the same for Debian's and upstream's gzip files).
FASHION_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def read_idx(path: str | Path) -> np.ndarray:
    """An idx file of unsigned bytes (LeCun's MNIST format; ``.gz`` read transparently) as a numpy array.

    Header: two zero bytes, type code ``0x08`` (uint8), the number of
    dimensions, then each dimension as a big-endian int32; then the data.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            buf = fh.read()
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; a truncated .gz an EOFError
        raise DataUnavailable(f"{path} cannot be read ({type(exc).__name__}: {exc}); fetch it again") from None
    if len(buf) < 4 or buf[0] != 0 or buf[1] != 0 or buf[2] != 0x08:
        raise DataUnavailable(f"{path} is not an idx file of unsigned bytes (header {buf[:4].hex()}); fetch it again")
    ndim = buf[3]
    dims = tuple(int(d) for d in np.frombuffer(buf, ">i4", count=ndim, offset=4))
    data = np.frombuffer(buf, np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise DataUnavailable(f"{path}: header says {dims} ({int(np.prod(dims))} bytes) but holds {data.size}; fetch it again")
    return data.reshape(dims)


def _idx_path(folder: Path, stem: str) -> Path | None:
    for cand in (folder / f"{stem}.gz", folder / stem):
        if cand.is_file():
            return cand
    return None


def fashion_folder(root: str | Path | None = None) -> Path:
    """The folder holding the Fashion-MNIST idx files.

    ``root`` if given; else ``$SGN_DATA_DIR/fashion-mnist`` (default
    ``data/external/fashion-mnist``), then Debian's ``/usr/share/datasets/fashion-mnist``.
    """
    cands = [Path(root)] if root is not None else [external_dir("fashion-mnist"), FASHION_SYSTEM]
    for folder in cands:
        if _idx_path(folder, "train-images-idx3-ubyte") is not None:
            return folder
    raise DataUnavailable(
        f"data set 'fashion_mnist' (Fashion-MNIST) is not installed: run 'make data-deps' "
        f"(Debian package dataset-fashion-mnist, as root) or put the four idx files of {FASHION_URL} "
        f"in {cands[0]}"
    )


def fashion_mnist(split: str, root=None, verify: bool = True, download: bool = False):
    folder = fashion_folder(root)
    prefix = "train" if split == "train" else "t10k"
    arrays = []
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        stem = f"{prefix}-{kind}"
        path = _idx_path(folder, stem)
        if path is None:
            raise DataUnavailable(f"data set 'fashion_mnist': {stem}(.gz) is missing in {folder}; reinstall it ('make data-deps')")
        if verify:
            check_file(path, sha256=FASHION_SHA256[stem], gunzip=path.suffix == ".gz",
                       hint="reinstall it ('make data-deps') or fetch it again")
        arrays.append(read_idx(path))
    images, labels = arrays
    return images[:, None], labels.astype(np.int64), FASHION_CLASSES, f"Fashion-MNIST (Xiao et al. 2017), {folder}"


# ---------------------------------------------------------------- CIFAR-100

CIFAR100_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
CIFAR100_FILE = "cifar-100-python.tar.gz"
CIFAR100_BASE = "cifar-100-python"


def _cifar100_md5() -> tuple[str, dict[str, str]]:
    """torchvision's md5 of the archive and of the pickles ``train``, ``test``, ``meta`` (imported only when needed)."""
    from torchvision.datasets import CIFAR100

    md5 = dict(CIFAR100.train_list + CIFAR100.test_list)
    md5["meta"] = CIFAR100.meta["md5"]
    return CIFAR100.tgz_md5, md5


def _unpickle(path: Path) -> dict:
    with open(path, "rb") as fh:
        return pickle.load(fh, encoding="latin1")


def _extract(archive: Path, folder: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")


def cifar100(split: str, root=None, verify: bool = True, download: bool = False):
    url, filename = CIFAR100_URL, CIFAR100_FILE
    tgz_md5, md5 = _cifar100_md5()
    folder = external_dir("cifar100", root)
    inner = folder / CIFAR100_BASE
    if not (inner / split).is_file():
        archive = folder / filename
        if not archive.is_file() and download:
            download_archive(url, folder, filename, tgz_md5, "cifar100")
        elif archive.is_file():
            if verify:
                check_file(archive, md5=tgz_md5, hint=f"delete it and download {url} again")
            _extract(archive, folder)
        if not (inner / split).is_file():
            raise missing("cifar100", "CIFAR-100", url, filename, folder, downloadable=True)
    if verify:
        for part in (split, "meta"):
            check_file(inner / part, md5=md5[part], hint=f"delete {inner} and extract {url} again")
    batch = _unpickle(inner / split)
    images = np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    labels = np.asarray(batch["fine_labels"], dtype=np.int64)
    classes = tuple(_unpickle(inner / "meta")["fine_label_names"])
    return images, labels, classes, f"CIFAR-100 (Krizhevsky 2009), {inner}"


# ---------------------------------------------------------------- CINIC-10

CINIC10_URL = "https://datashare.ed.ac.uk/bitstream/handle/10283/3192/CINIC-10.tar.gz"
CINIC10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
#: Images per class in each of train, valid and test (no checksum is published; the counts are checked).
CINIC10_PER_CLASS = 9000


def _cinic_split_dir(folder: Path, split: str) -> Path | None:
    for cand in (folder / split, folder / "CINIC-10" / split):
        if cand.is_dir():
            return cand
    return None


def _decode_pngs(files: list[Path]) -> np.ndarray:
    from PIL import Image

    out = np.empty((len(files), 3, 32, 32), dtype=np.uint8)
    for i, f in enumerate(files):
        with Image.open(f) as im:
            arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
        if arr.shape != (32, 32, 3):
            raise DataUnavailable(f"{f}: a CINIC-10 image must be 32x32, found {arr.shape[1]}x{arr.shape[0]}; fetch it again")
        out[i] = arr.transpose(2, 0, 1)
    return out


def cinic10(split: str, root=None, verify: bool = True, download: bool = False):
    from sgnlib.cache import UnitCache

    folder = external_dir("cinic10", root)
    sdir = _cinic_split_dir(folder, split)
    if sdir is None:
        archive = folder / "CINIC-10.tar.gz"
        if not archive.is_file() and download:
            download_archive(CINIC10_URL, folder, archive.name, None, "cinic10")
        elif archive.is_file():
            _extract(archive, folder)
        sdir = _cinic_split_dir(folder, split)
        if sdir is None:
            raise missing("cinic10", "CINIC-10", CINIC10_URL, "CINIC-10.tar.gz (or its train/ valid/ test/ folders)",
                          folder, downloadable=True)
    classes = tuple(sorted(p.name for p in sdir.iterdir() if p.is_dir()))
    files = {c: sorted((sdir / c).glob("*.png")) for c in classes}
    if verify:
        found = ", ".join(f"{c}: {len(files[c])}" for c in classes)
        check_published(sdir, found, ", ".join(f"{c}: {CINIC10_PER_CLASS}" for c in CINIC10_CLASSES),
                        f"fetch CINIC-10 again from {CINIC10_URL}")
    flat = [f for c in classes for f in files[c]]
    labels = np.repeat(np.arange(len(classes), dtype=np.int64), [len(files[c]) for c in classes])
    listing = hashlib.sha256("\n".join(f"{f.relative_to(sdir)}:{f.stat().st_size}" for f in flat).encode()).hexdigest()
    unit = UnitCache("data-cinic10").get_or_compute(
        {"folder": str(sdir.resolve()), "listing": listing, "version": 1},
        lambda: {"images": _decode_pngs(flat)},
    )
    return unit["images"], labels, classes, f"CINIC-10 (Darlow et al. 2018), {sdir}"


READERS = {"fashion_mnist": fashion_mnist, "cifar100": cifar100, "cinic10": cinic10}
