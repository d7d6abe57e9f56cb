#ifndef LNOB_COMMON_PRIVACY_PERSONAL_DATA_H_
#define LNOB_COMMON_PRIVACY_PERSONAL_DATA_H_

// Decree 13/2023, field by field: which fields of a service's messages are personal data, in
// which category, how each is masked and which permission unmasks it. Each service keeps its
// policy as data (services/<name>/policy/personal_data.json) checked against the message
// descriptors when it is loaded, so a field named wrongly stops the service instead of going
// out unmasked. Disclosures are counted per subject: the records of one collection
// ("households/{id}", "persons/{id}") named by a message's `name` or by a field named after the
// collection's singular (`household`, `person`).

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/auth/principal.h"

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
class Message;
}  // namespace google::protobuf

namespace lnob::privacy {

// What one response disclosed unmasked: the audit records both before the response leaves.
struct Disclosure {
  std::vector<std::string> categories;     // sorted, distinct
  std::vector<std::string> subject_ids;  // ids of the collection, in order of appearance, distinct

  bool empty() const { return subject_ids.empty(); }
};

class PersonalDataPolicy {
 public:
  enum class Mask { kClear, kInitials, kYearOnly };

  // `package`: where the message names of the JSON live ("lnob.registry.v1"); `collection`:
  // the subjects' collection ("households").
  static absl::StatusOr<PersonalDataPolicy> FromJson(absl::string_view json, absl::string_view package,
                                                     absl::string_view collection);
  // A service's compiled-in policy: a broken one aborts (fail closed: without its policy a
  // service cannot tell what to mask). For a function-local static built at first use.
  static const PersonalDataPolicy* OrDie(absl::string_view json, absl::string_view package,
                                         absl::string_view collection);

  // Masks, in `msg` and every message inside it, the fields of each category `p` may not read
  // (listing them in the nearest masked_fields), and returns what is left unmasked.
  Disclosure Apply(const auth::Principal& p, absl::Span<google::protobuf::Message* const> msgs) const;

  // PERMISSION_DENIED (PERSONAL_DATA_REQUIRED) naming the first filter field set in `request`
  // that would reveal a category `p` may not read.
  absl::Status CheckFilters(const auth::Principal& p, const google::protobuf::Message& request) const;

  // Whether `p` reads at least one category unmasked.
  bool ReadsAny(const auth::Principal& p) const;

  struct Category {
    std::string name;
    std::string permission;
    std::string basis;
  };
  const std::vector<Category>& categories() const { return categories_; }

 private:
  struct FieldRule {
    const google::protobuf::FieldDescriptor* field;
    Mask mask;
    int category;
  };
  struct Filter {
    const google::protobuf::FieldDescriptor* field;
    int category;
  };
  struct Visit;
  void Walk(Visit& v, google::protobuf::Message* msg, google::protobuf::Message* recorder,
            const std::string& prefix, const std::string& subject) const;
  bool Reaches(const google::protobuf::Descriptor* d) const;
  bool ReachesUncached(const google::protobuf::Descriptor* d) const;

  std::string collection_;  // "households"
  std::string subject_field_;  // "household"
  std::vector<Category> categories_;
  absl::flat_hash_map<const google::protobuf::Descriptor*, std::vector<FieldRule>> fields_;
  absl::flat_hash_map<const google::protobuf::Descriptor*, std::vector<Filter>> filters_;
  // Message types that hold a policy field, directly or inside a nested message (walk pruning).
  absl::flat_hash_map<const google::protobuf::Descriptor*, bool> reaches_;
};

// PERMISSION_DENIED (PURPOSE_REQUIRED) when one of `p`'s roles must state why it reads
// personal data (roles.json purpose_roles) and `purpose` (header x-lnob-purpose) is empty.
absl::Status RequirePurpose(const auth::Principal& p, const std::string& purpose);

}  // namespace lnob::privacy

#endif  // LNOB_COMMON_PRIVACY_PERSONAL_DATA_H_
