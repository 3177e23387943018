#pragma once
// The Protein lab's side of the engine: owns the current ProteinSession (on
// the worker), runs its training job and serves decode, scan, design and
// export requests through one LabClient. The work is in
// core/labs/protein/protein_requests.h.
#include <QObject>
#include <QPointF>
#include <QString>

#include "core/labs/protein/protein_job.h"
#include "core/labs/protein/protein_requests.h"
#include "ui/bridge/lab_client.h"

namespace genlab::ui {

using ProteinProgressPtr = std::shared_ptr<const core::protein::ProteinProgress>;
using ProteinResultPtr = std::shared_ptr<const core::protein::ProteinResult>;
using FamilyMapPtr = std::shared_ptr<const core::protein::FamilyMap>;
using DecodedSequencePtr = std::shared_ptr<const core::protein::DecodedSequence>;
using MutationScanPtr = std::shared_ptr<const core::protein::MutationScan>;
using FunnelResultPtr = std::shared_ptr<const core::protein::FunnelResult>;

class ProteinController : public QObject {
  Q_OBJECT

 public:
  explicit ProteinController(EngineBridge* bridge, QObject* parent = nullptr);
  ~ProteinController() override;

  bool busy() const { return m_preparing || m_jobId != 0; }
  bool training() const { return m_jobId != 0; }
  bool hasSession() const { return bool(m_session); }
  // The session's family, for names and annotations (read-only on the GUI thread).
  std::shared_ptr<const core::protein::ProteinSession> session() const { return m_session; }

  // Opens `options.family` (new session); trains it when `thenTrain`.
  void open(const core::protein::ProteinOptions& options, bool thenTrain);
  // Trains the current session (same options) or opens one first.
  void start(const core::protein::ProteinOptions& options);
  void cancel();
  void decode(QPointF latent);
  void scan(const QString& wildtype, int samples);
  void design(int n, int seed, const core::protein::FunnelFilters& filters,
              const core::protein::Region& region);
  void exportDesigns(const QString& path, bool all);
  void exportScan(const QString& path);
  void save(const QString& path);
  void load(const QString& path);

 Q_SIGNALS:
  void opened(const QString& summary);
  void progressed(const genlab::ui::ProteinProgressPtr& progress);
  void mapUpdated(const genlab::ui::FamilyMapPtr& map);
  void decoded(const genlab::ui::DecodedSequencePtr& decoded);
  void scanned(const genlab::ui::MutationScanPtr& scan);
  void designed(const genlab::ui::FunnelResultPtr& result);
  void finished(const genlab::ui::ProteinResultPtr& result);
  void busyChanged(bool busy);
  void errorOccurred(const QString& what, const QString& message);
  void info(const QString& message);

 private:
  void submitJob();
  void releaseSession();
  void adopt(const std::shared_ptr<const core::protein::OpenedFamily>& opened, bool thenTrain);

  LabClient m_client;
  std::shared_ptr<core::protein::ProteinSession> m_session;
  core::protein::ProteinOptions m_options;
  std::uint64_t m_jobId = 0;
  bool m_preparing = false;
  FunnelResultPtr m_lastDesign;
  MutationScanPtr m_lastScan;
};

}  // namespace genlab::ui
