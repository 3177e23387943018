#!/usr/bin/env python3
"""Train GenLab's VAE with PyTorch's own distributed engine (torchrun + DDP).

  torchrun --nproc_per_node N scale/train_ddp.py --options options.json \
      --data data/mnist --out model.pt [--max-train N] [--epochs E]
  python3 scale/train_ddp.py --single ...      # one process, no torch.distributed

The network, loss and optimiser are GenLab's (scale/genlab_vae.py, built from
the same options JSON that GenLab writes). Backend: NCCL with one GPU per
process when CUDA is available, gloo on CPU otherwise.

Global batch: the options' "batch" is the GLOBAL batch. Each of the W
processes takes batch / W images per step (batch must divide evenly), so a
step sees the same images, and makes the same update up to float summation
order, whatever W is. DistributedSampler (shuffle, seed = options' seed,
set_epoch each epoch) gives rank r the positions r, r+W, r+2W, ... of one
permutation; its k-th local batch is therefore positions [k*batch, (k+1)*batch)
of that permutation interleaved across ranks, which is exactly what the
one-process run takes at step k. The reparameterisation noise follows the
same rule: every rank draws the global step's noise from one generator
(seed + 1) and keeps rows r, r+W, ...

Loss: as in GenLab, summed over pixels and images (not averaged). DDP
averages gradients across ranks (allreduce-sum / W), so each rank backpropagates
W times its local sum: the averaged gradient is then the gradient of the
global-batch sum, the one-process gradient. (For W a power of two the scaling
is exact in floating point.)

Rank 0 prints JSON lines in genlab-cli's vocabulary (start, progress, epoch,
result) and writes --out (TorchScript: encode, decode, forward = decode) and
--out.options.json, each atomically (temp file in the same folder, then
rename). GenLab opens the pair with File > Open model... or
`genlab-cli latent decode --model FILE.pt`. See docs/scale.md.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import torch
import torch.distributed as dist
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genlab_vae  # noqa: E402


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def find_idx(folder, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"train_ddp.py: {folder} has no {stem}[.gz] (an MNIST-format IDX folder is needed)")


def emit(obj):
    print(json.dumps(obj), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--options", required=True, help="GenLab VaeOptions JSON (as VaeOptions::toJson writes)")
    ap.add_argument("--data", required=True, help="folder with the MNIST-format IDX files")
    ap.add_argument("--out", required=True, help="TorchScript file to write (plus FILE.options.json)")
    ap.add_argument("--max-train", type=int, default=None,
                    help="train on the first N training images (overrides max_train_images)")
    ap.add_argument("--epochs", type=int, default=None, help="overrides the options' epochs")
    ap.add_argument("--single", action="store_true", help="one process, no torch.distributed")
    ap.add_argument("--log-every", type=int, default=20, help="progress line every N steps")
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    ap.add_argument("--no-eval", action="store_true", help="skip the test-set ELBO after each epoch")
    a = ap.parse_args()
    if a.log_every < 1:
        ap.error("--log-every must be at least 1")

    try:
        o = genlab_vae.load_options(a.options)
        if a.epochs is not None:
            o["epochs"] = a.epochs
        if a.max_train is not None:
            o["max_train_images"] = a.max_train
        genlab_vae.validate_options(o)
    except (OSError, ValueError, TypeError) as e:  # json.JSONDecodeError is a ValueError
        msg = str(e) if str(e).startswith(a.options) else f"{a.options} (with the command line's overrides): {e}"
        raise SystemExit(f"train_ddp.py: {msg}")

    out_dir = os.path.dirname(os.path.abspath(a.out))
    if not os.path.isdir(out_dir) or not os.access(out_dir, os.W_OK):
        # Said now, not after the training.
        raise SystemExit(f"train_ddp.py: cannot write --out {a.out}: {out_dir} is not a writable folder")

    launched = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    distributed = launched and not a.single
    rank = int(os.environ["RANK"]) if distributed else 0
    world = int(os.environ["WORLD_SIZE"]) if distributed else 1
    local_rank = int(os.environ.get("LOCAL_RANK", "0")) if distributed else 0
    if launched and a.single and int(os.environ["WORLD_SIZE"]) > 1:
        raise SystemExit("train_ddp.py: --single under torchrun with more than one process")

    use_cuda = a.device == "cuda" or (a.device == "auto" and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        raise SystemExit("train_ddp.py: --device cuda but torch.cuda.is_available() is false")
    if use_cuda:
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    backend = "nccl" if use_cuda else "gloo"
    threads = o["threads"] if o["threads"] > 0 else 1  # GenLab's default (VaeOptions::kDefaultThreads)
    torch.set_num_threads(threads)

    if o["batch"] % world:
        raise SystemExit(f"train_ddp.py: the global batch {o['batch']} does not split evenly across "
                         f"{world} processes; use a multiple of {world}")
    local_batch = o["batch"] // world
    if distributed:
        dist.init_process_group(backend)

    train_all = read_idx(find_idx(a.data, "train-images-idx3-ubyte"))
    test_u8 = read_idx(find_idx(a.data, "t10k-images-idx3-ubyte"))
    height, width = int(train_all.shape[1]), int(train_all.shape[2])
    n_train = train_all.shape[0] if o["max_train_images"] <= 0 else min(o["max_train_images"], train_all.shape[0])
    # As GenLab: the first N images of the file (VaeSession's toFloatTensor).
    train = train_all[:n_train].reshape(n_train, -1).float().div_(255).to(device)
    test = test_u8.reshape(test_u8.shape[0], -1).float().div_(255).to(device)

    seed = int(o["seed"])
    torch.manual_seed(seed)  # module init, identical on every rank (DDP also broadcasts rank 0's)
    net = genlab_vae.build(o, height, width).to(device)
    step_fn = genlab_vae.VaeLoss(net)
    if distributed:
        step_fn = torch.nn.parallel.DistributedDataParallel(
            step_fn, device_ids=[local_rank] if use_cuda else None)
    opt = torch.optim.Adam(net.parameters(), lr=o["lr"])  # betas (0.9, 0.999), eps 1e-8 as GenLab

    sampler = DistributedSampler(range(n_train), num_replicas=world, rank=rank, shuffle=True,
                                 seed=seed, drop_last=False)
    steps_per_epoch = math.ceil(len(sampler) / local_batch)
    total_steps = steps_per_epoch * o["epochs"]
    noise_gen = torch.Generator().manual_seed(seed + 1)
    latent = o["latent_dim"]

    if rank == 0:
        emit({"event": "start", "lab": "latent", "engine": "torch.distributed" if distributed else "single",
              "backend": backend if distributed else None, "device": str(device), "world_size": world,
              "global_batch": o["batch"], "batch_per_process": local_batch, "threads": threads,
              "options": {k: o[k] for k in genlab_vae.OPTION_DEFAULTS},
              "train_images": n_train, "test_images": int(test.shape[0]),
              "steps_per_epoch": steps_per_epoch, "torch": torch.__version__,
              "provenance": f"IDX from {os.path.abspath(a.data)} (first {n_train} train / {test.shape[0]} test)"})

    def sync():
        if use_cuda:
            torch.cuda.synchronize(device)

    step = 0
    samples = 0
    train_seconds = 0.0
    last = None
    for epoch in range(1, o["epochs"] + 1):
        sampler.set_epoch(epoch - 1)
        order = torch.tensor(list(sampler), dtype=torch.long)
        sync()
        t0 = time.perf_counter()
        for k in range(steps_per_epoch):
            idx = order[k * local_batch:(k + 1) * local_batch]
            x = train[idx.to(device)]
            nb = idx.numel()
            global_nb = nb * world  # every rank holds len(sampler) indices, so equal batches per step
            eps = torch.randn(global_nb, latent, generator=noise_gen)[rank::world].to(device)
            beta = o["beta"]
            if o["kl_warmup_epochs"] > 0:
                beta *= min(1.0, (step / steps_per_epoch) / o["kl_warmup_epochs"])
            opt.zero_grad(set_to_none=True)
            recon, kl = step_fn(x, eps)
            loss = recon + kl if beta == 1.0 else recon + beta * kl
            (loss * world if world > 1 else loss).backward()
            due = step + 1 == 1 or (step + 1) % a.log_every == 0 or k == steps_per_epoch - 1
            if due:
                # After DDP's averaging: the same on every rank, and equal to
                # the one-process gradient (Adam alone would hide a factor W).
                grad_norm = torch.norm(torch.stack([p.grad.norm() for p in net.parameters()])).item()
            opt.step()
            step += 1
            samples += global_nb
            if due:
                sums = torch.stack([recon.detach(), kl.detach()]).double()
                if distributed:
                    dist.all_reduce(sums)
                r, kk = (sums / global_nb).tolist()
                last = {"recon": r, "kl": kk}
                if rank == 0:
                    sync()
                    elapsed = train_seconds + time.perf_counter() - t0
                    emit({"event": "progress", "epoch": epoch, "step": step, "total_steps": total_steps,
                          "beta": beta, "loss": r + beta * kk, "train_elbo": -(r + kk),
                          "train_recon": r, "train_kl": kk, "grad_norm": grad_norm,
                          "samples_per_second": samples / elapsed if elapsed > 0 else 0.0})
        sync()
        train_seconds += time.perf_counter() - t0
        if rank == 0:
            line = {"event": "epoch", "epoch": epoch, "samples_per_second": samples / train_seconds,
                    "elapsed_seconds": train_seconds, "train_elbo": -(last["recon"] + last["kl"]),
                    "train_recon": last["recon"], "train_kl": last["kl"]}
            if not a.no_eval:
                line.update(evaluate(net, test, latent, seed))
            emit(line)

    if rank == 0:
        out = {k: o[k] for k in genlab_vae.OPTION_DEFAULTS}
        genlab_vae.save_for_genlab(net, out, a.out)
        emit({"event": "result", "train_seconds": train_seconds,
              "samples_per_second": samples / train_seconds if train_seconds > 0 else 0.0,
              "steps": step, "epochs": o["epochs"], "world_size": world,
              "model": a.out, "options_file": a.out + ".options.json"})
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


@torch.no_grad()
def evaluate(net, test, latent, seed):
    """Test-set ELBO per image (one z sample per image, generator seed + 7919 as GenLab's)."""
    gen = torch.Generator().manual_seed(seed + 7919)
    loss = genlab_vae.VaeLoss(net)
    rs = ks = 0.0
    for i in range(0, test.shape[0], 2000):
        x = test[i:i + 2000]
        eps = torch.randn(x.shape[0], latent, generator=gen).to(test.device)
        r, k = loss(x, eps)
        rs += r.item()
        ks += k.item()
    n = test.shape[0]
    return {"test_elbo": -(rs + ks) / n, "test_recon": rs / n, "test_kl": ks / n}


if __name__ == "__main__":
    main()
