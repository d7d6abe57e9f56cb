#include "services/registry/domain/simulation.h"

namespace lnob::registry {
namespace {

// A JSON string starting at s[i] (the opening quote): its text, unescaped only as far as the
// codes need (they are plain); i ends after the closing quote.
std::string ReadJsonString(const std::string& s, size_t& i) {
  std::string out;
  for (++i; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  ++i;
  return out;
}

}  // namespace

void ReadAssessmentsJson(const std::string& json, ReviewFacts* f) {
  int depth = 0;
  std::string key, code;
  bool deprived = false;
  bool expect_value = false;
  for (size_t i = 0; i < json.size();) {
    const char ch = json[i];
    if (ch == '"') {
      std::string text = ReadJsonString(json, i);
      if (depth == 2 && !expect_value) {
        key = std::move(text);
      } else if (depth == 2 && key == "code") {
        code = std::move(text);
      }
      continue;
    }
    if (ch == ':') {
      expect_value = true;
    } else if (ch == ',') {
      expect_value = false;
    } else if (ch == '{' || ch == '[') {
      ++depth;
      if (depth == 2) {
        code.clear();
        deprived = false;
      }
      expect_value = false;
    } else if (ch == '}' || ch == ']') {
      if (depth == 2 && ch == '}' && !code.empty()) {
        f->assessed.insert(code);
        if (deprived) f->deprived.insert(code);
      }
      --depth;
    } else if (depth == 2 && expect_value && key == "deprived" && json.compare(i, 4, "true") == 0) {
      deprived = true;
    }
    ++i;
  }
}

int Rank(HouseholdClass c) {
  switch (c) {
    case HouseholdClass::kPoor: return 0;
    case HouseholdClass::kNearPoor: return 1;
    case HouseholdClass::kMiddleIncome: return 2;
    case HouseholdClass::kNotPoor: return 3;
  }
  return 3;
}

ClassRange ClassifyRange(const ReviewFacts& f, const StandardRule& s) {
  ClassRange out;
  const IncomeLine& line = s.line(f.area);
  // Deprivations: those assessed deprived that the simulated set counts, up to every indicator
  // of the set the review did not assess.
  int known = 0;
  std::vector<std::string> unassessed;
  for (const auto& code : s.indicator_codes) {
    if (f.deprived.count(code)) ++known;
    if (!f.assessed.count(code)) unassessed.push_back(code);
  }
  const int most = known + static_cast<int>(unassessed.size());
  auto at_or_below_line = [&](int deprivations) {
    return deprivations >= s.min_deprivations_poor ? HouseholdClass::kPoor : HouseholdClass::kNearPoor;
  };
  // Where income stands against the line and the cap: below, above (and then middle or not),
  // or unknown.
  enum class Income { kBelow, kMiddle, kAbove, kAboveLineCapUnknown, kUnknown };
  Income income = Income::kUnknown;
  if (f.income_per_capita_vnd) {
    const int64_t v = *f.income_per_capita_vnd;
    if (v <= line.line_vnd) {
      income = Income::kBelow;
    } else if (!line.middle_cap_vnd) {
      income = Income::kAboveLineCapUnknown;
    } else {
      income = v <= *line.middle_cap_vnd ? Income::kMiddle : Income::kAbove;
    }
  } else if (f.proxy_score && line.proxy_score_cutoff) {
    // A score tells below or above the line, never the middle-income band.
    income = *f.proxy_score <= *line.proxy_score_cutoff ? Income::kBelow : Income::kAboveLineCapUnknown;
  }
  switch (income) {
    case Income::kBelow:
      out.best = at_or_below_line(known);
      out.worst = at_or_below_line(most);
      break;
    case Income::kMiddle:
      out.best = out.worst = HouseholdClass::kMiddleIncome;
      break;
    case Income::kAbove:
      out.best = out.worst = HouseholdClass::kNotPoor;
      break;
    case Income::kAboveLineCapUnknown:
      out.best = HouseholdClass::kNotPoor;
      out.worst = HouseholdClass::kMiddleIncome;
      break;
    case Income::kUnknown:
      out.best = HouseholdClass::kNotPoor;
      out.worst = at_or_below_line(most);
      break;
  }
  if (income == Income::kUnknown) {
    out.unknown.push_back("income");
  } else if (income == Income::kAboveLineCapUnknown) {
    out.unknown.push_back(f.income_per_capita_vnd ? "middle_income_cap" : "income");
  }
  // Unassessed indicators matter only at or below the line (or when income is unknown), and
  // only when they could make up the deprivations POOR needs.
  if ((income == Income::kBelow || income == Income::kUnknown) && known < s.min_deprivations_poor &&
      most >= s.min_deprivations_poor) {
    for (auto& code : unassessed) out.unknown.push_back(std::move(code));
  }
  return out;
}

}  // namespace lnob::registry
