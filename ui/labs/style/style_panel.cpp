#include "ui/labs/style/style_panel.h"

#include <QFileDialog>
#include <QTabWidget>
#include <QVBoxLayout>

namespace genlab::ui {

LabPanel* labs::make_style(EngineBridge* bridge, QWidget* parent) { return new StylePanel(bridge, parent); }

StylePanel::StylePanel(EngineBridge* bridge, QWidget* parent)
    : LabPanel(QStringLiteral("style"), parent), m_tabs(new QTabWidget(this)), m_adain(new AdainTab(bridge)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_tabs);
  m_tabs->addTab(m_adain, tr("AdaIN"));
  m_tabs->setTabToolTip(0, tr("AdaIN style transfer: content, style pad, α and per-layer "
                              "strength, with the per-channel statistics it moves."));
  // Parts 2 and 3: mixing and checkerboard tabs (style_gan_tabs.h)
  connect(m_adain, &AdainTab::statusMessage, this, &LabPanel::statusMessage);
  connect(m_adain, &AdainTab::errorMessage, this, [this](const QString& what, const QString& message) {
    openErrorBox(what, message, QStringLiteral("styleError"));
  });
}

void StylePanel::startTraining() {
  m_tabs->setCurrentWidget(m_adain);
  m_adain->startTraining();
}

bool StylePanel::isTraining() const { return m_adain->controller()->training(); }

QString StylePanel::dataDescription() const { return m_adain->controller()->summary(); }

void StylePanel::openModelDialog() {
  const QString f = QFileDialog::getOpenFileName(this, tr("Open AdaIN decoder"), {}, tr("GenLab models (*.genlab)"));
  if (!f.isEmpty()) m_adain->controller()->openDecoder(f);
}

void StylePanel::saveModelDialog() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Save AdaIN decoder"), QStringLiteral("decoder.genlab"),
                                                 tr("GenLab models (*.genlab)"));
  if (!f.isEmpty()) m_adain->controller()->saveDecoder(f);
}

bool StylePanel::openModelFile(const QString& path, const QString&) {
  m_adain->controller()->openDecoder(path);
  return true;
}

bool StylePanel::setView(const QString& view) {
  for (int i = 0; i < m_tabs->count(); ++i)
    if (m_tabs->tabText(i).compare(view, Qt::CaseInsensitive) == 0) {
      m_tabs->setCurrentIndex(i);
      return true;
    }
  return false;
}

}  // namespace genlab::ui
