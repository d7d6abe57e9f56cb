#ifndef LNOB_COMMON_DB_COPY_H_
#define LNOB_COMMON_DB_COPY_H_

// COPY FROM STDIN with lines the caller builds (bulk imports). Included only by stores.

#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/string_view.h"

namespace lnob::db {

// One COPY at a time per transaction; complete() before the next statement.
class CopyWriter {
 public:
  CopyWriter(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns);
  ~CopyWriter();
  void WriteLine(const std::string& line);
  void Complete();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends one field in COPY text format (\N for NULL; \\, \t, \n, \r escaped), tab-separated.
void CopyField(std::string* line, absl::string_view v, bool null = false);
// Empty string -> NULL.
inline void CopyOpt(std::string* line, const std::string& v) { CopyField(line, v, v.empty()); }
inline const char* CopyBool(bool b) { return b ? "t" : "f"; }

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_COPY_H_
