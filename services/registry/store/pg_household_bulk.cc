// The bulk paths of the PostgreSQL household store: streaming import by COPY and export.

#include "services/registry/store/pg_household_rows.h"

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

namespace lnob::registry::pg {
namespace {

using db::ArrayLiteral;
using db::ArrayValue;
using db::Str;

}  // namespace


using db::CopyField;
using db::CopyOpt;
using db::CopyWriter;

namespace {

const char* B(bool b) { return db::CopyBool(b); }

// What the database already holds about a batch, read in a few round trips.
struct BatchFacts {
  std::set<int64_t> done;                     // rows an earlier run of this import committed
  std::set<std::string> taken_external, taken_cid;
  std::vector<std::string> nfc;               // every member name of the batch, NFC
  std::vector<size_t> name_base;              // per row: index of its first name in nfc
  std::map<int64_t, std::string> bad_village;  // row -> why its village is refused
};

BatchFacts LoadBatchFacts(transaction_base& tx, const std::string& import_id, const std::vector<ImportRow>& rows) {
  BatchFacts f;
  std::set<int64_t>& done = f.done;
  std::set<std::string>& taken_external = f.taken_external;
  std::set<std::string>& taken_cid = f.taken_cid;
  std::vector<std::string>& nfc = f.nfc;
  std::vector<std::string> row_numbers, external_ids, citizen_ids, names;
  for (const auto& r : rows) {
    row_numbers.push_back(absl::StrCat(r.row_number));
    if (!r.record.external_id().empty()) external_ids.push_back(r.record.external_id());
    for (const auto& m : r.record.household().members()) {
      if (!m.citizen_id().empty()) citizen_ids.push_back(m.citizen_id());
      names.push_back(m.full_name());
    }
  }
  for (const auto& row : tx.exec_params(
           "SELECT row_number FROM import_rows WHERE import_id = $1::uuid AND row_number = ANY($2::bigint[])",
           import_id, ArrayLiteral(row_numbers))) {
    done.insert(row[0].as<int64_t>());
  }
  for (const auto& row : tx.exec_params("SELECT external_id FROM households WHERE external_id = ANY($1::text[])",
                                        ArrayLiteral(external_ids))) {
    taken_external.insert(Str(row[0]));
  }
  for (const auto& row : tx.exec_params(
           "SELECT citizen_id FROM members WHERE active AND citizen_id = ANY($1::text[])",
           ArrayLiteral(citizen_ids))) {
    taken_cid.insert(Str(row[0]));
  }
  // NFC-normalise every name of the batch in one round trip (COPY bypasses SQL functions).
  for (const auto& row : tx.exec_params("SELECT normalize(n, NFC) FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i",
                                        ArrayLiteral(names))) {
    nfc.push_back(Str(row[0]));
  }
  // Villages outside their commune's register (households_village_link would refuse the COPY).
  std::vector<std::string> communes, villages, numbers;
  for (const auto& r : rows) {
    if (r.record.household().village().empty()) continue;
    communes.push_back(r.record.household().commune_code());
    villages.push_back(r.record.household().village());
    numbers.push_back(absl::StrCat(r.row_number));
  }
  if (!numbers.empty()) {
    for (const auto& row : tx.exec_params(
             "SELECT q.n, q.c FROM unnest($1::text[], $2::text[], $3::bigint[]) AS q(c, v, n)"
             " WHERE village_named(q.c, q.v, current_date) IS NULL"
             " AND EXISTS (SELECT 1 FROM villages w WHERE w.commune_code = q.c AND w.validity @> current_date)",
             ArrayLiteral(communes), ArrayLiteral(villages), ArrayLiteral(numbers))) {
      f.bad_village[row[0].as<int64_t>()] =
          absl::StrCat("is not in the village register of commune ", Str(row[1]), " (ListVillages)");
    }
  }
  size_t name_index = 0;
  for (const auto& r : rows) {
    f.name_base.push_back(name_index);
    name_index += r.record.household().members_size();
  }
  return f;
}

// Rows to write: not done before, no duplicate external or citizen ID (with the database or
// an earlier row of the batch); the others are counted or reported in *result.
std::vector<const ImportRow*> ScreenRows(const std::vector<ImportRow>& rows, BatchFacts& facts,
                                         ImportBatchResult* result) {
  std::set<int64_t>& done = facts.done;
  std::set<std::string>& taken_external = facts.taken_external;
  std::set<std::string>& taken_cid = facts.taken_cid;
  std::vector<const ImportRow*> accepted;
  for (const auto& r : rows) {
    if (done.count(r.row_number)) {
      ++result->already_done;
      continue;
    }
    if (auto it = facts.bad_village.find(r.row_number); it != facts.bad_village.end()) {
      v1::RowError e;
      e.set_row_number(r.row_number);
      e.set_field("record.household.village");
      e.set_message(it->second);
      result->errors.push_back(std::move(e));
      continue;
    }
    if (!r.record.external_id().empty() && taken_external.count(r.record.external_id())) {
      v1::RowError e;
      e.set_row_number(r.row_number);
      e.set_field("record.external_id");
      e.set_message("a household with this external_id already exists");
      result->errors.push_back(std::move(e));
      continue;
    }
    bool dup = false;
    for (int i = 0; i < r.record.household().members_size() && !dup; ++i) {
      const auto& cid = r.record.household().members(i).citizen_id();
      if (!cid.empty() && taken_cid.count(cid)) {
        v1::RowError e;
        e.set_row_number(r.row_number);
        e.set_field(absl::StrCat("record.household.members[", i, "].citizen_id"));
        e.set_message("citizen ID already belongs to an active member of another household");
        result->errors.push_back(std::move(e));
        dup = true;
      }
    }
    if (dup) continue;
    for (const auto& m : r.record.household().members()) {
      if (!m.citizen_id().empty()) taken_cid.insert(m.citizen_id());
    }
    if (!r.record.external_id().empty()) taken_external.insert(r.record.external_id());
    accepted.push_back(&r);
  }
  return accepted;
}

void CopyHouseholds(transaction_base& tx, const std::vector<const ImportRow*>& accepted, const std::string& actor) {
  CopyWriter hs(tx, "households", std::vector<std::string>{"id", "external_id", "commune_code", "village", "address",
                                              "area_type", "area_type_override_reason", "head_member_id",
                                              "head_ethnicity", "no_labor_capacity", "policy_beneficiary",
                                              "classification", "classified_since", "registered_on",
                                              "created_by", "updated_by"});
  for (const ImportRow* r : accepted) {
    const auto& h = r->record.household();
    const v1::Review* latest = nullptr;
    for (const auto& v : r->record.reviews()) {
      if (latest == nullptr || api::ProtoDay(v.decision_date()) >= api::ProtoDay(latest->decision_date())) latest = &v;
    }
    std::string line;
    CopyField(&line, api::IdOf(h.name()));
    CopyOpt(&line, r->record.external_id());
    CopyField(&line, h.commune_code());
    CopyField(&line, h.village());
    CopyField(&line, h.address());
    CopyField(&line, h.area_type() == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL");
    CopyField(&line, h.area_type_override_reason());
    CopyOpt(&line, h.head_member().empty() ? "" : api::IdOf(h.head_member()));
    CopyField(&line, HeadEthnicity(h));
    CopyField(&line, B(h.no_labor_capacity()));
    CopyField(&line, B(h.policy_beneficiary()));
    CopyField(&line, latest ? v1::HouseholdClass_Name(latest->computed_class()) : "HOUSEHOLD_CLASS_UNSPECIFIED");
    CopyOpt(&line, latest ? api::ProtoDateText(latest->decision_date()) : "");
    CopyField(&line, api::ProtoDateText(h.registered_on()));
    CopyField(&line, actor);
    CopyField(&line, actor);
    hs.WriteLine(line);
  }
  hs.Complete();
}

void CopyMembers(transaction_base& tx, const std::vector<ImportRow>& rows, const std::vector<const ImportRow*>& accepted,
                 const BatchFacts& facts) {
  const std::vector<std::string>& nfc = facts.nfc;
  const std::vector<size_t>& name_base = facts.name_base;
  CopyWriter ms(tx, "members", std::vector<std::string>{"id", "household_id", "full_name", "birth_date", "sex",
                                              "ethnicity_code", "citizen_id", "relation", "working_capacity",
                                              "health_insurance", "attending_school", "education_level",
                                              "disability", "active", "seq"});
  for (const ImportRow* r : accepted) {
    const auto& h = r->record.household();
    const size_t base = name_base[r - rows.data()];
    for (int i = 0; i < h.members_size(); ++i) {
      const auto& m = h.members(i);
      std::string line;
      CopyField(&line, api::IdOf(m.name()));
      CopyField(&line, api::IdOf(h.name()));
      CopyField(&line, nfc[base + i]);
      CopyOpt(&line, api::ProtoDateText(m.birth_date()));
      CopyField(&line, m.sex() == v1::FEMALE ? "FEMALE" : "MALE");
      CopyField(&line, m.ethnicity_code());
      CopyOpt(&line, m.citizen_id());
      CopyField(&line, v1::Relation_Name(m.relation()));
      CopyField(&line, B(m.working_capacity()));
      CopyField(&line, B(m.health_insurance()));
      CopyField(&line, B(m.attending_school()));
      CopyField(&line, v1::EducationLevel_Name(m.education_level()));
      CopyField(&line, B(m.disability()));
      CopyField(&line, "t");
      CopyField(&line, absl::StrCat(i));
      ms.WriteLine(line);
    }
  }
  ms.Complete();
}

// Imported reviews are approved decisions: the review rows and the classification history.
void CopyReviews(transaction_base& tx, const std::vector<const ImportRow*>& accepted, const std::string& actor) {
  CopyWriter rs(tx, "reviews",
                std::vector<std::string>{"id", "household_id", "kind", "review_date", "standard_id",
                                         "income_per_capita", "indicators", "deprivation_count",
                                         "area_type", "computed_class", "reviewer", "state",
                                         "decision_number", "decision_date", "created_by", "proxy_score",
                                         "list_year", "caveats"});
  std::vector<std::string> hist_lines;  // one COPY at a time per transaction
  for (const ImportRow* r : accepted) {
    const auto& h = r->record.household();
    for (const auto& v : r->record.reviews()) {
      std::string line;
      CopyField(&line, api::IdOf(v.name()));
      CopyField(&line, api::IdOf(h.name()));
      CopyField(&line, v.kind() == v1::ONGOING ? "ONGOING" : "PERIODIC");
      CopyField(&line, api::ProtoDateText(v.review_date()));
      CopyField(&line, v.standard_id());
      CopyField(&line, absl::StrCat(v.income_per_capita_vnd()));
      CopyField(&line, IndicatorsJson(v));
      CopyField(&line, absl::StrCat(v.deprivation_count()));
      CopyField(&line, v.area_type() == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL");
      CopyField(&line, v1::HouseholdClass_Name(v.computed_class()));
      CopyField(&line, v.reviewer());
      CopyField(&line, "APPROVED");
      CopyField(&line, v.decision_number());
      CopyField(&line, api::ProtoDateText(v.decision_date()));
      CopyField(&line, actor);
      CopyOpt(&line, v.has_proxy_score() ? absl::StrCat(v.proxy_score()) : "");
      CopyField(&line, absl::StrCat(v.list_year()));
      CopyField(&line, ArrayLiteral(std::vector<std::string>(v.caveats().begin(), v.caveats().end())));
      rs.WriteLine(line);
      std::string hist;
      CopyField(&hist, api::IdOf(h.name()));
      CopyField(&hist, api::ProtoDateText(v.decision_date()));
      CopyField(&hist, api::IdOf(v.name()));
      CopyField(&hist, v1::HouseholdClass_Name(v.computed_class()));
      hist_lines.push_back(std::move(hist));
    }
  }
  rs.Complete();
  CopyWriter ch(tx, "classification_history",
                std::vector<std::string>{"household_id", "effective_date", "review_id", "classification"});
  for (const auto& line : hist_lines) ch.WriteLine(line);
  ch.Complete();
}

struct AggKey {
  int year;
  std::string commune, eth, cls, transition;
  bool operator<(const AggKey& o) const {
    return std::tie(year, commune, eth, cls, transition) < std::tie(o.year, o.commune, o.eth, o.cls, o.transition);
  }
};
using StatsDeltas = std::map<AggKey, std::pair<int64_t, int64_t>>;  // households, people

// The per-year snapshots of every imported history, and the statistics deltas they make.
StatsDeltas CopyYears(transaction_base& tx, const std::vector<const ImportRow*>& accepted, int last_year) {
  StatsDeltas agg;
  CopyWriter ys(tx, "household_years",
                std::vector<std::string>{"household_id", "year", "commune_code", "head_ethnicity",
                                         "people", "class_start", "class_end", "transition"});
  for (const ImportRow* r : accepted) {
    if (r->record.reviews_size() == 0) continue;
    const auto& h = r->record.household();
    std::vector<HistoryEntry> history;
    for (const auto& v : r->record.reviews()) {
      history.push_back({api::ProtoDay(v.decision_date()), v1::HouseholdClass_Name(v.computed_class())});
    }
    const std::string eth = HeadEthnicity(h);
    const int people = ActivePeople(h);
    for (const auto& s : YearSnapshots(history, last_year)) {
      std::string y;
      CopyField(&y, api::IdOf(h.name()));
      CopyField(&y, absl::StrCat(s.year));
      CopyField(&y, h.commune_code());
      CopyField(&y, eth);
      CopyField(&y, absl::StrCat(people));
      CopyField(&y, s.class_start);
      CopyField(&y, s.class_end);
      CopyField(&y, s.transition);
      ys.WriteLine(y);
      auto& a = agg[{s.year, h.commune_code(), eth, s.class_end, s.transition}];
      a.first += 1;
      a.second += people;
    }
  }
  ys.Complete();
  return agg;
}

void UpsertStats(transaction_base& tx, const StatsDeltas& agg) {
  // Statistics: one upsert of the batch's pre-aggregated deltas.
  std::vector<std::string> years, communes, eths, classes, transitions, hh, people;
  for (const auto& [k, v] : agg) {
    years.push_back(absl::StrCat(k.year));
    communes.push_back(k.commune);
    eths.push_back(k.eth);
    classes.push_back(k.cls);
    transitions.push_back(k.transition);
    hh.push_back(absl::StrCat(v.first));
    people.push_back(absl::StrCat(v.second));
  }
  tx.exec_params(
      "INSERT INTO stats_agg AS s SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[],"
      " $5::text[], $6::bigint[], $7::bigint[])"
      " ON CONFLICT (year, commune_code, head_ethnicity, class_end, transition)"
      " DO UPDATE SET households = s.households + EXCLUDED.households, people = s.people + EXCLUDED.people",
      ArrayLiteral(years), ArrayLiteral(communes), ArrayLiteral(eths), ArrayLiteral(classes),
      ArrayLiteral(transitions), ArrayLiteral(hh), ArrayLiteral(people));
}

void CopyFeed(transaction_base& tx, const std::vector<const ImportRow*>& accepted) {
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.change_feed'))");
  CopyWriter feed(tx, "change_feed",
                  std::vector<std::string>{"household_id", "kind", "classification", "effective_date",
                                           "commune_code"});
  for (const ImportRow* r : accepted) {
    for (const auto& v : r->record.reviews()) {
      std::string line;
      CopyField(&line, api::IdOf(r->record.household().name()));
      CopyField(&line, "CLASSIFICATION_CHANGED");
      CopyField(&line, v1::HouseholdClass_Name(v.computed_class()));
      CopyField(&line, api::ProtoDateText(v.decision_date()));
      CopyField(&line, r->record.household().commune_code());
      feed.WriteLine(line);
    }
  }
  feed.Complete();
}

void RecordImportRows(transaction_base& tx, const std::string& import_id,
                      const std::vector<const ImportRow*>& accepted) {
  CopyWriter ir(tx, "import_rows", std::vector<std::string>{"import_id", "row_number", "household_id"});
  for (const ImportRow* r : accepted) {
    std::string line;
    CopyField(&line, import_id);
    CopyField(&line, absl::StrCat(r->row_number));
    CopyField(&line, api::IdOf(r->record.household().name()));
    ir.WriteLine(line);
  }
  ir.Complete();
}

}  // namespace

absl::StatusOr<ImportBatchResult> ImportHouseholdBatch(db::Pool* pool, const std::string& import_id,
                                                       const std::string& actor, const std::vector<ImportRow>& rows,
                                                       int last_year) {
  ImportBatchResult result;
  absl::Status st = pool->Run([&](transaction_base& tx) -> absl::Status {
    result = ImportBatchResult();
    tx.exec("SET LOCAL lnob.stats_by_caller = 'on'");
    tx.exec_params("INSERT INTO imports (id, started_by) VALUES ($1::uuid, $2) ON CONFLICT (id) DO NOTHING",
                   import_id, actor);
    LNOB_RETURN_IF_ERROR(db::ImportBelongsTo(tx, import_id, actor, "started_by"));
    BatchFacts facts = LoadBatchFacts(tx, import_id, rows);
    const std::vector<const ImportRow*> accepted = ScreenRows(rows, facts, &result);
    if (accepted.empty()) return absl::OkStatus();
    CopyHouseholds(tx, accepted, actor);
    CopyMembers(tx, rows, accepted, facts);
    bool any_review = false;
    for (const ImportRow* r : accepted) any_review |= r->record.reviews_size() > 0;
    if (any_review) {
      CopyReviews(tx, accepted, actor);
      UpsertStats(tx, CopyYears(tx, accepted, last_year));
      CopyFeed(tx, accepted);
    }
    RecordImportRows(tx, import_id, accepted);
    tx.exec_params("UPDATE imports SET rows_committed = rows_committed + $2 WHERE id = $1::uuid", import_id,
                   static_cast<int64_t>(accepted.size()));
    result.committed = static_cast<int64_t>(accepted.size());
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return result;
}

absl::Status ExportHouseholdRecords(db::Pool* pool, const std::optional<std::vector<std::string>>& communes,
                                      bool include_reviews,
                                      const std::function<bool(const v1::HouseholdRecord&)>& sink) {
  std::string after;
  while (true) {
    std::vector<v1::HouseholdRecord> page;
    absl::Status st = pool->Read([&](transaction_base& tx) {
      page.clear();
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kHouseholdColumns, " FROM households h WHERE h.status = 'HOUSEHOLD_ACTIVE'"
                       " AND (NOT $1 OR h.commune_code = ANY($2::text[])) AND ($3 = '' OR h.id > $3::uuid)"
                       " ORDER BY h.id LIMIT 500"),
          communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})), after);
      std::vector<v1::Household> hs;
      std::vector<std::string> external;
      for (const auto& row : r) {
        hs.push_back(HouseholdFromRow(row));
        external.push_back(Str(row[1]));
      }
      std::vector<v1::Household*> ptrs;
      for (auto& h : hs) ptrs.push_back(&h);
      LoadMembers(tx, ptrs, true);
      for (size_t i = 0; i < hs.size(); ++i) {
        v1::HouseholdRecord rec;
        rec.set_external_id(external[i]);
        *rec.mutable_household() = hs[i];
        if (include_reviews) {
          auto rv = tx.exec_params(absl::StrCat("SELECT ", kReviewColumns,
                                                " FROM reviews r JOIN classification_history c ON c.review_id = r.id"
                                                " WHERE r.household_id = $1::uuid ORDER BY c.effective_date"),
                                   api::IdOf(hs[i].name()));
          for (const auto& row : rv) *rec.add_reviews() = ReviewFromRow(row);
        }
        page.push_back(std::move(rec));
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    if (page.empty()) return absl::OkStatus();
    for (const auto& rec : page) {
      if (!sink(rec)) return absl::CancelledError("export cancelled by the client");
    }
    after = api::IdOf(page.back().household().name());
  }
}

}  // namespace lnob::registry::pg
