#ifndef LNOB_TOOLS_LNOBCTL_CAMPAIGNS_CMD_H_
#define LNOB_TOOLS_LNOBCTL_CAMPAIGNS_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

// lnobctl import activities FILE.csv: streams activities to the campaigns service
// (format: docs/campaigns-csv.md).
int RunImportActivities(Args& args, const std::string& file);
// lnobctl import persons FILE.csv: registers prestigious persons with their support events,
// one idempotent call per row (the same file again records nothing twice).
int RunImportPersons(Args& args, const std::string& file);
// lnobctl demo activities | persons: the demo province's year of activities (some villages
// and communes deliberately without any) and its prestigious persons.
int RunDemoActivities(Args& args);
int RunDemoPersons(Args& args);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_CAMPAIGNS_CMD_H_
