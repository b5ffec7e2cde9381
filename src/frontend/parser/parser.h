// SQL text -> OmenDB statements, through libpg_query (PostgreSQL's own grammar).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/parser/ast.h"

namespace omendb::parser {

// Parses every statement in `sql` (psql sends several separated by ';').
// Throws SqlError 42601 with the position of the syntax error (1-based, as PostgreSQL reports it),
// 0A000 for a parse node OmenDB has no transform for inside an otherwise supported statement,
// 54000 when the statement nests too deeply.
// `constants`: when set, every non-NULL Constant expression node of the result made from a literal is
// listed there (the simple protocol's statement cache gives them new values: statement_key.h).
std::vector<ast::StmtPtr> parse(std::string_view sql, std::vector<ast::Expr*>* constants = nullptr);

// The value an Constant expression of parse() has for the number token `token` (statement_key.h's
// KeyLiteral::value), with the grammar's folded minus in front when `negated`: int4 when it fits (PostgreSQL
// makes -2147483648 int4 too), else bigint, else numeric. Throws SqlError (22P02 / 22003, no position) as
// parse() would for that literal.
Value number_literal_value(std::string_view token, bool negated);

// A stored SELECT's text (a view's query) with each relation name it writes without a schema and
// `in_public` accepts written as public.name (CTE names left alone), as libpg_query deparses it: what
// pg_get_viewdef shows under a search_path without public (pg_dump's). Empty if the text does not parse.
std::string qualify_relations(std::string_view select_sql,
                              const std::function<bool(std::string_view)>& in_public);

// libpg_query's fingerprint of one statement's text: equal for statements that differ only in
// literal values (and in the length of VALUES / IN lists). Empty if the text does not parse.
std::string fingerprint(std::string_view statement_sql);

}  // namespace omendb::parser
