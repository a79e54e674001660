"""Numbers and verdicts for the prose of the chapters (glued with myst-nb).

A chapter states its results in sentences whose numbers come from the run
(``{glue:text}``), never typed by hand; these helpers format them and hold the
stated criteria by which a chapter says a claim "holds".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as _st

from sgnlib import stats as _stats

__all__ = [
    "fmt",
    "fmt_list",
    "fmt_range",
    "sig3",
    "pct_dev",
    "in_band",
    "fmt_count",
    "glue_numbers",
    "table",
    "Verdict",
    "binomial_band",
    "intervals_cover",
    "share_above",
    "slope_matches",
    "ks_fit",
    "ratio_within",
]

_MINUS = "\u2212"


def fmt(x, nd: int = 2) -> str:
    """``x`` with ``nd`` decimals and a typographic minus; ``'n/a'`` where it is undefined."""
    x = float(x)
    return "n/a" if not math.isfinite(x) else f"{x:.{nd}f}".replace("-", _MINUS)


def fmt_list(values, nd: int = 2) -> str:
    """``'0.50, 0.72, 0.83'``."""
    return ", ".join(fmt(float(x), nd) for x in np.asarray(values, dtype=float).ravel())


def fmt_range(values, nd: int = 2) -> str:
    """``'lo to hi'`` of the finite values (one value where they agree at that precision)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    lo, hi = fmt(v.min(), nd), fmt(v.max(), nd)
    return lo if lo == hi else f"{lo} to {hi}"


def sig3(x) -> str:
    """Three significant digits: ``1157``, ``28.5``, ``0.0422``; below 10⁻³ in scientific form ``6.22 × 10⁻⁷``."""
    x = float(x)
    if not math.isfinite(x) or x == 0:
        return fmt(x, 0)
    if abs(x) < 1e-3:
        mant, exp = f"{x:.2e}".split("e")
        sup = str(int(exp)).translate(str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"))
        return f"{mant.replace('-', _MINUS)} × 10{sup}"
    return fmt(x, max(0, 2 - math.floor(math.log10(abs(x)))))


def below_power(x) -> str:
    """``"< 10⁻¹²"`` for ``2.5e-13``: the smallest power of ten above ``x`` (for a rounding-level number whose
    digits would move with the machine, e.g. a gradient norm at a minimum found to machine precision)."""
    x = float(x)
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"below_power needs a positive finite number; got {x!r}")
    exp = math.floor(math.log10(x)) + 1
    sup = str(exp).translate(str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"))
    return f"< 10{sup}"


def pct_dev(ratios, words=("faster", "slower")) -> str:
    """Ratios measured/predicted as a deviation: ``'11–13 % faster'``.

    ``words[0]`` names ratios below 1, ``words[1]`` ratios above 1; mixed signs give
    ``'from 3 % slower to 5 % faster'``.
    """
    d = 100 * (1 - np.asarray(ratios, dtype=float).ravel())
    if d.size == 0 or not np.isfinite(d).all():
        return "n/a"
    if (d > 0).all() or (d < 0).all():
        word = words[0] if d[0] > 0 else words[1]
        lo, hi = f"{np.abs(d).min():.0f}", f"{np.abs(d).max():.0f}"
        return f"{lo if lo == hi else lo + '–' + hi} % {word}"
    return f"from {-d.min():.0f} % {words[1]} to {d.max():.0f} % {words[0]}"


def in_band(p_sim, p_pred, n, z: float = 1.96):
    """Whether a simulated share of ``n`` trials lies in the ``z``-sigma binomial band of ``p_pred``.

    ``|p_sim − p_pred| ≤ z · sqrt(p_pred (1 − p_pred) / n)`` (normal approximation), elementwise.
    """
    p_pred = np.asarray(p_pred, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n < 1):
        raise ValueError(f"n must be >= 1 trials; got {n!r}")
    if np.any((p_pred < 0) | (p_pred > 1)):
        raise ValueError(f"p_pred must lie in [0, 1]; got {p_pred!r}")
    return np.abs(np.asarray(p_sim, dtype=float) - p_pred) <= z * np.sqrt(p_pred * (1 - p_pred) / n) + 1e-12


def fmt_count(k: int, n: int, noun: str = "") -> str:
    """A count chosen by its value: ``'all 30 parameters'``, ``'none of the 30 parameters'``, ``'12 of 30 parameters'``."""
    k, n = int(k), int(n)
    if not 0 <= k <= n:
        raise ValueError(f"fmt_count needs 0 <= k <= n; got k={k}, n={n}")
    tail = f" {noun}" if noun else ""
    if n == 1:
        return ("the one" if k else "not the one") + tail
    if k == n:
        return f"all {n}{tail}"
    if k == 0:
        return f"none of the {n}{tail}"
    return f"{k} of {n}{tail}"


def _glue(name: str, value) -> None:
    from myst_nb import glue

    glue(name, value, display=False)


def glue_numbers(prefix: str, **values) -> None:
    """Glue each ``value`` as ``<prefix>_<name>`` for ``{glue:text}`` in the prose (strings as they are)."""
    for key, value in values.items():
        _glue(f"{prefix}_{key}", value)


def table(df, digits: int = 2, index: bool = False):
    """A pandas table as the book shows it: a real HTML table, ``digits`` decimals, typographic minus, no index."""
    def number(x):
        return fmt(x, digits) if isinstance(x, (float, np.floating)) else str(x)

    sty = df.style.format(number)
    return sty if index else sty.hide(axis="index")


# --------------------------------------------------------------------------- verdicts

_WORDS = ("holds", "marginal", "fails", "cannot tell")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one stated criterion.

    ``word`` is ``"holds"``, ``"marginal"``, ``"fails"`` or ``"cannot tell"`` (the test has no
    power at the sample size given: even the most extreme data could not reach its marginal
    level; the misses say why); ``criterion`` says in
    words what was tested at which level and where "marginal" begins; ``numbers``
    holds the formatted numbers behind it; ``misses`` names every point that
    missed (empty when none did).
    """

    word: str
    criterion: str
    numbers: dict = field(default_factory=dict)
    misses: tuple = ()

    def __post_init__(self):
        if self.word not in _WORDS:
            raise ValueError(f"word must be one of {_WORDS}; got {self.word!r}")

    @property
    def holds(self) -> bool:
        return self.word == "holds"

    @property
    def misses_text(self) -> str:
        """Every miss in words, or ``'none'``."""
        return "; ".join(self.misses) if self.misses else "none"

    def glue(self, prefix: str) -> None:
        """Glue ``<prefix>_verdict``, ``<prefix>_criterion``, ``<prefix>_misses`` and ``<prefix>_<number>``."""
        _glue(f"{prefix}_verdict", self.word)
        _glue(f"{prefix}_criterion", self.criterion)
        _glue(f"{prefix}_misses", self.misses_text)
        glue_numbers(prefix, **self.numbers)

    def __str__(self) -> str:
        return f"{self.word}: {self.criterion} (misses: {self.misses_text})"


def _labels(labels, n):
    if labels is None:
        return [f"point {i + 1}" for i in range(n)]
    labels = [str(x) for x in labels]
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries for {n} points")
    return labels


def _level_pct(level: float) -> str:
    return f"{100 * level:g} %"


def _points_verdict(z, labels, detail, level, marginal_level, what):
    """Verdict from standardised deviations ``z`` of several points (see :func:`intervals_cover`)."""
    z = np.abs(np.asarray(z, dtype=float).ravel())
    if z.size == 0 or not np.isfinite(z).all():
        raise ValueError(f"need at least one finite deviation; got {z!r}")
    level, marginal_level = float(level), float(marginal_level)
    if not 0 < level < marginal_level < 1:
        raise ValueError(f"need 0 < level < marginal_level < 1; got {level}, {marginal_level}")
    n = z.size
    z_lv = _st.norm.ppf(0.5 + level / 2)
    z_mg = _st.norm.ppf(0.5 + marginal_level / 2)
    z_far = _st.norm.ppf(1 - (1 - marginal_level) / (2 * n))
    outside = z > z_lv
    m = int(outside.sum())
    p_count = float(_st.binom.sf(m - 1, n, 1 - level)) if m else 1.0
    if p_count < 1 - marginal_level or (z > z_far).any():
        word = "fails"
    elif p_count < 0.05 or (z > z_mg).any():
        word = "marginal"
    else:
        word = "holds"
    labels = _labels(labels, n)
    misses = tuple(f"{lab}: {d}" for lab, d, o in zip(labels, detail, outside) if o)
    criterion = (
        f"each {what} inside its {_level_pct(level)} band; the result holds unless the number of points "
        f"outside (here {m} of {n}) would occur with probability below 5 % if the prediction were exact "
        f"(marginal between 5 % and {100 * (1 - marginal_level):g} %, or if a point lies outside its "
        f"{_level_pct(marginal_level)} band) and fails below {100 * (1 - marginal_level):g} % "
        f"or beyond the Bonferroni {_level_pct(marginal_level)} band"
    )
    numbers = {"inside": str(n - m), "points": str(n), "outside": str(m), "p_count": sig3(p_count)}
    return Verdict(word, criterion, numbers, misses)


def binomial_band(k, n, p_pred, *, labels=None, level: float = 0.95, marginal_level: float = 0.99) -> Verdict:
    """Simulated shares ``k / n`` against predicted probabilities ``p_pred``.

    Each share is compared with the binomial band centred on the prediction,
    ``|k/n − p| ≤ z · sqrt(p (1 − p) / n)``; the points are then combined as in
    :func:`intervals_cover`.
    """
    k, n = _stats._check_counts(k, n)
    p = np.asarray(p_pred, dtype=float)
    if np.any((p < 0) | (p > 1)) or not np.isfinite(p).all():
        raise ValueError(f"p_pred must lie in [0, 1]; got {p!r}")
    k, n, p = np.broadcast_arrays(k, n, p)
    se = np.sqrt(np.maximum(p * (1 - p), 0.25 / n) / n)
    share = k / n
    detail = [f"share {fmt(s)} vs predicted {fmt(q)}" for s, q in zip(share.ravel(), p.ravel())]
    return _points_verdict((share - p) / se, labels, detail, level, marginal_level,
                           "simulated share lies in the binomial band centred on its prediction, i.e.")


def intervals_cover(estimate, se, target, *, labels=None, level: float = 0.95, marginal_level: float = 0.99) -> Verdict:
    """Estimates with standard errors ``se`` against predicted values ``target``.

    Each point is inside when ``|estimate − target| ≤ z_level · se``. If the
    predictions were exact, the number ``m`` of the ``n`` points outside would be
    ``Bin(n, 1 − level)``: the verdict *holds* unless such an ``m`` has
    probability below 5 %; it is *marginal* between 5 % and ``1 − marginal_level``
    or when one point lies outside its ``marginal_level`` band, and *fails* below
    that or when one point lies outside the Bonferroni-corrected ``marginal_level``
    band. Every point outside its ``level`` band is listed as a miss.
    """
    est, se, tgt = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (estimate, se, target)))
    if np.any(~(se > 0)):
        raise ValueError(f"se must be > 0; got {se!r}")
    detail = [f"{sig3(e)} ± {sig3(s)} vs predicted {sig3(t)}" for e, s, t in zip(est.ravel(), se.ravel(), tgt.ravel())]
    return _points_verdict((est - tgt) / se, labels, detail, level, marginal_level,
                           "prediction lies within the estimate's interval, i.e.")


def share_above(k: int, n: int, p0: float = 0.5, *, level: float = 0.01, marginal_level: float = 0.05,
                what: str = "share") -> Verdict:
    """Is the share ``k / n`` significantly above ``p0``? One-sided exact binomial test.

    Holds at p-value < ``level``, marginal up to ``marginal_level``, fails above. When even
    ``k = n`` could not reach ``marginal_level`` (``p0^n ≥ marginal_level``: too few trials for
    this test) the word is "cannot tell", never "fails".
    """
    if not 0 < level < marginal_level < 1:
        raise ValueError(f"need 0 < level < marginal_level < 1; got {level}, {marginal_level}")
    if isinstance(n, bool) or int(n) != n or n < 1 or not 0 <= k <= n:
        raise ValueError(f"need integers 0 <= k <= n with n >= 1; got k={k!r}, n={n!r}")
    if float(p0) ** int(n) >= marginal_level:
        need = int(math.ceil(math.log(marginal_level) / math.log(p0) + 1e-12))
        criterion = (f"the {what} is above {fmt(p0) if p0 >= 0.1 else sig3(p0)} by a one-sided exact binomial test at p < {level:g} "
                     f"(marginal for {level:g} ≤ p < {marginal_level:g})")
        return Verdict("cannot tell", criterion, {"share": fmt(k / n), "k": str(int(k)), "n": str(int(n)), "p": "none"},
                       (f"{int(n)} trials cannot reach p < {marginal_level:g} against {fmt(p0) if p0 >= 0.1 else sig3(p0)} "
                        f"(the smallest attainable p is {sig3(float(p0) ** int(n))}); the test needs at least {need}",))
    p = float(_stats.binomial_test_greater(k, n, p0))
    lo, hi = _stats.binomial_interval(k, n, 0.95)
    word = "holds" if p < level else "marginal" if p < marginal_level else "fails"
    criterion = (f"the {what} is above {fmt(p0) if p0 >= 0.1 else sig3(p0)} by a one-sided exact binomial test at p < {level:g} "
                 f"(marginal for {level:g} ≤ p < {marginal_level:g})")
    numbers = {"share": fmt(k / n), "lo": fmt(lo), "hi": fmt(hi), "p": sig3(p), "k": str(int(k)), "n": str(int(n))}
    misses = () if word == "holds" else (f"{what} {fmt(k / n)} of {int(n)}, p = {sig3(p)}",)
    return Verdict(word, criterion, numbers, misses)


def sign_flip_below(values, threshold: float = 0.0, *, level: float = 0.01, marginal_level: float = 0.05,
                    what: str = "mean", unit: str = "seeds", labels=None, show=None, above: bool = False) -> Verdict:
    """Is the mean of ``values`` (one per independent replication) below ``threshold``?

    Exact one-sided sign-flip randomisation test: under the null, ``values - threshold`` is
    symmetric about 0, so each of the ``2^n`` sign patterns is equally likely; the p-value is the
    share of patterns whose mean is at most the observed one (exact for n ≤ 16, else 2^16 patterns
    drawn from a fixed stream). Its reference distribution is that of the null at this very ``n``,
    not an asymptotic law. Holds at p < ``level``, marginal up to ``marginal_level``. The smallest
    attainable p is ``2^-n``: when it is not below ``marginal_level`` the word is "cannot tell"
    (the misses say how many replications the test needs). Every replication on the wrong side is
    a miss, shown as ``show(value)`` (default: the value to 3 digits). ``above=True`` tests the
    other side (is the mean above ``threshold``?).
    """
    if not 0 < level < marginal_level < 1:
        raise ValueError(f"need 0 < level < marginal_level < 1; got {level}, {marginal_level}")
    sign = -1.0 if above else 1.0
    d = sign * (np.asarray(values, dtype=float).ravel() - float(threshold))
    if d.size == 0 or not np.isfinite(d).all():
        raise ValueError(f"values must be a non-empty list of finite numbers; got {values!r}")
    n = d.size
    names = _labels(labels, n)
    need = int(np.ceil(np.log2(1 / marginal_level) + 1e-12))
    criterion = (f"the {what} is {'above' if above else 'below'} {fmt(threshold)} by a one-sided exact sign-flip test "
                 f"over {n} {unit} at p < {level:g} (marginal for {level:g} ≤ p < {marginal_level:g})")
    show = show or (lambda x: fmt(x, 3))
    value = (lambda i: sign * d[i] + threshold)
    wrong = tuple(f"{names[i]}: {show(value(i))}" for i in range(n) if d[i] >= 0)
    numbers = {"mean": fmt(sign * d.mean() + threshold, 3), "k": str(int((d < 0).sum())), "n": str(n)}
    if 2.0 ** -n >= marginal_level:
        numbers["p"] = "none"
        return Verdict("cannot tell", criterion, numbers,
                       (f"{n} {unit} cannot reach p < {marginal_level:g} (the smallest attainable p is 2^-{n}); "
                        f"the test needs at least {need}",) + wrong)
    if n <= 16:
        signs = 1 - 2 * ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1)
    else:
        signs = np.random.default_rng(0).choice([-1, 1], size=(2 ** 16, n))
    means = (signs * np.abs(d)).mean(axis=1)
    p = float((means <= d.mean() + 1e-12 * np.abs(d).max()).mean())
    numbers["p"] = sig3(p)
    word = "holds" if p < level else "marginal" if p < marginal_level else "fails"
    # every replication on the wrong side is a miss, whatever the word; a word short of holds with none says its p
    misses = wrong if wrong or word == "holds" else (f"p = {sig3(p)}",)
    return Verdict(word, criterion, numbers, misses)


def slope_matches(x, y, target: float, *, level: float = 0.95, marginal_level: float = 0.99,
                  what: str = "slope") -> Verdict:
    """Does the least-squares slope of ``y`` on ``x`` agree with ``target``?

    Holds when ``target`` lies in the slope's ``level`` interval, marginal when it
    lies only in the ``marginal_level`` interval, fails otherwise (needs ≥ 3 points).
    """
    fit = _stats.linear_fit(x, y, level)
    lo2, hi2 = fit.slope_interval(marginal_level)
    if fit.slope_lo <= target <= fit.slope_hi:
        word = "holds"
    elif lo2 <= target <= hi2:
        word = "marginal"
    else:
        word = "fails"
    criterion = (f"the predicted {what} {fmt(target)} lies in the {_level_pct(level)} interval of the fitted "
                 f"{what} over {fit.n} points (marginal if only in the {_level_pct(marginal_level)} interval)")
    numbers = {"slope": fmt(fit.slope), "lo": fmt(fit.slope_lo), "hi": fmt(fit.slope_hi),
               "target": fmt(target), "r2": fmt(fit.r2, 3), "points": str(fit.n)}
    misses = () if word == "holds" else (
        f"{what} {fmt(fit.slope)} [{fmt(fit.slope_lo)}, {fmt(fit.slope_hi)}] vs {fmt(target)}",)
    return Verdict(word, criterion, numbers, misses)


def ks_fit(sample, cdf, *, level: float = 0.05, marginal_level: float = 0.01, what: str = "law") -> Verdict:
    """Kolmogorov–Smirnov test of ``sample`` against the fully specified ``cdf``.

    Holds at p ≥ ``level``, marginal for ``marginal_level`` ≤ p < ``level``, fails
    below. (With parameters estimated from the same sample the test is
    conservative; the criterion says which parameters were fitted.)
    """
    if not 0 < marginal_level < level < 1:
        raise ValueError(f"need 0 < marginal_level < level < 1; got {marginal_level}, {level}")
    x = np.asarray(sample, dtype=float).ravel()
    if x.size < 5 or not np.isfinite(x).all():
        raise ValueError(f"ks_fit needs at least 5 finite values; got {x.size}")
    res = _st.kstest(x, cdf)
    p = float(res.pvalue)
    word = "holds" if p >= level else "marginal" if p >= marginal_level else "fails"
    criterion = (f"a Kolmogorov–Smirnov test of the {what} over {x.size} values does not reject at the "
                 f"{100 * level:g} % level (marginal for {marginal_level:g} ≤ p < {level:g})")
    numbers = {"D": fmt(res.statistic, 3), "p": sig3(p), "n": str(x.size)}
    misses = () if word == "holds" else (f"KS D = {fmt(res.statistic, 3)}, p = {sig3(p)}",)
    return Verdict(word, criterion, numbers, misses)


def ratio_within(measured, predicted, *, tol: float = 0.1, marginal_tol: float = 0.2, labels=None,
                 what: str = "measured / predicted") -> Verdict:
    """Ratios ``measured / predicted`` within ``1 ± tol`` (marginal within ``1 ± marginal_tol``)."""
    if not 0 < tol < marginal_tol:
        raise ValueError(f"need 0 < tol < marginal_tol; got {tol}, {marginal_tol}")
    m, p = np.broadcast_arrays(np.asarray(measured, dtype=float), np.asarray(predicted, dtype=float))
    if not (np.isfinite(m).all() and np.isfinite(p).all()) or np.any(p == 0):
        raise ValueError("measured and predicted must be finite, predicted non-zero")
    r = (m / p).ravel()
    dev = np.abs(r - 1)
    labels = _labels(labels, r.size)
    word = "holds" if (dev <= tol).all() else "marginal" if (dev <= marginal_tol).all() else "fails"
    criterion = (f"every ratio {what} lies within 1 ± {fmt(tol)} (marginal within 1 ± {fmt(marginal_tol)})")
    misses = tuple(f"{lab}: ratio {fmt(x)}" for lab, x, d in zip(labels, r, dev) if d > tol)
    numbers = {"ratios": fmt_list(r), "range": fmt_range(r), "inside": str(int((dev <= tol).sum())),
               "points": str(r.size)}
    return Verdict(word, criterion, numbers, misses)
