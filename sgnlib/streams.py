"""One random stream per experiment, derived from (chapter seed, study name, settings).

A chapter has one ``seed``. Every experiment in it draws from a stream that
depends only on that seed, the experiment's name and its own settings, never on
the order of the calls: adding a point to one sweep, or removing a whole
section, leaves every other experiment's random numbers where they were::

    rng = streams.rng(seed, "basin-escape", alpha=1.5, eps=0.1)
    gen = streams.torch_generator(seed, "basin-escape", device="cpu", alpha=1.5, eps=0.1)

The settings are canonicalised like the keys of :class:`sgnlib.cache.UnitCache`
(order of keyword arguments, ``1`` versus ``1.0`` of numpy scalars, tuples versus
lists do not matter; ``1`` versus ``"1"`` does), hashed with SHA-256, and the
hash becomes the ``spawn_key`` of a :class:`numpy.random.SeedSequence` whose
entropy is the chapter seed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

__all__ = ["seed_sequence", "rng", "torch_generator", "int_seed"]


def _check_seed(seed: Any) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ValueError(f"seed must be a non-negative int; got {seed!r}")
    return int(seed)


def _spawn_key(study: str, settings: dict) -> tuple[int, ...]:
    if not isinstance(study, str) or not study:
        raise ValueError(f"study must be a non-empty name; got {study!r}")
    from sgnlib.cache import canonical

    text = json.dumps([study, canonical(settings)], sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


def seed_sequence(seed: int, study: str, **settings: Any) -> np.random.SeedSequence:
    """The :class:`numpy.random.SeedSequence` of ``study`` at ``settings`` under chapter ``seed``."""
    return np.random.SeedSequence(entropy=_check_seed(seed), spawn_key=_spawn_key(study, settings))


def rng(seed: int, study: str, **settings: Any) -> np.random.Generator:
    """A numpy ``Generator`` on the stream of (``seed``, ``study``, ``settings``)."""
    return np.random.default_rng(seed_sequence(seed, study, **settings))


def int_seed(seed: int, study: str, **settings: Any) -> int:
    """A 63-bit integer seed on the stream of (``seed``, ``study``, ``settings``).

    For APIs that take an int (``torch.manual_seed``, scikit-learn's ``random_state``).
    """
    return int(seed_sequence(seed, study, **settings).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def torch_generator(seed: int, study: str, device: str = "cpu", **settings: Any):
    """A seeded ``torch.Generator`` on ``device`` for the stream of (``seed``, ``study``, ``settings``).

    The device is not part of the stream: the same settings give the same seed on
    the CPU and on a GPU (the numbers then differ only where the device's own
    generator differs).
    """
    import torch

    gen = torch.Generator(device=device)
    gen.manual_seed(int_seed(seed, study, **settings))
    return gen
