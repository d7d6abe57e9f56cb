// libFuzzer target for the gateway's REST -> gRPC request translation: route matching
// (RouteTable::Find) and transcoding of path variables, query parameters and the JSON body into
// the method's request message (Transcoder::BuildRequest), with the routes of every service in
// the embedded descriptor set. The target and query are split and decoded the way the HTTP
// gateway does it.
//
// Input format (plain text, so seeds are easy to write and to read):
//
//   METHOD SP TARGET [CR] LF BODY
//
// The first line holds the HTTP method and the request target ("/v1/...?a=1&b=2"), split at
// the first space; a CR ending the line is dropped. Everything after the first LF is the body,
// byte for byte. Without a LF the body is empty; without a space the target is empty.
//
// Findings (the process aborts): crashes, leaks, hangs and sanitizer reports; an exception
// escaping the translation; an error that is not INVALID_ARGUMENT naming a field; a translated
// request that does not parse back as the method's input type, holds unknown fields or changes
// size when serialized again; a path variable bound to a singular string field whose value in
// the request differs from the bound text.
//
// With TRANSCODE_FUZZER_VERBOSE=1 in the environment, the outcome of every input is printed
// (useful when running the seeds or a reproducer: `transcode_fuzzer FILE...`).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status/status.h"
#include "common/util/embedded.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "services/gateway/domain/routes.h"
#include "services/gateway/domain/transcoder.h"

namespace lnob::gateway {
const std::vector<EmbeddedFile>& EmbeddedDescriptorSet();
}  // namespace lnob::gateway

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

[[noreturn]] void Fail(absl::string_view what, absl::string_view detail) {
  std::fprintf(stderr, "transcode_fuzzer: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void Report(absl::string_view outcome, absl::string_view detail) {
  static const bool verbose = std::getenv("TRANSCODE_FUZZER_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "transcode_fuzzer: %.*s: %.*s\n", static_cast<int>(outcome.size()), outcome.data(),
                 static_cast<int>(detail.size()), detail.data());
  }
}

// Everything built once per process and kept for its lifetime (reachable, so not a leak).
struct Fixture {
  google::protobuf::DescriptorPool pool;
  lnob::gateway::RouteTable routes;
  std::unique_ptr<lnob::gateway::Transcoder> transcoder;
  google::protobuf::DynamicMessageFactory factory;
};

Fixture* Load() {
  auto* f = new Fixture;
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromString(lnob::gateway::EmbeddedDescriptorSet().at(0).content)) {
    Fail("setup", "embedded descriptor set does not parse");
  }
  std::vector<std::string> services;
  for (const auto& file : set.file()) {
    if (f->pool.BuildFile(file) == nullptr) Fail("setup", file.name());
    for (const auto& service : file.service()) {
      services.push_back(file.package().empty() ? service.name() : file.package() + "." + service.name());
    }
  }
  auto routes = lnob::gateway::RouteTable::FromPool(f->pool, services);
  if (!routes.ok()) Fail("setup", routes.status().message());
  if (routes->routes().empty()) Fail("setup", "no route in the descriptor set");
  f->routes = *std::move(routes);
  f->transcoder = std::make_unique<lnob::gateway::Transcoder>(&f->pool);
  return f;
}

// The singular string field a path variable names, or nullptr (other kinds are not compared).
const Message* StringLeaf(const Message& root, absl::string_view field_path, const FieldDescriptor** leaf) {
  const Message* cur = &root;
  std::vector<absl::string_view> parts = absl::StrSplit(field_path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = cur->GetDescriptor()->FindFieldByName(std::string(parts[i]));
    if (f == nullptr || f->is_repeated()) return nullptr;
    if (i + 1 == parts.size()) {
      if (f->type() != FieldDescriptor::TYPE_STRING) return nullptr;
      *leaf = f;
      return cur;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return nullptr;
    cur = &cur->GetReflection()->GetMessage(*cur, f);
  }
  return nullptr;
}

void CheckRequest(Fixture& fx, const lnob::gateway::RouteMatch& match, const std::string& bytes) {
  const auto* type = match.route->method->input_type();
  std::unique_ptr<Message> parsed(fx.factory.GetPrototype(type)->New());
  if (!parsed->ParseFromString(bytes)) Fail("request does not parse back", type->full_name());
  if (!parsed->GetReflection()->GetUnknownFields(*parsed).empty()) {
    Fail("request parses back with unknown fields", type->full_name());
  }
  if (parsed->SerializeAsString().size() != bytes.size()) {
    Fail("request changes size when serialized again", type->full_name());
  }
  for (const auto& [field_path, value] : match.bindings) {
    const FieldDescriptor* leaf = nullptr;
    const Message* holder = StringLeaf(*parsed, field_path, &leaf);
    if (holder != nullptr && holder->GetReflection()->GetString(*holder, leaf) != value) {
      Fail("path variable not in the request", field_path);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* const fx = Load();
  const absl::string_view in(reinterpret_cast<const char*>(data), size);

  const size_t lf = in.find('\n');
  absl::string_view line = in.substr(0, lf);
  const absl::string_view body = lf == absl::string_view::npos ? absl::string_view() : in.substr(lf + 1);
  absl::ConsumeSuffix(&line, "\r");
  const size_t sp = line.find(' ');
  const absl::string_view method = line.substr(0, sp);
  absl::string_view path = sp == absl::string_view::npos ? absl::string_view() : line.substr(sp + 1);
  absl::string_view query_text;
  if (const size_t q = path.find('?'); q != absl::string_view::npos) {
    query_text = path.substr(q + 1);
    path = path.substr(0, q);
  }

  try {
    auto match = fx->routes.Find(method, lnob::gateway::UrlDecode(path, false));
    if (!match.ok()) {
      const auto code = match.status().code();
      if (code != absl::StatusCode::kNotFound && code != absl::StatusCode::kUnimplemented) {
        Fail("unexpected route lookup error", match.status().ToString());
      }
      Report("no route", match.status().ToString());
      return 0;
    }
    std::vector<std::pair<std::string, std::string>> query;
    for (absl::string_view kv : absl::StrSplit(query_text, '&', absl::SkipEmpty())) {
      const size_t eq = kv.find('=');
      query.push_back({lnob::gateway::UrlDecode(kv.substr(0, eq), true),
                       eq == absl::string_view::npos ? "" : lnob::gateway::UrlDecode(kv.substr(eq + 1), true)});
    }
    auto request = fx->transcoder->BuildRequest(*match, query, body);
    if (!request.ok()) {
      if (request.status().code() != absl::StatusCode::kInvalidArgument ||
          lnob::GetFieldViolations(request.status()).empty()) {
        Fail("error that names no field", request.status().ToString());
      }
      Report(match->route->grpc_path, request.status().ToString());
      return 0;
    }
    CheckRequest(*fx, *match, *request);
    Report(match->route->grpc_path, "OK");
  } catch (const std::exception& e) {
    Fail("exception escaped", e.what());
  } catch (...) {
    Fail("exception escaped", "not a std::exception");
  }
  return 0;
}
