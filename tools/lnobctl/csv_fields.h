#ifndef LNOB_TOOLS_LNOBCTL_CSV_FIELDS_H_
#define LNOB_TOOLS_LNOBCTL_CSV_FIELDS_H_

// Fields of lnobctl's row-per-call CSV imports: each parser names the column in its error.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/proto_date.h"
#include "common/util/date.h"
#include "google/type/date.pb.h"

namespace lnob::ctl {

// A whole number in column `name`, or an error naming it ("" reads as `def`).
inline bool Number(const std::string& text, const char* name, int64_t def, int64_t* out, std::string* error) {
  if (text.empty()) {
    *out = def;
    return true;
  }
  if (absl::SimpleAtoi(text, out)) return true;
  *error = absl::StrCat(name, ": not a whole number");
  return false;
}

inline bool Date(const std::string& text, const char* name, bool required, google::type::Date* out, std::string* error) {
  if (text.empty()) {
    if (required) *error = absl::StrCat(name, ": is required (YYYY-MM-DD)");
    return !required;
  }
  auto day = ParseDate(text);
  if (!day.ok()) {
    *error = absl::StrCat(name, ": must be YYYY-MM-DD");
    return false;
  }
  *out = api::ToProtoDate(*day);
  return true;
}

// "A:B:...;A:B:..." -> the parts of each item, each with `n` parts, or an error naming `name`.
inline bool Items(const std::string& text, const char* name, size_t n, std::vector<std::vector<std::string>>* out,
           std::string* error) {
  out->clear();
  for (absl::string_view item : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(item, ':');
    if (parts.size() != n) {
      *error = absl::StrCat(name, ": '", item, "' must have ", n, " parts separated by ':'");
      return false;
    }
    out->push_back(std::move(parts));
  }
  return true;
}

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_CSV_FIELDS_H_
