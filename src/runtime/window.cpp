#include "runtime/window.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/error.h"
#include "common/numeric.h"

namespace omendb::runtime {

namespace {

SortSpec sort_spec(const WindowSpec& spec) {
  SortSpec s;
  s.types = spec.types;
  for (const WindowFunctionSpec& f : spec.functions) s.types.push_back(f.type);
  s.keys = spec.partition;
  s.keys.insert(s.keys.end(), spec.order.begin(), spec.order.end());
  return s;
}

// Whether rows a and b have equal values in `keys` (NULL equal to NULL, as grouping compares).
bool same_keys(const std::vector<SortKeySpec>& keys, const Datum* a, const Datum* b) {
  for (const SortKeySpec& k : keys) {
    const Datum& x = a[k.column];
    const Datum& y = b[k.column];
    if (x.is_null || y.is_null) {
      if (x.is_null != y.is_null) return false;
      continue;
    }
    if (compare_datums(k.type, x, y) != 0) return false;
  }
  return true;
}

Datum null_datum() {
  Datum d{};
  d.is_null = 1;
  return d;
}

Datum int_datum(int64_t v) {
  Datum d{};
  d.i64 = v;
  return d;
}

Datum float_datum(double v) {
  Datum d{};
  d.f64 = v;
  return d;
}

// k + delta clamped to [lo, hi] without overflow (delta may be any int64).
int64_t clamp_add(int64_t k, int64_t delta, int64_t lo, int64_t hi) {
  int64_t r;
  if (__builtin_add_overflow(k, delta, &r)) r = delta > 0 ? INT64_MAX : INT64_MIN;
  return std::clamp(r, lo, hi);
}

bool is_aggregate(WindowFunction f) {
  return f >= WindowFunction::CountStar;
}

}  // namespace

WindowBuffer::WindowBuffer(const WindowSpec& spec, MemoryTracker* memory)
    : spec_(spec),
      memory_(memory),
      sorter_(sort_spec(spec), memory),
      input_width_(spec.types.size()),
      offsets_(spec.functions.size()) {
  for (const WindowFunctionSpec& f : spec_.functions) uses_groups_ = uses_groups_ || f.groups;
}

WindowBuffer::~WindowBuffer() {
  if (memory_) memory_->release(peers_counted_ + numeric_bytes_);  // peers: finish() stopped by an error
}

Datum* WindowBuffer::append() {
  Datum* row = sorter_.append();
  // The result columns are filled by finish(); until then they are NULL (row_done reads them).
  for (size_t c = input_width_; c < sorter_.width(); ++c) row[c] = null_datum();
  return row;
}

void WindowBuffer::set_frame_offsets(size_t f, int64_t start, bool start_null, int64_t end, bool end_null) {
  const WindowFunctionSpec& fn = spec_.functions.at(f);
  const bool start_offset =
      fn.start == FrameBound::OffsetPreceding || fn.start == FrameBound::OffsetFollowing;
  const bool end_offset = fn.end == FrameBound::OffsetPreceding || fn.end == FrameBound::OffsetFollowing;
  if (start_offset) {
    if (start_null) throw SqlError(SqlState::NullValueNotAllowed, "frame starting offset must not be null");
    if (start < 0)
      throw SqlError(SqlState::InvalidPrecedingOrFollowingSize, "frame starting offset must not be negative");
  }
  if (end_offset) {
    if (end_null) throw SqlError(SqlState::NullValueNotAllowed, "frame ending offset must not be null");
    if (end < 0)
      throw SqlError(SqlState::InvalidPrecedingOrFollowingSize, "frame ending offset must not be negative");
  }
  offsets_[f] = {start, end};
}

uint64_t WindowBuffer::finish(const std::function<bool()>& interrupted) {
  if (finished_) return count_;
  finished_ = true;
  const uint64_t n = sorter_.finish();
  Datum* rows = sorter_.mutable_rows();
  const size_t w = sorter_.width();
  uint64_t begin = 0;
  while (begin < n) {
    if (interrupted()) return count_ = 0;
    uint64_t end = begin + 1;
    while (end < n && same_keys(spec_.partition, rows + begin * w, rows + end * w)) ++end;
    compute_partition(rows + begin * w, end - begin, interrupted);
    if (interrupted_) return count_ = 0;
    begin = end;
  }
  uint64_t bytes = peers_counted_;
  peer_begin_ = {};
  peer_end_ = {};
  group_of_ = {};
  group_start_ = {};
  if (memory_) memory_->release(bytes);
  peers_counted_ = 0;
  return count_ = n;
}

void WindowBuffer::compute_partition(Datum* rows, size_t n, const std::function<bool()>& interrupted) {
  const size_t w = sorter_.width();
  if (peer_begin_.capacity() < n + 1) {
    // The arrays grow together; their bytes are counted once for all.
    uint64_t counted = 0;
    std::vector<std::vector<uint64_t>*> arrays = {&peer_begin_, &peer_end_};
    if (uses_groups_) arrays.insert(arrays.end(), {&group_of_, &group_start_});
    for (std::vector<uint64_t>* a : arrays) {
      uint64_t c = 0;
      reserve_counted(*a, n + 1, memory_, c);
      counted += c;
    }
    if (memory_) memory_->release(peers_counted_);
    peers_counted_ = counted;
  }
  peer_begin_.resize(n);
  peer_end_.resize(n);
  if (uses_groups_) {
    group_of_.resize(n);
    group_start_.resize(n + 1);
  }
  size_t g = 0;
  groups_ = 0;
  while (g < n) {
    size_t e = g + 1;
    while (e < n && same_keys(spec_.order, rows + g * w, rows + e * w)) ++e;
    for (size_t k = g; k < e; ++k) {
      peer_begin_[k] = g;
      peer_end_[k] = e;
      if (uses_groups_) group_of_[k] = groups_;
    }
    if (uses_groups_) group_start_[groups_] = g;
    ++groups_;
    g = e;
  }
  if (uses_groups_) group_start_[groups_] = n;
  for (size_t f = 0; f < spec_.functions.size(); ++f) {
    prepare_frames(f, rows, n);
    if (is_aggregate(spec_.functions[f].func)) {
      if (!compute_aggregate(f, rows, n, interrupted)) {
        interrupted_ = true;
        return;
      }
    } else {
      compute_function(f, rows, n);
    }
    if (interrupted()) {
      interrupted_ = true;
      return;
    }
  }
}

void WindowBuffer::prepare_frames(size_t f, const Datum* rows, size_t n) {
  const WindowFunctionSpec& fn = spec_.functions[f];
  part_rows_ = rows;
  key_begin_ = 0;
  key_end_ = n;
  if (fn.range_key < 0) return;
  // All NULLs sort together, first or last (they are peers).
  const size_t w = sorter_.width(), key = static_cast<size_t>(fn.range_key);
  while (key_begin_ < key_end_ && rows[key_begin_ * w + key].is_null) ++key_begin_;
  while (key_end_ > key_begin_ && rows[(key_end_ - 1) * w + key].is_null) --key_end_;
}

void WindowBuffer::frame_of(size_t f, size_t k, size_t n, size_t& begin, size_t& end) const {
  const WindowFunctionSpec& fn = spec_.functions[f];
  const int64_t sk = static_cast<int64_t>(k);
  const int64_t sn = static_cast<int64_t>(n);
  const size_t w = sorter_.width();
  // GROUPS: the first row of the peer group `delta` groups away (0 past the first, n past the last),
  // or one past the last row of that group.
  const int64_t groups = static_cast<int64_t>(groups_);
  auto group_begin = [&](int64_t delta) {
    const int64_t g = clamp_add(static_cast<int64_t>(fn.groups ? group_of_[k] : 0), delta, 0, groups);
    return static_cast<int64_t>(group_start_[static_cast<size_t>(g)]);
  };
  auto group_end = [&](int64_t delta) {
    const int64_t g = clamp_add(static_cast<int64_t>(fn.groups ? group_of_[k] : 0), delta, -1, groups - 1);
    return static_cast<int64_t>(group_start_[static_cast<size_t>(g + 1)]);
  };
  // RANGE with an offset: the first row whose value reaches the bound (`past`: the first beyond it), in
  // the ORDER BY's direction, among the rows with a value; a row without one (NULL) has its peers.
  const bool descending = !spec_.order.empty() && spec_.order[0].descending;
  const bool key_null = fn.range_key >= 0 && part_rows_[k * w + static_cast<size_t>(fn.range_key)].is_null;
  auto range_point = [&](int bound_column, bool past) {
    const Datum& bound = part_rows_[k * w + static_cast<size_t>(bound_column)];
    size_t lo = key_begin_, hi = key_end_;
    while (lo < hi) {  // the first row that is not before the point
      const size_t mid = lo + (hi - lo) / 2;
      const int c =
          compare_datums(fn.range_type, part_rows_[mid * w + static_cast<size_t>(fn.range_key)], bound);
      const bool before = descending ? (past ? c >= 0 : c > 0) : (past ? c <= 0 : c < 0);
      if (before)
        lo = mid + 1;
      else
        hi = mid;
    }
    return static_cast<int64_t>(lo);
  };
  int64_t b = 0, e = sn;
  switch (fn.start) {
    case FrameBound::UnboundedPreceding:
      b = 0;
      break;
    case FrameBound::OffsetPreceding:
    case FrameBound::OffsetFollowing: {
      const int64_t off = fn.start == FrameBound::OffsetPreceding ? -offsets_[f].start : offsets_[f].start;
      if (fn.start_bound >= 0)  // offsets are >= 0 (set_frame_offsets)
        b = key_null ? static_cast<int64_t>(peer_begin_[k]) : range_point(fn.start_bound, false);
      else if (fn.groups)
        b = group_begin(off);
      else
        b = clamp_add(sk, off, 0, sn);
      break;
    }
    case FrameBound::CurrentRow:
      b = fn.rows ? sk : static_cast<int64_t>(peer_begin_[k]);
      break;
    case FrameBound::UnboundedFollowing:
      b = sn;
      break;
  }
  switch (fn.end) {
    case FrameBound::UnboundedPreceding:
      e = 0;
      break;
    case FrameBound::OffsetPreceding:
    case FrameBound::OffsetFollowing: {
      const int64_t off = fn.end == FrameBound::OffsetPreceding ? -offsets_[f].end : offsets_[f].end;
      if (fn.end_bound >= 0)
        e = key_null ? static_cast<int64_t>(peer_end_[k]) : range_point(fn.end_bound, true);
      else if (fn.groups)
        e = group_end(off);
      else
        e = clamp_add(clamp_add(sk, off, -1, sn), 1, 0, sn);
      break;
    }
    case FrameBound::CurrentRow:
      e = fn.rows ? sk + 1 : static_cast<int64_t>(peer_end_[k]);
      break;
    case FrameBound::UnboundedFollowing:
      e = sn;
      break;
  }
  begin = static_cast<size_t>(b);
  end = static_cast<size_t>(std::max(b, e));
}

void WindowBuffer::compute_function(size_t f, Datum* rows, size_t n) {
  const WindowFunctionSpec& fn = spec_.functions[f];
  const size_t w = sorter_.width();
  const size_t out = input_width_ + f;
  auto arg = [&](size_t row, size_t i) -> const Datum& {
    return rows[row * w + static_cast<size_t>(fn.args[i])];
  };
  switch (fn.func) {
    case WindowFunction::RowNumber:
      for (size_t k = 0; k < n; ++k) rows[k * w + out] = int_datum(static_cast<int64_t>(k + 1));
      return;
    case WindowFunction::Rank:
      for (size_t k = 0; k < n; ++k) rows[k * w + out] = int_datum(static_cast<int64_t>(peer_begin_[k] + 1));
      return;
    case WindowFunction::DenseRank: {
      int64_t rank = 0;
      for (size_t k = 0; k < n; ++k) {
        if (peer_begin_[k] == k) ++rank;
        rows[k * w + out] = int_datum(rank);
      }
      return;
    }
    case WindowFunction::PercentRank:
      for (size_t k = 0; k < n; ++k)
        rows[k * w + out] =
            float_datum(n > 1 ? static_cast<double>(peer_begin_[k]) / static_cast<double>(n - 1) : 0.0);
      return;
    case WindowFunction::CumeDist:
      for (size_t k = 0; k < n; ++k)
        rows[k * w + out] = float_datum(static_cast<double>(peer_end_[k]) / static_cast<double>(n));
      return;
    case WindowFunction::Ntile: {
      // PostgreSQL evaluates the bucket count on the partition's first row.
      const Datum& buckets = arg(0, 0);
      if (buckets.is_null) {
        for (size_t k = 0; k < n; ++k) rows[k * w + out] = null_datum();
        return;
      }
      if (buckets.i64 <= 0)
        throw SqlError(SqlState::InvalidArgumentForNtile, "argument of ntile must be greater than zero");
      // The first n % buckets buckets hold one row more than the others (PostgreSQL's window_ntile).
      const uint64_t nb = static_cast<uint64_t>(buckets.i64);
      uint64_t boundary = n / nb;
      uint64_t remainder = 0;
      if (boundary == 0) {
        boundary = 1;
      } else {
        remainder = n % nb;
        if (remainder != 0) ++boundary;
      }
      int64_t tile = 1;
      uint64_t in_bucket = 0;
      for (size_t k = 0; k < n; ++k) {
        if (++in_bucket > boundary) {
          if (remainder != 0 && static_cast<uint64_t>(tile) == remainder) {
            remainder = 0;
            --boundary;
          }
          ++tile;
          in_bucket = 1;
        }
        rows[k * w + out] = int_datum(tile);
      }
      return;
    }
    case WindowFunction::Lag:
    case WindowFunction::Lead:
      for (size_t k = 0; k < n; ++k) {
        int64_t offset = 1;
        if (fn.args.size() > 1) {
          const Datum& o = arg(k, 1);
          if (o.is_null) {
            rows[k * w + out] = null_datum();
            continue;
          }
          offset = o.i64;
        }
        // The offset is an Int32 (a negative one looks the other way), so this cannot overflow.
        const int64_t target = static_cast<int64_t>(k) + (fn.func == WindowFunction::Lag ? -offset : offset);
        if (target >= 0 && target < static_cast<int64_t>(n))
          rows[k * w + out] = arg(static_cast<size_t>(target), 0);
        else
          rows[k * w + out] = fn.args.size() > 2 ? arg(k, 2) : null_datum();
      }
      return;
    case WindowFunction::FirstValue:
    case WindowFunction::LastValue:
    case WindowFunction::NthValue:
      for (size_t k = 0; k < n; ++k) {
        size_t b, e;
        frame_of(f, k, n, b, e);
        Datum r = null_datum();
        if (fn.func == WindowFunction::NthValue) {
          const Datum& nth = arg(k, 1);
          if (!nth.is_null) {
            if (nth.i64 <= 0)
              throw SqlError(SqlState::InvalidArgumentForNthValue,
                             "argument of nth_value must be greater than zero");
            if (fn.exclude == FrameExclusion::NoOthers) {
              if (static_cast<uint64_t>(nth.i64) <= e - b) r = arg(b + static_cast<size_t>(nth.i64) - 1, 0);
            } else {  // the nth row of the frame that is not excluded
              uint64_t left = static_cast<uint64_t>(nth.i64);
              for (size_t row = b; row < e; ++row)
                if (!excluded(fn, k, row) && --left == 0) {
                  r = arg(row, 0);
                  break;
                }
            }
          }
        } else if (fn.func == WindowFunction::FirstValue) {
          size_t row = b;
          while (row < e && excluded(fn, k, row)) ++row;
          if (row < e) r = arg(row, 0);
        } else {
          size_t row = e;
          while (row > b && excluded(fn, k, row - 1)) --row;
          if (row > b) r = arg(row - 1, 0);
        }
        rows[k * w + out] = r;
      }
      return;
    default:
      return;
  }
}

// Aggregates over each row's frame, as PostgreSQL computes them: while the frame's start stays, the state
// is extended by the rows the frame's end gained; when the start moves, count and integer sums take the
// rows that left back out (PostgreSQL's inverse transition functions), the others restart from the new
// start (so sums of doubles add the same values in the same order as PostgreSQL does). Integer sums are
// kept in 128 bits: only a frame's sum outside bigint is 22003.
bool WindowBuffer::compute_aggregate(size_t f, Datum* rows, size_t n,
                                     const std::function<bool()>& interrupted) {
  const WindowFunctionSpec& fn = spec_.functions[f];
  const size_t w = sorter_.width();
  const size_t out = input_width_ + f;
  const size_t col = fn.args.empty() ? 0 : static_cast<size_t>(fn.args[0]);
  const bool numeric = fn.type == TypeId::Numeric &&  // sum / avg as num::Accumulator (min / max compare)
                       (fn.func == WindowFunction::Sum || fn.func == WindowFunction::Avg);
  const bool invertible = fn.func == WindowFunction::CountStar || fn.func == WindowFunction::Count ||
                          (fn.func == WindowFunction::Sum && !is_float(fn.type) && !numeric);
  int64_t count = 0;
  __int128 isum = 0;
  double fsum = 0;
  std::optional<num::Accumulator> nsum;
  const Datum* best = nullptr;  // min / max so far
  size_t have_begin = 0, have_end = 0;
  bool have = false;
  auto add = [&](size_t row) {
    if (fn.func == WindowFunction::CountStar) {
      ++count;
      return;
    }
    const Datum& v = rows[row * w + col];
    if (v.is_null) return;
    if (numeric) {
      if (fn.arg_type == TypeId::Numeric)
        nsum->add(v.str.view());
      else
        nsum->add_int(v.i64);
      ++count;
      return;
    }
    switch (fn.func) {
      case WindowFunction::Sum:
        if (is_float(fn.type)) {
          // float4pl / float8pl: rounded at each step; finite operands that give an infinity overflow.
          const double r = fn.type == TypeId::Float32 ? static_cast<float>(fsum + v.f64) : fsum + v.f64;
          if (std::isinf(r) && !std::isinf(fsum) && !std::isinf(v.f64))
            throw SqlError(SqlState::NumericValueOutOfRange, "value out of range: overflow");
          fsum = r;
        } else
          isum += v.i64;
        break;
      case WindowFunction::Avg:
        fsum += is_float(fn.arg_type) ? v.f64 : static_cast<double>(v.i64);
        break;
      case WindowFunction::Min:
      case WindowFunction::Max: {
        if (!best) {
          best = &v;
          break;
        }
        int c = compare_datums(fn.arg_type, v, *best);
        // Intervals that compare equal can differ ('1 mon', '30 days'): the later one wins, as in
        // PostgreSQL's interval_smaller / interval_larger (and the Aggregate operator).
        if (fn.arg_type == TypeId::Interval && c == 0) c = fn.func == WindowFunction::Min ? -1 : 1;
        if (fn.func == WindowFunction::Min ? c < 0 : c > 0) best = &v;
        break;
      }
      default:
        break;
    }
    ++count;
  };
  auto remove = [&](size_t row) {  // invertible aggregates only
    if (fn.func == WindowFunction::CountStar) {
      --count;
      return;
    }
    const Datum& v = rows[row * w + col];
    if (v.is_null) return;
    if (fn.func == WindowFunction::Sum) isum -= v.i64;
    --count;
  };
  auto reset = [&] {
    count = 0;
    isum = 0;
    fsum = 0;
    if (numeric) nsum.emplace();
    best = nullptr;
  };
  const bool excludes = fn.exclude != FrameExclusion::NoOthers;
  for (size_t k = 0; k < n; ++k) {
    // Moving frames cost up to n * frame rows: let a cancel or a timeout stop a long computation.
    if (((k & 4095) == 4095 || (excludes && (k & 63) == 63)) && interrupted()) return false;
    size_t b, e;
    frame_of(f, k, n, b, e);
    if (excludes) {
      // EXCLUDE: each row's frame without its excluded rows, aggregated from the start (as PostgreSQL
      // restarts the aggregate when the frame has an exclusion), in frame order.
      reset();
      for (size_t row = b; row < e; ++row)
        if (!excluded(fn, k, row)) add(row);
    } else {
      if (have && invertible && b > have_begin && b <= have_end && e >= have_end) {
        for (; have_begin < b; ++have_begin) remove(have_begin);
      }
      if (!have || b != have_begin || e < have_end) {
        reset();
        have_begin = have_end = b;
        have = true;
      }
      for (; have_end < e; ++have_end) add(have_end);
    }
    Datum& r = rows[k * w + out];
    if (numeric) {
      if (count == 0) {
        r = null_datum();
        continue;
      }
      std::string value = fn.func == WindowFunction::Avg ? nsum->avg() : nsum->sum();
      const uint64_t bytes = value.size() + sizeof(std::string);
      if (memory_) memory_->reserve(bytes);  // 53200 past the limit
      numeric_bytes_ += bytes;
      const std::string& kept = numeric_results_.emplace_back(std::move(value));
      r = null_datum();
      r.is_null = 0;
      r.str = StrRef{kept.data(), kept.size()};
      continue;
    }
    switch (fn.func) {
      case WindowFunction::CountStar:
      case WindowFunction::Count:
        r = int_datum(count);
        break;
      case WindowFunction::Sum:
        if (count == 0) {
          r = null_datum();
        } else if (is_float(fn.type)) {
          r = float_datum(fsum);
        } else {
          if (isum > INT64_MAX || isum < INT64_MIN)
            throw SqlError(SqlState::NumericValueOutOfRange, "bigint out of range");
          r = int_datum(static_cast<int64_t>(isum));
        }
        break;
      case WindowFunction::Avg:
        r = count == 0 ? null_datum() : float_datum(fsum / static_cast<double>(count));
        break;
      case WindowFunction::Min:
      case WindowFunction::Max:
        r = best ? *best : null_datum();
        break;
      default:
        break;
    }
  }
  return true;
}

}  // namespace omendb::runtime
