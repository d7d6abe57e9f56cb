#include "services/gateway/domain/admission.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"
#include "services/gateway/domain/api_key_auth.h"

namespace lnob::gateway {

absl::Status AdmissionConfig::Validate() const {
  std::vector<std::string> problems;
  if (rate_limit_rps < 0 || rate_limit_burst < 1) {
    problems.push_back("--rate_limit_rps must be >= 0 and --rate_limit_burst >= 1");
  }
  if (max_streams_per_client < 1) problems.push_back("--max_streams_per_client must be at least 1");
  if (failure_rps <= 0 || failure_burst < 1) {
    problems.push_back("--auth_failure_rps must be > 0 and --auth_failure_burst >= 1");
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
}

Admission::Admission(AdmissionConfig config, std::unique_ptr<auth::Authorizer> authorizer,
                     ApiKeyAuthenticator* api_keys, const Clock& clock)
    : config_(std::move(config)), authorizer_(std::move(authorizer)), api_keys_(api_keys), limiter_(clock) {}

namespace {
// The client before any credential: its certificate, else its address.
std::string ClientFor(const CallerInfo& caller, const std::string& address) {
  if (!caller.client_cn.empty()) return "cn:" + caller.client_cn.substr(0, 128);
  return "addr:" + address;
}
}  // namespace

std::string Admission::ClientOf(const CallerInfo& caller) const {
  return ClientFor(caller, config_.trusted_proxies.ClientOf(caller.peer, caller.forwarded_for));
}

AdmissionResult Admission::Refused(absl::Status status, const std::string& address, const std::string& key_bucket) {
  AdmissionResult out;
  out.status = std::move(status);
  if (out.status.code() != absl::StatusCode::kUnauthenticated) return out;
  int wait = limiter_.Take("authfail:" + address, config_.failure_rps, config_.failure_burst);
  if (!key_bucket.empty()) {
    wait = std::max(wait, limiter_.Take("keyfail:" + key_bucket, config_.failure_rps, config_.failure_burst));
  }
  if (wait > 0) {
    out.status = WithReason(absl::ResourceExhaustedError("too many refused credentials; retry later"), "RATE_LIMITED");
    out.retry_after_seconds = wait;
  }
  return out;
}

AdmissionResult Admission::Admit(absl::string_view grpc_path, const CallerInfo& caller) {
  return Decide(grpc_path, caller, /*take_rate=*/true);
}

AdmissionResult Admission::Check(absl::string_view grpc_path, const CallerInfo& caller) {
  return Decide(grpc_path, caller, /*take_rate=*/false);
}

AdmissionResult Admission::Decide(absl::string_view grpc_path, const CallerInfo& caller, bool take_rate) {
  const std::string address = config_.trusted_proxies.ClientOf(caller.peer, caller.forwarded_for);
  AdmissionResult out;
  out.client = ClientFor(caller, address);
  out.authorization = caller.authorization;
  double rps = config_.rate_limit_rps, burst = config_.rate_limit_burst;
  // A call made with an API key acts with the token minted for the key, whatever
  // authorization the caller sent, under the key's own rate.
  if (const std::string secret = ApiKeyAuthenticator::SecretFromHeaders(caller.api_key, caller.authorization);
      !secret.empty()) {
    if (api_keys_ == nullptr) {
      out.status = WithReason(absl::UnauthenticatedError("API keys are not enabled on this gateway"),
                              "API_KEYS_DISABLED");
      return out;
    }
    auto grant = api_keys_->Authenticate(secret, auth::AudienceOfMethod(grpc_path));
    if (!grant.ok()) return Refused(grant.status(), address, ApiKeyAuthenticator::FailureBucketOf(secret));
    out.authorization = grant->authorization;
    out.client = "sub:" + grant->subject;
    if (grant->rate_limit_rps > 0) {
      rps = grant->rate_limit_rps;
      burst = std::max(1.0, grant->rate_limit_rps);
    }
  }
  if (authorizer_) {
    auto principal = authorizer_->Authorize(grpc_path, out.authorization);
    if (!principal.ok()) {
      // No credential at all is not a refused credential: nothing to count.
      if (out.authorization.empty()) {
        out.status = principal.status();
        return out;
      }
      AdmissionResult refused = Refused(principal.status(), address, "");
      refused.client = out.client;
      return refused;
    }
    if (!principal->subject.empty()) out.client = "sub:" + principal->subject;
  }
  if (int wait = limiter_.Take(out.client, rps, burst, /*consume=*/take_rate); wait > 0) {
    out.status = WithReason(absl::ResourceExhaustedError("rate limit exceeded; retry later"), "RATE_LIMITED");
    out.retry_after_seconds = wait;
  }
  return out;
}

bool Admission::BeginStream(const std::string& client) {
  absl::MutexLock l(&streams_mu_);
  int& open = open_streams_[client];
  if (open >= config_.max_streams_per_client) {
    if (open == 0) open_streams_.erase(client);
    return false;
  }
  ++open;
  return true;
}

void Admission::EndStream(const std::string& client) {
  absl::MutexLock l(&streams_mu_);
  auto it = open_streams_.find(client);
  if (it == open_streams_.end()) return;
  if (--it->second <= 0) open_streams_.erase(it);
}

}  // namespace lnob::gateway
