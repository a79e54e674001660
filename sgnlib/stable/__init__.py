r"""Symmetric α-stable (SαS) laws: sampling, density, distribution function,
tail-index estimation and the paper's fit errors.

Parameterisation
----------------
Throughout, ``SαS(α, σ)`` is the law with characteristic function

.. math::  \varphi(t) = \mathbb E\, e^{itX} = \exp(-|\sigma t|^\alpha), \qquad 0 < \alpha \le 2,

(Samorodnitsky & Taqqu 1994, Def. 1.1.6 with β = 0, μ = 0), the same scale as
``scipy.stats.levy_stable(alpha, 0, scale=σ)``. The case α = 2 is the normal law
N(0, 2σ²); α = 1 is the Cauchy law with scale σ.

Modules (one idea each; everything public is re-exported here)
---------------------------------------------------------------
* :mod:`~sgnlib.stable.law` — :func:`cms_transform`, :func:`sample`: Chambers–Mallows–Stuck
  draws, numpy or torch (Chambers, Mallows & Stuck 1976).
* :mod:`~sgnlib.stable.density` — :func:`pdf`, :func:`logpdf`, :func:`cdf`,
  :func:`ppf_standard`: vectorised over (α, σ, x) by Gauss–Legendre quadrature of the
  Fourier inversion integral along a rotated ray in the complex plane, and the tail series
  in log space far out; agrees with ``scipy.stats.levy_stable`` (``piecewise``) to better
  than 1e-9 on the standard density.
* :mod:`~sgnlib.stable.estimators` — the α estimators, each registered by name in
  :data:`REGISTRY`: ``"ecf"`` (empirical characteristic-function regression,
  Koutrouvelis 1980 / Kogon & Williams 1998; the default), ``"mcculloch"`` (McCulloch 1986),
  ``"log"`` (Mohammadi, Mohammadpour & Ogata 2015, as used by Şimşekli et al. 2019) and
  ``"ml"`` (maximum likelihood refinement).
* :mod:`~sgnlib.stable.fitting` — :func:`fit`: α and σ for every column of an
  ``[n_samples, n_params]`` array in one array program, by any registered estimator.
* :mod:`~sgnlib.stable.errors` — :func:`fit_gaussian`, :func:`fit_errors`,
  :func:`fit_error_table`: the SSE and χ² fit errors of Tables 1–3 of Battash et al.

The accuracy study of the estimators lives with the other experiments, in
:mod:`sgnlib.studies.estimators`.
"""

from __future__ import annotations

from sgnlib.stable.density import cdf, logpdf, pdf, ppf_standard
from sgnlib.stable.errors import (
    FitErrors,
    GaussianFit,
    fit_error_table,
    fit_errors,
    fit_gaussian,
    format_fit_error_table,
)
from sgnlib.stable.estimators import REGISTRY, register
from sgnlib.stable.fitting import StableFit, fit
from sgnlib.stable.law import cms_transform, sample

__all__ = [
    "cms_transform",
    "sample",
    "pdf",
    "logpdf",
    "cdf",
    "ppf_standard",
    "StableFit",
    "GaussianFit",
    "FitErrors",
    "fit",
    "fit_gaussian",
    "fit_errors",
    "fit_error_table",
    "format_fit_error_table",
    "REGISTRY",
    "register",
    "METHODS",
]

#: The estimators registered when the package was imported (``fit(method=...)`` accepts any
#: name in :data:`REGISTRY`, including ones registered later).
METHODS = tuple(REGISTRY)
