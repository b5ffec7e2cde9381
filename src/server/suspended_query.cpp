#include "server/suspended_query.h"

namespace omendb::engine {

class SuspendedQuery::PausingSink final : public runtime::RowSink {
 public:
  explicit PausingSink(SuspendedQuery& q) : q_(q) {}
  bool row(const Datum* values, size_t count) override {
    if (!q_.store_.row(values, count)) return false;
    return q_.after_row();
  }

 private:
  SuspendedQuery& q_;
};

SuspendedQuery::SuspendedQuery(std::function<void(runtime::RowSink&)> run, runtime::RowSink& store)
    : run_(std::move(run)), store_(store) {}

SuspendedQuery::~SuspendedQuery() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SuspendedQuery::resume(uint64_t max_rows) {
  std::unique_lock lock(mu_);
  if (state_ == State::Ended) return false;
  unlimited_ = max_rows == 0;
  wanted_ = max_rows;
  if (state_ == State::NotStarted) {
    state_ = State::Running;
    thread_ = std::thread([this] { body(); });
  } else {
    state_ = State::Running;
    cv_.notify_all();
  }
  cv_.wait(lock, [&] { return state_ != State::Running; });
  if (error_) {
    std::exception_ptr e = std::move(error_);
    error_ = nullptr;
    std::rethrow_exception(e);
  }
  return state_ == State::Paused;
}

bool SuspendedQuery::after_row() {
  std::unique_lock lock(mu_);
  if (stop_) return false;
  if (unlimited_ || --wanted_ > 0) return true;
  state_ = State::Paused;
  cv_.notify_all();
  cv_.wait(lock, [&] { return state_ == State::Running || stop_; });
  return !stop_;
}

void SuspendedQuery::body() {
  std::exception_ptr error;
  try {
    PausingSink sink(*this);
    run_(sink);
  } catch (...) {
    error = std::current_exception();
  }
  std::lock_guard lock(mu_);
  error_ = error;
  state_ = State::Ended;
  cv_.notify_all();
}

}  // namespace omendb::engine
