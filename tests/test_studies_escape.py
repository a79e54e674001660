"""sgnlib.studies.escape_real: the tables behind chapter 07, their streams, and the Thm 4.3 exit test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sgnlib.studies import escape_real as er

MK = dict(hidden=[4], window=5, plateau_rtol=0.05, grad_tol=0.1)
KW = dict(horizon=60, threshold=0.3, check_every=3, seed=0, minimum_kw=MK)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SGN_CACHE_DIR", str(tmp_path))


def test_sweeps_are_tidy_and_one_sweep_does_not_move_the_other():
    """Issue 7: every (η, B) has its own stream, so enlarging the η sweep leaves the batch sweep's escapes unchanged."""
    kw = dict(batch_size=2, survival_dataset="ionosphere", survival_eta=0.3, survival_batch_sizes=[1, 2],
              n_seeds=5, n_seeds_survival=8, **KW)
    small = er.chapter_sweeps(["ionosphere"], etas=[0.3, 0.4], **kw)
    big = er.chapter_sweeps(["ionosphere"], etas=[0.3, 0.4, 0.5], **kw)
    assert {"dataset", "eta", "batch_size", "replica", "steps", "escaped", "exit_param", "sweep"} <= set(small.columns)
    # (0.3, 2) is in both sweeps: kept once, with the survival sweep's 8 seeds
    assert len(small[(small["eta"] == 0.3) & (small["batch_size"] == 2)]) == 8
    cols = ["eta", "batch_size", "replica", "steps", "escaped"]
    pd.testing.assert_frame_equal(small[small["sweep"] == "batch"][cols].reset_index(drop=True),
                                  big[big["sweep"] == "batch"][cols].reset_index(drop=True))
    with pytest.raises(ValueError, match="eta"):
        er.chapter_sweeps(["ionosphere"], etas=[0.3, -1.0], **kw)


def _runs_and_alphas(exit_params):
    runs = pd.DataFrame({"escaped": True, "exit_param": exit_params})
    alphas = pd.DataFrame({"param": np.arange(8), "alpha": np.linspace(0.8, 1.9, 8),
                           "scale": np.linspace(2.0, 0.1, 8), "fitted": True})
    return runs, alphas


def test_exit_test_holds_when_exits_go_through_low_alpha_and_fails_otherwise():
    """Thm 4.3 test: exits through the lowest-α parameters hold; exits through high-α ones fail."""
    runs, alphas = _runs_and_alphas([0, 1] * 30)
    v = er.exit_alpha_test(runs, alphas)
    assert v.word == "holds" and v.numbers["p0"] == "0.25" and v.numbers["k"] == "60"
    runs, alphas = _runs_and_alphas([6, 7] * 30)
    assert er.exit_alpha_test(runs, alphas).word == "fails"
    assert er.exit_alpha_test(runs, alphas, by="scale", lowest=False).word == "fails"
    with pytest.raises(ValueError, match="quantile"):
        er.exit_alpha_test(runs, alphas, quantile=1.0)


def test_noise_alphas_cover_every_parameter():
    """One α (or a flagged unfitted parameter) per scalar parameter of the network, grouped by layer."""
    a = er.noise_alphas("ionosphere", batch_size=4, n_batches=100, seed=0, minimum_kw=MK)
    assert len(a) == 34 * 4 + 4 + 4 * 2 + 2 and set(a["group"]) == {"W1", "b1", "W2", "b2"}
    ok = a[a["fitted"]]
    assert len(ok) > 0 and ((ok["alpha"] > 0) & (ok["alpha"] <= 2)).all()


def test_an_interrupted_sweep_resumes_with_the_missing_settings_only(monkeypatch):
    """Finished settings are cache units: after an interruption only the unfinished ones are computed again."""
    from sgnlib import escape

    real = escape._simulate
    calls = []

    def interrupted(*args, **kw):
        calls.append(args[4])  # eta
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(escape, "_simulate", interrupted)
    settings = [(0.3, 2), (0.4, 2), (0.5, 2)]
    with pytest.raises(KeyboardInterrupt):
        er.escape_sweep("ionosphere", settings, n_seeds=4, **KW)
    calls.clear()
    monkeypatch.setattr(escape, "_simulate", lambda *a, **k: (calls.append(a[4]), real(*a, **k))[1])
    runs = er.escape_sweep("ionosphere", settings, n_seeds=4, **KW)
    assert calls == [0.4, 0.5] and len(runs) == 12


def test_survival_verdict_is_the_weakest_over_batch_sizes():
    """Cor 4.6 over several batch sizes: holds only if the exponential law holds at each; a failing one is a miss."""
    rng = np.random.default_rng(0)
    frames = []
    for B, t in ((2, rng.exponential(100.0, 600)),
                 (4, np.concatenate([rng.exponential(10.0, 300), rng.exponential(800.0, 300)]))):
        frames.append(pd.DataFrame({"eta": 0.1, "batch_size": B, "steps": np.minimum(np.ceil(t / 5) * 5, 2000),
                                    "escaped": t <= 2000}))
    table, curves, theory, v = er.survival(pd.concat(frames), check_every=5)
    assert list(table["verdict"]) == ["holds", "fails"] and v.word == "fails"
    assert len(v.misses) == 1 and v.misses[0].startswith("B = 4") and set(curves) == set(theory) == {"B = 2", "B = 4"}
    _, _, _, v2 = er.survival(frames[0], check_every=5)
    assert v2.word == "holds" and not v2.misses
