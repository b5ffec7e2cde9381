// The one wrapper every runtime function is called through from generated code (codegen registers
// Guard<&rt_x>::call, never rt_x itself, for every entry of OMENDB_RUNTIME_FUNCTIONS). Generated
// frames are nounwind: an exception crossing them would terminate the server. The wrapper catches
// everything, records it in the query (SqlError as is, bad_alloc as 53200, anything else as XX000) and
// returns the "stop" value: 0 / nullptr / nothing, after which generated code leaves (it checks the
// result or QueryState::status).
#pragma once

#include <new>
#include <type_traits>

#include "common/error.h"
#include "runtime/exec_context.h"
#include "runtime/query_state.h"

namespace omendb::runtime {

// Records the exception being handled in qs's context. Call only from a catch block.
void record_current_exception(QueryState* qs) noexcept;

template <auto F>
struct Guard;

// Every runtime function takes the QueryState first: that is where a failure is recorded.
template <typename R, typename... A, R (*F)(QueryState*, A...)>
struct Guard<F> {
  static R call(QueryState* qs, A... args) noexcept {
    try {
      return F(qs, args...);
    } catch (...) {
      record_current_exception(qs);
    }
    if constexpr (!std::is_void_v<R>) return R{};
  }
};

}  // namespace omendb::runtime
