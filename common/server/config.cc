#include "common/server/config.h"

#include <signal.h>
#include <sys/resource.h>

#include <cstdlib>

#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"

namespace lnob::server {

absl::Status ServerConfig::Validate() const {
  std::vector<std::string> errors;
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  if (service.empty()) errors.push_back("service: must be set");
  if (!port_ok(grpc_port)) errors.push_back("--grpc_port: must be 0..65535");
  if (!port_ok(metrics_port)) errors.push_back("--metrics_port: must be 0..65535");
  if (grpc_port != 0 && grpc_port == metrics_port) {
    errors.push_back("--metrics_port: must differ from --grpc_port");
  }
  if (database_url.empty()) errors.push_back("--database_url (LNOB_DATABASE_URL): must be set");
  if (db_pool_size < 1 || db_pool_size > 200) errors.push_back("--db_pool_size: must be 1..200");
  if (jwt_public_keys_file.empty()) {
    errors.push_back("--jwt_public_keys (LNOB_JWT_PUBLIC_KEYS): must name a PEM file of public keys");
  }
  if (jwt_issuer.empty()) errors.push_back("--jwt_issuer: must be set");
  if (page_token_secret.size() < 16) {
    errors.push_back("--page_token_secret (LNOB_PAGE_TOKEN_SECRET): must be at least 16 bytes");
  }
  if (drain_timeout < absl::ZeroDuration() || shutdown_grace < absl::ZeroDuration()) {
    errors.push_back("--drain_timeout/--shutdown_grace: must not be negative");
  }
  if (health_interval <= absl::ZeroDuration()) errors.push_back("--health_interval: must be > 0");
  if (max_message_bytes < 1024) errors.push_back("--max_message_bytes: must be >= 1024");
  if (keepalive_time < absl::Seconds(10)) errors.push_back("--keepalive_time: must be >= 10s");
  if (max_concurrent_streams < 1 || max_concurrent_streams > 10000) {
    errors.push_back("--max_concurrent_streams: must be 1..10000");
  }
  if (max_connection_age < absl::Seconds(10) || max_connection_age_grace < absl::ZeroDuration()) {
    errors.push_back("--max_connection_age: must be >= 10s and --max_connection_age_grace >= 0");
  }
  log::Severity sev;
  if (!log::ParseSeverity(log_level, &sev)) {
    errors.push_back("--log_level: must be debug, info, warning or error");
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

absl::Status ApplyEnvironmentToFlags() {
  std::vector<std::string> errors;
  for (auto& [name, flag] : absl::GetAllFlags()) {
    const std::string env = absl::StrCat("LNOB_", absl::AsciiStrToUpper(name));
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) continue;
    std::string err;
    if (!flag->ParseFrom(value, &err)) {
      errors.push_back(absl::StrCat(env, " (--", name, "): ", err));
    }
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void PrepareServerProcess() {
  BlockTerminationSignals();
  // Sockets are file descriptors: take the whole allowance the system gives (the soft limit
  // is often 1,024 while the hard one is far higher).
  if (rlimit r; getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

int WaitForTermination() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace lnob::server
