"""Issue 7 for the chapters that train networks (03, 04, 07): enlarging one sweep moves only its own section.

The cases and the check are those of tests/test_stream_independence.py; this file only lets
`make test`'s workers (pytest-xdist, one file per worker) run them beside the other chapters'.
"""

from __future__ import annotations

import pytest
from test_stream_independence import NETWORK_CHAPTERS, enlarged_sweep


@pytest.mark.slow
@pytest.mark.parametrize("chapter", NETWORK_CHAPTERS)
def test_enlarging_one_sweep_leaves_other_sections_unchanged(chapter, tmp_path):
    """Issue 7: a sweep's random numbers depend on its own settings, not on the other sweeps."""
    o = enlarged_sweep(chapter, tmp_path)
    assert o.returncode == 0, o.log
    assert o.same_sources, "the checked cells differ in source"
    assert not o.changed_elsewhere, f"enlarging {o.param} changed a cell of another section:\n{o.changed_elsewhere[0]}"
    assert o.moved_changed, f"enlarging {o.param} changed none of the cells naming {o.moved}"
