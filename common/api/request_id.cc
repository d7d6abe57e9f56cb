#include "common/api/request_id.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/util/sha256.h"

namespace lnob::api {

std::string RequestHash(absl::string_view method, absl::string_view request_bytes) {
  return Sha256Hex(absl::StrCat(method, "\n", request_bytes));
}

absl::Status ValidateRequestId(absl::string_view id) {
  if (id.empty()) return absl::OkStatus();
  bool ok = id.size() == 36;
  for (size_t i = 0; ok && i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      ok = c == '-';
    } else {
      ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
  }
  return ok ? absl::OkStatus() : InvalidField("request_id", "must be a UUID");
}

}  // namespace lnob::api
