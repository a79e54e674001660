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
    problems = enlarged_sweep(chapter, tmp_path).problems()
    assert not problems, "\n".join(problems)
