#ifndef LNOB_TOOLS_LNOBCTL_INSPECTION_CMD_H_
#define LNOB_TOOLS_LNOBCTL_INSPECTION_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

// lnobctl import plans FILE.csv: annual inspection and check plans, one CreatePlan per
// (agency, year, number) with its rows as items (format: docs/inspection-csv.md).
int RunImportPlans(Args& args, const std::string& file);
// lnobctl import findings FILE.csv: one CreateFinding per row, its references checked by their
// owners; request ids derived from the file, so the same file again records nothing twice.
int RunImportFindings(Args& args, const std::string& file);
// lnobctl demo inspection: a check of the demo's housing support in one commune, from the plan
// to the published conclusion, with findings on real demo lines (one holding a line), a
// partial recovery and an overdue recommendation. Signs the team's tokens with --private_key.
int RunDemoInspection(Args& args);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_INSPECTION_CMD_H_
