#ifndef LNOB_COMMON_UTIL_ZIP_H_
#define LNOB_COMMON_UTIL_ZIP_H_

// A ZIP archive of a few files, written in memory with the files stored (not compressed):
// what a dossier export hands to people who open it with the tools on their desk. Names are
// UTF-8 (general purpose flag bit 11); no ZIP64, so the archive stays under 4 GiB.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace lnob {

// CRC-32 (IEEE 802.3, as ZIP and PNG use).
uint32_t Crc32(absl::string_view data);

class ZipWriter {
 public:
  // `modified` is written as the files' DOS date and time (UTC).
  explicit ZipWriter(absl::Time modified) : modified_(modified) {}
  void Add(const std::string& name, std::string content);
  // The archive; the writer is spent afterwards.
  std::string Finish();

 private:
  struct Entry {
    std::string name;
    uint32_t crc = 0;
    uint32_t size = 0;
    uint32_t offset = 0;
  };
  absl::Time modified_;
  std::string out_;
  std::vector<Entry> entries_;
};

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_ZIP_H_
