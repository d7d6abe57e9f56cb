#include "common/util/sha256.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace lnob {

std::string Sha256Hex(absl::string_view data) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(d), sizeof d));
}

}  // namespace lnob
