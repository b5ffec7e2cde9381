#include "server/analyze.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <string>

#include "catalog/system_catalog.h"
#include "common/interrupt.h"
#include "common/numeric.h"
#include "runtime/sorter.h"

namespace omendb::server {

namespace {

// PostgreSQL's WIDTH_THRESHOLD: values whose uncompressed datum (with its 4-byte header) is wider are
// counted, not compared (they are taken to be distinct).
constexpr uint64_t kWidthThreshold = 1024;

// One sampled value of one column. `owned` holds the bytes of a text-like value (d.str points into it).
struct Sampled {
  Datum d{};
  std::string owned;
  uint32_t width = 0;  // PostgreSQL's stored width of a variable-length value (VARSIZE_ANY)
  bool null = true;
  bool too_wide = false;
};

// The bytes PostgreSQL's heap tuple holds for a variable-length value whose data is `len` bytes: a 1-byte
// header when the whole fits in 127 bytes, else 4 (values TOAST would compress are counted uncompressed).
uint32_t varlena_width(uint64_t len) {
  return static_cast<uint32_t>(len + 1 <= 127 ? len + 1 : len + 4);
}

// The data bytes of PostgreSQL's on-disk numeric for `num` (common/numeric.h's bytes): the short format's
// 2-byte header when the display scale and weight fit it, else 4, then the base-10000 digits.
uint64_t numeric_data_len(std::string_view num) {
  const uint64_t ndigits = num.size() >= num::kHeaderSize ? (num.size() - num::kHeaderSize) / 2 : 0;
  if (num::kind(num) != num::Kind::Finite) return 2;
  const auto weight =
      static_cast<int16_t>((static_cast<uint8_t>(num[2]) << 8) | static_cast<uint8_t>(num[3]));
  const bool short_format = num::dscale(num) <= 63 && weight >= -64 && weight <= 63;
  return (short_format ? 2 : 4) + 2 * ndigits;
}

// Copies row `r` of column vector `v` (of `type`) into `out`.
void take(TypeId type, const storage::ColumnVector& v, uint64_t r, Sampled& out) {
  out.d = storage::batch_datum(type, v, r);
  out.null = out.d.is_null != 0;
  out.too_wide = false;
  out.width = 0;
  if (out.null || physical_type(type) != PhysType::Text) return;
  const StrRef s = out.d.str;
  const uint64_t data_len = type == TypeId::Numeric ? numeric_data_len(s.view()) : s.len;
  out.width = varlena_width(data_len);
  if (data_len + 4 > kWidthThreshold) {  // toast_raw_datum_size: the uncompressed datum with its header
    out.too_wide = true;
    out.owned.clear();
    out.d.str = {nullptr, 0};
    return;
  }
  out.owned.assign(s.ptr, s.len);
  out.d.str = {out.owned.data(), s.len};
}

// Whether PostgreSQL gathers only the trivial statistics of the type (no equality operator: json).
bool trivial_type(TypeId type) {
  return type == TypeId::Json;
}

// compute_scalar_stats / compute_trivial_stats over one column of the sample (`values`: the sampled rows'
// values of this column, in stored order), for a table of `total_rows` live rows.
storage::ColumnStats column_stats(const storage::ColumnDef& column, const std::vector<const Sampled*>& values,
                                  double total_rows) {
  storage::ColumnStats out;
  out.column = column.name;
  out.type = column.type;
  const int typlen = catalog::type_length(column.type);
  const bool varwidth = typlen < 0;
  const auto sample_rows = static_cast<double>(values.size());
  uint64_t null_cnt = 0, nonnull_cnt = 0, too_wide_cnt = 0;
  double total_width = 0;
  std::vector<std::pair<const Datum*, uint64_t>> sorted;  // value, position among the compared values
  for (const Sampled* s : values) {
    if (s->null) {
      ++null_cnt;
      continue;
    }
    ++nonnull_cnt;
    if (varwidth) total_width += s->width;
    if (s->too_wide) {
      ++too_wide_cnt;
      continue;
    }
    sorted.emplace_back(&s->d, sorted.size());
  }
  out.null_frac = static_cast<float>(static_cast<double>(null_cnt) / sample_rows);
  if (nonnull_cnt == 0) {  // only NULLs: the column is taken to be entirely NULL
    out.avg_width = varwidth ? 0 : typlen;
    out.n_distinct = 0;  // unknown
    return out;
  }
  out.avg_width = varwidth ? static_cast<int32_t>(total_width / static_cast<double>(nonnull_cnt)) : typlen;
  if (trivial_type(column.type)) {
    out.n_distinct = 0;  // unknown
    return out;
  }
  if (sorted.empty()) {  // every value too wide: taken to be distinct
    out.n_distinct = static_cast<float>(-1.0 * (1.0 - out.null_frac));
    return out;
  }
  const TypeId type = column.type;
  std::sort(sorted.begin(), sorted.end(), [type](const auto& a, const auto& b) {
    int c = runtime::compare_datums(type, *a.first, *b.first);
    return c != 0 ? c < 0 : a.second < b.second;
  });
  uint64_t ndistinct = 0, nmultiple = 0, dups = 0;
  double corr_xysum = 0;
  const size_t values_cnt = sorted.size();
  for (size_t i = 0; i < values_cnt; ++i) {
    corr_xysum += static_cast<double>(i) * static_cast<double>(sorted[i].second);
    ++dups;
    if (i == values_cnt - 1 || runtime::compare_datums(type, *sorted[i].first, *sorted[i + 1].first) != 0) {
      if (dups > 1) ++nmultiple;
      ++ndistinct;
      dups = 0;
    }
  }
  double stadistinct;
  if (nmultiple == 0) {  // no value repeated: a unique column (less its NULLs)
    stadistinct = -1.0 * (1.0 - out.null_frac);
  } else if (too_wide_cnt == 0 && nmultiple == ndistinct) {  // every value repeated: these are all
    stadistinct = static_cast<double>(ndistinct);
  } else {  // the Haas-Stokes estimator (Duj1), as PostgreSQL
    const double f1 = static_cast<double>(ndistinct - nmultiple + too_wide_cnt);
    const double d = f1 + static_cast<double>(nmultiple);
    const double n = sample_rows - static_cast<double>(null_cnt);
    const double big_n = total_rows * (1.0 - out.null_frac);
    const double numer = n * d;
    const double denom = (n - f1) + f1 * n / big_n;
    stadistinct = numer / denom;
    if (stadistinct < d) stadistinct = d;
    if (stadistinct > big_n) stadistinct = big_n;
    stadistinct = std::floor(stadistinct + 0.5);
  }
  // More than 10% of the rows distinct: the count scales with the table (stored as minus a fraction).
  if (stadistinct > 0.1 * total_rows) stadistinct = -(stadistinct / total_rows);
  out.n_distinct = static_cast<float>(stadistinct);
  if (values_cnt > 1) {  // of the values' sorted order with their stored order
    const auto cnt = static_cast<double>(values_cnt);
    const double corr_xsum = (cnt - 1) * cnt / 2.0;
    const double corr_x2sum = (cnt - 1) * cnt * (2 * cnt - 1) / 6.0;
    out.correlation = static_cast<float>((cnt * corr_xysum - corr_xsum * corr_xsum) /
                                         (cnt * corr_x2sum - corr_xsum * corr_xsum));
  }
  return out;
}

}  // namespace

AnalyzeResult analyze_table(const storage::ReadView& view, const storage::TableDefPtr& table,
                            const std::vector<int>& columns, const std::atomic<bool>* cancel,
                            std::chrono::steady_clock::time_point deadline, uint64_t sample_rows) {
  const size_t ncols = columns.size();
  storage::ScanSpec spec;
  spec.table = table;
  spec.columns.assign(table->columns.size(), false);
  for (int c : columns) spec.columns[static_cast<size_t>(c)] = true;
  spec.unordered = false;  // stored (key) order: the correlation is with it

  // Algorithm R over the rows in stored order; each kept row remembers its position, so the sample can be
  // put back in stored order (PostgreSQL sorts its sample by tuple position) before correlations.
  std::vector<Sampled> sample;  // row-major: sample_rows x ncols
  std::vector<uint64_t> position;
  sample.reserve(std::min<uint64_t>(sample_rows, 1 << 16) * ncols);
  std::mt19937_64 rng(0x9E3779B97F4A7C15ULL ^ table->id);
  uint64_t seen = 0;
  std::unique_ptr<storage::ScanCursor> cursor = view.scan(spec);
  while (const storage::ColumnBatch* batch = cursor->next()) {
    check_interrupt(cancel, deadline);
    for (uint64_t r = 0; r < batch->count; ++r, ++seen) {
      size_t slot;
      if (seen < sample_rows) {
        slot = position.size();
        position.push_back(seen);
        sample.resize(sample.size() + ncols);
      } else {
        const uint64_t j = std::uniform_int_distribution<uint64_t>(0, seen)(rng);
        if (j >= sample_rows) continue;
        slot = static_cast<size_t>(j);
        position[slot] = seen;
      }
      for (size_t c = 0; c < ncols; ++c) {
        const auto col = static_cast<size_t>(columns[c]);
        take(table->columns[col].type, batch->columns[col], r, sample[slot * ncols + c]);
      }
    }
  }

  // Growing `sample` moved its strings: point each text value at its bytes again.
  for (Sampled& s : sample)
    if (!s.null && !s.too_wide && s.width != 0) s.d.str.ptr = s.owned.data();

  AnalyzeResult out;
  out.stats.reltuples = static_cast<double>(seen);
  out.sampled = position.size();
  if (position.empty()) return out;  // an empty table: no column statistics, as PostgreSQL
  std::vector<size_t> order(position.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return position[a] < position[b]; });
  std::vector<const Sampled*> values(order.size());
  for (size_t c = 0; c < ncols; ++c) {
    for (size_t i = 0; i < order.size(); ++i) values[i] = &sample[order[i] * ncols + c];
    out.stats.columns.push_back(
        column_stats(table->columns[static_cast<size_t>(columns[c])], values, out.stats.reltuples));
  }
  return out;
}

}  // namespace omendb::server
