#include "services/registry/store/pg_reference_store.h"
#include "services/registry/store/pg_villages.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/api/page_token.h"
#include "common/api/resource_name.h"
#include "common/api/proto_date.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"

namespace lnob::registry {
namespace {

using pqxx::transaction_base;
using db::ArrayLiteral;
using db::ArrayValue;
using db::Str;

std::string D(absl::CivilDay d) { return FormatDate(d); }
std::string OptD(const std::optional<absl::CivilDay>& d) { return d ? FormatDate(*d) : ""; }

v1::UnitType TypeEnum(const std::string& t) {
  if (t == "tỉnh") return v1::UNIT_TYPE_PROVINCE;
  if (t == "thành phố trực thuộc trung ương") return v1::UNIT_TYPE_CENTRAL_CITY;
  if (t == "thành phố") return v1::UNIT_TYPE_CITY;
  if (t == "thị xã") return v1::UNIT_TYPE_TOWN;
  if (t == "huyện") return v1::UNIT_TYPE_DISTRICT;
  if (t == "phường") return v1::UNIT_TYPE_WARD;
  if (t == "xã") return v1::UNIT_TYPE_COMMUNE;
  if (t == "thị trấn") return v1::UNIT_TYPE_TOWNSHIP;
  return v1::UNIT_TYPE_UNSPECIFIED;
}

v1::UnitLevel LevelEnum(const std::string& l) {
  if (l == "province") return v1::UNIT_LEVEL_PROVINCE;
  if (l == "district") return v1::UNIT_LEVEL_DISTRICT;
  if (l == "commune") return v1::UNIT_LEVEL_COMMUNE;
  return v1::UNIT_LEVEL_UNSPECIFIED;
}

constexpr char kUnitColumns[] =
    "u.code, u.name, u.level, u.unit_type, coalesce(u.parent_code, ''), "
    "coalesce(u.valid_from::text, ''), coalesce(u.valid_to::text, ''), u.legal_doc, u.confirmed, "
    "t.area_type";

v1::AdminUnit UnitFromRow(const pqxx::row& r) {
  v1::AdminUnit u;
  u.set_code(Str(r[0]));
  u.set_name("adminUnits/" + u.code());
  u.set_display_name(Str(r[1]));
  u.set_level(LevelEnum(Str(r[2])));
  u.set_type(TypeEnum(Str(r[3])));
  u.set_parent_code(Str(r[4]));
  api::SetProtoDate(Str(r[5]), u.mutable_valid_from());
  api::SetProtoDate(Str(r[6]), u.mutable_valid_to());
  u.set_legal_doc(Str(r[7]));
  u.set_confirmed(r[8].as<bool>());
  u.set_area_type(Str(r[9]) == "URBAN" ? v1::AREA_TYPE_URBAN : v1::AREA_TYPE_RURAL);
  return u;
}

v1::LineageKind KindEnum(const std::string& k) {
  if (k == "merged") return v1::MERGED;
  if (k == "split") return v1::SPLIT;
  if (k == "renamed") return v1::RENAMED;
  if (k == "reparented") return v1::REPARENTED;
  if (k == "abolished") return v1::ABOLISHED;
  if (k == "unchanged") return v1::UNCHANGED;
  return v1::LINEAGE_KIND_UNSPECIFIED;
}

constexpr char kLineageColumns[] =
    "id, old_code, old_name, coalesce(new_code, ''), new_name, kind, effective_date::text, "
    "legal_doc, confirmed";

v1::LineageEvent LineageFromRow(const pqxx::row& r) {
  v1::LineageEvent e;
  e.set_old_code(Str(r[1]));
  e.set_old_name(Str(r[2]));
  e.set_new_code(Str(r[3]));
  e.set_new_name(Str(r[4]));
  e.set_kind(KindEnum(Str(r[5])));
  api::SetProtoDate(Str(r[6]), e.mutable_effective_date());
  e.set_legal_doc(Str(r[7]));
  e.set_confirmed(r[8].as<bool>());
  return e;
}

constexpr char kAcColumns[] =
    "id, unit_code, village_name, region, valid_from::text, coalesce(valid_to::text, ''), "
    "legal_doc, illustrative, note, version, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "coalesce(village_id::text, '')";

v1::AreaClassification AcFromRow(const pqxx::row& r) {
  v1::AreaClassification a;
  a.set_name(absl::StrCat("areaClassifications/", r[0].as<int64_t>()));
  a.set_unit_code(Str(r[1]));
  a.set_village_name(Str(r[2]));
  if (!Str(r[12]).empty()) a.set_village("villages/" + Str(r[12]));
  v1::RegionClass region = v1::REGION_CLASS_UNSPECIFIED;
  v1::RegionClass_Parse(Str(r[3]), &region);
  a.set_region(region);
  api::SetProtoDate(Str(r[4]), a.mutable_valid_from());
  api::SetProtoDate(Str(r[5]), a.mutable_valid_to());
  a.set_legal_doc(Str(r[6]));
  a.set_illustrative(r[7].as<bool>());
  a.set_note(Str(r[8]));
  a.set_etag(api::EtagForVersion(r[9].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[10]), a.mutable_create_time());
  api::SetProtoTimestamp(Str(r[11]), a.mutable_update_time());
  return a;
}

using pg::ProtoDateText;

class PgReferenceStore : public ReferenceStore {
 public:
  explicit PgReferenceStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<v1::AdminUnit> GetUnit(const std::string& code, absl::CivilDay as_of) override {
    return pool_->Fetch<v1::AdminUnit>([&](transaction_base& tx, v1::AdminUnit& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", kUnitColumns,
                                           " FROM admin_units u JOIN unit_type_area_types t"
                                           " ON t.unit_type = u.unit_type"
                                           " WHERE u.code = $1 AND u.validity @> $2::date"),
                              code, D(as_of));
      if (r.empty()) {
        return WithReason(absl::NotFoundError(absl::StrCat("no administrative unit ", code,
                                                           " on ", D(as_of))),
                          "UNIT_NOT_FOUND");
      }
      out = UnitFromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::AdminUnit>> ListUnits(const UnitQuery& q) override {
    return pool_->Fetch<std::vector<v1::AdminUnit>>([&](transaction_base& tx, std::vector<v1::AdminUnit>& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kUnitColumns,
                       " FROM admin_units u JOIN unit_type_area_types t ON t.unit_type = u.unit_type"
                       " WHERE u.validity @> $1::date AND ($2 = '' OR u.parent_code = $2)"
                       " AND ($3 = '' OR u.level = $3) AND u.code > $4"
                       " ORDER BY u.code LIMIT $5"),
          D(q.as_of), q.parent_code, q.level, q.after_code, q.limit);
      for (const auto& row : r) out.push_back(UnitFromRow(row));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::LineageEvent>> LineageOf(const std::string& code, bool as_old,
                                                          absl::CivilDay until) override {
    return pool_->Fetch<std::vector<v1::LineageEvent>>([&](transaction_base& tx, std::vector<v1::LineageEvent>& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kLineageColumns, " FROM unit_lineage_events WHERE ",
                       as_old ? "old_code" : "new_code",
                       " = $1 AND effective_date <= $2::date ORDER BY effective_date, id"),
          code, D(until));
      for (const auto& row : r) out.push_back(LineageFromRow(row));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::LineageEvent>> ListLineage(const std::string& code,
                                                            int64_t after_id, int limit,
                                                            std::vector<int64_t>* ids) override {
    return pool_->Fetch<std::vector<v1::LineageEvent>>([&](transaction_base& tx, std::vector<v1::LineageEvent>& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kLineageColumns,
                       " FROM unit_lineage_events WHERE ($1 = '' OR old_code = $1 OR new_code = $1)"
                       " AND id > $2 ORDER BY id LIMIT $3"),
          code, after_id, limit);
      for (const auto& row : r) {
        out.push_back(LineageFromRow(row));
        ids->push_back(row[0].as<int64_t>());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<bool> IsWithin(const std::string& unit, const std::string& ancestor,
                                absl::CivilDay as_of) override {
    bool within = false;
    absl::Status st = pool_->Read([&](transaction_base& tx) {
      within = tx.exec_params("SELECT unit_within($1, $2, $3::date)", unit, ancestor, D(as_of))[0][0]
                   .as<bool>();
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return within;
  }

  absl::StatusOr<v1::AreaClassification> GetAreaClassification(int64_t id) override {
    return pool_->Fetch<v1::AreaClassification>([&](transaction_base& tx, v1::AreaClassification& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kAcColumns, " FROM area_classifications WHERE id = $1"), id);
      if (r.empty()) {
        return WithReason(absl::NotFoundError(absl::StrCat("areaClassifications/", id, " not found")),
                          "NOT_FOUND");
      }
      out = AcFromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::AreaClassification>> ListAreaClassifications(
      const AreaClassificationQuery& q) override {
    return pool_->Fetch<std::vector<v1::AreaClassification>>([&](transaction_base& tx, std::vector<v1::AreaClassification>& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat(
              "SELECT ", kAcColumns,
              " FROM area_classifications ac"
              " WHERE ($1 = '' OR ac.validity @> $1::date) AND ($2 = '' OR ac.region = $2)"
              " AND ($3 = '' OR ac.unit_code = $3) AND ac.id > $4"
              " AND ($5 OR ac.unit_code = ANY($6::text[]))"
              " ORDER BY ac.id LIMIT $7"),
          OptD(q.as_of), q.region, q.unit_code, q.after_id, !q.units.has_value(),
          ArrayLiteral(q.units.value_or(std::vector<std::string>())), q.limit);
      for (const auto& row : r) out.push_back(AcFromRow(row));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::AreaClassification> CreateAreaClassification(
      const v1::AreaClassification& ac, const std::string& actor,
      const IdempotencyKey& key) override {
    return pool_->Write<v1::AreaClassification>([&](transaction_base& tx, v1::AreaClassification& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto r = tx.exec_params(
            absl::StrCat("INSERT INTO area_classifications (unit_code, village_name, region,"
                         " valid_from, valid_to, legal_doc, illustrative, note, created_by, updated_by, village_id)"
                         " VALUES ($1, $2, $3, $4::date, NULLIF($5, '')::date, $6, $7, $8, $9, $9, NULLIF($10, '')::uuid)"
                         " RETURNING ", kAcColumns),
            ac.unit_code(), ac.village_name(), v1::RegionClass_Name(ac.region()),
            ProtoDateText(ac.valid_from()), ProtoDateText(ac.valid_to()), ac.legal_doc(),
            ac.illustrative(), ac.note(), actor, api::IdOf(ac.village()));
        out = AcFromRow(r[0]);
        tx.exec_params(
            "INSERT INTO refdata_changes (dataset, action, actor, legal_doc, detail)"
            " VALUES ('area_classifications', 'create', $1, $2, $3)",
            actor, ac.legal_doc(), out.name());
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::AreaClassification> UpdateAreaClassification(
      int64_t id, const v1::AreaClassification& ac, const std::vector<std::string>& mask,
      const std::string& etag, const std::string& actor) override {
    return pool_->Write<v1::AreaClassification>([&](transaction_base& tx, v1::AreaClassification& out) -> absl::Status {
      auto cur = tx.exec_params("SELECT version FROM area_classifications WHERE id = $1 FOR UPDATE", id);
      if (cur.empty()) {
        return WithReason(absl::NotFoundError(absl::StrCat("areaClassifications/", id, " not found")),
                          "NOT_FOUND");
      }
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, cur[0][0].as<int64_t>()));
      bool set_to = false, set_doc = false, set_note = false;
      for (const auto& p : mask) {
        set_to |= p == "valid_to";
        set_doc |= p == "legal_doc";
        set_note |= p == "note";
      }
      auto r = tx.exec_params(
          absl::StrCat("UPDATE area_classifications SET"
                       " valid_to = CASE WHEN $2 THEN NULLIF($3, '')::date ELSE valid_to END,"
                       " legal_doc = CASE WHEN $4 THEN $5 ELSE legal_doc END,"
                       " note = CASE WHEN $6 THEN $7 ELSE note END,"
                       " version = version + 1, updated_by = $8, updated_at = now()"
                       " WHERE id = $1 RETURNING ", kAcColumns),
          id, set_to, ProtoDateText(ac.valid_to()), set_doc, ac.legal_doc(), set_note, ac.note(),
          actor);
      out = AcFromRow(r[0]);
      tx.exec_params(
          "INSERT INTO refdata_changes (dataset, action, actor, legal_doc, detail)"
          " VALUES ('area_classifications', 'update', $1, $2, $3)",
          actor, out.legal_doc(), absl::StrCat(out.name(), " fields ", absl::StrJoin(mask, ",")));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::PovertyStandard>> ListStandards() override {
    return pool_->Fetch<std::vector<v1::PovertyStandard>>([&](transaction_base& tx, std::vector<v1::PovertyStandard>& out) -> absl::Status {
      auto r = tx.exec("SELECT id, legal_doc, valid_from::text, valid_to::text,"
                       " min_deprivations_poor, note, scored FROM poverty_standards ORDER BY valid_from");
      for (const auto& row : r) {
        v1::PovertyStandard s;
        s.set_id(Str(row[0]));
        s.set_name("povertyStandards/" + s.id());
        s.set_legal_doc(Str(row[1]));
        api::SetProtoDate(Str(row[2]), s.mutable_valid_from());
        api::SetProtoDate(Str(row[3]), s.mutable_valid_to());
        s.set_min_deprivations_poor(row[4].as<int>());
        s.set_note(Str(row[5]));
        s.set_scored(row[6].as<bool>());
        auto lines = tx.exec_params(
            "SELECT l.area_type, l.income_line_vnd, coalesce(l.middle_income_cap_vnd, 0), l.confirmed,"
            " coalesce(p.max_score, 0), coalesce(p.confirmed, false) FROM poverty_lines l"
            " LEFT JOIN proxy_score_cutoffs p ON p.standard_id = l.standard_id AND p.area_type = l.area_type"
            " WHERE l.standard_id = $1 ORDER BY l.area_type",
            s.id());
        for (const auto& l : lines) {
          auto* pl = s.add_lines();
          pl->set_area_type(Str(l[0]) == "URBAN" ? v1::AREA_TYPE_URBAN : v1::AREA_TYPE_RURAL);
          pl->set_income_line_vnd(l[1].as<int64_t>());
          pl->set_middle_income_cap_vnd(l[2].as<int64_t>());
          pl->set_confirmed(l[3].as<bool>());
          pl->set_proxy_score_cutoff(l[4].as<int>());
          pl->set_proxy_score_confirmed(l[5].as<bool>());
        }
        auto inds = tx.exec_params(
            "SELECT code, dimension, name, threshold, confirmed FROM deprivation_indicators"
            " WHERE standard_id = $1 ORDER BY code",
            s.id());
        for (const auto& i : inds) {
          auto* di = s.add_indicators();
          di->set_code(Str(i[0]));
          di->set_dimension(Str(i[1]));
          di->set_name(Str(i[2]));
          di->set_threshold(Str(i[3]));
          di->set_confirmed(i[4].as<bool>());
        }
        out.push_back(std::move(s));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::EthnicGroup>> ListEthnicGroups() override {
    return pool_->Fetch<std::vector<v1::EthnicGroup>>([&](transaction_base& tx, std::vector<v1::EthnicGroup>& out) -> absl::Status {
      auto r = tx.exec("SELECT code, name, other_names, code_1979, name_variants, code_list"
                       " FROM ethnic_groups ORDER BY code");
      for (const auto& row : r) {
        v1::EthnicGroup g;
        g.set_code(Str(row[0]));
        g.set_name(Str(row[1]));
        for (auto& n : ArrayValue(row[2])) g.add_other_names(n);
        g.set_code_1979(Str(row[3]));
        for (auto& n : ArrayValue(row[4])) g.add_name_variants(n);
        g.set_code_list(Str(row[5]));
        out.push_back(std::move(g));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::ReferenceDataChange>> ListChanges(const std::string& dataset,
                                                                   int64_t after_id,
                                                                   int limit) override {
    return pool_->Fetch<std::vector<v1::ReferenceDataChange>>([&](transaction_base& tx, std::vector<v1::ReferenceDataChange>& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT id, dataset, action, actor, legal_doc, detail,"
          " to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
          " FROM refdata_changes WHERE ($1 = '' OR dataset = $1) AND id > $2 ORDER BY id LIMIT $3",
          dataset, after_id, limit);
      for (const auto& row : r) {
        v1::ReferenceDataChange c;
        c.set_id(row[0].as<int64_t>());
        c.set_dataset(Str(row[1]));
        c.set_action(Str(row[2]));
        c.set_actor(Str(row[3]));
        c.set_legal_doc(Str(row[4]));
        c.set_detail(Str(row[5]));
        api::SetProtoTimestamp(Str(row[6]), c.mutable_change_time());
        out.push_back(std::move(c));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<LoadReport> Load(const RefDataBundle& b, const std::string& actor) override {
    LoadReport rep;
    absl::Status st = pool_->Run([&](transaction_base& tx) -> absl::Status {
      rep = LoadReport();
      tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.registry.refdata'))");
      auto seen = tx.exec_params(
          "SELECT 1 FROM refdata_changes WHERE dataset = 'admin_units+ethnic_groups'"
          " AND action = 'load' AND checksum = $1",
          b.checksum);
      if (!seen.empty()) {
        rep.unchanged = true;
        return absl::OkStatus();
      }
      for (const auto& u : b.units) {
        auto r = tx.exec_params(
            "INSERT INTO admin_units (code, name, level, unit_type, parent_code, valid_from,"
            " valid_to, legal_doc, source, confirmed)"
            " VALUES ($1, normalize($2, NFC), $3, $4, NULLIF($5, ''), NULLIF($6, '')::date,"
            " NULLIF($7, '')::date, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING 1",
            u.code, u.name, u.level, u.unit_type, u.parent_code, OptD(u.valid_from),
            OptD(u.valid_to), u.legal_doc, u.source, u.confirmed);
        rep.units_inserted += r.size();
      }
      for (const auto& e : b.lineage) {
        auto r = tx.exec_params(
            "INSERT INTO unit_lineage_events (old_code, old_name, new_code, new_name, kind,"
            " effective_date, legal_doc, confirmed)"
            " VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6::date, $7, $8)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            e.old_code, e.old_name, e.new_code, e.new_name, e.kind, D(e.effective_date),
            e.legal_doc, e.confirmed);
        rep.lineage_inserted += r.size();
      }
      for (const auto& g : b.ethnic_groups) {
        auto r = tx.exec_params(
            "INSERT INTO ethnic_groups (code, name, other_names, code_1979, name_variants)"
            " VALUES ($1, $2, $3::text[], $4, $5::text[]) ON CONFLICT DO NOTHING RETURNING 1",
            g.code, g.name, ArrayLiteral(g.other_names), g.code_1979, ArrayLiteral(g.name_variants));
        rep.ethnic_groups_inserted += r.size();
      }
      tx.exec_params(
          "INSERT INTO refdata_changes (dataset, action, actor, legal_doc, detail, checksum)"
          " VALUES ('admin_units+ethnic_groups', 'load', $1,"
          " 'NQ 1662/NQ-UBTVQH15; NQ 202/2025/QH15; QĐ 1019/QĐ-TCTK', $2, $3)",
          actor,
          absl::StrCat("units +", rep.units_inserted, ", lineage +", rep.lineage_inserted,
                       ", ethnic groups +", rep.ethnic_groups_inserted),
          b.checksum);
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return rep;
  }

  absl::StatusOr<std::pair<std::vector<UnitVersion>, std::vector<LineageRow>>> UnitsAndLineage() override {
    return pool_->Fetch<std::pair<std::vector<UnitVersion>, std::vector<LineageRow>>>([&](transaction_base& tx, std::pair<std::vector<UnitVersion>, std::vector<LineageRow>>& out) -> absl::Status {
      out.first.clear();
      out.second.clear();
      for (const auto& r : tx.exec("SELECT u.code, u.name, u.level, u.unit_type, coalesce(u.parent_code, ''),"
                                   " coalesce(u.valid_from::text, ''), coalesce(u.valid_to::text, ''),"
                                   " u.legal_doc, u.confirmed, t.area_type FROM admin_units u"
                                   " JOIN unit_type_area_types t ON t.unit_type = u.unit_type")) {
        UnitVersion u{Str(r[0]), Str(r[1]), Str(r[2]), Str(r[3]), Str(r[4])};
        if (!Str(r[5]).empty()) u.valid_from = *ParseDate(Str(r[5]));
        if (!Str(r[6]).empty()) u.valid_to = *ParseDate(Str(r[6]));
        u.legal_doc = Str(r[7]);
        u.confirmed = r[8].as<bool>();
        u.area_type = Str(r[9]);
        out.first.push_back(std::move(u));
      }
      for (const auto& r : tx.exec("SELECT old_code, old_name, coalesce(new_code, ''), new_name, kind,"
                                   " effective_date::text, legal_doc, confirmed FROM unit_lineage_events")) {
        out.second.push_back({Str(r[0]), Str(r[1]), Str(r[2]), Str(r[3]), Str(r[4]), *ParseDate(Str(r[5])),
                              Str(r[6]), r[7].as<bool>()});
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Village> CreateVillage(const v1::Village& v, const std::string& actor,
                                            const IdempotencyKey& key) override {
    return pg::CreateVillage(pool_, v, actor, key);
  }
  absl::StatusOr<std::vector<v1::Village>> ListVillages(const VillageQuery& q) override {
    return pg::ListVillages(pool_, q);
  }
  absl::StatusOr<v1::Village> GetVillage(const std::string& id) override { return pg::GetVillage(pool_, id); }
  absl::StatusOr<v1::Village> SucceedVillages(const std::vector<std::string>& old_ids, const v1::Village& created,
                                              const std::string& kind, const std::string& etag,
                                              const std::string& actor) override {
    return pg::SucceedVillages(pool_, old_ids, created, kind, etag, actor);
  }

  absl::StatusOr<std::string> FoldName(const std::string& text) override {
    return pool_->Fetch<std::string>([&](transaction_base& tx, std::string& out) -> absl::Status {
      out = Str(tx.exec_params("SELECT fold_name($1)", text)[0][0]);
      return absl::OkStatus();
    });
  }

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<ReferenceStore> NewPgReferenceStore(db::Pool* pool) {
  return std::make_unique<PgReferenceStore>(pool);
}

}  // namespace lnob::registry
