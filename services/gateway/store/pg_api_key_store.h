#ifndef LNOB_SERVICES_GATEWAY_STORE_PG_API_KEY_STORE_H_
#define LNOB_SERVICES_GATEWAY_STORE_PG_API_KEY_STORE_H_

#include <memory>

#include "services/gateway/store/api_key_store.h"

namespace lnob::db {
class Pool;
}

namespace lnob::gateway {

// PostgreSQL implementation over the gateway role's pool (schema "gateway").
std::unique_ptr<ApiKeyStore> NewPgApiKeyStore(db::Pool* pool);

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_STORE_PG_API_KEY_STORE_H_
