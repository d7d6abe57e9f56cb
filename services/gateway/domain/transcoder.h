#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_TRANSCODER_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_TRANSCODER_H_

// REST <-> gRPC message translation with dynamic messages from the descriptor set: path
// bindings, query parameters (nested "a.b" and repeated) and the JSON body become the request
// message; the response message becomes proto3 JSON. Pure: no sockets.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/dynamic_message.h"
#include "services/gateway/domain/routes.h"

namespace lnob::gateway {

class Transcoder {
 public:
  explicit Transcoder(const google::protobuf::DescriptorPool* pool) : pool_(pool) {}

  // Serialized request for the route's method. Errors are INVALID_ARGUMENT naming the field
  // or parameter. *retry_safe (when given): whether sending it twice cannot change the
  // outcome (RetrySafe).
  absl::StatusOr<std::string> BuildRequest(const RouteMatch& match,
                                           const std::vector<std::pair<std::string, std::string>>& query,
                                           absl::string_view body, bool* retry_safe = nullptr);
  // proto3 JSON of a serialized response of the route's method.
  absl::StatusOr<std::string> ResponseJson(const Route& route, const std::string& bytes);

 private:
  std::unique_ptr<google::protobuf::Message> New(const google::protobuf::Descriptor* d);
  const google::protobuf::DescriptorPool* pool_;
  google::protobuf::DynamicMessageFactory factory_;
};

// A request may be sent again after a transport failure only when its method is idempotent
// by policy and, if the request has a request_id field, it is set: a create without one
// could be applied twice.
bool RetrySafe(const Route& route, const google::protobuf::Message& request);

// Sets a (possibly nested) field from its text form; repeated fields get one more element.
absl::Status SetFieldPath(google::protobuf::Message* msg, absl::string_view path, absl::string_view value);

// Decodes %XX escapes and '+' (query strings).
std::string UrlDecode(absl::string_view in, bool plus_is_space);

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_TRANSCODER_H_
