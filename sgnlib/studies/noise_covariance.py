r"""Proposition 3.4 (eq. P11): the row sums of the noise covariance near a minimum, on a real network.

Eq. P11 of :cite:`battash2023revisiting` approximates the sum of the ``l``-th row of the
noise covariance at ``W_t = W* + Z_t`` (between large jumps) by

.. math:: 1^\top\lambda_l(W_t) \approx \frac1D \sum_{j=1}^N \bar u_{lj}
   + \sum_{j,m,p} \bar h_{l,m,p,j}\big(w_mw_pe^{-(h_{mm}+h_{pp})t} + A_{mp}(t) + A_{pm}(t)\big),

with ``h̃_{l,m,p,j} = (1/B) Σ_b h_{b,l,m} h_{b,p,j}``, ``h_{l,m,p,j} = h_{lm} h_{pj}`` (full-data
Hessian) and ``h̄ = h̃ − h``; the bracket is Lemma 3.3's ``E[Z^m_t Z^p_t]``. Its content is the
Taylor expansion of each example's gradient around ``W*``. With ``g_j`` example ``j``'s
gradient, ``a_j = g_j(W*) − ḡ(W*)``, ``b_j = (H_j − H) z``, ``q_j = ½ (∇³U^{(j)} − ∇³U)[z, z]``
and ``c_B = (D − B)/(B (D − 1))`` (the covariance of a mean of ``B`` examples drawn without
replacement, eq. P2 with the finite-population factor, :func:`sgnlib.noise.noise_covariance`),
the row sums of the covariance ``Λ`` of a mini-batch gradient are

.. math:: \Lambda(W^*+z)\mathbf 1 = \underbrace{\frac{c_B}{D}\sum_j a_j (a_j\!\cdot\!\mathbf 1)}_{r_0}
   + \underbrace{\frac{c_B}{D}\sum_j \big[a_j (b_j\!\cdot\!\mathbf 1) + b_j (a_j\!\cdot\!\mathbf 1)\big]}_{r_1(z)}
   + \underbrace{\frac{c_B}{D}\sum_j b_j (b_j\!\cdot\!\mathbf 1)}_{r_2(z)}
   + \underbrace{\frac{c_B}{D}\sum_j \big[a_j (q_j\!\cdot\!\mathbf 1) + q_j (a_j\!\cdot\!\mathbf 1)\big]}_{\tilde r_2(z)}
   + O(|z|^3),

averaged over the law of ``z``: ``r_1`` is linear in ``E[z]``; ``r_2`` and ``r̃_2`` are linear
in ``E[zzᵀ]``. Eq. P11 as printed has ``r_0`` and ``r_2``, each per example (without ``c_B``,
reading ``b`` as running over the ``B`` examples of a mini-batch), and neither ``r_1`` nor
``r̃_2``. Since Lemma 3.3 starts ``Z`` at ``w ≠ W*``, ``E[Z_t] = e^{-Ht} w ≠ 0``, and the omitted
``r_1 = O(|z|)`` outweighs the kept ``r_2 = O(|z|^2)`` as ``|z| → 0``; it vanishes only for a
mean-zero law of ``z``. ``r̃_2`` vanishes when every example's loss is quadratic near ``W*``
(the paper's quadratic model of the basin, applied to each example), not on a network.

This module measures all of it on a small tanh network at a strict minimum of
cross-entropy + weight decay (:func:`find_minimum`): the exact covariance of the mini-batch
gradient at ``W* + z`` from per-example gradients (:func:`example_gradients_at`, checked
against :func:`sgnlib.noise.per_example_gradients`; :func:`sgnlib.noise.noise_covariance`), and
the expansions from per-example Hessian-vector products (:func:`per_example_hvp`:
``vmap`` over examples of ``jvp`` of ``grad``; the per-example Hessians are never formed).
:func:`row_sum_expansion` returns the table, :func:`error_rates` the fitted rates,
:func:`rate_verdict` the verdicts, :func:`summary_numbers` the numbers chapter 05 glues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from sgnlib import noise, report, sde, stats, streams
from sgnlib.cache import UnitCache
from sgnlib.escape import _check_int, _check_pos

__all__ = ["VERSION", "LAWS", "FORMULAS", "DERIVED_RATE", "DERIVED_RATES", "Basin", "find_minimum", "example_gradients_at",
           "per_example_hvp", "expansion_terms", "row_sum_expansion", "error_rates", "rate_verdict", "error_curves",
           "summary_numbers"]

#: Part of every cache key: bump it when a change alters a minimum or a measured row sum.
VERSION = "ch05-prop34-2"
MIN_STUDY = "ch05-prop34-minimum"
STUDY = "ch05-prop34"
#: The laws of the displacement ``z`` (see :func:`row_sum_expansion`).
LAWS = ("point", "antithetic", "small-jump")
#: The rate at which the relative error of a predicted change falls for an expansion complete to second order:
#: an error ``O(|z|³)`` over a change ``O(|z|)`` (or ``O(|z|⁴)`` over ``O(|z|²)`` for a mean-zero law).
DERIVED_RATE = 2.0


# --------------------------------------------------------------------------- the network at its minimum


@dataclass(frozen=True)
class Basin:
    """A one-hidden-layer tanh MLP at a strict minimum ``W*`` of ``U(w) = mean cross-entropy + (λ/2)‖w‖²``.

    ``flat`` is ``W*`` in the column order of :func:`sgnlib.noise.parameter_names`;
    ``hessian`` the full-data Hessian of ``U`` at ``W*``; ``grad_norm`` ``‖∇U(W*)‖``.
    """

    dataset: str
    hidden: int
    weight_decay: float
    flat: np.ndarray
    hessian: np.ndarray
    loss: float
    grad_norm: float
    accuracy: float
    X: torch.Tensor = field(repr=False)
    y: torch.Tensor = field(repr=False)
    settings: dict = field(default_factory=dict)

    @property
    def n_params(self) -> int:
        return int(self.flat.size)

    @property
    def n_examples(self) -> int:
        return int(self.X.shape[0])

    @property
    def eigenvalues(self) -> np.ndarray:
        return np.linalg.eigvalsh(self.hessian)

    def module(self, flat: np.ndarray | torch.Tensor | None = None) -> torch.nn.Sequential:
        """The network (float64) with weights ``flat`` (``W*`` when None)."""
        net = _network(self.X.shape[1], self.hidden, int(self.y.max()) + 1)
        w = torch.as_tensor(self.flat if flat is None else flat, dtype=torch.float64)
        torch.nn.utils.vector_to_parameters(w, net.parameters())
        return net


def _network(d: int, hidden: int, classes: int, seed: int = 0) -> torch.nn.Sequential:
    from sgnlib import models

    return models.mlp(d, [hidden], classes, activation="tanh", seed=seed, dtype=torch.float64)


def _objective(net: torch.nn.Sequential, weight_decay: float):
    """``f(w, X, y)``: mean cross-entropy of the one-hidden-layer tanh ``net`` with flat weights ``w`` + ``(λ/2)‖w‖²``.

    The forward pass is written out on slices of ``w`` (in ``net.named_parameters()`` order),
    which ``torch.func`` transforms several times faster than ``functional_call`` of the module;
    ``tests/test_studies_noise_covariance.py`` checks it against the module.
    """
    (h, d), c = net[0].weight.shape, net[2].weight.shape[0]
    cuts = np.cumsum([0, h * d, h, c * h, c])

    def f(w, X, y):
        W1, b1, W2, b2 = (w[cuts[i]:cuts[i + 1]] for i in range(4))
        out = torch.tanh(X @ W1.reshape(h, d).T + b1) @ W2.reshape(c, h).T + b2
        return torch.nn.functional.cross_entropy(out, y) + 0.5 * weight_decay * (w * w).sum()

    return f


def find_minimum(dataset: str = "ionosphere", *, hidden: int = 6, weight_decay: float = 1e-2, seed: int = 0,
                 grad_tol: float = 1e-10, cache: bool = True) -> Basin:
    """Train the tanh MLP ``d → hidden → classes`` to a strict minimum of cross-entropy + ``(λ/2)‖w‖²``.

    Full-data L-BFGS from initial weights on the stream of (``seed``, study, settings), then
    Newton steps with the exact Hessian (float64) until ``‖∇U(W*)‖ ≤ grad_tol``. The minimum is
    documented by that gradient norm and by the Hessian's smallest eigenvalue, which must be
    positive (a strict minimum; raises otherwise). The penalty covers every parameter, so the
    objective has a minimiser even on separable data; it adds ``λw`` to every example's
    gradient and ``λI`` to every example's Hessian alike, which leaves every covariance
    unchanged. Cached in ``UnitCache("ch05-prop34-minimum")``.
    """
    from torch.func import grad, hessian

    from sgnlib.escape import load_data

    hidden = _check_int(hidden, "hidden")
    weight_decay = _check_pos(weight_decay, "weight_decay")
    grad_tol = _check_pos(grad_tol, "grad_tol")
    X, y = load_data(dataset, "float64")
    classes = int(y.max()) + 1
    settings = dict(dataset=dataset, hidden=hidden, weight_decay=weight_decay, grad_tol=grad_tol)

    def compute() -> dict:
        net = _network(X.shape[1], hidden, classes, seed=streams.int_seed(seed, MIN_STUDY + "-init", **settings) % 2**31)
        f = _objective(net, weight_decay)
        w = torch.nn.utils.parameters_to_vector(net.parameters()).detach().clone().requires_grad_(True)
        opt = torch.optim.LBFGS([w], lr=1.0, max_iter=3000, tolerance_grad=1e-6, tolerance_change=1e-15,
                                history_size=50, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = f(w, X, y)
            loss.backward()
            return loss

        opt.step(closure)
        w = w.detach()
        for _ in range(50):
            g = grad(f)(w, X, y)
            if float(g.norm()) <= grad_tol:
                break
            w = w - torch.linalg.solve(hessian(f)(w, X, y), g)
        H = hessian(f)(w, X, y)
        return {"flat": w.numpy(), "hessian": H.numpy(), "loss": np.asarray(float(f(w, X, y))),
                "grad_norm": np.asarray(float(g.norm()))}

    key = {"version": VERSION, "seed": int(seed), **settings}
    unit = UnitCache(MIN_STUDY).get_or_compute(key, compute) if cache else compute()
    H = np.asarray(unit["hessian"])
    H = 0.5 * (H + H.T)
    gnorm = float(unit["grad_norm"])
    if not gnorm <= grad_tol:
        raise RuntimeError(f"no minimum: ‖∇U‖ = {gnorm:.3g} > grad_tol = {grad_tol:g} after L-BFGS and 50 Newton steps")
    lam_min = float(np.linalg.eigvalsh(H)[0])
    if not lam_min > 0:
        raise RuntimeError(f"the stationary point is not a strict minimum: smallest Hessian eigenvalue {lam_min:.3g}")
    basin = Basin(dataset, hidden, weight_decay, np.asarray(unit["flat"]), H, float(unit["loss"]), gnorm, 0.0, X, y,
                  {"seed": int(seed), **settings})
    with torch.no_grad():
        acc = float((basin.module()(X).argmax(-1) == y).double().mean())
    return Basin(dataset, hidden, weight_decay, basin.flat, H, basin.loss, gnorm, acc, X, y, basin.settings)


# --------------------------------------------------------------------------- per-example quantities


def _per_example(basin: Basin):
    """``(f, w*)``: example ``j``'s objective ``f(w, x_j, y_j)`` (cross-entropy + ``(λ/2)‖w‖²``) and ``W*``."""
    f = _objective(basin.module(), basin.weight_decay)
    return (lambda w, x, t: f(w, x[None], t[None])), torch.as_tensor(basin.flat, dtype=torch.float64)


def _as_rows(vectors, basin: Basin, name: str) -> torch.Tensor:
    V = torch.as_tensor(np.asarray(vectors, dtype=float))
    if V.ndim != 2 or V.shape[1] != basin.n_params or V.shape[0] == 0:
        raise ValueError(f"{name} must have shape [K, {basin.n_params}] with K >= 1; got {tuple(V.shape)}")
    return V


def example_gradients_at(basin: Basin, points, chunk: int = 16) -> torch.Tensor:
    """Per-example gradients ``g_j(w)`` at each row ``w`` of ``points [K, P]``: a ``[K, D, P]`` tensor.

    The objective of every example includes ``(λ/2)‖w‖²``, so ``mean_j g_j(W*) = ∇U(W*) = 0``.
    The same numbers as :func:`sgnlib.noise.per_example_gradients` (plus ``λw``) at one point,
    vectorised over the ``K`` points too (``vmap`` of ``vmap`` of ``grad``, ``chunk`` points at a time).
    """
    from torch.func import grad, vmap

    W = _as_rows(points, basin, "points")
    f, _ = _per_example(basin)
    per_point = vmap(grad(f), in_dims=(None, 0, 0))
    return torch.cat([vmap(per_point, in_dims=(0, None, None))(W[i:i + chunk], basin.X, basin.y)
                      for i in range(0, W.shape[0], chunk)])


def per_example_hvp(basin: Basin, vectors, *, order: int = 1, chunk: int = 16) -> torch.Tensor:
    """Directional derivatives at ``W*`` of every example's gradient along each row ``v`` of ``vectors [K, P]``.

    ``order=1``: ``H_j v`` (example ``j``'s Hessian times ``v``); ``order=2``: ``∇³U^{(j)}[v, v]``
    (the second directional derivative of ``g_j`` along ``v``). A ``[K, D, P]`` tensor from one
    ``vmap`` over examples (and ``chunk`` vectors at a time) of forward-over-reverse ``jvp``
    of ``grad``; the per-example Hessians are never formed.
    """
    from torch.func import grad, jvp, vmap

    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2; got {order!r}")
    V = _as_rows(vectors, basin, "vectors")
    f, w = _per_example(basin)

    def hv(u, v, x, t):
        return jvp(lambda q: grad(f)(q, x, t), (u,), (v,))[1]

    def one(v, x, t):
        return hv(w, v, x, t) if order == 1 else jvp(lambda u: hv(u, v, x, t), (w,), (v,))[1]

    per_vector = vmap(one, in_dims=(None, 0, 0))
    return torch.cat([vmap(per_vector, in_dims=(0, None, None))(V[i:i + chunk], basin.X, basin.y)
                      for i in range(0, V.shape[0], chunk)])


def _c_batch(D: int, B: int) -> float:
    return (D - B) / (B * (D - 1))


def expansion_terms(basin: Basin, zs, batch_size: int) -> dict[str, np.ndarray]:
    """Row sums ``Λ1`` at ``W* + z`` averaged over the sample ``zs [K, P]``, and the terms of their expansion.

    ``Λ`` is the covariance of the mean gradient of ``batch_size`` examples drawn without
    replacement (eq. P2 with ``(D − B)/(D − 1)``), exact from per-example gradients
    (:func:`sgnlib.noise.noise_covariance`). Returns ``[P]`` arrays: ``truth`` (mean over the
    sample of ``Λ(W*+z)1``), ``r0`` (``Λ(W*)1``), ``r1`` (first-order cross term
    ``Cov(g(W*), (H_d − H)z)``, symmetrised, at the sample mean), ``r2`` (``Cov((H_d − H)z)``
    averaged over the sample: eq. P11's second term), ``r2t`` (the other second-order term,
    ``½ Cov(g(W*), (∇³U_d − ∇³U)[z, z])`` symmetrised, averaged over the sample), ``printed0``
    (eq. P11's first term, ``(1/D) Σ_j g_j (g_j·1)`` uncentred, per example) and ``printed2``
    (its second term with ``h̃`` averaged over all ``D`` examples, per example: ``r2 / c_B``).
    """
    return _expansion_groups(basin, [zs], batch_size)[0]


def _expansion_groups(basin: Basin, samples: Sequence, batch_size: int) -> list[dict[str, np.ndarray]]:
    """:func:`expansion_terms` of several samples of ``z`` in one vectorised pass (one dict per sample)."""
    groups = [_as_rows(zs, basin, "zs").numpy() for zs in samples]
    B = _check_int(batch_size, "batch_size")
    D = basin.n_examples
    c = _c_batch(D, B)
    one = np.ones(basin.n_params)
    zs = np.vstack(groups)
    Gz = example_gradients_at(basin, basin.flat + zs)
    rows = np.stack([(noise.noise_covariance(G, B, replace=False) @ torch.ones(G.shape[1], dtype=G.dtype)).numpy()
                     for G in Gz])
    G0 = example_gradients_at(basin, basin.flat[None])[0].numpy()
    a = G0 - G0.mean(0)
    s = a @ one

    def centred(T):
        T = T.numpy()
        return T - T.mean(1, keepdims=True)

    b_all = centred(per_example_hvp(basin, zs))  # (H_j − H) z_k
    q_all = 0.5 * centred(per_example_hvp(basin, zs, order=2))  # ½ (∇³U^(j) − ∇³U)[z_k, z_k]

    def cross(u):  # c/D Σ_j [a_j (u_j·1) + u_j (a_j·1)], averaged over k
        return c / D * (np.einsum("jl,kj->l", a, u @ one) + np.einsum("kjl,j->l", u, s)) / u.shape[0]

    out, k0 = [], 0
    for g in groups:
        sl = slice(k0, k0 + g.shape[0])
        k0 += g.shape[0]
        b, q = b_all[sl], q_all[sl]
        r2 = c / D * np.einsum("kjl,kj->l", b, b @ one) / g.shape[0]
        out.append({"truth": rows[sl].mean(0), "r0": c / D * a.T @ s, "r1": cross(b), "r2": r2, "r2t": cross(q),
                    "printed0": G0.T @ (G0 @ one) / D, "printed2": r2 / c})
    return out


# --------------------------------------------------------------------------- the study


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _small_jump_sample(basin: Basin, start: np.ndarray, *, n: int, time: float, alpha: float, eps: float, rho: float,
                       gen: torch.Generator) -> np.ndarray:
    """``n`` draws of the small-jump process ``Z_t`` (eq. P8) in ``U ≈ ½zᵀHz`` from ``start``, at ``time``."""
    lam_max = float(basin.eigenvalues[-1])
    dt = min(0.01, 0.5 / lam_max, time)
    r = sde.simulate(sde.quadratic(basin.hessian), start, alpha=alpha, eps=eps, rho=rho, small_jumps_only=True,
                     dt=dt, horizon=time, n_paths=int(n), generator=gen)
    return r.position.double().cpu().numpy()


def row_sum_expansion(basin: Basin, radii: Sequence[float], *, batch_size: int, laws: Sequence[str] = LAWS,
                      n_directions: int = 2, n_samples: int = 16, time: float = 1.0, alpha: float = 1.5,
                      eps: float = 0.05, rho: float = 0.5, seed: int = 0, cache: bool = True) -> pd.DataFrame:
    """Row sums of the mini-batch gradient covariance at ``W* + z`` against eq. P11 and the complete expansion.

    Laws of the displacement ``z`` of size ``r`` (each law and direction on its own stream; the
    unit direction ``v`` of direction ``i`` is shared by the laws, a paired design):

    * ``"point"``: ``z = r v`` (``E[z] = r v``, ``E[zzᵀ] = r² vvᵀ``);
    * ``"antithetic"``: ``z = ±r v`` with probability ½ each (mean zero: the first-order and
      every odd term cancel);
    * ``"small-jump"``: ``z = r Z_t``, ``n_samples`` draws of the small-jump process of
      chapter 05 (eq. P8, ``alpha``, ``eps``, ``rho``, σ = 1) in the quadratic model ``½zᵀHz``
      of the basin, started at ``v`` and observed at ``time`` (the same draws at every ``r``):
      ``E[zzᵀ]`` is Lemma 3.3's moment and ``E[z] ≈ r e^{−Ht} v ≠ 0``.

    Each (law, direction) is one unit of ``UnitCache("ch05-prop34")`` holding every radius,
    computed in one vectorised pass. Three predictions (:func:`expansion_terms`): ``complete`` = ``r0 + r1 + r2 + r2t`` (every term
    to second order in ``z``), ``quadratic`` = ``r0 + r1 + r2`` (every term when each example's
    gradient is expanded to first order, ``g_j + H_j z``: the quadratic model of the basin) and
    ``printed`` = eq. P11 normalised to eq. P2, ``c_B (printed0 + printed2)`` (``r0 + r2`` at an
    exact minimum).

    One row per (law, direction, radius). Columns: ``law, direction, radius, size`` (root mean
    ``|z|²`` of the sample), ``truth_norm`` (``‖mean Λ(W*+z)1‖``), ``change_norm``
    (``‖truth − Λ(W*)1‖``), ``err_<formula>`` (``‖prediction − truth‖ / ‖truth − Λ(W*)1‖``:
    relative error of the predicted change), ``total_<formula>`` (the same error relative to
    ``‖truth‖``), ``share_r1``, ``share_r2``, ``share_r2t`` (``‖term‖ / ‖truth − Λ(W*)1‖``) and
    ``normalisation`` (``‖printed0‖ / ‖r0‖``, eq. P11's first term against the measured
    ``Λ(W*)1``; ``B (D − 1)/(D − B)`` at an exact minimum).
    """
    laws = list(laws) if isinstance(laws, (list, tuple)) else None
    if not laws or any(x not in LAWS for x in laws):
        raise ValueError(f"laws must be a non-empty list from {LAWS}; got {laws!r}")
    r_v = np.asarray(radii, dtype=float).ravel()
    if r_v.size == 0 or not (np.isfinite(r_v).all() and (r_v > 0).all()):
        raise ValueError(f"radii must be positive numbers; got {radii!r}")
    batch_size = _check_int(batch_size, "batch_size")
    if batch_size >= basin.n_examples:
        raise ValueError(f"batch_size must be < {basin.n_examples} (the number of examples); got {batch_size!r}")
    n_directions = _check_int(n_directions, "n_directions")
    n_samples = _check_int(n_samples, "n_samples", 2)
    time = _check_pos(time, "time")
    c = _c_batch(basin.n_examples, batch_size)
    base = {"dataset": basin.dataset, "minimum": basin.settings, "batch_size": batch_size}
    rows = []
    for law in laws:
        for i in range(n_directions):
            v = _unit(streams.rng(seed, STUDY + "-direction", direction=i, dataset=basin.dataset,
                                  minimum=basin.settings).standard_normal(basin.n_params))
            law_settings = dict(law=law, direction=i, **base)
            if law == "small-jump":
                law_settings.update(n_samples=n_samples, time=time, alpha=float(alpha), eps=float(eps), rho=float(rho))
                gen = streams.torch_generator(seed, STUDY, **law_settings)
                unit_law = _small_jump_sample(basin, v, n=n_samples, time=time, alpha=alpha, eps=eps, rho=rho, gen=gen)
            elif law == "antithetic":
                unit_law = np.stack([v, -v])
            else:
                unit_law = v[None]
            key = {"study": STUDY, "version": VERSION, "seed": int(seed), "radii": r_v.tolist(), **law_settings}

            def compute(unit_law=unit_law) -> dict:
                parts = _expansion_groups(basin, [r * unit_law for r in r_v], batch_size)
                return {name: np.stack([p[name] for p in parts]) for name in parts[0]}

            unit = UnitCache(STUDY).get_or_compute(key, compute) if cache else compute()
            for n_r, r in enumerate(r_v):
                t = {name: arr[n_r] for name, arr in unit.items()}
                truth, r0 = t["truth"], t["r0"]
                change = float(np.linalg.norm(truth - r0))
                preds = {"complete": r0 + t["r1"] + t["r2"] + t["r2t"], "quadratic": r0 + t["r1"] + t["r2"],
                         "printed": c * (t["printed0"] + t["printed2"])}
                row = {"law": law, "direction": i, "radius": float(r),
                       "size": float(r * np.sqrt((unit_law ** 2).sum(1).mean())),
                       "truth_norm": float(np.linalg.norm(truth)), "change_norm": change}
                for name, pred in preds.items():
                    row[f"err_{name}"] = float(np.linalg.norm(pred - truth)) / change
                for name, pred in preds.items():
                    row[f"total_{name}"] = float(np.linalg.norm(pred - truth) / np.linalg.norm(truth))
                for term in ("r1", "r2", "r2t"):
                    row[f"share_{term}"] = float(np.linalg.norm(t[term])) / change
                row["normalisation"] = float(np.linalg.norm(t["printed0"]) / np.linalg.norm(r0))
                rows.append(row)
    return pd.DataFrame(rows)


#: The rate at which the relative error of a prediction's change falls as ``|z| → 0``, derived from what it omits:
#: ``(formula, mean-zero law?) → rate``. The change is ``O(|z|)`` for a law with ``E[z] ≠ 0`` and ``O(|z|²)`` for a
#: mean-zero one; ``complete`` omits ``O(|z|³)`` (``O(|z|⁴)`` when the odd terms cancel), ``quadratic`` omits ``r2t``
#: (``O(|z|²)``), ``printed`` omits ``r1`` (``O(|z|)``, zero for a mean-zero law) and ``r2t``.
DERIVED_RATES = {("complete", False): 2.0, ("complete", True): 2.0, ("quadratic", False): 1.0,
                 ("quadratic", True): 0.0, ("printed", False): 0.0, ("printed", True): 0.0}
FORMULAS = ("complete", "quadratic", "printed")


def error_rates(table: pd.DataFrame, *, max_radius: float, level: float = 0.95) -> pd.DataFrame:
    """Log–log slope of the relative error of each prediction's change on the radius, per (law, formula).

    Fitted over the radii ``≤ max_radius`` (the regime of the expansion) to the mean over
    directions of the log error (directions differ in their constant, not in their rate), with
    a Student-t ``level`` interval (:func:`sgnlib.stats.linear_fit`; ``points`` = radii). Columns: ``law, formula, slope, lo, hi, points``,
    ``err_small`` (mean relative error of the change at the smallest radius), ``err_large``
    (at the largest radius of the table, outside the fit when above ``max_radius``),
    ``derived`` (:data:`DERIVED_RATES`: the rate its omitted terms imply), ``second_order``
    (:data:`DERIVED_RATE`, the rate of a prediction complete to second order) and ``regime``
    (the largest radius fitted).
    """
    max_radius = _check_pos(max_radius, "max_radius")
    missing = {"law", "radius", *(f"err_{f}" for f in FORMULAS)} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks the columns {sorted(missing)} of row_sum_expansion")
    rows = []
    for law, g in table.groupby("law", sort=False):
        small = g[g["radius"] <= max_radius]
        if small["radius"].nunique() < 3:
            raise ValueError(f"max_radius={max_radius!r} leaves {small['radius'].nunique()} radii for law {law!r}; need 3")
        at_min = small["radius"] == small["radius"].min()
        at_max = g["radius"] == g["radius"].max()
        for formula in FORMULAS:
            e = small[f"err_{formula}"].to_numpy()
            log_e = pd.Series(np.log(e), index=small.index).groupby(small["radius"]).mean()
            fit = stats.linear_fit(np.log(log_e.index.to_numpy()), log_e.to_numpy(), level)
            rows.append({"law": law, "formula": formula, "slope": fit.slope, "lo": fit.slope_lo, "hi": fit.slope_hi,
                         "points": fit.n, "err_small": float(e[at_min.to_numpy()].mean()),
                         "err_large": float(g.loc[at_max, f"err_{formula}"].mean()),
                         "derived": DERIVED_RATES[(formula, law == "antithetic")], "second_order": DERIVED_RATE,
                         "regime": float(small["radius"].max())})
    return pd.DataFrame(rows)


def rate_verdict(rates: pd.DataFrame, *, formula: str, tol: float = 0.1, marginal_tol: float = 0.2) -> report.Verdict:
    """Does the relative error of ``formula``'s predicted change fall as ``|z|²``, as for an expansion complete to second order?

    :func:`sgnlib.report.ratio_within` on fitted slope / :data:`DERIVED_RATE` for every law of
    ``rates`` (:func:`error_rates`): holds within ``1 ± tol``, marginal within ``1 ± marginal_tol``;
    each law outside is a miss. The computation is deterministic given the sample of ``z``
    (exact covariances), so the tolerance covers the higher-order contamination of the fitted
    slope, not sampling error. A prediction that omits a term of order ``|z|`` or ``|z|²``
    has a slope near 0 or 1 (:data:`DERIVED_RATES`) and fails.
    """
    if formula not in FORMULAS:
        raise ValueError(f"formula must be one of {FORMULAS}; got {formula!r}")
    part = rates[rates["formula"] == formula] if "formula" in getattr(rates, "columns", ()) else None
    if part is None or part.empty:
        raise ValueError(f"rates holds no rows for formula {formula!r}")
    what = {"complete": "the complete second-order expansion", "quadratic": "the quadratic-model expansion",
            "printed": "eq. P11 as printed (normalised to eq. P2)"}[formula]
    return report.ratio_within(part["slope"], part["second_order"], tol=tol, marginal_tol=marginal_tol,
                               labels=[f"{law} law" for law in part["law"]],
                               what=f"(fitted rate of the relative error of {what}'s predicted change) / "
                                    f"{report.fmt(DERIVED_RATE)}")


def error_curves(table: pd.DataFrame) -> pd.DataFrame:
    """Long form of :func:`row_sum_expansion` for a figure: the relative error of each prediction's change.

    One row per (law, formula, radius), the mean over directions. Columns: ``law, formula,
    radius, err``.
    """
    missing = {"law", "radius", *(f"err_{f}" for f in FORMULAS)} - set(getattr(table, "columns", ()))
    if missing:
        raise ValueError(f"table lacks the columns {sorted(missing)} of row_sum_expansion")
    mean = table.groupby(["law", "radius"], sort=False)[[f"err_{f}" for f in FORMULAS]].mean().reset_index()
    long = mean.melt(id_vars=["law", "radius"], var_name="formula", value_name="err")
    long["formula"] = long["formula"].str.removeprefix("err_")
    return long[["law", "formula", "radius", "err"]]


def summary_numbers(basin: Basin, table: pd.DataFrame, rates: pd.DataFrame, *, batch_size: int) -> dict[str, str]:
    """The numbers chapter 05 states about Prop 3.4, formatted (``report.fmt``) for ``report.glue_numbers``.

    Keys: ``dataset, d, P, D, B, gnorm, lam_min, lam_max, acc`` (the minimum); ``rowsum``
    (``‖Λ(W*)1‖ / ‖Λ(W*)‖_F``: the row sums do not vanish at ``W*``; they do at a minimum whose
    hidden units are copies of one unit up to sign, where the gradients of the pairs cancel
    in the sum over parameters); ``norm`` (measured ratio of
    eq. P11's first term to ``Λ(W*)1``) and ``norm_th`` (``B(D − 1)/(D − B)``); ``regime`` (the
    largest radius of the fits) and ``r_max``; ``laws`` (their order below); per formula
    ``slope_<formula>`` (each law's fitted rate with its interval) and ``err_<formula>``
    (relative error of the change at the smallest radius, per law); ``large_complete`` (the
    complete expansion's error at the largest radius, per law); for the mean-zero law at the
    smallest radius ("n/a" without that law) ``anti_err`` (eq. P11's relative error of the
    change), ``anti_r2``, ``anti_r2t`` (``‖r2‖``, ``‖r2t‖`` over the norm of the change).
    """
    batch_size = _check_int(batch_size, "batch_size")
    D = basin.n_examples
    laws = list(dict.fromkeys(rates["law"]))
    G0 = example_gradients_at(basin, basin.flat[None])[0]
    lam = noise.noise_covariance(G0, batch_size, replace=False).numpy()
    out = {"dataset": basin.dataset, "d": str(int(basin.X.shape[1])), "P": str(basin.n_params), "D": str(D),
           "B": str(batch_size), "gnorm": report.below_power(basin.grad_norm),
           "rowsum": report.fmt(np.linalg.norm(lam.sum(1)) / np.linalg.norm(lam)),
           "lam_min": report.sig3(basin.eigenvalues[0]), "lam_max": report.fmt(basin.eigenvalues[-1]),
           "acc": report.fmt(basin.accuracy, 3), "norm": report.fmt(table["normalisation"].mean()),
           "norm_th": report.fmt(batch_size * (D - 1) / (D - batch_size)),
           "regime": f"{float(rates['regime'].max()):g}",
           "r_max": f"{float(table['radius'].max()):g}", "laws": ", ".join(laws)}
    for f in FORMULAS:
        part = rates[rates["formula"] == f].set_index("law").loc[laws]
        out[f"slope_{f}"] = "; ".join(f"{_fmt0(r.slope)} [{_fmt0(r.lo)}, {_fmt0(r.hi)}]" for r in part.itertuples())
        out[f"err_{f}"] = ", ".join(report.sig3(x) for x in part["err_small"])
        if f == "complete":
            out["large_complete"] = report.fmt_list(part["err_large"])
    anti = table[table["law"] == "antithetic"]
    small = anti[anti["radius"] == anti["radius"].min()] if len(anti) else anti
    out["anti_err"] = report.fmt(small["err_printed"].mean()) if len(small) else "n/a"
    out["anti_r2"] = report.fmt(small["share_r2"].mean()) if len(small) else "n/a"
    out["anti_r2t"] = report.fmt(small["share_r2t"].mean()) if len(small) else "n/a"
    return out



def _fmt0(x: float) -> str:
    """``report.fmt`` with two decimals, never "−0.00"."""
    return report.fmt(round(float(x), 2) + 0.0)
