// The window buffer: every function over random partitions, ties and ROWS / RANGE frames, checked against
// a direct (quadratic) evaluation of each row's frame; 128-bit integer sums; argument errors; memory limit.
#include "runtime/window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "common/error.h"

namespace omendb::runtime {
namespace {

// Rows of (partition INT, order INT, value INT) with NULL values now and then.
struct Row {
  int64_t part, ord;
  std::optional<int64_t> value;
};

Datum int_datum(std::optional<int64_t> v) {
  Datum d{};
  d.i64 = v.value_or(0);
  d.is_null = !v.has_value();
  return d;
}

WindowSpec spec_of(const std::vector<WindowFunctionSpec>& functions) {
  WindowSpec s;
  s.types = {TypeId::Int64, TypeId::Int64, TypeId::Int64};
  s.partition = {{0, TypeId::Int64, false, false}};
  s.order = {{1, TypeId::Int64, false, false}};
  s.functions = functions;
  return s;
}

// Fills a buffer and returns its rows after finish (input columns, then one per function).
std::vector<std::vector<Datum>> run(WindowBuffer& buffer, const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    Datum* d = buffer.append();
    d[0] = int_datum(r.part);
    d[1] = int_datum(r.ord);
    d[2] = int_datum(r.value);
    buffer.row_done();
  }
  uint64_t n = buffer.finish([] { return false; });
  std::vector<std::vector<Datum>> out;
  for (uint64_t i = 0; i < n; ++i)
    out.emplace_back(buffer.rows() + i * buffer.width(), buffer.rows() + (i + 1) * buffer.width());
  return out;
}

// The frame [b, e) of row k of a partition given as its rows' order values, computed directly.
void direct_frame(const WindowFunctionSpec& f, int64_t s_off, int64_t e_off, const std::vector<int64_t>& ord,
                  int64_t k, int64_t& b, int64_t& e) {
  const int64_t n = static_cast<int64_t>(ord.size());
  int64_t first_peer = k, last_peer = k;
  while (first_peer > 0 && ord[first_peer - 1] == ord[k]) --first_peer;
  while (last_peer + 1 < n && ord[last_peer + 1] == ord[k]) ++last_peer;
  switch (f.start) {
    case FrameBound::UnboundedPreceding:
      b = 0;
      break;
    case FrameBound::OffsetPreceding:
      b = k - s_off;
      break;
    case FrameBound::CurrentRow:
      b = f.rows ? k : first_peer;
      break;
    case FrameBound::OffsetFollowing:
      b = k + s_off;
      break;
    default:
      b = n;
  }
  switch (f.end) {
    case FrameBound::UnboundedFollowing:
      e = n;
      break;
    case FrameBound::OffsetPreceding:
      e = k - e_off + 1;
      break;
    case FrameBound::CurrentRow:
      e = f.rows ? k + 1 : last_peer + 1;
      break;
    case FrameBound::OffsetFollowing:
      e = k + e_off + 1;
      break;
    default:
      e = 0;
  }
  b = std::clamp<int64_t>(b, 0, n);
  e = std::clamp<int64_t>(e, b, n);
}

TEST(WindowBuffer, AggregatesOverRandomFramesMatchDirectEvaluation) {
  std::mt19937 rng(7);
  const FrameBound starts[] = {FrameBound::UnboundedPreceding, FrameBound::OffsetPreceding,
                               FrameBound::CurrentRow, FrameBound::OffsetFollowing};
  const FrameBound ends[] = {FrameBound::OffsetPreceding, FrameBound::CurrentRow, FrameBound::OffsetFollowing,
                             FrameBound::UnboundedFollowing};
  for (int round = 0; round < 200; ++round) {
    std::vector<Row> rows;
    size_t n = rng() % 60;
    for (size_t i = 0; i < n; ++i)
      rows.push_back(
          {static_cast<int64_t>(rng() % 3), static_cast<int64_t>(rng() % 8),
           rng() % 5 == 0 ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(rng() % 100) - 50)});
    WindowFunctionSpec f;
    f.rows = rng() % 2 == 0;
    f.start = starts[rng() % 4];
    f.end = ends[rng() % 4];
    if (!f.rows) {  // RANGE: no offsets
      f.start = rng() % 2 ? FrameBound::UnboundedPreceding : FrameBound::CurrentRow;
      f.end = rng() % 2 ? FrameBound::UnboundedFollowing : FrameBound::CurrentRow;
    }
    const int64_t s_off = rng() % 4, e_off = rng() % 4;
    std::vector<WindowFunctionSpec> fs;
    for (WindowFunction fn :
         {WindowFunction::CountStar, WindowFunction::Count, WindowFunction::Sum, WindowFunction::Min,
          WindowFunction::Max, WindowFunction::FirstValue, WindowFunction::LastValue}) {
      WindowFunctionSpec g = f;
      g.func = fn;
      g.args = {2};
      g.arg_type = TypeId::Int64;
      g.type = TypeId::Int64;
      fs.push_back(g);
    }
    WindowBuffer buffer(spec_of(fs), nullptr);
    for (size_t i = 0; i < fs.size(); ++i) buffer.set_frame_offsets(i, s_off, false, e_off, false);
    auto out = run(buffer, rows);
    ASSERT_EQ(out.size(), n);
    // Partitions are contiguous and ordered by `ord` within.
    size_t begin = 0;
    while (begin < n) {
      size_t end = begin;
      while (end < n && out[end][0].i64 == out[begin][0].i64) ++end;
      std::vector<int64_t> ord;
      for (size_t i = begin; i < end; ++i) ord.push_back(out[i][1].i64);
      ASSERT_TRUE(std::is_sorted(ord.begin(), ord.end()));
      for (size_t k = begin; k < end; ++k) {
        int64_t b, e;
        direct_frame(f, s_off, e_off, ord, static_cast<int64_t>(k - begin), b, e);
        int64_t count_star = e - b, count = 0, sum = 0;
        std::optional<int64_t> mn, mx;
        for (int64_t r = b; r < e; ++r) {
          const Datum& v = out[begin + static_cast<size_t>(r)][2];
          if (v.is_null) continue;
          ++count;
          sum += v.i64;
          mn = mn ? std::min(*mn, v.i64) : v.i64;
          mx = mx ? std::max(*mx, v.i64) : v.i64;
        }
        const auto& row = out[k];
        SCOPED_TRACE("round " + std::to_string(round) + " row " + std::to_string(k));
        EXPECT_EQ(row[3].i64, count_star);
        EXPECT_EQ(row[4].i64, count);
        EXPECT_EQ(row[5].is_null, count == 0);
        if (count) {
          EXPECT_EQ(row[5].i64, sum);
        }
        EXPECT_EQ(row[6].is_null, !mn.has_value());
        if (mn) {
          EXPECT_EQ(row[6].i64, *mn);
        }
        if (mx) {
          EXPECT_EQ(row[7].i64, *mx);
        }
        const Datum& first = row[8];
        const Datum& last = row[9];
        if (b < e) {
          const Datum& fb = out[begin + static_cast<size_t>(b)][2];
          const Datum& lb = out[begin + static_cast<size_t>(e - 1)][2];
          EXPECT_EQ(first.is_null, fb.is_null);
          if (!fb.is_null) {
            EXPECT_EQ(first.i64, fb.i64);
          }
          EXPECT_EQ(last.is_null, lb.is_null);
          if (!lb.is_null) {
            EXPECT_EQ(last.i64, lb.i64);
          }
        } else {
          EXPECT_TRUE(first.is_null && last.is_null);
        }
      }
      begin = end;
    }
  }
}

TEST(WindowBuffer, RankingAndNtile) {
  std::vector<WindowFunctionSpec> fs(5);
  fs[0].func = WindowFunction::RowNumber;
  fs[1].func = WindowFunction::Rank;
  fs[2].func = WindowFunction::DenseRank;
  fs[3].func = WindowFunction::Ntile;
  fs[3].args = {2};
  fs[4].func = WindowFunction::CumeDist;
  fs[4].type = TypeId::Float64;
  WindowBuffer buffer(spec_of(fs), nullptr);
  // One partition, order values 1 1 2 3 3 3 4; ntile(3) over 7 rows: 3, 2, 2.
  std::vector<Row> rows;
  for (int64_t o : {3, 1, 3, 2, 4, 1, 3}) rows.push_back({0, o, 3});
  auto out = run(buffer, rows);
  ASSERT_EQ(out.size(), 7u);
  const int64_t rank[] = {1, 1, 3, 4, 4, 4, 7}, dense[] = {1, 1, 2, 3, 3, 3, 4},
                tile[] = {1, 1, 1, 2, 2, 3, 3};
  const double cume[] = {2.0 / 7, 2.0 / 7, 3.0 / 7, 6.0 / 7, 6.0 / 7, 6.0 / 7, 1.0};
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(out[i][3].i64, static_cast<int64_t>(i + 1));
    EXPECT_EQ(out[i][4].i64, rank[i]);
    EXPECT_EQ(out[i][5].i64, dense[i]);
    EXPECT_EQ(out[i][6].i64, tile[i]);
    EXPECT_DOUBLE_EQ(out[i][7].f64, cume[i]);
  }
}

TEST(WindowBuffer, IntegerSumsAreExactUntilTheFrameOverflows) {
  WindowFunctionSpec sum;
  sum.func = WindowFunction::Sum;
  sum.args = {2};
  sum.rows = true;
  sum.start = FrameBound::OffsetPreceding;
  sum.end = FrameBound::CurrentRow;
  {
    // Frames of two rows: INT64_MAX + -5 never holds INT64_MAX + 1.
    WindowBuffer buffer(spec_of({sum}), nullptr);
    buffer.set_frame_offsets(0, 1, false, 0, false);
    auto out = run(buffer, {{0, 1, INT64_MAX}, {0, 2, -5}, {0, 3, 4}});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0][3].i64, INT64_MAX);
    EXPECT_EQ(out[1][3].i64, INT64_MAX - 5);
    EXPECT_EQ(out[2][3].i64, -1);
  }
  WindowBuffer buffer(spec_of({sum}), nullptr);
  buffer.set_frame_offsets(0, 1, false, 0, false);
  try {
    run(buffer, {{0, 1, INT64_MAX}, {0, 2, 1}});
    FAIL() << "expected 22003";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::NumericValueOutOfRange);
  }
}

TEST(WindowBuffer, BadArguments) {
  WindowFunctionSpec f;
  f.rows = true;
  f.start = FrameBound::OffsetPreceding;
  f.end = FrameBound::OffsetFollowing;
  f.func = WindowFunction::CountStar;
  WindowBuffer frames(spec_of({f}), nullptr);
  auto state_of = [](auto&& fn) {
    try {
      fn();
    } catch (const SqlError& e) {
      return e.state();
    }
    return SqlState::SuccessfulCompletion;
  };
  EXPECT_EQ(state_of([&] { frames.set_frame_offsets(0, 0, true, 0, false); }), SqlState::NullValueNotAllowed);
  EXPECT_EQ(state_of([&] { frames.set_frame_offsets(0, 1, false, 0, true); }), SqlState::NullValueNotAllowed);
  EXPECT_EQ(state_of([&] { frames.set_frame_offsets(0, -1, false, 0, false); }),
            SqlState::InvalidPrecedingOrFollowingSize);
  EXPECT_EQ(state_of([&] { frames.set_frame_offsets(0, 1, false, -1, false); }),
            SqlState::InvalidPrecedingOrFollowingSize);

  WindowFunctionSpec ntile;
  ntile.func = WindowFunction::Ntile;
  ntile.args = {2};
  WindowBuffer a(spec_of({ntile}), nullptr);
  EXPECT_EQ(state_of([&] { run(a, {{0, 1, 0}}); }), SqlState::InvalidArgumentForNtile);
  WindowFunctionSpec nth;
  nth.func = WindowFunction::NthValue;
  nth.args = {1, 2};
  WindowBuffer c(spec_of({nth}), nullptr);
  EXPECT_EQ(state_of([&] { run(c, {{0, 1, -3}}); }), SqlState::InvalidArgumentForNthValue);
}

TEST(WindowBuffer, CountsItsMemory) {
  MemoryTracker memory(64 * 1024 * 1024);
  WindowFunctionSpec f;
  f.func = WindowFunction::RowNumber;
  {
    WindowBuffer buffer(spec_of({f}), &memory);
    std::vector<Row> rows;
    for (int64_t i = 0; i < 1000; ++i) rows.push_back({i % 2, i, i});
    run(buffer, rows);
    EXPECT_GT(memory.used(), 1000 * 4 * sizeof(Datum) - 1);
  }
  EXPECT_EQ(memory.used(), 0u);
  MemoryTracker small(256 * 1024);
  WindowBuffer buffer(spec_of({f}), &small);
  try {
    for (int64_t i = 0; i < 100000; ++i) {
      Datum* d = buffer.append();
      d[0] = d[1] = d[2] = int_datum(i);
      buffer.row_done();
    }
    FAIL() << "expected 53200";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.state(), SqlState::OutOfMemory);
  }
}

TEST(WindowBuffer, StopsWhenInterrupted) {
  WindowFunctionSpec f;
  f.func = WindowFunction::Max;
  f.args = {2};
  f.rows = true;
  f.start = FrameBound::CurrentRow;
  f.end = FrameBound::UnboundedFollowing;
  WindowBuffer buffer(spec_of({f}), nullptr);
  for (int64_t i = 0; i < 20000; ++i) {
    Datum* d = buffer.append();
    d[0] = int_datum(0);
    d[1] = d[2] = int_datum(i);
    buffer.row_done();
  }
  int calls = 0;
  EXPECT_EQ(buffer.finish([&] { return ++calls > 2; }), 0u);
}

}  // namespace
}  // namespace omendb::runtime
