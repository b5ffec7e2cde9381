// Query composition in the planner: derived tables and CTEs become subtrees of the one plan; set
// operations become UnionAll (+ HashAggregate, Filter, Repeat); branch types are resolved as PostgreSQL
// does; the pipelines of a UnionAll (one per input, then the reader).
#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

using plan::OpKind;

int count(const plan::Op& op, OpKind kind) {
  int n = op.kind == kind ? 1 : 0;
  for (const auto& c : op.children) n += count(*c, kind);
  return n;
}

const plan::Op* find(const plan::Op& op, OpKind kind) {
  if (op.kind == kind) return &op;
  for (const auto& c : op.children)
    if (const plan::Op* f = find(*c, kind)) return f;
  return nullptr;
}

TEST_F(PlannerTest, UnionAllPipelinesOnePerInputThenTheReader) {
  auto ps = plan("SELECT a FROM t UNION ALL SELECT p FROM r UNION ALL SELECT 1");
  const plan::Op* u = find(*ps.plan.root, OpKind::UnionAll);
  ASSERT_NE(u, nullptr) << explain_text(ps.plan);
  EXPECT_EQ(u->children.size(), 3u) << explain_text(ps.plan);  // the chain is one UnionAll
  EXPECT_EQ(count(*ps.plan.root, OpKind::UnionAll), 1);
  ASSERT_EQ(ps.plan.pipelines.size(), 4u) << explain_text(ps.plan);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ps.plan.pipelines[static_cast<size_t>(i)].sink, u);
  EXPECT_EQ(ps.plan.pipelines[3].source, u);
  EXPECT_EQ(ps.plan.pipelines[3].dependencies, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(ps.plan.result_columns.size(), 1u);
  EXPECT_EQ(ps.plan.result_columns[0].name, "a");  // the first branch names the columns
  EXPECT_EQ(ps.plan.result_columns[0].type, TypeId::Int32);
}

TEST_F(PlannerTest, UnionDistinctIsAHashAggregateOverUnionAll) {
  auto ps = plan("SELECT a FROM t UNION SELECT p FROM r ORDER BY 1 LIMIT 3");
  const plan::Op& root = *ps.plan.root;
  ASSERT_TRUE(root.is<plan::LimitOp>()) << explain_text(ps.plan);
  ASSERT_TRUE(child(root).is<plan::SortOp>());
  ASSERT_TRUE(child(child(root)).is<plan::HashAggregateOp>());
  EXPECT_TRUE(child(child(child(root))).is<plan::UnionAllOp>());
  EXPECT_TRUE(child(root).as<plan::SortOp>().limit) << "top-N under the LIMIT";
}

TEST_F(PlannerTest, IntersectAndExceptCountEachSide) {
  auto i = plan("SELECT a, b FROM t INTERSECT SELECT p, q FROM r");
  const auto* agg = find(*i.plan.root, OpKind::HashAggregate);
  ASSERT_NE(agg, nullptr) << explain_text(i.plan);
  const auto& ha = agg->as<plan::HashAggregateOp>();
  EXPECT_EQ(ha.group_keys.size(), 2u);
  ASSERT_EQ(ha.aggregates.size(), 2u);  // count(left), count(right)
  EXPECT_EQ(ha.aggregates[0].func, plan::AggFunc::Count);
  EXPECT_EQ(count(*i.plan.root, OpKind::Repeat), 0);
  EXPECT_NE(find(*i.plan.root, OpKind::Filter), nullptr);
  auto all = plan("SELECT a FROM t EXCEPT ALL SELECT p FROM r");
  EXPECT_EQ(count(*all.plan.root, OpKind::Repeat), 1) << explain_text(all.plan);
  EXPECT_EQ(all.plan.result_columns.size(), 1u);
}

TEST_F(PlannerTest, SetOperationTypes) {
  // integer + bigint -> bigint; the integer branch gets a cast.
  auto wide = plan("SELECT a FROM t UNION SELECT e FROM t");
  EXPECT_EQ(wide.plan.result_columns[0].type, TypeId::Int64);
  // An unknown literal takes the other branch's type; two unknowns are text.
  EXPECT_EQ(plan("SELECT 1 UNION SELECT '2'").plan.result_columns[0].type, TypeId::Int32);
  EXPECT_EQ(plan("SELECT 'a' UNION SELECT 'b'").plan.result_columns[0].type, TypeId::Text);
  EXPECT_EQ(plan("SELECT NULL UNION ALL SELECT c FROM t").plan.result_columns[0].type, TypeId::Float64);
  EXPECT_EQ(error("SELECT a FROM t UNION SELECT b FROM t"), SqlState::DatatypeMismatch);
  EXPECT_EQ(last_error_, "UNION types integer and text cannot be matched");
  EXPECT_EQ(error("SELECT a, b FROM t EXCEPT SELECT a FROM t"), SqlState::SyntaxError);
  EXPECT_EQ(last_error_, "each EXCEPT query must have the same number of columns");
  EXPECT_EQ(error("SELECT a FROM t UNION SELECT a FROM t ORDER BY a + 1"), SqlState::FeatureNotSupported);
}

TEST_F(PlannerTest, DerivedTablesAndCtesAreSubtrees) {
  // WHERE over a derived table filters its subtree; its columns keep their ids.
  auto ps = plan("SELECT x FROM (SELECT a AS x, b FROM t WHERE id > 1) s(x) WHERE b = 'q'");
  EXPECT_EQ(count(*ps.plan.root, OpKind::TableScan), 1) << explain_text(ps.plan);
  EXPECT_EQ(ps.plan.result_columns[0].name, "x");
  // A join of a table with a derived table is a hash join like any other.
  auto j = plan("SELECT t.id FROM t JOIN (SELECT p FROM r) s ON t.a = s.p");
  EXPECT_NE(find(*j.plan.root, OpKind::HashJoin), nullptr) << explain_text(j.plan);
  // A CTE referenced twice is materialized: one tree ending in a CteOp (a subplan), read by two CteScans
  // whose pipelines run after the CTE's.
  auto c = plan("WITH w AS (SELECT p FROM r) SELECT w1.p FROM w w1, w w2 WHERE w1.p = w2.p");
  EXPECT_EQ(count(*c.plan.root, OpKind::TableScan), 0) << explain_text(c.plan);
  EXPECT_EQ(count(*c.plan.root, OpKind::CteScan), 2) << explain_text(c.plan);
  ASSERT_EQ(c.plan.subplans.size(), 1u) << explain_text(c.plan);
  EXPECT_TRUE(c.plan.subplans[0]->is<plan::CteOp>());
  EXPECT_EQ(count(*c.plan.subplans[0], OpKind::TableScan), 1) << explain_text(c.plan);
  for (const auto& p : c.plan.pipelines) {
    if (p.source->is<plan::CteScanOp>()) {
      EXPECT_FALSE(p.dependencies.empty()) << explain_text(c.plan);
    }
  }
  // Referenced once it is inlined, unless AS MATERIALIZED or volatile; AS NOT MATERIALIZED inlines it.
  auto once = plan("WITH w AS (SELECT p FROM r) SELECT p FROM w");
  EXPECT_EQ(count(*once.plan.root, OpKind::TableScan), 1) << explain_text(once.plan);
  EXPECT_TRUE(once.plan.subplans.empty());
  auto forced = plan("WITH w AS MATERIALIZED (SELECT p FROM r) SELECT p FROM w");
  EXPECT_EQ(count(*forced.plan.root, OpKind::CteScan), 1) << explain_text(forced.plan);
  auto vol = plan("WITH w AS (SELECT random() AS x) SELECT x FROM w");
  EXPECT_EQ(count(*vol.plan.root, OpKind::CteScan), 1) << explain_text(vol.plan);
  auto never = plan("WITH w AS NOT MATERIALIZED (SELECT p FROM r) SELECT w1.p FROM w w1, w w2");
  EXPECT_EQ(count(*never.plan.root, OpKind::TableScan), 2) << explain_text(never.plan);
  // An inner WITH item of the same name hides the outer one from the references after it.
  auto hidden = plan(
      "WITH w AS (SELECT p FROM r) SELECT * FROM (WITH w AS (SELECT 1 AS q) SELECT * FROM w a, w b) s, w");
  EXPECT_EQ(count(*hidden.plan.root, OpKind::TableScan), 1) << explain_text(hidden.plan);
  // Unreferenced CTEs add nothing to the plan.
  auto u = plan("WITH w AS (SELECT p FROM r) SELECT 1");
  EXPECT_EQ(count(*u.plan.root, OpKind::TableScan), 0);
  EXPECT_EQ(error("WITH w AS (SELECT 1), w AS (SELECT 2) SELECT 1"), SqlState::DuplicateAlias);
  EXPECT_EQ(error("WITH RECURSIVE w AS (SELECT 1) SELECT 1"), SqlState::SuccessfulCompletion);
  EXPECT_EQ(
      error("WITH RECURSIVE w(n) AS (SELECT 1 UNION ALL SELECT n FROM w) SEARCH BREADTH FIRST BY n SET o "
            "SELECT 1"),
      SqlState::FeatureNotSupported);
  // WITH RECURSIVE: a RecursiveUnion whose recursive term reads the working table; its pipelines run per
  // iteration, not in the plan's order.
  auto rec = plan(
      "WITH RECURSIVE w(n) AS (SELECT p FROM r UNION ALL SELECT n + 1 FROM w WHERE n < 5) SELECT n FROM w");
  const plan::Op* ru = find(*rec.plan.root, OpKind::RecursiveUnion);
  ASSERT_NE(ru, nullptr) << explain_text(rec.plan);
  EXPECT_NE(find(*ru->children.at(1), OpKind::WorkTableScan), nullptr) << explain_text(rec.plan);
  int per_iteration = 0;
  for (const auto& p : rec.plan.pipelines) per_iteration += p.recursive >= 0;
  EXPECT_EQ(per_iteration, 1) << explain_text(rec.plan);
  EXPECT_EQ(error("WITH RECURSIVE w(n) AS (SELECT 1 UNION ALL SELECT n FROM w, w v) SELECT 1"),
            SqlState::InvalidRecursion);
  EXPECT_EQ(error("SELECT * FROM (SELECT 1)"), SqlState::SyntaxError);
  EXPECT_EQ(error("SELECT * FROM t, (SELECT 1) t"), SqlState::DuplicateAlias);
  EXPECT_EQ(error("SELECT * FROM t FOR UPDATE"), SqlState::SuccessfulCompletion);
  EXPECT_EQ(error("SELECT * FROM (SELECT * FROM t FOR UPDATE) s"), SqlState::FeatureNotSupported);
}

TEST_F(PlannerTest, SubqueryShapeKeysDifferByStructure) {
  auto a = plan("SELECT a FROM t UNION SELECT p FROM r");
  auto b = plan("SELECT a FROM t UNION ALL SELECT p FROM r");
  auto c = plan("SELECT a FROM t INTERSECT SELECT p FROM r");
  EXPECT_NE(a.shape_key, b.shape_key);
  EXPECT_NE(a.shape_key, c.shape_key);
  // Literals are parameters: the same shape with other values.
  EXPECT_EQ(plan("SELECT * FROM (VALUES (1), (2)) v").shape_key,
            plan("SELECT * FROM (VALUES (3), (4)) v").shape_key);
}

}  // namespace
}  // namespace omendb::planner::testing

namespace omendb::planner::testing {
namespace {

// $n inside derived tables, CTEs, set operations and INSERT ... SELECT: inferred as PostgreSQL 15 does
// (checked with PREPARE and pg_prepared_statements.parameter_types).
std::vector<TypeId> param_types_of(const std::string& sql, const PlannerContext& base) {
  auto stmts = parser::parse(sql);
  PlannerContext ctx = base;
  ctx.param_types = std::vector<TypeId>{};
  return plan_statement(*stmts.at(0), ctx).param_types;
}

TEST_F(PlannerTest, ParametersInComposedQueries) {
  using T = TypeId;
  EXPECT_EQ(param_types_of("SELECT e FROM t UNION SELECT $1", context()), (std::vector<T>{T::Int64}));
  EXPECT_EQ(param_types_of("SELECT * FROM (SELECT a FROM t WHERE a > $1) s, (VALUES ($2)) v(x)", context()),
            (std::vector<T>{T::Int32, T::Text}));
  EXPECT_EQ(param_types_of("INSERT INTO t (e) SELECT $1", context()), (std::vector<T>{T::Int64}));
  // A CTE's outputs are resolved in the CTE: $1 is text there, and text does not match a number.
  auto stmts = parser::parse("WITH w AS (SELECT $1 AS c) SELECT c FROM w UNION ALL SELECT 1.5");
  PlannerContext ctx = context();
  ctx.param_types = std::vector<TypeId>{};
  try {
    plan_statement(*stmts.at(0), ctx);
    ADD_FAILURE() << "expected 42804";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::DatatypeMismatch);
    EXPECT_EQ(e.message(), "UNION types text and numeric cannot be matched");  // as PostgreSQL 15
  }
}

}  // namespace
}  // namespace omendb::planner::testing
