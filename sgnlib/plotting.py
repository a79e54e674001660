"""One figure style for the whole book, and small plotting helpers.

Plotting stays apart from the algorithms (as in filterpy and its book):
nothing here computes a result, it only draws what ``sgnlib`` computed.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["STYLE", "PALETTE", "use_style", "figure", "alpha_color", "band"]

#: Colour-blind safe palette (Okabe–Ito), used in this order by every figure.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "figure.constrained_layout.use": True,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
    "mathtext.fontset": "cm",
}


def use_style() -> None:
    """Apply the book's matplotlib style (idempotent)."""
    mpl.rcParams.update(STYLE)


def figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None, **kw):
    """``plt.subplots`` in the book's style, sized by the number of panels."""
    use_style()
    w = width if width is not None else min(3.3 * ncols + 0.4, 10.0) if ncols > 1 else STYLE["figure.figsize"][0]
    h = height if height is not None else 3.0 * nrows + 0.4 if nrows > 1 else STYLE["figure.figsize"][1]
    return plt.subplots(nrows, ncols, figsize=(w, h), squeeze=True, **kw)


def alpha_color(alpha, lo: float = 0.5, hi: float = 2.0):
    """A colour for a tail index α: heavy tails dark, Gaussian (α = 2) light."""
    a = (np.clip(np.asarray(alpha, dtype=float), lo, hi) - lo) / (hi - lo)
    return mpl.colormaps["viridis"](a)


def band(ax, x, lo, hi, color=None, alpha: float = 0.2, **kw):
    """Shade a confidence band between ``lo`` and ``hi``."""
    return ax.fill_between(x, lo, hi, color=color, alpha=alpha, linewidth=0, **kw)
