// OmenDB's own statement and expression tree. The parser builds it from libpg_query's parse tree;
// the binder reads it. Nothing here knows about the catalog or types beyond what the SQL text says.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/value.h"

namespace omendb::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  Constant,   // literal: value (Int -> Int32 if it fits else Int64, Float64, Text (Unknown type), Bool, NULL)
  Param,      // $n: param_number (1-based)
  ColumnRef,  // names: ["col"] or ["table", "col"]
  Star,       // `*` or `t.*` in a select list (names holds the qualifier if any); also count(*)'s argument
  Unary,      // unary_op, args[0]
  Binary,     // binary_op, args[0], args[1]
  IsNull,     // args[0] IS NULL; negated = IS NOT NULL
  BoolTest,   // args[0] IS [NOT] TRUE / FALSE / UNKNOWN (value true, false, NULL); negated: IS NOT
  FuncCall,   // func_name (lower case, unqualified), args, agg_star (count(*)), agg_distinct
  Cast,       // args[0]::type_name
  Case,       // CASE [args[0] when has_case_operand] WHEN when_clauses... [ELSE else_expr] END
  InList,     // args[0] [NOT] IN (args[1..]); negated for NOT IN
  Between,    // args[0] [NOT] BETWEEN args[1] AND args[2]; negated for NOT BETWEEN
  Subquery,   // a subquery used as an expression: subquery (the SELECT), sublink; for Any / All, args[0]
              // is the tested expression and binary_op the comparison (`x IN (SELECT ..)` is `x = ANY`)
  ArrayCtor,  // ARRAY[args...] (one dimension)
  Subscript,  // args[0][args[1]]
  ArrayCmp,   // args[0] binary_op ANY|ALL (args[1]), an array: sublink Any or All
  Grouping,   // GROUPING(args...): which of args the current grouping set leaves out, as a bitmask
  FieldSelect,  // (args[0]).names[0]: a field of a record value (a set-returning function's OUT column)
};

// What a subquery expression asks of its rows (PostgreSQL's SubLinkType).
enum class SubLinkKind {
  Exists,  // EXISTS (SELECT ...)
  Scalar,  // (SELECT ...): the value of its one column in its one row (NULL without rows)
  Any,     // x op ANY (SELECT ...), x IN (SELECT ...)
  All,     // x op ALL (SELECT ...)
  Array,   // ARRAY(SELECT ...)
};

// Operator: a prefix operator named by func_name (|/ ||/ @ ~), bound by its operand's type.
enum class UnaryOp { Minus, Plus, Not, Operator };
// Match .. NotIMatch: ~ !~ ~* !~* (POSIX regular expressions); Like .. NotILike: ~~ !~~ ~~* !~~* (LIKE,
// NOT LIKE, ILIKE, NOT ILIKE).
// clang-format off
enum class BinaryOp {
  Add, Sub, Mul, Div, Mod, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Concat,
  IsDistinct,  // IS DISTINCT FROM (IS NOT DISTINCT FROM is NOT over it, as PostgreSQL parses it)
  Match, NotMatch, IMatch, NotIMatch, Like, NotLike, ILike, NotILike,
  // json / jsonb (common/json.h): -> ->> #> #>> @> <@ ? ?| ?& #-
  JsonGet, JsonGetText, JsonPath, JsonPathText, Contains, ContainedBy, JsonExists, JsonExistsAny,
  JsonExistsAll, JsonDeletePath,
  // Another operator, named by func_name (^ & | # << >>), bound by its operands' types.
  Operator
};
// clang-format on

// A type as written: lower-cased PostgreSQL internal name after alias resolution
// ("int4", "int8", "int2", "float8", "float4", "numeric", "text", "varchar", "bool", ...), plus typmods
// (varchar(20) -> [20]) and array bounds (non-empty means an array type).
struct TypeName {
  std::string name;
  std::vector<int> typmods;
  bool is_array = false;
  int location = -1;
};

struct CaseWhen;
struct OrderItem;
struct SelectStmt;
struct WindowDef;

struct Expr {
  ExprKind kind;
  int location = -1;  // 0-based byte offset in the statement text, -1 if unknown

  Value value;                     // Constant
  int param_number = 0;            // Param
  std::vector<std::string> names;  // ColumnRef, Star qualifier, FieldSelect's field
  UnaryOp unary_op = UnaryOp::Minus;
  BinaryOp binary_op = BinaryOp::Add;
  bool negated = false;                // IsNull, BoolTest (IS NOT), InList (NOT IN), Between (NOT BETWEEN)
  bool symmetric = false;              // Between: BETWEEN SYMMETRIC
  std::string func_name;               // FuncCall
  bool agg_star = false;               // FuncCall: count(*)
  bool agg_distinct = false;           // FuncCall: count(DISTINCT x)
  ExprPtr agg_filter;                  // FuncCall: agg(...) FILTER (WHERE agg_filter); null without
  std::vector<OrderItem> agg_order;    // FuncCall: agg(x ORDER BY ...), or WITHIN GROUP (ORDER BY ...)
  bool agg_within_group = false;       // FuncCall: an ordered-set aggregate's WITHIN GROUP (agg_order)
  bool sql_keyword = false;            // FuncCall: a SQL value function written as a keyword (current_user)
  TypeName cast_type;                  // Cast
  bool has_case_operand = false;       // Case: CASE x WHEN ... (operand in args[0])
  std::vector<CaseWhen> when_clauses;  // Case
  ExprPtr else_expr;                   // Case (may be null)
  std::vector<ExprPtr> args;
  SubLinkKind sublink = SubLinkKind::Scalar;  // Subquery
  std::shared_ptr<SelectStmt> subquery;       // Subquery (shared: SelectStmt is incomplete here)
  std::shared_ptr<WindowDef> over;            // FuncCall: f(...) OVER (...) or OVER w; null without OVER

  explicit Expr(ExprKind k, int loc = -1);
};

struct CaseWhen {
  ExprPtr condition;
  ExprPtr result;
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // unset: PostgreSQL default (NULLS LAST for ASC, FIRST for DESC)
};

// Defined once CaseWhen and OrderItem are complete (clang instantiates the member vector's destructor here).
inline Expr::Expr(ExprKind k, int loc) : kind(k), location(loc) {}

// One option of CREATE / ALTER SEQUENCE or of an identity column's ( ... ) (PostgreSQL's DefElem).
struct SequenceOption {
  std::string name;               // as, increment, minvalue, maxvalue, start, restart, cache, cycle, owned_by
  bool has_arg = false;           // false: NO MINVALUE, NO MAXVALUE, RESTART without a value
  std::string value;              // a number as written, or the type name of AS
  std::vector<std::string> list;  // owned_by: [table, column] or [none]
  bool flag = false;              // cycle: CYCLE (true) / NO CYCLE
  int location = -1;
};

struct ColumnDef {
  std::string name;
  std::string table;  // the table's name, for messages ("... of table "t"")
  char identity = 0;  // GENERATED ALWAYS ('a') / BY DEFAULT ('d') AS IDENTITY; 0: none
  std::vector<SequenceOption> identity_options;
  TypeName type;
  bool not_null = false;
  bool primary_key = false;      // inline PRIMARY KEY on the column
  std::string primary_key_name;  // its CONSTRAINT name; empty: <table>_pkey
  bool unique = false;           // inline UNIQUE (CreateTableStmt::uniques has it; ADD COLUMN refuses it)
  ExprPtr default_expr;          // DEFAULT
  std::string default_text;      // DEFAULT as SQL text (libpg_query's deparser), kept in the catalog
  int location = -1;
};

struct TableRef {
  std::string name;    // lower-cased unless quoted
  std::string schema;  // empty unless written
  std::string alias;   // empty if none
  int location = -1;
};

// One item of a FROM clause: a table, a derived table (a subquery or VALUES), or a JOIN of two items.
enum class JoinType { Inner, Left, Right, Full };

struct SelectStmt;

struct FromItem {
  FromItem() = default;
  ~FromItem();  // defined once SelectStmt is complete
  bool is_join = false;
  TableRef table;  // !is_join: the table (or CTE) name and alias; for a derived table only the alias
  std::unique_ptr<SelectStmt> subquery;  // a derived table: FROM (SELECT ...) / (VALUES ...) [AS] alias
  // A function in FROM: FROM generate_series(1, 3) [WITH ORDINALITY] [AS] alias(a, b); its arguments may
  // name the FROM items before it (a function in FROM is always LATERAL, as in PostgreSQL).
  ExprPtr function;
  bool ordinality = false;
  bool lateral = false;  // LATERAL (SELECT ...): the subquery may name the FROM items before it
  std::vector<std::string> column_aliases;  // FROM x AS alias(a, b): renames the first columns
  // is_join: `left <type> JOIN right` with ON `on`, USING (`using_columns`) or NATURAL; CROSS JOIN is
  // an Inner join without a condition.
  JoinType join_type = JoinType::Inner;
  std::unique_ptr<FromItem> left, right;
  ExprPtr on;
  std::vector<std::string> using_columns;
  bool natural = false;
  int location = -1;
};
using FromItemPtr = std::unique_ptr<FromItem>;

struct SelectTarget {
  ExprPtr expr;
  std::string alias;  // empty if none
  int location = -1;
};

// A window frame's options: PostgreSQL's FRAMEOPTION_* bits (parsenodes.h), as its grammar sets them.
enum FrameOption : int {
  kFrameNonDefault = 0x00001,  // a frame clause was written
  kFrameRange = 0x00002,
  kFrameRows = 0x00004,
  kFrameGroups = 0x00008,
  kFrameBetween = 0x00010,
  kFrameStartUnboundedPreceding = 0x00020,
  kFrameEndUnboundedPreceding = 0x00040,
  kFrameStartUnboundedFollowing = 0x00080,
  kFrameEndUnboundedFollowing = 0x00100,
  kFrameStartCurrentRow = 0x00200,
  kFrameEndCurrentRow = 0x00400,
  kFrameStartOffsetPreceding = 0x00800,
  kFrameEndOffsetPreceding = 0x01000,
  kFrameStartOffsetFollowing = 0x02000,
  kFrameEndOffsetFollowing = 0x04000,
  kFrameExcludeCurrentRow = 0x08000,
  kFrameExcludeGroup = 0x10000,
  kFrameExcludeTies = 0x20000,
  // RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW: the frame without a frame clause.
  kFrameDefaults = kFrameRange | kFrameStartUnboundedPreceding | kFrameEndCurrentRow,
};

// A window specification (PostgreSQL's WindowDef): the OVER clause of a window function call, or an
// item of a SELECT's WINDOW clause.
struct WindowDef {
  std::string name;       // WINDOW clause: the window's name (empty in an OVER clause)
  std::string refname;    // OVER w / OVER (w ORDER BY ...): the WINDOW clause item it starts from
  bool bare_ref = false;  // OVER w (no parentheses): w itself, frame included
  std::vector<ExprPtr> partition_by;
  std::vector<OrderItem> order_by;
  int frame_options = kFrameDefaults;  // FrameOption bits
  ExprPtr start_offset;                // n of `n PRECEDING` / `n FOLLOWING` starting the frame
  ExprPtr end_offset;                  // ... ending it
  int location = -1;
};

enum class StmtKind {
  Select,
  Insert,
  Update,
  Delete,
  CreateTable,
  DropTable,
  Explain,
  Transaction,
  Set,
  Show,
  Prepare,
  Execute,
  Deallocate,
  Discard,
  DeclareCursor,
  Fetch,
  ClosePortal,
  Copy,
  Vacuum,
  Truncate,
  AlterTable,
  CreateIndex,
  DropIndex,
  CreateSequence,
  AlterSequence,
  CreateView,
  Lock,
  Comment,
  AlterSchemaOwner,
  Schema,
  Unsupported
};

struct Stmt {
  explicit Stmt(StmtKind k) : kind(k) {}
  virtual ~Stmt() = default;
  StmtKind kind;
  int location = 0;  // byte offset of this statement in the query string
  int length = 0;    // byte length of this statement's text (0 = to the end)
};
using StmtPtr = std::unique_ptr<Stmt>;

// SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [OF t, ...] [NOWAIT | SKIP LOCKED].
struct LockingClause {
  enum class Strength { KeyShare, Share, NoKeyUpdate, Update };  // weakest first
  enum class Wait { Block, Skip, Error };                        // (default), SKIP LOCKED, NOWAIT
  Strength strength = Strength::Update;
  Wait wait = Wait::Block;
  std::vector<std::string> of;  // empty: every table of the FROM clause
  int location = -1;
};

enum class SetOp { None, Union, Intersect, Except };

// WITH name [(columns)] AS [[NOT] MATERIALIZED] (query)
// WITH x AS [NOT] MATERIALIZED (...): whether the CTE's rows are computed once and read by each reference
// (Always), inlined at each reference (Never), or the planner decides (Default: PostgreSQL's rule).
enum class CteMaterialize { Default, Always, Never };

struct CommonTableExpr {
  std::string name;
  std::vector<std::string> columns;
  std::unique_ptr<SelectStmt> query;
  // A data-modifying WITH item (INSERT / UPDATE / DELETE, with or without RETURNING); `query` is null then.
  StmtPtr dml;
  CteMaterialize materialize = CteMaterialize::Default;
  int location = -1;
};

struct SelectStmt : Stmt {
  SelectStmt() : Stmt(StmtKind::Select) {}
  bool distinct = false;
  // SELECT DISTINCT ON (exprs): the first row of each group of rows equal in exprs (distinct stays
  // false). Each is an output position, an output column name or an expression, as in ORDER BY.
  std::vector<ExprPtr> distinct_on;
  std::vector<SelectTarget> targets;
  std::vector<FromItemPtr> from;  // more than one entry = implicit cross join
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  // GROUP BY with GROUPING SETS / ROLLUP / CUBE / (): the grouping sets, expanded and combined as
  // PostgreSQL does (each a list of indexes into group_by, whose items then are every expression
  // written); has_grouping_sets false: one set of every group_by item.
  bool has_grouping_sets = false;
  std::vector<std::vector<int>> grouping_sets;
  ExprPtr having;
  std::vector<OrderItem> order_by;
  ExprPtr limit;   // null when absent or LIMIT ALL
  ExprPtr offset;  // null when absent
  std::vector<LockingClause> locking;
  // WITH [RECURSIVE] a AS (...), b AS (...): the statement's common table expressions.
  // RECURSIVE: each sees every CTE of the clause, itself included (the binder's "WITH RECURSIVE").
  std::vector<CommonTableExpr> with;
  bool with_recursive = false;
  // WINDOW w AS (...), ...: the named windows OVER clauses may refer to.
  std::vector<WindowDef> windows;
  // A set operation: `larg <set_op> [ALL] rarg`; targets, from, where... are empty and order_by, limit
  // and offset apply to its result.
  SetOp set_op = SetOp::None;
  bool set_all = false;
  std::unique_ptr<SelectStmt> larg, rarg;
  // VALUES (...), (...) as a query (its rows; order_by, limit and offset apply to them).
  std::vector<std::vector<ExprPtr>> values;
  int values_location = -1;
  // SEARCH / CYCLE clauses, data-modifying WITH, ...: the name of the first such construct seen, for a 0A000
  // error naming it. Empty when the statement is plain.
  std::string unsupported_feature;
};

inline FromItem::~FromItem() = default;

// INSERT ... ON CONFLICT [target] DO NOTHING | DO UPDATE SET ... [WHERE ...]
struct OnConflict {
  bool do_update = false;
  std::vector<std::string> target_columns;  // ON CONFLICT (a, b); empty with a constraint name or none
  std::string constraint;                   // ON CONFLICT ON CONSTRAINT name
  ExprPtr target_where;                     // ON CONFLICT (a) WHERE ... (index predicate)
  std::vector<std::pair<std::string, ExprPtr>> assignments;  // DO UPDATE SET; null expr = DEFAULT
  ExprPtr where;                                             // DO UPDATE ... WHERE
  int location = 0;
};

struct InsertStmt : Stmt {
  InsertStmt() : Stmt(StmtKind::Insert) {}
  std::optional<OnConflict> on_conflict;
  TableRef table;
  std::vector<std::string> columns;        // empty: all columns in table order
  std::vector<std::vector<ExprPtr>> rows;  // VALUES lists; DEFAULT in a VALUES list -> null ExprPtr;
                                           // no rows and no select: DEFAULT VALUES
  std::unique_ptr<SelectStmt> select;      // INSERT ... SELECT (or VALUES with ORDER BY / LIMIT ...)
  bool overriding_system = false;          // OVERRIDING SYSTEM VALUE
  bool overriding_user = false;            // OVERRIDING USER VALUE
  std::vector<SelectTarget> returning;     // RETURNING (empty: none)
  // WITH [RECURSIVE] ... INSERT: the statement's common table expressions (as SelectStmt::with).
  std::vector<CommonTableExpr> with;
  bool with_recursive = false;
  std::string unsupported_feature;  // ON CONFLICT, RETURNING, WITH, ...
};

struct UpdateStmt : Stmt {
  UpdateStmt() : Stmt(StmtKind::Update) {}
  TableRef table;
  std::vector<std::pair<std::string, ExprPtr>> assignments;  // null expr = DEFAULT
  ExprPtr where;
  // UPDATE ... FROM a, b JOIN c ...: more tables the SET, WHERE and RETURNING clauses may name; a target
  // row is updated once, with one of its joined rows (PostgreSQL).
  std::vector<FromItemPtr> from;
  std::vector<SelectTarget> returning;  // RETURNING (empty: none)
  std::vector<CommonTableExpr> with;    // WITH [RECURSIVE] ... UPDATE (as SelectStmt::with)
  bool with_recursive = false;
  std::string unsupported_feature;  // WHERE CURRENT OF, ...
};

struct DeleteStmt : Stmt {
  DeleteStmt() : Stmt(StmtKind::Delete) {}
  TableRef table;
  ExprPtr where;
  // DELETE ... USING a, b ...: more tables the WHERE and RETURNING clauses may name (as UPDATE ... FROM).
  std::vector<FromItemPtr> using_items;
  std::vector<SelectTarget> returning;  // RETURNING (empty: none)
  std::vector<CommonTableExpr> with;    // WITH [RECURSIVE] ... DELETE (as SelectStmt::with)
  bool with_recursive = false;
  std::string unsupported_feature;  // WHERE CURRENT OF, ...
};

// Whether SELECT / INSERT / UPDATE / DELETE `stmt`'s own WITH clause has a data-modifying item.
inline bool has_data_modifying_with(const Stmt& stmt) {
  const std::vector<CommonTableExpr>* with = nullptr;
  if (stmt.kind == StmtKind::Select) with = &static_cast<const SelectStmt&>(stmt).with;
  if (stmt.kind == StmtKind::Insert) with = &static_cast<const InsertStmt&>(stmt).with;
  if (stmt.kind == StmtKind::Update) with = &static_cast<const UpdateStmt&>(stmt).with;
  if (stmt.kind == StmtKind::Delete) with = &static_cast<const DeleteStmt&>(stmt).with;
  if (!with) return false;
  for (const CommonTableExpr& cte : *with)
    if (cte.dml) return true;
  return false;
}

// A UNIQUE constraint: column-level or table-level in CREATE TABLE, or ALTER TABLE ... ADD.
struct UniqueConstraint {
  std::string name;  // CONSTRAINT name; empty: generated as PostgreSQL does (t_a_b_key)
  std::vector<std::string> columns;
  bool nulls_not_distinct = false;
  int location = -1;
};

// A CHECK constraint: column-level or table-level in CREATE TABLE, or ALTER TABLE ... ADD.
struct CheckConstraint {
  std::string name;  // CONSTRAINT name; empty: generated as PostgreSQL does (t_a_check, t_check)
  ExprPtr expr;
  std::string text;        // the expression as SQL text (libpg_query's deparser)
  bool not_valid = false;  // NOT VALID: rows already stored are not checked
  int location = -1;
};

// A FOREIGN KEY: column-level REFERENCES or table-level FOREIGN KEY, or ALTER TABLE ... ADD.
struct ForeignKeyConstraint {
  std::string name;  // empty: generated as PostgreSQL does (t_a_b_fkey)
  std::vector<std::string> columns;
  TableRef ref_table;
  std::vector<std::string> ref_columns;         // empty: the referenced table's primary key
  char on_update = 'a';                         // PostgreSQL's action codes: a NO ACTION, r RESTRICT,
  char on_delete = 'a';                         // c CASCADE, n SET NULL, d SET DEFAULT
  std::vector<std::string> delete_set_columns;  // ON DELETE SET NULL / SET DEFAULT (cols); empty: all
  bool not_valid = false;
  int location = -1;
};

struct CreateTableStmt : Stmt {
  CreateTableStmt() : Stmt(StmtKind::CreateTable) {}
  TableRef table;
  bool if_not_exists = false;
  std::vector<ColumnDef> columns;
  std::vector<std::string> primary_key;   // table-level PRIMARY KEY (a, b)
  std::string primary_key_name;           // its CONSTRAINT name; empty: <table>_pkey
  std::vector<UniqueConstraint> uniques;  // column- and table-level UNIQUE, in the order written
  std::vector<CheckConstraint> checks;    // column- and table-level CHECK, in the order written
  std::vector<ForeignKeyConstraint> foreign_keys;
  bool temporary = false;  // CREATE TEMP[ORARY] TABLE
  char on_commit = 0;      // ON COMMIT: 'p' PRESERVE ROWS, 'd' DELETE ROWS, 'D' DROP; 0: not written
  // WITH (name = value, ...): the storage parameters OmenDB keeps (seal_after), name and value as written
  // (the value's text; "true" when none was written, as PostgreSQL). fillfactor is checked and dropped.
  std::vector<std::pair<std::string, std::string>> options;
  std::string unsupported_feature;  // PARTITION, INHERITS ...
  // CREATE TABLE ... AS query [WITH [NO] DATA] and SELECT ... INTO: `as_query` is INSERT INTO table
  // query, which fills the table; the table's columns are the query's, named by `as_columns` first (the
  // rest by the query's names). `columns` and the constraints stay empty.
  std::unique_ptr<InsertStmt> as_query;
  std::vector<std::string> as_columns;
  bool with_no_data = false;
  bool select_into = false;  // written as SELECT ... INTO
};

// CREATE SEQUENCE [IF NOT EXISTS] / ALTER SEQUENCE [IF EXISTS] name options.
struct SequenceStmt : Stmt {
  explicit SequenceStmt(StmtKind k) : Stmt(k) {}
  TableRef sequence;
  bool if_not_exists = false;  // CREATE
  bool missing_ok = false;     // ALTER ... IF EXISTS
  std::vector<SequenceOption> options;
  bool temporary = false;           // CREATE TEMP SEQUENCE
  std::string unsupported_feature;  // UNLOGGED ...
};

struct DropTableStmt : Stmt {
  DropTableStmt() : Stmt(StmtKind::DropTable) {}
  bool sequence = false;  // DROP SEQUENCE
  bool view = false;      // DROP VIEW
  std::vector<TableRef> tables;
  bool if_exists = false;
  bool cascade = false;
};

// CREATE [OR REPLACE] VIEW name [(columns)] AS query.
struct CreateViewStmt : Stmt {
  CreateViewStmt() : Stmt(StmtKind::CreateView) {}
  TableRef view;
  std::vector<std::string> columns;  // the column list; empty: the query's column names
  bool replace = false;
  // The query as libpg_query's deparser prints it (normalised SQL text): what the catalog stores and
  // every statement naming the view binds again.
  std::string query;
  std::string check_option;         // WITH [LOCAL | CASCADED] CHECK OPTION: "local", "cascaded"; "": none
  std::string unsupported_feature;  // TEMP, view options: 0A000 naming it
};

// CREATE INDEX [IF NOT EXISTS] [name] ON t [USING btree] (col | func(...) | (expr) [ASC | DESC] [NULLS FIRST
// | LAST], ...) [WHERE ...].
struct CreateIndexStmt : Stmt {
  CreateIndexStmt() : Stmt(StmtKind::CreateIndex) {}
  std::string name;  // empty: generated as PostgreSQL does (t_a_b_idx)
  TableRef table;
  // Key columns in order: a column name, or an expression (`expr` set, `text` its deparsed SQL, `name`
  // PostgreSQL's FigureColname of it: "lower", "expr" ...).
  struct Element {
    std::string column;
    ExprPtr expr;
    std::string text;
    std::string name;
    int location = -1;
    uint8_t option = 0;  // PostgreSQL's indoption bits: 1 DESC, 2 NULLS FIRST
  };
  std::vector<Element> elements;
  ExprPtr where;           // a partial index's WHERE (null: none)
  std::string where_text;  // its deparsed SQL
  bool unique = false;
  bool nulls_not_distinct = false;  // UNIQUE NULLS NOT DISTINCT
  bool if_not_exists = false;
  bool concurrently = false;  // refused (25001 inside a transaction block, else 0A000)
  // What the statement asks that OmenDB does not do yet (DESC, INCLUDE, CONCURRENTLY,
  // another access method ...): 0A000 naming it. Empty: supported.
  std::string unsupported_feature;
};

// DROP INDEX [IF EXISTS] name [, ...] [CASCADE | RESTRICT].
struct DropIndexStmt : Stmt {
  DropIndexStmt() : Stmt(StmtKind::DropIndex) {}
  std::vector<TableRef> indexes;
  bool if_exists = false;
  bool concurrently = false;
};

struct ExplainStmt : Stmt {
  ExplainStmt() : Stmt(StmtKind::Explain) {}
  bool codegen = false;                      // EXPLAIN (CODEGEN)
  bool analyze = false;                      // EXPLAIN ANALYZE / (ANALYZE)
  bool summary = true;                       // EXPLAIN (ANALYZE, SUMMARY off): no execution time
  std::vector<std::string> unknown_options;  // options we do not know, for an error naming them
  StmtPtr stmt;
};

enum class TransactionKind { Begin, Commit, Rollback, Savepoint, Release, RollbackToSavepoint, Other };

struct TransactionStmt : Stmt {
  TransactionStmt() : Stmt(StmtKind::Transaction) {}
  TransactionKind txn_kind = TransactionKind::Other;
  // BEGIN / START TRANSACTION ISOLATION LEVEL ...: "read uncommitted", "read committed",
  // "repeatable read" or "serializable"; empty when not given.
  std::string isolation;
  std::optional<bool> read_only;  // READ ONLY (true) / READ WRITE (false); none: the session's default
  std::string savepoint_name;     // SAVEPOINT / RELEASE / ROLLBACK TO
};

// SET name = value / SET name TO value / RESET name / SET SESSION ...
// SET TRANSACTION ISOLATION LEVEL x: name "transaction_isolation", value x, transaction_only = true.
// SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL x: name "default_transaction_isolation".
struct SetStmt : Stmt {
  SetStmt() : Stmt(StmtKind::Set) {}
  std::string name;   // lower case
  std::string value;  // the value as text (joined with ", " for lists); empty for RESET / DEFAULT
  bool reset = false;
  bool reset_command = false;     // RESET (the command tag); SET ... TO DEFAULT is reset but answers SET
  bool transaction_only = false;  // SET TRANSACTION / SET LOCAL: only for the current transaction
  // SET [SESSION CHARACTERISTICS AS] TRANSACTION with several modes: the ones after the first (name and
  // value as above), applied in order after it.
  std::vector<std::pair<std::string, std::string>> more_modes;
};

struct ShowStmt : Stmt {
  ShowStmt() : Stmt(StmtKind::Show) {}
  std::string name;  // lower case; "all" for SHOW ALL
};

// PREPARE name [(types)] AS statement
struct PrepareStmt : Stmt {
  PrepareStmt() : Stmt(StmtKind::Prepare) {}
  std::string name;
  std::vector<TypeName> param_types;
  StmtPtr stmt;
};

// EXECUTE name [(args)]
struct ExecuteStmt : Stmt {
  ExecuteStmt() : Stmt(StmtKind::Execute) {}
  std::string name;
  std::vector<ExprPtr> args;
};

// DEALLOCATE [PREPARE] name | ALL
struct DeallocateStmt : Stmt {
  DeallocateStmt() : Stmt(StmtKind::Deallocate) {}
  std::string name;  // empty for ALL
  bool all = false;
};

// DISCARD ALL | PLANS | SEQUENCES | TEMP
struct DiscardStmt : Stmt {
  DiscardStmt() : Stmt(StmtKind::Discard) {}
  std::string target;  // "ALL", "PLANS", "SEQUENCES", "TEMP"
};

// DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query
struct DeclareCursorStmt : Stmt {
  DeclareCursorStmt() : Stmt(StmtKind::DeclareCursor) {}
  std::string name;
  bool binary = false;
  bool scroll = false;  // SCROLL written
  bool hold = false;    // WITH HOLD
  StmtPtr query;
};

// FETCH / MOVE [direction] [FROM | IN] name, as PostgreSQL's grammar reduces it: NEXT is FORWARD 1, PRIOR
// BACKWARD 1, FIRST ABSOLUTE 1, LAST ABSOLUTE -1, ALL FORWARD kFetchAll, a bare count FORWARD count.
struct FetchStmt : Stmt {
  FetchStmt() : Stmt(StmtKind::Fetch) {}
  enum class Direction { Forward, Backward, Absolute, Relative };
  static constexpr int64_t kFetchAll = INT64_MAX;
  std::string name;
  Direction direction = Direction::Forward;
  int64_t count = 1;
  bool move = false;
};

// CLOSE name | ALL
struct ClosePortalStmt : Stmt {
  ClosePortalStmt() : Stmt(StmtKind::ClosePortal) {}
  std::string name;  // empty for ALL
  bool all = false;
};

// One option of COPY ... WITH (...), legacy forms included (WITH CSV HEADER becomes format 'csv',
// header true, as PostgreSQL's grammar makes them).
struct CopyOption {
  std::string name;  // lower case: format, header, delimiter, null, quote, escape, force_quote, ...
  enum class Arg { None, Value, List, Star } arg = Arg::None;
  std::string value;              // Arg::Value: the text as written (strings unquoted)
  std::vector<std::string> list;  // Arg::List: column names
  int location = -1;
};

// COPY table [(columns)] FROM STDIN | 'file' / COPY table [(columns)] | (query) TO STDOUT | 'file'
struct CopyStmt : Stmt {
  CopyStmt() : Stmt(StmtKind::Copy) {}
  TableRef table;  // empty name when `query` is set
  std::vector<std::string> columns;
  StmtPtr query;  // COPY (SELECT ...) TO
  bool is_from = false;
  bool is_program = false;  // PROGRAM 'cmd'
  std::string filename;     // empty: STDIN / STDOUT
  bool has_where = false;   // COPY ... FROM ... WHERE (refused)
  std::vector<CopyOption> options;
};

// VACUUM [(options)] [table [(columns)], ...]: seals the tables' settled rows into column blocks
// (docs/columnar.md); with the ANALYZE option, and as ANALYZE [(options)] [table [(columns)], ...]
// (vacuum false), also gathers the tables' statistics (docs/schema.md, "ANALYZE").
struct VacuumStmt : Stmt {
  VacuumStmt() : Stmt(StmtKind::Vacuum) {}
  std::vector<TableRef> tables;                   // empty: every table
  std::vector<std::vector<std::string>> columns;  // per table: the column list (empty: every column)
  bool vacuum = true;                             // false: ANALYZE
  bool analyze = false;                           // ANALYZE, or VACUUM's ANALYZE option
  bool verbose = false;
  std::vector<std::string> options;  // lower case, as written (full, freeze, analyze, ...)
};

// TRUNCATE [TABLE] t1 [, t2 ...] [RESTART IDENTITY | CONTINUE IDENTITY] [CASCADE | RESTRICT]
struct TruncateStmt : Stmt {
  TruncateStmt() : Stmt(StmtKind::Truncate) {}
  std::vector<TableRef> tables;
  bool restart_identity = false;
  bool cascade = false;
};

// LOCK [TABLE] name [, ...] [IN mode MODE] [NOWAIT]
struct LockStmt : Stmt {
  LockStmt() : Stmt(StmtKind::Lock) {}
  std::vector<TableRef> tables;
  int mode = 8;  // PostgreSQL's lock modes: 1 ACCESS SHARE ... 8 ACCESS EXCLUSIVE (LOCK's default)
  bool nowait = false;
};

// One subcommand of ALTER TABLE (RENAME COLUMN / RENAME TO are one-command ALTER TABLEs too).
struct AlterTableCmd {
  enum class Kind {
    AddColumn,           // column_def; if_not_exists; check (expr set: ADD COLUMN ... CHECK), foreign_key
                         // (columns set: ... REFERENCES)
    DropColumn,          // column; missing_ok; cascade
    RenameColumn,        // column -> new_name
    RenameTable,         // new_name
    SetDefault,          // column; column_def.default_expr / default_text
    DropDefault,         // column
    SetNotNull,          // column
    DropNotNull,         // column
    AddPrimaryKey,       // keys; constraint (name, may be empty)
    AddUnique,           // keys; constraint (name, may be empty); nulls_not_distinct
    AddCheck,            // check
    AddForeignKey,       // foreign_key
    ValidateConstraint,  // constraint
    DropConstraint,      // constraint; missing_ok; cascade
    ChangeOwner,         // new_name: the role (empty for CURRENT_USER / CURRENT_ROLE / SESSION_USER)
    AddIdentity,         // column; column_def.identity ('a' / 'd') and identity_options
    SetOptions,          // options: SET (name = value, ...), as CreateTableStmt::options
    ResetOptions,        // options: RESET (name, ...), values empty
    AlterType,           // column; column_def.type; using_expr (null without USING)
    Unsupported,         // feature names it
  };
  Kind kind = Kind::Unsupported;
  std::string column;
  std::string new_name;
  ColumnDef column_def;
  bool if_not_exists = false;
  bool missing_ok = false;
  bool cascade = false;
  std::vector<std::string> keys;
  std::string constraint;
  bool nulls_not_distinct = false;
  CheckConstraint check;
  ForeignKeyConstraint foreign_key;
  std::vector<std::pair<std::string, std::string>> options;
  ExprPtr using_expr;  // AlterType: ALTER COLUMN c TYPE t USING expr
  std::string feature;
  int location = -1;
};

struct AlterTableStmt : Stmt {
  AlterTableStmt() : Stmt(StmtKind::AlterTable) {}
  TableRef table;
  bool if_exists = false;  // ALTER TABLE IF EXISTS
  bool view = false;       // ALTER VIEW ... RENAME [COLUMN]: the relation must be a view
  bool sequence = false;   // ALTER SEQUENCE ... OWNER TO
  std::vector<AlterTableCmd> cmds;
};

// COMMENT ON kind name IS 'text' | NULL (docs/schema.md, "Comments").
struct CommentStmt : Stmt {
  CommentStmt() : Stmt(StmtKind::Comment) {}
  enum class Object { Table, View, Sequence, Index, Column, Constraint, Schema, Unsupported };
  Object object = Object::Unsupported;
  std::string feature;  // Unsupported: the object kind ("DATABASE", "FUNCTION" ...)
  // The object's name as written: [schema.]relation (Table, View, Sequence, Index); [schema.]table.column
  // (Column); [schema.]table then the constraint's name last (Constraint); the schema's name (Schema).
  std::vector<std::string> name;
  std::optional<std::string> comment;  // IS NULL: none
};

// ALTER SCHEMA name OWNER TO role.
struct AlterSchemaOwnerStmt : Stmt {
  AlterSchemaOwnerStmt() : Stmt(StmtKind::AlterSchemaOwner) {}
  std::string schema;
  std::string role;  // empty: CURRENT_USER / CURRENT_ROLE / SESSION_USER
};

// CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] (without a name: the role's name), DROP SCHEMA
// [IF EXISTS] name, ... [CASCADE | RESTRICT], ALTER SCHEMA name RENAME TO new_name.
struct SchemaStmt : Stmt {
  SchemaStmt() : Stmt(StmtKind::Schema) {}
  enum class Action { Create, Drop, Rename };
  Action action = Action::Create;
  std::vector<std::string> names;   // Create (empty: AUTHORIZATION's role names it), Rename: one
  std::optional<std::string> role;  // AUTHORIZATION role ("": CURRENT_USER, SESSION_USER ...)
  std::string new_name;             // Rename
  bool if_exists = false;           // DROP IF EXISTS, CREATE IF NOT EXISTS
  bool cascade = false;
  bool has_elements = false;  // CREATE SCHEMA ... CREATE TABLE ... (schema elements)
};

// Any statement libpg_query parses that OmenDB has no transform for (CREATE INDEX, CREATE VIEW, ...).
struct UnsupportedStmt : Stmt {
  UnsupportedStmt() : Stmt(StmtKind::Unsupported) {}
  std::string feature;  // e.g. "CREATE INDEX", named after the parse node
};

}  // namespace omendb::ast
