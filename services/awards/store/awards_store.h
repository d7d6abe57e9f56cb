#ifndef LNOB_SERVICES_AWARDS_STORE_AWARDS_STORE_H_
#define LNOB_SERVICES_AWARDS_STORE_AWARDS_STORE_H_

// The awards schema behind an interface: award forms (data), movements and registrations.
// Unit sets are area filters: nullopt means the whole province.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/idempotency_key.h"
#include "lnob/awards/v1/awards.pb.h"

namespace lnob::awards {

using Units = std::optional<std::vector<std::string>>;

struct RegistrationQuery {
  std::string movement_id;
  int year = 0;
  Units units;
  std::string after_id;
  int limit = 100;
};

struct InitiativeQuery {
  Units units;
  int year = 0;
  std::string author_key;  // folded; "" any
  std::string after_id;
  int limit = 100;
};

class AwardsStore {
 public:
  virtual ~AwardsStore() = default;
  virtual absl::StatusOr<std::vector<v1::AwardForm>> ListAwardForms() = 0;
  virtual absl::StatusOr<v1::Movement> CreateMovement(const v1::Movement& m, const std::string& creator,
                                                      const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Movement> GetMovement(const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<v1::Movement>> ListMovements(int year, const std::string& after_id,
                                                                  int limit) = 0;
  // subject_key: the subject's name folded (case, diacritics), for the one-registration rule.
  virtual absl::StatusOr<v1::Registration> CreateRegistration(const v1::Registration& r, const std::string& subject_key,
                                                              const std::string& creator,
                                                              const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Registration>> ListRegistrations(const RegistrationQuery& q) = 0;
  // author_keys: the authors folded, in order.
  virtual absl::StatusOr<v1::Initiative> CreateInitiative(const v1::Initiative& i,
                                                          const std::vector<std::string>& author_keys,
                                                          const std::string& creator, const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Initiative>> ListInitiatives(const InitiativeQuery& q) = 0;
  virtual absl::StatusOr<v1::AdvancedExample> CreateAdvancedExample(const v1::AdvancedExample& e,
                                                                    const std::string& creator,
                                                                    const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::AdvancedExample>> ListAdvancedExamples(const Units& units, int year,
                                                                                const std::string& after_id,
                                                                                int limit) = 0;
  virtual bool Healthy() = 0;
};

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_STORE_AWARDS_STORE_H_
