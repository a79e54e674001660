import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Caches inside the work tree, never in $HOME (the Makefile sets the same).
for var, sub in {
    "IPYTHONDIR": "ipython",
    "JUPYTER_CONFIG_DIR": "jupyter/config",
    "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
    "MPLCONFIGDIR": "matplotlib",
}.items():
    os.environ.setdefault(var, str(ROOT / ".cache" / sub))
    Path(os.environ[var]).mkdir(parents=True, exist_ok=True)
os.environ.pop("MPLBACKEND", None)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """Build the book strictly (warnings are errors) into a temporary folder (or use ``$SGN_SITE``)."""
    if os.environ.get("SGN_SITE"):
        return Path(os.environ["SGN_SITE"])
    out = tmp_path_factory.mktemp("site")
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(exe), "build", "book/", "--path-output", str(out), "-W", "-n", "--keep-going"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"strict build failed:\n{log[-6000:]}"
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert not warnings, "build warnings:\n" + "\n".join(warnings)
    return out / "_build" / "html"
