#pragma once
// Internal state of Toy2dSession, shared by toy2d_session.cpp and
// toy2d_session_views.cpp. Torch-free.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/labs/toy2d/toy2d_metrics.h"
#include "core/labs/toy2d/toy2d_model.h"
#include "core/labs/toy2d/toy2d_session.h"

namespace genlab::core::toy2d {

struct Toy2dSession::Impl {
  std::shared_ptr<DataSampler> sampler;
  std::unique_ptr<Model> model;
  FlowViews* flow = nullptr;
  GanViews* gan = nullptr;
  DiffusionViews* diffusion = nullptr;
  VaeViews* vae = nullptr;
  long iteration = 0;
  double trainSeconds = 0;
  std::vector<float> losses;
  // Evaluation in progress: sampling, then the MMD, then the held-out NLL,
  // each in slices of about kEvalSliceSeconds.
  enum class EvalPhase { Idle, Sampling, Mmd, Nll };
  EvalPhase phase = EvalPhase::Idle;
  std::unique_ptr<SampleRun> run;
  std::unique_ptr<MmdComputation> mmd;
  std::size_t nllCursor = 0;
  double nllSum = 0;
  double samplingSeconds = 0;
  EvalMetrics pending, last;

  template <class T>
  T& need(T* p, const char* what) {
    if (!p)
      throw std::logic_error(std::string(what) + " is not a view of the " + model->label() +
                             " model");
    return *p;
  }
};

}  // namespace genlab::core::toy2d
