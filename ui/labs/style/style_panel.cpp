#include "ui/labs/style/style_panel.h"

#include "ui/labs/style/style_gan_tabs.h"

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
  // Parts 2 and 3: a style-based generator with mixing, and checkerboard artifacts.
  m_tabs->addTab(makeStyleMixingTab(bridge, m_tabs), tr("Style mixing"));
  m_tabs->setTabToolTip(1, tr("A style-based generator on MNIST: coarse styles from one source, "
                              "fine from another, truncation, noise and PCA directions of w."));
  m_tabs->addTab(makeCheckerboardTab(bridge, m_tabs), tr("Checkerboard"));
  m_tabs->setTabToolTip(2, tr("Upsampling choices side by side: overlap maps, power spectra with "
                              "the stride frequencies, checkerboard energy, live."));
  connect(m_adain, &AdainTab::statusMessage, this, &LabPanel::statusMessage);
  connect(m_adain, &AdainTab::errorMessage, this, [this](const QString& what, const QString& message) {
    openErrorBox(what, message, QStringLiteral("styleError"));
  });
}

bool StylePanel::setView(const QString& view) {
  const QStringList names{QStringLiteral("adain"), QStringLiteral("mixing"), QStringLiteral("checkerboard")};
  const int i = int(names.indexOf(view.toLower()));
  if (i < 0) return false;
  m_tabs->setCurrentIndex(i);
  return true;
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

}  // namespace genlab::ui
