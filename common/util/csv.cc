#include "common/util/csv.h"

#include "absl/strings/numbers.h"

namespace lnob::csv {

bool ReadRecord(std::istream& in, std::vector<std::string>* fields, int64_t* line_no) {
  fields->clear();
  std::string line;
  if (!std::getline(in, line)) return false;
  ++*line_no;
  std::string field;
  bool quoted = false;
  size_t i = 0;
  while (true) {
    if (i >= line.size()) {
      if (quoted) {  // a line break inside quotes
        std::string next;
        if (!std::getline(in, next)) break;
        ++*line_no;
        field.push_back('\n');
        line = next;
        i = 0;
        continue;
      }
      break;
    }
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 == line.size()) {
      // CRLF line ending
    } else {
      field.push_back(c);
    }
    ++i;
  }
  fields->push_back(std::move(field));
  return true;
}

std::string FormatRecord(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\n\r") == std::string::npos) {
      out += f;
      continue;
    }
    out.push_back('"');
    for (char c : f) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out;
}

std::string SafeText(const std::string& s) {
  double ignored;
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && !absl::SimpleAtod(s, &ignored)) {
    return "'" + s;
  }
  return s;
}

}  // namespace lnob::csv
