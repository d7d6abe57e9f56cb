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

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_SQL_VALUES_H_
