// Joins in the planner: which operator (HashJoin on equalities, NestedLoopJoin otherwise), which side
// is built, where WHERE conjuncts go, the pipelines (build before probe), EXPLAIN and the cache key.
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

TEST_F(PlannerTest, EquiJoinIsAHashJoinBuildingTheRightSide) {
  auto ps = plan("SELECT t.b, r.q FROM t JOIN r ON t.a = r.p WHERE t.c > 1 AND r.q <> 'x'");
  const plan::Op* j = find(*ps.plan.root, OpKind::HashJoin);
  ASSERT_NE(j, nullptr) << explain_text(ps.plan);
  const auto& hj = j->as<plan::HashJoinOp>();
  ASSERT_EQ(hj.build_keys.size(), 1u);
  EXPECT_FALSE(hj.residual);
  EXPECT_FALSE(hj.probe_outer);
  // Equal estimates (1000 rows each): the side added last (r) is built.
  const plan::Op* build = &hj.build();
  if (build->is<plan::FilterOp>()) build = build->children[0].get();  // r.q <> 'x' filters r's scan
  ASSERT_TRUE(build->is<plan::TableScanOp>());
  EXPECT_EQ(build->as<plan::TableScanOp>().table->name, "r");
  EXPECT_TRUE(hj.probe().is<plan::FilterOp>());  // t.c > 1 filters t's scan
  // Build pipeline first, the probe pipeline depends on it.
  ASSERT_EQ(ps.plan.pipelines.size(), 2u);
  EXPECT_EQ(ps.plan.pipelines[0].sink, j);
  EXPECT_EQ(ps.plan.pipelines[1].dependencies, std::vector<int>{0});
  EXPECT_EQ(ps.plan.pipelines[1].sink, nullptr);
  auto lines = explain(ps.plan);
  EXPECT_EQ(lines.back(),
            "Pipeline 1: TableScan t -> Filter -> HashJoin inner (probe) -> Project -> result (after 0)")
      << explain_text(ps.plan);
  EXPECT_EQ(lines[lines.size() - 2], "Pipeline 0: TableScan r -> Filter -> HashJoin inner (build)");
}

TEST_F(PlannerTest, OuterJoinsChooseTheirBuildSide) {
  auto left = plan("SELECT * FROM t LEFT JOIN r ON t.a = r.p");
  const auto& l = find(*left.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>();
  EXPECT_TRUE(l.probe_outer);
  EXPECT_FALSE(l.build_outer);
  EXPECT_EQ(l.build().as<plan::TableScanOp>().table->name, "r");
  auto right = plan("SELECT * FROM t RIGHT JOIN r ON t.a = r.p");
  const auto& r = find(*right.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>();
  EXPECT_TRUE(r.probe_outer);
  EXPECT_EQ(r.build().as<plan::TableScanOp>().table->name, "t");
  auto full = plan("SELECT * FROM t FULL JOIN r ON t.a = r.p AND t.b < r.q");
  const auto& f = find(*full.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>();
  EXPECT_TRUE(f.probe_outer && f.build_outer);
  ASSERT_TRUE(f.residual);
  // A condition on LEFT JOIN's nullable side filters that side before the join.
  auto pushed = plan("SELECT * FROM t LEFT JOIN r ON t.a = r.p AND r.q = 'x'");
  const auto& pj = find(*pushed.plan.root, OpKind::HashJoin)->as<plan::HashJoinOp>();
  EXPECT_TRUE(pj.build().is<plan::FilterOp>());
  EXPECT_FALSE(pj.residual);
}

TEST_F(PlannerTest, NonEquiAndCrossJoinsAreNestedLoops) {
  auto ps = plan("SELECT 1 FROM t, r WHERE t.a < r.p");
  const plan::Op* j = find(*ps.plan.root, OpKind::NestedLoopJoin);
  ASSERT_NE(j, nullptr) << explain_text(ps.plan);
  EXPECT_TRUE(j->as<plan::NestedLoopJoinOp>().residual);
  auto cross = plan("SELECT 1 FROM t CROSS JOIN r");
  const plan::Op* c = find(*cross.plan.root, OpKind::NestedLoopJoin);
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->as<plan::NestedLoopJoinOp>().residual);
  // Different join conditions compile differently: the cache key tells them apart.
  EXPECT_NE(plan("SELECT 1 FROM t JOIN r ON t.a = r.p").shape_key,
            plan("SELECT 1 FROM t LEFT JOIN r ON t.a = r.p").shape_key);
  EXPECT_NE(plan("SELECT 1 FROM t JOIN r ON t.a = r.p").shape_key,
            plan("SELECT 1 FROM t JOIN r ON t.a = r.p AND t.b = r.q").shape_key);
}

TEST_F(PlannerTest, ManyTablesJoinOnTheirEqualitiesNotAsCrossProducts) {
  // Written in an order where the first two tables share no condition.
  auto ps = plan("SELECT 1 FROM t a, r b, t c, r d WHERE a.a = c.a AND b.p = c.id AND d.p = b.p");
  int hash_joins = 0, loops = 0;
  std::function<void(const plan::Op&)> count = [&](const plan::Op& op) {
    hash_joins += op.is<plan::HashJoinOp>();
    loops += op.is<plan::NestedLoopJoinOp>();
    for (const auto& c : op.children) count(*c);
  };
  count(*ps.plan.root);
  EXPECT_EQ(hash_joins, 3) << explain_text(ps.plan);
  EXPECT_EQ(loops, 0);
  EXPECT_EQ(ps.plan.pipelines.size(), 4u);
}

TEST_F(PlannerTest, JoinNameErrors) {
  EXPECT_EQ(error("SELECT a FROM t, t"), SqlState::DuplicateAlias);
  EXPECT_EQ(error("SELECT id FROM t x, t y"), SqlState::AmbiguousColumn);
  EXPECT_EQ(last_error_, "column reference \"id\" is ambiguous");
  EXPECT_EQ(error("SELECT z.id FROM t x, t y"), SqlState::UndefinedTable);
  EXPECT_EQ(last_error_, "missing FROM-clause entry for table \"z\"");
  EXPECT_EQ(error("SELECT 1 FROM t JOIN r USING (p)"), SqlState::UndefinedColumn);
  EXPECT_EQ(last_error_, "column \"p\" specified in USING clause does not exist in left table");
  EXPECT_EQ(error("SELECT 1 FROM t JOIN r ON t.b = r.p"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT 1 FROM t JOIN (r JOIN k ON t.a = r.p) ON true"), SqlState::UndefinedTable);
  EXPECT_EQ(error("SELECT x.id FROM t x, t y"), SqlState::SuccessfulCompletion);
  EXPECT_EQ(error("SELECT * FROM t x NATURAL JOIN t y"), SqlState::SuccessfulCompletion);
}

TEST_F(PlannerTest, LateralFunctionRunsInItsInputsPipeline) {
  // generate_series naming t runs per row of t, streaming in t's pipeline; g's condition waits for it.
  auto ps = plan("SELECT t.a, g FROM t, generate_series(1, t.a) g WHERE g > 1 AND t.c > 0");
  const auto* fs = find(*ps.plan.root, OpKind::FunctionScan);
  ASSERT_NE(fs, nullptr) << explain_text(ps.plan);
  const auto& fn = fs->as<plan::FunctionScanOp>();
  EXPECT_FALSE(fn.outer);
  EXPECT_TRUE(fn.children.at(0)->is<plan::FilterOp>());  // t.c > 0 filters t's scan first
  ASSERT_EQ(ps.plan.pipelines.size(), 1u);
  EXPECT_EQ(explain(ps.plan).front().substr(0, 7), "Project");
  // LEFT JOIN LATERAL: outer, with its ON condition as the residual.
  auto left = plan("SELECT * FROM t LEFT JOIN LATERAL generate_series(1, t.a) g ON g > t.c");
  const auto& l = find(*left.plan.root, OpKind::FunctionScan)->as<plan::FunctionScanOp>();
  EXPECT_TRUE(l.outer);
  EXPECT_NE(l.residual, nullptr);
  // A LATERAL subquery correlated by an equality: a hash join, its select list on the build side.
  auto sub = plan("SELECT * FROM t, LATERAL (SELECT r.q FROM r WHERE r.p = t.a) s");
  const auto* hj = find(*sub.plan.root, OpKind::HashJoin);
  ASSERT_NE(hj, nullptr) << explain_text(sub.plan);
  EXPECT_TRUE(hj->as<plan::HashJoinOp>().build().is<plan::ProjectOp>());
  EXPECT_EQ(error("SELECT * FROM t RIGHT JOIN LATERAL generate_series(1, t.a) g ON true"),
            SqlState::InvalidColumnReference);
}

}  // namespace
}  // namespace omendb::planner::testing
