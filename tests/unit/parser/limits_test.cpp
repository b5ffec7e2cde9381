// Nesting limits (errors, never crashes), long statements, thread safety, fingerprints.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "parser_test_util.h"

namespace omendb::parser::testing {
namespace {

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ParserLimits, HugeParenthesisNestingIsAnError) {
  const std::string sql = "SELECT " + repeat("(", 100000) + "1" + repeat(")", 100000);
  SqlError e = parse_error(sql);
  EXPECT_EQ(e.state(), SqlState::ProgramLimitExceeded) << e.message();
  EXPECT_GT(e.position(), 0);
}

TEST(ParserLimits, LongLeftDeepChainIsAnError) {
  // libpg_query builds this without recursion but serialises it recursively; must not crash.
  for (size_t n : {2000, 5000, 100000, 1000000}) {
    const std::string sql = "SELECT 1" + repeat("+1", n);
    SqlError e = parse_error(sql);
    EXPECT_EQ(e.state(), SqlState::ProgramLimitExceeded) << n << ": " << e.message();
  }
}

TEST(ParserLimits, DeepCastChainAndUnaryChainAreErrors) {
  EXPECT_EQ(parse_error("SELECT a" + repeat("::int", 200000)).state(), SqlState::ProgramLimitExceeded);
  EXPECT_EQ(parse_error("SELECT " + repeat("- ", 9000) + "a").state(), SqlState::ProgramLimitExceeded);
  EXPECT_EQ(parse_error("SELECT " + repeat("NOT ", 5000) + "a").state(), SqlState::ProgramLimitExceeded);
}

size_t depth(const ast::Expr& e) {
  size_t d = 0;
  for (const auto& a : e.args) d = std::max(d, depth(*a));
  return d + 1;
}

TEST(ParserLimits, LongOrChainParsesAsABalancedTree) {
  // PostgreSQL runs OR / AND chains of any length (n-ary BoolExpr); the AST nests them log2(n) deep.
  std::string sql = "SELECT * FROM t WHERE a = 0";
  for (int i = 1; i < 20000; ++i) sql += " OR a = " + std::to_string(i);
  auto sel = parse_one<ast::SelectStmt>(sql);
  ASSERT_TRUE(sel);
  ASSERT_TRUE(sel->where);
  EXPECT_EQ(sel->where->binary_op, ast::BinaryOp::Or);
  EXPECT_LE(depth(*sel->where), 17u);  // 15 levels of OR over 20,000 terms, then a = i
}

TEST(ParserLimits, ModerateNestingIsFine) {
  auto e = parse_expr("1" + repeat("+1", 300));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ast::ExprKind::Binary);
  auto p = parse_expr(repeat("(", 200) + "1" + repeat(")", 200));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value.as_int(), 1);
}

TEST(ParserLimits, LongFlatStatementsParseOnTheLargeStackPath) {
  // Far beyond the inline-parse size: a bulk INSERT and a long IN list are wide, not deep.
  std::string sql = "INSERT INTO t VALUES (0, 'v0')";
  for (int i = 1; i < 20000; ++i) sql += ", (" + std::to_string(i) + ", 'v" + std::to_string(i) + "')";
  auto ins = parse_one<ast::InsertStmt>(sql);
  ASSERT_TRUE(ins);
  ASSERT_EQ(ins->rows.size(), 20000u);
  EXPECT_EQ(ins->rows[19999][0]->value.as_int(), 19999);
  EXPECT_EQ(ins->rows[19999][1]->value.as_text(), "v19999");

  std::string in = "SELECT 1 FROM t WHERE a IN (0";
  for (int i = 1; i < 50000; ++i) in += ", " + std::to_string(i);
  in += ")";
  auto sel = parse_one<ast::SelectStmt>(in);
  ASSERT_TRUE(sel);
  ASSERT_TRUE(sel->where);
  EXPECT_EQ(sel->where->args.size(), 50001u);

  // Errors on the large-stack path still arrive as SqlError with a position.
  SqlError err = parse_error(sql + " garbage");
  EXPECT_EQ(err.state(), SqlState::SyntaxError);
  EXPECT_EQ(err.position(), static_cast<int>(sql.size()) + 2);
}

TEST(ParserLimits, ParsesConcurrentlyFromManyThreads) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 300; ++i) {
        const std::string sql = "SELECT a + " + std::to_string(t * 1000 + i) + " FROM t" + std::to_string(t);
        auto stmts = parse(sql);
        auto& s = static_cast<ast::SelectStmt&>(*stmts.at(0));
        if (s.from.at(0)->table.name != "t" + std::to_string(t) ||
            s.targets.at(0).expr->args.at(1)->value.as_int() != t * 1000 + i) {
          ++failures;
        }
        try {
          parse("SELECT FROM WHERE");
          ++failures;
        } catch (const SqlError& e) {
          if (e.state() != SqlState::SyntaxError) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ParserFingerprint, SameForDifferentLiterals) {
  std::string a = fingerprint("SELECT a FROM t WHERE id = 1");
  std::string b = fingerprint("SELECT a FROM t WHERE id = 42");
  std::string c = fingerprint("select a from t where id = 'x'");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(fingerprint("SELECT -5"), fingerprint("SELECT 7"));
}

TEST(ParserFingerprint, SameForDifferentListLengths) {
  EXPECT_EQ(fingerprint("INSERT INTO t VALUES (1, 'a')"),
            fingerprint("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')"));
  EXPECT_EQ(fingerprint("SELECT * FROM t WHERE a IN (1)"),
            fingerprint("SELECT * FROM t WHERE a IN (1, 2, 3, 4)"));
}

TEST(ParserFingerprint, DiffersForDifferentTablesAndShapes) {
  EXPECT_NE(fingerprint("SELECT a FROM t WHERE id = 1"), fingerprint("SELECT a FROM u WHERE id = 1"));
  EXPECT_NE(fingerprint("SELECT a FROM t"), fingerprint("SELECT b FROM t"));
  EXPECT_NE(fingerprint("SELECT a FROM t WHERE id = 1"), fingerprint("SELECT a FROM t WHERE id > 1"));
}

TEST(ParserFingerprint, EmptyOnSyntaxError) {
  EXPECT_EQ(fingerprint("SELEC 1"), "");
  EXPECT_EQ(fingerprint("SELECT " + repeat("(", 100000)), "");
}

TEST(ParserFingerprint, LongStatementsWork) {
  std::string sql = "INSERT INTO t VALUES (0)";
  for (int i = 1; i < 5000; ++i) sql += ", (" + std::to_string(i) + ")";
  EXPECT_EQ(fingerprint(sql), fingerprint("INSERT INTO t VALUES (7)"));
}

}  // namespace
}  // namespace omendb::parser::testing
