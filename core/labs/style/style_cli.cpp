// genlab-cli style transfer | train-decoder | alpha-sweep: the Style lab's
// AdaIN part headless, on the same engine, job and request functions as the GUI.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "core/cli/cli.h"
#include "core/cli/json_lines.h"
#include "core/data/png_write.h"
#include "core/engine/engine.h"
#include "core/labs/style/adain_net.h"
#include "core/labs/style/style_gan_cli.h"
#include "core/labs/style/style_image.h"
#include "core/labs/style/style_job.h"
#include "core/labs/style/style_requests.h"

namespace genlab::core::style {

namespace {
using cli::Json;

std::vector<std::string> splitList(const std::string& s, char sep = ',') {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<double> numbers(const std::string& s, const char* what) {
  std::vector<double> out;
  for (const auto& x : splitList(s)) {
    try {
      std::size_t used = 0;
      out.push_back(std::stod(x, &used));
      if (used != x.size()) throw std::invalid_argument(x);
    } catch (const std::exception&) {
      throw std::invalid_argument(std::string(what) + ": '" + x + "' is not a number");
    }
  }
  return out;
}

Json statsJson(const StatsView& v) { return Json{{"mean", v.mean}, {"std", v.std}}; }

std::shared_ptr<StyleSession> openForCli(const cli::Args& a, std::ostream& err) {
  const std::string path = a.str("decoder", defaultDecoderPath());
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (a.has("decoder")) throw std::invalid_argument(path + ": no such decoder file");
    err << "genlab-cli: " << howToTrainDecoder() << "\n";
    return nullptr;
  }
  auto s = StyleSession::load(path);
  // A decoder renders only the features of the encoder it was trained with.
  if (a.has("encoder")) {
    const auto want = a.str("encoder", "");
    checkEncoderKind(want);
    if (want != s->encoderKind())
      throw std::invalid_argument(path + ": this decoder was trained for the " + s->encoderKind() +
                                  " encoder, not " + want + "; train one for it with `genlab-cli style "
                                  "train-decoder --encoder " + want + "`");
  }
  return s;
}

int runTransferCmd(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"content", "style", "weights", "alpha", "strength", "preserve-colour", "size",
                   "decoder", "encoder", "out", "json"});
  const auto content = a.str("content", "");
  const auto styles = splitList(a.str("style", ""));
  const auto outPath = a.str("out", "");
  if (content.empty() || styles.empty() || outPath.empty())
    throw std::invalid_argument("style transfer needs --content FILE --style FILE[,FILE...] --out FILE");
  if (int(styles.size()) > kMaxStyles) throw std::invalid_argument("--style takes at most 4 files");
  TransferParams p;
  p.alpha = a.real("alpha", 1.0);
  if (!(p.alpha >= 0 && p.alpha <= 1)) throw std::invalid_argument("--alpha must be between 0 and 1");
  const auto w = a.has("weights") ? numbers(a.str("weights", ""), "--weights")
                                  : std::vector<double>(styles.size(), 1.0);
  if (w.size() != styles.size()) throw std::invalid_argument("--weights needs one number per --style file");
  p.weights = {0, 0, 0, 0};
  for (std::size_t i = 0; i < w.size(); ++i) p.weights[i] = w[i];
  if (a.has("strength")) {
    const auto s = numbers(a.str("strength", ""), "--strength");
    if (s.size() != kStrengths) throw std::invalid_argument("--strength takes 3 numbers: deep,mid,fine");
    for (int i = 0; i < kStrengths; ++i) p.strength[i] = s[i];
  }
  p.preserveColour = a.flag("preserve-colour");
  const int size = a.integer("size", 256, 16, 4096);
  cli::JsonLines printer(out, a.flag("json"));
  auto session = openForCli(a, err);
  if (!session) return 2;
  session->setContent(readImageFile(content), size);
  for (std::size_t i = 0; i < styles.size(); ++i) session->setStyle(int(i), readImageFile(styles[i]), size);
  const auto r = session->transfer(p);
  data::writePng(r.image, outPath);
  const auto losses = session->evaluate(p);
  Json res{{"event", "result"}, {"lab", channel::kLab}, {"out", outPath}, {"width", r.image.width},
           {"height", r.image.height}, {"alpha", p.alpha}, {"weights", w},
           {"strength", p.strength}, {"preserve_colour", p.preserveColour},
           {"decoder", session->describe()}, {"content_loss", cli::number(losses.content)},
           {"style_loss", cli::number(losses.style)}, {"transfer_ms", r.milliseconds},
           {"encoder", session->encoderKind()}, {"stats_layer", r.statsLayer},
           {"content_stats", statsJson(r.content)}, {"style_stats", statsJson(r.style)},
           {"result_stats", statsJson(r.result)}};
  if (printer.asJson()) printer.line(res);
  else
    out << "wrote " << outPath << " (" << r.image.width << " x " << r.image.height
        << "), content loss " << losses.content << ", style loss " << losses.style << "\n";
  return 0;
}

struct TrainPrinter : cli::JsonLines {
  using JsonLines::JsonLines;
  std::shared_ptr<const StyleTrainResult> result;
  void onSnapshot(const Snapshot& s) {
    std::lock_guard<std::mutex> g(mutex);
    note(s);
    if (auto r = std::dynamic_pointer_cast<const StyleTrainResult>(s.payload)) result = r;
    auto p = std::dynamic_pointer_cast<const StyleProgress>(s.payload);
    if (!p || p->contentLoss.empty() || !progressDue()) return;
    Json j{{"event", "progress"}, {"step", p->step}, {"total_steps", p->totalSteps},
           {"content_loss", p->contentLoss.back()}, {"style_loss", p->styleLoss.back()},
           {"steps_per_second", p->stepsPerSecond}};
    line(j);
    if (!asJson())
      out() << "step " << p->step << "/" << p->totalSteps << ": content " << p->contentLoss.back()
            << ", style " << p->styleLoss.back() << std::endl;
  }
};

Json metricsJson(const TrainMetrics& m) {
  return Json{{"content", cli::number(m.content)}, {"style", cli::number(m.style)},
              {"identity", cli::number(m.identity)}, {"total", cli::number(m.total)}};
}

// Energies are NaN for a constant image: null, never 0.
Json checkerboardJson(const DecoderCheckerboard& c) {
  return {{"images", c.images}, {"size", c.size}, {"stride", c.stride},
          {"energy_stylised", cli::number(c.stylised)}, {"energy_reconstructed", cli::number(c.reconstructed)},
          {"energy_content_photos", cli::number(c.content)}, {"phase_imbalance", cli::number(c.imbalance)}};
}

int runTrainDecoder(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"steps", "size", "seed", "batch", "lr", "style-weight", "identity-weight", "data", "out", "threads",
                   "encoder", "upsample", "balance-weight", "whole-steps", "json"});
  const auto encoder = a.str("encoder", defaultEncoderKind());
  checkEncoderKind(encoder);
  const long steps = a.integer("steps", 300, 1, 10000000);
  TrainConfig c;
  c.size = a.integer("size", 256, 16, 1024);
  c.seed = std::uint64_t(a.integer("seed", 1, 0, 2147483647));
  c.batch = a.integer("batch", 4, 1, 64);
  c.learningRate = a.real("lr", c.learningRate);
  c.styleWeight = a.real("style-weight", c.styleWeight);
  c.identityWeight = a.real("identity-weight", c.identityWeight);
  // The checkerboard experiment (docs/style.md): the decoder's upsampling.
  // transposed3-balanced is transposed3 with the regulariser on by default.
  const auto upsample = a.str("upsample", "nearest");
  const std::string decoderKind = upsample == "transposed3-balanced" ? "transposed3" : upsample;
  bool transposed = false;
  try {
    transposed = decoderTransposedKernel(decoderKind) != 0;
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("--upsample must be nearest, transposed3, transposed4 or transposed3-balanced");
  }
  c.balanceWeight = a.real("balance-weight", upsample == "transposed3-balanced" ? 1.0 : 0.0);
  if (!std::isfinite(c.balanceWeight) || c.balanceWeight < 0 || c.balanceWeight > 1e6)
    throw std::invalid_argument("--balance-weight must be between 0 and 1e6");
  if (upsample == "transposed3-balanced" && !(c.balanceWeight > 0))
    throw std::invalid_argument("--upsample transposed3-balanced needs a --balance-weight above 0 "
                                "(use --upsample transposed3 for none)");
  if (c.balanceWeight > 0 && !transposed)
    throw std::invalid_argument("--balance-weight needs a transposed --upsample (transposed3, transposed4, "
                                "transposed3-balanced)");
  const auto outPath = a.str("out", "");
  if (outPath.empty()) throw std::invalid_argument("style train-decoder needs --out FILE");
  const auto photos = findTrainingPhotos(a.str("data", ""));
  if (photos.contents.empty() || photos.styles.empty())
    throw std::invalid_argument("no training photos in " + (a.has("data") ? a.str("data", "") : styleDataDirectory()) +
                                "; run `make data` first");
  TrainPrinter printer(out, a.flag("json"));
  Engine engine([&](const Snapshot& s) { printer.onSnapshot(s); });
  engine.setThreads(a.integer("threads", 0, 0, 1024));
  auto session = std::make_shared<StyleSession>(c.seed, encoder, decoderKind);
  // Checkerboard measurements before and after, on the same fixed crops: the
  // job's own training set (it trains on these images, read once here).
  std::vector<Image> contents, styles;
  for (const auto& f : photos.contents) contents.push_back(readImageFile(f));
  for (const auto& f : photos.styles) styles.push_back(readImageFile(f));
  session->setTraining(contents, trainingStyles(contents, styles), c);
  const auto before = session->measureCheckerboard();
  printer.line({{"event", "start"}, {"lab", channel::kLab}, {"device", Engine::deviceName()}, {"encoder", encoder},
                {"upsample", upsample}, {"balance_weight", c.balanceWeight}, {"whole_steps", a.flag("whole-steps")},
                {"steps", steps}, {"size", c.size}, {"batch", c.batch}, {"seed", c.seed},
                {"lr", c.learningRate}, {"style_weight", c.styleWeight}, {"identity_weight", c.identityWeight},
                {"content_photos", photos.contents.size()}, {"style_photos", photos.styles.size()}});
  auto job = std::make_unique<StyleTrainJob>(session, steps, c, outPath);
  job->usePhotos(std::move(contents), std::move(styles));
  job->setWholeSteps(a.flag("whole-steps"));
  engine.submit(std::move(job));
  engine.waitIdle();
  if (!printer.error.empty() || !printer.result) {
    err << "genlab-cli: training failed: " << (printer.error.empty() ? "no result" : printer.error) << "\n";
    return 1;
  }
  const auto& r = *printer.result;
  Json res{{"event", "result"}, {"lab", channel::kLab}, {"steps", r.steps},
           {"train_seconds", r.trainSeconds}, {"steps_per_second", cli::rate(double(r.steps), r.trainSeconds)},
           {"loss_before", metricsJson(r.before)}, {"loss_after", metricsJson(r.after)},
           {"decoder", r.savedTo},
           {"checkerboard", {{"at_init", checkerboardJson(before)},
                             {"after", checkerboardJson(session->measureCheckerboard())}}},
           // The worker's longest uninterrupted piece of work: what a slider waits at most.
           {"longest_step_ms", engine.longestStepMs()}};
  if (printer.asJson()) printer.line(res);
  else
    out << "trained " << r.steps << " steps in " << r.trainSeconds << " s; loss " << r.before.total
        << " -> " << r.after.total << "; saved " << r.savedTo << "\n";
  return 0;
}

int runAlphaSweep(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"decoder", "encoder", "data", "size", "alphas", "json"});
  auto session = openForCli(a, err);
  if (!session) return 2;
  const auto photos = findTrainingPhotos(a.str("data", ""));
  if (photos.contents.size() < 5 || photos.styles.size() < 2)
    throw std::invalid_argument("alpha-sweep needs the photos of `make data` (5 contents, 2+ styles)");
  std::vector<std::pair<int, int>> pairs;
  for (int ci = 0; ci < 5; ++ci)
    for (int k = 0; k < 2; ++k) pairs.push_back({ci, (2 * ci + k) % int(photos.styles.size())});
  const auto alphas = numbers(a.str("alphas", "0,0.25,0.5,0.75,1"), "--alphas");
  const auto rows = alphaSweep(*session, photos.contents, photos.styles, pairs, alphas, a.integer("size", 256, 16, 4096));
  cli::JsonLines printer(out, a.flag("json"));
  int falls = 0, rises = 0;
  std::vector<int> layerFalls(std::size_t(session->encoderLayers()), 0);
  for (const auto& r : rows) {
    falls += r.styleFalls;
    rises += r.contentRises;
    for (std::size_t l = 0; l < layerFalls.size() && l < r.layerFalls.size(); ++l) layerFalls[l] += r.layerFalls[l];
    printer.line({{"event", "pair"}, {"content", r.content}, {"style", r.style}, {"alphas", alphas},
                  {"content_loss", r.contentLoss}, {"style_loss", r.styleLoss},
                  {"style_loss_by_layer", r.styleByLayer}, {"style_by_layer_falls", r.layerFalls},
                  {"style_falls_monotonically", r.styleFalls}, {"content_rises_monotonically", r.contentRises}});
    if (!printer.asJson()) {
      out << r.content << " x " << r.style << ":";
      for (std::size_t k = 0; k < alphas.size(); ++k)
        out << "  a=" << alphas[k] << " c=" << r.contentLoss[k] << " s=" << r.styleLoss[k];
      out << (r.styleFalls ? "  style falls" : "  style NOT monotone")
          << (r.contentRises ? ", content rises\n" : ", content NOT monotone\n");
    }
  }
  printer.line({{"event", "result"}, {"lab", channel::kLab}, {"pairs", rows.size()},
                {"style_falls_monotonically", falls}, {"content_rises_monotonically", rises},
                {"style_by_layer_falls_monotonically", layerFalls},
                {"decoder", session->describe()}, {"encoder", session->encoderKind()}});
  if (!printer.asJson())
    out << falls << " of " << rows.size() << " pairs: style loss falls; " << rises << ": content loss rises\n";
  return 0;
}

}  // namespace

void registerCli(cli::Registry& r) {
  r.add({channel::kLab, "transfer",
         "style transfer --content FILE --style FILE[,FILE...] --alpha A [--weights W1,W2...] "
         "[--strength DEEP,MID,FINE] [--preserve-colour] [--size 256] [--decoder FILE] [--encoder mobilenet_v2|random] "
         "--out FILE [--json]",
         runTransferCmd, {"json", "preserve-colour"}});
  r.add({channel::kLab, "train-decoder",
         "style train-decoder --steps N --size 256 --seed S --out FILE [--batch 4] [--lr X] "
         "[--style-weight X] [--identity-weight X] [--encoder mobilenet_v2|random] [--data DIR] [--threads N] "
         "[--upsample nearest|transposed3|transposed4|transposed3-balanced] [--balance-weight W] [--whole-steps] "
         "[--json]",
         runTrainDecoder, {"json", "whole-steps"}});
  r.add({channel::kLab, "alpha-sweep",
         "style alpha-sweep [--decoder FILE] [--encoder mobilenet_v2|random] [--data DIR] [--size 256] "
         "[--alphas 0,0.25,0.5,0.75,1] [--json]",
         runAlphaSweep, {"json"}});
  // Parts 2 and 3: style mixing and checkerboard artifacts.
  registerGanCli(r);
}

}  // namespace genlab::core::style
