"""One random stream per experiment (issue 7): enlarging one sweep moves only its own section.

Each chapter runs at the quick profile with one sweep parameter enlarged. Every
``# NBVAL_CHECK_OUTPUT`` cell must then print exactly what the committed quick
reference prints, except the cells whose source names one of the ``moved``
substrings (the section of that sweep), and at least one of those must change
(so the enlargement really took effect).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

#: chapter -> (parameter, enlarged value, substrings naming the cells allowed to move)
CASES: dict[str, dict | None] = {
    # 01: a fourth tail exponent in the GCLT sweep moves only the GCLT table (eq. 2, the SαS check and
    # the pooling dispute keep their numbers)
    "01": {"param": "tails", "value": [1.2, 1.5, 1.8, 3.0], "moved": ["gc_last"]},
    # 02: a fourth spread in the pooling sweep moves only the pooling table (the estimator accuracy,
    # Gaussian bias and fit-error tables keep their numbers)
    "02": {"param": "pool_spreads", "value": [0.0, 0.2, 0.35, 0.5], "moved": ["pooling.ESTIMATES"]},
    "05": {"param": "prop_eps", "value": [0.03, 0.02, 0.015, 0.01, 0.007], "moved": ["prop32"]},
    # 06: a third α in the ε sweep moves only that sweep's table (the α, width, double-well, direction,
    # law, scheduler and Ackley tables keep their numbers)
    "06": {"param": "eps_alphas", "value": [1.2, 1.5, 1.8], "moved": ["vs_eps"]},
    # 04: a third run per schedule moves only the schedule study's tables (accuracy, noise along the runs,
    # attenuation across the milestones); Figure 2's trunk and branches keep their numbers
    "04": {"param": "run_seeds", "value": [0, 1, 2], "moved": ["acc.round", "steps[["]},
    # 03: a third batch size in the sweep of the first CNN moves only the sweep table (the fit errors,
    # α per parameter and likelihood verdicts at the main batch sizes keep their numbers)
    "03": {"param": "sweep_batches", "value": [4, 8, 64], "moved": ["sweep.iterrows"]},
    # 07: a fourth learning rate in Figure 3's sweep moves only the fits that pool it (the three-theory
    # contest, the threshold check and the Thm 4.3 exits at B = 4); the minima, Figure 4's survival
    # table and the α per parameter keep their numbers
    "07": {"param": "etas", "value": [0.05, 0.06, 0.07, 0.1], "moved": ["fits[[", "fits_alt", "v_alpha"]},
}


def checked_outputs(nb) -> list[tuple[str, str]]:
    """``(source, printed text)`` of every cell whose outputs nbval checks."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if "NBVAL_CHECK_OUTPUT" not in cell.source and "nbval-check-output" not in tags:
            continue
        text = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                text.append(o.get("text", ""))
            elif "data" in o:
                text.append(o["data"].get("text/plain", ""))
        out.append((cell.source, "".join(text)))
    return out


def test_checked_outputs_reads_source_and_text():
    """The comparison sees the printed text of checked cells only."""
    nb = nbformat.v4.new_notebook()
    a = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)")
    a.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    b = nbformat.v4.new_code_cell("print(2)")
    b.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nb.cells = [a, b]
    assert checked_outputs(nb) == [(a.source, "1\n")]


#: the chapters that train networks: their cases run from tests/test_stream_independence_networks.py, so that
#: `make test`'s workers (pytest-xdist, one file per worker) run the two halves side by side
NETWORK_CHAPTERS = ("03", "04", "07")


@pytest.mark.slow
@pytest.mark.parametrize("chapter", [c for c in sorted(CASES) if c not in NETWORK_CHAPTERS])
def test_enlarging_one_sweep_leaves_other_sections_unchanged(chapter, tmp_path):
    """Issue 7: a sweep's random numbers depend on its own settings, not on the other sweeps."""
    problems = enlarged_sweep(chapter, tmp_path).problems()
    assert not problems, "\n".join(problems)


@dataclass
class Enlarged:
    """What one chapter run with its CASES sweep enlarged printed, against its committed reference."""

    param: str
    moved: list
    returncode: int
    log: str
    same_sources: bool = False
    changed_elsewhere: list = field(default_factory=list)  # sources of cells outside the sweep's section that moved
    moved_changed: bool = False  # whether a cell of the sweep's own section moved

    def problems(self) -> list[str]:
        """Every way the run falls short of "only the enlarged sweep's own section moved", in words (none: [])."""
        if self.returncode != 0:
            return [f"the run failed:\n{self.log}"]
        if not self.same_sources:
            return ["the checked cells differ in source"]
        out = [f"enlarging {self.param} changed a cell of another section:\n{src}" for src in self.changed_elsewhere]
        if not self.moved_changed:
            out.append(f"enlarging {self.param} changed none of the cells naming {self.moved}")
        return out


def enlarged_sweep(chapter: str, tmp_path) -> Enlarged:
    """Run ``chapter`` at the quick profile with its CASES sweep enlarged and compare its checked cells."""
    case = CASES[chapter]
    if case is None:
        pytest.fail(f"chapter {chapter} has no stream-independence case yet")
    ref_path = next((ROOT / "tests" / "notebooks").glob(f"{chapter}_*.ipynb"))
    out = tmp_path / ref_path.name
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    cmd = [sys.executable, "-m", "sgnlib", "run", chapter, "--profile", "quick",
           "-p", case["param"], json.dumps(case["value"]), "--output", str(out)]
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    outcome = Enlarged(case["param"], case["moved"], res.returncode, res.stdout[-2000:] + res.stderr[-2000:])
    if res.returncode != 0:
        return outcome
    ref = checked_outputs(nbformat.read(ref_path, as_version=4))
    new = checked_outputs(nbformat.read(out, as_version=4))
    outcome.same_sources = [s for s, _ in ref] == [s for s, _ in new]
    for (src, want), (_, got) in zip(ref, new):
        if any(m in src for m in case["moved"]):
            outcome.moved_changed |= want != got
        elif got != want:
            outcome.changed_elsewhere.append(src)
    return outcome


def test_enlarged_problems_name_each_shortfall():
    """The comparison behind the stream-independence tests reports a failed run, a moved foreign cell and an unmoved sweep."""
    ok = Enlarged("etas", ["fits[["], 0, "", same_sources=True, moved_changed=True)
    assert ok.problems() == []
    assert Enlarged("etas", [], 1, "boom").problems() == ["the run failed:\nboom"]
    bad = Enlarged("etas", ["fits[["], 0, "", same_sources=True, changed_elsewhere=["print(x)"])
    assert bad.problems() == ["enlarging etas changed a cell of another section:\nprint(x)",
                              "enlarging etas changed none of the cells naming ['fits[[']"]
