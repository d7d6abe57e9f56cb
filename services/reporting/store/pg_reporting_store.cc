#include "services/reporting/store/pg_reporting_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/uuid.h"

namespace lnob::reporting {
namespace {

using db::DateText;
using db::Str;
using pqxx::transaction_base;
using PeriodType = common::v1::Period::Type;

PeriodType TypeOf(const std::string& s) {
  PeriodType t = common::v1::Period::TYPE_UNSPECIFIED;
  common::v1::Period::Type_Parse(s, &t);
  return t;
}

std::string ReportColumns() {
  return absl::StrCat("id::text, code, version, period_type, period_year, period_index, unit_code, ", DateText("geography"),
                      ", state, digest, creator, ", db::Rfc3339("create_time"),
                      ", etag, revision, coalesce(previous_id::text, ''), amendment_reason, coalesce(submitter, ''),"
                      " coalesce(approver, ''), coalesce(locker, ''), coalesce(", db::Rfc3339("lock_time"), ", ''),"
                      " coalesce(lock_rule, ''), source, rolled_up_from::text[], unit_names::text, series_id::text,"
                      " coalesce(lock_description, ''), coalesce(lock_how_to_amend, '')");
}

// A report with its inputs, history and lock (a page of reports reads each: pages are small).
absl::StatusOr<v1::Report> Read(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", ReportColumns(), " FROM reports WHERE id = $1::uuid"), id);
  if (r.empty()) return api::NotFound("reportInstances/" + id);
  const auto& row = r[0];
  v1::Report out;
  out.set_name("reportInstances/" + Str(row[0]));
  out.set_definition("reportDefinitions/" + Str(row[1]));
  out.set_version(row[2].as<int>());
  out.mutable_period()->set_type(TypeOf(Str(row[3])));
  out.mutable_period()->set_year(row[4].as<int>());
  out.mutable_period()->set_index(row[5].as<int>());
  out.set_unit_code(Str(row[6]));
  api::SetProtoDate(Str(row[7]), out.mutable_geography());
  out.set_state(Str(row[8]));
  out.set_digest(Str(row[9]));
  out.set_creator(Str(row[10]));
  api::SetProtoTimestamp(Str(row[11]), out.mutable_create_time());
  out.set_etag(absl::StrCat(row[12].as<int>()));
  out.set_revision(row[13].as<int>());
  if (!Str(row[14]).empty()) out.set_previous("reportInstances/" + Str(row[14]));
  out.set_amendment_reason(Str(row[15]));
  out.set_submitter(Str(row[16]));
  out.set_approver(Str(row[17]));
  out.set_source(Str(row[21]));
  for (const auto& from : db::ArrayValue(row[22])) out.add_rolled_up_from("reportInstances/" + from);
  out.set_series("reportInstances/" + Str(row[24]));
  if (!Str(row[18]).empty()) {
    auto* lock = out.mutable_lock();
    lock->set_locked_by(Str(row[18]));
    api::SetProtoTimestamp(Str(row[19]), lock->mutable_lock_time());
    lock->set_rule(Str(row[20]));
    lock->set_rule_description(Str(row[25]));
    lock->set_how_to_amend(absl::StrReplaceAll(Str(row[26]), {{"{report}", out.name()}}));
  }
  for (const auto& u : tx.exec_params("SELECT key, value FROM jsonb_each_text($1::jsonb) ORDER BY key", Str(row[23]))) {
    auto* n = out.add_units();
    n->set_code(Str(u[0]));
    n->set_name(Str(u[1]));
  }
  for (const auto& e : tx.exec_params(absl::StrCat("SELECT from_state, to_state, actor, ", db::Rfc3339("time"),
                                                   ", note FROM report_events WHERE report_id = $1::uuid ORDER BY seq"),
                                      id)) {
    auto* h = out.add_history();
    h->set_from_state(Str(e[0]));
    h->set_to_state(Str(e[1]));
    h->set_actor(Str(e[2]));
    api::SetProtoTimestamp(Str(e[3]), h->mutable_time());
    h->set_note(Str(e[4]));
  }
  for (const auto& x : tx.exec_params(
           absl::StrCat("SELECT section_code, indicator_code, label, owner, method, request::text, value::text, cursor, ",
                        db::Rfc3339("read_time"), ", unit_of_measure, confirmed, source FROM report_inputs"
                        " WHERE report_id = $1::uuid ORDER BY ord"),
           id)) {
    auto* in = out.add_inputs();
    in->set_section(Str(x[0]));
    in->set_indicator(Str(x[1]));
    in->set_label(Str(x[2]));
    in->set_owner(Str(x[3]));
    in->set_method(Str(x[4]));
    in->set_request_json(Str(x[5]));
    in->set_value_json(Str(x[6]));
    in->set_cursor(x[7].as<int64_t>());
    api::SetProtoTimestamp(Str(x[8]), in->mutable_read_time());
    in->set_unit_of_measure(Str(x[9]));
    in->set_confirmed(x[10].as<bool>());
    in->set_source(Str(x[11]));
  }
  return out;
}

v1::Operation ReadOperation(const pqxx::row& r) {
  v1::Operation op;
  op.set_name("reportOperations/" + Str(r[0]));
  op.set_state(Str(r[1]));
  op.set_done_steps(r[2].as<int>());
  op.set_total_steps(r[3].as<int>());
  if (!r[4].is_null()) op.set_report("reportInstances/" + Str(r[4]));
  op.set_error_code(Str(r[5]));
  op.set_error_message(Str(r[6]));
  op.set_creator(Str(r[7]));
  api::SetProtoTimestamp(Str(r[8]), op.mutable_create_time());
  api::SetProtoTimestamp(Str(r[9]), op.mutable_update_time());
  op.set_definition("reportDefinitions/" + Str(r[10]));
  op.mutable_period()->set_type(TypeOf(Str(r[11])));
  op.mutable_period()->set_year(r[12].as<int>());
  op.mutable_period()->set_index(r[13].as<int>());
  op.set_unit_code(Str(r[14]));
  return op;
}

std::string OperationColumns() {
  return absl::StrCat("id::text, state, done_steps, total_steps, report_id::text, error_code, error_message, creator, ",
                      db::Rfc3339("create_time"), ", ", db::Rfc3339("update_time"),
                      ", code, period_type, period_year, period_index, unit_code");
}

class PgReportingStore final : public ReportingStore {
 public:
  explicit PgReportingStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::ReportDefinition>> ListDefinitions() override {
    using Out = std::vector<v1::ReportDefinition>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      std::map<std::pair<std::string, int>, size_t> at;
      for (const auto& r : tx.exec(absl::StrCat(
               "SELECT code, version, title, regime, legal_basis, period_types, ad_hoc, layout_confirmed, ",
               DateText("valid_from"), ", ", DateText("valid_to"), " FROM report_definitions ORDER BY code, version"))) {
        v1::ReportDefinition d;
        d.set_name("reportDefinitions/" + Str(r[0]));
        d.set_code(Str(r[0]));
        d.set_version(r[1].as<int>());
        d.set_title(Str(r[2]));
        d.set_regime(Str(r[3]));
        d.set_legal_basis(Str(r[4]));
        for (const auto& p : db::ArrayValue(r[5])) d.add_period_types(TypeOf(p));
        d.set_ad_hoc(r[6].as<bool>());
        d.set_layout_confirmed(r[7].as<bool>());
        api::SetProtoDate(Str(r[8]), d.mutable_valid_from());
        if (!r[9].is_null()) api::SetProtoDate(Str(r[9]), d.mutable_valid_to());
        at[{d.code(), d.version()}] = out.size();
        out.push_back(std::move(d));
      }
      for (const auto& r : tx.exec("SELECT code, version, period_type, kind, days, month, day, year_offset, description,"
                                   " legal_basis, confirmed FROM due_rules ORDER BY code, version, seq")) {
        auto it = at.find({Str(r[0]), r[1].as<int>()});
        if (it == at.end()) continue;
        auto* rule = out[it->second].add_due_rules();
        rule->set_period_type(TypeOf(Str(r[2])));
        rule->set_kind(Str(r[3]));
        rule->set_days(r[4].as<int>());
        rule->set_month(r[5].as<int>());
        rule->set_day(r[6].as<int>());
        rule->set_year_offset(r[7].as<int>());
        rule->set_description(Str(r[8]));
        rule->set_legal_basis(Str(r[9]));
        rule->set_confirmed(r[10].as<bool>());
      }
      std::map<std::tuple<std::string, int, std::string>, v1::Section*> sections;
      for (const auto& r : tx.exec("SELECT code, version, section_code, title FROM report_sections"
                                   " ORDER BY code, version, seq")) {
        auto it = at.find({Str(r[0]), r[1].as<int>()});
        if (it == at.end()) continue;
        auto* s = out[it->second].add_sections();
        s->set_code(Str(r[2]));
        s->set_title(Str(r[3]));
      }
      // Pointers into the sections only once they are all added.
      for (auto& d : out) {
        for (auto& s : *d.mutable_sections()) sections[{d.code(), d.version(), s.code()}] = &s;
      }
      for (const auto& r : tx.exec("SELECT i.code, i.version, i.section_code, i.indicator_code, i.label, m.owner,"
                                   " i.method, i.params::text, i.select_path, i.unit_of_measure, i.confirmed,"
                                   " coalesce(i.first_year, 0), coalesce(i.last_year, 0)"
                                   " FROM report_indicators i JOIN statistic_methods m ON m.method = i.method"
                                   " ORDER BY i.code, i.version, i.section_code, i.seq")) {
        auto it = sections.find({Str(r[0]), r[1].as<int>(), Str(r[2])});
        if (it == sections.end()) continue;
        auto* ind = it->second->add_indicators();
        ind->set_code(Str(r[3]));
        ind->set_label(Str(r[4]));
        ind->set_owner(Str(r[5]));
        ind->set_method(Str(r[6]));
        ind->set_params_json(Str(r[7]));
        ind->set_select(Str(r[8]));
        ind->set_unit_of_measure(Str(r[9]));
        ind->set_confirmed(r[10].as<bool>());
        ind->set_first_year(r[11].as<int>());
        ind->set_last_year(r[12].as<int>());
      }
      for (const auto& r : tx.exec("SELECT code, version, indicator_code, kind, title, category_field, value_fields,"
                                   " y_axis_title FROM report_charts ORDER BY code, version, seq")) {
        auto it = at.find({Str(r[0]), r[1].as<int>()});
        if (it == at.end()) continue;
        auto* ch = out[it->second].add_charts();
        ch->set_indicator(Str(r[2]));
        ch->set_kind(Str(r[3]));
        ch->set_title(Str(r[4]));
        ch->set_category_field(Str(r[5]));
        for (const auto& f : db::ArrayValue(r[6])) ch->add_value_fields(f);
        ch->set_y_axis_title(Str(r[7]));
      }
      // Every indicator's rule; one without a row is read from the owner.
      for (const auto& r : tx.exec("SELECT i.code, i.version, i.indicator_code, coalesce(u.mode, 'OWNER'),"
                                   " coalesce(u.reason, 'no roll-up rule: read from the owner for the parent unit')"
                                   " FROM report_indicators i LEFT JOIN indicator_roll_up u USING (code, version,"
                                   " indicator_code) ORDER BY i.code, i.version, i.section_code, i.seq")) {
        auto it = at.find({Str(r[0]), r[1].as<int>()});
        if (it == at.end()) continue;
        auto* rule = out[it->second].add_roll_up();
        rule->set_indicator(Str(r[2]));
        rule->set_mode(Str(r[3]));
        rule->set_reason(Str(r[4]));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Report> CreateReport(const v1::Report& r, const std::string& creator,
                                          const std::string& previous_id, const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Report>([&](transaction_base& tx, v1::Report& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = NewUuidV7(absl::Now());
        const std::string code = r.definition().substr(r.definition().find('/') + 1);
        std::string series = id;
        int revision = 1;
        if (previous_id.empty()) {
          auto existing = tx.exec_params(
              "SELECT series_id::text FROM reports WHERE code = $1 AND period_type = $2 AND period_year = $3"
              " AND period_index = $4 AND unit_code = $5 AND geography = $6::date AND source = $7 AND revision = 1",
              code, common::v1::Period::Type_Name(r.period().type()), r.period().year(), r.period().index(),
              r.unit_code(), api::ProtoDateText(r.geography()), r.source());
          if (!existing.empty()) {
            return WithReason(absl::AlreadyExistsError(absl::StrCat(
                                  "this report already exists as reportInstances/", Str(existing[0][0]),
                                  ": read its latest revision, or amend it with :revise")),
                              "REPORT_EXISTS");
          }
        } else {
          // The series' latest, locked for the next revision's insert; a draft is replaced.
          auto prev = tx.exec_params("SELECT series_id::text, revision, state FROM reports WHERE id = $1::uuid FOR UPDATE",
                                     previous_id);
          if (prev.empty()) return api::NotFound("reportInstances/" + previous_id);
          series = Str(prev[0][0]);
          revision = prev[0][1].as<int>() + 1;
          auto later = tx.exec_params("SELECT id::text FROM reports WHERE series_id = $1::uuid AND revision >= $2",
                                      series, revision);
          if (!later.empty()) {
            return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                  "reportInstances/", previous_id, " is not the latest revision: amend reportInstances/",
                                  Str(later[later.size() - 1][0]))),
                              "NOT_LATEST");
          }
          const std::string state = Str(prev[0][2]);
          if (state == "SUBMITTED" || state == "APPROVED") {
            return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                  "reportInstances/", previous_id, " is ", state,
                                  ": it is returned to draft (:return) before it is amended")),
                              "IN_APPROVAL");
          }
          if (state == "DRAFT") {
            tx.exec_params("UPDATE reports SET state = 'REPLACED' WHERE id = $1::uuid", previous_id);
            tx.exec_params("INSERT INTO report_events (report_id, from_state, to_state, actor, note)"
                           " VALUES ($1::uuid, 'DRAFT', 'REPLACED', $2, $3)",
                           previous_id, creator, absl::StrCat("replaced by revision ", revision));
          }
        }
        for (int i = 0; i < r.inputs_size(); ++i) {
          const auto& in = r.inputs(i);
          tx.exec_params(
              "INSERT INTO report_inputs (report_id, ord, section_code, indicator_code, label, owner, method, request,"
              " value, cursor, read_time, unit_of_measure, confirmed, source) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7,"
              " $8::jsonb, $9::jsonb, $10, to_timestamp($11::double precision / 1000), $12, $13, $14)",
              id, i + 1, in.section(), in.indicator(), in.label(), in.owner(), in.method(), in.request_json(),
              in.value_json(), in.cursor(), in.read_time().seconds() * 1000 + in.read_time().nanos() / 1000000,
              in.unit_of_measure(), in.confirmed(), in.source().empty() ? "OWNER" : in.source());
        }
        std::vector<std::string> unit_codes, unit_names;
        for (const auto& u : r.units()) {
          unit_codes.push_back(u.code());
          unit_names.push_back(u.name());
        }
        std::vector<std::string> from;
        for (const auto& f : r.rolled_up_from()) from.push_back(api::IdOf(f));
        tx.exec_params(
            "INSERT INTO reports (id, code, version, period_type, period_year, period_index, unit_code, geography,"
            " digest, creator, series_id, revision, previous_id, amendment_reason, source, rolled_up_from, unit_names)"
            " SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8::date,"
            " encode(sha256(convert_to(coalesce(string_agg(indicator_code || E'\\t' || value::text, E'\\n' ORDER BY ord),"
            " ''), 'UTF8')), 'hex'), $9, $10::uuid, $11, NULLIF($12, '')::uuid, $13, $14, $15::uuid[],"
            " jsonb_object($16::text[], $17::text[])"
            " FROM report_inputs WHERE report_id = $1::uuid",
            id, code, r.version(), common::v1::Period::Type_Name(r.period().type()), r.period().year(),
            r.period().index(), r.unit_code(), api::ProtoDateText(r.geography()), creator, series, revision,
            previous_id, r.amendment_reason(), r.source(), db::ArrayLiteral(from), db::ArrayLiteral(unit_codes),
            db::ArrayLiteral(unit_names));
        LNOB_ASSIGN_OR_RETURN(out, Read(tx, id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Report> MoveReport(const Move& m, const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Report>([&](transaction_base& tx, v1::Report& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        auto cur = tx.exec_params("SELECT state, etag, coalesce(submitter, '') FROM reports WHERE id = $1::uuid FOR UPDATE",
                                  m.id);
        if (cur.empty()) return api::NotFound("reportInstances/" + m.id);
        const std::string from = Str(cur[0][0]);
        if (!m.etag.empty() && m.etag != Str(cur[0][1])) {
          return WithReason(absl::AbortedError(absl::StrCat("the report has changed (etag ", Str(cur[0][1]),
                                                            "): read it again")),
                            "ETAG_MISMATCH");
        }
        if (from == m.to_state) {
          return WithReason(absl::FailedPreconditionError(absl::StrCat("the report is ", from, " already")),
                            "ILLEGAL_MOVE");
        }
        if (m.to_state == "SUBMITTED") {
          tx.exec_params("UPDATE reports SET state = 'SUBMITTED', submitter = $2, approver = NULL WHERE id = $1::uuid",
                         m.id, m.actor);
        } else if (m.to_state == "DRAFT") {
          tx.exec_params("UPDATE reports SET state = 'DRAFT', approver = NULL WHERE id = $1::uuid", m.id);
        } else if (m.to_state == "APPROVED") {
          tx.exec_params("UPDATE reports SET state = 'APPROVED', approver = $2 WHERE id = $1::uuid", m.id, m.actor);
        } else if (m.to_state == "LOCKED") {
          // The rule's words are copied: the lock explains itself as it was given.
          tx.exec_params("UPDATE reports SET state = 'LOCKED', locker = $2, lock_time = now(),"
                         " lock_rule = r.rule, lock_description = r.description, lock_how_to_amend = r.how_to_amend"
                         " FROM lock_rules r WHERE r.rule = 'APPROVED_REPORT' AND reports.id = $1::uuid",
                         m.id, m.actor);
        } else {
          return absl::InternalError("unknown move " + m.to_state);
        }
        tx.exec_params("INSERT INTO report_events (report_id, from_state, to_state, actor, note)"
                       " VALUES ($1::uuid, $2, $3, $4, $5)",
                       m.id, from, m.to_state, m.actor, m.note);
        LNOB_ASSIGN_OR_RETURN(out, Read(tx, m.id));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<std::optional<v1::Report>> FindLatest(const ReportKey& k) override {
    using Out = std::optional<v1::Report>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT l.id::text FROM reports f JOIN reports l ON l.series_id = f.series_id WHERE f.code = $1"
          " AND f.period_type = $2 AND f.period_year = $3 AND f.period_index = $4 AND f.unit_code = $5"
          " AND f.geography = $6::date AND f.source = $7 AND f.revision = 1 ORDER BY l.revision DESC LIMIT 1",
          k.code, common::v1::Period::Type_Name(k.period.type()), k.period.year(), k.period.index(), k.unit_code,
          k.geography, k.source);
      if (r.empty()) return absl::OkStatus();
      LNOB_ASSIGN_OR_RETURN(auto rep, Read(tx, Str(r[0][0])));
      out = std::move(rep);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::map<std::string, v1::Report>> LatestLocked(const ReportKey& k, int version,
                                                                  const std::vector<std::string>& units) override {
    using Out = std::map<std::string, v1::Report>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               "SELECT DISTINCT ON (unit_code) unit_code, id::text FROM reports WHERE state = 'LOCKED' AND code = $1"
               " AND version = $2 AND period_type = $3 AND period_year = $4 AND period_index = $5"
               " AND geography = $6::date AND unit_code = ANY($7::text[]) ORDER BY unit_code, lock_time DESC",
               k.code, version, common::v1::Period::Type_Name(k.period.type()), k.period.year(), k.period.index(),
               k.geography, db::ArrayLiteral(units))) {
        LNOB_ASSIGN_OR_RETURN(auto rep, Read(tx, Str(r[1])));
        out.emplace(Str(r[0]), std::move(rep));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::map<std::string, std::tuple<std::string, std::string, double>>> RollUpRatios() override {
    using Out = std::map<std::string, std::tuple<std::string, std::string, double>>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec("SELECT field, numerator, denominator, factor FROM roll_up_ratios")) {
        out[Str(r[0])] = {Str(r[1]), Str(r[2]), r[3].as<double>()};
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Operation> CreateOperation(const v1::Operation& op, const db::IdempotencyKey& key,
                                                bool* created) override {
    return pool_->Write<v1::Operation>([&](transaction_base& tx, v1::Operation& out) -> absl::Status {
      *created = false;
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        *created = true;
        auto r = tx.exec_params(
            absl::StrCat("INSERT INTO operations (id, total_steps, creator, code, period_type, period_year, period_index,"
                         " unit_code) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
                         OperationColumns()),
            NewUuidV7(absl::Now()), op.total_steps(), op.creator(), api::IdOf(op.definition()),
            common::v1::Period::Type_Name(op.period().type()), op.period().year(), op.period().index(), op.unit_code());
        out = ReadOperation(r[0]);
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Operation> UpdateOperation(const std::string& id, const OperationUpdate& u) override {
    return pool_->Write<v1::Operation>([&](transaction_base& tx, v1::Operation& out) -> absl::Status {
      // A finished operation keeps its outcome (a cancel that came too late changes nothing).
      auto r = tx.exec_params(
          absl::StrCat("UPDATE operations SET state = CASE WHEN $2 = '' THEN state ELSE $2 END,"
                       " done_steps = CASE WHEN $3 < 0 THEN done_steps ELSE $3 END,"
                       " total_steps = CASE WHEN $4 < 0 THEN total_steps ELSE $4 END,"
                       " report_id = NULLIF($5, '')::uuid, error_code = $6, error_message = $7, update_time = now()"
                       " WHERE id = $1::uuid AND state = 'RUNNING' RETURNING ", OperationColumns()),
          id, u.state, u.done_steps, u.total_steps, u.report_id, u.error_code, u.error_message);
      if (r.empty()) {
        auto cur = tx.exec_params(absl::StrCat("SELECT ", OperationColumns(), " FROM operations WHERE id = $1::uuid"), id);
        if (cur.empty()) return api::NotFound("reportOperations/" + id);
        out = ReadOperation(cur[0]);
        return absl::OkStatus();
      }
      out = ReadOperation(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Operation> GetOperation(const std::string& id) override {
    return pool_->Fetch<v1::Operation>([&](transaction_base& tx, v1::Operation& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", OperationColumns(), " FROM operations WHERE id = $1::uuid"), id);
      if (r.empty()) return api::NotFound("reportOperations/" + id);
      out = ReadOperation(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<bool> CancelRequested(const std::string& id) override {
    return pool_->Fetch<bool>([&](transaction_base& tx, bool& out) -> absl::Status {
      auto r = tx.exec_params("SELECT cancel_requested FROM operations WHERE id = $1::uuid", id);
      out = !r.empty() && r[0][0].as<bool>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Operation> RequestCancel(const std::string& id) override {
    return pool_->Write<v1::Operation>([&](transaction_base& tx, v1::Operation& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("UPDATE operations SET cancel_requested = state = 'RUNNING' WHERE id = $1::uuid"
                                           " RETURNING ", OperationColumns()),
                              id);
      if (r.empty()) return api::NotFound("reportOperations/" + id);
      out = ReadOperation(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Operation>> ListOperations(const std::string& creator, const std::string& after_id,
                                                            int limit) override {
    using Out = std::vector<v1::Operation>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT ", OperationColumns(), " FROM operations WHERE creator = $1"
                            " AND ($2 = '' OR id < NULLIF($2, '')::uuid) ORDER BY id DESC LIMIT $3"),
               creator, after_id, limit)) {
        out.push_back(ReadOperation(r));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<ReportKey>> LockedKeys(int year) override {
    using Out = std::vector<ReportKey>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               absl::StrCat("SELECT DISTINCT code, period_type, period_year, period_index, unit_code, ",
                            DateText("geography"), ", source FROM reports WHERE state = 'LOCKED' AND period_year = $1"),
               year)) {
        ReportKey k;
        k.code = Str(r[0]);
        k.period.set_type(TypeOf(Str(r[1])));
        k.period.set_year(r[2].as<int>());
        k.period.set_index(r[3].as<int>());
        k.unit_code = Str(r[4]);
        k.geography = Str(r[5]);
        k.source = Str(r[6]);
        out.push_back(std::move(k));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Report> GetReport(const std::string& id) override {
    return pool_->Fetch<v1::Report>([&](transaction_base& tx, v1::Report& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, Read(tx, id));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Report>> ListReports(const std::string& code, int year,
                                                      const std::optional<std::vector<std::string>>& units,
                                                      const std::string& after_id, int limit) override {
    using Out = std::vector<v1::Report>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      for (const auto& r : tx.exec_params(
               "SELECT id::text FROM reports WHERE ($1 = '' OR code = $1) AND ($2 = 0 OR period_year = $2)"
               " AND (NOT $3 OR unit_code = ANY($4::text[])) AND ($5 = '' OR id > NULLIF($5, '')::uuid)"
               " ORDER BY id LIMIT $6",
               code, year, units.has_value(), db::ArrayLiteral(units.value_or(std::vector<std::string>{})), after_id,
               limit)) {
        LNOB_ASSIGN_OR_RETURN(auto rep, Read(tx, Str(r[0])));
        out.push_back(std::move(rep));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<bool> Replay(const db::IdempotencyKey& key, google::protobuf::Message* out) override {
    return db::ReplayResponse(*pool_, key, out);
  }

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<ReportingStore> NewPgReportingStore(db::Pool* pool) { return std::make_unique<PgReportingStore>(pool); }

}  // namespace lnob::reporting
