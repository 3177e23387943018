#include "core/labs/toy2d/toy2d_session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "core/engine/device.h"
#include "core/labs/toy2d/toy2d_session_impl.h"
#include "core/util/atomic_file.h"

namespace genlab::core::toy2d {

namespace {
using Clock = std::chrono::steady_clock;
constexpr double kPi = 3.14159265358979323846;
// Evaluation draws model samples from a seed of its own, so that evaluating
// never shifts the training noise and the same model always scores the same.
constexpr std::uint64_t kEvalSeed = 0xe7a1000000ULL;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::unique_ptr<Model> makeModel(const Toy2dOptions& o, std::shared_ptr<DataSampler> s) {
  if (o.model == "flow") return makeFlowModel(o, std::move(s));
  if (o.model == "gan")
    return useNativeGan(o, defaultDevice().is_cuda()) ? makeNativeGanModel(o, std::move(s))
                                                      : makeGanModel(o, std::move(s));
  if (o.model == "diffusion") return makeDiffusionModel(o, std::move(s));
  if (o.model == "vae") return makeVaeModel(o, std::move(s));
  throw std::invalid_argument("unknown model '" + o.model + "'");
}

void checkCount(int n, int hi, const char* what) {
  if (n < 1 || n > hi)
    throw std::invalid_argument(std::string(what) + " must be between 1 and " + std::to_string(hi));
}
}  // namespace

std::shared_ptr<Toy2dSession> Toy2dSession::create(const Toy2dOptions& options) {
  options.validate();
  auto data = std::make_shared<Toy2dData>(loadData(options.data, options.dataPoints,
                                                   options.heldOutFraction, options.seed,
                                                   options.standardize));
  return std::make_shared<Toy2dSession>(options, std::move(data));
}

Toy2dSession::Toy2dSession(const Toy2dOptions& options, std::shared_ptr<const Toy2dData> data)
    : m_options(options), m_data(std::move(data)), m_impl(std::make_unique<Impl>()) {
  m_options.validate();
  if (!m_data || m_data->train.size() < 2 || m_data->heldOut.size() < 2)
    throw std::invalid_argument("the 2-D lab needs at least 2 training and 2 held-out points");
  auto& s = *m_impl;
  s.sampler = std::make_shared<DataSampler>(m_data, m_options.seed ^ 0xda7aULL);
  s.model = makeModel(m_options, s.sampler);
  s.flow = dynamic_cast<FlowViews*>(s.model.get());
  s.gan = dynamic_cast<GanViews*>(s.model.get());
  s.diffusion = dynamic_cast<DiffusionViews*>(s.model.get());
  s.vae = dynamic_cast<VaeViews*>(s.model.get());
  m_label = s.model->label();
  m_lossNames = s.model->lossNames();
  s.losses.resize(m_lossNames.size());
  m_caps.nllKind = s.model->nllKind();
  m_caps.logDensity = !m_caps.nllKind.empty();
  m_caps.flowLayers = s.flow != nullptr;
  m_caps.discriminator = s.gan != nullptr;
  m_caps.diffusion = s.diffusion != nullptr;
  m_caps.latentSpace = s.vae != nullptr;
  m_caps.noiseDim = s.gan ? s.gan->noiseDim() : (s.vae ? s.vae->latentDim() : 0);
  m_baseline = gaussianBaseline(*m_data, m_options.evalSamples, m_options.seed);
  s.last.mmdBaseline = m_baseline.mmd;
  s.last.nllBaseline = m_baseline.nll;
  s.last.nllKind = m_caps.nllKind;
}

Toy2dSession::~Toy2dSession() = default;

Toy2dSession::TrainChunk Toy2dSession::train(double maxSeconds, long maxIterations) {
  auto& s = *m_impl;
  TrainChunk c;
  c.lossSums.assign(m_lossNames.size(), 0.0);
  const double floor = 1.0 - m_options.lrDecay;
  const auto start = Clock::now();
  auto now = start;
  do {
    if (m_options.steps > 0 && m_options.lrDecay > 0) {
      const double f = std::min(1.0, double(s.iteration) / double(m_options.steps));
      s.model->setLearningRateScale(floor + (1 - floor) * 0.5 * (1 + std::cos(kPi * f)));
    }
    s.model->trainStep(s.losses.data());
    for (std::size_t k = 0; k < s.losses.size(); ++k) c.lossSums[k] += s.losses[k];
    ++s.iteration;
    ++c.iterations;
    now = Clock::now();
  } while (c.iterations < maxIterations && seconds(start, now) < maxSeconds);
  c.seconds = seconds(start, now);
  s.trainSeconds += c.seconds;
  return c;
}

long Toy2dSession::iteration() const { return m_impl->iteration; }
double Toy2dSession::trainSeconds() const { return m_impl->trainSeconds; }

void Toy2dSession::beginEvaluation() {
  auto& s = *m_impl;
  s.evaluating = true;
  s.evalSamples.clear();
  s.evalChunks = 0;
  s.samplingSeconds = 0;
}

bool Toy2dSession::evaluateChunk() {
  auto& s = *m_impl;
  if (!s.evaluating) beginEvaluation();
  const auto held = headPoints(m_data->heldOut, static_cast<std::size_t>(m_options.evalSamples));
  const int target = m_options.evalSamples;
  const int have = static_cast<int>(s.evalSamples.size() / 2);
  if (have < target) {
    const int n = std::min(target - have, s.model->sampleChunk());
    const auto t0 = Clock::now();
    auto part = s.model->sample(n, kEvalSeed + static_cast<std::uint64_t>(s.evalChunks++));
    s.samplingSeconds += seconds(t0, Clock::now());
    s.evalSamples.insert(s.evalSamples.end(), part.begin(), part.end());
    if (have + n < target) return false;
  }
  EvalMetrics m;
  m.step = s.iteration;
  m.mmdBaseline = m_baseline.mmd;
  m.nllBaseline = m_baseline.nll;
  m.nllKind = m_caps.nllKind;
  for (float v : s.evalSamples)
    if (!std::isfinite(v)) {
      m.mmd = std::numeric_limits<double>::infinity();  // a diverged model
      break;
    }
  if (m.mmd == 0) m.mmd = mmd2(s.evalSamples.data(), s.evalSamples.size() / 2, held.xy.data(), held.size());
  if (m_caps.logDensity) {
    double sum = 0;
    for (double lp : s.model->logDensity(m_data->heldOut.xy)) sum -= lp;
    m.nll = sum / double(m_data->heldOut.size());
  }
  m.samplesPerSecond = s.samplingSeconds > 0 ? target / s.samplingSeconds : 0;
  m.valid = true;
  s.last = m;
  s.evaluating = false;
  return true;
}

bool Toy2dSession::evaluating() const { return m_impl->evaluating; }
const EvalMetrics& Toy2dSession::lastEvaluation() const { return m_impl->last; }

EvalMetrics Toy2dSession::evaluate() {
  beginEvaluation();
  while (!evaluateChunk()) {
  }
  return lastEvaluation();
}

ComparisonRow Toy2dSession::comparisonRow() const {
  ComparisonRow r;
  r.model = m_label;
  r.data = m_data->name;
  r.eval = m_impl->last;
  r.trainSeconds = m_impl->trainSeconds;
  r.iterations = m_impl->iteration;
  r.iterationsPerSecond = r.trainSeconds > 0 ? double(r.iterations) / r.trainSeconds : 0;
  return r;
}

GridSpec Toy2dSession::defaultGrid(int n) const {
  checkCount(n, 512, "grid size");
  const auto& p = m_data->train;
  float x0 = p.x(0), x1 = x0, y0 = p.y(0), y1 = y0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    x0 = std::min(x0, p.x(i));
    x1 = std::max(x1, p.x(i));
    y0 = std::min(y0, p.y(i));
    y1 = std::max(y1, p.y(i));
  }
  const float half = std::max(0.5f, 0.5f * std::max(x1 - x0, y1 - y0) * 1.15f);
  const float cx = 0.5f * (x0 + x1), cy = 0.5f * (y0 + y1);
  GridSpec g;
  g.x0 = cx - half;
  g.x1 = cx + half;
  g.y0 = cy - half;
  g.y1 = cy + half;
  g.nx = g.ny = n;
  return g;
}

PointSet Toy2dSession::dataPoints(const std::string& which, int max) const {
  if (which != "train" && which != "held-out")
    throw std::invalid_argument("data points are \"train\" or \"held-out\"");
  checkCount(max, static_cast<int>(kMaxPoints), "point count");
  PointSet p;
  p.role = which;
  p.step = m_impl->iteration;
  p.xy = headPoints(which == "train" ? m_data->train : m_data->heldOut, max).xy;
  return p;
}

PointSet Toy2dSession::samples(int n, std::uint64_t seed) {
  checkCount(n, 100000, "sample count");
  PointSet p;
  p.role = "samples";
  p.step = m_impl->iteration;
  p.xy = m_impl->model->sample(n, seed);
  return p;
}

}  // namespace genlab::core::toy2d
