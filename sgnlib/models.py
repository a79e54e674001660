"""Small torch models and plain SGD, as the paper trains them (no momentum, no weight decay)."""

from __future__ import annotations

import torch

from sgnlib._checks import check_positive, torch_generator

__all__ = ["mlp", "train_sgd"]

_ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU}


def mlp(in_features: int, hidden: list[int] | tuple[int, ...], out_features: int, activation: str = "relu", seed: int = 0, dtype=torch.float64) -> torch.nn.Sequential:
    """A fully connected network ``in → hidden… → out``, initialised from ``seed``."""
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}")
    sizes = [in_features, *hidden, out_features]
    if any((not isinstance(s, int)) or s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive integers; got {sizes}")
    torch.manual_seed(seed)
    layers: list[torch.nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(_ACTIVATIONS[activation]())
    return torch.nn.Sequential(*layers)


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
