#include "common/status/status.h"

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"

namespace lnob {
namespace {

void AddViolations(absl::Status& status, const std::vector<FieldViolation>& items) {
  google::rpc::BadRequest br;
  if (auto existing = status.GetPayload(kBadRequestTypeUrl)) {
    br.ParseFromString(std::string(*existing));
  }
  for (const auto& v : items) {
    auto* fv = br.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(br.SerializeAsString()));
}

}  // namespace

absl::Status Violations::Status() const {
  if (items_.empty()) return absl::OkStatus();
  std::string msg = items_.size() == 1 ? items_[0].field + ": " + items_[0].description
                                       : items_[0].field + ": " + items_[0].description +
                                             " (and " + std::to_string(items_.size() - 1) +
                                             " more)";
  absl::Status s = absl::InvalidArgumentError(msg);
  AddViolations(s, items_);
  return WithReason(std::move(s), "INVALID_FIELD");
}

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  Violations v;
  v.Add(std::string(field), std::string(description));
  return v.Status();
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::vector<FieldViolation> GetFieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> out;
  if (auto p = status.GetPayload(kBadRequestTypeUrl)) {
    google::rpc::BadRequest br;
    if (br.ParseFromString(std::string(*p))) {
      for (const auto& fv : br.field_violations()) out.push_back({fv.field(), fv.description()});
    }
  }
  return out;
}

std::optional<std::string> GetReason(const absl::Status& status) {
  if (auto p = status.GetPayload(kErrorInfoTypeUrl)) {
    google::rpc::ErrorInfo info;
    if (info.ParseFromString(std::string(*p))) return info.reason();
  }
  return std::nullopt;
}

const char* CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return "OK";
    case absl::StatusCode::kCancelled: return "Canceled";
    case absl::StatusCode::kUnknown: return "Unknown";
    case absl::StatusCode::kInvalidArgument: return "InvalidArgument";
    case absl::StatusCode::kDeadlineExceeded: return "DeadlineExceeded";
    case absl::StatusCode::kNotFound: return "NotFound";
    case absl::StatusCode::kAlreadyExists: return "AlreadyExists";
    case absl::StatusCode::kPermissionDenied: return "PermissionDenied";
    case absl::StatusCode::kResourceExhausted: return "ResourceExhausted";
    case absl::StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case absl::StatusCode::kAborted: return "Aborted";
    case absl::StatusCode::kOutOfRange: return "OutOfRange";
    case absl::StatusCode::kUnimplemented: return "Unimplemented";
    case absl::StatusCode::kInternal: return "Internal";
    case absl::StatusCode::kUnavailable: return "Unavailable";
    case absl::StatusCode::kDataLoss: return "DataLoss";
    case absl::StatusCode::kUnauthenticated: return "Unauthenticated";
    default: return "Unknown";
  }
}

int HttpStatusForCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kUnknown: return 500;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kFailedPrecondition: return 400;
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kInternal: return 500;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDataLoss: return 500;
    case absl::StatusCode::kUnauthenticated: return 401;
    default: return 500;
  }
}

}  // namespace lnob
