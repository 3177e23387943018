#!/usr/bin/env bash
# Where one epoch of VAE training spends its CPU time, GenLab against the
# identical model in Debian's Python PyTorch (bench/vae_reference.py): the
# share of `perf record` samples in the symbols issue 16's profile named
# (GEMM kernel, GEMM beta/zeroing, page faults, scalar log1pf/expf,
# OpenBLAS's sched_yield). Same data, batch, threads; OPENBLAS_CORETYPE as
# the caller sets it (leave it unset for OpenBLAS's own choice).
#
#   bench/perf_profile.sh [BATCH] [THREADS]        needs perf (linux-perf) and
#                                                 perf_event_paranoid <= 2 or root
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-128}
T=${2:-1}
CLI=build/bin/genlab-cli
PY=/usr/bin/python3
DATA=${DATA:-data/mnist}
command -v perf >/dev/null || { echo "perf missing (apt install linux-perf)" >&2; exit 1; }
[[ -x $CLI ]] || { echo "build first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
perf record -q -F 999 -o "$work/genlab.data" -- env GENLAB_DATA_DIR="$(dirname "$DATA")" \
  $CLI latent train --data mnist --latent-dim 20 --epochs 1 --batch "$B" --threads "$T" --seed 1 --json \
  > /dev/null 2> "$work/genlab.err"
perf record -q -F 999 -o "$work/python.data" -- $PY bench/vae_reference.py --data "$DATA" \
  --latent-dim 20 --epochs 1 --batch "$B" --threads "$T" --seed 1 > /dev/null 2> "$work/python.err"
# Share of samples per symbol (children not folded in: self time).
shares() {
  perf report -q -i "$1" --no-children --sort symbol --percent-limit 0 --stdio 2>/dev/null |
    awk '$2 ~ /^\[/ {gsub("%","",$1); p[$3]+=$1} END {for (s in p) print s, p[s]}'
}
shares "$work/genlab.data" > "$work/g.txt"
shares "$work/python.data" > "$work/p.txt"
sum() {  # file, regex: total share of the symbols matching
  awk -v re="$2" '$1 ~ re {t += $2} END {printf "%.1f %%", t}' "$1"
}
echo "perf record, one epoch of MNIST, batch $B, $T torch thread(s), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-44s | %9s | %9s |\n' "symbols (self time)" GenLab Python
printf '|%s|%s|%s|\n' "----------------------------------------------" "-----------" "-----------"
row() { printf '| %-44s | %9s | %9s |\n' "$1" "$(sum "$work/g.txt" "$2")" "$(sum "$work/p.txt" "$2")"; }
row "sgemm_kernel (GEMM)" '^sgemm_kernel'
row "sgemm_beta (zeroing or scaling C)" '^sgemm_beta'
row "page faults (clear_page*, *page_fault*)" 'clear_page|page_fault|do_anonymous_page|handle_mm_fault'
row "scalar log1pf / expf (libm)" '^(__)?(log1pf|expf)(_fma)?$'
row "vectorised log1pf / expf (SLEEF)" '^Sleef_.*(log1p|exp)f'
row "sched_yield (OpenBLAS's spinning threads)" 'sched_yield'
row "scheduler (context switches: other load)" '^(finish_task_switch|__schedule)'
echo "top 8 symbols, GenLab:"; sort -k2 -g -r "$work/g.txt" | head -8 | awk '{printf "  %6.2f %%  %s\n", $2, $1}'
echo "top 8 symbols, Python:"; sort -k2 -g -r "$work/p.txt" | head -8 | awk '{printf "  %6.2f %%  %s\n", $2, $1}'
