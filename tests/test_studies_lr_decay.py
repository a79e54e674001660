"""Tests of sgnlib.studies.lr_decay (chapter 04) and of the branch-from-checkpoint runs of sgnlib.train it needs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from sgnlib import report, train
from sgnlib.studies import lr_decay as L

TINY = dict(width=2, subset=64, test_subset=32, lr=0.1, batch_size=8)


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory):
    return tmp_path_factory.mktemp("lr-decay-cache")


@pytest.fixture(scope="module")
def branch(cache_root):
    return L.branch_at_decay(L.Setup(**TINY), seed=0, before_epochs=2, after_epochs=1, n_batches=50, n_coords=6,
                             device="cpu", cache_root=cache_root)


def test_branches_share_the_trunk_up_to_the_decay(branch):
    """Figure 2's comparison isolates the decay: both branches start from the trunk's checkpoint, so their
    histories (per-iteration loss, lr, batch size) equal the trunk's up to the decay epoch, and differ after it."""
    trunk, dec, keep = (branch.histories[k] for k in ("trunk", "decay", "no decay"))
    n = len(trunk["iteration_loss"])
    assert n == branch.decay_iteration == 2 * (64 // 8)
    assert dec["iteration_loss"][:n] == trunk["iteration_loss"] == keep["iteration_loss"][:n]
    assert dec["lr"] == pytest.approx([0.1, 0.1, 0.01]) and keep["lr"] == pytest.approx([0.1, 0.1, 0.1])
    assert dec["iteration_loss"][n:] != keep["iteration_loss"][n:]
    loss = branch.loss
    assert set(loss["run"]) == {"decay", "no decay"} and loss.groupby("run").size().tolist() == [24, 24]
    assert loss.loc[loss["iteration"] == n, "epoch"].unique().tolist() == [3]


def test_branch_equals_an_uninterrupted_run(branch, cache_root):
    """A branch continues the trunk's data stream (the order of epoch e depends on (seed, e) only): the decayed
    branch equals a run trained from scratch with the decay at the same epoch (eq. 1 step by step, CPU)."""
    s = L.Setup(**TINY)
    tr, _, kw, classes, key, _ = s.datasets(0)
    tseed = L.streams.int_seed(0, L.STUDY, schedule="branch", run_seed=0) % 2**31
    model = train.models.build(s.model, num_classes=classes, seed=tseed, **kw)
    hist = train.fit(model, tr, epochs=3, batch_size=8, lr=0.1, seed=tseed, device="cpu", progress=False,
                     lr_schedule=train.LRSchedule("multistep", milestones=(2,), factor=0.1), record_iterations=True)
    assert hist["iteration_loss"] == branch.histories["decay"]["iteration_loss"]


def test_amplitude_table_has_the_named_columns(branch):
    """The amplitude of each sampled parameter at each point: IQR, fitted σ and α, and the update's (lr × gradient)."""
    amp = branch.amplitude
    assert set(L.AMPLITUDE_COLUMNS) | {"point", "epoch", "lr", "batch_size"} <= set(amp)
    assert list(amp.groupby("point", sort=False).size().items()) == [("before", 6), ("after decay", 6), ("no decay", 6)]
    assert np.allclose(amp["update_iqr"], amp["lr"] * amp["iqr"])
    before = amp[amp["point"] == "before"]
    assert before["epoch"].unique().tolist() == [2] and amp.loc[amp["point"] == "after decay", "lr"].unique() == pytest.approx([0.01])
    # the same coordinates at every point
    assert (amp[amp["point"] == "no decay"]["name"].to_numpy() == before["name"].to_numpy()).all()
    assert branch.noise["before"].shape == (50, 6) and branch.example in set(before["coord"])


def test_amplitude_table_on_known_laws():
    """IQR of N(0, s²) is 1.349 s; SαS fit recovers α ≈ 2 for Gaussian and α ≈ 1 for Cauchy noise."""
    rng = np.random.default_rng(1)
    u = np.column_stack([3.0 * rng.standard_normal(4000), rng.standard_cauchy(4000)])
    t = L.amplitude_table(u, 0.5)
    assert t["iqr"][0] == pytest.approx(1.349 * 3, rel=0.05) and t["iqr"][1] == pytest.approx(2.0, rel=0.1)
    assert t["alpha"][0] > 1.9 and abs(t["alpha"][1] - 1.0) < 0.1
    assert t["sigma"][1] == pytest.approx(1.0, rel=0.1) and t["update_sigma"][1] == pytest.approx(0.5 * t["sigma"][1])


def test_median_interval_order_statistics():
    """Distribution-free 95 % interval of the median: n = 20 gives [x_(6), x_(15)] (coverage 95.9 %)."""
    x = np.arange(1.0, 21.0)[::-1]
    assert L.median_interval(x) == (10.5, 6.0, 15.0)
    with pytest.raises(ValueError, match="too few"):
        L.median_interval([1.0, 2.0, 3.0])


def test_attenuation_verdict_holds_and_fails():
    """share_above on the share of parameters whose amplitude drops: halved amplitudes hold with median ratio
    0.5; doubled amplitudes fail; zero amplitudes are left out and counted."""
    base = L.amplitude_table(np.random.default_rng(2).standard_normal((60, 40)), 1.0)
    amp = pd.concat([base.assign(point="a"), base.assign(point="b", iqr=base["iqr"] / 2),
                     base.assign(point="c", iqr=base["iqr"] * 2)])
    v = L.attenuation_verdict(amp, "a", "b")
    assert v.word == "holds" and v.numbers["median"] == "0.500" and v.numbers["compared"] == "40"
    assert L.attenuation_verdict(amp, "a", "c").word == "fails"
    amp.loc[(amp["point"] == "b") & (amp["coord"] < 3), "iqr"] = 0.0
    assert L.attenuation(amp, "a", "b")["excluded"] == 3


def test_accuracy_verdicts_can_hold_and_fail():
    """Decay ≈ batch increase (Welch interval of the difference covers 0) and constant worse (one-sided Welch)."""
    def final(d, b, c):
        return pd.DataFrame([{"schedule": s, "run_seed": i, "top1": v} for s, vals in
                             (("decay", d), ("batch increase", b), ("constant", c)) for i, v in enumerate(vals)])
    good = L.accuracy_verdicts(final([66, 67, 66.5], [66.2, 66.8, 66.4], [53, 54, 52]))
    assert good["same"].word == "holds" and good["worse"].word == "holds"
    bad = L.accuracy_verdicts(final([66, 67, 66.5], [50, 51, 50.5], [66, 67, 66]))
    assert bad["same"].word == "fails" and bad["worse"].word == "fails" and len(bad["worse"].misses) == 2
    table = L.accuracy_table(final([66, 67, 66.5], [66.2, 66.8, 66.4], [53, 54, 52]))
    assert table["paper top-1 (%)"].tolist() == [66.7, 66.4, 53.0] and table["runs"].tolist() == [3, 3, 3]
    with pytest.raises(ValueError, match="at least 2 runs"):
        L.accuracy_verdicts(final([66], [66], [50]))


def test_run_streams_do_not_depend_on_the_other_seeds(tmp_path):
    """Each run's stream is int_seed(seed, 'lr-decay', schedule, run_seed): run seed 1 gives the same history and
    noise whether run alone or beside run seed 0 (separate caches, so nothing is shared)."""
    s = L.Setup(**TINY)
    opts = dict(seed=0, epochs=2, milestones=(1,), factor=2, schedules=["constant"], n_batches=50, n_coords=4, device="cpu")
    one = L.schedule_study(s, run_seeds=(1,), cache_root=tmp_path / "a", **opts)
    two = L.schedule_study(s, run_seeds=(0, 1), cache_root=tmp_path / "b", **opts)
    pick = two.runs[two.runs["run_seed"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.runs, pick)
    amp1 = two.amplitude[two.amplitude["run_seed"] == 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.amplitude, amp1)
    assert not np.allclose(two.runs[two.runs["run_seed"] == 0]["train_loss"], pick["train_loss"])
    along = L.noise_along(two.amplitude)
    assert along["runs"].tolist() == [2, 2] and {"grad", "grad_lo", "update", "alpha"} <= set(along)


@pytest.mark.parametrize("call, match", [
    (lambda: L.Setup(model="resnet21"), "unknown model"),
    (lambda: L.Setup(data="ionosphere"), "image data set"),
    (lambda: L.Setup(subset=10, batch_size=16), "exceeds"),
    (lambda: L.Setup(lr=-1.0), "lr must"),
    (lambda: L.branch_at_decay(L.Setup(**TINY), seed=0, before_epochs=1, factor=1.5), "factor"),
    (lambda: L.branch_at_decay(L.Setup(**TINY), seed=0, before_epochs=0), "before_epochs"),
    (lambda: L.branch_at_decay(L.Setup(**TINY), seed=0, before_epochs=1, n_batches=10), "n_batches"),
    (lambda: L.schedule_study(L.Setup(**TINY), seed=0, epochs=3, factor=1), "factor"),
    (lambda: L.schedule_study(L.Setup(**TINY), seed=0, epochs=3, schedules=["cosine"]), "schedules"),
    (lambda: L.schedule_study(L.Setup(**TINY), seed=0, epochs=3, run_seeds=(0, 0)), "run_seeds"),
    (lambda: L.schedule_study(L.Setup(**TINY), seed=0, epochs=3, factor=4), "batch size reaches"),
    (lambda: L.amplitude_table(np.zeros(5), 0.1), "noise matrix"),
    (lambda: L.amplitude_table(np.ones((5, 2)), 0.0), "lr must"),
])
def test_argument_errors(call, match):
    """Bad input is a one-line ValueError naming the argument, before anything long starts."""
    with pytest.raises(ValueError, match=match):
        call()


def test_fit_init_from_errors(tmp_path):
    """sgnlib.train.fit(init_from=...) refuses a missing file and a branch point at or after the run's end."""
    tr = torch.utils.data.TensorDataset(torch.randn(16, 3), torch.randint(0, 2, (16,)))
    net = train.models.build("mlp", num_classes=2, in_channels=3, width=4, seed=0)
    with pytest.raises(ValueError, match="not a checkpoint file"):
        train.fit(net, tr, epochs=2, batch_size=4, lr=0.1, device="cpu", progress=False, init_from=tmp_path / "none.pt")
    train.fit(net, tr, epochs=2, batch_size=4, lr=0.1, device="cpu", progress=False, checkpoint_dir=tmp_path / "t")
    with pytest.raises(ValueError, match="must start after"):
        train.fit(net, tr, epochs=2, batch_size=4, lr=0.1, device="cpu", progress=False, init_from=tmp_path / "t" / "last.pt")
    with pytest.raises(ValueError, match="record_iterations"):
        train.fit(net, tr, epochs=3, batch_size=4, lr=0.1, device="cpu", progress=False, record_iterations=True,
                  init_from=tmp_path / "t" / "last.pt")


def test_train_branch_from_starts_at_the_trunk_checkpoint(tmp_path):
    """train(branch_from=trunk) continues from the trunk's checkpoint (weights, epoch, history), not from scratch:
    a marker written into the checkpoint's history shows up in the branch, which trains only the remaining epochs;
    the trunk's key is part of the branch's settings."""
    tr = torch.utils.data.TensorDataset(torch.randn(16, 3), torch.randint(0, 2, (16,)))
    opts = dict(data_key="toy", num_classes=2, model_kwargs={"in_channels": 3, "width": 4}, batch_size=4, lr=0.1,
                device="cpu", progress=False, cache_root=tmp_path)
    trunk = train.train("mlp", tr, epochs=1, **opts)
    ckpt = torch.load(trunk.folder / "last.pt", weights_only=True)
    ckpt["history"]["train_loss"] = [123.0]
    torch.save(ckpt, trunk.folder / "last.pt")
    branch = train.train("mlp", tr, epochs=3, branch_from=trunk, **opts)
    assert branch.history["train_loss"][0] == 123.0 and branch.history["epoch"] == [1, 2, 3]
    assert branch.settings["branch_from"] == trunk.folder.name and branch.folder != trunk.folder
    with pytest.raises(ValueError, match="branch_from"):
        train.train("mlp", tr, epochs=3, branch_from="trunk", **opts)


def test_decay_branch_panels_draws_figure_2(branch):
    """plotting.decay_branch_panels: one histogram per point on one x range, the loss curves with the decay marked,
    and the after-vs-before amplitude scatter with the line of no change; bad input is a ValueError."""
    import matplotlib.pyplot as plt

    from sgnlib import plotting

    amp = branch.amplitude
    before = amp[amp["point"] == "before"]["iqr"].to_numpy()
    fig, axs = plotting.decay_branch_panels(
        {k: v[:, 0] for k, v in branch.noise.items()},
        {run: (g["iteration"], g["loss"]) for run, g in branch.loss.groupby("run")}, mark=branch.decay_iteration,
        scatter={p: (before, amp[amp["point"] == p]["iqr"].to_numpy()) for p in ("after decay", "no decay")})
    assert set(axs) == {"h0", "h1", "h2", "curves", "scatter"}
    assert axs["h0"].get_xlim() == axs["h2"].get_xlim() and len(axs["curves"].get_lines()) == 3
    assert axs["scatter"].get_xscale() == "log" and len(axs["scatter"].get_lines()) == 3
    plt.close(fig)
    with pytest.raises(ValueError, match="non-empty"):
        plotting.decay_branch_panels({}, {"a": ([0], [1])})


def test_trunk_verdict_takes_the_trunk_as_the_unit():
    """Figure 2 over trunks (issue 17): 8 trunks whose median ratio drops hold, however many parameters each has;
    a trunk that does not drop is a named miss; 2 trunks cannot tell."""
    rows = [{"trunk": t, "before": "before", "after": "after decay", "stat": "iqr", "unit": "gradient", "compared": 100,
             "median": m, "log_median": float(np.log(m))} for t, m in enumerate([0.8, 0.9, 0.7, 0.85, 0.75, 0.6, 0.9, 1.02])]
    table = pd.DataFrame(rows)
    v = L.trunk_verdict(table, "before", "after decay")
    assert v.word == "holds" and v.numbers["k"] == "7" and v.numbers["n"] == "8"
    assert v.misses == ("trunk 7 median ratio: 1.020",)
    assert v.numbers["ratio"] == report.fmt(float(np.exp(np.log(table["median"]).mean())), 3)
    assert L.trunk_verdict(table[table.trunk < 2], "before", "after decay").word == "cannot tell"
    s = L.trunk_summary(table)
    assert s.loc[0, "trunks"] == 8 and s.loc[0, "below_1"] == 7
    with pytest.raises(ValueError, match="no trunk rows"):
        L.trunk_verdict(table, "before", "no decay")
