#include "catalog/functions.h"

#include <cctype>
#include <iterator>
#include <optional>
#include <string_view>

#include "common/array.h"
#include "common/datetime.h"
#include "common/error.h"
#include "common/numeric.h"
#include "common/text_sql.h"

namespace omendb::catalog {

const std::vector<Signature>& signatures() {
  using T = TypeId;
  static const std::vector<Signature> all = {
      {"pg_get_userbyid", Func::PgGetUserById, {T::Oid}, T::Name},
      {"pg_table_is_visible", Func::PgTableIsVisible, {T::Oid}, T::Bool},
      {"pg_my_temp_schema", Func::PgMyTempSchema, {}, T::Oid},
      {"pg_type_is_visible", Func::PgTypeIsVisible, {T::Oid}, T::Bool},
      {"format_type", Func::FormatType, {T::Oid, T::Int32}, T::Text, false},
      {"pg_encoding_to_char", Func::PgEncodingToChar, {T::Int32}, T::Name},
      {"obj_description", Func::ObjDescription, {T::Oid}, T::Text},
      {"obj_description", Func::ObjDescription, {T::Oid, T::Name}, T::Text},
      {"col_description", Func::ColDescription, {T::Oid, T::Int32}, T::Text},
      {"shobj_description", Func::ShobjDescription, {T::Oid, T::Name}, T::Text},
      {"pg_get_indexdef", Func::PgGetIndexdef, {T::Oid}, T::Text},
      {"pg_get_indexdef", Func::PgGetIndexdef, {T::Oid, T::Int32, T::Bool}, T::Text},
      {"pg_get_constraintdef", Func::PgGetConstraintdef, {T::Oid}, T::Text},
      {"pg_get_constraintdef", Func::PgGetConstraintdef, {T::Oid, T::Bool}, T::Text},
      {"pg_get_viewdef", Func::PgGetViewdef, {T::Oid}, T::Text},
      {"pg_get_viewdef", Func::PgGetViewdef, {T::Oid, T::Bool}, T::Text},
      {"pg_get_viewdef", Func::PgGetViewdef, {T::Oid, T::Int32}, T::Text},
      {"pg_get_expr", Func::PgGetExpr, {T::Text, T::Oid}, T::Text},
      {"pg_get_expr", Func::PgGetExpr, {T::Text, T::Oid, T::Bool}, T::Text},
      // text forms first: unknown literals resolve to text, as PostgreSQL prefers the string category
      {"has_table_privilege", Func::HasTablePrivilege, {T::Text, T::Text}, T::Bool},
      {"has_table_privilege", Func::HasTablePrivilege, {T::Name, T::Text, T::Text}, T::Bool},
      {"has_table_privilege", Func::HasTablePrivilege, {T::Oid, T::Text}, T::Bool},
      {"has_table_privilege", Func::HasTablePrivilege, {T::Name, T::Oid, T::Text}, T::Bool},
      {"has_schema_privilege", Func::HasSchemaPrivilege, {T::Text, T::Text}, T::Bool},
      {"has_schema_privilege", Func::HasSchemaPrivilege, {T::Name, T::Text, T::Text}, T::Bool},
      {"has_schema_privilege", Func::HasSchemaPrivilege, {T::Oid, T::Text}, T::Bool},
      {"nextval", Func::Nextval, {T::RegClass}, T::Int64},
      {"currval", Func::Currval, {T::RegClass}, T::Int64},
      {"setval", Func::Setval, {T::RegClass, T::Int64}, T::Int64},
      {"setval", Func::Setval, {T::RegClass, T::Int64, T::Bool}, T::Int64},
      {"lastval", Func::Lastval, {}, T::Int64},
      {"pg_get_serial_sequence", Func::PgGetSerialSequence, {T::Text, T::Text}, T::Text},
      {"pg_function_is_visible", Func::PgFunctionIsVisible, {T::Oid}, T::Bool},
      {"pg_get_function_result", Func::PgGetFunctionResult, {T::Oid}, T::Text},
      {"pg_get_function_arguments", Func::PgGetFunctionArguments, {T::Oid}, T::Text},
      {"pg_get_statisticsobjdef_columns", Func::PgGetStatisticsobjdefColumns, {T::Oid}, T::Text},
      {"pg_get_triggerdef", Func::PgGetTriggerdef, {T::Oid}, T::Text},
      {"pg_get_triggerdef", Func::PgGetTriggerdef, {T::Oid, T::Bool}, T::Text},
      {"pg_relation_is_publishable", Func::PgRelationIsPublishable, {T::RegClass}, T::Bool},
      {"pg_table_size", Func::PgTableSize, {T::RegClass}, T::Int64},
      {"pg_size_pretty", Func::PgSizePretty, {T::Int64}, T::Text},
      {"set_config", Func::SetConfig, {T::Text, T::Text, T::Bool}, T::Text, false},
      {"current_setting", Func::CurrentSetting, {T::Text}, T::Text},
      {"current_setting", Func::CurrentSetting, {T::Text, T::Bool}, T::Text},
      {"pg_is_in_recovery", Func::PgIsInRecovery, {}, T::Bool},
      {"acldefault", Func::AclDefault, {T::Char, T::Oid}, T::TextArray},
      {"pg_cancel_backend", Func::PgCancelBackend, {T::Int32}, T::Bool},
      {"pg_terminate_backend", Func::PgTerminateBackend, {T::Int32}, T::Bool},
      {"pg_terminate_backend", Func::PgTerminateBackend, {T::Int32, T::Int64}, T::Bool},
  };
  return all;
}

bool is_strict(Func func) {
  for (const Signature& s : signatures())
    if (s.func == func) return s.strict;
  return true;
}

namespace {

const storage::TableDef* table_by_oid(const std::vector<storage::TableDefPtr>& tables, int64_t oid) {
  for (const auto& t : tables)
    if (table_oid(t->id) == oid) return t.get();
  return nullptr;
}

// An index pg_class lists: a primary key's or a secondary one.
struct IndexInfo {
  const storage::TableDef* table = nullptr;
  std::string name;
  std::vector<int> columns;  // indexes into table->columns
  bool unique = false;
  bool nulls_not_distinct = false;
  const storage::IndexDef* index = nullptr;  // a secondary index's definition (null: a primary key)
};

IndexInfo index_by_oid(const std::vector<storage::TableDefPtr>& tables, int64_t oid) {
  for (const auto& t : tables) {
    if (!t->primary_key.empty() && pkey_index_oid(t->id) == oid)
      return {t.get(), t->primary_key_name(), t->primary_key, true};
    for (const storage::IndexDef& ix : t->indexes) {
      if (table_oid(ix.id) != oid) continue;
      IndexInfo info{t.get(), ix.name, {}, ix.unique, ix.nulls_not_distinct, &ix};
      for (int32_t a : ix.attnums) info.columns.push_back(t->column_of_attnum(a));
      return info;
    }
  }
  return {};
}

// Key column i of an index as pg_get_indexdef prints it: a column's name, or its expression.
std::string index_column_name(const IndexInfo& ix, size_t i, bool pretty) {
  const storage::TableDef* t = ix.table;
  if (ix.columns[i] >= 0) return quote_ident(t->columns[static_cast<size_t>(ix.columns[i])].name);
  if (!ix.index || ix.index->attnums[i] != 0) return std::string("?");
  const storage::IndexDef::Expression& x = ix.index->exprs[ix.index->expr_of(i)];
  return storage::index_column_text(pretty ? x.pretty : x.expr);
}

// pg_get_indexdef(oid [, 0, pretty]): the index's CREATE INDEX statement.
std::string index_definition(const IndexInfo& ix, bool pretty) {
  std::string cols;
  for (size_t i = 0; i < ix.columns.size(); ++i) {
    cols += (i ? ", " : "") + index_column_name(ix, i, pretty);
    const uint8_t option = ix.index ? ix.index->option(i) : 0;  // as PostgreSQL prints indoption
    if (option & 1)
      cols += (option & 2) ? " DESC" : " DESC NULLS LAST";
    else if (option & 2)
      cols += " NULLS FIRST";
  }
  std::string where;
  if (ix.index && ix.index->predicate)
    where = " WHERE " + (pretty ? ix.index->predicate->pretty : ix.index->predicate->expr);
  return std::string(ix.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + quote_ident(ix.name) + " ON " +
         (pretty ? "" : quote_ident(schema_name(relation_namespace(*ix.table))) + ".") +
         quote_ident(ix.table->name) + " USING btree (" + cols + ")" +
         (ix.nulls_not_distinct ? " NULLS NOT DISTINCT" : "") + where;
}

const storage::TableDef* table_by_index_oid(const std::vector<storage::TableDefPtr>& tables, int64_t oid) {
  return index_by_oid(tables, oid).table;
}

// The table of a constraint's OID: its primary key's, or the UNIQUE constraint whose index is `*unique`.
const storage::TableDef* table_by_constraint_oid(const std::vector<storage::TableDefPtr>& tables, int64_t oid,
                                                 const storage::IndexDef** unique) {
  *unique = nullptr;
  for (const auto& t : tables) {
    if (!t->primary_key.empty() && pkey_constraint_oid(t->id) == oid) return t.get();
    for (const storage::IndexDef& ix : t->indexes) {
      if (ix.constraint && pkey_constraint_oid(ix.id) == oid) {
        *unique = &ix;
        return t.get();
      }
    }
  }
  return nullptr;
}

// Column names of attribute numbers, quoted as needed and joined by ", ".
std::string attnum_names(const storage::TableDef& t, const std::vector<int32_t>& attnums) {
  std::string out;
  for (int32_t a : attnums) {
    const int c = t.column_of_attnum(a);
    out += (out.empty() ? "" : ", ") +
           (c < 0 ? std::string("?") : quote_ident(t.columns[static_cast<size_t>(c)].name));
  }
  return out;
}

// pg_get_constraintdef of a FOREIGN KEY: FOREIGN KEY (x) REFERENCES p(a) [ON UPDATE ...] [ON DELETE ...].
std::string foreign_key_def(const storage::TableDef& t, const storage::ForeignKeyDef& fk,
                            const std::vector<storage::TableDefPtr>& tables) {
  const storage::TableDef* ref = nullptr;
  for (const auto& r : tables)
    if (r->id == fk.ref_table) ref = r.get();
  std::string s = "FOREIGN KEY (" + attnum_names(t, fk.attnums) + ") REFERENCES " +
                  (ref ? reg_out(TypeId::RegClass, table_oid(ref->id), tables, {}) + "(" +
                             attnum_names(*ref, fk.ref_attnums) + ")"
                       : std::string("?"));
  if (fk.on_update != 'a') s += std::string(" ON UPDATE ") + storage::foreign_key_action_name(fk.on_update);
  if (fk.on_delete != 'a') s += std::string(" ON DELETE ") + storage::foreign_key_action_name(fk.on_delete);
  if (!fk.delete_set_attnums.empty()) s += " (" + attnum_names(t, fk.delete_set_attnums) + ")";
  return s;
}

std::string key_columns(const storage::TableDef& t) {
  std::string out;
  for (size_t i = 0; i < t.primary_key.size(); ++i) {
    if (i) out += ", ";
    out += quote_ident(t.columns[static_cast<size_t>(t.primary_key[i])].name);
  }
  return out;
}

std::string& set_text(std::string& text, std::string value, Datum* out) {
  text = std::move(value);
  out->str = StrRef{text.data(), text.size()};
  out->is_null = 0;
  return text;
}

}  // namespace

std::string quote_ident(std::string_view name) {
  return textsql::quote_ident(name);
}

std::string index_definition(const std::vector<storage::TableDefPtr>& tables, int64_t index_oid) {
  const IndexInfo ix = index_by_oid(tables, index_oid);
  return ix.table ? index_definition(ix, false) : std::string();
}

std::string format_type(uint32_t type_oid, int32_t typmod) {
  switch (type_oid) {
    case 16:
      return "boolean";
    case 18:
      return "\"char\"";
    case 19:
      return "name";
    case 20:
      return "bigint";
    case 21:
      return "smallint";
    case 23:
      return "integer";
    case 25:
      return "text";
    case 26:
      return "oid";
    case 700:
      return "real";
    case 701:
      return "double precision";
    case 705:
      return "unknown";
    case 1042:
      // format_type(1042, -1) is bpchar; without a typmod (NULL, regtype's output) character
      return typmod >= 4    ? "character(" + std::to_string(typmod - 4) + ")"
             : typmod == -1 ? "bpchar"
                            : "character";
    case 1043:
      return typmod >= 4 ? "character varying(" + std::to_string(typmod - 4) + ")" : "character varying";
    case 1082:
      return "date";
    case 1083:
      return "time without time zone";
    case 1114:
      return "timestamp without time zone";
    case 1184:
      return "timestamp with time zone";
    case 1186:
      return "interval" + dt::interval_typmod_text(typmod);
    case 17:
      return "bytea";
    case 2950:
      return "uuid";
    case 114:
      return "json";
    case 3802:
      return "jsonb";
    case 1700:
      return num::type_name_with_typmod(typmod >= 4 ? typmod : -1);
    case 2205:
      return "regclass";
    case 2206:
      return "regtype";
    case 4089:
      return "regnamespace";
    case 22:
      return "int2vector";
    case 24:
      return "regproc";
    case 28:
      return "xid";
    case 30:
      return "oidvector";
    default: {  // arrays: the element's name and []
      static const std::pair<uint32_t, uint32_t> kArrays[] = {
          {1000, 16},   {1002, 18},   {1003, 19},   {1005, 21},   {1007, 23}, {1009, 25},   {1014, 1042},
          {1015, 1043}, {1016, 20},   {1021, 700},  {1022, 701},  {1028, 26}, {1115, 1114}, {1182, 1082},
          {1183, 1083}, {1185, 1184}, {1187, 1186}, {1231, 1700}, {1001, 17}, {2951, 2950}, {199, 114},
          {3807, 3802}, {1006, 22},   {1008, 24},   {1011, 28},   {1013, 30}};
      for (const auto& [array, elem] : kArrays)
        if (array == type_oid) return format_type(elem, typmod) + "[]";
      return "???";
    }
  }
}

int64_t Context::nextval(std::string_view) const {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support nextval() here");
}
int64_t Context::currval(std::string_view) const {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support currval() here");
}
int64_t Context::setval(std::string_view, int64_t, bool) const {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support setval() here");
}
uint64_t Context::relation_size(uint32_t) const {
  return 0;
}
std::vector<storage::Store::SealedBlock> Context::sealed_blocks(uint32_t) const {
  return {};
}
uint64_t Context::approximate_rows(uint32_t) const {
  return 0;
}
std::shared_ptr<const storage::TableStats> Context::table_stats(uint32_t) const {
  return nullptr;
}
storage::SequenceValue Context::sequence_value(uint32_t) const {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support reading a sequence here");
}
std::string Context::view_query(const storage::TableDef& view) const {
  return view.view->query;
}
ViewUpdatability Context::view_updatability(const storage::TableDef& view) const {
  ViewUpdatability out;
  out.columns.assign(view.columns.size(), false);
  return out;
}
std::string Context::set_config(std::string_view, std::optional<std::string_view>, bool) const {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support set_config() here");
}
std::optional<std::string> Context::current_setting(std::string_view, bool) const {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support current_setting() here");
}
std::vector<int> Context::check_columns(const storage::TableDef&, const storage::CheckDef&) const {
  throw SqlError(SqlState::FeatureNotSupported,
                 "OmenDB does not support reading CHECK constraints' columns here");
}
bool Context::signal_backend(int32_t, bool terminate, int64_t) const {
  throw SqlError(SqlState::FeatureNotSupported,
                 std::string("OmenDB does not support ") +
                     (terminate ? "pg_terminate_backend()" : "pg_cancel_backend()") + " here");
}
int64_t Context::lastval() const {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support lastval() here");
}

void call(Func func, const Datum* args, size_t nargs, const Context& ctx, std::string& text, Datum* out) {
  out->is_null = 1;
  out->str = StrRef{nullptr, 0};
  // The sequence functions take a regclass: the relation's name, which the Context looks up; qualified,
  // so that it names the same sequence whatever the search path.
  auto relation = [&]() {
    std::vector<storage::SequenceDefPtr> sequences = ctx.sequences();
    for (const auto& s : sequences) {
      if (table_oid(s->id) != args[0].i64) continue;
      if (s->temp_namespace) return "pg_temp." + quote_ident(s->name);
      if (s->schema == 0) return "public." + quote_ident(s->name);
      SchemaScope schemas(ctx);
      return quote_ident(schema_name(relation_namespace(*s))) + "." + quote_ident(s->name);
    }
    return reg_out(TypeId::RegClass, args[0].i64, ctx);
  };
  // The catalog functions that print or resolve names see the session's schemas and search path.
  std::optional<SchemaScope> schemas;
  if (func == Func::PgGetIndexdef || func == Func::PgGetConstraintdef || func == Func::PgTableIsVisible ||
      func == Func::PgGetSerialSequence)
    schemas.emplace(ctx);
  switch (func) {
    case Func::Nextval:
      out->i64 = ctx.nextval(relation());
      out->is_null = 0;
      return;
    case Func::Currval:
      out->i64 = ctx.currval(relation());
      out->is_null = 0;
      return;
    case Func::Setval:
      out->i64 = ctx.setval(relation(), args[1].i64, nargs < 3 || args[2].i64 != 0);
      out->is_null = 0;
      return;
    case Func::Lastval:
      out->i64 = ctx.lastval();
      out->is_null = 0;
      return;
    case Func::SetConfig: {
      // Not strict: a null name is an error, a null value RESETs, a null is_local is false.
      if (args[0].is_null) throw SqlError(SqlState::NullValueNotAllowed, "SET requires parameter name");
      std::optional<std::string_view> value;
      if (!args[1].is_null) value = args[1].str.view();
      set_text(text, ctx.set_config(args[0].str.view(), value, !args[2].is_null && args[2].i64 != 0), out);
      return;
    }
    case Func::PgIsInRecovery:
      out->i64 = 0;
      out->is_null = 0;
      return;
    case Func::PgCancelBackend:
    case Func::PgTerminateBackend: {
      // PostgreSQL 15's signalfuncs.c: a negative timeout is an error; 0 (the default) does not wait.
      const int64_t timeout = nargs > 1 ? args[1].i64 : 0;
      if (timeout < 0) throw SqlError(SqlState::NumericValueOutOfRange, "\"timeout\" must not be negative");
      out->i64 =
          ctx.signal_backend(static_cast<int32_t>(args[0].i64), func == Func::PgTerminateBackend, timeout);
      out->is_null = 0;
      return;
    }
    case Func::AclDefault: {
      // PostgreSQL 15's acldefault(): the owner holds every privilege of the object type; PUBLIC
      // executes functions and uses types and languages (ACL_ALL_RIGHTS_* in utils/acl.h).
      const std::string_view type = args[0].str.view();
      const char t = type.empty() ? '\0' : type[0];
      const char* rights = t == 'r'   ? "arwdDxt"
                           : t == 's' ? "rwU"
                           : t == 'd' ? "CTc"
                           : t == 'f' ? "X"
                           : t == 'l' ? "U"
                           : t == 'L' ? "rw"
                           : t == 'n' ? "UC"
                           : t == 't' ? "C"
                           : t == 'F' ? "U"
                           : t == 'S' ? "U"
                           : t == 'T' ? "U"
                           : t == 'p' ? "sA"
                                      : nullptr;
      if (!rights)
        throw SqlError(SqlState::InternalError,
                       "unrecognized object type abbreviation: " + std::string(type));
      std::string owner = quote_ident(args[1].i64 == kDatabaseOwnerRole ? "pg_database_owner" : ctx.user());
      std::vector<std::string> items;
      if (t == 'f' || t == 'l' || t == 'T') items.push_back(std::string("=") + rights + "/" + owner);
      if (t == 'd') items.push_back("=Tc/" + owner);
      items.push_back(owner + "=" + rights + "/" + owner);
      arr::Builder b(TypeId::Text);
      for (const std::string& item : items) {
        Datum d{};
        d.str = StrRef{item.data(), item.size()};
        b.add(d);
      }
      set_text(text, b.finish(), out);
      return;
    }
    case Func::CurrentSetting: {
      std::optional<std::string> value =
          ctx.current_setting(args[0].str.view(), nargs > 1 && args[1].i64 != 0);
      if (value) set_text(text, std::move(*value), out);
      return;
    }
    case Func::PgGetSerialSequence: {
      // The sequence owned by the column (SERIAL or identity), schema-qualified as PostgreSQL prints it.
      std::string table(args[0].str.view()), column(args[1].str.view());
      const uint32_t oid = reg_in(TypeId::RegClass, table, ctx);
      storage::TableDefPtr def;
      for (const auto& t : ctx.tables())
        if (table_oid(t->id) == oid) def = t;
      if (!def) throw SqlError(SqlState::UndefinedTable, "relation \"" + table + "\" does not exist");
      int c = def->find_column(column);
      if (c < 0)
        throw SqlError(SqlState::UndefinedColumn,
                       "column \"" + column + "\" of relation \"" + table + "\" does not exist");
      for (const auto& s : ctx.sequences())
        if (s->owner_table == def->id && s->owner_attnum == def->attnum(static_cast<size_t>(c))) {
          set_text(text, quote_ident(schema_name(relation_namespace(*s))) + "." + quote_ident(s->name), out);
          return;
        }
      return;
    }
    case Func::PgGetUserById: {
      int64_t oid = args[0].i64;
      set_text(text,
               oid == kBootstrapRole       ? ctx.user()
               : oid == kDatabaseOwnerRole ? std::string("pg_database_owner")
                                           : "unknown (OID=" + std::to_string(oid) + ")",
               out);
      return;
    }
    case Func::PgMyTempSchema:
      out->i64 = my_temp_namespace_oid(ctx);
      out->is_null = 0;
      return;
    case Func::PgTableIsVisible: {
      int64_t oid = args[0].i64;
      auto tables = ctx.tables();
      bool sequence = false;
      for (const auto& q : ctx.sequences()) sequence = sequence || table_oid(q->id) == oid;
      if (table_by_oid(tables, oid) || table_by_index_oid(tables, oid) || sequence) {
        // Visible when the search path finds it by its name (a temporary table hides a permanent one).
        out->i64 = reg_out(TypeId::RegClass, oid, tables, ctx.sequences()).find('.') == std::string::npos;
        out->is_null = 0;
        return;
      }
      // System relations: pg_catalog's are visible, information_schema's are not on the search_path.
      if (const char* schema = system_relation_schema(oid)) {
        out->i64 = std::string_view(schema) == "pg_catalog" ? 1 : 0;
        out->is_null = 0;
        return;
      }
      return;  // unknown relation: NULL, as PostgreSQL answers for a missing OID
    }
    case Func::PgTypeIsVisible:
      out->i64 = 1;
      out->is_null = 0;
      return;
    case Func::FormatType: {
      if (args[0].is_null) return;
      int32_t typmod = nargs > 1 && !args[1].is_null ? static_cast<int32_t>(args[1].i64) : kNoTypmod;
      uint32_t type = static_cast<uint32_t>(args[0].i64);
      for (const auto& t : ctx.tables()) {
        if (row_type_oid(t->id) == type) {
          set_text(text, quote_ident(t->name), out);
          return;
        }
      }
      set_text(text, format_type(type, typmod), out);
      return;
    }
    case Func::PgEncodingToChar: {
      int64_t enc = args[0].i64;
      set_text(text, enc == 6 ? "UTF8" : enc == 0 ? "SQL_ASCII" : "", out);
      return;
    }
    case Func::ObjDescription:
    case Func::ColDescription: {
      // PostgreSQL's SQL definitions over pg_description: obj_description(oid, catalog) the comment of
      // the object in that catalog, obj_description(oid) of any catalog's (deprecated), col_description
      // the column's (objsubid = attnum).
      for (size_t i = 0; i < nargs; ++i)
        if (args[i].is_null) return;
      const bool column = func == Func::ColDescription;
      std::optional<uint32_t> classoid;
      if (column) {
        classoid = 1259;  // pg_class
      } else if (nargs > 1) {
        storage::TableDefPtr catalog = find_system_table("pg_catalog", args[1].str.view());
        if (!catalog) return;  // no such catalog: no row, NULL
        classoid = relation_oid(*catalog);
      }
      const int32_t subid = column ? static_cast<int32_t>(args[1].i64) : 0;
      for (const Description& d : descriptions(ctx))
        if (d.objoid == static_cast<uint32_t>(args[0].i64) && d.objsubid == subid &&
            (!classoid || d.classoid == *classoid)) {
          set_text(text, d.description, out);
          return;
        }
      return;
    }
    case Func::ShobjDescription:
      return;  // no shared object has a comment (COMMENT ON DATABASE / ROLE / TABLESPACE are 0A000)
    case Func::PgGetViewdef: {
      // The stored query (libpg_query's deparsed text, qualified as the search_path needs:
      // Context::view_query), not PostgreSQL's pretty-printed one: docs/catalogs.md.
      for (const auto& t : ctx.tables())
        if (t->is_view() && table_oid(t->id) == args[0].i64) {
          set_text(text, " " + ctx.view_query(*t) + ";", out);
          return;
        }
      return;  // not a view: NULL (PostgreSQL: an error for a relation that is not a view)
    }
    case Func::PgGetIndexdef: {
      auto tables = ctx.tables();
      const IndexInfo ix = index_by_oid(tables, args[0].i64);
      if (!ix.table) return;
      // The pretty form leaves out the schema of a table on the search_path (every user table: public),
      // and prints expressions with only the parentheses precedence needs.
      const bool pretty = nargs > 2 && args[2].i64 != 0;
      int64_t column = nargs > 1 ? args[1].i64 : 0;
      if (column > 0) {
        set_text(text,
                 static_cast<size_t>(column) > ix.columns.size()
                     ? std::string()
                     : index_column_name(ix, static_cast<size_t>(column - 1), pretty),
                 out);
        return;
      }
      set_text(text, index_definition(ix, pretty), out);
      return;
    }
    case Func::PgGetConstraintdef: {
      auto tables = ctx.tables();
      const bool pretty = nargs > 1 && args[1].i64 != 0;
      for (const auto& t : tables)
        for (const storage::CheckDef& c : t->checks)
          if (pkey_constraint_oid(c.id) == args[0].i64) {
            set_text(text, check_constraint_def(c, pretty), out);
            return;
          }
      for (const auto& t : tables)
        for (const storage::ForeignKeyDef& fk : t->foreign_keys)
          if (pkey_constraint_oid(fk.id) == args[0].i64) {
            set_text(text, foreign_key_def(*t, fk, tables), out);
            return;
          }
      const storage::IndexDef* unique = nullptr;
      const storage::TableDef* t = table_by_constraint_oid(tables, args[0].i64, &unique);
      if (!t) return;
      if (unique) {
        std::string cols;
        for (int32_t a : unique->attnums) {
          const int c = t->column_of_attnum(a);
          cols += (cols.empty() ? "" : ", ") +
                  (c < 0 ? std::string("?") : quote_ident(t->columns[static_cast<size_t>(c)].name));
        }
        set_text(
            text,
            std::string(unique->nulls_not_distinct ? "UNIQUE NULLS NOT DISTINCT (" : "UNIQUE (") + cols + ")",
            out);
        return;
      }
      set_text(text, "PRIMARY KEY (" + key_columns(*t) + ")", out);
      return;
    }
    case Func::PgGetExpr: {  // OmenDB stores expressions as SQL text: shown as stored
      std::string stored(args[0].str.view());
      // pretty: an index's expression or predicate (pg_index.indexprs / indpred) in its pretty form
      if (nargs > 2 && args[2].i64 != 0)
        for (const auto& t : ctx.tables()) {
          if (table_oid(t->id) != args[1].i64) continue;
          for (const storage::IndexDef& ix : t->indexes) {
            if (ix.predicate && ix.predicate->expr == stored) stored = ix.predicate->pretty;
            if (ix.exprs.size() == 1 && ix.exprs[0].expr == stored) stored = ix.exprs[0].pretty;
          }
        }
      set_text(text, stored, out);
      return;
    }
    case Func::HasTablePrivilege:
    case Func::HasSchemaPrivilege:
      out->i64 = 1;  // one role, which owns everything
      out->is_null = 0;
      return;
    case Func::PgFunctionIsVisible:
    case Func::PgGetFunctionResult:
    case Func::PgGetFunctionArguments:
    case Func::PgGetStatisticsobjdefColumns:
    case Func::PgGetTriggerdef:
      return;  // pg_proc, pg_statistic_ext and pg_trigger are empty: no OID names one of theirs
    case Func::PgRelationIsPublishable:
      out->i64 = 0;
      out->is_null = 0;
      return;
    case Func::PgTableSize: {
      const int64_t oid = args[0].i64;
      for (const auto& t : ctx.tables()) {
        std::optional<uint32_t> id;
        if (table_oid(t->id) == oid) id = t->id;
        if (pkey_index_oid(t->id) == oid) id = 0;  // the primary key is the table's own key order
        for (const storage::IndexDef& ix : t->indexes)
          if (table_oid(ix.id) == oid) id = ix.id;
        if (!id) continue;
        out->i64 = *id ? static_cast<int64_t>(ctx.relation_size(*id)) : 0;
        out->is_null = 0;
        return;
      }
      for (const auto& q : ctx.sequences())
        if (table_oid(q->id) == oid) {
          out->i64 = 0;  // kept in the catalog's metadata, not as rows
          out->is_null = 0;
          return;
        }
      if (system_relation_schema(oid)) {
        out->i64 = 0;  // generated when read
        out->is_null = 0;
      }
      return;
    }
    case Func::PgSizePretty: {
      // PostgreSQL's rounding: bytes below 10 kB, then kB, MB, GB, TB, each rounded half up
      int64_t size = args[0].i64;
      const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
      size_t u = 0;
      const int64_t limit = 10 * 1024;
      int64_t magnitude = size < 0 ? -size : size;
      if (magnitude >= limit) {
        int64_t half = magnitude >> 9;  // in half-kB units
        u = 1;
        while (((half + 1) / 2) >= limit && u + 1 < std::size(units)) {
          half >>= 10;
          ++u;
        }
        magnitude = (half + 1) / 2;
      }
      set_text(text, std::to_string(size < 0 ? -magnitude : magnitude) + " " + units[u], out);
      return;
    }
  }
  throw SqlError(SqlState::InternalError, "catalog: unknown function");
}

}  // namespace omendb::catalog
