"""Data sets used by the book, loaded offline and exactly.

Each loader returns a :class:`Dataset` of float tensors. Only sets that ship
with an installed package (or are committed under ``data/`` with a checksum)
load here; sets that need the internet are named in :data:`ONLINE` and fail
with a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["Dataset", "load", "available", "ONLINE"]

#: Data sets the paper uses that cannot be fetched on an offline machine.
ONLINE = {
    "cifar100": "CIFAR-100 (Krizhevsky 2009)",
    "cinic10": "CINIC-10 (Darlow et al. 2018)",
    "speech": "ODDS Speech",
    "cola": "CoLA (Warstadt et al. 2018)",
}


@dataclass(frozen=True)
class Dataset:
    name: str
    X: torch.Tensor
    y: torch.Tensor
    source: str

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    return bunch.data, bunch.target, "UCI Breast Cancer Wisconsin (Diagnostic), bundled with scikit-learn"


_LOADERS = {"breast_cancer": _breast_cancer}


def available() -> list[str]:
    """Names :func:`load` accepts offline."""
    return sorted(_LOADERS)


def load(name: str, standardize: bool = True, dtype=torch.float64) -> Dataset:
    """Load a data set by name; features standardised to zero mean and unit variance by default."""
    if name in ONLINE:
        raise RuntimeError(f"data set {name!r} ({ONLINE[name]}) needs the internet and is not available offline")
    if name not in _LOADERS:
        raise ValueError(f"unknown data set {name!r}; available offline: {', '.join(available())}")
    X, y, source = _LOADERS[name]()
    X = np.asarray(X, dtype=float)
    if standardize:
        sd = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return Dataset(name, torch.as_tensor(X, dtype=dtype), torch.as_tensor(y, dtype=dtype), source)
