#ifndef LNOB_TOOLS_LNOBCTL_REPORT_CMD_H_
#define LNOB_TOOLS_LNOBCTL_REPORT_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

// lnobctl report generate|get: composes a report (CreateReport) or reads one (GetReport) and
// prints its inputs as CSV (to stdout or --out).
int RunReport(Args& args, const std::string& verb, const std::string& name);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_REPORT_CMD_H_
