// Table definitions, stored in RocksDB beside the data and changed atomically with it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/types.h"

namespace omendb::storage {

struct ColumnDef {
  std::string name;
  TypeId type = TypeId::Int64;
  bool not_null = false;
  // The type's modifier: varchar(n): n characters; numeric(p, s): num::make_typmod(p, s); -1 = none.
  int32_t max_length = -1;
  // DEFAULT as SQL text (parsed and bound again by each statement that uses it); empty: NULL.
  std::string default_expr;
};

struct TableDef {
  uint32_t id = 0;  // assigned by Catalog::create_table
  std::string name;
  std::vector<ColumnDef> columns;
  // Indexes into `columns` of the primary key, in key order. Empty: the table has no primary key and
  // rows are keyed by a hidden, increasing 64-bit row id.
  std::vector<int> primary_key;

  int find_column(std::string_view column_name) const;  // -1 if absent
  bool has_hidden_rowid() const { return primary_key.empty(); }
};

using TableDefPtr = std::shared_ptr<const TableDef>;

class Store;

// Thread-safe. Lookups are served from memory; changes write through to RocksDB synchronously.
class Catalog {
 public:
  explicit Catalog(Store& store);
  // Loads every table definition from the store (called once by Store::open).
  void load();

  // nullptr if no such table.
  TableDefPtr find(std::string_view name) const;
  TableDefPtr find(uint32_t table_id) const;
  std::vector<TableDefPtr> tables() const;

  // Assigns an id, persists the definition (fsync), returns it. Throws SqlError 42P07 if the name exists.
  TableDefPtr create_table(TableDef def);
  // Removes the definition and every row of the table in one atomic, synced write.
  // Throws SqlError 42P01 if absent.
  void drop_table(std::string_view name);

  // Increases on every create/drop: compiled code cached under an older version is stale.
  uint64_t version() const;

 private:
  Store& store_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TableDefPtr> by_name_;
  std::unordered_map<uint32_t, TableDefPtr> by_id_;
  uint32_t next_table_id_ = 1;
  uint64_t version_ = 1;
};

}  // namespace omendb::storage
