// The programme catalogue and funding sources in PostgreSQL (CatalogueService).

#include "services/funding/store/pg_funding_rows.h"
#include "services/funding/store/pg_funding_store.h"

namespace lnob::funding {
namespace {

using namespace pg;  // NOLINT: this file's own helpers

class PgCatalogueStore : public CatalogueStore {
 public:
  explicit PgCatalogueStore(db::Pool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<v1::ProgrammeNode>> ListNodes(absl::CivilDay as_of, const std::string& parent,
                                                           const std::string& after, int limit) override {
    using Out = std::vector<v1::ProgrammeNode>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          absl::StrCat("SELECT ", kNodeColumns, ", programme_of(n.code, $1::date)"
                       " FROM programme_nodes n JOIN node_placements p ON p.code = n.code"
                       " AND p.valid_from <= $1::date AND (p.valid_to IS NULL OR p.valid_to > $1::date)"
                       " WHERE ($2 = '' OR p.parent_code = $2) AND n.code > $3 ORDER BY n.code LIMIT $4"),
          Day(as_of), parent, after, limit);
      for (const auto& row : r) out.push_back(NodeFromRow(row, Str(row[8])));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::ProgrammeNode> GetNode(const std::string& code, absl::CivilDay as_of) override {
    return pool_->Fetch<v1::ProgrammeNode>([&](transaction_base& tx, v1::ProgrammeNode& out) -> absl::Status {
      return ReadNode(tx, code, as_of, &out);
    });
  }

  static absl::Status ReadNode(transaction_base& tx, const std::string& code, absl::CivilDay as_of,
                               v1::ProgrammeNode* out) {
    auto r = tx.exec_params(
        absl::StrCat("SELECT ", kNodeColumns, ", programme_of(n.code, $2::date)"
                     " FROM programme_nodes n JOIN node_placements p ON p.code = n.code"
                     " AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to > $2::date)"
                     " WHERE n.code = $1"),
        code, Day(as_of));
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("programmeNodes/", code, " not found on ", Day(as_of)));
    }
    *out = NodeFromRow(r[0], Str(r[0][8]));
    return absl::OkStatus();
  }

  absl::StatusOr<v1::ProgrammeNode> CreateNode(const v1::ProgrammeNode& node, absl::CivilDay from,
                                               const std::string& actor, const IdempotencyKey& key) override {
    return pool_->Write<v1::ProgrammeNode>([&](transaction_base& tx, v1::ProgrammeNode& out) -> absl::Status {
      return db::RunIdempotent(tx, key, &out, [&]() -> absl::Status {
      if (!node.parent_code().empty()) {
        auto p = tx.exec_params(
            "SELECT 1 FROM node_placements WHERE code = $1 AND valid_from <= $2::date"
            " AND (valid_to IS NULL OR valid_to > $2::date)",
            node.parent_code(), Day(from));
        if (p.empty()) return InvalidField("node.parent_code", "no such node on valid_from");
      }
      auto r = tx.exec_params(
          "INSERT INTO programme_nodes (code, kind, display_name, legal_doc, confirmed, created_by)"
          " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
          node.code(), v1::NodeKind_Name(node.kind()), node.display_name(), node.legal_doc(), node.confirmed(), actor);
      if (r.affected_rows() == 0) {
        return WithReason(absl::AlreadyExistsError(absl::StrCat("programmeNodes/", node.code(), " already exists")),
                          "NODE_EXISTS");
      }
      tx.exec_params(
          "INSERT INTO node_placements (code, parent_code, valid_from, legal_doc) VALUES ($1, NULLIF($2, ''), $3::date, $4)",
          node.code(), node.parent_code(), Day(from), node.legal_doc());
      return ReadNode(tx, node.code(), from, &out);
      });
    });
  }

  absl::StatusOr<v1::ProgrammeNode> ReparentNode(const std::string& code, const std::string& new_parent,
                                                 absl::CivilDay from, const std::string& legal_doc) override {
    LNOB_RETURN_IF_ERROR(pool_->Run([&](transaction_base& tx) -> absl::Status {
      // One catalogue change at a time: two crossing moves (A under B, B under A) would each
      // pass the cycle check alone.
      tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.funding.catalogue'))");
      auto n = tx.exec_params("SELECT kind FROM programme_nodes WHERE code = $1 FOR UPDATE", code);
      if (n.empty()) return absl::NotFoundError(absl::StrCat("programmeNodes/", code, " not found"));
      if (Str(n[0][0]) == "PROGRAMME") return InvalidField("name", "a programme has no parent");
      auto cur = tx.exec_params(
          "SELECT valid_from::text, coalesce(parent_code, '') FROM node_placements WHERE code = $1"
          " AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date)",
          code, Day(from));
      if (cur.empty()) return Precondition("NOT_PLACED", "the node is not in the catalogue on effective_date");
      auto later = tx.exec_params("SELECT 1 FROM node_placements WHERE code = $1 AND valid_from > $2::date", code,
                                  Day(from));
      if (!later.empty()) return Precondition("LATER_PLACEMENT", "the node already moves after effective_date");
      if (Str(cur[0][1]) == new_parent) return Precondition("SAME_PARENT", "the node is already under new_parent_code");
      // The new parent must exist then and must not sit under the node (no cycles).
      auto up = tx.exec_params(
          "WITH RECURSIVE up(code, depth) AS ("
          "  SELECT p.code, 0 FROM node_placements p WHERE p.code = $1"
          "   AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to > $2::date)"
          "  UNION ALL SELECT p.parent_code, up.depth + 1 FROM up JOIN node_placements p ON p.code = up.code"
          "   AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to > $2::date)"
          "   WHERE p.parent_code IS NOT NULL AND up.depth < 16)"
          " SELECT code FROM up",
          new_parent, Day(from));
      if (up.empty()) return InvalidField("new_parent_code", "no such node on effective_date");
      for (const auto& row : up) {
        if (Str(row[0]) == code) return InvalidField("new_parent_code", "lies under the node itself");
      }
      if (Str(cur[0][0]) == Day(from)) {
        tx.exec_params("UPDATE node_placements SET parent_code = $3, legal_doc = $4 WHERE code = $1 AND valid_from = $2::date",
                       code, Day(from), new_parent, legal_doc);
      } else {
        tx.exec_params("UPDATE node_placements SET valid_to = $2::date WHERE code = $1 AND valid_from = $3::date", code,
                       Day(from), Str(cur[0][0]));
        tx.exec_params(
            "INSERT INTO node_placements (code, parent_code, valid_from, legal_doc) VALUES ($1, $2, $3::date, $4)", code,
            new_parent, Day(from), legal_doc);
      }
      // Later placements of the ancestors (already recorded moves) must not close a loop
      // either: the tree must be a tree on every date from here on.
      auto loops = tx.exec_params(
          "WITH RECURSIVE days(d) AS (SELECT $2::date UNION SELECT valid_from FROM node_placements WHERE valid_from > $2::date),"
          " up(d, code, path, looped) AS ("
          "  SELECT days.d, p.parent_code, ARRAY[p.code], false FROM days JOIN node_placements p ON p.code = $1"
          "   AND p.valid_from <= days.d AND (p.valid_to IS NULL OR p.valid_to > days.d) WHERE p.parent_code IS NOT NULL"
          "  UNION ALL SELECT up.d, p.parent_code, up.path || up.code, up.code = ANY(up.path)"
          "   FROM up JOIN node_placements p ON p.code = up.code"
          "   AND p.valid_from <= up.d AND (p.valid_to IS NULL OR p.valid_to > up.d)"
          "   WHERE NOT up.looped AND p.parent_code IS NOT NULL AND cardinality(up.path) < 32)"
          " SELECT min(d)::text FROM up WHERE looped OR code = $1",
          code, Day(from));
      if (!loops[0][0].is_null()) {
        return InvalidField("new_parent_code", absl::StrCat("would put the node under itself from ", Str(loops[0][0])));
      }
      return absl::OkStatus();
    }));
    return GetNode(code, from);
  }

  absl::StatusOr<std::vector<std::string>> Subtree(const std::string& code, absl::CivilDay as_of) override {
    using Out = std::vector<std::string>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec_params(
          "WITH RECURSIVE down(code, depth) AS (SELECT $1::text, 0"
          "  UNION ALL SELECT p.code, down.depth + 1 FROM down JOIN node_placements p ON p.parent_code = down.code"
          "   AND p.valid_from <= $2::date AND (p.valid_to IS NULL OR p.valid_to > $2::date) WHERE down.depth < 16)"
          " SELECT code FROM down",
          code, Day(as_of));
      for (const auto& row : r) out.push_back(Str(row[0]));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<v1::FundingSource>> ListSources() override {
    using Out = std::vector<v1::FundingSource>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec("SELECT code, display_name, central, local_counterpart FROM funding_sources ORDER BY sort");
      for (const auto& row : r) {
        v1::FundingSource s;
        s.set_code(Str(row[0]));
        s.set_display_name(Str(row[1]));
        s.set_central(row[2].as<bool>());
        s.set_local_counterpart(row[3].as<bool>());
        out.push_back(std::move(s));
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::map<std::string, std::set<std::string>>> ListContents() override {
    using Out = std::map<std::string, std::set<std::string>>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      auto r = tx.exec("SELECT code, eligible_classes FROM support_contents");
      for (const auto& row : r) {
        auto classes = db::ArrayValue(row[1]);
        out[Str(row[0])] = std::set<std::string>(classes.begin(), classes.end());
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::map<std::string, std::vector<EligibilityRule>>> EligibilityRules(
      const std::vector<std::string>& nodes, absl::CivilDay date) override {
    using Out = std::map<std::string, std::vector<EligibilityRule>>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      const std::string d = absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
      auto rows = tx.exec_params(
          "WITH q AS (SELECT node, programme_of(node, $2::date) AS root FROM unnest($1::text[]) AS node),"
          " r AS (SELECT * FROM node_eligibility WHERE valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date))"
          " SELECT q.node, r.node_code, r.rule_no, r.classes, coalesce(r.ethnic_minority::text, ''), r.area_classes,"
          " r.description, r.legal_doc, r.confirmed FROM q JOIN r ON r.node_code IN (q.node, q.root)"
          " WHERE r.node_code = q.node OR NOT EXISTS (SELECT 1 FROM r o WHERE o.node_code = q.node)"
          " ORDER BY q.node, r.rule_no",
          db::ArrayLiteral(nodes), d);
      for (const auto& row : rows) {
        EligibilityRule e;
        e.node_code = Str(row[1]);
        e.rule_no = row[2].as<int>();
        for (const auto& c : db::ArrayValue(row[3])) e.classes.insert(c);
        if (!Str(row[4]).empty()) e.ethnic_minority = Str(row[4]) == "true";
        for (const auto& a : db::ArrayValue(row[5])) e.area_classes.insert(a);
        e.description = Str(row[6]);
        e.legal_doc = Str(row[7]);
        e.confirmed = row[8].as<bool>();
        out[Str(row[0])].push_back(std::move(e));
      }
      return absl::OkStatus();
    });
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<CatalogueStore> NewPgCatalogueStore(db::Pool* pool) { return std::make_unique<PgCatalogueStore>(pool); }

}  // namespace lnob::funding
