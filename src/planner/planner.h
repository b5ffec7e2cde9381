// Binder + logical planner + rule-based optimizer: an ast statement in, a typed physical plan out.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/value.h"
#include "frontend/parser/ast.h"
#include "planner/plan.h"
#include "storage/catalog.h"

namespace omendb::planner {

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
};

// Looks a table up by name; nullptr if absent.
using TableResolver = std::function<storage::TableDefPtr(std::string_view name)>;

struct PlannerContext {
  const storage::Catalog* catalog = nullptr;
  // Rough row count of a table, for choosing the JIT tier; may be empty (then 0).
  std::function<uint64_t(uint32_t table_id)> row_estimate;
  // When set, used instead of `catalog` to find tables (unit tests, or a caller with its own view).
  TableResolver resolve_table;
};

// SELECT / INSERT / UPDATE / DELETE. Throws SqlError: 42P01 unknown table, 42703 unknown column,
// 42702 ambiguous column, 42804 / 42883 type errors, 22P02 / 22003 for literals that do not convert,
// 42803 aggregate misuse, 0A000 for valid SQL OmenDB does not support yet (naming the feature).
PlannedStatement plan_statement(const ast::Stmt& stmt, const PlannerContext& ctx);

// Validates CREATE TABLE and turns it into a table definition (id unassigned).
// 42701 duplicate column, 42P16 two primary keys, 42703 unknown key column, 0A000 unsupported types or
// constraints, 42704 unknown type, 54000 more than 1600 columns.
// Types: int/int4/integer and int2/smallint -> Int32 (smallint is wider than PostgreSQL's), int8/bigint ->
// Int64, float8/double precision/float and float4/real -> Float64 (real is wider than PostgreSQL's),
// text -> Text, varchar(n) -> Text with max_length n, bool -> Bool; numeric/decimal, char(n), date/time
// types and arrays -> 0A000 naming the type. Primary key columns become NOT NULL.
storage::TableDef bind_create_table(const ast::CreateTableStmt& stmt);

// EXPLAIN output: the logical plan as an indented tree, one line per element, e.g.
//   Limit (limit: $2)
//     -> Sort (keys: b DESC)
//       -> Filter ((a > $1))
//         -> TableScan t (range: id >= $0) (~1000 rows)
std::vector<std::string> explain(const plan::PhysicalPlan& plan);
// The same with every parameter shown as its value, as PostgreSQL's EXPLAIN shows literals
// ("TableScan t (range: id = 5)"); pass PlannedStatement::params.
std::vector<std::string> explain(const plan::PhysicalPlan& plan, const std::vector<Value>& params);

}  // namespace omendb::planner
