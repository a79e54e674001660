"""Fault injection against sgnlib.stable (issue 8, numerical edges): every bad input gets a
one-line ValueError naming the argument, every extreme but valid input the correct result."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gamma

from sgnlib import stable
from sgnlib.stable import estimators

torch = pytest.importorskip("torch")


def _x(alpha=1.5, shape=(1000, 3), seed=0):
    return stable.sample(alpha, 1.0, shape, rng=seed)


# --------------------------------------------------------------------------------------
# fit: bad input is named
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: np.array([]), "0 samples per column"),
        (lambda: np.zeros((0, 4)), "0 samples per column"),
        (lambda: np.zeros((100, 0)), "no columns"),
        (lambda: _x() + 1e-3j, "x must be real.*complex"),
        (lambda: torch.as_tensor(_x()) * (1 + 1j), "x must be real.*complex"),
        (lambda: np.full((100, 3), "a"), "x must be a numeric array"),
        (lambda: np.float64(3.0), "sample axis"),
    ],
    ids=["empty", "empty-2d", "no-columns", "complex", "complex-tensor", "strings", "scalar"],
)
def test_fit_rejects_unusable_arrays_by_name(make, match):
    """Empty, column-less, complex (never silently dropping the imaginary part), non-numeric or scalar x → ValueError naming x, not a reshape error."""
    with pytest.raises(ValueError, match=match):
        stable.fit(make())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(axis=2), r"axis must be an int in \[-2, 1\].*got 2"),
        (dict(axis=1.5), "axis must be an int.*1.5"),
        (dict(method="ECF"), r"registered estimators \('mcculloch', 'ecf', 'log', 'ml'\); got 'ECF'"),
        (dict(method=["ecf"]), "registered estimators"),
        (dict(method="log", m=2.5), "block size m must be an int; got 2.5"),
        (dict(method="ml", ml_iters=0), "ml_iters must be a positive int"),
        (dict(zero_tol=-0.1), "zero_tol must lie in"),
        (dict(zeros="drop"), "zeros must be"),
    ],
)
def test_fit_bad_options_named(kwargs, match):
    """A wrong axis, an unknown estimator (the error lists the registered ones) or a bad option of an estimator → ValueError naming it."""
    with pytest.raises(ValueError, match=match):
        stable.fit(_x(), **kwargs)


def test_fit_standardisation_overflow_is_an_error_not_nan():
    """A column whose (x − median)/IQR overflows float64 (a 1.7e308 sample among values of size 1e-10) → ValueError naming the column, never α = NaN."""
    x = _x() * 1e-10
    x[5, 1] = 1.7e308
    with pytest.raises(ValueError, match=r"x column 1: \(x - median\) / IQR overflows float64"):
        stable.fit(x)


@pytest.mark.parametrize("method", ["mcculloch", "ecf", "log", "ml"])
def test_fit_one_huge_finite_sample_gives_finite_or_flagged_alpha(method):
    """One finite sample of 1.7e308 in a column (issue 8): every estimator returns a finite α in [0.4, 2]; the robust ones (quantiles, ECF) barely move, and an estimate driven to the bottom of the range is flagged as clipped."""
    x = _x(shape=(1000, 3), seed=4)
    base = stable.fit(x, method=method)
    x[5, 1] = 1.7e308
    r = stable.fit(x, method=method)
    assert np.isfinite(r.alpha).all() and np.all((r.alpha >= 0.4) & (r.alpha <= 2.0))
    assert np.isfinite(r.scale).all() and np.all(r.scale > 0)
    np.testing.assert_allclose(r.alpha[[0, 2]], base.alpha[[0, 2]], atol=1e-9)
    if method in ("mcculloch", "ecf"):
        assert abs(r.alpha[1] - base.alpha[1]) < 0.05
    if r.alpha[1] == 0.4:
        assert r.clipped[1]


@pytest.mark.parametrize("method", ["mcculloch", "ecf", "log", "ml"])
def test_fit_reports_clipping_at_the_bottom_of_the_range(method):
    """α = 0.3 lies below every estimator's range [0.4, 2]: α̂ = 0.4 is reported with clipped = True, also by maximum likelihood (which reported only clips at 2)."""
    x = stable.sample(0.3, 1.0, (1000, 4), rng=1)
    r = stable.fit(x, method=method, **({"ml_iters": 3} if method == "ml" else {}))
    np.testing.assert_allclose(r.alpha, 0.4)
    assert r.clipped.all()


def test_fit_integer_and_low_precision_input():
    """Integer arrays and bfloat16/float16 tensors (with requires_grad) are fitted like their float64 values."""
    ints = np.round(_x(seed=3) * 1000).astype(np.int64)
    np.testing.assert_array_equal(stable.fit(ints).alpha, stable.fit(ints.astype(float)).alpha)
    t = torch.as_tensor(_x(seed=3), dtype=torch.bfloat16).requires_grad_(True)
    ref = stable.fit(t.detach().double().numpy()).alpha
    np.testing.assert_array_equal(stable.fit(t).alpha, ref)
    assert stable.fit(t.detach().half()).alpha.shape == (3,)


def test_fit_all_columns_masked_returns_nan_with_mask():
    """All-zero input (every unit dead): every column masked, α = NaN, no error from the estimator on an empty selection."""
    r = stable.fit(np.zeros((100, 3)))
    assert r.zero_mask.all() and np.isnan(r.alpha).all() and not r.clipped.any()


@pytest.mark.parametrize("kwargs, match", [(dict(bins=2.5), "bins must be an int >= 2.*2.5"), (dict(bins=1), "bins"),
                                           (dict(bins="auto"), "bins"), (dict(range_quantile=0.5), "range_quantile")])
def test_fit_errors_bad_options_named(kwargs, match):
    """A fractional or too small bin count (was silently truncated), an unknown bin rule or a range quantile ≥ 0.5 → ValueError naming it."""
    with pytest.raises(ValueError, match=match):
        stable.fit_errors(_x(shape=(200, 2)), **kwargs)


def test_fit_gaussian_and_fit_errors_on_huge_values():
    """Data of size 1e200 (squares overflow): the Gaussian fit's σ is finite and scales exactly; the fit errors are finite."""
    x = stable.sample(1.7, 1.0, (500, 2), rng=9)
    g1, g2 = stable.fit_gaussian(x), stable.fit_gaussian(x * 1e200)
    np.testing.assert_allclose(g2.scale, g1.scale * 1e200, rtol=1e-12)
    fe = stable.fit_errors(x * 1e200)
    assert np.isfinite(fe.sse_gauss).all() and np.isfinite(fe.chi2_sas).all()


# --------------------------------------------------------------------------------------
# the estimator registry
# --------------------------------------------------------------------------------------


def test_registry_dispatches_a_new_estimator_by_name():
    """fit(method=name) runs whatever is registered under that name (no if-chain); names cannot be registered twice."""

    @estimators.register("test-half-two")
    def _constant(z):
        """Always α = 1.5."""
        P = z.xc.shape[1]
        return estimators.Estimate(np.full(P, 1.5), np.ones(P), np.zeros(P, bool), np.full(P, 1.5))

    try:
        r = stable.fit(_x() * 3.0, method="test-half-two")
        np.testing.assert_array_equal(r.alpha, 1.5)
        assert r.method == "test-half-two"
        # σ = 1 in standardised units maps back to the IQR of each column
        np.testing.assert_allclose(r.scale, np.subtract(*np.percentile(_x() * 3.0, [75, 25], axis=0)))
        with pytest.raises(ValueError, match="new non-empty string"):
            estimators.register("test-half-two")(_constant)
    finally:
        estimators.REGISTRY.pop("test-half-two", None)
    with pytest.raises(ValueError, match="registered estimators"):
        stable.fit(_x(), method="test-half-two")


# --------------------------------------------------------------------------------------
# sample
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(size=2.7), "size must be an int.*2.7"),
        (dict(size=-1), "size must be.*-1"),
        (dict(size=(3, 2.5)), r"size must be.*\(3, 2.5\)"),
        (dict(size="10"), "size must be"),
        (dict(size=True), "size must be"),
        (dict(alpha=float("nan")), "alpha must lie in.*nan"),
        (dict(alpha=torch.tensor([1.5, float("nan")]), size=(3, 2)), r"alpha.*nan.*index \(1,\)"),
        (dict(scale=[1.0, -2.0], size=(3, 2)), r"scale must be finite and > 0; got -2.0 at index \(1,\)"),
        (dict(backend="jax", size=-1), "backend"),
    ],
)
def test_sample_bad_arguments_named(kwargs, match):
    """A fractional, negative or non-int size, NaN α (also in a tensor), a negative scale in an array, an unknown backend → ValueError naming it."""
    args = dict(alpha=1.5, scale=1.0, size=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        stable.sample(args.pop("alpha"), args.pop("scale"), args.pop("size"), rng=0, **args)


@pytest.mark.parametrize(
    "alpha, scale, backend, dtype_name",
    [(1.5, 1e308, "numpy", "float64"), (1e-3, 1.0, "numpy", "float64"), (1e-3, 1.0, "torch", "float32")],
)
def test_sample_overflow_is_an_error_not_infinities(alpha, scale, backend, dtype_name):
    """Scale 1e308 or α = 1e-3 put mass beyond the largest float: ValueError saying so, never silent infinities."""
    with pytest.raises(ValueError, match=f"draws overflow {dtype_name}"):
        stable.sample(alpha, scale, 1000, rng=0, backend=backend)


def test_sample_valid_extremes_still_work():
    """Valid edges stay valid: size 0, α = 0.5 with a tiny scale, numpy integer sizes."""
    assert stable.sample(1.5, 1.0, 0, rng=0).shape == (0,)
    assert stable.sample(1.5, 1.0, (np.int64(3), 0), rng=0).shape == (3, 0)
    x = stable.sample(0.5, 1e-300, 1000, rng=0)
    assert np.isfinite(x).all()


# --------------------------------------------------------------------------------------
# density
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.3, 1.0, 1.5, 1.9])
def test_logpdf_far_tail_is_not_floored(alpha):
    """logpdf(1e308, α) = log(Γ(α+1) sin(πα/2)/π) − (α+1) log 1e308 (tail series in log space; ≈ −1774.2 at α = 1.5), not the floor −690.8."""
    lead = np.log(gamma(alpha + 1) * np.sin(np.pi * alpha / 2) / np.pi) - (alpha + 1) * np.log(1e308)
    assert stable.logpdf(1e308, alpha) == pytest.approx(lead, abs=1e-6)
    assert stable.logpdf(-1e308, alpha) == stable.logpdf(1e308, alpha)
    # where x/σ itself overflows: log f(x) = log f_std(x/σ) − log σ computed from log|x| − log σ
    s = 1e-10
    assert stable.logpdf(1e308, alpha, s) == pytest.approx(
        np.log(gamma(alpha + 1) * np.sin(np.pi * alpha / 2) / np.pi) - (alpha + 1) * (np.log(1e308) - np.log(s)) - np.log(s),
        abs=1e-6,
    )


def test_logpdf_tail_joins_the_quadrature():
    """At the switch |z| = 1000 the log-space tail series agrees with the log of the quadrature density (relative 1e-6)."""
    for a in (0.6, 1.2, 1.8):
        tail = stable.logpdf(1000.0 * (1 + 1e-12), a)
        from sgnlib.stable.density import _pdf_std_ray

        quad = np.log(_pdf_std_ray(np.array([1000.0]), np.array([a]))[0])
        assert tail == pytest.approx(quad, rel=1e-6)


@pytest.mark.parametrize("alpha", [1.99, 1.9999, 1.9999999])
def test_logpdf_near_two_is_not_floored_in_the_bulk(alpha):
    """α just below 2 at |z| < 1000, where the density (≈ ε z^{−3}) is below the quadrature's absolute error: logpdf follows the tail law (slope −α−1 in log z), is continuous across the switch to the far-tail series at |z| = 1000, and never sits at the floor −690.8."""
    z = np.array([100.0, 300.0, 999.0, 1001.0])
    lp = stable.logpdf(z, alpha)
    assert np.all(lp > -100)
    slope = np.diff(lp[:3]) / np.diff(np.log(z[:3]))
    np.testing.assert_allclose(slope, -alpha - 1, atol=1e-3)
    assert lp[3] - lp[2] == pytest.approx((-alpha - 1) * np.log(1001 / 999), abs=1e-6)
    np.testing.assert_allclose(np.log(stable.pdf(z, alpha)), lp, rtol=1e-12)


def test_logpdf_gaussian_far_tail_is_minus_inf_without_warning():
    """α = 2 at x = 1e308: log f = −x²/4 is below the smallest float, −inf, with no overflow warning."""
    assert stable.logpdf(1e308, 2.0) == -np.inf
    assert stable.logpdf(np.inf, 1.5) == -np.inf


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: stable.pdf(1 + 1j, 1.5), "x must be real"),
        (lambda: stable.logpdf(np.array([1.0, 2.0 + 0.5j]), 1.5), "x must be real"),
        (lambda: stable.cdf("abc", 1.5), "x must be numeric"),
        (lambda: stable.pdf(1.0, np.nan), "alpha must lie in.*nan"),
        (lambda: stable.logpdf(1.0, 1.5, [1.0, -1.0]), r"scale must be finite and > 0; got -1.0 at index \(1,\)"),
        (lambda: stable.cdf([0.0, np.nan], 1.5), "NaN"),
    ],
)
def test_density_bad_input_named(call, match):
    """Complex or non-numeric x, NaN α, a negative scale in an array, NaN x → ValueError naming it."""
    with pytest.raises(ValueError, match=match):
        call()
