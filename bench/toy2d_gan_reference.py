#!/usr/bin/python3
"""Reference for bench/toy2d_gan_speed.sh: GAN Lab's default GAN in Python PyTorch.

Same settings as `genlab-cli toy2d train --model gan --data 8gaussians --hidden 8 --layers 1
--batch 150 --optimizer sgd --lr-d 0.1 --lr-g 0.03 --d-steps 2 --noise-dim 2`: 2-D Gaussian
noise, one hidden layer of 8 ReLU units in G and D, batch 150, SGD (lr 0.1 for D, 0.03 for G),
the non-saturating log loss, 2 D steps per G step. One iteration = the D steps + one G step.
Prints one JSON line with iterations_per_second (training only, data drawn up front).
Run with Debian's interpreter: /usr/bin/python3 bench/toy2d_gan_reference.py --steps 3000
"""
import argparse, json, math, time

import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=3000)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

# 8 Gaussians on a circle of radius 2, std 0.02 * 2 (the usual toy set), 10 000 points.
n = 10000
k = torch.randint(0, 8, (n,))
ang = k.float() * (2 * math.pi / 8)
data = torch.stack([2 * torch.cos(ang), 2 * torch.sin(ang)], 1) + 0.04 * torch.randn(n, 2)

G = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
D = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
opt_d = torch.optim.SGD(D.parameters(), lr=0.1)
opt_g = torch.optim.SGD(G.parameters(), lr=0.03)
bce = nn.functional.binary_cross_entropy_with_logits
batch = 150
ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

start = time.perf_counter()
for it in range(a.steps):
    for _ in range(2):
        real = data[torch.randint(0, n, (batch,))]
        fake = G(torch.randn(batch, 2)).detach()
        loss_d = bce(D(real), ones) + bce(D(fake), zeros)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
    loss_g = bce(D(G(torch.randn(batch, 2))), ones)  # non-saturating
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
seconds = time.perf_counter() - start
print(json.dumps({"event": "result", "iterations_per_second": a.steps / seconds,
                  "train_seconds": seconds, "loss_d": loss_d.item(), "loss_g": loss_g.item()}))
