"""Tests of sgnlib.studies.estimators: the accuracy study of the α estimators (chapter 02)."""

from __future__ import annotations

import pytest

from sgnlib.studies.estimators import estimator_study


def test_estimator_study_tidy_output():
    """estimator_study returns one row per (method, α, n) with bias = mean - α and rmse² = bias² + sd²."""
    out = estimator_study(["mcculloch", "ecf"], [1.5, 2.0], [200], n_rep=20, rng=1, keep_estimates=True)
    assert len(out["method"]) == 4 and set(out["method"]) == {"mcculloch", "ecf"}
    for i in range(4):
        assert out["bias"][i] == pytest.approx(out["mean"][i] - out["alpha"][i])
        assert out["rmse"][i] ** 2 == pytest.approx(out["bias"][i] ** 2 + out["sd"][i] ** 2)
        assert len(out["estimates"][i]) == 20
    with pytest.raises(ValueError, match="methods"):
        estimator_study(["nope"], [1.5], [200], n_rep=5)
