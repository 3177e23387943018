#pragma once
// The Protein lab's model state behind a torch-free facade: a family (focus
// columns, weights, held-out split, PSSM) and a family VAE. Every method
// except the const accessors runs on the engine's worker thread.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"
#include "core/labs/protein/protein_family.h"
#include "core/labs/protein/protein_options.h"

namespace genlab::core::protein {

// Nats per sequence; elbo = -(recon + kl).
struct ProteinMetrics {
  double elbo = 0;
  double recon = 0;  // E_q[-log p(x|z)]
  double kl = 0;
};

// The family in the latent plane: one point per sequence (training and held out).
struct FamilyMap : Payload {
  int latentDim = 0;
  std::vector<float> xy;          // 2 * n
  std::vector<float> elbo;        // n, single-sample estimate at the map's time
  std::vector<float> weight;      // n
  std::vector<std::uint8_t> heldOut;  // n: 1 when not trained on
  double epochs = 0;
};

// Per-position state probabilities of one decoded point.
struct DecodedSequence : Payload {
  float x = 0, y = 0;
  int length = 0;
  std::vector<float> probs;  // length x kStates
  std::string sequence;      // the most probable state per position
};

// Delta-ELBO of every single mutant of a wild type: NaN where there is no
// score (the wild type's own residue, and positions where it has a gap).
struct MutationScan : Payload {
  std::string wildtypeName;
  std::string wildtype;          // focus columns
  int length = 0;
  std::vector<float> deltaElbo;  // length x kStates (state 0, the gap, stays NaN)
  std::vector<float> deltaPssm;  // the PSSM's log-ratio, same layout
  double wildtypeElbo = 0;
  int samples = 0;
};

// A region of the map plane: a union of discs (brush strokes, or one disc
// around a point). Empty: the whole prior.
struct Disc {
  float x = 0, y = 0, r = 0;
};
using Region = std::vector<Disc>;
// n points (x0, y0, x1, ...) uniform over the union of the region's discs
// (those with a positive, finite radius); empty when there are none. Seeded.
std::vector<float> sampleRegion(const Region& region, int n, std::uint64_t seed);

// The mean ELBO of many rows, accumulated a few rows at a time (see
// ProteinSession::evaluateSome): the worker serves clicks between pieces.
struct EvalPass {
  std::vector<int> rows;
  int samples = 8;
  std::size_t next = 0;
  double reconSum = 0, klSum = 0;
  bool done() const { return next >= rows.size(); }
  ProteinMetrics result() const;  // NaN when there are no rows
};

// The family map, a few rows at a time: each row's latent mean and
// single-sample ELBO; ProteinSession::finishMap projects and assembles it.
struct MapPass {
  std::size_t next = 0, n = 0;
  std::vector<float> mu, elbo;  // n x latentDim, n
  bool done() const { return next >= n; }
};

class ProteinSession {
 public:
  // Reads options.family, builds the family, the split, the PSSM and the model.
  static std::shared_ptr<ProteinSession> create(const ProteinOptions& options);
  ProteinSession(const ProteinOptions& options, Family family,
                 std::map<std::string, std::map<std::string, std::string>> annotations = {});
  ~ProteinSession();
  ProteinSession(const ProteinSession&) = delete;
  ProteinSession& operator=(const ProteinSession&) = delete;

  const ProteinOptions& options() const { return m_options; }
  const Family& family() const { return m_family; }
  const std::vector<double>& weights() const { return m_weights; }
  double neff() const;       // all sequences
  double trainNeff() const;  // training sequences
  const std::vector<int>& trainRows() const { return m_train; }
  const std::vector<int>& heldOutRows() const { return m_heldOut; }
  const Pssm& pssm() const { return m_pssm; }  // fitted on the training rows
  const std::map<std::string, std::map<std::string, std::string>>& annotations() const {
    return m_annotations;
  }
  double weightSeconds() const { return m_weightSeconds; }
  // Of the file the family came from: how many alignments it holds (a
  // Stockholm file may hold several; options().alignment picks one) and the
  // chosen one's `#=GF ID` ("" when none).
  int alignmentsInFile() const { return m_alignmentsInFile; }
  const std::string& alignmentId() const { return m_alignmentId; }

  long stepsPerEpoch() const;
  long globalStep() const;
  double epochsDone() const;
  ProteinMetrics trainStep();  // one Adam step on a weighted mini-batch
  // The same step in pieces, for short worker slices on long families: each
  // call runs the forward and backward pass of a slice of the mini-batch
  // (gradients accumulate), and the call that finishes the batch also takes
  // the Adam step and returns the batch's metrics. The draws are made for the
  // whole batch first, so a step in pieces is the same step as in one.
  std::optional<ProteinMetrics> trainPiece();
  int rowsPerTrainPiece() const;

  // Mean ELBO of `rows` over `samples` draws each (seeded, same draws every call).
  ProteinMetrics evaluate(const std::vector<int>& rows, int samples = 8);
  // The same in pieces: advances `pass` by at most `maxRows` rows. The draws
  // are shared by all rows, so any split gives the same result.
  void evaluateSome(EvalPass& pass, int maxRows);
  // Mean PSSM log-likelihood of `rows`.
  double pssmLogLikelihood(const std::vector<int>& rows) const;
  // Per-sequence ELBO of aligned (focus-column) sequences.
  std::vector<double> elbo(const std::vector<std::string>& aligned, int samples = 8);

  std::shared_ptr<FamilyMap> familyMap();
  // The same in pieces: beginMap, mapSome until done, then finishMap.
  MapPass beginMap() const;
  void mapSome(MapPass& pass, int maxRows);
  std::shared_ptr<FamilyMap> finishMap(MapPass& pass);
  DecodedSequence decode(float x, float y);
  // `n` sequences decoded from z drawn from the prior (radius <= 0) or from a
  // disc of `radius` around (cx, cy) in the map plane, one residue sampled
  // per position. Seeded.
  std::vector<std::string> sample(int n, std::uint64_t seed, float cx = 0, float cy = 0,
                                  float radius = 0);
  // The same, z drawn uniformly over a brushed region (a union of discs;
  // empty: the prior). Seeded.
  std::vector<std::string> sample(int n, std::uint64_t seed, const Region& region);
  // Delta-ELBO scan of `wildtype` (focus-column sequence) with common random
  // numbers: every mutant sees the same `samples` noise draws (seeded).
  MutationScan scan(const std::string& name, const std::string& wildtype, int samples = 64,
                    std::uint64_t seed = 1);
  // A family row by name, or a pasted sequence aligned to the focus columns
  // (its length must be the focus length, or the alignment's match length).
  std::pair<std::string, std::string> resolveWildtype(const std::string& idOrSequence) const;

  void save(const std::string& path) const;
  static std::shared_ptr<ProteinSession> load(const std::string& path);

  struct Impl;

 private:
  void setupModel();
  ProteinOptions m_options;
  Family m_family;
  std::map<std::string, std::map<std::string, std::string>> m_annotations;
  std::vector<double> m_weights;
  std::vector<int> m_train, m_heldOut;
  Pssm m_pssm;
  double m_weightSeconds = 0;
  int m_alignmentsInFile = 1;
  std::string m_alignmentId;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace genlab::core::protein
