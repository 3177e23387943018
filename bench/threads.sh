#!/usr/bin/env bash
# 1 vs 2 torch intra-op threads for each lab's models, the measurement behind
# each lab's default (VaeOptions / Toy2dOptions / PriorOptions::kDefaultThreads).
# Quiet machine advised; each run is short and the pairs alternate.
#   bench/threads.sh [repeats=2]
set -euo pipefail
cd "$(dirname "$0")/.."
R=${1:-2}
CLI=build/bin/genlab-cli
export GENLAB_DATA_DIR=${GENLAB_DATA_DIR:-$PWD/data}
field() { sed -n "s/.*\"$1\": *\([-0-9.e]*\).*/\1/p" | tail -1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate() {  # lab, threads -> a rate (higher is faster)
  case $1 in
    latent) $CLI latent train --data mnist --epochs 1 --max-train 20000 --batch 128 \
              --latent-dim 20 --seed 1 --threads "$2" --json | tail -1 | field samples_per_second ;;
    toy2d)  $CLI toy2d train --model flow --data moons --steps 3000 --seed 1 --threads "$2" \
              --json | tail -1 | field iterations_per_second ;;
    ct-prior)
      line=$($CLI ct train-prior --data ellipses --size 128 --steps 40 --seed 1 --threads "$2" \
               --out "$tmp/p.glm" --json | tail -1)
      awk -v s="$(field steps <<<"$line")" -v t="$(field seconds <<<"$line")" 'BEGIN{printf "%.3f", s/t}' ;;
  esac
}
printf '%-9s %-12s %12s %12s %7s\n' lab unit 1_thread 2_threads 2_vs_1
for lab in latent toy2d ct-prior; do
  unit=images/s; [[ $lab == toy2d ]] && unit=iters/s; [[ $lab == ct-prior ]] && unit=steps/s
  one=(); two=()
  for _ in $(seq "$R"); do one+=("$(rate $lab 1)"); two+=("$(rate $lab 2)"); done
  a=$(printf '%s\n' "${one[@]}" | sort -g | tail -1); b=$(printf '%s\n' "${two[@]}" | sort -g | tail -1)
  printf '%-9s %-12s %12s %12s %7.2f\n' "$lab" "$unit" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print b/a}')"
done
