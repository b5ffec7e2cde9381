// The catalog functions psql and drivers call (format_type, pg_get_userbyid, pg_table_is_visible,
// pg_get_indexdef ...), over the definitions the system catalogs show (system_catalog.h). The binder
// resolves a call against signatures(); generated code evaluates it through one runtime call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/system_catalog.h"
#include "common/datum.h"
#include "common/types.h"

namespace omendb::catalog {

enum class Func : int32_t {
  PgGetUserById,       // pg_get_userbyid(oid) -> name
  PgTableIsVisible,    // pg_table_is_visible(oid) -> bool (NULL for an unknown relation)
  PgMyTempSchema,      // pg_my_temp_schema() -> oid: the session's pg_temp_N, 0 if it has none
  PgTypeIsVisible,     // pg_type_is_visible(oid) -> bool
  FormatType,          // format_type(oid, int4) -> text; not strict in the typmod
  PgEncodingToChar,    // pg_encoding_to_char(int4) -> name
  ObjDescription,      // obj_description(oid [, name]) -> text: the object's comment (pg_description)
  ColDescription,      // col_description(oid, int4) -> text: the column's comment
  ShobjDescription,    // shobj_description(oid, name) -> text: always NULL (no shared comments)
  PgGetIndexdef,       // pg_get_indexdef(oid [, int4, bool]) -> text
  PgGetConstraintdef,  // pg_get_constraintdef(oid [, bool]) -> text
  PgGetExpr,           // pg_get_expr(pg_node_tree, oid [, bool]) -> text: the stored expression text
  PgGetViewdef,        // pg_get_viewdef(oid [, bool | int4]) -> text: the view's stored query text
  HasTablePrivilege,   // has_table_privilege([name,] oid|text, text) -> bool: the one role has them all
  HasSchemaPrivilege,  // has_schema_privilege([name,] oid|text, text) -> bool
  // Sequence functions (docs/schema.md, "Sequences"): the sequence named by text (PostgreSQL's regclass
  // input: lower-cased unless double-quoted, optionally schema-qualified), through Context.
  Nextval,              // nextval(regclass) -> int8; volatile
  Currval,              // currval(regclass) -> int8
  Setval,               // setval(regclass, int8 [, bool]) -> int8; volatile
  Lastval,              // lastval() -> int8
  PgGetSerialSequence,  // pg_get_serial_sequence(table text, column text) -> text
  // psql's \d, \df: over catalogs OmenDB keeps empty (no user functions, extended statistics,
  // triggers or publications), so NULL / false for every OID.
  PgFunctionIsVisible,           // pg_function_is_visible(oid) -> bool
  PgGetFunctionResult,           // pg_get_function_result(oid) -> text
  PgGetFunctionArguments,        // pg_get_function_arguments(oid) -> text
  PgGetStatisticsobjdefColumns,  // pg_get_statisticsobjdef_columns(oid) -> text
  PgGetTriggerdef,               // pg_get_triggerdef(oid [, bool]) -> text: no triggers (pg_trigger is empty)
  PgRelationIsPublishable,       // pg_relation_is_publishable(regclass) -> bool: false (no publications)
  // pg_table_size(regclass) -> int8: the bytes RocksDB holds for the relation (Context::relation_size);
  // NULL for an OID naming no relation.
  PgTableSize,
  PgSizePretty,  // pg_size_pretty(int8) -> text
  // The session's settings, through Context (the same path as SET / SHOW).
  SetConfig,       // set_config(text, text, bool) -> text; volatile, not strict
  CurrentSetting,  // current_setting(text [, bool missing_ok]) -> text
  PgIsInRecovery,  // pg_is_in_recovery() -> bool: false (no standbys)
  // acldefault("char" object type, oid owner) -> aclitem[] (text[] here): the privileges an object of
  // that type has by default, PostgreSQL's acldefault() (docs/catalogs.md)
  AclDefault,
  // Signalling another backend (or the session itself), through Context::signal_backend; volatile.
  PgCancelBackend,     // pg_cancel_backend(int4) -> bool: its running statement ends with 57014
  PgTerminateBackend,  // pg_terminate_backend(int4 [, int8 timeout ms]) -> bool: FATAL 57P01 there
};

// Whether calls of `func` have side effects (never evaluated once for many rows, nor folded).
inline bool is_volatile(Func func) {
  return func == Func::Nextval || func == Func::Setval || func == Func::SetConfig ||
         func == Func::PgCancelBackend || func == Func::PgTerminateBackend;
}

struct Signature {
  const char* name;
  Func func;
  std::vector<TypeId> args;
  TypeId result;
  bool strict = true;  // NULL when any argument is NULL (else the function sees NULL arguments)
};

// Every signature; several per name for overloads.
const std::vector<Signature>& signatures();

// Whether `func` is strict (NULL for any NULL argument without being called): its signatures' `strict`.
bool is_strict(Func func);

// Evaluates `func` over `args` (Datums of its signature's types, NULL-flagged) into *out (text results
// in `text`, which *out then points to). Throws SqlError.
void call(Func func, const Datum* args, size_t nargs, const Context& ctx, std::string& text, Datum* out);

// PostgreSQL's format_type(type_oid, typmod) for the types OmenDB knows ("???" for others). kNoTypmod: none
// given (format_type(oid, NULL), regtype's output), which differs from -1 for bpchar only.
inline constexpr int32_t kNoTypmod = INT32_MIN;
std::string format_type(uint32_t type_oid, int32_t typmod);
// pg_get_indexdef(index_oid): the CREATE INDEX statement of an index of one of `tables` ("" if none is).
std::string index_definition(const std::vector<storage::TableDefPtr>& tables, int64_t index_oid);
// quote_ident: the name as is when it needs no quotes, else in double quotes (common/text_sql.h's).
std::string quote_ident(std::string_view name);

}  // namespace omendb::catalog
