"""sgnlib.escape: the batched MLP, the minimum criterion, batched escape runs, replay, censoring, caching, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sgnlib import escape
from sgnlib.cache import UnitCache

TINY = dict(hidden=(4,), lr=0.05, batch_size=128, weight_decay=1e-2, window=5, plateau_rtol=0.05, grad_tol=0.1,
            max_epochs=2000)


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def trained():
    """The tiny minimum, trained once for the module (uncached)."""
    return escape.train_to_minimum("ionosphere", seed=0, cache=False, **TINY)


@pytest.fixture()
def minimum(trained, cache_dir):
    return trained


def test_manual_backward_matches_autograd(minimum):
    """The written-out backward pass is the gradient of cross-entropy + (λ/2)‖W‖² (checked against autograd)."""
    X, y = escape.load_data("ionosphere", "float64")
    ps = minimum.params(2, "float64")
    ps[0][1] += 0.1  # two different networks in one stack
    idx = torch.tensor([[0, 5, 9], [3, 3, 100]])
    loss, g = escape.loss_and_grad(ps, X[idx], y[idx], weight_decay=0.02)
    for s in range(2):
        q = [p[s].clone().requires_grad_(True) for p in ps]
        out = X[idx[s]]
        for i in range(0, len(q), 2):
            out = out @ q[i] + q[i + 1][0]
            if i < len(q) - 2:
                out = out.clamp_min(0)
        ref = torch.nn.functional.cross_entropy(out, y[idx[s]]) + 0.01 * sum((W * W).sum() for W in q[0::2])
        ref.backward()
        assert torch.allclose(loss[s], ref)
        for a, b in zip(g, q):
            assert torch.allclose(a[s], b.grad, atol=1e-12)


def test_sgd_step_is_w_minus_lr_grad(minimum):
    """sgd_step updates in place to w − η ∇(L + λ/2 ‖W‖²) (eq. 1 without noise added on top)."""
    X, y = escape.load_data("ionosphere", "float64")
    ps = minimum.params(3, "float64")
    idx = torch.randint(0, X.shape[0], (3, 4), generator=torch.Generator().manual_seed(0))
    _, g = escape.loss_and_grad(ps, X[idx], y[idx], 0.01)
    want = [p - 0.3 * gp for p, gp in zip(ps, g)]
    escape.sgd_step(ps, X[idx], y[idx], 0.3, 0.01)
    for a, b in zip(ps, want):
        assert torch.allclose(a, b, atol=1e-12)


def test_batch_indices_depend_only_on_key_step_and_slot():
    """Counter-based batches: the same (key, step, slot) gives the same index whatever else is drawn; roughly uniform."""
    keys = torch.tensor([11, 12, 13])
    a = escape.batch_indices(keys, 0, 20, 8, 351)
    b = escape.batch_indices(keys[1:2], 7, 5, 8, 351)
    assert torch.equal(a[1:2, 7:12], b)
    assert not torch.equal(a[0], a[1])
    counts = np.bincount(escape.batch_indices(torch.tensor([5]), 0, 5000, 7, 10).ravel().numpy(), minlength=10)
    from scipy import stats

    assert stats.chisquare(counts).pvalue > 1e-4


def test_minimum_criterion_holds_first_at_the_returned_epoch(minimum):
    """Criterion: plateau L_{e−W} − L_e ≤ rtol·L_e and ‖∇L_e‖ ≤ tol at the last epoch, at no earlier epoch."""
    lt, gt, W = minimum.loss_trace, minimum.grad_trace, TINY["window"]
    ok = [e >= W and lt[e - W] - lt[e] <= TINY["plateau_rtol"] * lt[e] and gt[e] <= TINY["grad_tol"]
          for e in range(len(lt))]
    assert ok[-1] and not any(ok[:-1])
    X, y = escape.load_data("ionosphere", "float32")
    assert escape.full_loss(minimum.params(1), X, y, minimum.weight_decay)[0].item() == pytest.approx(minimum.loss, rel=1e-5)


def test_minimum_raises_when_criterion_unreachable(cache_dir):
    """An unreachable gradient tolerance ends in a one-line error, not a silent non-minimum."""
    with pytest.raises(RuntimeError, match="no minimum within max_epochs"):
        escape.train_to_minimum("ionosphere", **{**TINY, "grad_tol": 1e-9, "max_epochs": 8}, cache=False)


def test_batched_equals_single_seed_replay(minimum):
    """All seeds in one tensor program: any seed replayed alone follows the same path (same escape, same exit)."""
    kw = dict(eta=0.3, batch_size=2, n_seeds=12, horizon=300, threshold=0.3, check_every=3, seed=4, cache=False)
    full = escape.escape_runs(minimum, **kw)
    assert full.escaped.sum() >= 3 and (~full.escaped).sum() + full.escaped.sum() == 12
    for i in (0, 5, 11):
        one = escape.escape_runs(minimum, replicas=[i], **kw)
        assert one.steps[0] == full.steps[i] and one.escaped[0] == full.escaped[i]
        assert one.exit_param[0] == full.exit_param[i]
    # escapes sit on the check grid, and the loss at the exit is above (1 + threshold) L(w*) (eq-ch07-escape)
    assert (full.steps[full.escaped] % 3 == 0).all()
    assert (full.exit_loss[full.escaped] > 1.3 * full.loss_min).all()
    other = escape.escape_runs(minimum, **{**kw, "seed": 5})
    assert not np.array_equal(other.steps, full.steps)


def test_censoring_at_the_horizon(minimum):
    """Seeds that have not escaped by the horizon are censored there: steps = horizon, escaped False, no exit."""
    r = escape.escape_runs(minimum, eta=0.01, batch_size=64, n_seeds=5, horizon=20, threshold=5.0, check_every=10,
                           cache=False)
    assert not r.escaped.any() and (r.steps == 20).all() and (r.exit_param == -1).all() and np.isnan(r.exit_loss).all()


def test_cached_setting_is_loaded_not_recomputed(minimum, monkeypatch):
    """A finished setting is a cache unit: the second call loads it (the simulator is not called again)."""
    kw = dict(eta=0.3, batch_size=2, n_seeds=6, horizon=60, threshold=0.3, check_every=3)
    first = escape.escape_runs(minimum, **kw)
    assert len(list(UnitCache(escape.RUN_STUDY).folder.glob("*.npz"))) == 1

    def boom(*a, **k):
        raise AssertionError("recomputed a cached setting")

    monkeypatch.setattr(escape, "_simulate", boom)
    again = escape.escape_runs(minimum, **kw)
    assert np.array_equal(first.steps, again.steps)
    with pytest.raises(AssertionError, match="recomputed"):
        escape.escape_runs(minimum, **{**kw, "eta": 0.31})


@pytest.mark.parametrize("bad, match", [
    (dict(eta=0.0), "eta"), (dict(eta=-1.0), "eta"), (dict(batch_size=0), "batch_size"),
    (dict(batch_size=352), "batch_size"), (dict(n_seeds=0), "n_seeds"), (dict(horizon=0), "horizon"),
    (dict(horizon=5, check_every=10), "horizon"), (dict(threshold=0.0), "threshold"),
])
def test_bad_arguments_raise_one_line_value_errors(minimum, bad, match):
    """η ≤ 0, B outside [1, D], S = 0, a horizon shorter than one step or one check: one-line ValueError."""
    kw = dict(eta=0.1, batch_size=4, n_seeds=3, horizon=30, threshold=0.5, check_every=10, cache=False)
    with pytest.raises(ValueError, match=match) as err:
        escape.escape_runs(minimum, **{**kw, **bad})
    assert "\n" not in str(err.value)


def test_unknown_data_set_is_a_value_error(cache_dir):
    """An unknown data set name is a one-line ValueError listing the known ones."""
    with pytest.raises(ValueError, match="unknown data set 'nope'"):
        escape.train_to_minimum("nope")


def test_top_hessian_eigenvalue_matches_dense_hessian_on_a_tiny_net(minimum):
    """Power iteration on Hessian-vector products finds the top eigenvalue of the (test-only) dense Hessian."""
    X, y = escape.load_data("ionosphere", "float64")
    w = torch.tensor(minimum.flat, dtype=torch.float64)

    def f(v):
        return escape.full_loss(escape._unflat(v.unsqueeze(0), list(minimum.sizes)), X, y, minimum.weight_decay)[0]

    H = torch.autograd.functional.hessian(f, w)
    top = float(torch.linalg.eigvalsh(H).max())
    assert escape.top_hessian_eigenvalue(minimum, iters=2000, tol=1e-10) == pytest.approx(top, rel=1e-4)


def test_gradient_noise_has_one_column_per_parameter(minimum):
    """The noise at the minimum is [n_batches, P] with zero mean over all possible batches (eq. 1)."""
    N = escape.gradient_noise(minimum, batch_size=8, n_batches=400)
    assert N.shape == (400, minimum.n_params)
    assert len(escape.parameter_groups(minimum.sizes)) == minimum.n_params
    assert float(N.mean(0).abs().max()) < 5 * float(N.std(0).max()) / 20


def test_escape_step_is_the_first_check_above_the_threshold(minimum):
    """eq-ch07-escape: a hand-written loop of one seed (same batches) first exceeds (1 + θ) L(w*) at the recorded step."""
    kw = dict(eta=0.3, batch_size=2, n_seeds=4, horizon=300, threshold=0.3, check_every=3, seed=4, cache=False)
    run = escape.escape_runs(minimum, **kw)
    X, y = escape.load_data("ionosphere")
    stream = dict(dataset="ionosphere", minimum=minimum.settings, eta=0.3, batch_size=2, dtype="float32")
    for i in range(4):
        key = escape._keys(4, stream, np.array([i]))
        ps = minimum.params(1)
        first = None
        for t in range(0, 300, 3):
            idx = escape.batch_indices(key, t, 3, 2, X.shape[0])
            for k in range(3):
                escape.sgd_step(ps, X[idx[:, k]], y[idx[:, k]], 0.3, minimum.weight_decay)
            if escape.full_loss(ps, X, y, minimum.weight_decay)[0] > 1.3 * run.loss_min:
                first = t + 3
                break
        assert run.escaped[i] == (first is not None)
        assert run.steps[i] == (first if first is not None else 300)


def test_no_api_moves_the_minimum_it_is_handed(minimum):
    """Issue 17's aliasing defect: a float64 single-replica replay ran SGD in place on the stored weights.

    Every function taking a Minimum (replays in float64 and float32, the batched run, the Hessian, the
    noise, the module) leaves its weights bit-identical, repeated replays agree with the batched run,
    and the stored arrays are read-only.
    """
    before = minimum.flat.copy()
    kw = dict(eta=0.3, batch_size=2, n_seeds=8, horizon=200, threshold=0.3, check_every=3, seed=2, cache=False,
              dtype="float64")
    full = escape.escape_runs(minimum, **kw)
    for _ in range(3):
        for i in (0, 3, 7):
            one = escape.escape_runs(minimum, replicas=[i], **kw)
            assert one.steps[0] == full.steps[i]
    escape.escape_runs(minimum, **{**kw, "dtype": "float32"})
    escape.top_hessian_eigenvalue(minimum, iters=5)
    escape.gradient_noise(minimum, batch_size=4, n_batches=3)
    net = minimum.module()
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
    for ps in (minimum.params(1, "float64"), minimum.params(2, "float32")):
        for p in ps:
            p.add_(1.0)
    np.testing.assert_array_equal(minimum.flat, before)
    for name in ("flat", "loss_trace", "grad_trace"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(minimum, name)[0] = 0.0


def _other(minimum, flat=None, sizes=None):
    import dataclasses

    return dataclasses.replace(minimum, flat=minimum.flat if flat is None else flat,
                               sizes=minimum.sizes if sizes is None else sizes)


def test_escape_cache_is_keyed_by_the_weights(minimum, monkeypatch):
    """Issue 19: a Minimum with the same training settings but other weights never gets the first's escape times.

    Weights far off (+0.5 everywhere) are refused by their loss; weights a little off are computed
    afresh (a cache miss), the same weights again are a cache hit.
    """
    kw = dict(eta=0.3, batch_size=2, n_seeds=6, horizon=60, threshold=0.3, check_every=3, seed=1)
    calls = []
    real = escape._simulate
    monkeypatch.setattr(escape, "_simulate", lambda *a, **k: calls.append(1) or real(*a, **k))
    escape.escape_runs(minimum, **kw)
    escape.escape_runs(_other(minimum), **kw)
    assert len(calls) == 1
    nudged = minimum.flat.copy()
    nudged[:3] += 1e-3
    escape.escape_runs(_other(minimum, flat=nudged), **kw)
    assert len(calls) == 2
    with pytest.raises(ValueError, match="not the weights it was trained to"):
        escape.escape_runs(_other(minimum, flat=minimum.flat + 0.5), **kw)


@pytest.mark.parametrize("edit, match", [
    (lambda m: _other(m, flat=np.where(np.arange(m.flat.size) == 0, np.nan, m.flat)), "not finite"),
    (lambda m: _other(m, flat=m.flat[:-1]), "need"),
    (lambda m: _other(m, sizes=(m.sizes[0], 3, m.sizes[-1])), "need"),
])
def test_a_minimum_with_unusable_weights_is_refused(minimum, edit, match):
    """Issue 19: NaN weights, or sizes that do not fit the weights, are one-line errors, not escapes at the first check."""
    with pytest.raises(ValueError, match=match):
        edit(minimum)
