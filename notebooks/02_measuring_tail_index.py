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
# (ch-measuring-tail-index)=
# # 02 · Measuring a tail index
#
# The first claim of {cite:t}`battash2023revisiting` is empirical: fit a Gaussian and a symmetric
# α-stable (SαS) law to the gradient noise of each of a hundred parameters of a network, and the
# SαS law fits better (their Tables 1–3); the fitted tail indices α are then fed into the escape
# theory of chapters {doc}`05 <05_levy_sde>`–{doc}`06 <06_escaping_basin>`. Both steps rest on an estimator of α from a finite sample, and the
# answer to "is the noise heavy-tailed?" is only as good as that estimator. This chapter asks how
# far an α estimate can be trusted:
#
# * how large the bias and the root-mean-square error of four estimators are, as a function of the
#   number of samples $n$ and of α itself;
# * whether an estimator can *manufacture* heavy tails from Gaussian data, through a bias just
#   below α = 2;
# * what the paper's fit errors (SSE and χ²) say on synthetic data where the truth is known;
# * and why the paper measures one parameter at a time: pooling coordinates of different scales
#   into one sample, as when all the parameters of a network are thrown together, produces an
#   apparent α < 2 although no coordinate is heavy-tailed.
#
# Everything below calls `sgnlib.stable`; the experiments are studies in `sgnlib.studies`
# (`estimators`, the same one `benchmarks/bench_stable.py` runs at larger scale, `fit_errors` and
# `pooling`), each drawing from its own random stream.
#
# ```{admonition} Key findings
# :class: key-findings
# * The regression estimator (the default of `stable.fit`) measures α with an RMSE of at most
#   {glue:text}`ch02_ecf_rmse_max` from $n$ = {glue:text}`ch02_n_at` samples, with a bias of
#   {glue:text}`ch02_g2_ecf_bias` at α = 2.
# * The log estimator has {glue:text}`ch02_log_vs_ecf` times its RMSE: whether one log estimate
#   separates α = {glue:text}`ch02_a18` from 2, *{glue:text}`ch02_log_sep_verdict`* (error band
#   ±{glue:text}`ch02_log_sep_band` against half the gap, {glue:text}`ch02_log_sep_half_gap`).
# * Estimators can fake heavy tails: on Gaussian data McCulloch's and the log estimator return
#   α̂ < 1.9 for {glue:text}`ch02_g2_mcc_share_nat` and {glue:text}`ch02_g2_log_share_nat` of the
#   samples.
# * The fit errors of Tables 1–3 (SSE, SαS over Gaussian) are {glue:text}`ch02_fe_ratio_gauss` on
#   Gaussian data against {glue:text}`ch02_fe_ratio_18` and {glue:text}`ch02_fe_ratio_15` on SαS
#   data.
# * Pooling Gaussian coordinates of different scales gives α̂ down to {glue:text}`ch02_pool_min`:
#   α must be measured per parameter.
# ```

# %% tags=["parameters"]
profile = "book"          # set by the chapter runner
seed = 0                  # every random number of the chapter derives from it
device = "auto"           # unused here: everything runs on the CPU in numpy
study_methods = ["mcculloch", "ecf", "log", "ml"]   # estimators compared
study_alphas = [1.1, 1.5, 1.8, 1.9, 1.95, 2.0]       # true tail indices
study_ns = [300, 1000, 3000]                          # samples per parameter
study_reps = 200          # replicates (independent samples) per (α, n) cell
fe_n = 2000               # samples per parameter in the fit-error experiment
fe_params = 200           # parameters per synthetic "network"
pool_coords = 400         # coordinates pooled in the pooling experiment
pool_n = 500              # samples per coordinate
pool_spreads = [0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0]  # sd of log10(scale) across coordinates

# %%
import numpy as np

import sgnlib
from sgnlib import plotting, report
from sgnlib.studies import estimators as es
from sgnlib.studies import fit_errors, pooling

plotting.use_style()
device = sgnlib.resolve_device(device)
METHOD_LABEL = {"mcculloch": "McCulloch (quantiles)", "ecf": "ECF regression (default)",
                "log": "log estimator (Şimşekli et al.)", "ml": "maximum likelihood"}
print(f"profile={profile}, n_reps={study_reps}, ns={study_ns}")

# %% [markdown]
# ## The law and four estimators
#
# A random variable is SαS with tail index $0<\alpha\le 2$ and scale $\sigma>0$ if its
# characteristic function is
#
# $$
# \varphi(t) = \mathbb E\, e^{itX} = \exp\left(-|\sigma t|^\alpha\right)
# $$ (eq-sas-cf)
#
# {cite:p}`samorodnitsky1994stable`. For α = 2 this is the normal law $N(0, 2\sigma^2)$; for
# α < 2 the density has no closed form and the tails decay like $|x|^{-1-\alpha}$, so the variance
# is infinite. `sgnlib.stable` draws from it with the Chambers–Mallows–Stuck construction
# {cite:p}`chambers1976method` and evaluates its density by numerical Fourier inversion of
# {eq}`eq-sas-cf` {cite:p}`nolan2020univariate`. Four estimators of α are compared:
#
# **McCulloch's quantile estimator** {cite:p}`mcculloch1986simple` uses that the ratio of
# quantile spreads
#
# $$
# \nu_\alpha = \frac{q_{0.95} - q_{0.05}}{q_{0.75} - q_{0.25}}
# $$ (eq-mcculloch)
#
# does not depend on σ and decreases with α (from ≈ 2.44 at α = 2); α is read off a table of
# $\nu_\alpha$. It costs one partial sort per parameter.
#
# **Characteristic-function regression** {cite:p}`koutrouvelis1980regression,kogon1998characteristic`
# takes logarithms twice in {eq}`eq-sas-cf`,
#
# $$
# \log\bigl(-\log \varphi(t)\bigr) = \alpha \log\sigma + \alpha \log |t| ,
# $$ (eq-ecf)
#
# and regresses the left-hand side, computed from the empirical characteristic function
# $\hat\varphi(t) = \frac1n\sum_j \cos(t x_j)$ of the centred data, on $\log t$ at ten points
# $t_k$; the slope is $\hat\alpha$. This is the default of `stable.fit`.
#
# **The log estimator** of {cite:t}`mohammadi2015estimation`, used by {cite:t}`simsekli2019tail` to
# argue that gradient noise is heavy-tailed, compares the sample with block sums: for centred
# SαS data the sum $Y$ of $m$ variables is $m^{1/\alpha}$ times one of them, so
#
# $$
# \frac{1}{\hat\alpha} = \frac{1}{\log m}\Bigl(\frac{1}{n/m}\sum_{i} \log|Y_i|
#                        - \frac1n \sum_j \log|X_j|\Bigr),
# $$ (eq-log-estimator)
#
# with block size $m = \sqrt n$ here.
#
# **Maximum likelihood** maximises $\sum_j \log f_\alpha(x_j/\sigma) - n\log\sigma$ over α and σ
# with the numerical density, starting from the regression estimate.
#
# Before fitting, every column is centred by its median and divided by its interquartile range:
# gradient noise is often of size $10^{-6}$, and an estimator with an absolute tolerance would
# otherwise be fitting rounding noise.

# %% [markdown]
# ## Bias and RMSE against n and α
#
# For each true α and sample size $n$ we draw `study_reps` independent samples and fit them with
# every method; all methods see the same samples, and each (α, n) cell has its own random stream.

# %%
est = es.accuracy_estimates(study_methods, study_alphas, study_ns, study_reps, seed)
acc = es.accuracy_summary(est)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Root-mean-square error of $\\hat\\alpha$ against the true α, one panel per sample size $n$, for the four estimators (each point: `study_reps` replicates). The numbers of this run are given below the figures.", "name": "fig-measuring-tail-index-accuracy"}}
plotting.panels_vs_theory([dict(data=acc[acc.n == n], x="alpha", y="rmse", by="method", label=METHOD_LABEL,
                                logy=True, title=f"n = {n}", xlabel="true α", ylabel="RMSE of α̂")
                           for n in study_ns])
plotting.plt.show()

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Bias of $\\hat\\alpha$ against the true α, one panel per sample size $n$, for the four estimators (same replicates as the RMSE).", "name": "fig-measuring-tail-index-bias"}}
plotting.panels_vs_theory([dict(data=acc[acc.n == n], x="alpha", y="bias", by="method", label=METHOD_LABEL,
                                hline=0.0, title=f"n = {n}", xlabel="true α", ylabel="bias of α̂")
                           for n in study_ns])
plotting.plt.show()

# %% tags=["hide-input"]
n_at = 1000 if 1000 in study_ns else study_ns[-1]
a18 = min(study_alphas, key=lambda a: abs(a - 1.8))
acc_numbers, log_sep = es.accuracy_numbers(acc, n_at, a18)
report.glue_numbers("ch02", **acc_numbers)
log_sep.glue("ch02_log_sep")

# %% [markdown]
# In this run the RMSE falls with the sample size with fitted exponents
# {glue:text}`ch02_rmse_slope_range` (from the mean RMSE over α of each estimator; $n^{-1/2}$ is
# −0.5). At $n$ = {glue:text}`ch02_n_at` — the order of the number of mini-batches one can afford
# per parameter — the RMSE over all α is at most {glue:text}`ch02_ecf_rmse_max` for the regression
# estimator and at most {glue:text}`ch02_ml_rmse_max` for maximum likelihood; McCulloch's estimator
# has {glue:text}`ch02_mcc_rmse_a18` at α = {glue:text}`ch02_a18`, and the log estimator of
# {eq}`eq-log-estimator` {glue:text}`ch02_log_rmse_range`. Can a single estimate of the log estimator
# tell α = {glue:text}`ch02_a18` from α = 2? The criterion: {glue:text}`ch02_log_sep_criterion`. Its
# band is ±{glue:text}`ch02_log_sep_band` against a half gap of {glue:text}`ch02_log_sep_half_gap`:
# *{glue:text}`ch02_log_sep_verdict`*.
#
# The same numbers at the default method's working point:

# %%
# NBVAL_CHECK_OUTPUT
for m, g in acc[acc.n == n_at].groupby("method", sort=False):
    print(f"{m:>10}  n={n_at}: RMSE(α̂) from {g.rmse.min():.2f} to {g.rmse.max():.2f}")

# %% [markdown]
# ## Bias near α = 2: how an estimator can fake heavy tails
#
# The most consequential regime is α = 2 itself: Gaussian noise. Since α cannot exceed 2, every
# estimate is either clipped to 2 or falls below it, so any estimator's errors push the *mean*
# estimate below 2. How far below decides whether Gaussian noise would be reported as
# heavy-tailed. The figure shows the distribution of the estimates on Gaussian samples of the largest
# size studied.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Empirical distribution function of α̂ on Gaussian data (true α = 2), one curve per estimator, at the largest $n$ of the study: the height of a curve at α̂ = 1.9 is the share of Gaussian samples that would be reported with α̂ < 1.9; the jump at 2 is the clipped estimates.", "name": "fig-measuring-tail-index-gaussian"}}
plotting.panels_vs_theory([dict(data=es.estimate_cdf(est, 2.0, max(study_ns)), x="alpha_hat", y="share", by="method",
                                label=METHOD_LABEL, step=True, xlabel="α̂ on Gaussian data",
                                ylabel="share of estimates ≤ α̂")])
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
g2 = acc[acc.alpha == 2.0].set_index(["method", "n"])
for (m, n), r in g2.iterrows():
    print(f"{m:>10} n={n:>5}: bias {r.bias:+.3f}, share of α̂ < 1.9: {r.share_below:.2f}")

# %% tags=["hide-input"]
report.glue_numbers("ch02_g2", **es.gaussian_numbers(acc, n_at))

# %% [markdown]
# In this run, on Gaussian data the regression and likelihood estimators are biased by at most
# {glue:text}`ch02_g2_good_bias` and put at most {glue:text}`ch02_g2_good_share` of their estimates
# below 1.9. McCulloch's estimator has a bias of {glue:text}`ch02_g2_mcc_bias` over the sample sizes
# studied (its estimates pile up at 2 and spread below it), and the log estimator
# {glue:text}`ch02_g2_log_bias`; with the log estimator {glue:text}`ch02_g2_log_share_small` of
# purely Gaussian parameters would be reported with α < 1.9 at $n \le$ {glue:text}`ch02_n_at`. A tail
# index near 1.9 is evidence against Gaussian noise only in so far as Gaussian data rarely produce
# one: at $n$ = {glue:text}`ch02_n_at` that happens for {glue:text}`ch02_g2_log_share_nat` of Gaussian
# samples with the log estimator and {glue:text}`ch02_g2_ecf_share_nat` with the regression estimator.

# %% [markdown]
# ## The fit errors of Tables 1–3 on data with a known law
#
# The paper compares the two fitted laws with the normalised histogram of each parameter's
# noise. With $\hat h_b$ the histogram (a density) on bins of width $w$ and centres $c_b$, and
# $\hat p_b$, $p_b$ the empirical and fitted probabilities of bin $b$,
#
# $$
# \mathrm{SSE} = \sum_b \bigl(\hat h_b - f(c_b)\bigr)^2 ,\qquad
# \chi^2 = \sum_b \frac{(\hat p_b - p_b)^2}{p_b} .
# $$ (eq-fit-errors)
#
# The paper does not state its bins; `stable.fit_errors` uses $\lceil 2 n^{1/3}\rceil$ equal bins
# between the 0.5 % and 99.5 % sample quantiles of each parameter, and measures $x$ in units of the
# parameter's robust standard deviation (IQR/1.349), so that SSE values of parameters of very
# different scale can be averaged. We compute the table for three synthetic "networks" whose
# parameters have known laws: Gaussian, SαS with α = 1.8 and SαS with α = 1.5, with scales spread
# over two orders of magnitude.

# %%
fe_per, fe_table = fit_errors.synthetic_fit_errors(fe_n, fe_params, seed)
report.table(fe_table[["model", "Gauss-SSE", "SαS-SSE", "Gauss-Chi2", "SαS-Chi2", "SSE ratio", "SαS better (SSE)"]])

# %%
# NBVAL_CHECK_OUTPUT
for r in fe_table.to_dict("records"):
    print(f"{r['model']:<14} SαS/Gauss SSE ratio {r['SSE ratio']:.2f}, SαS better (SSE) for {r['SαS better (SSE)']:.0%} of parameters")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Per-parameter fit errors {eq}`eq-fit-errors` of the SαS fit against those of the Gaussian fit for the three synthetic networks (SSE left, χ² right). Points below the grey diagonal are parameters where the SαS law fits better.", "name": "fig-measuring-tail-index-fit-errors"}}
plotting.panels_vs_theory([
    dict(data=fe_per, x=f"{k}_gauss", y=f"{k}_sas", by="network", label="{}", logx=True, logy=True, theory_label="{}",
         theory=fit_errors.diagonal(fe_per, f"{k}_gauss", f"{k}_sas"), xlabel=f"Gaussian fit {lab}", ylabel=f"SαS fit {lab}")
    for k, lab in (("sse", "SSE"), ("chi2", "χ²"))])
plotting.plt.show()

# %% tags=["hide-input"]
report.glue_numbers("ch02_fe", **fit_errors.table_numbers(fe_table))

# %% [markdown]
# On Gaussian data the SαS family contains the truth (α = 2), so its fit can only be better than
# the Gaussian one by fitting noise; in this run the ratio of the mean SSEs (SαS over Gaussian) is
# {glue:text}`ch02_fe_ratio_gauss` on Gaussian data, with the SαS fit better for
# {glue:text}`ch02_fe_better_gauss`. On SαS data the ratio is
# {glue:text}`ch02_fe_ratio_18` for α = 1.8 and {glue:text}`ch02_fe_ratio_15` for α = 1.5. In the
# paper's Tables 1–2 the SαS errors are smaller than the Gaussian ones by 2 % (ResNet110) to 30 %
# (ResNet50) and by a factor of three for BERT at batch size 8 — ratios of 0.98 to 0.7 and about
# 1/3, to be set against the synthetic ratios above. Ratios between those of Gaussian data and of
# a clean SαS sample are what a mixture of nearly Gaussian and heavier-tailed parameters, or
# parameters with mildly heavy tails, would give. Two caveats carry over to real networks: the
# SSE, computed on densities, depends on the units (with raw units, as in the paper, it scales
# like one over the parameter's size, and averages over parameters are dominated by the
# smallest ones), and both metrics depend on the bins.

# %% [markdown]
# ## Pooling coordinates manufactures heavy tails
#
# {cite:t}`simsekli2019tail` estimated α from the noise of *all* parameters of a network pooled
# into one sample; the paper, following {cite:t}`xie2020diffusion`, estimates one α per parameter
# from its noise across mini-batches. The difference matters even when every parameter's noise
# is exactly Gaussian. If coordinate $j$ is $N(0, s_j^2)$ and the scales $s_j$ vary, the pooled
# sample is a *scale mixture of Gaussians*,
#
# $$
# X = s_J Z,\qquad Z\sim N(0,1),\quad J \text{ uniform over coordinates},
# $$ (eq-scale-mixture)
#
# whose tails are as heavy as the spread of the $s_j$ makes them. We draw `pool_coords`
# Gaussian coordinates with $\log_{10} s_j \sim N(0, \text{spread}^2)$, fit α to each coordinate,
# and to all of them pooled.

# %%
pool = pooling.pooling_sweep(pool_spreads, pool_coords, pool_n, seed)
report.glue_numbers("ch02_pool", **pooling.pooling_numbers(pool))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Gaussian coordinates of different scales ($\\log_{10} s_j \\sim N(0,\\text{spread}^2)$). Per-coordinate estimates (median over coordinates) stay at α = 2; the same values pooled into one sample give α̂ < 2, the more so the wider the spread of scales (regression estimator and, in the style of Şimşekli et al., the log estimator). Dividing each coordinate by its own fitted scale before pooling removes the effect.", "name": "fig-measuring-tail-index-pooling"}}
plotting.panels_vs_theory([dict(data=pool, x="spread", y="alpha_hat", by="estimate", label="{}", ylim=(0.0, 2.1),
                                xlabel="spread of log10 scales across coordinates", ylabel="α̂")])
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
wide = pool.pivot(index="spread", columns="estimate", values="alpha_hat")[list(pooling.ESTIMATES)]
for spread, (per_med, pooled, pooled_log, pooled_std) in wide.iterrows():
    print(f"spread {spread:.2f}: per-coordinate α̂ {per_med:.2f}, pooled {pooled:.2f} "
          f"(log estimator {pooled_log:.2f}), pooled after scaling {pooled_std:.2f}")

# %% [markdown]
# In this run a spread of {glue:text}`ch02_pool_sa` decades in the parameters' noise scales (a
# factor of {glue:text}`ch02_pool_sa_factor`) gives a pooled α̂ of {glue:text}`ch02_pool_a`, and a
# spread of {glue:text}`ch02_pool_sb` decades — modest for a deep network, whose layers differ in
# gradient size by orders of magnitude — {glue:text}`ch02_pool_b`, though no coordinate is
# heavy-tailed (the median per-coordinate α̂ {glue:text}`ch02_pool_per_text`, and pooling after
# per-coordinate scaling {glue:text}`ch02_pool_std_text`). The log estimator moves
# {glue:text}`ch02_pool_log_less` than the regression estimator: at the same two spreads the log
# estimator gives {glue:text}`ch02_pool_log_a` and {glue:text}`ch02_pool_log_b`. A pooled estimate
# therefore mixes two things: the tails
# of each coordinate and the heterogeneity of scales across coordinates. This is the
# methodological reason the paper, like {cite:t}`xie2020diffusion`, measures each parameter
# separately, and the reason the rest of this book does so too.
#
# ## Verdicts
#
# * With $n$ = {glue:text}`ch02_n_at` samples per parameter the regression estimator measured α
#   in this run with an RMSE of at most {glue:text}`ch02_ecf_rmse_max` and a bias of at most
#   {glue:text}`ch02_g2_ecf_bias` in size at α = 2; it is the default of `stable.fit`
#   (`benchmarks/bench_stable.py` times it at about a second for ten thousand parameters of 1000
#   samples on two CPU cores).
# * McCulloch's estimator is fast but biased at α = 2 ({glue:text}`ch02_g2_mcc_bias`), and the
#   log estimator of {eq}`eq-log-estimator` has {glue:text}`ch02_log_vs_ecf` times the mean RMSE
#   of the regression estimator; on Gaussian data they return α̂ < 1.9 for
#   {glue:text}`ch02_g2_mcc_share_nat` and {glue:text}`ch02_g2_log_share_nat` of the samples at
#   $n$ = {glue:text}`ch02_n_at`; a single log estimate separating α = {glue:text}`ch02_a18` from 2:
#   *{glue:text}`ch02_log_sep_verdict`*. Criterion: {glue:text}`ch02_log_sep_criterion`; misses:
#   {glue:text}`ch02_log_sep_misses`.
# * The fit errors {eq}`eq-fit-errors` have an SSE ratio (SαS over Gaussian) of
#   {glue:text}`ch02_fe_ratio_gauss` on Gaussian data against {glue:text}`ch02_fe_ratio_18` and
#   {glue:text}`ch02_fe_ratio_15` on SαS data: a large gap between the two columns of Tables 1–3
#   is evidence for heavy tails, a small one is not.
# * Pooling coordinates of different scales yields α < 2 from purely Gaussian noise (down to
#   {glue:text}`ch02_pool_min` at a spread of {glue:text}`ch02_pool_smax` decades here); α must be
#   measured per parameter.
#
# ## Versions

# %%
from sgnlib.provenance import show_versions

show_versions()
