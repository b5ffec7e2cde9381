// Internal to omendb_parser: libpg_query's unpacked protobuf parse tree -> ast.h statements.
// Keeps the pg_query headers out of parser.h and ast.h.
#pragma once

#include <pg_query.pb-c.h>

#include <string>
#include <vector>

#include "frontend/parser/ast.h"

namespace omendb::parser::detail {

// Expression / statement nesting the transform accepts before it raises 54000.
inline constexpr int kMaxTransformDepth = 1000;

// Transforms every RawStmt. Throws SqlError (0A000 for unsupported expression nodes, 54000 when nested
// too deeply).
std::vector<ast::StmtPtr> transform_parse_result(const PgQuery__ParseResult& result);

// The SQL text of one statement node as libpg_query's deparser writes it; empty if it cannot.
std::string deparse_statement(PgQuery__Node* node);

}  // namespace omendb::parser::detail
