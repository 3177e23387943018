#include "ui/labs/lab_registry.h"

#include <QCoreApplication>

#include "core/labs/lab_list.h"
#include "ui/labs/lab_panel.h"

namespace genlab::ui {

std::vector<LabInfo> LabRegistry::build() {
  std::vector<LabInfo> out;
#define GENLAB_ADD_PANEL(id, alias, title, description)                                   \
  out.push_back({QStringLiteral(#id), QStringLiteral(alias),                             \
                 QCoreApplication::translate("GenLab", title),                           \
                 QCoreApplication::translate("GenLab", description),                     \
                 QStringLiteral(":/icons/lab-" #id ".png"), &labs::make_##id});
  GENLAB_LABS(GENLAB_ADD_PANEL)
#undef GENLAB_ADD_PANEL
  return out;
}

const std::vector<LabInfo>& LabRegistry::labs() {
  static const std::vector<LabInfo> all = build();
  return all;
}

const LabInfo* LabRegistry::find(const QString& id) {
  for (const LabInfo& lab : labs())
    if (lab.id == id || (!lab.alias.isEmpty() && lab.alias == id)) return &lab;
  return nullptr;
}

}  // namespace genlab::ui
