#pragma once
// A stand-in panel that only explains why a lab cannot run here (e.g. a lab
// drawn with OpenGL on a display without it), instead of crashing.
#include <QLabel>
#include <QVBoxLayout>

#include "ui/labs/lab_panel.h"

namespace genlab::ui {

class MessagePanel : public LabPanel {
  Q_OBJECT

 public:
  MessagePanel(QString id, const QString& message, QWidget* parent = nullptr)
      : LabPanel(std::move(id), parent) {
    auto* label = new QLabel(message);
    label->setObjectName("labUnavailable");
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignCenter);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
  }
  void startTraining() override { Q_EMIT statusMessage(title() + tr(" is not available here.")); }
  bool isTraining() const override { return false; }
};

}  // namespace genlab::ui
