#include "common/db/copy.h"

#include "pqxx/tablewriter"

namespace lnob::db {

// libpqxx 6 keeps raw lines private in stream_to; tablewriter exposes them and is only
// deprecated in favour of stream_to.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct CopyWriter::Impl {
  Impl(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns)
      : w(tx, table, columns.begin(), columns.end()) {}
  pqxx::tablewriter w;
};

CopyWriter::CopyWriter(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns)
    : impl_(std::make_unique<Impl>(tx, table, columns)) {}
CopyWriter::~CopyWriter() = default;
void CopyWriter::WriteLine(const std::string& line) { impl_->w.write_raw_line(line); }
void CopyWriter::Complete() { impl_->w.complete(); }
#pragma GCC diagnostic pop

void CopyField(std::string* line, absl::string_view v, bool null) {
  if (!line->empty()) line->push_back('\t');
  if (null) {
    line->append("\\N");
    return;
  }
  for (char c : v) {
    switch (c) {
      case '\\': line->append("\\\\"); break;
      case '\t': line->append("\\t"); break;
      case '\n': line->append("\\n"); break;
      case '\r': line->append("\\r"); break;
      default: line->push_back(c);
    }
  }
}

}  // namespace lnob::db
