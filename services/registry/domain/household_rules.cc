#include "services/registry/domain/household_rules.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace lnob::registry {

absl::Status ValidateCitizenId(absl::string_view id, std::optional<absl::CivilDay> birth_date,
                               std::optional<bool> female, absl::string_view field) {
  if (id.size() != 12 || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidField(field, "must be 12 digits");
  }
  int province = 0;
  (void)absl::SimpleAtoi(id.substr(0, 3), &province);
  if (province < 1 || province > 96) {
    return InvalidField(field, "first 3 digits must be a province code 001-096");
  }
  const int century_sex = id[3] - '0';
  int yy = 0;
  (void)absl::SimpleAtoi(id.substr(4, 2), &yy);
  if (birth_date) {
    const int year = static_cast<int>(birth_date->year());
    static constexpr int kCenturyBase[] = {1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800};
    if (kCenturyBase[century_sex] != year / 100 * 100 || yy != year % 100) {
      return InvalidField(field, "digits 4-6 do not match the birth year");
    }
  }
  if (female && (century_sex % 2 == 1) != *female) {
    return InvalidField(field, "digit 4 does not match the sex");
  }
  return absl::OkStatus();
}

bool ReviewTransitionAllowed(absl::string_view from, absl::string_view to) {
  return (from == "DRAFT" && to == "SUBMITTED") || (from == "SUBMITTED" && to == "POSTED") ||
         (from == "POSTED" && to == "APPROVED") || ((from == "SUBMITTED" || from == "POSTED") && to == "REJECTED");
}

std::string TransitionCategoryFor(absl::string_view start, absl::string_view end,
                                  bool ever_poor_before) {
  const bool start_poor = start == "POOR", end_poor = end == "POOR";
  const bool start_near = start == "NEAR_POOR", end_near = end == "NEAR_POOR";
  const bool start_out = !start_poor && !start_near;  // not poor, middle income or unknown
  const bool end_out = !end_poor && !end_near;
  if (start_poor && end_poor) return "POOR_REMAINING";
  if (start_poor && end_near) return "POOR_TO_NEAR_POOR";
  if (start_poor && end_out) return end.empty() ? "" : "ESCAPED_POOR";
  if (start_near && end_poor) return "NEAR_POOR_TO_POOR";
  if (start_near && end_near) return "NEAR_POOR_REMAINING";
  if (start_near && end_out) return end.empty() ? "" : "ESCAPED_NEAR_POOR";
  // No record before the year: the household's first recorded classification (a baseline list,
  // an import) is where its history starts, not a flow into poverty (phát sinh).
  if (start.empty() && end_poor) return "BASELINE_POOR";
  if (start.empty() && end_near) return "BASELINE_NEAR_POOR";
  if (start_out && end_poor) return ever_poor_before ? "RE_POOR" : "NEW_POOR";
  if (start_out && end_near) return "NEW_NEAR_POOR";
  return "";
}

std::string ClassificationOn(const std::vector<HistoryEntry>& history, absl::CivilDay date) {
  const HistoryEntry* best = nullptr;
  for (const auto& h : history) {
    if (h.effective_date <= date && (best == nullptr || h.effective_date >= best->effective_date)) {
      best = &h;
    }
  }
  return best ? best->classification : "";
}

std::vector<YearSnapshot> YearSnapshots(std::vector<HistoryEntry> history, int last_year) {
  std::vector<YearSnapshot> out;
  if (history.empty()) return out;
  std::stable_sort(history.begin(), history.end(),
                   [](const HistoryEntry& a, const HistoryEntry& b) { return a.effective_date < b.effective_date; });
  const int first = static_cast<int>(history.front().effective_date.year());
  for (int y = first; y <= last_year; ++y) {
    const absl::CivilDay start_day(y - 1, 12, 31), end_day(y, 12, 31);
    YearSnapshot s{y, ClassificationOn(history, start_day), ClassificationOn(history, end_day), ""};
    bool ever_poor = false;
    for (const auto& h : history) ever_poor |= h.effective_date <= start_day && h.classification == "POOR";
    s.transition = TransitionCategoryFor(s.class_start, s.class_end, ever_poor);
    out.push_back(std::move(s));
  }
  return out;
}

bool InWindow(absl::CivilDay date, absl::string_view start_mmdd, absl::string_view end_mmdd) {
  const std::string md = absl::StrCat(date.month() < 10 ? "0" : "", date.month(), "-",
                                      date.day() < 10 ? "0" : "", date.day());
  if (start_mmdd <= end_mmdd) return md >= start_mmdd && md <= end_mmdd;
  return md >= start_mmdd || md <= end_mmdd;
}

const ReviewWindowRule* WindowInForce(const std::vector<ReviewWindowRule>& rules, absl::string_view kind,
                                      absl::CivilDay date) {
  return InForceOn(rules, date, [&](const ReviewWindowRule& r) { return r.kind == kind; });
}

bool InReviewWindow(const ReviewWindowRule& rule, absl::CivilDay date) {
  if (!rule.monthly) return InWindow(date, rule.start, rule.end);
  int start = 1, end = 31;
  (void)absl::SimpleAtoi(rule.start, &start);
  if (rule.end != "END") (void)absl::SimpleAtoi(rule.end, &end);
  return date.day() >= start && date.day() <= end;
}

std::string DescribeWindow(const ReviewWindowRule& rule) {
  if (!rule.monthly) return absl::StrCat(rule.start, "..", rule.end, " (MM-DD) every year");
  return absl::StrCat("from day ", rule.start, " to ", rule.end == "END" ? "the end" : "day " + rule.end,
                      " of every month");
}

const ProcedureStep* StepInForce(const std::vector<ProcedureStep>& steps, absl::string_view step,
                                 absl::CivilDay date) {
  return InForceOn(steps, date, [&](const ProcedureStep& s) { return s.step == step; });
}

absl::CivilDay AddDays(absl::CivilDay from, int days, bool working_days) {
  if (!working_days) return from + days;
  absl::CivilDay d = from;
  while (days > 0) {
    d += 1;
    const auto wd = absl::GetWeekday(d);
    if (wd != absl::Weekday::saturday && wd != absl::Weekday::sunday) --days;
  }
  return d;
}

}  // namespace lnob::registry
