#include "planner/plan.h"

#include <cctype>
#include <functional>

#include "catalog/functions.h"

#include "common/array.h"
#include "common/bytea.h"
#include "common/datetime_sql.h"
#include "common/json.h"
#include "common/math_sql.h"
#include "common/numeric.h"
#include "common/text_sql.h"
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
    case ExprOp::BitAnd:
      return "&";
    case ExprOp::BitOr:
      return "|";
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
    case ExprOp::Distinct:
      return "IS DISTINCT FROM";
    default:
      return nullptr;
  }
}

// How COALESCE, GREATEST and LEAST print, up to their first argument.
static const char* variadic_name(ExprOp op) {
  return op == ExprOp::Coalesce ? "COALESCE(" : op == ExprOp::Greatest ? "GREATEST(" : "LEAST(";
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

const char* bool_test_sql(int form) {
  switch (form) {
    case kIsTrue:
      return " IS TRUE";
    case kIsNotTrue:
      return " IS NOT TRUE";
    case kIsFalse:
      return " IS FALSE";
    case kIsNotFalse:
      return " IS NOT FALSE";
    case kIsUnknown:
      return " IS UNKNOWN";
    default:
      return " IS NOT UNKNOWN";
  }
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

bool has_case_test(const Expr& e) {
  if (e.op == ExprOp::CaseTest) return true;
  for (const auto& a : e.args)
    if (has_case_test(*a)) return true;
  return false;
}

// What a condition of a Case with an operand compares the operand with, as SQL wrote it (`v` of
// `CASE x WHEN v`, of `NULLIF(x, v)`): the right side of (CaseTest = v); null when folding changed it.
const Expr* when_value(const Expr& cond) {
  return cond.args.size() == 2 && has_case_test(*cond.args[0]) && !has_case_test(*cond.args[1])
             ? cond.args[1].get()
             : nullptr;
}

// A Case's clauses as SQL text: `print` renders an argument.
std::string case_text(const Expr& e, const std::function<std::string(const Expr&)>& print) {
  const size_t n = e.args.size();
  const bool operand = e.func == plan::kCaseOperand || e.func == plan::kCaseNullIf;
  if (e.func == plan::kCaseNullIf && n == 4 && when_value(*e.args[1]))
    return "NULLIF(" + print(*e.args[0]) + ", " + print(*when_value(*e.args[1])) + ")";
  std::string s = operand ? "CASE " + print(*e.args[0]) : "CASE";
  for (size_t i = operand ? 1 : 0; i + 1 < n; i += 2) {
    const Expr* v = operand ? when_value(*e.args[i]) : nullptr;
    s += " WHEN " + print(v ? *v : *e.args[i]) + " THEN " + print(*e.args[i + 1]);
  }
  if (n > 0) s += " ELSE " + print(*e.args[n - 1]);
  return s + " END";
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
    case ExprOp::BoolTest:
      return "(" + arg(0) + plan::bool_test_sql(e.func) + ")";
    case ExprOp::Cast:
      if (e.type == TypeId::Numeric && e.func >= 0)
        return "(" + arg(0) + ")::" + num::type_name_with_typmod(e.func);
      return "(" + arg(0) + ")::" + std::string(type_name(e.type));
    case ExprOp::Math: {
      std::string name = mathsql::signature(static_cast<mathsql::Func>(e.func)).name;
      if (name.starts_with("u")) return "(" + name.substr(1) + " " + arg(0) + ")";
      if (!std::isalpha(static_cast<unsigned char>(name[0])))
        return "(" + arg(0) + " " + name + " " + arg(1) + ")";
      std::string s = name + "(";
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
      const bool like = e.func & plan::kMatchLike, icase = e.func & plan::kMatchIcase,
                 negate = e.func & plan::kMatchNegate;
      std::string op = like ? (icase ? "~~*" : "~~") : (icase ? "~*" : "~");
      const char* quantifier = (e.func & plan::kMatchAny)   ? " ANY ("
                               : (e.func & plan::kMatchAll) ? " ALL ("
                                                            : nullptr;
      if (quantifier) return "(" + arg(0) + " " + (negate ? "!" : "") + op + quantifier + arg(1) + "))";
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
    case ExprOp::Apply:  // the subquery's result, as if it had run before (its tree says per row)
      return arg(0);
    case ExprOp::OuterColumn:
      if (e.column >= 0 && static_cast<size_t>(e.column) < column_names.size() &&
          !column_names[e.column].empty())
        return "outer." + column_names[e.column];
      return "outer.#" + std::to_string(e.column);
    case ExprOp::Grouping: {
      std::string s = "GROUPING(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Json: {
      const auto f = static_cast<json::Func>(e.func);
      const char* name = json::func_name(f);
      if (e.args.size() == 2 && !std::isalpha(static_cast<unsigned char>(name[0])))
        return "(" + arg(0) + " " + name + " " + arg(1) + ")";
      std::string s = std::string(name) + "(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Text: {
      std::string s = std::string(textsql::func_name(static_cast<textsql::Func>(e.func))) + "(";
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
      if (f == arr::Func::ElementAt) return arg(0) + "[@" + arg(1) + "]";
      if (f == arr::Func::NextElement) return "next(" + arg(0) + ", @" + arg(1) + ")";
      if (f == arr::Func::AnyAll) {
        static const char* const kOps[] = {"=", "<>", "<", "<=", ">", ">="};
        int extra = arr::code_extra(e.func);
        return "(" + arg(0) + " " + kOps[extra / 2] + (extra % 2 ? " ALL (" : " ANY (") + arg(1) + "))";
      }
      std::string s = std::string(arr::func_name(f)) + "(";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::Case:
      return case_text(e, [&](const Expr& x) { return render(x, column_names, params); });
    case ExprOp::Coalesce:
    case ExprOp::Greatest:
    case ExprOp::Least: {
      std::string s = plan::variadic_name(e.op);
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + arg(i);
      return s + ")";
    }
    case ExprOp::CaseTest:
      return "CASE_TEST_EXPR";
    default:
      break;
  }
  const char* sym = plan::binary_symbol(e.op);
  if (sym && e.args.size() == 2) return "(" + arg(0) + " " + sym + " " + arg(1) + ")";
  return "?";
}

namespace {

// What PostgreSQL's ruleutils (isSimpleNode) distinguishes when it decides on parentheses.
enum class Shape { Simple, Operator, Bool, Test, Cast };

Shape shape_of(const Expr& e) {
  switch (e.op) {
    case ExprOp::And:
    case ExprOp::Or:
    case ExprOp::Not:
      return Shape::Bool;
    case ExprOp::IsNull:
    case ExprOp::IsNotNull:
    case ExprOp::BoolTest:
      return Shape::Test;
    case ExprOp::Cast:
      return Shape::Cast;
    case ExprOp::Match:
    case ExprOp::InSet:
    case ExprOp::Neg:
      return Shape::Operator;
    default:
      return plan::binary_symbol(e.op) ? Shape::Operator : Shape::Simple;
  }
}

int arith_priority(const Expr& e) {  // 1: + -, 2: * / %, 0: another operator
  switch (e.op) {
    case ExprOp::Add:
    case ExprOp::Sub:
      return 1;
    case ExprOp::Mul:
    case ExprOp::Div:
    case ExprOp::Mod:
      return 2;
    default:
      return 0;
  }
}

// isSimpleNode: whether pretty printing may leave `node`, an argument of `parent`, without parentheses.
bool simple_under(const Expr& node, const Expr& parent, bool first) {
  const Shape parent_shape = shape_of(parent);
  switch (shape_of(node)) {
    case Shape::Simple:
    case Shape::Cast:
      return true;
    case Shape::Operator:
      if (parent_shape == Shape::Operator) {
        const int op = arith_priority(node), up = arith_priority(parent);
        if (op == 0 || up == 0) return false;
        if (op > up) return true;
        if (op < up) return false;
        return first;  // (a - b) - c needs none, a - (b - c) does
      }
      [[fallthrough]];
    case Shape::Test:
      return parent_shape == Shape::Bool || parent.op == ExprOp::Case;
    case Shape::Bool:
      if (parent_shape != Shape::Bool || parent.op == ExprOp::Not) return false;
      return node.op != ExprOp::Or || parent.op == ExprOp::Or;
  }
  return false;
}

bool negative(const Value& v) {
  const std::string s = v.to_string();
  return !s.empty() && s[0] == '-';
}

std::string ruleutils(const Expr& e, const std::vector<std::string>& names, bool pretty);

std::string ruleutils_arg(const Expr& arg, const Expr& parent, bool first,
                          const std::vector<std::string>& names, bool pretty) {
  std::string s = ruleutils(arg, names, pretty);
  return pretty && !simple_under(arg, parent, first) ? "(" + s + ")" : s;
}

// A constant as ruleutils' get_const_expr prints it: strings, negative and date/time values quoted with
// their type, other numbers bare.
std::string ruleutils_constant(const Value& v, TypeId type, bool pretty) {
  if (v.is_null()) return "NULL";
  if (type == TypeId::Bool) return v.as_bool() ? "true" : "false";
  if (is_string_type(type)) return plan::quote_text(v.as_text()) + "::" + std::string(type_name(type));
  if (is_datetime(v.type())) return typed_literal(v);
  const std::string text = v.to_string();
  // The binder folds a literal's cast into the constant; PostgreSQL keeps the literal (an integer, or a
  // numeric with a point) and its cast: (0)::numeric, (0.5)::double precision.
  const bool integer = text.find_first_of(".eE") == std::string::npos;
  auto literal = [&](const char* literal_type) {
    return negative(v) ? plan::quote_text(text) + "::" + literal_type : text;
  };
  auto cast = [&](const std::string& inner) {
    return (pretty && !negative(v) ? inner : "(" + inner + ")") + "::" + std::string(type_name(type));
  };
  if (type == TypeId::Numeric) return integer ? cast(literal("integer")) : literal("numeric");
  if (is_float(type)) return cast(literal(integer ? "integer" : "numeric"));
  return literal(std::string(type_name(type)).c_str());
}

std::string ruleutils(const Expr& e, const std::vector<std::string>& names, bool pretty) {
  auto arg = [&](size_t i) { return ruleutils_arg(*e.args[i], e, i == 0, names, pretty); };
  auto wrap = [&](const std::string& s) { return pretty ? s : "(" + s + ")"; };
  switch (e.op) {
    case ExprOp::Constant:
      return ruleutils_constant(e.constant, e.type, pretty);
    case ExprOp::Cast: {
      const Expr& x = *e.args[0];
      // An integer literal widened to bigint: PostgreSQL compares with a cross-type operator instead.
      if (x.op == ExprOp::Constant && e.type == TypeId::Int64 && x.type == TypeId::Int32)
        return ruleutils_constant(x.constant, x.type, pretty);
      std::string type = e.type == TypeId::Numeric && e.func >= 0 ? num::type_name_with_typmod(e.func)
                                                                  : std::string(type_name(e.type));
      if (x.op == ExprOp::Constant && !x.constant.is_null() && !negative(x.constant) &&
          !is_string_type(x.type))
        return (pretty ? x.constant.to_string() : "(" + x.constant.to_string() + ")") + "::" + type;
      std::string inner = ruleutils(x, names, pretty);
      if (!pretty || shape_of(x) != Shape::Simple) inner = "(" + inner + ")";
      return inner + "::" + type;
    }
    case ExprOp::And:
    case ExprOp::Or: {
      std::string s;
      for (size_t i = 0; i < e.args.size(); ++i)
        s += (i ? (e.op == ExprOp::And ? " AND " : " OR ") : "") + arg(i);
      return wrap(s);
    }
    case ExprOp::Not:
      return wrap("NOT " + arg(0));
    case ExprOp::IsNull:
      return wrap(arg(0) + " IS NULL");
    case ExprOp::IsNotNull:
      return wrap(arg(0) + " IS NOT NULL");
    case ExprOp::BoolTest:
      return wrap(arg(0) + plan::bool_test_sql(e.func));
    case ExprOp::Neg:
      if (e.args[0]->op == ExprOp::Constant && !e.args[0]->constant.is_null())  // a folded negative literal
        return plan::quote_text("-" + e.args[0]->constant.to_string()) +
               "::" + std::string(type_name(e.type));
      return wrap("- " + arg(0));
    case ExprOp::InSet: {
      std::string s = arg(0) + " = ANY (ARRAY[";
      for (size_t i = 1; i < e.args.size(); ++i)
        s += (i > 1 ? ", " : "") + ruleutils(*e.args[i], names, pretty);
      return wrap(s + "])");
    }
    case ExprOp::Match: {
      const bool like = e.func & plan::kMatchLike, icase = e.func & plan::kMatchIcase,
                 negate = e.func & plan::kMatchNegate;
      std::string op = like ? (icase ? "~~*" : "~~") : (icase ? "~*" : "~");
      const char* quantifier = (e.func & plan::kMatchAny)   ? " ANY ("
                               : (e.func & plan::kMatchAll) ? " ALL ("
                                                            : nullptr;
      if (quantifier) return wrap(arg(0) + " " + (negate ? "!" : "") + op + quantifier + arg(1) + ")");
      return wrap(arg(0) + " " + (negate ? "!" : "") + op + " " + arg(1));
    }
    case ExprOp::Case:
      return case_text(e, [&](const Expr& x) { return ruleutils(x, names, pretty); });
    case ExprOp::Coalesce:
    case ExprOp::Greatest:
    case ExprOp::Least: {
      std::string s = plan::variadic_name(e.op);
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + ruleutils(*e.args[i], names, pretty);
      return s + ")";
    }
    default:
      break;
  }
  const char* sym = plan::binary_symbol(e.op);
  if (sym && e.args.size() == 2) return wrap(arg(0) + " " + sym + " " + arg(1));
  return render(e, names, nullptr);
}

}  // namespace

std::string constraint_text(const plan::Expr& e, const std::vector<std::string>& column_names, bool pretty) {
  return ruleutils(e, column_names, pretty);
}

plan::ExprPtr clone(const plan::Expr& e) {
  auto c = std::make_unique<plan::Expr>();
  c->op = e.op;
  c->type = e.type;
  c->param = e.param;
  c->column = e.column;
  c->func = e.func;
  c->location = e.location;
  c->literal = e.literal;
  c->constant = e.constant;
  c->subquery = e.subquery;
  c->sub_column = e.sub_column;
  c->args.reserve(e.args.size());
  for (const auto& a : e.args) c->args.push_back(clone(*a));
  return c;
}

}  // namespace omendb::planner::detail
