#include "services/funding/domain/support_logic.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/proto_date.h"
#include "common/api/import_stream.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"
#include "common/util/uuid.h"

namespace lnob::funding {
namespace {

constexpr int kImportBatch = 2000;
constexpr int kMaxRowErrors = 1000;

}  // namespace

// ---- support ledger ----

absl::Status SupportLogic::PrepareLine(Catalogue& cat, v1::SupportLine* l, const std::string& prefix) {
  LNOB_ASSIGN_OR_RETURN(std::string hid, api::ParseUuidId(l->household(), "households", prefix + "household"));
  if (!cat.contents.count(l->content())) return InvalidField(prefix + "content", "unknown support content");
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay date, api::FromProtoDate(l->date(), prefix + "date"));
  if (date.year() < 2000 || date.year() > 2100) return InvalidField(prefix + "date", "must be in 2000-2100");
  if (l->quantity() == 0) l->set_quantity(1);
  if (!(l->quantity() > 0) || l->quantity() > 1e9) return InvalidField(prefix + "quantity", "must be positive");
  if (l->amount_vnd() <= 0) return InvalidField(prefix + "amount_vnd", "must be positive");
  if (l->shares_size() == 0) return InvalidField(prefix + "shares", "at least one funding share is required");
  if (l->external_id().size() > 64) return InvalidField(prefix + "external_id", "at most 64 characters");
  if (l->unit_of_measure().size() > 32) return InvalidField(prefix + "unit_of_measure", "at most 32 characters");
  l->clear_eligibility_basis();
  LNOB_RETURN_IF_ERROR(CheckTextLength(l->eligibility_override_reason(), prefix + "eligibility_override_reason", 500));
  if (l->state() == v1::SUPPORT_STATE_UNSPECIFIED) l->set_state(v1::PLANNED);
  if (l->state() != v1::PLANNED && l->state() != v1::DELIVERED) {
    return InvalidField(prefix + "state", "a new line is PLANNED or DELIVERED");
  }
  int64_t sum = 0;
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < l->shares_size(); ++i) {
    const auto& s = l->shares(i);
    const std::string p = absl::StrCat(prefix, "shares[", i, "].");
    LNOB_RETURN_IF_ERROR(s_.CheckNode(cat, s.node_code(), date.year(), p + "node_code"));
    if (!cat.sources.count(s.source())) return InvalidField(p + "source", "unknown funding source");
    if (s.amount_vnd() <= 0) return InvalidField(p + "amount_vnd", "must be positive");
    if (!seen.insert({s.node_code(), s.source()}).second) {
      return InvalidField(p + "source", "repeats another share's node and source");
    }
    if (__builtin_add_overflow(sum, s.amount_vnd(), &sum)) return InvalidField(p + "amount_vnd", "too large");
  }
  if (sum != l->amount_vnd()) {
    return InvalidField(prefix + "shares",
                        absl::StrCat("shares sum to ", sum, " VND but amount_vnd is ", l->amount_vnd(), " VND"));
  }
  l->set_household("households/" + hid);
  l->set_year(static_cast<int32_t>(date.year()));
  l->set_name("supportLines/" + NewUuidV7(s_.clock.Now()));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<SupportLogic::Refusal>> SupportLogic::CheckEligibility(const Catalogue& cat,
                                                                                    const HouseholdFact& fact,
                                                                                    v1::SupportLine* l,
                                                                                    const std::string& prefix,
                                                                                    RulesCache* cache) {
  const absl::CivilDay date(l->date().year(), l->date().month(), l->date().day());
  std::vector<std::string> nodes;
  for (const auto& s : l->shares()) nodes.push_back(s.node_code());
  std::map<std::string, std::vector<EligibilityRule>> rules;
  auto cached = cache ? cache->find({date, nodes}) : RulesCache::iterator();
  if (cache && cached != cache->end()) {
    rules = cached->second;
  } else {
    LNOB_ASSIGN_OR_RETURN(rules, s_.catalogue->EligibilityRules(nodes, date));
    if (cache) cache->emplace(std::make_pair(date, nodes), rules);
  }
  std::string field, why;
  const auto& classes = cat.contents.at(l->content());
  if (!classes.empty() && !classes.count(fact.classification)) {
    field = prefix + "content";
    why = absl::StrCat(l->content(), " supports ", absl::StrJoin(classes, " or "), " households; the household is ",
                       fact.classification.empty() ? "unclassified" : fact.classification, " on the support date");
  }
  std::vector<std::string> bases;
  for (int i = 0; i < l->shares_size() && why.empty(); ++i) {
    auto it = rules.find(l->shares(i).node_code());
    if (it == rules.end()) continue;
    std::string basis;
    why = Ineligibility(it->second, fact, &basis);
    if (!why.empty()) field = absl::StrCat(prefix, "shares[", i, "].node_code");
    else bases.push_back(basis);
  }
  if (why.empty()) {
    l->set_eligibility_basis(absl::StrJoin(bases, "; "));
    return std::optional<Refusal>();
  }
  if (!l->eligibility_override_reason().empty()) {
    l->set_eligibility_basis(absl::StrCat("OVERRIDE (", field, ": ", why, ")"));
    return std::optional<Refusal>();
  }
  return std::optional<Refusal>(Refusal{field, absl::StrCat(why, "; give eligibility_override_reason to record it anyway")});
}

namespace {
void AttachFacts(const HouseholdFact& f, v1::SupportLine* l) {
  registry::v1::HouseholdClass cls = registry::v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  registry::v1::HouseholdClass_Parse(f.classification, &cls);
  l->set_classification(cls);
  l->set_commune_code(f.commune_code);
  l->set_ethnic_minority(f.ethnic_minority);
}
}  // namespace

absl::Status SupportLogic::CreateSupportLine(const C& c, const v1::CreateSupportLineRequest& req,
                                             v1::SupportLine* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  v1::SupportLine line = req.line();
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, s_.LoadCatalogue());
  LNOB_RETURN_IF_ERROR(PrepareLine(cat, &line, "line."));
  const absl::CivilDay date(line.date().year(), line.date().month(), line.date().day());
  // The registry decides whether the caller may see the household; nothing is written
  // when it cannot be asked.
  LNOB_ASSIGN_OR_RETURN(auto facts, s_.registry->Facts(c, {{line.household().substr(11), date}}));
  if (facts.empty() || !facts[0].found) {
    return WithReason(absl::NotFoundError(absl::StrCat("line.household: ", req.line().household(), " not found")),
                      "HOUSEHOLD_NOT_FOUND");
  }
  AttachFacts(facts[0], &line);
  LNOB_ASSIGN_OR_RETURN(auto refusal, CheckEligibility(cat, facts[0], &line, "line."));
  if (refusal) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(refusal->field, ": ", refusal->why)), "NOT_ELIGIBLE");
  }
  auto created = s_.support->CreateSupportLine(line, c.principal.subject, api::IdempotencyKeyFor(req, "CreateSupportLine", c.principal.subject));
  if (created.status().code() == absl::StatusCode::kAlreadyExists && GetReason(created.status()) == "ONE_POLICY") {
    LNOB_ASSIGN_OR_RETURN(auto existing, s_.support->ExistingPolicy(line.household().substr(11), line.content(), line.year()));
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "one policy per household, content and period (a year, or once for ", line.content(),
            " when support_contents says ONCE): supportLines/", existing.value_or("?"), " already gives ",
            line.content(), " to this household",
            "; to integrate programmes, cancel it and record one line with each programme as a share")),
        "DOUBLE_FUNDING");
  }
  LNOB_ASSIGN_OR_RETURN(*out, std::move(created));
  return absl::OkStatus();
}

absl::Status SupportLogic::GetSupportLine(const C& c, const v1::GetSupportLineRequest& req, v1::SupportLine* out) {
  LNOB_ASSIGN_OR_RETURN(*out, s_.VisibleLine(c, req.name(), "name"));
  return absl::OkStatus();
}

absl::Status SupportLogic::BatchGetSupportLines(const C& c, const v1::BatchGetSupportLinesRequest& req,
                                                v1::BatchGetSupportLinesResponse* out) {
  constexpr int kMaxNames = 1000;
  if (req.names_size() > kMaxNames) return InvalidField("names", "at most 1,000 names per call");
  std::vector<std::string> ids;
  ids.reserve(req.names_size());
  for (int i = 0; i < req.names_size(); ++i) {
    LNOB_ASSIGN_OR_RETURN(std::string id,
                          api::ParseUuidId(req.names(i), "supportLines", absl::StrCat("names[", i, "]")));
    ids.push_back(std::move(id));
  }
  LNOB_ASSIGN_OR_RETURN(auto lines, s_.support->GetSupportLines(ids));
  std::map<std::string, v1::SupportLine> by_name;
  // One scope answer per (commune, year): a batch is usually a few communes.
  std::map<std::pair<std::string, int>, bool> visible;
  for (auto& l : lines) {
    auto key = std::make_pair(l.commune_code(), l.year());
    auto it = visible.find(key);
    if (it == visible.end()) {
      LNOB_ASSIGN_OR_RETURN(bool ok, s_.InScope(c.principal, l.commune_code(), l.year()));
      it = visible.emplace(key, ok).first;
    }
    if (it->second) by_name[l.name()] = std::move(l);
  }
  for (int i = 0; i < req.names_size(); ++i) {
    auto* r = out->add_results();
    r->set_name(req.names(i));
    auto it = by_name.find("supportLines/" + ids[i]);
    if (it == by_name.end()) continue;
    r->set_found(true);
    *r->mutable_line() = it->second;
  }
  return absl::OkStatus();
}

absl::Status SupportLogic::ListSupportLines(const C& c, const v1::ListSupportLinesRequest& req,
                                            v1::ListSupportLinesResponse* out) {
  SupportQuery q;
  if (!req.household().empty()) {
    LNOB_ASSIGN_OR_RETURN(q.household_id, api::ParseUuidId(req.household(), "households", "household"));
  }
  if (req.year() != 0) LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  q.year = req.year();
  q.content = req.content();
  q.review_flag_only = req.review_flag_only();
  const int scope_year = req.year() != 0 ? req.year() : static_cast<int>(s_.Today().year());
  LNOB_ASSIGN_OR_RETURN(q.communes, s_.ScopeFilter(c.principal, req.commune_code(), scope_year, "commune_code"));
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<v1::SupportLine>(
                     s_.tokens, req,
                     [&](const std::string& after, int limit) {
                       q.after_id = after;
                       q.limit = limit;
                       return s_.support->ListSupportLines(q);
                     },
                     [](const v1::SupportLine& l) { return api::IdOf(l.name()); }, out->mutable_next_page_token()));
  for (auto& l : rows) *out->add_lines() = std::move(l);
  return absl::OkStatus();
}

template <typename Req>

absl::Status SupportLogic::LineAction(const C& c, const Req& req, const std::string& action,
                                      v1::SupportLine* out) {
  LNOB_RETURN_IF_ERROR(CheckTextLength(req.reason(), "reason", 1000));
  LNOB_ASSIGN_OR_RETURN(v1::SupportLine l, s_.VisibleLine(c, req.name(), "name"));
  if (action != "CLEAR_FLAG") LNOB_RETURN_IF_ERROR(NotHeld(l, "name"));
  LNOB_ASSIGN_OR_RETURN(*out, s_.support->ChangeSupportLine(l.name().substr(13), req.etag(), action, req.reason(),
                                                        c.principal.subject));
  return absl::OkStatus();
}

absl::Status SupportLogic::DeliverSupportLine(const C& c, const v1::DeliverSupportLineRequest& req,
                                              v1::SupportLine* out) {
  return LineAction(c, req, "DELIVER", out);
}
absl::Status SupportLogic::CancelSupportLine(const C& c, const v1::CancelSupportLineRequest& req,
                                             v1::SupportLine* out) {
  if (req.reason().empty()) return InvalidField("reason", "required when cancelling a line");
  return LineAction(c, req, "CANCEL", out);
}
absl::Status SupportLogic::ClearReviewFlag(const C& c, const v1::ClearReviewFlagRequest& req,
                                           v1::SupportLine* out) {
  return LineAction(c, req, "CLEAR_FLAG", out);
}

absl::Status SupportLogic::ImportSupportLines(const C& c,
                                              server::MessageReader<v1::ImportSupportLinesRequest>& in,
                                              v1::ImportSupportLinesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, s_.LoadCatalogue());
  api::ImportHeader header;
  api::ImportReport<v1::ImportSupportLinesResponse> report(out, kMaxRowErrors);
  api::BatchWriter<ImportRow> writer(
      [this, &header, actor = c.principal.subject](std::vector<ImportRow> rows) -> absl::StatusOr<api::BatchOutcome> {
        auto outcome = s_.support->ImportBatch(header.id(), actor, rows);
        if (outcome.status().code() == absl::StatusCode::kAlreadyExists) {
          // A concurrent writer took a household x content x year between the check and the
          // COPY; the retry sees it and reports the row.
          outcome = s_.support->ImportBatch(header.id(), actor, std::move(rows));
        }
        if (!outcome.ok()) return outcome.status();
        api::BatchOutcome b{outcome->committed, outcome->already_done, {}};
        for (const auto& e : outcome->errors) b.errors.push_back({e.row_number(), e.field(), e.message()});
        return b;
      },
      [&report](const api::BatchOutcome& b) { report.Add(b); });
  std::vector<ImportRow> batch;
  RulesCache rules_cache;  // the catalogue's rules, asked once per (date, nodes) for the whole import
  // Checks a batch's households with the registry (in chunks of its batch limit), then hands
  // it to the writer; a registry failure ends the import with everything committed so far
  // kept (the import id resumes it).
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    std::vector<std::pair<std::string, absl::CivilDay>> queries;
    for (const auto& r : batch) {
      queries.emplace_back(r.line.household().substr(11),
                           absl::CivilDay(r.line.date().year(), r.line.date().month(), r.line.date().day()));
    }
    std::vector<HouseholdFact> facts;
    for (size_t i = 0; i < queries.size(); i += 1000) {
      std::vector<std::pair<std::string, absl::CivilDay>> part(
          queries.begin() + i, queries.begin() + std::min(queries.size(), i + 1000));
      LNOB_ASSIGN_OR_RETURN(auto got, s_.registry->Facts(c, part));
      facts.insert(facts.end(), got.begin(), got.end());
    }
    std::vector<ImportRow> rows;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!facts[i].found) {
        report.Failed(batch[i].row_number, "household", absl::StrCat(batch[i].line.household(), " not found"));
        continue;
      }
      AttachFacts(facts[i], &batch[i].line);
      LNOB_ASSIGN_OR_RETURN(auto refusal, CheckEligibility(cat, facts[i], &batch[i].line, "", &rules_cache));
      if (refusal) {
        report.Failed(batch[i].row_number, refusal->field, refusal->why);
        continue;
      }
      rows.push_back(std::move(batch[i]));
    }
    batch.clear();
    return writer.Submit(std::move(rows));
  };
  v1::ImportSupportLinesRequest msg;
  int64_t last_row = 0;
  while (in.Read(&msg)) {
    LNOB_RETURN_IF_ERROR(header.Accept(msg.import_id()));
    out->set_import_id(header.id());
    if (!msg.has_line()) continue;
    report.Received();
    if (msg.row_number() <= last_row) {
      return InvalidField("row_number", absl::StrCat("must increase (", msg.row_number(), " after ", last_row, ")"));
    }
    last_row = msg.row_number();
    ImportRow row{msg.row_number(), std::move(*msg.mutable_line())};
    if (auto st = PrepareLine(cat, &row.line, ""); !st.ok()) {
      report.Failed(row.row_number, st, "");
      continue;
    }
    batch.push_back(std::move(row));
    if (batch.size() >= kImportBatch) LNOB_RETURN_IF_ERROR(flush());
  }
  LNOB_RETURN_IF_ERROR(header.Finish());
  LNOB_RETURN_IF_ERROR(flush());
  return writer.Drain();
}

}  // namespace lnob::funding
