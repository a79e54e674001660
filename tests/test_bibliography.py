"""The bibliography (``book/references.bib``) as the book's readers meet it (issue 12).

Every entry parses, no key is defined twice, every DOI and arXiv identifier has the syntax of one
(so the rendered bibliography links to a real record: ``doi`` → https://doi.org/…, ``eprint`` →
https://arxiv.org/abs/…, as pybtex's plain style renders them), every key cited in a chapter or a
page of the book is defined, and in the strict build of the session (the ``site`` fixture of
``conftest.py``, or ``$SGN_SITE``) each cited entry with a DOI or an arXiv number is rendered as a link to it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIB = ROOT / "book" / "references.bib"

#: DOI syntax (Crossref's recommendation for modern DOIs): the prefix 10.NNNN… and a non-empty suffix.
DOI_RE = re.compile(r"10\.\d{4,9}/\S+")
#: arXiv identifiers: new style YYMM.NNNN(N) (2007 on), old style archive(.SUBJ)/YYMMNNN; optional version.
ARXIV_NEW_RE = re.compile(r"\d{2}(0[1-9]|1[0-2])\.\d{4,5}(v\d+)?")
ARXIV_OLD_RE = re.compile(r"[a-z]+(-[a-z]+)*(\.[A-Z]{2})?/\d{2}(0[1-9]|1[0-2])\d{3}(v\d+)?")
#: A citation role of MyST / sphinxcontrib-bibtex: {cite}`a,b`, {cite:t}`a`, {cite:p}`a`, ...
CITE_RE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")


def is_doi(value: str) -> bool:
    """A bare DOI (no ``doi:`` or resolver prefix), as the ``doi`` field must hold it."""
    return DOI_RE.fullmatch(value) is not None


def is_arxiv_id(value: str) -> bool:
    """A new-style (``2303.02749``: 4-digit numbers from 0704 to 1412, 5-digit from 1501 on) or old-style
    (``math/0409246``) arXiv identifier."""
    m = ARXIV_NEW_RE.fullmatch(value)
    if m:
        yymm, number = value.split(".")[0], value.split(".")[1].split("v")[0]
        return len(number) == (5 if yymm >= "1501" else 4) and yymm >= "0704"
    return ARXIV_OLD_RE.fullmatch(value) is not None


def entries() -> dict:
    from pybtex.database import parse_file

    return parse_file(str(BIB), bib_format="bibtex").entries


def cited_keys() -> dict[str, set[str]]:
    """Every key cited by a chapter source or a page of the book: {key: {files citing it}}."""
    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")) + sorted((ROOT / "book").glob("*.md"))
    found: dict[str, set[str]] = {}
    for path in sources:
        for m in CITE_RE.finditer(path.read_text()):
            for key in m.group(1).split(","):
                if key.strip():
                    found.setdefault(key.strip(), set()).add(path.name)
    return found


def fields(entry) -> dict[str, str]:
    return {k.lower(): str(v) for k, v in entry.fields.items()}


def test_identifier_syntax_checks_reject_malformed_identifiers():
    """The DOI and arXiv syntax checks accept real identifiers and reject what a typo or a pasted URL gives."""
    assert is_doi("10.1214/aoms/1177729586") and is_doi("10.1016/S0031-8914(40)90098-2")
    for bad in ("10.1214", "10.12/abc", "doi:10.1214/aoms/1177729586", "https://doi.org/10.1214/x", "10.1214/ x"):
        assert not is_doi(bad), bad
    assert is_arxiv_id("2303.02749") and is_arxiv_id("1501.03264v2") and is_arxiv_id("math/0409246")
    assert is_arxiv_id("cond-mat/0306601") and is_arxiv_id("math.PR/0409246")
    for bad in ("2303.2749", "1203.02749", "2313.02749", "arXiv:2303.02749", "2303.027491", "math/04092"):
        assert not is_arxiv_id(bad), bad


def test_every_entry_parses_and_no_key_is_defined_twice():
    """pybtex reads every ``@entry`` of the file, and each key (case-insensitively, as BibTeX compares them)
    is defined once."""
    text = BIB.read_text()
    keys = re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.M)
    assert len(keys) == len(re.findall(r"^\s*@", text, flags=re.M)), "an entry has no key"
    folded = [k.lower() for k in keys]
    dupes = sorted({k for k in folded if folded.count(k) > 1})
    assert not dupes, f"keys defined more than once: {dupes}"
    assert len(entries()) == len(keys), f"pybtex read {len(entries())} of {len(keys)} entries"


def test_dois_have_the_doi_syntax():
    """Every ``doi`` field is a bare DOI, 10.NNNN/suffix (the rendered link is https://doi.org/ + the field)."""
    bad = {key: f["doi"] for key, e in entries().items() if "doi" in (f := fields(e)) and not is_doi(f["doi"])}
    assert not bad, f"malformed DOIs: {bad}"


def test_arxiv_identifiers_have_the_arxiv_syntax():
    """Every ``eprint`` is a new- or old-style arXiv identifier with ``archiveprefix = {arXiv}``; an arXiv URL
    or an 'arXiv:NNNN' in the journal field names the same identifier as the eprint."""
    bad = {}
    for key, e in entries().items():
        f = fields(e)
        if "eprint" in f:
            if not is_arxiv_id(f["eprint"]) or f.get("archiveprefix", "").lower() != "arxiv":
                bad[key] = (f["eprint"], f.get("archiveprefix"))
        for where in ("url", "journal", "note", "howpublished"):
            for m in re.finditer(r"arxiv(?:\.org/abs/|:)\s*([^\s;,}]+)", f.get(where, ""), flags=re.I):
                ident = m.group(1).rstrip(".")
                if not is_arxiv_id(ident) or ("eprint" in f and ident != f["eprint"]):
                    bad[key] = (where, ident, f.get("eprint"))
    assert not bad, f"malformed or inconsistent arXiv identifiers: {bad}"


def test_every_cited_key_is_in_the_bibliography():
    """Every key of a ``{cite}`` role in a chapter source (notebooks/NN_*.py) or a page (book/*.md) is an entry
    of book/references.bib."""
    cited = cited_keys()
    assert cited, "found no citation at all: the citation pattern is wrong"
    known = {k.lower() for k in entries()}
    missing = {k: sorted(v) for k, v in cited.items() if k.lower() not in known}
    assert not missing, f"cited but not in references.bib: {missing}"


@pytest.mark.site
def test_cited_identifiers_render_as_links(site):
    """In the strictly built site's bibliography page (the session's build, or ``$SGN_SITE``), each cited entry with
    a DOI links to https://doi.org/<doi> and each with an arXiv eprint to https://arxiv.org/abs/<id>."""
    page = site / "bibliography.html"
    assert page.is_file(), f"the built site has no bibliography page: {page}"
    hrefs = {html.unescape(h) for h in re.findall(r'<a[^>]+href="([^"]+)"', page.read_text())}
    cited = {k.lower() for k in cited_keys()}
    missing = []
    for key, e in entries().items():
        if key.lower() not in cited:
            continue  # the bibliography directive lists only cited entries
        f = fields(e)
        if "doi" in f and f"https://doi.org/{f['doi']}" not in hrefs:
            missing.append(f"{key}: https://doi.org/{f['doi']}")
        if "eprint" in f and f"https://arxiv.org/abs/{f['eprint']}" not in hrefs:
            missing.append(f"{key}: https://arxiv.org/abs/{f['eprint']}")
    assert not missing, "identifiers not rendered as links:\n" + "\n".join(missing)
