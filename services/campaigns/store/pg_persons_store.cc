#include "services/campaigns/store/pg_persons_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"

namespace lnob::campaigns {
namespace {

using db::ArrayLiteral;
using db::Str;
using pqxx::transaction_base;


const std::string& PersonColumns() {
  static const std::string k = absl::StrCat(
      "p.id::text, p.full_name, p.birth_year, p.sex, p.ethnic_group, p.citizen_id, p.commune_code, p.village,"
      " p.village_ref, p.source_group, p.decision_number, p.decision_date::text, p.decision_authority,"
      " p.term_start::text, coalesce(p.term_end::text, ''), p.status, p.status_date::text, p.version, p.creator, ",
      db::Rfc3339("p.create_time"));
  return k;
}

v1::PrestigiousPerson PersonFromRow(const pqxx::row& r) {
  v1::PrestigiousPerson p;
  p.set_name("persons/" + Str(r[0]));
  p.set_full_name(Str(r[1]));
  p.set_birth_year(r[2].as<int>());
  v1::PrestigiousPerson::Sex sex = v1::PrestigiousPerson::SEX_UNSPECIFIED;
  v1::PrestigiousPerson::Sex_Parse(Str(r[3]), &sex);
  p.set_sex(sex);
  p.set_ethnic_group(Str(r[4]));
  p.set_citizen_id(Str(r[5]));
  p.set_commune_code(Str(r[6]));
  p.set_village(Str(r[7]));
  p.set_village_ref(Str(r[8]));
  p.set_source_group(Str(r[9]));
  p.mutable_recognition()->set_number(Str(r[10]));
  api::SetProtoDate(Str(r[11]), p.mutable_recognition()->mutable_date());
  p.mutable_recognition()->set_authority(Str(r[12]));
  api::SetProtoDate(Str(r[13]), p.mutable_term_start());
  if (!Str(r[14]).empty()) api::SetProtoDate(Str(r[14]), p.mutable_term_end());
  v1::PrestigiousPerson::Status st = v1::PrestigiousPerson::STATUS_UNSPECIFIED;
  v1::PrestigiousPerson::Status_Parse(Str(r[15]), &st);
  p.set_status(st);
  api::SetProtoDate(Str(r[16]), p.mutable_status_date());
  p.set_etag(api::EtagForVersion(r[17].as<int64_t>()));
  p.set_creator(Str(r[18]));
  api::SetProtoTimestamp(Str(r[19]), p.mutable_create_time());
  return p;
}

void LoadHistory(transaction_base& tx, const std::vector<v1::PrestigiousPerson*>& people) {
  if (people.empty()) return;
  std::map<std::string, v1::PrestigiousPerson*> by_id;
  std::vector<std::string> ids;
  for (auto* p : people) {
    ids.push_back(api::IdOf(p->name()));
    by_id[ids.back()] = p;
  }
  for (const auto& r : tx.exec_params(
           absl::StrCat("SELECT person_id::text, status, effective_date::text, reason, decision_number,"
                        " coalesce(replaced_by::text, ''), actor, ",
                        db::Rfc3339("record_time"),
                        " FROM person_status_history WHERE person_id = ANY($1::uuid[]) ORDER BY person_id, seq"),
           ArrayLiteral(ids))) {
    v1::PersonStatusChange* h = by_id[Str(r[0])]->add_history();
    v1::PrestigiousPerson::Status st = v1::PrestigiousPerson::STATUS_UNSPECIFIED;
    v1::PrestigiousPerson::Status_Parse(Str(r[1]), &st);
    h->set_status(st);
    api::SetProtoDate(Str(r[2]), h->mutable_effective_date());
    h->set_reason(Str(r[3]));
    h->set_decision_number(Str(r[4]));
    if (!Str(r[5]).empty()) h->set_replaced_by("persons/" + Str(r[5]));
    h->set_actor(Str(r[6]));
    api::SetProtoTimestamp(Str(r[7]), h->mutable_record_time());
  }
}

absl::StatusOr<v1::PrestigiousPerson> LoadPerson(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", PersonColumns(), " FROM persons p WHERE p.id = $1::uuid"), id);
  if (r.empty()) return api::NotFound("persons/" + id);
  v1::PrestigiousPerson p = PersonFromRow(r[0]);
  LoadHistory(tx, {&p});
  return p;
}

const std::string& EventColumns() {
  static const std::string k = absl::StrCat(
      "e.id::text, e.person_id::text, e.event_type, e.event_date::text, e.amount, e.source, e.node_code, e.note,"
      " e.commune_code, e.creator, ",
      db::Rfc3339("e.create_time"));
  return k;
}

v1::SupportEvent EventFromRow(const pqxx::row& r) {
  v1::SupportEvent e;
  e.set_name("supportEvents/" + Str(r[0]));
  e.set_person("persons/" + Str(r[1]));
  e.set_event_type(Str(r[2]));
  api::SetProtoDate(Str(r[3]), e.mutable_event_date());
  e.set_amount_vnd(r[4].as<int64_t>());
  e.set_source(Str(r[5]));
  e.set_node_code(Str(r[6]));
  e.set_note(Str(r[7]));
  e.set_commune_code(Str(r[8]));
  e.set_creator(Str(r[9]));
  api::SetProtoTimestamp(Str(r[10]), e.mutable_create_time());
  return e;
}

// The standard amount of each type on a date: its newest row from that date or before.
constexpr const char* kTypesOn =
    "SELECT t.code, t.display_name, t.note, coalesce(a.amount, 0), coalesce(a.valid_from::text, ''),"
    " coalesce(a.unconfirmed, true) FROM support_event_types t"
    " LEFT JOIN LATERAL (SELECT amount, valid_from, unconfirmed FROM support_event_amounts x"
    "   WHERE x.code = t.code AND x.valid_from <= $1::date ORDER BY valid_from DESC LIMIT 1) a ON true";

v1::SupportEventType TypeFromRow(const pqxx::row& r) {
  v1::SupportEventType t;
  t.set_name("supportEventTypes/" + Str(r[0]));
  t.set_code(Str(r[0]));
  t.set_display_name(Str(r[1]));
  t.set_note(Str(r[2]));
  t.set_standard_amount_vnd(r[3].as<int64_t>());
  if (!Str(r[4]).empty()) api::SetProtoDate(Str(r[4]), t.mutable_amount_from());
  t.set_unconfirmed(r[5].as<bool>());
  return t;
}

class PgPersonsStore final : public PersonsStore {
 public:
  explicit PgPersonsStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::PersonSourceGroup>> ListSourceGroups() override {
    using Out = std::vector<v1::PersonSourceGroup>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec("SELECT code, display_name, legal_doc FROM person_source_groups ORDER BY code")) {
        v1::PersonSourceGroup g;
        g.set_code(Str(r[0]));
        g.set_display_name(Str(r[1]));
        g.set_legal_doc(Str(r[2]));
        out.push_back(std::move(g));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::RecognitionAuthority>> ListAuthorities() override {
    using Out = std::vector<v1::RecognitionAuthority>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec("SELECT code, display_name, valid_from::text, coalesce(valid_to::text, ''),"
                                   " legal_doc, unconfirmed, note FROM recognition_authorities"
                                   " ORDER BY valid_from, code")) {
        v1::RecognitionAuthority a;
        a.set_code(Str(r[0]));
        a.set_display_name(Str(r[1]));
        api::SetProtoDate(Str(r[2]), a.mutable_valid_from());
        if (!Str(r[3]).empty()) api::SetProtoDate(Str(r[3]), a.mutable_valid_to());
        a.set_legal_doc(Str(r[4]));
        a.set_unconfirmed(r[5].as<bool>());
        a.set_note(Str(r[6]));
        out.push_back(std::move(a));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::SupportEventType>> ListSupportEventTypes(const std::string& day) override {
    using Out = std::vector<v1::SupportEventType>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(absl::StrCat(kTypesOn, " ORDER BY t.code"), day)) {
        out.push_back(TypeFromRow(r));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::SupportEventType> SetSupportEventAmount(const std::string& code, int64_t amount,
                                                             const std::string& valid_from, const std::string& basis,
                                                             const std::string& actor,
                                                             const db::IdempotencyKey& key) override {
    return pool_->Write<v1::SupportEventType>([&](transaction_base& tx, v1::SupportEventType& out) {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        if (tx.exec_params("SELECT 1 FROM support_event_types WHERE code = $1", code).empty()) {
          return api::NotFound("supportEventTypes/" + code);
        }
        // A province's own decision: confirmed for this province.
        tx.exec_params(
            "INSERT INTO support_event_amounts (code, valid_from, amount, basis, unconfirmed, actor)"
            " VALUES ($1, $2::date, $3, $4, false, $5) ON CONFLICT (code, valid_from) DO UPDATE SET amount = $3,"
            " basis = $4, unconfirmed = false, actor = $5, record_time = now()",
            code, valid_from, amount, basis, actor);
        auto r = tx.exec_params(absl::StrCat(kTypesOn, " WHERE t.code = $2"), valid_from, code);
        out = TypeFromRow(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::PrestigiousPerson> CreatePerson(const v1::PrestigiousPerson& p, const std::string& creator,
                                                     const db::IdempotencyKey& key) override {
    return pool_->Write<v1::PrestigiousPerson>([&](transaction_base& tx, v1::PrestigiousPerson& out) {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = api::IdOf(p.name());
        const std::string term_start = api::ProtoDateText(p.term_start());
        tx.exec_params(
            "INSERT INTO persons (id, full_name, birth_year, sex, ethnic_group, citizen_id, commune_code, village,"
            " village_ref, source_group, decision_number, decision_date, decision_authority, term_start, term_end,"
            " status, status_date, creator) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date, $13,"
            " $14::date, NULLIF($15, '')::date, 'ACTIVE', $14::date, $16)",
            id, p.full_name(), p.birth_year(), v1::PrestigiousPerson::Sex_Name(p.sex()), p.ethnic_group(),
            p.citizen_id(), p.commune_code(), p.village(), p.village_ref(), p.source_group(),
            p.recognition().number(), api::ProtoDateText(p.recognition().date()), p.recognition().authority(), term_start,
            api::IsSet(p.term_end()) ? api::ProtoDateText(p.term_end()) : std::string(), creator);
        tx.exec_params(
            "INSERT INTO person_status_history (person_id, seq, status, effective_date, reason, decision_number, actor)"
            " VALUES ($1::uuid, 1, 'ACTIVE', $2::date, 'recognised', $3, $4)",
            id, term_start, p.recognition().number(), creator);
        LNOB_ASSIGN_OR_RETURN(out, LoadPerson(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::PrestigiousPerson> GetPerson(const std::string& id) override {
    return pool_->Fetch<v1::PrestigiousPerson>([&](transaction_base& tx, v1::PrestigiousPerson& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, LoadPerson(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::PrestigiousPerson>> ListPersons(const PersonQuery& q) override {
    using Out = std::vector<v1::PrestigiousPerson>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", PersonColumns(),
                            " FROM persons p WHERE ($1 = false OR p.commune_code = ANY($2::text[]))"
                            " AND ($3 = '' OR p.commune_code = $3) AND ($4 = '' OR p.status = $4)"
                            " AND ($5 = '' OR p.ethnic_group = $5) AND ($6 = '' OR p.id > $6::uuid)"
                            " ORDER BY p.id LIMIT $7"),
               q.communes.has_value(), ArrayLiteral(q.communes.value_or(std::vector<std::string>{})), q.commune,
               q.status, q.ethnic_group, q.after_id, q.limit)) {
        out.push_back(PersonFromRow(r));
      }
      std::vector<v1::PrestigiousPerson*> ptrs;
      for (auto& p : out) ptrs.push_back(&p);
      LoadHistory(tx, ptrs);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::PrestigiousPerson> SetPersonStatus(const std::string& id, const std::string& etag,
                                                        const v1::PersonStatusChange& change,
                                                        const db::IdempotencyKey& key,
                                                        const StatusCheck& check) override {
    return pool_->Write<v1::PrestigiousPerson>([&](transaction_base& tx, v1::PrestigiousPerson& out) {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto cur = tx.exec_params("SELECT version FROM persons WHERE id = $1::uuid FOR UPDATE", id);
        if (cur.empty()) return api::NotFound("persons/" + id);
        LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, cur[0][0].as<int64_t>()));
        LNOB_ASSIGN_OR_RETURN(v1::PrestigiousPerson now, LoadPerson(tx, id));
        LNOB_RETURN_IF_ERROR(check(now));
        const std::string status = v1::PrestigiousPerson::Status_Name(change.status());
        const std::string day = api::ProtoDateText(change.effective_date());
        tx.exec_params(
            "INSERT INTO person_status_history (person_id, seq, status, effective_date, reason, decision_number,"
            " replaced_by, actor) SELECT $1::uuid, coalesce(max(seq), 0) + 1, $2, $3::date, $4, $5,"
            " NULLIF($6, '')::uuid, $7 FROM person_status_history WHERE person_id = $1::uuid",
            id, status, day, change.reason(), change.decision_number(), api::IdOf(change.replaced_by()),
            change.actor());
        tx.exec_params("UPDATE persons SET status = $2, status_date = $3::date, version = version + 1"
                       " WHERE id = $1::uuid",
                       id, status, day);
        LNOB_ASSIGN_OR_RETURN(out, LoadPerson(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::map<std::string, PersonOnDay>> PersonsOn(const std::vector<std::string>& ids,
                                                                const std::string& day) override {
    using Out = std::map<std::string, PersonOnDay>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               // A term that ended before the day: no longer a prestigious person then.
               "SELECT p.id::text, p.commune_code, CASE WHEN p.term_end < $2::date THEN 'TERM_ENDED' ELSE"
               " coalesce((SELECT h.status FROM person_status_history h"
               "   WHERE h.person_id = p.id AND h.effective_date <= $2::date ORDER BY h.seq DESC LIMIT 1), '') END"
               " FROM persons p WHERE p.id = ANY($1::uuid[])",
               ArrayLiteral(ids), day)) {
        out[Str(r[0])] = PersonOnDay{Str(r[2]), Str(r[1])};
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::SupportEvent> RecordSupportEvent(const v1::SupportEvent& e, const std::string& creator,
                                                      const db::IdempotencyKey& key) override {
    return pool_->Write<v1::SupportEvent>([&](transaction_base& tx, v1::SupportEvent& out) {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = api::IdOf(e.name());
        const std::string day = api::ProtoDateText(e.event_date());
        tx.exec_params(
            "INSERT INTO support_events (id, person_id, event_type, event_date, amount, source, node_code, note,"
            " commune_code, creator) SELECT $1::uuid, p.id, $3, $4::date,"
            " CASE WHEN $5::bigint >= 0 THEN $5::bigint ELSE coalesce((SELECT amount FROM support_event_amounts a"
            "   WHERE a.code = $3 AND a.valid_from <= $4::date ORDER BY a.valid_from DESC LIMIT 1), 0) END,"
            " $6, $7, $8, p.commune_code, $9 FROM persons p WHERE p.id = $2::uuid",
            id, api::IdOf(e.person()), e.event_type(), day, e.amount_vnd(), e.source(), e.node_code(), e.note(),
            creator);
        auto r = tx.exec_params(absl::StrCat("SELECT ", EventColumns(), " FROM support_events e WHERE e.id = $1::uuid"),
                                id);
        if (r.empty()) return api::NotFound(e.person());
        out = EventFromRow(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::vector<v1::SupportEvent>> ListSupportEvents(const SupportEventQuery& q) override {
    using Out = std::vector<v1::SupportEvent>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", EventColumns(),
                            " FROM support_events e WHERE ($1 = false OR e.commune_code = ANY($2::text[]))"
                            " AND ($3 = '' OR e.person_id = $3::uuid)"
                            " AND ($4 = 0 OR e.event_date BETWEEN make_date($4, 1, 1) AND make_date($4, 12, 31))"
                            " AND ($5 = '' OR e.id > $5::uuid) AND ($7 = '' OR e.id = $7::uuid) ORDER BY e.id LIMIT $6"),
               q.communes.has_value(), ArrayLiteral(q.communes.value_or(std::vector<std::string>{})), q.person_id,
               q.year, q.after_id, q.limit, q.id)) {
        out.push_back(EventFromRow(r));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<Coverage> PersonCoverage(const std::string& first, const std::string& last,
                                          const std::optional<std::vector<std::string>>& communes) override {
    return pool_->Fetch<Coverage>([&](transaction_base& tx, Coverage& out) -> absl::Status {
      // Active at some time in the range: ACTIVE on its first day, or made ACTIVE during it.
      for (const auto& r : tx.exec_params(
               "WITH p AS (SELECT p.id FROM persons p WHERE ($3 = false OR p.commune_code = ANY($4::text[]))"
               "   AND (p.term_end IS NULL OR p.term_end >= $1::date)"
               "   AND (coalesce((SELECT h.status FROM person_status_history h WHERE h.person_id = p.id"
               "          AND h.effective_date <= $1::date ORDER BY h.seq DESC LIMIT 1), '') = 'ACTIVE'"
               "     OR EXISTS (SELECT 1 FROM person_status_history h WHERE h.person_id = p.id AND h.status = 'ACTIVE'"
               "          AND h.effective_date BETWEEN $1::date AND $2::date)))"
               " SELECT p.id::text, EXISTS (SELECT 1 FROM activity_persons ap JOIN activities a ON a.id = ap.activity_id"
               "     WHERE ap.person_id = p.id AND a.start_date BETWEEN $1::date AND $2::date)"
               "   OR EXISTS (SELECT 1 FROM support_events e WHERE e.person_id = p.id"
               "     AND e.event_type IN ('TRAINING', 'INFO') AND e.event_date BETWEEN $1::date AND $2::date)"
               " FROM p ORDER BY p.id",
               first, last, communes.has_value(), ArrayLiteral(communes.value_or(std::vector<std::string>{})))) {
        out.active.push_back(Str(r[0]));
        if (r[1].as<bool>()) out.reached.insert(Str(r[0]));
      }
      return absl::OkStatus();
    });
  }

  absl::Status AuditPersonalDataRead(const std::string& actor, const std::string& method, const std::string& purpose,
                                     const std::string& request_id, const std::vector<std::string>& person_ids,
                                     const std::vector<std::string>& categories) override {
    if (person_ids.empty()) return absl::OkStatus();
    return pool_->Run([&](transaction_base& tx) -> absl::Status {
      tx.exec_params(
          "INSERT INTO pii_audit (actor, method, request_id, person_ids, purpose, categories)"
          " VALUES ($1, $2, $3, $4::uuid[], $5, $6)",
          actor, method, request_id, ArrayLiteral(person_ids), purpose, absl::StrJoin(categories, ","));
      return absl::OkStatus();
    });
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<PersonsStore> NewPgPersonsStore(db::Pool* pool) { return std::make_unique<PgPersonsStore>(pool); }

}  // namespace lnob::campaigns
