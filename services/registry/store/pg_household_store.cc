#include "services/registry/store/pg_household_store.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/db/copy.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "google/protobuf/util/json_util.h"
#include "services/registry/store/pg_household_rows.h"
#include "services/registry/store/pg_review_procedure.h"

namespace lnob::registry {
namespace {

// The query's communes and their buckets as two parallel arrays (unnest($codes, $buckets)).
std::pair<std::vector<std::string>, std::vector<std::string>> CodesAndBuckets(const StatsQuery& q) {
  std::pair<std::vector<std::string>, std::vector<std::string>> out;
  for (const auto& [code, bucket] : q.communes) {
    out.first.push_back(code);
    out.second.push_back(bucket);
  }
  return out;
}

using namespace pg;  // NOLINT: the rows and shared writes of this store
using db::ArrayLiteral;
using db::ArrayValue;
using db::Str;

class PgHouseholdStore : public HouseholdStore {
 public:
  explicit PgHouseholdStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<v1::Household> Create(const v1::Household& h, const std::string& actor,
                                       const IdempotencyKey& key) override {
    return pool_->Write<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        WriteHousehold(tx, h, actor, /*insert=*/true);
        AddEvent(tx, api::IdOf(h.name()), "CREATED", absl::StrCat("commune ", h.commune_code(), ", ",
                                                            h.members_size(), " members"),
                 api::ProtoDateText(h.registered_on()), actor);
        LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, api::IdOf(h.name()), false));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Household> Get(const std::string& id) override {
    return pool_->Fetch<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Household>> List(const HouseholdFilter& f) override {
    return pool_->Fetch<std::vector<v1::Household>>([&](transaction_base& tx, std::vector<v1::Household>& out) -> absl::Status {
      // Whitelisted filters, always the same parameterized statement.
      auto r = tx.exec_params(
          absl::StrCat(
              "SELECT ", kHouseholdColumns, " FROM households h"
              " WHERE (NOT $1 OR h.commune_code = ANY($2::text[]))"
              " AND ($3 = '' OR h.classification = $3)"
              " AND ($4 = '' OR h.head_ethnicity = $4)"
              " AND ($5 = 0 OR ($5 = 1 AND (h.head_ethnicity <> '' AND h.head_ethnicity NOT IN (SELECT code FROM ethnic_majority)))"
              "      OR ($5 = 2 AND h.head_ethnicity IN (SELECT code FROM ethnic_majority)))"
              " AND (NOT $6 OR h.no_labor_capacity) AND (NOT $7 OR h.policy_beneficiary)"
              " AND ($8 = '' OR EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id"
              // The query is a literal: its % and _ are not wildcards (backslash escapes).
              "      AND m.active AND m.name_search LIKE"
              "      '%' || replace(replace(replace($8, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'))"
              " AND ($9 = '' OR h.id > $9::uuid) AND h.status = 'HOUSEHOLD_ACTIVE'"
              " ORDER BY h.id LIMIT $10"),
          f.restrict_communes, ArrayLiteral(f.commune_codes), f.classification, f.head_ethnicity,
          f.head_group, f.only_no_labor_capacity, f.only_policy_beneficiary, f.name_folded, f.after_id,
          f.limit);
      for (const auto& row : r) out.push_back(HouseholdFromRow(row));
      if (f.include_members) {
        std::vector<v1::Household*> ptrs;
        for (auto& h : out) ptrs.push_back(&h);
        LoadMembers(tx, ptrs, true);
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<v1::Household>> FindByCitizenId(const std::string& cid) override {
    return pool_->Fetch<std::optional<v1::Household>>([&](transaction_base& tx, std::optional<v1::Household>& out) -> absl::Status {
      auto r = tx.exec_params("SELECT household_id::text FROM members WHERE citizen_id = $1 AND active", cid);
      if (r.empty()) return absl::OkStatus();
      LNOB_ASSIGN_OR_RETURN(v1::Household h, LoadHousehold(tx, Str(r[0][0]), false));
      out = std::move(h);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Household> Mutate(
      const std::string& id, const std::string& etag, const std::string& actor,
      const std::function<absl::Status(v1::Household&, Mutation&)>& mutate) override {
    return pool_->Write<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      auto version = tx.exec_params("SELECT version, status FROM households WHERE id = $1::uuid FOR UPDATE", id);
      if (version.empty()) return NotFound("households/" + id);
      if (Str(version[0][1]) != "HOUSEHOLD_ACTIVE") {
        return WithReason(absl::FailedPreconditionError("the household is closed (merged)"), "HOUSEHOLD_CLOSED");
      }
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, version[0][0].as<int64_t>()));
      LNOB_ASSIGN_OR_RETURN(v1::Household h, LoadHousehold(tx, id, false));
      const std::string old_commune = h.commune_code();
      Mutation m;
      LNOB_RETURN_IF_ERROR(mutate(h, m));
      WriteHousehold(tx, h, actor, false);
      const std::string eff = m.effective_date ? D(*m.effective_date) : "";
      AddEvent(tx, id, m.kind, m.detail, eff, actor);
      if (h.commune_code() != old_commune) {
        AppendFeed(tx, id, "HOUSEHOLD_MOVED", v1::HouseholdClass_Name(h.classification()), "", eff,
                   h.commune_code());
      }
      LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::pair<v1::Household, v1::Household>> Split(
      const std::string& id, const std::string& etag, const std::vector<std::string>& member_ids,
      const v1::Household& created, absl::CivilDay date, const std::string& actor, int last_year) override {
    return pool_->Write<std::pair<v1::Household, v1::Household>>([&](transaction_base& tx, std::pair<v1::Household, v1::Household>& out) -> absl::Status {
      auto version = tx.exec_params("SELECT version FROM households WHERE id = $1::uuid FOR UPDATE", id);
      if (version.empty()) return NotFound("households/" + id);
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, version[0][0].as<int64_t>()));
      LNOB_ASSIGN_OR_RETURN(v1::Household original, LoadHousehold(tx, id, false));
      std::set<std::string> moving(member_ids.begin(), member_ids.end());
      v1::Household fresh = created;
      const std::string new_id = api::IdOf(fresh.name());
      v1::Household kept = original;
      kept.clear_members();
      for (const auto& m : original.members()) {
        if (moving.count(api::IdOf(m.name())) && m.active()) {
          v1::Member moved = m;
          moved.set_name(absl::StrCat("households/", new_id, "/members/", api::IdOf(m.name())));
          *fresh.add_members() = moved;
        } else {
          *kept.add_members() = m;
        }
      }
      if (fresh.members_size() != static_cast<int>(moving.size())) {
        return InvalidField("member_names", "every member must be an active member of the household");
      }
      bool head_left = moving.count(api::IdOf(original.head_member())) > 0;
      if (head_left) {
        return InvalidField("member_names", "the head stays; choose another head first (UpdateHousehold)");
      }
      fresh.set_head_member(fresh.members(0).name());
      fresh.mutable_members(0)->set_relation(v1::HEAD);
      WriteHousehold(tx, fresh, actor, true);
      WriteHousehold(tx, kept, actor, false);
      AddEvent(tx, id, "SPLIT_TO", absl::StrCat(fresh.members_size(), " members to households/", new_id), D(date), actor);
      AddEvent(tx, new_id, "SPLIT_FROM", absl::StrCat("households/", id), D(date), actor);
      // The new household inherits the classification history until its own review, so its
      // statistics and transitions continue (POOR_REMAINING, not NEW_POOR).
      tx.exec_params(
          "UPDATE households n SET classification = o.classification, classified_since = o.classified_since"
          " FROM households o WHERE n.id = $1::uuid AND o.id = $2::uuid",
          new_id, id);
      tx.exec_params(
          "INSERT INTO classification_history (household_id, effective_date, review_id, classification)"
          " SELECT $1::uuid, effective_date, review_id, classification FROM classification_history"
          " WHERE household_id = $2::uuid",
          new_id, id);
      RecomputeYears(tx, new_id, last_year);
      AppendFeed(tx, new_id, "HOUSEHOLD_SPLIT", v1::HouseholdClass_Name(original.classification()), "",
                 D(date), fresh.commune_code(), id);
      LNOB_ASSIGN_OR_RETURN(out.first, LoadHousehold(tx, id, false));
      LNOB_ASSIGN_OR_RETURN(out.second, LoadHousehold(tx, new_id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Household> Merge(const std::string& target_id, const std::string& etag,
                                      const std::string& source_id, absl::CivilDay date,
                                      const std::string& actor, int last_year) override {
    return pool_->Write<v1::Household>([&](transaction_base& tx, v1::Household& out) -> absl::Status {
      // Lock both in id order to avoid deadlocks between opposite merges.
      auto locked = tx.exec_params(
          "SELECT id::text, version, status FROM households WHERE id IN ($1::uuid, $2::uuid)"
          " ORDER BY id FOR UPDATE",
          target_id, source_id);
      if (locked.size() != 2) return NotFound("household");
      for (const auto& row : locked) {
        if (Str(row[0]) == target_id) LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, row[1].as<int64_t>()));
        if (Str(row[2]) != "HOUSEHOLD_ACTIVE") {
          return WithReason(absl::FailedPreconditionError("both households must be ACTIVE"), "NOT_ACTIVE");
        }
      }
      LNOB_ASSIGN_OR_RETURN(v1::Household target, LoadHousehold(tx, target_id, false));
      LNOB_ASSIGN_OR_RETURN(v1::Household source, LoadHousehold(tx, source_id, false));
      for (const auto& m : source.members()) {
        if (!m.active()) continue;
        v1::Member moved = m;
        moved.set_name(absl::StrCat(target.name(), "/members/", api::IdOf(m.name())));
        if (moved.relation() == v1::HEAD) moved.set_relation(v1::OTHER_RELATIVE);
        *target.add_members() = moved;
      }
      v1::Household closed = source;
      closed.clear_members();
      closed.set_status(v1::HOUSEHOLD_MERGED);
      closed.clear_head_member();
      WriteHousehold(tx, target, actor, false);
      WriteHousehold(tx, closed, actor, false);
      // The closed household leaves the statistics from this year on (trigger adjusts stats_agg).
      tx.exec_params("DELETE FROM household_years WHERE household_id = $1::uuid AND year >= $2", source_id, last_year);
      AddEvent(tx, target_id, "MERGED_FROM", source.name(), D(date), actor);
      AddEvent(tx, source_id, "MERGED_INTO", target.name(), D(date), actor);
      AppendFeed(tx, source_id, "HOUSEHOLD_MERGED", v1::HouseholdClass_Name(source.classification()),
                 "", D(date), source.commune_code(), target_id);
      LNOB_ASSIGN_OR_RETURN(out, LoadHousehold(tx, target_id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::HouseholdEvent>> Events(const std::string& id, int64_t after,
                                                         int limit) override {
    return pool_->Fetch<std::vector<v1::HouseholdEvent>>([&](transaction_base& tx, std::vector<v1::HouseholdEvent>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT id, kind, detail, actor, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
          " coalesce(effective_date::text, '') FROM household_events WHERE household_id = $1::uuid"
          " AND id > $2 ORDER BY id LIMIT $3",
          id, after, limit);
      for (const auto& row : r) {
        v1::HouseholdEvent e;
        e.set_id(row[0].as<int64_t>());
        e.set_kind(Str(row[1]));
        e.set_detail(Str(row[2]));
        e.set_actor(Str(row[3]));
        api::SetProtoTimestamp(Str(row[4]), e.mutable_event_time());
        api::SetProtoDate(Str(row[5]), e.mutable_effective_date());
        out.push_back(std::move(e));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Review> CreateReview(const std::string& hid, const v1::Review& r,
                                          const std::string& actor, const IdempotencyKey& key) override {
    return pool_->Write<v1::Review>([&](transaction_base& tx, v1::Review& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        InsertReview(tx, hid, r, actor, "DRAFT");
        LNOB_RETURN_IF_ERROR(LinkReview(tx, hid, r));
        tx.exec_params("INSERT INTO review_events (review_id, from_state, to_state, actor) VALUES ($1::uuid, '', 'DRAFT', $2)",
                       api::IdOf(r.name()), actor);
        auto row = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns, " FROM reviews r WHERE r.id = $1::uuid"),
                                  api::IdOf(r.name()));
        out = ReviewFromRow(row[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Review> GetReview(const std::string& hid, const std::string& rid) override {
    return pool_->Fetch<v1::Review>([&](transaction_base& tx, v1::Review& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns,
                                           " FROM reviews r WHERE r.id = $1::uuid AND r.household_id = $2::uuid"),
                              rid, hid);
      if (r.empty()) return NotFound(absl::StrCat("households/", hid, "/reviews/", rid));
      out = ReviewFromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Review>> ListReviews(const std::string& hid, const std::string& after,
                                                      int limit) override {
    return pool_->Fetch<std::vector<v1::Review>>([&](transaction_base& tx, std::vector<v1::Review>& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns,
                                           " FROM reviews r WHERE r.household_id = $1::uuid"
                                           " AND ($2 = '' OR r.id > $2::uuid) ORDER BY r.id LIMIT $3"),
                              hid, after, limit);
      for (const auto& row : r) out.push_back(ReviewFromRow(row));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Review> ChangeReview(const std::string& hid, const std::string& rid,
                                          const std::string& etag, const ReviewChange& c,
                                          const std::string& actor, int last_year) override {
    return pool_->Write<v1::Review>([&](transaction_base& tx, v1::Review& out) -> absl::Status {
      // Household first, then review: the same lock order as every other writer.
      auto hh = tx.exec_params("SELECT status FROM households WHERE id = $1::uuid FOR UPDATE", hid);
      if (hh.empty()) return NotFound("households/" + hid);
      if (Str(hh[0][0]) != "HOUSEHOLD_ACTIVE" && c.to_state == "APPROVED") {
        return WithReason(absl::FailedPreconditionError("the household is closed (merged)"), "HOUSEHOLD_CLOSED");
      }
      auto cur = tx.exec_params(
          "SELECT state, version, computed_class FROM reviews WHERE id = $1::uuid AND household_id = $2::uuid FOR UPDATE",
          rid, hid);
      if (cur.empty()) return NotFound(absl::StrCat("households/", hid, "/reviews/", rid));
      const std::string from = Str(cur[0][0]);
      if (!ReviewTransitionAllowed(from, c.to_state)) {
        return WithReason(absl::FailedPreconditionError(absl::StrCat("a ", from, " review cannot become ", c.to_state)),
                          "ILLEGAL_TRANSITION");
      }
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, cur[0][1].as<int64_t>()));
      tx.exec_params(
          "UPDATE reviews SET state = $2,"
          " decision_number = CASE WHEN $3 <> '' THEN $3 ELSE decision_number END,"
          " decision_date = coalesce(NULLIF($4, '')::date, decision_date),"
          " posted_on = coalesce(NULLIF($5, '')::date, posted_on),"
          " rejection_reason = CASE WHEN $6 <> '' THEN $6 ELSE rejection_reason END,"
          " consulted_on = coalesce(NULLIF($7, '')::date, consulted_on),"
          " consultation_document = CASE WHEN $8 <> '' THEN $8 ELSE consultation_document END,"
          " version = version + 1, updated_at = now() WHERE id = $1::uuid",
          rid, c.to_state, c.decision_number, c.decision_date ? D(*c.decision_date) : "",
          c.posted_on ? D(*c.posted_on) : "", c.rejection_reason, c.consulted_on ? D(*c.consulted_on) : "",
          c.consultation_document);
      tx.exec_params(
          "INSERT INTO review_events (review_id, from_state, to_state, actor, note) VALUES ($1::uuid, $2, $3, $4, $5)",
          rid, from, c.to_state, actor, c.decision_number.empty() ? c.rejection_reason : c.decision_number);
      if (c.to_state == "APPROVED") {
        ApplyApproval(tx, hid, rid, Str(cur[0][2]), *c.decision_date, last_year);
      }
      auto row = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns, " FROM reviews r WHERE r.id = $1::uuid"), rid);
      out = ReviewFromRow(row[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::ClassificationRecord>> History(const std::string& hid) override {
    return pool_->Fetch<std::vector<v1::ClassificationRecord>>([&](transaction_base& tx, std::vector<v1::ClassificationRecord>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT c.effective_date::text, c.classification, c.review_id::text, r.decision_number, r.standard_id"
          " FROM classification_history c JOIN reviews r ON r.id = c.review_id"
          " WHERE c.household_id = $1::uuid ORDER BY c.effective_date, c.recorded_at",
          hid);
      for (const auto& row : r) {
        v1::ClassificationRecord rec;
        rec.set_household("households/" + hid);
        api::SetProtoDate(Str(row[0]), rec.mutable_effective_date());
        v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
        v1::HouseholdClass_Parse(Str(row[1]), &cls);
        rec.set_classification(cls);
        rec.set_review(absl::StrCat("households/", hid, "/reviews/", Str(row[2])));
        rec.set_decision_number(Str(row[3]));
        rec.set_standard_id(Str(row[4]));
        out.push_back(std::move(rec));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<std::optional<Fact>>> Facts(const std::vector<std::string>& ids,
                                                         const std::vector<std::string>& dates) override {
    using Out = std::vector<std::optional<Fact>>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      out.assign(ids.size(), std::nullopt);
      // One statement for the whole batch; the lateral lookups use the primary keys.
      auto r = tx.exec_params(
          "SELECT q.ord, h.commune_code, h.head_ethnicity, h.status,"
          " coalesce((SELECT c.classification FROM classification_history c"
          "   WHERE c.household_id = h.id AND c.effective_date <= q.d"
          "   ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1), 'HOUSEHOLD_CLASS_UNSPECIFIED'),"
          " coalesce((SELECT y.transition FROM household_years y"
          "   WHERE y.household_id = h.id AND y.year = extract(year FROM q.d)::int), ''),"
          " (h.head_ethnicity <> '' AND h.head_ethnicity NOT IN (SELECT code FROM ethnic_majority)),"
          " coalesce((SELECT y.transition = ANY(g.transitions) FROM household_years y, transition_groups g"
          "   WHERE y.household_id = h.id AND y.year = extract(year FROM q.d)::int AND g.code = 'ESCAPED'), false),"
          " coalesce((SELECT string_agg(DISTINCT a.region, ',') FROM area_classifications a"
          "   WHERE a.unit_code = h.commune_code AND a.validity @> q.d"
          // A village classification linked to the register matches the household's village
          // as both stood on the date (renames, merges); an unlinked one matches by name.
          "   AND (a.village_name = '' OR (a.village_id IS NOT NULL"
          "     AND village_on(a.village_id, q.d) = village_on(h.village_id, q.d))"
          "     OR (a.village_id IS NULL AND lower(normalize(a.village_name, NFC)) = lower(h.village)))), '')"
          " FROM unnest($1::uuid[], $2::date[]) WITH ORDINALITY AS q(id, d, ord)"
          " JOIN households h ON h.id = q.id",
          ArrayLiteral(ids), ArrayLiteral(dates));
      for (const auto& row : r) {
        const auto i = row[0].as<int64_t>() - 1;
        out[i] = Fact{Str(row[1]), Str(row[2]), Str(row[3]), Str(row[4]), Str(row[5]), row[6].as<bool>(), row[7].as<bool>(),
                      absl::StrSplit(Str(row[8]), ',', absl::SkipEmpty())};
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::TransitionCount>> TransitionCounts(
      int year, const std::optional<std::vector<std::string>>& communes) override {
    return pool_->Fetch<std::vector<v1::TransitionCount>>([&](transaction_base& tx, std::vector<v1::TransitionCount>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT transition, sum(households)::bigint,"
          " coalesce(sum(households) FILTER (WHERE (head_ethnicity <> '' AND head_ethnicity NOT IN (SELECT code FROM ethnic_majority))), 0)::bigint"
          " FROM stats_agg WHERE year = $1 AND transition <> ''"
          " AND (NOT $2 OR commune_code = ANY($3::text[])) GROUP BY transition ORDER BY transition",
          year, communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})));
      for (const auto& row : r) {
        v1::TransitionCount c;
        v1::TransitionCategory cat = v1::TRANSITION_CATEGORY_UNSPECIFIED;
        v1::TransitionCategory_Parse(Str(row[0]), &cat);
        c.set_category(cat);
        c.set_households(row[1].as<int64_t>());
        c.set_ethnic_minority_households(row[2].as<int64_t>());
        if (c.households() > 0) out.push_back(std::move(c));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<std::string>> TransitionHouseholds(
      int year, const std::optional<std::vector<std::string>>& communes, const std::vector<std::string>& categories,
      const std::string& after, int limit) override {
    return pool_->Fetch<std::vector<std::string>>([&](transaction_base& tx, std::vector<std::string>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT household_id::text FROM household_years WHERE year = $1 AND transition = ANY($2::text[])"
          " AND (NOT $3 OR commune_code = ANY($4::text[])) AND ($5 = '' OR household_id > $5::uuid)"
          " ORDER BY household_id LIMIT $6",
          year, ArrayLiteral(categories), communes.has_value(),
          ArrayLiteral(communes.value_or(std::vector<std::string>{})), after, limit);
      for (const auto& row : r) out.push_back(Str(row[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<std::string>> TransitionGroup(const std::string& code) override {
    return pool_->Fetch<std::vector<std::string>>([&](transaction_base& tx, std::vector<std::string>& out) -> absl::Status {
      auto r = tx.exec_params("SELECT unnest(transitions) FROM transition_groups WHERE code = $1", code);
      if (r.empty()) return absl::NotFoundError(absl::StrCat("transition group ", code));
      for (const auto& row : r) out.push_back(Str(row[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::StatisticsRow>> Statistics(const StatsQuery& q) override {
    std::vector<v1::StatisticsRow> out;
    const auto [codes, buckets] = CodesAndBuckets(q);
    absl::Status st = pool_->Read([&](transaction_base& tx) {
      out.clear();
      auto r = tx.exec_params(
          "SELECT m.bucket, CASE WHEN s.head_ethnicity = '' THEN 'UNKNOWN' WHEN $2 THEN s.head_ethnicity"
          " WHEN s.head_ethnicity IN (SELECT code FROM ethnic_majority) THEN 'KINH' ELSE 'EM' END AS grp, s.class_end,"
          " sum(s.households)::bigint, sum(s.people)::bigint"
          " FROM stats_agg s JOIN unnest($3::text[], $4::text[]) AS m(code, bucket) ON m.code = s.commune_code"
          " WHERE s.year = $1 AND s.households <> 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
          q.year, q.by_ethnic_group, ArrayLiteral(codes), ArrayLiteral(buckets));
      for (const auto& row : r) {
        v1::StatisticsRow s;
        s.set_unit_code(Str(row[0]));
        s.set_ethnic_group(Str(row[1]));
        v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
        v1::HouseholdClass_Parse(Str(row[2]), &cls);
        s.set_classification(cls);
        s.set_households(row[3].as<int64_t>());
        s.set_people(row[4].as<int64_t>());
        if (s.households() > 0) out.push_back(std::move(s));
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return out;
  }

  absl::StatusOr<std::vector<PeriodGroup>> PeriodStatistics(const StatsQuery& q, absl::CivilDay first,
                                                             absl::CivilDay last) override {
    const auto [codes, buckets] = CodesAndBuckets(q);
    return pool_->Fetch<std::vector<PeriodGroup>>([&](transaction_base& tx, std::vector<PeriodGroup>& out) -> absl::Status {
      // Per household: the class on the period's eve and last day, and whether it was ever poor
      // before the period (RE_POOR vs NEW_POOR), by the history's index; grouped in SQL.
      auto r = tx.exec_params(
          "WITH h AS (SELECT CASE WHEN $6 THEN coalesce(village_on(h.village_id, $2::date)::text, '') ELSE m.bucket END"
          "   AS bucket, CASE WHEN h.head_ethnicity = '' THEN 'UNKNOWN' WHEN $3 THEN h.head_ethnicity"
          "   WHEN h.head_ethnicity IN (SELECT code FROM ethnic_majority) THEN 'KINH' ELSE 'EM' END AS grp,"
          "   (h.head_ethnicity <> '' AND h.head_ethnicity NOT IN (SELECT code FROM ethnic_majority)) AS em,"
          "   (SELECT c.classification FROM classification_history c WHERE c.household_id = h.id"
          "     AND c.effective_date < $1::date ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1) AS cs,"
          "   (SELECT c.classification FROM classification_history c WHERE c.household_id = h.id"
          "     AND c.effective_date <= $2::date ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1) AS ce,"
          "   EXISTS (SELECT 1 FROM classification_history c WHERE c.household_id = h.id AND c.effective_date < $1::date"
          "     AND c.classification = 'POOR') AS ever,"
          "   coalesce((SELECT y.people FROM household_years y WHERE y.household_id = h.id"
          "     AND y.year = extract(year FROM $2::date)::int), 0) AS people"
          "   FROM households h JOIN unnest($4::text[], $5::text[]) AS m(code, bucket) ON m.code = h.commune_code)"
          " SELECT bucket, grp, coalesce(cs, ''), ce, ever, em, count(*)::bigint, sum(people)::bigint FROM h"
          " WHERE ce IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6",
          D(first), D(last), q.by_ethnic_group, ArrayLiteral(codes), ArrayLiteral(buckets), q.by_village);
      for (const auto& row : r) {
        out.push_back({Str(row[0]), Str(row[1]), Str(row[2]), Str(row[3]), row[4].as<bool>(), row[5].as<bool>(),
                       row[6].as<int64_t>(), row[7].as<int64_t>()});
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<PeriodHousehold>> PeriodHouseholds(const std::optional<std::vector<std::string>>& communes,
                                                                 absl::CivilDay first, absl::CivilDay last,
                                                                 const std::string& after, int limit) override {
    return pool_->Fetch<std::vector<PeriodHousehold>>([&](transaction_base& tx, std::vector<PeriodHousehold>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT h.id::text,"
          " coalesce((SELECT c.classification FROM classification_history c WHERE c.household_id = h.id"
          "   AND c.effective_date < $1::date ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1), ''),"
          " coalesce((SELECT c.classification FROM classification_history c WHERE c.household_id = h.id"
          "   AND c.effective_date <= $2::date ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1), ''),"
          " EXISTS (SELECT 1 FROM classification_history c WHERE c.household_id = h.id AND c.effective_date < $1::date"
          "   AND c.classification = 'POOR')"
          " FROM households h WHERE ($3 = false OR h.commune_code = ANY($4::text[]))"
          " AND ($5 = '' OR h.id > $5::uuid) ORDER BY h.id LIMIT $6",
          D(first), D(last), communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})), after,
          limit);
      for (const auto& row : r) out.push_back({Str(row[0]), Str(row[1]), Str(row[2]), row[3].as<bool>()});
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<SimulationBasisRow>> SimulationBasis(const StatsQuery& q, absl::CivilDay as_of,
                                                                  const std::string& after, const std::string& through,
                                                                  int limit) override {
    const auto [codes, buckets] = CodesAndBuckets(q);
    // The bucket is looked up here, not joined: with a join the planner sorts every remaining
    // household for each page; filtered by code, a page walks the primary key from `after`.
    std::map<std::string, std::string> bucket_of;
    for (size_t i = 0; i < codes.size(); ++i) bucket_of.emplace(codes[i], buckets[i]);
    using Out = std::vector<SimulationBasisRow>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // The class on the day and the review it rests on: joined by the history's review id
      // (a split household's history names the reviews of the household it came from).
      for (const auto& row : tx.exec_params(
               "SELECT h.id::text, h.commune_code,"
               " CASE WHEN h.head_ethnicity = '' THEN 'UNKNOWN' WHEN h.head_ethnicity IN (SELECT code FROM ethnic_majority)"
               "   THEN 'KINH' ELSE 'EM' END,"
               " coalesce(hm.sex, ''), coalesce(c.classification, ''), h.area_type, h.area_type_override_reason,"
               " r.id IS NOT NULL, coalesce(r.income_per_capita, 0), r.proxy_score, coalesce(r.indicators::text, '[]')"
               " FROM households h LEFT JOIN members hm ON hm.id = h.head_member_id"
               " LEFT JOIN LATERAL (SELECT c.classification, c.review_id FROM classification_history c"
               "   WHERE c.household_id = h.id AND c.effective_date <= $2::date"
               "   ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1) c ON true"
               " LEFT JOIN reviews r ON r.id = c.review_id"
               // Registered by the day, or classified by then (a record entered later for a household
               // already on a list).
               " WHERE h.status = 'HOUSEHOLD_ACTIVE' AND (h.registered_on <= $2::date OR c.classification IS NOT NULL)"
               " AND h.commune_code = ANY($1::text[]) AND ($3 = '' OR h.id > $3::uuid)"
               " AND ($4 = '' OR h.id <= $4::uuid) ORDER BY h.id LIMIT $5",
               ArrayLiteral(codes), D(as_of), after, through, limit)) {
        SimulationBasisRow b;
        b.id = Str(row[0]);
        b.commune_code = Str(row[1]);
        b.bucket = bucket_of[b.commune_code];
        b.ethnic_group = Str(row[2]);
        b.head_sex = Str(row[3]);
        b.current_class = Str(row[4]);
        b.area_type = Str(row[5]);
        b.area_override_reason = Str(row[6]);
        b.reviewed = row[7].as<bool>();
        b.income = row[8].as<int64_t>();
        if (!row[9].is_null()) b.proxy_score = row[9].as<int>();
        b.indicators_json = Str(row[10]);
        out.push_back(std::move(b));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<std::string>> HouseholdIdSplits(int parts) override {
    using Out = std::vector<std::string>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // A large table: about 1% of its pages, enough for even cuts and read in milliseconds. A
      // small one (or one never analysed): every id.
      const double rows = tx.exec1("SELECT reltuples FROM pg_class WHERE oid = 'households'::regclass")[0].as<double>();
      std::vector<std::string> sample;
      for (const auto& row : tx.exec(rows >= 100000 ? "SELECT id::text FROM households TABLESAMPLE SYSTEM (1) ORDER BY id"
                                                    : "SELECT id::text FROM households ORDER BY id")) {
        sample.push_back(Str(row[0]));
      }
      if (parts < 2 || static_cast<int>(sample.size()) < parts) return absl::OkStatus();
      for (int k = 1; k < parts; ++k) out.push_back(sample[sample.size() * k / parts]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::map<std::string, int64_t>> RegisteredHouseholds(const StatsQuery& q, absl::CivilDay last) override {
    const auto [codes, buckets] = CodesAndBuckets(q);
    return pool_->Fetch<std::map<std::string, int64_t>>([&](transaction_base& tx, std::map<std::string, int64_t>& out) -> absl::Status {
      if (q.by_village) {  // one commune: counted directly (the aggregate has no villages)
        for (const auto& row : tx.exec_params(
                 "SELECT coalesce(village_on(h.village_id, $1::date)::text, ''), count(*)::bigint FROM households h"
                 " WHERE h.commune_code = ANY($2::text[]) AND h.status = 'HOUSEHOLD_ACTIVE' AND h.registered_on <= $1::date"
                 " GROUP BY 1",
                 D(last), ArrayLiteral(codes))) {
          out[Str(row[0])] = row[1].as<int64_t>();
        }
        return absl::OkStatus();
      }
      auto r = tx.exec_params(
          "SELECT m.bucket, sum(a.households)::bigint FROM registered_agg a"
          " JOIN unnest($2::text[], $3::text[]) AS m(code, bucket) ON m.code = a.commune_code"
          " WHERE a.registered_month <= date_trunc('month', $1::date)::date GROUP BY 1",
          D(last), ArrayLiteral(codes), ArrayLiteral(buckets));
      for (const auto& row : r) out[Str(row[0])] = row[1].as<int64_t>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::map<std::string, int64_t>> PoorWithoutLaborCapacity(const StatsQuery& q,
                                                                          absl::CivilDay last) override {
    const auto [codes, buckets] = CodesAndBuckets(q);
    using Out = std::map<std::string, int64_t>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // Few households carry the flag (a partial index finds them); their class on the day
      // comes from the history.
      for (const auto& row : tx.exec_params(
               "SELECT CASE WHEN $4 THEN coalesce(village_on(h.village_id, $1::date)::text, '') ELSE m.bucket END,"
               " count(*)::bigint FROM households h JOIN unnest($2::text[], $3::text[]) AS m(code, bucket)"
               " ON m.code = h.commune_code"
               " WHERE h.no_labor_capacity AND h.status = 'HOUSEHOLD_ACTIVE'"
               " AND (SELECT c.classification FROM classification_history c WHERE c.household_id = h.id"
               "   AND c.effective_date <= $1::date ORDER BY c.effective_date DESC, c.recorded_at DESC LIMIT 1) = 'POOR'"
               " GROUP BY 1",
               D(last), ArrayLiteral(codes), ArrayLiteral(buckets), q.by_village)) {
        out[Str(row[0])] = row[1].as<int64_t>();
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> EmEscapes(int year) override {
    int64_t n = 0;
    absl::Status st = pool_->Read([&](transaction_base& tx) {
      n = tx.exec_params(
                "SELECT coalesce(sum(households), 0)::bigint FROM stats_agg WHERE year = $1"
                " AND transition = ANY((SELECT transitions FROM transition_groups WHERE code = 'ESCAPED')::text[])"
                " AND (head_ethnicity <> '' AND head_ethnicity NOT IN (SELECT code FROM ethnic_majority))",
                year)[0][0]
              .as<int64_t>();
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return n;
  }

  absl::StatusOr<v1::MovementTarget> CreateTarget(const v1::MovementTarget& t, const std::string& actor,
                                                  const IdempotencyKey& key) override {
    return pool_->Write<v1::MovementTarget>([&](transaction_base& tx, v1::MovementTarget& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        std::vector<std::string> units(t.unit_codes().begin(), t.unit_codes().end());
        std::vector<std::string> regions;
        for (int r : t.difficult_regions()) regions.push_back(v1::RegionClass_Name(static_cast<v1::RegionClass>(r)));
        std::vector<std::string> villages;
        for (const auto& v : t.villages()) villages.push_back(api::IdOf(v));
        tx.exec_params(
            "INSERT INTO movement_targets (id, kind, year_from, year_to, threshold, unit_codes, legal_doc,"
            " description, created_by, difficult_regions, village_ids) VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9,"
            " $10::text[], $11::uuid[])",
            t.id(), v1::MovementTarget::Kind_Name(t.kind()), t.year_from(), t.year_to(), t.threshold(),
            ArrayLiteral(units), t.legal_doc(), t.description(), actor, ArrayLiteral(regions), ArrayLiteral(villages));
        out = t;
        out.set_name("targets/" + t.id());
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::map<std::string, std::string>> VillageTargetStatus(const std::vector<std::string>& village_ids,
                                                                        absl::CivilDay day,
                                                                        const std::vector<std::string>& regions) override {
    using Out = std::map<std::string, std::string>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& row : tx.exec_params(
               "SELECT t.id::text, CASE"
               "  WHEN EXISTS (WITH RECURSIVE chain(id, depth) AS (SELECT t.id, 0 UNION ALL"
               "      SELECT l.new_id, c.depth + 1 FROM chain c JOIN village_lineage l ON l.old_id = c.id"
               "       WHERE l.effective_date <= $2::date AND c.depth < 50)"
               "    SELECT 1 FROM chain c JOIN village_lineage l ON l.old_id = c.id"
               "     WHERE l.kind = 'MERGED' AND l.effective_date <= $2::date) THEN 'MERGED'"
               "  WHEN cur.id IS NULL THEN 'NOT_IN_FORCE'"
               "  WHEN EXISTS (SELECT 1 FROM area_classifications a WHERE a.unit_code = cur.commune_code"
               "    AND a.validity @> $2::date AND a.region = ANY($3::text[]) AND a.village_name <> ''"
               "    AND (village_on(a.village_id, $2::date) = cur.id"
               "      OR (a.village_id IS NULL AND fold_name(a.village_name) = cur.name_folded))) THEN 'DIFFICULT'"
               "  ELSE 'LEFT' END"
               " FROM unnest($1::uuid[]) AS t(id)"
               " LEFT JOIN villages cur ON cur.id = village_on(t.id, $2::date)",
               ArrayLiteral(village_ids), D(day), ArrayLiteral(regions))) {
        out[Str(row[0])] = Str(row[1]);
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::MovementTarget>> ListTargets() override {
    return pool_->Fetch<std::vector<v1::MovementTarget>>([&](transaction_base& tx, std::vector<v1::MovementTarget>& out) -> absl::Status {
      auto r = tx.exec("SELECT id, kind, year_from, year_to, threshold, array_to_string(unit_codes, ','),"
                       " legal_doc, description, array_to_string(difficult_regions, ','),"
                       " array_to_string(village_ids, ',') FROM movement_targets"
                       " ORDER BY id");
      for (const auto& row : r) {
        v1::MovementTarget t;
        t.set_id(Str(row[0]));
        t.set_name("targets/" + t.id());
        v1::MovementTarget::Kind k = v1::MovementTarget::KIND_UNSPECIFIED;
        v1::MovementTarget::Kind_Parse(Str(row[1]), &k);
        t.set_kind(k);
        t.set_year_from(row[2].as<int>());
        t.set_year_to(row[3].as<int>());
        t.set_threshold(row[4].as<int64_t>());
        for (absl::string_view u : absl::StrSplit(Str(row[5]), ',', absl::SkipEmpty())) t.add_unit_codes(std::string(u));
        t.set_legal_doc(Str(row[6]));
        t.set_description(Str(row[7]));
        for (absl::string_view v : absl::StrSplit(Str(row[9]), ',', absl::SkipEmpty())) t.add_villages(absl::StrCat("villages/", v));
        for (absl::string_view r : absl::StrSplit(Str(row[8]), ',', absl::SkipEmpty())) {
          v1::RegionClass rc = v1::REGION_CLASS_UNSPECIFIED;
          if (v1::RegionClass_Parse(std::string(r), &rc)) t.add_difficult_regions(rc);
        }
        out.push_back(std::move(t));
      }
      return absl::OkStatus();
    });
  }

  absl::Status AuditPersonalDataRead(const std::string& actor, const std::string& method,
                                     const std::string& purpose, const std::string& request_id,
                                     const std::vector<std::string>& ids,
                                     const std::vector<std::string>& categories) override {
    if (ids.empty()) return absl::OkStatus();
    return pool_->Run([&](transaction_base& tx) {
      tx.exec_params(
          "INSERT INTO pii_audit (actor, method, request_id, household_ids, purpose, categories)"
          " VALUES ($1, $2, $3, $4::uuid[], $5, $6)",
          actor, method, request_id, ArrayLiteral(ids), purpose, absl::StrJoin(categories, ","));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<ImportBatchResult> ImportBatch(const std::string& import_id, const std::string& actor,
                                                const std::vector<ImportRow>& rows, int last_year) override {
    return pg::ImportHouseholdBatch(pool_, import_id, actor, rows, last_year);
  }
  absl::StatusOr<int64_t> RollForwardYears(int last_year) override {
    int64_t added = 0;
    absl::Status st = pool_->Run([&](transaction_base& tx) {
      added = 0;
      tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.roll_forward'))");
      auto from = tx.exec("SELECT coalesce(min(year), 0) FROM household_years")[0][0].as<int>();
      for (int year = std::max(from + 1, 2000); from > 0 && year <= last_year; ++year) {
        auto r = tx.exec_params(
            "INSERT INTO household_years (household_id, year, commune_code, head_ethnicity, people,"
            " class_start, class_end, transition)"
            " SELECT y.household_id, $1, y.commune_code, y.head_ethnicity, y.people, y.class_end, y.class_end,"
            " CASE y.class_end WHEN 'POOR' THEN 'POOR_REMAINING' WHEN 'NEAR_POOR' THEN 'NEAR_POOR_REMAINING' ELSE '' END"
            " FROM household_years y JOIN households h ON h.id = y.household_id AND h.status = 'HOUSEHOLD_ACTIVE'"
            " WHERE y.year = $1 - 1 ON CONFLICT (household_id, year) DO NOTHING",
            year);
        added += r.affected_rows();
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return added;
  }

  absl::StatusOr<Procedure> ReviewProcedure() override {
    return pool_->Fetch<Procedure>([&](transaction_base& tx, Procedure& out) -> absl::Status {
      for (const auto& row : tx.exec("SELECT kind, valid_from::text, coalesce(valid_to::text, ''), cadence, start_md,"
                                     " end_md, legal_doc, confirmed FROM review_windows ORDER BY kind, valid_from")) {
        ReviewWindowRule w;
        w.kind = Str(row[0]);
        w.valid_from = *ParseDate(Str(row[1]));
        if (!Str(row[2]).empty()) w.valid_to = *ParseDate(Str(row[2]));
        w.monthly = Str(row[3]) == "MONTHLY";
        w.start = Str(row[4]);
        w.end = Str(row[5]);
        w.legal_doc = Str(row[6]);
        w.confirmed = row[7].as<bool>();
        out.windows.push_back(std::move(w));
      }
      for (const auto& row : tx.exec("SELECT step, valid_from::text, coalesce(valid_to::text, ''), authority, legal_doc"
                                     " FROM review_steps ORDER BY step, valid_from")) {
        ProcedureStep s;
        s.step = Str(row[0]);
        s.valid_from = *ParseDate(Str(row[1]));
        if (!Str(row[2]).empty()) s.valid_to = *ParseDate(Str(row[2]));
        s.authority = Str(row[3]);
        s.legal_doc = Str(row[4]);
        out.steps.push_back(std::move(s));
      }
      for (const auto& row : tx.exec("SELECT valid_from::text, coalesce(valid_to::text, ''), answer_days, working_days,"
                                     " legal_doc, confirmed FROM application_rules ORDER BY valid_from")) {
        ApplicationRule a;
        a.valid_from = *ParseDate(Str(row[0]));
        if (!Str(row[1]).empty()) a.valid_to = *ParseDate(Str(row[1]));
        a.answer_days = row[2].as<int>();
        a.working_days = row[3].as<bool>();
        a.legal_doc = Str(row[4]);
        a.confirmed = row[5].as<bool>();
        out.application_rules.push_back(std::move(a));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::ReviewApplication> CreateApplication(const std::string& hid, const v1::ReviewApplication& a,
                                                          const std::string& actor, const IdempotencyKey& key) override {
    return pg::CreateApplication(pool_, hid, a, actor, key);
  }
  absl::StatusOr<std::vector<v1::ReviewApplication>> ListApplications(const ApplicationFilter& f) override {
    return pg::ListApplications(pool_, f);
  }
  absl::StatusOr<v1::ReviewApplication> GetApplication(const std::string& hid, const std::string& aid) override {
    return pg::GetApplication(pool_, hid, aid);
  }
  absl::StatusOr<v1::ReviewApplication> RefuseApplication(const std::string& hid, const std::string& aid,
                                                          const std::string& etag, const std::string& reason,
                                                          absl::CivilDay refused_on, const std::string& actor) override {
    return pg::RefuseApplication(pool_, hid, aid, etag, reason, refused_on, actor);
  }
  absl::StatusOr<v1::ReviewRound> OpenRound(const v1::ReviewRound& r, const std::string& actor,
                                            const IdempotencyKey& key) override {
    return pg::OpenRound(pool_, r, actor, key);
  }
  absl::StatusOr<v1::ReviewRound> GetRound(const std::string& id) override { return pg::GetRound(pool_, id); }
  absl::StatusOr<std::vector<v1::DueHousehold>> RoundHouseholds(const std::string& id, const std::string& after,
                                                                int limit) override {
    return pg::RoundHouseholds(pool_, id, after, limit);
  }
  absl::StatusOr<v1::ReviewRound> AdvanceRound(const std::string& id, const std::string& etag, const RoundStep& step,
                                               const std::string& actor) override {
    return pg::AdvanceRound(pool_, id, etag, step, actor);
  }
  absl::StatusOr<v1::RecognisedList> RecognizeRound(const std::string& id, const std::string& etag,
                                                    const ReviewChange& decision, const std::string& actor,
                                                    int last_year) override {
    return pg::RecognizeRound(pool_, id, etag, decision, actor, last_year);
  }
  absl::StatusOr<v1::RecognisedList> GetRecognisedList(const std::string& id, int version) override {
    return pg::GetRecognisedList(pool_, id, version);
  }

  absl::StatusOr<std::vector<int64_t>> ImportedRows(const std::string& import_id, const std::string& actor) override {
    return pool_->Fetch<std::vector<int64_t>>([&](transaction_base& tx, std::vector<int64_t>& out) -> absl::Status {
      LNOB_RETURN_IF_ERROR(db::ImportBelongsTo(tx, import_id, actor, "started_by"));
      auto r = tx.exec_params("SELECT row_number FROM import_rows WHERE import_id = $1::uuid ORDER BY 1", import_id);
      for (const auto& row : r) out.push_back(row[0].as<int64_t>());
      return absl::OkStatus();
    });
  }
  absl::Status Export(const std::optional<std::vector<std::string>>& communes, bool include_reviews,
                      const std::function<bool(const v1::HouseholdRecord&)>& sink) override {
    return pg::ExportHouseholdRecords(pool_, communes, include_reviews, sink);
  }

  absl::StatusOr<int64_t> FeedHead() override { return db::ChangeFeedHead(pool_); }

  absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after, int limit) override {
    return pool_->Fetch<std::vector<v1::ChangeEvent>>([&](transaction_base& tx, std::vector<v1::ChangeEvent>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT cursor, household_id::text, kind, classification, previous_classification,"
          " coalesce(effective_date::text, ''), commune_code,"
          " to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), coalesce(related_household_id::text, '')"
          " FROM change_feed WHERE cursor > $1 ORDER BY cursor LIMIT $2",
          after, limit);
      for (const auto& row : r) {
        v1::ChangeEvent e;
        e.set_cursor(row[0].as<int64_t>());
        e.set_household("households/" + Str(row[1]));
        e.set_kind(Str(row[2]));
        v1::HouseholdClass c = v1::HOUSEHOLD_CLASS_UNSPECIFIED, p = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
        v1::HouseholdClass_Parse(Str(row[3]), &c);
        v1::HouseholdClass_Parse(Str(row[4]), &p);
        e.set_classification(c);
        e.set_previous_classification(p);
        api::SetProtoDate(Str(row[5]), e.mutable_effective_date());
        e.set_commune_code(Str(row[6]));
        api::SetProtoTimestamp(Str(row[7]), e.mutable_event_time());
        if (!Str(row[8]).empty()) e.set_related_household("households/" + Str(row[8]));
        out.push_back(std::move(e));
      }
      return absl::OkStatus();
    });
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<HouseholdStore> NewPgHouseholdStore(db::Pool* pool) {
  return std::make_unique<PgHouseholdStore>(pool);
}

}  // namespace lnob::registry

