#include "services/reporting/store/pg_reporting_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
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

// A report with its inputs (a page of reports reads each: pages are small, reports few).
absl::StatusOr<v1::Report> Read(transaction_base& tx, const std::string& id) {
  auto r = tx.exec_params(absl::StrCat("SELECT id::text, code, version, period_type, period_year, period_index,"
                                       " unit_code, ", DateText("geography"), ", state, digest, creator, ",
                                       db::Rfc3339("create_time"), " FROM reports WHERE id = $1::uuid"),
                          id);
  if (r.empty()) return api::NotFound("reportInstances/" + id);
  v1::Report out;
  out.set_name("reportInstances/" + Str(r[0][0]));
  out.set_definition("reportDefinitions/" + Str(r[0][1]));
  out.set_version(r[0][2].as<int>());
  out.mutable_period()->set_type(TypeOf(Str(r[0][3])));
  out.mutable_period()->set_year(r[0][4].as<int>());
  out.mutable_period()->set_index(r[0][5].as<int>());
  out.set_unit_code(Str(r[0][6]));
  api::SetProtoDate(Str(r[0][7]), out.mutable_geography());
  out.set_state(Str(r[0][8]));
  out.set_digest(Str(r[0][9]));
  out.set_creator(Str(r[0][10]));
  api::SetProtoTimestamp(Str(r[0][11]), out.mutable_create_time());
  for (const auto& x : tx.exec_params(
           absl::StrCat("SELECT section_code, indicator_code, label, owner, method, request::text, value::text, cursor, ",
                        db::Rfc3339("read_time"), ", unit_of_measure, confirmed FROM report_inputs"
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
  }
  return out;
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
                                   " i.method, i.params::text, i.select_path, i.unit_of_measure, i.confirmed"
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
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Report> CreateReport(const v1::Report& r, const std::string& creator,
                                          const db::IdempotencyKey& key) override {
    return pool_->Write<v1::Report>([&](transaction_base& tx, v1::Report& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = NewUuidV7(absl::Now());
        for (int i = 0; i < r.inputs_size(); ++i) {
          const auto& in = r.inputs(i);
          tx.exec_params(
              "INSERT INTO report_inputs (report_id, ord, section_code, indicator_code, label, owner, method, request,"
              " value, cursor, read_time, unit_of_measure, confirmed) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7,"
              " $8::jsonb, $9::jsonb, $10, to_timestamp($11::double precision / 1000), $12, $13)",
              id, i + 1, in.section(), in.indicator(), in.label(), in.owner(), in.method(), in.request_json(),
              in.value_json(), in.cursor(),
              in.read_time().seconds() * 1000 + in.read_time().nanos() / 1000000, in.unit_of_measure(), in.confirmed());
        }
        tx.exec_params(
            "INSERT INTO reports (id, code, version, period_type, period_year, period_index, unit_code, geography,"
            " digest, creator) SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8::date,"
            " encode(sha256(convert_to(coalesce(string_agg(indicator_code || E'\\t' || value::text, E'\\n' ORDER BY ord),"
            " ''), 'UTF8')), 'hex'), $9 FROM report_inputs WHERE report_id = $1::uuid",
            id, r.definition().substr(r.definition().find('/') + 1), r.version(),
            common::v1::Period::Type_Name(r.period().type()), r.period().year(), r.period().index(), r.unit_code(),
            api::ProtoDateText(r.geography()), creator);
        LNOB_ASSIGN_OR_RETURN(out, Read(tx, id));
        return absl::OkStatus();
      });
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

  absl::StatusOr<bool> Replay(const db::IdempotencyKey& key, v1::Report* out) override {
    return pool_->Fetch<bool>([&](transaction_base& tx, bool& found) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(auto prior, db::PriorResponse(tx, key));
      found = prior.has_value() && out->ParseFromString(*prior);
      return absl::OkStatus();
    });
  }

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<ReportingStore> NewPgReportingStore(db::Pool* pool) { return std::make_unique<PgReportingStore>(pool); }

}  // namespace lnob::reporting
