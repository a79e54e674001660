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
# * the SGD update and its noise (eq. 1 of {cite:t}`battash2023revisiting`);
# * the Gaussian model and its covariance (their eq. 2), checked on a real network;
# * the symmetric α-stable (SαS) law and its power-law tails;
# * the generalised central limit theorem, the reason heavy tails can survive averaging;
# * the dispute over *how* to measure the noise: across the parameters of one mini-batch
#   {cite:p}`simsekli2019tail`, or across mini-batches for one parameter {cite:p}`xie2020diffusion`.

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
from myst_nb import glue

import sgnlib
from sgnlib import data, gclt, models, noise, plotting, stable

plotting.use_style()
device = sgnlib.resolve_device(device)
torch.manual_seed(seed)
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
# Euler step of an α-stable-driven SDE (chapter 05); for α = 2 it is the familiar $\sqrt\eta$.
# The noise has mean zero by construction; everything else about its law is an empirical question.
#
# ## A small real example
#
# We take a real data set that ships with scikit-learn — the 569 biopsies of the UCI Breast Cancer
# Wisconsin (Diagnostic) set {cite:p}`dua2017uci`, 30 standardised features — and a network with one
# hidden layer. Like the paper, which measures the noise of *trained* networks, we first train it
# to a minimum with plain full-batch gradient descent, then freeze $w$ and study $u_k$ there.

# %%
ds = data.load("breast_cancer")
X, y = ds.X.to(device), ds.y.to(device)


def bce(out, target):
    return torch.nn.functional.binary_cross_entropy_with_logits(out.squeeze(-1), target)


net = models.mlp(X.shape[1], [hidden], 1, activation="tanh", seed=seed).to(device)
history = models.train_sgd(net, bce, X, y, lr=lr, steps=train_steps)
G = noise.per_example_gradients(net, bce, X, y)  # [D examples, P parameters], one vectorised pass
names = noise.parameter_names(net)
print(f"{ds.source}: D = {ds.n} examples, P = {G.shape[1]} parameters")
print(f"training loss {history[0]:.3f} -> {history[-1]:.4f}; |full gradient| = {G.mean(0).norm():.2e}")
energy = G.pow(2).sum(1).sort(descending=True).values
top10_share = float(energy[:10].sum() / energy.sum())
glue("ch01_top10_share", top10_share, display=False)
print(f"the 10 examples with the largest gradients carry {top10_share:.0%} of the gradient energy")

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
U_rep = noise.minibatch_noise(G, batch_size, n_batches, generator=seed, replace=True)
U = noise.minibatch_noise(G, batch_size, n_batches, generator=seed + 1, replace=False)
lam = noise.noise_covariance(G, batch_size)
lam_wor = noise.noise_covariance(G, batch_size, replace=False)
active = lam.diagonal() > 1e-12 * lam.diagonal().max()
ratio_rep = (U_rep.var(0)[active] / lam.diagonal()[active]).cpu().numpy()
ratio_wor = (U.var(0)[active] / lam_wor.diagonal()[active]).cpu().numpy()

# %%
# NBVAL_CHECK_OUTPUT
print(f"measured variance / eq. 2, with replacement:    median {np.median(ratio_rep):.2f}")
print(f"measured variance / eq. 2 x (D-B)/(D-1), without: median {np.median(ratio_wor):.2f}")

# %% [markdown]
# The covariance is far from isotropic. Its eigenvalues spread over orders of magnitude and the
# noise of different parameters is strongly correlated — the *anisotropy* that
# {cite:t}`zhu2018anisotropic` showed matters for escaping sharp minima.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The Gaussian model's covariance (eq. {eq}`eq-cov`) at a minimum of the example network. Left: eigenvalues of $\\lambda(w)$, largest first, on a log scale. Right: correlation of the noise of the first-layer weights of the first three hidden units.", "name": "fig-noise-models-covariance"}}
evals = torch.linalg.eigvalsh(lam).flip(0).clamp_min(0).cpu().numpy()
sd = lam.diagonal().clamp_min(1e-300).sqrt()
corr = (lam / torch.outer(sd, sd)).cpu().numpy()[: 3 * X.shape[1], : 3 * X.shape[1]]
fig, (ax0, ax1) = plotting.figure(ncols=2)
ax0.semilogy(np.arange(1, len(evals) + 1), evals + 1e-30)
ax0.set(xlabel="rank", ylabel="eigenvalue of $\\lambda(w)$", title="spectrum")
im = ax1.imshow(corr, vmin=-1, vmax=1, cmap="RdBu_r")
ax1.set(title="noise correlation", xlabel="parameter", ylabel="parameter")
fig.colorbar(im, ax=ax1, shrink=0.8)
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
# `sgnlib.stable.pdf` and agree with the histograms of the draws.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "SαS laws with unit scale. Left: histograms of draws by `sgnlib.stable.sample` (steps) against the density `sgnlib.stable.pdf` (lines). Right: empirical survival function $P(|X|>x)$ on log–log axes; the dashed lines are the tail law {eq}`eq-sas-tail`, of slope $-\\alpha$. The Gaussian (α = 2) falls off a cliff.", "name": "fig-noise-models-sas"}}
alphas = [2.0, 1.75, 1.5, 1.0]
draws = stable.sample(alphas, 1.0, size=(n_draws, len(alphas)), rng=seed)
grid = np.linspace(-8, 8, 401)
fig, (ax0, ax1) = plotting.figure(ncols=2)
for j, a in enumerate(alphas):
    color = plotting.PALETTE[j]
    ax0.hist(draws[:, j], bins=np.linspace(-8, 8, 81), density=True, histtype="step", color=color, alpha=0.7)
    ax0.plot(grid, stable.pdf(grid, a, 1.0), color=color, label=f"α = {a}")
    xs = np.sort(np.abs(draws[:, j]))
    surv = 1.0 - np.arange(1, len(xs) + 1) / len(xs)
    keep = surv > 10 / len(xs)
    ax1.loglog(xs[keep], surv[keep], color=color)
    if a < 2:
        xt = np.logspace(0.5, np.log10(xs[keep][-1]), 20)
        ax1.loglog(xt, gclt.stable_tail_constant(a) * xt**-a, "--", color=color, lw=1)
ax0.set(xlabel="x", ylabel="density", title="density", xlim=(-8, 8))
ax0.legend()
ax1.set(xlabel="x", ylabel="$P(|X| > x)$", title="tails", ylim=(10 / n_draws, 1.1))
plotting.plt.show()

# %% [markdown]
# The draws have the law {eq}`eq-sas`: the empirical characteristic function matches
# $e^{-|t|^\alpha}$, and the α = 2 draws have variance 2.

# %%
# NBVAL_CHECK_OUTPUT
t = 0.7
for j, a in enumerate(alphas):
    ecf = np.mean(np.cos(t * draws[:, j]))
    print(f"alpha={a:4.2f}: E cos(tX) = {ecf:.2f}, exp(-|t|^alpha) = {np.exp(-t**a):.2f}")
print(f"variance of the alpha=2 draws: {draws[:, 0].var():.1f}")

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
# `sgnlib.stable.fit` (chapter 02 measures how far such estimates can be trusted).

# %%
alpha_hat = np.empty((len(tails), len(gclt_ns)))
for i, a in enumerate(tails):
    rng = np.random.default_rng([seed, i])
    sums = np.stack([gclt.normalized_sums(a, n, gclt_sums, rng=rng) for n in gclt_ns], axis=1)
    alpha_hat[i] = stable.fit(sums).alpha  # one call fits every n

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The generalised CLT {eq}`eq-gclt`. Left: the tail index fitted to normalised sums of $n$ symmetric Pareto variables; heavy-tailed summands ($a<2$) keep α = a, finite-variance ones ($a = 3$) approach the Gaussian α = 2. Right: the sums for the largest $n$ with $a = 1.5$ against their SαS limit and against the Gaussian matched to their interquartile range.", "name": "fig-noise-models-gclt"}}
fig, (ax0, ax1) = plotting.figure(ncols=2)
for i, a in enumerate(tails):
    ax0.semilogx(gclt_ns, alpha_hat[i], "o-", label=f"a = {a}")
    ax0.axhline(min(a, 2.0), color=plotting.PALETTE[i], ls=":", lw=1)
ax0.set(xlabel="number of summands n", ylabel="fitted α", title="tail index of the sums", ylim=(0.9, 2.1))
ax0.legend()
a_demo = 1.5 if 1.5 in tails else tails[0]
s = gclt.normalized_sums(a_demo, gclt_ns[-1], gclt_sums, rng=np.random.default_rng([seed, 99]))
sig = gclt.limit_scale(a_demo)
xg = np.linspace(-10, 10, 401)
ax1.hist(s, bins=np.linspace(-10, 10, 101), density=True, histtype="stepfilled", alpha=0.3, label="sums")
ax1.plot(xg, stable.pdf(xg, min(a_demo, 2.0), sig), label=f"SαS({min(a_demo, 2.0)}) limit")
iqr_sd = np.subtract(*np.percentile(s, [75, 25])) / 1.349
ax1.plot(xg, np.exp(-0.5 * (xg / iqr_sd) ** 2) / (iqr_sd * np.sqrt(2 * np.pi)), "--", label="Gaussian")
ax1.set_yscale("log")
ax1.set(xlabel="normalised sum", ylabel="density", title=f"a = {a_demo}, n = {gclt_ns[-1]}", ylim=(1e-4, 1))
ax1.legend()
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
for i, a in enumerate(tails):
    print(f"a = {a}: fitted alpha of the sums at n = {gclt_ns[-1]}: {alpha_hat[i, -1]:.1f} (theory {min(a, 2.0):.1f})")

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
scales = np.exp(np.random.default_rng(seed).normal(0.0, 1.0, size=G.shape[1]))
toy = np.random.default_rng(seed + 1).normal(size=(n_batches, G.shape[1])) * scales
toy_per_param = stable.fit(toy).alpha
toy_pooled = stable.fit(toy[0].reshape(-1, 1)).alpha[0]

U_np = U[:, active].cpu().numpy()
per_param = stable.fit(U_np)                      # Xie et al.: each column is one parameter
pooled = stable.fit(U_np[:8].reshape(-1, 1))      # Şimşekli et al.: 8 mini-batches, all parameters pooled
standardised = stable.fit((U_np[:8] / U_np.std(0)).reshape(-1, 1))

glue("ch01_toy_pooled", float(toy_pooled), display=False)
glue("ch01_alpha_per_param", float(np.median(per_param.alpha)), display=False)
glue("ch01_frac_below", float(np.mean(per_param.alpha < 1.9)), display=False)
glue("ch01_alpha_pooled", float(pooled.alpha[0]), display=False)
glue("ch01_alpha_std", float(standardised.alpha[0]), display=False)
glue("ch01_n_batches", int(n_batches), display=False)

# %%
# NBVAL_CHECK_OUTPUT
print(f"toy, Gaussian coordinates of different scales: median per-coordinate alpha = {np.median(toy_per_param):.1f}, pooled alpha = {toy_pooled:.1f}")
print(f"network, per parameter across mini-batches: median alpha = {np.median(per_param.alpha):.1f}")
print(f"network, pooled across parameters:           alpha = {pooled.alpha[0]:.1f}")
print(f"network, pooled after standardising each parameter: alpha = {standardised.alpha[0]:.1f}")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Two measurements of the noise of the same network at the same minimum. Left: α fitted to each parameter's noise across mini-batches (the measurement of {cite:t}`xie2020diffusion` and of the paper), one value per parameter. Right: the noise of all parameters of a few mini-batches pooled into one sample (the measurement of {cite:t}`simsekli2019tail`), raw and after dividing each parameter by its own scale.", "name": "fig-noise-models-dispute"}}
fig, (ax0, ax1) = plotting.figure(ncols=2)
ax0.hist(per_param.alpha, bins=np.linspace(0.8, 2.0, 25), color=plotting.PALETTE[0])
ax0.axvline(2.0, color="k", lw=1, ls=":")
ax0.set(xlabel="α of one parameter", ylabel="parameters", title="per parameter, across batches")
raw = U_np[:8].ravel()
std = (U_np[:8] / U_np.std(0)).ravel()
for vals, lab, c in ((raw / np.median(np.abs(raw)), f"pooled raw (α = {pooled.alpha[0]:.2f})", 1),
                     (std / np.median(np.abs(std)), f"pooled standardised (α = {standardised.alpha[0]:.2f})", 2)):
    xs = np.sort(np.abs(vals))
    ax1.loglog(xs, 1 - np.arange(1, len(xs) + 1) / len(xs) + 1e-12, color=plotting.PALETTE[c], label=lab)
ax1.set(xlabel="|u| / median |u|", ylabel="$P(|u| > x)$", title="pooled across parameters", ylim=(1e-4, 1.1))
ax1.legend()
plotting.plt.show()

# %% [markdown]
# In this run, pooling the parameters of a few mini-batches gives α = {glue:text}`ch01_alpha_pooled:.2f`,
# and dividing each parameter by its own scale before pooling moves it to
# α = {glue:text}`ch01_alpha_std:.2f`: most of the heaviness of the pooled sample is the mixing of
# scales, exactly as in the toy, where no coordinate is heavy-tailed and pooling still gives
# α = {glue:text}`ch01_toy_pooled:.2f`. This is the objection of {cite:t}`xie2020diffusion`, and it holds.
#
# The per-parameter measurement is free of that artefact, and here it does *not* return a clean
# Gaussian either: the median per-parameter α over {glue:text}`ch01_n_batches` mini-batches is
# {glue:text}`ch01_alpha_per_param:.2f`, and a fraction {glue:text}`ch01_frac_below:.2f` of the
# parameters have α < 1.9. Two cautions before reading this as support for the paper. First, at
# these sample sizes an α estimate has an error of a few hundredths to a tenth, and some estimators
# are biased below 2 on Gaussian data (chapter 02). Second, at a minimum of a small data set a
# few examples carry most of the per-example gradient — here the ten largest carry
# {glue:text}`ch01_top10_share:.0%` of the gradient energy — so the noise of a mini-batch is
# decided by whether one of those examples is in it: a quiet background with occasional large
# jumps. At this batch size that law *looks* heavy-tailed, and the SαS fit reports it as such, but it
# is a finite mixture with finite variance: with batches large enough to hold many of those
# examples, the classical CLT takes over. Whether the noise of real networks on real data sets
# stays heavy-tailed at the batch sizes of practice is the
# question of chapter 03, asked at the paper's scale with fit errors as well as α.
#
# ## Versions

# %%
from sgnlib.provenance import show_versions

show_versions()
