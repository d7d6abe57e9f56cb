#include "services/reporting/store/pg_reporting_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"

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

  bool Healthy() override { return pool_->Ping(); }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<ReportingStore> NewPgReportingStore(db::Pool* pool) { return std::make_unique<PgReportingStore>(pool); }

}  // namespace lnob::reporting
