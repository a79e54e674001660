"""Every precompute plan but chapter 07's (which tests/test_precompute.py runs): its units cover the chapter's quick run.

Apart from tests/test_precompute.py so that `make test`'s workers (pytest-xdist, one file per
worker) can run these chapter-sized runs beside the torchrun tests.
"""

from __future__ import annotations

import nbformat
import pytest
from test_precompute import CHAPTER, ROOT, _env, _sgnlib
from test_stream_independence import checked_outputs

from sgnlib import precompute as pc
from sgnlib.runner import _read_events


@pytest.mark.parametrize("chapter", [c for c in sorted(pc.PLANS) if c != CHAPTER])
def test_plan_covers_the_other_chapters(chapter, tmp_path):
    """Every other plan (02, 03, 04): after `precompute` the quick run computes no unit (nor trains a network) and
    prints what its reference prints."""
    cache, log = tmp_path / "cache", tmp_path / "run.log"
    res = _sgnlib("precompute", chapter, "--profile", "quick", env=_env(cache))
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    reference = next((ROOT / "tests" / "notebooks").glob(f"{chapter}_*.ipynb"))
    out = tmp_path / reference.name
    res = _sgnlib("run", chapter, "--profile", "quick", "--require-cached", "--output", str(out), env=_env(cache, log))
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert {e["event"] for e in _read_events(log)} == {"hit"}
    assert checked_outputs(nbformat.read(out, as_version=4)) == checked_outputs(nbformat.read(reference, as_version=4))
