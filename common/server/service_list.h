#ifndef LNOB_COMMON_SERVER_SERVICE_LIST_H_
#define LNOB_COMMON_SERVER_SERVICE_LIST_H_

// The processes of lnob as services/services.list declares them, compiled in (the build
// generates the definitions from the list; link lnob_service_list).

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/util/embedded.h"

namespace lnob::services {

struct ServiceInfo {
  std::string name;  // also its schema, its proto package lnob.<name>.v1 and its roles' prefix
  std::string kind;  // "service" or "gateway"
  int grpc_port = 0;
  int metrics_port = 0;
  std::vector<std::string> peers;  // services it calls
};

const std::vector<ServiceInfo>& All();
const ServiceInfo* Find(absl::string_view name);
// The embedded migrations of the named service's schema; nullptr for an unknown name.
const std::vector<EmbeddedFile>* MigrationsOf(absl::string_view name);

}  // namespace lnob::services

#endif  // LNOB_COMMON_SERVER_SERVICE_LIST_H_
