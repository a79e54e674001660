"""Chapters are prose over tested studies (issue 7): what a chapter source may hold.

Each ``notebooks/NN_slug.py`` is read as jupytext py:percent. Its code cells hold
at most 15 code lines (median at most 6; the parameters cell, which only
declares values, is exempt), define no functions or classes and run no ``while``
loops (logic lives in ``sgnlib``), start with one ``parameters``
cell and end with the versions cell. (Loops that print or glue the rows of a
study's table are allowed; the sweeps themselves are in the studies.)
"""

from __future__ import annotations

import ast
import statistics
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
MAX_LINES, MAX_MEDIAN = 15, 6


def code_lines(source: str) -> int:
    """Lines that are neither blank nor comments nor IPython magics."""
    return sum(1 for ln in source.splitlines() if ln.strip() and not ln.strip().startswith(("#", "%", "!")))


def code_cells(path: Path):
    nb = jupytext.read(path)
    return [c for c in nb.cells if c.cell_type == "code"]


def test_code_lines_counts_only_code():
    """Comments, blank lines and magics are not code lines."""
    assert code_lines("# a\n\nx = 1\n%matplotlib inline\n  y = 2  # b\n") == 2


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_cells_are_short(path):
    """No code cell but the parameters cell above 15 code lines; the median cell at most 6."""
    sizes = [code_lines(c.source) for c in code_cells(path)[1:]]
    long = [(i + 1, n) for i, n in enumerate(sizes) if n > MAX_LINES]
    assert not long, f"{path.name}: code cells (index, lines) above {MAX_LINES}: {long}"
    assert statistics.median(sizes) <= MAX_MEDIAN, f"{path.name}: median {statistics.median(sizes)} code lines"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_logic_in_chapters(path):
    """No function or class definitions and no while loops: sweeps and rules live in sgnlib."""
    for i, cell in enumerate(code_cells(path)):
        src = "\n".join(ln for ln in cell.source.splitlines() if not ln.strip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(src)):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.While)), (
                f"{path.name}, code cell {i}: a {type(node).__name__} belongs in sgnlib, not in a chapter")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_parameters_first_and_versions_last(path):
    """One parameters cell, the first code cell; the last code cell shows the versions."""
    cells = code_cells(path)
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0], f"{path.name}: parameters cell at code cells {tagged}"
    assert "show_versions" in cells[-1].source, f"{path.name}: the last code cell must call show_versions()"
