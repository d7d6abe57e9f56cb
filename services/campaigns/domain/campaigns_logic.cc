#include "services/campaigns/domain/campaigns_logic.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/import_stream.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"
#include "common/util/uuid.h"

namespace lnob::campaigns {
namespace {

constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxVillage = 200;
constexpr size_t kMaxOutcome = 4000;
constexpr int kMaxListItems = 100;

bool ValidCode(const std::string& code, size_t min, size_t max) {
  if (code.size() < min || code.size() > max) return false;
  for (char ch : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

bool ValidTopic(const std::string& t) {
  if (t.empty() || t.size() > 40) return false;
  for (char ch : t) {
    if (!(absl::ascii_isupper(static_cast<unsigned char>(ch)) || absl::ascii_isdigit(static_cast<unsigned char>(ch)) ||
          ch == '_')) {
      return false;
    }
  }
  return true;
}

// A kind code as the database checks it: ^[A-Z][A-Z0-9_]{1,39}$.
bool ValidKind(const std::string& k) {
  return k.size() >= 2 && ValidTopic(k) && absl::ascii_isupper(static_cast<unsigned char>(k[0]));
}

bool ValidSha256(const std::string& h) {
  if (h.size() != 64) return false;
  for (char ch : h) {
    if (!(absl::ascii_isdigit(static_cast<unsigned char>(ch)) || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

// type/subtype in lower case, as the database checks it.
bool ValidMediaType(const std::string& t) {
  const size_t slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.size() || t.size() > 100) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    const char ch = t[i];
    if (i == slash) continue;
    const bool first = i == 0 || i == slash + 1;
    const bool ok = absl::ascii_islower(static_cast<unsigned char>(ch)) || absl::ascii_isdigit(static_cast<unsigned char>(ch)) ||
                    (!first && (ch == '.' || ch == '+' || ch == '-'));
    if (!ok) return false;
  }
  return t.find('/', slash + 1) == std::string::npos;
}

void CheckTopics(const google::protobuf::RepeatedPtrField<std::string>& topics, const std::string& field,
                 bool required, Violations* v) {
  if (required && topics.empty()) v->Add(field, "name at least one topic (e.g. NTP_1719, POVERTY, LEGAL)");
  if (topics.size() > kMaxListItems) v->Add(field, "at most 100 topics");
  std::set<std::string> seen;
  for (int i = 0; i < topics.size(); ++i) {
    if (!ValidTopic(topics[i])) v->Add(absl::StrCat(field, "[", i, "]"), "must be 1-40 characters A-Z, 0-9 or _");
    if (!seen.insert(topics[i]).second) v->Add(absl::StrCat(field, "[", i, "]"), "appears twice");
  }
}

void CheckBudget(const google::protobuf::RepeatedPtrField<v1::BudgetLine>& lines, const std::string& field,
                 Violations* v) {
  if (lines.size() > kMaxListItems) v->Add(field, "at most 100 lines");
  for (int i = 0; i < lines.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "].");
    if (lines[i].source().empty()) v->Add(at + "source", "is required (a funding source code)");
    if (lines[i].node_code().empty()) v->Add(at + "node_code", "is required (a programme node code)");
    if (lines[i].amount_vnd() < 0) v->Add(at + "amount_vnd", "must be integer VND >= 0");
  }
}


// Dates as days, or a violation naming the field.
std::optional<absl::CivilDay> Day(const google::type::Date& d, const std::string& field, bool required,
                                  Violations* v) {
  if (!api::IsSet(d)) {
    if (required) v->Add(field, "is required");
    return std::nullopt;
  }
  auto day = api::FromProtoDate(d, field);
  if (!day.ok()) {
    v->Add(field, "must be a full date");
    return std::nullopt;
  }
  return *day;
}

}  // namespace

void FillMargins(v1::Activity* a) {
  if (a->by_ethnic_group_language().empty()) return;
  std::map<std::string, int64_t> groups, languages;
  for (const auto& c : a->by_ethnic_group_language()) {
    groups[c.ethnic_group()] += c.participants();
    languages[c.language()] += c.participants();
  }
  if (a->by_ethnic_group().empty()) {
    for (const auto& [code, n] : groups) {
      auto* p = a->add_by_ethnic_group();
      p->set_code(code);
      p->set_participants(n);
    }
  }
  if (a->by_language().empty()) {
    for (const auto& [code, n] : languages) {
      auto* p = a->add_by_language();
      p->set_code(code);
      p->set_participants(n);
    }
  }
}

// The province's day, as every service counts it (common/util/date.h).
absl::CivilDay CampaignsLogic::Today() const { return lnob::Today(clock_.Now()); }

absl::Status CampaignsLogic::CheckPlace(v1::Activity* a, const VillageRegister* local) {
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(a->start_date(), "activity.start_date"));
  return ResolvePlace(a->commune_code(), day, "activity.", a->mutable_village(), a->mutable_village_ref(), local,
                      a->former_commune_code());
}

absl::Status CampaignsLogic::ResolvePlace(const std::string& commune, absl::CivilDay day, const std::string& prefix,
                                          std::string* village, std::string* village_ref,
                                          const VillageRegister* local, const std::string& former) {
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  const std::string date_field = prefix == "activity." ? "start_date" : "the decision's date";
  const scope::UnitVersion* unit = graph->Find(commune, day);
  if (unit == nullptr || unit->level != "commune") {
    if (unit == nullptr && graph->Known(commune)) {
      const std::string now = graph->UnitOn(commune, day);
      return InvalidField(prefix + "commune_code",
                          absl::StrCat("commune ", commune, " is not in force on ", date_field,
                                       now.empty() || now == commune ? "" : absl::StrCat(" (it became ", now, ")")));
    }
    return InvalidField(prefix + "commune_code", absl::StrCat("must be a commune-level unit in force on ", date_field));
  }
  village_ref->clear();
  // A former commune, when named, must be one that became this commune.
  if (!former.empty() && former != commune && graph->UnitOn(former, day) != commune) {
    return InvalidField(prefix + "former_commune_code",
                        absl::StrCat("must be a commune that became ", commune, " by ", date_field));
  }
  if (village->empty()) return absl::OkStatus();
  auto find = [&](const std::string& code) -> absl::StatusOr<VillageMatch> {
    if (local != nullptr) return local->Find(code, day, *village);
    return places_->FindVillage(code, day, *village);
  };
  // The commune's own register first (or only the former commune's, when named); then the
  // registers of the communes merged into it (their villages carried over to it), where one
  // name may be a village of several.
  bool registered = false;
  std::vector<VillageMatch> found;
  {
    LNOB_ASSIGN_OR_RETURN(VillageMatch m, find(former.empty() ? commune : former));
    registered |= m.registered;
    if (!m.village.empty()) found.push_back(m);
  }
  std::vector<std::string> where;
  if (found.empty() && former.empty()) {
    for (const auto& code : graph->CommunesUnder(commune, day)) {
      if (code == commune) continue;
      LNOB_ASSIGN_OR_RETURN(VillageMatch m, find(code));
      registered |= m.registered;
      if (!m.village.empty()) {
        found.push_back(m);
        where.push_back(code);
      }
    }
  }
  if (found.size() > 1) {
    return InvalidField(prefix + "village",
                        absl::StrCat("is a village of several communes merged into ", commune, " (",
                                     absl::StrJoin(where, ", "), "): name the one in former_commune_code"));
  }
  if (found.size() == 1) {
    *village = found[0].name;
    *village_ref = found[0].village;
    return absl::OkStatus();
  }
  if (registered) {
    return InvalidField(prefix + "village",
                        absl::StrCat("is not in the village register of commune ", former.empty() ? commune : former,
                                     " on ", date_field, " (the registry's ListVillages)"));
  }
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ListLanguages(const C&, const v1::ListLanguagesRequest& req,
                                           v1::ListLanguagesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListLanguages());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& l : page) *out->add_languages() = std::move(l);
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ListActivityTypes(const C&, const v1::ListActivityTypesRequest& req,
                                               v1::ListActivityTypesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListActivityTypes());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& t : page) *out->add_activity_types() = std::move(t);
  return absl::OkStatus();
}

absl::Status CampaignsLogic::CreateCampaign(const C& c, const v1::CreateCampaignRequest& req, v1::Campaign* out) {
  const v1::Campaign& in = req.campaign();
  Violations v;
  if (in.title().empty()) v.Add("campaign.title", "is required");
  if (Utf8Chars(in.title()) > kMaxTitle) v.Add("campaign.title", "at most 200 characters");
  CheckTopics(in.topics(), "campaign.topics", true, &v);
  auto from = Day(in.start_date(), "campaign.start_date", true, &v);
  auto to = Day(in.end_date(), "campaign.end_date", true, &v);
  if (from && to && *to < *from) v.Add("campaign.end_date", "must not be before start_date");
  if (in.target_units_size() > 1000) v.Add("campaign.target_units", "at most 1,000 units");
  if (!in.target_units().empty() || !in.owner_unit().empty()) {
    LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
    for (int i = 0; i < in.target_units_size(); ++i) {
      if (!graph->Known(in.target_units(i))) {
        v.Add(absl::StrCat("campaign.target_units[", i, "]"), "must be a unit code of the registry (ListAdminUnits)");
      }
    }
    if (!in.owner_unit().empty() && !graph->Known(in.owner_unit())) {
      v.Add("campaign.owner_unit", "must be a unit code of the registry (ListAdminUnits)");
    }
  }
  if (in.programme_node().size() > 100) v.Add("campaign.programme_node", "at most 100 characters");
  if (in.target_villages_size() > 1000) v.Add("campaign.target_villages", "at most 1,000 villages");
  if (!in.target_villages().empty() && from) {
    // Villages of the register in force on the campaign's start.
    LNOB_ASSIGN_OR_RETURN(auto all, places_->AllVillages());
    std::set<std::string> in_force;
    for (const auto& rv : all) {
      if (rv.from <= *from && *from <= rv.to) in_force.insert(rv.village);
    }
    for (int i = 0; i < in.target_villages_size(); ++i) {
      if (!in_force.count(in.target_villages(i))) {
        v.Add(absl::StrCat("campaign.target_villages[", i, "]"),
              "must be villages/{uuid} of the registry's register in force on start_date");
      }
    }
  }
  CheckBudget(in.planned_budget(), "campaign.planned_budget", &v);
  std::optional<CatalogueCodes> catalogue;
  LNOB_RETURN_IF_ERROR(CheckBudgetCodes(in.planned_budget(), "campaign.planned_budget", &catalogue, &v));
  if (!in.programme_node().empty()) {
    if (!catalogue) {
      LNOB_ASSIGN_OR_RETURN(CatalogueCodes codes, funding_->Codes());
      catalogue = std::move(codes);
    }
    if (!catalogue->nodes.count(in.programme_node())) {
      v.Add("campaign.programme_node", "must be a programme node of funding's ListProgrammeNodes (e.g. NTP_EM.P10)");
    }
  }
  if (in.owner_unit().empty()) v.Add("campaign.owner_unit", "is required: the unit that runs it");
  if (!v1::Campaign::Status_IsValid(in.status())) v.Add("campaign.status", "unknown status");
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(v.Status());
  // The owner must be within the caller's area (province-wide roles own any unit).
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, in.owner_unit(), *from, "campaign.owner_unit"));
  v1::Campaign stored = in;
  stored.set_name("campaigns/" + NewUuidV7(clock_.Now()));
  if (stored.status() == v1::Campaign::STATUS_UNSPECIFIED) stored.set_status(v1::Campaign::PLANNED);
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateCampaign(stored, c.principal.subject,
                                                     api::IdempotencyKeyFor(req, "CreateCampaign", c.principal.subject)));
  return absl::OkStatus();
}

absl::Status CampaignsLogic::SetCampaignStatus(const C& c, const v1::SetCampaignStatusRequest& req,
                                               v1::Campaign* out) {
  Violations v;
  if (req.status() != v1::Campaign::ACTIVE && req.status() != v1::Campaign::CLOSED) {
    v.Add("status", "must be ACTIVE or CLOSED");
  }
  if (req.etag().empty()) v.Add("etag", "is required: the campaign's etag (re-read it first)");
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "campaigns", "name"));
  LNOB_RETURN_IF_ERROR(v.Status());
  auto forward = [&](const v1::Campaign& now) -> absl::Status {
    // Another area's campaign reads as missing.
    LNOB_RETURN_IF_ERROR(scope_->CheckResource(c.principal, now.owner_unit(), Today(), req.name()));
    if (now.status() >= req.status()) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat(
                            "status: the campaign is ", v1::Campaign::Status_Name(now.status()),
                            "; it moves forward only (PLANNED, ACTIVE, CLOSED)")),
                        "STATUS_BACKWARDS");
    }
    return absl::OkStatus();
  };
  LNOB_ASSIGN_OR_RETURN(*out, store_->SetCampaignStatus(
                                  id, req.etag(), req.status(),
                                  api::IdempotencyKeyFor(req, "SetCampaignStatus", c.principal.subject), forward));
  return absl::OkStatus();
}

absl::Status CampaignsLogic::GetCampaign(const C&, const v1::GetCampaignRequest& req, v1::Campaign* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "campaigns", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetCampaign(id));
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ListCampaigns(const C&, const v1::ListCampaignsRequest& req,
                                           v1::ListCampaignsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Campaign>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListCampaigns(after, limit);
                                       },
                                       [](const v1::Campaign& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_campaigns() = std::move(x);
  return absl::OkStatus();
}

absl::StatusOr<CampaignsLogic::Codes> CampaignsLogic::LoadCodes() {
  Codes codes;
  LNOB_ASSIGN_OR_RETURN(auto types, store_->ListActivityTypes());
  for (const auto& t : types) codes.activity_types.insert(t.code());
  LNOB_ASSIGN_OR_RETURN(auto languages, store_->ListLanguages());
  for (const auto& l : languages) codes.languages.insert(l.code());
  return codes;
}

absl::Status CampaignsLogic::CheckBudgetCodes(const google::protobuf::RepeatedPtrField<v1::BudgetLine>& lines,
                                              const std::string& field, std::optional<CatalogueCodes>* catalogue,
                                              Violations* v) {
  if (lines.empty()) return absl::OkStatus();
  if (!*catalogue) {
    LNOB_ASSIGN_OR_RETURN(CatalogueCodes codes, funding_->Codes());
    *catalogue = std::move(codes);
  }
  for (int i = 0; i < lines.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "].");
    if (!lines[i].source().empty() && !(*catalogue)->sources.count(lines[i].source())) {
      v->Add(at + "source", "must be a funding source of funding's ListFundingSources (e.g. CENTRAL_RECURRENT)");
    }
    if (!lines[i].node_code().empty() && !(*catalogue)->nodes.count(lines[i].node_code())) {
      v->Add(at + "node_code", "must be a programme node of funding's ListProgrammeNodes (e.g. NTP_EM.P10)");
    }
  }
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ValidateActivity(const v1::Activity& a, const std::optional<v1::Campaign>& campaign,
                                              Codes& codes) {
  Violations v;
  if (!codes.activity_types.count(a.activity_type())) v.Add("activity.activity_type", "must be a code of ListActivityTypes (e.g. VILLAGE_MEETING)");
  CheckTopics(a.topics(), "activity.topics", false, &v);
  auto from = Day(a.start_date(), "activity.start_date", true, &v);
  auto to = Day(a.end_date(), "activity.end_date", true, &v);
  if (from && to && *to < *from) v.Add("activity.end_date", "must not be before start_date");
  if (campaign && from && to) {
    const absl::CivilDay c_from(campaign->start_date().year(), campaign->start_date().month(), campaign->start_date().day());
    const absl::CivilDay c_to(campaign->end_date().year(), campaign->end_date().month(), campaign->end_date().day());
    if (*from < c_from || *to > c_to) {
      v.Add("activity.start_date", absl::StrCat("must lie inside the campaign's dates (", api::ProtoDateText(campaign->start_date()),
                                                " to ", api::ProtoDateText(campaign->end_date()), ")"));
    }
  }
  if (!ValidCode(a.commune_code(), 5, 5)) v.Add("activity.commune_code", "is required: a 5-digit commune code");
  if (Utf8Chars(a.village()) > kMaxVillage) v.Add("activity.village", "at most 200 characters");
  if (a.sessions() < 1) v.Add("activity.sessions", "must be at least 1");
  const int64_t total = a.participants_total();
  if (total < 0) v.Add("activity.participants_total", "must be >= 0");
  auto part = [&](int64_t n, const char* field) {
    if (n < 0) v.Add(absl::StrCat("activity.", field), "must be >= 0");
    if (n > total) v.Add(absl::StrCat("activity.", field), "must not exceed participants_total");
  };
  part(a.participants_ethnic_minority(), "participants_ethnic_minority");
  part(a.participants_women(), "participants_women");
  part(a.participants_prestigious(), "participants_prestigious");
  const std::set<std::string>& language_codes = codes.languages;
  auto breakdown = [&](const google::protobuf::RepeatedPtrField<v1::ParticipantCount>& counts, const std::string& field,
                       bool ethnic) {
    int64_t sum = 0;
    std::set<std::string> seen;
    for (int i = 0; i < counts.size(); ++i) {
      const std::string at = absl::StrCat(field, "[", i, "]");
      const std::string& code = counts[i].code();
      int n = 0;
      const bool known = ethnic ? (ValidCode(code, 2, 2) && (n = std::stoi(code)) >= 1 && n <= 54)
                                : language_codes.count(code) > 0;
      if (!known) {
        v.Add(at + ".code", ethnic ? "must be an ethnic group code 01-54 (the registry's ListEthnicGroups)"
                                   : "must be a language code of ListLanguages");
      }
      if (!seen.insert(code).second) v.Add(at + ".code", "appears twice");
      if (counts[i].participants() < 0) v.Add(at + ".participants", "must be >= 0");
      sum += counts[i].participants();
    }
    if (sum > total) v.Add(field, absl::StrCat("adds up to ", sum, ", more than participants_total ", total));
  };
  breakdown(a.by_ethnic_group(), "activity.by_ethnic_group", true);
  breakdown(a.by_language(), "activity.by_language", false);
  // The cross breakdown: known codes, each pair once, within the total and within the margins.
  std::map<std::string, int64_t> group_of, language_of, group_cells, language_cells;
  for (const auto& p : a.by_ethnic_group()) group_of[p.code()] = p.participants();
  for (const auto& p : a.by_language()) language_of[p.code()] = p.participants();
  std::set<std::pair<std::string, std::string>> pairs;
  int64_t cells = 0;
  for (int i = 0; i < a.by_ethnic_group_language_size(); ++i) {
    const auto& cell = a.by_ethnic_group_language(i);
    const std::string at = absl::StrCat("activity.by_ethnic_group_language[", i, "]");
    int n = 0;
    if (!(ValidCode(cell.ethnic_group(), 2, 2) && (n = std::stoi(cell.ethnic_group())) >= 1 && n <= 54)) {
      v.Add(at + ".ethnic_group", "must be an ethnic group code 01-54 (the registry's ListEthnicGroups)");
    }
    if (!language_codes.count(cell.language())) v.Add(at + ".language", "must be a language code of ListLanguages");
    if (!pairs.insert({cell.ethnic_group(), cell.language()}).second) v.Add(at, "this group and language appear twice");
    if (cell.participants() < 0) v.Add(at + ".participants", "must be >= 0");
    cells += cell.participants();
    group_cells[cell.ethnic_group()] += cell.participants();
    language_cells[cell.language()] += cell.participants();
  }
  if (cells > total) {
    v.Add("activity.by_ethnic_group_language", absl::StrCat("adds up to ", cells, ", more than participants_total ", total));
  }
  for (const auto& [code, n] : group_cells) {
    auto it = group_of.find(code);
    if (it == group_of.end() || it->second < n) {
      v.Add("activity.by_ethnic_group_language",
            absl::StrCat("ethnic group ", code, " adds up to ", n, ", more than by_ethnic_group gives it (",
                         it == group_of.end() ? 0 : it->second, ")"));
    }
  }
  for (const auto& [code, n] : language_cells) {
    auto it = language_of.find(code);
    if (it == language_of.end() || it->second < n) {
      v.Add("activity.by_ethnic_group_language",
            absl::StrCat("language ", code, " adds up to ", n, ", more than by_language gives it (",
                         it == language_of.end() ? 0 : it->second, ")"));
    }
  }
  CheckBudget(a.spent(), "activity.spent", &v);
  LNOB_RETURN_IF_ERROR(CheckBudgetCodes(a.spent(), "activity.spent", &codes.catalogue, &v));
  CheckBudget(a.allocated(), "activity.allocated", &v);
  LNOB_RETURN_IF_ERROR(CheckBudgetCodes(a.allocated(), "activity.allocated", &codes.catalogue, &v));
  if (Utf8Chars(a.outcome()) > kMaxOutcome) v.Add("activity.outcome", "at most 4,000 characters");
  if (a.attendees_size() > total) {
    v.Add("activity.attendees", absl::StrCat("lists ", a.attendees_size(), " people, more than participants_total ", total));
  }
  if (a.attendees_size() > 100000) v.Add("activity.attendees", "at most 100,000 people");
  {
    std::set<std::string> seen;
    for (int i = 0; i < a.attendees_size(); ++i) {
      const std::string& x = a.attendees(i);
      const std::string at = absl::StrCat("activity.attendees[", i, "]");
      std::vector<std::string> parts = absl::StrSplit(x, '/');
      const bool person = parts.size() == 2 && parts[0] == "persons" && IsUuid(parts[1]);
      const bool member = parts.size() == 4 && parts[0] == "households" && IsUuid(parts[1]) && parts[2] == "members" &&
                          IsUuid(parts[3]);
      if (!person && !member) v.Add(at, "must be households/{uuid}/members/{uuid} or persons/{uuid}");
      if (!seen.insert(x).second) v.Add(at, "appears twice");
    }
  }
  if (a.materials_size() > kMaxListItems) v.Add("activity.materials", "at most 100 lines");
  if (a.equipment_size() > kMaxListItems) v.Add("activity.equipment", "at most 100 lines");
  if (a.attachments_size() > kMaxListItems) v.Add("activity.attachments", "at most 100 lines");
  for (int i = 0; i < a.materials_size(); ++i) {
    const auto& m = a.materials(i);
    const std::string at = absl::StrCat("activity.materials[", i, "].");
    if (!ValidKind(m.kind())) v.Add(at + "kind", "must be 2-40 characters A-Z, 0-9 or _, starting with a letter (e.g. LEAFLET)");
    if (m.count() < 1) v.Add(at + "count", "must be at least 1");
    if (!language_codes.count(m.language())) v.Add(at + "language", "must be a language code of ListLanguages");
  }
  for (int i = 0; i < a.equipment_size(); ++i) {
    const auto& e = a.equipment(i);
    const std::string at = absl::StrCat("activity.equipment[", i, "].");
    if (!ValidKind(e.kind())) v.Add(at + "kind", "must be 2-40 characters A-Z, 0-9 or _, starting with a letter (e.g. LOUDSPEAKER)");
    if (e.count() < 1) v.Add(at + "count", "must be at least 1");
    if (e.value_vnd() < 0) v.Add(at + "value_vnd", "must be integer VND >= 0");
  }
  for (int i = 0; i < a.attachments_size(); ++i) {
    const auto& f = a.attachments(i);
    const std::string at = absl::StrCat("activity.attachments[", i, "].");
    if (f.file_name().empty() || Utf8Chars(f.file_name()) > 255) v.Add(at + "file_name", "is required (at most 255 characters)");
    if (!ValidMediaType(f.media_type())) v.Add(at + "media_type", "must be a media type such as image/jpeg or application/pdf");
    if (f.size_bytes() < 0) v.Add(at + "size_bytes", "must be >= 0");
    if (!ValidSha256(f.sha256())) v.Add(at + "sha256", "must be the file's SHA-256 as 64 lower-case hex digits");
    if (f.location().empty() || Utf8Chars(f.location()) > 1000) {
      v.Add(at + "location", "is required: where the file is stored (at most 1,000 characters)");
    }
  }
  return v.Status();
}

absl::Status CampaignsLogic::CreateActivity(const C& c, const v1::CreateActivityRequest& req, v1::Activity* out) {
  v1::Activity a = req.activity();
  if (!api::ValidateRequestId(req.request_id()).ok()) return InvalidField("request_id", "must be a UUID");
  if (!api::IsSet(a.end_date())) *a.mutable_end_date() = a.start_date();
  FillMargins(&a);
  std::optional<v1::Campaign> campaign;
  if (!a.campaign().empty()) {
    LNOB_ASSIGN_OR_RETURN(std::string cid, api::ParseUuidId(a.campaign(), "campaigns", "activity.campaign"));
    auto found = store_->GetCampaign(cid);
    if (!found.ok()) {
      return found.status().code() == absl::StatusCode::kNotFound ? InvalidField("activity.campaign", "no such campaign")
                                                                   : found.status();
    }
    campaign = *std::move(found);
  }
  LNOB_ASSIGN_OR_RETURN(Codes codes, LoadCodes());
  LNOB_RETURN_IF_ERROR(ValidateActivity(a, campaign, codes));
  LNOB_RETURN_IF_ERROR(CheckPlace(&a));
  LNOB_RETURN_IF_ERROR(CheckActivityPersons(c, a));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(a.start_date(), "activity.start_date"));
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, a.commune_code(), day, "activity.commune_code"));
  a.set_name("activities/" + NewUuidV7(clock_.Now()));
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateActivity(a, c.principal.subject,
                                                     api::IdempotencyKeyFor(req, "CreateActivity", c.principal.subject)));
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ImportActivities(const C& c, server::MessageReader<v1::ImportActivitiesRequest>& in,
                                              v1::ImportActivitiesResponse* out) {
  // Each batch also adds its activities to the month aggregates; bigger batches touch each
  // aggregate row fewer times (2,000: ratio to raw COPY 0.45; 10,000: 0.71 at 100,000 rows).
  constexpr size_t kBatch = 10000;
  constexpr int kMaxRowErrors = 1000;
  LNOB_ASSIGN_OR_RETURN(Codes codes, LoadCodes());
  api::ImportHeader header;
  api::ImportReport<v1::ImportActivitiesResponse> report(out, kMaxRowErrors);
  api::BatchWriter<ImportRow> writer(
      [this, &header, actor = c.principal.subject](std::vector<ImportRow> rows) -> absl::StatusOr<api::BatchOutcome> {
        LNOB_ASSIGN_OR_RETURN(ImportOutcome o, store_->ImportBatch(header.id(), actor, rows));
        return api::BatchOutcome{o.committed, o.already_done, {}};
      },
      [&report](const api::BatchOutcome& b) { report.Add(b); });
  // Looked up once per import: campaigns by id, the village register (all its versions).
  std::map<std::string, std::optional<v1::Campaign>> campaigns;
  std::optional<VillageRegister> villages;
  std::vector<ImportRow> batch;
  // One row, checked like CreateActivity; its refusal, if any.
  auto check = [&](v1::Activity* a) -> absl::Status {
    if (!a->persons().empty()) {
      return InvalidField("activity.persons", "the import does not take persons; record them with CreateActivity");
    }
    if (!api::IsSet(a->end_date())) *a->mutable_end_date() = a->start_date();
    FillMargins(a);
    std::optional<v1::Campaign> campaign;
    if (!a->campaign().empty()) {
      LNOB_ASSIGN_OR_RETURN(std::string cid, api::ParseUuidId(a->campaign(), "campaigns", "activity.campaign"));
      auto it = campaigns.find(cid);
      if (it == campaigns.end()) {
        auto found = store_->GetCampaign(cid);
        if (!found.ok() && found.status().code() != absl::StatusCode::kNotFound) return found.status();
        it = campaigns.emplace(cid, found.ok() ? std::optional<v1::Campaign>(*found) : std::nullopt).first;
      }
      if (!it->second) return InvalidField("activity.campaign", "no such campaign");
      campaign = it->second;
    }
    LNOB_RETURN_IF_ERROR(ValidateActivity(*a, campaign, codes));
    if (!a->village().empty() && !villages) {
      LNOB_ASSIGN_OR_RETURN(auto all, places_->AllVillages());
      villages.emplace(all);
    }
    LNOB_RETURN_IF_ERROR(CheckPlace(a, villages ? &*villages : nullptr));
    LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(a->start_date(), "activity.start_date"));
    absl::Status in_scope = scope_->CheckFilter(c.principal, a->commune_code(), day, "activity.commune_code");
    // Reported as the row's error on its field, like any other refusal.
    if (in_scope.code() == absl::StatusCode::kPermissionDenied) {
      return InvalidField("activity.commune_code", std::string(in_scope.message()));
    }
    return in_scope;
  };
  v1::ImportActivitiesRequest msg;
  int64_t last_row = 0;
  while (in.Read(&msg)) {
    LNOB_RETURN_IF_ERROR(header.Accept(msg.import_id()));
    out->set_import_id(header.id());
    if (!msg.has_activity()) continue;
    report.Received();
    if (msg.row_number() <= last_row) {
      return InvalidField("row_number", absl::StrCat("must increase (", msg.row_number(), " after ", last_row, ")"));
    }
    last_row = msg.row_number();
    ImportRow row{msg.row_number(), std::move(*msg.mutable_activity())};
    if (auto st = check(&row.activity); !st.ok()) {
      // The registry or the database failing is not the row's fault: stop, keep what went in.
      if (st.code() == absl::StatusCode::kUnavailable || st.code() == absl::StatusCode::kInternal) return st;
      report.Failed(row.row_number, st, "activity");
      continue;
    }
    row.activity.set_name("activities/" + NewUuidV7(clock_.Now()));
    batch.push_back(std::move(row));
    if (batch.size() >= kBatch) LNOB_RETURN_IF_ERROR(writer.Submit(std::exchange(batch, {})));
  }
  LNOB_RETURN_IF_ERROR(header.Finish());
  LNOB_RETURN_IF_ERROR(writer.Submit(std::move(batch)));
  return writer.Drain();
}

absl::Status CampaignsLogic::GetActivity(const C& c, const v1::GetActivityRequest& req, v1::Activity* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "activities", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetActivity(id));
  // Outside the caller's scope reads exactly like a missing activity.
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(out->start_date(), "start_date"));
  return scope_->CheckResource(c.principal, out->commune_code(), day, req.name());
}

absl::Status CampaignsLogic::BatchGetActivities(const C& c, const v1::BatchGetActivitiesRequest& req,
                                                v1::BatchGetActivitiesResponse* out) {
  constexpr int kMax = 1000;
  if (req.names_size() > kMax) return InvalidField("names", "at most 1000 per call");
  std::vector<std::string> ids;
  ids.reserve(req.names_size());
  for (int i = 0; i < req.names_size(); ++i) {
    LNOB_ASSIGN_OR_RETURN(std::string id,
                          api::ParseUuidId(req.names(i), "activities", absl::StrCat("names[", i, "]")));
    ids.push_back(std::move(id));
  }
  // The same area rule as ListActivities: communes of any period the scope covers today.
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->CoveredCommunes(c.principal, Today()));
  LNOB_ASSIGN_OR_RETURN(int64_t cursor, store_->FeedHead());
  out->set_cursor(cursor);
  LNOB_ASSIGN_OR_RETURN(auto rows, store_->BatchGetActivities(ids));
  for (auto& row : rows) {
    auto* r = out->add_results();
    // Outside the caller's scope reads exactly like a missing activity.
    if (!row || (covered && !covered->count(row->commune_code()))) continue;
    r->set_found(true);
    *r->mutable_activity() = std::move(*row);
  }
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ListActivities(const C& c, const v1::ListActivitiesRequest& req,
                                            v1::ListActivitiesResponse* out) {
  ActivityQuery q;
  if (!req.campaign().empty()) {
    LNOB_ASSIGN_OR_RETURN(q.campaign_id, api::ParseUuidId(req.campaign(), "campaigns", "campaign"));
  }
  // Communes of any period the scope covers today (the scope rule maps old and new codes).
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->CoveredCommunes(c.principal, Today()));
  if (covered) q.communes = std::vector<std::string>(covered->begin(), covered->end());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Activity>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return store_->ListActivities(q);
                                       },
                                       [](const v1::Activity& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_activities() = std::move(x);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::vector<std::string>>> CampaignsLogic::CommunesFor(const C& c,
                                                                                   const std::string& unit,
                                                                                   absl::CivilDay day,
                                                                                   const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!unit.empty() && !graph->Known(unit)) {
    return InvalidField(field, "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->CoveredCommunes(c.principal, Today()));
  if (unit.empty() && !covered) return std::optional<std::vector<std::string>>();
  std::vector<std::string> allowed;
  for (auto& code : graph->CommunesUnder(unit, day)) {
    if (!covered || covered->count(code)) allowed.push_back(std::move(code));
  }
  if (!unit.empty() && covered && allowed.empty()) return scope::AreaScope::FilterOutOfScope(field, unit);
  return std::optional<std::vector<std::string>>(std::move(allowed));
}

absl::Status CampaignsLogic::GetCoverage(const C& c, const v1::GetCoverageRequest& req, v1::Coverage* out) {
  if (req.period().type() == common::v1::Period::TYPE_UNSPECIFIED) return InvalidField("period", "is required");
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  LNOB_ASSIGN_OR_RETURN(auto communes, CommunesFor(c, req.unit_code(), days.last, "unit_code"));
  std::vector<std::string> all = communes ? *communes : graph->CommunesUnder("", days.last);
  // The communes in force on the last day; an activity under an older code counts for the
  // commune that code became.
  std::set<std::string> current;
  for (const auto& code : all) {
    const scope::UnitVersion* u = graph->Find(code, days.last);
    if (u != nullptr && u->level == "commune") current.insert(code);
  }
  LNOB_ASSIGN_OR_RETURN(auto covered, store_->CoveredPlaces(FormatDate(days.first),
                                                            FormatDate(days.last), all));
  std::set<std::string> reached;
  for (const auto& code : covered.communes) reached.insert(graph->UnitOn(code, days.last));
  *out->mutable_period() = req.period();
  out->set_communes(static_cast<int64_t>(current.size()));
  for (const auto& code : current) {
    if (!reached.count(code)) out->add_communes_without_activity(code);
  }
  // Villages registered under the communes in force, and under those merged into them.
  LNOB_ASSIGN_OR_RETURN(auto villages, places_->VillagesOf(all, days.last));
  LNOB_ASSIGN_OR_RETURN(auto difficult, places_->DifficultVillages(days.last));
  out->set_villages(static_cast<int64_t>(villages.size()));
  for (const auto& v : villages) {
    const bool hard = difficult.count(v.village) > 0;
    if (hard) out->set_especially_difficult_villages(out->especially_difficult_villages() + 1);
    if (covered.villages.count(v.village)) continue;
    if (hard) out->set_especially_difficult_without_activity(out->especially_difficult_without_activity() + 1);
    if (req.only_especially_difficult() && !hard) continue;
    auto* u = out->add_villages_without_activity();
    u->set_village(v.village);
    u->set_display_name(v.name);
    u->set_commune_code(graph->UnitOn(v.commune_code, days.last));
    u->set_especially_difficult(hard);
  }
  return absl::OkStatus();
}

absl::Status CampaignsLogic::GetReach(const C& c, const v1::GetReachRequest& req, v1::Reach* out) {
  if (req.period().type() == common::v1::Period::TYPE_UNSPECIFIED) return InvalidField("period", "is required");
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay geo, api::FromProtoDateOr(req.as_of(), "as_of", days.last));
  ReachQuery q;
  q.first = FormatDate(days.first);
  q.last = FormatDate(days.last);
  for (int i = 0; i < req.group_by_size(); ++i) {
    const std::string field = absl::StrCat("group_by[", i, "]");
    switch (req.group_by(i)) {
      case v1::BY_COMMUNE: q.by_commune = true; break;
      case v1::BY_ACTIVITY_TYPE: q.by_type = true; break;
      case v1::BY_TOPIC: q.by_topic = true; break;
      case v1::BY_ETHNIC_GROUP:
      case v1::BY_LANGUAGE: {
        const std::string kind = req.group_by(i) == v1::BY_LANGUAGE ? "LANGUAGE" : "ETHNIC_GROUP";
        q.breakdown = q.breakdown.empty() || q.breakdown == kind ? kind : "BOTH";
        break;
      }
      default: return InvalidField(field, "unknown dimension");
    }
  }
  if (q.by_topic && !q.breakdown.empty()) {
    return InvalidField("group_by", "BY_TOPIC cannot be combined with BY_ETHNIC_GROUP or BY_LANGUAGE "
                                    "(activities record their breakdowns, not one per topic)");
  }
  LNOB_ASSIGN_OR_RETURN(q.communes, CommunesFor(c, req.unit_code(), geo, "unit_code"));
  v1::ReachRow totals;
  LNOB_ASSIGN_OR_RETURN(auto rows, store_->Reach(q, &totals));
  *out->mutable_period() = req.period();
  out->set_activities(totals.activities());
  out->set_attendances(totals.attendances());
  out->set_counting("ATTENDANCES");
  for (auto& r : rows) *out->add_rows() = std::move(r);
  LNOB_ASSIGN_OR_RETURN(auto unique, store_->Unique(q.first, q.last, q.communes));
  out->set_unique_people(unique.people);
  out->set_activities_with_lists(unique.activities);
  out->set_attendances_with_lists(unique.attendances);
  if (req.with_population()) {
    // The unit asked, or the caller's own area when it asked for none and has one; a scoped
    // caller's unit must lie within its area, so that the population is that of the communes
    // whose attendances were counted.
    std::string unit = req.unit_code();
    const auto& area = c.principal.scope.unit_codes;
    if (unit.empty() && !area.empty()) {
      if (area.size() > 1) return InvalidField("unit_code", "name one unit: the caller's scope has several");
      unit = area[0];
    }
    if (!area.empty()) {
      LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
      bool within = false;
      for (const auto& mine : area) within |= graph->Within(unit, mine, geo) || graph->Within(graph->UnitOn(unit, geo), mine, geo);
      if (!within) {
        return InvalidField("unit_code", "with_population needs a unit within the caller's area");
      }
    }
    LNOB_ASSIGN_OR_RETURN(Population pop, places_->PopulationOf(unit, req.period()));
    out->set_population(pop.people);
    out->set_population_ethnic_minority(pop.ethnic_minority);
    out->set_population_basis("REGISTERED_PEOPLE");
    if (pop.people > 0) {
      out->set_attendance_rate(static_cast<double>(out->attendances()) / static_cast<double>(pop.people));
      out->set_unique_rate(static_cast<double>(out->unique_people()) / static_cast<double>(pop.people));
    }
  }
  return absl::OkStatus();
}

absl::Status CampaignsLogic::GetSpending(const C& c, const v1::GetSpendingRequest& req, v1::Spending* out) {
  if (req.period().type() == common::v1::Period::TYPE_UNSPECIFIED) return InvalidField("period", "is required");
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
  LNOB_ASSIGN_OR_RETURN(auto communes, CommunesFor(c, req.unit_code(), days.last, "unit_code"));
  // Campaigns are owned by units of any level: those within the unit (or the caller's scope).
  std::optional<std::vector<std::string>> owners;
  if (communes) {
    LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
    std::set<std::string> units;
    for (const auto& code : *communes) {
      units.insert(code);
      for (const auto& s : graph->Successors(code)) units.insert(s);
    }
    if (!req.unit_code().empty()) {
      for (auto& code : graph->UnitsUnder(req.unit_code(), days.last)) units.insert(std::move(code));
    }
    owners = std::vector<std::string>(units.begin(), units.end());
  }
  LNOB_ASSIGN_OR_RETURN(auto rows, store_->Spending(FormatDate(days.first), FormatDate(days.last), owners, communes));
  *out->mutable_period() = req.period();
  v1::SpendingRow* total = out->mutable_total();
  for (auto& r : rows) {
    total->set_planned_vnd(total->planned_vnd() + r.planned_vnd());
    total->set_allocated_vnd(total->allocated_vnd() + r.allocated_vnd());
    total->set_activities_vnd(total->activities_vnd() + r.activities_vnd());
    total->set_support_events_vnd(total->support_events_vnd() + r.support_events_vnd());
    total->set_spent_vnd(total->spent_vnd() + r.spent_vnd());
    *out->add_rows() = std::move(r);
  }
  return absl::OkStatus();
}

absl::Status CampaignsLogic::GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out) {
  if (req.period().type() == common::v1::Period::TYPE_UNSPECIFIED) return InvalidField("period", "is required");
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
  v1::GetReachRequest reach_req;
  *reach_req.mutable_period() = req.period();
  reach_req.set_unit_code(req.unit_code());
  v1::Reach reach;
  LNOB_RETURN_IF_ERROR(GetReach(c, reach_req, &reach));
  v1::GetCoverageRequest cov_req;
  *cov_req.mutable_period() = req.period();
  cov_req.set_unit_code(req.unit_code());
  v1::Coverage cov;
  LNOB_RETURN_IF_ERROR(GetCoverage(c, cov_req, &cov));
  LNOB_ASSIGN_OR_RETURN(auto communes, CommunesFor(c, req.unit_code(), days.last, "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto counts, store_->Counts(FormatDate(days.first), FormatDate(days.last), communes));
  LNOB_ASSIGN_OR_RETURN(auto persons, persons_->PersonCoverage(FormatDate(days.first), FormatDate(days.last), communes));
  v1::GetSpendingRequest spend_req;
  *spend_req.mutable_period() = req.period();
  spend_req.set_unit_code(req.unit_code());
  v1::Spending spending;
  LNOB_RETURN_IF_ERROR(GetSpending(c, spend_req, &spending));
  *out->mutable_period() = req.period();
  out->set_unit_code(req.unit_code());
  out->set_activities(reach.activities());
  out->set_attendances(reach.attendances());
  out->set_attendances_ethnic_minority(counts.ethnic_minority);
  out->set_attendances_women(counts.women);
  out->set_communes(cov.communes());
  out->set_communes_without_activity(cov.communes_without_activity_size());
  out->set_villages(cov.villages());
  out->set_villages_without_activity(cov.villages_without_activity_size());
  out->set_especially_difficult_villages(cov.especially_difficult_villages());
  out->set_especially_difficult_villages_without_activity(cov.especially_difficult_without_activity());
  out->set_prestigious_persons_active(static_cast<int64_t>(persons.active.size()));
  out->set_prestigious_persons_reached(static_cast<int64_t>(persons.reached.size()));
  out->set_support_events(counts.support_events);
  out->set_support_events_vnd(counts.support_events_vnd);
  out->set_spent_vnd(spending.total().spent_vnd());
  out->set_counting("ATTENDANCES");
  return absl::OkStatus();
}

absl::Status CampaignsLogic::WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                                          server::MessageWriter<v1::ChangeEvent>& sink) {
  if (req.from_cursor() < 0) return InvalidField("from_cursor", "must not be negative");
  LNOB_ASSIGN_OR_RETURN(auto scope, scope_->CoveredCommunes(c.principal, Today()));
  return StreamFeed(feed_, req.from_cursor(), sink,
                    [&](int64_t after, int limit) { return store_->ReadFeed(after, limit); },
                    [&](const v1::ChangeEvent& e) {
                      // Campaigns are province-wide (no commune): every reader sees them.
                      return !scope || e.commune_code().empty() || scope->count(e.commune_code()) > 0;
                    });
}

}  // namespace lnob::campaigns
