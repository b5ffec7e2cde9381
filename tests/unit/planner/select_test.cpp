#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

using plan::ExprOp;
using plan::OpKind;

TEST_F(PlannerTest, SimpleSelectShapeAndLiftedParam) {
  auto ps = plan("SELECT a FROM t WHERE a > 5");
  EXPECT_EQ(ps.command, "SELECT");
  const auto& root = ps.plan.root->as<plan::ProjectOp>();
  ASSERT_EQ(root.kind, OpKind::Project);
  const auto& filter = (child(root)).as<plan::FilterOp>();
  ASSERT_EQ(filter.kind, OpKind::Filter);
  const auto& scan = (child(filter)).as<plan::TableScanOp>();
  ASSERT_EQ(scan.kind, OpKind::TableScan);
  EXPECT_EQ(scan.scan_columns, std::vector<int>{1});  // only `a` is read
  EXPECT_EQ(scan.key_column, -1);
  EXPECT_TRUE(scan.range.is_full());
  const auto& pred = *filter.predicate;
  EXPECT_EQ(pred.op, ExprOp::Gt);
  EXPECT_EQ(pred.type, TypeId::Bool);
  EXPECT_EQ(pred.args[0]->op, ExprOp::Column);
  EXPECT_EQ(pred.args[0]->column, scan.output[0].id);
  ASSERT_EQ(pred.args[1]->op, ExprOp::Param);
  EXPECT_EQ(pred.args[1]->param, 0);
  EXPECT_EQ(pred.args[1]->type, TypeId::Int32);
  ASSERT_EQ(ps.params.size(), 1u);
  EXPECT_EQ(ps.params[0], Value::int32(5));
  ASSERT_EQ(ps.plan.result_columns.size(), 1u);
  EXPECT_EQ(ps.plan.result_columns[0].name, "a");
  EXPECT_EQ(ps.plan.result_columns[0].type, TypeId::Int32);
  EXPECT_EQ(ps.plan.result_columns[0].id, root.output[0].id);
  ASSERT_EQ(ps.plan.pipelines.size(), 1u);
  EXPECT_EQ(ps.plan.pipelines[0].source, &scan);
  EXPECT_EQ(ps.plan.pipelines[0].operators, (std::vector<const plan::Op*>{&filter, &root}));
  EXPECT_EQ(ps.plan.pipelines[0].sink, nullptr);
  EXPECT_TRUE(ps.plan.pipelines[0].dependencies.empty());
  EXPECT_EQ(ps.plan.estimated_rows, 1000u);
}

TEST_F(PlannerTest, SelectWithoutFrom) {
  auto ps = plan("SELECT 1+2");
  const auto& root = ps.plan.root->as<plan::ProjectOp>();
  ASSERT_EQ(root.kind, OpKind::Project);
  const auto& values = (child(root)).as<plan::ValuesOp>();
  ASSERT_EQ(values.kind, OpKind::Values);
  ASSERT_EQ(values.rows.size(), 1u);
  EXPECT_TRUE(values.rows[0].empty());
  EXPECT_TRUE(values.output.empty());
  EXPECT_FALSE(values.values_matrix);
  EXPECT_EQ(root.exprs[0]->op, ExprOp::Add);
  EXPECT_EQ(root.exprs[0]->type, TypeId::Int32);
  EXPECT_EQ(ps.params, (std::vector<Value>{Value::int32(1), Value::int32(2)}));
  EXPECT_EQ(ps.plan.result_columns[0].name, "?column?");
}

TEST_F(PlannerTest, MostNegativeIntegerLiteralIsInt32) {
  auto ps = plan("SELECT -2147483648 - 1, 2147483648");
  EXPECT_EQ(ps.plan.root->as<plan::ProjectOp>().exprs[0]->type, TypeId::Int32);
  EXPECT_EQ(ps.params.at(0), Value::int32(INT32_MIN));
  EXPECT_EQ(ps.plan.root->as<plan::ProjectOp>().exprs[1]->type, TypeId::Int64);
}

TEST_F(PlannerTest, WhereWithoutFrom) {
  auto ps = plan("SELECT 'x' WHERE 1 < 2");
  const auto& root = ps.plan.root->as<plan::ProjectOp>();
  ASSERT_EQ(child(root).kind, OpKind::Filter);
  EXPECT_EQ(child(child(root)).kind, OpKind::Values);
  EXPECT_EQ(ps.plan.result_columns[0].type, TypeId::Text);
}

TEST_F(PlannerTest, StarAndQualifiedStarAndAliases) {
  auto ps = plan("SELECT * FROM t");
  ASSERT_EQ(ps.plan.result_columns.size(), 6u);
  EXPECT_EQ(ps.plan.result_columns[2].name, "b");
  EXPECT_EQ(ps.plan.result_columns[5].type, TypeId::Int64);
  auto ps2 = plan("SELECT x.*, x.a AS alias FROM t x");
  ASSERT_EQ(ps2.plan.result_columns.size(), 7u);
  EXPECT_EQ(ps2.plan.result_columns[6].name, "alias");
  EXPECT_EQ(error("SELECT y.* FROM t x"), SqlState::UndefinedTable);
  EXPECT_EQ(error("SELECT t.a FROM t x"), SqlState::UndefinedTable);
  EXPECT_EQ(error("SELECT *"), SqlState::SyntaxError);
}

TEST_F(PlannerTest, ResultColumnNaming) {
  auto ps = plan("SELECT a::text, 1::bigint, abs(a), a + 1, CASE WHEN d THEN 1 END, true FROM t");
  std::vector<std::string> names;
  for (const auto& c : ps.plan.result_columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "int8", "abs", "?column?", "case", "bool"}));
  // FigureColname: ARRAY[...], ARRAY(SELECT ...), EXISTS (...), GROUPING(...)
  auto ps2 = plan("SELECT ARRAY[a, 1], ARRAY(SELECT 1), EXISTS (SELECT 1), GROUPING(a) FROM t GROUP BY a");
  names.clear();
  for (const auto& c : ps2.plan.result_columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"array", "array", "exists", "grouping"}));
}

TEST_F(PlannerTest, NumericWideningInsertsCasts) {
  auto ps = plan("SELECT a + e, a * c, e - 1 FROM t");
  const auto& p = ps.plan.root->as<plan::ProjectOp>();
  const auto& add = *p.exprs[0];
  EXPECT_EQ(add.type, TypeId::Int64);
  EXPECT_EQ(add.args[0]->op, ExprOp::Cast);
  EXPECT_EQ(add.args[0]->type, TypeId::Int64);
  EXPECT_EQ(add.args[0]->args[0]->op, ExprOp::Column);
  EXPECT_EQ(add.args[1]->op, ExprOp::Column);
  const auto& mul = *p.exprs[1];
  EXPECT_EQ(mul.type, TypeId::Float64);
  EXPECT_EQ(mul.args[0]->op, ExprOp::Cast);
  // A literal widened by context is converted at bind time: the param is already Int64.
  const auto& sub = *p.exprs[2];
  EXPECT_EQ(sub.type, TypeId::Int64);
  EXPECT_EQ(sub.args[1]->op, ExprOp::Param);
  EXPECT_EQ(sub.args[1]->type, TypeId::Int64);
  EXPECT_EQ(ps.params.at(sub.args[1]->param), Value::int64(1));
}

TEST_F(PlannerTest, UnknownLiteralTakesContextType) {
  auto ps = plan("SELECT a FROM t WHERE a = '12' AND d = 'YES' AND b = 'x' AND c < '1.5'");
  EXPECT_EQ(ps.params, (std::vector<Value>{Value::int32(12), Value::boolean(true), Value::text("x"),
                                           Value::float64(1.5)}));
  EXPECT_EQ(error("SELECT a FROM t WHERE a = 'abc'"), SqlState::InvalidTextRepresentation);
  EXPECT_EQ(last_error_, "invalid input syntax for type integer: \"abc\"");
  EXPECT_EQ(error("SELECT a FROM t WHERE d = 'maybe'"), SqlState::InvalidTextRepresentation);
  EXPECT_EQ(error("SELECT a FROM t WHERE a = '99999999999'"), SqlState::NumericValueOutOfRange);
  auto both = plan("SELECT 'a' = 'b'");
  const auto& eq = *both.plan.root->as<plan::ProjectOp>().exprs[0];
  EXPECT_EQ(eq.args[0]->type, TypeId::Text);
  EXPECT_EQ(eq.args[1]->type, TypeId::Text);
}

TEST_F(PlannerTest, BoolLiteralSpellings) {
  for (const char* s : {"t", "true", "YES", "on", "1", "y"}) {
    auto ps = plan(std::string("SELECT a FROM t WHERE d = '") + s + "'");
    EXPECT_EQ(ps.params.at(0), Value::boolean(true)) << s;
  }
  for (const char* s : {"f", "FALSE", "no", "off", "0"}) {
    auto ps = plan(std::string("SELECT a FROM t WHERE d = '") + s + "'");
    EXPECT_EQ(ps.params.at(0), Value::boolean(false)) << s;
  }
}

TEST_F(PlannerTest, ConcatCastsToText) {
  auto ps = plan("SELECT a || 'x', b || c FROM t");
  const auto& e0 = *ps.plan.root->as<plan::ProjectOp>().exprs[0];
  EXPECT_EQ(e0.op, ExprOp::Concat);
  EXPECT_EQ(e0.type, TypeId::Text);
  EXPECT_EQ(e0.args[0]->op, ExprOp::Cast);
  EXPECT_EQ(e0.args[0]->type, TypeId::Text);
  EXPECT_EQ(e0.args[1]->op, ExprOp::Param);
  EXPECT_EQ(e0.args[1]->type, TypeId::Text);
  const auto& e1 = *ps.plan.root->as<plan::ProjectOp>().exprs[1];
  EXPECT_EQ(e1.args[1]->op, ExprOp::Cast);
  EXPECT_EQ(error("SELECT a || e FROM t"), SqlState::UndefinedFunction);
}

TEST_F(PlannerTest, NullStaysConstant) {
  auto ps = plan("SELECT a FROM t WHERE a = NULL OR b IS NULL");
  EXPECT_TRUE(ps.params.empty());
  const auto& pred = *child(*ps.plan.root).as<plan::FilterOp>().predicate;
  // `a = NULL` is folded to a NULL boolean while planning (the operator is strict), as in PostgreSQL.
  const auto& eq = *pred.args[0];
  EXPECT_EQ(eq.op, ExprOp::Constant);
  EXPECT_TRUE(eq.constant.is_null());
  EXPECT_EQ(eq.type, TypeId::Bool);
  EXPECT_EQ(pred.args[1]->op, ExprOp::IsNull);
  // NULL keeps its coerced type where it is not folded away.
  auto ps1 = plan("SELECT a FROM t WHERE coalesce(a, NULL) = 1");
  EXPECT_EQ(ps1.params.size(), 1u);  // only the 1 is lifted
  const auto& cmp = *child(*ps1.plan.root).as<plan::FilterOp>().predicate;
  ASSERT_EQ(cmp.op, ExprOp::Eq);
  const auto& co = *cmp.args[0];
  ASSERT_EQ(co.op, ExprOp::Coalesce);
  EXPECT_EQ(co.args.back()->op, ExprOp::Constant);
  EXPECT_TRUE(co.args.back()->constant.is_null());
  EXPECT_EQ(co.args.back()->type, TypeId::Int32);
  auto ps2 = plan("SELECT NULL");
  EXPECT_EQ(ps2.plan.result_columns[0].type, TypeId::Text);
}

TEST_F(PlannerTest, InListAndBetween) {
  auto ps = plan("SELECT a FROM t WHERE a IN (1, 2, 3) AND e NOT BETWEEN 1 AND 10 AND b NOT IN ('x')");
  const auto& pred = *child(*ps.plan.root).as<plan::FilterOp>().predicate;
  // (a IN ...) AND ((NOT BETWEEN) AND (NOT IN)): conjunctions are balanced trees, terms in order
  // a IN (1, 2, 3): a balanced tree of comparisons too, (a = 1) OR ((a = 2) OR (a = 3))
  const auto& in = *pred.args[0];
  EXPECT_EQ(in.op, ExprOp::Or);
  EXPECT_EQ(in.args[0]->op, ExprOp::Eq);
  EXPECT_EQ(in.args[1]->op, ExprOp::Or);
  ASSERT_EQ(pred.args[1]->op, ExprOp::And);
  const auto& nb = *pred.args[1]->args[0];
  EXPECT_EQ(nb.op, ExprOp::Not);
  EXPECT_EQ(nb.args[0]->op, ExprOp::And);
  EXPECT_EQ(nb.args[0]->args[0]->op, ExprOp::Ge);
  EXPECT_EQ(nb.args[0]->args[1]->op, ExprOp::Le);
  EXPECT_EQ(nb.args[0]->args[0]->args[1]->type, TypeId::Int64);
  const auto& nin = *pred.args[1]->args[1];
  EXPECT_EQ(nin.op, ExprOp::Not);
  EXPECT_EQ(nin.args[0]->op, ExprOp::Eq);
  EXPECT_EQ(ps.params.size(), 6u);
}

TEST_F(PlannerTest, CaseAndFunctions) {
  auto ps = plan(
      "SELECT CASE a WHEN 1 THEN 2 WHEN 3 THEN e END, CASE WHEN d THEN c ELSE 1 END, "
      "coalesce(a, e, 0), nullif(a, 3), abs(c) FROM t");
  const auto& p = ps.plan.root->as<plan::ProjectOp>();
  // CASE a WHEN ...: the operand first, evaluated once; each WHEN compares CaseTest with its value.
  const auto& simple = *p.exprs[0];
  EXPECT_EQ(simple.op, ExprOp::Case);
  EXPECT_EQ(simple.func, plan::kCaseOperand);
  EXPECT_EQ(simple.type, TypeId::Int64);
  ASSERT_EQ(simple.args.size(), 6u);
  EXPECT_EQ(simple.args[0]->op, ExprOp::Column);
  EXPECT_EQ(simple.args[1]->op, ExprOp::Eq);
  EXPECT_EQ(simple.args[1]->args[0]->op, ExprOp::CaseTest);
  EXPECT_EQ(simple.args[5]->op, ExprOp::Constant);  // ELSE NULL
  EXPECT_TRUE(simple.args[5]->constant.is_null());
  EXPECT_EQ(simple.args[5]->type, TypeId::Int64);
  EXPECT_EQ(p.exprs[1]->type, TypeId::Float64);
  EXPECT_EQ(p.exprs[1]->func, plan::kCaseSearched);
  const auto& co = *p.exprs[2];
  EXPECT_EQ(co.op, ExprOp::Coalesce);
  EXPECT_EQ(co.type, TypeId::Int64);
  ASSERT_EQ(co.args.size(), 3u);
  // NULLIF(a, 3): CASE a WHEN 3 THEN NULL ELSE a END with a read through CaseTest.
  const auto& ni = *p.exprs[3];
  EXPECT_EQ(ni.op, ExprOp::Case);
  EXPECT_EQ(ni.func, plan::kCaseNullIf);
  EXPECT_EQ(ni.type, TypeId::Int32);
  ASSERT_EQ(ni.args.size(), 4u);
  EXPECT_EQ(ni.args[0]->op, ExprOp::Column);
  EXPECT_EQ(ni.args[1]->op, ExprOp::Eq);
  EXPECT_TRUE(ni.args[2]->constant.is_null());
  EXPECT_EQ(ni.args[3]->op, ExprOp::CaseTest);
  EXPECT_EQ(p.exprs[4]->op, ExprOp::Abs);
  EXPECT_EQ(p.exprs[4]->type, TypeId::Float64);
  EXPECT_EQ(error("SELECT CASE WHEN d THEN 1 ELSE b END FROM t"), SqlState::DatatypeMismatch);
  EXPECT_EQ(last_error_, "CASE types text and integer cannot be matched");  // ELSE first, as PostgreSQL
  EXPECT_EQ(error("SELECT CASE WHEN a THEN 1 END FROM t"), SqlState::DatatypeMismatch);
  EXPECT_EQ(error("SELECT coalesce(a, b) FROM t"), SqlState::DatatypeMismatch);
  EXPECT_EQ(error("SELECT foo(a) FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(last_error_, "function foo(integer) does not exist");
  EXPECT_EQ(error("SELECT abs(b) FROM t"), SqlState::UndefinedFunction);
}

TEST_F(PlannerTest, Casts) {
  auto ps = plan("SELECT '5'::int, a::text, c::int8, 2.5::int FROM t");
  const auto& p = ps.plan.root->as<plan::ProjectOp>();
  EXPECT_EQ(p.exprs[0]->op, ExprOp::Param);
  EXPECT_EQ(p.exprs[0]->type, TypeId::Int32);
  EXPECT_EQ(ps.params.at(p.exprs[0]->param), Value::int32(5));
  EXPECT_EQ(p.exprs[1]->op, ExprOp::Cast);
  EXPECT_EQ(p.exprs[1]->type, TypeId::Text);
  EXPECT_EQ(p.exprs[2]->op, ExprOp::Cast);
  EXPECT_EQ(p.exprs[2]->type, TypeId::Int64);
  EXPECT_EQ(ps.params.at(p.exprs[3]->param), Value::int32(3));  // half away from zero
  EXPECT_EQ(ps.plan.result_columns[0].name, "int4");
  EXPECT_EQ(error("SELECT d::float8 FROM t"), SqlState::CannotCoerce);
  EXPECT_EQ(error("SELECT c::bool FROM t"), SqlState::CannotCoerce);
  EXPECT_EQ(error("SELECT 'x'::int"), SqlState::InvalidTextRepresentation);
  EXPECT_EQ(error("SELECT a::numeric(1001) FROM t"), SqlState::InvalidParameterValue);
  EXPECT_EQ(error("SELECT true::numeric"), SqlState::CannotCoerce);
  EXPECT_EQ(error("SELECT a::date FROM t"), SqlState::CannotCoerce);  // integer -> date: no such cast
  EXPECT_EQ(error("SELECT a::nosuchtype FROM t"), SqlState::UndefinedObject);
}

TEST_F(PlannerTest, TypeErrors) {
  EXPECT_EQ(error("SELECT b + a FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(last_error_, "operator does not exist: text + integer");
  EXPECT_EQ(error("SELECT c % 2 FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT d + 1 FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT a FROM t WHERE b = a"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT a FROM t WHERE a AND d"), SqlState::DatatypeMismatch);
  EXPECT_EQ(last_error_, "argument of AND must be type boolean, not type integer");
  EXPECT_EQ(error("SELECT a FROM t WHERE a"), SqlState::DatatypeMismatch);
  EXPECT_EQ(last_error_, "argument of WHERE must be type boolean, not type integer");
  EXPECT_EQ(error("SELECT NOT a FROM t"), SqlState::DatatypeMismatch);
  auto ok = plan("SELECT a FROM t WHERE 'true' AND d");
  EXPECT_EQ(ok.params.at(0), Value::boolean(true));
}

TEST_F(PlannerTest, NameResolutionErrors) {
  EXPECT_EQ(error("SELECT nope FROM t"), SqlState::UndefinedColumn);
  EXPECT_EQ(last_error_, "column \"nope\" does not exist");
  EXPECT_EQ(last_position_, 8);
  EXPECT_EQ(error("SELECT a FROM nope"), SqlState::UndefinedTable);
  EXPECT_EQ(last_error_, "relation \"nope\" does not exist");
  EXPECT_EQ(error("SELECT u.a FROM t"), SqlState::UndefinedTable);
  EXPECT_EQ(last_error_, "missing FROM-clause entry for table \"u\"");
  EXPECT_EQ(error("SELECT t.nope FROM t"), SqlState::UndefinedColumn);
  EXPECT_EQ(error("SELECT a"), SqlState::UndefinedColumn);
  auto ps = plan("SELECT x.a FROM t AS x WHERE x.b = 'q'");
  EXPECT_EQ(ps.plan.result_columns[0].name, "a");
}

TEST_F(PlannerTest, UnsupportedFeatures) {
  EXPECT_EQ(error("SELECT count(*) FILTER (WHERE a > 1) OVER () FROM t"), SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT count(DISTINCT a) OVER () FROM t"), SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT 1 FROM t JOIN LATERAL (SELECT count(*) AS n FROM r WHERE r.p = t.a) x ON true"),
            SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT 1 FROM ROWS FROM (generate_series(1, 2), generate_series(1, 3))"),
            SqlState::FeatureNotSupported);
  // a record value as a whole (its fields, (f(...)).x, work)
  EXPECT_EQ(error("SELECT information_schema._pg_expandarray(ARRAY[1])"), SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT 1 FROM t FULL JOIN r ON t.a < r.p"), SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT a FROM t WHERE a = $1"), SqlState::UndefinedParameter);  // no parameters given
  EXPECT_EQ(
      error("WITH RECURSIVE w(n) AS (SELECT 1 UNION SELECT n FROM w) CYCLE n SET c USING p SELECT 1 UNION "
            "SELECT 2"),
      SqlState::FeatureNotSupported);
}

TEST_F(PlannerTest, Aggregates) {
  auto ps = plan("SELECT count(*) + 1, max(a), sum(a), sum(c), avg(e), count(b), min(b) FROM t WHERE a > 0");
  const auto& proj = (*ps.plan.root).as<plan::ProjectOp>();
  ASSERT_EQ(proj.kind, OpKind::Project);
  const auto& agg = (child(proj)).as<plan::AggregateOp>();
  ASSERT_EQ(agg.kind, OpKind::Aggregate);
  ASSERT_EQ(agg.aggregates.size(), 7u);
  EXPECT_EQ(agg.aggregates[0].func, plan::AggFunc::CountStar);
  EXPECT_EQ(agg.aggregates[0].arg, nullptr);
  EXPECT_EQ(agg.aggregates[1].func, plan::AggFunc::Max);
  EXPECT_EQ(agg.aggregates[1].type, TypeId::Int32);
  EXPECT_EQ(agg.aggregates[2].type, TypeId::Int64);
  EXPECT_EQ(agg.aggregates[3].type, TypeId::Float64);
  EXPECT_EQ(agg.aggregates[4].func, plan::AggFunc::Avg);
  EXPECT_EQ(agg.aggregates[4].type, TypeId::Numeric);  // PostgreSQL: avg of an integer type is numeric
  EXPECT_EQ(agg.aggregates[5].func, plan::AggFunc::Count);
  EXPECT_EQ(agg.aggregates[6].type, TypeId::Text);
  ASSERT_EQ(agg.output.size(), 7u);
  const auto& add = *proj.exprs[0];
  EXPECT_EQ(add.op, ExprOp::Add);
  EXPECT_EQ(add.type, TypeId::Int64);
  EXPECT_EQ(add.args[0]->op, ExprOp::Column);
  EXPECT_EQ(add.args[0]->column, agg.output[0].id);
  EXPECT_EQ(proj.exprs[1]->op, ExprOp::Column);
  EXPECT_EQ(proj.exprs[1]->column, agg.output[1].id);
  EXPECT_EQ(child(agg).kind, OpKind::Filter);
  std::vector<std::string> names;
  for (const auto& c : ps.plan.result_columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"?column?", "max", "sum", "sum", "avg", "count", "min"}));
  // Pipelines: scan->filter->Aggregate; Aggregate->project->result.
  ASSERT_EQ(ps.plan.pipelines.size(), 2u);
  EXPECT_EQ(ps.plan.pipelines[0].sink, &agg);
  EXPECT_EQ(ps.plan.pipelines[1].source, &agg);
  EXPECT_EQ(ps.plan.pipelines[1].sink, nullptr);
  ASSERT_EQ(ps.plan.pipelines.size(), 2u);
  EXPECT_EQ(ps.plan.pipelines[1].dependencies, std::vector<int>{0});  // reads what pipeline 0 aggregated
}

TEST_F(PlannerTest, AggregateWithoutFromAndOrderBy) {
  auto ps = plan("SELECT count(*)");
  EXPECT_EQ(child(child(*ps.plan.root)).kind, OpKind::Values);
  auto ps2 = plan("SELECT max(a) FROM t ORDER BY count(*) DESC");
  EXPECT_EQ(ps2.plan.result_columns.size(), 1u);
  EXPECT_EQ(ps2.plan.root->kind, OpKind::Project);
  EXPECT_EQ(child(*ps2.plan.root).kind, OpKind::Sort);
}

TEST_F(PlannerTest, AggregateMisuse) {
  EXPECT_EQ(error("SELECT a, count(*) FROM t"), SqlState::GroupingError);
  EXPECT_EQ(last_error_,
            "column \"t.a\" must appear in the GROUP BY clause or be used in an aggregate function");
  EXPECT_EQ(error("SELECT x.a + count(*) FROM t x"), SqlState::GroupingError);
  EXPECT_EQ(last_error_,
            "column \"x.a\" must appear in the GROUP BY clause or be used in an aggregate function");
  EXPECT_EQ(error("SELECT count(*) FROM t ORDER BY a"), SqlState::GroupingError);
  EXPECT_EQ(error("SELECT *, count(*) FROM t"), SqlState::GroupingError);
  EXPECT_EQ(error("SELECT a FROM t WHERE count(*) > 1"), SqlState::GroupingError);
  EXPECT_EQ(error("SELECT max(count(*)) FROM t"), SqlState::GroupingError);
  EXPECT_EQ(error("SELECT sum(b) FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT avg(d) FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT 1 FROM t LIMIT count(*)"), SqlState::GroupingError);
}

TEST_F(PlannerTest, OrderByPositionAliasAndExpression) {
  auto ps = plan("SELECT a, b AS bee FROM t ORDER BY 2 DESC, bee, a");
  EXPECT_TRUE(ps.params.empty());  // the position is not lifted
  ASSERT_EQ(ps.plan.root->kind, OpKind::Sort);
  const auto& sort = (*ps.plan.root).as<plan::SortOp>();
  ASSERT_EQ(sort.sort_keys.size(), 3u);
  const auto& proj = (child(sort)).as<plan::ProjectOp>();
  EXPECT_EQ(sort.sort_keys[0].column, proj.output[1].id);
  EXPECT_TRUE(sort.sort_keys[0].descending);
  EXPECT_TRUE(sort.sort_keys[0].nulls_first);
  EXPECT_EQ(sort.sort_keys[1].column, proj.output[1].id);
  EXPECT_FALSE(sort.sort_keys[1].nulls_first);
  EXPECT_EQ(sort.sort_keys[2].column, proj.output[0].id);
  EXPECT_EQ(sort.output.size(), 2u);
  EXPECT_EQ(error("SELECT a FROM t ORDER BY 3"), SqlState::InvalidColumnReference);
  EXPECT_EQ(error("SELECT a FROM t ORDER BY 0"), SqlState::InvalidColumnReference);
  EXPECT_EQ(error("SELECT a FROM t ORDER BY 'x'"), SqlState::SyntaxError);
  EXPECT_EQ(error("SELECT a AS x, b AS x FROM t ORDER BY x"), SqlState::AmbiguousColumn);
  EXPECT_EQ(error("SELECT a AS x FROM t ORDER BY x + 1"), SqlState::UndefinedColumn);
  // PostgreSQL 15 reads TRUE, NULL and a bigint-sized number as constants that are not positions.
  EXPECT_EQ(error("SELECT a FROM t ORDER BY true"), SqlState::SyntaxError);
  EXPECT_EQ(last_error_, "non-integer constant in ORDER BY");
  EXPECT_EQ(error("SELECT a FROM t ORDER BY NULL"), SqlState::SyntaxError);
  EXPECT_EQ(error("SELECT a FROM t ORDER BY 3000000000"), SqlState::SyntaxError);
}

TEST_F(PlannerTest, OrderByHiddenExpression) {
  auto ps = plan("SELECT b FROM t ORDER BY a + 1 NULLS FIRST LIMIT 10 OFFSET 2");
  const auto& limit = (*ps.plan.root).as<plan::LimitOp>();
  ASSERT_EQ(limit.kind, OpKind::Limit);
  EXPECT_EQ(limit.limit->type, TypeId::Int64);
  EXPECT_EQ(limit.offset->type, TypeId::Int64);
  const auto& drop = (child(limit)).as<plan::ProjectOp>();
  ASSERT_EQ(drop.kind, OpKind::Project);
  EXPECT_EQ(drop.output.size(), 1u);
  const auto& sort = (child(drop)).as<plan::SortOp>();
  ASSERT_EQ(sort.kind, OpKind::Sort);
  EXPECT_TRUE(sort.sort_keys[0].nulls_first);
  const auto& proj = (child(sort)).as<plan::ProjectOp>();
  ASSERT_EQ(proj.output.size(), 2u);
  EXPECT_EQ(sort.sort_keys[0].column, proj.output[1].id);
  ASSERT_EQ(ps.plan.result_columns.size(), 1u);
  EXPECT_EQ(ps.plan.result_columns[0].name, "b");
  EXPECT_EQ(ps.plan.result_columns[0].id, limit.output[0].id);
  // Params in plan order: the sort key's 1, then LIMIT, OFFSET.
  EXPECT_EQ(ps.params, (std::vector<Value>{Value::int32(1), Value::int64(10), Value::int64(2)}));
  // Pipelines: scan->project->Sort; Sort->project->limit->result.
  ASSERT_EQ(ps.plan.pipelines.size(), 2u);
  EXPECT_EQ(ps.plan.pipelines[0].sink, &sort);
  EXPECT_EQ(ps.plan.pipelines[1].source, &sort);
  EXPECT_EQ(ps.plan.pipelines[1].operators, (std::vector<const plan::Op*>{&drop, &limit}));
  EXPECT_EQ(ps.plan.pipelines[1].dependencies, std::vector<int>{0});
}

TEST_F(PlannerTest, LimitForms) {
  auto ps = plan("SELECT a FROM t LIMIT ALL");
  EXPECT_EQ(ps.plan.root->kind, OpKind::Project);
  auto ps2 = plan("SELECT a FROM t LIMIT '5'");
  EXPECT_EQ(ps2.params.at(0), Value::int64(5));
  auto ps3 = plan("SELECT a FROM t OFFSET 3");
  EXPECT_EQ(ps3.plan.root->kind, OpKind::Limit);
  EXPECT_EQ(ps3.plan.root->as<plan::LimitOp>().limit, nullptr);
  EXPECT_EQ(ps3.plan.pipelines.size(), 1u);
  EXPECT_EQ(error("SELECT a FROM t LIMIT a"), SqlState::InvalidColumnReference);
  EXPECT_EQ(error("SELECT a FROM t LIMIT 'x'"), SqlState::InvalidTextRepresentation);
  EXPECT_EQ(error("SELECT a FROM t LIMIT true"), SqlState::DatatypeMismatch);
}

// Session functions are literals of the session's values, lifted as parameters: two sessions get the same
// plan shape (one compiled plan) and their own parameter values.
TEST_F(PlannerTest, SessionFunctionsAreLiftedValues) {
  auto planned_as = [&](const SessionInfo& session, const std::string& sql) {
    PlannerContext ctx = context();
    ctx.session = &session;
    return plan_statement(*parser::parse(sql).at(0), ctx);
  };
  SessionInfo alice{"PostgreSQL 15.0 (OmenDB test)", "alice", "shop", 1001, "127.0.0.1", 5433};
  SessionInfo bob{"PostgreSQL 15.0 (OmenDB test)", "bob", "stock", 1002, "", 0};
  const std::string sql =
      "SELECT current_user, current_database(), pg_backend_pid(), version(), a FROM t WHERE b = session_user";
  auto a = planned_as(alice, sql);
  auto b = planned_as(bob, sql);
  EXPECT_EQ(a.shape_key, b.shape_key);
  // The filter's literal is lifted first (the scan side), then the select list's.
  EXPECT_EQ(a.params, (std::vector<Value>{Value::text("alice"), Value::text("alice"), Value::text("shop"),
                                          Value::int32(1001), Value::text(alice.version)}));
  EXPECT_EQ(b.params, (std::vector<Value>{Value::text("bob"), Value::text("bob"), Value::text("stock"),
                                          Value::int32(1002), Value::text(bob.version)}));
  ASSERT_EQ(a.plan.result_columns.size(), 5u);
  EXPECT_EQ(a.plan.result_columns[0].name, "current_user");
  EXPECT_EQ(a.plan.result_columns[1].name, "current_database");
  EXPECT_EQ(a.plan.result_columns[2].name, "pg_backend_pid");
  EXPECT_EQ(a.plan.result_columns[3].name, "version");
  EXPECT_EQ(a.result_name_columns, (std::vector<bool>{true, true, false, false, false}));
  // No server address (a session not on TCP): NULL, as PostgreSQL over a Unix socket.
  auto n = planned_as(bob, "SELECT inet_server_addr(), inet_server_port()");
  EXPECT_TRUE(n.params.empty());
  // Without a session (EXECUTE's arguments, tools planning offline): 0A000, never a made-up value.
  EXPECT_EQ(error("SELECT current_user"), SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT txid_current()"), SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT version(1)"), SqlState::UndefinedFunction);
}

}  // namespace
}  // namespace omendb::planner::testing
