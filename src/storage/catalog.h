// Table definitions, stored in RocksDB beside the data and changed atomically with it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/datum.h"
#include "common/types.h"

namespace rocksdb {
class WriteBatch;
}

namespace omendb::storage {

struct ColumnDef {
  std::string name;
  TypeId type = TypeId::Int64;
  bool not_null = false;
  // The type's modifier: varchar(n), char(n): n characters; numeric(p, s): num::make_typmod(p, s); -1 =
  // none.
  int32_t max_length = -1;
  // DEFAULT as SQL text (parsed and bound again by each statement that uses it); empty: NULL.
  std::string default_expr;
  // The value rows stored before ALTER TABLE ADD COLUMN added the column read (PostgreSQL's
  // attmissingval): the DEFAULT evaluated once by the ALTER, encoded as the row codec stores a value of
  // the column's type. has_missing false: such rows read NULL.
  bool has_missing = false;
  std::string missing;
  // GENERATED ALWAYS ('a') / BY DEFAULT ('d') AS IDENTITY; 0: not an identity column. Its sequence is
  // the one it owns; default_expr calls nextval on it.
  char identity = 0;
  // COMMENT ON COLUMN (pg_description, col_description); empty: none.
  std::string comment;
};

// An expression index's key column or a partial index's predicate (IndexDef::exprs, IndexDef::predicate).
// At namespace scope: clang checks std::optional<T>::emplace() against a nested class's default
// constructor while the enclosing class is still incomplete, and rejects it.
struct IndexExpression {
  // SQL text over the table's columns as PostgreSQL prints it (pg_get_expr of indexprs / indpred), bound
  // again where needed; RENAME COLUMN prints it again with the new name.
  std::string expr;
  std::string pretty;             // its pretty form (psql's \d)
  TypeId type = TypeId::Unknown;  // an expression's result type (Bool for the predicate)
};

// A secondary index (CREATE INDEX; docs/schema.md, "Secondary indexes"). Its entries live in their own
// key range, under its own relation id (from the table id sequence, never reused):
//   [index id: 4 bytes BE] [per column: 0x01 + the key codec's encoding | 0x02 for NULL] [row's primary
//   key bytes] [version]
// so entries sort by the indexed values (NULLs last, as PostgreSQL's ASC NULLS LAST), then by primary
// key. The entry's value is a row-kind byte followed by the row's storage key. Entries are versioned
// rows of the MVCC store, written in the same transaction as the row they point to.
struct IndexDef {
  uint32_t id = 0;  // relation id: the key prefix of its entries
  std::string name;
  std::vector<int32_t> attnums;  // the indexed columns' attribute numbers (TableDef::attnum), in order
  // UNIQUE (docs/schema.md, "UNIQUE"): no two live rows have equal values in the indexed columns (rows
  // with a NULL in them never conflict, unless nulls_not_distinct). `constraint`: the index belongs to a
  // UNIQUE constraint (pg_constraint lists it, ALTER TABLE DROP CONSTRAINT drops it, DROP INDEX refuses);
  // else a CREATE UNIQUE INDEX.
  bool unique = false;
  bool constraint = false;
  bool nulls_not_distinct = false;
  // Per key column, PostgreSQL's indoption bits (1 DESC, 2 NULLS FIRST) as CREATE INDEX gave them; empty:
  // all ASC NULLS LAST. They are the index's declared order, shown by pg_index and pg_get_indexdef: the
  // entries are stored in ascending order whatever they say (a btree's order changes no query's answer;
  // docs/schema.md, "Secondary indexes").
  std::vector<uint8_t> options;
  uint8_t option(size_t i) const { return i < options.size() ? options[i] : 0; }
  // Commit timestamp at which the build wrote its entries: snapshots older than this read the table
  // instead (entries for rows committed before the build are not visible to them).
  uint64_t valid_from_ts = 0;

  // Expression and partial indexes (docs/schema.md, "Expression and partial indexes"). A key column whose
  // attnum is 0 (PostgreSQL's indkey 0) is the next of `exprs`: an immutable expression over the table's
  // columns. `predicate` (empty: none) is a partial index's WHERE: only rows for which it is true have an
  // entry (and count for uniqueness). Storage cannot bind SQL: it asks the IndexEvaluator the engine
  // gives it (store.h) for an entry's values.
  using Expression = IndexExpression;
  std::vector<Expression> exprs;
  std::optional<Expression> predicate;
  // COMMENT ON INDEX (the index's pg_class OID) and COMMENT ON CONSTRAINT (its UNIQUE constraint's
  // pg_constraint OID); empty: none.
  std::string comment;
  std::string constraint_comment;
  bool computed() const { return !exprs.empty() || predicate.has_value(); }
  // Index into `exprs` of key column `i` (attnums[i] == 0).
  size_t expr_of(size_t i) const {
    size_t n = 0;
    for (size_t j = 0; j < i; ++j) n += attnums[j] == 0;
    return n;
  }
};

// How pg_get_indexdef prints an index expression `expr` (IndexDef::Expression::expr) as a key column: a
// function call as it is, anything else in parentheses (PostgreSQL's looks_like_function).
std::string index_column_text(const std::string& expr);

// A CHECK constraint (docs/schema.md, "CHECK"): every row written must not make `expr` false (NULL
// passes). `expr` is SQL text over the table's columns, bound by each statement that writes the table
// (its compiled pipeline evaluates it); `display` is how PostgreSQL prints it (pg_get_constraintdef,
// without "CHECK (...)"); `pretty` its pretty form (psql's \d).
struct CheckDef {
  uint32_t id = 0;  // from the relation id counter: its pg_constraint OID
  std::string name;
  std::string expr;
  std::string display;
  std::string pretty;
  bool validated = true;  // false: added NOT VALID (rows stored before it are not checked)
  std::string comment;    // COMMENT ON CONSTRAINT; empty: none
};

// A FOREIGN KEY (docs/schema.md, "FOREIGN KEY"): the referencing columns' values of every row with none
// of them NULL (MATCH SIMPLE) equal the referenced columns' values of a row of `ref_table`; those
// columns are its primary key or a UNIQUE constraint's. Actions are PostgreSQL's confupdtype /
// confdeltype codes: 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET DEFAULT.
struct ForeignKeyDef {
  uint32_t id = 0;  // from the relation id counter: its pg_constraint OID
  std::string name;
  std::vector<int32_t> attnums;      // referencing columns (this table's attribute numbers)
  uint32_t ref_table = 0;            // referenced table's id
  std::vector<int32_t> ref_attnums;  // its referenced columns, in the order of `attnums`
  char on_update = 'a';
  char on_delete = 'a';
  // ON DELETE SET NULL / SET DEFAULT (cols): the referencing columns the action sets (PostgreSQL 15's
  // confdelsetcols), a subset of `attnums`; empty: all of them.
  std::vector<int32_t> delete_set_attnums;
  std::string comment;  // COMMENT ON CONSTRAINT; empty: none
};

// An action code's SQL: "NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT".
const char* foreign_key_action_name(char action);

// A relation a view's query names (docs/schema.md, "Views"): DROP of it, DROP COLUMN or RENAME of a
// column the view reads are refused (2BP01 / 0A000) while the view exists.
struct ViewDependency {
  uint32_t relation = 0;  // a table's or view's id
  // Its highest attribute number when the view was created: columns added later stay hidden from the
  // view's query (its `*` was expanded then, and a new column cannot capture one of its names).
  int32_t max_attnum = 0;
  std::vector<int32_t> attnums;  // the columns the view's query reads (a table's attribute numbers)
};

// A view (CREATE VIEW): no rows of its own; its query, stored as SQL text (libpg_query's deparsed,
// normalised form of what was written), is bound again wherever the view is named.
struct ViewDef {
  std::string query;
  std::vector<ViewDependency> depends;  // the relations its query names directly
};

// A schema (CREATE SCHEMA; docs/schema.md, "Schemas"): a namespace of relations besides public (which
// is built in and has no definition). Its id comes from the relation id counter (never reused); its
// pg_namespace OID is catalog::table_oid(id).
struct SchemaDef {
  uint32_t id = 0;
  std::string name;
};
using SchemaDefPtr = std::shared_ptr<const SchemaDef>;

// The namespace a relation lives in: a permanent schema (`schema`: public 0, else its SchemaDef id), or
// for a temporary relation its session's temporary namespace (`temp`, pg_temp_N; schema 0).
struct Namespace {
  uint32_t schema = 0;
  uint32_t temp = 0;
  bool operator==(const Namespace&) const = default;
};

struct SealBucket;

struct TableDef {
  uint32_t id = 0;  // assigned by Catalog::create_table
  std::string name;
  std::vector<ColumnDef> columns;
  // Indexes into `columns` of the primary key, in key order. Empty: the table has no primary key and
  // rows are keyed by a hidden, increasing 64-bit row id.
  std::vector<int> primary_key;
  // The primary key's constraint name (and its index's), as CREATE TABLE / ADD CONSTRAINT named it; empty:
  // <name>_pkey as the table was named when the key was made (what PostgreSQL generates). Renaming the
  // table keeps it (RenameTable stores the old default). primary_key_name() is the one place to read it.
  std::string pkey_name;
  std::string primary_key_name() const { return pkey_name.empty() ? name + "_pkey" : pkey_name; }
  // Columns dropped by ALTER TABLE DROP COLUMN (PostgreSQL's attisdropped) are removed from `columns`;
  // their attribute numbers stay used: attnums[i] is column i's attribute number (1-based, stable
  // across drops, shown as pg_attribute.attnum), next_attnum the number the next added column gets.
  // Empty attnums: 1, 2, 3, ... (a table never altered).
  std::vector<int32_t> attnums;
  int32_t next_attnum = 0;  // 0: columns.size() + 1
  int32_t attnum(size_t column) const {
    return column < attnums.size() ? attnums[column] : static_cast<int32_t>(column) + 1;
  }
  // Dropped columns: their attribute number, type (stored rows keep their bytes, which readers skip)
  // and name (pg_attribute shows "........pg.dropped.N........" as PostgreSQL does).
  struct DroppedColumn {
    int32_t attnum = 0;
    TypeId type = TypeId::Int64;
    std::string name;
  };
  std::vector<DroppedColumn> dropped;
  // The stored row layout: slot j holds attribute number j + 1. slot_count() slots; slot_column(j) is
  // the column index it holds (-1: a dropped column) and slot_type(j) its type.
  size_t slot_count() const {
    return attnums.empty() ? columns.size() : static_cast<size_t>(next_attnum - 1);
  }
  std::vector<int> slot_columns() const;
  std::vector<TypeId> slot_types() const;

  // Secondary indexes, in creation order.
  std::vector<IndexDef> indexes;
  // CHECK constraints, ordered by name (PostgreSQL checks them in that order).
  std::vector<CheckDef> checks;
  // FOREIGN KEY constraints this table's rows satisfy, in creation order.
  std::vector<ForeignKeyDef> foreign_keys;
  // Whether a constraint (primary key, UNIQUE, CHECK, FOREIGN KEY) of this table has this name.
  bool constraint_name_used(std::string_view constraint_name) const;
  // Column index of an attribute number (-1: dropped or unknown).
  int column_of_attnum(int32_t attnum) const;
  const IndexDef* find_index(std::string_view index_name) const;

  int find_column(std::string_view column_name) const;  // -1 if absent
  bool has_hidden_rowid() const { return primary_key.empty(); }

  // Non-null: the definition is a view's (its columns are the query's result columns; no key, index or
  // constraint). Views share the relation namespace and id counter with tables.
  std::shared_ptr<const ViewDef> view;
  bool is_view() const { return view != nullptr; }

  // Temporary tables (CREATE TEMP TABLE; docs/schema.md, "Temporary tables"): the number of the session's
  // temporary namespace (pg_temp_N) that owns the table; 0: a permanent table. Only that session finds it
  // by name (before a permanent table of the same name); it is dropped when the session ends, and at
  // startup (a crash leaves nothing of it).
  uint32_t temp_namespace = 0;
  bool is_temp() const { return temp_namespace != 0; }
  // The permanent schema of the table (public: 0, else its SchemaDef id; docs/schema.md, "Schemas").
  uint32_t schema = 0;
  Namespace nsp() const { return {temp_namespace ? 0 : schema, temp_namespace}; }
  // COMMENT ON TABLE / VIEW, on its primary key's constraint and on that key's index (pg_description;
  // docs/schema.md, "Comments"); empty: none. Columns, indexes and constraints carry their own.
  std::string comment;
  std::string pkey_comment;
  std::string pkey_index_comment;
  bool has_comments() const;
  // Storage parameters (CREATE TABLE ... WITH (...), ALTER TABLE SET / RESET (...)) as pg_class.reloptions
  // shows them: "name=value" with the value as written, in the order set. OmenDB keeps one: seal_after
  // (docs/columnar.md, "Sealing by age"); fillfactor is checked and ignored, as before.
  std::vector<std::string> options;
  // The value of storage parameter `name`; nullopt: not set.
  std::optional<std::string> option(std::string_view name) const;
  // CREATE TABLE WITH and ALTER TABLE SET (`reset` false) / RESET (true), as PostgreSQL's
  // transformRelOptions: parameters not named keep their place, named ones are appended (SET) or removed
  // (RESET). seal_after's value is checked (parse_seal_after); the parser checked the names.
  void set_options(const std::vector<std::pair<std::string, std::string>>& changes, bool reset);
  // The layout storage parameter seal_bucket gives the table's sealed blocks (parse_seal_bucket); off when
  // it is not set. Throws 22023 when it is set but does not fit the table (no partition column).
  SealBucket seal_bucket() const;
};

// Storage parameter seal_bucket (docs/columnar.md, "Time-partitioned blocks"): seals each row into the run
// of blocks of bucket floor(v / width), v the row's partition column: the first timestamp, timestamptz or
// date column of the primary key after its first column, else the first integer one. The value is an
// interval ('1 day') for a time column (whole days for a date), a positive integer for an integer column.
struct SealBucket {
  int key_pos = -1;   // the partition column's position in the primary key; -1: not partitioned
  int column = -1;    // its column index
  int64_t width = 0;  // in the column's units: microseconds, days (date), or the integer itself
  bool on() const { return key_pos >= 0; }
  bool operator==(const SealBucket&) const = default;
  int64_t bucket(int64_t v) const { return v / width - ((v % width) < 0 ? 1 : 0); }  // floor(v / width)
  // The bucket of a storage key (table prefix + primary key, or a prefix of it that reaches the partition
  // column) of `table`; false when the key is malformed or shorter. `offset`: where the partition column
  // starts in the key.
  bool key_bucket(const TableDef& table, std::string_view storage_key, int64_t& b,
                  size_t* offset = nullptr) const;
  // The smallest and largest column values of bucket b (saturated at the int64 range).
  int64_t bucket_min(int64_t b) const;
  int64_t bucket_max(int64_t b) const;
};
// Throws 22023 (as an invalid reloption value) when `value` is not a width for `table`'s partition column
// or the table has none.
SealBucket parse_seal_bucket(const TableDef& table, std::string_view value);

// Storage parameter seal_after (docs/columnar.md, "Sealing by age"): an interval of zero or more as
// PostgreSQL reads interval text ('10 minutes', '1h', '90'), or 'off'. Returns the age in microseconds
// (months count 30 days, as PostgreSQL's interval comparisons), kSealAfterOff for 'off'; throws 22023
// (PostgreSQL's message for an invalid reloption value) for anything else.
constexpr int64_t kSealAfterOff = -1;
int64_t parse_seal_after(std::string_view value);

using TableDefPtr = std::shared_ptr<const TableDef>;

// A sequence (CREATE SEQUENCE, or the one a SERIAL / identity column owns): PostgreSQL's pg_sequence.
// Its values come from Catalog::nextval; docs/schema.md ("Sequences").
struct SequenceDef {
  uint32_t id = 0;  // from the same counter as table ids (its OID is catalog::table_oid(id))
  std::string name;
  int8_t width = 8;  // AS smallint (2), integer (4), bigint (8)
  int64_t increment = 1;
  int64_t min_value = 1;
  int64_t max_value = INT64_MAX;
  int64_t start = 1;
  int64_t cache = 1;
  bool cycle = false;
  // OWNED BY table.column (dropped with the table); 0: none.
  uint32_t owner_table = 0;
  int32_t owner_attnum = 0;
  uint32_t temp_namespace = 0;  // CREATE TEMP SEQUENCE, a temporary table's SERIAL: as TableDef's
  uint32_t schema = 0;          // its permanent schema, as TableDef's
  std::string comment;          // COMMENT ON SEQUENCE; empty: none
  Namespace nsp() const { return {temp_namespace ? 0 : schema, temp_namespace}; }
};
using SequenceDefPtr = std::shared_ptr<const SequenceDef>;

// What a sequence shows now: its last value and whether nextval returned it (PostgreSQL's last_value,
// is_called).
struct SequenceValue {
  int64_t last_value = 0;
  bool is_called = false;
};

// Sets column.missing (ALTER TABLE ADD COLUMN ... DEFAULT) to `value`, a value of the column's type
// (char(n) text is padded as a stored row pads it); a NULL value leaves the column without one.
void set_missing_value(ColumnDef& column, const Datum& value);

class Store;

// Transactional DDL (docs/schema.md, "Transactional DDL"): the catalog changes of one open transaction.
// Its own lookups see the committed catalog with these changes on top (the Catalog methods taking an
// overlay); other transactions see none of them. Its commit applies them in the commit's write batch
// (Catalog::commit_overlay); a rollback drops them. Copied by savepoints.
struct CatalogOverlay {
  uint64_t owner = 0;  // the transaction's id: the sequences it created carry it until it commits
  // The session's temporary namespace (TableDef::temp_namespace; 0: none): names resolve there first,
  // other sessions' temporary relations are invisible. Kept by resets of the overlay.
  uint32_t temp_namespace = 0;
  // The session's search_path: schema names in order ("$user" replaced by the session's user name,
  // "pg_temp" and "pg_catalog" where listed); null: public alone. Set by the session before each use
  // (the engine's overlay()), kept by resets of the overlay.
  std::shared_ptr<const std::vector<std::string>> search_path;
  // Schemas it created, renamed (the new definition) or dropped (null), by id.
  std::map<uint32_t, SchemaDefPtr> schemas;
  std::set<uint32_t> created_schemas;
  // Tables as the transaction left them, by id: created, or replaced (ALTER TABLE, CREATE / DROP INDEX;
  // the name may change); null: dropped.
  std::map<uint32_t, TableDefPtr> tables;
  std::set<uint32_t> created;  // ids of the tables it created (absent from the committed catalog)
  // Sequences it created (its own SERIAL columns' too), changed (a committed one's new definition:
  // COMMENT ON SEQUENCE) or dropped (null), by id.
  std::map<uint32_t, SequenceDefPtr> sequences;
  std::set<uint32_t> created_sequences;
  // Relation ids (tables, indexes) it dropped: the commit leaves out its rows and entries under them.
  std::set<uint32_t> discarded;
  // COMMENT ON SCHEMA it made, by namespace OID (Catalog::schema_comments).
  std::map<uint32_t, std::string> schema_comments;
  bool changed = false;  // a change was recorded (also one undone since)
  // Tables whose rows an ALTER TABLE or CREATE INDEX of the transaction checked or indexed
  // (Transaction::alter_rows), with the snapshot that read them: COMMIT fails (40001) if the table got a
  // commit after it, and sets the table's reset timestamp (writers on older snapshots fail, as after
  // Store::alter_table). Indexes built that way become valid from the commit's timestamp.
  std::map<uint32_t, uint64_t> rows_read_at;
  std::set<uint32_t> built_indexes;
  bool empty() const {
    return tables.empty() && sequences.empty() && schema_comments.empty() && schemas.empty();
  }
};

// Where a relation name is looked up: PostgreSQL's search path (the session's temporary namespace, then
// the search_path's schemas), or one namespace written before the name (s.t: Schema with s's id,
// public.t: Permanent, pg_temp.t: Temporary). Catalog::name_scope makes one from a schema's name.
struct NameScope {
  enum class Kind : uint8_t { SearchPath, Schema, Temporary };
  Kind kind = Kind::SearchPath;
  uint32_t schema = 0;  // Kind::Schema: the schema's id (public: 0)
  bool operator==(const NameScope&) const = default;
  static const NameScope SearchPath;
  static const NameScope Permanent;  // public
  static const NameScope Temporary;
  static NameScope in_schema(uint32_t id) { return {Kind::Schema, id}; }
};
inline const NameScope NameScope::SearchPath{};
inline const NameScope NameScope::Permanent{NameScope::Kind::Schema, 0};
inline const NameScope NameScope::Temporary{NameScope::Kind::Temporary, 0};
// The name of temporary namespace `n` (pg_temp_N).
std::string temp_namespace_name(uint32_t n);

// Thread-safe. Lookups are served from memory; changes write through to RocksDB synchronously.
class Catalog {
 public:
  explicit Catalog(Store& store);
  // Persists each sequence's exact position, so that a clean shutdown leaves no gap.
  ~Catalog();
  // Loads every table definition from the store (called once by Store::open).
  void load();

  // Lookups. With an overlay: as the transaction owning it sees the catalog (its own changes on top of
  // what is committed); without: what is committed.
  // nullptr if no such table. Names resolve in `scope` (NameScope); without an overlay, only permanent
  // relations are found by name. Lists (tables(), sequences()) leave out other sessions' temporary
  // relations when given an overlay.
  TableDefPtr find(std::string_view name, const CatalogOverlay* overlay = nullptr,
                   NameScope scope = NameScope::SearchPath) const;
  TableDefPtr find(uint32_t table_id, const CatalogOverlay* overlay = nullptr) const;
  // The table that has an index of this name (nullptr if none).
  TableDefPtr find_index_table(std::string_view index_name, const CatalogOverlay* overlay = nullptr,
                               NameScope scope = NameScope::SearchPath) const;
  // Whether an index with this relation id exists.
  bool index_exists(uint32_t index_id, const CatalogOverlay* overlay = nullptr) const;
  // Reserves a new relation id (for an index), persisted (fsync) so that it is never handed out again.
  uint32_t allocate_id();
  std::vector<TableDefPtr> tables(const CatalogOverlay* overlay = nullptr) const;

  // Assigns an id, persists the definition (fsync), returns it. Throws SqlError 42P07 if the name exists.
  TableDefPtr create_table(TableDef def);
  // Removes the definition and every row of the table in one atomic, synced write.
  // Throws SqlError 42P01 if absent.
  void drop_table(std::string_view name);

  // Replaces a table's definition (ALTER TABLE: same id; the name may change), persisted (fsync) in
  // `batch` together with whatever the caller put there. The caller orders this with commits
  // (Store::alter_table). Throws 42P07 if a rename takes another table's name.
  void replace_table(TableDef def, rocksdb::WriteBatch& batch);

  // Sequences share the tables' name space (42P07 for a name either uses) and id counter.
  // create_table creates `owned` (SERIAL and identity columns' sequences) in the same synced write; their
  // owner_table is set to the new table's id. drop_table drops the sequences the table owns.
  TableDefPtr create_table(TableDef def, std::vector<SequenceDef> owned);
  SequenceDefPtr find_sequence(std::string_view name, const CatalogOverlay* overlay = nullptr,
                               NameScope scope = NameScope::SearchPath) const;
  SequenceDefPtr find_sequence(uint32_t id, const CatalogOverlay* overlay = nullptr) const;
  std::vector<SequenceDefPtr> sequences(const CatalogOverlay* overlay = nullptr) const;
  // Assigns an id and persists (fsync) the sequence, whose first value is `first` (CREATE SEQUENCE ...
  // RESTART n) or def.start. 42P07 if the name is taken.
  SequenceDefPtr create_sequence(SequenceDef def, std::optional<int64_t> first = {});
  // ALTER SEQUENCE: replaces the definition (same id and name); `restart`: the next nextval returns that
  // value. Persisted (fsync). 42P01 if gone.
  // A sequence the overlay's transaction created is changed in memory only (its commit writes it).
  void alter_sequence(SequenceDef def, std::optional<int64_t> restart, CatalogOverlay* overlay = nullptr);
  void drop_sequence(std::string_view name);  // 42P01 if absent

  // ---- Transactional DDL: changes recorded in `overlay` only, applied by its transaction's commit.
  // The caller holds what keeps others away meanwhile (the engine's table and name locks); names are
  // checked against what the overlay's transaction sees (42P07), and again at commit.
  // CREATE TABLE with its owned sequences: ids are assigned now (the id counter persisted: a rollback
  // leaves a gap in ids, nothing else). The sequences hand out values at once (never persisted before
  // the commit).
  TableDefPtr create_table(TableDef def, std::vector<SequenceDef> owned, CatalogOverlay& overlay);
  // DROP TABLE (with the sequences it owns). 42P01 if the overlay's transaction does not see it.
  void drop_table(uint32_t table_id, CatalogOverlay& overlay);
  // ALTER TABLE, CREATE / DROP INDEX: `def` (same id) replaces the definition; indexes it no longer has
  // are dropped with their entries at commit. 42P07 if a new name (table or index) is taken.
  void replace_table(TableDef def, CatalogOverlay& overlay);
  SequenceDefPtr create_sequence(SequenceDef def, std::optional<int64_t> first, CatalogOverlay& overlay);
  void drop_sequence(uint32_t id, CatalogOverlay& overlay);
  // Whether `name` is used by a relation as the overlay's transaction sees it (tables, indexes, sequences)
  // in namespace `nsp` (default: public).
  bool name_used(std::string_view name, const CatalogOverlay* overlay, Namespace nsp = {}) const;

  // ---- Schemas (docs/schema.md, "Schemas"). public (id 0) is built in; the others are SchemaDefs.
  // The schema of this name / id as the overlay's transaction sees it (null if none; public has none).
  SchemaDefPtr find_schema(std::string_view name, const CatalogOverlay* overlay = nullptr) const;
  SchemaDefPtr find_schema(uint32_t id, const CatalogOverlay* overlay = nullptr) const;
  std::vector<SchemaDefPtr> schemas(const CatalogOverlay* overlay = nullptr) const;  // by id
  // The name of schema `id` ("public" for 0; "" if it is gone).
  std::string schema_name(uint32_t id, const CatalogOverlay* overlay = nullptr) const;
  // CREATE SCHEMA, recorded in the overlay (its commit writes it). 42P06 if the name is taken.
  SchemaDefPtr create_schema(std::string name, CatalogOverlay& overlay);
  // ALTER SCHEMA ... RENAME TO (42P06) and DROP SCHEMA (the caller dropped what it contains; its commit
  // fails with 2BP01 if a relation is left in it).
  void rename_schema(uint32_t id, std::string name, CatalogOverlay& overlay);
  void drop_schema(uint32_t id, CatalogOverlay& overlay);
  // The scope of a schema name as the overlay's session sees it: "" SearchPath, "public" Permanent,
  // "pg_temp" or the session's own pg_temp_N Temporary, a schema that exists Schema; nothing otherwise.
  std::optional<NameScope> name_scope(std::string_view schema, const CatalogOverlay* overlay) const;
  // The search_path as it resolves now (current_schemas): its entries that exist, in order, by name
  // ("pg_temp" for the session's temporary namespace where listed explicitly, "pg_catalog" where listed).
  std::vector<std::string> search_path_schemas(const CatalogOverlay* overlay) const;

  // The commit of a transaction with catalog changes (caller holds the store's commit mutex, with no
  // other commit in flight): checks that the changes still apply (42P07, 42P01), adds them to `batch`
  // (definitions, deleted key ranges of dropped tables and indexes, sequences with their position),
  // calls `write` (which adds the transaction's rows and writes the batch), then publishes the changes
  // to every session. Nothing changes if `write` throws.
  void commit_overlay(const CatalogOverlay& overlay, rocksdb::WriteBatch& batch,
                      const std::function<void()>& write);
  // The end of a transaction that had catalog changes (after commit_overlay, or instead of it): the
  // sequences it created and did not commit go; compiled plans and prepared statements planned against
  // its changes are stale.
  void end_overlay(uint64_t owner);
  // Compiled plans and prepared statements are stale (a savepoint rollback undid catalog changes).
  void invalidate();

  // nextval: the sequence's next value, never handed out before, also not across a crash: values are
  // reserved in blocks persisted (fsync) before any of them is returned, so a crash leaves a gap
  // instead. Not transactional. 2200H at the sequence's limit without CYCLE ("nextval: reached maximum
  // value of sequence "s" (n)"). 42P01 if the sequence is gone.
  int64_t nextval(uint32_t id);
  // setval(seq, value, is_called): persisted (fsync) before it returns; 22003 out of the sequence's range.
  void setval(uint32_t id, int64_t value, bool is_called);
  SequenceValue sequence_value(uint32_t id) const;

  // COMMENT ON SCHEMA, by namespace OID (the catalog layer's; storage knows no schemas): the comments
  // set, "" where one was removed. A schema absent here has its built-in comment. With an overlay, as
  // its transaction sees them; set_schema_comment records one in the overlay, written by its commit.
  std::map<uint32_t, std::string> schema_comments(const CatalogOverlay* overlay = nullptr) const;
  void set_schema_comment(uint32_t namespace_oid, std::string comment, CatalogOverlay& overlay);
  // COMMENT ON SEQUENCE: the sequence's definition with `comment` (empty: none), recorded in the overlay
  // (a committed sequence's new definition is written by the commit). 42P01 if it does not see it.
  void comment_sequence(uint32_t id, std::string comment, CatalogOverlay& overlay);

  // Increases on every create/drop: compiled code cached under an older version is stale.
  uint64_t version() const;

 private:
  Store& store_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TableDefPtr> by_name_;
  std::unordered_map<uint32_t, TableDefPtr> by_id_;
  std::unordered_map<std::string, uint32_t> index_names_;  // index name -> table id
  std::unordered_map<uint32_t, uint32_t> index_ids_;       // index id -> table id
  void add_locked(const TableDefPtr& def);
  TableDefPtr find_locked(std::string_view name, const CatalogOverlay* overlay,
                          NameScope scope = NameScope::SearchPath) const;
  TableDefPtr find_in_locked(std::string_view name, Namespace nsp, const CatalogOverlay* overlay) const;
  TableDefPtr find_index_in_locked(std::string_view index_name, Namespace nsp,
                                   const CatalogOverlay* overlay) const;
  SequenceDefPtr find_sequence_in_locked(std::string_view name, Namespace nsp,
                                         const CatalogOverlay* overlay) const;
  // The namespaces `scope` searches, in order (a temporary one only where the overlay has one).
  std::vector<Namespace> scope_namespaces(const NameScope& scope, const CatalogOverlay* overlay) const;
  SchemaDefPtr find_schema_locked(std::string_view name, const CatalogOverlay* overlay) const;
  SchemaDefPtr find_schema_locked(uint32_t id, const CatalogOverlay* overlay) const;
  std::map<uint32_t, SchemaDefPtr> schemas_;  // committed schemas by id
  // Deletes every temporary relation a previous run left (load, mutex_ held).
  void purge_temporary_locked(const std::vector<TableDefPtr>& tables, const std::vector<uint32_t>& sequences);
  TableDefPtr find_locked(uint32_t id, const CatalogOverlay* overlay) const;
  TableDefPtr find_index_table_locked(std::string_view index_name, const CatalogOverlay* overlay,
                                      const NameScope& scope) const;
  SequenceDefPtr find_sequence_locked(std::string_view name, const CatalogOverlay* overlay,
                                      NameScope scope = NameScope::SearchPath) const;
  bool name_used_locked(std::string_view name, const CatalogOverlay* overlay, Namespace nsp) const;
  uint32_t allocate_ids_locked(uint32_t count);
  void drop_range_locked(const TableDef& def, rocksdb::WriteBatch& batch);
  void remove_locked(const TableDef& def);
  struct Sequence;  // definition and state of one sequence (catalog.cpp)
  std::unordered_map<std::string, std::shared_ptr<Sequence>> seq_by_name_;
  std::unordered_map<uint32_t, std::shared_ptr<Sequence>> seq_by_id_;
  std::shared_ptr<Sequence> sequence(uint32_t id) const;
  // mutex_ held: adds the deletes of the sequences `table_id` owns to `batch`, puts them in `owned` and
  // returns their locks (which `owned` must outlive).
  std::vector<std::unique_lock<std::mutex>> drop_owned_sequences(
      uint32_t table_id, rocksdb::WriteBatch& batch, std::vector<std::shared_ptr<Sequence>>& owned);
  std::map<uint32_t, std::string> schema_comments_;
  uint32_t next_table_id_ = 1;
  uint64_t version_ = 1;
};

}  // namespace omendb::storage
