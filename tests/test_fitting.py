"""sgnlib.fitting: the grid exponential mean, the three-theory contest on synthetic escape times, the χ² law test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sgnlib import fitting

LAND = {"h_top": 2.0, "barrier": 0.05}
K = 5


def synthetic_runs(law: str, a: float, b: float, *, n: int = 400, horizon: int = 20000, seed: int = 0):
    """Escape times on a check grid from an exponential law whose mean follows ``law``, censored at ``horizon``."""
    rng = np.random.default_rng(seed)
    rows = []
    for B in (2, 4):
        for eta in np.geomspace(0.03, 0.3, 7):
            x = {"levy": math.log(B / eta), "mori": B / (eta * LAND["h_top"]),
                 "xie": B * LAND["barrier"] / (eta * LAND["h_top"])}[law]  # eq-ch07-theories, written out
            mean = math.exp(a + b * x) / eta
            t = rng.exponential(mean, n)
            steps = np.minimum(np.ceil(t / K) * K, horizon)
            rows.append(pd.DataFrame({"dataset": "syn", "eta": eta, "batch_size": B, "steps": steps,
                                      "escaped": t <= horizon}))
    return pd.concat(rows, ignore_index=True)


def test_grid_exponential_mean_recovers_the_mean_with_censoring():
    """The censored geometric MLE on the check grid recovers an exponential mean (no k/2 bias)."""
    rng = np.random.default_rng(1)
    t = rng.exponential(40.0, 20000)
    steps = np.minimum(np.ceil(t / 10) * 10, 60)
    m, n_ev = fitting.grid_exponential_mean(steps, t <= 60, 10)
    assert m == pytest.approx(40.0, rel=0.03) and n_ev == int((t <= 60).sum())
    naive = steps.sum() / n_ev  # the continuous-time estimator is biased by about k/2 here
    assert abs(naive - 40.0) > abs(m - 40.0) + 2
    assert fitting.grid_exponential_mean([10, 20], [False, False], 10) == (math.inf, 0)


@pytest.mark.parametrize("law, a, b", [("levy", -1.0, 0.6), ("mori", 0.5, 0.08), ("xie", 0.5, 1.6)])
def test_each_fit_recovers_its_own_law_and_aic_picks_its_family(law, a, b):
    """Each theory fitted to data from its own law recovers (a, b) within its bootstrap interval and has the lowest AIC."""
    runs = synthetic_runs(law, a, b)
    table = fitting.contest(runs, check_every=K, h_top=LAND["h_top"], barrier=LAND["barrier"], n_boot=200, seed=0)
    row = table.set_index("theory").loc[law]
    assert row["b_lo"] <= b <= row["b_hi"] and row["a_lo"] <= a <= row["a_hi"]
    assert row["delta_aic"] == pytest.approx(0.0, abs=1e-9) and row["r2"] > 0.95
    fam = table.set_index("theory")["family"]
    other = table[fam.values != fam[law]]
    assert other["delta_aic"].min() > 10 and row["boot_win_share"] > 0.95
    verdict = fitting.contest_verdict(table)
    assert verdict.word == ("holds" if law == "levy" else "fails")


def test_mori_and_xie_coincide_at_a_fixed_landscape():
    """With the landscape fixed both Gaussian theories are linear in B/η: same R² and AIC, slopes in ratio ΔL."""
    table = fitting.contest(synthetic_runs("mori", 0.5, 0.08), check_every=K, h_top=2.0, barrier=0.05, n_boot=50)
    t = table.set_index("theory")
    assert t.loc["mori", "aic"] == pytest.approx(t.loc["xie", "aic"])
    assert t.loc["xie", "b"] * 0.05 == pytest.approx(t.loc["mori", "b"])


def test_verdict_is_marginal_when_the_data_cannot_tell():
    """Two points' worth of range cannot separate a power law from an exponential: marginal, not a winner."""
    table = pd.DataFrame({"theory": ["levy", "mori", "xie"], "label": ["L", "M", "X"],
                          "family": ["p", "e", "e"], "aic": [3.0, 3.5, 3.5], "boot_win_share": [0.55, 0.45, 0.45]})
    assert fitting.contest_verdict(table).word == "marginal"


def test_exponential_law_test_accepts_exponential_and_rejects_other_laws():
    """The χ² test of Cor 4.6's exponential law holds on exponential times and fails on a two-phase mixture."""
    rng = np.random.default_rng(3)
    t = rng.exponential(200.0, 1000)
    fit = fitting.exponential_law_fit(np.minimum(np.ceil(t / K) * K, 1500), t <= 1500, K)
    assert fit.verdict.word == "holds" and fit.mean == pytest.approx(200, rel=0.1) and fit.p >= 0.05
    mix = np.concatenate([rng.exponential(20.0, 500), rng.exponential(1000.0, 500)])
    v2 = fitting.exponential_law_fit(np.minimum(np.ceil(mix / K) * K, 1500), mix <= 1500, K).verdict
    assert v2.word == "fails" and v2.misses


def test_bad_input_is_a_one_line_value_error():
    """Empty runs, a bad check interval, too few settings, a non-positive landscape: ValueError naming it."""
    with pytest.raises(ValueError, match="check_every"):
        fitting.grid_exponential_mean([10], [True], 0)
    with pytest.raises(ValueError, match="columns"):
        fitting.escape_means(pd.DataFrame({"eta": [0.1]}), 5)
    runs = synthetic_runs("levy", -1.0, 0.6, n=20)
    with pytest.raises(ValueError, match="h_top"):
        fitting.contest(runs, check_every=K, h_top=0.0, barrier=0.1)
    with pytest.raises(ValueError, match="at least 3 settings"):
        fitting.contest(runs[runs["eta"] < 0.04], check_every=K, h_top=1.0, barrier=0.1, n_boot=20)
