"""Tests of sgnlib.studies.printed_thm41: the printed Thm 4.1 for γ < 1 in 2-D against simulation."""

from __future__ import annotations

import numpy as np
import pytest

from sgnlib.studies import printed_thm41


def test_printed_thm41_is_a_loose_bound_and_the_derived_mean_matches():
    """Thm 4.1 as printed (γ < 1, two axes) lies above the simulated mean exit time; the derived Weibull mean
    lies near it; one stream per γ."""
    kw = dict(alpha1=1.4, alpha2=1.8, eta=1e-3, rho=0.5, n_paths=300, dt=0.1, seed=1, horizon_means=10.0, cache=False)
    df = printed_thm41.thm41_two_axes([1.0, 0.7], **kw)
    assert list(df["gamma"]) == [1.0, 0.7]
    assert (df["printed"] > df["ci_high"]).all()
    assert (np.abs(df["ratio"] - 1) < 0.25).all()
    assert printed_thm41.thm41_two_axes([0.7], **kw).iloc[0].equals(df.iloc[1])
    v = printed_thm41.upper_bound_verdict(df["mean"], df["se"], df["printed"])
    assert v.word == "holds" and v.numbers["violations"] == "0"
    with pytest.raises(ValueError, match="gammas"):
        printed_thm41.thm41_two_axes([1.2], **kw)


def test_upper_bound_verdict_can_fail_and_be_marginal():
    """A bound below the simulated mean by more than its interval is a violation; within the 99 % band, marginal."""
    assert printed_thm41.upper_bound_verdict([10.0], [1.0], [5.0]).word == "fails"
    assert printed_thm41.upper_bound_verdict([10.0], [1.0], [7.7]).word == "marginal"
    v = printed_thm41.upper_bound_verdict([10.0, 10.0], [1.0, 1.0], [12.0, 5.0], labels=["a", "b"])
    assert v.word == "fails" and len(v.misses) == 1 and v.misses[0].startswith("b")
    with pytest.raises(ValueError, match="se"):
        printed_thm41.upper_bound_verdict([1.0], [0.0], [2.0])
