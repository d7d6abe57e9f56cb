#ifndef LNOB_COMMON_API_RESOURCE_NAME_H_
#define LNOB_COMMON_API_RESOURCE_NAME_H_

// Resource names ("collection/{id}") as every service parses and reports them.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lnob::api {

// The last path segment of a resource name ("households/{h}/reviews/{r}" -> r).
std::string IdOf(absl::string_view name);

// NOT_FOUND (reason NOT_FOUND) for `name`: what a caller sees both for a resource that does
// not exist and for one outside its area scope, so that existence is not disclosed.
absl::Status NotFound(absl::string_view name);

// "collection/{positive integer}" -> the id; otherwise INVALID_ARGUMENT naming `field`.
absl::StatusOr<int64_t> ParseIntId(absl::string_view name, absl::string_view collection,
                                   absl::string_view field);
// "collection/{uuid}" -> the uuid; otherwise INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ParseUuidId(absl::string_view name, absl::string_view collection,
                                        absl::string_view field);

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_RESOURCE_NAME_H_
