#include "common/server/service_main.h"

#include <cstdio>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/db/pool.h"
#include "common/log/log.h"

namespace lnob::server {

ServiceContext::ServiceContext(const ServerConfig& config, ServerRunner& runner, const Clock& clock)
    : config_(config), runner_(runner), clock_(clock) {}

ServiceContext::~ServiceContext() {
  while (!owned_.empty()) owned_.pop_back();
}

prometheus::Registry& ServiceContext::metrics() { return runner_.metrics().registry(); }

db::Pool& ServiceContext::pool() {
  if (pool_ == nullptr) {
    pool_ = std::make_unique<db::Pool>(db::PoolOptions{.dsn = config_.database_url,
                                                       .name = config_.service,
                                                       .max_size = config_.db_pool_size,
                                                       .search_path = absl::StrCat(config_.service, ", public")},
                                       &metrics());
  }
  return *pool_;
}

bool ServiceContext::DatabaseAnswers() { return pool().Ping(); }

void ServiceContext::OnServing(std::function<void()> start, std::function<void()> stop) {
  on_serving_.push_back({std::move(start), std::move(stop)});
}

int RunService(int argc, char** argv, const char* usage, ServerConfig (*config_from_flags)(),
               const std::function<absl::Status(ServiceContext&)>& wire) {
  PrepareServerProcess();
  absl::SetProgramUsageMessage(absl::StrCat(usage, " (flags may also be set as LNOB_<FLAG>)"));
  if (auto st = ApplyEnvironmentToFlags(); !st.ok()) {
    std::fprintf(stderr, "%s: bad environment:\n%s\n", argv[0], std::string(st.message()).c_str());
    return 2;
  }
  absl::ParseCommandLine(argc, argv);
  const ServerConfig config = config_from_flags();
  auto fail = [&](const char* what, const absl::Status& st) {
    std::fprintf(stderr, "%s: %s%s\n", config.service.c_str(), what, std::string(st.message()).c_str());
    return 2;
  };
  if (auto st = config.Validate(); !st.ok()) return fail("invalid configuration:\n", st);
  ServerRunner runner(config);
  if (auto st = runner.Init(); !st.ok()) return fail("", st);
  {
    ServiceContext context(config, runner, RealClock::Get());
    if (auto st = wire(context); !st.ok()) return fail("", st);
    if (auto st = runner.Start(); !st.ok()) return fail("", st);
    for (auto& [start, stop] : context.on_serving_) {
      if (start) start();
    }
    runner.RunUntilSignal();
    for (auto it = context.on_serving_.rbegin(); it != context.on_serving_.rend(); ++it) {
      if (it->second) it->second();
    }
  }
  return 0;
}

}  // namespace lnob::server
