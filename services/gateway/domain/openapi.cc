#include "services/gateway/domain/openapi.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using google::protobuf::Value;

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}
Value Obj(Struct s) {
  Value v;
  *v.mutable_struct_value() = std::move(s);
  return v;
}
Value Bool(bool b) {
  Value v;
  v.set_bool_value(b);
  return v;
}
Value List(std::vector<Value> items) {
  Value v;
  v.mutable_list_value();  // an empty list is still a list
  for (auto& i : items) *v.mutable_list_value()->add_values() = std::move(i);
  return v;
}
Struct Kv(std::initializer_list<std::pair<const char*, Value>> kv) {
  Struct s;
  for (const auto& [k, v] : kv) (*s.mutable_fields())[k] = v;
  return s;
}

std::string Comment(const google::protobuf::MethodDescriptor* m) {
  google::protobuf::SourceLocation loc;
  if (!m->GetSourceLocation(&loc)) return "";
  return std::string(absl::StripAsciiWhitespace(absl::StrReplaceAll(loc.leading_comments, {{"\n", " "}})));
}

std::string SchemaName(const Descriptor* d) { return d->full_name(); }

class Generator {
 public:
  Value FieldSchema(const FieldDescriptor* f, bool ignore_repeated = false) {
    Value base;
    switch (f->type()) {
      case FieldDescriptor::TYPE_STRING: base = Obj(Kv({{"type", Str("string")}})); break;
      case FieldDescriptor::TYPE_BYTES: base = Obj(Kv({{"type", Str("string")}, {"format", Str("byte")}})); break;
      case FieldDescriptor::TYPE_BOOL: base = Obj(Kv({{"type", Str("boolean")}})); break;
      case FieldDescriptor::TYPE_DOUBLE:
      case FieldDescriptor::TYPE_FLOAT: base = Obj(Kv({{"type", Str("number")}})); break;
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_FIXED64:
      case FieldDescriptor::TYPE_SFIXED64:  // proto3 JSON writes 64-bit integers as strings
        base = Obj(Kv({{"type", Str("string")}, {"format", Str("int64")}}));
        break;
      case FieldDescriptor::TYPE_ENUM: {
        std::vector<Value> names;
        for (int i = 0; i < f->enum_type()->value_count(); ++i) names.push_back(Str(f->enum_type()->value(i)->name()));
        base = Obj(Kv({{"type", Str("string")}, {"enum", List(names)}}));
        break;
      }
      case FieldDescriptor::TYPE_MESSAGE:
      case FieldDescriptor::TYPE_GROUP:
        base = MessageRef(f->message_type());
        break;
      default: base = Obj(Kv({{"type", Str("integer")}, {"format", Str("int32")}})); break;
    }
    if (f->is_repeated() && !ignore_repeated) return Obj(Kv({{"type", Str("array")}, {"items", base}}));
    return base;
  }

  Value MessageRef(const Descriptor* d) {
    if (d->full_name() == "google.protobuf.FieldMask") {
      return Obj(Kv({{"type", Str("string")}, {"description", Str("comma-separated field paths")}}));
    }
    if (d->full_name() == "google.protobuf.Timestamp") {
      return Obj(Kv({{"type", Str("string")}, {"format", Str("date-time")}}));
    }
    if (!defined_.count(d->full_name())) {
      defined_.insert(d->full_name());
      Struct props;
      for (int i = 0; i < d->field_count(); ++i) {
        (*props.mutable_fields())[d->field(i)->json_name()] = FieldSchema(d->field(i));
      }
      (*schemas_.mutable_fields())[SchemaName(d)] = Obj(Kv({{"type", Str("object")}, {"properties", Obj(props)}}));
    }
    return Obj(Kv({{"$ref", Str("#/components/schemas/" + SchemaName(d))}}));
  }

  Struct& schemas() { return schemas_; }

 private:
  std::set<std::string> defined_;
  Struct schemas_;
};

// "/v1/{name=households/*/reviews/*}:approve" -> "/v1/households/{name_1}/reviews/{name}:approve"
// with one string path parameter per '*'.
std::string OpenApiPath(const Route& r, std::vector<std::string>* params) {
  std::vector<std::string> segs(r.path.segments.size());
  for (size_t i = 0; i < r.path.segments.size(); ++i) {
    const auto& s = r.path.segments[i];
    segs[i] = s.kind == PathTemplate::Segment::kLiteral ? s.literal : "";
  }
  for (const auto& v : r.path.variables) {
    std::vector<size_t> stars;
    for (size_t i = v.first; i < v.last; ++i) {
      if (r.path.segments[i].kind != PathTemplate::Segment::kLiteral) stars.push_back(i);
    }
    const std::string base = absl::StrReplaceAll(v.field_path, {{".", "_"}});
    for (size_t k = 0; k < stars.size(); ++k) {
      // Named after the collection before the '*' (households/{households_id}), so that routes
      // binding different fields to the same path share one OpenAPI path.
      const size_t at = stars[k];
      const std::string name = at > 0 && r.path.segments[at - 1].kind == PathTemplate::Segment::kLiteral
                                   ? r.path.segments[at - 1].literal + "_id"
                                   : absl::StrCat(base, "_", k + 1);
      segs[stars[k]] = "{" + name + "}";
      params->push_back(name);
    }
  }
  std::string out = "/" + absl::StrJoin(segs, "/");
  if (!r.path.verb.empty()) absl::StrAppend(&out, ":", r.path.verb);
  return out;
}

}  // namespace

std::string OpenApiJson(const RouteTable& routes, const std::string& title, const std::string& version) {
  Generator gen;
  Struct paths;
  std::set<std::string> tags;
  for (const auto& r : routes.routes()) {
    std::vector<std::string> path_params;
    const std::string path = OpenApiPath(r, &path_params);
    std::set<std::string> bound;
    for (const auto& v : r.path.variables) bound.insert(v.field_path.substr(0, v.field_path.find('.')));
    std::vector<Value> params;
    for (const auto& p : path_params) {
      params.push_back(Obj(Kv({{"name", Str(p)}, {"in", Str("path")}, {"required", Bool(true)},
                               {"schema", Obj(Kv({{"type", Str("string")}}))}})));
    }
    const Descriptor* in = r.method->input_type();
    if (r.body != "*") {
      for (int i = 0; i < in->field_count(); ++i) {
        const FieldDescriptor* f = in->field(i);
        if (bound.count(f->name()) || f->name() == r.body) continue;
        if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
          const Descriptor* sub = f->message_type();
          if (sub->full_name() == "google.protobuf.FieldMask") {
            params.push_back(Obj(Kv({{"name", Str(f->json_name())}, {"in", Str("query")},
                                     {"schema", Obj(Kv({{"type", Str("string")}}))}})));
            continue;
          }
          for (int j = 0; j < sub->field_count(); ++j) {  // one level: asOf.year, asOf.month ...
            if (sub->field(j)->type() == FieldDescriptor::TYPE_MESSAGE) continue;
            params.push_back(Obj(Kv({{"name", Str(f->json_name() + "." + sub->field(j)->json_name())}, {"in", Str("query")},
                                     {"schema", gen.FieldSchema(sub->field(j))}})));
          }
          continue;
        }
        Value schema = gen.FieldSchema(f);
        params.push_back(Obj(Kv({{"name", Str(f->json_name())}, {"in", Str("query")}, {"schema", schema}})));
      }
    }
    const std::string service = r.method->service()->name();
    tags.insert(service);
    std::string summary = Comment(r.method);
    if (summary.empty()) summary = r.method->name();
    Struct op = Kv({{"operationId", Str(absl::StrCat(service, "_", r.method->name()))},
                    {"summary", Str(r.method->name())},
                    {"description", Str(absl::StrCat(summary, " (gRPC ", r.grpc_path, ")"))},
                    {"tags", List({Str(service)})},
                    {"parameters", List(params)}});
    if (!r.body.empty()) {
      Value schema;
      if (r.body == "*") {
        schema = gen.MessageRef(in);
      } else {
        schema = gen.FieldSchema(in->FindFieldByName(r.body), true);
      }
      (*op.mutable_fields())["requestBody"] = Obj(Kv({{"required", Bool(true)},
          {"content", Obj(Kv({{"application/json", Obj(Kv({{"schema", schema}}))}}))}}));
    }
    Value ok = Obj(Kv({{"description", Str("OK")},
                       {"content", Obj(Kv({{"application/json", Obj(Kv({{"schema", gen.MessageRef(r.method->output_type())}}))}}))}}));
    Value err_ref = Obj(Kv({{"$ref", Str("#/components/responses/Error")}}));
    (*op.mutable_fields())["responses"] = Obj(Kv({{"200", ok}, {"400", err_ref}, {"401", err_ref}, {"403", err_ref},
                                                   {"404", err_ref}, {"default", err_ref}}));
    std::string method = r.http_method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& item = (*paths.mutable_fields())[path];
    (*item.mutable_struct_value()->mutable_fields())[method] = Obj(op);
  }
  Struct error_schema = Kv({{"type", Str("object")},
      {"description", Str("google.rpc.Status as JSON; the HTTP status follows the gRPC code (docs/architecture.md)")},
      {"properties", Obj(Kv({{"code", Obj(Kv({{"type", Str("integer")}, {"format", Str("int32")}}))},
                             {"message", Obj(Kv({{"type", Str("string")}}))},
                             {"details", Obj(Kv({{"type", Str("array")}, {"items", Obj(Kv({{"type", Str("object")}}))}}))}}))}});
  (*gen.schemas().mutable_fields())["Error"] = Obj(error_schema);
  std::vector<Value> tag_list;
  for (const auto& t : tags) tag_list.push_back(Obj(Kv({{"name", Str(t)}, {"description", Str("lnob " + t)}})));
  Struct doc = Kv({
      {"openapi", Str("3.0.3")},
      {"info", Obj(Kv({{"title", Str(title)}, {"version", Str(version)},
                       {"description", Str("REST/JSON face of lnob, generated from the google.api.http annotations of the gRPC APIs.")},
                       {"license", Obj(Kv({{"name", Str("Proprietary (provincial government)")}, {"url", Str("https://lnob.gov.vn/license")}}))}}))},
      {"servers", List({Obj(Kv({{"url", Str("http://127.0.0.1:8080")}, {"description", Str("local ./lnob up")}}))})},
      {"tags", List(tag_list)},
      {"security", List({Obj(Kv({{"bearerAuth", List({})}}))})},
      {"paths", Obj(paths)},
      {"components", Obj(Kv({{"schemas", Obj(gen.schemas())},
                             {"securitySchemes", Obj(Kv({{"bearerAuth", Obj(Kv({{"type", Str("http")}, {"scheme", Str("bearer")},
                                                                                {"bearerFormat", Str("JWT")}}))}}))},
                             {"responses", Obj(Kv({{"Error", Obj(Kv({{"description", Str("Error")},
                                 {"content", Obj(Kv({{"application/json", Obj(Kv({{"schema", Obj(Kv({{"$ref", Str("#/components/schemas/Error")}}))}}))}}))}}))}}))}}))},
  });
  std::string json;
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  google::protobuf::util::MessageToJsonString(doc, &json, o);
  return json;
}

}  // namespace lnob::gateway
