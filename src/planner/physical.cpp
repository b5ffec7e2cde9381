// The cut into pipelines, the shape key and EXPLAIN.
#include <string>

#include "planner/planner.h"
#include "planner/planner_internal.h"

namespace omendb::planner {

namespace detail {

namespace {

using plan::Expr;
using plan::Op;
using plan::OpKind;
using plan::Pipeline;

// Returns the pipeline `op`'s rows flow in (op has been appended to it as source or operator).
Pipeline open_pipeline(const Op& op, plan::PhysicalPlan& plan) {
  switch (op.kind) {
    case OpKind::TableScan:
    case OpKind::Values: {
      Pipeline p;
      p.source = &op;
      return p;
    }
    case OpKind::Filter:
    case OpKind::Project:
    case OpKind::Limit: {
      Pipeline p = open_pipeline(*op.children.at(0), plan);
      p.operators.push_back(&op);
      return p;
    }
    case OpKind::Sort:
    case OpKind::Aggregate: {
      Pipeline p = open_pipeline(*op.children.at(0), plan);
      p.sink = &op;
      plan.pipelines.push_back(std::move(p));
      Pipeline next;
      next.source = &op;
      return next;
    }
    case OpKind::Insert:
    case OpKind::Update:
    case OpKind::Delete:
      break;
  }
  return {};
}

void assign_slots(Op& op, int& next) {
  for (auto& c : op.children) assign_slots(*c, next);
  if (op.kind == OpKind::Sort || op.kind == OpKind::Aggregate) op.state_slot = next++;
}

void put(std::string& out, const Expr* e) {
  if (!e) {
    out += '_';
    return;
  }
  out += 'e';
  out += std::to_string(static_cast<int>(e->op));
  out += ':';
  out += std::to_string(static_cast<int>(e->type));
  switch (e->op) {
    case plan::ExprOp::Param:
      out += "p" + std::to_string(e->param);
      break;
    case plan::ExprOp::Column:
      out += "c" + std::to_string(e->column);
      break;
    case plan::ExprOp::Constant:
      // Only NULLs stay constants after lifting, but be exact about anything else.
      out += e->constant.is_null()
                 ? "N"
                 : "v" + std::to_string(e->constant.to_string().size()) + ":" + e->constant.to_string();
      break;
    default:
      break;
  }
  out += '(';
  for (const auto& a : e->args) put(out, a.get());
  out += ')';
}

void put_op(std::string& out, const Op& op) {
  out += "[K" + std::to_string(static_cast<int>(op.kind));
  out += " o";
  for (const auto& c : op.output)
    out += std::to_string(c.id) + ":" + std::to_string(static_cast<int>(c.type)) + ",";
  if (op.table) {
    out += " t" + std::to_string(op.table->id) + ":" + op.table->name + " s";
    for (int c : op.scan_columns) out += std::to_string(c) + ",";
    out += " r";
    for (const auto& e : op.range.eq) put(out, e.get());
    out += "/";
    put(out, op.range.lower.get());
    out += op.range.lower_inclusive ? "i" : "x";
    put(out, op.range.upper.get());
    out += op.range.upper_inclusive ? "i" : "x";
  }
  out += " k" + std::to_string(op.key_column);
  if (op.values_matrix) out += " M" + std::to_string(op.matrix_param_base);
  out += " R" + std::to_string(op.rows.size()) + ":";
  for (const auto& row : op.rows) {
    for (const auto& e : row) put(out, e.get());
    out += ';';
  }
  out += " f";
  put(out, op.predicate.get());
  out += " x";
  for (const auto& e : op.exprs) put(out, e.get());
  out += " a";
  for (const auto& a : op.aggregates) {
    out += std::to_string(static_cast<int>(a.func)) + ":" + std::to_string(static_cast<int>(a.type));
    put(out, a.arg.get());
  }
  out += " S";
  for (const auto& k : op.sort_keys)
    out += std::to_string(k.column) + (k.descending ? "d" : "a") + (k.nulls_first ? "f" : "l") + ",";
  out += " l";
  put(out, op.limit.get());
  put(out, op.offset.get());
  out += " u";
  for (const auto& e : op.set_exprs) put(out, e.get());
  out += " #" + std::to_string(op.state_slot);
  for (const auto& c : op.children) put_op(out, *c);
  out += ']';
}

void collect_names(const Op& op, std::vector<std::string>& names) {
  for (const auto& c : op.children) collect_names(*c, names);
  for (const auto& c : op.output) {
    if (c.id < 0) continue;
    if (static_cast<size_t>(c.id) >= names.size()) names.resize(c.id + 1);
    if (names[c.id].empty()) names[c.id] = c.name;
  }
}

}  // namespace

void build_pipelines(plan::PhysicalPlan& plan) {
  plan.pipelines.clear();
  int slots = 0;
  assign_slots(*plan.root, slots);
  plan.state_slots = slots;
  const Op& root = *plan.root;
  if (root.kind == OpKind::Insert || root.kind == OpKind::Update || root.kind == OpKind::Delete) {
    Pipeline p = open_pipeline(*root.children.at(0), plan);
    p.sink = &root;
    plan.pipelines.push_back(std::move(p));
  } else {
    Pipeline p = open_pipeline(root, plan);
    p.sink = nullptr;
    plan.pipelines.push_back(std::move(p));
  }
}

std::string serialize_shape(const plan::PhysicalPlan& plan) {
  std::string out = "v1";
  for (const auto& c : plan.result_columns) out += "|" + std::to_string(c.id) + ":" + c.name;
  out += ' ';
  put_op(out, *plan.root);
  return out;
}

std::vector<std::string> column_names(const Op& root) {
  std::vector<std::string> names;
  collect_names(root, names);
  return names;
}

}  // namespace detail

namespace {

using plan::Op;
using plan::OpKind;

const char* agg_name(plan::AggFunc f) {
  switch (f) {
    case plan::AggFunc::CountStar:
    case plan::AggFunc::Count:
      return "count";
    case plan::AggFunc::Sum:
      return "sum";
    case plan::AggFunc::Min:
      return "min";
    case plan::AggFunc::Max:
      return "max";
    case plan::AggFunc::Avg:
      return "avg";
  }
  return "?";
}

std::string range_text(const Op& scan, const std::vector<std::string>& names,
                       const std::vector<Value>* params) {
  const auto& r = scan.range;
  if (r.is_full()) return "(full scan)";
  const auto& pk = scan.table->primary_key;
  auto key_name = [&](size_t i) { return scan.table->columns[pk[i]].name; };
  std::string s = "(range: ";
  bool first = true;
  auto sep = [&] {
    if (!first) s += ", ";
    first = false;
  };
  for (size_t i = 0; i < r.eq.size(); ++i) {
    sep();
    s += key_name(i) + " = " + detail::render(*r.eq[i], names, params);
  }
  if (r.lower) {
    sep();
    s += key_name(r.eq.size()) + (r.lower_inclusive ? " >= " : " > ") +
         detail::render(*r.lower, names, params);
  }
  if (r.upper) {
    sep();
    s += key_name(r.eq.size()) + (r.upper_inclusive ? " <= " : " < ") +
         detail::render(*r.upper, names, params);
  }
  return s + ")";
}

std::string describe(const Op& op, const std::vector<std::string>& names, const std::vector<Value>* params) {
  auto ex = [&](const plan::ExprPtr& e) { return detail::render(*e, names, params); };
  std::string s;
  switch (op.kind) {
    case OpKind::Values:
      if (op.values_matrix) {
        s = "Values (" + std::to_string(op.output.size()) + " columns, rows from params $" +
            std::to_string(op.matrix_param_base) + ")";
      } else {
        s = "Values (" + std::to_string(op.rows.size()) + (op.rows.size() == 1 ? " row)" : " rows)");
      }
      break;
    case OpKind::TableScan:
      s = "TableScan " + op.table->name + " " + range_text(op, names, params);
      if (op.estimated_rows > 0) s += " (~" + std::to_string(op.estimated_rows) + " rows)";
      break;
    case OpKind::Filter:
      s = "Filter (" + ex(op.predicate) + ")";
      break;
    case OpKind::Project: {
      s = "Project (";
      for (size_t i = 0; i < op.exprs.size(); ++i) {
        if (i) s += ", ";
        std::string e = ex(op.exprs[i]);
        s += e;
        if (i < op.output.size() && op.output[i].name != e) s += " AS " + op.output[i].name;
      }
      s += ")";
      break;
    }
    case OpKind::Aggregate: {
      s = "Aggregate (";
      for (size_t i = 0; i < op.aggregates.size(); ++i) {
        if (i) s += ", ";
        const auto& a = op.aggregates[i];
        s += std::string(agg_name(a.func)) + "(" + (a.arg ? ex(a.arg) : std::string("*")) + ")";
      }
      s += ")";
      break;
    }
    case OpKind::Sort: {
      s = "Sort (keys: ";
      for (size_t i = 0; i < op.sort_keys.size(); ++i) {
        const auto& k = op.sort_keys[i];
        if (i) s += ", ";
        s += k.column >= 0 && static_cast<size_t>(k.column) < names.size() ? names[k.column]
                                                                           : "#" + std::to_string(k.column);
        if (k.descending) s += " DESC";
        if (k.nulls_first != k.descending) s += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
      }
      s += ")";
      break;
    }
    case OpKind::Limit:
      s = "Limit (";
      if (op.limit) s += "limit: " + ex(op.limit);
      if (op.offset) s += std::string(op.limit ? ", " : "") + "offset: " + ex(op.offset);
      s += ")";
      break;
    case OpKind::Insert:
      s = "Insert " + op.table->name;
      break;
    case OpKind::Update: {
      s = "Update " + op.table->name + " (set: ";
      bool first = true;
      for (size_t i = 0; i < op.set_exprs.size(); ++i) {
        const auto& e = *op.set_exprs[i];
        const std::string& col = op.table->columns[i].name;
        // Skip columns that keep their old value.
        if (e.op == plan::ExprOp::Column && static_cast<size_t>(e.column) < names.size() &&
            names[e.column] == col)
          continue;
        if (!first) s += ", ";
        first = false;
        s += col + " = " + detail::render(e, names, params);
      }
      s += ")";
      break;
    }
    case OpKind::Delete:
      s = "Delete " + op.table->name;
      break;
  }
  return s;
}

void render_op(const Op& op, int depth, const std::vector<std::string>& names,
               const std::vector<Value>* params, std::vector<std::string>& out) {
  std::string line = depth == 0 ? "" : std::string(2 * depth, ' ') + "-> ";
  out.push_back(line + describe(op, names, params));
  for (const auto& c : op.children) render_op(*c, depth + 1, names, params, out);
}

}  // namespace

std::vector<std::string> explain(const plan::PhysicalPlan& plan) {
  std::vector<std::string> out;
  if (plan.root) render_op(*plan.root, 0, detail::column_names(*plan.root), nullptr, out);
  return out;
}

std::vector<std::string> explain(const plan::PhysicalPlan& plan, const std::vector<Value>& params) {
  std::vector<std::string> out;
  if (plan.root) render_op(*plan.root, 0, detail::column_names(*plan.root), &params, out);
  return out;
}

}  // namespace omendb::planner
