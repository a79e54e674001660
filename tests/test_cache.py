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


# ----------------------------------------------------------------------------- events, required units (issue 13)


def test_listener_sees_start_stored_and_hit(tmp_path):
    """Every computed unit is a 'start' then a 'stored' event (with its seconds), every read a 'hit'."""
    from sgnlib import cache as c

    seen = []
    fn = c.add_listener(seen.append)
    try:
        store = UnitCache("exp", root=tmp_path)
        store.get_or_compute({"seed": 1}, lambda: {"x": np.arange(3)})
        data = store.get_or_compute({"seed": 1}, lambda: {"x": np.zeros(3)})
    finally:
        c.remove_listener(fn)
    assert [e["event"] for e in seen] == ["start", "stored", "hit"]
    assert seen[1]["seconds"] >= 0 and seen[0]["key"] == seen[2]["key"] == store.path({"seed": 1}).stem
    assert sorted(data) == ["x"]  # the recorded compute time is not part of the unit's arrays
    assert isinstance(store.seconds_of({"seed": 1}), float)
    assert store.seconds_of({"seed": 2}) is None


def test_log_file_gets_one_json_line_per_event(tmp_path, monkeypatch):
    """$SGN_CACHE_LOG receives every event as a JSON line with the process id and the rank."""
    import json

    log = tmp_path / "events.jsonl"
    monkeypatch.setenv("SGN_CACHE_LOG", str(log))
    monkeypatch.setenv("RANK", "3")
    store = UnitCache("exp", root=tmp_path / "c")
    store.get_or_compute({"a": 1}, lambda: {"x": np.ones(2)})
    lines = [json.loads(s) for s in log.read_text().splitlines()]
    assert [e["event"] for e in lines] == ["start", "stored"]
    assert all(e["rank"] == 3 and e["pid"] == os.getpid() and e["namespace"] == "exp" for e in lines)


def test_required_unit_is_never_computed(tmp_path, monkeypatch):
    """$SGN_CACHE_REQUIRE=1: a missing unit raises MissingUnitError naming its namespace; a stored one still loads."""
    from sgnlib.cache import MissingUnitError

    store = UnitCache("needed", root=tmp_path)
    store.save({"k": 1}, {"x": np.ones(2)})
    monkeypatch.setenv("SGN_CACHE_REQUIRE", "1")
    calls = []
    with pytest.raises(MissingUnitError, match="'needed' is not cached.*precompute"):
        store.get_or_compute({"k": 2}, lambda: calls.append(1) or {"x": np.ones(2)})
    assert calls == []
    with pytest.raises(MissingUnitError):
        store.save({"k": 3}, {"x": np.ones(2)})
    np.testing.assert_array_equal(store.get_or_compute({"k": 1}, lambda: {"x": np.zeros(2)})["x"], [1, 1])
