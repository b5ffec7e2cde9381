// Each operator's expressions, EXPLAIN line and plan-cache key contribution, side by side, so that a
// field is described in one place.
#include "planner/operators.h"

#include <algorithm>

#include "common/error.h"
#include "planner/planner_internal.h"

namespace omendb::plan {

// A new field in an operator class changes its size: the static_assert below each write_shape then
// fails until the field is put into the shape (or the size is updated after checking that the field
// does not decide generated code). Sizes are those of x86-64 with libstdc++, the platform OmenDB
// builds on; elsewhere the check is skipped.
#if defined(__x86_64__) && defined(__GLIBCXX__)
#define OMENDB_SHAPE_COVERS(T, size) \
  static_assert(sizeof(T) == (size), \
                #T " changed: put the new field in its write_shape, then update the size")
#else
#define OMENDB_SHAPE_COVERS(T, size) static_assert(true)
#endif
OMENDB_SHAPE_COVERS(Op, 64);

void Op::bad_cast(OpKind wanted) const {
  throw SqlError(SqlState::InternalError, "plan: operator of kind " + std::to_string(static_cast<int>(kind)) +
                                              " used as kind " + std::to_string(static_cast<int>(wanted)));
}

// ---- ShapeWriter, ExplainContext ----------------------------------------------------------------

void ShapeWriter::tag(std::string_view t) {
  out_ += '[';
  out_ += t;
}

void ShapeWriter::put(const std::vector<std::string>& names) {
  out_ += " {";
  for (const std::string& n : names) {
    out_ += std::to_string(n.size());
    out_ += ':';
    out_ += n;
  }
  out_ += '}';
}

void ShapeWriter::put(int64_t v) {
  out_ += ' ';
  out_ += std::to_string(v);
}

void ShapeWriter::put(bool v) {
  out_ += v ? " T" : " F";
}

void ShapeWriter::put(TypeId t) {
  out_ += " t";
  out_ += std::to_string(static_cast<int>(t));
}

void ShapeWriter::put(const Expr* e) {
  if (!e) {
    out_ += " _";
    return;
  }
  out_ += " e";
  out_ += std::to_string(static_cast<int>(e->op));
  out_ += ':';
  out_ += std::to_string(static_cast<int>(e->type));
  switch (e->op) {
    case ExprOp::Param:
      out_ += "p" + std::to_string(e->param);
      break;
    case ExprOp::Column:
      out_ += "c" + std::to_string(e->column);
      break;
    case ExprOp::OuterColumn:
      out_ += "o" + std::to_string(e->column);
      break;
    case ExprOp::Apply:
      out_ += "s" + std::to_string(e->subquery);
      break;
    case ExprOp::DateTime:
    case ExprOp::CatalogFunc:
    case ExprOp::Match:
    case ExprOp::Math:
    case ExprOp::Cast:
    case ExprOp::Array:
    case ExprOp::Bytes:
    case ExprOp::Text:
    case ExprOp::Json:
    case ExprOp::Case:
      out_ += "f" + std::to_string(e->func);
      break;
    case ExprOp::Subquery:
      out_ += "s" + std::to_string(e->subquery) + "." + std::to_string(e->sub_column);
      break;
    case ExprOp::InSubquery:
      out_ += "s" + std::to_string(e->subquery);
      break;
    case ExprOp::Constant: {
      // Only NULLs stay constants after lifting, but be exact about anything else.
      std::string text = e->constant.is_null() ? std::string() : e->constant.to_string();
      out_ += e->constant.is_null() ? "N" : "v" + std::to_string(text.size()) + ":" + text;
      break;
    }
    default:
      break;
  }
  out_ += '(';
  for (const auto& a : e->args) put(a.get());
  out_ += ')';
}

void ShapeWriter::put(const std::vector<ExprPtr>& exprs) {
  put(static_cast<int64_t>(exprs.size()));
  for (const auto& e : exprs) put(e.get());
}

void ShapeWriter::put(const std::vector<OutputColumn>& columns) {
  out_ += " o";
  for (const auto& c : columns)
    out_ += std::to_string(c.id) + ":" + std::to_string(static_cast<int>(c.type)) + ",";
}

void ShapeWriter::put(const std::vector<int>& ints) {
  out_ += " i";
  for (int v : ints) out_ += std::to_string(v) + ",";
}

void ShapeWriter::put(const storage::TableDefPtr& table) {
  // The catalog version is part of the cache key too; the id and name make the key self-describing.
  out_ += table ? " T" + std::to_string(table->id) + ":" + table->name : std::string(" T-");
}

void ShapeWriter::put(const KeyRange& r) {
  out_ += " r";
  put(r.eq);
  put(r.lower.get());
  put(r.lower_inclusive);
  put(r.upper.get());
  put(r.upper_inclusive);
}

void ShapeWriter::put(const std::vector<ZoneBound>& zone) {
  out_ += " z";
  for (const ZoneBound& z : zone) {
    put(static_cast<int64_t>(z.column));
    put(z.lower);
    put(z.upper);
    put(z.slack);
    put(z.bound.get());
  }
}

std::string ExplainContext::expr(const Expr& e) const {
  return planner::detail::render(e, names, params);
}

std::string ExplainContext::column(ColumnId id) const {
  return id >= 0 && static_cast<size_t>(id) < names.size() ? names[static_cast<size_t>(id)]
                                                           : "#" + std::to_string(id);
}

// ---- TableScan --------------------------------------------------------------------------------------

void TableScanOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& e : range.eq) f(e);
  if (range.lower) f(range.lower);
  if (range.upper) f(range.upper);
  for (auto& z : zone) f(z.bound);
}

std::string TableScanOp::explain(const ExplainContext& c) const {
  std::string s = "TableScan " + table->name + " ";
  if (range.is_full()) {
    s += "(full scan)";
  } else {
    const auto& pk = table->primary_key;
    auto key_name = [&](size_t i) { return table->columns[static_cast<size_t>(pk[i])].name; };
    std::vector<std::string> parts;
    for (size_t i = 0; i < range.eq.size(); ++i) parts.push_back(key_name(i) + " = " + c.expr(*range.eq[i]));
    if (range.lower)
      parts.push_back(key_name(range.eq.size()) + (range.lower_inclusive ? " >= " : " > ") +
                      c.expr(*range.lower));
    if (range.upper)
      parts.push_back(key_name(range.eq.size()) + (range.upper_inclusive ? " <= " : " < ") +
                      c.expr(*range.upper));
    s += "(range: ";
    for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
    s += ")";
  }
  if (estimated_rows > 0) s += " (~" + std::to_string(estimated_rows) + " rows)";
  if (sealed_blocks > 0) {
    s += " (sealed: " + std::to_string(sealed_blocks) + (sealed_blocks == 1 ? " block" : " blocks");
    if (!zone.empty()) {
      s += ", zone maps: ";
      for (size_t i = 0; i < zone.size(); ++i) {
        const ZoneBound& z = zone[i];
        const std::string& name = table->columns[static_cast<size_t>(z.column)].name;
        s += (i ? ", " : "") + name +
             (z.lower && z.upper ? " = "
              : z.lower          ? " >= "
                                 : " <= ") +
             c.expr(*z.bound) + (z.slack ? " (widened by a day)" : "");
      }
    }
    s += ")";
  }
  return s;
}

void TableScanOp::write_shape(ShapeWriter& w) const {
  w.tag("scan");
  w.put(output);
  w.put(table);
  w.put(scan_columns);
  w.put(range);
  w.put(static_cast<int64_t>(key_column));
  w.put(zone);
  w.put(unordered);
  // sealed_blocks only shows in EXPLAIN.
  // estimated_rows decides the compile tier, which the JIT adds to the cache key itself.
}
OMENDB_SHAPE_COVERS(TableScanOp, 216);

// ---- IndexScan --------------------------------------------------------------------------------------

void IndexScanOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& e : range.eq) f(e);
  if (range.lower) f(range.lower);
  if (range.upper) f(range.upper);
}

std::string IndexScanOp::explain(const ExplainContext& c) const {
  std::string s = "IndexScan " + table->name + " using " + index.name + " ";
  auto name = [&](size_t i) {
    const int col = index_column(i);
    return col < 0 ? storage::index_column_text(index.exprs[index.expr_of(i)].pretty)
                   : table->columns[static_cast<size_t>(col)].name;
  };
  std::vector<std::string> parts;
  for (size_t i = 0; i < range.eq.size(); ++i) parts.push_back(name(i) + " = " + c.expr(*range.eq[i]));
  if (range.lower)
    parts.push_back(name(range.eq.size()) + (range.lower_inclusive ? " >= " : " > ") + c.expr(*range.lower));
  if (range.upper)
    parts.push_back(name(range.eq.size()) + (range.upper_inclusive ? " <= " : " < ") + c.expr(*range.upper));
  s += "(range: ";
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
  s += ")";
  if (estimated_rows > 0) s += " (~" + std::to_string(estimated_rows) + " rows)";
  return s;
}

void IndexScanOp::write_shape(ShapeWriter& w) const {
  w.tag("iscan");
  w.put(output);
  w.put(table);
  w.put(static_cast<int64_t>(index.id));
  w.put(scan_columns);
  w.put(range);
  w.put(static_cast<int64_t>(key_column));
  // index's other fields (its expressions, predicate and comments too) follow from its id and the catalog
  // version (part of the cache key); estimated_rows decides the compile tier, which the JIT adds to the cache
  // key itself.
}
OMENDB_SHAPE_COVERS(IndexScanOp, 448);

// ---- Values -----------------------------------------------------------------------------------------

void ValuesOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& row : rows)
    for (auto& e : row) f(e);
}

std::string ValuesOp::explain(const ExplainContext&) const {
  if (values_matrix)
    return "Values (" + std::to_string(output.size()) + " columns, rows from params $" +
           std::to_string(matrix_param_base) + ")";
  return "Values (" + std::to_string(rows.size()) + (rows.size() == 1 ? " row)" : " rows)");
}

void ValuesOp::write_shape(ShapeWriter& w) const {
  w.tag("values");
  w.put(output);
  w.put(values_matrix);
  w.put(static_cast<int64_t>(matrix_param_base));
  w.put(static_cast<int64_t>(rows.size()));
  for (const auto& row : rows) w.put(row);
}
OMENDB_SHAPE_COVERS(ValuesOp, 96);

// ---- Filter -----------------------------------------------------------------------------------------

void FilterOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  f(predicate);
}

std::string FilterOp::explain(const ExplainContext& c) const {
  return "Filter (" + c.expr(*predicate) + ")";
}

void FilterOp::write_shape(ShapeWriter& w) const {
  w.tag("filter");
  w.put(output);
  w.put(predicate);
}
OMENDB_SHAPE_COVERS(FilterOp, 72);

// ---- Project ----------------------------------------------------------------------------------------

void ProjectOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& e : exprs) f(e);
}

std::string ProjectOp::explain(const ExplainContext& c) const {
  std::string s = "Project (";
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i) s += ", ";
    std::string e = c.expr(*exprs[i]);
    s += e;
    if (i < output.size() && output[i].name != e) s += " AS " + output[i].name;
  }
  return s + ")";
}

void ProjectOp::write_shape(ShapeWriter& w) const {
  w.tag("project");
  w.put(output);
  w.put(exprs);
}
OMENDB_SHAPE_COVERS(ProjectOp, 88);

// ---- Aggregate --------------------------------------------------------------------------------------

namespace {
const char* agg_name(AggFunc f) {
  switch (f) {
    case AggFunc::CountStar:
    case AggFunc::Count:
      return "count";
    case AggFunc::Sum:
      return "sum";
    case AggFunc::Min:
      return "min";
    case AggFunc::Max:
      return "max";
    case AggFunc::Avg:
      return "avg";
    case AggFunc::ArrayAgg:
      return "array_agg";
    case AggFunc::StringAgg:
      return "string_agg";
    case AggFunc::VarSamp:
      return "var_samp";
    case AggFunc::VarPop:
      return "var_pop";
    case AggFunc::StddevSamp:
      return "stddev_samp";
    case AggFunc::StddevPop:
      return "stddev_pop";
    case AggFunc::BoolAnd:
      return "bool_and";
    case AggFunc::BoolOr:
      return "bool_or";
    case AggFunc::BitAnd:
      return "bit_and";
    case AggFunc::BitOr:
      return "bit_or";
    case AggFunc::PercentileCont:
      return "percentile_cont";
    case AggFunc::PercentileDisc:
      return "percentile_disc";
    case AggFunc::Mode:
      return "mode";
  }
  return "?";
}

// Every expression of an aggregate call.
void for_each_call_expr(AggregateCall& a, const std::function<void(ExprPtr&)>& f) {
  if (a.arg) f(a.arg);
  if (a.arg2) f(a.arg2);
  if (a.fraction) f(a.fraction);
  for (auto& k : a.order_by) f(k.expr);
  if (a.filter) f(a.filter);
}
}  // namespace

void AggregateOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& a : aggregates) for_each_call_expr(a, f);
}

namespace {
std::string explain_aggregates(const std::vector<AggregateCall>& aggregates, const ExplainContext& c) {
  std::string s;
  for (size_t i = 0; i < aggregates.size(); ++i) {
    if (i) s += ", ";
    const auto& a = aggregates[i];
    s += std::string(agg_name(a.func)) + "(" + (a.distinct ? "DISTINCT " : "") +
         (a.fraction ? c.expr(*a.fraction) + ", " : std::string()) +
         (a.arg ? c.expr(*a.arg) : std::string("*"));
    if (a.arg2) s += ", " + c.expr(*a.arg2);
    for (size_t k = 0; k < a.order_by.size(); ++k) {
      s += k ? ", " : " ORDER BY ";
      s += c.expr(*a.order_by[k].expr);
      if (a.order_by[k].descending) s += " DESC";
      if (a.order_by[k].nulls_first != a.order_by[k].descending)
        s += a.order_by[k].nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    s += ")";
    if (a.filter) s += " FILTER (WHERE " + c.expr(*a.filter) + ")";
  }
  return s;
}

void put_aggregates(ShapeWriter& w, const std::vector<AggregateCall>& aggregates) {
  w.put(static_cast<int64_t>(aggregates.size()));
  for (const auto& a : aggregates) {
    w.put(static_cast<int64_t>(a.func));
    w.put(a.type);
    w.put(static_cast<int64_t>(a.distinct));
    w.put(a.arg);
    w.put(a.arg2);
    w.put(a.fraction);
    w.put(static_cast<int64_t>(a.order_by.size()));
    for (const auto& k : a.order_by) {
      w.put(k.expr);
      w.put(static_cast<int64_t>(k.descending));
      w.put(static_cast<int64_t>(k.nulls_first));
    }
    w.put(a.filter);
  }
}
OMENDB_SHAPE_COVERS(AggregateCall, 72);
OMENDB_SHAPE_COVERS(AggOrderKey, 16);
}  // namespace

std::string AggregateOp::explain(const ExplainContext& c) const {
  return "Aggregate (" + explain_aggregates(aggregates, c) + ")";
}

void AggregateOp::write_shape(ShapeWriter& w) const {
  w.tag("aggregate");
  w.put(output);
  put_aggregates(w, aggregates);
}
OMENDB_SHAPE_COVERS(AggregateOp, 88);

// ---- HashAggregate ----------------------------------------------------------------------------------

void HashAggregateOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& k : group_keys) f(k);
  for (auto& a : aggregates) for_each_call_expr(a, f);
}

bool HashAggregateOp::set_has_key(size_t s, int k) const {
  if (grouping_sets.empty()) return true;
  const auto& set = grouping_sets[s];
  return std::find(set.begin(), set.end(), k) != set.end();
}

int32_t HashAggregateOp::grouping_value(size_t c, size_t s) const {
  int32_t v = 0;
  for (int k : grouping_calls[c]) v = (v << 1) | (set_has_key(s, k) ? 0 : 1);
  return v;
}

std::string HashAggregateOp::explain(const ExplainContext& c) const {
  std::string s = "HashAggregate (group by: ";
  for (size_t i = 0; i < group_keys.size(); ++i) s += (i ? ", " : "") + c.expr(*group_keys[i]);
  if (!grouping_sets.empty()) {
    s += "; grouping sets: ";
    for (size_t i = 0; i < grouping_sets.size(); ++i) {
      s += i ? ", (" : "(";
      for (size_t j = 0; j < grouping_sets[i].size(); ++j)
        s += (j ? ", " : "") + c.expr(*group_keys[static_cast<size_t>(grouping_sets[i][j])]);
      s += ")";
    }
  }
  if (!aggregates.empty()) s += "; " + explain_aggregates(aggregates, c);
  return s + ")";
}

void HashAggregateOp::write_shape(ShapeWriter& w) const {
  w.tag("hashaggregate");
  w.put(output);
  w.put(group_keys);
  put_aggregates(w, aggregates);
  w.put(static_cast<int64_t>(grouping_sets.size()));
  for (const auto& set : grouping_sets) w.put(set);
  w.put(static_cast<int64_t>(grouping_calls.size()));
  for (const auto& call : grouping_calls) w.put(call);
}
OMENDB_SHAPE_COVERS(HashAggregateOp, 160);

// ---- Sort -------------------------------------------------------------------------------------------

std::string SortOp::explain(const ExplainContext& c) const {
  std::string s = "Sort (keys: ";
  for (size_t i = 0; i < sort_keys.size(); ++i) {
    const auto& k = sort_keys[i];
    if (i) s += ", ";
    s += c.column(k.column);
    if (k.descending) s += " DESC";
    if (k.nulls_first != k.descending) s += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  if (limit) s += "; top-N: " + c.expr(*limit) + (offset ? " + " + c.expr(*offset) : "");
  return s + ")";
}

void SortOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  if (limit) f(limit);
  if (offset) f(offset);
}

void SortOp::write_shape(ShapeWriter& w) const {
  w.tag("sort");
  w.put(output);
  for (const auto& k : sort_keys) {
    w.put(static_cast<int64_t>(k.column));
    w.put(k.descending);
    w.put(k.nulls_first);
  }
  w.put(limit);
  w.put(offset);
}
OMENDB_SHAPE_COVERS(SortOp, 104);

// ---- Limit ------------------------------------------------------------------------------------------

void LimitOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  if (limit) f(limit);
  if (offset) f(offset);
}

std::string LimitOp::explain(const ExplainContext& c) const {
  std::string s = "Limit (";
  if (limit) s += "limit: " + c.expr(*limit);
  if (offset) s += std::string(limit ? ", " : "") + "offset: " + c.expr(*offset);
  return s + ")";
}

void LimitOp::write_shape(ShapeWriter& w) const {
  w.tag("limit");
  w.put(output);
  w.put(limit);
  w.put(offset);
}
OMENDB_SHAPE_COVERS(LimitOp, 80);

std::string LockRowsOp::explain(const ExplainContext&) const {
  static const char* const strengths[] = {"Key Share", "Share", "No Key Update", "Update"};
  static const char* const waits[] = {"", ", nowait", ", skip locked"};
  return std::string("LockRows (for ") + strengths[strength & 3] + " of " + table->name + waits[wait % 3] +
         ")";
}

void LockRowsOp::write_shape(ShapeWriter& w) const {
  w.tag("lockrows");
  w.put(output);
  w.put(table);
  w.put(static_cast<int64_t>(key_column));
  w.put(static_cast<int64_t>(strength));
  w.put(static_cast<int64_t>(wait));
}
OMENDB_SHAPE_COVERS(LockRowsOp, 96);

// ---- Insert / Update / Delete -----------------------------------------------------------------------

std::string InsertOp::explain(const ExplainContext&) const {
  return "Insert " + table->name;
}

void InsertOp::write_shape(ShapeWriter& w) const {
  w.tag("insert");
  w.put(table);
  w.put(static_cast<int64_t>(returning));
  w.put(counted);
  w.put(output);
  checks.write_shape(w);
}
OMENDB_SHAPE_COVERS(InsertOp, 160);

void UpdateOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& e : set_exprs) f(e);
  checks.for_each_expr(f);
}

std::string UpdateOp::explain(const ExplainContext& c) const {
  std::string s = "Update " + table->name + " (set: ";
  bool first = true;
  for (size_t i = 0; i < set_exprs.size(); ++i) {
    const auto& e = *set_exprs[i];
    const std::string& col = table->columns[i].name;
    // Skip columns that keep their old value.
    if (e.op == ExprOp::Column && c.column(e.column) == col) continue;
    if (!first) s += ", ";
    first = false;
    s += col + " = " + c.expr(e);
  }
  return s + ")";
}

void UpdateOp::write_shape(ShapeWriter& w) const {
  w.tag("update");
  w.put(table);
  w.put(static_cast<int64_t>(key_column));
  w.put(static_cast<int64_t>(returning));
  w.put(once);
  w.put(counted);
  w.put(output);
  w.put(set_exprs);
  checks.write_shape(w);
}
OMENDB_SHAPE_COVERS(UpdateOp, 184);

std::string DeleteOp::explain(const ExplainContext&) const {
  return "Delete " + table->name;
}

void DeleteOp::write_shape(ShapeWriter& w) const {
  w.tag("delete");
  w.put(table);
  w.put(static_cast<int64_t>(key_column));
  w.put(static_cast<int64_t>(returning));
  w.put(once);
  w.put(counted);
}
OMENDB_SHAPE_COVERS(DeleteOp, 88);

std::string SubqueryOp::explain(const ExplainContext& c) const {
  std::string line =
      "Subquery $sub" + std::to_string(index) + (mode == Mode::Row ? " (one row" : " (hash set");
  if (correlated) {
    line += ", run per outer row";
    for (size_t i = 0; i < params.size(); ++i) line += (i ? ", " : ": ") + c.column(params[i]);
  }
  return line + ")";
}

void SubqueryOp::write_shape(ShapeWriter& w) const {
  w.tag("subquery");
  w.put(static_cast<int64_t>(index));
  w.put(mode == Mode::Set);
  w.put(correlated);
  w.put(static_cast<int64_t>(params.size()));
  for (ColumnId id : params) w.put(static_cast<int64_t>(id));
}
OMENDB_SHAPE_COVERS(SubqueryOp, 104);

// ---- Joins ------------------------------------------------------------------------------------------

std::string JoinOp::join_type_name() const {
  if (semi) return "semi";
  if (anti) return "anti";
  if (probe_outer && build_outer) return "full";
  if (probe_outer) return "outer";
  if (build_outer) return "build outer";
  return "inner";
}

void JoinOp::put_join(ShapeWriter& w) const {
  w.put(output);
  w.put(probe_outer);
  w.put(build_outer);
  w.put(semi);
  w.put(anti);
  w.put(single);
  w.put(residual);
}

void HashJoinOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& k : build_keys) f(k);
  for (auto& k : probe_keys) f(k);
  if (residual) f(residual);
}

std::string HashJoinOp::explain(const ExplainContext& c) const {
  std::string s = "HashJoin " + join_type_name() + " (keys: ";
  for (size_t i = 0; i < build_keys.size(); ++i)
    s += (i ? ", " : "") + c.expr(*probe_keys[i]) + " = " + c.expr(*build_keys[i]);
  if (residual) s += "; filter: " + c.expr(*residual);
  return s + "; build: first input)";
}

void HashJoinOp::write_shape(ShapeWriter& w) const {
  w.tag("hashjoin");
  put_join(w);
  w.put(build_keys);
  w.put(probe_keys);
}
OMENDB_SHAPE_COVERS(HashJoinOp, 128);

void NestedLoopJoinOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  if (residual) f(residual);
}

std::string NestedLoopJoinOp::explain(const ExplainContext& c) const {
  std::string s = "NestedLoopJoin " + join_type_name() + " (";
  s += residual ? "filter: " + c.expr(*residual) : std::string("no condition");
  return s + "; materialized: first input)";
}

void NestedLoopJoinOp::write_shape(ShapeWriter& w) const {
  w.tag("nestedloopjoin");
  put_join(w);
}
OMENDB_SHAPE_COVERS(NestedLoopJoinOp, 80);

// ---- FunctionScan ----------------------------------------------------------------------------------

void FunctionScanOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& x : init) f(x);
  if (check) f(check);
  f(cond);
  if (last) f(last);
  for (auto& x : next)
    if (x) f(x);
  for (auto& x : values) f(x);
  if (residual) f(residual);
}

std::string FunctionScanOp::explain(const ExplainContext& c) const {
  std::string s = "FunctionScan " + function + " (";
  for (size_t i = 0; i < init.size(); ++i) s += (i ? ", " : "") + c.expr(*init[i]);
  s += ")";
  if (outer) s += " (outer" + (residual ? "; filter: " + c.expr(*residual) : std::string()) + ")";
  if (!outer && residual) s += " (filter: " + c.expr(*residual) + ")";
  return s;
}

void FunctionScanOp::write_shape(ShapeWriter& w) const {
  w.tag("function");
  w.tag(function + "]");
  w.put(output);
  w.put(state);
  w.put(init);
  w.put(check);
  w.put(cond);
  w.put(last);
  w.put(static_cast<int64_t>(next.size()));
  for (const auto& x : next) w.put(x);
  w.put(values);
  w.put(residual);
  w.put(outer);
}
OMENDB_SHAPE_COVERS(FunctionScanOp, 232);

// ---- UnionAll, Repeat ---------------------------------------------------------------------------------

std::string UnionAllOp::explain(const ExplainContext&) const {
  return "UnionAll (" + std::to_string(children.size()) + " inputs)";
}

void UnionAllOp::write_shape(ShapeWriter& w) const {
  w.tag("unionall");
  w.put(output);
  for (const auto& child : children) w.put(child->output);  // which columns each input's rows carry
}
OMENDB_SHAPE_COVERS(UnionAllOp, 64);

// ---- RecursiveUnion, WorkTableScan ------------------------------------------------------------------

std::string RecursiveUnionOp::explain(const ExplainContext&) const {
  return "RecursiveUnion " + name + (distinct ? " (union)" : " (union all)");
}

void RecursiveUnionOp::write_shape(ShapeWriter& w) const {
  w.tag("recursive");
  w.tag(name + "]");
  w.put(output);
  for (const auto& child : children) w.put(child->output);
  w.put(static_cast<int64_t>(index));
  w.put(distinct);
}
OMENDB_SHAPE_COVERS(RecursiveUnionOp, 104);

std::string WorkTableScanOp::explain(const ExplainContext&) const {
  return "WorkTableScan " + name;
}

void WorkTableScanOp::write_shape(ShapeWriter& w) const {
  w.tag("worktable");
  w.tag(name + "]");
  w.put(output);
  w.put(static_cast<int64_t>(index));
}
OMENDB_SHAPE_COVERS(WorkTableScanOp, 104);

// ---- Cte, CteScan ----------------------------------------------------------------------------------

std::string CteOp::explain(const ExplainContext&) const {
  return "CTE " + name;
}

void CteOp::write_shape(ShapeWriter& w) const {
  w.tag("cte");
  w.tag(name + "]");
  for (const auto& child : children) w.put(child->output);
  w.put(static_cast<int64_t>(index));
}
OMENDB_SHAPE_COVERS(CteOp, 104);

std::string CteScanOp::explain(const ExplainContext&) const {
  return "CTE Scan on " + name + (alias.empty() || alias == name ? "" : " " + alias);
}

void CteScanOp::write_shape(ShapeWriter& w) const {
  w.tag("ctescan");
  w.tag(name + "]");
  w.put(output);
  w.put(static_cast<int64_t>(index));
}
OMENDB_SHAPE_COVERS(CteScanOp, 136);

void RepeatOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  f(count);
}

std::string RepeatOp::explain(const ExplainContext& c) const {
  return "Repeat (times: " + c.expr(*count) + ")";
}

void RepeatOp::write_shape(ShapeWriter& w) const {
  w.tag("repeat");
  w.put(output);
  w.put(count);
}
OMENDB_SHAPE_COVERS(RepeatOp, 72);

// ---- INSERT ... ON CONFLICT --------------------------------------------------------------------------

void UpsertOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& e : set_exprs) f(e);
  if (where) f(where);
  checks.for_each_expr(f);
}

std::string UpsertOp::explain(const ExplainContext& c) const {
  std::string s = "Insert " + table->name + " (on conflict";
  std::vector<std::string> arbiters;
  if (arbiter >= 0 && static_cast<size_t>(arbiter) < table->indexes.size()) {
    arbiters.push_back(table->indexes[static_cast<size_t>(arbiter)].name);
  } else {
    if (!table->primary_key.empty()) arbiters.push_back(table->primary_key_name());
    if (arbiter == -2)
      for (const auto& index : table->indexes)
        if (index.unique) arbiters.push_back(index.name);
  }
  for (size_t i = 0; i < arbiters.size(); ++i) s += (i ? ", " : " on ") + arbiters[i];
  if (!do_update) return s + " do nothing)";
  // The existing row's columns read as the table's, the proposed row's as excluded's.
  std::vector<std::string> names = c.names;
  auto name = [&](ColumnId id, std::string n) {
    if (id < 0) return;
    if (names.size() <= static_cast<size_t>(id)) names.resize(static_cast<size_t>(id) + 1);
    names[static_cast<size_t>(id)] = std::move(n);
  };
  for (const auto& col : existing) name(col.id, table->name + "." + col.name);
  for (const auto& col : children.at(0)->output) name(col.id, "excluded." + col.name);
  ExplainContext mine{names, c.params};
  s += " do update set: ";
  bool first = true;
  for (size_t i = 0; i < set_exprs.size(); ++i) {
    const Expr& e = *set_exprs[i];
    if (e.op == ExprOp::Column && i < existing.size() && e.column == existing[i].id) continue;
    if (!first) s += ", ";
    first = false;
    s += table->columns[i].name + " = " + mine.expr(e);
  }
  if (where) s += "; where: " + mine.expr(*where);
  return s + ")";
}

bool UpsertOp::changes_key() const {
  if (!do_update) return false;
  for (int k : table->primary_key) {
    const size_t i = static_cast<size_t>(k);
    if (i >= set_exprs.size() || i >= existing.size()) return true;
    const Expr& e = *set_exprs[i];
    if (!(e.op == ExprOp::Column && e.column == existing[i].id)) return true;
  }
  return false;
}

void UpsertOp::write_shape(ShapeWriter& w) const {
  w.tag("upsert");
  w.put(table);
  w.put(do_update);
  w.put(counted);
  w.put(existing);
  w.put(set_exprs);
  w.put(where);
  w.put(static_cast<int64_t>(arbiter));
  checks.write_shape(w);
}
OMENDB_SHAPE_COVERS(UpsertOp, 224);

}  // namespace omendb::plan

namespace omendb::plan {

// ---- Window -----------------------------------------------------------------------------------------

const char* window_func_name(WindowFunction f) {
  switch (f) {
    case WindowFunction::RowNumber:
      return "row_number";
    case WindowFunction::Rank:
      return "rank";
    case WindowFunction::DenseRank:
      return "dense_rank";
    case WindowFunction::PercentRank:
      return "percent_rank";
    case WindowFunction::CumeDist:
      return "cume_dist";
    case WindowFunction::Ntile:
      return "ntile";
    case WindowFunction::Lag:
      return "lag";
    case WindowFunction::Lead:
      return "lead";
    case WindowFunction::FirstValue:
      return "first_value";
    case WindowFunction::LastValue:
      return "last_value";
    case WindowFunction::NthValue:
      return "nth_value";
    case WindowFunction::CountStar:
    case WindowFunction::Count:
      return "count";
    case WindowFunction::Sum:
      return "sum";
    case WindowFunction::Avg:
      return "avg";
    case WindowFunction::Min:
      return "min";
    case WindowFunction::Max:
      return "max";
  }
  return "?";
}

namespace {
// Whether the function reads its frame (the others read the whole partition).
bool uses_frame(WindowFunction f) {
  return f >= WindowFunction::FirstValue;
}

// `bound`: a RANGE offset bound's column (the value it reaches per row), else -1.
std::string explain_bound(FrameBound b, const ExprPtr& offset, ColumnId bound, const ExplainContext& c) {
  const std::string what = bound >= 0 ? "to " + c.column(bound) : offset ? c.expr(*offset) : "";
  switch (b) {
    case FrameBound::UnboundedPreceding:
      return "UNBOUNDED PRECEDING";
    case FrameBound::OffsetPreceding:
      return what + " PRECEDING";
    case FrameBound::CurrentRow:
      return "CURRENT ROW";
    case FrameBound::OffsetFollowing:
      return what + " FOLLOWING";
    case FrameBound::UnboundedFollowing:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}
}  // namespace

void WindowOp::for_each_expr(const std::function<void(ExprPtr&)>& f) {
  for (auto& call : functions) {
    if (call.frame.start_offset) f(call.frame.start_offset);
    if (call.frame.end_offset) f(call.frame.end_offset);
  }
}

std::string WindowOp::explain(const ExplainContext& c) const {
  std::string s = "Window (";
  if (!partition_keys.empty()) {
    s += "partition by: ";
    for (size_t i = 0; i < partition_keys.size(); ++i) s += (i ? ", " : "") + c.column(partition_keys[i]);
    s += "; ";
  }
  if (!order_keys.empty()) {
    s += "order by: ";
    for (size_t i = 0; i < order_keys.size(); ++i) {
      const auto& k = order_keys[i];
      s += (i ? ", " : "") + c.column(k.column);
      if (k.descending) s += " DESC";
      if (k.nulls_first != k.descending) s += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    s += "; ";
  }
  for (size_t i = 0; i < functions.size(); ++i) {
    const WindowCall& f = functions[i];
    s += (i ? ", " : "") + std::string(window_func_name(f.func)) + "(";
    if (f.func == WindowFunction::CountStar) s += "*";
    for (size_t a = 0; a < f.args.size(); ++a) s += (a ? ", " : "") + c.column(f.args[a]);
    s += ")";
    const WindowFrame& fr = f.frame;
    const bool default_frame = !fr.rows && !fr.groups && fr.start == FrameBound::UnboundedPreceding &&
                               fr.end == FrameBound::CurrentRow && fr.exclude == FrameExclusion::NoOthers;
    if (uses_frame(f.func) && !default_frame) {
      s += std::string(fr.rows     ? " ROWS"
                       : fr.groups ? " GROUPS"
                                   : " RANGE") +
           " BETWEEN " + explain_bound(fr.start, fr.start_offset, fr.start_bound, c) + " AND " +
           explain_bound(fr.end, fr.end_offset, fr.end_bound, c);
      s += fr.exclude == FrameExclusion::CurrentRow ? " EXCLUDE CURRENT ROW"
           : fr.exclude == FrameExclusion::Group    ? " EXCLUDE GROUP"
           : fr.exclude == FrameExclusion::Ties     ? " EXCLUDE TIES"
                                                    : "";
    }
  }
  return s + ")";
}

void WindowOp::write_shape(ShapeWriter& w) const {
  w.tag("window");
  w.put(output);
  w.put(partition_keys);
  for (const auto& k : order_keys) {
    w.put(static_cast<int64_t>(k.column));
    w.put(k.descending);
    w.put(k.nulls_first);
  }
  w.put(static_cast<int64_t>(functions.size()));
  for (const WindowCall& f : functions) {
    w.put(static_cast<int64_t>(f.func));
    w.put(f.args);
    w.put(f.type);
    w.put(f.frame.rows);
    w.put(f.frame.groups);
    w.put(static_cast<int64_t>(f.frame.exclude));
    w.put(static_cast<int64_t>(f.frame.start));
    w.put(static_cast<int64_t>(f.frame.end));
    w.put(f.frame.start_offset);
    w.put(f.frame.end_offset);
    w.put(static_cast<int64_t>(f.frame.range_key));
    w.put(static_cast<int64_t>(f.frame.start_bound));
    w.put(static_cast<int64_t>(f.frame.end_bound));
  }
}
OMENDB_SHAPE_COVERS(WindowOp, 136);

}  // namespace omendb::plan
