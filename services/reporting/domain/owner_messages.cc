// Owners' messages by descriptor: requests built, answers selected, values compared and summed.

#include "services/reporting/domain/owner_messages.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/api/proto_date.h"
#include "common/api/proto_json.h"
#include "common/status/status.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "lnob/awards/v1/awards.pb.h"
#include "lnob/campaigns/v1/campaigns.pb.h"
#include "lnob/funding/v1/funding.pb.h"
#include "lnob/inspection/v1/inspection.pb.h"
#include "lnob/registry/v1/households.pb.h"

namespace lnob::reporting::internal {

namespace pb = ::google::protobuf;
using Period = common::v1::Period;


namespace pb = ::google::protobuf;
using Period = common::v1::Period;

// The owners' request and answer types are looked up by name: these references keep their
// generated code (and so their descriptors) linked in.
static void LinkOwnerDescriptors() {
  (void)registry::v1::GetStatisticsRequest::descriptor();
  (void)funding::v1::GetDisbursementReportRequest::descriptor();
  (void)campaigns::v1::GetStatisticsRequest::descriptor();
  (void)inspection::v1::GetStatisticsRequest::descriptor();
  (void)awards::v1::GetStatisticsRequest::descriptor();
}

// The request of `method`: the definition's parameters, then the report's period (a `period`
// field, else `year` for a year), unit (`unit_code`) and geography (`as_of`) where the request
// has such fields.
absl::StatusOr<std::string> BuildRequest(const std::string& method, const std::string& params_json,
                                         const Period& period, const std::string& unit_code,
                                         const google::type::Date& geography, bool unit_has_children) {
  LinkOwnerDescriptors();
  const pb::MethodDescriptor* m =
      pb::DescriptorPool::generated_pool()->FindMethodByName(absl::StrReplaceAll(method, {{"/", "."}}));
  if (m == nullptr) return absl::InternalError(absl::StrCat("no such statistics method: ", method));
  std::unique_ptr<pb::Message> req(pb::MessageFactory::generated_factory()->GetPrototype(m->input_type())->New());
  if (auto st = pb::util::JsonStringToMessage(params_json.empty() ? "{}" : params_json, req.get()); !st.ok()) {
    return absl::InternalError(absl::StrCat("parameters of ", method, ": ", st.ToString()));
  }
  const pb::Descriptor* d = req->GetDescriptor();
  const pb::Reflection* r = req->GetReflection();
  if (const auto* f = d->FindFieldByName("period"); f != nullptr && f->message_type() == Period::descriptor()) {
    r->MutableMessage(req.get(), f)->CopyFrom(period);
  } else if (const auto* y = d->FindFieldByName("year"); y != nullptr && y->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT32) {
    r->SetInt32(req.get(), y, period.year());
  }
  if (const auto* f = d->FindFieldByName("unit_code"); f != nullptr && f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
    r->SetString(req.get(), f, unit_code);
  }
  if (const auto* f = d->FindFieldByName("by_child_unit");
      f != nullptr && f->cpp_type() == pb::FieldDescriptor::CPPTYPE_BOOL && !unit_has_children) {
    r->ClearField(req.get(), f);
  }
  if (const auto* f = d->FindFieldByName("as_of");
      f != nullptr && f->message_type() == google::type::Date::descriptor() && api::IsSet(geography)) {
    r->MutableMessage(req.get(), f)->CopyFrom(geography);
  }
  return api::ProtoJson(*req);
}

// The field at `path` (dot-separated proto names) of a JSON answer, as JSON; null when absent.
std::string Select(const std::string& answer_json, const std::string& path) {
  pb::Value v;
  if (!pb::util::JsonStringToMessage(answer_json, &v).ok()) return "null";
  const pb::Value* at = &v;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (at->kind_case() != pb::Value::kStructValue) return "null";
    auto it = at->struct_value().fields().find(std::string(part));
    if (it == at->struct_value().fields().end()) return "null";
    at = &it->second;
  }
  std::string out;
  (void)pb::util::MessageToJsonString(*at, &out);
  return out;
}

// Two JSON texts with the same value (jsonb and the owner's printing differ in spacing).
bool SameJson(const std::string& a, const std::string& b) {
  pb::Value x, y;
  if (!pb::util::JsonStringToMessage(a, &x).ok() || !pb::util::JsonStringToMessage(b, &y).ok()) return a == b;
  return pb::util::MessageDifferencer::Equals(x, y);
}

const pb::FieldDescriptor* SelectedField(const std::string& method, const std::string& path) {
  LinkOwnerDescriptors();
  const pb::MethodDescriptor* m =
      pb::DescriptorPool::generated_pool()->FindMethodByName(absl::StrReplaceAll(method, {{"/", "."}}));
  if (m == nullptr) return nullptr;
  const pb::Descriptor* at = m->output_type();
  const pb::FieldDescriptor* f = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (at == nullptr) return nullptr;
    f = at->FindFieldByName(std::string(part));
    if (f == nullptr) return nullptr;
    at = f->message_type();
  }
  return f;
}

namespace {

bool IsQuantity(const pb::FieldDescriptor* f) {
  return !f->is_repeated() && (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT64 ||
                               f->cpp_type() == pb::FieldDescriptor::CPPTYPE_UINT64);
}

// A JSON array (or one object) as messages of `type`.
absl::StatusOr<std::vector<std::unique_ptr<pb::Message>>> ParseRows(const pb::Message& prototype,
                                                                    const std::string& json) {
  pb::Value v;
  if (!pb::util::JsonStringToMessage(json, &v).ok()) return absl::InternalError("a stored value is not JSON");
  std::vector<const pb::Value*> items;
  if (v.kind_case() == pb::Value::kListValue) {
    for (const auto& x : v.list_value().values()) items.push_back(&x);
  } else if (v.kind_case() == pb::Value::kStructValue) {
    items.push_back(&v);
  }
  std::vector<std::unique_ptr<pb::Message>> out;
  pb::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  for (const pb::Value* item : items) {
    std::string text;
    (void)pb::util::MessageToJsonString(*item, &text);
    std::unique_ptr<pb::Message> m(prototype.New());
    if (auto st = pb::util::JsonStringToMessage(text, m.get(), lenient); !st.ok()) {
      return absl::InternalError(absl::StrCat("a stored row does not parse: ", st.ToString()));
    }
    out.push_back(std::move(m));
  }
  return out;
}

int64_t Int64Of(const std::string& json) {
  pb::Value v;
  if (!pb::util::JsonStringToMessage(json, &v).ok()) return 0;
  if (v.kind_case() == pb::Value::kStringValue) {
    int64_t n = 0;
    return absl::SimpleAtoi(v.string_value(), &n) ? n : 0;
  }
  return v.kind_case() == pb::Value::kNumberValue ? static_cast<int64_t>(v.number_value()) : 0;
}

}  // namespace

absl::StatusOr<std::string> SumValues(const pb::FieldDescriptor* field,
                                      const std::vector<std::pair<std::string, std::string>>& child_values,
                                      bool relabel_unit, const Ratios& ratios) {
  if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    if (!IsQuantity(field)) {
      return absl::FailedPreconditionError(absl::StrCat(field->name(), " is not a quantity: it does not add up"));
    }
    int64_t sum = 0;
    for (const auto& [unit, json] : child_values) sum += Int64Of(json);
    return absl::StrCat("\"", sum, "\"");
  }
  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(field->message_type());
  const pb::Descriptor* d = field->message_type();
  const pb::FieldDescriptor* unit_field = d->FindFieldByName("unit_code");
  std::map<std::string, std::unique_ptr<pb::Message>> rows;  // key -> summed row
  for (const auto& [unit, json] : child_values) {
    LNOB_ASSIGN_OR_RETURN(auto parsed, ParseRows(*prototype, json));
    for (auto& row : parsed) {
      const pb::Reflection* r = row->GetReflection();
      if (relabel_unit && unit_field != nullptr) r->SetString(row.get(), unit_field, unit);
      std::unique_ptr<pb::Message> key_row(row->New());
      key_row->CopyFrom(*row);
      for (int i = 0; i < d->field_count(); ++i) {
        const pb::FieldDescriptor* f = d->field(i);
        if (IsQuantity(f)) {
          r->ClearField(key_row.get(), f);
        } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_DOUBLE ||
                   f->cpp_type() == pb::FieldDescriptor::CPPTYPE_FLOAT) {
          if (!ratios.count(f->name())) {
            return absl::FailedPreconditionError(
                absl::StrCat(d->name(), ".", f->name(), " is a ratio without a roll-up rule (roll_up_ratios)"));
          }
          r->ClearField(key_row.get(), f);
        }
      }
      std::string key;
      (void)key_row->SerializePartialToString(&key);
      auto it = rows.find(key);
      if (it == rows.end()) {
        rows.emplace(key, std::move(row));
        continue;
      }
      for (int i = 0; i < d->field_count(); ++i) {
        const pb::FieldDescriptor* f = d->field(i);
        if (!IsQuantity(f)) continue;
        if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT64) {
          r->SetInt64(it->second.get(), f, r->GetInt64(*it->second, f) + r->GetInt64(*row, f));
        } else {
          r->SetUInt64(it->second.get(), f, r->GetUInt64(*it->second, f) + r->GetUInt64(*row, f));
        }
      }
    }
  }
  std::vector<std::string> printed;
  for (auto& [key, row] : rows) {
    const pb::Reflection* r = row->GetReflection();
    for (const auto& [name, rule] : ratios) {
      const pb::FieldDescriptor* f = d->FindFieldByName(name);
      const pb::FieldDescriptor* num = d->FindFieldByName(std::get<0>(rule));
      const pb::FieldDescriptor* den = d->FindFieldByName(std::get<1>(rule));
      if (f == nullptr || num == nullptr || den == nullptr || !IsQuantity(num) || !IsQuantity(den)) continue;
      const double n = static_cast<double>(r->GetInt64(*row, num));
      const double q = static_cast<double>(r->GetInt64(*row, den));
      r->SetDouble(row.get(), f, q == 0 ? 0.0 : n / q * std::get<2>(rule));
    }
    printed.push_back(api::ProtoJsonAllFields(*row));
  }
  if (!field->is_repeated()) return printed.empty() ? std::string("null") : printed.front();
  return absl::StrCat("[", absl::StrJoin(printed, ","), "]");
}

}  // namespace lnob::reporting::internal
