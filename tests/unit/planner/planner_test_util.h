// Shared fixture for planner tests: a few table definitions and helpers that parse and plan SQL.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "common/error.h"
#include "frontend/parser/parser.h"
#include "planner/planner.h"

namespace omendb::planner::testing {

inline storage::ColumnDef col(std::string name, TypeId type, bool not_null = false, int32_t max_length = -1) {
  storage::ColumnDef c;
  c.name = std::move(name);
  c.type = type;
  c.not_null = not_null;
  c.max_length = max_length;
  return c;
}

class PlannerTest : public ::testing::Test {
 protected:
  PlannerTest() {
    // t(id int PRIMARY KEY, a int, b text, c float8, d bool, e bigint)
    add(1, "t",
        {col("id", TypeId::Int32, true), col("a", TypeId::Int32), col("b", TypeId::Text),
         col("c", TypeId::Float64), col("d", TypeId::Bool), col("e", TypeId::Int64)},
        {0});
    // k(x int, y text, z bigint, v text, PRIMARY KEY (x, y, z))
    add(2, "k",
        {col("x", TypeId::Int32, true), col("y", TypeId::Text, true), col("z", TypeId::Int64, true),
         col("v", TypeId::Text)},
        {0, 1, 2});
    // r(p int, q text): no primary key
    add(3, "r", {col("p", TypeId::Int32), col("q", TypeId::Text)}, {});
    // s(name varchar(3) PRIMARY KEY, f float8)
    add(4, "s", {col("name", TypeId::Text, true, 3), col("f", TypeId::Float64)}, {0});
  }

  void add(uint32_t id, std::string name, std::vector<storage::ColumnDef> cols, std::vector<int> pk) {
    auto def = std::make_shared<storage::TableDef>();
    def->id = id;
    def->name = name;
    def->columns = std::move(cols);
    def->primary_key = std::move(pk);
    tables_[name] = def;
  }

  PlannerContext context() const {
    PlannerContext ctx;
    ctx.resolve_table = [this](std::string_view name) -> storage::TableDefPtr {
      auto it = tables_.find(std::string(name));
      return it == tables_.end() ? nullptr : it->second;
    };
    ctx.row_estimate = [](uint32_t) -> uint64_t { return 1000; };
    return ctx;
  }

  PlannedStatement plan(const std::string& sql) const {
    auto stmts = parser::parse(sql);
    EXPECT_EQ(stmts.size(), 1u) << sql;
    return plan_statement(*stmts.at(0), context());
  }

  // The SQLSTATE planning `sql` fails with (SuccessfulCompletion if it does not fail).
  SqlState error(const std::string& sql) const {
    try {
      plan(sql);
    } catch (const SqlError& e) {
      last_error_ = e.message();
      last_position_ = e.position();
      return e.state();
    }
    return SqlState::SuccessfulCompletion;
  }

  SqlState create_error(const std::string& sql) const {
    try {
      auto stmts = parser::parse(sql);
      bind_create_table(static_cast<const ast::CreateTableStmt&>(*stmts.at(0)));
    } catch (const SqlError& e) {
      last_error_ = e.message();
      return e.state();
    }
    return SqlState::SuccessfulCompletion;
  }

  storage::TableDef create(const std::string& sql) const {
    auto stmts = parser::parse(sql);
    return bind_create_table(static_cast<const ast::CreateTableStmt&>(*stmts.at(0)));
  }

  std::map<std::string, storage::TableDefPtr> tables_;
  mutable std::string last_error_;
  mutable int last_position_ = 0;
};

// Navigation helpers.
inline const plan::Op& child(const plan::Op& op, size_t i = 0) {
  return *op.children.at(i);
}

inline std::string explain_text(const plan::PhysicalPlan& p) {
  std::string s;
  for (const auto& line : explain(p)) s += line + "\n";
  return s;
}

}  // namespace omendb::planner::testing
