#include "common/log/trace.h"

#include <openssl/rand.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include <vector>

namespace lnob {
namespace {

bool IsLowerHex(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  bool nonzero = false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    if (c != '0') nonzero = true;
  }
  return nonzero;
}

}  // namespace

std::string RandomHex(int bytes) {
  unsigned char buf[32];
  RAND_bytes(buf, bytes);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    out.push_back(kHex[buf[i] >> 4]);
    out.push_back(kHex[buf[i] & 15]);
  }
  return out;
}

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string RequestIdOrNew(absl::string_view id) {
  return IsValidRequestId(id) ? std::string(id) : RandomHex(16);
}

bool IsMetadataText(absl::string_view value) {
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string TraceContext::ChildTraceparent() const {
  return "00-" + trace_id + "-" + span_id + "-" + flags;
}

std::optional<TraceContext> ParseTraceparent(absl::string_view header) {
  std::vector<absl::string_view> parts = absl::StrSplit(header, '-');
  if (parts.size() < 4) return std::nullopt;
  if (parts[0].size() != 2 || parts[0] == "ff") return std::nullopt;
  if (parts[0] == "00" && parts.size() != 4) return std::nullopt;
  if (!IsLowerHex(parts[1], 32) || !IsLowerHex(parts[2], 16) || !IsLowerHex(parts[3], 2)) {
    return std::nullopt;
  }
  TraceContext tc;
  tc.trace_id = std::string(parts[1]);
  tc.parent_id = std::string(parts[2]);
  tc.flags = std::string(parts[3]);
  tc.span_id = RandomHex(8);
  return tc;
}

TraceContext ContinueOrStartTrace(absl::string_view header) {
  if (auto tc = ParseTraceparent(header)) return *tc;
  TraceContext tc;
  tc.trace_id = RandomHex(16);
  tc.span_id = RandomHex(8);
  return tc;
}

}  // namespace lnob
