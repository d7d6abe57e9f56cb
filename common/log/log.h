#ifndef LNOB_COMMON_LOG_LOG_H_
#define LNOB_COMMON_LOG_LOG_H_

// One JSON object per line on stdout. Callers pass only operational fields: never names,
// citizen IDs, birth dates or request bodies.

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace lnob::log {

enum class Severity { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void Init(absl::string_view service, Severity min_severity = Severity::kInfo);
bool ParseSeverity(absl::string_view text, Severity* out);

using Fields = std::initializer_list<std::pair<absl::string_view, std::string>>;

void Write(Severity severity, absl::string_view message, Fields fields = {});
inline void Info(absl::string_view m, Fields f = {}) { Write(Severity::kInfo, m, f); }
inline void Warn(absl::string_view m, Fields f = {}) { Write(Severity::kWarning, m, f); }
inline void Error(absl::string_view m, Fields f = {}) { Write(Severity::kError, m, f); }

// Request and trace ids of the call this thread serves; added to every line.
class ScopedCallIds {
 public:
  ScopedCallIds(std::string request_id, std::string trace_id);
  ~ScopedCallIds();

 private:
  std::string prev_request_id_;
  std::string prev_trace_id_;
};

// Renders one line (exposed for tests).
std::string Format(absl::string_view timestamp, Severity severity, absl::string_view service,
                   absl::string_view message, absl::string_view request_id,
                   absl::string_view trace_id, Fields fields);

void AppendJsonString(std::string* out, absl::string_view s);

}  // namespace lnob::log

#endif  // LNOB_COMMON_LOG_LOG_H_
