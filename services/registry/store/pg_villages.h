#ifndef LNOB_SERVICES_REGISTRY_STORE_PG_VILLAGES_H_
#define LNOB_SERVICES_REGISTRY_STORE_PG_VILLAGES_H_

// The village register in PostgreSQL, for pg_reference_store.cc (which delegates to these).

#include <string>
#include <vector>

#include "common/api/proto_date.h"
#include "common/db/pool.h"
#include "services/registry/store/reference_store.h"

namespace lnob::registry::pg {

// "YYYY-MM-DD", or "" for an unset date (NULLIF'd to NULL in SQL).
using api::ProtoDateText;

absl::StatusOr<v1::Village> CreateVillage(db::Pool* pool, const v1::Village& v, const std::string& actor,
                                          const IdempotencyKey& key);
absl::StatusOr<std::vector<v1::Village>> ListVillages(db::Pool* pool, const VillageQuery& q);
absl::StatusOr<v1::Village> GetVillage(db::Pool* pool, const std::string& id);
absl::StatusOr<v1::Village> SucceedVillages(db::Pool* pool, const std::vector<std::string>& old_ids,
                                            const v1::Village& created, const std::string& kind,
                                            const std::string& etag, const std::string& actor);

}  // namespace lnob::registry::pg

#endif  // LNOB_SERVICES_REGISTRY_STORE_PG_VILLAGES_H_
