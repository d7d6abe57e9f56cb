// The support ledger, its bulk import and the registry feed it follows, in PostgreSQL (SupportService).

#include "services/funding/store/pg_funding_rows.h"
#include "services/funding/store/pg_funding_store.h"

namespace lnob::funding {
namespace {

using namespace pg;  // NOLINT: this file's own helpers

// Applies the changes after the feed's stored cursor and moves the cursor to the last one, in
// the caller's transaction; changes at or below it were applied before and are skipped. The
// cursor row lock makes one consumer at a time apply changes. apply(change) returns the rows
// it affected; the total is returned.
template <typename Change, typename Apply>
int64_t ApplyAfterCursor(transaction_base& tx, const std::string& feed, const std::vector<Change>& changes,
                         Apply&& apply) {
  tx.exec_params("INSERT INTO feed_cursors (feed, cursor) VALUES ($1, 0) ON CONFLICT DO NOTHING", feed);
  auto c = tx.exec_params("SELECT cursor FROM feed_cursors WHERE feed = $1 FOR UPDATE", feed);
  const int64_t stored = c[0][0].as<int64_t>();
  int64_t last = stored, affected = 0;
  for (const auto& ch : changes) {
    if (ch.cursor <= last) continue;
    last = ch.cursor;
    affected += apply(ch);
  }
  if (last != stored) {
    tx.exec_params("UPDATE feed_cursors SET cursor = $2, updated_at = now() WHERE feed = $1", feed, last);
  }
  return affected;
}

class PgSupportStore : public SupportStore {
 public:
  explicit PgSupportStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<v1::SupportLine> CreateSupportLine(const v1::SupportLine& line, const std::string& actor,
                                                    const IdempotencyKey& key) override {
    return pool_->Write<v1::SupportLine>([&](transaction_base& tx, v1::SupportLine& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        LNOB_RETURN_IF_ERROR(Guard([&]() -> absl::Status {
          CopyLines(tx, {&line}, actor, "");
          return absl::OkStatus();
        }));
        LNOB_ASSIGN_OR_RETURN(out, ReadLine(tx, LineUuid(line), false));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::SupportLine> GetSupportLine(const std::string& id) override {
    return pool_->Fetch<v1::SupportLine>([&](transaction_base& tx, v1::SupportLine& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, ReadLine(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::SupportLine>> GetSupportLines(const std::vector<std::string>& ids) override {
    using Out = std::vector<v1::SupportLine>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kLineColumns, " FROM support_lines l WHERE l.id = ANY($1::uuid[])"),
          ArrayLiteral(ids));
      for (const auto& row : r) out.push_back(LineFromRow(row));
      std::vector<v1::SupportLine*> ptrs;
      for (auto& l : out) ptrs.push_back(&l);
      LoadShares(tx, ptrs);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::SupportLine>> ListSupportLines(const SupportQuery& q) override {
    using Out = std::vector<v1::SupportLine>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kLineColumns, " FROM support_lines l WHERE ($1 = '' OR l.household_id = NULLIF($1, '')::uuid)"
                       " AND ($2 = 0 OR l.year = $2) AND ($3 = '' OR l.content = $3)"
                       " AND (NOT $4 OR l.commune_code = ANY($5::text[])) AND (NOT $6 OR l.review_flag)"
                       " AND l.id > $7::uuid ORDER BY l.id LIMIT $8"),
          q.household_id, q.year, q.content, q.communes.has_value(),
          ArrayLiteral(q.communes.value_or(std::vector<std::string>{})), q.review_flag_only,
          q.after_id.empty() ? "00000000-0000-0000-0000-000000000000" : q.after_id, q.limit);
      for (const auto& row : r) out.push_back(LineFromRow(row));
      std::vector<v1::SupportLine*> ptrs;
      for (auto& l : out) ptrs.push_back(&l);
      LoadShares(tx, ptrs);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::SupportLine> ChangeSupportLine(const std::string& id, const std::string& etag,
                                                    const std::string& action, const std::string& reason,
                                                    const std::string& actor) override {
    return pool_->Write<v1::SupportLine>([&](transaction_base& tx, v1::SupportLine& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(v1::SupportLine cur, ReadLine(tx, id, true));
      auto r = tx.exec_params("SELECT version FROM support_lines WHERE id = $1::uuid", id);
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, r[0][0].as<int64_t>()));
      if (action == "DELIVER") {
        if (cur.state() != v1::PLANNED) return Precondition("ILLEGAL_TRANSITION", "only a PLANNED line can be delivered");
        tx.exec_params("UPDATE support_lines SET state = 'DELIVERED', version = version + 1, updated_at = now() WHERE id = $1::uuid", id);
      } else if (action == "CANCEL") {
        if (cur.state() == v1::CANCELLED) return Precondition("ILLEGAL_TRANSITION", "the line is already cancelled");
        tx.exec_params(
            "UPDATE support_lines SET state = 'CANCELLED', review_reason = $2, version = version + 1, updated_at = now()"
            " WHERE id = $1::uuid",
            id, reason);
      } else {
        if (!cur.review_flag()) return Precondition("NOT_FLAGGED", "the line has no review flag");
        tx.exec_params(
            "UPDATE support_lines SET review_flag = false, review_reason = $2, version = version + 1, updated_at = now()"
            " WHERE id = $1::uuid",
            id, absl::StrCat("cleared by ", actor, reason.empty() ? "" : ": ", reason));
      }
      LNOB_ASSIGN_OR_RETURN(out, ReadLine(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::optional<std::string>> ExistingPolicy(const std::string& household_id, const std::string& content,
                                                            int year) override {
    using Out = std::optional<std::string>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT id::text FROM support_lines WHERE content = $2 AND household_id IN (SELECT $1::uuid UNION"
          " SELECT ancestor_id FROM household_lineage WHERE household_id = $1::uuid)"
          " AND (year = $3 OR (SELECT policy_period FROM support_contents WHERE code = $2) = 'ONCE')"
          " AND state <> 'CANCELLED' ORDER BY year DESC LIMIT 1",
          household_id, content, year);
      if (!r.empty()) out = Str(r[0][0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<ImportOutcome> ImportBatch(const std::string& import_id, const std::string& actor,
                                            std::vector<ImportRow> rows) override {
    return pool_->Write<ImportOutcome>([&](transaction_base& tx, ImportOutcome& out) -> absl::Status {
      tx.exec_params("INSERT INTO imports (id, actor) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING", import_id, actor);
      LNOB_RETURN_IF_ERROR(ImportBelongsTo(tx, import_id, actor, "actor"));
      std::vector<std::string> numbers, hids, contents, years, externals;
      for (const auto& r : rows) numbers.push_back(absl::StrCat(r.row_number));
      std::map<int64_t, std::pair<std::string, std::string>> done;  // row -> refused field, message
      for (const auto& row : tx.exec_params(
               "SELECT row_number, field, message FROM import_rows WHERE import_id = $1::uuid"
               " AND row_number = ANY($2::bigint[])",
               import_id, ArrayLiteral(numbers))) {
        done[row[0].as<int64_t>()] = {Str(row[1]), Str(row[2])};
      }
      std::vector<ImportRow*> todo;
      for (auto& r : rows) {
        if (auto it = done.find(r.row_number); it != done.end()) {
          if (it->second.second.empty()) {
            ++out.already_done;
          } else {  // refused by the ledger before: reported on every run
            v1::RowError e;
            e.set_row_number(r.row_number);
            e.set_field(it->second.first);
            e.set_message(it->second.second);
            out.errors.push_back(std::move(e));
            ++out.refused_again;
          }
          continue;
        }
        todo.push_back(&r);
        hids.push_back(HouseholdUuid(r.line));
        contents.push_back(r.line.content());
        years.push_back(absl::StrCat(r.line.date().year()));
        externals.push_back(r.line.external_id());
      }
      // Conflicts with the ledger, found in one statement; then within the batch. The policy
      // period is the year, or ONCE for contents given once per household (support_contents).
      std::set<std::string> once;
      for (const auto& row : tx.exec("SELECT code FROM support_contents WHERE policy_period = 'ONCE'")) once.insert(Str(row[0]));
      std::map<std::string, std::string> taken;  // household|content|period -> line id
      for (const auto& row : tx.exec_params(
               "SELECT q.h::text || '|' || q.c || '|'"
               " || CASE WHEN c.policy_period = 'ONCE' THEN 'ONCE' ELSE x.year::text END, x.id::text"
               " FROM unnest($1::uuid[], $2::text[], $3::int[]) AS q(h, c, y)"
               " JOIN support_contents c ON c.code = q.c"
               // Two branches, each an index lookup on (household, content): one join on the
               // family set instead scanned the whole index per row (10x slower at 4,000 lines).
               " CROSS JOIN LATERAL ("
               "   SELECT l.id, l.year FROM support_lines l WHERE l.household_id = q.h AND l.content = q.c"
               "     AND (l.year = q.y OR c.policy_period = 'ONCE') AND l.state <> 'CANCELLED'"
               "   UNION ALL"
               "   SELECT l.id, l.year FROM household_lineage g JOIN support_lines l ON l.household_id = g.ancestor_id"
               "     WHERE g.household_id = q.h AND l.content = q.c"
               "     AND (l.year = q.y OR c.policy_period = 'ONCE') AND l.state <> 'CANCELLED') x",
               ArrayLiteral(hids), ArrayLiteral(contents), ArrayLiteral(years))) {
        taken[Str(row[0])] = Str(row[1]);
      }
      std::set<std::string> ext_taken;
      for (const auto& row : tx.exec_params(
               "SELECT external_id FROM support_lines WHERE external_id = ANY($1::text[]) AND state <> 'CANCELLED'",
               ArrayLiteral(externals))) {
        ext_taken.insert(Str(row[0]));
      }
      std::vector<const v1::SupportLine*> ok;
      std::vector<std::string> committed_numbers, refused_numbers, refused_fields, refused_messages;
      for (auto* r : todo) {
        const std::string k =
            absl::StrCat(HouseholdUuid(r->line), "|", r->line.content(), "|",
                         once.count(r->line.content()) ? std::string("ONCE") : absl::StrCat(r->line.date().year()));
        if (auto it = taken.find(k); it != taken.end()) {
          v1::RowError e;
          e.set_row_number(r->row_number);
          e.set_field("content");
          e.set_message(absl::StrCat("one policy per household, content and period: supportLines/", it->second,
                                     " already covers it (to integrate programmes, cancel it and record one line with each as a share)"));
          out.errors.push_back(std::move(e));
          continue;
        }
        if (!r->line.external_id().empty() && !ext_taken.insert(r->line.external_id()).second) {
          v1::RowError e;
          e.set_row_number(r->row_number);
          e.set_field("external_id");
          e.set_message("already imported under another row");
          out.errors.push_back(std::move(e));
          continue;
        }
        taken[k] = LineUuid(r->line);
        ok.push_back(&r->line);
        committed_numbers.push_back(absl::StrCat(r->row_number));
      }
      for (size_t i = out.refused_again; i < out.errors.size(); ++i) {
        refused_numbers.push_back(absl::StrCat(out.errors[i].row_number()));
        refused_fields.push_back(out.errors[i].field());
        refused_messages.push_back(out.errors[i].message());
      }
      LNOB_RETURN_IF_ERROR(Guard([&]() -> absl::Status {
        if (!ok.empty()) CopyLines(tx, ok, actor, import_id);
        return absl::OkStatus();
      }));
      // Refused rows are recorded with their reason: a resend reports them again and never
      // writes them, whatever happened to the response that first reported them.
      tx.exec_params(
          "INSERT INTO import_rows (import_id, row_number) SELECT $1::uuid, unnest($2::bigint[])"
          " ON CONFLICT DO NOTHING",
          import_id, ArrayLiteral(committed_numbers));
      tx.exec_params(
          "INSERT INTO import_rows (import_id, row_number, field, message)"
          " SELECT $1::uuid, * FROM unnest($2::bigint[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING",
          import_id, ArrayLiteral(refused_numbers), ArrayLiteral(refused_fields), ArrayLiteral(refused_messages));
      out.committed = static_cast<int64_t>(ok.size());
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> FeedCursor(const std::string& feed) override {
    return pool_->Fetch<int64_t>([&](transaction_base& tx, int64_t& out) -> absl::Status {
      auto r = tx.exec_params("SELECT cursor FROM feed_cursors WHERE feed = $1", feed);
      out = r.empty() ? 0 : r[0][0].as<int64_t>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> ApplyChanges(const std::string& feed, const std::vector<FeedChange>& changes) override {
    return pool_->Write<int64_t>([&](transaction_base& tx, int64_t& out) -> absl::Status {
      if (changes.empty()) return absl::OkStatus();
      out = ApplyAfterCursor(tx, feed, changes, [&](const FeedChange& ch) -> int64_t {
        if (!ch.lineage_household_id.empty()) {
          // The closure: the ancestor and every household it descends from.
          tx.exec_params(
              "INSERT INTO household_lineage (household_id, ancestor_id, cursor)"
              " SELECT $1::uuid, a, $3 FROM (SELECT $2::uuid AS a UNION"
              "   SELECT ancestor_id FROM household_lineage WHERE household_id = $2::uuid) x"
              " WHERE a <> $1::uuid ON CONFLICT DO NOTHING",
              ch.lineage_household_id, ch.ancestor_id, ch.cursor);
        }
        if (ch.household_id.empty()) return 0;
        if (ch.closed) {
          return tx
              .exec_params(
                  "UPDATE support_lines SET review_flag = true, review_reason = $2, version = version + 1, updated_at = now()"
                  " WHERE household_id = $1::uuid AND state = 'PLANNED' AND NOT review_flag",
                  ch.household_id, ch.reason)
              .affected_rows();
        }
        return tx
            .exec_params(
                "UPDATE support_lines l SET review_flag = true, review_reason = $3, version = version + 1, updated_at = now()"
                " FROM support_contents c WHERE c.code = l.content AND l.household_id = $1::uuid AND l.state = 'PLANNED'"
                " AND NOT ($2 = ANY(c.eligible_classes)) AND NOT l.review_flag",
                ch.household_id, ch.classification, ch.reason)
            .affected_rows();
      });
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> ApplyInspectionChanges(const std::string& feed,
                                                 const std::vector<InspectionChange>& changes) override {
    return pool_->Write<int64_t>([&](transaction_base& tx, int64_t& out) -> absl::Status {
      if (changes.empty()) return absl::OkStatus();
      out = ApplyAfterCursor(tx, feed, changes, [&](const InspectionChange& ch) -> int64_t {
        if (ch.kind == "HOLD_PLACED" && !ch.line_id.empty()) {
          return tx
              .exec_params("INSERT INTO line_holds (line_id, finding, placed_on, cursor) VALUES ($1::uuid, $2, $3::date, $4)"
                           " ON CONFLICT DO NOTHING",
                           ch.line_id, ch.resource, ch.day, ch.cursor)
              .affected_rows();
        }
        if (ch.kind == "HOLD_LIFTED" && !ch.line_id.empty()) {
          return tx.exec_params("DELETE FROM line_holds WHERE line_id = $1::uuid AND finding = $2", ch.line_id, ch.resource)
              .affected_rows();
        }
        if (ch.kind == "RECOVERY_RECORDED" && ch.amount_vnd > 0) {
          return tx
              .exec_params("INSERT INTO inspection_recoveries (recovery, source, node_code, unit_code, day, year, amount,"
                           " cursor) VALUES ($1, $2, $3, $4, $5::date, extract(year FROM $5::date)::int, $6, $7)"
                           " ON CONFLICT DO NOTHING",
                           ch.resource, ch.source, ch.node_code, ch.unit_code, ch.day, ch.amount_vnd, ch.cursor)
              .affected_rows();
        }
        return 0;  // other kinds only move the cursor
      });
      return absl::OkStatus();
    });
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<SupportStore> NewPgSupportStore(db::Pool* pool) { return std::make_unique<PgSupportStore>(pool); }

}  // namespace lnob::funding
