// funding: wiring only. Configuration errors are fatal at start.

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/api/page_token.h"
#include "common/auth/service_token.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/server/runner.h"
#include "common/server/server_flags.h"
#include "services/funding/api/business_metrics.h"
#include "services/funding/api/funding_services.h"
#include "services/funding/domain/feed_consumer.h"
#include "services/funding/domain/funding_logic.h"
#include "services/funding/peer/grpc_registry_client.h"
#include "services/funding/store/pg_funding_store.h"

LNOB_SERVER_FLAGS("funding", 50052, 9102);
ABSL_FLAG(std::string, registry_address, "127.0.0.1:50051", "host:port of the registry service");
ABSL_FLAG(absl::Duration, registry_timeout, absl::Seconds(5), "Deadline of each registry call");
ABSL_FLAG(std::string, service_signing_key, "",
          "PEM private key that signs this service's own short-lived token (unit directory, change feed); "
          "its public half must be in the registry's --jwt_public_keys");
ABSL_FLAG(bool, follow_registry_changes, true, "Consume the registry change feed (flags planned support lines)");
ABSL_FLAG(absl::Duration, business_metrics_interval, absl::Seconds(60),
          "How often lnob_disbursement_ratio and friends are refreshed");

int main(int argc, char** argv) {
  lnob::server::PrepareServerProcess();
  absl::SetProgramUsageMessage("lnob funding service (flags may also be set as LNOB_<FLAG>)");
  if (auto st = lnob::server::ApplyEnvironmentToFlags(); !st.ok()) {
    std::fprintf(stderr, "funding: bad environment:\n%s\n", std::string(st.message()).c_str());
    return 2;
  }
  absl::ParseCommandLine(argc, argv);
  lnob::server::ServerConfig config = ServerConfigFromFlags();
  if (auto st = config.Validate(); !st.ok()) {
    std::fprintf(stderr, "funding: invalid configuration:\n%s\n", std::string(st.message()).c_str());
    return 2;
  }
  const std::string key_file = absl::GetFlag(FLAGS_service_signing_key);
  std::ifstream key_in(key_file);
  if (key_file.empty() || !key_in) {
    std::fprintf(stderr, "funding: --service_signing_key must name a readable PEM private key\n");
    return 2;
  }
  std::stringstream key_pem;
  key_pem << key_in.rdbuf();
  lnob::auth::ServiceTokenSource self({.private_key_pem = key_pem.str(),
                                       .subject = "service:funding",
                                       .roles = {"SERVICE_FUNDING"},
                                       .issuer = config.jwt_issuer,
                                       .audience = config.jwt_audience},
                                      lnob::RealClock::Get());
  if (auto t = self.Authorization(); !t.ok()) {
    std::fprintf(stderr, "funding: --service_signing_key: %s\n", std::string(t.status().message()).c_str());
    return 2;
  }

  lnob::server::ServerRunner runner(config);
  if (auto st = runner.Init(); !st.ok()) {
    std::fprintf(stderr, "funding: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  lnob::db::Pool pool({.dsn = config.database_url,
                       .name = "funding",
                       .max_size = config.db_pool_size,
                       .search_path = "funding, public"},
                      &runner.metrics().registry());
  auto store = lnob::funding::NewPgFundingStore(&pool);
  auto registry = lnob::funding::NewGrpcRegistryClient(
      {.address = absl::GetFlag(FLAGS_registry_address), .timeout = absl::GetFlag(FLAGS_registry_timeout)}, &self);
  lnob::funding::FundingLogic logic(store.get(), registry.get(),
                                    lnob::api::PageTokenCodec(config.page_token_secret), lnob::RealClock::Get());
  lnob::funding::CatalogueService catalogue(&logic);
  lnob::funding::FundingService funding(&logic);
  lnob::funding::SupportService support(&logic);
  runner.AddService(&catalogue, "lnob.funding.v1.CatalogueService");
  runner.AddService(&funding, "lnob.funding.v1.FundingService");
  runner.AddService(&support, "lnob.funding.v1.SupportService");
  runner.SetReadinessProbe([&] { return store->Healthy(); });

  lnob::funding::FeedConsumer feed(registry.get(), store.get());
  lnob::funding::BusinessMetrics business(&logic, &feed, runner.metrics().registry(), lnob::RealClock::Get());
  if (auto st = runner.Start(); !st.ok()) {
    std::fprintf(stderr, "funding: %s\n", std::string(st.message()).c_str());
    return 2;
  }
  if (absl::GetFlag(FLAGS_follow_registry_changes)) feed.Start();
  business.Start(absl::GetFlag(FLAGS_business_metrics_interval));
  runner.RunUntilSignal();
  feed.Stop();
  return 0;
}
