"""Tests of sgnlib.studies.multistep and the multistep first-jump law of sgnlib.theory."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from sgnlib import theory
from sgnlib.studies import multistep

LAW = dict(alpha=1.5, eps=0.09, d_minus=-1.0, d_plus=1.0)


def test_multistep_law_reduces_to_the_constant_law_and_integrates():
    """Derived law under s_t = f^#{milestones ≤ t}: f = 1 gives Cor 4.2's exponential law; the restricted mean is
    the integral of the survival function; after a milestone the hazard is multiplied by f^(α−1)."""
    u = np.array([0.0, 10.0, 50.0])
    assert theory.multistep_survival_probability(u, milestones=[20.0], factor=1.0, **LAW) == pytest.approx(
        theory.survival_probability(u, 1.5, 0.09, -1.0, 1.0))
    T = 200.0
    quad = integrate.quad(lambda x: theory.multistep_survival_probability(x, milestones=[30.0, 60.0], factor=0.3, **LAW),
                          0, T, points=[30.0, 60.0])[0]
    assert theory.multistep_restricted_mean(T, milestones=[30.0, 60.0], factor=0.3, **LAW) == pytest.approx(quad)
    h = lambda x: theory.multistep_cumulative_hazard(x, milestones=[30.0], factor=0.3, **LAW)  # noqa: E731
    assert (h(41.0) - h(40.0)) / (h(11.0) - h(10.0)) == pytest.approx(0.3 ** 0.5)
    with pytest.raises(ValueError, match="milestones"):
        theory.multistep_cumulative_hazard(1.0, milestones=[5.0, 2.0], factor=0.5, **LAW)


def test_multistep_escape_follows_the_derived_law():
    """Simulated restricted mean E min(σ, T) under a multistep decay lies near the derived law, far from the
    constant-schedule law; the transformed exit times are uniform; one stream per factor."""
    kw = dict(alpha=1.5, eps=0.09, milestones=[20.0], half_width=1.0, dt=0.1, horizon=120.0, n_paths=400, seed=5,
              cache=False)
    tab = multistep.multistep_escape([1.0, 0.1], **kw)
    assert (np.abs(tab["mean"] - tab["theory"]) < 4 * tab["se"] + 0.06 * tab["theory"]).all()
    slow = tab.iloc[1]
    assert slow["theory"] > slow["theory_constant"] * 1.2 and slow["ci_low"] > slow["theory_constant"]
    pit = multistep.multistep_pit([0.1], **kw)
    assert pit["pit"].between(0, 1).all() and stats.kstest(pit["pit"], "uniform").pvalue > 1e-3
    assert multistep.multistep_escape([0.1], **kw).iloc[0].equals(tab.iloc[1])
    with pytest.raises(ValueError, match="milestones"):
        multistep.multistep_escape([0.5], **{**kw, "milestones": [200.0]})
