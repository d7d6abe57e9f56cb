#include "services/gateway/domain/routes.h"

#include <map>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "common/status/status.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.h"
#include "lnob/common/v1/options.pb.h"

namespace lnob::gateway {
namespace {

absl::Status Bad(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("path template ", text, ": ", why));
}

}  // namespace

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  if (!absl::StartsWith(text, "/")) return Bad(text, "must start with /");
  PathTemplate t;
  absl::string_view rest = text.substr(1);
  // The verb follows the last ':' outside braces.
  int depth = 0;
  size_t verb_at = absl::string_view::npos;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '{') ++depth;
    if (rest[i] == '}') --depth;
    if (rest[i] == ':' && depth == 0) verb_at = i;
  }
  if (verb_at != absl::string_view::npos) {
    t.verb = std::string(rest.substr(verb_at + 1));
    rest = rest.substr(0, verb_at);
  }
  size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] == '{') {
      const size_t close = rest.find('}', i);
      if (close == absl::string_view::npos) return Bad(text, "unclosed {");
      absl::string_view inner = rest.substr(i + 1, close - i - 1);
      Variable v;
      absl::string_view pattern = "*";
      if (auto eq = inner.find('='); eq != absl::string_view::npos) {
        v.field_path = std::string(inner.substr(0, eq));
        pattern = inner.substr(eq + 1);
      } else {
        v.field_path = std::string(inner);
      }
      v.first = t.segments.size();
      for (absl::string_view seg : absl::StrSplit(pattern, '/')) {
        if (seg == "*") t.segments.push_back({Segment::kStar, ""});
        else if (seg == "**") t.segments.push_back({Segment::kDoubleStar, ""});
        else if (!seg.empty()) t.segments.push_back({Segment::kLiteral, std::string(seg)});
        else return Bad(text, "empty segment");
      }
      v.last = t.segments.size();
      t.variables.push_back(std::move(v));
      i = close + 1;
      if (i < rest.size() && rest[i] == '/') ++i;
      continue;
    }
    size_t slash = rest.find('/', i);
    if (slash == absl::string_view::npos) slash = rest.size();
    absl::string_view seg = rest.substr(i, slash - i);
    if (seg.empty()) return Bad(text, "empty segment");
    if (seg == "*") t.segments.push_back({Segment::kStar, ""});
    else if (seg == "**") t.segments.push_back({Segment::kDoubleStar, ""});
    else t.segments.push_back({Segment::kLiteral, std::string(seg)});
    i = slash + 1;
  }
  for (size_t s = 0; s + 1 < t.segments.size(); ++s) {
    if (t.segments[s].kind == Segment::kDoubleStar) return Bad(text, "** must be last");
  }
  return t;
}

std::optional<std::map<std::string, std::string>> PathTemplate::Match(absl::string_view path) const {
  if (!absl::ConsumePrefix(&path, "/")) return std::nullopt;
  std::string verb;
  if (!this->verb.empty()) {
    const std::string suffix = ":" + this->verb;
    if (!absl::ConsumeSuffix(&path, suffix)) return std::nullopt;
  } else if (auto colon = path.rfind(':'); colon != absl::string_view::npos &&
                                          path.find('/', colon) == absl::string_view::npos) {
    return std::nullopt;  // a verb this template does not have
  }
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  std::vector<std::pair<size_t, size_t>> spans;  // per template segment: [first, last) of parts
  size_t p = 0;
  for (const auto& seg : segments) {
    if (seg.kind == Segment::kDoubleStar) {
      if (p >= parts.size()) return std::nullopt;
      spans.push_back({p, parts.size()});
      p = parts.size();
      continue;
    }
    if (p >= parts.size() || parts[p].empty()) return std::nullopt;
    if (seg.kind == Segment::kLiteral && parts[p] != seg.literal) return std::nullopt;
    spans.push_back({p, p + 1});
    ++p;
  }
  if (p != parts.size()) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& v : variables) {
    const size_t from = spans[v.first].first, to = spans[v.last - 1].second;
    std::vector<absl::string_view> bound(parts.begin() + from, parts.begin() + to);
    out[v.field_path] = absl::StrJoin(bound, "/");
  }
  return out;
}

absl::Status CheckRoutesDistinct(const std::vector<Route>& routes) {
  static const std::regex kVariableName(R"(\{[^=}]*)");
  std::map<std::string, const Route*> seen;
  for (const auto& r : routes) {
    const std::string key = r.http_method + " " + std::regex_replace(r.template_text, kVariableName, "{");
    auto [it, fresh] = seen.emplace(key, &r);
    if (!fresh && it->second->grpc_path != r.grpc_path) {
      return absl::FailedPreconditionError(absl::StrCat("REST route ", r.http_method, " ", r.template_text,
                                                        " is bound by both ", it->second->grpc_path, " and ",
                                                        r.grpc_path));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RouteTable> RouteTable::FromPool(const google::protobuf::DescriptorPool& pool,
                                                const std::vector<std::string>& service_names) {
  RouteTable table;
  for (const auto& name : service_names) {
    const auto* service = pool.FindServiceByName(name);
    if (service == nullptr) return absl::NotFoundError(absl::StrCat("service ", name, " not in the descriptor set"));
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* m = service->method(i);
      if (!m->options().HasExtension(google::api::http)) continue;
      const auto& rule = m->options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const auto& extra : rule.additional_bindings()) rules.push_back(&extra);
      for (const auto* r : rules) {
        Route route;
        std::string text;
        switch (r->pattern_case()) {
          case google::api::HttpRule::kGet: route.http_method = "GET", text = r->get(); break;
          case google::api::HttpRule::kPost: route.http_method = "POST", text = r->post(); break;
          case google::api::HttpRule::kPatch: route.http_method = "PATCH", text = r->patch(); break;
          case google::api::HttpRule::kPut: route.http_method = "PUT", text = r->put(); break;
          case google::api::HttpRule::kDelete: route.http_method = "DELETE", text = r->delete_(); break;
          default: continue;
        }
        auto t = PathTemplate::Parse(text);
        if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat(m->full_name(), ": ", t.status().message()));
        route.path = *std::move(t);
        route.body = r->body();
        route.method = m;
        route.grpc_path = absl::StrCat("/", service->full_name(), "/", m->name());
        route.idempotent = m->options().GetExtension(lnob::common::v1::policy).idempotent();
        route.template_text = text;
        table.routes_.push_back(std::move(route));
      }
    }
  }
  LNOB_RETURN_IF_ERROR(CheckRoutesDistinct(table.routes_));
  return table;
}

absl::StatusOr<RouteMatch> RouteTable::Find(absl::string_view http_method, absl::string_view path) const {
  bool path_known = false;
  // Literal-rich templates first: the most specific route wins.
  const Route* best = nullptr;
  std::map<std::string, std::string> best_bindings;
  int best_literals = -1;
  for (const auto& r : routes_) {
    auto b = r.path.Match(path);
    if (!b) continue;
    path_known = true;
    if (r.http_method != http_method) continue;
    int literals = 0;
    for (const auto& s : r.path.segments) literals += s.kind == PathTemplate::Segment::kLiteral;
    if (literals > best_literals) {
      best = &r;
      best_bindings = *std::move(b);
      best_literals = literals;
    }
  }
  if (best != nullptr) return RouteMatch{best, std::move(best_bindings)};
  if (path_known) {
    return WithReason(absl::UnimplementedError(absl::StrCat("method ", http_method, " not allowed on ", path)),
                      "METHOD_NOT_ALLOWED");
  }
  return WithReason(absl::NotFoundError(absl::StrCat("no route for ", path)), "ROUTE_NOT_FOUND");
}

absl::StatusOr<RouteTimeouts> ParseRouteTimeouts(absl::string_view text) {
  RouteTimeouts out;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    absl::Duration d;
    const absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    if (key.empty() || key.front() == '/' || !absl::ParseDuration(absl::StripAsciiWhitespace(kv.second), &d) ||
        d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("route timeout '", entry, "' is not package.Service[/Method]=<positive duration>"));
    }
    out[std::string(key)] = d;
  }
  return out;
}

absl::Duration TimeoutFor(const RouteTimeouts& timeouts, absl::string_view grpc_path, absl::Duration fallback) {
  absl::string_view path = grpc_path;
  absl::ConsumePrefix(&path, "/");
  if (auto it = timeouts.find(std::string(path)); it != timeouts.end()) return it->second;
  if (auto it = timeouts.find(std::string(path.substr(0, path.find('/')))); it != timeouts.end()) return it->second;
  return fallback;
}

}  // namespace lnob::gateway
