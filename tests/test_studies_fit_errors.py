"""Tests of sgnlib.studies.fit_errors: the fit errors of Tables 1–3 on synthetic networks (chapter 02)."""

from __future__ import annotations

import numpy as np

from sgnlib.studies import fit_errors


def test_synthetic_fit_errors_separate_gaussian_from_sas():
    """Tables 1–3 on known laws: on SαS(1.5) data the SαS fit has a far smaller mean SSE; on Gaussian data the ratio is ≈ 1."""
    per, table = fit_errors.synthetic_fit_errors(800, 12, seed=0)
    assert len(per) == 36 and set(per.network) == set(fit_errors.NETWORKS)
    ratio = table.set_index("model")["SSE ratio"]
    assert ratio["SαS, α = 1.5"] < 0.2
    assert 0.8 < ratio["Gaussian"] < 1.2
    np.testing.assert_allclose(ratio, table["SαS-SSE mean"].to_numpy() / table["Gauss-SSE mean"].to_numpy())


def test_each_network_has_its_own_stream():
    """The SαS(1.5) network's errors do not depend on which other networks are drawn (issue 7)."""
    only = {"SαS, α = 1.5": 1.5}
    a, _ = fit_errors.synthetic_fit_errors(300, 5, seed=1, networks=only)
    b, _ = fit_errors.synthetic_fit_errors(300, 5, seed=1)
    np.testing.assert_array_equal(a.sse_sas.to_numpy(), b[b.network == "SαS, α = 1.5"].sse_sas.to_numpy())


def test_diagonal_spans_both_columns():
    """The y = x line of the figure spans the smallest and largest positive error of both columns."""
    per, _ = fit_errors.synthetic_fit_errors(300, 5, seed=1)
    d = fit_errors.diagonal(per, "sse_gauss", "sse_sas")
    both = per[["sse_gauss", "sse_sas"]].to_numpy()
    assert d.sse_gauss.iloc[0] == both.min() and d.theory.iloc[-1] == both.max()


def test_table_numbers_quote_the_table():
    """The quoted SSE ratios are the table's, and the Gaussian count of SαS wins is chosen by its value ('k of n parameters')."""
    _, table = fit_errors.synthetic_fit_errors(300, 5, seed=1)
    nums = fit_errors.table_numbers(table)
    t = table.set_index("model")
    assert nums["ratio_15"] == f"{t.loc['SαS, α = 1.5', 'SSE ratio']:.2f}"
    k = int(round(t.loc["Gaussian", "SαS better (SSE)"] * 5))
    assert nums["better_gauss"] == {0: "none of the 5 parameters", 5: "all 5 parameters"}.get(k, f"{k} of 5 parameters")
