#include "ui/labs/style/adain_controller.h"

#include <cstring>

#include "core/labs/style/style_image.h"

namespace genlab::ui {

using namespace core::style;
using PayloadPtr = LabClient::PayloadPtr;

namespace {
core::Image toCoreImage(const QImage& in) {
  core::Image out;
  if (in.isNull()) return out;
  const QImage rgb = in.convertToFormat(QImage::Format_RGB888);
  out.width = rgb.width();
  out.height = rgb.height();
  out.channels = 3;
  out.pixels.resize(std::size_t(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y)
    std::memcpy(out.pixels.data() + std::size_t(y) * out.width * 3, rgb.constScanLine(y),
                std::size_t(out.width) * 3);
  return out;
}
}  // namespace

AdainController::AdainController(EngineBridge* bridge, QObject* parent)
    : QObject(parent), m_client(bridge, channel::kLab, this) {
  m_client.setErrorHandler(
      [this](const QString& what, const QString& message) { Q_EMIT errorOccurred(what, message); });
}

AdainController::~AdainController() {
  if (m_jobId) m_client.cancel(m_jobId);
  releaseSession();
}

void AdainController::releaseSession() {
  if (!m_session) return;
  m_client.releaseOnWorker(std::move(m_session));
  m_session.reset();
}

void AdainController::requestOpen(const QString& what, std::function<std::shared_ptr<OpenedDecoder>()> open) {
  if (training()) return;
  m_client.request(
      "open", what, [open = std::move(open)]() -> PayloadPtr { return open(); },
      LabClient::as<OpenedDecoder>([this](auto o) { adopt(o); }));
}

void AdainController::openDefault() { requestOpen(tr("Open decoder"), [] { return openDefaultDecoder(); }); }

void AdainController::openAtLaunch() { requestOpen(tr("Open decoder"), [] { return openLaunchDecoder(); }); }

void AdainController::openDecoder(const QString& path) {
  const std::string file = path.toStdString();
  requestOpen(tr("Open decoder"), [file] { return core::style::openDecoder(file); });
}

void AdainController::newDecoder(const QString& upsampling) {
  const std::string up = upsampling.toStdString();
  requestOpen(tr("New decoder"), [up] { return core::style::newDecoder(up); });
}

void AdainController::adopt(const std::shared_ptr<const OpenedDecoder>& o) {
  releaseSession();
  m_session = o->session;
  m_trained = o->trained;
  m_summary = QString::fromStdString(o->summary);
  m_path = QString::fromStdString(o->path);
  m_usingDefault = o->path.empty() || o->path == defaultDecoderPath();
  m_upsampling = QString::fromStdString(o->upsampling);
  m_trainTarget = m_usingDefault ? QString::fromStdString(userDecoderPathFor(o->upsampling)) : m_path;
  Q_EMIT decoderFileChanged();
  // The images live in the session: hand them to the new one.
  for (int slot = -1; slot < kMaxStyles; ++slot)
    if (!m_images[slot + 1].empty()) sendImage(slot);
  Q_EMIT opened(m_summary, m_trained);
}

void AdainController::saveDecoder(const QString& path) {
  if (!m_session) return;
  auto s = m_session;
  const std::string file = path.toStdString();
  m_client.request(
      "save", tr("Save decoder"),
      [s, file]() -> PayloadPtr {
        s->save(file);
        return nullptr;
      },
      [this, path](const PayloadPtr&) { Q_EMIT info(tr("Decoder saved to %1").arg(path)); });
}

void AdainController::setTrainTarget(const QString& path) {
  if (path.isEmpty() || training()) return;
  m_trainTarget = path;
  Q_EMIT decoderFileChanged();
}

void AdainController::setImage(int slot, const QImage& image) {
  if (slot < -1 || slot >= kMaxStyles) return;
  core::Image img = toCoreImage(image);
  if (!img.empty()) {
    try {
      checkImage(img, image.text(QStringLiteral("name")).toStdString());
    } catch (const std::exception& e) {
      Q_EMIT errorOccurred(tr("Open image"), QString::fromStdString(e.what()));
      return;
    }
  }
  m_images[slot + 1] = std::move(img);
  sendImage(slot);
}

void AdainController::setPreviewSize(int side) {
  if (side == m_previewSize) return;
  m_previewSize = side;
  for (int slot = -1; slot < kMaxStyles; ++slot)
    if (!m_images[slot + 1].empty()) sendImage(slot);
}

void AdainController::sendImage(int slot) {
  if (!m_session) return;  // sent when the session opens
  auto s = m_session;
  const core::Image image = m_images[slot + 1];
  const int side = m_previewSize;
  m_client.request(
      "image" + std::to_string(slot), tr("Set image"),
      [s, slot, image, side]() -> PayloadPtr { return core::style::setImage(*s, slot, image, side); },
      LabClient::as<LoadedImages>([this](auto images) { Q_EMIT imagesChanged(images); }));
}

void AdainController::transfer(const TransferParams& params) {
  if (!m_session) return;
  auto s = m_session;
  m_client.requestLatest(
      "transfer", tr("Style transfer"),
      [s, params]() -> PayloadPtr {
        if (!s->hasContent()) return nullptr;
        for (int i = 0; i < kMaxStyles; ++i)
          if (s->hasStyle(i) && params.weights[i] > 0) return runTransfer(*s, params);
        return nullptr;  // no style with a weight yet: nothing to show
      },
      LabClient::as<TransferResult>([this](auto r) { Q_EMIT transferred(r); }));
}

void AdainController::train(long steps, int size, int batch, std::uint64_t seed, double balanceWeight) {
  if (!m_session || training()) return;
  TrainConfig c;
  c.balanceWeight = balanceWeight;  // a nearest decoder has no regulariser: the session ignores it
  c.size = size;
  c.batch = batch;
  c.seed = seed;
  LabClient::JobHandlers h;
  h.progress = [this](const core::Snapshot& s) {
    if (s.job != m_jobId) return;
    if (auto p = std::dynamic_pointer_cast<const StyleProgress>(s.payload)) Q_EMIT progressed(p);
  };
  const long stepsBefore = m_session->step();
  h.ended = [this, stepsBefore](const LabClient::JobEnd& end) {
    if (end.job != m_jobId) return;
    m_jobId = 0;
    if (end.failed()) {
      Q_EMIT trainingChanged(false);
      Q_EMIT errorOccurred(tr("Train decoder"), end.message);
      return;
    }
    const long stepsNow = m_session ? m_session->step() : 0;
    m_trained = stepsNow > 0;
    const auto r = std::dynamic_pointer_cast<const StyleTrainResult>(end.result);
    if (stepsNow > stepsBefore) {  // the job saved it (done or stopped): that file is in use now
      m_path = m_trainTarget;
      m_usingDefault = m_path.toStdString() == defaultDecoderPath();
      m_summary = r ? tr("decoder: %1 steps, saved to %2").arg(r->totalSteps).arg(m_path)
                    : tr("decoder: %1 steps (training stopped; saved to %2)").arg(stepsNow).arg(m_path);
    }
    Q_EMIT decoderFileChanged();
    Q_EMIT trainingChanged(false);
    if (r) Q_EMIT finished(r);
    else if (end.cancelled()) Q_EMIT info(m_summary);
  };
  m_jobId = m_client.submit(
      std::make_unique<StyleTrainJob>(m_session, steps, c, m_trainTarget.toStdString()), std::move(h));
  Q_EMIT trainingChanged(true);
}

void AdainController::cancel() {
  if (m_jobId) m_client.cancel(m_jobId);
}

}  // namespace genlab::ui
