#include "services/funding/domain/feed_consumer.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace lnob::funding {
namespace {

FeedChange ToFeedChange(const RegistryChange& c) {
  FeedChange f;
  f.cursor = c.cursor;
  if (c.kind == "CLASSIFICATION_CHANGED") {
    f.household_id = c.household_id;
    f.classification = c.classification;
    f.reason = absl::StrCat("registry: classification changed from ", c.previous_classification, " to ",
                            c.classification, " (change ", c.cursor, ")");
  } else if (c.kind == "HOUSEHOLD_MERGED" || c.kind == "HOUSEHOLD_DISSOLVED") {
    f.household_id = c.household_id;
    f.closed = true;
    f.reason = absl::StrCat("registry: household closed (", c.kind, ", change ", c.cursor, ")");
    // The household that stays keeps the closed one's ledger history.
    if (c.kind == "HOUSEHOLD_MERGED" && !c.related_household_id.empty()) {
      f.lineage_household_id = c.related_household_id;
      f.ancestor_id = c.household_id;
    }
  } else if (c.kind == "HOUSEHOLD_SPLIT" && !c.related_household_id.empty()) {
    f.lineage_household_id = c.household_id;  // the new household keeps the original's history
    f.ancestor_id = c.related_household_id;
  }
  return f;
}

}  // namespace

FeedConsumer::FeedConsumer(RegistryClient* registry, SupportStore* store, Sleeper sleeper)
    : follower_({.name = kRegistryFeed,
                 .load_cursor = [store] { return store->FeedCursor(kRegistryFeed); },
                 .watch = [registry](int64_t from, const FeedFollower<RegistryChange>::Sink& sink,
                                     const FeedFollower<RegistryChange>::Stop& stop) {
                   return registry->Watch(from, sink, stop);
                 },
                 .apply = [store](const std::vector<RegistryChange>& batch) -> absl::StatusOr<int64_t> {
                   std::vector<FeedChange> changes;
                   changes.reserve(batch.size());
                   for (const auto& c : batch) changes.push_back(ToFeedChange(c));
                   return store->ApplyChanges(kRegistryFeed, changes);
                 }},
                std::move(sleeper)) {}

FeedConsumer::~FeedConsumer() { Stop(); }

absl::StatusOr<int64_t> FeedConsumer::Apply(const RegistryChange& change) { return follower_.ApplyBatch({change}); }

std::unique_ptr<InspectionFollower> NewInspectionFollower(InspectionFeed* feed, SupportStore* store,
                                                          InspectionFollower::Sleeper sleeper) {
  return std::make_unique<InspectionFollower>(
      InspectionFollower::Ops{
          .name = kInspectionFeed,
          .load_cursor = [store] { return store->FeedCursor(kInspectionFeed); },
          .watch = [feed](int64_t from, const InspectionFollower::Sink& sink, const InspectionFollower::Stop& stop) {
            return feed->Watch(from, sink, stop);
          },
          .apply = [store](const std::vector<InspectionChange>& batch) {
            return store->ApplyInspectionChanges(kInspectionFeed, batch);
          }},
      std::move(sleeper));
}

}  // namespace lnob::funding
