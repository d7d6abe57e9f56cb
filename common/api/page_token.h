#ifndef LNOB_COMMON_API_PAGE_TOKEN_H_
#define LNOB_COMMON_API_PAGE_TOKEN_H_

// Opaque, tamper-evident page tokens for keyset pagination. A token carries the last key
// returned and a fingerprint of the query (filters + order) it belongs to, signed with
// HMAC-SHA256. A token altered, or reused with another query, is INVALID_ARGUMENT.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lnob::api {

class PageTokenCodec {
 public:
  explicit PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

  std::string Encode(absl::string_view query_fingerprint, absl::string_view last_key) const;
  // Empty token -> empty key (first page).
  absl::StatusOr<std::string> Decode(absl::string_view token,
                                     absl::string_view query_fingerprint) const;

 private:
  std::string Mac(absl::string_view data) const;
  std::string secret_;
};

// Page size policy shared by all List methods: 0 -> default, above max -> max, < 0 invalid.
absl::StatusOr<int> NormalizePageSize(int requested, int default_size = 100, int max_size = 1000);

// Etag of a mutable resource from its version counter; parsing rejects malformed etags.
std::string EtagForVersion(int64_t version);
// Empty etag = no precondition. Mismatch -> ABORTED.
absl::Status CheckEtag(absl::string_view supplied, int64_t current_version);

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_PAGE_TOKEN_H_
