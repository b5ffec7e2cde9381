#include "server/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "catalog/functions.h"
#include "catalog/system_catalog.h"
#include "codegen/jit.h"
#include "common/error.h"
#include "common/numeric.h"
#include "common/text_sql.h"
#include "common/value.h"
#include "frontend/parser/parser.h"
#include "frontend/parser/statement_key.h"
#include "planner/planner.h"
#include "runtime/exec_context.h"
#include "server/analyze.h"
#include "server/copy.h"
#include "server/index_evaluator.h"
#include "server/pg_settings.h"
#include "server/suspended_query.h"
#include "server/wire_values.h"
#include "storage/key_codec.h"
#include "storage/store.h"

namespace omendb::engine {

namespace {

// The fraction of `table`'s rows an equality on `column` keeps by ANALYZE's statistics, as PostgreSQL's
// var_eq_const without most common values: the non-NULL fraction over the distinct values; 0 when the
// column has no statistics (the planner's default then).
double analyzed_eq_selectivity(const storage::Store& store, const storage::TableDef& table, int column) {
  auto stats = store.table_stats(table.id);
  if (!stats) return 0;
  const storage::ColumnDef& c = table.columns[static_cast<size_t>(column)];
  const storage::ColumnStats* cs = stats->find(c.name, c.type);
  if (!cs || cs->n_distinct == 0) return 0;
  double distinct = cs->n_distinct > 0 ? cs->n_distinct : -cs->n_distinct * stats->reltuples;
  if (distinct < 1) distinct = 1;
  return std::clamp((1.0 - cs->null_frac) / distinct, 0.0, 1.0);
}

// Formats result rows as PostgreSQL text and hands them to the wire.
class TextRowSink : public runtime::RowSink {
 public:
  TextRowSink(pgwire::ResultWriter& out, const std::vector<plan::OutputColumn>& columns, OutputStyle style,
              const catalog::Context* names)
      : out_(out),
        columns_(columns),
        style_(std::move(style)),
        names_(names),
        text_(columns.size()),
        views_(columns.size()),
        nulls_(columns.size()) {}

  bool row(const Datum* values, size_t count) override {
    for (size_t i = 0; i < count; ++i) {
      const Datum& d = values[i];
      nulls_[i] = d.is_null != 0;
      if (nulls_[i]) continue;
      if (is_string_type(columns_[i].type)) {
        views_[i] = d.str.view();  // no copy
        continue;
      }
      std::string& s = text_[i];
      s.clear();
      encode_datum(d, columns_[i].type, 0, style_, s, names_);  // PostgreSQL's text output, defined once
      views_[i] = s;
    }
    out_.data_row(views_.data(), reinterpret_cast<const bool*>(nulls_.data()), count);
    ++rows_;
    return true;
  }
  uint64_t rows() const { return rows_; }

 private:
  pgwire::ResultWriter& out_;
  const std::vector<plan::OutputColumn>& columns_;
  OutputStyle style_;              // the session's TimeZone, extra_float_digits, bytea_output
  const catalog::Context* names_;  // the session's catalogs: regclass, regtype ... output
  std::vector<std::string> text_;
  std::vector<std::string_view> views_;
  std::vector<char> nulls_;  // not vector<bool>: data_row wants a bool array
  uint64_t rows_ = 0;
};
static_assert(sizeof(bool) == sizeof(char));

// Keeps a statement's data rows until the statement is known to succeed, then sends them (SELECT ... FOR
// UPDATE may start again at a newer snapshot, discarding what it produced). Everything else passes.
// Result rows in their wire form, sent later: a statement's rows held back until it succeeded, and kept
// past the first Execute with a row limit (PostgreSQL's holdStore for DML ... RETURNING and SELECT ...
// FOR UPDATE portals).
struct WireRows {
  size_t width = 0;
  std::vector<std::string> cells;
  std::vector<char> nulls;
  size_t next = 0;  // the first cell not sent yet

  void add(const std::string_view* values, const bool* null, size_t count) {
    width = count;
    for (size_t i = 0; i < count; ++i) {
      cells.emplace_back(null[i] ? std::string_view() : values[i]);
      nulls.push_back(null[i]);
    }
  }
  // Sends up to `max_rows` rows (0: all that are left); returns how many.
  uint64_t send(pgwire::ResultWriter& out, uint64_t max_rows) {
    std::vector<std::string_view> views(width);
    uint64_t sent = 0;
    for (; width && next < cells.size() && (max_rows == 0 || sent < max_rows); next += width, ++sent) {
      for (size_t c = 0; c < width; ++c) views[c] = cells[next + c];
      out.data_row(views.data(), reinterpret_cast<const bool*>(nulls.data() + next), width);
    }
    return sent;
  }
};

class BufferedRows final : public pgwire::ResultWriter {
 public:
  explicit BufferedRows(pgwire::ResultWriter& out) : out_(out) {}
  void row_description(const std::vector<pgwire::ResultColumn>& columns) override {
    out_.row_description(columns);
  }
  void data_row(const std::string_view* values, const bool* nulls, size_t count) override {
    rows_.add(values, nulls, count);
  }
  void command_complete(std::string_view tag) override { out_.command_complete(tag); }
  void empty_query() override { out_.empty_query(); }
  void notice(std::string_view code, std::string_view message) override { out_.notice(code, message); }
  void warning(std::string_view code, std::string_view message) override { out_.warning(code, message); }
  const std::atomic<bool>* cancel_flag() const override { return out_.cancel_flag(); }
  void set_deadline(std::chrono::steady_clock::time_point d) override { out_.set_deadline(d); }

  void clear() { rows_ = {}; }
  void flush() {
    rows_.send(out_, 0);
    clear();
  }
  // Sends up to `max_rows` rows (0: all). When it sent `max_rows`, the rest (maybe none: PostgreSQL
  // suspends the portal all the same) is returned for later Executes.
  std::pair<uint64_t, std::unique_ptr<WireRows>> flush(uint64_t max_rows) {
    uint64_t sent = rows_.send(out_, max_rows);
    std::unique_ptr<WireRows> rest;
    if (max_rows && sent == max_rows) rest = std::make_unique<WireRows>(std::move(rows_));
    clear();
    return {sent, std::move(rest)};
  }

 private:
  pgwire::ResultWriter& out_;
  WireRows rows_;
};

std::vector<pgwire::ResultColumn> describe(const std::vector<plan::OutputColumn>& columns) {
  std::vector<pgwire::ResultColumn> out;
  for (const auto& c : columns) out.push_back({c.name, type_oid(c.type), type_wire_length(c.type)});
  return out;
}

// RowDescription of a planned SELECT: a plain varchar(n) column is varchar with typmod n + 4, and a
// numeric(p, s) column numeric with its typmod, as PostgreSQL describes them.
std::vector<pgwire::ResultColumn> describe(const planner::PlannedStatement& planned) {
  std::vector<pgwire::ResultColumn> out = describe(planned.plan.result_columns);
  for (size_t i = 0; i < out.size() && i < planned.result_typmods.size(); ++i) {
    if (planned.result_typmods[i] < 0) continue;
    const TypeId type = planned.plan.result_columns[i].type;
    if (type == TypeId::Numeric) {
      out[i].type_modifier = planned.result_typmods[i];
    } else if (type == TypeId::Text) {
      out[i].type_oid = oid::kVarchar;
      out[i].type_modifier = planned.result_typmods[i] + 4;
    } else if (type == TypeId::BpChar) {
      out[i].type_modifier = planned.result_typmods[i] + 4;
    }
  }
  for (size_t i = 0; i < out.size() && i < planned.result_name_columns.size(); ++i) {
    if (!planned.result_name_columns[i]) continue;
    out[i].type_oid = oid::kName;  // text and binary forms of a name are its bytes, as text's
    out[i].type_length = 64;
  }
  return out;
}

void send_text_rows(pgwire::ResultWriter& out, const std::string& column,
                    const std::vector<std::string>& lines) {
  out.row_description({{column, type_oid(TypeId::Text), -1}});
  for (const std::string& line : lines) {
    std::string_view v = line;
    bool null = false;
    out.data_row(&v, &null, 1);
  }
}

// A setting written as PostgreSQL writes numbers with units ("64MB", "1500", "2 s"): a non-negative
// integer, optional spaces, then one of `units` ("" for a bare number). Returns n times the unit's scale;
// 22023 "invalid value for parameter" with `hint` for anything else.
uint64_t parse_with_unit(const std::string& name, const std::string& text,
                         std::initializer_list<std::pair<const char*, uint64_t>> units, const char* hint) {
  auto invalid = [&] {
    return SqlError(SqlState::InvalidParameterValue,
                    "invalid value for parameter \"" + name + "\": \"" + text + "\"")
        .with_hint(hint);
  };
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  size_t digits = i;
  uint64_t n = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    if (n > (UINT64_MAX - 9) / 10) throw invalid();
    n = n * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (i == digits) throw invalid();
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::string unit = text.substr(i);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  for (const auto& [u, scale] : units) {
    if (unit != u) continue;
    if (scale > 1 && n > UINT64_MAX / scale) throw invalid();
    return n * scale;
  }
  throw invalid();
}

// A memory setting as PostgreSQL reads one: a bare number is in kB, like work_mem. Returns bytes; 22023
// for anything else or less than 64kB.
uint64_t parse_memory(const std::string& name, const std::string& text) {
  uint64_t bytes =
      parse_with_unit(name, text,
                      {{"", 1024},
                       {"B", 1},
                       {"kB", 1024},
                       {"MB", 1024 * 1024},
                       {"GB", 1024ull * 1024 * 1024},
                       {"TB", 1024ull << 30 << 10}},
                      "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".");
  if (bytes < 64 * 1024)
    throw SqlError(SqlState::InvalidParameterValue, std::to_string(bytes / 1024) +
                                                        " kB is outside the valid range for parameter \"" +
                                                        name + "\" (64 kB .. 16 TB)");
  return bytes;
}

// A time setting as PostgreSQL reads one, in milliseconds: a bare number is ms, microseconds are rounded
// half to even (rint) as PostgreSQL rounds them. 0 means none. 22023 otherwise.
uint64_t parse_duration_ms(const std::string& name, const std::string& text) {
  uint64_t us =
      parse_with_unit(name, text,
                      {{"", 1000},
                       {"us", 1},
                       {"ms", 1000},
                       {"s", 1'000'000},
                       {"min", 60'000'000},
                       {"h", 3'600'000'000},
                       {"d", 86'400'000'000}},
                      "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".");
  uint64_t ms = us / 1000, rem = us % 1000;
  ms += rem > 500 || (rem == 500 && ms % 2 == 1) ? 1 : 0;
  if (ms > INT32_MAX)
    throw SqlError(SqlState::InvalidParameterValue, std::to_string(ms) +
                                                        " ms is outside the valid range for parameter \"" +
                                                        name + "\" (0 .. 2147483647)");
  return ms;
}

// Milliseconds as PostgreSQL prints a time setting: the largest unit that divides it exactly; 0 is "0".
std::string format_duration_ms(uint64_t ms) {
  if (ms == 0) return "0";
  static const std::pair<const char*, uint64_t> units[] = {
      {"d", 86'400'000}, {"h", 3'600'000}, {"min", 60'000}, {"s", 1000}, {"ms", 1}};
  for (const auto& [u, scale] : units)
    if (ms % scale == 0) return std::to_string(ms / scale) + u;
  return std::to_string(ms) + "ms";
}

// Bytes as PostgreSQL prints a memory setting: the largest unit that divides it exactly.
std::string format_memory(uint64_t bytes) {
  static const std::pair<const char*, uint64_t> units[] = {
      {"TB", 1024ull << 30 << 10}, {"GB", 1024ull << 20}, {"MB", 1024 * 1024}, {"kB", 1024}};
  for (const auto& [u, scale] : units)
    if (bytes % scale == 0) return std::to_string(bytes / scale) + u;
  return std::to_string(bytes) + "B";
}

// The isolation level as the session names it (SHOW, the SET TRANSACTION checks). PostgreSQL runs READ
// UNCOMMITTED as READ COMMITTED (it never shows uncommitted data either) but keeps its name.
enum class Isolation { ReadUncommitted, ReadCommitted, RepeatableRead };

storage::IsolationLevel storage_level(Isolation level) {
  return level == Isolation::RepeatableRead ? storage::IsolationLevel::RepeatableRead
                                            : storage::IsolationLevel::ReadCommitted;
}

std::optional<Isolation> parse_isolation(std::string level) {
  for (char& c : level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (level == "read uncommitted") return Isolation::ReadUncommitted;
  if (level == "read committed") return Isolation::ReadCommitted;
  if (level == "repeatable read") return Isolation::RepeatableRead;
  if (level == "serializable")
    throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support SERIALIZABLE isolation yet")
        .with_hint(
            "Use REPEATABLE READ (snapshot isolation); OmenDB never runs a transaction at a weaker level "
            "than asked.");
  return std::nullopt;
}

const char* isolation_name(Isolation level) {
  switch (level) {
    case Isolation::ReadUncommitted:
      return "read uncommitted";
    case Isolation::ReadCommitted:
      return "read committed";
    case Isolation::RepeatableRead:
      return "repeatable read";
  }
  return "read committed";
}

// Discards a statement's results (settings applied at startup).
class DiscardWriter final : public pgwire::ResultWriter {
 public:
  void row_description(const std::vector<pgwire::ResultColumn>&) override {}
  void data_row(const std::string_view*, const bool*, size_t) override {}
  void command_complete(std::string_view) override {}
  void empty_query() override {}
  void notice(std::string_view, std::string_view) override {}
  const std::atomic<bool>* cancel_flag() const override { return nullptr; }
};

// The settings a client asks for at connection startup, in PostgreSQL's order: first "-c name=value" and
// "--name=value" in the "options" parameter (words split at unescaped whitespace, a backslash escapes
// the next character, dashes in names become underscores: libpq's PGOPTIONS, psycopg2's options=), then
// startup parameters named after a setting (asyncpg's server_settings), which win.
std::vector<std::pair<std::string, std::string>> startup_settings(const pgwire::StartupInfo& info) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](std::string_view name_value) {
    size_t eq = name_value.find('=');
    if (eq == std::string_view::npos) return;
    std::string name(name_value.substr(0, eq));
    for (char& c : name) c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace_back(std::move(name), std::string(name_value.substr(eq + 1)));
  };
  if (auto it = info.parameters.find("options"); it != info.parameters.end()) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, escaped = false;
    for (char c : it->second) {
      if (escaped) {
        word += c;
        escaped = false;
      } else if (c == '\\') {
        escaped = in_word = true;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        if (in_word) words.push_back(std::move(word));
        word.clear();
        in_word = false;
      } else {
        word += c;
        in_word = true;
      }
    }
    if (in_word) words.push_back(std::move(word));
    for (size_t i = 0; i < words.size(); ++i) {
      if (words[i] == "-c" && i + 1 < words.size()) {
        add(words[++i]);
      } else if (words[i].starts_with("-c")) {
        add(std::string_view(words[i]).substr(2));
      } else if (words[i].starts_with("--")) {
        add(std::string_view(words[i]).substr(2));
      }
    }
  }
  for (const auto& [name, value] : info.parameters) {
    if (name != "options" && name != "user" && name != "database") out.emplace_back(name, value);
  }
  return out;
}

// version()'s text. It starts with "PostgreSQL 15.0" so that drivers that parse it (SQLAlchemy, pgjdbc's
// metadata, ORMs) take their PostgreSQL 15 paths, then says what is really answering, in PostgreSQL's
// layout: "PostgreSQL 15.0 (OmenDB 0.1.0) on x86_64-pc-linux-gnu, compiled by gcc 12.2.0, 64-bit".
std::string version_text() {
#if defined(__x86_64__)
  const char* host = "x86_64-pc-linux-gnu";
#elif defined(__aarch64__)
  const char* host = "aarch64-unknown-linux-gnu";
#else
  const char* host = "unknown-linux-gnu";
#endif
#if defined(__clang__)
  const char* compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const char* compiler = "gcc " __VERSION__;
#else
  const char* compiler = "an unknown compiler";
#endif
  return std::string("PostgreSQL 15.0 (OmenDB ") + OMENDB_VERSION + ") on " + host + ", compiled by " +
         compiler + ", " + std::to_string(sizeof(void*) * 8) + "-bit";
}

// How SHOW TimeZone (and ParameterStatus) name a TimeZone setting, as PostgreSQL does: a zone from the
// tz database by its canonical name; a number of hours as the POSIX spec PostgreSQL makes of it
// (SET TIME ZONE -3 -> "<-03>+03", 5.5 -> "<+05:30>-05:30"), which reads back as the same zone.
std::string time_zone_setting_name(const std::string& value, const dt::TimeZone& tz) {
  char* end = nullptr;
  std::string v(value);
  std::strtod(v.c_str(), &end);
  bool numeric = !v.empty() && end && *end == '\0';
  if (!numeric) return tz.name();
  int east = tz.constant_offset().value_or(0);
  auto hhmm = [](int seconds) {
    char buf[16];
    int a = seconds < 0 ? -seconds : seconds;
    if (a % 3600)
      std::snprintf(buf, sizeof buf, "%c%02d:%02d", seconds < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
    else
      std::snprintf(buf, sizeof buf, "%c%02d", seconds < 0 ? '-' : '+', a / 3600);
    return std::string(buf);
  };
  return "<" + hhmm(east) + ">" + hhmm(-east);
}

// PostgreSQL's check_timezone for "INTERVAL '...'" (SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE): the
// interval is an offset east of UTC, returned as a number of hours (the form for_setting reads); 22023
// when it has months or days. nullopt for any other value.
std::optional<std::string> interval_time_zone(const std::string& value) {
  constexpr std::string_view kPrefix = "interval";
  if (value.size() < kPrefix.size()) return std::nullopt;
  for (size_t i = 0; i < kPrefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != kPrefix[i]) return std::nullopt;
  size_t open = value.find('\'', kPrefix.size());
  size_t close = value.rfind('\'');
  if (open == std::string::npos || close <= open)
    throw SqlError(SqlState::InvalidParameterValue,
                   "invalid value for parameter \"TimeZone\": \"" + value + "\"");
  dt::Interval iv = dt::interval_in(std::string_view(value).substr(open + 1, close - open - 1));
  if (iv.month != 0)
    throw SqlError(SqlState::InvalidParameterValue,
                   "invalid interval value for time zone: month not allowed");
  if (iv.day != 0)
    throw SqlError(SqlState::InvalidParameterValue, "invalid interval value for time zone: day not allowed");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", static_cast<double>(iv.time / 1000000) / 3600.0);
  return std::string(buf);
}

// pg_postmaster_start_time(): when this process started serving (the first session's creation at the
// latest: the value is taken once, at static initialisation of the engine library).
dt::TimestampTz server_start_time() {
  static const dt::TimestampTz start = dtsql::clock_timestamp();
  return start;
}
[[maybe_unused]] const dt::TimestampTz kServerStartTime = server_start_time();

// SHOW's column is named as the setting is spelled in PostgreSQL (SHOW timezone -> "TimeZone").
std::string show_column_name(const std::string& name) {
  if (name == "timezone") return "TimeZone";
  if (name == "datestyle") return "DateStyle";
  if (name == "intervalstyle") return "IntervalStyle";
  return name;
}

// One client session: its transaction state and settings. Transaction blocks follow PostgreSQL:
// statements outside BEGIN commit on their own; several statements in one simple query run as one
// implicit transaction; an error inside a block makes later statements fail with 25P02 until ROLLBACK.
struct CursorRun;  // a cursor's query, produced on demand (defined with the extended protocol below)

// The settings SHOW and pg_settings know besides the session's own: PostgreSQL's values for the ones
// clients read.
const std::map<std::string, std::string>& default_settings() {
  static const std::map<std::string, std::string> defaults = {{"server_version", "15.0"},
                                                              {"application_name", ""},
                                                              {"server_encoding", "UTF8"},
                                                              {"client_encoding", "UTF8"},
                                                              {"datestyle", "ISO, MDY"},
                                                              {"intervalstyle", "postgres"},
                                                              {"timezone", "UTC"},
                                                              {"integer_datetimes", "on"},
                                                              {"standard_conforming_strings", "on"},
                                                              {"transaction_isolation", "read committed"},
                                                              {"max_identifier_length", "63"},
                                                              {"max_index_keys", "32"},
                                                              {"statement_timeout", "0"},
                                                              {"lock_timeout", "0"},
                                                              {"deadlock_timeout", "1s"},
                                                              {"idle_in_transaction_session_timeout", "0"}};
  return defaults;
}

// A statement OmenDB runs only outside a transaction (VACUUM, CREATE INDEX on a populated table ...), met in
// the implicit transaction of an extended-protocol batch: Execute commits the batch's transaction so far and
// runs the statement again on its own (refuse_in_transaction, execute_portal).
struct OutsideTransactionOnly : SqlError {
  explicit OutsideTransactionOnly(SqlError e) : SqlError(std::move(e)) {}
};

class EngineSession : public pgwire::Session, public catalog::Context {
 public:
  EngineSession(Database& db, const pgwire::StartupInfo& info) : db_(db), backends_(info.backends) {
    session_info_.version = version_text();
    session_info_.user = info.user;
    session_info_.database = info.database;
    session_info_.backend_pid = info.process_id;
    session_info_.server_address = info.local_address;
    session_info_.server_port = info.local_port;
    session_info_.server_start = server_start_time();
    // Startup settings that change how transactions and statements run or what results print go through
    // SET, so that a bad value refuses the connection (FATAL 22023, as PostgreSQL) instead of being
    // ignored; other ones are ignored.
    static const std::set<std::string, std::less<>> kApplied = {"default_transaction_isolation",
                                                                "synchronous_commit",
                                                                "timezone",
                                                                "extra_float_digits",
                                                                "bytea_output",
                                                                "application_name",
                                                                "statement_timeout",
                                                                "lock_timeout",
                                                                "idle_in_transaction_session_timeout",
                                                                "deadlock_timeout",
                                                                "default_transaction_read_only",
                                                                kQueryMemoryLimit,
                                                                kTransactionMemoryLimit};
    DiscardWriter discard;
    for (const auto& [name, value] : startup_settings(info)) {
      if (!kApplied.count(name)) continue;
      ast::SetStmt stmt;
      stmt.name = name;
      stmt.value = value;
      set(stmt, discard);
    }
    session_defaults_ = save_settings();  // what DISCARD ALL (RESET ALL) returns to
    idle_overlay_.temp_namespace = next_temp_namespace();
    // What pgwire::Server announced at startup.
    if (auto app = info.parameters.find("application_name"); app != info.parameters.end())
      reported_["application_name"] = app->second;
  }

  // The session's temporary tables and sequences go with it (a client that vanished too); what a crash
  // leaves is removed at the next startup (Catalog::load).
  ~EngineSession() override {
    try {
      if (txn_) finish_transaction(false);
      drop_temporary_relations();
    } catch (const std::exception& e) {  // startup removes what is left
      spdlog::warn("session end: dropping temporary tables failed: {}", e.what());
    } catch (...) {
      spdlog::warn("session end: dropping temporary tables failed");
    }
  }

  void execute(std::string_view sql, pgwire::ResultWriter& out) override {
    try {
      std::optional<parser::StatementKey> key = parser::statement_key(sql);
      if (key) {
        auto it = simple_statements_.find(key->key);
        if (it != simple_statements_.end() && run_simple(*it->second, *key, sql, out)) return;
      }
      std::vector<ast::Expr*> constants;
      std::vector<ast::StmtPtr> statements = parser::parse(sql, key ? &constants : nullptr);
      last_fingerprint_.clear();
      if (statements.empty()) {
        out.empty_query();
        return;
      }
      // On the I/O thread: one SELECT, which run_query checks further ("Short statements" below).
      if (out.on_io_thread() && (statements.size() != 1 || statements[0]->kind != ast::StmtKind::Select))
        throw pgwire::RunOnWorker();
      if (state_ == State::Idle && statements.size() > 1)
        open_transaction(State::Implicit, default_isolation_);
      for (const ast::StmtPtr& stmt : statements) run(*stmt, statement_text(sql, *stmt), out);
      if (state_ == State::Implicit) finish_transaction(true);
      if (key) keep_simple(std::move(*key), std::move(statements), constants, sql);
    } catch (const pgwire::RunOnWorker&) {
      throw;
    } catch (...) {
      fail_transaction();
      throw;
    }
  }

  char transaction_status() const override {
    return state_ == State::Block ? 'T' : state_ == State::Failed ? 'E' : 'I';
  }

  uint64_t idle_in_transaction_timeout_ms() const override {
    auto it = settings_.find("idle_in_transaction_session_timeout");
    return it == settings_.end() ? 0 : parse_duration_ms(it->first, it->second);
  }

 private:
  enum class State {
    Idle,      // no transaction: every statement commits on its own
    Implicit,  // the implicit transaction of a multi-statement query
    Block,     // inside BEGIN ... COMMIT
    Failed,    // inside a block after an error: only ROLLBACK (TO SAVEPOINT) / COMMIT are accepted
  };

  static std::string_view statement_text(std::string_view sql, const ast::Stmt& stmt) {
    size_t begin = std::min(static_cast<size_t>(std::max(stmt.location, 0)), sql.size());
    size_t len = stmt.length > 0 ? static_cast<size_t>(stmt.length) : std::string_view::npos;
    return sql.substr(begin, len);
  }

  // A transaction with this session's settings.
  std::unique_ptr<storage::Transaction> begin_transaction(Isolation isolation) {
    empty_on_commit_delete_rows();
    on_commit_delete_dirty_ = true;  // the transaction may write them
    auto txn = db_.store().begin(storage_level(isolation));
    if (synchronous_commit_) txn->set_synchronous_commit(*synchronous_commit_);
    txn->catalog_overlay().temp_namespace = idle_overlay_.temp_namespace;
    return txn;
  }

  // ---- Temporary tables (docs/schema.md, "Temporary tables")

  // A number for the session's temporary namespace (pg_temp_N), never reused while the server runs.
  static uint32_t next_temp_namespace() {
    static std::atomic<uint32_t> next{1};
    return next.fetch_add(1);
  }

  // ON COMMIT DELETE ROWS: such a table is empty whenever a transaction starts (every commit empties it,
  // a rollback leaves what the last commit left), so the rows a transaction may have committed are
  // removed before the session's next transaction begins, in a transaction of their own: nobody else
  // sees the table, so nobody can tell the difference.
  void empty_on_commit_delete_rows() {
    if (on_commit_delete_.empty() || !on_commit_delete_dirty_) return;
    on_commit_delete_dirty_ = false;
    storage::Catalog& catalog = db_.store().catalog();
    auto txn = db_.store().begin(storage::IsolationLevel::ReadCommitted);
    txn->catalog_overlay().temp_namespace = idle_overlay_.temp_namespace;
    for (auto it = on_commit_delete_.begin(); it != on_commit_delete_.end();) {
      storage::TableDefPtr def = catalog.find(*it, &idle_overlay_);
      if (!def) {  // dropped (or its creation rolled back)
        it = on_commit_delete_.erase(it);
        continue;
      }
      txn->truncate(*def);
      ++it;
    }
    txn->commit();
  }

  // Drops the session's temporary tables and sequences (at its end), in one transaction.
  void drop_temporary_relations() {
    auto txn = db_.store().begin(storage::IsolationLevel::ReadCommitted);
    storage::CatalogOverlay& ov = txn->catalog_overlay();
    ov.temp_namespace = idle_overlay_.temp_namespace;
    drop_temporary_relations(ov);
    if (ov.empty()) return;
    txn->commit();
    spdlog::info("session end: dropped the temporary relations of {}",
                 storage::temp_namespace_name(ov.temp_namespace));
  }
  void drop_temporary_relations(storage::CatalogOverlay& ov) {
    storage::Catalog& catalog = db_.store().catalog();
    for (const storage::TableDefPtr& t : catalog.tables(&ov))
      if (t->is_temp()) catalog.drop_table(t->id, ov);
    for (const storage::SequenceDefPtr& s : catalog.sequences(&ov))
      if (s->temp_namespace != 0) catalog.drop_sequence(s->id, ov);
  }

  // The table (or view) `t` names as this session sees it: PostgreSQL's search path for a name without
  // a schema (the session's temporary tables first, then public), else the schema's; null if none.
  storage::TableDefPtr find_table(const ast::TableRef& t) const {
    std::optional<storage::NameScope> scope = name_scope(t.schema);
    return scope ? db_.store().catalog().find(t.name, overlay(), *scope) : nullptr;
  }
  // The sequence `t` names as this session sees it; null if none.
  storage::SequenceDefPtr find_sequence(const ast::TableRef& t) const {
    std::optional<storage::NameScope> scope = name_scope(t.schema);
    return scope ? db_.store().catalog().find_sequence(t.name, overlay(), *scope) : nullptr;
  }
  // A name that finds `def` whatever the search_path: its schema's (pg_temp for a temporary table).
  ast::TableRef ref_of(const storage::TableDef& def) const {
    ast::TableRef r;
    r.schema = def.is_temp() ? "pg_temp" : db_.store().catalog().schema_name(def.schema, overlay());
    r.name = def.name;
    return r;
  }
  // `def`'s name as SQL text that finds it whatever the search_path (schema-qualified, pg_temp.t for a
  // temporary table): for the statements the engine writes itself.
  std::string qualified_name(const storage::TableDef& def) const {
    ast::TableRef r = ref_of(def);
    return catalog::quote_ident(r.schema) + "." + catalog::quote_ident(r.name);
  }
  // Whether a name looked up in `scope` can find `def` (its namespace is searched, and first for its name).
  bool in_scope(const storage::TableDef& def, const storage::NameScope& scope) const {
    switch (scope.kind) {
      case storage::NameScope::Kind::Temporary:
        return def.is_temp();
      case storage::NameScope::Kind::Schema:
        return !def.is_temp() && def.schema == scope.schema;
      case storage::NameScope::Kind::SearchPath:
        break;
    }
    ast::TableRef r;
    r.name = def.name;
    storage::TableDefPtr found = find_table(r);
    return found && found->id == def.id;
  }
  // Where a name qualified by `schema` ("": none) is looked up (storage::Catalog::name_scope); nothing for
  // a schema that does not exist.
  std::optional<storage::NameScope> name_scope(std::string_view schema) const {
    return db_.store().catalog().name_scope(schema, overlay());
  }

  // Whether one of `refs` names a temporary table of the session or one of a schema other than public
  // (DROP goes through the overlay then).
  bool names_temporary(const std::vector<ast::TableRef>& refs) const {
    for (const ast::TableRef& t : refs)
      if (storage::TableDefPtr def = find_table(t); def && def->nsp() != storage::Namespace{}) return true;
    return false;
  }

  // Whether `ref` (a FOREIGN KEY's REFERENCES) names `def` itself: its name, without a schema or with its
  // own.
  bool names_table(const ast::TableRef& ref, const storage::TableDef& def) const {
    std::optional<storage::NameScope> scope = name_scope(ref.schema);
    return ref.name == def.name && (scope == storage::NameScope::SearchPath ||
                                    scope == (def.is_temp() ? storage::NameScope::Temporary
                                                            : storage::NameScope::in_schema(def.schema)));
  }

  // The namespace a CREATE of `name` puts the relation in (docs/schema.md, "Schemas"), as PostgreSQL's
  // RangeVarGetCreationNamespace: the session's temporary namespace (TEMP, a pg_temp qualifier, pg_temp
  // first in the search_path), the schema written before the name (3F000 if none has the name), else the
  // first schema of the search_path that exists (3F000 "no schema has been selected to create in").
  storage::Namespace creation_namespace(const ast::TableRef& name, bool temporary) const {
    if (planner::creates_temporary(name, temporary)) return {0, idle_overlay_.temp_namespace};
    storage::Catalog& catalog = db_.store().catalog();
    auto system = [&](const std::string& schema) {
      if (schema == "pg_catalog" || schema == "pg_toast")
        throw SqlError(SqlState::InsufficientPrivilege,
                       "permission denied to create \"" + schema + "." + name.name + "\"")
            .with_detail("System catalog modifications are currently disallowed.");
      if (schema == "information_schema") throw_unsupported("creating relations in information_schema");
    };
    if (!name.schema.empty()) {
      system(name.schema);
      std::optional<storage::NameScope> scope = name_scope(name.schema);
      if (!scope || scope->kind != storage::NameScope::Kind::Schema)
        throw SqlError(SqlState::InvalidSchemaName, "schema \"" + name.schema + "\" does not exist")
            .at(name.location + 1);
      return {scope->schema, 0};
    }
    for (const std::string& schema : catalog.search_path_schemas(overlay())) {
      if (schema == "pg_temp") return {0, idle_overlay_.temp_namespace};
      system(schema);
      if (schema == "public") return {};
      if (storage::SchemaDefPtr s = catalog.find_schema(schema, overlay())) return {s->id, 0};
    }
    throw SqlError(SqlState::InvalidSchemaName, "no schema has been selected to create in")
        .at(name.location + 1);
  }

  // Starts a transaction block (BEGIN) or the implicit transaction of a multi-statement query.
  void open_transaction(State state, Isolation isolation, std::optional<bool> read_only = std::nullopt) {
    txn_ = begin_transaction(isolation);
    txn_start_ts_ = dtsql::clock_timestamp();
    txn_isolation_ = isolation;
    txn_read_only_ = read_only.value_or(default_read_only());
    saved_settings_ = save_settings();
    state_ = state;
    batch_txn_ = false;
    batch_pipelining_ = false;
  }

  // PostgreSQL's rules for changing the current transaction's isolation level (check_XactIsoLevel),
  // whichever statement asks (SET TRANSACTION, SET transaction_isolation, BEGIN inside a block): the
  // same level is always accepted; another one only before the transaction's first query (one that
  // takes a snapshot) and outside a subtransaction, else 25001. Never ignored.
  void set_transaction_isolation(Isolation level) {
    if (level == txn_isolation_) return;
    if (statements_in_block_ > 0 || txn_->has_writes())
      throw SqlError(SqlState::ActiveSqlTransaction,
                     "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    if (!savepoints_.empty())
      throw SqlError(SqlState::ActiveSqlTransaction,
                     "SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction");
    txn_ = begin_transaction(level);  // nothing was read or written yet: nothing to carry over
    txn_isolation_ = level;
  }

  // READ ONLY / READ WRITE of the open transaction (BEGIN's mode, SET TRANSACTION, SET
  // transaction_read_only), with PostgreSQL's rules (check_transaction_read_only): read-only may be set
  // at any time; back to read-write only in the transaction's top level and before its first query
  // (25001 otherwise).
  void set_transaction_read_only(bool read_only) {
    if (!read_only && txn_read_only_) {
      if (!savepoints_.empty())
        throw SqlError(SqlState::ActiveSqlTransaction,
                       "cannot set transaction read-write mode inside a read-only transaction");
      if (statements_in_block_ > 0)
        throw SqlError(SqlState::ActiveSqlTransaction,
                       "transaction read-write mode must be set before any query");
    }
    txn_read_only_ = read_only;
  }
  bool default_read_only() const {
    auto it = settings_.find("default_transaction_read_only");
    return it != settings_.end() && it->second == "on";
  }
  // Whether the statement running now may not write (a statement outside a block is its own
  // transaction, with the session's default).
  bool read_only_now() const { return in_transaction() ? txn_read_only_ : default_read_only(); }
  // PostgreSQL's PreventCommandIfReadOnly: 25006 for `what` (the command's tag) in a read-only
  // transaction.
  void check_writable(std::string_view what) const {
    if (read_only_now())
      throw SqlError(SqlState::ReadOnlySqlTransaction,
                     "cannot execute " + std::string(what) + " in a read-only transaction");
  }

  // Session settings are transactional, as PostgreSQL's SET: a transaction (or subtransaction) that
  // rolls back undoes the SETs made in it.
  struct SavedSettings {
    std::map<std::string, std::string> settings;
    Isolation default_isolation;
    std::optional<bool> synchronous_commit;
    std::string synchronous_commit_text;
    std::map<std::string, ast::SetStmt> at_commit;
  };
  SavedSettings save_settings() const {
    return {settings_, default_isolation_, synchronous_commit_, synchronous_commit_text_, at_commit_};
  }
  void restore_settings(const SavedSettings& saved) {
    if (settings_ != saved.settings) ++settings_epoch_;  // (an error in a statement restores them too)
    settings_ = saved.settings;
    default_isolation_ = saved.default_isolation;
    synchronous_commit_ = saved.synchronous_commit;
    synchronous_commit_text_ = saved.synchronous_commit_text;
    at_commit_ = saved.at_commit;
    if (txn_) txn_->set_synchronous_commit(synchronous_commit_.value_or(db_.store().options().sync_commits));
  }

  bool in_transaction() const { return state_ == State::Implicit || state_ == State::Block; }
  // PostgreSQL's IsTransactionBlock(): a block, or the implicit transaction of a multi-statement query,
  // but not the implicit transaction of an extended-protocol batch (there SET LOCAL and SET TRANSACTION
  // warn, and still apply to it).
  bool in_transaction_block() const {
    return state_ == State::Block || (state_ == State::Implicit && !batch_txn_);
  }

  // Refuses a statement that OmenDB (or PostgreSQL, 25001) runs only outside a transaction. As the first
  // statement of an extended-protocol batch it runs anyway, on its own (Execute runs it again outside
  // the batch's transaction, which has done nothing yet): drivers send every statement that way. After
  // other statements of the batch it is refused, so the batch stays all-or-nothing.
  [[noreturn]] void refuse_in_transaction(SqlError error) const {
    if (state_ == State::Implicit && batch_txn_ && !batch_pipelining_)
      throw OutsideTransactionOnly(std::move(error));
    throw std::move(error);
  }
  // An Execute of the batch's transaction completed (PostgreSQL's XACT_FLAGS_PIPELINING).
  void executed_in_batch() {
    if (state_ == State::Implicit && batch_txn_) batch_pipelining_ = true;
  }
  [[noreturn]] void refuse_in_transaction(const std::string& unsupported) const {
    refuse_in_transaction(
        SqlError(SqlState::FeatureNotSupported, "OmenDB does not support " + unsupported + " yet"));
  }

  // ON COMMIT DROP: the transaction's commit drops the temporary tables it created so (those still there).
  void drop_on_commit() {
    if (!txn_ || on_commit_drop_.empty()) return;
    storage::Catalog& catalog = db_.store().catalog();
    for (uint32_t id : on_commit_drop_)
      if (catalog.find(id, overlay())) catalog.drop_table(id, *overlay());
    on_commit_drop_.clear();
  }

  void fail_transaction() {
    if (state_ == State::Implicit) {
      finish_transaction(false);
    } else if (state_ == State::Block) {
      state_ = State::Failed;
      // The block can only roll back now: release its row locks at once, as PostgreSQL aborts the
      // transaction at the error (a deadlock's other party must not wait for our ROLLBACK). With a
      // savepoint, ROLLBACK TO may resume the transaction: what came before the innermost savepoint
      // stays, what came after it goes now (PostgreSQL aborts the subtransaction at the error).
      if (txn_) {
        if (savepoints_.empty()) {
          txn_->rollback();
          release_transaction_locks();  // its DDL is undone: nobody waits for the ROLLBACK
        } else {
          txn_->rollback_to(savepoints_.back().mark);
        }
      }
    }
  }

  // Ends the current transaction: commit (which may throw 40001, ending it anyway) or roll back. A
  // transaction that does not commit undoes its SETs.
  void finish_transaction(bool commit) {
    if (commit) {
      try {
        hold_cursors();  // WITH HOLD cursors keep their rows past COMMIT
        drop_on_commit();
      } catch (...) {
        finish_transaction(false);
        throw;
      }
    }
    on_commit_drop_.clear();
    end_cursors();
    ++txn_serial_;  // the transaction's portals end with it
    auto txn = std::move(txn_);
    std::optional<SavedSettings> saved = std::move(saved_settings_);
    saved_settings_.reset();
    state_ = State::Idle;
    savepoints_.clear();
    statements_in_block_ = 0;
    if (!commit && saved) restore_settings(*saved);
    end_local_settings();
    // The DDL's table and name locks go once the transaction has ended (after its commit published the
    // catalog changes), also when the commit fails.
    struct ReleaseLocks {
      EngineSession& session;
      ~ReleaseLocks() { session.release_transaction_locks(); }
    } release_locks{*this};
    if (!txn) return;
    if (commit) {
      try {
        txn->commit();
      } catch (...) {
        if (saved) restore_settings(*saved);
        throw;
      }
    } else {
      txn->rollback();
    }
  }

  // Runs one statement. Outside a transaction the statement is its own transaction for the settings it
  // changes (set_config() in a SELECT): an error undoes them, and SET LOCAL / set_config(..., true)
  // values end with it.
  void run(const ast::Stmt& stmt, std::string_view text, pgwire::ResultWriter& out) {
    if (state_ != State::Idle) return run_statement(stmt, text, out);
    idle_saved_.reset();
    try {
      run_statement(stmt, text, out);
    } catch (...) {
      if (state_ == State::Idle && idle_saved_) restore_settings(*idle_saved_);
      idle_saved_.reset();
      throw;
    }
    idle_saved_.reset();
    if (state_ == State::Idle) end_local_settings();
  }

  void run_statement(const ast::Stmt& stmt, std::string_view text, pgwire::ResultWriter& out) {
    statement_out_ = &out;
    statement_started();
    if (state_ == State::Failed && stmt.kind != ast::StmtKind::Transaction)
      throw SqlError(SqlState::InFailedSqlTransaction,
                     "current transaction is aborted, commands ignored until end of transaction block");
    if (stmt.kind == ast::StmtKind::Insert || stmt.kind == ast::StmtKind::Update ||
        stmt.kind == ast::StmtKind::Delete || ast::has_data_modifying_with(stmt))
      settle_cursors();
    if (const char* what = writing_command(stmt)) check_writable(what);
    switch (stmt.kind) {
      case ast::StmtKind::Select:
      case ast::StmtKind::Insert:
      case ast::StmtKind::Update:
      case ast::StmtKind::Delete:
        return run_query(stmt, text, out);
      case ast::StmtKind::Explain:
        return run_explain(static_cast<const ast::ExplainStmt&>(stmt), text, out);
      case ast::StmtKind::CreateTable:
        return create_table(static_cast<const ast::CreateTableStmt&>(stmt), text, out);
      case ast::StmtKind::DropTable: {
        const auto& drop = static_cast<const ast::DropTableStmt&>(stmt);
        if (drop.sequence) return drop_sequence(drop, out);
        return drop_table(drop, out);
      }
      case ast::StmtKind::Transaction:
        return transaction(static_cast<const ast::TransactionStmt&>(stmt), out);
      case ast::StmtKind::Set:
        return set(static_cast<const ast::SetStmt&>(stmt), out);
      case ast::StmtKind::Show:
        return show(static_cast<const ast::ShowStmt&>(stmt), out);
      case ast::StmtKind::Prepare:
        return sql_prepare(static_cast<const ast::PrepareStmt&>(stmt), text, out);
      case ast::StmtKind::Execute:
        return sql_execute(static_cast<const ast::ExecuteStmt&>(stmt), out);
      case ast::StmtKind::Deallocate:
        return sql_deallocate(static_cast<const ast::DeallocateStmt&>(stmt), out);
      case ast::StmtKind::Discard:
        return sql_discard(static_cast<const ast::DiscardStmt&>(stmt), out);
      case ast::StmtKind::DeclareCursor:
        return sql_declare(static_cast<const ast::DeclareCursorStmt&>(stmt), text, out);
      case ast::StmtKind::Fetch:
        return sql_fetch(static_cast<const ast::FetchStmt&>(stmt), out);
      case ast::StmtKind::ClosePortal:
        return sql_close(static_cast<const ast::ClosePortalStmt&>(stmt), out);
      case ast::StmtKind::Copy:
        return run_copy(static_cast<const ast::CopyStmt&>(stmt), text, out);
      case ast::StmtKind::Vacuum:
        return vacuum(static_cast<const ast::VacuumStmt&>(stmt), out);
      case ast::StmtKind::Truncate:
        return truncate(static_cast<const ast::TruncateStmt&>(stmt), out);
      case ast::StmtKind::AlterTable:
        return alter_table(static_cast<const ast::AlterTableStmt&>(stmt), out);
      case ast::StmtKind::CreateIndex:
        return create_index(static_cast<const ast::CreateIndexStmt&>(stmt), out);
      case ast::StmtKind::DropIndex:
        return drop_index(static_cast<const ast::DropIndexStmt&>(stmt), out);
      case ast::StmtKind::CreateSequence:
        return create_sequence(static_cast<const ast::SequenceStmt&>(stmt), out);
      case ast::StmtKind::AlterSequence:
        return alter_sequence(static_cast<const ast::SequenceStmt&>(stmt), out);
      case ast::StmtKind::CreateView:
        return create_view(static_cast<const ast::CreateViewStmt&>(stmt), out);
      case ast::StmtKind::Lock:
        return lock_table(static_cast<const ast::LockStmt&>(stmt), out);
      case ast::StmtKind::Comment:
        return comment_on(static_cast<const ast::CommentStmt&>(stmt), out);
      case ast::StmtKind::AlterSchemaOwner:
        return alter_schema_owner(static_cast<const ast::AlterSchemaOwnerStmt&>(stmt), out);
      case ast::StmtKind::Schema:
        return schema_ddl(static_cast<const ast::SchemaStmt&>(stmt), out);
      case ast::StmtKind::Unsupported:
        throw_unsupported(static_cast<const ast::UnsupportedStmt&>(stmt).feature);
    }
    throw_unsupported("this statement");
  }

  // The tag PostgreSQL's PreventCommandIfReadOnly names for a utility statement that writes (DDL, COPY
  // FROM, TRUNCATE); null for the others. INSERT / UPDATE / DELETE and SELECT ... FOR UPDATE are checked
  // where they run (both protocols), nextval() and setval() when called.
  static const char* writing_command(const ast::Stmt& stmt) {
    switch (stmt.kind) {
      case ast::StmtKind::CreateTable: {
        const auto& create = static_cast<const ast::CreateTableStmt&>(stmt);
        if (!create.as_query) return "CREATE TABLE";
        return create.select_into ? "SELECT INTO" : "CREATE TABLE AS";
      }
      case ast::StmtKind::DropTable: {
        const auto& drop = static_cast<const ast::DropTableStmt&>(stmt);
        return drop.sequence ? "DROP SEQUENCE" : drop.view ? "DROP VIEW" : "DROP TABLE";
      }
      case ast::StmtKind::AlterTable:
        return "ALTER TABLE";
      case ast::StmtKind::CreateIndex:
        return "CREATE INDEX";
      case ast::StmtKind::DropIndex:
        return "DROP INDEX";
      case ast::StmtKind::CreateSequence:
        return "CREATE SEQUENCE";
      case ast::StmtKind::AlterSequence:
        return "ALTER SEQUENCE";
      case ast::StmtKind::CreateView:
        return "CREATE VIEW";
      case ast::StmtKind::Comment:
        return "COMMENT";
      case ast::StmtKind::AlterSchemaOwner:
        return "ALTER SCHEMA";
      case ast::StmtKind::Schema:
        return schema_command(static_cast<const ast::SchemaStmt&>(stmt));
      case ast::StmtKind::Truncate:
        return "TRUNCATE TABLE";
      case ast::StmtKind::Copy:
        return static_cast<const ast::CopyStmt&>(stmt).is_from ? "COPY FROM" : nullptr;
      default:
        return nullptr;
    }
  }

  // Statements that cannot run inside a transaction block (PostgreSQL's PreventInTransactionBlock): 25001.
  // A query string of several statements is one (implicit) transaction, as in PostgreSQL.
  void prevent_in_transaction(const char* what) {
    if (state_ == State::Implicit && batch_txn_ && batch_pipelining_)
      throw SqlError(SqlState::ActiveSqlTransaction,
                     std::string(what) + " cannot be executed within a pipeline");
    if (state_ == State::Block || state_ == State::Implicit)
      refuse_in_transaction(SqlError(SqlState::ActiveSqlTransaction,
                                     std::string(what) + " cannot run inside a transaction block"));
  }

  void transaction(const ast::TransactionStmt& stmt, pgwire::ResultWriter& out) {
    using K = ast::TransactionKind;
    if (state_ == State::Failed && stmt.txn_kind != K::Rollback && stmt.txn_kind != K::Commit &&
        stmt.txn_kind != K::RollbackToSavepoint)
      throw SqlError(SqlState::InFailedSqlTransaction,
                     "current transaction is aborted, commands ignored until end of transaction block");
    switch (stmt.txn_kind) {
      case K::Begin: {
        // As PostgreSQL: BEGIN inside a block warns and still applies its options, under the rules of
        // SET TRANSACTION (so a change of level after the first query fails with 25001 and aborts the
        // block). psycopg2's default mode sends BEGIN before the application's own BEGIN ISOLATION LEVEL.
        if (state_ == State::Block) {
          out.warning("25001", "there is already a transaction in progress");
          if (auto level = parse_isolation(stmt.isolation)) set_transaction_isolation(*level);
          if (stmt.read_only) set_transaction_read_only(*stmt.read_only);
        } else if (state_ == State::Implicit) {
          // BEGIN inside a multi-statement query makes its transaction explicit.
          if (auto level = parse_isolation(stmt.isolation)) set_transaction_isolation(*level);
          if (stmt.read_only) set_transaction_read_only(*stmt.read_only);
          state_ = State::Block;
          batch_txn_ = false;
        } else {
          open_transaction(State::Block, parse_isolation(stmt.isolation).value_or(default_isolation_),
                           stmt.read_only);
        }
        out.command_complete("BEGIN");
        return;
      }
      case K::Commit:
        if (state_ == State::Failed) {
          finish_transaction(false);
          out.command_complete("ROLLBACK");
          return;
        }
        if (state_ != State::Block)  // PostgreSQL warns in an implicit transaction too
          out.warning("25P01", "there is no transaction in progress");
        finish_transaction(true);
        out.command_complete("COMMIT");
        return;
      case K::Rollback:
        if (state_ != State::Block && state_ != State::Failed)
          out.warning("25P01", "there is no transaction in progress");
        finish_transaction(false);
        out.command_complete("ROLLBACK");
        return;
      case K::Savepoint:
        require_block("SAVEPOINT");
        txn_->set_memory_limit(transaction_memory_limit());  // the savepoint copies the write set
        savepoints_.push_back({stmt.savepoint_name, txn_->savepoint(), save_settings(), txn_read_only_});
        out.command_complete("SAVEPOINT");
        return;
      case K::Release: {
        require_block("RELEASE SAVEPOINT");
        size_t i = find_savepoint(stmt.savepoint_name);
        txn_->release(savepoints_[i].mark);
        txn_read_only_ = savepoints_[i].read_only;  // as PostgreSQL: the mode ends with the subtransaction
        savepoints_.resize(i);
        out.command_complete("RELEASE");
        return;
      }
      case K::RollbackToSavepoint: {
        require_block("ROLLBACK TO SAVEPOINT");
        size_t i = find_savepoint(stmt.savepoint_name);
        rollback_cursors(i + 1);  // cursors opened since the savepoint go; the others read no more
        txn_->rollback_to(savepoints_[i].mark);
        restore_settings(savepoints_[i].settings);
        txn_read_only_ = savepoints_[i].read_only;
        savepoints_.resize(i + 1);
        state_ = State::Block;
        out.command_complete("ROLLBACK");
        return;
      }
      case K::Other:
        break;
    }
    throw_unsupported("this transaction statement");
  }

  // LOCK TABLE (docs/mvcc.md, "LOCK TABLE"): ACCESS SHARE holds the tables' shared table locks until the
  // transaction ends, so no DDL changes or drops them meanwhile (what PostgreSQL's ACCESS SHARE conflicts
  // with: ACCESS EXCLUSIVE, which its DROP and most ALTER TABLE forms take); ACCESS EXCLUSIVE holds them
  // exclusively, as this transaction's own DDL would. The modes between (which conflict with writers,
  // not only with DDL) are 0A000.
  void lock_table(const ast::LockStmt& stmt, pgwire::ResultWriter& out) {
    static const char* const kModes[] = {
        "",      "ACCESS SHARE",        "ROW SHARE", "ROW EXCLUSIVE",   "SHARE UPDATE EXCLUSIVE",
        "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
    if (stmt.mode < 1 || stmt.mode > 8) throw_unsupported("this LOCK TABLE mode");
    if (state_ != State::Block && state_ != State::Implicit)
      throw SqlError(SqlState::NoActiveSqlTransaction, "LOCK TABLE can only be used in transaction blocks");
    const bool exclusive = stmt.mode == 8;
    if (stmt.mode != 1 && !exclusive)
      throw_unsupported(std::string("LOCK TABLE ... IN ") + kModes[stmt.mode] + " MODE");
    if (stmt.nowait) throw_unsupported("LOCK TABLE ... NOWAIT");
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    storage::Catalog& catalog = db_.store().catalog();
    auto resolve = [&] {
      std::vector<storage::TableDefPtr> defs;
      for (const ast::TableRef& t : stmt.tables) {
        storage::TableDefPtr def = find_table(t);
        if (!def) {
          if (catalog::find_system_table(t.schema, t.name))
            throw_unsupported("LOCK TABLE on a system catalog");
          if (t.schema.empty() && catalog.find_sequence(t.name, overlay()))
            throw SqlError(SqlState::WrongObjectType, "\"" + t.name + "\" is not a table or view");
          throw SqlError(
              SqlState::UndefinedTable,
              "relation \"" + (t.schema.empty() ? t.name : t.schema + "." + t.name) + "\" does not exist")
              .at(t.location + 1);
        }
        if (def->is_view()) throw_unsupported("LOCK TABLE on a view");
        defs.push_back(std::move(def));
      }
      return defs;
    };
    for (;;) {
      std::vector<storage::TableDefPtr> defs = resolve();
      std::vector<uint32_t> ids = table_ids(defs);
      if (exclusive) settle_cursors_using(ids);
      TableLocks::Held held = exclusive ? acquire_tables({}, ids, wait) : acquire_tables(ids, {}, wait);
      if (resolve() != defs) continue;  // changed or dropped while we waited: look again
      hold_to_end(std::move(held), exclusive ? ids : std::vector<uint32_t>{});
      break;
    }
    out.command_complete("LOCK TABLE");
  }

  void require_block(const char* what) {
    if (state_ != State::Block && state_ != State::Failed)
      throw SqlError(SqlState::NoActiveSqlTransaction,
                     std::string(what) + " can only be used in transaction blocks");
  }

  size_t find_savepoint(const std::string& name) {
    for (size_t i = savepoints_.size(); i-- > 0;)
      if (savepoints_[i].name == name) return i;
    throw SqlError(SqlState::InvalidSavepointSpecification, "savepoint \"" + name + "\" does not exist");
  }

  // `resolved`: where to note the user tables the binder looked up (also when planning fails).
  planner::PlannedStatement plan(const ast::Stmt& stmt,
                                 std::vector<storage::TableDefPtr>* resolved = nullptr) {
    planner::PlannerContext ctx;
    ctx.catalog = &db_.store().catalog();
    ctx.overlay = overlay();
    if (resolved)
      ctx.resolve_table = [this, resolved](std::string_view name) {
        storage::TableDefPtr t = db_.store().catalog().find(name, overlay());
        if (t) resolved->push_back(t);
        return t;
      };
    ctx.session = &session_info_;
    const dtsql::EvalContext dt_context = datetime();
    ctx.datetime = &dt_context;
    storage::Store* store = &db_.store();
    ctx.row_estimate = [store](uint32_t table_id) { return store->approximate_row_count(table_id); };
    ctx.eq_selectivity = [store](const storage::TableDef& table, int column) {
      return analyzed_eq_selectivity(*store, table, column);
    };
    ctx.sealed_blocks = [store](uint32_t table_id) { return store->sealed_info(table_id).blocks; };
    std::vector<const ast::Expr*> literals;
    if (tracing_literals(stmt)) {
      // The slots' literals, then the keywords (whose values the key fixes).
      for (const SimpleStatement::Slot& slot : simple_entry_->slots) literals.push_back(slot.constant);
      for (const ast::Expr* k : simple_entry_->keywords) literals.push_back(k);
      ctx.literals = &literals;
    }
    if (!explain_params_) return planner::plan_statement(stmt, ctx);
    // EXPLAIN of a prepared statement with parameters: plan with their types, show their values.
    std::vector<TypeId> types;
    for (const Value& v : *explain_params_) types.push_back(v.type());
    ctx.param_types = types;
    planner::PlannedStatement planned = planner::plan_statement(stmt, ctx);
    planned.params = planned.parameters(*explain_params_, datetime());
    return planned;
  }

  // The compiled code depends on the statement's structure (fingerprint), its parameter types and
  // plan-shaping literals (shape_key), and the tables it was bound to (catalog version).
  std::string cache_key(std::string_view text, const planner::PlannedStatement& planned) {
    std::string key = simple_fingerprint_ ? *simple_fingerprint_ : parser::fingerprint(text);
    if (!simple_fingerprint_) last_fingerprint_ = key;  // keep_simple keeps it
    if (key.empty()) key = std::string(text);  // cannot happen for text that parsed; stay correct anyway
    key += '\x1f';
    key += planned.shape_key;
    key += '\x1f';
    key += std::to_string(db_.store().catalog().version());
    if (const storage::CatalogOverlay* ov = overlay(); ov && !ov->empty()) {
      // Planned against this transaction's uncommitted catalog: never shared (its id is never reused;
      // every change of the overlay advances the catalog version).
      key += "\x1ftxn";
      key += std::to_string(ov->owner);
    }
    return key;
  }

  // ---- The simple protocol's statement cache (docs/architecture.md, "The simple protocol's statement
  // cache") ----
  // A SELECT / INSERT / UPDATE / DELETE that came as a simple Query and ran is kept parsed under its
  // statement key (parser::statement_key: the text with its literals replaced by markers of their kind).
  // The same text with other literal values takes the kept tree with the new values in its Constant
  // nodes (the values parse() would have made) instead of libpg_query's parse and fingerprint, then is
  // bound, planned and run as any statement (plan cache and compiled code included), or runs the plan kept
  // from such a run with params computed from the new values (run_kept_plan), so its types, plan,
  // answers and errors are those of the normal path. The tree depends on nothing the catalog or the session's
  // settings change (only the binder reads those), so nothing invalidates it; the plan kept with it
  // (SimpleStatement::Plan) is checked before each reuse.
  struct SimpleStatement {
    std::vector<ast::StmtPtr> parsed;  // one SELECT / INSERT / UPDATE / DELETE
    parser::StatementKey key;          // of the text it was parsed from: error positions are mapped
    std::string fingerprint;           // libpg_query's (the plan cache key)
    struct Slot {
      ast::Expr* constant;  // in `parsed`
      int literal;          // StatementKey::literals index of the token it was made from
      bool negated;         // the grammar folded the '-' before the number into it (-5)
    };
    std::vector<Slot> slots;
    std::vector<const ast::Expr*> keywords;  // Constants of TRUE / FALSE (in the key)
    // Literals the tree holds not as a Constant node of their own (the 5 of varchar(5), a cast's typmods):
    // another value is another tree, so they must be written the same.
    std::vector<std::pair<int, std::string>> fixed;
    // The plan made for this tree (with slots' constants traced: planner::PlannedStatement::literals), run
    // again with the params the next literal values give, without binding or planning, while nothing it was
    // made under changed (catalog version, search_path, settings) and the literals keep their types.
    struct Plan {
      planner::PlannedStatement planned;
      // Per param: the slot whose literal gives its value; -1: its value is kept (a NULL, TRUE / FALSE).
      std::vector<int> param_slots;
      // Slots whose literal is no param's value (ORDER BY 2, LIMIT's, a literal read while planning) or
      // several params': their texts as planned; another text is planned again.
      std::vector<std::pair<int, std::string>> fixed;
      std::string cache_key;
      std::shared_ptr<const codegen::CompiledPlan> compiled;
      uint64_t catalog_version = 0;
      std::shared_ptr<const std::vector<std::string>> search_path;
      uint64_t settings_epoch = 0;
    };
    std::optional<Plan> plan;
    bool plan_refused = false;  // a plan was made and cannot be reused: planned every time
  };
  static constexpr size_t kMaxSimpleStatements = 256;  // per session (then all forgotten)

  // Keeps `parsed` (the one statement `sql` parsed to, which ran) under `key` when every Constant the
  // transform made (`constants`) is a literal token of the key whose value is the one
  // parser::number_literal_value or the string's value gives, the minus before a number folded into one,
  // or TRUE / FALSE: a statement where any other is (a constant the grammar made itself) is not kept.
  void keep_simple(parser::StatementKey key, std::vector<ast::StmtPtr> parsed,
                   const std::vector<ast::Expr*>& constants, std::string_view sql) {
    if (parsed.size() != 1) return;
    const ast::StmtKind kind = parsed[0]->kind;
    if (kind != ast::StmtKind::Select && kind != ast::StmtKind::Insert && kind != ast::StmtKind::Update &&
        kind != ast::StmtKind::Delete)
      return;
    auto entry = std::make_unique<SimpleStatement>();
    std::vector<bool> used(key.literals.size(), false);
    for (ast::Expr* c : constants) {
      auto t = std::lower_bound(
          key.tokens.begin(), key.tokens.end(), c->location,
          [](const parser::KeyToken& tok, int loc) { return static_cast<int>(tok.begin) < loc; });
      if (c->location < 0 || t == key.tokens.end() || static_cast<int>(t->begin) != c->location) return;
      const size_t ti = static_cast<size_t>(t - key.tokens.begin());
      int literal = t->literal;
      bool negated = false;
      if (literal < 0 && sql.substr(t->begin, t->end - t->begin) == "-" && ti + 1 < key.tokens.size() &&
          key.tokens[ti + 1].literal >= 0) {
        literal = key.tokens[ti + 1].literal;
        negated = true;
      }
      if (literal < 0) {
        // TRUE / FALSE: the keyword is in the key.
        if (c->value.type() != TypeId::Bool) return;
        entry->keywords.push_back(c);
        continue;
      }
      std::optional<Value> v = simple_literal_value(key.literals[static_cast<size_t>(literal)], negated);
      if (!v || !(*v == c->value) || v->type() != c->value.type()) return;
      entry->slots.push_back({c, literal, negated});
      used[static_cast<size_t>(literal)] = true;
    }
    for (size_t i = 0; i < key.literals.size(); ++i)
      if (!used[i]) entry->fixed.emplace_back(static_cast<int>(i), key.literals[i].value);
    // The fingerprint run_query computed for the plan cache key (of the one statement that just ran).
    entry->fingerprint = std::move(last_fingerprint_);
    if (entry->fingerprint.empty()) return;
    entry->parsed = std::move(parsed);
    if (simple_statements_.size() >= kMaxSimpleStatements && !simple_statements_.count(key.key))
      simple_statements_.clear();
    std::string name = key.key;
    entry->key = std::move(key);
    simple_statements_[std::move(name)] = std::move(entry);
  }

  // The Constant value parse() makes for literal `l` (nothing if that is an error: the normal path reports
  // it).
  static std::optional<Value> simple_literal_value(const parser::KeyLiteral& l, bool negated) {
    if (l.kind == parser::KeyLiteral::Kind::String) {
      if (negated) return std::nullopt;
      return Value::text(l.value, TypeId::Unknown);
    }
    try {
      return parser::number_literal_value(l.value, negated);
    } catch (const SqlError&) {
      return std::nullopt;
    }
  }

  // Runs `sql` (whose key is `key`) with the tree of `entry`; false, before anything ran, when it cannot
  // (a literal written differently where the tree holds it, a literal value that is an error): then the
  // normal path runs it.
  bool run_simple(SimpleStatement& entry, const parser::StatementKey& key, std::string_view sql,
                  pgwire::ResultWriter& out) {
    for (const auto& [literal, value] : entry.fixed)
      if (key.literals[static_cast<size_t>(literal)].value != value) return false;
    std::vector<Value> values;
    values.reserve(entry.slots.size());
    for (const SimpleStatement::Slot& slot : entry.slots) {
      std::optional<Value> v =
          simple_literal_value(key.literals[static_cast<size_t>(slot.literal)], slot.negated);
      if (!v) return false;
      values.push_back(std::move(*v));
    }
    const ast::Stmt& stmt = *entry.parsed[0];
    if (out.on_io_thread() && stmt.kind != ast::StmtKind::Select) throw pgwire::RunOnWorker();
    for (size_t i = 0; i < values.size(); ++i) entry.slots[i].constant->value = std::move(values[i]);
    simple_fingerprint_ = &entry.fingerprint;
    simple_entry_ = &entry;
    simple_key_ = &key;
    struct Reset {
      EngineSession& s;
      ~Reset() {
        s.simple_fingerprint_ = nullptr;
        s.simple_entry_ = nullptr;
        s.simple_key_ = nullptr;
      }
    } reset{*this};
    try {
      run(stmt, sql, out);
    } catch (SqlError& e) {
      // Positions the binder took from the kept tree point into the text it was parsed from.
      if (e.position() > 0) std::move(e).at(parser::map_position(e.position(), entry.key, key, sql.size()));
      db_.count_simple_cache_hit();
      throw;
    }
    db_.count_simple_cache_hit();
    return true;
  }

  std::unordered_map<std::string, std::unique_ptr<SimpleStatement>> simple_statements_;
  const std::string* simple_fingerprint_ = nullptr;  // while a kept statement runs: its fingerprint
  std::string last_fingerprint_;                     // the last one cache_key computed
  // While a kept statement runs (run_simple): it and the key of its text.
  SimpleStatement* simple_entry_ = nullptr;
  const parser::StatementKey* simple_key_ = nullptr;
  uint64_t settings_epoch_ = 0;  // advanced by every change of a setting (apply_setting, restore_settings)

  // Whether `stmt` is the tree of the kept statement running now, planned with its literals traced.
  bool tracing_literals(const ast::Stmt& stmt) const {
    return simple_entry_ && !simple_entry_->plan_refused && &stmt == simple_entry_->parsed[0].get() &&
           !explain_params_;
  }

  // run_query of a kept statement's tree: runs its kept plan with the params of the new literal values
  // (true), or returns false before anything ran when it cannot (the caller plans).
  bool run_kept_plan(const ast::Stmt& stmt, pgwire::ResultWriter& out, std::string_view insert_tag,
                     std::chrono::steady_clock::time_point started) {
    SimpleStatement& entry = *simple_entry_;
    if (!entry.plan || &stmt != entry.parsed[0].get()) return false;
    SimpleStatement::Plan& p = *entry.plan;
    const storage::CatalogOverlay* ov = overlay();
    if (p.catalog_version != db_.store().catalog().version() || (ov && !ov->empty()) ||
        p.settings_epoch != settings_epoch_ || !same_path(p.search_path)) {
      entry.plan.reset();
      return false;
    }
    for (const auto& [literal, value] : p.fixed)
      if (simple_key_->literals[static_cast<size_t>(literal)].value != value) return false;
    std::vector<Value> params = p.planned.params;
    const dtsql::EvalContext dt = datetime();
    for (size_t i = 0; i < params.size(); ++i) {
      if (p.param_slots[i] < 0) continue;
      const SimpleStatement::Slot& slot = entry.slots[static_cast<size_t>(p.param_slots[i])];
      std::optional<Value> v;
      try {
        v = planner::literal_param_value(slot.constant->value, p.planned.literals[i], dt);
      } catch (const SqlError&) {
        return false;  // planning raises it, at its place
      }
      if (!v) return false;  // typed otherwise (int4 / int8 / numeric): another plan
      params[i] = std::move(*v);
    }
    TableLocks::Held table_locks;
    if (out.on_io_thread()) {
      if (!is_point_lookup(p.planned) || !ran_short(short_runs_, p.cache_key) ||
          !lock_without_wait(p.planned.tables, table_locks))
        throw pgwire::RunOnWorker();
      db_.count_io_thread_statement();
    } else {
      table_locks =
          acquire_tables(table_ids(p.planned.tables), {}, table_wait(started, out), shared_lock_mode(stmt));
      if (!still_current(p.planned.tables)) {
        entry.plan.reset();
        return false;
      }
    }
    db_.count_simple_plan_reuse();
    run_planned(stmt, p.planned, params, p.cache_key, p.compiled, out, insert_tag, started);
    return true;
  }

  // After run_query of a kept statement's tree planned it (`planned`, traced) and ran it: keeps the plan
  // for the next literal values when every param is a slot's literal's value or a value the key fixes (NULL,
  // TRUE / FALSE).
  void keep_plan(planner::PlannedStatement& planned, const std::string& key,
                 std::shared_ptr<const codegen::CompiledPlan> compiled, uint64_t catalog_version) {
    SimpleStatement& entry = *simple_entry_;
    const storage::CatalogOverlay* ov = overlay();
    if (entry.plan_refused || catalog_version != db_.store().catalog().version() || (ov && !ov->empty()) ||
        planned.literals.size() != planned.params.size() || !planned.param_types.empty())
      return;
    SimpleStatement::Plan p;
    std::vector<int> uses(entry.slots.size(), 0);
    for (size_t i = 0; i < planned.params.size(); ++i) {
      int slot = planned.literals[i].literal;
      if (slot >= static_cast<int>(entry.slots.size())) slot = -1;  // TRUE / FALSE: its value is kept
      if (slot < 0 && planned.literals[i].literal < 0) {
        if (!planned.params[i].is_null()) {
          entry.plan_refused = true;  // a value the binder made otherwise (a default, a derived one)
          return;
        }
      } else if (slot >= 0) {
        ++uses[static_cast<size_t>(slot)];
      }
      p.param_slots.push_back(slot);
    }
    for (size_t s = 0; s < entry.slots.size(); ++s) {
      if (uses[s] == 1) continue;
      const int literal = entry.slots[s].literal;
      p.fixed.emplace_back(literal, simple_key_->literals[static_cast<size_t>(literal)].value);
    }
    p.planned = std::move(planned);
    p.cache_key = key;
    p.compiled = std::move(compiled);
    p.catalog_version = catalog_version;
    p.search_path = search_path();
    p.settings_epoch = settings_epoch_;
    entry.plan = std::move(p);
  }
  bool same_path(const std::shared_ptr<const std::vector<std::string>>& path) const {
    const auto now = search_path();
    return path == now || (path && now && *path == *now);
  }

  // `insert_tag`: an INSERT's tag before its row count (CREATE TABLE AS says "SELECT ").
  void run_query(const ast::Stmt& stmt, std::string_view text, pgwire::ResultWriter& out,
                 std::string_view insert_tag = "INSERT 0 ") {
    const auto started = std::chrono::steady_clock::now();
    if (simple_entry_ && run_kept_plan(stmt, out, insert_tag, started)) return;
    // A kept statement's tree is planned with its literals traced (plan), to keep the plan (keep_plan).
    const bool trace = tracing_literals(stmt);
    const uint64_t catalog_version = db_.store().catalog().version();
    planner::PlannedStatement planned;
    TableLocks::Held table_locks;
    std::string key;
    std::shared_ptr<const codegen::CompiledPlan> compiled;
    if (out.on_io_thread()) {
      // Planning never waits here: a table another transaction's DDL holds fails the plan (then the pool
      // waits for it, see plan_locked); locks and code are taken only if at hand.
      std::vector<storage::TableDefPtr> resolved;
      try {
        planned = plan(stmt, &resolved);
      } catch (const SqlError&) {
        if (!resolved.empty()) throw pgwire::RunOnWorker();
        throw;
      }
      key = cache_key(text, planned);
      if (!is_point_lookup(planned) || !ran_short(short_runs_, key)) throw pgwire::RunOnWorker();
      compiled = db_.jit().cached(key, planned.plan);
      if (!compiled || !lock_without_wait(planned.tables, table_locks)) throw pgwire::RunOnWorker();
      db_.count_io_thread_statement();
    } else {
      table_locks = plan_locked(stmt, planned, table_wait(started, out));
      bool cache_hit = false;
      key = cache_key(text, planned);
      compiled = db_.jit().get_or_compile(key, planned.plan, &cache_hit, compile_wait(started, out));
    }
    run_planned(stmt, planned, planned.params, key, compiled, out, insert_tag, started);
    if (trace) keep_plan(planned, key, std::move(compiled), catalog_version);
  }

  // Runs `planned` (of `stmt`, compiled as `compiled` under plan cache key `key`, its tables locked) with
  // `params`.
  void run_planned(const ast::Stmt& stmt, const planner::PlannedStatement& planned,
                   const std::vector<Value>& params, const std::string& key,
                   const std::shared_ptr<const codegen::CompiledPlan>& compiled, pgwire::ResultWriter& out,
                   std::string_view insert_tag, std::chrono::steady_clock::time_point started) {
    runtime::ExecContext ctx;
    prepare_context(ctx, *compiled, params, out, started);
    std::unique_ptr<storage::Transaction> own_txn;
    storage::Transaction* txn = statement_transaction(own_txn);
    auto view = txn->statement_view();
    ctx.view = view.get();
    const bool select = stmt.kind == ast::StmtKind::Select && !planned.data_modifying_with;
    if (planned.locks_rows && planned.data_modifying_with)
      throw_unsupported("SELECT ... FOR UPDATE / SHARE with data-modifying statements in WITH");
    if (select && planned.locks_rows) {
      out.row_description(describe(planned));
      BufferedRows rows(out);
      std::optional<TextRowSink> sink;
      auto start = [&] {
        rows.clear();
        sink.emplace(rows, planned.plan.result_columns, output_style(), this);
        ctx.sink = &*sink;
      };
      start();
      check_writable("SELECT " + planned.lock_clause);
      execute_locking(*compiled, ctx, *txn, view, start);
      db_.jit().note_rows(key, *compiled, ctx.rows_scanned);
      rows.flush();
      out.command_complete("SELECT " + std::to_string(sink->rows()));
      return;
    }
    if (select) {
      TextRowSink sink(out, planned.plan.result_columns, output_style(), this);
      ctx.sink = &sink;
      out.row_description(describe(planned));
      codegen::execute(*compiled, ctx);
      db_.jit().note_rows(key, *compiled, ctx.rows_scanned);
      if (is_point_lookup(planned)) note_run(short_runs_, key, started);
      out.command_complete("SELECT " + std::to_string(sink.rows()));
      return;
    }
    // INSERT / UPDATE / DELETE ... RETURNING, and a SELECT with data-modifying WITH items: the rows are
    // held back until the statement has succeeded (and committed, outside a block), then described and
    // sent, as PostgreSQL runs such a portal to its end before it sends anything.
    const bool returning = !planned.plan.result_columns.empty();
    BufferedRows rows(out);
    std::optional<TextRowSink> sink;
    auto start = [&] {
      if (!returning) return;
      rows.clear();
      sink.emplace(rows, planned.plan.result_columns, output_style(), this);
      ctx.sink = &*sink;
    };
    start();
    uint64_t rows_scanned = 0;
    check_writable(planned.command);
    uint64_t affected = execute_write(*compiled, ctx, *txn, *view, &rows_scanned, out, started, start);
    db_.jit().note_rows(key, *compiled, rows_scanned);
    if (own_txn) own_txn->commit();
    if (planned.command == "SELECT") affected = sink ? sink->rows() : 0;
    if (returning) {
      out.row_description(describe(planned));
      rows.flush();
    }
    std::string tag = planned.command == "INSERT" ? std::string(insert_tag) : planned.command + " ";
    out.command_complete(tag + std::to_string(affected));
  }

  // ---- Short statements on the connection's I/O thread (pgwire::ResultWriter::on_io_thread) ----
  // Only a SELECT whose plan reads at most one row, by its whole primary key, runs there, and only once
  // its code is compiled, its previous run under the same cache key took less than
  // EngineOptions::short_statement_micros (--short-statement-us) and
  // its tables' locks can be taken without waiting; anything else throws pgwire::RunOnWorker before it
  // had an effect, and the server runs it on a worker. (A later run with a much costlier literal, say
  // repeat('x', 100000000) in the select list, can still run long once there: then the next one goes to
  // the pool.)
  static constexpr size_t kMaxShortRuns = 256;  // statements remembered per session (then forgotten)

  static bool is_point_lookup(const planner::PlannedStatement& planned) {
    const plan::PhysicalPlan& p = planned.plan;
    if (planned.command != "SELECT" || planned.locks_rows || !p.subplans.empty() || p.pipelines.size() != 1)
      return false;
    const plan::Op* source = p.pipelines[0].source;
    if (!source || source->kind != plan::OpKind::TableScan) return false;
    const auto& scan = static_cast<const plan::TableScanOp&>(*source);
    return !scan.range.eq.empty() && scan.range.eq.size() == scan.table->primary_key.size();
  }
  // Run times (microseconds) of point lookups by cache key: the simple protocol's (short_runs_) and
  // prepared statements' (PreparedStatement::short_runs).
  using ShortRuns = std::unordered_map<std::string, uint64_t>;
  bool ran_short(const ShortRuns& runs, const std::string& key) const {
    auto it = runs.find(key);
    return it != runs.end() && it->second < db_.options().short_statement_micros;
  }
  static void note_run(ShortRuns& runs, const std::string& key,
                       std::chrono::steady_clock::time_point started) {
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    if (runs.size() >= kMaxShortRuns && !runs.count(key)) runs.clear();
    runs[key] = static_cast<uint64_t>(micros.count());
  }
  // Locks `tables` (shared) into `held` if no DDL holds one now; false if it would have to wait. Checks
  // that the catalog still has these definitions (else false: the pool plans again).
  bool lock_without_wait(const std::vector<storage::TableDefPtr>& tables, TableLocks::Held& held) {
    std::vector<uint32_t> ids = table_ids(tables);
    ids.erase(
        std::remove_if(ids.begin(), ids.end(), [&](uint32_t id) { return txn_exclusive_.count(id) != 0; }),
        ids.end());
    if (!db_.table_locks().try_acquire(std::move(ids), held, session_info_.backend_pid)) return false;
    return still_current(tables);
  }
  ShortRuns short_runs_;

  // ---- COPY (the formats are in copy.cpp; docs/copy.md) ----

  void run_copy(const ast::CopyStmt& stmt, std::string_view text, pgwire::ResultWriter& out) {
    static const char* kHint =
        "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.";
    // OmenDB never touches the server's files or runs programs for a client: the privilege error a
    // PostgreSQL user without pg_read_server_files / pg_write_server_files gets.
    if (stmt.is_program)
      throw SqlError(
          SqlState::InsufficientPrivilege,
          "must be superuser or have privileges of the pg_execute_server_program role to COPY to or "
          "from an external program")
          .with_hint(kHint);
    if (!stmt.filename.empty())
      throw SqlError(SqlState::InsufficientPrivilege,
                     stmt.is_from
                         ? "must be superuser or have privileges of the pg_read_server_files role to "
                           "COPY from a file"
                         : "must be superuser or have privileges of the pg_write_server_files role to "
                           "COPY to a file")
          .with_hint(kHint);
    if (stmt.has_where) throw_unsupported("COPY FROM ... WHERE");
    if (stmt.query) {
      if (stmt.query->kind != ast::StmtKind::Select) throw_unsupported("COPY of a query other than SELECT");
      if (txn_) ++statements_in_block_;
      // The plan cache keys the query by the COPY statement's text (fingerprint: literals do not count).
      return copy_select_to(*stmt.query, text, stmt.options, {}, {}, "", out);
    }
    if (stmt.table.schema != "pg_catalog" && !name_scope(stmt.table.schema))
      throw SqlError(SqlState::UndefinedTable,
                     "relation \"" + stmt.table.schema + "." + stmt.table.name + "\" does not exist");
    // The table stays locked (TableLocks) until the COPY ends; found again if DDL changed it meanwhile.
    storage::TableDefPtr table;
    TableLocks::Held table_lock;
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    do {
      table = find_table(stmt.table);
      if (!table)
        throw SqlError(SqlState::UndefinedTable, "relation \"" + stmt.table.name + "\" does not exist");
      table_lock = acquire_tables({table->id}, {}, wait);
    } while (!still_current({table}));
    if (table->is_view()) {
      if (stmt.is_from)
        throw SqlError(SqlState::WrongObjectType, "cannot copy to view \"" + table->name + "\"")
            .with_hint("To enable copying to a view, provide an INSTEAD OF INSERT trigger.");
      throw SqlError(SqlState::WrongObjectType, "cannot copy from view \"" + table->name + "\"")
          .with_hint("Try the COPY (SELECT ...) TO variant.");
    }
    std::vector<std::string> table_columns;
    for (const auto& c : table->columns) table_columns.push_back(c.name);
    std::vector<int> columns;
    std::vector<std::string> names;
    if (stmt.columns.empty()) {
      for (size_t i = 0; i < table->columns.size(); ++i) columns.push_back(static_cast<int>(i));
      names = table_columns;
    } else {
      for (const std::string& n : stmt.columns) {
        int idx = table->find_column(n);
        if (idx < 0)
          throw SqlError(SqlState::UndefinedColumn,
                         "column \"" + n + "\" of relation \"" + table->name + "\" does not exist");
        if (std::find(columns.begin(), columns.end(), idx) != columns.end())
          throw SqlError(SqlState::DuplicateColumn, "column \"" + n + "\" specified more than once");
        columns.push_back(idx);
        names.push_back(n);
      }
    }
    if (!stmt.is_from) {
      std::string sql = "SELECT ";
      for (size_t i = 0; i < names.size(); ++i) sql += (i ? ", " : "") + quote_identifier(names[i]);
      sql += " FROM " + qualified_name(*table);
      table_lock.release();  // copy_select_to plans and locks on its own
      std::vector<ast::StmtPtr> parsed = parser::parse(sql);
      if (txn_) ++statements_in_block_;
      return copy_select_to(*parsed[0], sql, stmt.options, names, table_columns, table->name, out);
    }
    copy_from(stmt, *table, columns, names, table_columns, out);
  }

  static std::string quote_identifier(const std::string& name) {
    std::string q = "\"";
    for (char c : name) {
      q += c;
      if (c == '"') q += '"';
    }
    return q + "\"";
  }

  // COPY table TO STDOUT and COPY (SELECT ...) TO STDOUT: the query runs as any SELECT (compiled, plan
  // cached); its rows become CopyData messages. `columns` / `table_columns` / `relation` are empty for a
  // query (the result columns are what FORCE_QUOTE may name).
  void copy_select_to(const ast::Stmt& select, std::string_view text,
                      const std::vector<ast::CopyOption>& options, std::vector<std::string> columns,
                      std::vector<std::string> table_columns, const std::string& relation,
                      pgwire::ResultWriter& out) {
    const auto started = std::chrono::steady_clock::now();
    planner::PlannedStatement planned;
    TableLocks::Held table_locks = plan_locked(select, planned, table_wait(started, out));
    if (planned.data_modifying_with)
      throw_unsupported("COPY (query) TO with data-modifying statements in WITH");
    std::vector<TypeId> types;
    std::vector<std::string> names;
    for (const auto& c : planned.plan.result_columns) {
      types.push_back(c.type);
      names.push_back(c.name);
    }
    if (relation.empty()) columns = table_columns = names;
    copy::Options opt = copy::parse_options(options, false, columns, table_columns, relation);
    bool cache_hit = false;
    std::string key = cache_key(text, planned);
    auto compiled = db_.jit().get_or_compile(key, planned.plan, &cache_hit, compile_wait(started, out));
    runtime::ExecContext ctx;
    prepare_context(ctx, *compiled, planned.params, out, started);
    std::unique_ptr<storage::Transaction> own_txn;
    storage::Transaction* txn = statement_transaction(own_txn);
    auto view = txn->statement_view();
    ctx.view = view.get();
    copy::RowWriter writer(out, opt, types, output_style(), this);
    struct Sink final : runtime::RowSink {
      explicit Sink(copy::RowWriter& w) : writer(w) {}
      bool row(const Datum* values, size_t) override {
        writer.row(values);
        ++rows;
        return true;
      }
      copy::RowWriter& writer;
      uint64_t rows = 0;
    } sink(writer);
    ctx.sink = &sink;
    writer.begin(names);
    codegen::execute(*compiled, ctx);
    db_.jit().note_rows(key, *compiled, ctx.rows_scanned);
    writer.end();
    if (own_txn) own_txn->commit();
    out.command_complete("COPY " + std::to_string(sink.rows));
  }

  static constexpr uint64_t kCopySpillBytes = uint64_t{64} << 20;

  // COPY table FROM STDIN: streams the client's rows into the statement's writer, one row at a time, in
  // one transaction (the open block's, or its own that commits at the end): all rows or none. See
  // docs/copy.md for memory and the primary-key check.
  void copy_from(const ast::CopyStmt& stmt, const storage::TableDef& table, const std::vector<int>& columns,
                 const std::vector<std::string>& names, const std::vector<std::string>& table_columns,
                 pgwire::ResultWriter& out) {
    const auto started = std::chrono::steady_clock::now();
    copy::Options opt = copy::parse_options(stmt.options, true, names, table_columns, table.name);
    const bool binary = opt.format == copy::Format::Binary;
    const dtsql::EvalContext dt = datetime();  // date/time input: the session's zone and clock
    runtime::ExecContext ctx;                  // the statement's limits: memory, statement_timeout, cancel
    limit(ctx, started, out);
    ctx.cancel = out.cancel_flag();
    std::unique_ptr<storage::Transaction> own_txn;
    storage::Transaction* txn = statement_transaction(own_txn);
    auto view = txn->statement_view();
    auto writer = txn->writer(*view);
    set_action_hooks(*writer, *view, out, started);
    // A COPY that is its own transaction streams: its rows spill into storage past kCopySpillBytes (or a
    // quarter of omendb.transaction_memory_limit), so memory stays bounded for any input size.
    if (own_txn) writer->allow_spill(kCopySpillBytes);
    pgwire::CopyInStream& in = out.copy_in(binary ? 1 : 0, names.size());
    copy::RowReader reader(in, opt, table.name, names);
    std::vector<copy::Field> fields;
    std::vector<Datum> row(table.columns.size());
    std::vector<Value> holders(columns.size());
    for (Datum& d : row) {
      d = Datum{};
      d.is_null = 1;
    }
    // The columns the COPY does not read take their DEFAULTs, as in PostgreSQL.
    // A DEFAULT that is a sequence's nextval (SERIAL, identity) takes a value per row; the others are
    // computed once.
    std::vector<std::pair<int, std::string>> per_row;  // column, sequence text
    storage::TableDef once = table;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const std::string& d = table.columns[c].default_expr;
      if (d.find("nextval") == std::string::npos ||
          std::find(columns.begin(), columns.end(), static_cast<int>(c)) != columns.end())
        continue;
      std::string name;
      if (!nextval_default(d, &name))
        throw_unsupported("COPY into a table whose DEFAULT calls nextval() inside an expression");
      per_row.emplace_back(static_cast<int>(c), name);
      once.columns[c].default_expr.clear();
    }
    std::vector<Value> defaults = column_defaults(once, columns, *view, out, started);
    std::function<void(const Datum*)> check_row = copy_checks(table, *view, out, started);
    for (size_t c = 0; c < defaults.size(); ++c)
      if (!defaults[c].is_null()) row[c] = dtsql::to_datum(defaults[c]);
    uint64_t rows = 0;
    while (reader.next(fields)) {
      for (const auto& [c, name] : per_row) {
        row[static_cast<size_t>(c)].i64 = nextval(name);
        row[static_cast<size_t>(c)].is_null = 0;
      }
      for (size_t i = 0; i < columns.size(); ++i) {
        const int c = columns[static_cast<size_t>(i)];
        const TypeId type = table.columns[static_cast<size_t>(c)].type;
        Datum& d = row[static_cast<size_t>(c)];
        const copy::Field& f = fields[i];
        if (f.is_null) {
          d.is_null = 1;
          continue;
        }
        try {
          copy_value(f.value, type, binary, dt, d, holders[i]);
          // numeric(p, s) rounds and checks in its input function, as in PostgreSQL.
          if (type == TypeId::Numeric && table.columns[static_cast<size_t>(c)].max_length >= 0) {
            holders[i] = Value::numeric(
                num::apply_typmod(d.str.view(), table.columns[static_cast<size_t>(c)].max_length));
            datum_from_value(holders[i], type, d);
          }
          // varchar(n) / char(n): the assignment's length coercion, as INSERT's (the error names the
          // column, as PostgreSQL's input function's).
          const storage::ColumnDef& column = table.columns[static_cast<size_t>(c)];
          if (column.max_length >= 0 && (type == TypeId::Text || type == TypeId::Unknown))
            d.str.len = textsql::char_assign_length(d.str.view(), column.max_length);
          if (column.max_length >= 0 && type == TypeId::BpChar) {
            holders[i] = Value::text(textsql::bpchar_typmod(d.str.view(), column.max_length, false), type);
            datum_from_value(holders[i], type, d);
          }
          if (column.max_length >= 0 && type == TypeId::Interval) {  // interval hour to minute ...
            const dt::Interval iv =
                binary ? dt::interval_apply_typmod({d.i64, d.dm.day, d.dm.month}, column.max_length)
                       : dt::interval_in_typmod(f.value, column.max_length);
            d.i64 = iv.time;
            d.dm.day = iv.day;
            d.dm.month = iv.month;
          }
        } catch (SqlError& e) {
          // An invalid byte sequence is reported on the line (PostgreSQL checks the encoding there).
          bool line = !binary && e.state() == SqlState::CharacterNotInRepertoire;
          throw std::move(e).with_context(binary ? reader.context_line_number() + ", column " + names[i]
                                          : line ? reader.context_line()
                                                 : reader.context_column(i, f));
        }
      }
      try {
        if (check_row) check_row(row.data());
        writer->insert(table, row.data());  // counted against omendb.transaction_memory_limit (53200)
      } catch (SqlError& e) {
        // As PostgreSQL: a unique violation is found when the buffered rows are inserted (the line
        // number only); the other checks run on the row being read (with its text).
        bool line_only = binary || e.state() == SqlState::UniqueViolation;
        throw std::move(e).with_context(line_only ? reader.context_line_number() : reader.context_line());
      }
      ++rows;
      if ((rows & 255) == 0 && !ctx.check_interrupts()) ctx.raise_if_failed();
    }
    writer->apply();
    if (own_txn) own_txn->commit();
    out.command_complete("COPY " + std::to_string(rows));
  }

  // Whether a DEFAULT is exactly nextval('name'[::regclass]) (as SERIAL and identity columns have it);
  // the name's text in *name.
  static bool nextval_default(const std::string& d, std::string* name) {
    const std::string prefix = "nextval('";
    if (!d.starts_with(prefix)) return false;
    std::string text;
    size_t i = prefix.size();
    for (; i < d.size(); ++i) {
      if (d[i] == '\'') {
        if (i + 1 < d.size() && d[i + 1] == '\'') {
          text += '\'';
          ++i;
          continue;
        }
        break;
      }
      text += d[i];
    }
    std::string rest = i < d.size() ? d.substr(i + 1) : "";
    if (rest != ")" && rest != "::regclass)") return false;
    *name = text;
    return true;
  }

  // What `writer`'s foreign-key actions need of the engine, per row they change: the DEFAULTs of SET
  // DEFAULT (column_defaults() of the table at `view`) and the table's CHECK constraints (copy_checks()).
  void set_action_hooks(storage::StatementWriter& writer, const storage::ReadView& view,
                        pgwire::ResultWriter& out, std::chrono::steady_clock::time_point started) {
    writer.set_defaults([this, &view, &out, started](const storage::TableDef& table) {
      return column_defaults(table, {}, view, out, started);
    });
    writer.set_row_checks([this, &view, &out, started](const storage::TableDef& table, const Datum* row) {
      if (auto check = copy_checks(table, view, out, started)) check(row);
    });
  }

  // The DEFAULT of every column of `table` that `read` does not list (NULL for the others and for columns
  // without one), computed by the compiled plan of planner::plan_column_defaults. PostgreSQL evaluates a
  // default per row; here it is evaluated once per COPY, which is the same for constants and for now(),
  // CURRENT_TIMESTAMP and current_date (the transaction's start), not for clock_timestamp().
  std::vector<Value> column_defaults(const storage::TableDef& table, const std::vector<int>& read,
                                     const storage::ReadView& view, pgwire::ResultWriter& out,
                                     std::chrono::steady_clock::time_point started) {
    std::vector<Value> values(table.columns.size());
    std::vector<int> wanted;
    for (size_t c = 0; c < table.columns.size(); ++c)
      if (!table.columns[c].default_expr.empty() &&
          std::find(read.begin(), read.end(), static_cast<int>(c)) == read.end())
        wanted.push_back(static_cast<int>(c));
    if (wanted.empty()) return values;
    planner::PlannerContext pctx;
    pctx.catalog = &db_.store().catalog();
    pctx.session = &session_info_;
    const dtsql::EvalContext dt_context = datetime();
    pctx.datetime = &dt_context;
    planner::PlannedStatement planned = planner::plan_column_defaults(table, wanted, pctx);
    std::string key =
        "\x1f"
        "COPY defaults of " +
        std::to_string(table.id) + ":";
    for (int c : wanted) key += std::to_string(c) + ",";
    key += '\x1f';
    key += planned.shape_key;
    key += '\x1f';
    key += std::to_string(db_.store().catalog().version());
    bool cache_hit = false;
    auto compiled = db_.jit().get_or_compile(key, planned.plan, &cache_hit, compile_wait(started, out));
    runtime::ExecContext ctx;
    prepare_context(ctx, *compiled, planned.params, out, started);
    ctx.view = &view;
    struct Sink final : runtime::RowSink {
      Sink(const storage::TableDef& t, const std::vector<int>& w, std::vector<Value>& v)
          : table(t), wanted(w), values(v) {}
      bool row(const Datum* d, size_t count) override {
        for (size_t i = 0; i < count && i < wanted.size(); ++i) {
          const int c = wanted[i];
          values[static_cast<size_t>(c)] =
              dtsql::from_datum(table.columns[static_cast<size_t>(c)].type, d[i]);
        }
        return true;
      }
      const storage::TableDef& table;
      const std::vector<int>& wanted;
      std::vector<Value>& values;
    } sink(table, wanted, values);
    ctx.sink = &sink;
    codegen::execute(*compiled, ctx);
    return values;
  }

  // The CHECK constraints of `table` as a function of one row (Datums in `table`'s columns): the index in
  // table.checks of the first one the row makes FALSE, or -1. Runs the compiled predicates
  // (planner::plan_copy_checks) with the row as parameters; null for a table without checks. `view`
  // (may be null: a CHECK reads no table) is the statement's.
  std::function<int(const Datum*)> row_checks(const storage::TableDef& table, const storage::ReadView* view,
                                              pgwire::ResultWriter& out,
                                              std::chrono::steady_clock::time_point started) {
    if (table.checks.empty()) return {};
    planner::PlannerContext pctx;
    pctx.catalog = &db_.store().catalog();
    pctx.session = &session_info_;
    const dtsql::EvalContext dt_context = datetime();
    pctx.datetime = &dt_context;
    auto planned = std::make_shared<planner::PlannedStatement>(planner::plan_copy_checks(table, pctx));
    std::string key =
        "\x1f"
        "COPY checks of " +
        std::to_string(table.id) + "\x1f" + planned->shape_key + "\x1f" +
        std::to_string(db_.store().catalog().version());
    bool cache_hit = false;
    std::shared_ptr<const codegen::CompiledPlan> compiled =
        db_.jit().get_or_compile(key, planned->plan, &cache_hit, compile_wait(started, out));
    std::vector<TypeId> types;
    for (const storage::ColumnDef& c : table.columns) types.push_back(c.type);
    return [this, types, view, &out, started, planned, compiled](const Datum* row) {
      std::vector<Value> values;
      for (size_t c = 0; c < types.size(); ++c) values.push_back(dtsql::from_datum(types[c], row[c]));
      runtime::ExecContext ctx;
      prepare_context(ctx, *compiled, planned->parameters(values, datetime()), out, started);
      ctx.view = view;
      struct Sink final : runtime::RowSink {
        int failed = -1;
        bool row(const Datum* d, size_t count) override {
          for (size_t i = 0; i < count && failed < 0; ++i)
            if (!d[i].is_null && d[i].i64 == 0) failed = static_cast<int>(i);
          return true;
        }
      } sink;
      ctx.sink = &sink;
      codegen::execute(*compiled, ctx);
      ctx.raise_if_failed();
      return sink.failed;
    };
  }

  // COPY FROM into a table with CHECK constraints (and a foreign-key action's changed row): a function that
  // fails a row that breaks one (23514, or 23502 first for a NULL in a NOT NULL column). Null for a table
  // without checks.
  std::function<void(const Datum*)> copy_checks(const storage::TableDef& table, const storage::ReadView& view,
                                                pgwire::ResultWriter& out,
                                                std::chrono::steady_clock::time_point started) {
    auto checks = row_checks(table, &view, out, started);
    if (!checks) return {};
    return [&table, checks](const Datum* row) {
      if (const int failed = checks(row); failed >= 0)
        throw storage::check_violation_error(table, static_cast<size_t>(failed), row);
    };
  }

  // One input field into the row's Datum: PostgreSQL's input function of the column's type (the
  // planner's value_from_text, the one place for it; plain integers and decimals take a fast path that
  // accepts only what that function would accept with the same value), or the binary receive format.
  static void copy_value(std::string_view v, TypeId type, bool binary, const dtsql::EvalContext& dt, Datum& d,
                         Value& holder) {
    d.is_null = 0;
    if (binary) {
      try {
        holder = decode_param(v, 1, type_oid(type), type, 0, dt);
      } catch (SqlError& e) {
        // PostgreSQL's messages: too short is 08P01 "insufficient data left in message" (decode_param's
        // too), too long 22P03 "incorrect binary data format".
        if (e.state() == SqlState::InvalidBinaryRepresentation)
          throw SqlError(SqlState::InvalidBinaryRepresentation, "incorrect binary data format");
        throw;
      }
      return datum_from_value(holder, type, d);
    }
    copy::check_utf8(v);
    switch (type) {
      case TypeId::Text:
      case TypeId::Unknown:
        d.str = StrRef{v.data(), v.size()};
        return;
      case TypeId::Int32:
      case TypeId::Int64: {
        size_t digits = v.size() - (!v.empty() && v[0] == '-' ? 1 : 0);
        if (digits > 0 && digits <= 18) {
          int64_t x = 0;
          auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
          if (ec == std::errc() && ptr == v.data() + v.size() &&
              (type == TypeId::Int64 || (x >= INT32_MIN && x <= INT32_MAX))) {
            d.i64 = x;
            return;
          }
        }
        break;
      }
      case TypeId::Float64: {
        bool plain = !v.empty() && v.size() < 32;
        for (char c : v)
          plain = plain && (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-');
        double x = 0;
        if (plain) {
          auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
          if (ec == std::errc() && ptr == v.data() + v.size()) {
            d.f64 = x;
            return;
          }
        }
        break;
      }
      default:
        break;
    }
    holder = planner::value_from_text(std::string(v), type, dt);
    datum_from_value(holder, type, d);
  }

  // The Datum of a value COPY read (its text stays in the Value); every type's fields, an interval's days
  // and months too.
  static void datum_from_value(const Value& v, TypeId, Datum& d) { d = dtsql::to_datum(v); }

  void run_explain(const ast::ExplainStmt& explain, std::string_view text, pgwire::ResultWriter& out) {
    const auto started = std::chrono::steady_clock::now();
    if (explain.analyze) return run_explain_analyze(explain, text, out, started);
    if (!explain.unknown_options.empty())
      throw_unsupported("EXPLAIN option \"" + explain.unknown_options[0] + "\"");
    const ast::Stmt& inner = *explain.stmt;
    if (inner.kind != ast::StmtKind::Select && inner.kind != ast::StmtKind::Insert &&
        inner.kind != ast::StmtKind::Update && inner.kind != ast::StmtKind::Delete)
      throw_unsupported("EXPLAIN of this statement");
    if (txn_) ++statements_in_block_;                 // PostgreSQL's EXPLAIN takes a snapshot: it is a query
    planner::PlannedStatement planned = plan(inner);  // reads no rows: needs no table locks
    std::vector<std::string> lines = planner::explain(planned.plan, planned.params);
    if (explain.codegen) {
      // The cache key is the inner statement's, so EXPLAIN (CODEGEN) tells whether that statement's
      // code is cached (and compiles and caches it if not).
      std::string_view inner_text = text;
      if (inner.location > 0 && static_cast<size_t>(inner.location) < text.size())
        inner_text = text.substr(static_cast<size_t>(inner.location));
      else if (auto paren = text.find(')'); paren != std::string_view::npos)
        inner_text = text.substr(paren + 1);
      bool cache_hit = false;
      auto compiled = db_.jit().get_or_compile(cache_key(inner_text, planned), planned.plan, &cache_hit,
                                               compile_wait(started, out));
      for (size_t i = 0; i < compiled->stats.size(); ++i) {
        const codegen::PipelineStats& s = compiled->stats[i];
        // A pipeline over the compile budget says why it got the cheap tier (docs/architecture.md).
        lines.push_back("Pipeline " + std::to_string(i) +
                        ": IR instructions: " + std::to_string(s.ir_instructions) + " (generated " +
                        std::to_string(s.generated_ir_instructions) + "), optimization: " + s.opt_level +
                        (s.fallback.empty() ? "" : " (budget: " + s.fallback + ")") +
                        ", compile: " + planner::format_ms(s.compile_ms) +
                        " ms, machine code: " + std::to_string(s.machine_code_bytes) +
                        " bytes, cache: " + (cache_hit ? "hit" : "miss"));
      }
    }
    send_text_rows(out, "QUERY PLAN", lines);
    out.command_complete("EXPLAIN");
  }

  // EXPLAIN ANALYZE of a SELECT: runs it (its rows are counted, not sent) with code that counts the rows
  // each operator passes on, then prints the plan with each operator's actual rows, each pipeline's time,
  // what each table scan read (sealed blocks read and skipped, rows from blocks and from the row store;
  // docs/columnar.md, "Observability"), the rows and the execution time.
  void run_explain_analyze(const ast::ExplainStmt& explain, std::string_view text, pgwire::ResultWriter& out,
                           std::chrono::steady_clock::time_point started) {
    if (!explain.unknown_options.empty())
      throw_unsupported("EXPLAIN option \"" + explain.unknown_options[0] + "\"");
    if (explain.codegen) throw_unsupported("EXPLAIN (ANALYZE, CODEGEN)");
    const ast::Stmt& inner = *explain.stmt;
    if (inner.kind != ast::StmtKind::Select) throw_unsupported("EXPLAIN ANALYZE of this statement");
    if (txn_) ++statements_in_block_;
    std::string_view inner_text = text;
    if (inner.location > 0 && static_cast<size_t>(inner.location) < text.size())
      inner_text = text.substr(static_cast<size_t>(inner.location));
    planner::PlannedStatement planned;
    TableLocks::Held table_locks = plan_locked(inner, planned, table_wait(started, out));
    if (planned.locks_rows) throw_unsupported("EXPLAIN ANALYZE of SELECT ... FOR UPDATE / SHARE");
    if (planned.data_modifying_with)
      throw_unsupported("EXPLAIN ANALYZE of a statement with data-modifying statements in WITH");
    planner::count_operator_rows(planned);  // its own code: the counters cost nothing elsewhere
    bool cache_hit = false;
    std::string key = cache_key(inner_text, planned);
    auto compiled = db_.jit().get_or_compile(key, planned.plan, &cache_hit, compile_wait(started, out));
    runtime::ExecContext ctx;
    prepare_context(ctx, *compiled, planned.params, out, started);
    ctx.time_pipelines = true;
    std::unique_ptr<storage::Transaction> own_txn;
    storage::Transaction* txn = statement_transaction(own_txn);
    auto view = txn->statement_view();
    ctx.view = view.get();
    struct CountingSink final : runtime::RowSink {
      uint64_t rows = 0;
      bool row(const Datum*, size_t) override {
        ++rows;
        return true;
      }
    } sink;
    ctx.sink = &sink;
    const auto run_started = std::chrono::steady_clock::now();
    codegen::execute(*compiled, ctx);
    const double run_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - run_started).count();
    planner::ExplainActuals actuals;
    actuals.op_rows = &ctx.op_rows;
    if (explain.summary) actuals.pipeline_ms = &ctx.pipeline_ms;  // (SUMMARY off: no times)
    std::vector<std::string> lines = planner::explain(planned.plan, planned.params, actuals);
    for (size_t i = 0; i < ctx.scans.size(); ++i) {
      const runtime::ScanSlot& slot = ctx.scans[i];
      if (!slot.spec.table || catalog::is_system_table(slot.spec.table->id)) continue;
      storage::ScanStats st = slot.done;
      if (slot.cursor) st += slot.cursor->stats();
      std::string line = "Scan of " + slot.spec.table->name + ": rows from sealed blocks " +
                         std::to_string(st.sealed_rows) + ", from the row store " +
                         std::to_string(st.row_store_rows) + "; sealed blocks read " +
                         std::to_string(st.blocks_read) + ", skipped " + std::to_string(st.blocks_skipped);
      if (st.headers_read > 0) line += ", headers read " + std::to_string(st.headers_read);
      if (slot.opens != 1) line += " (" + std::to_string(slot.opens) + " scans)";
      lines.push_back(std::move(line));
    }
    lines.push_back("Rows: " + std::to_string(sink.rows));
    if (explain.summary) lines.push_back("Execution Time: " + planner::format_ms(run_ms) + " ms");
    send_text_rows(out, "QUERY PLAN", lines);
    out.command_complete("EXPLAIN");
  }

  // VACUUM [table, ...]: seals each table's settled rows into column blocks (docs/columnar.md), then
  // compacts its row range. As in PostgreSQL it cannot run inside a transaction block (25001). With the
  // ANALYZE option, and as ANALYZE [table [(columns)], ...] (inside a transaction block too), gathers the
  // tables' statistics after (docs/schema.md, "ANALYZE").
  void vacuum(const ast::VacuumStmt& stmt, pgwire::ResultWriter& out) {
    if (stmt.vacuum && in_transaction()) prevent_in_transaction("VACUUM");
    const char* verb = stmt.vacuum ? "vacuum" : "analyze";
    storage::Catalog& catalog = db_.store().catalog();
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    std::vector<storage::TableDefPtr> tables;
    std::vector<std::vector<std::string>> columns;  // per listed table
    if (stmt.tables.empty()) {
      tables = catalog.tables(overlay());
      columns.resize(tables.size());
    } else {
      for (size_t i = 0; i < stmt.tables.size(); ++i) {
        const ast::TableRef& t = stmt.tables[i];
        storage::TableDefPtr def = find_table(t);
        if (!def) {
          // A system catalog: nothing of its own to seal or count (its rows are computed), so nothing to do
          // for a table, a warning for a view, as PostgreSQL's for views.
          if (storage::TableDefPtr sys = catalog::find_system_table(t.schema, t.name)) {
            if (catalog::system_relation_kind(*sys) == 'v')
              out.warning("01000", "skipping \"" + t.name + "\" --- cannot " + verb +
                                       " non-tables or special system tables");
            continue;
          }
          throw SqlError(SqlState::UndefinedTable, "relation \"" + t.name + "\" does not exist");
        }
        if (def->is_view()) {  // no rows of its own
          out.warning("01000", "skipping \"" + def->name + "\" --- cannot " + verb +
                                   " non-tables or special system tables");
          continue;
        }
        columns.push_back(i < stmt.columns.size() ? stmt.columns[i] : std::vector<std::string>{});
        if (stmt.analyze) analyzed_columns(*def, columns.back());  // errors before any table is done
        tables.push_back(std::move(def));
      }
    }
    for (size_t i = 0; i < tables.size(); ++i) {
      const storage::TableDefPtr& listed = tables[i];
      TableLocks::Held table_lock = acquire_tables({listed->id}, {}, wait);  // no DDL meanwhile
      storage::TableDefPtr def = catalog.find(listed->id, overlay());  // as it is now (ids are never reused)
      if (!def) {
        if (stmt.tables.empty()) continue;  // dropped meanwhile
        throw SqlError(SqlState::UndefinedTable, "relation \"" + listed->name + "\" does not exist");
      }
      if (def->is_view()) continue;  // no rows of its own (warned above when listed)
      const std::vector<int> analyzed =
          stmt.analyze ? analyzed_columns(*def, columns[i]) : std::vector<int>{};
      if (stmt.vacuum) seal_for_vacuum(stmt, def, wait, out);
      if (stmt.analyze) analyze_one(def, analyzed, stmt.verbose, wait, out);
    }
    out.command_complete(stmt.vacuum ? "VACUUM" : "ANALYZE");
  }

  void seal_for_vacuum(const ast::VacuumStmt& stmt, const storage::TableDefPtr& def,
                       const storage::LockWait& wait, pgwire::ResultWriter& out) {
    if (!storage::Store::sealable(*def)) {  // interval or array columns: the table stays in the row store
      if (!stmt.tables.empty() || stmt.verbose)
        out.notice("00000", "\"" + def->name +
                                "\": not sealed: column blocks do not take interval or array columns yet");
      return;
    }
    // Cancel and statement_timeout stop the seal between units of work and the compaction (57014);
    // tables sealed before stay sealed, the one interrupted keeps its whole steps (docs/columnar.md).
    storage::Store::SealOptions seal_options;
    seal_options.cancel = wait.cancel;
    seal_options.deadline = wait.deadline;
    storage::Store::SealResult r = db_.store().seal(def->id, seal_options);
    if (r.versions_sealed > 0)  // the replaced versions leave the disk
      db_.store().compact_table(def->id, wait.cancel, wait.deadline);
    if (stmt.verbose)
      out.notice("00000", "\"" + def->name + "\": " + std::to_string(r.rows) + " rows sealed in " +
                              std::to_string(r.blocks) + " blocks (" + std::to_string(r.bytes) + " bytes), " +
                              std::to_string(r.versions_kept) + " newer row versions kept");
  }

  // ANALYZE's column list as indexes into def's columns (every column when empty): 42703 for a column the
  // table lacks, 42701 for one listed twice, as PostgreSQL.
  static std::vector<int> analyzed_columns(const storage::TableDef& def,
                                           const std::vector<std::string>& names) {
    std::vector<int> out;
    if (names.empty()) {
      for (size_t c = 0; c < def.columns.size(); ++c) out.push_back(static_cast<int>(c));
      return out;
    }
    for (const std::string& name : names) {
      int c = def.find_column(name);
      if (c < 0)
        throw SqlError(SqlState::UndefinedColumn,
                       "column \"" + name + "\" of relation \"" + def.name + "\" does not exist");
      if (std::find(out.begin(), out.end(), c) != out.end())
        throw SqlError(SqlState::DuplicateColumn,
                       "column \"" + name + "\" of relation \"" + def.name + "\" appears more than once");
      out.push_back(c);
    }
    return out;
  }

  // Gathers def's statistics from what this statement's snapshot sees and keeps them with those of the
  // columns not analyzed now (docs/schema.md, "ANALYZE"). Plans compiled before are kept: statistics
  // change estimates (EXPLAIN, the JIT tier), not which plans are correct.
  void analyze_one(const storage::TableDefPtr& def, const std::vector<int>& columns, bool verbose,
                   const storage::LockWait& wait, pgwire::ResultWriter& out) {
    const std::string qualified = ref_of(*def).schema + "." + def->name;
    if (verbose) out.info("00000", "analyzing \"" + qualified + "\"");
    std::unique_ptr<storage::Transaction> own_txn;
    storage::Transaction* txn = statement_transaction(own_txn);
    std::unique_ptr<storage::ReadView> view = txn->statement_view();
    server::AnalyzeResult r = server::analyze_table(*view, def, columns, wait.cancel, wait.deadline);
    view.reset();
    if (own_txn) own_txn->rollback();
    r.stats.analyzed_unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    if (auto old = db_.store().table_stats(def->id)) {  // the other columns keep theirs
      for (const storage::ColumnStats& c : old->columns) {
        const bool analyzed_now = std::any_of(columns.begin(), columns.end(), [&](int i) {
          return def->columns[static_cast<size_t>(i)].name == c.column;
        });
        if (!analyzed_now && def->find_column(c.column) >= 0) r.stats.columns.push_back(c);
      }
    }
    const uint64_t rows = static_cast<uint64_t>(r.stats.reltuples);
    db_.store().set_table_stats(def->id, std::move(r.stats));
    if (verbose)
      out.info("00000", "\"" + def->name + "\": " + std::to_string(rows) + " live rows read, " +
                            std::to_string(r.sampled) + " rows in sample, " + std::to_string(rows) +
                            " estimated total rows");
  }

  // TRUNCATE: part of the transaction (inside a block too), committed as docs/schema.md describes. No
  // foreign keys exist, so CASCADE changes nothing. RESTART IDENTITY restarts the sequences the tables
  // own once the truncation committed; sequences are not transactional, so not inside a block (0A000).
  void truncate(const ast::TruncateStmt& stmt, pgwire::ResultWriter& out) {
    if (stmt.restart_identity && state_ != State::Idle)
      refuse_in_transaction("TRUNCATE ... RESTART IDENTITY inside a transaction block");
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    auto resolve = [&] {  // all checked first: a failing TRUNCATE truncates nothing
      std::vector<storage::TableDefPtr> defs;
      for (const ast::TableRef& t : stmt.tables) {
        storage::TableDefPtr def = find_table(t);
        if (!def)
          throw SqlError(
              SqlState::UndefinedTable,
              "relation \"" + (t.schema.empty() ? t.name : t.schema + "." + t.name) + "\" does not exist")
              .at(t.location + 1);
        if (def->is_view()) throw SqlError(SqlState::WrongObjectType, "\"" + t.name + "\" is not a table");
        defs.push_back(std::move(def));
      }
      return defs;
    };
    // Shared table locks, as a writing statement's: no DDL changes or drops the tables meanwhile. The
    // truncation itself happens at COMMIT, ordered with other commits (docs/schema.md).
    for (;;) {
      std::vector<storage::TableDefPtr> defs = resolve();
      TableLocks::Held locks = acquire_tables(table_ids(defs), {}, wait);
      if (resolve() != defs) continue;  // changed while we waited: look again
      for (const storage::TableDefPtr& def : defs) {
        auto refs = referencing(def->id, table_ids(defs));
        if (refs.empty()) continue;
        if (stmt.cascade) throw_unsupported("TRUNCATE ... CASCADE");
        throw SqlError(SqlState::FeatureNotSupported,
                       "cannot truncate a table referenced in a foreign key constraint")
            .with_detail("Table \"" + refs[0].first->name + "\" references \"" + def->name + "\".")
            .with_hint("Truncate table \"" + refs[0].first->name +
                       "\" at the same time, or use TRUNCATE ... CASCADE.");
      }
      std::unique_ptr<storage::Transaction> own_txn;
      storage::Transaction* txn = statement_transaction(own_txn);
      for (const storage::TableDefPtr& def : defs) txn->truncate(*def);
      if (own_txn) own_txn->commit();
      if (stmt.restart_identity) {
        storage::Catalog& catalog = db_.store().catalog();
        for (const storage::SequenceDefPtr& seq : catalog.sequences(overlay()))
          for (const storage::TableDefPtr& def : defs)
            if (seq->owner_table == def->id) catalog.alter_sequence(*seq, seq->start);
      }
      break;
    }
    out.command_complete("TRUNCATE TABLE");
  }

  static const char* alter_tag(const ast::AlterTableStmt& stmt) {
    return stmt.view ? "ALTER VIEW" : stmt.sequence ? "ALTER SEQUENCE" : "ALTER TABLE";
  }

  // ALTER ... of a relation that does not exist: 42P01, or with IF EXISTS a notice and the command's tag.
  static void missing_relation(const ast::AlterTableStmt& stmt, pgwire::ResultWriter& out) {
    const std::string& name = stmt.table.name;
    if (!stmt.if_exists) throw SqlError(SqlState::UndefinedTable, "relation \"" + name + "\" does not exist");
    out.notice("00000", "relation \"" + name + "\" does not exist, skipping");
    out.command_complete(alter_tag(stmt));
  }

  // ALTER TABLE / VIEW / SEQUENCE ... OWNER TO role (pg_dump writes one per relation). OmenDB has one
  // role, the session's user, which owns every relation (docs/catalogs.md): giving a relation to it
  // changes nothing, as in PostgreSQL when the owner stays; any other role does not exist (42704).
  void change_owner(const ast::AlterTableStmt& stmt, pgwire::ResultWriter& out) {
    if (stmt.cmds.size() != 1) throw_unsupported("ALTER TABLE ... OWNER TO with other subcommands");
    const ast::TableRef& t = stmt.table;
    std::optional<storage::NameScope> scope = name_scope(t.schema);
    const bool found = scope && (db_.store().catalog().find(t.name, overlay(), *scope) ||
                                 db_.store().catalog().find_sequence(t.name, overlay(), *scope));
    if (!found) return missing_relation(stmt, out);
    if (!owned_by_session_user(stmt.cmds[0].new_name))
      throw_unsupported("ALTER ... OWNER TO a role other than the session's user (OmenDB has one owner)");
    out.command_complete(alter_tag(stmt));
  }

  // OWNER TO `role` (empty: CURRENT_USER ...): whether it names the session's user, the owner of every
  // object. The roles that exist are that user and pg_database_owner (pg_roles); any other is 42704.
  bool owned_by_session_user(const std::string& role) const {
    if (role.empty() || role == session_info_.user) return true;
    if (role == "pg_database_owner") return false;
    throw SqlError(SqlState::UndefinedObject, "role \"" + role + "\" does not exist");
  }

  // ---- CREATE / DROP / ALTER SCHEMA ... RENAME TO (docs/schema.md, "Schemas"): transactional DDL like the
  // rest (the transaction's catalog overlay; outside a block, a transaction of its own). A schema's name
  // is held as a name lock ("\x02" + name) to the transaction's end: a concurrent creator of the name
  // waits, then finds it taken (42P06) or free.
  static const char* schema_command(const ast::SchemaStmt& stmt) {
    using A = ast::SchemaStmt::Action;
    return stmt.action == A::Create ? "CREATE SCHEMA"
           : stmt.action == A::Drop ? "DROP SCHEMA"
                                    : "ALTER SCHEMA";
  }
  static void check_schema_name(const std::string& name) {
    if (name.starts_with("pg_"))
      throw SqlError(SqlState::ReservedName, "unacceptable schema name \"" + name + "\"")
          .with_detail("The prefix \"pg_\" is reserved for system schemas.");
  }
  void schema_ddl(const ast::SchemaStmt& stmt, pgwire::ResultWriter& out) {
    using A = ast::SchemaStmt::Action;
    if (!in_transaction()) return in_own_transaction([&] { schema_ddl(stmt, out); });
    storage::Catalog& catalog = db_.store().catalog();
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    const char* tag = schema_command(stmt);
    switch (stmt.action) {
      case A::Create: {
        if (stmt.role && !stmt.role->empty() && *stmt.role != session_info_.user &&
            *stmt.role != "pg_database_owner")
          throw SqlError(SqlState::UndefinedObject, "role \"" + *stmt.role + "\" does not exist");
        const std::string name = !stmt.names.empty()                ? stmt.names[0]
                                 : stmt.role && !stmt.role->empty() ? *stmt.role
                                                                    : session_info_.user;
        check_schema_name(name);
        if (stmt.has_elements)
          throw_unsupported("CREATE SCHEMA with schema elements (CREATE SCHEMA ... CREATE TABLE ...)");
        lock_names({"\x02" + name}, wait);
        try {
          catalog.create_schema(name, *overlay());
        } catch (const SqlError& e) {
          if (!stmt.if_exists || e.state() != SqlState::DuplicateSchema) throw;
          out.notice("42P06", "schema \"" + name + "\" already exists, skipping");
        }
        break;
      }
      case A::Rename: {
        const std::string& name = stmt.names.at(0);
        storage::SchemaDefPtr schema = catalog.find_schema(name, overlay());
        if (!schema) {
          if (catalog::namespace_oid(name) && !name.starts_with("pg_temp"))
            throw_unsupported("renaming the built-in schema \"" + name + "\"");
          throw SqlError(SqlState::InvalidSchemaName, "schema \"" + name + "\" does not exist");
        }
        if (catalog.find_schema(stmt.new_name, overlay()) || stmt.new_name == "public" ||
            stmt.new_name == "information_schema")
          throw SqlError(SqlState::DuplicateSchema, "schema \"" + stmt.new_name + "\" already exists");
        check_schema_name(stmt.new_name);
        // Stored texts that name the schema (a SERIAL column's DEFAULT nextval('s.t_id_seq'), a view's
        // query) would name another schema afterwards.
        const std::string qualified = catalog::quote_ident(name) + ".";
        for (const storage::TableDefPtr& t : catalog.tables(overlay())) {
          bool uses = t->is_view() && t->view->query.find(name + ".") != std::string::npos;
          for (const storage::ColumnDef& c : t->columns)
            uses = uses || c.default_expr.find("'" + qualified) != std::string::npos;
          if (uses)
            throw_unsupported("renaming a schema whose name the DEFAULT or view \"" + t->name + "\" stores");
        }
        lock_names({"\x02" + name, "\x02" + stmt.new_name}, wait);
        catalog.rename_schema(schema->id, stmt.new_name, *overlay());
        break;
      }
      case A::Drop:
        drop_schemas(stmt, out, wait);
        break;
    }
    out.command_complete(tag);
  }

  // DROP SCHEMA: every schema named is checked first (a failing DROP drops nothing). RESTRICT refuses a
  // schema with relations in it (2BP01, PostgreSQL's DETAIL); CASCADE drops them (waiting for the
  // statements using them), then the schema.
  void drop_schemas(const ast::SchemaStmt& stmt, pgwire::ResultWriter& out, const storage::LockWait& wait) {
    storage::Catalog& catalog = db_.store().catalog();
    std::vector<storage::SchemaDefPtr> schemas;
    for (const std::string& name : stmt.names) {
      storage::SchemaDefPtr s = catalog.find_schema(name, overlay());
      if (!s && catalog::namespace_oid(name) && !name.starts_with("pg_temp"))
        throw_unsupported("DROP SCHEMA of the built-in schema \"" + name + "\"");
      if (!s && !stmt.if_exists)
        throw SqlError(SqlState::InvalidSchemaName, "schema \"" + name + "\" does not exist");
      if (!s) out.notice("00000", "schema \"" + name + "\" does not exist, skipping");
      if (s) schemas.push_back(std::move(s));
    }
    for (const storage::SchemaDefPtr& s : schemas) lock_names({"\x02" + s->name}, wait);
    auto inside = [&](uint32_t schema) {
      for (const auto& s : schemas)
        if (s->id == schema) return true;
      return false;
    };
    // What they hold, in creation order: tables and views, sequences no table owns.
    struct Member {
      uint32_t id;
      std::string text;  // "table s.t"
      storage::TableDefPtr table;
      storage::SequenceDefPtr sequence;
    };
    std::vector<Member> members;
    const std::vector<storage::TableDefPtr> tables = catalog.tables(overlay());
    for (const storage::TableDefPtr& t : tables)
      if (!t->is_temp() && inside(t->schema))
        members.push_back({t->id,
                           std::string(t->is_view() ? "view " : "table ") +
                               catalog.schema_name(t->schema, overlay()) + "." + t->name,
                           t, nullptr});
    for (const storage::SequenceDefPtr& q : catalog.sequences(overlay())) {
      if (q->temp_namespace || !inside(q->schema)) continue;
      bool owned = false;
      for (const storage::TableDefPtr& t : tables)
        owned = owned || (q->owner_table == t->id && inside(t->schema));
      if (!owned)
        members.push_back(
            {q->id, "sequence " + catalog.schema_name(q->schema, overlay()) + "." + q->name, nullptr, q});
    }
    std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.id < b.id; });
    if (!members.empty() && !stmt.cascade) {
      std::string detail;
      for (const Member& m : members)
        detail += (detail.empty() ? "" : "\n") + m.text + " depends on schema " +
                  catalog.schema_name(m.table ? m.table->schema : m.sequence->schema, overlay());
      throw SqlError(SqlState::DependentObjectsStillExist,
                     "cannot drop schema " + schemas.front()->name + " because other objects depend on it")
          .with_detail(detail)
          .with_hint("Use DROP ... CASCADE to drop the dependent objects too.");
    }
    // Relations outside that depend on them (a view, a FOREIGN KEY): PostgreSQL drops those too.
    std::vector<storage::TableDefPtr> roots;
    for (const Member& m : members)
      if (m.table) roots.push_back(m.table);
    for (const auto& [view, on] : dependent_views(roots))
      if (view->is_temp() || !inside(view->schema))
        throw_unsupported("DROP SCHEMA ... CASCADE of relations that view \"" + view->name + "\" uses");
    for (const storage::TableDefPtr& t : tables)
      if (t->is_temp() || !inside(t->schema))
        for (const storage::ForeignKeyDef& fk : t->foreign_keys)
          for (const storage::TableDefPtr& r : roots)
            if (fk.ref_table == r->id)
              throw_unsupported("DROP SCHEMA ... CASCADE of a table that table \"" + t->name +
                                "\" references");
    if (members.size() == 1)
      out.notice("00000", "drop cascades to " + members[0].text);
    else if (members.size() >
             1)  // (PostgreSQL lists them in a DETAIL, which a NoticeResponse here does not carry)
      out.notice("00000", "drop cascades to " + std::to_string(members.size()) + " other objects");
    if (!roots.empty()) {
      std::vector<uint32_t> ids = table_ids(roots);
      settle_cursors_using(ids);
      hold_to_end(acquire_tables({}, ids, wait), ids);
    }
    for (auto m = members.rbegin(); m != members.rend(); ++m) {  // views before what they read
      if (m->table)
        catalog.drop_table(m->id, *overlay());
      else
        catalog.drop_sequence(m->id, *overlay());
    }
    for (const storage::SchemaDefPtr& s : schemas) {
      if (catalog.schema_comments(overlay()).count(catalog::schema_oid(s->id)))
        catalog.set_schema_comment(catalog::schema_oid(s->id), "", *overlay());
      catalog.drop_schema(s->id, *overlay());
    }
  }

  // ALTER SCHEMA name OWNER TO role. Owners are not represented (docs/catalogs.md: public belongs to
  // pg_database_owner, the others to the session's user): a role that exists is accepted and the owner
  // shown stays, since the one user holds every privilege either way.
  void alter_schema_owner(const ast::AlterSchemaOwnerStmt& stmt, pgwire::ResultWriter& out) {
    catalog::SchemaScope schemas(*this);
    if (!catalog::namespace_oid(stmt.schema))
      throw SqlError(SqlState::InvalidSchemaName, "schema \"" + stmt.schema + "\" does not exist");
    if (!stmt.role.empty() && stmt.role != session_info_.user && stmt.role != "pg_database_owner")
      throw SqlError(SqlState::UndefinedObject, "role \"" + stmt.role + "\" does not exist");
    out.command_complete("ALTER SCHEMA");
  }

  // ---- COMMENT ON (docs/schema.md, "Comments"). A comment lives on its object's definition (a column's,
  // index's or constraint's on its table's, a sequence's on its own, a schema's in the catalog's schema
  // comments), so it is durable, transactional as other DDL (the transaction's catalog overlay; outside
  // a block, a transaction of its own), kept by RENAME and dropped with its object. IS NULL and IS ''
  // remove it, as in PostgreSQL.
  void comment_on(const ast::CommentStmt& stmt, pgwire::ResultWriter& out) {
    using O = ast::CommentStmt::Object;
    if (stmt.object == O::Unsupported) throw_unsupported(stmt.feature);
    if (!in_transaction()) return in_own_transaction([&] { comment_on(stmt, out); });
    storage::Catalog& catalog = db_.store().catalog();
    const std::string text = stmt.comment.value_or("");
    const std::vector<std::string>& name = stmt.name;
    catalog::SchemaScope schemas(*this);
    if (stmt.object == O::Schema) {
      std::optional<uint32_t> oid = catalog::namespace_oid(name.at(0));
      if (!oid) throw SqlError(SqlState::InvalidSchemaName, "schema \"" + name.at(0) + "\" does not exist");
      catalog.set_schema_comment(*oid, text, *overlay());
      out.command_complete("COMMENT");
      return;
    }
    // The relation's name: the last part, or the one before for a column or constraint.
    const bool member = stmt.object == O::Column || stmt.object == O::Constraint;
    const size_t parts = name.size() - (member ? 1 : 0);
    if (parts == 0) throw SqlError(SqlState::SyntaxError, "column name must be qualified");
    if (parts > 3) throw SqlError(SqlState::SyntaxError, "improper relation name (too many dotted names)");
    if (parts == 3 && name[0] != session_info_.database) throw_unsupported("cross-database references");
    const std::string& relation = name[parts - 1];
    const std::optional<storage::NameScope> scope = name_scope(parts >= 2 ? name[parts - 2] : "");
    if (!scope) {
      if (!catalog::namespace_oid(name[parts - 2]))
        throw SqlError(SqlState::InvalidSchemaName, "schema \"" + name[parts - 2] + "\" does not exist");
      throw_unsupported("COMMENT ON a system relation");
    }
    auto missing = [&] {
      return SqlError(SqlState::UndefinedTable, "relation \"" + relation + "\" does not exist");
    };
    if (stmt.object == O::Sequence) {
      storage::SequenceDefPtr seq = catalog.find_sequence(relation, overlay(), *scope);
      if (!seq) {
        if (catalog.find(relation, overlay(), *scope) ||
            catalog.find_index_table(relation, overlay(), *scope))
          throw SqlError(SqlState::WrongObjectType, "\"" + relation + "\" is not a sequence");
        throw missing();
      }
      catalog.comment_sequence(seq->id, text, *overlay());
      out.command_complete("COMMENT");
      return;
    }
    // The table whose definition holds the comment: the relation, or for an index the table it indexes.
    auto resolve = [&]() -> storage::TableDefPtr {
      if (stmt.object != O::Index) return catalog.find(relation, overlay(), *scope);
      if (storage::TableDefPtr t = catalog.find_index_table(relation, overlay(), *scope)) return t;
      for (const storage::TableDefPtr& t : catalog.tables(overlay()))
        if (!t->primary_key.empty() && t->primary_key_name() == relation && in_scope(*t, *scope)) return t;
      return nullptr;
    };
    storage::TableDefPtr old = resolve();
    if (!old) {
      if (catalog.find(relation, overlay(), *scope) || catalog.find_sequence(relation, overlay(), *scope) ||
          catalog.find_index_table(relation, overlay(), *scope))
        throw SqlError(SqlState::WrongObjectType,
                       "\"" + relation + "\" is not " + (stmt.object == O::Index ? "an index" : "a table"));
      throw missing();
    }
    if (stmt.object == O::Table && old->is_view())
      throw SqlError(SqlState::WrongObjectType, "\"" + relation + "\" is not a table");
    if (stmt.object == O::View && !old->is_view())
      throw SqlError(SqlState::WrongObjectType, "\"" + relation + "\" is not a view");
    // As ALTER TABLE: no statement uses the table meanwhile (exclusive lock, to the transaction's end).
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    TableLocks::Held locks;
    for (;;) {
      settle_cursors_using({old->id});
      locks = acquire_tables({}, {old->id}, wait);
      storage::TableDefPtr now = resolve();
      if (now == old) break;
      locks.release();
      if (!now) throw missing();
      old = std::move(now);
    }
    storage::TableDef def = *old;
    switch (stmt.object) {
      case O::Table:
      case O::View:
        def.comment = text;
        break;
      case O::Index:
        if (storage::IndexDef* ix = find_index_named(def, relation))
          ix->comment = text;
        else
          def.pkey_index_comment = text;
        break;
      case O::Column: {
        const int c = def.find_column(name.back());
        if (c < 0)
          throw SqlError(SqlState::UndefinedColumn,
                         "column \"" + name.back() + "\" of relation \"" + def.name + "\" does not exist");
        def.columns[static_cast<size_t>(c)].comment = text;
        break;
      }
      case O::Constraint:
        comment_constraint(def, name.back(), text);
        break;
      default:
        break;
    }
    replace_in_transaction(std::move(def), {}, old, std::move(locks), "COMMENT", wait);
    out.command_complete("COMMENT");
  }

  static storage::IndexDef* find_index_named(storage::TableDef& def, const std::string& index_name) {
    for (storage::IndexDef& ix : def.indexes)
      if (ix.name == index_name) return &ix;
    return nullptr;
  }

  // COMMENT ON CONSTRAINT name ON table: its primary key, a UNIQUE, CHECK or FOREIGN KEY constraint (42704).
  static void comment_constraint(storage::TableDef& def, const std::string& constraint,
                                 const std::string& text) {
    if (!def.primary_key.empty() && constraint == def.primary_key_name()) {
      def.pkey_comment = text;
      return;
    }
    for (storage::IndexDef& ix : def.indexes)
      if (ix.constraint && ix.name == constraint) {
        ix.constraint_comment = text;
        return;
      }
    for (storage::CheckDef& c : def.checks)
      if (c.name == constraint) {
        c.comment = text;
        return;
      }
    for (storage::ForeignKeyDef& f : def.foreign_keys)
      if (f.name == constraint) {
        f.comment = text;
        return;
      }
    throw SqlError(SqlState::UndefinedObject,
                   "constraint \"" + constraint + "\" for table \"" + def.name + "\" does not exist");
  }

  // ALTER TABLE (docs/schema.md): the subcommands are applied in order to a copy of the definition,
  // which then replaces the old one at once (Store::alter_table), with the row checks or the rewrite
  // the subcommands need; nothing changes if any of them fails. Compiled plans are keyed by the
  // catalog version, which the change advances, and prepared statements are planned again.
  void alter_table(const ast::AlterTableStmt& stmt, pgwire::ResultWriter& out) {
    using K = ast::AlterTableCmd::Kind;
    for (const ast::AlterTableCmd& cmd : stmt.cmds)
      if (cmd.kind == K::Unsupported) throw_unsupported(cmd.feature);
    if (std::any_of(stmt.cmds.begin(), stmt.cmds.end(),
                    [](const auto& c) { return c.kind == K::ChangeOwner; }))
      return change_owner(stmt, out);
    storage::Catalog& catalog = db_.store().catalog();
    // DROP COLUMN ... CASCADE of a column views read drops the views too: in one transaction (outside a
    // block, one of its own).
    if (!in_transaction())
      for (const ast::AlterTableCmd& cmd : stmt.cmds)
        if (cmd.kind == K::DropColumn && cmd.cascade)
          if (storage::TableDefPtr t = find_table(stmt.table); t && t->find_column(cmd.column) >= 0)
            if (!dependent_views({t}, t->attnum(static_cast<size_t>(t->find_column(cmd.column)))).empty())
              return in_own_transaction([&] { alter_table(stmt, out); });
    // ADD GENERATED ... AS IDENTITY creates the column's sequence with the change: one transaction.
    if (!in_transaction() && std::any_of(stmt.cmds.begin(), stmt.cmds.end(),
                                         [](const auto& c) { return c.kind == K::AddIdentity; }))
      return in_own_transaction([&] { alter_table(stmt, out); });
    // So does DROP COLUMN of a column that owns a sequence (SERIAL): the sequence goes with it.
    if (!in_transaction())
      for (const ast::AlterTableCmd& cmd : stmt.cmds)
        if (cmd.kind == K::DropColumn)
          if (storage::TableDefPtr t = find_table(stmt.table); t && t->find_column(cmd.column) >= 0)
            if (!owned_sequences(*t, t->attnum(static_cast<size_t>(t->find_column(cmd.column)))).empty())
              return in_own_transaction([&] { alter_table(stmt, out); });
    const ast::TableRef& t = stmt.table;
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    auto resolve = [&] { return find_table(t); };
    // As DROP TABLE: wait until no statement uses the table (exclusive table lock), then change it under
    // the DDL mutex; if it changed while we waited, look again.
    storage::TableDefPtr old;
    TableLocks::Held locks;
    std::unique_lock<std::mutex> ddl;
    for (;;) {
      old = resolve();
      if (!old) return missing_relation(stmt, out);
      settle_cursors_using({old->id});
      locks = acquire_tables({}, {old->id}, wait);
      if (!in_transaction()) ddl = std::unique_lock<std::mutex>(db_.ddl_mutex());
      if (resolve() == old) break;
      if (ddl.owns_lock()) ddl.unlock();
      locks.release();
    }
    if (stmt.view && !old->is_view() &&
        stmt.cmds.at(0).kind == K::RenameTable)  // (RENAME COLUMN: any, as PG)
      throw SqlError(SqlState::WrongObjectType, "\"" + old->name + "\" is not a view");
    if (old->is_view())  // a view takes RENAME TO and RENAME COLUMN only (its columns are its own names)
      for (const ast::AlterTableCmd& cmd : stmt.cmds)
        if (cmd.kind != K::RenameTable && cmd.kind != K::RenameColumn)
          throw SqlError(SqlState::WrongObjectType, "\"" + old->name + "\" is not a table");
    // Views reading column `name` of the table as it was (or, name empty, the table itself): their stored
    // query spells its name. None for a column this ALTER TABLE added.
    auto views_reading = [&](const std::string& name) {
      const int column = name.empty() ? -1 : old->find_column(name);
      if (!name.empty() && column < 0) return dependent_views({}, 0);
      return dependent_views({old}, column < 0 ? 0 : old->attnum(static_cast<size_t>(column)));
    };
    storage::TableDef def = *old;
    if (def.attnums.empty()) {  // attribute numbers become explicit once a table is altered
      for (size_t i = 0; i < def.columns.size(); ++i) def.attnums.push_back(static_cast<int32_t>(i) + 1);
      def.next_attnum = static_cast<int32_t>(def.columns.size()) + 1;
    }
    storage::Store::AlterWork work;
    std::vector<std::string> taken_names;                // index names this ALTER TABLE gives
    std::vector<std::string> taken_constraints;          // CHECK names it gives
    std::vector<storage::CheckDef> validations;          // CHECK constraints the existing rows must pass
    std::vector<storage::ForeignKeyDef> fk_validations;  // FOREIGN KEYs the existing rows must satisfy
    std::vector<storage::SequenceDef> new_sequences;     // ADD IDENTITY's (created in the transaction)
    auto find_check = [&](const std::string& name) {
      return std::find_if(def.checks.begin(), def.checks.end(),
                          [&](const storage::CheckDef& c) { return c.name == name; });
    };
    auto add_check = [&](const ast::CheckConstraint& c) {
      storage::CheckDef check = planner::bind_check_constraint(c, def, taken_constraints);
      taken_constraints.push_back(check.name);
      check.id = catalog.allocate_id();
      if (check.validated) validations.push_back(check);
      def.checks.insert(std::upper_bound(def.checks.begin(), def.checks.end(), check,
                                         [](const storage::CheckDef& a, const storage::CheckDef& b) {
                                           return a.name < b.name;
                                         }),
                        std::move(check));
    };
    auto add_foreign_key = [&](const ast::ForeignKeyConstraint& f) {
      const bool self = names_table(f.ref_table, def);
      storage::TableDefPtr ref = self ? nullptr : referenced_table(f.ref_table);
      if (ref) check_reference_persistence(def, *ref);
      storage::ForeignKeyDef fk = planner::bind_foreign_key(f, def, self ? def : *ref, taken_constraints);
      taken_constraints.push_back(fk.name);
      fk.id = catalog.allocate_id();
      fk_validations.push_back(fk);
      def.foreign_keys.push_back(std::move(fk));
    };
    auto check_reads = [&](const storage::CheckDef& check, int column) {
      const std::vector<int> cols = planner::check_constraint_columns(def, check);
      return std::find(cols.begin(), cols.end(), column) != cols.end();
    };
    auto column = [&](const std::string& name) {
      int i = def.find_column(name);
      if (i < 0)
        throw SqlError(SqlState::UndefinedColumn,
                       "column \"" + name + "\" of relation \"" + def.name + "\" does not exist");
      return i;
    };
    auto in_primary_key = [&](int i) {
      return std::find(def.primary_key.begin(), def.primary_key.end(), i) != def.primary_key.end();
    };
    // ALTER COLUMN TYPE rewrites the rows in the new types: the other subcommands it goes with are those
    // that read no row before the rewrite (a CHECK or index build would read the rows in the old types).
    std::vector<planner::TypeChange> type_changes;
    if (std::any_of(stmt.cmds.begin(), stmt.cmds.end(), [](const auto& c) { return c.kind == K::AlterType; }))
      for (const ast::AlterTableCmd& cmd : stmt.cmds)
        if (cmd.kind != K::AlterType && cmd.kind != K::SetDefault && cmd.kind != K::DropDefault &&
            cmd.kind != K::SetNotNull && cmd.kind != K::DropNotNull && cmd.kind != K::SetOptions &&
            cmd.kind != K::ResetOptions)
          throw_unsupported(
              "ALTER COLUMN TYPE with other subcommands than ALTER COLUMN, SET and RESET in one ALTER TABLE");
    for (const ast::AlterTableCmd& cmd : stmt.cmds) {
      switch (cmd.kind) {
        case K::AlterType:
          alter_column_type(cmd, *old, def, views_reading(cmd.column), type_changes);
          break;
        case K::AddColumn: {
          if (def.find_column(cmd.column) >= 0) {
            if (cmd.if_not_exists) {
              out.notice("42701", "column \"" + cmd.column + "\" of relation \"" + def.name +
                                      "\" already exists, skipping");
              break;
            }
            throw SqlError(SqlState::DuplicateColumn,
                           "column \"" + cmd.column + "\" of relation \"" + def.name + "\" already exists");
          }
          if (cmd.column_def.primary_key) throw_unsupported("ALTER TABLE ... ADD COLUMN ... PRIMARY KEY");
          if (planner::serial_width(cmd.column_def.type) || cmd.column_def.identity)
            throw_unsupported("ALTER TABLE ... ADD COLUMN with a SERIAL or identity column");
          if (def.columns.size() >= 1600)
            throw SqlError(SqlState::ProgramLimitExceeded, "tables can have at most 1600 columns");
          storage::ColumnDef col = planner::bind_column_def(cmd.column_def);
          def.columns.push_back(col);
          def.attnums.push_back(def.next_attnum++);
          const int index = static_cast<int>(def.columns.size()) - 1;
          if (!col.default_expr.empty()) {
            // Rows stored before read the default evaluated now, once (PostgreSQL's attmissingval). A
            // volatile default would need a value per row, that is a rewrite: refused.
            std::string lowered = col.default_expr;
            for (char& ch : lowered) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            for (const char* f : {"clock_timestamp", "random", "timeofday", "nextval", "gen_random_uuid"})
              if (lowered.find(f) != std::string::npos)
                throw_unsupported("ALTER TABLE ... ADD COLUMN with a volatile DEFAULT (" + std::string(f) +
                                  ")");
            std::vector<int> read;
            for (int i = 0; i < index; ++i) read.push_back(i);
            auto view = db_.store().read_view();
            std::vector<Value> values =
                column_defaults(def, read, *view, out, std::chrono::steady_clock::now());
            Value v = values[static_cast<size_t>(index)];
            storage::ColumnDef& added = def.columns[static_cast<size_t>(index)];
            if (!v.is_null() && added.max_length >= 0 && added.type == TypeId::Interval) {
              const dt::Interval iv = dt::interval_apply_typmod(
                  {v.as_int(), v.interval_day(), v.interval_month()}, added.max_length);
              v = Value::interval(iv.time, iv.day, iv.month);
            }
            if (!v.is_null() && added.max_length >= 0 && added.type == TypeId::BpChar)
              v = Value::text(textsql::bpchar_typmod(v.as_text(), added.max_length, false), TypeId::BpChar);
            if (!v.is_null() && added.max_length >= 0 && v.type() == TypeId::Text) {
              std::string text = v.as_text();
              std::string trimmed = text;
              while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
              size_t chars = 0, cut = 0;
              for (size_t k = 0; k < text.size(); ++k) {
                if ((static_cast<uint8_t>(text[k]) & 0xC0) != 0x80 &&
                    chars++ == static_cast<size_t>(added.max_length))
                  cut = k;
              }
              if (cut > 0)
                text.resize(cut);  // excess characters (spaces) dropped, as a stored row drops them
              chars = 0;
              for (char ch : trimmed) chars += (static_cast<uint8_t>(ch) & 0xC0) != 0x80;
              if (chars > static_cast<size_t>(added.max_length))
                throw SqlError(
                    SqlState::StringDataRightTruncation,
                    "value too long for type character varying(" + std::to_string(added.max_length) + ")");
              v = Value::text(text);
            }
            storage::set_missing_value(added, dtsql::to_datum(v));
          }
          if (col.not_null) work.not_null.push_back(index);
          work.unseal = true;
          work.fence = work.fence || col.not_null;
          if (cmd.column_def.unique)
            add_unique_constraint(def, cmd.constraint, {cmd.column}, cmd.nulls_not_distinct, work,
                                  taken_names);
          if (cmd.check.expr) add_check(cmd.check);
          if (!cmd.foreign_key.columns.empty()) add_foreign_key(cmd.foreign_key);
          break;
        }
        case K::AddUnique:
          add_unique_constraint(def, cmd.constraint, cmd.keys, cmd.nulls_not_distinct, work, taken_names);
          break;
        case K::AddCheck:
          add_check(cmd.check);
          break;
        case K::AddForeignKey:
          add_foreign_key(cmd.foreign_key);
          break;
        case K::ValidateConstraint: {
          auto check = find_check(cmd.constraint);
          if (check == def.checks.end()) {
            bool fk = false;  // a FOREIGN KEY is always validated (no NOT VALID)
            for (const storage::ForeignKeyDef& f : def.foreign_keys) fk = fk || f.name == cmd.constraint;
            if (fk) break;
            if (def.constraint_name_used(cmd.constraint))
              throw SqlError(SqlState::WrongObjectType, "constraint \"" + cmd.constraint +
                                                            "\" of relation \"" + def.name +
                                                            "\" is not a foreign key or check constraint");
            throw SqlError(SqlState::UndefinedObject, "constraint \"" + cmd.constraint + "\" of relation \"" +
                                                          def.name + "\" does not exist");
          }
          if (!check->validated) {
            check->validated = true;
            validations.push_back(*check);
          }
          break;
        }
        case K::DropColumn: {
          int i = def.find_column(cmd.column);
          if (i < 0) {
            if (cmd.missing_ok) {
              out.notice("00000", "column \"" + cmd.column + "\" of relation \"" + def.name +
                                      "\" does not exist, skipping");
              break;
            }
            column(cmd.column);
          }
          if (in_primary_key(i)) throw_unsupported("ALTER TABLE ... DROP COLUMN of a primary key column");
          {
            const auto views = views_reading(cmd.column);
            if (!views.empty() && cmd.cascade) {
              if (!in_transaction())  // (a view appeared since the look before the locks)
                throw_unsupported("ALTER TABLE ... DROP COLUMN ... CASCADE of a column a new view reads");
              notice_cascade(views, out);
              std::vector<uint32_t> ids;
              for (const auto& [view, on] : views) ids.push_back(view->id);
              hold_to_end(acquire_tables({}, ids, wait), ids);
              for (auto it = views.rbegin(); it != views.rend(); ++it)
                catalog.drop_table(it->first->id, *overlay());
            } else if (!views.empty()) {
              refuse_dependent_views("drop column " + cmd.column + " of table " + def.name, views, old.get(),
                                     cmd.column);
            }
          }
          if (def.columns.size() == 1) throw_unsupported("tables without columns (dropping the last column)");
          // The sequences the column owns (SERIAL, identity) go with it, as in PostgreSQL.
          for (const storage::SequenceDefPtr& seq :
               owned_sequences(def, def.attnums[static_cast<size_t>(i)])) {
            if (!in_transaction())  // (it became the owner since the look before the locks)
              throw_unsupported(
                  "ALTER TABLE ... DROP COLUMN of a column that just became a sequence's owner");
            catalog.drop_sequence(seq->id, *overlay());
          }
          // Indexes on the column go with it, as in PostgreSQL (their entries are deleted).
          // (So do indexes whose expressions or predicate read it.)
          for (auto ix = def.indexes.begin(); ix != def.indexes.end();) {
            const std::vector<int> reads =
                ix->computed() ? planner::index_expression_columns(def, *ix) : std::vector<int>{};
            if (std::find(ix->attnums.begin(), ix->attnums.end(), def.attnums[static_cast<size_t>(i)]) !=
                    ix->attnums.end() ||
                std::find(reads.begin(), reads.end(), i) != reads.end()) {
              work.drop_indexes.push_back(ix->id);
              ix = def.indexes.erase(ix);
            } else {
              ++ix;
            }
          }
          // So do CHECK constraints that read it and FOREIGN KEYs over it (PostgreSQL's automatic
          // dependency); a UNIQUE constraint a foreign key references stays (2BP01).
          std::erase_if(def.checks, [&](const storage::CheckDef& c) { return check_reads(c, i); });
          const int32_t dropped_attnum = def.attnums[static_cast<size_t>(i)];
          std::erase_if(def.foreign_keys, [&](const storage::ForeignKeyDef& f) {
            return std::find(f.attnums.begin(), f.attnums.end(), dropped_attnum) != f.attnums.end();
          });
          for (const storage::IndexDef& ix : def.indexes)
            if (ix.constraint &&
                std::find(ix.attnums.begin(), ix.attnums.end(), dropped_attnum) != ix.attnums.end())
              refuse_if_referenced(def, ix.name);
          def.dropped.push_back({def.attnums[static_cast<size_t>(i)],
                                 def.columns[static_cast<size_t>(i)].type,
                                 def.columns[static_cast<size_t>(i)].name});
          def.columns.erase(def.columns.begin() + i);
          def.attnums.erase(def.attnums.begin() + i);
          for (int& k : def.primary_key)
            if (k > i) --k;
          work.unseal = true;
          break;
        }
        case K::RenameColumn: {
          int i = column(cmd.column);
          if (const auto views = views_reading(cmd.column); !views.empty())  // (its stored text names it)
            throw_unsupported("renaming a column that view \"" + views[0].first->name + "\" reads");
          if (def.find_column(cmd.new_name) >= 0)
            throw SqlError(SqlState::DuplicateColumn,
                           "column \"" + cmd.new_name + "\" of relation \"" + def.name + "\" already exists");
          const storage::TableDef before = def;
          def.columns[static_cast<size_t>(i)].name = cmd.new_name;
          // CHECK constraints and index expressions are stored as text naming the column: printed again
          // with the new name.
          planner::rebind_column_dependents(before, def, {i});
          break;
        }
        case K::SetOptions:  // storage parameters (seal_after: docs/columnar.md, "Sealing by age")
        case K::ResetOptions:
          def.set_options(cmd.options, cmd.kind == K::ResetOptions);
          break;
        case K::RenameTable: {
          if (const auto views = views_reading(""); !views.empty())  // (its stored text names the relation)
            throw_unsupported("renaming a relation that view \"" + views[0].first->name + "\" uses");
          if (storage::TableDefPtr other = catalog.find(
                  cmd.new_name, overlay(),
                  def.is_temp() ? storage::NameScope::Temporary : storage::NameScope::in_schema(def.schema));
              other && other->id != def.id)
            throw SqlError(SqlState::DuplicateTable, "relation \"" + cmd.new_name + "\" already exists");
          def.pkey_name = def.primary_key.empty() ? "" : def.primary_key_name();  // kept, as PostgreSQL's
          def.name = cmd.new_name;
          break;
        }
        case K::SetDefault: {
          storage::ColumnDef& col = def.columns[static_cast<size_t>(column(cmd.column))];
          planner::bind_column_default(*cmd.column_def.default_expr, cmd.column_def.default_text, col);
          break;
        }
        case K::DropDefault:
          def.columns[static_cast<size_t>(column(cmd.column))].default_expr.clear();
          break;
        case K::SetNotNull: {
          int i = column(cmd.column);
          if (!def.columns[static_cast<size_t>(i)].not_null) {
            def.columns[static_cast<size_t>(i)].not_null = true;
            work.not_null.push_back(i);
            work.fence = true;
          }
          break;
        }
        case K::DropNotNull: {
          int i = column(cmd.column);
          if (in_primary_key(i))
            throw SqlError(SqlState::InvalidTableDefinition,
                           "column \"" + cmd.column + "\" is in a primary key");
          def.columns[static_cast<size_t>(i)].not_null = false;
          break;
        }
        case K::AddPrimaryKey: {
          if (!def.primary_key.empty())
            throw SqlError(SqlState::InvalidTableDefinition,
                           "multiple primary keys for table \"" + def.name + "\" are not allowed");
          // Its name (given or <table>_pkey) is its index's too: taken by another relation, 42P07.
          if (!cmd.constraint.empty() && relation_name_taken(cmd.constraint, def.nsp()))
            throw SqlError(SqlState::DuplicateTable, "relation \"" + cmd.constraint + "\" already exists");
          def.pkey_name = cmd.constraint;
          std::vector<int> keys;
          for (const std::string& name : cmd.keys) {
            int i = def.find_column(name);
            if (i < 0)
              throw SqlError(SqlState::UndefinedColumn,
                             "column \"" + name + "\" of relation \"" + def.name + "\" does not exist");
            if (std::find(keys.begin(), keys.end(), i) != keys.end())
              throw SqlError(SqlState::DuplicateColumn,
                             "column \"" + name + "\" appears twice in primary key constraint");
            if (def.columns[static_cast<size_t>(i)].type == TypeId::Interval)
              throw_unsupported("an interval column in a primary key");
            keys.push_back(i);
          }
          def.primary_key = keys;
          for (int i : keys) {
            if (!def.columns[static_cast<size_t>(i)].not_null) work.not_null.push_back(i);
            def.columns[static_cast<size_t>(i)].not_null = true;
          }
          work.rekey = true;
          work.fence = true;
          break;
        }
        case K::DropConstraint: {
          if (auto check = find_check(cmd.constraint); check != def.checks.end()) {
            def.checks.erase(check);
            break;
          }
          if (auto fk =
                  std::find_if(def.foreign_keys.begin(), def.foreign_keys.end(),
                               [&](const storage::ForeignKeyDef& f) { return f.name == cmd.constraint; });
              fk != def.foreign_keys.end()) {
            def.foreign_keys.erase(fk);
            break;
          }
          refuse_if_referenced(def, cmd.constraint);
          auto unique = std::find_if(
              def.indexes.begin(), def.indexes.end(),
              [&](const storage::IndexDef& ix) { return ix.constraint && ix.name == cmd.constraint; });
          if (unique != def.indexes.end()) {  // a UNIQUE constraint: its index goes with it
            work.drop_indexes.push_back(unique->id);
            def.indexes.erase(unique);
            break;
          }
          if (def.primary_key.empty() || cmd.constraint != def.primary_key_name()) {
            if (cmd.missing_ok) {
              out.notice("00000", "constraint \"" + cmd.constraint + "\" of relation \"" + def.name +
                                      "\" does not exist, skipping");
              break;
            }
            throw SqlError(SqlState::UndefinedObject, "constraint \"" + cmd.constraint + "\" of relation \"" +
                                                          def.name + "\" does not exist");
          }
          def.primary_key.clear();  // the columns keep NOT NULL, as in PostgreSQL
          def.pkey_name.clear();
          def.pkey_comment.clear();  // its comments go with it
          def.pkey_index_comment.clear();
          work.rekey = true;
          work.fence = true;
          break;
        }
        case K::AddIdentity: {  // ALTER COLUMN c ADD GENERATED ... AS IDENTITY: the column's sequence
          const size_t i = static_cast<size_t>(column(cmd.column));
          storage::ColumnDef& col = def.columns[i];
          const std::string what = "column \"" + col.name + "\" of relation \"" + def.name + "\"";
          if (!col.not_null)
            throw SqlError(SqlState::ObjectNotInPrerequisiteState,
                           what + " must be declared NOT NULL before identity can be added");
          if (col.identity)
            throw SqlError(SqlState::ObjectNotInPrerequisiteState, what + " is already an identity column");
          if (!col.default_expr.empty())
            throw SqlError(SqlState::ObjectNotInPrerequisiteState, what + " already has a default value");
          if (col.type != TypeId::Int16 && col.type != TypeId::Int32 && col.type != TypeId::Int64)
            throw SqlError(SqlState::InvalidParameterValue,
                           "identity column type must be smallint, integer, or bigint");
          col.identity = cmd.column_def.identity;
          new_sequences.push_back(owned_sequence(def, i, cmd.column_def.identity_options, true, taken_names));
          new_sequences.back().owner_table = def.id;
          taken_names.push_back(new_sequences.back().name);
          break;
        }
        case K::ChangeOwner:  // change_owner()
        case K::Unsupported:
          break;
      }
    }
    if (!type_changes.empty()) {  // every row written again in the new types, under its new key
      work.rekey = true;
      work.fence = true;
      for (const planner::TypeChange& c : type_changes)
        if (def.columns[static_cast<size_t>(c.column)].not_null) work.not_null.push_back(c.column);
      work.convert = type_conversion(*old, type_changes, out);
      // CHECK constraints and index expressions reading a changed column are bound again over the new
      // types (PostgreSQL re-creates them); the rewrite rebuilds every index, and each converted row is
      // checked against the (valid) CHECK constraints that read a changed column.
      std::vector<int> changed;
      for (const planner::TypeChange& c : type_changes) changed.push_back(c.column);
      planner::rebind_column_dependents(*old, def, changed);
      storage::TableDef checked = def;
      std::erase_if(checked.checks, [&](const storage::CheckDef& c) {
        if (!c.validated) return true;
        const std::vector<int> read = planner::check_constraint_columns(*old, c);
        return std::none_of(read.begin(), read.end(), [&](int k) {
          return std::find(changed.begin(), changed.end(), k) != changed.end();
        });
      });
      if (auto checks = row_checks(checked, nullptr, out, std::chrono::steady_clock::now())) {
        const std::string table_name = def.name;
        work.convert = [convert = std::move(work.convert), checks, checked, table_name](
                           const Datum* old_row, std::vector<Datum>& row) {
          convert(old_row, row);
          if (const int failed = checks(row.data()); failed >= 0) {
            const std::string& name = checked.checks[static_cast<size_t>(failed)].name;
            throw SqlError(SqlState::CheckViolation, "check constraint \"" + name + "\" of relation \"" +
                                                         table_name + "\" is violated by some row")
                .with_constraint("public", table_name, name);
          }
        };
      }
    }
    if (!validations.empty() || !fk_validations.empty()) {
      // Rows written by transactions that planned without the constraint fail at COMMIT (fence).
      work.fence = true;
      auto checks = check_validation(def, std::move(validations), out);
      auto keys = foreign_key_validation(def, std::move(fk_validations), out);
      work.validate = [checks, keys](const storage::ReadView& view) {
        checks(view);
        keys(view);
      };
    }
    if (in_transaction()) {
      std::string what = "ALTER TABLE";
      for (const ast::AlterTableCmd& cmd : stmt.cmds)
        if (cmd.kind == K::AddPrimaryKey || cmd.kind == K::DropConstraint)
          what = "ALTER TABLE ... ADD / DROP PRIMARY KEY";
        else if (cmd.kind == K::AlterType)
          what = "ALTER TABLE ... ALTER COLUMN TYPE (other than widening a varchar)";
        else if (cmd.kind == K::SetNotNull || (cmd.kind == K::AddColumn && cmd.column_def.not_null))
          what = "ALTER TABLE ... SET NOT NULL (or ADD COLUMN ... NOT NULL)";
        else if (cmd.kind == K::AddColumn || cmd.kind == K::DropColumn)
          what = "ALTER TABLE ... ADD / DROP COLUMN";
        else if (cmd.kind == K::AddCheck || cmd.kind == K::ValidateConstraint)
          what = "ALTER TABLE ... ADD CHECK (or VALIDATE CONSTRAINT)";
        else if (cmd.kind == K::AddForeignKey)
          what = "ALTER TABLE ... ADD FOREIGN KEY";
      if (!new_sequences.empty()) {
        std::vector<std::string> names;
        for (const storage::SequenceDef& seq : new_sequences) names.push_back(seq.name);
        lock_names(names, wait, def.nsp());
        for (storage::SequenceDef& seq : new_sequences) {
          const int64_t first = seq.start;
          db_.store().catalog().create_sequence(std::move(seq), first, *overlay());
        }
      }
      replace_in_transaction(std::move(def), work, old, std::move(locks), what, wait);
    } else {
      db_.store().alter_table(std::move(def), work);
    }
    out.command_complete(stmt.view ? "ALTER VIEW" : "ALTER TABLE");
  }

  // ALTER [COLUMN] c [SET DATA] TYPE t [USING expr] (docs/schema.md, "ALTER COLUMN TYPE"): changes column
  // c of `def` (the ALTER's copy of `old`). Widening a varchar (or to text) and the same type change the
  // catalog only; any other change is a rewrite of every row, whose conversion is added to `changes`.
  // `views`: the views reading the column (0A000, as PostgreSQL).
  void alter_column_type(const ast::AlterTableCmd& cmd, const storage::TableDef& old, storage::TableDef& def,
                         const std::vector<std::pair<storage::TableDefPtr, storage::TableDefPtr>>& views,
                         std::vector<planner::TypeChange>& changes) {
    const int i = def.find_column(cmd.column);
    if (i < 0)
      throw SqlError(SqlState::UndefinedColumn,
                     "column \"" + cmd.column + "\" of relation \"" + def.name + "\" does not exist");
    storage::ColumnDef& col = def.columns[static_cast<size_t>(i)];
    const storage::ColumnDef& was = old.columns[static_cast<size_t>(i)];
    for (const planner::TypeChange& c : changes)
      if (c.column == i)
        throw SqlError(SqlState::FeatureNotSupported,
                       "cannot alter type of column \"" + col.name + "\" twice");
    if (planner::serial_width(cmd.column_def.type))
      throw SqlError(SqlState::UndefinedObject, "type \"" + cmd.column_def.type.name + "\" does not exist");
    const storage::ColumnDef to = planner::bind_column_def(cmd.column_def);
    if (!views.empty())
      throw SqlError(SqlState::FeatureNotSupported, "cannot alter type of a column used by a view or rule")
          .with_detail("rule _RETURN on view " + views[0].first->name + " depends on column \"" + col.name +
                       "\"");
    const bool same = to.type == was.type;
    const bool widens =
        same && (to.max_length == was.max_length ||
                 (to.type == TypeId::Text &&
                  (to.max_length < 0 || (was.max_length >= 0 && to.max_length >= was.max_length))));
    if (col.identity) throw_unsupported("ALTER COLUMN TYPE of an identity column");
    if (to.type == TypeId::Interval &&
        std::find(def.primary_key.begin(), def.primary_key.end(), i) != def.primary_key.end())
      throw_unsupported("an interval column in a primary key");
    const dtsql::EvalContext dt = datetime();
    if (!col.default_expr.empty() &&
        !planner::assignment_castable(planner::column_default_type(old, was, planner_context(dt)), to.type))
      throw SqlError(SqlState::DatatypeMismatch, "default for column \"" + col.name +
                                                     "\" cannot be cast automatically to type " +
                                                     type_name_without_modifier(to));
    col.type = to.type;
    col.max_length = to.max_length;
    if (widens && !cmd.using_expr) return;  // the stored values stay as they are: the catalog only
    // A rewrite. CHECK constraints and index expressions reading the column are bound again afterwards
    // (rebind_column_dependents). A FOREIGN KEY keeps its meaning only if the key's values do: between
    // integer types without USING they stay the same (or the conversion fails with 22003), so every key
    // still finds its row; other conversions would need the key checked again (0A000).
    const int32_t attnum = def.attnum(static_cast<size_t>(i));
    auto foreign_key = [&](const std::string& name, const storage::ColumnDef& child,
                           const storage::ColumnDef& parent) {
      if (child.type != parent.type && !(is_integer(child.type) && is_integer(parent.type)))
        throw SqlError(SqlState::DatatypeMismatch,
                       "foreign key constraint \"" + name + "\" cannot be implemented")
            .with_detail("Key columns \"" + child.name + "\" and \"" + parent.name +
                         "\" are of incompatible types: " + type_name_without_modifier(child) + " and " +
                         type_name_without_modifier(parent) + ".");
      if (cmd.using_expr || !is_integer(was.type) || !is_integer(to.type))
        throw_unsupported("ALTER COLUMN TYPE of a column in foreign key \"" + name +
                          "\" other than between integer types without USING");
    };
    auto column_of = [](const storage::TableDef& t, int32_t a) -> const storage::ColumnDef& {
      return t.columns[static_cast<size_t>(t.column_of_attnum(a))];
    };
    for (const storage::ForeignKeyDef& fk : def.foreign_keys)
      for (size_t k = 0; k < fk.attnums.size(); ++k)
        if (fk.attnums[k] == attnum) {
          if (fk.ref_table == def.id) {
            foreign_key(fk.name, col, column_of(def, fk.ref_attnums[k]));
          } else {
            storage::TableDefPtr parent = db_.store().catalog().find(fk.ref_table, overlay());
            if (parent) foreign_key(fk.name, col, column_of(*parent, fk.ref_attnums[k]));
          }
        }
    for (const auto& [t, fk] : referencing(def.id))
      for (size_t k = 0; k < fk->ref_attnums.size(); ++k)
        if (fk->ref_attnums[k] == attnum) foreign_key(fk->name, column_of(*t, fk->attnums[k]), col);
    for (const storage::ForeignKeyDef& fk : def.foreign_keys)  // (a key of the table referencing itself)
      if (fk.ref_table == def.id)
        for (size_t k = 0; k < fk.ref_attnums.size(); ++k)
          if (fk.ref_attnums[k] == attnum) foreign_key(fk.name, column_of(def, fk.attnums[k]), col);
    col.has_missing = false;  // every row stores the column after the rewrite
    col.missing.clear();
    planner::TypeChange change;
    change.column = i;
    change.to = col;
    change.using_expr = cmd.using_expr.get();
    change.type_text = catalog::format_column_type(col);
    change.type_name = type_name_without_modifier(col);
    changes.push_back(std::move(change));
  }

  // A column's type as PostgreSQL's format_type_be prints it in messages: without its modifier
  // ("character varying", "numeric").
  static std::string type_name_without_modifier(const storage::ColumnDef& col) {
    std::string name = catalog::format_column_type(col);
    if (size_t open = name.find('('); open != std::string::npos)
      if (size_t close = name.find(')', open); close != std::string::npos) name.erase(open, close - open + 1);
    return name;
  }

  // ALTER COLUMN TYPE's conversion of one row (Store::AlterWork::convert): planner::plan_type_change
  // compiled now (42804 and the other binding errors at once) and run per row with the old row as its
  // parameters, in the session's time zone.
  std::function<void(const Datum*, std::vector<Datum>&)> type_conversion(
      const storage::TableDef& old, const std::vector<planner::TypeChange>& changes,
      pgwire::ResultWriter& out) {
    struct Conversion {
      dtsql::EvalContext dt;
      planner::PlannedStatement planned;
      std::shared_ptr<const codegen::CompiledPlan> code;
      std::vector<int> columns;
      std::vector<TypeId> types, old_types;
      std::vector<Value> values;  // the last row's new values (the Datums set point into them)
    };
    auto c = std::make_shared<Conversion>();
    c->dt = datetime();
    const auto started = std::chrono::steady_clock::now();
    c->planned = planner::plan_type_change(old, changes, planner_context(c->dt));
    const std::string key =
        "\x1f"
        "ALTER COLUMN TYPE\x1f" +
        c->planned.shape_key;
    bool cache_hit = false;
    c->code = db_.jit().get_or_compile(key, c->planned.plan, &cache_hit, compile_wait(started, out));
    for (const planner::TypeChange& change : changes) {
      c->columns.push_back(change.column);
      c->types.push_back(change.to.type);
    }
    for (const storage::ColumnDef& col : old.columns) c->old_types.push_back(col.type);
    return [this, c, started, &out](const Datum* old_row, std::vector<Datum>& row) {
      std::vector<Value> params;
      params.reserve(c->old_types.size());
      for (size_t i = 0; i < c->old_types.size(); ++i)
        params.push_back(dtsql::from_datum(c->old_types[i], old_row[i]));
      runtime::ExecContext ctx;
      prepare_context(ctx, *c->code, c->planned.parameters(params, c->dt), out, started);
      struct Sink final : runtime::RowSink {
        explicit Sink(Conversion& conv) : c(conv) {}
        bool row(const Datum* d, size_t count) override {
          c.values.clear();
          for (size_t k = 0; k < count && k < c.types.size(); ++k)
            c.values.push_back(dtsql::from_datum(c.types[k], d[k]));
          return true;
        }
        Conversion& c;
      } sink(*c);
      ctx.sink = &sink;
      codegen::execute(*c->code, ctx);
      ctx.raise_if_failed();
      if (c->values.size() != c->columns.size())
        throw SqlError(SqlState::InternalError, "ALTER COLUMN TYPE: the conversion returned no row");
      for (size_t k = 0; k < c->columns.size(); ++k)
        row[static_cast<size_t>(c->columns[k])] = dtsql::to_datum(c->values[k]);
    };
  }

  // The sequences owned by column `attnum` of `table` (OWNED BY: SERIAL and identity columns).
  std::vector<storage::SequenceDefPtr> owned_sequences(const storage::TableDef& table, int32_t attnum) const {
    std::vector<storage::SequenceDefPtr> owned;
    for (storage::SequenceDefPtr& seq : db_.store().catalog().sequences(overlay()))
      if (seq->owner_table == table.id && seq->owner_attnum == attnum) owned.push_back(std::move(seq));
    return owned;
  }

  // Plans `stmt` with table `def` (an ALTER TABLE's new definition, not in the catalog yet) in place of the
  // catalog's table of its name: its rows read through the new definition (ADD COLUMN's missing value).
  planner::PlannedStatement plan_over(const ast::Stmt& stmt, const storage::TableDef& def) {
    planner::PlannerContext ctx;
    ctx.catalog = &db_.store().catalog();
    ctx.overlay = overlay();
    auto replaced = std::make_shared<const storage::TableDef>(def);
    ctx.resolve_table = [this, replaced](std::string_view name) {
      return name == replaced->name ? replaced : db_.store().catalog().find(name, overlay());
    };
    ctx.session = &session_info_;
    const dtsql::EvalContext dt_context = datetime();
    ctx.datetime = &dt_context;
    return planner::plan_statement(stmt, ctx);
  }

  // The table a FOREIGN KEY references (42P01 if there is none).
  storage::TableDefPtr referenced_table(const ast::TableRef& t) {
    storage::TableDefPtr ref = find_table(t);
    if (!ref) throw SqlError(SqlState::UndefinedTable, "relation \"" + t.name + "\" does not exist");
    if (ref->is_view())
      throw SqlError(SqlState::WrongObjectType, "referenced relation \"" + t.name + "\" is not a table");
    return ref;
  }

  // The FOREIGN KEY constraints of other tables than `except` that reference table `id`: (table, key).
  std::vector<std::pair<storage::TableDefPtr, const storage::ForeignKeyDef*>> referencing(
      uint32_t id, const std::vector<uint32_t>& except = {}) const {
    std::vector<std::pair<storage::TableDefPtr, const storage::ForeignKeyDef*>> out;
    for (const storage::TableDefPtr& t : db_.store().catalog().tables(overlay())) {
      if (std::find(except.begin(), except.end(), t->id) != except.end()) continue;
      for (const storage::ForeignKeyDef& fk : t->foreign_keys)
        if (fk.ref_table == id) out.emplace_back(t, &fk);
    }
    return out;
  }

  // ALTER TABLE DROP CONSTRAINT (or DROP COLUMN) of `def`'s primary key or UNIQUE constraint `name`
  // that a FOREIGN KEY references: 2BP01, as PostgreSQL without CASCADE.
  void refuse_if_referenced(const storage::TableDef& def, const std::string& name) {
    std::vector<int32_t> cols;
    if (!def.primary_key.empty() && name == def.primary_key_name()) {
      for (int k : def.primary_key) cols.push_back(def.attnum(static_cast<size_t>(k)));
    } else if (const storage::IndexDef* ix = def.find_index(name); ix && ix->constraint) {
      cols = ix->attnums;
    } else {
      return;
    }
    std::sort(cols.begin(), cols.end());
    for (const auto& [t, fk] : referencing(def.id)) {
      std::vector<int32_t> ref = fk->ref_attnums;
      std::sort(ref.begin(), ref.end());
      if (ref != cols) continue;
      throw SqlError(
          SqlState::DependentObjectsStillExist,
          "cannot drop constraint " + name + " on table " + def.name + " because other objects depend on it")
          .with_detail("constraint " + fk->name + " on table " + t->name + " depends on index " + name)
          .with_hint("Use DROP ... CASCADE to drop the dependent objects too.");
    }
  }

  // ADD FOREIGN KEY: for each constraint, the first row of `table` whose key (none of it NULL) no row of
  // the referenced table has (`SELECT c.x ... FROM t c LEFT JOIN p ON ... WHERE p.a IS NULL LIMIT 1`),
  // compiled now and run by Store::alter_table over every committed row: 23503 as an INSERT's.
  std::function<void(const storage::ReadView&)> foreign_key_validation(
      const storage::TableDef& table, std::vector<storage::ForeignKeyDef> keys, pgwire::ResultWriter& out) {
    struct Validation {
      storage::ForeignKeyDef fk;
      std::string parent;
      std::vector<TypeId> types;
      planner::PlannedStatement planned;
      std::shared_ptr<const codegen::CompiledPlan> compiled;
    };
    auto validations = std::make_shared<std::vector<Validation>>();
    const auto started = std::chrono::steady_clock::now();
    storage::Catalog& cat = db_.store().catalog();
    for (storage::ForeignKeyDef& fk : keys) {
      storage::TableDefPtr parent = fk.ref_table == table.id ? nullptr : cat.find(fk.ref_table, overlay());
      const storage::TableDef& p = parent ? *parent : table;
      std::string cols, on, where;
      Validation v;
      for (size_t j = 0; j < fk.attnums.size(); ++j) {
        const storage::ColumnDef& c =
            table.columns[static_cast<size_t>(table.column_of_attnum(fk.attnums[j]))];
        const storage::ColumnDef& r = p.columns[static_cast<size_t>(p.column_of_attnum(fk.ref_attnums[j]))];
        const std::string cq = "omendb_child." + catalog::quote_ident(c.name);
        const std::string rq = "omendb_parent." + catalog::quote_ident(r.name);
        cols += (j ? ", " : "") + cq;
        on += (j ? " AND " : "") + rq + " = " + cq;
        where += cq + " IS NOT NULL AND ";
        v.types.push_back(c.type);
      }
      where +=
          "omendb_parent." +
          catalog::quote_ident(p.columns[static_cast<size_t>(p.column_of_attnum(fk.ref_attnums[0]))].name) +
          " IS NULL";
      std::vector<ast::StmtPtr> stmts = parser::parse(
          "SELECT " + cols + " FROM " + catalog::quote_ident(table.name) + " AS omendb_child LEFT JOIN " +
          (p.id == table.id ? catalog::quote_ident(p.name) : qualified_name(p)) + " AS omendb_parent ON " +
          on + " WHERE " + where + " LIMIT 1");
      v.planned = plan_over(*stmts.at(0), table);
      std::string key =
          "\x1f"
          "FOREIGN KEY validation " +
          std::to_string(table.id) + ":" + fk.name + "\x1f" + v.planned.shape_key + "\x1f" +
          std::to_string(cat.version());
      bool cache_hit = false;
      v.compiled = db_.jit().get_or_compile(key, v.planned.plan, &cache_hit, compile_wait(started, out));
      v.parent = p.name;
      v.fk = std::move(fk);
      validations->push_back(std::move(v));
    }
    storage::TableDef child = table;
    return [this, validations, child, &out, started](const storage::ReadView& view) {
      for (const Validation& v : *validations) {
        runtime::ExecContext ctx;
        prepare_context(ctx, *v.compiled, v.planned.params, out, started);
        ctx.view = &view;
        struct Sink final : runtime::RowSink {
          explicit Sink(const std::vector<TypeId>& t) : types(t) {}
          const std::vector<TypeId>& types;
          std::vector<Value> key;
          bool row(const Datum* d, size_t count) override {
            for (size_t i = 0; i < count && i < types.size(); ++i)
              key.push_back(dtsql::from_datum(types[i], d[i]));
            return true;  // (false would cancel; LIMIT 1 ends the run)
          }
        } sink(v.types);
        ctx.sink = &sink;
        codegen::execute(*v.compiled, ctx);
        ctx.raise_if_failed();
        if (sink.key.empty()) continue;
        std::string cols, vals;
        for (size_t j = 0; j < v.fk.attnums.size(); ++j) {
          cols += (j ? ", " : "") +
                  child.columns[static_cast<size_t>(child.column_of_attnum(v.fk.attnums[j]))].name;
          vals += (j ? ", " : "") + sink.key[j].to_string();
        }
        throw SqlError(SqlState::ForeignKeyViolation, "insert or update on table \"" + child.name +
                                                          "\" violates foreign key constraint \"" +
                                                          v.fk.name + "\"")
            .with_detail("Key (" + cols + ")=(" + vals + ") is not present in table \"" + v.parent + "\".")
            .with_constraint("public", child.name, v.fk.name);
      }
    };
  }

  // ADD CHECK / VALIDATE CONSTRAINT: for each constraint, `SELECT 1 FROM t WHERE NOT (check) LIMIT 1`,
  // planned and compiled now against `table` (the ALTER's new definition: plan_over), run by
  // Store::alter_table over every committed row; a row found is 23514 "check constraint ... is violated by
  // some row".
  std::function<void(const storage::ReadView&)> check_validation(const storage::TableDef& table,
                                                                 std::vector<storage::CheckDef> checks,
                                                                 pgwire::ResultWriter& out) {
    struct Validation {
      std::string name;
      planner::PlannedStatement planned;
      std::shared_ptr<const codegen::CompiledPlan> compiled;
    };
    auto validations = std::make_shared<std::vector<Validation>>();
    const auto started = std::chrono::steady_clock::now();
    for (const storage::CheckDef& check : checks) {
      std::vector<ast::StmtPtr> stmts = parser::parse("SELECT 1 FROM " + catalog::quote_ident(table.name) +
                                                      " WHERE NOT (" + check.expr + ") LIMIT 1");
      Validation v;
      v.name = check.name;
      v.planned = plan_over(*stmts.at(0), table);
      std::string key =
          "\x1f"
          "CHECK validation " +
          std::to_string(table.id) + ":" + check.name + "\x1f" + v.planned.shape_key + "\x1f" +
          std::to_string(db_.store().catalog().version());
      bool cache_hit = false;
      v.compiled = db_.jit().get_or_compile(key, v.planned.plan, &cache_hit, compile_wait(started, out));
      validations->push_back(std::move(v));
    }
    const std::string table_name = table.name;
    return [this, validations, table_name, &out, started](const storage::ReadView& view) {
      for (const Validation& v : *validations) {
        runtime::ExecContext ctx;
        prepare_context(ctx, *v.compiled, v.planned.params, out, started);
        ctx.view = &view;
        struct Sink final : runtime::RowSink {
          bool found = false;
          bool row(const Datum*, size_t) override {
            found = true;
            return true;  // (false would cancel; LIMIT 1 ends the run)
          }
        } sink;
        ctx.sink = &sink;
        codegen::execute(*v.compiled, ctx);
        ctx.raise_if_failed();
        if (sink.found)
          throw SqlError(SqlState::CheckViolation, "check constraint \"" + v.name + "\" of relation \"" +
                                                       table_name + "\" is violated by some row")
              .with_constraint("public", table_name, v.name);
      }
    };
  }

  // Waits until no statement uses table `name` (exclusive table lock), then holds the DDL mutex; looks
  // again if the table changed meanwhile. Null (nothing held) if there is no such table.
  struct TableForDdl {
    storage::TableDefPtr def;
    TableLocks::Held locks;
    std::unique_lock<std::mutex> ddl;
  };
  TableForDdl lock_table_for_ddl(const ast::TableRef& name, const storage::LockWait& wait) {
    TableForDdl out;
    for (;;) {
      out.def = find_table(name);
      if (!out.def) return out;
      settle_cursors_using({out.def->id});
      out.locks = acquire_tables({}, {out.def->id}, wait);
      if (!in_transaction()) out.ddl = std::unique_lock<std::mutex>(db_.ddl_mutex());
      if (find_table(name) == out.def) return out;
      if (out.ddl.owns_lock()) out.ddl.unlock();
      out.locks.release();
    }
  }

  // Whether `name` is taken by a relation pg_class lists: a table, an index, a primary key's index.
  bool relation_name_taken(const std::string& name, storage::Namespace nsp = {}) const {
    storage::Catalog& catalog = db_.store().catalog();
    if (catalog.name_used(name, overlay(), nsp)) return true;
    for (const auto& t : catalog.tables(overlay()))
      if (t->nsp() == nsp && !t->primary_key.empty() && t->primary_key_name() == name) return true;
    return false;
  }

  // An index's column names joined by "_" (PostgreSQL's ChooseIndexNameAddition), for generated names.
  static std::string index_column_names(const storage::TableDef& def, const storage::IndexDef& index) {
    std::string cols;
    for (int32_t a : index.attnums) {
      const int c = def.column_of_attnum(a);
      if (c < 0) continue;
      if (!cols.empty()) cols += "_";
      cols += def.columns[static_cast<size_t>(c)].name;
      if (cols.size() >= 64) break;
    }
    return cols;
  }

  // ALTER TABLE ... ADD [CONSTRAINT name] UNIQUE (cols) and ADD COLUMN ... UNIQUE: a new unique index of
  // `def`, built (and checked for duplicates) by Store::alter_table.
  void add_unique_constraint(storage::TableDef& def, const std::string& name,
                             const std::vector<std::string>& columns, bool nulls_not_distinct,
                             storage::Store::AlterWork& work, std::vector<std::string>& taken) {
    storage::IndexDef index;
    index.unique = true;
    index.constraint = true;
    index.nulls_not_distinct = nulls_not_distinct;
    for (const std::string& c : columns) {
      const int i = def.find_column(c);
      if (i < 0)
        throw SqlError(SqlState::UndefinedColumn, "column \"" + c + "\" named in key does not exist");
      const int32_t a = def.attnum(static_cast<size_t>(i));
      if (std::find(index.attnums.begin(), index.attnums.end(), a) != index.attnums.end())
        throw SqlError(SqlState::DuplicateColumn, "column \"" + c + "\" appears twice in unique constraint");
      if (def.columns[static_cast<size_t>(i)].type == TypeId::Interval)
        throw_unsupported("an index on an interval column");
      if (is_array(def.columns[static_cast<size_t>(i)].type))
        throw_unsupported("an index on an array column");
      if (is_json_type(def.columns[static_cast<size_t>(i)].type))
        throw_unsupported("an index on a json or jsonb column");
      index.attnums.push_back(a);
    }
    if (index.attnums.size() > 32)
      throw SqlError(SqlState::TooManyColumns, "cannot use more than 32 columns in an index");
    if (name.empty()) {
      index.name = choose_relation_name(def.name, index_column_names(def, index), "key", taken, def.nsp());
    } else {
      index.name = name.size() > 63 ? name.substr(0, 63) : name;
      if (relation_name_taken(index.name, def.nsp()) ||
          std::find(taken.begin(), taken.end(), index.name) != taken.end())
        throw SqlError(SqlState::DuplicateTable, "relation \"" + index.name + "\" already exists");
    }
    taken.push_back(index.name);
    index.id = db_.store().catalog().allocate_id();
    work.build_indexes.push_back(index.id);
    work.fence = true;  // a transaction that wrote the table without the index fails at COMMIT (40001)
    def.indexes.push_back(std::move(index));
  }

  // CREATE INDEX (docs/schema.md, "Secondary indexes"): as PostgreSQL's non-concurrent build, the table's
  // writers (and here its readers too: the table lock has one exclusive mode) wait until the index is
  // built; statements on other tables go on, but commits of every table wait for the build's write.
  void create_index(const ast::CreateIndexStmt& stmt, pgwire::ResultWriter& out) {
    if (stmt.concurrently) prevent_in_transaction("CREATE INDEX CONCURRENTLY");
    if (!stmt.unsupported_feature.empty()) throw_unsupported(stmt.unsupported_feature);
    const ast::TableRef& t = stmt.table;
    if (!name_scope(t.schema))
      throw SqlError(SqlState::UndefinedTable, "relation \"" + t.schema + "." + t.name + "\" does not exist");
    if (stmt.elements.size() > 32)
      throw SqlError(SqlState::TooManyColumns, "cannot use more than 32 columns in an index");
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    TableForDdl table = lock_table_for_ddl(t, wait);
    if (!table.def) throw SqlError(SqlState::UndefinedTable, "relation \"" + t.name + "\" does not exist");
    if (table.def->is_view())
      throw SqlError(SqlState::WrongObjectType, "cannot create index on relation \"" + t.name + "\"")
          .with_detail("This operation is not supported for views.");
    storage::TableDef def = *table.def;
    storage::IndexDef index;
    index.unique = stmt.unique;
    index.nulls_not_distinct = stmt.unique && stmt.nulls_not_distinct;
    for (const ast::CreateIndexStmt::Element& e : stmt.elements) index.options.push_back(e.option);
    if (std::all_of(index.options.begin(), index.options.end(), [](uint8_t o) { return o == 0; }))
      index.options.clear();
    auto refuse_type = [&](TypeId type) {
      if (type == TypeId::Interval) throw_unsupported("an index on an interval column");
      if (is_array(type)) throw_unsupported("an index on an array column");
      if (is_json_type(type)) throw_unsupported("an index on a json or jsonb column");
    };
    std::vector<std::string> element_names;  // PostgreSQL's ChooseIndexColumnNames
    for (const ast::CreateIndexStmt::Element& e : stmt.elements) {
      std::string name;
      if (e.expr) {  // an expression: attnum 0 and the next of index.exprs
        storage::IndexDef::Expression x = planner::bind_index_expression(*e.expr, def, false);
        refuse_type(x.type);
        index.exprs.push_back(std::move(x));
        index.attnums.push_back(0);
        name = e.name;
      } else {
        const int i = def.find_column(e.column);
        if (i < 0) throw SqlError(SqlState::UndefinedColumn, "column \"" + e.column + "\" does not exist");
        refuse_type(def.columns[static_cast<size_t>(i)].type);
        index.attnums.push_back(def.attnum(static_cast<size_t>(i)));
        name = e.column;
      }
      // A name listed before gets 1, 2, ... appended.
      std::string unique_name = name;
      for (int n = 1;
           std::find(element_names.begin(), element_names.end(), unique_name) != element_names.end(); ++n)
        unique_name = name + std::to_string(n);
      element_names.push_back(unique_name);
    }
    if (stmt.where) index.predicate = planner::bind_index_expression(*stmt.where, def, true);
    if (stmt.name.empty()) {
      // PostgreSQL's ChooseIndexName: table_col1_col2_idx, then idx1, idx2, ... until the name is free.
      std::string cols;
      for (const std::string& n : element_names) {
        if (!cols.empty()) cols += "_";
        cols += n;
        if (cols.size() >= 64) break;
      }
      index.name = choose_relation_name(def.name, cols, "idx", {}, def.nsp());
    } else {
      index.name = stmt.name.size() > 63 ? stmt.name.substr(0, 63) : stmt.name;
      if (relation_name_taken(index.name, def.nsp())) {
        if (stmt.if_not_exists) {
          out.notice("42P07", "relation \"" + index.name + "\" already exists, skipping");
          out.command_complete("CREATE INDEX");
          return;
        }
        throw SqlError(SqlState::DuplicateTable, "relation \"" + index.name + "\" already exists");
      }
    }
    storage::Store::AlterWork work;
    work.build_indexes.push_back(0);
    work.fence = true;  // a transaction that wrote the table without the index fails at COMMIT (40001)
    work.cancel = wait.cancel;
    work.deadline = wait.deadline;
    if (in_transaction()) {
      // Its entries go into the transaction's writes (replace_in_transaction, Transaction::alter_rows).
      index.id = db_.store().catalog().allocate_id();
      work.build_indexes[0] = index.id;
      def.indexes.push_back(index);
      replace_in_transaction(std::move(def), work, table.def, std::move(table.locks), "CREATE INDEX", wait);
    } else {
      index.id = db_.store().catalog().allocate_id();
      work.build_indexes[0] = index.id;
      def.indexes.push_back(index);
      db_.store().alter_table(std::move(def), work);
    }
    out.command_complete("CREATE INDEX");
  }

  // DROP INDEX: all named indexes are checked first (a failing DROP drops nothing), then each one's table
  // waits for the statements using it, and the index leaves the catalog with its entries in one write.
  void drop_index(const ast::DropIndexStmt& stmt, pgwire::ResultWriter& out) {
    if (stmt.concurrently) prevent_in_transaction("DROP INDEX CONCURRENTLY");
    storage::Catalog& catalog = db_.store().catalog();
    std::vector<std::pair<std::string, storage::NameScope>> names;
    for (const ast::TableRef& r : stmt.indexes) {
      const std::optional<storage::NameScope> scope = name_scope(r.schema);
      const bool public_schema = scope.has_value();
      if (public_schema) {
        if (storage::TableDefPtr owner = catalog.find_index_table(r.name, overlay(), *scope)) {
          const storage::IndexDef* ix = owner->find_index(r.name);
          if (ix && ix->constraint)
            throw SqlError(SqlState::DependentObjectsStillExist,
                           "cannot drop index " + r.name + " because constraint " + r.name + " on table " +
                               owner->name + " requires it")
                .with_hint("You can drop constraint " + r.name + " on table " + owner->name + " instead.");
          names.emplace_back(r.name, *scope);
          continue;
        }
      }
      if (public_schema) {
        if (storage::TableDefPtr t = catalog.find(r.name, overlay(), *scope))
          throw SqlError(SqlState::WrongObjectType, "\"" + r.name + "\" is not an index")
              .with_hint(t->is_view() ? "Use DROP VIEW to remove a view."
                                      : "Use DROP TABLE to remove a table.");
        for (const auto& t : catalog.tables(overlay()))
          if (!t->primary_key.empty() && t->primary_key_name() == r.name && in_scope(*t, *scope))
            throw SqlError(SqlState::DependentObjectsStillExist, "cannot drop index " + r.name +
                                                                     " because constraint " + r.name +
                                                                     " on table " + t->name + " requires it")
                .with_hint("You can drop constraint " + r.name + " on table " + t->name + " instead.");
      }
      std::string shown = r.schema.empty() || r.schema == "public" ? r.name : r.schema + "." + r.name;
      if (!stmt.if_exists)
        throw SqlError(SqlState::UndefinedObject, "index \"" + shown + "\" does not exist");
      out.notice("00000", "index \"" + shown + "\" does not exist, skipping");
    }
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    for (const auto& [name, scope] : names) {
      for (;;) {
        storage::TableDefPtr owner = catalog.find_index_table(name, overlay(), scope);
        if (!owner) break;  // dropped meanwhile by another session
        TableForDdl table = lock_table_for_ddl(ref_of(*owner), wait);
        if (!table.def || !table.def->find_index(name)) continue;  // changed while we waited: look again
        storage::TableDef def = *table.def;
        storage::Store::AlterWork work;
        for (auto ix = def.indexes.begin(); ix != def.indexes.end(); ++ix) {
          if (ix->name != name) continue;
          work.drop_indexes.push_back(ix->id);
          def.indexes.erase(ix);
          break;
        }
        if (in_transaction())
          replace_in_transaction(std::move(def), work, table.def, std::move(table.locks), "DROP INDEX", wait);
        else
          db_.store().alter_table(std::move(def), work);
        break;
      }
    }
    out.command_complete("DROP INDEX");
  }

  // ---- Sequences (docs/schema.md, "Sequences"). Not transactional, as the other DDL.
  // OWNED BY table.column: the owner's id and attribute number (42P01, 42703 as PostgreSQL).
  void resolve_owner(const planner::SequenceOptionsResult& options, storage::SequenceDef& def) {
    if (!options.owned_by_given) return;
    def.owner_table = 0;
    def.owner_attnum = 0;
    if (options.owned_by_none) return;
    ast::TableRef ref;
    ref.schema = options.owned_schema;
    ref.name = options.owned_table;
    if (!ref.schema.empty() && !name_scope(ref.schema))
      throw SqlError(SqlState::InvalidSchemaName, "schema \"" + ref.schema + "\" does not exist");
    storage::TableDefPtr t = find_table(ref);
    if (!t) {
      if (find_sequence(ref))
        throw SqlError(SqlState::WrongObjectType, "sequence must have same owner as table it is linked to");
      throw SqlError(SqlState::UndefinedTable, "relation \"" + options.owned_table + "\" does not exist");
    }
    if (t->nsp() != def.nsp())
      throw SqlError(SqlState::ObjectNotInPrerequisiteState,
                     "sequence must be in same schema as table it is linked to");
    int c = t->find_column(options.owned_column);
    if (c < 0)
      throw SqlError(SqlState::UndefinedColumn, "column \"" + options.owned_column + "\" of relation \"" +
                                                    t->name + "\" does not exist");
    def.owner_table = t->id;
    def.owner_attnum = t->attnum(static_cast<size_t>(c));
  }

  void create_sequence(const ast::SequenceStmt& stmt, pgwire::ResultWriter& out) {
    if (!stmt.unsupported_feature.empty()) throw_unsupported(stmt.unsupported_feature);
    const storage::Namespace nsp = creation_namespace(stmt.sequence, stmt.temporary);
    // A temporary sequence, or one in a schema other than public, is created in a transaction (outside a
    // block, one of its own), whose commit checks its namespace again.
    if (nsp != storage::Namespace{} && !in_transaction())
      return in_own_transaction([&] { create_sequence(stmt, out); });
    storage::SequenceDef def;
    def.name = stmt.sequence.name;
    def.temp_namespace = nsp.temp;
    def.schema = nsp.schema;
    planner::SequenceOptionsResult options = planner::apply_sequence_options(stmt.options, def, true, false);
    // The name is held to the end of the transaction (of the statement outside one): a second creator
    // of the name waits for it.
    TableLocks::Held name_lock =
        lock_names({def.name}, table_wait(std::chrono::steady_clock::now(), out), nsp);
    std::unique_lock<std::mutex> ddl;
    if (!in_transaction()) ddl = std::unique_lock<std::mutex>(db_.ddl_mutex());
    storage::Catalog& catalog = db_.store().catalog();
    if (stmt.if_not_exists && catalog.name_used(def.name, overlay(), nsp)) {
      out.notice("42P07", "relation \"" + def.name + "\" already exists, skipping");
      out.command_complete("CREATE SEQUENCE");
      return;
    }
    resolve_owner(options, def);
    if (in_transaction()) {
      catalog.create_sequence(def, options.restart, *overlay());
    } else {
      catalog.create_sequence(def, options.restart);
    }
    out.command_complete("CREATE SEQUENCE");
  }

  void alter_sequence(const ast::SequenceStmt& stmt, pgwire::ResultWriter& out) {
    std::unique_lock<std::mutex> ddl;
    if (!in_transaction()) ddl = std::unique_lock<std::mutex>(db_.ddl_mutex());
    storage::Catalog& catalog = db_.store().catalog();
    storage::SequenceDefPtr old = find_sequence(stmt.sequence);
    if (!old) {
      if (find_table(stmt.sequence))
        throw SqlError(SqlState::WrongObjectType, "\"" + stmt.sequence.name + "\" is not a sequence");
      if (!stmt.missing_ok)
        throw SqlError(SqlState::UndefinedTable, "relation \"" + stmt.sequence.name + "\" does not exist");
      out.notice("00000", "relation \"" + stmt.sequence.name + "\" does not exist, skipping");
      out.command_complete("ALTER SEQUENCE");
      return;
    }
    // A sequence this transaction created changes with it; a committed one's change could not be undone.
    if (in_transaction() && !overlay()->created_sequences.count(old->id))
      refuse_in_transaction(
          "ALTER SEQUENCE inside a transaction block, except of a sequence created in the same transaction");
    storage::SequenceDef def = *old;
    planner::SequenceOptionsResult options = planner::apply_sequence_options(stmt.options, def, false, false);
    resolve_owner(options, def);
    catalog.alter_sequence(std::move(def), options.restart, overlay());
    out.command_complete("ALTER SEQUENCE");
  }

  void drop_sequence(const ast::DropTableStmt& stmt, pgwire::ResultWriter& out) {
    if (!in_transaction())  // a temporary sequence is dropped through the overlay (see create_table)
      for (const ast::TableRef& t : stmt.tables)
        if (auto seq = find_sequence(t); seq && seq->nsp() != storage::Namespace{})
          return in_own_transaction([&] { drop_sequence(stmt, out); });
    std::unique_lock<std::mutex> ddl;
    if (!in_transaction()) ddl = std::unique_lock<std::mutex>(db_.ddl_mutex());
    storage::Catalog& catalog = db_.store().catalog();
    // Check all first: a failing DROP drops nothing.
    std::vector<storage::SequenceDefPtr> defs;
    for (const ast::TableRef& t : stmt.tables) {
      storage::SequenceDefPtr def = find_sequence(t);
      if (storage::TableDefPtr other = def ? nullptr : find_table(t))
        throw SqlError(SqlState::WrongObjectType, "\"" + t.name + "\" is not a sequence")
            .with_hint(other->is_view() ? "Use DROP VIEW to remove a view."
                                        : "Use DROP TABLE to remove a table.");
      if (!def && !stmt.if_exists)
        throw SqlError(SqlState::UndefinedTable, "sequence \"" + t.name + "\" does not exist");
      if (def && def->owner_table) {
        // A SERIAL / identity column's DEFAULT uses it (PostgreSQL's dependency): 2BP01.
        storage::TableDefPtr owner = catalog.find(def->owner_table, overlay());
        for (size_t c = 0; owner && c < owner->columns.size(); ++c) {
          if (owner->attnum(c) != def->owner_attnum) continue;
          const storage::ColumnDef& col = owner->columns[c];
          if (col.identity)
            throw SqlError(SqlState::DependentObjectsStillExist,
                           "cannot drop sequence " + def->name + " because column " + col.name +
                               " of table " + owner->name + " requires it")
                .with_hint("You can drop column " + col.name + " of table " + owner->name + " instead.");
          if (catalog::default_uses_sequence(col, *def)) {
            if (stmt.cascade) throw_unsupported("DROP SEQUENCE ... CASCADE");
            throw SqlError(SqlState::DependentObjectsStillExist,
                           "cannot drop sequence " + def->name + " because other objects depend on it")
                .with_detail("default value for column " + col.name + " of table " + owner->name +
                             " depends on sequence " + def->name)
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too.");
          }
        }
      }
      defs.push_back(std::move(def));
    }
    for (size_t i = 0; i < defs.size(); ++i) {
      if (!defs[i])
        out.notice("00000", "sequence \"" + stmt.tables[i].name + "\" does not exist, skipping");
      else if (in_transaction())
        catalog.drop_sequence(defs[i]->id, *overlay());
      else
        catalog.drop_sequence(defs[i]->name);
    }
    out.command_complete("DROP SEQUENCE");
  }

  // PostgreSQL's ChooseRelationName(table, column, "seq"): table_column_seq, the longer name cut until it
  // fits in 63 bytes, then table_column_seq1, seq2 ... while the name is taken.
  std::string choose_sequence_name(const std::string& table, const std::string& column,
                                   const std::vector<std::string>& taken, storage::Namespace nsp) {
    return choose_relation_name(table, column, "seq", taken, nsp);
  }

  // PostgreSQL's ChooseRelationName / makeObjectName: table_addition_label, the longer of the first two
  // parts cut until the name fits 63 bytes; label1, label2, ... while the name is taken (by a relation, or
  // in `taken`).
  std::string choose_relation_name(const std::string& table, const std::string& column,
                                   const std::string& base, const std::vector<std::string>& taken,
                                   storage::Namespace nsp) {
    for (int pass = 0;; ++pass) {
      std::string name = planner::make_object_name(table, column, pass ? base + std::to_string(pass) : base);
      if (!relation_name_taken(name, nsp) && std::find(taken.begin(), taken.end(), name) == taken.end())
        return name;
    }
  }

  // The sequence SERIAL or identity column `i` of `def` owns (`identity_options`: an identity's), named
  // table_column_seq (a name not in `taken`) unless SEQUENCE NAME gives one, of the column's type; sets
  // the column's DEFAULT to its nextval.
  storage::SequenceDef owned_sequence(storage::TableDef& def, size_t i,
                                      const std::vector<ast::SequenceOption>& identity_options, bool identity,
                                      const std::vector<std::string>& taken) {
    storage::ColumnDef& col = def.columns[i];
    storage::SequenceDef seq;
    ast::SequenceOption as;
    as.name = "as";
    as.has_arg = true;
    as.value = col.type == TypeId::Int16 ? "int2" : col.type == TypeId::Int64 ? "int8" : "int4";
    std::vector<ast::SequenceOption> options{as};
    for (const ast::SequenceOption& o : identity_options)
      if (o.name != "as") options.push_back(o);
    planner::SequenceOptionsResult r = planner::apply_sequence_options(options, seq, true, identity);
    seq.name = r.sequence_name.empty() ? choose_sequence_name(def.name, col.name, taken, def.nsp())
                                       : r.sequence_name;
    if (r.restart) seq.start = *r.restart;
    seq.owner_attnum = def.attnum(i);
    seq.temp_namespace = def.temp_namespace;  // in its table's namespace
    seq.schema = def.schema;
    // Qualified in a schema other than public, so that the DEFAULT names its own sequence whatever the
    // search_path (PostgreSQL's stores the sequence's OID).
    std::string literal;
    const std::string schema = def.schema ? db_.store().catalog().schema_name(def.schema, overlay()) : "";
    for (char ch :
         (schema.empty() ? "" : catalog::quote_ident(schema) + ".") + catalog::quote_ident(seq.name)) {
      literal += ch;
      if (ch == '\'') literal += ch;
    }
    col.default_expr = "nextval('" + literal + "'::regclass)";
    return seq;
  }

  void create_table(const ast::CreateTableStmt& stmt, std::string_view text, pgwire::ResultWriter& out) {
    if (stmt.as_query) return create_table_as(stmt, text, out);
    // A temporary table is created in a transaction (outside a block, one of its own): its ON COMMIT
    // action, and its namespace's names, go through the transaction's catalog overlay.
    // So is a table in a schema other than public (its commit checks the schema again).
    if (!in_transaction() && (planner::creates_temporary(stmt.table, stmt.temporary) ||
                              creation_namespace(stmt.table, stmt.temporary) != storage::Namespace{}))
      return in_own_transaction([&] { create_table(stmt, text, out); });
    storage::TableDef def = planner::bind_create_table(stmt);
    const storage::Namespace nsp = creation_namespace(stmt.table, stmt.temporary);
    def.temp_namespace = nsp.temp;
    def.schema = nsp.schema;
    // The name is held to the end of the transaction (of the statement outside one): a concurrent CREATE
    // of the same name waits, then finds the table if this transaction committed it (42P07).
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    TableLocks::Held name_lock = lock_names({def.name}, wait, nsp);
    std::unique_lock<std::mutex> ddl;
    if (!in_transaction()) ddl = std::unique_lock<std::mutex>(db_.ddl_mutex());
    storage::Catalog& catalog = db_.store().catalog();
    if (stmt.if_not_exists && catalog.name_used(def.name, overlay(), nsp)) {
      out.notice("42P07", "relation \"" + def.name + "\" already exists, skipping");
      out.command_complete("CREATE TABLE");
      return;
    }
    // SERIAL and identity columns: the sequences they own, created with the table in one write.
    std::vector<storage::SequenceDef> owned;
    std::vector<std::string> taken{def.name};
    for (size_t i = 0; i < stmt.columns.size(); ++i) {
      const ast::ColumnDef& c = stmt.columns[i];
      const int8_t width = planner::serial_width(c.type);
      if (!width && !c.identity) continue;
      owned.push_back(owned_sequence(def, i, c.identity_options, c.identity != 0, taken));
      taken.push_back(owned.back().name);
    }
    // UNIQUE constraints' indexes, named in order as PostgreSQL creates them after the primary key's: one
    // without a name gets t_a_b_key (ChooseConstraintName), a name taken already is 42P07.
    if (!def.primary_key.empty()) {
      // A name the statement gives its primary key is its index's too: taken by a relation, 42P07.
      if (!def.pkey_name.empty() && (std::find(taken.begin(), taken.end(), def.pkey_name) != taken.end() ||
                                     relation_name_taken(def.pkey_name, nsp)))
        throw SqlError(SqlState::DuplicateTable, "relation \"" + def.pkey_name + "\" already exists");
      taken.push_back(def.primary_key_name());
    }
    for (storage::IndexDef& index : def.indexes) {
      if (index.name.empty()) {
        index.name = choose_relation_name(def.name, index_column_names(def, index), "key", taken, nsp);
      } else if (std::find(taken.begin(), taken.end(), index.name) != taken.end()) {
        throw SqlError(SqlState::DuplicateTable, "relation \"" + index.name + "\" already exists");
      }
      taken.push_back(index.name);
    }
    // FOREIGN KEY constraints, named after the CHECK constraints as PostgreSQL adds them after the table.
    std::vector<std::string> fk_names;
    for (const ast::ForeignKeyConstraint& f : stmt.foreign_keys) {
      storage::TableDefPtr ref;
      const bool self = names_table(f.ref_table, def);
      if (!self) ref = referenced_table(f.ref_table);
      if (!self) check_reference_persistence(def, *ref);
      storage::ForeignKeyDef fk = planner::bind_foreign_key(f, def, self ? def : *ref, fk_names);
      fk_names.push_back(fk.name);
      def.foreign_keys.push_back(std::move(fk));
    }
    if (in_transaction()) {
      std::vector<std::string> names;
      for (const storage::SequenceDef& seq : owned) names.push_back(seq.name);
      for (const storage::IndexDef& index : def.indexes) names.push_back(index.name);
      lock_names(names, wait, nsp);
      storage::TableDefPtr created = catalog.create_table(std::move(def), std::move(owned), *overlay());
      if (stmt.on_commit == 'd') on_commit_delete_.insert(created->id);
      if (stmt.on_commit == 'D') on_commit_drop_.insert(created->id);
    } else {
      catalog.create_table(std::move(def), std::move(owned));
    }
    out.command_complete("CREATE TABLE");
  }

  // CREATE TABLE ... AS query / SELECT ... INTO (docs/schema.md, "CREATE TABLE AS"): creates the table
  // with the query's columns and runs INSERT INTO it the query, in the transaction (outside a block, one
  // of its own), so that a failing query leaves no table. The tag is SELECT n (CREATE TABLE AS for WITH NO
  // DATA and for IF NOT EXISTS of an existing relation), as PostgreSQL's.
  // The planner's view of this session: the catalog with the transaction's overlay, the session's values,
  // and `dt` (its zone and clocks, kept alive by the caller while it plans).
  planner::PlannerContext planner_context(const dtsql::EvalContext& dt) const {
    planner::PlannerContext ctx;
    ctx.catalog = &db_.store().catalog();
    ctx.overlay = overlay();
    ctx.session = &session_info_;
    ctx.datetime = &dt;
    return ctx;
  }

  void create_table_as(const ast::CreateTableStmt& stmt, std::string_view text, pgwire::ResultWriter& out) {
    if (!in_transaction()) return in_own_transaction([&] { create_table_as(stmt, text, out); });
    const dtsql::EvalContext dt_context = datetime();
    storage::TableDef def = planner::bind_table_as(stmt, planner_context(dt_context));
    const storage::Namespace nsp = creation_namespace(stmt.table, stmt.temporary);
    def.temp_namespace = nsp.temp;
    def.schema = nsp.schema;
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    TableLocks::Held name_lock = lock_names({def.name}, wait, nsp);
    storage::Catalog& catalog = db_.store().catalog();
    if (catalog.name_used(def.name, overlay(), nsp)) {
      if (!stmt.if_not_exists)
        throw SqlError(SqlState::DuplicateTable, "relation \"" + def.name + "\" already exists");
      out.notice("42P07", "relation \"" + def.name + "\" already exists, skipping");
      out.command_complete("CREATE TABLE AS");
      return;
    }
    storage::TableDefPtr created = catalog.create_table(std::move(def), {}, *overlay());
    if (stmt.on_commit == 'd') on_commit_delete_.insert(created->id);
    if (stmt.on_commit == 'D') on_commit_drop_.insert(created->id);
    if (stmt.with_no_data) {
      out.command_complete(stmt.select_into ? "SELECT 0" : "CREATE TABLE AS");
      return;
    }
    // The rows: the query bound again as INSERT ... SELECT (its tables locked now); its tag says SELECT.
    run_query(*stmt.as_query, text, out, "SELECT ");
  }

  // PostgreSQL's rule for a FOREIGN KEY: a temporary table references only temporary tables, a permanent
  // one only permanent tables (42P16).
  static void check_reference_persistence(const storage::TableDef& table, const storage::TableDef& ref) {
    if (table.is_temp() && !ref.is_temp())
      throw SqlError(SqlState::InvalidTableDefinition,
                     "constraints on temporary tables may reference only temporary tables");
    if (!table.is_temp() && ref.is_temp())
      throw SqlError(SqlState::InvalidTableDefinition,
                     "constraints on permanent tables may reference only permanent tables");
  }

  // DROP TABLE / DROP VIEW: waits until no statement uses the relations (TableLocks, exclusive), then
  // drops them; with CASCADE the views that depend on them too (one transaction: outside a block, a
  // transaction of its own).
  void drop_table(const ast::DropTableStmt& stmt, pgwire::ResultWriter& out) {
    if (!in_transaction() && (stmt.view || stmt.cascade || names_temporary(stmt.tables)))
      return in_own_transaction([&] { drop_table(stmt, out); });
    storage::Catalog& catalog = db_.store().catalog();
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    const char* kind = stmt.view ? "view" : "table";
    // The relations as the catalog has them now; check all first: a failing DROP drops nothing.
    auto resolve = [&] {
      std::vector<storage::TableDefPtr> defs;
      for (const ast::TableRef& t : stmt.tables) {
        storage::TableDefPtr def = find_table(t);
        if (!def && find_sequence(t))
          throw SqlError(SqlState::WrongObjectType, "\"" + t.name + "\" is not a " + kind)
              .with_hint("Use DROP SEQUENCE to remove a sequence.");
        if (def && def->is_view() != stmt.view)
          throw SqlError(SqlState::WrongObjectType, "\"" + t.name + "\" is not a " + kind)
              .with_hint(stmt.view ? "Use DROP TABLE to remove a table." : "Use DROP VIEW to remove a view.");
        if (!def && !stmt.if_exists)
          throw SqlError(SqlState::UndefinedTable, std::string(kind) + " \"" + t.name + "\" does not exist");
        defs.push_back(std::move(def));
      }
      return defs;
    };
    for (;;) {
      std::vector<storage::TableDefPtr> defs = resolve();
      std::vector<storage::TableDefPtr> present;
      for (const auto& d : defs)
        if (d) present.push_back(d);
      // This session's own cursors over them read on first (as a WITH HOLD cursor PostgreSQL
      // materialises at COMMIT): the exclusive locks would otherwise wait for ourselves.
      settle_cursors_using(table_ids(present));
      TableLocks::Held locks = acquire_tables({}, table_ids(present), wait);
      std::unique_lock<std::mutex> ddl;
      if (!in_transaction()) ddl = std::unique_lock<std::mutex>(db_.ddl_mutex());
      if (resolve() != defs) continue;  // changed while we waited: look again
      for (const auto& d : present) {   // a table another one references (not dropped with it) stays
        auto refs = referencing(d->id, table_ids(present));
        if (refs.empty()) continue;
        if (stmt.cascade) throw_unsupported("DROP TABLE ... CASCADE of a table a foreign key references");
        throw SqlError(SqlState::DependentObjectsStillExist,
                       "cannot drop table " + d->name + " because other objects depend on it")
            .with_detail("constraint " + refs[0].second->name + " on table " + refs[0].first->name +
                         " depends on table " + d->name)
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too.");
      }
      // Views over them (not dropped with them): 2BP01, or with CASCADE dropped too (their statements
      // hold the base tables' locks, which we hold now).
      const auto dependents = dependent_views(present);
      if (!dependents.empty()) {
        if (!stmt.cascade)
          refuse_dependent_views("drop " + std::string(kind) + " " + dependents[0].second->name, dependents);
        notice_cascade(dependents, out);
        std::vector<uint32_t> views;
        for (const auto& [view, on] : dependents) {
          present.insert(present.begin(), view);
          views.push_back(view->id);
        }
        hold_to_end(acquire_tables({}, views, wait), views);
      }
      for (size_t i = 0; i < defs.size(); ++i)
        if (!defs[i])
          out.notice("00000",
                     std::string(kind) + " \"" + stmt.tables[i].name + "\" does not exist, skipping");
      if (in_transaction()) {
        // Dropped when the transaction commits; until then the tables stay locked (others wait).
        for (const auto& d : present) catalog.drop_table(d->id, *overlay());
        hold_to_end(std::move(locks), table_ids(present));
      } else {
        for (const auto& d : present) catalog.drop_table(d->name);
      }
      break;
    }
    out.command_complete(stmt.view ? "DROP VIEW" : "DROP TABLE");
  }

  // ---- Views (docs/schema.md, "Views")

  // Runs `f` (DDL through the transaction's catalog overlay) in a transaction of its own, committed when
  // `f` returns and rolled back when it throws: its catalog changes are one atomic write.
  template <class F>
  void in_own_transaction(F&& f) {
    open_transaction(State::Implicit, default_isolation_);
    try {
      f();
    } catch (...) {
      finish_transaction(false);
      throw;
    }
    finish_transaction(true);
  }

  // The views depending on `roots` (directly, or through other views) that are not among them, each with
  // the relation it depends on, in the order found (a view after the relation it depends on).
  std::vector<std::pair<storage::TableDefPtr, storage::TableDefPtr>> dependent_views(
      const std::vector<storage::TableDefPtr>& roots, int32_t attnum = 0) const {
    std::vector<std::pair<storage::TableDefPtr, storage::TableDefPtr>> out;
    const std::vector<storage::TableDefPtr> all = db_.store().catalog().tables(overlay());
    auto listed = [&](uint32_t id) {
      for (const auto& r : roots)
        if (r->id == id) return true;
      for (const auto& [v, on] : out)
        if (v->id == id) return true;
      return false;
    };
    std::vector<storage::TableDefPtr> queue = roots;
    for (size_t i = 0; i < queue.size(); ++i) {
      for (const storage::TableDefPtr& v : all) {
        if (!v->is_view() || listed(v->id)) continue;
        for (const storage::ViewDependency& d : v->view->depends) {
          if (d.relation != queue[i]->id) continue;
          // The first level may be narrowed to the views reading one column.
          if (i < roots.size() && attnum != 0 &&
              std::find(d.attnums.begin(), d.attnums.end(), attnum) == d.attnums.end())
            continue;
          out.emplace_back(v, queue[i]);
          queue.push_back(v);
          break;
        }
      }
    }
    return out;
  }

  static std::string relation_kind(const storage::TableDef& t) { return t.is_view() ? "view" : "table"; }

  // 2BP01 "cannot <what> because other objects depend on it", DETAIL one line per dependent view (of a
  // column drop: the views on `column` of `table` depend on that column).
  [[noreturn]] static void refuse_dependent_views(
      const std::string& what, const std::vector<std::pair<storage::TableDefPtr, storage::TableDefPtr>>& deps,
      const storage::TableDef* table = nullptr, const std::string& column = {}) {
    std::string detail;
    for (const auto& [view, on] : deps) {
      if (!detail.empty()) detail += "\n";
      detail += "view " + view->name + " depends on " +
                (table && on->id == table->id ? "column " + column + " of " : std::string()) +
                relation_kind(*on) + " " + on->name;
    }
    throw SqlError(SqlState::DependentObjectsStillExist,
                   "cannot " + what + " because other objects depend on it")
        .with_detail(detail)
        .with_hint("Use DROP ... CASCADE to drop the dependent objects too.");
  }

  // PostgreSQL's NOTICE of a DROP ... CASCADE.
  static void notice_cascade(const std::vector<std::pair<storage::TableDefPtr, storage::TableDefPtr>>& deps,
                             pgwire::ResultWriter& out) {
    if (deps.size() == 1) {
      out.notice("00000", "drop cascades to view " + deps[0].first->name);
      return;
    }
    // (PostgreSQL lists them in a DETAIL, which a NoticeResponse here does not carry)
    out.notice("00000", "drop cascades to " + std::to_string(deps.size()) + " other objects");
  }

  // CREATE [OR REPLACE] VIEW: binds the query (its stored text, parsed again) and stores the view, in the
  // transaction (outside a block, one of its own). The relations the query names stay locked (shared) to
  // the transaction's end, so that none is dropped before the view is committed.
  void create_view(const ast::CreateViewStmt& stmt, pgwire::ResultWriter& out) {
    if (!stmt.unsupported_feature.empty()) throw_unsupported(stmt.unsupported_feature);
    if (!in_transaction()) return in_own_transaction([&] { create_view(stmt, out); });
    storage::Catalog& catalog = db_.store().catalog();
    // Views live in public, and the names their stored query leaves unqualified are public's (the binder
    // reads them there): a view in another schema, or one created while the search_path puts another
    // schema before public (its names would mean something else), is not supported yet.
    if (creation_namespace(stmt.view, false) != storage::Namespace{})
      throw_unsupported("views in schemas other than public");
    for (const std::string& schema : catalog.search_path_schemas(overlay()))
      if (schema != "public" && schema != "pg_catalog" && schema != "pg_temp")
        throw_unsupported("CREATE VIEW under a search_path naming schemas other than public");
    std::vector<ast::StmtPtr> parsed = parser::parse(stmt.query);
    if (parsed.size() != 1 || parsed[0]->kind != ast::StmtKind::Select)
      throw_unsupported("this CREATE VIEW query");
    const auto& query = static_cast<const ast::SelectStmt&>(*parsed[0]);
    const storage::LockWait wait = table_wait(std::chrono::steady_clock::now(), out);
    lock_names({stmt.view.name}, wait);
    storage::TableDefPtr old = catalog.find(stmt.view.name, overlay(), storage::NameScope::Permanent);
    if (old && stmt.replace) {
      if (!old->is_view()) throw SqlError(SqlState::WrongObjectType, "\"" + old->name + "\" is not a view");
      settle_cursors_using({old->id});
      hold_to_end(acquire_tables({}, {old->id}, wait), {old->id});
      old = catalog.find(stmt.view.name, overlay(), storage::NameScope::Permanent);
    }
    if ((old && !stmt.replace) || (!old && relation_name_taken(stmt.view.name)))
      throw SqlError(SqlState::DuplicateTable, "relation \"" + stmt.view.name + "\" already exists");
    storage::TableDef def;
    for (;;) {
      const dtsql::EvalContext dt_context = datetime();
      def = planner::bind_view(stmt, query, planner_context(dt_context));
      std::vector<uint32_t> ids;
      for (const storage::ViewDependency& d : def.view->depends) ids.push_back(d.relation);
      hold_to_end(acquire_tables(ids, {}, wait));
      bool current = true;  // no DDL dropped or changed one while we waited for it: else bind again
      for (const storage::ViewDependency& d : def.view->depends) {
        storage::TableDefPtr t = catalog.find(d.relation, overlay());
        current = current && t &&
                  (t->is_view() ? static_cast<int32_t>(t->columns.size())
                                : static_cast<int32_t>(t->slot_count())) == d.max_attnum;
      }
      if (current) break;
    }
    for (const storage::ViewDependency& d : def.view->depends)
      if (storage::TableDefPtr t = catalog.find(d.relation, overlay()); t && t->is_temp())
        throw_unsupported("views over temporary tables");
    if (old) {
      check_view_replacement(*old, def);
      def.id = old->id;
      def.comment = old->comment;  // CREATE OR REPLACE keeps the view's comments, as PostgreSQL
      for (size_t i = 0; i < old->columns.size(); ++i) def.columns[i].comment = old->columns[i].comment;
      catalog.replace_table(std::move(def), *overlay());
    } else {
      catalog.create_table(std::move(def), {}, *overlay());
    }
    out.command_complete("CREATE VIEW");
  }

  // CREATE OR REPLACE VIEW keeps the old columns (names and types) in front: 42P16 otherwise.
  static void check_view_replacement(const storage::TableDef& old, const storage::TableDef& now) {
    if (now.columns.size() < old.columns.size())
      throw SqlError(SqlState::InvalidTableDefinition, "cannot drop columns from view");
    for (size_t i = 0; i < old.columns.size(); ++i) {
      const storage::ColumnDef& a = old.columns[i];
      const storage::ColumnDef& b = now.columns[i];
      if (a.name != b.name)
        throw SqlError(SqlState::InvalidTableDefinition,
                       "cannot change name of view column \"" + a.name + "\" to \"" + b.name + "\"")
            .with_hint("Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.");
      if (a.type != b.type || a.max_length != b.max_length)
        throw SqlError(SqlState::InvalidTableDefinition,
                       "cannot change data type of view column \"" + a.name + "\" from " +
                           catalog::format_column_type(a) + " to " + catalog::format_column_type(b));
    }
  }

  // SET / RESET / SET LOCAL / set_config(): the one place that changes a setting. A SET LOCAL (or
  // set_config(..., true)) lasts until the end of the transaction, as PostgreSQL's GUC stack: the
  // value the setting has at commit is remembered (at_commit_) and restored when the transaction ends;
  // a plain SET after it in the same transaction is what stays. A rolled-back transaction (savepoint)
  // undoes every change (SavedSettings). `out` gets SET's warnings (null for set_config()).
  void set(const ast::SetStmt& stmt, pgwire::ResultWriter& out) {
    if (stmt.name == "all" && stmt.reset) {
      restore_settings(*session_defaults_);  // the values the session started with
      at_commit_.clear();
      out.command_complete("RESET");
      return;
    }
    // (Outside any transaction apply_setting warns for SET TRANSACTION ISOLATION LEVEL.)
    if (stmt.transaction_only && !in_transaction_block() &&
        (stmt.name != "transaction_isolation" || in_transaction()))
      out.warning("25P01", stmt.name.starts_with("transaction_")
                               ? "SET TRANSACTION can only be used in transaction blocks"
                               : "SET LOCAL can only be used in transaction blocks");
    change_setting(stmt, &out);
    for (const auto& [name, value] : stmt.more_modes) {  // SET TRANSACTION's other modes
      ast::SetStmt mode;
      mode.name = name;
      mode.value = value;
      mode.transaction_only = stmt.transaction_only;
      change_setting(mode, &out);
    }
    out.command_complete(stmt.reset_command ? "RESET" : "SET");
  }

  void change_setting(const ast::SetStmt& stmt, pgwire::ResultWriter* out) {
    if (state_ == State::Idle && !idle_saved_) idle_saved_ = save_settings();  // see run()
    const bool transaction_setting = stmt.name == "transaction_isolation" ||
                                     stmt.name == "transaction_read_only" ||
                                     stmt.name == "default_transaction_isolation";
    if (!transaction_setting || stmt.name == "default_transaction_isolation") {
      if (stmt.transaction_only) {
        if (!at_commit_.count(stmt.name)) at_commit_.emplace(stmt.name, setting_as_set(stmt.name));
      } else if (in_transaction()) {
        at_commit_.erase(stmt.name);  // SET after SET LOCAL: SET's value stays
      }
    }
    apply_setting(stmt, out);
  }

  // The statement that gives setting `name` its current value again (RESET when it has its default).
  ast::SetStmt setting_as_set(const std::string& name) const {
    ast::SetStmt s;
    s.name = name;
    if (name == "default_transaction_isolation") {
      s.value = isolation_name(default_isolation_);
    } else if (name == "synchronous_commit") {
      if (synchronous_commit_)
        s.value = synchronous_commit_text_;
      else
        s.reset = true;
    } else if (auto it = settings_.find(name); it != settings_.end()) {
      s.value = it->second;
    } else {
      s.reset = true;
    }
    return s;
  }

  // The end of a transaction (or of a statement outside one): SET LOCAL values give way to the values
  // their settings have at commit.
  void end_local_settings() {
    std::map<std::string, ast::SetStmt> at_commit = std::move(at_commit_);
    at_commit_.clear();
    for (const auto& [name, stmt] : at_commit) apply_setting(stmt, nullptr);
  }

  void apply_setting(const ast::SetStmt& stmt, pgwire::ResultWriter* out) {
    ++settings_epoch_;  // plans kept for the simple protocol are made again (SimpleStatement::Plan)
    if (stmt.name == "transaction_isolation" || stmt.name == "default_transaction_isolation") {
      // SET TRANSACTION ISOLATION LEVEL / SET transaction_isolation: this transaction only (outside a
      // transaction the statement is its own transaction, so it has no lasting effect; PostgreSQL warns
      // for the SET TRANSACTION form). SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL /
      // SET default_transaction_isolation: the level of later transactions.
      const bool session = stmt.name == "default_transaction_isolation";
      std::optional<Isolation> level = !stmt.reset ? parse_isolation(stmt.value)
                                       : session   ? Isolation::ReadCommitted
                                                   : default_isolation_;
      if (!level) {
        throw SqlError(SqlState::InvalidParameterValue,
                       "invalid value for parameter \"" + stmt.name + "\": \"" + stmt.value + "\"")
            .with_hint("Available values: serializable, repeatable read, read committed, read uncommitted.");
      }
      if (session) {
        default_isolation_ = *level;
      } else if (!in_transaction()) {
        if (stmt.transaction_only && out)
          out->warning("25P01", "SET TRANSACTION can only be used in transaction blocks");
      } else {
        set_transaction_isolation(*level);
      }
      return;
    }
    if (stmt.name == "transaction_read_only" || stmt.name == "default_transaction_read_only") {
      std::optional<bool> on =
          stmt.reset ? std::optional<bool>(default_read_only()) : parse_bool_text(stmt.value);
      if (stmt.reset && stmt.name == "default_transaction_read_only") on = false;
      if (!on)
        throw SqlError(SqlState::InvalidParameterValue,
                       "parameter \"" + stmt.name + "\" requires a Boolean value");
      if (stmt.name == "default_transaction_read_only") {
        if (*on)
          settings_[stmt.name] = "on";
        else
          settings_.erase(stmt.name);
      } else if (in_transaction()) {
        set_transaction_read_only(*on);
      }  // outside a transaction: no lasting effect (set() warned for SET TRANSACTION)
      return;
    }
    if (stmt.name == "synchronous_commit") {
      // PostgreSQL's values: on, remote_apply, remote_write and local all mean "wait for the local WAL
      // flush" on a server without replicas; off does not wait.
      std::string v = stmt.value;
      for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (stmt.reset) {
        synchronous_commit_.reset();
      } else if (v == "off" || v == "false" || v == "no" || v == "0") {
        synchronous_commit_ = false;
        synchronous_commit_text_ = "off";
      } else if (v == "on" || v == "true" || v == "yes" || v == "1") {
        synchronous_commit_ = true;
        synchronous_commit_text_ = "on";
      } else if (v == "local" || v == "remote_write" || v == "remote_apply") {
        synchronous_commit_ = true;
        synchronous_commit_text_ = v;
      } else {
        throw SqlError(SqlState::InvalidParameterValue,
                       "invalid value for parameter \"synchronous_commit\": \"" + stmt.value + "\"");
      }
      if (txn_ && synchronous_commit_) txn_->set_synchronous_commit(*synchronous_commit_);
      return;
    }
    if (stmt.name == "timezone") {
      // SET TIME ZONE 'Europe/Berlin' / SET timezone = ... / SET TIME ZONE LOCAL | DEFAULT / RESET.
      if (stmt.reset) {
        settings_.erase(stmt.name);
      } else {
        std::string value = interval_time_zone(stmt.value).value_or(stmt.value);
        std::optional<dt::TimeZone> tz = dt::TimeZone::for_setting(value);
        if (!tz)
          throw SqlError(SqlState::InvalidParameterValue,
                         "invalid value for parameter \"TimeZone\": \"" + stmt.value + "\"");
        settings_[stmt.name] = time_zone_setting_name(value, *tz);
      }
      return;
    }
    if ((stmt.name == "datestyle" || stmt.name == "intervalstyle") && !stmt.reset) {
      // Only PostgreSQL's defaults are implemented (input and output): ISO, MDY and postgres.
      std::string v;
      for (char ch : stmt.value)
        if (ch != ' ') v += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      bool ok = stmt.name == "intervalstyle" ? v == "postgres"
                                             : (v == "iso" || v == "mdy" || v == "iso,mdy" || v == "mdy,iso");
      if (!ok)
        throw_unsupported(std::string(stmt.name == "datestyle" ? "DateStyle" : "IntervalStyle") + " \"" +
                          stmt.value + "\" (only " + (stmt.name == "datestyle" ? "ISO, MDY" : "postgres") +
                          " is implemented)");
      settings_[stmt.name] = stmt.name == "datestyle" ? "ISO, MDY" : "postgres";
      return;
    }
    if ((stmt.name == "statement_timeout" || stmt.name == "lock_timeout" || stmt.name == "deadlock_timeout" ||
         stmt.name == "idle_in_transaction_session_timeout") &&
        !stmt.reset) {
      uint64_t ms = parse_duration_ms(stmt.name, stmt.value);
      if (stmt.name == "deadlock_timeout" && ms == 0)
        throw SqlError(
            SqlState::InvalidParameterValue,
            "0 ms is outside the valid range for parameter \"deadlock_timeout\" (1 .. 2147483647)");
      settings_[stmt.name] = format_duration_ms(ms);
      return;
    }
    if (stmt.name == "search_path" && !stmt.reset && !split_identifiers(stmt.value))
      throw SqlError(SqlState::InvalidParameterValue,
                     "invalid value for parameter \"search_path\": \"" + stmt.value + "\"")
          .with_detail("List syntax is invalid.");
    if ((stmt.name == kQueryMemoryLimit || stmt.name == kTransactionMemoryLimit) && !stmt.reset) {
      // Kept as PostgreSQL prints memory settings, so SHOW and a rollback of the SET just work.
      settings_[stmt.name] = format_memory(parse_memory(stmt.name, stmt.value));
      return;
    }
    // Every other parameter: one PostgreSQL has and whose value changes nothing OmenDB does, kept for SHOW
    // (application_name, search_path, work_mem ...); unknown names and values that would change results
    // are refused (pg_settings.h).
    if (stmt.name != kQueryMemoryLimit && stmt.name != kTransactionMemoryLimit)
      check_pg_setting(stmt.name, stmt.value, stmt.reset);
    if (stmt.reset) {
      settings_.erase(stmt.name);
    } else {
      settings_[stmt.name] = stmt.value;
    }
  }

  static constexpr const char* kQueryMemoryLimit = "omendb.query_memory_limit";
  static constexpr const char* kTransactionMemoryLimit = "omendb.transaction_memory_limit";

  // The runtime state of one execution of `compiled` with `params`, under the session's limits
  // (memory, statement_timeout counted from `started`) and the client's cancel flag.
  void prepare_context(runtime::ExecContext& ctx, const codegen::CompiledPlan& compiled,
                       const std::vector<Value>& params, pgwire::ResultWriter& out,
                       std::chrono::steady_clock::time_point started) const {
    limit(ctx, started, out);
    ctx.datetime = datetime();
    ctx.random = &random_;
    ctx.catalog = this;
    statement_out_ = &out;
    ctx.set_params(params);
    codegen::prepare(compiled, ctx);
    ctx.cancel = out.cancel_flag();
  }

  // Runs an INSERT / UPDATE / DELETE and adds its writes to `txn`; returns the number of rows affected
  // (and the rows the first run scanned, for re-tiering). Writers lock the rows they write, waiting for
  // concurrent holders (bounded by statement_timeout, lock_timeout, cancel; deadlocks end in 40P01).
  // At READ COMMITTED, a row that a concurrent transaction changed after this statement's snapshot is
  // not written by the first run: once its lock is held, the statement runs again with the target
  // table's scan restricted to that row and reading a new snapshot, so its WHERE clause and SET
  // expressions are evaluated on the row's newest committed version, and a row deleted meanwhile or no
  // longer matching is skipped (PostgreSQL's EvalPlanQual); its other scans (UPDATE ... FROM's tables,
  // subqueries) read the first run's snapshot (ExecContext::first_view). The lock keeps the row stable, so
  // one re-run per row suffices; more rounds only happen for rows past the per-transaction lock limit.
  // `start` discards the RETURNING rows of a run that starts again (below).
  uint64_t execute_write(const codegen::CompiledPlan& compiled, runtime::ExecContext& ctx,
                         storage::Transaction& txn, const storage::ReadView& view, uint64_t* rows_scanned,
                         pgwire::ResultWriter& out, std::chrono::steady_clock::time_point started,
                         const std::function<void()>& start) {
    txn.set_lock_wait(lock_wait(ctx));
    // Data-modifying WITH items: their targets are the ones not counted in the statement's tag.
    const std::vector<bool>& counted = compiled.layout.counted_targets;
    const bool several_steps = std::find(counted.begin(), counted.end(), false) != counted.end();
    auto writer = txn.writer(view);
    set_action_hooks(*writer, view, out, started);
    if (several_steps) writer->refuse_second_writes();
    // A row its FOR UPDATE / SHARE clause locked (INSERT ... SELECT ... FOR UPDATE) changed since the
    // snapshot (READ COMMITTED, ExecContext::restart): the statement runs again at a new snapshot with a
    // new writer, as execute_locking runs a SELECT again: the first run's writes are dropped, the row locks
    // it took stay with the transaction.
    std::unique_ptr<storage::ReadView> restarted;
    ctx.writer = writer.get();
    run_restarting(compiled, ctx, [&] {
      auto next_view = txn.statement_view();
      auto next_writer = txn.writer(*next_view);
      set_action_hooks(*next_writer, *next_view, out, started);
      if (several_steps) next_writer->refuse_second_writes();
      writer = std::move(next_writer);  // (the old writer goes before the view it read)
      restarted = std::move(next_view);
      ctx.view = restarted.get();
      ctx.writer = writer.get();
      start();
    });
    *rows_scanned = ctx.rows_scanned;
    uint64_t affected = ctx.rows_affected;
    std::vector<std::string> pending = std::move(ctx.recheck_keys);
    // A re-check runs the whole plan again for one row: with data-modifying WITH items, the other steps
    // would run again too, so such a statement fails instead.
    if (!pending.empty() && several_steps)
      throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update");
    const storage::ReadView* first_view = ctx.view;  // what the re-runs' other scans read
    std::unique_ptr<storage::ReadView> newer;
    for (int round = 0; !pending.empty(); ++round) {
      if (round == kMaxRestarts)
        throw SqlError(SqlState::SerializationFailure, "could not serialize access due to concurrent update");
      std::vector<std::string> again;
      std::set<std::string> rechecked;
      for (std::string& key : pending) {
        auto next = txn.statement_view();  // READ COMMITTED: a snapshot that sees the lock holder's commit
        writer->set_view(*next);
        newer = std::move(next);
        // A row whose primary key the holder changed is re-checked under its new key, as PostgreSQL
        // follows the update chain; two keys that lead to one row re-check it once.
        // A row deleted meanwhile (also one replaced by a new row under its key) is skipped.
        std::optional<std::string> at = writer->moved_to(key);
        if (!at || !rechecked.insert(*at).second) continue;
        codegen::prepare(compiled, ctx);
        ctx.view = newer.get();
        ctx.first_view = first_view;
        ctx.recheck_table = storage::keycodec::decode_table_id(*at);
        ctx.recheck_key = std::move(*at);
        codegen::execute(compiled, ctx);
        affected += ctx.rows_affected;
        for (std::string& k : ctx.recheck_keys) again.push_back(std::move(k));
      }
      pending = std::move(again);
    }
    ctx.recheck_key.reset();
    ctx.first_view = nullptr;
    writer->apply();
    return affected;
  }

  // Runs a SELECT ... FOR UPDATE / SHARE: a statement writer takes the row locks (LockRows). At READ
  // COMMITTED, a row found changed after the statement's snapshot once locked stops the run
  // (ExecContext::restart): `start` discards the rows produced, and the statement runs again at a new
  // snapshot, keeping the locks it took (the changed row is then locked and current, so the next run
  // gets past it). PostgreSQL re-evaluates just that row (EvalPlanQual) and keeps the first snapshot for
  // the others; a run at a newer snapshot returns a result that is consistent at one point in time.
  // `view` is replaced by the newer view.
  void execute_locking(const codegen::CompiledPlan& compiled, runtime::ExecContext& ctx,
                       storage::Transaction& txn, std::unique_ptr<storage::ReadView>& view,
                       const std::function<void()>& start) {
    txn.set_lock_wait(lock_wait(ctx));
    auto writer = txn.writer(*view);
    ctx.writer = writer.get();
    run_restarting(compiled, ctx, [&] {
      auto newer = txn.statement_view();
      writer->set_view(*newer);
      view = std::move(newer);
      ctx.view = view.get();
      start();
    });
    ctx.writer = nullptr;
  }

  // Runs `compiled`; a run stopped for a READ COMMITTED restart (ExecContext::restart: a row it locked
  // changed since its snapshot) runs again, at most kMaxRestarts times in all, after `again` has given
  // ctx a newer view (and what else the caller renews).
  static constexpr int kMaxRestarts = 8;
  static void run_restarting(const codegen::CompiledPlan& compiled, runtime::ExecContext& ctx,
                             const std::function<void()>& again) {
    for (int round = 0;; ++round) {
      try {
        codegen::execute(compiled, ctx);
        return;
      } catch (const SqlError&) {
        if (!ctx.restart || round + 1 == kMaxRestarts) throw;
      }
      codegen::prepare(compiled, ctx);
      again();
    }
  }

  // How a statement of this session that started at `started` waits for its compile: cancel and
  // statement_timeout end the wait (57014); the compile goes on only while another session needs it.
  codegen::CompileInterrupts compile_wait(std::chrono::steady_clock::time_point started,
                                          pgwire::ResultWriter& out) const {
    const storage::LockWait wait = table_wait(started, out);
    return codegen::CompileInterrupts{wait.cancel, wait.deadline};
  }

  // How a statement of this session that started at `started` waits for table locks (TableLocks):
  // statement_timeout, lock_timeout and cancel end the wait; deadlock_timeout starts the deadlock check.
  storage::LockWait table_wait(std::chrono::steady_clock::time_point started,
                               pgwire::ResultWriter& out) const {
    storage::LockWait wait;
    if (auto it = settings_.find("statement_timeout"); it != settings_.end())
      if (uint64_t ms = parse_duration_ms("statement_timeout", it->second))
        wait.deadline = started + std::chrono::milliseconds(ms);
    if (auto it = settings_.find("lock_timeout"); it != settings_.end())
      wait.lock_timeout_ms = parse_duration_ms("lock_timeout", it->second);
    if (auto it = settings_.find("deadlock_timeout"); it != settings_.end())
      wait.deadlock_timeout_ms = parse_duration_ms("deadlock_timeout", it->second);
    wait.cancel = out.cancel_flag();
    wait.pid = session_info_.backend_pid;
    return wait;
  }

  // ---- Transactional DDL (docs/schema.md, "Transactional DDL") ----
  // The open transaction's uncommitted catalog changes, through which the session's lookups go (outside a
  // transaction an empty one, which carries the session's temporary namespace).
  // The catalog as this session sees it: the open transaction's changes, the session's temporary namespace
  // and its search_path (every lookup by name reads it from here).
  storage::CatalogOverlay* overlay() const {
    storage::CatalogOverlay* ov = txn_ ? &txn_->catalog_overlay() : &idle_overlay_;
    ov->search_path = search_path();
    return ov;
  }
  // The search_path setting as schema names (docs/schema.md, "Schemas"): PostgreSQL's list syntax
  // (SplitIdentifierString: unquoted names lower-cased, "quoted" as written), "$user" the session's user.
  // Parsed once per value.
  std::shared_ptr<const std::vector<std::string>> search_path() const {
    auto it = settings_.find("search_path");
    const std::string& text = it == settings_.end() ? std::string(kDefaultSearchPath) : it->second;
    if (!search_path_ || text != search_path_text_) {
      std::optional<std::vector<std::string>> names = split_identifiers(text);
      auto path = std::make_shared<std::vector<std::string>>();
      for (std::string& n : names.value_or(std::vector<std::string>{}))
        path->push_back(n == "$user" ? session_info_.user : std::move(n));
      search_path_ = std::move(path);
      search_path_text_ = text;
    }
    return search_path_;
  }
  static constexpr const char* kDefaultSearchPath = "\"$user\", public";
  // PostgreSQL's SplitIdentifierString(text, ','): nothing if the list syntax is invalid.
  static std::optional<std::vector<std::string>> split_identifiers(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    auto space = [&] {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    };
    space();
    if (i == text.size()) return out;  // an empty list
    for (;;) {
      std::string name;
      if (i < text.size() && text[i] == '"') {
        for (++i;; ++i) {
          if (i >= text.size()) return std::nullopt;  // unterminated quote
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              name += '"';
              ++i;
            } else {
              ++i;
              break;
            }
          } else {
            name += text[i];
          }
        }
        if (name.empty()) return std::nullopt;  // "" is not a name
      } else {
        while (i < text.size() && text[i] != ',' && !std::isspace(static_cast<unsigned char>(text[i])))
          name += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i++])));
        if (name.empty()) return std::nullopt;
      }
      if (name.size() > 63) name.resize(63);
      out.push_back(std::move(name));
      space();
      if (i == text.size()) return out;
      if (text[i] != ',') return std::nullopt;
      ++i;
      space();
    }
  }
  // Table locks for one statement: tables the open transaction's DDL holds exclusively are left out
  // (the session's own statements do not wait for its DDL), and the shared locks it holds to its end
  // (CREATE VIEW's) do not hold back its own DDL on those tables (an upgrade).
  // PostgreSQL's name of the mode of the table locks `stmt` takes, for a deadlock report: RowExclusiveLock
  // for INSERT / UPDATE / DELETE (the tables they only read too), AccessShareLock for queries.
  static std::string_view shared_lock_mode(const ast::Stmt& stmt) {
    const bool writes = stmt.kind == ast::StmtKind::Insert || stmt.kind == ast::StmtKind::Update ||
                        stmt.kind == ast::StmtKind::Delete;
    return writes ? TableLocks::kRowExclusive : TableLocks::kAccessShare;
  }
  // `shared_mode`: PostgreSQL's name of the shared locks' mode, for a deadlock report.
  TableLocks::Held acquire_tables(std::vector<uint32_t> shared, std::vector<uint32_t> exclusive,
                                  const storage::LockWait& wait,
                                  std::string_view shared_mode = TableLocks::kAccessShare) {
    auto held_by_txn = [&](uint32_t id) { return txn_exclusive_.count(id) != 0; };
    shared.erase(std::remove_if(shared.begin(), shared.end(), held_by_txn), shared.end());
    exclusive.erase(std::remove_if(exclusive.begin(), exclusive.end(), held_by_txn), exclusive.end());
    return db_.table_locks().acquire(std::move(shared), std::move(exclusive), wait, txn_shared_, shared_mode);
  }
  // DDL in a transaction keeps its table and name locks until the transaction ends (PostgreSQL's
  // AccessExclusiveLock): other sessions' statements on those tables, and creators of those names, wait.
  void hold_to_end(TableLocks::Held held, const std::vector<uint32_t>& exclusive = {}) {
    txn_shared_.insert(txn_shared_.end(), held.shared().begin(), held.shared().end());
    txn_locks_.push_back(std::move(held));
    txn_exclusive_.insert(exclusive.begin(), exclusive.end());
  }
  void release_transaction_locks() {
    txn_locks_.clear();
    txn_exclusive_.clear();
    txn_shared_.clear();
    txn_names_.clear();
  }
  // Names this statement creates (TableLocks::acquire_names): inside a transaction held to its end (and
  // nothing returned); outside one, for the statement (the returned locks). Names in a temporary namespace
  // (`temp_namespace`) are locked as pg_temp_N.name: another session's same name does not wait for them.
  // Names in another schema are locked as "\x01" + its id + "." + name.
  TableLocks::Held lock_names(std::vector<std::string> names, const storage::LockWait& wait,
                              storage::Namespace nsp = {}) {
    if (nsp.temp)
      for (std::string& n : names) n = storage::temp_namespace_name(nsp.temp) + "." + n;
    else if (nsp.schema)
      for (std::string& n : names) n = "\x01" + std::to_string(nsp.schema) + "." + n;
    names.erase(
        std::remove_if(names.begin(), names.end(), [&](const std::string& n) { return txn_names_.count(n); }),
        names.end());
    TableLocks::Held held = db_.table_locks().acquire_names(names, wait);
    if (!in_transaction()) return held;
    txn_locks_.push_back(std::move(held));
    txn_names_.insert(names.begin(), names.end());
    return {};
  }
  // Whether the open transaction sees rows in `table` (its own uncommitted ones included).
  bool has_rows(const storage::TableDefPtr& table) {
    auto view = txn_->statement_view();
    storage::ScanSpec spec;
    spec.table = table;
    spec.batch_rows = 1;
    auto cursor = view->scan(spec);
    const storage::ColumnBatch* batch = cursor->next();
    return batch && batch->count > 0;
  }
  // ALTER TABLE / CREATE INDEX in a transaction: the definition `def` replaces the table's in the
  // transaction's overlay, keeping `locks` (the table, exclusive) to its end. Work over the table's rows
  // (index builds, NOT NULL checks, CHECK and FOREIGN KEY validation) goes into the transaction
  // (Transaction::alter_rows; nothing to do on a table it created that has no rows yet); a new primary key
  // (a rewrite of every row) only on such a table, else 0A000 naming `what`.
  void replace_in_transaction(storage::TableDef def, const storage::Store::AlterWork& work,
                              const storage::TableDefPtr& old, TableLocks::Held locks,
                              const std::string& what, const storage::LockWait& wait) {
    storage::CatalogOverlay& ov = *overlay();
    const bool created = ov.created.count(def.id) != 0;
    const bool empty_own = created && !has_rows(old);  // created by this transaction, no rows yet
    if (work.rekey && !empty_own)
      refuse_in_transaction(what +
                            " inside a transaction block, except on a table created in it that has no rows");
    if (work.unseal && !created && db_.store().sealed_info(def.id).blocks > 0)
      refuse_in_transaction(what + " inside a transaction block on a table with sealed (VACUUMed) rows");
    std::vector<std::string> names;
    if (def.name != old->name) names.push_back(def.name);
    for (const storage::IndexDef& ix : def.indexes)
      if (!old->find_index(ix.name)) names.push_back(ix.name);
    lock_names(names, wait);
    const bool row_work = !work.not_null.empty() || !work.build_indexes.empty() || work.fence ||
                          static_cast<bool>(work.validate);
    if (row_work && !empty_own) txn_->alter_rows(def, old, work);
    const uint32_t id = def.id;
    db_.store().catalog().replace_table(std::move(def), ov);
    hold_to_end(std::move(locks), {id});
  }

  static std::vector<uint32_t> table_ids(const std::vector<storage::TableDefPtr>& tables) {
    std::vector<uint32_t> ids;
    for (const auto& t : tables) ids.push_back(t->id);
    return ids;
  }

  // Whether the catalog still has exactly these table definitions (no DDL changed or dropped one).
  bool still_current(const std::vector<storage::TableDefPtr>& tables) const {
    for (const auto& t : tables)
      if (db_.store().catalog().find(t->id, overlay()) != t) return false;
    return true;
  }

  // Plans `stmt` and locks the tables it uses (TableLocks, shared) until the returned locks go; plans
  // again if DDL changed one of them before the locks were granted.
  TableLocks::Held plan_locked(const ast::Stmt& stmt, planner::PlannedStatement& planned,
                               const storage::LockWait& wait) {
    const std::string_view shared_mode = shared_lock_mode(stmt);
    for (;;) {
      std::vector<storage::TableDefPtr> resolved;
      std::exception_ptr failed;
      try {
        planned = plan(stmt, &resolved);
      } catch (const SqlError&) {
        failed = std::current_exception();
      }
      if (failed) {
        // Planned against a table that another transaction's DDL holds (e.g. a column it is adding): wait
        // for that transaction, as PostgreSQL's binder waits for the lock, and plan again if it changed.
        if (resolved.empty()) std::rethrow_exception(failed);
        TableLocks::Held held = acquire_tables(table_ids(resolved), {}, wait);
        if (still_current(resolved)) std::rethrow_exception(failed);
        continue;
      }
      TableLocks::Held held = acquire_tables(table_ids(planned.tables), {}, wait, shared_mode);
      if (still_current(planned.tables)) return held;
    }
  }

  // Settles (reads to the end into memory) this session's cursors that read one of `tables`, so that
  // they no longer hold its lock.
  void settle_cursors_using(const std::vector<uint32_t>& tables);

  // How this session's statement running in `ctx` waits for row locks.
  storage::LockWait lock_wait(const runtime::ExecContext& ctx) const {
    storage::LockWait wait;
    wait.deadline = ctx.deadline;
    wait.cancel = ctx.cancel;
    wait.pid = session_info_.backend_pid;
    if (auto it = settings_.find("lock_timeout"); it != settings_.end())
      wait.lock_timeout_ms = parse_duration_ms("lock_timeout", it->second);
    if (auto it = settings_.find("deadlock_timeout"); it != settings_.end())
      wait.deadlock_timeout_ms = parse_duration_ms("deadlock_timeout", it->second);
    return wait;
  }

  // The transaction a statement runs in: the open block's, or outside a block its own, which `own`
  // then holds (the caller commits it).
  // The statement's writes are bounded by the session's omendb.transaction_memory_limit (as set now).
  storage::Transaction* statement_transaction(std::unique_ptr<storage::Transaction>& own) {
    if (txn_) {
      ++statements_in_block_;
      txn_->set_memory_limit(transaction_memory_limit());
      return txn_.get();
    }
    own = begin_transaction(default_isolation_);
    own->set_memory_limit(transaction_memory_limit());
    return own.get();
  }

  // The session's limits on one statement that started at `started`: memory and statement_timeout (also
  // for `out`, which may wait for the client to read).
  void limit(runtime::ExecContext& ctx, std::chrono::steady_clock::time_point started,
             pgwire::ResultWriter& out) const {
    ctx.memory.set_limit(query_memory_limit());
    auto it = settings_.find("statement_timeout");
    uint64_t ms = it == settings_.end() ? 0 : parse_duration_ms("statement_timeout", it->second);
    if (ms) ctx.deadline = started + std::chrono::milliseconds(ms);
    out.set_deadline(ctx.deadline);
  }

  uint64_t query_memory_limit() const {
    auto it = settings_.find(kQueryMemoryLimit);
    return it == settings_.end() ? db_.options().query_memory_limit
                                 : parse_memory(kQueryMemoryLimit, it->second);
  }
  // What a transaction's buffered writes may take (storage::Transaction::set_memory_limit).
  uint64_t transaction_memory_limit() const {
    auto it = settings_.find(kTransactionMemoryLimit);
    return it == settings_.end() ? db_.options().transaction_memory_limit
                                 : parse_memory(kTransactionMemoryLimit, it->second);
  }

  // ---- What the system catalogs show (catalog::Context) ----
  std::vector<storage::TableDefPtr> tables() const override {
    return db_.store().catalog().tables(overlay());
  }
  std::vector<storage::SequenceDefPtr> sequences() const override {
    return db_.store().catalog().sequences(overlay());
  }
  uint32_t temp_namespace() const override { return idle_overlay_.temp_namespace; }
  catalog::SchemaView schema_view() const override {
    storage::Catalog& catalog = db_.store().catalog();
    return {catalog.schemas(overlay()), catalog.search_path_schemas(overlay()), idle_overlay_.temp_namespace};
  }
  std::map<uint32_t, std::string> schema_comments() const override {
    return db_.store().catalog().schema_comments(overlay());
  }
  std::vector<int> check_columns(const storage::TableDef& table,
                                 const storage::CheckDef& check) const override {
    return planner::check_constraint_columns(table, check);
  }

  // ---- The server's backends (catalog::Context): pg_stat_activity, pg_cancel_backend,
  // pg_terminate_backend (pgwire::Backends) ----
  std::vector<BackendActivity> backends() const override {
    std::vector<BackendActivity> out = backends_ ? backends_->activity() : std::vector<BackendActivity>{};
    for (BackendActivity& b : out)
      if (b.state == "active") b.lock_wait = db_.store().wait_graph().wait_event(b.pid);
    return out;
  }
  // As PostgreSQL 15's signalfuncs.c: an unknown pid is a WARNING and false; a terminate with a timeout
  // waits that long for the backend to end.
  bool signal_backend(int32_t pid, bool terminate, int64_t timeout_ms) const override {
    const char* what = terminate ? "pg_terminate_backend()" : "pg_cancel_backend()";
    if (!backends_) throw_unsupported(std::string(what) + " without a server");
    const bool signalled = terminate ? backends_->terminate_backend(pid) : backends_->cancel_backend(pid);
    if (!signalled) {
      if (statement_out_)
        statement_out_->warning("01000",
                                "PID " + std::to_string(pid) + " is not a PostgreSQL backend process");
      return false;
    }
    // Cancelling itself ends the statement now; terminating itself lets it return its row first, then the
    // server ends the connection (FATAL 57P01, no ReadyForQuery), as PostgreSQL's next interrupt check.
    if (pid == session_info_.backend_pid && !terminate)
      throw SqlError(SqlState::QueryCanceled, "canceling statement due to user request");
    if (!terminate || timeout_ms <= 0) return true;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    const std::atomic<bool>* cancel = statement_out_ ? statement_out_->cancel_flag() : nullptr;
    while (backends_->backend_exists(pid)) {
      if (cancel && cancel->load())
        throw SqlError(SqlState::QueryCanceled, "canceling statement due to user request");
      if (std::chrono::steady_clock::now() >= until) {
        if (statement_out_)
          statement_out_->warning("01000", "backend with PID " + std::to_string(pid) +
                                               " did not terminate within " + std::to_string(timeout_ms) +
                                               (timeout_ms == 1 ? " millisecond" : " milliseconds"));
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // ---- Sequence functions (catalog::Context): the session keeps currval / lastval ----
  // The sequence a regclass text names: PostgreSQL's rules for a possibly qualified name (lower-cased
  // unless double-quoted); 42P01 if no relation has the name, 42809 if it is not a sequence.
  storage::SequenceDefPtr sequence_named(std::string_view text) const {
    std::vector<std::string> parts = catalog::parse_qualified_name(text);
    if (parts.size() > 3) throw SqlError(SqlState::InvalidName, "invalid name syntax");
    if (parts.size() == 3 && parts[0] != session_info_.database)
      throw_unsupported("cross-database references are not implemented: " + std::string(text));
    const std::string& name = parts.back();
    if (parts.size() >= 2) {
      const std::string& schema = parts[parts.size() - 2];
      if (!name_scope(schema) && schema != "pg_catalog" && schema != "information_schema")
        throw SqlError(SqlState::InvalidSchemaName, "schema \"" + schema + "\" does not exist");
    }
    storage::Catalog& catalog = db_.store().catalog();
    const std::optional<storage::NameScope> scope =
        name_scope(parts.size() >= 2 ? parts[parts.size() - 2] : "");
    if (storage::SequenceDefPtr s = scope ? catalog.find_sequence(name, overlay(), *scope) : nullptr)
      return s;
    if ((scope && catalog.find(name, overlay(), *scope)) ||
        catalog::find_system_table(parts.size() >= 2 ? parts[parts.size() - 2] : "", name))
      throw SqlError(SqlState::WrongObjectType, "\"" + name + "\" is not a sequence");
    throw SqlError(SqlState::UndefinedTable, "relation \"" +
                                                 (parts.size() >= 2 ? parts[parts.size() - 2] + "." : "") +
                                                 name + "\" does not exist");
  }
  int64_t nextval(std::string_view name) const override {
    storage::SequenceDefPtr s = sequence_named(name);
    check_writable("nextval()");
    int64_t v = db_.store().catalog().nextval(s->id);
    sequence_values_[s->id] = v;
    last_sequence_ = s->id;
    return v;
  }
  uint64_t relation_size(uint32_t relation_id) const override {
    return db_.store().approximate_size(relation_id);
  }
  std::vector<storage::Store::SealedBlock> sealed_blocks(uint32_t table_id) const override {
    return db_.store().sealed_blocks(table_id);
  }
  uint64_t approximate_rows(uint32_t table_id) const override {
    return db_.store().approximate_row_count(table_id);
  }
  std::shared_ptr<const storage::TableStats> table_stats(uint32_t table_id) const override {
    return db_.store().table_stats(table_id);
  }
  storage::SequenceValue sequence_value(uint32_t id) const override {
    return db_.store().catalog().sequence_value(id);
  }
  int64_t currval(std::string_view name) const override {
    storage::SequenceDefPtr s = sequence_named(name);
    auto it = sequence_values_.find(s->id);
    if (it == sequence_values_.end())
      throw SqlError(SqlState::ObjectNotInPrerequisiteState,
                     "currval of sequence \"" + s->name + "\" is not yet defined in this session");
    return it->second;
  }
  int64_t setval(std::string_view name, int64_t value, bool is_called) const override {
    storage::SequenceDefPtr s = sequence_named(name);
    check_writable("setval()");
    db_.store().catalog().setval(s->id, value, is_called);
    if (is_called) sequence_values_[s->id] = value;  // as PostgreSQL: currval follows a called setval
    return value;
  }
  int64_t lastval() const override {
    auto it = sequence_values_.find(last_sequence_);
    if (last_sequence_ == 0 || it == sequence_values_.end() ||
        !db_.store().catalog().find_sequence(last_sequence_, overlay()))
      throw SqlError(SqlState::ObjectNotInPrerequisiteState, "lastval is not yet defined in this session");
    return it->second;
  }
  std::string user() const override { return session_info_.user; }
  std::string database() const override { return session_info_.database; }
  std::vector<catalog::Setting> settings() const override {
    std::vector<catalog::Setting> out;
    std::map<std::string, std::string> all = default_settings();
    for (const auto& [name, value] : settings_) all[name] = value;
    all["transaction_isolation"] = isolation_name(txn_ ? txn_isolation_ : default_isolation_);
    all["transaction_read_only"] = read_only_now() ? "on" : "off";
    all["default_transaction_read_only"] = default_read_only() ? "on" : "off";
    all["default_transaction_isolation"] = isolation_name(default_isolation_);
    // pg_settings spells a few names in mixed case (SHOW takes any case).
    static const std::map<std::string, std::string> spelled = {
        {"datestyle", "DateStyle"}, {"intervalstyle", "IntervalStyle"}, {"timezone", "TimeZone"}};
    for (const auto& [name, value] : all) {
      catalog::Setting s;
      auto sp = spelled.find(name);
      s.name = sp == spelled.end() ? name : sp->second;
      s.value = value;
      s.source = settings_.count(name) ? "session" : "default";
      out.push_back(std::move(s));
    }
    return out;
  }

  // A setting's value as SHOW prints it (name in lower case); nothing for an unknown setting.
  std::optional<std::string> setting_value(const std::string& name) const {
    if (name == "transaction_isolation") return isolation_name(txn_ ? txn_isolation_ : default_isolation_);
    if (name == "transaction_read_only") return std::string(read_only_now() ? "on" : "off");
    if (name == "default_transaction_read_only") return std::string(default_read_only() ? "on" : "off");
    if (name == "default_transaction_isolation") return isolation_name(default_isolation_);
    if (name == "synchronous_commit")
      return synchronous_commit_                  ? synchronous_commit_text_
             : db_.store().options().sync_commits ? "on"
                                                  : "off";
    if (name == kQueryMemoryLimit && !settings_.count(name))
      return format_memory(db_.options().query_memory_limit);
    if (name == kTransactionMemoryLimit && !settings_.count(name))
      return format_memory(db_.options().transaction_memory_limit);
    if (auto it = settings_.find(name); it != settings_.end()) return it->second;
    const std::map<std::string, std::string>& defaults = default_settings();
    if (auto d = defaults.find(name); d != defaults.end()) return d->second;
    if (name == "session_authorization") return session_info_.user;
    if (std::optional<std::string_view> d = pg_setting_default(name)) return std::string(*d);
    return std::nullopt;
  }

  // set_config(name, value, is_local): SET (value NULL: RESET) through the statement path, from a
  // query. The session is the Context's owner; like nextval(), the call changes it.
  std::string set_config(std::string_view name, std::optional<std::string_view> value,
                         bool is_local) const override {
    auto* self = const_cast<EngineSession*>(this);
    ast::SetStmt stmt;
    stmt.name = lower_setting_name(name);
    stmt.reset = !value;
    if (value) stmt.value = std::string(*value);
    stmt.transaction_only = is_local;
    self->change_setting(stmt, nullptr);
    return setting_value(stmt.name).value_or("");
  }
  // pg_get_viewdef: under a search_path without public (pg_dump sets ''), the view's relations written
  // public.name, so that the text means the same there (PostgreSQL's ruleutils qualifies a relation the
  // search_path does not find).
  std::string view_query(const storage::TableDef& view) const override {
    // A view's unqualified names are public's (views live in public; the binder reads them there): as
    // written when public is the first schema of the search_path, else qualified.
    for (const std::string& schema : db_.store().catalog().search_path_schemas(overlay())) {
      if (schema == "public") return view.view->query;
      if (schema != "pg_catalog" && schema != "pg_temp") break;
    }
    std::vector<storage::TableDefPtr> tables = db_.store().catalog().tables(overlay());
    std::vector<storage::SequenceDefPtr> sequences = db_.store().catalog().sequences(overlay());
    std::string qualified = parser::qualify_relations(view.view->query, [&](std::string_view name) {
      for (const auto& t : tables)
        if (t->name == name && t->nsp() == storage::Namespace{}) return true;
      for (const auto& s : sequences)
        if (s->name == name && s->nsp() == storage::Namespace{}) return true;
      return false;
    });
    if (qualified.empty()) throw_unsupported("pg_get_viewdef() of this view under this search_path");
    return qualified;
  }
  catalog::ViewUpdatability view_updatability(const storage::TableDef& view) const override {
    const dtsql::EvalContext dt_context = datetime();
    // (a pointer to the caller's definition, which outlives the call)
    return planner::view_updatability(storage::TableDefPtr(std::shared_ptr<void>(), &view),
                                      planner_context(dt_context));
  }
  std::optional<std::string> current_setting(std::string_view name, bool missing_ok) const override {
    std::optional<std::string> value = setting_value(lower_setting_name(name));
    if (!value && !missing_ok)
      throw SqlError(SqlState::UndefinedObject,
                     "unrecognized configuration parameter \"" + std::string(name) + "\"");
    return value;
  }
  static std::string lower_setting_name(std::string_view name) {
    std::string out(name);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }

  void show(const ast::ShowStmt& stmt, pgwire::ResultWriter& out) {
    if (stmt.name == "omendb.lock_waiters") {  // read-only: sessions waiting for a row or table lock now
      send_text_rows(out, stmt.name,
                     {std::to_string(db_.store().row_lock_waiters() + db_.table_locks().waiters())});
      out.command_complete("SHOW");
      return;
    }
    if (stmt.name == "omendb.io_thread_statements") {  // read-only: see Database::io_thread_statements
      send_text_rows(out, stmt.name, {std::to_string(db_.io_thread_statements())});
      out.command_complete("SHOW");
      return;
    }
    if (stmt.name == "omendb.simple_cache_hits") {  // read-only: see Database::simple_cache_hits
      send_text_rows(out, stmt.name, {std::to_string(db_.simple_cache_hits())});
      out.command_complete("SHOW");
      return;
    }
    if (stmt.name == "omendb.simple_plan_reuses") {  // read-only: see Database::simple_plan_reuses
      send_text_rows(out, stmt.name, {std::to_string(db_.simple_plan_reuses())});
      out.command_complete("SHOW");
      return;
    }
    if (stmt.name == "omendb.memory_used") {  // read-only: bytes all queries and transactions hold now
      send_text_rows(out, stmt.name, {std::to_string(runtime::MemoryTracker::server_used())});
      out.command_complete("SHOW");
      return;
    }
    std::optional<std::string> value = setting_value(stmt.name);
    if (!value)
      throw SqlError(SqlState::UndefinedObject, "unrecognized configuration parameter \"" + stmt.name + "\"");
    send_text_rows(out, show_column_name(stmt.name), {*value});
    out.command_complete("SHOW");
  }

  // ---- Date/time: the TimeZone setting and the clocks now() and statement_timestamp() read ----
  void statement_started() { statement_ts_ = dtsql::clock_timestamp(); }
  dt::TimeZone time_zone() const {
    auto it = settings_.find("timezone");
    if (it == settings_.end()) return dt::TimeZone::utc();
    if (it->second != tz_cache_name_) {
      tz_cache_ = dt::TimeZone::for_setting(it->second).value_or(dt::TimeZone::utc());
      tz_cache_name_ = it->second;
    }
    return tz_cache_;
  }
  std::string time_zone_name() const {
    auto it = settings_.find("timezone");
    return it == settings_.end() ? std::string("UTC") : it->second;
  }
  // extra_float_digits and bytea_output as the session set them (values checked by check_pg_setting):
  // the text output of floats and bytea follows them.
  OutputSettings output_settings() const {
    OutputSettings os;
    if (auto it = settings_.find("extra_float_digits"); it != settings_.end()) {
      const std::string& v = it->second;
      int n = 0;
      if (std::from_chars(v.data(), v.data() + v.size(), n).ec == std::errc()) os.extra_float_digits = n;
    }
    if (auto it = settings_.find("bytea_output"); it != settings_.end()) {
      std::string v = it->second;
      for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      os.bytea_escape = v == "escape";
    }
    return os;
  }
  OutputStyle output_style() const { return {time_zone(), output_settings()}; }
  // now() is the transaction's start (a statement outside a block is its own transaction).
  dtsql::EvalContext datetime() const {
    dtsql::EvalContext c;
    c.output = output_settings();
    c.dt.tz = time_zone();
    c.statement_ts = statement_ts_;
    c.dt.now = in_transaction() || state_ == State::Failed ? txn_start_ts_ : statement_ts_;
    return c;
  }

 public:
  // ParameterStatus: PostgreSQL's reported (GUC_REPORT) settings that a SET, RESET, set_config() or the
  // end of a transaction changed since the server last announced them.
  std::vector<std::pair<std::string, std::string>> changed_parameters() override {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& [name, reported] : reported_) {
      std::string value = setting_value(name).value_or("");
      if (name == "timezone") value = time_zone_name();
      if (value == reported) continue;
      reported = value;
      out.emplace_back(show_column_name(name), value);
    }
    return out;
  }

 private:
  dt::TimestampTz txn_start_ts_ = 0;
  dt::TimestampTz statement_ts_ = 0;
  mutable mathsql::Random
      random_;  // random() / setseed(): one generator per session, as PostgreSQL's backend
  // currval of each sequence this session called nextval (or a called setval) on, and lastval's sequence.
  mutable std::unordered_map<uint32_t, int64_t> sequence_values_;
  mutable uint32_t last_sequence_ = 0;
  mutable std::string tz_cache_name_;
  mutable dt::TimeZone tz_cache_;
  // The reported settings, by their lower-case names, with the values the client knows: the server
  // announces these at startup (pgwire::Server), changed_parameters() the changes.
  std::map<std::string, std::string> reported_ = {
      {"application_name", ""},      {"client_encoding", "UTF8"}, {"datestyle", "ISO, MDY"},
      {"intervalstyle", "postgres"}, {"timezone", "UTC"},         {"standard_conforming_strings", "on"}};

  Database& db_;
  pgwire::Backends* backends_ = nullptr;  // the server's backends (StartupInfo::backends)
  // The writer of the statement running now (run_statement, prepare_context): where the catalog
  // functions' WARNINGs go.
  mutable pgwire::ResultWriter* statement_out_ = nullptr;
  planner::SessionInfo session_info_;  // what version(), current_user, pg_backend_pid() ... return
  std::map<std::string, std::string> settings_;
  State state_ = State::Idle;
  bool batch_txn_ =
      false;  // state_ is Implicit: the transaction of an extended-protocol batch (Bind .. Sync)
  bool batch_pipelining_ = false;  // a statement of that batch has run (refuse_in_transaction)
  std::unique_ptr<storage::Transaction> txn_;
  // overlay() outside a transaction; its temp_namespace is the session's (pg_temp_N), which every
  // transaction's overlay carries.
  mutable storage::CatalogOverlay idle_overlay_;
  // search_path(): the setting's text last parsed and its schema names.
  mutable std::string search_path_text_;
  mutable std::shared_ptr<const std::vector<std::string>> search_path_;
  // Temporary tables created ON COMMIT DELETE ROWS (emptied before each transaction once a transaction
  // may have written them) and, in the open transaction, ON COMMIT DROP (dropped by its commit).
  std::set<uint32_t> on_commit_delete_;
  bool on_commit_delete_dirty_ = false;
  std::set<uint32_t> on_commit_drop_;
  // Transactional DDL: the locks the open transaction's DDL holds until it ends, and the tables among
  // them held exclusively.
  std::vector<TableLocks::Held> txn_locks_;
  std::set<uint32_t> txn_exclusive_;
  std::vector<uint32_t> txn_shared_;  // tables txn_locks_ hold in shared mode (once per lock)
  std::set<std::string> txn_names_;
  Isolation txn_isolation_ = Isolation::ReadCommitted;  // txn_'s level, as SHOW names it
  bool txn_read_only_ = false;                          // txn_ is READ ONLY (set_transaction_read_only)
  std::optional<SavedSettings> saved_settings_;         // the settings when txn_ began
  // The settings SET LOCAL changed in this transaction, each with the SET that gives it the value it has
  // at commit (change_setting).
  std::map<std::string, ast::SetStmt> at_commit_;
  // Outside a transaction: the settings before the running statement's first change (run()).
  std::optional<SavedSettings> idle_saved_;
  struct Savepoint {
    std::string name;
    size_t mark;  // Transaction::savepoint()
    SavedSettings settings;
    bool read_only;  // txn_read_only_ when it was set: ROLLBACK TO and RELEASE restore it (PostgreSQL
                     // restores XactReadOnly when a subtransaction ends)
  };
  std::vector<Savepoint> savepoints_;
  Isolation default_isolation_ = Isolation::ReadCommitted;
  int statements_in_block_ = 0;  // queries (statements that take a snapshot) in the current transaction
  std::optional<bool> synchronous_commit_;  // SET synchronous_commit; unset: the server's default
  std::string synchronous_commit_text_;     // its value as SHOW prints it

  // ---- The extended query protocol and prepared statements (definitions below the class) ----
 public:
  void parse(const std::string& name, std::string_view sql,
             const std::vector<uint32_t>& param_types) override;
  void bind(const std::string& portal, const std::string& statement, const pgwire::BindParams& params,
            const std::vector<int16_t>& result_formats) override;
  pgwire::StatementDescription describe_statement(const std::string& name) override;
  std::optional<std::vector<pgwire::ResultColumn>> describe_portal(const std::string& name) override;
  bool execute_portal(const std::string& name, int64_t max_rows, pgwire::ResultWriter& out) override;
  void close_statement(const std::string& name) override { statements_.erase(name); }
  void close_portal(const std::string& name) override { portals_.erase(name); }
  std::string portal_query(const std::string& name) const override {
    auto it = portals_.find(name);
    return it == portals_.end() || !it->second->statement ? std::string() : it->second->statement->sql;
  }
  void sync() override;
  bool sync_commits_writes() const override {
    return state_ == State::Implicit && txn_ && txn_->has_writes();
  }

 private:
  // A statement parsed (and, for SELECT/INSERT/UPDATE/DELETE, bound and planned) once: by Parse or
  // PREPARE. Executing it re-plans only when the catalog changed since.
  struct PreparedStatement {
    std::string sql;                   // its text (the plan cache key's fingerprint)
    std::vector<ast::StmtPtr> parsed;  // owns the tree
    const ast::Stmt* stmt = nullptr;   // null: the empty query
    std::vector<TypeId> param_types;   // $1..$n, resolved
    std::vector<uint32_t> param_oids;  // as declared (int2, float4, varchar...) or inferred
    std::optional<planner::PlannedStatement> planned;
    uint64_t catalog_version = 0;
    // The search_path it was planned under: planned again under another (PostgreSQL's plan cache too).
    std::shared_ptr<const std::vector<std::string>> search_path;
    std::string cache_key;
    std::shared_ptr<const codegen::CompiledPlan> compiled;
    bool returns_rows = false;
    std::vector<pgwire::ResultColumn> columns;  // text format
    ShortRuns short_runs;                       // its last run time, when it is a point lookup
  };
  // A bound statement: parameter values and result formats. Lives until closed, replaced (the unnamed
  // one) or its transaction ends.
  struct Portal {
    std::shared_ptr<PreparedStatement> statement;
    std::vector<Value> params;
    std::vector<int16_t> formats;  // one per result column
    uint64_t txn_serial = 0;
    bool done = false;
    // Cursors (SQL DECLARE, or Execute with a row limit): rows are produced on demand by `cursor`; a
    // cursor settled (see settle_cursors) or held past COMMIT produces no more and keeps its remaining
    // rows.
    bool sql_cursor = false;     // declared in SQL (FETCH / MOVE / CLOSE name it)
    bool holdable = false;       // WITH HOLD
    bool held = false;           // WITH HOLD past its COMMIT: lives until closed
    size_t savepoint_depth = 0;  // savepoints_.size() when it was declared
    uint64_t position = 0;       // rows fetched or moved over so far (PostgreSQL's portalPos)
    bool at_end = false;         // FETCH ran past the last row
    // A DML ... RETURNING or SELECT ... FOR UPDATE run to its end by an Execute with a row limit: the rows
    // later Executes send (the statement's work is done, as in PostgreSQL).
    std::unique_ptr<WireRows> kept;
    std::shared_ptr<CursorRun> cursor;  // last member: stops before the rest goes
  };

  void prepare_statement(PreparedStatement& ps, std::vector<uint32_t> param_oids);
  void plan_prepared(PreparedStatement& ps);
  void revalidate(PreparedStatement& ps);
  bool same_search_path(const PreparedStatement& ps) const;
  TableLocks::Held lock_prepared(PreparedStatement& ps, const storage::LockWait& wait);
  static constexpr uint64_t kStaleVersion = ~uint64_t{0};  // a catalog version that forces planning again
  bool run_portal(Portal& portal, int64_t max_rows, pgwire::ResultWriter& out);
  bool emit_rows(Portal& portal, int64_t max_rows, pgwire::ResultWriter& out);
  std::shared_ptr<PreparedStatement> find_statement(const std::string& name);
  static bool is_transaction_exit(const PreparedStatement& ps);
  void sql_prepare(const ast::PrepareStmt& stmt, std::string_view text, pgwire::ResultWriter& out);
  void sql_execute(const ast::ExecuteStmt& stmt, pgwire::ResultWriter& out);
  void sql_deallocate(const ast::DeallocateStmt& stmt, pgwire::ResultWriter& out);
  void sql_discard(const ast::DiscardStmt& stmt, pgwire::ResultWriter& out);
  void sql_declare(const ast::DeclareCursorStmt& stmt, std::string_view text, pgwire::ResultWriter& out);
  void sql_fetch(const ast::FetchStmt& stmt, pgwire::ResultWriter& out);
  void sql_close(const ast::ClosePortalStmt& stmt, pgwire::ResultWriter& out);
  // Cursors.
  bool live(const Portal& p) const { return p.held || p.txn_serial == txn_serial_; }
  void open_cursor(Portal& p, pgwire::ResultWriter& out, std::chrono::steady_clock::time_point started);
  void settle(Portal& p);
  uint64_t fetch_rows(Portal& p, uint64_t max_rows, const std::vector<int16_t>& formats,
                      pgwire::ResultWriter& out, std::chrono::steady_clock::time_point started, bool* more);
  Portal& find_cursor(const std::string& name);
  void settle_cursors();
  void hold_cursors();
  void end_cursors();
  void rollback_cursors(size_t depth);

  std::map<std::string, std::shared_ptr<PreparedStatement>> statements_;
  std::map<std::string, std::shared_ptr<Portal>> portals_;
  uint64_t txn_serial_ = 0;  // bumped when a transaction ends
  std::optional<SavedSettings> session_defaults_;
  const std::vector<int16_t>* execute_formats_ = nullptr;  // while an extended-protocol EXECUTE runs
  const std::vector<Value>* explain_params_ = nullptr;     // while an extended-protocol EXPLAIN runs
};

// ---------------------------------------------------------------------------------------------------
// The extended query protocol and prepared statements.
//
// Parse (and PREPARE) parses the statement and, for SELECT/INSERT/UPDATE/DELETE, binds and plans it once,
// inferring parameter types as PostgreSQL does. Bind decodes the parameter values into a portal; Execute
// sets them as the plan's first parameters (the lifted literals follow) and runs the code compiled for
// the statement, which is looked up in the plan cache at the first Execute and kept. What each Execute
// redoes: an ExecContext with the parameters (codegen::prepare), a read view, and the run itself.

namespace {

// Drops RowDescription: Execute sends only rows (Describe sends the description).
class NoDescriptionWriter : public pgwire::ResultWriter {
 public:
  explicit NoDescriptionWriter(pgwire::ResultWriter& out) : out_(out) {}
  void row_description(const std::vector<pgwire::ResultColumn>&) override {}
  void data_row(const std::string_view* values, const bool* nulls, size_t count) override {
    out_.data_row(values, nulls, count);
  }
  void command_complete(std::string_view tag) override { out_.command_complete(tag); }
  void empty_query() override { out_.empty_query(); }
  void notice(std::string_view sqlstate, std::string_view message) override {
    out_.notice(sqlstate, message);
  }
  void warning(std::string_view sqlstate, std::string_view message) override {
    out_.warning(sqlstate, message);
  }
  const std::atomic<bool>* cancel_flag() const override { return out_.cancel_flag(); }
  void set_deadline(std::chrono::steady_clock::time_point d) override { out_.set_deadline(d); }
  pgwire::CopyInStream& copy_in(int8_t format, size_t columns) override {
    return out_.copy_in(format, columns);
  }
  void copy_out(int8_t format, size_t columns) override { out_.copy_out(format, columns); }
  void copy_data(std::string_view data) override { out_.copy_data(data); }
  void copy_done() override { out_.copy_done(); }

 private:
  pgwire::ResultWriter& out_;
};

// Encodes result rows in each column's format and streams them to the client.
class PortalRowSink : public runtime::RowSink {
 public:
  PortalRowSink(const std::vector<plan::OutputColumn>& columns, const std::vector<int16_t>& formats,
                pgwire::ResultWriter& out, OutputStyle style, const catalog::Context* names)
      : columns_(columns),
        formats_(formats),
        style_(std::move(style)),
        names_(names),
        out_(out),
        text_(columns.size()),
        views_(columns.size()),
        nulls_(columns.size()) {}

  bool row(const Datum* values, size_t count) override {
    for (size_t i = 0; i < count; ++i) {
      const Datum& d = values[i];
      nulls_[i] = d.is_null != 0;
      if (nulls_[i]) continue;
      text_[i].clear();
      encode_datum(d, columns_[i].type, formats_.empty() ? 0 : formats_[i], style_, text_[i], names_);
      views_[i] = text_[i];
    }
    out_.data_row(views_.data(), reinterpret_cast<const bool*>(nulls_.data()), count);
    ++rows_;
    return true;
  }
  uint64_t rows() const { return rows_; }

 private:
  const std::vector<plan::OutputColumn>& columns_;
  const std::vector<int16_t>& formats_;
  OutputStyle style_;  // the session's TimeZone, extra_float_digits, bytea_output
  const catalog::Context* names_;
  pgwire::ResultWriter& out_;
  std::vector<std::string> text_;
  std::vector<std::string_view> views_;
  std::vector<char> nulls_;
  uint64_t rows_ = 0;
};

// A cursor's rows between their production and the FETCH that sends them: the values, with their own
// copy of any text, counted against the query's memory limit (53200 past it). They are encoded when
// sent, in the formats that FETCH or Execute asks for.
class KeptRows : public runtime::RowSink {
 public:
  KeptRows(const std::vector<plan::OutputColumn>& columns, runtime::ExecContext& ctx)
      : columns_(columns), ctx_(ctx) {}

  bool row(const Datum* values, size_t count) override {
    uint64_t bytes = count * sizeof(Datum);
    for (size_t i = 0; i < count; ++i)
      if (points_at_text(i) && !values[i].is_null) bytes += sizeof(std::string) + values[i].str.len;
    try {
      ctx_.memory.reserve(bytes);
    } catch (SqlError& e) {
      ctx_.fail(std::move(e));
      return false;
    }
    reserved_ += bytes;
    for (size_t i = 0; i < count; ++i) {
      Datum d = values[i];
      if (points_at_text(i) && !d.is_null) {
        const std::string& copy = text_.emplace_back(d.str.ptr, d.str.len);  // deque: never moves
        d.str = {copy.data(), copy.size()};
      }
      rows_.push_back(d);
    }
    return true;
  }

  size_t width() const { return columns_.size(); }
  size_t size() const { return width() ? rows_.size() / width() - next_ : 0; }
  // Sends up to `limit` kept rows (0: all) in `formats`; returns how many.
  // Text is printed as the session's settings `style` ask when they are sent.
  uint64_t send(uint64_t limit, const std::vector<int16_t>& formats, const OutputStyle& style,
                const catalog::Context* names, pgwire::ResultWriter& out) {
    std::vector<std::string> cells(width());
    std::vector<std::string_view> views(width());
    std::vector<char> nulls(width());
    uint64_t sent = 0;
    while (size() > 0 && (limit == 0 || sent < limit)) {
      const Datum* row = &rows_[next_ * width()];
      for (size_t c = 0; c < width(); ++c) {
        nulls[c] = row[c].is_null;
        if (nulls[c]) continue;
        cells[c].clear();
        encode_datum(row[c], columns_[c].type, c < formats.size() ? formats[c] : 0, style, cells[c], names);
        views[c] = cells[c];
      }
      out.data_row(views.data(), reinterpret_cast<const bool*>(nulls.data()), width());
      ++next_;
      ++sent;
    }
    if (size() == 0) clear();
    return sent;
  }
  void clear() {
    rows_.clear();
    text_.clear();
    next_ = 0;
    ctx_.memory.release(reserved_);
    reserved_ = 0;
  }

 private:
  // Types whose Datum points at bytes outside it (copied here, since the query's own buffers move on).
  bool points_at_text(size_t column) const { return physical_type(columns_[column].type) == PhysType::Text; }

  const std::vector<plan::OutputColumn>& columns_;
  runtime::ExecContext& ctx_;
  std::vector<Datum> rows_;  // row-major
  std::deque<std::string> text_;
  size_t next_ = 0;  // first row not sent yet
  uint64_t reserved_ = 0;
};

bool is_planned_kind(const ast::Stmt& stmt) {
  return stmt.kind == ast::StmtKind::Select || stmt.kind == ast::StmtKind::Insert ||
         stmt.kind == ast::StmtKind::Update || stmt.kind == ast::StmtKind::Delete;
}

[[noreturn]] void throw_in_failed_transaction() {
  throw SqlError(SqlState::InFailedSqlTransaction,
                 "current transaction is aborted, commands ignored until end of transaction block");
}

}  // namespace

bool EngineSession::is_transaction_exit(const PreparedStatement& ps) {
  if (!ps.stmt || ps.stmt->kind != ast::StmtKind::Transaction) return false;
  auto kind = static_cast<const ast::TransactionStmt&>(*ps.stmt).txn_kind;
  return kind == ast::TransactionKind::Commit || kind == ast::TransactionKind::Rollback ||
         kind == ast::TransactionKind::RollbackToSavepoint;
}

std::shared_ptr<EngineSession::PreparedStatement> EngineSession::find_statement(const std::string& name) {
  auto it = statements_.find(name);
  if (it == statements_.end()) {
    if (name.empty())
      throw SqlError(SqlState::InvalidSqlStatementName, "unnamed prepared statement does not exist");
    throw SqlError(SqlState::InvalidSqlStatementName, "prepared statement \"" + name + "\" does not exist");
  }
  return it->second;
}

// Binds and plans ps.stmt with ps.param_types (Unknown ones are inferred).
void EngineSession::plan_prepared(PreparedStatement& ps) {
  const dtsql::EvalContext dt_context = datetime();
  planner::PlannerContext ctx = planner_context(dt_context);
  storage::Store* store = &db_.store();
  ctx.row_estimate = [store](uint32_t table_id) { return store->approximate_row_count(table_id); };
  ctx.eq_selectivity = [store](const storage::TableDef& table, int column) {
    return analyzed_eq_selectivity(*store, table, column);
  };
  ctx.param_types = ps.param_types;
  uint64_t version = db_.store().catalog().version();
  ps.planned = planner::plan_statement(*ps.stmt, ctx);  // on failure the old plan stays stale: planned again
  ps.catalog_version = version;
  ps.search_path = search_path();
  ps.param_types = ps.planned->param_types;
  ps.cache_key = cache_key(ps.sql, *ps.planned);
  ps.compiled.reset();
}

void EngineSession::prepare_statement(PreparedStatement& ps, std::vector<uint32_t> param_oids) {
  for (uint32_t o : param_oids) ps.param_types.push_back(type_from_oid(o));
  if (ps.stmt && is_planned_kind(*ps.stmt)) {
    plan_prepared(ps);
    if (ps.stmt->kind == ast::StmtKind::Select || !ps.planned->plan.result_columns.empty()) {
      ps.returns_rows = true;
      ps.columns = describe(*ps.planned);
    }
  } else {
    const ast::Stmt* inner = nullptr;  // a statement whose parameters this one takes
    if (ps.stmt && ps.stmt->kind == ast::StmtKind::Explain)
      inner = static_cast<const ast::ExplainStmt&>(*ps.stmt).stmt.get();
    if (ps.stmt && ps.stmt->kind == ast::StmtKind::DeclareCursor)
      inner = static_cast<const ast::DeclareCursorStmt&>(*ps.stmt).query.get();
    if (inner && is_planned_kind(*inner)) {  // EXPLAIN's parameters are the explained statement's
      planner::PlannerContext ctx;
      ctx.catalog = &db_.store().catalog();
      ctx.session = &session_info_;
      ctx.param_types = ps.param_types;
      ps.param_types = planner::plan_statement(*inner, ctx).param_types;
    }
    for (size_t i = 0; i < ps.param_types.size(); ++i)
      if (ps.param_types[i] == TypeId::Unknown)
        throw SqlError(SqlState::IndeterminateDatatype,
                       "could not determine data type of parameter $" + std::to_string(i + 1));
    if (ps.stmt && ps.stmt->kind == ast::StmtKind::Show) {
      ps.returns_rows = true;
      ps.columns = {
          {show_column_name(static_cast<const ast::ShowStmt&>(*ps.stmt).name), type_oid(TypeId::Text), -1}};
    } else if (ps.stmt && ps.stmt->kind == ast::StmtKind::Explain) {
      ps.returns_rows = true;
      ps.columns = {{"QUERY PLAN", type_oid(TypeId::Text), -1}};
    } else if (ps.stmt && ps.stmt->kind == ast::StmtKind::Fetch &&
               !static_cast<const ast::FetchStmt&>(*ps.stmt).move) {
      // FETCH returns its cursor's rows, described as PostgreSQL does: if the cursor exists now.
      auto it = portals_.find(static_cast<const ast::FetchStmt&>(*ps.stmt).name);
      if (it != portals_.end() && live(*it->second) && it->second->statement->returns_rows) {
        ps.returns_rows = true;
        ps.columns = it->second->statement->columns;
      }
    } else if (ps.stmt && ps.stmt->kind == ast::StmtKind::Execute) {
      // EXECUTE name(...) returns what the named statement returns (as PostgreSQL describes it).
      auto it = statements_.find(static_cast<const ast::ExecuteStmt&>(*ps.stmt).name);
      if (it != statements_.end()) {
        ps.returns_rows = it->second->returns_rows;
        ps.columns = it->second->columns;
      }
    }
  }
  param_oids.resize(ps.param_types.size(), oid::kUnspecified);
  for (size_t i = 0; i < param_oids.size(); ++i)
    if (param_oids[i] == oid::kUnspecified || param_oids[i] == oid::kUnknown)
      param_oids[i] = type_oid(ps.param_types[i]);
  ps.param_oids = std::move(param_oids);
}

void EngineSession::parse(const std::string& name, std::string_view sql,
                          const std::vector<uint32_t>& param_types) {
  try {
    if (name.empty()) statements_.erase(name);  // the unnamed statement goes even if the new one fails
    auto ps = std::make_shared<PreparedStatement>();
    ps->sql = std::string(sql);
    ps->parsed = parser::parse(sql);
    if (ps->parsed.size() > 1)
      throw SqlError(SqlState::SyntaxError, "cannot insert multiple commands into a prepared statement");
    if (!ps->parsed.empty()) ps->stmt = ps->parsed[0].get();
    if (state_ == State::Failed && !is_transaction_exit(*ps)) throw_in_failed_transaction();
    if (!name.empty() && statements_.count(name))
      throw SqlError(SqlState::DuplicatePreparedStatement,
                     "prepared statement \"" + name + "\" already exists");
    prepare_statement(*ps, param_types);
    statements_[name] = std::move(ps);
  } catch (...) {
    fail_transaction();
    throw;
  }
}

void EngineSession::bind(const std::string& portal_name, const std::string& statement,
                         const pgwire::BindParams& params, const std::vector<int16_t>& result_formats) {
  try {
    std::shared_ptr<PreparedStatement> ps = find_statement(statement);
    if (state_ == State::Failed && !is_transaction_exit(*ps)) throw_in_failed_transaction();
    if (ps->planned) revalidate(*ps);  // PostgreSQL checks its cached plan at Bind
    if (params.values.size() != ps->param_types.size())
      throw SqlError(SqlState::ProtocolViolation,
                     "bind message supplies " + std::to_string(params.values.size()) +
                         " parameters, but prepared statement \"" + statement + "\" requires " +
                         std::to_string(ps->param_types.size()));
    size_t ncols = ps->returns_rows ? ps->columns.size() : 0;
    if (result_formats.size() > 1 && result_formats.size() != ncols)
      throw SqlError(SqlState::ProtocolViolation,
                     "bind message has " + std::to_string(result_formats.size()) +
                         " result formats but query has " + std::to_string(ncols) + " columns");
    auto portal = std::make_shared<Portal>();
    portal->statement = ps;
    for (size_t i = 0; i < ncols; ++i)
      portal->formats.push_back(result_formats.empty()       ? 0
                                : result_formats.size() == 1 ? result_formats[0]
                                                             : result_formats[i]);
    statement_started();
    const dtsql::EvalContext dt_context = datetime();
    for (size_t i = 0; i < params.values.size(); ++i)
      portal->params.push_back(decode_param(params.values[i], params.formats[i], ps->param_oids[i],
                                            ps->param_types[i], i, dt_context));
    if (!portal_name.empty()) {
      auto it = portals_.find(portal_name);
      if (it != portals_.end() && live(*it->second))
        throw SqlError(SqlState::DuplicateCursor, "cursor \"" + portal_name + "\" already exists");
    }
    // Like PostgreSQL, Bind starts the implicit transaction that Sync ends: every statement up to Sync, DDL
    // and SET too, is one transaction, and an error rolls all of it back. BEGIN makes it a block;
    // statements OmenDB runs only outside a transaction run on their own (execute_portal).
    if (state_ == State::Idle && ps->stmt) {
      open_transaction(State::Implicit, default_isolation_);
      batch_txn_ = true;
    }
    portal->txn_serial = txn_serial_;
    portal->savepoint_depth = savepoints_.size();
    portals_[portal_name] = std::move(portal);
  } catch (...) {
    fail_transaction();
    throw;
  }
}

pgwire::StatementDescription EngineSession::describe_statement(const std::string& name) {
  try {
    std::shared_ptr<PreparedStatement> ps = find_statement(name);
    if (state_ == State::Failed && ps->returns_rows) throw_in_failed_transaction();
    pgwire::StatementDescription d;
    d.param_types = ps->param_oids;
    d.returns_rows = ps->returns_rows;
    d.columns = ps->columns;
    return d;
  } catch (...) {
    fail_transaction();
    throw;
  }
}

std::optional<std::vector<pgwire::ResultColumn>> EngineSession::describe_portal(const std::string& name) {
  try {
    auto it = portals_.find(name);
    if (it == portals_.end() || !live(*it->second))
      throw SqlError(SqlState::InvalidCursorName, "portal \"" + name + "\" does not exist");
    const Portal& p = *it->second;
    if (state_ == State::Failed && p.statement->returns_rows) throw_in_failed_transaction();
    if (!p.statement->returns_rows) return std::nullopt;
    std::vector<pgwire::ResultColumn> columns = p.statement->columns;
    for (size_t i = 0; i < columns.size() && i < p.formats.size(); ++i) columns[i].format = p.formats[i];
    return columns;
  } catch (...) {
    fail_transaction();
    throw;
  }
}

bool EngineSession::execute_portal(const std::string& name, int64_t max_rows, pgwire::ResultWriter& out) {
  try {
    auto it = portals_.find(name);
    if (it == portals_.end() || !live(*it->second))
      throw SqlError(SqlState::InvalidCursorName, "portal \"" + name + "\" does not exist");
    std::shared_ptr<Portal> portal = it->second;  // survives DISCARD ALL / Close while it runs
    const PreparedStatement& ps = *portal->statement;
    if (state_ == State::Failed && !is_transaction_exit(ps)) throw_in_failed_transaction();
    if (!ps.stmt) {
      out.empty_query();
      return false;
    }
    // A portal that ran to its end and returns no rows (INSERT / UPDATE / DELETE without RETURNING, SET,
    // DDL) cannot run again: PostgreSQL's MarkPortalActive refuses a PORTAL_DONE portal. One that returns
    // rows answers again with none.
    if (portal->done && !ps.returns_rows)
      throw SqlError(SqlState::ObjectNotInPrerequisiteState, "portal \"" + name + "\" cannot be run");
    if (ps.planned) {
      const bool suspended = run_portal(*portal, max_rows, out);
      executed_in_batch();
      return suspended;
    }
    if (out.on_io_thread()) throw pgwire::RunOnWorker();  // utility statements: the pool
    if (portal->done) {  // PostgreSQL answers a finished utility portal with its tag again; keep it simple
      out.command_complete(ps.stmt->kind == ast::StmtKind::Show ? "SHOW" : "SELECT 0");
      return false;
    }
    portal->done = true;
    NoDescriptionWriter rows_only(out);
    execute_formats_ = &portal->formats;  // for SQL EXECUTE: the result formats Bind asked for
    if (!portal->params.empty()) explain_params_ = &portal->params;  // for EXPLAIN ... $n
    try {
      try {
        run(*ps.stmt, ps.sql, rows_only);
      } catch (const OutsideTransactionOnly&) {
        // The first statement of its batch: the batch's transaction, empty so far, ends, and the statement
        // runs on its own (Idle), as PostgreSQL runs VACUUM and the like.
        finish_transaction(false);
        run(*ps.stmt, ps.sql, rows_only);
      }
    } catch (...) {
      execute_formats_ = nullptr;
      explain_params_ = nullptr;
      throw;
    }
    execute_formats_ = nullptr;
    explain_params_ = nullptr;
    executed_in_batch();
    return false;
  } catch (const pgwire::RunOnWorker&) {
    throw;
  } catch (...) {
    fail_transaction();
    throw;
  }
}

// A table changed since the statement was planned: bind and plan it again (the parameter types stay as
// they were resolved), as PostgreSQL's plan cache does. The caller holds the catalog lock.
// Plans ps again if needed (revalidate) and locks its tables (TableLocks); plans again if DDL changed
// one of them before the locks were granted.
TableLocks::Held EngineSession::lock_prepared(PreparedStatement& ps, const storage::LockWait& wait) {
  for (;;) {
    revalidate(ps);
    TableLocks::Held held = acquire_tables(table_ids(ps.planned->tables), {}, wait,
                                           ps.stmt ? shared_lock_mode(*ps.stmt) : TableLocks::kAccessShare);
    if (still_current(ps.planned->tables)) return held;
    ps.catalog_version = kStaleVersion;
  }
}

bool EngineSession::same_search_path(const PreparedStatement& ps) const {
  const auto now = search_path();
  return ps.search_path == now || (ps.search_path && *ps.search_path == *now);
}

void EngineSession::revalidate(PreparedStatement& ps) {
  if (!ps.planned || (ps.catalog_version == db_.store().catalog().version() && same_search_path(ps))) return;
  std::vector<pgwire::ResultColumn> before = ps.columns;
  plan_prepared(ps);
  if (ps.stmt->kind != ast::StmtKind::Select) return;
  std::vector<pgwire::ResultColumn> after = describe(*ps.planned);
  bool same = before.size() == after.size();
  for (size_t i = 0; same && i < before.size(); ++i)
    same = before[i].type_oid == after[i].type_oid && before[i].type_modifier == after[i].type_modifier;
  if (!same) {
    // As PostgreSQL: the statement keeps the description the client was given, so every execution
    // fails until the result type is the described one again (planned anew each time).
    ps.catalog_version = kStaleVersion;
    throw SqlError(SqlState::FeatureNotSupported, "cached plan must not change result type")
        .with_routine("RevalidateCachedQuery");  // pgjdbc prepares the statement again on seeing it
  }
  ps.columns = std::move(after);
}

bool EngineSession::run_portal(Portal& p, int64_t max_rows, pgwire::ResultWriter& out) {
  PreparedStatement& ps = *p.statement;
  const bool select = ps.stmt->kind == ast::StmtKind::Select && !ps.planned->data_modifying_with;
  const auto started = std::chrono::steady_clock::now();
  // On the I/O thread: a compiled point lookup whose last run was short, run to its end (see
  // is_point_lookup); anything else goes to the pool before it had an effect.
  const bool io_thread = out.on_io_thread();
  if (io_thread && (!select || p.cursor || (max_rows > 0 && !p.done) ||
                    ps.catalog_version != db_.store().catalog().version() || !same_search_path(ps) ||
                    !ps.compiled || !is_point_lookup(*ps.planned) || !ran_short(ps.short_runs, ps.cache_key)))
    throw pgwire::RunOnWorker();
  // The tag of a statement whose rows go out over several Executes counts this Execute's rows (PostgreSQL).
  const auto tag = [&](uint64_t rows) {
    return ps.planned->command == "SELECT"
               ? "SELECT " + std::to_string(rows)
               : (ps.planned->command == "INSERT" ? "INSERT 0 " : ps.planned->command + " ") +
                     std::to_string(rows);
  };
  const uint64_t limit = max_rows > 0 ? static_cast<uint64_t>(max_rows) : 0;
  if (p.kept) {
    uint64_t sent = p.kept->send(out, limit);
    if (limit && sent == limit) return true;  // PortalSuspended, as PostgreSQL also when none are left
    p.kept.reset();
    out.command_complete(tag(sent));
    return false;
  }
  if (select && !ps.planned->locks_rows && (p.cursor || (max_rows > 0 && !p.done))) {
    // Execute with a row limit: a cursor, producing rows on demand (PortalSuspended while more may come).
    if (!p.cursor) open_cursor(p, out, started);
    bool more = false;
    uint64_t sent =
        fetch_rows(p, max_rows > 0 ? static_cast<uint64_t>(max_rows) : 0, p.formats, out, started, &more);
    if (!more) out.command_complete("SELECT " + std::to_string(sent));  // this Execute's rows, as PostgreSQL
    return more;
  }
  if (p.done) {
    out.command_complete(tag(0));
    return false;
  }
  if (!select) settle_cursors();
  TableLocks::Held table_locks;
  if (!io_thread) {
    table_locks = lock_prepared(ps, table_wait(started, out));
  } else if (lock_without_wait(ps.planned->tables, table_locks)) {
    db_.count_io_thread_statement();
  } else {
    throw pgwire::RunOnWorker();
  }
  if (!ps.compiled) {
    bool cache_hit = false;
    ps.compiled =
        db_.jit().get_or_compile(ps.cache_key, ps.planned->plan, &cache_hit, compile_wait(started, out));
  }
  std::vector<Value> params = ps.planned->parameters(p.params, datetime());

  runtime::ExecContext ctx;
  prepare_context(ctx, *ps.compiled, params, out, started);
  std::unique_ptr<storage::Transaction> own_txn;
  storage::Transaction* txn = statement_transaction(own_txn);
  auto view = txn->statement_view();
  ctx.view = view.get();
  if (select) {
    if (ps.planned->locks_rows) {
      // SELECT ... FOR UPDATE may start again (execute_locking): its rows are held back until it ends.
      BufferedRows rows(out);
      std::optional<PortalRowSink> sink;
      auto start = [&] {
        rows.clear();
        sink.emplace(ps.planned->plan.result_columns, p.formats, rows, output_style(), this);
        ctx.sink = &*sink;
      };
      start();
      check_writable("SELECT " + ps.planned->lock_clause);
      execute_locking(*ps.compiled, ctx, *txn, view, start);
      db_.jit().note_rows(ps.cache_key, *ps.compiled, ctx.rows_scanned);
      if (own_txn) own_txn->commit();
      p.done = true;
      // With a row limit every row is locked now and sent over several Executes (PostgreSQL locks
      // each row as it fetches it).
      auto [sent, rest] = rows.flush(limit);
      if (rest) {
        p.kept = std::move(rest);
        return true;
      }
      out.command_complete(tag(sent));
      return false;
    }
    PortalRowSink sink(ps.planned->plan.result_columns, p.formats, out, output_style(), this);
    ctx.sink = &sink;
    codegen::execute(*ps.compiled, ctx);
    db_.jit().note_rows(ps.cache_key, *ps.compiled, ctx.rows_scanned);
    if (is_point_lookup(*ps.planned)) note_run(ps.short_runs, ps.cache_key, started);
    if (own_txn) own_txn->commit();
    p.done = true;
    out.command_complete("SELECT " + std::to_string(sink.rows()));
    return false;
  }
  // ... RETURNING: rows held back until the statement succeeded (see run_query).
  const bool returning = !ps.planned->plan.result_columns.empty();
  BufferedRows rows(out);
  std::optional<PortalRowSink> sink;
  auto start = [&] {
    if (!returning) return;
    rows.clear();
    sink.emplace(ps.planned->plan.result_columns, p.formats, rows, output_style(), this);
    ctx.sink = &*sink;
  };
  start();
  uint64_t rows_scanned = 0;
  check_writable(ps.planned->command);
  uint64_t affected = execute_write(*ps.compiled, ctx, *txn, *view, &rows_scanned, out, started, start);
  db_.jit().note_rows(ps.cache_key, *ps.compiled, rows_scanned);
  if (own_txn) own_txn->commit();
  p.done = true;
  if (ps.planned->command == "SELECT") affected = sink ? sink->rows() : 0;
  if (returning) {
    auto [sent, rest] = rows.flush(limit);
    if (rest) {  // Execute with a row limit: the statement is done, its rows go out over later Executes
      p.kept = std::move(rest);
      return true;
    }
    if (limit) affected = sent;
  }
  out.command_complete(tag(affected));
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Cursors: SQL's DECLARE / FETCH / MOVE / CLOSE and the extended protocol's Execute with a row limit.
//
// A cursor's query runs on demand (SuspendedQuery): each FETCH resumes it until the rows asked for are
// produced, so a cursor over any number of rows holds one batch. It reads the snapshot taken when it
// opened. Before a statement of the same transaction writes (or rolls back to a savepoint), the open
// cursors are settled: their remaining rows are produced into memory first, so that what a cursor
// returns never depends on the writes that followed its DECLARE, as in PostgreSQL (an error met while
// settling is raised by the FETCH that reaches it). WITH HOLD cursors are settled at COMMIT and stay.

struct CursorRun {
  // The tables the query reads stay locked until the cursor is settled or closed (TableLocks); first,
  // so they are released last.
  TableLocks::Held table_locks;
  std::vector<uint32_t> tables;
  std::vector<plan::OutputColumn> columns;  // a copy: the statement may be planned again meanwhile
  std::shared_ptr<const codegen::CompiledPlan> compiled;
  std::unique_ptr<storage::Transaction> own_txn;  // a WITH HOLD cursor declared outside a block
  std::unique_ptr<storage::ReadView> view;
  runtime::ExecContext ctx;
  std::unique_ptr<KeptRows> kept;
  bool settled = false;                   // produces no more: what is left is in `kept`
  std::exception_ptr deferred_error;      // met while settling, raised by the FETCH that reaches it
  std::unique_ptr<SuspendedQuery> query;  // last: its thread stops before the rest goes
};

void EngineSession::open_cursor(Portal& p, pgwire::ResultWriter& out,
                                std::chrono::steady_clock::time_point started) {
  PreparedStatement& ps = *p.statement;
  TableLocks::Held table_locks = lock_prepared(ps, table_wait(started, out));
  if (ps.planned->locks_rows && p.holdable)
    throw SqlError(SqlState::FeatureNotSupported,
                   "DECLARE CURSOR WITH HOLD ... " + ps.planned->lock_clause + " is not supported")
        .with_detail("Holdable cursors must be READ ONLY.");
  if (!ps.compiled) {
    bool cache_hit = false;
    ps.compiled =
        db_.jit().get_or_compile(ps.cache_key, ps.planned->plan, &cache_hit, compile_wait(started, out));
  }
  std::vector<Value> params = ps.planned->parameters(p.params, datetime());
  auto run = std::make_shared<CursorRun>();
  run->table_locks = std::move(table_locks);
  run->tables = table_ids(ps.planned->tables);
  run->columns = ps.planned->plan.result_columns;
  run->compiled = ps.compiled;
  prepare_context(run->ctx, *run->compiled, params, out, started);
  storage::Transaction* txn = statement_transaction(run->own_txn);
  run->view = txn->statement_view();
  run->ctx.view = run->view.get();
  run->kept = std::make_unique<KeptRows>(run->columns, run->ctx);
  CursorRun* r = run.get();
  if (ps.planned->locks_rows) {
    // SELECT ... FOR UPDATE / SHARE: a cursor's query runs on its own thread without a statement writer,
    // so this one runs to its end now, locking every row (PostgreSQL locks each as it is fetched), and
    // the cursor is settled: its rows are kept.
    check_writable("SELECT " + ps.planned->lock_clause);
    auto start = [r] {  // (again when READ COMMITTED runs the query again at a new snapshot)
      r->kept = std::make_unique<KeptRows>(r->columns, r->ctx);
      r->ctx.sink = r->kept.get();
    };
    start();
    execute_locking(*run->compiled, run->ctx, *txn, run->view, start);
    run->settled = true;
    p.cursor = std::move(run);
    return;
  }
  run->query = std::make_unique<SuspendedQuery>(
      [r](runtime::RowSink& sink) {
        r->ctx.sink = &sink;
        codegen::execute(*r->compiled, r->ctx);
      },
      *run->kept);
  p.cursor = std::move(run);
}

// Sends up to `max_rows` (0: all) more rows of a cursor in `formats`; *more tells whether rows may remain.
uint64_t EngineSession::fetch_rows(Portal& p, uint64_t max_rows, const std::vector<int16_t>& formats,
                                   pgwire::ResultWriter& out, std::chrono::steady_clock::time_point started,
                                   bool* more) {
  *more = false;
  if (!p.cursor) return 0;  // ran to its end
  CursorRun& r = *p.cursor;
  uint64_t sent = 0;
  if (!r.settled) {
    r.ctx.deadline = std::chrono::steady_clock::time_point::max();
    limit(r.ctx, started, out);  // this FETCH's statement_timeout
    try {
      *more = r.query->resume(max_rows);
    } catch (...) {
      p.cursor.reset();
      p.done = true;
      throw;
    }
    sent = r.kept->send(0, formats, output_style(), this, out);
  } else {
    sent = r.kept->send(max_rows, formats, output_style(), this, out);
    *more = r.kept->size() > 0;
    if (!*more && r.deferred_error && (max_rows == 0 || sent < max_rows)) {
      std::exception_ptr error = r.deferred_error;
      p.cursor.reset();
      p.done = true;
      std::rethrow_exception(error);
    }
    if (!*more && r.deferred_error) *more = true;  // the error comes with the next FETCH
  }
  if (!*more) {
    if (r.own_txn) r.own_txn->commit();
    p.cursor.reset();
    p.done = true;
  }
  p.position += sent;
  if (!*more && max_rows != 0 && sent < max_rows) p.at_end = true;
  return sent;
}

EngineSession::Portal& EngineSession::find_cursor(const std::string& name) {
  auto it = portals_.find(name);
  if (it == portals_.end() || !live(*it->second))
    throw SqlError(SqlState::InvalidCursorName, "cursor \"" + name + "\" does not exist");
  return *it->second;
}

// Produces every remaining row of a running cursor into memory (see above).
void EngineSession::settle(Portal& p) {
  if (!p.cursor || p.cursor->settled) return;
  CursorRun& r = *p.cursor;
  r.ctx.deadline = std::chrono::steady_clock::time_point::max();
  try {
    r.query->resume(0);
  } catch (...) {
    r.deferred_error = std::current_exception();
  }
  r.query.reset();
  r.view.reset();
  if (r.own_txn) r.own_txn->commit();
  r.own_txn.reset();
  r.settled = true;
  r.table_locks.release();  // what is left is in memory
}

void EngineSession::settle_cursors_using(const std::vector<uint32_t>& tables) {
  for (auto& [name, p] : portals_) {
    if (!p->cursor || p->cursor->settled) continue;
    for (uint32_t id : tables)
      if (std::find(p->cursor->tables.begin(), p->cursor->tables.end(), id) != p->cursor->tables.end()) {
        settle(*p);
        break;
      }
  }
}

void EngineSession::settle_cursors() {
  for (auto& [name, p] : portals_)
    if (p->txn_serial == txn_serial_ && !p->held) settle(*p);
}

void EngineSession::hold_cursors() {
  for (auto& [name, p] : portals_) {
    if (p->txn_serial != txn_serial_ || p->held || !p->holdable || p->done) continue;
    settle(*p);
    if (p->cursor && p->cursor->deferred_error) {
      std::exception_ptr e = p->cursor->deferred_error;
      std::string failed = name;
      portals_.erase(failed);
      std::rethrow_exception(e);  // PostgreSQL raises it at COMMIT, which then rolls back
    }
    p->held = true;
  }
}

void EngineSession::end_cursors() {
  for (auto it = portals_.begin(); it != portals_.end();)
    it = it->second->txn_serial == txn_serial_ && !it->second->held ? portals_.erase(it) : std::next(it);
}

void EngineSession::rollback_cursors(size_t depth) {
  for (auto it = portals_.begin(); it != portals_.end();) {
    Portal& p = *it->second;
    if (p.txn_serial == txn_serial_ && !p.held && p.savepoint_depth >= depth) {
      it = portals_.erase(it);
    } else {
      if (p.txn_serial == txn_serial_ && !p.held) settle(p);
      ++it;
    }
  }
}

void EngineSession::sql_declare(const ast::DeclareCursorStmt& stmt, std::string_view text,
                                pgwire::ResultWriter& out) {
  if (state_ != State::Block && !stmt.hold)
    throw SqlError(SqlState::NoActiveSqlTransaction, "DECLARE CURSOR can only be used in transaction blocks");
  if (stmt.scroll) throw_unsupported("SCROLL cursors");
  if (!stmt.query || stmt.query->kind != ast::StmtKind::Select) throw_unsupported("this cursor query");
  if (ast::has_data_modifying_with(*stmt.query))
    throw SqlError(SqlState::FeatureNotSupported,
                   "DECLARE CURSOR must not contain data-modifying statements in WITH");
  auto existing = portals_.find(stmt.name);
  if (existing != portals_.end() && live(*existing->second))
    throw SqlError(SqlState::DuplicateCursor, "cursor \"" + stmt.name + "\" already exists");
  // The cursor owns its query: parse this DECLARE's text again and keep the inner SELECT.
  auto ps = std::make_shared<PreparedStatement>();
  ps->sql = std::string(text);
  ps->parsed = parser::parse(text);
  if (ps->parsed.size() != 1 || ps->parsed[0]->kind != ast::StmtKind::DeclareCursor)
    throw SqlError(SqlState::InternalError, "DECLARE text did not parse back to one DECLARE");
  ps->stmt = static_cast<const ast::DeclareCursorStmt&>(*ps->parsed[0]).query.get();
  std::vector<uint32_t> oids;
  std::vector<Value> params;
  if (explain_params_) {  // DECLARE ... $1 through the extended protocol: Bind's values
    params = *explain_params_;
    for (const Value& v : params) oids.push_back(type_oid(v.type()));
  }
  prepare_statement(*ps, oids);
  auto portal = std::make_shared<Portal>();
  portal->statement = ps;
  portal->params = std::move(params);
  portal->formats.assign(ps->columns.size(), stmt.binary ? 1 : 0);
  portal->sql_cursor = true;
  portal->holdable = stmt.hold;
  portal->savepoint_depth = savepoints_.size();
  portal->txn_serial = txn_serial_;
  open_cursor(*portal, out, std::chrono::steady_clock::now());
  if (state_ != State::Block) {  // WITH HOLD outside a block: its rows are produced at once
    settle(*portal);
    if (portal->cursor->deferred_error) std::rethrow_exception(portal->cursor->deferred_error);
    portal->held = true;
  }
  portals_[stmt.name] = std::move(portal);
  out.command_complete("DECLARE CURSOR");
}

namespace {

// Swallows a statement's output but keeps its notices and the cancel flag: MOVE and a FETCH's skipped rows.
class SkippedRowsWriter final : public pgwire::ResultWriter {
 public:
  explicit SkippedRowsWriter(pgwire::ResultWriter& out) : out_(out) {}
  void row_description(const std::vector<pgwire::ResultColumn>&) override {}
  void data_row(const std::string_view*, const bool*, size_t) override {}
  void command_complete(std::string_view) override {}
  void empty_query() override {}
  void notice(std::string_view sqlstate, std::string_view message) override {
    out_.notice(sqlstate, message);
  }
  void warning(std::string_view sqlstate, std::string_view message) override {
    out_.warning(sqlstate, message);
  }
  const std::atomic<bool>* cancel_flag() const override { return out_.cancel_flag(); }
  void set_deadline(std::chrono::steady_clock::time_point d) override { out_.set_deadline(d); }

 private:
  pgwire::ResultWriter& out_;
};

}  // namespace

void EngineSession::sql_fetch(const ast::FetchStmt& stmt, pgwire::ResultWriter& out) {
  const auto started = std::chrono::steady_clock::now();
  Portal& p = find_cursor(stmt.name);
  // Cursors scan forward only (docs/clients.md): what needs to go back fails as PostgreSQL's NO SCROLL.
  auto backward = [] {
    throw SqlError(SqlState::ObjectNotInPrerequisiteState, "cursor can only scan forward")
        .with_hint("Declare it with SCROLL option to enable backward scan.");
  };
  using D = ast::FetchStmt::Direction;
  uint64_t skip = 0, want = 0;
  bool all = false;
  switch (stmt.direction) {
    case D::Forward:
      if (stmt.count <= 0) backward();  // FETCH 0 re-reads the current row; negative counts go back
      all = stmt.count == ast::FetchStmt::kFetchAll;
      want = all ? 0 : static_cast<uint64_t>(stmt.count);
      break;
    case D::Backward:
      backward();
      break;
    case D::Absolute:
      if (stmt.count <= 0 || static_cast<uint64_t>(stmt.count) <= p.position || p.at_end) backward();
      skip = static_cast<uint64_t>(stmt.count) - p.position - 1;
      want = 1;
      break;
    case D::Relative:
      if (stmt.count <= 0) backward();
      skip = static_cast<uint64_t>(stmt.count) - 1;
      want = 1;
      break;
  }
  SkippedRowsWriter discard(out);
  // Through the extended protocol, FETCH's rows come in the formats its Bind asked for (as PostgreSQL).
  const std::vector<int16_t>& formats =
      execute_formats_ && execute_formats_->size() == p.formats.size() ? *execute_formats_ : p.formats;
  bool more = true;
  if (stmt.move) {
    uint64_t moved = fetch_rows(p, all ? 0 : skip + want, formats, discard, started, &more);
    if (stmt.direction != D::Forward) moved = moved == skip + want ? 1 : 0;  // onto one row, or not
    out.command_complete("MOVE " + std::to_string(moved));
    return;
  }
  if (skip > 0 && fetch_rows(p, skip, formats, discard, started, &more) < skip) more = false;
  std::vector<pgwire::ResultColumn> columns = p.statement->columns;
  for (size_t i = 0; i < columns.size() && i < formats.size(); ++i) columns[i].format = formats[i];
  out.row_description(columns);
  uint64_t fetched = more ? fetch_rows(p, all ? 0 : want, formats, out, started, &more) : 0;
  out.command_complete("FETCH " + std::to_string(fetched));
}

void EngineSession::sql_close(const ast::ClosePortalStmt& stmt, pgwire::ResultWriter& out) {
  if (stmt.all) {
    for (auto it = portals_.begin(); it != portals_.end();)
      it = live(*it->second) ? portals_.erase(it) : std::next(it);
    out.command_complete("CLOSE CURSOR ALL");
    return;
  }
  find_cursor(stmt.name);
  portals_.erase(stmt.name);
  out.command_complete("CLOSE CURSOR");
}

void EngineSession::sync() {
  // Sync ends the implicit transaction (its commit holds the WITH HOLD cursors), and with it every
  // portal outside a transaction block but the held cursors, which live until closed.
  auto drop_portals = [&] {
    if (state_ != State::Block && state_ != State::Failed)
      std::erase_if(portals_, [](const auto& p) { return !p.second->held; });
  };
  try {
    if (state_ == State::Implicit) finish_transaction(true);
  } catch (...) {
    drop_portals();
    throw;
  }
  drop_portals();
}

void EngineSession::sql_prepare(const ast::PrepareStmt& stmt, std::string_view text,
                                pgwire::ResultWriter& out) {
  if (statements_.count(stmt.name))
    throw SqlError(SqlState::DuplicatePreparedStatement,
                   "prepared statement \"" + stmt.name + "\" already exists");
  if (!stmt.stmt) throw_unsupported("PREPARE without a statement");
  std::vector<uint32_t> oids;
  for (const ast::TypeName& t : stmt.param_types) {
    uint32_t o = t.is_array ? type_oid(planner::resolve_type_name(t)) : oid_from_type_name(t.name);
    if (o == 0) {
      planner::resolve_type_name(t);  // throws the error CREATE TABLE would give for this type
      throw_unsupported("PREPARE parameters of type " + t.name);
    }
    oids.push_back(o);
  }
  // The statement owns its tree: parse this PREPARE's text again and keep the inner statement.
  auto ps = std::make_shared<PreparedStatement>();
  ps->sql = std::string(text);
  ps->parsed = parser::parse(text);
  if (ps->parsed.size() != 1 || ps->parsed[0]->kind != ast::StmtKind::Prepare)
    throw SqlError(SqlState::InternalError, "PREPARE text did not parse back to one PREPARE");
  ps->stmt = static_cast<const ast::PrepareStmt&>(*ps->parsed[0]).stmt.get();
  prepare_statement(*ps, oids);
  statements_[stmt.name] = std::move(ps);
  out.command_complete("PREPARE");
}

void EngineSession::sql_execute(const ast::ExecuteStmt& stmt, pgwire::ResultWriter& out) {
  std::shared_ptr<PreparedStatement> ps = find_statement(stmt.name);
  if (stmt.args.size() != ps->param_types.size())
    throw SqlError(SqlState::SyntaxError,
                   "wrong number of parameters for prepared statement \"" + stmt.name + "\"")
        .with_detail("Expected " + std::to_string(ps->param_types.size()) + " parameters but got " +
                     std::to_string(stmt.args.size()) + ".");
  Portal portal;
  portal.statement = ps;
  portal.params = planner::evaluate_parameters(stmt.args, ps->param_types, datetime());
  portal.formats.assign(ps->returns_rows ? ps->columns.size() : 0, 0);
  if (execute_formats_ && execute_formats_->size() == portal.formats.size())
    portal.formats = *execute_formats_;
  if (!ps->stmt) {
    out.empty_query();
    return;
  }
  if (!ps->planned) return run(*ps->stmt, ps->sql, out);
  if (ps->returns_rows) out.row_description(ps->columns);
  run_portal(portal, 0, out);
}

void EngineSession::sql_deallocate(const ast::DeallocateStmt& stmt, pgwire::ResultWriter& out) {
  if (stmt.all) {
    statements_.clear();
    out.command_complete("DEALLOCATE ALL");
    return;
  }
  if (!statements_.erase(stmt.name))
    throw SqlError(SqlState::InvalidSqlStatementName,
                   "prepared statement \"" + stmt.name + "\" does not exist");
  out.command_complete("DEALLOCATE");
}

void EngineSession::sql_discard(const ast::DiscardStmt& stmt, pgwire::ResultWriter& out) {
  if (stmt.target == "ALL") {
    if (state_ != State::Idle) prevent_in_transaction("DISCARD ALL");
    statements_.clear();
    portals_.clear();
    restore_settings(*session_defaults_);  // RESET ALL
  } else if (stmt.target == "PLANS") {
    for (auto& [name, ps] : statements_) ps->compiled.reset();
  }
  if (stmt.target == "ALL" || stmt.target == "TEMP") {  // the session's temporary tables go
    if (in_transaction())
      drop_temporary_relations(*overlay());
    else
      in_own_transaction([&] { drop_temporary_relations(*overlay()); });
  }
  if (stmt.target == "ALL" || stmt.target == "SEQUENCES") {  // currval and lastval forget
    sequence_values_.clear();
    last_sequence_ = 0;
  }
  out.command_complete("DISCARD " + stmt.target);
}

}  // namespace

namespace {

std::unique_ptr<storage::Store> open_store(const EngineOptions& options) {
  runtime::MemoryTracker::set_server_cap(options.query_memory_cap);
  storage::StoreOptions so;
  so.data_dir = options.data_dir;
  so.sync_commits = options.sync_commits;
  so.max_row_bytes = options.max_row_bytes;
  so.seal_block_rows = options.seal_block_rows;
  return storage::Store::open(so);
}

}  // namespace

// The table locks join the store's wait-for graph: one deadlock check sees row and table waits.
Database::Database(const EngineOptions& options)
    : options_(options), store_(open_store(options)), table_locks_(store_->wait_graph()) {
  codegen::CompileBudget budget;
  budget.optimize_max_instructions = options.jit_optimize_max_instructions;
  budget.optimize_budget_ms = options.jit_optimize_budget_ms;
  budget.max_instructions = options.jit_max_instructions;
  jit_ = codegen::Jit::create(options.plan_cache_capacity, options.jit_tiers, budget);
  store_->set_index_evaluator(make_index_evaluator(*jit_));
  if (options.seal_interval_seconds > 0) sealer_ = std::thread([this] { seal_loop(); });
}

Database::~Database() {
  {
    std::lock_guard lock(sealer_mutex_);
    stopping_ = true;
  }
  sealer_wake_.notify_all();
  if (sealer_.joinable()) sealer_.join();
  // The index evaluator's compiled plans belong to jit_, which is destroyed before store_ (members in
  // reverse order): release them now (the ORC resource trackers outlived their ExecutionSession, and
  // the server hung at exit under ASan).
  if (store_) store_->set_index_evaluator(nullptr);
}

// Background sealing (docs/columnar.md, "Sealing by age"): a round every interval.
void Database::seal_loop() {
  std::unique_lock lock(sealer_mutex_);
  const auto interval = std::chrono::seconds(options_.seal_interval_seconds);
  while (!sealer_wake_.wait_for(lock, interval, [&] { return stopping_; })) {
    lock.unlock();
    try {
      seal_round();
    } catch (const std::exception& e) {
      spdlog::warn("background sealing: {}", e.what());
    }
    lock.lock();
  }
}

// One round: each table (not a temporary one: its session drops and empties it without table locks, and
// it is short-lived) whose seal_after is not off is sealed
//  * by age: when a commit wrote it since its last age seal and commits older than seal_after exist
//    (Store::visible_at), at most every max(interval, seal_after / 10): the versions committed before
//    now - seal_after are sealed (SealOptions::max_horizon); blocks with fewer than 1/32 of a block
//    changed wait (Incremental sealing), but not longer than another seal_after;
//  * by size: when its row store holds about seal_min_rows rows or more (RocksDB's estimate minus the
//    sealed rows), everything every snapshot sees, whatever its age.
// The table is held shared during its seal (TableLocks), so no DDL changes or drops it meanwhile; a table
// an open transaction's DDL holds is left for a later round.
void Database::seal_round() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::seconds(options_.seal_interval_seconds);
  std::unordered_map<uint32_t, SealerTable> next;  // dropped tables are forgotten
  for (const storage::TableDefPtr& listed : store_->catalog().tables()) {
    {
      std::lock_guard stop(sealer_mutex_);
      if (stopping_) return;
    }
    if (listed->is_temp() || listed->is_view()) continue;
    SealerTable& state = next[listed->id] = sealer_tables_[listed->id];
    int64_t age_micros = options_.seal_after_micros;
    if (std::optional<std::string> v = listed->option("seal_after")) {
      try {
        age_micros = storage::parse_seal_after(*v);
      } catch (const SqlError&) {  // checked when it was set: not expected
        continue;
      }
    }
    if (age_micros == storage::kSealAfterOff || !storage::Store::sealable(*listed)) continue;
    constexpr int64_t kCentury = int64_t{100} * 366 * 86'400 * 1'000'000;  // keeps now - age in range
    const auto age = std::chrono::microseconds(std::min(age_micros, kCentury));
    const Clock::time_point now = store_->now();
    const uint64_t age_horizon = store_->visible_at(now - age);
    const bool by_age = now >= state.next_age_check && age_horizon > state.sealed_to &&
                        store_->table_last_commit_ts(listed->id) > state.sealed_to;
    const bool deferred_due = state.deferred_since && now - *state.deferred_since >= age;
    const bool by_size = store_->approximate_row_count(listed->id) >=
                         store_->sealed_info(listed->id).rows + options_.seal_min_rows;
    if (!by_age && !deferred_due && !by_size) continue;
    try {
      storage::LockWait wait;
      wait.lock_timeout_ms = 200;
      TableLocks::Held table_lock;
      try {
        table_lock = table_locks_.acquire({listed->id}, {}, wait);
      } catch (const SqlError&) {
        continue;
      }
      storage::TableDefPtr t = store_->catalog().find(listed->id);
      if (!t || !storage::Store::sealable(*t)) continue;  // dropped or altered meanwhile
      storage::Store::SealOptions so;
      so.min_block_changes = deferred_due ? 1 : std::max<uint64_t>(1, options_.seal_block_rows / 32);
      if (!by_size) so.max_horizon = age_horizon;
      storage::Store::SealResult r = store_->seal(t->id, so);
      if (r.versions_sealed > 0) store_->compact_table(t->id);
      state.sealed_to = std::max(state.sealed_to, r.horizon_ts);
      state.next_age_check = now + std::max<Clock::duration>(interval, age / 10);
      if (r.versions_deferred == 0)
        state.deferred_since.reset();
      else if (!state.deferred_since)
        state.deferred_since = now;
      if (r.blocks_written > 0 || r.versions_sealed > 0)
        spdlog::info("background sealing ({}): table \"{}\": {} rows in {} blocks ({} newer versions kept)",
                     by_size ? "size" : "age", t->name, r.rows, r.blocks, r.versions_kept);
    } catch (const std::exception& e) {
      spdlog::warn("background sealing of table \"{}\": {}", listed->name, e.what());
    }
  }
  sealer_tables_ = std::move(next);
}

std::unique_ptr<pgwire::Session> Database::open(const pgwire::StartupInfo& info) {
  return std::make_unique<EngineSession>(*this, info);
}

}  // namespace omendb::engine
