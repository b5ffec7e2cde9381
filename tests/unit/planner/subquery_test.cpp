// Subqueries used as expressions in the planner: uncorrelated ones are subplans whose pipelines come
// first (the pipelines reading them depend on them), correlated EXISTS / IN in WHERE are semi / anti
// joins, other correlated shapes run per row, and errors keep PostgreSQL's SQLSTATEs.
#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

using plan::OpKind;

const plan::Op* find(const plan::Op& op, OpKind kind) {
  if (op.kind == kind) return &op;
  for (const auto& c : op.children)
    if (const plan::Op* f = find(*c, kind)) return f;
  return nullptr;
}

TEST_F(PlannerTest, InSubqueryIsASubplanBuildingAHashSetFirst) {
  auto ps = plan("SELECT b FROM t WHERE a IN (SELECT p FROM r WHERE q <> 'x')");
  ASSERT_EQ(ps.plan.subplans.size(), 1u);
  const auto& sub = ps.plan.subplans[0]->as<plan::SubqueryOp>();
  EXPECT_EQ(sub.index, 0);
  EXPECT_EQ(sub.mode, plan::SubqueryOp::Mode::Set);
  ASSERT_EQ(ps.plan.pipelines.size(), 2u);
  EXPECT_EQ(ps.plan.pipelines[0].sink, &sub);
  EXPECT_EQ(ps.plan.pipelines[1].dependencies, std::vector<int>{0});
  const auto& filter = find(*ps.plan.root, OpKind::Filter)->as<plan::FilterOp>();
  EXPECT_EQ(filter.predicate->op, plan::ExprOp::InSubquery);
  EXPECT_EQ(filter.predicate->subquery, 0);
  // The subquery's literal is lifted like the query's: same shape with another literal.
  EXPECT_EQ(ps.shape_key, plan("SELECT b FROM t WHERE a IN (SELECT p FROM r WHERE q <> 'y')").shape_key);
  EXPECT_NE(ps.shape_key, plan("SELECT b FROM t WHERE a NOT IN (SELECT p FROM r WHERE q <> 'y')").shape_key);
}

TEST_F(PlannerTest, ScalarSubqueryOnTheKeyIsAKeyRange) {
  auto ps = plan("SELECT b FROM t WHERE id = (SELECT max(p) FROM r)");
  const auto& scan = find(*ps.plan.root, OpKind::TableScan)->as<plan::TableScanOp>();
  ASSERT_EQ(scan.range.eq.size(), 1u) << explain_text(ps.plan);
  EXPECT_EQ(scan.range.eq[0]->op, plan::ExprOp::Subquery);
  EXPECT_EQ(ps.plan.subplans[0]->as<plan::SubqueryOp>().mode, plan::SubqueryOp::Mode::Row);
}

TEST_F(PlannerTest, NestedSubqueriesRunInnermostFirst) {
  auto ps = plan("SELECT b FROM t WHERE a IN (SELECT p FROM r WHERE p > (SELECT min(x) FROM k))");
  ASSERT_EQ(ps.plan.subplans.size(), 2u);
  EXPECT_EQ(ps.plan.subplans[0]->as<plan::SubqueryOp>().mode, plan::SubqueryOp::Mode::Row);
  EXPECT_EQ(ps.plan.subplans[1]->as<plan::SubqueryOp>().mode, plan::SubqueryOp::Mode::Set);
  // min(x) builds (0), is read (1), the set is built from r (2, after 1) and probed by t (3, after 2).
  ASSERT_EQ(ps.plan.pipelines.size(), 4u) << explain_text(ps.plan);
  EXPECT_EQ(ps.plan.pipelines[2].dependencies, (std::vector<int>{1}));
  EXPECT_EQ(ps.plan.pipelines[3].dependencies, (std::vector<int>{2}));
}

TEST_F(PlannerTest, CorrelatedExistsIsASemiJoin) {
  auto ps = plan("SELECT b FROM t WHERE EXISTS (SELECT 1 FROM r WHERE r.p = t.a AND r.q <> t.b)");
  EXPECT_TRUE(ps.plan.subplans.empty());
  const auto& j = find(*ps.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>();
  EXPECT_TRUE(j.semi);
  EXPECT_FALSE(j.anti);
  ASSERT_EQ(j.build_keys.size(), 1u);
  EXPECT_TRUE(j.residual);
  EXPECT_TRUE(j.build().is<plan::TableScanOp>());
  auto anti = plan("SELECT b FROM t WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.p > t.a)");
  const auto& n = find(*anti.plan.root, OpKind::NestedLoopJoin)->as<plan::NestedLoopJoinOp>();
  EXPECT_TRUE(n.anti);
  EXPECT_TRUE(n.residual);
  auto in = plan("SELECT b FROM t WHERE a IN (SELECT p FROM r WHERE r.q = t.b)");
  EXPECT_EQ(find(*in.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>().build_keys.size(), 2u);
}

TEST_F(PlannerTest, CorrelatedScalarAggregateIsAGroupedLeftJoin) {
  auto ps = plan(
      "SELECT a, (SELECT count(*) FROM r WHERE r.p = t.a) FROM t WHERE (SELECT max(q) FROM r WHERE r.p = "
      "t.id) > 'x'");
  EXPECT_TRUE(ps.plan.subplans.empty());
  // Two left joins over t (one per subquery), each building a HashAggregate grouped by r.p; the WHERE
  // conjunct reading the second one filters above the joins.
  const plan::Op* top = find(*ps.plan.root, OpKind::Filter);
  ASSERT_NE(top, nullptr) << explain_text(ps.plan);
  const plan::Op* below = top->children[0].get();
  ASSERT_TRUE(below->is<plan::HashJoinOp>()) << explain_text(ps.plan);
  const auto& j = below->as<plan::HashJoinOp>();
  EXPECT_TRUE(j.probe_outer);
  EXPECT_FALSE(j.semi || j.anti);
  EXPECT_NE(find(j.build(), OpKind::HashAggregate), nullptr);
  EXPECT_TRUE(j.probe().is<plan::HashJoinOp>());
}

TEST_F(PlannerTest, CorrelatedNamesOfDerivedTablesAndCtes) {
  // The semi join probes with the derived table's output column: its plan is the probe side.
  auto ps =
      plan("SELECT * FROM (SELECT a FROM t WHERE b <> 'x') s WHERE EXISTS (SELECT 1 FROM r WHERE r.p = s.a)");
  EXPECT_TRUE(ps.plan.subplans.empty());
  const auto& j = find(*ps.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>();
  EXPECT_TRUE(j.semi);
  ASSERT_EQ(j.probe_keys.size(), 1u);
  ASSERT_EQ(j.probe_keys[0]->op, plan::ExprOp::Column);
  const plan::Op* derived = find(j.probe(), OpKind::Project);
  ASSERT_NE(derived, nullptr) << explain_text(ps.plan);
  EXPECT_EQ(derived->output.at(0).id, j.probe_keys[0]->column);
  // A CTE's column, unqualified, in a correlated scalar aggregate: a grouped left join.
  auto cte = plan("WITH c AS (SELECT a FROM t) SELECT a, (SELECT count(*) FROM r WHERE p = a) FROM c");
  EXPECT_TRUE(find(*cte.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>().probe_outer);
  EXPECT_EQ(error("SELECT * FROM (SELECT a FROM t) s WHERE EXISTS (SELECT 1 FROM r WHERE r.p = s.b)"),
            SqlState::UndefinedColumn);
  EXPECT_EQ(error("SELECT 1 FROM (SELECT a, a FROM t) s WHERE EXISTS (SELECT 1 FROM r WHERE r.p = s.a)"),
            SqlState::AmbiguousColumn);
}

TEST_F(PlannerTest, SubqueriesOfAnUnreferencedCteAreDropped) {
  // Every CTE is bound once for its errors; that binding's subplans never run.
  EXPECT_TRUE(plan("WITH c AS (SELECT (SELECT p FROM r) AS v) SELECT 1").plan.subplans.empty());
  EXPECT_EQ(plan("WITH c AS (SELECT (SELECT p FROM r) AS v) SELECT * FROM c, c AS d").plan.subplans.size(),
            2u);
  // Its query sees the scopes around its WITH, not those of the subquery referencing it.
  EXPECT_EQ(error("WITH c AS (SELECT a FROM r) SELECT a FROM t WHERE EXISTS (SELECT 1 FROM c)"),
            SqlState::UndefinedColumn);
}

TEST_F(PlannerTest, SubqueryErrors) {
  EXPECT_EQ(error("SELECT (SELECT p, q FROM r)"), SqlState::SyntaxError);
  EXPECT_EQ(error("SELECT a IN (SELECT p, q FROM r) FROM t"), SqlState::SyntaxError);
  EXPECT_EQ(error("SELECT a IN (SELECT q FROM r) FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT a < ALL (SELECT q FROM r) FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT (SELECT nosuch FROM r)"), SqlState::UndefinedColumn);
  // A correlated scalar subquery without an aggregate is a single-match left join, EXISTS under OR a
  // count over one; an aggregate correlated by a non-equality, NOT IN, LIMIT run per row.
  EXPECT_EQ(error("SELECT (SELECT p FROM r WHERE p = t.a) FROM t"), SqlState::SuccessfulCompletion);
  EXPECT_EQ(error("SELECT a FROM t WHERE a = 1 OR EXISTS (SELECT 1 FROM r WHERE r.p = t.a)"),
            SqlState::SuccessfulCompletion);
  EXPECT_EQ(error("SELECT (SELECT max(p) FROM r WHERE p < t.a) FROM t"), SqlState::SuccessfulCompletion);
  EXPECT_EQ(error("SELECT (SELECT p FROM r WHERE p = t.a LIMIT 1) FROM t"), SqlState::SuccessfulCompletion);
  EXPECT_EQ(error("SELECT a FROM t WHERE a NOT IN (SELECT p FROM r WHERE r.q = t.b)"),
            SqlState::SuccessfulCompletion);
  // An aggregate over the enclosing query's columns only is that query's in PostgreSQL: not planned.
  EXPECT_EQ(error("SELECT (SELECT sum(t.a) FROM r) FROM t"), SqlState::FeatureNotSupported);
  // The same table in the query and its subquery is no duplicate alias.
  EXPECT_EQ(error("SELECT a FROM t WHERE a IN (SELECT a FROM t)"), SqlState::SuccessfulCompletion);
  EXPECT_EQ(error("SELECT a FROM t, t"), SqlState::DuplicateAlias);
}

}  // namespace
}  // namespace omendb::planner::testing
