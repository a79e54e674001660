"""Formatting of glued numbers and the verdict criteria the chapters state."""

import numpy as np
import pytest

from sgnlib import report


def test_formatting():
    assert report.fmt(-0.126, 2) == "\u22120.13"
    assert report.fmt(float("nan")) == "n/a"
    assert report.fmt_list([0.5, 0.724]) == "0.50, 0.72"
    assert report.fmt_range([0.97, 1.01, np.nan]) == "0.97 to 1.01"
    assert report.fmt_range([0.971, 0.974]) == "0.97"
    assert report.sig3(1157.2) == "1157" and report.sig3(0.04224) == "0.0422" and report.sig3(28.46) == "28.5"


def test_pct_dev_words_and_signs():
    assert report.pct_dev([0.89, 0.87]) == "11–13 % faster"
    assert report.pct_dev([1.05]) == "5 % slower"
    assert report.pct_dev([0.95, 1.03]) == "from 3 % slower to 5 % faster"
    assert report.pct_dev([]) == "n/a"


def test_in_band_is_the_binomial_95_percent_band():
    """n = 1000, p = 0.5: half-width 1.96·sqrt(0.25/1000) = 0.031."""
    assert report.in_band(0.53, 0.5, 1000)
    assert not report.in_band(0.54, 0.5, 1000)
    np.testing.assert_array_equal(report.in_band([0.5, 0.9], [0.5, 0.5], 1000), [True, False])
    with pytest.raises(ValueError, match="p_pred must lie in"):
        report.in_band(0.5, 1.5, 10)
    with pytest.raises(ValueError, match="n must be >= 1"):
        report.in_band(0.5, 0.5, 0)
