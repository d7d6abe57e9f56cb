#ifndef LNOB_TOOLS_LNOBCTL_AWARDS_CMD_H_
#define LNOB_TOOLS_LNOBCTL_AWARDS_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

// lnobctl import registrations FILE.csv: one CreateRegistration per (movement, year, subject,
// unit) with its rows as targets (format: docs/awards-csv.md).
int RunImportRegistrations(Args& args, const std::string& file);
// lnobctl import nominations FILE.csv: one CreateNomination per (year, form, subject, unit)
// with its rows as achievements; the evidence is read from its owners under the caller's
// token. Request ids derive from the file, so the same file again creates nothing twice.
int RunImportNominations(Args& args, const std::string& file);
// lnobctl demo awards: the 2024 round of the movement in the demo commune with the most
// households that escaped poverty: registrations, an initiative, a council, nominations
// citing those households and the commune's activities, a council vote, decisions, one
// submission upward, one rejection and one revocation. Signs its officers' tokens with
// --private_key.
int RunDemoAwards(Args& args);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_AWARDS_CMD_H_
