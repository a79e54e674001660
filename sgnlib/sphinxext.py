"""Sphinx extension used by the book's build (``sphinx.extra_extensions`` in ``_config.yml``).

* Copies the parts of the vendored MathJax 3 (``node_modules/mathjax/es5``, installed by
  ``npm ci`` from ``package.json``) that the site uses into ``_static/mathjax``, so that
  equations render with no network: the one combined component named by ``mathjax_path``
  (``tex-chtml.js``), the fonts of its output and the TeX extensions it may autoload
  (:data:`MATHJAX_PARTS`). A missing copy fails the build loudly.
* Trims the theme's weight from the site: ``fontawesome.js`` (1.5 MB, which only turns the
  theme's ``<i class="fa-…">`` icons into inline SVG; the theme's CSS already draws them with
  the Font Awesome webfonts), the source maps and the TrueType copies of webfonts that are also
  shipped as WOFF2 (:func:`trim_site`).
* Keeps the test harness out of the pages (:func:`clean_notebook`, applied to each executed
  notebook as Sphinx reads it; the files in ``book/`` are not changed): ``# NBVAL_…`` and
  ``# noqa`` comments are dropped from the rendered code, papermill's injected-parameters cell
  is removed, and so are cells that only glue numbers into the prose and show nothing.
* The ``sgn-runs`` directive: a table of every executed chapter in the book folder with its
  profile, parameters, run time, device and package versions, read with
  :func:`sgnlib.provenance.read_run_metadata` (the run record the chapter runner writes, and
  papermill's own record).
* The ``sgn-claims`` directive: the claims scoreboard of the landing page, one row per entry of
  a registry (``book/claims.yml``), filled at build time from the values the chapters glued
  (:func:`claim_rows`). A chapter not executed yet, or a row that names no glue key, reads
  "not yet tested"; a glue key, or a section, that its executed chapter lacks is a build warning.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

MATHJAX_ENV = "SGN_MATHJAX_DIR"
MATHJAX_COMPONENT = "tex-chtml.js"
#: What the site needs of MathJax's ``es5`` folder: the combined component, the fonts of its
#: CHTML output (fetched on demand, glyph by glyph family) and the TeX extensions its
#: ``autoload`` may fetch when a page uses e.g. ``\boldsymbol`` or ``\cancel``. The menu's
#: optional accessibility explorer (which would fetch the 4 MB speech-rule engine) is not shipped.
MATHJAX_PARTS = (MATHJAX_COMPONENT, "output/chtml/fonts/woff-v2", "input/tex/extensions")


def mathjax_source(srcdir: Path) -> Path:
    """Where the vendored MathJax ``es5`` folder is: ``$SGN_MATHJAX_DIR`` or ``node_modules`` above the book."""
    env = os.environ.get(MATHJAX_ENV)
    candidates = [Path(env)] if env else []
    for parent in (srcdir, *srcdir.parents):
        candidates.append(parent / "node_modules" / "mathjax" / "es5")
    for cand in candidates:
        if all((cand / part).exists() for part in MATHJAX_PARTS):
            return cand
    raise ExtensionError(
        f"vendored MathJax not found (looked for node_modules/mathjax/es5 with {', '.join(MATHJAX_PARTS)} above "
        f"{srcdir}); run `npm ci` at the repository root or set {MATHJAX_ENV}"
    )


def copy_mathjax(src: Path, dst: Path) -> None:
    """Copy :data:`MATHJAX_PARTS` of the MathJax ``es5`` folder ``src`` into ``dst`` (replacing it)."""
    if dst.exists():
        shutil.rmtree(dst)
    for part in MATHJAX_PARTS:
        if (src / part).is_dir():
            shutil.copytree(src / part, dst / part)
        else:
            (dst / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / part, dst / part)


_FONTAWESOME_TAG = re.compile(r'[ \t]*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>[ \t]*\n?')


def trim_site(outdir: Path) -> int:
    """Drop from a built site what no reader's browser fetches; returns the bytes removed.

    ``fontawesome.js`` and its ``<script>`` tag in every page (the theme's CSS draws the same
    icons from the Font Awesome webfonts), the JavaScript/CSS source maps, the ``.ttf``
    copies of webfonts that the CSS also offers as ``.woff2`` (every browser that runs the
    theme reads WOFF2 first), and the theme's translation catalogues (``.po``/``.mo``, read
    by Sphinx when it builds, never by a browser).
    """
    static = outdir / "_static"
    doomed = [static / "scripts" / "fontawesome.js"]
    doomed += [p for p in static.rglob("*.map")]
    doomed += [p for p in static.rglob("*.ttf") if p.with_suffix(".woff2").is_file()]
    removed = 0
    for path in doomed:
        if path.is_file():
            removed += path.stat().st_size
            path.unlink()
    locales = static / "locales"
    if locales.is_dir() and all(p.is_dir() or p.suffix in (".po", ".mo") for p in locales.rglob("*")):
        removed += sum(p.stat().st_size for p in locales.rglob("*") if p.is_file())
        shutil.rmtree(locales)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _FONTAWESOME_TAG.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
    return removed


#: Styles of the tables these directives draw (written into the site's ``_static`` by the build).
CSS = """
table.sgn-claims { font-size: 0.85em; table-layout: fixed; width: 100%; }
table.sgn-claims td, table.sgn-claims th { padding: 0.35em 0.5em; vertical-align: top; overflow-wrap: break-word; }
table.sgn-claims th:nth-child(1) { width: 27%; }
table.sgn-claims th:nth-child(2) { width: 18%; }
table.sgn-claims th:nth-child(3) { width: 22%; }
table.sgn-claims th:nth-child(4) { width: 13%; }
table.sgn-claims th:nth-child(5) { width: 8%; }
table.sgn-claims th:nth-child(6) { width: 12%; }
table.sgn-claims mjx-container[jax="CHTML"] { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden;
                                               vertical-align: middle; }
table.sgn-claims .sgn-verdict { font-weight: 600; white-space: nowrap; }
table.sgn-claims .sgn-reproduced { color: #1a7f37; }
table.sgn-claims .sgn-partly { color: #9a6700; }
table.sgn-claims .sgn-contradicted { color: #c4321b; }
table.sgn-claims .sgn-not-yet-tested { color: var(--pst-color-text-muted, #6b7280); font-weight: 400; white-space: normal; }
table.sgn-runs { font-size: 0.85em; }
@media (max-width: 720px) { table.sgn-claims { width: 680px; } }
"""
CSS_FILE = "sgn-book.css"


def _write_css(app):
    if app.builder.format == "html":
        (Path(app.outdir) / "_static").mkdir(parents=True, exist_ok=True)
        (Path(app.outdir) / "_static" / CSS_FILE).write_text(CSS, encoding="utf-8")


def _finish_site(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    copy_mathjax(mathjax_source(Path(app.srcdir)), outdir / "_static" / "mathjax")
    trim_site(outdir)


def _check_mathjax(app):
    if app.builder.format == "html":
        mathjax_source(Path(app.srcdir))


# --- the test harness stays out of the pages ---------------------------------------------------

_HARNESS_LINE = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*(?:\n|$)", re.M)
_NOQA = re.compile(r"[ \t]*#[ \t]*noqa\b[^\n]*")
_GLUE_CALLS = {"glue", "glue_numbers"}
_OBJECT_REPR = re.compile(r"^\[?<(?:Axes|Figure|matplotlib\.)")
_HIDING_TAGS = {"hide-input", "hide-cell", "hide_input", "hide_cell"}
REMOVE_TAG = "remove-cell"


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _is_glue_call(node) -> bool:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        return name in _GLUE_CALLS
    return False


def _glue_statements(source: str) -> tuple[int, bool]:
    """(number of glue calls, whether every statement only glues) for a cell's code; (0, False) if unparsable."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return 0, False
    calls = sum(_is_glue_call(n) for n in ast.walk(tree))

    def only(stmts) -> bool:
        return all(
            _is_glue_call(s)
            or (isinstance(s, ast.For) and only(s.body) and not s.orelse)
            or (isinstance(s, ast.ImportFrom) and all(a.name in _GLUE_CALLS for a in s.names))
            for s in stmts
        )

    return calls, bool(tree.body) and only(tree.body)


def _object_repr(output) -> bool:
    """A cell's text result that is only the repr of a matplotlib object (``<Axes: …>``, ``[<matplotlib.lines…>]``)."""
    data = output.get("data") or {}
    if output.get("output_type") != "execute_result" or set(data) != {"text/plain"}:
        return False
    text = data["text/plain"]
    return bool(_OBJECT_REPR.match("".join(text) if isinstance(text, list) else text))


def _shows_something(cell) -> bool:
    """Whether a code cell has an output a reader sees (a glue record with ``display=False`` shows nothing)."""
    for out in cell.get("outputs", []):
        scrap = (out.get("metadata") or {}).get("scrapbook")
        if not scrap or not scrap.get("mime_prefix"):
            return True
    return False


def glue_bookkeeping(cell) -> bool:
    """A code cell that only feeds numbers to the prose: it shows nothing, calls ``glue``/``glue_numbers``/
    ``Verdict.glue``, and either is hidden behind a toggle or does nothing but glue."""
    if cell.get("cell_type") != "code" or _shows_something(cell):
        return False
    calls, only = _glue_statements(_source(cell))
    tags = set((cell.get("metadata") or {}).get("tags") or [])
    return calls > 0 and (only or bool(tags & _HIDING_TAGS))


def clean_notebook(nb: dict) -> dict:
    """Keep the test harness out of a rendered executed notebook (in place); returns counts of what was done.

    * ``# NBVAL_…`` comment lines and trailing ``# noqa`` comments leave the code (nbval and
      ruff read them from the chapter sources, not from the pages);
    * papermill's ``injected-parameters`` cell and glue bookkeeping cells (:func:`glue_bookkeeping`)
      get the ``remove-cell`` tag: myst-nb still reads their glued values, but does not show them;
    * a figure cell that ends in an expression also returns the plot's object (``<Axes: …>``): that
      text result is dropped, which also keeps myst-nb from giving the figure's name to two outputs.
    """
    done = {"harness_comments": 0, "injected": 0, "bookkeeping": 0, "object_reprs": 0}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.setdefault("metadata", {})
        tags = list(meta.get("tags") or [])
        src = _source(cell)
        new, n_lines = _HARNESS_LINE.subn("", src)
        new, n_noqa = _NOQA.subn("", new)
        if n_lines or n_noqa:
            done["harness_comments"] += n_lines + n_noqa
            cell["source"] = new
        outputs = cell.get("outputs", [])
        if any(k.startswith("image/") for o in outputs for k in (o.get("data") or {})):
            kept = [o for o in outputs if not _object_repr(o)]
            done["object_reprs"] += len(outputs) - len(kept)
            cell["outputs"] = kept
        if REMOVE_TAG in tags:
            continue
        if "injected-parameters" in tags:
            done["injected"] += 1
        elif glue_bookkeeping(cell):
            done["bookkeeping"] += 1
        else:
            continue
        meta["tags"] = [*tags, REMOVE_TAG]
    return done


def _clean_source(app, docname, source):
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    try:
        nb = json.loads(source[0])
    except ValueError:
        return  # not JSON: leave it to myst-nb to report
    if any(clean_notebook(nb).values()):
        source[0] = json.dumps(nb, ensure_ascii=False)


# --- the runs table ------------------------------------------------------------------------------


def _chapter_paths(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("[0-9][0-9]_*.ipynb")) if not p.name.endswith(".failed.ipynb")]


def run_records(folder: Path) -> list[dict]:
    """One record per executed chapter ``NN_slug.ipynb`` in ``folder``, sorted by name (failed runs skipped)."""
    from sgnlib.provenance import read_run_metadata

    records = []
    for path in _chapter_paths(folder):
        try:
            rec = read_run_metadata(path)
        except ValueError as exc:
            raise ExtensionError(str(exc)) from None
        if rec is None:
            raise ExtensionError(f"{path.name} has no run record: execute it with `python -m sgnlib run`")
        records.append({"doc": path.stem, **rec})
    return records


def _doc_ref(doc: str, text: str | None = None, anchor: str = ""):
    from sphinx.addnodes import pending_xref

    xref = pending_xref("", refdomain="std", reftype="doc", reftarget=f"/{doc}", refexplicit=text is not None,
                        refwarn=True)
    xref += nodes.inline(text or doc, text or doc)
    return xref


def _table(cols, widths, rows, classes):
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(cols))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += _row(cols)
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row)
    return table


def _row(cells):
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        if isinstance(cell, nodes.Node):
            entry += cell if isinstance(cell, nodes.Element) and not isinstance(cell, nodes.Inline) else nodes.paragraph("", "", cell)
        else:
            entry += nodes.paragraph(text=str(cell))
        row += entry
    return row


def _second_run_text(path: Path, env) -> str:
    """What the chapter's second execution under other CPU kernels says (:mod:`sgnlib.robustness`), or "not run"."""
    from sgnlib import robustness
    from sgnlib.provenance import machine_text, read_run_metadata

    second = robustness.second_run(path)
    if second is None:
        return "not run"
    env.note_dependency(str(second))
    table = robustness.compare(path, second)
    record = read_run_metadata(second)
    return f"{robustness.summary(table)}; {machine_text(record) if record else 'unknown'}"


class RunsDirective(Directive):
    """``sgn-runs``: the table of executed chapters."""

    has_content = False

    def run(self):
        env = self.state.document.settings.env
        from sgnlib.provenance import machine_text

        records = run_records(Path(env.srcdir))
        cols = ["chapter", "profile", "injected parameters", "run time", "from an empty cache", "machine", "executed",
                "versions", "on other CPU kernels"]
        rows = []
        for rec in records:
            env.note_dependency(str(Path(env.srcdir) / f"{rec['doc']}.ipynb"))
            params = ", ".join(f"{k}={v!r}" for k, v in sorted(rec["parameters"].items()))
            vers = ", ".join(f"{k} {rec['versions'][k]}" for k in ("python", "sgnlib", "torch", "numpy") if k in rec["versions"])
            rows.append([_doc_ref(rec["doc"]), rec["profile"], params, _duration(float(rec["seconds"])), _cost_text(rec),
                         machine_text(rec), rec["finished"], vers, _second_run_text(Path(env.srcdir) / f"{rec['doc']}.ipynb", env)])
        return [_table(cols, (12, 6, 24, 7, 12, 14, 10, 14, 16), rows, ["sgn-runs"])]


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _cost_text(rec: dict) -> str:
    """The ``from an empty cache`` cell: the run time plus what the loaded units cost when they were computed."""
    from sgnlib.provenance import empty_cache_estimate

    units = rec.get("units")
    if units is None:
        return "not recorded (run before the runner recorded unit use)"
    if not units["loaded"]:
        return f"= the run time (nothing loaded from the cache; {units['computed']} unit(s) computed)"
    est = empty_cache_estimate(rec)
    if est is None:
        return (f"unknown: {units['loaded']} unit(s) loaded from the cache, {units['loaded_unrecorded']} of them "
                "made before units recorded their compute time")
    return f"≈ {_duration(est)} ({units['computed']} unit(s) computed, {units['loaded']} loaded)"


# --- the claims scoreboard -----------------------------------------------------------------------

#: Our verdict words (sgnlib.report.Verdict) as the scoreboard reads them.
VERDICT_WORDS = {"holds": "reproduced", "marginal": "partly", "fails": "contradicted", "cannot tell": "undecided"}
NOT_TESTED = "not yet tested"
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")
_CLAIM_FIELDS = {"id", "claim", "paper", "chapter", "section", "verdict", "number"}


def glue_values(nb: dict) -> dict[str, str]:
    """The values an executed notebook glued (myst-nb's ``scrapbook`` outputs), as the text the prose shows."""
    values = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            scrap = (out.get("metadata") or {}).get("scrapbook")
            if not scrap:
                continue
            text = (out.get("data") or {}).get(scrap.get("mime_prefix", "") + "text/plain")
            if text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            try:
                value = ast.literal_eval(text)
                text = value if isinstance(value, str) else text
            except (ValueError, SyntaxError):
                pass
            values[scrap["name"]] = text
    return values


def load_claims(path: Path) -> list[dict]:
    """The claims registry: a YAML mapping with a list ``claims`` of rows (see ``book/claims.yml``)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExtensionError(f"cannot read the claims registry {path}: {exc}") from None
    claims = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(claims, list) or not claims:
        raise ExtensionError(f"{path}: expected a mapping with a non-empty list 'claims'")
    seen = set()
    for i, row in enumerate(claims):
        where = f"{path.name}: claim {i + 1}"
        if not isinstance(row, dict) or not {"id", "claim", "chapter"} <= set(row):
            raise ExtensionError(f"{where}: each claim needs id, claim and chapter")
        unknown = set(row) - _CLAIM_FIELDS
        if unknown:
            raise ExtensionError(f"{where} ({row['id']}): unknown fields {sorted(unknown)}; known: {sorted(_CLAIM_FIELDS)}")
        if row["id"] in seen:
            raise ExtensionError(f"{where}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        row.setdefault("paper", "")
        row.setdefault("section", "")
        row.setdefault("number", "")
        verdict = row.get("verdict") or []
        row["verdict"] = [verdict] if isinstance(verdict, str) else list(verdict)
    return claims


def combine_verdicts(words: list[str]) -> str:
    """The scoreboard's word for one claim tested by several verdicts: all hold → reproduced, all fail →
    contradicted, all "cannot tell" → undecided, anything else (a marginal one, or some hold and some fail,
    or some undecided) → partly."""
    if not words:
        return NOT_TESTED
    bad = [w for w in words if w not in VERDICT_WORDS]
    if bad:
        raise ValueError(f"not a verdict word: {bad[0]!r} (expected one of {sorted(VERDICT_WORDS)})")
    if all(w == "holds" for w in words):
        return VERDICT_WORDS["holds"]
    if all(w == "fails" for w in words):
        return VERDICT_WORDS["fails"]
    if all(w == "cannot tell" for w in words):
        return VERDICT_WORDS["cannot tell"]
    return VERDICT_WORDS["marginal"]


def claim_rows(claims: list[dict], folder: Path) -> tuple[list[dict], list[str]]:
    """Fill each claim from the executed chapters in ``folder``: (rows, problems).

    A row gets ``verdict`` (reproduced / partly / contradicted / not yet tested, with the underlying
    words), ``ours`` (its ``number`` template with each ``{glue_key}`` replaced by the chapter's value),
    ``profile`` (from the run record) and ``doc``. A chapter with no executed notebook, or a row
    without verdict keys, is "not yet tested"; a key its executed chapter did not glue is a
    problem (the build turns it into a warning) and leaves the row "not yet tested".
    """
    from sgnlib.provenance import read_run_metadata

    chapters = {p.stem: p for p in _chapter_paths(folder)}
    cache: dict[str, tuple[dict, str]] = {}
    rows, problems = [], []
    for claim in claims:
        row = {**claim, "verdict_word": NOT_TESTED, "words": [], "ours": "", "profile": "", "doc": None}
        path = chapters.get(claim["chapter"])
        rows.append(row)
        if path is None:
            continue
        if path.stem not in cache:
            nb = json.loads(path.read_text(encoding="utf-8"))
            rec = read_run_metadata(nb) or {}
            cache[path.stem] = (glue_values(nb), rec.get("profile", ""))
        values, profile = cache[path.stem]
        row["doc"], row["profile"] = path.stem, profile
        wanted = [*claim["verdict"], *_PLACEHOLDER.findall(claim["number"] or "")]
        missing = [k for k in wanted if k not in values]
        if missing:
            problems.append(f"claim {claim['id']!r}: {path.name} glues no {', '.join(repr(k) for k in missing)}")
            continue
        try:
            row["words"] = [values[k] for k in claim["verdict"]]
            row["verdict_word"] = combine_verdicts(row["words"])
        except ValueError as exc:
            problems.append(f"claim {claim['id']!r} ({path.name}): {exc}")
            row["words"], row["verdict_word"] = [], NOT_TESTED
            continue
        row["ours"] = _PLACEHOLDER.sub(lambda m: values[m.group(1)], claim["number"] or "")
    return rows, problems


class claim_section(nodes.Inline, nodes.TextElement):
    """A link to the section of a chapter whose title starts with ``section``, resolved once all pages are read."""


class ClaimsDirective(Directive):
    """``sgn-claims [registry]``: the claims scoreboard (default registry: ``claims.yml`` beside the page)."""

    has_content = False
    optional_arguments = 1

    def run(self):
        env = self.state.document.settings.env
        here = Path(env.doc2path(env.docname)).parent
        path = here / (self.arguments[0] if self.arguments else "claims.yml")
        env.note_dependency(str(path))
        for chapter in _chapter_paths(Path(env.srcdir)):
            env.note_dependency(str(chapter))
        rows, problems = claim_rows(load_claims(path), Path(env.srcdir))
        for problem in problems:
            logger.warning(f"{path.name}: {problem}", location=(env.docname, self.lineno), type="sgn", subtype="claims")
        cols = ["claim", "the paper", "this book", "verdict", "profile", "where"]
        body = []
        for row in rows:
            verdict = nodes.inline(row["verdict_word"], row["verdict_word"],
                                   classes=["sgn-verdict", "sgn-" + row["verdict_word"].replace(" ", "-")])
            if row["words"] and len(set(row["words"])) > 1:
                verdict = [verdict, nodes.Text(f" ({', '.join(row['words'])})")]
            para = nodes.paragraph()
            para += verdict
            where = nodes.paragraph()
            if row["doc"]:
                link = claim_section(row["section"] or row["doc"], row["section"] or row["doc"])
                link["doc"], link["section"], link["claim"] = row["doc"], row["section"], row["id"]
                where += link
            else:
                where += nodes.Text(f"chapter {row['chapter'][:2]} (to come)")
            body.append([self._inline(row["claim"]), self._inline(row["paper"] or "—"), row["ours"] or "—", para,
                         row["profile"] or "—", where])
        return [_table(cols, (30, 18, 22, 10, 6, 14), body, ["sgn-claims"])]

    def _inline(self, text: str) -> nodes.paragraph:
        """The registry's own text (claim, the paper's number) parsed as inline markup of the page ($…$ math)."""
        para = nodes.paragraph()
        children, messages = self.state.inline_text(text, self.lineno)
        para += children
        para += messages
        return para


def _section_anchor(env, doc: str, title: str) -> str | None:
    """The anchor of the first section of ``doc`` whose title starts with ``title`` (``""`` for the page itself)."""
    if not title or title == doc:
        return ""
    toc = env.tocs.get(doc)
    if toc is None:
        return None
    want = " ".join(title.split()).casefold()
    for ref in toc.findall(nodes.reference):
        text = " ".join(ref.astext().split()).casefold()
        if text.startswith(want):
            return ref.get("anchorname", "")
    return None


def _resolve_claim_sections(app, doctree, docname):
    for node in list(doctree.findall(claim_section)):
        doc, section = node["doc"], node["section"]
        anchor = _section_anchor(app.env, doc, section)
        if anchor is None:
            logger.warning(f"claims.yml: claim {node['claim']!r}: {doc} has no section whose title starts with {section!r}",
                           location=node, type="sgn", subtype="claims")
            anchor = ""
        uri = app.builder.get_relative_uri(docname, doc) + anchor
        ref = nodes.reference("", "", internal=True, refuri=uri)
        ref += nodes.inline(section or doc, f"{doc[:2]} · {section}" if section and section != doc else doc)
        node.replace_self(ref)


def setup(app):
    app.add_css_file(CSS_FILE)
    app.connect("builder-inited", _check_mathjax)
    app.connect("builder-inited", _write_css)
    app.connect("source-read", _clean_source)
    app.connect("doctree-resolved", _resolve_claim_sections)
    app.connect("build-finished", _finish_site)
    app.add_node(claim_section)
    app.add_directive("sgn-runs", RunsDirective)
    app.add_directive("sgn-claims", ClaimsDirective)
    return {"version": "0.2", "parallel_read_safe": True, "parallel_write_safe": True}
