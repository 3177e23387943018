#!/usr/bin/env bash
# The layering rules of docs/architecture.md, checked on the source tree:
#   1. no torch/, ATen/ or c10/ include under ui/ (nor under app/genlab_main.cpp);
#   2. no Qt include under core/;
#   3. no ui/ file includes a core header that includes torch, ATen or c10,
#      directly or through other core headers (such headers are core-internal).
# Exit 1 with the offending lines, else 0.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
fail=0
report() { echo "layering: $1"; shift; printf '  %s\n' "$@"; fail=1; }

torch_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](torch|ATen|c10)/'
qt_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]Q[A-Za-z]'

mapfile -t hits < <(grep -rnE "$torch_re" ui app/genlab_main.cpp || true)
((${#hits[@]} == 0)) || report "torch include under ui/" "${hits[@]}"

mapfile -t hits < <(grep -rnE "$qt_re" core || true)
((${#hits[@]} == 0)) || report "Qt include under core/" "${hits[@]}"

# Core headers that include torch, directly or through another core header.
mapfile -t internal < <(grep -rlE "$torch_re" core --include='*.h' || true)
declare -A seen=()
for h in "${internal[@]}"; do seen[$h]=1; done
grew=1
while ((grew)); do
  grew=0
  for h in "${!seen[@]}"; do
    while IFS= read -r f; do
      [[ -n $f && -z ${seen[$f]:-} ]] || continue
      seen[$f]=1
      grew=1
    done < <(grep -rlF "#include \"$h\"" core --include='*.h' || true)
  done
done
for h in "${!seen[@]}"; do
  mapfile -t hits < <(grep -rnF "#include \"$h\"" ui app/genlab_main.cpp || true)
  ((${#hits[@]} == 0)) || report "ui includes $h, which includes torch" "${hits[@]}"
done

if ((fail)); then exit 1; fi
echo "layering: ui/ has no torch include (direct or through a core header); core/ has no Qt include"
