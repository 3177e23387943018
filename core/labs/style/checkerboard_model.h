#pragma once
// Checkerboard lab model (issue 13, part 3): a small generator on 28x28
// images that upsamples 7 -> 14 -> 28 with one of six upsampling choices,
// trained on the worker in steps of one mini-batch, either adversarially (a
// DCGAN-style generator against a small conv discriminator, non-saturating
// loss: no pixel loss) or as the decoder of a convolutional autoencoder
// (reconstruction loss). Torch-free facade (pimpl): the ui holds sessions and posts work
// on them; every method except options() runs on the engine's worker.
#include <memory>
#include <string>
#include <vector>

#include "core/data/image_dataset.h"
#include "core/engine/engine.h"
#include "core/engine/snapshot.h"

namespace genlab::core::style {

// The upsampling choices, as the CLI spells them.
enum class Upsample { Transposed3, Transposed4, ResizeNearest, ResizeBilinear, Icnr,
                      Transposed3Balanced };
Upsample parseUpsample(const std::string& name);  // throws std::invalid_argument listing the names
std::string upsampleName(Upsample u);
std::vector<std::string> upsampleNames();
bool isTransposed(Upsample u);

// How the generator is trained. Gan: the setting (the artifact is
// judged only through a discriminator); Reconstruction: an autoencoder with a
// pixel loss, which removes image-space checkerboard by itself.
enum class Objective { Gan, Reconstruction };
Objective parseObjective(const std::string& name);  // "gan" | "reconstruction"; throws
std::string objectiveName(Objective o);

// A small MNIST classifier trained in-app with a fixed seed (the same for
// every upsampling choice and run), whose 64-d hidden features give the
// Frechet distance used as sample quality. Torch-free facade; worker only.
class CheckerboardJudge {
 public:
  static constexpr long kDefaultSteps = 600;
  explicit CheckerboardJudge(std::shared_ptr<const ImageSplit> data, long steps = kDefaultSteps,
                             int referenceImages = 1000);
  ~CheckerboardJudge();
  CheckerboardJudge(const CheckerboardJudge&) = delete;
  CheckerboardJudge& operator=(const CheckerboardJudge&) = delete;
  bool ready() const;
  long step() const;
  long steps() const;
  double trainStep();   // one mini-batch of 64 (no-op once ready); returns the loss
  double accuracy();    // on up to 2000 test images
  void prepareReference();  // the test images' feature Gaussian (else done by the first use)
  struct Impl;
  Impl& impl() { return *m_impl; }

 private:
  std::unique_ptr<Impl> m_impl;
};

struct CheckerboardOptions {
  Upsample upsample = Upsample::Transposed3;
  Objective objective = Objective::Gan;
  long steps = 1500;          // mini-batches to train
  int batch = 64;
  double lr = -1;             // < 0: the objective's default (gan 5e-4, reconstruction 2e-3)
  int latent = 32;            // bottleneck / noise width
  // Weight of the overlap-add balance regulariser (transposed kinds only; a
  // weight > 0 on Transposed3 is what Transposed3Balanced means). < 0: the
  // kind's default (1 for Transposed3Balanced, else 0).
  double balanceWeight = -1;
  std::uint64_t seed = 1;
  std::string data = "mnist";  // see loadImageData
  int evalImages = 1000;       // test images for the quality number
  int spectrumImages = 256;    // test images the energy is measured on
  int qualityImages = 1000;    // generated and test images of the Frechet distance
  double effectiveBalanceWeight() const;
  double effectiveLr() const;
  void validate() const;       // throws std::invalid_argument with a readable message
};

// One upsampling choice as the views show it.
struct CheckerboardView {
  std::string upsample;
  std::string objective;      // "gan" | "reconstruction"
  long step = 0;
  // Training loss of the last step, regulariser excluded: reconstruction BCE,
  // or (gan) the generator's non-saturating loss.
  double loss = 0;
  double discriminatorLoss = -1;  // gan only; < 0 otherwise
  double penalty = 0;         // the regulariser's value (unweighted), 0 when off
  // Checkerboard energy (stride 4) of the generated images: gan, the
  // generator on fixed N(0, I) noise; reconstruction, the decoder on codes
  // drawn from a Gaussian fit to the test images' codes. The spectrum below
  // is theirs.
  double energy = 0;
  double reconstructionEnergy = -1;  // ... of the test reconstructions (reconstruction only)
  double residualEnergy = -1;        // ... of reconstruction - original (reconstruction only)
  double imbalance = 0;       // phase imbalance, mean over the two upsampling layers
  std::vector<double> layerImbalance;           // per layer
  std::vector<std::vector<double>> overlapMaps;  // per layer: 2x2 RMS phase sums
  std::vector<std::vector<int>> overlapCounts;   // per layer: 2x2 tap counts (transposed only)
  int spectrumSize = 28;
  std::vector<double> spectrum;  // mean power spectrum of the generated images, 28x28, DC at [0]
  Image spectrumImage;           // log power, centred, 28x28
  // 4 wide, 3 rows: test digits, then reconstructions and generated images
  // (reconstruction) or two rows of generated images (gan).
  Image samples;
  double quality = -1;           // Frechet distance (see CheckerboardSummary); < 0: not measured yet
};

struct CheckerboardCurvePoint {
  long step = 0;
  double energy = 0, imbalance = 0, loss = 0;
};

class CheckerboardSession {
 public:
  // Loads the data, builds the model with options.seed. Worker only.
  static std::shared_ptr<CheckerboardSession> create(const CheckerboardOptions& o);
  // `judge`: shared by the sessions compared side by side (one is made when null).
  CheckerboardSession(const CheckerboardOptions& o, std::shared_ptr<const ImageSplit> data,
                      std::shared_ptr<CheckerboardJudge> judge = nullptr);
  ~CheckerboardSession();
  CheckerboardSession(const CheckerboardSession&) = delete;
  CheckerboardSession& operator=(const CheckerboardSession&) = delete;

  const CheckerboardOptions& options() const { return m_options; }
  void setBalanceWeight(double w);
  double balanceWeight() const;
  long step() const;
  // One Adam step on one mini-batch; returns the loss (see CheckerboardView::loss).
  // Gan: one discriminator step, then one generator step, on the same batch of noise.
  double trainStep();
  // Energy, imbalance, maps and spectrum on the fixed test images, now.
  CheckerboardView view();
  // Test reconstruction MSE per pixel over options().evalImages test images
  // (reconstruction only; < 0 for gan, whose encoder is not trained).
  double testMse();
  // Frechet distance between the judge's features of options().qualityImages
  // generated images (fixed noise) and as many test images. Trains the judge
  // first if it is not ready (prefer training it in slices: judge()).
  double frechetDistance();
  CheckerboardJudge& judge() { return *m_judge; }
  // Checkerboard energy of the real test images themselves (the floor).
  double dataEnergy() const;
  std::vector<CheckerboardCurvePoint> curve;  // appended by the job

 private:
  struct Impl;
  CheckerboardOptions m_options;
  std::shared_ptr<const ImageSplit> m_data;
  std::shared_ptr<CheckerboardJudge> m_judge;
  std::unique_ptr<Impl> m_impl;
};

// Progress of a checkerboard job: one view per session (A, B).
struct CheckerboardProgress : Payload {
  long step = 0, totalSteps = 0;
  long judgeStep = 0, judgeSteps = 0;  // the quality judge's training (before the models')
  double elapsedSeconds = 0;
  std::vector<CheckerboardView> sides;
  std::vector<std::vector<CheckerboardCurvePoint>> curves;
};

struct CheckerboardSummary {
  std::string upsample;
  long steps = 0;
  double balanceWeight = 0;
  double initEnergy = 0, initImbalance = 0;
  double energy = 0, imbalance = 0;  // energy: of the generated images (see CheckerboardView)
  std::string objective;
  double testMse = -1;        // reconstruction only; < 0 for gan
  double frechet = -1;        // Frechet distance in the judge's feature space (lower is better)
  double judgeAccuracy = -1;  // the judge's MNIST test accuracy
  double dataEnergy = 0;
  double trainSeconds = 0;
  CheckerboardView view;
};

struct CheckerboardResult : Payload {
  std::vector<CheckerboardSummary> sides;
};

// Trains one or two sessions side by side for `steps` more steps each (one
// mini-batch of one side per job step, sides in turn), publishes CheckerboardProgress on
// channel "style.gan.checkerboard.progress" and a CheckerboardResult.
// Live setting "balance_weight" changes the regulariser's weight of every
// regularised session (Transposed3Balanced, or a weight > 0 already).
class CheckerboardJob : public Job {
 public:
  // evalEvery > 0: also publishes a progress snapshot after every evalEvery-th
  // step exactly (the CLI's --eval-every), besides the timed ones.
  CheckerboardJob(std::vector<std::shared_ptr<CheckerboardSession>> sessions, long steps,
                  long evalEvery = 0);
  std::string name() const override { return "style.gan.checkerboard"; }
  void begin(JobContext& ctx) override;
  bool step(JobContext& ctx) override;

 private:
  // Publishes progress with `views` (one per session), or fresh ones when null.
  void publish(JobContext& ctx, const std::vector<CheckerboardView>* views = nullptr);
  // After training: one short piece per call (a view per side, the judge,
  // a quality per side, then the result); true when the result is out.
  bool finish(JobContext& ctx);
  std::vector<std::shared_ptr<CheckerboardSession>> m_sessions;
  long m_steps, m_evalEvery, m_done = 0;
  std::size_t m_finish = 0;
  bool m_collecting = false;               // a progress snapshot is being built, a view per step
  std::vector<CheckerboardView> m_pending, m_last;
  std::vector<CheckerboardView> m_final;
  std::vector<double> m_frechet, m_mse;
  std::size_t m_turn = 0;  // the side that trains next
  std::vector<double> m_initEnergy, m_initImbalance;
  double m_seconds = 0;
};

}  // namespace genlab::core::style
