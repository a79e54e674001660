"""Training (sgnlib.train): plain SGD (eq. 1), schedules, checkpoints and resume, the cache of trained networks."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import Subset, TensorDataset

from sgnlib import models, train
from torch_fixtures import one_thread  # noqa: F401  (autouse)


def _tokens(n=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randint(1, 25, (n, 8), generator=g)
    X[: n // 2, 5:] = 0  # padded sentences
    y = (X[:, 0] > 12).long()
    return TensorDataset(X, y)


def _features(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 5, generator=g)
    return TensorDataset(X, (X[:, 0] > 0).long())


def _transformer():
    return models.build("transformer", num_classes=2, vocab_size=25, width=8, n_layers=1, n_heads=2, dropout=0.2, seed=3)


def _same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


class Interrupt(Exception):
    pass


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    """3 epochs straight = 2 epochs, interruption, resume for the 3rd: identical weights and history (data order, dropout RNG)."""
    ds = _tokens()
    kw = dict(epochs=3, batch_size=16, lr=0.3, seed=5, progress=False, record_iterations=True)
    straight = _transformer()
    h1 = train.fit(straight, ds, **kw)

    def stop(epoch, model):
        if epoch == 2:
            raise Interrupt

    resumed = _transformer()
    with pytest.raises(Interrupt):
        train.fit(resumed, ds, checkpoint_dir=tmp_path, callback=stop, callback_epochs=[2], **kw)
    assert torch.load(tmp_path / "last.pt", weights_only=True)["epoch"] == 2
    again = _transformer()
    h2 = train.fit(again, ds, checkpoint_dir=tmp_path, **kw)
    assert _same(straight, again)
    assert h1["train_loss"] == h2["train_loss"] and h1["iteration_loss"] == h2["iteration_loss"]
    assert len(h2["iteration_loss"]) == 3 * (96 // 16)
    other = _transformer()
    train.fit(other, ds, **dict(kw, seed=6))
    assert not _same(straight, other)


def test_garbage_checkpoint_is_reported_and_ignored(tmp_path):
    """A checkpoint that cannot be read is named in a warning and training starts afresh (same result as no checkpoint)."""
    ds = _features()
    kw = dict(epochs=2, batch_size=8, lr=0.1, progress=False)
    ref = models.build("mlp", num_classes=2, in_channels=5, width=4)
    train.fit(ref, ds, **kw)
    (tmp_path / "last.pt").write_bytes(b"\x00garbage, not a zip file")
    net = models.build("mlp", num_classes=2, in_channels=5, width=4)
    with pytest.warns(UserWarning, match="ignoring unreadable checkpoint .*last.pt"):
        train.fit(net, ds, checkpoint_dir=tmp_path, **kw)
    assert _same(ref, net)
    with pytest.warns(UserWarning, match="written under other settings"):
        train.fit(models.build("mlp", num_classes=2, in_channels=5, width=4), ds, checkpoint_dir=tmp_path, **dict(kw, lr=0.2))


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    """A crash while writing a checkpoint leaves the previous one intact and no temporary file behind."""
    ds = _features()
    kw = dict(epochs=2, batch_size=8, lr=0.1, progress=False, checkpoint_dir=tmp_path)
    real_save = torch.save
    calls = []

    def failing_save(obj, f, *a, **k):
        calls.append(obj["epoch"])
        if obj["epoch"] == 2:
            f.write(b"half a checkpoint")  # torch.save gets the temporary file's handle
            raise OSError("disk full")
        return real_save(obj, f, *a, **k)

    monkeypatch.setattr(torch, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        train.fit(models.build("mlp", num_classes=2, in_channels=5, width=4), ds, **kw)
    assert calls == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]
    assert torch.load(tmp_path / "last.pt", weights_only=True)["epoch"] == 1


def test_learning_rate_schedules():
    """Multistep: s = factor^(milestones passed), fractions of the run or epochs; exponential: s_t = t^(γ−1) (paper, sec. 4)."""
    multi = train.LRSchedule("multistep", milestones=(1 / 3, 2 / 3), factor=0.1)
    assert [multi.multiplier(e, 0, 9) for e in range(9)] == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01])
    assert train.LRSchedule("multistep", milestones=(2, 5), factor=0.5).multiplier(4, 0, 9) == 0.5
    expo = train.LRSchedule("exponential", gamma=0.8)
    assert [expo.multiplier(e, 99, 10) for e in range(3)] == pytest.approx([1.0, 2**-0.2, 3**-0.2])
    per_step = train.LRSchedule("exponential", gamma=0.5, unit="iteration")
    assert per_step.multiplier(0, 3, 10) == pytest.approx(0.5)
    assert train.LRSchedule().multiplier(5, 5, 10) == 1.0
    h = train.fit(models.build("mlp", num_classes=2, in_channels=5, width=4), _features(), epochs=3, batch_size=8, lr=0.2,
                  lr_schedule=train.LRSchedule("multistep", milestones=(1, 2), factor=0.5), progress=False)
    assert h["lr"] == pytest.approx([0.2, 0.1, 0.05])


def test_batch_size_schedule():
    """The batch size is multiplied by the factor at each milestone; each epoch takes floor(D / B) steps of exactly B."""
    sched = train.BatchSchedule(milestones=(0.5,), factor=4)
    assert [sched.batch_size(4, e, 4) for e in range(4)] == [4, 4, 16, 16]
    seen = []
    net = models.build("mlp", num_classes=2, in_channels=5, width=4)
    net.register_forward_pre_hook(lambda m, args: seen.append(args[0].shape[0]))
    h = train.fit(net, _features(60), epochs=2, batch_size=8, lr=0.1, batch_schedule=train.BatchSchedule((1,), 3), progress=False)
    assert h["batch_size"] == [8, 24] and h["steps"] == [7, 2]
    assert seen == [8] * 7 + [24] * 2


def test_training_reduces_loss_and_evaluate_reports_accuracy():
    """Plain SGD lowers the loss on a separable problem; evaluate's loss is the data set's mean loss and top-1 its accuracy."""
    ds = _features(128)
    net = models.build("mlp", num_classes=2, in_channels=5, width=8)
    h = train.fit(net, ds, epochs=8, batch_size=16, lr=0.5, eval_dataset=ds, progress=False)
    assert h["train_loss"][-1] < 0.6 * h["train_loss"][0] and h["eval_accuracy"][-1] > 0.9
    X, y = ds.tensors
    with torch.no_grad():
        out = net(X)
    ev = train.evaluate(net, Subset(ds, range(128)), batch_size=50, device="cpu")
    assert ev["loss"] == pytest.approx(float(F.cross_entropy(out, y)), rel=1e-5)
    assert ev["accuracy"] == pytest.approx(float((out.argmax(1) == y).float().mean()))


def test_fit_leaves_global_rng_alone():
    """Training draws from its own streams (data order, dropout) and restores the global torch RNG."""
    torch.manual_seed(0)
    state = torch.get_rng_state()
    train.fit(_transformer(), _tokens(32), epochs=1, batch_size=8, lr=0.1, progress=False)
    assert torch.equal(state, torch.get_rng_state())


def test_cached_training_is_reused(tmp_path):
    """train() trains once per settings: a second call loads the cached network (no callback, no step) and snapshots work."""
    ds = _features()
    counter = []
    kw = dict(data_key="features64", num_classes=2, model_kwargs={"in_channels": 5, "width": 4}, epochs=2, batch_size=8,
              lr=0.1, progress=False, cache_root=tmp_path, callback=lambda e, m: counter.append(e), callback_epochs=[0, 1, 2],
              snapshot_epochs=[1])
    first = train.train("mlp", ds, **kw)
    assert first.trained and counter == [0, 1, 2]
    second = train.train("mlp", ds, **kw)
    assert not second.trained and counter == [0, 1, 2]
    assert _same(first.model, second.model) and first.history["train_loss"] == second.history["train_loss"]
    assert second.folder.parent == tmp_path / "train"
    mid = second.snapshot(1)
    assert not _same(mid, second.model) and not _same(mid, second.snapshot(0))
    with pytest.raises(ValueError, match="no snapshot after epoch 2"):
        second.snapshot(2)
    third = train.train("mlp", ds, **dict(kw, lr=0.2))
    assert third.trained and third.folder != first.folder


def test_asking_a_finished_run_for_a_snapshot_never_deletes_it(tmp_path, monkeypatch):
    """Issue 19: a snapshot missing from a finished run is made by a side re-run; last.pt stays, interrupted or not."""
    ds = _features()
    kw = dict(data_key="features64", num_classes=2, model_kwargs={"in_channels": 5, "width": 4}, epochs=3, batch_size=8,
              lr=0.1, progress=False, cache_root=tmp_path)
    first = train.train("mlp", ds, **kw)
    last = first.folder / "last.pt"
    stored = last.read_bytes()
    real_fit = train.fit

    def interrupted(*a, **k):  # the side re-run dies: the finished run must survive it
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train.train("mlp", ds, snapshot_epochs=[1], **kw)
    assert last.read_bytes() == stored
    monkeypatch.setattr(train, "fit", real_fit)
    again = train.train("mlp", ds, snapshot_epochs=[1], **kw)
    assert not again.trained and last.read_bytes() == stored and _same(again.model, first.model)
    assert not (first.folder / "_snapshot-rerun").exists()
    mid = again.snapshot(1)
    assert not _same(mid, again.model) and not _same(mid, again.snapshot(0))


def test_cpu_thread_count_keys_the_cache(tmp_path):
    """A network trained on the CPU with one thread count is not served to a run with another (the numbers differ)."""
    ds = _features()
    kw = dict(data_key="features64", num_classes=2, model_kwargs={"in_channels": 5, "width": 4}, epochs=1, batch_size=8,
              lr=0.1, progress=False, cache_root=tmp_path, device="cpu")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = train.train("mlp", ds, **kw)
        torch.set_num_threads(2)
        two = train.train("mlp", ds, **kw)
    finally:
        torch.set_num_threads(before)
    assert one.settings["cpu_threads"] == 1 and two.settings["cpu_threads"] == 2
    assert two.trained and two.folder != one.folder


def test_bad_arguments_fail_before_training():
    """Bad settings give one-line ValueErrors naming the argument and value, before any step."""
    ds = _features(40)
    net = models.build("mlp", num_classes=2, in_channels=5)
    base = dict(epochs=3, batch_size=8, lr=0.1, progress=False)
    cases = [
        (dict(lr=0.0), "lr must be finite and > 0; got 0.0"),
        (dict(epochs=0), "epochs must be an integer >= 1; got 0"),
        (dict(batch_size=41), r"batch_size must be an integer in \[1, 40\]; got 41"),
        (dict(lr_schedule=train.LRSchedule("multistep", milestones=(5,))), "milestone 5 falls at epoch 5, outside the run"),
        (dict(lr_schedule=train.LRSchedule("multistep", milestones=(0.9,))), "milestone 0.9 falls at epoch 3, outside the run"),
        (dict(lr_schedule=train.LRSchedule("multistep", milestones=(2, 1))), "increasing epochs"),
        (dict(batch_schedule=train.BatchSchedule((1,), 8)), "reaches batch size 64 > 40"),
        (dict(callback_epochs=[1]), "callback is None"),
    ]
    for change, message in cases:
        with pytest.raises(ValueError, match=message):
            train.fit(net, ds, **{**base, **change})
    with pytest.raises(ValueError, match="gamma must lie in \\(0, 1\\]; got 1.5"):
        train.LRSchedule("exponential", gamma=1.5)
    with pytest.raises(ValueError, match="kind must be"):
        train.LRSchedule("cosine")
    with pytest.raises(ValueError, match="unknown model 'resnet9'"):
        train.train("resnet9", ds, data_key="x", num_classes=2, epochs=1, batch_size=4, lr=0.1)
    with pytest.raises(ValueError, match="data_key must be a non-empty string"):
        train.train("mlp", ds, data_key="", num_classes=2, epochs=1, batch_size=4, lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train.fit(net, ds, **base)  # the good settings run without warnings


def test_interrupted_cached_training_resumes(tmp_path):
    """train() after an interruption resumes from the cached checkpoint and ends with the uninterrupted run's weights."""
    ds = _features()
    kw = dict(data_key="features64", num_classes=2, model_kwargs={"in_channels": 5, "width": 4}, epochs=3, batch_size=8,
              lr=0.1, seed=4, progress=False)
    ref = train.train("mlp", ds, cache_root=tmp_path / "a", **kw)

    def stop(epoch, model):
        raise Interrupt

    with pytest.raises(Interrupt):
        train.train("mlp", ds, cache_root=tmp_path / "b", callback=stop, callback_epochs=[2], **kw)
    ran = []
    got = train.train("mlp", ds, cache_root=tmp_path / "b", callback=lambda e, m: ran.append(e), callback_epochs=[1, 2, 3], **kw)
    assert got.trained and ran == [3]
    assert _same(ref.model, got.model) and ref.history["train_loss"] == got.history["train_loss"]


def test_required_training_is_refused(tmp_path, monkeypatch):
    """$SGN_CACHE_REQUIRE=1 (a run checking a precompute): a network that is not trained yet is an error, not a training."""
    from sgnlib.cache import MissingUnitError

    data = TensorDataset(torch.randn(32, 5), torch.randint(0, 2, (32,)))
    kw = dict(data_key="toy/32", num_classes=2, model_kwargs={"in_channels": 5, "width": 4}, epochs=1, batch_size=8,
              lr=0.1, device="cpu", progress=False, cache_root=tmp_path)
    train.train("mlp", data, **kw)
    monkeypatch.setenv("SGN_CACHE_REQUIRE", "1")
    assert not train.train("mlp", data, **kw).trained  # cached: loaded
    with pytest.raises(MissingUnitError, match="'train' is not cached"):
        train.train("mlp", data, **dict(kw, epochs=2))


def test_diverged_training_is_an_error_not_a_finished_run(tmp_path):
    """Issue 19: with cross-entropy a huge learning rate keeps the loss finite (1e12); fit raises instead of returning it."""
    g = torch.Generator().manual_seed(0)  # random labels at lr = 10: the loss grows to 2e3, 5e5, 6e6, all finite
    X = torch.randn(64, 5, generator=g)
    ds = TensorDataset(X, (torch.rand(64, generator=g) > 0.5).long())
    kw = dict(data_key="random64", num_classes=2, model_kwargs={"in_channels": 5, "width": 4, "seed": 0}, epochs=3,
              batch_size=8, lr=10.0, progress=False, cache_root=tmp_path)
    kw["model_kwargs"].pop("seed")
    with pytest.raises(FloatingPointError, match="training diverged: the mean loss of epoch 1"):
        train.train("mlp", ds, **kw)
    assert not list((tmp_path / "train").glob("*/last.pt")) or all(
        torch.load(p, weights_only=True)["epoch"] < 3 for p in (tmp_path / "train").glob("*/last.pt"))


def test_a_checkpoint_of_another_architecture_is_never_resumed(tmp_path):
    """Issue 19: a Tanh network's checkpoint has the ReLU network's shapes and settings; fit now refuses to resume it."""
    ds = _features()
    relu = models.build("mlp", num_classes=2, in_channels=5, width=4, activation="relu", seed=1)
    tanh = models.build("mlp", num_classes=2, in_channels=5, width=4, activation="tanh", seed=1)
    kw = dict(epochs=2, batch_size=8, lr=0.1, progress=False, checkpoint_dir=tmp_path)
    train.fit(tanh, ds, **kw)
    with pytest.warns(UserWarning, match="other settings"):
        h = train.fit(relu, ds, **kw)
    assert h["epoch"] == [1, 2] and not _same(relu, tanh)
