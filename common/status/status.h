#ifndef LNOB_COMMON_STATUS_STATUS_H_
#define LNOB_COMMON_STATUS_STATUS_H_

// Error construction shared by all layers. Details travel as absl::Status payloads holding
// serialized google.rpc messages, so domain code stays free of gRPC and the adapter turns
// them into grpc-status-details-bin (see grpc_status.h).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace lnob {

inline constexpr char kBadRequestTypeUrl[] = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr char kErrorInfoTypeUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kErrorDomain[] = "lnob.gov.vn";

struct FieldViolation {
  std::string field;
  std::string description;
};

// Collects field violations; Status() is OK when none were added.
class Violations {
 public:
  void Add(std::string field, std::string description) {
    items_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return items_.empty(); }
  const std::vector<FieldViolation>& items() const { return items_; }
  absl::Status Status() const;

 private:
  std::vector<FieldViolation> items_;
};

// INVALID_ARGUMENT naming one field (BadRequest detail + ErrorInfo reason INVALID_FIELD).
absl::Status InvalidField(absl::string_view field, absl::string_view description);

// Attaches google.rpc.ErrorInfo{reason, domain} so clients can branch on a stable reason.
absl::Status WithReason(absl::Status status, absl::string_view reason);

std::vector<FieldViolation> GetFieldViolations(const absl::Status& status);
std::optional<std::string> GetReason(const absl::Status& status);

// Go-style code names used in metrics and JSON errors: "OK", "NotFound", ...
const char* CodeName(absl::StatusCode code);

// The one HTTP status per code (google.rpc.Code mapping, as in Google's API design guide).
int HttpStatusForCode(absl::StatusCode code);

}  // namespace lnob

#define LNOB_RETURN_IF_ERROR(expr)            \
  do {                                        \
    absl::Status lnob_status_ = (expr);       \
    if (!lnob_status_.ok()) return lnob_status_; \
  } while (0)

#define LNOB_CONCAT_INNER_(a, b) a##b
#define LNOB_CONCAT_(a, b) LNOB_CONCAT_INNER_(a, b)
#define LNOB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(*tmp)
#define LNOB_ASSIGN_OR_RETURN(lhs, expr) \
  LNOB_ASSIGN_OR_RETURN_IMPL_(LNOB_CONCAT_(lnob_sor_, __LINE__), lhs, expr)

#endif  // LNOB_COMMON_STATUS_STATUS_H_
