// libpg_query protobuf parse tree -> ast.h. Every construct OmenDB does not handle either sets a
// statement's `unsupported_feature` (statement-level clauses the binder reports) or throws 0A000 naming
// it (expression nodes), so nothing is silently dropped.
#include "frontend/parser/transform.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <limits>
#include <set>
#include <string>
#include <utility>

#include <pg_query.h>

#include "common/error.h"
#include "common/numeric.h"

namespace omendb::parser::detail {
namespace {

using ast::ExprKind;
using ast::ExprPtr;

// 1-based error position from a 0-based libpg_query location (-1 = unknown -> 0 = none).
int pos(int location) {
  return location >= 0 ? location + 1 : 0;
}

[[noreturn]] void unsupported(const std::string& feature, int location) {
  throw_unsupported(feature, pos(location));
}

}  // namespace

namespace {

std::string deparse_expr(const PgQuery__Node* node);

// The deparser's text of `node`, as it writes it.
std::string deparse_plain(PgQuery__Node* node) {
  PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
  raw.stmt = node;
  PgQuery__RawStmt* stmts[1] = {&raw};
  PgQuery__ParseResult result = PG_QUERY__PARSE_RESULT__INIT;
  result.version = PG_VERSION_NUM;
  result.n_stmts = 1;
  result.stmts = stmts;
  std::string packed(pg_query__parse_result__get_packed_size(&result), '\0');
  pg_query__parse_result__pack(&result, reinterpret_cast<uint8_t*>(packed.data()));
  PgQueryProtobuf pb{packed.size(), packed.data()};
  PgQueryDeparseResult r = pg_query_deparse_protobuf(pb);
  std::string text = !r.error && r.query ? r.query : "";
  pg_query_free_deparse_result(r);
  return text;
}

// AND / OR / NOT, IS [NOT] NULL / TRUE / ... and IS [NOT] DISTINCT FROM: they bind looser than the
// comparison, pattern and arithmetic operators, casts and IS tests (PostgreSQL's grammar), so as an
// operand of one of those they need parentheses.
bool binds_loosely(const PgQuery__Node* n) {
  if (!n) return false;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
    case PG_QUERY__NODE__NODE_NULL_TEST:
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
      return true;
    case PG_QUERY__NODE__NODE_A_EXPR:
      return n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT ||
             n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT;
    default:
      return false;
  }
}

// The operands of `m` the deparser writes without parentheses of their own: of IS tests, casts,
// operators (BETWEEN's bounds too; not IN's list or NULLIF's arguments, which are in parentheses) and
// x IN / op ANY (SELECT ...).
std::vector<PgQuery__Node**> bare_operands(ProtobufCMessage* m) {
  std::vector<PgQuery__Node**> out;
  if (m->descriptor == &pg_query__null_test__descriptor) {
    out.push_back(&reinterpret_cast<PgQuery__NullTest*>(m)->arg);
  } else if (m->descriptor == &pg_query__boolean_test__descriptor) {
    out.push_back(&reinterpret_cast<PgQuery__BooleanTest*>(m)->arg);
  } else if (m->descriptor == &pg_query__type_cast__descriptor) {
    out.push_back(&reinterpret_cast<PgQuery__TypeCast*>(m)->arg);
  } else if (m->descriptor == &pg_query__sub_link__descriptor) {
    out.push_back(&reinterpret_cast<PgQuery__SubLink*>(m)->testexpr);
  } else if (m->descriptor == &pg_query__a__expr__descriptor) {
    auto* a = reinterpret_cast<PgQuery__AExpr*>(m);
    if (a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF) return out;
    out.push_back(&a->lexpr);
    if (a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_IN) return out;
    if (a->rexpr && a->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
      for (size_t i = 0; i < a->rexpr->list->n_items; ++i) out.push_back(&a->rexpr->list->items[i]);
    } else {
      out.push_back(&a->rexpr);
    }
  }
  return out;
}

}  // namespace

// The SQL text of one statement node as libpg_query's deparser writes it (normalised spacing, keywords in
// upper case); empty if it cannot. libpg_query 15's deparser leaves out parentheses a loosely binding
// operand needs ((a AND b) IS NULL came back as `a AND b IS NULL`, which means a AND (b IS NULL); so did
// (x IS NULL)::int and (a OR b) IN (...)): each such operand is replaced by a placeholder column while the
// statement is deparsed, then its own text, in parentheses, replaces the placeholder.
std::string deparse_statement(PgQuery__Node* node) {
  struct Placeholder {
    PgQuery__Node** slot = nullptr;
    PgQuery__Node* operand = nullptr;
    std::string name;
    PgQuery__String str = PG_QUERY__STRING__INIT;
    PgQuery__Node str_node = PG_QUERY__NODE__INIT;
    PgQuery__Node* fields[1] = {&str_node};
    PgQuery__ColumnRef ref = PG_QUERY__COLUMN_REF__INIT;
    PgQuery__Node ref_node = PG_QUERY__NODE__INIT;
  };
  std::deque<Placeholder> placeholders;  // stable addresses: the tree points into them
  for_each_message(reinterpret_cast<ProtobufCMessage*>(node), [&](ProtobufCMessage* m) {
    for (PgQuery__Node** slot : bare_operands(m)) {
      if (!binds_loosely(*slot)) continue;
      Placeholder& p = placeholders.emplace_back();
      p.slot = slot;
      p.operand = *slot;
      p.name = "omendb_operand_" + std::to_string(placeholders.size()) + "_";
      p.str.sval = p.name.data();
      p.str_node.node_case = PG_QUERY__NODE__NODE_STRING;
      p.str_node.string = &p.str;
      p.ref.n_fields = 1;
      p.ref.fields = p.fields;
      p.ref_node.node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
      p.ref_node.column_ref = &p.ref;
      *slot = &p.ref_node;
    }
  });
  std::string text = deparse_plain(node);
  for (Placeholder& p : placeholders) *p.slot = p.operand;
  if (placeholders.empty() || text.empty()) return text;
  // Each placeholder's place in the text (exactly once, or the statement named a column like it).
  std::vector<std::pair<size_t, const Placeholder*>> at;
  for (const Placeholder& p : placeholders) {
    const size_t i = text.find(p.name);
    if (i == std::string::npos || text.find(p.name, i + 1) != std::string::npos) return deparse_plain(node);
    at.emplace_back(i, &p);
  }
  std::sort(at.begin(), at.end());
  std::string out;
  size_t from = 0;
  for (const auto& [i, p] : at) {
    out.append(text, from, i - from);
    out += "(" + deparse_expr(p->operand) + ")";
    from = i + p->name.size();
  }
  out.append(text, from, std::string::npos);
  return out;
}

namespace {

// The SQL text of an expression node, as libpg_query's deparser writes it (for a column's DEFAULT, kept
// in the catalog as text and parsed again when a statement uses it).
std::string deparse_expr(const PgQuery__Node* node) {
  PgQuery__ResTarget target = PG_QUERY__RES_TARGET__INIT;
  target.val = const_cast<PgQuery__Node*>(node);
  PgQuery__Node target_node = PG_QUERY__NODE__INIT;
  target_node.node_case = PG_QUERY__NODE__NODE_RES_TARGET;
  target_node.res_target = &target;
  PgQuery__Node* targets[1] = {&target_node};
  PgQuery__SelectStmt select = PG_QUERY__SELECT_STMT__INIT;
  select.n_target_list = 1;
  select.target_list = targets;
  select.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
  select.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
  PgQuery__Node select_node = PG_QUERY__NODE__INIT;
  select_node.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
  select_node.select_stmt = &select;
  std::string text = deparse_statement(&select_node);
  if (text.substr(0, 7) != "SELECT ")
    throw SqlError(SqlState::InternalError, "could not deparse a DEFAULT expression");
  return text.substr(7);
}

std::string str(const char* s) {
  return s ? std::string(s) : std::string();
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The protobuf field name of a node's oneof case ("xml_expr", "create_publication_stmt").
std::string node_field_name(const PgQuery__Node* n) {
  if (!n || n->node_case == PG_QUERY__NODE__NODE__NOT_SET) return "empty node";
  const ProtobufCFieldDescriptor* f = protobuf_c_message_descriptor_get_field(
      &pg_query__node__descriptor, static_cast<unsigned>(n->node_case));
  return f ? std::string(f->name) : "node " + std::to_string(static_cast<int>(n->node_case));
}

// "create_publication_stmt" -> "CREATE PUBLICATION".
std::string statement_name_from_field(std::string field) {
  static constexpr std::string_view kSuffix = "_stmt";
  if (field.size() > kSuffix.size() && field.ends_with(kSuffix)) field.resize(field.size() - kSuffix.size());
  for (char& c : field) c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return field;
}

// PostgreSQL object kind as SQL spells it, from the ObjectType enum ("OBJECT_MATVIEW" -> "MATERIALIZED
// VIEW").
std::string object_type_name(PgQuery__ObjectType t) {
  switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
      return "MATERIALIZED VIEW";
    case PG_QUERY__OBJECT_TYPE__OBJECT_FDW:
      return "FOREIGN DATA WRAPPER";
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_SERVER:
      return "SERVER";
    case PG_QUERY__OBJECT_TYPE__OBJECT_STATISTIC_EXT:
      return "STATISTICS";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSCONFIGURATION:
      return "TEXT SEARCH CONFIGURATION";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSDICTIONARY:
      return "TEXT SEARCH DICTIONARY";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSPARSER:
      return "TEXT SEARCH PARSER";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSTEMPLATE:
      return "TEXT SEARCH TEMPLATE";
    case PG_QUERY__OBJECT_TYPE__OBJECT_ACCESS_METHOD:
      return "ACCESS METHOD";
    case PG_QUERY__OBJECT_TYPE__OBJECT_EVENT_TRIGGER:
      return "EVENT TRIGGER";
    case PG_QUERY__OBJECT_TYPE__OBJECT_OPCLASS:
      return "OPERATOR CLASS";
    case PG_QUERY__OBJECT_TYPE__OBJECT_OPFAMILY:
      return "OPERATOR FAMILY";
    case PG_QUERY__OBJECT_TYPE__OBJECT_USER_MAPPING:
      return "USER MAPPING";
    case PG_QUERY__OBJECT_TYPE__OBJECT_LARGEOBJECT:
      return "LARGE OBJECT";
    default:
      break;
  }
  const ProtobufCEnumValue* v = protobuf_c_enum_descriptor_get_value(&pg_query__object_type__descriptor, t);
  if (!v) return "object";
  std::string name = v->name;  // "OBJECT_FOREIGN_TABLE"
  if (name.starts_with("OBJECT_")) name = name.substr(7);
  for (char& c : name) c = c == '_' ? ' ' : c;
  return name;
}

// Name of a statement node OmenDB has no transform for.
std::string unsupported_statement_name(const PgQuery__Node* n) {
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_INDEX_STMT:
      return "CREATE INDEX";
    case PG_QUERY__NODE__NODE_VIEW_STMT:
      return "CREATE VIEW";
    case PG_QUERY__NODE__NODE_COPY_STMT:
      return "COPY";
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
      return "CREATE TRIGGER";
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
      return "CREATE SEQUENCE";
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
      return "ALTER SEQUENCE";
    case PG_QUERY__NODE__NODE_CREATEDB_STMT:
      return "CREATE DATABASE";
    case PG_QUERY__NODE__NODE_DROPDB_STMT:
      return "DROP DATABASE";
    case PG_QUERY__NODE__NODE_CHECK_POINT_STMT:
      return "CHECKPOINT";
    case PG_QUERY__NODE__NODE_RENAME_STMT:
      return "ALTER ... RENAME";
    case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
      return "ALTER ... OWNER TO";
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
      return "ALTER ... SET SCHEMA";
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
    case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT:
      return "CREATE TYPE";
    case PG_QUERY__NODE__NODE_RULE_STMT:
      return "CREATE RULE";
    case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
      return "REFRESH MATERIALIZED VIEW";
    case PG_QUERY__NODE__NODE_CONSTRAINTS_SET_STMT:
      return "SET CONSTRAINTS";
    case PG_QUERY__NODE__NODE_CREATE_PLANG_STMT:
      return "CREATE LANGUAGE";
    case PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT:
      return "CREATE TABLESPACE";
    case PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT:
      return "DROP TABLESPACE";
    case PG_QUERY__NODE__NODE_CREATE_EVENT_TRIG_STMT:
      return "CREATE EVENT TRIGGER";
    case PG_QUERY__NODE__NODE_CREATE_FDW_STMT:
      return "CREATE FOREIGN DATA WRAPPER";
    case PG_QUERY__NODE__NODE_CREATE_STATS_STMT:
      return "CREATE STATISTICS";
    case PG_QUERY__NODE__NODE_CREATE_OP_CLASS_STMT:
      return "CREATE OPERATOR CLASS";
    case PG_QUERY__NODE__NODE_CREATE_AM_STMT:
      return "CREATE ACCESS METHOD";
    case PG_QUERY__NODE__NODE_GRANT_STMT:
      return n->grant_stmt->is_grant ? "GRANT" : "REVOKE";
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
      return n->grant_role_stmt->is_grant ? "GRANT" : "REVOKE";
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
      return n->vacuum_stmt->is_vacuumcmd ? "VACUUM" : "ANALYZE";
    case PG_QUERY__NODE__NODE_DEFINE_STMT:
      return "CREATE " + object_type_name(n->define_stmt->kind);
    case PG_QUERY__NODE__NODE_DROP_STMT:
      return "DROP " + object_type_name(n->drop_stmt->remove_type);
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      return n->create_table_as_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW
                 ? "CREATE MATERIALIZED VIEW"
                 : "CREATE TABLE AS";
    default:
      return statement_name_from_field(node_field_name(n));
  }
}

// Text of a String node (identifier parts, option names); throws for anything else.
std::string string_of(const PgQuery__Node* n, int location) {
  if (n && n->node_case == PG_QUERY__NODE__NODE_STRING) return str(n->string->sval);
  unsupported(node_field_name(n) + " in a name", location);
}

bool parse_bool_option(const std::string& text, bool* out) {
  std::string t = lower(text);
  if (t == "true" || t == "on" || t == "1" || t == "yes" || t == "t" || t == "y") {
    *out = true;
    return true;
  }
  if (t == "false" || t == "off" || t == "0" || t == "no" || t == "f" || t == "n") {
    *out = false;
    return true;
  }
  return false;
}

// An integer literal's text ("-123") as int64, if it is one and fits.
bool parse_int64(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  const char* first = text.data();
  const char* last = first + text.size();
  auto [ptr, ec] = std::from_chars(first, last, *out);
  return ec == std::errc() && ptr == last;
}

class Transformer {
 public:
  explicit Transformer(std::vector<ast::Expr*>* constants) : constants_(constants) {}

  std::vector<ast::StmtPtr> run(const PgQuery__ParseResult& result) {
    std::vector<ast::StmtPtr> out;
    out.reserve(result.n_stmts);
    for (size_t i = 0; i < result.n_stmts; ++i) {
      const PgQuery__RawStmt* raw = result.stmts[i];
      if (!raw || !raw->stmt) continue;
      ast::StmtPtr s = stmt(raw->stmt);
      s->location = raw->stmt_location;
      s->length = raw->stmt_len;
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  // GROUP BY: its expressions, and with GROUPING SETS / ROLLUP / CUBE / () the grouping sets they
  // make, as PostgreSQL's expand_grouping_sets: each item gives a list of sets (an expression one set
  // of itself; ROLLUP (u1, ..., un) the prefixes u1..un, ..., u1, (); CUBE every subset of its units, at
  // most 12; GROUPING SETS the sets of each of its items), and the items' lists combine as a cross
  // product of concatenations, at most 4096 sets.
  using GroupingSets = std::vector<std::vector<int>>;
  static constexpr size_t kMaxGroupingSets = 4096;

  void group_by(const PgQuery__SelectStmt& s, ast::SelectStmt& out) {
    GroupingSets sets{{}};
    for (size_t i = 0; i < s.n_group_clause; ++i) {
      const PgQuery__Node* n = s.group_clause[i];
      if (n->node_case == PG_QUERY__NODE__NODE_GROUPING_SET) out.has_grouping_sets = true;
      GroupingSets item = grouping_item(n, out);
      GroupingSets combined;
      for (const auto& a : sets) {
        for (const auto& b : item) {
          if (combined.size() == kMaxGroupingSets)
            throw SqlError(SqlState::StatementTooComplex, "too many grouping sets present (maximum 4096)")
                .at(pos(location_of(n)));
          std::vector<int> c = a;
          c.insert(c.end(), b.begin(), b.end());
          combined.push_back(std::move(c));
        }
      }
      sets = std::move(combined);
    }
    if (out.has_grouping_sets) out.grouping_sets = std::move(sets);
  }

  static int location_of(const PgQuery__Node* n) {
    return n->node_case == PG_QUERY__NODE__NODE_GROUPING_SET ? n->grouping_set->location : -1;
  }

  // The units of a ROLLUP or CUBE: an expression, or a parenthesised list of them.
  std::vector<std::vector<int>> grouping_units(const PgQuery__GroupingSet& g, ast::SelectStmt& out) {
    std::vector<std::vector<int>> units;
    for (size_t i = 0; i < g.n_content; ++i) {
      const PgQuery__Node* c = g.content[i];
      std::vector<int> unit;
      if (const PgQuery__RowExpr* row = implicit_row(c)) {
        unit = group_exprs(*row, out);
      } else if (c->node_case == PG_QUERY__NODE__NODE_GROUPING_SET &&
                 c->grouping_set->kind == PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_SIMPLE) {
        for (size_t j = 0; j < c->grouping_set->n_content; ++j)
          unit.push_back(group_expr(c->grouping_set->content[j], out));
      } else {
        unit.push_back(group_expr(c, out));
      }
      units.push_back(std::move(unit));
    }
    return units;
  }

  int group_expr(const PgQuery__Node* n, ast::SelectStmt& out) {
    out.group_by.push_back(expr(n));
    return static_cast<int>(out.group_by.size()) - 1;
  }

  // A parenthesised list of expressions, `(a, b)` (an implicit row constructor, which grouping takes
  // as the list): its items, else null.
  static const PgQuery__RowExpr* implicit_row(const PgQuery__Node* n) {
    if (n->node_case != PG_QUERY__NODE__NODE_ROW_EXPR) return nullptr;
    return n->row_expr->row_format == PG_QUERY__COERCION_FORM__COERCE_IMPLICIT_CAST ? n->row_expr : nullptr;
  }
  std::vector<int> group_exprs(const PgQuery__RowExpr& row, ast::SelectStmt& out) {
    std::vector<int> items;
    for (size_t i = 0; i < row.n_args; ++i) items.push_back(group_expr(row.args[i], out));
    return items;
  }

  GroupingSets grouping_item(const PgQuery__Node* n, ast::SelectStmt& out) {
    if (const PgQuery__RowExpr* row = implicit_row(n)) return {group_exprs(*row, out)};
    if (n->node_case != PG_QUERY__NODE__NODE_GROUPING_SET) return {{group_expr(n, out)}};
    const PgQuery__GroupingSet& g = *n->grouping_set;
    DepthGuard guard(*this, g.location);
    GroupingSets sets;
    switch (g.kind) {
      case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_EMPTY:
        return {{}};
      case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_SIMPLE: {
        std::vector<int> one;
        for (size_t i = 0; i < g.n_content; ++i) one.push_back(group_expr(g.content[i], out));
        return {one};
      }
      case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_ROLLUP: {
        std::vector<std::vector<int>> units = grouping_units(g, out);
        for (size_t k = units.size() + 1; k-- > 0;) {
          std::vector<int> set;
          for (size_t u = 0; u < k; ++u) set.insert(set.end(), units[u].begin(), units[u].end());
          sets.push_back(std::move(set));
        }
        return sets;
      }
      case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_CUBE: {
        if (g.n_content > 12)
          throw SqlError(SqlState::TooManyColumns, "CUBE is limited to 12 elements").at(pos(g.location));
        std::vector<std::vector<int>> units = grouping_units(g, out);
        const size_t n_units = units.size();
        for (size_t mask = (size_t{1} << n_units); mask-- > 0;) {  // every unit first, none last
          std::vector<int> set;
          for (size_t u = 0; u < n_units; ++u)
            if (mask & (size_t{1} << (n_units - 1 - u)))
              set.insert(set.end(), units[u].begin(), units[u].end());
          sets.push_back(std::move(set));
        }
        return sets;
      }
      case PG_QUERY__GROUPING_SET_KIND__GROUPING_SET_SETS:
        for (size_t i = 0; i < g.n_content; ++i) {
          GroupingSets inner = grouping_item(g.content[i], out);
          if (sets.size() + inner.size() > kMaxGroupingSets)
            throw SqlError(SqlState::StatementTooComplex, "too many grouping sets present (maximum 4096)")
                .at(pos(g.location));
          sets.insert(sets.end(), inner.begin(), inner.end());
        }
        return sets;
      default:
        unsupported("this kind of grouping set", g.location);
    }
  }

  int depth_ = 0;
  // The INTO of a top-level SELECT ... INTO, made into CREATE TABLE AS (select_or_into): not refused.
  const PgQuery__IntoClause* taken_into_ = nullptr;

  class DepthGuard {
   public:
    DepthGuard(Transformer& t, int location) : t_(t) {
      if (t_.depth_ >= kMaxTransformDepth) {
        throw SqlError(SqlState::ProgramLimitExceeded, "statement is nested too deeply").at(pos(location));
      }
      ++t_.depth_;
    }
    ~DepthGuard() { --t_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Transformer& t_;
  };

  static void note(std::string& feature, const char* what) {
    if (feature.empty()) feature = what;
  }
  static void note(std::string& feature, const std::string& what) {
    if (feature.empty()) feature = what;
  }

  // ---------------------------------------------------------------- statements

  ast::StmtPtr stmt(const PgQuery__Node* n) {
    DepthGuard guard(*this, -1);
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_SELECT_STMT:
        return select_or_into(n);
      case PG_QUERY__NODE__NODE_INSERT_STMT:
        return insert(n->insert_stmt);
      case PG_QUERY__NODE__NODE_UPDATE_STMT:
        return update(n->update_stmt);
      case PG_QUERY__NODE__NODE_DELETE_STMT:
        return del(n->delete_stmt);
      case PG_QUERY__NODE__NODE_CREATE_STMT:
        return create(n->create_stmt);
      case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        if (n->create_table_as_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE &&
            n->create_table_as_stmt->into) {
          const PgQuery__CreateTableAsStmt* c = n->create_table_as_stmt;
          return create_table_as(c->into, c->query, c->if_not_exists);
        }
        break;
      case PG_QUERY__NODE__NODE_DROP_STMT:
        if (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) return drop(n->drop_stmt);
        if (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) return drop_index(n->drop_stmt);
        if (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE) {
          auto d = drop(n->drop_stmt);
          static_cast<ast::DropTableStmt&>(*d).sequence = true;
          return d;
        }
        if (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW) {
          auto d = drop(n->drop_stmt);
          static_cast<ast::DropTableStmt&>(*d).view = true;
          return d;
        }
        if (n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA) {
          auto out = std::make_unique<ast::SchemaStmt>();
          out->action = ast::SchemaStmt::Action::Drop;
          out->if_exists = n->drop_stmt->missing_ok;
          out->cascade = n->drop_stmt->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
          for (size_t i = 0; i < n->drop_stmt->n_objects; ++i)
            out->names.push_back(string_of(n->drop_stmt->objects[i], -1));
          return out;
        }
        break;
      case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT: {
        const PgQuery__CreateSchemaStmt* c = n->create_schema_stmt;
        auto out = std::make_unique<ast::SchemaStmt>();
        if (c->schemaname && *c->schemaname) out->names.push_back(str(c->schemaname));
        if (c->authrole) out->role = role_name(c->authrole);
        out->if_exists = c->if_not_exists;
        out->has_elements = c->n_schema_elts > 0;
        return out;
      }
      case PG_QUERY__NODE__NODE_VIEW_STMT:
        return create_view(n->view_stmt);
      case PG_QUERY__NODE__NODE_INDEX_STMT:
        return create_index(n->index_stmt);
      case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT: {
        const PgQuery__CreateSeqStmt* c = n->create_seq_stmt;
        auto out = std::make_unique<ast::SequenceStmt>(ast::StmtKind::CreateSequence);
        out->sequence = table_ref(c->sequence);
        out->temporary = persistence(out->unsupported_feature, c->sequence);
        out->if_not_exists = c->if_not_exists;
        out->options = sequence_options(c->options, c->n_options);
        return out;
      }
      case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT: {
        const PgQuery__AlterSeqStmt* c = n->alter_seq_stmt;
        auto out = std::make_unique<ast::SequenceStmt>(ast::StmtKind::AlterSequence);
        out->sequence = table_ref(c->sequence);
        out->missing_ok = c->missing_ok;
        out->options = sequence_options(c->options, c->n_options);
        return out;
      }
      case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
        return explain(n->explain_stmt);
      case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
        return truncate(n->truncate_stmt);
      case PG_QUERY__NODE__NODE_LOCK_STMT: {
        auto out = std::make_unique<ast::LockStmt>();
        for (size_t i = 0; i < n->lock_stmt->n_relations; ++i) {
          const PgQuery__Node* r = n->lock_stmt->relations[i];
          if (r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) out->tables.push_back(table_ref(r->range_var));
        }
        out->mode = n->lock_stmt->mode;
        out->nowait = n->lock_stmt->nowait;
        return out;
      }
      case PG_QUERY__NODE__NODE_COMMENT_STMT:
        return comment(n->comment_stmt);
      case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
        if (n->alter_owner_stmt->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA &&
            n->alter_owner_stmt->object) {
          auto out = std::make_unique<ast::AlterSchemaOwnerStmt>();
          out->schema = string_of(n->alter_owner_stmt->object, -1);
          out->role = role_name(n->alter_owner_stmt->newowner);
          return out;
        }
        break;
      case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        if (n->alter_table_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
            only_owner(n->alter_table_stmt))
          return alter_table(n->alter_table_stmt);
        break;
      case PG_QUERY__NODE__NODE_RENAME_STMT:
        if (n->rename_stmt->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA) {
          auto out = std::make_unique<ast::SchemaStmt>();
          out->action = ast::SchemaStmt::Action::Rename;
          out->names.push_back(str(n->rename_stmt->subname));
          out->new_name = str(n->rename_stmt->newname);
          return out;
        }
        if (n->rename_stmt->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
            n->rename_stmt->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
            (n->rename_stmt->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN &&
             (n->rename_stmt->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
              n->rename_stmt->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW)))
          return rename(n->rename_stmt);
        break;
      case PG_QUERY__NODE__NODE_VACUUM_STMT:
        return vacuum(n->vacuum_stmt);
      case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        return transaction(n->transaction_stmt);
      case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
        return set(n->variable_set_stmt);
      case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT: {
        auto s = std::make_unique<ast::ShowStmt>();
        s->name = lower(str(n->variable_show_stmt->name));
        return s;
      }
      case PG_QUERY__NODE__NODE_PREPARE_STMT: {
        const PgQuery__PrepareStmt* p = n->prepare_stmt;
        auto s = std::make_unique<ast::PrepareStmt>();
        s->name = str(p->name);
        for (size_t i = 0; i < p->n_argtypes; ++i) {
          const PgQuery__Node* t = p->argtypes[i];
          if (t->node_case != PG_QUERY__NODE__NODE_TYPE_NAME) unsupported("this PREPARE parameter type", -1);
          s->param_types.push_back(type_name(t->type_name));
        }
        if (p->query) s->stmt = stmt(p->query);
        return s;
      }
      case PG_QUERY__NODE__NODE_EXECUTE_STMT: {
        auto s = std::make_unique<ast::ExecuteStmt>();
        s->name = str(n->execute_stmt->name);
        for (size_t i = 0; i < n->execute_stmt->n_params; ++i)
          s->args.push_back(expr(n->execute_stmt->params[i]));
        return s;
      }
      case PG_QUERY__NODE__NODE_DEALLOCATE_STMT: {
        auto s = std::make_unique<ast::DeallocateStmt>();
        const char* name = n->deallocate_stmt->name;
        s->all = !name || !*name;
        s->name = str(name);
        return s;
      }
      case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT: {
        const PgQuery__DeclareCursorStmt* d = n->declare_cursor_stmt;
        // CURSOR_OPT_* of PostgreSQL's parsenodes.h.
        constexpr int32_t kBinary = 0x1, kScroll = 0x2, kHold = 0x20;
        auto s = std::make_unique<ast::DeclareCursorStmt>();
        s->name = str(d->portalname);
        s->binary = (d->options & kBinary) != 0;
        s->scroll = (d->options & kScroll) != 0;
        s->hold = (d->options & kHold) != 0;
        if (d->query) s->query = stmt(d->query);
        return s;
      }
      case PG_QUERY__NODE__NODE_FETCH_STMT: {
        const PgQuery__FetchStmt* f = n->fetch_stmt;
        auto s = std::make_unique<ast::FetchStmt>();
        using D = ast::FetchStmt::Direction;
        switch (f->direction) {
          case PG_QUERY__FETCH_DIRECTION__FETCH_BACKWARD:
            s->direction = D::Backward;
            break;
          case PG_QUERY__FETCH_DIRECTION__FETCH_ABSOLUTE:
            s->direction = D::Absolute;
            break;
          case PG_QUERY__FETCH_DIRECTION__FETCH_RELATIVE:
            s->direction = D::Relative;
            break;
          default:
            s->direction = D::Forward;
            break;
        }
        s->count = f->how_many;
        s->name = str(f->portalname);
        s->move = f->ismove;
        return s;
      }
      case PG_QUERY__NODE__NODE_CLOSE_PORTAL_STMT: {
        auto s = std::make_unique<ast::ClosePortalStmt>();
        const char* name = n->close_portal_stmt->portalname;
        s->all = !name || !*name;
        s->name = str(name);
        return s;
      }
      case PG_QUERY__NODE__NODE_COPY_STMT:
        return copy(n->copy_stmt);
      case PG_QUERY__NODE__NODE_DISCARD_STMT: {
        auto s = std::make_unique<ast::DiscardStmt>();
        switch (n->discard_stmt->target) {
          case PG_QUERY__DISCARD_MODE__DISCARD_ALL:
            s->target = "ALL";
            break;
          case PG_QUERY__DISCARD_MODE__DISCARD_PLANS:
            s->target = "PLANS";
            break;
          case PG_QUERY__DISCARD_MODE__DISCARD_SEQUENCES:
            s->target = "SEQUENCES";
            break;
          default:
            s->target = "TEMP";
            break;
        }
        return s;
      }
      default:
        break;
    }
    auto s = std::make_unique<ast::UnsupportedStmt>();
    s->feature = unsupported_statement_name(n);
    return s;
  }

  ast::TableRef table_ref(const PgQuery__RangeVar* rv) {
    ast::TableRef t;
    if (!rv) return t;
    if (rv->catalogname && *rv->catalogname) unsupported("cross-database references", rv->location);
    t.name = str(rv->relname);
    t.schema = str(rv->schemaname);
    if (rv->alias) t.alias = str(rv->alias->aliasname);
    t.location = rv->location;
    return t;
  }

  // FROM alias(a, b, ...): the column aliases.
  static std::vector<std::string> column_aliases(const PgQuery__Alias* alias) {
    std::vector<std::string> out;
    if (alias)
      for (size_t i = 0; i < alias->n_colnames; ++i) out.push_back(string_of(alias->colnames[i], -1));
    return out;
  }

  // A FROM item: a table, a derived table (a subquery, maybe LATERAL), a function or a JOIN tree. Other
  // items (ROWS FROM, TABLESAMPLE) are noted as the unsupported feature (null is returned).
  ast::FromItemPtr from_item(const PgQuery__Node* n, std::string& feature) {
    if (!n) return nullptr;
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
      const PgQuery__RangeVar* rv = n->range_var;
      auto item = std::make_unique<ast::FromItem>();
      item->table = table_ref(rv);
      item->column_aliases = column_aliases(rv->alias);
      item->location = rv->location;
      return item;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT) {
      const PgQuery__RangeSubselect* rs = n->range_subselect;
      if (!rs->subquery || rs->subquery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
        note(feature, "this subquery in FROM");
        return nullptr;
      }
      DepthGuard guard(*this, -1);
      auto item = std::make_unique<ast::FromItem>();
      item->subquery = select(rs->subquery->select_stmt);
      item->lateral = rs->lateral;
      if (rs->alias) item->table.alias = str(rs->alias->aliasname);
      item->column_aliases = column_aliases(rs->alias);
      item->location = -1;
      return item;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
      const PgQuery__JoinExpr* j = n->join_expr;
      auto item = std::make_unique<ast::FromItem>();
      item->is_join = true;
      switch (j->jointype) {
        case PG_QUERY__JOIN_TYPE__JOIN_INNER:
          item->join_type = ast::JoinType::Inner;
          break;
        case PG_QUERY__JOIN_TYPE__JOIN_LEFT:
          item->join_type = ast::JoinType::Left;
          break;
        case PG_QUERY__JOIN_TYPE__JOIN_RIGHT:
          item->join_type = ast::JoinType::Right;
          break;
        case PG_QUERY__JOIN_TYPE__JOIN_FULL:
          item->join_type = ast::JoinType::Full;
          break;
        default:
          note(feature, "this join type");
          return nullptr;
      }
      if (j->alias) note(feature, "an alias on a JOIN");
      if (j->join_using_alias) note(feature, "an alias on JOIN USING");
      item->natural = j->is_natural;
      for (size_t i = 0; i < j->n_using_clause; ++i)
        item->using_columns.push_back(string_of(j->using_clause[i], -1));
      item->on = opt_expr(j->quals);
      item->left = from_item(j->larg, feature);
      item->right = from_item(j->rarg, feature);
      if (!item->left || !item->right) return nullptr;
      item->location = item->on ? item->on->location : item->left->location;
      return item;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_TABLE_SAMPLE) {
      note(feature, "TABLESAMPLE");
    } else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION) {
      const PgQuery__RangeFunction* rf = n->range_function;
      if (rf->is_rowsfrom || rf->n_functions != 1) {
        note(feature, "ROWS FROM");
        return nullptr;
      }
      const PgQuery__Node* pair = rf->functions[0];
      if (!pair || pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items < 1) {
        note(feature, "this function in FROM");
        return nullptr;
      }
      const PgQuery__Node* coldefs = pair->list->n_items > 1 ? pair->list->items[1] : nullptr;
      const bool has_coldefs =
          coldefs && !(coldefs->node_case == PG_QUERY__NODE__NODE_LIST && coldefs->list->n_items == 0) &&
          coldefs->node_case != PG_QUERY__NODE__NODE__NOT_SET;
      if (rf->n_coldeflist > 0 || has_coldefs) {
        note(feature, "column definition lists for functions in FROM");
        return nullptr;
      }
      const PgQuery__Node* call = pair->list->items[0];
      if (!call || call->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) {
        note(feature, "this function in FROM");
        return nullptr;
      }
      DepthGuard guard(*this, call->func_call->location);
      auto item = std::make_unique<ast::FromItem>();
      item->function = func_call(call->func_call);
      item->ordinality = rf->ordinality;
      if (rf->alias) item->table.alias = str(rf->alias->aliasname);
      item->column_aliases = column_aliases(rf->alias);
      item->location = call->func_call->location;
      return item;
    } else {
      note(feature, "this FROM item");
    }
    return nullptr;
  }

  // [RECURSIVE] WITH a AS (...), ...: the CTEs, in order (the SEARCH and CYCLE clauses are noted as
  // unsupported).
  void with_clause(const PgQuery__WithClause* w, std::vector<ast::CommonTableExpr>& with, bool& recursive,
                   std::string& feature) {
    recursive = w->recursive;
    for (size_t i = 0; i < w->n_ctes; ++i) {
      const PgQuery__Node* n = w->ctes[i];
      if (!n || n->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
      const PgQuery__CommonTableExpr* c = n->common_table_expr;
      const bool dml = c->ctequery && (c->ctequery->node_case == PG_QUERY__NODE__NODE_INSERT_STMT ||
                                       c->ctequery->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT ||
                                       c->ctequery->node_case == PG_QUERY__NODE__NODE_DELETE_STMT);
      if (!c->ctequery || (c->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT && !dml)) {
        note(feature, "this statement in WITH");
        return;
      }
      if (c->search_clause || c->cycle_clause) {
        note(feature, c->search_clause ? "SEARCH clauses of WITH RECURSIVE queries"
                                       : "CYCLE clauses of WITH RECURSIVE queries");
        return;
      }
      DepthGuard guard(*this, c->location);
      ast::CommonTableExpr cte;
      cte.name = str(c->ctename);
      for (size_t k = 0; k < c->n_aliascolnames; ++k)
        cte.columns.push_back(string_of(c->aliascolnames[k], -1));
      if (dml) {
        cte.dml = stmt(c->ctequery);  // the binder checks that the WITH is the statement's own
      } else {
        cte.query = select(c->ctequery->select_stmt);
      }
      if (c->ctematerialized == PG_QUERY__CTEMATERIALIZE__CTEMaterializeAlways)
        cte.materialize = ast::CteMaterialize::Always;
      else if (c->ctematerialized == PG_QUERY__CTEMATERIALIZE__CTEMaterializeNever)
        cte.materialize = ast::CteMaterialize::Never;
      cte.location = c->location;
      with.push_back(std::move(cte));
    }
  }

  std::unique_ptr<ast::SelectStmt> select(const PgQuery__SelectStmt* s) {
    auto out = std::make_unique<ast::SelectStmt>();
    std::string& feature = out->unsupported_feature;
    if (s->with_clause) with_clause(s->with_clause, out->with, out->with_recursive, feature);
    switch (s->op) {
      case PG_QUERY__SET_OPERATION__SETOP_UNION:
        out->set_op = ast::SetOp::Union;
        break;
      case PG_QUERY__SET_OPERATION__SETOP_INTERSECT:
        out->set_op = ast::SetOp::Intersect;
        break;
      case PG_QUERY__SET_OPERATION__SETOP_EXCEPT:
        out->set_op = ast::SetOp::Except;
        break;
      default:
        break;
    }
    if (out->set_op != ast::SetOp::None) {
      DepthGuard guard(*this, -1);
      out->set_all = s->all;
      out->larg = select(s->larg);
      out->rarg = select(s->rarg);
    }
    for (size_t r = 0; r < s->n_values_lists; ++r) {
      const PgQuery__Node* row = s->values_lists[r];
      std::vector<ExprPtr> values;
      if (row->node_case == PG_QUERY__NODE__NODE_LIST) {
        const PgQuery__List* list = row->list;
        for (size_t i = 0; i < list->n_items; ++i) {
          const PgQuery__Node* item = list->items[i];
          if (item->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT)
            throw SqlError(SqlState::SyntaxError, "DEFAULT is not allowed in this context")
                .at(pos(item->set_to_default->location));
          values.push_back(expr(item));
        }
      } else {
        values.push_back(expr(row));
      }
      if (out->values_location < 0 && !values.empty()) out->values_location = values[0]->location;
      out->values.push_back(std::move(values));
    }
    if (s->into_clause && s->into_clause != taken_into_)  // (PostgreSQL's transformSelectStmt)
      throw SqlError(SqlState::SyntaxError, "SELECT ... INTO is not allowed here")
          .at(pos(s->into_clause->rel ? s->into_clause->rel->location : -1));
    for (size_t i = 0; i < s->n_window_clause; ++i) {
      const PgQuery__Node* n = s->window_clause[i];
      if (n->node_case != PG_QUERY__NODE__NODE_WINDOW_DEF) unsupported(node_field_name(n) + " in WINDOW", -1);
      out->windows.push_back(window_def(n->window_def));
    }
    for (size_t i = 0; i < s->n_locking_clause; ++i) {
      const PgQuery__Node* lc = s->locking_clause[i];
      if (!lc || lc->node_case != PG_QUERY__NODE__NODE_LOCKING_CLAUSE) continue;
      const PgQuery__LockingClause* c = lc->locking_clause;
      ast::LockingClause l;
      using S = ast::LockingClause::Strength;
      switch (c->strength) {
        case PG_QUERY__LOCK_CLAUSE_STRENGTH__LCS_FORKEYSHARE:
          l.strength = S::KeyShare;
          break;
        case PG_QUERY__LOCK_CLAUSE_STRENGTH__LCS_FORSHARE:
          l.strength = S::Share;
          break;
        case PG_QUERY__LOCK_CLAUSE_STRENGTH__LCS_FORNOKEYUPDATE:
          l.strength = S::NoKeyUpdate;
          break;
        default:
          l.strength = S::Update;
          break;
      }
      l.wait = c->wait_policy == PG_QUERY__LOCK_WAIT_POLICY__LockWaitSkip ? ast::LockingClause::Wait::Skip
               : c->wait_policy == PG_QUERY__LOCK_WAIT_POLICY__LockWaitError
                   ? ast::LockingClause::Wait::Error
                   : ast::LockingClause::Wait::Block;
      for (size_t k = 0; k < c->n_locked_rels; ++k) {
        const PgQuery__Node* r = c->locked_rels[k];
        if (r && r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
          l.of.push_back(str(r->range_var->relname));
          if (l.location < 0) l.location = r->range_var->location;
        }
      }
      out->locking.push_back(std::move(l));
    }
    if (s->limit_option == PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_WITH_TIES)
      note(feature, "FETCH FIRST ... WITH TIES");
    if (s->group_distinct) note(feature, "GROUP BY DISTINCT");

    if (s->n_distinct_clause > 0) {
      // Plain DISTINCT is a one-element list holding an empty node; DISTINCT ON lists expressions.
      const PgQuery__Node* first = s->distinct_clause[0];
      if (s->n_distinct_clause == 1 && (!first || first->node_case == PG_QUERY__NODE__NODE__NOT_SET)) {
        out->distinct = true;
      } else {
        for (size_t i = 0; i < s->n_distinct_clause; ++i)
          out->distinct_on.push_back(expr(s->distinct_clause[i]));
      }
    }

    for (size_t i = 0; i < s->n_target_list; ++i) {
      const PgQuery__Node* n = s->target_list[i];
      if (n->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
        unsupported(node_field_name(n) + " in a select list", -1);
      const PgQuery__ResTarget* rt = n->res_target;
      ast::SelectTarget t;
      t.expr = expr(rt->val);
      t.alias = str(rt->name);
      t.location = rt->location;
      out->targets.push_back(std::move(t));
    }

    for (size_t i = 0; i < s->n_from_clause; ++i)
      if (ast::FromItemPtr item = from_item(s->from_clause[i], feature)) out->from.push_back(std::move(item));

    out->where = opt_expr(s->where_clause);
    group_by(*s, *out);
    out->having = opt_expr(s->having_clause);

    for (size_t i = 0; i < s->n_sort_clause; ++i) {
      const PgQuery__Node* n = s->sort_clause[i];
      if (n->node_case != PG_QUERY__NODE__NODE_SORT_BY) unsupported(node_field_name(n) + " in ORDER BY", -1);
      const PgQuery__SortBy* sb = n->sort_by;
      if (sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING) note(feature, "ORDER BY ... USING");
      out->order_by.push_back(order_item(sb));
    }

    // LIMIT ALL (and LIMIT NULL) arrive as a NULL constant: no limit.
    const PgQuery__Node* lc = s->limit_count;
    if (lc && !(lc->node_case == PG_QUERY__NODE__NODE_A_CONST && lc->a_const->isnull)) out->limit = expr(lc);
    out->offset = opt_expr(s->limit_offset);
    if (!out->values.empty() && (!out->order_by.empty() || out->limit || out->offset))
      return wrap_values(std::move(out));
    return out;
  }

  // VALUES ... ORDER BY / LIMIT / OFFSET is, as in PostgreSQL, SELECT * FROM (VALUES ...) AS "*VALUES*"
  // ORDER BY ...: the sort keys may be expressions over column1, column2, ...
  static std::unique_ptr<ast::SelectStmt> wrap_values(std::unique_ptr<ast::SelectStmt> values) {
    auto out = std::make_unique<ast::SelectStmt>();
    out->order_by = std::move(values->order_by);
    out->limit = std::move(values->limit);
    out->offset = std::move(values->offset);
    out->locking = std::move(values->locking);
    out->with = std::move(values->with);
    out->unsupported_feature = std::move(values->unsupported_feature);
    ast::SelectTarget star;
    star.expr = std::make_unique<ast::Expr>(ast::ExprKind::Star, values->values_location);
    star.location = values->values_location;
    out->targets.push_back(std::move(star));
    auto item = std::make_unique<ast::FromItem>();
    item->table.alias = "*VALUES*";
    item->location = values->values_location;
    item->subquery = std::move(values);
    out->from.push_back(std::move(item));
    return out;
  }

  ast::StmtPtr insert(const PgQuery__InsertStmt* s) {
    auto out = std::make_unique<ast::InsertStmt>();
    std::string& feature = out->unsupported_feature;
    out->table = table_ref(s->relation);
    if (s->with_clause) with_clause(s->with_clause, out->with, out->with_recursive, feature);
    if (s->on_conflict_clause) on_conflict(s->on_conflict_clause, *out);
    returning(s->returning_list, s->n_returning_list, out->returning);
    out->overriding_user = s->override == PG_QUERY__OVERRIDING_KIND__OVERRIDING_USER_VALUE;
    out->overriding_system = s->override == PG_QUERY__OVERRIDING_KIND__OVERRIDING_SYSTEM_VALUE;
    for (size_t i = 0; i < s->n_cols; ++i) {
      const PgQuery__ResTarget* rt = s->cols[i]->res_target;
      if (rt->n_indirection > 0) note(feature, "assignment to a subfield or array element");
      out->columns.push_back(str(rt->name));
    }
    if (!s->select_stmt) return out;  // DEFAULT VALUES: no rows
    const PgQuery__SelectStmt* sel = s->select_stmt->select_stmt;
    bool plain_values = sel->n_values_lists > 0 && sel->op == PG_QUERY__SET_OPERATION__SETOP_NONE &&
                        !sel->with_clause && sel->n_sort_clause == 0 && !sel->limit_count &&
                        !sel->limit_offset && sel->n_locking_clause == 0;
    if (!plain_values) {
      out->select = select(sel);
      return out;
    }
    for (size_t r = 0; r < sel->n_values_lists; ++r) {
      const PgQuery__Node* row = sel->values_lists[r];
      std::vector<ExprPtr> values;
      if (row->node_case == PG_QUERY__NODE__NODE_LIST) {
        const PgQuery__List* list = row->list;
        values.reserve(list->n_items);
        for (size_t i = 0; i < list->n_items; ++i) {
          const PgQuery__Node* item = list->items[i];
          if (item->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT) {
            values.push_back(nullptr);
          } else {
            values.push_back(expr(item));
          }
        }
      } else {
        values.push_back(expr(row));
      }
      out->rows.push_back(std::move(values));
    }
    return out;
  }

  void on_conflict(const PgQuery__OnConflictClause* c, ast::InsertStmt& out) {
    std::string& feature = out.unsupported_feature;
    ast::OnConflict oc;
    oc.location = c->location;
    oc.do_update = c->action == PG_QUERY__ON_CONFLICT_ACTION__ONCONFLICT_UPDATE;
    if (const PgQuery__InferClause* infer = c->infer) {
      if (infer->conname && *infer->conname) oc.constraint = infer->conname;
      for (size_t i = 0; i < infer->n_index_elems; ++i) {
        const PgQuery__Node* n = infer->index_elems[i];
        if (n->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM) {
          note(feature, "ON CONFLICT with this target");
          continue;
        }
        const PgQuery__IndexElem* e = n->index_elem;
        if (e->expr || !e->name || !*e->name) {
          note(feature, "ON CONFLICT on an expression");
          continue;
        }
        if (e->n_collation > 0 || e->n_opclass > 0)
          note(feature, "ON CONFLICT with a collation or operator class");
        oc.target_columns.push_back(str(e->name));
      }
      oc.target_where = opt_expr(infer->where_clause);
    }
    if (oc.do_update) assignments(c->target_list, c->n_target_list, feature, oc.assignments, true);
    oc.where = opt_expr(c->where_clause);
    out.on_conflict = std::move(oc);
  }

  // SET a = x, b = DEFAULT (UPDATE, ON CONFLICT DO UPDATE): DEFAULT becomes a null expression when
  // `allow_default`, else an unsupported feature.
  void assignments(PgQuery__Node** list, size_t n, std::string& feature,
                   std::vector<std::pair<std::string, ExprPtr>>& out, bool allow_default) {
    for (size_t i = 0; i < n; ++i) {
      const PgQuery__ResTarget* rt = list[i]->res_target;
      if (rt->n_indirection > 0) note(feature, "assignment to a subfield or array element");
      const PgQuery__Node* val = rt->val;
      if (val && val->node_case == PG_QUERY__NODE__NODE_MULTI_ASSIGN_REF) {
        note(feature, "multiple-column assignment");
        continue;
      }
      if (val && val->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT) {
        if (!allow_default) {
          note(feature, "SET column = DEFAULT");
          continue;
        }
        out.emplace_back(str(rt->name), nullptr);
        continue;
      }
      out.emplace_back(str(rt->name), expr(val));
    }
  }

  // RETURNING's list: targets as a select list's.
  void returning(PgQuery__Node** list, size_t n, std::vector<ast::SelectTarget>& out) {
    for (size_t i = 0; i < n; ++i) {
      if (list[i]->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
        unsupported(node_field_name(list[i]) + " in RETURNING", -1);
      const PgQuery__ResTarget* rt = list[i]->res_target;
      ast::SelectTarget t;
      t.expr = expr(rt->val);
      t.alias = str(rt->name);
      t.location = rt->location;
      out.push_back(std::move(t));
    }
  }

  ast::StmtPtr update(const PgQuery__UpdateStmt* s) {
    auto out = std::make_unique<ast::UpdateStmt>();
    std::string& feature = out->unsupported_feature;
    out->table = table_ref(s->relation);
    if (s->with_clause) with_clause(s->with_clause, out->with, out->with_recursive, feature);
    for (size_t i = 0; i < s->n_from_clause; ++i)
      if (ast::FromItemPtr item = from_item(s->from_clause[i], feature)) out->from.push_back(std::move(item));
    returning(s->returning_list, s->n_returning_list, out->returning);
    if (s->where_clause && s->where_clause->node_case == PG_QUERY__NODE__NODE_CURRENT_OF_EXPR) {
      note(feature, "WHERE CURRENT OF");
      return out;
    }
    assignments(s->target_list, s->n_target_list, feature, out->assignments, true);
    out->where = opt_expr(s->where_clause);
    return out;
  }

  ast::StmtPtr del(const PgQuery__DeleteStmt* s) {
    auto out = std::make_unique<ast::DeleteStmt>();
    std::string& feature = out->unsupported_feature;
    out->table = table_ref(s->relation);
    if (s->with_clause) with_clause(s->with_clause, out->with, out->with_recursive, feature);
    for (size_t i = 0; i < s->n_using_clause; ++i)
      if (ast::FromItemPtr item = from_item(s->using_clause[i], feature))
        out->using_items.push_back(std::move(item));
    returning(s->returning_list, s->n_returning_list, out->returning);
    if (s->where_clause && s->where_clause->node_case == PG_QUERY__NODE__NODE_CURRENT_OF_EXPR) {
      note(feature, "WHERE CURRENT OF");
      return out;
    }
    out->where = opt_expr(s->where_clause);
    return out;
  }

  // ON COMMIT of CREATE TEMP TABLE (with or without AS): ast::CreateTableStmt::on_commit's letter.
  static char on_commit_action(PgQuery__OnCommitAction a) {
    switch (a) {
      case PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_PRESERVE_ROWS:
        return 'p';
      case PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_DELETE_ROWS:
        return 'd';
      case PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_DROP:
        return 'D';
      default:
        return 0;
    }
  }

  // CREATE TEMP / UNLOGGED: whether the relation is temporary (UNLOGGED is refused).
  static bool persistence(std::string& feature, const PgQuery__RangeVar* rv) {
    if (!rv || !rv->relpersistence) return false;
    if (rv->relpersistence[0] == 'u') note(feature, "UNLOGGED tables");
    return rv->relpersistence[0] == 't';
  }

  static const char* constraint_feature(PgQuery__ConstrType t) {
    switch (t) {
      case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
        return "CHECK constraints";
      case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        return "FOREIGN KEY constraints";
      case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        return "UNIQUE constraints";
      case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
        return "EXCLUDE constraints";
      case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
        return "identity columns";
      case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
        return "generated columns";
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
      case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE:
        return "DEFERRABLE constraints";
      default:
        return "constraint";
    }
  }

  // Index options a PRIMARY KEY / UNIQUE constraint can carry that OmenDB ignores.
  static bool has_index_options(const PgQuery__Constraint* c) {
    return c->n_including > 0 || c->n_options > 0 || (c->indexspace && *c->indexspace) ||
           (c->indexname && *c->indexname) || c->deferrable || c->initdeferred;
  }

  // Storage parameters of CREATE TABLE ... WITH (...) and ALTER TABLE SET / RESET (...) (`reset`: names
  // only). OmenDB keeps seal_after (docs/columnar.md, "Sealing by age"; its value is checked where the
  // table changes) and fillfactor (checked as PostgreSQL does, shown in reloptions, otherwise ignored: the
  // storage has no fill factor); PostgreSQL's other table parameters are refused (0A000 in `feature`);
  // a name PostgreSQL does not know is 22023, as there.
  std::vector<std::pair<std::string, std::string>> storage_parameters(PgQuery__Node** items, size_t n,
                                                                      bool reset, std::string& feature) {
    static const std::set<std::string, std::less<>> postgres_parameters = {
        "autovacuum_enabled",
        "autovacuum_vacuum_threshold",
        "autovacuum_vacuum_insert_threshold",
        "autovacuum_analyze_threshold",
        "autovacuum_vacuum_cost_delay",
        "autovacuum_vacuum_cost_limit",
        "autovacuum_freeze_min_age",
        "autovacuum_freeze_max_age",
        "autovacuum_freeze_table_age",
        "autovacuum_multixact_freeze_min_age",
        "autovacuum_multixact_freeze_max_age",
        "autovacuum_multixact_freeze_table_age",
        "log_autovacuum_min_duration",
        "autovacuum_vacuum_scale_factor",
        "autovacuum_vacuum_insert_scale_factor",
        "autovacuum_analyze_scale_factor",
        "toast_tuple_target",
        "parallel_workers",
        "user_catalog_table",
        "vacuum_index_cleanup",
        "vacuum_truncate"};
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < n; ++i) {
      if (items[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) {
        note(feature, "WITH storage parameters");
        continue;
      }
      const PgQuery__DefElem* d = items[i]->def_elem;
      std::string name = lower(str(d->defname));
      const std::string space = d->defnamespace ? lower(str(d->defnamespace)) : "";
      if (reset && d->arg)
        throw SqlError(SqlState::SyntaxError, "RESET must not include values for parameters");
      if (!space.empty() && space != "toast")
        throw SqlError(SqlState::InvalidParameterValue, "unrecognized parameter namespace \"" + space + "\"");
      const bool known = name == "fillfactor" || name == "seal_after" || name == "seal_bucket" ||
                         name == "oids" || postgres_parameters.count(name) > 0;
      if (!known || (!space.empty() && (name == "fillfactor" || name == "seal_after" ||
                                        name == "seal_bucket" || name == "oids")))
        throw SqlError(SqlState::InvalidParameterValue, "unrecognized parameter \"" + name + "\"");
      if (!space.empty() || postgres_parameters.count(name)) {
        note(feature, "storage parameter " + (space.empty() ? name : space + "." + name));
        continue;
      }
      // No value: "true", as PostgreSQL's transformRelOptions writes it. A bare word (seal_after = off)
      // arrives as a type name, as in PostgreSQL, whose defGetString prints it back.
      std::string value = reset ? "" : d->arg ? "" : "true";
      if (!reset && d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
        const PgQuery__TypeName* t = d->arg->type_name;
        for (size_t k = 0; k < t->n_names; ++k) value += (k ? "." : "") + string_of(t->names[k], t->location);
      } else if (!reset && d->arg) {
        value = value_text(d->arg);
      }
      if (name == "oids") {  // WITH (oids = false) is accepted (and not kept) by PostgreSQL 12 and later
        if (!reset && value != "false" && value != "off" && value != "0" && value != "no")
          note(feature, "WITH OIDS");
        continue;
      }
      for (const auto& [seen, v] : out)
        if (seen == name && !reset)
          throw SqlError(SqlState::InvalidParameterValue,
                         "parameter \"" + name + "\" specified more than once");
      if (name == "fillfactor" && !reset) {
        char* end = nullptr;
        long v = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0')
          throw SqlError(SqlState::InvalidParameterValue,
                         "invalid value for integer option \"fillfactor\": " + value);
        if (v < 10 || v > 100)
          throw SqlError(SqlState::InvalidParameterValue,
                         "value " + value + " out of bounds for option \"fillfactor\"")
              .with_detail("Valid values are between \"10\" and \"100\".");
      }
      out.emplace_back(std::move(name), std::move(value));
    }
    return out;
  }

  // CHECK (expr): `feature` collects what OmenDB does not do (NO INHERIT is meaningless without
  // inheritance and accepted, as DEFERRABLE is refused).
  ast::CheckConstraint check_constraint(const PgQuery__Constraint* c, std::string& feature) {
    if (c->deferrable || c->initdeferred) note(feature, "DEFERRABLE constraints");
    ast::CheckConstraint out;
    out.name = str(c->conname);
    out.expr = expr(c->raw_expr);
    out.text = deparse_expr(c->raw_expr);
    out.not_valid = c->skip_validation;
    out.location = c->location;
    return out;
  }

  // FOREIGN KEY (cols) REFERENCES t (cols) / col REFERENCES t (col); `column`: the column of a
  // column-level REFERENCES.
  ast::ForeignKeyConstraint foreign_key(const PgQuery__Constraint* c, std::string& feature,
                                        const std::string& column = {}) {
    if (c->deferrable || c->initdeferred) note(feature, "DEFERRABLE constraints");
    const char match = c->fk_matchtype && *c->fk_matchtype ? *c->fk_matchtype : 's';
    if (match == 'f') note(feature, "MATCH FULL");
    if (match == 'p') note(feature, "MATCH PARTIAL");
    if (c->skip_validation) note(feature, "FOREIGN KEY ... NOT VALID");
    ast::ForeignKeyConstraint out;
    out.name = str(c->conname);
    if (!column.empty()) out.columns.push_back(column);
    for (size_t k = 0; k < c->n_fk_attrs; ++k) out.columns.push_back(string_of(c->fk_attrs[k], c->location));
    if (c->pktable) out.ref_table = table_ref(c->pktable);
    for (size_t k = 0; k < c->n_pk_attrs; ++k)
      out.ref_columns.push_back(string_of(c->pk_attrs[k], c->location));
    auto action = [](const char* a) { return a && *a ? *a : 'a'; };
    out.on_update = action(c->fk_upd_action);
    out.on_delete = action(c->fk_del_action);
    for (size_t k = 0; k < c->n_fk_del_set_cols; ++k)
      out.delete_set_columns.push_back(string_of(c->fk_del_set_cols[k], c->location));
    out.not_valid = c->skip_validation;
    out.location = c->location;
    return out;
  }

  ast::StmtPtr create(const PgQuery__CreateStmt* s) {
    auto out = std::make_unique<ast::CreateTableStmt>();
    std::string& feature = out->unsupported_feature;
    out->table = table_ref(s->relation);
    out->if_not_exists = s->if_not_exists;
    out->temporary = persistence(feature, s->relation);
    if (s->n_inh_relations > 0) note(feature, s->partbound ? "PARTITION OF" : "INHERITS");
    if (s->partbound) note(feature, "PARTITION OF");
    if (s->partspec) note(feature, "PARTITION BY");
    if (s->of_typename) note(feature, "CREATE TABLE OF type");
    out->options = storage_parameters(s->options, s->n_options, false, feature);
    out->on_commit = on_commit_action(s->oncommit);
    if (s->tablespacename && *s->tablespacename) note(feature, "TABLESPACE");
    if (s->access_method && *s->access_method) note(feature, "table access methods");

    auto table_constraint = [&](const PgQuery__Constraint* c) {
      if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) {
        if (has_index_options(c)) note(feature, "PRIMARY KEY index options");
        if (c->conname && *c->conname) out->primary_key_name = c->conname;
        if (!out->primary_key.empty()) {
          throw SqlError(SqlState::InvalidTableDefinition,
                         "multiple primary keys for table \"" + out->table.name + "\" are not allowed")
              .at(pos(c->location));
        }
        for (size_t k = 0; k < c->n_keys; ++k) out->primary_key.push_back(string_of(c->keys[k], c->location));
      } else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE) {
        if (has_index_options(c)) note(feature, "UNIQUE index options");
        ast::UniqueConstraint u;
        u.name = str(c->conname);
        u.nulls_not_distinct = c->nulls_not_distinct;
        u.location = c->location;
        for (size_t k = 0; k < c->n_keys; ++k) u.columns.push_back(string_of(c->keys[k], c->location));
        out->uniques.push_back(std::move(u));
      } else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK) {
        out->checks.push_back(check_constraint(c, feature));
      } else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN) {
        out->foreign_keys.push_back(foreign_key(c, feature));
      } else {
        note(feature, constraint_feature(c->contype));
      }
    };

    for (size_t i = 0; i < s->n_table_elts; ++i) {
      const PgQuery__Node* elt = s->table_elts[i];
      switch (elt->node_case) {
        case PG_QUERY__NODE__NODE_COLUMN_DEF:
          out->columns.push_back(column_def(elt->column_def, feature, out->table.name, &out->uniques,
                                            &out->checks, &out->foreign_keys));
          break;
        case PG_QUERY__NODE__NODE_CONSTRAINT:
          table_constraint(elt->constraint);
          break;
        case PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE:
          note(feature, "CREATE TABLE ... LIKE");
          break;
        default:
          note(feature, "table element");
          break;
      }
    }
    for (size_t i = 0; i < s->n_constraints; ++i) {
      const PgQuery__Node* c = s->constraints[i];
      if (c->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) table_constraint(c->constraint);
    }
    return out;
  }

  // `uniques`: where a column-level UNIQUE goes (CREATE TABLE); null: only ColumnDef::unique is set.
  // `checks`, `foreign_keys`: where column-level CHECK and REFERENCES go (null: refused, 0A000).
  ast::ColumnDef column_def(const PgQuery__ColumnDef* cd, std::string& feature, const std::string& table,
                            std::vector<ast::UniqueConstraint>* uniques = nullptr,
                            std::vector<ast::CheckConstraint>* checks = nullptr,
                            std::vector<ast::ForeignKeyConstraint>* foreign_keys = nullptr) {
    ast::ColumnDef col;
    col.name = str(cd->colname);
    col.table = table;
    col.location = cd->location;
    if (cd->type_name) col.type = type_name(cd->type_name);
    col.not_null = cd->is_not_null;
    if (cd->coll_clause) note(feature, "COLLATE");
    if (cd->compression && *cd->compression) note(feature, "COMPRESSION");
    if (cd->raw_default) {
      col.default_expr = expr(cd->raw_default);
      col.default_text = deparse_expr(cd->raw_default);
    }
    bool saw_null = false, saw_not_null = false;
    for (size_t i = 0; i < cd->n_constraints; ++i) {
      const PgQuery__Node* n = cd->constraints[i];
      if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) continue;
      const PgQuery__Constraint* c = n->constraint;
      switch (c->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
          saw_null = true;
          break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
          saw_not_null = true;
          col.not_null = true;
          break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
          if (col.default_expr) {
            throw SqlError(SqlState::SyntaxError, "multiple default values specified for column \"" +
                                                      col.name + "\" of table \"" + table + "\"")
                .at(pos(c->location));
          }
          col.default_expr = expr(c->raw_expr);
          col.default_text = deparse_expr(c->raw_expr);
          break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
          if (has_index_options(c)) note(feature, "PRIMARY KEY index options");
          if (c->conname && *c->conname) col.primary_key_name = c->conname;
          col.primary_key = true;
          break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
          if (has_index_options(c)) note(feature, "UNIQUE index options");
          col.unique = true;
          if (uniques) {
            ast::UniqueConstraint u;
            u.name = str(c->conname);
            u.columns.push_back(col.name);
            u.nulls_not_distinct = c->nulls_not_distinct;
            u.location = c->location;
            uniques->push_back(std::move(u));
          }
          break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
          if (col.identity)
            throw SqlError(SqlState::SyntaxError, "multiple identity specifications for column \"" +
                                                      col.name + "\" of table \"" + table + "\"")
                .at(pos(c->location));
          col.identity = c->generated_when && *c->generated_when == 'a' ? 'a' : 'd';
          col.identity_options = sequence_options(c->options, c->n_options);
          break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
          if (!checks) {
            note(feature, constraint_feature(c->contype));
            break;
          }
          checks->push_back(check_constraint(c, feature));
          break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
          if (!foreign_keys) {
            note(feature, constraint_feature(c->contype));
            break;
          }
          foreign_keys->push_back(foreign_key(c, feature, col.name));
          break;
        default:
          note(feature, constraint_feature(c->contype));
          break;
      }
      if (saw_null && saw_not_null) {
        throw SqlError(SqlState::SyntaxError, "conflicting NULL/NOT NULL declarations for column \"" +
                                                  col.name + "\" of table \"" + table + "\"")
            .at(pos(c->location));
      }
    }
    return col;
  }

  ast::StmtPtr truncate(const PgQuery__TruncateStmt* s) {
    auto out = std::make_unique<ast::TruncateStmt>();
    for (size_t i = 0; i < s->n_relations; ++i) {
      const PgQuery__Node* n = s->relations[i];
      if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) out->tables.push_back(table_ref(n->range_var));
    }
    out->restart_identity = s->restart_seqs;
    out->cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    return out;
  }

  ast::StmtPtr rename(const PgQuery__RenameStmt* s) {
    auto out = std::make_unique<ast::AlterTableStmt>();
    out->table = table_ref(s->relation);
    out->if_exists = s->missing_ok;
    out->view = s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
                s->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW;
    ast::AlterTableCmd cmd;
    if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN) {
      cmd.kind = ast::AlterTableCmd::Kind::RenameColumn;
      cmd.column = str(s->subname);
    } else {
      cmd.kind = ast::AlterTableCmd::Kind::RenameTable;
    }
    cmd.new_name = str(s->newname);
    out->cmds.push_back(std::move(cmd));
    return out;
  }

  // ALTER TABLE subcommands by PostgreSQL's names for the ones OmenDB refuses (0A000 names them).
  static const char* alter_table_feature(PgQuery__AlterTableType t) {
    switch (t) {
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        return "ALTER TABLE ... ALTER COLUMN TYPE";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
        return "ALTER TABLE ... ALTER COLUMN SET STATISTICS";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
        return "ALTER TABLE ... ALTER COLUMN SET / RESET (options)";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage:
        return "ALTER TABLE ... ALTER COLUMN SET STORAGE";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression:
        return "ALTER TABLE ... ALTER COLUMN SET COMPRESSION";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression:
        return "ALTER TABLE ... ALTER COLUMN DROP EXPRESSION";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity:
        return "ALTER TABLE ... identity columns";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint:
        return "ALTER TABLE ... ALTER CONSTRAINT";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
        return "ALTER TABLE ... CLUSTER";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
        return "ALTER TABLE ... SET LOGGED / UNLOGGED";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
        return "ALTER TABLE ... SET ACCESS METHOD";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
        return "ALTER TABLE ... SET TABLESPACE";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplaceRelOptions:
        return "ALTER TABLE ... SET / RESET (storage parameters)";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
        return "ALTER TABLE ... ENABLE / DISABLE TRIGGER";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRule:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysRule:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaRule:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRule:
        return "ALTER TABLE ... ENABLE / DISABLE RULE";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit:
        return "ALTER TABLE ... INHERIT";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddOf:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DropOf:
        return "ALTER TABLE ... OF";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity:
        return "ALTER TABLE ... REPLICA IDENTITY";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
        return "ALTER TABLE ... ROW LEVEL SECURITY";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
      case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
        return "ALTER TABLE ... ATTACH / DETACH PARTITION";
      case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIndex:
        return "ALTER TABLE ... ADD UNIQUE";
      default:
        return "this ALTER TABLE subcommand";
    }
  }

  // OWNER TO's role: its name, "public" for PUBLIC, empty for CURRENT_USER / CURRENT_ROLE / SESSION_USER.
  static std::string role_name(const PgQuery__RoleSpec* r) {
    if (r && r->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING) return str(r->rolename);
    if (r && r->roletype == PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC) return "public";
    return {};
  }

  // COMMENT ON ... IS ...: the object kinds OmenDB keeps comments for; any other is named for 0A000.
  ast::StmtPtr comment(const PgQuery__CommentStmt* c) {
    using O = ast::CommentStmt::Object;
    auto out = std::make_unique<ast::CommentStmt>();
    switch (c->objtype) {
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        out->object = O::Table;
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
        out->object = O::View;
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        out->object = O::Sequence;
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        out->object = O::Index;
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
        out->object = O::Column;
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
        out->object = O::Constraint;
        break;
      case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
        out->object = O::Schema;
        break;
      default:
        out->feature = "COMMENT ON " + object_type_name(c->objtype);
        return out;
    }
    const PgQuery__Node* o = c->object;
    if (o && o->node_case == PG_QUERY__NODE__NODE_LIST) {
      for (size_t i = 0; i < o->list->n_items; ++i) out->name.push_back(string_of(o->list->items[i], -1));
    } else {
      out->name.push_back(string_of(o, -1));
    }
    if (c->comment) out->comment = str(c->comment);
    return out;
  }

  // ALTER VIEW / ALTER SEQUENCE whose only subcommand is OWNER TO (pg_dump writes ALTER TABLE for them).
  static bool only_owner(const PgQuery__AlterTableStmt* s) {
    if (s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_VIEW &&
        s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE)
      return false;
    for (size_t i = 0; i < s->n_cmds; ++i)
      if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD ||
          s->cmds[i]->alter_table_cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner)
        return false;
    return s->n_cmds > 0;
  }

  ast::StmtPtr alter_table(const PgQuery__AlterTableStmt* s) {
    using K = ast::AlterTableCmd::Kind;
    auto out = std::make_unique<ast::AlterTableStmt>();
    out->table = table_ref(s->relation);
    out->if_exists = s->missing_ok;
    out->view = s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW;
    out->sequence = s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE;
    for (size_t i = 0; i < s->n_cmds; ++i) {
      if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) continue;
      const PgQuery__AlterTableCmd* c = s->cmds[i]->alter_table_cmd;
      ast::AlterTableCmd cmd;
      cmd.column = str(c->name);
      cmd.missing_ok = c->missing_ok;
      cmd.cascade = c->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
      switch (c->subtype) {
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
          cmd.kind = K::AddColumn;
          cmd.if_not_exists = c->missing_ok;
          if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            std::vector<ast::UniqueConstraint> uniques;   // ADD COLUMN ... UNIQUE: its name in cmd.constraint
            std::vector<ast::CheckConstraint> checks;     // ... CHECK: cmd.check
            std::vector<ast::ForeignKeyConstraint> keys;  // ... REFERENCES: cmd.foreign_key
            cmd.column_def =
                column_def(c->def->column_def, cmd.feature, out->table.name, &uniques, &checks, &keys);
            if (!uniques.empty()) {
              cmd.constraint = uniques[0].name;
              cmd.nulls_not_distinct = uniques[0].nulls_not_distinct;
            }
            if (checks.size() > 1 || keys.size() > 1)
              note(cmd.feature, "several CHECK or REFERENCES in ADD COLUMN");
            if (!checks.empty()) cmd.check = std::move(checks[0]);
            if (!keys.empty()) cmd.foreign_key = std::move(keys[0]);
            cmd.column = cmd.column_def.name;
            cmd.location = c->def->column_def->location;
          }
          if (!cmd.feature.empty()) cmd.kind = K::Unsupported;
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
          cmd.kind = K::DropColumn;
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
          if (c->def) {
            cmd.kind = K::SetDefault;
            cmd.column_def.default_expr = expr(c->def);
            cmd.column_def.default_text = deparse_expr(c->def);
          } else {
            cmd.kind = K::DropDefault;
          }
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
          cmd.kind = K::SetNotNull;
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
          cmd.kind = K::DropNotNull;
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
          if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            const PgQuery__Constraint* con = c->def->constraint;
            cmd.location = con->location;
            if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) {
              if (has_index_options(con) || (con->indexname && *con->indexname)) {
                cmd.feature = "PRIMARY KEY index options";
                break;
              }
              cmd.kind = K::AddPrimaryKey;
              cmd.constraint = str(con->conname);
              for (size_t k = 0; k < con->n_keys; ++k)
                cmd.keys.push_back(string_of(con->keys[k], con->location));
            } else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE) {
              if (has_index_options(con) || (con->indexname && *con->indexname)) {
                cmd.feature = "UNIQUE index options";
                break;
              }
              cmd.kind = K::AddUnique;
              cmd.constraint = str(con->conname);
              cmd.nulls_not_distinct = con->nulls_not_distinct;
              for (size_t k = 0; k < con->n_keys; ++k)
                cmd.keys.push_back(string_of(con->keys[k], con->location));
            } else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK) {
              cmd.check = check_constraint(con, cmd.feature);
              cmd.constraint = cmd.check.name;
              if (cmd.feature.empty()) cmd.kind = K::AddCheck;
            } else if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN) {
              cmd.foreign_key = foreign_key(con, cmd.feature);
              cmd.constraint = cmd.foreign_key.name;
              if (cmd.feature.empty()) cmd.kind = K::AddForeignKey;
            } else {
              cmd.feature = std::string("ALTER TABLE ... ADD ") + constraint_feature(con->contype);
            }
          }
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
          cmd.kind = K::ValidateConstraint;
          cmd.constraint = str(c->name);
          cmd.column.clear();
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
          cmd.kind = K::DropConstraint;
          cmd.constraint = str(c->name);
          cmd.column.clear();
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
          cmd.kind = K::ChangeOwner;
          cmd.column.clear();
          cmd.new_name = role_name(c->newowner);
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
        case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
          if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_LIST) {
            const bool reset = c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions;
            cmd.options = storage_parameters(c->def->list->items, c->def->list->n_items, reset, cmd.feature);
            if (cmd.feature.empty()) cmd.kind = reset ? K::ResetOptions : K::SetOptions;
          } else {
            cmd.feature = alter_table_feature(c->subtype);
          }
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
          // ALTER [COLUMN] c [SET DATA] TYPE t [COLLATE x] [USING expr]: a ColumnDef with the type, USING
          // as its raw_default
          if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF &&
              c->def->column_def->type_name) {
            const PgQuery__ColumnDef* cd = c->def->column_def;
            cmd.column_def.name = cmd.column;
            cmd.column_def.table = out->table.name;
            cmd.column_def.type = type_name(cd->type_name);
            cmd.column_def.location = cd->location;
            if (cd->raw_default) cmd.using_expr = expr(cd->raw_default);
            if (cd->coll_clause) cmd.feature = "ALTER TABLE ... ALTER COLUMN TYPE ... COLLATE";
            if (cmd.feature.empty()) cmd.kind = K::AlterType;
          } else {
            cmd.feature = alter_table_feature(c->subtype);
          }
          break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
          // ALTER COLUMN c ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)] (pg_dump's form)
          if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
              c->def->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY) {
            const PgQuery__Constraint* k = c->def->constraint;
            cmd.kind = K::AddIdentity;
            cmd.column_def.identity = k->generated_when && *k->generated_when == 'a' ? 'a' : 'd';
            cmd.column_def.identity_options = sequence_options(k->options, k->n_options);
          } else {
            cmd.feature = alter_table_feature(c->subtype);
          }
          break;
        default:
          cmd.feature = alter_table_feature(c->subtype);
          break;
      }
      if (cmd.kind == K::Unsupported && cmd.feature.empty()) cmd.feature = "this ALTER TABLE subcommand";
      out->cmds.push_back(std::move(cmd));
    }
    return out;
  }

  // CREATE TABLE ... AS query and SELECT ... INTO (`query` is the SELECT, its INTO taken out): a table
  // whose columns are the query's, filled by INSERT INTO table query (docs/schema.md, "CREATE TABLE AS").
  ast::StmtPtr create_table_as(const PgQuery__IntoClause* into, const PgQuery__Node* query,
                               bool if_not_exists) {
    auto out = std::make_unique<ast::CreateTableStmt>();
    std::string& feature = out->unsupported_feature;
    out->table = table_ref(into->rel);
    out->if_not_exists = if_not_exists;
    out->temporary = persistence(feature, into->rel);
    for (size_t i = 0; i < into->n_col_names; ++i)
      out->as_columns.push_back(string_of(into->col_names[i], -1));
    out->options = storage_parameters(into->options, into->n_options, false, feature);
    out->on_commit = on_commit_action(into->on_commit);
    if (into->table_space_name && *into->table_space_name) note(feature, "TABLESPACE");
    if (into->access_method && *into->access_method) note(feature, "table access methods");
    out->with_no_data = into->skip_data;
    auto insert = std::make_unique<ast::InsertStmt>();
    insert->table = out->table;
    if (query && query->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
      insert->select = select(query->select_stmt);
    } else {
      note(feature, "CREATE TABLE AS EXECUTE");
    }
    out->as_query = std::move(insert);
    return out;
  }

  // SELECT ... INTO at the top of a statement (in the leftmost SELECT of a set operation, as PostgreSQL's
  // transformOptionalSelectInto finds it): CREATE TABLE AS. Elsewhere INTO stays refused.
  ast::StmtPtr select_or_into(const PgQuery__Node* n) {
    const PgQuery__SelectStmt* leaf = n->select_stmt;
    while (leaf && leaf->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
      for (const PgQuery__SelectStmt* r = leaf->rarg; r; r = r->larg)
        if (r->op == PG_QUERY__SET_OPERATION__SETOP_NONE && r->into_clause)
          throw SqlError(SqlState::SyntaxError,
                         "INTO is only allowed on first SELECT of UNION/INTERSECT/EXCEPT")
              .at(pos(r->into_clause->rel ? r->into_clause->rel->location : -1));
      leaf = leaf->larg;
    }
    if (!leaf || !leaf->into_clause) return select(n->select_stmt);
    taken_into_ = leaf->into_clause;
    ast::StmtPtr out = create_table_as(leaf->into_clause, n, false);
    static_cast<ast::CreateTableStmt&>(*out).select_into = true;
    return out;
  }

  ast::StmtPtr drop(const PgQuery__DropStmt* s) {
    auto out = std::make_unique<ast::DropTableStmt>();
    out->if_exists = s->missing_ok;
    out->cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    for (size_t i = 0; i < s->n_objects; ++i) {
      const PgQuery__Node* obj = s->objects[i];
      if (obj->node_case != PG_QUERY__NODE__NODE_LIST) continue;
      const PgQuery__List* names = obj->list;
      ast::TableRef t;
      if (names->n_items >= 3) unsupported("cross-database references", -1);
      if (names->n_items == 2) {
        t.schema = string_of(names->items[0], -1);
        t.name = string_of(names->items[1], -1);
      } else if (names->n_items == 1) {
        t.name = string_of(names->items[0], -1);
      }
      out->tables.push_back(std::move(t));
    }
    return out;
  }

  ast::StmtPtr create_view(const PgQuery__ViewStmt* v) {
    auto out = std::make_unique<ast::CreateViewStmt>();
    out->view = table_ref(v->view);
    out->replace = v->replace;
    if (v->view && v->view->relpersistence && v->view->relpersistence[0] == 't')
      note(out->unsupported_feature, "TEMPORARY views");
    for (size_t i = 0; i < v->n_options; ++i) {  // WITH (check_option = local | cascaded), as the clause
      const PgQuery__Node* n = v->options[i];
      const PgQuery__DefElem* d = n->node_case == PG_QUERY__NODE__NODE_DEF_ELEM ? n->def_elem : nullptr;
      // (a bare word, check_option = local, arrives as a type name)
      const bool word = d && d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME &&
                        d->arg->type_name->n_names == 1;
      const std::string value = word          ? lower(string_of(d->arg->type_name->names[0], -1))
                                : d && d->arg ? lower(value_text(d->arg))
                                              : "";
      if (d && (!d->defnamespace || !*d->defnamespace) && lower(str(d->defname)) == "check_option" &&
          (value == "local" || value == "cascaded"))
        out->check_option = value;
      else
        note(out->unsupported_feature, "view options (WITH (...)) other than check_option");
    }
    if (v->with_check_option == PG_QUERY__VIEW_CHECK_OPTION__LOCAL_CHECK_OPTION) out->check_option = "local";
    if (v->with_check_option == PG_QUERY__VIEW_CHECK_OPTION__CASCADED_CHECK_OPTION)
      out->check_option = "cascaded";
    for (size_t i = 0; i < v->n_aliases; ++i) out->columns.push_back(string_of(v->aliases[i], -1));
    if (!v->query || v->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
      unsupported("this CREATE VIEW query", -1);
    out->query = deparse_statement(v->query);
    if (out->query.empty()) throw SqlError(SqlState::InternalError, "could not deparse the view's query");
    return out;
  }

  ast::StmtPtr drop_index(const PgQuery__DropStmt* s) {
    auto d = drop(s);
    auto& tables = static_cast<ast::DropTableStmt&>(*d);
    auto out = std::make_unique<ast::DropIndexStmt>();
    out->indexes = std::move(tables.tables);
    out->if_exists = tables.if_exists;
    out->concurrently = s->concurrent;
    return out;
  }

  ast::StmtPtr create_index(const PgQuery__IndexStmt* s) {
    auto out = std::make_unique<ast::CreateIndexStmt>();
    out->name = str(s->idxname);
    out->table = table_ref(s->relation);
    out->unique = s->unique;
    out->nulls_not_distinct = s->nulls_not_distinct;
    out->if_not_exists = s->if_not_exists;
    out->concurrently = s->concurrent;
    std::string& feature = out->unsupported_feature;
    auto refuse = [&](const char* what) {
      if (feature.empty()) feature = what;
    };
    const std::string method = str(s->access_method);
    if (!method.empty() && method != "btree") refuse("index access methods other than btree");
    if (s->concurrent) refuse("CREATE INDEX CONCURRENTLY");
    if (s->n_index_including_params > 0) refuse("INCLUDE columns of an index");
    if (s->where_clause) {
      out->where = expr(s->where_clause);
      out->where_text = deparse_expr(s->where_clause);
    }
    if (s->n_options > 0) refuse("index storage parameters");
    if (s->table_space && *s->table_space) refuse("tablespaces");
    for (size_t i = 0; i < s->n_index_params; ++i) {
      const PgQuery__Node* n = s->index_params[i];
      if (n->node_case != PG_QUERY__NODE__NODE_INDEX_ELEM) continue;
      const PgQuery__IndexElem* e = n->index_elem;
      ast::CreateIndexStmt::Element element;
      if (e->expr) {
        element.expr = expr(e->expr);
        element.text = deparse_expr(e->expr);
        element.name = figure_colname(e->expr);
        element.location = element.expr->location;
      } else {
        element.column = str(e->name);
      }
      if (e->n_collation > 0) refuse("COLLATE in an index");
      if (e->n_opclass > 0) refuse("index operator classes");
      if (e->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_USING) refuse("USING in an index column");
      const bool desc = e->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
      const bool nulls_first = e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_DEFAULT
                                   ? desc
                                   : e->nulls_ordering == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST;
      element.option = static_cast<uint8_t>((desc ? 1 : 0) | (nulls_first ? 2 : 0));
      out->elements.push_back(std::move(element));
    }
    return out;
  }

  // The name PostgreSQL gives an index expression's column (FigureColname): a function's name, a cast's
  // argument's, a column's, else "expr".
  std::string figure_colname(const PgQuery__Node* n) {
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const PgQuery__ColumnRef* c = n->column_ref;
        if (c->n_fields > 0 && c->fields[c->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_STRING)
          return str(c->fields[c->n_fields - 1]->string->sval);
        return "expr";
      }
      case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const PgQuery__FuncCall* f = n->func_call;
        if (f->n_funcname > 0 && f->funcname[f->n_funcname - 1]->node_case == PG_QUERY__NODE__NODE_STRING)
          return str(f->funcname[f->n_funcname - 1]->string->sval);
        return "expr";
      }
      case PG_QUERY__NODE__NODE_TYPE_CAST: {
        std::string inner = figure_colname(n->type_cast->arg);
        if (inner != "expr") return inner;
        const PgQuery__TypeName* t = n->type_cast->type_name;
        if (t && t->n_names > 0 && t->names[t->n_names - 1]->node_case == PG_QUERY__NODE__NODE_STRING)
          return str(t->names[t->n_names - 1]->string->sval);
        return "expr";
      }
      case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return "coalesce";
      case PG_QUERY__NODE__NODE_CASE_EXPR:
        return "case";
      default:
        return "expr";
    }
  }

  // CREATE / ALTER SEQUENCE options (and an identity column's): PostgreSQL's DefElems.
  std::vector<ast::SequenceOption> sequence_options(PgQuery__Node** options, size_t n) {
    std::vector<ast::SequenceOption> out;
    for (size_t i = 0; i < n; ++i) {
      if (options[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) unsupported("this sequence option", -1);
      const PgQuery__DefElem* d = options[i]->def_elem;
      ast::SequenceOption o;
      o.name = str(d->defname);
      o.location = d->location;
      if (d->arg) {
        o.has_arg = true;
        if (d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
          o.value = type_name(d->arg->type_name).name;
        } else if (d->arg->node_case == PG_QUERY__NODE__NODE_LIST) {
          for (size_t k = 0; k < d->arg->list->n_items; ++k)
            o.list.push_back(string_of(d->arg->list->items[k], d->location));
        } else if (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) {
          o.flag = d->arg->boolean->boolval;
        } else if (d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER && o.name == "cycle") {
          o.flag = d->arg->integer->ival != 0;
        } else {
          o.value = value_text(d->arg);
        }
      }
      out.push_back(std::move(o));
    }
    return out;
  }

  // Text of an option / SET value argument: strings unquoted, numbers as written.
  std::string value_text(const PgQuery__Node* n) {
    if (!n) return "";
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_STRING:
        return str(n->string->sval);
      case PG_QUERY__NODE__NODE_INTEGER:
        return std::to_string(n->integer->ival);
      case PG_QUERY__NODE__NODE_FLOAT:
        return str(n->float_->fval);
      case PG_QUERY__NODE__NODE_BOOLEAN:
        return n->boolean->boolval ? "true" : "false";
      case PG_QUERY__NODE__NODE_TYPE_CAST:
        return value_text(n->type_cast->arg);
      case PG_QUERY__NODE__NODE_A_CONST: {
        const PgQuery__AConst* c = n->a_const;
        if (c->isnull) return "";
        switch (c->val_case) {
          case PG_QUERY__A__CONST__VAL_IVAL:
            return std::to_string(c->ival->ival);
          case PG_QUERY__A__CONST__VAL_FVAL:
            return str(c->fval->fval);
          case PG_QUERY__A__CONST__VAL_BOOLVAL:
            return c->boolval->boolval ? "true" : "false";
          case PG_QUERY__A__CONST__VAL_SVAL:
            return str(c->sval->sval);
          case PG_QUERY__A__CONST__VAL_BSVAL:
            return str(c->bsval->bsval);
          default:
            return "";
        }
      }
      case PG_QUERY__NODE__NODE_DEF_ELEM:
        return value_text(n->def_elem->arg);
      default:
        unsupported(node_field_name(n) + " as a setting value", -1);
    }
  }

  ast::StmtPtr copy(const PgQuery__CopyStmt* s) {
    auto out = std::make_unique<ast::CopyStmt>();
    if (s->relation) out->table = table_ref(s->relation);
    for (size_t i = 0; i < s->n_attlist; ++i) out->columns.push_back(string_of(s->attlist[i], -1));
    if (s->query) out->query = stmt(s->query);
    out->is_from = s->is_from;
    out->is_program = s->is_program;
    out->filename = str(s->filename);
    out->has_where = s->where_clause != nullptr;
    for (size_t i = 0; i < s->n_options; ++i) {
      const PgQuery__Node* n = s->options[i];
      if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
      const PgQuery__DefElem* d = n->def_elem;
      ast::CopyOption o;
      o.name = lower(str(d->defname));
      o.location = d->location;
      if (!d->arg) {
        o.arg = ast::CopyOption::Arg::None;
      } else if (d->arg->node_case == PG_QUERY__NODE__NODE_A_STAR) {
        o.arg = ast::CopyOption::Arg::Star;
      } else if (d->arg->node_case == PG_QUERY__NODE__NODE_LIST) {
        o.arg = ast::CopyOption::Arg::List;
        for (size_t k = 0; k < d->arg->list->n_items; ++k)
          o.list.push_back(string_of(d->arg->list->items[k], -1));
      } else {
        o.arg = ast::CopyOption::Arg::Value;
        o.value = value_text(d->arg);
      }
      out->options.push_back(std::move(o));
    }
    return out;
  }

  ast::StmtPtr vacuum(const PgQuery__VacuumStmt* s) {
    auto out = std::make_unique<ast::VacuumStmt>();
    out->vacuum = s->is_vacuumcmd;
    out->analyze = !s->is_vacuumcmd;
    for (size_t i = 0; i < s->n_options; ++i) {
      const PgQuery__Node* n = s->options[i];
      if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
      std::string name = lower(str(n->def_elem->defname));
      bool value = true;
      if (n->def_elem->arg) parse_bool_option(value_text(n->def_elem->arg), &value);
      if (name == "verbose") out->verbose = value;
      if (name == "analyze" && s->is_vacuumcmd) out->analyze = value;
      // ANALYZE takes VERBOSE and SKIP_LOCKED only (PostgreSQL 15's ExecVacuum).
      if (!s->is_vacuumcmd && name != "verbose" && name != "skip_locked")
        throw SqlError(SqlState::SyntaxError, "unrecognized ANALYZE option \"" + name + "\"")
            .at(n->def_elem->location + 1);
      out->options.push_back(name);
    }
    bool column_list = false;
    for (size_t i = 0; i < s->n_rels; ++i) {
      const PgQuery__Node* n = s->rels[i];
      if (n->node_case != PG_QUERY__NODE__NODE_VACUUM_RELATION || !n->vacuum_relation->relation) continue;
      std::vector<std::string> cols;
      for (size_t c = 0; c < n->vacuum_relation->n_va_cols; ++c)
        cols.push_back(string_of(n->vacuum_relation->va_cols[c], -1));
      column_list |= !cols.empty();
      out->tables.push_back(table_ref(n->vacuum_relation->relation));
      out->columns.push_back(std::move(cols));
    }
    if (column_list && !out->analyze)
      throw SqlError(SqlState::FeatureNotSupported,
                     "ANALYZE option must be specified when a column list is provided");
    return out;
  }

  ast::StmtPtr explain(const PgQuery__ExplainStmt* s) {
    auto out = std::make_unique<ast::ExplainStmt>();
    for (size_t i = 0; i < s->n_options; ++i) {
      const PgQuery__Node* n = s->options[i];
      if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
      const PgQuery__DefElem* d = n->def_elem;
      std::string name = lower(str(d->defname));
      bool value = true;
      bool ok = !d->arg || parse_bool_option(value_text(d->arg), &value);
      if (ok && name == "codegen") {
        out->codegen = value;
      } else if (ok && name == "analyze") {
        out->analyze = value;
      } else if (ok && name == "summary") {
        out->summary = value;
      } else {
        out->unknown_options.push_back(name);
      }
    }
    if (s->query) out->stmt = stmt(s->query);
    return out;
  }

  // transaction_read_only's value (1/0 from the grammar, or on/off/true/false) as "on"/"off".
  std::string read_only_text(const PgQuery__Node* arg) {
    bool on = false;
    parse_bool_option(value_text(arg), &on);
    return on ? "on" : "off";
  }

  ast::StmtPtr transaction(const PgQuery__TransactionStmt* s) {
    auto out = std::make_unique<ast::TransactionStmt>();
    using K = ast::TransactionKind;
    switch (s->kind) {
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        out->txn_kind = K::Begin;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        out->txn_kind = K::Commit;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        out->txn_kind = K::Rollback;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
        out->txn_kind = K::Savepoint;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
        out->txn_kind = K::Release;
        break;
      case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
        out->txn_kind = K::RollbackToSavepoint;
        break;
      default:
        out->txn_kind = K::Other;
        break;
    }
    out->savepoint_name = str(s->savepoint_name);
    for (size_t i = 0; i < s->n_options; ++i) {
      const PgQuery__Node* n = s->options[i];
      if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
      const std::string name = str(n->def_elem->defname);
      if (name == "transaction_isolation") out->isolation = lower(value_text(n->def_elem->arg));
      if (name == "transaction_read_only") out->read_only = read_only_text(n->def_elem->arg) == "on";
    }
    return out;
  }

  // PostgreSQL's quote_identifier (without its keyword check): "name" unless lower-case letters, digits
  // and underscores not starting with a digit.
  static std::string quote_name(const std::string& name) {
    bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
    for (char ch : name) safe = safe && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
    if (safe) return name;
    std::string out = "\"";
    for (char ch : name) {
      if (ch == '"') out += '"';
      out += ch;
    }
    return out + "\"";
  }

  ast::StmtPtr set(const PgQuery__VariableSetStmt* s) {
    auto out = std::make_unique<ast::SetStmt>();
    out->name = lower(str(s->name));
    out->transaction_only = s->is_local;
    switch (s->kind) {
      case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE:
        for (size_t i = 0; i < s->n_args; ++i) {
          if (i > 0) out->value += ", ";
          // search_path's elements are names: quoted where needed, as PostgreSQL's GUC_LIST_QUOTE.
          const PgQuery__Node* arg = s->args[i];
          const bool text = arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                            arg->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL;
          out->value += out->name == "search_path" && text ? quote_name(value_text(arg)) : value_text(arg);
        }
        // SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE: PostgreSQL's flatten_set_variable_args passes
        // "INTERVAL '...'" on, which check_timezone reads as an offset east of UTC.
        if (s->n_args == 1 && s->args[0]->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
            s->args[0]->type_cast->type_name) {
          ast::TypeName t = type_name(s->args[0]->type_cast->type_name);
          if (t.name == "interval") {
            constexpr int kFullRange = 0x7FFF;
            bool bare_number = out->value.find_first_not_of("+-0123456789. ") == std::string::npos;
            if (!t.typmods.empty() && t.typmods[0] != kFullRange && bare_number)
              unsupported("SET TIME ZONE INTERVAL with a field qualifier on a bare number", t.location);
            out->value = "INTERVAL '" + out->value + "'";
          }
        }
        break;
      case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_MULTI: {
        // SET TRANSACTION <modes> / SET SESSION CHARACTERISTICS AS TRANSACTION <modes>: one DefElem per
        // mode, each a setting (transaction_isolation, transaction_read_only, transaction_deferrable, or
        // their default_ forms), applied in order.
        const bool session = out->name == "session characteristics";
        bool first = true;
        for (size_t i = 0; i < s->n_args; ++i) {
          const PgQuery__Node* n = s->args[i];
          if (n->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
          const PgQuery__DefElem* d = n->def_elem;
          const std::string mode = str(d->defname);
          std::string name = session ? "default_" + mode : mode;
          std::string value = mode == "transaction_isolation" ? lower(value_text(d->arg))
                              : mode == "transaction_read_only" || mode == "transaction_deferrable"
                                  ? read_only_text(d->arg)
                                  : value_text(d->arg);
          if (first) {
            out->name = std::move(name);
            out->value = std::move(value);
            first = false;
          } else {
            out->more_modes.emplace_back(std::move(name), std::move(value));
          }
        }
        if (first) break;
        out->transaction_only = !session;
        break;
      }
      case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:  // SET x TO DEFAULT, SET TIME ZONE LOCAL: tag SET
        out->reset = true;
        break;
      case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
        out->reset = true;
        out->reset_command = true;
        break;
      case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
        out->name = "all";
        out->reset = true;
        out->reset_command = true;
        break;
      default: {
        auto u = std::make_unique<ast::UnsupportedStmt>();
        u->feature = "SET ... FROM CURRENT";
        return u;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- expressions

  ExprPtr opt_expr(const PgQuery__Node* n) { return n ? expr(n) : nullptr; }

  static ExprPtr make(ExprKind k, int location) { return std::make_unique<ast::Expr>(k, location); }

  static ExprPtr binary(ast::BinaryOp op, ExprPtr l, ExprPtr r, int location) {
    ExprPtr e = make(ExprKind::Binary, location);
    e->binary_op = op;
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  ExprPtr expr(const PgQuery__Node* n) {
    if (!n) unsupported("empty expression", -1);
    DepthGuard guard(*this, -1);
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_A_CONST: {
        ExprPtr e = constant(n->a_const);
        if (constants_ && !e->value.is_null()) constants_->push_back(e.get());
        return e;
      }
      case PG_QUERY__NODE__NODE_COLUMN_REF:
        return column_ref(n->column_ref);
      case PG_QUERY__NODE__NODE_PARAM_REF: {
        ExprPtr e = make(ExprKind::Param, n->param_ref->location);
        e->param_number = n->param_ref->number;
        return e;
      }
      case PG_QUERY__NODE__NODE_TYPE_CAST: {
        const PgQuery__TypeCast* tc = n->type_cast;
        ExprPtr e = make(ExprKind::Cast, tc->location);
        e->args.push_back(expr(tc->arg));
        if (tc->type_name) e->cast_type = type_name(tc->type_name);
        return e;
      }
      case PG_QUERY__NODE__NODE_A_EXPR:
        return a_expr(n->a_expr);
      case PG_QUERY__NODE__NODE_BOOL_EXPR:
        return bool_expr(n->bool_expr);
      case PG_QUERY__NODE__NODE_NULL_TEST: {
        const PgQuery__NullTest* nt = n->null_test;
        ExprPtr e = make(ExprKind::IsNull, nt->location);
        e->negated = nt->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL;
        e->args.push_back(expr(nt->arg));
        return e;
      }
      case PG_QUERY__NODE__NODE_BOOLEAN_TEST: {
        const PgQuery__BooleanTest* bt = n->boolean_test;
        ExprPtr e = make(ExprKind::BoolTest, bt->location);
        switch (bt->booltesttype) {
          case PG_QUERY__BOOL_TEST_TYPE__IS_TRUE:
          case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_TRUE:
            e->value = Value::boolean(true);
            break;
          case PG_QUERY__BOOL_TEST_TYPE__IS_FALSE:
          case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_FALSE:
            e->value = Value::boolean(false);
            break;
          case PG_QUERY__BOOL_TEST_TYPE__IS_UNKNOWN:
          case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_UNKNOWN:
            break;  // value stays NULL
          default:
            unsupported("this boolean test", bt->location);
        }
        e->negated = bt->booltesttype == PG_QUERY__BOOL_TEST_TYPE__IS_NOT_TRUE ||
                     bt->booltesttype == PG_QUERY__BOOL_TEST_TYPE__IS_NOT_FALSE ||
                     bt->booltesttype == PG_QUERY__BOOL_TEST_TYPE__IS_NOT_UNKNOWN;
        e->args.push_back(expr(bt->arg));
        return e;
      }
      case PG_QUERY__NODE__NODE_FUNC_CALL:
        return func_call(n->func_call);
      case PG_QUERY__NODE__NODE_COALESCE_EXPR: {
        const PgQuery__CoalesceExpr* c = n->coalesce_expr;
        ExprPtr e = make(ExprKind::FuncCall, c->location);
        e->func_name = "coalesce";
        for (size_t i = 0; i < c->n_args; ++i) e->args.push_back(expr(c->args[i]));
        return e;
      }
      case PG_QUERY__NODE__NODE_CASE_EXPR:
        return case_expr(n->case_expr);
      case PG_QUERY__NODE__NODE_SUB_LINK:
        return sub_link(n->sub_link);
      case PG_QUERY__NODE__NODE_ROW_EXPR:
        unsupported("row constructors", n->row_expr->location);
      case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: {
        const PgQuery__AArrayExpr* a = n->a_array_expr;
        ExprPtr e = make(ExprKind::ArrayCtor, a->location);
        for (size_t i = 0; i < a->n_elements; ++i) {
          if (a->elements[i]->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR)
            unsupported("multidimensional arrays", a->elements[i]->a_array_expr->location);
          e->args.push_back(expr(a->elements[i]));
        }
        return e;
      }
      case PG_QUERY__NODE__NODE_A_INDIRECTION: {
        const PgQuery__AIndirection* ind = n->a_indirection;
        const PgQuery__Node* arg = ind->arg;
        int loc = arg && arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ? arg->column_ref->location : -1;
        if (ind->n_indirection == 1 && ind->indirection[0]->node_case == PG_QUERY__NODE__NODE_STRING) {
          ExprPtr e = make(ExprKind::FieldSelect, loc);  // (record).field
          e->args.push_back(expr(arg));
          e->names.push_back(ind->indirection[0]->string->sval);
          return e;
        }
        if (ind->n_indirection != 1 || ind->indirection[0]->node_case != PG_QUERY__NODE__NODE_A_INDICES) {
          bool all_indices = true;
          for (size_t i = 0; i < ind->n_indirection; ++i)
            all_indices &= ind->indirection[i]->node_case == PG_QUERY__NODE__NODE_A_INDICES;
          unsupported(all_indices ? "multidimensional subscripts" : "field selection", loc);
        }
        const PgQuery__AIndices* idx = ind->indirection[0]->a_indices;
        if (idx->is_slice || !idx->uidx) unsupported("array slices", loc);
        ExprPtr e = make(ExprKind::Subscript, loc);
        e->args.push_back(expr(arg));
        e->args.push_back(expr(idx->uidx));
        return e;
      }
      case PG_QUERY__NODE__NODE_COLLATE_CLAUSE: {
        // OmenDB compares strings by their bytes: the C collation, which is also what the database's
        // default collation (C.UTF-8) does. COLLATE "default", "C" and "POSIX" change nothing; others are
        // not supported.
        const PgQuery__CollateClause* cc = n->collate_clause;
        std::string coll = cc->n_collname ? string_of(cc->collname[cc->n_collname - 1], cc->location) : "";
        bool schema_ok = cc->n_collname == 1 ||
                         (cc->n_collname == 2 && string_of(cc->collname[0], cc->location) == "pg_catalog");
        if (!schema_ok || (coll != "default" && coll != "C" && coll != "POSIX"))
          unsupported("COLLATE \"" + coll + "\"", cc->location);
        return expr(cc->arg);
      }
      case PG_QUERY__NODE__NODE_GROUPING_FUNC: {
        const PgQuery__GroupingFunc* g = n->grouping_func;
        if (g->n_args >= 32)
          throw SqlError(SqlState::TooManyArguments, "GROUPING must have fewer than 32 arguments")
              .at(pos(g->location));
        ExprPtr e = make(ExprKind::Grouping, g->location);
        for (size_t i = 0; i < g->n_args; ++i) e->args.push_back(expr(g->args[i]));
        return e;
      }
      case PG_QUERY__NODE__NODE_GROUPING_SET:  // only as a GROUP BY item (group_by)
        throw SqlError(SqlState::SyntaxError, "syntax error at or near \"(\"")
            .at(pos(n->grouping_set->location));
      case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        return sql_value_function(n->sqlvalue_function);
      case PG_QUERY__NODE__NODE_MIN_MAX_EXPR: {
        const PgQuery__MinMaxExpr* m = n->min_max_expr;
        ExprPtr e = make(ExprKind::FuncCall, m->location);
        e->func_name = m->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
        for (size_t i = 0; i < m->n_args; ++i) e->args.push_back(expr(m->args[i]));
        return e;
      }
      case PG_QUERY__NODE__NODE_SET_TO_DEFAULT:
        throw SqlError(SqlState::SyntaxError, "DEFAULT is not allowed in this context")
            .at(pos(n->set_to_default->location));
      case PG_QUERY__NODE__NODE_NAMED_ARG_EXPR:  // only a function call's argument (func_call) has a name
        unsupported("named arguments outside a function call", n->named_arg_expr->location);
      case PG_QUERY__NODE__NODE_A_STAR:
        return make(ExprKind::Star, -1);
      default:
        unsupported("expression " + node_field_name(n), -1);
    }
  }

  static ExprPtr constant(const PgQuery__AConst* c) {
    ExprPtr e = make(ExprKind::Constant, c->location);
    if (c->isnull) {
      e->value = Value();
      return e;
    }
    switch (c->val_case) {
      case PG_QUERY__A__CONST__VAL_IVAL:
        e->value = Value::int32(c->ival->ival);
        break;
      case PG_QUERY__A__CONST__VAL_FVAL:
        try {
          e->value = float_literal_value(str(c->fval->fval));
        } catch (SqlError& err) {
          if (err.position() == 0) std::move(err).at(c->location + 1);
          throw;
        }
        break;
      case PG_QUERY__A__CONST__VAL_BOOLVAL:
        e->value = Value::boolean(c->boolval->boolval);
        break;
      case PG_QUERY__A__CONST__VAL_SVAL:
        e->value = Value::text(str(c->sval->sval), TypeId::Unknown);
        break;
      case PG_QUERY__A__CONST__VAL_BSVAL:
        unsupported("bit string literals", c->location);
      default:
        e->value = Value();
        break;
    }
    return e;
  }

  static ExprPtr column_ref(const PgQuery__ColumnRef* cr) {
    std::vector<std::string> names;
    for (size_t i = 0; i < cr->n_fields; ++i) {
      const PgQuery__Node* f = cr->fields[i];
      if (f->node_case == PG_QUERY__NODE__NODE_A_STAR) {
        if (i + 1 != cr->n_fields) unsupported("* in the middle of a column reference", cr->location);
        ExprPtr e = make(ExprKind::Star, cr->location);
        e->names = std::move(names);
        return e;
      }
      names.push_back(string_of(f, cr->location));
    }
    if (names.size() > 3) unsupported("column references with more than three parts", cr->location);
    ExprPtr e = make(ExprKind::ColumnRef, cr->location);
    e->names = std::move(names);
    return e;
  }

  // A subquery used as an expression: EXISTS, scalar, `x op ANY|ALL (...)` and `x [NOT] IN (...)` (the
  // grammar makes NOT IN a NOT over `x = ANY`).
  ExprPtr sub_link(const PgQuery__SubLink* sl) {
    const int loc = sl->location;
    ExprPtr e = make(ExprKind::Subquery, loc);
    switch (sl->sub_link_type) {
      case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK:
        e->sublink = ast::SubLinkKind::Exists;
        break;
      case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK:
        e->sublink = ast::SubLinkKind::Scalar;
        break;
      case PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK:
        e->sublink = ast::SubLinkKind::Any;
        break;
      case PG_QUERY__SUB_LINK_TYPE__ALL_SUBLINK:
        e->sublink = ast::SubLinkKind::All;
        break;
      case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK:
        e->sublink = ast::SubLinkKind::Array;
        break;
      case PG_QUERY__SUB_LINK_TYPE__ROWCOMPARE_SUBLINK:
        unsupported("row comparisons with subqueries", loc);
      default:
        unsupported("this kind of subquery", loc);
    }
    if (e->sublink == ast::SubLinkKind::Any || e->sublink == ast::SubLinkKind::All) {
      std::string op = sl->n_oper_name == 0 ? "=" : operator_name(sl->oper_name, sl->n_oper_name, loc);
      static const std::pair<const char*, ast::BinaryOp> kOps[] = {
          {"=", ast::BinaryOp::Eq}, {"<>", ast::BinaryOp::Ne}, {"!=", ast::BinaryOp::Ne},
          {"<", ast::BinaryOp::Lt}, {"<=", ast::BinaryOp::Le}, {">", ast::BinaryOp::Gt},
          {">=", ast::BinaryOp::Ge}};
      bool found = false;
      for (const auto& [name, bop] : kOps)
        if (op == name) {
          e->binary_op = bop;
          found = true;
        }
      if (!sl->testexpr) unsupported("this kind of subquery", loc);
      if (sl->testexpr->node_case == PG_QUERY__NODE__NODE_ROW_EXPR)
        unsupported("row comparisons with subqueries", loc);
      if (!found) {
        // x LIKE / ILIKE / ~ ... ANY | ALL (SELECT p ...) is x op ANY | ALL (ARRAY(SELECT p ...)): the same
        // three-valued answer over the same values.
        static const std::pair<const char*, ast::BinaryOp> kPatternOps[] = {
            {"~~", ast::BinaryOp::Like},   {"!~~", ast::BinaryOp::NotLike},
            {"~~*", ast::BinaryOp::ILike}, {"!~~*", ast::BinaryOp::NotILike},
            {"~", ast::BinaryOp::Match},   {"!~", ast::BinaryOp::NotMatch},
            {"~*", ast::BinaryOp::IMatch}, {"!~*", ast::BinaryOp::NotIMatch}};
        ExprPtr cmp = make(ExprKind::ArrayCmp, loc);
        for (const auto& [name, bop] : kPatternOps)
          if (op == name) {
            cmp->binary_op = bop;
            found = true;
          }
        if (!found) unsupported("operator " + op + " with ANY / ALL subqueries", loc);
        if (!sl->subselect || sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
          unsupported("this kind of subquery", loc);
        cmp->sublink = e->sublink;
        cmp->args.push_back(expr(sl->testexpr));
        e->sublink = ast::SubLinkKind::Array;
        e->subquery = select(sl->subselect->select_stmt);
        cmp->args.push_back(std::move(e));
        return cmp;
      }
      e->args.push_back(expr(sl->testexpr));
    }
    if (!sl->subselect || sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
      unsupported("this kind of subquery", loc);
    e->subquery = select(sl->subselect->select_stmt);
    return e;
  }

  // Operator name from an A_Expr / SubLink name list; `OPERATOR(pg_catalog.+)` is accepted as `+`.
  static std::string operator_name(PgQuery__Node** names, size_t n, int location) {
    if (n == 0) unsupported("operator", location);
    if (n == 2 && string_of(names[0], location) != "pg_catalog")
      unsupported("schema-qualified operators", location);
    if (n > 2) unsupported("schema-qualified operators", location);
    return string_of(names[n - 1], location);
  }

  ExprPtr a_expr(const PgQuery__AExpr* a) {
    const int loc = a->location;
    switch (a->kind) {
      case PG_QUERY__A__EXPR__KIND__AEXPR_OP: {
        std::string op = operator_name(a->name, a->n_name, loc);
        if (!a->lexpr) {
          ast::UnaryOp uop;
          if (op == "-") {
            uop = ast::UnaryOp::Minus;
          } else if (op == "+") {
            uop = ast::UnaryOp::Plus;
          } else if (op == "|/" || op == "||/" || op == "@" || op == "~") {
            uop = ast::UnaryOp::Operator;
          } else {
            unsupported("prefix operator " + op, loc);
          }
          ExprPtr e = make(ExprKind::Unary, loc);
          e->unary_op = uop;
          if (uop == ast::UnaryOp::Operator) e->func_name = op;
          e->args.push_back(expr(a->rexpr));
          return e;
        }
        if (!a->rexpr) unsupported("postfix operator " + op, loc);
        ast::BinaryOp bop;
        if (op == "+")
          bop = ast::BinaryOp::Add;
        else if (op == "-")
          bop = ast::BinaryOp::Sub;
        else if (op == "*")
          bop = ast::BinaryOp::Mul;
        else if (op == "/")
          bop = ast::BinaryOp::Div;
        else if (op == "%")
          bop = ast::BinaryOp::Mod;
        else if (op == "=")
          bop = ast::BinaryOp::Eq;
        else if (op == "<>" || op == "!=")
          bop = ast::BinaryOp::Ne;
        else if (op == "<")
          bop = ast::BinaryOp::Lt;
        else if (op == "<=")
          bop = ast::BinaryOp::Le;
        else if (op == ">")
          bop = ast::BinaryOp::Gt;
        else if (op == ">=")
          bop = ast::BinaryOp::Ge;
        else if (op == "||")
          bop = ast::BinaryOp::Concat;
        else if (op == "~~")
          bop = ast::BinaryOp::Like;
        else if (op == "~~*")
          bop = ast::BinaryOp::ILike;
        else if (op == "!~~")
          bop = ast::BinaryOp::NotLike;
        else if (op == "!~~*")
          bop = ast::BinaryOp::NotILike;
        else if (op == "~")
          bop = ast::BinaryOp::Match;
        else if (op == "!~")
          bop = ast::BinaryOp::NotMatch;
        else if (op == "~*")
          bop = ast::BinaryOp::IMatch;
        else if (op == "!~*")
          bop = ast::BinaryOp::NotIMatch;
        else if (op == "->")
          bop = ast::BinaryOp::JsonGet;
        else if (op == "->>")
          bop = ast::BinaryOp::JsonGetText;
        else if (op == "#>")
          bop = ast::BinaryOp::JsonPath;
        else if (op == "#>>")
          bop = ast::BinaryOp::JsonPathText;
        else if (op == "@>")
          bop = ast::BinaryOp::Contains;
        else if (op == "<@")
          bop = ast::BinaryOp::ContainedBy;
        else if (op == "?")
          bop = ast::BinaryOp::JsonExists;
        else if (op == "?|")
          bop = ast::BinaryOp::JsonExistsAny;
        else if (op == "?&")
          bop = ast::BinaryOp::JsonExistsAll;
        else if (op == "#-")
          bop = ast::BinaryOp::JsonDeletePath;
        else if (op == "@?" || op == "@@")
          unsupported("operator " + op + " (jsonpath)", loc);
        else if (op == "^" || op == "&" || op == "|" || op == "#" || op == "<<" || op == ">>")
          bop = ast::BinaryOp::Operator;
        else
          unsupported("operator " + op, loc);
        ExprPtr l = expr(a->lexpr);
        ExprPtr r = expr(a->rexpr);
        ExprPtr e = binary(bop, std::move(l), std::move(r), loc);
        if (bop == ast::BinaryOp::Operator) e->func_name = op;
        return e;
      }
      case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
      case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL: {
        const bool all = a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL;
        std::string op = operator_name(a->name, a->n_name, loc);
        static const std::pair<const char*, ast::BinaryOp> kOps[] = {
            {"=", ast::BinaryOp::Eq},          {"<>", ast::BinaryOp::Ne},
            {"!=", ast::BinaryOp::Ne},         {"<", ast::BinaryOp::Lt},
            {"<=", ast::BinaryOp::Le},         {">", ast::BinaryOp::Gt},
            {">=", ast::BinaryOp::Ge},         {"~~", ast::BinaryOp::Like},
            {"!~~", ast::BinaryOp::NotLike},   {"~~*", ast::BinaryOp::ILike},
            {"!~~*", ast::BinaryOp::NotILike}, {"~", ast::BinaryOp::Match},
            {"!~", ast::BinaryOp::NotMatch},   {"~*", ast::BinaryOp::IMatch},
            {"!~*", ast::BinaryOp::NotIMatch}};
        ExprPtr e = make(ExprKind::ArrayCmp, loc);
        bool found = false;
        for (const auto& [name, bop] : kOps)
          if (op == name) {
            e->binary_op = bop;
            found = true;
          }
        if (!found) unsupported("operator " + op + (all ? " ALL" : " ANY"), loc);
        e->sublink = all ? ast::SubLinkKind::All : ast::SubLinkKind::Any;
        e->args.push_back(expr(a->lexpr));
        e->args.push_back(expr(a->rexpr));
        return e;
      }
      case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
      case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT: {
        // As PostgreSQL's transformAExprDistinct: against an untyped NULL literal it is a NULL test;
        // IS NOT DISTINCT FROM is NOT (IS DISTINCT FROM).
        const bool not_distinct = a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT;
        ExprPtr l = expr(a->lexpr), r = expr(a->rexpr);
        auto null_literal = [](const ExprPtr& x) {
          return x->kind == ExprKind::Constant && x->value.is_null();
        };
        if (null_literal(l) || null_literal(r)) {
          ExprPtr e = make(ExprKind::IsNull, loc);
          e->negated = !not_distinct;
          e->args.push_back(null_literal(r) ? std::move(l) : std::move(r));
          return e;
        }
        ExprPtr e = make(ExprKind::Binary, loc);
        e->binary_op = ast::BinaryOp::IsDistinct;
        e->args.push_back(std::move(l));
        e->args.push_back(std::move(r));
        if (!not_distinct) return e;
        ExprPtr n = make(ExprKind::Unary, loc);
        n->unary_op = ast::UnaryOp::Not;
        n->args.push_back(std::move(e));
        return n;
      }
      case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF: {
        ExprPtr e = make(ExprKind::FuncCall, loc);
        e->func_name = "nullif";
        e->args.push_back(expr(a->lexpr));
        e->args.push_back(expr(a->rexpr));
        return e;
      }
      case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
        std::string op = operator_name(a->name, a->n_name, loc);
        ExprPtr e = make(ExprKind::InList, loc);
        e->negated = op == "<>";
        e->args.push_back(expr(a->lexpr));
        append_list(a->rexpr, e->args);
        return e;
      }
      case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
      case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE: {
        std::string op = operator_name(a->name, a->n_name, loc);
        // x LIKE p ESCAPE e arrives as x ~~ like_escape(p, e): the pattern is a string function's result
        ast::BinaryOp bop = op == "~~"    ? ast::BinaryOp::Like
                            : op == "!~~" ? ast::BinaryOp::NotLike
                            : op == "~~*" ? ast::BinaryOp::ILike
                                          : ast::BinaryOp::NotILike;
        ExprPtr l = expr(a->lexpr);
        ExprPtr rx = expr(a->rexpr);
        return binary(bop, std::move(l), std::move(rx), loc);
      }
      case PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR: {
        // x [NOT] SIMILAR TO p [ESCAPE e] arrives as x ~ similar_to_escape(p [, e]) (or !~): a regex match
        std::string op = operator_name(a->name, a->n_name, loc);
        ExprPtr l = expr(a->lexpr);
        ExprPtr rx = expr(a->rexpr);
        return binary(op == "!~" ? ast::BinaryOp::NotMatch : ast::BinaryOp::Match, std::move(l),
                      std::move(rx), loc);
      }
      case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
      case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
      case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
      case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM: {
        ExprPtr e = make(ExprKind::Between, loc);
        e->negated = a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN ||
                     a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
        e->symmetric = a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM ||
                       a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
        e->args.push_back(expr(a->lexpr));
        append_list(a->rexpr, e->args);
        if (e->args.size() != 3) unsupported("BETWEEN form", loc);
        return e;
      }
      default:
        unsupported("operator expression", loc);
    }
  }

  // The items of a List node (IN list, BETWEEN bounds) as expressions.
  void append_list(const PgQuery__Node* n, std::vector<ExprPtr>& out) {
    if (!n) return;
    if (n->node_case != PG_QUERY__NODE__NODE_LIST) {
      out.push_back(expr(n));
      return;
    }
    for (size_t i = 0; i < n->list->n_items; ++i) out.push_back(expr(n->list->items[i]));
  }

  ExprPtr bool_expr(const PgQuery__BoolExpr* b) {
    const int loc = b->location;
    if (b->n_args == 0) unsupported("empty boolean expression", loc);
    if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR) {
      ExprPtr e = make(ExprKind::Unary, loc);
      e->unary_op = ast::UnaryOp::Not;
      e->args.push_back(expr(b->args[0]));
      return e;
    }
    ast::BinaryOp op =
        b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR ? ast::BinaryOp::And : ast::BinaryOp::Or;
    // libpg_query gives an n-ary AND/OR; it becomes a balanced tree of binary nodes, so that a chain of
    // thousands of terms (generated WHERE clauses) nests only log2(n) deep, as PostgreSQL's flat BoolExpr
    // runs it. AND and OR are associative in three-valued logic, and the terms keep their order, so
    // short-circuit evaluation still meets them left to right.
    return bool_fold(op, b->args, 0, b->n_args, loc);
  }

  ExprPtr bool_fold(ast::BinaryOp op, PgQuery__Node* const* args, size_t lo, size_t hi, int loc) {
    if (hi - lo == 1) return expr(args[lo]);
    DepthGuard guard(*this, loc);
    const size_t mid = lo + (hi - lo) / 2;
    ExprPtr left = bool_fold(op, args, lo, mid, loc);
    return binary(op, std::move(left), bool_fold(op, args, mid, hi, loc), loc);
  }

  ExprPtr func_call(const PgQuery__FuncCall* f) {
    const int loc = f->location;
    std::vector<std::string> parts;
    for (size_t i = 0; i < f->n_funcname; ++i) parts.push_back(string_of(f->funcname[i], loc));
    if (parts.empty()) unsupported("function call", loc);
    // information_schema's own functions keep their schema in the name (they are not on the search path).
    const bool info_schema =
        parts.size() == 2 && parts[0] == "information_schema" && parts[1] == "_pg_expandarray";
    if (parts.size() > 2 || (parts.size() == 2 && parts[0] != "pg_catalog" && !info_schema)) {
      unsupported("schema-qualified function names", loc);
    }
    std::string name = info_schema ? "information_schema._pg_expandarray" : lower(parts.back());
    std::shared_ptr<ast::WindowDef> over;
    if (f->over) {
      over = std::make_shared<ast::WindowDef>(window_def(f->over));
      // OVER w (PostgreSQL's grammar puts the name in `name`): the named window itself.
      if (!over->name.empty()) {
        over->refname = std::move(over->name);
        over->name.clear();
        over->bare_ref = true;
      }
    }
    if (f->func_variadic) unsupported("VARIADIC", loc);
    ExprPtr e = make(ExprKind::FuncCall, loc);
    e->func_name = std::move(name);
    e->agg_star = f->agg_star;
    e->agg_distinct = f->agg_distinct;
    if (f->agg_filter) e->agg_filter = expr(f->agg_filter);
    e->agg_within_group = f->agg_within_group;
    for (size_t i = 0; i < f->n_agg_order; ++i) {
      const PgQuery__Node* n = f->agg_order[i];
      if (n->node_case != PG_QUERY__NODE__NODE_SORT_BY)
        unsupported(node_field_name(n) + " in an aggregate's ORDER BY", loc);
      if (n->sort_by->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING)
        unsupported("ORDER BY ... USING in an aggregate", n->sort_by->location);
      e->agg_order.push_back(order_item(n->sort_by));
    }
    e->over = std::move(over);
    if (f->agg_star) e->args.push_back(make(ExprKind::Star, loc));
    std::vector<std::string> arg_names;  // "" for a positional argument
    bool named = false;
    for (size_t i = 0; i < f->n_args; ++i) {
      const PgQuery__Node* a = f->args[i];
      if (a->node_case != PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
        if (named)
          throw SqlError(SqlState::SyntaxError, "positional argument cannot follow named argument")
              .at(pos(loc));
        arg_names.emplace_back();
        e->args.push_back(expr(a));
        continue;
      }
      const PgQuery__NamedArgExpr* na = a->named_arg_expr;
      std::string an = str(na->name);
      for (const std::string& seen : arg_names)
        if (seen == an)
          throw SqlError(SqlState::SyntaxError, "argument name \"" + an + "\" used more than once")
              .at(pos(na->location));
      named = true;
      arg_names.push_back(std::move(an));
      e->args.push_back(expr(na->arg));
    }
    if (named) named_arguments(*e, std::move(arg_names));
    return e;
  }

  // f(a => x, b := y): PostgreSQL's MatchNamedCall over the built-in functions OmenDB has that declare
  // parameter names (pg_proc.proargnames). A match becomes the positional call, gaps filled with the
  // parameters' defaults; otherwise the names stay on the call for the binder's 42883
  // "function f(a => integer) does not exist".
  static void named_arguments(ast::Expr& e, std::vector<std::string> arg_names) {
    struct Signature {
      const char* func;
      std::vector<const char*> params;
      size_t required;  // the parameters before these have no default
    };
    static const Signature kSignatures[] = {
        {"make_date", {"year", "month", "day"}, 3},
        {"make_time", {"hour", "min", "sec"}, 3},
        {"make_timestamp", {"year", "month", "mday", "hour", "min", "sec"}, 6},
        {"make_timestamptz", {"year", "month", "mday", "hour", "min", "sec"}, 6},
        {"make_timestamptz", {"year", "month", "mday", "hour", "min", "sec", "timezone"}, 7},
        {"make_interval", {"years", "months", "weeks", "days", "hours", "mins", "secs"}, 0},
        {"jsonb_set", {"jsonb_in", "path", "replacement", "create_if_missing"}, 3},
        {"json_each", {"from_json"}, 1},
        {"json_each_text", {"from_json"}, 1},
        {"jsonb_each", {"from_json"}, 1},
        {"jsonb_each_text", {"from_json"}, 1},
        {"json_array_elements", {"from_json"}, 1},
        {"json_array_elements_text", {"from_json"}, 1},
        {"jsonb_array_elements", {"from_json"}, 1},
        {"jsonb_array_elements_text", {"from_json"}, 1},
        {"jsonb_insert", {"jsonb_in", "path", "replacement", "insert_after"}, 3},
        {"jsonb_set_lax",
         {"jsonb_in", "path", "replacement", "create_if_missing", "null_value_treatment"},
         3},
    };
    // A gap's default: make_interval's are 0, jsonb_set_lax's create_if_missing is true (the other
    // defaults belong to last parameters, which never leave a gap).
    auto default_of = [&](const std::string& func) {
      auto d = std::make_unique<ast::Expr>(ExprKind::Constant, e.location);
      d->value = func == "make_interval" ? Value::int32(0) : Value::boolean(true);
      return d;
    };
    const Signature* match = nullptr;
    std::vector<int> slot_of;  // argument i -> parameter index
    for (const Signature& sig : kSignatures) {
      if (e.func_name != sig.func || arg_names.size() > sig.params.size()) continue;
      std::vector<int> slots;
      std::vector<bool> filled(sig.params.size(), false);
      bool ok = true;
      for (size_t i = 0; i < arg_names.size() && ok; ++i) {
        int k = -1;
        if (arg_names[i].empty()) {
          k = static_cast<int>(i);
        } else {
          for (size_t j = 0; j < sig.params.size(); ++j)
            if (arg_names[i] == sig.params[j]) k = static_cast<int>(j);
        }
        if (k < 0 || filled[k]) ok = false;
        if (ok) {
          filled[k] = true;
          slots.push_back(k);
        }
      }
      for (size_t j = 0; j < sig.required && ok; ++j) ok = filled[j];
      if (!ok) continue;
      match = &sig;
      slot_of = std::move(slots);
      break;
    }
    if (!match) {
      e.names = std::move(arg_names);
      return;
    }
    size_t n = 0;
    for (int k : slot_of) n = std::max(n, static_cast<size_t>(k) + 1);
    std::vector<ExprPtr> positional(n);
    for (size_t i = 0; i < slot_of.size(); ++i) positional[slot_of[i]] = std::move(e.args[i]);
    for (ExprPtr& p : positional)
      if (!p) p = default_of(e.func_name);
    e.args = std::move(positional);
  }

  // One ORDER BY item (of a query, a window or an aggregate); USING is the caller's to refuse.
  ast::OrderItem order_item(const PgQuery__SortBy* sb) {
    ast::OrderItem item;
    item.expr = expr(sb->node);
    item.descending = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
    if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST) item.nulls_first = true;
    if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST) item.nulls_first = false;
    return item;
  }

  // A window specification (OVER (...) or a WINDOW clause item).
  ast::WindowDef window_def(const PgQuery__WindowDef* w) {
    ast::WindowDef d;
    d.name = str(w->name);
    d.refname = str(w->refname);
    d.location = w->location;
    for (size_t i = 0; i < w->n_partition_clause; ++i) d.partition_by.push_back(expr(w->partition_clause[i]));
    for (size_t i = 0; i < w->n_order_clause; ++i) {
      const PgQuery__Node* n = w->order_clause[i];
      if (n->node_case != PG_QUERY__NODE__NODE_SORT_BY)
        unsupported(node_field_name(n) + " in a window's ORDER BY", w->location);
      const PgQuery__SortBy* sb = n->sort_by;
      if (sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING)
        unsupported("ORDER BY ... USING in a window", sb->location);
      d.order_by.push_back(order_item(sb));
    }
    d.frame_options = w->frame_options;
    d.start_offset = opt_expr(w->start_offset);
    d.end_offset = opt_expr(w->end_offset);
    return d;
  }

  ExprPtr case_expr(const PgQuery__CaseExpr* c) {
    ExprPtr e = make(ExprKind::Case, c->location);
    if (c->arg) {
      e->has_case_operand = true;
      e->args.push_back(expr(c->arg));
    }
    for (size_t i = 0; i < c->n_args; ++i) {
      const PgQuery__Node* n = c->args[i];
      if (n->node_case != PG_QUERY__NODE__NODE_CASE_WHEN)
        unsupported(node_field_name(n) + " in CASE", c->location);
      ast::CaseWhen w;
      w.condition = expr(n->case_when->expr);
      w.result = expr(n->case_when->result);
      e->when_clauses.push_back(std::move(w));
    }
    e->else_expr = opt_expr(c->defresult);
    return e;
  }

  // CURRENT_USER, SESSION_USER, USER, CURRENT_ROLE, CURRENT_CATALOG, CURRENT_SCHEMA, CURRENT_DATE,
  // CURRENT_TIMESTAMP, LOCALTIMESTAMP and LOCALTIME become calls named as PostgreSQL names their result
  // column (the binder knows them); CURRENT_TIME (time with time zone) and a precision are refused.
  ExprPtr sql_value_function(const PgQuery__SQLValueFunction* f) {
    const char* what = "SQL value functions";
    const char* call = nullptr;
    switch (f->op) {
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
        call = "current_date";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME:
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N:
        what = "CURRENT_TIME (time with time zone)";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
        call = "current_timestamp";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
        what = "CURRENT_TIMESTAMP with a precision";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
        call = "localtime";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N:
        what = "LOCALTIME with a precision";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
        call = "localtimestamp";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
        what = "LOCALTIMESTAMP with a precision";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE:
        call = "current_role";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER:
        call = "current_user";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER:
        call = "user";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER:
        call = "session_user";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG:
        call = "current_catalog";
        break;
      case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA:
        call = "current_schema";
        break;
      default:
        break;
    }
    if (!call) unsupported(what, f->location);
    ExprPtr e = make(ExprKind::FuncCall, f->location);
    e->func_name = call;
    e->sql_keyword = true;
    return e;
  }

  static ast::TypeName type_name(const PgQuery__TypeName* t) {
    ast::TypeName out;
    out.location = t->location;
    if (t->n_names == 0) unsupported("type name", t->location);
    out.name = lower(string_of(t->names[t->n_names - 1], t->location));
    if (t->setof) unsupported("SETOF", t->location);
    if (t->pct_type) unsupported("%TYPE", t->location);
    for (size_t i = 0; i < t->n_typmods; ++i) {
      const PgQuery__Node* m = t->typmods[i];
      if (m->node_case == PG_QUERY__NODE__NODE_A_CONST && !m->a_const->isnull &&
          m->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        out.typmods.push_back(m->a_const->ival->ival);
      } else {
        unsupported("non-integer type modifiers", t->location);
      }
    }
    out.is_array = t->n_array_bounds > 0;
    return out;
  }

  std::vector<ast::Expr*>* constants_;  // parse(sql, constants): every non-NULL Constant made
};

}  // namespace

std::vector<ast::StmtPtr> transform_parse_result(const PgQuery__ParseResult& result,
                                                 std::vector<ast::Expr*>* constants) {
  return Transformer(constants).run(result);
}

Value float_literal_value(const std::string& text) {
  // PostgreSQL keeps integers too big for int4 as Float nodes; those that fit int8 are bigint.
  int64_t i = 0;
  if (parse_int64(text, &i)) return Value::int64(i);
  // PostgreSQL: a decimal literal (or an integer beyond bigint) is numeric.
  return Value::numeric(num::parse(text));
}

}  // namespace omendb::parser::detail
