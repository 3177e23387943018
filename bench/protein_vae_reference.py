#!/usr/bin/env python3
"""Reference run for the Protein lab's speed benchmark: the identical family VAE
in PyTorch (Debian python3-torch, the same LibTorch 1.13).

Encoder L*21 -> h -> h -> [mu | logvar], decoder z -> h -> h -> L*21 logits with
a softmax per position, ReLU; loss = -log p(x|z) + KL + l2/Neff * sum(W^2) over
weight matrices; Adam lr 1e-3; mini-batches drawn with replacement in
proportion to the sequence weights (1 / neighbours at identity >= 1 - theta).
The family must be an aligned FASTA of equal-width upper-case rows without
inserts (e.g. genlab-cli protein simulate-potts output); all columns are used.
Prints a final JSON line in genlab-cli's vocabulary (sequences_per_second counts
training steps only, as genlab-cli does).
Run: /usr/bin/python3 bench/protein_vae_reference.py --family F --epochs N --threads T
"""
import argparse
import json
import time

import torch
from torch import nn

ALPHABET = "-ACDEFGHIKLMNPQRSTVWY"


def read_fasta(path):
    seqs, cur = [], None
    for line in open(path):
        line = line.strip()
        if line.startswith(">"):
            cur = []
            seqs.append(cur)
        elif line:
            cur.append(line)
    return ["".join(s) for s in seqs]


class FamilyVae(nn.Module):
    def __init__(self, inputs, hidden, latent):
        super().__init__()
        self.latent = latent
        self.enc1, self.enc2 = nn.Linear(inputs, hidden), nn.Linear(hidden, hidden)
        self.enc_head = nn.Linear(hidden, 2 * latent)
        self.dec1, self.dec2 = nn.Linear(latent, hidden), nn.Linear(hidden, hidden)
        self.dec_out = nn.Linear(hidden, inputs)

    def encode(self, x):
        out = self.enc_head(torch.relu(self.enc2(torch.relu(self.enc1(x)))))
        return out[:, :self.latent], out[:, self.latent:]

    def decode(self, z):
        return self.dec_out(torch.relu(self.dec2(torch.relu(self.dec1(z)))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", required=True)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--latent-dim", type=int, default=2)
    ap.add_argument("--theta", type=float, default=0.2)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    seqs = read_fasta(a.family)
    idx = {c: i for i, c in enumerate(ALPHABET)}
    states = torch.tensor([[idx.get(c, 0) for c in s] for s in seqs], dtype=torch.long)
    n, L = states.shape
    # Weights by one-hot GEMM (amino acids only), as the lab defines them.
    oh = torch.nn.functional.one_hot(states, 21)[:, :, 1:].reshape(n, -1).float()
    same = oh @ oh.t()
    nongap = oh.sum(1, keepdim=True)
    weights = 1.0 / (same / nongap >= 1 - a.theta).sum(1).float()
    neff = float(weights.sum())
    # The same 90/10 split size as genlab-cli (which rows differ; sizes do not).
    held = round(0.1 * n)
    train = states[held:]
    w = weights[held:]
    model = FamilyVae(L * 21, a.hidden, a.latent_dim)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps_per_epoch = max(1, (train.shape[0] + a.batch - 1) // a.batch)
    train_neff = float(w.sum())
    mats = [p for name, p in model.named_parameters() if "weight" in name]
    t0 = time.perf_counter()
    for _ in range(a.epochs * steps_per_epoch):
        pick = torch.multinomial(w, a.batch, replacement=True)
        x = train[pick]
        mu, logvar = model.encode(torch.nn.functional.one_hot(x, 21).float().view(a.batch, -1))
        z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
        logp = torch.log_softmax(model.decode(z).view(a.batch, L, 21), -1)
        recon = -logp.gather(2, x.unsqueeze(2)).sum() / a.batch
        kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).sum() / a.batch
        loss = recon + kl + a.l2 / max(1.0, train_neff) * sum((p ** 2).sum() for p in mats)
        opt.zero_grad()
        loss.backward()
        opt.step()
        recon.item(), kl.item()
    seconds = time.perf_counter() - t0
    seen = a.epochs * steps_per_epoch * a.batch
    print(json.dumps({"event": "result", "neff": neff, "train_seconds": seconds,
                      "sequences_per_second": seen / seconds if seconds > 0 else None}))


if __name__ == "__main__":
    main()
