#pragma once
// The score-based generative prior: a denoiser D(x; sigma) trained by
// denoising score matching on training images (random-ellipse phantoms), and
// its training loop as resumable single steps. Core-internal (torch).
#include <ATen/core/Generator.h>
#include <torch/optim/adam.h>

#include <memory>
#include <string>

#include "core/labs/ct/ct_options.h"
#include "core/labs/ct/score_net.h"
#include "core/labs/ct/training_images.h"

namespace genlab::core::ct {

class ScorePrior {
 public:
  ScorePrior(const PriorOptions& options, c10::Device device);
  const PriorOptions& options() const { return m_options; }
  int size() const { return m_options.size; }
  c10::Device device() const { return m_device; }
  ScoreNet& net() { return m_net; }

  // Images live in [0, 1]; the network sees them centred (x - 0.5) so that
  // its EDM preconditioning (sigma_data = 0.5) fits.
  static constexpr double kCentre = 0.5;
  // D(x; sigma) for x (B, 1, H, W) in image units and sigma (B).
  at::Tensor denoise(const at::Tensor& x, const at::Tensor& sigma);
  // The score grad log p_sigma(x) = (D(x; sigma) - x) / sigma^2.
  at::Tensor score(const at::Tensor& x, const at::Tensor& sigma);

  long trainedSteps() const { return m_steps; }
  double trainedSeconds() const { return m_seconds; }
  double lastLoss() const { return m_loss; }
  void recordTraining(long steps, double seconds, double loss) {
    m_steps = steps;
    m_seconds = seconds;
    m_loss = loss;
  }

  // GenLab model file (lab "ct-prior"), written atomically.
  void save(const std::string& path) const;
  static std::shared_ptr<ScorePrior> load(const std::string& path, c10::Device device);

 private:
  PriorOptions m_options;
  c10::Device m_device;
  ScoreNet m_net{nullptr};
  long m_steps = 0;
  double m_seconds = 0, m_loss = 0;
};

// Denoising score matching with EDM's loss weighting: noise levels drawn
// log-normally around PriorOptions::sigmaMedian (a share log-uniformly in
// [sigma_min, sigma_max]; see ct_options.h), fresh random-ellipse phantoms
// from the training seed stream every step (never the held-out stream).
// The learning rate warms up over 100 steps and then follows a cosine down to
// a tenth over the run, whose length is `steps` or, when sooner, `maxSeconds`
// of time spent in step() (so a time-boxed run still ends its schedule). An
// exponential moving average of the weights (decay 0.999, shorter early on)
// is what finish() leaves in the prior, as samplers prefer it.
//
// A step's batch is drawn whole (the same random numbers as one batched
// step), then its gradient is accumulated kImagesPerPart images at a time by
// advance(), so the worker can serve a click between parts. Two, not one: a
// lone image costs twice what it costs in a batch (LibTorch 1.13 CPU, 128 px,
// 2 threads: forward and backward 57 ms for one image, 65 ms for two, 31 ms
// per image from two up). The network has no batch-coupled layers, so the
// accumulated gradient is the batched one up to rounding.
class PriorTrainer {
 public:
  PriorTrainer(std::shared_ptr<ScorePrior> prior);
  static constexpr int kImagesPerPart = 2;
  // One part of the current step; true when that finished the step (the
  // Adam update is applied and lastLoss() is the step's batch loss).
  bool advance();
  double step();  // a whole Adam step (advance() until it ends); returns the batch loss
  double lastLoss() const { return m_lastLoss; }
  long steps() const { return m_steps; }
  double seconds() const { return m_seconds; }  // spent in step()
  // Share of the run done, in [0, 1]: by steps, or by time when it is boxed.
  double progress() const;
  bool done() const { return progress() >= 1; }
  std::shared_ptr<ScorePrior> prior() const { return m_prior; }
  void finish();  // copies the averaged weights into the prior's network
  // The options' `data` source (ellipses, MRI slices, ...) and its held-out images.
  const TrainingImages& images() const { return *m_images; }

 private:
  at::Tensor trainingBatch();
  double learningRate() const;
  std::shared_ptr<ScorePrior> m_prior;
  std::vector<at::Tensor> m_average;
  std::unique_ptr<torch::optim::Adam> m_adam;
  at::Generator m_gen;
  long m_steps = 0;
  double m_seconds = 0;
  std::uint64_t m_nextImage = 0;
  std::unique_ptr<TrainingImages> m_images;
  // The step in progress: its batch, noise levels and loss weights, and how
  // many of its images have been through forward and backward.
  at::Tensor m_x, m_sigma, m_noisy, m_weight;
  int m_part = 0;
  double m_lossSum = 0, m_lastLoss = 0;
};

// Denoising quality on clean images (values in [0, 1]) noised at each level:
// mean PSNR of the noisy input and of D(x; sigma) clamped to [0, 1], D
// averaged over the square's 8 symmetries when `symmetric`.
struct DenoiserScore {
  double sigma = 0, noisyPsnr = 0, denoisedPsnr = 0;
};
std::vector<DenoiserScore> evaluateDenoiser(ScorePrior& prior, const std::vector<FloatImage>& images,
                                            const std::vector<double>& sigmas, bool symmetric,
                                            std::uint64_t seed);

}  // namespace genlab::core::ct
