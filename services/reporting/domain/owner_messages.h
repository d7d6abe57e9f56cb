#ifndef LNOB_SERVICES_REPORTING_DOMAIN_OWNER_MESSAGES_H_
#define LNOB_SERVICES_REPORTING_DOMAIN_OWNER_MESSAGES_H_

// The owners' statistics requests and answers, handled through their compiled-in descriptors:
// a request built from an indicator's parameters and the report's period, unit and geography;
// the selected field of an answer; values compared and summed as JSON of their proto type.

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/type/date.pb.h"
#include "lnob/common/v1/period.pb.h"

namespace lnob::reporting::internal {

// The request of `method`: the definition's parameters, then the report's period (a `period`
// field, else `year` for a year), unit (`unit_code`) and geography (`as_of`) where the request
// has such fields; `by_child_unit` is dropped for a unit without children.
absl::StatusOr<std::string> BuildRequest(const std::string& method, const std::string& params_json,
                                         const common::v1::Period& period, const std::string& unit_code,
                                         const google::type::Date& geography, bool unit_has_children);

// The field at `path` (dot-separated proto names) of a JSON answer, as JSON; null when absent.
std::string Select(const std::string& answer_json, const std::string& path);

// The descriptor of the field at `path` in `method`'s answer (nullptr when there is none).
const google::protobuf::FieldDescriptor* SelectedField(const std::string& method, const std::string& path);

// Two JSON texts with the same value (jsonb and the owner's printing differ in spacing).
bool SameJson(const std::string& a, const std::string& b);

// Whether an indicator applies to a report of `year` (its first and last years, 0: open).
inline bool IndicatorApplies(int first_year, int last_year, int year) {
  return (first_year == 0 || year >= first_year) && (last_year == 0 || year <= last_year);
}

// field -> (numerator, denominator, factor)
using Ratios = std::map<std::string, std::tuple<std::string, std::string, double>>;

// The sum of child units' values of one indicator (JSON of `field`'s type). Quantities (int64
// fields) add up by row; every other field is part of the row's key, except the ratios, which
// are recomputed from the summed row. With `relabel_unit`, each row's unit_code becomes the
// child's code (a parent's rows by child unit). FAILED_PRECONDITION naming the field when a
// value cannot be summed (a ratio without its rule).
absl::StatusOr<std::string> SumValues(const google::protobuf::FieldDescriptor* field,
                                      const std::vector<std::pair<std::string, std::string>>& child_values,
                                      bool relabel_unit, const Ratios& ratios);

}  // namespace lnob::reporting::internal

#endif  // LNOB_SERVICES_REPORTING_DOMAIN_OWNER_MESSAGES_H_
