#ifndef LNOB_SERVICES_REGISTRY_STORE_PG_AUDIT_CHAIN_H_
#define LNOB_SERVICES_REGISTRY_STORE_PG_AUDIT_CHAIN_H_

// Verification of the personal-data audit's hash chain (migrations/006_audit_chain.sql),
// recomputed here rather than trusted to the database that holds it: `lnobctl audit verify`.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace lnob::db {
class Pool;
}

namespace lnob::registry {

struct AuditChainReport {
  int64_t rows = 0;        // rows verified
  int64_t head_seq = 0;    // the last row's chain_seq and hash: record them to prove later
  std::string head_hash;   // that nothing up to here was rewritten (--expect_head)
  std::string problem;     // empty when the chain holds; else the first problem, naming its row
};

// expect_head: "" or "SEQ:HASH" printed by an earlier verify, which must still be in the chain.
absl::StatusOr<AuditChainReport> VerifyPiiAuditChain(db::Pool* pool, const std::string& expect_head = "");

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_STORE_PG_AUDIT_CHAIN_H_
