// Long waits that a thread pool must know about. A worker thread that is about to block for an unbounded
// time (a row-lock wait: until another session commits) wraps the wait in a BlockingRegion. The pool that
// runs the thread installs hooks (set_blocking_hooks) and may start another thread meanwhile, so that
// sessions blocked on locks never hold up other sessions' statements (the lock holder's COMMIT among them).
// Without hooks installed (tests, tools) a BlockingRegion does nothing.
#pragma once

namespace omendb {

struct BlockingHooks {
  void (*enter)(void* arg) = nullptr;
  void (*leave)(void* arg) = nullptr;
  void* arg = nullptr;
};

// The calling thread's hooks (thread-local); a pool sets them on each of its threads.
void set_blocking_hooks(const BlockingHooks& hooks);

class BlockingRegion {
 public:
  BlockingRegion();
  ~BlockingRegion();
  BlockingRegion(const BlockingRegion&) = delete;
  BlockingRegion& operator=(const BlockingRegion&) = delete;

 private:
  BlockingHooks hooks_;
};

}  // namespace omendb
