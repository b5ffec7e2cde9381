// Expressions compiled through the real JIT, over hand-built plans (VALUES -> Project -> result), so
// the generated code is tested without parser, planner or storage.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/jit.h"
#include "common/error.h"

namespace omendb::codegen {
namespace {

using plan::Expr;
using plan::ExprOp;
using plan::ExprPtr;

class CollectingSink : public runtime::RowSink {
 public:
  bool row(const Datum* values, size_t count) override {
    rows.emplace_back(values, values + count);
    for (Datum& d : rows.back())  // text points into runtime memory: copy it
      if (!d.is_null && d.str.ptr) {
        texts.emplace_back(d.str.ptr, d.str.len);
      }
    return true;
  }
  std::vector<std::vector<Datum>> rows;
  std::vector<std::string> texts;
};

ExprPtr param(int i, TypeId t) {
  return Expr::make_param(i, t);
}
ExprPtr op(ExprOp o, TypeId t, ExprPtr a, ExprPtr b = nullptr) {
  std::vector<ExprPtr> args;
  args.push_back(std::move(a));
  if (b) args.push_back(std::move(b));
  return Expr::make(o, t, std::move(args));
}

Jit& jit() {
  static std::unique_ptr<Jit> j = Jit::create();
  return *j;
}

// SELECT <exprs> with `params` as the statement's parameters.
struct Evaluation {
  CollectingSink sink;
  std::optional<SqlError> error;
  bool cache_hit = false;
  std::vector<PipelineStats> stats;
};

std::unique_ptr<Evaluation> evaluate(std::vector<ExprPtr> exprs, const std::vector<Value>& params,
                                     const std::string& key, uint64_t estimated_rows = 0) {
  plan::PhysicalPlan p;
  auto values = std::make_unique<plan::ValuesOp>();
  values->rows.emplace_back();  // one row, no columns
  auto project = std::make_unique<plan::ProjectOp>();
  for (size_t i = 0; i < exprs.size(); ++i) {
    plan::OutputColumn c{static_cast<int>(i), "c" + std::to_string(i), exprs[i]->type};
    project->output.push_back(c);
    p.result_columns.push_back(c);
  }
  project->exprs = std::move(exprs);
  project->children.push_back(std::move(values));
  p.pipelines.push_back({project->children[0].get(), {project.get()}, nullptr, {}});
  p.root = std::move(project);
  p.estimated_rows = estimated_rows;

  auto ev = std::make_unique<Evaluation>();
  auto compiled = jit().get_or_compile(key, p, &ev->cache_hit);
  ev->stats = compiled->stats;
  runtime::ExecContext ctx;
  ctx.set_params(params);
  prepare(*compiled, ctx);
  ctx.sink = &ev->sink;
  try {
    execute(*compiled, ctx);
  } catch (SqlError& e) {
    ev->error = e;
  }
  return ev;
}

TEST(Expressions, IntegerArithmeticAndOverflow) {
  auto sum = [](int32_t a, int32_t b) {
    std::vector<ExprPtr> e;
    e.push_back(op(ExprOp::Add, TypeId::Int32, param(0, TypeId::Int32), param(1, TypeId::Int32)));
    return evaluate(std::move(e), {Value::int32(a), Value::int32(b)}, "add-i32");
  };
  auto ok = sum(40, 2);
  ASSERT_FALSE(ok->error);
  ASSERT_EQ(ok->sink.rows.size(), 1u);
  EXPECT_EQ(ok->sink.rows[0][0].i64, 42);
  auto overflow = sum(INT32_MAX, 1);
  ASSERT_TRUE(overflow->error);
  EXPECT_EQ(overflow->error->state(), SqlState::NumericValueOutOfRange);
  EXPECT_TRUE(overflow->cache_hit);  // same key: compiled once
}

TEST(Expressions, DivisionByZeroAndNulls) {
  auto div = [](Value a, Value b) {
    std::vector<ExprPtr> e;
    e.push_back(op(ExprOp::Div, TypeId::Int64, param(0, TypeId::Int64), param(1, TypeId::Int64)));
    e.push_back(op(ExprOp::Mod, TypeId::Int64, param(0, TypeId::Int64), param(1, TypeId::Int64)));
    return evaluate(std::move(e), {a, b}, "div-i64");
  };
  auto r = div(Value::int64(-7), Value::int64(2));
  ASSERT_FALSE(r->error);
  EXPECT_EQ(r->sink.rows[0][0].i64, -3);  // truncates toward zero, as PostgreSQL
  EXPECT_EQ(r->sink.rows[0][1].i64, -1);
  auto zero = div(Value::int64(1), Value::int64(0));
  ASSERT_TRUE(zero->error);
  EXPECT_EQ(zero->error->state(), SqlState::DivisionByZero);
  auto null_by_zero = div(Value::null(TypeId::Int64), Value::int64(0));
  ASSERT_FALSE(null_by_zero->error);
  EXPECT_TRUE(null_by_zero->sink.rows[0][0].is_null);
  auto min_by_minus_one = div(Value::int64(INT64_MIN), Value::int64(-1));
  ASSERT_TRUE(min_by_minus_one->error);
  EXPECT_EQ(min_by_minus_one->error->state(), SqlState::NumericValueOutOfRange);
}

TEST(Expressions, ThreeValuedLogic) {
  // For every (a, b) in {TRUE, FALSE, NULL}^2: a AND b, a OR b, NOT a.
  std::vector<Value> vals = {Value::boolean(true), Value::boolean(false), Value::null(TypeId::Bool)};
  auto expect = [](const Datum& d, int want) {  // want: 1 true, 0 false, -1 null
    if (want < 0) {
      EXPECT_TRUE(d.is_null);
    } else {
      EXPECT_FALSE(d.is_null);
      EXPECT_EQ(d.i64, want);
    }
  };
  auto tv = [](const Value& v) { return v.is_null() ? -1 : (v.as_bool() ? 1 : 0); };
  for (const Value& a : vals) {
    for (const Value& b : vals) {
      std::vector<ExprPtr> e;
      e.push_back(op(ExprOp::And, TypeId::Bool, param(0, TypeId::Bool), param(1, TypeId::Bool)));
      e.push_back(op(ExprOp::Or, TypeId::Bool, param(0, TypeId::Bool), param(1, TypeId::Bool)));
      e.push_back(op(ExprOp::Not, TypeId::Bool, param(0, TypeId::Bool)));
      auto r = evaluate(std::move(e), {a, b}, "logic");
      ASSERT_FALSE(r->error);
      int x = tv(a), y = tv(b);
      int and_want = (x == 0 || y == 0) ? 0 : (x < 0 || y < 0) ? -1 : 1;
      int or_want = (x == 1 || y == 1) ? 1 : (x < 0 || y < 0) ? -1 : 0;
      int not_want = x < 0 ? -1 : 1 - x;
      SCOPED_TRACE(a.to_string() + " " + b.to_string());
      expect(r->sink.rows[0][0], and_want);
      expect(r->sink.rows[0][1], or_want);
      expect(r->sink.rows[0][2], not_want);
    }
  }
}

TEST(Expressions, ShortCircuitAvoidsErrors) {
  // FALSE AND (1 / 0 = 1) must not raise: the right side is not evaluated.
  std::vector<ExprPtr> e;
  auto div = op(ExprOp::Div, TypeId::Int32, param(1, TypeId::Int32), param(2, TypeId::Int32));
  auto eq = op(ExprOp::Eq, TypeId::Bool, std::move(div), param(1, TypeId::Int32));
  e.push_back(op(ExprOp::And, TypeId::Bool, param(0, TypeId::Bool), std::move(eq)));
  auto r = evaluate(std::move(e), {Value::boolean(false), Value::int32(1), Value::int32(0)}, "short-circuit");
  ASSERT_FALSE(r->error);
  EXPECT_EQ(r->sink.rows[0][0].i64, 0);
}

TEST(Expressions, TextCastsAndComparison) {
  auto parse = [](std::string text) {
    std::vector<ExprPtr> e;
    e.push_back(op(ExprOp::Cast, TypeId::Int32, param(0, TypeId::Text)));
    return evaluate(std::move(e), {Value::text(text)}, "cast-text-int");
  };
  auto good = parse(" 123 ");
  ASSERT_FALSE(good->error);
  EXPECT_EQ(good->sink.rows[0][0].i64, 123);
  auto bad = parse("12a");
  ASSERT_TRUE(bad->error);
  EXPECT_EQ(bad->error->state(), SqlState::InvalidTextRepresentation);
  auto big = parse("99999999999");
  ASSERT_TRUE(big->error);
  EXPECT_EQ(big->error->state(), SqlState::NumericValueOutOfRange);

  std::vector<ExprPtr> e;
  e.push_back(op(ExprOp::Lt, TypeId::Bool, param(0, TypeId::Text), param(1, TypeId::Text)));
  e.push_back(op(ExprOp::Concat, TypeId::Text, param(0, TypeId::Text), param(1, TypeId::Text)));
  auto cmp = evaluate(std::move(e), {Value::text("abc"), Value::text("abd")}, "text-ops");
  ASSERT_FALSE(cmp->error);
  EXPECT_EQ(cmp->sink.rows[0][0].i64, 1);
  ASSERT_FALSE(cmp->sink.texts.empty());
  EXPECT_EQ(cmp->sink.texts.back(), "abcabd");
}

TEST(Expressions, NullTextIsNeverRead) {
  // The data slot of a NULL holds garbage (storage leaves it as it was): comparisons, concatenation and
  // casts must not pass it to the runtime. Here the NULL parameter carries a wild pointer and length.
  plan::PhysicalPlan p;
  auto values = std::make_unique<plan::ValuesOp>();
  values->rows.emplace_back();
  auto project = std::make_unique<plan::ProjectOp>();
  project->exprs.push_back(op(ExprOp::Eq, TypeId::Bool, param(0, TypeId::Text), param(1, TypeId::Text)));
  project->exprs.push_back(op(ExprOp::Lt, TypeId::Bool, param(1, TypeId::Text), param(0, TypeId::Text)));
  project->exprs.push_back(op(ExprOp::Concat, TypeId::Text, param(0, TypeId::Text), param(1, TypeId::Text)));
  project->exprs.push_back(op(ExprOp::Cast, TypeId::Int32, param(0, TypeId::Text)));
  for (int i = 0; i < 4; ++i) {
    plan::OutputColumn c{i, "c" + std::to_string(i), project->exprs[i]->type};
    project->output.push_back(c);
    p.result_columns.push_back(c);
  }
  project->children.push_back(std::move(values));
  p.pipelines.push_back({project->children[0].get(), {project.get()}, nullptr, {}});
  p.root = std::move(project);
  bool hit = false;
  auto compiled = jit().get_or_compile("null-text-garbage", p, &hit);
  runtime::ExecContext ctx;
  ctx.set_params({Value::null(TypeId::Text), Value::text("apple")});
  ctx.params[0].str = StrRef{reinterpret_cast<const char*>(uintptr_t{0xdead0000beef}), uint64_t{1} << 40};
  prepare(*compiled, ctx);
  CollectingSink sink;
  ctx.sink = &sink;
  execute(*compiled, ctx);
  ASSERT_EQ(sink.rows.size(), 1u);
  for (const Datum& d : sink.rows[0]) EXPECT_TRUE(d.is_null);
}

TEST(Expressions, FloatToIntRoundsHalfToEvenAndChecksRange) {
  auto conv = [](double d) {
    std::vector<ExprPtr> e;
    e.push_back(op(ExprOp::Cast, TypeId::Int32, param(0, TypeId::Float64)));
    return evaluate(std::move(e), {Value::float64(d)}, "cast-f64-i32");
  };
  EXPECT_EQ(conv(2.5)->sink.rows[0][0].i64, 2);
  EXPECT_EQ(conv(3.5)->sink.rows[0][0].i64, 4);
  EXPECT_EQ(conv(-2.5)->sink.rows[0][0].i64, -2);
  auto nan = conv(NAN);
  ASSERT_TRUE(nan->error);
  EXPECT_EQ(nan->error->state(), SqlState::NumericValueOutOfRange);
  auto huge = conv(3e9);
  ASSERT_TRUE(huge->error);
}

TEST(Expressions, CaseEvaluatesOnlyTheTakenBranch) {
  // CASE WHEN $0 = 0 THEN 0 ELSE 10 / $0 END
  auto case_for = [](int32_t x) {
    std::vector<ExprPtr> args;
    args.push_back(op(ExprOp::Eq, TypeId::Bool, param(0, TypeId::Int32), param(1, TypeId::Int32)));
    args.push_back(param(1, TypeId::Int32));
    args.push_back(op(ExprOp::Div, TypeId::Int32, param(2, TypeId::Int32), param(0, TypeId::Int32)));
    std::vector<ExprPtr> e;
    e.push_back(Expr::make(ExprOp::Case, TypeId::Int32, std::move(args)));
    return evaluate(std::move(e), {Value::int32(x), Value::int32(0), Value::int32(10)}, "case");
  };
  auto zero = case_for(0);
  ASSERT_FALSE(zero->error);
  EXPECT_EQ(zero->sink.rows[0][0].i64, 0);
  EXPECT_EQ(case_for(5)->sink.rows[0][0].i64, 2);
}

TEST(Jit, StatsAndTiers) {
  std::vector<ExprPtr> e;
  e.push_back(op(ExprOp::Mul, TypeId::Int64, param(0, TypeId::Int64), param(0, TypeId::Int64)));
  auto fast = evaluate(std::move(e), {Value::int64(3)}, "tier-fast");
  ASSERT_EQ(fast->stats.size(), 1u);
  EXPECT_EQ(fast->stats[0].opt_level, "O0");
  EXPECT_GT(fast->stats[0].ir_instructions, 0u);
  EXPECT_GT(fast->stats[0].machine_code_bytes, 0u);
  EXPECT_GT(fast->stats[0].compile_ms, 0.0);
  EXPECT_FALSE(fast->cache_hit);
  std::vector<ExprPtr> e2;
  e2.push_back(op(ExprOp::Mul, TypeId::Int64, param(0, TypeId::Int64), param(0, TypeId::Int64)));
  auto optimized = evaluate(std::move(e2), {Value::int64(3)}, "tier-opt", Jit::kOptimizeRowThreshold);
  EXPECT_EQ(optimized->stats[0].opt_level, "O2");
  EXPECT_EQ(optimized->sink.rows[0][0].i64, 9);
}

}  // namespace
}  // namespace omendb::codegen
