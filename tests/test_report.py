"""Formatting of glued numbers and the verdict criteria the chapters state."""

import numpy as np
import pytest

from sgnlib import report


def test_formatting():
    """fmt uses a typographic minus and n/a; fmt_range collapses equal ends; sig3 keeps three digits."""
    assert report.fmt(-0.126, 2) == "\u22120.13"
    assert report.fmt(float("nan")) == "n/a"
    assert report.fmt_list([0.5, 0.724]) == "0.50, 0.72"
    assert report.fmt_range([0.97, 1.01, np.nan]) == "0.97 to 1.01"
    assert report.fmt_range([0.971, 0.974]) == "0.97"
    assert report.sig3(1157.2) == "1157" and report.sig3(0.04224) == "0.0422" and report.sig3(28.46) == "28.5"
    assert report.sig3(6.2213e-7) == "6.22 × 10\u207b\u2077" and report.sig3(-0.00052) == "\u22125.20 × 10\u207b\u2074"


def test_pct_dev_words_and_signs():
    """Ratios below 1 read as faster, above as slower, mixed as a from-to range."""
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


# --------------------------------------------------------------------------- verdicts (issue 7)


def test_fmt_count_chooses_the_sentence_by_the_value():
    """'all 30', 'none of the 30', '12 of 30' — never 'a fraction 1.00'."""
    assert report.fmt_count(30, 30, "parameters") == "all 30 parameters"
    assert report.fmt_count(0, 30, "parameters") == "none of the 30 parameters"
    assert report.fmt_count(12, 30) == "12 of 30"
    with pytest.raises(ValueError):
        report.fmt_count(31, 30)


def test_intervals_cover_holds_marginal_and_fails():
    """The count rule: 1 miss of 12 holds, 3 of 12 is marginal (p ≈ 0.02), a far point fails."""
    se = np.ones(12)
    exact = np.zeros(12)
    v = report.intervals_cover(exact, se, exact)
    assert v.word == "holds" and v.misses == ()
    one = exact.copy(); one[0] = 2.2
    assert report.intervals_cover(one, se, exact).word == "holds"
    three = exact.copy(); three[:3] = 2.2
    v3 = report.intervals_cover(three, se, exact)
    assert v3.word == "marginal" and len(v3.misses) == 3 and v3.numbers["outside"] == "3"
    far = exact.copy(); far[0] = 6.0
    assert report.intervals_cover(far, se, exact).word == "fails"


def test_binomial_band_is_centred_on_the_prediction():
    """A share 3 sigma from its prediction fails the band; at the prediction it holds."""
    assert report.binomial_band(500, 1000, 0.5).word == "holds"
    v = report.binomial_band([500, 600], [1000, 1000], [0.5, 0.5], labels=["a", "b"])
    assert v.word == "fails" and v.misses[0].startswith("b:")


def test_share_above_uses_the_exact_binomial_test():
    """60/100 above 1/2: p = 0.028 → marginal at level 0.01; 70/100 holds; 50/100 fails."""
    assert report.share_above(60, 100).word == "marginal"
    assert report.share_above(70, 100).word == "holds"
    assert report.share_above(50, 100).word == "fails"


def test_slope_matches_and_fails():
    """A slope of −2 with small noise matches −2 and fails −1.5."""
    x = np.linspace(0, 1, 10)
    y = -2 * x + np.random.default_rng(0).normal(0, 0.01, x.size)
    assert report.slope_matches(x, y, -2.0).word == "holds"
    assert report.slope_matches(x, y, -1.5).word == "fails"


def test_ks_fit_rejects_the_wrong_law():
    """Exponential draws fit Exp(1) and fail Exp(1/3) by KS."""
    from scipy import stats as st

    x = np.random.default_rng(1).exponential(1.0, 2000)
    assert report.ks_fit(x, st.expon(scale=1.0).cdf).word == "holds"
    assert report.ks_fit(x, st.expon(scale=3.0).cdf).word == "fails"


def test_ratio_within_reports_every_miss():
    """Ratios 1.05, 1.15, 1.5 at tol 0.1/0.2: fails, with two misses named."""
    v = report.ratio_within([1.05, 1.15, 1.5], [1, 1, 1], labels=["x", "y", "z"])
    assert v.word == "fails" and [m.split(":")[0] for m in v.misses] == ["y", "z"]
    assert report.ratio_within([1.05, 1.15], [1, 1]).word == "marginal"


def test_verdict_rejects_an_unknown_word():
    """Only holds / marginal / fails are verdicts."""
    with pytest.raises(ValueError):
        report.Verdict("passes", "x")


def test_table_renders_html_not_pipes():
    """report.table gives a real HTML table with typographic minus, no index."""
    import pandas as pd

    html = report.table(pd.DataFrame({"a": [1.234, -2.0], "b": ["x", "y"]})).to_html()
    assert "<table" in html and "1.23" in html and "\u22122.00" in html and "|" not in html


def test_sign_flip_below_is_exact_against_its_own_null():
    """The sign-flip p-value is the exact null probability at this n: all 8 below → 1/256; its size is at most the level."""
    v = report.sign_flip_below([-1.0, -2, -0.5, -1, -3, -1, -2, -1])
    assert v.word == "holds" and v.numbers["p"] == report.sig3(1 / 256) and v.misses == ()
    # simulated size under a symmetric null (the replication is the unit): rejections at 1 % stay below 1 %
    rng = np.random.default_rng(5)
    rejected = np.mean([report.sign_flip_below(rng.standard_t(3, 8)).word == "holds" for _ in range(2000)])
    assert rejected <= 0.01 + 3 * np.sqrt(0.01 * 0.99 / 2000)
    # one replication on the wrong side is named as a miss even when the verdict holds
    one = report.sign_flip_below([-1.0, -2, 0.5, -1, -3, -1, -2, -1], labels=list("abcdefgh"))
    assert one.word == "holds" and one.misses == ("c: 0.500",)


def test_sign_flip_below_cannot_tell_without_power():
    """With n replications the smallest p is 2^-n: 4 cannot reach 0.05 (cannot tell), 5 can (at most marginal)."""
    v = report.sign_flip_below([-1.0, -1, -1, -1])
    assert v.word == "cannot tell" and "needs at least 5" in v.misses[0] and v.numbers["p"] == "none"
    assert report.sign_flip_below([-1.0, -1, -1, -1, -1]).word == "marginal"
    assert report.sign_flip_below([1.0, 2, 1, 3, 1, 2, 1, 1]).word == "fails"


def test_share_above_says_cannot_tell_where_no_count_could_pass():
    """Issue 19: share_above(1, 1) was "fails" although p = 0.5 can never pass; now "cannot tell", naming the size needed."""
    v = report.share_above(1, 1)
    assert v.word == "cannot tell" and "needs at least 5" in v.misses[0]
    assert report.share_above(4, 4).word == "cannot tell" and report.share_above(5, 5).word == "marginal"
    assert report.share_above(1, 100, 0.01).word == "fails"  # p0 = 0.01: one trial already could pass
    with pytest.raises(ValueError, match="0 <= k <= n"):
        report.share_above(3, 2)


def test_sign_flip_above_is_the_mirror_of_below():
    """above=True tests mean > threshold: the same p as below on the negated values, misses shown as given."""
    x = [0.05, 0.1, -0.02, 0.03, 0.2, 0.04, 0.07, 0.01]
    up = report.sign_flip_below(x, above=True, labels=list("abcdefgh"))
    down = report.sign_flip_below([-v for v in x])
    assert up.numbers["p"] == down.numbers["p"] and up.word == down.word
    assert up.misses == ("c: −0.020",) and "is above 0.00" in up.criterion


def test_below_power_states_a_rounding_level_number_by_its_order():
    """A gradient norm at a minimum found to machine precision (2.5e-13 here, 2.8e-13 on another run) reads "< 10⁻¹²"."""
    assert report.below_power(2.53e-13) == report.below_power(2.77e-13) == "< 10⁻¹²"
    assert report.below_power(0.5) == "< 10⁰" and report.below_power(3.0) == "< 10¹"
    with pytest.raises(ValueError, match="positive finite"):
        report.below_power(0.0)
