#include "ui/labs/lab_panel.h"

#include <QHBoxLayout>
#include <QMessageBox>
#include <QScrollArea>
#include <QShortcut>

#include "ui/labs/lab_registry.h"

namespace genlab::ui {

LabPanel::LabPanel(QString labId, QWidget* parent) : QWidget(parent), m_labId(std::move(labId)) {}

QString LabPanel::title() const {
  const LabInfo* info = LabRegistry::find(m_labId);
  return info ? info->title : m_labId;
}

void LabPanel::layoutControlsAndCentre(QWidget* controls, QWidget* centre) {
  auto* scroll = new QScrollArea;
  scroll->setWidget(controls);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFixedWidth(controls->sizeHint().width() + 24);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(10);
  layout->addWidget(scroll);
  layout->addWidget(centre, 1);
}

QShortcut* LabPanel::addShortcut(const QKeySequence& key, std::function<void()> action) {
  auto* s = new QShortcut(key, this);
  s->setContext(Qt::WidgetWithChildrenShortcut);
  connect(s, &QShortcut::activated, this, std::move(action));
  return s;
}

void LabPanel::openErrorBox(const QString& title, const QString& message, const QString& objectName) {
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setObjectName(objectName);
  box->open();  // window-modal, does not block the event loop
}

}  // namespace genlab::ui
