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

// Review workflow in the order of QĐ 24/2021 (brief §2.3): DRAFT -> SUBMITTED (surveyed and
// classified) -> POSTED (publicly posted, step 4) -> APPROVED (recognised by the commune
// chair, step 6); SUBMITTED or POSTED -> REJECTED.
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

// When reviews of a kind may be held (table review_windows, brief §2.2), effective-dated.
struct ReviewWindowRule {
  std::string kind;  // PERIODIC or ONGOING
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  bool monthly = false;   // YEARLY: start/end are MM-DD; MONTHLY: DD, end "END" = month's last day
  std::string start, end;
  std::string legal_doc;
  bool confirmed = true;
};
// A step of the procedure and who performs it, effective-dated (table review_steps, §2.3).
struct ProcedureStep {
  std::string step;  // VILLAGE_MEETING, POSTING, DISTRICT_CONSULTATION, RECOGNITION
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  std::string authority, legal_doc;
};

// Among effective-dated rows (valid_from, optional inclusive valid_to) that `match`, the one
// in force on `date`; the latest valid_from wins; nullptr when none is.
template <typename Row, typename Match>
const Row* InForceOn(const std::vector<Row>& rows, absl::CivilDay date, Match match) {
  const Row* best = nullptr;
  for (const auto& r : rows) {
    if (!match(r) || date < r.valid_from || (r.valid_to && date > *r.valid_to)) continue;
    if (best == nullptr || r.valid_from > best->valid_from) best = &r;
  }
  return best;
}

// The window of `kind` in force on `date` (nullptr when the procedure had none then).
const ReviewWindowRule* WindowInForce(const std::vector<ReviewWindowRule>& rules, absl::string_view kind,
                                      absl::CivilDay date);
bool InReviewWindow(const ReviewWindowRule& rule, absl::CivilDay date);
// "09-01..12-14 every year" / "from the 15th to the end of every month", for error messages.
std::string DescribeWindow(const ReviewWindowRule& rule);
// The step in force on `date` (nullptr: not part of the procedure on that date).
const ProcedureStep* StepInForce(const std::vector<ProcedureStep>& steps, absl::string_view step,
                                 absl::CivilDay date);
// Adds `days` to `from`: calendar days, or working days (Monday to Friday; public holidays
// are not modelled and are listed as a caveat where a deadline is shown).
absl::CivilDay AddDays(absl::CivilDay from, int days, bool working_days);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_RULES_H_
