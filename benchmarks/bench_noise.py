"""Speed of the noise meter (sgnlib.noise.measure_noise) against plain SGD steps and a naive loop.

K noise samples of batch size B on a CIFAR ResNet-20 (synthetic 32×32 images) against, in the same run:

* K plain SGD steps of the same batch size (forward, backward, parameter update) — the goal of
  issue 9 is a per-sample cost ≤ 1.25× an SGD step;
* a naive loop that, per batch, backpropagates into ``.grad``, flattens and copies the whole
  gradient (``torch.cat`` of every ``.grad``) and subtracts it from the flattened full gradient.

The meter's time per sample is taken from its first mini-batch to its last (the full-data gradient,
paid once per measurement, is reported apart, in SGD-step equivalents). Each timing is the best of
``--repeats`` interleaved runs. Run: ``.venv/bin/python benchmarks/bench_noise.py [--width 16]``.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from sgnlib import models, noise
from sgnlib._checks import resolve_device


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def time_sgd(net, ds, idx, lr, device) -> float:
    X, y = ds.tensors
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.0, weight_decay=0.0)
    net.train()
    sync(device)
    t = time.perf_counter()
    for b in idx:
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(X[b]), y[b]).backward()
        opt.step()
    sync(device)
    return (time.perf_counter() - t) / len(idx)


def time_meter(net, ds, K, B, n_coords, device, bn_mode) -> tuple[float, float]:
    """(seconds per noise sample, seconds of the full gradient) of one measure_noise call."""
    marks = []

    def loss(out, target):
        if len(target) == B and not marks:
            sync(device)
            marks.append(time.perf_counter())
        return F.cross_entropy(out, target)

    sync(device)
    t0 = time.perf_counter()
    noise.measure_noise(net, loss, ds, batch_size=B, n_batches=K, n_coords=n_coords, seed=0, device=device,
                        chunk_size=512 if B != 512 else 500, progress=False, bn_mode=bn_mode)
    sync(device)
    t1 = time.perf_counter()
    return (t1 - marks[0]) / K, marks[0] - t0


def time_naive(net, ds, idx, cols, device) -> float:
    X, y = ds.tensors
    params = list(net.parameters())
    net.eval()
    net.zero_grad(set_to_none=True)
    F.cross_entropy(net(X), y).backward()
    full = torch.cat([p.grad.reshape(-1) for p in params])
    rows = []
    sync(device)
    t = time.perf_counter()
    for b in idx:
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net(X[b]), y[b]).backward()
        flat = torch.cat([p.grad.reshape(-1) for p in params])  # the whole gradient, copied
        rows.append((full - flat)[cols])
    sync(device)
    return (time.perf_counter() - t) / len(idx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=8, help="base width of ResNet-20 (16 = He et al.)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--batches", type=int, default=50, help="K, noise samples = SGD steps")
    ap.add_argument("--examples", type=int, default=2048, help="D, size of the synthetic data set")
    ap.add_argument("--coords", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (0 = leave torch's default)")
    ap.add_argument("--device", default="auto")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    device = resolve_device(a.device)
    g = torch.Generator().manual_seed(0)
    ds = TensorDataset(torch.randn(a.examples, 3, 32, 32, generator=g).to(device), torch.randint(0, 100, (a.examples,), generator=g).to(device))
    net = models.build("resnet20", num_classes=100, width=a.width, seed=0).to(device)
    n_params = sum(p.numel() for p in net.parameters())
    idx = noise._batch_indices(a.examples, a.batch, a.batches, False, 0).to(device)
    coords = noise.select_coords(net, "uniform", a.coords, seed=0)
    offsets = dict(zip([n for n, _ in net.named_parameters()], [0, *torch.tensor([p.numel() for p in net.parameters()]).cumsum(0).tolist()]))
    cols = torch.tensor([offsets[n] + int(i) for n, i in zip(coords.param_names, coords.flat_index)], device=device)
    print(f"ResNet-20 width {a.width} ({n_params / 1e6:.3f} M parameters), D = {a.examples}, B = {a.batch}, K = {a.batches}, "
          f"{a.coords} coordinates, device {device}, threads {torch.get_num_threads()}")
    best = {k: float("inf") for k in ("sgd", "meter_eval", "meter_train", "naive", "full")}
    state = {k: v.clone() for k, v in net.state_dict().items()}
    for r in range(a.repeats):
        net.load_state_dict(state)
        best["sgd"] = min(best["sgd"], time_sgd(net, ds, idx, 0.01, device))
        net.load_state_dict(state)
        per, full = time_meter(net, ds, a.batches, a.batch, a.coords, device, "eval")
        best["meter_eval"], best["full"] = min(best["meter_eval"], per), min(best["full"], full)
        best["meter_train"] = min(best["meter_train"], time_meter(net, ds, a.batches, a.batch, a.coords, device, "train")[0])
        best["naive"] = min(best["naive"], time_naive(net, ds, idx, cols, device))
        print(f"  repeat {r + 1}: " + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in best.items()))
    sgd = best["sgd"]
    print(f"\nper sample / step (best of {a.repeats}):")
    print(f"  plain SGD step                 {sgd * 1e3:8.2f} ms")
    print(f"  meter, bn_mode='eval'          {best['meter_eval'] * 1e3:8.2f} ms   ratio to SGD {best['meter_eval'] / sgd:.2f}")
    print(f"  meter, bn_mode='train'         {best['meter_train'] * 1e3:8.2f} ms   ratio to SGD {best['meter_train'] / sgd:.2f}")
    print(f"  naive flatten-and-copy loop    {best['naive'] * 1e3:8.2f} ms   ratio naive / meter(eval) {best['naive'] / best['meter_eval']:.2f}")
    print(f"  full gradient (once)           {best['full'] * 1e3:8.1f} ms = {best['full'] / sgd:.1f} SGD steps")
    print(f"  samples per second (meter)     {1 / best['meter_eval']:8.1f}")
    worst = max(best["meter_eval"], best["meter_train"]) / sgd
    print(f"\ngoal: meter per sample <= 1.25 x SGD step: {worst:.2f} -> {'ok' if worst <= 1.25 else 'MISSED'}")


if __name__ == "__main__":
    main()
