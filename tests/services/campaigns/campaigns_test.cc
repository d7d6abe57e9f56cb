// Campaigns logic against its real schema: reference data, campaigns, activities with their
// reach (brief §7), validation naming every field, the database's own checks, area scope.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "common/api/resource_name.h"
#include "common/db/pool.h"
#include "common/server/stream.h"
#include "common/status/status.h"
#include "common/util/uuid.h"
#include "gtest/gtest.h"
#include "tests/services/campaigns/campaigns_fixture.h"

namespace lnob::campaigns {
namespace {

TEST_F(CampaignsTest, LanguagesAndActivityTypesAreDataWithTheirDocumentsBrief7) {
  v1::ListLanguagesResponse langs;
  ASSERT_TRUE(logic_->ListLanguages(officer_, {}, &langs).ok());
  std::set<std::string> codes;
  for (const auto& l : langs.languages()) {
    codes.insert(l.code());
    EXPECT_FALSE(l.script().empty()) << l.code();
    if (l.code() == "VI") {
      EXPECT_FALSE(l.unconfirmed());
    }
  }
  for (const char* c : {"VI", "MNONG", "STIENG", "KHMER", "CHORO"}) EXPECT_EQ(codes.count(c), 1u) << c;
  v1::ListActivityTypesResponse types;
  ASSERT_TRUE(logic_->ListActivityTypes(officer_, {}, &types).ok());
  ASSERT_EQ(types.activity_types_size(), 10);
  int unconfirmed = 0;
  for (const auto& t : types.activity_types()) {
    EXPECT_FALSE(t.legal_doc().empty()) << t.code();
    unconfirmed += t.unconfirmed();
  }
  EXPECT_EQ(unconfirmed, 6);  // brief §7: only the first four are seen in the sources
}

TEST_F(CampaignsTest, ACampaignAndItsActivityWithReachReadBackAsRecorded) {
  v1::Campaign c = Campaign();
  EXPECT_TRUE(absl::StartsWith(c.name(), "campaigns/")) << c.name();
  EXPECT_EQ(c.status(), v1::Campaign::PLANNED);
  ASSERT_EQ(c.planned_budget_size(), 1);
  EXPECT_EQ(c.planned_budget(0).amount_vnd(), 120000000);
  v1::Activity a;
  auto req = Activity(c.name());
  req.set_request_id("0190c0de-0000-7000-8000-0000000000a1");
  ASSERT_TRUE(logic_->CreateActivity(commune_, req, &a).ok());
  EXPECT_EQ(a.campaign(), c.name());
  EXPECT_EQ(api::IsSet(a.end_date()), true);
  EXPECT_EQ(a.end_date().day(), 10);  // defaults to the start date
  ASSERT_EQ(a.by_language_size(), 2);
  EXPECT_EQ(a.by_ethnic_group(0).code(), "22");
  EXPECT_EQ(a.spent(0).amount_vnd(), 3500000);
  // A retry is answered with the same activity; nothing is counted twice.
  v1::Activity again;
  ASSERT_TRUE(logic_->CreateActivity(commune_, req, &again).ok());
  EXPECT_EQ(again.name(), a.name());
  v1::ListActivitiesRequest list;
  list.set_campaign(c.name());
  v1::ListActivitiesResponse listed;
  ASSERT_TRUE(logic_->ListActivities(officer_, list, &listed).ok());
  ASSERT_EQ(listed.activities_size(), 1);
  EXPECT_EQ(listed.activities(0).SerializeAsString(), a.SerializeAsString());
  v1::GetCampaignRequest get;
  get.set_name(c.name());
  v1::Campaign got;
  ASSERT_TRUE(logic_->GetCampaign(officer_, get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), c.SerializeAsString());
}

TEST_F(CampaignsTest, EveryBadFieldIsNamedAndNothingIsWritten) {
  v1::CreateCampaignRequest bad_campaign;
  *bad_campaign.mutable_campaign()->mutable_start_date() = Day(2025, 5, 1);
  *bad_campaign.mutable_campaign()->mutable_end_date() = Day(2025, 4, 1);
  bad_campaign.mutable_campaign()->add_topics("not a code");
  bad_campaign.mutable_campaign()->add_target_units("x");
  bad_campaign.mutable_campaign()->add_planned_budget()->set_amount_vnd(-1);
  v1::Campaign c_out;
  EXPECT_EQ(Fields(logic_->CreateCampaign(officer_, bad_campaign, &c_out)),
            (std::set<std::string>{"campaign.title", "campaign.topics[0]", "campaign.end_date", "campaign.target_units[0]",
                                   "campaign.planned_budget[0].source", "campaign.planned_budget[0].node_code",
                                   "campaign.planned_budget[0].amount_vnd", "campaign.owner_unit"}));

  v1::Campaign c = Campaign();
  auto req = Activity(c.name());
  auto* a = req.mutable_activity();
  a->set_activity_type("FIREWORKS");
  *a->mutable_start_date() = Day(2025, 12, 5);  // after the campaign
  a->set_sessions(0);
  a->set_participants_women(121);
  a->mutable_by_ethnic_group(0)->set_code("55");
  a->mutable_by_ethnic_group(0)->set_participants(130);
  a->mutable_by_language(0)->set_code("KLINGON");
  a->mutable_spent(0)->set_amount_vnd(-5);
  v1::Activity out;
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, req, &out)),
            (std::set<std::string>{"activity.activity_type", "activity.start_date", "activity.sessions",
                                   "activity.participants_women", "activity.by_ethnic_group[0].code",
                                   "activity.by_ethnic_group", "activity.by_language[0].code",
                                   "activity.spent[0].amount_vnd"}));
  auto lang = Activity(c.name());
  lang.mutable_activity()->mutable_by_language(0)->set_participants(100);  // 100 + 50 > 120
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, lang, &out)), (std::set<std::string>{"activity.by_language"}));
  auto unknown = Activity("campaigns/0190c0de-0000-7000-8000-0000000000ff");
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, unknown, &out)), (std::set<std::string>{"activity.campaign"}));
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.activities"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.activity_reach"), 0);
}

TEST_F(CampaignsTest, TheDatabaseRefusesABreakdownAboveItsTotalWhateverWritesIt) {
  v1::Campaign c = Campaign();
  v1::Activity a;
  ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &a).ok());
  const std::string id = api::IdOf(a.name());
  pqxx::connection conn(db_->admin_url());
  auto attempt = [&](const std::string& sql) -> std::string {
    try {
      pqxx::work w(conn);
      w.exec("SET search_path = campaigns, public");
      w.exec(sql);
      w.commit();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  };
  // 80 Xtiêng + 45 Khmer > 120 attendances: refused.
  EXPECT_TRUE(absl::StrContains(attempt("INSERT INTO activity_reach VALUES ('" + id + "', 'ETHNIC_GROUP', '05', 45)"),
                                "exceeds its participants_total"));
  EXPECT_TRUE(absl::StrContains(attempt("INSERT INTO activity_reach VALUES ('" + id + "', 'LANGUAGE', 'XX', 1)"),
                                "unknown language"));
  EXPECT_FALSE(attempt("UPDATE activities SET participants_women = 500 WHERE id = '" + id + "'").empty());
  EXPECT_TRUE(attempt("INSERT INTO activity_reach VALUES ('" + id + "', 'ETHNIC_GROUP', '05', 40)").empty());  // 120
  EXPECT_EQ(Count("SELECT sum(participants) FROM campaigns.activity_reach WHERE kind = 'ETHNIC_GROUP'"), 120);
}

TEST_F(CampaignsTest, ThePlaceIsACommuneInForceOnTheActivitysDateAndTheScopeFollowsTheReform) {
  v1::Campaign c = Campaign();
  // Before the merge, 25288 was a commune: its activities are recorded under its own code, and
  // the officer of 25216 (the commune it became) may record and read them.
  auto before = Activity(c.name());
  before.mutable_activity()->set_commune_code("25288");
  v1::Activity old_place;
  absl::Status st = logic_->CreateActivity(commune_, before, &old_place);
  ASSERT_TRUE(st.ok()) << st;
  v1::GetActivityRequest get;
  get.set_name(old_place.name());
  v1::Activity got;
  EXPECT_TRUE(logic_->GetActivity(commune_, get, &got).ok());
  // After it, 25288 is no place: the refusal names the commune it became.
  auto after = Activity(c.name());
  after.mutable_activity()->set_commune_code("25288");
  *after.mutable_activity()->mutable_start_date() = Day(2025, 8, 1);
  st = logic_->CreateActivity(officer_, after, &got);
  EXPECT_EQ(Fields(st), (std::set<std::string>{"activity.commune_code"}));
  EXPECT_TRUE(absl::StrContains(st.message(), "became 25216")) << st;
  // In a commune with a village register the village must be one of its villages; it is
  // linked (25288 keeps no register: free text).
  EXPECT_EQ(old_place.village_ref(), "");
  auto listed_village = Activity(c.name());
  ASSERT_TRUE(logic_->CreateActivity(officer_, listed_village, &got).ok());
  EXPECT_EQ(got.village_ref(), "villages/0190c0de-0000-7000-8000-00000000b0b0");
  listed_village.mutable_activity()->set_village("Sóc Lạ");
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, listed_village, &got)), (std::set<std::string>{"activity.village"}));
  places_.available = false;
  EXPECT_EQ(logic_->CreateActivity(officer_, Activity(c.name()), &got).code(), absl::StatusCode::kUnavailable);
  places_.available = true;
  // A district is not a commune; an unknown code is not a unit.
  after.mutable_activity()->set_commune_code("00688");
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, after, &got)), (std::set<std::string>{"activity.commune_code"}));
  // Without the registry's units nothing is recorded: UNAVAILABLE, not a guess.
  units_.set_available(false);
  scope::AreaScope cold(&units_, RealClock::Get());
  CampaignsLogic cut_off(store_.get(), persons_.get(), &cold, &places_, &catalogue_, api::PageTokenCodec("test-secret-0123456789"),
                         RealClock::Get());
  EXPECT_EQ(cut_off.CreateActivity(officer_, Activity(c.name()), &got).code(), absl::StatusCode::kUnavailable);
}

TEST_F(CampaignsTest, ACommuneOfficerSeesAndWritesOnlyItsCommunes) {
  v1::Campaign c = Campaign();
  auto elsewhere = Activity(c.name());
  elsewhere.mutable_activity()->set_commune_code("25195");
  v1::Activity outside;
  absl::Status st = logic_->CreateActivity(commune_, elsewhere, &outside);
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  ASSERT_TRUE(logic_->CreateActivity(officer_, elsewhere, &outside).ok());
  v1::Activity mine;
  ASSERT_TRUE(logic_->CreateActivity(commune_, Activity(c.name()), &mine).ok());
  v1::ListActivitiesResponse listed;
  ASSERT_TRUE(logic_->ListActivities(commune_, {}, &listed).ok());
  ASSERT_EQ(listed.activities_size(), 1);
  EXPECT_EQ(listed.activities(0).name(), mine.name());
  v1::GetActivityRequest get;
  get.set_name(outside.name());
  v1::Activity got;
  EXPECT_EQ(logic_->GetActivity(commune_, get, &got).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(logic_->GetActivity(officer_, get, &got).ok());
  // Many at once (awards' evidence): in order, outside the scope exactly like missing, with the
  // change feed's cursor.
  v1::BatchGetActivitiesRequest batch;
  batch.add_names(mine.name());
  batch.add_names(outside.name());
  batch.add_names("activities/00000000-0000-7000-8000-000000000099");
  v1::BatchGetActivitiesResponse found;
  ASSERT_TRUE(logic_->BatchGetActivities(commune_, batch, &found).ok());
  ASSERT_EQ(found.results_size(), 3);
  EXPECT_TRUE(found.results(0).found());
  EXPECT_EQ(found.results(0).activity().participants_total(), mine.participants_total());
  EXPECT_FALSE(found.results(1).found());
  EXPECT_FALSE(found.results(1).has_activity());
  EXPECT_FALSE(found.results(2).found());
  EXPECT_GE(found.cursor(), 2);
  found.Clear();
  ASSERT_TRUE(logic_->BatchGetActivities(officer_, batch, &found).ok());
  EXPECT_TRUE(found.results(1).found());
  batch.add_names("not-a-name");
  EXPECT_EQ(logic_->BatchGetActivities(officer_, batch, &found).code(), absl::StatusCode::kInvalidArgument);
  // Lists page by page with tokens bound to the query.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &got).ok());
  v1::ListActivitiesRequest paged;
  paged.set_page_size(2);
  std::set<std::string> seen;
  int pages = 0;
  do {
    v1::ListActivitiesResponse page;
    ASSERT_TRUE(logic_->ListActivities(officer_, paged, &page).ok());
    for (const auto& x : page.activities()) seen.insert(x.name());
    paged.set_page_token(page.next_page_token());
    ++pages;
  } while (!paged.page_token().empty() && pages < 10);
  EXPECT_EQ(seen.size(), 6u);
  v1::ListActivitiesRequest first;
  first.set_page_size(2);
  v1::ListActivitiesResponse page;
  ASSERT_TRUE(logic_->ListActivities(officer_, first, &page).ok());
  first.set_page_token(page.next_page_token());
  first.set_campaign(c.name());  // another query: the token does not carry over
  EXPECT_EQ(logic_->ListActivities(officer_, first, &page).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CampaignsTest, ReachCountsAttendancesByPeriodUnitAndLanguageAndSaysSo) {
  v1::Campaign c = Campaign();
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &out).ok());  // 25216, April: 120
  auto meeting = Activity(c.name());
  auto* m = meeting.mutable_activity();
  m->set_activity_type("VILLAGE_MEETING");
  m->set_commune_code("25195");
  *m->mutable_start_date() = Day(2025, 5, 2);
  m->set_participants_total(30);
  m->set_participants_ethnic_minority(15);
  m->set_participants_women(10);
  m->mutable_by_ethnic_group(0)->set_participants(10);
  auto* khmer = m->add_by_ethnic_group();
  khmer->set_code("05");
  khmer->set_participants(5);
  m->clear_by_language();
  ASSERT_TRUE(logic_->CreateActivity(officer_, meeting, &out).ok());
  auto august = Activity(c.name());
  *august.mutable_activity()->mutable_start_date() = Day(2025, 8, 1);
  ASSERT_TRUE(logic_->CreateActivity(officer_, august, &out).ok());

  auto reach = [&](std::vector<v1::ReachDimension> dims, const std::string& unit = "",
                   const server::Call* who = nullptr) {
    v1::GetReachRequest req;
    req.mutable_period()->set_type(common::v1::Period::QUARTER);
    req.mutable_period()->set_year(2025);
    req.mutable_period()->set_index(2);
    req.set_unit_code(unit);
    for (auto d : dims) req.add_group_by(d);
    v1::Reach r;
    absl::Status st = logic_->GetReach(who ? *who : officer_, req, &r);
    EXPECT_TRUE(st.ok()) << st;
    std::map<std::string, std::pair<int64_t, int64_t>> rows;  // commune|code -> activities, attendances
    for (const auto& row : r.rows()) rows[row.commune_code() + "|" + row.code()] = {row.activities(), row.attendances()};
    EXPECT_EQ(r.counting(), "ATTENDANCES");
    return std::make_pair(r, rows);
  };
  auto [q2, by_language] = reach({v1::BY_LANGUAGE});
  EXPECT_EQ(q2.activities(), 2);
  EXPECT_EQ(q2.attendances(), 150);
  EXPECT_EQ(by_language["|STIENG"], std::make_pair(int64_t{1}, int64_t{70}));
  EXPECT_EQ(by_language["|VI"], std::make_pair(int64_t{1}, int64_t{50}));
  EXPECT_EQ(by_language["|"], std::make_pair(int64_t{1}, int64_t{30}));  // the meeting recorded no languages
  auto [unused, by_group] = reach({v1::BY_COMMUNE, v1::BY_ETHNIC_GROUP});
  EXPECT_EQ(by_group["25195|22"].second, 10);
  EXPECT_EQ(by_group["25195|05"].second, 5);
  EXPECT_EQ(by_group["25195|"].second, 15);
  EXPECT_EQ(by_group["25216|22"].second, 80);
  EXPECT_EQ(by_group["25216|"].second, 40);
  // Under district 688, and for the officer of 25216: only the April activity.
  EXPECT_EQ(reach({}, "688").first.attendances(), 120);
  EXPECT_EQ(reach({}, "", &commune_).first.attendances(), 120);
  // By topic: the April and May activities both name NTP_1719.
  auto [by_topic_q2, topics] = reach({v1::BY_TOPIC});
  EXPECT_EQ(by_topic_q2.rows_size(), 1);
  EXPECT_EQ(by_topic_q2.rows(0).topic(), "NTP_1719");
  EXPECT_EQ(by_topic_q2.rows(0).attendances(), 150);
  // Crossed: only what the activities crossed has a group and a language; the rest is "".
  v1::GetReachRequest crossed;
  crossed.mutable_period()->set_type(common::v1::Period::YEAR);
  crossed.mutable_period()->set_year(2025);
  crossed.add_group_by(v1::BY_ETHNIC_GROUP);
  crossed.add_group_by(v1::BY_LANGUAGE);
  v1::Reach r;
  ASSERT_TRUE(logic_->GetReach(officer_, crossed, &r).ok());
  ASSERT_EQ(r.rows_size(), 1);
  EXPECT_EQ(r.rows(0).attendances(), 270);  // nothing was crossed yet
  crossed.add_group_by(v1::BY_TOPIC);
  EXPECT_EQ(Fields(logic_->GetReach(officer_, crossed, &r)), (std::set<std::string>{"group_by"}));
  crossed.clear_group_by();
  crossed.set_unit_code("25195");
  EXPECT_EQ(logic_->GetReach(commune_, crossed, &r).code(), absl::StatusCode::kPermissionDenied);
}

// "Which especially-difficult villages heard nothing about the programme this quarter?"
TEST_F(CampaignsTest, CoverageNamesTheCommunesAndRegisterVillagesWithoutActivity) {
  v1::Campaign c = Campaign();
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &out).ok());  // 25216, Sóc Bom Bo, April
  auto coverage = [&](int quarter, const server::Call& who, bool only_difficult = false) {
    v1::GetCoverageRequest req;
    req.mutable_period()->set_type(common::v1::Period::QUARTER);
    req.mutable_period()->set_year(2025);
    req.mutable_period()->set_index(quarter);
    req.set_only_especially_difficult(only_difficult);
    v1::Coverage cov;
    absl::Status st = logic_->GetCoverage(who, req, &cov);
    EXPECT_TRUE(st.ok()) << st;
    return cov;
  };
  v1::Coverage q2 = coverage(2, officer_);
  EXPECT_EQ(q2.communes(), 3);  // 25195, 25216 and 25288 (in force until 30 June)
  EXPECT_EQ(std::vector<std::string>(q2.communes_without_activity().begin(), q2.communes_without_activity().end()),
            (std::vector<std::string>{"25195", "25288"}));
  EXPECT_EQ(q2.villages(), 2);
  EXPECT_EQ(q2.especially_difficult_villages(), 1);
  EXPECT_EQ(q2.especially_difficult_without_activity(), 1);
  ASSERT_EQ(q2.villages_without_activity_size(), 1);
  EXPECT_EQ(q2.villages_without_activity(0).display_name(), "Sóc Bù Lạch");
  EXPECT_TRUE(q2.villages_without_activity(0).especially_difficult());
  // Q3: 25288 is gone (merged into 25216); nothing happened anywhere.
  v1::Coverage q3 = coverage(3, officer_);
  EXPECT_EQ(q3.communes(), 2);
  EXPECT_EQ(q3.communes_without_activity_size(), 2);
  EXPECT_EQ(q3.villages_without_activity_size(), 2);
  EXPECT_EQ(coverage(3, officer_, true).villages_without_activity_size(), 1);
  // The officer of 25216 sees its own commune and the one merged into it.
  EXPECT_EQ(coverage(2, commune_).communes(), 2);
  // A registry that cannot answer gives UNAVAILABLE, not a coverage without villages.
  places_.available = false;
  v1::GetCoverageRequest req;
  req.mutable_period()->set_type(common::v1::Period::QUARTER);
  req.mutable_period()->set_year(2025);
  req.mutable_period()->set_index(2);
  v1::Coverage cov;
  EXPECT_EQ(logic_->GetCoverage(officer_, req, &cov).code(), absl::StatusCode::kUnavailable);
}

TEST_F(CampaignsTest, TheCrossBreakdownAnswersInWhichLanguageEachGroupWasReached) {
  v1::Campaign c = Campaign();
  auto req = Activity(c.name());
  auto* a = req.mutable_activity();
  a->clear_by_ethnic_group();
  a->clear_by_language();
  auto cell = [&](const std::string& group, const std::string& language, int64_t n) {
    auto* x = a->add_by_ethnic_group_language();
    x->set_ethnic_group(group);
    x->set_language(language);
    x->set_participants(n);
  };
  cell("20", "MNONG", 40);  // M'nông in M'nông
  cell("20", "VI", 15);
  cell("22", "STIENG", 30);
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, req, &out).ok());
  // The margins were derived from the cells.
  std::map<std::string, int64_t> groups, languages;
  for (const auto& p : out.by_ethnic_group()) groups[p.code()] = p.participants();
  for (const auto& p : out.by_language()) languages[p.code()] = p.participants();
  EXPECT_EQ(groups, (std::map<std::string, int64_t>{{"20", 55}, {"22", 30}}));
  EXPECT_EQ(languages, (std::map<std::string, int64_t>{{"MNONG", 40}, {"STIENG", 30}, {"VI", 15}}));
  EXPECT_EQ(out.by_ethnic_group_language_size(), 3);

  v1::GetReachRequest q;
  q.mutable_period()->set_type(common::v1::Period::QUARTER);
  q.mutable_period()->set_year(2025);
  q.mutable_period()->set_index(2);
  q.add_group_by(v1::BY_ETHNIC_GROUP);
  q.add_group_by(v1::BY_LANGUAGE);
  v1::Reach r;
  ASSERT_TRUE(logic_->GetReach(officer_, q, &r).ok());
  std::map<std::string, int64_t> rows;
  for (const auto& row : r.rows()) rows[row.code() + "|" + row.language()] = row.attendances();
  EXPECT_EQ(rows, (std::map<std::string, int64_t>{{"20|MNONG", 40}, {"20|VI", 15}, {"22|STIENG", 30}, {"|", 35}}));

  // Cells beyond a margin that was given, a repeated pair, unknown codes: refused, named.
  auto bad = Activity(c.name());
  auto* b = bad.mutable_activity();
  auto* x = b->add_by_ethnic_group_language();
  x->set_ethnic_group("22");
  x->set_language("STIENG");
  x->set_participants(75);  // by_language gives STIENG 70
  *b->add_by_ethnic_group_language() = *x;
  auto* y = b->add_by_ethnic_group_language();
  y->set_ethnic_group("99");
  y->set_language("KLINGON");
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, bad, &out)),
            (std::set<std::string>{"activity.by_ethnic_group_language", "activity.by_ethnic_group_language[1]",
                                   "activity.by_ethnic_group_language[2].ethnic_group",
                                   "activity.by_ethnic_group_language[2].language"}));
  // The database holds the margins too, and recorded activities do not change.
  const std::string id = api::IdOf(out.name());
  EXPECT_THROW(Exec("BEGIN; INSERT INTO campaigns.activity_reach_cells VALUES ('" + id +
                    "', '05', 'KHMER', 1); COMMIT;"),
               pqxx::sql_error);
  EXPECT_THROW(Exec("UPDATE campaigns.activities SET participants_total = 1000"), pqxx::sql_error);
  // The aggregates agree with the activities they summarise.
  EXPECT_EQ(Count("SELECT sum(attendances) FROM campaigns.reach_agg WHERE commune_code = ''"
                  " AND ethnic_group = '*' AND language = '*'"),
            Count("SELECT sum(participants_total) FROM campaigns.activities"));
  EXPECT_EQ(Count("SELECT sum(attendances) FROM campaigns.reach_agg WHERE commune_code = ''"
                  " AND ethnic_group <> '*' AND language <> '*'"),
            Count("SELECT sum(participants_total) FROM campaigns.activities"));
  EXPECT_EQ(Count("SELECT sum(women) FROM campaigns.reach_agg WHERE commune_code <> ''"),
            Count("SELECT sum(participants_women) FROM campaigns.activities"));
}

TEST_F(CampaignsTest, AnImportChecksEveryRowCommitsTheGoodOnesAndResendsWithoutDuplicates) {
  v1::Campaign c = Campaign();
  std::vector<v1::ImportActivitiesRequest> msgs;
  const std::string import_id = NewUuidV7(absl::Now());
  for (int i = 1; i <= 5; ++i) {
    v1::ImportActivitiesRequest m;
    if (i == 1) m.set_import_id(import_id);
    m.set_row_number(i + 1);  // line numbers of a CSV with a header
    *m.mutable_activity() = Activity(c.name()).activity();
    m.mutable_activity()->set_village("soc bom bo");  // matched without diacritics, locally
    msgs.push_back(m);
  }
  msgs[1].mutable_activity()->set_participants_women(500);
  msgs[2].mutable_activity()->set_commune_code("25288");  // merged away on 1 July 2025
  *msgs[2].mutable_activity()->mutable_start_date() = Day(2025, 8, 1);
  msgs[3].mutable_activity()->set_village("Sóc Lạ");
  auto run = [&](const server::Call& who) {
    server::VectorReader<v1::ImportActivitiesRequest> in(msgs);
    v1::ImportActivitiesResponse out;
    absl::Status st = logic_->ImportActivities(who, in, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  };
  v1::ImportActivitiesResponse first = run(officer_);
  EXPECT_EQ(first.rows_received(), 5);
  EXPECT_EQ(first.rows_committed(), 2);
  EXPECT_EQ(first.rows_failed(), 3);
  std::map<int64_t, std::string> errors;
  for (const auto& e : first.errors()) errors[e.row_number()] = e.field();
  EXPECT_EQ(errors, (std::map<int64_t, std::string>{{3, "activity.participants_women"},
                                                     {4, "activity.commune_code"},
                                                     {5, "activity.village"}}));
  EXPECT_EQ(places_.all_villages_calls, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.activities WHERE village_ref <> ''"), 2);
  // Sent again: nothing new, the good rows counted as done, the bad ones reported again.
  v1::ImportActivitiesResponse again = run(officer_);
  EXPECT_EQ(again.rows_committed(), 0);
  EXPECT_EQ(again.rows_already_done(), 2);
  EXPECT_EQ(again.rows_failed(), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.activities"), 2);
  // In the aggregates and the feed like any activity.
  EXPECT_EQ(Count("SELECT sum(attendances) FROM campaigns.reach_agg WHERE commune_code = ''"
                  " AND ethnic_group = '*' AND language = '*'"),
            240);
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.change_feed WHERE kind = 'ACTIVITY_RECORDED'"), 2);
  // Another caller cannot take over the import; a commune officer elsewhere imports nothing.
  server::Call other = CallAs("someone-else", {"campaigns.*"});
  server::VectorReader<v1::ImportActivitiesRequest> in(msgs);
  v1::ImportActivitiesResponse out;
  EXPECT_EQ(logic_->ImportActivities(other, in, &out).code(), absl::StatusCode::kAlreadyExists);
  msgs[0].set_import_id(NewUuidV7(absl::Now()));
  v1::ImportActivitiesResponse scoped = run(CallAs("commune-25195", {"campaigns.*"}, {"25195"}));
  EXPECT_EQ(scoped.rows_committed(), 0);
  EXPECT_EQ(scoped.errors(0).field(), "activity.commune_code");
}

TEST_F(CampaignsTest, AVillageOfACommuneMergedIn2025IsAVillageOfTheCommuneItBecame) {
  places_.villages["25288"] = {{"Ấp Cũ", "villages/0190c0de-0000-7000-8000-00000000c0c0"}};
  v1::Campaign c = Campaign();
  auto req = Activity(c.name());
  *req.mutable_activity()->mutable_start_date() = Day(2025, 9, 3);
  req.mutable_activity()->set_village("Ấp Cũ");
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, req, &out).ok());
  EXPECT_EQ(out.commune_code(), "25216");
  EXPECT_EQ(out.village_ref(), "villages/0190c0de-0000-7000-8000-00000000c0c0");
  // The former commune, when named, must be one merged into the activity's commune.
  req.mutable_activity()->set_former_commune_code("25195");
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, req, &out)), (std::set<std::string>{"activity.former_commune_code"}));
  req.mutable_activity()->set_former_commune_code("25288");
  req.mutable_activity()->set_village("Sóc Bom Bo");  // a village of 25216, not of 25288
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, req, &out)), (std::set<std::string>{"activity.village"}));
  // Coverage of Q3 counts it under 25216, where the other two villages heard nothing.
  v1::GetCoverageRequest cov_req;
  cov_req.mutable_period()->set_type(common::v1::Period::QUARTER);
  cov_req.mutable_period()->set_year(2025);
  cov_req.mutable_period()->set_index(3);
  cov_req.set_unit_code("25216");
  v1::Coverage cov;
  ASSERT_TRUE(logic_->GetCoverage(officer_, cov_req, &cov).ok());
  EXPECT_EQ(cov.villages(), 3);
  ASSERT_EQ(cov.villages_without_activity_size(), 2);
  for (const auto& v : cov.villages_without_activity()) EXPECT_EQ(v.commune_code(), "25216");
}

TEST_F(CampaignsTest, ATopicIsNamedOnce) {
  v1::Campaign c = Campaign();
  auto req = Activity(c.name());
  req.mutable_activity()->add_topics("NTP_1719");
  v1::Activity out;
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, req, &out)), (std::set<std::string>{"activity.topics[1]"}));
}

TEST_F(CampaignsTest, BudgetLinesNameFundingsProgrammeNodesAndSources) {
  v1::CreateCampaignRequest req;
  auto* c = req.mutable_campaign();
  c->set_title("Tuyên truyền");
  c->add_topics("NTP_1719");
  *c->mutable_start_date() = Day(2025, 3, 1);
  *c->mutable_end_date() = Day(2025, 11, 30);
  c->set_owner_unit("70");
  c->set_programme_node("NTP_EM.P99");
  auto* b = c->add_planned_budget();
  b->set_source("CENTRAL_RECURENT");
  b->set_node_code("NTP_EM.P10");
  b->set_amount_vnd(1000);
  v1::Campaign out;
  EXPECT_EQ(Fields(logic_->CreateCampaign(officer_, req, &out)),
            (std::set<std::string>{"campaign.programme_node", "campaign.planned_budget[0].source"}));
  v1::Campaign camp = Campaign();
  auto act = Activity(camp.name());
  act.mutable_activity()->mutable_spent(0)->set_node_code("P10");
  v1::Activity a;
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, act, &a)), (std::set<std::string>{"activity.spent[0].node_code"}));
  // Funding down: nothing is recorded unchecked.
  catalogue_.available = false;
  EXPECT_EQ(logic_->CreateActivity(officer_, Activity(camp.name()), &a).code(), absl::StatusCode::kUnavailable);
  // An activity that spends nothing does not need funding.
  auto free = Activity(camp.name());
  free.mutable_activity()->clear_spent();
  EXPECT_TRUE(logic_->CreateActivity(officer_, free, &a).ok());
}

TEST_F(CampaignsTest, MaterialsEquipmentAndEvidenceAreRecordedAndCheckedFieldByField) {
  v1::Campaign c = Campaign();
  auto req = Activity(c.name());
  auto* a = req.mutable_activity();
  auto* m = a->add_materials();
  m->set_kind("LEAFLET");
  m->set_count(300);
  m->set_language("STIENG");
  auto* e = a->add_equipment();
  e->set_kind("LOUDSPEAKER");
  e->set_count(2);
  e->set_value_vnd(4500000);
  auto* f = a->add_attachments();
  f->set_file_name("biên bản họp.pdf");
  f->set_media_type("application/pdf");
  f->set_size_bytes(183204);
  f->set_sha256(std::string(64, 'a'));
  f->set_location("s3://lnob-evidence/2025/04/bien-ban.pdf");
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, req, &out).ok());
  v1::GetActivityRequest get;
  get.set_name(out.name());
  v1::Activity got;
  ASSERT_TRUE(logic_->GetActivity(officer_, get, &got).ok());
  ASSERT_EQ(got.materials_size(), 1);
  EXPECT_EQ(got.materials(0).language(), "STIENG");
  EXPECT_EQ(got.equipment(0).value_vnd(), 4500000);
  EXPECT_EQ(got.attachments(0).file_name(), "biên bản họp.pdf");

  m->set_kind("X");  // the database's rule: a letter, then 1-39 more
  m->set_count(0);
  m->set_language("XX");
  e->set_value_vnd(-1);
  f->set_media_type("PDF");
  f->set_sha256("ABC");
  f->set_location("");
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, req, &out)),
            (std::set<std::string>{"activity.materials[0].kind", "activity.materials[0].count",
                                   "activity.materials[0].language", "activity.equipment[0].value_vnd",
                                   "activity.attachments[0].media_type", "activity.attachments[0].sha256",
                                   "activity.attachments[0].location"}));
  EXPECT_THROW(Exec("UPDATE campaigns.activity_attachments SET location = 'x'"), pqxx::sql_error);
}

TEST_F(CampaignsTest, SpendingAndStatisticsAddUpWhatWasRecorded) {
  v1::Campaign c = Campaign();  // plans 120,000,000 VND of NTP_EM.P10, central recurrent
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &out).ok());  // spends 3,500,000
  auto other = Activity(c.name());
  other.mutable_activity()->set_commune_code("25195");
  other.mutable_activity()->set_village("");
  other.mutable_activity()->mutable_spent(0)->set_source("LOCAL_ADDITIONAL");
  ASSERT_TRUE(logic_->CreateActivity(officer_, other, &out).ok());
  v1::GetSpendingRequest req;
  req.mutable_period()->set_type(common::v1::Period::YEAR);
  req.mutable_period()->set_year(2025);
  v1::Spending sp;
  ASSERT_TRUE(logic_->GetSpending(officer_, req, &sp).ok());
  ASSERT_EQ(sp.rows_size(), 2);
  EXPECT_EQ(sp.rows(0).source(), "CENTRAL_RECURRENT");
  EXPECT_EQ(sp.rows(0).planned_vnd(), 120000000);
  EXPECT_EQ(sp.rows(0).activities_vnd(), 3500000);
  EXPECT_EQ(sp.rows(1).source(), "LOCAL_ADDITIONAL");
  EXPECT_EQ(sp.total().spent_vnd(), 7000000);
  // Under district 688 only the first activity is spent; the province's campaign is not
  // planned there.
  req.set_unit_code("688");
  sp.Clear();
  ASSERT_TRUE(logic_->GetSpending(officer_, req, &sp).ok());
  EXPECT_EQ(sp.total().spent_vnd(), 3500000);
  EXPECT_EQ(sp.total().planned_vnd(), 0);

  v1::GetStatisticsRequest st_req;
  st_req.mutable_period()->set_type(common::v1::Period::QUARTER);
  st_req.mutable_period()->set_year(2025);
  st_req.mutable_period()->set_index(2);
  v1::Statistics st;
  ASSERT_TRUE(logic_->GetStatistics(officer_, st_req, &st).ok());
  EXPECT_EQ(st.activities(), 2);
  EXPECT_EQ(st.attendances(), 240);
  EXPECT_EQ(st.attendances_women(), 100);
  EXPECT_EQ(st.attendances_ethnic_minority(), 180);
  EXPECT_EQ(st.communes(), 3);
  EXPECT_EQ(st.communes_without_activity(), 1);  // 25288
  EXPECT_EQ(st.villages(), 2);
  EXPECT_EQ(st.villages_without_activity(), 1);
  EXPECT_EQ(st.spent_vnd(), 7000000);
  EXPECT_EQ(st.counting(), "ATTENDANCES");
}

TEST_F(CampaignsTest, AttendanceListsCountUniquePeopleAndTheRateUsesTheRegistrysPopulation) {
  v1::Campaign c = Campaign();
  const std::string hh = "households/0190c0de-0000-7000-8000-0000000000a1";
  const std::string lan = hh + "/members/0190c0de-0000-7000-8000-0000000000b1";
  const std::string binh = hh + "/members/0190c0de-0000-7000-8000-0000000000b2";
  // Lan again after her household split: another household, the same member.
  const std::string lan_moved = "households/0190c0de-0000-7000-8000-0000000000a2/members/0190c0de-0000-7000-8000-0000000000b1";
  auto first = Activity(c.name());
  first.mutable_activity()->add_attendees(lan);
  first.mutable_activity()->add_attendees(binh);
  auto second = Activity(c.name());
  second.mutable_activity()->add_attendees(lan_moved);
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, first, &out).ok());
  EXPECT_EQ(out.attendees_size(), 2);
  ASSERT_TRUE(logic_->CreateActivity(officer_, second, &out).ok());
  ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &out).ok());  // no list
  v1::GetReachRequest req;
  req.mutable_period()->set_type(common::v1::Period::QUARTER);
  req.mutable_period()->set_year(2025);
  req.mutable_period()->set_index(2);
  req.set_with_population(true);
  v1::Reach r;
  ASSERT_TRUE(logic_->GetReach(officer_, req, &r).ok());
  EXPECT_EQ(r.attendances(), 360);
  EXPECT_EQ(r.unique_people(), 2);
  EXPECT_EQ(r.activities_with_lists(), 2);
  EXPECT_EQ(r.attendances_with_lists(), 240);
  EXPECT_EQ(r.population(), 1000);
  EXPECT_EQ(r.population_basis(), "REGISTERED_PEOPLE");
  EXPECT_DOUBLE_EQ(r.attendance_rate(), 0.36);
  EXPECT_DOUBLE_EQ(r.unique_rate(), 0.002);
  // A commune officer's rate is its own commune's.
  r.Clear();
  ASSERT_TRUE(logic_->GetReach(commune_, req, &r).ok());
  EXPECT_EQ(places_.asked_population_of, "25216");
  // Malformed or repeated entries are refused, naming each.
  auto bad = Activity(c.name());
  bad.mutable_activity()->add_attendees("members/12");
  bad.mutable_activity()->add_attendees(lan);
  bad.mutable_activity()->add_attendees(lan);
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, bad, &out)),
            (std::set<std::string>{"activity.attendees[0]", "activity.attendees[2]"}));
}

TEST_F(CampaignsTest, ACampaignTargetsRegisterVillagesAndItsStatusOnlyMovesForward) {
  v1::CreateCampaignRequest req;
  auto* c = req.mutable_campaign();
  c->set_title("Thôn đặc biệt khó khăn");
  c->add_topics("NTP_1719");
  *c->mutable_start_date() = Day(2025, 3, 1);
  *c->mutable_end_date() = Day(2025, 11, 30);
  c->set_owner_unit("70");
  c->add_target_villages("villages/0190c0de-0000-7000-8000-00000000b1b1");
  c->add_target_villages("villages/0190c0de-0000-7000-8000-0000000000ff");
  v1::Campaign out;
  EXPECT_EQ(Fields(logic_->CreateCampaign(officer_, req, &out)),
            (std::set<std::string>{"campaign.target_villages[1]"}));
  c->mutable_target_villages()->RemoveLast();
  ASSERT_TRUE(logic_->CreateCampaign(officer_, req, &out).ok());
  EXPECT_EQ(out.target_villages_size(), 1);
  EXPECT_EQ(out.status(), v1::Campaign::PLANNED);

  v1::SetCampaignStatusRequest set;
  set.set_name(out.name());
  set.set_status(v1::Campaign::ACTIVE);
  set.set_etag("\"v7\"");
  set.set_request_id(NewUuidV7(absl::Now()));
  v1::Campaign active;
  EXPECT_EQ(logic_->SetCampaignStatus(officer_, set, &active).code(), absl::StatusCode::kAborted);
  set.set_etag(out.etag());
  set.set_request_id(NewUuidV7(absl::Now()));
  ASSERT_TRUE(logic_->SetCampaignStatus(officer_, set, &active).ok());
  EXPECT_EQ(active.status(), v1::Campaign::ACTIVE);
  v1::Campaign again;  // the same request again: the first answer
  ASSERT_TRUE(logic_->SetCampaignStatus(officer_, set, &again).ok());
  EXPECT_EQ(again.etag(), active.etag());
  set.set_etag(active.etag());
  set.set_request_id(NewUuidV7(absl::Now()));
  EXPECT_EQ(logic_->SetCampaignStatus(officer_, set, &again).code(), absl::StatusCode::kFailedPrecondition);
  set.set_status(v1::Campaign::PLANNED);
  EXPECT_EQ(Fields(logic_->SetCampaignStatus(officer_, set, &again)), (std::set<std::string>{"status"}));

  // An activity's allocation is reported beside what it spent.
  auto act = Activity(out.name());
  auto* alloc = act.mutable_activity()->add_allocated();
  alloc->set_source("CENTRAL_RECURRENT");
  alloc->set_node_code("NTP_EM.P10");
  alloc->set_amount_vnd(5000000);
  v1::Activity a;
  ASSERT_TRUE(logic_->CreateActivity(officer_, act, &a).ok());
  EXPECT_EQ(a.allocated(0).amount_vnd(), 5000000);
  v1::GetSpendingRequest sreq;
  sreq.mutable_period()->set_type(common::v1::Period::YEAR);
  sreq.mutable_period()->set_year(2025);
  v1::Spending sp;
  ASSERT_TRUE(logic_->GetSpending(officer_, sreq, &sp).ok());
  EXPECT_EQ(sp.total().allocated_vnd(), 5000000);
  EXPECT_EQ(sp.total().activities_vnd(), 3500000);
}

TEST_F(CampaignsTest, TheChangeFeedDeliversWhatWasRecordedInCommitOrderWithinTheCallersScope) {
  v1::Campaign c = Campaign();
  v1::Activity here, there;
  ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &here).ok());
  auto other = Activity(c.name());
  other.mutable_activity()->set_commune_code("25195");
  other.mutable_activity()->set_village("");
  ASSERT_TRUE(logic_->CreateActivity(officer_, other, &there).ok());
  // Reads until `want` events came (or the feed has nothing more for a while).
  auto watch = [&](const server::Call& call, int64_t from, size_t want) {
    std::vector<v1::ChangeEvent> got;
    const absl::Time give_up = absl::Now() + absl::Seconds(5);
    server::FunctionWriter<v1::ChangeEvent> sink(
        [&](const v1::ChangeEvent& e) {
          got.push_back(e);
          return got.size() < want;
        },
        [&] { return got.size() >= want || absl::Now() > give_up; });
    v1::WatchChangesRequest req;
    req.set_from_cursor(from);
    EXPECT_TRUE(logic_->WatchChanges(call, req, sink).ok());
    return got;
  };
  auto all = watch(officer_, 0, 3);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].kind(), "CAMPAIGN_CREATED");
  EXPECT_EQ(all[0].resource(), c.name());
  EXPECT_EQ(all[1].kind(), "ACTIVITY_RECORDED");
  EXPECT_EQ(all[1].resource(), here.name());
  EXPECT_EQ(all[1].commune_code(), "25216");
  EXPECT_EQ(all[1].date().month(), 4);
  EXPECT_EQ(all[2].resource(), there.name());
  EXPECT_LT(all[0].cursor(), all[1].cursor());
  EXPECT_LT(all[1].cursor(), all[2].cursor());
  // From a cursor: only what came after it. A commune officer: not another commune's.
  auto later = watch(officer_, all[1].cursor(), 1);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].resource(), there.name());
  auto mine = watch(commune_, 0, 3);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[1].resource(), here.name());
  // A stream waiting at the head receives what commits next.
  std::vector<v1::ChangeEvent> next;
  std::thread reader([&] { next = watch(officer_, all[2].cursor(), 1); });
  absl::SleepFor(absl::Milliseconds(200));
  v1::Activity third;
  ASSERT_TRUE(logic_->CreateActivity(officer_, Activity(c.name()), &third).ok());
  reader.join();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].resource(), third.name());
  v1::WatchChangesRequest bad;
  bad.set_from_cursor(-1);
  server::FunctionWriter<v1::ChangeEvent> none([](const v1::ChangeEvent&) { return false; });
  EXPECT_EQ(Fields(logic_->WatchChanges(officer_, bad, none)), (std::set<std::string>{"from_cursor"}));
}

}  // namespace
}  // namespace lnob::campaigns

#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/campaigns/api/business_metrics.h"

namespace lnob::campaigns {
namespace {

TEST_F(CampaignsTest, DashboardGaugesAreProvinceWideWithBoundedLabels) {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  auto req = Activity("");
  *req.mutable_activity()->mutable_start_date() = lnob::testing::Day(today.year(), today.month(), 1);
  v1::Activity out;
  ASSERT_TRUE(logic_->CreateActivity(officer_, req, &out).ok());  // in Sóc Bom Bo, this quarter
  prometheus::Registry registry;
  BusinessMetrics metrics(logic_.get(), registry, RealClock::Get());
  ASSERT_TRUE(metrics.Refresh().ok());
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_TRUE(absl::StrContains(text, "lnob_villages_without_activity{especially_difficult=\"true\"} 1")) << text;
  EXPECT_TRUE(absl::StrContains(text, "lnob_villages_without_activity{especially_difficult=\"false\"} 0")) << text;
  EXPECT_TRUE(absl::StrContains(text, "lnob_villages_registered{especially_difficult=\"true\"} 1")) << text;
  EXPECT_TRUE(absl::StrContains(text, "lnob_campaign_attendances{language=\"STIENG\"} 70")) << text;
  EXPECT_TRUE(absl::StrContains(text, "lnob_prestigious_persons{reached=\"false\"} 0")) << text;
  EXPECT_FALSE(absl::StrContains(text, "25216"));  // never per commune
  // The registry down: the refresh fails (and is logged), the gauges keep their last values.
  places_.available = false;
  EXPECT_EQ(metrics.Refresh().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace lnob::campaigns
