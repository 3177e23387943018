#include "core/labs/toy2d/toy2d_views.h"

#include <cmath>
#include <stdexcept>

namespace genlab::core::toy2d {

std::vector<float> GridSpec::points() const {
  std::vector<float> p;
  p.reserve(2 * count());
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      p.push_back(x(i));
      p.push_back(y(j));
    }
  return p;
}

void GridSpec::validate() const {
  if (nx < 1 || ny < 1 || nx > 512 || ny > 512)
    throw std::invalid_argument("a grid has 1 to 512 cells per side");
  if (!std::isfinite(x0) || !std::isfinite(x1) || !std::isfinite(y0) || !std::isfinite(y1) ||
      !(x1 > x0) || !(y1 > y0))
    throw std::invalid_argument("a grid needs finite bounds with x1 > x0 and y1 > y0");
}

void SamplerSettings::validate() const {
  if (sampler != "sde" && sampler != "ode" && sampler != "ancestral")
    throw std::invalid_argument("sampler must be sde, ode or ancestral, not '" + sampler + "'");
  if (steps < 1 || steps > 5000) throw std::invalid_argument("sampling steps must be 1 to 5000");
  if (correctorSteps < 0 || correctorSteps > 20)
    throw std::invalid_argument("corrector steps must be 0 to 20");
  if (!(snr > 0 && snr <= 10)) throw std::invalid_argument("corrector SNR must be in (0, 10]");
}

void Heatmap::computeRange() {
  bool any = false;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    if (!any) {
      minValue = maxValue = v;
      any = true;
    } else {
      minValue = std::min(minValue, v);
      maxValue = std::max(maxValue, v);
    }
  }
  if (!any) minValue = maxValue = 0;
}

}  // namespace genlab::core::toy2d
