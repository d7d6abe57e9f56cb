#ifndef LNOB_SERVICES_AWARDS_STORE_PG_JSON_H_
#define LNOB_SERVICES_AWARDS_STORE_PG_JSON_H_

// Repeated proto fields kept as jsonb arrays (targets, replication actions, achievements,
// owners' cursors, self-evaluation results). Internal to store/.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/proto_json.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::awards::pg {

// The one repeated field set in `holder`, as a JSON array (field names as in the proto).
inline std::string ArrayJson(const google::protobuf::Message& holder) {
  const std::string json = api::ProtoJson(holder);
  const auto open = json.find('[');
  return open == std::string::npos ? "[]" : json.substr(open, json.rfind(']') - open + 1);
}

// A JSON array into the repeated `field` of `holder`, merged (parsing JSON clears the message it
// parses into, so it goes through a copy).
inline void ParseArray(const std::string& field, const std::string& json, google::protobuf::Message* holder) {
  std::unique_ptr<google::protobuf::Message> parsed(holder->New());
  if (google::protobuf::util::JsonStringToMessage(absl::StrCat("{\"", field, "\":", json, "}"), parsed.get()).ok()) {
    holder->MergeFrom(*parsed);
  }
}

}  // namespace lnob::awards::pg

#endif  // LNOB_SERVICES_AWARDS_STORE_PG_JSON_H_
