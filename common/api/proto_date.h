#ifndef LNOB_COMMON_API_PROTO_DATE_H_
#define LNOB_COMMON_API_PROTO_DATE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"

namespace lnob::api {

inline bool IsSet(const google::type::Date& d) { return d.year() || d.month() || d.day(); }

// A full date; a partly set or impossible date is INVALID_ARGUMENT naming `field`.
absl::StatusOr<absl::CivilDay> FromProtoDate(const google::type::Date& d, absl::string_view field);
// Unset -> fallback.
absl::StatusOr<absl::CivilDay> FromProtoDateOr(const google::type::Date& d, absl::string_view field,
                                               absl::CivilDay fallback);
google::type::Date ToProtoDate(absl::CivilDay day);
// "YYYY-MM-DD" of a date (SQL text, CSV); "" when unset. For dates already validated.
std::string ProtoDateText(const google::type::Date& d);
// The day of a date already validated (no range check; see FromProtoDate).
inline absl::CivilDay ProtoDay(const google::type::Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); }
// "YYYY-MM-DD" (e.g. from SQL date::text); empty -> unset.
void SetProtoDate(absl::string_view iso, google::type::Date* out);

// Instants (google.protobuf.Timestamp).
google::protobuf::Timestamp ToProtoTimestamp(absl::Time t);
// An RFC 3339 text (e.g. from SQL) -> Timestamp; unparsable or empty -> unset.
void SetProtoTimestamp(absl::string_view rfc3339, google::protobuf::Timestamp* out);
// A set, in-range Timestamp (years 1..9999, nanos 0..999999999); otherwise INVALID_ARGUMENT
// naming `field`.
absl::StatusOr<absl::Time> FromProtoTimestamp(const google::protobuf::Timestamp& ts, absl::string_view field);

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_PROTO_DATE_H_
