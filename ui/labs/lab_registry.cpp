#include "ui/labs/lab_registry.h"

#include <mutex>

namespace genlab::ui {

std::vector<LabInfo>& LabRegistry::storage() {
  static std::vector<LabInfo> labs;
  return labs;
}

const std::vector<LabInfo>& LabRegistry::labs() {
  static std::once_flag once;
  std::call_once(once, [] { registerAllPanels(); });
  return storage();
}

const LabInfo* LabRegistry::find(const QString& id) {
  for (const LabInfo& lab : labs())
    if (lab.id == id) return &lab;
  return nullptr;
}

void LabRegistry::add(LabInfo info) { storage().push_back(std::move(info)); }

}  // namespace genlab::ui
