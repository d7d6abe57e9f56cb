// A standard not yet in force applied to the registry's households as their latest approved
// reviews describe them: the classes each would have (or the range its unknown inputs allow),
// against an expectation worked out by hand from the brief's lines; nothing written; the
// caller's area.

#include <pqxx/pqxx>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "common/api/resource_name.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/registry/api/business_metrics.h"
#include "common/util/task_runner.h"
#include "services/registry/domain/reference_logic.h"
#include "services/registry/domain/simulation_logic.h"
#include "services/registry/store/pg_simulation_store.h"
#include "tests/integration/household_fixture.h"

namespace lnob::registry {
namespace {

class SimulationScanTest : public HouseholdTest {
 protected:
  // Every table of the registry's schema with its row count.
  std::map<std::string, int64_t> RowCounts() {
    std::map<std::string, int64_t> out;
    pqxx::connection conn(db_->admin_url());
    pqxx::nontransaction tx(conn);
    for (const auto& t : tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'registry'")) {
      const std::string name = t[0].as<std::string>();
      out[name] = tx.exec1("SELECT count(*) FROM registry." + tx.quote_name(name))[0].as<int64_t>();
    }
    return out;
  }

  HouseholdLogic::SimulationSpec Spec2027() {
    auto standards = refs_->ListStandards();
    EXPECT_TRUE(standards.ok());
    HouseholdLogic::SimulationSpec spec;
    for (const auto& rule : StandardRulesFrom(*standards)) {
      if (rule.id == "PS_2027_2030") spec.standard = rule;
    }
    spec.as_of = absl::CivilDay(2025, 12, 31);
    spec.geography = absl::CivilDay(2025, 12, 31);
    return spec;
  }

  v1::StartSimulationRequest Request2027() {
    v1::StartSimulationRequest req;
    req.set_standard("povertyStandards/PS_2027_2030");
    *req.mutable_as_of() = Day(2025, 12, 31);
    return req;
  }

  std::string Household(const std::string& commune, const std::string& name) {
    return Create(commune, {Person(name, v1::HEAD, "22", "", v1::FEMALE)}).name();
  }
};

// The field the first violation of an INVALID_ARGUMENT names ("" when none).
std::string FirstField(const absl::Status& st) {
  auto v = GetFieldViolations(st);
  return v.empty() ? "" : v[0].field;
}

using Transition = std::tuple<std::string, std::string, std::string>;  // from, worst, best

TEST_F(SimulationScanTest, TheDecree351StandardAppliedToThe2025ListsWithTheRangesItsUnknownsAllow) {
  // Ward 25195 (urban). The 2025 reviews make the 2026 lists under NĐ 07/2021 (urban line
  // 2,000,000, cap 3,000,000, D01–D12); NĐ 351/2025 has the urban line 2,800,000, no cap given,
  // and D13 (waste) that no 2025 review assessed.
  const std::string a = Household("25195", "Thị A"), b = Household("25195", "Thị B"),
                    c = Household("25195", "Thị C"), d = Household("25195", "Thị D"),
                    e = Household("25195", "Thị E"), f = Household("25216", "Thị F");
  Classify(a, 2025, 2000000, 3);  // at the old line, 3 deprived: POOR, and POOR under the new
  Classify(b, 2025, 2500000, 3);  // middle income, now under the new line: enters poverty
  Classify(c, 2025, 2500000, 2);  // middle income, under the new line with 2: D13 decides
  Classify(d, 2025, 3500000, 0);  // not poor; above the new line with no cap: middle or not
  // e: never classified: nothing is known.
  Classify(f, 2025, 1000000, 4);  // another ward: poor either way
  const auto before = RowCounts();
  HouseholdLogic::SimulationResult out;
  absl::Status st = logic_->Simulate(admin_, Spec2027(), &out);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(out.households, 6);
  EXPECT_EQ(out.exact, 3);  // a, b, f
  std::map<Transition, int64_t> got;
  for (const auto& cell : out.cells) got[{cell.from, cell.worst, cell.best}] += cell.households;
  const std::map<Transition, int64_t> want = {
      {{"POOR", "POOR", "POOR"}, 2},                            // a, f
      {{"MIDDLE_INCOME", "POOR", "POOR"}, 1},                   // b
      {{"MIDDLE_INCOME", "POOR", "NEAR_POOR"}, 1},              // c
      {{"NOT_POOR", "MIDDLE_INCOME", "NOT_POOR"}, 1},           // d
      {{"UNCLASSIFIED", "POOR", "NOT_POOR"}, 1},                // e
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(out.unknown["D13"], 2);                 // c, and e's every indicator
  EXPECT_EQ(out.unknown["middle_income_cap"], 1);   // d
  EXPECT_EQ(out.unknown["income"], 1);              // e
  std::set<std::string> changing;
  for (const auto& h : out.changing) changing.insert(h.id);
  EXPECT_EQ(changing,
            (std::set<std::string>{api::IdOf(b), api::IdOf(c)}));  // d's list stays (none); e has none to change
  for (const auto& cell : out.cells) {
    EXPECT_EQ(cell.area, "URBAN");
    EXPECT_EQ(cell.head_sex, "FEMALE");
    EXPECT_EQ(cell.ethnic_group, "EM");
  }
  EXPECT_GT(out.cursor, 0);
  // A simulation writes nothing: every table of the registry has the rows it had.
  EXPECT_EQ(RowCounts(), before);
  // By child unit (the 2025 province's communes): every household placed, each under a unit.
  auto by_unit = Spec2027();
  by_unit.unit_code = "75";
  by_unit.by_child_unit = true;
  ASSERT_TRUE(logic_->Simulate(admin_, by_unit, &out).ok());
  int64_t placed = 0;
  for (const auto& cell : out.cells) {
    EXPECT_FALSE(cell.unit.empty());
    placed += cell.households;
  }
  EXPECT_EQ(placed, 6);
}

TEST_F(SimulationScanTest, AnOfficerSimulatesOnlyTheirCommunes) {
  Classify(Household("25195", "Thị G"), 2025, 2500000, 3);
  Classify(Household("25216", "Thị H"), 2025, 2500000, 3);
  HouseholdLogic::SimulationResult out;
  ASSERT_TRUE(logic_->Simulate(officer_, Spec2027(), &out).ok());
  EXPECT_EQ(out.households, 1);  // the officer's ward only
  auto other = Spec2027();
  other.unit_code = "25216";  // another ward, on the geography it existed in
  other.geography = absl::CivilDay(2024, 12, 31);
  EXPECT_EQ(logic_->Simulate(officer_, other, &out).code(), absl::StatusCode::kPermissionDenied);
}

// The stored simulation: its totals, costs, households (masked for a caller without the
// personal-data permission, audited for one with it), files, a comparison with a higher local
// standard, the operation, and a snapshot that never changes.
TEST_F(SimulationScanTest, AStoredSimulationWithItsCostHouseholdsFilesAndComparison) {
  const std::string a = Household("25195", "Thị A"), b = Household("25195", "Thị B"),
                    c = Household("25195", "Thị C"), d = Household("25195", "Thị D"),
                    e = Household("25195", "Thị E"), f = Household("25216", "Thị F");
  Classify(a, 2025, 1000000, 4);
  Classify(b, 2025, 2500000, 3);
  Classify(c, 2025, 2500000, 2);
  Classify(d, 2025, 3500000, 0);
  Classify(f, 2025, 1000000, 4);
  auto sims = NewPgSimulationStore(pool_.get());
  SimulationLogic logic(logic_.get(), refs_.get(), sims.get(), api::PageTokenCodec("test-secret-0123456789"), clock_);
  const auto before = RowCounts();
  auto run = logic.Run(admin_, Request2027());
  ASSERT_TRUE(run.ok()) << run.status();
  const v1::Simulation& s = *run;
  EXPECT_EQ(s.households(), 6);
  EXPECT_EQ(s.changing_households(), 2);  // b, c (d: not poor to middle income at most, no list; e: never on one)
  EXPECT_FALSE(s.draft_standard());
  EXPECT_EQ(s.standard().id(), "PS_2027_2030");
  EXPECT_GT(s.registry_cursor(), 0);
  ASSERT_EQ(s.units_size(), 1);
  const v1::UnitSummary& total = s.units(0);
  EXPECT_EQ(total.unit_code(), "");
  EXPECT_EQ(total.poor_now(), 2);                // a, f
  EXPECT_EQ(total.poor_best(), 3);               // a, f, b
  EXPECT_EQ(total.poor_worst(), 5);              // and c (D13), e (nothing known)
  EXPECT_EQ(total.entering_poverty_best(), 1);   // b
  EXPECT_EQ(total.entering_poverty_worst(), 3);  // b, c, e
  EXPECT_DOUBLE_EQ(total.poverty_rate_now(), 2.0 / 6);
  // By commune: the dashboard's households entering poverty.
  std::map<std::string, int64_t> entering;
  for (const auto& u : s.by_commune()) entering[u.unit_code()] = u.entering_poverty_worst();
  EXPECT_EQ(entering, (std::map<std::string, int64_t>{{"25195", 3}, {"25216", 0}}));
  // The matrix: of the two middle-income households, both possibly poor, one certainly.
  bool middle_to_poor = false;
  for (const auto& t : s.matrix()) {
    if (t.from_class() == "MIDDLE_INCOME" && t.to_class() == "POOR") {
      middle_to_poor = true;
      EXPECT_EQ(t.households_best(), 1);
      EXPECT_EQ(t.households_worst(), 2);
      EXPECT_DOUBLE_EQ(t.rate_worst(), 1.0);
    }
  }
  EXPECT_TRUE(middle_to_poor);
  // Cost with the 2027 unit costs (livestock, central recurrent: poor 12,000,000, near-poor
  // 8,000,000): b 12M either way, c 8M-12M, e 0-12M, d nothing.
  bool priced = false;
  for (const auto& line : s.costs()) {
    if (line.content() != "LIVESTOCK_CROPS" || line.source() != "CENTRAL_RECURRENT") continue;
    priced = true;
    EXPECT_EQ(line.poor_unit_cost_vnd(), 12000000);
    EXPECT_EQ(line.households_low(), 2);
    EXPECT_EQ(line.households_high(), 3);
    EXPECT_EQ(line.amount_low_vnd(), 20000000);
    EXPECT_EQ(line.amount_high_vnd(), 36000000);
    EXPECT_FALSE(line.confirmed());
  }
  EXPECT_TRUE(priced);
  EXPECT_EQ(api::ProtoDateText(s.costs_as_of()), "2027-01-01");
  // Nothing written outside the simulation's own tables.
  auto after = RowCounts();
  EXPECT_EQ(after["simulations"], before.at("simulations") + 1);
  EXPECT_EQ(after["simulation_households"], before.at("simulation_households") + 2);
  for (const auto& t : {"simulations", "simulation_households"}) after[t] = before.at(t);
  EXPECT_EQ(after, before);
  // The dashboard's gauge: the newest simulation's households entering poverty, by commune.
  {
    prometheus::Registry registry;
    BusinessMetrics metrics(logic_.get(), registry, clock_, &logic);
    ASSERT_TRUE(metrics.Refresh().ok());
    const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
    EXPECT_TRUE(absl::StrContains(text, "lnob_simulation_entering_poverty{case=\"possible\",commune=\"25195\"} 3")) << text;
    EXPECT_TRUE(absl::StrContains(text, "lnob_simulation_entering_poverty{case=\"certain\",commune=\"25195\"} 1")) << text;
    EXPECT_TRUE(absl::StrContains(text, "lnob_simulation_entering_poverty{case=\"possible\",commune=\"25216\"} 0")) << text;
  }

  // The households, unmasked for the admin (and audited), read back as stored.
  v1::ListSimulationHouseholdsRequest list;
  list.set_parent(s.name());
  v1::ListSimulationHouseholdsResponse page;
  const int64_t audits = RowCounts()["pii_audit"];
  ASSERT_TRUE(logic.ListSimulationHouseholds(admin_, list, &page).ok());
  ASSERT_EQ(page.households_size(), 2);
  std::map<std::string, std::string> worst;
  for (const auto& h : page.households()) {
    worst[h.household()] = h.worst_class();
    EXPECT_TRUE(h.masked_fields().empty());
    EXPECT_EQ(h.head_name().rfind("Thị ", 0), 0u) << h.head_name();
  }
  EXPECT_EQ(worst, (std::map<std::string, std::string>{{b, "POOR"}, {c, "POOR"}}));
  EXPECT_EQ(RowCounts()["pii_audit"], audits + 1);
  // Paged, one at a time: the same two.
  list.set_page_size(1);
  std::set<std::string> paged;
  do {
    v1::ListSimulationHouseholdsResponse p;
    ASSERT_TRUE(logic.ListSimulationHouseholds(admin_, list, &p).ok());
    for (const auto& h : p.households()) paged.insert(h.household());
    list.set_page_token(p.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(paged.size(), 2u);

  // A commune officer without personal-data permissions: sees only simulations of their ward,
  // and the names masked.
  v1::GetSimulationRequest get;
  get.set_name(s.name());
  v1::Simulation got;
  EXPECT_EQ(logic.GetSimulation(officer_, get, &got).code(), absl::StatusCode::kNotFound);
  auto mine = logic.Run(officer_, Request2027());
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->households(), 5);
  EXPECT_TRUE(mine->area_limited());
  EXPECT_FALSE(mine->province_wide());
  EXPECT_TRUE(s.province_wide());
  {
    // The dashboard still shows the province-wide simulation, not the officer's one ward.
    prometheus::Registry registry;
    BusinessMetrics metrics(logic_.get(), registry, clock_, &logic);
    ASSERT_TRUE(metrics.Refresh().ok());
    const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
    EXPECT_TRUE(absl::StrContains(text, "lnob_simulation_entering_poverty{case=\"possible\",commune=\"25216\"} 0")) << text;
  }
  v1::ListSimulationsResponse listed;
  ASSERT_TRUE(logic.ListSimulations(officer_, v1::ListSimulationsRequest(), &listed).ok());
  ASSERT_EQ(listed.simulations_size(), 1);
  EXPECT_EQ(listed.simulations(0).name(), mine->name());
  list = v1::ListSimulationHouseholdsRequest();
  list.set_parent(mine->name());
  page.Clear();
  ASSERT_TRUE(logic.ListSimulationHouseholds(officer_, list, &page).ok());
  ASSERT_EQ(page.households_size(), 2);
  std::set<std::string> initials;
  for (const auto& h : page.households()) {
    initials.insert(h.head_name());
    EXPECT_EQ(h.head_ethnicity_code(), "");
    EXPECT_FALSE(h.masked_fields().empty());
    EXPECT_EQ(h.current_commune_code(), "25195");
  }
  EXPECT_EQ(initials, (std::set<std::string>{"T. B.", "T. C."}));

  // Files.
  v1::ExportSimulationRequest ex;
  ex.set_name(s.name());
  ex.set_format("CSV");
  v1::SimulationFile file;
  ASSERT_TRUE(logic.ExportSimulation(admin_, ex, &file).ok());
  EXPECT_EQ(std::count(file.content().begin(), file.content().end(), '\n'), 3);  // heading + 2
  ex.set_format("XLSX");
  ASSERT_TRUE(logic.ExportSimulation(admin_, ex, &file).ok());
  EXPECT_EQ(file.content().substr(0, 2), "PK");
  ex.set_format("PDF");
  EXPECT_EQ(FirstField(logic.ExportSimulation(admin_, ex, &file)), "format");

  // A higher local standard (urban line 3,600,000): d, at 3,500,000 with no deprivation, turns
  // near-poor; the rest as nationally.
  auto local = Request2027();
  local.clear_standard();
  {
    auto standards = refs_->ListStandards();
    ASSERT_TRUE(standards.ok());
    for (const auto& st : *standards) {
      if (st.id() == "PS_2027_2030") *local.mutable_draft_standard() = st;
    }
    auto* draft = local.mutable_draft_standard();
    draft->set_id("LOCAL_2027");
    for (auto& line : *draft->mutable_lines()) {
      if (line.area_type() == v1::AREA_TYPE_URBAN) line.set_income_line_vnd(3600000);
    }
  }
  auto higher = logic.Run(admin_, local);
  ASSERT_TRUE(higher.ok()) << higher.status();
  EXPECT_TRUE(higher->draft_standard());
  v1::CompareSimulationsRequest cmp;
  cmp.set_a(s.name());
  cmp.set_b(higher->name());
  v1::SimulationComparison comparison;
  ASSERT_TRUE(logic.CompareSimulations(admin_, cmp, &comparison).ok());
  ASSERT_FALSE(comparison.units().empty());
  const auto& totals = comparison.units(comparison.units_size() - 1);
  EXPECT_EQ(totals.unit_code(), "");
  EXPECT_EQ(totals.entering_poverty_worst_delta(), 0);
  EXPECT_EQ(totals.b().near_poor_best() - totals.a().near_poor_best(), 1);  // d
  EXPECT_GT(comparison.cost_low_b_vnd(), comparison.cost_low_a_vnd());

  // Bad requests name their field.
  auto both = local;
  both.set_standard("povertyStandards/PS_2027_2030");
  EXPECT_EQ(FirstField(logic.Run(admin_, both).status()), "standard");
  auto no_urban = local;
  no_urban.mutable_draft_standard()->mutable_lines()->RemoveLast();
  EXPECT_EQ(FirstField(logic.Run(admin_, no_urban).status()), "draft_standard.lines");
  auto bad_cap = local;
  bad_cap.mutable_draft_standard()->mutable_lines(0)->set_middle_income_cap_vnd(1);
  EXPECT_EQ(FirstField(logic.Run(admin_, bad_cap).status()), "draft_standard.lines[0].middle_income_cap_vnd");
  auto baseline = Request2027();
  baseline.set_standard("povertyStandards/PS_2016_2020");
  EXPECT_EQ(logic.Run(admin_, baseline).status().code(), absl::StatusCode::kFailedPrecondition);

  // The snapshot never changes.
  {
    pqxx::connection conn(db_->admin_url());
    pqxx::work tx(conn);
    EXPECT_THROW(tx.exec("UPDATE registry.simulations SET title = 'x'"), pqxx::sql_error);
  }
  {
    pqxx::connection conn(db_->admin_url());
    pqxx::work tx(conn);
    EXPECT_THROW(tx.exec("DELETE FROM registry.simulation_households"), pqxx::sql_error);
  }
  // A household that has since moved out of the officer's ward keeps its classes in the
  // simulation, and nothing of what it is now.
  {
    v1::GetHouseholdRequest hreq;
    hreq.set_name(c);
    v1::Household he;
    ASSERT_TRUE(logic_->GetHousehold(admin_, hreq, &he).ok());
    v1::MoveHouseholdRequest mv;
    mv.set_name(c);
    mv.set_commune_code("26359");
    mv.set_etag(he.etag());
    absl::Status moved = logic_->MoveHousehold(admin_, mv, &he);
    ASSERT_TRUE(moved.ok()) << moved;
  }
  page.Clear();
  ASSERT_TRUE(logic.ListSimulationHouseholds(officer_, list, &page).ok());
  ASSERT_EQ(page.households_size(), 2);
  int seen = 0;
  for (const auto& h : page.households()) {
    if (h.household() != c) continue;
    ++seen;
    EXPECT_EQ(h.worst_class(), "POOR");
    EXPECT_EQ(h.current_commune_code(), "");
    EXPECT_EQ(h.head_name(), "");
  }
  EXPECT_EQ(seen, 1);
}

TEST_F(SimulationScanTest, ASimulationRunsAsAnOperation) {
  Classify(Household("25195", "Thị A"), 2025, 2500000, 3);
  auto sims = NewPgSimulationStore(pool_.get());
  ThreadTaskRunner tasks;
  SimulationLogic logic(logic_.get(), refs_.get(), sims.get(), api::PageTokenCodec("test-secret-0123456789"), clock_,
                        &tasks);
  auto req = Request2027();
  req.set_request_id("0190a7c4-7b1e-7cc0-8a4b-6f7d6c1e2a01");
  v1::SimulationOperation op;
  ASSERT_TRUE(logic.StartSimulation(admin_, req, &op).ok());
  EXPECT_EQ(op.total_households(), 1);
  tasks.Join();
  v1::GetSimulationOperationRequest get;
  get.set_name(op.name());
  ASSERT_TRUE(logic.GetSimulationOperation(admin_, get, &op).ok());
  EXPECT_EQ(op.state(), "SUCCEEDED") << op.error_message();
  EXPECT_EQ(op.done_households(), 1);
  EXPECT_FALSE(op.simulation().empty());
  // A retry returns the same operation; another caller does not see it.
  v1::SimulationOperation again;
  ASSERT_TRUE(logic.StartSimulation(admin_, req, &again).ok());
  EXPECT_EQ(again.name(), op.name());
  EXPECT_EQ(logic.GetSimulationOperation(checker_, get, &again).code(), absl::StatusCode::kNotFound);
  v1::GetSimulationRequest sim;
  sim.set_name(op.simulation());
  v1::Simulation s;
  ASSERT_TRUE(logic.GetSimulation(admin_, sim, &s).ok());
  EXPECT_EQ(s.units(0).entering_poverty_best(), 1);
  // Cancelling a finished operation changes nothing.
  v1::CancelSimulationOperationRequest cancel;
  cancel.set_name(op.name());
  ASSERT_TRUE(logic.CancelSimulationOperation(admin_, cancel, &again).ok());
  EXPECT_EQ(again.state(), "SUCCEEDED");
}

// Tasks kept until the test runs them: what happens between a start and its worker is then
// the test's to choose.
class ManualTaskRunner final : public TaskRunner {
 public:
  void Run(std::function<void()> task) override { tasks_.push_back(std::move(task)); }
  bool TryRun(int limit, std::function<void()> task) override {
    if (static_cast<int>(tasks_.size()) >= limit) return false;
    Run(std::move(task));
    return true;
  }
  int Running() override { return static_cast<int>(tasks_.size()); }
  void RunAll() {
    auto tasks = std::move(tasks_);
    tasks_.clear();
    for (auto& t : tasks) t();
  }

 private:
  std::vector<std::function<void()>> tasks_;
};

TEST_F(SimulationScanTest, ACancelledSimulationStoresNothingAndAThirdWaits) {
  Classify(Household("25195", "Thị A"), 2025, 2500000, 3);
  auto sims = NewPgSimulationStore(pool_.get());
  ManualTaskRunner tasks;
  SimulationLogic logic(logic_.get(), refs_.get(), sims.get(), api::PageTokenCodec("test-secret-0123456789"), clock_,
                        &tasks);
  auto req = Request2027();
  v1::SimulationOperation op;
  EXPECT_EQ(FirstField(logic.StartSimulation(admin_, req, &op)), "request_id");  // required
  req.set_request_id("0190a7c4-7b1e-7cc0-8a4b-6f7d6c1e2a02");
  ASSERT_TRUE(logic.StartSimulation(admin_, req, &op).ok());
  v1::CancelSimulationOperationRequest cancel;
  cancel.set_name(op.name());
  ASSERT_TRUE(logic.CancelSimulationOperation(admin_, cancel, &op).ok());
  const auto before = RowCounts();
  tasks.RunAll();
  v1::GetSimulationOperationRequest get;
  get.set_name(op.name());
  ASSERT_TRUE(logic.GetSimulationOperation(admin_, get, &op).ok());
  EXPECT_EQ(op.state(), "CANCELLED");
  EXPECT_EQ(op.simulation(), "");
  EXPECT_EQ(RowCounts()["simulations"], before.at("simulations"));
  // Two running at once: a third is refused, and its operation says so.
  for (const char* id : {"0190a7c4-7b1e-7cc0-8a4b-6f7d6c1e2a03", "0190a7c4-7b1e-7cc0-8a4b-6f7d6c1e2a04"}) {
    req.set_request_id(id);
    ASSERT_TRUE(logic.StartSimulation(admin_, req, &op).ok());
  }
  req.set_request_id("0190a7c4-7b1e-7cc0-8a4b-6f7d6c1e2a05");
  EXPECT_EQ(logic.StartSimulation(admin_, req, &op).code(), absl::StatusCode::kResourceExhausted);
  // A server stopping ends the running ones at their next page.
  logic.Stop();
  tasks.RunAll();
  v1::ListSimulationsResponse listed;
  ASSERT_TRUE(logic.ListSimulations(admin_, v1::ListSimulationsRequest(), &listed).ok());
  EXPECT_EQ(listed.simulations_size(), 0);
}

}  // namespace
}  // namespace lnob::registry
