#include "runtime/recursive_union.h"

#include <algorithm>

namespace omendb::runtime {

namespace {
SortSpec row_buffer(const RecursiveUnionSpec& spec) {
  SortSpec s;  // no keys: a row buffer
  s.types = spec.types;
  return s;
}
}  // namespace

RecursiveUnion::RecursiveUnion(RecursiveUnionSpec spec, MemoryTracker* memory)
    : spec_(std::move(spec)),
      memory_(memory),
      scratch_(spec_.types.size(), Datum{}),
      working_(std::make_unique<Sorter>(row_buffer(spec_), memory)),
      next_(std::make_unique<Sorter>(row_buffer(spec_), memory)) {
  if (spec_.distinct)
    seen_ = std::make_unique<AggregationHashTable>(AggTableSpec{spec_.types, width()}, memory);
}

bool RecursiveUnion::row_done() {
  if (seen_) {
    const uint64_t before = seen_->size();
    seen_->find_or_insert(hash_keys(spec_.types, scratch_.data()), scratch_.data());
    if (seen_->size() == before) return false;
  }
  Datum* out = next_->append();
  std::copy(scratch_.begin(), scratch_.end(), out);
  next_->row_done();
  return true;
}

uint64_t RecursiveUnion::advance() {
  working_ = std::move(next_);  // frees the previous working table and its memory
  count_ = working_->finish();
  next_ = std::make_unique<Sorter>(row_buffer(spec_), memory_);
  return count_;
}

}  // namespace omendb::runtime
