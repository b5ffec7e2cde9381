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

namespace {

// Appends one non-NULL value as a row stores it.
void append_value(TypeId type, const Datum& d, std::string& out) {
  switch (physical_type(type)) {
    case PhysType::Bool:
      out.push_back(d.i64 != 0 ? '\x01' : '\x00');
      break;
    case PhysType::Int32:  // smallint: its two bytes
      if (type == TypeId::Int16)
        append_le<int16_t>(static_cast<int16_t>(d.i64), out);
      else
        append_le<int32_t>(static_cast<int32_t>(d.i64), out);
      break;
    case PhysType::Int64:
      append_le<int64_t>(d.i64, out);
      break;
    case PhysType::Float64:  // real: its four bytes (the double holds the float exactly)
      if (type == TypeId::Float32)
        append_le<float>(static_cast<float>(d.f64), out);
      else
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

void set_null(std::string& out, size_t bitmap_pos, size_t slot) {
  out[bitmap_pos + slot / 8] =
      static_cast<char>(static_cast<uint8_t>(out[bitmap_pos + slot / 8]) | (1u << (slot % 8)));
}

}  // namespace

void encode_row(const TableDef& table, const Datum* row, std::string& out) {
  out.clear();
  const size_t n = table.slot_count();  // columns are in attribute-number order; dropped slots are NULL
  out.push_back(static_cast<char>(kKindRow));
  out.push_back(static_cast<char>(kRowFormatV1));
  append_varint(n, out);
  size_t bitmap_pos = out.size();
  out.append((n + 7) / 8, '\0');
  size_t next_slot = 0;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const size_t slot = static_cast<size_t>(table.attnum(i) - 1);
    for (; next_slot < slot; ++next_slot) set_null(out, bitmap_pos, next_slot);
    next_slot = slot + 1;
    const Datum& d = row[i];
    if (d.is_null) {
      set_null(out, bitmap_pos, slot);
      continue;
    }
    TypeId type = table.columns[i].type;
    append_value(type, d, out);  // (varchar(n) / char(n) values arrive coerced: textsql::char_assign_length)
  }
  for (; next_slot < n; ++next_slot) set_null(out, bitmap_pos, next_slot);
}

void encode_missing(TypeId type, const Datum& d, std::string& out) {
  out.clear();
  if (physical_type(type) == PhysType::Text) {
    out.assign(d.str.ptr, d.str.len);
    return;
  }
  append_value(type, d, out);
}

bool decode_missing(TypeId type, std::string_view missing, Datum& out) {
  out = Datum{};
  const char* p = missing.data();
  auto need = [&](size_t k) { return missing.size() >= k; };
  switch (physical_type(type)) {
    case PhysType::Bool:
      out.i64 = missing.empty() ? 0 : static_cast<uint8_t>(p[0]);
      return true;
    case PhysType::Int32:
      if (type == TypeId::Int16) {
        int16_t v = 0;
        if (!need(2)) return false;
        std::memcpy(&v, p, 2);
        out.i64 = v;
        return true;
      } else {
        int32_t v = 0;
        if (!need(4)) return false;
        std::memcpy(&v, p, 4);
        out.i64 = v;
        return true;
      }
    case PhysType::Int64:
      if (!need(8)) return false;
      std::memcpy(&out.i64, p, 8);
      return true;
    case PhysType::Float64:
      if (type == TypeId::Float32) {
        float f = 0;
        if (!need(4)) return false;
        std::memcpy(&f, p, 4);
        out.f64 = f;
        return true;
      }
      if (!need(8)) return false;
      std::memcpy(&out.f64, p, 8);
      return true;
    case PhysType::Interval:
      if (!need(16)) return false;
      std::memcpy(&out.i64, p, 8);
      std::memcpy(&out.dm, p + 8, 8);
      return true;
    case PhysType::Text:
      break;
  }
  return false;
}

void encode_tombstone(std::string& out, std::string_view moved_to) {
  out.push_back(static_cast<char>(kKindTombstone));
  out.append(moved_to);
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
  const std::vector<TypeId> slot_types = table.slot_types();
  const std::vector<int> slot_columns = table.slot_columns();
  std::vector<Value> slots;
  for (size_t i = 0; i < table.columns.size(); ++i) out.push_back(Value::null(table.columns[i].type));
  for (size_t i = 0; i < slot_types.size(); ++i) {
    TypeId t = slot_types[i];
    const int col = slot_columns[i];
    if (i >= n) {  // the row predates the column: NULL or the value ADD COLUMN gave it
      if (col < 0 || !table.columns[static_cast<size_t>(col)].has_missing) continue;
      const std::string& m = table.columns[static_cast<size_t>(col)].missing;
      std::string framed = std::string(1, static_cast<char>(kKindRow)) + static_cast<char>(kRowFormatV1);
      append_varint(1, framed);
      framed.push_back('\0');
      if (physical_type(t) == PhysType::Text) append_varint(m.size(), framed);
      framed += m;
      TableDef one;
      one.columns.push_back(table.columns[static_cast<size_t>(col)]);
      one.columns[0].has_missing = false;
      std::vector<Value> v;
      if (!decode_row(one, framed, v)) return false;
      out[static_cast<size_t>(col)] = std::move(v[0]);
      continue;
    }
    if ((bitmap[i / 8] >> (i % 8)) & 1) continue;
    slots.clear();
    auto need = [&](size_t k) { return static_cast<size_t>(end - p) >= k; };
    switch (physical_type(t)) {
      case PhysType::Bool:
        if (!need(1)) return false;
        slots.push_back(Value::boolean(*p != 0));
        p += 1;
        break;
      case PhysType::Int32: {
        if (t == TypeId::Int16) {
          if (!need(2)) return false;
          int16_t v;
          std::memcpy(&v, p, 2);
          slots.push_back(Value::int16(v));
          p += 2;
          break;
        }
        if (!need(4)) return false;
        int32_t v;
        std::memcpy(&v, p, 4);
        slots.push_back(t == TypeId::Int32 ? Value::int32(v) : Value::datetime(t, v));
        p += 4;
        break;
      }
      case PhysType::Int64: {
        if (!need(8)) return false;
        int64_t v;
        std::memcpy(&v, p, 8);
        slots.push_back(t == TypeId::Int64 ? Value::int64(v) : Value::datetime(t, v));
        p += 8;
        break;
      }
      case PhysType::Float64: {
        if (t == TypeId::Float32) {
          if (!need(4)) return false;
          float v;
          std::memcpy(&v, p, 4);
          slots.push_back(Value::float32(v));
          p += 4;
          break;
        }
        if (!need(8)) return false;
        double v;
        std::memcpy(&v, p, 8);
        slots.push_back(Value::float64(v));
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
        slots.push_back(Value::interval(time, day, month));
        p += 16;
        break;
      }
      case PhysType::Text: {
        uint64_t len;
        p = read_varint(p, end, len);
        if (!p || static_cast<uint64_t>(end - p) < len) return false;
        slots.push_back(Value::text(std::string(reinterpret_cast<const char*>(p), len), t));  // Text, Numeric
        p += len;
        break;
      }
    }
    if (col >= 0) out[static_cast<size_t>(col)] = std::move(slots[0]);
  }
  return true;
}

}  // namespace omendb::storage::rowcodec
