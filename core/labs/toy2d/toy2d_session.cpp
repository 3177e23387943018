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
// Evaluation works in slices this long, so that the worker keeps serving
// the ui's view requests (20 per second) while it runs.
constexpr double kEvalSliceSeconds = 0.02;
constexpr std::size_t kNllBlock = 256;  // held-out points per log-density call

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
  s.phase = Impl::EvalPhase::Sampling;
  s.run = s.model->startSampling(m_options.evalSamples, kEvalSeed);
  s.mmd.reset();
  s.nllCursor = 0;
  s.nllSum = 0;
  s.samplingSeconds = 0;
  s.pending = EvalMetrics();
  s.pending.step = s.iteration;
  s.pending.mmdBaseline = m_baseline.mmd;
  s.pending.nllBaseline = m_baseline.nll;
  s.pending.nllKind = m_caps.nllKind;
}

bool Toy2dSession::evaluateChunk() {
  auto& s = *m_impl;
  using Phase = Impl::EvalPhase;
  if (s.phase == Phase::Idle) beginEvaluation();
  auto& m = s.pending;
  const auto t0 = Clock::now();
  if (s.phase == Phase::Sampling) {
    const bool done = s.run->advance(kEvalSliceSeconds);
    s.samplingSeconds += seconds(t0, Clock::now());
    if (!done) return false;
    auto samples = s.run->result();
    s.run.reset();
    m.samplesPerSecond = s.samplingSeconds > 0 ? m_options.evalSamples / s.samplingSeconds : 0;
    m.modesCovered = modesCovered(samples.data(), samples.size() / 2, *m_data);
    const bool finite = std::all_of(samples.begin(), samples.end(), [](float v) { return std::isfinite(v); });
    if (finite) {
      auto held = headPoints(m_data->heldOut, static_cast<std::size_t>(m_options.evalSamples));
      s.mmd = std::make_unique<MmdComputation>(std::move(samples), std::move(held.xy));
    } else {
      m.mmd = std::numeric_limits<double>::infinity();  // a diverged model
    }
    s.phase = Phase::Mmd;
    return false;
  }
  if (s.phase == Phase::Mmd) {
    if (s.mmd && !s.mmd->advance(kEvalSliceSeconds)) return false;
    if (s.mmd) m.mmd = s.mmd->value();
    s.mmd.reset();
    s.phase = Phase::Nll;
    if (m_caps.logDensity) return false;
  }
  // Held-out NLL over the first evalSamples held-out points (the same ones
  // as MMD and the baseline), a block at a time: the VAE's bound costs
  // iwaeSamples decoder passes per point, so all of a large held-out set
  // would make one evaluation take minutes.
  const auto& held = m_data->heldOut.xy;
  const std::size_t nllPoints =
      std::min(m_data->heldOut.size(), static_cast<std::size_t>(m_options.evalSamples));
  const std::size_t nllFloats = 2 * nllPoints;
  while (m_caps.logDensity && s.nllCursor < nllFloats) {
    const std::size_t end = std::min(nllFloats, s.nllCursor + 2 * kNllBlock);
    const std::vector<float> part(held.begin() + static_cast<std::ptrdiff_t>(s.nllCursor),
                                  held.begin() + static_cast<std::ptrdiff_t>(end));
    for (double lp : s.model->logDensity(part)) s.nllSum -= lp;
    s.nllCursor = end;
    if (s.nllCursor < nllFloats && seconds(t0, Clock::now()) >= kEvalSliceSeconds) return false;
  }
  if (m_caps.logDensity) m.nll = s.nllSum / double(nllPoints);
  m.valid = true;
  s.last = m;
  s.phase = Phase::Idle;
  return true;
}

bool Toy2dSession::evaluating() const { return m_impl->phase != Impl::EvalPhase::Idle; }
const EvalMetrics& Toy2dSession::lastEvaluation() const { return m_impl->last; }

void Toy2dSession::exportTorchScript(const std::string& pathPt) {
  ScriptFrame frame;
  frame.shiftX = m_data->shiftX;
  frame.shiftY = m_data->shiftY;
  frame.scale = m_data->scale;
  frame.optionsJson = m_options.toJson();
  m_impl->model->exportTorchScript(pathPt, frame);
}

std::vector<float> Toy2dSession::scriptForward(const std::vector<float>& input, int n) {
  return m_impl->model->scriptForward(input, n);
}

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
