#!/usr/bin/env bash
# The figures of docs/style-gan.md (issue 13, parts 2 and 3), from the CLI:
#   1. checkerboard energy after GAN training (the default objective):
#      transposed3 vs transposed3-balanced (balance weight 1 and 10) for seeds
#      1-3 (energy every 250 steps, phase imbalance, quality = Frechet distance
#      in the judge's features); energy at initialisation of five choices for
#      seeds 1-3; the same comparison with the reconstruction objective;
#   2. the style generator: training with the mixing regulariser (default
#      P = 0.5; seeds 1, 2) and without it (seed 1), then the mixing table
#      (class follows the coarse / fine source per crossover).
# Each run's JSON lines go to OUT (default /tmp/style-gan-figures); a run
# whose output is already there is not repeated. About an hour on the shared 2 cores.
#
#   bench/style_gan_figures.sh [BUILD_DIR] [OUT] [STEPS] [GAN_STEPS] [CB_GAN_STEPS]
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-/tmp/style-gan-figures}
STEPS=${3:-1500}
GAN_STEPS=${4:-1200}
CB_GAN_STEPS=${5:-1000}
CLI="$BUILD/bin/genlab-cli"
[[ -x "$CLI" ]] || { echo "no $CLI: build genlab-cli first" >&2; exit 2; }
mkdir -p "$OUT"
run() {  # run FILE ARGS...: the command's JSON lines into FILE, once
  local file=$1; shift
  [[ -s "$file" ]] && return 0
  echo "+ genlab-cli $*" >&2
  "$CLI" "$@" > "$file.tmp" && mv "$file.tmp" "$file"
}
for seed in 1 2 3; do
  for up in transposed3 transposed3-balanced; do
    run "$OUT/cbgan_${up}_s${seed}.jsonl" style checkerboard --objective gan --upsample $up \
        --steps "$CB_GAN_STEPS" --seed $seed --eval-every 250 --threads 1 --json
  done
  run "$OUT/cbgan_transposed3-balanced-w10_s${seed}.jsonl" style checkerboard --objective gan \
      --upsample transposed3-balanced --balance-weight 10 --steps "$CB_GAN_STEPS" --seed $seed \
      --eval-every 250 --threads 1 --json
done
for up in transposed4 resize-nearest resize-bilinear icnr; do
  run "$OUT/cb_${up}_s1.jsonl" style checkerboard --objective reconstruction --upsample $up \
      --steps "$STEPS" --seed 1 --eval-every 100 --threads 1 --json
done
for seed in 1 2 3; do
  for up in transposed3 transposed3-balanced; do
    run "$OUT/cb_${up}_s${seed}.jsonl" style checkerboard --objective reconstruction \
        --upsample $up --steps "$STEPS" --seed $seed --eval-every 100 --threads 1 --json
  done
done
for seed in 1 2 3; do  # energy at initialisation only (--steps 0)
  for up in transposed3 transposed4 resize-nearest resize-bilinear icnr; do
    run "$OUT/cb0_${up}_s${seed}.jsonl" style checkerboard --objective gan --upsample $up \
        --steps 0 --seed $seed --threads 1 --json
  done
done
for seed in 1 2; do
  [[ -s "$OUT/gan_s$seed.glm" ]] || run "$OUT/gan_s$seed.log" style train-gan --steps "$GAN_STEPS" \
      --classifier-steps 1500 --seed $seed --mixing 0.5 --threads 1 --out "$OUT/gan_s$seed.glm" --json
  run "$OUT/mix_s$seed.jsonl" style mixing --model "$OUT/gan_s$seed.glm" --pairs 500 --seed 1 \
      --threads 1 --json
done
[[ -s "$OUT/gan0_s1.glm" ]] || run "$OUT/gan0_s1.log" style train-gan --steps "$GAN_STEPS" \
    --classifier-steps 1500 --seed 1 --mixing 0 --threads 1 --out "$OUT/gan0_s1.glm" --json
run "$OUT/mix0_s1.jsonl" style mixing --model "$OUT/gan0_s1.glm" --pairs 500 --seed 1 --threads 1 --json
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def lines(name):
    with open(os.path.join(out, name)) as f:
        return [json.loads(l) for l in f if l.strip().startswith("{")]
def result(name):
    return [l for l in lines(name) if l.get("event") == "result"][-1]
print("GAN objective: checkerboard energy of the generated images every 250 steps "
      "(t3 = transposed3, b1 / b10 = transposed3-balanced, weight 1 / 10; cut = t3 / b):\n")
print("| seed | step | t3 | b1 (cut) | b10 (cut) |")
print("|---|---|---|---|---|")
for s in (1, 2, 3):
    ev = {k: {l["step"]: l["checkerboard_energy"] for l in lines(f"cbgan_{n}_s{s}.jsonl") if l.get("event") == "eval"}
          for k, n in (("t3", "transposed3"), ("b1", "transposed3-balanced"), ("b10", "transposed3-balanced-w10"))}
    for st in sorted(ev["t3"]):
        if st == 0: continue
        a = ev["t3"][st]
        print(f"| {s} | {st} | {a:.4g} | {ev['b1'][st]:.4g} ({a / ev['b1'][st]:.2f}x) | {ev['b10'][st]:.4g} ({a / ev['b10'][st]:.2f}x) |")
print("\nGAN objective, after training:\n")
print("| seed | phase imbalance t3 / b1 / b10 | Frechet distance t3 / b1 (change) / b10 (change) | judge accuracy |")
print("|---|---|---|---|")
for s in (1, 2, 3):
    a, b, c = (result(f"cbgan_{n}_s{s}.jsonl") for n in ("transposed3", "transposed3-balanced", "transposed3-balanced-w10"))
    fa = a["quality_frechet"]
    print(f"| {s} | {a['phase_imbalance']:.3f} / {b['phase_imbalance']:.3f} / {c['phase_imbalance']:.3f} | "
          f"{fa:.1f} / {b['quality_frechet']:.1f} ({100 * (b['quality_frechet'] / fa - 1):+.0f} %) / "
          f"{c['quality_frechet']:.1f} ({100 * (c['quality_frechet'] / fa - 1):+.0f} %) | {a['judge_test_accuracy']:.4f} |")
r = result("cbgan_transposed3_s1.jsonl")
print(f"\nEnergy of the real test digits (the floor): {r['data_checkerboard_energy']:.4g}\n")
print("\nReconstruction objective, the six choices, seed 1:\n")
print("| upsampling | energy at init | energy after | recon energy | residual energy | phase imbalance init -> after | test MSE |")
print("|---|---|---|---|---|---|---|")
for up in ["transposed3", "transposed4", "resize-nearest", "resize-bilinear", "icnr", "transposed3-balanced"]:
    r = result(f"cb_{up}_s1.jsonl")
    print(f"| {up} | {r['init_checkerboard_energy']:.4g} | {r['checkerboard_energy']:.4g} | "
          f"{r['reconstruction_checkerboard_energy']:.4g} | {r['residual_checkerboard_energy']:.4g} | "
          f"{r['init_phase_imbalance']:.3f} -> {r['phase_imbalance']:.3f} | {r['quality_test_mse']:.5f} |")
print("\nReconstruction objective, seeds 1-3:\n")
print("| seed | energy after t3 / t3-balanced | imbalance t3 / t3-balanced | test MSE t3 / t3-balanced (change) | Frechet distance t3 / t3-balanced |")
print("|---|---|---|---|---|")
for s in (1, 2, 3):
    a, b = result(f"cb_transposed3_s{s}.jsonl"), result(f"cb_transposed3-balanced_s{s}.jsonl")
    print(f"| {s} | {a['checkerboard_energy']:.4g} / "
          f"{b['checkerboard_energy']:.4g} ({a['checkerboard_energy'] / b['checkerboard_energy']:.2f}x) | "
          f"{a['phase_imbalance']:.3f} / {b['phase_imbalance']:.4f} | "
          f"{a['quality_test_mse']:.5f} / {b['quality_test_mse']:.5f} "
          f"({100 * (b['quality_test_mse'] / a['quality_test_mse'] - 1):+.1f} %) | "
          f"{a['quality_frechet']:.4g} / {b['quality_frechet']:.4g} |")
print("\nAt initialisation (--steps 0, GAN sampling), checkerboard energy of the generated images:\n")
kinds0 = ["transposed3", "transposed4", "resize-nearest", "resize-bilinear", "icnr"]
print("| seed | " + " | ".join(kinds0) + " | transposed3 / resize-nearest | transposed3 / resize-bilinear |")
print("|---" * (len(kinds0) + 3) + "|")
for s in (1, 2, 3):
    e = {u: result(f"cb0_{u}_s{s}.jsonl")["init_checkerboard_energy"] for u in kinds0}
    print(f"| {s} | " + " | ".join(f"{e[u]:.4g}" for u in kinds0) +
          f" | {e['transposed3'] / e['resize-nearest']:.0f}x | {e['transposed3'] / e['resize-bilinear']:.0f}x |")
print("\nEnergy of generated images during GAN training (seed 1, every 250 steps):\n")
evs = {up: {l["step"]: l for l in lines(f"cbgan_{up}_s1.jsonl") if l.get("event") == "eval"}
       for up in ["transposed3", "transposed3-balanced", "resize-nearest"]}
steps = sorted(evs["transposed3"])
print("| step | " + " | ".join(evs) + " |")
print("|---" * (len(evs) + 1) + "|")
for st in steps:
    print(f"| {st} | " + " | ".join(f"{evs[u][st]['checkerboard_energy']:.4g}" if st in evs[u] else "-" for u in evs) + " |")
for name in ("mix_s1.jsonl", "mix_s2.jsonl", "mix0_s1.jsonl"):
    r = result(name)
    print(f"\nMixing ({name}), psi {r['psi']}: {r['pairs_counted']} of {r['pairs']} pairs counted, classifier "
          f"test accuracy {r['classifier_test_accuracy']:.4f}, generator steps {r['generator_steps']}\n")
    print("| crossover | follows coarse | follows fine | other |")
    print("|---|---|---|---|")
    for row in r["rows"]:
        print(f"| {row['crossover']} | {100 * row['follows_coarse']:.1f} % | {100 * row['follows_fine']:.1f} % | {100 * row['other']:.1f} % |")
PY
