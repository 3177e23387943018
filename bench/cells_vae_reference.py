#!/usr/bin/env python3
"""Reference run for the Cells lab's speed benchmark: the identical VAE in
PyTorch (Debian python3-torch, the same LibTorch 1.13).

Encoder G -> 256 -> 256 -> (mu, logvar) of 10, decoder 10 -> 256 -> 256 -> G,
leaky ReLU (0.2), logvar clamped to [-10, 10]; loss = 0.5 * sum of squared
errors per cell + beta * KL, averaged over the batch; Adam lr 1e-3; batch 128,
cells drawn in a shuffled order each epoch. The data is the same shape as
genlab-cli's (cells x genes, float32, values like log-normalised expression):
throughput does not depend on the values, and this keeps h5py out of it.
Prints a final JSON line in genlab-cli's vocabulary: cells_per_second counts
training steps only, as genlab-cli does.
Run: /usr/bin/python3 bench/cells_vae_reference.py --cells N --genes G --epochs E --threads T
"""
import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F


class CellsVae(nn.Module):
    def __init__(self, genes, hidden, latent):
        super().__init__()
        self.e1, self.e2 = nn.Linear(genes, hidden), nn.Linear(hidden, hidden)
        self.mu, self.logvar = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.d1, self.d2 = nn.Linear(latent, hidden), nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, genes)

    def forward(self, x):
        h = F.leaky_relu(self.e2(F.leaky_relu(self.e1(x), 0.2)), 0.2)
        mu, logvar = self.mu(h), self.logvar(h).clamp(-10, 10)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        xr = self.out(F.leaky_relu(self.d2(F.leaky_relu(self.d1(z), 0.2)), 0.2))
        return xr, mu, logvar


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=100000)
    ap.add_argument("--genes", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--beta", type=float, default=0.05)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = torch.log1p(torch.poisson(torch.rand(a.cells, a.genes) * 2.0))
    model = CellsVae(a.genes, 256, 10)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = 0
    train_seconds = 0.0
    for _ in range(a.epochs):
        order = torch.randperm(a.cells)
        for i in range(0, a.cells, a.batch):
            t0 = time.perf_counter()
            xb = x[order[i:i + a.batch]]
            xr, mu, logvar = model(xb)
            recon = 0.5 * (xr - xb).pow(2).sum(1).mean()
            kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean()
            loss = recon + a.beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
            train_seconds += time.perf_counter() - t0
            steps += xb.shape[0]
    print(json.dumps({"event": "result", "cells_per_second": steps / train_seconds,
                      "train_seconds": train_seconds, "cells": a.cells, "genes": a.genes}))


if __name__ == "__main__":
    main()
