"""Speed of the Euler scheme of eq. 3 (`sgnlib.sde.simulate`), in path-steps per second.

Measured in the same run, on each device found (CPU; CUDA when present):

* floor  – the simulator's noise alone (`simulator.draw_increments`: the same
  draws, CMS map and scaling, in the same chunk shape and thread setting);
  the simulator cannot beat it, the goal is >= 50 % of it;
* sde    – `simulate` on a 2-D quadratic basin with a box domain (exit
  bookkeeping on, paths rarely exit so every path runs every step);
* loop   – the same Euler scheme as a per-path Python loop (numpy scalars,
  noise pre-drawn per path: a generous baseline).

Exit times (issue 11), CPU: `simulate` until every path has left (-1, 1) in the
1-D quadratic (α = 1.5, ε = 0.1, dt = 0.01, 2000 paths) against a plain numpy
loop that draws CMS increments only for the live paths; prints both times, their
ratio (goal: simulate ≤ 0.5× the loop) and both mean exit times with standard errors.
`simulate` runs twice: on `sde.quadratic` (its linear Euler recursion solved in
blocks) and on the same U = w²/2 given as a plain `Potential` (energy and gradient
functions only, the gradient two tensor operations: one gradient call per Euler
step, the path every other potential takes).

Usage: python benchmarks/bench_sde.py [--paths 20000] [--steps 2000] [--threads 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from sgnlib import sde, stable
from sgnlib.sde import simulator


def bench_floor(alpha, n_paths, n_steps, N, device, dtype, seed=0):
    """Path-steps per second of the simulator's noise alone: its own draws (`simulator.draw_increments`,
    numpy PCG64 + in-place CMS map on the CPU) in its own chunk shape and thread setting."""
    p = simulator.plan(sde.quadratic(np.ones(N)), np.zeros(N), alpha=alpha, dt=0.01, horizon=n_steps * 0.01,
                       n_paths=n_paths, eps=0.01, device=device, dtype=dtype)
    gen = torch.Generator(device=device).manual_seed(seed)
    with simulator._one_cpu_thread(p.device):
        source = simulator.NoiseSource(gen, p)
        _sync(device)
        t = time.perf_counter()
        k = 0
        while k < n_steps:
            K = min(p.chunk_size(n_paths), n_steps - k)
            simulator.draw_increments(p, source, k, K, n_paths)
            k += K
        _sync(device)
    return n_paths * n_steps / (time.perf_counter() - t)


def bench_sde(alpha, n_paths, n_steps, N, device, dtype, seed=0):
    pot = sde.quadratic(np.linspace(1.0, 2.0, N))
    box = sde.Box([-50.0] * N, [50.0] * N)
    dt = 0.01
    _sync(device)
    t = time.perf_counter()
    r = sde.simulate(pot, np.zeros(N), alpha=alpha, dt=dt, horizon=n_steps * dt, n_paths=n_paths,
                     eps=0.01, domain=box, generator=seed, device=device, dtype=dtype)
    _sync(device)
    el = time.perf_counter() - t
    assert r.n_steps == n_steps
    return n_paths * n_steps / el, float(r.exited.double().mean())


def bench_loop(alpha, n_paths, n_steps, N, seed=0):
    rng = np.random.default_rng(seed)
    h = np.linspace(1.0, 2.0, N)
    dt, eps = 0.01, 0.01
    scale = eps * dt ** (1.0 / alpha)
    t = time.perf_counter()
    for _ in range(n_paths):
        noise = stable.sample(alpha, size=(n_steps, N), rng=rng) * scale
        w = [0.0] * N
        for k in range(n_steps):
            out = False
            for l in range(N):
                w[l] = w[l] - h[l] * w[l] * dt + noise[k, l]
                out = out or not (-50.0 < w[l] < 50.0)
            if out:
                break
    return n_paths * n_steps / (time.perf_counter() - t)


def numpy_exit_loop(alpha, eps, dt, n_paths, half_width=1.0, seed=0):
    """First exit times from (-d, d) of the Euler scheme in U = w²/2, a numpy loop over steps on live paths."""
    rng = np.random.default_rng(seed)
    scale = eps * dt ** (1.0 / alpha)
    w = np.zeros(n_paths)
    live = np.arange(n_paths)
    t_exit = np.empty(n_paths)
    k = 0
    while live.size:
        k += 1
        v = rng.uniform(-np.pi / 2, np.pi / 2, live.size)
        e = rng.exponential(1.0, live.size)
        w = w - w * dt + scale * stable.cms_transform(alpha, v, e)
        out = np.abs(w) >= half_width
        t_exit[live[out]] = k * dt
        live, w = live[~out], w[~out]
    return t_exit


def bench_exit(alpha=1.5, eps=0.1, dt=0.01, n_paths=2000, repeats=3, clock=time.perf_counter, plain=False):
    """Seconds (``clock``: wall or process CPU time) of simulate and of the numpy loop, best of ``repeats``
    (interleaved, so both see the same load), and their mean exit times with standard errors.
    ``plain``: U = w²/2 as a plain Potential (step by step) instead of ``sde.quadratic`` (linear scan)."""
    pot, box = sde.quadratic([1.0]), sde.Box([-1.0], [1.0])
    if plain:  # the gradient (w − W*) · h as sde.quadratic computes it, two tensor operations
        pot = sde.Potential(lambda w: 0.5 * (w * w).sum(-1), lambda w: (w - 0.0) * 1.0, dim=1, minimum=[0.0],
                            name="plain", curvature=1.0)
    ts, tl = [], []
    for rep in range(repeats):
        t = clock()
        r = sde.simulate(pot, [0.0], alpha=alpha, eps=eps, dt=dt, horizon=1e6, n_paths=n_paths, domain=box,
                         generator=rep)
        ts.append(clock() - t)
        t = clock()
        loop = numpy_exit_loop(alpha, eps, dt, n_paths, seed=rep)
        tl.append(clock() - t)
    m_sde, se_sde = sde.empirical_mean_exit_time(r)
    return min(ts), min(tl), (m_sde, se_sde), (loop.mean(), loop.std(ddof=1) / np.sqrt(n_paths))


def _sync(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=20000)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--dim", type=int, default=2)
    ap.add_argument("--alpha", type=float, default=1.5)
    ap.add_argument("--loop-paths", type=int, default=20)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch default)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--exit-only", action="store_true", help="run only the exit-time comparison (issue 11)")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    for plain, how in ((False, "sde.quadratic, linear scan"), (True, "plain Potential, step by step")):
        for clock, what in ((time.perf_counter, "wall"), (time.process_time, "CPU")):
            t_sde, t_loop, (m1, s1), (m2, s2) = bench_exit(clock=clock, plain=plain)
            print(f"exit times ({what} seconds, torch threads={torch.get_num_threads()}), 1-D quadratic ({how}), "
                  f"alpha=1.5 eps=0.1 dt=0.01, 2000 paths: simulate {t_sde:.2f} s, numpy live-path loop "
                  f"{t_loop:.2f} s, simulate/loop = {t_sde / t_loop:.2f} (goal <= 0.5); mean exit time "
                  f"{m1:.1f} ± {s1:.1f} vs {m2:.1f} ± {s2:.1f}")
    if args.exit_only:
        return 0
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"alpha={args.alpha} paths={args.paths} steps={args.steps} N={args.dim} torch threads={torch.get_num_threads()}")
    loop = bench_loop(args.alpha, args.loop_paths, args.steps, args.dim)
    print(f"per-path Python loop ({args.loop_paths} paths): {loop:.3e} path-steps/s")
    for dev in devices:
        for dtype in (torch.float64, torch.float32):
            # warm-up, then best of `repeats` (interleaved so both see the same load)
            bench_floor(args.alpha, min(args.paths, 1000), 64, args.dim, dev, dtype)
            bench_sde(args.alpha, min(args.paths, 1000), 64, args.dim, dev, dtype)
            fl, sd = [], []
            for rep in range(args.repeats):
                fl.append(bench_floor(args.alpha, args.paths, args.steps, args.dim, dev, dtype, seed=rep))
                sd.append(bench_sde(args.alpha, args.paths, args.steps, args.dim, dev, dtype, seed=rep)[0])
            f, s = max(fl), max(sd)
            name = str(dtype).replace("torch.", "")
            print(f"[{dev} {name}] floor (SαS draws only): {f:.3e}/s   sde: {s:.3e} path-steps/s   "
                  f"sde/floor = {s / f:.2f}   sde/loop = {s / loop:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
