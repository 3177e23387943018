#include "core/labs/protein/protein_design.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

namespace genlab::core::protein {

namespace {
using Json = nlohmann::json;

Json range(bool on, double lo, double hi) {
  Json j{{"on", on}};
  j["min"] = std::isfinite(lo) ? Json(lo) : Json(nullptr);
  j["max"] = std::isfinite(hi) ? Json(hi) : Json(nullptr);
  return j;
}
void readRange(const Json& j, const char* key, bool& on, double& lo, double& hi) {
  if (!j.contains(key)) return;
  const Json& r = j.at(key);
  on = r.value("on", on);
  if (r.contains("min")) lo = r["min"].is_null() ? FunnelFilters::kUnset : r["min"].get<double>();
  if (r.contains("max")) hi = r["max"].is_null() ? FunnelFilters::kUnset : r["max"].get<double>();
}

std::string fmt(double v) {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}
std::string rangeText(double lo, double hi) { return "[" + fmt(lo) + ", " + fmt(hi) + "]"; }
bool inRange(double v, double lo, double hi) {
  return std::isfinite(v) && (!std::isfinite(lo) || v >= lo) && (!std::isfinite(hi) || v <= hi);
}
}  // namespace

FunnelFilters FunnelFilters::fromJson(const std::string& text) {
  FunnelFilters f;
  try {
    const Json j = Json::parse(text);
    if (!j.is_object()) throw std::invalid_argument("the filters must be a JSON object");
    for (const auto& [key, _] : j.items()) {
      static const char* known[] = {"valid", "length", "identity", "charge", "gravy",
                                    "homopolymer", "motifs", "elbo"};
      if (std::find(std::begin(known), std::end(known), key) == std::end(known))
        throw std::invalid_argument("unknown filter '" + key +
                                    "' (known: valid, length, identity, charge, gravy, "
                                    "homopolymer, motifs, elbo)");
    }
    if (j.contains("valid")) {
      f.validOn = j["valid"].value("on", f.validOn);
      f.maxGaps = j["valid"].value("max_gaps", f.maxGaps);
    }
    readRange(j, "length", f.lengthOn, f.minLength, f.maxLength);
    readRange(j, "identity", f.identityOn, f.minIdentity, f.maxIdentity);
    readRange(j, "charge", f.chargeOn, f.minCharge, f.maxCharge);
    readRange(j, "gravy", f.gravyOn, f.minGravy, f.maxGravy);
    if (j.contains("homopolymer")) {
      f.homopolymerOn = j["homopolymer"].value("on", f.homopolymerOn);
      f.maxHomopolymer = j["homopolymer"].value("max", f.maxHomopolymer);
    }
    if (j.contains("motifs")) {
      f.motifsOn = j["motifs"].value("on", f.motifsOn);
      f.motifs = j["motifs"].value("patterns", f.motifs);
    }
    if (j.contains("elbo")) {
      f.elboOn = j["elbo"].value("on", f.elboOn);
      if (j["elbo"].contains("min"))
        f.minElbo = j["elbo"]["min"].is_null() ? kUnset : j["elbo"]["min"].get<double>();
    }
  } catch (const Json::exception& e) {
    throw std::invalid_argument(std::string("invalid filters: ") + e.what());
  }
  for (const auto& m : f.motifs) {
    try {
      std::regex re(m);
    } catch (const std::regex_error&) {
      throw std::invalid_argument("the motif '" + m + "' is not a valid regular expression");
    }
  }
  return f;
}

std::string FunnelFilters::toJson() const {
  Json j;
  j["valid"] = {{"on", validOn}, {"max_gaps", maxGaps}};
  j["length"] = range(lengthOn, minLength, maxLength);
  j["identity"] = range(identityOn, minIdentity, maxIdentity);
  j["charge"] = range(chargeOn, minCharge, maxCharge);
  j["gravy"] = range(gravyOn, minGravy, maxGravy);
  j["homopolymer"] = {{"on", homopolymerOn}, {"max", maxHomopolymer}};
  j["motifs"] = {{"on", motifsOn}, {"patterns", motifs}};
  j["elbo"] = range(elboOn, minElbo, kUnset);
  return j.dump();
}

FunnelResult runFunnel(const std::vector<std::string>& aligned, const std::vector<double>& elbos,
                       const Family& family, const std::vector<int>& trainRows,
                       const std::vector<double>& heldOutElbos, FunnelFilters f) {
  if (elbos.size() != aligned.size()) throw std::invalid_argument("one ELBO per design needed");
  // The family's ranges (training sequences, gaps removed).
  std::vector<double> len, charge, gr;
  for (int i : trainRows) {
    const std::string& s = family.aligned[i];
    len.push_back(ungappedLength(s));
    charge.push_back(netCharge(s));
    gr.push_back(gravy(s));
  }
  auto fill = [](double& v, const std::vector<double>& xs, double q) {
    if (!std::isfinite(v)) v = quantile(xs, q);
  };
  fill(f.minLength, len, 0.01);
  fill(f.maxLength, len, 0.99);
  fill(f.minCharge, charge, 0.01);
  fill(f.maxCharge, charge, 0.99);
  fill(f.minGravy, gr, 0.01);
  fill(f.maxGravy, gr, 0.99);
  fill(f.minElbo, heldOutElbos, 0.05);
  std::vector<std::regex> motifs;
  for (const auto& m : f.motifs) motifs.emplace_back(m);

  FunnelResult r;
  r.sampled = static_cast<int>(aligned.size());
  std::string motifText;
  for (const auto& m : f.motifs) motifText += (motifText.empty() ? "" : " ") + m;
  r.stages = {{"valid residues, no gaps", f.validOn, "gaps <= " + std::to_string(f.maxGaps)},
              {"length", f.lengthOn, rangeText(f.minLength, f.maxLength)},
              {"identity to nearest", f.identityOn, rangeText(f.minIdentity, f.maxIdentity)},
              {"net charge", f.chargeOn, rangeText(f.minCharge, f.maxCharge)},
              {"GRAVY", f.gravyOn, rangeText(f.minGravy, f.maxGravy)},
              {"homopolymer run", f.homopolymerOn, "<= " + std::to_string(f.maxHomopolymer)},
              {"forbidden motifs", f.motifsOn, motifText.empty() ? "none" : motifText},
              {"ELBO", f.elboOn, ">= " + fmt(f.minElbo)}};
  const int L = family.length();
  for (std::size_t d = 0; d < aligned.size(); ++d) {
    Design x;
    x.name = "design_" + std::to_string(d + 1);
    x.aligned = aligned[d];
    x.elbo = elbos[d];
    std::vector<std::uint8_t> st(L);
    for (int k = 0; k < L; ++k) st[k] = static_cast<std::uint8_t>(stateOf(x.aligned[k]));
    x.identity = -1;
    for (int i : trainRows) {
      const double id = identity(st.data(), family.row(i), L);
      if (id > x.identity) x.identity = id, x.nearest = family.names[i];
    }
    std::string ungapped;
    for (char c : x.aligned)
      if (c != '-') ungapped.push_back(c);
    x.charge = netCharge(ungapped);
    x.gravy = gravy(ungapped);
    x.homopolymer = longestHomopolymer(ungapped);
    const bool pass[] = {
        gapCount(x.aligned) <= f.maxGaps,
        inRange(static_cast<double>(ungapped.size()), f.minLength, f.maxLength),
        inRange(x.identity, f.minIdentity, f.maxIdentity),
        inRange(x.charge, f.minCharge, f.maxCharge),
        inRange(x.gravy, f.minGravy, f.maxGravy),
        x.homopolymer <= f.maxHomopolymer,
        std::none_of(motifs.begin(), motifs.end(),
                     [&](const std::regex& re) { return std::regex_search(ungapped, re); }),
        inRange(x.elbo, f.minElbo, FunnelFilters::kUnset)};
    for (std::size_t s = 0; s < r.stages.size(); ++s) {
      auto& stage = r.stages[s];
      if (!stage.on) continue;
      ++stage.in;
      if (!pass[s]) {
        ++stage.removed;
        x.removedBy = stage.name;
        break;
      }
      ++x.stagesPassed;
    }
    if (x.removedBy.empty()) ++r.survivors;
    r.designs.push_back(std::move(x));
  }
  r.filters = f;
  return r;
}

std::vector<FastaRecord> designRecords(const FunnelResult& r, bool all) {
  std::vector<FastaRecord> out;
  for (const auto& d : r.designs) {
    if (!all && !d.removedBy.empty()) continue;
    char buf[160];
    std::snprintf(buf, sizeof buf, "elbo=%.3f identity=%.3f", d.elbo, d.identity);
    std::string desc = std::string(d.removedBy.empty() ? "stage=passed-all" : "stage=removed-by:") +
                       (d.removedBy.empty() ? "" : "\"" + d.removedBy + "\"") + " stages_passed=" +
                       std::to_string(d.stagesPassed) + " " + buf + " nearest=" + d.nearest;
    out.push_back({d.name, desc, d.aligned});
  }
  return out;
}

}  // namespace genlab::core::protein
