// Per-query memory accounting: the runtime structures a query builds (sort buffers, text arenas,
// aggregate and hash tables) reserve their bytes in the query's MemoryTracker (common/memory.h, shared
// with the storage's transaction write sets) before allocating them; past the query's limit or the
// server-wide cap the query fails with 53200 "out of memory".
#pragma once

#include "common/memory.h"

namespace omendb::runtime {

using omendb::MemoryTracker;
using omendb::reserve_counted;

}  // namespace omendb::runtime
