#ifndef LNOB_SERVICES_REPORTING_EXPORT_REPORT_EXPORT_H_
#define LNOB_SERVICES_REPORTING_EXPORT_REPORT_EXPORT_H_

// A stored report as the files officials send: CSV (one line per cell, with its source) and
// XLSX (an overview sheet, one sheet per section with Vietnamese headings and units' names,
// native charts from the definition). Both read the snapshot only, so a locked report exports
// to the same values whatever the owners' data and the geography have become since.

#include <string>

#include "absl/status/statusor.h"
#include "lnob/reporting/v1/reporting.pb.h"

namespace lnob::reporting {

// One line per value: section, indicator, row, field, value, and the cell's source (owner,
// statistic, parameters, cursor, read time).
absl::StatusOr<std::string> ReportCsv(const v1::Report& report, const v1::ReportDefinition& definition);

absl::StatusOr<std::string> ReportXlsx(const v1::Report& report, const v1::ReportDefinition& definition);

// A file name for the report: "<code>-<period>-<unit>-r<revision>.<ext>".
std::string ReportFileName(const v1::Report& report, const std::string& extension);

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_EXPORT_REPORT_EXPORT_H_
