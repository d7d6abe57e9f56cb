#ifndef LNOB_COMMON_AUTH_POLICY_H_
#define LNOB_COMMON_AUTH_POLICY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/jwt.h"
#include "common/auth/principal.h"

namespace google::protobuf {
class ServiceDescriptor;
}

namespace lnob::auth {

// Role -> permissions, loaded from JSON ({"roles": {"ROLE": ["perm", "svc.*", "*"]}}).
class RolePolicy {
 public:
  static absl::StatusOr<RolePolicy> FromJson(absl::string_view json);
  static const RolePolicy& Default();  // common/auth/roles.json, compiled in
  bool Grants(const std::vector<std::string>& roles, absl::string_view permission) const;
  bool HasRole(absl::string_view role) const { return roles_.contains(role); }
  // Every role, sorted.
  std::vector<std::string> Roles() const;
  // The first of `roles` that acts in an area ("area_roles") and so needs a scope; "" if none.
  std::string AreaRoleIn(const std::vector<std::string>& roles) const;
  // The first of `roles` that must state a purpose to read personal data ("purpose_roles").
  std::string PurposeRoleIn(const std::vector<std::string>& roles) const;
  // Every permission pattern the roles grant (for Principal::Can).
  std::vector<std::string> GrantsOf(const std::vector<std::string>& roles) const;

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> roles_;
  std::vector<std::string> area_roles_;
  std::vector<std::string> purpose_roles_;
};

// gRPC's own services, which every server exposes without a token.
bool IsInfrastructureService(absl::string_view full_name);

struct MethodRule {
  std::string permission;
  bool idempotent = false;
  bool anonymous = false;
};

// Decides, for one call, who the caller is and whether the method is allowed. Knows nothing
// of gRPC: the server interceptor passes the method path and the authorization header.
class Authorizer {
 public:
  Authorizer(std::unique_ptr<Verifier> verifier, RolePolicy roles);

  // Reads (lnob.common.v1.policy) of every method. A missing service, or a method with
  // neither a permission nor `anonymous`, is an error naming it: the caller's start-up fails.
  absl::Status RegisterService(const google::protobuf::ServiceDescriptor* service);

  // method: "/package.Service/Method". Only the gRPC infrastructure services (health,
  // reflection) pass without a registration, anonymously; a method of any other service
  // that was never registered is refused (fail closed). Returns UNAUTHENTICATED or
  // PERMISSION_DENIED.
  absl::StatusOr<Principal> Authorize(absl::string_view method,
                                      absl::string_view authorization) const;

  const MethodRule* RuleFor(absl::string_view method) const;

 private:
  std::unique_ptr<Verifier> verifier_;
  RolePolicy roles_;
  absl::flat_hash_map<std::string, MethodRule> rules_;
};

}  // namespace lnob::auth

#endif  // LNOB_COMMON_AUTH_POLICY_H_
