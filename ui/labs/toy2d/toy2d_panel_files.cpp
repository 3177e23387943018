// Toy2dPanel: drawing your own data, CSV import / export, PNG export.
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMessageBox>
#include <QPainter>
#include <QTabWidget>

#include <exception>

#include "core/labs/toy2d/toy2d_session.h"
#include "ui/labs/toy2d/toy2d_column.h"
#include "ui/labs/toy2d/toy2d_compare.h"
#include "ui/labs/toy2d/toy2d_controls.h"
#include "ui/labs/toy2d/toy2d_panel.h"
#include "ui/labs/toy2d/toy2d_reparam_tab.h"
#include "ui/labs/toy2d/toy2d_scenes.h"
#include "ui/views/field_view.h"
#include "ui/views/log_log_chart.h"

namespace genlab::ui {

namespace {
constexpr double kCanvasHalf = 3.0;  // the drawing canvas spans [-3, 3]^2
}

void Toy2dPanel::showCanvas() {
  const QString hint = tr("Drag here to paint points (Shift+drag erases).\n"
                          "Then press Train: the models learn your drawing.");
  QRectF home(-kCanvasHalf, -kCanvasHalf, 2 * kCanvasHalf, 2 * kCanvasHalf);
  if (!m_drawn.empty()) home = home.united(toy2dDataRect(m_drawn, 0.5));
  m_columns[0]->clearModel(QString());
  m_columns[0]->showCanvas(toy2dCanvasScene(m_drawn, hint), home);
  FieldView* f = m_columns[0]->fieldView();
  f->setBrushRadius(m_controls->brushRadius());
  f->setEraseMode(m_controls->eraseMode());
  m_columns[1]->clearModel(tr("Draw on the left, then press Train.\nBoth models learn the same "
                              "points (no standardisation: what you draw is what they see)."));
  m_controls->setDrawnCount(int(m_drawn.size()));
}

void Toy2dPanel::onBrush(QPointF world, bool erase) {
  if (!m_controls->drawMode()) return;
  if (m_controller->busy()) showInfo(tr("Changing the data stopped training."));
  const bool hadModels = m_controller->sessionCount() > 0;
  if (erase) {
    core::toy2d::eraseDisc(m_drawn, float(world.x()), float(world.y()), float(m_controls->brushRadius()));
  } else {
    if (m_drawn.size() + std::size_t(m_controls->brushDensity()) > core::toy2d::kMaxPoints) return;
    core::toy2d::paintBrush(m_drawn, float(world.x()), float(world.y()),
                            float(m_controls->brushRadius()), m_controls->brushDensity(), m_brushSeed++);
  }
  ++m_drawnRevision;
  if (hadModels || m_controller->busy()) {
    m_controller->clearSessions();
    showCanvas();
    return;
  }
  m_columns[0]->fieldView()->setScene(toy2dCanvasScene(m_drawn, QString()));
  m_controls->setDrawnCount(int(m_drawn.size()));
}

void Toy2dPanel::importCsv(const QString& path) {
  m_lastError.clear();
  showInfo(tr("Reading %1…").arg(QFileInfo(path).fileName()));
  m_controller->importCsv(path);
}

void Toy2dPanel::importDialog() {
  if (m_controller->busy()) {
    showInfo(tr("Stop training before importing data."));
    return;
  }
  const QString path = QFileDialog::getOpenFileName(this, tr("Import 2-D points"), QString(),
                                                    tr("CSV files (*.csv *.txt);;All files (*)"));
  if (!path.isEmpty()) importCsv(path);
}

void Toy2dPanel::exportPointsCsv(const QString& path) {
  auto points = std::make_shared<core::toy2d::Points2D>();
  if (m_controls->drawMode()) {
    *points = m_drawn;
  } else if (auto s = m_controller->session(0)) {
    // The data as the models see it (standardised), train then held-out.
    points->xy = s->data().train.xy;
    points->xy.insert(points->xy.end(), s->data().heldOut.xy.begin(), s->data().heldOut.xy.end());
  }
  if (points->empty()) {
    onError(tr("Export CSV"), tr("There are no points to export yet."), false);
    return;
  }
  m_controller->exportPoints(path, points);
}

void Toy2dPanel::exportPointsDialog() {
  QString path = QFileDialog::getSaveFileName(this, tr("Export 2-D points"),
                                              QStringLiteral("%1.csv").arg(m_controls->dataSpec() == "drawn" ? "drawn" : "points"),
                                              tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".csv";
  exportPointsCsv(path);
}

bool Toy2dPanel::exportTableCsv(const QString& path) {
  try {
    core::toy2d::writeComparisonCsv(path.toStdString(), m_compare->rows());
  } catch (const std::exception& e) {
    onError(tr("Export table"), QString::fromStdString(e.what()), true);
    return false;
  }
  showInfo(tr("Table saved to %1").arg(path));
  return true;
}

void Toy2dPanel::exportTableDialog() {
  QString path = QFileDialog::getSaveFileName(this, tr("Export comparison table"),
                                              QStringLiteral("toy2d-comparison.csv"),
                                              tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".csv";
  exportTableCsv(path);
}

void Toy2dPanel::exportModelDialog() {
  const int n = m_controller->sessionCount();
  if (n == 0) {
    QMessageBox::information(this, tr("Export model"), tr("There is no model to export yet: train one first."));
    return;
  }
  int index = 0;
  if (n > 1) {  // side by side: which one
    QStringList labels;
    for (int i = 0; i < n; ++i) labels << QString::fromStdString(m_controller->session(i)->label());
    bool ok = false;
    const QString pick = QInputDialog::getItem(this, tr("Export model"), tr("Which model?"), labels,
                                               0, false, &ok);
    if (!ok) return;
    index = int(labels.indexOf(pick));
  }
  const auto label = QString::fromStdString(m_controller->session(index)->options().model);
  QString path = QFileDialog::getSaveFileName(this, tr("Export model for PyTorch"),
                                              QStringLiteral("toy2d-%1.pt").arg(label),
                                              tr("TorchScript (*.pt)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".pt")) path += ".pt";
  exportModel(index, path);
}

void Toy2dPanel::exportModel(int index, const QString& pathPt) {
  m_controller->exportTorchScript(index, pathPt);
}

QImage Toy2dPanel::exportImage() {
  if (m_tabs->currentWidget() == m_reparam) return m_reparam->grab().toImage();
  // Both columns side by side, as on screen.
  QImage a = m_columns[0]->exportImage();
  QImage b = m_columns[1]->exportImage();
  a.setDevicePixelRatio(1);
  b.setDevicePixelRatio(1);
  QImage out(a.width() + b.width() + 16, std::max(a.height(), b.height()), QImage::Format_RGB32);
  out.fill(palette().color(QPalette::Window));
  QPainter p(&out);
  p.drawImage(QPoint(0, 0), a);
  p.drawImage(QPoint(a.width() + 16, 0), b);
  return out;
}

bool Toy2dPanel::exportViewPng(int column, const QString& path) {
  const QImage image = column < 0 ? exportImage() : m_columns[column]->exportImage();
  if (image.isNull() || !image.save(path, "PNG")) {
    onError(tr("Export view"), tr("Could not write %1.").arg(path), true);
    return false;
  }
  showInfo(tr("View saved to %1").arg(path));
  return true;
}

void Toy2dPanel::exportViewDialog(int column) {
  QString path = QFileDialog::getSaveFileName(
      this, tr("Export view as PNG"),
      column < 0 ? QStringLiteral("toy2d.png") : QStringLiteral("toy2d-%1.png").arg(column == 0 ? "a" : "b"),
      tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".png", Qt::CaseInsensitive)) path += ".png";
  exportViewPng(column, path);
}

}  // namespace genlab::ui
