#include "services/registry/store/pg_audit_chain.h"

#include <openssl/sha.h>

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"

namespace lnob::registry {
namespace {

std::string Sha256Hex(const std::string& text) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(d), sizeof d));
}

constexpr int kPage = 10000;

}  // namespace

absl::StatusOr<AuditChainReport> VerifyPiiAuditChain(db::Pool* pool, const std::string& expect_head) {
  int64_t expect_seq = 0;
  std::string expect_hash;
  if (!expect_head.empty()) {
    std::pair<std::string, std::string> parts = absl::StrSplit(expect_head, absl::MaxSplits(':', 1));
    if (!absl::SimpleAtoi(parts.first, &expect_seq) || expect_seq < 1 || parts.second.size() != 64) {
      return InvalidField("expect_head", "must be SEQ:HASH as printed by an earlier verify");
    }
    expect_hash = parts.second;
  }
  AuditChainReport report;
  std::string prev;  // the previous row's hash
  bool expected_seen = expect_seq == 0;
  while (report.problem.empty()) {
    struct Row {
      int64_t id, seq;
      std::string at, actor, method, request_id, ids, prev_hash, row_hash, purpose;
      std::optional<std::string> categories;  // NULL in rows written before migration 008
    };
    std::vector<Row> page;
    LNOB_RETURN_IF_ERROR(pool->Read([&](pqxx::transaction_base& tx) -> absl::Status {
      page.clear();
      // The text of every field exactly as the chain hashes it (pii_audit_chain_text).
      auto r = tx.exec_params(
          "SELECT id, chain_seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor, method,"
          " request_id, household_ids::text, prev_hash, row_hash, purpose, categories FROM pii_audit"
          " WHERE chain_seq > $1 ORDER BY chain_seq LIMIT $2",
          report.head_seq, kPage);
      for (const auto& row : r) {
        page.push_back({row[0].as<int64_t>(), row[1].as<int64_t>(), db::Str(row[2]), db::Str(row[3]), db::Str(row[4]),
                        db::Str(row[5]), db::Str(row[6]), db::Str(row[7]), db::Str(row[8]), db::Str(row[9]),
                        row[10].is_null() ? std::nullopt : std::optional<std::string>(db::Str(row[10]))});
      }
      return absl::OkStatus();
    }));
    if (page.empty()) break;
    for (const Row& r : page) {
      const int64_t want_seq = report.head_seq + 1;
      if (r.seq != want_seq) {
        report.problem = absl::StrCat("rows are missing before pii_audit id ", r.id, " (chain_seq ", r.seq,
                                      ", expected ", want_seq, ")");
        break;
      }
      if (r.prev_hash != prev) {
        report.problem = absl::StrCat("the chain is broken at pii_audit id ", r.id, " (chain_seq ", r.seq,
                                      "): its prev_hash is not the previous row's hash");
        break;
      }
      std::string text = absl::StrJoin({r.prev_hash, absl::StrCat(r.seq), r.at, r.actor, r.method, r.request_id,
                                        r.ids, r.purpose}, "|");
      if (r.categories) absl::StrAppend(&text, "|", *r.categories);  // concat_ws skips a NULL
      if (Sha256Hex(text) != r.row_hash) {
        report.problem = absl::StrCat("pii_audit id ", r.id, " (chain_seq ", r.seq, ") was altered: its content does",
                                      " not match its hash");
        break;
      }
      if (r.seq == expect_seq) {
        expected_seen = true;
        if (r.row_hash != expect_hash) {
          report.problem = absl::StrCat("the recorded head ", expect_head, " is not in the chain: chain_seq ", r.seq,
                                        " now has hash ", r.row_hash, " (rewritten since)");
          break;
        }
      }
      prev = r.row_hash;
      report.head_seq = r.seq;
      report.head_hash = r.row_hash;
      ++report.rows;
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  if (report.problem.empty() && !expected_seen) {
    report.problem = absl::StrCat("the recorded head ", expect_head, " is beyond the chain's end (chain_seq ",
                                  report.head_seq, "): rows were removed");
  }
  return report;
}

}  // namespace lnob::registry
