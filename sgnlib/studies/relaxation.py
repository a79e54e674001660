"""Relaxation to the minimum: Lemma 3.1, Proposition 3.2 and the relaxation time against the inter-jump time.

Studies behind chapter 05 (:cite:`battash2023revisiting`, Sec. 3):

* :func:`lemma31_paths` / :func:`late_slopes` — the deterministic process ``Y``
  (eq. 5) of a quadratic basin against the bound of eq. 6, and its late
  log-slope against ``−2μ``; :func:`lemma31_bound_verdict` states the bound check.
* :func:`prop32_deviation` — the probability that the small-jump process ``Z``
  (eq. 8) leaves the band ``c ε̄^θ`` around ``Y`` before the mean time ``1/β``
  to the next large jump; :func:`prop32_rate_verdict` tests its rate in ``ε̄``
  against the exponent ``θ̄`` of Prop 3.2 with a confidence interval.
* :func:`relaxation_and_gap_curves` — the relaxation time ``T_R`` (eq. 14)
  and the mean inter-jump time ``1/β`` (eq. 15) against ``ε̄`` (no randomness).
* :func:`return_times` — eq. 14 by simulation: the time the noisy process,
  started at the edge ``d+`` (where a large jump leaves it), takes to reach
  the ``ε̄^ζ``-neighbourhood, against ``T_R``, and the share of paths with a
  large jump before they got there, against ``1 − e^(−β T_R)``.
* :func:`small_jump_products` — Lemma 3.3 (eq. 10): the mean of ``Z^1_t Z^2_t``
  of the small-jump process in a diagonal quadratic basin, against the
  product of the means and against the printed lemma.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sgnlib import report, sde, stats, streams, theory
from sgnlib._checks import check_alpha, check_positive
from sgnlib.cache import UnitCache

__all__ = ["lemma31_paths", "late_slopes", "lemma31_bound_verdict", "prop32_deviation", "prop32_rate_verdict",
           "relaxation_and_gap_curves", "return_times", "small_jump_products"]

PROP_STUDY = "ch05-prop32"
RETURN_STUDY = "ch05-return-times"
PRODUCT_STUDY = "ch05-small-jump-products"
#: Bump when the simulation behind a cached unit changes.
VERSION = "ch05-relaxation-2"  # 2: issue-11 simulator (live-path draws, numpy stream)


def _label(w) -> str:
    """A start point as the book prints it: ``(1, −0.5)`` (plain floats, never numpy reprs)."""
    return "(" + ", ".join(f"{float(x):g}" for x in np.asarray(w, dtype=float).ravel()) + ")"


def lemma31_paths(hessian: ArrayLike, minimum: ArrayLike, starts: ArrayLike, *, dt: float = 1e-3, horizon: float = 5.0,
                  record_every: int = 20) -> pd.DataFrame:
    """``‖Y_t − W*‖²`` of the noise-free Euler scheme in ``U = ½(w − W*)ᵀH(w − W*)`` and the bound of eq. 6.

    One row per (start, saved time). Columns: ``start`` (label), ``time``,
    ``dist2``, ``bound`` = ``(2Ũ/μ) e^(−2μt)`` with ``Ũ = U(w0)``, ``μ = λ_min(H)``.
    """
    pot = sde.quadratic(hessian, minimum=minimum)
    w0 = np.atleast_2d(np.asarray(starts, dtype=float))
    r = sde.simulate(pot, w0, n_paths=w0.shape[0], alpha=1.5, sigma=0.0, dt=dt, horizon=horizon,
                     record_every=record_every)
    traj = r.trajectory.double().cpu().numpy()
    m, h = pot.minimum, np.atleast_2d(pot.hessian) if pot.hessian.ndim == 2 else np.diag(pot.hessian)
    frames = []
    for i, w in enumerate(w0):
        u_tilde = 0.5 * (w - m) @ h @ (w - m)
        frames.append(pd.DataFrame({"start": _label(w), "time": r.times, "dist2": ((traj[:, i] - m) ** 2).sum(-1),
                                    "bound": theory.lemma31_bound(u_tilde, pot.mu, r.times)}))
    return pd.concat(frames, ignore_index=True)


def late_slopes(paths: pd.DataFrame, after: float) -> pd.DataFrame:
    """Least-squares slope of ``log dist2`` on time for ``time > after``, per start (rate ``−2μ`` in Lemma 3.1).

    Columns: ``start, slope, points``.
    """
    rows = []
    for start, g in paths.groupby("start", sort=False):
        late = g[g["time"] > after]
        fit = stats.linear_fit(late["time"], np.log(late["dist2"]))
        rows.append({"start": start, "slope": fit.slope, "points": fit.n})
    return pd.DataFrame(rows)


def lemma31_bound_verdict(paths: pd.DataFrame, rtol: float = 1e-12) -> report.Verdict:
    """Eq. 6 as a deterministic check: ``dist2 ≤ bound · (1 + rtol)`` at every saved time of every start.

    Holds when no point exceeds the bound, fails otherwise (every violation is a miss;
    there is no sampling error, so no marginal band).
    """
    over = paths["dist2"] > paths["bound"] * (1.0 + rtol)
    misses = tuple(f"w = {r.start}, t = {r.time:g}: {r.dist2:.3g} > {r.bound:.3g}" for r in paths[over].itertuples())
    criterion = (f"‖Y_t − W*‖² ≤ (2Ũ/μ) e^(−2μt) at each of the {len(paths)} saved (start, time) points "
                 f"(relative tolerance {rtol:g} for rounding); a deterministic check, no marginal band")
    return report.Verdict("fails" if misses else "holds", criterion,
                          {"points": str(len(paths)), "violations": str(int(over.sum()))}, misses)


def prop32_deviation(eps_bars: Sequence[float], *, alpha: float, rho: float, theta: float, c: float, dt: float,
                     n_paths: int, seed: int, level: float = 0.95, device: str = "cpu",
                     cache: bool = True) -> pd.DataFrame:
    """Probability that ``Z − Y`` leaves ``(−cε̄^θ, cε̄^θ)`` within ``T = 1/β`` (Prop 3.2), one row per ``ε̄``.

    In ``U = w²/2`` the difference ``D = Z − Y`` of the small-jump process and
    the deterministic one is an Ornstein–Uhlenbeck process driven by the small
    jumps and started at 0, so the probability is the exit probability of ``D``
    from the band before ``T`` (simulated with ``small_jumps_only``). Each ``ε̄``
    draws from its own stream and is cached as a unit (``UnitCache``). Columns: ``eps_bar, horizon`` (``1/β``, eq. 12
    with ``c_α``), ``band, exits, n_paths, p, ci_low, ci_high`` (Wilson
    ``level`` interval), ``rate`` = ``ε̄^θ̄`` (the bound's rate) and ``scaled_bound`` =
    ``C_θ ε̄^θ̄`` with the smallest ``C_θ`` consistent with every measured ``p``.
    """
    a = float(check_alpha(alpha))
    theta_bar = float(theory.prop32_exponent(a, rho, theta))
    ca = float(theory.levy_constant(a))
    e_v = [float(x) for x in np.atleast_1d(check_positive(np.asarray(eps_bars, dtype=float), "eps_bars"))]
    c = float(check_positive(c, "c"))
    rows = []
    for e in e_v:
        beta = float(theory.jump_intensity(a, e, rho, c=ca))
        band = c * e ** theta
        settings = dict(eps_bar=e, alpha=a, rho=rho, theta=theta, c=c, dt=dt, n_paths=n_paths)

        def exits(settings=settings, beta=beta, band=band) -> dict[str, np.ndarray]:
            gen = streams.torch_generator(seed, PROP_STUDY, device=device, **settings)
            r = sde.simulate(sde.quadratic([1.0]), [0.0], alpha=a, eps=settings["eps_bar"], rho=rho,
                             small_jumps_only=True, dt=dt, horizon=max(1.0 / beta, dt), n_paths=n_paths,
                             domain=sde.Box([-band], [band]), generator=gen, device=device)
            return {"exits": np.asarray(int(r.exited.sum()))}

        key = {"study": PROP_STUDY, "seed": int(seed), "device": str(device), "version": VERSION, **settings}
        k = int((UnitCache(PROP_STUDY).get_or_compute(key, exits) if cache else exits())["exits"])
        lo, hi = stats.binomial_interval(k, n_paths, level)
        rows.append({"eps_bar": e, "horizon": 1.0 / beta, "band": band, "exits": k, "n_paths": int(n_paths),
                     "p": k / n_paths, "ci_low": float(lo), "ci_high": float(hi), "rate": e ** theta_bar})
    df = pd.DataFrame(rows)
    df["scaled_bound"] = float((df["p"] / df["rate"]).max()) * df["rate"]
    return df


def prop32_rate_verdict(table: pd.DataFrame, theta_bar: float, *, p_max: float = 0.5,
                        level: float = 0.95) -> report.Verdict:
    """Is the deviation probability falling at least as fast as ``ε̄^θ̄`` (the rate of Prop 3.2's bound)?

    Fits ``log p`` on ``log ε̄`` over the points with ``0 < p < p_max`` (below
    ``p_max`` the band is not saturated; ``p = 0`` has no logarithm) with a
    Student-t ``level`` interval for the slope. A bound ``C ε̄^θ̄`` is
    contradicted by a slope below ``θ̄``: the verdict *holds* when the slope is
    ``≥ θ̄``, is *marginal* when it is below ``θ̄`` but its interval reaches
    ``θ̄``, and *fails* when the whole interval lies below ``θ̄``. Fewer than 3
    usable points: *marginal*, with the reason as the miss.
    """
    usable = table[(table["p"] > 0) & (table["p"] < p_max)]
    numbers = {"theta_bar": report.fmt(theta_bar), "points": str(len(usable)), "p_max": report.fmt(p_max),
               "eps_lo": f"{usable['eps_bar'].min():g}" if len(usable) else "n/a",
               "eps_hi": f"{usable['eps_bar'].max():g}" if len(usable) else "n/a"}
    criterion_tail = (f"the log–log slope of the deviation probability on ε̄, fitted over the points with "
                      f"0 < p < {p_max:g}, is at least θ̄ = {report.fmt(theta_bar)} (holds), below θ̄ with θ̄ inside its "
                      f"{100 * level:g} % interval (marginal), or below θ̄ with the whole interval below it (fails)")
    if len(usable) < 3:
        numbers.update(slope="n/a", lo="n/a", hi="n/a")
        return report.Verdict("marginal", criterion_tail, numbers,
                              (f"only {len(usable)} point(s) with 0 < p < {p_max:g}: no slope with an interval",))
    fit = stats.linear_fit(np.log(usable["eps_bar"]), np.log(usable["p"]), level)
    numbers.update(slope=report.fmt(fit.slope), lo=report.fmt(fit.slope_lo), hi=report.fmt(fit.slope_hi))
    if fit.slope >= theta_bar:
        word, misses = "holds", ()
    else:
        word = "marginal" if fit.slope_hi >= theta_bar else "fails"
        misses = (f"slope {report.fmt(fit.slope)} [{report.fmt(fit.slope_lo)}, {report.fmt(fit.slope_hi)}] "
                  f"below θ̄ = {report.fmt(theta_bar)}",)
    return report.Verdict(word, criterion_tail, numbers, misses)


def relaxation_and_gap_curves(eps_bars: Sequence[float], alphas: Sequence[float], *, rho: float, zeta: float,
                              mu: float = 1.0, half_width: float = 1.0) -> pd.DataFrame:
    """Relaxation time ``T_R`` (eq. 14, ``U = μw²/2`` on ``(−d, d)``) and mean inter-jump time ``1/β`` (eq. 15).

    Long format, one row per (curve, ε̄). Columns: ``curve`` (``"T_R"`` or
    ``"1/beta"``), ``alpha`` (NaN for ``T_R``, which does not depend on α),
    ``label`` (for a legend), ``eps_bar, time``; ``1/β`` uses eq. 12 with ``c_α``.
    """
    e = np.asarray(check_positive(np.asarray(eps_bars, dtype=float), "eps_bars"), dtype=float).ravel()
    d = float(check_positive(half_width, "half_width"))
    tr = [float(theory.relaxation_time(-d, d, x, zeta, mu=mu)) for x in e]
    frames = [pd.DataFrame({"curve": "T_R", "alpha": np.nan, "label": "$T_R$ (eq. P14)", "eps_bar": e, "time": tr})]
    for a in np.atleast_1d(check_alpha(alphas)).astype(float):
        gaps = theory.mean_interjump_time(a, e, rho, c=theory.levy_constant(a))
        frames.append(pd.DataFrame({"curve": "1/beta", "alpha": float(a), "label": rf"$1/\beta$, $\alpha$ = {a:g}",
                                    "eps_bar": e, "time": gaps}))
    return pd.concat(frames, ignore_index=True)


def return_times(eps_bars: Sequence[float], *, alpha: float, rho: float, zeta: float, dt: float, n_paths: int,
                 seed: int, half_width: float = 1.0, device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Eq. 14 by simulation: first time ``|W_t| ≤ ε̄^ζ`` of eq. 3 in ``U = w²/2`` started at ``d+``, one row per ``ε̄``.

    Constant schedule (``ε̄ = ε``), horizon ``3 T_R``. Columns: ``eps_bar,
    T_R`` (:func:`sgnlib.theory.relaxation_time`), ``T_R_euler`` (the Euler
    scheme's noise-free time ``dt ⌈ln(ε̄^ζ/d)/ln(1 − dt)⌉``), ``mean, se``
    (of the return time of the paths that returned), ``returned`` (share),
    ``jump_before`` (share of paths with a large jump, ``|ΔL| > ε̄^(−ρ)``,
    before their return) and ``jump_before_pred`` = ``1 − e^(−β T_R)`` (β of
    eq. 12 with ``c_α``).
    """
    a = float(check_alpha(alpha))
    d, h = float(check_positive(half_width, "half_width")), float(check_positive(dt, "dt"))
    if h >= 1.0:
        raise ValueError(f"dt must be < 1 (the Euler step of U = w²/2 is stable and monotone); got {dt!r}")
    rows = []
    for e in [float(x) for x in np.atleast_1d(check_positive(np.asarray(eps_bars, dtype=float), "eps_bars"))]:
        t_r = float(theory.relaxation_time(-d, d, e, zeta, mu=1.0))
        r_nb = e ** float(zeta)
        settings = dict(eps_bar=e, alpha=a, rho=float(rho), zeta=float(zeta), dt=h, n_paths=int(n_paths), half_width=d)

        def compute(settings=settings, t_r=t_r, r_nb=r_nb) -> dict[str, np.ndarray]:
            gen = streams.torch_generator(seed, RETURN_STUDY, device=device, **settings)
            res = sde.simulate(sde.quadratic([1.0]), [d], alpha=a, eps=settings["eps_bar"], rho=rho, dt=h,
                               horizon=3.0 * t_r, n_paths=int(n_paths), record_every=1, record_jumps=True,
                               generator=gen, device=device)
            inside = np.abs(res.trajectory[:, :, 0].double().cpu().numpy()) <= r_nb
            hit = inside.any(0)
            t_ret = np.where(hit, res.times[inside.argmax(0)], np.inf)
            jp, jt = res.jumps["path"].cpu().numpy(), res.jumps["time"].double().cpu().numpy()
            early = np.zeros(int(n_paths), dtype=bool)
            early[jp[jt <= t_ret[jp]]] = True
            return {"t_ret": t_ret, "early": early}

        key = {"study": RETURN_STUDY, "seed": int(seed), "device": str(device), "version": VERSION, **settings}
        u = UnitCache(RETURN_STUDY).get_or_compute(key, compute) if cache else compute()
        t_ret = u["t_ret"][np.isfinite(u["t_ret"])]
        beta = float(theory.jump_intensity(a, e, rho, c=theory.levy_constant(a)))
        rows.append({"eps_bar": e, "T_R": t_r, "T_R_euler": h * np.ceil(np.log(r_nb / d) / np.log(1.0 - h)),
                     "mean": float(t_ret.mean()) if t_ret.size else float("nan"),
                     "se": float(t_ret.std(ddof=1) / np.sqrt(t_ret.size)) if t_ret.size > 1 else float("nan"),
                     "returned": t_ret.size / int(n_paths), "jump_before": float(u["early"].mean()),
                     "jump_before_pred": 1.0 - np.exp(-beta * t_r)})
    return pd.DataFrame(rows)


def small_jump_products(*, alpha: float, eps_bar: float, rho: float, curvatures: Sequence[float],
                        start: Sequence[float], horizon: float, dt: float, n_paths: int, seed: int,
                        n_times: int = 8, device: str = "cpu", cache: bool = True) -> pd.DataFrame:
    """Lemma 3.3 (eq. 10): mean of ``Z^1_t Z^2_t`` of the small-jump process (eq. 8) in ``U = Σ_l h_ll w_l²/2``.

    Two axes with the same α and ε̄, started at ``start``, only the jumps
    ``|ΔL| ≤ ε̄^(−ρ)`` kept; ``n_times`` equally spaced saved times. Columns:
    ``time, mean, se`` (of the product over paths), ``derived``
    (:func:`sgnlib.theory.lemma33_product_mean`), ``derived_euler`` (the same for
    the Euler scheme, ``w_1 w_2 ((1 − h_11 dt)(1 − h_22 dt))^k``) and
    ``printed`` (:func:`sgnlib.theory.lemma33_as_printed`).
    """
    a, e = float(check_alpha(alpha)), float(check_positive(eps_bar, "eps_bar"))
    h = np.asarray(check_positive(np.asarray(curvatures, dtype=float), "curvatures"), dtype=float).ravel()
    w0 = np.asarray(start, dtype=float).ravel()
    if h.size != 2 or w0.size != 2:
        raise ValueError(f"curvatures and start must have 2 entries; got {curvatures!r}, {start!r}")
    step, T = float(check_positive(dt, "dt")), float(check_positive(horizon, "horizon"))
    n_steps = int(round(T / step))
    every = max(1, n_steps // int(n_times))
    settings = dict(alpha=a, eps_bar=e, rho=float(rho), curvatures=h.tolist(), start=w0.tolist(), horizon=T, dt=step,
                    n_paths=int(n_paths), every=every)

    def compute() -> dict[str, np.ndarray]:
        gen = streams.torch_generator(seed, PRODUCT_STUDY, device=device, **settings)
        r = sde.simulate(sde.quadratic(h.tolist()), w0, alpha=a, eps=e, rho=rho, small_jumps_only=True, dt=step,
                         horizon=T, n_paths=int(n_paths), record_every=every, generator=gen, device=device)
        prod = (r.trajectory[:, :, 0] * r.trajectory[:, :, 1]).double().cpu().numpy()
        return {"time": np.asarray(r.times), "mean": prod.mean(1), "se": prod.std(1, ddof=1) / np.sqrt(prod.shape[1])}

    key = {"study": PRODUCT_STUDY, "seed": int(seed), "device": str(device), "version": VERSION, **settings}
    u = UnitCache(PRODUCT_STUDY).get_or_compute(key, compute) if cache else compute()
    t = np.asarray(u["time"], dtype=float)
    keep = t > 0
    t = t[keep]
    k = np.rint(t / step)
    return pd.DataFrame({"time": t, "mean": u["mean"][keep], "se": u["se"][keep],
                         "derived": theory.lemma33_product_mean(t, w0[0], w0[1], h[0], h[1]),
                         "derived_euler": w0[0] * w0[1] * ((1 - h[0] * step) * (1 - h[1] * step)) ** k,
                         "printed": theory.lemma33_as_printed(t, w0[0], w0[1], h[0], h[1], e, e, a, a, rho)})
