// The hash set behind `x IN (long list of literals)` (plan::ExprOp::InSet): built from the statement's
// parameters at the first probe of an execution, so that the generated code is one probe call however
// long the list is. Equality as PostgreSQL's `=`: -0.0 equals 0.0 and NaN equals NaN for doubles, text
// compares bytes.
// The same set holds the rows of `x IN (SELECT ...)` (plan::ExprOp::InSubquery, spec.from_rows): the
// subquery's pipeline adds each value (add_*), text copied, before any probe.
// Numeric (only from rows) is held as text without its display scale: 1.0 = 1.00 (common/numeric.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/datum.h"
#include "common/types.h"
#include "runtime/arena.h"
#include "runtime/memory.h"

namespace omendb::runtime {

struct InSetSpec {
  TypeId type = TypeId::Int64;  // Bool and Int32 are probed as Int64
  std::vector<int> params;      // the params holding the list's values
  bool has_null = false;        // the list has a NULL constant
  bool from_rows = false;       // filled by add_* (a subquery's rows), not from params
};

class InSet {
 public:
  // What a probe answers (0 is left for "stop": an error was recorded).
  // kEmpty: the set has no element, NULL or not (only a set filled from rows can be empty).
  static constexpr int32_t kFound = 1, kNotFound = 2, kNotFoundButNull = 3, kEmpty = 4;

  InSet(InSetSpec spec, MemoryTracker* memory) : spec_(std::move(spec)), memory_(memory) {}
  ~InSet();
  InSet(const InSet&) = delete;
  InSet& operator=(const InSet&) = delete;

  int32_t probe_int(const Datum* params, int64_t v);
  int32_t probe_double(const Datum* params, double v);
  int32_t probe_text(const Datum* params, std::string_view v);

  // A set filled from rows (spec.from_rows): adds one value (text is copied). 53200 past the memory
  // limit.
  void add_null() { has_null_ = true; }
  void add_int(int64_t v);
  void add_double(double v);
  void add_text(std::string_view v);

 private:
  void build(const Datum* params);  // 53200 past the memory limit
  int32_t answer(bool found) const {
    if (found) return kFound;
    if (has_null_) return kNotFoundButNull;
    return empty() ? kEmpty : kNotFound;
  }
  bool empty() const { return !has_null_ && ints_.empty() && doubles_.empty() && texts_.empty(); }
  void reserve_element(size_t text_bytes);
  static uint64_t double_key(double v);

  InSetSpec spec_;
  MemoryTracker* memory_;
  bool built_ = false;
  bool has_null_ = false;
  uint64_t reserved_ = 0;
  std::unordered_set<int64_t> ints_;
  std::unordered_set<uint64_t> doubles_;        // double_key of each value
  std::unordered_set<std::string_view> texts_;  // views of the params' text (alive for the execution),
                                                // or of text_ (from rows)
  std::unique_ptr<Arena> text_;                 // copies of text added from rows
};

}  // namespace omendb::runtime
