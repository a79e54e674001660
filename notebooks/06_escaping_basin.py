# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (ch-escaping-basin)=
# # 06 · Escaping a basin: the theorems
#
# Section 4 of {cite:t}`battash2023revisiting` derives, from the Lévy-driven SDE of chapter 05,
# how long SGD stays in a basin (Thm 4.1, Cor 4.2), through which parameter it leaves
# (Thm 4.3, Cor 4.4) and the law of the escape time (Thm 4.5, Cor 4.6). Here every statement is
# set against simulations of eq. 3 with `sgnlib.sde` (≥ 1000 paths per point, 95 % confidence
# bands) and against the classical first-exit laws: Imkeller–Pavlyukevich for α-stable noise
# {cite:p}`imkeller2006first,imkeller2008metastable` and Kramers for Gaussian noise
# {cite:p}`kramers1940brownian`.
#
# All results share one argument. Exits happen at large jumps; a large jump of coordinate $l$
# leaves $[d^-_l, d^+_l]$ with probability (eq. 13) $m_l\Phi_l s_t^{\alpha_l-1}/\beta_l(t)$, where
#
# $$
# m_l = \frac{c_{\alpha_l}(\sigma_l\epsilon_l)^{\alpha_l}}{\alpha_l}, \qquad
# \Phi_l = (-d^-_l)^{-\alpha_l} + (d^+_l)^{-\alpha_l},
# $$ (eq-esc-m)
#
# so exits form a Poisson process of rate $h(t) = \sum_l m_l\Phi_l s_t^{\alpha_l-1}$ and
#
# $$
# P(\sigma_G > u) = \exp\Big(-\sum_l m_l\Phi_l \int_0^u s_t^{\alpha_l-1}dt\Big), \qquad
# \mathbb E\sigma_G \overset{s\equiv1}{=} \frac{1}{\sum_l m_l\Phi_l}, \qquad
# P(W_{\sigma}\in\Omega^\pm_l) = \frac{m_l |d^\pm_l|^{-\alpha_l}}{\sum_j m_j\Phi_j}.
# $$ (eq-esc-law)
#
# In one dimension the middle formula is exactly the Imkeller–Pavlyukevich law. The printed
# statements of the paper differ from {eq}`eq-esc-law` in several places (listed at the end);
# `sgnlib.theory` implements both the derived formulas and, where meaningful, the printed ones
# (`*_as_printed`). The constant $c_\alpha = \Gamma(1+\alpha)\sin(\pi\alpha/2)/\pi$ is the Lévy
# density of the standard SαS law we simulate; the paper sets it to 1.

# %% tags=["parameters"]
profile = "book"          # set by the chapter runner
seed = 0                  # every random number of the chapter derives from it
device = "cpu"            # "auto": CUDA where present; CPU keeps the quick profile bit-exact
n_paths = 1000            # paths per point, at least 1000 for the book
dt = 0.05                 # Euler step (SDE time) in the quadratic basins
eps_alphas = [1.2, 1.5, 1.8]           # tail indices of the escape-time-vs-eps panel
eps_values = [0.2, 0.1, 0.05]          # noise amplitudes of that panel
alpha_values = [0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 1.9]  # tail indices of the vs-alpha panel
alpha_eps = 0.1           # eps of the vs-alpha and vs-width panels
width_values = [0.5, 1.0, 2.0]         # half-widths of the box in the vs-width panel
dw_dt = 0.02              # Euler step in the double wells
dw_depths = [0.25, 0.5, 1.0]           # barrier heights h, at width a of 1
dw_widths = [0.7, 1.0, 1.4]            # well positions a, at height h of 0.5 (pairs are not repeated)
dw_eps_stable = 0.1       # eps of the heavy-tailed (alpha 1.5) double well
dw_D = 0.2                # diffusion constant eps^2 of the Gaussian (alpha 2) double well
dir_eta = 0.003           # learning rate of the exit-direction experiment
dir_alpha2 = 1.8          # alpha of the second axis; the first has alpha2 - delta
dir_deltas = [0.0, 0.1, 0.2, 0.3, 0.5, 0.8]
sched_gammas = [1.0, 0.8, 0.6, 0.5]    # cooling rates of the scheduler experiment
sched_alphas = [1.2, 1.5, 1.8]
sched_mean = 100.0        # mean escape time at gamma 1, sets eps per alpha
sched_dt = 0.1            # Euler step of the scheduler experiment
ackley_eta = 1e-4         # learning rate of Figure 6 (the paper's)
ackley_sigma = 10.0       # noise scale of Figure 6
ackley_radius = 0.1       # escape radius of Figure 6
ackley_alpha2 = 1.8
ackley_deltas = [0.0, 0.1, 0.2, 0.3, 0.5, 0.8]
ackley_seeds = 1000       # independent runs per delta (the paper's 1000 seeds)

# %%
import math

import numpy as np

import sgnlib
from sgnlib import plotting, sde, theory

plotting.use_style()
device = sgnlib.resolve_device(device)
quad = sde.quadratic([1.0])
rng_seq = iter(range(seed * 1000 + 1, seed * 1000 + 1000))  # one generator seed per simulation


def run(pot, w0, **kw):
    """One batch of paths with the next seed of the chapter."""
    return sde.simulate(pot, w0, generator=next(rng_seq), device=device, **kw)


def mean_ci(r):
    """Mean exit time and the half-width of its 95 % interval (all paths exited)."""
    m, se = sde.mean_exit_time(r)
    return m, 1.96 * se


print(f"profile={profile}, device={device}, n_paths={n_paths}")

# %% [markdown]
# ## Mean escape time against ε, α and the basin width (Cor 4.2)
#
# One coordinate, $U = w^2/2$, $G = (-d, d)$, constant schedule. Eq. {eq}`eq-esc-law` gives
# $\mathbb E\sigma_G = \alpha/(c_\alpha\epsilon^\alpha\,2d^{-\alpha})$: a power law in ε of
# exponent $-\alpha$ and in the width of exponent $+\alpha$.

# %%
rows_eps = []
for a in eps_alphas:
    for e in eps_values:
        r = run(quad, [0.0], alpha=a, eps=e, dt=dt, horizon=1e6, n_paths=n_paths, domain=sde.Box([-1.0], [1.0]))
        m, ci = mean_ci(r)
        rows_eps.append((a, e, m, ci, float(theory.mean_exit_time(a, e, -1.0, 1.0))))
rows_alpha = []
for a in alpha_values:
    r = run(quad, [0.0], alpha=a, eps=alpha_eps, dt=dt, horizon=1e6, n_paths=n_paths, domain=sde.Box([-1.0], [1.0]))
    m, ci = mean_ci(r)
    rows_alpha.append((a, m, ci, float(theory.mean_exit_time(a, alpha_eps, -1.0, 1.0))))
rows_width = []
for d in width_values:
    r = run(quad, [0.0], alpha=1.5, eps=alpha_eps, dt=dt, horizon=1e6, n_paths=n_paths, domain=sde.Box([-d], [d]))
    m, ci = mean_ci(r)
    rows_width.append((d, m, ci, float(theory.mean_exit_time(1.5, alpha_eps, -d, d))))
rows_eps, rows_alpha, rows_width = map(np.array, (rows_eps, rows_alpha, rows_width))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Mean first exit time from $(-d,d)$ of eq. 3 in $U=w^2/2$ (dots with 95 % intervals, 1000 paths each) against Cor 4.2 in its derived form $1/(m\\Phi)$, which in 1-D is the Imkeller–Pavlyukevich law (lines). Left: against ε for three α (d = 1); middle: against α (ε = 0.1, d = 1); right: against the half-width d (α = 1.5, ε = 0.1).", "name": "fig-escaping-basin-mean"}}
fig, axs = plotting.figure(ncols=3)
for i, a in enumerate(eps_alphas):
    sel = rows_eps[:, 0] == a
    axs[0].errorbar(rows_eps[sel, 1], rows_eps[sel, 2], yerr=rows_eps[sel, 3], fmt="o", color=plotting.PALETTE[i], label=rf"$\alpha$ = {a}")
    grid = np.geomspace(min(eps_values), max(eps_values), 30)
    axs[0].plot(grid, [theory.mean_exit_time(a, e, -1, 1) for e in grid], color=plotting.PALETTE[i])
axs[0].set_xscale("log")
axs[0].set_yscale("log")
axs[0].set_xlabel(r"$\epsilon$")
axs[0].set_ylabel(r"$\mathbb{E}\,\sigma_G$")
axs[0].legend()
axs[1].errorbar(rows_alpha[:, 0], rows_alpha[:, 1], yerr=rows_alpha[:, 2], fmt="o", label="simulation")
ga = np.linspace(min(alpha_values), max(alpha_values), 60)
axs[1].plot(ga, [theory.mean_exit_time(a, alpha_eps, -1, 1) for a in ga], label="Cor 4.2 / I–P")
axs[1].set_yscale("log")
axs[1].set_xlabel(r"$\alpha$")
axs[1].legend()
axs[2].errorbar(rows_width[:, 0], rows_width[:, 1], yerr=rows_width[:, 2], fmt="o")
gw = np.geomspace(min(width_values), max(width_values), 30)
axs[2].plot(gw, [theory.mean_exit_time(1.5, alpha_eps, -d, d) for d in gw])
axs[2].set_xscale("log")
axs[2].set_yscale("log")
axs[2].set_xlabel("half-width $d$")
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print("alpha  eps    E[sigma] sim   Cor 4.2 / I-P   sim/theory")
for a, e, m, ci, t in rows_eps:
    print(f"{a:4.1f} {e:6.3f} {m:9.1f} ± {ci:5.1f} {t:12.1f} {m / t:10.2f}")
slopes = {a: np.polyfit(np.log(rows_eps[rows_eps[:, 0] == a, 1]), np.log(rows_eps[rows_eps[:, 0] == a, 2]), 1)[0] for a in eps_alphas}
print("fitted d log E[sigma] / d log eps:", {float(a): round(float(s), 2) for a, s in slopes.items()}, "(theory: -alpha)")

# %% tags=["hide-input"]
from myst_nb import glue  # noqa: E402
from sgnlib.report import fmt, fmt_list, sig3, pct_dev, in_band  # noqa: E402


e_small, e_large = min(eps_values), max(eps_values)
small = np.array([rows_eps[(rows_eps[:, 0] == a) & (rows_eps[:, 1] == e_small)][0] for a in eps_alphas])
large = np.array([rows_eps[(rows_eps[:, 0] == a) & (rows_eps[:, 1] == e_large)][0] for a in eps_alphas])
small_in = np.abs(small[:, 2] - small[:, 4]) <= small[:, 3]  # theory inside the simulated 95 % interval
slope_v = np.array([slopes[a] for a in eps_alphas])
glue("ch06_eps_small", f"{e_small:g}", display=False)
glue("ch06_eps_large", f"{e_large:g}", display=False)
glue("ch06_eps_alphas", fmt_list(eps_alphas, 1), display=False)
glue("ch06_ratio_small", fmt_list(small[:, 2] / small[:, 4]), display=False)
glue("ch06_small_in", f"{int(small_in.sum())} of {small_in.size}", display=False)
glue("ch06_large_dev", pct_dev(large[:, 2] / large[:, 4]), display=False)
glue("ch06_slopes", fmt_list(slope_v), display=False)
glue("ch06_minus_alphas", fmt_list(-np.asarray(eps_alphas, dtype=float), 1), display=False)
glue("ch06_slope_vs", "steeper than −α for every α" if (slope_v < -np.asarray(eps_alphas)).all()
     else "shallower than −α for every α" if (slope_v > -np.asarray(eps_alphas)).all() else "on both sides of −α", display=False)
width_slope = np.polyfit(np.log(rows_width[:, 0]), np.log(rows_width[:, 1]), 1)[0] if len(rows_width) >= 2 else float("nan")
glue("ch06_width_slope", fmt(width_slope), display=False)
glue("ch06_v_mean", "holds" if small_in.all() else "fails", display=False)

# %% [markdown]
# The escape time is polynomial in ε and grows with the width; in this run the fitted exponent in
# the width $d$ is {glue:text}`ch06_width_slope` (Cor 4.2: α = 1.5). At the smallest noise,
# ε = {glue:text}`ch06_eps_small`, the ratios simulation/theory are {glue:text}`ch06_ratio_small`
# for α = {glue:text}`ch06_eps_alphas`, with the derived Cor 4.2 inside the 95 % Monte-Carlo
# interval for {glue:text}`ch06_small_in` values of α. At ε = {glue:text}`ch06_eps_large` the
# simulation escapes {glue:text}`ch06_large_dev` than the first-jump law (at large noise the
# "small" jumps are no longer small, and the first-jump law neglects them), and the fitted slopes
# over ε ∈ [{glue:text}`ch06_eps_small`, {glue:text}`ch06_eps_large`]
# ({glue:text}`ch06_slopes`, against {glue:text}`ch06_minus_alphas`) are
# {glue:text}`ch06_slope_vs`. Near α = 2 the Lévy constant $c_\alpha\to0$ and the time
# explodes — the first sign of the Gaussian behaviour below. As printed, Cor 4.2 cannot be
# compared in one dimension: its constant $A_{l,\nu} = (1-\bar m_\nu\bar\beta_\nu^{-1}\Phi_\nu)(1-\bar\beta_l\bar\beta_S^{-1})$
# vanishes when there is one parameter ($\beta_l=\beta_S$), so the bound is $+\infty$; the 2-D
# comparison is in the exit-direction section.
#
# ## Width, not depth — unlike the Gaussian case
#
# A double well $U(w) = h((w/a)^2-1)^2$ has its minima at $\pm a$ and a barrier of height $h$ at 0;
# we start at $-a$ and record the first passage to $a/2$, past the barrier. For α < 2 an
# escape needs one jump longer than the distance $a$ to the barrier, so
# $\mathbb E\sigma \approx \alpha a^\alpha/(c_\alpha\epsilon^\alpha)$ whatever the depth
# {cite:p}`imkeller2008metastable`. For α = 2 (the noise is $\sqrt2\epsilon\,dB$, $D=\epsilon^2$) Kramers' law
#
# $$
# \mathbb E\sigma \approx \frac{2\pi}{\sqrt{U''(-a)\,|U''(0)|}}\; e^{h/D} = \frac{2\pi a^2}{\sqrt{32}\,h} e^{h/D}
# $$ (eq-esc-kramers)
#
# is exponential in the depth and only polynomial in the width. We also draw the exact
# mean-first-passage integral of the diffusion, of which Kramers is the $D\to0$ limit.

# %%
dw_rows = []
pairs = sorted({(float(h), 1.0) for h in dw_depths} | {(0.5, float(a)) for a in dw_widths})
for h, a in pairs:
    pot = sde.double_well(h, a)
    dom = sde.Box([-np.inf], [a / 2])
    rs = run(pot, [-a], alpha=1.5, eps=dw_eps_stable, dt=dw_dt, horizon=1e6, n_paths=n_paths, domain=dom)
    rg = run(pot, [-a], alpha=2.0, eps=math.sqrt(dw_D), dt=dw_dt, horizon=1e6, n_paths=n_paths, domain=dom)
    ms, cs = mean_ci(rs)
    mg, cg = mean_ci(rg)
    ip = float(theory.mean_exit_time(1.5, dw_eps_stable, -np.inf, a))
    kr = float(theory.kramers_mean_transition_time(h, 8 * h / a ** 2, 4 * h / a ** 2, math.sqrt(dw_D)))
    ex = theory.mean_first_passage_time_diffusion(lambda x: h * ((x / a) ** 2 - 1) ** 2, -a, a / 2, dw_D, -3 * a)
    dw_rows.append((h, a, ms, cs, ip, mg, cg, kr, ex))
dw_rows = np.array(dw_rows)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Escape from a double well $h((w/a)^2-1)^2$, heavy-tailed (α = 1.5, ε = 0.1, blue) against Gaussian (α = 2, D = 0.2, orange) noise; dots: simulation with 95 % intervals; solid: Imkeller–Pavlyukevich / derived Cor 4.2 (α = 1.5) and the exact diffusion MFPT (α = 2); dashed: Kramers' law. Left: against the depth h (a = 1); right: against the width a (h = 0.5). Heavy tails feel the width only, Gaussian noise the depth exponentially.", "name": "fig-escaping-basin-width-depth"}}
fig, axs = plotting.figure(ncols=2)
for j, is_depth in enumerate((True, False)):
    sel = dw_rows[:, 1] == 1.0 if is_depth else dw_rows[:, 0] == 0.5
    x = dw_rows[sel, 0] if is_depth else dw_rows[sel, 1]
    ax = axs[j]
    ax.errorbar(x, dw_rows[sel, 2], yerr=dw_rows[sel, 3], fmt="o", color=plotting.PALETTE[0], label=r"$\alpha$ = 1.5")
    ax.plot(x, dw_rows[sel, 4], "-", color=plotting.PALETTE[0])
    ax.errorbar(x, dw_rows[sel, 5], yerr=dw_rows[sel, 6], fmt="s", color=plotting.PALETTE[1], label=r"$\alpha$ = 2")
    ax.plot(x, dw_rows[sel, 8], "-", color=plotting.PALETTE[1])
    ax.plot(x, dw_rows[sel, 7], "--", color=plotting.PALETTE[1], label="Kramers")
    ax.set_yscale("log")
    ax.set_xlabel("depth $h$" if is_depth else "width $a$")
axs[0].set_ylabel(r"$\mathbb{E}\,\sigma$")
axs[0].legend()
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print("    h     a   a=1.5 sim   I-P     a=2 sim   exact  Kramers")
for h, a, ms, cs, ip, mg, cg, kr, ex in dw_rows:
    print(f"{h:5.2f} {a:5.2f} {ms:9.1f} {ip:7.1f} {mg:9.1f} {ex:7.1f} {kr:7.1f}")

# %% tags=["hide-input"]
# columns of dw_rows: h, a, heavy-tailed sim, its ci, I-P, Gaussian sim, its ci, Kramers, exact MFPT
dep = dw_rows[dw_rows[:, 1] == 1.0]
dep = dep[np.argsort(dep[:, 0])]
wid = dw_rows[dw_rows[:, 0] == 0.5]
wid = wid[np.argsort(wid[:, 1])]
if len(dep) >= 2 and len(wid) >= 2:
    d0, d1, w0, w1 = dep[0], dep[-1], wid[0], wid[-1]
    ms_dep, mg_dep, ms_wid, mg_wid = d1[2] / d0[2], d1[5] / d0[5], w1[2] / w0[2], w1[5] / w0[5]
    # criterion: changing the depth moves the heavy-tailed time less than changing the width does,
    # and the Gaussian time more
    dw_ok = abs(math.log(ms_dep)) < abs(math.log(ms_wid)) and abs(math.log(mg_dep)) > abs(math.log(mg_wid))
    dw_verdict = "holds" if dw_ok else "fails"
else:
    d0 = d1 = w0 = w1 = np.full(9, np.nan)
    ms_dep = mg_dep = ms_wid = mg_wid = float("nan")
    dw_verdict = "is not tested (too few wells)"
glue("ch06_dw_h0", fmt(d0[0]), display=False)
glue("ch06_dw_h1", fmt(d1[0]), display=False)
glue("ch06_dw_hfac", fmt(d1[0] / d0[0], 1), display=False)
glue("ch06_dw_ms_h0", fmt(d0[2], 0), display=False)
glue("ch06_dw_ms_h1", fmt(d1[2], 0), display=False)
glue("ch06_dw_ms_dep_pct", f"{100 * (ms_dep - 1):+.0f} %".replace("-", "\u2212"), display=False)
glue("ch06_dw_mg_h0", fmt(d0[5], 0), display=False)
glue("ch06_dw_mg_h1", fmt(d1[5], 0), display=False)
glue("ch06_dw_mg_dep", fmt(mg_dep, 1), display=False)
glue("ch06_dw_kr_dep", fmt(d1[7] / d0[7], 1), display=False)
glue("ch06_dw_dh", fmt(d1[0] - d0[0]), display=False)
glue("ch06_dw_arrhenius", fmt(math.exp((d1[0] - d0[0]) / dw_D), 0), display=False)
glue("ch06_dw_pref", fmt(d0[0] / d1[0]), display=False)
glue("ch06_dw_a0", fmt(w0[1], 1), display=False)
glue("ch06_dw_a1", fmt(w1[1], 1), display=False)
glue("ch06_dw_afac", fmt(w1[1] / w0[1], 1), display=False)
glue("ch06_dw_ms_wid", fmt(ms_wid, 1), display=False)
glue("ch06_dw_ms_wid_pred", fmt((w1[1] / w0[1]) ** 1.5, 1), display=False)
glue("ch06_dw_mg_wid", fmt(mg_wid, 1), display=False)
glue("ch06_dw_mg_wid_pred", fmt((w1[1] / w0[1]) ** 2, 1), display=False)
glue("ch06_dw_verdict", dw_verdict, display=False)
glue("ch06_dw_eps", f"{dw_eps_stable:g}", display=False)
glue("ch06_dw_ip_dev", pct_dev(dw_rows[:, 2] / dw_rows[:, 4], ("below", "above")), display=False)
glue("ch06_dw_ip_dev_h0", pct_dev([d0[2] / d0[4]], ("below", "above")), display=False)
glue("ch06_dw_ip_dev_h1", pct_dev([d1[2] / d1[4]], ("below", "above")), display=False)
glue("ch06_dw_deeper", "does not make heavy-tailed escape slower" if d1[2] <= d0[2] else "makes heavy-tailed escape slower", display=False)

# %% [markdown]
# In this run, multiplying the depth by {glue:text}`ch06_dw_hfac` (h = {glue:text}`ch06_dw_h0` →
# {glue:text}`ch06_dw_h1`, a = 1) changes the heavy-tailed escape time from
# {glue:text}`ch06_dw_ms_h0` to {glue:text}`ch06_dw_ms_h1` ({glue:text}`ch06_dw_ms_dep_pct`), while
# the Gaussian time goes from {glue:text}`ch06_dw_mg_h0` to {glue:text}`ch06_dw_mg_h1`
# (×{glue:text}`ch06_dw_mg_dep`); Kramers' law predicts ×{glue:text}`ch06_dw_kr_dep`, the Arrhenius
# factor $e^{\Delta h/D}$ = {glue:text}`ch06_dw_arrhenius` ($\Delta h$ = {glue:text}`ch06_dw_dh`)
# times the prefactor ratio {glue:text}`ch06_dw_pref` of {eq}`eq-esc-kramers`. Multiplying the
# width by {glue:text}`ch06_dw_afac` (a = {glue:text}`ch06_dw_a0` → {glue:text}`ch06_dw_a1`,
# h = 0.5) multiplies the heavy-tailed time by {glue:text}`ch06_dw_ms_wid` (prediction
# $(a_1/a_0)^{1.5}$ = {glue:text}`ch06_dw_ms_wid_pred`) and the Gaussian one by
# {glue:text}`ch06_dw_mg_wid` (prefactor $(a_1/a_0)^2$ = {glue:text}`ch06_dw_mg_wid_pred`). The
# claim — heavy-tailed escape is governed by the width, Gaussian escape by the depth —
# {glue:text}`ch06_dw_verdict` here, by the criterion that the change of depth moves the
# heavy-tailed time less than the change of width does, and the Gaussian time more.
# Quantitatively the heavy-tailed simulation sits {glue:text}`ch06_dw_ip_dev` the
# Imkeller–Pavlyukevich value at this ε = {glue:text}`ch06_dw_eps` ({glue:text}`ch06_dw_ip_dev_h0`
# at h = {glue:text}`ch06_dw_h0`, {glue:text}`ch06_dw_ip_dev_h1` at h = {glue:text}`ch06_dw_h1`);
# the deeper (steeper) well {glue:text}`ch06_dw_deeper`. The leading-order law has no depth at all,
# so any dependence on the depth is a correction to it.
#
# ## Exit direction (Thm 4.3, Cor 4.4)
#
# Two coordinates with a common learning rate η, $\alpha_1 = \alpha_2 - \Delta$,
# $\epsilon_l = \eta^{(\alpha_l-1)/\alpha_l}$, $U = |w|^2/2$, $G = (-1,1)^2$. From
# {eq}`eq-esc-law`,
#
# $$
# \frac{P(W_\sigma \in \Omega^+_1)}{P(W_\sigma\in\Omega^+_2)} = \frac{m_1 (d^+_1)^{-\alpha_1}}{m_2 (d^+_2)^{-\alpha_2}}
# = \frac{c_{\alpha_1}\alpha_2}{c_{\alpha_2}\alpha_1}\,\eta^{\alpha_1-\alpha_2} \propto \eta^{-\Delta},
# $$ (eq-esc-ratio)
#
# so the lower-α axis wins more and more often as Δ grows (eq. 21). The printed eq. 20 has
# $\epsilon^{(\alpha_l-\alpha_j)(1-\rho)}$ instead; we draw it with $\epsilon = \eta^{(\alpha_\nu-1)/\alpha_\nu}$
# (ν: the average α) and ρ = 0.5. Printed formulas are evaluated with the paper's Lévy measure
# $|y|^{-1-\alpha}dy$; to describe the simulated process with it, its noise scale is taken as
# $c_\alpha^{1/\alpha}\sigma$ (then $\bar m_l$ equals our $m_l$).

# %%
dir_rows = []
dir_runs = {}
for dlt in dir_deltas:
    al = [dir_alpha2 - dlt, dir_alpha2]
    r = run(sde.quadratic([1.0, 1.0]), [0.0, 0.0], alpha=al, eta=dir_eta, dt=dt, horizon=1e6, n_paths=n_paths,
            domain=sde.Box([-1, -1], [1, 1]))
    p1 = float((r.exit_axis == 0).double().mean())
    ci = 1.96 * math.sqrt(max(p1 * (1 - p1), 1e-12) / n_paths)
    eps_l = theory.noise_epsilon(dir_eta, al)
    P = theory.exit_direction_probabilities(al, eps_l, [-1, -1], [1, 1])
    a_nu = float(np.mean(al))
    sig_p = theory.levy_constant(al) ** (1 / np.asarray(al))  # paper's c = 1 measure for the simulated process
    rp = float(theory.exit_direction_ratio_as_printed(al[0], al[1], theory.noise_epsilon(dir_eta, a_nu), 0.5, 1.0, 1.0,
                                                      sigma_l=sig_p[0], sigma_j=sig_p[1]))
    m, mci = mean_ci(r)
    dir_rows.append((dlt, p1, ci, P[0].sum(), rp / (1 + rp), m, mci, float(theory.mean_exit_time(al, eps_l, [-1, -1], [1, 1])),
                     float(theory.mean_transition_time_cor42_as_printed(al, eps_l, 0.5, [-1, -1], [1, 1], sigma=sig_p))))
    dir_runs[dlt] = (al, eps_l, r, sig_p)
dir_rows = np.array(dir_rows)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Which parameter leaves the basin: probability of exiting through axis 1 ($\\alpha_1=\\alpha_2-\\Delta$, $\\alpha_2 = 1.8$, common learning rate η) against Δ. Dots: simulation (1000 paths each, 95 % intervals); solid: derived eq. {eq}`eq-esc-ratio`; dashed: the printed eq. 20 (with ρ = 0.5) turned into a probability $r/(1+r)$.", "name": "fig-escaping-basin-direction"}}
fig, ax = plotting.figure()
ax.errorbar(dir_rows[:, 0], dir_rows[:, 1], yerr=dir_rows[:, 2], fmt="o", label="simulation")
ax.plot(dir_rows[:, 0], dir_rows[:, 3], "-", label="derived (eq. 19–21)")
ax.plot(dir_rows[:, 0], dir_rows[:, 4], "--", label="eq. 20 as printed")
ax.set_xlabel(r"$\Delta = \alpha_2-\alpha_1$")
ax.set_ylabel("P(exit via axis 1)")
ax.set_ylim(0, 1.02)
ax.legend()
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print("Delta  P1 sim         derived  printed-eq20   E[sigma] sim    derived   Cor4.2 printed")
for dlt, p1, ci, pd, pp, m, mci, md, mp in dir_rows:
    print(f"{dlt:4.1f} {p1:6.3f} ± {ci:5.3f} {pd:8.3f} {pp:10.3f} {m:10.1f} ± {mci:5.1f} {md:9.1f} {mp:12.3g}")

# %% tags=["hide-input"]
dr = dir_rows[np.argsort(dir_rows[:, 0])]
pos = dr[:, 0] > 0
dr_key = dr[np.argmin(np.abs(dr[:, 0] - 0.3))]
der_in = in_band(dr[:, 1], dr[:, 3], n_paths)        # derived law inside the band of the simulation
pr_out = ~in_band(dr[pos, 1], dr[pos, 4], n_paths)   # printed eq. 20 outside it
glue("ch06_dir_der_in", f"{int(der_in.sum())} of {der_in.size}", display=False)
glue("ch06_dir_d0", fmt(dr[0, 0], 1), display=False)
glue("ch06_dir_p_d0", fmt(dr[0, 1], 3), display=False)
glue("ch06_dir_pd_d0", fmt(dr[0, 3], 3), display=False)
glue("ch06_dir_dkey", fmt(dr_key[0], 1), display=False)
glue("ch06_dir_p_key", fmt(100 * dr_key[1], 1), display=False)
glue("ch06_dir_ci_key", fmt(100 * dr_key[2], 1), display=False)
glue("ch06_dir_pd_key", fmt(100 * dr_key[3], 1), display=False)
glue("ch06_dir_pp_key", fmt(100 * dr_key[4], 1), display=False)
glue("ch06_dir_dmax", fmt(dr[-1, 0], 1), display=False)
glue("ch06_dir_pp_max", fmt(100 * dr[-1, 4], 1), display=False)
glue("ch06_dir_p_max", fmt(100 * dr[-1, 1], 1), display=False)
glue("ch06_dir_pr_out", f"{int(pr_out.sum())} of {int(pos.sum())}", display=False)
eq20_contradicted = bool(pos.any() and pr_out.all())
glue("ch06_dir_eq20", "contradicts" if eq20_contradicted else "does not contradict", display=False)
glue("ch06_dir_eq20_under", "underestimates it" if pos.any() and (dr[pos, 4] < dr[pos, 1]).all() else "does not underestimate it at every Δ",
     display=False)
dir_ok = bool(dr[-1, 1] > 0.5 + 1.96 * math.sqrt(0.25 / n_paths))
glue("ch06_v_dir", "holds" if dir_ok else "fails", display=False)
is_bound = bool((dr[:, 8] >= dr[:, 5]).all())
glue("ch06_cor42_is", "it is one here" if is_bound else "it is not one here", display=False)
glue("ch06_cor42_isbound", "an upper bound" if is_bound else "not an upper bound", display=False)
ratios42 = dr[:, 8] / dr[:, 5]
glue("ch06_cor42_ratio", f"{ratios42.min():.0f}–{ratios42.max():.0f}×", display=False)
glue("ch06_cor42_p_d0", sig3(dr[0, 8]), display=False)
glue("ch06_cor42_s_d0", sig3(dr[0, 5]), display=False)
glue("ch06_cor42_p_dmax", sig3(dr[-1, 8]), display=False)
glue("ch06_cor42_s_dmax", sig3(dr[-1, 5]), display=False)

# %% [markdown]
# In this run the derived law lies inside the 95 % binomial band of the simulated share for
# {glue:text}`ch06_dir_der_in` values of Δ: at Δ = {glue:text}`ch06_dir_d0` the lower-α axis is the
# exit in a fraction {glue:text}`ch06_dir_p_d0` of the runs (derived {glue:text}`ch06_dir_pd_d0`),
# and at Δ = {glue:text}`ch06_dir_dkey` in {glue:text}`ch06_dir_p_key` ± {glue:text}`ch06_dir_ci_key` %
# (derived {glue:text}`ch06_dir_pd_key` %). That the heavier-tailed axis wins more and more often
# as Δ grows is the paper's qualitative claim (eq. 21). The printed eq. 20, with its extra factor
# $\epsilon^{-\rho(\alpha_l-\alpha_j)}$, predicts {glue:text}`ch06_dir_pp_key` % at
# Δ = {glue:text}`ch06_dir_dkey` and {glue:text}`ch06_dir_pp_max` % at
# Δ = {glue:text}`ch06_dir_dmax` (simulated: {glue:text}`ch06_dir_p_max` %), outside the band at
# {glue:text}`ch06_dir_pr_out` values of Δ > 0: the simulation {glue:text}`ch06_dir_eq20` eq. 20
# as printed (criterion: outside the band at every Δ > 0). The printed Cor 4.2 is meant as an
# upper bound on the mean exit time, and {glue:text}`ch06_cor42_is`: {glue:text}`ch06_cor42_p_d0`
# against a simulated {glue:text}`ch06_cor42_s_d0` at Δ = {glue:text}`ch06_dir_d0`,
# {glue:text}`ch06_cor42_p_dmax` against {glue:text}`ch06_cor42_s_dmax` at
# Δ = {glue:text}`ch06_dir_dmax`.
#
# ## The law of the escape time (Thm 4.5, Cor 4.6)
#
# With a constant schedule {eq}`eq-esc-law` gives an exponential law, $P(\sigma>u) =
# e^{-u\sum_l m_l\Phi_l}$ (Cor 4.6 up to its constants). We take the 2-D runs above at the
# Δ closest to 0.3 and the printed bound of Cor 4.6,
# $\sum_l A^{-1}_{l,\nu}(\bar\beta_l/\bar\beta_S)e^{-\bar m_l\Phi_l u}$ (paper constants, c = 1).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Survival function of the exit time, 2-D basin of the previous figure at Δ = 0.3: simulation (steps, 1000 paths) against the derived exponential law (solid) and the printed Cor 4.6 bound (dashed, paper constants). Log scale: an exponential tail is a straight line.", "name": "fig-escaping-basin-survival"}}
key = min(dir_runs, key=lambda d: abs(d - 0.3))
al, eps_l, r, sig_p = dir_runs[key]
t_sorted = np.sort(r.exit_time.cpu().numpy())
surv = 1.0 - np.arange(1, t_sorted.size + 1) / t_sorted.size
u = np.linspace(0, t_sorted[-1], 200)
fig, ax = plotting.figure()
ax.step(t_sorted, surv, where="post", label="simulation")
ax.plot(u, theory.survival_probability(u, al, eps_l, [-1, -1], [1, 1]), label="derived (Cor 4.6)")
ax.plot(u, np.minimum(theory.survival_cor46_as_printed(u, al, eps_l, 0.5, [-1, -1], [1, 1], sigma=sig_p), 10), "--", label="Cor 4.6 as printed")
ax.set_yscale("log")
ax.set_ylim(1.0 / t_sorted.size, 2)
ax.set_xlabel("u")
ax.set_ylabel(r"$P(\sigma > u)$")
ax.legend()
from scipy import stats  # noqa: E402

ks_p = stats.kstest(t_sorted, "expon", args=(0, float(theory.mean_exit_time(al, eps_l, [-1, -1], [1, 1])))).pvalue
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print(f"Delta={key}: KS p-value against the derived exponential law > 0.01: {ks_p > 0.01}")
print(f"simulated P(sigma > mean) = {np.mean(t_sorted > t_sorted.mean()):.2f}  (exponential: {math.exp(-1):.2f})")

# %% tags=["hide-input"]
glue("ch06_surv_key", fmt(key, 1), display=False)
glue("ch06_surv_ks_p", f"{ks_p:.2g}", display=False)
glue("ch06_surv_p_above", fmt(np.mean(t_sorted > t_sorted.mean())), display=False)
glue("ch06_v_surv", "holds" if ks_p > 0.01 else "fails", display=False)

# %% [markdown]
# ## The exponential scheduler (Thm 4.1)
#
# With $s_t = t^{\gamma-1}$ (held at 1 for $t<1$ in the simulation, where $t^{\gamma-1}$ is
# singular), the exit hazard is $m\Phi\, t^{(\gamma-1)(\alpha-1)}$ and {eq}`eq-esc-law` gives a
# Weibull law with
#
# $$
# \mathbb E\sigma_G = \Big(\frac{\gamma_l}{m\Phi}\Big)^{1/\gamma_l}\Gamma\Big(1+\frac1{\gamma_l}\Big),
# \qquad \gamma_l = 1 + (\gamma-1)(\alpha-1).
# $$ (eq-esc-sched)
#
# Smaller γ (faster decay) lengthens the escape; the effect grows with α, since the noise
# amplitude scales as $s_t^{(\alpha-1)/\alpha}$ and at α = 1 the schedule does not touch it.
# For α → 2 and γ → 0, $\gamma_l\to0$ and $\mathbb E\sigma\to\infty$: the process is trapped
# (and at α = 2 exactly there are no jumps at all). We choose ε per α so that the predicted
# $\mathbb E\sigma$ at γ = 1 is `sched_mean`, and plot simulated and predicted
# $\mathbb E\sigma(\gamma)$ divided by that prediction. Paths run to 30 predicted means; a path
# still inside then would count at the horizon (a lower bound), and the table prints the
# censored fraction.

# %%
sched_rows = []
for a in sched_alphas:
    e = float((a / (theory.levy_constant(a) * 2.0 * sched_mean)) ** (1 / a))
    for g in sched_gammas:
        th_m = float(theory.mean_exit_time(a, e, -1, 1, gamma=g))
        r = run(quad, [0.0], alpha=a, eps=e, dt=sched_dt, horizon=30 * th_m, n_paths=n_paths, domain=sde.Box([-1.0], [1.0]),
                schedule=sde.exponential_schedule(g))
        t = r.exit_time.cpu().numpy()
        cens = float(r.censored.double().mean())
        sched_rows.append((a, g, e, t.mean(), 1.96 * t.std(ddof=1) / math.sqrt(t.size), th_m, cens))
sched_rows = np.array(sched_rows)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Thm 4.1: mean escape time under $s_t=t^{\\gamma-1}$ relative to the predicted one at γ = 1, against the cooling rate γ, for several α (ε chosen so that the predicted $\\mathbb E\\sigma$ is 100 at γ = 1). Dots: simulation (95 % intervals); lines: eq. {eq}`eq-esc-sched`; thin lines: theory for α closer to 2, where the ratio diverges as γ → 0.", "name": "fig-escaping-basin-scheduler"}}
fig, ax = plotting.figure()
gg = np.linspace(0.2, 1.0, 60)
for i, a in enumerate(sched_alphas):
    sel = sched_rows[:, 0] == a
    base = float(theory.mean_exit_time(a, sched_rows[sel][0, 2], -1, 1))
    ax.errorbar(sched_rows[sel, 1], sched_rows[sel, 3] / base, yerr=sched_rows[sel, 4] / base, fmt="o", color=plotting.PALETTE[i], label=rf"$\alpha$ = {a}")
    e = sched_rows[sel][0, 2]
    ax.plot(gg, [theory.mean_exit_time(a, e, -1, 1, gamma=g) / theory.mean_exit_time(a, e, -1, 1) for g in gg], color=plotting.PALETTE[i])
for a, ls in ((1.95, "-"), (1.99, "--")):
    e = float((a / (theory.levy_constant(a) * 2.0 * sched_mean)) ** (1 / a))
    ax.plot(gg, [theory.mean_exit_time(a, e, -1, 1, gamma=g) / theory.mean_exit_time(a, e, -1, 1) for g in gg], ls, lw=0.8,
            color="0.4", label=rf"$\alpha$ = {a} (theory)")
ax.set_yscale("log")
ax.set_xlabel(r"cooling rate $\gamma$")
ax.set_ylabel(r"$\mathbb{E}\sigma(\gamma)$ / predicted $\mathbb{E}\sigma(1)$")
ax.legend()
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print("alpha gamma   E[sigma] sim        theory   censored")
for a, g, e, m, ci, t, c in sched_rows:
    print(f"{a:4.1f} {g:5.2f} {m:10.1f} ± {ci:6.1f} {t:9.1f} {c:8.3f}")

# %% tags=["hide-input"]
growth, lengthens = [], True
for a in sched_alphas:
    rs_ = sched_rows[sched_rows[:, 0] == a]
    rs_ = rs_[np.argsort(-rs_[:, 1])]                    # γ decreasing
    lengthens &= bool((np.diff(rs_[:, 3]) > 0).all())   # criterion: every smaller γ gives a longer mean
    growth.append(rs_[-1, 3] / rs_[0, 3])
growth = np.array(growth)
if len(sched_alphas) >= 2:
    trend = "growing with α" if (np.diff(growth[np.argsort(sched_alphas)]) > 0).all() else "not growing with α"
    growth_txt = f"E σ(γ = {min(sched_gammas):g}) / E σ(γ = {max(sched_gammas):g}) = {fmt_list(growth, 1)} for α = {fmt_list(sched_alphas, 1)}, {trend}"
else:
    growth_txt = f"E σ(γ = {min(sched_gammas):g}) / E σ(γ = {max(sched_gammas):g}) = {fmt(growth[0], 1)} (one α only)"
outside = [(a, g, 100 * (m / t - 1)) for a, g, e, m, ci, t, c in sched_rows if abs(m - t) > ci]
sched_txt = f"Weibull mean within the 95 % intervals at {len(sched_rows) - len(outside)} of {len(sched_rows)} points"
if outside:
    sched_txt += "; outside: " + ", ".join(f"α = {a:.1f}, γ = {g:.2f} ({d:+.0f} %)" for a, g, d in outside).replace("-", "\u2212")
glue("ch06_v_sched", "holds" if lengthens else "fails", display=False)
glue("ch06_sched_growth", growth_txt, display=False)
glue("ch06_sched_fit", sched_txt, display=False)

# %% [markdown]
# ## Figure 6: the 2-D Ackley function
#
# The paper's experiment: gradient descent on Ackley's function {cite:p}`ackley1987connectionist`
# with independent SαS noise on each coordinate, $\alpha_1 = \alpha_2 - \Delta$, learning rate
# $10^{-4}$, started at the global minimum 0; once the iterate leaves a ball, the larger
# coordinate names the exit axis. With `eta=dt=1e-4` the Euler scheme *is* this gradient descent,
# $w \leftarrow w - \eta(\nabla U(w) + \sigma X)$. The paper does not give the noise scale or the
# radius; we take σ = `ackley_sigma` and radius `ackley_radius`, for which the per-step noise
# $\eta\sigma$ is 1 % of the radius (the small-noise regime). The prediction drawn is
# {eq}`eq-esc-law` with $d^\pm = \pm r$.

# %%
ack = sde.ackley()
ack_rows = []
for dlt in ackley_deltas:
    al = [ackley_alpha2 - dlt, ackley_alpha2]
    r = run(ack, [0.0, 0.0], alpha=al, eta=ackley_eta, sigma=ackley_sigma, dt=ackley_eta, horizon=1e6 * ackley_eta,
            n_paths=ackley_seeds, domain=sde.Ball([0.0, 0.0], ackley_radius))
    p1 = float((r.exit_axis == 0).double().mean())
    ci = 1.96 * math.sqrt(max(p1 * (1 - p1), 1e-12) / ackley_seeds)
    P = theory.exit_direction_probabilities(al, theory.noise_epsilon(ackley_eta, al), [-ackley_radius] * 2, [ackley_radius] * 2, sigma=ackley_sigma)
    its = float(r.exit_time.mean()) / ackley_eta
    ack_rows.append((dlt, p1, ci, P[0].sum(), its, float(r.censored.double().mean())))
ack_rows = np.array(ack_rows)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Figure 6 reproduced: 2-D Ackley function, gradient descent with per-axis SαS noise ($\\alpha_2 = 1.8$, $\\alpha_1=\\alpha_2-\\Delta$, learning rate $10^{-4}$, noise scale 10), started at the global minimum; probability that the coordinate $x_1$ is the larger one when the iterate leaves the ball of radius 0.1, over 1000 seeds per Δ (95 % intervals), against the first-jump law {eq}`eq-esc-law`.", "name": "fig-escaping-basin-ackley"}}
fig, ax = plotting.figure()
ax.errorbar(ack_rows[:, 0], ack_rows[:, 1], yerr=ack_rows[:, 2], fmt="o", label="simulation")
ax.plot(ack_rows[:, 0], ack_rows[:, 3], "-", label="first-jump law")
ax.axhline(0.5, color="0.6", lw=0.8)
ax.set_xlabel(r"$\Delta = \alpha_2-\alpha_1$")
ax.set_ylabel("P(exit via $x_1$)")
ax.set_ylim(0, 1.02)
ax.legend()
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print("Delta  P(x1) sim       law    mean iterations  censored")
for dlt, p1, ci, pl, its, c in ack_rows:
    print(f"{dlt:4.1f} {p1:6.3f} ± {ci:5.3f} {pl:6.3f} {its:12.0f} {c:9.3f}")

# %% tags=["hide-input"]
ar = ack_rows[np.argsort(ack_rows[:, 0])]
ack_in = in_band(ar[:, 1], ar[:, 3], ackley_seeds)
# criterion: at the largest Δ the smaller-α axis wins significantly more often than 1/2
ack_ok = bool(ar[-1, 1] > 0.5 + 1.96 * math.sqrt(0.25 / ackley_seeds))
glue("ch06_ack_p", fmt_list(ar[:, 1]), display=False)
glue("ch06_ack_law", fmt_list(ar[:, 3]), display=False)
glue("ch06_ack_deltas", fmt_list(ar[:, 0], 1), display=False)
glue("ch06_ack_p_first", fmt(ar[0, 1]), display=False)
glue("ch06_ack_p_last", fmt(ar[-1, 1]), display=False)
glue("ch06_ack_in", f"{int(ack_in.sum())} of {ack_in.size}", display=False)
glue("ch06_v_ack", "reproduced" if ack_ok else "not reproduced", display=False)

# %% [markdown]
# In the paper's Figure 6 the axis with the smaller α becomes the exit axis with a probability that
# rises quickly with Δ. In this run that probability is {glue:text}`ch06_ack_p` for
# Δ = {glue:text}`ch06_ack_deltas`; the first-jump law, with the ball replaced by its inscribed box
# $d^\pm=\pm r$, predicts without fitting {glue:text}`ch06_ack_law`, inside the 95 % binomial band
# of the simulated share for {glue:text}`ch06_ack_in` values of Δ.
#
# ## Verdict
#
# "Holds" means that the criterion stated in the section is met in this run.
#
# | statement | simulation (this run) |
# | --- | --- |
# | Cor 4.2: $\mathbb E\sigma$ polynomial in ε, $\propto\epsilon^{-\alpha}$ (derived form = Imkeller–Pavlyukevich) | {glue:text}`ch06_v_mean`; theory within the 95 % interval for {glue:text}`ch06_small_in` values of α at ε = {glue:text}`ch06_eps_small`, simulation {glue:text}`ch06_large_dev` at ε = {glue:text}`ch06_eps_large` |
# | escape depends on width, not depth (α < 2) vs exponential in depth (α = 2, Kramers) | {glue:text}`ch06_dw_verdict`; depth ×{glue:text}`ch06_dw_hfac`: {glue:text}`ch06_dw_ms_dep_pct` (α = 1.5) vs ×{glue:text}`ch06_dw_mg_dep` (α = 2) |
# | Thm 4.1 / Cor 4.2 as printed | infinite for one parameter; for two, {glue:text}`ch06_cor42_isbound` ({glue:text}`ch06_cor42_ratio` the simulated mean) |
# | Thm 4.3 / Cor 4.4: lower α is the likelier exit axis, ratio $\propto\epsilon^{\Delta}$ | {glue:text}`ch06_v_dir`; derived ratio within the 95 % band for {glue:text}`ch06_dir_der_in` Δ; the printed eq. 20 {glue:text}`ch06_dir_eq20_under` |
# | Cor 4.6: exponential law of σ | {glue:text}`ch06_v_surv` at Δ = {glue:text}`ch06_surv_key` (KS p-value {glue:text}`ch06_surv_ks_p` > 0.01; $P(\sigma>\bar\sigma)$ = {glue:text}`ch06_surv_p_above` vs $e^{-1}$ = 0.37) |
# | Thm 4.1: smaller γ lengthens escape, more so as α → 2 | {glue:text}`ch06_v_sched`; {glue:text}`ch06_sched_growth`; {glue:text}`ch06_sched_fit` ({eq}`eq-esc-sched`) |
# | Figure 6 (Ackley) | {glue:text}`ch06_v_ack` (P(exit via $x_1$) from {glue:text}`ch06_ack_p_first` to {glue:text}`ch06_ack_p_last`); first-jump law within the 95 % band for {glue:text}`ch06_ack_in` Δ |
#
# ## What was changed relative to the printed formulas
#
# The extracted text of the paper garbles several exponents; `sgnlib.theory` implements what the
# derivation supports and keeps the printed versions for comparison:
#
# * **Lévy constant.** The paper's Lévy measure is $|y|^{-1-\alpha}dy$; a standard SαS law (the
#   one simulated) has $c_\alpha|y|^{-1-\alpha}dy$. All rates carry $c_\alpha$ (`c=` argument).
# * **eq. 13, $m_l$.** Printed $m_l = \mathbf 1^\top\lambda_l\epsilon^\alpha/\alpha$; the exit
#   condition $|\bar\epsilon\sigma J| > d$ gives $(\sigma\epsilon)^\alpha$ (as in $\bar m_l$ of Thm 4.1).
# * **eq. 15.** Printed $s_t^{-\rho\alpha}$; the inverse of eq. 12 has $s_t^{-\rho(\alpha-1)}$.
# * **Thm 4.1 / Cor 4.2 (eq. 16).** The printed bound sums per-axis times weighted by
#   $A^{-1}_{l,\nu}\beta_l/\beta_S$; thinning the combined Poisson stream of large jumps gives
#   one time with the *summed* exit rates in the denominator, {eq}`eq-esc-law`. $A_{l,\nu} = 0$ for a
#   single parameter, so the printed bound is infinite in 1-D; eq. 16 as extracted drops the
#   fraction bar (we use the γ → 1 limit of Thm 4.1). The Γ-factor of Thm 4.1,
#   $(\bar m\Phi)^{1-C}\Gamma(C)/\gamma_l$, differs from the Weibull mean
#   {eq}`eq-esc-sched` by the factor $\gamma_l^{1+1/\gamma_l}$ (both → 1 as γ → 1).
# * **eq. 19–20.** The printed exit probability divides by $\bar\beta_i$, giving
#   $\epsilon^{(\alpha_l-\alpha_j)(1-\rho)}$; the exit rate of an axis is $\beta_l\times$ eq. 13 $= m_l\Phi_l$, in
#   which β cancels, giving $\epsilon^{\alpha_l-\alpha_j}$. The simulation sides with the derived form.
# * **Cor 4.6.** The derived law is $e^{-u\sum_l m_l\Phi_l}$, one exponential; the printed bound is
#   a mixture of per-axis exponentials weighted by $A^{-1}\beta_l/\beta_S$.

# %%
from sgnlib.provenance import show_versions  # noqa: E402

show_versions()
