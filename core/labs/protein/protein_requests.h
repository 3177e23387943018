#pragma once
// What the Protein lab asks of its model, as functions: the GUI runs them on
// the engine's worker through its LabClient; the CLI and tests call them
// directly. Torch-free: sessions are opaque, payloads plain.
#include <cstdint>
#include <memory>
#include <string>

#include "core/labs/protein/protein_design.h"
#include "core/labs/protein/protein_options.h"
#include "core/labs/protein/protein_session.h"

namespace genlab::core::protein {

namespace channel {
inline constexpr char kLab[] = "protein";
inline constexpr char kTrain[] = "protein.train";        // the training job: result
inline constexpr char kProgress[] = "protein.progress";  // ... its progress
inline constexpr char kMap[] = "protein.map";            // ... the family map
}  // namespace channel

struct OpenedFamily : Payload {
  std::shared_ptr<ProteinSession> session;
  std::string summary;  // "PF00071 · 999 sequences · 161 focus columns · Neff 312"
  std::shared_ptr<FamilyMap> map;
};

std::string familySummary(const ProteinSession& s);
std::shared_ptr<OpenedFamily> openFamily(const ProteinOptions& options);
std::shared_ptr<OpenedFamily> openModel(const std::string& path);

std::shared_ptr<DecodedSequence> decodePoint(ProteinSession& s, float x, float y);
std::shared_ptr<MutationScan> scanWildtype(ProteinSession& s, const std::string& idOrSequence,
                                           int samples = 64, std::uint64_t seed = 1);
// Samples `n` designs (the prior, or uniformly over `region`: one disc
// around a point, or brush strokes) and runs the funnel.
std::shared_ptr<FunnelResult> designBatch(ProteinSession& s, int n, std::uint64_t seed,
                                          const FunnelFilters& filters, const Region& region = {});
// "position,wt,mut,delta_elbo,delta_pssm" (1-based positions, focus columns).
std::string scanCsv(const MutationScan& scan);

}  // namespace genlab::core::protein
