#ifndef LNOB_COMMON_LOG_TRACE_H_
#define LNOB_COMMON_LOG_TRACE_H_

// W3C Trace Context (traceparent) without an OpenTelemetry dependency.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace lnob {

struct TraceContext {
  std::string trace_id;   // 32 lower-case hex digits, not all zero
  std::string parent_id;  // 16 hex digits: the caller's span
  std::string span_id;    // 16 hex digits: this process's span for the call
  std::string flags = "01";

  // Header to send downstream: same trace, this span as parent.
  std::string ChildTraceparent() const;
};

// Parses a traceparent header; nullopt when absent or malformed (a new trace is then started).
std::optional<TraceContext> ParseTraceparent(absl::string_view header);
// Continues the incoming trace or starts a new one.
TraceContext ContinueOrStartTrace(absl::string_view header);
std::string RandomHex(int bytes);

// A caller's x-request-id is kept only when it is 1-128 of [A-Za-z0-9._:-]; otherwise a new
// one is generated (RequestIdOrNew). Anything else could not be forwarded as metadata.
bool IsValidRequestId(absl::string_view id);
std::string RequestIdOrNew(absl::string_view id);
// Printable ASCII (0x20-0x7E): what a text gRPC metadata value may hold.
bool IsMetadataText(absl::string_view value);

}  // namespace lnob

#endif  // LNOB_COMMON_LOG_TRACE_H_
