#include "common/api/proto_date.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/util/date.h"

namespace lnob::api {

absl::StatusOr<absl::CivilDay> FromProtoDate(const google::type::Date& d, absl::string_view field) {
  absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.year() < 1900 || d.year() > 2200 || day.year() != d.year() || day.month() != d.month() ||
      day.day() != d.day()) {
    return InvalidField(field, "must be a full calendar date (year 1900-2200, month, day)");
  }
  return day;
}

absl::StatusOr<absl::CivilDay> FromProtoDateOr(const google::type::Date& d, absl::string_view field,
                                               absl::CivilDay fallback) {
  if (!IsSet(d)) return fallback;
  return FromProtoDate(d, field);
}

google::type::Date ToProtoDate(absl::CivilDay day) {
  google::type::Date d;
  d.set_year(static_cast<int>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

void SetProtoDate(absl::string_view iso, google::type::Date* out) {
  if (iso.empty()) return;
  auto day = ParseDate(iso);
  if (day.ok()) *out = ToProtoDate(*day);
}

}  // namespace lnob::api
