#include "core/labs/style/style_gan_requests.h"

#include <stdexcept>

#include "core/data/image_data.h"

namespace genlab::core::style {

namespace {
std::string describe(const StyleGanSession& s) {
  const auto& d = s.data();
  return std::to_string(d.train.count) + " train / " + std::to_string(d.test.count) +
         " test images, 28x28 padded to 32x32; " + std::to_string(s.step()) +
         " generator steps";
}
}  // namespace

std::shared_ptr<GanOpened> createGan(const StyleGanOptions& o) {
  auto out = std::make_shared<GanOpened>();
  out->session = StyleGanSession::create(o);
  out->description = describe(*out->session);
  return out;
}

std::shared_ptr<GanOpened> openGan(const std::string& path) {
  auto out = std::make_shared<GanOpened>();
  out->session = StyleGanSession::load(path);
  out->description = "model " + path + ": " + describe(*out->session);
  return out;
}

std::shared_ptr<GanPictures> ganPictures(StyleGanSession& s, const GanPictureRequest& r) {
  auto p = std::make_shared<GanPictures>();
  p->samples = s.samples(r.samples, r.zSeed, r.settings);
  p->grid = s.mixingGrid(r.rows, r.cols, r.crossover, r.zSeed + 101, r.settings);
  p->pca = s.pcaEdit(r.zSeed + 202, r.pca, r.settings);
  p->pcaSigmas = s.pcaSigmas();
  p->crossover = r.crossover;
  p->step = s.step();
  return p;
}

std::shared_ptr<CheckerboardOpened> createCheckerboardPair(const CheckerboardOptions& a,
                                                           const CheckerboardOptions& b) {
  a.validate();
  b.validate();
  if (a.data != b.data) throw std::invalid_argument("A and B must train on the same data");
  auto data = std::make_shared<const ImageSplit>(loadImageData(a.data, unsigned(a.seed)));
  auto out = std::make_shared<CheckerboardOpened>();
  // One judge for both sides: the same quality yardstick, trained once.
  auto judge = std::make_shared<CheckerboardJudge>(data);
  for (const auto* o : {&a, &b}) {
    out->sides.push_back(std::make_shared<CheckerboardSession>(*o, data, judge));
    out->views.push_back(out->sides.back()->view());
  }
  out->dataEnergy = out->sides[0]->dataEnergy();
  return out;
}

}  // namespace genlab::core::style
