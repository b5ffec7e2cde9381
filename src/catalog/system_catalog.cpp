#include "catalog/system_catalog.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>

#include "catalog/functions.h"
#include "common/array.h"
#include "common/datetime.h"
#include "common/error.h"
#include "common/numeric.h"
#include "common/value.h"

namespace omendb::catalog {

namespace {

struct ColumnSpec {
  const char* name;
  TypeId type;
};

struct RelationSpec {
  const char* schema;
  const char* name;
  uint32_t oid;
  char kind;  // pg_class.relkind: 'r' table, 'v' view
  std::vector<ColumnSpec> columns;
  // PostgreSQL 15's columns left out here, "name type, ..." (types OmenDB lacks): a query naming one fails
  // with 0A000 naming it (missing_system_column), not 42703.
  const char* missing = "";
};

// A system relation's TableDef id is kSystemTableBit | its index in this list, and ids can be stored (a
// view's dependencies): add new relations at the end only.
// PostgreSQL 15's columns of each relation, in its order, generated from a PostgreSQL 15 cluster's own
// pg_attribute. Columns of types OmenDB does not have yet (oidvector, some arrays, aclitem) are left out;
// pg_node_tree columns are text. smallint columns are integer (OmenDB reads int2 as int4).
const std::vector<RelationSpec>& relations() {
  // pg_stat_all_tables' and pg_stat_user_tables' columns.
  static const std::vector<ColumnSpec> stat_tables_columns = {{"relid", TypeId::Oid},
                                                              {"schemaname", TypeId::Name},
                                                              {"relname", TypeId::Name},
                                                              {"seq_scan", TypeId::Int64},
                                                              {"seq_tup_read", TypeId::Int64},
                                                              {"idx_scan", TypeId::Int64},
                                                              {"idx_tup_fetch", TypeId::Int64},
                                                              {"n_tup_ins", TypeId::Int64},
                                                              {"n_tup_upd", TypeId::Int64},
                                                              {"n_tup_del", TypeId::Int64},
                                                              {"n_tup_hot_upd", TypeId::Int64},
                                                              {"n_live_tup", TypeId::Int64},
                                                              {"n_dead_tup", TypeId::Int64},
                                                              {"n_mod_since_analyze", TypeId::Int64},
                                                              {"n_ins_since_vacuum", TypeId::Int64},
                                                              {"last_vacuum", TypeId::TimestampTz},
                                                              {"last_autovacuum", TypeId::TimestampTz},
                                                              {"last_analyze", TypeId::TimestampTz},
                                                              {"last_autoanalyze", TypeId::TimestampTz},
                                                              {"vacuum_count", TypeId::Int64},
                                                              {"autovacuum_count", TypeId::Int64},
                                                              {"analyze_count", TypeId::Int64},
                                                              {"autoanalyze_count", TypeId::Int64}};
  static const std::vector<RelationSpec> specs = {
      // pg_catalog.pg_namespace
      {"pg_catalog",
       "pg_namespace",
       2615,
       'r',
       {{"oid", TypeId::Oid},
        {"nspname", TypeId::Name},
        {"nspowner", TypeId::Oid},
        {"nspacl", TypeId::TextArray}}},
      // pg_catalog.pg_class; relacl is aclitem[] in PostgreSQL (NULL here: the default ACL)
      {"pg_catalog",
       "pg_class",
       1259,
       'r',
       {{"oid", TypeId::Oid},
        {"relname", TypeId::Name},
        {"relnamespace", TypeId::Oid},
        {"reltype", TypeId::Oid},
        {"reloftype", TypeId::Oid},
        {"relowner", TypeId::Oid},
        {"relam", TypeId::Oid},
        {"relfilenode", TypeId::Oid},
        {"reltablespace", TypeId::Oid},
        {"relpages", TypeId::Int32},
        {"reltuples", TypeId::Float32},
        {"relallvisible", TypeId::Int32},
        {"reltoastrelid", TypeId::Oid},
        {"relhasindex", TypeId::Bool},
        {"relisshared", TypeId::Bool},
        {"relpersistence", TypeId::Char},
        {"relkind", TypeId::Char},
        {"relnatts", TypeId::Int32},
        {"relchecks", TypeId::Int32},
        {"relhasrules", TypeId::Bool},
        {"relhastriggers", TypeId::Bool},
        {"relhassubclass", TypeId::Bool},
        {"relrowsecurity", TypeId::Bool},
        {"relforcerowsecurity", TypeId::Bool},
        {"relispopulated", TypeId::Bool},
        {"relreplident", TypeId::Char},
        {"relispartition", TypeId::Bool},
        {"relrewrite", TypeId::Oid},
        {"relfrozenxid", TypeId::Xid},
        {"relminmxid", TypeId::Xid},
        {"relacl", TypeId::TextArray},
        {"reloptions", TypeId::TextArray},
        {"relpartbound", TypeId::Text}}},
      // pg_catalog.pg_attribute; attacl is aclitem[] in PostgreSQL (NULL here: the default ACL); attoptions
      // and attfdwoptions are NULL (no ALTER COLUMN SET (...), no foreign tables); attmissingval is anyarray
      // in PostgreSQL, text[] here and always NULL (atthasmissing is false: OmenDB keeps no "missing" values)
      {"pg_catalog",
       "pg_attribute",
       1249,
       'r',
       {{"attrelid", TypeId::Oid},
        {"attname", TypeId::Name},
        {"atttypid", TypeId::Oid},
        {"attstattarget", TypeId::Int32},
        {"attlen", TypeId::Int32},
        {"attnum", TypeId::Int32},
        {"attndims", TypeId::Int32},
        {"attcacheoff", TypeId::Int32},
        {"atttypmod", TypeId::Int32},
        {"attbyval", TypeId::Bool},
        {"attalign", TypeId::Char},
        {"attstorage", TypeId::Char},
        {"attcompression", TypeId::Char},
        {"attnotnull", TypeId::Bool},
        {"atthasdef", TypeId::Bool},
        {"atthasmissing", TypeId::Bool},
        {"attidentity", TypeId::Char},
        {"attgenerated", TypeId::Char},
        {"attisdropped", TypeId::Bool},
        {"attislocal", TypeId::Bool},
        {"attinhcount", TypeId::Int32},
        {"attcollation", TypeId::Oid},
        {"attacl", TypeId::TextArray},
        {"attoptions", TypeId::TextArray},
        {"attfdwoptions", TypeId::TextArray},
        {"attmissingval", TypeId::TextArray}}},
      // pg_catalog.pg_type
      {"pg_catalog",
       "pg_type",
       1247,
       'r',
       {{"oid", TypeId::Oid},
        {"typname", TypeId::Name},
        {"typnamespace", TypeId::Oid},
        {"typowner", TypeId::Oid},
        {"typlen", TypeId::Int32},
        {"typbyval", TypeId::Bool},
        {"typtype", TypeId::Char},
        {"typcategory", TypeId::Char},
        {"typispreferred", TypeId::Bool},
        {"typisdefined", TypeId::Bool},
        {"typdelim", TypeId::Char},
        {"typrelid", TypeId::Oid},
        {"typsubscript", TypeId::RegProc},
        {"typelem", TypeId::Oid},
        {"typarray", TypeId::Oid},
        {"typinput", TypeId::RegProc},
        {"typoutput", TypeId::RegProc},
        {"typreceive", TypeId::RegProc},
        {"typsend", TypeId::RegProc},
        {"typmodin", TypeId::RegProc},
        {"typmodout", TypeId::RegProc},
        {"typanalyze", TypeId::RegProc},
        {"typalign", TypeId::Char},
        {"typstorage", TypeId::Char},
        {"typnotnull", TypeId::Bool},
        {"typbasetype", TypeId::Oid},
        {"typtypmod", TypeId::Int32},
        {"typndims", TypeId::Int32},
        {"typcollation", TypeId::Oid},
        {"typdefaultbin", TypeId::Text},
        {"typdefault", TypeId::Text},
        {"typacl", TypeId::TextArray}}},  // aclitem[] in PostgreSQL; NULL (the default ACL)
      // pg_catalog.pg_attrdef
      {"pg_catalog",
       "pg_attrdef",
       2604,
       'r',
       {{"oid", TypeId::Oid}, {"adrelid", TypeId::Oid}, {"adnum", TypeId::Int32}, {"adbin", TypeId::Text}}},
      // pg_catalog.pg_constraint; conkey and confkey are smallint[] in PostgreSQL (integer[] here: OmenDB
      // computes smallint as integer)
      {"pg_catalog",
       "pg_constraint",
       2606,
       'r',
       {{"oid", TypeId::Oid},           {"conname", TypeId::Name},       {"connamespace", TypeId::Oid},
        {"contype", TypeId::Char},      {"condeferrable", TypeId::Bool}, {"condeferred", TypeId::Bool},
        {"convalidated", TypeId::Bool}, {"conrelid", TypeId::Oid},       {"contypid", TypeId::Oid},
        {"conindid", TypeId::Oid},      {"conparentid", TypeId::Oid},    {"confrelid", TypeId::Oid},
        {"confupdtype", TypeId::Char},  {"confdeltype", TypeId::Char},   {"confmatchtype", TypeId::Char},
        {"conislocal", TypeId::Bool},   {"coninhcount", TypeId::Int32},  {"connoinherit", TypeId::Bool},
        {"conkey", TypeId::Int32Array}, {"confkey", TypeId::Int32Array}, {"conbin", TypeId::Text}},
       "conpfeqop oid[], conppeqop oid[], conffeqop oid[], confdelsetcols smallint[], "
       "conexclop oid[]"},
      // pg_catalog.pg_index
      {"pg_catalog",
       "pg_index",
       2610,
       'r',
       {{"indexrelid", TypeId::Oid},
        {"indrelid", TypeId::Oid},
        {"indnatts", TypeId::Int32},
        {"indnkeyatts", TypeId::Int32},
        {"indisunique", TypeId::Bool},
        {"indnullsnotdistinct", TypeId::Bool},
        {"indisprimary", TypeId::Bool},
        {"indisexclusion", TypeId::Bool},
        {"indimmediate", TypeId::Bool},
        {"indisclustered", TypeId::Bool},
        {"indisvalid", TypeId::Bool},
        {"indcheckxmin", TypeId::Bool},
        {"indisready", TypeId::Bool},
        {"indislive", TypeId::Bool},
        {"indisreplident", TypeId::Bool},
        {"indkey", TypeId::Int2Vector},
        {"indoption", TypeId::Int2Vector},
        {"indexprs", TypeId::Text},
        {"indpred", TypeId::Text}},
       "indcollation oidvector, indclass oidvector"},
      // pg_catalog.pg_database
      {"pg_catalog",
       "pg_database",
       1262,
       'r',
       {{"oid", TypeId::Oid},
        {"datname", TypeId::Name},
        {"datdba", TypeId::Oid},
        {"encoding", TypeId::Int32},
        {"datlocprovider", TypeId::Char},
        {"datistemplate", TypeId::Bool},
        {"datallowconn", TypeId::Bool},
        {"datconnlimit", TypeId::Int32},
        {"datfrozenxid", TypeId::Xid},
        {"datminmxid", TypeId::Xid},
        {"dattablespace", TypeId::Oid},
        {"datcollate", TypeId::Text},
        {"datctype", TypeId::Text},
        {"daticulocale", TypeId::Text},
        {"datcollversion", TypeId::Text},
        {"datacl", TypeId::TextArray}}},  // aclitem[] in PostgreSQL; NULL (the default ACL)
      // pg_catalog.pg_roles
      {"pg_catalog",
       "pg_roles",
       12000,
       'v',
       {{"rolname", TypeId::Name},
        {"rolsuper", TypeId::Bool},
        {"rolinherit", TypeId::Bool},
        {"rolcreaterole", TypeId::Bool},
        {"rolcreatedb", TypeId::Bool},
        {"rolcanlogin", TypeId::Bool},
        {"rolreplication", TypeId::Bool},
        {"rolconnlimit", TypeId::Int32},
        {"rolpassword", TypeId::Text},
        {"rolvaliduntil", TypeId::TimestampTz},
        {"rolbypassrls", TypeId::Bool},
        {"rolconfig", TypeId::TextArray},
        {"oid", TypeId::Oid}}},
      // pg_catalog.pg_auth_members: empty (one role, no memberships)
      {"pg_catalog",
       "pg_auth_members",
       1261,
       'r',
       {{"roleid", TypeId::Oid},
        {"member", TypeId::Oid},
        {"grantor", TypeId::Oid},
        {"admin_option", TypeId::Bool}}},
      // pg_catalog.pg_user
      {"pg_catalog",
       "pg_user",
       12014,
       'v',
       {{"usename", TypeId::Name},
        {"usesysid", TypeId::Oid},
        {"usecreatedb", TypeId::Bool},
        {"usesuper", TypeId::Bool},
        {"userepl", TypeId::Bool},
        {"usebypassrls", TypeId::Bool},
        {"passwd", TypeId::Text},
        {"valuntil", TypeId::TimestampTz}},
       "useconfig text[]"},
      // pg_catalog.pg_settings
      {"pg_catalog",
       "pg_settings",
       12104,
       'v',
       {{"name", TypeId::Text},
        {"setting", TypeId::Text},
        {"unit", TypeId::Text},
        {"category", TypeId::Text},
        {"short_desc", TypeId::Text},
        {"extra_desc", TypeId::Text},
        {"context", TypeId::Text},
        {"vartype", TypeId::Text},
        {"source", TypeId::Text},
        {"min_val", TypeId::Text},
        {"max_val", TypeId::Text},
        {"boot_val", TypeId::Text},
        {"reset_val", TypeId::Text},
        {"sourcefile", TypeId::Text},
        {"sourceline", TypeId::Int32},
        {"pending_restart", TypeId::Bool}},
       "enumvals text[]"},
      // pg_catalog.pg_am
      {"pg_catalog",
       "pg_am",
       2601,
       'r',
       {{"oid", TypeId::Oid},
        {"amname", TypeId::Name},
        {"amhandler", TypeId::RegProc},
        {"amtype", TypeId::Char}}},
      // pg_catalog.pg_extension: empty (OmenDB has no extensions)
      {"pg_catalog",
       "pg_extension",
       3079,
       'r',
       {{"oid", TypeId::Oid},
        {"extname", TypeId::Name},
        {"extowner", TypeId::Oid},
        {"extnamespace", TypeId::Oid},
        {"extrelocatable", TypeId::Bool},
        {"extversion", TypeId::Text},
        {"extconfig", TypeId::OidArray},
        {"extcondition", TypeId::TextArray}}},
      // pg_catalog.pg_tablespace: PostgreSQL's two built-in tablespaces (OmenDB has no others); spcacl is
      // aclitem[] in PostgreSQL (NULL here: the default ACL)
      {"pg_catalog",
       "pg_tablespace",
       1213,
       'r',
       {{"oid", TypeId::Oid},
        {"spcname", TypeId::Name},
        {"spcowner", TypeId::Oid},
        {"spcacl", TypeId::TextArray},
        {"spcoptions", TypeId::TextArray}}},
      // pg_catalog.pg_foreign_table: empty (no foreign tables)
      {"pg_catalog",
       "pg_foreign_table",
       3118,
       'r',
       {{"ftrelid", TypeId::Oid}, {"ftserver", TypeId::Oid}, {"ftoptions", TypeId::TextArray}}},
      // pg_catalog.pg_description
      {"pg_catalog",
       "pg_description",
       2609,
       'r',
       {{"objoid", TypeId::Oid},
        {"classoid", TypeId::Oid},
        {"objsubid", TypeId::Int32},
        {"description", TypeId::Text}}},
      // pg_catalog.pg_inherits
      {"pg_catalog",
       "pg_inherits",
       2611,
       'r',
       {{"inhrelid", TypeId::Oid},
        {"inhparent", TypeId::Oid},
        {"inhseqno", TypeId::Int32},
        {"inhdetachpending", TypeId::Bool}}},
      // pg_catalog.pg_enum: empty (OmenDB has no enum types; SQLAlchemy's column reflection joins it)
      {"pg_catalog",
       "pg_enum",
       3501,
       'r',
       {{"oid", TypeId::Oid},
        {"enumtypid", TypeId::Oid},
        {"enumsortorder", TypeId::Float64},
        {"enumlabel", TypeId::Name}}},
      // pg_catalog.pg_collation
      {"pg_catalog",
       "pg_collation",
       3456,
       'r',
       {{"oid", TypeId::Oid},
        {"collname", TypeId::Name},
        {"collnamespace", TypeId::Oid},
        {"collowner", TypeId::Oid},
        {"collprovider", TypeId::Char},
        {"collisdeterministic", TypeId::Bool},
        {"collencoding", TypeId::Int32},
        {"collcollate", TypeId::Text},
        {"collctype", TypeId::Text},
        {"colliculocale", TypeId::Text},
        {"collversion", TypeId::Text}}},
      // pg_catalog.pg_sequence
      {"pg_catalog",
       "pg_sequence",
       2224,
       'r',
       {{"seqrelid", TypeId::Oid},
        {"seqtypid", TypeId::Oid},
        {"seqstart", TypeId::Int64},
        {"seqincrement", TypeId::Int64},
        {"seqmax", TypeId::Int64},
        {"seqmin", TypeId::Int64},
        {"seqcache", TypeId::Int64},
        {"seqcycle", TypeId::Bool}}},
      // pg_catalog.pg_depend: a sequence's dependency on the column that owns it (the only dependencies
      // OmenDB shows)
      {"pg_catalog",
       "pg_depend",
       2608,
       'r',
       {{"classid", TypeId::Oid},
        {"objid", TypeId::Oid},
        {"objsubid", TypeId::Int32},
        {"refclassid", TypeId::Oid},
        {"refobjid", TypeId::Oid},
        {"refobjsubid", TypeId::Int32},
        {"deptype", TypeId::Char}}},
      // Empty: OmenDB has no row security policies, extended statistics, publications, triggers, rules
      // or user-defined functions (pg_proc does not list the built-in ones either).
      // pg_catalog.pg_policy
      {"pg_catalog",
       "pg_policy",
       3256,
       'r',
       {{"oid", TypeId::Oid},
        {"polname", TypeId::Name},
        {"polrelid", TypeId::Oid},
        {"polcmd", TypeId::Char},
        {"polpermissive", TypeId::Bool},
        {"polroles", TypeId::OidArray},
        {"polqual", TypeId::Text},
        {"polwithcheck", TypeId::Text}}},
      // pg_catalog.pg_statistic_ext
      {"pg_catalog",
       "pg_statistic_ext",
       3381,
       'r',
       {{"oid", TypeId::Oid},
        {"stxrelid", TypeId::Oid},
        {"stxname", TypeId::Name},
        {"stxnamespace", TypeId::Oid},
        {"stxowner", TypeId::Oid},
        {"stxstattarget", TypeId::Int32},
        {"stxkind", TypeId::CharArray},
        {"stxexprs", TypeId::Text}},
       "stxkeys int2vector"},
      // pg_catalog.pg_publication
      {"pg_catalog",
       "pg_publication",
       6104,
       'r',
       {{"oid", TypeId::Oid},
        {"pubname", TypeId::Name},
        {"pubowner", TypeId::Oid},
        {"puballtables", TypeId::Bool},
        {"pubinsert", TypeId::Bool},
        {"pubupdate", TypeId::Bool},
        {"pubdelete", TypeId::Bool},
        {"pubtruncate", TypeId::Bool},
        {"pubviaroot", TypeId::Bool}}},
      // pg_catalog.pg_publication_namespace
      {"pg_catalog",
       "pg_publication_namespace",
       6237,
       'r',
       {{"oid", TypeId::Oid}, {"pnpubid", TypeId::Oid}, {"pnnspid", TypeId::Oid}}},
      // pg_catalog.pg_publication_rel; prattrs is int2vector in PostgreSQL (integer[] here)
      {"pg_catalog",
       "pg_publication_rel",
       6106,
       'r',
       {{"oid", TypeId::Oid},
        {"prpubid", TypeId::Oid},
        {"prrelid", TypeId::Oid},
        {"prqual", TypeId::Text},
        {"prattrs", TypeId::Int32Array}}},
      // pg_catalog.pg_trigger
      {"pg_catalog",
       "pg_trigger",
       2620,
       'r',
       {{"oid", TypeId::Oid},
        {"tgrelid", TypeId::Oid},
        {"tgparentid", TypeId::Oid},
        {"tgname", TypeId::Name},
        {"tgfoid", TypeId::Oid},
        {"tgtype", TypeId::Int32},
        {"tgenabled", TypeId::Char},
        {"tgisinternal", TypeId::Bool},
        {"tgconstrrelid", TypeId::Oid},
        {"tgconstrindid", TypeId::Oid},
        {"tgconstraint", TypeId::Oid},
        {"tgdeferrable", TypeId::Bool},
        {"tginitdeferred", TypeId::Bool},
        {"tgnargs", TypeId::Int32},
        {"tgqual", TypeId::Text},
        {"tgoldtable", TypeId::Name},
        {"tgnewtable", TypeId::Name}},
       "tgattr int2vector, tgargs bytea"},
      // pg_catalog.pg_rewrite
      {"pg_catalog",
       "pg_rewrite",
       2618,
       'r',
       {{"oid", TypeId::Oid},
        {"rulename", TypeId::Name},
        {"ev_class", TypeId::Oid},
        {"ev_type", TypeId::Char},
        {"ev_enabled", TypeId::Char},
        {"is_instead", TypeId::Bool},
        {"ev_qual", TypeId::Text},
        {"ev_action", TypeId::Text}}},
      // pg_catalog.pg_proc; procost / prorows are real
      {"pg_catalog",
       "pg_proc",
       1255,
       'r',
       {{"oid", TypeId::Oid},
        {"proname", TypeId::Name},
        {"pronamespace", TypeId::Oid},
        {"proowner", TypeId::Oid},
        {"prolang", TypeId::Oid},
        {"procost", TypeId::Float64},
        {"prorows", TypeId::Float64},
        {"provariadic", TypeId::Oid},
        {"prosupport", TypeId::RegProc},
        {"prokind", TypeId::Char},
        {"prosecdef", TypeId::Bool},
        {"proleakproof", TypeId::Bool},
        {"proisstrict", TypeId::Bool},
        {"proretset", TypeId::Bool},
        {"provolatile", TypeId::Char},
        {"proparallel", TypeId::Char},
        {"pronargs", TypeId::Int32},
        {"pronargdefaults", TypeId::Int32},
        {"prorettype", TypeId::Oid},
        {"proargtypes", TypeId::OidVector},
        {"proallargtypes", TypeId::OidArray},
        {"proargmodes", TypeId::CharArray},
        {"proargnames", TypeId::TextArray},
        {"proargdefaults", TypeId::Text},
        {"protrftypes", TypeId::OidArray},
        {"prosrc", TypeId::Text},
        {"probin", TypeId::Text},
        {"prosqlbody", TypeId::Text},
        {"proconfig", TypeId::TextArray},
        {"proacl", TypeId::TextArray}}},  // aclitem[] in PostgreSQL
      // pg_catalog.pg_sequences (data_type is regtype in PostgreSQL, here its text)
      {"pg_catalog",
       "pg_sequences",
       12048,
       'v',
       {{"schemaname", TypeId::Name},
        {"sequencename", TypeId::Name},
        {"sequenceowner", TypeId::Name},
        {"data_type", TypeId::Text},
        {"start_value", TypeId::Int64},
        {"min_value", TypeId::Int64},
        {"max_value", TypeId::Int64},
        {"increment_by", TypeId::Int64},
        {"cycle", TypeId::Bool},
        {"cache_size", TypeId::Int64},
        {"last_value", TypeId::Int64}}},
      // pg_catalog.pg_tables, pg_indexes
      {"pg_catalog",
       "pg_tables",
       12033,
       'v',
       {{"schemaname", TypeId::Name},
        {"tablename", TypeId::Name},
        {"tableowner", TypeId::Name},
        {"tablespace", TypeId::Name},
        {"hasindexes", TypeId::Bool},
        {"hasrules", TypeId::Bool},
        {"hastriggers", TypeId::Bool},
        {"rowsecurity", TypeId::Bool}}},
      {"pg_catalog",
       "pg_indexes",
       12043,
       'v',
       {{"schemaname", TypeId::Name},
        {"tablename", TypeId::Name},
        {"indexname", TypeId::Name},
        {"tablespace", TypeId::Name},
        {"indexdef", TypeId::Text}}},
      // pg_catalog.pg_views
      {"pg_catalog",
       "pg_views",
       12028,
       'v',
       {{"schemaname", TypeId::Name},
        {"viewname", TypeId::Name},
        {"viewowner", TypeId::Name},
        {"definition", TypeId::Text}}},
      // information_schema.views
      {"information_schema",
       "views",
       13483,
       'v',
       {{"table_catalog", TypeId::Name},
        {"table_schema", TypeId::Name},
        {"table_name", TypeId::Name},
        {"view_definition", TypeId::Text},
        {"check_option", TypeId::Text},
        {"is_updatable", TypeId::Text},
        {"is_insertable_into", TypeId::Text},
        {"is_trigger_updatable", TypeId::Text},
        {"is_trigger_deletable", TypeId::Text},
        {"is_trigger_insertable_into", TypeId::Text}}},
      // OmenDB's sealed column blocks (docs/columnar.md, "Observability"): per table, per block, per
      // column. Not in PostgreSQL; OIDs below the first user OID that PostgreSQL 15 leaves unused.
      {"pg_catalog",
       "omendb_sealed_tables",
       16300,
       'v',
       {{"relname", TypeId::Name},
        {"blocks", TypeId::Int64},
        {"sealed_rows", TypeId::Int64},
        {"sealed_bytes", TypeId::Int64},
        {"bytes_per_row", TypeId::Float64},
        {"fresh_rows_estimate", TypeId::Int64},
        {"fresh_share", TypeId::Float64}}},
      {"pg_catalog",
       "omendb_sealed_blocks",
       16301,
       'v',
       {{"relname", TypeId::Name},
        {"block", TypeId::Int32},
        {"rows", TypeId::Int64},
        {"bytes", TypeId::Int64},
        {"bytes_per_row", TypeId::Float64}}},
      {"pg_catalog",
       "omendb_sealed_columns",
       16302,
       'v',
       {{"relname", TypeId::Name},
        {"attname", TypeId::Name},
        {"attnum", TypeId::Int32},
        {"codecs", TypeId::Text},
        {"encoded_bytes", TypeId::Int64},
        {"null_count", TypeId::Int64},
        {"bytes_per_value", TypeId::Float64},
        {"compression_ratio", TypeId::Float64}}},
      // information_schema.sequences
      {"information_schema",
       "sequences",
       13386,
       'v',
       {{"sequence_catalog", TypeId::Name},
        {"sequence_schema", TypeId::Name},
        {"sequence_name", TypeId::Name},
        {"data_type", TypeId::Text},
        {"numeric_precision", TypeId::Int32},
        {"numeric_precision_radix", TypeId::Int32},
        {"numeric_scale", TypeId::Int32},
        {"start_value", TypeId::Text},
        {"minimum_value", TypeId::Text},
        {"maximum_value", TypeId::Text},
        {"increment", TypeId::Text},
        {"cycle_option", TypeId::Text}}},
      // information_schema.schemata
      {"information_schema",
       "schemata",
       13382,
       'v',
       {{"catalog_name", TypeId::Name},
        {"schema_name", TypeId::Name},
        {"schema_owner", TypeId::Name},
        {"default_character_set_catalog", TypeId::Name},
        {"default_character_set_schema", TypeId::Name},
        {"default_character_set_name", TypeId::Name},
        {"sql_path", TypeId::Text}}},
      // information_schema.tables
      {"information_schema",
       "tables",
       13425,
       'v',
       {{"table_catalog", TypeId::Name},
        {"table_schema", TypeId::Name},
        {"table_name", TypeId::Name},
        {"table_type", TypeId::Text},
        {"self_referencing_column_name", TypeId::Name},
        {"reference_generation", TypeId::Text},
        {"user_defined_type_catalog", TypeId::Name},
        {"user_defined_type_schema", TypeId::Name},
        {"user_defined_type_name", TypeId::Name},
        {"is_insertable_into", TypeId::Text},
        {"is_typed", TypeId::Text},
        {"commit_action", TypeId::Text}}},
      // information_schema.columns
      {"information_schema",
       "columns",
       13295,
       'v',
       {{"table_catalog", TypeId::Name},
        {"table_schema", TypeId::Name},
        {"table_name", TypeId::Name},
        {"column_name", TypeId::Name},
        {"ordinal_position", TypeId::Int32},
        {"column_default", TypeId::Text},
        {"is_nullable", TypeId::Text},
        {"data_type", TypeId::Text},
        {"character_maximum_length", TypeId::Int32},
        {"character_octet_length", TypeId::Int32},
        {"numeric_precision", TypeId::Int32},
        {"numeric_precision_radix", TypeId::Int32},
        {"numeric_scale", TypeId::Int32},
        {"datetime_precision", TypeId::Int32},
        {"interval_type", TypeId::Text},
        {"interval_precision", TypeId::Int32},
        {"character_set_catalog", TypeId::Name},
        {"character_set_schema", TypeId::Name},
        {"character_set_name", TypeId::Name},
        {"collation_catalog", TypeId::Name},
        {"collation_schema", TypeId::Name},
        {"collation_name", TypeId::Name},
        {"domain_catalog", TypeId::Name},
        {"domain_schema", TypeId::Name},
        {"domain_name", TypeId::Name},
        {"udt_catalog", TypeId::Name},
        {"udt_schema", TypeId::Name},
        {"udt_name", TypeId::Name},
        {"scope_catalog", TypeId::Name},
        {"scope_schema", TypeId::Name},
        {"scope_name", TypeId::Name},
        {"maximum_cardinality", TypeId::Int32},
        {"dtd_identifier", TypeId::Name},
        {"is_self_referencing", TypeId::Text},
        {"is_identity", TypeId::Text},
        {"identity_generation", TypeId::Text},
        {"identity_start", TypeId::Text},
        {"identity_increment", TypeId::Text},
        {"identity_maximum", TypeId::Text},
        {"identity_minimum", TypeId::Text},
        {"identity_cycle", TypeId::Text},
        {"is_generated", TypeId::Text},
        {"generation_expression", TypeId::Text},
        {"is_updatable", TypeId::Text}}},
      // Appended after information_schema's (a relation's index in this list is its id, which views
      // that read it keep).
      // pg_catalog.pg_amop: empty (no operator classes listed)
      {"pg_catalog",
       "pg_amop",
       2602,
       'r',
       {{"oid", TypeId::Oid},
        {"amopfamily", TypeId::Oid},
        {"amoplefttype", TypeId::Oid},
        {"amoprighttype", TypeId::Oid},
        {"amopstrategy", TypeId::Int32},
        {"amoppurpose", TypeId::Char},
        {"amopopr", TypeId::Oid},
        {"amopmethod", TypeId::Oid},
        {"amopsortfamily", TypeId::Oid}}},
      // pg_catalog.pg_amproc: empty (no operator classes listed)
      {"pg_catalog",
       "pg_amproc",
       2603,
       'r',
       {{"oid", TypeId::Oid},
        {"amprocfamily", TypeId::Oid},
        {"amproclefttype", TypeId::Oid},
        {"amprocrighttype", TypeId::Oid},
        {"amprocnum", TypeId::Int32},
        {"amproc", TypeId::RegProc}}},
      // pg_catalog.pg_cast: empty (its casts are built in, and there are no user-defined ones)
      {"pg_catalog",
       "pg_cast",
       2605,
       'r',
       {{"oid", TypeId::Oid},
        {"castsource", TypeId::Oid},
        {"casttarget", TypeId::Oid},
        {"castfunc", TypeId::Oid},
        {"castcontext", TypeId::Char},
        {"castmethod", TypeId::Char}}},
      // pg_catalog.pg_conversion: empty (no user-defined conversions)
      {"pg_catalog",
       "pg_conversion",
       2607,
       'r',
       {{"oid", TypeId::Oid},
        {"conname", TypeId::Name},
        {"connamespace", TypeId::Oid},
        {"conowner", TypeId::Oid},
        {"conforencoding", TypeId::Int32},
        {"contoencoding", TypeId::Int32},
        {"conproc", TypeId::RegProc},
        {"condefault", TypeId::Bool}}},
      // pg_catalog.pg_default_acl: empty (no ALTER DEFAULT PRIVILEGES) (aclitem[] columns are text[], NULL:
      // the default ACL)
      {"pg_catalog",
       "pg_default_acl",
       826,
       'r',
       {{"oid", TypeId::Oid},
        {"defaclrole", TypeId::Oid},
        {"defaclnamespace", TypeId::Oid},
        {"defaclobjtype", TypeId::Char},
        {"defaclacl", TypeId::TextArray}}},
      // pg_catalog.pg_event_trigger: empty (no event triggers)
      {"pg_catalog",
       "pg_event_trigger",
       3466,
       'r',
       {{"oid", TypeId::Oid},
        {"evtname", TypeId::Name},
        {"evtevent", TypeId::Name},
        {"evtowner", TypeId::Oid},
        {"evtfoid", TypeId::Oid},
        {"evtenabled", TypeId::Char},
        {"evttags", TypeId::TextArray}}},
      // pg_catalog.pg_foreign_data_wrapper: empty (no foreign data wrappers) (aclitem[] columns are text[],
      // NULL: the default ACL)
      {"pg_catalog",
       "pg_foreign_data_wrapper",
       2328,
       'r',
       {{"oid", TypeId::Oid},
        {"fdwname", TypeId::Name},
        {"fdwowner", TypeId::Oid},
        {"fdwhandler", TypeId::Oid},
        {"fdwvalidator", TypeId::Oid},
        {"fdwacl", TypeId::TextArray},
        {"fdwoptions", TypeId::TextArray}}},
      // pg_catalog.pg_foreign_server: empty (no foreign servers) (aclitem[] columns are text[], NULL: the
      // default ACL)
      {"pg_catalog",
       "pg_foreign_server",
       1417,
       'r',
       {{"oid", TypeId::Oid},
        {"srvname", TypeId::Name},
        {"srvowner", TypeId::Oid},
        {"srvfdw", TypeId::Oid},
        {"srvtype", TypeId::Text},
        {"srvversion", TypeId::Text},
        {"srvacl", TypeId::TextArray},
        {"srvoptions", TypeId::TextArray}}},
      // pg_catalog.pg_init_privs: empty (no extensions, so no initial privileges) (aclitem[] columns are
      // text[], NULL: the default ACL)
      {"pg_catalog",
       "pg_init_privs",
       3394,
       'r',
       {{"objoid", TypeId::Oid},
        {"classoid", TypeId::Oid},
        {"objsubid", TypeId::Int32},
        {"privtype", TypeId::Char},
        {"initprivs", TypeId::TextArray}}},
      // pg_catalog.pg_language: empty (no procedural languages (no CREATE FUNCTION)) (aclitem[] columns are
      // text[], NULL: the default ACL)
      {"pg_catalog",
       "pg_language",
       2612,
       'r',
       {{"oid", TypeId::Oid},
        {"lanname", TypeId::Name},
        {"lanowner", TypeId::Oid},
        {"lanispl", TypeId::Bool},
        {"lanpltrusted", TypeId::Bool},
        {"lanplcallfoid", TypeId::Oid},
        {"laninline", TypeId::Oid},
        {"lanvalidator", TypeId::Oid},
        {"lanacl", TypeId::TextArray}}},
      // pg_catalog.pg_largeobject_metadata: empty (no large objects) (aclitem[] columns are text[], NULL: the
      // default ACL)
      {"pg_catalog",
       "pg_largeobject_metadata",
       2995,
       'r',
       {{"oid", TypeId::Oid}, {"lomowner", TypeId::Oid}, {"lomacl", TypeId::TextArray}}},
      // pg_catalog.pg_opclass: empty (operator classes are built in and not listed)
      {"pg_catalog",
       "pg_opclass",
       2616,
       'r',
       {{"oid", TypeId::Oid},
        {"opcmethod", TypeId::Oid},
        {"opcname", TypeId::Name},
        {"opcnamespace", TypeId::Oid},
        {"opcowner", TypeId::Oid},
        {"opcfamily", TypeId::Oid},
        {"opcintype", TypeId::Oid},
        {"opcdefault", TypeId::Bool},
        {"opckeytype", TypeId::Oid}}},
      // pg_catalog.pg_operator: empty (operators are built in and not listed)
      {"pg_catalog",
       "pg_operator",
       2617,
       'r',
       {{"oid", TypeId::Oid},
        {"oprname", TypeId::Name},
        {"oprnamespace", TypeId::Oid},
        {"oprowner", TypeId::Oid},
        {"oprkind", TypeId::Char},
        {"oprcanmerge", TypeId::Bool},
        {"oprcanhash", TypeId::Bool},
        {"oprleft", TypeId::Oid},
        {"oprright", TypeId::Oid},
        {"oprresult", TypeId::Oid},
        {"oprcom", TypeId::Oid},
        {"oprnegate", TypeId::Oid},
        {"oprcode", TypeId::RegProc},
        {"oprrest", TypeId::RegProc},
        {"oprjoin", TypeId::RegProc}}},
      // pg_catalog.pg_opfamily: empty (operator families are built in and not listed)
      {"pg_catalog",
       "pg_opfamily",
       2753,
       'r',
       {{"oid", TypeId::Oid},
        {"opfmethod", TypeId::Oid},
        {"opfname", TypeId::Name},
        {"opfnamespace", TypeId::Oid},
        {"opfowner", TypeId::Oid}}},
      // pg_catalog.pg_partitioned_table: empty (no partitioned tables)
      {"pg_catalog",
       "pg_partitioned_table",
       3350,
       'r',
       {{"partrelid", TypeId::Oid},
        {"partstrat", TypeId::Char},
        {"partnatts", TypeId::Int32},
        {"partdefid", TypeId::Oid},
        {"partattrs", TypeId::Int2Vector},
        {"partclass", TypeId::OidVector},
        {"partcollation", TypeId::OidVector},
        {"partexprs", TypeId::Text}}},
      // pg_catalog.pg_range: empty (no range types)
      {"pg_catalog",
       "pg_range",
       3541,
       'r',
       {{"rngtypid", TypeId::Oid},
        {"rngsubtype", TypeId::Oid},
        {"rngmultitypid", TypeId::Oid},
        {"rngcollation", TypeId::Oid},
        {"rngsubopc", TypeId::Oid},
        {"rngcanonical", TypeId::RegProc},
        {"rngsubdiff", TypeId::RegProc}}},
      // pg_catalog.pg_seclabels: empty (no security labels)
      {"pg_catalog",
       "pg_seclabels",
       12099,
       'v',
       {{"objoid", TypeId::Oid},
        {"classoid", TypeId::Oid},
        {"objsubid", TypeId::Int32},
        {"objtype", TypeId::Text},
        {"objnamespace", TypeId::Oid},
        {"objname", TypeId::Text},
        {"provider", TypeId::Text},
        {"label", TypeId::Text}}},
      // pg_catalog.pg_subscription: empty (no logical replication)
      {"pg_catalog",
       "pg_subscription",
       6100,
       'r',
       {{"oid", TypeId::Oid},
        {"subdbid", TypeId::Oid},
        {"subname", TypeId::Name},
        {"subowner", TypeId::Oid},
        {"subenabled", TypeId::Bool},
        {"subbinary", TypeId::Bool},
        {"substream", TypeId::Bool},
        {"subtwophasestate", TypeId::Char},
        {"subdisableonerr", TypeId::Bool},
        {"subconninfo", TypeId::Text},
        {"subslotname", TypeId::Name},
        {"subsynccommit", TypeId::Text},
        {"subpublications", TypeId::TextArray}},
       "subskiplsn pg_lsn"},
      // pg_catalog.pg_transform: empty (no transforms)
      {"pg_catalog",
       "pg_transform",
       3576,
       'r',
       {{"oid", TypeId::Oid},
        {"trftype", TypeId::Oid},
        {"trflang", TypeId::Oid},
        {"trffromsql", TypeId::RegProc},
        {"trftosql", TypeId::RegProc}}},
      // pg_catalog.pg_ts_config: empty (no text search)
      {"pg_catalog",
       "pg_ts_config",
       3602,
       'r',
       {{"oid", TypeId::Oid},
        {"cfgname", TypeId::Name},
        {"cfgnamespace", TypeId::Oid},
        {"cfgowner", TypeId::Oid},
        {"cfgparser", TypeId::Oid}}},
      // pg_catalog.pg_ts_dict: empty (no text search)
      {"pg_catalog",
       "pg_ts_dict",
       3600,
       'r',
       {{"oid", TypeId::Oid},
        {"dictname", TypeId::Name},
        {"dictnamespace", TypeId::Oid},
        {"dictowner", TypeId::Oid},
        {"dicttemplate", TypeId::Oid},
        {"dictinitoption", TypeId::Text}}},
      // pg_catalog.pg_ts_parser: empty (no text search)
      {"pg_catalog",
       "pg_ts_parser",
       3601,
       'r',
       {{"oid", TypeId::Oid},
        {"prsname", TypeId::Name},
        {"prsnamespace", TypeId::Oid},
        {"prsstart", TypeId::RegProc},
        {"prstoken", TypeId::RegProc},
        {"prsend", TypeId::RegProc},
        {"prsheadline", TypeId::RegProc},
        {"prslextype", TypeId::RegProc}}},
      // pg_catalog.pg_ts_template: empty (no text search)
      {"pg_catalog",
       "pg_ts_template",
       3764,
       'r',
       {{"oid", TypeId::Oid},
        {"tmplname", TypeId::Name},
        {"tmplnamespace", TypeId::Oid},
        {"tmplinit", TypeId::RegProc},
        {"tmpllexize", TypeId::RegProc}}},
      // pg_catalog.pg_stat_activity: the server's client backends (Context::backends). client_addr is
      // inet in PostgreSQL (text here); backend_xid and backend_xmin are left out: OmenDB's transactions
      // are timestamps (docs/mvcc.md) and have no transaction ids to show.
      {"pg_catalog",
       "pg_stat_activity",
       12222,
       'v',
       {{"datid", TypeId::Oid},
        {"datname", TypeId::Name},
        {"pid", TypeId::Int32},
        {"leader_pid", TypeId::Int32},
        {"usesysid", TypeId::Oid},
        {"usename", TypeId::Name},
        {"application_name", TypeId::Text},
        {"client_addr", TypeId::Text},
        {"client_hostname", TypeId::Text},
        {"client_port", TypeId::Int32},
        {"backend_start", TypeId::TimestampTz},
        {"xact_start", TypeId::TimestampTz},
        {"query_start", TypeId::TimestampTz},
        {"state_change", TypeId::TimestampTz},
        {"wait_event_type", TypeId::Text},
        {"wait_event", TypeId::Text},
        {"state", TypeId::Text},
        {"query_id", TypeId::Int64},
        {"query", TypeId::Text},
        {"backend_type", TypeId::Text}},
       "backend_xid xid, backend_xmin xid"},
      // information_schema's constraint views, over the constraints pg_constraint lists (user_constraints)
      // and, as CHECK constraints, the columns' NOT NULLs.
      {"information_schema",
       "table_constraints",
       13411,
       'v',
       {{"constraint_catalog", TypeId::Name},
        {"constraint_schema", TypeId::Name},
        {"constraint_name", TypeId::Name},
        {"table_catalog", TypeId::Name},
        {"table_schema", TypeId::Name},
        {"table_name", TypeId::Name},
        {"constraint_type", TypeId::Text},
        {"is_deferrable", TypeId::Text},
        {"initially_deferred", TypeId::Text},
        {"enforced", TypeId::Text},
        {"nulls_distinct", TypeId::Text}}},
      {"information_schema",
       "key_column_usage",
       13329,
       'v',
       {{"constraint_catalog", TypeId::Name},
        {"constraint_schema", TypeId::Name},
        {"constraint_name", TypeId::Name},
        {"table_catalog", TypeId::Name},
        {"table_schema", TypeId::Name},
        {"table_name", TypeId::Name},
        {"column_name", TypeId::Name},
        {"ordinal_position", TypeId::Int32},
        {"position_in_unique_constraint", TypeId::Int32}}},
      {"information_schema",
       "referential_constraints",
       13339,
       'v',
       {{"constraint_catalog", TypeId::Name},
        {"constraint_schema", TypeId::Name},
        {"constraint_name", TypeId::Name},
        {"unique_constraint_catalog", TypeId::Name},
        {"unique_constraint_schema", TypeId::Name},
        {"unique_constraint_name", TypeId::Name},
        {"match_option", TypeId::Text},
        {"update_rule", TypeId::Text},
        {"delete_rule", TypeId::Text}}},
      {"information_schema",
       "check_constraints",
       13260,
       'v',
       {{"constraint_catalog", TypeId::Name},
        {"constraint_schema", TypeId::Name},
        {"constraint_name", TypeId::Name},
        {"check_clause", TypeId::Text}}},
      {"information_schema",
       "constraint_column_usage",
       13300,
       'v',
       {{"table_catalog", TypeId::Name},
        {"table_schema", TypeId::Name},
        {"table_name", TypeId::Name},
        {"column_name", TypeId::Name},
        {"constraint_catalog", TypeId::Name},
        {"constraint_schema", TypeId::Name},
        {"constraint_name", TypeId::Name}}},
      // pg_catalog.pg_stat_all_tables and pg_stat_user_tables (without the system catalogs): the tables,
      // n_live_tup RocksDB's estimate of a user table's rows; OmenDB keeps none of PostgreSQL's other
      // counters and times, which are NULL (docs/catalogs.md).
      {"pg_catalog", "pg_stat_all_tables", 12142, 'v', stat_tables_columns},
      {"pg_catalog", "pg_stat_user_tables", 12161, 'v', stat_tables_columns},
      // pg_catalog.pg_stats: ANALYZE's statistics (docs/schema.md, "ANALYZE"). Left out: the anyarray
      // columns and their frequencies (OmenDB keeps no most common values or histograms yet).
      {"pg_catalog",
       "pg_stats",
       12053,
       'v',
       {{"schemaname", TypeId::Name},
        {"tablename", TypeId::Name},
        {"attname", TypeId::Name},
        {"inherited", TypeId::Bool},
        {"null_frac", TypeId::Float32},
        {"avg_width", TypeId::Int32},
        {"n_distinct", TypeId::Float32},
        {"correlation", TypeId::Float32}},
       "most_common_vals anyarray, most_common_freqs real[], histogram_bounds anyarray, most_common_elems "
       "anyarray, most_common_elem_freqs real[], elem_count_histogram real[]"},
  };
  return specs;
}

storage::TableDefPtr make_def(const RelationSpec& r, uint32_t index) {
  auto def = std::make_shared<storage::TableDef>();
  def->id = kSystemTableBit | index;
  def->name = r.name;
  const bool info_schema = std::string_view(r.schema) == "information_schema";
  for (const ColumnSpec& c : r.columns) {
    // information_schema's yes_or_no columns are varchar(3); its character_data ones are varchar without
    // a length, which OmenDB shows as text.
    std::string_view n = c.name;
    const bool yes_or_no =
        info_schema && (n.substr(0, 3) == "is_" || n == "identity_cycle" || n == "initially_deferred" ||
                        n == "enforced" || n == "nulls_distinct");
    storage::ColumnDef col;
    col.name = c.name;
    col.type = c.type;
    col.max_length = yes_or_no ? 3 : -1;
    def->columns.push_back(std::move(col));
  }
  return def;
}

const std::vector<storage::TableDefPtr>& defs() {
  static const std::vector<storage::TableDefPtr> all = [] {
    std::vector<storage::TableDefPtr> out;
    for (size_t i = 0; i < relations().size(); ++i)
      out.push_back(make_def(relations()[i], static_cast<uint32_t>(i)));
    return out;
  }();
  return all;
}

// ---------------------------------------------------------------------------------------------------
// Rows

using Row = std::vector<Value>;

// Builds the rows of one relation by column name; a column not set is NULL, except flags (false), OIDs
// and counters (0) and "char" codes (empty), which PostgreSQL never leaves NULL.
class Rows {
 public:
  explicit Rows(const storage::TableDef& def) : def_(def) {}
  Rows& add() {
    Row r;
    for (const auto& c : def_.columns) {
      switch (c.type) {
        case TypeId::Bool:
          r.push_back(Value::boolean(false));
          break;
        case TypeId::Oid:
          r.push_back(Value::datetime(TypeId::Oid, 0));
          break;
        case TypeId::Xid:  // InvalidTransactionId: OmenDB has no transaction ids to freeze (docs/catalogs.md)
          r.push_back(Value::datetime(TypeId::Xid, 0));
          break;
        case TypeId::RegProc:  // no function: '-'
          r.push_back(Value::datetime(TypeId::RegProc, 0));
          break;
        case TypeId::Int32:
          r.push_back(Value::int32(0));
          break;
        case TypeId::Float64:
          r.push_back(Value::float64(0));
          break;
        case TypeId::Char:
          r.push_back(Value::text("", TypeId::Char));
          break;
        default:
          r.push_back(Value::null(c.type));
          break;
      }
    }
    rows_.push_back(std::move(r));
    return *this;
  }
  Rows& set(std::string_view column, Value v) {
    int i = def_.find_column(column);
    if (i < 0) throw std::logic_error("system catalog: no column " + std::string(column));
    rows_.back()[static_cast<size_t>(i)] = std::move(v);
    return *this;
  }
  Rows& oid(std::string_view column, uint32_t v) { return set(column, Value::datetime(TypeId::Oid, v)); }
  Rows& name(std::string_view column, std::string v) {
    return set(column, Value::text(std::move(v), TypeId::Name));
  }
  Rows& text(std::string_view column, std::string v) { return set(column, Value::text(std::move(v))); }
  // "char" code c ('\0': the empty "char", which PostgreSQL prints as an empty string).
  Rows& chr(std::string_view column, char c) {
    return set(column, Value::text(c ? std::string(1, c) : std::string(), TypeId::Char));
  }
  Rows& flag(std::string_view column, bool b) { return set(column, Value::boolean(b)); }
  Rows& num(std::string_view column, int32_t v) { return set(column, Value::int32(v)); }
  // An integer[] (or int2vector, whose lower bound is 0) of `v`.
  Rows& nums(std::string_view column, const std::vector<int32_t>& v, TypeId type = TypeId::Int32Array) {
    arr::Builder b(TypeId::Int32);
    for (int32_t x : v) {
      Datum d{};
      d.i64 = x;
      b.add(d);
    }
    const bool vector = type == TypeId::Int2Vector && !v.empty();
    return set(column, Value::text(vector ? b.finish(0) : b.finish(), type));
  }
  // A text[] of `v` (aclitem[] columns: the items' text).
  Rows& texts(std::string_view column, const std::vector<std::string>& v) {
    arr::Builder b(TypeId::Text);
    for (const std::string& x : v) {
      Datum d{};
      d.str = StrRef{x.data(), x.size()};
      b.add(d);
    }
    return set(column, Value::text(b.finish(), TypeId::TextArray));
  }
  std::vector<Row> take() { return std::move(rows_); }

 private:
  const storage::TableDef& def_;
  std::vector<Row> rows_;
};

// One built-in type as pg_type shows it.
struct BuiltinType {
  uint32_t oid;
  const char* name;
  int len;
  bool byval;
  char type, category;
  bool preferred;
  uint32_t elem, array, collation;
  char align, storage;
};
const BuiltinType kTypes[] = {
    {16, "bool", 1, true, 'b', 'B', true, 0, 1000, 0, 'c', 'p'},
    {18, "char", 1, true, 'b', 'Z', false, 0, 1002, 0, 'c', 'p'},
    {19, "name", 64, false, 'b', 'S', false, 18, 1003, 950, 'c', 'p'},
    {20, "int8", 8, true, 'b', 'N', false, 0, 1016, 0, 'd', 'p'},
    {21, "int2", 2, true, 'b', 'N', false, 0, 1005, 0, 's', 'p'},
    {23, "int4", 4, true, 'b', 'N', false, 0, 1007, 0, 'i', 'p'},
    {25, "text", -1, false, 'b', 'S', true, 0, 1009, 100, 'i', 'x'},
    {26, "oid", 4, true, 'b', 'N', true, 0, 1028, 0, 'i', 'p'},
    {700, "float4", 4, true, 'b', 'N', false, 0, 1021, 0, 'i', 'p'},
    {701, "float8", 8, true, 'b', 'N', true, 0, 1022, 0, 'd', 'p'},
    {705, "unknown", -2, false, 'p', 'X', false, 0, 0, 0, 'c', 'p'},
    {1042, "bpchar", -1, false, 'b', 'S', false, 0, 1014, 100, 'i', 'x'},
    {1043, "varchar", -1, false, 'b', 'S', false, 0, 1015, 100, 'i', 'x'},
    {1082, "date", 4, true, 'b', 'D', false, 0, 1182, 0, 'i', 'p'},
    {1083, "time", 8, true, 'b', 'D', false, 0, 1183, 0, 'd', 'p'},
    {1114, "timestamp", 8, true, 'b', 'D', false, 0, 1115, 0, 'd', 'p'},
    {1184, "timestamptz", 8, true, 'b', 'D', true, 0, 1185, 0, 'd', 'p'},
    {1186, "interval", 16, false, 'b', 'T', true, 0, 1187, 0, 'd', 'p'},
    {1700, "numeric", -1, false, 'b', 'N', false, 0, 1231, 0, 'i', 'm'},
    {2205, "regclass", 4, true, 'b', 'N', false, 0, 2210, 0, 'i', 'p'},
    {2206, "regtype", 4, true, 'b', 'N', false, 0, 2211, 0, 'i', 'p'},
    {4089, "regnamespace", 4, true, 'b', 'N', false, 0, 4090, 0, 'i', 'p'},
    {24, "regproc", 4, true, 'b', 'N', false, 0, 1008, 0, 'i', 'p'},
    {17, "bytea", -1, false, 'b', 'U', false, 0, 1001, 0, 'i', 'x'},
    {2950, "uuid", 16, false, 'b', 'U', false, 0, 2951, 0, 'c', 'p'},
    {114, "json", -1, false, 'b', 'U', false, 0, 199, 0, 'i', 'x'},
    {3802, "jsonb", -1, false, 'b', 'U', false, 0, 3807, 0, 'i', 'x'},
    {22, "int2vector", -1, false, 'b', 'A', false, 21, 1006, 0, 'i', 'p'},
    {30, "oidvector", -1, false, 'b', 'A', false, 26, 1013, 0, 'i', 'p'},
    {28, "xid", 4, true, 'b', 'U', false, 0, 1011, 0, 'i', 'p'},
    // array types (common/array.h; OmenDB's own arrays are the ones of TypeId, the others for catalogs)
    {1000, "_bool", -1, false, 'b', 'A', false, 16, 0, 0, 'i', 'x'},
    {1002, "_char", -1, false, 'b', 'A', false, 18, 0, 0, 'i', 'x'},
    {1003, "_name", -1, false, 'b', 'A', false, 19, 0, 950, 'i', 'x'},
    {1005, "_int2", -1, false, 'b', 'A', false, 21, 0, 0, 'i', 'x'},
    {1007, "_int4", -1, false, 'b', 'A', false, 23, 0, 0, 'i', 'x'},
    {1009, "_text", -1, false, 'b', 'A', false, 25, 0, 100, 'i', 'x'},
    {1014, "_bpchar", -1, false, 'b', 'A', false, 1042, 0, 100, 'i', 'x'},
    {1015, "_varchar", -1, false, 'b', 'A', false, 1043, 0, 100, 'i', 'x'},
    {1016, "_int8", -1, false, 'b', 'A', false, 20, 0, 0, 'd', 'x'},
    {1021, "_float4", -1, false, 'b', 'A', false, 700, 0, 0, 'i', 'x'},
    {1022, "_float8", -1, false, 'b', 'A', false, 701, 0, 0, 'd', 'x'},
    {1028, "_oid", -1, false, 'b', 'A', false, 26, 0, 0, 'i', 'x'},
    {1115, "_timestamp", -1, false, 'b', 'A', false, 1114, 0, 0, 'd', 'x'},
    {1182, "_date", -1, false, 'b', 'A', false, 1082, 0, 0, 'i', 'x'},
    {1183, "_time", -1, false, 'b', 'A', false, 1083, 0, 0, 'd', 'x'},
    {1185, "_timestamptz", -1, false, 'b', 'A', false, 1184, 0, 0, 'd', 'x'},
    {1187, "_interval", -1, false, 'b', 'A', false, 1186, 0, 0, 'd', 'x'},
    {1231, "_numeric", -1, false, 'b', 'A', false, 1700, 0, 0, 'i', 'x'},
    {1001, "_bytea", -1, false, 'b', 'A', false, 17, 0, 0, 'i', 'x'},
    {2951, "_uuid", -1, false, 'b', 'A', false, 2950, 0, 0, 'i', 'x'},
    {199, "_json", -1, false, 'b', 'A', false, 114, 0, 0, 'i', 'x'},
    {3807, "_jsonb", -1, false, 'b', 'A', false, 3802, 0, 0, 'i', 'x'},
    {1006, "_int2vector", -1, false, 'b', 'A', false, 22, 0, 0, 'i', 'x'},
    {1013, "_oidvector", -1, false, 'b', 'A', false, 30, 0, 0, 'i', 'x'},
    {1011, "_xid", -1, false, 'b', 'A', false, 28, 0, 0, 'i', 'x'},
    {1008, "_regproc", -1, false, 'b', 'A', false, 24, 0, 0, 'i', 'x'},
};

// The built-in functions the catalogs name (regproc values: pg_type's I/O functions, pg_am's handlers),
// with PostgreSQL 15's OIDs; regproc reads and prints these names. pg_proc does not list them.
struct BuiltinFunction {
  uint32_t oid;
  const char* name;
};
const BuiltinFunction kFunctions[] = {
    {kHeapHandler, "heap_tableam_handler"},
    {31, "byteaout"},
    {33, "charout"},
    {34, "namein"},
    {35, "nameout"},
    {38, "int2in"},
    {39, "int2out"},
    {40, "int2vectorin"},
    {41, "int2vectorout"},
    {42, "int4in"},
    {43, "int4out"},
    {44, "regprocin"},
    {45, "regprocout"},
    {46, "textin"},
    {47, "textout"},
    {50, "xidin"},
    {51, "xidout"},
    {54, "oidvectorin"},
    {55, "oidvectorout"},
    {109, "unknownin"},
    {110, "unknownout"},
    {200, "float4in"},
    {201, "float4out"},
    {214, "float8in"},
    {215, "float8out"},
    {321, "json_in"},
    {322, "json_out"},
    {323, "json_recv"},
    {324, "json_send"},
    {kBtreeHandler, "bthandler"},
    {460, "int8in"},
    {461, "int8out"},
    {750, "array_in"},
    {751, "array_out"},
    {1044, "bpcharin"},
    {1045, "bpcharout"},
    {1046, "varcharin"},
    {1047, "varcharout"},
    {1084, "date_in"},
    {1085, "date_out"},
    {1143, "time_in"},
    {1144, "time_out"},
    {1150, "timestamptz_in"},
    {1151, "timestamptz_out"},
    {1160, "interval_in"},
    {1161, "interval_out"},
    {1242, "boolin"},
    {1243, "boolout"},
    {1244, "byteain"},
    {1245, "charin"},
    {1312, "timestamp_in"},
    {1313, "timestamp_out"},
    {1701, "numeric_in"},
    {1702, "numeric_out"},
    {1798, "oidin"},
    {1799, "oidout"},
    {2218, "regclassin"},
    {2219, "regclassout"},
    {2220, "regtypein"},
    {2221, "regtypeout"},
    {2290, "record_in"},
    {2291, "record_out"},
    {2400, "array_recv"},
    {2401, "array_send"},
    {2402, "record_recv"},
    {2403, "record_send"},
    {2404, "int2recv"},
    {2405, "int2send"},
    {2406, "int4recv"},
    {2407, "int4send"},
    {2408, "int8recv"},
    {2409, "int8send"},
    {2410, "int2vectorrecv"},
    {2411, "int2vectorsend"},
    {2412, "bytearecv"},
    {2413, "byteasend"},
    {2414, "textrecv"},
    {2415, "textsend"},
    {2416, "unknownrecv"},
    {2417, "unknownsend"},
    {2418, "oidrecv"},
    {2419, "oidsend"},
    {2420, "oidvectorrecv"},
    {2421, "oidvectorsend"},
    {2422, "namerecv"},
    {2423, "namesend"},
    {2424, "float4recv"},
    {2425, "float4send"},
    {2426, "float8recv"},
    {2427, "float8send"},
    {2430, "bpcharrecv"},
    {2431, "bpcharsend"},
    {2432, "varcharrecv"},
    {2433, "varcharsend"},
    {2434, "charrecv"},
    {2435, "charsend"},
    {2436, "boolrecv"},
    {2437, "boolsend"},
    {2440, "xidrecv"},
    {2441, "xidsend"},
    {2444, "regprocrecv"},
    {2445, "regprocsend"},
    {2452, "regclassrecv"},
    {2453, "regclasssend"},
    {2454, "regtyperecv"},
    {2455, "regtypesend"},
    {2460, "numeric_recv"},
    {2461, "numeric_send"},
    {2468, "date_recv"},
    {2469, "date_send"},
    {2470, "time_recv"},
    {2471, "time_send"},
    {2474, "timestamp_recv"},
    {2475, "timestamp_send"},
    {2476, "timestamptz_recv"},
    {2477, "timestamptz_send"},
    {2478, "interval_recv"},
    {2479, "interval_send"},
    {2903, "intervaltypmodin"},
    {2904, "intervaltypmodout"},
    {2905, "timestamptypmodin"},
    {2906, "timestamptypmodout"},
    {2907, "timestamptztypmodin"},
    {2908, "timestamptztypmodout"},
    {2909, "timetypmodin"},
    {2910, "timetypmodout"},
    {2913, "bpchartypmodin"},
    {2914, "bpchartypmodout"},
    {2915, "varchartypmodin"},
    {2916, "varchartypmodout"},
    {2917, "numerictypmodin"},
    {2918, "numerictypmodout"},
    {2952, "uuid_in"},
    {2953, "uuid_out"},
    {2961, "uuid_recv"},
    {2962, "uuid_send"},
    {3803, "jsonb_send"},
    {3804, "jsonb_out"},
    {3805, "jsonb_recv"},
    {3806, "jsonb_in"},
    {3816, "array_typanalyze"},
    {4084, "regnamespacein"},
    {4085, "regnamespaceout"},
    {4087, "regnamespacerecv"},
    {4088, "regnamespacesend"},
    {6098, "jsonb_subscript_handler"},
    {6179, "array_subscript_handler"},
    {6180, "raw_array_subscript_handler"},
};

// pg_type's regproc columns of a type, PostgreSQL 15's. Those of the base types are listed; an array
// type's are array_in / array_out / array_recv / array_send, array_subscript_handler and
// array_typanalyze with its element's typmodin / typmodout; a table's row type's record_in / record_out
// / record_recv / record_send. 0 ('-') where PostgreSQL has none.
struct TypeFunctions {
  uint32_t type, subscript, input, output, receive, send, modin, modout, analyze;
};
const TypeFunctions kTypeFunctions[] = {
    {16, 0, 1242, 1243, 2436, 2437, 0, 0, 0},          // bool
    {17, 0, 1244, 31, 2412, 2413, 0, 0, 0},            // bytea
    {18, 0, 1245, 33, 2434, 2435, 0, 0, 0},            // char
    {19, 6180, 34, 35, 2422, 2423, 0, 0, 0},           // name
    {20, 0, 460, 461, 2408, 2409, 0, 0, 0},            // int8
    {21, 0, 38, 39, 2404, 2405, 0, 0, 0},              // int2
    {22, 6179, 40, 41, 2410, 2411, 0, 0, 0},           // int2vector
    {23, 0, 42, 43, 2406, 2407, 0, 0, 0},              // int4
    {24, 0, 44, 45, 2444, 2445, 0, 0, 0},              // regproc
    {25, 0, 46, 47, 2414, 2415, 0, 0, 0},              // text
    {26, 0, 1798, 1799, 2418, 2419, 0, 0, 0},          // oid
    {28, 0, 50, 51, 2440, 2441, 0, 0, 0},              // xid
    {30, 6179, 54, 55, 2420, 2421, 0, 0, 0},           // oidvector
    {114, 0, 321, 322, 323, 324, 0, 0, 0},             // json
    {700, 0, 200, 201, 2424, 2425, 0, 0, 0},           // float4
    {701, 0, 214, 215, 2426, 2427, 0, 0, 0},           // float8
    {705, 0, 109, 110, 2416, 2417, 0, 0, 0},           // unknown
    {1042, 0, 1044, 1045, 2430, 2431, 2913, 2914, 0},  // bpchar
    {1043, 0, 1046, 1047, 2432, 2433, 2915, 2916, 0},  // varchar
    {1082, 0, 1084, 1085, 2468, 2469, 0, 0, 0},        // date
    {1083, 0, 1143, 1144, 2470, 2471, 2909, 2910, 0},  // time
    {1114, 0, 1312, 1313, 2474, 2475, 2905, 2906, 0},  // timestamp
    {1184, 0, 1150, 1151, 2476, 2477, 2907, 2908, 0},  // timestamptz
    {1186, 0, 1160, 1161, 2478, 2479, 2903, 2904, 0},  // interval
    {1700, 0, 1701, 1702, 2460, 2461, 2917, 2918, 0},  // numeric
    {2205, 0, 2218, 2219, 2452, 2453, 0, 0, 0},        // regclass
    {2206, 0, 2220, 2221, 2454, 2455, 0, 0, 0},        // regtype
    {2950, 0, 2952, 2953, 2961, 2962, 0, 0, 0},        // uuid
    {3802, 6098, 3806, 3804, 3805, 3803, 0, 0, 0},     // jsonb
    {4089, 0, 4084, 4085, 4087, 4088, 0, 0, 0},        // regnamespace
};
const TypeFunctions kRowTypeFunctions = {0, 0, 2290, 2291, 2402, 2403, 0, 0, 0};

TypeFunctions type_functions(const BuiltinType& t) {
  for (const TypeFunctions& f : kTypeFunctions)
    if (f.type == t.oid) return f;
  if (t.elem == 0) throw std::logic_error(std::string("pg_type: no functions listed for ") + t.name);
  // An array type: its element's type modifier functions.
  TypeFunctions f{t.oid, 6179, 750, 751, 2400, 2401, 0, 0, 3816};
  for (const TypeFunctions& e : kTypeFunctions)
    if (e.type == t.elem) {
      f.modin = e.modin;
      f.modout = e.modout;
    }
  return f;
}

void set_type_functions(Rows& rows, const TypeFunctions& f) {
  auto proc = [&](std::string_view column, uint32_t oid) {
    rows.set(column, Value::datetime(TypeId::RegProc, oid));
  };
  proc("typsubscript", f.subscript);
  proc("typinput", f.input);
  proc("typoutput", f.output);
  proc("typreceive", f.receive);
  proc("typsend", f.send);
  proc("typmodin", f.modin);
  proc("typmodout", f.modout);
  proc("typanalyze", f.analyze);
}

const BuiltinType* builtin_type(uint32_t oid) {
  for (const BuiltinType& t : kTypes)
    if (t.oid == oid) return &t;
  return nullptr;
}

// A column's type as the catalogs show it: varchar(n) is varchar with typmod n + 4.
uint32_t column_type_oid(const storage::ColumnDef& c) {
  if (c.type == TypeId::Text && c.max_length >= 0) return 1043;
  return type_oid(c.type);
}
int32_t column_typmod(const storage::ColumnDef& c) {
  if ((c.type == TypeId::Text || c.type == TypeId::BpChar) && c.max_length >= 0) return c.max_length + 4;
  if (c.type == TypeId::Numeric) return c.max_length;   // numeric(p, s)'s typmod, -1 for plain numeric
  if (c.type == TypeId::Interval) return c.max_length;  // (range << 16) | precision, -1 for plain interval
  return -1;
}

}  // namespace

std::string check_constraint_def(const storage::CheckDef& check, bool pretty) {
  return "CHECK (" + (pretty ? check.pretty : check.display) + ")" + (check.validated ? "" : " NOT VALID");
}

std::string format_column_type(const storage::ColumnDef& c) {
  return format_type(column_type_oid(c), column_typmod(c));
}

namespace {

// Every relation pg_class lists: the system relations, then each user table and its primary-key index.
struct RelationRow {
  uint32_t oid;
  std::string name;
  uint32_t nsp;
  char kind;
  const storage::TableDef* table;              // columns (null for an index)
  const storage::TableDef* indexed = nullptr;  // an index's table
  uint32_t type = 0;
  std::vector<int> index_columns =
      {};  // an index's columns (indexes into indexed->columns; -1: an expression)
  const storage::IndexDef* index = nullptr;  // a secondary index's definition
};

std::vector<RelationRow> all_relations(const std::vector<storage::TableDefPtr>& tables);

// The columns a sequence shows (PostgreSQL's: last_value, log_cnt, is_called).
const storage::TableDef& sequence_columns() {
  static const storage::TableDef def = [] {
    storage::TableDef d;
    d.name = "sequence";
    for (auto [name, type] : {std::pair{"last_value", TypeId::Int64}, std::pair{"log_cnt", TypeId::Int64},
                              std::pair{"is_called", TypeId::Bool}}) {
      storage::ColumnDef c;
      c.name = name;
      c.type = type;
      c.not_null = true;
      d.columns.push_back(c);
    }
    return d;
  }();
  return def;
}

std::vector<RelationRow> all_relations(const Context& ctx) {
  std::vector<RelationRow> out = all_relations(ctx.tables());
  for (const auto& s : ctx.sequences())
    out.push_back({table_oid(s->id), s->name, relation_namespace(*s), 'S', &sequence_columns(), nullptr, 0});
  return out;
}

std::vector<RelationRow> all_relations(const std::vector<storage::TableDefPtr>& tables) {
  std::vector<RelationRow> out;
  for (size_t i = 0; i < relations().size(); ++i) {
    const RelationSpec& r = relations()[i];
    uint32_t nsp =
        std::string_view(r.schema) == "pg_catalog" ? kPgCatalogNamespace : kInformationSchemaNamespace;
    out.push_back({r.oid, r.name, nsp, r.kind, defs()[i].get()});
  }
  for (const auto& t : tables) {
    const uint32_t nsp = relation_namespace(*t);
    out.push_back(
        {table_oid(t->id), t->name, nsp, t->is_view() ? 'v' : 'r', t.get(), nullptr, row_type_oid(t->id)});
    if (!t->primary_key.empty())
      out.push_back(
          {pkey_index_oid(t->id), t->primary_key_name(), nsp, 'i', nullptr, t.get(), 0, t->primary_key});
    for (const storage::IndexDef& ix : t->indexes) {  // secondary indexes: OIDs from their relation ids
      std::vector<int> cols;
      for (int32_t a : ix.attnums) cols.push_back(t->column_of_attnum(a));
      out.push_back({table_oid(ix.id), ix.name, nsp, 'i', nullptr, t.get(), 0, std::move(cols), &ix});
    }
  }
  return out;
}

}  // namespace

namespace {
thread_local const SchemaView* current_schema_view = nullptr;
const SchemaView& schema_view() {
  static const SchemaView kDefault;
  return current_schema_view ? *current_schema_view : kDefault;
}
}  // namespace

SchemaScope::SchemaScope(SchemaView view) : view_(std::move(view)), outer_(current_schema_view) {
  current_schema_view = &view_;
}
SchemaScope::~SchemaScope() {
  current_schema_view = outer_;
}

std::string schema_name(uint32_t nsp) {
  switch (nsp) {
    case kPgCatalogNamespace:
      return "pg_catalog";
    case kPublicNamespace:
      return "public";
    case kToastNamespace:
      return "pg_toast";
    case kInformationSchemaNamespace:
      return "information_schema";
    default:
      break;
  }
  if (is_temp_namespace(nsp)) return storage::temp_namespace_name(nsp - kTempNamespaceBase);
  for (const storage::SchemaDefPtr& s : schema_view().schemas)
    if (schema_oid(s->id) == nsp) return s->name;
  return "";
}

std::vector<uint32_t> search_path_namespaces() {
  const SchemaView& v = schema_view();
  std::vector<uint32_t> out;
  auto listed = [&](const char* n) { return std::find(v.path.begin(), v.path.end(), n) != v.path.end(); };
  if (v.temp && !listed("pg_temp")) out.push_back(temp_namespace_oid(v.temp));
  if (!listed("pg_catalog")) out.push_back(kPgCatalogNamespace);
  for (const std::string& name : v.path) {
    if (name == "pg_temp") {
      if (v.temp) out.push_back(temp_namespace_oid(v.temp));
    } else if (std::optional<uint32_t> nsp = namespace_oid(name)) {
      out.push_back(*nsp);
    }
  }
  return out;
}

namespace {

std::vector<Row> description_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const Description& d : descriptions(ctx))
    rows.add()
        .oid("objoid", d.objoid)
        .oid("classoid", d.classoid)
        .num("objsubid", d.objsubid)
        .text("description", d.description);
  return rows.take();
}

std::vector<Row> tablespace_rows(const storage::TableDef& def) {
  Rows rows(def);
  rows.add().oid("oid", 1663).name("spcname", "pg_default").oid("spcowner", kBootstrapRole);
  rows.add().oid("oid", 1664).name("spcname", "pg_global").oid("spcowner", kBootstrapRole);
  return rows.take();
}

}  // namespace

uint32_t my_temp_namespace_oid(const Context& ctx) {
  if (!ctx.temp_namespace()) return 0;
  bool temporary = false;
  for (const auto& t : ctx.tables()) temporary = temporary || t->is_temp();
  for (const auto& q : ctx.sequences()) temporary = temporary || q->temp_namespace != 0;
  return temporary ? temp_namespace_oid(ctx.temp_namespace()) : 0;
}

namespace {

// nspacl: public's as PostgreSQL 15's initdb leaves it, which pg_dump compares with
// {pg_database_owner=UC/pg_database_owner,=U/pg_database_owner} and writes GRANT / REVOKE for a difference;
// the others NULL (pg_dump compares theirs with pg_init_privs, empty here, and NULL means no change).
std::vector<Row> namespace_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  rows.add().oid("oid", kToastNamespace).name("nspname", "pg_toast").oid("nspowner", kBootstrapRole);
  rows.add().oid("oid", kPgCatalogNamespace).name("nspname", "pg_catalog").oid("nspowner", kBootstrapRole);
  rows.add()
      .oid("oid", kPublicNamespace)
      .name("nspname", "public")
      .oid("nspowner", kDatabaseOwnerRole)
      .texts("nspacl", {"pg_database_owner=UC/pg_database_owner", "=U/pg_database_owner"});
  rows.add()
      .oid("oid", kInformationSchemaNamespace)
      .name("nspname", "information_schema")
      .oid("nspowner", kBootstrapRole);
  if (uint32_t temp = my_temp_namespace_oid(ctx))
    rows.add().oid("oid", temp).name("nspname", schema_name(temp)).oid("nspowner", kBootstrapRole);
  for (const storage::SchemaDefPtr& s : ctx.schema_view().schemas)
    rows.add().oid("oid", schema_oid(s->id)).name("nspname", s->name).oid("nspowner", kBootstrapRole);
  return rows.take();
}

// Whether table `t` has foreign keys or is referenced by one: PostgreSQL's foreign keys are triggers on
// both tables, so pg_class.relhastriggers is set for them (psql's \d asks for the foreign-key sections
// only then).
// pg_index.indoption: per key column, 1 DESC and 2 NULLS FIRST.
std::vector<int32_t> indoption(const storage::IndexDef& ix) {
  std::vector<int32_t> out;
  for (size_t i = 0; i < ix.attnums.size(); ++i) out.push_back(ix.option(i));
  return out;
}

bool has_fk_triggers(const storage::TableDef& t, const std::vector<storage::TableDefPtr>& tables) {
  if (!t.foreign_keys.empty()) return true;
  for (const auto& other : tables)
    for (const storage::ForeignKeyDef& fk : other->foreign_keys)
      if (fk.ref_table == t.id) return true;
  return false;
}

// pg_class.reltuples: the live rows the last ANALYZE counted, -1 for a table never analyzed (and 0 for
// a view, an index and a sequence, whose PostgreSQL values OmenDB does not keep: -1 for views and indexes
// never analyzed, 1 for sequences).
double reltuples(const RelationRow& r, const Context& ctx) {
  if (r.kind == 'r' && r.table && is_user_namespace(r.nsp)) {
    auto stats = ctx.table_stats(r.table->id);
    return stats ? stats->reltuples : -1;
  }
  return r.kind == 'S' ? 1 : -1;
}

std::vector<Row> class_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  for (const RelationRow& r : all_relations(ctx)) {
    rows.add()
        .oid("oid", r.oid)
        .name("relname", r.name)
        .oid("relnamespace", r.nsp)
        .oid("reltype", r.type)
        .oid("relowner", kBootstrapRole)
        .oid("relam", r.kind == 'i'   ? kBtreeAm
                      : r.kind == 'r' ? kHeapAm
                                      : 0)
        .oid("relfilenode", r.kind == 'v' ? 0 : r.oid)
        .set("reltuples", Value::float32(static_cast<float>(reltuples(r, ctx))))
        .flag("relhasindex", r.table && r.kind == 'r' && is_user_namespace(r.nsp) &&
                                 (!r.table->primary_key.empty() || !r.table->indexes.empty()))
        .chr("relpersistence", is_temp_namespace(r.nsp) ? 't' : 'p')
        .num("relchecks", static_cast<int32_t>(r.table && r.kind == 'r' ? r.table->checks.size() : 0))
        .chr("relkind", r.kind)
        .num("relnatts", static_cast<int32_t>(r.table ? r.table->slot_count() : r.index_columns.size()))
        .flag("relhastriggers",
              r.table && r.kind == 'r' && is_user_namespace(r.nsp) && has_fk_triggers(*r.table, tables))
        .flag("relispopulated", true)
        .chr("relreplident", r.kind == 'r' && is_user_namespace(r.nsp) ? 'd' : 'n');
    // Storage parameters (seal_after, fillfactor) as "name=value", as PostgreSQL's reloptions; NULL: none.
    if (r.table && (r.kind == 'r' || r.kind == 'v') && !r.table->options.empty())
      rows.texts("reloptions", r.table->options);  // a view's: check_option
  }
  return rows.take();
}

std::vector<Row> attribute_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const RelationRow& r : all_relations(ctx)) {
    auto add = [&](const storage::ColumnDef& c, int num) {
      uint32_t type = column_type_oid(c);
      const BuiltinType* bt = builtin_type(type);
      rows.add()
          .oid("attrelid", r.oid)
          .name("attname", c.name)
          .oid("atttypid", type)
          .num("attstattarget", -1)
          .num("attlen", bt ? bt->len : -1)
          .num("attnum", num)
          .num("attcacheoff", -1)
          .num("atttypmod", column_typmod(c))
          .flag("attbyval", bt && bt->byval)
          .chr("attalign", bt ? bt->align : 'i')
          .chr("attstorage", bt ? bt->storage : 'x')
          .chr("attcompression", '\0')
          .flag("attnotnull", c.not_null)
          .flag("atthasdef", !c.default_expr.empty() && !c.identity && r.kind == 'r')
          .chr("attidentity", c.identity)
          .chr("attgenerated", '\0')
          .flag("attislocal", true)
          .oid("attcollation", bt ? bt->collation : 0);
    };
    if (r.table) {
      for (size_t i = 0; i < r.table->columns.size(); ++i) add(r.table->columns[i], r.table->attnum(i));
      for (const storage::TableDef::DroppedColumn& d : r.table->dropped) {  // as PostgreSQL shows them
        storage::ColumnDef c;
        c.name = "........pg.dropped." + std::to_string(d.attnum) + "........";
        c.type = d.type;
        add(c, d.attnum);
        rows.oid("atttypid", 0).flag("attisdropped", true).num("attstattarget", 0).oid("attcollation", 0);
      }
    } else {
      std::vector<std::string> names;
      for (size_t i = 0; i < r.index_columns.size(); ++i) {
        storage::ColumnDef c;
        if (r.index_columns[i] >= 0) {
          c = r.indexed->columns[static_cast<size_t>(r.index_columns[i])];
        } else if (r.index && i < r.index->attnums.size() && r.index->attnums[i] == 0) {
          // An expression: named as PostgreSQL names it (a function's name, else "expr"; 1, 2 ... appended
          // to a name used before).
          const storage::IndexDef::Expression& x = r.index->exprs[r.index->expr_of(i)];
          const std::string text = storage::index_column_text(x.expr);
          std::string base = text == x.expr ? text.substr(0, text.find('(')) : "expr";
          for (char& ch : base) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          c.name = base;
          c.type = x.type;
        } else {
          continue;
        }
        const std::string base = c.name;
        for (int n = 1; std::find(names.begin(), names.end(), c.name) != names.end(); ++n)
          c.name = base + std::to_string(n);
        names.push_back(c.name);
        c.not_null = false;
        add(c, static_cast<int>(i) + 1);
      }
    }
  }
  return rows.take();
}

}  // namespace

int type_length(TypeId type) {
  const uint32_t oid = type_oid(type);
  for (const BuiltinType& t : kTypes)
    if (t.oid == oid) return t.len;
  return -1;
}

namespace {

std::vector<Row> type_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const BuiltinType& t : kTypes) {
    rows.add()
        .oid("oid", t.oid)
        .name("typname", t.name)
        .oid("typnamespace", kPgCatalogNamespace)
        .oid("typowner", kBootstrapRole)
        .num("typlen", t.len)
        .flag("typbyval", t.byval)
        .chr("typtype", t.type)
        .chr("typcategory", t.category)
        .flag("typispreferred", t.preferred)
        .flag("typisdefined", true)
        .chr("typdelim", ',')
        .oid("typelem", t.elem)
        .oid("typarray", t.array)
        .chr("typalign", t.align)
        .chr("typstorage", t.storage)
        .num("typtypmod", -1)
        .oid("typcollation", t.collation);
    set_type_functions(rows, type_functions(t));
  }
  for (const auto& t : ctx.tables()) {  // each table's row type
    rows.add()
        .oid("oid", row_type_oid(t->id))
        .name("typname", t->name)
        .oid("typnamespace", relation_namespace(*t))
        .oid("typowner", kBootstrapRole)
        .num("typlen", -1)
        .chr("typtype", 'c')
        .chr("typcategory", 'C')
        .flag("typisdefined", true)
        .chr("typdelim", ',')
        .oid("typrelid", table_oid(t->id))
        .chr("typalign", 'd')
        .chr("typstorage", 'x')
        .num("typtypmod", -1);
    set_type_functions(rows, kRowTypeFunctions);
  }
  return rows.take();
}

// The attribute numbers of a table's primary key columns, in key order.
std::vector<int32_t> pkey_attnums(const storage::TableDef& t) {
  std::vector<int32_t> out;
  for (int c : t.primary_key) out.push_back(t.attnum(static_cast<size_t>(c)));
  return out;
}

std::vector<Row> index_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    if (t->primary_key.empty()) continue;
    auto n = static_cast<int32_t>(t->primary_key.size());
    rows.add()
        .oid("indexrelid", pkey_index_oid(t->id))
        .oid("indrelid", table_oid(t->id))
        .num("indnatts", n)
        .num("indnkeyatts", n)
        .flag("indisunique", true)
        .flag("indisprimary", true)
        .nums("indkey", pkey_attnums(*t), TypeId::Int2Vector)
        .nums("indoption", std::vector<int32_t>(t->primary_key.size(), 0), TypeId::Int2Vector)
        .flag("indimmediate", true)
        .flag("indisvalid", true)
        .flag("indisready", true)
        .flag("indislive", true);
  }
  for (const auto& t : ctx.tables()) {
    for (const storage::IndexDef& ix : t->indexes) {
      auto n = static_cast<int32_t>(ix.attnums.size());
      rows.add()
          .oid("indexrelid", table_oid(ix.id))
          .oid("indrelid", table_oid(t->id))
          .num("indnatts", n)
          .num("indnkeyatts", n)
          .flag("indisunique", ix.unique)
          .flag("indnullsnotdistinct", ix.nulls_not_distinct)
          .flag("indisprimary", false)
          .nums("indkey", ix.attnums, TypeId::Int2Vector)
          .nums("indoption", indoption(ix), TypeId::Int2Vector)
          .flag("indimmediate", true)
          .flag("indisvalid", true)
          .flag("indisready", true)
          .flag("indislive", true);
      // The expressions and predicate as SQL text (PostgreSQL: node trees that pg_get_expr prints; here
      // pg_get_expr returns its text argument as it is); NULL without.
      if (!ix.exprs.empty()) {
        std::string exprs;
        for (const storage::IndexDef::Expression& x : ix.exprs) exprs += (exprs.empty() ? "" : ", ") + x.expr;
        rows.text("indexprs", std::move(exprs));
      }
      if (ix.predicate) rows.text("indpred", ix.predicate->expr);
    }
  }
  return rows.take();
}

// One constraint of a user table as pg_constraint lists it: a primary key ('p'), a UNIQUE constraint
// ('u'), a CHECK ('c') or a FOREIGN KEY ('f'). pg_constraint and information_schema's constraint views
// are both built from these (the definitions they point into belong to the caller's `tables`).
struct ConstraintRow {
  uint32_t oid = 0;
  std::string name;
  char type = 0;
  const storage::TableDef* table = nullptr;
  uint32_t index_oid = 0;     // conindid: its index (for a FOREIGN KEY, the referenced key's)
  std::vector<int32_t> keys;  // conkey: its columns' attribute numbers in key order (none for a CHECK)
  const storage::IndexDef* unique = nullptr;      // a UNIQUE constraint's index
  const storage::CheckDef* check = nullptr;       // a CHECK's definition
  const storage::ForeignKeyDef* fk = nullptr;     // a FOREIGN KEY's definition
  const storage::TableDef* referenced = nullptr;  // a FOREIGN KEY's referenced table
};

// Every constraint of `tables`, in pg_constraint's order: the primary keys, then each table's UNIQUE
// constraints, CHECKs and FOREIGN KEYs.
std::vector<ConstraintRow> user_constraints(const std::vector<storage::TableDefPtr>& tables) {
  std::vector<ConstraintRow> out;
  for (const auto& t : tables) {
    if (t->primary_key.empty()) continue;
    ConstraintRow& c = out.emplace_back();
    c.oid = pkey_constraint_oid(t->id);
    c.name = t->primary_key_name();
    c.type = 'p';
    c.table = t.get();
    c.index_oid = pkey_index_oid(t->id);
    c.keys = pkey_attnums(*t);
  }
  for (const auto& t : tables) {
    for (const storage::IndexDef& ix : t->indexes) {  // UNIQUE constraints: OIDs from their index's id
      if (!ix.constraint) continue;
      ConstraintRow& c = out.emplace_back();
      c.oid = pkey_constraint_oid(ix.id);
      c.name = ix.name;
      c.type = 'u';
      c.table = t.get();
      c.index_oid = table_oid(ix.id);
      c.keys = ix.attnums;
      c.unique = &ix;
    }
    for (const storage::CheckDef& check : t->checks) {  // CHECK constraints: OIDs from their ids
      ConstraintRow& c = out.emplace_back();
      c.oid = pkey_constraint_oid(check.id);
      c.name = check.name;
      c.type = 'c';
      c.table = t.get();
      c.check = &check;
    }
    for (const storage::ForeignKeyDef& fk : t->foreign_keys) {
      ConstraintRow& c = out.emplace_back();
      c.oid = pkey_constraint_oid(fk.id);
      c.name = fk.name;
      c.type = 'f';
      c.table = t.get();
      c.keys = fk.attnums;
      c.fk = &fk;
      for (const auto& r : tables) {  // the referenced primary key's or UNIQUE constraint's index
        if (r->id != fk.ref_table) continue;
        c.referenced = r.get();
        std::vector<int32_t> want = fk.ref_attnums, pk;
        std::sort(want.begin(), want.end());
        for (int k : r->primary_key) pk.push_back(r->attnum(static_cast<size_t>(k)));
        std::sort(pk.begin(), pk.end());
        if (!pk.empty() && pk == want) c.index_oid = pkey_index_oid(r->id);
        for (const storage::IndexDef& ix : r->indexes) {
          std::vector<int32_t> cols = ix.attnums;
          std::sort(cols.begin(), cols.end());
          if (!c.index_oid && ix.unique && !ix.computed() && cols == want) c.index_oid = table_oid(ix.id);
        }
      }
    }
  }
  return out;
}

std::vector<Row> constraint_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  for (const ConstraintRow& c : user_constraints(tables)) {
    rows.add()
        .oid("oid", c.oid)
        .name("conname", c.name)
        .oid("connamespace", relation_namespace(*c.table))
        .chr("contype", c.type)
        .flag("convalidated", !c.check || c.check->validated)
        .oid("conrelid", table_oid(c.table->id))
        .oid("conindid", c.index_oid)
        .chr("confupdtype", c.fk ? c.fk->on_update : ' ')
        .chr("confdeltype", c.fk ? c.fk->on_delete : ' ')
        .chr("confmatchtype", c.fk ? 's' : ' ')
        .flag("conislocal", true)
        .flag("connoinherit", c.type != 'c');
    if (c.type != 'c') rows.nums("conkey", c.keys);
    if (c.check) rows.text("conbin", c.check->display);
    if (c.fk) rows.oid("confrelid", table_oid(c.fk->ref_table)).nums("confkey", c.fk->ref_attnums);
  }
  return rows.take();
}

// ---- information_schema's constraint views (PostgreSQL 15's information_schema.sql over pg_constraint)

// The column of `t` with attribute number `attnum` ("" for none).
std::string attnum_name(const storage::TableDef& t, int32_t attnum) {
  const int c = t.column_of_attnum(attnum);
  return c < 0 ? std::string() : t.columns[static_cast<size_t>(c)].name;
}

// A column's NOT NULL, which information_schema lists as a CHECK constraint named
// "<namespace oid>_<table oid>_<attnum>_not_null" (PostgreSQL 15 has no pg_constraint row for it).
std::string not_null_name(const storage::TableDef& t, int32_t attnum) {
  return std::to_string(relation_namespace(t)) + "_" + std::to_string(table_oid(t.id)) + "_" +
         std::to_string(attnum) + "_not_null";
}

// Sets the three constraint_* columns (catalog, schema, name) of a row.
void constraint_names(Rows& rows, const Context& ctx, const storage::TableDef& t, std::string name) {
  rows.name("constraint_catalog", ctx.database())
      .name("constraint_schema", schema_name(relation_namespace(t)))
      .name("constraint_name", std::move(name));
}
void table_names(Rows& rows, const Context& ctx, const storage::TableDef& t) {
  rows.name("table_catalog", ctx.database())
      .name("table_schema", schema_name(relation_namespace(t)))
      .name("table_name", t.name);
}

std::vector<Row> table_constraints_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  for (const ConstraintRow& c : user_constraints(tables)) {
    rows.add();
    constraint_names(rows, ctx, *c.table, c.name);
    table_names(rows, ctx, *c.table);
    rows.text("constraint_type", c.type == 'p'   ? "PRIMARY KEY"
                                 : c.type == 'u' ? "UNIQUE"
                                 : c.type == 'c' ? "CHECK"
                                                 : "FOREIGN KEY")
        .text("is_deferrable", "NO")
        .text("initially_deferred", "NO")
        .text("enforced", "YES");
    if (c.unique) rows.text("nulls_distinct", c.unique->nulls_not_distinct ? "NO" : "YES");
  }
  for (const auto& t : tables) {
    if (t->is_view()) continue;
    for (size_t i = 0; i < t->columns.size(); ++i) {
      if (!t->columns[i].not_null) continue;
      rows.add();
      constraint_names(rows, ctx, *t, not_null_name(*t, t->attnum(i)));
      table_names(rows, ctx, *t);
      rows.text("constraint_type", "CHECK")
          .text("is_deferrable", "NO")
          .text("initially_deferred", "NO")
          .text("enforced", "YES");
    }
  }
  return rows.take();
}

// The position (from 1) of attribute `attnum` among index `index_oid`'s columns (PostgreSQL's
// _pg_index_position); NULL when it is not there.
std::optional<int32_t> index_position(const std::vector<storage::TableDefPtr>& tables, uint32_t index_oid,
                                      int32_t attnum) {
  for (const auto& t : tables) {
    std::vector<int32_t> cols;
    if (!t->primary_key.empty() && pkey_index_oid(t->id) == index_oid) cols = pkey_attnums(*t);
    for (const storage::IndexDef& ix : t->indexes)
      if (table_oid(ix.id) == index_oid) cols = ix.attnums;
    for (size_t i = 0; i < cols.size(); ++i)
      if (cols[i] == attnum) return static_cast<int32_t>(i + 1);
  }
  return std::nullopt;
}

std::vector<Row> key_column_usage_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  for (const ConstraintRow& c : user_constraints(tables)) {
    if (c.type == 'c') continue;
    for (size_t i = 0; i < c.keys.size(); ++i) {
      rows.add();
      constraint_names(rows, ctx, *c.table, c.name);
      table_names(rows, ctx, *c.table);
      rows.name("column_name", attnum_name(*c.table, c.keys[i]))
          .num("ordinal_position", static_cast<int32_t>(i + 1));
      std::optional<int32_t> position;
      if (c.fk && i < c.fk->ref_attnums.size())
        position = index_position(tables, c.index_oid, c.fk->ref_attnums[i]);
      rows.set("position_in_unique_constraint",
               position ? Value::int32(*position) : Value::null(TypeId::Int32));
    }
  }
  return rows.take();
}

std::vector<Row> referential_constraints_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  const std::vector<ConstraintRow> constraints = user_constraints(tables);
  for (const ConstraintRow& c : constraints) {
    if (!c.fk) continue;
    rows.add();
    constraint_names(rows, ctx, *c.table, c.name);
    // The referenced primary key or UNIQUE constraint: the one whose index the foreign key uses (none
    // when that is a unique index without a constraint: NULL, as in PostgreSQL).
    for (const ConstraintRow& k : constraints)
      if ((k.type == 'p' || k.type == 'u') && k.index_oid == c.index_oid && c.index_oid != 0)
        rows.name("unique_constraint_catalog", ctx.database())
            .name("unique_constraint_schema", schema_name(relation_namespace(*k.table)))
            .name("unique_constraint_name", k.name);
    rows.text("match_option", "NONE")
        .text("update_rule", storage::foreign_key_action_name(c.fk->on_update))
        .text("delete_rule", storage::foreign_key_action_name(c.fk->on_delete));
  }
  return rows.take();
}

std::vector<Row> check_constraints_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  for (const ConstraintRow& c : user_constraints(tables)) {
    if (!c.check) continue;
    rows.add();
    constraint_names(rows, ctx, *c.table, c.name);
    rows.text("check_clause", check_constraint_def(*c.check, false).substr(6));  // after "CHECK "
  }
  for (const auto& t : tables) {
    if (t->is_view()) continue;
    for (size_t i = 0; i < t->columns.size(); ++i) {
      if (!t->columns[i].not_null) continue;
      rows.add();
      constraint_names(rows, ctx, *t, not_null_name(*t, t->attnum(i)));
      rows.text("check_clause", t->columns[i].name + " IS NOT NULL");
    }
  }
  return rows.take();
}

// Each column a constraint uses: a key's columns, a CHECK's columns, a FOREIGN KEY's referenced columns
// (of the referenced table), as PostgreSQL 15 lists them (NOT NULLs are not listed).
std::vector<Row> constraint_column_usage_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  for (const ConstraintRow& c : user_constraints(tables)) {
    const storage::TableDef* t = c.fk ? c.referenced : c.table;
    if (!t) continue;
    std::vector<std::string> columns;
    if (c.check) {
      for (int i : ctx.check_columns(*c.table, *c.check))
        columns.push_back(c.table->columns[static_cast<size_t>(i)].name);
    } else {
      for (int32_t a : c.fk ? c.fk->ref_attnums : c.keys) columns.push_back(attnum_name(*t, a));
    }
    std::sort(columns.begin(), columns.end());
    columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
    for (const std::string& column : columns) {
      rows.add();
      table_names(rows, ctx, *t);
      rows.name("column_name", column);
      constraint_names(rows, ctx, *c.table, c.name);
    }
  }
  return rows.take();
}

// pg_stat_all_tables / pg_stat_user_tables: every table (user tables only for the latter); the counters
// OmenDB does not keep stay NULL (Rows leaves Int64 and timestamptz columns NULL).
std::vector<Row> stat_tables_rows(const storage::TableDef& def, const Context& ctx, bool user_only) {
  Rows rows(def);
  for (const RelationRow& r : all_relations(ctx)) {
    if (r.kind != 'r' || (user_only && !is_user_namespace(r.nsp))) continue;
    rows.add().oid("relid", r.oid).name("schemaname", schema_name(r.nsp)).name("relname", r.name);
    if (is_user_namespace(r.nsp) && r.table)
      rows.set("n_live_tup", Value::int64(static_cast<int64_t>(ctx.approximate_rows(r.table->id))));
  }
  return rows.take();
}

// pg_stat_activity: one row per client backend (Context::backends). Wait events: a backend waiting for
// its client shows Client / ClientRead, one waiting for a lock Lock / relation or transactionid, as
// PostgreSQL's; another running one none. leader_pid (no parallel workers), client_hostname (log_hostname is
// off) and query_id (compute_query_id: no query ids) are NULL, as PostgreSQL's by default.
std::vector<Row> stat_activity_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  auto timestamp = [](const std::optional<BackendActivity::Time>& t) {
    if (!t) return Value::null(TypeId::TimestampTz);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count();
    return Value::datetime(TypeId::TimestampTz, dt::kUnixEpochTs + us);
  };
  for (const BackendActivity& b : ctx.backends()) {
    const bool waiting = b.state != "active";
    rows.add()
        .oid("datid", kDatabaseOid)
        .name("datname", b.database)
        .set("pid", Value::int32(b.pid))
        .set("leader_pid", Value::null(TypeId::Int32))
        .oid("usesysid", kBootstrapRole)
        .name("usename", b.user)
        .text("application_name", b.application_name)
        .set("client_addr",
             b.client_address.empty() ? Value::null(TypeId::Text) : Value::text(b.client_address))
        .set("client_port", Value::int32(b.client_port))
        .set("backend_start", timestamp(b.backend_start))
        .set("xact_start", timestamp(b.xact_start))
        .set("query_start", timestamp(b.query_start))
        .set("state_change", timestamp(b.state_change))
        .set("wait_event_type", waiting                ? Value::text("Client")
                                : !b.lock_wait.empty() ? Value::text("Lock")
                                                       : Value::null(TypeId::Text))
        .set("wait_event", waiting                ? Value::text("ClientRead")
                           : !b.lock_wait.empty() ? Value::text(b.lock_wait)
                                                  : Value::null(TypeId::Text))
        .text("state", b.state)
        .text("query", b.query)
        .text("backend_type", "client backend");
  }
  return rows.take();
}

std::vector<Row> database_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  rows.add()
      .oid("oid", kDatabaseOid)
      .name("datname", ctx.database())
      .oid("datdba", kBootstrapRole)
      .num("encoding", 6)
      .chr("datlocprovider", 'c')
      .flag("datallowconn", true)
      .num("datconnlimit", -1)
      .oid("dattablespace", 1663)
      .text("datcollate", "C.UTF-8")
      .text("datctype", "C.UTF-8");
  return rows.take();
}

std::vector<Row> roles_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  auto role = [&](uint32_t oid, std::string name, bool super) {
    rows.add()
        .name("rolname", std::move(name))
        .flag("rolsuper", super)
        .flag("rolinherit", true)
        .flag("rolcreaterole", super)
        .flag("rolcreatedb", super)
        .flag("rolcanlogin", super)
        .flag("rolreplication", super)
        .num("rolconnlimit", -1)
        .text("rolpassword", "********")
        .flag("rolbypassrls", super)
        .oid("oid", oid);
  };
  role(kBootstrapRole, ctx.user(), true);
  role(kDatabaseOwnerRole, "pg_database_owner", false);
  return rows.take();
}

std::vector<Row> user_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  rows.add()
      .name("usename", ctx.user())
      .oid("usesysid", kBootstrapRole)
      .flag("usecreatedb", true)
      .flag("usesuper", true)
      .flag("userepl", true)
      .flag("usebypassrls", true)
      .text("passwd", "********");
  return rows.take();
}

std::vector<Row> settings_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  std::vector<Setting> all = ctx.settings();
  std::sort(all.begin(), all.end(), [](const Setting& a, const Setting& b) { return a.name < b.name; });
  for (const Setting& s : all) {
    rows.add()
        .text("name", s.name)
        .text("setting", s.value)
        .text("category", "Client Connection Defaults")
        .text("short_desc", s.short_desc)
        .text("context", "user")
        .text("vartype", s.vartype)
        .text("source", s.source)
        .text("boot_val", s.value)
        .text("reset_val", s.value)
        .set("sourceline", Value::null(TypeId::Int32));
  }
  return rows.take();
}

std::vector<Row> am_rows(const storage::TableDef& def) {
  Rows rows(def);
  rows.add()
      .oid("oid", kHeapAm)
      .name("amname", "heap")
      .set("amhandler", Value::datetime(TypeId::RegProc, kHeapHandler))
      .chr("amtype", 't');
  rows.add()
      .oid("oid", kBtreeAm)
      .name("amname", "btree")
      .set("amhandler", Value::datetime(TypeId::RegProc, kBtreeHandler))
      .chr("amtype", 'i');
  return rows.take();
}

std::vector<Row> collation_rows(const storage::TableDef& def) {
  Rows rows(def);
  auto coll = [&](uint32_t oid, const char* name, char provider, const char* locale) {
    rows.add()
        .oid("oid", oid)
        .name("collname", name)
        .oid("collnamespace", kPgCatalogNamespace)
        .oid("collowner", kBootstrapRole)
        .chr("collprovider", provider)
        .flag("collisdeterministic", true)
        .num("collencoding", -1);
    if (locale) rows.text("collcollate", locale).text("collctype", locale);
  };
  coll(kDefaultCollation, "default", 'd', nullptr);
  coll(950, "C", 'c', "C");
  coll(951, "POSIX", 'c', "POSIX");
  return rows.take();
}

// information_schema's data_type: the SQL standard's name (format_type without modifiers).
std::string sql_data_type(const storage::ColumnDef& c) {
  if (c.type == TypeId::Text && c.max_length >= 0) return "character varying";
  return std::string(type_name(c.type));
}

std::vector<Row> schemata_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (uint32_t nsp : {kPublicNamespace, kPgCatalogNamespace, kInformationSchemaNamespace, kToastNamespace}) {
    rows.add()
        .name("catalog_name", ctx.database())
        .name("schema_name", schema_name(nsp))
        .name("schema_owner", nsp == kPublicNamespace ? "pg_database_owner" : ctx.user());
  }
  for (const storage::SchemaDefPtr& s : ctx.schema_view().schemas)
    rows.add()
        .name("catalog_name", ctx.database())
        .name("schema_name", s->name)
        .name("schema_owner", ctx.user());
  return rows.take();
}

std::vector<Row> tables_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const auto tables = ctx.tables();  // (alive while the rows point into them)
  for (const RelationRow& r : all_relations(tables)) {
    if (r.kind != 'r' && r.kind != 'v') continue;
    rows.add()
        .name("table_catalog", ctx.database())
        .name("table_schema", schema_name(r.nsp))
        .name("table_name", r.name)
        .text("table_type", r.kind == 'v' ? "VIEW" : "BASE TABLE")
        .text("is_insertable_into", (r.kind == 'r' && is_user_namespace(r.nsp)) ||
                                            (r.kind == 'v' && r.table && r.table->is_view() &&
                                             ctx.view_updatability(*r.table).updatable)
                                        ? "YES"
                                        : "NO")
        .text("is_typed", "NO");
  }
  return rows.take();
}

// pg_views and information_schema.views: the user's views, their definition the stored query text
// (pg_get_viewdef's); is_updatable and is_insertable_into as PostgreSQL's automatically updatable views.
std::vector<Row> pg_views_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    if (!t->is_view()) continue;
    rows.add()
        .name("schemaname", schema_name(relation_namespace(*t)))
        .name("viewname", t->name)
        .name("viewowner", ctx.user())
        .text("definition", " " + t->view->query + ";");
  }
  return rows.take();
}

// pg_tables: the tables (relkind 'r' in pg_class: the user's and the system catalogs' own), as
// PostgreSQL's view over pg_class; pg_indexes: every index of a user table with its pg_get_indexdef.
std::vector<Row> pg_tables_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const auto tables = ctx.tables();
  for (const RelationRow& r : all_relations(tables)) {
    if (r.kind != 'r') continue;
    rows.add()
        .name("schemaname", schema_name(r.nsp))
        .name("tablename", r.name)
        .name("tableowner", ctx.user())
        .flag("hasindexes", r.table && (!r.table->primary_key.empty() || !r.table->indexes.empty()))
        .flag("hastriggers", r.table && is_user_namespace(r.nsp) && has_fk_triggers(*r.table, tables));
  }
  return rows.take();
}

std::vector<Row> pg_indexes_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const auto tables = ctx.tables();
  for (const RelationRow& r : all_relations(tables)) {
    if (r.kind != 'i' || !r.indexed) continue;
    rows.add()
        .name("schemaname", schema_name(r.nsp))
        .name("tablename", r.indexed->name)
        .name("indexname", r.name)
        .text("indexdef", index_definition(tables, r.oid));
  }
  return rows.take();
}

std::vector<Row> information_schema_views_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    if (!t->is_view()) continue;
    const char* updatable = ctx.view_updatability(*t).updatable ? "YES" : "NO";
    rows.add()
        .name("table_catalog", ctx.database())
        .name("table_schema", schema_name(relation_namespace(*t)))
        .name("table_name", t->name)
        .text("view_definition", " " + t->view->query + ";")
        .text("check_option", view_check_option(*t))
        .text("is_updatable", updatable)
        .text("is_insertable_into", updatable)
        .text("is_trigger_updatable", "NO")
        .text("is_trigger_deletable", "NO")
        .text("is_trigger_insertable_into", "NO");
  }
  return rows.take();
}

std::vector<Row> columns_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const auto tables = ctx.tables();  // (alive while the rows point into them)
  for (const RelationRow& r : all_relations(tables)) {
    if (!r.table || r.kind == 'S') continue;  // information_schema.columns leaves sequences out
    std::vector<bool> updatable(r.table->columns.size(), r.kind == 'r' && is_user_namespace(r.nsp));
    if (r.kind == 'v' && r.table->is_view()) updatable = ctx.view_updatability(*r.table).columns;
    for (size_t i = 0; i < r.table->columns.size(); ++i) {
      const storage::ColumnDef& c = r.table->columns[i];
      const uint32_t type = column_type_oid(c);
      const BuiltinType* bt = builtin_type(type);
      rows.add()
          .name("table_catalog", ctx.database())
          .name("table_schema", schema_name(r.nsp))
          .name("table_name", r.name)
          .name("column_name", c.name)
          .num("ordinal_position", r.table->attnum(i))
          .text("is_nullable", c.not_null ? "NO" : "YES")
          .text("data_type", sql_data_type(c))
          .set("character_maximum_length", Value::null(TypeId::Int32))
          .set("character_octet_length", Value::null(TypeId::Int32))
          .set("numeric_precision", Value::null(TypeId::Int32))
          .set("numeric_precision_radix", Value::null(TypeId::Int32))
          .set("numeric_scale", Value::null(TypeId::Int32))
          .set("datetime_precision", Value::null(TypeId::Int32))
          .set("interval_precision", Value::null(TypeId::Int32))
          .set("maximum_cardinality", Value::null(TypeId::Int32))
          .name("udt_catalog", ctx.database())
          .name("udt_schema", "pg_catalog")
          .name("udt_name", bt ? bt->name : "unknown")
          .name("dtd_identifier", std::to_string(r.table->attnum(i)))
          .text("is_self_referencing", "NO")
          .text("is_identity", c.identity ? "YES" : "NO")
          .set("identity_generation", c.identity == 'a'   ? Value::text("ALWAYS")
                                      : c.identity == 'd' ? Value::text("BY DEFAULT")
                                                          : Value::null(TypeId::Text))
          .text("identity_cycle", "NO")
          .text("is_generated", "NEVER")
          .text("is_updatable", i < updatable.size() && updatable[i] ? "YES" : "NO");
      switch (c.type) {
        case TypeId::Int16:
          rows.num("numeric_precision", 16).num("numeric_precision_radix", 2).num("numeric_scale", 0);
          break;
        case TypeId::Int32:
          rows.num("numeric_precision", 32).num("numeric_precision_radix", 2).num("numeric_scale", 0);
          break;
        case TypeId::Int64:
          rows.num("numeric_precision", 64).num("numeric_precision_radix", 2).num("numeric_scale", 0);
          break;
        case TypeId::Float32:
          rows.num("numeric_precision", 24).num("numeric_precision_radix", 2);
          break;
        case TypeId::Float64:
          rows.num("numeric_precision", 53).num("numeric_precision_radix", 2);
          break;
        case TypeId::Numeric:
          rows.num("numeric_precision_radix", 10);
          if (c.max_length >= 0)
            rows.num("numeric_precision", num::typmod_precision(c.max_length))
                .num("numeric_scale", (c.max_length - 4) & 0xffff);  // as information_schema computes it
          break;
        case TypeId::Text:
        case TypeId::BpChar:
          if (c.max_length >= 0)
            rows.num("character_maximum_length", c.max_length)
                .num("character_octet_length", c.max_length * 4);
          else
            rows.num("character_octet_length", 1073741824);
          break;
        case TypeId::Date:
          rows.num("datetime_precision", 0);
          break;
        case TypeId::Time:
        case TypeId::Timestamp:
        case TypeId::TimestampTz:
        case TypeId::Interval:
          rows.num("datetime_precision", 6);
          break;
        default:
          break;
      }
    }
  }
  return rows.take();
}

// pg_stats: one row per analyzed column of each user table that still has it (same name and type).
std::vector<Row> pg_stats_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    if (t->is_view()) continue;
    auto stats = ctx.table_stats(t->id);
    if (!stats) continue;
    for (const storage::ColumnDef& c : t->columns) {
      const storage::ColumnStats* cs = stats->find(c.name, c.type);
      if (!cs) continue;
      rows.add()
          .name("schemaname", schema_name(relation_namespace(*t)))
          .name("tablename", t->name)
          .name("attname", c.name)
          .flag("inherited", false)
          .set("null_frac", Value::float32(cs->null_frac))
          .set("avg_width", Value::int32(cs->avg_width))
          .set("n_distinct", Value::float32(cs->n_distinct))
          .set("correlation",
               cs->correlation ? Value::float32(*cs->correlation) : Value::null(TypeId::Float32));
    }
  }
  return rows.take();
}

std::vector<Row> pg_sequences_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& s : ctx.sequences()) {
    storage::SequenceValue v = ctx.sequence_value(s->id);
    rows.add()
        .name("schemaname", schema_name(relation_namespace(*s)))
        .name("sequencename", s->name)
        .name("sequenceowner", ctx.user())
        .text("data_type", s->width == 2   ? "smallint"
                           : s->width == 4 ? "integer"
                                           : "bigint")
        .set("start_value", Value::int64(s->start))
        .set("min_value", Value::int64(s->min_value))
        .set("max_value", Value::int64(s->max_value))
        .set("increment_by", Value::int64(s->increment))
        .flag("cycle", s->cycle)
        .set("cache_size", Value::int64(s->cache))
        .set("last_value", v.is_called ? Value::int64(v.last_value) : Value::null(TypeId::Int64));
  }
  return rows.take();
}

// omendb_sealed_tables: every user table, sealed or not. The fresh rows (still in the row store) are
// RocksDB's estimate of the table's rows less the sealed ones, as the background sealer counts them.
std::vector<Row> sealed_tables_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    uint64_t blocks = 0, sealed = 0, bytes = 0;
    for (const storage::Store::SealedBlock& b : ctx.sealed_blocks(t->id)) {
      ++blocks;
      sealed += b.rows;
      bytes += b.bytes;
    }
    const uint64_t total = ctx.approximate_rows(t->id);
    const uint64_t fresh = total > sealed ? total - sealed : 0;
    rows.add()
        .name("relname", t->name)
        .set("blocks", Value::int64(static_cast<int64_t>(blocks)))
        .set("sealed_rows", Value::int64(static_cast<int64_t>(sealed)))
        .set("sealed_bytes", Value::int64(static_cast<int64_t>(bytes)))
        .set("bytes_per_row", sealed
                                  ? Value::float64(static_cast<double>(bytes) / static_cast<double>(sealed))
                                  : Value::null(TypeId::Float64))
        .set("fresh_rows_estimate", Value::int64(static_cast<int64_t>(fresh)))
        .set("fresh_share",
             sealed + fresh ? Value::float64(static_cast<double>(fresh) / static_cast<double>(sealed + fresh))
                            : Value::null(TypeId::Float64));
  }
  return rows.take();
}

// omendb_sealed_blocks: one row per sealed block, numbered from 1 in key order.
std::vector<Row> sealed_blocks_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    int32_t n = 0;
    for (const storage::Store::SealedBlock& b : ctx.sealed_blocks(t->id)) {
      rows.add()
          .name("relname", t->name)
          .num("block", ++n)
          .set("rows", Value::int64(static_cast<int64_t>(b.rows)))
          .set("bytes", Value::int64(static_cast<int64_t>(b.bytes)))
          .set("bytes_per_row", Value::float64(static_cast<double>(b.bytes) / static_cast<double>(b.rows)));
    }
  }
  return rows.take();
}

// omendb_sealed_columns: per sealed column, its codecs ("alp" or "alp 12, gorilla 4": blocks per codec,
// most used first), encoded bytes over every block, bytes per value, and for fixed-width types the
// compression ratio against their in-memory width (text-like columns have no fixed width: NULL).
std::vector<Row> sealed_columns_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    const std::vector<storage::Store::SealedBlock> blocks = ctx.sealed_blocks(t->id);
    if (blocks.empty()) continue;
    for (size_t c = 0; c < t->columns.size(); ++c) {
      uint64_t bytes = 0, nulls = 0, values = 0, plain = 0;
      std::vector<std::pair<std::string, int>> codecs;  // in order of first use
      for (const storage::Store::SealedBlock& b : blocks) {
        if (c >= b.columns.size()) continue;
        const storage::Store::SealedColumn& col = b.columns[c];
        bytes += col.bytes;
        nulls += col.null_count;
        values += b.rows;
        plain += col.plain_bytes;
        auto it =
            std::find_if(codecs.begin(), codecs.end(), [&](const auto& p) { return p.first == col.codec; });
        if (it == codecs.end()) {
          codecs.emplace_back(col.codec, 1);
        } else {
          ++it->second;
        }
      }
      std::stable_sort(codecs.begin(), codecs.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      std::string codec_list;
      for (const auto& [name, count] : codecs) {
        if (!codec_list.empty()) codec_list += ", ";
        codec_list += codecs.size() == 1 ? name : name + " " + std::to_string(count);
      }
      rows.add()
          .name("relname", t->name)
          .name("attname", t->columns[c].name)
          .num("attnum", static_cast<int32_t>(c + 1))
          .text("codecs", codec_list)
          .set("encoded_bytes", Value::int64(static_cast<int64_t>(bytes)))
          .set("null_count", Value::int64(static_cast<int64_t>(nulls)))
          .set("bytes_per_value",
               values ? Value::float64(static_cast<double>(bytes) / static_cast<double>(values))
                      : Value::null(TypeId::Float64))
          .set("compression_ratio", plain > 0 && bytes > 0 ? Value::float64(static_cast<double>(plain) /
                                                                            static_cast<double>(bytes))
                                                           : Value::null(TypeId::Float64));
    }
  }
  return rows.take();
}

std::vector<Row> information_schema_sequences_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& s : ctx.sequences()) {
    rows.add()
        .name("sequence_catalog", ctx.database())
        .name("sequence_schema", schema_name(relation_namespace(*s)))
        .name("sequence_name", s->name)
        .text("data_type", s->width == 2   ? "smallint"
                           : s->width == 4 ? "integer"
                                           : "bigint")
        .num("numeric_precision", s->width == 2   ? 16
                                  : s->width == 4 ? 32
                                                  : 64)
        .num("numeric_precision_radix", 2)
        .num("numeric_scale", 0)
        .text("start_value", std::to_string(s->start))
        .text("minimum_value", std::to_string(s->min_value))
        .text("maximum_value", std::to_string(s->max_value))
        .text("increment", std::to_string(s->increment))
        .text("cycle_option", s->cycle ? "YES" : "NO");
  }
  return rows.take();
}

// A DEFAULT's nextval('name') as PostgreSQL's deparser prints its regclass constant: the sequence the name
// finds in the table's schema (where Binder::column_default reads it), written qualified unless the
// session's search_path finds it by that name (pg_dump's empty search_path: 'public.q'::regclass).
std::string qualify_nextval(const std::string& d, const storage::TableDef& t,
                            const std::vector<storage::TableDefPtr>& tables,
                            const std::vector<storage::SequenceDefPtr>& sequences) {
  static const std::string kCall = "nextval('";
  std::string out;
  size_t pos = 0;
  for (size_t at; (at = d.find(kCall, pos)) != std::string::npos;) {
    size_t end = at + kCall.size();
    std::string literal;
    while (end < d.size() && !(d[end] == '\'' && (end + 1 >= d.size() || d[end + 1] != '\''))) {
      if (d[end] == '\'') ++end;  // a doubled quote
      literal += d[end++];
    }
    if (end >= d.size()) break;
    size_t after = end + 1;
    if (d.compare(after, 10, "::regclass") == 0) after += 10;
    std::optional<uint32_t> oid;
    {
      SchemaView v = schema_view();
      v.path = {t.is_temp() || !t.schema ? std::string("public") : schema_name(schema_oid(t.schema))};
      SchemaScope in_table_schema(std::move(v));
      try {
        oid = reg_in(TypeId::RegClass, literal, tables, sequences);
      } catch (const SqlError&) {  // shown as stored
      }
    }
    out += d.substr(pos, at - pos);
    if (!oid) {
      out += d.substr(at, after - at);
    } else {
      out += kCall;
      for (char ch : reg_out(TypeId::RegClass, *oid, tables, sequences)) {
        out += ch;
        if (ch == '\'') out += ch;
      }
      out += "'::regclass";
    }
    pos = after;
  }
  return out + d.substr(pos);
}

// pg_attrdef.adbin: the stored DEFAULT as pg_get_expr shows it. A string literal on a string column gets
// the column type's cast, as PostgreSQL's deparser prints the coerced constant ('x'::text); a sequence
// nextval reads is qualified as the search_path needs (qualify_nextval).
std::string default_display(const storage::TableDef& t, const storage::ColumnDef& c,
                            const std::vector<storage::TableDefPtr>& tables,
                            const std::vector<storage::SequenceDefPtr>& sequences) {
  if (c.default_expr.find("nextval('") != std::string::npos)
    return qualify_nextval(c.default_expr, t, tables, sequences);
  const std::string& d = c.default_expr;
  bool literal = d.size() >= 2 && d.front() == '\'' && d.back() == '\'';
  for (size_t i = 1; literal && i + 1 < d.size(); ++i) {
    if (d[i] != '\'') continue;
    if (i + 2 < d.size() && d[i + 1] == '\'') {
      ++i;
    } else {
      literal = false;
    }
  }
  if (literal && c.type == TypeId::Text) return d + "::" + format_type(column_type_oid(c), -1);
  return d;
}

std::vector<Row> attrdef_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  const std::vector<storage::TableDefPtr> tables = ctx.tables();
  const std::vector<storage::SequenceDefPtr> sequences = ctx.sequences();
  for (const auto& t : tables)
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const storage::ColumnDef& c = t->columns[i];
      if (c.default_expr.empty() || c.identity) continue;  // an identity column's nextval is not a DEFAULT
      rows.add()
          .oid("oid", attrdef_oid(t->id, t->attnum(i)))
          .oid("adrelid", table_oid(t->id))
          .num("adnum", t->attnum(i))
          .text("adbin", default_display(*t, c, tables, sequences));
    }
  return rows.take();
}

std::vector<Row> sequence_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& s : ctx.sequences()) {
    rows.add()
        .oid("seqrelid", table_oid(s->id))
        .oid("seqtypid", s->width == 2   ? 21
                         : s->width == 4 ? 23
                                         : 20)
        .set("seqstart", Value::int64(s->start))
        .set("seqincrement", Value::int64(s->increment))
        .set("seqmax", Value::int64(s->max_value))
        .set("seqmin", Value::int64(s->min_value))
        .set("seqcache", Value::int64(s->cache))
        .flag("seqcycle", s->cycle);
  }
  return rows.take();
}

// pg_rewrite: each view's ON SELECT rule "_RETURN" (its query text is the view's, not a pg_node_tree:
// ev_action is NULL).
std::vector<Row> rewrite_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  for (const auto& t : ctx.tables()) {
    if (!t->is_view()) continue;
    rows.add()
        .oid("oid", view_rule_oid(t->id))
        .name("rulename", "_RETURN")
        .oid("ev_class", table_oid(t->id))
        .chr("ev_type", '1')
        .chr("ev_enabled", 'O')
        .flag("is_instead", true);
  }
  return rows.take();
}

std::vector<Row> depend_rows(const storage::TableDef& def, const Context& ctx) {
  Rows rows(def);
  auto tables = ctx.tables();
  // A view's rule depends on the view (internal) and on each column its query reads (normal; a relation
  // read without a column, refobjsubid 0), as PostgreSQL records them: pg_dump orders a view after its
  // tables by them.
  for (const auto& t : tables) {
    if (!t->is_view()) continue;
    auto rule = [&](uint32_t relation, int32_t attnum, char type) {
      rows.add()
          .oid("classid", 2618)
          .oid("objid", view_rule_oid(t->id))
          .oid("refclassid", 1259)
          .oid("refobjid", table_oid(relation))
          .num("refobjsubid", attnum)
          .chr("deptype", type);
    };
    rule(t->id, 0, 'i');
    for (const storage::ViewDependency& d : t->view->depends) {
      if (is_system_table(d.relation)) continue;
      if (d.attnums.empty()) rule(d.relation, 0, 'n');
      for (int32_t attnum : d.attnums) rule(d.relation, attnum, 'n');
    }
  }
  // A column DEFAULT depends on its column (auto) and on the sequences its nextval() calls (normal):
  // pg_dump creates a sequence before the table whose DEFAULT uses it, or, when the table owns it
  // (SERIAL), sets the DEFAULT with ALTER TABLE after both.
  const std::vector<storage::SequenceDefPtr> sequences = ctx.sequences();
  for (const auto& t : tables)
    for (size_t i = 0; i < t->columns.size(); ++i) {
      const storage::ColumnDef& c = t->columns[i];
      if (c.default_expr.empty() || c.identity) continue;
      auto attrdef = [&](uint32_t relation, int32_t attnum, char type) {
        rows.add()
            .oid("classid", 2604)
            .oid("objid", attrdef_oid(t->id, t->attnum(i)))
            .oid("refclassid", 1259)
            .oid("refobjid", table_oid(relation))
            .num("refobjsubid", attnum)
            .chr("deptype", type);
      };
      attrdef(t->id, t->attnum(i), 'a');
      for (const auto& s : sequences)
        if (default_uses_sequence(c, *s)) attrdef(s->id, 0, 'n');
    }
  for (const auto& s : sequences) {
    if (!s->owner_table) continue;
    char type = 'a';  // OWNED BY (SERIAL); an identity column's sequence is internal ('i')
    for (const auto& t : tables)
      if (t->id == s->owner_table)
        for (size_t i = 0; i < t->columns.size(); ++i)
          if (t->attnum(i) == s->owner_attnum && t->columns[i].identity) type = 'i';
    rows.add()
        .oid("classid", 1259)
        .oid("objid", table_oid(s->id))
        .oid("refclassid", 1259)
        .oid("refobjid", table_oid(s->owner_table))
        .num("refobjsubid", s->owner_attnum)
        .chr("deptype", type);
  }
  return rows.take();
}

std::vector<Row> rows_of(const storage::TableDef& def, const Context& ctx) {
  std::string_view n = def.name;
  const RelationSpec& spec = relations()[def.id & ~kSystemTableBit];
  if (std::string_view(spec.schema) == "information_schema") {
    if (n == "schemata") return schemata_rows(def, ctx);
    if (n == "tables") return tables_rows(def, ctx);
    if (n == "columns") return columns_rows(def, ctx);
    if (n == "views") return information_schema_views_rows(def, ctx);
    if (n == "table_constraints") return table_constraints_rows(def, ctx);
    if (n == "key_column_usage") return key_column_usage_rows(def, ctx);
    if (n == "referential_constraints") return referential_constraints_rows(def, ctx);
    if (n == "check_constraints") return check_constraints_rows(def, ctx);
    if (n == "constraint_column_usage") return constraint_column_usage_rows(def, ctx);
  }
  if (n == "pg_stat_activity") return stat_activity_rows(def, ctx);
  if (n == "pg_stat_all_tables") return stat_tables_rows(def, ctx, false);
  if (n == "pg_stat_user_tables") return stat_tables_rows(def, ctx, true);
  if (n == "pg_views") return pg_views_rows(def, ctx);
  if (n == "pg_tables") return pg_tables_rows(def, ctx);
  if (n == "pg_indexes") return pg_indexes_rows(def, ctx);
  if (n == "pg_sequences") return pg_sequences_rows(def, ctx);
  if (n == "pg_stats") return pg_stats_rows(def, ctx);
  if (n == "omendb_sealed_tables") return sealed_tables_rows(def, ctx);
  if (n == "omendb_sealed_blocks") return sealed_blocks_rows(def, ctx);
  if (n == "omendb_sealed_columns") return sealed_columns_rows(def, ctx);
  if (std::string_view(spec.schema) == "information_schema" && n == "sequences")
    return information_schema_sequences_rows(def, ctx);
  if (n == "pg_namespace") return namespace_rows(def, ctx);
  if (n == "pg_description") return description_rows(def, ctx);
  if (n == "pg_tablespace") return tablespace_rows(def);
  if (n == "pg_class") return class_rows(def, ctx);
  if (n == "pg_attribute") return attribute_rows(def, ctx);
  if (n == "pg_type") return type_rows(def, ctx);
  if (n == "pg_index") return index_rows(def, ctx);
  if (n == "pg_constraint") return constraint_rows(def, ctx);
  if (n == "pg_database") return database_rows(def, ctx);
  if (n == "pg_roles") return roles_rows(def, ctx);
  if (n == "pg_user") return user_rows(def, ctx);
  if (n == "pg_settings") return settings_rows(def, ctx);
  if (n == "pg_am") return am_rows(def);
  if (n == "pg_collation") return collation_rows(def);
  if (n == "pg_attrdef") return attrdef_rows(def, ctx);
  if (n == "pg_sequence") return sequence_rows(def, ctx);
  if (n == "pg_depend") return depend_rows(def, ctx);
  if (n == "pg_rewrite") return rewrite_rows(def, ctx);
  // pg_inherits, pg_policy, pg_statistic_ext, pg_publication*, pg_trigger,
  // pg_proc, pg_extension, pg_foreign_table: OmenDB has no inheritance, policies, extended
  // statistics, publications, triggers, rules, user-defined functions, extensions or foreign tables; the
  // catalogs pg_dump reads (pg_cast, pg_operator, pg_init_privs ...) say why each is empty
  return {};
}

// Hands materialized rows out as ColumnBatches (the values stay owned by the cursor).
class RowsCursor : public storage::ScanCursor {
 public:
  RowsCursor(const storage::TableDef& def, std::vector<Row> rows, std::vector<bool> wanted,
             uint32_t batch_rows)
      : def_(def),
        rows_(std::move(rows)),
        wanted_(std::move(wanted)),
        batch_rows_(std::max<uint32_t>(batch_rows, 1)) {
    const size_t n = def_.columns.size();
    vectors_.assign(n, storage::ColumnVector{nullptr, nullptr});
    data_.resize(n);
    nulls_.resize(n);
    strs_.resize(n);
    batch_.columns = vectors_.data();
    batch_.keys = nullptr;
  }

  const storage::ColumnBatch* next() override {
    if (pos_ >= rows_.size()) return nullptr;
    const size_t count = std::min<size_t>(batch_rows_, rows_.size() - pos_);
    for (size_t c = 0; c < def_.columns.size(); ++c) {
      if (c >= wanted_.size() || !wanted_[c]) {
        vectors_[c] = {nullptr, nullptr};
        continue;
      }
      const TypeId type = def_.columns[c].type;
      nulls_[c].assign(count, 0);
      if (physical_type(type) == PhysType::Text) {
        strs_[c].assign(count, StrRef{"", 0});
        for (size_t i = 0; i < count; ++i) {
          const Value& v = rows_[pos_ + i][c];
          if (v.is_null()) {
            nulls_[c][i] = 1;
          } else {
            strs_[c][i] = StrRef{v.as_text().data(), v.as_text().size()};
          }
        }
        vectors_[c] = {strs_[c].data(), nulls_[c].data()};
        continue;
      }
      data_[c].assign(count * 8, 0);
      for (size_t i = 0; i < count; ++i) {
        const Value& v = rows_[pos_ + i][c];
        if (v.is_null()) {
          nulls_[c][i] = 1;
          continue;
        }
        uint8_t* at = data_[c].data();
        switch (physical_type(type)) {
          case PhysType::Bool:
            at[i] = v.as_bool() ? 1 : 0;
            break;
          case PhysType::Int32: {
            auto x = static_cast<int32_t>(v.as_int());
            std::memcpy(at + i * 4, &x, 4);
            break;
          }
          case PhysType::Int64: {
            int64_t x = v.as_int();
            std::memcpy(at + i * 8, &x, 8);
            break;
          }
          case PhysType::Float64: {
            double x = v.as_double();
            std::memcpy(at + i * 8, &x, 8);
            break;
          }
          default:
            throw std::logic_error("system catalog: a column of a type catalogs do not use");
        }
      }
      vectors_[c] = {data_[c].data(), nulls_[c].data()};
    }
    batch_.count = count;
    pos_ += count;
    return &batch_;
  }

 private:
  const storage::TableDef& def_;
  std::vector<Row> rows_;
  std::vector<bool> wanted_;
  uint32_t batch_rows_;
  size_t pos_ = 0;
  storage::ColumnBatch batch_{};
  std::vector<storage::ColumnVector> vectors_;
  std::vector<std::vector<uint8_t>> data_;
  std::vector<std::vector<uint8_t>> nulls_;
  std::vector<std::vector<StrRef>> strs_;
};

}  // namespace

std::string view_check_option(const storage::TableDef& view) {
  for (const std::string& o : view.options) {
    if (o == "check_option=local") return "LOCAL";
    if (o == "check_option=cascaded") return "CASCADED";
  }
  return "NONE";
}

storage::TableDefPtr find_system_table(std::string_view schema, std::string_view name) {
  if (schema.empty()) schema = "pg_catalog";
  for (size_t i = 0; i < relations().size(); ++i)
    if (relations()[i].schema == schema && relations()[i].name == name) return defs()[i];
  return nullptr;
}

char system_relation_kind(const storage::TableDef& def) {
  for (size_t i = 0; i < relations().size(); ++i)
    if (defs()[i].get() == &def) return relations()[i].kind;
  return 'r';
}

std::optional<uint32_t> namespace_oid(std::string_view name) {
  for (const storage::SchemaDefPtr& s : schema_view().schemas)
    if (s->name == name) return schema_oid(s->id);
  if (name == "pg_catalog") return kPgCatalogNamespace;
  if (name == "public") return kPublicNamespace;
  if (name == "information_schema") return kInformationSchemaNamespace;
  if (name == "pg_toast") return kToastNamespace;
  if (name == "pg_temp") return kTempNamespaceBase;  // the session's (reg_in matches any temporary one)
  if (name.starts_with("pg_temp_")) {
    uint32_t n = 0;
    std::string_view digits = name.substr(8);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && n > 0) return temp_namespace_oid(n);
  }
  return std::nullopt;
}

std::vector<Description> descriptions(const Context& ctx) {
  constexpr uint32_t kPgClass = 1259, kPgConstraint = 2606, kPgNamespace = 2615;
  std::vector<Description> out;
  auto add = [&](uint32_t objoid, uint32_t classoid, int32_t objsubid, const std::string& text) {
    if (!text.empty()) out.push_back({objoid, classoid, objsubid, text});
  };
  std::map<uint32_t, std::string> schemas{{kToastNamespace, "reserved schema for TOAST tables"},
                                          {kPgCatalogNamespace, "system catalog schema"},
                                          {kPublicNamespace, "standard public schema"}};
  for (const auto& [oid, text] : ctx.schema_comments()) schemas[oid] = text;
  for (const auto& [oid, text] : schemas) add(oid, kPgNamespace, 0, text);
  for (const auto& t : ctx.tables()) {
    add(table_oid(t->id), kPgClass, 0, t->comment);
    for (size_t i = 0; i < t->columns.size(); ++i)
      add(table_oid(t->id), kPgClass, t->attnum(i), t->columns[i].comment);
    if (!t->primary_key.empty()) {
      add(pkey_index_oid(t->id), kPgClass, 0, t->pkey_index_comment);
      add(pkey_constraint_oid(t->id), kPgConstraint, 0, t->pkey_comment);
    }
    for (const storage::IndexDef& ix : t->indexes) {
      add(table_oid(ix.id), kPgClass, 0, ix.comment);
      if (ix.constraint) add(pkey_constraint_oid(ix.id), kPgConstraint, 0, ix.constraint_comment);
    }
    for (const storage::CheckDef& c : t->checks) add(pkey_constraint_oid(c.id), kPgConstraint, 0, c.comment);
    for (const storage::ForeignKeyDef& f : t->foreign_keys)
      add(pkey_constraint_oid(f.id), kPgConstraint, 0, f.comment);
  }
  for (const auto& s : ctx.sequences()) add(table_oid(s->id), kPgClass, 0, s->comment);
  return out;
}

uint32_t relation_oid(const storage::TableDef& def) {
  if (!is_system_table(def.id)) return table_oid(def.id);
  if (is_sequence_relation(def.id)) return table_oid(def.id & ~(kSystemTableBit | kSequenceRelationBit));
  return relations()[def.id & ~kSystemTableBit].oid;
}

const char* system_relation_schema(int64_t oid) {
  for (const RelationSpec& r : relations())
    if (r.oid == oid) return r.schema;
  return nullptr;
}

storage::TableDefPtr sequence_relation(const storage::SequenceDef& seq) {
  auto def = std::make_shared<storage::TableDef>(sequence_columns());
  def->id = kSystemTableBit | kSequenceRelationBit | seq.id;
  def->name = seq.name;
  return def;
}

std::unique_ptr<storage::ScanCursor> scan_system_table(const storage::ScanSpec& spec, const Context& ctx) {
  const storage::TableDef& def = *spec.table;
  if (is_sequence_relation(def.id)) {
    storage::SequenceValue v = ctx.sequence_value(def.id & ~(kSystemTableBit | kSequenceRelationBit));
    Rows rows(def);
    // log_cnt: PostgreSQL's values logged ahead; OmenDB reserves blocks instead and shows 0.
    rows.add()
        .set("last_value", Value::int64(v.last_value))
        .set("log_cnt", Value::int64(0))
        .flag("is_called", v.is_called);
    return std::make_unique<RowsCursor>(def, rows.take(), spec.columns, spec.batch_rows);
  }
  if (!is_system_table(def.id) || (def.id & ~kSystemTableBit) >= relations().size())
    throw std::logic_error("scan_system_table: not a system table");
  SchemaScope schemas(ctx);
  return std::make_unique<RowsCursor>(def, rows_of(def, ctx), spec.columns, spec.batch_rows);
}

std::string missing_system_column(const storage::TableDef& def, std::string_view column) {
  if (!is_system_table(def.id) || is_sequence_relation(def.id) ||
      (def.id & ~kSystemTableBit) >= relations().size())
    return {};
  std::string_view list = relations()[def.id & ~kSystemTableBit].missing;
  while (!list.empty()) {  // "name type, name type ..."
    size_t end = list.find(", ");
    std::string_view item = list.substr(0, end);
    size_t space = item.find(' ');
    if (item.substr(0, space) == column) return std::string(item.substr(space + 1));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 2);
  }
  return {};
}

std::vector<std::string> parse_qualified_name(std::string_view text) {
  std::vector<std::string> parts(1);
  bool quoted = false, was_quoted = false;
  size_t i = 0;
  auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; };
  while (i < text.size() && space(text[i])) ++i;
  for (; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        parts.back() += ch;
      }
    } else if (ch == '"') {
      quoted = was_quoted = true;
    } else if (ch == '.') {
      if (parts.back().empty() && !was_quoted) throw SqlError(SqlState::InvalidName, "invalid name syntax");
      parts.emplace_back();
      was_quoted = false;
    } else if (space(ch)) {
      size_t j = i;
      while (j < text.size() && space(text[j])) ++j;
      if (j < text.size() && text[j] != '.') throw SqlError(SqlState::InvalidName, "invalid name syntax");
      i = j - 1;
    } else {
      parts.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  if (quoted || (parts.back().empty() && !was_quoted))
    throw SqlError(SqlState::InvalidName, "invalid name syntax");
  return parts;
}

namespace {

// The relations reg_in / reg_out know: the system ones, the user's tables and indexes, the sequences.
std::vector<RelationRow> named_relations(const std::vector<storage::TableDefPtr>& tables,
                                         const std::vector<storage::SequenceDefPtr>& sequences) {
  std::vector<RelationRow> out = all_relations(tables);
  for (const auto& s : sequences)
    out.push_back({table_oid(s->id), s->name, relation_namespace(*s), 'S', nullptr, nullptr, 0});
  return out;
}

// Whether the search path finds relation `r` by its name (PostgreSQL's RelationIsVisible): the first
// namespace of the path with a relation of that name is r's.
bool relation_visible(const std::vector<RelationRow>& rels, const RelationRow& r) {
  for (uint32_t n : search_path_namespaces())
    for (const RelationRow& o : rels)
      if (o.name == r.name && (is_temp_namespace(n) ? is_temp_namespace(o.nsp) : o.nsp == n))
        return o.oid == r.oid;
  return false;
}

// The schema part of a qualified name: its namespace (3F000 if none has the name); 0A000 for a
// database name.
std::optional<uint32_t> qualifier(const std::vector<std::string>& parts) {
  if (parts.size() > 3)
    throw SqlError(SqlState::SyntaxError, "improper qualified name (too many dotted names)");
  if (parts.size() == 3) throw_unsupported("cross-database references");
  if (parts.size() < 2) return std::nullopt;
  std::optional<uint32_t> nsp = namespace_oid(parts[0]);
  if (!nsp) throw SqlError(SqlState::InvalidSchemaName, "schema \"" + parts[0] + "\" does not exist");
  return nsp;
}

// SQL's spellings of the built-in types, as pg_type names them.
std::string_view type_alias(std::string_view n) {
  static const std::pair<const char*, const char*> kAliases[] = {
      {"integer", "int4"},
      {"int", "int4"},
      {"smallint", "int2"},
      {"bigint", "int8"},
      {"real", "float4"},
      {"float", "float8"},
      {"double precision", "float8"},
      {"boolean", "bool"},
      {"character varying", "varchar"},
      {"character", "bpchar"},
      {"decimal", "numeric"},
      {"dec", "numeric"},
      {"timestamp without time zone", "timestamp"},
      {"timestamp with time zone", "timestamptz"},
      {"time without time zone", "time"},
  };
  for (const auto& [alias, name] : kAliases)
    if (n == alias) return name;
  return n;
}

}  // namespace

uint32_t reg_in(TypeId type, std::string_view text, const std::vector<storage::TableDefPtr>& tables,
                const std::vector<storage::SequenceDefPtr>& sequences) {
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t == "-") return 0;  // InvalidOid
  if (!t.empty() && t.front() >= '0' && t.front() <= '9') return static_cast<uint32_t>(oid_in(t));
  switch (type) {
    case TypeId::RegClass: {
      std::vector<std::string> parts = parse_qualified_name(t);
      std::optional<uint32_t> nsp = qualifier(parts);
      std::vector<RelationRow> rels = named_relations(tables, sequences);
      // Named: that schema (pg_temp: the session's temporary relations, the only temporary ones listed);
      // else the search path (search_path_namespaces: temporary, pg_catalog, the path's schemas).
      std::vector<uint32_t> look = nsp ? std::vector<uint32_t>{*nsp} : search_path_namespaces();
      for (uint32_t n : look) {
        const bool temp = is_temp_namespace(n);
        for (const RelationRow& r : rels)
          if ((temp ? is_temp_namespace(r.nsp) : r.nsp == n) && r.name == parts.back()) return r.oid;
      }
      throw SqlError(SqlState::UndefinedTable, "relation \"" + (parts.size() > 1 ? parts[0] + "." : "") +
                                                   parts.back() + "\" does not exist");
    }
    case TypeId::RegType: {
      // A type name as SQL writes it: lower-cased unless quoted, a modifier in parentheses ignored,
      // [] for the array type.
      std::string n;
      bool quoted = false, array = false;
      for (size_t i = 0; i < t.size(); ++i) {
        char ch = t[i];
        if (ch == '"') {
          quoted = !quoted;
          n += ch;
        } else if (!quoted && ch == '(') {
          size_t close = t.find(')', i);
          if (close == std::string_view::npos)
            throw SqlError(SqlState::SyntaxError, "syntax error at or near \"(\"");
          i = close;
        } else if (!quoted && ch == '[') {
          size_t close = t.find(']', i);
          if (close == std::string_view::npos)
            throw SqlError(SqlState::SyntaxError, "syntax error at or near \"[\"");
          array = true;
          i = close;
        } else if (!quoted && (ch == ' ' || ch == '\t')) {
          if (!n.empty() && n.back() != ' ') n += ' ';
        } else {
          n += quoted ? ch : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
      }
      while (!n.empty() && n.back() == ' ') n.pop_back();
      std::vector<std::string> parts;
      const bool sql_name = n.find('"') == std::string::npos && n.find(' ') != std::string::npos;
      if (sql_name) {
        parts = {std::string(type_alias(n))};
      } else {
        parts = parse_qualified_name(n);
        if (parts.size() == 1) parts.back() = std::string(type_alias(parts.back()));
      }
      std::optional<uint32_t> nsp = qualifier(parts);
      std::string name = (array ? "_" : "") + parts.back();
      if (!nsp || *nsp == kPgCatalogNamespace)
        for (const BuiltinType& b : kTypes)
          if (name == b.name) return b.oid;
      {
        std::vector<uint32_t> look = nsp ? std::vector<uint32_t>{*nsp} : search_path_namespaces();
        for (uint32_t n : look)
          for (const auto& tab : tables)
            if (!array && tab->name == name && relation_namespace(*tab) == n) return row_type_oid(tab->id);
      }
      throw SqlError(SqlState::UndefinedObject, "type \"" + std::string(t) + "\" does not exist");
    }
    case TypeId::RegProc: {
      // The built-in functions the catalogs name (kFunctions, pg_catalog's). OmenDB has no functions of
      // its own, so a name in another schema names nothing; pg_catalog's other functions are not listed
      // (0A000, not a wrong "does not exist").
      std::vector<std::string> parts = parse_qualified_name(t);
      std::optional<uint32_t> nsp = qualifier(parts);
      if (!nsp || *nsp == kPgCatalogNamespace) {
        for (const BuiltinFunction& f : kFunctions)
          if (parts.back() == f.name) return f.oid;
        throw SqlError(SqlState::FeatureNotSupported,
                       "OmenDB does not support regproc input of function \"" + parts.back() +
                           "\" yet (only the functions pg_type and pg_am name)");
      }
      throw SqlError(SqlState::UndefinedFunction,
                     "function \"" + parts[0] + "." + parts.back() + "\" does not exist");
    }
    case TypeId::RegNamespace: {
      std::vector<std::string> parts = parse_qualified_name(t);
      if (parts.size() != 1) throw SqlError(SqlState::InvalidName, "invalid name syntax");
      if (std::optional<uint32_t> nsp = namespace_oid(parts[0])) return *nsp;
      throw SqlError(SqlState::InvalidSchemaName, "schema \"" + parts[0] + "\" does not exist");
    }
    default:
      throw std::logic_error("reg_in: not an object identifier type");
  }
}

std::string reg_out(TypeId type, int64_t oid, const std::vector<storage::TableDefPtr>& tables,
                    const std::vector<storage::SequenceDefPtr>& sequences) {
  if (oid == 0) return "-";
  switch (type) {
    case TypeId::RegClass: {
      const std::vector<RelationRow> rels = named_relations(tables, sequences);
      for (const RelationRow& r : rels)
        if (r.oid == oid)
          return (relation_visible(rels, r) ? "" : quote_ident(schema_name(r.nsp)) + ".") +
                 quote_ident(r.name);
      break;
    }
    case TypeId::RegType:
      if (builtin_type(static_cast<uint32_t>(oid))) return format_type(static_cast<uint32_t>(oid), kNoTypmod);
      for (const auto& t : tables)
        if (row_type_oid(t->id) == oid) return quote_ident(t->name);
      break;
    case TypeId::RegNamespace:
      for (uint32_t nsp :
           {kPgCatalogNamespace, kPublicNamespace, kInformationSchemaNamespace, kToastNamespace})
        if (nsp == oid) return quote_ident(schema_name(nsp));
      if (oid > 0 && oid <= UINT32_MAX && !schema_name(static_cast<uint32_t>(oid)).empty())
        return quote_ident(schema_name(static_cast<uint32_t>(oid)));
      break;
    case TypeId::RegProc:  // the functions the catalogs name
      for (const BuiltinFunction& f : kFunctions)
        if (f.oid == oid) return f.name;
      break;
    default:
      throw std::logic_error("reg_out: not an object identifier type");
  }
  return std::to_string(oid);
}

uint32_t reg_in(TypeId type, std::string_view text, const Context& ctx) {
  SchemaScope schemas(ctx);
  return reg_in(type, text, ctx.tables(), ctx.sequences());
}

std::string reg_out(TypeId type, int64_t oid, const Context& ctx) {
  SchemaScope schemas(ctx);
  if (type == TypeId::RegNamespace) return reg_out(type, oid, {}, {});
  return reg_out(type, oid, ctx.tables(),
                 type == TypeId::RegClass ? ctx.sequences() : std::vector<storage::SequenceDefPtr>{});
}

}  // namespace omendb::catalog
