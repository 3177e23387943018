#pragma once
// The design funnel: sampled sequences pass a chain of viability filters,
// each one switchable with its own threshold, and every stage reports how
// many it removed. Thresholds left unset (NaN) come from the family (its
// 1st-99th percentiles on the training sequences). Torch-free.
#include <limits>
#include <string>
#include <vector>

#include "core/engine/snapshot.h"
#include "core/labs/protein/protein_family.h"

namespace genlab::core::protein {

struct FunnelFilters {
  static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
  bool validOn = true;
  int maxGaps = 0;  // gaps allowed in the match (focus) columns
  bool lengthOn = true;
  double minLength = kUnset, maxLength = kUnset;  // ungapped length
  bool identityOn = true;
  double minIdentity = 0.70, maxIdentity = 0.90;  // to the nearest training sequence
  bool chargeOn = true;
  double minCharge = kUnset, maxCharge = kUnset;
  bool gravyOn = true;
  double minGravy = kUnset, maxGravy = kUnset;
  bool homopolymerOn = true;
  int maxHomopolymer = 6;
  bool motifsOn = true;
  std::vector<std::string> motifs{"N[^P][ST]"};  // ECMAScript regexes on the ungapped sequence
  bool elboOn = true;
  double minElbo = kUnset;  // unset: the 5th percentile of the held-out sequences' ELBO

  // {"identity": {"on": true, "min": 0.7, "max": 0.9}, "motifs": {"on": true,
  //  "patterns": ["N[^P][ST]"]}, ...}; keys left out keep their defaults.
  static FunnelFilters fromJson(const std::string& text);  // throws std::invalid_argument
  std::string toJson() const;
};

struct Design {
  std::string name;
  std::string aligned;  // focus columns
  double elbo = 0;
  double identity = 0;  // to the nearest training sequence
  std::string nearest;
  double charge = 0, gravy = 0;
  int homopolymer = 0;
  int stagesPassed = 0;  // how many of the (switched-on) stages it passed
  std::string removedBy;  // the stage that removed it; "" for a survivor
};

struct FunnelStage {
  std::string name;
  bool on = true;
  std::string threshold;  // as the user reads it, e.g. "[0.70, 0.90]"
  int in = 0, removed = 0;
};

struct FunnelResult : Payload {
  std::vector<FunnelStage> stages;
  std::vector<Design> designs;  // all of them, survivors have removedBy == ""
  int sampled = 0, survivors = 0;
  FunnelFilters filters;  // with the family's thresholds filled in
};

// `elbos[i]` is the ELBO of aligned[i]; `heldOutElbos` sets the default ELBO threshold.
FunnelResult runFunnel(const std::vector<std::string>& aligned, const std::vector<double>& elbos,
                       const Family& family, const std::vector<int>& trainRows,
                       const std::vector<double>& heldOutElbos, FunnelFilters filters);

// Annotated FASTA of the designs (survivors only unless `all`).
std::vector<FastaRecord> designRecords(const FunnelResult& r, bool all);

}  // namespace genlab::core::protein
