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
import re
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


# --- issue 12: each chapter opens with its key findings and ends with its verdicts -------------------

GLUE_ROLE = "{glue:text}`"
VERDICT_GLUE = re.compile(r"\{glue:text\}`ch\d\d_\w*_verdict`|\{glue:text\}`ch\d\d_verdict`")


def markdown_cells(path: Path) -> list[str]:
    return [c.source for c in jupytext.read(path).cells if c.cell_type == "markdown"]


def key_findings_bullets(markdown: str) -> list[str] | None:
    """The bullets of the ``{admonition} Key findings`` block of ``markdown`` (None when it has no such block
    or the block lacks ``:class: key-findings``); a bullet runs over its indented continuation lines."""
    m = re.search(r"^(`{3,}|:{3,})\{admonition\} Key findings[ \t]*\n(.*?)^\1[ \t]*$", markdown, flags=re.M | re.S)
    if not m or not re.search(r"^:class:.*\bkey-findings\b", m.group(2), flags=re.M):
        return None
    bullets: list[str] = []
    for line in m.group(2).splitlines():
        if re.match(r"[*-] ", line):
            bullets.append(line)
        elif bullets and line.startswith((" ", "\t")) and line.strip():
            bullets[-1] += " " + line.strip()
    return bullets


def h2_sections(text: str) -> list[tuple[str, str]]:
    """The ``##`` sections of markdown ``text`` in order: (title, text up to the next ``#``/``##`` heading)."""
    parts = re.split(r"^(#{1,2}) (.+)$", text, flags=re.M)
    return [(parts[i + 1].strip(), parts[i + 2]) for i in range(1, len(parts) - 2, 3) if parts[i] == "##"]


def test_key_findings_and_verdicts_checks_can_fail():
    """The two structure checks reject a block without the class, bullets without glue and a chapter whose last
    section before Versions is not Verdicts."""
    good = "# T\n\n```{admonition} Key findings\n:class: key-findings\n* a {glue:text}`x`\n  more\n* b\n```\n"
    assert key_findings_bullets(good) == ["* a {glue:text}`x` more", "* b"]
    assert key_findings_bullets(good.replace(":class: key-findings\n", "")) is None
    assert key_findings_bullets("# T\n\nno block\n") is None
    chapter = "# T\n## A\nx\n## Verdicts\n{glue:text}`ch01_a_verdict`\n## Versions\n"
    assert [t for t, _ in h2_sections(chapter)] == ["A", "Verdicts", "Versions"]
    assert VERDICT_GLUE.search(h2_sections(chapter)[1][1])
    assert [t for t, _ in h2_sections(chapter.replace("## Verdicts", "## Summary"))][-2] == "Summary"
    assert not VERDICT_GLUE.search("{glue:text}`ch01_a_criterion`")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_opens_with_key_findings(path):
    """The first markdown cell (before the parameters cell) holds a ``{admonition} Key findings`` block of class
    ``key-findings`` with 3–6 bullets, each carrying a number or verdict glued from the run (``{glue:text}``)."""
    nb = jupytext.read(path)
    first_md = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown")
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    assert first_md < params, f"{path.name}: the parameters cell comes before the first markdown cell"
    bullets = key_findings_bullets(nb.cells[first_md].source)
    assert bullets is not None, f"{path.name}: the first markdown cell has no Key findings admonition of class key-findings"
    assert 3 <= len(bullets) <= 6, f"{path.name}: {len(bullets)} key findings (want 3 to 6)"
    typed = [b[:70] for b in bullets if GLUE_ROLE not in b]
    assert not typed, f"{path.name}: key findings without a glued number or verdict: {typed}"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_ends_with_its_verdicts(path):
    """The last ``##`` section before ``## Versions`` (or the last one, where there is no Versions heading) is
    ``## Verdicts``, and it states verdicts glued from the run (``{glue:text}`chNN_…_verdict```)."""
    sections = h2_sections("\n\n".join(markdown_cells(path)))
    titles = [t for t, _ in sections]
    end = titles.index("Versions") if "Versions" in titles else len(titles)
    assert end > 0, f"{path.name}: no ## section before the end"
    title, body = sections[end - 1]
    assert title == "Verdicts", f"{path.name}: the last section before Versions is '## {title}', not '## Verdicts'"
    assert VERDICT_GLUE.search(body), f"{path.name}: '## Verdicts' glues no verdict word (no {{glue:text}}`chNN_…_verdict`)"
