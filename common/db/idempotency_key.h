#ifndef LNOB_COMMON_DB_IDEMPOTENCY_KEY_H_
#define LNOB_COMMON_DB_IDEMPOTENCY_KEY_H_

#include <string>

namespace lnob::db {

// What a create call is keyed by (see idempotency.h); empty request_id = not idempotent.
struct IdempotencyKey {
  std::string request_id;
  std::string method;
  std::string request_hash;
  std::string subject;  // the caller: a request_id is bound to who used it first
};

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_IDEMPOTENCY_KEY_H_
