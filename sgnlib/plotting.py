"""One figure style for the whole book, and small plotting helpers.

Plotting stays apart from the algorithms (as in filterpy and its book):
nothing here computes a result, it only draws what ``sgnlib`` computed.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "STYLE",
    "PALETTE",
    "use_style",
    "figure",
    "alpha_color",
    "band",
    "sim_vs_theory",
    "survival_curves",
    "hist_with_fits",
    "alpha_per_parameter",
    "panels_vs_theory",
    "path_with_marks",
    "spectrum_and_correlation",
    "decay_branch_panels",
]

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
    # Sizes for figures shown near their natural width (SVG: 1 pt = 4/3 CSS px); a 10-inch
    # three-panel figure is shrunk to the ~770 px column, and its 10 pt ticks still read at ~10 px.
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
    "mathtext.fontset": "cm",
    # SVG output: glyphs as paths (no font needed in the reader's browser; the text stays in
    # comments), and ids from a fixed salt so that re-running a chapter gives the same file.
    "svg.fonttype": "path",
    "svg.hashsalt": "sgn-book",
}


def use_style() -> None:
    """Apply the book's matplotlib style (idempotent); in a Jupyter kernel, inline figures become SVG
    (sharp at any zoom and width), without a creation date, so an unchanged figure gives an unchanged notebook."""
    mpl.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the book, not of sgnlib
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return  # plain Python or a terminal IPython: no inline backend to configure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg", metadata={"Date": None})


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


def _axes(ax):
    if ax is None:
        _, ax = figure()
    return ax


def _finish(ax, xlabel, ylabel, title, logx, logy, legend=True):
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend()
    return ax


def sim_vs_theory(x, y, lo=None, hi=None, *, theory=None, ax=None, label="simulation", theory_label="theory",
                  color=None, xlabel=None, ylabel=None, title=None, logx=False, logy=False, marker="o"):
    """Simulated points with their intervals against a theory curve.

    ``x, y`` the simulated estimates, ``lo, hi`` their interval (optional);
    ``theory`` a tuple ``(x_grid, y_grid)`` drawn as a line, or a list of such
    tuples with ``theory_label`` a list of labels. Returns the Axes.
    """
    ax = _axes(ax)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if lo is not None and hi is not None:
        err = np.vstack([y - np.asarray(lo, dtype=float), np.asarray(hi, dtype=float) - y])
        ax.errorbar(x, y, yerr=np.clip(err, 0, None), fmt=marker, ms=4, capsize=2, color=color, label=label, zorder=3)
    else:
        ax.plot(x, y, marker, ms=4, color=color, label=label, zorder=3)
    if theory is not None:
        curves = [theory] if isinstance(theory, tuple) else list(theory)
        names = theory_label if isinstance(theory_label, (list, tuple)) else [theory_label] * len(curves)
        styles = ["-", "--", ":", "-."]
        for i, ((tx, ty), name) in enumerate(zip(curves, names)):
            ax.plot(tx, ty, styles[i % len(styles)], color=color if len(curves) == 1 else None, label=name, zorder=2)
    return _finish(ax, xlabel, ylabel, title, logx, logy)


def survival_curves(curves, *, theory=None, ax=None, xlabel="time u", ylabel=r"$P(\sigma > u)$", title=None,
                    logx=False, logy=True):
    """Survival curves ``P(σ > u)`` of exit times, one per label, with optional theory curves.

    ``curves`` maps a label to ``times`` or to ``(times, observed)`` (``observed``
    False where a path was censored at the horizon: Kaplan–Meier then); ``theory``
    maps the same labels to ``(u, S)`` drawn dashed in the same colour.
    """
    from sgnlib import stats

    ax = _axes(ax)
    for i, (name, data) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        times, observed = (data if isinstance(data, tuple) else (data, None))
        t, s = stats.kaplan_meier(times, observed)
        keep = s > 0
        ax.step(t[keep], s[keep], where="post", color=color, label=str(name))
        if theory is not None and name in theory:
            u, su = theory[name]
            ax.plot(u, su, "--", color=color, lw=1.2)
    return _finish(ax, xlabel, ylabel, title, logx, logy)


def hist_with_fits(x, *, stable=None, gaussian=None, bins=60, ax=None, logy=False, xlabel="gradient noise",
                   title=None, quantile=0.005):
    """Histogram of one parameter's noise with the fitted SαS and Gaussian densities.

    ``stable = (alpha, scale, loc)`` and ``gaussian = (mean, std)``. The histogram
    is normalised over ALL samples (``density`` over the drawn range would
    overshoot when mass lies outside it): bins span the ``quantile`` to
    ``1 − quantile`` range and heights are counts / (n · bin width).
    """
    from sgnlib import stable as _stable

    ax = _axes(ax)
    x = np.asarray(x, dtype=float).ravel()
    lo, hi = np.quantile(x, [quantile, 1 - quantile])
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    width = np.diff(edges)
    ax.bar(edges[:-1], counts / (x.size * width), width=width, align="edge", color=PALETTE[5], alpha=0.55,
           label="measured")
    grid = np.linspace(lo, hi, 400)
    if stable is not None:
        a, s, m = stable
        ax.plot(grid, _stable.pdf(grid - m, a, s), color=PALETTE[1], label=rf"S$\alpha$S, $\alpha$ = {a:.2f}")
    if gaussian is not None:
        mu, sd = gaussian
        ax.plot(grid, np.exp(-0.5 * ((grid - mu) / sd) ** 2) / (sd * np.sqrt(2 * np.pi)), "--", color=PALETTE[0],
                label="Gaussian")
    return _finish(ax, xlabel, "density", title, False, logy)


def alpha_per_parameter(alpha, groups=None, *, ax=None, ref=2.0, ylabel=r"fitted $\alpha$", title=None,
                        xlabel=None):
    """Fitted α of many parameters as points, one column per group (network, layer...), with a line at ``ref``.

    Points are spread horizontally by their rank inside the group (no random
    jitter), so the figure is the same on every run.
    """
    ax = _axes(ax)
    a = np.asarray(alpha, dtype=float).ravel()
    g = np.asarray(["all"] * a.size if groups is None else groups, dtype=object).ravel()
    if g.size != a.size:
        raise ValueError(f"groups has {g.size} entries for {a.size} values of alpha")
    names = list(dict.fromkeys(g.tolist()))
    for i, name in enumerate(names):
        v = a[g == name]
        v = v[np.isfinite(v)]
        off = (np.argsort(np.argsort(v)) / max(v.size - 1, 1) - 0.5) * 0.6 if v.size > 1 else np.zeros(v.size)
        ax.scatter(i + off, v, s=10, color=alpha_color(v), edgecolor="none")
        if v.size:
            ax.hlines(np.median(v), i - 0.35, i + 0.35, color="k", lw=1.2)
    if ref is not None:
        ax.axhline(ref, color="0.4", ls="--", lw=1, label=rf"$\alpha$ = {ref:g} (Gaussian)")
    ax.set_xticks(range(len(names)), [str(n) for n in names], rotation=30 if len(names) > 4 else 0)
    return _finish(ax, xlabel, ylabel, title, False, False)


def _series_label(label, key):
    if key is None:
        return label
    if isinstance(label, dict):
        return label.get(key, str(key))
    return label.format(key)


def _table_panel(ax, data, x, y, lo=None, hi=None, *, by=None, label="simulation", step=False, lines=None,
                 theory=None, theory_y="theory", theory_label="{} (theory)", hline=None, xlabel=None, ylabel=None,
                 title=None, logx=False, logy=False, ylim=None):
    groups = [(None, data)] if by is None else list(data.groupby(by, sort=True))
    colors, labelled = {}, set()
    for i, (key, g) in enumerate(groups):
        color = colors[key] = PALETTE[i % len(PALETTE)]
        g = g.sort_values(x)
        name = _series_label(label, key)
        if step:
            ax.step(g[x], g[y], where="post", color=color, label=name)
        else:
            sim_vs_theory(g[x], g[y], None if lo is None else g[lo], None if hi is None else g[hi], ax=ax,
                          label=name, color=color)
        for col, (style, lab) in (lines or {}).items():
            ok = g[col].notna().to_numpy()
            if ok.any():
                first = lab is not None and lab not in labelled
                labelled.add(lab)
                ax.plot(g[x][ok], g[col][ok], style, color=color, lw=1.2, label=lab if first else None)
    if theory is not None:
        tgroups = [(None, theory)] if by is None else list(theory.groupby(by, sort=True))
        grey = 0
        for key, g in tgroups:
            g = g.sort_values(x)
            if key in colors:
                ax.plot(g[x], g[theory_y], "-", color=colors[key], lw=1.2)
            else:
                ax.plot(g[x], g[theory_y], ["-", "--", ":", "-."][grey % 4], color="0.4", lw=0.8,
                        label=_series_label(theory_label, key))
                grey += 1
    if hline is not None:
        ax.axhline(hline, color="0.6", lw=0.8)
    if ylim is not None:
        ax.set_ylim(*ylim)
    return _finish(ax, xlabel, ylabel, title, logx, logy)


def panels_vs_theory(panels, *, width=None, height=None):
    """One figure of side-by-side panels, each simulated points read from a table by column names against theory.

    ``panels`` is a list of dicts, one per panel, with the keys ``data`` (a
    pandas DataFrame), ``x``, ``y`` (column names) and optionally ``lo``, ``hi``
    (the interval's columns); ``by`` (a column: one series per value, in
    PALETTE order, labelled ``label.format(value)`` or ``label[value]`` for a
    dict); ``step`` (draw ``y`` as a step curve, e.g. a survival function);
    ``lines`` (``{column: (style, legend label or None)}``: lines through the
    rows of ``data`` in the series' colour, NaN skipped); ``theory`` (a table
    of dense curves with the columns ``x``, ``theory_y`` and ``by``: solid in
    the series' colour, or grey and labelled ``theory_label`` for values of
    ``by`` without simulation); ``hline`` (a thin grey line at that y);
    ``xlabel``, ``ylabel``, ``title``, ``logx``, ``logy``, ``ylim``.
    Returns ``(fig, axes)``.
    """
    panels = list(panels)
    if not panels or not all(isinstance(p, dict) and {"data", "x", "y"} <= set(p) for p in panels):
        raise ValueError("panels must be a non-empty list of dicts with at least the keys data, x, y")
    fig, axs = figure(ncols=len(panels), width=width, height=height)
    axs = np.atleast_1d(axs).ravel()
    for ax, p in zip(axs, panels):
        _table_panel(ax, **p)
    return fig, axs


def path_with_marks(x, y, marked, *, ax=None, label="path", mark_label="marked", xlabel=None, ylabel=None,
                    title=None):
    """A sample path ``y(x)`` as a thin line with the points where ``marked`` is True drawn as dots.

    For a simulated path with its events (the large jumps of a Lévy-driven SDE, say).
    """
    ax = _axes(ax)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    m = np.asarray(marked, dtype=bool)
    if not x.shape == y.shape == m.shape:
        raise ValueError(f"x, y and marked must have one shape; got {x.shape}, {y.shape}, {m.shape}")
    ax.plot(x, y, lw=0.8, color=PALETTE[0], label=label)
    ax.plot(x[m], y[m], "o", ms=4, color=PALETTE[1], label=mark_label)
    return _finish(ax, xlabel, ylabel, title, False, False)


def spectrum_and_correlation(eigenvalues, corr, *, title_left="spectrum", title_right="noise correlation",
                             ylabel=r"eigenvalue of $\lambda(w)$"):
    """Two panels for a covariance matrix: its eigenvalues by rank on a log scale, and a block of
    its correlation matrix as a heat map (−1 blue to 1 red). Returns ``(fig, axes)``."""
    ev = np.asarray(eigenvalues, dtype=float).ravel()
    c = np.asarray(corr, dtype=float)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise ValueError(f"corr must be a square matrix; got shape {c.shape}")
    fig, (ax0, ax1) = figure(ncols=2)
    pos = ev > 0
    ax0.semilogy(np.arange(1, ev.size + 1)[pos], ev[pos])
    _finish(ax0, "rank", ylabel, title_left, False, False)
    im = ax1.imshow(c, vmin=-1, vmax=1, cmap="RdBu_r")
    ax1.grid(False)
    _finish(ax1, "parameter", "parameter", title_right, False, False)
    fig.colorbar(im, ax=ax1, shrink=0.8)
    return fig, (ax0, ax1)


def decay_branch_panels(samples, curves, *, scatter=None, mark=None, bins=50, quantile=0.005,
                        xlabel="gradient noise", curve_xlabel="SGD iteration", curve_ylabel="training loss",
                        scatter_xlabel="amplitude before", scatter_ylabel="amplitude after"):
    """Figure 2 of Battash et al.: one parameter's noise at several points, the runs' loss, many parameters' amplitude.

    Top row: a histogram per entry of ``samples`` (``{label: 1-D noise}``), all on one x range (the
    ``quantile`` to ``1 − quantile`` range of the pooled samples) and one y scale, heights counts /
    (n · bin width). Bottom left: ``curves`` (``{label: (x, y)}``, e.g. per-iteration loss) with a
    dotted vertical line at ``mark`` (the decay). Bottom right, with ``scatter``
    (``{label: (before, after)}``): each parameter's amplitude after against before on log–log
    axes, with the line ``after = before``. Returns ``(fig, axes dict)``.
    """
    if not isinstance(samples, dict) or not samples or not isinstance(curves, dict) or not curves:
        raise ValueError("samples and curves must be non-empty dicts of label -> data")
    use_style()
    top = [f"h{i}" for i in range(len(samples))]
    half = max(1, len(top) // 2) if scatter is not None else len(top)
    bottom = ["curves"] * half + (["scatter"] * (len(top) - half) if scatter is not None else [])
    fig, axs = plt.subplot_mosaic([top, bottom], figsize=(min(3.3 * len(top) + 0.4, 10.0), 6.4))
    pooled = np.concatenate([np.asarray(v, dtype=float).ravel() for v in samples.values()])
    lo, hi = np.quantile(pooled, [quantile, 1 - quantile])
    ymax = 0.0
    for i, (label, x) in enumerate(samples.items()):
        x = np.asarray(x, dtype=float).ravel()
        counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
        h = counts / (x.size * np.diff(edges))
        ymax = max(ymax, float(h.max()))
        axs[top[i]].bar(edges[:-1], h, width=np.diff(edges), align="edge", color=PALETTE[i % len(PALETTE)], alpha=0.7)
        _finish(axs[top[i]], xlabel, "density" if i == 0 else None, str(label), False, False)
    for name in top:
        axs[name].set_ylim(0, 1.05 * ymax)
    ax = axs["curves"]
    for i, (label, (x, y)) in enumerate(curves.items()):
        ax.plot(np.asarray(x), np.asarray(y), lw=0.8, color=PALETTE[(i + 1) % len(PALETTE)], label=str(label),
                zorder=2 + len(curves) - i)  # the first curve on top: where runs coincide, it is the one seen
    if mark is not None:
        ax.axvline(mark, color="0.4", ls=":", lw=1.0)
    _finish(ax, curve_xlabel, curve_ylabel, None, False, False)
    if scatter is not None:
        ax = axs["scatter"]
        ends = []
        for i, (label, (b, a)) in enumerate(scatter.items()):
            b, a = np.asarray(b, dtype=float), np.asarray(a, dtype=float)
            ok = (b > 0) & (a > 0)
            ax.plot(b[ok], a[ok], "o", ms=3, alpha=0.7, color=PALETTE[(i + 1) % len(PALETTE)], label=str(label))
            ends.extend([b[ok].min(), b[ok].max(), a[ok].min(), a[ok].max()])
        ax.plot([min(ends), max(ends)], [min(ends), max(ends)], "-", color="0.5", lw=0.8, label="no change")
        _finish(ax, scatter_xlabel, scatter_ylabel, None, True, True)
    return fig, axs
