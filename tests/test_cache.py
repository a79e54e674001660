"""Long experiments cache finished units atomically and resume with nothing lost (developers' standards)."""

import os

import numpy as np
import pytest

from sgnlib.cache import UnitCache, unit_key


def test_key_is_order_independent_and_value_sensitive():
    """The key ignores dict order and numpy scalar types, changes with any value, refuses objects."""
    assert unit_key({"lr": 0.1, "seed": 3}) == unit_key({"seed": 3, "lr": 0.1})
    assert unit_key({"lr": 0.1, "seed": 3}) != unit_key({"lr": 0.1, "seed": 4})
    assert unit_key({"a": np.float64(0.5)}) == unit_key({"a": 0.5})
    with pytest.raises(TypeError, match="object"):
        unit_key({"a": object()})


def test_resume_computes_only_missing_units(tmp_path):
    """A second run after an interruption computes only the units that were not stored."""
    cache = UnitCache("exp", root=tmp_path)
    calls = []

    def unit(seed):
        def compute():
            calls.append(seed)
            return {"x": np.arange(3) * seed}
        return compute

    for seed in range(3):
        cache.get_or_compute({"seed": seed}, unit(seed))
    assert calls == [0, 1, 2]
    # a second run (after an interruption, say) recomputes nothing
    again = [cache.get_or_compute({"seed": s}, unit(s))["x"] for s in range(4)]
    assert calls == [0, 1, 2, 3]
    np.testing.assert_array_equal(again[2], [0, 2, 4])


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    """A crash between writing and renaming leaves no unit and no temporary file."""
    cache = UnitCache("exp", root=tmp_path)

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("sgnlib.cache.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        cache.save({"seed": 1}, {"x": np.ones(5)})
    assert {"seed": 1} not in cache
    assert os.listdir(cache.folder) == []


def test_bad_input(tmp_path):
    """A namespace that is not a plain folder name, or an empty unit, is a ValueError."""
    with pytest.raises(ValueError, match="namespace"):
        UnitCache("../x", root=tmp_path)
    with pytest.raises(ValueError, match="non-empty dict"):
        UnitCache("e", root=tmp_path).save({"a": 1}, {})
