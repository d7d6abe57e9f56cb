#include "tools/lnobctl/campaigns_cmd.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/api/proto_date.h"
#include "common/util/csv.h"
#include "common/util/date.h"
#include "grpcpp/grpcpp.h"
#include "lnob/campaigns/v1/campaigns.grpc.pb.h"
#include "common/status/status.h"
#include "embedded/lnob_registry_data.h"
#include "services/registry/domain/refdata.h"
#include "tools/lnobctl/client_util.h"
#include "tools/lnobctl/csv_fields.h"
#include "tools/lnobctl/household_csv.h"
#include "tools/lnobctl/households_cmd.h"
#include "tools/lnobctl/stream_import.h"

namespace lnob::ctl {
namespace cv1 = ::lnob::campaigns::v1;
namespace {

const std::vector<std::string>& ActivityHeader() {
  static const std::vector<std::string> k = {
      "campaign", "activity_type", "topics", "start_date", "end_date", "commune_code", "village", "former_commune_code", "sessions",
      "participants_total", "participants_ethnic_minority", "participants_women", "participants_prestigious",
      "by_ethnic_group", "by_language", "by_ethnic_group_language", "spent", "outcome"};
  return k;
}

const std::vector<std::string>& PersonHeader() {
  static const std::vector<std::string> k = {
      "full_name", "birth_year", "sex", "ethnic_group", "citizen_id", "commune_code", "village", "source_group",
      "decision_number", "decision_date", "decision_authority", "term_start", "term_end", "support_events"};
  return k;
}

bool ParseActivity(const std::vector<std::string>& f, cv1::Activity* a, std::string* error) {
  if (f.size() != ActivityHeader().size()) {
    *error = absl::StrCat("expected ", ActivityHeader().size(), " columns, found ", f.size());
    return false;
  }
  a->Clear();
  if (!f[0].empty()) a->set_campaign(absl::StartsWith(f[0], "campaigns/") ? f[0] : "campaigns/" + f[0]);
  a->set_activity_type(f[1]);
  for (absl::string_view t : absl::StrSplit(f[2], ';', absl::SkipWhitespace())) a->add_topics(std::string(t));
  if (!Date(f[3], "start_date", true, a->mutable_start_date(), error)) return false;
  if (!Date(f[4], "end_date", false, a->mutable_end_date(), error)) return false;
  a->set_commune_code(f[5]);
  a->set_village(f[6]);
  a->set_former_commune_code(f[7]);
  int64_t n = 0;
  if (!Number(f[8], "sessions", 1, &n, error)) return false;
  a->set_sessions(static_cast<int32_t>(n));
  if (!Number(f[9], "participants_total", 0, &n, error)) return false;
  a->set_participants_total(n);
  if (!Number(f[10], "participants_ethnic_minority", 0, &n, error)) return false;
  a->set_participants_ethnic_minority(n);
  if (!Number(f[11], "participants_women", 0, &n, error)) return false;
  a->set_participants_women(n);
  if (!Number(f[12], "participants_prestigious", 0, &n, error)) return false;
  a->set_participants_prestigious(n);
  std::vector<std::vector<std::string>> items;
  for (auto [column, field] : {std::make_pair(13, "by_ethnic_group"), std::make_pair(14, "by_language")}) {
    if (!Items(f[column], field, 2, &items, error)) return false;
    for (const auto& it : items) {
      auto* p = column == 13 ? a->add_by_ethnic_group() : a->add_by_language();
      p->set_code(it[0]);
      if (!Number(it[1], field, 0, &n, error)) return false;
      p->set_participants(n);
    }
  }
  if (!Items(f[15], "by_ethnic_group_language", 3, &items, error)) return false;
  for (const auto& it : items) {
    auto* c = a->add_by_ethnic_group_language();
    c->set_ethnic_group(it[0]);
    c->set_language(it[1]);
    if (!Number(it[2], "by_ethnic_group_language", 0, &n, error)) return false;
    c->set_participants(n);
  }
  if (!Items(f[16], "spent", 3, &items, error)) return false;
  for (const auto& it : items) {
    auto* b = a->add_spent();
    b->set_source(it[0]);
    b->set_node_code(it[1]);
    if (!Number(it[2], "spent", 0, &n, error)) return false;
    b->set_amount_vnd(n);
  }
  a->set_outcome(f[17]);
  return true;
}

// Successor of each pre-2025 commune on 1 July 2025 (the embedded lineage; the lowest code for
// a split).
absl::StatusOr<std::map<std::string, std::string>> Successors2025() {
  std::map<std::string, std::string> out;
  for (const auto& f : registry::EmbeddedRefData()) {
    if (f.name != "admin_unit_lineage_2025.csv") continue;
    LNOB_ASSIGN_OR_RETURN(auto rows, registry::ParseCsv(f.name, f.content, 7));
    for (const auto& r : rows) {
      auto [it, fresh] = out.emplace(r[0], r[2]);
      if (!fresh && r[2] < it->second) it->second = r[2];
    }
  }
  return out;
}

// The last day of the month before today's.
absl::CivilDay LastFullMonthEnd() {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return absl::CivilDay(absl::CivilMonth(today)) - 1;
}

}  // namespace

int RunImportActivities(Args& a, const std::string& file) {
  auto stub = cv1::CampaignsService::NewStub(
      grpc::CreateChannel(Get(a, "target", "127.0.0.1:50053"), grpc::InsecureChannelCredentials()));
  return StreamCsvImport<cv1::ImportActivitiesRequest, cv1::ImportActivitiesResponse>(
      a, "import activities", "activities", file, ActivityHeader(),
      [&](grpc::ClientContext* ctx, cv1::ImportActivitiesResponse* resp) { return stub->ImportActivities(ctx, resp); },
      [](const std::vector<std::string>& f, cv1::ImportActivitiesRequest* msg, std::string* error) {
        return ParseActivity(f, msg->mutable_activity(), error);
      });
}

int RunImportPersons(Args& a, const std::string& file) {
  if (file.empty()) return Fail("import persons: give the CSV file (see lnobctl import --help)");
  std::ifstream in(file);
  if (!in) return Fail("import persons: cannot read " + file);
  std::vector<std::string> f;
  int64_t line_no = 0;
  if (!csv::ReadRecord(in, &f, &line_no) || f != PersonHeader()) {
    return Fail("import persons: the first line must be the header " + csv::FormatRecord(PersonHeader()));
  }
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  auto channel = grpc::CreateChannel(Get(a, "target", "127.0.0.1:50053"), grpc::InsecureChannelCredentials());
  auto stub = cv1::CampaignsService::NewStub(channel);
  const std::string token = Token(a);
  int64_t persons = 0, events = 0, failed = 0;
  std::vector<std::string> errors;
  auto error = [&](int64_t line, const std::string& message) {
    ++failed;
    if (errors.size() < 20) errors.push_back(absl::StrCat("line ", line, ": ", message));
  };
  // Stops the whole run: the service cannot be reached or will not let this caller in.
  auto fatal = [](const grpc::Status& s) {
    return s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
           s.error_code() == grpc::StatusCode::PERMISSION_DENIED;
  };
  while (csv::ReadRecord(in, &f, &line_no)) {
    if (f.size() != PersonHeader().size()) {
      error(line_no, absl::StrCat("expected ", PersonHeader().size(), " columns, found ", f.size()));
      continue;
    }
    cv1::CreatePersonRequest req;
    req.set_request_id(RowRequestId(import_id, line_no * 1000));
    cv1::PrestigiousPerson* p = req.mutable_person();
    std::string why;
    int64_t n = 0;
    p->set_full_name(f[0]);
    if (!Number(f[1], "birth_year", 0, &n, &why)) {
      error(line_no, why);
      continue;
    }
    p->set_birth_year(static_cast<int32_t>(n));
    cv1::PrestigiousPerson::Sex sex = cv1::PrestigiousPerson::SEX_UNSPECIFIED;
    if (!cv1::PrestigiousPerson::Sex_Parse(f[2], &sex)) {
      error(line_no, "sex: MALE or FEMALE");
      continue;
    }
    p->set_sex(sex);
    p->set_ethnic_group(f[3]);
    p->set_citizen_id(f[4]);
    p->set_commune_code(f[5]);
    p->set_village(f[6]);
    p->set_source_group(f[7]);
    p->mutable_recognition()->set_number(f[8]);
    p->mutable_recognition()->set_authority(f[10]);
    std::vector<std::vector<std::string>> items;
    if (!Date(f[9], "decision_date", true, p->mutable_recognition()->mutable_date(), &why) ||
        !Date(f[11], "term_start", false, p->mutable_term_start(), &why) ||
        !Date(f[12], "term_end", false, p->mutable_term_end(), &why) ||
        !Items(f[13], "support_events", 4, &items, &why)) {
      error(line_no, why);
      continue;
    }
    cv1::PrestigiousPerson made;
    auto ctx = Context(token);
    grpc::Status s = stub->CreatePerson(ctx.get(), req, &made);
    if (!s.ok()) {
      if (fatal(s)) return Fail(absl::StrCat("import persons: line ", line_no, ": ", s.error_message()));
      error(line_no, s.error_message());
      continue;
    }
    ++persons;
    // support_events: TYPE:DATE:AMOUNT:SOURCE (AMOUNT empty: the type's standard amount).
    for (size_t k = 0; k < items.size(); ++k) {
      cv1::RecordSupportEventRequest ev;
      ev.set_request_id(RowRequestId(import_id, line_no * 1000 + static_cast<int64_t>(k) + 1));
      auto* e = ev.mutable_support_event();
      e->set_person(made.name());
      e->set_event_type(items[k][0]);
      if (!Date(items[k][1], "support_events", true, e->mutable_event_date(), &why) ||
          !Number(items[k][2], "support_events", 0, &n, &why)) {
        error(line_no, why);
        break;
      }
      e->set_amount_vnd(n);
      e->set_source(items[k][3]);
      cv1::SupportEvent got;
      auto ectx = Context(token);
      grpc::Status es = stub->RecordSupportEvent(ectx.get(), ev, &got);
      if (!es.ok()) {
        if (fatal(es)) return Fail(absl::StrCat("import persons: line ", line_no, ": ", es.error_message()));
        error(line_no, absl::StrCat("support_events[", k, "]: ", es.error_message()));
        continue;
      }
      ++events;
    }
  }
  std::printf("import persons %s: %lld persons and %lld support events recorded (or already recorded by an earlier"
              " run), %lld failed\n",
              import_id.c_str(), static_cast<long long>(persons), static_cast<long long>(events),
              static_cast<long long>(failed));
  for (const auto& e : errors) std::printf("  %s\n", e.c_str());
  return failed > 0 ? 3 : 0;
}

int RunDemoActivities(Args& a) {
  int64_t seed = 0, per_village = 0;
  if (!absl::SimpleAtoi(Get(a, "seed", "47"), &seed)) return Fail("demo activities: --seed must be a number");
  if (!absl::SimpleAtoi(Get(a, "per_village", "4"), &per_village) || per_village < 1) {
    return Fail("demo activities: --per_village must be a positive number");
  }
  auto successors = Successors2025();
  if (!successors.ok()) return Fail(std::string(successors.status().message()));
  const absl::CivilDay last = LastFullMonthEnd();
  const absl::CivilDay first = absl::CivilDay(absl::CivilMonth(last) - 11);
  const int days = static_cast<int>(last - first) + 1;
  const std::string out_path = Get(a, "out");
  std::ofstream file;
  if (!out_path.empty()) file.open(out_path);
  std::ostream& out = out_path.empty() ? std::cout : file;
  out << csv::FormatRecord(ActivityHeader()) << "\n";
  Rng rng(static_cast<uint64_t>(seed));
  static const std::vector<std::string> kTypes = {"CONF_HONOURING", "TRAINING_PRESTIGIOUS", "BILLBOARD",
                                                  "IT_SUPPORT_POINT", "VILLAGE_MEETING", "LOUDSPEAKER_RADIO",
                                                  "LEAFLET_HANDBOOK", "CONTEST", "MEDIA", "LEGAL_AID"};
  // Who lives in "Sóc" villages (ethnic minorities, brief §4.1) and the language each hears.
  static const std::vector<std::pair<std::string, std::string>> kGroups = {
      {"22", "STIENG"}, {"20", "MNONG"}, {"05", "KHMER"}, {"02", "TAY"}, {"07", "NUNG"}};
  const absl::Status st = ForEachDemoCommune([&](const std::vector<std::string>& unit) {
    if (rng.Chance(0.05)) return;  // a few communes heard nothing all year
    for (const auto& village : DemoVillageNames()) {
      if (rng.Chance(0.12)) continue;  // and some villages
      const bool em = absl::StartsWith(village, "Sóc");
      for (int64_t k = 0; k < per_village; ++k) {
        const absl::CivilDay day = first + rng.Range(0, days - 1);
        const bool merged = day >= absl::CivilDay(2025, 7, 1);
        auto it = successors->find(unit[0]);
        const std::string commune = merged && it != successors->end() ? it->second : unit[0];
        const int total = rng.Range(20, 150);
        const int em_count = em ? total * rng.Range(60, 95) / 100 : total * rng.Range(0, 15) / 100;
        const auto& [group, language] = rng.Pick(kGroups);
        const int own_language = em_count * rng.Range(40, 80) / 100;
        const int in_vietnamese = em_count - own_language;
        std::string by_group, by_language, cells, spent;
        if (em_count > 0) {
          by_group = absl::StrCat(group, ":", em_count, ";01:", total - em_count);
          cells = absl::StrCat(group, ":", language, ":", own_language, ";", group, ":VI:", in_vietnamese, ";01:VI:",
                               total - em_count);
          by_language = absl::StrCat(language, ":", own_language, ";VI:", total - own_language);
        }
        if (rng.Chance(0.4)) spent = absl::StrCat("CENTRAL_RECURRENT:NTP_EM.P10:", rng.Range(5, 60) * 100000);
        out << csv::FormatRecord({"", rng.Pick(kTypes), em ? "NTP_1719;POVERTY" : "POVERTY", FormatDate(day), "",
                                  commune, village, commune == unit[0] ? "" : unit[0],
                                  absl::StrCat(rng.Range(1, 3)), absl::StrCat(total),
                                  absl::StrCat(em_count), absl::StrCat(total * rng.Range(30, 60) / 100),
                                  absl::StrCat(rng.Range(0, 3)), by_group, by_language, cells, spent,
                                  "synthetic demo activity"})
            << "\n";
      }
    }
  });
  if (!st.ok()) return Fail(std::string(st.message()));
  return out.good() ? 0 : Fail("demo activities: write failed");
}

int RunDemoPersons(Args& a) {
  int64_t seed = 0;
  if (!absl::SimpleAtoi(Get(a, "seed", "47"), &seed)) return Fail("demo persons: --seed must be a number");
  const std::string out_path = Get(a, "out");
  std::ofstream file;
  if (!out_path.empty()) file.open(out_path);
  std::ostream& out = out_path.empty() ? std::cout : file;
  out << csv::FormatRecord(PersonHeader()) << "\n";
  Rng rng(static_cast<uint64_t>(seed) + 1);
  static const std::vector<std::string> kFamily = {"Điểu", "Thị", "Lâm", "Danh", "Y", "K'"};
  static const std::vector<std::string> kGiven = {"Lộc", "Brơi", "Xiêm", "Thanh", "Mến", "Hùng", "Ba", "Nhi"};
  static const std::vector<std::string> kGroups = {"22", "20", "05", "02", "07"};
  static const std::vector<std::string> kSources = {"VILLAGE_ELDER", "VILLAGE_HEAD", "CLAN_HEAD", "RETIRED_CADRE",
                                                    "RELIGIOUS_DIGNITARY", "TEACHER"};
  // A year whose January to September are past.
  const int year = static_cast<int>((absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) - 300).year());
  int64_t serial = 0;
  const absl::Status st = ForEachDemoCommune([&](const std::vector<std::string>& unit) {
    for (const auto& village : DemoVillageNames()) {
      if (!absl::StartsWith(village, "Sóc") || !rng.Chance(0.35)) continue;
      ++serial;
      // Recognised by the district chair before the 2025 reform (its last term).
      const absl::CivilDay decided = absl::CivilDay(2024, 1, 1) + rng.Range(0, 300);
      std::vector<std::string> events = {absl::StrCat("TET_GIFT:", year, "-01-", rng.Range(10, 25), "::LOCAL_ADDITIONAL")};
      if (rng.Chance(0.6)) events.push_back(absl::StrCat("INFO:", year, "-0", rng.Range(3, 9), "-15:0:"));
      if (rng.Chance(0.1)) events.push_back(absl::StrCat("SICK_VISIT:", year, "-0", rng.Range(2, 9), "-10:300000:LOCAL_ADDITIONAL"));
      out << csv::FormatRecord({absl::StrCat(rng.Pick(kFamily), " ", rng.Pick(kGiven), " ", serial),
                                absl::StrCat(rng.Range(1940, 1975)), rng.Chance(0.8) ? "MALE" : "FEMALE",
                                rng.Pick(kGroups), "", unit[0], village, rng.Pick(kSources),
                                absl::StrCat(rng.Range(100, 999), "/QĐ-UBND"), FormatDate(decided),
                                "DISTRICT_PC_CHAIR", "", "", absl::StrJoin(events, ";")})
          << "\n";
    }
  });
  if (!st.ok()) return Fail(std::string(st.message()));
  return out.good() ? 0 : Fail("demo persons: write failed");
}

}  // namespace lnob::ctl
