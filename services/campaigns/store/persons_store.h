#ifndef LNOB_SERVICES_CAMPAIGNS_STORE_PERSONS_STORE_H_
#define LNOB_SERVICES_CAMPAIGNS_STORE_PERSONS_STORE_H_

// The register of prestigious persons as the logic sees it (pg_persons_store.cc is the
// PostgreSQL implementation): persons with their status history, support events, the
// reference data they use, and the audit of personal-data reads.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/db/idempotency_key.h"
#include "lnob/campaigns/v1/campaigns.pb.h"

namespace lnob::campaigns {

struct PersonQuery {
  std::optional<std::vector<std::string>> communes;  // nullopt: any
  std::string commune, status, ethnic_group;         // "": any
  std::string after_id;
  int limit = 100;
};

struct SupportEventQuery {
  std::optional<std::vector<std::string>> communes;  // nullopt: any
  std::string person_id;                             // "": any
  int year = 0;                                      // 0: any
  std::string id;                                    // "": any; else only this event
  std::string after_id;
  int limit = 100;
};

// A person's standing on one day.
struct PersonOnDay {
  std::string status;  // ACTIVE, REMOVED, ...; "" when not yet recognised, TERM_ENDED after term_end
  std::string commune_code;
};

class PersonsStore {
 public:
  virtual ~PersonsStore() = default;
  virtual absl::StatusOr<std::vector<v1::PersonSourceGroup>> ListSourceGroups() = 0;
  virtual absl::StatusOr<std::vector<v1::RecognitionAuthority>> ListAuthorities() = 0;
  // Types with the standard amount in force on `day` ("YYYY-MM-DD").
  virtual absl::StatusOr<std::vector<v1::SupportEventType>> ListSupportEventTypes(const std::string& day) = 0;
  // Adds (or, for the same valid_from, replaces) a dated amount; NOT_FOUND for an unknown type.
  virtual absl::StatusOr<v1::SupportEventType> SetSupportEventAmount(const std::string& code, int64_t amount,
                                                                     const std::string& valid_from,
                                                                     const std::string& basis, const std::string& actor,
                                                                     const db::IdempotencyKey& key) = 0;

  // Inserts the person (ACTIVE from the term's start) with the first history entry.
  virtual absl::StatusOr<v1::PrestigiousPerson> CreatePerson(const v1::PrestigiousPerson& p, const std::string& creator,
                                                             const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::PrestigiousPerson> GetPerson(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::PrestigiousPerson>> ListPersons(const PersonQuery& q) = 0;
  // Appends `change` to the history and sets the person's status, if the etag still matches
  // (ABORTED otherwise) and `check` accepts the person as locked for the change (its error
  // is returned). A replayed key returns the first answer without either check.
  using StatusCheck = std::function<absl::Status(const v1::PrestigiousPerson&)>;
  virtual absl::StatusOr<v1::PrestigiousPerson> SetPersonStatus(const std::string& id, const std::string& etag,
                                                                const v1::PersonStatusChange& change,
                                                                const db::IdempotencyKey& key,
                                                                const StatusCheck& check) = 0;
  // Each found person's status on `day` and commune; missing ids are absent.
  virtual absl::StatusOr<std::map<std::string, PersonOnDay>> PersonsOn(const std::vector<std::string>& ids,
                                                                        const std::string& day) = 0;

  // Inserts the event; amount < 0 means "the type's standard amount on the event's date".
  virtual absl::StatusOr<v1::SupportEvent> RecordSupportEvent(const v1::SupportEvent& e, const std::string& creator,
                                                              const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::SupportEvent>> ListSupportEvents(const SupportEventQuery& q) = 0;

  // Persons ACTIVE at some time in [first, last] in these communes, and those of them reached
  // in it (listed in an activity, or a TRAINING/INFO support event).
  struct Coverage {
    std::vector<std::string> active;  // ids, sorted
    std::set<std::string> reached;
  };
  virtual absl::StatusOr<Coverage> PersonCoverage(const std::string& first, const std::string& last,
                                                  const std::optional<std::vector<std::string>>& communes) = 0;

  virtual absl::Status AuditPersonalDataRead(const std::string& actor, const std::string& method,
                                             const std::string& purpose, const std::string& request_id,
                                             const std::vector<std::string>& person_ids,
                                             const std::vector<std::string>& categories) = 0;
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_STORE_PERSONS_STORE_H_
