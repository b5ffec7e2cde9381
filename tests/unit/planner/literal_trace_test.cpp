// The simple protocol's plan reuse (docs/architecture.md, "The simple protocol's statement cache"): with
// PlannerContext::literals, each lifted param records the literal it is the value of and how the binder
// converted it (PlannedStatement::literals), literal_param_value computes a param from another value of
// the literal as the binder would, and a literal whose value binding or planning read is not traced.
#include "common/numeric.h"
#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

class LiteralTraceTest : public PlannerTest {
 protected:
  // Plans `sql` with every Constant the parser made traced; `constants` gets them in the parser's order.
  PlannedStatement plan_traced(const std::string& sql) {
    constants_.clear();
    stmts_ = parser::parse(sql, &constants_);
    traced_.assign(constants_.begin(), constants_.end());
    PlannerContext ctx = context();
    ctx.literals = &traced_;
    return plan_statement(*stmts_.at(0), ctx);
  }
  // The index in the parser's order of the Constant of value `v`.
  int literal_of(const Value& v) const {
    for (size_t i = 0; i < constants_.size(); ++i)
      if (constants_[i]->value == v && constants_[i]->value.type() == v.type()) return static_cast<int>(i);
    return -1;
  }
  std::vector<ast::StmtPtr> stmts_;
  std::vector<ast::Expr*> constants_;
  std::vector<const ast::Expr*> traced_;
  dtsql::EvalContext dt_;
};

TEST_F(LiteralTraceTest, ParamsRecordTheirLiteralsAndConversions) {
  auto ps = plan_traced("SELECT a FROM t WHERE id = 5 AND b = 'x' AND e = 7 AND c > 1.5");
  ASSERT_EQ(ps.params.size(), 4u);
  ASSERT_EQ(ps.literals.size(), 4u);
  for (const LiteralParam& p : ps.literals) EXPECT_GE(p.literal, 0);
  auto find = [&](const Value& v) {
    for (size_t i = 0; i < ps.params.size(); ++i)
      if (ps.params[i] == v) return i;
    ADD_FAILURE() << "no param " << v.to_string();
    return size_t{0};
  };
  // id = 5: the int4 literal, no conversion.
  const LiteralParam& id = ps.literals[find(Value::int32(5))];
  EXPECT_EQ(id.bound, TypeId::Int32);
  EXPECT_EQ(id.cast, TypeId::Unknown);
  EXPECT_EQ(id.lifted, TypeId::Int32);
  EXPECT_EQ(*literal_param_value(Value::int32(-2147483647), id, dt_), Value::int32(-2147483647));
  // -2147483648 comes from the parser as a bigint and is typed int4, as the binder types it.
  EXPECT_EQ(*literal_param_value(Value::int64(-2147483648LL), id, dt_), Value::int32(INT32_MIN));
  // A literal typed otherwise (int8, numeric) needs another plan.
  EXPECT_FALSE(literal_param_value(Value::int64(3000000000LL), id, dt_));
  EXPECT_FALSE(literal_param_value(Value::numeric(num::parse("1.5")), id, dt_));
  // e = 7 (bigint column): the int4 literal converted to int8 by the binder.
  const LiteralParam& e = ps.literals[find(Value::int64(7))];
  EXPECT_EQ(e.bound, TypeId::Int32);
  EXPECT_EQ(e.cast, TypeId::Int64);
  EXPECT_EQ(*literal_param_value(Value::int32(9), e, dt_), Value::int64(9));
  // b = 'x': an unknown-typed string read as text.
  const LiteralParam& b = ps.literals[find(Value::text("x"))];
  EXPECT_EQ(b.bound, TypeId::Unknown);
  EXPECT_EQ(*literal_param_value(Value::text("yz", TypeId::Unknown), b, dt_), Value::text("yz"));
  // c > 1.5 (float8): the numeric literal converted.
  const LiteralParam& c = ps.literals[find(Value::float64(1.5))];
  EXPECT_EQ(c.bound, TypeId::Numeric);
  EXPECT_EQ(*literal_param_value(Value::numeric(num::parse("2.25")), c, dt_), Value::float64(2.25));
  EXPECT_EQ(literal_of(Value::numeric(num::parse("1.5"))), c.literal);
}

TEST_F(LiteralTraceTest, ConversionErrorsAreTheBindersOnes) {
  auto ps = plan_traced("SELECT a FROM t WHERE id = '5'");
  ASSERT_EQ(ps.literals.size(), 1u);
  const LiteralParam& id = ps.literals[0];
  EXPECT_EQ(id.bound, TypeId::Unknown);
  EXPECT_EQ(id.cast, TypeId::Int32);
  EXPECT_EQ(*literal_param_value(Value::text(" 12 ", TypeId::Unknown), id, dt_), Value::int32(12));
  try {
    literal_param_value(Value::text("x", TypeId::Unknown), id, dt_);
    ADD_FAILURE() << "no error";
  } catch (const SqlError& err) {
    EXPECT_EQ(err.state(), SqlState::InvalidTextRepresentation);
  }
  try {
    literal_param_value(Value::text("2147483648", TypeId::Unknown), id, dt_);
    ADD_FAILURE() << "no error";
  } catch (const SqlError& err) {
    EXPECT_EQ(err.state(), SqlState::NumericValueOutOfRange);
  }
}

TEST_F(LiteralTraceTest, ValuesThePlanDependsOnAreNotTraced) {
  // GROUP BY matches the select list's expression by its constants' values.
  auto grouped = plan_traced("SELECT a + 1 FROM t GROUP BY a + 1");
  ASSERT_FALSE(grouped.params.empty());
  for (const LiteralParam& p : grouped.literals) EXPECT_LT(p.literal, 0);
  // varchar(3): whether the value fits decides.
  auto assigned = plan_traced("INSERT INTO s VALUES ('ab', 1.5)");
  ASSERT_EQ(assigned.literals.size(), 2u);
  EXPECT_LT(assigned.literals[0].literal, 0);  // name
  EXPECT_GE(assigned.literals[1].literal, 0);  // f: 1.5 converted to float8
  EXPECT_EQ(assigned.literals[1].cast, TypeId::Float64);
  EXPECT_EQ(assigned.literals[1].lifted, TypeId::Unknown);  // a values matrix cell
  // Without PlannerContext::literals nothing is recorded.
  EXPECT_TRUE(plan("SELECT a FROM t WHERE id = 5").literals.empty());
}

}  // namespace
}  // namespace omendb::planner::testing
