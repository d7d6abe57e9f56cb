#include "common/util/text.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace lnob {
namespace {

// Precomposed Vietnamese letters and their base letter (lower and upper case).
constexpr std::pair<char32_t, char> kBase[] = {
      {0x00C0, 'a'},
      {0x00C1, 'a'},
      {0x00C2, 'a'},
      {0x00C3, 'a'},
      {0x00C8, 'e'},
      {0x00C9, 'e'},
      {0x00CA, 'e'},
      {0x00CC, 'i'},
      {0x00CD, 'i'},
      {0x00D2, 'o'},
      {0x00D3, 'o'},
      {0x00D4, 'o'},
      {0x00D5, 'o'},
      {0x00D9, 'u'},
      {0x00DA, 'u'},
      {0x00DD, 'y'},
      {0x00E0, 'a'},
      {0x00E1, 'a'},
      {0x00E2, 'a'},
      {0x00E3, 'a'},
      {0x00E8, 'e'},
      {0x00E9, 'e'},
      {0x00EA, 'e'},
      {0x00EC, 'i'},
      {0x00ED, 'i'},
      {0x00F2, 'o'},
      {0x00F3, 'o'},
      {0x00F4, 'o'},
      {0x00F5, 'o'},
      {0x00F9, 'u'},
      {0x00FA, 'u'},
      {0x00FD, 'y'},
      {0x0102, 'a'},
      {0x0103, 'a'},
      {0x0110, 'd'},
      {0x0111, 'd'},
      {0x0128, 'i'},
      {0x0129, 'i'},
      {0x0168, 'u'},
      {0x0169, 'u'},
      {0x01A0, 'o'},
      {0x01A1, 'o'},
      {0x01AF, 'u'},
      {0x01B0, 'u'},
      {0x1EA0, 'a'},
      {0x1EA1, 'a'},
      {0x1EA2, 'a'},
      {0x1EA3, 'a'},
      {0x1EA4, 'a'},
      {0x1EA5, 'a'},
      {0x1EA6, 'a'},
      {0x1EA7, 'a'},
      {0x1EA8, 'a'},
      {0x1EA9, 'a'},
      {0x1EAA, 'a'},
      {0x1EAB, 'a'},
      {0x1EAC, 'a'},
      {0x1EAD, 'a'},
      {0x1EAE, 'a'},
      {0x1EAF, 'a'},
      {0x1EB0, 'a'},
      {0x1EB1, 'a'},
      {0x1EB2, 'a'},
      {0x1EB3, 'a'},
      {0x1EB4, 'a'},
      {0x1EB5, 'a'},
      {0x1EB6, 'a'},
      {0x1EB7, 'a'},
      {0x1EB8, 'e'},
      {0x1EB9, 'e'},
      {0x1EBA, 'e'},
      {0x1EBB, 'e'},
      {0x1EBC, 'e'},
      {0x1EBD, 'e'},
      {0x1EBE, 'e'},
      {0x1EBF, 'e'},
      {0x1EC0, 'e'},
      {0x1EC1, 'e'},
      {0x1EC2, 'e'},
      {0x1EC3, 'e'},
      {0x1EC4, 'e'},
      {0x1EC5, 'e'},
      {0x1EC6, 'e'},
      {0x1EC7, 'e'},
      {0x1EC8, 'i'},
      {0x1EC9, 'i'},
      {0x1ECA, 'i'},
      {0x1ECB, 'i'},
      {0x1ECC, 'o'},
      {0x1ECD, 'o'},
      {0x1ECE, 'o'},
      {0x1ECF, 'o'},
      {0x1ED0, 'o'},
      {0x1ED1, 'o'},
      {0x1ED2, 'o'},
      {0x1ED3, 'o'},
      {0x1ED4, 'o'},
      {0x1ED5, 'o'},
      {0x1ED6, 'o'},
      {0x1ED7, 'o'},
      {0x1ED8, 'o'},
      {0x1ED9, 'o'},
      {0x1EDA, 'o'},
      {0x1EDB, 'o'},
      {0x1EDC, 'o'},
      {0x1EDD, 'o'},
      {0x1EDE, 'o'},
      {0x1EDF, 'o'},
      {0x1EE0, 'o'},
      {0x1EE1, 'o'},
      {0x1EE2, 'o'},
      {0x1EE3, 'o'},
      {0x1EE4, 'u'},
      {0x1EE5, 'u'},
      {0x1EE6, 'u'},
      {0x1EE7, 'u'},
      {0x1EE8, 'u'},
      {0x1EE9, 'u'},
      {0x1EEA, 'u'},
      {0x1EEB, 'u'},
      {0x1EEC, 'u'},
      {0x1EED, 'u'},
      {0x1EEE, 'u'},
      {0x1EEF, 'u'},
      {0x1EF0, 'u'},
      {0x1EF1, 'u'},
      {0x1EF2, 'y'},
      {0x1EF3, 'y'},
      {0x1EF4, 'y'},
      {0x1EF5, 'y'},
      {0x1EF6, 'y'},
      {0x1EF7, 'y'},
      {0x1EF8, 'y'},
      {0x1EF9, 'y'}};

// The next code point of `s` from *i (malformed bytes are taken one by one).
char32_t NextCodePoint(absl::string_view s, size_t* i) {
  const unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (*i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string FoldName(absl::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = NextCodePoint(s, &i);
    if (cp >= 0x0300 && cp <= 0x036F) continue;  // combining marks (decomposed input)
    if (cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == '`' || cp == 0x00B4 || cp == 0x2018 || cp == '-') continue;
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x00A0) {
      space = !out.empty();
      continue;
    }
    auto it = std::lower_bound(std::begin(kBase), std::end(kBase), cp,
                               [](const std::pair<char32_t, char>& e, char32_t v) { return e.first < v; });
    if (it != std::end(kBase) && it->first == cp) cp = static_cast<unsigned char>(it->second);
    if (cp < 0x80) cp = static_cast<char32_t>(absl::ascii_tolower(static_cast<unsigned char>(cp)));
    if (space) out.push_back(' ');
    space = false;
    AppendUtf8(cp, &out);
  }
  return out;
}

absl::Status CheckTextLength(absl::string_view s, absl::string_view field, size_t max_chars) {
  if (Utf8Chars(s) <= max_chars) return absl::OkStatus();
  return InvalidField(field, absl::StrCat("at most ", max_chars, " characters"));
}

}  // namespace lnob
