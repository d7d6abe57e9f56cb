#ifndef LNOB_COMMON_SERVER_SERVER_FLAGS_H_
#define LNOB_COMMON_SERVER_SERVER_FLAGS_H_

// Expanded once, in a service's main.cc: defines the flags every service takes and
// ServerConfigFromFlags(). Each flag can also be set as LNOB_<FLAG_NAME_IN_CAPS>.

#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/server/config.h"

#define LNOB_SERVER_FLAGS(service_name, default_grpc_port, default_metrics_port)              \
  ABSL_FLAG(std::string, listen_host, "0.0.0.0", "Address the gRPC server binds");           \
  ABSL_FLAG(int, grpc_port, default_grpc_port, "gRPC port (0 = pick a free port)");          \
  ABSL_FLAG(std::string, metrics_host, "0.0.0.0", "Address of the Prometheus endpoint");     \
  ABSL_FLAG(int, metrics_port, default_metrics_port, "Prometheus /metrics port (0 = any)");  \
  ABSL_FLAG(std::string, database_url, "", "libpq connection string of the service role");   \
  ABSL_FLAG(int, db_pool_size, 8, "Maximum PostgreSQL connections");                         \
  ABSL_FLAG(std::string, jwt_public_keys, "", "PEM file with the public keys that sign tokens"); \
  ABSL_FLAG(std::string, jwt_issuer, "lnob", "Required 'iss' of bearer tokens");             \
  ABSL_FLAG(std::string, page_token_secret, "", "HMAC secret for page tokens (>= 16 bytes)"); \
  ABSL_FLAG(bool, reflection, true, "Serve gRPC server reflection (production overlays turn it off)"); \
  ABSL_FLAG(int, max_concurrent_streams, 100, "HTTP/2 streams one client connection may have open"); \
  ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(30),                          \
            "A client connection is closed after this long (clients reconnect)");             \
  ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Minutes(30),                    \
            "Calls of a connection being closed get this long; the longest a stream lives");   \
  ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(1),                                \
            "Time health reports NOT_SERVING before draining starts");                        \
  ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(20),                                \
            "Time in-flight calls get to finish at shutdown");                                \
  ABSL_FLAG(absl::Duration, health_interval, absl::Seconds(1),                               \
            "How often the database is probed for the health status");                       \
  ABSL_FLAG(int, max_message_bytes, 16 << 20, "Maximum gRPC message size");                  \
  ABSL_FLAG(absl::Duration, keepalive_time, absl::Seconds(60), "gRPC keepalive ping interval"); \
  ABSL_FLAG(std::string, ready_file, "", "File written with the bound ports once serving");  \
  ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");                \
  static lnob::server::ServerConfig ServerConfigFromFlags() {                                \
    lnob::server::ServerConfig c;                                                            \
    c.service = service_name;                                                                \
    c.listen_host = absl::GetFlag(FLAGS_listen_host);                                        \
    c.grpc_port = absl::GetFlag(FLAGS_grpc_port);                                            \
    c.metrics_host = absl::GetFlag(FLAGS_metrics_host);                                      \
    c.metrics_port = absl::GetFlag(FLAGS_metrics_port);                                      \
    c.database_url = absl::GetFlag(FLAGS_database_url);                                      \
    c.db_pool_size = absl::GetFlag(FLAGS_db_pool_size);                                      \
    c.jwt_public_keys_file = absl::GetFlag(FLAGS_jwt_public_keys);                           \
    c.jwt_issuer = absl::GetFlag(FLAGS_jwt_issuer);                                          \
    c.page_token_secret = absl::GetFlag(FLAGS_page_token_secret);                            \
    c.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);                                  \
    c.reflection = absl::GetFlag(FLAGS_reflection);                                          \
    c.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);                  \
    c.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);                          \
    c.max_connection_age_grace = absl::GetFlag(FLAGS_max_connection_age_grace);              \
    c.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);                                    \
    c.health_interval = absl::GetFlag(FLAGS_health_interval);                                \
    c.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);                            \
    c.keepalive_time = absl::GetFlag(FLAGS_keepalive_time);                                  \
    c.ready_file = absl::GetFlag(FLAGS_ready_file);                                          \
    c.log_level = absl::GetFlag(FLAGS_log_level);                                            \
    return c;                                                                                \
  }

#endif  // LNOB_COMMON_SERVER_SERVER_FLAGS_H_
