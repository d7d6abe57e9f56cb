#ifndef LNOB_TESTS_SUPPORT_TOKENS_H_
#define LNOB_TESTS_SUPPORT_TOKENS_H_

// Bearer tokens for tests, signed with a test key: valid now for `ttl` (negative: expired).

#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "common/auth/jwt.h"

namespace lnob::testing {

inline auth::Claims TestClaims(std::vector<std::string> roles, std::vector<std::string> scope = {},
                               absl::Duration ttl = absl::Hours(1), std::string subject = "tester") {
  auth::Claims c;
  c.issuer = "lnob";
  // Good for every service (each is its own audience, auth::AudienceOfMethod).
  c.audience = {"lnob", "lnob.registry", "lnob.funding", "lnob.gateway"};
  c.subject = std::move(subject);
  c.issued_at = absl::Now();
  c.not_before = absl::Now() - absl::Minutes(1);
  c.expires_at = absl::Now() + ttl;
  c.roles = std::move(roles);
  c.scope_units = std::move(scope);
  return c;
}

// The token alone (no "Bearer "); the test fails loudly if the key does not sign.
inline std::string TestToken(const std::string& private_key_pem, std::vector<std::string> roles,
                             std::vector<std::string> scope = {}, absl::Duration ttl = absl::Hours(1)) {
  return *auth::MintRs256(private_key_pem, TestClaims(std::move(roles), std::move(scope), ttl));
}

}  // namespace lnob::testing

#endif  // LNOB_TESTS_SUPPORT_TOKENS_H_
