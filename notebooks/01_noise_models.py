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
# (ch-noise-models)=
# # 01 · Noise models of SGD
#
# Stochastic gradient descent replaces the gradient of the training loss by the gradient of a
# random mini-batch. The difference between the two is the *stochastic gradient noise* (SGN).
# What law that noise follows decides which continuous-time model of SGD is right, and with it
# what one predicts about escaping minima, flat versus sharp basins and learning-rate schedules.
# This chapter sets up the objects the rest of the book measures and simulates, on a small real
# problem and with exact simulations:
#
# * the SGD update and its noise (eq. P1 of {cite:t}`battash2023revisiting`,
#   [arXiv:2303.02749](https://arxiv.org/abs/2303.02749));
# * the Gaussian model and its covariance (their eq. P2), checked on a real network;
# * the symmetric α-stable (SαS) law and its power-law tails;
# * the generalised central limit theorem, the reason heavy tails can survive averaging;
# * the dispute over *how* to measure the noise: across the parameters of one mini-batch
#   {cite:p}`simsekli2019tail`, or across mini-batches for one parameter {cite:p}`xie2020diffusion`.
#
# ```{admonition} Key findings
# :class: key-findings
# * The Gaussian model's covariance (eq. P2) on a real network, with and without replacement:
#   *{glue:text}`ch01_eq2_verdict`* (measured over predicted variance, median ratios
#   {glue:text}`ch01_eq2_ratios`).
# * The generalised CLT on sums of Pareto variables: *{glue:text}`ch01_gclt_verdict`* (fitted α over
#   min(a, 2) {glue:text}`ch01_gclt_ratios` at the largest $n$).
# * Pooling the parameters of a mini-batch lowers α̂ (the objection of {cite:t}`xie2020diffusion`):
#   *{glue:text}`ch01_dispute_verdict`* — pooled α̂ {glue:text}`ch01_alpha_pooled` against a
#   per-parameter median of {glue:text}`ch01_alpha_per_param`; from Gaussian coordinates of mixed
#   scales pooling alone gives α̂ = {glue:text}`ch01_toy_pooled`.
# * Per parameter the noise of this small network looks heavy-tailed ({glue:text}`ch01_below` have
#   α̂ < 1.9), but it is a finite mixture: the ten largest per-example gradients carry
#   {glue:text}`ch01_top10_share` of the gradient energy.
# ```

# %% tags=["parameters"]
profile = "book"          # set by the chapter runner
seed = 0                  # every random number of the chapter derives from it
device = "auto"           # "auto": CUDA where present, else CPU
hidden = 16               # width of the hidden layer of the example network
train_steps = 3000        # full-batch gradient-descent steps to reach a minimum
lr = 0.5                  # learning rate of that training
batch_size = 32           # mini-batch size B whose noise we study
n_batches = 4000          # mini-batches drawn to measure the noise of each parameter
n_draws = 200_000         # SαS draws per α for the density figure
gclt_sums = 20_000        # normalised sums per (tail, n) in the GCLT experiment
gclt_ns = [1, 4, 16, 64, 256, 1024]  # numbers of summands n
tails = [1.2, 1.5, 3.0]   # tail exponents a of the summands (P of |X| > x is x^-a)

# %%
import numpy as np
import torch

import sgnlib
from sgnlib import plotting, report
from sgnlib.studies import noise_models as nm

plotting.use_style()
device = sgnlib.resolve_device(device)
torch.set_num_threads(1)  # every tensor of this chapter is tiny: threads only add synchronisation
print(f"profile={profile}, device={device}")

# %% [markdown]
# ## The SGD update and its noise
#
# With training loss $U(w) = \frac1D \sum_{j=1}^D U^{(j)}(w)$ over $D$ examples and a mini-batch
# $\Omega_k$ of $B$ indices, the $k$-th SGD step is
#
# $$
# w_k = w_{k-1} - \frac{\eta}{B}\sum_{\ell\in\Omega_k} \nabla U^{(\ell)}(w_{k-1})
#     = w_{k-1} - \eta \nabla U(w_{k-1}) + \epsilon\, u_k ,
# $$ (eq-sgd)
#
# where the noise is the gap between the full gradient and the mini-batch gradient,
#
# $$
# u_k = \nabla U(w_{k-1}) - \frac1B \sum_{\ell\in\Omega_k} \nabla U^{(\ell)}(w_{k-1}),
# $$ (eq-sgn)
#
# scaled by $\epsilon = \eta^{(\alpha-1)/\alpha}$, the factor that makes the discrete update the
# Euler step of an α-stable-driven SDE ({doc}`chapter 05 <05_levy_sde>`); for α = 2 it is the familiar $\sqrt\eta$.
# The noise has mean zero by construction; everything else about its law is an empirical question.
#
# ## A small real example
#
# We take a real data set that ships with scikit-learn — the 569 biopsies of the UCI Breast Cancer
# Wisconsin (Diagnostic) set {cite:p}`dua2017uci`, 30 standardised features — and a network with one
# hidden layer. Like the paper, which measures the noise of *trained* networks, we first train it
# to a minimum with plain full-batch gradient descent, then freeze $w$ and study $u_k$ there.

# %%
net = nm.example_network(seed, hidden=hidden, train_steps=train_steps, lr=lr, device=device)
s = net.summary.iloc[0]
report.glue_numbers("ch01", top10_share=f"{s.top10_share:.0%}")
print(f"{s.source}: D = {s.D} examples, P = {s.P} parameters")
print(f"training loss {s.loss_start:.3f} -> {s.loss_end:.4f}; |full gradient| = {s.grad_norm:.2e}")
print(f"the 10 examples with the largest gradients carry {s.top10_share:.0%} of the gradient energy")

# %% [markdown]
# ## The Gaussian model
#
# If the $B$ examples of a mini-batch are drawn independently, the central limit theorem suggests
# that $u_k$ is approximately Gaussian with covariance
#
# $$
# \lambda(w) = \frac1B\left(\frac1D\sum_{j=1}^D \nabla U^{(j)}(w)\,\nabla U^{(j)}(w)^\top
#   - \nabla U(w)\,\nabla U(w)^\top\right),
# $$ (eq-cov)
#
# the model of {cite:t}`zhu2018anisotropic`, {cite:t}`mandt2017sgd` and {cite:t}`wu2020noisy`.
# Eq. {eq}`eq-cov` is exact for the *covariance* whatever the law, when examples are drawn with
# replacement; SGD draws without replacement, which multiplies it by $(D-B)/(D-1)$. We check both
# statements on the network above by drawing many mini-batches and measuring the covariance of
# {eq}`eq-sgn` directly (`sgnlib.noise.minibatch_noise`, vectorised over batches).

# %%
cov = nm.covariance_check(net.G, batch_size, n_batches, seed)
eq2 = report.ratio_within(cov[["ratio_rep", "ratio_wor"]].median(), 1.0, tol=0.1, marginal_tol=0.2,
                          labels=["with replacement", "without replacement"],
                          what="median over parameters of measured / predicted variance")
eq2.glue("ch01_eq2")

# %%
# NBVAL_CHECK_OUTPUT
print(f"measured variance / eq. P2, with replacement:    median {cov.ratio_rep.median():.2f}")
print(f"measured variance / eq. P2 x (D-B)/(D-1), without: median {cov.ratio_wor.median():.2f}")

# %% [markdown]
# By the stated criterion — {glue:text}`ch01_eq2_criterion` — eq. {eq}`eq-cov` *{glue:text}`ch01_eq2_verdict`*
# on this network (medians {glue:text}`ch01_eq2_ratios` over {glue:text}`ch01_n_active` parameters;
# misses: {glue:text}`ch01_eq2_misses`).
#
# The covariance is far from isotropic. Its eigenvalues fall by {glue:text}`ch01_ev_decades` orders of
# magnitude over the first {glue:text}`ch01_ev_rank` ranks and the noise of different parameters is
# strongly correlated — the *anisotropy* that {cite:t}`zhu2018anisotropic` showed matters for escaping sharp minima.

# %% tags=["hide-input"]
spectrum, corr = nm.covariance_structure(net.G, batch_size, n_corr=3 * int(s.features))
k = min(50, len(spectrum))
report.glue_numbers("ch01", n_active=str(len(cov)), ev_rank=str(k),
                    ev_decades=f"{np.log10(spectrum.eigenvalue[0] / spectrum.eigenvalue[k - 1]):.0f}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The Gaussian model's covariance (eq. {eq}`eq-cov`) at a minimum of the example network. Left: eigenvalues of $\\lambda(w)$, largest first, on a log scale. Right: correlation of the noise of the first-layer weights of the first three hidden units.", "name": "fig-noise-models-covariance"}}
plotting.spectrum_and_correlation(spectrum.eigenvalue, corr)
plotting.plt.show()

# %% [markdown]
# The covariance says nothing about the *shape* of the law. The Gaussian model assumes the
# mini-batch average has reached its CLT limit; that needs per-example gradients with finite
# variance and batches large enough for the average to forget their tails.
#
# ## The symmetric α-stable law
#
# A random variable $X$ is symmetric α-stable, $X\sim \mathcal S\alpha\mathcal S(\alpha,\sigma)$, if
#
# $$
# \mathbb E\, e^{itX} = \exp\left(-|\sigma t|^{\alpha}\right), \qquad 0<\alpha\le 2,\ \sigma>0 .
# $$ (eq-sas)
#
# For α = 2 this is the Gaussian $\mathcal N(0, 2\sigma^2)$; α = 1 is the Cauchy law. For α < 2
# the tails are power laws,
#
# $$
# P(|X|>x) \sim K_\alpha\,\sigma^\alpha x^{-\alpha}, \qquad
# p(x) \sim \tfrac{\alpha}{2} K_\alpha\,\sigma^\alpha |x|^{-1-\alpha}\qquad (|x|\to\infty),
# $$ (eq-sas-tail)
#
# with $K_\alpha = \tfrac{2}{\pi}\Gamma(\alpha)\sin\tfrac{\pi\alpha}{2}$, so the variance is infinite and, for α ≤ 1, so is the mean {cite:p}`samorodnitsky1994stable`.
# There is no closed-form density; draws come from the Chambers–Mallows–Stuck transform of a
# uniform angle and an exponential variable {cite:p}`chambers1976method` (`sgnlib.stable.sample`,
# numpy or torch, any shape, one α per column). The densities below are computed by
# `sgnlib.stable.pdf` and agree with the histograms of the draws (normalised by all the draws, so
# the mass beyond ±8 is not spread over the bins shown).

# %%
draws = nm.sas_draws([2.0, 1.75, 1.5, 1.0], n_draws, seed)
hist, dens, surv = nm.sas_law_tables(draws, xlim=8.0)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "SαS laws with unit scale. Left: histograms of draws by `sgnlib.stable.sample` (steps; counts divided by all the draws and the bin width) against the density `sgnlib.stable.pdf` (lines). Right: empirical survival function $P(|X|>x)$ on log–log axes; the dashed lines are the tail law {eq}`eq-sas-tail`, of slope $-\\alpha$. The Gaussian (α = 2) falls off a cliff.", "name": "fig-noise-models-sas"}}
plotting.panels_vs_theory([
    dict(data=hist, x="x", y="density", by="alpha", label="α = {}", step=True, theory=dens,
         xlabel="x", ylabel="density", title="density"),
    dict(data=surv, x="x", y="survival", by="alpha", label="α = {}", step=True, logx=True, logy=True,
         lines={"tail": ("--", None)}, xlabel="x", ylabel="$P(|X| > x)$", title="tails"),
])
plotting.plt.show()

# %% [markdown]
# The draws have the law {eq}`eq-sas`: the empirical characteristic function matches
# $e^{-|t|^\alpha}$, and the α = 2 draws have variance 2.

# %%
# NBVAL_CHECK_OUTPUT
check = nm.sas_cf_check(draws, t=0.7)
for r in check.itertuples():
    print(f"alpha={r.alpha:4.2f}: E cos(tX) = {r.ecf:.2f}, exp(-|t|^alpha) = {r.theory:.2f}")
print(f"variance of the alpha=2 draws: {check.variance[check.alpha == 2.0].iloc[0]:.1f}")

# %% [markdown]
# ## The generalised central limit theorem
#
# Why would mini-batch noise be α-stable at all? Stable laws are exactly the limits of normalised
# sums of i.i.d. variables {cite:p}`gnedenko1954limit`. If the summands have finite variance the
# limit is Gaussian (α = 2, the classical CLT). If their tails decay like $|x|^{-a}$ with $a<2$,
#
# $$
# n^{-1/a}\sum_{i=1}^n X_i \xrightarrow{d} \mathcal S\alpha\mathcal S(a,\sigma_a), \qquad K_a\sigma_a^a = 1,
# $$ (eq-gclt)
#
# and no normalisation produces a Gaussian. A mini-batch gradient is such a normalised sum, so
# if per-example gradients are heavy-tailed the noise stays heavy-tailed for every batch size —
# the argument of {cite:t}`simsekli2019tail`. We check {eq}`eq-gclt` by simulation: sums of
# symmetric Pareto variables ($P(|X|>x) = x^{-a}$, `sgnlib.gclt`), with α estimated by
# `sgnlib.stable.fit` ({doc}`chapter 02 <02_measuring_tail_index>` measures how far such estimates can be trusted).

# %%
gc = nm.gclt_sweep(tails, gclt_ns, gclt_sums, seed)
gc_last = gc[gc.n == max(gclt_ns)]
gclt_verdict = report.ratio_within(gc_last.alpha_hat, gc_last.theory, tol=0.05, marginal_tol=0.1,
                                   labels=[f"a = {a}" for a in gc_last.a],
                                   what=f"fitted α / min(a, 2) at n = {max(gclt_ns)}")
gclt_verdict.glue("ch01_gclt")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The generalised CLT {eq}`eq-gclt`: the tail index fitted to normalised sums of $n$ symmetric Pareto variables (points) against min(a, 2) (dotted); heavy-tailed summands ($a<2$) keep α = a, finite-variance ones ($a = 3$) approach the Gaussian α = 2.", "name": "fig-noise-models-gclt"}}
plotting.panels_vs_theory([dict(data=gc, x="n", y="alpha_hat", by="a", label="a = {}", logx=True, ylim=(0.9, 2.1),
                                lines={"theory": (":", None)}, xlabel="number of summands n", ylabel="fitted α",
                                title="tail index of the sums")])
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
for r in gc_last.itertuples():
    print(f"a = {r.a}: fitted alpha of the sums at n = {r.n}: {r.alpha_hat:.1f} (theory {r.theory:.1f})")

# %% [markdown]
# By the criterion — {glue:text}`ch01_gclt_criterion` — the generalised CLT
# *{glue:text}`ch01_gclt_verdict`* in this run (ratios {glue:text}`ch01_gclt_ratios`; misses:
# {glue:text}`ch01_gclt_misses`). The sums themselves, for the largest $n$, follow their SαS limit
# and not the Gaussian of the same interquartile range:

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Normalised sums of $n$ symmetric Pareto variables (histogram over all sums, log scale) against their SαS limit {eq}`eq-gclt` and against the Gaussian matched to their interquartile range.", "name": "fig-noise-models-gclt-limit"}}
a_demo = 1.5 if 1.5 in tails else tails[0]
lim = nm.gclt_limit(a_demo, max(gclt_ns), gclt_sums, seed)
plotting.hist_with_fits(lim["sums"], stable=(lim["alpha"], lim["scale"], 0.0), gaussian=(0.0, lim["gauss_sd"]),
                        logy=True, xlabel="normalised sum", title=f"a = {a_demo}, n = {max(gclt_ns)}")
plotting.plt.show()

# %% [markdown]
# ## Two ways to measure the noise
#
# {cite:t}`simsekli2019tail` estimated α from the noise vector of *one* mini-batch, pooling all
# the parameters of a network as if they were draws from one law. {cite:t}`xie2020diffusion`
# objected that this mixes parameters whose noise has very different scales, and that the right
# sample is the noise of *one parameter across many mini-batches*; measured that way they found
# Gaussian noise. {cite:t}`battash2023revisiting` side with the per-parameter measurement but
# find heavy tails in it. On our example network both measurements take one line each.
#
# The pooling objection is easy to see in a toy first: a sample pooled from Gaussians of different
# scales is a scale mixture, whose tails are heavier than any of its components.

# %%
toy = nm.toy_pooling(int(s.P), n_batches, seed)
per_param, pooled, pooled_curves = nm.network_pooling(net.G, batch_size, n_batches, seed)
dispute = nm.pooling_verdict(pooled)
dispute.glue("ch01_dispute")

# %%
# NBVAL_CHECK_OUTPUT
print(f"toy, Gaussian coordinates of different scales: median per-coordinate alpha = {toy.alpha[0]:.1f}, pooled alpha = {toy.alpha[1]:.1f}")
for r in pooled.itertuples():
    print(f"network, {r.measurement:<24}: alpha = {r.alpha:.1f}")

# %% tags=["hide-input"]
n_below = int((per_param.alpha < 1.9).sum())
report.glue_numbers("ch01", toy_pooled=report.fmt(toy.alpha[1]), alpha_per_param=report.fmt(pooled.alpha[0]),
                    alpha_pooled=report.fmt(pooled.alpha[1]), alpha_std=report.fmt(pooled.alpha[2]),
                    n_batches=str(n_batches), below=report.fmt_count(n_below, len(per_param), "parameters"))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "α fitted to each parameter's noise across mini-batches (the measurement of {cite:t}`xie2020diffusion` and of the paper), one point per parameter, the median as a bar.", "name": "fig-noise-models-dispute"}}
plotting.alpha_per_parameter(per_param.alpha, ["network, per parameter"] * len(per_param),
                             title="per parameter, across mini-batches")
plotting.plt.show()

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The noise of all parameters of a few mini-batches pooled into one sample (the measurement of {cite:t}`simsekli2019tail`): survival function of $|u|$ relative to its median, raw and after dividing each parameter by its own scale.", "name": "fig-noise-models-pooled"}}
plotting.panels_vs_theory([dict(data=pooled_curves, x="x", y="survival", by="measurement", label="{}", step=True,
                                logx=True, logy=True, xlabel="|u| / median |u|", ylabel="$P(|u| > x)$",
                                title="pooled across parameters")])
plotting.plt.show()

# %% [markdown]
# In this run, pooling the parameters of a few mini-batches gives α = {glue:text}`ch01_alpha_pooled`
# against a per-parameter median of {glue:text}`ch01_alpha_per_param`, and dividing each parameter by
# its own scale before pooling gives α = {glue:text}`ch01_alpha_std`. In the toy, where no coordinate
# is heavy-tailed, pooling alone gives α = {glue:text}`ch01_toy_pooled`: the mixing of scales can
# manufacture heavy tails from nothing. Whether it is what makes the pooled sample of *this* network
# heavy is judged by a stated criterion — {glue:text}`ch01_dispute_criterion` — and the objection of
# {cite:t}`xie2020diffusion` *{glue:text}`ch01_dispute_verdict`* here (pooling lowers α̂ by
# {glue:text}`ch01_dispute_drop`, standardising raises it by {glue:text}`ch01_dispute_back`; misses:
# {glue:text}`ch01_dispute_misses`). How much pooling can add depends on how different the parameters'
# scales are and on how heavy each parameter's own noise already is.
#
# The per-parameter measurement is free of that artefact, and here it does *not* return a clean
# Gaussian either: the median per-parameter α over {glue:text}`ch01_n_batches` mini-batches is
# {glue:text}`ch01_alpha_per_param`, and {glue:text}`ch01_below` have α < 1.9. Two cautions before
# reading this as support for the paper. First, at these sample sizes an α estimate has an error of
# a few hundredths to a tenth, and some estimators are biased below 2 on Gaussian data ({doc}`chapter 02 <02_measuring_tail_index>`).
# Second, at a minimum of a small data set a few examples carry most of the per-example gradient —
# here the ten largest carry {glue:text}`ch01_top10_share` of the gradient energy — so the noise of a
# mini-batch is decided by whether one of those examples is in it: a quiet background with
# occasional large jumps. At this batch size that law *looks* heavy-tailed, and the SαS fit reports
# it as such, but it is a finite mixture with finite variance: with batches large enough to hold
# many of those examples, the classical CLT takes over. Whether the noise of real networks on real
# data sets stays heavy-tailed at the batch sizes of practice is the question of {doc}`chapter 03 <03_heavy_tailed_noise>`, asked
# at the paper's scale with fit errors as well as α.
#
# ## Verdicts
#
# * Eq. {eq}`eq-cov` for the noise covariance, with and without replacement:
#   *{glue:text}`ch01_eq2_verdict`* (median ratios {glue:text}`ch01_eq2_ratios`). Criterion:
#   {glue:text}`ch01_eq2_criterion`; misses: {glue:text}`ch01_eq2_misses`.
# * The generalised CLT {eq}`eq-gclt` on Pareto sums: *{glue:text}`ch01_gclt_verdict`*
#   (fitted α over theory {glue:text}`ch01_gclt_ratios` at the largest $n$). Criterion:
#   {glue:text}`ch01_gclt_criterion`; misses: {glue:text}`ch01_gclt_misses`.
# * Pooling the parameters of a mini-batch lowers α (the objection of {cite:t}`xie2020diffusion`):
#   *{glue:text}`ch01_dispute_verdict`* on this network; the toy shows the mechanism
#   (α = {glue:text}`ch01_toy_pooled` from Gaussian coordinates). Criterion:
#   {glue:text}`ch01_dispute_criterion`; misses: {glue:text}`ch01_dispute_misses`.
# * Per parameter, across mini-batches, the noise of this small network has a median α of
#   {glue:text}`ch01_alpha_per_param` — a finite mixture that looks heavy-tailed at this batch size,
#   not yet evidence about the networks of the paper ({doc}`chapter 03 <03_heavy_tailed_noise>`).
#
# ## Versions

# %%
from sgnlib.provenance import show_versions

show_versions()
