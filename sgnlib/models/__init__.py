"""Torch models of the book and a registry that builds them by name, seeded.

``build(name, num_classes=..., in_channels=..., width=..., seed=...)`` returns a freshly
initialised network; the same arguments give the same weights, and building never moves the
global torch random state (the initialisation runs inside ``torch.random.fork_rng``).

========================  =====================================================  ===============
name                      network                                                ``width``
========================  =====================================================  ===============
resnet20/32/56/110        CIFAR ResNets of He et al. 2015, option-A shortcuts    16 (base chans)
resnet18/34/50            torchvision ResNets, 3×3 stride-1 stem, no max-pool    64 (base chans)
transformer               transformer-encoder sentence classifier (BERT stand-in) 64 (``d_model``)
mlp                       fully connected ReLU network                           64 (hidden)
========================  =====================================================  ===============

Also the small MLP and full-batch/mini-batch SGD loop of chapter 01 (:func:`mlp`,
:func:`train_sgd`); epochs, schedules, checkpoints and caching are in :mod:`sgnlib.train`.
"""

from __future__ import annotations

import difflib
import inspect

import torch

from sgnlib._checks import check_positive, torch_generator
from sgnlib.models.resnet import CifarResNet, small_image_resnet
from sgnlib.models.text import TransformerClassifier

__all__ = ["mlp", "train_sgd", "build", "names", "CifarResNet", "small_image_resnet", "TransformerClassifier"]

_ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU}


def mlp(in_features: int, hidden: list[int] | tuple[int, ...], out_features: int, activation: str = "relu", seed: int = 0, dtype=torch.float64) -> torch.nn.Sequential:
    """A fully connected network ``in → hidden… → out``, initialised from ``seed``."""
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}")
    sizes = [in_features, *hidden, out_features]
    if any((not isinstance(s, int)) or s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive integers; got {sizes}")
    layers: list[torch.nn.Module] = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(torch.nn.Linear(a, b, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[activation]())
    return torch.nn.Sequential(*layers)


def _cifar(depth):
    def make(*, num_classes: int, in_channels: int = 3, width: int = 16) -> torch.nn.Module:
        return CifarResNet(depth, num_classes, in_channels, width)

    make.__doc__ = f"ResNet-{depth} of He et al. 2015 (CIFAR version, option-A shortcuts)."
    return make


def _torchvision(depth):
    def make(*, num_classes: int, in_channels: int = 3, width: int = 64) -> torch.nn.Module:
        return small_image_resnet(depth, num_classes, in_channels, width)

    make.__doc__ = f"torchvision ResNet-{depth} adapted to small images."
    return make


def _transformer(*, num_classes: int, vocab_size: int, width: int = 64, n_layers: int = 2, n_heads: int = 4,
                 max_len: int = 128, dim_feedforward: int | None = None, dropout: float = 0.1, pad_id: int = 0) -> torch.nn.Module:
    """Transformer-encoder sentence classifier; ``width`` is ``d_model``."""
    return TransformerClassifier(vocab_size, num_classes, width, n_layers, n_heads, max_len, dim_feedforward, dropout, pad_id)


def _mlp(*, num_classes: int, in_channels: int, width: int = 64, depth: int = 1, activation: str = "relu", dtype=torch.float32, seed: int = 0) -> torch.nn.Module:
    """Fully connected network: ``in_channels`` input features, ``depth`` hidden layers of ``width`` units."""
    if not (isinstance(depth, int) and depth >= 0):
        raise ValueError(f"depth must be a non-negative integer; got {depth!r}")
    return mlp(in_channels, [width] * depth, num_classes, activation, seed=seed, dtype=dtype)


_REGISTRY = {
    **{f"resnet{d}": _cifar(d) for d in (20, 32, 56, 110)},
    **{f"resnet{d}": _torchvision(d) for d in (18, 34, 50)},
    "transformer": _transformer,
    "mlp": _mlp,
}


def names() -> list[str]:
    """Model names :func:`build` accepts."""
    return sorted(_REGISTRY)


def build(name: str, *, num_classes: int, in_channels: int | None = None, width: int | None = None, seed: int = 0, **kwargs) -> torch.nn.Module:
    """A freshly initialised network of the registry, its weights a function of ``seed`` only.

    ``num_classes`` outputs; ``in_channels`` image channels (input features for ``mlp``; not
    used by ``transformer``); ``width`` the base width (see the module table; ``None`` = the
    paper's); other keyword arguments go to the network (``vocab_size``, ``n_layers``,
    ``n_heads``, ``max_len``, ``dropout``, ``pad_id`` for ``transformer``; ``depth``,
    ``activation``, ``dtype`` for ``mlp``). The global torch random state is left untouched.
    """
    if name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown model {name!r}{hint}; valid: {', '.join(names())}")
    if not (isinstance(num_classes, int) and num_classes >= 1):
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}")
    if not (isinstance(seed, int) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    make = _REGISTRY[name]
    accepted = inspect.signature(make).parameters
    args = dict(kwargs, num_classes=num_classes)
    if "seed" in accepted:  # builders that seed themselves (mlp)
        args["seed"] = seed
    if width is not None:
        if not (isinstance(width, int) and width >= 1):
            raise ValueError(f"width must be a positive integer; got {width!r}")
        args["width"] = width
    if in_channels is not None:
        if "in_channels" not in accepted:
            raise ValueError(f"in_channels does not apply to model {name!r} (it reads token ids); got {in_channels!r}")
        if not (isinstance(in_channels, int) and in_channels >= 1):
            raise ValueError(f"in_channels must be a positive integer; got {in_channels!r}")
        args["in_channels"] = in_channels
    unknown = sorted(set(args) - set(accepted))
    if unknown:
        raise ValueError(f"model {name!r} takes no argument {unknown[0]!r}; it takes {', '.join(k for k in accepted)}")
    missing = [k for k, p in accepted.items() if p.default is inspect.Parameter.empty and k not in args]
    if missing:
        raise ValueError(f"model {name!r} needs the argument {missing[0]!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if "dtype" in accepted:  # builders that take a dtype initialise in it (mlp: uniform draws only)
            return make(**args)
        # Initialise in float64, then round to float32: torch's float32 normal_ takes a vectorised
        # Box-Muller path whose log/cos differ by CPU kernel (ATEN_CPU_CAPABILITY default vs avx2:
        # 7e-7 apart), which chaotic SGD amplifies; the float64 draws are the same on every CPU.
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            net = make(**args)
        finally:
            torch.set_default_dtype(previous)
        return net.to(torch.float32)


def train_sgd(model: torch.nn.Module, loss_fn, X: torch.Tensor, y: torch.Tensor, lr: float, steps: int, batch_size: int | None = None, generator=None) -> list[float]:
    """Plain SGD (eq. 1 of the paper, no momentum or weight decay); full batch when ``batch_size`` is None.

    Returns the full-data loss recorded every ``max(1, steps // 100)`` steps.
    """
    check_positive(lr, "lr")
    if not (isinstance(steps, int) and steps >= 0):
        raise ValueError(f"steps must be a non-negative integer; got {steps!r}")
    D = X.shape[0]
    if batch_size is not None and not (isinstance(batch_size, int) and 1 <= batch_size <= D):
        raise ValueError(f"batch_size must be an integer in [1, {D}]; got {batch_size!r}")
    gen = torch_generator(generator)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.0, weight_decay=0.0)
    every = max(1, steps // 100)
    history = []
    for step in range(steps):
        if batch_size is None:
            xb, yb = X, y
        else:
            idx = torch.randperm(D, generator=gen)[:batch_size]
            xb, yb = X[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"loss became {loss.item()} at step {step}: lower lr={lr}")
        loss.backward()
        opt.step()
        if step % every == 0:
            with torch.no_grad():
                history.append(float(loss_fn(model(X), y)))
    return history
