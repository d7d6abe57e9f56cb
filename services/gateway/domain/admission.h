#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_ADMISSION_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_ADMISSION_H_

// What both faces of the gateway decide before a backend is contacted, in one place: who
// the caller is (API key exchanged for its token, else the bearer token, else a client
// certificate, else the client address taken through trusted proxies only), whether it may
// call the method, and whether it is within its rate. Nothing here blocks: API keys are
// looked up in memory (api_key_auth.h), so a face may admit on any thread, gRPC callback
// threads included. No HTTP, no gRPC, no SQL.
//
// Refused credentials are always checked first and only then counted: a key or token that
// verifies is never refused because others failed from the same address. Failures are
// counted per client address and per API-key prefix; past their budget the answer becomes
// RATE_LIMITED instead of UNAUTHENTICATED.

#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/string_view.h"
#include "common/auth/policy.h"
#include "common/util/clock.h"
#include "services/gateway/domain/client_address.h"
#include "services/gateway/domain/rate_limiter.h"

namespace lnob::gateway {

class ApiKeyAuthenticator;

struct AdmissionConfig {
  double rate_limit_rps = 50;  // per client (token subject, else certificate, else address); 0 = off
  double rate_limit_burst = 100;
  // Refused credentials (bad tokens, unknown keys) per client address and per key prefix.
  double failure_rps = 1;
  double failure_burst = 100;
  TrustedProxies trusted_proxies;  // whose X-Forwarded-For is believed
  // Streaming calls one client (subject, certificate or address) may have open at once: a
  // change feed is watched for hours, so one system must not hold them all.
  int max_streams_per_client = 100;

  // Every problem found, one per line, naming the flag.
  absl::Status Validate() const;
};

// What a face knows about a call before it is forwarded.
struct CallerInfo {
  std::string peer;           // transport peer address, without port
  std::string forwarded_for;  // X-Forwarded-For as received
  std::string client_cn;      // subject CN of a verified client certificate
  std::string authorization;  // as received
  std::string api_key;        // x-api-key as received
};

struct AdmissionResult {
  absl::Status status;
  int retry_after_seconds = 0;  // with RATE_LIMITED
  std::string client;           // for logs and rate buckets: "sub:..", "cn:.." or "addr:.."
  std::string authorization;    // what to forward: the token minted for an API key, else the caller's
};

class Admission {
 public:
  // authorizer: nullptr forwards unverified bearer tokens (the services verify them);
  // api_keys: nullptr refuses calls made with a key (API_KEYS_DISABLED).
  Admission(AdmissionConfig config, std::unique_ptr<auth::Authorizer> authorizer, ApiKeyAuthenticator* api_keys,
            const Clock& clock);

  // The client as known before any credential is looked at (address or certificate).
  std::string ClientOf(const CallerInfo& caller) const;

  // grpc_path: "/package.Service/Method" the call will be forwarded to.
  AdmissionResult Admit(absl::string_view grpc_path, const CallerInfo& caller);
  // Identity and permission only, without taking from the caller's rate: what the REST face
  // decides from the headers before it reads a request's body. Admit follows for the calls
  // that pass.
  AdmissionResult Check(absl::string_view grpc_path, const CallerInfo& caller);

  // A streaming call of `client` (AdmissionResult::client) starts: false, and nothing taken,
  // when the client already has max_streams_per_client open. Every true is paired with one
  // EndStream.
  bool BeginStream(const std::string& client);
  void EndStream(const std::string& client);

  const AdmissionConfig& config() const { return config_; }

 private:
  AdmissionResult Decide(absl::string_view grpc_path, const CallerInfo& caller, bool take_rate);
  // A refused credential: counted, and past the budget turned into RATE_LIMITED.
  AdmissionResult Refused(absl::Status status, const std::string& address, const std::string& key_bucket);

  const AdmissionConfig config_;
  const std::unique_ptr<auth::Authorizer> authorizer_;
  ApiKeyAuthenticator* const api_keys_;
  RateLimiter limiter_;
  absl::Mutex streams_mu_;
  absl::flat_hash_map<std::string, int> open_streams_ ABSL_GUARDED_BY(streams_mu_);
};

// Calls open at once on one face; more are refused before anything else is looked at.
class ConcurrencyGate {
 public:
  explicit ConcurrencyGate(int limit) : limit_(limit) {}
  bool TryEnter() {
    if (open_.fetch_add(1) >= limit_) {
      open_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void Leave() { open_.fetch_sub(1); }
  int open() const { return open_.load(); }

 private:
  const int limit_;
  std::atomic<int> open_{0};
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_ADMISSION_H_
