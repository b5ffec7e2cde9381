// Catalog persistence. Each table definition is stored under meta::catalog_key(id) (see internal.h) in
// a hand-written binary form:
//   u8  format version (1 or 2)
//   u32 table id                    (all integers little-endian)
//   str table name                  (str = u32 byte length + bytes)
//   u32 column count, then per column:  str name, u8 TypeId, u8 not_null, i32 max_length,
//                                       and in version 2: str DEFAULT expression (SQL text, empty: none)
//   u32 primary key column count, then per key column: u32 column index
// Version 1 (written before column defaults existed) is still read; new definitions are written as
// version 2.
// A table with storage parameters (TableDef::options: seal_after) has a trailer after the body: u8 'O', u32
// count, str per parameter ("name=value"); written only by such tables, so other databases stay readable
// by older builds. Then:
// A temporary table's (or sequence's) entry ends with a trailer: u8 'T', u32 its temporary namespace
// (TableDef::temp_namespace). Startup deletes such entries with their rows (Catalog::load). A table's
// (or sequence's) in a schema other than public ends with the trailer u8 'S', u32 the schema's id
// (TableDef::schema); entries without it (all those written before schemas existed) are public's. A
// table whose primary key has a name other than <table>_pkey (TableDef::pkey_name) ends with the trailer
// u8 'K', str the name; entries without it (all those written before primary keys kept their names) have
// <table>_pkey. Trailers are written only when needed, so other databases stay readable by older builds.
// Schemas (CREATE SCHEMA) are stored under meta::schema_key(id): u8 format 1, u32 id, str name.
// The next table id is stored separately (meta::next_table_id_key) so ids are never reused, even when
// the table with the highest id is dropped.
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/datetime.h"
#include "common/error.h"
#include "common/sync_point.h"
#include "storage/internal.h"
#include "storage/key_codec.h"
#include "storage/row_codec.h"
#include "storage/sealed.h"
#include "storage/store.h"

namespace omendb::storage {

int TableDef::column_of_attnum(int32_t a) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (attnum(i) == a) return static_cast<int>(i);
  return -1;
}

std::optional<std::string> TableDef::option(std::string_view option_name) const {
  for (const std::string& o : options)
    if (o.size() > option_name.size() && o.compare(0, option_name.size(), option_name) == 0 &&
        o[option_name.size()] == '=')
      return o.substr(option_name.size() + 1);
  return std::nullopt;
}

void TableDef::set_options(const std::vector<std::pair<std::string, std::string>>& changes, bool reset) {
  for (const auto& [name, value] : changes) {
    if (!reset && name == "seal_after") parse_seal_after(value);
    // Checked against the key where the table is whole (ALTER TABLE; CREATE TABLE after its columns).
    if (!reset && name == "seal_bucket" && !primary_key.empty()) parse_seal_bucket(*this, value);
    std::erase_if(options, [&name = name](const std::string& o) {
      return o.size() > name.size() && o.compare(0, name.size(), name) == 0 && o[name.size()] == '=';
    });
  }
  if (!reset)
    for (const auto& [name, value] : changes) options.push_back(name + "=" + value);
}

int64_t parse_seal_after(std::string_view value) {
  auto invalid = [] {
    return SqlError(SqlState::InvalidParameterValue, "invalid value for \"seal_after\" option")
        .with_detail("Valid values are intervals of zero or more, such as '10 minutes', and \"off\".");
  };
  std::string v(value);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "off") return kSealAfterOff;
  dt::Interval iv;
  try {
    iv = dt::interval_in(value);
  } catch (const SqlError&) {
    throw invalid();
  }
  constexpr __int128 kDay = __int128{86'400'000'000};
  const __int128 micros = iv.time + iv.day * kDay + iv.month * 30 * kDay;
  if (micros < 0 || micros > INT64_MAX) throw invalid();
  return static_cast<int64_t>(micros);
}

SealBucket parse_seal_bucket(const TableDef& table, std::string_view value) {
  auto invalid = [](std::string detail) {
    return SqlError(SqlState::InvalidParameterValue, "invalid value for \"seal_bucket\" option")
        .with_detail(std::move(detail));
  };
  SealBucket b;
  auto is_time = [](TypeId t) {
    return t == TypeId::Timestamp || t == TypeId::TimestampTz || t == TypeId::Date;
  };
  for (int pass = 0; pass < 2 && b.key_pos < 0; ++pass) {
    for (size_t k = 1; k < table.primary_key.size(); ++k) {
      const TypeId t = table.columns[static_cast<size_t>(table.primary_key[k])].type;
      if (pass == 0 ? is_time(t) : is_integer(t)) {
        b.key_pos = static_cast<int>(k);
        b.column = table.primary_key[k];
        break;
      }
    }
  }
  if (b.key_pos < 0)
    throw invalid(
        "The table needs a timestamp, timestamptz, date or integer column in its primary key "
        "after the first one.");
  // Sealed blocks key rows by their encoded key: the columns before the partition column must be ones
  // whose encoding a key can be read past (not numeric).
  for (int k = 0; k < b.key_pos; ++k)
    if (table.columns[static_cast<size_t>(table.primary_key[static_cast<size_t>(k)])].type == TypeId::Numeric)
      throw invalid("A numeric primary key column before the partition column is not supported.");
  const TypeId type = table.columns[static_cast<size_t>(b.column)].type;
  if (is_integer(type)) {
    std::string v(value);
    char* end = nullptr;
    errno = 0;
    const long long w = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || w <= 0)
      throw invalid("Column \"" + table.columns[static_cast<size_t>(b.column)].name +
                    "\" is an integer: the width is a positive integer.");
    b.width = w;
    return b;
  }
  dt::Interval iv;
  try {
    iv = dt::interval_in(value);
  } catch (const SqlError&) {
    throw invalid("The width of a time column is a positive interval, such as '1 day'.");
  }
  constexpr __int128 kDay = __int128{86'400'000'000};
  const __int128 micros = iv.time + iv.day * kDay + iv.month * 30 * kDay;
  if (micros <= 0 || micros > INT64_MAX)
    throw invalid("The width of a time column is a positive interval, such as '1 day'.");
  b.width = static_cast<int64_t>(micros);
  if (type == TypeId::Date) {
    if (micros % kDay != 0) throw invalid("The width of a date column is a whole number of days.");
    b.width = static_cast<int64_t>(micros / kDay);
  }
  return b;
}

SealBucket TableDef::seal_bucket() const {
  std::optional<std::string> v = option("seal_bucket");
  return v ? parse_seal_bucket(*this, *v) : SealBucket{};
}

bool SealBucket::key_bucket(const TableDef& table, std::string_view key, int64_t& b, size_t* offset) const {
  size_t pos = keycodec::kTablePrefixSize;
  for (int k = 0; k < key_pos; ++k) {  // read past the key columns before the partition column
    const TypeId t = table.columns[static_cast<size_t>(table.primary_key[static_cast<size_t>(k)])].type;
    switch (physical_type(t)) {
      case PhysType::Bool:
        ++pos;
        break;
      case PhysType::Int32:
      case PhysType::Int64:
      case PhysType::Float64:
        pos += 8;
        break;
      default: {  // text, bytea, uuid: 0x00 escaped as 0x00 0xFF, ended by 0x00 0x01
        for (;;) {
          const size_t z = key.find('\0', pos);
          if (z == std::string_view::npos || z + 1 >= key.size()) return false;
          pos = z + 2;
          if (key[z + 1] == '\x01') break;
        }
      }
    }
    if (pos > key.size()) return false;
  }
  int64_t v = 0;
  if (offset) *offset = pos;
  if (!keycodec::decode_int(key, pos, v)) return false;
  b = bucket(v);
  return true;
}

int64_t SealBucket::bucket_min(int64_t b) const {
  const __int128 v = static_cast<__int128>(b) * width;
  return v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v);
}

int64_t SealBucket::bucket_max(int64_t b) const {
  const __int128 v = static_cast<__int128>(b) * width + width - 1;
  return v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v);
}

const IndexDef* TableDef::find_index(std::string_view index_name) const {
  for (const IndexDef& ix : indexes)
    if (ix.name == index_name) return &ix;
  return nullptr;
}

const char* foreign_key_action_name(char action) {
  switch (action) {
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "NO ACTION";
  }
}

bool TableDef::constraint_name_used(std::string_view n) const {
  if (!primary_key.empty() && n == primary_key_name()) return true;
  for (const IndexDef& ix : indexes)
    if (ix.constraint && ix.name == n) return true;
  for (const CheckDef& c : checks)
    if (c.name == n) return true;
  for (const ForeignKeyDef& f : foreign_keys)
    if (f.name == n) return true;
  return false;
}

bool TableDef::has_comments() const {
  if (!comment.empty() || !pkey_comment.empty() || !pkey_index_comment.empty()) return true;
  for (const ColumnDef& c : columns)
    if (!c.comment.empty()) return true;
  for (const IndexDef& ix : indexes)
    if (!ix.comment.empty() || !ix.constraint_comment.empty()) return true;
  for (const CheckDef& c : checks)
    if (!c.comment.empty()) return true;
  for (const ForeignKeyDef& f : foreign_keys)
    if (!f.comment.empty()) return true;
  return false;
}

int TableDef::find_column(std::string_view column_name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column_name) return static_cast<int>(i);
  }
  return -1;
}

void set_missing_value(ColumnDef& column, const Datum& value) {
  column.has_missing = !value.is_null;
  column.missing.clear();
  if (value.is_null) return;
  rowcodec::encode_missing(column.type, value, column.missing);
}

std::vector<int> TableDef::slot_columns() const {
  std::vector<int> out(slot_count(), -1);
  for (size_t i = 0; i < columns.size(); ++i) {
    size_t slot = static_cast<size_t>(attnum(i) - 1);
    if (slot < out.size()) out[slot] = static_cast<int>(i);
  }
  return out;
}

std::vector<TypeId> TableDef::slot_types() const {
  std::vector<TypeId> out(slot_count(), TypeId::Int64);
  for (size_t i = 0; i < columns.size(); ++i) {
    size_t slot = static_cast<size_t>(attnum(i) - 1);
    if (slot < out.size()) out[slot] = columns[i].type;
  }
  for (const DroppedColumn& d : dropped) {
    size_t slot = static_cast<size_t>(d.attnum - 1);
    if (slot < out.size()) out[slot] = d.type;
  }
  return out;
}

std::string index_column_text(const std::string& expr) {
  size_t i = 0;
  while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '_' ||
                             expr[i] == '.' || static_cast<unsigned char>(expr[i]) >= 0x80))
    ++i;
  const bool call = i > 0 && !std::isdigit(static_cast<unsigned char>(expr[0])) && i < expr.size() &&
                    expr[i] == '(' && expr.back() == ')';
  return call ? expr : "(" + expr + ")";
}

namespace {

constexpr uint8_t kCatalogFormatV1 = 1;
constexpr uint8_t kCatalogFormatV2 = 2;  // + column defaults
constexpr uint8_t kCatalogFormatV3 = 3;  // + per column: u8 flags (1: char(n)), u8 has_missing, str missing,
                                         //   i32 attnum; then i32 next_attnum (ALTER TABLE)
constexpr uint8_t kCatalogFormatV4 = 4;  // + u32 index count, per index: u32 id, str name, u32 column
                                         //   count, i32 attnum per column, u8 flags, u64 valid_from_ts
                                         //   (flags: 1 unique, 2 a UNIQUE constraint's index, 4 NULLS NOT
                                         //   DISTINCT; older builds wrote 0: no format bump needed)
// + per column: u8 identity (0, 'a', 'd') after the indexes; written only by tables with an identity
// column, so databases without one stay readable by older builds.
constexpr uint8_t kCatalogFormatV5 = 5;
// + u32 CHECK count, per check: u32 id, str name, str expr, str display, str pretty, u8 validated;
// u32 FOREIGN KEY count, per key: u32 id, str name, u32 column count, i32 attnum per column, u32
// referenced table id, i32 referenced attnum per column, u8 on_update, u8 on_delete. Written only by
// tables with a CHECK or FOREIGN KEY constraint (the others stay readable by older builds).
constexpr uint8_t kCatalogFormatV6 = 6;
// + a view's definition: str query, u32 dependency count, per dependency: u32 relation id, i32 max_attnum,
// u32 column count, i32 attnum per column. Written only by views.
constexpr uint8_t kCatalogFormatV7 = 7;
// V6's layout (never a view), then per FOREIGN KEY: u32 count, i32 attnum per column of its ON DELETE SET
// NULL / SET DEFAULT column list. Written only by tables with such a list.
constexpr uint8_t kCatalogFormatV8 = 8;
// V8's layout (a key column's attnum may be 0), then per index: u32 expression count, per expression: str
// expr, str pretty, u8 type; u8 has predicate, then str expr, str pretty. Written only by tables with an
// expression or partial index; older databases need no migration (their entries read as before).
constexpr uint8_t kCatalogFormatV9 = 9;
// V9's layout (every section), then u8 is a view and V7's view section if so, then the comments (COMMENT
// ON): str table, str primary key constraint, str primary key index, str per column, per index str index
// and str constraint, str per CHECK, str per FOREIGN KEY. Written only by relations with a comment.
constexpr uint8_t kCatalogFormatV10 = 10;

template <typename T>
void put_le(T v, std::string& out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

void put_str(std::string_view s, std::string& out) {
  put_le<uint32_t>(static_cast<uint32_t>(s.size()), out);
  out.append(s);
}

struct Reader {
  std::string_view in;
  size_t pos = 0;
  bool ok = true;

  template <typename T>
  T get() {
    T v{};
    if (pos + sizeof(T) > in.size()) {
      ok = false;
      return v;
    }
    std::memcpy(&v, in.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  std::string get_str() {
    uint32_t n = get<uint32_t>();
    if (!ok || pos + n > in.size()) {
      ok = false;
      return {};
    }
    std::string s(in.substr(pos, n));
    pos += n;
    return s;
  }
};

std::string serialize_body(const TableDef& def);

// The namespace trailers (see the top of the file): the schema's, the temporary namespace's.
void put_namespace_trailer(Namespace nsp, std::string& out) {
  if (nsp.schema != 0) {
    out.push_back('S');
    put_le<uint32_t>(nsp.schema, out);
  }
  if (nsp.temp != 0) {
    out.push_back('T');
    put_le<uint32_t>(nsp.temp, out);
  }
}

// The storage-parameter trailer (see the top of the file).
void put_options_trailer(const std::vector<std::string>& options, std::string& out) {
  if (options.empty()) return;
  out.push_back('O');
  put_le<uint32_t>(static_cast<uint32_t>(options.size()), out);
  for (const std::string& o : options) put_str(o, out);
}

bool get_options_trailer(Reader& r, std::vector<std::string>& options) {
  if (r.pos == r.in.size() || r.in[r.pos] != 'O') return true;
  ++r.pos;
  uint32_t n = r.get<uint32_t>();
  if (!r.ok || n > r.in.size()) return false;
  options.resize(n);
  for (std::string& o : options) o = r.get_str();
  return r.ok;
}

// The primary key's name trailer (see the top of the file).
void put_pkey_trailer(const TableDef& def, std::string& out) {
  if (def.primary_key.empty() || def.pkey_name.empty() || def.pkey_name == def.name + "_pkey") return;
  out.push_back('K');
  put_str(def.pkey_name, out);
}

// The trailers after the options trailer: namespaces and the primary key's name, in any order.
bool get_trailers(Reader& r, uint32_t& schema, uint32_t& temp_namespace, std::string& pkey_name) {
  while (r.ok && r.pos < r.in.size()) {
    const uint8_t tag = r.get<uint8_t>();
    if (tag == 'K') {
      pkey_name = r.get_str();
      if (pkey_name.empty()) return false;
    } else if (tag == 'S') {
      schema = r.get<uint32_t>();
      if (schema == 0) return false;
    } else if (tag == 'T') {
      temp_namespace = r.get<uint32_t>();
      if (temp_namespace == 0) return false;
    } else {
      return false;
    }
  }
  return r.ok;
}

std::string serialize(const TableDef& def) {
  std::string out = serialize_body(def);
  put_options_trailer(def.options, out);
  put_namespace_trailer(def.nsp(), out);
  put_pkey_trailer(def, out);
  return out;
}

constexpr uint8_t kSchemaFormatV1 = 1;

std::string serialize_schema(const SchemaDef& d) {
  std::string out;
  out.push_back(static_cast<char>(kSchemaFormatV1));
  put_le<uint32_t>(d.id, out);
  put_str(d.name, out);
  return out;
}

bool deserialize_schema(std::string_view in, SchemaDef& d) {
  Reader r{in};
  if (r.get<uint8_t>() != kSchemaFormatV1) return false;
  d.id = r.get<uint32_t>();
  d.name = r.get_str();
  return r.ok && r.pos == in.size() && d.id != 0 && !d.name.empty();
}

std::string serialize_body(const TableDef& def) {
  std::string out;
  bool identity = false;
  for (const ColumnDef& c : def.columns) identity = identity || c.identity;
  const bool constraints = !def.checks.empty() || !def.foreign_keys.empty();
  const bool view = def.is_view();
  bool set_lists = false;
  for (const ForeignKeyDef& f : def.foreign_keys) set_lists = set_lists || !f.delete_set_attnums.empty();
  bool computed = false;
  for (const IndexDef& ix : def.indexes) computed = computed || ix.computed();
  const bool comments = def.has_comments();
  out.push_back(static_cast<char>(comments              ? kCatalogFormatV10
                                  : view                ? kCatalogFormatV7
                                  : computed            ? kCatalogFormatV9
                                  : set_lists           ? kCatalogFormatV8
                                  : constraints         ? kCatalogFormatV6
                                  : identity            ? kCatalogFormatV5
                                  : def.indexes.empty() ? kCatalogFormatV3
                                                        : kCatalogFormatV4));
  put_le<uint32_t>(def.id, out);
  put_str(def.name, out);
  put_le<uint32_t>(static_cast<uint32_t>(def.columns.size()), out);
  for (const ColumnDef& c : def.columns) {
    put_str(c.name, out);
    out.push_back(static_cast<char>(c.type));
    out.push_back(c.not_null ? '\x01' : '\x00');
    put_le<int32_t>(c.max_length, out);
    put_str(c.default_expr, out);
    out.push_back('\x00');  // (format 3's char(n) flag: a bpchar column is its type since)
    out.push_back(c.has_missing ? '\x01' : '\x00');
    put_str(c.missing, out);
  }
  put_le<uint32_t>(static_cast<uint32_t>(def.primary_key.size()), out);
  for (int k : def.primary_key) put_le<uint32_t>(static_cast<uint32_t>(k), out);
  for (size_t i = 0; i < def.columns.size(); ++i) put_le<int32_t>(def.attnum(i), out);
  put_le<int32_t>(def.next_attnum, out);
  put_le<uint32_t>(static_cast<uint32_t>(def.dropped.size()), out);
  for (const TableDef::DroppedColumn& d : def.dropped) {
    put_le<int32_t>(d.attnum, out);
    out.push_back(static_cast<char>(d.type));
    put_str(d.name, out);
  }
  if (def.indexes.empty() && !identity && !constraints && !view && !comments) return out;
  const bool all = computed || comments;  // V9, V10: V8's layout, every section written
  put_le<uint32_t>(static_cast<uint32_t>(def.indexes.size()), out);
  for (const IndexDef& ix : def.indexes) {
    put_le<uint32_t>(ix.id, out);
    put_str(ix.name, out);
    put_le<uint32_t>(static_cast<uint32_t>(ix.attnums.size()), out);
    for (int32_t a : ix.attnums) put_le<int32_t>(a, out);
    const bool ordered = std::any_of(ix.options.begin(), ix.options.end(), [](uint8_t o) { return o != 0; });
    out.push_back(static_cast<char>((ix.unique ? 1 : 0) | (ix.constraint ? 2 : 0) |
                                    (ix.nulls_not_distinct ? 4 : 0) | (ordered ? 8 : 0)));
    put_le<uint64_t>(ix.valid_from_ts, out);
    if (ordered)  // flag 8: a byte per key column, its indoption (written only when one is not 0)
      for (size_t i = 0; i < ix.attnums.size(); ++i) out.push_back(static_cast<char>(ix.option(i)));
  }
  if (identity || constraints || view || all)
    for (const ColumnDef& c : def.columns) out.push_back(c.identity);
  if (!constraints && !view && !all) return out;
  put_le<uint32_t>(static_cast<uint32_t>(def.checks.size()), out);
  for (const CheckDef& c : def.checks) {
    put_le<uint32_t>(c.id, out);
    put_str(c.name, out);
    put_str(c.expr, out);
    put_str(c.display, out);
    put_str(c.pretty, out);
    out.push_back(c.validated ? '\x01' : '\x00');
  }
  put_le<uint32_t>(static_cast<uint32_t>(def.foreign_keys.size()), out);
  for (const ForeignKeyDef& f : def.foreign_keys) {
    put_le<uint32_t>(f.id, out);
    put_str(f.name, out);
    put_le<uint32_t>(static_cast<uint32_t>(f.attnums.size()), out);
    for (int32_t a : f.attnums) put_le<int32_t>(a, out);
    put_le<uint32_t>(f.ref_table, out);
    for (int32_t a : f.ref_attnums) put_le<int32_t>(a, out);
    out.push_back(f.on_update);
    out.push_back(f.on_delete);
  }
  if (set_lists || all)
    for (const ForeignKeyDef& f : def.foreign_keys) {
      put_le<uint32_t>(static_cast<uint32_t>(f.delete_set_attnums.size()), out);
      for (int32_t a : f.delete_set_attnums) put_le<int32_t>(a, out);
    }
  if (all)
    for (const IndexDef& ix : def.indexes) {
      auto put_expression = [&](const IndexDef::Expression& x) {
        put_str(x.expr, out);
        put_str(x.pretty, out);
        out.push_back(static_cast<char>(x.type));
      };
      put_le<uint32_t>(static_cast<uint32_t>(ix.exprs.size()), out);
      for (const IndexDef::Expression& x : ix.exprs) put_expression(x);
      out.push_back(ix.predicate ? '\x01' : '\x00');
      if (ix.predicate) put_expression(*ix.predicate);
    }
  if (comments) out.push_back(view ? '\x01' : '\x00');
  if (view) {
    put_str(def.view->query, out);
    put_le<uint32_t>(static_cast<uint32_t>(def.view->depends.size()), out);
    for (const ViewDependency& d : def.view->depends) {
      put_le<uint32_t>(d.relation, out);
      put_le<int32_t>(d.max_attnum, out);
      put_le<uint32_t>(static_cast<uint32_t>(d.attnums.size()), out);
      for (int32_t a : d.attnums) put_le<int32_t>(a, out);
    }
  }
  if (!comments) return out;
  put_str(def.comment, out);
  put_str(def.pkey_comment, out);
  put_str(def.pkey_index_comment, out);
  for (const ColumnDef& c : def.columns) put_str(c.comment, out);
  for (const IndexDef& ix : def.indexes) {
    put_str(ix.comment, out);
    put_str(ix.constraint_comment, out);
  }
  for (const CheckDef& c : def.checks) put_str(c.comment, out);
  for (const ForeignKeyDef& f : def.foreign_keys) put_str(f.comment, out);
  return out;
}

bool deserialize(std::string_view in, TableDef& def) {
  Reader r{in};
  uint8_t version = r.get<uint8_t>();
  if (version < kCatalogFormatV1 || version > kCatalogFormatV10) return false;
  def.id = r.get<uint32_t>();
  def.name = r.get_str();
  uint32_t ncols = r.get<uint32_t>();
  if (!r.ok || ncols > in.size()) return false;
  def.columns.resize(ncols);
  for (ColumnDef& c : def.columns) {
    c.name = r.get_str();
    uint8_t t = r.get<uint8_t>();
    // A view's columns may have any type its query gives (oid, name ... of a catalog).
    if (!valid_type_id(t) || (!storable(static_cast<TypeId>(t)) && version < kCatalogFormatV7)) return false;
    c.type = static_cast<TypeId>(t);
    c.not_null = r.get<uint8_t>() != 0;
    c.max_length = r.get<int32_t>();
    if (version >= kCatalogFormatV2) c.default_expr = r.get_str();
    if (version >= kCatalogFormatV3) {
      // Format 3's char(n): a text column with this flag, read as the bpchar type it is.
      if (r.get<uint8_t>() != 0 && c.type == TypeId::Text) c.type = TypeId::BpChar;
      c.has_missing = r.get<uint8_t>() != 0;
      c.missing = r.get_str();
    }
  }
  uint32_t npk = r.get<uint32_t>();
  if (!r.ok || npk > ncols) return false;
  def.primary_key.resize(npk);
  for (int& k : def.primary_key) {
    k = static_cast<int>(r.get<uint32_t>());
    if (k < 0 || static_cast<uint32_t>(k) >= ncols) return false;
  }
  if (version >= kCatalogFormatV3) {
    def.attnums.resize(ncols);
    bool identity = true;
    for (size_t i = 0; i < ncols; ++i) {
      def.attnums[i] = r.get<int32_t>();
      identity = identity && def.attnums[i] == static_cast<int32_t>(i) + 1;
    }
    def.next_attnum = r.get<int32_t>();
    uint32_t ndropped = r.get<uint32_t>();
    if (!r.ok || ndropped > in.size()) return false;
    def.dropped.resize(ndropped);
    for (TableDef::DroppedColumn& d : def.dropped) {
      d.attnum = r.get<int32_t>();
      uint8_t t = r.get<uint8_t>();
      if (!valid_type_id(t)) return false;
      d.type = static_cast<TypeId>(t);
      d.name = r.get_str();
    }
    if (identity && def.next_attnum == 0 && def.dropped.empty()) def.attnums.clear();
    if (!def.attnums.empty()) {  // every attribute number below next_attnum, each once
      std::vector<bool> seen(static_cast<size_t>(std::max(def.next_attnum, 1)), false);
      auto take = [&](int32_t a) {
        if (a < 1 || a >= def.next_attnum || seen[static_cast<size_t>(a)]) return false;
        seen[static_cast<size_t>(a)] = true;
        return true;
      };
      for (int32_t a : def.attnums)
        if (!take(a)) return false;
      for (const TableDef::DroppedColumn& d : def.dropped)
        if (!take(d.attnum)) return false;
    }
  }
  if (version >= kCatalogFormatV4) {
    uint32_t nindexes = r.get<uint32_t>();
    if (!r.ok || nindexes > in.size()) return false;
    def.indexes.resize(nindexes);
    for (IndexDef& ix : def.indexes) {
      ix.id = r.get<uint32_t>();
      ix.name = r.get_str();
      uint32_t n = r.get<uint32_t>();
      if (!r.ok || n == 0 || n > in.size()) return false;
      ix.attnums.resize(n);
      for (int32_t& a : ix.attnums) {
        a = r.get<int32_t>();
        if (def.column_of_attnum(a) < 0 && !(a == 0 && version >= kCatalogFormatV9)) return false;
      }
      const uint8_t flags = r.get<uint8_t>();
      if (flags > 15) return false;
      ix.unique = (flags & 1) != 0;
      ix.constraint = (flags & 2) != 0;
      ix.nulls_not_distinct = (flags & 4) != 0;
      ix.valid_from_ts = r.get<uint64_t>();
      if (flags & 8) {
        ix.options.resize(n);
        for (uint8_t& o : ix.options) {
          o = r.get<uint8_t>();
          if (o > 3) return false;
        }
      }
      if (ix.id == 0) return false;
    }
  }
  if (version >= kCatalogFormatV5) {
    for (ColumnDef& c : def.columns) {
      c.identity = static_cast<char>(r.get<uint8_t>());
      if (c.identity != 0 && c.identity != 'a' && c.identity != 'd') return false;
    }
  }
  if (version >= kCatalogFormatV6) {
    uint32_t nchecks = r.get<uint32_t>();
    if (!r.ok || nchecks > in.size()) return false;
    def.checks.resize(nchecks);
    for (CheckDef& c : def.checks) {
      c.id = r.get<uint32_t>();
      c.name = r.get_str();
      c.expr = r.get_str();
      c.display = r.get_str();
      c.pretty = r.get_str();
      c.validated = r.get<uint8_t>() != 0;
    }
    uint32_t nkeys = r.get<uint32_t>();
    if (!r.ok || nkeys > in.size()) return false;
    def.foreign_keys.resize(nkeys);
    static constexpr std::string_view kActions = "arcnd";
    for (ForeignKeyDef& f : def.foreign_keys) {
      f.id = r.get<uint32_t>();
      f.name = r.get_str();
      uint32_t n = r.get<uint32_t>();
      if (!r.ok || n == 0 || n > 32) return false;
      f.attnums.resize(n);
      for (int32_t& a : f.attnums) {
        a = r.get<int32_t>();
        if (def.column_of_attnum(a) < 0) return false;
      }
      f.ref_table = r.get<uint32_t>();
      f.ref_attnums.resize(n);
      for (int32_t& a : f.ref_attnums) a = r.get<int32_t>();
      f.on_update = static_cast<char>(r.get<uint8_t>());
      f.on_delete = static_cast<char>(r.get<uint8_t>());
      if (kActions.find(f.on_update) == std::string_view::npos ||
          kActions.find(f.on_delete) == std::string_view::npos)
        return false;
    }
  }
  if (version >= kCatalogFormatV8) {
    for (ForeignKeyDef& f : def.foreign_keys) {
      uint32_t n = r.get<uint32_t>();
      if (!r.ok || n > f.attnums.size()) return false;
      f.delete_set_attnums.resize(n);
      for (int32_t& a : f.delete_set_attnums) {
        a = r.get<int32_t>();
        if (std::find(f.attnums.begin(), f.attnums.end(), a) == f.attnums.end()) return false;
      }
    }
  }
  if (version >= kCatalogFormatV9) {
    auto get_expression = [&](IndexDef::Expression& x) {
      x.expr = r.get_str();
      x.pretty = r.get_str();
      const uint8_t t = r.get<uint8_t>();
      if (!valid_type_id(t)) return false;
      x.type = static_cast<TypeId>(t);
      return r.ok && !x.expr.empty();
    };
    for (IndexDef& ix : def.indexes) {
      const uint32_t n = r.get<uint32_t>();
      if (!r.ok || n != static_cast<uint32_t>(std::count(ix.attnums.begin(), ix.attnums.end(), 0)))
        return false;
      ix.exprs.resize(n);
      for (IndexDef::Expression& x : ix.exprs)
        if (!get_expression(x)) return false;
      if (r.get<uint8_t>() != 0 && !get_expression(ix.predicate.emplace())) return false;
    }
  }
  if (version == kCatalogFormatV7 || (version >= kCatalogFormatV10 && r.get<uint8_t>() != 0)) {
    auto view = std::make_shared<ViewDef>();
    view->query = r.get_str();
    uint32_t ndeps = r.get<uint32_t>();
    if (!r.ok || ndeps > in.size()) return false;
    view->depends.resize(ndeps);
    for (ViewDependency& d : view->depends) {
      d.relation = r.get<uint32_t>();
      d.max_attnum = r.get<int32_t>();
      uint32_t n = r.get<uint32_t>();
      if (!r.ok || n > in.size()) return false;
      d.attnums.resize(n);
      for (int32_t& a : d.attnums) a = r.get<int32_t>();
    }
    def.view = std::move(view);
  }
  if (version >= kCatalogFormatV10) {
    def.comment = r.get_str();
    def.pkey_comment = r.get_str();
    def.pkey_index_comment = r.get_str();
    for (ColumnDef& c : def.columns) c.comment = r.get_str();
    for (IndexDef& ix : def.indexes) {
      ix.comment = r.get_str();
      ix.constraint_comment = r.get_str();
    }
    for (CheckDef& c : def.checks) c.comment = r.get_str();
    for (ForeignKeyDef& f : def.foreign_keys) f.comment = r.get_str();
  }
  return r.ok && get_options_trailer(r, def.options) &&
         get_trailers(r, def.schema, def.temp_namespace, def.pkey_name) && r.pos == in.size();
}

// CHECK and FOREIGN KEY constraints of a new table: ids (their pg_constraint OIDs) from the table's
// block of ids; a self-referencing key's referenced table is the table itself (ref_table 0 until now).
void assign_constraint_ids(TableDef& def, uint32_t& next_id) {
  for (CheckDef& c : def.checks)
    if (c.id == 0) c.id = next_id++;
  for (ForeignKeyDef& f : def.foreign_keys) {
    if (f.id == 0) f.id = next_id++;
    if (f.ref_table == 0) f.ref_table = def.id;
  }
}

constexpr uint8_t kSequenceFormatV1 = 1;
constexpr uint8_t kSequenceFormatV2 = 2;  // + str comment (COMMENT ON SEQUENCE); written only with one

std::string serialize_sequence(const SequenceDef& d, const SequenceValue& v) {
  std::string out;
  out.push_back(static_cast<char>(d.comment.empty() ? kSequenceFormatV1 : kSequenceFormatV2));
  put_le<uint32_t>(d.id, out);
  put_str(d.name, out);
  out.push_back(static_cast<char>(d.width));
  put_le<int64_t>(d.increment, out);
  put_le<int64_t>(d.min_value, out);
  put_le<int64_t>(d.max_value, out);
  put_le<int64_t>(d.start, out);
  put_le<int64_t>(d.cache, out);
  out.push_back(d.cycle ? '\x01' : '\x00');
  put_le<uint32_t>(d.owner_table, out);
  put_le<int32_t>(d.owner_attnum, out);
  put_le<int64_t>(v.last_value, out);
  out.push_back(v.is_called ? '\x01' : '\x00');
  if (!d.comment.empty()) put_str(d.comment, out);
  put_namespace_trailer(d.nsp(), out);
  return out;
}

bool deserialize_sequence(std::string_view in, SequenceDef& d, SequenceValue& v) {
  Reader r{in};
  const uint8_t version = r.get<uint8_t>();
  if (version != kSequenceFormatV1 && version != kSequenceFormatV2) return false;
  d.id = r.get<uint32_t>();
  d.name = r.get_str();
  d.width = r.get<int8_t>();
  d.increment = r.get<int64_t>();
  d.min_value = r.get<int64_t>();
  d.max_value = r.get<int64_t>();
  d.start = r.get<int64_t>();
  d.cache = r.get<int64_t>();
  d.cycle = r.get<uint8_t>() != 0;
  d.owner_table = r.get<uint32_t>();
  d.owner_attnum = r.get<int32_t>();
  v.last_value = r.get<int64_t>();
  v.is_called = r.get<uint8_t>() != 0;
  if (version == kSequenceFormatV2) d.comment = r.get_str();
  std::string no_key;  // (a sequence has no primary key: a 'K' trailer makes no_key non-empty)
  return r.ok && get_trailers(r, d.schema, d.temp_namespace, no_key) && no_key.empty() &&
         r.pos == in.size() && d.increment != 0 && d.min_value <= d.max_value &&
         (d.width == 2 || d.width == 4 || d.width == 8);
}

// PostgreSQL's nextval step from (v, called): the value nextval returns next, in v. False at the
// sequence's limit without CYCLE. Overflow-safe, as PostgreSQL's.
bool sequence_step(const SequenceDef& d, int64_t& v, bool& called) {
  if (!called) {
    called = true;
    return true;
  }
  if (d.increment > 0) {
    if ((d.max_value >= 0 && v > d.max_value - d.increment) ||
        (d.max_value < 0 && v + d.increment > d.max_value)) {
      if (!d.cycle) return false;
      v = d.min_value;
    } else {
      v += d.increment;
    }
  } else {
    if ((d.min_value < 0 && v < d.min_value - d.increment) ||
        (d.min_value >= 0 && v + d.increment < d.min_value)) {
      if (!d.cycle) return false;
      v = d.max_value;
    } else {
      v += d.increment;
    }
  }
  return true;
}

// The key of a relation name in the catalog's name maps (by_name_, index_names_, seq_by_name_): the name
// itself for a relation of public; for a temporary one, NUL, its namespace number, NUL, the name; for
// one of another schema, NUL, 's', the schema's id, NUL, the name (no SQL name contains a NUL).
std::string name_key(std::string_view name, Namespace nsp) {
  if (nsp.temp == 0 && nsp.schema == 0) return std::string(name);
  std::string key(1, '\0');
  if (nsp.temp == 0) key += 's';
  key += std::to_string(nsp.temp ? nsp.temp : nsp.schema);
  key += '\0';
  key += name;
  return key;
}

SqlError duplicate_schema(std::string_view name) {
  return SqlError(SqlState::DuplicateSchema, "schema \"" + std::string(name) + "\" already exists");
}
bool builtin_schema(std::string_view name) {
  return name == "public" || name == "pg_catalog" || name == "information_schema" || name == "pg_toast" ||
         name == "pg_temp" || name.starts_with("pg_temp_") || name.starts_with("pg_toast_temp_");
}

// Whether a list for the overlay's session shows a relation of `temp_namespace` (other sessions'
// temporary relations are left out; without an overlay every relation is listed).
bool listed(uint32_t temp_namespace, const CatalogOverlay* overlay) {
  return temp_namespace == 0 || !overlay || overlay->temp_namespace == temp_namespace;
}

}  // namespace

std::string temp_namespace_name(uint32_t n) {
  return "pg_temp_" + std::to_string(n);
}

std::optional<NameScope> Catalog::name_scope(std::string_view schema, const CatalogOverlay* overlay) const {
  if (schema.empty()) return NameScope::SearchPath;
  if (schema == "public") return NameScope::Permanent;
  if (schema == "pg_temp" ||
      (overlay && overlay->temp_namespace && schema == temp_namespace_name(overlay->temp_namespace)))
    return NameScope::Temporary;
  std::lock_guard lock(mutex_);
  if (SchemaDefPtr s = find_schema_locked(schema, overlay)) return NameScope::in_schema(s->id);
  return std::nullopt;
}

std::vector<Namespace> Catalog::scope_namespaces(const NameScope& scope,
                                                 const CatalogOverlay* overlay) const {
  const uint32_t temp = overlay ? overlay->temp_namespace : 0;
  switch (scope.kind) {
    case NameScope::Kind::Schema:
      return {Namespace{scope.schema, 0}};
    case NameScope::Kind::Temporary:
      return temp ? std::vector<Namespace>{Namespace{0, temp}} : std::vector<Namespace>{};
    case NameScope::Kind::SearchPath:
      break;
  }
  if (!overlay || !overlay->search_path)
    return temp ? std::vector<Namespace>{{0, temp}, {0, 0}} : std::vector<Namespace>{{0, 0}};
  // PostgreSQL's search path: the temporary namespace first unless the path lists pg_temp elsewhere,
  // then the path's schemas that exist (pg_catalog's relations are the system catalogs: not here).
  const std::vector<std::string>& path = *overlay->search_path;
  std::vector<Namespace> out;
  if (temp && std::find(path.begin(), path.end(), "pg_temp") == path.end()) out.push_back({0, temp});
  for (const std::string& name : path) {
    Namespace nsp;
    if (name == "pg_temp") {
      if (!temp) continue;
      nsp.temp = temp;
    } else if (name == "public") {
      nsp.schema = 0;
    } else if (SchemaDefPtr s = find_schema_locked(name, overlay)) {
      nsp.schema = s->id;
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), nsp) == out.end()) out.push_back(nsp);
  }
  return out;
}

std::vector<std::string> Catalog::search_path_schemas(const CatalogOverlay* overlay) const {
  if (!overlay || !overlay->search_path) return {"public"};
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const std::string& name : *overlay->search_path)
    if (name == "public" || name == "pg_catalog" || name == "pg_temp" || find_schema_locked(name, overlay))
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  return out;
}

// ---- Schemas

SchemaDefPtr Catalog::find_schema_locked(std::string_view name, const CatalogOverlay* overlay) const {
  if (overlay)
    for (const auto& [id, def] : overlay->schemas)
      if (def && def->name == name) return def;
  for (const auto& [id, def] : schemas_)
    if (def->name == name && !(overlay && overlay->schemas.count(id))) return def;
  return nullptr;
}

SchemaDefPtr Catalog::find_schema_locked(uint32_t id, const CatalogOverlay* overlay) const {
  if (overlay)
    if (auto it = overlay->schemas.find(id); it != overlay->schemas.end()) return it->second;
  auto it = schemas_.find(id);
  return it == schemas_.end() ? nullptr : it->second;
}

SchemaDefPtr Catalog::find_schema(std::string_view name, const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  return find_schema_locked(name, overlay);
}

SchemaDefPtr Catalog::find_schema(uint32_t id, const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  return find_schema_locked(id, overlay);
}

std::vector<SchemaDefPtr> Catalog::schemas(const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  std::map<uint32_t, SchemaDefPtr> all = schemas_;
  if (overlay)
    for (const auto& [id, def] : overlay->schemas) all[id] = def;
  std::vector<SchemaDefPtr> out;
  for (const auto& [id, def] : all)
    if (def) out.push_back(def);
  return out;
}

std::string Catalog::schema_name(uint32_t id, const CatalogOverlay* overlay) const {
  if (id == 0) return "public";
  std::lock_guard lock(mutex_);
  SchemaDefPtr s = find_schema_locked(id, overlay);
  return s ? s->name : std::string();
}

SchemaDefPtr Catalog::create_schema(std::string name, CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  if (builtin_schema(name) || find_schema_locked(name, &overlay)) throw duplicate_schema(name);
  auto def = std::make_shared<SchemaDef>();
  def->id = allocate_ids_locked(1);
  def->name = std::move(name);
  overlay.schemas[def->id] = def;
  overlay.created_schemas.insert(def->id);
  overlay.changed = true;
  ++version_;
  return def;
}

void Catalog::rename_schema(uint32_t id, std::string name, CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  SchemaDefPtr old = find_schema_locked(id, &overlay);
  if (!old)
    throw SqlError(SqlState::InvalidSchemaName, "schema with OID " + std::to_string(id) + " does not exist");
  if (old->name == name) return;
  if (builtin_schema(name) || find_schema_locked(name, &overlay)) throw duplicate_schema(name);
  auto def = std::make_shared<SchemaDef>(*old);
  def->name = std::move(name);
  overlay.schemas[id] = def;
  overlay.changed = true;
  ++version_;
}

void Catalog::drop_schema(uint32_t id, CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  if (!find_schema_locked(id, &overlay))
    throw SqlError(SqlState::InvalidSchemaName, "schema with OID " + std::to_string(id) + " does not exist");
  if (overlay.created_schemas.erase(id))
    overlay.schemas.erase(id);
  else
    overlay.schemas[id] = nullptr;
  overlay.changed = true;
  ++version_;
}

// One sequence's definition and position. nextval hands out values from a reservation: `reserved`
// values may be returned before the next block is persisted.
struct Catalog::Sequence {
  mutable std::mutex mutex;
  SequenceDefPtr def;
  SequenceValue value;  // what nextval returned last (exact, in memory)
  uint64_t reserved = 0;
  uint64_t block = kMinBlock;
  std::chrono::steady_clock::time_point reserved_at{};
  bool dropped = false;
  // The transaction that created it and has not committed (CatalogOverlay::owner); 0: committed. Such a
  // sequence is found only through that transaction's overlay, and its values are not persisted before
  // the commit writes it with its position.
  uint64_t owner = 0;
  // Blocks grow (doubling up to kMaxBlock) while each lasts less than a second, so that a hot sequence
  // does not fsync per few rows; a crash skips at most one block.
  static constexpr uint64_t kMinBlock = 32;
  static constexpr uint64_t kMaxBlock = 1 << 16;
};

namespace {
void persist_sequence(Store& store, const SequenceDef& d, const SequenceValue& v, const char* what) {
  rocksdb::WriteBatch batch;
  check_status(batch.Put(meta::sequence_key(d.id), serialize_sequence(d, v)), what);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store.db(), wo, batch), std::string(what) + " \"" + d.name + "\"");
}
}  // namespace

Catalog::~Catalog() {
  // A clean shutdown: every sequence's exact position, so a restart continues without a gap.
  for (auto& [id, seq] : seq_by_id_) {
    std::lock_guard lock(seq->mutex);
    if (seq->dropped || seq->reserved == 0) continue;
    try {
      persist_sequence(store_, *seq->def, seq->value, "saving sequence");
    } catch (const std::exception& e) {
      spdlog::warn("sequence \"{}\" keeps its reserved position: {}", seq->def->name, e.what());
    }
  }
}

std::shared_ptr<Catalog::Sequence> Catalog::sequence(uint32_t id) const {
  std::lock_guard lock(mutex_);
  auto it = seq_by_id_.find(id);
  if (it == seq_by_id_.end())
    throw SqlError(SqlState::UndefinedTable, "could not open relation with OID " + std::to_string(id));
  return it->second;
}

SequenceDefPtr Catalog::find_sequence_in_locked(std::string_view name, Namespace nsp,
                                                const CatalogOverlay* overlay) const {
  if (overlay)
    for (const auto& [id, def] : overlay->sequences)
      if (def && def->name == name && def->nsp() == nsp) return def;
  auto it = seq_by_name_.find(name_key(name, nsp));
  if (it == seq_by_name_.end()) return nullptr;
  std::lock_guard seq_lock(it->second->mutex);
  if (overlay && overlay->sequences.count(it->second->def->id)) return nullptr;  // dropped by it
  return it->second->def;
}

SequenceDefPtr Catalog::find_sequence_locked(std::string_view name, const CatalogOverlay* overlay,
                                             NameScope scope) const {
  for (Namespace ns : scope_namespaces(scope, overlay))
    if (SequenceDefPtr def = find_sequence_in_locked(name, ns, overlay)) return def;
  return nullptr;
}

SequenceDefPtr Catalog::find_sequence(std::string_view name, const CatalogOverlay* overlay,
                                      NameScope scope) const {
  std::lock_guard lock(mutex_);
  return find_sequence_locked(name, overlay, scope);
}

SequenceDefPtr Catalog::find_sequence(uint32_t id, const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  if (overlay)
    if (auto o = overlay->sequences.find(id); o != overlay->sequences.end()) return o->second;
  auto it = seq_by_id_.find(id);
  if (it == seq_by_id_.end()) return nullptr;
  std::lock_guard seq_lock(it->second->mutex);
  if (it->second->owner != 0) return nullptr;  // an open transaction's
  return it->second->def;
}

std::vector<SequenceDefPtr> Catalog::sequences(const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  std::vector<SequenceDefPtr> out;
  for (const auto& [id, seq] : seq_by_id_) {
    std::lock_guard seq_lock(seq->mutex);
    if (seq->owner != 0 || (overlay && overlay->sequences.count(id)) ||
        !listed(seq->def->temp_namespace, overlay))
      continue;
    out.push_back(seq->def);
  }
  if (overlay)
    for (const auto& [id, def] : overlay->sequences)
      if (def && listed(def->temp_namespace, overlay)) out.push_back(def);
  std::sort(out.begin(), out.end(),
            [](const SequenceDefPtr& a, const SequenceDefPtr& b) { return a->id < b->id; });
  return out;
}

SequenceDefPtr Catalog::create_sequence(SequenceDef def, std::optional<int64_t> first) {
  std::lock_guard lock(mutex_);
  if (name_used_locked(def.name, nullptr, def.nsp()))
    throw SqlError(SqlState::DuplicateTable, "relation \"" + def.name + "\" already exists");
  if (next_table_id_ == 0 || next_table_id_ == UINT32_MAX)
    throw SqlError(SqlState::ProgramLimitExceeded, "out of table ids");
  def.id = next_table_id_;
  SequenceValue value{first.value_or(def.start), false};
  rocksdb::WriteBatch batch;
  std::string next;
  meta::append_be(def.id + 1, 4, next);
  check_status(batch.Put(meta::sequence_key(def.id), serialize_sequence(def, value)), "creating sequence");
  check_status(batch.Put(meta::next_table_id_key(), next), "creating sequence");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "creating sequence \"" + def.name + "\"");
  next_table_id_ = def.id + 1;
  auto seq = std::make_shared<Sequence>();
  seq->def = std::make_shared<const SequenceDef>(std::move(def));
  seq->value = value;
  seq_by_id_[seq->def->id] = seq;
  seq_by_name_[name_key(seq->def->name, seq->def->nsp())] = seq;
  ++version_;
  return seq->def;
}

void Catalog::alter_sequence(SequenceDef def, std::optional<int64_t> restart, CatalogOverlay* overlay) {
  std::lock_guard lock(mutex_);
  auto it = seq_by_id_.find(def.id);
  if (it == seq_by_id_.end())
    throw SqlError(SqlState::UndefinedTable, "relation \"" + def.name + "\" does not exist");
  Sequence& seq = *it->second;
  std::lock_guard seq_lock(seq.mutex);
  SequenceValue value = seq.value;
  if (restart) value = {*restart, false};
  // PostgreSQL's crosscheck of RESTART, or of the current value when MINVALUE / MAXVALUE change.
  auto text = [](int64_t v) { return std::to_string(v); };
  if (value.last_value < def.min_value)
    throw SqlError(SqlState::InvalidParameterValue, "RESTART value (" + text(value.last_value) +
                                                        ") cannot be less than MINVALUE (" +
                                                        text(def.min_value) + ")");
  if (value.last_value > def.max_value)
    throw SqlError(SqlState::InvalidParameterValue, "RESTART value (" + text(value.last_value) +
                                                        ") cannot be greater than MAXVALUE (" +
                                                        text(def.max_value) + ")");
  if (seq.owner != 0 && (!overlay || overlay->owner != seq.owner))
    throw SqlError(SqlState::UndefinedTable, "relation \"" + def.name + "\" does not exist");
  if (seq.owner == 0) persist_sequence(store_, def, value, "altering sequence");
  seq.def = std::make_shared<const SequenceDef>(std::move(def));
  seq.value = value;
  if (seq.owner == 0) seq.reserved = 0;
  if (seq.owner != 0) overlay->sequences[seq.def->id] = seq.def;
  ++version_;
}

void Catalog::comment_sequence(uint32_t id, std::string comment, CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  auto it = seq_by_id_.find(id);
  auto mine = overlay.sequences.find(id);
  if (it == seq_by_id_.end() || (mine != overlay.sequences.end() && !mine->second) ||
      (it->second->owner != 0 && it->second->owner != overlay.owner))
    throw SqlError(SqlState::UndefinedTable, "relation with OID " + std::to_string(id) + " does not exist");
  Sequence& seq = *it->second;
  std::lock_guard seq_lock(seq.mutex);
  SequenceDef def = mine != overlay.sequences.end() ? *mine->second : *seq.def;
  def.comment = std::move(comment);
  auto ptr = std::make_shared<const SequenceDef>(std::move(def));
  if (seq.owner != 0) seq.def = ptr;  // created by this transaction: its commit writes it
  overlay.sequences[id] = ptr;        // else a committed one's new definition, written by the commit
  overlay.changed = true;
  ++version_;
}

void Catalog::drop_sequence(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = seq_by_name_.find(name_key(name, Namespace{}));
  if (it == seq_by_name_.end())
    throw SqlError(SqlState::UndefinedTable, "sequence \"" + std::string(name) + "\" does not exist");
  std::shared_ptr<Sequence> seq = it->second;
  std::lock_guard seq_lock(seq->mutex);
  rocksdb::WriteBatch batch;
  check_status(batch.Delete(meta::sequence_key(seq->def->id)), "dropping sequence");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "dropping sequence \"" + seq->def->name + "\"");
  seq->dropped = true;
  seq_by_id_.erase(seq->def->id);
  seq_by_name_.erase(it);
  ++version_;
}

std::vector<std::unique_lock<std::mutex>> Catalog::drop_owned_sequences(
    uint32_t table_id, rocksdb::WriteBatch& batch, std::vector<std::shared_ptr<Sequence>>& owned) {
  // Definitions change only under mutex_ (held), so reading owner_table needs no sequence lock.
  std::vector<std::unique_lock<std::mutex>> locks;
  for (const auto& [id, seq] : seq_by_id_) {
    if (seq->def->owner_table != table_id) continue;
    owned.push_back(seq);
    locks.emplace_back(seq->mutex);
    check_status(batch.Delete(meta::sequence_key(id)), "dropping the table's sequences");
  }
  return locks;
}

int64_t Catalog::nextval(uint32_t id) {
  std::shared_ptr<Sequence> seq = sequence(id);
  std::lock_guard lock(seq->mutex);
  if (seq->dropped)
    throw SqlError(SqlState::UndefinedTable, "could not open relation with OID " + std::to_string(id));
  const SequenceDef& d = *seq->def;
  if (seq->owner != 0) {  // created by an open transaction: its commit persists the position
    if (!sequence_step(d, seq->value.last_value, seq->value.is_called))
      throw SqlError(SqlState::SequenceGeneratorLimitExceeded,
                     std::string("nextval: reached ") + (d.increment > 0 ? "maximum" : "minimum") +
                         " value of sequence \"" + d.name + "\" (" +
                         std::to_string(d.increment > 0 ? d.max_value : d.min_value) + ")");
    return seq->value.last_value;
  }
  if (seq->reserved == 0) {
    // Reserve the next block: persist the position after its last value before returning any of it.
    auto now = std::chrono::steady_clock::now();
    if (seq->reserved_at != std::chrono::steady_clock::time_point{}) {
      if (now - seq->reserved_at < std::chrono::seconds(1))
        seq->block = std::min(seq->block * 2, Sequence::kMaxBlock);
      else if (now - seq->reserved_at > std::chrono::seconds(10))
        seq->block = Sequence::kMinBlock;
    }
    SequenceValue end = seq->value;
    uint64_t n = 0;
    while (n < seq->block && sequence_step(d, end.last_value, end.is_called)) ++n;
    if (n == 0)
      throw SqlError(SqlState::SequenceGeneratorLimitExceeded,
                     std::string("nextval: reached ") + (d.increment > 0 ? "maximum" : "minimum") +
                         " value of sequence \"" + d.name + "\" (" +
                         std::to_string(d.increment > 0 ? d.max_value : d.min_value) + ")");
    persist_sequence(store_, d, end, "reserving values of sequence");
    seq->reserved = n;
    seq->reserved_at = now;
  }
  sequence_step(d, seq->value.last_value, seq->value.is_called);
  --seq->reserved;
  return seq->value.last_value;
}

void Catalog::setval(uint32_t id, int64_t value, bool is_called) {
  std::shared_ptr<Sequence> seq = sequence(id);
  std::lock_guard lock(seq->mutex);
  if (seq->dropped)
    throw SqlError(SqlState::UndefinedTable, "could not open relation with OID " + std::to_string(id));
  const SequenceDef& d = *seq->def;
  if (value < d.min_value || value > d.max_value)
    throw SqlError(SqlState::NumericValueOutOfRange,
                   "setval: value " + std::to_string(value) + " is out of bounds for sequence \"" + d.name +
                       "\" (" + std::to_string(d.min_value) + ".." + std::to_string(d.max_value) + ")");
  SequenceValue v{value, is_called};
  if (seq->owner == 0) persist_sequence(store_, d, v, "setting sequence");
  seq->value = v;
  seq->reserved = 0;
}

SequenceValue Catalog::sequence_value(uint32_t id) const {
  std::shared_ptr<Sequence> seq = sequence(id);
  std::lock_guard lock(seq->mutex);
  return seq->value;
}

namespace {}  // namespace

Catalog::Catalog(Store& store) : store_(store) {}

void Catalog::load() {
  std::lock_guard lock(mutex_);
  rocksdb::DB* db = store_.db();
  by_name_.clear();
  by_id_.clear();
  index_names_.clear();
  index_ids_.clear();
  uint32_t max_id = 0;

  std::string lower = meta::catalog_prefix();
  std::string upper = keycodec::prefix_successor(lower);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  std::vector<TableDefPtr> temporary;  // left by a previous run: deleted below
  std::vector<uint32_t> temporary_seqs;
  for (it->Seek(lower); it->Valid(); it->Next()) {
    auto def = std::make_shared<TableDef>();
    std::string_view value(it->value().data(), it->value().size());
    if (!deserialize(value, *def)) {
      throw SqlError(SqlState::DataCorrupted, "catalog entry for table id " +
                                                  std::to_string(keycodec::decode_table_id(std::string_view(
                                                      it->key().data() + 5, it->key().size() - 5))) +
                                                  " is corrupted");
    }
    max_id = std::max(max_id, def->id);
    for (const IndexDef& ix : def->indexes) max_id = std::max(max_id, ix.id);
    if (def->is_temp()) {
      temporary.push_back(def);
      continue;
    }
    add_locked(def);
  }
  check_status(it->status(), "reading the catalog");

  seq_by_id_.clear();
  seq_by_name_.clear();
  std::string seq_lower = meta::sequence_prefix();
  std::string seq_upper = keycodec::prefix_successor(seq_lower);
  rocksdb::Slice seq_upper_slice(seq_upper);
  ro.iterate_upper_bound = &seq_upper_slice;
  std::unique_ptr<rocksdb::Iterator> sit(db->NewIterator(ro));
  for (sit->Seek(seq_lower); sit->Valid(); sit->Next()) {
    auto seq = std::make_shared<Sequence>();
    SequenceDef def;
    if (!deserialize_sequence(std::string_view(sit->value().data(), sit->value().size()), def, seq->value))
      throw SqlError(SqlState::DataCorrupted, "catalog entry of a sequence is corrupted");
    max_id = std::max(max_id, def.id);
    if (def.temp_namespace != 0) {
      temporary_seqs.push_back(def.id);
      continue;
    }
    seq->def = std::make_shared<const SequenceDef>(std::move(def));
    seq_by_id_[seq->def->id] = seq;
    seq_by_name_[name_key(seq->def->name, seq->def->nsp())] = seq;
  }
  check_status(sit->status(), "reading the catalog");
  purge_temporary_locked(temporary, temporary_seqs);

  schema_comments_.clear();
  std::string nsp_lower = meta::schema_comment_prefix();
  std::string nsp_upper = keycodec::prefix_successor(nsp_lower);
  rocksdb::Slice nsp_upper_slice(nsp_upper);
  ro.iterate_upper_bound = &nsp_upper_slice;
  std::unique_ptr<rocksdb::Iterator> nit(db->NewIterator(ro));
  for (nit->Seek(nsp_lower); nit->Valid(); nit->Next()) {
    std::string_view key(nit->key().data(), nit->key().size());
    schema_comments_[keycodec::decode_table_id(key.substr(5))] = nit->value().ToString();
  }
  check_status(nit->status(), "reading the catalog");

  schemas_.clear();
  std::string sch_lower = meta::schema_prefix();
  std::string sch_upper = keycodec::prefix_successor(sch_lower);
  rocksdb::Slice sch_upper_slice(sch_upper);
  ro.iterate_upper_bound = &sch_upper_slice;
  std::unique_ptr<rocksdb::Iterator> scit(db->NewIterator(ro));
  for (scit->Seek(sch_lower); scit->Valid(); scit->Next()) {
    auto def = std::make_shared<SchemaDef>();
    if (!deserialize_schema(std::string_view(scit->value().data(), scit->value().size()), *def))
      throw SqlError(SqlState::DataCorrupted, "catalog entry of a schema is corrupted");
    max_id = std::max(max_id, def->id);
    schemas_[def->id] = def;
  }
  check_status(scit->status(), "reading the catalog");

  std::string next;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta::next_table_id_key(), &next);
  uint32_t stored_next = 1;
  if (s.ok()) {
    stored_next = static_cast<uint32_t>(meta::read_be(next));
  } else if (!s.IsNotFound()) {
    check_status(s, "reading the catalog");
  }
  next_table_id_ = std::max({stored_next, max_id + 1, uint32_t{1}});
  ++version_;
  spdlog::debug("catalog loaded: {} tables, next table id {}", by_id_.size(), next_table_id_);
}

// Temporary relations a previous run left (a crash, or a shutdown with sessions open): their
// definitions, rows, index entries and sequences are deleted in one synced write.
void Catalog::purge_temporary_locked(const std::vector<TableDefPtr>& tables,
                                     const std::vector<uint32_t>& sequences) {
  if (tables.empty() && sequences.empty()) return;
  rocksdb::WriteBatch batch;
  for (const TableDefPtr& def : tables) drop_range_locked(*def, batch);
  for (uint32_t id : sequences)
    check_status(batch.Delete(meta::sequence_key(id)), "removing temporary sequences");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "removing temporary tables");
  spdlog::info("catalog: removed {} temporary tables and {} temporary sequences left by the previous run",
               tables.size(), sequences.size());
}

TableDefPtr Catalog::find_in_locked(std::string_view name, Namespace nsp,
                                    const CatalogOverlay* overlay) const {
  if (overlay)
    for (const auto& [id, def] : overlay->tables)
      if (def && def->name == name && def->nsp() == nsp) return def;
  auto it = by_name_.find(name_key(name, nsp));
  if (it == by_name_.end()) return nullptr;
  if (overlay && overlay->tables.count(it->second->id)) return nullptr;  // dropped or renamed by it
  return it->second;
}

TableDefPtr Catalog::find_locked(std::string_view name, const CatalogOverlay* overlay,
                                 NameScope scope) const {
  for (Namespace ns : scope_namespaces(scope, overlay))
    if (TableDefPtr def = find_in_locked(name, ns, overlay)) return def;
  return nullptr;
}

TableDefPtr Catalog::find_locked(uint32_t id, const CatalogOverlay* overlay) const {
  if (overlay)
    if (auto o = overlay->tables.find(id); o != overlay->tables.end()) return o->second;
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

TableDefPtr Catalog::find(std::string_view name, const CatalogOverlay* overlay, NameScope scope) const {
  std::lock_guard lock(mutex_);
  return find_locked(name, overlay, scope);
}

TableDefPtr Catalog::find(uint32_t table_id, const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  return find_locked(table_id, overlay);
}

void Catalog::add_locked(const TableDefPtr& def) {
  by_id_[def->id] = def;
  by_name_[name_key(def->name, def->nsp())] = def;
  for (const IndexDef& ix : def->indexes) {
    index_names_[name_key(ix.name, def->nsp())] = def->id;
    index_ids_[ix.id] = def->id;
  }
}

void Catalog::remove_locked(const TableDef& def) {
  by_id_.erase(def.id);
  by_name_.erase(name_key(def.name, def.nsp()));
  for (const IndexDef& ix : def.indexes) {
    index_names_.erase(name_key(ix.name, def.nsp()));
    index_ids_.erase(ix.id);
  }
}

TableDefPtr Catalog::find_index_table_locked(std::string_view index_name, const CatalogOverlay* overlay,
                                             const NameScope& scope) const {
  for (Namespace ns : scope_namespaces(scope, overlay))
    if (TableDefPtr def = find_index_in_locked(index_name, ns, overlay)) return def;
  return nullptr;
}

TableDefPtr Catalog::find_index_in_locked(std::string_view index_name, Namespace nsp,
                                          const CatalogOverlay* overlay) const {
  if (overlay)
    for (const auto& [id, def] : overlay->tables)
      if (def && def->nsp() == nsp && def->find_index(index_name)) return def;
  auto it = index_names_.find(name_key(index_name, nsp));
  if (it == index_names_.end()) return nullptr;
  if (overlay && overlay->tables.count(it->second))
    return nullptr;  // the overlay's version has no such index
  auto t = by_id_.find(it->second);
  return t == by_id_.end() ? nullptr : t->second;
}

TableDefPtr Catalog::find_index_table(std::string_view index_name, const CatalogOverlay* overlay,
                                      NameScope scope) const {
  std::lock_guard lock(mutex_);
  return find_index_table_locked(index_name, overlay, scope);
}

bool Catalog::index_exists(uint32_t index_id, const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  if (overlay)
    for (const auto& [id, def] : overlay->tables)
      if (def)
        for (const IndexDef& ix : def->indexes)
          if (ix.id == index_id) return true;
  auto it = index_ids_.find(index_id);
  return it != index_ids_.end() && !(overlay && overlay->tables.count(it->second));
}

bool Catalog::name_used_locked(std::string_view name, const CatalogOverlay* overlay, Namespace nsp) const {
  return find_in_locked(name, nsp, overlay) || find_index_in_locked(name, nsp, overlay) ||
         find_sequence_in_locked(name, nsp, overlay);
}

bool Catalog::name_used(std::string_view name, const CatalogOverlay* overlay, Namespace nsp) const {
  std::lock_guard lock(mutex_);
  return name_used_locked(name, overlay, nsp);
}

uint32_t Catalog::allocate_id() {
  std::lock_guard lock(mutex_);
  if (next_table_id_ == 0 || next_table_id_ == UINT32_MAX) {
    throw SqlError(SqlState::ProgramLimitExceeded, "out of table ids");
  }
  const uint32_t id = next_table_id_;
  rocksdb::WriteBatch batch;
  std::string next;
  meta::append_be(id + 1, 4, next);
  check_status(batch.Put(meta::next_table_id_key(), next), "creating index");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "creating index");
  next_table_id_ = id + 1;
  return id;
}

std::vector<TableDefPtr> Catalog::tables(const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  std::vector<TableDefPtr> out;
  out.reserve(by_id_.size());
  for (const auto& [id, def] : by_id_)
    if ((!overlay || !overlay->tables.count(id)) && listed(def->temp_namespace, overlay)) out.push_back(def);
  if (overlay)
    for (const auto& [id, def] : overlay->tables)
      if (def && listed(def->temp_namespace, overlay)) out.push_back(def);
  std::sort(out.begin(), out.end(), [](const TableDefPtr& a, const TableDefPtr& b) { return a->id < b->id; });
  return out;
}

TableDefPtr Catalog::create_table(TableDef def) {
  return create_table(std::move(def), {});
}

TableDefPtr Catalog::create_table(TableDef def, std::vector<SequenceDef> owned) {
  for (int k : def.primary_key) {
    if (k < 0 || static_cast<size_t>(k) >= def.columns.size()) {
      throw SqlError(SqlState::InternalError, "primary key column index out of range");
    }
    def.columns[k].not_null = true;  // primary key columns are implicitly NOT NULL
  }
  std::lock_guard lock(mutex_);
  const Namespace ns = def.nsp();
  if (name_used_locked(def.name, nullptr, ns)) {
    throw SqlError(SqlState::DuplicateTable, "relation \"" + def.name + "\" already exists");
  }
  for (const SequenceDef& s : owned)
    if (name_used_locked(s.name, nullptr, ns) || s.name == def.name)
      throw SqlError(SqlState::DuplicateTable, "relation \"" + s.name + "\" already exists");
  for (const IndexDef& ix : def.indexes)  // UNIQUE constraints' indexes
    if (name_used_locked(ix.name, nullptr, ns) || ix.name == def.name)
      throw SqlError(SqlState::DuplicateTable, "relation \"" + ix.name + "\" already exists");
  if (next_table_id_ == 0 || next_table_id_ >= UINT32_MAX - 1 - owned.size() - def.indexes.size() -
                                                   def.checks.size() - def.foreign_keys.size()) {
    throw SqlError(SqlState::ProgramLimitExceeded, "out of table ids");
  }
  def.id = next_table_id_;
  uint32_t next_id = def.id + 1;
  rocksdb::WriteBatch batch;
  for (SequenceDef& s : owned) {
    s.id = next_id++;
    s.owner_table = def.id;
    s.temp_namespace = def.temp_namespace;
    s.schema = def.schema;
    check_status(batch.Put(meta::sequence_key(s.id), serialize_sequence(s, SequenceValue{s.start, false})),
                 "creating table");
  }
  for (IndexDef& ix : def.indexes)
    if (ix.id == 0) ix.id = next_id++;
  assign_constraint_ids(def, next_id);
  std::string next;
  meta::append_be(next_id, 4, next);
  check_status(batch.Put(meta::catalog_key(def.id), serialize(def)), "creating table");
  check_status(batch.Put(meta::next_table_id_key(), next), "creating table");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "creating table \"" + def.name + "\"");
  next_table_id_ = next_id;
  for (SequenceDef& s : owned) {
    auto seq = std::make_shared<Sequence>();
    seq->value = {s.start, false};
    seq->def = std::make_shared<const SequenceDef>(std::move(s));
    seq_by_id_[seq->def->id] = seq;
    seq_by_name_[name_key(seq->def->name, seq->def->nsp())] = seq;
  }
  auto ptr = std::make_shared<const TableDef>(std::move(def));
  add_locked(ptr);
  ++version_;
  return ptr;
}

void Catalog::drop_table(std::string_view name) {
  // Lock order: commit mutex first, so no statement commits rows into the table while it is dropped.
  // Commits that passed their checks but are still writing are waited for (their rows go first, and
  // the range delete below removes them); commits that have not started their checks yet wait for the
  // drop (ddl_pending) and then fail with 42P01.
  StoreState& state = *store_.state_;
  // A seal of the table finishes first (its writes would otherwise land after the range deletes below and
  // leave blocks under a dropped table id). Lock order: the table's seal mutex, commit_mutex, mutex_.
  // The name is resolved again under the locks: it may have been dropped, or dropped and created again.
  TableDefPtr found = find(name);
  if (!found) throw SqlError(SqlState::UndefinedTable, "table \"" + std::string(name) + "\" does not exist");
  std::shared_ptr<std::mutex> seal_mutex = state.seal_mutex(found->id);
  std::lock_guard seal_lock(*seal_mutex);
  std::unique_lock commit_lock(state.commit_mutex);
  ++state.ddl_pending;
  struct Done {
    StoreState& state;
    ~Done() {
      if (--state.ddl_pending == 0) state.ddl_done.notify_all();
    }
  } done{state};
  if (!state.inflight_ts.empty()) {
    OMEN_SYNC_POINT("Catalog::drop_table:WaitForCommits");
    state.wait_visible(commit_lock, [&] { return state.inflight_ts.empty(); });
  }
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(name_key(name, Namespace{}));
  if (it == by_name_.end() || it->second->id != found->id) {
    throw SqlError(SqlState::UndefinedTable, "table \"" + std::string(name) + "\" does not exist");
  }
  TableDefPtr def = it->second;
  rocksdb::WriteBatch batch;
  drop_range_locked(*def, batch);
  // Held until the sequences are marked dropped: a nextval waiting for one must not persist a reservation
  // after the batch deleted it.
  std::vector<std::shared_ptr<Sequence>> owned;  // outlives the locks of their mutexes
  std::vector<std::unique_lock<std::mutex>> sequence_locks = drop_owned_sequences(def->id, batch, owned);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  BlocksChange change(state, *store_.db(), def->id);
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "dropping table \"" + def->name + "\"");
  change.done(sealed::make_index({}));
  remove_locked(*def);
  for (auto s = seq_by_id_.begin(); s != seq_by_id_.end();) {
    if (s->second->def->owner_table == def->id) {  // locked: sequence_locks
      s->second->dropped = true;
      seq_by_name_.erase(name_key(s->second->def->name, s->second->def->nsp()));
      s = seq_by_id_.erase(s);
    } else {
      ++s;
    }
  }
  store_.state_->forget_table(def->id);
  ++version_;
}

// The deletes of a dropped table: its definition, rows, sealed blocks and their manifest, its indexes'
// entries.
void Catalog::drop_range_locked(const TableDef& def, rocksdb::WriteBatch& batch) {
  std::string begin;
  keycodec::append_table_prefix(def.id, begin);
  check_status(batch.Delete(meta::catalog_key(def.id)), "dropping table");
  check_status(batch.DeleteRange(begin, keycodec::prefix_successor(begin)), "dropping table");
  std::string blocks = meta::block_prefix(def.id);
  check_status(batch.DeleteRange(blocks, keycodec::prefix_successor(blocks)), "dropping table");
  check_status(batch.Delete(meta::sealed_manifest_key(def.id)), "dropping table");
  check_status(batch.Delete(meta::table_stats_key(def.id)), "dropping table");
  for (const IndexDef& ix : def.indexes) {
    std::string ib;
    keycodec::append_table_prefix(ix.id, ib);
    check_status(batch.DeleteRange(ib, keycodec::prefix_successor(ib)), "dropping table");
  }
}

void Catalog::replace_table(TableDef def, rocksdb::WriteBatch& batch) {
  for (int k : def.primary_key) def.columns[static_cast<size_t>(k)].not_null = true;
  std::lock_guard lock(mutex_);
  auto old = by_id_.find(def.id);
  if (old == by_id_.end())
    throw SqlError(SqlState::UndefinedTable, "relation \"" + def.name + "\" does not exist");
  const Namespace ns = def.nsp();
  auto same = by_name_.find(name_key(def.name, ns));
  auto same_index = index_names_.find(name_key(def.name, ns));
  if ((same != by_name_.end() && same->second->id != def.id) || same_index != index_names_.end() ||
      seq_by_name_.count(name_key(def.name, ns)))
    throw SqlError(SqlState::DuplicateTable, "relation \"" + def.name + "\" already exists");
  for (const IndexDef& ix : def.indexes) {
    auto other = index_names_.find(name_key(ix.name, ns));
    if (by_name_.count(name_key(ix.name, ns)) || seq_by_name_.count(name_key(ix.name, ns)) ||
        (other != index_names_.end() && other->second != def.id))
      throw SqlError(SqlState::DuplicateTable, "relation \"" + ix.name + "\" already exists");
  }
  check_status(batch.Put(meta::catalog_key(def.id), serialize(def)), "altering table");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "altering table \"" + def.name + "\"");
  TableDefPtr before = old->second;
  remove_locked(*before);
  auto ptr = std::make_shared<const TableDef>(std::move(def));
  add_locked(ptr);
  ++version_;
}

// ---- Transactional DDL (CatalogOverlay)

uint32_t Catalog::allocate_ids_locked(uint32_t count) {
  if (next_table_id_ == 0 || next_table_id_ >= UINT32_MAX - 1 - count)
    throw SqlError(SqlState::ProgramLimitExceeded, "out of table ids");
  const uint32_t id = next_table_id_;
  rocksdb::WriteBatch batch;
  std::string next;
  meta::append_be(id + count, 4, next);
  check_status(batch.Put(meta::next_table_id_key(), next), "creating relation");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "creating relation");
  next_table_id_ = id + count;
  return id;
}

namespace {
SqlError duplicate_relation(std::string_view name) {
  return SqlError(SqlState::DuplicateTable, "relation \"" + std::string(name) + "\" already exists");
}
}  // namespace

TableDefPtr Catalog::create_table(TableDef def, std::vector<SequenceDef> owned, CatalogOverlay& overlay) {
  for (int k : def.primary_key) {
    if (k < 0 || static_cast<size_t>(k) >= def.columns.size())
      throw SqlError(SqlState::InternalError, "primary key column index out of range");
    def.columns[static_cast<size_t>(k)].not_null = true;
  }
  std::lock_guard lock(mutex_);
  const Namespace ns = def.nsp();
  if (name_used_locked(def.name, &overlay, ns)) throw duplicate_relation(def.name);
  for (const SequenceDef& s : owned)
    if (s.name == def.name || name_used_locked(s.name, &overlay, ns)) throw duplicate_relation(s.name);
  for (const IndexDef& ix : def.indexes)  // UNIQUE constraints' indexes
    if (ix.name == def.name || name_used_locked(ix.name, &overlay, ns)) throw duplicate_relation(ix.name);
  def.id = allocate_ids_locked(1 + static_cast<uint32_t>(owned.size() + def.indexes.size() +
                                                         def.checks.size() + def.foreign_keys.size()));
  uint32_t next_id = def.id + 1;
  for (IndexDef& ix : def.indexes)
    if (ix.id == 0) ix.id = next_id++;
  assign_constraint_ids(def, next_id);
  for (SequenceDef& s : owned) {
    s.id = next_id++;
    s.owner_table = def.id;
    s.temp_namespace = def.temp_namespace;
    s.schema = def.schema;
    auto seq = std::make_shared<Sequence>();
    seq->value = {s.start, false};
    seq->owner = overlay.owner;
    seq->def = std::make_shared<const SequenceDef>(std::move(s));
    seq_by_id_[seq->def->id] = seq;
    overlay.sequences[seq->def->id] = seq->def;
    overlay.created_sequences.insert(seq->def->id);
  }
  auto ptr = std::make_shared<const TableDef>(std::move(def));
  overlay.tables[ptr->id] = ptr;
  overlay.created.insert(ptr->id);
  overlay.changed = true;
  ++version_;
  return ptr;
}

void Catalog::drop_table(uint32_t table_id, CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  TableDefPtr def = find_locked(table_id, &overlay);
  if (!def)
    throw SqlError(SqlState::UndefinedTable,
                   "relation with OID " + std::to_string(table_id) + " does not exist");
  overlay.discarded.insert(table_id);
  for (const IndexDef& ix : def->indexes) overlay.discarded.insert(ix.id);
  if (overlay.created.erase(table_id)) {
    overlay.tables.erase(table_id);
  } else {
    overlay.tables[table_id] = nullptr;
  }
  // The sequences it owns go with it: its own new ones leave the overlay, committed ones are dropped.
  for (auto it = overlay.sequences.begin(); it != overlay.sequences.end();) {
    if (it->second && it->second->owner_table == table_id && overlay.created_sequences.erase(it->first)) {
      it = overlay.sequences.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, seq] : seq_by_id_) {
    auto mine = overlay.sequences.find(id);
    const SequenceDefPtr& def = mine != overlay.sequences.end() ? mine->second : seq->def;
    if (seq->owner == 0 && def && def->owner_table == table_id) overlay.sequences[id] = nullptr;
  }
  overlay.changed = true;
  ++version_;
}

void Catalog::replace_table(TableDef def, CatalogOverlay& overlay) {
  for (int k : def.primary_key) def.columns[static_cast<size_t>(k)].not_null = true;
  std::lock_guard lock(mutex_);
  TableDefPtr old = find_locked(def.id, &overlay);
  if (!old) throw SqlError(SqlState::UndefinedTable, "relation \"" + def.name + "\" does not exist");
  const Namespace ns = def.nsp();
  if (def.name != old->name && name_used_locked(def.name, &overlay, ns)) throw duplicate_relation(def.name);
  for (const IndexDef& ix : def.indexes)
    if (!old->find_index(ix.name) && (ix.name == def.name || name_used_locked(ix.name, &overlay, ns)))
      throw duplicate_relation(ix.name);
  for (const IndexDef& ix : old->indexes) {
    bool kept = false;
    for (const IndexDef& now : def.indexes) kept = kept || now.id == ix.id;
    if (!kept) overlay.discarded.insert(ix.id);
  }
  overlay.tables[def.id] = std::make_shared<const TableDef>(std::move(def));
  overlay.changed = true;
  ++version_;
}

SequenceDefPtr Catalog::create_sequence(SequenceDef def, std::optional<int64_t> first,
                                        CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  if (name_used_locked(def.name, &overlay, def.nsp())) throw duplicate_relation(def.name);
  def.id = allocate_ids_locked(1);
  auto seq = std::make_shared<Sequence>();
  seq->value = {first.value_or(def.start), false};
  seq->owner = overlay.owner;
  seq->def = std::make_shared<const SequenceDef>(std::move(def));
  seq_by_id_[seq->def->id] = seq;
  overlay.sequences[seq->def->id] = seq->def;
  overlay.created_sequences.insert(seq->def->id);
  overlay.changed = true;
  ++version_;
  return seq->def;
}

void Catalog::drop_sequence(uint32_t id, CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  if (overlay.created_sequences.erase(id)) {
    overlay.sequences.erase(id);
  } else {
    auto it = seq_by_id_.find(id);
    auto mine = overlay.sequences.find(id);  // a committed one's new definition (a comment) may be there
    if (it == seq_by_id_.end() || it->second->owner != 0 ||
        (mine != overlay.sequences.end() && !mine->second))
      throw SqlError(SqlState::UndefinedTable, "relation with OID " + std::to_string(id) + " does not exist");
    overlay.sequences[id] = nullptr;
  }
  overlay.changed = true;
  ++version_;
}

void Catalog::commit_overlay(const CatalogOverlay& overlay, rocksdb::WriteBatch& batch,
                             const std::function<void()>& write) {
  std::lock_guard lock(mutex_);
  // What the changes introduce must still be free, and what they change must still be there. The
  // engine's table and name locks keep both true; this is the safety net.
  auto shadowed = [&](uint32_t table_id) { return overlay.tables.count(table_id) != 0; };
  auto free_name = [&](const std::string& name, Namespace ns, uint32_t self) {
    const std::string key = name_key(name, ns);
    auto t = by_name_.find(key);
    if (t != by_name_.end() && t->second->id != self && !shadowed(t->second->id)) return false;
    auto ix = index_names_.find(key);
    if (ix != index_names_.end() && ix->second != self && !shadowed(ix->second)) return false;
    auto sq = seq_by_name_.find(key);
    return sq == seq_by_name_.end() || overlay.sequences.count(sq->second->def->id) != 0;
  };
  for (const auto& [id, def] : overlay.tables) {
    const bool created = overlay.created.count(id) != 0;
    if (!created && !by_id_.count(id))
      throw SqlError(SqlState::UndefinedTable,
                     "relation \"" + (def ? def->name : std::to_string(id)) + "\" does not exist");
    if (!def) continue;
    if (!free_name(def->name, def->nsp(), id)) throw duplicate_relation(def->name);
    for (const IndexDef& ix : def->indexes)
      if (!free_name(ix.name, def->nsp(), id)) throw duplicate_relation(ix.name);
  }
  for (uint32_t id : overlay.created_sequences) {
    const SequenceDefPtr& def = overlay.sequences.at(id);
    if (!free_name(def->name, def->nsp(), 0)) throw duplicate_relation(def->name);
  }
  for (const auto& [id, def] : overlay.sequences)
    if (!def && !seq_by_id_.count(id))
      throw SqlError(SqlState::UndefinedTable, "relation with OID " + std::to_string(id) + " does not exist");
  // Schemas: a new name still free; a dropped one still there and empty; the schema of every relation the
  // transaction created or changed still there (a concurrent DROP SCHEMA).
  for (const auto& [id, def] : overlay.schemas) {
    if (!overlay.created_schemas.count(id) && !schemas_.count(id))
      throw SqlError(SqlState::InvalidSchemaName,
                     "schema with OID " + std::to_string(id) + " does not exist");
    if (def)
      for (const auto& [other, committed] : schemas_)
        if (other != id && committed->name == def->name && !overlay.schemas.count(other))
          throw duplicate_schema(def->name);
  }
  auto schema_left = [&](uint32_t schema) {
    if (schema == 0) return true;
    auto mine = overlay.schemas.find(schema);
    return mine != overlay.schemas.end() ? mine->second != nullptr : schemas_.count(schema) != 0;
  };
  for (const auto& [id, def] : overlay.tables)
    if (def && !schema_left(def->schema))
      throw SqlError(SqlState::InvalidSchemaName, "schema of relation \"" + def->name + "\" does not exist");
  for (const auto& [id, def] : overlay.sequences)
    if (def && !schema_left(def->schema))
      throw SqlError(SqlState::InvalidSchemaName, "schema of relation \"" + def->name + "\" does not exist");
  for (const auto& [id, def] : overlay.schemas) {
    if (def) continue;
    auto gone = [&](uint32_t rel) { return overlay.tables.count(rel) || overlay.sequences.count(rel); };
    for (const auto& [tid, t] : by_id_)
      if (t->schema == id && !gone(tid))
        throw SqlError(SqlState::DependentObjectsStillExist,
                       "cannot drop schema because other objects depend on it");
    for (const auto& [sid, q] : seq_by_id_)
      if (q->owner == 0 && q->def->schema == id && !gone(sid))
        throw SqlError(SqlState::DependentObjectsStillExist,
                       "cannot drop schema because other objects depend on it");
  }

  for (const auto& [id, def] : overlay.tables) {
    if (!def) {
      drop_range_locked(*by_id_.at(id), batch);
      continue;
    }
    check_status(batch.Put(meta::catalog_key(id), serialize(*def)), "committing");
  }
  for (uint32_t id : overlay.discarded) {  // indexes of committed tables dropped by DROP INDEX / COLUMN
    if (!index_ids_.count(id)) continue;
    std::string ib;
    keycodec::append_table_prefix(id, ib);
    check_status(batch.DeleteRange(ib, keycodec::prefix_successor(ib)), "committing");
  }
  // Sequence locks are held until the change is published: a nextval must not persist a reservation of a
  // sequence the batch deletes, and a new sequence is written with the position it has reached.
  std::vector<std::shared_ptr<Sequence>> sequences;
  std::vector<std::unique_lock<std::mutex>> sequence_locks;
  for (const auto& [id, def] : overlay.sequences) {
    std::shared_ptr<Sequence> seq = seq_by_id_.at(id);
    sequences.push_back(seq);
    sequence_locks.emplace_back(seq->mutex);
    if (def)
      check_status(batch.Put(meta::sequence_key(id), serialize_sequence(*def, seq->value)), "committing");
    else
      check_status(batch.Delete(meta::sequence_key(id)), "committing");
  }
  for (const auto& [oid, text] : overlay.schema_comments)
    check_status(batch.Put(meta::schema_comment_key(oid), text), "committing");
  for (const auto& [id, def] : overlay.schemas) {
    if (def)
      check_status(batch.Put(meta::schema_key(id), serialize_schema(*def)), "committing");
    else
      check_status(batch.Delete(meta::schema_key(id)), "committing");
  }
  write();
  for (const auto& [id, def] : overlay.schemas) {
    if (def)
      schemas_[id] = def;
    else
      schemas_.erase(id);
  }
  // Published: every session sees the changes from now on.
  for (const auto& [oid, text] : overlay.schema_comments) schema_comments_[oid] = text;
  for (const auto& [id, def] : overlay.tables) {
    if (auto old = by_id_.find(id); old != by_id_.end()) {
      TableDefPtr before = old->second;
      remove_locked(*before);
    }
    if (def) {
      add_locked(def);
    } else if (!overlay.created.count(id)) {
      store_.state_->forget_table(id);
    }
  }
  size_t i = 0;
  for (const auto& [id, def] : overlay.sequences) {
    Sequence& seq = *sequences[i++];
    if (def) {
      seq.owner = 0;
      seq.def = def;
      seq.reserved = 0;
      seq_by_name_[name_key(def->name, def->nsp())] = sequences[i - 1];
    } else {
      seq.dropped = true;
      if (auto n = seq_by_name_.find(name_key(seq.def->name, seq.def->nsp()));
          n != seq_by_name_.end() && n->second.get() == &seq)
        seq_by_name_.erase(n);
      seq_by_id_.erase(id);
    }
  }
  ++version_;
}

std::map<uint32_t, std::string> Catalog::schema_comments(const CatalogOverlay* overlay) const {
  std::lock_guard lock(mutex_);
  std::map<uint32_t, std::string> out = schema_comments_;
  if (overlay)
    for (const auto& [oid, text] : overlay->schema_comments) out[oid] = text;
  return out;
}

void Catalog::set_schema_comment(uint32_t namespace_oid, std::string comment, CatalogOverlay& overlay) {
  std::lock_guard lock(mutex_);
  overlay.schema_comments[namespace_oid] = std::move(comment);
  overlay.changed = true;
  ++version_;
}

void Catalog::end_overlay(uint64_t owner) {
  std::lock_guard lock(mutex_);
  for (auto it = seq_by_id_.begin(); it != seq_by_id_.end();) {
    if (it->second->owner == owner) {
      std::lock_guard seq_lock(it->second->mutex);
      it->second->dropped = true;
      it = seq_by_id_.erase(it);
    } else {
      ++it;
    }
  }
  ++version_;
}

void Catalog::invalidate() {
  std::lock_guard lock(mutex_);
  ++version_;
}

uint64_t Catalog::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

}  // namespace omendb::storage
