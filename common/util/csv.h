#ifndef LNOB_COMMON_UTIL_CSV_H_
#define LNOB_COMMON_UTIL_CSV_H_

// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted; quotes are doubled.

#include <istream>
#include <string>
#include <vector>

namespace lnob::csv {

// Reads one record (which may span lines inside quotes). False at end of input.
// *line_no is advanced by the physical lines consumed.
bool ReadRecord(std::istream& in, std::vector<std::string>* fields, int64_t* line_no);
std::string FormatRecord(const std::vector<std::string>& fields);
// A cell a spreadsheet would run as a formula (=, +, -, @ first, and not a number) prefixed
// with an apostrophe, so that exported text stays text.
std::string SafeText(const std::string& s);

}  // namespace lnob::csv

#endif  // LNOB_COMMON_UTIL_CSV_H_
