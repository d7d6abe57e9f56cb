#include "common/api/proto_json.h"

#include "google/protobuf/util/json_util.h"

namespace lnob::api {

std::string ProtoJson(const google::protobuf::Message& m, bool pretty) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.add_whitespace = pretty;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

std::string ProtoJsonAllFields(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

}  // namespace lnob::api
