#include "core/labs/protein/protein_options.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace genlab::core::protein {

std::string ProteinOptions::toJson() const {
  nlohmann::json j{{"family", family},
                   {"alignment", alignment},
                   {"latent_dim", latentDim},
                   {"hidden", hidden},
                   {"epochs", epochs},
                   {"batch", batch},
                   {"lr", lr},
                   {"theta", theta},
                   {"l2", l2},
                   {"held_out_fraction", heldOutFraction},
                   {"pseudocount", pseudocount},
                   {"max_sequence_gap_fraction", maxSequenceGapFraction},
                   {"max_column_gap_fraction", maxColumnGapFraction},
                   {"seed", seed},
                   {"threads", threads}};
  return j.dump();
}

ProteinOptions ProteinOptions::fromJson(const std::string& text) {
  ProteinOptions o;
  try {
    const auto j = nlohmann::json::parse(text);
    o.family = j.value("family", o.family);
    o.alignment = j.value("alignment", o.alignment);
    o.latentDim = j.value("latent_dim", o.latentDim);
    o.hidden = j.value("hidden", o.hidden);
    o.epochs = j.value("epochs", o.epochs);
    o.batch = j.value("batch", o.batch);
    o.lr = j.value("lr", o.lr);
    o.theta = j.value("theta", o.theta);
    o.l2 = j.value("l2", o.l2);
    o.heldOutFraction = j.value("held_out_fraction", o.heldOutFraction);
    o.pseudocount = j.value("pseudocount", o.pseudocount);
    o.maxSequenceGapFraction = j.value("max_sequence_gap_fraction", o.maxSequenceGapFraction);
    o.maxColumnGapFraction = j.value("max_column_gap_fraction", o.maxColumnGapFraction);
    o.seed = j.value("seed", o.seed);
    o.threads = j.value("threads", o.threads);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("invalid protein options: ") + e.what());
  }
  o.validate();
  return o;
}

void ProteinOptions::validate() const {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) throw std::invalid_argument(msg);
  };
  need(alignment >= 1 && alignment <= 1000000, "the alignment number must be 1 or more");
  need(latentDim >= 1 && latentDim <= 256, "latent dimension must be between 1 and 256");
  need(hidden >= 1 && hidden <= 8192, "hidden units must be between 1 and 8192");
  need(epochs >= 0 && epochs <= 1000000, "epochs must be between 0 and 1000000");
  need(batch >= 1 && batch <= 65536, "batch size must be between 1 and 65536");
  need(pieceRows >= 0, "rows per training piece must be 0 (automatic) or more");
  need(lr > 0 && lr < 10, "learning rate must be in (0, 10)");
  need(theta >= 0 && theta <= 1, "theta must be between 0 and 1 (identity threshold 1 - theta)");
  need(l2 >= 0, "the weight penalty must not be negative");
  need(heldOutFraction >= 0 && heldOutFraction < 1, "held-out fraction must be in [0, 1)");
  need(pseudocount > 0, "the PSSM pseudocount must be positive");
  need(maxSequenceGapFraction >= 0 && maxSequenceGapFraction <= 1,
       "the sequence gap fraction must be in [0, 1]");
  need(maxColumnGapFraction >= 0 && maxColumnGapFraction <= 1,
       "the column gap fraction must be in [0, 1]");
  need(threads >= 0 && threads <= 1024, "threads must be between 0 and 1024");
}

}  // namespace genlab::core::protein
