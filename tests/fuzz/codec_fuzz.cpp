// libFuzzer target for the columnar codecs and blocks (src/storage/columnar). Built only with
// -DOMENDB_FUZZ=ON and clang; see tests/fuzz/README.md for how to run it.
//
// The first input byte picks what the rest means:
//   0  a column block (any column type blocks hold: codec_type()): open it, scan every column, probe the
//      zone maps
//   1  one codec's encoding: byte 1 codec id, byte 2 type, bytes 3-4 value count, the rest the encoding
//   2  values to round-trip through every codec that supports their type and through the selector:
//      byte 1 type, byte 2 NULL pattern, the rest the values
//   3  a block of two columns made from the rest, written and read back
//   4  a stored row value (src/storage/row_codec.h) for a table made from the first bytes: decode_row
//      must refuse it or give one well-formed value per column
//   5  a row of every storable type made from the rest: encode_row then decode_row must give the values
//      back bit for bit (dropped columns, and a column added after the row was written)
//   6  a stored key (src/storage/key_codec.h) read by a sequence of decoders the bytes pick: each must
//      refuse or consume bytes that encode its value again unchanged
//   7  two keys of one to three columns (every key type, numeric included): encoded, their byte order
//      must be the SQL order (runtime::compare_datums, column by column, then the newer version
//      first) and they must decode back to their values
// The mode is the first byte modulo 8 (committed seeds use 0-7, so their meaning never changes).
// Decoding must fail cleanly or produce well-formed values; round trips must be bit-exact. Any
// violation aborts (a crash libFuzzer reports), as do sanitizer findings.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/columnar/block.h"
#include "storage/columnar/codec.h"
#include "storage/columnar/column.h"

#include "common/error.h"
#include "common/numeric.h"
#include "common/value.h"
#include "runtime/sorter.h"
#include "storage/catalog.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"

using namespace omendb;
using namespace omendb::storage;
using namespace omendb::storage::columnar;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "codec_fuzz: %s\n", what);
  std::abort();
}

TypeId type_from(uint8_t b) {
  return static_cast<TypeId>(1 + b % 5);
}

// A successful decode of untrusted bytes must still give 0/1 bools and NULL flags, and text inside `in`.
void check_well_formed(TypeId type, const void* data, const uint8_t* nulls, uint64_t n, std::string_view in) {
  for (uint64_t i = 0; i < n; ++i) {
    if (nulls != nullptr && nulls[i] > 1) fail("NULL flag not 0/1");
    if (type == TypeId::Bool && static_cast<const uint8_t*>(data)[i] > 1) fail("bool not 0/1");
    if (codec_type(type) == TypeId::Text) {  // text, numeric, bytea, uuid
      StrRef s = static_cast<const StrRef*>(data)[i];
      if (s.len == 0) continue;
      if (s.ptr < in.data() || s.len > in.size() || s.ptr + s.len > in.data() + in.size()) {
        fail("text outside the input");
      }
    }
  }
}

// Values of one type parsed from fuzz bytes, with storage for text.
struct Values {
  TypeId type;
  std::vector<uint8_t> raw;  // fixed-width values
  std::vector<StrRef> text;
  std::deque<std::string> strings;
  std::vector<uint8_t> nulls;
  uint64_t n = 0;
  const void* data() const {
    return type == TypeId::Text ? static_cast<const void*>(text.data()) : raw.data();
  }
};

Values parse_values(TypeId type, uint8_t null_pattern, const uint8_t* p, size_t size) {
  Values v;
  v.type = type;
  if (type == TypeId::Text) {
    // strings separated by 0xFF
    size_t start = 0;
    for (size_t i = 0; i <= size; ++i) {
      if (i == size || p[i] == 0xFF) {
        v.strings.emplace_back(reinterpret_cast<const char*>(p + start), i - start);
        v.text.push_back({v.strings.back().data(), v.strings.back().size()});
        start = i + 1;
      }
    }
    v.n = v.text.size();
  } else {
    size_t w = value_size(type);
    v.n = size / w;
    v.raw.assign(p, p + v.n * w);
    if (type == TypeId::Bool) {
      for (auto& b : v.raw) b = b & 1;
    }
  }
  // NULL pattern: 0 none; otherwise row i is NULL when bit (i % 8) of the pattern is set
  if (null_pattern != 0) {
    v.nulls.resize(v.n);
    for (uint64_t i = 0; i < v.n; ++i) v.nulls[i] = (null_pattern >> (i % 8)) & 1;
  }
  return v;
}

bool same_value(TypeId type, const void* a, const void* b, uint64_t i) {
  size_t w = value_size(type);
  if (type == TypeId::Text) {
    return static_cast<const StrRef*>(a)[i].view() == static_cast<const StrRef*>(b)[i].view();
  }
  return std::memcmp(static_cast<const uint8_t*>(a) + i * w, static_cast<const uint8_t*>(b) + i * w, w) == 0;
}

void expect_round_trip(const Values& v, CodecId codec) {
  std::string enc;
  const uint8_t* nulls = v.nulls.empty() ? nullptr : v.nulls.data();
  if (!encode_column(v.type, codec, v.data(), nulls, v.n, enc).is_ok()) fail("encode_column failed");
  uint64_t null_count = 0;
  for (uint8_t f : v.nulls) null_count += f;
  std::vector<uint8_t> out(v.n * value_size(v.type));
  std::vector<uint8_t> out_nulls(v.n);
  if (!decode_column(v.type, codec, enc, v.n, null_count, out.data(), out_nulls.data()).is_ok()) {
    fail("decode of a fresh encoding failed");
  }
  for (uint64_t i = 0; i < v.n; ++i) {
    bool is_null = nulls != nullptr && nulls[i];
    if (out_nulls[i] != is_null) fail("NULL flag changed");
    if (!is_null && !same_value(v.type, v.data(), out.data(), i)) fail("value changed in a round trip");
  }
}

void fuzz_block(std::string_view bytes, const uint8_t* probe, size_t probe_size) {
  BlockReader r;
  if (!r.open(bytes).is_ok()) return;
  std::vector<bool> all(r.column_count(), true);
  BlockScan scan;
  if (r.scan(all, 1 + (probe_size > 0 ? probe[0] : 0) * 8, scan).is_ok()) {
    uint64_t seen = 0;
    while (const ColumnBatch* b = scan.next()) {
      for (size_t c = 0; c < r.column_count(); ++c) {
        check_well_formed(r.column(c).type, b->columns[c].data, b->columns[c].nulls, b->count, bytes);
      }
      seen += b->count;
    }
    if (seen != r.row_count()) fail("scan lost rows");
  }
  for (size_t c = 0; c < r.column_count(); ++c) {
    Datum lo{}, hi{};
    if (probe_size >= 16) {
      std::memcpy(&lo.i64, probe, 8);
      std::memcpy(&hi.i64, probe + 8, 8);
    }
    lo.str = {reinterpret_cast<const char*>(probe), probe_size / 2};
    hi.str = {reinterpret_cast<const char*>(probe) + probe_size / 2, probe_size - probe_size / 2};
    // may_contain takes bounds of the column's type: a numeric bound is a well-formed numeric
    std::string nlo, nhi;
    if (r.column(c).type == TypeId::Numeric) {
      nlo = num::from_int64(lo.i64);
      nhi = num::from_int64(hi.i64);
      lo.str = {nlo.data(), nlo.size()};
      hi.str = {nhi.data(), nhi.size()};
    }
    (void)r.may_contain(c, &lo, &hi);
    (void)r.may_contain(c, nullptr, &hi);
    (void)r.may_contain(c, &lo, nullptr);
  }
}

// Reads values for the row and key modes from the fuzz bytes; past the end every read gives zeros.
struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  uint8_t u8() { return p < end ? *p++ : 0; }
  template <typename T>
  T fixed() {
    uint8_t buf[sizeof(T)] = {};
    for (auto& b : buf) b = u8();
    T v;
    std::memcpy(&v, buf, sizeof(T));
    return v;
  }
  std::string bytes(size_t max) {
    size_t len = u8() % (max + 1);
    std::string s;
    for (size_t i = 0; i < len && p < end; ++i) s.push_back(static_cast<char>(u8()));
    return s;
  }
};

constexpr TypeId kStorable[] = {TypeId::Bool,        TypeId::Int32,    TypeId::Int64,   TypeId::Float64,
                                TypeId::Text,        TypeId::Date,     TypeId::Time,    TypeId::Timestamp,
                                TypeId::TimestampTz, TypeId::Interval, TypeId::Numeric, TypeId::Bytea,
                                TypeId::Uuid};
// Every type a primary key column can have (CREATE TABLE refuses interval keys).
constexpr TypeId kKeyTypes[] = {TypeId::Bool,        TypeId::Int32,   TypeId::Int64, TypeId::Float64,
                                TypeId::Text,        TypeId::Date,    TypeId::Time,  TypeId::Timestamp,
                                TypeId::TimestampTz, TypeId::Numeric, TypeId::Bytea, TypeId::Uuid};

// A valid numeric (common/numeric.h's bytes) built through numeric input from fuzz-chosen text: the
// specials, or a sign, up to 40 digits with a point somewhere and an exponent. nullopt when numeric
// input refuses it (out of the format's range).
std::optional<std::string> make_numeric(Reader& r) {
  uint8_t c = r.u8();
  std::string text;
  if (c % 16 == 0) {
    text = "NaN";
  } else if (c % 16 == 1) {
    text = "Infinity";
  } else if (c % 16 == 2) {
    text = "-Infinity";
  } else {
    if (c & 0x10) text.push_back('-');
    size_t digits = 1 + r.u8() % 40, point = r.u8() % (digits + 1);
    for (size_t i = 0; i < digits; ++i) {
      if (i == point && i > 0) text.push_back('.');
      text.push_back(static_cast<char>('0' + r.u8() % 10));
    }
    if (c & 0x20) text += "e" + std::to_string(static_cast<int8_t>(r.u8()));
  }
  try {
    return num::parse(text);
  } catch (const SqlError&) {
    return std::nullopt;
  }
}

// One non-NULL value of `type` as a Datum; text (and numeric) bytes kept in `store`.
bool make_datum(TypeId type, Reader& r, std::deque<std::string>& store, Datum& d) {
  d = Datum{};
  switch (type) {
    case TypeId::Bool:
      d.i64 = r.u8() & 1;
      return true;
    case TypeId::Int32:
    case TypeId::Date:
      d.i64 = r.fixed<int32_t>();  // sign-extended, as every stage holds it
      return true;
    case TypeId::Float64:
      d.f64 = r.fixed<double>();  // any bits: NaN payloads, -0.0, infinities, subnormals
      return true;
    case TypeId::Interval:
      d.i64 = r.fixed<int64_t>();
      d.dm.day = r.fixed<int32_t>();
      d.dm.month = r.fixed<int32_t>();
      return true;
    case TypeId::Text:
    case TypeId::Bytea:
      store.push_back(r.bytes(40));  // may hold 0x00, 0x01, 0xFF: the key codec's escapes
      d.str = {store.back().data(), store.back().size()};
      return true;
    case TypeId::Uuid: {  // exactly 16 bytes (common/bytea.h)
      std::string u;
      for (int i = 0; i < 16; ++i) u.push_back(static_cast<char>(r.u8()));
      store.push_back(std::move(u));
      d.str = {store.back().data(), store.back().size()};
      return true;
    }
    case TypeId::Numeric: {
      std::optional<std::string> n = make_numeric(r);
      if (!n) return false;
      store.push_back(std::move(*n));
      d.str = {store.back().data(), store.back().size()};
      return true;
    }
    default:  // Int64, Time, Timestamp, TimestampTz
      d.i64 = r.fixed<int64_t>();
      return true;
  }
}

// A decoded row value equals the Datum it was encoded from: same type, bit for bit.
bool same_as_datum(TypeId type, const Datum& d, const Value& v) {
  if (v.is_null() != (d.is_null != 0) || v.type() != type) return false;
  if (v.is_null()) return true;
  switch (physical_type(type)) {
    case PhysType::Float64: {
      double x = v.as_double();
      return std::memcmp(&x, &d.f64, 8) == 0;
    }
    case PhysType::Interval:
      return v.as_int() == d.i64 && v.interval_day() == d.dm.day && v.interval_month() == d.dm.month;
    case PhysType::Text:
      return v.as_text() == d.str.view();
    case PhysType::Bool:
      return v.as_bool() == (d.i64 != 0);
    default:
      return v.as_int() == d.i64;
  }
}

// A table of 1-8 columns of storable types from the fuzz bytes; `dropped` bit i puts a dropped column's
// slot before column i (attribute numbers with gaps, as ALTER TABLE DROP COLUMN leaves them).
TableDef make_table(Reader& r) {
  TableDef t;
  t.id = 16384;
  t.name = "t";
  size_t k = 1 + r.u8() % 8;
  uint8_t dropped = r.u8();
  int32_t attnum = 1;
  for (size_t i = 0; i < k; ++i) {
    uint8_t b = r.u8();
    if ((dropped >> i) & 1) {
      t.dropped.push_back({attnum, kStorable[(b >> 4) % std::size(kStorable)], "dropped"});
      ++attnum;
    }
    ColumnDef c;
    c.name = "c" + std::to_string(i);
    c.type = kStorable[(b & 0x0F) % std::size(kStorable)];
    t.columns.push_back(c);
    t.attnums.push_back(attnum++);
  }
  t.next_attnum = attnum;
  if (dropped == 0) {  // a table never altered: no attnums
    t.attnums.clear();
    t.next_attnum = 0;
  }
  return t;
}

void fuzz_row_decode(const uint8_t* p, size_t n) {
  Reader r{p, p + n};
  TableDef t = make_table(r);
  uint8_t has_missing = r.u8();  // bit i: column i has a value for rows older than it
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if ((has_missing >> i) & 1) {
      t.columns[i].has_missing = true;
      t.columns[i].missing = r.bytes(20);
    }
  }
  std::string value(reinterpret_cast<const char*>(r.p), static_cast<size_t>(r.end - r.p));  // own copy
  (void)rowcodec::value_kind(value);
  std::string_view moved = rowcodec::tombstone_moved_to(value);
  if (!moved.empty() &&
      (moved.data() < value.data() || moved.data() + moved.size() > value.data() + value.size()))
    fail("tombstone target outside the value");
  std::vector<Value> out;
  if (!rowcodec::decode_row(t, value, out)) return;
  if (out.size() != t.columns.size()) fail("decode_row: wrong number of values");
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].type() != t.columns[i].type) fail("decode_row: value of another type");
    if (!out[i].is_null() && t.columns[i].type == TypeId::Bool && out[i].as_int() > 1) fail("bool not 0/1");
  }
}

void fuzz_row_round_trip(const uint8_t* p, size_t n) {
  Reader r{p, p + n};
  TableDef t = make_table(r);
  uint8_t nulls = r.u8();
  uint8_t added = r.u8();  // bit 0: the last column was added after the row was written
  std::deque<std::string> store;
  std::vector<Datum> row(t.columns.size());
  for (size_t i = 0; i < row.size(); ++i) {
    if ((nulls >> i) & 1) {
      row[i] = Datum{};
      row[i].is_null = 1;
    } else if (!make_datum(t.columns[i].type, r, store, row[i])) {
      return;
    }
  }
  std::string value;
  std::vector<Value> out;
  rowcodec::encode_row(t, row.data(), value);
  if (rowcodec::value_kind(value) != rowcodec::ValueKind::Row) fail("encode_row: not a live row");
  if (!rowcodec::decode_row(t, value, out)) fail("decode_row refused a fresh row");
  if (out.size() != row.size()) fail("decode_row: wrong number of values");
  for (size_t i = 0; i < row.size(); ++i) {
    if (!same_as_datum(t.columns[i].type, row[i], out[i])) fail("row value changed in a round trip");
  }
  if (!(added & 1)) return;
  // The row as written before ALTER TABLE ADD COLUMN added the last column; read with the column having
  // the row's value as its missing value (or none: NULL).
  TableDef before = t;
  before.columns.pop_back();
  if (!before.attnums.empty()) {
    before.next_attnum = before.attnums.back();
    before.attnums.pop_back();
    while (!before.dropped.empty() && before.dropped.back().attnum >= before.next_attnum)
      before.dropped.pop_back();
  }
  if (before.columns.empty()) return;
  rowcodec::encode_row(before, row.data(), value);
  ColumnDef& last = t.columns.back();
  const Datum& d = row.back();
  if (!d.is_null) {
    last.has_missing = true;
    rowcodec::encode_missing(last.type, d, last.missing);
  }
  if (!rowcodec::decode_row(t, value, out)) fail("decode_row refused a row older than a column");
  for (size_t i = 0; i < row.size(); ++i) {
    if (!same_as_datum(t.columns[i].type, row[i], out[i])) fail("row value changed (added column)");
  }
}

// Decoders the bytes pick, one after another, on the rest as a key.
void fuzz_key_decode(const uint8_t* p, size_t n) {
  if (n < 1) return;
  uint8_t ops = p[0];
  std::string key(reinterpret_cast<const char*>(p + 1), n - 1);  // own copy
  (void)keycodec::decode_table_id(key);
  (void)keycodec::decode_version(key);
  std::string succ = keycodec::prefix_successor(key);
  if (!succ.empty() && (succ <= key || succ.compare(0, key.size(), key) == 0))
    fail("prefix_successor not above every key with the prefix");
  if (succ.empty() && key.find_first_not_of(static_cast<char>(0xFF)) != std::string::npos)
    fail("prefix_successor empty");
  size_t pos = 0;
  for (int i = 0; i < 4 && pos <= key.size(); ++i, ops >>= 2) {
    size_t before = pos;
    std::string again;
    bool ok = false;
    switch (ops & 3) {
      case 0: {
        bool v;
        if ((ok = keycodec::decode_bool(key, pos, v))) keycodec::append_bool(v, again);
        break;
      }
      case 1: {
        int64_t v;
        if ((ok = keycodec::decode_int(key, pos, v))) keycodec::append_int(v, again);
        break;
      }
      case 2: {
        double v;
        if ((ok = keycodec::decode_double(key, pos, v))) {
          keycodec::append_double(v, again);
          if (std::isnan(v) || v == 0) again = key.substr(before, pos - before);  // normalised on encode
        }
        break;
      }
      case 3: {
        std::string v;
        if ((ok = keycodec::decode_text(key, pos, v))) keycodec::append_text(v, again);
        break;
      }
    }
    if (!ok) {
      if (pos != before) fail("a failed key decode moved the position");
      return;
    }
    if (pos <= before || pos > key.size()) fail("key decode: position out of range");
    if (key.compare(before, pos - before, again) != 0) fail("decoded key value encodes differently");
  }
}

int sign(int c) {
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

void fuzz_key_order(const uint8_t* p, size_t n) {
  Reader r{p, p + n};
  size_t k = 1 + r.u8() % 3;
  TypeId types[3];
  for (size_t i = 0; i < k; ++i) types[i] = kKeyTypes[r.u8() % std::size(kKeyTypes)];
  uint8_t share = r.u8();  // bit i: b's column i is a's (equal prefixes, so later columns decide)
  uint32_t table_id = r.fixed<uint32_t>();
  uint64_t version[2] = {r.fixed<uint64_t>(), r.fixed<uint64_t>()};
  std::deque<std::string> store;
  Datum vals[2][3];
  for (int side = 0; side < 2; ++side) {
    for (size_t i = 0; i < k; ++i) {
      if (side == 1 && ((share >> i) & 1)) {
        vals[1][i] = vals[0][i];
      } else if (!make_datum(types[i], r, store, vals[side][i])) {
        return;
      }
    }
  }
  std::string keys[2];
  for (int side = 0; side < 2; ++side) {
    keycodec::append_table_prefix(table_id, keys[side]);
    for (size_t i = 0; i < k; ++i) keycodec::append_datum(types[i], vals[side][i], keys[side]);
    keycodec::append_version(version[side], keys[side]);
  }
  // The SQL order: column by column, then the newer version (larger commit timestamp) first.
  int want = 0;
  for (size_t i = 0; i < k && want == 0; ++i)
    want = sign(runtime::compare_datums(types[i], vals[0][i], vals[1][i]));
  if (want == 0) want = version[0] > version[1] ? -1 : (version[0] < version[1] ? 1 : 0);
  if (sign(keys[0].compare(keys[1])) != want) fail("key byte order differs from the SQL order");
  // Decode back (up to the first numeric column: numeric keys have no decoder, rows keep the value).
  for (int side = 0; side < 2; ++side) {
    const std::string& key = keys[side];
    if (keycodec::decode_table_id(key) != table_id) fail("table id changed");
    if (keycodec::decode_version(key) != version[side]) fail("version changed");
    size_t pos = keycodec::kTablePrefixSize;
    size_t i = 0;
    for (; i < k && types[i] != TypeId::Numeric; ++i) {
      const Datum& d = vals[side][i];
      bool same = false;
      switch (physical_type(types[i])) {
        case PhysType::Bool: {
          bool v;
          same = keycodec::decode_bool(key, pos, v) && v == (d.i64 != 0);
          break;
        }
        case PhysType::Float64: {
          Datum v{};  // -0.0 reads +0.0, every NaN the one NaN: equal under SQL comparison
          same =
              keycodec::decode_double(key, pos, v.f64) && runtime::compare_datums(TypeId::Float64, v, d) == 0;
          break;
        }
        case PhysType::Text: {
          std::string v;
          same = keycodec::decode_text(key, pos, v) && v == d.str.view();
          break;
        }
        default: {
          int64_t v;
          same = keycodec::decode_int(key, pos, v) && v == d.i64;
          break;
        }
      }
      if (!same) fail("key value changed in a round trip");
    }
    if (i == k && pos != key.size() - keycodec::kVersionSize) fail("key decode did not end at the version");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0] % 8;
  const uint8_t* p = data + 1;
  size_t n = size - 1;
  switch (mode) {
    case 0: {
      // an own copy, so any read past its end is an ASan finding
      std::string bytes(reinterpret_cast<const char*>(p), n);
      fuzz_block(bytes, p, n < 16 ? n : 16);
      break;
    }
    case 1: {
      if (n < 4) return 0;
      const Codec* codec = codec_for(p[0]);
      TypeId type = type_from(p[1]);
      uint64_t count = p[2] | (uint64_t{p[3]} << 8);
      if (codec == nullptr || !codec->supports(type)) return 0;
      std::string in(reinterpret_cast<const char*>(p + 4), n - 4);
      std::vector<uint8_t> out(count * value_size(type));  // exactly n values: ASan catches overruns
      if (codec->decode(type, in, count, out.data()).is_ok())
        check_well_formed(type, out.data(), nullptr, count, in);
      break;
    }
    case 2: {
      if (n < 2) return 0;
      Values v = parse_values(type_from(p[0]), p[1], p + 2, n - 2);
      for (CodecId id : candidate_codecs(v.type)) expect_round_trip(v, id);
      expect_round_trip(v, choose_codec(v.type, v.data(), v.nulls.empty() ? nullptr : v.nulls.data(), v.n));
      break;
    }
    case 3: {
      if (n < 3) return 0;
      size_t half = (n - 3) / 2;
      Values a = parse_values(type_from(p[0]), p[2], p + 3, half);
      Values b = parse_values(type_from(p[1]), static_cast<uint8_t>(p[2] >> 4), p + 3 + half, n - 3 - half);
      uint64_t rows = a.n < b.n ? a.n : b.n;
      std::vector<ColumnInput> cols = {
          {a.type, a.data(), a.nulls.empty() ? nullptr : a.nulls.data(), std::nullopt},
          {b.type, b.data(), b.nulls.empty() ? nullptr : b.nulls.data(), std::nullopt}};
      std::string block;
      if (!write_block(cols, rows, block).is_ok()) fail("write_block failed");
      BlockReader r;
      if (!r.open(block).is_ok()) fail("open of a fresh block failed");
      for (size_t c = 0; c < 2; ++c) {
        const Values& v = c == 0 ? a : b;
        std::vector<uint8_t> out(rows * value_size(v.type) + 1), nulls(rows + 1);
        if (!r.decode_column(c, out.data(), nulls.data()).is_ok()) fail("decode of a fresh block failed");
        for (uint64_t i = 0; i < rows; ++i) {
          bool is_null = !v.nulls.empty() && v.nulls[i];
          if (nulls[i] != is_null) fail("block NULL flag changed");
          if (!is_null && !same_value(v.type, v.data(), out.data(), i)) fail("block value changed");
        }
      }
      break;
    }
    case 4:
      fuzz_row_decode(p, n);
      break;
    case 5:
      fuzz_row_round_trip(p, n);
      break;
    case 6:
      fuzz_key_decode(p, n);
      break;
    case 7:
      fuzz_key_order(p, n);
      break;
  }
  return 0;
}
