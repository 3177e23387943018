// One line per lab. Static libraries drop unreferenced self-registering
// objects, so registration is an explicit list rather than static initialisers.
#include "ui/labs/lab_registry.h"
#include "ui/labs/latent/latent_panel.h"

namespace genlab::ui {

template <class Panel>
static LabInfo lab(const char* id, const char* title, const char* description) {
  return {QString::fromUtf8(id), QObject::tr(title), QObject::tr(description),
          [](EngineBridge* bridge, QWidget* parent) -> LabPanel* {
            return new Panel(bridge, parent);
          }};
}

void registerAllPanels() {
  LabRegistry::add(lab<LatentPanel>("latent", "Latent Explorer",
                                    "Train a VAE on digits and explore its latent space live: "
                                    "click to decode, interpolate, watch the ELBO and KL."));
}

}  // namespace genlab::ui
