#!/usr/bin/env python3
"""Checks behind tests/scale/test_ddp.sh (run with Debian's /usr/bin/python3).

  check_ddp.py SINGLE.log DDP.log SINGLE.pt DDP.pt --arch mlp|conv --latent D

1. The per-step losses (and gradient norms) of the 2-process torchrun run
   match the 1-process run with the same global batch, to a relative TOL
   (GRAD_TOL for the gradient norms).
2. Each written model is what GenLab's File > Open model... expects:
   torch.jit.load works; decode(z [N, D]) -> [N, 1, H, W] (or [N, H*W]),
   finite, in [0, 1]; encode(x) -> (mean, logvar), each [N, D], for x as
   [N, 1, H, W] and as [N, H*W]; forward == decode; FILE.options.json holds
   exactly GenLab's VaeOptions keys; no temporary file is left behind.

Why TOL = 1e-5 (relative, per step). The two runs take the same images and
the same noise at every step, and each rank backpropagates world_size x its
local sum, so DDP's averaged gradient is the one-process gradient; with
W = 2 the scaling is exact, and only the order of float32 summation differs
(a batch of 128 summed as 64 + 64). Measured on this machine (docs/scale.md):
the 2-process run differs from the 1-process run by at most 1.5e-7 in loss
and 3.4e-7 in gradient norm over 94 steps, the same size as the change from
merely running the 1-process run with 2 threads instead of 1 (1.6e-7). A real
fault is far larger: another shuffle (seed 2) moves the loss by 2.3% on
average, and forgetting the x W scaling halves the gradient norm (Adam hides
that in the loss, which is why the gradient norm is compared too). 1e-5
leaves ~30x room for other BLAS builds and stays 3 orders below a fault.

The gradient norm gets GRAD_TOL = 1e-4: a gradient is more sensitive to the
rounding in the parameters than the loss is. The conv VAE on 1024 images hit
a gradient spike at step 8 (norm 43553), where the 2-process gradient norm
differed by 4.6e-6 while the loss differed by 4e-8. The fault it is there to
catch (a missing x W) is a difference of 0.5.
"""
import argparse
import json
import math
import os
import re
import sys

import torch

VAE_OPTION_KEYS = ["data", "architecture", "latent_dim", "hidden", "beta", "kl_warmup_epochs", "lr",
                   "batch", "epochs", "seed", "threads", "max_train_images"]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def read_log(path):
    events = []
    with open(path) as f:
        for line in f:
            line = re.sub(r"^\[[^\]]*\]:", "", line.strip())  # torchrun --tee prefix, e.g. [default0]:
            if line.startswith("{"):
                events.append(json.loads(line))
    return events


def compare_runs(single, ddp, tol, grad_tol):
    def by(events, name):
        return [e for e in events if e["event"] == name]
    for name, ev, world in (("1-process", single, 1), ("2-process", ddp, 2)):
        if len(by(ev, "start")) != 1 or len(by(ev, "result")) != 1:
            fail(f"the {name} log needs one start and one result line "
                 "(only rank 0 may print; a second start line means every rank printed)")
            return
        if by(ev, "result")[0]["world_size"] != world:
            fail(f"the {name} run reports world_size {by(ev, 'result')[0]['world_size']}, not {world}")
    s0, d0 = by(single, "start")[0], by(ddp, "start")[0]
    if s0["global_batch"] != d0["global_batch"] or d0["batch_per_process"] * 2 != d0["global_batch"]:
        fail(f"global batches differ or do not split: {s0['global_batch']} vs {d0['global_batch']} "
             f"({d0['batch_per_process']} per process)")
    a = {e["step"]: e for e in by(single, "progress")}
    b = {e["step"]: e for e in by(ddp, "progress")}
    if not a or sorted(a) != sorted(b):
        fail(f"the runs logged different steps: {len(a)} vs {len(b)}")
        return
    worst = {"loss": (0.0, 0), "grad_norm": (0.0, 0)}
    for k in sorted(a):
        for key in worst:
            x, y = a[k][key], b[k][key]
            rel = abs(x - y) / max(abs(x), 1e-30)
            if not (math.isfinite(x) and math.isfinite(y)):
                fail(f"step {k}: {key} not finite ({x}, {y})")
            if rel > worst[key][0]:
                worst[key] = (rel, k)
    print(f"{'step':>5} {'loss 1 proc':>16} {'loss 2 proc':>16} {'rel diff':>9}")
    steps = sorted(a)
    for k in steps:
        if k == 1 or k % 20 == 0 or k == steps[-1]:
            rel = abs(a[k]["loss"] - b[k]["loss"]) / abs(a[k]["loss"])
            print(f"{k:>5} {a[k]['loss']:>16.8f} {b[k]['loss']:>16.8f} {rel:>9.2e}")
    for key, (rel, k) in worst.items():
        t = tol if key == "loss" else grad_tol
        verdict = "ok" if rel <= t else "TOO FAR"
        print(f"largest relative difference in {key} over {len(steps)} steps: {rel:.3g} at step {k} "
              f"(tolerance {t:g}) {verdict}")
        if rel > t:
            fail(f"{key} of the 2-process run differs from the 1-process run by {rel:.3g} "
                 f"at step {k} (tolerance {t:g})")


def check_model(path, arch, latent, height, width):
    print(f"model {path}:")
    folder = os.path.dirname(os.path.abspath(path))
    leftovers = [n for n in os.listdir(folder) if n.endswith(".tmp")]
    if leftovers:
        fail(f"temporary files left next to the model: {leftovers}")
    opt_path = path + ".options.json"
    if not os.path.exists(path) or not os.path.exists(opt_path):
        fail(f"{path} or {opt_path} was not written")
        return None
    with open(opt_path) as f:
        options = json.load(f)
    if sorted(options) != sorted(VAE_OPTION_KEYS):
        fail(f"{opt_path}: keys {sorted(options)} are not GenLab's VaeOptions keys {sorted(VAE_OPTION_KEYS)}")
    if options.get("architecture") != arch or options.get("latent_dim") != latent:
        fail(f"{opt_path}: architecture/latent_dim {options.get('architecture')}/{options.get('latent_dim')}, "
             f"expected {arch}/{latent}")
    extra = {"genlab_options.json": ""}
    try:
        m = torch.jit.load(path, map_location="cpu", _extra_files=extra)
    except Exception as e:  # noqa: BLE001
        fail(f"torch.jit.load({path}) failed: {e}")
        return None
    if json.loads(extra["genlab_options.json"] or "{}") != options:
        fail("the options stored inside the TorchScript file differ from FILE.options.json")
    for method in ("decode", "encode", "forward"):
        if not hasattr(m, method):
            fail(f"{path} has no method {method}")
            return None
    n = 5
    z = torch.randn(n, latent, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = m.decode(z)
        if not isinstance(out, torch.Tensor):
            fail(f"decode returned {type(out).__name__}, not a tensor")
            return None
        shape_ok = list(out.shape) in ([n, 1, height, width], [n, height * width])
        print(f"  decode(z {list(z.shape)}) -> {list(out.shape)}, min {out.min().item():.4g}, "
              f"max {out.max().item():.4g}, mean {out.mean().item():.4g}")
        if not shape_ok:
            fail(f"decode gave shape {list(out.shape)}, expected [{n}, 1, {height}, {width}] or [{n}, {height * width}]")
        if not torch.isfinite(out).all() or out.min() < 0 or out.max() > 1:
            fail("decode outputs are not finite probabilities in [0, 1]")
        if not torch.equal(m(z), out):
            fail("forward(z) differs from decode(z)")
        x = out.reshape(n, 1, height, width)
        enc4 = m.encode(x)
        enc2 = m.encode(x.reshape(n, -1))
        for name, enc in (("[N, 1, H, W]", enc4), ("[N, H*W]", enc2)):
            if not (isinstance(enc, tuple) and len(enc) == 2
                    and all(isinstance(t, torch.Tensor) and list(t.shape) == [n, latent] for t in enc)):
                fail(f"encode(x {name}) should return (mean, logvar), each [{n}, {latent}]; got {enc!r:.200}")
                return None
        print(f"  encode(x [N, 1, H, W]) and encode(x [N, H*W]) -> mean {list(enc4[0].shape)}, "
              f"logvar {list(enc4[1].shape)}")
        if not (torch.allclose(enc4[0], enc2[0]) and torch.allclose(enc4[1], enc2[1])):
            fail("encode gives different results for [N, 1, H, W] and [N, H*W] inputs")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("single_log")
    ap.add_argument("ddp_log")
    ap.add_argument("single_model")
    ap.add_argument("ddp_model")
    ap.add_argument("--arch", default="mlp")
    ap.add_argument("--latent", type=int, default=2)
    ap.add_argument("--height", type=int, default=28)
    ap.add_argument("--width", type=int, default=28)
    ap.add_argument("--tol", type=float, default=1e-5, help="relative, per-step loss")
    ap.add_argument("--grad-tol", type=float, default=1e-4, help="relative, per-step gradient norm")
    a = ap.parse_args()
    compare_runs(read_log(a.single_log), read_log(a.ddp_log), a.tol, a.grad_tol)
    o1 = check_model(a.single_model, a.arch, a.latent, a.height, a.width)
    o2 = check_model(a.ddp_model, a.arch, a.latent, a.height, a.width)
    if o1 is not None and o2 is not None:
        diff = (o1 - o2).abs().max().item()
        # The parameters agree to float rounding, so do the decoded images; 1e-4
        # (a 1/40 of one 8-bit grey level) is far above rounding, far below a
        # different model.
        print(f"decode on fixed z, 1-process vs 2-process model: max |difference| {diff:.3g} (tolerance 1e-4)")
        if diff > 1e-4:
            fail(f"the 1-process and 2-process models decode differently (max |difference| {diff:.3g})")
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        sys.exit(1)
    print("all checks passed", flush=True)


if __name__ == "__main__":
    main()
