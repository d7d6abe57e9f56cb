#ifndef LNOB_COMMON_API_IMPORT_STREAM_H_
#define LNOB_COMMON_API_IMPORT_STREAM_H_

// The pieces of every streaming import (registry households, funding support lines, ...):
//   ImportHeader  the first message carries a UUID import_id, later ones none or the same;
//   ImportReport  the response's counters and its capped list of row errors;
//   BatchWriter   batches committed one at a time on a worker thread while the caller reads
//                 and checks the next one (the database and this process work at once).
// An import commits per batch and reports every refused row; the same import_id resumes it.

#include <cstdint>
#include <functional>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/util/uuid.h"

namespace lnob::api {

struct RowError {
  int64_t row_number = 0;
  std::string field;
  std::string message;
};

// What committing one batch did.
struct BatchOutcome {
  int64_t committed = 0;
  int64_t already_done = 0;  // rows an earlier run of the same import committed
  std::vector<RowError> errors;
};

class ImportHeader {
 public:
  // INVALID_ARGUMENT (field import_id) when the first message has no UUID or a later one
  // carries another id.
  absl::Status Accept(const std::string& import_id) {
    if (id_.empty()) {
      if (!IsUuid(import_id)) return InvalidField("import_id", "the first message must carry a UUID import_id");
      id_ = import_id;
    } else if (!import_id.empty() && import_id != id_) {
      return InvalidField("import_id", "must stay the same for the whole stream");
    }
    return absl::OkStatus();
  }
  // At the end of the stream: INVALID_ARGUMENT when no message came at all.
  absl::Status Finish() const {
    return id_.empty() ? InvalidField("import_id", "the stream carried no message") : absl::OkStatus();
  }
  const std::string& id() const { return id_; }

 private:
  std::string id_;
};

// Resp: an Import*Response with rows_received, rows_committed, rows_already_done,
// rows_failed and errors {row_number, field, message}.
template <typename Resp>
class ImportReport {
 public:
  ImportReport(Resp* out, int max_errors) : out_(out), max_errors_(max_errors) {}

  void Received() { out_->set_rows_received(out_->rows_received() + 1); }
  void AlreadyDone(int64_t n = 1) { out_->set_rows_already_done(out_->rows_already_done() + n); }
  void Failed(int64_t row, std::string field, std::string message) {
    out_->set_rows_failed(out_->rows_failed() + 1);
    if (out_->errors_size() < max_errors_) {
      auto* e = out_->add_errors();
      e->set_row_number(row);
      e->set_field(std::move(field));
      e->set_message(std::move(message));
    }
  }
  // A row refused by validation: its first field violation, or the whole message under
  // `default_field`.
  void Failed(int64_t row, const absl::Status& st, const std::string& default_field) {
    auto v = GetFieldViolations(st);
    Failed(row, v.empty() ? default_field : v[0].field, v.empty() ? std::string(st.message()) : v[0].description);
  }
  void Add(const BatchOutcome& b) {
    out_->set_rows_committed(out_->rows_committed() + b.committed);
    AlreadyDone(b.already_done);
    for (const auto& e : b.errors) Failed(e.row_number, e.field, e.message);
  }

 private:
  Resp* out_;
  int max_errors_;
};

template <typename Row>
class BatchWriter {
 public:
  using Write = std::function<absl::StatusOr<BatchOutcome>(std::vector<Row>)>;
  using Settle = std::function<void(const BatchOutcome&)>;
  // write runs on a worker thread, one batch at a time, in order; settle reports each
  // outcome on the caller's thread.
  BatchWriter(Write write, Settle settle) : write_(std::move(write)), settle_(std::move(settle)) {}
  // Whatever happened, no write is left running.
  ~BatchWriter() {
    if (in_flight_.valid()) in_flight_.wait();
  }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Waits for (and reports) the write in flight, then starts writing `rows`. Batches still
  // commit one after the other, so each sees the ones before it.
  absl::Status Submit(std::vector<Row> rows) {
    if (auto st = Drain(); !st.ok()) return st;
    if (rows.empty()) return absl::OkStatus();
    in_flight_ = std::async(std::launch::async, [this, rows = std::move(rows)]() mutable {
      return write_(std::move(rows));
    });
    return absl::OkStatus();
  }
  // Waits for (and reports) the write in flight.
  absl::Status Drain() {
    if (!in_flight_.valid()) return absl::OkStatus();
    auto outcome = in_flight_.get();
    if (!outcome.ok()) return outcome.status();
    settle_(*outcome);
    return absl::OkStatus();
  }

 private:
  Write write_;
  Settle settle_;
  std::future<absl::StatusOr<BatchOutcome>> in_flight_;
};

}  // namespace lnob::api

#endif  // LNOB_COMMON_API_IMPORT_STREAM_H_
