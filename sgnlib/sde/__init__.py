"""The Lévy-driven SDE of SGD (eq. 3 of Battash, Wolf & Lindenbaum) and its Euler scheme.

The model (eq. 3 of :cite:`battash2023revisiting`), one coordinate ``l`` per parameter::

    dW_t = -∇U(W_t) dt + Σ_l s_t^((α_l-1)/α_l) ε_l σ_l dL^l_t e_l ,   ε_l = η^((α_l-1)/α_l),

where ``L^l`` are independent standard symmetric α_l-stable Lévy processes
(``L^l_1`` has characteristic function ``exp(-|u|^α_l)``, the convention of
:mod:`sgnlib.stable`; at α = 2 this is ``√2 B`` with ``B`` a Brownian motion,
variance ``2t``), ``σ_l`` is the paper's noise scale ``1ᵀλ_l``, ``s_t`` the
learning-rate schedule and ``η`` the learning rate.

The Euler scheme (Protter & Talay :cite:`protter1997euler`) with step ``dt``::

    W_{k+1} = W_k - ∇U(W_k) dt + s_{t_k}^((α-1)/α) ε σ dt^(1/α) X_k ,   X_k ~ SαS(1) i.i.d.

With ``dt = η`` and ``ε = η^((α-1)/α)`` one Euler step *is* one SGD step with
SαS gradient noise of scale σ: ``ε dt^(1/α) = η``.

Everything is one tensor program: ``n_paths × N`` states advance together,
noise is drawn in chunks of steps for the paths still inside the domain only
(exited paths cost nothing), memory does not grow with the number of steps
unless trajectories or the large-jump list are requested. On a quadratic with
diagonal Hessian the Euler recursion is linear and is solved a chunk at a
time; on the CPU torch runs single-threaded inside :func:`simulate` (its
operations are small) and the CMS variates come from a numpy stream seeded
from the torch generator (same seed, same numbers).

Exit bookkeeping: the first step at which a path is outside the domain ``G``
(a :class:`Box` or a :class:`Ball`) is its exit step; the path is frozen there
(its position is the exit position). Paths still inside at the horizon are
*censored*: ``exit_time`` is the horizon, ``exited`` is False, ``exit_axis``
is -1 and ``exit_side`` 0. Nothing is dropped.

Overflow: stable increments are drawn with :func:`sgnlib.stable.cms_transform`;
NaN (0·∞ at the edge of the CMS map) becomes 0 and ±∞ or anything larger than
``sqrt(finfo(dtype).max)`` is clamped to ± that value (and the scaled increment
to ``± finfo(dtype).max / 4``). Such an increment
always throws the path out of any bounded domain, so exit times, axes and
sides are unaffected (exit positions are then huge but finite). A state that
becomes non-finite while still inside (e.g. no domain and a quartic potential
after a huge jump, or a potential whose gradient is NaN) raises ``ValueError``,
and so does a live state far from the minimum whose Euler drift step overshoots
it (an unstable step).

Guards, checked before anything is drawn: every argument (a ``ValueError``
naming it), ``dt <= horizon``, at most ``max_steps`` (10⁹) Euler steps, the
dimensions of ``w0``, the potential, the domain and every per-coordinate
argument agree, ``dt · curvature < 2`` for a potential of known curvature, and a
saved trajectory fits in 4 GiB.

The package: :mod:`~sgnlib.sde.potentials` (``U``), :mod:`~sgnlib.sde.domains`
(``G``), :mod:`~sgnlib.sde.schedules` (``s_t``), :mod:`~sgnlib.sde.simulator`
(the Euler scheme) and :mod:`~sgnlib.sde.result` (what it returns and the
statistics read off it).
"""

from __future__ import annotations

from sgnlib.sde.domains import Ball, Box
from sgnlib.sde.potentials import Potential, ackley, double_well, quadratic
from sgnlib.sde.result import SDEResult, empirical_mean_exit_time, jump_gaps
from sgnlib.sde.schedules import Schedule, constant_schedule, exponential_schedule, multistep_schedule
from sgnlib.sde.simulator import DEFAULT_MAX_STEPS, simulate
from sgnlib.theory import noise_epsilon

__all__ = [
    "Potential",
    "quadratic",
    "double_well",
    "ackley",
    "Box",
    "Ball",
    "Schedule",
    "constant_schedule",
    "exponential_schedule",
    "multistep_schedule",
    "SDEResult",
    "simulate",
    "DEFAULT_MAX_STEPS",
    "empirical_mean_exit_time",
    "jump_gaps",
    "noise_epsilon",
]
