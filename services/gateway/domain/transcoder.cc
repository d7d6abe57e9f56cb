#include "services/gateway/domain/transcoder.h"

#include "absl/strings/ascii.h"
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

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), 0 when none starts there.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return n;
}

// The only text a proto3 string field may hold: a request with anything else does not parse.
bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// Client text quoted in an error (google.rpc.BadRequest is proto3 too): every byte that starts
// no well-formed sequence becomes U+FFFD.
std::string ToValidUtf8(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace

std::string UrlDecode(absl::string_view in, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && absl::ascii_isxdigit(in[i + 1]) &&
        absl::ascii_isxdigit(in[i + 2])) {
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
    if (f == nullptr) return InvalidField(ToValidUtf8(path), "no such field");
    const bool last = i + 1 == parts.size();
    if (!last) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
        return InvalidField(ToValidUtf8(path), "cannot address a field inside this one");
      }
      cur = refl->MutableMessage(cur, f);
      continue;
    }
    const std::string v(value);
    const bool rep = f->is_repeated();
    auto bad = [&](const char* what) { return InvalidField(ToValidUtf8(path), absl::StrCat("expected ", what)); };
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (f->type() == FieldDescriptor::TYPE_BYTES) return bad("a field that is not bytes");
        if (!IsValidUtf8(v)) return bad("UTF-8 text");
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
          if (!IsValidUtf8(value)) return bad("UTF-8 text");
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
        return InvalidField(ToValidUtf8(path), "is a message: address one of its fields (e.g. asOf.year)");
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
                                                     absl::string_view body, bool* retry_safe) {
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
        // The parser's first line; the lines after it quote the body around the error.
        const std::string message(st.message());
        const absl::string_view why = absl::string_view(message).substr(0, message.find('\n'));
        return InvalidField(route.body == "*" ? "body" : route.body,
                            absl::StrCat("malformed JSON: ", ToValidUtf8(why)));
      }
    }
  } else if (!body.empty()) {
    return InvalidField("body", "this method takes no body");
  }
  for (const auto& [name, value] : query) {
    if (route.body == "*") {
      return InvalidField(ToValidUtf8(name), "query parameters are not accepted when the body maps to the request");
    }
    LNOB_RETURN_IF_ERROR(SetFieldPath(msg.get(), name, value));
  }
  for (const auto& [path, value] : match.bindings) {
    LNOB_RETURN_IF_ERROR(SetFieldPath(msg.get(), path, value));
  }
  if (retry_safe != nullptr) *retry_safe = RetrySafe(route, *msg);
  return msg->SerializeAsString();
}

bool RetrySafe(const Route& route, const google::protobuf::Message& request) {
  if (!route.idempotent) return false;
  const FieldDescriptor* id = request.GetDescriptor()->FindFieldByName("request_id");
  if (id == nullptr || id->cpp_type() != FieldDescriptor::CPPTYPE_STRING || id->is_repeated()) return true;
  return !request.GetReflection()->GetString(request, id).empty();
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
