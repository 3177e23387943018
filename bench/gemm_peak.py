#!/usr/bin/env python3
"""The GEMM floor of one MLP-VAE training step: OpenBLAS sgemm (through
torch.mm, the same library GenLab calls) on exactly the shapes of a step's
11 matrix products (4 forward, 7 backward), 1 thread.

/usr/bin/python3 bench/gemm_peak.py --batch 128 [--latent 20 --hidden 400 --pixels 784]
Prints the GEMMs' time per step and GFLOP/s; a step can be no faster than that,
so GEMM time / step time is the fraction of the GEMM peak a step reaches.
"""
import argparse
import json
import time

import torch

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--latent", type=int, default=20)
ap.add_argument("--hidden", type=int, default=400)
ap.add_argument("--pixels", type=int, default=784)
ap.add_argument("--repeats", type=int, default=300)
a = ap.parse_args()
torch.set_num_threads(1)
B, D, H, d = a.batch, a.pixels, a.hidden, a.latent
shapes = [  # (m, k, n): [m x k] @ [k x n]
    (B, D, H), (B, H, 2 * d), (B, d, H), (B, H, D),              # forward
    (D, B, H), (B, D, H), (H, B, d), (B, H, d), (2 * d, B, H),   # backward: gW4 gh3 gW3 gz gW2
    (B, 2 * d, H), (H, B, D)]                                   # gh1 gW1
mats = [(torch.rand(m, k), torch.rand(k, n), torch.empty(m, n)) for m, k, n in shapes]
flop = sum(2 * m * k * n for m, k, n in shapes)
for x, y, out in mats:
    torch.mm(x, y, out=out)
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    for _ in range(a.repeats):
        for x, y, out in mats:
            torch.mm(x, y, out=out)
    best = min(best, (time.perf_counter() - t0) / a.repeats)
print(json.dumps({"event": "result", "batch": B, "gemm_seconds_per_step": best,
                  "gemm_gflops": flop / best / 1e9, "mflop_per_step": flop / 1e6,
                  "peak_images_per_second": B / best}))
