// GROUP BY, HAVING and DISTINCT in the planner: the HashAggregate operator, its EXPLAIN line, its
// pipelines and cache-key shape, and the grouping errors with PostgreSQL's messages and positions.
#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

TEST_F(PlannerTest, GroupByExplain) {
  auto ps =
      plan("SELECT b, count(*), sum(a) AS s FROM t WHERE id > 3 GROUP BY b HAVING max(c) > 1 ORDER BY 2");
  auto lines = explain(ps.plan);
  ASSERT_EQ(lines.size(), 9u) << explain_text(ps.plan);
  EXPECT_EQ(lines[0], "Sort (keys: count)");
  EXPECT_EQ(lines[1], "  -> Project (b, count(*) AS count, sum(a) AS s)");
  EXPECT_EQ(lines[2], "    -> Filter ((max(c) > $1))");
  EXPECT_EQ(lines[3], "      -> HashAggregate (group by: b; count(*), sum(a), max(c))");
  EXPECT_EQ(lines[4], "        -> Filter ((id > $0))");
  EXPECT_EQ(lines[5], "          -> TableScan t (range: id > $0) (~333 rows)");
  EXPECT_EQ(lines[6], "Pipeline 0: TableScan t -> Filter -> HashAggregate (build)");
  EXPECT_EQ(lines[7], "Pipeline 1: HashAggregate (read) -> Filter -> Project -> Sort (build) (after 0)");
  EXPECT_EQ(lines[8], "Pipeline 2: Sort (read) -> result (after 1)");
  // The aggregate breaks the pipeline: scan -> filter -> hash aggregate, then aggregate -> ... -> sort,
  // then sort -> result.
  ASSERT_EQ(ps.plan.pipelines.size(), 3u);
  EXPECT_EQ(ps.plan.pipelines[0].sink->kind, plan::OpKind::HashAggregate);
  EXPECT_EQ(ps.plan.pipelines[1].source->kind, plan::OpKind::HashAggregate);
  EXPECT_EQ(ps.plan.pipelines[1].dependencies, std::vector<int>{0});
}

TEST_F(PlannerTest, GroupByExpressionOrdinalAndAlias) {
  auto expr = plan("SELECT a + 1, count(*) FROM t GROUP BY a + 1");
  EXPECT_NE(explain_text(expr.plan).find("HashAggregate (group by: (a + $0); count(*))"), std::string::npos)
      << explain_text(expr.plan);
  auto ordinal = plan("SELECT a + 1, count(*) FROM t GROUP BY 1");
  auto alias = plan("SELECT a + 1 AS k, count(*) FROM t GROUP BY k");
  EXPECT_EQ(explain_text(ordinal.plan), explain_text(expr.plan));
  EXPECT_NE(explain_text(alias.plan).find("HashAggregate (group by: (a + $0); count(*))"), std::string::npos)
      << explain_text(alias.plan);
  // A FROM column wins over an alias of the same name.
  auto from_wins = plan("SELECT a + 1 AS b FROM t GROUP BY b, a");
  EXPECT_NE(explain_text(from_wins.plan).find("HashAggregate (group by: b, a)"), std::string::npos)
      << explain_text(from_wins.plan);
  // Grouping by the primary key allows the table's other columns.
  auto by_pk = plan("SELECT id, b FROM t GROUP BY id");
  EXPECT_NE(explain_text(by_pk.plan).find("HashAggregate (group by: id, b)"), std::string::npos)
      << explain_text(by_pk.plan);
}

TEST_F(PlannerTest, DistinctIsAGroupByEveryOutputColumn) {
  auto ps = plan("SELECT DISTINCT a, b FROM t ORDER BY b");
  auto lines = explain(ps.plan);
  ASSERT_EQ(lines.size(), 7u) << explain_text(ps.plan);  // 4 operators, then 3 pipelines
  EXPECT_EQ(lines[0], "Sort (keys: b)");
  EXPECT_EQ(lines[1], "  -> HashAggregate (group by: a, b)");
  EXPECT_EQ(lines[2], "    -> Project (a, b)");
  EXPECT_EQ(lines[4], "Pipeline 0: TableScan t -> Project -> HashAggregate (build)");
}

TEST_F(PlannerTest, GroupByShapeKeys) {
  // Different keys, different code.
  EXPECT_NE(plan("SELECT count(*) FROM t GROUP BY a").shape_key,
            plan("SELECT count(*) FROM t GROUP BY b").shape_key);
  EXPECT_NE(plan("SELECT count(*) FROM t GROUP BY a").shape_key, plan("SELECT count(*) FROM t").shape_key);
  EXPECT_NE(plan("SELECT a FROM t GROUP BY a").shape_key, plan("SELECT a FROM t").shape_key);
  // Literals only: the same code.
  EXPECT_EQ(plan("SELECT a + 1 FROM t GROUP BY a + 1").shape_key,
            plan("SELECT a + 2 FROM t GROUP BY a + 2").shape_key);
}

TEST_F(PlannerTest, GroupingErrors) {
  EXPECT_EQ(error("SELECT a, b FROM t GROUP BY a"), SqlState::GroupingError);
  EXPECT_EQ(last_error_,
            "column \"t.b\" must appear in the GROUP BY clause or be used in an aggregate function");
  EXPECT_EQ(last_position_, 11);
  EXPECT_EQ(error("SELECT x.a, x.b FROM t x GROUP BY 1"), SqlState::GroupingError);
  EXPECT_EQ(last_error_,
            "column \"x.b\" must appear in the GROUP BY clause or be used in an aggregate function");
  EXPECT_EQ(error("SELECT a FROM t GROUP BY a + 1"), SqlState::GroupingError);
  EXPECT_EQ(error("SELECT a FROM t GROUP BY a HAVING sum(a) > e"), SqlState::GroupingError);
  EXPECT_EQ(last_error_,
            "column \"t.e\" must appear in the GROUP BY clause or be used in an aggregate function");
  EXPECT_EQ(error("SELECT count(*) AS n FROM t GROUP BY n"), SqlState::GroupingError);
  EXPECT_EQ(last_error_, "aggregate functions are not allowed in GROUP BY");
  EXPECT_EQ(last_position_, 8);
  EXPECT_EQ(error("SELECT a FROM t GROUP BY 2"), SqlState::InvalidColumnReference);
  EXPECT_EQ(last_error_, "GROUP BY position 2 is not in select list");
  EXPECT_EQ(error("SELECT a FROM t GROUP BY 'a'"), SqlState::SyntaxError);
  EXPECT_EQ(last_error_, "non-integer constant in GROUP BY");
  EXPECT_EQ(error("SELECT a AS k, b AS k FROM t GROUP BY k"), SqlState::AmbiguousColumn);
  EXPECT_EQ(last_error_, "GROUP BY \"k\" is ambiguous");
  EXPECT_EQ(error("SELECT DISTINCT a FROM t ORDER BY b"), SqlState::InvalidColumnReference);
  EXPECT_EQ(last_error_, "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
  // No GROUP BY: still one group when there are aggregates or HAVING.
  EXPECT_EQ(error("SELECT a, count(*) FROM t"), SqlState::GroupingError);
  EXPECT_EQ(error("SELECT 1 FROM t HAVING a > 1"), SqlState::GroupingError);
  EXPECT_EQ(error("SELECT count(*) FROM t HAVING count(*) > 1"), SqlState::SuccessfulCompletion);
}

}  // namespace
}  // namespace omendb::planner::testing
