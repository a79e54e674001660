"""The noise meter (sgnlib.noise.measure_noise and friends): eq. 1 measured on any torch model, one batch at a time."""

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

from sgnlib import models, noise
from sgnlib.cache import UnitCache
from torch_fixtures import one_thread  # noqa: F401  (autouse)


def _ce(out, y):
    return torch.nn.functional.cross_entropy(out, y)


@pytest.fixture(scope="module")
def tiny():
    """A float64 MLP on 200 examples: exact arithmetic comparisons are meaningful."""
    g = torch.Generator().manual_seed(0)
    X = torch.randn(200, 6, generator=g, dtype=torch.float64)
    y = (X[:, 0] + X[:, 1] > 0).long()
    net = models.build("mlp", num_classes=2, in_channels=6, width=5, dtype=torch.float64, seed=2)
    return net, TensorDataset(X, y)


@pytest.fixture(scope="module")
def resnet():
    g = torch.Generator().manual_seed(1)
    ds = TensorDataset(torch.randn(64, 1, 8, 8, generator=g), torch.randint(0, 3, (64,), generator=g))
    net = models.build("resnet20", num_classes=3, in_channels=1, width=2, seed=0)
    net.train()
    with torch.no_grad():  # give BatchNorm non-trivial running statistics
        for i in range(4):
            net(ds.tensors[0][16 * i : 16 * (i + 1)])
    return net, ds


def test_noise_over_one_epoch_averages_to_zero_exactly(tiny):
    """Eq. 1 without replacement: the K = D/B batches of an epoch partition the data, so their gradients average to ∇U."""
    net, ds = tiny
    m = noise.measure_noise(net, _ce, ds, batch_size=4, n_batches=50, coords="all", seed=3, progress=False, device="cpu")
    assert m.noise.shape == (50, 47)
    assert sorted(m.batches.ravel().tolist()) == list(range(200))
    assert np.abs(m.noise.mean(axis=0)).max() < 1e-15 * 200 + 1e-14
    assert np.abs(m.noise).max() > 1e-3  # and the rows themselves are not zero


def test_matches_naive_full_gradient_computation(tiny):
    """Each row is ∇U − ∇U_Ω computed the naive way (backward on the whole set and on the batch, flatten, subtract)."""
    net, ds = tiny
    X, y = ds.tensors
    m = noise.measure_noise(net, _ce, ds, batch_size=10, n_batches=50, n_coords=12, seed=4, chunk_size=200, progress=False)

    def flat_grad(xb, yb):
        net.zero_grad()
        _ce(net(xb), yb).backward()
        return torch.cat([p.grad.reshape(-1) for p in net.parameters()])

    full = flat_grad(X, y)
    offsets = dict(zip([n for n, _ in net.named_parameters()], np.cumsum([0] + [p.numel() for p in net.parameters()])))
    cols = [offsets[n] + i for n, i in zip(m.param_names, m.flat_index)]
    for k in (0, 17, 49):
        b = torch.as_tensor(m.batches[k])
        expected = (full - flat_grad(X[b], y[b]))[cols].numpy()
        np.testing.assert_array_equal(m.noise[k], expected)
    np.testing.assert_allclose(m.full_gradient, full[cols].numpy(), rtol=0, atol=0)
    chunked = noise.measure_noise(net, _ce, ds, batch_size=10, n_batches=50, n_coords=12, seed=4, chunk_size=7, progress=False)
    np.testing.assert_allclose(chunked.full_gradient, m.full_gradient, rtol=1e-12, atol=1e-15)


def test_variance_matches_eq2_with_and_without_replacement(tiny):
    """The meter's noise has eq. 2's variance: λ with replacement, λ·(D−B)/(D−1) with SGD's epoch sampling."""
    net, ds = tiny
    G = noise.per_example_gradients(net, _ce, *ds.tensors)
    B = 20
    for replacement, factor in ((True, 1.0), (False, (200 - B) / 199)):
        m = noise.measure_noise(net, _ce, ds, batch_size=B, n_batches=1000, coords="all", seed=5, replacement=replacement, progress=False)
        lam = noise.noise_covariance(G, B, diagonal=True).numpy() * factor
        active = lam > 1e-10 * lam.max()
        ratio = m.noise.var(axis=0)[active] / lam[active]
        assert abs(np.median(ratio) - 1) < 0.1, (replacement, np.median(ratio))


def test_coordinate_selection(resnet, tiny):
    """Uniform: distinct, seeded, independent of B; per layer: every parameter tensor; lists by name, element or (name, index)."""
    net, _ = resnet
    names = [n for n, _ in net.named_parameters()]
    u = noise.select_coords(net, "uniform", 40, seed=1)
    assert len(set(zip(u.param_names, u.flat_index))) == 40
    again, other = noise.select_coords(net, "uniform", 40, seed=1), noise.select_coords(net, "uniform", 40, seed=2)
    assert u.key() == again.key() != other.key()
    per = noise.select_coords(net, "per_layer", 3, seed=1)
    assert set(per.param_names) == set(names)
    assert all(per.param_names.count(n) == min(3, p.numel()) for n, p in net.named_parameters())
    assert per.layers[0] == "conv1" and "layer3.2.bn2" in per.layers
    chosen = noise.select_coords(net, ["fc.bias", "conv1.weight[1,0,2,2]", ("fc.weight", 5)], 3, seed=0)
    assert chosen.names == ("fc.bias[0]", "fc.bias[1]", "fc.bias[2]", "conv1.weight[1,0,2,2]", "fc.weight[0,5]")
    assert len(noise.select_coords(net, ["layer1.0.conv1.weight"], 3, seed=0)) == 3
    mlp, ds = tiny
    a = noise.measure_noise(mlp, _ce, ds, batch_size=8, n_batches=50, n_coords=5, seed=9, progress=False)
    b = noise.measure_noise(mlp, _ce, ds, batch_size=16, n_batches=50, n_coords=5, seed=9, progress=False)
    assert a.names == b.names


def test_user_order_of_coordinates_is_kept(tiny):
    """A list of coordinates comes back in the order given, with the same values as the same coordinates in parameter order."""
    net, ds = tiny
    order = [("2.bias", 1), ("0.weight", 3), ("2.bias", 0)]
    m = noise.measure_noise(net, _ce, ds, batch_size=8, n_batches=50, coords=order, seed=1, progress=False)
    s = noise.measure_noise(net, _ce, ds, batch_size=8, n_batches=50, coords=sorted(order), seed=1, progress=False)
    assert m.names == ("2.bias[1]", "0.weight[0,3]", "2.bias[0]")
    np.testing.assert_array_equal(m.noise, s.noise[:, [2, 0, 1]])


def test_bn_mode_and_model_state_restored(resnet):
    """eval mode measures a fixed function; train mode uses batch statistics; either way mode and BN buffers come back unchanged."""
    net, ds = resnet
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net.train()
    kw = dict(batch_size=8, n_batches=50, n_coords=10, seed=0, progress=False, unit_batches=20)
    ev = noise.measure_noise(net, _ce, ds, **kw)
    tr = noise.measure_noise(net, _ce, ds, bn_mode="train", **kw)
    assert net.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert np.abs(ev.noise[:8].mean(axis=0)).max() < 1e-5 * max(1.0, np.abs(ev.full_gradient).max())  # one epoch: exact in eval
    assert not np.allclose(ev.noise, tr.noise)
    np.testing.assert_array_equal(tr.noise, noise.measure_noise(net, _ce, ds, bn_mode="train", **kw).noise)


def test_interrupted_measurement_resumes_from_cache(tiny, tmp_path):
    """Finished units are cached: after an interruption only the missing batches run, and the result equals an uninterrupted one."""
    net, ds = tiny
    kw = dict(batch_size=8, n_batches=60, n_coords=7, seed=2, progress=False, unit_batches=20)
    ref = noise.measure_noise(net, _ce, ds, **kw)
    calls, armed = [], [True]

    def flaky(out, y):
        calls.append(len(y))
        if armed[0] and len(calls) == 1 + 30:  # the full gradient, then 30 batches: dies inside the second unit
            armed[0] = False
            raise KeyboardInterrupt
        return _ce(out, y)

    cache = UnitCache("noise-test", root=tmp_path)
    with pytest.raises(KeyboardInterrupt):
        noise.measure_noise(net, flaky, ds, cache=cache, **kw)
    assert len(list(cache.folder.glob("*.npz"))) == 2  # the full gradient and the first 20 batches
    calls.clear()
    got = noise.measure_noise(net, flaky, ds, cache=cache, **kw)
    assert calls == [8] * 40  # the cached full gradient and first unit are not recomputed
    np.testing.assert_array_equal(got.noise, ref.noise)
    np.testing.assert_array_equal(got.batch_loss, ref.batch_loss)
    calls.clear()
    noise.measure_noise(net, flaky, ds, cache=cache, **kw)
    assert calls == []
    victim = max(cache.folder.glob("*.npz"), key=lambda p: p.stat().st_mtime)
    victim.write_bytes(b"not an npz")
    with pytest.warns(UserWarning, match="damaged"):
        again = noise.measure_noise(net, flaky, ds, cache=cache, **kw)
    assert calls == [8] * 20
    np.testing.assert_array_equal(again.noise, ref.noise)
    calls.clear()
    noise.measure_noise(net, flaky, ds, cache=cache, **dict(kw, batch_size=16))
    assert calls == [16] * 60  # another batch size reuses the cached full gradient
    calls.clear()
    with torch.no_grad():
        net[0].bias[0] += 1e-3  # another model state is another key
    try:
        noise.measure_noise(net, flaky, ds, cache=cache, **kw)
        assert calls and calls[0] == 200
    finally:
        with torch.no_grad():
            net[0].bias[0] -= 1e-3


def test_pooled_noise_uses_the_same_batches(tiny):
    """Şimşekli et al.'s pooled view: rows over all parameters, on the same mini-batches as the per-parameter measurement."""
    net, ds = tiny
    per = noise.measure_noise(net, _ce, ds, batch_size=8, n_batches=50, n_coords=6, seed=7, progress=False)
    pooled = noise.pooled_noise(net, _ce, ds, batch_size=8, n_batches=3, seed=7, progress=False)
    assert pooled.noise.shape == (3, 47) and pooled.pooled().shape == (141,)
    cols = [pooled.names.index(n) for n in per.names]
    np.testing.assert_allclose(pooled.noise[:, cols], per.noise[:3], rtol=1e-12, atol=1e-15)
    std = per.pooled(rows=2, standardise=True)
    np.testing.assert_allclose(std, (per.noise[:2] / per.noise.std(axis=0)).ravel())


def test_example_gradients_are_per_example_gradients(tiny, resnet):
    """Per-example gradients at the sampled coordinates equal the columns of the full per-example matrix; their mean is ∇U."""
    net, ds = tiny
    e = noise.example_gradients(net, _ce, ds, n_coords=9, seed=3, chunk_size=64, progress=False)
    G = noise.per_example_gradients(net, _ce, *ds.tensors).numpy()
    names = noise.parameter_names(net)
    np.testing.assert_allclose(e.grads, G[:, [names.index(n) for n in e.coords.names]], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(e.centred.mean(axis=0), 0, atol=1e-15)
    sub = noise.example_gradients(net, _ce, ds, n_coords=9, seed=3, n_examples=30, progress=False)
    np.testing.assert_allclose(sub.grads, e.grads[sub.examples], rtol=1e-12)
    rnet, rds = resnet
    r = noise.example_gradients(rnet, _ce, rds, coords="per_layer", n_coords=1, seed=0, progress=False)
    np.testing.assert_allclose(r.grads.mean(axis=0), r.full_gradient, rtol=1e-4, atol=1e-6)


def test_bad_input(tiny):
    """K < 50, B > D, unknown or malformed coordinates and bad modes are one-line ValueErrors naming the value."""
    net, ds = tiny
    kw = dict(batch_size=8, n_batches=50, progress=False)
    with pytest.raises(ValueError, match="n_batches must be an integer >= 50 .*tail-index.*; got 49"):
        noise.measure_noise(net, _ce, ds, **dict(kw, n_batches=49))
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 200\] .*; got 201"):
        noise.measure_noise(net, _ce, ds, **dict(kw, batch_size=201))
    with pytest.raises(ValueError, match="'0.weigth' that the model does not have; close: 0.weight"):
        noise.measure_noise(net, _ce, ds, coords=["0.weigth"], **kw)
    with pytest.raises(ValueError, match=r"not an element of 0.weight \(shape \(5, 6\)\)"):
        noise.measure_noise(net, _ce, ds, coords=["0.weight[9,9]"], **kw)
    with pytest.raises(ValueError, match=r"flat index 30 of '0.weight' must be an integer in \[0, 30\)"):
        noise.measure_noise(net, _ce, ds, coords=[("0.weight", 30)], **kw)
    with pytest.raises(ValueError, match="n_coords=48 exceeds the 47 trainable scalars"):
        noise.measure_noise(net, _ce, ds, n_coords=48, **kw)
    with pytest.raises(ValueError, match="bn_mode must be 'eval' or 'train'; got 'batch'"):
        noise.measure_noise(net, _ce, ds, bn_mode="batch", **kw)
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        noise.measure_noise(net, "hinge", ds, **kw)
    with pytest.raises(ValueError, match="coords must be 'uniform', 'per_layer', 'all'"):
        noise.measure_noise(net, _ce, ds, coords="random", **kw)


def test_degenerate_batches_and_bare_tensors_are_refused(tiny):
    """Issue 19: B = D without replacement makes every batch the full batch (noise = rounding); a bare tensor is no data set."""
    net, ds = tiny
    kw = dict(n_batches=50, n_coords=5, progress=False)
    with pytest.raises(ValueError, match="batch_size 200 is the whole data set"):
        noise.measure_noise(net, _ce, ds, batch_size=200, **kw)
    with_replacement = noise.measure_noise(net, _ce, ds, batch_size=200, replacement=True, **kw)
    assert np.abs(with_replacement.noise).max() > 1e-6  # resampled batches do differ from the full batch
    with pytest.raises(ValueError, match=r"dataset is a bare tensor of shape \(200, 6\)"):
        noise.measure_noise(net, _ce, ds.tensors[0], batch_size=8, **kw)


def test_a_cached_unit_with_nan_is_recomputed_not_served(tiny, tmp_path):
    """Issue 19: a stored part holding NaN (a poisoned file) is reported and recomputed, as a computed part would be refused."""
    net, ds = tiny
    kw = dict(batch_size=8, n_batches=50, n_coords=5, seed=3, progress=False)
    cache = UnitCache("noise-nan", root=tmp_path)
    ref = noise.measure_noise(net, _ce, ds, cache=cache, **kw)
    for path in cache.folder.glob("*.npz"):
        with np.load(path, allow_pickle=False) as z:
            arrays = dict(z)
        for k, v in arrays.items():
            if v.dtype.kind == "f" and v.size > 1:
                v = v.copy()
                v.flat[0] = np.nan
                arrays[k] = v
        np.savez(path, **arrays)
    with pytest.warns(UserWarning, match="NaN or infinite"):
        again = noise.measure_noise(net, _ce, ds, cache=cache, **kw)
    np.testing.assert_array_equal(again.noise, ref.noise)
