"""Figures of executed chapters are sharp and reproducible (issue 12).

``sgnlib.plotting.use_style()``, called at the top of every chapter, makes the inline backend of a
Jupyter kernel emit SVG (sharp at any width, its text kept in comments the site test can read),
with no creation date and fixed ids, so an unchanged figure gives an unchanged notebook.
"""

from __future__ import annotations

import matplotlib as mpl
import nbformat
import pytest

from sgnlib import plotting

CODE = """\
from sgnlib import plotting
import matplotlib.pyplot as plt
plotting.use_style()
fig, ax = plt.subplots()
ax.plot([0, 1], [0, 1], label="w = (1, -0.5)")
ax.legend()
plt.show()
"""


def _figure_outputs() -> list[dict]:
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CODE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return [o for o in nb.cells[0].outputs if o.output_type == "display_data"]


@pytest.mark.slow
def test_use_style_makes_inline_figures_svg_without_date():
    """In a kernel, use_style() turns inline figures into SVG (no PNG), without a date, the same on every run;
    the legend's text stays readable in the SVG (the site test looks there for numpy reprs)."""
    first, second = _figure_outputs(), _figure_outputs()
    assert len(first) == 1
    data = first[0]["data"]
    assert "image/svg+xml" in data and "image/png" not in data, sorted(data)
    svg = data["image/svg+xml"]
    assert "<dc:date>" not in svg
    assert "w = (1, -0.5)" in svg
    assert svg == second[0]["data"]["image/svg+xml"], "the same figure gave two different SVGs"


def test_use_style_outside_a_kernel_only_sets_rcparams():
    """Outside IPython, use_style() applies STYLE and nothing else (no IPython shell is created)."""
    with mpl.rc_context():
        plotting.use_style()
        for key, value in plotting.STYLE.items():
            if key != "axes.prop_cycle":
                assert mpl.rcParams[key] == (list(value) if isinstance(value, tuple) else value), key
        from IPython import get_ipython

        assert get_ipython() is None


def test_style_fonts_are_readable():
    """The book style's text is at least 10 pt for ticks, legends and labels (a 10-inch figure shrunk to the
    ~770 px column keeps it at ~10 px)."""
    for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize", "axes.labelsize", "axes.titlesize"):
        assert plotting.STYLE[key] >= 10, key
