#ifndef LNOB_COMMON_AUTH_JWT_H_
#define LNOB_COMMON_AUTH_JWT_H_

// RS256 JSON Web Tokens (RFC 7519) verified and minted with OpenSSL.

#include <memory>
#include <mutex>
#include <unordered_map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/util/clock.h"

namespace lnob::auth {

struct Claims {
  std::string issuer;
  std::string subject;
  std::vector<std::string> audience;
  absl::Time issued_at = absl::InfinitePast();
  absl::Time not_before = absl::InfinitePast();
  absl::Time expires_at = absl::InfinitePast();
  std::vector<std::string> roles;
  std::vector<std::string> scope_units;  // admin-unit codes; empty = whole province
};

// What one signing key may sign. Written in the trusted-keys file on a line of its own just
// before the key's PEM block:
//   lnob-key-policy: subjects=apikey:* roles=SYSTEM_CLIENT,VIEWER
// subjects: exact subjects or prefixes ending in '*'; roles: every role of a token it signs
// must be listed. A key without such a line is an operator key and may sign anything; keys
// held by running processes (the gateway, services) must have one, so that a leaked key
// cannot mint a province administrator.
struct KeyPolicy {
  bool restricted = false;
  std::vector<std::string> subjects;
  std::vector<std::string> roles;

  // The text after "lnob-key-policy:"; INVALID_ARGUMENT naming what is wrong.
  static absl::StatusOr<KeyPolicy> Parse(absl::string_view text);
  std::string ToLine() const;  // "lnob-key-policy: subjects=... roles=..."
  // Empty when allowed, else why not.
  std::string Refusal(const Claims& claims) const;
};

inline constexpr char kKeyPolicyPrefix[] = "lnob-key-policy:";
inline constexpr int kMinRsaBits = 2048;

// The audience a token needs for a method: its proto package without the version
// ("/lnob.registry.v1.HouseholdService/GetHousehold" -> "lnob.registry"), so a token minted
// for one service is refused by every other and no service can replay a caller's token to
// another. Empty for a path that is not "/package.Service/Method".
std::string AudienceOfMethod(absl::string_view method_path);
// The audience of a service named in services/services.list ("registry" -> "lnob.registry").
std::string AudienceOfService(absl::string_view service);

// Public keys that may sign tokens (several during a rotation), keyed by "kid".
class KeySet {
 public:
  // PEM text holding one or more "PUBLIC KEY" blocks, each optionally preceded by its
  // policy line. RSA keys of at least kMinRsaBits only.
  static absl::StatusOr<std::shared_ptr<const KeySet>> FromPem(absl::string_view pem);
  static absl::StatusOr<std::shared_ptr<const KeySet>> FromFile(const std::string& path);
  ~KeySet();
  size_t size() const { return keys_.size(); }
  // The policy of the key with this id; nullptr when the set has no such key.
  const KeyPolicy* PolicyOf(absl::string_view kid) const;

 private:
  struct Key;
  friend class Verifier;
  std::vector<std::unique_ptr<Key>> keys_;
};

struct VerifierOptions {
  std::string issuer;
  std::string audience;  // required by Verify(token); Verify(token, audience) names its own
  absl::Duration leeway = absl::Seconds(30);
  absl::Duration max_lifetime = absl::Hours(24);  // exp - iat
};

class Verifier {
 public:
  Verifier(std::shared_ptr<const KeySet> keys, VerifierOptions options, const Clock& clock);
  // UNAUTHENTICATED with an ErrorInfo reason (TOKEN_MALFORMED, TOKEN_SIGNATURE, TOKEN_EXPIRED,
  // TOKEN_NOT_YET_VALID, TOKEN_ISSUER, TOKEN_AUDIENCE, TOKEN_LIFETIME, TOKEN_KEY_POLICY) on
  // any failure. typ must be JWT; iat, exp and sub are required; exp - iat is at most
  // max_lifetime; the signing key's policy must allow the subject and roles.
  // Tokens whose signature checked out are remembered (bounded), so a client repeating its
  // token costs a hash lookup instead of an RSA verification and two JSON parses; the time,
  // issuer and audience checks run on every call.
  absl::StatusOr<Claims> Verify(absl::string_view token) const { return Verify(token, options_.audience); }
  absl::StatusOr<Claims> Verify(absl::string_view token, absl::string_view audience) const;

 private:
  absl::StatusOr<Claims> VerifySignature(absl::string_view token) const;
  absl::StatusOr<Claims> Check(Claims c, absl::string_view audience) const;

  std::shared_ptr<const KeySet> keys_;
  VerifierOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Claims> verified_;
};

// Signs claims with a PEM RSA private key. kid is derived from the public half.
absl::StatusOr<std::string> MintRs256(absl::string_view private_pem, const Claims& claims);

// Key id: first 16 hex digits of SHA-256 over the DER SubjectPublicKeyInfo.
absl::StatusOr<std::string> KeyIdFromPrivatePem(absl::string_view private_pem);

// New 2048-bit RSA key pair as PEM (private PKCS#8, public SPKI).
absl::Status GenerateRsaKeyPair(std::string* private_pem, std::string* public_pem);

std::string Base64UrlEncode(absl::string_view data);
bool Base64UrlDecode(absl::string_view in, std::string* out);

}  // namespace lnob::auth

#endif  // LNOB_COMMON_AUTH_JWT_H_
