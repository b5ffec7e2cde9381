// The hash set behind `x IN (long list of literals)` (plan::ExprOp::InSet): built from the statement's
// parameters at the first probe of an execution, so that the generated code is one probe call however
// long the list is. Equality as PostgreSQL's `=`: -0.0 equals 0.0 and NaN equals NaN for doubles, text
// compares bytes.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "runtime/memory.h"

namespace omendb::runtime {

struct InSetSpec {
  TypeId type = TypeId::Int64;  // Bool and Int32 are probed as Int64
  std::vector<int> params;      // the params holding the list's values
  bool has_null = false;        // the list has a NULL constant
};

class InSet {
 public:
  // What a probe answers (0 is left for "stop": an error was recorded).
  static constexpr int32_t kFound = 1, kNotFound = 2, kNotFoundButNull = 3;

  InSet(InSetSpec spec, MemoryTracker* memory) : spec_(std::move(spec)), memory_(memory) {}
  ~InSet();
  InSet(const InSet&) = delete;
  InSet& operator=(const InSet&) = delete;

  int32_t probe_int(const Datum* params, int64_t v);
  int32_t probe_double(const Datum* params, double v);
  int32_t probe_text(const Datum* params, std::string_view v);

 private:
  void build(const Datum* params);  // 53200 past the memory limit
  int32_t answer(bool found) const { return found ? kFound : has_null_ ? kNotFoundButNull : kNotFound; }
  static uint64_t double_key(double v);

  InSetSpec spec_;
  MemoryTracker* memory_;
  bool built_ = false;
  bool has_null_ = false;
  uint64_t reserved_ = 0;
  std::unordered_set<int64_t> ints_;
  std::unordered_set<uint64_t> doubles_;        // double_key of each value
  std::unordered_set<std::string_view> texts_;  // views of the params' text (alive for the execution)
};

}  // namespace omendb::runtime
