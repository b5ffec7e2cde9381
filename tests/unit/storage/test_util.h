// Shared helpers for the storage unit tests: a temporary data directory and row builders.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/datum.h"
#include "common/error.h"
#include "storage/store.h"

namespace omendb::storage::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("omendb_storage_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline Datum int_datum(int64_t v) {
  Datum d{};
  d.i64 = v;
  d.is_null = 0;
  return d;
}
inline Datum float_datum(double v) {
  Datum d{};
  d.f64 = v;
  d.is_null = 0;
  return d;
}
inline Datum bool_datum(bool v) {
  return int_datum(v ? 1 : 0);
}
// `s` must outlive the datum.
inline Datum text_datum(const std::string& s) {
  Datum d{};
  d.str = StrRef{s.data(), s.size()};
  d.is_null = 0;
  return d;
}
inline Datum null_datum() {
  Datum d{};
  d.is_null = 1;
  return d;
}

inline ColumnDef col(std::string name, TypeId type, bool not_null = false, int32_t max_length = -1) {
  ColumnDef c;
  c.name = std::move(name);
  c.type = type;
  c.not_null = not_null;
  c.max_length = max_length;
  return c;
}

inline StoreOptions test_options(const TempDir& dir) {
  StoreOptions o;
  o.data_dir = dir.path();
  o.sync_commits = false;  // keep the tests fast; durability across clean close is still via the WAL
  o.block_cache_bytes = 8u << 20;
  return o;
}

// One statement in a transaction of its own, committed by commit(): the new-API replacement for the
// old `store->writer(view)` + `writer->commit()`:
//   AutoCommit stmt(*store);
//   stmt.w->insert(...);
//   stmt.commit();  // apply() + Transaction::commit()
// Destroying it without commit() discards the writes. Members are destroyed writer, view, transaction.
struct AutoCommit {
  explicit AutoCommit(Store& store, IsolationLevel isolation = IsolationLevel::RepeatableRead)
      : txn(store.begin(isolation)), view(txn->statement_view()), w(txn->writer(*view)) {}
  void commit() {
    w->apply();
    txn->commit();
  }
  std::unique_ptr<Transaction> txn;
  std::unique_ptr<ReadView> view;
  std::unique_ptr<StatementWriter> w;
};

// Runs `fn` and returns the SQLSTATE code it threw ("" if none).
template <typename Fn>
std::string sqlstate_of(Fn&& fn, SqlError* out = nullptr) {
  try {
    fn();
  } catch (const SqlError& e) {
    if (out) *out = e;
    return std::string(sqlstate_code(e.state()));
  }
  return "";
}

}  // namespace omendb::storage::testing
