// Expression transforms: literals, operators, functions, CASE, and every 0A000 path.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "parser_test_util.h"

namespace omendb::parser::testing {
namespace {

using ast::BinaryOp;
using ast::ExprKind;
using ast::UnaryOp;

TEST(ParserLiterals, SmallIntegersAreInt32) {
  auto e = parse_expr("42");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ExprKind::Constant);
  EXPECT_EQ(e->value.type(), TypeId::Int32);
  EXPECT_EQ(e->value.as_int(), 42);
  EXPECT_EQ(e->location, 7);
}

TEST(ParserLiterals, ZeroIsInt32Zero) {
  auto e = parse_expr("0");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value.type(), TypeId::Int32);
  EXPECT_EQ(e->value.as_int(), 0);
  EXPECT_FALSE(e->value.is_null());
}

TEST(ParserLiterals, NegativeIntegerIsFoldedConstant) {
  auto e = parse_expr("-5");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::Constant);
  EXPECT_EQ(e->value.type(), TypeId::Int32);
  EXPECT_EQ(e->value.as_int(), -5);
}

TEST(ParserLiterals, Int32Bounds) {
  auto max = parse_expr("2147483647");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->value.type(), TypeId::Int32);
  EXPECT_EQ(max->value.as_int(), 2147483647);
  // Like PostgreSQL, 2147483648 (and its negation) become bigint.
  auto over = parse_expr("2147483648");
  ASSERT_TRUE(over);
  EXPECT_EQ(over->value.type(), TypeId::Int64);
  EXPECT_EQ(over->value.as_int(), 2147483648LL);
  auto neg = parse_expr("-2147483648");
  ASSERT_TRUE(neg);
  EXPECT_EQ(neg->value.type(), TypeId::Int64);
  EXPECT_EQ(neg->value.as_int(), -2147483648LL);
}

TEST(ParserLiterals, BigIntegersAreInt64) {
  auto e = parse_expr("9999999999");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value.type(), TypeId::Int64);
  EXPECT_EQ(e->value.as_int(), 9999999999LL);
  auto max = parse_expr("9223372036854775807");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->value.type(), TypeId::Int64);
  EXPECT_EQ(max->value.as_int(), std::numeric_limits<int64_t>::max());
  auto min = parse_expr("-9223372036854775808");
  ASSERT_TRUE(min);
  EXPECT_EQ(min->value.type(), TypeId::Int64);
  EXPECT_EQ(min->value.as_int(), std::numeric_limits<int64_t>::min());
}

// PostgreSQL: integer literals beyond bigint and decimal literals are numeric.
TEST(ParserLiterals, IntegersBeyondInt64AreNumeric) {
  auto e = parse_expr("99999999999999999999");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value.type(), TypeId::Numeric);
  EXPECT_EQ(e->value.to_string(), "99999999999999999999");
}

TEST(ParserLiterals, DecimalsAreNumeric) {
  auto e = parse_expr("1.5");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value.type(), TypeId::Numeric);
  EXPECT_EQ(e->value.to_string(), "1.5");
  auto neg = parse_expr("-2.25");
  ASSERT_TRUE(neg);
  EXPECT_EQ(neg->kind, ExprKind::Constant);
  EXPECT_EQ(neg->value.to_string(), "-2.25");
  auto exp = parse_expr("1e3");
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->value.type(), TypeId::Numeric);
  EXPECT_EQ(exp->value.to_string(), "1000");
  auto dot = parse_expr(".50");
  ASSERT_TRUE(dot);
  EXPECT_EQ(dot->value.to_string(), "0.50");
}

TEST(ParserLiterals, BooleansStringsNull) {
  auto t = parse_expr("true");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->value.type(), TypeId::Bool);
  EXPECT_TRUE(t->value.as_bool());
  auto f = parse_expr("false");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value.type(), TypeId::Bool);
  EXPECT_FALSE(f->value.is_null());
  EXPECT_FALSE(f->value.as_bool());

  auto s = parse_expr("'it''s'");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value.type(), TypeId::Unknown);
  EXPECT_FALSE(s->value.is_null());
  EXPECT_EQ(s->value.as_text(), "it's");
  auto empty = parse_expr("''");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->value.is_null());
  EXPECT_EQ(empty->value.as_text(), "");

  auto n = parse_expr("NULL");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, ExprKind::Constant);
  EXPECT_TRUE(n->value.is_null());
  EXPECT_EQ(n->value.type(), TypeId::Unknown);
}

TEST(ParserLiterals, TypedLiteralIsCastOverString) {
  auto e = parse_expr("date '2020-01-01'");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::Cast);
  EXPECT_EQ(e->cast_type.name, "date");
  ASSERT_EQ(e->args.size(), 1u);
  EXPECT_EQ(e->args[0]->value.as_text(), "2020-01-01");
}

TEST(ParserExprs, CastsNormalizeTypeNames) {
  struct Case {
    const char* sql;
    const char* type;
  } cases[] = {{"x::integer", "int4"},    {"x::bigint", "int8"},    {"CAST(x AS double precision)", "float8"},
               {"x::real", "float4"},     {"x::boolean", "bool"},   {"x::smallint", "int2"},
               {"x::float", "float8"},    {"x::text", "text"},      {"x::pg_catalog.int4", "int4"},
               {"x::varchar", "varchar"}, {"x::numeric", "numeric"}};
  for (const auto& c : cases) {
    auto e = parse_expr(c.sql);
    ASSERT_TRUE(e) << c.sql;
    ASSERT_EQ(e->kind, ExprKind::Cast) << c.sql;
    EXPECT_EQ(e->cast_type.name, c.type) << c.sql;
    EXPECT_FALSE(e->cast_type.is_array) << c.sql;
    ASSERT_EQ(e->args.size(), 1u);
    EXPECT_EQ(e->args[0]->kind, ExprKind::ColumnRef);
  }
}

TEST(ParserExprs, TypeModifiersAndArrays) {
  auto v = parse_expr("x::varchar(20)");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->cast_type.name, "varchar");
  EXPECT_EQ(v->cast_type.typmods, (std::vector<int>{20}));
  auto n = parse_expr("x::numeric(10, 2)");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->cast_type.typmods, (std::vector<int>{10, 2}));
  auto a = parse_expr("x::int[]");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->cast_type.name, "int4");
  EXPECT_TRUE(a->cast_type.is_array);
}

TEST(ParserExprs, ColumnRefsAndIdentifierCase) {
  auto e = parse_expr("MyCol");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::ColumnRef);
  EXPECT_EQ(e->names, (std::vector<std::string>{"mycol"}));
  auto q = parse_expr("\"MyTab\".\"MyCol\"");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->names, (std::vector<std::string>{"MyTab", "MyCol"}));
}

TEST(ParserExprs, Params) {
  auto e = parse_expr("$3");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ExprKind::Param);
  EXPECT_EQ(e->param_number, 3);
}

TEST(ParserExprs, BinaryOperators) {
  struct Case {
    const char* op;
    BinaryOp expected;
  } cases[] = {{"+", BinaryOp::Add},       {"-", BinaryOp::Sub},         {"*", BinaryOp::Mul},
               {"/", BinaryOp::Div},       {"%", BinaryOp::Mod},         {"=", BinaryOp::Eq},
               {"<>", BinaryOp::Ne},       {"!=", BinaryOp::Ne},         {"<", BinaryOp::Lt},
               {"<=", BinaryOp::Le},       {">", BinaryOp::Gt},          {">=", BinaryOp::Ge},
               {"||", BinaryOp::Concat},   {"~", BinaryOp::Match},       {"!~", BinaryOp::NotMatch},
               {"~*", BinaryOp::IMatch},   {"!~*", BinaryOp::NotIMatch}, {"~~", BinaryOp::Like},
               {"!~~", BinaryOp::NotLike}, {"~~*", BinaryOp::ILike},     {"!~~*", BinaryOp::NotILike}};
  for (const auto& c : cases) {
    auto e = parse_expr(std::string("a ") + c.op + " 2");
    ASSERT_TRUE(e) << c.op;
    ASSERT_EQ(e->kind, ExprKind::Binary) << c.op;
    EXPECT_EQ(e->binary_op, c.expected) << c.op;
    ASSERT_EQ(e->args.size(), 2u);
    EXPECT_EQ(e->args[0]->kind, ExprKind::ColumnRef);
    EXPECT_EQ(e->args[1]->value.as_int(), 2);
    EXPECT_EQ(e->location, 9) << c.op;  // the operator's offset in "SELECT a <op> 2"
  }
}

TEST(ParserExprs, PrecedenceIsPostgres) {
  auto e = parse_expr("1 + 2 * 3");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->binary_op, BinaryOp::Add);
  EXPECT_EQ(e->args[0]->value.as_int(), 1);
  ASSERT_EQ(e->args[1]->kind, ExprKind::Binary);
  EXPECT_EQ(e->args[1]->binary_op, BinaryOp::Mul);
}

TEST(ParserExprs, UnaryOperators) {
  auto m = parse_expr("-a");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->kind, ExprKind::Unary);
  EXPECT_EQ(m->unary_op, UnaryOp::Minus);
  EXPECT_EQ(m->args[0]->kind, ExprKind::ColumnRef);
  auto p = parse_expr("+a");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->unary_op, UnaryOp::Plus);
  auto n = parse_expr("NOT a");
  ASSERT_TRUE(n);
  ASSERT_EQ(n->kind, ExprKind::Unary);
  EXPECT_EQ(n->unary_op, UnaryOp::Not);
}

TEST(ParserExprs, AndOrChainsAreBalancedInOrder) {
  auto e = parse_expr("a AND b AND c AND d");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::Binary);
  EXPECT_EQ(e->binary_op, BinaryOp::And);
  // (a AND b) AND (c AND d): terms keep their order, the tree is log2(n) deep.
  ASSERT_EQ(e->args[0]->kind, ExprKind::Binary);
  ASSERT_EQ(e->args[1]->kind, ExprKind::Binary);
  EXPECT_EQ(e->args[0]->binary_op, BinaryOp::And);
  EXPECT_EQ(e->args[1]->binary_op, BinaryOp::And);
  EXPECT_EQ(e->args[0]->args[0]->names[0], "a");
  EXPECT_EQ(e->args[0]->args[1]->names[0], "b");
  EXPECT_EQ(e->args[1]->args[0]->names[0], "c");
  EXPECT_EQ(e->args[1]->args[1]->names[0], "d");

  auto three = parse_expr("a AND b AND c");
  ASSERT_TRUE(three);
  EXPECT_EQ(three->args[0]->names[0], "a");
  ASSERT_EQ(three->args[1]->kind, ExprKind::Binary);
  EXPECT_EQ(three->args[1]->args[0]->names[0], "b");
  EXPECT_EQ(three->args[1]->args[1]->names[0], "c");

  auto o = parse_expr("a OR b AND c");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->binary_op, BinaryOp::Or);
  EXPECT_EQ(o->args[1]->binary_op, BinaryOp::And);
}

TEST(ParserExprs, IsNull) {
  auto e = parse_expr("a IS NULL");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ExprKind::IsNull);
  EXPECT_FALSE(e->negated);
  auto n = parse_expr("a IS NOT NULL");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, ExprKind::IsNull);
  EXPECT_TRUE(n->negated);
}

TEST(ParserExprs, InList) {
  auto e = parse_expr("a IN (1, 2, 3)");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::InList);
  EXPECT_FALSE(e->negated);
  ASSERT_EQ(e->args.size(), 4u);
  EXPECT_EQ(e->args[0]->kind, ExprKind::ColumnRef);
  EXPECT_EQ(e->args[3]->value.as_int(), 3);
  auto n = parse_expr("a NOT IN (1)");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, ExprKind::InList);
  EXPECT_TRUE(n->negated);
  EXPECT_EQ(n->args.size(), 2u);
}

TEST(ParserExprs, Between) {
  auto e = parse_expr("a BETWEEN 1 AND 10");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::Between);
  EXPECT_FALSE(e->negated);
  ASSERT_EQ(e->args.size(), 3u);
  EXPECT_EQ(e->args[1]->value.as_int(), 1);
  EXPECT_EQ(e->args[2]->value.as_int(), 10);
  auto n = parse_expr("a NOT BETWEEN 1 AND 10");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->negated);
  auto sym = parse_expr("a NOT BETWEEN SYMMETRIC 10 AND 1");
  ASSERT_EQ(sym->kind, ExprKind::Between);
  EXPECT_TRUE(sym->negated);
  EXPECT_TRUE(sym->symmetric);
  EXPECT_EQ(sym->args.size(), 3u);
  EXPECT_FALSE(parse_expr("a BETWEEN 1 AND 10")->symmetric);
}

TEST(ParserExprs, FunctionCalls) {
  auto e = parse_expr("UPPER(name)");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::FuncCall);
  EXPECT_EQ(e->func_name, "upper");
  EXPECT_EQ(e->args.size(), 1u);
  EXPECT_FALSE(e->agg_star);

  auto q = parse_expr("pg_catalog.lower(name)");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->func_name, "lower");

  auto star = parse_expr("count(*)");
  ASSERT_TRUE(star);
  EXPECT_EQ(star->func_name, "count");
  EXPECT_TRUE(star->agg_star);
  ASSERT_EQ(star->args.size(), 1u);
  EXPECT_EQ(star->args[0]->kind, ExprKind::Star);

  auto d = parse_expr("count(DISTINCT a)");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->agg_distinct);
  EXPECT_FALSE(d->agg_star);
  EXPECT_EQ(d->args.size(), 1u);

  auto c = parse_expr("coalesce(a, b, 0)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, ExprKind::FuncCall);
  EXPECT_EQ(c->func_name, "coalesce");
  EXPECT_EQ(c->args.size(), 3u);

  auto ni = parse_expr("nullif(a, 0)");
  ASSERT_TRUE(ni);
  EXPECT_EQ(ni->kind, ExprKind::FuncCall);
  EXPECT_EQ(ni->func_name, "nullif");
  EXPECT_EQ(ni->args.size(), 2u);
}

// The SQL value functions that name a session property become calls named as PostgreSQL names their
// column; the binder gives them the session's values.
TEST(ParserExprs, SessionKeywordsBecomeCalls) {
  const std::pair<const char*, const char*> cases[] = {
      {"CURRENT_USER", "current_user"},
      {"SESSION_USER", "session_user"},
      {"USER", "user"},
      {"CURRENT_ROLE", "current_role"},
      {"CURRENT_CATALOG", "current_catalog"},
      {"CURRENT_SCHEMA", "current_schema"},
  };
  for (const auto& [sql, name] : cases) {
    auto e = parse_expr(sql);
    ASSERT_TRUE(e) << sql;
    EXPECT_EQ(e->kind, ExprKind::FuncCall) << sql;
    EXPECT_EQ(e->func_name, name);
    EXPECT_TRUE(e->sql_keyword) << sql;
    EXPECT_TRUE(e->args.empty()) << sql;
  }
  auto f = parse_expr("current_schema()");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->func_name, "current_schema");
  EXPECT_FALSE(f->sql_keyword);
}

TEST(ParserExprs, SearchedCase) {
  auto e = parse_expr("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::Case);
  EXPECT_FALSE(e->has_case_operand);
  EXPECT_TRUE(e->args.empty());
  ASSERT_EQ(e->when_clauses.size(), 2u);
  EXPECT_EQ(e->when_clauses[0].condition->binary_op, BinaryOp::Gt);
  EXPECT_EQ(e->when_clauses[1].result->value.as_text(), "y");
  ASSERT_TRUE(e->else_expr);
  EXPECT_EQ(e->else_expr->value.as_text(), "z");
}

TEST(ParserExprs, SimpleCaseWithoutElse) {
  auto e = parse_expr("CASE a WHEN 1 THEN 10 END");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, ExprKind::Case);
  EXPECT_TRUE(e->has_case_operand);
  ASSERT_EQ(e->args.size(), 1u);
  EXPECT_EQ(e->args[0]->names[0], "a");
  ASSERT_EQ(e->when_clauses.size(), 1u);
  EXPECT_EQ(e->when_clauses[0].condition->value.as_int(), 1);
  EXPECT_FALSE(e->else_expr);
}

// The mathematical operators (^ & | # << >>, prefix |/ ||/ @ ~) parse as named operators the binder
// resolves by type.
TEST(ParserExprs, MathOperatorsAreNamed) {
  for (const char* op : {"^", "&", "|", "#", "<<", ">>"}) {
    auto e = parse_expr(std::string("a ") + op + " 2");
    ASSERT_TRUE(e) << op;
    ASSERT_EQ(e->kind, ExprKind::Binary) << op;
    EXPECT_EQ(e->binary_op, ast::BinaryOp::Operator) << op;
    EXPECT_EQ(e->func_name, op);
  }
  for (const char* op : {"|/", "||/", "@", "~"}) {
    auto e = parse_expr(std::string(op) + " a");
    ASSERT_TRUE(e) << op;
    ASSERT_EQ(e->kind, ExprKind::Unary) << op;
    EXPECT_EQ(e->unary_op, ast::UnaryOp::Operator) << op;
    EXPECT_EQ(e->func_name, op);
  }
}

// Every expression form OmenDB does not handle is a 0A000 with a position.
TEST(ParserExprs, UnsupportedExpressionsAreFeatureNotSupported) {
  const char* cases[] = {
      "SELECT a <-> b FROM t",
      "SELECT !! a FROM t",
      "SELECT a ~~~ ANY(b) FROM t",
      "SELECT a @> ALL(b) FROM t",
      "SELECT (1, 2) IN (SELECT 1, 2)",
      "SELECT ROW(1, 2)",
      "SELECT (1, 2)",
      "SELECT ARRAY[[1, 2], [3, 4]]",
      "SELECT a[1:2] FROM t",
      "SELECT a[1][2] FROM t",
      "SELECT a COLLATE \"de_DE\" FROM t",
      "SELECT a COLLATE myschema.\"C\" FROM t",
      "SELECT B'101'",
      "SELECT X'1F'",
      "SELECT row_number() OVER (ORDER BY a USING <) FROM t",
      "SELECT string_agg(a, ',' ORDER BY a USING <) FROM t",
      "SELECT myschema.f(1)",
  };
  for (const char* sql : cases) {
    SqlError e = parse_error(sql);
    EXPECT_EQ(e.state(), SqlState::FeatureNotSupported) << sql << ": " << e.message();
  }
}

// LIKE / ILIKE / NOT LIKE are the ~~ operators; OPERATOR(pg_catalog.~) is ~; COLLATE "default" / "C" /
// "POSIX" (what OmenDB's bytewise comparison is) leave the expression as it is.
TEST(ParserExprs, LikeRegexAndCollate) {
  struct Case {
    const char* sql;
    BinaryOp expected;
  } cases[] = {{"a LIKE 'x%'", BinaryOp::Like},
               {"a NOT LIKE 'x%'", BinaryOp::NotLike},
               {"a ILIKE 'x%'", BinaryOp::ILike},
               {"a NOT ILIKE 'x%'", BinaryOp::NotILike},
               {"a OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default", BinaryOp::Match},
               {"a !~ 'x' COLLATE \"C\"", BinaryOp::NotMatch}};
  for (const auto& c : cases) {
    auto e = parse_expr(c.sql);
    ASSERT_TRUE(e) << c.sql;
    ASSERT_EQ(e->kind, ExprKind::Binary) << c.sql;
    EXPECT_EQ(e->binary_op, c.expected) << c.sql;
    ASSERT_EQ(e->args.size(), 2u);
    EXPECT_EQ(e->args[1]->kind, ExprKind::Constant) << c.sql;
  }
}

TEST(ParserExprs, Subqueries) {
  auto scalar = parse_expr("(SELECT max(a) FROM t)");
  EXPECT_EQ(scalar->kind, ast::ExprKind::Subquery);
  EXPECT_EQ(scalar->sublink, ast::SubLinkKind::Scalar);
  ASSERT_TRUE(scalar->subquery);
  EXPECT_EQ(scalar->subquery->from.size(), 1u);
  auto exists = parse_expr("EXISTS (SELECT 1 FROM t)");
  EXPECT_EQ(exists->sublink, ast::SubLinkKind::Exists);
  EXPECT_TRUE(exists->args.empty());
  auto in = parse_expr("a IN (SELECT b FROM u)");
  EXPECT_EQ(in->sublink, ast::SubLinkKind::Any);
  EXPECT_EQ(in->binary_op, ast::BinaryOp::Eq);
  ASSERT_EQ(in->args.size(), 1u);
  EXPECT_EQ(in->args[0]->kind, ast::ExprKind::ColumnRef);
  // NOT IN is NOT over = ANY, as PostgreSQL's grammar makes it.
  auto not_in = parse_expr("a NOT IN (SELECT b FROM u)");
  EXPECT_EQ(not_in->kind, ast::ExprKind::Unary);
  EXPECT_EQ(not_in->args.at(0)->sublink, ast::SubLinkKind::Any);
  auto all = parse_expr("a <= ALL (SELECT b FROM u)");
  EXPECT_EQ(all->sublink, ast::SubLinkKind::All);
  EXPECT_EQ(all->binary_op, ast::BinaryOp::Le);
  auto ne = parse_expr("a != ANY (SELECT b FROM u)");
  EXPECT_EQ(ne->binary_op, ast::BinaryOp::Ne);
}

TEST(ParserExprs, UnsupportedErrorCarriesOneBasedPosition) {
  SqlError e = parse_error("SELECT a <-> 'x' FROM t");
  EXPECT_EQ(e.state(), SqlState::FeatureNotSupported);
  EXPECT_EQ(e.position(), 10);  // the operator, 1-based
  EXPECT_NE(e.message().find("<->"), std::string::npos);

  SqlError g = parse_error("SELECT 1, myschema.f(1)");
  EXPECT_EQ(g.state(), SqlState::FeatureNotSupported);
  EXPECT_NE(g.message().find("schema-qualified function names"), std::string::npos);
}

// Named arguments: a call matching a built-in's parameter names becomes the positional call (gaps take
// the defaults); any other keeps its names for the binder's 42883; PostgreSQL's 42601 cases.
TEST(ParserExprs, NamedArguments) {
  auto m = parse_expr("make_interval(days => 3, hours := 2)");
  ASSERT_EQ(m->kind, ExprKind::FuncCall);
  ASSERT_EQ(m->args.size(), 5u);
  EXPECT_TRUE(m->names.empty());
  EXPECT_TRUE(m->args[0]->value == Value::int32(0));
  EXPECT_TRUE(m->args[3]->value == Value::int32(3));
  EXPECT_TRUE(m->args[4]->value == Value::int32(2));
  auto f = parse_expr("f(1, x => 2)");
  EXPECT_EQ(f->names, (std::vector<std::string>{"", "x"}));
  EXPECT_EQ(parse_error("SELECT f(x => 1, 2)").state(), SqlState::SyntaxError);
  EXPECT_EQ(parse_error("SELECT f(x => 1, x => 2)").state(), SqlState::SyntaxError);
}

// IS DISTINCT FROM is a binary operator and IS NOT DISTINCT FROM NOT over it; against an untyped NULL
// literal either is a NULL test (PostgreSQL's transformAExprDistinct). GREATEST / LEAST are calls.
TEST(ParserExprs, DistinctFromAndGreatestLeast) {
  auto d = parse_expr("a IS DISTINCT FROM b");
  ASSERT_EQ(d->kind, ExprKind::Binary);
  EXPECT_EQ(d->binary_op, BinaryOp::IsDistinct);
  auto nd = parse_expr("a IS NOT DISTINCT FROM b");
  ASSERT_EQ(nd->kind, ExprKind::Unary);
  EXPECT_EQ(nd->unary_op, ast::UnaryOp::Not);
  EXPECT_EQ(nd->args.at(0)->binary_op, BinaryOp::IsDistinct);
  auto dn = parse_expr("a IS DISTINCT FROM NULL");
  ASSERT_EQ(dn->kind, ExprKind::IsNull);
  EXPECT_TRUE(dn->negated);
  auto ndn = parse_expr("NULL IS NOT DISTINCT FROM a");
  ASSERT_EQ(ndn->kind, ExprKind::IsNull);
  EXPECT_FALSE(ndn->negated);
  EXPECT_EQ(ndn->args.at(0)->kind, ExprKind::ColumnRef);
  auto g = parse_expr("GREATEST(a, 1, b)");
  ASSERT_EQ(g->kind, ExprKind::FuncCall);
  EXPECT_EQ(g->func_name, "greatest");
  EXPECT_EQ(g->args.size(), 3u);
  EXPECT_EQ(parse_expr("LEAST(a)")->func_name, "least");
}

// One-dimensional arrays: constructors, subscripts, ANY / ALL over an array, ARRAY(SELECT ...).
// x LIKE p ESCAPE e is x ~~ like_escape(p, e); x SIMILAR TO p is x ~ similar_to_escape(p), as in PostgreSQL.
TEST(ParserExprs, LikeEscapeAndSimilarTo) {
  auto like = parse_expr("a NOT LIKE 'x%' ESCAPE '#'");
  EXPECT_EQ(like->binary_op, ast::BinaryOp::NotLike);
  EXPECT_EQ(like->args[1]->kind, ast::ExprKind::FuncCall);
  EXPECT_EQ(like->args[1]->func_name, "like_escape");
  auto similar = parse_expr("a NOT SIMILAR TO 'x%'");
  EXPECT_EQ(similar->binary_op, ast::BinaryOp::NotMatch);
  EXPECT_EQ(similar->args[1]->func_name, "similar_to_escape");
}

// IS [NOT] TRUE / FALSE / UNKNOWN: the tested value in `value` (NULL for UNKNOWN), IS NOT in `negated`.
TEST(ParserExprs, BooleanTests) {
  auto t = parse_expr("a IS NOT FALSE");
  ASSERT_EQ(t->kind, ExprKind::BoolTest);
  EXPECT_TRUE(t->negated);
  EXPECT_FALSE(t->value.is_null());
  EXPECT_FALSE(t->value.as_bool());
  auto u = parse_expr("a IS UNKNOWN");
  ASSERT_EQ(u->kind, ExprKind::BoolTest);
  EXPECT_FALSE(u->negated);
  EXPECT_TRUE(u->value.is_null());
}

TEST(ParserExprs, Arrays) {
  auto ctor = parse_expr("ARRAY[1, 2, 3]");
  EXPECT_EQ(ctor->kind, ast::ExprKind::ArrayCtor);
  EXPECT_EQ(ctor->args.size(), 3u);
  auto sub = parse_expr("a[2]");
  EXPECT_EQ(sub->kind, ast::ExprKind::Subscript);
  EXPECT_EQ(sub->args.size(), 2u);
  auto any = parse_expr("a <> ALL (b)");
  EXPECT_EQ(any->kind, ast::ExprKind::ArrayCmp);
  EXPECT_EQ(any->sublink, ast::SubLinkKind::All);
  EXPECT_EQ(any->binary_op, ast::BinaryOp::Ne);
  auto arr = parse_expr("ARRAY(SELECT 1)");
  EXPECT_EQ(arr->kind, ast::ExprKind::Subquery);
  EXPECT_EQ(arr->sublink, ast::SubLinkKind::Array);
  // (record).field: the binder takes it for a set-returning function's OUT column
  auto field = parse_expr("(information_schema._pg_expandarray(a)).n");
  ASSERT_EQ(field->kind, ast::ExprKind::FieldSelect);
  EXPECT_EQ(field->names, std::vector<std::string>{"n"});
  EXPECT_EQ(field->args.at(0)->func_name, "information_schema._pg_expandarray");
}

TEST(ParserExprs, UnsupportedInsideWhereAndOrderByToo) {
  EXPECT_EQ(parse_error("SELECT a FROM t ORDER BY a <-> b").state(), SqlState::FeatureNotSupported);
  EXPECT_EQ(parse_error("UPDATE t SET a = ARRAY[ARRAY[1]]").state(), SqlState::FeatureNotSupported);
  EXPECT_EQ(parse_error("INSERT INTO t VALUES (myschema.f(1))").state(), SqlState::FeatureNotSupported);
  EXPECT_EQ(parse_error("DELETE FROM t WHERE a <-> 1").state(), SqlState::FeatureNotSupported);
}

}  // namespace
}  // namespace omendb::parser::testing
