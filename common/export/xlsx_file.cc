#include "common/export/xlsx_file.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "xlsxwriter.h"

namespace lnob::xlsx {

WorkbookFile::WorkbookFile() {
  const char* dir = std::getenv("TMPDIR");
  path_ = absl::StrCat(dir != nullptr && *dir ? dir : "/tmp", "/lnob-export-XXXXXX");
  fd_ = mkstemp(path_.data());
  if (fd_ >= 0) wb_ = workbook_new(path_.c_str());
}

WorkbookFile::~WorkbookFile() {
  if (wb_ != nullptr) (void)workbook_close(wb_);
  if (fd_ >= 0) {
    close(fd_);
    unlink(path_.c_str());
  }
}

const WorkbookFile::Formats& WorkbookFile::formats() {
  if (wb_ == nullptr || formats_.title != nullptr) return formats_;
  formats_.title = workbook_add_format(wb_);
  format_set_bold(formats_.title);
  format_set_font_size(formats_.title, 14);
  formats_.bold = workbook_add_format(wb_);
  format_set_bold(formats_.bold);
  formats_.head = workbook_add_format(wb_);
  format_set_bold(formats_.head);
  format_set_text_wrap(formats_.head);
  format_set_bg_color(formats_.head, 0xDDEBF7);
  format_set_border(formats_.head, LXW_BORDER_THIN);
  return formats_;
}

absl::StatusOr<std::string> WorkbookFile::Finish() {
  if (wb_ == nullptr) return absl::InternalError("the workbook could not be created");
  lxw_error err = workbook_close(wb_);
  wb_ = nullptr;
  if (err != LXW_NO_ERROR) return absl::InternalError(absl::StrCat("the workbook could not be written: ", lxw_strerror(err)));
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) return absl::InternalError("the workbook could not be read back");
  return bytes.str();
}

}  // namespace lnob::xlsx
