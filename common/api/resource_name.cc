#include "common/api/resource_name.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"
#include "common/util/uuid.h"

namespace lnob::api {

std::string IdOf(absl::string_view name) {
  const auto pos = name.rfind('/');
  return std::string(pos == absl::string_view::npos ? name : name.substr(pos + 1));
}

absl::Status NotFound(absl::string_view name) {
  return WithReason(absl::NotFoundError(absl::StrCat(name, " not found")), "NOT_FOUND");
}

absl::StatusOr<int64_t> ParseIntId(absl::string_view name, absl::string_view collection,
                                   absl::string_view field) {
  absl::string_view id = name;
  int64_t v = 0;
  if (!absl::ConsumePrefix(&id, collection) || !absl::ConsumePrefix(&id, "/") || !absl::SimpleAtoi(id, &v) ||
      v <= 0) {
    return InvalidField(field, absl::StrCat("must be ", collection, "/{id}"));
  }
  return v;
}

absl::StatusOr<std::string> ParseUuidId(absl::string_view name, absl::string_view collection,
                                        absl::string_view field) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, collection) || !absl::ConsumePrefix(&id, "/") || !IsUuid(id)) {
    return InvalidField(field, absl::StrCat("must be ", collection, "/{uuid}"));
  }
  return std::string(id);
}

}  // namespace lnob::api
