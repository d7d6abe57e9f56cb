#include "services/funding/domain/catalogue_logic.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/text.h"
#include "common/util/date.h"
#include "common/util/uuid.h"

namespace lnob::funding {

// ---- catalogue ----

absl::Status CatalogueLogic::ListProgrammeNodes(const C& c, const v1::ListProgrammeNodesRequest& req,
                                              v1::ListProgrammeNodesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", s_.Today()));
  LNOB_ASSIGN_OR_RETURN(
      auto nodes,
      api::FetchPage<v1::ProgrammeNode>(
          s_.tokens, req,
          [&](const std::string& after, int limit) { return s_.catalogue->ListNodes(as_of, req.parent_code(), after, limit); },
          [](const v1::ProgrammeNode& n) { return n.code(); }, out->mutable_next_page_token()));
  for (auto& n : nodes) *out->add_nodes() = std::move(n);
  return absl::OkStatus();
}

absl::Status CatalogueLogic::GetProgrammeNode(const C& c, const v1::GetProgrammeNodeRequest& req,
                                            v1::ProgrammeNode* out) {
  absl::string_view code = req.name();
  if (!absl::ConsumePrefix(&code, "programmeNodes/") || code.empty()) {
    return InvalidField("name", "must be programmeNodes/{code}");
  }
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", s_.Today()));
  LNOB_ASSIGN_OR_RETURN(*out, s_.catalogue->GetNode(std::string(code), as_of));
  return absl::OkStatus();
}

absl::Status CatalogueLogic::CreateProgrammeNode(const C& c, const v1::CreateProgrammeNodeRequest& req,
                                               v1::ProgrammeNode* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  const auto& n = req.node();
  Violations v;
  const bool code_ok = n.code().size() >= 2 && n.code().size() <= 64 &&
                       std::all_of(n.code().begin(), n.code().end(), [](char ch) {
                         return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
                       });
  if (!code_ok) v.Add("node.code", "2-64 characters of A-Z, 0-9, '_' and '.'");
  if (n.kind() == v1::NODE_KIND_UNSPECIFIED || !v1::NodeKind_IsValid(n.kind())) v.Add("node.kind", "required");
  if (n.kind() == v1::PROGRAMME && !n.parent_code().empty()) v.Add("node.parent_code", "a programme has no parent");
  if (n.kind() != v1::PROGRAMME && n.parent_code().empty()) v.Add("node.parent_code", "required below a programme");
  if (n.display_name().empty()) v.Add("node.display_name", "required");
  if (n.legal_doc().empty()) v.Add("node.legal_doc", "required: the document that creates the node");
  if (Utf8Chars(n.display_name()) > 300) v.Add("node.display_name", "at most 300 characters");
  if (Utf8Chars(n.legal_doc()) > 500) v.Add("node.legal_doc", "at most 500 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay from, api::FromProtoDateOr(n.valid_from(), "node.valid_from", s_.Today()));
  LNOB_ASSIGN_OR_RETURN(*out, s_.catalogue->CreateNode(n, from, c.principal.subject,
                                                   api::IdempotencyKeyFor(req, "CreateProgrammeNode", c.principal.subject)));
  s_.ForgetCatalogue();
  return absl::OkStatus();
}

absl::Status CatalogueLogic::ReparentProgrammeNode(const C& c, const v1::ReparentProgrammeNodeRequest& req,
                                                 v1::ProgrammeNode* out) {
  absl::string_view code = req.name();
  if (!absl::ConsumePrefix(&code, "programmeNodes/") || code.empty()) {
    return InvalidField("name", "must be programmeNodes/{code}");
  }
  if (req.new_parent_code().empty()) return InvalidField("new_parent_code", "required");
  if (req.legal_doc().empty()) return InvalidField("legal_doc", "required: the document that moves the node");
  LNOB_RETURN_IF_ERROR(CheckTextLength(req.legal_doc(), "legal_doc", 500));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay from, api::FromProtoDate(req.effective_date(), "effective_date"));
  LNOB_ASSIGN_OR_RETURN(*out, s_.catalogue->ReparentNode(std::string(code), req.new_parent_code(), from, req.legal_doc()));
  s_.ForgetCatalogue();
  return absl::OkStatus();
}

absl::Status CatalogueLogic::ListFundingSources(const C& c, const v1::ListFundingSourcesRequest& req,
                                              v1::ListFundingSourcesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto sources, s_.catalogue->ListSources());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(s_.tokens, req, std::move(sources), out->mutable_next_page_token()));
  for (auto& s : page) *out->add_sources() = std::move(s);
  return absl::OkStatus();
}

}  // namespace lnob::funding
