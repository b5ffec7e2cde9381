// One SQL value as generated code hands it to the runtime and storage (output rows, inserted rows).
// Generated code writes these fields by offset, so the layout is fixed and checked.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/types.h"

namespace omendb {

struct Datum {
  union {
    int64_t i64;  // Bool (0/1), Int32 (sign-extended), Int64
    double f64;   // Float64
  };
  StrRef str;       // Text
  uint8_t is_null;  // 1 = NULL
};
static_assert(sizeof(Datum) == 32);
static_assert(offsetof(Datum, i64) == 0 && offsetof(Datum, f64) == 0);
static_assert(offsetof(Datum, str) == 8 && offsetof(Datum, is_null) == 24);

}  // namespace omendb
