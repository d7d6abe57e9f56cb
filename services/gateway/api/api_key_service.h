#ifndef LNOB_SERVICES_GATEWAY_API_API_KEY_SERVICE_H_
#define LNOB_SERVICES_GATEWAY_API_API_KEY_SERVICE_H_

// Thin gRPC adapter of the gateway's own admin API: each method is one Serve() call into
// ApiKeyLogic.

#include "lnob/gateway/v1/api_keys.grpc.pb.h"
#include "services/gateway/domain/api_key_logic.h"

namespace lnob::gateway {

class ApiKeyService final : public v1::ApiKeyService::Service {
 public:
  explicit ApiKeyService(ApiKeyLogic* logic) : logic_(logic) {}

#define LNOB_GATEWAY_RPC(Method, Req, Resp) \
  grpc::Status Method(grpc::ServerContext* ctx, const v1::Req* req, v1::Resp* resp) override;
  LNOB_GATEWAY_RPC(CreateApiKey, CreateApiKeyRequest, CreateApiKeyResponse)
  LNOB_GATEWAY_RPC(ListApiKeys, ListApiKeysRequest, ListApiKeysResponse)
  LNOB_GATEWAY_RPC(GetApiKey, GetApiKeyRequest, ApiKey)
  LNOB_GATEWAY_RPC(RevokeApiKey, RevokeApiKeyRequest, ApiKey)
#undef LNOB_GATEWAY_RPC

 private:
  ApiKeyLogic* logic_;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_API_API_KEY_SERVICE_H_
