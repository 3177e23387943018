#pragma once
// A protein family ready for modelling: the alignment's focus columns encoded
// as states, sequence weights, Neff, and the site-independent baseline (PSSM).
// Torch-free, so tests, the CLI and the GUI's payloads can use it cheaply.
//
// States: 0 is the gap ('-', and the rare non-standard letters B, J, O, U, X,
// Z), 1..20 the amino acids "ACDEFGHIKLMNPQRSTVWY". Every position of every
// sequence is one of the 21 states, so the VAE's and the PSSM's likelihoods
// cover the same events and can be compared.
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/msa_reader.h"

namespace genlab::core::protein {

inline constexpr int kStates = 21;
inline constexpr char kAlphabet[] = "-ACDEFGHIKLMNPQRSTVWY";  // state -> letter

int stateOf(char residue);  // upper or lower case; unknown letters and gaps -> 0
inline char letterOf(int state) { return kAlphabet[state]; }

struct FocusOptions {
  double maxSequenceGapFraction = 0.5;  // sequences with more gaps are dropped first
  double maxColumnGapFraction = 0.3;    // focus columns: at most this many gaps
};

struct Family {
  std::vector<std::string> names;
  std::vector<std::string> aligned;  // focus columns only, letters and '-'
  std::vector<std::uint8_t> states;  // n x L, row-major
  std::vector<int> focusColumns;     // indices into the alignment's match columns
  int alignmentColumns = 0;          // match columns before the focus selection
  int droppedSequences = 0;          // for too many gaps
  int n() const { return static_cast<int>(names.size()); }
  int length() const { return static_cast<int>(focusColumns.size()); }
  const std::uint8_t* row(int i) const { return states.data() + std::size_t(i) * length(); }
};

// Drops gappy sequences, then keeps the focus columns. Throws
// std::invalid_argument when nothing is left.
Family makeFamily(const Msa& msa, const FocusOptions& options = {});
// Encodes sequences that are already focus-aligned (e.g. a model's training set).
Family familyFromAligned(std::vector<std::string> names, std::vector<std::string> aligned);

// Identity of b to a: positions where both hold the same amino acid, over
// a's non-gap positions (DeepSequence's definition; not symmetric).
double identity(const std::uint8_t* a, const std::uint8_t* b, int length);

// weight_i = 1 / #{j : identity(i, j) >= threshold} (j = i included).
// Fast: byte-parallel compares of every pair, on `threads` threads (0: all cores).
std::vector<double> sequenceWeights(const Family& f, double threshold = 0.8, int threads = 0);
// The same by the definition, pair by pair (for tests).
std::vector<double> sequenceWeightsBruteForce(const Family& f, double threshold = 0.8);
double neff(const std::vector<double>& weights);

// Site-independent model: per-column state frequencies from weighted counts
// with a pseudocount spread evenly over the 21 states.
struct Pssm {
  int length = 0;
  std::vector<double> logp;  // L x 21
  double logProb(const std::uint8_t* seq) const;
  // log p(mutant) - log p(wild type) for one substitution.
  double delta(int pos, int fromState, int toState) const {
    return logp[std::size_t(pos) * kStates + toState] - logp[std::size_t(pos) * kStates + fromState];
  }
};
Pssm fitPssm(const Family& f, const std::vector<double>& weights,
             const std::vector<int>& rows, double pseudocount = 1.0);

// Sequence properties the design funnel filters on (ignoring gaps).
double netCharge(const std::string& seq);   // K + R - D - E (+0.1 per H)
double gravy(const std::string& seq);       // Kyte-Doolittle mean; NaN when empty
int longestHomopolymer(const std::string& seq);
int ungappedLength(const std::string& seq);
int gapCount(const std::string& seq);

// Spearman rank correlation (average ranks for ties); NaN when undefined.
double spearman(const std::vector<double>& a, const std::vector<double>& b);
// The q-quantile (0..1) of values, linear interpolation; NaN when empty.
double quantile(std::vector<double> values, double q);

}  // namespace genlab::core::protein
