#ifndef LNOB_SERVICES_CAMPAIGNS_STORE_CAMPAIGNS_STORE_H_
#define LNOB_SERVICES_CAMPAIGNS_STORE_CAMPAIGNS_STORE_H_

// The campaigns schema as the logic sees it. The PostgreSQL implementation
// (pg_campaigns_store.cc) is the only campaigns code that includes libpqxx.

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/idempotency_key.h"
#include "lnob/campaigns/v1/campaigns.pb.h"

namespace lnob::campaigns {

struct ActivityQuery {
  std::string campaign_id;                           // empty: any
  std::optional<std::vector<std::string>> communes;  // nullopt: any
  std::string after_id;
  int limit = 100;
};

struct ReachQuery {
  std::string first, last;  // "YYYY-MM-DD", inclusive (start dates); whole months
  std::optional<std::vector<std::string>> communes;  // nullopt: any
  bool by_commune = false, by_type = false, by_topic = false;
  std::string breakdown;                             // "", ETHNIC_GROUP, LANGUAGE or BOTH
};

// One checked row of an import (the activity's name already set).
struct ImportRow {
  int64_t row_number = 0;
  v1::Activity activity;
};
struct ImportOutcome {
  int64_t committed = 0;
  int64_t already_done = 0;  // rows an earlier run of the same import committed
};

class CampaignsStore {
 public:
  virtual ~CampaignsStore() = default;
  virtual absl::StatusOr<std::vector<v1::Language>> ListLanguages() = 0;
  virtual absl::StatusOr<std::vector<v1::ActivityType>> ListActivityTypes() = 0;

  // Inserts the campaign (name set by the caller; title NFC-normalised by the database); a
  // replayed key returns the campaign stored the first time.
  virtual absl::StatusOr<v1::Campaign> CreateCampaign(const v1::Campaign& campaign, const std::string& creator,
                                                      const db::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<v1::Campaign> GetCampaign(const std::string& id) = 0;  // NOT_FOUND when missing
  // Sets the status if the etag still matches (ABORTED otherwise) and `check` accepts the
  // campaign as locked; a replayed key returns the first answer.
  using CampaignCheck = std::function<absl::Status(const v1::Campaign&)>;
  virtual absl::StatusOr<v1::Campaign> SetCampaignStatus(const std::string& id, const std::string& etag,
                                                         v1::Campaign::Status status, const db::IdempotencyKey& key,
                                                         const CampaignCheck& check) = 0;
  virtual absl::StatusOr<std::vector<v1::Campaign>> ListCampaigns(const std::string& after_id, int limit) = 0;

  // Inserts the activity with its breakdowns and spending in one transaction (the database
  // refuses a breakdown above its total at commit).
  virtual absl::StatusOr<v1::Activity> CreateActivity(const v1::Activity& activity, const std::string& creator,
                                                      const db::IdempotencyKey& key) = 0;
  // Writes one batch of an import in one transaction by COPY (activities, breakdowns,
  // spending), skipping the rows this import committed before, and adds them to the
  // aggregates. ALREADY_EXISTS when the import id belongs to another actor.
  virtual absl::StatusOr<ImportOutcome> ImportBatch(const std::string& import_id, const std::string& actor,
                                                    const std::vector<ImportRow>& rows) = 0;
  virtual absl::StatusOr<v1::Activity> GetActivity(const std::string& id) = 0;
  // One per id, in order; nullopt when missing.
  virtual absl::StatusOr<std::vector<std::optional<v1::Activity>>> BatchGetActivities(
      const std::vector<std::string>& ids) = 0;
  virtual absl::StatusOr<std::vector<v1::Activity>> ListActivities(const ActivityQuery& q) = 0;
  // Rows grouped as asked; the totals (activities, attendances) in *totals.
  virtual absl::StatusOr<std::vector<v1::ReachRow>> Reach(const ReachQuery& q, v1::ReachRow* totals) = 0;
  // Unique people in the attendance lists of activities that started in [first, last] in these
  // communes, and how many activities (attendances) had lists.
  struct UniqueReach {
    int64_t people = 0, activities = 0, attendances = 0;
  };
  virtual absl::StatusOr<UniqueReach> Unique(const std::string& first, const std::string& last,
                                             const std::optional<std::vector<std::string>>& communes) = 0;
  // Communes (as recorded) and villages (villages/{uuid}) of the activities that started in
  // [first, last] in these communes (nullopt: any).
  struct Covered {
    std::set<std::string> communes, villages;
  };
  virtual absl::StatusOr<Covered> CoveredPlaces(const std::string& first, const std::string& last,
                                                const std::optional<std::vector<std::string>>& communes) = 0;
  // Planned (campaigns starting in [first, last] owned by one of `owners`, nullopt: any),
  // spent by activities and support events in these communes, by node and source.
  virtual absl::StatusOr<std::vector<v1::SpendingRow>> Spending(
      const std::string& first, const std::string& last, const std::optional<std::vector<std::string>>& owners,
      const std::optional<std::vector<std::string>>& communes) = 0;
  // Women and ethnic-minority attendances of activities starting in [first, last] in these
  // communes (from the aggregate; whole months); support events there then (count, amount).
  struct PeriodCounts {
    int64_t women = 0, ethnic_minority = 0, support_events = 0, support_events_vnd = 0;
  };
  virtual absl::StatusOr<PeriodCounts> Counts(const std::string& first, const std::string& last,
                                              const std::optional<std::vector<std::string>>& communes) = 0;
  // Feed events after `after_cursor`, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after_cursor, int limit) = 0;
  // The newest committed cursor (0 when the feed is empty).
  virtual absl::StatusOr<int64_t> FeedHead() = 0;
  virtual bool Healthy() = 0;
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_STORE_CAMPAIGNS_STORE_H_
