#ifndef LNOB_COMMON_UTIL_TEXT_H_
#define LNOB_COMMON_UTIL_TEXT_H_

// Free text limits as the database counts them (length() of text: characters, not bytes).

#include <cstddef>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace lnob {

// UTF-8 characters (code points) in `s`.
inline size_t Utf8Chars(absl::string_view s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

// INVALID_ARGUMENT naming `field` when `s` is longer than `max_chars` characters.
absl::Status CheckTextLength(absl::string_view s, absl::string_view field, size_t max_chars);

// A name folded for comparison the way the registry's fold_name() does in SQL: lower case,
// Vietnamese tone and vowel marks removed (đ to d, combining marks dropped), apostrophe
// variants and hyphens dropped, white space collapsed and trimmed. "Sóc Bù Lạch" and
// "soc bu lach" fold alike; so do "M'Nông" and "Mnông".
std::string FoldName(absl::string_view s);

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_TEXT_H_
