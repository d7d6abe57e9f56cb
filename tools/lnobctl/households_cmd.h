#ifndef LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_
#define LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/lnobctl/args.h"

namespace lnob::ctl {

int RunImportHouseholds(Args& args, const std::string& file);
int RunExportHouseholds(Args& args);
int RunDemoGenerate(Args& args);
// Every commune of the demo province (the real pre-2025 communes of Bình Phước), as its row of
// the embedded unit file: code, name, level, unit type, district.
absl::Status ForEachDemoCommune(const std::function<void(const std::vector<std::string>&)>& visit);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_
