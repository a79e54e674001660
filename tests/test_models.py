"""The model registry: CIFAR ResNets (He et al. 2015), small-image torchvision ResNets, the transformer classifier, the MLP."""

import pytest
import torch
import torchvision

from sgnlib import models
from sgnlib.models.resnet import ShortcutA
from torch_fixtures import one_thread  # noqa: F401  (autouse)


def _input(name, n=3):
    if name == "transformer":
        return torch.randint(1, 20, (n, 9))
    if name == "mlp":
        return torch.randn(n, 7)
    return torch.randn(n, 2, 8, 8)


def _tiny(name, seed=0):
    if name == "transformer":
        return models.build(name, num_classes=5, vocab_size=20, width=8, n_layers=1, n_heads=2, seed=seed)
    if name == "mlp":
        return models.build(name, num_classes=5, in_channels=7, width=6, seed=seed)
    return models.build(name, num_classes=5, in_channels=2, width=2 if name in ("resnet20", "resnet32", "resnet56", "resnet110") else 4, seed=seed)


@pytest.mark.parametrize("name", models.names())
def test_every_model_forwards_and_backpropagates(name):
    """Each registered network maps a batch to [N, num_classes] logits with finite gradients for every parameter."""
    torch.manual_seed(0)
    net = _tiny(name)
    out = net(_input(name))
    assert out.shape == (3, 5)
    torch.nn.functional.cross_entropy(out, torch.tensor([0, 1, 4])).backward()
    for pname, p in net.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), pname


@pytest.mark.parametrize("depth, millions", [(20, 0.27), (32, 0.46), (56, 0.85), (110, 1.7)])
def test_cifar_resnet_parameter_counts_match_he_et_al(depth, millions):
    """He et al. 2015, Table 6: ResNet-20/32/56/110 on CIFAR-10 (width 16) have 0.27/0.46/0.85/1.7 M parameters."""
    net = models.build(f"resnet{depth}", num_classes=10)
    n = sum(p.numel() for p in net.parameters())
    assert round(n / 1e6, 2 if millions < 1 else 1) == millions


def test_option_a_shortcut_is_parameter_free_subsample_and_zero_pad():
    """Option A: the shortcut of a down-sampling block is x[:, :, ::2, ::2] with zero channels added, no weights."""
    sc = ShortcutA(4, 8, 2)
    assert sum(p.numel() for p in sc.parameters()) == 0
    x = torch.randn(2, 4, 6, 6)
    y = sc(x)
    assert y.shape == (2, 8, 3, 3)
    torch.testing.assert_close(y[:, 2:6], x[:, :, ::2, ::2], rtol=0, atol=0)
    assert y[:, :2].abs().sum() == 0 and y[:, 6:].abs().sum() == 0
    net = models.build("resnet20", num_classes=10)
    assert not any("shortcut" in n for n, _ in net.named_parameters())


@pytest.mark.parametrize("depth", [18, 50])
def test_small_image_resnet_is_torchvision_with_a_3x3_stem(depth):
    """ResNet-18/50 at width 64 are torchvision's, with the 7×7 stem replaced by a 3×3 stride-1 conv and no max-pool."""
    ours = models.build(f"resnet{depth}", num_classes=100)
    ref = getattr(torchvision.models, f"resnet{depth}")(num_classes=100)
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(ours) == count(ref) - 3 * 64 * 7 * 7 + 3 * 64 * 3 * 3
    assert ours.conv1.kernel_size == (3, 3) and ours.conv1.stride == (1, 1)
    assert isinstance(ours.maxpool, torch.nn.Identity)
    small = models.build(f"resnet{depth}", num_classes=10, width=8, in_channels=1)
    assert small.layer4[-1].conv1.in_channels == 8 * 8 * (4 if depth == 50 else 1) and small.conv1.in_channels == 1
    assert small(torch.randn(2, 1, 8, 8)).shape == (2, 10)


def test_build_is_seeded_and_leaves_global_rng_alone():
    """Same seed → same weights; another seed → other weights; the global torch RNG does not move."""
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a, b, c = (models.build("resnet20", num_classes=3, width=4, seed=s) for s in (7, 7, 8))
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert not torch.equal(a.conv1.weight, c.conv1.weight)
    m1, m2 = models.build("mlp", num_classes=2, in_channels=3, seed=1), models.build("mlp", num_classes=2, in_channels=3, seed=2)
    assert not torch.equal(m1[0].weight, m2[0].weight)


def test_chapter01_mlp_weights_unchanged():
    """models.mlp(seed=s) keeps chapter 01's weights: those of torch.manual_seed(s) then nn.Linear in order."""
    net = models.mlp(5, [4], 1, "tanh", seed=1)
    torch.manual_seed(1)
    l1, l2 = torch.nn.Linear(5, 4, dtype=torch.float64), torch.nn.Linear(4, 1, dtype=torch.float64)
    torch.testing.assert_close(net[0].weight, l1.weight, rtol=0, atol=0)
    torch.testing.assert_close(net[2].bias, l2.bias, rtol=0, atol=0)


def test_transformer_ignores_padding():
    """Mean pooling over non-pad tokens with padding masked out of attention: extra pads do not change the logits."""
    net = models.build("transformer", num_classes=3, vocab_size=20, width=8, n_layers=2, n_heads=2).eval()
    tokens = torch.tensor([[3, 4, 5, 0, 0], [7, 8, 9, 10, 11]])
    longer = torch.cat([tokens, torch.zeros(2, 4, dtype=torch.long)], dim=1)
    torch.testing.assert_close(net(tokens), net(longer), rtol=1e-5, atol=1e-6)
    assert torch.isfinite(net(torch.zeros(1, 5, dtype=torch.long))).all()
    with pytest.raises(ValueError, match="max_len=128"):
        net(torch.ones(1, 129, dtype=torch.long))


def test_build_errors():
    """Bad input gets a one-line ValueError naming it (unknown model with valid names, missing or foreign arguments)."""
    with pytest.raises(ValueError, match="unknown model 'resnet21'.*valid: mlp, resnet110"):
        models.build("resnet21", num_classes=10)
    with pytest.raises(ValueError, match="needs the argument 'vocab_size'"):
        models.build("transformer", num_classes=2)
    with pytest.raises(ValueError, match="in_channels does not apply to model 'transformer'"):
        models.build("transformer", num_classes=2, vocab_size=10, in_channels=3)
    with pytest.raises(ValueError, match="takes no argument 'depth'"):
        models.build("resnet20", num_classes=2, depth=3)
    with pytest.raises(ValueError, match="num_classes must be a positive integer; got 0"):
        models.build("resnet20", num_classes=0)
    with pytest.raises(ValueError, match="width must be a positive integer; got -1"):
        models.build("resnet18", num_classes=2, width=-1)
    with pytest.raises(ValueError, match="d_model must be divisible by n_heads=3"):
        models.build("transformer", num_classes=2, vocab_size=10, width=8, n_heads=3)
