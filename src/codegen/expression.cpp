#include "codegen/expression.h"

#include <stdexcept>
#include <string>

#include "catalog/functions.h"
#include "common/datum.h"
#include "common/error.h"
#include "common/text_sql.h"
#include "runtime/regex.h"

namespace omendb::codegen {

using plan::Expr;
using plan::ExprOp;

namespace {

// The operands of the Cases with one (CASE x WHEN ..., NULLIF) being translated on this thread, innermost
// last: CaseTest reads the innermost (translators nest, so the stack is not a translator's).
thread_local std::vector<SqlValue> t_case_operands;

class ExpressionTranslator {
 public:
  ExpressionTranslator(CodeGen& cg, const ColumnScope& columns, runtime::QueryLayout& layout)
      : cg_(cg), columns_(columns), layout_(layout) {}

  SqlValue eval(const Expr& e) {
    switch (e.op) {
      case ExprOp::Constant:
        return sql::constant(cg_, e.constant, e.type);
      case ExprOp::Param:
        // params[param]: one Datum per parameter
        return sql::load_datum(cg_, cg_.gep(cg_.params, static_cast<uint64_t>(e.param) * sizeof(Datum)),
                               e.type);
      case ExprOp::Column: {
        auto it = columns_.find(e.column);
        if (it == columns_.end())
          throw std::logic_error("codegen: column " + std::to_string(e.column) + " not in scope");
        return it->second;
      }
      case ExprOp::Neg:
        return sql::negate(cg_, eval(*e.args[0]));
      case ExprOp::Abs:
        return sql::abs(cg_, eval(*e.args[0]));
      case ExprOp::Not:
        return sql::logical_not(cg_, eval(*e.args[0]));
      case ExprOp::Add:
        return binary_arith(e, ArithOp::Add);
      case ExprOp::Sub:
        return binary_arith(e, ArithOp::Sub);
      case ExprOp::Mul:
        return binary_arith(e, ArithOp::Mul);
      case ExprOp::Div:
        return binary_arith(e, ArithOp::Div);
      case ExprOp::Mod:
        return binary_arith(e, ArithOp::Mod);
      case ExprOp::BitAnd:
        return binary_arith(e, ArithOp::BitAnd);
      case ExprOp::BitOr:
        return binary_arith(e, ArithOp::BitOr);
      case ExprOp::Concat: {
        SqlValue l = eval(*e.args[0]);
        return sql::concat(cg_, l, eval(*e.args[1]));
      }
      case ExprOp::Eq:
        return binary_compare(e, CmpOp::Eq);
      case ExprOp::Ne:
        return binary_compare(e, CmpOp::Ne);
      case ExprOp::Lt:
        return binary_compare(e, CmpOp::Lt);
      case ExprOp::Le:
        return binary_compare(e, CmpOp::Le);
      case ExprOp::Gt:
        return binary_compare(e, CmpOp::Gt);
      case ExprOp::Ge:
        return binary_compare(e, CmpOp::Ge);
      case ExprOp::And:
      case ExprOp::Or:
        return logic(e);
      case ExprOp::IsNull:
      case ExprOp::IsNotNull: {
        SqlValue a = eval(*e.args[0]);
        llvm::Value* v = e.op == ExprOp::IsNull ? a.is_null : cg_.b.CreateNot(a.is_null);
        return SqlValue{TypeId::Bool, v, nullptr, cg_.false_()};
      }
      case ExprOp::Cast:
        return sql::cast(cg_, eval(*e.args[0]), e.type, e.type == TypeId::Numeric ? e.func : -1);
      case ExprOp::Math: {
        std::vector<SqlValue> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        return sql::math(cg_, e.func, args, e.type);
      }
      case ExprOp::Case:
        return case_when(e);
      case ExprOp::Coalesce:
        return coalesce(e);
      case ExprOp::Distinct:
        return distinct(e);
      case ExprOp::BoolTest:
        return bool_test(e);
      case ExprOp::Greatest:
      case ExprOp::Least:
        return greatest_least(e);
      case ExprOp::CaseTest:
        if (t_case_operands.empty()) throw std::logic_error("codegen: CaseTest outside its CASE");
        return t_case_operands.back();
      case ExprOp::InSet:
        return in_set(e);
      case ExprOp::CatalogFunc: {
        std::vector<SqlValue> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        return sql::catalog_call(cg_, e.func, catalog::is_strict(static_cast<catalog::Func>(e.func)), args,
                                 e.type);
      }
      case ExprOp::Match: {
        static_assert(int(plan::kMatchNegate) == int(runtime::kMatchNegate) &&
                      int(plan::kMatchIcase) == int(runtime::kMatchIcase) &&
                      int(plan::kMatchLike) == int(runtime::kMatchLike) &&
                      int(plan::kMatchAny) == int(runtime::kMatchAny) &&
                      int(plan::kMatchAll) == int(runtime::kMatchAll));
        SqlValue s = eval(*e.args[0]);
        if (e.func & (plan::kMatchAny | plan::kMatchAll))
          return sql::match_array(cg_, e.func, s, eval(*e.args[1]));
        return sql::match(cg_, e.func, s, eval(*e.args[1]));
      }
      case ExprOp::Subquery:
        return subquery_value(e);
      case ExprOp::InSubquery:
        return in_subquery(e);
      case ExprOp::Apply:
        return apply(e);
      case ExprOp::OuterColumn:
        return sql::load_datum(cg_, outer_value(e.column), e.type);
      case ExprOp::Grouping:  // the binder replaces it by a HashAggregate column
        throw SqlError(SqlState::InternalError, "codegen: GROUPING outside a grouped query");
      case ExprOp::DateTime: {
        std::vector<SqlValue> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        return sql::datetime_call(cg_, e.func, args, e.type);
      }
      case ExprOp::Bytes: {
        std::vector<SqlValue> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        return sql::bytes_call(cg_, e.func, args, e.type);
      }
      case ExprOp::Text: {
        std::vector<SqlValue> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        return sql::text_call(cg_, e.func, textsql::is_strict(static_cast<textsql::Func>(e.func)), args,
                              e.type);
      }
      case ExprOp::Json: {
        std::vector<SqlValue> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        return sql::json_call(cg_, e.func, args, e.type);
      }
      case ExprOp::Array: {
        std::vector<SqlValue> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        return sql::array_call(cg_, e.func, args, e.type);
      }
    }
    throw std::logic_error("codegen: unknown expression");
  }

 private:
  SqlValue binary_arith(const Expr& e, ArithOp op) {
    SqlValue l = eval(*e.args[0]);
    return sql::arith(cg_, op, l, eval(*e.args[1]));
  }

  SqlValue binary_compare(const Expr& e, CmpOp op) {
    SqlValue l = eval(*e.args[0]);
    return sql::compare(cg_, op, l, eval(*e.args[1]));
  }

  // Three-valued AND / OR; the right side runs only when the left side does not decide the result:
  //   l = <left>; if (l decides) goto end; r = <right>; end: phi(decided value, combined)
  SqlValue logic(const Expr& e) {
    auto& b = cg_.b;
    bool is_and = e.op == ExprOp::And;
    SqlValue l = eval(*e.args[0]);
    llvm::Value* decided = is_and ? b.CreateAnd(b.CreateNot(l.is_null), b.CreateNot(l.value))  // FALSE AND ..
                                  : b.CreateAnd(b.CreateNot(l.is_null), l.value);              // TRUE OR ..
    llvm::BasicBlock* from_left = b.GetInsertBlock();
    llvm::BasicBlock* right = cg_.block(is_and ? "and.rhs" : "or.rhs");
    llvm::BasicBlock* done = cg_.block(is_and ? "and.end" : "or.end");
    b.CreateCondBr(decided, done, right);
    b.SetInsertPoint(right);
    SqlValue r = eval(*e.args[1]);
    llvm::Value* r_decides = is_and ? b.CreateAnd(b.CreateNot(r.is_null), b.CreateNot(r.value))
                                    : b.CreateAnd(b.CreateNot(r.is_null), r.value);
    SqlValue combined{TypeId::Bool, is_and ? b.CreateNot(r_decides) : r_decides, nullptr,
                      b.CreateAnd(b.CreateOr(l.is_null, r.is_null), b.CreateNot(r_decides))};
    llvm::BasicBlock* from_right = b.GetInsertBlock();
    b.CreateBr(done);
    b.SetInsertPoint(done);
    SqlValue left_result{TypeId::Bool, is_and ? cg_.false_() : cg_.true_(), nullptr, cg_.false_()};
    return sql::phi(cg_, TypeId::Bool, {{left_result, from_left}, {combined, from_right}});
  }

  // CASE WHEN c1 THEN r1 ... ELSE e END: each result is computed only on its own branch.
  // CASE: each condition in turn, the result of the first true one, else the else. With an operand
  // (kCaseOperand, kCaseNullIf) args[0] is evaluated once, first, and CaseTest reads it.
  SqlValue case_when(const Expr& e) {
    auto& b = cg_.b;
    const size_t first = e.func == plan::kCaseOperand || e.func == plan::kCaseNullIf ? 1 : 0;
    struct Operand {
      bool pushed = false;
      ~Operand() {
        if (pushed) t_case_operands.pop_back();
      }
    } operand;
    if (first) {
      t_case_operands.push_back(eval(*e.args[0]));
      operand.pushed = true;
    }
    llvm::BasicBlock* done = cg_.block("case.end");
    std::vector<std::pair<SqlValue, llvm::BasicBlock*>> results;
    size_t pairs = (e.args.size() - 1 - first) / 2;
    for (size_t i = 0; i < pairs; ++i) {
      SqlValue cond = eval(*e.args[first + 2 * i]);
      llvm::BasicBlock* then = cg_.block("case.then");
      llvm::BasicBlock* next = cg_.block("case.next");
      b.CreateCondBr(sql::is_true(cg_, cond), then, next);
      b.SetInsertPoint(then);
      SqlValue r = sql::cast(cg_, eval(*e.args[first + 2 * i + 1]), e.type);
      results.push_back({r, b.GetInsertBlock()});
      b.CreateBr(done);
      b.SetInsertPoint(next);
    }
    SqlValue otherwise = sql::cast(cg_, eval(*e.args.back()), e.type);
    results.push_back({otherwise, b.GetInsertBlock()});
    b.CreateBr(done);
    b.SetInsertPoint(done);
    return sql::phi(cg_, e.type, results);
  }

  // COALESCE: each argument in turn until one is not NULL.
  SqlValue coalesce(const Expr& e) {
    auto& b = cg_.b;
    llvm::BasicBlock* done = cg_.block("coalesce.end");
    std::vector<std::pair<SqlValue, llvm::BasicBlock*>> results;
    for (size_t i = 0; i + 1 < e.args.size(); ++i) {
      SqlValue v = sql::cast(cg_, eval(*e.args[i]), e.type);
      llvm::BasicBlock* next = cg_.block("coalesce.next");
      results.push_back({v, b.GetInsertBlock()});
      b.CreateCondBr(v.is_null, next, done);
      b.SetInsertPoint(next);
    }
    SqlValue last = sql::cast(cg_, eval(*e.args.back()), e.type);
    results.push_back({last, b.GetInsertBlock()});
    b.CreateBr(done);
    b.SetInsertPoint(done);
    return sql::phi(cg_, e.type, results);
  }

  // l IS DISTINCT FROM r: (l.null || r.null) ? l.null != r.null : !(l = r); never NULL.
  SqlValue distinct(const Expr& e) {
    auto& b = cg_.b;
    SqlValue l = eval(*e.args[0]);
    SqlValue r = eval(*e.args[1]);
    llvm::Value* unequal = b.CreateNot(sql::compare_values(cg_, CmpOp::Eq, l, r));
    llvm::Value* v =
        b.CreateSelect(b.CreateOr(l.is_null, r.is_null), b.CreateXor(l.is_null, r.is_null), unequal);
    return SqlValue{TypeId::Bool, v, nullptr, cg_.false_()};
  }

  // x IS [NOT] TRUE / FALSE / UNKNOWN: x evaluated once; never NULL.
  //   IS TRUE: !x.null && x   IS FALSE: !x.null && !x   IS UNKNOWN: x.null   (IS NOT: the negation)
  SqlValue bool_test(const Expr& e) {
    auto& b = cg_.b;
    SqlValue x = eval(*e.args[0]);
    llvm::Value* v = nullptr;
    switch (e.func) {
      case plan::kIsTrue:
      case plan::kIsNotTrue:
        v = b.CreateSelect(x.is_null, cg_.false_(), x.value);
        break;
      case plan::kIsFalse:
      case plan::kIsNotFalse:
        v = b.CreateSelect(x.is_null, cg_.false_(), b.CreateNot(x.value));
        break;
      default:
        v = x.is_null;
    }
    if (e.func == plan::kIsNotTrue || e.func == plan::kIsNotFalse || e.func == plan::kIsNotUnknown)
      v = b.CreateNot(v);
    return SqlValue{TypeId::Bool, v, nullptr, cg_.false_()};
  }

  // GREATEST / LEAST: each argument evaluated once, in order, folded into the best so far:
  //   best = (best is NULL || (v is not NULL && v > best)) ? v : best   (< for LEAST)
  SqlValue greatest_least(const Expr& e) {
    auto& b = cg_.b;
    const CmpOp better = e.op == ExprOp::Greatest ? CmpOp::Gt : CmpOp::Lt;
    SqlValue best = sql::cast(cg_, eval(*e.args[0]), e.type);
    for (size_t i = 1; i < e.args.size(); ++i) {
      SqlValue v = sql::cast(cg_, eval(*e.args[i]), e.type);
      llvm::Value* take = b.CreateOr(
          best.is_null, b.CreateAnd(b.CreateNot(v.is_null), sql::compare_values(cg_, better, v, best)));
      best = sql::select(cg_, take, v, best);
    }
    return best;
  }

  // x IN (long list): one probe of a runtime hash set built from the list's params.
  //   r = rt_in_<type>(set, x); if (r == 0) return;  result = r == FOUND, NULL if x is NULL or
  //   (r == NOT_FOUND_BUT_NULL)
  SqlValue in_set(const Expr& e) {
    auto& b = cg_.b;
    SqlValue x = eval(*e.args[0]);
    runtime::InSetSpec spec;
    spec.type = x.type;
    for (size_t i = 1; i < e.args.size(); ++i) {
      const Expr& v = *e.args[i];
      if (v.op == ExprOp::Param) {
        spec.params.push_back(v.param);
      } else if (v.op == ExprOp::Constant && v.constant.is_null()) {
        spec.has_null = true;
      } else {
        throw std::logic_error("codegen: IN set element that is not a parameter");
      }
    }
    llvm::Value* set = cg_.const_i32(layout_.add_in_set(std::move(spec)));
    llvm::Value* r;
    switch (x.type) {
      case TypeId::Float32:
      case TypeId::Float64:
        r = cg_.call("rt_in_double", {cg_.qs, set, x.value});
        break;
      case TypeId::Text:
      case TypeId::Name:
      case TypeId::Char:
      case TypeId::Bytea:
      case TypeId::Uuid:
        r = cg_.call("rt_in_text", {cg_.qs, set, x.value, sql::text_length(cg_, x)});
        break;
      default: {
        llvm::Value* v = x.type == TypeId::Int64  ? x.value
                         : x.type == TypeId::Bool ? b.CreateZExt(x.value, cg_.i64)
                                                  : b.CreateSExt(x.value, cg_.i64);
        r = cg_.call("rt_in_int", {cg_.qs, set, v});
        break;
      }
    }
    cg_.exit_if_zero(r);
    llvm::Value* found = b.CreateICmpEQ(r, cg_.const_i32(runtime::InSet::kFound));
    llvm::Value* null_in_list = b.CreateICmpEQ(r, cg_.const_i32(runtime::InSet::kNotFoundButNull));
    return SqlValue{TypeId::Bool, found, nullptr, b.CreateOr(x.is_null, null_in_list)};
  }

  const runtime::SubquerySlot& subquery_slot(const Expr& e, bool set) const {
    if (e.subquery < 0 || static_cast<size_t>(e.subquery) >= layout_.subqueries.size() ||
        layout_.subqueries[static_cast<size_t>(e.subquery)].slot < 0 ||
        layout_.subqueries[static_cast<size_t>(e.subquery)].set != set)
      throw std::logic_error("codegen: subquery " + std::to_string(e.subquery) + " has no result slot");
    return layout_.subqueries[static_cast<size_t>(e.subquery)];
  }

  // A one-row subquery's column (its pipeline ran before this one):
  //   row = rt_subq_result(slot); value = row[c]
  SqlValue subquery_value(const Expr& e) {
    llvm::Value* row = cg_.call("rt_subq_result", {cg_.qs, cg_.const_i32(subquery_slot(e, false).slot)});
    return sql::load_datum(cg_, cg_.gep(row, static_cast<uint64_t>(e.sub_column) * sizeof(Datum)), e.type);
  }

  // A correlated subquery for this row:
  //   qs->outer[slot(p)] = p ...  (the columns it reads)
  //   if (!rt_apply_subquery(qs, k)) return;   (its pipelines, from fresh state)
  //   result = args[0]                         (reads its row or set as for any subquery)
  SqlValue apply(const Expr& e) {
    const std::vector<int>& params = layout_.correlated_subquery(e.subquery).params;
    if (params.size() + 1 != e.args.size())
      throw std::logic_error("codegen: an Apply's values do not match its subquery's parameters");
    for (size_t i = 0; i < params.size(); ++i)
      sql::store_datum(cg_, eval(*e.args[i + 1]),
                       cg_.gep(outer_values(), static_cast<uint64_t>(params[i]) * sizeof(Datum)));
    cg_.exit_if_zero(cg_.call("rt_apply_subquery", {cg_.qs, cg_.const_i32(e.subquery)}));
    return eval(*e.args[0]);
  }

  llvm::Value* outer_values() {
    return cg_.load_at(cg_.ptr, cg_.qs, offsetof(runtime::QueryState, outer), "outer");
  }

  llvm::Value* outer_value(plan::ColumnId column) {
    return cg_.gep(outer_values(), static_cast<uint64_t>(layout_.outer_slot(column)) * sizeof(Datum));
  }

  // x IN (SELECT ...): one probe of the hash set the subquery's pipeline filled.
  //   r = rt_in_<type>(set, x); if (r == 0) return;
  //   result = r == FOUND, NULL if (x is NULL and r != EMPTY) or r == NOT_FOUND_BUT_NULL
  SqlValue in_subquery(const Expr& e) {
    auto& b = cg_.b;
    SqlValue x = eval(*e.args[0]);
    llvm::Value* set = cg_.const_i32(subquery_slot(e, true).slot);
    llvm::Value* r;
    switch (x.type) {
      case TypeId::Float32:
      case TypeId::Float64:
        r = cg_.call("rt_in_double", {cg_.qs, set, x.value});
        break;
      case TypeId::Text:
      case TypeId::Bytea:
      case TypeId::Uuid:
      case TypeId::Numeric: {  // a NULL's bytes are not read; numeric: the set ignores display scales
        llvm::Value* len = b.CreateSelect(x.is_null, cg_.const_i64(0), sql::text_length(cg_, x));
        r = cg_.call("rt_in_text", {cg_.qs, set, x.value, len});
        break;
      }
      default:
        r = cg_.call("rt_in_int", {cg_.qs, set, as_i64(x)});
        break;
    }
    cg_.exit_if_zero(r);
    llvm::Value* found = b.CreateICmpEQ(r, cg_.const_i32(runtime::InSet::kFound));
    llvm::Value* null_in_set = b.CreateICmpEQ(r, cg_.const_i32(runtime::InSet::kNotFoundButNull));
    llvm::Value* empty = b.CreateICmpEQ(r, cg_.const_i32(runtime::InSet::kEmpty));
    llvm::Value* is_null = b.CreateOr(b.CreateAnd(x.is_null, b.CreateNot(empty)), null_in_set);
    return SqlValue{TypeId::Bool, b.CreateAnd(found, b.CreateNot(x.is_null)), nullptr, is_null};
  }

  // An integer-like value (Bool, Int32, Int64, date/time) widened to i64, as the InSet holds it.
  llvm::Value* as_i64(const SqlValue& x) {
    auto& b = cg_.b;
    return x.type == TypeId::Bool ? b.CreateZExt(x.value, cg_.i64) : b.CreateSExt(x.value, cg_.i64);
  }

  CodeGen& cg_;
  const ColumnScope& columns_;
  runtime::QueryLayout& layout_;
};

}  // namespace

SqlValue eval(CodeGen& cg, const Expr& e, const ColumnScope& columns, runtime::QueryLayout& layout) {
  return ExpressionTranslator(cg, columns, layout).eval(e);
}

}  // namespace omendb::codegen
