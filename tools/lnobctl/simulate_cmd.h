#ifndef LNOB_TOOLS_LNOBCTL_SIMULATE_CMD_H_
#define LNOB_TOOLS_LNOBCTL_SIMULATE_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

// lnobctl simulate: starts a policy simulation in the registry (a standard of the registry's or
// a draft from a JSON file), shows its progress, prints the summary by unit and the support
// need, and writes the export (--out=FILE.xlsx|.csv) when asked.
int RunSimulate(Args& args);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_SIMULATE_CMD_H_
