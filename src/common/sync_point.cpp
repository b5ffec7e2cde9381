#include "common/sync_point.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

namespace omendb::sync_point {

namespace detail {
std::atomic<bool> g_enabled{false};
}  // namespace detail

namespace {

struct Registry {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::vector<std::string>> predecessors;  // successor -> what it waits for
  std::map<std::string, std::function<void(void*)>> callbacks;
  std::set<std::string> passed;
  uint64_t generation = 0;  // bumped by disable_and_clear: waiters of an older generation give up
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: points may run during static destruction
  return *r;
}

}  // namespace

void detail::process(const char* name_cstr, void* arg) {
  Registry& r = registry();
  std::string name(name_cstr);
  std::function<void(void*)> callback;
  {
    std::unique_lock lock(r.mutex);
    if (!g_enabled.load(std::memory_order_relaxed)) return;
    const uint64_t generation = r.generation;
    if (auto it = r.predecessors.find(name); it != r.predecessors.end()) {
      const std::vector<std::string> wanted = it->second;
      r.changed.wait(lock, [&] {
        if (r.generation != generation) return true;
        for (const std::string& p : wanted)
          if (!r.passed.count(p)) return false;
        return true;
      });
      if (r.generation != generation) return;
    }
    if (auto it = r.callbacks.find(name); it != r.callbacks.end()) callback = it->second;
  }
  if (callback) callback(arg);
  {
    std::lock_guard lock(r.mutex);
    if (!g_enabled.load(std::memory_order_relaxed)) return;
    r.passed.insert(std::move(name));
  }
  r.changed.notify_all();
}

void enable() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  detail::g_enabled.store(true, std::memory_order_relaxed);
}

void disable_and_clear() {
  Registry& r = registry();
  {
    std::lock_guard lock(r.mutex);
    detail::g_enabled.store(false, std::memory_order_relaxed);
    r.predecessors.clear();
    r.callbacks.clear();
    r.passed.clear();
    ++r.generation;
  }
  r.changed.notify_all();
}

void load_dependency(const std::vector<std::pair<std::string, std::string>>& dependencies) {
  Registry& r = registry();
  {
    std::lock_guard lock(r.mutex);
    r.predecessors.clear();
    for (const auto& [predecessor, successor] : dependencies)
      r.predecessors[successor].push_back(predecessor);
  }
  r.changed.notify_all();
}

void set_callback(const std::string& name, std::function<void(void*)> callback) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.callbacks[name] = std::move(callback);
}

void clear_callback(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.callbacks.erase(name);
}

bool passed(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.passed.count(name) > 0;
}

bool wait_passed(const std::string& name, std::chrono::milliseconds timeout) {
  Registry& r = registry();
  std::unique_lock lock(r.mutex);
  return r.changed.wait_for(lock, timeout, [&] { return r.passed.count(name) > 0; });
}

}  // namespace omendb::sync_point
