// Binder + logical planner + rule-based optimizer: an ast statement in, a typed physical plan out.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/datetime_sql.h"
#include "common/value.h"
#include "frontend/parser/ast.h"
#include "planner/plan.h"
#include "storage/catalog.h"

namespace omendb::catalog {
struct ViewUpdatability;
}

namespace omendb::planner {

// Where a param's value came from, for the simple protocol's plan reuse (docs/architecture.md, "The simple
// protocol's statement cache"): the value of the statement's literal PlannerContext::literals[literal] as
// the binder typed it (`bound`), converted to `cast` when the binder converted the constant (Unknown:
// not), then to `lifted` when it was lifted (Unknown: a values matrix cell, not converted again). Nothing
// in binding or planning read its value (a literal that something read has literal -1).
struct LiteralParam {
  int literal = -1;  // -1: not a traced literal's value
  TypeId bound = TypeId::Unknown;
  TypeId cast = TypeId::Unknown;
  TypeId lifted = TypeId::Unknown;
};

struct PlannedStatement {
  plan::PhysicalPlan plan;
  // Values of the statement's parameters: every literal of the query except NULL and the ones that
  // shape the plan (ORDER BY 2) is lifted out as a parameter, already converted to the type the
  // expression needs, so that statements differing only in literals share one compiled plan.
  std::vector<Value> params;
  // Everything besides the libpg_query fingerprint that decides the compiled code: the parameter types
  // (for a values matrix, the column types once, not per row) and any literal kept in the plan.
  std::string shape_key;
  // "SELECT", "INSERT", "UPDATE", "DELETE": the engine adds the row count ("INSERT 0 3").
  std::string command;
  // The types of the client's parameters $1..$n (given or inferred, never Unknown). params[0..n) are
  // placeholders (NULLs of these types) that the caller replaces by the bound values before each
  // execution; the lifted literals follow them, so one compiled plan serves every execution.
  std::vector<TypeId> param_types;
  // Per result column: its type modifier as the catalog keeps it when the column is a plain reference to a
  // varchar(n) or numeric(p, s) table column or a cast to one (varchar(n): n, described as varchar with
  // typmod n + 4 as PostgreSQL does; numeric: num::make_typmod(p, s), described as is), else -1.
  std::vector<int32_t> result_typmods;
  // Per result column: true when it is one of the session values PostgreSQL types `name` (current_user,
  // current_database() ...: OmenDB has no name type, the value is text, described as name: OID 19, 64).
  std::vector<bool> result_name_columns;
  // An INSERT's VALUES rows whose cells are all literals or bare parameters run as one loop over a matrix
  // of params that follows every other param (plan::ValuesOp::values_matrix). A cell that is the client's
  // parameter $k+1 is copied into the matrix at each execution: matrix_sources[i] = k for matrix cell i,
  // -1 for a literal (already in params).
  std::vector<int> matrix_sources;
  // The params of one execution: `params` with the client's bound values in front and copied into the
  // values matrix.
  // Date/time values convert with the session's zone and clock `dt`.
  std::vector<Value> parameters(const std::vector<Value>& client, const dtsql::EvalContext& dt) const;
  // SELECT ... FOR UPDATE / SHARE: the plan locks the rows it returns (a LockRows step); lock_clause is
  // the strongest clause as SQL names it ("FOR UPDATE", "FOR KEY SHARE" ...).
  bool locks_rows = false;
  std::string lock_clause;
  // WITH d AS (INSERT / UPDATE / DELETE ...): the statement writes whatever its own command (a SELECT
  // runs as a write, its rows held back until it succeeded).
  bool data_modifying_with = false;
  // The user tables the statement reads or writes, as the binder found them in the catalog (system
  // catalogs are not listed): the engine locks them while the statement runs and plans again when one
  // was changed by DDL before it got the locks.
  std::vector<storage::TableDefPtr> tables;
  // Per param (PlannerContext::literals set): where its value came from; empty otherwise.
  std::vector<LiteralParam> literals;
};

// The param value the binder would make for `p` from `literal` (the value of a Constant the parser made,
// as ast::Expr::value) under `dt`: nullopt when the binder would type it otherwise (int4 / int8 / numeric
// by magnitude), so another plan is needed; throws the conversion's SqlError (22P02, 22003 ...).
std::optional<Value> literal_param_value(const Value& literal, const LiteralParam& p,
                                         const dtsql::EvalContext& dt);

// Looks a table up by name; nullptr if absent.
using TableResolver = std::function<storage::TableDefPtr(std::string_view name)>;

// What the session's functions return: version(), current_database() / current_catalog, current_user /
// session_user / user / current_role, current_schema, pg_backend_pid(), inet_server_addr() and
// inet_server_port(). They do not depend on rows, so the binder turns each call into a literal that is
// lifted as a parameter like any other: the compiled code is shared between sessions, the values are not.
struct SessionInfo {
  std::string version;  // version()'s text
  std::string user;
  std::string database;
  int32_t backend_pid = 0;     // BackendKeyData's process id
  std::string server_address;  // the connection's local address ("127.0.0.1"); empty: NULL
  int32_t server_port = 0;     // the connection's local port; 0: NULL
  int64_t server_start = 0;    // pg_postmaster_start_time() (a dt::TimestampTz); 0: unknown (0A000)
};

struct PlannerContext {
  const storage::Catalog* catalog = nullptr;
  // The statement's transaction's uncommitted catalog changes (transactional DDL), or null.
  const storage::CatalogOverlay* overlay = nullptr;
  // Rough row count of a table, for choosing the JIT tier; may be empty (then 0).
  std::function<uint64_t(uint32_t table_id)> row_estimate;
  // The fraction of a table's rows an equality on one of its columns keeps, from ANALYZE's statistics
  // (1 / distinct values); may be empty, and 0 where nothing is known (then PostgreSQL's default, 0.005).
  std::function<double(const storage::TableDef& table, int column)> eq_selectivity;
  // Number of sealed column blocks of a table (EXPLAIN); may be empty (then 0).
  std::function<uint64_t(uint32_t table_id)> sealed_blocks;
  // When set, used instead of `catalog` to find tables (unit tests, or a caller with its own view).
  TableResolver resolve_table;
  // The client's parameters $1..$n (extended protocol, PREPARE): their types, Unknown where the client
  // gave none. The binder infers unknown ones from context as PostgreSQL does (`id = $1` with id bigint
  // -> Int64; `SELECT $1` -> Text) and grows the vector for a $k beyond it. Unset: $n is an error
  // (42P02), as in a simple query.
  std::optional<std::vector<TypeId>> param_types;
  // The session functions' values; null: calling one is 0A000 (e.g. EXECUTE's arguments).
  const SessionInfo* session = nullptr;
  // The session's TimeZone and clocks: date/time literals ('2024-01-01 10:00' as timestamptz, 'now')
  // are converted with them at bind time. Null: UTC and a clock at 2000-01-01.
  const dtsql::EvalContext* datetime = nullptr;
  // The statement's literals (its Constant nodes) whose params are traced into PlannedStatement::literals:
  // the simple protocol's plan reuse. Null: none.
  const std::vector<const ast::Expr*>* literals = nullptr;
};

// SELECT / INSERT / UPDATE / DELETE. Throws SqlError: 42P01 unknown table, 42703 unknown column,
// 42702 ambiguous column, 42804 / 42883 type errors, 22P02 / 22003 for literals that do not convert,
// 42803 aggregate misuse, 0A000 for valid SQL OmenDB does not support yet (naming the feature).
// With ctx.param_types: 42P18 for a parameter whose type cannot be inferred, 42P08 for one inferred
// as two different types.
PlannedStatement plan_statement(const ast::Stmt& stmt, const PlannerContext& ctx);
// CREATE VIEW: binds `query` (the statement's query text parsed again) and returns the view's definition
// (id unassigned): its columns (names from the column list or the select list, 42601 for more names than
// columns, 42701 for a name twice; types from the query, unknown ones text) and ViewDef (query text,
// the relations it names with the columns it reads). Errors as plan_statement's.
storage::TableDef bind_view(const ast::CreateViewStmt& stmt, const ast::SelectStmt& query,
                            const PlannerContext& ctx);
// Whether INSERT, UPDATE and DELETE write through `view` (PostgreSQL's automatically updatable views, the
// binder's "Updatable views") and which of its columns they may set.
catalog::ViewUpdatability view_updatability(const storage::TableDefPtr& view, const PlannerContext& ctx);
// CREATE TABLE ... AS / SELECT ... INTO: binds stmt.as_query's query and returns the table's definition
// (id unassigned, no constraints): its columns named from stmt.as_columns, then the query's names (42701
// for a name twice, 42601 "too many column names were specified"), typed as the query's columns with
// their typmods (unknown: text; name: text; 0A000 for a type a table cannot hold). Errors as
// plan_statement's.
storage::TableDef bind_table_as(const ast::CreateTableStmt& stmt, const PlannerContext& ctx);
// The defaults of `columns` of `table` (DEFAULT expressions, NULL for a column without one) as a plan
// producing one row, compiled like any SELECT: COPY FROM fills the columns it does not read with it.
PlannedStatement plan_column_defaults(const storage::TableDef& table, const std::vector<int>& columns,
                                      const PlannerContext& ctx);

// COPY FROM into a table with CHECK constraints: VALUES ($1, ..., $n) (one row, typed as the table's
// columns) under a projection of each CHECK predicate (TableDef::checks order) over it, compiled like any
// SELECT. COPY runs it with each row's values; a FALSE column fails the row.
PlannedStatement plan_copy_checks(const storage::TableDef& table, const PlannerContext& ctx);

// The values of an expression or partial index's entry for one row (storage::IndexEvaluator): VALUES
// ($1, ..., $n) (typed as the table's columns) under a projection of each of index.exprs, then the
// predicate (a Bool column) if the index has one, compiled like any SELECT.
PlannedStatement plan_index_values(const storage::TableDef& table, const storage::IndexDef& index,
                                   const PlannerContext& ctx);

// ALTER TABLE ... ALTER COLUMN TYPE: one column's change (plan_type_change).
struct TypeChange {
  int column = -1;                        // in the table's definition before the change
  storage::ColumnDef to;                  // the column with its new type (name, type, length / precision)
  const ast::Expr* using_expr = nullptr;  // USING; null: the column's old value
  std::string type_text;                  // the new type as PostgreSQL prints it, modifier included (hint)
  std::string type_name;                  // ... and without it (messages)
};
// The new values of the changed columns of one row of `table` (its definition before the change): VALUES
// ($1, ..., $n) typed as its columns under a projection, per change, of its USING expression (bound over
// the row: "transform expressions") or the column, assigned to the new type with its length or precision
// (22001, 22003 when a row is converted). 42804 as PostgreSQL when there is no assignment cast ("column
// "c" cannot be cast automatically to type t" / "result of USING clause for column ...").
PlannedStatement plan_type_change(const storage::TableDef& table, const std::vector<TypeChange>& changes,
                                  const PlannerContext& ctx);
// The type of `col`'s DEFAULT as written, before its assignment to the column (a literal of unknown type:
// the column's), as PostgreSQL's ALTER COLUMN TYPE converts it (strip_implicit_coercions).
TypeId column_default_type(const storage::TableDef& table, const storage::ColumnDef& col,
                           const PlannerContext& ctx);
// Whether PostgreSQL casts `from` to `to` in an assignment (pg_cast's assignment and implicit casts).
bool assignment_castable(TypeId from, TypeId to);

// CREATE INDEX: an index expression (`predicate` false) or a partial index's WHERE over `table`'s columns,
// as PostgreSQL checks them: 42P17 "functions in index expression / predicate must be marked IMMUTABLE"
// (now(), random(), timestamptz arithmetic, text <-> date/time casts ...), 42803 for an aggregate, 0A000
// for a subquery, 42804 for a predicate that is not boolean, 42703 for an unknown column. Returns the
// stored form: its text as pg_get_expr prints it, the pretty form, its type.
storage::IndexDef::Expression bind_index_expression(const ast::Expr& e, const storage::TableDef& table,
                                                    bool predicate);
// ALTER TABLE RENAME COLUMN: prints the expressions and predicates of `after`'s indexes (stored over
// `before`'s column names) again with `after`'s names (the same columns, in the same order).
void reprint_index_expressions(const storage::TableDef& before, storage::TableDef& after);
// ALTER COLUMN TYPE: the CHECK constraints and the index expressions and predicates of `after` (`before`
// with the `changed` columns in their new types) that read a changed column, bound again over the new
// types and printed again, as PostgreSQL re-creates them (`w > 0` of a column now numeric prints
// `w > 0::numeric`; an index expression gets its new type). Errors as when they were created: 42883 for
// an operator the new type lacks, 42P17 for an index expression no longer immutable.
void rebind_after_type_change(const storage::TableDef& before, storage::TableDef& after,
                              const std::vector<int>& changed);
// The columns (indexes into table.columns) an index's expressions and predicate read.
std::vector<int> index_expression_columns(const storage::TableDef& table, const storage::IndexDef& index);

// EXECUTE's arguments: each bound without a FROM clause, coerced to its parameter's type as an
// assignment would be (42804 otherwise) and evaluated now. Only constant expressions are accepted
// (0A000 otherwise).
std::vector<Value> evaluate_parameters(const std::vector<ast::ExprPtr>& args,
                                       const std::vector<TypeId>& types, const dtsql::EvalContext& dt);

// A value in PostgreSQL's text input format converted to `type`, with the same rules (and 22P02 / 22003
// errors) as a literal in SQL: Bind's text-format parameters.
Value value_from_text(std::string text, TypeId type, const dtsql::EvalContext& dt);

// The OmenDB type of a written type name (PREPARE's parameter types); the same errors as CREATE TABLE.
TypeId resolve_type_name(const ast::TypeName& type);

// Validates CREATE TABLE and turns it into a table definition (id unassigned).
// 42701 duplicate column, 42P16 two primary keys, 42703 unknown key column, 0A000 unsupported types or
// constraints, 42704 unknown type, 54000 more than 1600 columns.
// Types: int/int4/integer -> Int32, int2/smallint -> Int16, int8/bigint -> Int64, float8/double
// precision/float -> Float64, float4/real -> Float32,
// text -> Text, varchar(n) -> Text with max_length n, bool -> Bool, numeric/decimal[(p, s)] -> Numeric
// with max_length num::make_typmod(p, s) (22023 for p or s out of range), the date/time types; char(n),
// time with time zone and arrays -> 0A000 naming the type. Primary key columns become NOT NULL.
storage::TableDef bind_create_table(const ast::CreateTableStmt& stmt);
// Whether CREATE [TEMP] TABLE / SEQUENCE `name` makes a temporary relation (docs/schema.md, "Temporary
// tables"): TEMP, or the name qualified by pg_temp (pg_temp_N). 42P16 for TEMP with schema public.
// bind_create_table refuses ON COMMIT for a permanent table (42P16), as PostgreSQL does.
bool creates_temporary(const ast::TableRef& name, bool temporary);
// One column definition as CREATE TABLE binds it (type, NOT NULL, DEFAULT checks, char(n)); an inline
// PRIMARY KEY or UNIQUE is the caller's to handle (ALTER TABLE ADD COLUMN refuses them).
// SERIAL (serial, serial4, bigserial, serial8, smallserial, serial2) columns get their integer type, NOT
// NULL and no DEFAULT: the caller creates their sequence and sets the DEFAULT; identity columns get
// ColumnDef::identity and NOT NULL.
storage::ColumnDef bind_column_def(const ast::ColumnDef& column);
// The width of a SERIAL type name's sequence (2, 4, 8); 0 for other types.
int8_t serial_width(const ast::TypeName& type);
// ALTER COLUMN SET DEFAULT: checks `expr` as a DEFAULT of `column` (42804, 22P02, 0A000 as CREATE TABLE)
// and stores its text.
void bind_column_default(const ast::Expr& expr, const std::string& text, storage::ColumnDef& column);

// PostgreSQL's makeObjectName: name1_name2_label (name2 may be empty: name1_label), the longer of the
// first two parts cut (never inside a UTF-8 character) until the name fits 63 bytes.
std::string make_object_name(const std::string& name1, const std::string& name2, const std::string& label);

// A CHECK constraint of CREATE TABLE or ALTER TABLE ... ADD, bound over `table`'s columns: 42804 when it
// is not boolean, 0A000 for a subquery, 42803 for an aggregate, 42703 for an unknown column. A
// constraint without a name gets PostgreSQL's (ChooseConstraintName): t_a_check when the expression
// reads one column a, else t_check, with 1, 2 ... appended while `table` or `taken` has the name; a
// given name `table` or `taken` has is 42710. The id is the caller's to assign.
storage::CheckDef bind_check_constraint(const ast::CheckConstraint& check, const storage::TableDef& table,
                                        const std::vector<std::string>& taken);

// A FOREIGN KEY of CREATE TABLE or ALTER TABLE ... ADD on `table`, referencing `ref` (`table` itself for
// a self-reference): 42703 for an unknown column, 42704 when `ref` has no primary key to reference, 42830
// when the counts disagree or the referenced columns are not `ref`'s primary key or the columns of one of
// its UNIQUE constraints, 42804 for
// incompatible types, 0A000 for the actions OmenDB does not run yet. Without a name: PostgreSQL's
// (t_a_b_fkey, numbered while `table` or `taken` has it); a given name either has is 42710. ref_table is
// ref.id (0 for a table not created yet); the id is the caller's to assign.
storage::ForeignKeyDef bind_foreign_key(const ast::ForeignKeyConstraint& fk, const storage::TableDef& table,
                                        const storage::TableDef& ref, const std::vector<std::string>& taken);

// The columns (indexes into table.columns) a stored CHECK constraint reads.
std::vector<int> check_constraint_columns(const storage::TableDef& table, const storage::CheckDef& check);

// CREATE / ALTER SEQUENCE options (and an identity column's), applied to `def` with PostgreSQL 15's
// defaults (create: every option not given gets its default) and checks (22023 with PostgreSQL's
// messages, 42601 for an option given twice, 22003 for a number outside bigint). OWNED BY and RESTART
// are returned for the caller to apply (RESTART's checks against the sequence's current value are
// storage::Catalog::alter_sequence's).
struct SequenceOptionsResult {
  std::optional<int64_t> restart;
  bool owned_by_given = false;
  bool owned_by_none = false;
  std::string owned_schema, owned_table, owned_column;  // owned_schema: "" unless written
  std::string sequence_name;                            // an identity column's SEQUENCE NAME
};
SequenceOptionsResult apply_sequence_options(const std::vector<ast::SequenceOption>& options,
                                             storage::SequenceDef& def, bool create, bool for_identity);
// "smallint", "integer" or "bigint" for a sequence's width (2, 4, 8).
const char* sequence_type_name(int8_t width);

// EXPLAIN output: the logical plan as an indented tree, one line per element, e.g.
//   Limit (limit: $2)
//     -> Sort (keys: b DESC)
//       -> Filter ((a > $1))
//         -> TableScan t (range: id >= $0) (~1000 rows)
std::vector<std::string> explain(const plan::PhysicalPlan& plan);
// The same with every parameter shown as its value, as PostgreSQL's EXPLAIN shows literals
// ("TableScan t (range: id = 5)"); pass PlannedStatement::params.
std::vector<std::string> explain(const plan::PhysicalPlan& plan, const std::vector<Value>& params);

// EXPLAIN ANALYZE: what a run of a plan with count_rows measured. Each operator that passes rows on gets
// " (actual rows=N)" (summed over every run of its pipeline: a correlated subquery's operators count all
// outer rows' runs), each pipeline line its wall time.
struct ExplainActuals {
  const std::vector<uint64_t>* op_rows = nullptr;    // by operator_order
  const std::vector<double>* pipeline_ms = nullptr;  // by pipeline
};
std::vector<std::string> explain(const plan::PhysicalPlan& plan, const std::vector<Value>& params,
                                 const ExplainActuals& actuals);

// A time in EXPLAIN's text: milliseconds with three decimals, as PostgreSQL prints them ("0.123").
std::string format_ms(double ms);

// Makes `planned` count the rows each operator passes on (plan::PhysicalPlan::count_rows), a plan of its
// own in the plan cache.
void count_operator_rows(PlannedStatement& planned);

}  // namespace omendb::planner
