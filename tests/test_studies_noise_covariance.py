"""Tests of sgnlib.studies.noise_covariance: Proposition 3.4 (eq. P11) on a real network."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sgnlib import noise
from sgnlib.studies import noise_covariance as nc

B = 16


@pytest.fixture(scope="module")
def basin():
    """A tanh MLP 34 → 2 → 2 (76 parameters) at a strict minimum on Ionosphere (fast, uncached)."""
    return nc.find_minimum("ionosphere", hidden=2, weight_decay=1e-2, seed=0, cache=False)


@pytest.fixture(scope="module")
def table(basin):
    return nc.row_sum_expansion(basin, [1e-3, 2e-3, 4e-3, 8e-3, 1.0], batch_size=B, n_directions=1, n_samples=3,
                                seed=1, cache=False)


def test_minimum_is_strict_and_stationary(basin):
    """Prop 3.4 expands around a minimum W*: ‖∇U(W*)‖ ≤ 1e-10 and the Hessian is positive definite."""
    assert basin.grad_norm <= 1e-10
    assert basin.eigenvalues[0] > 0
    assert basin.n_params == 34 * 2 + 2 + 2 * 2 + 2
    assert basin.accuracy > 0.9


def test_row_sums_at_the_minimum_do_not_vanish(basin):
    """1ᵀλ_l of eq. P11 at W*: the row sums of the covariance are a sizeable part of it (they vanish identically at
    a sign-symmetric minimum whose hidden units are copies of one unit, which would make the test empty)."""
    numbers = nc.summary_numbers(basin, *_small_tables(basin), batch_size=B)
    assert float(numbers["rowsum"]) > 0.1 and numbers["dataset"] == "ionosphere" and numbers["d"] == "34"


def _small_tables(basin):
    table = nc.row_sum_expansion(basin, [1e-3, 2e-3, 4e-3], batch_size=B, laws=["antithetic"], n_directions=1,
                                 cache=False)
    return table, nc.error_rates(table, max_radius=0.01)


def test_functional_gradients_match_the_noise_module(basin):
    """The vectorised per-example gradients (input of eq. P2 at W* + z) equal sgnlib.noise.per_example_gradients
    of the torch module, plus the weight-decay gradient λw, at two points at once."""
    z = np.random.default_rng(0).standard_normal((2, basin.n_params)) * 0.3
    G = nc.example_gradients_at(basin, basin.flat + z)
    for k in range(2):
        w = basin.flat + z[k]
        ref = noise.per_example_gradients(basin.module(w), torch.nn.functional.cross_entropy, basin.X, basin.y)
        assert torch.allclose(G[k], ref + basin.weight_decay * torch.as_tensor(w), atol=1e-12, rtol=1e-10)
    assert float(G.new_tensor(0) + nc.example_gradients_at(basin, basin.flat[None])[0].mean(0).norm()) < 1e-9


def test_hessian_term_is_eq_p11_index_formula_from_explicit_hessians(basin):
    """Eq. P11's second term Σ_{j,m,p} h̄_{l,m,p,j} z_m z_p, with h̃ = mean_b h_{b,lm} h_{b,pj} over explicit per-example
    Hessians (torch.func.hessian) and h = h_lm h_pj, equals the 'printed2' term computed by per-example
    Hessian-vector products; the third-order term equals a finite difference of the Hessian-vector products."""
    from torch.func import hessian, vmap

    z = np.random.default_rng(1).standard_normal(basin.n_params) * 0.01
    f, w = nc._per_example(basin)
    Hj = vmap(hessian(f), in_dims=(None, 0, 0))(w, basin.X, basin.y).numpy()  # [D, P, P]
    H = Hj.mean(0)
    D, P = Hj.shape[0], basin.n_params
    flat = Hj.reshape(D, P * P)
    h_tilde = (flat.T @ flat / D).reshape(P, P, P, P)  # h̃_{l,m,p,j} = mean_b h_{b,l,m} h_{b,p,j}
    h_bar = h_tilde - np.multiply.outer(H, H)  # − h_{l,m} h_{p,j}
    printed2 = np.einsum("lmpj,m,p->l", h_bar, z, z)
    terms = nc.expansion_terms(basin, z[None], B)
    assert np.allclose(terms["printed2"], printed2, rtol=1e-8, atol=1e-16)
    c = (basin.n_examples - B) / (B * (basin.n_examples - 1))
    assert np.allclose(terms["r2"], c * printed2, rtol=1e-8, atol=1e-18)
    # order 2: the second directional derivative of g_j, against a central difference of H_j z
    h = 1e-4
    T = nc.per_example_hvp(basin, z[None], order=2)[0].numpy()
    plus = vmap(lambda x, t: torch.func.jvp(lambda u: torch.func.grad(f)(u, x, t), (w + h * torch.as_tensor(z),),
                                            (torch.as_tensor(z),))[1])(basin.X, basin.y)
    minus = vmap(lambda x, t: torch.func.jvp(lambda u: torch.func.grad(f)(u, x, t), (w - h * torch.as_tensor(z),),
                                             (torch.as_tensor(z),))[1])(basin.X, basin.y)
    fd = ((plus - minus) / (2 * h)).numpy()
    assert np.abs(T - fd).max() <= 1e-6 * np.abs(T).max()


def test_second_order_terms_match_a_finite_difference_of_the_exact_covariance(basin):
    """Prop 3.4's content: for the mean-zero law z = ±r v, [Λ(W*+rv) + Λ(W*−rv)]/2 − Λ(W*) (exact covariance of a
    mini-batch mean, eq. P2 without replacement) equals r2 + r2t to O(r⁴); r2 alone (eq. P11's term) does not."""
    v = np.random.default_rng(2).standard_normal(basin.n_params)
    v /= np.linalg.norm(v)
    r = 1e-3
    t = nc.expansion_terms(basin, np.stack([r * v, -r * v]), B)
    change = t["truth"] - t["r0"]
    assert np.linalg.norm(t["r1"]) < 1e-12 * np.linalg.norm(change)
    assert np.linalg.norm(t["r2"] + t["r2t"] - change) <= 1e-4 * np.linalg.norm(change)
    assert np.linalg.norm(t["r2"] - change) >= 0.05 * np.linalg.norm(change)


def test_normalisation_of_eq_p11_against_eq_p2(table, basin):
    """Eq. P11's first term is the per-example second moment: B(D−1)/(D−B) times the covariance of a mini-batch mean
    drawn without replacement (eq. P2 with the finite-population factor)."""
    D = basin.n_examples
    assert np.allclose(table["normalisation"], B * (D - 1) / (D - B), rtol=1e-8)


def test_error_rates_follow_the_omitted_terms(table):
    """Relative error of the predicted change: the complete second-order expansion falls as |z|² for every law; the
    quadratic model (no third derivatives) as |z| (mean ≠ 0) or not at all (mean zero); eq. P11 as printed not at
    all (its error stays near 1 when E[z] ≠ 0, the omitted first-order cross term dominating)."""
    rates = nc.error_rates(table, max_radius=0.01)
    assert set(rates["law"]) == set(nc.LAWS) and len(rates) == 9
    for row in rates.itertuples():
        assert row.slope == pytest.approx(row.derived, abs=0.15), row
    printed = rates[(rates["formula"] == "printed") & (rates["law"] != "antithetic")]
    assert (printed["err_small"] > 0.95).all()
    assert nc.rate_verdict(rates, formula="complete").word == "holds"
    v = nc.rate_verdict(rates, formula="printed")
    assert v.word == "fails" and len(v.misses) == 3
    # outside the regime the complete expansion deviates: its error at |z| = 1 is far above the small-|z| one
    complete = rates[rates["formula"] == "complete"]
    assert (complete["err_large"] > 100 * complete["err_small"]).all()
    curves = nc.error_curves(table)
    assert list(curves.columns) == ["law", "formula", "radius", "err"] and len(curves) == 3 * 3 * 5


def test_rate_verdict_misses_a_broken_expansion(table):
    """The verdict can fail: dropping the third-derivative term from the 'complete' errors (i.e. testing the
    quadratic model under the complete label) makes the rate verdict fail, naming every law."""
    broken = table.copy()
    broken["err_complete"] = broken["err_quadratic"]
    v = nc.rate_verdict(nc.error_rates(broken, max_radius=0.01), formula="complete")
    assert v.word == "fails" and len(v.misses) == 3


def test_each_law_draws_from_its_own_stream(basin, table):
    """One stream per setting: the rows of a law do not depend on which other laws or radii are computed."""
    alone = nc.row_sum_expansion(basin, [4e-3, 1e-3], batch_size=B, laws=["small-jump"], n_directions=1, n_samples=3,
                                 seed=1, cache=False)
    ref = table[(table["law"] == "small-jump") & table["radius"].isin([1e-3, 4e-3])].sort_values("radius")
    alone = alone.sort_values("radius")
    assert np.allclose(alone["size"], ref["size"], rtol=1e-12)  # the same draws of the small-jump process
    assert np.allclose(alone["truth_norm"], ref["truth_norm"], rtol=1e-9)
    assert np.allclose(alone["err_complete"], ref["err_complete"], rtol=1e-4)
    other = nc.row_sum_expansion(basin, [1e-3], batch_size=B, laws=["small-jump"], n_directions=1, n_samples=3,
                                 seed=2, cache=False)
    assert not np.isclose(other["size"].iloc[0], ref["size"].iloc[0])


@pytest.mark.parametrize("call, match", [
    (lambda b: nc.row_sum_expansion(b, [0.1], batch_size=B, laws=["gauss"], cache=False), "laws"),
    (lambda b: nc.row_sum_expansion(b, [-0.1], batch_size=B, cache=False), "radii"),
    (lambda b: nc.row_sum_expansion(b, [0.1], batch_size=10_000, cache=False), "batch_size"),
    (lambda b: nc.row_sum_expansion(b, [0.1], batch_size=B, n_samples=1, cache=False), "n_samples"),
    (lambda b: nc.per_example_hvp(b, np.ones((1, 3))), "vectors"),
    (lambda b: nc.per_example_hvp(b, np.ones((1, b.n_params)), order=3), "order"),
    (lambda b: nc.expansion_terms(b, np.ones((1, b.n_params)), 0), "batch_size"),
    (lambda b: nc.find_minimum("breast_cancer", hidden=0, cache=False), "hidden"),
    (lambda b: nc.find_minimum("nope", cache=False), "nope"),
    (lambda b: nc.error_rates(__import__("pandas").DataFrame({"law": ["point"]}), max_radius=1.0), "lacks"),
    (lambda b: nc.rate_verdict(__import__("pandas").DataFrame(), formula="exact"), "formula"),
])
def test_bad_arguments_are_one_line_value_errors(basin, call, match):
    """Every public function checks its arguments: a one-line ValueError naming the argument or value."""
    with pytest.raises(ValueError, match=match) as info:
        call(basin)
    assert "\n" not in str(info.value)
