// A query whose rows are produced on demand, for cursors: SQL's DECLARE / FETCH and the extended
// protocol's Execute with a row limit (JDBC's fetch size, psycopg2's named cursors, node-pg's cursors).
//
// Compiled pipelines push every row to the end in one call; they cannot return in the middle. So the
// query runs on a thread of its own, and its row sink pauses that thread once the rows asked for are
// stored. The session and the query thread never run at the same time: resume() hands control to the
// query and waits until it pauses again or ends, so the query reads its transaction's state exactly as
// a statement run on the session's thread would. A cursor over a billion rows holds one batch of rows,
// not the result.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "runtime/exec_context.h"

namespace omendb::engine {

class SuspendedQuery {
 public:
  // `run` executes the query and pushes its rows into the sink it is given; it is called once, on the
  // query's thread, at the first resume(). `store` keeps the rows (the caller reads them between
  // resumes); it returns false to stop the query.
  SuspendedQuery(std::function<void(runtime::RowSink&)> run, runtime::RowSink& store);
  // Stops a paused query (its sink returns false, so the pipeline ends without an error) and waits for
  // its thread.
  ~SuspendedQuery();
  SuspendedQuery(const SuspendedQuery&) = delete;
  SuspendedQuery& operator=(const SuspendedQuery&) = delete;

  // Lets the query store up to `max_rows` more rows (0: every remaining row). Returns true when it
  // paused with more rows possibly to come, false when it ended. Rethrows the query's error (it then
  // counts as ended).
  bool resume(uint64_t max_rows);
  bool ended() const { return state_ == State::Ended; }

 private:
  enum class State { NotStarted, Running, Paused, Ended };
  class PausingSink;

  void body();
  bool after_row();  // on the query's thread: pauses when the batch is full; false = stop

  std::function<void(runtime::RowSink&)> run_;
  runtime::RowSink& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::NotStarted;
  bool stop_ = false;
  uint64_t wanted_ = 0;  // rows still to store in this batch (0 = unlimited)
  bool unlimited_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace omendb::engine
