#ifndef LNOB_COMMON_API_PROTO_JSON_H_
#define LNOB_COMMON_API_PROTO_JSON_H_

// A message as JSON with the proto's own field names (snake_case), as records are frozen,
// exported and stored: what another service answered stays readable against its .proto.

#include <string>

#include "google/protobuf/message.h"

namespace lnob::api {

// `pretty`: indented, for files people open.
std::string ProtoJson(const google::protobuf::Message& m, bool pretty = false);

// Every field printed, defaults included (a zero is 0, not missing): an answer as it is
// frozen, so that two answers compare field by field.
std::string ProtoJsonAllFields(const google::protobuf::Message& m);

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_PROTO_JSON_H_
