"""sgnlib: the companion package of *sgn-book*.

Stochastic gradient noise (SGN) of SGD: symmetric α-stable (SαS) laws and
tail-index estimation (:mod:`sgnlib.stable`), per-parameter noise measured
on torch models (:mod:`sgnlib.noise`), the Lévy-driven SDE of SGD and the
formulas of Battash, Wolf & Lindenbaum (:mod:`sgnlib.sde`,
:mod:`sgnlib.theory`), plotting style (:mod:`sgnlib.plotting`) and the
chapter runner (:mod:`sgnlib.runner`).
"""

__version__ = "0.1.0"

from sgnlib._checks import resolve_device  # noqa: E402

__all__ = ["__version__", "resolve_device"]
