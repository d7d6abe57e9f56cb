#include "common/util/text.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace lnob {

absl::Status CheckTextLength(absl::string_view s, absl::string_view field, size_t max_chars) {
  if (Utf8Chars(s) <= max_chars) return absl::OkStatus();
  return InvalidField(field, absl::StrCat("at most ", max_chars, " characters"));
}

}  // namespace lnob
