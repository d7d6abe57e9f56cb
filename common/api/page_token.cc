#include "common/api/page_token.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "common/status/status.h"

namespace lnob::api {
namespace {
constexpr char kVersion = '1';
}

std::string PageTokenCodec::Mac(absl::string_view data) const {
  unsigned char out[32];
  unsigned int len = sizeof out;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), 16);  // 128-bit tag is plenty here
}

std::string PageTokenCodec::Encode(absl::string_view query_fingerprint,
                                   absl::string_view last_key) const {
  std::string body = absl::StrCat(std::string(1, kVersion), last_key);
  std::string mac = Mac(absl::StrCat(query_fingerprint, "\n", body));
  return auth::Base64UrlEncode(absl::StrCat(mac, body));
}

absl::StatusOr<std::string> PageTokenCodec::Decode(absl::string_view token,
                                                   absl::string_view query_fingerprint) const {
  if (token.empty()) return std::string();
  std::string raw;
  if (!auth::Base64UrlDecode(token, &raw) || raw.size() < 17 || raw[16] != kVersion) {
    return InvalidField("page_token", "malformed page token");
  }
  std::string body = raw.substr(16);
  std::string expected = Mac(absl::StrCat(query_fingerprint, "\n", body));
  if (CRYPTO_memcmp(expected.data(), raw.data(), 16) != 0) {
    return InvalidField("page_token",
                        "page token was altered or belongs to a different query (filter/order)");
  }
  return body.substr(1);
}

absl::StatusOr<int> NormalizePageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

std::string EtagForVersion(int64_t version) { return absl::StrCat("\"v", version, "\""); }

absl::Status CheckEtag(absl::string_view supplied, int64_t current_version) {
  return CheckEtagMatches(supplied, EtagForVersion(current_version));
}

absl::Status CheckEtagMatches(absl::string_view supplied, absl::string_view current_etag) {
  if (supplied.empty()) return absl::OkStatus();
  if (supplied != current_etag) {
    return WithReason(absl::AbortedError("etag does not match the current version; re-read and retry"),
                      "ETAG_MISMATCH");
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> IdCursor(absl::string_view key) {
  int64_t id = 0;
  if (!key.empty() && (!absl::SimpleAtoi(key, &id) || id < 0)) return InvalidField("page_token", "malformed");
  return id;
}

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* d = copy->GetDescriptor();
  for (const char* paging : {"page_token", "page_size"}) {
    if (const auto* f = d->FindFieldByName(paging)) copy->GetReflection()->ClearField(copy.get(), f);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  // The type name keeps two methods with alike requests apart; the MAC covers the rest.
  return absl::StrCat(d->full_name(), "|", bytes);
}

}  // namespace lnob::api
