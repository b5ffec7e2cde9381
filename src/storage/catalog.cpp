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
// The next table id is stored separately (meta::next_table_id_key) so ids are never reused, even when
// the table with the highest id is dropped.
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "common/error.h"
#include "common/sync_point.h"
#include "storage/internal.h"
#include "storage/row_codec.h"
#include "storage/store.h"

namespace omendb::storage {

int TableDef::column_of_attnum(int32_t a) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (attnum(i) == a) return static_cast<int>(i);
  return -1;
}

const IndexDef* TableDef::find_index(std::string_view index_name) const {
  for (const IndexDef& ix : indexes)
    if (ix.name == index_name) return &ix;
  return nullptr;
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
  if (column.blank_padded)  // stored without trailing spaces, as encode_row stores char(n)
    while (!column.missing.empty() && column.missing.back() == ' ') column.missing.pop_back();
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

namespace {

constexpr uint8_t kCatalogFormatV1 = 1;
constexpr uint8_t kCatalogFormatV2 = 2;  // + column defaults
constexpr uint8_t kCatalogFormatV3 = 3;  // + per column: u8 flags (1: char(n)), u8 has_missing, str missing,
                                         //   i32 attnum; then i32 next_attnum (ALTER TABLE)
constexpr uint8_t kCatalogFormatV4 = 4;  // + u32 index count, per index: u32 id, str name, u32 column
                                         //   count, i32 attnum per column, u8 unique, u64 valid_from_ts

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

std::string serialize(const TableDef& def) {
  std::string out;
  out.push_back(static_cast<char>(def.indexes.empty() ? kCatalogFormatV3 : kCatalogFormatV4));
  put_le<uint32_t>(def.id, out);
  put_str(def.name, out);
  put_le<uint32_t>(static_cast<uint32_t>(def.columns.size()), out);
  for (const ColumnDef& c : def.columns) {
    put_str(c.name, out);
    out.push_back(static_cast<char>(c.type));
    out.push_back(c.not_null ? '\x01' : '\x00');
    put_le<int32_t>(c.max_length, out);
    put_str(c.default_expr, out);
    out.push_back(c.blank_padded ? '\x01' : '\x00');
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
  if (def.indexes.empty()) return out;
  put_le<uint32_t>(static_cast<uint32_t>(def.indexes.size()), out);
  for (const IndexDef& ix : def.indexes) {
    put_le<uint32_t>(ix.id, out);
    put_str(ix.name, out);
    put_le<uint32_t>(static_cast<uint32_t>(ix.attnums.size()), out);
    for (int32_t a : ix.attnums) put_le<int32_t>(a, out);
    out.push_back(ix.unique ? '\x01' : '\x00');
    put_le<uint64_t>(ix.valid_from_ts, out);
  }
  return out;
}

bool deserialize(std::string_view in, TableDef& def) {
  Reader r{in};
  uint8_t version = r.get<uint8_t>();
  if (version < kCatalogFormatV1 || version > kCatalogFormatV4) return false;
  def.id = r.get<uint32_t>();
  def.name = r.get_str();
  uint32_t ncols = r.get<uint32_t>();
  if (!r.ok || ncols > in.size()) return false;
  def.columns.resize(ncols);
  for (ColumnDef& c : def.columns) {
    c.name = r.get_str();
    uint8_t t = r.get<uint8_t>();
    if (!valid_type_id(t) || !storable(static_cast<TypeId>(t))) return false;
    c.type = static_cast<TypeId>(t);
    c.not_null = r.get<uint8_t>() != 0;
    c.max_length = r.get<int32_t>();
    if (version >= kCatalogFormatV2) c.default_expr = r.get_str();
    if (version >= kCatalogFormatV3) {
      c.blank_padded = r.get<uint8_t>() != 0;
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
        if (def.column_of_attnum(a) < 0) return false;
      }
      ix.unique = r.get<uint8_t>() != 0;
      ix.valid_from_ts = r.get<uint64_t>();
      if (ix.id == 0) return false;
    }
  }
  return r.ok && r.pos == in.size();
}

}  // namespace

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
    add_locked(def);
  }
  check_status(it->status(), "reading the catalog");

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

TableDefPtr Catalog::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

TableDefPtr Catalog::find(uint32_t table_id) const {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(table_id);
  return it == by_id_.end() ? nullptr : it->second;
}

void Catalog::add_locked(const TableDefPtr& def) {
  by_id_[def->id] = def;
  by_name_[def->name] = def;
  for (const IndexDef& ix : def->indexes) {
    index_names_[ix.name] = def->id;
    index_ids_[ix.id] = def->id;
  }
}

void Catalog::remove_locked(const TableDef& def) {
  by_id_.erase(def.id);
  by_name_.erase(def.name);
  for (const IndexDef& ix : def.indexes) {
    index_names_.erase(ix.name);
    index_ids_.erase(ix.id);
  }
}

TableDefPtr Catalog::find_index_table(std::string_view index_name) const {
  std::lock_guard lock(mutex_);
  auto it = index_names_.find(std::string(index_name));
  if (it == index_names_.end()) return nullptr;
  auto t = by_id_.find(it->second);
  return t == by_id_.end() ? nullptr : t->second;
}

bool Catalog::index_exists(uint32_t index_id) const {
  std::lock_guard lock(mutex_);
  return index_ids_.count(index_id) != 0;
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

std::vector<TableDefPtr> Catalog::tables() const {
  std::lock_guard lock(mutex_);
  std::vector<TableDefPtr> out;
  out.reserve(by_id_.size());
  for (const auto& [id, def] : by_id_) out.push_back(def);
  std::sort(out.begin(), out.end(), [](const TableDefPtr& a, const TableDefPtr& b) { return a->id < b->id; });
  return out;
}

TableDefPtr Catalog::create_table(TableDef def) {
  for (int k : def.primary_key) {
    if (k < 0 || static_cast<size_t>(k) >= def.columns.size()) {
      throw SqlError(SqlState::InternalError, "primary key column index out of range");
    }
    def.columns[k].not_null = true;  // primary key columns are implicitly NOT NULL
  }
  std::lock_guard lock(mutex_);
  if (by_name_.count(def.name) || index_names_.count(def.name)) {
    throw SqlError(SqlState::DuplicateTable, "relation \"" + def.name + "\" already exists");
  }
  if (next_table_id_ == 0 || next_table_id_ == UINT32_MAX) {
    throw SqlError(SqlState::ProgramLimitExceeded, "out of table ids");
  }
  def.id = next_table_id_;
  rocksdb::WriteBatch batch;
  std::string next;
  meta::append_be(def.id + 1, 4, next);
  check_status(batch.Put(meta::catalog_key(def.id), serialize(def)), "creating table");
  check_status(batch.Put(meta::next_table_id_key(), next), "creating table");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "creating table \"" + def.name + "\"");
  next_table_id_ = def.id + 1;
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
    state.visible_advanced.wait(commit_lock, [&] { return state.inflight_ts.empty(); });
  }
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end() || it->second->id != found->id) {
    throw SqlError(SqlState::UndefinedTable, "table \"" + std::string(name) + "\" does not exist");
  }
  TableDefPtr def = it->second;
  std::string begin;
  keycodec::append_table_prefix(def->id, begin);
  std::string end = keycodec::prefix_successor(begin);
  rocksdb::WriteBatch batch;
  check_status(batch.Delete(meta::catalog_key(def->id)), "dropping table");
  check_status(batch.DeleteRange(begin, end), "dropping table");
  std::string blocks = meta::block_prefix(def->id);  // its sealed blocks and their manifest
  check_status(batch.DeleteRange(blocks, keycodec::prefix_successor(blocks)), "dropping table");
  check_status(batch.Delete(meta::sealed_manifest_key(def->id)), "dropping table");
  for (const IndexDef& ix : def->indexes) {  // its indexes' entries
    std::string ib;
    keycodec::append_table_prefix(ix.id, ib);
    check_status(batch.DeleteRange(ib, keycodec::prefix_successor(ib)), "dropping table");
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  check_status(write_to_rocksdb(*store_.db(), wo, batch), "dropping table \"" + def->name + "\"");
  remove_locked(*def);
  store_.state_->forget_table(def->id);
  ++version_;
}

void Catalog::replace_table(TableDef def, rocksdb::WriteBatch& batch) {
  for (int k : def.primary_key) def.columns[static_cast<size_t>(k)].not_null = true;
  std::lock_guard lock(mutex_);
  auto old = by_id_.find(def.id);
  if (old == by_id_.end())
    throw SqlError(SqlState::UndefinedTable, "relation \"" + def.name + "\" does not exist");
  auto same = by_name_.find(def.name);
  auto same_index = index_names_.find(def.name);
  if ((same != by_name_.end() && same->second->id != def.id) || same_index != index_names_.end())
    throw SqlError(SqlState::DuplicateTable, "relation \"" + def.name + "\" already exists");
  for (const IndexDef& ix : def.indexes) {
    auto other = index_names_.find(ix.name);
    if (by_name_.count(ix.name) || (other != index_names_.end() && other->second != def.id))
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

uint64_t Catalog::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

}  // namespace omendb::storage
