// Rule-based optimizer: PostgreSQL's folding of strict operators over a NULL constant, primary-key range
// selection, secondary index selection and sort elision.
#include <algorithm>

#include "catalog/functions.h"
#include "common/bytea.h"
#include "common/math_sql.h"
#include "common/text_sql.h"
#include "planner/planner_internal.h"

namespace omendb::planner::detail {

namespace {

using plan::Expr;
using plan::ExprOp;
using plan::ExprPtr;
using plan::Op;

void conjuncts(const Expr& e, std::vector<const Expr*>& out) {
  if (e.op == ExprOp::And) {
    for (const auto& a : e.args) conjuncts(*a, out);
  } else {
    out.push_back(&e);
  }
}

bool compatible(TypeId column, TypeId bound) {
  if (is_integer(column)) return is_integer(bound);
  return column == bound;
}

ExprOp flip(ExprOp op) {
  switch (op) {
    case ExprOp::Lt:
      return ExprOp::Gt;
    case ExprOp::Le:
      return ExprOp::Ge;
    case ExprOp::Gt:
      return ExprOp::Lt;
    case ExprOp::Ge:
      return ExprOp::Le;
    default:
      return op;
  }
}

struct Candidate {
  int key_pos;
  ExprOp op;
  const Expr* bound;
};

// Table column of a bare column reference (a widening integer cast, int2 -> int4 -> int8, counts as
// bare: the key encoding of every integer type is the same), or -1.
int scanned_column(const Expr& e, const plan::TableScanOp& scan) {
  const Expr* x = &e;
  if (x->op == ExprOp::Cast && is_integer(x->type) && x->args.size() == 1 && is_integer(x->args[0]->type) &&
      integer_min(x->args[0]->type) >= integer_min(x->type) && x->args[0]->op == ExprOp::Column)
    x = x->args[0].get();
  if (x->op != ExprOp::Column) return -1;
  for (size_t i = 0; i < scan.output.size(); ++i)
    if (scan.output[i].id == x->column) return scan.scan_columns[i];
  return -1;
}

// Column types whose blocks keep zone maps a pushed-down bound can be compared with (storage/columnar
// block.h): integers, double, text, bytea, uuid, numeric, dates, times and timestamps.
bool zone_type(TypeId t) {
  return is_integer(t) || is_float(t) || t == TypeId::Text || is_binary_type(t) || t == TypeId::Numeric ||
         is_date_or_timestamp(t) || t == TypeId::Time;
}

// Widening of a zone bound on a timestamp column compared as timestamptz (`ts > now()`: PostgreSQL casts
// the column, in the session's zone): the cast moves a value by its zone's UTC offset, less than a day
// (PostgreSQL allows up to 15:59:59), so the bound taken as a timestamp and widened by a day is safe
// whatever the zone, its DST rules and gaps.
constexpr int64_t kZoneSlackDay = int64_t{86400} * 1000000;

// Zone-map predicates: every conjunct `column op bound` (op one of = < <= > >=, either side) on a scanned
// column of a zone_type with a row-independent bound of a matching type (and a timestamp column cast to
// timestamptz, with a day of slack).
void choose_zone(const std::vector<const Expr*>& cs, plan::TableScanOp& scan) {
  scan.zone.clear();
  for (const Expr* c : cs) {
    if (c->op != ExprOp::Eq && c->op != ExprOp::Lt && c->op != ExprOp::Le && c->op != ExprOp::Gt &&
        c->op != ExprOp::Ge)
      continue;
    for (int side = 0; side < 2; ++side) {
      const Expr* k = c->args[side].get();
      const Expr& b = *c->args[1 - side];
      int64_t slack = 0;
      if (k->op == ExprOp::Cast && k->type == TypeId::TimestampTz && k->args.size() == 1 &&
          k->args[0]->type == TypeId::Timestamp) {
        k = k->args[0].get();
        slack = kZoneSlackDay;
      }
      int col = scanned_column(*k, scan);
      if (col < 0 || !row_independent(b)) continue;
      TypeId col_type = scan.table->columns[static_cast<size_t>(col)].type;
      if (!zone_type(col_type)) continue;
      if (!(slack ? b.type == TypeId::TimestampTz : compatible(col_type, b.type))) continue;
      ExprOp op = side == 0 ? c->op : flip(c->op);
      plan::ZoneBound z;
      z.column = col;
      z.lower = op == ExprOp::Eq || op == ExprOp::Gt || op == ExprOp::Ge;
      z.upper = op == ExprOp::Eq || op == ExprOp::Lt || op == ExprOp::Le;
      z.slack = slack;
      z.bound = clone(b);
      scan.zone.push_back(std::move(z));
      break;
    }
  }
}

bool matches(const Expr& q, const Expr& x, const plan::TableScanOp& scan, const IndexParams& params) {
  return matches_index_expr(q, x, params, [&](plan::ColumnId id) {
    for (size_t i = 0; i < scan.output.size(); ++i)
      if (scan.output[i].id == id) return scan.scan_columns[i];
    return -1;
  });
}

using Params = IndexParams;

// The key range that the conjuncts `cs` give over a key of table columns `key_columns` (the primary key
// or an index's columns; -1 for an index expression, `key_exprs`[i]): equalities on a prefix of its
// positions, then a lower and / or upper bound on the next one. `points` says how far it narrows: two
// per equality, one for a range.
plan::KeyRange key_range(const std::vector<const Expr*>& cs, const plan::TableScanOp& scan,
                         const std::vector<int>& key_columns, int& points,
                         const std::vector<const Expr*>* key_exprs = nullptr, const Params& params = {}) {
  std::vector<Candidate> cands;
  for (const Expr* c : cs) {
    if (c->op != ExprOp::Eq && c->op != ExprOp::Lt && c->op != ExprOp::Le && c->op != ExprOp::Gt &&
        c->op != ExprOp::Ge)
      continue;
    for (int side = 0; side < 2; ++side) {
      const Expr& k = *c->args[side];
      const Expr& b = *c->args[1 - side];
      if (!row_independent(b)) continue;
      int pos = -1;
      const int col = scanned_column(k, scan);
      if (col >= 0) {
        if (!compatible(scan.table->columns[static_cast<size_t>(col)].type, b.type)) continue;
        // The first position of the column in the key (a column listed twice is bound at its first).
        auto at = std::find(key_columns.begin(), key_columns.end(), col);
        if (at != key_columns.end()) pos = static_cast<int>(at - key_columns.begin());
      } else if (key_exprs) {
        for (size_t i = 0; i < key_exprs->size() && pos < 0; ++i) {
          const Expr* x = (*key_exprs)[i];
          if (x && matches(k, *x, scan, params) && compatible(x->type, b.type)) pos = static_cast<int>(i);
        }
      }
      if (pos < 0) continue;
      cands.push_back({pos, side == 0 ? c->op : flip(c->op), &b});
      break;
    }
  }
  plan::KeyRange range;
  points = 0;
  int pos = 0;
  const int n = static_cast<int>(key_columns.size());
  for (; pos < n; ++pos) {
    auto it = std::find_if(cands.begin(), cands.end(),
                           [&](const Candidate& c) { return c.key_pos == pos && c.op == ExprOp::Eq; });
    if (it == cands.end()) break;
    range.eq.push_back(clone(*it->bound));
    points += 2;
  }
  if (pos < n) {
    for (const auto& c : cands) {
      if (c.key_pos != pos) continue;
      if ((c.op == ExprOp::Gt || c.op == ExprOp::Ge) && !range.lower) {
        range.lower = clone(*c.bound);
        range.lower_inclusive = c.op == ExprOp::Ge;
      } else if ((c.op == ExprOp::Lt || c.op == ExprOp::Le) && !range.upper) {
        range.upper = clone(*c.bound);
        range.upper_inclusive = c.op == ExprOp::Le;
      }
    }
    if (range.lower || range.upper) ++points;
  }
  return range;
}

void choose_range(const Expr& predicate, plan::TableScanOp& scan) {
  if (!scan.table) return;
  std::vector<const Expr*> cs;
  conjuncts(predicate, cs);
  choose_zone(cs, scan);
  if (scan.table->primary_key.empty()) return;
  int points = 0;
  scan.range = key_range(cs, scan, scan.table->primary_key, points);
}

// A secondary index for a scan whose primary-key range is the whole table (the primary key is preferred
// whenever it narrows the scan): the index whose columns the WHERE conjuncts fix furthest, as equalities
// on a prefix of its columns (two points each) then a range on the next one (one point). Null when no
// index has a usable first column. Rule-based: no costs, as the primary-key choice.
//
// An expression index's expression column is bound by a conjunct whose side is that expression
// (`lower(email) = $1`). A partial index is a candidate only when every conjunct of its predicate is one
// of the WHERE clause's conjuncts (PostgreSQL's predicate_implied_by in its simplest form): a query that
// does not imply the predicate never reads it.
std::unique_ptr<plan::IndexScanOp> choose_index(const Expr& predicate, plan::TableScanOp& scan,
                                                const Params& params) {
  if (!scan.table || scan.table->indexes.empty() || !scan.range.is_full()) return nullptr;
  std::vector<const Expr*> cs;
  conjuncts(predicate, cs);
  const storage::IndexDef* best = nullptr;
  plan::KeyRange best_range;
  int best_points = 0;
  for (const storage::IndexDef& index : scan.table->indexes) {
    std::vector<int> cols;
    for (int32_t a : index.attnums) cols.push_back(scan.table->column_of_attnum(a));
    int points = 0;
    IndexShape shape;
    std::vector<const Expr*> key_exprs;
    if (index.computed()) {
      shape = bind_index_shape(*scan.table, index);
      if (shape.predicate) {
        std::vector<const Expr*> required;
        conjuncts(*shape.predicate, required);
        bool implied = true;
        for (const Expr* r : required)
          implied = implied && std::any_of(cs.begin(), cs.end(),
                                           [&](const Expr* c) { return matches(*c, *r, scan, params); });
        if (!implied) continue;
      }
      for (size_t i = 0; i < index.attnums.size(); ++i)
        key_exprs.push_back(index.attnums[i] == 0 ? shape.exprs[index.expr_of(i)].get() : nullptr);
    }
    plan::KeyRange range = key_range(cs, scan, cols, points, index.computed() ? &key_exprs : nullptr, params);
    if (points > best_points) {
      best_points = points;
      best = &index;
      best_range = std::move(range);
    }
  }
  if (!best) return nullptr;
  auto out = std::make_unique<plan::IndexScanOp>();
  out->output = scan.output;
  out->table = scan.table;
  out->index = *best;
  out->scan_columns = scan.scan_columns;
  out->range = std::move(best_range);
  out->key_column = scan.key_column;
  out->estimated_rows = scan.estimated_rows;
  return out;
}

// True when rows coming out of `project` are already ordered by `keys`: the keys name bare primary-key
// columns of a scan below (through Filters only), ascending, in key order. Storage scans in key order
// (key columns are NOT NULL, so NULLS FIRST/LAST does not matter). Keys after the complete primary key
// are redundant since the key is unique.
bool ordered_by_key(const plan::ProjectOp& project, const std::vector<plan::SortKey>& keys) {
  const Op* below = project.children.empty() ? nullptr : project.children[0].get();
  while (below && below->is<plan::FilterOp>()) below = below->children[0].get();
  if (!below || !below->is<plan::TableScanOp>()) return false;
  const auto& scan = below->as<plan::TableScanOp>();
  if (!scan.table || scan.table->primary_key.empty()) return false;
  const auto& pk = scan.table->primary_key;
  for (size_t i = 0; i < keys.size() && i < pk.size(); ++i) {
    if (keys[i].descending) return false;
    const Expr* e = nullptr;
    for (size_t j = 0; j < project.output.size(); ++j)
      if (project.output[j].id == keys[i].column) e = project.exprs[j].get();
    if (!e || e->op != ExprOp::Column) return false;
    int table_col = -1;
    for (size_t j = 0; j < scan.output.size(); ++j)
      if (scan.output[j].id == e->column) table_col = scan.scan_columns[j];
    if (table_col != pk[i]) return false;
  }
  return true;
}

// Operators that return NULL whenever an input is NULL (PostgreSQL's strict functions and operators).
bool is_strict(ExprOp op) {
  switch (op) {
    case ExprOp::Neg:
    case ExprOp::Not:
    case ExprOp::Add:
    case ExprOp::Sub:
    case ExprOp::Mul:
    case ExprOp::Div:
    case ExprOp::Mod:
    case ExprOp::BitAnd:
    case ExprOp::BitOr:
    case ExprOp::Concat:
    case ExprOp::Eq:
    case ExprOp::Ne:
    case ExprOp::Lt:
    case ExprOp::Le:
    case ExprOp::Gt:
    case ExprOp::Ge:
    case ExprOp::Cast:
    case ExprOp::Abs:
    case ExprOp::Match:
    case ExprOp::Bytes:
    case ExprOp::Math:
      return true;
    default:
      return false;
  }
}

bool is_null_constant(const Expr& e) {
  return e.op == ExprOp::Constant && e.constant.is_null();
}

// True when `e` holds a computation without columns (such as `1/0`): PostgreSQL evaluates those while
// planning, so their errors must survive folding.
bool has_constant_computation(const Expr& e) {
  if (e.args.empty()) return false;
  if (row_independent(e)) return true;
  for (const auto& a : e.args)
    if (has_constant_computation(*a)) return true;
  return false;
}

void fold_null(ExprPtr& e) {
  if (!e) return;
  for (auto& a : e->args) fold_null(a);
  // InSet is strict in its probe only (a NULL element of the list is a three-valued "maybe").
  // x LIKE ANY / ALL (patterns) is not strict in x: against an empty array it is false / true.
  const bool quantified_match =
      e->op == ExprOp::Match && (e->func & (plan::kMatchAny | plan::kMatchAll)) != 0;
  const bool strict = (is_strict(e->op) && !quantified_match) ||
                      (e->op == ExprOp::Text && textsql::is_strict(static_cast<textsql::Func>(e->func)));
  size_t strict_args = e->op == ExprOp::InSet ? 1 : strict ? e->args.size() : 0;
  bool null_input = false;
  for (size_t i = 0; i < strict_args; ++i) null_input |= is_null_constant(*e->args[i]);
  if (!null_input) return;
  for (const auto& a : e->args)
    if (has_constant_computation(*a)) return;  // evaluated at run time: raises as PostgreSQL would
  e = Expr::make_constant(Value::null(e->type), e->type);
}

}  // namespace

bool matches_index_expr(const plan::Expr& q, const plan::Expr& x, const IndexParams& params,
                        const std::function<int(plan::ColumnId)>& column_of) {
  if (q.op == ExprOp::Param && x.op == ExprOp::Constant) {
    consult_literal(q);
    const auto p = static_cast<size_t>(q.param);
    return q.param >= 0 && p >= params.client && params.values && p < params.values->size() &&
           q.type == x.type && !x.constant.is_null() && (*params.values)[p] == x.constant;
  }
  if (q.op != x.op || q.type != x.type || q.args.size() != x.args.size()) return false;
  switch (q.op) {
    case ExprOp::Constant:
      consult_literal(q);
      if (!(q.constant == x.constant)) return false;
      break;
    case ExprOp::Column: {
      const int col = column_of(q.column);
      return col >= 0 && col == x.column;
    }
    case ExprOp::Param:
    case ExprOp::OuterColumn:
    case ExprOp::Subquery:
    case ExprOp::InSubquery:
    case ExprOp::Apply:
      return false;
    default:
      if (q.func != x.func) return false;
      break;
  }
  for (size_t i = 0; i < q.args.size(); ++i)
    if (!matches_index_expr(*q.args[i], *x.args[i], params, column_of)) return false;
  return true;
}

bool volatile_function(const plan::Expr& e) {
  // nextval() / setval(): a value per evaluation, never one for many rows
  if (e.op == plan::ExprOp::CatalogFunc && catalog::is_volatile(static_cast<catalog::Func>(e.func)))
    return true;
  if (e.op == plan::ExprOp::Bytes && bytea::is_volatile(static_cast<bytea::Func>(e.func)))
    return true;  // gen_random_uuid()
  return e.op == plan::ExprOp::Math && mathsql::is_volatile(static_cast<mathsql::Func>(e.func));
}

bool calls_volatile(const plan::Expr& e) {
  if (volatile_function(e)) return true;
  for (const auto& a : e.args)
    if (calls_volatile(*a)) return true;
  return false;
}

bool row_independent(const plan::Expr& e) {
  if (e.op == plan::ExprOp::Column || volatile_function(e)) return false;
  for (const auto& a : e.args)
    if (!row_independent(*a)) return false;
  return true;
}

void fold_null_inputs(Op& op) {
  for (auto& c : op.children) fold_null_inputs(*c);
  op.for_each_expr([](ExprPtr& x) { fold_null(x); });
}

void elide_sorts(plan::OpPtr& op) {
  for (auto& c : op->children) elide_sorts(c);
  if (op->is<plan::SortOp>() && op->children.size() == 1 && op->children[0]->is<plan::ProjectOp>() &&
      ordered_by_key(op->children[0]->as<plan::ProjectOp>(), op->as<plan::SortOp>().sort_keys)) {
    plan::OpPtr child = std::move(op->children[0]);
    op = std::move(child);
  }
}

namespace {

// Whether an aggregate's result depends on the order its input rows come in (beyond float rounding, which
// PostgreSQL leaves to the plan too): array_agg, string_agg and the ordered-set aggregates do.
bool order_insensitive(const plan::AggregateCall& a) {
  switch (a.func) {
    case plan::AggFunc::ArrayAgg:
    case plan::AggFunc::StringAgg:
    case plan::AggFunc::PercentileCont:
    case plan::AggFunc::PercentileDisc:
    case plan::AggFunc::Mode:
      return false;
    default:
      return a.order_by.empty();
  }
}

bool order_insensitive(const std::vector<plan::AggregateCall>& aggregates) {
  for (const plan::AggregateCall& a : aggregates)
    if (!order_insensitive(a)) return false;
  return true;
}

}  // namespace

void mark_unordered_scans(Op& op, bool order_free) {
  if (op.is<plan::TableScanOp>()) {
    op.as<plan::TableScanOp>().unordered = order_free;
    return;
  }
  // Only what passes rows through unchanged keeps its consumer's freedom; an aggregate whose results do
  // not depend on input order and a hash join's build side (a hash table) give it. Anything else (a
  // window, a sort, a limit, a union, the query's output) keeps its input in key order.
  bool child_free = false;
  if (op.is<plan::FilterOp>() || op.is<plan::ProjectOp>()) child_free = order_free;
  if (op.is<plan::HashAggregateOp>())
    child_free = order_insensitive(op.as<plan::HashAggregateOp>().aggregates);
  if (op.is<plan::AggregateOp>()) child_free = order_insensitive(op.as<plan::AggregateOp>().aggregates);
  for (size_t i = 0; i < op.children.size(); ++i) {
    bool child_order_free = child_free;
    if (op.is<plan::HashJoinOp>()) child_order_free = i == 0 || order_free;  // children[0]: the build side
    mark_unordered_scans(*op.children[i], child_order_free);
  }
}

void limit_sorts(Op& op) {
  for (auto& c : op.children) limit_sorts(*c);
  if (!op.is<plan::LimitOp>() || !op.as<plan::LimitOp>().limit || op.children.empty()) return;
  Op* below = op.children[0].get();
  if (below->is<plan::ProjectOp>() && !below->children.empty()) below = below->children[0].get();
  if (!below->is<plan::SortOp>()) return;
  const auto& limit = op.as<plan::LimitOp>();
  auto& sort = below->as<plan::SortOp>();
  sort.limit = clone(*limit.limit);
  if (limit.offset) sort.offset = clone(*limit.offset);
}

void check_key_types(const Op& op) {
  for (const auto& c : op.children) check_key_types(*c);
  auto refuse = [](TypeId t, const char* what) {
    if (t == TypeId::Json)
      throw SqlError(SqlState::UndefinedFunction,
                     std::string("could not identify ") + what + " operator for type json");
  };
  auto column_type = [&](plan::ColumnId id) {
    for (const auto& c : op.children)
      for (const auto& o : c->output)
        if (o.id == id) return o.type;
    return TypeId::Unknown;
  };
  if (op.is<plan::HashAggregateOp>())
    for (const auto& k : op.as<plan::HashAggregateOp>().group_keys) refuse(k->type, "an equality");
  if (op.is<plan::SortOp>())
    for (const auto& k : op.as<plan::SortOp>().sort_keys) refuse(column_type(k.column), "an ordering");
  if (op.is<plan::WindowOp>()) {
    for (plan::ColumnId k : op.as<plan::WindowOp>().partition_keys) refuse(column_type(k), "an equality");
    for (const auto& k : op.as<plan::WindowOp>().order_keys) refuse(column_type(k.column), "an ordering");
  }
  if (op.is<plan::HashJoinOp>())
    for (const auto& k : op.as<plan::HashJoinOp>().build_keys) refuse(k->type, "an equality");
}

void choose_key_ranges(Op& op, const std::vector<Value>& params, size_t client_params) {
  for (auto& c : op.children) choose_key_ranges(*c, params, client_params);
  if (op.is<plan::FilterOp>() && op.as<plan::FilterOp>().predicate && !op.children.empty() &&
      op.children[0]->is<plan::TableScanOp>()) {
    const Expr& predicate = *op.as<plan::FilterOp>().predicate;
    choose_range(predicate, op.children[0]->as<plan::TableScanOp>());
    if (auto index =
            choose_index(predicate, op.children[0]->as<plan::TableScanOp>(), {&params, client_params}))
      op.children[0] = std::move(index);
  }
}

}  // namespace omendb::planner::detail
