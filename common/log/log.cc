#include "common/log/log.h"

#include <cstdio>
#include <mutex>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/util/date.h"

namespace lnob::log {
namespace {

std::string& ServiceName() {
  static std::string* s = new std::string("lnob");
  return *s;
}
Severity g_min = Severity::kInfo;
thread_local std::string t_request_id;
thread_local std::string t_trace_id;

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kDebug: return "DEBUG";
    case Severity::kInfo: return "INFO";
    case Severity::kWarning: return "WARNING";
    case Severity::kError: return "ERROR";
  }
  return "INFO";
}

}  // namespace

void Init(absl::string_view service, Severity min_severity) {
  ServiceName() = std::string(service);
  g_min = min_severity;
}

bool ParseSeverity(absl::string_view text, Severity* out) {
  if (text == "debug") *out = Severity::kDebug;
  else if (text == "info") *out = Severity::kInfo;
  else if (text == "warning") *out = Severity::kWarning;
  else if (text == "error") *out = Severity::kError;
  else return false;
  return true;
}

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append(absl::StrFormat("\\u%04x", c));
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string Format(absl::string_view timestamp, Severity severity, absl::string_view service,
                   absl::string_view message, absl::string_view request_id,
                   absl::string_view trace_id, Fields fields) {
  std::string line = "{\"timestamp\":";
  AppendJsonString(&line, timestamp);
  line += ",\"severity\":";
  AppendJsonString(&line, SeverityName(severity));
  line += ",\"service\":";
  AppendJsonString(&line, service);
  line += ",\"message\":";
  AppendJsonString(&line, message);
  if (!request_id.empty()) {
    line += ",\"request_id\":";
    AppendJsonString(&line, request_id);
  }
  if (!trace_id.empty()) {
    line += ",\"trace_id\":";
    AppendJsonString(&line, trace_id);
  }
  for (const auto& [k, v] : fields) {
    line.push_back(',');
    AppendJsonString(&line, k);
    line.push_back(':');
    AppendJsonString(&line, v);
  }
  line += "}\n";
  return line;
}

void Write(Severity severity, absl::string_view message, Fields fields) {
  if (severity < g_min) return;
  std::string line = Format(FormatTimestamp(absl::Now()), severity, ServiceName(), message,
                            t_request_id, t_trace_id, fields);
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

ScopedCallIds::ScopedCallIds(std::string request_id, std::string trace_id)
    : prev_request_id_(std::move(t_request_id)), prev_trace_id_(std::move(t_trace_id)) {
  t_request_id = std::move(request_id);
  t_trace_id = std::move(trace_id);
}

ScopedCallIds::~ScopedCallIds() {
  t_request_id = std::move(prev_request_id_);
  t_trace_id = std::move(prev_trace_id_);
}

}  // namespace lnob::log
