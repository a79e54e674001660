"""Sphinx extension used by the book's build (``sphinx.extra_extensions`` in ``_config.yml``).

* Copies the vendored MathJax 3 (``node_modules/mathjax/es5``, installed by
  ``npm ci`` from ``package.json``) into the site's ``_static/mathjax`` so that
  equations render with no network. A missing copy fails the build loudly.
* The ``sgn-runs`` directive: a table of every executed chapter in the book
  folder with its profile, parameters, run time, device and package versions,
  read with :func:`sgnlib.provenance.read_run_metadata` (the run record the
  chapter runner writes, and papermill's own record).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError

MATHJAX_ENV = "SGN_MATHJAX_DIR"


def mathjax_source(srcdir: Path) -> Path:
    """Where the vendored MathJax ``es5`` folder is: ``$SGN_MATHJAX_DIR`` or ``node_modules`` above the book."""
    env = os.environ.get(MATHJAX_ENV)
    candidates = [Path(env)] if env else []
    for parent in (srcdir, *srcdir.parents):
        candidates.append(parent / "node_modules" / "mathjax" / "es5")
    for cand in candidates:
        if (cand / "tex-chtml.js").is_file():
            return cand
    raise ExtensionError(
        "vendored MathJax not found (looked for node_modules/mathjax/es5/tex-chtml.js above "
        f"{srcdir}); run `npm ci` at the repository root or set {MATHJAX_ENV}"
    )


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_source(Path(app.srcdir))
    dst = Path(app.outdir) / "_static" / "mathjax"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)


def _check_mathjax(app):
    if app.builder.format == "html":
        mathjax_source(Path(app.srcdir))


def run_records(folder: Path) -> list[dict]:
    """One record per executed chapter ``NN_slug.ipynb`` in ``folder``, sorted by name (failed runs skipped)."""
    from sgnlib.provenance import read_run_metadata

    records = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        if path.name.endswith(".failed.ipynb"):
            continue
        try:
            rec = read_run_metadata(path)
        except ValueError as exc:
            raise ExtensionError(str(exc)) from None
        if rec is None:
            raise ExtensionError(f"{path.name} has no run record: execute it with `python -m sgnlib run`")
        records.append({"doc": path.stem, **rec})
    return records


class RunsDirective(Directive):
    """``sgn-runs``: the table of executed chapters."""

    has_content = False

    def run(self):
        env = self.state.document.settings.env
        records = run_records(Path(env.srcdir))
        table = nodes.table(classes=["sgn-runs"])
        cols = ["chapter", "profile", "injected parameters", "run time", "device", "executed", "versions"]
        group = nodes.tgroup(cols=len(cols))
        table += group
        for width in (14, 6, 30, 8, 10, 12, 20):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row(cols)
        body = nodes.tbody()
        group += body
        for rec in records:
            env.note_dependency(str(Path(env.srcdir) / f"{rec['doc']}.ipynb"))
            ref = nodes.paragraph()
            xref = self._doc_ref(rec["doc"])
            ref += xref
            params = ", ".join(f"{k}={v!r}" for k, v in sorted(rec["parameters"].items()))
            vers = ", ".join(f"{k} {rec['versions'][k]}" for k in ("python", "sgnlib", "torch", "numpy") if k in rec["versions"])
            body += self._row([ref, rec["profile"], params, f"{float(rec['seconds']):.1f} s", rec["device"], rec["finished"], vers])
        return [table]

    def _doc_ref(self, doc: str):
        from sphinx.addnodes import pending_xref

        xref = pending_xref("", refdomain="std", reftype="doc", reftarget=f"/{doc}", refexplicit=False, refwarn=True)
        xref += nodes.inline(doc, doc)
        return xref

    @staticmethod
    def _row(cells):
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=str(cell))
            row += entry
        return row


def setup(app):
    app.connect("builder-inited", _check_mathjax)
    app.connect("build-finished", _copy_mathjax)
    app.add_directive("sgn-runs", RunsDirective)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
