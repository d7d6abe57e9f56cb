#ifndef LNOB_TOOLS_LNOBCTL_REPORT_CMD_H_
#define LNOB_TOOLS_LNOBCTL_REPORT_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

// lnobctl report generate|get|export|submit|approve|lock|return|revise: composes a report (as
// an operation, with progress) or reads one and prints its inputs as CSV (to stdout or --out);
// exports one as XLSX or CSV; moves one through approval; amends a locked one.
int RunReport(Args& args, const std::string& verb, const std::string& name);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_REPORT_CMD_H_
