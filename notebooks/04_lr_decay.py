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
# (ch-lr-decay)=
# # 04 · Learning-rate decay attenuates the noise
#
# {cite:t}`battash2023revisiting` (Sec. 5, Figure 2) argue that a learning-rate decay works because
# it attenuates the stochastic gradient noise (SGN): after a ×0.1 decay of a ResNet-110
# {cite:p}`he2015resnet` on CIFAR-100 {cite:p}`krizhevsky2009cifar` the noise of one parameter looks
# narrower than at the same epoch without decay; and a ResNet-20 whose batch size is increased at
# epochs 30 and 60 ends as well as one whose learning rate is decayed there (top-1 66.4 against
# 66.7 %), while one with neither ends far worse (53 %), as {cite:t}`smith2017dont` found before
# them. {cite:t}`you2019lrdecay` give another account of why decay helps.
#
# Two different things can be called "the noise" here. The SGD step (eq. P1 of the paper) is
#
# $$
# w_k = w_{k-1} - \frac{\eta}{B}\sum_{\ell\in\Omega_k}\nabla U^{(\ell)}(w_{k-1})
#     = w_{k-1} - \eta\,\nabla U(w_{k-1}) + \eta\,u_k ,
# $$ (eq-lrd-step)
#
# $$
# u_k = \nabla U(w_{k-1}) - \frac{1}{B}\sum_{\ell\in\Omega_k}\nabla U^{(\ell)}(w_{k-1}) .
# $$ (eq-lrd-noise)
#
# The **gradient noise** $u_k$ of {eq}`eq-lrd-noise` is a difference of gradients: at given
# weights it does not depend on η at all, so a decay can change it only by moving the weights
# somewhere else. The **update noise** $\eta u_k$ of {eq}`eq-lrd-step` is what the step adds to the
# weights; a decay by $f$ multiplies it by $f$ at once, by arithmetic. (The paper writes it
# $\epsilon u_k$ with $\epsilon = \eta^{(\alpha-1)/\alpha}$, the time scaling of its Lévy SDE; either
# way it shrinks with η.) A batch-size increase by $F$ shrinks $u_k$ itself: by $F^{-1/2}$ for
# finite variance, by $F^{1/\alpha-1}$ for an α-stable law. This chapter measures both, per
# parameter, and says which one attenuates. The amplitude of a parameter's noise is its
# interquartile range (IQR) over $K$ mini-batches at fixed weights, with the fitted SαS scale σ and
# tail index α of `sgnlib.stable.fit` beside it.
#
# The experiments are the studies of `sgnlib.studies.lr_decay`; every training run is a cached unit
# of `sgnlib.train` drawn from its own stream, and every noise measurement is the paper's
# (`sgnlib.noise.measure_noise`: the full gradient once, then $K$ mini-batches at fixed weights).
#
# ```{admonition} Key findings
# :class: key-findings
# * A learning-rate decay shrinks the update noise $\eta u_k$ by its factor, by arithmetic:
#   **{glue:text}`ch04_m_upd_verdict`** across the study's first milestone (median ratio
#   {glue:text}`ch04_m_upd_median`), **{glue:text}`ch04_fig_upd_verdict`** in Figure 2.
# * The gradient noise $u_k$ after the decay is smaller than without it at the same epoch:
#   **{glue:text}`ch04_fig_vs_verdict`** over {glue:text}`ch04_fig_vs_n` trunks (ratio {glue:text}`ch04_fig_vs_ratio`); smaller than at
#   the branch point: **{glue:text}`ch04_fig_grad_verdict`** with the decay,
#   **{glue:text}`ch04_fig_ctrl_verdict`** without it.
# * A batch increase shrinks $u_k$ itself: **{glue:text}`ch04_m_batch_verdict`** (median ratio
#   {glue:text}`ch04_m_batch_median`; finite variance predicts {glue:text}`ch04_sqrt_f`).
# * Final top-1: decay {glue:text}`ch04_top1_decay` %, batch increase {glue:text}`ch04_top1_batch` %,
#   constant {glue:text}`ch04_top1_constant` %; decay and batch increase end alike:
#   **{glue:text}`ch04_same_verdict`**; the constant schedule ends worse:
#   **{glue:text}`ch04_worse_verdict`**.
# ```

# %% tags=["parameters"]
profile = "book"          # set by the chapter runner
seed = 0                  # every random number of the chapter derives from it (one stream per run)
device = "auto"           # "auto": CUDA where present
threads = 1               # torch CPU threads (0: torch's default)
dtype = "float32"         # floating type of networks and images ("float64": the same numbers on any CPU, thread count, device)
data = "fashion_mnist"    # image data set of sgnlib.data
subset = 1500             # training examples (None: all)
test_subset = 1000        # evaluation examples
lr = 0.1                  # learning rate before any decay
batch_size = 16           # batch size before any increase (also the batch of Figure 2's noise)
n_coords = 100            # sampled parameters per network (the paper's 100)
level = 0.95              # level of every interval
fig_model = "resnet20"    # Figure 2's network (the paper: resnet110)
fig_width = 4             # its base width (None: the paper's)
fig_before = 6            # epochs before the decay (the paper: 280)
fig_after = 1             # epochs after it (the paper: 1)
fig_factor = 0.1          # the decay (the paper: 0.1)
fig_trunks = 8            # independent trunks, each with its two branches (the paper: 1); the unit of its verdicts
fig_batches = 200         # mini-batches per noise measurement of Figure 2
model = "resnet20"        # the schedule study's network (the paper: resnet20)
width = 4                 # its base width (None: the paper's 16)
epochs = 6                # epochs per run (the paper: 90)
milestones = [1 / 3, 2 / 3]  # when the rate drops or the batch grows: epochs or fractions (the paper: 30, 60)
factor = 4                # batch size x factor, learning rate / factor at each milestone (the paper: 10)
run_seeds = [0, 1, 2]     # runs per schedule
n_batches = 50            # mini-batches per noise measurement of the schedule study

# %%
import warnings

import torch

import sgnlib
from sgnlib import plotting, report
from sgnlib.report import fmt
from sgnlib.studies import lr_decay

plotting.use_style()
warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm's notebook bars are not used
device = sgnlib.resolve_device(device)
if threads:
    torch.set_num_threads(threads)  # training is chaotic: other thread counts sum in another order
fig_setup = lr_decay.Setup(fig_model, data, fig_width, subset, test_subset, lr, batch_size, dtype)
study_setup = lr_decay.Setup(model, data, width, subset, test_subset, lr, batch_size, dtype)
print(f"profile={profile}, device={device}, {data}: {subset} training examples")

# %% [markdown]
# ## Figure 2: one trunk, two branches
#
# A {glue:text}`ch04_fig_model` is trained for {glue:text}`ch04_fig_before` epochs with plain SGD
# (η = {glue:text}`ch04_lr`, B = {glue:text}`ch04_batch`, no momentum, no weight decay). From its last
# checkpoint two branches train {glue:text}`ch04_fig_after` more epoch(s): one with the learning rate
# multiplied by {glue:text}`ch04_fig_factor`, one without. Both see the same mini-batches, so the
# decay is the only difference. The noise of the same {glue:text}`ch04_n_coords` sampled parameters
# is measured on the same {glue:text}`ch04_fig_batches` mini-batches of B = {glue:text}`ch04_batch`
# at the branch point ("before") and at the end of each branch.
#
# One trunk is one trajectory, and SGD at this learning rate is chaotic: the same trunk trained on
# another CPU (other float32 kernels) is another network, and its 100 parameters share its fate. So
# the experiment is repeated on {glue:text}`ch04_fig_trunks` independent trunks (own initial weights,
# data order, sampled parameters and mini-batches), and every Figure 2 verdict is a test over the
# trunks: the median ratio after / before of each trunk, its logarithm, and an exact sign-flip test
# that their mean is below 0. The figure and the per-parameter table show the first trunk.

# %%
branches = lr_decay.branch_trunks(fig_setup, seed=seed, trunks=fig_trunks, before_epochs=fig_before, after_epochs=fig_after,
                                  factor=fig_factor, n_batches=fig_batches, n_coords=n_coords, device=device)
branch = branches[0]
pairs = [("before", "after decay"), ("before", "no decay"), ("no decay", "after decay")]
fig_table = lr_decay.attenuation_summary(branch.amplitude, pairs, stats_=("iqr", "sigma", "update_iqr"), level=level)
trunks = lr_decay.trunk_table(branches, pairs)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Figure 2 again. Top: the gradient noise $u_k$ of one sampled parameter (the one whose IQR ratio after / before the decay is the median of all) over the same mini-batches, at the branch point, after the decayed branch, and after the branch without decay. Bottom left: the per-iteration training loss of both branches (dotted: the decay). Bottom right: the IQR of every sampled parameter after against before, for both branches (grey: no change).", "name": "fig-lr-decay-branch"}}
plotting.decay_branch_panels(**branch.figure_data("iqr"))
plotting.plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print(fig_table[["before", "after", "stat", "compared", "dropped", "median", "lo", "hi"]].round(3).to_string(index=False))

# %%
# NBVAL_CHECK_OUTPUT
print(lr_decay.trunk_summary(trunks).round(3).to_string(index=False))

# %% tags=["hide-input"]
checks = {"fig_grad": ("before", "after decay", "iqr"), "fig_ctrl": ("before", "no decay", "iqr"),
          "fig_vs": ("no decay", "after decay", "iqr"), "fig_upd": ("before", "after decay", "update_iqr")}
for name, (before, after, stat) in checks.items():
    lr_decay.trunk_verdict(trunks, before, after, stat=stat).glue(f"ch04_{name}")
    first = lr_decay.attenuation_verdict(branch.amplitude, before, after, stat=stat).numbers  # trunk 0, described
    report.glue_numbers(f"ch04_fig0_{name[4:]}", **{k: first[k] for k in ("k", "n", "median", "median_lo", "median_hi")})
alpha = branch.amplitude.groupby("point")["alpha"].median()
report.glue_numbers("ch04", fig_model=f"{fig_model} of width {fig_width}", fig_before=str(fig_before),
                    fig_after=str(fig_after), fig_factor=f"{fig_factor:g}", fig_batches=str(fig_batches), lr=f"{lr:g}",
                    batch=str(batch_size), n_coords=str(n_coords), fig_trunks=str(fig_trunks), alpha_before=fmt(alpha["before"]),
                    alpha_decay=fmt(alpha["after decay"]), alpha_nodecay=fmt(alpha["no decay"]))

# %% [markdown]
# **Gradient units, against the same epoch without decay** (the paper's comparison, its panels b
# and c). Over the {glue:text}`ch04_fig_vs_n` trunks, the median parameter's IQR is smaller with the
# decay than without it in {glue:text}`ch04_fig_vs_k` (geometric mean of the trunks' median ratios
# {glue:text}`ch04_fig_vs_ratio`, p = {glue:text}`ch04_fig_vs_p`). Criterion:
# {glue:text}`ch04_fig_vs_criterion`. Verdict: **{glue:text}`ch04_fig_vs_verdict`** (misses:
# {glue:text}`ch04_fig_vs_misses`). In the first trunk alone, {glue:text}`ch04_fig0_vs_k` of
# {glue:text}`ch04_fig0_vs_n` parameters are smaller, median ratio {glue:text}`ch04_fig0_vs_median`
# ({glue:text}`ch04_fig0_vs_median_lo`–{glue:text}`ch04_fig0_vs_median_hi`).
#
# **Gradient units, against the branch point.** After the decay the median parameter's IQR is smaller
# than at the branch point in {glue:text}`ch04_fig_grad_k` of {glue:text}`ch04_fig_grad_n` trunks
# (geometric mean ratio {glue:text}`ch04_fig_grad_ratio`): **{glue:text}`ch04_fig_grad_verdict`**
# (misses: {glue:text}`ch04_fig_grad_misses`). Without the decay, over the same epoch(s), in
# {glue:text}`ch04_fig_ctrl_k` of {glue:text}`ch04_fig_ctrl_n` (ratio {glue:text}`ch04_fig_ctrl_ratio`):
# **{glue:text}`ch04_fig_ctrl_verdict`** (misses: {glue:text}`ch04_fig_ctrl_misses`). These are the
# verdicts one trunk could not settle: in the first trunk the ratios are
# {glue:text}`ch04_fig0_grad_median` with and {glue:text}`ch04_fig0_ctrl_median` without the decay, and
# the same trunk trained under other CPU kernels gave other words (see the runs page). At given
# weights $u_k$ does not see η; the difference between the branches is where one epoch at the two
# rates took the weights. The median tail index α of the first trunk's sampled parameters is
# {glue:text}`ch04_alpha_before` at the branch point, {glue:text}`ch04_alpha_decay` after the decay and
# {glue:text}`ch04_alpha_nodecay` without it.
#
# **Update units.** The update noise $\eta u_k$ of the median parameter is smaller after the decay in
# {glue:text}`ch04_fig_upd_k` of {glue:text}`ch04_fig_upd_n` trunks (ratio {glue:text}`ch04_fig_upd_ratio`):
# verdict **{glue:text}`ch04_fig_upd_verdict`**. This ratio is the gradient ratio times
# {glue:text}`ch04_fig_factor` exactly, so it says nothing beyond the arithmetic of
# {eq}`eq-lrd-step`: Figure 2's "lower noise amplitude" is true of the update by construction,
# and of the gradient noise only as far as the first paragraph's verdict allows.

# %% tags=["hide-input"]
report.table(fig_table[["before", "after", "unit", "stat", "compared", "dropped", "share", "median", "lo", "hi"]], digits=3)

# %% [markdown]
# ## Decay, batch increase or neither: the ResNet-20 study
#
# Each of {glue:text}`ch04_runs` runs per schedule trains a {glue:text}`ch04_model` for
# {glue:text}`ch04_epochs` epochs from η = {glue:text}`ch04_lr`, B = {glue:text}`ch04_batch`. After
# epochs {glue:text}`ch04_milestones` the decay schedule divides η by {glue:text}`ch04_factor`; the
# batch-increase schedule multiplies B by {glue:text}`ch04_factor` instead (up to
# B = {glue:text}`ch04_bmax`, which the {glue:text}`ch04_n_train` training examples allow; the paper does
# not give its factor, the `paper` profile uses 10); the constant schedule changes nothing. Every run is
# initialised and shuffled from its own stream, so the runs of a schedule are independent
# repetitions. The noise of {glue:text}`ch04_n_coords` parameters is measured on
# {glue:text}`ch04_n_batches` mini-batches of the batch size the run uses at that epoch, at epochs
# {glue:text}`ch04_measured`.

# %%
study = lr_decay.schedule_study(study_setup, seed=seed, epochs=epochs, run_seeds=run_seeds, milestones=milestones,
                                factor=factor, n_batches=n_batches, n_coords=n_coords, device=device)
acc = lr_decay.accuracy_table(study.final, level=level)
verdicts = lr_decay.accuracy_verdicts(study.final)
along = lr_decay.noise_along(study.amplitude, level=level)
steps = lr_decay.milestone_attenuation(study, level=level)

# %%
# NBVAL_CHECK_OUTPUT
print(acc.round(1).to_string(index=False))
print(along[["schedule", "epoch", "lr", "batch_size", "grad", "update", "alpha"]].round(4).to_string(index=False))

# %% tags=["hide-input"]
report.table(acc.rename(columns={"lo": "95 % lo", "hi": "95 % hi"}), digits=1)

# %% tags=["hide-input"]
verdicts["same"].glue("ch04_same")
verdicts["worse"].glue("ch04_worse")
top = acc.set_index("schedule")
alpha_end = along[along["epoch"] == epochs].set_index("schedule")["alpha"]
report.glue_numbers("ch04", **{f"alpha_end_{k.split()[0]}": fmt(v) for k, v in alpha_end.items()})
report.glue_numbers("ch04", **{f"top1_{k.split()[0]}": fmt(top.loc[k, "top-1 (%)"], 1) for k in top.index},
                    runs=str(len(run_seeds)), model=f"{model} of width {width}", epochs=str(epochs),
                    milestones=" and ".join(map(str, study.milestones)), factor=str(factor), n_batches=str(n_batches),
                    bmax=str(batch_size * factor ** len(study.milestones)), n_train=str(study.settings["n_train"]),
                    measured=", ".join(map(str, study.measured)),
                    paper_gap=fmt(lr_decay.PAPER_TOP1["decay"] - lr_decay.PAPER_TOP1["constant"], 1))

# %% [markdown]
# Final top-1 on {glue:text}`ch04_n_test` held-out images: decay {glue:text}`ch04_top1_decay` %,
# batch increase {glue:text}`ch04_top1_batch` %, constant {glue:text}`ch04_top1_constant` %
# (the table gives the Student-t intervals over the runs, beside the paper's single runs on
# CIFAR-100). *Decay and batch increase end at the same accuracy* — criterion:
# {glue:text}`ch04_same_criterion`; the difference decay − batch increase is
# {glue:text}`ch04_same_diff` points ({glue:text}`ch04_same_lo` to {glue:text}`ch04_same_hi`):
# **{glue:text}`ch04_same_verdict`** (misses: {glue:text}`ch04_same_misses`). *Constant settings end
# worse* — criterion: {glue:text}`ch04_worse_criterion`; the gaps are {glue:text}`ch04_worse_gap_decay`
# points to decay (p = {glue:text}`ch04_worse_p_decay`) and {glue:text}`ch04_worse_gap_batch` points
# to batch increase (p = {glue:text}`ch04_worse_p_batch`): **{glue:text}`ch04_worse_verdict`**
# (misses: {glue:text}`ch04_worse_misses`). The paper's gap between decay and constant settings is
# {glue:text}`ch04_paper_gap` points (one run each, CIFAR-100, 90 epochs); here it is
# {glue:text}`ch04_worse_gap_decay` points. "Same" here means *not distinguishable with
# {glue:text}`ch04_runs` runs*: the width of the interval says how large a difference would have
# been seen.
#
# The median fitted α of the sampled parameters at the last epoch is {glue:text}`ch04_alpha_end_decay`
# (decay), {glue:text}`ch04_alpha_end_batch` (batch increase, at B = {glue:text}`ch04_bmax`) and
# {glue:text}`ch04_alpha_end_constant` (constant). The generalised CLT predicts α → 2 as B grows
# when the per-example gradients have finite variance ({doc}`chapter 03 <03_heavy_tailed_noise>` measures which regime these
# networks are in).

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The noise amplitude along each schedule: at each measured epoch, the median IQR over the sampled parameters, averaged over the runs (bands: 95 % Student-t intervals over the runs). Left: the gradient noise $u_k$ at the batch size the run uses at that epoch; right: the update noise $\\eta u_k$.", "name": "fig-lr-decay-along"}}
panel = dict(data=along, x="epoch", by="schedule", label="{}", logy=True, xlabel="epoch")
plotting.panels_vs_theory([
    dict(y="grad", lo="grad_lo", hi="grad_hi", lines={"grad": ("-", None)}, ylabel=r"median IQR of $u_k$", **panel),
    dict(y="update", lo="update_lo", hi="update_hi", lines={"update": ("-", None)}, ylabel=r"median IQR of $\eta u_k$", **panel),
])
plotting.plt.show()

# %% [markdown]
# Across each milestone the table below compares every parameter of every run with itself, one
# epoch later (after epoch $m$, the last of the old phase, against after epoch $m+1$, the first of the
# new one); the constant schedule is the control for what one more epoch does by itself.

# %%
# NBVAL_CHECK_OUTPUT
print(steps[["schedule", "milestone", "unit", "compared", "dropped", "median", "lo", "hi"]].round(3).to_string(index=False))

# %% tags=["hide-input"]
report.table(steps.drop(columns=["stat", "before", "after"]), digits=3)

# %% tags=["hide-input"]
m1 = study.milestones[0]
checks = {"m_grad": ("decay", "iqr"), "m_upd": ("decay", "update_iqr"), "m_batch": ("batch increase", "iqr"),
          "m_ctrl": ("constant", "iqr")}
for name, (sched, stat) in checks.items():
    lr_decay.attenuation_verdict(study.amplitude, f"{sched}/{m1}", f"{sched}/{m1 + 1}", stat=stat,
                                 keys=("run_seed", "coord")).glue(f"ch04_{name}")
report.glue_numbers("ch04", m1=str(m1), m1_next=str(m1 + 1), n_test=str(study.settings["n_test"]),
                    sqrt_f=fmt(factor ** -0.5, 3), stable_f=fmt(factor ** (1 / 1.5 - 1), 3))

# %% [markdown]
# At the first milestone (epoch {glue:text}`ch04_m1` against {glue:text}`ch04_m1_next`), pooled over
# the runs:
#
# * decay, gradient noise $u_k$: smaller for {glue:text}`ch04_m_grad_k` of {glue:text}`ch04_m_grad_n`
#   parameters, median ratio {glue:text}`ch04_m_grad_median`
#   ({glue:text}`ch04_m_grad_median_lo`–{glue:text}`ch04_m_grad_median_hi`): **{glue:text}`ch04_m_grad_verdict`**;
# * decay, update noise $\eta u_k$: {glue:text}`ch04_m_upd_k` of {glue:text}`ch04_m_upd_n`, median ratio
#   {glue:text}`ch04_m_upd_median`: **{glue:text}`ch04_m_upd_verdict`**;
# * batch increase, gradient noise (now at the larger batch): {glue:text}`ch04_m_batch_k` of
#   {glue:text}`ch04_m_batch_n`, median ratio {glue:text}`ch04_m_batch_median`
#   ({glue:text}`ch04_m_batch_median_lo`–{glue:text}`ch04_m_batch_median_hi`): **{glue:text}`ch04_m_batch_verdict`**
#   (finite variance predicts $F^{-1/2}$ = {glue:text}`ch04_sqrt_f`, an α-stable law of α = 1.5 would give
#   $F^{1/\alpha-1}$ = {glue:text}`ch04_stable_f`);
# * constant (control): {glue:text}`ch04_m_ctrl_k` of {glue:text}`ch04_m_ctrl_n`, median ratio
#   {glue:text}`ch04_m_ctrl_median` ({glue:text}`ch04_m_ctrl_median_lo`–{glue:text}`ch04_m_ctrl_median_hi`):
#   **{glue:text}`ch04_m_ctrl_verdict`**.
#
# Each verdict is {glue:text}`ch04_m_grad_criterion`.
#
# ## Scale of this run
#
# The paper trains a ResNet-110 for 280 epochs (Figure 2) and ResNet-20s for 90 epochs on CIFAR-100.
# The book profile runs on a shared 2-core CPU in minutes (the runs page gives its measured cost from
# an empty cache): a narrow ResNet-20 on a
# Fashion-MNIST subset {cite:p}`xiao2017fashion`, a few epochs, a few runs per schedule, and a batch
# factor the subset allows (the numbers are glued above from the run itself). The `paper` profile
# (`python -m sgnlib run 04 --profile paper`, a GPU and CIFAR-100) runs the paper's settings.
#
# ## Verdicts
#
# The decay and the batch increase act on different terms of {eq}`eq-lrd-step`. The batch increase
# acts on the gradient noise $u_k$ itself (its drop across the first milestone:
# **{glue:text}`ch04_m_batch_verdict`**). The decay acts on the update noise $\eta u_k$ by its factor,
# by arithmetic (**{glue:text}`ch04_m_upd_verdict`** in the study, **{glue:text}`ch04_fig_upd_verdict`**
# in Figure 2); on $u_k$ it acts only through the weights, and whether that shows is read against the
# controls: in Figure 2, smaller with the decay than without it at the same epoch
# **{glue:text}`ch04_fig_vs_verdict`** (ratio {glue:text}`ch04_fig_vs_ratio` over trunks), while against the
# branch point **{glue:text}`ch04_fig_grad_verdict`** with the decay and **{glue:text}`ch04_fig_ctrl_verdict`**
# without it (ratios {glue:text}`ch04_fig_grad_ratio` and {glue:text}`ch04_fig_ctrl_ratio`);
# across the study's first milestone
# **{glue:text}`ch04_m_grad_verdict`** against **{glue:text}`ch04_m_ctrl_verdict`** for the constant
# runs, median ratios {glue:text}`ch04_m_grad_median` and {glue:text}`ch04_m_ctrl_median`.
# So "learning-rate decay attenuates the noise" is sure of the noise *in the update* — the term
# $\epsilon u_k$ of the paper's SDE — by construction; for the gradient noise the two comparisons
# above answer different questions (smaller than where the run would have gone without the decay,
# or smaller than before the decay), and only the first is the paper's. Figure 2 of the paper shows
# one parameter without saying whether it plots $u_k$ or $\epsilon u_k$, and no measure over many
# parameters, so it cannot tell these apart. Whether, at this scale, the decay and the
# batch increase end alike (**{glue:text}`ch04_same_verdict`**) and the constant schedule ends worse
# (**{glue:text}`ch04_worse_verdict`**) is the paper's CIFAR-100 finding (66.7, 66.4, 53 %) retested.
#
# Every verdict of the chapter, with its criterion and misses:
#
# * Figure 2, update noise $\eta u_k$ drops after the decay: **{glue:text}`ch04_fig_upd_verdict`** —
#   {glue:text}`ch04_fig_upd_criterion`; misses: {glue:text}`ch04_fig_upd_misses`.
# * Figure 2, gradient noise smaller with the decay than without it at the same epoch:
#   **{glue:text}`ch04_fig_vs_verdict`** — {glue:text}`ch04_fig_vs_criterion`; misses:
#   {glue:text}`ch04_fig_vs_misses`.
# * Figure 2, gradient noise smaller than at the branch point, with the decay:
#   **{glue:text}`ch04_fig_grad_verdict`** (misses: {glue:text}`ch04_fig_grad_misses`); without it:
#   **{glue:text}`ch04_fig_ctrl_verdict`** (misses: {glue:text}`ch04_fig_ctrl_misses`); criterion:
#   {glue:text}`ch04_fig_grad_criterion`. (The Figure 2 verdicts are over trunks; over the 100
#   parameters of one trunk, two of them changed word when that trunk was trained under other CPU
#   kernels.)
# * Study, first milestone — decay, gradient noise: **{glue:text}`ch04_m_grad_verdict`** (misses:
#   {glue:text}`ch04_m_grad_misses`); decay, update noise: **{glue:text}`ch04_m_upd_verdict`** (misses:
#   {glue:text}`ch04_m_upd_misses`); batch increase: **{glue:text}`ch04_m_batch_verdict`** (misses:
#   {glue:text}`ch04_m_batch_misses`); constant control: **{glue:text}`ch04_m_ctrl_verdict`** (misses:
#   {glue:text}`ch04_m_ctrl_misses`); criterion: {glue:text}`ch04_m_grad_criterion`.
# * Decay and batch increase end alike: **{glue:text}`ch04_same_verdict`** —
#   {glue:text}`ch04_same_criterion`; misses: {glue:text}`ch04_same_misses`.
# * The constant schedule ends worse: **{glue:text}`ch04_worse_verdict`** —
#   {glue:text}`ch04_worse_criterion`; misses: {glue:text}`ch04_worse_misses`.
#
# ## Versions

# %%
from sgnlib.provenance import show_versions

show_versions()
