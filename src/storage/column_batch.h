// Decoded rows as column vectors: what a storage cursor hands to compiled scan loops. The row layout
// in RocksDB today and a columnar layout for sealed data later both decode into this, so generated
// pipelines never depend on the on-disk format. Generated code reads these structs by offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/datum.h"
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
  uint64_t count;         // rows in this batch (> 0 when returned by ScanCursor::next)
  ColumnVector* columns;  // one per table column, in table order
  StrRef* keys;           // if requested: each row's storage key (table prefix + primary key, no version)
};
static_assert(offsetof(ColumnBatch, count) == 0);
static_assert(offsetof(ColumnBatch, columns) == 8);
static_assert(offsetof(ColumnBatch, keys) == 16);
static_assert(sizeof(ColumnVector) == 16);

// Row r of column vector v (of a column of `type`) as a Datum; text points into the batch.
inline Datum batch_datum(TypeId type, const ColumnVector& v, uint64_t r) {
  Datum d{};
  d.is_null = v.nulls[r];
  if (d.is_null) return d;
  switch (physical_type(type)) {
    case PhysType::Bool:
      d.i64 = static_cast<const uint8_t*>(v.data)[r];
      break;
    case PhysType::Int32:
      d.i64 = static_cast<const int32_t*>(v.data)[r];
      break;
    case PhysType::Int64:
      d.i64 = static_cast<const int64_t*>(v.data)[r];
      break;
    case PhysType::Float64:
      d.f64 = static_cast<const double*>(v.data)[r];
      break;
    case PhysType::Text:
      d.str = static_cast<const StrRef*>(v.data)[r];
      break;
    case PhysType::Interval:
      std::memcpy(&d.i64, static_cast<const char*>(v.data) + r * 16, 8);
      std::memcpy(&d.dm, static_cast<const char*>(v.data) + r * 16 + 8, 8);
      break;
  }
  return d;
}

}  // namespace omendb::storage
