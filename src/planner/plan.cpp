#include "planner/plan.h"

#include "catalog/functions.h"

#include "common/array.h"
#include "common/bytea.h"
#include "common/datetime_sql.h"
#include "common/numeric.h"
#include "planner/planner_internal.h"

namespace omendb::plan {

ExprPtr Expr::make_constant(Value v, TypeId type) {
  auto e = std::make_unique<Expr>();
  e->op = ExprOp::Constant;
  e->type = type;
  e->constant = std::move(v);
  return e;
}

ExprPtr Expr::make_param(int index, TypeId type) {
  auto e = std::make_unique<Expr>();
  e->op = ExprOp::Param;
  e->type = type;
  e->param = index;
  return e;
}

ExprPtr Expr::make_column(ColumnId id, TypeId type) {
  auto e = std::make_unique<Expr>();
  e->op = ExprOp::Column;
  e->type = type;
  e->column = id;
  return e;
}

ExprPtr Expr::make(ExprOp op, TypeId type, std::vector<ExprPtr> args) {
  auto e = std::make_unique<Expr>();
  e->op = op;
  e->type = type;
  e->args = std::move(args);
  return e;
}

static const char* binary_symbol(ExprOp op) {
  switch (op) {
    case ExprOp::Add:
      return "+";
    case ExprOp::Sub:
      return "-";
    case ExprOp::Mul:
      return "*";
    case ExprOp::Div:
      return "/";
    case ExprOp::Mod:
      return "%";
    case ExprOp::Concat:
      return "||";
    case ExprOp::Eq:
      return "=";
    case ExprOp::Ne:
      return "<>";
    case ExprOp::Lt:
      return "<";
    case ExprOp::Le:
      return "<=";
    case ExprOp::Gt:
      return ">";
    case ExprOp::Ge:
      return ">=";
    case ExprOp::And:
      return "AND";
    case ExprOp::Or:
      return "OR";
    default:
      return nullptr;
  }
}

static std::string quote_text(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string to_string(const Expr& e, const std::vector<std::string>& column_names) {
  return planner::detail::render(e, column_names, nullptr);
}

}  // namespace omendb::plan

namespace omendb::planner::detail {

using plan::Expr;
using plan::ExprOp;

namespace {
// A date/time value as PostgreSQL's EXPLAIN shows a typed literal: '2024-01-01'::date.
std::string typed_literal(const Value& v) {
  return plan::quote_text(v.to_string()) + "::" + std::string(type_name(v.type()));
}
}  // namespace

std::string render(const Expr& e, const std::vector<std::string>& column_names,
                   const std::vector<Value>* params) {
  auto arg = [&](size_t i) { return render(*e.args[i], column_names, params); };
  switch (e.op) {
    case ExprOp::Constant:
      if (e.constant.is_null()) return "NULL";
      if (is_string_type(e.type)) return plan::quote_text(e.constant.as_text());
      if (e.type == TypeId::Bool) return e.constant.as_bool() ? "true" : "false";
      if (is_datetime(e.constant.type())) return typed_literal(e.constant);
      return e.constant.to_string();
    case ExprOp::Param:
      if (params && e.param >= 0 && static_cast<size_t>(e.param) < params->size()) {
        const Value& v = (*params)[e.param];
        if (v.is_null()) return "NULL";
        if (is_string_type(v.type())) return plan::quote_text(v.as_text());
        if (v.type() == TypeId::Bool) return v.as_bool() ? "true" : "false";
        if (is_datetime(v.type())) return typed_literal(v);
        return v.to_string();
      }
      return "$" + std::to_string(e.param);
    case ExprOp::Column:
      if (e.column >= 0 && static_cast<size_t>(e.column) < column_names.size() &&
          !column_names[e.column].empty())
        return column_names[e.column];
      return "#" + std::to_string(e.column);
    case ExprOp::Neg:
      return "(-" + arg(0) + ")";
    case ExprOp::Not:
      return "(NOT " + arg(0) + ")";
    case ExprOp::IsNull:
      return "(" + arg(0) + " IS NULL)";
    case ExprOp::IsNotNull:
      return "(" + arg(0) + " IS NOT NULL)";
    case ExprOp::Cast:
      if (e.type == TypeId::Numeric && e.func >= 0)
        return "(" + arg(0) + ")::" + num::type_name_with_typmod(e.func);
      return "(" + arg(0) + ")::" + std::string(type_name(e.type));
    case ExprOp::Math: {
      static const char* const kNames[] = {"", "",      "",      "",     "",      "",
                                           "", "round", "trunc", "ceil", "floor", "sign"};
      std::string s = std::string(kNames[e.func]) + "(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Abs:
      return "abs(" + arg(0) + ")";
    case ExprOp::DateTime: {
      const dtsql::Signature& sig = dtsql::signature(static_cast<dtsql::Func>(e.func));
      std::string name = sig.name;
      if (name == "u-") return "(-" + arg(0) + ")";
      if (e.args.size() == 2 && (name == "+" || name == "-" || name == "*" || name == "/"))
        return "(" + arg(0) + " " + name + " " + arg(1) + ")";
      std::string s = name + "(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::CatalogFunc: {
      std::string s;
      for (const catalog::Signature& sig : catalog::signatures())
        if (static_cast<int>(sig.func) == e.func) s = sig.name;
      s += "(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Match: {
      const bool like = e.func & 4, icase = e.func & 2, negate = e.func & 1;
      std::string op = like ? (icase ? "~~*" : "~~") : (icase ? "~*" : "~");
      return "(" + arg(0) + " " + (negate ? "!" : "") + op + " " + arg(1) + ")";
    }
    case ExprOp::InSet: {
      std::string s = "(" + arg(0) + " IN (";
      for (size_t i = 1; i < e.args.size(); ++i) s += (i > 1 ? ", " : "") + arg(i);
      return s + "))";
    }
    case ExprOp::Subquery:
      return "$sub" + std::to_string(e.subquery) + (e.sub_column ? "." + std::to_string(e.sub_column) : "");
    case ExprOp::InSubquery:
      return "(" + arg(0) + " IN $sub" + std::to_string(e.subquery) + ")";
    case ExprOp::Grouping: {
      std::string s = "GROUPING(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Bytes: {
      std::string s = std::string(bytea::func_name(static_cast<bytea::Func>(e.func))) + "(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Array: {
      const arr::Func f = arr::code_func(e.func);
      if (f == arr::Func::Build) {
        std::string s = "ARRAY[";
        for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
        return s + "]";
      }
      if (f == arr::Func::Subscript) return arg(0) + "[" + arg(1) + "]";
      if (f == arr::Func::AnyAll) {
        static const char* const kOps[] = {"=", "<>", "<", "<=", ">", ">="};
        int extra = arr::code_extra(e.func);
        return "(" + arg(0) + " " + kOps[extra / 2] + (extra % 2 ? " ALL (" : " ANY (") + arg(1) + "))";
      }
      std::string s = std::string(arr::func_name(f)) + "(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Case: {
      std::string s = "CASE";
      size_t n = e.args.size();
      for (size_t i = 0; i + 1 < n; i += 2) s += " WHEN " + arg(i) + " THEN " + arg(i + 1);
      if (n > 0) s += " ELSE " + arg(n - 1);
      return s + " END";
    }
    default:
      break;
  }
  const char* sym = plan::binary_symbol(e.op);
  if (sym && e.args.size() == 2) return "(" + arg(0) + " " + sym + " " + arg(1) + ")";
  return "?";
}

plan::ExprPtr clone(const plan::Expr& e) {
  auto c = std::make_unique<plan::Expr>();
  c->op = e.op;
  c->type = e.type;
  c->param = e.param;
  c->column = e.column;
  c->func = e.func;
  c->location = e.location;
  c->constant = e.constant;
  c->subquery = e.subquery;
  c->sub_column = e.sub_column;
  c->args.reserve(e.args.size());
  for (const auto& a : e.args) c->args.push_back(clone(*a));
  return c;
}

}  // namespace omendb::planner::detail
