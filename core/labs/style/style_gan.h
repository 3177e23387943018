#pragma once
// A small style-based generator (issue 13, part 2): a mapping network z -> w,
// a learned 4x4 constant, eight synthesis layers (4, 4, 8, 8, 16, 16, 32, 32
// px), each with per-layer noise and AdaIN modulated by its own copy of w, and
// a 1x1 to-image layer. Trained on MNIST (padded to 32x32) as the decoder of
// a VAE (an encoder gives q(z|x); loss = Bernoulli reconstruction + beta*KL),
// which trains in minutes on 2 CPU cores where a GAN of this shape does not.
// Beside it, a small classifier trained on MNIST labels judges mixed samples.
// Torch-free facade (pimpl); every method except options() runs on the
// engine's worker.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/image_dataset.h"
#include "core/engine/engine.h"
#include "core/engine/snapshot.h"

namespace genlab::core::style {

inline constexpr int kStyleLayers = 8;       // synthesis layers, coarse (0) to fine (7)
inline constexpr int kMiddleCrossover = 4;  // layers 0-3 (4x4, 8x8) vs 4-7 (16x16, 32x32)
inline constexpr int kPcaComponents = 4;

struct StyleGanOptions {
  long steps = 3000;        // generator (VAE) mini-batches
  int batch = 32;
  double lr = 2e-3;
  double beta = 1.0;        // KL weight
  int zDim = 16, wDim = 32;
  long classifierSteps = 1500;  // mini-batches of 64 for the judge
  // Scale-separated mixing regularisation: with this probability a training
  // step also renders each image with its own w in the layers below a
  // crossover at a resolution boundary (k = 2, 4 or 6: up to 4, 8 or 16 px)
  // and another image's w above it, and asks the mix to match the image
  // average-pooled to that resolution (Bernoulli loss on the pooled pixels,
  // weight mixingWeight). The coarse layers then have to carry the coarse
  // shape; the fine ones are free for what pooling hides. 0 = off.
  double mixing = 0.5;
  double mixingWeight = 1.0;
  std::uint64_t seed = 1;
  std::string data = "mnist";
  std::string toJson() const;
  static StyleGanOptions fromJson(const std::string& json);
  void validate() const;  // throws std::invalid_argument
};

// How a sample is drawn: truncation psi, noise strength, and the noise seed.
struct SampleSettings {
  double psi = 1.0;
  double noise = 1.0;
  std::uint64_t seed = 1;
};

struct StyleGanMetrics {
  long step = 0;
  double recon = 0;  // nats per image (BCE summed over the 32x32 pixels)
  double kl = 0;     // nats per image
  double mix = 0;    // mixing regulariser (nats per image); NaN on a step that did not draw it
};

// One row of the mixing table: crossover k = layers [0, k) from the coarse
// source, [k, 8) from the fine one.
struct MixingRow {
  int crossover = 0;
  double followsCoarse = 0, followsFine = 0, other = 0;  // fractions of counted pairs
};

struct MixingTable : Payload {
  int pairs = 0;         // pairs drawn
  int counted = 0;       // pairs whose two sources the classifier labels differently
  double psi = 1, noise = 1;
  double classifierAccuracy = -1;  // on MNIST test images
  std::vector<MixingRow> rows;     // crossover 0..8
};

class StyleGanSession {
 public:
  static std::shared_ptr<StyleGanSession> create(const StyleGanOptions& o);
  StyleGanSession(const StyleGanOptions& o, std::shared_ptr<const ImageSplit> data);
  ~StyleGanSession();
  StyleGanSession(const StyleGanSession&) = delete;
  StyleGanSession& operator=(const StyleGanSession&) = delete;

  const StyleGanOptions& options() const { return m_options; }
  const ImageSplit& data() const { return *m_data; }
  long step() const;              // generator steps done
  long classifierStep() const;    // classifier steps done
  StyleGanMetrics trainStep();    // one VAE mini-batch
  // The same step in two pieces for short worker slices: the VAE's loss, then
  // (on mixing steps) the mixing loss; the piece that ends the step takes the
  // Adam step and returns the metrics. Same draws, same gradient sum.
  std::optional<StyleGanMetrics> trainPiece();
  double classifierTrainStep();   // one classifier mini-batch; returns its loss
  // Classifier accuracy on up to `n` MNIST test images.
  double classifierAccuracy(int n = 2000);
  // Held-out (test) VAE metrics on up to `n` test images.
  StyleGanMetrics evaluate(int n = 500);
  // The same in chunks of 250 images: begin, then evaluateChunk() until it
  // returns false, then the result (the same draws as evaluate()).
  void beginEvaluation(int n = 500);
  bool evaluateChunk();
  StyleGanMetrics evaluationResult() const;

  // Pictures (32x32 tiles, 8-bit grey). Each z is drawn from seed `zSeed`.
  Image samples(int n, std::uint64_t zSeed, const SampleSettings& s);
  // (rows+1) x (cols+1) tiles: top row the fine sources, left column the
  // coarse sources, cell (r, c) coarse from row r, fine from column c.
  Image mixingGrid(int rows, int cols, int crossover, std::uint64_t zSeed,
                   const SampleSettings& s);
  // GANSpace: principal directions of w (from 4096 mapped z's), and the
  // standard deviation along each.
  std::vector<double> pcaSigmas();
  // A sample moved along the first kPcaComponents directions by
  // `coefficients` standard deviations each, as one 32x32 image.
  Image pcaEdit(std::uint64_t zSeed, const std::vector<double>& coefficients,
                const SampleSettings& s);
  // Labels `pairs` more pairs and adds them to `table` (create it with
  // beginMixing). Chunks let a job interleave.
  MixingTable beginMixing(const SampleSettings& s);
  void measureMixing(MixingTable& table, int pairs, std::uint64_t seed);

  void save(const std::string& path) const;  // atomic, checksummed model file
  static std::shared_ptr<StyleGanSession> load(const std::string& path);

 private:
  struct Impl;
  StyleGanOptions m_options;
  std::shared_ptr<const ImageSplit> m_data;
  std::unique_ptr<Impl> m_impl;
};

struct StyleGanProgress : Payload {
  std::string phase;  // "classifier" or "generator"
  long step = 0, totalSteps = 0;       // generator steps
  long classifierStep = 0, classifierSteps = 0;
  double classifierLoss = 0;
  double classifierAccuracy = -1;
  double elapsedSeconds = 0, stepsPerSecond = 0;
  std::vector<StyleGanMetrics> curve;  // averaged training metrics
  Image samples;                        // 4x4 samples of fixed z's
};

struct StyleGanResult : Payload {
  StyleGanMetrics train, test;
  double classifierAccuracy = -1;
  double trainSeconds = 0;
  long steps = 0;
};

// Trains the classifier (if it has fewer than options().classifierSteps),
// then `steps` generator steps. Channel "style.gan.train.progress" and a
// StyleGanResult. Honours cancel between steps.
class StyleGanTrainJob : public Job {
 public:
  StyleGanTrainJob(std::shared_ptr<StyleGanSession> s, long steps);
  std::string name() const override { return "style.gan.train"; }
  bool step(JobContext& ctx) override;

 private:
  void publish(JobContext& ctx);
  std::shared_ptr<StyleGanSession> m_s;
  long m_steps, m_done = 0;
  double m_seconds = 0, m_classifierLoss = 0, m_accuracy = -1;
  std::vector<StyleGanMetrics> m_curve;
  StyleGanMetrics m_acc;
  int m_accN = 0;
  int m_endPhase = 0;  // the end in pieces: progress, test metrics, accuracy and result
  std::shared_ptr<StyleGanResult> m_result;
};

// Measures the mixing table in chunks of 20 pairs; publishes the table so far
// on "style.gan.mixing.progress" and the final one as its result.
class MixingJob : public Job {
 public:
  MixingJob(std::shared_ptr<StyleGanSession> s, int pairs, const SampleSettings& settings,
            std::uint64_t seed);
  std::string name() const override { return "style.gan.mixing"; }
  bool step(JobContext& ctx) override;

 private:
  std::shared_ptr<StyleGanSession> m_s;
  int m_pairs, m_done = 0;
  SampleSettings m_settings;
  std::uint64_t m_seed;
  std::shared_ptr<MixingTable> m_table;
};

}  // namespace genlab::core::style
