"""Speed of the batched escape runs of chapter 07 (`sgnlib.escape.escape_runs`): S seeds in one program vs a per-seed loop.

Both run the same code: the batched program advances all ``S`` continuations together
(stacked weights, batched matrix products); the baseline calls it once per seed
(``replicas=[i]``, S = 1 each time), as a per-seed loop would. The loop is timed on a
subset of seeds and scaled to ``S``. The threshold is set so high that no seed escapes, so
every seed runs the whole horizon (fixed work); the escape iterations of the subset are
checked to be identical in both runs. Prints seed-steps per second and the ratio
(goal of issue 10: ≥ 30× on the CPU at S = 1000), twice: with the full-data loss checked every
``--check-every`` steps (the chapter's setting) and with a single check at the horizon (the
SGD steps alone). The loss check is compute-bound (a forward pass over all ``D`` examples per
seed), so batching it gains little; the steps are overhead-bound per seed and gain most.

Usage: python benchmarks/bench_escape.py [--seeds 1000] [--loop-seeds 20] [--steps 200] [--check-every 10]
       [--batch 4] [--eta 0.05] [--dataset ionosphere] [--threads 1] [--device cpu]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from sgnlib import escape


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--loop-seeds", type=int, default=20)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--check-every", type=int, default=10)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--eta", type=float, default=0.05)
    ap.add_argument("--dataset", default="ionosphere")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads for both runs (0: torch's default)")
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    m = escape.train_to_minimum(a.dataset)
    print(f"{a.dataset}, {m.n_params} parameters, B = {a.batch}, eta = {a.eta}, {a.steps} steps, "
          f"device {a.device}, threads {torch.get_num_threads()}")
    for every in dict.fromkeys([a.check_every, a.steps]):
        bench(m, a, every)


def bench(m, a, check_every: int) -> None:
    """Time the batched program and the per-seed loop at one check interval; print both and their ratio."""
    kw = dict(eta=a.eta, batch_size=a.batch, n_seeds=a.seeds, horizon=a.steps, threshold=1e6,
              check_every=check_every, cache=False, device=a.device)
    escape.escape_runs(m, replicas=[0], **{**kw, "horizon": check_every})  # warm-up
    sync = torch.cuda.synchronize if a.device.startswith("cuda") else (lambda: None)

    t = time.perf_counter()
    batched = escape.escape_runs(m, **kw)
    sync()
    t_batch = time.perf_counter() - t

    subset = np.linspace(0, a.seeds - 1, a.loop_seeds).astype(int)
    t = time.perf_counter()
    loop = [escape.escape_runs(m, replicas=[int(i)], **kw) for i in subset]
    sync()
    t_loop = (time.perf_counter() - t) * a.seeds / len(subset)

    same = all(r.steps[0] == batched.steps[i] and r.escaped[0] == batched.escaped[i] for r, i in zip(loop, subset))
    work = a.seeds * a.steps
    what = "the chapter's loss checks" if check_every < a.steps else "one loss check at the horizon (SGD steps only)"
    print(f"check every {check_every} steps ({what}):")
    print(f"  batched  S = {a.seeds}: {t_batch:8.2f} s  {work / t_batch:12.0f} seed-steps/s")
    print(f"  loop     S = 1 x {a.seeds} (timed on {len(subset)}, scaled): {t_loop:8.2f} s  "
          f"{work / t_loop:12.0f} seed-steps/s")
    ratio = t_loop / t_batch
    print(f"  ratio loop / batched = {ratio:.1f}x  (goal >= 30x: {'ok' if ratio >= 30 else 'MISSED'}); "
          f"subset identical in both: {same}")


if __name__ == "__main__":
    main()
