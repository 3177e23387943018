#pragma once
// The list of labs the GUI offers. Each lab adds one registration line in
// ui/labs/all_panels.cpp.
#include <QString>
#include <QWidget>

#include <functional>
#include <vector>

namespace genlab::ui {

class EngineBridge;
class LabPanel;

struct LabInfo {
  QString id;           // e.g. "latent"; also the --lab argument
  QString title;        // e.g. "Latent Explorer"
  QString description;  // one line for the lab picker
  std::function<LabPanel*(EngineBridge*, QWidget*)> factory;
};

class LabRegistry {
 public:
  // All labs, in registration order (filled by registerAllPanels on first use).
  static const std::vector<LabInfo>& labs();
  static const LabInfo* find(const QString& id);
  static void add(LabInfo info);

 private:
  static std::vector<LabInfo>& storage();
};

// Defined in all_panels.cpp: one line per lab.
void registerAllPanels();

}  // namespace genlab::ui
