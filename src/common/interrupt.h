// Cancel requests and statement_timeout: whether a statement must stop now, and the error it ends with
// (57014, worded as PostgreSQL's). Every wait and loop that observes them uses these: lock waits, the
// compile wait, seals and compactions, the wait for a slow client, and rt_check_interrupts, which
// generated code calls.
#pragma once

#include <atomic>
#include <chrono>

#include "common/error.h"

namespace omendb {

enum class Interrupt { None, Cancel, Timeout };

// What stops a statement with this cancel flag (null: none) and deadline (time_point::max(): none) at
// `now`. A cancel request comes first, as in PostgreSQL.
inline Interrupt pending_interrupt(const std::atomic<bool>* cancel,
                                   std::chrono::steady_clock::time_point deadline,
                                   std::chrono::steady_clock::time_point now) {
  if (cancel && cancel->load(std::memory_order_relaxed)) return Interrupt::Cancel;
  return now >= deadline ? Interrupt::Timeout : Interrupt::None;
}

// The same, reading the clock only when there is a deadline.
inline Interrupt pending_interrupt(const std::atomic<bool>* cancel,
                                   std::chrono::steady_clock::time_point deadline) {
  if (cancel && cancel->load(std::memory_order_relaxed)) return Interrupt::Cancel;
  if (deadline == std::chrono::steady_clock::time_point::max()) return Interrupt::None;
  return pending_interrupt(nullptr, deadline, std::chrono::steady_clock::now());
}

// The error of a statement that `why` stopped.
inline SqlError interrupt_error(Interrupt why) {
  return SqlError(SqlState::QueryCanceled, why == Interrupt::Timeout
                                               ? "canceling statement due to statement timeout"
                                               : "canceling statement due to user request");
}

// Throws interrupt_error when the statement must stop.
inline void check_interrupt(const std::atomic<bool>* cancel, std::chrono::steady_clock::time_point deadline) {
  if (Interrupt why = pending_interrupt(cancel, deadline); why != Interrupt::None) throw interrupt_error(why);
}

}  // namespace omendb
