#include "common/auth/jwt.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
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
  KeyPolicy policy;
};

KeySet::~KeySet() = default;

absl::StatusOr<KeyPolicy> KeyPolicy::Parse(absl::string_view text) {
  KeyPolicy p;
  p.restricted = true;
  bool has_subjects = false, has_roles = false;
  for (absl::string_view part : absl::StrSplit(text, ' ', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    std::vector<std::string> values = absl::StrSplit(kv.second, ',', absl::SkipEmpty());
    if (kv.first == "subjects") {
      p.subjects = std::move(values);
      has_subjects = true;
    } else if (kv.first == "roles") {
      p.roles = std::move(values);
      has_roles = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("key policy: unknown part '", part, "' (subjects=, roles=)"));
    }
  }
  if (!has_subjects || p.subjects.empty()) return absl::InvalidArgumentError("key policy: subjects= is required");
  if (!has_roles) return absl::InvalidArgumentError("key policy: roles= is required (it may be empty)");
  for (const auto& subject : p.subjects) {
    if (subject == "*") return absl::InvalidArgumentError("key policy: subjects=* restricts nothing");
  }
  return p;
}

std::string KeyPolicy::ToLine() const {
  return absl::StrCat(kKeyPolicyPrefix, " subjects=", absl::StrJoin(subjects, ","), " roles=", absl::StrJoin(roles, ","));
}

std::string KeyPolicy::Refusal(const Claims& c) const {
  if (!restricted) return "";
  bool subject_ok = false;
  for (const auto& pattern : subjects) {
    if (absl::EndsWith(pattern, "*") ? absl::StartsWith(c.subject, pattern.substr(0, pattern.size() - 1))
                                     : c.subject == pattern) {
      subject_ok = true;
    }
  }
  if (!subject_ok) return absl::StrCat("its signing key may not sign subject '", c.subject, "'");
  for (const auto& role : c.roles) {
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
      return absl::StrCat("its signing key may not sign role ", role);
    }
  }
  return "";
}

std::string AudienceOfMethod(absl::string_view method_path) {
  if (!absl::ConsumePrefix(&method_path, "/")) return "";
  const size_t slash = method_path.find('/');
  if (slash == absl::string_view::npos) return "";
  absl::string_view service = method_path.substr(0, slash);
  const size_t last_dot = service.rfind('.');
  if (last_dot == absl::string_view::npos) return "";
  absl::string_view package = service.substr(0, last_dot);
  // Drop a trailing version component ("v1", "v2beta").
  if (const size_t dot = package.rfind('.'); dot != absl::string_view::npos) {
    absl::string_view last = package.substr(dot + 1);
    if (last.size() >= 2 && last[0] == 'v' && absl::ascii_isdigit(last[1])) package = package.substr(0, dot);
  }
  return std::string(package);
}

std::string AudienceOfService(absl::string_view service) { return absl::StrCat("lnob.", service); }

const KeyPolicy* KeySet::PolicyOf(absl::string_view kid) const {
  for (const auto& k : keys_) {
    if (k->kid == kid) return &k->policy;
  }
  return nullptr;
}

absl::StatusOr<std::shared_ptr<const KeySet>> KeySet::FromPem(absl::string_view pem) {
  auto set = std::shared_ptr<KeySet>(new KeySet());
  constexpr absl::string_view kBegin = "-----BEGIN PUBLIC KEY-----", kEnd = "-----END PUBLIC KEY-----";
  KeyPolicy pending;
  size_t pos = 0;
  while (pos < pem.size()) {
    size_t eol = pem.find('\n', pos);
    if (eol == absl::string_view::npos) eol = pem.size();
    absl::string_view line = absl::StripAsciiWhitespace(pem.substr(pos, eol - pos));
    if (absl::ConsumePrefix(&line, kKeyPolicyPrefix)) {
      auto policy = KeyPolicy::Parse(line);
      if (!policy.ok()) return absl::InvalidArgumentError(absl::StrCat("JWT key set: ", policy.status().message()));
      pending = *std::move(policy);
    } else if (line == kBegin) {
      const size_t end = pem.find(kEnd, pos);
      if (end == absl::string_view::npos) return absl::InvalidArgumentError("JWT key set: unterminated PEM block");
      const absl::string_view block = pem.substr(pos, end + kEnd.size() - pos);
      BIO* bio = BIO_new_mem_buf(block.data(), static_cast<int>(block.size()));
      EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
      BIO_free(bio);
      if (k == nullptr) return absl::InvalidArgumentError("JWT key set: a PUBLIC KEY block does not parse");
      auto key = std::make_unique<Key>();
      key->pkey.reset(k);
      key->kid = KeyIdOf(k);
      if (EVP_PKEY_base_id(k) != EVP_PKEY_RSA) {
        return absl::InvalidArgumentError("JWT key set: only RSA public keys are accepted");
      }
      if (EVP_PKEY_get_bits(k) < kMinRsaBits) {
        return absl::InvalidArgumentError(absl::StrCat("JWT key set: key ", key->kid, " has ", EVP_PKEY_get_bits(k),
                                                       " bits; at least ", kMinRsaBits, " are required"));
      }
      key->policy = std::move(pending);
      pending = KeyPolicy();
      set->keys_.push_back(std::move(key));
      eol = pem.find('\n', end);
      if (eol == absl::string_view::npos) eol = pem.size();
    }
    pos = eol + 1;
  }
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

absl::StatusOr<Claims> Verifier::Verify(absl::string_view token, absl::string_view audience) const {
  constexpr size_t kMaxRemembered = 10000;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = verified_.find(std::string(token)); it != verified_.end()) return Check(it->second, audience);
  }
  auto claims = VerifySignature(token);
  if (!claims.ok()) return claims.status();
  auto checked = Check(*claims, audience);
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
  // An access token, not some other JWT signed by the same key.
  if (auto typ = hf.find("typ"); typ == hf.end() || !absl::EqualsIgnoreCase(typ->second.string_value(), "JWT")) {
    return Unauth("TOKEN_MALFORMED", "token typ must be JWT");
  }
  std::string kid;
  if (auto it = hf.find("kid"); it != hf.end()) kid = it->second.string_value();

  const std::string signed_part = absl::StrCat(parts[0], ".", parts[1]);
  bool verified = false;
  const KeyPolicy* policy = nullptr;
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
    if (verified) {
      policy = &key->policy;
      break;
    }
  }
  if (!verified) return Unauth("TOKEN_SIGNATURE", "token signature is not valid for any trusted key");

  auto payload = ParseJsonObject(payload_json);
  if (!payload.ok()) return Unauth("TOKEN_MALFORMED", "token payload is not JSON");
  const auto& f = payload->fields();
  auto str = [&](const char* k) -> std::string {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second.string_value();
  };
  bool out_of_range = false;
  auto time_of = [&](const char* k) -> absl::Time {
    auto it = f.find(k);
    if (it == f.end() || !it->second.has_number_value()) return absl::InfinitePast();
    // Converted only when it fits (year 0..9999): a huge or NaN exp must not be undefined
    // behaviour in the cast.
    const double v = it->second.number_value();
    if (!(v >= 0 && v <= 253402300799.0)) {
      out_of_range = true;
      return absl::InfinitePast();
    }
    return absl::FromUnixSeconds(static_cast<int64_t>(v));
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
  if (out_of_range) return Unauth("TOKEN_MALFORMED", "token iat, nbf or exp is out of range");
  if (policy != nullptr) {
    if (std::string why = policy->Refusal(c); !why.empty()) {
      return Unauth("TOKEN_KEY_POLICY", absl::StrCat("token refused: ", why));
    }
  }
  return c;
}

absl::StatusOr<Claims> Verifier::Check(Claims c, absl::string_view audience) const {
  const absl::Time now = clock_.Now();
  if (c.expires_at == absl::InfinitePast()) return Unauth("TOKEN_MALFORMED", "token has no exp");
  if (c.issued_at == absl::InfinitePast()) return Unauth("TOKEN_MALFORMED", "token has no iat");
  if (c.issued_at > now + options_.leeway) return Unauth("TOKEN_NOT_YET_VALID", "token iat is in the future");
  if (c.expires_at - c.issued_at > options_.max_lifetime) {
    return Unauth("TOKEN_LIFETIME", absl::StrCat("token lives longer than ",
                                                 absl::FormatDuration(options_.max_lifetime), " (exp - iat)"));
  }
  if (now > c.expires_at + options_.leeway) return Unauth("TOKEN_EXPIRED", "token has expired");
  if (c.not_before != absl::InfinitePast() && now + options_.leeway < c.not_before) {
    return Unauth("TOKEN_NOT_YET_VALID", "token is not valid yet");
  }
  if (c.issuer != options_.issuer) return Unauth("TOKEN_ISSUER", "token issuer is not trusted");
  bool aud_ok = false;
  for (const auto& a : c.audience) aud_ok |= (a == audience);
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
  // A time left unset is left out (never INT64_MIN on the wire).
  auto time_claim = [&payload](const char* name, absl::Time t) {
    if (t != absl::InfinitePast()) absl::StrAppend(&payload, ",\"", name, "\":", absl::ToUnixSeconds(t));
  };
  time_claim("iat", claims.issued_at);
  time_claim("nbf", claims.not_before);
  time_claim("exp", claims.expires_at);
  payload += ",\"roles\":";
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
