#!/usr/bin/env python3
"""Reference run for GenLab's VAE benchmark: the identical MLP VAE in PyTorch.

784-400-(latent) encoder with separate mean and log-variance heads,
(latent)-400-784 decoder, ReLU, sigmoid output, BCE summed over pixels + KL,
Adam lr 1e-3. Data are the same MNIST IDX files, held in memory as float
tensors; each epoch draws a random permutation and slices batches from it
(no DataLoader, so both sides pay only for the model).

Run with Debian's interpreter: /usr/bin/python3 bench/vae_reference.py ...
Prints one JSON line per epoch and a final result line, in the same
vocabulary as genlab-cli.
"""
import argparse
import gzip
import json
import os
import struct
import time

import torch
import torch.nn.functional as F
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"missing {stem} in {folder}")


class VAE(nn.Module):
    def __init__(self, latent, hidden=400, dim=784):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, dim)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode(z), mu, logvar


def loss_terms(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce, kld


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder with MNIST IDX files")
    ap.add_argument("--latent-dim", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after N steps (speed runs)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train = read_idx(find(a.data, "train-images-idx3-ubyte")).reshape(-1, 784).float() / 255
    test = read_idx(find(a.data, "t10k-images-idx3-ubyte")).reshape(-1, 784).float() / 255
    model = VAE(a.latent_dim)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = train.shape[0]
    steps, train_seconds, samples = 0, 0.0, 0
    for epoch in range(1, a.epochs + 1):
        model.train()
        perm = torch.randperm(n)
        xs = train[perm]
        t0 = time.perf_counter()
        for i in range(0, n, a.batch):
            x = xs[i:i + a.batch]
            opt.zero_grad()
            recon, mu, logvar = model(x)
            bce, kld = loss_terms(recon, x, mu, logvar)
            (bce + kld).backward()
            opt.step()
            steps += 1
            samples += x.shape[0]
            if a.max_steps and steps >= a.max_steps:
                break
        train_seconds += time.perf_counter() - t0
        if a.max_steps and steps >= a.max_steps:
            break
        model.eval()
        with torch.no_grad():
            tb = tk = 0.0
            for i in range(0, test.shape[0], 2000):
                x = test[i:i + 2000]
                recon, mu, logvar = model(x)
                b, k = loss_terms(recon, x, mu, logvar)
                tb += b.item()
                tk += k.item()
        m = test.shape[0]
        print(json.dumps({"event": "epoch", "epoch": epoch, "test_elbo": -(tb + tk) / m,
                          "test_recon": tb / m, "test_kl": tk / m,
                          "samples_per_second": samples / train_seconds}), flush=True)
    print(json.dumps({"event": "result", "train_seconds": train_seconds, "steps": steps,
                      "samples_per_second": samples / train_seconds,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
