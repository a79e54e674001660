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
# (ch-levy-sde)=
# # 05 · A Lévy-driven SDE for SGD
#
# The theory of {cite:t}`battash2023revisiting` replaces SGD near a minimum by a stochastic
# differential equation driven by symmetric α-stable (SαS) Lévy processes, one per parameter,
# each with its own tail index $\alpha_l$. This chapter builds that model and checks, by
# simulation with `sgnlib.sde`, the facts its escape theorems (chapter 06) stand on:
#
# * the SGD update is the Euler step of the SDE (their eq. 3);
# * the driving noise splits into small jumps and rare large jumps at a threshold $O$;
# * without noise the process relaxes exponentially to the minimum (Lemma 3.1);
# * between large jumps the small-jump process stays close to the deterministic one (Proposition 3.2);
# * large jumps arrive as a Poisson process of intensity $\beta_l$ (eq. 12) with exponential gaps (eq. 15);
# * the relaxation time (eq. 14) is much shorter than the gap between large jumps, so exits
#   happen at large jumps.

# %% tags=["parameters"]
profile = "book"          # set by the chapter runner
seed = 0                  # every random number of the chapter derives from it
device = "cpu"            # "auto": CUDA where present; CPU keeps the quick profile bit-exact
alpha = 1.5               # tail index of the examples
rho = 0.5                 # large-jump threshold exponent, the threshold is eps_bar^(-rho)
dt = 0.05                 # Euler step (SDE time)
n_paths = 2000            # paths per Monte-Carlo point
jump_eps = 0.05           # eps of the jump-statistics experiment
jump_horizon = 1000.0     # its horizon (SDE time), many mean gaps long
prop_eps = [0.3, 0.1, 0.03, 0.01, 0.003]  # eps_bar values of the Proposition 3.2 experiment
prop_theta = 0.1          # theta of Prop. 3.2, in (0, (2 - alpha)/4)
prop_c = 0.2              # the constant c of Prop. 3.2's deviation c * eps_bar^theta
relax_zeta = 0.5          # zeta of the relaxation neighbourhood eps_bar^zeta (eq. 14)

# %%
import math

import numpy as np

import sgnlib
from sgnlib import plotting, sde, theory

plotting.use_style()
device = sgnlib.resolve_device(device)
c_alpha = float(theory.levy_constant(alpha))
print(f"profile={profile}, device={device}, alpha={alpha}, c_alpha={c_alpha:.4f}")

# %% [markdown]
# ## From the SGD update to eq. 3
#
# Near a minimum $W^*$ write the SGD step with a learning rate $\eta s_t$ ($s_t$ the schedule) and
# per-parameter SαS gradient noise of scale $\sigma_l$ (the paper's $\mathbf 1^\top\lambda_l$, the
# row sum of the noise covariance):
#
# $$
# w_{k+1} = w_k - \eta s_{t_k} \nabla U(w_k) + \sum_{l=1}^N \eta\, s_{t_k}\, \sigma_l X^l_k\, e_l ,
# \qquad X^l_k \sim S\alpha_l S(1)\ \text{i.i.d.}
# $$ (eq-levy-sgd)
#
# An SαS process $L^l_t$ has stationary increments with $L_{t+h}-L_t \overset{d}{=} h^{1/\alpha} L_1$,
# so with time step $dt=\eta$ the noise $\eta\sigma X$ equals $\epsilon\sigma\,(L_{t+\eta}-L_t)$ with
# $\epsilon = \eta^{(\alpha-1)/\alpha}$: {eq}`eq-levy-sgd` is the Euler scheme
# {cite:p}`protter1997euler` of
#
# $$
# W_t = w - \int_0^t \nabla U(W_p)\,dp + \sum_{l=1}^N s_t^{\frac{\alpha_l-1}{\alpha_l}} \epsilon_l\, \sigma_l\, L^l_t\, e_l ,
# \qquad \epsilon_l = \eta^{(\alpha_l-1)/\alpha_l},
# $$ (eq-levy-sde)
#
# the paper's eq. 3 with one-hot directions $r_l = e_l$. (With a schedule, the drift also carries
# $s_t$ in eq. {eq}`eq-levy-sgd`; eq. 3, which we simulate, keeps $s_t$ only on the noise.)
# Throughout, $L^l_1$ has characteristic function $e^{-|u|^{\alpha}}$ (the convention of
# `sgnlib.stable`); at α = 2 this is $\sqrt2$ times a Brownian motion. `sgnlib.sde.simulate` runs
# the Euler scheme for thousands of paths in one tensor program; with `eta=η, dt=η` one step is
# exactly one SGD step. We check that on a flat potential: after one step the position divided
# by $\eta\sigma$ must be standard SαS.

# %%
eta = 1e-2
one = sde.simulate(lambda w: 0.0 * w.sum(-1), [0.0], alpha=alpha, eta=eta, dt=eta, horizon=eta,
                   n_paths=n_paths * 10, sigma=2.0, generator=seed, device=device)
x = one.position[:, 0].cpu().numpy() / (eta * 2.0)
q_sim = np.quantile(x, [0.75, 0.95])
from sgnlib import stable  # noqa: E402

q_ref = np.quantile(stable.sample(alpha, size=200_000, rng=seed), [0.75, 0.95])
print("quantiles 0.75, 0.95 of one SGD step / (eta sigma):", np.round(q_sim, 2), "SaS(1):", np.round(q_ref, 2))

# %% [markdown]
# ## Small and large jumps
#
# The Lévy measure of $L^l$ is $\nu_l(dy) = c_{\alpha}|y|^{-1-\alpha}dy$, with
# $c_\alpha = \Gamma(1+\alpha)\sin(\pi\alpha/2)/\pi$ for our normalisation
# {cite:p}`samorodnitsky1994stable` (the paper writes $c_\alpha = 1$). Split $L = \xi + \psi$ at
# the threshold $O = \bar\epsilon^{-\rho}$, $\bar\epsilon_l = s_t^{(\alpha_l-1)/\alpha_l}\epsilon_l$,
# $\rho\in(0,1)$: $\psi$ collects the jumps with $|\Delta L|>O$, a compound Poisson process of
# intensity (eq. 12)
#
# $$
# \beta_l(t) = \nu_l(\mathbb R\setminus[-O,O]) = \frac{2c_\alpha}{\alpha_l} s_t^{\rho(\alpha_l-1)} \epsilon_l^{\rho\alpha_l},
# $$ (eq-levy-beta)
#
# and $\xi$ the rest, the *small jumps*. The large jumps are rare ($\beta\to0$ as
# $\bar\epsilon\to0$) but each moves $W^l$ by at least $\bar\epsilon^{1-\rho}\sigma_l$, much more
# than the small jumps do together. In the simulator an increment of $L$ over one step is a
# large jump when its size exceeds $O$ (`rho=` or `jump_threshold=`), and
# `small_jumps_only=True` drops them, giving the process $Z$ of eq. 8.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "One path of eq. {eq}`eq-levy-sde` in the quadratic basin $U=w^2/2$ ($\\alpha=1.5$, $\\epsilon=0.05$). Dots: the large jumps ($|\\Delta L|>O$, here $O=\\epsilon^{-\\rho}$). Between them the path stays in a narrow band around the minimum; every large excursion starts with a large jump and relaxes back exponentially.", "name": "fig-levy-sde-path"}}
pot = sde.quadratic([1.0])
path = sde.simulate(pot, [0.0], alpha=alpha, eps=jump_eps, rho=rho, dt=dt, horizon=min(jump_horizon, 300.0),
                    record_every=1, record_jumps=True, generator=seed + 1, device=device)
fig, ax = plotting.figure()
ax.plot(path.times, path.trajectory[:, 0, 0].cpu().numpy(), lw=0.8, label="$W_t$")
jt = path.jumps["time"].cpu().numpy()
idx = np.searchsorted(path.times, jt)
ax.plot(jt, path.trajectory[idx, 0, 0].cpu().numpy(), "o", ms=4, color=plotting.PALETTE[1], label="large jump")
ax.set_xlabel("t")
ax.set_ylabel("$W_t$")
ax.legend()
plotting.plt.show()

# %% [markdown]
# ## Lemma 3.1: exponential relaxation without noise
#
# The deterministic process $Y_t = w - \int_0^t\nabla U(Y_s)ds$ (eq. 5) of a μ-strongly convex
# basin satisfies
#
# $$
# \|Y_t - W^*\|^2 \le \frac{2\tilde U}{\mu} e^{-2\mu t}, \qquad \tilde U = U(w) - U(W^*).
# $$ (eq-levy-lemma31)
#
# We check it on a 2-D quadratic with a non-diagonal Hessian (σ = 0 in the simulator).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Lemma 3.1 on $U(w)=\\frac12 (w-W^*)^\\top H (w-W^*)$ with $H=\\begin{pmatrix}2&0.5\\\\0.5&1\\end{pmatrix}$, $\\mu=\\lambda_{\\min}(H)$, from three starting points (Euler step $10^{-3}$). Solid: $\\|Y_t-W^*\\|^2$; dashed: the bound {eq}`eq-levy-lemma31`. The bound holds and is tight in its rate $2\\mu$.", "name": "fig-levy-sde-lemma31"}}
H = np.array([[2.0, 0.5], [0.5, 1.0]])
wstar = np.array([0.3, -0.2])
quad2 = sde.quadratic(H, minimum=wstar)
mu = float(np.linalg.eigvalsh(H).min())
starts = np.array([[1.0, -0.5], [-1.0, 1.0], [0.3, 1.5]])
det = sde.simulate(quad2, starts, n_paths=3, alpha=alpha, sigma=0.0, dt=1e-3, horizon=5.0, record_every=20, device=device)
fig, ax = plotting.figure()
lemma_ok = True
for i, w in enumerate(starts):
    d2 = ((det.trajectory[:, i, :].cpu().numpy() - wstar) ** 2).sum(-1)
    ut = 0.5 * (w - wstar) @ H @ (w - wstar)
    bound = theory.lemma31_bound(ut, mu, det.times)
    lemma_ok &= bool((d2 <= bound * (1 + 1e-12)).all())
    ax.semilogy(det.times, d2, color=plotting.PALETTE[i], label=f"w = {tuple(w)}")
    ax.semilogy(det.times, bound, "--", color=plotting.PALETTE[i])
ax.set_xlabel("t")
ax.set_ylabel(r"$\|Y_t-W^*\|^2$")
ax.legend()
late = det.times > 3
slope = np.polyfit(det.times[late], np.log(((det.trajectory[late.nonzero()[0], 0, :].cpu().numpy() - wstar) ** 2).sum(-1)), 1)[0]
print(f"Lemma 3.1 holds on all paths: {lemma_ok}; late log-slope {slope:.3f} vs -2 mu = {-2 * mu:.3f}")
plotting.plt.show()

# %% tags=["hide-input"]
from myst_nb import glue  # noqa: E402
from sgnlib.report import fmt  # noqa: E402


glue("ch05_lemma_verdict", "holds" if lemma_ok else "fails", display=False)
glue("ch05_lemma_slope", fmt(slope, 3), display=False)
glue("ch05_lemma_rate", fmt(-2 * mu, 3), display=False)

# %% [markdown]
# ## Proposition 3.2: the small-jump process stays close to $Y$
#
# Proposition 3.2 states that over an exponential time $T_\epsilon$ of rate $\beta_l$ (the time to
# the next large jump)
#
# $$
# P\Big(\sup_{t\le T_\epsilon} |Z^l_t - Y^l_t| \ge c\,\bar\epsilon^{\theta}\Big) \le C_\theta\, \bar\epsilon^{\bar\theta},
# \qquad \bar\theta = -\rho(1-\alpha) + 2 - 2\theta,\ \theta\in\big(0, \tfrac{2-\alpha}{4}\big),
# $$ (eq-levy-prop32)
#
# with an unspecified constant $C_\theta$. For a quadratic potential the difference
# $D_t = Z_t - Y_t$ is itself an Ornstein–Uhlenbeck process driven by the small jumps and started
# at 0, so the probability on the left is the probability that $D$ leaves
# $(-c\bar\epsilon^\theta, c\bar\epsilon^\theta)$ before $T_\epsilon$: an exit problem the
# simulator solves directly. We take $T_\epsilon = 1/\beta$ (its mean), $\theta$ and $c$ from the
# parameters cell.

# %%
theta_bar = float(theory.prop32_exponent(alpha, rho, prop_theta))
prop_rows = []
for k, e in enumerate(prop_eps):
    beta = float(theory.jump_intensity(alpha, e, rho, c=c_alpha))
    thr = prop_c * e ** prop_theta
    r = sde.simulate(pot, [0.0], alpha=alpha, eps=e, rho=rho, small_jumps_only=True, dt=dt, horizon=1 / beta,
                     n_paths=n_paths, domain=sde.Box([-thr], [thr]), generator=seed + 10 + k, device=device)
    p = float(r.exited.double().mean())
    # 95 % upper limit when nothing was seen (rule of three)
    hi = p + 1.96 * math.sqrt(max(p * (1 - p), 1e-12) / n_paths) if p > 0 else 3.0 / n_paths
    prop_rows.append((e, 1 / beta, thr, p, hi, e ** theta_bar))
prop_rows = np.array(prop_rows)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Proposition 3.2 ($\\alpha=1.5$, $\\rho=0.5$, $\\theta=0.1$, $c=0.2$): the measured probability that the small-jump process leaves the band $c\\bar\\epsilon^\\theta$ around $Y$ within the mean time $1/\\beta$ to the next large jump (dots, 95 % intervals; triangles: 95 % upper limits where no path left), against the rate $\\bar\\epsilon^{\\bar\\theta}$ of the bound {eq}`eq-levy-prop32` scaled by the smallest constant $C_\\theta$ consistent with all points (dashed).", "name": "fig-levy-sde-prop32"}}
fig, ax = plotting.figure()
e_, p_, hi_, rate = prop_rows[:, 0], prop_rows[:, 3], prop_rows[:, 4], prop_rows[:, 5]
seen = p_ > 0
ax.errorbar(e_[seen], p_[seen], yerr=[np.minimum(p_[seen], hi_[seen] - p_[seen]), hi_[seen] - p_[seen]], fmt="o", label="simulation")
ax.plot(e_[~seen], hi_[~seen], "v", color=plotting.PALETTE[0], label="upper limit (none seen)")
C_theta = float(np.max(p_ / rate))
grid = np.geomspace(e_.min(), e_.max(), 50)
ax.loglog(grid, np.minimum(C_theta * grid ** theta_bar, 1.0), "--", color=plotting.PALETTE[1], label=rf"$C_\theta\bar\epsilon^{{\bar\theta}}$, $\bar\theta$ = {theta_bar:.2f}")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel(r"$\bar\epsilon$")
ax.set_ylabel(r"$P(\sup_{t\leq 1/\beta}|Z_t-Y_t|\geq c\bar\epsilon^\theta)$")
ax.legend()
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print("eps_bar  1/beta  band   P_measured  eps^theta_bar")
for e, T, thr, p, hi, rt in prop_rows:
    print(f"{e:7.3f} {T:7.1f} {thr:6.3f} {p:10.4f} {rt:12.2e}")

# %% tags=["hide-input"]
# The rate of Prop. 3.2 in this run: the log-log slope of the measured probability between the two
# smallest eps_bar at which it is strictly between 0 and 1 (a saturated or empty point has no slope),
# against the exponent theta_bar of the bound. Criterion: the rate is confirmed if the slope is steeper.
inner = np.flatnonzero((prop_rows[:, 3] > 0) & (prop_rows[:, 3] < 1))
inner = inner[np.argsort(prop_rows[inner, 0])][:2]
if inner.size == 2:
    (e_lo, p_lo), (e_hi, p_hi) = prop_rows[inner][:, [0, 3]]
    prop_slope = math.log(p_hi / p_lo) / math.log(e_hi / e_lo)
else:
    e_lo = e_hi = prop_slope = float("nan")
prop_ok = bool(prop_slope > theta_bar)
glue("ch05_prop_e_lo", f"{e_lo:g}", display=False)
glue("ch05_prop_e_hi", f"{e_hi:g}", display=False)
glue("ch05_prop_slope", fmt(prop_slope), display=False)
glue("ch05_theta_bar", fmt(theta_bar), display=False)
glue("ch05_prop_steeper", "steeper than" if prop_ok else "not steeper than", display=False)
glue("ch05_prop_verdict", "is consistent with Proposition 3.2" if prop_ok else "does not confirm the rate of Proposition 3.2",
     display=False)
glue("ch05_prop_e_max", f"{prop_rows[:, 0].max():g}", display=False)
glue("ch05_prop_p_max", fmt(prop_rows[np.argmax(prop_rows[:, 0]), 3], 3), display=False)
glue("ch05_prop_n_none", int(np.sum(prop_rows[:, 3] == 0)), display=False)
glue("ch05_prop_n_eps", len(prop_rows), display=False)

# %% [markdown]
# The bound is only asymptotic in $\bar\epsilon$ with an unknown $C_\theta$, so the only
# falsifiable content is the rate. In this run the measured probability falls between
# $\bar\epsilon$ = {glue:text}`ch05_prop_e_hi` and {glue:text}`ch05_prop_e_lo` with a log–log slope
# of {glue:text}`ch05_prop_slope`, {glue:text}`ch05_prop_steeper` the exponent
# $\bar\theta$ = {glue:text}`ch05_theta_bar` of the bound, and no path left the band at
# {glue:text}`ch05_prop_n_none` of the {glue:text}`ch05_prop_n_eps` values of $\bar\epsilon$;
# so the simulation {glue:text}`ch05_prop_verdict` (criterion: a slope steeper than
# $\bar\theta$). A fast fall is expected: the small jumps are bounded by $O$, so a deviation of
# size $c\bar\epsilon^\theta \gg \bar\epsilon^{1-\rho}$ needs many of them within one relaxation
# time, which is exponentially unlikely as $\bar\epsilon\to0$. At the largest $\bar\epsilon$
# ({glue:text}`ch05_prop_e_max`) the "small" jumps are not small, and a fraction
# {glue:text}`ch05_prop_p_max` of the paths crosses the band.
#
# ## Jump intensity and inter-jump times
#
# The large jumps of each coordinate form a Poisson process of rate $\beta_l$, so the gaps
# $S_k = \tau_k - \tau_{k-1}$ are exponential with mean (eq. 15)
#
# $$
# \mathbb E[S_k] = \beta_l^{-1} = \frac{\alpha_l}{2c_\alpha} s_t^{-\rho(\alpha_l-1)}\epsilon_l^{-\rho\alpha_l}.
# $$ (eq-levy-es)
#
# (Eq. 15 of the paper prints $s_t^{-\rho\alpha}$; the inverse of its eq. 12 has $s_t^{-\rho(\alpha-1)}$.
# The two agree for a constant schedule, used here.)

# %%
jr = sde.simulate(pot, [0.0], alpha=alpha, eps=jump_eps, rho=rho, dt=dt, horizon=jump_horizon, n_paths=n_paths,
                  record_jumps=True, generator=seed + 2, device=device)
beta_th = float(theory.jump_intensity(alpha, jump_eps, rho, c=c_alpha))
counts = jr.n_large_jumps[:, 0].double().cpu().numpy()
beta_hat = counts.mean() / jr.horizon
beta_se = math.sqrt(counts.mean()) / math.sqrt(n_paths) / jr.horizon
t_j = jr.jumps["time"].cpu().numpy()
p_j = jr.jumps["path"].cpu().numpy()
start = np.concatenate([[0.0], t_j[:-1]])
start[np.concatenate([[True], p_j[1:] != p_j[:-1]])] = 0.0
gaps = (t_j - start)[start < jr.horizon / 2]  # gaps whose end is observed: no length bias
from scipy import stats  # noqa: E402

ks = stats.kstest(gaps, "expon", args=(0, 1 / beta_th))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gaps between the large jumps of one coordinate ($\\alpha=1.5$, $\\epsilon=0.05$, $\\rho=0.5$), pooled over paths, against the exponential law of rate $\\beta$ from eq. {eq}`eq-levy-beta` (line). Inset numbers: measured and predicted intensity.", "name": "fig-levy-sde-gaps"}}
fig, ax = plotting.figure()
ax.hist(gaps, bins=60, density=True, alpha=0.6, label="simulation")
g = np.linspace(0, np.quantile(gaps, 0.995), 200)
ax.plot(g, beta_th * np.exp(-beta_th * g), label=r"$\beta e^{-\beta s}$, eq. 12")
ax.set_yscale("log")
ax.set_xlabel("gap $S_k$")
ax.set_ylabel("density")
ax.text(0.5, 0.8, rf"$\hat\beta$ = {beta_hat:.4f} ± {beta_se:.4f}" + "\n" + rf"$\beta$ = {beta_th:.4f}", transform=ax.transAxes)
ax.legend(loc="upper right")
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print(f"beta measured {beta_hat:.4f} +- {beta_se:.4f}, eq. 12 (c_alpha) {beta_th:.4f}, eq. 12 (paper, c=1) {float(theory.jump_intensity(alpha, jump_eps, rho)):.4f}")
print(f"mean gap {gaps.mean():.2f} vs 1/beta {1 / beta_th:.2f}; dispersion index of counts {counts.var() / counts.mean():.2f}; KS p-value > 0.01: {ks.pvalue > 0.01}")

# %% tags=["hide-input"]
rel = beta_hat / beta_th - 1
z = abs(beta_hat - beta_th) / beta_se
glue("ch05_alpha", fmt(alpha), display=False)
glue("ch05_inv_c_alpha", fmt(1 / c_alpha, 1), display=False)
glue("ch05_beta_hat", fmt(beta_hat, 4), display=False)
glue("ch05_beta_se", fmt(beta_se, 4), display=False)
glue("ch05_beta_th", fmt(beta_th, 4), display=False)
glue("ch05_beta_rel", f"{abs(rel):.1%}".replace("%", " %") + (" above" if rel > 0 else " below"), display=False)
glue("ch05_beta_z", fmt(z, 1), display=False)
glue("ch05_dispersion", fmt(counts.var() / counts.mean()), display=False)
glue("ch05_ks_p", f"{ks.pvalue:.2g}", display=False)
glue("ch05_ks_word", "does not reject" if ks.pvalue > 0.01 else "rejects", display=False)

# %% [markdown]
# The intensity is that of eq. 12 once the Lévy measure carries the constant $c_\alpha$ of the
# process actually simulated; with the paper's $c_\alpha = 1$ the rate is off by the factor
# $1/c_\alpha$ ({glue:text}`ch05_inv_c_alpha` at α = {glue:text}`ch05_alpha`). In this run the
# measured rate, {glue:text}`ch05_beta_hat` ± {glue:text}`ch05_beta_se`, is
# {glue:text}`ch05_beta_rel` eq. 12's {glue:text}`ch05_beta_th` ({glue:text}`ch05_beta_z` standard
# errors). Over one Euler step the increment $dt^{1/\alpha}X$ has the Lévy tail only
# asymptotically, a discretisation effect of the measured rate that shrinks with $dt$. The
# dispersion index of the counts is {glue:text}`ch05_dispersion` (1 for Poisson counts), and the
# Kolmogorov–Smirnov test {glue:text}`ch05_ks_word` the exponential law of the gaps at the 1 % level
# (p = {glue:text}`ch05_ks_p`).
#
# ## Relaxation time against the time between large jumps
#
# The escape analysis assumes that after every large jump the process returns to the minimum
# before the next one. The relaxation time to an $\bar\epsilon^\zeta$-neighbourhood (eq. 14)
#
# $$
# T_R = \max\Big\{\int_{d^-}^{-\bar\epsilon^\zeta}\frac{dy}{-U'(y)},\ \int_{\bar\epsilon^\zeta}^{d^+}\frac{dy}{U'(y)}\Big\}
#     \le C_1|\ln\bar\epsilon| ,
# $$ (eq-levy-relax)
#
# grows only logarithmically, while $\mathbb E[S_k] \propto \bar\epsilon^{-\rho\alpha}$ grows
# polynomially. For $U = \mu y^2/2$ on $(-1, 1)$, $T_R = \ln(\bar\epsilon^{-\zeta})/\mu$.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Relaxation time $T_R$ (eq. {eq}`eq-levy-relax`, $U=w^2/2$ on $(-1,1)$, $\\zeta=0.5$) and mean time between large jumps $1/\\beta$ (eq. {eq}`eq-levy-es`) against $\\bar\\epsilon$, for several α. Dots: $1/\\hat\\beta$ measured in the simulation above.", "name": "fig-levy-sde-relax"}}
eps_grid = np.geomspace(1e-4, 0.3, 40)
fig, ax = plotting.figure()
TR = np.array([theory.relaxation_time(-1.0, 1.0, e, relax_zeta, mu=1.0) for e in eps_grid])
ax.loglog(eps_grid, TR, "k-", label="$T_R$ (eq. 14)")
for i, a in enumerate([1.2, 1.5, 1.8]):
    ax.loglog(eps_grid, theory.mean_interjump_time(a, eps_grid, rho, c=theory.levy_constant(a)), color=plotting.PALETTE[i + 1],
              label=rf"$1/\beta$, $\alpha$ = {a}")
ax.loglog([jump_eps], [1 / beta_hat], "o", color=plotting.PALETTE[2])
ax.set_xlabel(r"$\bar\epsilon$")
ax.set_ylabel("time")
ax.legend()
ratio_tab = [(e, theory.relaxation_time(-1.0, 1.0, e, relax_zeta, mu=1.0), float(theory.mean_interjump_time(alpha, e, rho, c=c_alpha))) for e in (0.1, 0.01, 0.001)]
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
for e, tr, es in ratio_tab:
    print(f"eps_bar={e:g}: T_R={tr:.2f}  E[S]={es:.1f}  E[S]/T_R={es / tr:.1f}")

# %% tags=["hide-input"]
glue("ch05_gap_ratio_e1", fmt(ratio_tab[0][2] / ratio_tab[0][1], 0), display=False)
glue("ch05_gap_ratio_e3", fmt(ratio_tab[-1][2] / ratio_tab[-1][1], 0), display=False)

# %% [markdown]
# At $\bar\epsilon = 0.1$ the mean gap between large jumps is about
# {glue:text}`ch05_gap_ratio_e1` relaxation times (at α = {glue:text}`ch05_alpha`), so the picture
# of isolated large jumps is rough; by $\bar\epsilon = 10^{-3}$ the gap is about
# {glue:text}`ch05_gap_ratio_e3` relaxation times. This is the regime in which chapter 06 tests the
# escape theorems.
#
# ## Summary
#
# * Eq. 3 with $dt=\eta$ and $\epsilon=\eta^{(\alpha-1)/\alpha}$ is SGD with SαS gradient noise.
# * Lemma 3.1 {glue:text}`ch05_lemma_verdict` on every path of the quadratic example, with a late
#   log-slope of {glue:text}`ch05_lemma_slope` against $-2\mu$ = {glue:text}`ch05_lemma_rate`.
# * Proposition 3.2: the deviation probability falls with a log–log slope of
#   {glue:text}`ch05_prop_slope` at small $\bar\epsilon$, {glue:text}`ch05_prop_steeper`
#   $\bar\theta$ = {glue:text}`ch05_theta_bar`.
# * Large jumps: measured rate {glue:text}`ch05_beta_hat` against eq. 12's
#   {glue:text}`ch05_beta_th`, dispersion index {glue:text}`ch05_dispersion` — eq. 12 for the SαS
#   normalisation used here carries the constant $c_\alpha$, which the paper sets to 1; eq. 15 is
#   its inverse (the printed schedule exponent differs, see above).
# * Relaxation is logarithmic in $\bar\epsilon$, inter-jump times polynomial: for small noise the
#   process is back at the minimum before each large jump.

# %%
from sgnlib.provenance import show_versions  # noqa: E402

show_versions()
