"""Readers of the tabular data sets: each returns ``(X, y, source)`` as numpy arrays.

``y`` is 0/1: for Ionosphere 1 = "good" radar return, for the ODDS sets 1 = outlier.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sgnlib.data._files import COMMITTED, check_file, check_published, external_dir, missing

#: SHA-256 of the files committed under ``data/`` (also listed in ``data/SHA256SUMS``).
SHA256 = {
    "ionosphere.csv": "9d1dac13ab7a4ba1a0aaafec6a96789b54c46b7526be204e35fec1933dd5f56f",
    "cardio.mat": "5e568b6a73711012c481fa6cc984ab9c68e9a4fa44d6aeb3b43efa381c3f695b",
}

SPEECH_URL = "https://odds.cs.stonybrook.edu/speech-dataset/"
#: Published shape and outlier count of ODDS Speech; checked because no checksum is published.
SPEECH_SHAPE, SPEECH_OUTLIERS = (3686, 400), 61


def committed(filename: str) -> Path:
    """Path of a committed data file after checking its SHA-256."""
    return check_file(COMMITTED / filename, sha256=SHA256[filename],
                      hint="restore it from git (git checkout -- data/)")


def breast_cancer(root=None, verify: bool = True):
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    return bunch.data, bunch.target, "UCI Breast Cancer Wisconsin (Diagnostic), bundled with scikit-learn"


def ionosphere(root=None, verify: bool = True):
    path = committed("ionosphere.csv") if verify else COMMITTED / "ionosphere.csv"
    raw = np.loadtxt(path, delimiter=",", skiprows=1, dtype=str)
    X = raw[:, :-1].astype(float)
    y = (raw[:, -1] == "good").astype(float)
    return X, y, "UCI Ionosphere (Sigillito et al. 1989), from R mlbench 2.1-3 (Debian r-cran-mlbench), data/ionosphere.csv"


def _odds_mat(path: Path):
    from scipy.io import loadmat

    mat = loadmat(path)
    return np.asarray(mat["X"], dtype=float), np.asarray(mat["y"], dtype=float).ravel()


def cardio(root=None, verify: bool = True):
    X, y = _odds_mat(committed("cardio.mat") if verify else COMMITTED / "cardio.mat")
    return X, y, "ODDS Cardio (Rayana 2016, from UCI Cardiotocography), from PyPI pyod 0.1.3, data/cardio.mat"


def speech(root=None, verify: bool = True):
    path = external_dir("speech", root) / "speech.mat"
    if not path.is_file():
        raise missing("speech", "ODDS Speech", SPEECH_URL, "speech.mat", path.parent, downloadable=False)
    X, y = _odds_mat(path)
    if verify:
        check_published(path, f"{X.shape[0]}x{X.shape[1]}, {int(y.sum())} outliers",
                        f"{SPEECH_SHAPE[0]}x{SPEECH_SHAPE[1]}, {SPEECH_OUTLIERS} outliers",
                        f"fetch ODDS Speech again from {SPEECH_URL}")
    return X, y, f"ODDS Speech (Rayana 2016), {path}"


READERS = {"breast_cancer": breast_cancer, "ionosphere": ionosphere, "cardio": cardio, "speech": speech}
