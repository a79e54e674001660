"""Data sets used by the book, loaded exactly, offline where possible.

Three calls, one per kind of data set::

    ds = data.load("cardio")                                   # tabular: Dataset(name, X, y, source)
    train = data.image_dataset("fashion_mnist", "train", subset=2000, seed=0)
    test = data.text_dataset("rotten_tomatoes", "test", max_len=64, seed=0)

``image_dataset`` and ``text_dataset`` return ``torch.utils.data.TensorDataset``
subclasses (items ``(x, label)``) carrying ``num_classes``, ``classes``,
``source`` and, for images, ``in_channels``/``image_size``/``mean``/``std``,
for text ``vocab``/``lengths``/``sentences``. :func:`info` describes a set
without loading it; :func:`available` lists what loads here.

Where the files come from (``data/PROVENANCE.md`` has sources, licences, SHA-256):

* committed under ``data/``: UCI Ionosphere, ODDS Cardio, the Rotten Tomatoes corpus;
  UCI Breast Cancer ships with scikit-learn;
* Fashion-MNIST: Debian's ``dataset-fashion-mnist`` (``make data-deps``);
* online, opt-in (:data:`ONLINE`): CIFAR-100, CINIC-10, CoLA, ODDS Speech, read from
  ``$SGN_DATA_DIR/<name>`` (default ``data/external/<name>``) or the folder ``root``.
  Missing files raise :class:`DataUnavailable` saying what to download and
  where to put it; ``download=True`` tries the internet for CIFAR-100, CINIC-10
  and CoLA. Checksums (or, where none is published, shapes and counts) are
  checked unless ``verify=False``; a mismatch raises :class:`ChecksumMismatch`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from sgnlib.data import _images, _tabular, _text
from sgnlib.data._files import (
    COMMITTED,
    ChecksumMismatch,
    DataUnavailable,
    external_dir,
    external_root,
    missing,
)
from sgnlib.data._text import Vocabulary, tokenize

__all__ = [
    "Dataset",
    "ImageDataset",
    "TextDataset",
    "LabelledDataset",
    "DataInfo",
    "Vocabulary",
    "DataUnavailable",
    "ChecksumMismatch",
    "ONLINE",
    "COMMITTED",
    "available",
    "info",
    "load",
    "image_dataset",
    "text_dataset",
    "tokenize",
    "read_idx",
    "external_root",
    "stratified_subset",
]

read_idx = _images.read_idx


@dataclass(frozen=True)
class DataInfo:
    """What a data set is, before loading it."""

    name: str
    kind: str  # "tabular", "image" or "text"
    title: str
    num_classes: int
    splits: tuple[str, ...]
    in_channels: int | None = None
    image_size: int | None = None
    url: str | None = None  # where to download it, for the online sets
    files: str | None = None  # what to put in the folder, for the online sets
    markers: tuple[str, ...] = ()  # paths (relative to the folder) whose presence means "here"

    @property
    def online(self) -> bool:
        return self.url is not None


_INFO = {
    i.name: i
    for i in (
        DataInfo("breast_cancer", "tabular", "UCI Breast Cancer Wisconsin (Diagnostic)", 2, ("all",)),
        DataInfo("ionosphere", "tabular", "UCI Ionosphere", 2, ("all",)),
        DataInfo("cardio", "tabular", "ODDS Cardio", 2, ("all",)),
        DataInfo("speech", "tabular", "ODDS Speech", 2, ("all",), url=_tabular.SPEECH_URL,
                 files="speech.mat", markers=("speech.mat",)),
        DataInfo("fashion_mnist", "image", "Fashion-MNIST", 10, ("train", "test"), 1, 28),
        DataInfo("cifar100", "image", "CIFAR-100", 100, ("train", "test"), 3, 32, url=_images.CIFAR100_URL,
                 files=_images.CIFAR100_FILE, markers=(f"{_images.CIFAR100_BASE}/train", _images.CIFAR100_FILE)),
        DataInfo("cinic10", "image", "CINIC-10", 10, ("train", "valid", "test"), 3, 32, url=_images.CINIC10_URL,
                 files="CINIC-10.tar.gz", markers=("train", "CINIC-10/train", "CINIC-10.tar.gz")),
        DataInfo("rotten_tomatoes", "text", "Rotten Tomatoes snippets (Pang & Lee)", 2, ("train", "test")),
        DataInfo("cola", "text", "CoLA", 2, ("train", "test"), url=_text.COLA_URL, files="cola_public_1.1.zip",
                 markers=("cola_public/raw/in_domain_train.tsv", "raw/in_domain_train.tsv",
                          "in_domain_train.tsv", "cola_public_1.1.zip")),
    )
}

#: Data sets that need the internet (name → title); their files go in ``$SGN_DATA_DIR/<name>``.
ONLINE = {n: i.title for n, i in _INFO.items() if i.online}


def info(name: str) -> DataInfo:
    """The :class:`DataInfo` of ``name``; ``ValueError`` listing the valid names if unknown."""
    if not isinstance(name, str) or name not in _INFO:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(sorted(_INFO))}")
    return _INFO[name]


def _present(name: str, root=None) -> bool:
    i = _INFO[name]
    if i.online:
        folder = external_dir(name, root)
        return any((folder / m).exists() for m in i.markers)
    if name == "fashion_mnist":
        try:
            _images.fashion_folder(root)
        except DataUnavailable:
            return False
    return True


def _require(name: str, kind: str, root, download: bool) -> DataInfo:
    """Check ``name`` is a data set of ``kind`` whose files are here (or may be downloaded)."""
    i = info(name)
    if i.online and not download and not _present(name, root):
        raise missing(name, i.title, i.url, i.files, external_dir(name, root), downloadable=i.kind != "tabular")
    if i.kind != kind:
        call = {"tabular": "load", "image": "image_dataset", "text": "text_dataset"}[i.kind]
        raise ValueError(f"{name!r} is a {i.kind} data set: use data.{call}({name!r}); "
                         f"{kind} sets: {', '.join(available(kind, present_only=False))}")
    return i


def available(kind: str | None = None, present_only: bool = True) -> list[str]:
    """Names of the data sets (of ``kind``: "tabular", "image", "text") whose files are here.

    With ``present_only=False``, every name of that kind, here or not.
    """
    if kind not in (None, "tabular", "image", "text"):
        raise ValueError(f"kind must be None, 'tabular', 'image' or 'text'; got {kind!r}")
    return sorted(n for n, i in _INFO.items()
                  if (kind is None or i.kind == kind) and (not present_only or _present(n)))


def _check_split(i: DataInfo, split: str) -> None:
    if split not in i.splits:
        raise ValueError(f"split must be one of {', '.join(map(repr, i.splits))} for {i.name!r}; got {split!r}")


def _check_int(value, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low \
            or (high is not None and value > high):
        bound = f"an int >= {low}" if high is None else f"an int in [{low}, {high}]"
        raise ValueError(f"{name} must be {bound}; got {value!r}")
    return int(value)


# ---------------------------------------------------------------- tabular


@dataclass(frozen=True)
class Dataset:
    """A tabular data set: features ``X [n, d]``, 0/1 labels ``y [n]``, and where it came from."""

    name: str
    X: torch.Tensor
    y: torch.Tensor
    source: str

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


def load(name: str, standardize: bool = True, dtype: torch.dtype = torch.float64, *,
         root: str | os.PathLike | None = None, verify: bool = True) -> Dataset:
    """Load a tabular data set: "breast_cancer", "ionosphere", "cardio" or "speech" (online).

    Features are standardised per column to zero mean and unit variance by
    default (a constant column, like Ionosphere's second, stays 0); ``y`` is 0/1
    (Ionosphere: 1 = "good"; Cardio, Speech: 1 = outlier).
    """
    _require(name, "tabular", root, download=False)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating torch dtype; got {dtype!r}")
    X, y, source = _tabular.READERS[name](root=root, verify=verify)
    X = np.asarray(X, dtype=float)
    if standardize:
        sd = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return Dataset(name, torch.as_tensor(X, dtype=dtype), torch.as_tensor(y, dtype=dtype), source)


# ---------------------------------------------------------------- subsets and splits


def _class_orders(labels: np.ndarray, seed: int, study: str, **settings) -> list[np.ndarray]:
    """For each class (in order), its indices in a random order drawn from the stream of (seed, study, settings)."""
    from sgnlib import streams

    rng = streams.rng(seed, study, **settings)
    return [rng.permutation(np.flatnonzero(labels == c)) for c in range(int(labels.max()) + 1)]


def stratified_subset(labels, subset: int, seed: int = 0, **settings) -> np.ndarray:
    """Sorted indices of ``subset`` items keeping each class's share (largest remainder).

    Each class's items are taken in an order fixed by (``seed``, ``settings``) alone,
    so a larger subset contains every smaller one of the same seed.
    """
    labels = np.asarray(labels)
    size = _check_int(subset, "subset", 1, labels.size)
    counts = np.bincount(labels)
    quota = size * counts / labels.size
    take = np.floor(quota).astype(int)
    extra = np.argsort(-(quota - take), kind="stable")[: size - take.sum()]
    take[extra] += 1
    orders = _class_orders(labels, seed, "data.subset", **settings)
    return np.sort(np.concatenate([o[:k] for o, k in zip(orders, take)]))


# ---------------------------------------------------------------- images


class LabelledDataset(TensorDataset):
    """Items ``(x, label)``: inputs ``tensors[0]``, ``int64`` labels ``tensors[1]``, with the set's name,
    split, class names, source, and any further attributes given as keywords."""

    def __init__(self, x: torch.Tensor, labels: torch.Tensor, *, name: str, split: str,
                 classes: tuple[str, ...], source: str, **attributes):
        super().__init__(x, labels)
        self.name, self.split, self.classes, self.source = name, split, tuple(classes), source
        self.__dict__.update(attributes)

    labels = property(lambda self: self.tensors[1])
    num_classes = property(lambda self: len(self.classes))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.name!r}, split={self.split!r}, n={len(self)}, "
                f"shape={tuple(self.tensors[0].shape[1:])}, num_classes={self.num_classes})")


class ImageDataset(LabelledDataset):
    """Images ``float32 [N, C, H, W]`` normalised per channel with the train split's ``mean`` and ``std``;
    ``indices`` are the rows kept from the split."""

    mean: torch.Tensor
    std: torch.Tensor
    indices: np.ndarray
    images = property(lambda self: self.tensors[0])
    in_channels = property(lambda self: int(self.tensors[0].shape[1]))
    image_size = property(lambda self: int(self.tensors[0].shape[-1]))


def _image_root(root) -> str:
    """The folder a set's files are read from, as a cache key (``$SGN_DATA_DIR`` taken at call time)."""
    return str(Path(root).resolve()) if root is not None else f"default:{external_root()}"


@functools.lru_cache(maxsize=6)
def _read_images(name: str, split: str, root: str, verify: bool, download: bool):
    """One split as read from disk, kept for the process (read-only arrays): a test split needs the train statistics."""
    folder = None if root.startswith("default:") else root
    out = _images.READERS[name](split, root=folder, verify=verify, download=download)
    out[0].setflags(write=False)
    out[1].setflags(write=False)
    return out


@functools.lru_cache(maxsize=6)
def _train_stats(name: str, root: str, verify: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std of the whole train split, pixels scaled to [0, 1] (a constant channel: std 1)."""
    x = _read_images(name, "train", root, verify, False)[0].astype(np.float64) / 255.0
    sd = x.std(axis=(0, 2, 3))
    return x.mean(axis=(0, 2, 3)), np.where(sd > 0, sd, 1.0)


def image_dataset(name: str, split: str = "train", subset: int | None = None, seed: int = 0,
                  root: str | os.PathLike | None = None, *, verify: bool = True,
                  download: bool = False, dtype: torch.dtype = torch.float32) -> ImageDataset:
    """An image data set: "fashion_mnist", "cifar100" (online) or "cinic10" (online).

    ``split``: "train" or "test" ("valid" too for CINIC-10). Pixels are scaled to
    [0, 1], then normalised per channel with the mean and std of the whole train
    split. A split read once is kept in memory for the process. ``subset``: an int keeps a stratified subset of that size chosen by the
    stream of (``seed``, name, split) — deterministic and nested in size.
    ``root``: the folder holding this set's files (default ``$SGN_DATA_DIR/<name>``).
    ``dtype``: of the pixels; they are normalised in float32 first, so a float64 set holds exactly
    the float32 set's values.
    """
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating torch dtype; got {dtype!r}")
    i = _require(name, "image", root, download)
    _check_split(i, split)
    seed = _check_int(seed, "seed", 0)
    root = _image_root(root)
    images, labels, classes, source = _read_images(name, split, root, bool(verify), bool(download))
    mean, std = _train_stats(name, root, bool(verify))
    idx = np.arange(labels.size) if subset is None else stratified_subset(labels, subset, seed, name=name, split=split)
    x = torch.from_numpy(images[idx].astype(np.float32) / np.float32(255.0))
    m, s = torch.as_tensor(mean, dtype=torch.float32), torch.as_tensor(std, dtype=torch.float32)
    x = ((x - m[:, None, None]) / s[:, None, None]).to(dtype)
    return ImageDataset(x, torch.from_numpy(labels[idx]), name=name, split=split, classes=classes,
                        mean=m, std=s, source=source, indices=idx)


# ---------------------------------------------------------------- text


class TextDataset(LabelledDataset):
    """Token ids ``int64 [N, max_len]`` (right-padded with ``vocab.PAD``), with ``vocab``, ``lengths`` and ``sentences``."""

    vocab: Vocabulary
    lengths: torch.Tensor
    sentences: list[str]
    tokens = property(lambda self: self.tensors[0])
    max_len = property(lambda self: int(self.tensors[0].shape[1]))
    pad_id = Vocabulary.PAD


def _text_splits(name: str, raw: dict, seed: int, test_fraction: float) -> dict:
    """The train/test split of a corpus: its official one, or a stratified one from the stream of (seed, name)."""
    if "all" not in raw:
        return raw
    sentences, labels = raw["all"]
    orders = _class_orders(labels, seed, "data.split", name=name, test_fraction=test_fraction)
    test = np.sort(np.concatenate([o[: int(round(test_fraction * o.size))] for o in orders]))
    train = np.setdiff1d(np.arange(labels.size), test)
    return {s: ([sentences[k] for k in idx], labels[idx]) for s, idx in (("train", train), ("test", test))}


def text_dataset(name: str, split: str = "train", max_len: int = 64, min_count: int = 2, seed: int = 0,
                 root: str | os.PathLike | None = None, *, test_fraction: float = 0.1, verify: bool = True,
                 download: bool = False) -> TextDataset:
    """A text classification set: "rotten_tomatoes" or "cola" (online), as token ids.

    Tokens: :func:`tokenize` (lower case, words and punctuation). The vocabulary
    holds the tokens seen ``min_count`` times or more in the *train* split only
    (``<pad>`` = 0, ``<unk>`` = 1). Rotten Tomatoes has no official split: a
    stratified ``test_fraction`` is held out by the stream of (``seed``, name,
    ``test_fraction``); CoLA uses its official in-domain train / dev files.
    """
    i = _require(name, "text", root, download)
    _check_split(i, split)
    seed = _check_int(seed, "seed", 0)
    max_len = _check_int(max_len, "max_len", 1)
    min_count = _check_int(min_count, "min_count", 1)
    if not (isinstance(test_fraction, (float, int)) and 0 < test_fraction < 1):
        raise ValueError(f"test_fraction must lie in (0, 1); got {test_fraction!r}")
    raw, classes, source = _text.READERS[name](root=root, verify=verify, download=download)
    splits = _text_splits(name, raw, seed, float(test_fraction))
    vocab = Vocabulary.build(splits["train"][0], min_count)
    sentences, labels = splits[split]
    ids, lengths = vocab.encode(sentences, max_len)
    return TextDataset(torch.from_numpy(ids), torch.from_numpy(labels), name=name, split=split, classes=classes,
                       vocab=vocab, lengths=torch.from_numpy(lengths), sentences=sentences, source=source)
