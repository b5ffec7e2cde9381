// Deterministic sync points (after RocksDB's test_util/sync_point.h): named places in the code where a
// test can pause a thread, order threads against each other or run a callback, so that a race is forced
// at the exact interleaving instead of hoped for under load.
//
// Contract:
//   - OMEN_SYNC_POINT("Component::Function:Where") marks a point; OMEN_SYNC_POINT_CALLBACK(name, arg)
//     also hands `arg` (a void*) to a callback. Names are free text; by convention
//     "Class::method:Place" for code and "Test:Place" for points a test marks itself.
//   - They are compiled into every build. While no test enabled the facility, a point costs one relaxed
//     atomic load and a not-taken branch; nothing else runs.
//   - A test configures the points, then calls enable(); it calls disable_and_clear() (or lets a
//     SyncPoint::Scope do it) before the code under test can reach a point it no longer expects.
//   - load_dependency({{"A", "B"}}): a thread reaching B waits until some thread has passed A. Each
//     predecessor counts once it was passed, for ever (until clear).
//   - set_callback("A", f): a thread reaching A runs f(arg) first, on its own thread, without any lock
//     of this facility held: f may block, start threads or reach other points.
//   - mark_passed()/passed(): points a thread went through (once enabled), for tests to assert on.
//   - Waiting has no timeout: a test whose order cannot happen hangs, and ctest's timeout reports it.
//     Tests that need "A happens or B times out" use wait_passed(name, timeout).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace omendb::sync_point {

namespace detail {
extern std::atomic<bool> g_enabled;
void process(const char* name, void* arg);
}  // namespace detail

// The whole facility: process-wide, thread-safe.
void enable();
// Stops processing points, releases every waiting thread and forgets dependencies, callbacks and the
// record of passed points.
void disable_and_clear();
// Successor waits for predecessor: pairs of {predecessor, successor}. Replaces earlier dependencies.
void load_dependency(const std::vector<std::pair<std::string, std::string>>& dependencies);
void set_callback(const std::string& name, std::function<void(void*)> callback);
void clear_callback(const std::string& name);
// Whether a thread went through `name` since enable().
bool passed(const std::string& name);
// Waits until some thread passed `name`, at most `timeout`; returns passed(name).
bool wait_passed(const std::string& name, std::chrono::milliseconds timeout);

// Enables the facility for a test's scope and clears it at the end (also when the test fails).
class Scope {
 public:
  Scope() { enable(); }
  ~Scope() { disable_and_clear(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
};

inline void point(const char* name, void* arg = nullptr) {
  if (detail::g_enabled.load(std::memory_order_relaxed)) [[unlikely]]
    detail::process(name, arg);
}

}  // namespace omendb::sync_point

#define OMEN_SYNC_POINT(name) ::omendb::sync_point::point(name)
#define OMEN_SYNC_POINT_CALLBACK(name, arg) ::omendb::sync_point::point(name, arg)
