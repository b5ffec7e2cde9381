// Per-execution runtime state behind QueryState::ctx: scan cursors, sort buffers, aggregate states,
// the statement's writer, the text arena and the first error. Built by codegen::prepare from a plan,
// used by the runtime functions that generated code calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/datum.h"
#include "common/error.h"
#include "common/value.h"
#include "runtime/query_state.h"
#include "storage/store.h"

namespace omendb::runtime {

// Receives result rows. Returns false to stop the query (the client is gone).
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual bool row(const Datum* values, size_t count) = 0;
};

// Bump allocator for text produced while a query runs (casts, concatenation, copies).
class Arena {
 public:
  char* allocate(size_t bytes);
  StrRef copy(const char* data, size_t len);
  void reset();  // keeps the first block

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> sizes_;
  size_t block_ = 0, used_ = 0;
};

struct ScanSlot {
  storage::ScanSpec spec;
  std::unique_ptr<storage::ScanCursor> cursor;
  std::string lower, upper;  // encoded bounds being built by generated code
};

struct SortKeySpec {
  int column = 0;
  TypeId type = TypeId::Int64;
  bool descending = false;
  bool nulls_first = false;
};

struct SortSlot {
  std::vector<TypeId> types;  // one per column of a row
  std::vector<SortKeySpec> keys;
  std::vector<Datum> rows;  // row-major, types.size() per row
  Arena text;               // owns the text of stored rows
  bool sorted = false;
};

struct AggSlot {
  std::vector<Datum> state;  // 2 per aggregate: [value, count]
  Arena text;                // owns min/max text values
};

class ExecContext {
 public:
  ExecContext() { qs.ctx = this; }
  ExecContext(const ExecContext&) = delete;
  ExecContext& operator=(const ExecContext&) = delete;

  QueryState qs{};
  std::vector<Datum> params;
  std::vector<std::string> param_text;  // owns the text behind params
  std::vector<Datum> out;
  std::vector<Datum> row;
  std::vector<ScanSlot> scans;
  std::vector<SortSlot> sorts;
  std::vector<AggSlot> aggs;
  std::vector<storage::TableDefPtr> targets;  // DML target tables by slot
  const storage::ReadView* view = nullptr;
  storage::StatementWriter* writer = nullptr;
  RowSink* sink = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  uint64_t rows_affected = 0;
  Arena arena;
  std::optional<SqlError> error;

  // Records the first error and makes generated code stop (QueryState::status).
  void fail(SqlError e);
  // Throws the recorded error, if any.
  void raise_if_failed();
  // Sets the params (and their text storage) from owned values.
  void set_params(const std::vector<Value>& values);
  bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

}  // namespace omendb::runtime
