#ifndef LNOB_COMMON_AUTH_PRINCIPAL_H_
#define LNOB_COMMON_AUTH_PRINCIPAL_H_

#include <string>
#include <vector>

namespace lnob::auth {

// Area scope: admin-unit codes the caller may act on. Empty = the whole province.
struct AreaScope {
  std::vector<std::string> unit_codes;
  bool whole_province() const { return unit_codes.empty(); }
};

// The verified caller of one RPC, handed to handlers and stores.
struct Principal {
  std::string subject;
  std::vector<std::string> roles;
  AreaScope scope;
};

}  // namespace lnob::auth

#endif  // LNOB_COMMON_AUTH_PRINCIPAL_H_
