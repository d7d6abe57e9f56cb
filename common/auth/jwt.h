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

// Public keys that may sign tokens (several during a rotation), keyed by "kid".
class KeySet {
 public:
  // PEM text holding one or more "PUBLIC KEY" blocks.
  static absl::StatusOr<std::shared_ptr<const KeySet>> FromPem(absl::string_view pem);
  static absl::StatusOr<std::shared_ptr<const KeySet>> FromFile(const std::string& path);
  ~KeySet();
  size_t size() const { return keys_.size(); }

 private:
  struct Key;
  friend class Verifier;
  std::vector<std::unique_ptr<Key>> keys_;
};

struct VerifierOptions {
  std::string issuer;
  std::string audience;
  absl::Duration leeway = absl::Seconds(30);
};

class Verifier {
 public:
  Verifier(std::shared_ptr<const KeySet> keys, VerifierOptions options, const Clock& clock);
  // UNAUTHENTICATED with an ErrorInfo reason (TOKEN_MALFORMED, TOKEN_SIGNATURE, TOKEN_EXPIRED,
  // TOKEN_NOT_YET_VALID, TOKEN_ISSUER, TOKEN_AUDIENCE) on any failure.
  // Tokens whose signature checked out are remembered (bounded), so a client repeating its
  // token costs a hash lookup instead of an RSA verification and two JSON parses; the time,
  // issuer and audience checks run on every call.
  absl::StatusOr<Claims> Verify(absl::string_view token) const;

 private:
  absl::StatusOr<Claims> VerifySignature(absl::string_view token) const;
  absl::StatusOr<Claims> Check(Claims c) const;

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
