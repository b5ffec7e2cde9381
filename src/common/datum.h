// One SQL value as generated code hands it to the runtime and storage (output rows, inserted rows).
// Generated code writes these fields by offset, so the layout is fixed and checked.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/types.h"

namespace omendb {

// An Interval's days and months; with Datum::i64 (its microseconds) the Datum holds dt::Interval's
// layout {int64 time, int32 day, int32 month} at offset 0.
struct DayMonth {
  int32_t day;
  int32_t month;
};

struct Datum {
  union {
    int64_t i64;  // Bool (0/1), Int32 and Date (sign-extended), Int64, Time, Timestamp(Tz), Interval's time
    double f64;   // Float64
  };
  union {
    StrRef str;   // Text
    DayMonth dm;  // Interval's days and months
  };
  uint8_t is_null;  // 1 = NULL
};
static_assert(sizeof(Datum) == 32);
static_assert(offsetof(Datum, i64) == 0 && offsetof(Datum, f64) == 0);
static_assert(offsetof(Datum, str) == 8 && offsetof(Datum, is_null) == 24);
static_assert(offsetof(Datum, dm) == 8 && sizeof(DayMonth) == 8);

}  // namespace omendb
