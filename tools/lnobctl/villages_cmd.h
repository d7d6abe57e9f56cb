#ifndef LNOB_TOOLS_LNOBCTL_VILLAGES_CMD_H_
#define LNOB_TOOLS_LNOBCTL_VILLAGES_CMD_H_

// lnobctl import villages / demo villages: the village register from CSV (docs/villages-csv.md).

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

int RunImportVillages(Args& a, const std::string& file);
int RunDemoVillages(Args& a);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_VILLAGES_CMD_H_
