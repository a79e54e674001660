"""The claims scoreboard (``sgn-claims`` in sgnlib.sphinxext) and the harness clean-up of rendered chapters.

Issue 12: the landing page leads with one row per claim of the paper, filled at build time from the
values the chapters glued (never typed); a chapter not executed yet reads "not yet tested", a glue
key or section its executed chapter lacks is a build warning (so ``-W`` catches a renamed key).
The test harness (``# NBVAL_CHECK_OUTPUT``, ``# noqa``, papermill's injected cell, cells that only
glue) stays out of the pages while the glued values still reach the prose.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import nbformat
import pytest

from sgnlib import sphinxext as sx
from sgnlib.provenance import write_run_metadata

ROOT = Path(__file__).resolve().parent.parent


def _glue_output(name: str, value: str) -> dict:
    prefix = "application/papermill.record/"
    return nbformat.v4.new_output("display_data", data={prefix + "text/plain": repr(value)},
                                  metadata={"scrapbook": {"mime_prefix": prefix, "name": name}})


def _chapter(values: dict[str, str], *, profile: str = "book", title: str = "Chapter X",
             section: str = "Lemma 9.9: a test", hidden_glue: bool = True) -> nbformat.NotebookNode:
    """An executed chapter as the runner writes it: parameters, papermill's injected cell, a checked
    output cell with harness comments, a cell that only glues, prose that reads the glued values."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('profile = "book"', metadata={"tags": ["parameters"]}, execution_count=1)
    injected = nbformat.v4.new_code_cell('# Parameters\nprofile = "book"\n', metadata={"tags": ["injected-parameters"]},
                                         execution_count=2)
    checked = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)  # noqa: T201\nx = 2  # noqa", execution_count=3,
                                        outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")])
    glue = nbformat.v4.new_code_cell("\n".join(f"glue({k!r}, {v!r}, display=False)" for k, v in values.items()),
                                     metadata={"tags": ["hide-input"] if hidden_glue else []}, execution_count=4,
                                     outputs=[_glue_output(k, v) for k, v in values.items()])
    prose = nbformat.v4.new_markdown_cell(
        f"# {title}\n\n## {section}\n\n" + " ".join(f"{{glue:text}}`{k}`" for k in values) + "\n\n## Another section\n")
    nb.cells = [prose, params, injected, checked, glue]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    write_run_metadata(nb, chapter="91_test", profile=profile, parameters={"profile": profile}, seconds=1.0)
    return nb


CLAIMS = r"""
claims:
  - id: lemma
    claim: 'Lemma 9.9 holds: $e^{-2\mu t}$'
    paper: "rate 2"
    chapter: 91_test
    section: "Lemma 9.9"
    verdict: [ch91_a_verdict, ch91_b_verdict]
    number: "slope {ch91_slope} vs 2"
  - id: later
    claim: "A chapter not written yet"
    paper: "42"
    chapter: 99_later
    section: "Anything"
    verdict: [ch99_verdict]
    number: "{ch99_x}"
  - id: untested
    claim: "No verdict glued for this one"
    chapter: 91_test
    number: "slope {ch91_slope}"
"""
VALUES = {"ch91_a_verdict": "holds", "ch91_b_verdict": "fails", "ch91_slope": "1.97"}


def _write_book(folder: Path, claims: str = CLAIMS, values: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(_chapter(VALUES if values is None else values), folder / "91_test.ipynb")
    (folder / "claims.yml").write_text(claims)
    return folder


def test_glue_values_reads_what_the_prose_shows(tmp_path):
    """glue_values: a glued string reads as the text {glue:text} shows (no quotes)."""
    nb = json.loads(nbformat.writes(_chapter(VALUES)))
    assert sx.glue_values(nb) == VALUES


@pytest.mark.parametrize("words, expected", [
    (["holds"], "reproduced"), (["holds", "holds"], "reproduced"), (["fails", "fails"], "contradicted"),
    (["marginal"], "partly"), (["holds", "fails"], "partly"), (["holds", "marginal"], "partly"), ([], "not yet tested"),
    (["cannot tell"], "undecided"), (["holds", "cannot tell"], "partly"),
])
def test_combine_verdicts(words, expected):
    """Verdict words map to reproduced / partly / contradicted; a mix is 'partly'; none is 'not yet tested'."""
    assert sx.combine_verdicts(words) == expected


def test_combine_verdicts_refuses_other_words():
    """A glued value that is not a verdict word is an error naming it, never a silent verdict."""
    with pytest.raises(ValueError, match="'1.97'"):
        sx.combine_verdicts(["holds", "1.97"])


def test_claim_rows_fill_from_glue_and_flag_missing_keys(tmp_path):
    """claim_rows: words and numbers come from the executed chapter, its profile from the run record; a chapter
    not executed is 'not yet tested' without a problem; a key the executed chapter lacks is a problem."""
    book = _write_book(tmp_path / "book")
    rows, problems = sx.claim_rows(sx.load_claims(book / "claims.yml"), book)
    lemma, later, untested = rows
    assert lemma["verdict_word"] == "partly" and lemma["words"] == ["holds", "fails"]
    assert lemma["ours"] == "slope 1.97 vs 2" and lemma["profile"] == "book" and lemma["doc"] == "91_test"
    assert later["verdict_word"] == "not yet tested" and later["doc"] is None
    assert untested["verdict_word"] == "not yet tested" and untested["ours"] == "slope 1.97"
    assert problems == []

    renamed = dict(VALUES)
    renamed["ch91_gradient_slope"] = renamed.pop("ch91_slope")
    nbformat.write(_chapter(renamed), book / "91_test.ipynb")
    rows, problems = sx.claim_rows(sx.load_claims(book / "claims.yml"), book)
    assert rows[0]["verdict_word"] == "not yet tested"
    assert any("'ch91_slope'" in p and "91_test.ipynb" in p for p in problems), problems


@pytest.mark.parametrize("text, message", [
    ("claims: []", "non-empty list"),
    ("claims:\n  - {id: a, claim: b}", "id, claim and chapter"),
    ("claims:\n  - {id: a, claim: b, chapter: c, verdicts: [x]}", "unknown fields"),
    ("claims:\n  - {id: a, claim: b, chapter: c}\n  - {id: a, claim: d, chapter: c}", "duplicate id"),
])
def test_load_claims_rejects_malformed_registries(tmp_path, text, message):
    """A malformed registry is one error naming the problem (missing field, typo in a field name, duplicate id)."""
    from sphinx.errors import ExtensionError

    (tmp_path / "claims.yml").write_text(text)
    with pytest.raises(ExtensionError, match=message):
        sx.load_claims(tmp_path / "claims.yml")


def test_the_book_registry_is_well_formed():
    """book/claims.yml loads, and every row names a chapter of the table of contents."""
    import yaml

    claims = sx.load_claims(ROOT / "book" / "claims.yml")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    assert {c["chapter"] for c in claims} <= files


# --- the harness stays out of the pages --------------------------------------------------------


def test_clean_notebook_drops_harness_comments_and_cells():
    """clean_notebook: NBVAL/noqa comments leave the code; the injected cell and the glue-only cell get remove-cell;
    the parameters cell and cells with output stay."""
    nb = json.loads(nbformat.writes(_chapter(VALUES)))
    done = sx.clean_notebook(nb)
    assert done == {"harness_comments": 3, "injected": 1, "bookkeeping": 1, "object_reprs": 0}
    params, injected, checked, glue = nb["cells"][1:]
    assert checked["source"] == "print(1)\nx = 2"
    assert "remove-cell" in injected["metadata"]["tags"] and "remove-cell" in glue["metadata"]["tags"]
    assert "remove-cell" not in params["metadata"]["tags"] and "remove-cell" not in checked["metadata"].get("tags", [])
    assert not any(sx.clean_notebook(nb).values()), "not idempotent"


def test_clean_notebook_drops_the_axes_repr_of_a_figure_cell():
    """A figure cell ending in an expression shows ``<Axes: …>`` beside its figure (and myst-nb would give the
    figure's name to both outputs): the repr goes, the figure and other text results stay."""
    axes = nbformat.v4.new_output("execute_result", data={"text/plain": "<Axes: title={'center': 'x'}>"}, execution_count=1)
    figure = nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>", "text/plain": "<Figure size 640x480>"})
    number = nbformat.v4.new_output("execute_result", data={"text/plain": "0.5"}, execution_count=2)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("plot()", outputs=[axes, figure]), nbformat.v4.new_code_cell("x", outputs=[number]),
                nbformat.v4.new_code_cell("ax", outputs=[axes])]
    nb = json.loads(nbformat.writes(nb))
    assert sx.clean_notebook(nb)["object_reprs"] == 1
    assert [o["output_type"] for o in nb["cells"][0]["outputs"]] == ["display_data"]
    assert len(nb["cells"][1]["outputs"]) == 1 and len(nb["cells"][2]["outputs"]) == 1, "only figure cells are touched"


@pytest.mark.parametrize("source, tags, outputs, expected", [
    ('v.glue("ch01_x")', [], [], True),  # does nothing but glue
    ('for k, v in d.items():\n    v.glue(k)', [], [], True),
    ('report.glue_numbers("ch", a="1")\nx = compute()', ["hide-input"], [], True),  # hidden toggle with no output
    ('report.glue_numbers("ch", a="1")\nx = compute()', [], [], False),  # visible computation stays
    ('report.glue_numbers("ch", a="1")', ["hide-input"], [{"output_type": "stream", "name": "stdout", "text": "1"}], False),
    ("import numpy as np\nfrom myst_nb import glue", ["hide-input"], [], False),  # imports, no glue call
    ("%time glue('x', 1)", [], [], False),  # magics: not parsed, left alone
])
def test_glue_bookkeeping(source, tags, outputs, expected):
    """A cell is glue bookkeeping when it shows nothing, calls glue, and only glues or hides behind a toggle."""
    cell = {"cell_type": "code", "source": source, "metadata": {"tags": tags}, "outputs": outputs}
    assert sx.glue_bookkeeping(cell) is expected


# --- a real (small) build -------------------------------------------------------------------------


def _build(src: Path, out: Path) -> tuple[str, str]:
    from sphinx.application import Sphinx

    (src / "conf.py").write_text(
        'extensions = ["myst_nb", "sgnlib.sphinxext"]\nnb_execution_mode = "off"\nexclude_patterns = ["_build"]\n'
        'html_theme = "basic"\nmathjax_path = "mathjax/tex-chtml.js"\nmyst_enable_extensions = ["dollarmath"]\n')
    (src / "index.md").write_text("# Home\n\n```{sgn-claims}\n```\n\n```{toctree}\n91_test\n```\n")
    warnings = io.StringIO()
    app = Sphinx(str(src), str(src), str(out), str(out / ".doctrees"), "html", status=None, warning=warnings,
                 freshenv=True)
    app.build()
    return (out / "index.html").read_text(), warnings.getvalue()


@pytest.fixture()
def mathjax_env(monkeypatch):
    monkeypatch.setenv(sx.MATHJAX_ENV, str(ROOT / "node_modules" / "mathjax" / "es5"))
    if not (ROOT / "node_modules" / "mathjax" / "es5" / sx.MATHJAX_COMPONENT).is_file():
        pytest.skip("node_modules/mathjax is not installed (make env runs npm ci)")


def test_scoreboard_and_chapter_page_in_a_build(tmp_path, mathjax_env):
    """A build renders one scoreboard row per claim with the glued verdict and number, links the section,
    warns about nothing, and the chapter page shows no harness while its prose still reads the glued values."""
    src = _write_book(tmp_path / "src")
    html, warnings = _build(src, tmp_path / "out")
    # (a second Sphinx app in one process re-registers docutils nodes: that warning is about the test, not the book)
    assert not [w for w in warnings.splitlines() if "WARNING" in w and "already registered" not in w], warnings
    table = html[html.index('class="sgn-claims'):]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table[table.index("<tbody"):table.index("</tbody>")], flags=re.S)
    assert len(rows) == 3
    assert "partly" in rows[0] and "holds, fails" in rows[0] and "slope 1.97 vs 2" in rows[0] and ">book<" in rows[0]
    assert 'class="math' in rows[0] and "e^{-2\\mu t}" in rows[0], "the claim's $…$ is not typeset as math"
    assert re.search(r'href="91_test.html#lemma-9-9-a-test"', rows[0]), rows[0]
    assert "not yet tested" in rows[1] and "to come" in rows[1]
    page = (tmp_path / "out" / "91_test.html").read_text()
    assert "NBVAL" not in page and "noqa" not in page and "# Parameters" not in page
    assert "glue(" not in page, "the glue-only cell is still shown"
    assert "1.97" in page and "holds" in page, "glued values no longer reach the prose"
    assert (tmp_path / "out" / "_static" / "mathjax" / sx.MATHJAX_COMPONENT).is_file()
    assert (tmp_path / "out" / "_static" / sx.CSS_FILE).is_file()


@pytest.mark.parametrize("change, message", [
    (lambda claims: claims.replace("{ch91_slope} vs 2", "{ch91_slopes} vs 2"), "glues no 'ch91_slopes'"),
    (lambda claims: claims.replace('section: "Lemma 9.9"', 'section: "Lemma 9.8"'), "no section whose title starts"),
])
def test_a_renamed_key_or_section_is_a_build_warning(tmp_path, mathjax_env, change, message):
    """A glue key or section the executed chapter lacks is a build warning (``-W`` turns it into a failure)."""
    src = _write_book(tmp_path / "src", claims=change(CLAIMS))
    _, warnings = _build(src, tmp_path / "out")
    assert message in warnings, warnings


def test_trim_site_removes_fontawesome_maps_ttf_and_locales(tmp_path):
    """trim_site: fontawesome.js, its script tag, source maps, .ttf twins of .woff2 and .po/.mo catalogues go;
    the rest (a .ttf without a .woff2 twin, other scripts) stays."""
    static = tmp_path / "_static"
    for rel in ("scripts/fontawesome.js", "scripts/fontawesome.js.map", "scripts/bootstrap.js", "fonts/a.ttf",
                "fonts/a.woff2", "fonts/b.ttf", "locales/de/LC_MESSAGES/booktheme.po", "locales/de/LC_MESSAGES/booktheme.mo"):
        (static / rel).parent.mkdir(parents=True, exist_ok=True)
        (static / rel).write_text("x" * 10)
    page = tmp_path / "index.html"
    page.write_text('<head>\n  <script defer src="_static/scripts/fontawesome.js?digest=1"></script>\n'
                    '  <script src="_static/scripts/bootstrap.js"></script>\n</head>')
    removed = sx.trim_site(tmp_path)
    left = sorted(str(p.relative_to(static)) for p in static.rglob("*") if p.is_file())
    assert left == ["fonts/a.woff2", "fonts/b.ttf", "scripts/bootstrap.js"]
    assert removed == 50
    assert "fontawesome" not in page.read_text() and "bootstrap.js" in page.read_text()


def test_copy_mathjax_ships_only_the_component_its_fonts_and_extensions(tmp_path, mathjax_env):
    """copy_mathjax copies tex-chtml.js, its CHTML fonts and the autoloadable TeX extensions — not the other
    combined components (tex-svg, mml-…) nor the speech-rule engine."""
    src = ROOT / "node_modules" / "mathjax" / "es5"
    sx.copy_mathjax(src, tmp_path / "mathjax")
    files = {str(p.relative_to(tmp_path / "mathjax")) for p in (tmp_path / "mathjax").rglob("*") if p.is_file()}
    assert "tex-chtml.js" in files and "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff" in files
    assert "input/tex/extensions/boldsymbol.js" in files
    assert not any(f.startswith(("tex-svg", "mml-", "sre/")) for f in files)
    size = sum(p.stat().st_size for p in (tmp_path / "mathjax").rglob("*") if p.is_file()) / 2**20
    assert size < 3, f"MathJax copy is {size:.1f} MB"
