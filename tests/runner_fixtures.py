"""Small throw-away repositories for the runner's tests: a few tiny chapters, no real experiment."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

HEADER = """\
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""

ECHO = """
# %% tags=["parameters"]
profile = "book"
n = 3
scale = 1.5
device = "auto"

# %%
print(f"n={n} scale={scale} profile={profile} device={device}")
"""

BROKEN = """
# %% tags=["parameters"]
x = 1

# %%
y = x + 1

# %%
raise ValueError(f"bad value {y}")
"""

ALL_PROFILES_EMPTY = "quick: {}\nbook: {}\npaper: {}\n"


def make_repo(root: Path, chapters: dict[str, tuple[str, str]]) -> Path:
    """A repository at ``root`` with ``chapters``: {"NN_slug": (cells after the header, profiles YAML)}."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    nb = root / "notebooks"
    nb.mkdir(exist_ok=True)
    for name, (cells, profiles) in chapters.items():
        (nb / f"{name}.py").write_text(HEADER + textwrap.dedent(cells))
        (nb / f"{name}.yml").write_text(profiles)
    return root


def stdout_of(path: Path) -> str:
    """Everything the code cells of an executed notebook printed."""
    nb = json.loads(path.read_text())
    return "".join(
        "".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
    )
