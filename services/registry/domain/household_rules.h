#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_RULES_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_RULES_H_

// Pure rules of the household registry: citizen IDs, the review workflow, transition
// categories and the per-year classification snapshot. No I/O.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace lnob::registry {

// 12-digit citizen identity number (CCCD): 3 digits province of birth registration (001-096),
// 1 digit century and sex (0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s,
// 8/9: 1800s), 2 digits year of birth, 6 digits serial. When birth year / sex are known they
// must agree with the number. Errors name `field`.
absl::Status ValidateCitizenId(absl::string_view id, std::optional<absl::CivilDay> birth_date,
                               std::optional<bool> female, absl::string_view field);

// Review workflow: DRAFT -> SUBMITTED -> APPROVED -> POSTED; SUBMITTED -> REJECTED.
bool ReviewTransitionAllowed(absl::string_view from, absl::string_view to);

// Class names as stored: POOR, NEAR_POOR, MIDDLE_INCOME, NOT_POOR, or "" (never classified).
struct HistoryEntry {
  absl::CivilDay effective_date;
  std::string classification;
};

// The transition category of one household in a year (empty when none applies, e.g. not
// poor at both ends). ever_poor_before: POOR at any time before the start of the year.
std::string TransitionCategoryFor(absl::string_view start, absl::string_view end,
                                  bool ever_poor_before);

struct YearSnapshot {
  int year;
  std::string class_start;  // classification in force on 31/12 of year-1 ("" if none)
  std::string class_end;    // classification in force on 31/12 of year
  std::string transition;   // TransitionCategoryFor(...), "" if none
};

// Years from the first classification's year to last_year, from a history in any order.
std::vector<YearSnapshot> YearSnapshots(std::vector<HistoryEntry> history, int last_year);

// Class in force on a date ("" when none).
std::string ClassificationOn(const std::vector<HistoryEntry>& history, absl::CivilDay date);

// MM-DD window check for review dates (wraps around the new year when start > end).
bool InWindow(absl::CivilDay date, absl::string_view start_mmdd, absl::string_view end_mmdd);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_RULES_H_
