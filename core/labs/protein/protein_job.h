#pragma once
// Training job of the Protein lab: Adam steps in slices of about 15 ms on the
// engine worker; every `evalEvery` epochs (and at the end) the held-out ELBO
// beside the PSSM's held-out log-likelihood, and the family map.
#include <memory>
#include <vector>

#include "core/engine/engine.h"
#include "core/labs/protein/protein_session.h"

namespace genlab::core::protein {

struct ProteinCurvePoint {
  double epoch = 0;
  ProteinMetrics m;
};

struct ProteinProgress : Payload {
  double epoch = 0;
  int epochs = 0;
  long step = 0, totalSteps = 0;
  double sequencesPerSecond = 0;
  double elapsedSeconds = 0;
  std::vector<ProteinCurvePoint> train;    // averaged over a few steps each
  std::vector<ProteinCurvePoint> heldOut;  // one per evaluation
  double pssmHeldOut = 0;  // mean log-likelihood of the held-out sequences (NaN: none held out)
  double neff = 0;
};

struct ProteinResult : Payload {
  ProteinMetrics heldOut;   // NaN when nothing is held out
  double pssmHeldOut = 0;
  ProteinMetrics train;     // on the training sequences, same estimator
  double pssmTrain = 0;
  double neff = 0;
  double trainSeconds = 0;
  double sequencesPerSecond = 0;
  double epochs = 0;
};

class ProteinTrainJob : public Job {
 public:
  // Trains `session` for session->options().epochs more epochs.
  explicit ProteinTrainJob(std::shared_ptr<ProteinSession> session, int evalPoints = 10,
                           bool publishMaps = true);
  std::string name() const override;
  void begin(JobContext& ctx) override;
  bool step(JobContext& ctx) override;
  void end(JobContext& ctx, bool cancelled) override;

  struct State;  // the job's bookkeeping (protein_job.cpp)

 private:
  std::shared_ptr<ProteinSession> m_session;
  std::shared_ptr<State> m_state;
};

}  // namespace genlab::core::protein
