"""Tests of sgnlib.studies.ackley (chapter 06: Figure 6, exit axis from a ball around Ackley's minimum)."""

from __future__ import annotations

import pandas as pd
import pytest

from sgnlib.studies import ackley

RUN = dict(alpha2=1.8, eta=1e-4, radius=0.1, n_seeds=200, seed=0, cache=False)


def test_exit_axis_share_follows_the_first_jump_law_on_a_tiny_run():
    """Fig. 6: P(exit via x₁) is ½ at Δ = 0 and near 1 at Δ = 0.8; the first-jump law (eq. 19, inscribed box)
    lies in the 99.9 % Wilson interval of the simulated share."""
    df = ackley.ackley_exit_axis([0.0, 0.8], [30.0], **RUN, level=0.999)
    assert df["p_law"].iloc[0] == pytest.approx(0.5)
    assert df["p_axis1"].iloc[1] > 0.9
    assert ((df["p_low"] <= df["p_law"]) & (df["p_law"] <= df["p_high"])).all()
    assert df["noise_per_step"].tolist() == pytest.approx([0.03, 0.03])
    assert (df["censored_share"] == 0).all()


def test_adding_a_noise_scale_leaves_the_other_rows_unchanged():
    """One stream per (σ, Δ): the σ = 30 rows do not move when σ = 40 joins the sweep."""
    one = ackley.ackley_exit_axis([0.5], [30.0], **{**RUN, "n_seeds": 40})
    two = ackley.ackley_exit_axis([0.5], [40.0, 30.0], **{**RUN, "n_seeds": 40})
    pd.testing.assert_frame_equal(one, two[two["sigma"] == 30.0].reset_index(drop=True))


@pytest.mark.parametrize("bad", [{"radius": 0.0}, {"eta": -1e-4}, {"n_seeds": 1}, {"alpha2": 2.5}])
def test_bad_arguments_raise_naming_them(bad):
    """A non-positive radius or η, fewer than two seeds or α₂ outside (0, 2] is a ValueError naming it."""
    (name,) = bad
    with pytest.raises(ValueError, match=name):
        ackley.ackley_exit_axis([0.0], [30.0], **{**RUN, **bad})
