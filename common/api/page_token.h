#ifndef LNOB_COMMON_API_PAGE_TOKEN_H_
#define LNOB_COMMON_API_PAGE_TOKEN_H_

// Opaque, tamper-evident page tokens for keyset pagination. A token carries the last key
// returned and a fingerprint of the query (filters + order) it belongs to, signed with
// HMAC-SHA256. A token altered, or reused with another query, is INVALID_ARGUMENT.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

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

// What a List request's page tokens are bound to: its type and every field but page_token and
// page_size, so a token is refused (INVALID_ARGUMENT) when reused with any other filter.
std::string RequestFingerprint(const google::protobuf::Message& request);

// A page-token key that holds a numeric id: 0 for the first page.
absl::StatusOr<int64_t> IdCursor(absl::string_view key);

struct PageSizes {
  int default_size = 100;
  int max_size = 1000;
};

// One page of a keyset-paginated list: validates page_size and page_token (bound to the
// query's fingerprint), calls fetch(after_key, limit + 1), keeps at most limit items and sets
// *next_token from the last kept item's key when more remain.
//   fetch: (const std::string& after, int limit) -> absl::StatusOr<std::vector<T>>
//   key:   (const T&) -> std::string
template <typename T, typename Fetch, typename Key>
absl::StatusOr<std::vector<T>> FetchPage(const PageTokenCodec& codec, absl::string_view fingerprint,
                                         int page_size, absl::string_view page_token, Fetch&& fetch,
                                         Key&& key, std::string* next_token, PageSizes sizes = {}) {
  absl::StatusOr<int> limit = NormalizePageSize(page_size, sizes.default_size, sizes.max_size);
  if (!limit.ok()) return limit.status();
  absl::StatusOr<std::string> after = codec.Decode(page_token, fingerprint);
  if (!after.ok()) return after.status();
  absl::StatusOr<std::vector<T>> rows = fetch(*after, *limit + 1);
  if (!rows.ok()) return rows.status();
  if (static_cast<int>(rows->size()) > *limit) {
    rows->resize(*limit);
    *next_token = codec.Encode(fingerprint, key(rows->back()));
  }
  return rows;
}

// The same for a List request with page_size and page_token fields: the fingerprint comes
// from the request itself (RequestFingerprint), never from a hand-built string.
template <typename T, typename Req, typename Fetch, typename Key>
absl::StatusOr<std::vector<T>> FetchPage(const PageTokenCodec& codec, const Req& req, Fetch&& fetch, Key&& key,
                                         std::string* next_token, PageSizes sizes = {}) {
  return FetchPage<T>(codec, RequestFingerprint(req), req.page_size(), req.page_token(), std::forward<Fetch>(fetch),
                      std::forward<Key>(key), next_token, sizes);
}

// Page sizes of the short reference lists (ethnic groups, standards, sources): the default
// page holds the whole list, so a client that never pages sees everything at once.
inline constexpr PageSizes kShortListPage{.default_size = 1000, .max_size = 1000};

// One page of a short list held in memory (ethnic groups, standards, revisions), in its own
// order: the page token carries the position, bound to the request like any other.
template <typename T, typename Req>
absl::StatusOr<std::vector<T>> PageOf(const PageTokenCodec& codec, const Req& req, std::vector<T> all,
                                      std::string* next_token, PageSizes sizes = kShortListPage) {
  auto position = [](size_t i) {
    std::string s = std::to_string(i);
    return std::string(10 - std::min<size_t>(10, s.size()), '0') + s;  // sorts like the number
  };
  auto fetch = [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<std::pair<size_t, T>>> {
    size_t start = 0;
    if (!after.empty()) start = static_cast<size_t>(std::stoull(after)) + 1;
    std::vector<std::pair<size_t, T>> out;
    for (size_t i = start; i < all.size() && static_cast<int>(out.size()) < limit; ++i) {
      out.emplace_back(i, std::move(all[i]));
    }
    return out;
  };
  std::string next;
  auto page = FetchPage<std::pair<size_t, T>>(
      codec, req, fetch, [&](const std::pair<size_t, T>& e) { return position(e.first); }, &next, sizes);
  if (!page.ok()) return page.status();
  *next_token = std::move(next);
  std::vector<T> items;
  items.reserve(page->size());
  for (auto& e : *page) items.push_back(std::move(e.second));
  return items;
}

// Etag of a mutable resource from its version counter; parsing rejects malformed etags.
std::string EtagForVersion(int64_t version);
// Empty etag = no precondition. Mismatch -> ABORTED.
absl::Status CheckEtag(absl::string_view supplied, int64_t current_version);
// The same against the current etag itself.
absl::Status CheckEtagMatches(absl::string_view supplied, absl::string_view current_etag);

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_PAGE_TOKEN_H_
