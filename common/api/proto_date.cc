#include "common/api/proto_date.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

std::string ProtoDateText(const google::type::Date& d) {
  return IsSet(d) ? absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day()) : "";
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

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1000000000;
  int64_t rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    seconds -= 1;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest));
  return ts;
}

void SetProtoTimestamp(absl::string_view rfc3339, google::protobuf::Timestamp* out) {
  absl::Time t;
  std::string err;
  if (rfc3339.empty() || !absl::ParseTime(absl::RFC3339_full, std::string(rfc3339), &t, &err)) {
    out->Clear();
    return;
  }
  *out = ToProtoTimestamp(t);
}

absl::StatusOr<absl::Time> FromProtoTimestamp(const google::protobuf::Timestamp& ts, absl::string_view field) {
  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, as google.protobuf.Timestamp defines.
  if (ts.seconds() < -62135596800LL || ts.seconds() > 253402300799LL || ts.nanos() < 0 || ts.nanos() > 999999999) {
    return InvalidField(field, "must be a timestamp between years 1 and 9999");
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace lnob::api
