#include "services/registry/domain/refdata.h"

#include <openssl/sha.h>

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"
#include "common/util/date.h"

namespace lnob::registry {
namespace {


const EmbeddedFile* Find(const std::vector<EmbeddedFile>& files, absl::string_view name) {
  for (const auto& f : files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  for (absl::string_view p : absl::StrSplit(s, ';')) {
    p = absl::StripAsciiWhitespace(p);
    if (!p.empty()) out.emplace_back(p);
  }
  return out;
}

// Unit type after a rename, from the official name's prefix.
std::string TypeFromName(const std::string& name, const std::string& level) {
  if (absl::StartsWith(name, "Phường ")) return "phường";
  if (absl::StartsWith(name, "Xã ")) return "xã";
  if (absl::StartsWith(name, "Thị trấn ")) return "thị trấn";
  if (absl::StartsWith(name, "Thành phố ")) {
    return level == "province" ? "thành phố trực thuộc trung ương" : "thành phố";
  }
  if (absl::StartsWith(name, "Tỉnh ")) return "tỉnh";
  return "";
}

}  // namespace

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& name,
                                                               const std::string& content,
                                                               size_t columns) {
  std::vector<std::vector<std::string>> rows;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_no;
    line = absl::StripSuffix(line, "\r");
    if (line.empty()) continue;
    if (line_no == 1) continue;  // header
    if (absl::StrContains(line, '"')) {
      return absl::InvalidArgumentError(absl::StrCat(name, " line ", line_no, ": quoted fields are not supported"));
    }
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() != columns) {
      return absl::InvalidArgumentError(absl::StrCat(name, " line ", line_no, ": expected ", columns,
                                                     " columns, got ", f.size()));
    }
    rows.push_back(std::move(f));
  }
  return rows;
}

absl::StatusOr<RefDataBundle> BuildRefData(const std::vector<EmbeddedFile>& files) {
  RefDataBundle b;
  std::string all;
  for (const auto& f : files) absl::StrAppend(&all, f.name, "\n", f.content, "\n");
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(all.data()), all.size(), d);
  b.checksum = absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(d), sizeof d));

  auto need = [&](const char* n) -> absl::StatusOr<const EmbeddedFile*> {
    const EmbeddedFile* f = Find(files, n);
    if (!f) return absl::NotFoundError(absl::StrCat("reference file missing: ", n));
    return f;
  };

  // The 2025 reform's dates and documents are data (admin_reforms.csv), not constants.
  LNOB_ASSIGN_OR_RETURN(const EmbeddedFile* reforms_file, need("admin_reforms.csv"));
  LNOB_ASSIGN_OR_RETURN(auto reform_rows, ParseCsv(reforms_file->name, reforms_file->content, 4));
  std::map<std::string, std::pair<absl::CivilDay, std::string>> reforms;  // code -> (date, document)
  for (const auto& r : reform_rows) {
    LNOB_ASSIGN_OR_RETURN(absl::CivilDay eff, ParseDate(r[1]));
    reforms[r[0]] = {eff, r[2]};
  }
  for (const char* code : {"DISTRICT_ABOLITION_2025", "COMMUNE_MERGER_2025"}) {
    if (!reforms.count(code)) return absl::NotFoundError(absl::StrCat("admin_reforms.csv: no row ", code));
  }
  const auto& [abolition_day, abolition_doc] = reforms["DISTRICT_ABOLITION_2025"];
  const auto& [merger_day, merger_doc] = reforms["COMMUNE_MERGER_2025"];

  // Pre-reform units: in force until the day before the merger (start before the data's horizon).
  for (const char* n : {"admin_units_binh_phuoc_pre2025.csv", "admin_units_dong_nai_pre2025.csv"}) {
    LNOB_ASSIGN_OR_RETURN(const EmbeddedFile* f, need(n));
    LNOB_ASSIGN_OR_RETURN(auto rows, ParseCsv(n, f->content, 5));
    for (auto& r : rows) {
      UnitVersion u{r[0], r[1], r[2], r[3], r[4]};
      u.valid_to = merger_day - 1;
      u.legal_doc = "GSO list of 01/03/2025";
      u.source = n;
      b.units.push_back(std::move(u));
      if (b.units.back().level == "district") {
        b.lineage.push_back({r[0], r[1], "", "", "abolished", abolition_day, abolition_doc, true});
      }
    }
  }

  // 2026 renames (UNCONFIRMED, single source): close the 2025 version, open a new one.
  LNOB_ASSIGN_OR_RETURN(const EmbeddedFile* changes, need("admin_unit_changes_dong_nai_2026.csv"));
  LNOB_ASSIGN_OR_RETURN(auto change_rows, ParseCsv(changes->name, changes->content, 7));
  std::map<std::string, std::vector<std::string>> renames;  // code -> row
  for (auto& r : change_rows) {
    LNOB_ASSIGN_OR_RETURN(absl::CivilDay eff, ParseDate(r[5]));
    b.lineage.push_back({r[0], r[1], r[2], r[3], r[4], eff, r[6], false});
    renames[r[0]] = r;
  }

  LNOB_ASSIGN_OR_RETURN(const EmbeddedFile* post, need("admin_units_dong_nai_2025.csv"));
  LNOB_ASSIGN_OR_RETURN(auto post_rows, ParseCsv(post->name, post->content, 6));
  for (auto& r : post_rows) {
    UnitVersion u{r[0], r[1], r[2], r[3], r[4]};
    u.valid_from = merger_day;
    u.legal_doc = merger_doc;
    u.source = post->name;
    auto it = renames.find(u.code);
    if (it != renames.end()) {
      LNOB_ASSIGN_OR_RETURN(absl::CivilDay eff, ParseDate(it->second[5]));
      UnitVersion next = u;
      u.valid_to = eff - 1;
      next.valid_from = eff;
      next.name = it->second[3];
      next.unit_type = TypeFromName(next.name, next.level);
      if (next.unit_type.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(changes->name, ": cannot derive the unit type of ", next.name));
      }
      next.legal_doc = it->second[6];
      next.source = changes->name;
      next.confirmed = false;
      b.units.push_back(std::move(u));
      b.units.push_back(std::move(next));
    } else {
      b.units.push_back(std::move(u));
    }
  }

  LNOB_ASSIGN_OR_RETURN(const EmbeddedFile* lin, need("admin_unit_lineage_2025.csv"));
  LNOB_ASSIGN_OR_RETURN(auto lin_rows, ParseCsv(lin->name, lin->content, 7));
  for (auto& r : lin_rows) {
    LNOB_ASSIGN_OR_RETURN(absl::CivilDay eff, ParseDate(r[5]));
    b.lineage.push_back({r[0], r[1], r[2], r[3], r[4], eff, r[6], true});
  }

  LNOB_ASSIGN_OR_RETURN(const EmbeddedFile* eg, need("ethnic_groups.csv"));
  LNOB_ASSIGN_OR_RETURN(auto eg_rows, ParseCsv(eg->name, eg->content, 3));
  LNOB_ASSIGN_OR_RETURN(const EmbeddedFile* cw, need("ethnic_groups_code_crosswalk.csv"));
  LNOB_ASSIGN_OR_RETURN(auto cw_rows, ParseCsv(cw->name, cw->content, 7));
  std::map<std::string, std::vector<std::string>> crosswalk;
  for (auto& r : cw_rows) crosswalk[r[0]] = r;
  for (auto& r : eg_rows) {
    EthnicGroupRow g{r[0], r[1], ""};
    g.other_names = SplitList(r[2]);
    auto it = crosswalk.find(r[0]);
    if (it == crosswalk.end()) {
      return absl::InvalidArgumentError(absl::StrCat(cw->name, ": no row for ethnic group ", r[0]));
    }
    g.code_1979 = it->second[3];
    g.name_variants = SplitList(it->second[5]);
    b.ethnic_groups.push_back(std::move(g));
  }
  if (b.ethnic_groups.size() != 54) {
    return absl::InvalidArgumentError(absl::StrCat("ethnic_groups.csv: expected the 54 official groups, got ",
                                                   b.ethnic_groups.size()));
  }
  return b;
}

}  // namespace lnob::registry
