#ifndef LNOB_TOOLS_LNOBCTL_APIKEYS_CMD_H_
#define LNOB_TOOLS_LNOBCTL_APIKEYS_CMD_H_

#include <string>

#include "tools/lnobctl/args.h"

namespace lnob::ctl {

extern const char kApiKeysHelp[];

// "apikeys create|list|get|revoke" through the gateway's admin API (gRPC).
int RunApiKeys(Args& args, const std::string& verb);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_APIKEYS_CMD_H_
