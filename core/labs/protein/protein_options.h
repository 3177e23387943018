#pragma once
// Options of the Protein lab. Plain, JSON-serialisable, torch-free.
#include <cstdint>
#include <string>

namespace genlab::core::protein {

// The family name that needs no file: a simulated Potts family (protein_session.cpp).
inline constexpr char kPottsDemo[] = "potts-demo";

struct ProteinOptions {
  std::string family;           // alignment file (FASTA/A2M/Stockholm, gzip or not) or kPottsDemo
  int alignment = 1;            // which alignment of a Stockholm file with several (1-based)
  int latentDim = 2;            // 2 draws the map directly; more is projected (PCA)
  int hidden = 256;             // units of each of the two hidden layers, both sides
  int epochs = 30;              // one epoch = as many weighted draws as training sequences
  int batch = 128;
  int pieceRows = 0;            // rows per training piece (worker slice); 0 = from the model size
  double lr = 1e-3;             // Adam
  double theta = 0.2;           // weights count neighbours at identity >= 1 - theta
  double l2 = 1.0;              // weight penalty on the network, divided by Neff
  double heldOutFraction = 0.1; // sequences kept out of training for the ELBO vs PSSM
  double pseudocount = 1.0;     // PSSM
  double maxSequenceGapFraction = 0.5;
  double maxColumnGapFraction = 0.3;
  std::uint64_t seed = 1;
  int threads = 0;              // torch intra-op threads; 0 = library default

  std::string toJson() const;
  static ProteinOptions fromJson(const std::string&);  // throws std::invalid_argument
  void validate() const;                               // throws std::invalid_argument
};

}  // namespace genlab::core::protein
