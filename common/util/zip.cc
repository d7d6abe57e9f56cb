#include "common/util/zip.h"

#include <array>

namespace lnob {
namespace {

const std::array<uint32_t, 256>& CrcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

void Put16(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v & 0xffff);
  Put16(out, v >> 16);
}

// MS-DOS time and date fields.
std::pair<uint32_t, uint32_t> DosTime(absl::Time t) {
  const absl::CivilSecond s = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int year = static_cast<int>(s.year()) < 1980 ? 1980 : static_cast<int>(s.year());
  const uint32_t time = (static_cast<uint32_t>(s.hour()) << 11) | (static_cast<uint32_t>(s.minute()) << 5) |
                        (static_cast<uint32_t>(s.second()) / 2);
  const uint32_t date = (static_cast<uint32_t>(year - 1980) << 9) | (static_cast<uint32_t>(s.month()) << 5) |
                        static_cast<uint32_t>(s.day());
  return {time, date};
}

constexpr uint32_t kUtf8Names = 1u << 11;

}  // namespace

uint32_t Crc32(absl::string_view data) {
  const auto& t = CrcTable();
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = t[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void ZipWriter::Add(const std::string& name, std::string content) {
  const auto [time, date] = DosTime(modified_);
  Entry e{name, Crc32(content), static_cast<uint32_t>(content.size()), static_cast<uint32_t>(out_.size())};
  Put32(out_, 0x04034b50);  // local file header
  Put16(out_, 10);          // version needed: 1.0 (stored)
  Put16(out_, kUtf8Names);
  Put16(out_, 0);           // method: stored
  Put16(out_, time);
  Put16(out_, date);
  Put32(out_, e.crc);
  Put32(out_, e.size);
  Put32(out_, e.size);
  Put16(out_, static_cast<uint32_t>(name.size()));
  Put16(out_, 0);  // extra field length
  out_ += name;
  out_ += content;
  entries_.push_back(std::move(e));
}

std::string ZipWriter::Finish() {
  const auto [time, date] = DosTime(modified_);
  const uint32_t directory = static_cast<uint32_t>(out_.size());
  for (const auto& e : entries_) {
    Put32(out_, 0x02014b50);  // central directory header
    Put16(out_, 20);          // made by: 2.0
    Put16(out_, 10);
    Put16(out_, kUtf8Names);
    Put16(out_, 0);
    Put16(out_, time);
    Put16(out_, date);
    Put32(out_, e.crc);
    Put32(out_, e.size);
    Put32(out_, e.size);
    Put16(out_, static_cast<uint32_t>(e.name.size()));
    Put16(out_, 0);  // extra
    Put16(out_, 0);  // comment
    Put16(out_, 0);  // disk
    Put16(out_, 0);  // internal attributes
    Put32(out_, 0);  // external attributes
    Put32(out_, e.offset);
    out_ += e.name;
  }
  const uint32_t size = static_cast<uint32_t>(out_.size()) - directory;
  Put32(out_, 0x06054b50);  // end of central directory
  Put16(out_, 0);
  Put16(out_, 0);
  Put16(out_, static_cast<uint32_t>(entries_.size()));
  Put16(out_, static_cast<uint32_t>(entries_.size()));
  Put32(out_, size);
  Put32(out_, directory);
  Put16(out_, 0);  // comment length
  return std::move(out_);
}

}  // namespace lnob
