#pragma once
// The Style lab's AdaIN side of the engine: owns the StyleSession (on the
// worker), sets the content and style images (their encoder features are
// cached there), asks for transfers latest-wins while sliders move, and runs
// the decoder's training job. The work is in core/labs/style/style_requests.h.
#include <QImage>
#include <QObject>
#include <QString>
#include <functional>

#include <array>

#include "core/labs/style/style_job.h"
#include "core/labs/style/style_requests.h"
#include "ui/bridge/lab_client.h"

namespace genlab::ui {

using StyleTransferPtr = std::shared_ptr<const core::style::TransferResult>;
using StyleProgressPtr = std::shared_ptr<const core::style::StyleProgress>;
using StyleTrainResultPtr = std::shared_ptr<const core::style::StyleTrainResult>;
using StyleImagesPtr = std::shared_ptr<const core::style::LoadedImages>;

class AdainController : public QObject {
  Q_OBJECT

 public:
  explicit AdainController(EngineBridge* bridge, QObject* parent = nullptr);
  ~AdainController() override;

  bool training() const { return m_jobId != 0; }
  bool ready() const { return bool(m_session); }
  bool trained() const { return m_trained; }
  QString summary() const { return m_summary; }
  // The file the decoder in use came from ("" : a fresh, untrained one) and
  // whether that is the shipped default (defaultDecoderPath()).
  QString loadedPath() const { return m_path; }
  bool usingDefault() const { return m_usingDefault; }
  // Where Train decoder saves (when done and when stopped): the opened file
  // when it is the user's own, else userDecoderPath() — never silently the
  // shipped default. setTrainTarget picks another file (Save to…).
  QString trainTarget() const { return m_trainTarget; }
  void setTrainTarget(const QString& path);

  // The default decoder (or a fresh one with a note on how to train it).
  void openDefault();
  // At launch: the default decoder, else the user's own, else a fresh one.
  void openAtLaunch();
  void openDecoder(const QString& path);
  // A fresh, untrained decoder with this upsampling ("nearest", "transposed3",
  // "transposed4"): the checkerboard experiment in the AdaIN tab. Training it
  // saves to userDecoderPathFor(upsampling), never over the user's decoder.
  void newDecoder(const QString& upsampling);
  QString upsampling() const { return m_upsampling; }  // of the decoder in use
  void saveDecoder(const QString& path);
  // slot -1: content; 0..3: style A..D. A null image clears a style slot.
  void setImage(int slot, const QImage& image);
  void setPreviewSize(int side);
  // Latest-wins: while one transfer runs, only the newest waiting one is kept.
  void transfer(const core::style::TransferParams& params);
  // balanceWeight: the overlap-add regulariser (transposed decoders only).
  void train(long steps, int size, int batch, std::uint64_t seed, double balanceWeight = 0);
  void cancel();

 Q_SIGNALS:
  void opened(const QString& summary, bool trained);
  void imagesChanged(const genlab::ui::StyleImagesPtr& images);
  void transferred(const genlab::ui::StyleTransferPtr& result);
  void progressed(const genlab::ui::StyleProgressPtr& progress);
  void finished(const genlab::ui::StyleTrainResultPtr& result);
  void trainingChanged(bool training);
  void decoderFileChanged();  // loadedPath(), usingDefault() or trainTarget() changed
  void errorOccurred(const QString& what, const QString& message);
  void info(const QString& message);

 private:
  void adopt(const std::shared_ptr<const core::style::OpenedDecoder>& o);
  // Runs `open` on the worker (unless training) and adopts what it returns.
  void requestOpen(const QString& what, std::function<std::shared_ptr<core::style::OpenedDecoder>()> open);
  void sendImage(int slot);
  void releaseSession();

  LabClient m_client;
  std::shared_ptr<core::style::StyleSession> m_session;
  std::array<core::Image, core::style::kMaxStyles + 1> m_images;  // [0] content, [1..4] styles
  int m_previewSize = 256;
  std::uint64_t m_jobId = 0;
  bool m_trained = false;
  QString m_summary;
  QString m_path;
  bool m_usingDefault = false;
  QString m_trainTarget;
  QString m_upsampling = QStringLiteral("nearest");
};

}  // namespace genlab::ui
