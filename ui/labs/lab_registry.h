#pragma once
// The labs the GUI offers, drawn from the one lab list (core/labs/lab_list.h).
#include <QIcon>
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

namespace genlab::ui {

class EngineBridge;
class LabPanel;

struct LabInfo {
  QString id;           // e.g. "latent"; also the --lab argument and the CLI's lab
  QString alias;        // an older name find() also accepts ("vae"), or empty
  QString title;        // e.g. "Latent Explorer" (plain text)
  QString description;  // one line for the lab picker
  QString iconPath;     // ":/icons/lab-<id>.png"
  std::function<LabPanel*(EngineBridge*, QWidget*)> factory;

  // The title for buttons and menus: '&' doubled, so Qt does not take it as
  // a shortcut marker ("Architects & Alchemists", not "Architects _Alchemists").
  QString menuTitle() const { return QString(title).replace('&', QStringLiteral("&&")); }
  QIcon icon() const { return QIcon(iconPath); }
};

class LabRegistry {
 public:
  // All labs, in the lab list's order.
  static const std::vector<LabInfo>& labs();
  // By id or by older name.
  static const LabInfo* find(const QString& id);

 private:
  static std::vector<LabInfo> build();
};

}  // namespace genlab::ui
