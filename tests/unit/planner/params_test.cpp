// Client parameters ($n): type inference as PostgreSQL 15 does it (each expectation was checked with
// Parse + Describe against PostgreSQL 15), their place in PlannedStatement::params, and the errors.
#include <algorithm>

#include "planner_test_util.h"

namespace omendb::planner::testing {
namespace {

class ParamsTest : public PlannerTest {
 protected:
  // Plans `sql` with the given parameter types (Unknown = infer).
  PlannedStatement plan_with(const std::string& sql, std::vector<TypeId> types = {}) const {
    auto stmts = parser::parse(sql);
    PlannerContext ctx = context();
    ctx.param_types = std::move(types);
    return plan_statement(*stmts.at(0), ctx);
  }
  std::vector<TypeId> types_of(const std::string& sql, std::vector<TypeId> given = {}) const {
    return plan_with(sql, std::move(given)).param_types;
  }
  SqlState error_with(const std::string& sql, std::vector<TypeId> given = {}) const {
    try {
      plan_with(sql, std::move(given));
    } catch (const SqlError& e) {
      last_error_ = e.message();
      return e.state();
    }
    return SqlState::SuccessfulCompletion;
  }
};

using T = TypeId;

TEST_F(ParamsTest, InferredFromContext) {
  EXPECT_EQ(types_of("SELECT $1"), (std::vector<T>{T::Text}));
  EXPECT_EQ(types_of("SELECT $1 + 1"), (std::vector<T>{T::Int32}));
  EXPECT_EQ(types_of("SELECT $1 = $2"), (std::vector<T>{T::Text, T::Text}));
  EXPECT_EQ(types_of("SELECT * FROM t WHERE e = $1"), (std::vector<T>{T::Int64}));
  EXPECT_EQ(types_of("SELECT * FROM t WHERE a = $1 OR e = $1"), (std::vector<T>{T::Int32}));
  EXPECT_EQ(types_of("SELECT $1::int"), (std::vector<T>{T::Int32}));
  EXPECT_EQ(types_of("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)"),
            (std::vector<T>{T::Int32, T::Int32, T::Text, T::Float64, T::Bool, T::Int64}));
  EXPECT_EQ(types_of("UPDATE t SET b = $1 WHERE id = $2"), (std::vector<T>{T::Text, T::Int32}));
  EXPECT_EQ(types_of("SELECT * FROM t LIMIT $1 OFFSET $2"), (std::vector<T>{T::Int64, T::Int64}));
  EXPECT_EQ(types_of("SELECT coalesce($1, 5)"), (std::vector<T>{T::Int32}));
  EXPECT_EQ(types_of("SELECT CASE WHEN $1 THEN 1 ELSE 2 END"), (std::vector<T>{T::Bool}));
  EXPECT_EQ(types_of("SELECT $1 || 'x'"), (std::vector<T>{T::Text}));
  EXPECT_EQ(types_of("SELECT abs($1)"), (std::vector<T>{T::Float64}));
  EXPECT_EQ(types_of("SELECT min($1) FROM t"), (std::vector<T>{T::Text}));
  EXPECT_EQ(types_of("SELECT $1 IN (1, 2)"), (std::vector<T>{T::Int32}));
  EXPECT_EQ(types_of("SELECT a FROM t WHERE a BETWEEN $1 AND $2"), (std::vector<T>{T::Int32, T::Int32}));
  EXPECT_EQ(types_of("SELECT NOT $1"), (std::vector<T>{T::Bool}));
  EXPECT_EQ(types_of("SELECT nullif($1, 3)"), (std::vector<T>{T::Int32}));
  EXPECT_EQ(types_of("SELECT a + $1 FROM t"), (std::vector<T>{T::Int32}));
}

TEST_F(ParamsTest, GivenTypesWin) {
  // A given int8 compared with an int4 column: the column is widened, the parameter stays int8.
  EXPECT_EQ(types_of("SELECT * FROM t WHERE a = $1", {T::Int64}), (std::vector<T>{T::Int64}));
  // Declared but unused parameters keep their type; an unknown one among them gets inferred.
  EXPECT_EQ(types_of("SELECT $2 + 1", {T::Text, T::Unknown}), (std::vector<T>{T::Text, T::Int32}));
}

TEST_F(ParamsTest, Errors) {
  EXPECT_EQ(error_with("SELECT $1 IS NULL"), SqlState::IndeterminateDatatype);
  EXPECT_EQ(last_error_, "could not determine data type of parameter $1");
  EXPECT_EQ(error_with("SELECT $2"), SqlState::IndeterminateDatatype);
  EXPECT_EQ(last_error_, "could not determine data type of parameter $1");
  EXPECT_EQ(error_with("SELECT count($1) FROM t"), SqlState::IndeterminateDatatype);
  EXPECT_EQ(error_with("SELECT $1, $1::int"), SqlState::AmbiguousParameter);
  EXPECT_EQ(last_error_, "inconsistent types deduced for parameter $1");
  EXPECT_EQ(error_with("SELECT $0"), SqlState::UndefinedParameter);
  EXPECT_EQ(last_error_, "there is no parameter $0");
  EXPECT_EQ(error_with("SELECT $1 + $2"), SqlState::AmbiguousFunction);  // operator is not unique
  // Without parameter context (a simple query) $n does not exist.
  EXPECT_EQ(error("SELECT $1"), SqlState::UndefinedParameter);
  EXPECT_EQ(last_error_, "there is no parameter $1");
}

TEST_F(ParamsTest, ClientParamsComeFirstThenLiterals) {
  PlannedStatement ps = plan_with("SELECT a + 7 FROM t WHERE id = $1 AND b = 'x'");
  ASSERT_EQ(ps.param_types, (std::vector<T>{T::Int32}));
  ASSERT_EQ(ps.params.size(), 3u);
  EXPECT_TRUE(ps.params[0].is_null());  // placeholder for $1
  EXPECT_EQ(ps.params[0].type(), T::Int32);
  // The literals follow, in lifting order.
  std::vector<std::string> lifted = {ps.params[1].to_string(), ps.params[2].to_string()};
  std::sort(lifted.begin(), lifted.end());
  EXPECT_EQ(lifted, (std::vector<std::string>{"7", "x"}));
  // The key range uses the parameter: one compiled plan serves every value.
  EXPECT_NE(explain_text(ps.plan).find("range: id = $0"), std::string::npos) << explain_text(ps.plan);
  // Same statement, other literals: the same shape.
  EXPECT_EQ(ps.shape_key, plan_with("SELECT a + 8 FROM t WHERE id = $1 AND b = 'y'").shape_key);
}

TEST_F(ParamsTest, ValuesMatrixFollowsClientParams) {
  PlannedStatement ps = plan_with("INSERT INTO r VALUES (1, 'a'), (2, 'b')", {T::Int32});
  ASSERT_EQ(ps.params.size(), 5u);
  EXPECT_TRUE(ps.params[0].is_null());
  EXPECT_EQ(ps.params[1].to_string(), "1");
  EXPECT_EQ(ps.params[4].to_string(), "b");  // (the matrix base is 1: checked end to end by the tests)
}

TEST_F(ParamsTest, VarcharResultColumns) {
  PlannedStatement ps = plan("SELECT name, f, name || 'x' FROM s");
  EXPECT_EQ(ps.result_typmods, (std::vector<int32_t>{3, -1, -1}));
  EXPECT_EQ(plan("SELECT * FROM s").result_typmods, (std::vector<int32_t>{3, -1}));
  // Casts: varchar(n)'s n, numeric(p, s)'s typmod ((p << 16 | s) + 4, as PostgreSQL's); none without one.
  EXPECT_EQ(plan("SELECT 'x'::varchar(2), 1.5::numeric(4,1), 2::numeric, 'y'::text").result_typmods,
            (std::vector<int32_t>{2, (4 << 16 | 1) + 4, -1, -1}));
}

TEST_F(ParamsTest, EvaluateExecuteArguments) {
  auto stmts = parser::parse("EXECUTE p (1, '2', -3, 'x', NULL)");
  const auto& ex = static_cast<const ast::ExecuteStmt&>(*stmts.at(0));
  std::vector<Value> v =
      evaluate_parameters(ex.args, {T::Int64, T::Int32, T::Float64, T::Text, T::Bool}, dtsql::EvalContext{});
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], Value::int64(1));
  EXPECT_EQ(v[1], Value::int32(2));
  EXPECT_EQ(v[2], Value::float64(-3));
  EXPECT_EQ(v[3], Value::text("x"));
  EXPECT_TRUE(v[4].is_null());
  auto bad = parser::parse("EXECUTE p ('a'::text)");
  try {
    evaluate_parameters(static_cast<const ast::ExecuteStmt&>(*bad.at(0)).args, {T::Int32},
                        dtsql::EvalContext{});
    FAIL() << "text into an integer parameter must fail";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::DatatypeMismatch);
    EXPECT_EQ(e.message(), "parameter $1 of type text cannot be coerced to the expected type integer");
  }
}

}  // namespace
}  // namespace omendb::planner::testing
