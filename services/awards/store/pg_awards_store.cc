#include "services/awards/store/pg_awards_store.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/uuid.h"
#include "services/awards/store/pg_json.h"
#include "services/awards/store/pg_nominations.h"

namespace lnob::awards {
namespace {

using db::ArrayLiteral;
using db::Str;
using pqxx::transaction_base;

using db::DateText;
void SetDate(const pqxx::field& f, google::type::Date* out) { api::SetProtoDate(Str(f), out); }

// Targets as a JSON array (jsonb column) and back.
std::string TargetsJson(const google::protobuf::RepeatedPtrField<v1::Target>& targets) {
  v1::Registration holder;
  *holder.mutable_targets() = targets;
  return pg::ArrayJson(holder);
}

std::string MovementColumns() {
  return absl::StrCat("id::text, number, title, ", DateText("launched_date"), ", launched_by, parent_plans, ", DateText("period_from"),
                      ", ", DateText("period_to"), ", owner_unit, targets::text, creator, ", db::Rfc3339("create_time"));
}
v1::Movement MovementFromRow(const pqxx::row& r) {
  v1::Movement m;
  m.set_name(absl::StrCat("movements/", Str(r[0])));
  m.set_number(Str(r[1]));
  m.set_title(Str(r[2]));
  SetDate(r[3], m.mutable_launched_date());
  m.set_launched_by(Str(r[4]));
  for (auto& p : db::ArrayValue(r[5])) m.add_parent_plans(std::move(p));
  SetDate(r[6], m.mutable_period_from());
  SetDate(r[7], m.mutable_period_to());
  m.set_owner_unit(Str(r[8]));
  pg::ParseArray("targets", Str(r[9]), &m);
  m.set_creator(Str(r[10]));
  api::SetProtoTimestamp(Str(r[11]), m.mutable_create_time());
  return m;
}

std::string RegistrationColumns() {
  return absl::StrCat("id::text, 'movements/' || movement_id, year, subject_kind, subject_name, unit_code, household, ",
                      DateText("registered_date"), ", targets::text, creator, ", db::Rfc3339("create_time"));
}
v1::Registration RegistrationFromRow(const pqxx::row& r) {
  v1::Registration x;
  x.set_name(absl::StrCat("registrations/", Str(r[0])));
  x.set_movement(Str(r[1]));
  x.set_year(r[2].as<int>());
  v1::RecipientKind kind = v1::RECIPIENT_KIND_UNSPECIFIED;
  v1::RecipientKind_Parse(Str(r[3]), &kind);
  x.set_subject_kind(kind);
  x.set_subject_name(Str(r[4]));
  x.set_unit_code(Str(r[5]));
  x.set_household(Str(r[6]));
  SetDate(r[7], x.mutable_registered_date());
  pg::ParseArray("targets", Str(r[8]), &x);
  x.set_creator(Str(r[9]));
  api::SetProtoTimestamp(Str(r[10]), x.mutable_create_time());
  return x;
}

// The self-evaluations of these registrations, in point order, one statement.
void LoadEvaluations(transaction_base& tx, const std::vector<v1::Registration*>& regs) {
  std::map<std::string, v1::Registration*> by_id;
  std::vector<std::string> ids;
  for (auto* r : regs) {
    ids.emplace_back(api::IdOf(r->name()));
    by_id[ids.back()] = r;
  }
  if (ids.empty()) return;
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT registration_id::text, point, ", DateText("date"), ", results::text, task_rating,"
                        " annual_tasks, summary, evaluator, ", db::Rfc3339("create_time"),
                        " FROM self_evaluations WHERE registration_id = ANY($1::uuid[]) ORDER BY registration_id, point"),
           ArrayLiteral(ids))) {
    auto it = by_id.find(Str(row[0]));
    if (it == by_id.end()) continue;
    v1::SelfEvaluation* e = it->second->add_evaluations();
    v1::EvaluationPoint point = v1::EVALUATION_POINT_UNSPECIFIED;
    v1::EvaluationPoint_Parse(Str(row[1]), &point);
    e->set_point(point);
    SetDate(row[2], e->mutable_date());
    pg::ParseArray("results", Str(row[3]), e);
    v1::TaskRating rating = v1::TASK_RATING_UNSPECIFIED;
    v1::TaskRating_Parse(Str(row[4]), &rating);
    e->set_task_rating(rating);
    e->set_annual_tasks(Str(row[5]));
    e->set_summary(Str(row[6]));
    e->set_evaluator(Str(row[7]));
    api::SetProtoTimestamp(Str(row[8]), e->mutable_create_time());
  }
}

std::string InitiativeColumns() {
  return absl::StrCat("id::text, title, authors, unit_code, scope, ", DateText("applied_from"),
                      ", decision_number, ", DateText("decision_date"), ", recognised_by, benefit, creator, ",
                      db::Rfc3339("create_time"));
}
v1::Initiative InitiativeFromRow(const pqxx::row& r) {
  v1::Initiative x;
  x.set_name(absl::StrCat("initiatives/", Str(r[0])));
  x.set_title(Str(r[1]));
  for (auto& a : db::ArrayValue(r[2])) x.add_authors(std::move(a));
  x.set_unit_code(Str(r[3]));
  v1::InitiativeScope scope = v1::INITIATIVE_SCOPE_UNSPECIFIED;
  v1::InitiativeScope_Parse(Str(r[4]), &scope);
  x.set_scope(scope);
  SetDate(r[5], x.mutable_applied_from());
  x.set_decision_number(Str(r[6]));
  SetDate(r[7], x.mutable_decision_date());
  x.set_recognised_by(Str(r[8]));
  x.set_benefit(Str(r[9]));
  x.set_creator(Str(r[10]));
  api::SetProtoTimestamp(Str(r[11]), x.mutable_create_time());
  return x;
}

std::string ExampleColumns() {
  return absl::StrCat("id::text, subject_kind, subject_name, household, field, unit_code, description, discovered_by, ",
                      DateText("discovered_date"), ", evidence, replication::text,"
                      " coalesce('movements/' || movement_id, ''), creator, ", db::Rfc3339("create_time"),
                      ", linked_awards");
}
v1::AdvancedExample ExampleFromRow(const pqxx::row& r) {
  v1::AdvancedExample x;
  x.set_name(absl::StrCat("advancedExamples/", Str(r[0])));
  v1::RecipientKind kind = v1::RECIPIENT_KIND_UNSPECIFIED;
  v1::RecipientKind_Parse(Str(r[1]), &kind);
  x.set_subject_kind(kind);
  x.set_subject_name(Str(r[2]));
  x.set_household(Str(r[3]));
  x.set_field(Str(r[4]));
  x.set_unit_code(Str(r[5]));
  x.set_description(Str(r[6]));
  x.set_discovered_by(Str(r[7]));
  SetDate(r[8], x.mutable_discovered_date());
  for (auto& e : db::ArrayValue(r[9])) x.add_evidence(std::move(e));
  pg::ParseArray("replication", Str(r[10]), &x);
  x.set_movement(Str(r[11]));
  x.set_creator(Str(r[12]));
  api::SetProtoTimestamp(Str(r[13]), x.mutable_create_time());
  for (auto& a : db::ArrayValue(r[14])) x.add_linked_awards(std::move(a));
  return x;
}

std::string ReplicationJson(const v1::AdvancedExample& e) {
  v1::AdvancedExample holder;
  *holder.mutable_replication() = e.replication();
  return pg::ArrayJson(holder);
}

class PgAwardsStore final : public AwardsStore {
 public:
  explicit PgAwardsStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::AwardForm>> ListAwardForms() override {
    using Out = std::vector<v1::AwardForm>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      std::map<std::string, size_t> at;
      for (const auto& r : tx.exec("SELECT code, display_name, title, recipients, criteria, criteria_confirmed,"
                                   " coalesce(quota_share, 0)::float8, quota_confirmed FROM award_forms ORDER BY code")) {
        v1::AwardForm f;
        f.set_code(Str(r[0]));
        f.set_display_name(Str(r[1]));
        f.set_title(r[2].as<bool>());
        for (const auto& k : db::ArrayValue(r[3])) {
          v1::RecipientKind kind = v1::RECIPIENT_KIND_UNSPECIFIED;
          if (v1::RecipientKind_Parse(k, &kind)) f.add_recipients(kind);
        }
        f.set_criteria(Str(r[4]));
        f.set_criteria_confirmed(r[5].as<bool>());
        f.set_quota_share(r[6].as<double>());
        f.set_quota_confirmed(r[7].as<bool>());
        at[f.code()] = out.size();
        out.push_back(std::move(f));
      }
      for (const auto& r : tx.exec(absl::StrCat("SELECT form_code, level, ", DateText("valid_from"), ", ", DateText("valid_to"),
                                                ", legal_doc, confirmed FROM form_authorities"
                                                " ORDER BY form_code, valid_from, level"))) {
        auto it = at.find(Str(r[0]));
        if (it == at.end()) continue;
        auto* a = out[it->second].add_authorities();
        a->set_level(Str(r[1]));
        SetDate(r[2], a->mutable_valid_from());
        SetDate(r[3], a->mutable_valid_to());
        a->set_legal_doc(Str(r[4]));
        a->set_confirmed(r[5].as<bool>());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Movement> CreateMovement(const v1::Movement& m, const std::string& creator,
                                              const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Movement>([&](transaction_base& tx, v1::Movement& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto r = tx.exec_params(
            absl::StrCat("INSERT INTO movements (id, number, title, launched_date, launched_by, parent_plans, period_from,"
                         " period_to, owner_unit, targets, creator) VALUES ($1::uuid, $2, $3, $4::date, $5, $6::text[],"
                         " $7::date, $8::date, $9, $10::jsonb, $11) RETURNING ",
                         MovementColumns()),
            NewUuidV7(absl::Now()), m.number(), m.title(), api::ProtoDateText(m.launched_date()), m.launched_by(),
            ArrayLiteral(std::vector<std::string>(m.parent_plans().begin(), m.parent_plans().end())),
            api::ProtoDateText(m.period_from()), api::ProtoDateText(m.period_to()), m.owner_unit(),
            TargetsJson(m.targets()), creator);
        out = MovementFromRow(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Movement> GetMovement(const std::string& id) override {
    return pool_->Fetch<v1::Movement>([&](transaction_base& tx, v1::Movement& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", MovementColumns(), " FROM movements WHERE id = $1::uuid"), id);
      if (r.empty()) return api::NotFound(absl::StrCat("movements/", id));
      out = MovementFromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Movement>> ListMovements(int year, const std::string& after_id, int limit) override {
    using Out = std::vector<v1::Movement>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", MovementColumns(), " FROM movements WHERE ($1 = 0 OR"
                            " (extract(year FROM period_from) <= $1 AND extract(year FROM period_to) >= $1))"
                            " AND ($2 = '' OR id > NULLIF($2, '')::uuid) ORDER BY id LIMIT $3"),
               year, after_id, limit)) {
        out.push_back(MovementFromRow(r));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Registration> CreateRegistration(const v1::Registration& x, const std::string& subject_key,
                                                      const std::string& creator,
                                                      const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Registration>([&](transaction_base& tx, v1::Registration& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto r = tx.exec_params(
            absl::StrCat("INSERT INTO registrations (id, movement_id, year, subject_kind, subject_name, subject_key,"
                         " unit_code, household, registered_date, targets, creator) VALUES ($1::uuid, $2::uuid, $3, $4,"
                         " $5, $6, $7, $8, $9::date, $10::jsonb, $11) RETURNING ",
                         RegistrationColumns()),
            NewUuidV7(absl::Now()), api::IdOf(x.movement()), x.year(), v1::RecipientKind_Name(x.subject_kind()),
            x.subject_name(), subject_key, x.unit_code(), x.household(), api::ProtoDateText(x.registered_date()),
            TargetsJson(x.targets()), creator);
        out = RegistrationFromRow(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::vector<v1::Registration>> ListRegistrations(const RegistrationQuery& q) override {
    using Out = std::vector<v1::Registration>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", RegistrationColumns(), " FROM registrations WHERE movement_id = $1::uuid"
                            " AND ($2 = 0 OR year = $2) AND (NOT $3 OR unit_code = ANY($4::text[]))"
                            " AND ($5 = '' OR id > NULLIF($5, '')::uuid) ORDER BY id LIMIT $6"),
               q.movement_id, q.year, q.units.has_value(), ArrayLiteral(q.units.value_or(std::vector<std::string>{})),
               q.after_id, q.limit)) {
        out.push_back(RegistrationFromRow(r));
      }
      std::vector<v1::Registration*> ptrs;
      for (auto& x : out) ptrs.push_back(&x);
      LoadEvaluations(tx, ptrs);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Registration> GetRegistration(const std::string& id) override {
    return pool_->Fetch<v1::Registration>([&](transaction_base& tx, v1::Registration& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", RegistrationColumns(), " FROM registrations WHERE id = $1::uuid"),
                              id);
      if (r.empty()) return api::NotFound("registrations/" + id);
      out = RegistrationFromRow(r[0]);
      LoadEvaluations(tx, {&out});
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Registration> RecordSelfEvaluation(const std::string& registration_id, const v1::SelfEvaluation& e,
                                                        const std::string& evaluator,
                                                        const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Registration>([&](transaction_base& tx, v1::Registration& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string point = v1::EvaluationPoint_Name(e.point());
        if (!tx.exec_params("SELECT 1 FROM self_evaluations WHERE registration_id = $1::uuid AND point = $2",
                            registration_id, point)
                 .empty()) {
          return WithReason(absl::AlreadyExistsError(absl::StrCat("the ", point, " evaluation is already recorded")),
                            "ALREADY_EVALUATED");
        }
        v1::SelfEvaluation holder;
        *holder.mutable_results() = e.results();
        tx.exec_params(
            "INSERT INTO self_evaluations (registration_id, point, date, results, task_rating, annual_tasks, summary,"
            " evaluator) VALUES ($1::uuid, $2, $3::date, $4::jsonb, $5, $6, $7, $8)",
            registration_id, point, api::ProtoDateText(e.date()), pg::ArrayJson(holder),
            e.task_rating() == v1::TASK_RATING_UNSPECIFIED ? "" : v1::TaskRating_Name(e.task_rating()),
            e.annual_tasks(), e.summary(), evaluator);
        auto r = tx.exec_params(
            absl::StrCat("SELECT ", RegistrationColumns(), " FROM registrations WHERE id = $1::uuid"), registration_id);
        out = RegistrationFromRow(r[0]);
        LoadEvaluations(tx, {&out});
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Initiative> CreateInitiative(const v1::Initiative& i, const std::vector<std::string>& author_keys,
                                                  const std::string& creator, const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Initiative>([&](transaction_base& tx, v1::Initiative& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto r = tx.exec_params(
            absl::StrCat("INSERT INTO initiatives (id, title, authors, author_keys, unit_code, scope, applied_from,"
                         " decision_number, decision_date, recognised_by, benefit, creator) VALUES ($1::uuid, $2,"
                         " $3::text[], $4::text[], $5, $6, $7::date, $8, $9::date, $10, $11, $12) RETURNING ",
                         InitiativeColumns()),
            NewUuidV7(absl::Now()), i.title(),
            ArrayLiteral(std::vector<std::string>(i.authors().begin(), i.authors().end())), ArrayLiteral(author_keys),
            i.unit_code(), v1::InitiativeScope_Name(i.scope()), api::ProtoDateText(i.applied_from()),
            i.decision_number(), api::ProtoDateText(i.decision_date()), i.recognised_by(), i.benefit(), creator);
        out = InitiativeFromRow(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::vector<v1::Initiative>> ListInitiatives(const InitiativeQuery& q) override {
    using Out = std::vector<v1::Initiative>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", InitiativeColumns(), " FROM initiatives WHERE (NOT $1 OR unit_code = ANY($2::text[]))"
                            " AND ($3 = 0 OR extract(year FROM decision_date) = $3)"
                            " AND ($4 = '' OR author_keys @> ARRAY[$4]) AND ($5 = '' OR id > NULLIF($5, '')::uuid)"
                            " ORDER BY id LIMIT $6"),
               q.units.has_value(), ArrayLiteral(q.units.value_or(std::vector<std::string>{})), q.year, q.author_key,
               q.after_id, q.limit)) {
        out.push_back(InitiativeFromRow(r));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::AdvancedExample> CreateAdvancedExample(const v1::AdvancedExample& e, const std::string& creator,
                                                            const db::IdempotencyKey& key) override {
    return pool_->Write<v1::AdvancedExample>([&](transaction_base& tx, v1::AdvancedExample& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto r = tx.exec_params(
            absl::StrCat("INSERT INTO advanced_examples (id, subject_kind, subject_name, household, field, unit_code,"
                         " description, discovered_by, discovered_date, evidence, replication, movement_id, creator,"
                         " linked_awards) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::date, $10::text[], $11::jsonb,"
                         " NULLIF($12, '')::uuid, $13, $14::text[]) RETURNING ",
                         ExampleColumns()),
            NewUuidV7(absl::Now()), v1::RecipientKind_Name(e.subject_kind()), e.subject_name(), e.household(),
            e.field(), e.unit_code(), e.description(), e.discovered_by(), api::ProtoDateText(e.discovered_date()),
            ArrayLiteral(std::vector<std::string>(e.evidence().begin(), e.evidence().end())), ReplicationJson(e),
            e.movement().empty() ? "" : api::IdOf(e.movement()), creator,
            ArrayLiteral(std::vector<std::string>(e.linked_awards().begin(), e.linked_awards().end())));
        out = ExampleFromRow(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::vector<v1::AdvancedExample>> ListAdvancedExamples(const Units& units, int year,
                                                                        const std::string& after_id,
                                                                        int limit) override {
    using Out = std::vector<v1::AdvancedExample>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", ExampleColumns(), " FROM advanced_examples WHERE (NOT $1 OR unit_code = ANY($2::text[]))"
                            " AND ($3 = 0 OR extract(year FROM discovered_date) = $3)"
                            " AND ($4 = '' OR id > NULLIF($4, '')::uuid) ORDER BY id LIMIT $5"),
               units.has_value(), ArrayLiteral(units.value_or(std::vector<std::string>{})), year, after_id, limit)) {
        out.push_back(ExampleFromRow(r));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Nomination> CreateNomination(const v1::Nomination& n, const NominationKeys& keys,
                                                  const FrozenEvidence& evidence, const std::string& creator,
                                                  const db::IdempotencyKey& key) override {
    return pg::CreateNomination(pool_, n, keys, evidence, creator, key);
  }
  absl::StatusOr<v1::Nomination> GetNomination(const std::string& id) override { return pg::GetNomination(pool_, id); }
  absl::StatusOr<std::vector<v1::Nomination>> ListNominations(const NominationQuery& q) override {
    return pg::ListNominations(pool_, q);
  }
  absl::StatusOr<std::pair<v1::EvidenceSnapshot, std::vector<EvidenceRow>>> GetEvidence(const std::string& id,
                                                                                        int seq) override {
    return pg::GetEvidence(pool_, id, seq);
  }
  absl::StatusOr<v1::Nomination> AddEvidence(const Step& s, const FrozenEvidence& evidence) override {
    return pg::AddEvidence(pool_, s, evidence);
  }
  absl::StatusOr<v1::Nomination> RecordUnitReview(const Step& s, const v1::UnitReview& review) override {
    return pg::RecordUnitReview(pool_, s, review);
  }
  absl::StatusOr<v1::Council> CreateCouncil(const v1::Council& c, const std::vector<std::string>& name_keys,
                                            const std::string& creator, const db::IdempotencyKey& key) override {
    return pg::CreateCouncil(pool_, c, name_keys, creator, key);
  }
  absl::StatusOr<v1::Council> GetCouncil(const std::string& id) override { return pg::GetCouncil(pool_, id); }
  absl::StatusOr<std::vector<v1::Council>> ListCouncils(const Units& units, const std::string& after_id,
                                                        int limit) override {
    return pg::ListCouncils(pool_, units, after_id, limit);
  }
  absl::StatusOr<v1::Nomination> OpenCouncilReview(const Step& s, const std::string& council_id,
                                                   const std::string& opened_date) override {
    return pg::OpenCouncilReview(pool_, s, council_id, opened_date);
  }
  absl::StatusOr<v1::Nomination> CastVote(const Step& s, const std::string& choice, int snapshot_seq) override {
    return pg::CastVote(pool_, s, choice, snapshot_seq);
  }
  absl::StatusOr<v1::Nomination> CloseCouncilReview(const Step& s) override { return pg::CloseCouncilReview(pool_, s); }
  absl::StatusOr<v1::Nomination> Decide(const Step& s, const DecideInput& d) override { return pg::Decide(pool_, s, d); }
  absl::StatusOr<v1::Nomination> Submit(const Step& s, const v1::Submission& sub) override {
    return pg::Submit(pool_, s, sub);
  }
  absl::StatusOr<v1::Nomination> Revoke(const Step& s, const v1::Revocation& r) override {
    return pg::Revoke(pool_, s, r);
  }
  absl::StatusOr<v1::CheckPrerequisitesResponse> CheckPrerequisites(const std::string& form_code,
                                                                    const std::string& unit_code,
                                                                    const NominationKeys& keys, int year) override {
    return pg::CheckPrerequisites(pool_, form_code, unit_code, keys, year);
  }

  absl::StatusOr<StatisticsRows> Statistics(const std::string& first, const std::string& last, int year,
                                            const Units& units) override {
    return pg::Statistics(pool_, first, last, year, units);
  }
  absl::StatusOr<std::vector<v1::ChangeEvent>> ReadFeed(int64_t after_cursor, int limit) override {
    return pg::ReadFeed(pool_, after_cursor, limit);
  }
  absl::StatusOr<int64_t> FeedHead() override { return db::ChangeFeedHead(pool_); }

  absl::StatusOr<bool> Replay(const db::IdempotencyKey& key, google::protobuf::Message* out) override {
    return db::ReplayResponse(*pool_, key, out);
  }

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<AwardsStore> NewPgAwardsStore(db::Pool* pool) { return std::make_unique<PgAwardsStore>(pool); }

}  // namespace lnob::awards
