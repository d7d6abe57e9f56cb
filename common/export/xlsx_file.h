#ifndef LNOB_COMMON_EXPORT_XLSX_FILE_H_
#define LNOB_COMMON_EXPORT_XLSX_FILE_H_

// An XLSX workbook (libxlsxwriter) written to a private temporary file, returned as bytes: the
// exports of reports and simulations.

#include <string>

#include "absl/status/statusor.h"

struct lxw_workbook;
struct lxw_format;

namespace lnob::xlsx {

class WorkbookFile {
 public:
  WorkbookFile();
  WorkbookFile(const WorkbookFile&) = delete;
  WorkbookFile& operator=(const WorkbookFile&) = delete;
  ~WorkbookFile();

  // nullptr when no workbook could be created (check before use).
  lxw_workbook* workbook() { return wb_; }
  // The formats every export uses: a sheet's title, a bold label, a column heading (bold,
  // wrapped, shaded, boxed). Added to the workbook at first use; null without a workbook.
  struct Formats {
    lxw_format* title = nullptr;
    lxw_format* bold = nullptr;
    lxw_format* head = nullptr;
  };
  const Formats& formats();
  // Closes the workbook and returns the file's bytes; the workbook is gone afterwards.
  absl::StatusOr<std::string> Finish();

 private:
  std::string path_;
  int fd_ = -1;
  lxw_workbook* wb_ = nullptr;
  Formats formats_;
};

}  // namespace lnob::xlsx

#endif  // LNOB_COMMON_EXPORT_XLSX_FILE_H_
