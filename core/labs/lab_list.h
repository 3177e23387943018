#pragma once
// Every lab, one line each: adding a lab is one folder in core/labs, one in
// ui/labs and one line here (docs/architecture.md, "Adding a lab").
//
//   X(id, alias, title, description)
//   id     the folder name under core/labs and ui/labs, the C++ namespace
//          (genlab::core::<id>), the GUI's --lab value and the CLI's first
//          word; the lab's core defines <id>::registerCli(cli::Registry&) and
//          its ui defines ui::labs::make_<id>(EngineBridge*, QWidget*);
//          its icon is resources/icons/lab-<id>.png (listed in resources/genlab.qrc)
//   alias  an older CLI spelling that keeps working ("" for none)
//   title, description  what the home page and the Labs menu show
#define GENLAB_LABS(X)                                                                          \
  X(latent, "vae", "Latent Explorer",                                                           \
    "Train a VAE on digits and explore its latent space live: click to decode, interpolate, "   \
    "watch the ELBO and KL.")                                                                   \
  X(toy2d, "", "Architects & Alchemists (2-D)",                                                 \
    "Flows, GANs, diffusion and VAEs on 2-D toy data, two side by side: densities, decision "   \
    "surfaces, score fields, live.")                                                            \
  X(ct, "", "Inverse problems (CT)",                                                            \
    "CT and deblurring: FBP, TV and a score-based generative prior side by side, with "         \
    "uncertainty, nullspace and a 3-D view.")                                                 \
  X(protein, "", "Protein families", "A family VAE on a protein alignment: the latent map, "      \
    "click-to-decode with a logo, mutation scans and a design funnel, beside a PSSM baseline.")   \
  X(style, "", "Style & AdaIN", "AdaIN style transfer with live sliders and the statistics behind " \
    "it, style mixing in a style-based generator, and checkerboard artifacts taken apart.") \
  X(cells, "", "Cells", "Single-cell perturbation by latent arithmetic: lasso control and "       \
    "treated cells, apply the shift to a third group, and score it beside honest baselines.")

namespace genlab::core {

struct LabDescriptor {
  const char* id;
  const char* alias;
  const char* title;
  const char* description;
};

#define GENLAB_LAB_DESCRIPTOR(id, alias, title, description) {#id, alias, title, description},
inline constexpr LabDescriptor kLabs[] = {GENLAB_LABS(GENLAB_LAB_DESCRIPTOR)};
#undef GENLAB_LAB_DESCRIPTOR

}  // namespace genlab::core
