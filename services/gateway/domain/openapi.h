#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_OPENAPI_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_OPENAPI_H_

// OpenAPI 3 document of the REST routes, generated from the same descriptors and HTTP rules
// the gateway routes by: paths, parameters, request/response schemas, the bearer security
// scheme and the error model.

#include <string>

#include "services/gateway/domain/routes.h"

namespace lnob::gateway {

std::string OpenApiJson(const RouteTable& routes, const std::string& title, const std::string& version);

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_OPENAPI_H_
