#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

using plan::ExprOp;
using plan::OpKind;

const plan::TableScanOp& scan_of(const PlannedStatement& ps) {
  const plan::Op* op = ps.plan.root.get();
  while (op->kind != OpKind::TableScan) op = op->children.at(0).get();
  return op->as<plan::TableScanOp>();
}

TEST_F(PlannerTest, KeyRangeEquality) {
  auto ps = plan("SELECT b FROM t WHERE id = 42");
  const auto& scan = scan_of(ps);
  ASSERT_EQ(scan.range.eq.size(), 1u);
  EXPECT_EQ(scan.range.eq[0]->op, ExprOp::Param);
  EXPECT_EQ(scan.range.eq[0]->param, 0);
  EXPECT_EQ(scan.range.lower, nullptr);
  EXPECT_EQ(scan.estimated_rows, 1u);
  EXPECT_EQ(ps.plan.estimated_rows, 1u);
  // The filter stays above the scan.
  EXPECT_EQ(child(*ps.plan.root).kind, OpKind::Filter);
  EXPECT_NE(explain_text(ps.plan).find("TableScan t (range: id = $0)"), std::string::npos)
      << explain_text(ps.plan);
  // Flipped operands.
  auto flipped = plan("SELECT b FROM t WHERE 42 = id");
  EXPECT_EQ(scan_of(flipped).range.eq.size(), 1u);
}

TEST_F(PlannerTest, KeyRangeBounds) {
  auto ps = plan("SELECT b FROM t WHERE a = 1 AND id >= 10 AND 20 > id");
  const auto& r = scan_of(ps).range;
  EXPECT_TRUE(r.eq.empty());
  ASSERT_NE(r.lower, nullptr);
  EXPECT_TRUE(r.lower_inclusive);
  ASSERT_NE(r.upper, nullptr);
  EXPECT_FALSE(r.upper_inclusive);
  EXPECT_EQ(scan_of(ps).estimated_rows, 5u);  // 1000 rows * 0.005 for a two-sided range
  EXPECT_EQ(ps.plan.estimated_rows, 5u);
  EXPECT_NE(explain_text(ps.plan).find("(range: id >= $1, id < $2) (~5 rows)"), std::string::npos)
      << explain_text(ps.plan);
  EXPECT_EQ(scan_of(plan("SELECT b FROM t WHERE id > 10")).estimated_rows, 333u);
  EXPECT_EQ(scan_of(plan("SELECT b FROM t WHERE a > 10")).estimated_rows, 1000u);
  // A bigint bound against an integer key: the widening cast around the column does not hide it.
  auto wide = plan("SELECT b FROM t WHERE id < 5000000000");
  ASSERT_NE(scan_of(wide).range.upper, nullptr);
  EXPECT_EQ(scan_of(wide).range.upper->type, TypeId::Int64);
  // BETWEEN gives both bounds.
  auto between = plan("SELECT b FROM t WHERE id BETWEEN 1 AND 5");
  EXPECT_NE(scan_of(between).range.lower, nullptr);
  EXPECT_NE(scan_of(between).range.upper, nullptr);
}

TEST_F(PlannerTest, KeyRangeCompositePrefix) {
  auto ps = plan("SELECT v FROM k WHERE y = 'b' AND x = 1 AND z > 5 AND v = 'q'");
  const auto& r = scan_of(ps).range;
  ASSERT_EQ(r.eq.size(), 2u);
  EXPECT_EQ(r.eq[0]->type, TypeId::Int32);
  EXPECT_EQ(r.eq[1]->type, TypeId::Text);
  ASSERT_NE(r.lower, nullptr);
  EXPECT_FALSE(r.lower_inclusive);
  EXPECT_EQ(r.upper, nullptr);
  EXPECT_NE(explain_text(ps.plan).find("(range: x = $1, y = $0, z > $2)"), std::string::npos)
      << explain_text(ps.plan);
  // A gap in the prefix stops the equality part.
  auto gap = plan("SELECT v FROM k WHERE x = 1 AND z = 5");
  EXPECT_EQ(scan_of(gap).range.eq.size(), 1u);
  EXPECT_EQ(scan_of(gap).range.lower, nullptr);
  // Full equality: a point lookup.
  auto point = plan("SELECT v FROM k WHERE x = 1 AND y = 'a' AND z = 2");
  EXPECT_EQ(scan_of(point).range.eq.size(), 3u);
  EXPECT_EQ(point.plan.estimated_rows, 1u);
}

TEST_F(PlannerTest, NoKeyRange) {
  // A cast around the key column (float comparison, text cast) hides it.
  EXPECT_TRUE(scan_of(plan("SELECT b FROM t WHERE id = 1.5")).range.is_full());
  EXPECT_TRUE(scan_of(plan("SELECT b FROM t WHERE id::text = '1'")).range.is_full());
  // Row-dependent bound, OR, non-key column, table without primary key.
  EXPECT_TRUE(scan_of(plan("SELECT b FROM t WHERE id = a")).range.is_full());
  EXPECT_TRUE(scan_of(plan("SELECT b FROM t WHERE id = 1 OR id = 2")).range.is_full());
  EXPECT_TRUE(scan_of(plan("SELECT b FROM t WHERE a = 1")).range.is_full());
  EXPECT_TRUE(scan_of(plan("SELECT q FROM r WHERE p = 1")).range.is_full());
  EXPECT_TRUE(scan_of(plan("SELECT v FROM k WHERE y = 'a'")).range.is_full());
  auto ps = plan("SELECT b FROM t WHERE a = 1");
  EXPECT_NE(explain_text(ps.plan).find("TableScan t (full scan)"), std::string::npos)
      << explain_text(ps.plan);
}

TEST_F(PlannerTest, KeyRangeWithArithmeticBound) {
  auto ps = plan("SELECT b FROM t WHERE id = 2 + 3");
  const auto& r = scan_of(ps).range;
  ASSERT_EQ(r.eq.size(), 1u);
  EXPECT_EQ(r.eq[0]->op, ExprOp::Add);
  auto text = plan("SELECT f FROM s WHERE name >= 'a' AND name <= 'b'");
  EXPECT_NE(scan_of(text).range.lower, nullptr);
  EXPECT_NE(scan_of(text).range.upper, nullptr);
}

TEST_F(PlannerTest, ExplainWithParamValues) {
  auto ps = plan("SELECT b FROM t WHERE id >= 10 AND id < 20 AND b = 'it''s'");
  std::string text;
  for (const auto& line : explain(ps.plan, ps.params)) text += line + "\n";
  EXPECT_NE(text.find("TableScan t (range: id >= 10, id < 20)"), std::string::npos) << text;
  EXPECT_NE(text.find("(b = 'it''s')"), std::string::npos) << text;
}

TEST_F(PlannerTest, ShapeKeySameForDifferentLiterals) {
  auto a = plan("SELECT b FROM t WHERE id = 1 AND b = 'x' ORDER BY a LIMIT 5");
  auto b = plan("SELECT b FROM t WHERE id = 99 AND b = 'something else' ORDER BY a LIMIT 50");
  EXPECT_EQ(a.shape_key, b.shape_key);
  EXPECT_NE(a.params, b.params);
}

TEST_F(PlannerTest, ShapeKeyDiffers) {
  EXPECT_NE(plan("SELECT a, b FROM t ORDER BY 1").shape_key, plan("SELECT a, b FROM t ORDER BY 2").shape_key);
  // Int32 vs Int64 literal.
  EXPECT_NE(plan("SELECT b FROM t WHERE a = 1").shape_key,
            plan("SELECT b FROM t WHERE a = 5000000000").shape_key);
  // NULL stays a constant: differs from a literal.
  EXPECT_NE(plan("SELECT b FROM t WHERE a = NULL").shape_key, plan("SELECT b FROM t WHERE a = 1").shape_key);
  // LIMIT ALL vs LIMIT n.
  EXPECT_NE(plan("SELECT b FROM t LIMIT ALL").shape_key, plan("SELECT b FROM t LIMIT 1").shape_key);
  // IN lists of different lengths.
  EXPECT_NE(plan("SELECT b FROM t WHERE a IN (1, 2)").shape_key,
            plan("SELECT b FROM t WHERE a IN (1, 2, 3)").shape_key);
  // VALUES with expressions: row count matters.
  EXPECT_NE(plan("INSERT INTO r VALUES (1 + 1, 'a')").shape_key,
            plan("INSERT INTO r VALUES (1 + 1, 'a'), (2 + 2, 'b')").shape_key);
}

TEST_F(PlannerTest, ExplainTree) {
  auto ps = plan("SELECT b FROM t WHERE a > 3 AND id >= 7 ORDER BY b DESC LIMIT 2");
  auto lines = explain(ps.plan);
  ASSERT_EQ(lines.size(), 7u) << explain_text(ps.plan);  // 5 operators, then 2 pipelines
  EXPECT_EQ(lines[0], "Limit (limit: $2)");
  EXPECT_EQ(lines[1], "  -> Sort (keys: b DESC; top-N: $2)");  // the LIMIT bounds the sort
  EXPECT_EQ(lines[2], "    -> Project (b)");
  EXPECT_EQ(lines[3], "      -> Filter (((a > $0) AND (id >= $1)))");
  EXPECT_EQ(lines[4], "        -> TableScan t (range: id >= $1) (~333 rows)");
  EXPECT_EQ(lines[5], "Pipeline 0: TableScan t -> Filter -> Project -> Sort (build)");
  EXPECT_EQ(lines[6], "Pipeline 1: Sort (read) -> Limit -> result (after 0)");
  auto agg = plan("SELECT count(*) + 1 AS n, max(a) FROM t");
  auto text = explain_text(agg.plan);
  EXPECT_NE(text.find("Aggregate (count(*), max(a))"), std::string::npos) << text;
  EXPECT_NE(text.find("Project ((count(*) + $0) AS n, max(a) AS max)"), std::string::npos) << text;
  auto upd = plan("UPDATE t SET a = 1 WHERE id = 2");
  EXPECT_NE(explain_text(upd.plan).find("Update t (set: a = $1)"), std::string::npos)
      << explain_text(upd.plan);
}

}  // namespace
}  // namespace omendb::planner::testing

namespace omendb::planner::testing {
namespace {

bool has_sort(const plan::Op& op) {
  if (op.kind == plan::OpKind::Sort) return true;
  for (const auto& c : op.children)
    if (has_sort(*c)) return true;
  return false;
}

TEST_F(PlannerTest, SortOnKeyOrderIsElided) {
  auto ps = plan("SELECT b FROM t WHERE a > 1 ORDER BY id LIMIT 3");
  EXPECT_FALSE(has_sort(*ps.plan.root)) << explain_text(ps.plan);
  ASSERT_EQ(ps.plan.pipelines.size(), 1u);  // scan -> filter -> project -> project -> limit
  EXPECT_EQ(ps.plan.result_columns.size(), 1u);
  EXPECT_EQ(ps.plan.result_columns[0].name, "b");
  EXPECT_FALSE(has_sort(*plan("SELECT id, a FROM t ORDER BY 1, 2").plan.root));
  EXPECT_FALSE(has_sort(*plan("SELECT v FROM k ORDER BY x, y").plan.root));
  EXPECT_FALSE(has_sort(*plan("SELECT v FROM k ORDER BY x").plan.root));
  // Not in key order: the Sort stays.
  EXPECT_TRUE(has_sort(*plan("SELECT b FROM t ORDER BY id DESC").plan.root));
  EXPECT_TRUE(has_sort(*plan("SELECT b FROM t ORDER BY a").plan.root));
  EXPECT_TRUE(has_sort(*plan("SELECT b FROM t ORDER BY id + 0").plan.root));
  EXPECT_TRUE(has_sort(*plan("SELECT v FROM k ORDER BY y, x").plan.root));
  EXPECT_TRUE(has_sort(*plan("SELECT v FROM k ORDER BY x, z").plan.root));
  EXPECT_TRUE(has_sort(*plan("SELECT q FROM r ORDER BY p").plan.root));
  EXPECT_TRUE(has_sort(*plan("SELECT max(id) FROM t ORDER BY 1").plan.root));
}

}  // namespace
}  // namespace omendb::planner::testing

namespace omendb::planner::testing {
namespace {

// Statements that differ only in literal values (of the same types) must give the same plan, apart from
// the params, and the same shape key.
TEST_F(PlannerTest, SameShapeGivesIdenticalPlans) {
  const std::pair<const char*, const char*> pairs[] = {
      {"SELECT a + 1, b FROM t WHERE id >= 3 AND b <> 'x' ORDER BY a DESC LIMIT 4 OFFSET 1",
       "SELECT a + 7, b FROM t WHERE id >= 9 AND b <> 'yy' ORDER BY a DESC LIMIT 40 OFFSET 0"},
      {"SELECT count(*), sum(z) FROM k WHERE x = 1 AND y = 'a' AND z < 10",
       "SELECT count(*), sum(z) FROM k WHERE x = 2 AND y = 'b' AND z < 20"},
      {"UPDATE t SET b = 'q', c = 1.5 WHERE id = 3", "UPDATE t SET b = 'r', c = 2.5 WHERE id = 4"},
      {"DELETE FROM k WHERE x BETWEEN 1 AND 2", "DELETE FROM k WHERE x BETWEEN 5 AND 9"},
      {"INSERT INTO r VALUES (1, 'a')", "INSERT INTO r VALUES (NULL, 'b'), (3, NULL)"},
      {"SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END FROM t WHERE d = 'yes'",
       "SELECT CASE WHEN a > 5 THEN 'z' ELSE 'w' END FROM t WHERE d = 'no'"},
  };
  for (const auto& [first, second] : pairs) {
    auto p1 = plan(first);
    auto p2 = plan(second);
    EXPECT_EQ(p1.shape_key, p2.shape_key) << first;
    EXPECT_EQ(explain(p1.plan), explain(p2.plan)) << first;
    ASSERT_EQ(p1.plan.pipelines.size(), p2.plan.pipelines.size()) << first;
    // Param types agree position by position (an INSERT matrix repeats the column types per row).
    for (size_t i = 0; i < std::min(p1.params.size(), p2.params.size()); ++i)
      EXPECT_EQ(p1.params[i].type(), p2.params[i].type()) << first << " param " << i;
  }
}

}  // namespace
}  // namespace omendb::planner::testing

namespace omendb::planner::testing {
namespace {

// TableScanOp::unordered of every table scan of the plan, in tree order (mark_unordered_scans).
void collect_unordered(const plan::Op& op, std::vector<bool>& out) {
  if (op.is<plan::TableScanOp>()) out.push_back(op.as<plan::TableScanOp>().unordered);
  for (const auto& c : op.children) collect_unordered(*c, out);
}

TEST_F(PlannerTest, ScansNoConsumerNeedsInKeyOrderAreUnordered) {
  auto flags = [&](const char* sql) {
    std::vector<bool> out;
    collect_unordered(*plan(sql).plan.root, out);
    return out;
  };
  using V = std::vector<bool>;
  // Order-insensitive aggregates, GROUP BY, DISTINCT, through filters and projections.
  EXPECT_EQ(flags("SELECT count(*), sum(a), max(b) FROM t WHERE a > 1"), V{true});
  EXPECT_EQ(flags("SELECT b, count(*) FROM t GROUP BY b ORDER BY b"), V{true});
  EXPECT_EQ(flags("SELECT DISTINCT b FROM t"), V{true});
  EXPECT_EQ(flags("SELECT count(*) FROM (SELECT b FROM t ORDER BY id) s"), V{true});
  // Consumers that see the order: the output, an elided ORDER BY, LIMIT, order-sensitive aggregates,
  // an aggregate's own ORDER BY, windows, DISTINCT ON.
  EXPECT_EQ(flags("SELECT b FROM t"), V{false});
  EXPECT_EQ(flags("SELECT b FROM t WHERE a > 1 ORDER BY id"), V{false});
  EXPECT_EQ(flags("SELECT count(*) FROM (SELECT b FROM t LIMIT 3) s"), V{false});
  EXPECT_EQ(flags("SELECT array_agg(b) FROM (SELECT b FROM t ORDER BY id) s"), V{false});
  EXPECT_EQ(flags("SELECT string_agg(b, ',') FROM t"), V{false});
  EXPECT_EQ(flags("SELECT sum(a ORDER BY id) FROM t"), V{false});
  EXPECT_EQ(flags("SELECT id, row_number() OVER () FROM t"), V{false});
  EXPECT_EQ(flags("SELECT DISTINCT ON (b) b, a FROM t ORDER BY b"), V{false});
  // A hash join: its build side always; its probe side when the join's consumer needs no order.
  V join = flags("SELECT t.b FROM t JOIN t u ON t.a = u.id");
  EXPECT_EQ(std::count(join.begin(), join.end(), true), 1) << join.size();
  EXPECT_EQ(flags("SELECT count(*) FROM t JOIN t u ON t.a = u.id"), (V{true, true}));
}

}  // namespace
}  // namespace omendb::planner::testing
