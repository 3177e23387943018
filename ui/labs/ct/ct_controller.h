#pragma once
// The CT lab's side of the engine: owns the CtSession (made on and living on
// the worker), sets up the object and the scan, runs one reconstruction job
// per method, trains or loads the score prior, imports and exports volumes
// and splits results into measured / unseen parts. Everything torch runs on
// the worker (core/labs/ct/ct_requests.h); this object only posts requests
// through its LabClient and applies the replies.
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <map>
#include <vector>

#include "core/labs/ct/ct_requests.h"  // the session, options, volumes and payloads
#include "ui/bridge/lab_client.h"

namespace genlab::ui {

// What the controller hands the panel: the worker's payloads, shared and immutable.
using CtProgressPtr = std::shared_ptr<const core::ct::ReconProgress>;
using CtResultPtr = std::shared_ptr<const core::ct::ReconResult>;
using CtPriorProgressPtr = std::shared_ptr<const core::ct::PriorProgress>;
using VolumePtr = std::shared_ptr<const core::data::Volume>;
using CtVolumeProgressPtr = std::shared_ptr<const core::ct::VolumeProgress>;
using CtVolumeResultPtr = std::shared_ptr<const core::ct::VolumeResult>;

// What to image: a built-in phantom or a given picture (imported slice,
// Hubble image), normalised to [0, 1] by the panel.
struct CtObjectSpec : core::ct::ObjectSpec {
  QString label;  // for titles and the status bar
};

class CtController : public QObject {
  Q_OBJECT

 public:
  explicit CtController(EngineBridge* bridge, QObject* parent = nullptr);
  ~CtController() override;

  // Sets up object + scan, simulates, then queues one job per method. A run
  // in progress is cancelled first.
  void run(const core::ct::ScanOptions& scan, const CtObjectSpec& object,
           const std::vector<core::ct::ReconOptions>& methods);
  // Only object + scan + simulation (shows the measurement; no methods).
  void simulate(const core::ct::ScanOptions& scan, const CtObjectSpec& object);
  void cancel();
  bool running() const { return m_setupPending || !m_jobs.empty(); }
  // Methods of the current run not finished yet.
  QStringList pendingMethods() const;

  void loadPrior(const QString& path, bool quiet = false);
  // The loaded prior as TorchScript for PyTorch (exported(path) or errorOccurred).
  void exportPriorScript(const QString& pathPt);
  void trainPrior(const core::ct::PriorOptions& options, const QString& savePath);
  void cancelPriorTraining();
  bool trainingPrior() const { return m_priorJob != 0; }
  bool hasPrior() const { return m_hasPrior; }
  QString priorDescription() const { return m_priorDescription; }

  void importVolume(const QString& path);
  // PNG files take `png`'s grey window; NIfTI and MetaImage keep the values.
  void exportVolume(const core::data::Volume& volume, const QString& path,
                    const core::data::PngExport& png = {});
  // The MRI head volume (read once on the worker): mriReady, or errorOccurred.
  void fetchMri();
  // Reconstructs chosen slices of `volume` one by one with `options` under
  // `scan` (see makeVolumeReconstructionJob). Independent of run().
  void runVolume(const core::ct::ScanOptions& scan, const VolumePtr& volume,
                 const core::ct::ReconOptions& options, const core::ct::VolumeSlices& slices);
  void cancelVolume();
  bool volumeRunning() const { return m_volumeJob != 0; }

  // Splits `image` into its measured and unseen parts under the current scan.
  void requestNullspace(const QString& key, const core::physics::FloatImage& image);

 Q_SIGNALS:
  void busyChanged(bool running);
  // The object and the (noisy) measurement the methods see.
  void simulated(const core::physics::FloatImage& object,
                 const core::physics::FloatImage& measurement);
  void methodProgress(const genlab::ui::CtProgressPtr& progress, double runFraction);
  void methodFinished(const genlab::ui::CtResultPtr& result);
  void methodFailed(const QString& method, const QString& message);
  void runFinished(bool cancelled);
  void priorLoaded(const QString& description);
  void priorProgress(const genlab::ui::CtPriorProgressPtr& progress);
  void priorFinished(const QString& description);
  void priorStopped();
  void imported(const QString& path, const genlab::ui::VolumePtr& volume);
  void exported(const QString& path);
  void mriReady(const genlab::ui::VolumePtr& volume);
  void volumeProgress(const genlab::ui::CtVolumeProgressPtr& progress);
  void volumeFinished(const genlab::ui::CtVolumeResultPtr& result);
  void volumeStopped(bool cancelled);
  void nullspaceReady(const QString& key, const core::physics::FloatImage& rowSpace,
                      const core::physics::FloatImage& nullSpace);
  // `fileError`: about a file the user chose (a message box, not just the status line).
  void errorOccurred(const QString& what, const QString& message, bool fileError);

 private:
  // Runs `fn` once the session exists (at once after the first reply).
  void withSession(std::function<void()> fn);
  void onMethodEnded(const LabClient::JobEnd& end);
  void onPriorEnded(const LabClient::JobEnd& end);
  void onVolumeEnded(const LabClient::JobEnd& end);
  void onSetUp(int generation, const std::shared_ptr<const core::ct::Simulated>& r);
  void postSetup(const core::ct::ScanOptions& scan, const CtObjectSpec& object);
  void submitMethods();
  void finishRun(bool cancelled);
  void stopCurrent();  // cancels the run's jobs without reporting it
  double runFraction(double current) const;

  EngineBridge* m_bridge;
  LabClient m_client;
  std::shared_ptr<core::ct::CtSession> m_session;
  std::vector<std::function<void()>> m_waitingForSession;
  // Asked between the nullspace split's iterations (Stop, closing the lab).
  std::shared_ptr<std::atomic<bool>> m_stopNullspace = std::make_shared<std::atomic<bool>>(false);
  int m_generation = 0;
  bool m_setupPending = false;
  bool m_cancelledRun = false;
  std::vector<core::ct::ReconOptions> m_queued;  // submitted once the setup succeeded
  std::map<std::uint64_t, std::string> m_jobs;    // job id -> method, this run
  int m_runTotal = 0, m_runDone = 0;
  std::uint64_t m_priorJob = 0;
  std::uint64_t m_volumeJob = 0;
  bool m_hasPrior = false;
  QString m_priorDescription;
};

}  // namespace genlab::ui
