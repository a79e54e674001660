"""``sgnlib.plotting``: the recurring figure kinds draw what they are given."""

import matplotlib

matplotlib.use("Agg")  # this test process only; executed notebooks keep the inline backend

import numpy as np
import pytest

from sgnlib import plotting


def test_sim_vs_theory_draws_points_intervals_and_curves():
    """Error bars for the simulation and one line per theory curve, with their labels."""
    ax = plotting.sim_vs_theory([1, 2, 3], [1, 2, 3], [0.5, 1.5, 2.5], [1.5, 2.5, 3.5],
                                theory=[(np.arange(4), np.arange(4)), (np.arange(4), 2 * np.arange(4))],
                                theory_label=["a", "b"], logy=True)
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["a", "b", "simulation"] and ax.get_yscale() == "log"


def test_survival_curves_uses_kaplan_meier_for_censored_paths():
    """Times 1, 2+, 3 (2 censored): Kaplan–Meier S = 2/3 after 1, 0 after 3 (drawn on the positive part)."""
    ax = plotting.survival_curves({"B=8": (np.array([1.0, 2.0, 3.0]), np.array([True, False, True]))}, logy=False)
    y = ax.lines[0].get_ydata()
    assert np.allclose(y, [2 / 3])


def test_hist_with_fits_normalises_over_all_samples():
    """The bars integrate to the share of samples inside the drawn range, not to 1."""
    x = np.concatenate([np.zeros(900), np.full(100, 1e6)]) + np.random.default_rng(0).normal(size=1000)
    ax = plotting.hist_with_fits(x, gaussian=(0.0, 1.0), quantile=0.0, bins=50)
    area = sum(p.get_height() * p.get_width() for p in ax.patches)
    assert area == pytest.approx(1.0)
    ax = plotting.hist_with_fits(np.random.default_rng(0).standard_cauchy(2000), stable=(1.0, 1.0, 0.0), quantile=0.05)
    area = sum(p.get_height() * p.get_width() for p in ax.patches)
    assert area == pytest.approx(0.9, abs=0.01)


def test_alpha_per_parameter_one_column_per_group_and_checks_lengths():
    """Groups become x ticks in order of appearance; a length mismatch is an error."""
    ax = plotting.alpha_per_parameter([1.2, 1.5, 1.9, 2.0], ["conv1", "conv1", "fc", "fc"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["conv1", "fc"]
    with pytest.raises(ValueError, match="groups"):
        plotting.alpha_per_parameter([1.0, 2.0], ["a"])
