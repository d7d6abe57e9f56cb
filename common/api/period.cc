#include "common/api/period.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"

namespace lnob::api {

absl::StatusOr<DayRange> ResolvePeriod(const common::v1::Period& p, absl::string_view field) {
  using P = common::v1::Period;
  if (p.year() < 2000 || p.year() > 2100) return InvalidField(absl::StrCat(field, ".year"), "must be a year 2000-2100");
  const int y = p.year();
  auto index = [&](int max) -> absl::StatusOr<int> {
    if (p.index() < 1 || p.index() > max) {
      return InvalidField(absl::StrCat(field, ".index"), absl::StrCat("must be 1-", max, " for ", P::Type_Name(p.type())));
    }
    return p.index();
  };
  switch (p.type()) {
    case P::MONTH: {
      LNOB_ASSIGN_OR_RETURN(int m, index(12));
      const absl::CivilMonth month(y, m);
      return DayRange{absl::CivilDay(month), absl::CivilDay(month + 1) - 1, false};
    }
    case P::QUARTER: {
      LNOB_ASSIGN_OR_RETURN(int q, index(4));
      const absl::CivilMonth first(y, 3 * q - 2);
      return DayRange{absl::CivilDay(first), absl::CivilDay(first + 3) - 1, false};
    }
    case P::HALF_YEAR: {
      LNOB_ASSIGN_OR_RETURN(int h, index(2));
      const absl::CivilMonth first(y, 6 * h - 5);
      return DayRange{absl::CivilDay(first), absl::CivilDay(first + 6) - 1, false};
    }
    case P::YEAR:
      return DayRange{absl::CivilDay(y, 1, 1), absl::CivilDay(y, 12, 31), true};
    default:
      return InvalidField(absl::StrCat(field, ".type"), "MONTH, QUARTER, HALF_YEAR or YEAR is required");
  }
}

std::string PeriodLabel(const common::v1::Period& p) {
  using P = common::v1::Period;
  switch (p.type()) {
    case P::MONTH: return absl::StrFormat("%04d-%02d", p.year(), p.index());
    case P::QUARTER: return absl::StrFormat("%04d-Q%d", p.year(), p.index());
    case P::HALF_YEAR: return absl::StrFormat("%04d-H%d", p.year(), p.index());
    default: return absl::StrFormat("%04d", p.year());
  }
}

absl::StatusOr<common::v1::Period> ParsePeriodLabel(absl::string_view label, absl::string_view field) {
  common::v1::Period p;
  int year = 0, index = 0;
  const auto bad = [&] { return InvalidField(field, "must be a period like 2025, 2025-Q3, 2025-H1 or 2025-07"); };
  if (label.size() < 4 || !absl::SimpleAtoi(label.substr(0, 4), &year)) return bad();
  p.set_year(year);
  const absl::string_view rest = label.substr(4);
  if (rest.empty()) {
    p.set_type(common::v1::Period::YEAR);
  } else if (rest.size() == 3 && rest[0] == '-' && (rest[1] == 'Q' || rest[1] == 'H') &&
             absl::SimpleAtoi(rest.substr(2), &index)) {
    p.set_type(rest[1] == 'Q' ? common::v1::Period::QUARTER : common::v1::Period::HALF_YEAR);
    p.set_index(index);
  } else if (rest.size() == 3 && rest[0] == '-' && absl::SimpleAtoi(rest.substr(1), &index)) {
    p.set_type(common::v1::Period::MONTH);
    p.set_index(index);
  } else {
    return bad();
  }
  LNOB_RETURN_IF_ERROR(ResolvePeriod(p, field).status());
  return p;
}

}  // namespace lnob::api
