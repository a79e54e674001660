"""The test suite's pytest plugin, loaded with ``-p sgn_pytest_plugin`` from pyproject's ``addopts``.

* nbval re-executes the quick references in lax mode with this environment's kernel
  (what ``--nbval-lax --nbval-current-env`` would ask), so ``pytest`` alone runs them and
  ``pytest -p no:nbval`` switches nbval off without an "unrecognized arguments" error.
* Files a failed or interrupted chapter run leaves (``NN_slug.failed.ipynb``, hidden
  ``.*.tmp`` files) are never collected.
"""

from __future__ import annotations

from pathlib import Path


def pytest_configure(config) -> None:
    if config.pluginmanager.hasplugin("nbval"):
        if not config.option.nbval:
            config.option.nbval_lax = True
        if not config.option.nbval_kernel_name:
            config.option.nbval_current_env = True


def never_collected(path: Path) -> bool:
    """Whether ``path`` is a failed notebook or a temporary file of the runner or the cache."""
    name = Path(path).name
    return name.endswith(".failed.ipynb") or (name.startswith(".") and name.endswith(".tmp"))


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    return True if never_collected(collection_path) else None
