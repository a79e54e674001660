"""Wall time of `python -m sgnlib precompute` on one process against `torchrun --nproc_per_node N`, same run.

Both compute a chapter's units for a profile into fresh, empty caches (temporary folders); the
script then checks that the two caches hold the same units array by array (the compute time each
unit records aside) and prints both wall times and the speed-up. On a CPU the ranks share the
cores (torchrun sets one OpenMP thread per rank); on a node with N GPUs each rank takes one.

Usage: python benchmarks/bench_precompute.py [--chapter 04] [--profile quick] [--nproc 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sgnlib.precompute import cached_units, differing_units

ROOT = Path(__file__).resolve().parent.parent


def _launch(cmd: list[str], cache: Path) -> float:
    env = dict(os.environ, SGN_CACHE_DIR=str(cache))
    for k in ("SGN_CACHE_LOG", "SGN_CACHE_REQUIRE", "SGN_PRECOMPUTE_FAULT"):
        env.pop(k, None)
    t = time.perf_counter()
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd)} failed:\n{res.stderr[-2000:]}")
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chapter", default="04")
    p.add_argument("--profile", default="quick")
    p.add_argument("--nproc", type=int, default=2)
    a = p.parse_args()
    if a.nproc < 2:
        raise SystemExit(f"error: --nproc must be >= 2; got {a.nproc}")
    base = [sys.executable, "-m", "sgnlib", "precompute", a.chapter, "--profile", a.profile]
    dist = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(a.nproc),
            "-m", "sgnlib", "precompute", a.chapter, "--profile", a.profile]
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        t1 = _launch(base, one)
        tn = _launch(dist, many)
        u1, un = cached_units(one), cached_units(many)
        bad = differing_units(u1, un)
    import torch

    where = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU ({os.cpu_count()} cores)"
    print(f"chapter {a.chapter}, profile {a.profile}, {where}: {len(u1)} units")
    print(f"one process        {t1:8.1f} s")
    print(f"torchrun {a.nproc} ranks   {tn:8.1f} s   speed-up {t1 / tn:.2f}x (ideal {a.nproc}x; start-up included)")
    print("units identical: " + ("yes" if not bad else f"NO ({len(bad)} differ: {bad[:3]})"))


if __name__ == "__main__":
    main()
