"""sgnlib.data: the real data sets, exactly (published shapes, class counts, checksums),
deterministic splits and subsets, and the opt-in online loaders on small files in their
real formats made here."""

from __future__ import annotations

import gzip
import os
import pickle
import tarfile
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

from sgnlib import data
from sgnlib.data import _images, _tabular, _text
from sgnlib.data._files import COMMITTED, file_digest


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path, monkeypatch):
    """Every test sees an empty $SGN_DATA_DIR and its own unit cache, never the user's."""
    monkeypatch.setenv("SGN_DATA_DIR", str(tmp_path / "external"))
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path / "cache"))


# ---------------------------------------------------------------- committed files


def test_committed_checksums_agree_with_sha256sums_and_loaders():
    """data/SHA256SUMS, the loaders' constants and the files' actual SHA-256 are the same."""
    listed = dict(line.split()[::-1] for line in (COMMITTED / "SHA256SUMS").read_text().splitlines())
    in_code = {**_tabular.SHA256, _text.RT_FILE: _text.RT_SHA256}
    assert listed == in_code
    for name, digest in listed.items():
        assert file_digest(COMMITTED / name) == digest, name


def test_ionosphere_is_the_published_uci_set():
    """UCI Ionosphere: 351 x 34, 225 good / 126 bad; features in [-1, 1], the second constant 0."""
    raw = data.load("ionosphere", standardize=False)
    assert raw.X.shape == (351, 34)
    assert int(raw.y.sum()) == 225 and int((raw.y == 0).sum()) == 126
    assert raw.X.min() >= -1 and raw.X.max() <= 1 and bool((raw.X[:, 1] == 0).all())
    std = data.load("ionosphere")
    torch.testing.assert_close(std.X.mean(0), torch.zeros(34, dtype=torch.float64), atol=1e-12, rtol=0)
    assert bool((std.X[:, 1] == 0).all()), "a constant column must stay 0, not NaN"


def test_cardio_is_the_published_odds_set():
    """ODDS Cardio: 1831 x 21 with 176 outliers (y = 1)."""
    ds = data.load("cardio", dtype=torch.float32)
    assert ds.X.shape == (1831, 21) and ds.X.dtype == torch.float32
    assert int(ds.y.sum()) == 176 and set(ds.y.unique().tolist()) == {0.0, 1.0}


def test_a_tampered_committed_file_is_reported(tmp_path, monkeypatch):
    """A committed file whose SHA-256 differs raises ChecksumMismatch naming the expected sum."""
    text = (COMMITTED / "ionosphere.csv").read_text()
    (tmp_path / "ionosphere.csv").write_text(text.replace("0.99539", "0.99538", 1))
    monkeypatch.setattr(_tabular, "COMMITTED", tmp_path)
    with pytest.raises(data.ChecksumMismatch, match=_tabular.SHA256["ionosphere.csv"]):
        data.load("ionosphere")
    assert data.load("ionosphere", verify=False).X.shape == (351, 34)


# ---------------------------------------------------------------- Fashion-MNIST (Debian package)


@pytest.fixture(scope="module")
def fashion_train():
    """The real Fashion-MNIST train split; skipped only when it is missing and CI is unset."""
    try:
        _images.fashion_folder()
    except data.DataUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Fashion-MNIST must be installed on CI ('make data-deps'): {exc}")
        pytest.skip(f"Fashion-MNIST not installed here: {exc}")
    return data.image_dataset("fashion_mnist", "train")


def test_fashion_mnist_is_the_published_set(fashion_train):
    """Fashion-MNIST: 60000 train / 10000 test images of 1 x 28 x 28, 6000 / 1000 per class (checksums verified)."""
    assert fashion_train.images.shape == (60000, 1, 28, 28) and fashion_train.images.dtype == torch.float32
    assert torch.bincount(fashion_train.labels).tolist() == [6000] * 10
    assert (fashion_train.num_classes, fashion_train.in_channels, fashion_train.image_size) == (10, 1, 28)
    test = data.image_dataset("fashion_mnist", "test")
    assert test.images.shape == (10000, 1, 28, 28)
    assert torch.bincount(test.labels).tolist() == [1000] * 10


def test_fashion_mnist_normalised_with_train_statistics(fashion_train):
    """Per-channel normalisation by the train split's mean 0.2860 and std 0.3530 (pixels / 255)."""
    assert fashion_train.mean.item() == pytest.approx(0.2860, abs=5e-5)
    assert fashion_train.std.item() == pytest.approx(0.3530, abs=5e-5)
    assert fashion_train.images.mean().item() == pytest.approx(0.0, abs=1e-5)
    assert fashion_train.images.std().item() == pytest.approx(1.0, abs=1e-5)
    test = data.image_dataset("fashion_mnist", "test", subset=100)
    torch.testing.assert_close(test.mean, fashion_train.mean)


def test_fashion_mnist_subsets_stratified_deterministic_nested(fashion_train):
    """subset=n keeps every class's share, is the same for the same seed, nested in n, and moves with the seed."""
    small = data.image_dataset("fashion_mnist", "train", subset=500, seed=3)
    big = data.image_dataset("fashion_mnist", "train", subset=1000, seed=3)
    again = data.image_dataset("fashion_mnist", "train", subset=1000, seed=3)
    other = data.image_dataset("fashion_mnist", "train", subset=1000, seed=4)
    assert torch.bincount(big.labels).tolist() == [100] * 10
    np.testing.assert_array_equal(big.indices, again.indices)
    assert set(small.indices) <= set(big.indices)
    assert not np.array_equal(big.indices, other.indices)
    torch.testing.assert_close(big.images, fashion_train.images[torch.from_numpy(big.indices)])


def test_fashion_mnist_missing_folder_says_what_to_install(tmp_path):
    """A missing Fashion-MNIST raises DataUnavailable naming the Debian package and make data-deps."""
    with pytest.raises(data.DataUnavailable, match="make data-deps.*dataset-fashion-mnist"):
        data.image_dataset("fashion_mnist", root=tmp_path / "nowhere")


# ---------------------------------------------------------------- idx format


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


def test_read_idx_round_trips_and_rejects_bad_files(tmp_path):
    """The idx format (magic 0x00000803/0x00000801, big-endian dims) is read exactly, gzipped or not."""
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        _write_idx(tmp_path / name, arr)
        np.testing.assert_array_equal(data.read_idx(tmp_path / name), arr)
    (tmp_path / "bad").write_bytes(bytes([0, 0, 9, 1, 0, 0, 0, 1, 5]))
    with pytest.raises(data.DataUnavailable, match="not an idx file"):
        data.read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 5]))
    with pytest.raises(data.DataUnavailable, match=r"header says \(3,\)"):
        data.read_idx(tmp_path / "short")


@pytest.mark.parametrize("verify", [False, True])
def test_damaged_gzip_idx_is_named_not_a_raw_traceback(tmp_path, verify):
    """Issue 19: a truncated or non-gzip .gz raised a raw BadGzipFile / EOFError without the file name."""
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 40), ("t10k", 20)):
        _write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    victim = tmp_path / "t10k-images-idx3-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:40])  # truncated
    with pytest.raises(data.DataUnavailable, match=f"{victim}.*(cannot be read)"):
        data.image_dataset("fashion_mnist", "test", root=tmp_path, verify=verify)
    victim.write_bytes(b"not gzip at all")
    with pytest.raises(data.DataUnavailable, match=f"{victim}.*cannot be read.*BadGzipFile"):
        data.image_dataset("fashion_mnist", "test", root=tmp_path, verify=verify)


def test_fashion_loader_on_fake_idx_folder(tmp_path):
    """A folder of idx files in Fashion-MNIST's names loads; its checksum is reported as wrong when verified."""
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 40), ("t10k", 20)):
        _write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    ds = data.image_dataset("fashion_mnist", "test", root=tmp_path, verify=False)
    assert ds.images.shape == (20, 1, 28, 28) and ds.labels.tolist() == [i % 10 for i in range(20)]
    with pytest.raises(data.ChecksumMismatch, match="sha256 of the decompressed content"):
        data.image_dataset("fashion_mnist", "test", root=tmp_path)


def test_fashion_looks_in_sgn_data_dir_first_and_rereads_when_it_changes(tmp_path, monkeypatch):
    """$SGN_DATA_DIR/fashion-mnist is read before Debian's folder, and a change of $SGN_DATA_DIR is not served stale."""
    folder = tmp_path / "a" / "fashion-mnist"
    folder.mkdir(parents=True)
    for prefix, n in (("train", 30), ("t10k", 20)):
        _write_idx(folder / f"{prefix}-images-idx3-ubyte", np.full((n, 28, 28), 7))
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    monkeypatch.setenv("SGN_DATA_DIR", str(tmp_path / "a"))
    const = data.image_dataset("fashion_mnist", "test", verify=False)
    assert len(const) == 20 and bool((const.images == 0).all()), "a constant channel must give 0, not NaN"
    monkeypatch.setenv("SGN_DATA_DIR", str(tmp_path / "b"))
    if _images.FASHION_SYSTEM.is_dir():
        assert len(data.image_dataset("fashion_mnist", "test", verify=False)) == 10000
    else:
        with pytest.raises(data.DataUnavailable):
            data.image_dataset("fashion_mnist", "test", verify=False)


# ---------------------------------------------------------------- Rotten Tomatoes (committed)


def test_rotten_tomatoes_counts_and_split():
    """12752 distinct snippets (7368 fresh / 5384 rotten); a stratified 10 % test split disjoint from train."""
    train = data.text_dataset("rotten_tomatoes", "train")
    test = data.text_dataset("rotten_tomatoes", "test")
    assert len(train) + len(test) == 12752
    assert (torch.bincount(train.labels) + torch.bincount(test.labels)).tolist() == [5384, 7368]
    assert torch.bincount(test.labels).tolist() == [538, 737]
    assert not set(train.sentences) & set(test.sentences)
    assert train.classes == ("rotten", "fresh") and train.num_classes == 2


def test_rotten_tomatoes_split_is_seeded():
    """The same seed gives the same split; another seed another one."""
    a = data.text_dataset("rotten_tomatoes", "test", seed=1)
    b = data.text_dataset("rotten_tomatoes", "test", seed=1)
    c = data.text_dataset("rotten_tomatoes", "test", seed=2)
    assert a.sentences == b.sentences and torch.equal(a.tokens, b.tokens)
    assert a.sentences != c.sentences


def test_vocabulary_from_train_split_only():
    """Tokens below min_count in train, or seen only in test, map to <unk>; ids are padded to max_len."""
    train = data.text_dataset("rotten_tomatoes", "train", max_len=12, min_count=3)
    test = data.text_dataset("rotten_tomatoes", "test", max_len=12, min_count=3)
    counts = Counter(t for s in train.sentences for t in data.tokenize(s))
    assert all(counts[t] >= 3 for t in train.vocab.tokens[2:])
    assert len(train.vocab) == 2 + sum(c >= 3 for c in counts.values())
    assert test.vocab == train.vocab
    only_test = next(t for s in test.sentences for t in data.tokenize(s) if counts[t] == 0)
    assert test.vocab.index.get(only_test, data.Vocabulary.UNK) == data.Vocabulary.UNK
    assert train.tokens.shape == (len(train), 12) and int(train.lengths.max()) == 12
    row = int(torch.argmin(train.lengths))
    assert bool((train.tokens[row, train.lengths[row]:] == data.Vocabulary.PAD).all())


def test_tokenize_and_encode():
    """Lower case, words with inner apostrophes, one token per punctuation mark."""
    assert data.tokenize("Don't stop, it's GREAT!") == ["don't", "stop", ",", "it's", "great", "!"]
    vocab = data.Vocabulary.build(["a b b", "b c"], min_count=2)
    assert vocab.tokens == ("<pad>", "<unk>", "b")
    ids, lengths = vocab.encode(["b a b z", "b"], max_len=3)
    assert ids.tolist() == [[2, 1, 2], [2, 0, 0]] and lengths.tolist() == [3, 1]
    assert vocab.decode(ids[1]) == ["b"]


# ---------------------------------------------------------------- opt-in online sets, real formats


def _write_cola(folder: Path, rows: dict[str, int]) -> None:
    raw = folder / "cola_public" / "raw"
    raw.mkdir(parents=True)
    for split, fname in _text.COLA_FILES.items():
        lines = [f"gj04\t{i % 2}\t{'' if i % 2 else '*'}\tSentence \"number\" {i} of {split}." for i in range(rows[split])]
        (raw / fname).write_text("\n".join(lines) + "\n")


def test_cola_from_its_tsv_files_and_zip(tmp_path):
    """CoLA's raw tsv (source, label, mark, sentence) loads from the folder or from the zip; counts are checked."""
    _write_cola(tmp_path / "dir", {"train": 30, "test": 6})
    ds = data.text_dataset("cola", "test", root=tmp_path / "dir", verify=False, min_count=1)
    assert len(ds) == 6 and ds.labels.tolist() == [0, 1, 0, 1, 0, 1] and ds.sentences[1] == 'Sentence "number" 1 of test.'
    assert ds.vocab.index["number"] >= 2 and ds.classes == ("unacceptable", "acceptable")
    with pytest.raises(data.ChecksumMismatch, match="holds 30 rows, expected 8551 rows"):
        data.text_dataset("cola", root=tmp_path / "dir")
    zdir = tmp_path / "zip"
    zdir.mkdir()
    with zipfile.ZipFile(zdir / "cola_public_1.1.zip", "w") as zf:
        for f in (tmp_path / "dir").rglob("*.tsv"):
            zf.write(f, f.relative_to(tmp_path / "dir"))
    assert len(data.text_dataset("cola", "train", root=zdir, verify=False)) == 30
    (tmp_path / "dir" / "cola_public" / "raw" / "in_domain_dev.tsv").write_text("gj04\tyes\t\tBad label.\n")
    with pytest.raises(ValueError, match="line 1: a CoLA row has 4 tab-separated columns"):
        data.text_dataset("cola", "test", root=tmp_path / "dir", verify=False)


def _write_cifar100(folder: Path, per_class: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    inner = folder / "cifar-100-python"
    inner.mkdir(parents=True)
    train = None
    for split, n in (("train", per_class), ("test", 1)):
        labels = np.repeat(np.arange(100), n).tolist()
        pixels = rng.integers(0, 256, (len(labels), 3072), dtype=np.uint8)
        train = pixels if split == "train" else train
        batch = {"batch_label": split, "filenames": [f"{i}.png" for i in range(len(labels))],
                 "fine_labels": labels, "coarse_labels": [y // 5 for y in labels], "data": pixels}
        with open(inner / split, "wb") as fh:
            pickle.dump(batch, fh)
    with open(inner / "meta", "wb") as fh:
        pickle.dump({"fine_label_names": [f"class{i}" for i in range(100)],
                     "coarse_label_names": [f"super{i}" for i in range(20)]}, fh)
    with tarfile.open(folder / "cifar-100-python.tar.gz", "w:gz") as tar:
        tar.add(inner, arcname="cifar-100-python")
    for f in inner.iterdir():
        f.unlink()
    inner.rmdir()
    return train


def test_cifar100_names_are_torchvisions():
    """The CIFAR-100 URL, archive and folder names are torchvision's (its md5 sums are read from it)."""
    from torchvision.datasets import CIFAR100

    assert (_images.CIFAR100_URL, _images.CIFAR100_FILE, _images.CIFAR100_BASE) == \
        (CIFAR100.url, CIFAR100.filename, CIFAR100.base_folder)


def test_cifar100_from_its_tarball_of_pickles(tmp_path):
    """cifar-100-python.tar.gz (pickles train/test/meta, rows R|G|B planes) loads as [N, 3, 32, 32]; md5 is checked."""
    pixels = _write_cifar100(tmp_path, per_class=3)
    with pytest.raises(data.ChecksumMismatch, match="md5 of the file .* expected eb9058c3a382ffc7106e4002c42a8d85"):
        data.image_dataset("cifar100", root=tmp_path)
    ds = data.image_dataset("cifar100", "train", root=tmp_path, verify=False)
    assert ds.images.shape == (300, 3, 32, 32) and (ds.num_classes, ds.in_channels) == (100, 3)
    assert ds.classes[7] == "class7" and ds.labels[:4].tolist() == [0, 0, 0, 1]
    restored = ds.images[5] * ds.std[:, None, None] + ds.mean[:, None, None]
    np.testing.assert_allclose(restored[1, 0, :4].numpy() * 255, pixels[5, 1024:1028], atol=1e-3)
    sub = data.image_dataset("cifar100", "train", subset=100, root=tmp_path, verify=False)
    assert torch.bincount(sub.labels).tolist() == [1] * 100
    test = data.image_dataset("cifar100", "test", root=tmp_path, verify=False)
    assert len(test) == 100 and torch.equal(test.mean, ds.mean)


def test_cinic10_from_folders_of_pngs(tmp_path):
    """CINIC-10's train/valid/test/<class>/*.png (RGB or grey) loads; per-class counts are checked; decoding is cached."""
    from PIL import Image

    rng = np.random.default_rng(2)
    first = None
    for split in ("train", "valid", "test"):
        for c in _images.CINIC10_CLASSES:
            (tmp_path / split / c).mkdir(parents=True)
            for k in range(2):
                img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                first = img if first is None else first
                Image.fromarray(img if k == 0 else img[..., 0]).save(tmp_path / split / c / f"img{k}.png")
    ds = data.image_dataset("cinic10", "train", root=tmp_path, verify=False)
    assert ds.images.shape == (20, 3, 32, 32) and ds.classes == _images.CINIC10_CLASSES
    assert ds.labels.tolist() == [i // 2 for i in range(20)]
    restored = (ds.images[0] * ds.std[:, None, None] + ds.mean[:, None, None]) * 255
    np.testing.assert_allclose(restored.permute(1, 2, 0).numpy(), first, atol=1e-3)
    grey = ds.images[1] * ds.std[:, None, None] + ds.mean[:, None, None]
    torch.testing.assert_close(grey[0], grey[2])
    with pytest.raises(data.ChecksumMismatch, match="airplane: 2, .* expected airplane: 9000"):
        data.image_dataset("cinic10", "valid", root=tmp_path)

    def no_decoding(files):
        raise AssertionError("decoded again instead of reading the cache")

    _decode = _images._decode_pngs
    data._read_images.cache_clear()  # so the split is read from disk again, through the unit cache
    try:
        _images._decode_pngs = no_decoding
        again = data.image_dataset("cinic10", "train", root=tmp_path, verify=False)
    finally:
        _images._decode_pngs = _decode
    torch.testing.assert_close(again.images, ds.images)


def test_speech_from_its_mat_file(tmp_path):
    """ODDS speech.mat (X, y) loads as a tabular set; a file not 3686 x 400 with 61 outliers is reported."""
    from scipy.io import savemat

    folder = tmp_path / "external" / "speech"
    folder.mkdir(parents=True)
    X = np.random.default_rng(3).normal(size=(30, 400))
    savemat(folder / "speech.mat", {"X": X, "y": (np.arange(30) < 4).astype(float)[:, None]})
    ds = data.load("speech", standardize=False, verify=False)
    assert ds.X.shape == (30, 400) and int(ds.y.sum()) == 4
    np.testing.assert_allclose(ds.X.numpy(), X)
    with pytest.raises(data.ChecksumMismatch, match="holds 30x400, 4 outliers, expected 3686x400, 61 outliers"):
        data.load("speech")


@pytest.mark.parametrize("call, url", [
    (lambda: data.load("speech"), "odds.cs.stonybrook.edu/speech-dataset"),
    (lambda: data.image_dataset("cifar100"), "cifar-100-python.tar.gz"),
    (lambda: data.image_dataset("cinic10", "valid"), "CINIC-10.tar.gz"),
    (lambda: data.text_dataset("cola"), "cola_public_1.1.zip"),
    (lambda: data.load("cifar100"), "cifar-100-python.tar.gz"),
])
def test_online_sets_missing_say_what_to_download_and_where(tmp_path, call, url):
    """Offline, an online set raises a one-line DataUnavailable (a RuntimeError) with the URL and the folder."""
    with pytest.raises(RuntimeError) as info:
        call()
    assert isinstance(info.value, data.DataUnavailable)
    msg = str(info.value)
    assert "needs the internet" in msg and url in msg and str(tmp_path / "external") in msg and "\n" not in msg


def test_download_failure_becomes_the_clear_error(monkeypatch):
    """download=True without a network raises DataUnavailable naming the URL, not a raw urllib traceback."""
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(data.DataUnavailable, match=r"downloading https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz failed"):
        data.image_dataset("cifar100", download=True)
    with pytest.raises(data.DataUnavailable, match="downloading https://nyu-mll.github.io/CoLA/cola_public_1.1.zip failed"):
        data.text_dataset("cola", download=True)


# ---------------------------------------------------------------- catalogue and bad input


def test_available_lists_what_is_here(tmp_path):
    """available() lists the committed sets always and an online set once its files are in $SGN_DATA_DIR."""
    here = data.available()
    assert {"breast_cancer", "ionosphere", "cardio", "rotten_tomatoes"} <= set(here)
    assert "cola" not in here and "cola" in data.available("text", present_only=False)
    _write_cola(tmp_path / "external" / "cola", {"train": 1, "test": 1})
    assert "cola" in data.available("text")
    assert data.available("tabular", present_only=False) == ["breast_cancer", "cardio", "ionosphere", "speech"]
    assert data.ONLINE == {"speech": "ODDS Speech", "cifar100": "CIFAR-100", "cinic10": "CINIC-10", "cola": "CoLA"}
    assert (data.info("cifar100").num_classes, data.info("cifar100").in_channels) == (100, 3)


@pytest.mark.parametrize("call, message", [
    (lambda: data.load("mnist"), "unknown data set 'mnist'; valid: breast_cancer, cardio, cifar100"),
    (lambda: data.image_dataset(["cifar100"]), r"unknown data set \['cifar100'\]; valid:"),
    (lambda: data.load("rotten_tomatoes"), r"'rotten_tomatoes' is a text data set: use data.text_dataset"),
    (lambda: data.image_dataset("ionosphere"), r"'ionosphere' is a tabular data set: use data.load"),
    (lambda: data.load("cardio", dtype=torch.int64), "dtype must be a floating torch dtype"),
    (lambda: data.text_dataset("rotten_tomatoes", "valid"), "split must be one of 'train', 'test' for 'rotten_tomatoes'; got 'valid'"),
    (lambda: data.text_dataset("rotten_tomatoes", max_len=0), r"max_len must be an int >= 1; got 0"),
    (lambda: data.text_dataset("rotten_tomatoes", min_count=1.5), r"min_count must be an int >= 1; got 1.5"),
    (lambda: data.text_dataset("rotten_tomatoes", test_fraction=1.0), r"test_fraction must lie in \(0, 1\); got 1.0"),
    (lambda: data.text_dataset("rotten_tomatoes", seed=-1), "seed must be an int >= 0; got -1"),
    (lambda: data.stratified_subset([0, 1, 1], 4), r"subset must be an int in \[1, 3\]; got 4"),
    (lambda: data.available("audio"), "kind must be None, 'tabular', 'image' or 'text'; got 'audio'"),
])
def test_bad_arguments_are_named(call, message):
    """Bad input raises a one-line ValueError naming the argument and its value."""
    with pytest.raises(ValueError, match=message):
        call()


def test_stratified_subset_largest_remainder():
    """Class shares by largest remainder: 7 of (6, 3, 1) items gives (4, 2, 1); indices sorted and class-pure."""
    labels = np.array([0] * 6 + [1] * 3 + [2])
    idx = data.stratified_subset(labels, 7, seed=0)
    assert np.bincount(labels[idx]).tolist() == [4, 2, 1] and np.all(np.diff(idx) > 0)
    assert data.stratified_subset(labels, 10).tolist() == list(range(10))
