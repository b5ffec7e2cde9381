// Window functions in the planner: the Window operator (one per distinct PARTITION BY + ORDER BY,
// stacked), its EXPLAIN line and pipelines, result types, cache-key shapes, and PostgreSQL's errors.
#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

TEST_F(PlannerTest, WindowExplainAndPipelines) {
  auto ps = plan(
      "SELECT a, avg(c) OVER (PARTITION BY b ORDER BY id ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) FROM t "
      "ORDER BY a");
  auto lines = explain(ps.plan);
  ASSERT_EQ(lines.size(), 7u) << explain_text(ps.plan);
  EXPECT_EQ(lines[0], "Sort (keys: a)");
  EXPECT_EQ(lines[1], "  -> Project (a, avg)");
  EXPECT_EQ(
      lines[2],
      "    -> Window (partition by: b; order by: id; avg(c) ROWS BETWEEN $0 PRECEDING AND CURRENT ROW)");
  EXPECT_EQ(lines[3], "      -> TableScan t (full scan) (~1000 rows)");
  EXPECT_EQ(lines[4], "Pipeline 0: TableScan t -> Window (build)");
  EXPECT_EQ(lines[5], "Pipeline 1: Window (read) -> Project -> Sort (build) (after 0)");
  EXPECT_EQ(lines[6], "Pipeline 2: Sort (read) -> result (after 1)");
  // EXPLAIN with values shows the literal.
  auto shown = explain(ps.plan, ps.params);
  EXPECT_EQ(shown[2],
            "    -> Window (partition by: b; order by: id; avg(c) ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)");
  ASSERT_EQ(ps.plan.pipelines.size(), 3u);
  EXPECT_EQ(ps.plan.pipelines[0].sink->kind, plan::OpKind::Window);
  EXPECT_EQ(ps.plan.pipelines[1].source->kind, plan::OpKind::Window);
}

TEST_F(PlannerTest, WindowsGroupedByTheirWindow) {
  // Two windows: two stacked operators; functions over the same window share one. Argument expressions
  // are computed by a Project below the window.
  auto ps = plan(
      "SELECT row_number() OVER w, rank() OVER w, sum(a + 1) OVER (PARTITION BY b), lag(b, 2, 'x') OVER w "
      "FROM t WINDOW w AS (ORDER BY id DESC NULLS LAST)");
  std::string text = explain_text(ps.plan);
  EXPECT_NE(text.find("Window (order by: id DESC NULLS LAST; row_number(), rank(), lag(b, 2, 'x'))"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Window (partition by: b; sum((a + 1)))"), std::string::npos) << text;
  EXPECT_NE(text.find("Project (id, a, b, 2, 'x', row_number, rank, lag, (a + $2) AS (a + 1))"),
            std::string::npos)
      << text;
  // Result types as PostgreSQL: bigint for the counts, the value's type for lag.
  const auto& cols = ps.plan.result_columns;
  ASSERT_EQ(cols.size(), 4u);
  EXPECT_EQ(cols[0].type, TypeId::Int64);
  EXPECT_EQ(cols[0].name, "row_number");
  EXPECT_EQ(cols[1].type, TypeId::Int64);
  EXPECT_EQ(cols[2].type, TypeId::Int64);  // sum(int)
  EXPECT_EQ(cols[3].type, TypeId::Text);
}

TEST_F(PlannerTest, WindowResultTypes) {
  auto ps = plan(
      "SELECT percent_rank() OVER (), cume_dist() OVER (), ntile(2) OVER (), count(*) OVER (), "
      "avg(a) OVER (), sum(c) OVER (), min(b) OVER (), first_value(e) OVER (), lag(a, 1, 0.5) OVER (), "
      "nth_value(d, 2) OVER () FROM t");
  const auto& cols = ps.plan.result_columns;
  ASSERT_EQ(cols.size(), 10u);
  // ntile is integer, avg(integer) and lag(integer, 1, 0.5) are numeric, as in PostgreSQL.
  const TypeId want[] = {TypeId::Float64, TypeId::Float64, TypeId::Int32, TypeId::Int64,   TypeId::Numeric,
                         TypeId::Float64, TypeId::Text,    TypeId::Int64, TypeId::Numeric, TypeId::Bool};
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(cols[i].type, want[i]) << i;
}

TEST_F(PlannerTest, WindowOverGroups) {
  auto ps =
      plan("SELECT b, sum(a), rank() OVER (ORDER BY sum(a) DESC), sum(sum(a)) OVER () FROM t GROUP BY b");
  std::string text = explain_text(ps.plan);
  // The windows sit above the HashAggregate and read its columns.
  size_t window = text.find("Window (order by: sum(a) DESC; rank())");
  size_t agg = text.find("HashAggregate (group by: b;");
  ASSERT_NE(window, std::string::npos) << text;
  ASSERT_NE(agg, std::string::npos) << text;
  EXPECT_LT(window, agg) << text;
  EXPECT_NE(text.find("sum(sum(a))"), std::string::npos) << text;
}

TEST_F(PlannerTest, WindowShapes) {
  // Frame offsets are parameters: the same shape for any offset, another for another frame kind.
  auto a = plan("SELECT sum(a) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t");
  auto b = plan("SELECT sum(a) OVER (ORDER BY id ROWS BETWEEN 7 PRECEDING AND CURRENT ROW) FROM t");
  auto c = plan("SELECT sum(a) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM t");
  auto d = plan("SELECT sum(a) OVER (ORDER BY id DESC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t");
  auto e = plan("SELECT max(a) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t");
  EXPECT_EQ(a.shape_key, b.shape_key);
  EXPECT_NE(a.shape_key, c.shape_key);
  EXPECT_NE(a.shape_key, d.shape_key);
  EXPECT_NE(a.shape_key, e.shape_key);
}

TEST_F(PlannerTest, WindowErrors) {
  EXPECT_EQ(error("SELECT a FROM t WHERE row_number() OVER () > 1"), SqlState::WindowingError);
  EXPECT_EQ(last_error_, "window functions are not allowed in WHERE");
  EXPECT_EQ(error("SELECT count(*) FROM t HAVING rank() OVER () > 1"), SqlState::WindowingError);
  EXPECT_EQ(last_error_, "window functions are not allowed in HAVING");
  EXPECT_EQ(error("SELECT a FROM t GROUP BY rank() OVER ()"), SqlState::WindowingError);
  EXPECT_EQ(error("SELECT sum(rank() OVER ()) FROM t"), SqlState::GroupingError);
  EXPECT_EQ(last_error_, "aggregate function calls cannot contain window function calls");
  EXPECT_EQ(error("SELECT sum(rank() OVER ()) OVER () FROM t"), SqlState::WindowingError);
  EXPECT_EQ(last_error_, "window function calls cannot be nested");
  EXPECT_EQ(error("SELECT rank() FROM t"), SqlState::WrongObjectType);
  EXPECT_EQ(last_error_, "window function rank requires an OVER clause");
  EXPECT_EQ(error("SELECT abs(a) OVER () FROM t"), SqlState::WrongObjectType);
  EXPECT_EQ(error("SELECT nosuch(a) OVER () FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(error("SELECT ntile(e) OVER () FROM t"), SqlState::UndefinedFunction);
  EXPECT_EQ(last_error_, "function ntile(bigint) does not exist");
  EXPECT_EQ(error("SELECT sum(a) OVER w FROM t"), SqlState::UndefinedObject);
  EXPECT_EQ(last_error_, "window \"w\" does not exist");
  EXPECT_EQ(error("SELECT sum(a) OVER (w ORDER BY a) FROM t WINDOW w AS (ORDER BY id)"),
            SqlState::WindowingError);
  EXPECT_EQ(last_error_, "cannot override ORDER BY clause of window \"w\"");
  EXPECT_EQ(error("SELECT sum(a) OVER (ROWS BETWEEN a PRECEDING AND CURRENT ROW) FROM t"),
            SqlState::InvalidColumnReference);
  EXPECT_EQ(last_error_, "argument of ROWS must not contain variables");
  EXPECT_EQ(error("SELECT a, sum(a) OVER (PARTITION BY b) FROM t GROUP BY a"), SqlState::GroupingError);
  // RANGE offsets need a type PostgreSQL has in_range for (0A000, as there).
  EXPECT_EQ(error("SELECT sum(a) OVER (ORDER BY a RANGE BETWEEN 1.5 PRECEDING AND CURRENT ROW) FROM t"),
            SqlState::FeatureNotSupported);
  EXPECT_EQ(last_error_,
            "RANGE with offset PRECEDING/FOLLOWING is not supported for column type integer and offset type "
            "numeric");
  EXPECT_EQ(error("SELECT sum(a) OVER (GROUPS UNBOUNDED PRECEDING) FROM t"), SqlState::WindowingError);
  EXPECT_EQ(last_error_, "GROUPS mode requires an ORDER BY clause");
  // What OmenDB does not do yet names the feature.
  EXPECT_EQ(error("SELECT count(DISTINCT a) OVER () FROM t"), SqlState::FeatureNotSupported);
  EXPECT_EQ(error("SELECT a, row_number() OVER () FROM t FOR UPDATE"), SqlState::FeatureNotSupported);
}

}  // namespace
}  // namespace omendb::planner::testing
