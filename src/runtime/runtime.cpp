// The runtime functions generated code calls (runtime_api.h) and the ExecContext behind them.
// Every entry point catches exceptions and records them in the ExecContext: nothing unwinds through
// JIT frames.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "common/value.h"
#include "runtime/exec_context.h"
#include "runtime/runtime_api.h"
#include "storage/key_codec.h"

namespace omendb::runtime {

namespace {

constexpr size_t kArenaBlock = 64 * 1024;

ExecContext& ctx_of(QueryState* qs) {
  return *qs->ctx;
}

// Runs `f`, turning any exception into a recorded error; returns `on_error` then.
template <typename F, typename R>
R guarded(QueryState* qs, R on_error, F&& f) {
  try {
    return f();
  } catch (SqlError& e) {
    ctx_of(qs).fail(std::move(e));
  } catch (std::bad_alloc&) {
    ctx_of(qs).fail(SqlError(SqlState::OutOfMemory, "out of memory"));
  } catch (std::exception& e) {
    ctx_of(qs).fail(SqlError(SqlState::InternalError, e.what()));
  }
  return on_error;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

SqlError invalid_input(std::string_view type, const char* p, uint64_t n) {
  return SqlError(SqlState::InvalidTextRepresentation,
                  "invalid input syntax for type " + std::string(type) + ": \"" + std::string(p, n) + "\"");
}

// Parses a PostgreSQL integer literal with surrounding spaces and an optional sign.
// Returns 0 ok, 1 syntax error, 2 out of int64 range.
int parse_int64(std::string_view s, int64_t& out) {
  s = trim(s);
  if (s.empty()) return 1;
  bool neg = false;
  if (s.front() == '+' || s.front() == '-') {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return 1;
  uint64_t acc = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 1;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (acc > (UINT64_MAX - d) / 10) return 2;
    acc = acc * 10 + d;
  }
  if (neg) {
    if (acc > static_cast<uint64_t>(INT64_MAX) + 1) return 2;
    out = static_cast<int64_t>(0 - acc);
  } else {
    if (acc > static_cast<uint64_t>(INT64_MAX)) return 2;
    out = static_cast<int64_t>(acc);
  }
  return 0;
}

int compare_datum(TypeId type, const Datum& a, const Datum& b) {
  switch (type) {
    case TypeId::Float64: {
      double x = a.f64, y = b.f64;
      bool xn = std::isnan(x), yn = std::isnan(y);
      if (xn || yn) return xn == yn ? 0 : (xn ? 1 : -1);  // NaN sorts above everything, as in PG
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::Text:
      return rt_text_cmp(a.str.ptr, a.str.len, b.str.ptr, b.str.len);
    default:
      return a.i64 < b.i64 ? -1 : (a.i64 > b.i64 ? 1 : 0);
  }
}

}  // namespace

// ---- Arena, ExecContext ----------------------------------------------------------------------

char* Arena::allocate(size_t bytes) {
  if (bytes == 0) bytes = 1;
  while (block_ < blocks_.size()) {
    if (used_ + bytes <= sizes_[block_]) {
      char* p = blocks_[block_].get() + used_;
      used_ += bytes;
      return p;
    }
    ++block_;
    used_ = 0;
  }
  size_t size = std::max(kArenaBlock, bytes);
  blocks_.push_back(std::make_unique<char[]>(size));
  sizes_.push_back(size);
  block_ = blocks_.size() - 1;
  used_ = bytes;
  return blocks_.back().get();
}

StrRef Arena::copy(const char* data, size_t len) {
  char* p = allocate(len);
  if (len) std::memcpy(p, data, len);
  return StrRef{p, len};
}

void Arena::reset() {
  if (blocks_.size() > 1) {  // keep one block, drop the rest so a big query does not pin memory
    blocks_.resize(1);
    sizes_.resize(1);
  }
  block_ = 0;
  used_ = 0;
}

void ExecContext::fail(SqlError e) {
  if (!error) error = std::move(e);
  qs.status = 1;
}

void ExecContext::raise_if_failed() {
  if (error) throw *error;
}

void ExecContext::set_params(const std::vector<Value>& values) {
  params.assign(values.size(), Datum{});
  param_text.assign(values.size(), std::string());
  for (size_t i = 0; i < values.size(); ++i) {
    const Value& v = values[i];
    Datum& d = params[i];
    d.is_null = v.is_null() ? 1 : 0;
    if (v.is_null()) continue;
    switch (v.type()) {
      case TypeId::Float64:
        d.f64 = v.as_double();
        break;
      case TypeId::Text:
      case TypeId::Unknown:
        param_text[i] = v.as_text();
        d.str = StrRef{param_text[i].data(), param_text[i].size()};
        break;
      default:
        d.i64 = v.as_int();
        break;
    }
  }
  qs.params = params.data();
  qs.param_count = params.size();
}

// ---- runtime functions ------------------------------------------------------------------------

extern "C" {

void rt_fail(QueryState* qs, int32_t kind) {
  switch (static_cast<ErrorKind>(kind)) {
    case ErrorKind::IntegerOutOfRange:
    case ErrorKind::FloatToIntOutOfRange:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "integer out of range"));
      return;
    case ErrorKind::BigintOutOfRange:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "bigint out of range"));
      return;
    case ErrorKind::FloatOverflow:
      ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange, "value out of range: overflow"));
      return;
    case ErrorKind::DivisionByZero:
      ctx_of(qs).fail(SqlError(SqlState::DivisionByZero, "division by zero"));
      return;
    case ErrorKind::NegativeLimit:
      ctx_of(qs).fail(SqlError(SqlState::InvalidRowCountInLimitClause, "LIMIT must not be negative"));
      return;
    case ErrorKind::NegativeOffset:
      ctx_of(qs).fail(SqlError(SqlState::InvalidRowCountInResultOffsetClause, "OFFSET must not be negative"));
      return;
  }
  ctx_of(qs).fail(SqlError(SqlState::InternalError, "unknown error from generated code"));
}

static void append_key(QueryState* qs, int32_t scan, int32_t which, auto&& append) {
  ScanSlot& s = ctx_of(qs).scans[static_cast<size_t>(scan)];
  if (which == 0 || which == 2) append(s.lower);
  if (which == 1 || which == 2) append(s.upper);
}

void rt_key_int(QueryState* qs, int32_t scan, int32_t which, int64_t v) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_int(v, k); });
}
void rt_key_double(QueryState* qs, int32_t scan, int32_t which, double v) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_double(v, k); });
}
void rt_key_text(QueryState* qs, int32_t scan, int32_t which, const char* p, uint64_t n) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_text({p, n}, k); });
}
void rt_key_bool(QueryState* qs, int32_t scan, int32_t which, int32_t v) {
  append_key(qs, scan, which, [&](std::string& k) { storage::keycodec::append_bool(v != 0, k); });
}

void rt_scan_open(QueryState* qs, int32_t scan, int32_t lower_mode, int32_t upper_mode) {
  guarded(qs, 0, [&] {
    ExecContext& ctx = ctx_of(qs);
    ScanSlot& s = ctx.scans[static_cast<size_t>(scan)];
    storage::ScanSpec spec = s.spec;
    spec.lower = lower_mode == 1 ? storage::keycodec::prefix_successor(s.lower) : s.lower;
    if (upper_mode == 0 && s.upper.empty()) {
      spec.upper_unbounded = true;
    } else {
      spec.upper = upper_mode == 2 ? s.upper : storage::keycodec::prefix_successor(s.upper);
      spec.upper_unbounded = spec.upper.empty();  // successor of 0xFF... has no bound
    }
    s.cursor = ctx.view->scan(spec);
    return 0;
  });
}

const storage::ColumnBatch* rt_scan_next(QueryState* qs, int32_t scan) {
  return guarded(qs, static_cast<const storage::ColumnBatch*>(nullptr), [&]() -> const storage::ColumnBatch* {
    ExecContext& ctx = ctx_of(qs);
    if (ctx.cancelled()) {
      ctx.fail(SqlError(SqlState::QueryCanceled, "canceling statement due to user request"));
      return nullptr;
    }
    ScanSlot& s = ctx.scans[static_cast<size_t>(scan)];
    if (!s.cursor) return nullptr;
    // Values computed for the previous batch have been consumed (sorts and aggregates copy text).
    ctx.arena.reset();
    return s.cursor->next();
  });
}

int32_t rt_emit_row(QueryState* qs) {
  return guarded(qs, 0, [&] {
    ExecContext& ctx = ctx_of(qs);
    if (!ctx.sink->row(ctx.out.data(), ctx.out.size()) || ctx.cancelled()) {
      ctx.fail(SqlError(SqlState::QueryCanceled, "canceling statement due to user request"));
      return 0;
    }
    return 1;
  });
}

int32_t rt_insert(QueryState* qs, int32_t target) {
  return guarded(qs, 0, [&] {
    ExecContext& ctx = ctx_of(qs);
    ctx.writer->insert(*ctx.targets[static_cast<size_t>(target)], ctx.row.data());
    ++ctx.rows_affected;
    return 1;
  });
}

int32_t rt_update(QueryState* qs, int32_t target, const char* key, uint64_t key_len) {
  return guarded(qs, 0, [&] {
    ExecContext& ctx = ctx_of(qs);
    ctx.writer->update(*ctx.targets[static_cast<size_t>(target)], {key, key_len}, ctx.row.data());
    ++ctx.rows_affected;
    return 1;
  });
}

int32_t rt_delete(QueryState* qs, int32_t target, const char* key, uint64_t key_len) {
  return guarded(qs, 0, [&] {
    ExecContext& ctx = ctx_of(qs);
    ctx.writer->remove(*ctx.targets[static_cast<size_t>(target)], {key, key_len});
    ++ctx.rows_affected;
    return 1;
  });
}

Datum* rt_sort_row(QueryState* qs, int32_t slot) {
  return guarded(qs, static_cast<Datum*>(nullptr), [&] {
    SortSlot& s = ctx_of(qs).sorts[static_cast<size_t>(slot)];
    s.rows.resize(s.rows.size() + s.types.size());
    return s.rows.data() + s.rows.size() - s.types.size();
  });
}

void rt_sort_row_done(QueryState* qs, int32_t slot) {
  SortSlot& s = ctx_of(qs).sorts[static_cast<size_t>(slot)];
  Datum* row = s.rows.data() + s.rows.size() - s.types.size();
  for (size_t c = 0; c < s.types.size(); ++c) {
    if (s.types[c] == TypeId::Text && !row[c].is_null)
      row[c].str = s.text.copy(row[c].str.ptr, row[c].str.len);
  }
}

uint64_t rt_sort_finish(QueryState* qs, int32_t slot) {
  SortSlot& s = ctx_of(qs).sorts[static_cast<size_t>(slot)];
  size_t width = s.types.size();
  size_t count = width == 0 ? 0 : s.rows.size() / width;
  if (s.sorted || width == 0) return count;
  return guarded(qs, uint64_t{0}, [&] {
    // Sort row indexes, then permute: rows are fixed-width, so this moves each row once.
    std::vector<uint32_t> order(count);
    for (size_t i = 0; i < count; ++i) order[i] = static_cast<uint32_t>(i);
    const Datum* base = s.rows.data();
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      const Datum* a = base + x * width;
      const Datum* b = base + y * width;
      for (const SortKeySpec& k : s.keys) {
        const Datum& da = a[k.column];
        const Datum& db = b[k.column];
        if (da.is_null || db.is_null) {
          if (da.is_null && db.is_null) continue;
          return da.is_null ? k.nulls_first : !k.nulls_first;
        }
        int c = compare_datum(k.type, da, db);
        if (c != 0) return k.descending ? c > 0 : c < 0;
      }
      return false;
    });
    std::vector<Datum> sorted(s.rows.size());
    for (size_t i = 0; i < count; ++i) std::copy_n(base + order[i] * width, width, sorted.data() + i * width);
    s.rows.swap(sorted);
    s.sorted = true;
    return static_cast<uint64_t>(count);
  });
}

const Datum* rt_sort_rows(QueryState* qs, int32_t slot) {
  return ctx_of(qs).sorts[static_cast<size_t>(slot)].rows.data();
}

Datum* rt_agg_state(QueryState* qs, int32_t slot) {
  return ctx_of(qs).aggs[static_cast<size_t>(slot)].state.data();
}

void rt_agg_set_text(QueryState* qs, int32_t slot, int32_t index, const char* p, uint64_t n) {
  AggSlot& a = ctx_of(qs).aggs[static_cast<size_t>(slot)];
  a.state[static_cast<size_t>(index)].str = a.text.copy(p, n);
}

int32_t rt_text_cmp(const char* a, uint64_t an, const char* b, uint64_t bn) {
  uint64_t n = std::min(an, bn);
  int c = n ? std::memcmp(a, b, n) : 0;  // a zero-length string's pointer may be null
  if (c != 0) return c < 0 ? -1 : 1;
  return an < bn ? -1 : (an > bn ? 1 : 0);
}

void rt_concat(QueryState* qs, const char* a, uint64_t an, const char* b, uint64_t bn, StrRef* out) {
  char* p = ctx_of(qs).arena.allocate(an + bn);
  if (an) std::memcpy(p, a, an);
  if (bn) std::memcpy(p + an, b, bn);
  *out = StrRef{p, an + bn};
}

void rt_int_to_text(QueryState* qs, int64_t v, StrRef* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  *out = ctx_of(qs).arena.copy(buf, static_cast<size_t>(r.ptr - buf));
}

void rt_double_to_text(QueryState* qs, double v, StrRef* out) {
  std::string s;
  append_float8_text(v, s);
  *out = ctx_of(qs).arena.copy(s.data(), s.size());
}

void rt_bool_to_text(QueryState* qs, int32_t v, StrRef* out) {
  *out = v ? StrRef{"true", 4} : StrRef{"false", 5};
}

int32_t rt_text_to_int32(QueryState* qs, const char* p, uint64_t n, int32_t* out) {
  int64_t v = 0;
  int r = parse_int64({p, n}, v);
  if (r == 1) {
    ctx_of(qs).fail(invalid_input("integer", p, n));
    return 0;
  }
  if (r == 2 || v < INT32_MIN || v > INT32_MAX) {
    ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange,
                             "value \"" + std::string(p, n) + "\" is out of range for type integer"));
    return 0;
  }
  *out = static_cast<int32_t>(v);
  return 1;
}

int32_t rt_text_to_int64(QueryState* qs, const char* p, uint64_t n, int64_t* out) {
  int r = parse_int64({p, n}, *out);
  if (r == 1) {
    ctx_of(qs).fail(invalid_input("bigint", p, n));
    return 0;
  }
  if (r == 2) {
    ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange,
                             "value \"" + std::string(p, n) + "\" is out of range for type bigint"));
    return 0;
  }
  return 1;
}

int32_t rt_text_to_double(QueryState* qs, const char* p, uint64_t n, double* out) {
  std::string s(trim({p, n}));
  std::string lower = s;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "infinity" || lower == "+infinity" || lower == "inf" || lower == "+inf") {
    *out = INFINITY;
    return 1;
  }
  if (lower == "-infinity" || lower == "-inf") {
    *out = -INFINITY;
    return 1;
  }
  if (lower == "nan") {
    *out = NAN;
    return 1;
  }
  const char* begin = s.data();
  const char* end = begin + s.size();
  if (begin != end && *begin == '+') ++begin;
  auto r = std::from_chars(begin, end, *out);
  if (s.empty() || r.ec == std::errc::invalid_argument || r.ptr != end) {
    ctx_of(qs).fail(invalid_input("double precision", p, n));
    return 0;
  }
  if (r.ec == std::errc::result_out_of_range) {
    ctx_of(qs).fail(SqlError(SqlState::NumericValueOutOfRange,
                             "\"" + std::string(p, n) + "\" is out of range for type double precision"));
    return 0;
  }
  return 1;
}

int32_t rt_text_to_bool(QueryState* qs, const char* p, uint64_t n, int32_t* out) {
  std::string s(trim({p, n}));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // PostgreSQL accepts any unique prefix of true/false/yes/no, on/off, and 1/0.
  auto prefix_of = [&](std::string_view word) { return !s.empty() && word.substr(0, s.size()) == s; };
  if (prefix_of("true") || prefix_of("yes") || s == "on" || s == "1") {
    *out = 1;
    return 1;
  }
  if (prefix_of("false") || prefix_of("no") || s == "off" || s == "of" || s == "0") {
    *out = 0;
    return 1;
  }
  ctx_of(qs).fail(invalid_input("boolean", p, n));
  return 0;
}

}  // extern "C"

}  // namespace omendb::runtime
