#include "ui/labs/toy2d/toy2d_frames.h"

#include <QObject>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

using core::toy2d::Capabilities;

Toy2dViewInfo toy2dViewInfo(Toy2dView v) {
  auto tr = [](const char* s) { return QObject::tr(s); };
  switch (v) {
    case Toy2dView::Density:
      return {v, tr("Density log p(x)"),
              tr("The model's log-density on a grid (flow: exact; VAE: importance-weighted "
                 "lower bound) with its samples over it"), false, false, 0};
    case Toy2dView::FlowLayers:
      return {v, tr("Layer by layer"),
              tr("A grid and base samples pushed through the flow one layer at a time: the "
                 "clay being bent. The slider picks the layer."), false, true, 60};
    case Toy2dView::LogDet:
      return {v, tr("log |det J|"),
              tr("How much the flow's map x → z stretches (positive) or squeezes (negative) "
                 "space around each point"), false, false, 0};
    case Toy2dView::Discriminator:
      return {v, tr("Decision surface"),
              tr("GAN Lab's view: the discriminator's output as a heatmap (green: looks real, "
                 "purple: looks fake), real and generated samples, the generator's gradient "
                 "arrows and its warped latent grid"), false, false, 0};
    case Toy2dView::GeneratorMesh:
      return {v, tr("Generator mesh"),
              tr("The generator's pushforward of a regular latent grid: how G folds and "
                 "stretches the noise into data space"), false, false, 0};
    case Toy2dView::Noising:
      return {v, tr("Forward noising"),
              tr("The training data at diffusion time t: x_t = α(t) x_0 + σ(t) ε. The slider "
                 "moves t."), true, false, 0};
    case Toy2dView::Score:
      return {v, tr("Score field"),
              tr("The learned score ∇ log p_t(x) at time t as arrows over the exact density of "
                 "the noised training data"), true, false, 0};
    case Toy2dView::Trajectories:
      return {v, tr("Reverse sampling"),
              tr("Sample paths from noise (t = 1) to data (t ≈ 0) with the sampler chosen on "
                 "the left"), false, false, 250};
    case Toy2dView::LatentSpace:
      return {v, tr("Latent space"),
              tr("Held-out points at their posterior means in the VAE's latent space, "
                 "with the prior's 1σ and 2σ circles"), false, false, 0};
    case Toy2dView::DecoderMesh:
      return {v, tr("Decoder mesh"),
              tr("The decoder's means over a regular latent grid"), false, false, 0};
    case Toy2dView::Samples:
      return {v, tr("Samples vs data"), tr("Model samples over the training data"), false, false, 0};
    case Toy2dView::Baseline:
      return {v, tr("Gaussian baseline"),
              tr("The density of one Gaussian fitted to the training data: the yardstick "
                 "every model has to beat"), false, false, 0};
    case Toy2dView::Overview:
      return {v, tr("Model overview"),
              tr("The model as a graph of live thumbnails: what flows through it"), false,
              false, 400};
  }
  return {v, QString(), QString(), false, false, 0};
}

QVector<Toy2dViewInfo> toy2dViewsFor(const Capabilities& c) {
  QVector<Toy2dView> views;
  if (c.flowLayers) views = {Toy2dView::Density, Toy2dView::FlowLayers, Toy2dView::LogDet};
  else if (c.discriminator) views = {Toy2dView::Discriminator, Toy2dView::GeneratorMesh};
  else if (c.diffusion) views = {Toy2dView::Score, Toy2dView::Noising, Toy2dView::Trajectories};
  else if (c.latentSpace) views = {Toy2dView::Density, Toy2dView::LatentSpace, Toy2dView::DecoderMesh};
  if (!c.diffusion) views.push_back(Toy2dView::Samples);
  views.push_back(Toy2dView::Baseline);
  views.push_back(Toy2dView::Overview);
  QVector<Toy2dViewInfo> out;
  for (Toy2dView v : views) out.push_back(toy2dViewInfo(v));
  return out;
}

}  // namespace genlab::ui
