#ifndef LNOB_COMMON_DB_SQL_VALUES_H_
#define LNOB_COMMON_DB_SQL_VALUES_H_

// Small conversions between libpqxx fields/parameters and C++ values, shared by stores.

#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace lnob::db {

// A field as text; NULL becomes "".
inline std::string Str(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }

// A PostgreSQL array literal ('{"a","b"}') for a text[] parameter; every element is quoted
// and escaped, so any text is safe.
std::string ArrayLiteral(const std::vector<std::string>& items);

// Elements of a text[] field.
std::vector<std::string> ArrayValue(const pqxx::field& f);

// SQL rendering a timestamptz expression as RFC 3339 UTC with milliseconds
// ("2026-11-26T11:48:12.546Z"), whatever the session's DateStyle and TimeZone.
inline std::string Rfc3339(const std::string& expr) {
  return "to_char((" + expr + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

// SQL rendering a date expression as YYYY-MM-DD, whatever the session's DateStyle (NULL stays
// NULL; api::SetProtoDate(Str(field), ...) leaves the message's date unset then).
inline std::string DateText(const std::string& expr) { return "to_char(" + expr + ", 'YYYY-MM-DD')"; }

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_SQL_VALUES_H_
