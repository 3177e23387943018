// One line per lab. Static libraries drop unreferenced self-registering
// objects, so registration is an explicit list rather than static initialisers.
#include "ui/labs/lab_registry.h"
#include "ui/labs/ct/ct_panel.h"
#include "ui/labs/latent/latent_panel.h"
#include "ui/labs/message_panel.h"
#include "ui/labs/toy2d/toy2d_panel.h"
#include "ui/views/vtk_view.h"

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
  LabInfo ct = lab<CtPanel>("ct", "Inverse problems (CT)",
                            "CT and deblurring: FBP, TV and a score-based generative prior "
                            "side by side, with uncertainty, nullspace and a 3-D view.");
  // Its VTK views need OpenGL; Qt crashes showing them where there is none.
  ct.factory = [title = ct.title](EngineBridge* bridge, QWidget* parent) -> LabPanel* {
    if (VtkView::openGLAvailable()) return new CtPanel(bridge, parent);
    return new MessagePanel(QStringLiteral("ct"), title, VtkView::openGLProblem(), parent);
  };
  LabRegistry::add(ct);
}

}  // namespace genlab::ui
