#include "services/gateway/domain/transcoder.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::gateway {
namespace {

using google::protobuf::FieldDescriptor;

const FieldDescriptor* FindField(const google::protobuf::Descriptor* d, absl::string_view name) {
  const FieldDescriptor* f = d->FindFieldByName(std::string(name));
  if (f == nullptr) f = d->FindFieldByCamelcaseName(std::string(name));
  if (f == nullptr) {
    for (int i = 0; i < d->field_count(); ++i) {
      if (d->field(i)->json_name() == name) return d->field(i);
    }
  }
  return f;
}

}  // namespace

std::string UrlDecode(absl::string_view in, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int v = 0;
      if (absl::SimpleHexAtoi(in.substr(i + 1, 2), &v)) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && in[i] == '+' ? ' ' : in[i]);
  }
  return out;
}

absl::Status SetFieldPath(google::protobuf::Message* msg, absl::string_view path, absl::string_view value) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  google::protobuf::Message* cur = msg;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto* refl = cur->GetReflection();
    const FieldDescriptor* f = FindField(cur->GetDescriptor(), parts[i]);
    if (f == nullptr) return InvalidField(path, "no such field");
    const bool last = i + 1 == parts.size();
    if (!last) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
        return InvalidField(path, "cannot address a field inside this one");
      }
      cur = refl->MutableMessage(cur, f);
      continue;
    }
    const std::string v(value);
    const bool rep = f->is_repeated();
    auto bad = [&](const char* what) { return InvalidField(path, absl::StrCat("expected ", what)); };
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (f->type() == FieldDescriptor::TYPE_BYTES) return bad("a field that is not bytes");
        rep ? refl->AddString(cur, f, v) : refl->SetString(cur, f, v);
        break;
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t x;
        if (!absl::SimpleAtoi(v, &x)) return bad("a 32-bit integer");
        rep ? refl->AddInt32(cur, f, x) : refl->SetInt32(cur, f, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t x;
        if (!absl::SimpleAtoi(v, &x)) return bad("a 64-bit integer");
        rep ? refl->AddInt64(cur, f, x) : refl->SetInt64(cur, f, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t x;
        if (!absl::SimpleAtoi(v, &x)) return bad("an unsigned integer");
        rep ? refl->AddUInt32(cur, f, x) : refl->SetUInt32(cur, f, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t x;
        if (!absl::SimpleAtoi(v, &x)) return bad("an unsigned integer");
        rep ? refl->AddUInt64(cur, f, x) : refl->SetUInt64(cur, f, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double x;
        if (!absl::SimpleAtod(v, &x)) return bad("a number");
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          rep ? refl->AddDouble(cur, f, x) : refl->SetDouble(cur, f, x);
        } else {
          rep ? refl->AddFloat(cur, f, static_cast<float>(x)) : refl->SetFloat(cur, f, static_cast<float>(x));
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool x;
        if (v == "true" || v == "1") x = true;
        else if (v == "false" || v == "0") x = false;
        else return bad("true or false");
        rep ? refl->AddBool(cur, f, x) : refl->SetBool(cur, f, x);
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* ev = f->enum_type()->FindValueByName(v);
        int n;
        if (ev == nullptr && absl::SimpleAtoi(v, &n)) ev = f->enum_type()->FindValueByNumber(n);
        if (ev == nullptr) return bad(absl::StrCat("a value of ", f->enum_type()->name()).c_str());
        rep ? refl->AddEnum(cur, f, ev) : refl->SetEnum(cur, f, ev);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        // Well-known type with a string form (proto3 JSON mapping): FieldMask "a,bC.d".
        if (f->message_type()->full_name() == "google.protobuf.FieldMask" && !rep) {
          google::protobuf::Message* mask = refl->MutableMessage(cur, f);
          const FieldDescriptor* paths = mask->GetDescriptor()->FindFieldByName("paths");
          for (absl::string_view p : absl::StrSplit(value, ',', absl::SkipEmpty())) {
            std::string snake;
            for (char ch : p) {
              if (ch >= 'A' && ch <= 'Z') {
                snake.push_back('_');
                snake.push_back(static_cast<char>(ch - 'A' + 'a'));
              } else {
                snake.push_back(ch);
              }
            }
            mask->GetReflection()->AddString(mask, paths, snake);
          }
          break;
        }
        return InvalidField(path, "is a message: address one of its fields (e.g. asOf.year)");
      }
    }
  }
  return absl::OkStatus();
}

std::unique_ptr<google::protobuf::Message> Transcoder::New(const google::protobuf::Descriptor* d) {
  return std::unique_ptr<google::protobuf::Message>(factory_.GetPrototype(d)->New());
}

absl::StatusOr<std::string> Transcoder::BuildRequest(const RouteMatch& match,
                                                     const std::vector<std::pair<std::string, std::string>>& query,
                                                     absl::string_view body) {
  const Route& route = *match.route;
  auto msg = New(route.method->input_type());
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  if (!route.body.empty()) {
    if (!body.empty()) {
      google::protobuf::Message* target = msg.get();
      if (route.body != "*") {
        const FieldDescriptor* f = FindField(msg->GetDescriptor(), route.body);
        if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
          return absl::InternalError(absl::StrCat("route body field ", route.body, " is not a message"));
        }
        target = msg->GetReflection()->MutableMessage(msg.get(), f);
      }
      auto st = google::protobuf::util::JsonStringToMessage(std::string(body), target, opts);
      if (!st.ok()) {
        return InvalidField(route.body == "*" ? "body" : route.body,
                            absl::StrCat("malformed JSON: ", std::string(st.message())));
      }
    }
  } else if (!body.empty()) {
    return InvalidField("body", "this method takes no body");
  }
  for (const auto& [name, value] : query) {
    if (route.body == "*") return InvalidField(name, "query parameters are not accepted when the body maps to the request");
    LNOB_RETURN_IF_ERROR(SetFieldPath(msg.get(), name, value));
  }
  for (const auto& [path, value] : match.bindings) {
    LNOB_RETURN_IF_ERROR(SetFieldPath(msg.get(), path, value));
  }
  return msg->SerializeAsString();
}

absl::StatusOr<std::string> Transcoder::ResponseJson(const Route& route, const std::string& bytes) {
  auto msg = New(route.method->output_type());
  if (!msg->ParseFromString(bytes)) return absl::InternalError("backend response does not parse");
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  auto st = google::protobuf::util::MessageToJsonString(*msg, &json, opts);
  if (!st.ok()) return absl::InternalError("response to JSON failed");
  return json;
}

}  // namespace lnob::gateway
