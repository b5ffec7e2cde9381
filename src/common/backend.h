// One client backend (a connection whose session is open) as pg_stat_activity shows it: what the wire
// server knows of each connection (pgwire::Backends) and the catalogs show (catalog::Context::backends).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace omendb {

struct BackendActivity {
  using Time = std::chrono::system_clock::time_point;
  int32_t pid = 0;  // the BackendKeyData process id (pg_backend_pid())
  std::string user;
  std::string database;
  std::string application_name;  // the startup packet's, then what SET made it (ParameterStatus)
  std::string client_address;    // the peer's address ("127.0.0.1", "::1")
  int32_t client_port = -1;
  Time backend_start{};
  std::optional<Time> xact_start;   // the start of the statement that began the open transaction
  std::optional<Time> query_start;  // of the running statement, else of the last one
  std::optional<Time> state_change;
  // "active" (running a statement), "idle", "idle in transaction", "idle in transaction (aborted)"
  std::string state;
  std::string query;  // the running statement's text, else the last one's
  // The lock an active backend waits for now (pg_stat_activity's wait_event with wait_event_type Lock:
  // "relation" for a table lock, "transactionid" for a row lock or a name), else empty.
  std::string lock_wait;
};

}  // namespace omendb
