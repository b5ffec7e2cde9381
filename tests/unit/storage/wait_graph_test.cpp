// The wait-for graph over every kind of lock (src/storage/wait_graph.h): cycles across sources, chains
// that are no cycle, locks without a session, and the caller's lock kept across the check.
#include "storage/wait_graph.h"

#include <gtest/gtest.h>

#include <map>

namespace omendb::storage {
namespace {

// A kind of lock whose waits the test sets: pid -> the sessions it waits for, and in which words.
class FakeSource : public WaitGraph::Source {
 public:
  explicit FakeSource(WaitGraph& graph, std::string event) : graph_(graph), event_(std::move(event)) {
    graph_.add(*this);
  }
  ~FakeSource() override { graph_.remove(*this); }
  std::mutex& mutex() const override { return mu_; }
  void blockers(int32_t pid, std::vector<WaitGraph::Edge>& out) const override {
    auto it = waits_.find(pid);
    if (it != waits_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  std::string_view wait_event(int32_t pid) const override {
    return waits_.count(pid) ? std::string_view(event_) : std::string_view();  // (not a temporary copy)
  }
  void wait(int32_t pid, int32_t to, std::string what) { waits_[pid].push_back({to, std::move(what)}); }

 private:
  WaitGraph& graph_;
  std::string event_;
  mutable std::mutex mu_;
  std::map<int32_t, std::vector<WaitGraph::Edge>> waits_;
};

TEST(WaitGraph, CycleAcrossSourcesStartsWithTheChecker) {
  WaitGraph graph;
  FakeSource rows(graph, "transactionid"), tables(graph, "relation");
  rows.wait(1, 2, "ShareLock on transaction 20");
  tables.wait(2, 3, "AccessExclusiveLock on relation 5 of database 6");
  rows.wait(3, 1, "ShareLock on transaction 10");
  std::unique_lock held(tables.mutex());
  std::string detail;
  ASSERT_TRUE(graph.find_cycle(2, held, detail));
  EXPECT_TRUE(held.owns_lock());  // the caller's lock is held again
  EXPECT_EQ(detail,
            "Process 2 waits for AccessExclusiveLock on relation 5 of database 6; blocked by process 3.\n"
            "Process 3 waits for ShareLock on transaction 10; blocked by process 1.\n"
            "Process 1 waits for ShareLock on transaction 20; blocked by process 2.");
  held.unlock();
  EXPECT_EQ(graph.wait_event(1), "transactionid");
  EXPECT_EQ(graph.wait_event(2), "relation");
  EXPECT_EQ(graph.wait_event(4), "");
}

TEST(WaitGraph, ChainAndCycleElsewhereAreNoDeadlockOfTheChecker) {
  WaitGraph graph;
  FakeSource rows(graph, "transactionid"), tables(graph, "relation");
  // 1 -> 2 -> 3 -> 2: 1 waits behind a cycle it is not part of (its members find it themselves).
  rows.wait(1, 2, "x");
  tables.wait(2, 3, "y");
  rows.wait(3, 2, "z");
  std::unique_lock held(rows.mutex());
  std::string detail;
  EXPECT_FALSE(graph.find_cycle(1, held, detail));
  EXPECT_TRUE(detail.empty());
  EXPECT_TRUE(graph.find_cycle(3, held, detail));
}

TEST(WaitGraph, SessionlessLocksEndAPath) {
  WaitGraph graph;
  FakeSource rows(graph, "transactionid");
  rows.wait(1, 0, "x");
  rows.wait(0, 1, "y");
  std::unique_lock held(rows.mutex());
  std::string detail;
  EXPECT_FALSE(graph.find_cycle(1, held, detail));
  EXPECT_FALSE(graph.find_cycle(0, held, detail));
  EXPECT_TRUE(held.owns_lock());
}

}  // namespace
}  // namespace omendb::storage
