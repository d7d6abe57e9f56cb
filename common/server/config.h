#ifndef LNOB_COMMON_SERVER_CONFIG_H_
#define LNOB_COMMON_SERVER_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace lnob::server {

// Validated start-up configuration of a service process. Built by main.cc from flags and
// LNOB_* environment variables; constructors receive it already validated.
struct ServerConfig {
  std::string service;  // "registry"
  std::string listen_host = "0.0.0.0";
  int grpc_port = 0;
  std::string metrics_host = "0.0.0.0";
  int metrics_port = 0;
  std::string database_url;
  int db_pool_size = 8;
  std::string jwt_public_keys_file;
  std::string jwt_issuer = "lnob";
  std::string page_token_secret;
  absl::Duration shutdown_grace = absl::Seconds(1);  // NOT_SERVING before draining
  absl::Duration drain_timeout = absl::Seconds(20);  // in-flight calls get this long
  absl::Duration health_interval = absl::Seconds(1);
  int max_message_bytes = 16 << 20;
  absl::Duration keepalive_time = absl::Seconds(60);
  // HTTP/2 limits per client connection (gRPC 1.51 predates the rapid-reset fixes: streams
  // a connection may open at once bound what a reset flood can start). A connection is
  // closed after max_connection_age, its calls get max_connection_age_grace to finish: the
  // longest a stream (WatchChanges) lives before the client resumes from its cursor.
  bool reflection = true;  // gRPC server reflection (off in production: no API map for strangers)
  int max_concurrent_streams = 100;
  absl::Duration max_connection_age = absl::Minutes(30);
  absl::Duration max_connection_age_grace = absl::Minutes(30);
  std::string ready_file;  // written with the bound ports once serving (tests, tooling)
  std::string log_level = "info";

  // Every problem found, one per line, naming the flag (empty when valid).
  absl::Status Validate() const;
};

// Sets every flag from LNOB_<NAME> in the environment (e.g. --database_url <-
// LNOB_DATABASE_URL). Call before absl::ParseCommandLine so that the command line wins.
// A malformed value is an error naming both.
absl::Status ApplyEnvironmentToFlags();

// Blocks SIGTERM/SIGINT in this thread and those it creates later; WaitForTermination()
// then receives them synchronously. Call first thing in main().
void BlockTerminationSignals();

// What every server process sets up first: BlockTerminationSignals(), and absl::Mutex
// deadlock detection off (gRPC locks through absl::Mutex; the detector's lock graph cost a
// measurable share of the gateway's CPU per call).
void PrepareServerProcess();
int WaitForTermination();

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_CONFIG_H_
