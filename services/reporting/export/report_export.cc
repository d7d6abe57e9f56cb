#include "services/reporting/export/report_export.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/export/xlsx_file.h"
#include "common/util/csv.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/reporting/domain/owner_messages.h"
#include "xlsxwriter.h"

namespace lnob::reporting {
namespace {

namespace pb = ::google::protobuf;

// Column headings in Vietnamese (the field name when there is none).
const std::map<std::string, std::string>& Headings() {
  static const auto* m = new std::map<std::string, std::string>{
      {"unit_code", "Mã đơn vị"},
      {"unit_name", "Tên đơn vị"},
      {"ethnic_group", "Dân tộc"},
      {"classification", "Phân loại"},
      {"households", "Số hộ"},
      {"people", "Số khẩu"},
      {"village", "Thôn, bản"},
      {"village_name", "Tên thôn, bản"},
      {"households_registered", "Số hộ trên địa bàn"},
      {"poor", "Hộ nghèo"},
      {"near_poor", "Hộ cận nghèo"},
      {"poverty_rate_percent", "Tỷ lệ hộ nghèo (%)"},
      {"near_poverty_rate_percent", "Tỷ lệ hộ cận nghèo (%)"},
      {"poor_without_labor_capacity", "Hộ nghèo không có khả năng lao động"},
      {"category", "Biến động"},
      {"year", "Năm"},
      {"achieved", "Đạt được"},
      {"threshold", "Mục tiêu"},
      {"met", "Đạt mục tiêu"},
      {"source", "Nguồn vốn"},
      {"programme_code", "Chương trình"},
      {"node_code", "Dự án, tiểu dự án"},
      {"planned_vnd", "Kế hoạch (đồng)"},
      {"allocated_vnd", "Phân bổ (đồng)"},
      {"disbursed_vnd", "Giải ngân (đồng)"},
      {"supported_vnd", "Hỗ trợ hộ (đồng)"},
      {"disbursement_rate", "Tỷ lệ giải ngân"},
      {"held_vnd", "Tạm giữ (đồng)"},
      {"recovered_vnd", "Thu hồi (đồng)"},
      {"net_vnd", "Giải ngân thuần (đồng)"},
      {"form_code", "Hình thức"},
      {"decided", "Số quyết định"},
      {"individuals", "Cá nhân"},
      {"collectives", "Tập thể"},
      {"row", "Dòng"},
  };
  return *m;
}

// Values of enumerations in Vietnamese where the meaning is fixed.
const std::map<std::string, std::string>& ValueLabels() {
  static const auto* m = new std::map<std::string, std::string>{
      {"POOR", "Nghèo"},
      {"NEAR_POOR", "Cận nghèo"},
      {"NOT_POOR", "Không nghèo"},
      {"MIDDLE_INCOME", "Có mức sống trung bình"},
      {"ESCAPED_POOR", "Thoát nghèo"},
      {"RELAPSED_POOR", "Tái nghèo"},
      {"NEW_POOR", "Nghèo phát sinh"},
      {"EM", "Dân tộc thiểu số"},
      {"KINH", "Kinh"},
  };
  return *m;
}

std::string Heading(const std::string& field) {
  auto it = Headings().find(field);
  return it == Headings().end() ? field : it->second;
}

std::string StateLabel(const std::string& s) {
  if (s == "DRAFT") return "Dự thảo";
  if (s == "SUBMITTED") return "Đã trình";
  if (s == "APPROVED") return "Đã duyệt";
  if (s == "LOCKED") return "Đã khóa";
  if (s == "REPLACED") return "Đã thay thế";
  return s;
}

std::string Time(const pb::Timestamp& t) { return pb::util::TimeUtil::ToString(t); }

// A table: the fields of the row type, in its order, and the rows as JSON values.
struct Table {
  std::vector<const pb::FieldDescriptor*> columns;
  std::vector<pb::Struct> rows;
  bool scalar = false;
  pb::Value value;                             // scalar
  const pb::FieldDescriptor* field = nullptr;  // scalar: its type (nullptr when unknown)
};

Table ReadTable(const v1::ReportInput& in, const std::string& select) {
  Table t;
  pb::Value v;
  (void)pb::util::JsonStringToMessage(in.value_json(), &v);
  const pb::FieldDescriptor* f = internal::SelectedField(in.method(), select);
  if (f == nullptr || f->message_type() == nullptr) {
    t.scalar = true;
    t.value = v;
    t.field = f;
    return t;
  }
  if (v.kind_case() == pb::Value::kListValue) {
    for (const auto& x : v.list_value().values()) {
      if (x.kind_case() == pb::Value::kStructValue) t.rows.push_back(x.struct_value());
    }
  } else if (v.kind_case() == pb::Value::kStructValue) {
    t.rows.push_back(v.struct_value());
  }
  const pb::Descriptor* d = f->message_type();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* c = d->field(i);
    if (c->is_repeated() || c->message_type() != nullptr) continue;
    // A text column empty in every row (e.g. the village of rows not by village) is left out.
    bool any = c->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING;
    for (const auto& r : t.rows) {
      auto it = r.fields().find(c->name());
      if (it != r.fields().end() && it->second.kind_case() == pb::Value::kStringValue &&
          !it->second.string_value().empty()) {
        any = true;
      }
    }
    if (any) t.columns.push_back(c);
  }
  return t;
}

std::string Text(const pb::Value& v) {
  switch (v.kind_case()) {
    case pb::Value::kStringValue: return v.string_value();
    case pb::Value::kNumberValue: {
      // The shortest text that reads back as the same double (as the stored JSON has it).
      std::string out;
      (void)pb::util::MessageToJsonString(v, &out);
      return out;
    }
    case pb::Value::kBoolValue: return v.bool_value() ? "true" : "false";
    default: {
      std::string out;
      (void)pb::util::MessageToJsonString(v, &out);
      return out;
    }
  }
}

std::map<std::string, std::string> IndicatorSelects(const v1::ReportDefinition& d) {
  std::map<std::string, std::string> m;
  for (const auto& s : d.sections()) {
    for (const auto& i : s.indicators()) m[i.code()] = i.select();
  }
  return m;
}

std::string UnitName(const v1::Report& r, const std::string& code) {
  for (const auto& u : r.units()) {
    if (u.code() == code) return u.name();
  }
  return "";
}

// At most 31 characters, none of []:*?/\ nor an apostrophe (Excel's rules for sheet names).
std::string SheetName(int index, const std::string& title) {
  std::string clean = absl::StrReplaceAll(
      title, {{"[", " "}, {"]", " "}, {":", " "}, {"*", " "}, {"?", " "}, {"/", " "}, {"\\", " "}, {"'", " "}});
  std::string out = absl::StrCat(index, ". ");
  int chars = static_cast<int>(out.size());
  size_t i = 0;
  for (; i < clean.size() && chars < 31; ++chars) {
    size_t len = 1;
    const unsigned char ch = static_cast<unsigned char>(clean[i]);
    if (ch >= 0xF0) len = 4;
    else if (ch >= 0xE0) len = 3;
    else if (ch >= 0xC0) len = 2;
    out.append(clean, i, len);
    i += len;
  }
  // A title cut short ends at a word, with an ellipsis (one character of the 31).
  if (i < clean.size()) {
    const size_t space = out.rfind(' ');
    if (space != std::string::npos && space > absl::StrCat(index, ".").size()) {
      out.resize(space);
    } else {  // one word longer than the sheet: its last character makes room
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty()) out.pop_back();
    }
    out += "\u2026";
  }
  return out;
}

}  // namespace

std::string ReportFileName(const v1::Report& r, const std::string& extension) {
  return absl::StrCat(api::IdOf(r.definition()), "-", api::PeriodLabel(r.period()), "-", r.unit_code(), "-r",
                      r.revision(), ".", extension);
}

absl::StatusOr<std::string> ReportCsv(const v1::Report& r, const v1::ReportDefinition& d) {
  const auto selects = IndicatorSelects(d);
  std::string out = csv::FormatRecord({"report", "revision", "state", "section", "indicator", "label", "row", "field",
                                       "value", "unit_of_measure", "unit_name", "source", "owner", "method", "request",
                                       "cursor", "read_time"}) +
                    "\n";
  for (const auto& in : r.inputs()) {
    auto sel = selects.find(in.indicator());
    const Table t = ReadTable(in, sel == selects.end() ? "" : sel->second);
    auto line = [&](const std::string& row, const std::string& field, const std::string& value,
                    const std::string& unit_name) {
      out += csv::FormatRecord({r.name(), absl::StrCat(r.revision()), r.state(), in.section(), in.indicator(),
                                csv::SafeText(in.label()), row, field, csv::SafeText(value), in.unit_of_measure(),
                                csv::SafeText(unit_name), in.source(), in.owner(), in.method(), in.request_json(),
                                absl::StrCat(in.cursor()), Time(in.read_time())}) +
             "\n";
    };
    if (t.scalar) {
      line("", "", Text(t.value), "");
      continue;
    }
    for (size_t i = 0; i < t.rows.size(); ++i) {
      auto unit = t.rows[i].fields().find("unit_code");
      const std::string unit_name =
          unit == t.rows[i].fields().end() ? "" : UnitName(r, unit->second.string_value());
      for (const auto* c : t.columns) {
        auto it = t.rows[i].fields().find(c->name());
        line(absl::StrCat(i + 1), c->name(), it == t.rows[i].fields().end() ? "" : Text(it->second), unit_name);
      }
    }
  }
  return out;
}

absl::StatusOr<std::string> ReportXlsx(const v1::Report& r, const v1::ReportDefinition& d) {
  xlsx::WorkbookFile file;
  lxw_workbook* wb = file.workbook();
  if (wb == nullptr) return absl::InternalError("the workbook could not be created");
  lxw_format* title = file.formats().title;
  lxw_format* bold = file.formats().bold;
  lxw_format* head = file.formats().head;
  lxw_format* note = workbook_add_format(wb);
  format_set_italic(note);
  format_set_font_color(note, 0x595959);
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "#,##0");
  format_set_border(integer, LXW_BORDER_THIN);
  lxw_format* decimal = workbook_add_format(wb);
  format_set_num_format(decimal, "#,##0.00");
  format_set_border(decimal, LXW_BORDER_THIN);
  lxw_format* plain = workbook_add_format(wb);
  format_set_num_format(plain, "0");
  format_set_border(plain, LXW_BORDER_THIN);
  lxw_format* text = workbook_add_format(wb);
  format_set_border(text, LXW_BORDER_THIN);

  const std::string unit_label = absl::StrCat(UnitName(r, r.unit_code()), " (", r.unit_code(), ")");
  const std::string period = api::PeriodLabel(r.period());
  // Overview: what the report is, its state and lock, and where every value comes from.
  lxw_worksheet* ov = workbook_add_worksheet(wb, "Thông tin báo cáo");
  worksheet_set_column(ov, 0, 0, 28, nullptr);
  worksheet_set_column(ov, 1, 1, 60, nullptr);
  worksheet_write_string(ov, 0, 0, d.title().c_str(), title);
  int row = 2;
  auto kv = [&](const std::string& k, const std::string& v) {
    worksheet_write_string(ov, row, 0, k.c_str(), bold);
    worksheet_write_string(ov, row, 1, v.c_str(), nullptr);
    ++row;
  };
  kv("Mẫu báo cáo", absl::StrCat(d.code(), " phiên bản ", r.version(), d.layout_confirmed() ? "" : " (bố cục chưa xác nhận)"));
  kv("Căn cứ", d.legal_basis());
  kv("Kỳ báo cáo", period);
  kv("Đơn vị", unit_label);
  kv("Địa giới hành chính tại ngày", api::ProtoDateText(r.geography()));
  kv("Trạng thái", StateLabel(r.state()));
  kv("Lần sửa đổi", absl::StrCat(r.revision()));
  if (!r.amendment_reason().empty()) kv("Lý do sửa đổi", r.amendment_reason());
  kv("Người lập", r.creator());
  kv("Thời điểm tổng hợp", Time(r.create_time()));
  if (!r.submitter().empty()) kv("Người trình", r.submitter());
  if (!r.approver().empty()) kv("Người duyệt", r.approver());
  if (r.has_lock()) {
    kv("Khóa bởi", absl::StrCat(r.lock().locked_by(), " lúc ", Time(r.lock().lock_time())));
    kv("Quy tắc khóa", absl::StrCat(r.lock().rule(), ": ", r.lock().rule_description()));
    kv("Cách sửa đổi", r.lock().how_to_amend());
  }
  kv("Nguồn", r.source() == "ROLL_UP" ? "Tổng hợp từ báo cáo đã khóa của các đơn vị trực thuộc" : "Số liệu của các dịch vụ sở hữu");
  kv("Mã kiểm tra (SHA-256)", r.digest());
  row += 1;
  worksheet_write_string(ov, row++, 0, "Nguồn số liệu của từng chỉ tiêu", bold);
  const char* src_heads[] = {"Chỉ tiêu", "Dịch vụ", "Thống kê", "Tham số", "Con trỏ dữ liệu", "Thời điểm đọc"};
  for (int i = 0; i < 6; ++i) worksheet_write_string(ov, row, i, src_heads[i], head);
  worksheet_set_column(ov, 2, 5, 24, nullptr);
  ++row;
  for (const auto& in : r.inputs()) {
    worksheet_write_string(ov, row, 0, in.label().c_str(), text);
    worksheet_write_string(ov, row, 1, in.source() == "ROLL_UP" ? "tổng hợp" : in.owner().c_str(), text);
    worksheet_write_string(ov, row, 2, in.method().c_str(), text);
    worksheet_write_string(ov, row, 3, in.request_json().c_str(), text);
    worksheet_write_number(ov, row, 4, static_cast<double>(in.cursor()), plain);
    worksheet_write_string(ov, row, 5, Time(in.read_time()).c_str(), text);
    ++row;
  }

  const auto selects = IndicatorSelects(d);
  std::map<std::string, const v1::Chart*> charts;
  for (const auto& c : d.charts()) charts[c.indicator()] = &c;
  int index = 0;
  for (const auto& section : d.sections()) {
    const std::string name = SheetName(++index, section.title());
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    if (ws == nullptr) {
      return absl::InternalError(absl::StrCat("the sheet name \"", name, "\" was refused"));
    }
    worksheet_set_column(ws, 0, 0, 22, nullptr);
    worksheet_set_column(ws, 1, 12, 16, nullptr);
    worksheet_write_string(ws, 0, 0, section.title().c_str(), title);
    worksheet_write_string(ws, 1, 0,
                           absl::StrCat(d.title(), " · Kỳ ", period, " · ", unit_label, " · ", StateLabel(r.state()),
                                        " · lần sửa đổi ", r.revision())
                               .c_str(),
                           note);
    int at = 3;
    for (const auto& in : r.inputs()) {
      if (in.section() != section.code()) continue;
      auto sel = selects.find(in.indicator());
      const Table t = ReadTable(in, sel == selects.end() ? "" : sel->second);
      worksheet_write_string(ws, at++, 0,
                             absl::StrCat(in.label(), in.unit_of_measure().empty() ? "" : " (", in.unit_of_measure(),
                                          in.unit_of_measure().empty() ? "" : ")")
                                 .c_str(),
                             bold);
      worksheet_write_string(ws, at++, 0,
                             (in.source() == "ROLL_UP"
                                  ? absl::StrCat("Nguồn: tổng hợp từ ", r.rolled_up_from_size(), " báo cáo đã khóa")
                                  : absl::StrCat("Nguồn: ", in.owner(), " · ", in.method(), " · con trỏ ", in.cursor(),
                                                 " · đọc lúc ", Time(in.read_time())))
                                 .c_str(),
                             note);
      if (t.scalar) {
        // A number only where the field is one (its type says which format); anything else as text.
        const std::string v = Text(t.value);
        const auto type = t.field == nullptr ? pb::FieldDescriptor::CPPTYPE_STRING : t.field->cpp_type();
        const bool whole = type == pb::FieldDescriptor::CPPTYPE_INT64 || type == pb::FieldDescriptor::CPPTYPE_UINT64 ||
                           type == pb::FieldDescriptor::CPPTYPE_INT32 || type == pb::FieldDescriptor::CPPTYPE_UINT32;
        const bool real = type == pb::FieldDescriptor::CPPTYPE_DOUBLE || type == pb::FieldDescriptor::CPPTYPE_FLOAT;
        double n = 0;
        if ((whole || real) && absl::SimpleAtod(v, &n) && std::isfinite(n)) {
          worksheet_write_number(ws, at, 0, n, whole ? integer : decimal);
        } else {
          worksheet_write_string(ws, at, 0, v.c_str(), text);
        }
        at += 2;
        continue;
      }
      // Headings, with the unit's name beside its code.
      std::vector<std::string> fields;
      for (const auto* c : t.columns) {
        fields.push_back(c->name());
        if (c->name() == "unit_code") fields.push_back("unit_name");
      }
      const int header_row = at;
      for (size_t j = 0; j < fields.size(); ++j) {
        worksheet_write_string(ws, at, static_cast<lxw_col_t>(j), Heading(fields[j]).c_str(), head);
      }
      ++at;
      for (const auto& rowv : t.rows) {
        for (size_t j = 0; j < fields.size(); ++j) {
          const std::string& f = fields[j];
          const auto col = static_cast<lxw_col_t>(j);
          if (f == "unit_name") {
            auto u = rowv.fields().find("unit_code");
            const std::string code = u == rowv.fields().end() ? "" : u->second.string_value();
            const std::string nm = code.empty() ? unit_label : UnitName(r, code);
            worksheet_write_string(ws, at, col, (nm.empty() ? code : nm).c_str(), text);
            continue;
          }
          const pb::FieldDescriptor* c = nullptr;
          for (const auto* x : t.columns) {
            if (x->name() == f) c = x;
          }
          auto it = rowv.fields().find(f);
          const pb::Value v = it == rowv.fields().end() ? pb::Value() : it->second;
          switch (c->cpp_type()) {
            case pb::FieldDescriptor::CPPTYPE_INT64:
            case pb::FieldDescriptor::CPPTYPE_UINT64:
              worksheet_write_number(ws, at, col, std::strtod(Text(v).c_str(), nullptr), integer);
              break;
            case pb::FieldDescriptor::CPPTYPE_INT32:
            case pb::FieldDescriptor::CPPTYPE_UINT32:
              worksheet_write_number(ws, at, col, std::strtod(Text(v).c_str(), nullptr), plain);
              break;
            case pb::FieldDescriptor::CPPTYPE_DOUBLE:
            case pb::FieldDescriptor::CPPTYPE_FLOAT:
              if (v.kind_case() == pb::Value::kNumberValue && std::isfinite(v.number_value())) {
                worksheet_write_number(ws, at, col, v.number_value(), decimal);
              } else {  // "NaN", "Infinity" as proto JSON spells them: text, not an invalid number
                worksheet_write_string(ws, at, col, Text(v).c_str(), text);
              }
              break;
            case pb::FieldDescriptor::CPPTYPE_BOOL:
              worksheet_write_string(ws, at, col, v.bool_value() ? "Có" : "Không", text);
              break;
            default: {
              const std::string s = Text(v);
              auto label = ValueLabels().find(s);
              worksheet_write_string(ws, at, col, (label == ValueLabels().end() ? s : label->second).c_str(), text);
            }
          }
        }
        ++at;
      }
      const int last_row = at - 1;
      // The definition's chart of this table, beside it.
      auto ch = charts.find(in.indicator());
      if (ch != charts.end() && !t.rows.empty()) {
        const v1::Chart& spec = *ch->second;
        auto col_of = [&](const std::string& f) -> int {
          for (size_t j = 0; j < fields.size(); ++j) {
            if (fields[j] == f) return static_cast<int>(j);
          }
          return -1;
        };
        int cat = col_of(spec.category_field() == "unit_code" ? "unit_name" : spec.category_field());
        const uint8_t kind = spec.kind() == "BAR" ? LXW_CHART_BAR : spec.kind() == "LINE" ? LXW_CHART_LINE
                                                                                           : LXW_CHART_COLUMN;
        lxw_chart* chart = workbook_add_chart(wb, kind);
        int series = 0;
        for (const auto& vf : spec.value_fields()) {
          const int c = col_of(vf);
          if (c < 0) continue;
          lxw_chart_series* s = chart_add_series(chart, nullptr, nullptr);
          if (cat >= 0) {
            chart_series_set_categories(s, name.c_str(), header_row + 1, static_cast<lxw_col_t>(cat), last_row,
                                        static_cast<lxw_col_t>(cat));
          }
          chart_series_set_values(s, name.c_str(), header_row + 1, static_cast<lxw_col_t>(c), last_row,
                                  static_cast<lxw_col_t>(c));
          chart_series_set_name_range(s, name.c_str(), header_row, static_cast<lxw_col_t>(c));
          ++series;
        }
        if (series > 0) {
          chart_title_set_name(chart, spec.title().c_str());
          if (!spec.y_axis_title().empty()) {
            chart_axis_set_name(spec.kind() == "BAR" ? chart->x_axis : chart->y_axis, spec.y_axis_title().c_str());
          }
          chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
          lxw_chart_options opt = {};
          opt.x_scale = 1.4;
          opt.y_scale = 1.2;
          worksheet_insert_chart_opt(ws, static_cast<lxw_row_t>(header_row),
                                     static_cast<lxw_col_t>(fields.size() + 1), chart, &opt);
        }
      }
      at += 2;
    }
  }
  return file.Finish();
}

}  // namespace lnob::reporting
