#include "core/labs/latent/vae_options.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace genlab::core::latent {

std::string VaeOptions::toJson() const {
  nlohmann::json j{{"data", data},
                   {"architecture", architecture},
                   {"latent_dim", latentDim},
                   {"hidden", hidden},
                   {"beta", beta},
                   {"kl_warmup_epochs", klWarmupEpochs},
                   {"lr", lr},
                   {"batch", batch},
                   {"epochs", epochs},
                   {"seed", seed},
                   {"threads", threads},
                   {"max_train_images", maxTrainImages}};
  return j.dump();
}

VaeOptions VaeOptions::fromJson(const std::string& text) {
  VaeOptions o;
  try {
    const auto j = nlohmann::json::parse(text);
    o.data = j.value("data", o.data);
    o.architecture = j.value("architecture", o.architecture);
    o.latentDim = j.value("latent_dim", o.latentDim);
    o.hidden = j.value("hidden", o.hidden);
    o.beta = j.value("beta", o.beta);
    o.klWarmupEpochs = j.value("kl_warmup_epochs", o.klWarmupEpochs);
    o.lr = j.value("lr", o.lr);
    o.batch = j.value("batch", o.batch);
    o.epochs = j.value("epochs", o.epochs);
    o.seed = j.value("seed", o.seed);
    o.threads = j.value("threads", o.threads);
    o.maxTrainImages = j.value("max_train_images", o.maxTrainImages);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("invalid VAE options: ") + e.what());
  }
  o.validate();
  return o;
}

void VaeOptions::validate() const {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) throw std::invalid_argument(msg);
  };
  need(architecture == "mlp" || architecture == "conv",
       "architecture must be 'mlp' or 'conv', not '" + architecture + "'");
  need(latentDim >= 1 && latentDim <= 512, "latent dimension must be between 1 and 512");
  need(hidden >= 1 && hidden <= 8192, "hidden units must be between 1 and 8192");
  need(beta >= 0 && beta <= 1000, "beta must be between 0 and 1000");
  need(klWarmupEpochs >= 0, "KL warm-up epochs must not be negative");
  need(lr > 0 && lr < 10, "learning rate must be in (0, 10)");
  need(batch >= 1 && batch <= 65536, "batch size must be between 1 and 65536");
  need(epochs >= 0 && epochs <= 100000, "epochs must be between 0 and 100000");
  need(threads >= 0 && threads <= 1024, "threads must be between 0 and 1024");
  need(maxTrainImages >= 0, "max train images must not be negative");
  need(liveMapSeconds >= 0, "live map interval must not be negative");
}

}  // namespace genlab::core::latent
