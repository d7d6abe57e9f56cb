#ifndef LNOB_TOOLS_LNOBCTL_SUPPORT_CMD_H_
#define LNOB_TOOLS_LNOBCTL_SUPPORT_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

// lnobctl import support FILE.csv: streams support lines with their funding shares to the
// funding service (format: docs/support-csv.md).
int RunImportSupport(Args& args, const std::string& file);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_SUPPORT_CMD_H_
