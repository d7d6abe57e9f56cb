#include "services/campaigns/store/pg_campaigns_store.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/db/copy.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/util/date.h"
#include "common/status/status.h"

namespace lnob::campaigns {
namespace {

using db::ArrayLiteral;
using db::ArrayValue;
using db::Str;
using pqxx::transaction_base;

const std::string& CampaignColumns() {
  static const std::string k = absl::StrCat(
      "c.id::text, c.title, c.topics, c.start_date::text, c.end_date::text, c.target_units, c.programme_node,"
      " c.owner_unit, c.status, c.version, c.creator, ",
      db::Rfc3339("c.create_time"), ", c.target_villages");
  return k;
}

const std::string& ActivityColumns() {
  static const std::string k = absl::StrCat(
      "a.id::text, coalesce(a.campaign_id::text, ''), a.activity_type, a.topics, a.start_date::text, a.end_date::text,"
      " a.commune_code, a.village, a.sessions, a.participants_total, a.participants_em, a.participants_women,"
      " a.participants_prestigious, a.outcome, a.version, a.creator, ",
      db::Rfc3339("a.create_time"), ", a.village_ref");
  return k;
}


v1::Campaign CampaignFromRow(const pqxx::row& r) {
  v1::Campaign c;
  c.set_name("campaigns/" + Str(r[0]));
  c.set_title(Str(r[1]));
  for (auto& t : ArrayValue(r[2])) c.add_topics(std::move(t));
  api::SetProtoDate(Str(r[3]), c.mutable_start_date());
  api::SetProtoDate(Str(r[4]), c.mutable_end_date());
  for (auto& u : ArrayValue(r[5])) c.add_target_units(std::move(u));
  c.set_programme_node(Str(r[6]));
  c.set_owner_unit(Str(r[7]));
  v1::Campaign::Status st = v1::Campaign::STATUS_UNSPECIFIED;
  v1::Campaign::Status_Parse(Str(r[8]), &st);
  c.set_status(st);
  c.set_etag(api::EtagForVersion(r[9].as<int64_t>()));
  c.set_creator(Str(r[10]));
  api::SetProtoTimestamp(Str(r[11]), c.mutable_create_time());
  for (auto& v : ArrayValue(r[12])) c.add_target_villages(std::move(v));
  return c;
}

v1::Activity ActivityFromRow(const pqxx::row& r) {
  v1::Activity a;
  a.set_name("activities/" + Str(r[0]));
  if (!Str(r[1]).empty()) a.set_campaign("campaigns/" + Str(r[1]));
  a.set_activity_type(Str(r[2]));
  for (auto& t : ArrayValue(r[3])) a.add_topics(std::move(t));
  api::SetProtoDate(Str(r[4]), a.mutable_start_date());
  api::SetProtoDate(Str(r[5]), a.mutable_end_date());
  a.set_commune_code(Str(r[6]));
  a.set_village(Str(r[7]));
  a.set_sessions(r[8].as<int>());
  a.set_participants_total(r[9].as<int64_t>());
  a.set_participants_ethnic_minority(r[10].as<int64_t>());
  a.set_participants_women(r[11].as<int64_t>());
  a.set_participants_prestigious(r[12].as<int64_t>());
  a.set_outcome(Str(r[13]));
  a.set_etag(api::EtagForVersion(r[14].as<int64_t>()));
  a.set_creator(Str(r[15]));
  api::SetProtoTimestamp(Str(r[16]), a.mutable_create_time());
  a.set_village_ref(Str(r[17]));
  return a;
}

// Budget lines of campaigns (table campaign_budget) or activities (activity_spent), by id.
template <typename Msg, typename Add>
void LoadBudget(transaction_base& tx, const std::string& table, const std::string& key,
                const std::vector<Msg*>& items, Add add) {
  if (items.empty()) return;
  std::map<std::string, Msg*> by_id;
  std::vector<std::string> ids;
  for (Msg* m : items) {
    ids.push_back(api::IdOf(m->name()));
    by_id[ids.back()] = m;
  }
  for (const auto& row : tx.exec_params(absl::StrCat("SELECT ", key, "::text, source, node_code, amount FROM ", table,
                                                     " WHERE ", key, " = ANY($1::uuid[]) ORDER BY ", key, ", line_no"),
                                        ArrayLiteral(ids))) {
    v1::BudgetLine* b = add(by_id[Str(row[0])]);
    b->set_source(Str(row[1]));
    b->set_node_code(Str(row[2]));
    b->set_amount_vnd(row[3].as<int64_t>());
  }
}

void LoadReach(transaction_base& tx, const std::vector<v1::Activity*>& items) {
  if (items.empty()) return;
  std::map<std::string, v1::Activity*> by_id;
  std::vector<std::string> ids;
  for (v1::Activity* a : items) {
    ids.push_back(api::IdOf(a->name()));
    by_id[ids.back()] = a;
  }
  for (const auto& row : tx.exec_params(
           "SELECT activity_id::text, kind, code, participants FROM activity_reach"
           " WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id, kind, code",
           ArrayLiteral(ids))) {
    v1::Activity* a = by_id[Str(row[0])];
    v1::ParticipantCount* p = Str(row[1]) == "LANGUAGE" ? a->add_by_language() : a->add_by_ethnic_group();
    p->set_code(Str(row[2]));
    p->set_participants(row[3].as<int64_t>());
  }
  for (const auto& row : tx.exec_params(
           "SELECT activity_id::text, ethnic_group, language, participants FROM activity_reach_cells"
           " WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id, ethnic_group, language",
           ArrayLiteral(ids))) {
    v1::ReachCell* c = by_id[Str(row[0])]->add_by_ethnic_group_language();
    c->set_ethnic_group(Str(row[1]));
    c->set_language(Str(row[2]));
    c->set_participants(row[3].as<int64_t>());
  }
  for (const auto& row : tx.exec_params(
           "SELECT activity_id::text, person_id::text, role FROM activity_persons"
           " WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id, person_id",
           ArrayLiteral(ids))) {
    v1::ActivityPerson* p = by_id[Str(row[0])]->add_persons();
    p->set_person("persons/" + Str(row[1]));
    v1::ActivityPerson::Role role = v1::ActivityPerson::ROLE_UNSPECIFIED;
    v1::ActivityPerson::Role_Parse(Str(row[2]), &role);
    p->set_role(role);
  }
  for (const auto& row : tx.exec_params(
           "SELECT activity_id::text, kind, count, language FROM activity_materials"
           " WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id, line_no",
           ArrayLiteral(ids))) {
    v1::Material* m = by_id[Str(row[0])]->add_materials();
    m->set_kind(Str(row[1]));
    m->set_count(row[2].as<int64_t>());
    m->set_language(Str(row[3]));
  }
  for (const auto& row : tx.exec_params(
           "SELECT activity_id::text, kind, count, value FROM activity_equipment"
           " WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id, line_no",
           ArrayLiteral(ids))) {
    v1::Equipment* e = by_id[Str(row[0])]->add_equipment();
    e->set_kind(Str(row[1]));
    e->set_count(row[2].as<int64_t>());
    e->set_value_vnd(row[3].as<int64_t>());
  }
  for (const auto& row : tx.exec_params(
           "SELECT activity_id::text, file_name, media_type, size_bytes, sha256, location FROM activity_attachments"
           " WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id, line_no",
           ArrayLiteral(ids))) {
    v1::Attachment* f = by_id[Str(row[0])]->add_attachments();
    f->set_file_name(Str(row[1]));
    f->set_media_type(Str(row[2]));
    f->set_size_bytes(row[3].as<int64_t>());
    f->set_sha256(Str(row[4]));
    f->set_location(Str(row[5]));
  }
  for (const auto& row : tx.exec_params(
           "SELECT activity_id::text, attendee FROM activity_attendees WHERE activity_id = ANY($1::uuid[])"
           " ORDER BY activity_id, attendee",
           ArrayLiteral(ids))) {
    by_id[Str(row[0])]->add_attendees(Str(row[1]));
  }
  LoadBudget(tx, "activity_spent", "activity_id", items, [](v1::Activity* a) { return a->add_spent(); });
  LoadBudget(tx, "activity_allocated", "activity_id", items, [](v1::Activity* a) { return a->add_allocated(); });
}

// Materials, equipment, attachments and attendance lists of these activities, one statement
// per table.
void InsertExtras(transaction_base& tx, const std::vector<const v1::Activity*>& acts) {
  {
    std::vector<std::string> ids, nos, sources, nodes, amounts;
    for (const auto* a : acts) {
      for (int i = 0; i < a->allocated_size(); ++i) {
        ids.push_back(api::IdOf(a->name()));
        nos.push_back(absl::StrCat(i + 1));
        sources.push_back(a->allocated(i).source());
        nodes.push_back(a->allocated(i).node_code());
        amounts.push_back(absl::StrCat(a->allocated(i).amount_vnd()));
      }
    }
    if (!ids.empty()) {
      tx.exec_params("INSERT INTO activity_allocated (activity_id, line_no, source, node_code, amount)"
                     " SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::bigint[])",
                     ArrayLiteral(ids), ArrayLiteral(nos), ArrayLiteral(sources), ArrayLiteral(nodes),
                     ArrayLiteral(amounts));
    }
  }
  {
    std::vector<std::string> ids, who;
    for (const auto* a : acts) {
      for (const auto& x : a->attendees()) {
        ids.push_back(api::IdOf(a->name()));
        who.push_back(x);
      }
    }
    if (!ids.empty()) {
      tx.exec_params("INSERT INTO activity_attendees (activity_id, attendee) SELECT * FROM unnest($1::uuid[], $2::text[])",
                     ArrayLiteral(ids), ArrayLiteral(who));
    }
  }
  std::vector<std::string> ids, nos, kinds, counts, langs;
  for (const auto* a : acts) {
    for (int i = 0; i < a->materials_size(); ++i) {
      ids.push_back(api::IdOf(a->name()));
      nos.push_back(absl::StrCat(i + 1));
      kinds.push_back(a->materials(i).kind());
      counts.push_back(absl::StrCat(a->materials(i).count()));
      langs.push_back(a->materials(i).language());
    }
  }
  if (!ids.empty()) {
    tx.exec_params("INSERT INTO activity_materials (activity_id, line_no, kind, count, language)"
                   " SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::text[])",
                   ArrayLiteral(ids), ArrayLiteral(nos), ArrayLiteral(kinds), ArrayLiteral(counts), ArrayLiteral(langs));
  }
  ids.clear(), nos.clear(), kinds.clear(), counts.clear();
  std::vector<std::string> values;
  for (const auto* a : acts) {
    for (int i = 0; i < a->equipment_size(); ++i) {
      ids.push_back(api::IdOf(a->name()));
      nos.push_back(absl::StrCat(i + 1));
      kinds.push_back(a->equipment(i).kind());
      counts.push_back(absl::StrCat(a->equipment(i).count()));
      values.push_back(absl::StrCat(a->equipment(i).value_vnd()));
    }
  }
  if (!ids.empty()) {
    tx.exec_params("INSERT INTO activity_equipment (activity_id, line_no, kind, count, value)"
                   " SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::bigint[])",
                   ArrayLiteral(ids), ArrayLiteral(nos), ArrayLiteral(kinds), ArrayLiteral(counts),
                   ArrayLiteral(values));
  }
  ids.clear(), nos.clear();
  std::vector<std::string> names, types, sizes, hashes, places;
  for (const auto* a : acts) {
    for (int i = 0; i < a->attachments_size(); ++i) {
      const auto& f = a->attachments(i);
      ids.push_back(api::IdOf(a->name()));
      nos.push_back(absl::StrCat(i + 1));
      names.push_back(f.file_name());
      types.push_back(f.media_type());
      sizes.push_back(absl::StrCat(f.size_bytes()));
      hashes.push_back(f.sha256());
      places.push_back(f.location());
    }
  }
  if (!ids.empty()) {
    tx.exec_params("INSERT INTO activity_attachments (activity_id, line_no, file_name, media_type, size_bytes, sha256,"
                   " location) SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::bigint[],"
                   " $6::text[], $7::text[])",
                   ArrayLiteral(ids), ArrayLiteral(nos), ArrayLiteral(names), ArrayLiteral(types), ArrayLiteral(sizes),
                   ArrayLiteral(hashes), ArrayLiteral(places));
  }
}

absl::StatusOr<v1::Campaign> LoadCampaign(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", CampaignColumns(), " FROM campaigns c WHERE c.id = $1::uuid"), id);
  if (r.empty()) return api::NotFound("campaigns/" + id);
  v1::Campaign c = CampaignFromRow(r[0]);
  LoadBudget(tx, "campaign_budget", "campaign_id", std::vector<v1::Campaign*>{&c},
             [](v1::Campaign* x) { return x->add_planned_budget(); });
  return c;
}

absl::StatusOr<v1::Activity> LoadActivity(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", ActivityColumns(), " FROM activities a WHERE a.id = $1::uuid"), id);
  if (r.empty()) return api::NotFound("activities/" + id);
  v1::Activity a = ActivityFromRow(r[0]);
  LoadReach(tx, {&a});
  return a;
}

void InsertBudget(transaction_base& tx, const std::string& table, const std::string& key, const std::string& id,
                  const google::protobuf::RepeatedPtrField<v1::BudgetLine>& lines) {
  for (int i = 0; i < lines.size(); ++i) {
    tx.exec_params(absl::StrCat("INSERT INTO ", table, " (", key,
                                ", line_no, source, node_code, amount) VALUES ($1::uuid, $2, $3, $4, $5)"),
                   id, i + 1, lines[i].source(), lines[i].node_code(), lines[i].amount_vnd());
  }
}

class PgCampaignsStore final : public CampaignsStore {
 public:
  explicit PgCampaignsStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::Language>> ListLanguages() override {
    using Out = std::vector<v1::Language>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec("SELECT code, display_name, iso_639_3, script, ethnic_group, unconfirmed, note"
                                   " FROM languages ORDER BY code")) {
        v1::Language l;
        l.set_code(Str(r[0]));
        l.set_display_name(Str(r[1]));
        l.set_iso_639_3(Str(r[2]));
        l.set_script(Str(r[3]));
        l.set_ethnic_group(Str(r[4]));
        l.set_unconfirmed(r[5].as<bool>());
        l.set_note(Str(r[6]));
        out.push_back(std::move(l));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::ActivityType>> ListActivityTypes() override {
    using Out = std::vector<v1::ActivityType>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec("SELECT code, display_name, legal_doc, unconfirmed FROM activity_types ORDER BY code")) {
        v1::ActivityType t;
        t.set_code(Str(r[0]));
        t.set_display_name(Str(r[1]));
        t.set_legal_doc(Str(r[2]));
        t.set_unconfirmed(r[3].as<bool>());
        out.push_back(std::move(t));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Campaign> CreateCampaign(const v1::Campaign& c, const std::string& creator,
                                              const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Campaign>([&](transaction_base& tx, v1::Campaign& out) {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = api::IdOf(c.name());
        std::vector<std::string> topics(c.topics().begin(), c.topics().end());
        std::vector<std::string> units(c.target_units().begin(), c.target_units().end());
        std::vector<std::string> villages(c.target_villages().begin(), c.target_villages().end());
        tx.exec_params(
            "INSERT INTO campaigns (id, title, topics, start_date, end_date, target_units, programme_node, owner_unit,"
            " status, creator, target_villages) VALUES ($1::uuid, $2, $3::text[], $4::date, $5::date, $6::text[], $7, $8,"
            " $9, $10, $11::text[])",
            id, c.title(), ArrayLiteral(topics), api::ProtoDateText(c.start_date()), api::ProtoDateText(c.end_date()), ArrayLiteral(units),
            c.programme_node(), c.owner_unit(), v1::Campaign::Status_Name(c.status()), creator, ArrayLiteral(villages));
        InsertBudget(tx, "campaign_budget", "campaign_id", id, c.planned_budget());
        LNOB_ASSIGN_OR_RETURN(out, LoadCampaign(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Campaign> SetCampaignStatus(const std::string& id, const std::string& etag,
                                                 v1::Campaign::Status status, const db::IdempotencyKey& key,
                                                 const CampaignCheck& check) override {
    return pool_->Write<v1::Campaign>([&](transaction_base& tx, v1::Campaign& out) {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto cur = tx.exec_params("SELECT version FROM campaigns WHERE id = $1::uuid FOR UPDATE", id);
        if (cur.empty()) return api::NotFound("campaigns/" + id);
        LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, cur[0][0].as<int64_t>()));
        LNOB_ASSIGN_OR_RETURN(v1::Campaign now, LoadCampaign(tx, id));
        LNOB_RETURN_IF_ERROR(check(now));
        tx.exec_params("UPDATE campaigns SET status = $2, version = version + 1 WHERE id = $1::uuid", id,
                       v1::Campaign::Status_Name(status));
        LNOB_ASSIGN_OR_RETURN(out, LoadCampaign(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Campaign> GetCampaign(const std::string& id) override {
    return pool_->Fetch<v1::Campaign>([&](transaction_base& tx, v1::Campaign& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, LoadCampaign(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Campaign>> ListCampaigns(const std::string& after_id, int limit) override {
    using Out = std::vector<v1::Campaign>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(absl::StrCat("SELECT ", CampaignColumns(), " FROM campaigns c"
                                                       " WHERE ($1 = '' OR c.id > $1::uuid) ORDER BY c.id LIMIT $2"),
                                          after_id, limit)) {
        out.push_back(CampaignFromRow(r));
      }
      std::vector<v1::Campaign*> ptrs;
      for (auto& c : out) ptrs.push_back(&c);
      LoadBudget(tx, "campaign_budget", "campaign_id", ptrs, [](v1::Campaign* x) { return x->add_planned_budget(); });
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Activity> CreateActivity(const v1::Activity& a, const std::string& creator,
                                              const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Activity>([&](transaction_base& tx, v1::Activity& out) {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = api::IdOf(a.name());
        std::vector<std::string> topics(a.topics().begin(), a.topics().end());
        tx.exec_params(
            "INSERT INTO activities (id, campaign_id, activity_type, topics, start_date, end_date, commune_code, village,"
            " sessions, participants_total, participants_em, participants_women, participants_prestigious, outcome,"
            " creator, village_ref) VALUES ($1::uuid, NULLIF($2, '')::uuid, $3, $4::text[], $5::date, $6::date, $7, $8, $9,"
            " $10, $11, $12, $13, $14, $15, $16)",
            id, api::IdOf(a.campaign()), a.activity_type(), ArrayLiteral(topics), api::ProtoDateText(a.start_date()),
            api::ProtoDateText(a.end_date()), a.commune_code(), a.village(), a.sessions(), a.participants_total(),
            a.participants_ethnic_minority(), a.participants_women(), a.participants_prestigious(), a.outcome(),
            creator, a.village_ref());
        std::vector<std::string> kinds, codes, counts;
        for (const auto& p : a.by_ethnic_group()) {
          kinds.push_back("ETHNIC_GROUP");
          codes.push_back(p.code());
          counts.push_back(absl::StrCat(p.participants()));
        }
        for (const auto& p : a.by_language()) {
          kinds.push_back("LANGUAGE");
          codes.push_back(p.code());
          counts.push_back(absl::StrCat(p.participants()));
        }
        if (!kinds.empty()) {
          tx.exec_params(
              "INSERT INTO activity_reach (activity_id, kind, code, participants)"
              " SELECT $1::uuid, * FROM unnest($2::text[], $3::text[], $4::bigint[])",
              id, ArrayLiteral(kinds), ArrayLiteral(codes), ArrayLiteral(counts));
        }
        if (!a.by_ethnic_group_language().empty()) {
          std::vector<std::string> groups, langs, ns;
          for (const auto& c : a.by_ethnic_group_language()) {
            groups.push_back(c.ethnic_group());
            langs.push_back(c.language());
            ns.push_back(absl::StrCat(c.participants()));
          }
          tx.exec_params(
              "INSERT INTO activity_reach_cells (activity_id, ethnic_group, language, participants)"
              " SELECT $1::uuid, * FROM unnest($2::text[], $3::text[], $4::bigint[])",
              id, ArrayLiteral(groups), ArrayLiteral(langs), ArrayLiteral(ns));
        }
        InsertBudget(tx, "activity_spent", "activity_id", id, a.spent());
        InsertExtras(tx, {&a});
        if (!a.persons().empty()) {
          std::vector<std::string> people, roles;
          for (const auto& p : a.persons()) {
            people.push_back(api::IdOf(p.person()));
            roles.push_back(v1::ActivityPerson::Role_Name(p.role()));
          }
          tx.exec_params(
              "INSERT INTO activity_persons (activity_id, person_id, role)"
              " SELECT $1::uuid, * FROM unnest($2::uuid[], $3::text[])",
              id, ArrayLiteral(people), ArrayLiteral(roles));
        }
        tx.exec_params("SELECT campaigns_aggregate(ARRAY[$1::uuid]), campaigns_aggregate_topics(ARRAY[$1::uuid])", id);
        LNOB_ASSIGN_OR_RETURN(out, LoadActivity(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<ImportOutcome> ImportBatch(const std::string& import_id, const std::string& actor,
                                            const std::vector<ImportRow>& rows) override {
    return pool_->Write<ImportOutcome>([&](transaction_base& tx, ImportOutcome& out) -> absl::Status {
      tx.exec_params("INSERT INTO imports (id, actor) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING", import_id, actor);
      LNOB_RETURN_IF_ERROR(db::ImportBelongsTo(tx, import_id, actor, "actor"));
      std::vector<std::string> numbers;
      for (const auto& r : rows) numbers.push_back(absl::StrCat(r.row_number));
      std::set<int64_t> done;
      for (const auto& row : tx.exec_params("SELECT row_number FROM import_rows WHERE import_id = $1::uuid"
                                            " AND row_number = ANY($2::bigint[])",
                                            import_id, ArrayLiteral(numbers))) {
        done.insert(row[0].as<int64_t>());
      }
      std::vector<const ImportRow*> todo;
      for (const auto& r : rows) {
        if (done.count(r.row_number)) {
          ++out.already_done;
        } else {
          todo.push_back(&r);
        }
      }
      if (todo.empty()) return absl::OkStatus();
      // Activities first (the breakdowns refer to them), then each child table, one COPY each.
      {
        db::CopyWriter w(tx, "activities",
                         {"id", "campaign_id", "activity_type", "topics", "start_date", "end_date", "commune_code",
                          "village", "sessions", "participants_total", "participants_em", "participants_women",
                          "participants_prestigious", "outcome", "creator", "village_ref"});
        std::string line;
        for (const ImportRow* r : todo) {
          const v1::Activity& a = r->activity;
          line.clear();
          db::CopyField(&line, api::IdOf(a.name()));
          db::CopyOpt(&line, api::IdOf(a.campaign()));
          db::CopyField(&line, a.activity_type());
          db::CopyField(&line, ArrayLiteral(std::vector<std::string>(a.topics().begin(), a.topics().end())));
          db::CopyField(&line, api::ProtoDateText(a.start_date()));
          db::CopyField(&line, api::ProtoDateText(a.end_date()));
          db::CopyField(&line, a.commune_code());
          db::CopyField(&line, a.village());
          db::CopyField(&line, absl::StrCat(a.sessions()));
          db::CopyField(&line, absl::StrCat(a.participants_total()));
          db::CopyField(&line, absl::StrCat(a.participants_ethnic_minority()));
          db::CopyField(&line, absl::StrCat(a.participants_women()));
          db::CopyField(&line, absl::StrCat(a.participants_prestigious()));
          db::CopyField(&line, a.outcome());
          db::CopyField(&line, actor);
          db::CopyField(&line, a.village_ref());
          w.WriteLine(line);
        }
        w.Complete();
      }
      {
        db::CopyWriter w(tx, "activity_reach", {"activity_id", "kind", "code", "participants"});
        std::string line;
        for (const ImportRow* r : todo) {
          const std::string id = api::IdOf(r->activity.name());
          for (const auto& [kind, counts] : {std::make_pair("ETHNIC_GROUP", &r->activity.by_ethnic_group()),
                                             std::make_pair("LANGUAGE", &r->activity.by_language())}) {
            for (const auto& p : *counts) {
              line.clear();
              db::CopyField(&line, id);
              db::CopyField(&line, kind);
              db::CopyField(&line, p.code());
              db::CopyField(&line, absl::StrCat(p.participants()));
              w.WriteLine(line);
            }
          }
        }
        w.Complete();
      }
      {
        db::CopyWriter w(tx, "activity_reach_cells", {"activity_id", "ethnic_group", "language", "participants"});
        std::string line;
        for (const ImportRow* r : todo) {
          for (const auto& c : r->activity.by_ethnic_group_language()) {
            line.clear();
            db::CopyField(&line, api::IdOf(r->activity.name()));
            db::CopyField(&line, c.ethnic_group());
            db::CopyField(&line, c.language());
            db::CopyField(&line, absl::StrCat(c.participants()));
            w.WriteLine(line);
          }
        }
        w.Complete();
      }
      {
        db::CopyWriter w(tx, "activity_spent", {"activity_id", "line_no", "source", "node_code", "amount"});
        std::string line;
        for (const ImportRow* r : todo) {
          for (int i = 0; i < r->activity.spent_size(); ++i) {
            const auto& b = r->activity.spent(i);
            line.clear();
            db::CopyField(&line, api::IdOf(r->activity.name()));
            db::CopyField(&line, absl::StrCat(i + 1));
            db::CopyField(&line, b.source());
            db::CopyField(&line, b.node_code());
            db::CopyField(&line, absl::StrCat(b.amount_vnd()));
            w.WriteLine(line);
          }
        }
        w.Complete();
      }
      std::vector<const v1::Activity*> acts;
      for (const ImportRow* r : todo) acts.push_back(&r->activity);
      InsertExtras(tx, acts);
      std::vector<std::string> ids, committed;
      for (const ImportRow* r : todo) {
        ids.push_back(api::IdOf(r->activity.name()));
        committed.push_back(absl::StrCat(r->row_number));
      }
      tx.exec_params(
          "INSERT INTO import_rows (import_id, row_number, activity_id)"
          " SELECT $1::uuid, * FROM unnest($2::bigint[], $3::uuid[])",
          import_id, ArrayLiteral(committed), ArrayLiteral(ids));
      tx.exec_params("SELECT campaigns_aggregate($1::uuid[]), campaigns_aggregate_topics($1::uuid[])", ArrayLiteral(ids));
      out.committed = static_cast<int64_t>(todo.size());
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Activity> GetActivity(const std::string& id) override {
    return pool_->Fetch<v1::Activity>([&](transaction_base& tx, v1::Activity& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, LoadActivity(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<std::optional<v1::Activity>>> BatchGetActivities(
      const std::vector<std::string>& ids) override {
    using Out = std::vector<std::optional<v1::Activity>>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      std::map<std::string, v1::Activity> found;
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", ActivityColumns(), " FROM activities a WHERE a.id = ANY($1::uuid[])"),
               ArrayLiteral(ids))) {
        v1::Activity a = ActivityFromRow(r);
        std::string id(api::IdOf(a.name()));
        found.emplace(std::move(id), std::move(a));
      }
      std::vector<v1::Activity*> ptrs;
      for (auto& [id, a] : found) ptrs.push_back(&a);
      LoadReach(tx, ptrs);
      out.reserve(ids.size());
      for (const auto& id : ids) {
        auto it = found.find(id);
        out.push_back(it == found.end() ? std::nullopt : std::optional<v1::Activity>(it->second));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Activity>> ListActivities(const ActivityQuery& q) override {
    using Out = std::vector<v1::Activity>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", ActivityColumns(),
                            " FROM activities a WHERE ($1 = '' OR a.campaign_id = $1::uuid)"
                            " AND ($2 = false OR a.commune_code = ANY($3::text[]))"
                            " AND ($4 = '' OR a.id > $4::uuid) ORDER BY a.id LIMIT $5"),
               q.campaign_id, q.communes.has_value(), ArrayLiteral(q.communes.value_or(std::vector<std::string>{})),
               q.after_id, q.limit)) {
        out.push_back(ActivityFromRow(r));
      }
      std::vector<v1::Activity*> ptrs;
      for (auto& a : out) ptrs.push_back(&a);
      LoadReach(tx, ptrs);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::ReachRow>> Reach(const ReachQuery& q, v1::ReachRow* totals) override {
    using Out = std::vector<v1::ReachRow>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // From reach_agg (migration 005): the province's rollup rows ('') unless communes are
      // asked for or restricted. Periods are whole months.
      const bool by_group = q.breakdown == "ETHNIC_GROUP" || q.breakdown == "BOTH";
      const bool by_language = q.breakdown == "LANGUAGE" || q.breakdown == "BOTH";
      const std::string where = absl::StrCat(
          " FROM reach_agg WHERE month BETWEEN date_trunc('month', $1::date)::date AND $2::date AND ",
          q.communes ? "commune_code = ANY($3::text[])"
                     : (q.by_commune ? "commune_code <> '' AND $3::text[] IS NOT NULL"
                                     : "commune_code = '' AND $3::text[] IS NOT NULL"));
      const std::string communes = ArrayLiteral(q.communes.value_or(std::vector<std::string>{}));
      auto total = tx.exec_params(absl::StrCat("SELECT coalesce(sum(activities), 0)::bigint,"
                                               " coalesce(sum(attendances), 0)::bigint",
                                               where, " AND ethnic_group = '*' AND language = '*'"),
                                  q.first, q.last, communes);
      totals->set_activities(total[0][0].as<int64_t>());
      totals->set_attendances(total[0][1].as<int64_t>());
      if (q.by_topic) {  // from topic_agg (migration 012); no ethnic or language breakdown there
        const std::string topics = absl::StrCat(
            "SELECT ", q.by_commune ? "commune_code" : "''", ", ", q.by_type ? "activity_type" : "''",
            ", topic, sum(activities)::bigint, sum(attendances)::bigint FROM topic_agg",
            " WHERE month BETWEEN date_trunc('month', $1::date)::date AND $2::date AND ",
            q.communes ? "commune_code = ANY($3::text[])"
                       : (q.by_commune ? "commune_code <> '' AND $3::text[] IS NOT NULL"
                                       : "commune_code = '' AND $3::text[] IS NOT NULL"),
            " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        for (const auto& r : tx.exec_params(topics, q.first, q.last, communes)) {
          v1::ReachRow row;
          row.set_commune_code(Str(r[0]));
          row.set_activity_type(Str(r[1]));
          row.set_topic(Str(r[2]));
          row.set_activities(r[3].as<int64_t>());
          row.set_attendances(r[4].as<int64_t>());
          out.push_back(std::move(row));
        }
        return absl::OkStatus();
      }
      const std::string sql = absl::StrCat(
          "SELECT ", q.by_commune ? "commune_code" : "''", ", ", q.by_type ? "activity_type" : "''", ", ",
          by_group ? "ethnic_group" : (by_language ? "language" : "''"), ", ",
          by_group && by_language ? "language" : "''",
          ", sum(activities)::bigint, sum(attendances)::bigint", where,
          by_group ? " AND ethnic_group <> '*'" : " AND ethnic_group = '*'",
          by_language ? " AND language <> '*'" : " AND language = '*'", " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
      for (const auto& r : tx.exec_params(sql, q.first, q.last, communes)) {
        v1::ReachRow row;
        row.set_commune_code(Str(r[0]));
        row.set_activity_type(Str(r[1]));
        row.set_code(Str(r[2]));
        row.set_language(Str(r[3]));
        row.set_activities(r[4].as<int64_t>());
        row.set_attendances(r[5].as<int64_t>());
        out.push_back(std::move(row));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<UniqueReach> Unique(const std::string& first, const std::string& last,
                                     const std::optional<std::vector<std::string>>& communes) override {
    return pool_->Fetch<UniqueReach>([&](transaction_base& tx, UniqueReach& out) -> absl::Status {
      auto r = tx.exec_params(
          "WITH a AS (SELECT a.id, a.participants_total FROM activities a"
          "   WHERE a.start_date BETWEEN $1::date AND $2::date AND ($3 = false OR a.commune_code = ANY($4::text[]))"
          "     AND EXISTS (SELECT 1 FROM activity_attendees x WHERE x.activity_id = a.id))"
          " SELECT (SELECT count(DISTINCT x.person_key) FROM activity_attendees x JOIN a ON a.id = x.activity_id)::bigint,"
          "        (SELECT count(*) FROM a)::bigint, (SELECT coalesce(sum(participants_total), 0) FROM a)::bigint",
          first, last, communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})));
      out.people = r[0][0].as<int64_t>();
      out.activities = r[0][1].as<int64_t>();
      out.attendances = r[0][2].as<int64_t>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Covered> CoveredPlaces(const std::string& first, const std::string& last,
                                        const std::optional<std::vector<std::string>>& communes) override {
    return pool_->Fetch<Covered>([&](transaction_base& tx, Covered& out) -> absl::Status {
      // From place_agg (migration 005); periods are whole months.
      for (const auto& r : tx.exec_params(
               "SELECT DISTINCT commune_code, village_ref FROM place_agg"
               " WHERE month BETWEEN date_trunc('month', $1::date)::date AND $2::date"
               " AND ($3 = false OR commune_code = ANY($4::text[]))",
               first, last, communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})))) {
        out.communes.insert(Str(r[0]));
        if (!Str(r[1]).empty()) out.villages.insert(Str(r[1]));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::SpendingRow>> Spending(
      const std::string& first, const std::string& last, const std::optional<std::vector<std::string>>& owners,
      const std::optional<std::vector<std::string>>& communes) override {
    using Out = std::vector<v1::SpendingRow>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               "SELECT node, src, sum(p)::bigint, sum(a)::bigint, sum(e)::bigint, sum(al)::bigint FROM ("
               "  SELECT b.node_code AS node, b.source AS src, b.amount AS p, 0 AS a, 0 AS e, 0 AS al"
               "    FROM campaign_budget b JOIN campaigns c ON c.id = b.campaign_id"
               "   WHERE c.start_date BETWEEN $1::date AND $2::date AND ($3 = false OR c.owner_unit = ANY($4::text[]))"
               "  UNION ALL"
               "  SELECT s.node_code, s.source, 0, s.amount, 0, 0 FROM activity_spent s JOIN activities x ON x.id = s.activity_id"
               "   WHERE x.start_date BETWEEN $1::date AND $2::date AND ($5 = false OR x.commune_code = ANY($6::text[]))"
               "  UNION ALL"
               "  SELECT s.node_code, s.source, 0, 0, 0, s.amount FROM activity_allocated s"
               "    JOIN activities x ON x.id = s.activity_id"
               "   WHERE x.start_date BETWEEN $1::date AND $2::date AND ($5 = false OR x.commune_code = ANY($6::text[]))"
               "  UNION ALL"
               "  SELECT e.node_code, e.source, 0, 0, e.amount, 0 FROM support_events e"
               "   WHERE e.event_date BETWEEN $1::date AND $2::date AND ($5 = false OR e.commune_code = ANY($6::text[]))"
               "     AND e.amount > 0) t GROUP BY 1, 2 ORDER BY 1, 2",
               first, last, owners.has_value(), ArrayLiteral(owners.value_or(std::vector<std::string>{})),
               communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})))) {
        v1::SpendingRow row;
        row.set_node_code(Str(r[0]));
        row.set_source(Str(r[1]));
        row.set_planned_vnd(r[2].as<int64_t>());
        row.set_activities_vnd(r[3].as<int64_t>());
        row.set_support_events_vnd(r[4].as<int64_t>());
        row.set_allocated_vnd(r[5].as<int64_t>());
        row.set_spent_vnd(row.activities_vnd() + row.support_events_vnd());
        out.push_back(std::move(row));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<PeriodCounts> Counts(const std::string& first, const std::string& last,
                                      const std::optional<std::vector<std::string>>& communes) override {
    return pool_->Fetch<PeriodCounts>([&](transaction_base& tx, PeriodCounts& out) -> absl::Status {
      const std::string list = ArrayLiteral(communes.value_or(std::vector<std::string>{}));
      // From reach_agg's ('*', '*') rows (migration 014): the province's rollup unless
      // communes are restricted. Periods are whole months.
      auto a = tx.exec_params(
          absl::StrCat("SELECT coalesce(sum(women), 0)::bigint, coalesce(sum(ethnic_minority), 0)::bigint FROM reach_agg"
                       " WHERE month BETWEEN date_trunc('month', $1::date)::date AND $2::date"
                       " AND ethnic_group = '*' AND language = '*' AND ",
                       communes ? "commune_code = ANY($4::text[]) AND $3" : "commune_code = '' AND NOT $3",
                       " AND $4::text[] IS NOT NULL"),
          first, last, communes.has_value(), list);
      out.women = a[0][0].as<int64_t>();
      out.ethnic_minority = a[0][1].as<int64_t>();
      auto e = tx.exec_params(
          "SELECT count(*)::bigint, coalesce(sum(amount), 0)::bigint FROM support_events"
          " WHERE event_date BETWEEN $1::date AND $2::date AND ($3 = false OR commune_code = ANY($4::text[]))",
          first, last, communes.has_value(), list);
      out.support_events = e[0][0].as<int64_t>();
      out.support_events_vnd = e[0][1].as<int64_t>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after_cursor, int limit) override {
    using Out = std::vector<v1::ChangeEvent>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT cursor, kind, resource, commune_code, coalesce(event_date::text, ''), ",
                            db::Rfc3339("at"), " FROM change_feed WHERE cursor > $1 ORDER BY cursor LIMIT $2"),
               after_cursor, limit)) {
        v1::ChangeEvent e;
        e.set_cursor(r[0].as<int64_t>());
        e.set_kind(Str(r[1]));
        e.set_resource(Str(r[2]));
        e.set_commune_code(Str(r[3]));
        if (!Str(r[4]).empty()) api::SetProtoDate(Str(r[4]), e.mutable_date());
        api::SetProtoTimestamp(Str(r[5]), e.mutable_event_time());
        out.push_back(std::move(e));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> FeedHead() override { return db::ChangeFeedHead(pool_); }

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<CampaignsStore> NewPgCampaignsStore(db::Pool* pool) { return std::make_unique<PgCampaignsStore>(pool); }

}  // namespace lnob::campaigns
