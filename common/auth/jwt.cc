#include "common/auth/jwt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace lnob::auth {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

absl::Status Unauth(absl::string_view reason, absl::string_view msg) {
  return WithReason(absl::UnauthenticatedError(msg), reason);
}

std::string KeyIdOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return "";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, len, digest);
  OPENSSL_free(der);
  return absl::BytesToHexString(
             absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest))
      .substr(0, 16);
}

PkeyPtr ReadPrivate(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return PkeyPtr(k);
}

absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view json) {
  google::protobuf::Struct s;
  auto st = google::protobuf::util::JsonStringToMessage(std::string(json), &s);
  if (!st.ok()) return absl::InvalidArgumentError("not a JSON object");
  return s;
}

std::vector<std::string> StringList(const google::protobuf::Value& v) {
  std::vector<std::string> out;
  if (v.has_string_value()) {
    out.push_back(v.string_value());
  } else if (v.has_list_value()) {
    for (const auto& e : v.list_value().values()) {
      if (e.has_string_value()) out.push_back(e.string_value());
    }
  }
  return out;
}

void AppendStringArray(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out->push_back(',');
    log::AppendJsonString(out, items[i]);
  }
  out->push_back(']');
}

}  // namespace

std::string Base64UrlEncode(absl::string_view data) { return absl::WebSafeBase64Escape(data); }

bool Base64UrlDecode(absl::string_view in, std::string* out) {
  for (char c : in) {
    if (c == '=' || c == '+' || c == '/') return false;
  }
  return absl::WebSafeBase64Unescape(in, out);
}

struct KeySet::Key {
  std::string kid;
  PkeyPtr pkey;
};

KeySet::~KeySet() = default;

absl::StatusOr<std::shared_ptr<const KeySet>> KeySet::FromPem(absl::string_view pem) {
  auto set = std::shared_ptr<KeySet>(new KeySet());
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr)) {
    auto key = std::make_unique<Key>();
    key->pkey.reset(k);
    key->kid = KeyIdOf(k);
    if (EVP_PKEY_base_id(k) != EVP_PKEY_RSA) {
      BIO_free(bio);
      return absl::InvalidArgumentError("JWT key set: only RSA public keys are accepted");
    }
    set->keys_.push_back(std::move(key));
  }
  BIO_free(bio);
  if (set->keys_.empty()) {
    return absl::InvalidArgumentError("JWT key set: no PEM PUBLIC KEY block found");
  }
  return std::shared_ptr<const KeySet>(std::move(set));
}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySet::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("JWT key file not readable: ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return FromPem(ss.str());
}

Verifier::Verifier(std::shared_ptr<const KeySet> keys, VerifierOptions options,
                   const Clock& clock)
    : keys_(std::move(keys)), options_(std::move(options)), clock_(clock) {}

absl::StatusOr<Claims> Verifier::Verify(absl::string_view token) const {
  constexpr size_t kMaxRemembered = 10000;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = verified_.find(std::string(token)); it != verified_.end()) return Check(it->second);
  }
  auto claims = VerifySignature(token);
  if (!claims.ok()) return claims.status();
  auto checked = Check(*claims);
  if (checked.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (verified_.size() >= kMaxRemembered) verified_.clear();
    verified_.emplace(std::string(token), *claims);
  }
  return checked;
}

absl::StatusOr<Claims> Verifier::VerifySignature(absl::string_view token) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauth("TOKEN_MALFORMED", "token is not a compact JWS");
  std::string header_json, payload_json, signature;
  if (!Base64UrlDecode(parts[0], &header_json) || !Base64UrlDecode(parts[1], &payload_json) ||
      !Base64UrlDecode(parts[2], &signature)) {
    return Unauth("TOKEN_MALFORMED", "token is not base64url");
  }
  auto header = ParseJsonObject(header_json);
  if (!header.ok()) return Unauth("TOKEN_MALFORMED", "token header is not JSON");
  const auto& hf = header->fields();
  auto alg = hf.find("alg");
  if (alg == hf.end() || alg->second.string_value() != "RS256") {
    return Unauth("TOKEN_MALFORMED", "token algorithm must be RS256");
  }
  std::string kid;
  if (auto it = hf.find("kid"); it != hf.end()) kid = it->second.string_value();

  const std::string signed_part = absl::StrCat(parts[0], ".", parts[1]);
  bool verified = false;
  for (const auto& key : keys_->keys_) {
    if (!kid.empty() && key->kid != kid) continue;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key->pkey.get()) == 1 &&
        EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(),
                         reinterpret_cast<const unsigned char*>(signed_part.data()),
                         signed_part.size()) == 1) {
      verified = true;
    }
    EVP_MD_CTX_free(ctx);
    if (verified) break;
  }
  if (!verified) return Unauth("TOKEN_SIGNATURE", "token signature is not valid for any trusted key");

  auto payload = ParseJsonObject(payload_json);
  if (!payload.ok()) return Unauth("TOKEN_MALFORMED", "token payload is not JSON");
  const auto& f = payload->fields();
  auto str = [&](const char* k) -> std::string {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second.string_value();
  };
  auto time_of = [&](const char* k) -> absl::Time {
    auto it = f.find(k);
    if (it == f.end() || !it->second.has_number_value()) return absl::InfinitePast();
    return absl::FromUnixSeconds(static_cast<int64_t>(it->second.number_value()));
  };
  Claims c;
  c.issuer = str("iss");
  c.subject = str("sub");
  if (auto it = f.find("aud"); it != f.end()) c.audience = StringList(it->second);
  c.issued_at = time_of("iat");
  c.not_before = time_of("nbf");
  c.expires_at = time_of("exp");
  if (auto it = f.find("roles"); it != f.end()) c.roles = StringList(it->second);
  if (auto it = f.find("scope_units"); it != f.end()) c.scope_units = StringList(it->second);
  return c;
}

absl::StatusOr<Claims> Verifier::Check(Claims c) const {
  const absl::Time now = clock_.Now();
  if (c.expires_at == absl::InfinitePast()) return Unauth("TOKEN_MALFORMED", "token has no exp");
  if (now > c.expires_at + options_.leeway) return Unauth("TOKEN_EXPIRED", "token has expired");
  if (c.not_before != absl::InfinitePast() && now + options_.leeway < c.not_before) {
    return Unauth("TOKEN_NOT_YET_VALID", "token is not valid yet");
  }
  if (c.issuer != options_.issuer) return Unauth("TOKEN_ISSUER", "token issuer is not trusted");
  bool aud_ok = false;
  for (const auto& a : c.audience) aud_ok |= (a == options_.audience);
  if (!aud_ok) return Unauth("TOKEN_AUDIENCE", "token audience does not include this service");
  if (c.subject.empty()) return Unauth("TOKEN_MALFORMED", "token has no sub");
  for (const auto& unit : c.scope_units) {
    // An empty code must not widen a scope to the whole province.
    if (unit.empty()) return Unauth("TOKEN_MALFORMED", "token scope_units holds an empty code");
  }
  return c;
}

absl::StatusOr<std::string> KeyIdFromPrivatePem(absl::string_view private_pem) {
  PkeyPtr key = ReadPrivate(private_pem);
  if (!key) return absl::InvalidArgumentError("not a PEM private key");
  return KeyIdOf(key.get());
}

absl::StatusOr<std::string> MintRs256(absl::string_view private_pem, const Claims& claims) {
  PkeyPtr key = ReadPrivate(private_pem);
  if (!key) return absl::InvalidArgumentError("not a PEM private key");
  std::string header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":";
  log::AppendJsonString(&header, KeyIdOf(key.get()));
  header += "}";
  std::string payload = "{\"iss\":";
  log::AppendJsonString(&payload, claims.issuer);
  payload += ",\"sub\":";
  log::AppendJsonString(&payload, claims.subject);
  payload += ",\"aud\":";
  AppendStringArray(&payload, claims.audience);
  absl::StrAppend(&payload, ",\"iat\":", absl::ToUnixSeconds(claims.issued_at),
                  ",\"nbf\":", absl::ToUnixSeconds(claims.not_before),
                  ",\"exp\":", absl::ToUnixSeconds(claims.expires_at), ",\"roles\":");
  AppendStringArray(&payload, claims.roles);
  payload += ",\"scope_units\":";
  AppendStringArray(&payload, claims.scope_units);
  payload += "}";
  const std::string signing_input =
      absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload));

  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len,
                           reinterpret_cast<const unsigned char*>(signing_input.data()),
                           signing_input.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                        reinterpret_cast<const unsigned char*>(signing_input.data()),
                        signing_input.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return absl::InternalError("RSA signing failed");
  return absl::StrCat(signing_input, ".", Base64UrlEncode(sig));
}

absl::Status GenerateRsaKeyPair(std::string* private_pem, std::string* public_pem) {
  EVP_PKEY* raw = EVP_RSA_gen(2048);
  if (raw == nullptr) return absl::InternalError("RSA key generation failed");
  PkeyPtr key(raw);
  auto dump = [](BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string s(data, n);
    BIO_free(bio);
    return s;
  };
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  *private_pem = dump(priv);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key.get());
  *public_pem = dump(pub);
  return absl::OkStatus();
}

}  // namespace lnob::auth
