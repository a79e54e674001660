"""Does a chapter's story survive another machine? The glued verdicts and key findings of two executions, compared.

A number is a finding only if it survives what should not matter: another CPU, its kernels, the
thread count, the GPU. Training at the book profile is chaotic (float32 rounding is amplified into
another network), so two executions of a chapter on two machines print other digits; what must not
change is the verdict words. Each book chapter that trains networks (03, 04, 07) is executed a
second time from an empty cache under other CPU kernels (``ATEN_CPU_CAPABILITY=default``) into
``robustness/kernels-default/``; this module reads both executions and says which glued verdict
words and key-finding numbers agree. The runs page shows the count per chapter.

* :func:`glued` — every ``myst_nb.glue`` value of an executed notebook, as its text.
* :func:`key_finding_names` — the glue names the chapter's "Key findings" block cites.
* :func:`compare` — one row per verdict word and key-finding value of the first execution.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sgnlib.report import _WORDS as _report_words

__all__ = ["SECOND_RUNS", "glued", "key_finding_names", "compare", "summary", "second_run"]

#: where the second executions of the book chapters live, relative to the repository root
SECOND_RUNS = Path("robustness") / "kernels-default"

_GLUE_MIME = "application/papermill.record/text/plain"
_WORDS = (*_report_words, "partly")  # report's words, and a claim's "partly" where a chapter glues one


def _read(nb):
    import nbformat

    if isinstance(nb, (str, Path)):
        return nbformat.read(str(nb), as_version=4)
    return nb


def glued(nb) -> dict[str, str]:
    """``{name: text}`` of every value the notebook glued (``myst_nb.glue``), quotes of strings removed."""
    out = {}
    for cell in _read(nb).cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and _GLUE_MIME in o.get("data", {}):
                text = o["data"][_GLUE_MIME]
                out[name] = text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text
    return out


def key_finding_names(nb) -> list[str]:
    """The glue names cited in the chapter's ``Key findings`` admonition, in order of appearance."""
    for cell in _read(nb).cells:
        if cell.cell_type == "markdown" and "Key findings" in cell.source:
            block = cell.source[cell.source.index("Key findings"):]
            block = block[: block.index("```")] if "```" in block else block
            return list(dict.fromkeys(re.findall(r"\{glue:text\}`([^`]+)`", block)))
    return []


def compare(first, second) -> pd.DataFrame:
    """One row per verdict word (a glued ``*_verdict``) and per key-finding value of ``first``.

    Columns ``name, kind`` ("verdict" or "key finding"), ``first``, ``second`` (None where the
    second execution did not glue it) and ``same``.
    """
    a, b = glued(first), glued(second)
    rows = [{"name": k, "kind": "verdict", "first": v, "second": b.get(k)} for k, v in a.items()
            if k.endswith("_verdict") and v in _WORDS]
    seen = {r["name"] for r in rows}
    rows += [{"name": k, "kind": "key finding", "first": a[k], "second": b.get(k)}
             for k in key_finding_names(first) if k in a and k not in seen]
    df = pd.DataFrame(rows, columns=["name", "kind", "first", "second"])
    df["same"] = df["first"] == df["second"]
    return df


def summary(table: pd.DataFrame) -> str:
    """``"10 of 10 verdict words equal"``, or with the changed ones: ``"8 of 10 … (fig_grad: fails → holds; …)"``."""
    v = table[table.kind == "verdict"]
    text = f"{int(v.same.sum())} of {len(v)} verdict words equal"
    moved = v[~v.same]
    if len(moved):
        text += " (" + "; ".join(f"{r.name}: {r.first} → {r.second}" for r in moved.itertuples()) + ")"
    return text


def second_run(book_notebook: str | Path, root: str | Path | None = None) -> Path | None:
    """The second execution of a book chapter (``robustness/kernels-default/<name>``), or None if there is none."""
    book_notebook = Path(book_notebook)
    base = Path(root) if root is not None else book_notebook.resolve().parent.parent
    path = base / SECOND_RUNS / book_notebook.name
    return path if path.is_file() else None

