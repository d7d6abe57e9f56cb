#ifndef LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_
#define LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

int RunImportHouseholds(Args& args, const std::string& file);
int RunExportHouseholds(Args& args);
int RunDemoGenerate(Args& args);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_HOUSEHOLDS_CMD_H_
