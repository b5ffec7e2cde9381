// Decoded rows as column vectors: what a storage cursor hands to compiled scan loops. The row layout
// in RocksDB today and a columnar layout for sealed data later both decode into this, so generated
// pipelines never depend on the on-disk format. Generated code reads these structs by offset.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/types.h"

namespace omendb::storage {

// One column of a batch. `data` points to `count` values of the column's C type:
//   Bool -> uint8_t (0/1), Int32 -> int32_t, Int64 -> int64_t, Float64 -> double, Text -> StrRef.
// `nulls` points to `count` bytes, 1 where the value is NULL (the data slot is then unspecified).
// Columns the scan did not ask for have data == nulls == nullptr.
struct ColumnVector {
  void* data;
  uint8_t* nulls;
};

struct ColumnBatch {
  uint64_t count;          // rows in this batch (> 0 when returned by ScanCursor::next)
  ColumnVector* columns;   // one per table column, in table order
  StrRef* keys;            // if requested: each row's storage key (table prefix + primary key, no version)
};
static_assert(offsetof(ColumnBatch, count) == 0);
static_assert(offsetof(ColumnBatch, columns) == 8);
static_assert(offsetof(ColumnBatch, keys) == 16);
static_assert(sizeof(ColumnVector) == 16);

}  // namespace omendb::storage
