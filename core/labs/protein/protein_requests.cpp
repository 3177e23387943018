#include "core/labs/protein/protein_requests.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace genlab::core::protein {

std::string familySummary(const ProteinSession& s) {
  char buf[256];
  const auto& f = s.family();
  std::snprintf(buf, sizeof buf,
                "%d sequences (%d dropped for gaps) · %d focus of %d columns · Neff %.1f at "
                "theta %.2f · %zu held out",
                f.n(), f.droppedSequences, f.length(), f.alignmentColumns, s.neff(),
                s.options().theta, s.heldOutRows().size());
  std::string out = buf;
  // A Stockholm file with several alignments: say which one this is.
  if (s.alignmentsInFile() > 1)
    out += " · alignment " + std::to_string(s.options().alignment) + " of " +
           std::to_string(s.alignmentsInFile()) +
           (s.alignmentId().empty() ? std::string() : " (" + s.alignmentId() + ")");
  return out;
}

std::shared_ptr<OpenedFamily> openFamily(const ProteinOptions& options) {
  auto out = std::make_shared<OpenedFamily>();
  out->session = ProteinSession::create(options);
  out->summary = familySummary(*out->session);
  out->map = out->session->familyMap();
  return out;
}

std::shared_ptr<OpenedFamily> openModel(const std::string& path) {
  auto out = std::make_shared<OpenedFamily>();
  out->session = ProteinSession::load(path);
  out->summary = familySummary(*out->session);
  out->map = out->session->familyMap();
  return out;
}

std::shared_ptr<DecodedSequence> decodePoint(ProteinSession& s, float x, float y) {
  return std::make_shared<DecodedSequence>(s.decode(x, y));
}

std::shared_ptr<MutationScan> scanWildtype(ProteinSession& s, const std::string& idOrSequence,
                                           int samples, std::uint64_t seed) {
  const auto [name, wt] = s.resolveWildtype(idOrSequence);
  return std::make_shared<MutationScan>(s.scan(name, wt, samples, seed));
}

std::shared_ptr<FunnelResult> designBatch(ProteinSession& s, int n, std::uint64_t seed,
                                          const FunnelFilters& filters, const Region& region) {
  const auto seqs = s.sample(n, seed, region);
  const auto elbos = s.elbo(seqs);
  std::vector<std::string> held;
  for (int i : s.heldOutRows()) held.push_back(s.family().aligned[i]);
  const auto heldElbos = s.elbo(held);
  return std::make_shared<FunnelResult>(
      runFunnel(seqs, elbos, s.family(), s.trainRows(), heldElbos, filters));
}

std::string scanCsv(const MutationScan& scan) {
  std::ostringstream out;
  out.precision(7);
  out << "position,wt,mut,delta_elbo,delta_pssm\n";
  for (int k = 0; k < scan.length; ++k)
    for (int a = 1; a < kStates; ++a) {
      const float d = scan.deltaElbo[std::size_t(k) * kStates + a];
      if (std::isnan(d)) continue;
      out << k + 1 << ',' << scan.wildtype[k] << ',' << letterOf(a) << ',' << d << ','
          << scan.deltaPssm[std::size_t(k) * kStates + a] << '\n';
    }
  return out.str();
}

}  // namespace genlab::core::protein
