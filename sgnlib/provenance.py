"""What ran where: package versions and the device, for the end of each chapter."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

__all__ = ["versions", "show_versions"]

_PACKAGES = ("sgnlib", "numpy", "scipy", "torch", "matplotlib", "scikit-learn")


def versions(packages=_PACKAGES) -> dict[str, str]:
    """Python, platform, device and the versions of ``packages`` (``"not installed"`` if absent)."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    try:
        import torch

        out["device"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover
        out["device"] = "cpu"
    return out


def show_versions(packages=_PACKAGES) -> None:
    """Print :func:`versions` as an aligned two-column table."""
    info = versions(packages)
    width = max(map(len, info))
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
