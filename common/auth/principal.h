#ifndef LNOB_COMMON_AUTH_PRINCIPAL_H_
#define LNOB_COMMON_AUTH_PRINCIPAL_H_

#include <string>
#include <string_view>
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
  // Permission patterns granted by the roles ("svc.perm", "svc.*", "*").
  std::vector<std::string> grants;

  bool Can(std::string_view permission) const {
    for (const auto& g : grants) {
      if (g == "*" || g == permission) return true;
      if (g.size() >= 2 && g.compare(g.size() - 2, 2, ".*") == 0 &&
          permission.substr(0, g.size() - 1) == std::string_view(g).substr(0, g.size() - 1)) {
        return true;
      }
    }
    return false;
  }
};

}  // namespace lnob::auth

#endif  // LNOB_COMMON_AUTH_PRINCIPAL_H_
