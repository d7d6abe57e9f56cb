#include "services/funding/store/pg_funding_store.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/db/copy.h"
#include "common/db/idempotency.h"
#include "common/db/pool.h"
#include "common/db/sql_values.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/uuid.h"

namespace lnob::funding {
namespace {

using db::ArrayLiteral;
using db::Str;
using pqxx::transaction_base;

std::string Day(absl::CivilDay d) { return FormatDate(d); }

absl::Status Precondition(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::FailedPreconditionError(message), reason);
}

// The database's verdicts on the ledger invariants, as the API reports them.
absl::Status InvariantStatus(const pqxx::sql_error& e) {
  const std::string msg = e.what();
  auto first_line = msg.substr(0, msg.find('\n'));
  if (absl::StrContains(msg, "allocation_not_exceeded")) {
    return Precondition("ALLOCATION_EXCEEDED", "disbursements would exceed the allocation");
  }
  if (absl::StrContains(msg, "shares_sum:")) {
    return Precondition("SHARES_NOT_BALANCED", first_line.substr(first_line.find("shares_sum:")));
  }
  if (absl::StrContains(msg, "counterpart_ratio:")) {
    return Precondition("COUNTERPART_RATIO", first_line.substr(first_line.find("counterpart_ratio:")));
  }
  return db::StatusFromException(e);
}

template <typename Fn>
absl::Status Guard(Fn&& fn) {
  try {
    return fn();
  } catch (const pqxx::sql_error& e) {
    if (absl::StrContains(e.what(), "support_one_policy")) {
      return WithReason(absl::AlreadyExistsError("support_one_policy"), "ONE_POLICY");
    }
    if (absl::StrContains(e.what(), "support_lines_external_id")) {
      return WithReason(absl::AlreadyExistsError("external_id is already used by a live support line"),
                        "EXTERNAL_ID_EXISTS");
    }
    if (e.sqlstate() == "23514" || e.sqlstate() == "P0001") return InvariantStatus(e);
    throw;
  }
}

std::string Etag(int64_t v) { return api::EtagForVersion(v); }

// ---- catalogue ----

constexpr char kNodeColumns[] =
    "n.code, n.kind, coalesce(p.parent_code, ''), n.display_name, n.legal_doc, p.valid_from::text,"
    " coalesce(p.valid_to::text, ''), n.confirmed";

v1::ProgrammeNode NodeFromRow(const pqxx::row& r, const std::string& programme) {
  v1::ProgrammeNode n;
  n.set_code(Str(r[0]));
  n.set_name("programmeNodes/" + n.code());
  v1::NodeKind kind = v1::NODE_KIND_UNSPECIFIED;
  v1::NodeKind_Parse(Str(r[1]), &kind);
  n.set_kind(kind);
  n.set_parent_code(Str(r[2]));
  n.set_display_name(Str(r[3]));
  n.set_legal_doc(Str(r[4]));
  api::SetProtoDate(Str(r[5]), n.mutable_valid_from());
  if (!Str(r[6]).empty()) api::SetProtoDate(Str(r[6]), n.mutable_valid_to());
  n.set_confirmed(r[7].as<bool>());
  n.set_programme_code(programme);
  return n;
}

// ---- allocations ----

const std::string kAllocationColumns = absl::StrCat(
    "a.id::text, a.year, a.node_code, a.source, a.unit_code, a.amount, a.disbursed, a.revision, ",
    db::Rfc3339("a.updated_at"), ", a.updated_by");

v1::Allocation AllocationFromRow(const pqxx::row& r) {
  v1::Allocation a;
  a.set_name("allocations/" + Str(r[0]));
  a.set_year(r[1].as<int>());
  a.set_node_code(Str(r[2]));
  a.set_source(Str(r[3]));
  a.set_unit_code(Str(r[4]));
  a.set_amount_vnd(r[5].as<int64_t>());
  a.set_disbursed_vnd(r[6].as<int64_t>());
  a.set_revision(r[7].as<int>());
  a.set_etag(Etag(a.revision()));
  api::SetProtoTimestamp(Str(r[8]), a.mutable_update_time());
  a.set_updated_by(Str(r[9]));
  return a;
}

const std::string kDisbursementColumns = absl::StrCat(
    "d.id::text, a.year, a.node_code, a.source, a.unit_code, d.date::text, d.amount,"
    " coalesce(d.support_line_id::text, ''), d.note, ", db::Rfc3339("d.created_at"), ", d.created_by");

v1::Disbursement DisbursementFromRow(const pqxx::row& r) {
  v1::Disbursement d;
  d.set_name("disbursements/" + Str(r[0]));
  d.set_year(r[1].as<int>());
  d.set_node_code(Str(r[2]));
  d.set_source(Str(r[3]));
  d.set_unit_code(Str(r[4]));
  api::SetProtoDate(Str(r[5]), d.mutable_date());
  d.set_amount_vnd(r[6].as<int64_t>());
  if (!Str(r[7]).empty()) d.set_support_line("supportLines/" + Str(r[7]));
  d.set_note(Str(r[8]));
  api::SetProtoTimestamp(Str(r[9]), d.mutable_create_time());
  d.set_created_by(Str(r[10]));
  return d;
}

// ---- plans ----

const std::string kPlanColumns = absl::StrCat(
    "p.id::text, p.year, p.unit_code, p.state, p.comments, p.version, ", db::Rfc3339("p.created_at"), ", ",
    db::Rfc3339("p.updated_at"), ", p.created_by, p.updated_by");

absl::Status LoadPlanLines(transaction_base& tx, std::vector<v1::Plan*> plans) {
  if (plans.empty()) return absl::OkStatus();
  std::map<std::string, v1::Plan*> by_id;
  std::vector<std::string> ids;
  for (auto* p : plans) {
    ids.push_back(p->name().substr(6));
    by_id[ids.back()] = p;
  }
  auto r = tx.exec_params(
      "SELECT plan_id::text, node_code, source, amount, households,"
      " amount::float8 / sum(amount) OVER (PARTITION BY plan_id, node_code)"
      " FROM plan_lines WHERE plan_id = ANY($1::uuid[]) ORDER BY plan_id, line_no",
      ArrayLiteral(ids));
  for (const auto& row : r) {
    v1::Plan* p = by_id[Str(row[0])];
    auto* l = p->add_lines();
    l->set_node_code(Str(row[1]));
    l->set_source(Str(row[2]));
    l->set_amount_vnd(row[3].as<int64_t>());
    l->set_households(row[4].as<int64_t>());
    l->set_share(row[5].as<double>());
    p->set_total_vnd(p->total_vnd() + l->amount_vnd());
  }
  return absl::OkStatus();
}

v1::Plan PlanFromRow(const pqxx::row& r) {
  v1::Plan p;
  p.set_name("plans/" + Str(r[0]));
  p.set_year(r[1].as<int>());
  p.set_unit_code(Str(r[2]));
  v1::PlanState st = v1::PLAN_STATE_UNSPECIFIED;
  v1::PlanState_Parse(Str(r[3]), &st);
  p.set_state(st);
  p.set_comments(Str(r[4]));
  p.set_etag(Etag(r[5].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[6]), p.mutable_create_time());
  api::SetProtoTimestamp(Str(r[7]), p.mutable_update_time());
  p.set_created_by(Str(r[8]));
  p.set_updated_by(Str(r[9]));
  return p;
}

absl::StatusOr<v1::Plan> ReadPlan(transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kPlanColumns, " FROM plans p WHERE p.id = $1::uuid",
                                       lock ? " FOR UPDATE" : ""),
                          id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("plans/", id, " not found"));
  v1::Plan p = PlanFromRow(r[0]);
  LNOB_RETURN_IF_ERROR(LoadPlanLines(tx, {&p}));
  return p;
}

void InsertPlanLines(transaction_base& tx, const std::string& id, const std::vector<v1::PlanLine>& lines) {
  int no = 0;
  for (const auto& l : lines) {
    tx.exec_params(
        "INSERT INTO plan_lines (plan_id, line_no, node_code, source, amount, households)"
        " VALUES ($1::uuid, $2, $3, $4, $5, $6)",
        id, ++no, l.node_code(), l.source(), l.amount_vnd(), l.households());
  }
}

// ---- support lines ----

const std::string kLineColumns = std::string() +
    "l.id::text, l.household_id::text, l.content, l.date::text, l.year, l.quantity::float8,"
    " l.unit_of_measure, l.amount, l.state, l.classification, l.commune_code, l.ethnic_minority,"
    " l.review_flag, l.review_reason, coalesce(l.external_id, ''), l.version, " + db::Rfc3339("l.created_at") +
    ", l.created_by";

v1::SupportLine LineFromRow(const pqxx::row& r) {
  v1::SupportLine l;
  l.set_name("supportLines/" + Str(r[0]));
  l.set_household("households/" + Str(r[1]));
  l.set_content(Str(r[2]));
  api::SetProtoDate(Str(r[3]), l.mutable_date());
  l.set_year(r[4].as<int>());
  l.set_quantity(r[5].as<double>());
  l.set_unit_of_measure(Str(r[6]));
  l.set_amount_vnd(r[7].as<int64_t>());
  v1::SupportState st = v1::SUPPORT_STATE_UNSPECIFIED;
  v1::SupportState_Parse(Str(r[8]), &st);
  l.set_state(st);
  registry::v1::HouseholdClass cls = registry::v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  registry::v1::HouseholdClass_Parse(Str(r[9]), &cls);
  l.set_classification(cls);
  l.set_commune_code(Str(r[10]));
  l.set_ethnic_minority(r[11].as<bool>());
  l.set_review_flag(r[12].as<bool>());
  l.set_review_reason(Str(r[13]));
  l.set_external_id(Str(r[14]));
  l.set_etag(Etag(r[15].as<int64_t>()));
  api::SetProtoTimestamp(Str(r[16]), l.mutable_create_time());
  l.set_created_by(Str(r[17]));
  return l;
}

void LoadShares(transaction_base& tx, std::vector<v1::SupportLine*> lines) {
  if (lines.empty()) return;
  std::map<std::string, v1::SupportLine*> by_id;
  std::vector<std::string> ids;
  for (auto* l : lines) {
    ids.push_back(l->name().substr(13));
    by_id[ids.back()] = l;
  }
  auto r = tx.exec_params(
      "SELECT line_id::text, node_code, source, amount FROM funding_shares"
      " WHERE line_id = ANY($1::uuid[]) ORDER BY line_id, share_no",
      ArrayLiteral(ids));
  for (const auto& row : r) {
    auto* s = by_id[Str(row[0])]->add_shares();
    s->set_node_code(Str(row[1]));
    s->set_source(Str(row[2]));
    s->set_amount_vnd(row[3].as<int64_t>());
  }
}

absl::StatusOr<v1::SupportLine> ReadLine(transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_params(absl::StrCat("SELECT ", kLineColumns, " FROM support_lines l WHERE l.id = $1::uuid",
                                       lock ? " FOR UPDATE" : ""),
                          id);
  if (r.empty()) return absl::NotFoundError(absl::StrCat("supportLines/", id, " not found"));
  v1::SupportLine l = LineFromRow(r[0]);
  LoadShares(tx, {&l});
  return l;
}

std::string HouseholdUuid(const v1::SupportLine& l) { return l.household().substr(11); }
std::string LineUuid(const v1::SupportLine& l) { return l.name().substr(13); }

std::string ClassName(const v1::SupportLine& l) {
  return registry::v1::HouseholdClass_Name(l.classification());
}

// Shares first, then lines: the shares' FK is deferred and the line statement's trigger
// checks every new line's shares add up (see the migration).
void CopyLines(transaction_base& tx, const std::vector<const v1::SupportLine*>& lines, const std::string& actor,
               const std::string& import_id) {
  {
    db::CopyWriter w(tx, "funding_shares", {"line_id", "share_no", "node_code", "source", "amount"});
    std::string row;
    for (const auto* l : lines) {
      for (int i = 0; i < l->shares_size(); ++i) {
        row.clear();
        db::CopyField(&row, LineUuid(*l));
        db::CopyField(&row, absl::StrCat(i + 1));
        db::CopyField(&row, l->shares(i).node_code());
        db::CopyField(&row, l->shares(i).source());
        db::CopyField(&row, absl::StrCat(l->shares(i).amount_vnd()));
        w.WriteLine(row);
      }
    }
    w.Complete();
  }
  db::CopyWriter w(tx, "support_lines",
                   {"id", "household_id", "content", "date", "year", "quantity", "unit_of_measure", "amount", "state",
                    "classification", "commune_code", "ethnic_minority", "external_id", "import_id", "created_by"});
  std::string row;
  for (const auto* l : lines) {
    row.clear();
    db::CopyField(&row, LineUuid(*l));
    db::CopyField(&row, HouseholdUuid(*l));
    db::CopyField(&row, l->content());
    db::CopyField(&row, absl::StrFormat("%04d-%02d-%02d", l->date().year(), l->date().month(), l->date().day()));
    db::CopyField(&row, absl::StrCat(l->date().year()));
    db::CopyField(&row, absl::StrFormat("%.3f", l->quantity()));
    db::CopyField(&row, l->unit_of_measure());
    db::CopyField(&row, absl::StrCat(l->amount_vnd()));
    db::CopyField(&row, v1::SupportState_Name(l->state()));
    db::CopyField(&row, ClassName(*l));
    db::CopyField(&row, l->commune_code());
    db::CopyField(&row, db::CopyBool(l->ethnic_minority()));
    db::CopyOpt(&row, l->external_id());
    db::CopyOpt(&row, import_id);
    db::CopyField(&row, actor);
    w.WriteLine(row);
  }
  w.Complete();
}

class PgFundingStore : public FundingStore {
 public:
  explicit PgFundingStore(db::Pool* pool) : pool_(pool) {}

  bool Healthy() override { return pool_->Ping(); }

  // ---- catalogue ----

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

  // ---- allocations ----

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

  absl::StatusOr<v1::ConsolidatePlansResponse> Consolidate(int year) override {
    using Out = v1::ConsolidatePlansResponse;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      out.set_year(year);
      auto n = tx.exec_params("SELECT count(*) FROM plans WHERE year = $1 AND state = 'APPROVED'", year);
      out.set_approved_plans(n[0][0].as<int>());
      auto r = tx.exec_params(
          "SELECT l.node_code, coalesce(programme_of(l.node_code, make_date($1, 12, 31)), ''), l.source,"
          " sum(l.amount)::bigint, sum(l.households)::bigint, count(DISTINCT l.plan_id)"
          " FROM plan_lines l JOIN plans p ON p.id = l.plan_id WHERE p.year = $1 AND p.state = 'APPROVED'"
          " GROUP BY 1, 2, 3 ORDER BY 2, 1, 3",
          year);
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
      return absl::OkStatus();
    });
  }

  // ---- support ledger ----

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
          "SELECT id::text FROM support_lines WHERE household_id = $1::uuid AND content = $2 AND year = $3"
          " AND state <> 'CANCELLED'",
          household_id, content, year);
      if (!r.empty()) out = Str(r[0][0]);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<ImportOutcome> ImportBatch(const std::string& import_id, const std::string& actor,
                                            std::vector<ImportRow> rows) override {
    return pool_->Write<ImportOutcome>([&](transaction_base& tx, ImportOutcome& out) -> absl::Status {
      tx.exec_params("INSERT INTO imports (id, actor) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING", import_id, actor);
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
      // Conflicts with the ledger, found in one statement; then within the batch.
      std::map<std::string, std::string> taken;  // household|content|year -> line id
      for (const auto& row : tx.exec_params(
               "SELECT l.household_id::text || '|' || l.content || '|' || l.year, l.id::text"
               " FROM unnest($1::uuid[], $2::text[], $3::int[]) AS q(h, c, y)"
               " JOIN support_lines l ON l.household_id = q.h AND l.content = q.c AND l.year = q.y"
               " AND l.state <> 'CANCELLED'",
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
        const std::string k = absl::StrCat(HouseholdUuid(r->line), "|", r->line.content(), "|", r->line.date().year());
        if (auto it = taken.find(k); it != taken.end()) {
          v1::RowError e;
          e.set_row_number(r->row_number);
          e.set_field("content");
          e.set_message(absl::StrCat("one policy per household, content and year: supportLines/", it->second,
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

  // ---- reports ----

  absl::StatusOr<std::vector<v1::DisbursementReportRow>> DisbursementReport(const ReportQuery& q) override {
    using Out = std::vector<v1::DisbursementReportRow>;
    return pool_->Fetch<Out>([&](transaction_base& tx, Out& out) -> absl::Status {
      // Dimensions not grouped by collapse to ''. Plans, allocations (with their running
      // disbursed totals) and the ledger aggregate are each summed, then joined on the keys.
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
          " al AS (SELECT ", keys("unit_code"), ", sum(amount)::bigint AS a, sum(disbursed)::bigint AS d"
          "  FROM allocations WHERE year = $1", absl::StrReplaceAll(unit_filter, {{"%s", "unit_code"}}),
          " GROUP BY 1, 2, 3, 4),",
          " sp AS (SELECT ", keys("commune_code"), ", sum(amount)::bigint AS v FROM support_agg WHERE year = $1",
          absl::StrReplaceAll(unit_filter, {{"%s", "commune_code"}}), " GROUP BY 1, 2, 3, 4)",
          " SELECT k.source, k.programme, k.node, k.unit, coalesce(pl.v, 0), coalesce(al.a, 0), coalesce(al.d, 0),"
          "  coalesce(sp.v, 0)"
          " FROM (SELECT source, programme, node, unit FROM pl UNION SELECT source, programme, node, unit FROM al"
          "       UNION SELECT source, programme, node, unit FROM sp) k"
          " LEFT JOIN pl USING (source, programme, node, unit) LEFT JOIN al USING (source, programme, node, unit)"
          " LEFT JOIN sp USING (source, programme, node, unit) ORDER BY 1, 2, 3, 4");
      auto r = tx.exec_params(sql, q.year, q.units.has_value(), ArrayLiteral(q.units.value_or(std::vector<std::string>{})));
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

  // ---- change feed ----

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
      // The cursor row lock makes one consumer at a time apply changes.
      tx.exec_params("INSERT INTO feed_cursors (feed, cursor) VALUES ($1, 0) ON CONFLICT DO NOTHING", feed);
      auto c = tx.exec_params("SELECT cursor FROM feed_cursors WHERE feed = $1 FOR UPDATE", feed);
      const int64_t stored = c[0][0].as<int64_t>();
      int64_t last = stored;
      for (const auto& ch : changes) {
        if (ch.cursor <= last) continue;
        last = ch.cursor;
        if (ch.household_id.empty()) continue;
        pqxx::result r;
        if (ch.closed) {
          r = tx.exec_params(
              "UPDATE support_lines SET review_flag = true, review_reason = $2, version = version + 1, updated_at = now()"
              " WHERE household_id = $1::uuid AND state = 'PLANNED' AND NOT review_flag",
              ch.household_id, ch.reason);
        } else {
          r = tx.exec_params(
              "UPDATE support_lines l SET review_flag = true, review_reason = $3, version = version + 1, updated_at = now()"
              " FROM support_contents c WHERE c.code = l.content AND l.household_id = $1::uuid AND l.state = 'PLANNED'"
              " AND NOT ($2 = ANY(c.eligible_classes)) AND NOT l.review_flag",
              ch.household_id, ch.classification, ch.reason);
        }
        out += r.affected_rows();
      }
      if (last != stored) {
        tx.exec_params("UPDATE feed_cursors SET cursor = $2, updated_at = now() WHERE feed = $1", feed, last);
      }
      return absl::OkStatus();
    });
  }

 private:
  db::Pool* pool_;
};

}  // namespace

std::unique_ptr<FundingStore> NewPgFundingStore(db::Pool* pool) { return std::make_unique<PgFundingStore>(pool); }

}  // namespace lnob::funding
