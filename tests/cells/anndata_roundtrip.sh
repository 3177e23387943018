#!/usr/bin/env bash
# GenLab's .h5ad against Debian's anndata (python3-anndata 0.8): anndata reads
# a file genlab-cli writes (the simulator's, with categoricals, numeric
# columns and a layer) with the same shape, non-zeros and sum; genlab-cli reads
# a file anndata writes (CSC X, a categorical with a missing value, numeric,
# boolean and string columns, layers/counts). Exits 77 (skipped) without
# python3-anndata, and fails instead under CI=true.
set -euo pipefail
CLI=$1
PY=/usr/bin/python3
if ! "$PY" -c 'import anndata' 2>/dev/null; then
  echo "SKIPPED: python3-anndata is not installed (scripts/setup.sh installs it)" >&2
  [[ -n ${CI:-} && ${CI:-} != 0 && ${CI:-} != false ]] && exit 1
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CLI" cells simulate --regime additive --cells 300 --genes 50 --seed 2 --out "$work/sim.h5ad" --json >/dev/null
ours=$("$CLI" cells info --data "$work/sim.h5ad" --json)
"$PY" - "$work" "$ours" <<'PY'
import json, sys, warnings
warnings.simplefilter("ignore")
import anndata, numpy as np, pandas as pd, scipy.sparse as sp
work, ours = sys.argv[1], json.loads(sys.argv[2])
a = anndata.read_h5ad(f"{work}/sim.h5ad")
assert a.shape == (ours["cells"], ours["genes"]), a.shape
assert a.X.nnz == ours["nonzeros"], (a.X.nnz, ours["nonzeros"])
assert abs(float(a.X.sum()) - ours["sum"]) < 1e-3 * ours["sum"]
assert list(a.obs["condition"].cat.categories) == ["control", "stimulated"]
assert "counterfactual" in a.layers
X = sp.csc_matrix(np.array([[1, 0, 2], [0, 3, 0]], dtype=np.float32))
obs = pd.DataFrame({"group": pd.Categorical(["ctrl", None]), "n": [1.5, 2.0],
                    "flag": [True, False], "s": ["x", "y"]}, index=["a", "b"])
b = anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(index=["g1", "g2", "g3"]))
b.layers["counts"] = sp.csr_matrix(X)
b.write_h5ad(f"{work}/theirs.h5ad")
PY
theirs=$("$CLI" cells info --data "$work/theirs.h5ad" --json)
"$PY" -c '
import json, sys
j = json.loads(sys.argv[1])
assert (j["cells"], j["genes"], j["nonzeros"], j["sum"]) == (2, 3, 3, 6.0), j
assert j["obs_columns"] == ["group", "n", "flag", "s"], j
assert j["layers"] == ["counts"], j
assert "CSC X" in j["source"], j
' "$theirs"
echo "anndata reads GenLab's .h5ad and GenLab reads anndata's"
