#ifndef LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_
#define LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_

#include <map>
#include <string>

namespace lnob::ctl {

using Args = std::map<std::string, std::string>;
int RunImportHouseholds(Args& args, const std::string& file);
int RunExportHouseholds(Args& args);
int RunDemoGenerate(Args& args);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_
