#include "server/index_evaluator.h"

#include <map>
#include <mutex>
#include <string>

#include "codegen/jit.h"
#include "common/datetime_sql.h"
#include "planner/planner.h"
#include "runtime/exec_context.h"

namespace omendb::engine {

namespace {

class IndexEvaluatorImpl final : public storage::IndexEvaluator {
 public:
  explicit IndexEvaluatorImpl(codegen::Jit& jit) : jit_(jit) {}

  bool evaluate(const storage::TableDef& table, const storage::IndexDef& index, const Datum* row,
                std::vector<Value>& values) const override {
    std::shared_ptr<const Compiled> c = compiled(table, index);
    std::vector<Value> params;
    params.reserve(table.columns.size());
    for (size_t i = 0; i < table.columns.size(); ++i)
      params.push_back(dtsql::from_datum(table.columns[i].type, row[i]));
    runtime::ExecContext ctx;
    ctx.set_params(c->planned.parameters(params, dtsql::EvalContext{}));
    codegen::prepare(*c->code, ctx);
    struct Sink final : runtime::RowSink {
      Sink(const storage::IndexDef& i, std::vector<Value>& v) : index(i), values(v) {}
      bool row(const Datum* d, size_t count) override {
        values.clear();
        for (size_t i = 0; i < count && i < index.exprs.size(); ++i)
          values.push_back(dtsql::from_datum(index.exprs[i].type, d[i]));
        if (index.predicate)
          in_index =
              count > index.exprs.size() && !d[index.exprs.size()].is_null && d[index.exprs.size()].i64 != 0;
        return true;
      }
      const storage::IndexDef& index;
      std::vector<Value>& values;
      bool in_index = true;
    } sink(index, values);
    ctx.sink = &sink;
    codegen::execute(*c->code, ctx);
    ctx.raise_if_failed();
    return sink.in_index;
  }

 private:
  struct Compiled {
    planner::PlannedStatement planned;
    std::shared_ptr<const codegen::CompiledPlan> code;
  };

  // The compiled plan of `index` over `table`'s columns, keyed by what decides it (the columns' names and
  // types and the index's texts), so a changed definition (ALTER TABLE, a build's new definition) gets
  // its own.
  std::shared_ptr<const Compiled> compiled(const storage::TableDef& table,
                                           const storage::IndexDef& index) const {
    std::string key =
        "\x1f"
        "index values\x1f";
    for (const storage::ColumnDef& col : table.columns) {
      key += col.name;
      key += ':';
      key += std::to_string(static_cast<int>(col.type));
      key += ',';
    }
    for (const storage::IndexDef::Expression& x : index.exprs) key += "\x1f" + x.expr;
    if (index.predicate) key += "\x1fwhere " + index.predicate->expr;
    {
      std::lock_guard lock(mutex_);
      auto it = cache_.find(key);
      if (it != cache_.end()) return it->second;
    }
    auto c = std::make_shared<Compiled>();
    planner::PlannerContext pctx;
    c->planned = planner::plan_index_values(table, index, pctx);
    bool hit = false;
    c->code = jit_.get_or_compile(key + "\x1f" + c->planned.shape_key, c->planned.plan, &hit);
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_.emplace(key, c);
    return c;
  }

  static constexpr size_t kMaxCached = 256;
  codegen::Jit& jit_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::shared_ptr<const Compiled>> cache_;
};

}  // namespace

std::shared_ptr<const storage::IndexEvaluator> make_index_evaluator(codegen::Jit& jit) {
  return std::make_shared<IndexEvaluatorImpl>(jit);
}

}  // namespace omendb::engine
