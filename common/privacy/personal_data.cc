#include "common/privacy/personal_data.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/policy.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::privacy {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Bad(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("personal-data policy: ", where, ": ", what));
}

std::string Initials(const std::string& full_name) {
  std::string out;
  for (absl::string_view w : absl::StrSplit(full_name, ' ', absl::SkipEmpty())) {
    size_t len = 1;
    const unsigned char c = static_cast<unsigned char>(w[0]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    absl::StrAppend(&out, out.empty() ? "" : " ", w.substr(0, std::min(len, w.size())), ".");
  }
  return out;
}

// "Message.field" of `package` -> the field, or an error naming the entry.
absl::StatusOr<const FieldDescriptor*> FindField(absl::string_view package, const std::string& path) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  if (parts.size() != 2) return Bad(path, "must be Message.field");
  const Descriptor* d =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(absl::StrCat(package, ".", parts[0]));
  if (d == nullptr) return Bad(path, absl::StrCat("no message ", parts[0], " in ", package));
  const FieldDescriptor* f = d->FindFieldByName(parts[1]);
  if (f == nullptr) return Bad(path, absl::StrCat("no field ", parts[1], " in ", parts[0]));
  return f;
}

bool IsSet(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  return f->is_repeated() ? r->FieldSize(m, f) > 0 : r->HasField(m, f);
}

// {collection}/{id}[/...] -> id; "" otherwise.
std::string SubjectIn(const std::string& name, absl::string_view collection) {
  if (!absl::StartsWith(name, collection) || name.size() <= collection.size() || name[collection.size()] != '/') {
    return "";
  }
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  return parts.size() >= 2 ? parts[1] : "";
}

}  // namespace

absl::StatusOr<PersonalDataPolicy> PersonalDataPolicy::FromJson(absl::string_view json, absl::string_view package,
                                                                absl::string_view collection) {
  if (collection.size() < 2 || collection.back() != 's') return Bad("collection", "must be a plural name");
  google::protobuf::Struct root;
  if (!google::protobuf::util::JsonStringToMessage(std::string(json), &root).ok()) {
    return Bad("document", "not valid JSON");
  }
  auto cats = root.fields().find("categories");
  if (cats == root.fields().end() || !cats->second.has_struct_value()) {
    return Bad("document", "missing object \"categories\"");
  }
  PersonalDataPolicy p;
  p.collection_ = std::string(collection);
  p.subject_field_ = std::string(collection.substr(0, collection.size() - 1));
  absl::flat_hash_map<const FieldDescriptor*, std::string> owner;  // each field in one category
  for (const auto& [name, body] : cats->second.struct_value().fields()) {
    const std::string where = absl::StrCat("categories.", name);
    if (!body.has_struct_value()) return Bad(where, "must be an object");
    const auto& f = body.struct_value().fields();
    auto text = [&](const char* key) {
      auto it = f.find(key);
      return it == f.end() ? std::string() : it->second.string_value();
    };
    Category c{name, text("permission"), text("basis")};
    if (c.permission.empty()) return Bad(where, "needs a \"permission\"");
    if (c.basis.empty()) return Bad(where, "needs a \"basis\" (the legal ground)");
    const int index = static_cast<int>(p.categories_.size());
    p.categories_.push_back(std::move(c));
    auto fields = f.find("fields");
    if (fields == f.end() || !fields->second.has_struct_value() || fields->second.struct_value().fields().empty()) {
      return Bad(where, "needs \"fields\": {\"Message.field\": MASK}");
    }
    for (const auto& [path, mask_value] : fields->second.struct_value().fields()) {
      LNOB_ASSIGN_OR_RETURN(const FieldDescriptor* fd, FindField(package, path));
      const std::string mask_name = mask_value.string_value();
      Mask mask;
      if (mask_name == "CLEAR") {
        mask = Mask::kClear;
      } else if (mask_name == "INITIALS") {
        if (fd->type() != FieldDescriptor::TYPE_STRING || fd->is_repeated()) return Bad(path, "INITIALS needs a string");
        mask = Mask::kInitials;
      } else if (mask_name == "YEAR_ONLY") {
        if (fd->message_type() == nullptr || fd->message_type()->full_name() != "google.type.Date" || fd->is_repeated()) {
          return Bad(path, "YEAR_ONLY needs a google.type.Date");
        }
        mask = Mask::kYearOnly;
      } else {
        return Bad(path, absl::StrCat("unknown mask \"", mask_name, "\" (CLEAR, INITIALS, YEAR_ONLY)"));
      }
      if (auto [it, fresh] = owner.emplace(fd, name); !fresh) {
        return Bad(path, absl::StrCat("is in two categories (", it->second, ", ", name, ")"));
      }
      p.fields_[fd->containing_type()].push_back({fd, mask, index});
    }
    if (auto filters = f.find("filters"); filters != f.end()) {
      if (!filters->second.has_list_value()) return Bad(where, "\"filters\" must be a list");
      for (const auto& v : filters->second.list_value().values()) {
        LNOB_ASSIGN_OR_RETURN(const FieldDescriptor* fd, FindField(package, v.string_value()));
        p.filters_[fd->containing_type()].push_back({fd, index});
      }
    }
  }
  // Every message of the files that hold a policy field, decided once (the walk asks per field).
  std::set<const google::protobuf::FileDescriptor*> files;
  for (const auto& [type, rules] : p.fields_) files.insert(type->file());
  // ...and every type their fields lead to (google.type.Date, Timestamp, ...), so that a walk
  // never has to search the type graph.
  std::function<void(const Descriptor*)> note = [&](const Descriptor* t) {
    if (p.reaches_.contains(t)) return;
    p.reaches_[t] = p.ReachesUncached(t);
    for (int i = 0; i < t->nested_type_count(); ++i) note(t->nested_type(i));
    for (int i = 0; i < t->field_count(); ++i) {
      if (const Descriptor* sub = t->field(i)->message_type()) note(sub);
    }
  };
  for (const auto* file : files) {
    for (int i = 0; i < file->message_type_count(); ++i) note(file->message_type(i));
  }
  return p;
}

const PersonalDataPolicy* PersonalDataPolicy::OrDie(absl::string_view json, absl::string_view package,
                                                   absl::string_view collection) {
  auto r = FromJson(json, package, collection);
  if (!r.ok()) {
    std::cerr << r.status() << "\n";
    std::abort();
  }
  return new PersonalDataPolicy(*std::move(r));
}

bool PersonalDataPolicy::ReadsAny(const auth::Principal& p) const {
  return std::any_of(categories_.begin(), categories_.end(),
                     [&](const Category& c) { return p.Can(c.permission); });
}

absl::Status PersonalDataPolicy::CheckFilters(const auth::Principal& p, const Message& request) const {
  auto it = filters_.find(request.GetDescriptor());
  if (it == filters_.end()) return absl::OkStatus();
  for (const Filter& f : it->second) {
    const Category& c = categories_[f.category];
    if (!IsSet(request, f.field) || p.Can(c.permission)) continue;
    return WithReason(absl::PermissionDeniedError(absl::StrCat(f.field->name(), ": filtering by it needs ", c.permission,
                                                               " (this caller sees ", c.name, " masked)")),
                      "PERSONAL_DATA_REQUIRED");
  }
  return absl::OkStatus();
}

bool PersonalDataPolicy::Reaches(const Descriptor* d) const {
  if (auto it = reaches_.find(d); it != reaches_.end()) return it->second;
  return ReachesUncached(d);
}

bool PersonalDataPolicy::ReachesUncached(const Descriptor* d) const {
  std::set<const Descriptor*> seen;
  std::function<bool(const Descriptor*)> reaches = [&](const Descriptor* t) {
    if (fields_.contains(t)) return true;
    if (!seen.insert(t).second) return false;
    for (int i = 0; i < t->field_count(); ++i) {
      const Descriptor* sub = t->field(i)->message_type();
      if (sub != nullptr && reaches(sub)) return true;
    }
    return false;
  };
  return reaches(d);
}

struct PersonalDataPolicy::Visit {
  const auth::Principal& principal;
  std::vector<bool> readable;  // per category
  std::set<int> disclosed;     // categories seen unmasked with a value
  Disclosure out;
  std::set<std::string> subjects;
};

void PersonalDataPolicy::Walk(Visit& v, Message* msg, Message* recorder, const std::string& prefix,
                              const std::string& subject) const {
  const Descriptor* d = msg->GetDescriptor();
  const Reflection* r = msg->GetReflection();
  std::string hh = subject;
  for (const std::string& key : {std::string("name"), subject_field_}) {
    const FieldDescriptor* f = d->FindFieldByName(key);
    if (f != nullptr && f->type() == FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
      if (std::string id = SubjectIn(r->GetString(*msg, f), collection_); !id.empty()) hh = id;
    }
  }
  std::string pre = prefix;
  if (const FieldDescriptor* mf = d->FindFieldByName("masked_fields");
      mf != nullptr && mf->is_repeated() && mf->type() == FieldDescriptor::TYPE_STRING) {
    recorder = msg;
    pre.clear();
  }
  bool masked_any = false;
  if (auto it = fields_.find(d); it != fields_.end()) {
    for (const FieldRule& rule : it->second) {
      if (v.readable[rule.category]) {
        if (IsSet(*msg, rule.field) && !hh.empty()) {
          v.disclosed.insert(rule.category);
          if (v.subjects.insert(hh).second) v.out.subject_ids.push_back(hh);
        }
        continue;
      }
      // Listed whether or not it had a value: an absent entry would tell "false" from "withheld".
      if (recorder != nullptr) {
        const std::string path = pre + rule.field->name();
        const Reflection* rr = recorder->GetReflection();
        const FieldDescriptor* mf = recorder->GetDescriptor()->FindFieldByName("masked_fields");
        bool listed = false;
        for (int i = 0; i < rr->FieldSize(*recorder, mf) && !listed; ++i) {
          listed = rr->GetRepeatedString(*recorder, mf, i) == path;
        }
        if (!listed) rr->AddString(recorder, mf, path);
      }
      masked_any = true;
      switch (rule.mask) {
        case Mask::kClear:
          r->ClearField(msg, rule.field);
          break;
        case Mask::kInitials:
          r->SetString(msg, rule.field, Initials(r->GetString(*msg, rule.field)));
          break;
        case Mask::kYearOnly:
          if (r->HasField(*msg, rule.field)) {
            Message* date = r->MutableMessage(msg, rule.field);
            const Descriptor* dd = date->GetDescriptor();
            date->GetReflection()->SetInt32(date, dd->FindFieldByName("month"), 0);
            date->GetReflection()->SetInt32(date, dd->FindFieldByName("day"), 0);
          }
          break;
      }
    }
  }
  if (masked_any) {
    if (const FieldDescriptor* m = d->FindFieldByName("masked"); m != nullptr && m->type() == FieldDescriptor::TYPE_BOOL) {
      r->SetBool(msg, m, true);
    }
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->message_type() == nullptr || !Reaches(f->message_type())) continue;
    const std::string child = absl::StrCat(pre, f->name(), ".");
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(*msg, f); ++j) Walk(v, r->MutableRepeatedMessage(msg, f, j), recorder, child, hh);
    } else if (r->HasField(*msg, f)) {
      Walk(v, r->MutableMessage(msg, f), recorder, child, hh);
    }
  }
}

Disclosure PersonalDataPolicy::Apply(const auth::Principal& p, absl::Span<Message* const> msgs) const {
  Visit v{p, {}, {}, {}, {}};
  for (const Category& c : categories_) v.readable.push_back(p.Can(c.permission));
  for (Message* msg : msgs) Walk(v, msg, nullptr, "", "");
  std::set<std::string> names;
  for (int c : v.disclosed) names.insert(categories_[c].name);
  v.out.categories.assign(names.begin(), names.end());
  return std::move(v.out);
}

absl::Status RequirePurpose(const auth::Principal& p, const std::string& purpose) {
  if (!purpose.empty()) return absl::OkStatus();
  const std::string role = auth::RolePolicy::Default().PurposeRoleIn(p.roles);
  if (role.empty()) return absl::OkStatus();
  return WithReason(absl::PermissionDeniedError(absl::StrCat(
                        "role ", role, " must state why it reads personal data (header x-lnob-purpose)")),
                    "PURPOSE_REQUIRED");
}

}  // namespace lnob::privacy
