// Allocations, disbursements, plans and reports in PostgreSQL (FundingService).

#include "absl/strings/str_split.h"
#include "services/funding/store/pg_funding_rows.h"
#include "services/funding/store/pg_funding_store.h"

namespace lnob::funding {
namespace {

using namespace pg;  // NOLINT: this file's own helpers

class PgLedgerStore : public LedgerStore {
 public:
  explicit PgLedgerStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<v1::Allocation> SetAllocation(const v1::Allocation& a, const std::string& reason,
                                               const std::string& etag, const std::string& actor,
                                               const IdempotencyKey& key) override {
    return pool_->Write<v1::Allocation>([&](transaction_base& tx, v1::Allocation& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        return Guard([&]() -> absl::Status {
          auto cur = tx.exec_params(
              "SELECT id::text, revision, disbursed FROM allocations"
              " WHERE year = $1 AND node_code = $2 AND source = $3 AND unit_code = $4 FOR UPDATE",
              a.year(), a.node_code(), a.source(), a.unit_code());
          std::string id;
          int revision = 1;
          if (cur.empty()) {
            if (!etag.empty()) return absl::AbortedError("etag given but the allocation does not exist");
            id = NewUuidV7(absl::Now());
            // Concurrent creators of the same key: the loser re-reads as a revision on retry.
            auto ins = tx.exec_params(
                "INSERT INTO allocations (id, year, node_code, source, unit_code, amount, updated_by)"
                " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT (year, node_code, source, unit_code) DO NOTHING",
                id, a.year(), a.node_code(), a.source(), a.unit_code(), a.amount_vnd(), actor);
            if (ins.affected_rows() == 0) {
              return absl::AbortedError("the allocation was created concurrently; read it and retry");
            }
          } else {
            id = Str(cur[0][0]);
            revision = cur[0][1].as<int>() + 1;
            LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, revision - 1));
            if (reason.empty()) return InvalidField("reason", "required when revising an allocation");
            if (a.amount_vnd() < cur[0][2].as<int64_t>()) {
              return Precondition("ALLOCATION_BELOW_DISBURSED",
                                  absl::StrCat("amount_vnd ", a.amount_vnd(), " is below the ",
                                               cur[0][2].as<int64_t>(), " VND already disbursed"));
            }
            tx.exec_params(
                "UPDATE allocations SET amount = $2, revision = $3, updated_by = $4, updated_at = now()"
                " WHERE id = $1::uuid",
                id, a.amount_vnd(), revision, actor);
          }
          tx.exec_params(
              "INSERT INTO allocation_revisions (allocation_id, revision, amount, reason, actor)"
              " VALUES ($1::uuid, $2, $3, $4, $5)",
              id, revision, a.amount_vnd(), reason.empty() ? "initial allocation" : reason, actor);
          auto r = tx.exec_params(absl::StrCat("SELECT ", kAllocationColumns, " FROM allocations a WHERE a.id = $1::uuid"),
                                  id);
          out = AllocationFromRow(r[0]);
          return absl::OkStatus();
        });
      });
    });
  }

  absl::StatusOr<std::vector<v1::Allocation>> ListAllocations(const AllocationQuery& q) override {
    using Out = std::vector<v1::Allocation>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kAllocationColumns, " FROM allocations a WHERE a.year = $1"
                       " AND (NOT $2 OR a.unit_code = ANY($3::text[])) AND (NOT $4 OR a.node_code = ANY($5::text[]))"
                       " AND ($6 = '' OR a.source = $6) AND a.id > $7::uuid ORDER BY a.id LIMIT $8"),
          q.year, q.units.has_value(), ArrayLiteral(q.units.value_or(std::vector<std::string>{})), q.nodes.has_value(),
          ArrayLiteral(q.nodes.value_or(std::vector<std::string>{})), q.source,
          q.after_id.empty() ? "00000000-0000-0000-0000-000000000000" : q.after_id, q.limit);
      for (const auto& row : r) out.push_back(AllocationFromRow(row));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Allocation> GetAllocation(const std::string& id) override {
    return pool_->Fetch<v1::Allocation>([&](transaction_base& tx, v1::Allocation& out) -> absl::Status {
      auto r = tx.exec_params(absl::StrCat("SELECT ", kAllocationColumns, " FROM allocations a WHERE a.id = $1::uuid"),
                              id);
      if (r.empty()) return absl::NotFoundError(absl::StrCat("allocations/", id, " not found"));
      out = AllocationFromRow(r[0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::AllocationRevision>> ListRevisions(const std::string& id) override {
    using Out = std::vector<v1::AllocationRevision>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT revision, amount, reason, actor, " + db::Rfc3339("at") + " FROM allocation_revisions"
          " WHERE allocation_id = $1::uuid ORDER BY revision",
          id);
      for (const auto& row : r) {
        v1::AllocationRevision rev;
        rev.set_revision(row[0].as<int>());
        rev.set_amount_vnd(row[1].as<int64_t>());
        rev.set_reason(Str(row[2]));
        rev.set_actor(Str(row[3]));
        rev.set_time(Str(row[4]));
        out.push_back(std::move(rev));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Disbursement> RecordDisbursement(const v1::Disbursement& d, const std::string& actor,
                                                      const IdempotencyKey& key) override {
    return pool_->Write<v1::Disbursement>([&](transaction_base& tx, v1::Disbursement& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        return Guard([&]() -> absl::Status {
          auto a = tx.exec_params(
              "SELECT id::text, amount, disbursed FROM allocations"
              " WHERE year = $1 AND node_code = $2 AND source = $3 AND unit_code = $4",
              d.year(), d.node_code(), d.source(), d.unit_code());
          if (a.empty()) {
            return Precondition("NO_ALLOCATION", "no allocation for this year, node, source and unit");
          }
          const std::string id = NewUuidV7(absl::Now());
          std::string line = d.support_line().empty() ? "" : d.support_line().substr(13);
          try {
            tx.exec_params(
                "INSERT INTO disbursements (id, allocation_id, date, amount, support_line_id, note, created_by)"
                " VALUES ($1::uuid, $2::uuid, $3::date, $4, NULLIF($5, '')::uuid, $6, $7)",
                id, Str(a[0][0]),
                absl::StrFormat("%04d-%02d-%02d", d.date().year(), d.date().month(), d.date().day()), d.amount_vnd(),
                line, d.note(), actor);
          } catch (const pqxx::check_violation& e) {
            // Re-read for the message: the row lock was released with the failed statement.
            return Precondition("ALLOCATION_EXCEEDED",
                                absl::StrCat("disbursement of ", d.amount_vnd(), " VND would exceed the allocation of ",
                                             a[0][1].as<int64_t>(), " VND (", a[0][2].as<int64_t>(),
                                             " VND disbursed before this call)"));
          }
          auto r = tx.exec_params(absl::StrCat("SELECT ", kDisbursementColumns,
                                               " FROM disbursements d JOIN allocations a ON a.id = d.allocation_id"
                                               " WHERE d.id = $1::uuid"),
                                  id);
          out = DisbursementFromRow(r[0]);
          return absl::OkStatus();
        });
      });
    });
  }

  absl::StatusOr<std::vector<v1::Disbursement>> ListDisbursements(const AllocationQuery& q) override {
    using Out = std::vector<v1::Disbursement>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kDisbursementColumns,
                       " FROM disbursements d JOIN allocations a ON a.id = d.allocation_id WHERE a.year = $1"
                       " AND (NOT $2 OR a.unit_code = ANY($3::text[])) AND (NOT $4 OR a.node_code = ANY($5::text[]))"
                       " AND ($6 = '' OR a.source = $6) AND d.id > $7::uuid ORDER BY d.id LIMIT $8"),
          q.year, q.units.has_value(), ArrayLiteral(q.units.value_or(std::vector<std::string>{})), q.nodes.has_value(),
          ArrayLiteral(q.nodes.value_or(std::vector<std::string>{})), q.source,
          q.after_id.empty() ? "00000000-0000-0000-0000-000000000000" : q.after_id, q.limit);
      for (const auto& row : r) out.push_back(DisbursementFromRow(row));
      return absl::OkStatus();
    });
  }

  // ---- plans ----

  absl::StatusOr<v1::Plan> CreatePlan(const v1::Plan& p, const std::string& actor, const IdempotencyKey& key) override {
    return pool_->Write<v1::Plan>([&](transaction_base& tx, v1::Plan& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
        const std::string id = NewUuidV7(absl::Now());
        auto r = tx.exec_params(
            "INSERT INTO plans (id, year, unit_code, state, created_by, updated_by)"
            " VALUES ($1::uuid, $2, $3, 'DRAFT', $4, $4) ON CONFLICT (year, unit_code) DO NOTHING",
            id, p.year(), p.unit_code(), actor);
        if (r.affected_rows() == 0) {
          auto other = tx.exec_params("SELECT id::text FROM plans WHERE year = $1 AND unit_code = $2", p.year(),
                                      p.unit_code());
          return WithReason(absl::AlreadyExistsError(absl::StrCat("plans/", Str(other[0][0]),
                                                                  " already exists for this unit and year")),
                            "PLAN_EXISTS");
        }
        InsertPlanLines(tx, id, {p.lines().begin(), p.lines().end()});
        tx.exec_params("INSERT INTO plan_events (plan_id, actor, from_state, to_state) VALUES ($1::uuid, $2, '', 'DRAFT')",
                       id, actor);
        LNOB_ASSIGN_OR_RETURN(out, ReadPlan(tx, id, false));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<v1::Plan> GetPlan(const std::string& id) override {
    return pool_->Fetch<v1::Plan>([&](transaction_base& tx, v1::Plan& out) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(out, ReadPlan(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::Plan>> ListPlans(const PlanQuery& q) override {
    using Out = std::vector<v1::Plan>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kPlanColumns, " FROM plans p WHERE ($1 = 0 OR p.year = $1)"
                       " AND (NOT $2 OR p.unit_code = ANY($3::text[])) AND ($4 = '' OR p.state = $4)"
                       " AND p.id > $5::uuid ORDER BY p.id LIMIT $6"),
          q.year, q.units.has_value(), ArrayLiteral(q.units.value_or(std::vector<std::string>{})), q.state,
          q.after_id.empty() ? "00000000-0000-0000-0000-000000000000" : q.after_id, q.limit);
      for (const auto& row : r) out.push_back(PlanFromRow(row));
      std::vector<v1::Plan*> ptrs;
      for (auto& p : out) ptrs.push_back(&p);
      return LoadPlanLines(tx, ptrs);
    });
  }

  absl::StatusOr<v1::Plan> UpdatePlanLines(const std::string& id, const std::vector<v1::PlanLine>& lines,
                                           const std::string& etag, const std::string& actor) override {
    return pool_->Write<v1::Plan>([&](transaction_base& tx, v1::Plan& out) -> absl::Status {
      auto r = tx.exec_params("SELECT state, version FROM plans WHERE id = $1::uuid FOR UPDATE", id);
      if (r.empty()) return absl::NotFoundError(absl::StrCat("plans/", id, " not found"));
      LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, r[0][1].as<int64_t>()));
      const std::string state = Str(r[0][0]);
      if (state != "DRAFT" && state != "RETURNED") {
        return Precondition("PLAN_NOT_EDITABLE", absl::StrCat("a ", state, " plan cannot be edited"));
      }
      tx.exec_params("DELETE FROM plan_lines WHERE plan_id = $1::uuid", id);
      InsertPlanLines(tx, id, lines);
      tx.exec_params("UPDATE plans SET version = version + 1, updated_by = $2, updated_at = now() WHERE id = $1::uuid", id,
                     actor);
      LNOB_ASSIGN_OR_RETURN(out, ReadPlan(tx, id, false));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::Plan> ChangePlanState(const std::string& id, const std::string& etag,
                                           const std::set<std::string>& from, const std::string& to,
                                           const std::string& comments, const std::string& actor) override {
    return pool_->Write<v1::Plan>([&](transaction_base& tx, v1::Plan& out) -> absl::Status {
      return Guard([&]() -> absl::Status {
        auto r = tx.exec_params("SELECT state, version FROM plans WHERE id = $1::uuid FOR UPDATE", id);
        if (r.empty()) return absl::NotFoundError(absl::StrCat("plans/", id, " not found"));
        LNOB_RETURN_IF_ERROR(api::CheckEtag(etag, r[0][1].as<int64_t>()));
        const std::string state = Str(r[0][0]);
        if (!from.count(state)) {
          return Precondition("ILLEGAL_TRANSITION", absl::StrCat("a ", state, " plan cannot become ", to));
        }
        if (to == "SUBMITTED") {
          auto n = tx.exec_params("SELECT count(*) FROM plan_lines WHERE plan_id = $1::uuid", id);
          if (n[0][0].as<int64_t>() == 0) return Precondition("PLAN_EMPTY", "a plan needs at least one line");
        }
        tx.exec_params(
            "UPDATE plans SET state = $2, comments = CASE WHEN $3 = '' THEN comments ELSE $3 END,"
            " version = version + 1, updated_by = $4, updated_at = now() WHERE id = $1::uuid",
            id, to, comments, actor);
        tx.exec_params(
            "INSERT INTO plan_events (plan_id, actor, from_state, to_state, comments) VALUES ($1::uuid, $2, $3, $4, $5)", id,
            actor, state, to, comments);
        LNOB_ASSIGN_OR_RETURN(out, ReadPlan(tx, id, false));
        return absl::OkStatus();
      });
    });
  }

  absl::StatusOr<PlanLevelRule> PlanLevels(int year) override {
    return pool_->Fetch<PlanLevelRule>([&](transaction_base& tx, PlanLevelRule& out) -> absl::Status {
      auto r = tx.exec_params("SELECT array_to_string(allowed_levels, ','), counted_level, legal_doc FROM plan_levels"
                              " WHERE $1 BETWEEN year_from AND year_to",
                              year);
      if (r.empty()) return absl::NotFoundError(absl::StrCat("no plan level for ", year));
      out.allowed = absl::StrSplit(Str(r[0][0]), ',', absl::SkipEmpty());
      out.counted = Str(r[0][1]);
      out.legal_doc = Str(r[0][2]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::ConsolidatePlansResponse> Consolidate(int year) override {
    using Out = v1::ConsolidatePlansResponse;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      out.set_year(year);
      auto rule = tx.exec_params("SELECT counted_level, legal_doc FROM plan_levels WHERE $1 BETWEEN year_from AND year_to",
                                 year);
      if (rule.empty()) return absl::NotFoundError(absl::StrCat("no plan level for ", year));
      const std::string level = Str(rule[0][0]);
      out.set_counted_level(level);
      out.set_level_rule(Str(rule[0][1]));
      auto n = tx.exec_params(
          "SELECT count(*) FILTER (WHERE unit_level_of_code(p.unit_code) = $2),"
          " count(*) FILTER (WHERE unit_level_of_code(p.unit_code) <> $2),"
          " coalesce((SELECT sum(l.amount) FROM plan_lines l JOIN plans q ON q.id = l.plan_id"
          "   WHERE q.year = $1 AND q.state = 'APPROVED' AND unit_level_of_code(q.unit_code) <> $2), 0)::bigint"
          " FROM plans p WHERE p.year = $1 AND p.state = 'APPROVED'",
          year, level);
      out.set_approved_plans(n[0][0].as<int>());
      out.set_excluded_plans(n[0][1].as<int>());
      out.set_excluded_vnd(n[0][2].as<int64_t>());
      auto r = tx.exec_params(
          "SELECT l.node_code, coalesce(programme_of(l.node_code, make_date($1, 12, 31)), ''), l.source,"
          " sum(l.amount)::bigint, sum(l.households)::bigint, count(DISTINCT l.plan_id)"
          " FROM plan_lines l JOIN plans p ON p.id = l.plan_id WHERE p.year = $1 AND p.state = 'APPROVED'"
          " AND unit_level_of_code(p.unit_code) = $2"
          " GROUP BY 1, 2, 3 ORDER BY 2, 1, 3",
          year, level);
      for (const auto& row : r) {
        auto* l = out.add_lines();
        l->set_node_code(Str(row[0]));
        l->set_programme_code(Str(row[1]));
        l->set_source(Str(row[2]));
        l->set_amount_vnd(row[3].as<int64_t>());
        l->set_households(row[4].as<int64_t>());
        l->set_plans(row[5].as<int>());
        out.set_total_vnd(out.total_vnd() + l->amount_vnd());
      }
      for (const auto& row : tx.exec_params(
               "SELECT DISTINCT ON (programme_code) programme_code, counterpart_ratio::text, legal_doc, confirmed"
               " FROM programme_settings WHERE valid_from <= make_date($1, 12, 31)"
               " ORDER BY programme_code, valid_from DESC",
               year)) {
        auto* rule = out.add_counterpart_rules();
        rule->set_programme_code(Str(row[0]));
        rule->set_ratio(Str(row[1]));
        rule->set_legal_doc(Str(row[2]));
        rule->set_confirmed(row[3].as<bool>());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::DisbursementReportRow>> DisbursementReport(const ReportQuery& q) override {
    using Out = std::vector<v1::DisbursementReportRow>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // Dimensions not grouped by collapse to ''. Plans, allocations (with their running
      // disbursed totals) and the ledger aggregate are each summed, then joined on the keys.
      const bool period = !q.first.empty();
      const std::string src = q.by_source ? "source" : "''";
      const std::string node = q.by_node ? "node_code" : "''";
      const std::string prog = q.by_programme ? "coalesce(programme_of(node_code, make_date($1, 12, 31)), '')" : "''";
      auto keys = [&](const std::string& unit) {
        return absl::StrCat(src, " AS source, ", prog, " AS programme, ", node, " AS node, ",
                            q.by_unit ? unit : "''", " AS unit");
      };
      const std::string unit_filter = " AND (NOT $2 OR %s = ANY($3::text[]))";
      const std::string sql = absl::StrCat(
          "WITH pl AS (SELECT ", keys("p.unit_code"), ", sum(l.amount)::bigint AS v"
          "  FROM plan_lines l JOIN plans p ON p.id = l.plan_id WHERE p.year = $1 AND p.state = 'APPROVED'",
          absl::StrReplaceAll(unit_filter, {{"%s", "p.unit_code"}}), " GROUP BY 1, 2, 3, 4),",
          " al AS (SELECT ", keys("unit_code"), ", sum(amount)::bigint AS a,",
          period ? " sum((SELECT coalesce(sum(d.amount), 0) FROM disbursements d WHERE d.allocation_id = allocations.id"
                   "   AND d.date BETWEEN $4::date AND $5::date))::bigint AS d"
                 : " sum(disbursed)::bigint AS d",
          "  FROM allocations WHERE year = $1", absl::StrReplaceAll(unit_filter, {{"%s", "unit_code"}}),
          " GROUP BY 1, 2, 3, 4),",
          // Trigger-kept aggregates: by year, or by month for a shorter period (whole months).
          period ? absl::StrCat(" sp AS (SELECT ", keys("commune_code"), ", sum(amount)::bigint AS v"
                                "  FROM support_agg_month WHERE month BETWEEN $4::date AND $5::date",
                                absl::StrReplaceAll(unit_filter, {{"%s", "commune_code"}}), " GROUP BY 1, 2, 3, 4)")
                 : absl::StrCat(" sp AS (SELECT ", keys("commune_code"), ", sum(amount)::bigint AS v FROM support_agg"
                                " WHERE year = $1",
                                absl::StrReplaceAll(unit_filter, {{"%s", "commune_code"}}), " GROUP BY 1, 2, 3, 4)"),
          ","
          // Lines held by inspection findings, and money recovered under its recommendations.
          " hd AS (SELECT ", keys("l.commune_code"), ", sum(s.amount)::bigint AS v FROM funding_shares s"
          "  JOIN support_lines l ON l.id = s.line_id WHERE l.state <> 'CANCELLED'"
          "  AND EXISTS (SELECT 1 FROM line_holds h WHERE h.line_id = l.id) AND ",
          period ? "l.date BETWEEN $4::date AND $5::date" : "l.year = $1",
          absl::StrReplaceAll(unit_filter, {{"%s", "l.commune_code"}}), " GROUP BY 1, 2, 3, 4),",
          " rc AS (SELECT ", keys("unit_code"), ", sum(amount)::bigint AS v FROM inspection_recoveries WHERE ",
          period ? "day BETWEEN $4::date AND $5::date" : "year = $1",
          absl::StrReplaceAll(unit_filter, {{"%s", "unit_code"}}), " GROUP BY 1, 2, 3, 4)",
          " SELECT k.source, k.programme, k.node, k.unit, coalesce(pl.v, 0), coalesce(al.a, 0), coalesce(al.d, 0),"
          "  coalesce(sp.v, 0), coalesce(hd.v, 0), coalesce(rc.v, 0)"
          " FROM (SELECT source, programme, node, unit FROM pl UNION SELECT source, programme, node, unit FROM al"
          "       UNION SELECT source, programme, node, unit FROM sp UNION SELECT source, programme, node, unit FROM hd"
          "       UNION SELECT source, programme, node, unit FROM rc) k"
          " LEFT JOIN pl USING (source, programme, node, unit) LEFT JOIN al USING (source, programme, node, unit)"
          " LEFT JOIN sp USING (source, programme, node, unit) LEFT JOIN hd USING (source, programme, node, unit)"
          " LEFT JOIN rc USING (source, programme, node, unit) ORDER BY 1, 2, 3, 4");
      auto r = period ? tx.exec_params(sql, q.year, q.units.has_value(),
                                       ArrayLiteral(q.units.value_or(std::vector<std::string>{})), q.first, q.last)
                      : tx.exec_params(sql, q.year, q.units.has_value(),
                                       ArrayLiteral(q.units.value_or(std::vector<std::string>{})));
      for (const auto& row : r) {
        v1::DisbursementReportRow x;
        x.set_source(Str(row[0]));
        x.set_programme_code(Str(row[1]));
        x.set_node_code(Str(row[2]));
        x.set_unit_code(Str(row[3]));
        x.set_planned_vnd(row[4].as<int64_t>());
        x.set_allocated_vnd(row[5].as<int64_t>());
        x.set_disbursed_vnd(row[6].as<int64_t>());
        x.set_supported_vnd(row[7].as<int64_t>());
        x.set_held_vnd(row[8].as<int64_t>());
        x.set_recovered_vnd(row[9].as<int64_t>());
        x.set_net_vnd(x.disbursed_vnd() - x.recovered_vnd());
        out.push_back(std::move(x));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<SupportTotals> SupportFor(const std::vector<std::string>& household_ids, int year) override {
    return pool_->Fetch<SupportTotals>([&](transaction_base& tx, SupportTotals& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT s.source, coalesce(sum(s.amount), 0)::bigint, count(DISTINCT l.household_id)"
          " FROM support_lines l JOIN funding_shares s ON s.line_id = l.id"
          " WHERE l.household_id = ANY($1::uuid[]) AND ($2 = 0 OR l.year = $2) AND l.state <> 'CANCELLED'"
          " GROUP BY ROLLUP (s.source)",
          ArrayLiteral(household_ids), year);
      for (const auto& row : r) {
        if (row[0].is_null()) {
          out.amount = row[1].as<int64_t>();
          out.households = row[2].as<int64_t>();
        } else {
          out.by_source[Str(row[0])] = row[1].as<int64_t>();
        }
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::map<std::string, int64_t>> ProgrammeCohort(const std::string& programme, int year) override {
    using Out = std::map<std::string, int64_t>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          "WITH RECURSIVE down(code, depth) AS (SELECT $1::text, 0"
          "  UNION ALL SELECT p.code, down.depth + 1 FROM down JOIN node_placements p ON p.parent_code = down.code"
          "   AND p.valid_from <= make_date($2, 12, 31) AND (p.valid_to IS NULL OR p.valid_to > make_date($2, 12, 31))"
          "   WHERE down.depth < 16)"
          " SELECT l.household_id::text, sum(s.amount)::bigint"
          " FROM support_lines l JOIN funding_shares s ON s.line_id = l.id"
          " WHERE l.year = $2 AND l.state <> 'CANCELLED' AND l.ethnic_minority AND l.classification = 'POOR'"
          " AND s.node_code IN (SELECT code FROM down) GROUP BY 1",
          programme, year);
      for (const auto& row : r) out[Str(row[0])] = row[1].as<int64_t>();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> ProgrammeTarget(const std::string& programme, int year) override {
    return pool_->Fetch<int64_t>([&](transaction_base& tx, int64_t& out) -> absl::Status {
      auto r = tx.exec_params(
          "SELECT target_households FROM programme_settings WHERE programme_code = $1"
          " AND valid_from <= make_date($2, 12, 31) ORDER BY valid_from DESC LIMIT 1",
          programme, year);
      out = r.empty() ? 0 : r[0][0].as<int64_t>();
      return absl::OkStatus();
    });
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<LedgerStore> NewPgLedgerStore(db::Pool* pool) { return std::make_unique<PgLedgerStore>(pool); }

}  // namespace lnob::funding
