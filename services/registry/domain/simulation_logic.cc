#include "services/registry/domain/simulation_logic.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "services/registry/domain/reference_logic.h"
#include "services/registry/export/simulation_export.h"

namespace lnob::registry {
namespace {

constexpr int kHouseholdPage = 5000;

bool Poor(const std::string& c) { return c == "POOR"; }

// Unit costs by (content, programme, source) and class.
struct CostKey {
  std::string content, programme, source;
  auto Tie() const { return std::tie(content, programme, source); }
  bool operator<(const CostKey& o) const { return Tie() < o.Tie(); }
};
struct CostRow {
  int64_t poor = 0, near_poor = 0;
  bool confirmed = true;
  std::string basis;
  int64_t Of(const std::string& cls) const { return cls == "POOR" ? poor : cls == "NEAR_POOR" ? near_poor : 0; }
};

void Count(v1::UnitSummary* u, const HouseholdLogic::SimulationCell& cell) {
  const int64_t n = cell.households;
  u->set_households(u->households() + n);
  if (Poor(cell.from)) u->set_poor_now(u->poor_now() + n);
  if (cell.from == "NEAR_POOR") u->set_near_poor_now(u->near_poor_now() + n);
  if (Poor(cell.best)) u->set_poor_best(u->poor_best() + n);
  if (Poor(cell.worst)) u->set_poor_worst(u->poor_worst() + n);
  if (cell.best == "NEAR_POOR") u->set_near_poor_best(u->near_poor_best() + n);
  if (cell.worst == "NEAR_POOR") u->set_near_poor_worst(u->near_poor_worst() + n);
  if (!Poor(cell.from) && Poor(cell.best)) u->set_entering_poverty_best(u->entering_poverty_best() + n);
  if (!Poor(cell.from) && Poor(cell.worst)) u->set_entering_poverty_worst(u->entering_poverty_worst() + n);
  if (Poor(cell.from) && !Poor(cell.worst)) u->set_leaving_poverty(u->leaving_poverty() + n);
}

void Rates(v1::UnitSummary* u) {
  if (u->households() == 0) return;
  const double n = static_cast<double>(u->households());
  u->set_poverty_rate_now(static_cast<double>(u->poor_now()) / n);
  u->set_poverty_rate_best(static_cast<double>(u->poor_best()) / n);
  u->set_poverty_rate_worst(static_cast<double>(u->poor_worst()) / n);
}

v1::AreaType AreaOf(const std::string& area) { return area == "URBAN" ? v1::AREA_TYPE_URBAN : v1::AREA_TYPE_RURAL; }

// The draft standard of a request, checked field by field.
absl::Status CheckDraft(v1::PovertyStandard* s) {
  Violations v;
  const std::string p = "draft_standard.";
  if (s->id().empty()) s->set_id("DRAFT");
  static const std::regex kId("[A-Z0-9_]{1,64}");
  if (!std::regex_match(s->id(), kId)) v.Add(p + "id", "must be 1-64 of A-Z, 0-9 and _ (e.g. LOCAL_2027)");
  if (!api::IsSet(s->valid_from())) {
    v.Add(p + "valid_from", "is required: the day the standard would take effect (unit costs are those of that day)");
  } else if (!api::FromProtoDate(s->valid_from(), p + "valid_from").ok()) {
    v.Add(p + "valid_from", "is not a valid date");
  }
  std::set<v1::AreaType> areas;
  for (int i = 0; i < s->lines_size(); ++i) {
    const auto& l = s->lines(i);
    const std::string f = absl::StrCat(p, "lines[", i, "].");
    if (l.area_type() != v1::AREA_TYPE_RURAL && l.area_type() != v1::AREA_TYPE_URBAN) {
      v.Add(f + "area_type", "must be AREA_TYPE_RURAL or AREA_TYPE_URBAN");
    } else if (!areas.insert(l.area_type()).second) {
      v.Add(f + "area_type", "is given twice");
    }
    if (l.income_line_vnd() <= 0) v.Add(f + "income_line_vnd", "must be above 0 (VND per person per month)");
    if (l.middle_income_cap_vnd() != 0 && l.middle_income_cap_vnd() <= l.income_line_vnd()) {
      v.Add(f + "middle_income_cap_vnd", "must be above the income line (0: not known)");
    }
    if (l.proxy_score_cutoff() < 0) v.Add(f + "proxy_score_cutoff", "must not be negative (0: not configured)");
  }
  if (areas.size() != 2 && s->lines_size() <= 2) {
    v.Add(p + "lines", "needs one line for AREA_TYPE_RURAL and one for AREA_TYPE_URBAN");
  }
  static const std::regex kCode("D[0-9]{2}");
  std::set<std::string> codes;
  for (int i = 0; i < s->indicators_size(); ++i) {
    const std::string& code = s->indicators(i).code();
    if (!std::regex_match(code, kCode)) {
      v.Add(absl::StrCat(p, "indicators[", i, "].code"), "must be D01..D99");
    } else if (!codes.insert(code).second) {
      v.Add(absl::StrCat(p, "indicators[", i, "].code"), "is given twice");
    }
  }
  if (s->indicators_size() == 0) v.Add(p + "indicators", "at least one deprivation indicator is required");
  if (s->min_deprivations_poor() < 1 || s->min_deprivations_poor() > std::max(1, s->indicators_size())) {
    v.Add(p + "min_deprivations_poor", "must be between 1 and the number of indicators");
  }
  s->clear_name();
  s->set_scored(true);
  return v.Status();
}

}  // namespace

void SummarizeSimulation(const HouseholdLogic::SimulationResult& r, const std::vector<v1::UnitCost>& costs,
                         v1::Simulation* out) {
  const std::string population_unit = out->unit_code();
  auto unit_of = [&](const std::string& bucket) { return bucket.empty() ? population_unit : bucket; };
  // Cells by unit (communes folded in), summaries by unit and by commune, the matrix.
  using CellKey = std::tuple<std::string, std::string, std::string, std::string, std::string, std::string, std::string>;
  std::map<CellKey, int64_t> cells;
  std::map<std::string, v1::UnitSummary> units, communes;
  v1::UnitSummary total;
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> matrix;  // (from, to) -> best, worst
  std::map<std::string, int64_t> from_total;
  for (const auto& cell : r.cells) {
    cells[{unit_of(cell.unit), cell.ethnic_group, cell.area, cell.head_sex, cell.from, cell.best, cell.worst}] +=
        cell.households;
    if (out->by_child_unit()) Count(&units[cell.unit], cell);
    Count(&communes[cell.commune], cell);
    Count(&total, cell);
    matrix[{cell.from, cell.best}].first += cell.households;
    matrix[{cell.from, cell.worst}].second += cell.households;
    from_total[cell.from] += cell.households;
  }
  for (const auto& [k, n] : cells) {
    auto* c = out->add_cells();
    c->set_unit_code(std::get<0>(k));
    c->set_ethnic_group(std::get<1>(k));
    c->set_area_type(AreaOf(std::get<2>(k)));
    c->set_head_sex(std::get<3>(k));
    c->set_from_class(std::get<4>(k));
    c->set_best_class(std::get<5>(k));
    c->set_worst_class(std::get<6>(k));
    c->set_households(n);
  }
  for (auto& [code, u] : units) {
    u.set_unit_code(code);
    Rates(&u);
    *out->add_units() = u;
  }
  total.set_unit_code("");
  Rates(&total);
  *out->add_units() = total;
  for (auto& [code, u] : communes) {
    u.set_unit_code(code);
    Rates(&u);
    *out->add_by_commune() = u;
  }
  for (const auto& [k, n] : matrix) {
    auto* t = out->add_matrix();
    t->set_from_class(k.first);
    t->set_to_class(k.second);
    t->set_households_best(n.first);
    t->set_households_worst(n.second);
    const double base = static_cast<double>(from_total[k.first]);
    if (base > 0) {
      t->set_rate_best(static_cast<double>(n.first) / base);
      t->set_rate_worst(static_cast<double>(n.second) / base);
    }
  }
  for (const auto& [input, n] : r.unknown) {
    auto* u = out->add_unknown_inputs();
    u->set_input(input);
    u->set_households(n);
  }
  // Cost: per household, the unit cost of its class under the standard less that of its class
  // now (a near-poor household turning poor needs the difference), never below zero; the low
  // figure takes the cheaper of the best and worst case, the high one the dearer.
  std::map<CostKey, CostRow> rows;
  for (const auto& c : costs) {
    CostRow& row = rows[{c.content(), c.programme(), c.source()}];
    (c.household_class() == "POOR" ? row.poor : row.near_poor) = c.amount_vnd();
    row.confirmed = row.confirmed && c.confirmed();
    if (row.basis.empty()) row.basis = c.basis();
  }
  for (const auto& [key, row] : rows) {
    auto* line = out->add_costs();
    line->set_content(key.content);
    line->set_programme(key.programme);
    line->set_source(key.source);
    line->set_poor_unit_cost_vnd(row.poor);
    line->set_near_poor_unit_cost_vnd(row.near_poor);
    line->set_confirmed(row.confirmed);
    line->set_basis(row.basis);
    for (const auto& cell : r.cells) {
      const int64_t now = row.Of(cell.from);
      const int64_t best = std::max<int64_t>(0, row.Of(cell.best) - now);
      const int64_t worst = std::max<int64_t>(0, row.Of(cell.worst) - now);
      const int64_t low = std::min(best, worst), high = std::max(best, worst);
      if (low > 0) line->set_households_low(line->households_low() + cell.households);
      if (high > 0) line->set_households_high(line->households_high() + cell.households);
      line->set_amount_low_vnd(line->amount_low_vnd() + low * cell.households);
      line->set_amount_high_vnd(line->amount_high_vnd() + high * cell.households);
    }
  }
}

absl::StatusOr<SimulationLogic::Resolved> SimulationLogic::Resolve(const v1::StartSimulationRequest& req) {
  Resolved out;
  const bool draft = req.has_draft_standard();
  if (req.standard().empty() == !draft) {
    return InvalidField("standard", "give either standard (povertyStandards/{id}) or draft_standard, and not both");
  }
  if (req.title().size() > 200) return InvalidField("title", "at most 200 bytes");
  if (!draft) {
    const std::string prefix = "povertyStandards/";
    if (req.standard().rfind(prefix, 0) != 0) return InvalidField("standard", "must be povertyStandards/{id}");
    LNOB_ASSIGN_OR_RETURN(auto standards, refs_->ListStandards());
    const std::string id = req.standard().substr(prefix.size());
    auto it = std::find_if(standards.begin(), standards.end(), [&](const auto& s) { return s.id() == id; });
    if (it == standards.end()) return api::NotFound(req.standard());
    if (!it->scored()) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat(
                            req.standard(), " is not scored by the registry (its lists are a baseline): it cannot be "
                                            "simulated; give its rule as draft_standard")),
                        "STANDARD_NOT_SCORED");
    }
    out.standard = *it;
  } else {
    out.standard = req.draft_standard();
    out.draft = true;
    LNOB_RETURN_IF_ERROR(CheckDraft(&out.standard));
  }
  out.spec.standard = StandardRulesFrom({out.standard}).front();
  const absl::CivilDay today = lnob::Today(clock_.Now());
  LNOB_ASSIGN_OR_RETURN(out.spec.as_of, api::FromProtoDateOr(req.as_of(), "as_of", today));
  LNOB_ASSIGN_OR_RETURN(out.spec.geography, api::FromProtoDateOr(req.geography(), "geography", out.spec.as_of));
  out.spec.unit_code = req.unit_code();
  out.spec.by_child_unit = req.by_child_unit();
  return out;
}

absl::StatusOr<v1::Simulation> SimulationLogic::Run(const C& c, const v1::StartSimulationRequest& req,
                                                   const Progress& progress) {
  LNOB_ASSIGN_OR_RETURN(Resolved r, Resolve(req));
  HouseholdLogic::SimulationResult result;
  LNOB_RETURN_IF_ERROR(households_->Simulate(c, r.spec, &result, progress));
  v1::Simulation s;
  s.set_title(req.title().empty() ? absl::StrCat(r.standard.id(), " on the reviews approved by ",
                                                 api::ProtoDateText(api::ToProtoDate(r.spec.as_of)))
                                  : req.title());
  *s.mutable_standard() = r.standard;
  s.set_draft_standard(r.draft);
  s.set_unit_code(r.spec.unit_code);
  *s.mutable_geography() = api::ToProtoDate(r.spec.geography);
  *s.mutable_as_of() = api::ToProtoDate(r.spec.as_of);
  s.set_by_child_unit(r.spec.by_child_unit);
  for (const auto& code : result.communes) s.add_communes(code);
  LNOB_ASSIGN_OR_RETURN(auto scope, households_->CallerCommunes(c));
  s.set_area_limited(scope.has_value());
  bool province_wide = !scope.has_value();
  if (province_wide && !r.spec.unit_code.empty()) {
    LNOB_ASSIGN_OR_RETURN(v1::AdminUnit unit, refs_->GetUnit(r.spec.unit_code, r.spec.geography));
    province_wide = unit.level() == v1::UNIT_LEVEL_PROVINCE;
  }
  s.set_province_wide(province_wide);
  s.set_creator(c.principal.subject);
  s.set_registry_cursor(result.cursor);
  s.set_households(result.households);
  s.set_exact_households(result.exact);
  s.set_changing_households(static_cast<int64_t>(result.changing.size()));
  *s.mutable_costs_as_of() = r.standard.valid_from();
  LNOB_ASSIGN_OR_RETURN(auto costs, store_->ListUnitCosts(api::ProtoDay(r.standard.valid_from())));
  SummarizeSimulation(result, costs, &s);
  return store_->CreateSimulation(s, result.changing);
}

absl::Status SimulationLogic::StartSimulation(const C& c, const v1::StartSimulationRequest& req,
                                              v1::SimulationOperation* out) {
  if (tasks_ == nullptr) return absl::UnimplementedError("this server runs no background simulations");
  // Required: a retry (the gateway's, a client's) must find its operation, not scan again.
  if (req.request_id().empty() || !api::ValidateRequestId(req.request_id()).ok()) {
    return InvalidField("request_id", "is required: a UUID");
  }
  LNOB_ASSIGN_OR_RETURN(Resolved r, Resolve(req));
  const db::IdempotencyKey key = api::IdempotencyKeyFor(req, "StartSimulation", c.principal.subject);
  v1::SimulationOperation prior;
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->ReplayOperation(key, &prior));
  if (replayed) {
    LNOB_ASSIGN_OR_RETURN(*out, store_->GetOperation(api::IdOf(prior.name())));
    return absl::OkStatus();
  }
  if (tasks_->Running() >= kMaxRunning) return TooMany();
  // The population's size (also checks the unit and the caller's area before anything starts).
  LNOB_ASSIGN_OR_RETURN(int64_t total, households_->SimulationPopulation(c, r.spec));
  bool started = false;
  LNOB_ASSIGN_OR_RETURN(v1::SimulationOperation created, store_->CreateOperation(c.principal.subject, total, key, &started));
  const std::string id = api::IdOf(created.name());
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetOperation(id));
  if (!started) return absl::OkStatus();
  // The worker's call: the caller's identity and area, no deadline of this RPC's own.
  C worker = c;
  worker.deadline = absl::InfiniteFuture();
  const bool running = tasks_->TryRun(kMaxRunning, [this, worker, req, id]() {
    // Progress is written (and a cancel looked for) at most twice a second: a write per page
    // would cost the scan a tenth of its time.
    absl::Time shown = absl::InfinitePast();
    auto progress = [&](int64_t done) -> absl::Status {
      if (stopping_.load()) return absl::UnavailableError("the service stopped during the simulation; start it again");
      const absl::Time now = clock_.Now();
      if (now - shown < absl::Milliseconds(500)) return absl::OkStatus();
      shown = now;
      LNOB_ASSIGN_OR_RETURN(bool cancel, store_->CancelRequested(id));
      if (cancel) return absl::CancelledError("cancelled by request; nothing was stored");
      SimulationStore::OperationUpdate u;
      u.done = done;
      return store_->UpdateOperation(id, u).status();
    };
    SimulationStore::OperationUpdate end;
    auto sim = Run(worker, req, progress);
    if (sim.ok()) {
      end.state = "SUCCEEDED";
      end.simulation_id = api::IdOf(sim->name());
      end.done = sim->households();
      end.total = sim->households();
    } else {
      end.state = sim.status().code() == absl::StatusCode::kCancelled ? "CANCELLED" : "FAILED";
      end.error_code = absl::StatusCodeToString(sim.status().code());
      end.error_message = std::string(sim.status().message());
    }
    (void)store_->UpdateOperation(id, end);
  });
  if (running) return absl::OkStatus();
  // The places were taken between the check and the start: the operation ends at once.
  const absl::Status st = TooMany();
  SimulationStore::OperationUpdate end;
  end.state = "FAILED";
  end.error_code = absl::StatusCodeToString(st.code());
  end.error_message = std::string(st.message());
  LNOB_ASSIGN_OR_RETURN(*out, store_->UpdateOperation(id, end));
  return st;
}

absl::Status SimulationLogic::TooMany() {
  return WithReason(
      absl::ResourceExhaustedError(absl::StrCat(kMaxRunning, " simulations are running: try again when one ends")),
      "TOO_MANY_SIMULATIONS");
}

absl::Status SimulationLogic::GetSimulationOperation(const C& c, const v1::GetSimulationOperationRequest& req,
                                                     v1::SimulationOperation* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "simulationOperations", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetOperation(id));
  if (out->creator() != c.principal.subject) return api::NotFound(req.name());  // an operation is its creator's
  // No progress for this long: the process stopped (a page of households takes seconds).
  const absl::Time updated = absl::FromUnixSeconds(out->update_time().seconds());
  if (out->state() == "RUNNING" && clock_.Now() - updated > absl::Minutes(10)) {
    out->set_state("FAILED");
    out->set_error_code("ABORTED");
    out->set_error_message("no progress for 10 minutes: the service stopped during the simulation; start it again");
  }
  return absl::OkStatus();
}

absl::Status SimulationLogic::CancelSimulationOperation(const C& c, const v1::CancelSimulationOperationRequest& req,
                                                        v1::SimulationOperation* out) {
  v1::GetSimulationOperationRequest get;
  get.set_name(req.name());
  LNOB_RETURN_IF_ERROR(GetSimulationOperation(c, get, out));
  LNOB_ASSIGN_OR_RETURN(*out, store_->RequestCancel(api::IdOf(req.name())));
  return absl::OkStatus();
}

absl::StatusOr<v1::Simulation> SimulationLogic::Visible(const C& c, const std::string& name, const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "simulations", field));
  LNOB_ASSIGN_OR_RETURN(v1::Simulation s, store_->GetSimulation(id));
  LNOB_ASSIGN_OR_RETURN(auto scope, households_->CallerCommunes(c));
  if (scope) {
    for (const auto& code : s.communes()) {
      if (!scope->count(code)) return api::NotFound(name);
    }
  }
  return s;
}

absl::Status SimulationLogic::GetSimulation(const C& c, const v1::GetSimulationRequest& req, v1::Simulation* out) {
  LNOB_ASSIGN_OR_RETURN(*out, Visible(c, req.name(), "name"));
  return absl::OkStatus();
}

absl::Status SimulationLogic::ListSimulations(const C& c, const v1::ListSimulationsRequest& req,
                                              v1::ListSimulationsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto scope, households_->CallerCommunes(c));
  std::optional<std::vector<std::string>> within;
  if (scope) within.emplace(scope->begin(), scope->end());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Simulation>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListSimulations(within, after, limit);
                                       },
                                       [](const v1::Simulation& s) { return api::IdOf(s.name()); },
                                       out->mutable_next_page_token()));
  for (auto& s : rows) *out->add_simulations() = std::move(s);
  return absl::OkStatus();
}

absl::Status SimulationLogic::Disclose(const C& c, absl::Span<v1::SimulatedHousehold* const> households) {
  // A household that has since moved out of the caller's area: its classes stay (they are the
  // simulation's), what it is now does not.
  LNOB_ASSIGN_OR_RETURN(auto scope, households_->CallerCommunes(c));
  std::vector<google::protobuf::Message*> msgs;
  msgs.reserve(households.size());
  for (auto* h : households) {
    if (scope && !scope->count(h->current_commune_code())) {
      h->clear_current_commune_code();
      h->clear_head_name();
      h->clear_head_ethnicity_code();
      h->clear_village();
    }
    msgs.push_back(h);
  }
  return households_->Present(c, msgs);
}

absl::Status SimulationLogic::ListSimulationHouseholds(const C& c, const v1::ListSimulationHouseholdsRequest& req,
                                                       v1::ListSimulationHouseholdsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Simulation s, Visible(c, req.parent(), "parent"));
  LNOB_ASSIGN_OR_RETURN(auto communes, CommuneFilter(s, req.commune_code()));
  const std::string id = api::IdOf(s.name());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::SimulatedHousehold>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         std::vector<std::string> key = absl::StrSplit(after, '/');
                                         key.resize(2);
                                         return store_->ListHouseholds(id, communes, key[0], key[1], limit);
                                       },
                                       [](const v1::SimulatedHousehold& h) {
                                         return absl::StrCat(h.commune_code(), "/", api::IdOf(h.household()));
                                       },
                                       out->mutable_next_page_token()));
  std::vector<v1::SimulatedHousehold*> page;
  for (auto& h : rows) {
    auto* m = out->add_households();
    *m = std::move(h);
    page.push_back(m);
  }
  return Disclose(c, page);
}

absl::StatusOr<std::vector<std::string>> SimulationLogic::CommuneFilter(const v1::Simulation& s,
                                                                      const std::string& commune) {
  if (commune.empty()) return std::vector<std::string>{};
  if (std::find(s.communes().begin(), s.communes().end(), commune) == s.communes().end()) {
    return InvalidField("commune_code", "is not a commune of the simulation's population");
  }
  return std::vector<std::string>{commune};
}

absl::StatusOr<std::vector<v1::SimulatedHousehold>> SimulationLogic::AllHouseholds(const C& c, const v1::Simulation& s,
                                                                                  const std::string& commune) {
  LNOB_ASSIGN_OR_RETURN(auto communes, CommuneFilter(s, commune));
  std::vector<v1::SimulatedHousehold> all;
  std::string after_commune, after_id;
  while (true) {
    LNOB_ASSIGN_OR_RETURN(auto page,
                          store_->ListHouseholds(api::IdOf(s.name()), communes, after_commune, after_id, kHouseholdPage));
    for (auto& h : page) all.push_back(std::move(h));
    if (static_cast<int>(page.size()) < kHouseholdPage) break;
    after_commune = all.back().commune_code();
    after_id = api::IdOf(all.back().household());
  }
  std::vector<v1::SimulatedHousehold*> page;
  page.reserve(all.size());
  for (auto& h : all) page.push_back(&h);
  LNOB_RETURN_IF_ERROR(Disclose(c, page));
  return all;
}

absl::Status SimulationLogic::ExportSimulation(const C& c, const v1::ExportSimulationRequest& req,
                                               v1::SimulationFile* out) {
  const std::string format = req.format().empty() ? "XLSX" : req.format();
  if (format != "CSV" && format != "XLSX") return InvalidField("format", "must be CSV or XLSX");
  LNOB_ASSIGN_OR_RETURN(v1::Simulation s, Visible(c, req.name(), "name"));
  // One file is one message: beyond this many households, a commune at a time.
  if (req.commune_code().empty() && s.changing_households() > kMaxExportHouseholds) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          s.changing_households(), " households change class: more than ", kMaxExportHouseholds,
                          " for one file; export a commune at a time (commune_code)")),
                      "EXPORT_TOO_LARGE");
  }
  LNOB_ASSIGN_OR_RETURN(auto households, AllHouseholds(c, s, req.commune_code()));
  const std::string base = absl::StrCat("simulation-", s.standard().id(), "-",
                                        s.unit_code().empty() ? "all" : s.unit_code(), "-", api::IdOf(s.name()));
  if (format == "CSV") {
    out->set_filename(base + ".csv");
    out->set_content_type("text/csv; charset=utf-8");
    out->set_content(SimulationHouseholdsCsv(s, households));
    return absl::OkStatus();
  }
  LNOB_ASSIGN_OR_RETURN(std::string bytes, SimulationXlsx(s, households));
  out->set_filename(base + ".xlsx");
  out->set_content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  out->set_content(std::move(bytes));
  return absl::OkStatus();
}

absl::Status SimulationLogic::CompareSimulations(const C& c, const v1::CompareSimulationsRequest& req,
                                                 v1::SimulationComparison* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Simulation a, Visible(c, req.a(), "a"));
  LNOB_ASSIGN_OR_RETURN(v1::Simulation b, Visible(c, req.b(), "b"));
  std::map<std::string, v1::UnitComparison> units;
  for (const auto& u : a.units()) *units[u.unit_code()].mutable_a() = u;
  for (const auto& u : b.units()) *units[u.unit_code()].mutable_b() = u;
  for (auto& [code, row] : units) {
    row.set_unit_code(code);
    row.set_entering_poverty_best_delta(row.b().entering_poverty_best() - row.a().entering_poverty_best());
    row.set_entering_poverty_worst_delta(row.b().entering_poverty_worst() - row.a().entering_poverty_worst());
  }
  // The totals ("") last, like the simulations' own summaries.
  for (auto& [code, row] : units) {
    if (!code.empty()) *out->add_units() = row;
  }
  if (units.count("")) *out->add_units() = units[""];
  for (const auto& line : a.costs()) {
    out->set_cost_low_a_vnd(out->cost_low_a_vnd() + line.amount_low_vnd());
    out->set_cost_high_a_vnd(out->cost_high_a_vnd() + line.amount_high_vnd());
  }
  for (const auto& line : b.costs()) {
    out->set_cost_low_b_vnd(out->cost_low_b_vnd() + line.amount_low_vnd());
    out->set_cost_high_b_vnd(out->cost_high_b_vnd() + line.amount_high_vnd());
  }
  for (auto* s : {&a, &b}) {
    s->clear_cells();
    s->clear_by_commune();
  }
  *out->mutable_a() = std::move(a);
  *out->mutable_b() = std::move(b);
  return absl::OkStatus();
}

absl::Status SimulationLogic::ListUnitCosts(const C& c, const v1::ListUnitCostsRequest& req,
                                            v1::ListUnitCostsResponse* out) {
  (void)c;
  std::optional<absl::CivilDay> as_of;
  if (api::IsSet(req.as_of())) {
    LNOB_ASSIGN_OR_RETURN(as_of, api::FromProtoDate(req.as_of(), "as_of"));
  }
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListUnitCosts(as_of));
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& x : page) *out->add_unit_costs() = std::move(x);
  return absl::OkStatus();
}

}  // namespace lnob::registry
