#ifndef LNOB_TESTS_SUPPORT_DATES_H_
#define LNOB_TESTS_SUPPORT_DATES_H_

#include "common/api/proto_date.h"

namespace lnob::testing {

inline google::type::Date Day(int y, int m, int d) { return api::ToProtoDate(absl::CivilDay(y, m, d)); }

}  // namespace lnob::testing

#endif  // LNOB_TESTS_SUPPORT_DATES_H_
