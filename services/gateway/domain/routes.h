#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_ROUTES_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_ROUTES_H_

// The REST routing table, built from the google.api.http annotations of every method in a
// descriptor pool: path templates with variables ({name=households/*}, {x}, ** tails),
// custom verbs (":classify"), and the body rule ("*", a field, or none). Pure: no HTTP, no gRPC.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/strings/string_view.h"

namespace google::protobuf {
class DescriptorPool;
class MethodDescriptor;
}  // namespace google::protobuf

namespace lnob::gateway {

struct PathTemplate {
  struct Segment {
    enum Kind { kLiteral, kStar, kDoubleStar } kind;
    std::string literal;
  };
  struct Variable {
    std::string field_path;  // e.g. "household.name"
    size_t first = 0;        // segment range [first, last) the variable binds
    size_t last = 0;
  };
  std::vector<Segment> segments;
  std::vector<Variable> variables;
  std::string verb;  // after ':' in the last segment, "" when none

  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);
  // Binds variables (field path -> value with '/' kept) when the path matches.
  std::optional<std::map<std::string, std::string>> Match(absl::string_view path) const;
};

struct Route {
  std::string http_method;  // GET, POST, PATCH, PUT, DELETE
  PathTemplate path;
  std::string body;         // "*", a field name, or "" (no body)
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_path;    // "/package.Service/Method"
  std::string template_text;
  bool idempotent = false;  // (lnob.common.v1.policy).idempotent: a retry cannot change the outcome
};

// Per-route deadlines: "package.Service/Method=30s,package.Service=2m" (a method entry wins
// over its service's). INVALID_ARGUMENT naming the entry on a bad list.
using RouteTimeouts = std::map<std::string, absl::Duration>;
absl::StatusOr<RouteTimeouts> ParseRouteTimeouts(absl::string_view text);
// The deadline of one call on a route: its method's entry, its service's, else the default.
absl::Duration TimeoutFor(const RouteTimeouts& timeouts, absl::string_view grpc_path, absl::Duration fallback);

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> bindings;
};

// FAILED_PRECONDITION naming both methods when two methods share a verb and a path template
// (variable names aside): the REST face would answer only one of them.
absl::Status CheckRoutesDistinct(const std::vector<Route>& routes);

class RouteTable {
 public:
  // Every method with a google.api.http option in every service of the pool.
  static absl::StatusOr<RouteTable> FromPool(const google::protobuf::DescriptorPool& pool,
                                             const std::vector<std::string>& service_names);
  // NOT_FOUND for an unknown path; UNIMPLEMENTED (405) when the path exists for another verb.
  absl::StatusOr<RouteMatch> Find(absl::string_view http_method, absl::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_ROUTES_H_
