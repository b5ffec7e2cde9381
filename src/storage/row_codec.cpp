#include "storage/row_codec.h"

#include <cstring>

namespace omendb::storage::rowcodec {

namespace {

template <typename T>
void append_le(T v, std::string& out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // little-endian hosts only (x86-64, aarch64)
  out.append(buf, sizeof(T));
}

}  // namespace

void encode_row(const TableDef& table, const Datum* row, std::string& out) {
  out.clear();
  const size_t n = table.columns.size();
  out.push_back(static_cast<char>(kKindRow));
  out.push_back(static_cast<char>(kRowFormatV1));
  append_varint(n, out);
  size_t bitmap_pos = out.size();
  out.append((n + 7) / 8, '\0');
  for (size_t i = 0; i < n; ++i) {
    const Datum& d = row[i];
    if (d.is_null) {
      out[bitmap_pos + i / 8] =
          static_cast<char>(static_cast<uint8_t>(out[bitmap_pos + i / 8]) | (1u << (i % 8)));
      continue;
    }
    switch (physical_type(table.columns[i].type)) {
      case PhysType::Bool:
        out.push_back(d.i64 != 0 ? '\x01' : '\x00');
        break;
      case PhysType::Int32:
        append_le<int32_t>(static_cast<int32_t>(d.i64), out);
        break;
      case PhysType::Int64:
        append_le<int64_t>(d.i64, out);
        break;
      case PhysType::Float64:
        append_le<double>(d.f64, out);
        break;
      case PhysType::Interval:  // dt::Interval's layout: time, day, month
        append_le<int64_t>(d.i64, out);
        append_le<int32_t>(d.dm.day, out);
        append_le<int32_t>(d.dm.month, out);
        break;
      case PhysType::Text:
        append_varint(d.str.len, out);
        out.append(d.str.ptr, d.str.len);
        break;
    }
  }
}

void encode_tombstone(std::string& out) {
  out.push_back(static_cast<char>(kKindTombstone));
}

bool decode_row(const TableDef& table, std::string_view value, std::vector<Value>& out) {
  out.clear();
  if (value_kind(value) != ValueKind::Row || static_cast<uint8_t>(value[1]) != kRowFormatV1) return false;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(value.data()) + 2;
  const uint8_t* end = reinterpret_cast<const uint8_t*>(value.data()) + value.size();
  uint64_t n;
  p = read_varint(p, end, n);
  if (!p || static_cast<uint64_t>(end - p) < (n + 7) / 8) return false;
  const uint8_t* bitmap = p;
  p += (n + 7) / 8;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    TypeId t = table.columns[i].type;
    if (i >= n || (bitmap[i / 8] >> (i % 8)) & 1) {
      out.push_back(Value::null(t));
      continue;
    }
    auto need = [&](size_t k) { return static_cast<size_t>(end - p) >= k; };
    switch (physical_type(t)) {
      case PhysType::Bool:
        if (!need(1)) return false;
        out.push_back(Value::boolean(*p != 0));
        p += 1;
        break;
      case PhysType::Int32: {
        if (!need(4)) return false;
        int32_t v;
        std::memcpy(&v, p, 4);
        out.push_back(t == TypeId::Int32 ? Value::int32(v) : Value::datetime(t, v));
        p += 4;
        break;
      }
      case PhysType::Int64: {
        if (!need(8)) return false;
        int64_t v;
        std::memcpy(&v, p, 8);
        out.push_back(t == TypeId::Int64 ? Value::int64(v) : Value::datetime(t, v));
        p += 8;
        break;
      }
      case PhysType::Float64: {
        if (!need(8)) return false;
        double v;
        std::memcpy(&v, p, 8);
        out.push_back(Value::float64(v));
        p += 8;
        break;
      }
      case PhysType::Interval: {
        if (!need(16)) return false;
        int64_t time;
        int32_t day, month;
        std::memcpy(&time, p, 8);
        std::memcpy(&day, p + 8, 4);
        std::memcpy(&month, p + 12, 4);
        out.push_back(Value::interval(time, day, month));
        p += 16;
        break;
      }
      case PhysType::Text: {
        uint64_t len;
        p = read_varint(p, end, len);
        if (!p || static_cast<uint64_t>(end - p) < len) return false;
        out.push_back(Value::text(std::string(reinterpret_cast<const char*>(p), len)));
        p += len;
        break;
      }
    }
  }
  return true;
}

}  // namespace omendb::storage::rowcodec
