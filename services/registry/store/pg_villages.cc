#include "services/registry/store/pg_villages.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/db/idempotency.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"

namespace lnob::registry::pg {
namespace {

using db::ArrayLiteral;
using db::Str;
using pqxx::transaction_base;

constexpr char kVillageColumns[] =
    "v.id::text, v.commune_code, v.name, v.valid_from::text, coalesce(v.valid_to::text, ''), v.synthetic,"
    " v.legal_doc, v.version, to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " coalesce((SELECT string_agg(l.old_id::text, ',' ORDER BY l.old_id) FROM village_lineage l WHERE l.new_id = v.id), ''),"
    " coalesce((SELECT l.new_id::text FROM village_lineage l WHERE l.old_id = v.id LIMIT 1), '')";

v1::Village FromRow(const pqxx::row& r) {
  v1::Village v;
  v.set_name("villages/" + Str(r[0]));
  v.set_commune_code(Str(r[1]));
  v.set_display_name(Str(r[2]));
  api::SetProtoDate(Str(r[3]), v.mutable_valid_from());
  api::SetProtoDate(Str(r[4]), v.mutable_valid_to());
  v.set_synthetic(r[5].as<bool>());
  v.set_legal_doc(Str(r[6]));
  v.set_etag(api::EtagForVersion(r[7].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[8]), v.mutable_create_time());
  for (absl::string_view id : absl::StrSplit(Str(r[9]), ',', absl::SkipEmpty())) v.add_predecessors(absl::StrCat("villages/", id));
  if (!Str(r[10]).empty()) v.set_successor("villages/" + Str(r[10]));
  return v;
}

absl::StatusOr<v1::Village> Load(transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kVillageColumns, " FROM villages v WHERE v.id = $1::uuid",
                                       lock ? " FOR UPDATE OF v" : ""),
                          id);
  if (r.empty()) return WithReason(absl::NotFoundError(absl::StrCat("villages/", id, " not found")), "NOT_FOUND");
  return FromRow(r[0]);
}

// The commune's village with the same folded name overlapping [from, to], if any.
absl::Status RefuseTakenName(transaction_base& tx, const v1::Village& v, const std::vector<std::string>& except) {
  auto taken = tx.exec_params(
      "SELECT v.id::text, v.name FROM villages v WHERE v.commune_code = $1 AND v.name_folded = fold_name($2)"
      " AND v.validity && daterange($3::date, NULLIF($4, '')::date + 1, '[)') AND NOT (v.id::text = ANY($5::text[]))"
      " LIMIT 1",
      v.commune_code(), v.display_name(), ProtoDateText(v.valid_from()), ProtoDateText(v.valid_to()), ArrayLiteral(except));
  if (taken.empty()) return absl::OkStatus();
  return WithReason(absl::AlreadyExistsError(absl::StrCat("display_name: commune ", v.commune_code(),
                                                          " already has village villages/", Str(taken[0][0]), " (",
                                                          Str(taken[0][1]), ") then")),
                    "VILLAGE_EXISTS");
}

void Insert(transaction_base& tx, const v1::Village& v, const std::string& actor) {
  tx.exec_params(
      "INSERT INTO villages (id, commune_code, name, valid_from, valid_to, synthetic, legal_doc, created_by)"
      " VALUES ($1::uuid, $2, $3, $4::date, NULLIF($5, '')::date, $6, $7, $8)",
      v.name().substr(9), v.commune_code(), v.display_name(), ProtoDateText(v.valid_from()), ProtoDateText(v.valid_to()), v.synthetic(),
      v.legal_doc(), actor);
}

}  // namespace


absl::StatusOr<v1::Village> CreateVillage(db::Pool* pool, const v1::Village& v, const std::string& actor,
                                          const IdempotencyKey& key) {
  return pool->Write<v1::Village>([&](transaction_base& tx, v1::Village& out) -> absl::Status {
    return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
      // Writers of one commune's villages take turns, so the name check holds.
      tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.villages:' || $1))", v.commune_code());
      LNOB_RETURN_IF_ERROR(RefuseTakenName(tx, v, {}));
      Insert(tx, v, actor);
      LNOB_ASSIGN_OR_RETURN(out, Load(tx, v.name().substr(9), false));
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<std::vector<v1::Village>> ListVillages(db::Pool* pool, const VillageQuery& q) {
  using Out = std::vector<v1::Village>;
  return pool->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
    auto rows = tx.exec_params(
        absl::StrCat("SELECT ", kVillageColumns,
                     " FROM villages v WHERE ($1 = false OR v.commune_code = ANY($2::text[]))"
                     " AND ($3 = '' OR v.validity @> $3::date)"
                     " AND ($4 = '' OR v.name_folded LIKE '%' || fold_name($4) || '%')"
                     " AND ($5 = '' OR v.id > $5::uuid) AND ($7 = '' OR v.name_folded = fold_name($7))"
                     " ORDER BY v.id LIMIT $6"),
        q.communes.has_value(), ArrayLiteral(q.communes.value_or(std::vector<std::string>{})),
        q.as_of ? FormatDate(*q.as_of) : "", q.name_query, q.after_id, q.limit, q.exact_name);
    for (const auto& r : rows) out.push_back(FromRow(r));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Village> GetVillage(db::Pool* pool, const std::string& id) {
  return pool->Fetch<v1::Village>([&](transaction_base& tx, v1::Village& out) -> absl::Status {
    LNOB_ASSIGN_OR_RETURN(out, Load(tx, id, false));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Village> SucceedVillages(db::Pool* pool, const std::vector<std::string>& old_ids,
                                            const v1::Village& created, const std::string& kind,
                                            const std::string& etag, const std::string& actor) {
  return pool->Write<v1::Village>([&](transaction_base& tx, v1::Village& out) -> absl::Status {
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.villages:' || $1))", created.commune_code());
    const absl::CivilDay eff(created.valid_from().year(), created.valid_from().month(), created.valid_from().day());
    std::string last_to;
    for (size_t i = 0; i < old_ids.size(); ++i) {
      const std::string field = kind == "RENAMED" ? "name" : absl::StrCat("villages[", i, "]");
      LNOB_ASSIGN_OR_RETURN(v1::Village old, Load(tx, old_ids[i], true));
      if (old.commune_code() != created.commune_code()) {
        return InvalidField(field, absl::StrCat("is in commune ", old.commune_code(), ", not ", created.commune_code()));
      }
      const absl::CivilDay from(old.valid_from().year(), old.valid_from().month(), old.valid_from().day());
      if (from >= eff || (api::IsSet(old.valid_to()) && ProtoDateText(old.valid_to()) < FormatDate(eff))) {
        return WithReason(absl::FailedPreconditionError(absl::StrCat(
                              field, ": ", old.name(), " is not in force on the day before ", FormatDate(eff),
                              " (from ", ProtoDateText(old.valid_from()), api::IsSet(old.valid_to()) ? " to " + ProtoDateText(old.valid_to()) : "",
                              ")")),
                          "NOT_IN_FORCE");
      }
      if (!etag.empty()) LNOB_RETURN_IF_ERROR(api::CheckEtagMatches(etag, old.etag()));
      if (api::IsSet(old.valid_to())) last_to = ProtoDateText(old.valid_to());
      tx.exec_params("UPDATE villages SET valid_to = $2::date, version = version + 1 WHERE id = $1::uuid", old_ids[i],
                     FormatDate(eff - 1));
    }
    v1::Village next = created;
    if (kind == "RENAMED" && !last_to.empty()) api::SetProtoDate(last_to, next.mutable_valid_to());
    LNOB_RETURN_IF_ERROR(RefuseTakenName(tx, next, old_ids));
    Insert(tx, next, actor);
    for (const auto& old : old_ids) {
      tx.exec_params(
          "INSERT INTO village_lineage (old_id, new_id, kind, effective_date, legal_doc)"
          " VALUES ($1::uuid, $2::uuid, $3, $4::date, $5)",
          old, next.name().substr(9), kind, FormatDate(eff), next.legal_doc());
    }
    LNOB_ASSIGN_OR_RETURN(out, Load(tx, next.name().substr(9), false));
    return absl::OkStatus();
  });
}

}  // namespace lnob::registry::pg
