// Cancel requests and statement_timeout: whether a statement must stop now, and the error it ends with
// (57014, worded as PostgreSQL's). Every wait and loop that observes them uses these: lock waits, the
// compile wait, seals and compactions, the wait for a slow client, rt_check_interrupts, which generated
// code calls per batch and row, and poll_interrupt(), which loops inside the computation of one value
// call (a regular expression over a long text, repeat() ...), as PostgreSQL's CHECK_FOR_INTERRUPTS.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

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

// The interrupts of the statement whose compiled code runs on this thread, installed for the run by
// codegen::execute (InterruptScope) and read through, so that a cursor's FETCH that sets a new deadline
// is seen; none outside a run.
struct ThreadInterrupts {
  const std::atomic<bool>* const* cancel = nullptr;
  const std::chrono::steady_clock::time_point* deadline = nullptr;
  uint32_t polls = 0;
};
inline thread_local ThreadInterrupts t_interrupts;

class InterruptScope {
 public:
  // `cancel` and `deadline` must outlive the scope.
  InterruptScope(const std::atomic<bool>* const& cancel,
                 const std::chrono::steady_clock::time_point& deadline)
      : saved_(t_interrupts) {
    t_interrupts = ThreadInterrupts{&cancel, &deadline, 0};
  }
  ~InterruptScope() { t_interrupts = saved_; }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  ThreadInterrupts saved_;
};

// Throws interrupt_error when the statement running on this thread must stop. For loops inside one
// value's computation: call it once per step of bounded work (a match, a megabyte); the cancel flag is
// read every call, the clock every 64th.
inline void poll_interrupt() {
  ThreadInterrupts& t = t_interrupts;
  if (!t.cancel) return;
  if (*t.cancel && (*t.cancel)->load(std::memory_order_relaxed)) throw interrupt_error(Interrupt::Cancel);
  if (*t.deadline != std::chrono::steady_clock::time_point::max() && (t.polls++ & 63) == 0 &&
      std::chrono::steady_clock::now() >= *t.deadline)
    throw interrupt_error(Interrupt::Timeout);
}

}  // namespace omendb
