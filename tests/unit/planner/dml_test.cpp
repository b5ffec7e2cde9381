#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

using plan::ExprOp;
using plan::OpKind;

TEST_F(PlannerTest, InsertLiteralsBecomeValuesMatrix) {
  auto ps = plan("INSERT INTO t (a, id, b) VALUES (1, 2, 'x'), ('3', 4, NULL), (DEFAULT, 5.6, 'y')");
  EXPECT_EQ(ps.command, "INSERT");
  const auto& ins = (*ps.plan.root).as<plan::InsertOp>();
  ASSERT_EQ(ins.kind, OpKind::Insert);
  EXPECT_EQ(ins.table->name, "t");
  const auto& values = (child(ins)).as<plan::ValuesOp>();
  ASSERT_EQ(values.kind, OpKind::Values);
  EXPECT_TRUE(values.values_matrix);
  EXPECT_TRUE(values.rows.empty());
  EXPECT_EQ(values.matrix_param_base, 0);
  ASSERT_EQ(values.output.size(), 6u);
  EXPECT_EQ(values.output[3].type, TypeId::Float64);
  ASSERT_EQ(ps.params.size(), 18u);
  // Row-major, table order (id, a, b, c, d, e), converted to the column types.
  EXPECT_EQ(ps.params[0], Value::int32(2));
  EXPECT_EQ(ps.params[1], Value::int32(1));
  EXPECT_EQ(ps.params[2], Value::text("x"));
  EXPECT_TRUE(ps.params[3].is_null());
  EXPECT_EQ(ps.params[3].type(), TypeId::Float64);
  EXPECT_EQ(ps.params[5].type(), TypeId::Int64);
  EXPECT_EQ(ps.params[6], Value::int32(4));
  EXPECT_EQ(ps.params[7], Value::int32(3));
  EXPECT_TRUE(ps.params[8].is_null());
  EXPECT_EQ(ps.params[8].type(), TypeId::Text);
  EXPECT_EQ(ps.params[12], Value::int32(6));  // 5.6 rounds
  EXPECT_TRUE(ps.params[13].is_null());
  EXPECT_EQ(ps.params[13].type(), TypeId::Int32);
  EXPECT_TRUE(ps.plan.result_columns.empty());
  ASSERT_EQ(ps.plan.pipelines.size(), 1u);
  EXPECT_EQ(ps.plan.pipelines[0].source, &values);
  EXPECT_EQ(ps.plan.pipelines[0].sink, &ins);
  EXPECT_EQ(ps.plan.estimated_rows, 3u);
}

TEST_F(PlannerTest, InsertMatrixShapeIgnoresRowCount) {
  auto one = plan("INSERT INTO t VALUES (1, 2, 'a', 1.5, true, 7)");
  auto three = plan(
      "INSERT INTO t VALUES (1, 2, 'a', 1.5, true, 7), (2, 3, 'b', 2.5, false, 8), (4, 5, 'c', 0.5, "
      "NULL, 9)");
  EXPECT_EQ(one.shape_key, three.shape_key);
  EXPECT_EQ(three.params.size(), 18u);
  // The column types are recorded: a different table gives a different key.
  auto other = plan("INSERT INTO r VALUES (1, 'a')");
  EXPECT_NE(one.shape_key, other.shape_key);
}

TEST_F(PlannerTest, InsertWithExpressionsUsesRows) {
  auto ps = plan("INSERT INTO r VALUES (1 + 1, 'a'), (2, 'b' || 'c')");
  const auto& values = (child(*ps.plan.root)).as<plan::ValuesOp>();
  EXPECT_FALSE(values.values_matrix);
  ASSERT_EQ(values.rows.size(), 2u);
  EXPECT_EQ(values.rows[0][0]->op, ExprOp::Add);
  EXPECT_EQ(values.rows[0][1]->op, ExprOp::Param);
  EXPECT_EQ(values.rows[1][1]->op, ExprOp::Concat);
  // Fewer values than columns without a column list: the rest are NULL.
  auto ps2 = plan("INSERT INTO t VALUES (1, 2 + 0)");
  const auto& v2 = (child(*ps2.plan.root)).as<plan::ValuesOp>();
  ASSERT_EQ(v2.rows.at(0).size(), 6u);
  EXPECT_EQ(v2.rows[0][5]->op, ExprOp::Constant);
  EXPECT_TRUE(v2.rows[0][5]->constant.is_null());
  EXPECT_EQ(v2.rows[0][5]->type, TypeId::Int64);
}

TEST_F(PlannerTest, InsertAssignmentCasts) {
  auto ps = plan("INSERT INTO t (id, e, c, b) VALUES (1 + 0, 2, 3, 4)");
  const auto& row = child(*ps.plan.root).as<plan::ValuesOp>().rows.at(0);
  EXPECT_EQ(row[5]->type, TypeId::Int64);  // e: literal converted at bind time
  EXPECT_EQ(row[5]->op, ExprOp::Param);
  EXPECT_EQ(row[3]->type, TypeId::Float64);
  EXPECT_EQ(row[2]->type, TypeId::Text);  // integer into text: allowed as an assignment
  auto ps2 = plan("INSERT INTO t (id) VALUES (5::bigint + 1)");
  const auto& r2 = child(*ps2.plan.root).as<plan::ValuesOp>().rows.at(0);
  EXPECT_EQ(r2[0]->op, ExprOp::Cast);  // bigint expression into integer: runtime-checked cast
  EXPECT_EQ(r2[0]->type, TypeId::Int32);
  EXPECT_EQ(error("INSERT INTO t (id) VALUES (5000000000)"), SqlState::NumericValueOutOfRange);
  EXPECT_EQ(error("INSERT INTO t (id, a) VALUES (1, 'x')"), SqlState::InvalidTextRepresentation);
  EXPECT_EQ(error("INSERT INTO t (id, a) VALUES (1, 'x'::text)"), SqlState::DatatypeMismatch);
  EXPECT_EQ(last_error_, "column \"a\" is of type integer but expression is of type text");
  EXPECT_EQ(error("INSERT INTO t (id, d) VALUES (1, 1)"), SqlState::DatatypeMismatch);
  EXPECT_EQ(error("INSERT INTO s VALUES ('abcd', 1)"), SqlState::StringDataRightTruncation);
}

TEST_F(PlannerTest, InsertErrors) {
  EXPECT_EQ(error("INSERT INTO nope VALUES (1)"), SqlState::UndefinedTable);
  EXPECT_EQ(error("INSERT INTO t (nope) VALUES (1)"), SqlState::UndefinedColumn);
  EXPECT_EQ(error("INSERT INTO t (a, a) VALUES (1, 2)"), SqlState::DuplicateColumn);
  EXPECT_EQ(error("INSERT INTO r VALUES (1, 'a', 3)"), SqlState::SyntaxError);
  EXPECT_EQ(last_error_, "INSERT has more expressions than target columns");
  EXPECT_EQ(error("INSERT INTO r (p) VALUES (1, 2)"), SqlState::SyntaxError);
  EXPECT_EQ(error("INSERT INTO r SELECT p, q FROM r"), SqlState::SuccessfulCompletion);  // INSERT ... SELECT
  EXPECT_EQ(error("INSERT INTO r SELECT p, q, p FROM r"), SqlState::SyntaxError);
  EXPECT_EQ(error("INSERT INTO r (p) SELECT q FROM r"), SqlState::DatatypeMismatch);
  EXPECT_EQ(error("INSERT INTO r VALUES (count(*), 'a')"), SqlState::GroupingError);
  EXPECT_EQ(error("INSERT INTO r VALUES (p, 'a')"), SqlState::UndefinedColumn);
}

TEST_F(PlannerTest, UpdateShape) {
  auto ps = plan("UPDATE t SET a = a + 1, b = 'z' WHERE id = 7");
  EXPECT_EQ(ps.command, "UPDATE");
  const auto& upd = (*ps.plan.root).as<plan::UpdateOp>();
  ASSERT_EQ(upd.kind, OpKind::Update);
  const auto& filter = (child(upd)).as<plan::FilterOp>();
  ASSERT_EQ(filter.kind, OpKind::Filter);
  const auto& scan = (child(filter)).as<plan::TableScanOp>();
  ASSERT_EQ(scan.kind, OpKind::TableScan);
  EXPECT_EQ(scan.scan_columns, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_GE(scan.key_column, 0);
  EXPECT_EQ(upd.key_column, scan.key_column);
  ASSERT_EQ(upd.set_exprs.size(), 6u);
  EXPECT_EQ(upd.set_exprs[0]->op, ExprOp::Column);
  EXPECT_EQ(upd.set_exprs[0]->column, scan.output[0].id);
  EXPECT_EQ(upd.set_exprs[1]->op, ExprOp::Add);
  EXPECT_EQ(upd.set_exprs[2]->op, ExprOp::Param);
  EXPECT_EQ(upd.set_exprs[2]->type, TypeId::Text);
  EXPECT_EQ(upd.set_exprs[5]->column, scan.output[5].id);
  EXPECT_EQ(scan.range.eq.size(), 1u);
  EXPECT_EQ(scan.estimated_rows, 1u);
  ASSERT_EQ(ps.plan.pipelines.size(), 1u);
  EXPECT_EQ(ps.plan.pipelines[0].source, &scan);
  EXPECT_EQ(ps.plan.pipelines[0].operators, (std::vector<const plan::Op*>{&filter}));
  EXPECT_EQ(ps.plan.pipelines[0].sink, &upd);
  EXPECT_TRUE(ps.plan.result_columns.empty());
}

TEST_F(PlannerTest, UpdateCastsAndErrors) {
  auto ps = plan("UPDATE t SET a = e, c = 2");
  const auto& upd = (*ps.plan.root).as<plan::UpdateOp>();
  EXPECT_EQ(child(upd).kind, OpKind::TableScan);
  EXPECT_EQ(upd.set_exprs[1]->op, ExprOp::Cast);
  EXPECT_EQ(upd.set_exprs[1]->type, TypeId::Int32);
  EXPECT_EQ(upd.set_exprs[3]->type, TypeId::Float64);
  EXPECT_EQ(ps.params.at(0), Value::float64(2));
  EXPECT_EQ(error("UPDATE t SET nope = 1"), SqlState::UndefinedColumn);
  EXPECT_EQ(error("UPDATE t SET a = b"), SqlState::DatatypeMismatch);
  EXPECT_EQ(error("UPDATE t SET a = 1 WHERE a"), SqlState::DatatypeMismatch);
  EXPECT_EQ(error("UPDATE t SET a = count(*)"), SqlState::GroupingError);
  EXPECT_EQ(error("UPDATE nope SET a = 1"), SqlState::UndefinedTable);
}

TEST_F(PlannerTest, DeleteShape) {
  auto ps = plan("DELETE FROM k WHERE x = 1 AND v = 'q'");
  EXPECT_EQ(ps.command, "DELETE");
  const auto& del = (*ps.plan.root).as<plan::DeleteOp>();
  ASSERT_EQ(del.kind, OpKind::Delete);
  const auto& scan = (child(child(del))).as<plan::TableScanOp>();
  ASSERT_EQ(scan.kind, OpKind::TableScan);
  EXPECT_GE(scan.key_column, 0);
  EXPECT_EQ(del.key_column, scan.key_column);
  EXPECT_EQ(scan.range.eq.size(), 1u);
  EXPECT_EQ(scan.scan_columns, (std::vector<int>{0, 3}));  // only what WHERE reads; the key comes separately
  auto all = plan("DELETE FROM r");
  const auto& all_scan = (child(*all.plan.root)).as<plan::TableScanOp>();
  EXPECT_EQ(all_scan.kind, OpKind::TableScan);
  EXPECT_TRUE(all_scan.scan_columns.empty());
  EXPECT_GE(all_scan.key_column, 0);
  EXPECT_EQ(error("DELETE FROM r WHERE nope = 1"), SqlState::UndefinedColumn);
}

}  // namespace
}  // namespace omendb::planner::testing
