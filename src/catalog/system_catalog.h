// PostgreSQL's system catalogs as OmenDB shows them (docs/catalogs.md): the relations of pg_catalog and
// information_schema that psql, drivers and GUI tools read, generated from OmenDB's own table
// definitions each time a statement scans them (never a second copy that can drift), plus the catalog
// functions (format_type, pg_get_indexdef ...) that read the same definitions.
//
// The binder resolves a system relation's name to a TableDef whose id is marked as a system id; a
// scan of it goes through the normal compiled pipeline, the runtime asking scan_system_table() for its
// rows as ColumnBatches instead of asking storage. Storage never sees a system table.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/backend.h"
#include "storage/catalog.h"
#include "storage/store.h"

namespace omendb::catalog {

// One row of pg_settings: a setting's current value in the session.
struct Setting {
  std::string name;
  std::string value;
  std::string short_desc;
  std::string vartype = "string";  // bool, integer, real, string, enum
  std::string source = "default";  // default, session, client ...
};

// The user's schemas and the session's search path, as the catalogs and the catalog functions see them
// (docs/schema.md, "Schemas"): names of schemas, their OIDs, what is visible.
struct SchemaView {
  std::vector<storage::SchemaDefPtr> schemas;  // besides public
  std::vector<std::string> path = {"public"};  // storage::Catalog::search_path_schemas
  uint32_t temp = 0;                           // the session's temporary namespace number (0: none)
};

// What the catalogs show of the server and the session running the statement. Implemented by the
// engine; every call reads the current state (the catalog is read when a scan opens).
// What information_schema shows of a view's updatability (docs/schema.md, "Views").
struct ViewUpdatability {
  bool updatable = false;     // INSERT, UPDATE and DELETE write through it
  std::vector<bool> columns;  // per view column: INSERT and UPDATE may set it
};

// A view's WITH CHECK OPTION (its reloption check_option) as information_schema.views shows it: "LOCAL",
// "CASCADED" or "NONE".
std::string view_check_option(const storage::TableDef& view);

class Context {
 public:
  virtual ~Context() = default;
  virtual std::vector<storage::TableDefPtr> tables() const = 0;
  virtual std::string user() const = 0;      // the one role: owner of every object (oid kBootstrapRole)
  virtual std::string database() const = 0;  // the one database
  virtual std::vector<Setting> settings() const = 0;
  // Sequences (pg_class relkind 'S', pg_sequences, information_schema.sequences).
  virtual std::vector<storage::SequenceDefPtr> sequences() const { return {}; }
  // The session's temporary namespace number (pg_temp_N; 0 where a context has no session).
  virtual uint32_t temp_namespace() const { return 0; }
  // The user's schemas and the search path (SchemaScope installs them for the catalog functions).
  virtual SchemaView schema_view() const { return {}; }
  // COMMENT ON SCHEMA's comments (storage::Catalog::schema_comments: "" removed, absent built-in).
  virtual std::map<uint32_t, std::string> schema_comments() const { return {}; }
  // The sequence functions of the session (its currval / lastval state), over the sequence named
  // `name` (regclass text). 0A000 where a context has no session.
  virtual int64_t nextval(std::string_view name) const;
  virtual int64_t currval(std::string_view name) const;
  virtual int64_t setval(std::string_view name, int64_t value, bool is_called) const;
  virtual int64_t lastval() const;
  // The session's settings functions: set_config(name, value, is_local) changes the setting as SET (a
  // null value: RESET) or SET LOCAL does and returns its new value as SHOW prints it;
  // current_setting(name, missing_ok) its value (nothing for an unknown setting when missing_ok, else
  // 42704). 0A000 where a context has no session.
  virtual std::string set_config(std::string_view name, std::optional<std::string_view> value,
                                 bool is_local) const;
  virtual std::optional<std::string> current_setting(std::string_view name, bool missing_ok) const;
  // The bytes storage holds for relation `relation_id` (a table's or a secondary index's id): RocksDB's
  // estimate of its key range (pg_table_size). 0 where a context has no storage.
  virtual uint64_t relation_size(uint32_t relation_id) const;
  // A user table's sealed column blocks now (the omendb_sealed_* views; Store::sealed_blocks), and
  // RocksDB's estimate of its rows, sealed ones included (Store::approximate_row_count). Nothing / 0 where
  // a context has no storage.
  virtual std::vector<storage::Store::SealedBlock> sealed_blocks(uint32_t table_id) const;
  virtual uint64_t approximate_rows(uint32_t table_id) const;
  // ANALYZE's statistics of a user table (pg_stats, pg_class.reltuples; Store::table_stats): null if the
  // table was never analyzed or a context has no storage.
  virtual std::shared_ptr<const storage::TableStats> table_stats(uint32_t table_id) const;
  // A sequence's position now (SELECT * FROM seq, pg_sequences.last_value); 42P01 if it is gone.
  virtual storage::SequenceValue sequence_value(uint32_t id) const;
  // A view's query as pg_get_viewdef shows it: the stored text, its relation names schema-qualified where
  // the session's search_path does not find them (the engine's; here the stored text).
  virtual std::string view_query(const storage::TableDef& view) const;
  // The columns (indexes into table.columns) CHECK constraint `check` reads
  // (information_schema.constraint_column_usage). 0A000 where a context has no binder.
  virtual std::vector<int> check_columns(const storage::TableDef& table,
                                         const storage::CheckDef& check) const;
  // The server's client backends now (pg_stat_activity); none where a context has no server.
  virtual std::vector<BackendActivity> backends() const { return {}; }
  // pg_cancel_backend(pid) / pg_terminate_backend(pid, timeout_ms): signals backend `pid` (which may be
  // the session itself) and returns whether it could, as PostgreSQL does (false with a WARNING for a pid
  // that is no backend). 0A000 where a context has no server.
  virtual bool signal_backend(int32_t pid, bool terminate, int64_t timeout_ms) const;
  // Whether INSERT, UPDATE and DELETE write through `view` and which of its columns they may set
  // (PostgreSQL's automatically updatable views: the engine asks the planner; here none).
  virtual ViewUpdatability view_updatability(const storage::TableDef& view) const;
};

// Fixed OIDs (PostgreSQL's where it has them).
inline constexpr uint32_t kBootstrapRole = 10;        // the session's user
inline constexpr uint32_t kDatabaseOwnerRole = 6171;  // pg_database_owner, owner of schema public
inline constexpr uint32_t kToastNamespace = 99;
inline constexpr uint32_t kPgCatalogNamespace = 11;
inline constexpr uint32_t kPublicNamespace = 2200;
// User objects' OIDs start here (table_oid, schema_oid below).
inline constexpr uint32_t kFirstUserOid = 16384;
inline constexpr uint32_t kInformationSchemaNamespace = 13207;
// A session's temporary namespace pg_temp_N (storage::TableDef::temp_namespace N >= 1): OID base + N
// (namespace OIDs need only be unique among namespaces). The base itself stands for the alias pg_temp.
inline constexpr uint32_t kTempNamespaceBase = 0x50000000;
inline uint32_t temp_namespace_oid(uint32_t n) {
  return kTempNamespaceBase + n;
}
inline bool is_temp_namespace(uint32_t nsp) {
  return nsp >= kTempNamespaceBase;
}
// The OID of a permanent schema: public's, else the schema's from its id (storage::SchemaDef).
inline uint32_t schema_oid(uint32_t schema_id) {
  return schema_id ? kFirstUserOid + 4 * (schema_id - 1) : kPublicNamespace;
}
// The namespace of a user relation (TableDef or SequenceDef): its schema, or its session's temporary
// namespace.
template <class Def>
uint32_t relation_namespace(const Def& def) {
  return def.temp_namespace ? temp_namespace_oid(def.temp_namespace) : schema_oid(def.schema);
}
// The OID of the session's temporary namespace once it has a temporary relation (PostgreSQL creates the
// namespace then); 0 before (pg_my_temp_schema()).
uint32_t my_temp_namespace_oid(const Context& ctx);
// Whether a relation of namespace `nsp` is the user's (public, a user schema or temporary), not a system
// catalog.
inline bool is_user_namespace(uint32_t nsp) {
  return nsp == kPublicNamespace || nsp >= kFirstUserOid;
}
inline constexpr uint32_t kDatabaseOid = 5;
inline constexpr uint32_t kHeapAm = 2;
inline constexpr uint32_t kBtreeAm = 403;
// Their handler functions' pg_proc OIDs (pg_am.amhandler, a regproc).
inline constexpr uint32_t kHeapHandler = 3;
inline constexpr uint32_t kBtreeHandler = 330;
inline constexpr uint32_t kDefaultCollation = 100;

// User tables get stable OIDs from their table ids: the table, its primary-key index, the primary-key
// constraint and its row type.
inline uint32_t table_oid(uint32_t table_id) {
  return kFirstUserOid + 4 * (table_id - 1);
}
inline uint32_t pkey_index_oid(uint32_t table_id) {
  return table_oid(table_id) + 1;
}
inline uint32_t pkey_constraint_oid(uint32_t table_id) {
  return table_oid(table_id) + 2;
}
inline uint32_t row_type_oid(uint32_t table_id) {
  return table_oid(table_id) + 3;
}
// A view's ON SELECT rule (pg_rewrite "_RETURN"): the OID a table's primary-key index has (views have none).
inline uint32_t view_rule_oid(uint32_t view_id) {
  return table_oid(view_id) + 1;
}

// A column DEFAULT's pg_attrdef OID (OIDs need only be unique within their catalog: pg_dump keys objects
// by catalog and OID): from its table id and attnum (at most 1600 columns).
inline uint32_t attrdef_oid(uint32_t table_id, int32_t attnum) {
  return 0x40000000u + 1600 * (table_id - 1) + static_cast<uint32_t>(attnum - 1);
}

// Whether column `c`'s DEFAULT calls nextval() on `seq` (nextval('name') or nextval('public.name'), as
// SERIAL writes it): PostgreSQL's dependency of the default on the sequence (pg_depend; DROP SEQUENCE).
inline bool default_uses_sequence(const storage::ColumnDef& c, const storage::SequenceDef& seq) {
  const std::string& d = c.default_expr;
  return d.find("nextval('" + seq.name + "'") != std::string::npos ||
         d.find("nextval('public." + seq.name + "'") != std::string::npos;
}

// The user's schemas and search path the catalog functions of this thread see while it lives: installed
// where a statement's Context (or the binder's catalog) is at hand, read by namespace_oid, schema_name and
// the visibility rules (reg_out, pg_table_is_visible). Nested scopes restore the outer one.
class SchemaScope {
 public:
  explicit SchemaScope(const Context& ctx) : SchemaScope(ctx.schema_view()) {}
  explicit SchemaScope(SchemaView view);
  ~SchemaScope();
  SchemaScope(const SchemaScope&) = delete;
  SchemaScope& operator=(const SchemaScope&) = delete;

 private:
  SchemaView view_;
  const SchemaView* outer_;
};

// The OID of the schema of this name (pg_catalog, public, information_schema, pg_toast, pg_temp_N, or a
// user schema of the SchemaScope), if it is one.
std::optional<uint32_t> namespace_oid(std::string_view name);
// The name of namespace `nsp` ("" if none is known).
std::string schema_name(uint32_t nsp);
// The namespaces the search path searches for an unqualified relation name, in order: the session's
// temporary one (unless the path places it), pg_catalog (unless the path places it), the path's.
std::vector<uint32_t> search_path_namespaces();

// One comment (COMMENT ON) as pg_description shows it: the object's OID, the OID of the catalog that
// lists it (pg_class 1259 for tables, views, columns, indexes and sequences; pg_constraint 2606;
// pg_namespace 2615), the column's attnum (else 0), the text.
struct Description {
  uint32_t objoid = 0;
  uint32_t classoid = 0;
  int32_t objsubid = 0;
  std::string description;
};
// Every comment `ctx` shows (pg_description, obj_description, col_description): the definitions' own
// and the built-in schemas' (PostgreSQL's initdb comments on pg_catalog, public and pg_toast, unless
// COMMENT ON SCHEMA changed them).
std::vector<Description> descriptions(const Context& ctx);

// System relations' TableDef ids: the high bit set (user table ids are small and count up from 1).
inline constexpr uint32_t kSystemTableBit = 0x80000000u;
inline bool is_system_table(uint32_t table_id) {
  return (table_id & kSystemTableBit) != 0;
}

// A sequence read as a relation (SELECT * FROM seq: last_value, log_cnt, is_called): a system relation
// whose id carries kSequenceRelationBit and the sequence's id.
inline constexpr uint32_t kSequenceRelationBit = 0x40000000u;
storage::TableDefPtr sequence_relation(const storage::SequenceDef& seq);
inline bool is_sequence_relation(uint32_t table_id) {
  return is_system_table(table_id) && (table_id & kSequenceRelationBit) != 0;
}

// The system relation `schema`.`name` (schema "pg_catalog" or "information_schema"), or null. An empty
// schema searches pg_catalog (which PostgreSQL searches before the search_path).
storage::TableDefPtr find_system_table(std::string_view schema, std::string_view name);
// pg_class.relkind of a system relation find_system_table returned: 'r' a catalog table, 'v' a view.
char system_relation_kind(const storage::TableDef& def);

// The PostgreSQL type of column `column` of system relation `def` when PostgreSQL 15 has that column and
// OmenDB leaves it out (a type OmenDB lacks, e.g. pg_index.indkey int2vector), else empty: the binder
// reports such a column as a missing feature (0A000), not as a column that does not exist.
std::string missing_system_column(const storage::TableDef& def, std::string_view column);

// The OID of relation `def` as pg_class shows it (a system relation's PostgreSQL OID, a table's, view's or
// sequence's table_oid): the value of its `tableoid` system column.
uint32_t relation_oid(const storage::TableDef& def);

// The schema of the system relation with PostgreSQL OID `oid`, or null if there is none.
const char* system_relation_schema(int64_t oid);

// The object identifier types (regclass, regtype, regnamespace; common/types.h): their text input and
// output, over the relations, types and schemas the catalogs show. `tables` and `sequences` are the
// user's (the binder's catalog or a Context's); system relations and built-in types are added here.
//   reg_in: a decimal OID as is, "-" as 0, else the name (PostgreSQL's rules for a qualified name:
//   lower-cased unless double-quoted; regtype also takes SQL's type names, "integer", "character
//   varying(20)", "int4[]"). 42P01 relation "x" does not exist, 42704 type "x" does not exist, 3F000
//   schema "x" does not exist, 42602 invalid name syntax.
//   reg_out: the name, quoted when needed and schema-qualified when not on the search path (pg_catalog,
//   public); 0 prints "-", an OID naming nothing its number.
uint32_t reg_in(TypeId type, std::string_view text, const std::vector<storage::TableDefPtr>& tables,
                const std::vector<storage::SequenceDefPtr>& sequences);
std::string reg_out(TypeId type, int64_t oid, const std::vector<storage::TableDefPtr>& tables,
                    const std::vector<storage::SequenceDefPtr>& sequences);
uint32_t reg_in(TypeId type, std::string_view text, const Context& ctx);
std::string reg_out(TypeId type, int64_t oid, const Context& ctx);
// PostgreSQL's rules for a possibly qualified name (stringToQualifiedNameList): parts split at dots,
// lower-cased unless double-quoted. 42602 invalid name syntax for an empty part or an open quote.
std::vector<std::string> parse_qualified_name(std::string_view text);

// A CHECK constraint as pg_get_constraintdef prints it: "CHECK (<expr>)", " NOT VALID" after it when it was
// added NOT VALID (information_schema.check_constraints shows what follows "CHECK ").
std::string check_constraint_def(const storage::CheckDef& check, bool pretty);

// A column's type as format_type prints it ("integer", "character varying(10)", "numeric(5,2)").
std::string format_column_type(const storage::ColumnDef& c);
// pg_type.typlen of the type: its fixed width in bytes, or -1 for a variable-length type.
int type_length(TypeId type);

// The rows of system relation `spec.table` (the columns spec.columns asks for; the others are left
// null), read from `ctx` now, in batches of spec.batch_rows.
std::unique_ptr<storage::ScanCursor> scan_system_table(const storage::ScanSpec& spec, const Context& ctx);

}  // namespace omendb::catalog
