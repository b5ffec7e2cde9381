// ANALYZE (docs/schema.md, "ANALYZE"): a table's statistics, gathered the way PostgreSQL 15's
// std_typanalyze does (analyze.c: compute_scalar_stats, compute_trivial_stats) from a sample of its rows, so
// that pg_stats shows what PostgreSQL shows for the same rows when the table fits in the sample.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "storage/store.h"

namespace omendb::server {

// PostgreSQL's sample size at default_statistics_target = 100: 300 x 100 rows.
inline constexpr uint64_t kAnalyzeSampleRows = 30000;

struct AnalyzeResult {
  storage::TableStats stats;  // reltuples and the statistics of `columns` (none for an empty table)
  uint64_t sampled = 0;       // rows in the sample
};

// Reads every row of `table` that `view` sees (only `columns`, indexes into table.columns), counts them and
// keeps a uniform random sample of kAnalyzeSampleRows (`sample_rows` in tests) in stored order, from which
// each column's statistics come. Cancel and statement_timeout stop it between batches (57014).
AnalyzeResult analyze_table(const storage::ReadView& view, const storage::TableDefPtr& table,
                            const std::vector<int>& columns, const std::atomic<bool>* cancel,
                            std::chrono::steady_clock::time_point deadline,
                            uint64_t sample_rows = kAnalyzeSampleRows);

}  // namespace omendb::server
