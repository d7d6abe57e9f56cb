#include "services/registry/export/simulation_export.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/proto_date.h"
#include "common/export/xlsx_file.h"
#include "common/util/csv.h"
#include "xlsxwriter.h"

namespace lnob::registry {
namespace {

// Classes in Vietnamese, as the communes' lists name them.
std::string ClassLabel(const std::string& c) {
  static const auto* m = new std::map<std::string, std::string>{
      {"POOR", "Nghèo"},
      {"NEAR_POOR", "Cận nghèo"},
      {"MIDDLE_INCOME", "Có mức sống trung bình"},
      {"NOT_POOR", "Không nghèo"},
      {"UNCLASSIFIED", "Chưa phân loại"},
  };
  auto it = m->find(c);
  return it == m->end() ? c : it->second;
}

std::string Area(v1::AreaType a) { return a == v1::AREA_TYPE_URBAN ? "URBAN" : "RURAL"; }

}  // namespace

std::string SimulationHouseholdsCsv(const v1::Simulation& s, const std::vector<v1::SimulatedHousehold>& households) {
  std::string out = csv::FormatRecord({"simulation", "standard", "household", "commune_code", "unit_code", "village",
                                       "head_name", "head_ethnicity_code", "area_type", "from_class", "best_class",
                                       "worst_class", "unknown_inputs", "current_commune_code", "masked_fields"}) +
                    "\n";
  for (const auto& h : households) {
    out += csv::FormatRecord({s.name(), csv::SafeText(s.standard().id()), h.household(), h.commune_code(), h.unit_code(),
                              csv::SafeText(h.village()), csv::SafeText(h.head_name()), h.head_ethnicity_code(),
                              Area(h.area_type()), h.from_class(), h.best_class(), h.worst_class(),
                              absl::StrJoin(h.unknown_inputs(), " "), h.current_commune_code(),
                              absl::StrJoin(h.masked_fields(), " ")}) +
           "\n";
  }
  return out;
}

absl::StatusOr<std::string> SimulationXlsx(const v1::Simulation& s,
                                           const std::vector<v1::SimulatedHousehold>& households) {
  xlsx::WorkbookFile file;
  lxw_workbook* wb = file.workbook();
  if (wb == nullptr) return absl::InternalError("the workbook could not be created");
  lxw_format* title = file.formats().title;
  lxw_format* bold = file.formats().bold;
  lxw_format* head = file.formats().head;
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "#,##0");
  lxw_format* percent = workbook_add_format(wb);
  format_set_num_format(percent, "0.00%");
  auto headings = [&](lxw_worksheet* ws, int row, std::initializer_list<const char*> names) {
    int col = 0;
    for (const char* n : names) worksheet_write_string(ws, row, col++, n, head);
  };
  auto num = [&](lxw_worksheet* ws, int row, int col, int64_t v) {
    worksheet_write_number(ws, row, col, static_cast<double>(v), integer);
  };

  // The simulation: what was applied to what.
  lxw_worksheet* ov = workbook_add_worksheet(wb, "Thông tin mô phỏng");
  worksheet_set_column(ov, 0, 0, 34, nullptr);
  worksheet_set_column(ov, 1, 3, 22, nullptr);
  worksheet_write_string(ov, 0, 0, s.title().c_str(), title);
  int row = 2;
  auto kv = [&](const char* k, const std::string& v) {
    worksheet_write_string(ov, row, 0, k, bold);
    worksheet_write_string(ov, row++, 1, v.c_str(), nullptr);
  };
  kv("Mô phỏng", s.name());
  kv("Chuẩn nghèo áp dụng", absl::StrCat(s.standard().id(), s.draft_standard() ? " (dự thảo)" : ""));
  kv("Hiệu lực từ", api::ProtoDateText(s.standard().valid_from()));
  kv("Số chỉ số thiếu hụt tối thiểu (hộ nghèo)", absl::StrCat(s.standard().min_deprivations_poor()));
  std::vector<std::string> codes;
  for (const auto& i : s.standard().indicators()) codes.push_back(i.code());
  kv("Chỉ số thiếu hụt", absl::StrJoin(codes, ", "));
  for (const auto& l : s.standard().lines()) {
    kv(l.area_type() == v1::AREA_TYPE_URBAN ? "Chuẩn thu nhập thành thị (đồng/người/tháng)"
                                            : "Chuẩn thu nhập nông thôn (đồng/người/tháng)",
       absl::StrCat(l.income_line_vnd(), l.middle_income_cap_vnd() > 0
                                             ? absl::StrCat("; mức sống trung bình đến ", l.middle_income_cap_vnd())
                                             : "; mức sống trung bình: chưa có"));
  }
  kv("Đơn vị", s.unit_code().empty() ? "toàn bộ" : s.unit_code());
  kv("Địa giới hành chính ngày", api::ProtoDateText(s.geography()));
  kv("Cơ sở: rà soát được duyệt đến ngày", api::ProtoDateText(s.as_of()));
  kv("Con trỏ thay đổi của sổ hộ", absl::StrCat(s.registry_cursor()));
  kv("Số hộ", absl::StrCat(s.households()));
  kv("Số hộ xác định được một mức", absl::StrCat(s.exact_households()));
  kv("Số hộ thay đổi phân loại", absl::StrCat(s.changing_households()));
  kv("Người lập", s.creator());
  row++;
  worksheet_write_string(ov, row++, 0, "Thông tin chưa biết", bold);
  headings(ov, row++, {"Thông tin", "Số hộ bị ảnh hưởng"});
  for (const auto& u : s.unknown_inputs()) {
    worksheet_write_string(ov, row, 0, u.input().c_str(), nullptr);
    num(ov, row++, 1, u.households());
  }

  // Summary by unit, the total last.
  lxw_worksheet* us = workbook_add_worksheet(wb, "Tổng hợp theo đơn vị");
  worksheet_set_column(us, 0, 13, 16, nullptr);
  headings(us, 0, {"Mã đơn vị", "Số hộ", "Hộ nghèo hiện nay", "Hộ cận nghèo hiện nay", "Hộ nghèo (tốt nhất)",
                   "Hộ nghèo (xấu nhất)", "Hộ cận nghèo (tốt nhất)", "Hộ cận nghèo (xấu nhất)",
                   "Vào diện nghèo (chắc chắn)", "Vào diện nghèo (có thể)", "Ra khỏi diện nghèo",
                   "Tỷ lệ nghèo hiện nay", "Tỷ lệ nghèo (tốt nhất)", "Tỷ lệ nghèo (xấu nhất)"});
  row = 1;
  for (const auto& u : s.units()) {
    worksheet_write_string(us, row, 0, u.unit_code().empty() ? "Tổng" : u.unit_code().c_str(), nullptr);
    int col = 1;
    for (int64_t v : {u.households(), u.poor_now(), u.near_poor_now(), u.poor_best(), u.poor_worst(),
                      u.near_poor_best(), u.near_poor_worst(), u.entering_poverty_best(), u.entering_poverty_worst(),
                      u.leaving_poverty()}) {
      num(us, row, col++, v);
    }
    for (double v : {u.poverty_rate_now(), u.poverty_rate_best(), u.poverty_rate_worst()}) {
      worksheet_write_number(us, row, col++, v, percent);
    }
    ++row;
  }

  // The transition matrix.
  lxw_worksheet* mx = workbook_add_worksheet(wb, "Ma trận chuyển đổi");
  worksheet_set_column(mx, 0, 5, 22, nullptr);
  headings(mx, 0, {"Phân loại hiện nay", "Phân loại theo chuẩn mô phỏng", "Số hộ (tốt nhất)", "Số hộ (xấu nhất)",
                   "Tỷ lệ (tốt nhất)", "Tỷ lệ (xấu nhất)"});
  row = 1;
  for (const auto& t : s.matrix()) {
    worksheet_write_string(mx, row, 0, ClassLabel(t.from_class()).c_str(), nullptr);
    worksheet_write_string(mx, row, 1, ClassLabel(t.to_class()).c_str(), nullptr);
    num(mx, row, 2, t.households_best());
    num(mx, row, 3, t.households_worst());
    worksheet_write_number(mx, row, 4, t.rate_best(), percent);
    worksheet_write_number(mx, row, 5, t.rate_worst(), percent);
    ++row;
  }

  // The support need of the newly eligible households.
  lxw_worksheet* cs = workbook_add_worksheet(wb, "Nhu cầu kinh phí");
  worksheet_set_column(cs, 0, 10, 20, nullptr);
  worksheet_write_string(cs, 0, 0, absl::StrCat("Định mức áp dụng ngày ", api::ProtoDateText(s.costs_as_of())).c_str(),
                         bold);
  headings(cs, 1, {"Nội dung", "Chương trình", "Nguồn vốn", "Định mức hộ nghèo (đồng/hộ/năm)",
                   "Định mức hộ cận nghèo (đồng/hộ/năm)", "Số hộ (thấp)", "Số hộ (cao)", "Kinh phí thấp (đồng)",
                   "Kinh phí cao (đồng)", "Định mức đã xác nhận", "Căn cứ"});
  row = 2;
  for (const auto& c : s.costs()) {
    worksheet_write_string(cs, row, 0, c.content().c_str(), nullptr);
    worksheet_write_string(cs, row, 1, c.programme().c_str(), nullptr);
    worksheet_write_string(cs, row, 2, c.source().c_str(), nullptr);
    int col = 3;
    for (int64_t v : {c.poor_unit_cost_vnd(), c.near_poor_unit_cost_vnd(), c.households_low(), c.households_high(),
                      c.amount_low_vnd(), c.amount_high_vnd()}) {
      num(cs, row, col++, v);
    }
    worksheet_write_string(cs, row, col++, c.confirmed() ? "có" : "chưa xác nhận", nullptr);
    worksheet_write_string(cs, row, col, c.basis().c_str(), nullptr);
    ++row;
  }

  // The households, for the communes' visits (personal data as masked for the caller).
  lxw_worksheet* hs = workbook_add_worksheet(wb, "Hộ thay đổi phân loại");
  worksheet_set_column(hs, 0, 0, 40, nullptr);
  worksheet_set_column(hs, 1, 10, 18, nullptr);
  headings(hs, 0, {"Hộ", "Mã xã", "Đơn vị", "Thôn, ấp", "Chủ hộ", "Dân tộc chủ hộ", "Khu vực", "Hiện nay",
                   "Tốt nhất", "Xấu nhất", "Thông tin chưa biết", "Xã hiện nay", "Trường bị che"});
  row = 1;
  for (const auto& h : households) {
    int col = 0;
    for (const std::string& v :
         {h.household(), h.commune_code(), h.unit_code(), h.village(), h.head_name(), h.head_ethnicity_code(),
          std::string(h.area_type() == v1::AREA_TYPE_URBAN ? "Thành thị" : "Nông thôn"), ClassLabel(h.from_class()),
          ClassLabel(h.best_class()), ClassLabel(h.worst_class()), absl::StrJoin(h.unknown_inputs(), ", "),
          h.current_commune_code(), absl::StrJoin(h.masked_fields(), ", ")}) {
      worksheet_write_string(hs, row, col++, v.c_str(), nullptr);
    }
    ++row;
  }
  return file.Finish();
}

}  // namespace lnob::registry
