#include "services/gateway/api/api_key_service.h"

#include "common/server/handler.h"

namespace lnob::gateway {

#define LNOB_GATEWAY_RPC(Method, Req, Resp)                                                       \
  grpc::Status ApiKeyService::Method(grpc::ServerContext* ctx, const v1::Req* req, v1::Resp* resp) { \
    return server::Serve(ctx, [&](const server::Call& call) {                                     \
      return logic_->Method(call.principal, *req, resp);                                          \
    });                                                                                           \
  }
LNOB_GATEWAY_RPC(CreateApiKey, CreateApiKeyRequest, CreateApiKeyResponse)
LNOB_GATEWAY_RPC(ListApiKeys, ListApiKeysRequest, ListApiKeysResponse)
LNOB_GATEWAY_RPC(GetApiKey, GetApiKeyRequest, ApiKey)
LNOB_GATEWAY_RPC(RevokeApiKey, RevokeApiKeyRequest, ApiKey)
#undef LNOB_GATEWAY_RPC

}  // namespace lnob::gateway
