import os
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
