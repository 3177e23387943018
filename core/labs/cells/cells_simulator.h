#pragma once
// A single-cell simulator with a known truth (torch-free): negative-binomial
// counts for several cell types, each with its own gene programs, and a
// perturbation in one of two regimes:
//   additive  - the same log fold change on the same genes in every type;
//   shift     - a shift of a low-dimensional cell state, turned into
//               expression by a fixed nonlinear map, so every type responds
//               differently.
// Every cell also gets its counterfactual: the counts it would have had in
// the other condition (same state, same library size, fresh NB noise), kept
// as layers/counterfactual, so the true response of any group is known.
#include <cstdint>
#include <string>

#include "core/data/cell_data.h"

namespace genlab::core::cells {

enum class Regime { Additive, Shift };
Regime parseRegime(const std::string& s);  // "additive" | "shift"
const char* regimeName(Regime r);

struct SimOptions {
  Regime regime = Regime::Shift;
  int cells = 6000;
  int genes = 1000;
  int types = 5;
  int stateDim = 2;           // the latent cell state
  int deGenes = 100;          // additive regime: genes with a fold change
  double effect = 1.2;        // additive: |log fold change|; shift: length of the state shift
  double dispersion = 0.2;    // NB: var = mu + dispersion * mu^2
  double meanLibrary = 3000;  // expected counts per cell
  // Geometry of the cell state: type means on a circle of this radius, each
  // cell's state around its type mean with this s.d.; `coupling` scales how
  // sharply the nonlinear map (tanh units) bends with the state.
  // The types' state distributions overlap, so the held-out type's shifted
  // state lies where training cells are: its response can be learned, yet
  // each type sits on a different part of the nonlinear map (docs/cells.md).
  double typeRadius = 1.0;
  double stateSd = 0.6;
  double coupling = 1.5;
  std::uint64_t seed = 1;
  bool counterfactual = true;  // also draw layers/counterfactual (twice the work)
};

// obs: cell_type (type0..), condition (control / stimulated), state_0.. ;
// var: program (the type whose markers it carries, or "shared").
// X = layers["counts"] = counts; layers["counterfactual"] as above.
CellData simulateCells(const SimOptions& o);

// The keys of simulated data (what `sim-*` carries).
inline constexpr char kSimConditionKey[] = "condition";
inline constexpr char kSimControl[] = "control";
inline constexpr char kSimTreated[] = "stimulated";
inline constexpr char kSimTypeKey[] = "cell_type";
inline constexpr char kSimHoldout[] = "type0";

}  // namespace genlab::core::cells
