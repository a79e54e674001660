"""Gradient noise of torch models: eq. 1 (the noise u_k) and eq. 2 (its Gaussian-model covariance)."""

import pytest
import torch

from sgnlib import data, models, noise


def _bce(out, t):
    return torch.nn.functional.binary_cross_entropy_with_logits(out.squeeze(-1), t)


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    X = torch.randn(200, 5, dtype=torch.float64)
    y = (X[:, 0] + 0.5 * torch.randn(200, dtype=torch.float64) > 0).to(torch.float64)
    model = models.mlp(5, [4], 1, "tanh", seed=1)
    G = noise.per_example_gradients(model, _bce, X, y)
    return model, X, y, G


def test_per_example_gradients_match_autograd(setup):
    """Row j of G is the gradient of the loss of example j alone (column order = named_parameters)."""
    model, X, y, G = setup
    assert G.shape == (200, 5 * 4 + 4 + 4 + 1)
    for j in (0, 17, 199):
        model.zero_grad()
        _bce(model(X[j : j + 1]), y[j : j + 1]).backward()
        ref = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
        torch.testing.assert_close(G[j], ref)
    assert len(noise.parameter_names(model)) == G.shape[1]


def test_noise_has_mean_zero_and_eq2_covariance(setup):
    """Eq. 2: the covariance of u_k over mini-batches is λ = (1/B)(E[g gᵀ] − ḡḡᵀ) (with replacement)."""
    *_, G = setup
    B = 10
    U = noise.minibatch_noise(G, B, 40_000, generator=3, replace=True)
    lam = noise.noise_covariance(G, B)
    emp = torch.cov(U.T)
    scale = lam.diagonal().max()
    assert torch.allclose(U.mean(0), torch.zeros_like(U[0]), atol=4 * float(scale.sqrt()) / 200**0.5)
    assert float((emp - lam).abs().max() / scale) < 0.05


def test_without_replacement_has_finite_population_factor(setup):
    """Sampling without replacement multiplies eq. 2 by (D − B)/(D − 1)."""
    *_, G = setup
    B = 100
    U = noise.minibatch_noise(G, B, 40_000, generator=4, replace=False)
    lam = noise.noise_covariance(G, B, diagonal=True, replace=False)
    ratio = U.var(0) / lam
    assert abs(float(ratio.mean()) - 1) < 0.02
    # and not the with-replacement value, which is about twice as large here
    lam_rep = noise.noise_covariance(G, B, diagonal=True)
    assert float((U.var(0) / lam_rep).mean()) < 0.6


def test_diagonal_equals_full_diagonal(setup):
    """diagonal=True returns the diagonal of the full eq. 2 covariance, without forming P × P."""
    *_, G = setup
    torch.testing.assert_close(noise.noise_covariance(G, 7, diagonal=True), noise.noise_covariance(G, 7).diagonal())


def test_same_seed_same_noise(setup):
    """The mini-batches of eq. 1 are a function of the generator seed: same seed, same noise; another seed, other noise."""
    *_, G = setup
    a = noise.minibatch_noise(G, 8, 50, generator=11, columns=[0, 3])
    b = noise.minibatch_noise(G, 8, 50, generator=11, columns=[0, 3])
    assert a.shape == (50, 2) and torch.equal(a, b)
    assert not torch.equal(a, noise.minibatch_noise(G, 8, 50, generator=12, columns=[0, 3]))


def test_chunking_does_not_change_draws_with_replacement(setup):
    """With replacement the batch loop is chunked for memory only: the same draws come out whatever the chunk."""
    *_, G = setup
    small = (8 * G.shape[1]) * 10  # forces chunks of 10 batches
    a = noise.minibatch_noise(G, 8, 64, generator=5, replace=True, max_elements=small)
    b = noise.minibatch_noise(G, 8, 64, generator=5, replace=True)
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_bad_input(setup):
    """Bad batch sizes, batch counts, NaN gradients and mismatched X/y are one-line ValueErrors naming the value."""
    model, X, y, G = setup
    with pytest.raises(ValueError, match="batch_size must be an integer in \\[1, 200\\].*0"):
        noise.noise_covariance(G, 0)
    with pytest.raises(ValueError, match="batch_size.*500"):
        noise.minibatch_noise(G, 500, 10)
    with pytest.raises(ValueError, match="n_batches.*0"):
        noise.minibatch_noise(G, 5, 0)
    bad = G.clone()
    bad[3, 7] = float("nan")
    with pytest.raises(ValueError, match="column 7"):
        noise.noise_covariance(bad, 5)
    with pytest.raises(ValueError, match="X has 200 examples but y has 199"):
        noise.per_example_gradients(model, _bce, X, y[:-1])


def test_datasets_offline_and_online():
    """The offline data set loads standardised; an online one fails offline saying so; an unknown one is named."""
    ds = data.load("breast_cancer")
    assert ds.X.shape == (569, 30) and set(ds.y.unique().tolist()) == {0.0, 1.0}
    torch.testing.assert_close(ds.X.mean(0), torch.zeros(30, dtype=torch.float64), atol=1e-12, rtol=0)
    with pytest.raises(RuntimeError, match="cifar100.*needs the internet"):
        data.load("cifar100")
    with pytest.raises(ValueError, match="unknown data set 'mnist'"):
        data.load("mnist")


def test_train_sgd_decreases_loss_and_rejects_bad_lr():
    """Plain SGD (eq. 1) on a real data set halves the full-data loss; a negative learning rate is refused."""
    ds = data.load("breast_cancer")
    m = models.mlp(30, [8], 1, "relu", seed=0)
    hist = models.train_sgd(m, _bce, ds.X, ds.y, lr=0.1, steps=200, batch_size=32, generator=0)
    assert hist[-1] < 0.5 * hist[0]
    with pytest.raises(ValueError, match="lr must be finite and > 0; got -0.1"):
        models.train_sgd(m, _bce, ds.X, ds.y, lr=-0.1, steps=1)
