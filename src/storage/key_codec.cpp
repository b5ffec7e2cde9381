#include "storage/key_codec.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/numeric.h"

namespace omendb::storage::keycodec {

namespace {

void append_be64(uint64_t v, std::string& out) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  out.append(buf, 8);
}

bool read_be64(std::string_view key, size_t& pos, uint64_t& v) {
  if (pos + 8 > key.size()) return false;
  uint64_t r = 0;
  for (size_t i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>(key[pos + i]);
  pos += 8;
  v = r;
  return true;
}

constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

void append_table_prefix(uint32_t table_id, std::string& out) {
  char buf[4] = {static_cast<char>(table_id >> 24), static_cast<char>(table_id >> 16),
                 static_cast<char>(table_id >> 8), static_cast<char>(table_id)};
  out.append(buf, 4);
}

void append_bool(bool v, std::string& out) {
  out.push_back(v ? '\x01' : '\x00');
}

void append_int(int64_t v, std::string& out) {
  append_be64(static_cast<uint64_t>(v) ^ kSignBit, out);
}

void append_double(double v, std::string& out) {
  if (v == 0) v = 0.0;                                              // -0.0 -> +0.0
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();  // one NaN, above +Infinity
  uint64_t bits = std::bit_cast<uint64_t>(v);
  if (bits & kSignBit) {
    bits = ~bits;
  } else {
    bits |= kSignBit;
  }
  append_be64(bits, out);
}

void append_text(std::string_view v, std::string& out) {
  size_t start = 0;
  while (true) {
    size_t z = v.find('\0', start);
    if (z == std::string_view::npos) {
      out.append(v.data() + start, v.size() - start);
      break;
    }
    out.append(v.data() + start, z - start);
    out.push_back('\x00');
    out.push_back('\xFF');
    start = z + 1;
  }
  out.push_back('\x00');
  out.push_back('\x01');
}

void append_datum(TypeId type, const Datum& d, std::string& out) {
  if (type == TypeId::Numeric) {  // the value, not its display scale: 1.0 and 1.00 are one key
    num::append_key(d.str.view(), out);
    return;
  }
  if (type == TypeId::BpChar) {  // without its padding: trailing spaces are not significant
    append_text(bpchar_significant(d.str.view()), out);
    return;
  }
  switch (physical_type(type)) {
    case PhysType::Bool:
      append_bool(d.i64 != 0, out);
      return;
    case PhysType::Int32:  // also Date: days, sign-extended
    case PhysType::Int64:  // also Time, Timestamp, TimestampTz: microseconds
      append_int(d.i64, out);
      return;
    case PhysType::Float64:
      append_double(d.f64, out);
      return;
    case PhysType::Interval:  // not a key type: CREATE TABLE refuses an interval primary key
    case PhysType::Text:
      break;
  }
  append_text(d.str.view(), out);
}

void append_version(uint64_t commit_ts, std::string& out) {
  append_be64(~commit_ts, out);
}

bool decode_bool(std::string_view key, size_t& pos, bool& v) {
  if (pos >= key.size()) return false;
  uint8_t b = static_cast<uint8_t>(key[pos]);
  if (b > 1) return false;
  v = b == 1;
  ++pos;
  return true;
}

bool decode_int(std::string_view key, size_t& pos, int64_t& v) {
  uint64_t u;
  if (!read_be64(key, pos, u)) return false;
  v = static_cast<int64_t>(u ^ kSignBit);
  return true;
}

bool decode_double(std::string_view key, size_t& pos, double& v) {
  uint64_t u;
  if (!read_be64(key, pos, u)) return false;
  if (u & kSignBit) {
    u &= ~kSignBit;
  } else {
    u = ~u;
  }
  v = std::bit_cast<double>(u);
  return true;
}

bool decode_text(std::string_view key, size_t& pos, std::string& v) {
  v.clear();
  size_t p = pos;
  while (true) {
    size_t z = key.find('\0', p);
    if (z == std::string_view::npos || z + 1 >= key.size()) return false;
    v.append(key.data() + p, z - p);
    uint8_t next = static_cast<uint8_t>(key[z + 1]);
    if (next == 0x01) {
      pos = z + 2;
      return true;
    }
    if (next != 0xFF) return false;
    v.push_back('\0');
    p = z + 2;
  }
}

uint32_t decode_table_id(std::string_view key) {
  if (key.size() < kTablePrefixSize) return 0;
  return (uint32_t{static_cast<uint8_t>(key[0])} << 24) | (uint32_t{static_cast<uint8_t>(key[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(key[2])} << 8) | uint32_t{static_cast<uint8_t>(key[3])};
}

uint64_t decode_version(std::string_view versioned_key) {
  if (versioned_key.size() < kVersionSize) return 0;
  size_t pos = versioned_key.size() - kVersionSize;
  uint64_t v = 0;
  read_be64(versioned_key, pos, v);
  return ~v;
}

std::string prefix_successor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    uint8_t last = static_cast<uint8_t>(s.back());
    if (last != 0xFF) {
      s.back() = static_cast<char>(last + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

void append_index_datum(TypeId type, const Datum& d, std::string& out) {
  if (d.is_null) {
    out.push_back(kIndexNull);
    return;
  }
  out.push_back(kIndexValue);
  append_datum(type, d, out);
}

}  // namespace omendb::storage::keycodec
