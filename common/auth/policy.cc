#include "common/auth/policy.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"
#include "common/util/embedded.h"
#include "embedded/lnob_common_roles.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "lnob/common/v1/options.pb.h"

namespace lnob::auth {


absl::StatusOr<RolePolicy> RolePolicy::FromJson(absl::string_view json) {
  google::protobuf::Struct root;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &root).ok()) {
    return absl::InvalidArgumentError("role policy: not valid JSON");
  }
  auto it = root.fields().find("roles");
  if (it == root.fields().end() || !it->second.has_struct_value()) {
    return absl::InvalidArgumentError("role policy: missing object \"roles\"");
  }
  RolePolicy p;
  for (const auto& [role, perms] : it->second.struct_value().fields()) {
    if (!perms.has_list_value()) {
      return absl::InvalidArgumentError(absl::StrCat("role policy: roles.", role, " must be a list"));
    }
    auto& v = p.roles_[role];
    for (const auto& e : perms.list_value().values()) v.push_back(e.string_value());
  }
  // Optional lists of known roles ("area_roles", "purpose_roles").
  auto role_list = [&](const char* name, std::vector<std::string>* out) -> absl::Status {
    auto a = root.fields().find(name);
    if (a == root.fields().end()) return absl::OkStatus();
    if (!a->second.has_list_value()) return absl::InvalidArgumentError(absl::StrCat("role policy: ", name, " must be a list"));
    for (const auto& e : a->second.list_value().values()) {
      if (!p.roles_.contains(e.string_value())) {
        return absl::InvalidArgumentError(absl::StrCat("role policy: ", name, " names unknown role ", e.string_value()));
      }
      out->push_back(e.string_value());
    }
    return absl::OkStatus();
  };
  if (auto st = role_list("area_roles", &p.area_roles_); !st.ok()) return st;
  if (auto st = role_list("purpose_roles", &p.purpose_roles_); !st.ok()) return st;
  return p;
}

const RolePolicy& RolePolicy::Default() {
  static const RolePolicy* p = [] {
    auto r = FromJson(EmbeddedRoles().at(0).content);
    return new RolePolicy(r.ok() ? *std::move(r) : RolePolicy());
  }();
  return *p;
}

bool RolePolicy::Grants(const std::vector<std::string>& roles,
                        absl::string_view permission) const {
  for (const auto& role : roles) {
    auto it = roles_.find(role);
    if (it == roles_.end()) continue;
    for (const auto& g : it->second) {
      if (g == "*" || g == permission) return true;
      if (absl::EndsWith(g, ".*") &&
          absl::StartsWith(permission, absl::string_view(g).substr(0, g.size() - 1))) {
        return true;
      }
    }
  }
  return false;
}

std::vector<std::string> RolePolicy::Roles() const {
  std::vector<std::string> out;
  for (const auto& [role, grants] : roles_) out.push_back(role);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {
// The first of `roles` that `listed` names; "" if none.
std::string FirstListed(const std::vector<std::string>& roles, const std::vector<std::string>& listed) {
  for (const auto& r : roles) {
    if (std::find(listed.begin(), listed.end(), r) != listed.end()) return r;
  }
  return "";
}
}  // namespace

std::string RolePolicy::AreaRoleIn(const std::vector<std::string>& roles) const {
  return FirstListed(roles, area_roles_);
}

std::string RolePolicy::PurposeRoleIn(const std::vector<std::string>& roles) const {
  return FirstListed(roles, purpose_roles_);
}

std::vector<std::string> RolePolicy::GrantsOf(const std::vector<std::string>& roles) const {
  std::vector<std::string> out;
  for (const auto& role : roles) {
    auto it = roles_.find(role);
    if (it != roles_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

Authorizer::Authorizer(std::unique_ptr<Verifier> verifier, RolePolicy roles)
    : verifier_(std::move(verifier)), roles_(std::move(roles)) {}

bool IsInfrastructureService(absl::string_view full_name) {
  return full_name == "grpc.health.v1.Health" ||
         full_name == "grpc.reflection.v1alpha.ServerReflection" ||
         full_name == "grpc.reflection.v1.ServerReflection";
}

absl::Status Authorizer::RegisterService(const google::protobuf::ServiceDescriptor* service) {
  if (service == nullptr) {
    return absl::InvalidArgumentError("service to register has no descriptor (not linked in?)");
  }
  // Check every method before recording any, so a refused service leaves nothing behind.
  std::vector<std::pair<std::string, MethodRule>> rules;
  for (int i = 0; i < service->method_count(); ++i) {
    const auto* m = service->method(i);
    const auto& opt = m->options().GetExtension(lnob::common::v1::policy);
    if (opt.permission().empty() && !opt.anonymous()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "method ", m->full_name(),
          " has no access policy: give it (lnob.common.v1.policy).permission or .anonymous"));
    }
    rules.push_back({absl::StrCat("/", service->full_name(), "/", m->name()),
                     MethodRule{opt.permission(), opt.idempotent(), opt.anonymous()}});
  }
  for (auto& [path, rule] : rules) rules_[path] = std::move(rule);
  return absl::OkStatus();
}

const MethodRule* Authorizer::RuleFor(absl::string_view method) const {
  auto it = rules_.find(method);
  return it == rules_.end() ? nullptr : &it->second;
}

absl::StatusOr<Principal> Authorizer::Authorize(absl::string_view method,
                                                absl::string_view authorization) const {
  const MethodRule* rule = RuleFor(method);
  if (rule == nullptr) {
    absl::string_view svc = method;
    absl::ConsumePrefix(&svc, "/");
    svc = svc.substr(0, svc.find('/'));
    if (IsInfrastructureService(svc)) return Principal{};
    return WithReason(absl::PermissionDeniedError("method has no access policy"), "NO_POLICY");
  }
  if (rule->anonymous) return Principal{};
  absl::string_view token = authorization;
  if (!absl::ConsumePrefix(&token, "Bearer ") && !absl::ConsumePrefix(&token, "bearer ")) {
    return WithReason(absl::UnauthenticatedError("missing bearer token"), "TOKEN_MISSING");
  }
  // Each service is its own audience: a token minted for another is refused here.
  auto claims = verifier_->Verify(token, AudienceOfMethod(method));
  if (!claims.ok()) return claims.status();
  // No scope means the whole province: never for a role that acts in an area.
  if (claims->scope_units.empty()) {
    if (const std::string role = roles_.AreaRoleIn(claims->roles); !role.empty()) {
      return WithReason(absl::UnauthenticatedError(absl::StrCat("role ", role, " needs an area scope in the token")),
                        "SCOPE_REQUIRED");
    }
  }
  if (rule->permission.empty() || !roles_.Grants(claims->roles, rule->permission)) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat(
                          "caller lacks permission ", rule->permission.empty() ? "(none declared)"
                                                                               : rule->permission)),
                      "PERMISSION_MISSING");
  }
  Principal p;
  p.subject = claims->subject;
  p.roles = claims->roles;
  p.scope.unit_codes = claims->scope_units;
  p.grants = roles_.GrantsOf(claims->roles);
  return p;
}

}  // namespace lnob::auth
