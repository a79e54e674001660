"""Stochastic gradient noise (SGN) of torch models, one parameter at a time.

The SGD step of Battash et al. (eq. 1) is

.. math:: w_k = w_{k-1} - \\eta \\nabla U(w_{k-1}) + \\epsilon u_k,
   \\qquad u_k = \\nabla U(w_k) - \\frac{1}{B}\\sum_{\\ell\\in\\Omega_k} \\nabla U^{(\\ell)}(w_k),

so the noise of a mini-batch is the full-batch gradient minus the mini-batch
gradient. Under the Gaussian model its covariance is (eq. 2)

.. math:: \\lambda(w) = \\frac{1}{B}\\Big(\\frac{1}{D}\\sum_{j=1}^{D} \\nabla U^{(j)}\\nabla U^{(j)\\top}
   - \\nabla U \\nabla U^{\\top}\\Big).

Everything here works on the matrix ``G`` of per-example gradients,
``[D examples, P parameters]``, computed in one vectorised pass with
``torch.func`` (no loop over examples). Mini-batch noise for many batches is
then a gather and a mean (no loop over batches beyond memory-sized chunks).
"""

from __future__ import annotations

import numpy as np
import torch

from sgnlib._checks import check_finite, torch_generator

__all__ = [
    "per_example_gradients",
    "noise_covariance",
    "minibatch_noise",
    "parameter_names",
]


def parameter_names(model: torch.nn.Module) -> list[str]:
    """Name of every scalar parameter, in the column order of :func:`per_example_gradients`."""
    names = []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim == 0:
            names.append(name)
        else:
            names.extend(f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*p.shape))
    return names


def per_example_gradients(model: torch.nn.Module, loss_fn, X: torch.Tensor, y: torch.Tensor, chunk_size: int | None = 1024) -> torch.Tensor:
    """Gradients of the loss of each example w.r.t. every parameter: a ``[D, P]`` tensor.

    ``loss_fn(output, target)`` must return the loss of the examples it is given
    (a mean or a sum; it is called on single examples). Columns follow
    ``model.named_parameters()`` flattened (see :func:`parameter_names`).
    Uses ``torch.func.vmap(grad(...))``: one vectorised pass, ``chunk_size``
    examples at a time to bound memory.
    """
    from torch.func import functional_call, grad, vmap

    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} examples but y has {y.shape[0]}")
    if X.shape[0] == 0:
        raise ValueError("X holds no examples")
    check_finite(X, "X")
    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def loss_one(p, xi, yi):
        out = functional_call(model, (p, buffers), (xi.unsqueeze(0),))
        return loss_fn(out, yi.unsqueeze(0))

    g = vmap(grad(loss_one), in_dims=(None, 0, 0), chunk_size=chunk_size)(params, X, y)
    G = torch.cat([g[k].reshape(X.shape[0], -1) for k in params], dim=1)
    check_finite(G, "per-example gradients")
    return G


def noise_covariance(G: torch.Tensor, batch_size: int, diagonal: bool = False, replace: bool = True) -> torch.Tensor:
    """The Gaussian model's noise covariance λ(w) of eq. 2 from per-example gradients ``G``.

    ``λ = (1/B) [ (1/D) Σ_j g_j g_jᵀ − ḡ ḡᵀ ]``, the covariance of the mini-batch
    noise when the ``B`` examples are drawn with replacement. With
    ``replace=False`` (SGD's usual sampling without replacement) it is multiplied
    by the finite-population factor ``(D − B)/(D − 1)``. ``diagonal=True``
    returns only the variances (``[P]``), for models too large for ``P × P``.
    """
    D = G.shape[0]
    if not (isinstance(batch_size, int) and 1 <= batch_size <= D):
        raise ValueError(f"batch_size must be an integer in [1, {D}] (number of examples); got {batch_size!r}")
    check_finite(G, "G")
    gbar = G.mean(dim=0)
    if diagonal:
        second = (G * G).mean(dim=0) - gbar * gbar
    else:
        second = G.T @ G / D - torch.outer(gbar, gbar)
    lam = second / batch_size
    if not replace:
        if D == 1:
            raise ValueError("sampling without replacement needs at least 2 examples")
        lam = lam * (D - batch_size) / (D - 1)
    return lam


def minibatch_noise(
    G: torch.Tensor,
    batch_size: int,
    n_batches: int,
    generator=None,
    replace: bool = False,
    columns=None,
    max_elements: int = 2**26,
) -> torch.Tensor:
    """Noise ``u_k = ḡ − (1/B) Σ_{ℓ∈Ω_k} g_ℓ`` (eq. 1) of ``n_batches`` random mini-batches.

    Returns ``[n_batches, P]`` (or ``[n_batches, len(columns)]``): each row is
    one mini-batch, so a column is the noise of one parameter across
    mini-batches (the measurement of Xie et al. 2020 and of the paper) and a
    row is the noise of all parameters on one mini-batch (the measurement of
    Şimşekli et al. 2019). Batches are drawn without replacement within a
    batch unless ``replace=True``; ``generator`` is an int seed or
    ``torch.Generator``. Vectorised: batches are processed in chunks holding
    at most ``max_elements`` gathered entries. With ``replace=True`` the draws
    do not depend on the chunking; without replacement they depend on
    ``max_elements`` too (keep it fixed to reproduce a run).
    """
    D, P = G.shape
    if not (isinstance(batch_size, int) and 1 <= batch_size <= D):
        raise ValueError(f"batch_size must be an integer in [1, {D}] (number of examples); got {batch_size!r}")
    if not (isinstance(n_batches, int) and n_batches >= 1):
        raise ValueError(f"n_batches must be a positive integer; got {n_batches!r}")
    check_finite(G, "G")
    if columns is not None:
        G = G[:, torch.as_tensor(columns, dtype=torch.long, device=G.device)]
    gen = torch_generator(generator, device="cpu")
    gbar = G.mean(dim=0)
    per_batch = batch_size * G.shape[1] + (0 if replace else D)
    chunk = max(1, min(n_batches, max_elements // max(per_batch, 1)))
    out = torch.empty(n_batches, G.shape[1], dtype=G.dtype, device=G.device)
    for start in range(0, n_batches, chunk):
        k = min(chunk, n_batches - start)
        if replace:
            idx = torch.randint(0, D, (k, batch_size), generator=gen)
        else:
            idx = torch.rand(k, D, generator=gen).argsort(dim=1)[:, :batch_size]
        idx = idx.to(G.device)
        out[start : start + k] = gbar - G[idx].mean(dim=1)
    return out

