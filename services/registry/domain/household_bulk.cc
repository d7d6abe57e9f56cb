// HouseholdLogic: bulk import and export, and the change feed (the class is declared in household_logic.h).

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/import_stream.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/uuid.h"
#include "services/registry/domain/household_internal.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {
namespace {

constexpr int kImportBatch = 1000;
constexpr int kMaxRowErrors = 1000;

}  // namespace

absl::Status HouseholdLogic::ImportHouseholds(const C& c,
                                              server::MessageReader<v1::ImportHouseholdsRequest>& in,
                                              v1::ImportHouseholdsResponse* out) {
  api::ImportHeader header;
  api::ImportReport<v1::ImportHouseholdsResponse> report(out, kMaxRowErrors);
  api::BatchWriter<ImportRow> writer(
      [this, &header, actor = c.principal.subject, last_year = LastYear()](
          std::vector<ImportRow> rows) -> absl::StatusOr<api::BatchOutcome> {
        LNOB_ASSIGN_OR_RETURN(auto res, store_->ImportBatch(header.id(), actor, rows, last_year));
        api::BatchOutcome b{res.committed, res.already_done, {}};
        for (const auto& e : res.errors) b.errors.push_back({e.row_number(), e.field(), e.message()});
        return b;
      },
      [&report](const api::BatchOutcome& b) { report.Add(b); });
  std::vector<ImportRow> batch;
  std::set<int64_t> committed_before, seen_rows;
  v1::ImportHouseholdsRequest msg;
  while (in.Read(&msg)) {
    const bool first = header.id().empty();
    LNOB_RETURN_IF_ERROR(header.Accept(msg.import_id()));
    out->set_import_id(header.id());
    if (first) {  // rows an earlier run of this import committed are skipped, not redone
      LNOB_ASSIGN_OR_RETURN(auto rows, store_->ImportedRows(header.id(), c.principal.subject));
      committed_before.insert(rows.begin(), rows.end());
    }
    if (!msg.has_record()) continue;  // a header-only message
    report.Received();
    const int64_t row = msg.row_number();
    if (row <= 0) {
      report.Failed(row, "row_number", "must be positive");
      continue;
    }
    if (!seen_rows.insert(row).second) {
      report.Failed(row, "row_number", "appears twice in this stream");
      continue;
    }
    if (committed_before.count(row)) {
      report.AlreadyDone();
      continue;
    }
    ImportRow ir;
    ir.row_number = row;
    ir.record = std::move(*msg.mutable_record());
    absl::Status st = PrepareHousehold(c, ir.record.mutable_household(), "record.household.");
    std::set<std::string> decision_dates;
    for (int i = 0; st.ok() && i < ir.record.reviews_size(); ++i) {
      st = PrepareReview(ir.record.household(), ir.record.mutable_reviews(i), absl::StrCat("record.reviews[", i, "]."), true);
      if (st.ok() && !decision_dates.insert(absl::StrCat(ir.record.reviews(i).decision_date().year(), "-",
                                                         ir.record.reviews(i).decision_date().month(), "-",
                                                         ir.record.reviews(i).decision_date().day())).second) {
        st = InvalidField(absl::StrCat("record.reviews[", i, "].decision_date"), "two reviews decided on the same day");
      }
    }
    if (!st.ok()) {
      report.Failed(row, st, "record");
      continue;
    }
    batch.push_back(std::move(ir));
    if (static_cast<int>(batch.size()) >= kImportBatch) {
      LNOB_RETURN_IF_ERROR(writer.Submit(std::move(batch)));
      batch.clear();
    }
  }
  LNOB_RETURN_IF_ERROR(header.Finish());
  LNOB_RETURN_IF_ERROR(writer.Submit(std::move(batch)));
  return writer.Drain();
}

absl::Status HouseholdLogic::ExportHouseholds(const C& c, const v1::ExportHouseholdsRequest& req,
                                              server::MessageWriter<v1::HouseholdRecord>& sink) {
  LNOB_ASSIGN_OR_RETURN(auto communes, CommuneFilter(c, req.unit_code(), Today()));
  // Records that carry anything this caller reads unmasked leave in groups of up to 500, each
  // only after its audit row is written (Decree 13/2023: recorded before the data goes out).
  const bool pii = privacy_.ReadsAny(c.principal);
  if (pii) LNOB_RETURN_IF_ERROR(RequirePurpose(c));
  constexpr size_t kAuditGroup = 500;
  std::vector<v1::HouseholdRecord> pending;
  absl::Status audit_status;
  bool receiver_gone = false;
  auto flush = [&]() -> bool {
    if (pending.empty()) return true;
    std::vector<google::protobuf::Message*> msgs;
    msgs.reserve(pending.size());
    for (auto& rec : pending) msgs.push_back(&rec);
    audit_status.Update(AuditDisclosure(c, privacy_.Apply(c.principal, msgs)));
    if (!audit_status.ok()) return false;
    for (const auto& rec : pending) {
      if (!sink.Write(rec)) {
        receiver_gone = true;
        return false;
      }
    }
    pending.clear();
    return true;
  };
  absl::Status st = store_->Export(communes, req.include_reviews(), [&](const v1::HouseholdRecord& rec) {
    if (pii) {
      pending.push_back(rec);
      return pending.size() < kAuditGroup || flush();
    }
    v1::HouseholdRecord masked = rec;
    privacy_.Apply(c.principal, {&masked});
    return sink.Write(masked);
  });
  if (st.ok() && pii && !receiver_gone) flush();
  LNOB_RETURN_IF_ERROR(audit_status);
  return st;
}

absl::Status HouseholdLogic::WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                                          server::MessageWriter<v1::ChangeEvent>& sink) {
  if (req.from_cursor() < 0) return InvalidField("from_cursor", "must not be negative");
  LNOB_ASSIGN_OR_RETURN(auto scope, ScopeCommunes(c.principal));
  return StreamFeed(
      feed_, req.from_cursor(), sink, [&](int64_t after, int limit) { return store_->ReadFeed(after, limit); },
      [&](const v1::ChangeEvent& e) { return !scope || scope->count(e.commune_code()) > 0; });
}

}  // namespace lnob::registry
