// Helpers shared by the parser unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/error.h"
#include "frontend/parser/parser.h"

namespace omendb::parser::testing {

// Parses exactly one statement and downcasts it.
template <class T>
std::unique_ptr<T> parse_one(std::string_view sql) {
  auto stmts = parse(sql);
  EXPECT_EQ(stmts.size(), 1u) << sql;
  if (stmts.size() != 1) return nullptr;
  T* raw = dynamic_cast<T*>(stmts[0].get());
  EXPECT_NE(raw, nullptr) << sql << " parsed to kind " << static_cast<int>(stmts[0]->kind);
  if (!raw) return nullptr;
  stmts[0].release();
  return std::unique_ptr<T>(raw);
}

// The first select-list expression of `SELECT <expr>`.
inline ast::ExprPtr parse_expr(const std::string& expr_sql) {
  auto s = parse_one<ast::SelectStmt>("SELECT " + expr_sql);
  if (!s || s->targets.empty()) return nullptr;
  return std::move(s->targets[0].expr);
}

// The SqlError parse() throws for `sql`; fails the test if it does not throw one.
inline SqlError parse_error(std::string_view sql) {
  try {
    parse(sql);
  } catch (const SqlError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a SqlError for: " << sql;
  return SqlError(SqlState::SuccessfulCompletion, "");
}

}  // namespace omendb::parser::testing
