"""Fault injection against UnitCache (issue 8): a damaged or foreign unit is named and recomputed,
a unit that could not be read back is never written, and keys never collide across types."""

from __future__ import annotations

import hashlib
import json
import os
import warnings

import numpy as np
import pytest

from sgnlib.cache import DamagedUnitError, UnitCache, UnitCacheWarning, canonical, unit_key

PARAMS = {"alpha": 1.5, "seed": 3}


def _counting(value: float):
    """A compute function that counts its calls and returns {"x": [value, value]}."""
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.full(2, value)}

    return compute, calls


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path):
    path.write_bytes(os.urandom(300))


def _empty(path):
    path.write_bytes(b"")


def _plain_npy(path):
    with open(path, "wb") as fh:
        np.save(fh, np.arange(3))


def _no_params_record(path):
    with open(path, "wb") as fh:
        np.savez(fh, x=np.arange(2.0))


def _flipped_byte(path):
    data = bytearray(path.read_bytes())
    data[60] ^= 0xFF  # inside the first member's data: the zip CRC check fails on reading
    path.write_bytes(bytes(data))


DAMAGE = [_truncate, _garbage, _empty, _plain_npy, _no_params_record, _flipped_byte]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__.strip("_"))
def test_damaged_unit_is_named_and_recomputed(tmp_path, damage):
    """A truncated, garbage, empty, non-npz, record-less or corrupted unit: a warning naming its file, then recompute."""
    c = UnitCache("exp", root=tmp_path)
    c.save(PARAMS, {"x": np.zeros(2)})
    path = c.path(PARAMS)
    damage(path)
    compute, calls = _counting(7.0)
    with pytest.warns(UnitCacheWarning, match=f"{path.name}.*recomputing"):
        out = c.get_or_compute(PARAMS, compute)
    assert calls == [1] and np.array_equal(out["x"], [7.0, 7.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the replaced unit reads back clean
        assert np.array_equal(c.get_or_compute(PARAMS, compute)["x"], [7.0, 7.0])
    assert calls == [1]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__.strip("_"))
def test_load_of_damaged_unit_is_one_line_naming_the_path(tmp_path, damage):
    """load() of a damaged unit raises DamagedUnitError, one line, with the file's path."""
    c = UnitCache("exp", root=tmp_path)
    c.save(PARAMS, {"x": np.zeros(2)})
    damage(c.path(PARAMS))
    with pytest.raises(DamagedUnitError) as info:
        c.load(PARAMS)
    assert str(c.path(PARAMS)) in str(info.value) and "\n" not in str(info.value)


def test_unit_stored_for_other_parameters_is_detected(tmp_path):
    """A unit whose stored parameters differ (a hash collision, a copied file) is never served: named and recomputed."""
    c = UnitCache("exp", root=tmp_path)
    other = {"alpha": 1.2, "seed": 3}
    c.save(other, {"x": np.full(2, -1.0)})
    c.folder.joinpath(c.path(PARAMS).name).write_bytes(c.path(other).read_bytes())
    with pytest.raises(DamagedUnitError, match="holds other parameters"):
        c.load(PARAMS)
    compute, calls = _counting(7.0)
    with pytest.warns(UnitCacheWarning, match="holds other parameters"):
        out = c.get_or_compute(PARAMS, compute)
    assert calls == [1] and np.array_equal(out["x"], [7.0, 7.0])
    assert np.array_equal(c.load(other)["x"], [-1.0, -1.0])


@pytest.mark.parametrize(
    "arrays",
    [
        {"x": np.array([1, "a", None], dtype=object)},
        {"x": [[1, 2], [3]]},  # ragged
        {"x": [{"a": 1}]},
        {"ok": np.arange(3), "bad": np.array([object()])},
    ],
    ids=["object-array", "ragged", "dicts", "one-bad-of-two"],
)
def test_object_arrays_are_refused_and_never_poison_the_key(tmp_path, arrays):
    """A unit holding Python objects is refused when saved (naming the array); the key stays free."""
    c = UnitCache("exp", root=tmp_path)
    with pytest.raises(ValueError, match=r"unit array '(x|bad)' of 'exp'"):
        c.get_or_compute(PARAMS, lambda: arrays)
    assert PARAMS not in c and (not c.folder.exists() or not any(c.folder.iterdir()))
    compute, calls = _counting(1.0)
    assert np.array_equal(c.get_or_compute(PARAMS, compute)["x"], [1.0, 1.0]) and calls == [1]


@pytest.mark.parametrize(
    "a, b",
    [
        ({1: "v"}, {"1": "v"}),
        ({"k": {1: 0}}, {"k": {"1": 0}}),
        ({"k": 1}, {"k": "1"}),
        ({"k": 1}, {"k": True}),
        ({"k": 1}, {"k": 1.0}),
        ({"k": np.array([1, 2])}, {"k": [1, 2]}),
        ({"k": np.array([1, 2])}, {"k": np.array([1.0, 2.0])}),
        ({"k": np.array([1, 2])}, {"k": {"__array__": [1, 2], "dtype": "int64"}}),
        ({"k": None}, {"k": "None"}),
    ],
)
def test_keys_of_different_types_never_collide(a, b):
    """Settings that differ in type (1 vs "1" keys and values, 1 vs True vs 1.0, array vs list) get different keys."""
    assert unit_key(a) != unit_key(b)
    assert json.dumps(canonical(a), sort_keys=True) != json.dumps(canonical(b), sort_keys=True)


@pytest.mark.parametrize(
    "a, b",
    [
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"k": np.float64(0.5)}, {"k": 0.5}),
        ({"k": np.int32(3)}, {"k": 3}),
        ({"k": np.bool_(True)}, {"k": True}),
        ({"k": (1, 2)}, {"k": [1, 2]}),
        ({1: "a", 2: "b"}, {2: "b", 1: "a"}),
    ],
)
def test_spellings_of_one_setting_share_a_key(a, b):
    """Dict order, numpy scalars and tuples do not change the key."""
    assert unit_key(a) == unit_key(b)


def test_plain_keys_are_unchanged_by_the_type_fix():
    """Units stored before the fix stay valid: a str-keyed dict still hashes its sorted compact JSON."""
    params = {"seed": 3, "lr": 0.1, "ns": [1, 2], "name": "x"}
    text = json.dumps(params, sort_keys=True, separators=(",", ":"))
    assert unit_key(params) == hashlib.sha256(text.encode()).hexdigest()[:20]


@pytest.mark.parametrize(
    "params, where",
    [
        ({"a": object()}, r"params\['a'\] is a object"),
        ({"a": [1, {2}]}, r"params\['a'\]\[1\] is a set"),
        ({"a": np.array([None])}, r"params\['a'\] is an array of dtype object"),
        ([("a", 1)], "params must be a dict"),
    ],
)
def test_unusable_key_values_are_named(params, where):
    """A setting that cannot be canonicalised is a KeyTypeError (a TypeError and a ValueError) saying where it is."""
    with pytest.raises(TypeError, match=where):
        unit_key(params)
    with pytest.raises(ValueError, match=where):
        unit_key(params)


def test_nan_settings_are_served_from_the_cache(tmp_path):
    """A unit keyed by a NaN setting is found again (NaN != NaN must not force endless recomputation)."""
    c = UnitCache("exp", root=tmp_path)
    compute, calls = _counting(2.0)
    c.get_or_compute({"eps": float("nan")}, compute)
    c.get_or_compute({"eps": float("nan")}, compute)
    assert calls == [1]


def test_clear_counts_units_and_removes_stale_temp_files(tmp_path):
    """clear() returns the number of units, removes leftover temp files without counting them, keeps other files."""
    c = UnitCache("exp", root=tmp_path)
    for seed in range(2):
        c.save({"seed": seed}, {"x": np.arange(2)})
    (c.folder / ".tmp-abc123.npz").write_bytes(b"half a unit")
    (c.folder / "notes.txt").write_text("mine")
    assert c.clear() == 2
    assert sorted(p.name for p in c.folder.iterdir()) == ["notes.txt"]
    assert c.clear() == 0


@pytest.mark.parametrize("namespace", ["", ".hidden", "a/b", "..", "a\\b", None, 3])
def test_bad_namespace_is_refused(tmp_path, namespace):
    """A namespace that is not a plain folder name is a ValueError naming it."""
    with pytest.raises(ValueError, match="namespace must be a plain folder name"):
        UnitCache(namespace, root=tmp_path)


def test_version_is_part_of_every_key(tmp_path):
    """Units of another version are never read; no version keeps the plain key; a bad version is named."""
    plain, v1, v2 = (UnitCache("exp", root=tmp_path, version=v) for v in (None, "1", "2"))
    assert plain.path(PARAMS).name == f"{unit_key(PARAMS)}.npz"
    assert len({plain.path(PARAMS), v1.path(PARAMS), v2.path(PARAMS)}) == 3
    v1.save(PARAMS, {"x": np.ones(1)})
    assert PARAMS in v1 and PARAMS not in v2
    with pytest.raises(ValueError, match="version must be a non-empty string"):
        UnitCache("exp", root=tmp_path, version=2)


def test_bad_compute_and_unit_are_named(tmp_path):
    """A compute that is not callable, or that returns no dict of named arrays, is a ValueError; nothing is stored."""
    c = UnitCache("exp", root=tmp_path)
    with pytest.raises(ValueError, match="compute must be a callable"):
        c.get_or_compute(PARAMS, {"x": 1})
    with pytest.raises(ValueError, match="non-empty dict"):
        c.get_or_compute(PARAMS, lambda: np.arange(3))
    with pytest.raises(ValueError, match="names must be non-empty strings"):
        c.save(PARAMS, {1: np.arange(3)})
    assert PARAMS not in c


def test_interrupted_compute_stores_nothing_and_resumes(tmp_path):
    """Ctrl-C inside a unit's computation stores nothing; the next call computes that unit."""
    c = UnitCache("exp", root=tmp_path)

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        c.get_or_compute(PARAMS, interrupted)
    assert PARAMS not in c
    compute, calls = _counting(3.0)
    assert np.array_equal(c.get_or_compute(PARAMS, compute)["x"], [3.0, 3.0]) and calls == [1]


def test_missing_unit_and_unwritable_folder_are_named(tmp_path):
    """load() of a unit never stored names the file; a cache root that is a file is an OSError naming the folder."""
    c = UnitCache("exp", root=tmp_path)
    with pytest.raises(FileNotFoundError, match=c.path(PARAMS).name):
        c.load(PARAMS)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="cannot create the cache folder"):
        UnitCache("exp", root=blocker).save(PARAMS, {"x": np.ones(1)})
