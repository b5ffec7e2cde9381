// The sort buffer: order (NULLs, DESC, text), stability, and top-N, whose rows must be exactly the first
// rows of the full stable sort (ties in arrival order) while it holds at most twice the rows it keeps.
#include "runtime/sorter.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/error.h"

namespace omendb::runtime {
namespace {

struct Row {
  int64_t key;  // few distinct values: many ties
  bool key_null;
  std::string text;
  int64_t seq;  // arrival number, to check which tied rows were kept
};

std::vector<Row> random_rows(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Row> rows;
  for (size_t i = 0; i < n; ++i)
    rows.push_back({static_cast<int64_t>(rng() % 17), rng() % 11 == 0,
                    std::string(rng() % 40, static_cast<char>('a' + rng() % 26)), static_cast<int64_t>(i)});
  return rows;
}

SortSpec spec(bool descending) {
  SortSpec s;
  s.types = {TypeId::Int64, TypeId::Text, TypeId::Int64};
  s.keys = {{0, TypeId::Int64, descending, false}};
  return s;
}

// (key, seq) of every row the sorter returns, in order.
std::vector<std::pair<int64_t, int64_t>> run(const std::vector<Row>& rows, bool descending, int64_t limit,
                                             MemoryTracker* memory = nullptr, size_t* peak_rows = nullptr) {
  Sorter sorter(spec(descending), memory);
  if (limit >= 0) sorter.set_limit(static_cast<uint64_t>(limit));
  for (const Row& r : rows) {
    Datum* d = sorter.append();
    d[0] = Datum{};
    d[0].i64 = r.key;
    d[0].is_null = r.key_null;
    std::string scratch = r.text;  // the sorter must copy text: this buffer dies now
    d[1] = Datum{};
    d[1].str = StrRef{scratch.data(), scratch.size()};
    d[2] = Datum{};
    d[2].i64 = r.seq;
    sorter.row_done();
    scratch.assign(scratch.size(), '#');
  }
  uint64_t n = sorter.finish();
  if (peak_rows && memory) *peak_rows = memory->peak();
  std::vector<std::pair<int64_t, int64_t>> out;
  for (uint64_t i = 0; i < n; ++i) {
    const Datum* d = sorter.rows() + i * sorter.width();
    const Row& original = rows[static_cast<size_t>(d[2].i64)];
    EXPECT_EQ(d[1].str.view(), original.text) << "text of row " << d[2].i64;
    out.emplace_back(d[0].is_null ? -1 : d[0].i64, d[2].i64);
  }
  return out;
}

TEST(SorterTest, StableWithNullsLast) {
  auto rows = random_rows(500, 1);
  auto got = run(rows, false, -1);
  ASSERT_EQ(got.size(), rows.size());
  for (size_t i = 1; i < got.size(); ++i) {
    auto a = got[i - 1], b = got[i];
    bool a_null = rows[static_cast<size_t>(a.second)].key_null,
         b_null = rows[static_cast<size_t>(b.second)].key_null;
    ASSERT_FALSE(a_null && !b_null) << "NULLs sort last ascending";
    if (a_null == b_null && (a_null || a.first == b.first)) {
      EXPECT_LT(a.second, b.second) << "ties keep arrival order";
    } else if (!a_null && !b_null) {
      EXPECT_LT(a.first, b.first);
    }
  }
}

TEST(SorterTest, TopNIsThePrefixOfTheFullSort) {
  for (uint32_t seed = 0; seed < 6; ++seed) {
    auto rows = random_rows(3000, seed);
    for (bool desc : {false, true}) {
      auto full = run(rows, desc, -1);
      for (int64_t k : {0, 1, 5, 63, 64, 65, 200, 1499, 2999, 3000, 5000}) {
        auto top = run(rows, desc, k);
        size_t want = std::min<size_t>(static_cast<size_t>(k), full.size());
        ASSERT_EQ(top.size(), want) << "k=" << k;
        for (size_t i = 0; i < want; ++i)
          ASSERT_EQ(top[i], full[i]) << "seed " << seed << " desc " << desc << " k=" << k << " row " << i;
      }
    }
  }
}

TEST(SorterTest, TopNMemoryStaysProportionalToTheLimit) {
  auto rows = random_rows(100000, 7);
  MemoryTracker unlimited_full, unlimited_top;
  size_t peak_full = 0, peak_top = 0;
  run(rows, false, -1, &unlimited_full, &peak_full);
  run(rows, false, 10, &unlimited_top, &peak_top);
  EXPECT_LT(peak_top * 20, peak_full) << "top-10 peak " << peak_top << " bytes, full sort " << peak_full;
  // A limit far below the input's size passes where the full sort runs out of memory.
  MemoryTracker small(uint64_t{1} << 20);  // 1 MiB
  EXPECT_THROW(run(rows, false, -1, &small), SqlError);
  MemoryTracker small2(uint64_t{1} << 20);
  EXPECT_EQ(run(rows, false, 100, &small2).size(), 100u);
}

}  // namespace
}  // namespace omendb::runtime
