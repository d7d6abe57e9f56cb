#ifndef LNOB_COMMON_SERVER_SERVICE_MAIN_H_
#define LNOB_COMMON_SERVER_SERVICE_MAIN_H_

// The skeleton of every service process. A service's main.cc defines its flags
// (LNOB_SERVER_FLAGS plus its own) and hands RunService a wiring function that builds the
// stores, peers and logic, registers the generated adapters and names what starts after the
// server serves. Everything else (environment and flags, validation, logging, metrics
// endpoint, database pool, health, graceful shutdown, exit codes) happens here, once.
//
//   int main(int argc, char** argv) {
//     return lnob::server::RunService(argc, argv, "lnob foo service", ServerConfigFromFlags,
//         [](lnob::server::ServiceContext& s) -> absl::Status {
//           auto& store = s.Own(lnob::foo::NewPgFooStore(&s.pool()));
//           auto& logic = s.Make<lnob::foo::FooLogic>(&store, s.page_tokens(), s.clock());
//           LNOB_RETURN_IF_ERROR(s.Serve<lnob::foo::v1::FooServiceAdapter>(&logic));
//           s.SetReadinessProbe([&store] { return store.Healthy(); });
//           return absl::OkStatus();
//         });
//   }
//
// Wiring errors are start-up errors: the process exits with status 2 and the message.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/api/page_token.h"
#include "common/server/config.h"
#include "common/server/runner.h"
#include "common/util/clock.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace lnob::db {
class Pool;
}  // namespace lnob::db

namespace lnob::server {

class ServiceContext {
 public:
  ServiceContext(const ServerConfig& config, ServerRunner& runner, const Clock& clock);
  ~ServiceContext();  // destroys what it owns in reverse order of creation
  ServiceContext(const ServiceContext&) = delete;
  ServiceContext& operator=(const ServiceContext&) = delete;

  const ServerConfig& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  ServerRunner& runner() { return runner_; }
  prometheus::Registry& metrics();
  // The service's connection pool (role from --database_url, search_path "<service>, public"),
  // created on first use.
  db::Pool& pool();
  // True when the pool can run a query now (a readiness probe for a service whose stores
  // all live in its database).
  bool DatabaseAnswers();
  api::PageTokenCodec page_tokens() const { return api::PageTokenCodec(config_.page_token_secret); }

  // Constructs a T that lives as long as the process serves; returns it.
  template <typename T, typename... Args>
  T& Make(Args&&... args) {
    auto holder = std::make_unique<Holder<T>>(std::forward<Args>(args)...);
    T& ref = holder->value;
    owned_.push_back(std::move(holder));
    return ref;
  }
  // Takes ownership of an object built by a factory (NewPg...Store).
  template <typename T>
  T& Own(std::unique_ptr<T> object) {
    T& ref = *object;
    owned_.push_back(std::make_unique<Holder<std::unique_ptr<T>>>(std::move(object)));
    return ref;
  }
  // Registers the generated adapter of one proto service around `logic`.
  template <template <typename> class Adapter, typename Logic>
  absl::Status Serve(Logic* logic) {
    return runner_.Add(&Make<Adapter<Logic>>(logic));
  }

  // false -> every service NOT_SERVING (e.g. the database does not answer).
  void SetReadinessProbe(std::function<bool()> probe) { runner_.SetReadinessProbe(std::move(probe)); }
  // Background work that starts once the server serves, and stops (in reverse order)
  // after it has drained.
  void OnServing(std::function<void()> start, std::function<void()> stop = nullptr);

 private:
  friend int RunService(int, char**, const char*, ServerConfig (*)(),
                        const std::function<absl::Status(ServiceContext&)>&);
  struct HolderBase {
    virtual ~HolderBase() = default;
  };
  template <typename T>
  struct Holder final : HolderBase {
    template <typename... Args>
    explicit Holder(Args&&... args) : value(std::forward<Args>(args)...) {}
    T value;
  };

  const ServerConfig& config_;
  ServerRunner& runner_;
  const Clock& clock_;
  std::unique_ptr<db::Pool> pool_;
  std::vector<std::unique_ptr<HolderBase>> owned_;
  std::vector<std::pair<std::function<void()>, std::function<void()>>> on_serving_;
};

// Parses LNOB_* environment variables and flags (defined in main.cc; config_from_flags is
// the ServerConfigFromFlags that LNOB_SERVER_FLAGS defines), validates, initialises,
// wires, serves until SIGTERM/SIGINT and shuts down. Returns the process exit status.
int RunService(int argc, char** argv, const char* usage, ServerConfig (*config_from_flags)(),
               const std::function<absl::Status(ServiceContext&)>& wire);

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_SERVICE_MAIN_H_
