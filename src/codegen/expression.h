// Internal to codegen: lowering of bound expressions (planner/expr.h) to SqlValues, over the columns
// visible at the current point of a pipeline.
#pragma once

#include <unordered_map>

#include "codegen/sql_value.h"
#include "planner/expr.h"
#include "runtime/query_layout.h"

namespace omendb::codegen {

// The values of the columns visible at the current point of a pipeline, by ColumnId.
using ColumnScope = std::unordered_map<plan::ColumnId, SqlValue>;

// Evaluates `e`. AND/OR short-circuit and CASE evaluates only the branch taken, like PostgreSQL, so
// `x <> 0 AND 10 / x > 1` never divides by zero. Runtime state an expression needs (the hash set of a
// long IN list) is declared in `layout`.
SqlValue eval(CodeGen& cg, const plan::Expr& e, const ColumnScope& columns, runtime::QueryLayout& layout);

}  // namespace omendb::codegen
