"""The book as readers get it: executed records, a warning-free build, and the site in a browser.

Issue "the book's spine": the build runs with ``-W -n --keep-going`` and fails on any
warning; no executed notebook may record an exception; chapter pages must show
typeset equations (MathJax, vendored), loaded figures and citations, with no
request leaving the machine.
"""

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sgnlib.provenance import read_run_metadata

ROOT = Path(__file__).resolve().parent.parent
RECORDS = [
    p
    for folder in (ROOT / "book", ROOT / "tests" / "notebooks")
    for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not p.name.endswith(".failed.ipynb")  # a failed run kept for inspection is no record
]


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_executed_notebook_records_no_exception(path):
    nb = json.loads(path.read_text())
    errors = [
        (i, o.get("ename"), o.get("evalue"))
        for i, c in enumerate(nb["cells"])
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"{path.name} records exceptions: {errors}"
    meta = read_run_metadata(nb)
    assert meta, f"{path.name} was not executed by the chapter runner"
    expected = "book" if path.parent.name == "book" else "quick"
    assert meta["profile"] == expected, f"{path} holds a {meta['profile']!r} run, expected {expected!r}"
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code":
            assert c.get("execution_count") is not None or not c["source"].strip(), f"{path.name}: cell {i} was not executed"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """Build the book strictly (warnings are errors) into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(exe), "build", "book/", "--path-output", str(out), "-W", "-n", "--keep-going"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"strict build failed:\n{log[-6000:]}"
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert not warnings, "build warnings:\n" + "\n".join(warnings)
    return out / "_build" / "html"


@pytest.mark.site
def test_strict_build_has_every_chapter(site):
    toc_chapters = sorted(p.stem for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    for name in toc_chapters:
        assert (site / f"{name}.html").is_file(), name
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax was not vendored into the site"
    runs = (site / "runs.html").read_text()
    for name in toc_chapters:
        assert name in runs, f"runs page lacks {name}"


def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.site
@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true", reason="chromium is not installed (make test installs it)")
def test_chapter_01_in_headless_chromium(site, tmp_path):
    """Equations typeset by the vendored MathJax, figures loaded, citations linked, no request off the machine."""
    assert CHROMIUM, "chromium is missing: install the Debian package 'chromium'"
    from playwright.sync_api import sync_playwright

    page_name = next(p.stem for p in sorted((ROOT / "book").glob("01_*.ipynb")))
    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    requests, failed = [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-quic"],
            )
            ctx = browser.new_context()
            page = ctx.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(f"{base}/{page_name}.html", wait_until="load")
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
            n_math = page.evaluate("() => MathJax.startup.promise.then(() => document.querySelectorAll('mjx-container').length)")
            n_err = page.evaluate("() => document.querySelectorAll('mjx-merror').length")
            images = page.evaluate(
                "() => Array.from(document.querySelectorAll('main img')).map(i => [i.src.slice(0, 60), i.complete && i.naturalWidth > 0])"
            )
            cites = page.evaluate("() => document.querySelectorAll('a[href*=\"bibliography\"]').length")
            captions = page.evaluate("() => document.querySelectorAll('figure figcaption, .figure .caption').length")
            browser.close()
    finally:
        server.shutdown()
    off_machine = [u for u in requests if not (u.startswith(base) or u.startswith(("data:", "blob:", "about:")))]
    assert not off_machine, f"requests left the machine: {off_machine}"
    assert not failed, f"failed requests: {failed}"
    assert n_math >= 5, f"only {n_math} equations typeset"
    assert n_err == 0, f"{n_err} MathJax errors"
    assert len(images) >= 3 and all(ok for _, ok in images), f"figures not loaded: {images}"
    assert captions >= 3, "figures lack captions"
    assert cites >= 1, "no citation links"
