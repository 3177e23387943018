#!/usr/bin/env bash
# Every GenLab benchmark, each against its reference run; prints ratios.
# Needs a build (make build) and MNIST (make data). Quiet machine advised.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/bin
echo "== VAE training throughput vs Python PyTorch (1 torch thread), per OpenBLAS kernel =="
# Parity under one kernel did not hold under another: measure each the CPU can run.
kernels="Prescott"
grep -qw avx2 /proc/cpuinfo && kernels="$kernels Haswell"
KERNELS="$kernels" bench/vae_speed.sh
echo
echo "== Decode latency while the VAE trains (engine request -> reply) =="
"$B/genlab-bench-decode" mnist 15
echo
if [[ -x "$B/genlab-bench-gui-stall" ]]; then
  echo "== Longest GUI event-loop stall while the VAE trains =="
  xvfb-run -a -s "-screen 0 1920x1200x24" "$B/genlab-bench-gui-stall" latent mnist 20 2>/dev/null
  echo
fi
if [[ -x "$B/genlab-bench-gui-stall" ]]; then
  # Run all: FBP, SIRT, TV, and the score prior when $GENLAB_CT_PRIOR names one.
  echo "== Longest GUI event-loop stall while the CT lab reconstructs (8 VTK viewers live) =="
  xvfb-run -a -s "-screen 0 1920x1200x24" "$B/genlab-bench-gui-stall" ct ellipses 25 2>/dev/null
  echo
fi
if [[ -x "$B/genlab-bench-toy2d-gui" ]]; then
  echo "== 2-D lab: GUI training speed and view refreshes (GAN Lab preset) =="
  xvfb-run -a -s "-screen 0 1920x1200x24" "$B/genlab-bench-toy2d-gui" ganlab 10 2>/dev/null
  echo
fi
if [[ -x "$B/genlab-bench-cells-map" ]]; then
  echo "== Cells lab: map frame time at 100 000 cells while the VAE trains =="
  xvfb-run -a -s "-screen 0 1600x1000x24" "$B/genlab-bench-cells-map" 100000 30 2>/dev/null
  echo
fi
for extra in bench/toy2d_gan_speed.sh bench/toy2d_quality.sh bench/ct_radon_bench.sh bench/cells_speed.sh bench/protein_speed.sh; do
  if [[ -x "$extra" ]]; then
    echo "== $extra =="
    "$extra"
    echo
  fi
done
