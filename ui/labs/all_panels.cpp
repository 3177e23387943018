// One line per lab. Static libraries drop unreferenced self-registering
// objects, so registration is an explicit list rather than static initialisers.
#include "ui/labs/lab_registry.h"
#include "ui/labs/latent/latent_panel.h"
#include "ui/labs/toy2d/toy2d_panel.h"

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
  LabRegistry::add(lab<Toy2dPanel>("toy2d", "Architects & Alchemists (2-D)",
                                   "Flows, GANs, diffusion and VAEs on 2-D toy data, two side by "
                                   "side: densities, decision surfaces, score fields, live."));
}

}  // namespace genlab::ui
