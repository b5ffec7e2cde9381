#include "storage/wait_graph.h"

#include <algorithm>

namespace omendb::storage {

void WaitGraph::add(const Source& source) {
  std::lock_guard lk(mu_);
  sources_.push_back(&source);
}

void WaitGraph::remove(const Source& source) {
  std::lock_guard lk(mu_);
  std::erase(sources_, &source);
}

std::string WaitGraph::wait_text(int32_t waiter, std::string_view what, int32_t blocker) {
  return "Process " + std::to_string(waiter) + " waits for " + std::string(what) + "; blocked by process " +
         std::to_string(blocker) + ".";
}

bool WaitGraph::find_cycle(int32_t pid, std::unique_lock<std::mutex>& held, std::string& detail) const {
  // Depth-first search over "waits for" edges from pid; a path back to it is a deadlock. Locks without a
  // session (pid 0) end a path.
  if (pid == 0) return false;
  std::mutex* own = held.mutex();
  held.unlock();
  std::lock_guard checking(mu_);
  // Every source's mutex, always in the order the sources joined (only one check at a time takes more
  // than one of them, so the order cannot deadlock).
  std::vector<std::mutex*> mutexes;
  for (const Source* s : sources_)
    if (std::find(mutexes.begin(), mutexes.end(), &s->mutex()) == mutexes.end())
      mutexes.push_back(&s->mutex());
  if (std::find(mutexes.begin(), mutexes.end(), own) == mutexes.end()) mutexes.push_back(own);
  for (std::mutex* m : mutexes) m->lock();
  struct Unlock {
    std::vector<std::mutex*>& mutexes;
    std::mutex* own;
    std::unique_lock<std::mutex>& held;
    ~Unlock() {
      for (std::mutex* m : mutexes)
        if (m != own) m->unlock();
      held.release();
      held = std::unique_lock<std::mutex>(*own, std::adopt_lock);
    }
  } unlock{mutexes, own, held};

  struct Frame {
    int32_t pid;
    std::vector<Edge> next;
    size_t i = 0;
  };
  std::vector<Frame> stack;
  std::vector<int32_t> visited{pid};
  auto expand = [&](int32_t who) {
    Frame f{who, {}, 0};
    for (const Source* s : sources_) s->blockers(who, f.next);
    stack.push_back(std::move(f));
  };
  expand(pid);
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.i == top.next.size()) {
      stack.pop_back();
      continue;
    }
    const Edge& edge = top.next[top.i++];
    if (edge.to == pid) {
      for (const Frame& f : stack) {
        const Edge& e = f.next[f.i - 1];
        if (!detail.empty()) detail += "\n";
        detail += wait_text(f.pid, e.what, e.to);
      }
      return true;
    }
    if (edge.to == 0 || std::find(visited.begin(), visited.end(), edge.to) != visited.end()) continue;
    visited.push_back(edge.to);
    expand(edge.to);
  }
  return false;
}

std::string WaitGraph::wait_event(int32_t pid) const {
  if (pid == 0) return {};
  std::lock_guard lk(mu_);
  for (const Source* s : sources_) {
    std::lock_guard source(s->mutex());
    if (std::string_view event = s->wait_event(pid); !event.empty()) return std::string(event);
  }
  return {};
}

}  // namespace omendb::storage
