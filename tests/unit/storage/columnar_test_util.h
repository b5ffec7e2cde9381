// Shared by the columnar codec and block tests: typed test columns (values + NULL flags) and the data
// shapes the codecs must survive, from metrics-like to adversarial.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/types.h"
#include "storage/columnar/codec.h"

namespace omendb::storage::columnar::testing {

// One test column: values laid out as ColumnVector expects, plus NULL flags (empty = no NULLs). A SQL type
// held as a codec type (a timestamp, a numeric) keeps its values in that type's vector (i64, text).
struct TestColumn {
  std::string name;
  TypeId type = TypeId::Unknown;
  std::vector<uint8_t> bools;
  std::vector<int32_t> i32;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<StrRef> text;
  std::shared_ptr<std::deque<std::string>> text_storage = std::make_shared<std::deque<std::string>>();
  std::vector<uint8_t> nulls;

  uint64_t size() const {
    switch (codec_type(type)) {
      case TypeId::Bool:
        return bools.size();
      case TypeId::Int32:
        return i32.size();
      case TypeId::Int64:
        return i64.size();
      case TypeId::Float64:
        return f64.size();
      case TypeId::Text:
        return text.size();
      default:
        return 0;
    }
  }
  const void* data() const {
    switch (codec_type(type)) {
      case TypeId::Bool:
        return bools.data();
      case TypeId::Int32:
        return i32.data();
      case TypeId::Int64:
        return i64.data();
      case TypeId::Float64:
        return f64.data();
      case TypeId::Text:
        return text.data();
      default:
        return nullptr;
    }
  }
  const uint8_t* null_flags() const { return nulls.empty() ? nullptr : nulls.data(); }
  void add_text(std::string s) {
    text_storage->push_back(std::move(s));
    const std::string& k = text_storage->back();
    text.push_back(StrRef{k.data(), k.size()});
  }
};

inline bool is_null(const TestColumn& c, uint64_t i) {
  return !c.nulls.empty() && c.nulls[i] != 0;
}

// Expects decoded values (data, nulls) to equal the column: same NULLs, and bit-identical values where
// not NULL (doubles compared by bits, text by bytes).
inline void expect_same_values(const TestColumn& c, const void* data, const uint8_t* nulls, uint64_t offset,
                               uint64_t count, const std::string& context) {
  for (uint64_t j = 0; j < count; ++j) {
    uint64_t i = offset + j;
    bool want_null = is_null(c, i);
    if (nulls != nullptr) {
      ASSERT_EQ(nulls[j], want_null ? 1 : 0) << context << " row " << i;
    }
    if (want_null) continue;
    switch (codec_type(c.type)) {
      case TypeId::Bool:
        ASSERT_EQ(static_cast<const uint8_t*>(data)[j], c.bools[i] != 0 ? 1 : 0) << context << " row " << i;
        break;
      case TypeId::Int32:
        ASSERT_EQ(static_cast<const int32_t*>(data)[j], c.i32[i]) << context << " row " << i;
        break;
      case TypeId::Int64:
        ASSERT_EQ(static_cast<const int64_t*>(data)[j], c.i64[i]) << context << " row " << i;
        break;
      case TypeId::Float64: {
        uint64_t a, b;
        std::memcpy(&a, static_cast<const double*>(data) + j, 8);
        std::memcpy(&b, &c.f64[i], 8);
        ASSERT_EQ(a, b) << context << " row " << i << " want " << c.f64[i];
        break;
      }
      case TypeId::Text:
        ASSERT_EQ(static_cast<const StrRef*>(data)[j].view(), c.text[i].view()) << context << " row " << i;
        break;
      default:
        FAIL() << "unknown type";
    }
  }
}

inline double from_bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

// Appends an empty test column to `out`.
inline TestColumn& add_column(std::vector<TestColumn>& out, std::string name, TypeId type) {
  out.emplace_back();
  out.back().name = std::move(name);
  out.back().type = type;
  return out.back();
}

// Every data shape the tests run each codec over, for one type.
inline std::vector<TestColumn> shapes(TypeId type, uint32_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::vector<TestColumn> out;
  auto make = [&](std::string name) -> TestColumn& { return add_column(out, std::move(name), type); };
  const uint64_t sizes[] = {0, 1, 2, 3, 7, 1023, 1024, 1025, 5000};
  if (type == TypeId::Int64 || type == TypeId::Int32) {
    std::vector<std::pair<std::string, std::vector<int64_t>>> gens;
    const int64_t lo = type == TypeId::Int32 ? INT32_MIN : INT64_MIN;
    const int64_t hi = type == TypeId::Int32 ? INT32_MAX : INT64_MAX;
    for (uint64_t n : sizes) {
      std::vector<int64_t> v(n);
      std::uniform_int_distribution<int64_t> any(lo, hi);
      for (auto& x : v) x = any(rng);
      gens.emplace_back("random/" + std::to_string(n), v);
      for (uint64_t i = 0; i < n; ++i) v[i] = 1700000000000 / (type == TypeId::Int32 ? 1000 : 1);
      gens.emplace_back("constant/" + std::to_string(n), v);
      for (uint64_t i = 0; i < n; ++i) v[i] = static_cast<int64_t>(i);
      gens.emplace_back("monotonic/" + std::to_string(n), v);
    }
    {
      // timestamps in ms every 10 s with +-50 ms jitter (Int32: seconds since a day start)
      std::vector<int64_t> v(5000);
      std::uniform_int_distribution<int64_t> jitter(-50, 50);
      for (uint64_t i = 0; i < v.size(); ++i) {
        v[i] = type == TypeId::Int32 ? static_cast<int64_t>(i * 10)
                                     : 1700000000000 + int64_t(i) * 10000 + jitter(rng);
      }
      gens.emplace_back("timestamps", v);
      int64_t x = 0;
      std::uniform_int_distribution<int64_t> step(-1000, 1000);
      for (auto& y : v) y = x += step(rng);
      gens.emplace_back("random-walk", v);
      x = 0;
      std::uniform_int_distribution<int64_t> inc(0, 20);
      for (auto& y : v) y = x += inc(rng);
      gens.emplace_back("counter", v);
      std::uniform_int_distribution<int64_t> small(0, 5);
      for (auto& y : v) y = small(rng);
      gens.emplace_back("low-cardinality", v);
    }
    gens.push_back({"edges", {lo, hi, 0, -1, 1, lo, lo, hi, hi, lo + 1, hi - 1, 0}});
    {
      std::vector<int64_t> v;
      for (int i = 0; i < 3000; ++i) v.push_back(i % 2 ? lo : hi);  // deltas overflow int64 every row
      gens.emplace_back("huge-deltas", v);
      v.clear();
      for (int i = 0; i < 3000; ++i) v.push_back(i % 3 == 0 ? lo : (i % 3 == 1 ? 0 : hi));
      gens.emplace_back("huge-deltas-3", v);
    }
    for (auto& [name, vals] : gens) {
      TestColumn& c = make(name);
      for (int64_t v : vals) {
        if (type == TypeId::Int32) {
          c.i32.push_back(static_cast<int32_t>(v));
        } else {
          c.i64.push_back(v);
        }
      }
    }
  } else if (type == TypeId::Float64) {
    const double nan_payload = from_bits(0x7FF0000000000123ull);  // signalling NaN with a payload
    const double neg_nan = from_bits(0xFFF8000000000001ull);      // negative quiet NaN with a payload
    std::vector<std::pair<std::string, std::vector<double>>> gens;
    for (uint64_t n : sizes) {
      std::vector<double> v(n);
      for (auto& x : v) x = from_bits(rng());  // any bit pattern: NaNs, denormals, infinities
      gens.emplace_back("random-bits/" + std::to_string(n), v);
      std::uniform_int_distribution<int> cents(0, 10000);
      for (auto& x : v) x = cents(rng) / 100.0;
      gens.emplace_back("two-decimals/" + std::to_string(n), v);
      for (auto& x : v) x = 21.5;
      gens.emplace_back("constant/" + std::to_string(n), v);
    }
    {
      std::vector<double> v(5000);
      std::uniform_int_distribution<int> tenths(-400, 450);
      for (auto& x : v) x = tenths(rng) / 10.0;
      gens.emplace_back("one-decimal", v);
      double w = 50;
      std::normal_distribution<double> step(0, 1);
      for (auto& x : v) x = w += step(rng);
      gens.emplace_back("random-walk", v);
      std::uniform_int_distribution<int> cents(0, 10000);
      for (size_t i = 0; i < v.size(); ++i)
        v[i] = i % 97 == 0 ? std::sqrt(double(i) + 0.5) : cents(rng) / 100.0;
      gens.emplace_back("decimals-with-exceptions", v);
      for (size_t i = 0; i < v.size(); ++i) v[i] = double(int64_t(i) * 1000003);
      gens.emplace_back("integers", v);
      std::uniform_real_distribution<double> big(1e15, 1e20);
      for (auto& x : v) x = big(rng);
      gens.emplace_back("huge", v);
    }
    gens.push_back(
        {"specials",
         {0.0, -0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
          std::numeric_limits<double>::quiet_NaN(), nan_payload, neg_nan,
          std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
          std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(), 1.0, -1.0, 0.1, -0.0,
          9007199254740993.0, 4503599627370497.5, 1e-300, 123456789.123456789}});
    {
      std::vector<double> v(2000);
      for (size_t i = 0; i < v.size(); ++i) v[i] = i % 2 ? -0.0 : nan_payload;
      gens.emplace_back("all-exceptions", v);
    }
    for (auto& [name, vals] : gens) make(name).f64 = vals;
  } else if (type == TypeId::Text) {
    const char* regions[] = {"eu-west", "us-east", "us-west", "ap-south", "sa-east"};
    for (uint64_t n : sizes) {
      TestColumn& c = make("regions/" + std::to_string(n));
      for (uint64_t i = 0; i < n; ++i) c.add_text(regions[rng() % 5]);
      TestColumn& d = make("distinct/" + std::to_string(n));
      for (uint64_t i = 0; i < n; ++i) d.add_text("host-" + std::to_string(rng()));
    }
    TestColumn& runs = make("sorted-runs");
    for (int i = 0; i < 5000; ++i) runs.add_text(regions[i / 1000]);
    TestColumn& odd = make("odd-bytes");
    odd.add_text("");
    odd.add_text(std::string("a\0b", 3));
    odd.add_text(std::string(100000, 'x'));
    odd.add_text("\xff\xfe");
    odd.add_text("");
    odd.add_text("ünïcödé");
    TestColumn& empties = make("all-empty");
    for (int i = 0; i < 3000; ++i) empties.add_text("");
    TestColumn& one = make("single");
    one.add_text("only");
  } else if (type == TypeId::Bool) {
    for (uint64_t n : sizes) {
      TestColumn& c = make("random/" + std::to_string(n));
      for (uint64_t i = 0; i < n; ++i) c.bools.push_back(rng() & 1);
      TestColumn& t = make("all-true/" + std::to_string(n));
      t.bools.assign(n, 1);
    }
    TestColumn& a = make("alternating");
    for (int i = 0; i < 3001; ++i) a.bools.push_back(i & 1);
  }
  return out;
}

// Adds NULL patterns to a copy of each shape that has rows: random 10%, leading, trailing, all.
inline std::vector<TestColumn> with_null_patterns(const std::vector<TestColumn>& base, uint32_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::vector<TestColumn> out;
  for (const TestColumn& c : base) {
    out.push_back(c);
    uint64_t n = c.size();
    if (n == 0) continue;
    const char* names[] = {"+nulls10%", "+leading-nulls", "+trailing-nulls", "+all-null"};
    for (int p = 0; p < 4; ++p) {
      TestColumn d = c;
      d.name += names[p];
      d.nulls.assign(n, 0);
      for (uint64_t i = 0; i < n; ++i) {
        switch (p) {
          case 0:
            d.nulls[i] = rng() % 10 == 0;
            break;
          case 1:
            d.nulls[i] = i < n / 2 + 1;
            break;
          case 2:
            d.nulls[i] = i >= n / 2;
            break;
          case 3:
            d.nulls[i] = 1;
            break;
        }
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

inline const TypeId kAllTypes[] = {TypeId::Bool, TypeId::Int32, TypeId::Int64, TypeId::Float64, TypeId::Text};

// The SQL types blocks hold as one of kAllTypes (codec_type()): dates and times as integers, numeric,
// bytea and uuid as bytes.
inline const TypeId kSqlTypes[] = {TypeId::Date,    TypeId::Time,  TypeId::Timestamp, TypeId::TimestampTz,
                                   TypeId::Numeric, TypeId::Bytea, TypeId::Uuid};

// Data shapes for a SQL type of kSqlTypes: its codec type's shapes (any int32 is a date, any int64 a
// timestamp: the extremes are the infinities), plus what the type looks like in a metrics table. Numeric
// values are well-formed numerics (`numerics` parses their text: num::parse) and uuids 16 bytes.
template <class ParseNumeric>
std::vector<TestColumn> sql_type_shapes(TypeId type, ParseNumeric numerics, uint32_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::vector<TestColumn> out;
  auto make = [&](std::string name) -> TestColumn& { return add_column(out, std::move(name), type); };
  const int64_t kSecond = 1000000, kDay = 86400 * kSecond;
  switch (type) {
    case TypeId::Date:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
    case TypeId::Bytea:
      for (TestColumn c : shapes(codec_type(type), seed)) {
        c.type = type;
        out.push_back(std::move(c));
      }
      break;
    default:
      break;
  }
  if (type == TypeId::Date) {
    TestColumn& days = make("days+infinities");
    days.i32.push_back(INT32_MIN);  // -infinity
    for (int32_t d = 9000; d < 12000; ++d) days.i32.push_back(d);
    days.i32.push_back(INT32_MAX);  // infinity
  } else if (type == TypeId::Time) {
    TestColumn& t = make("seconds-of-day");
    for (int64_t i = 0; i < 5000; ++i) t.i64.push_back((i * 17 * kSecond) % kDay);
  } else if (type == TypeId::Timestamp || type == TypeId::TimestampTz) {
    TestColumn& ts = make("every-10s-jitter");  // 2026-01-01 on, microseconds since 2000-01-01
    std::uniform_int_distribution<int64_t> jitter(-50000, 50000);
    for (int64_t i = 0; i < 5000; ++i) ts.i64.push_back(9497 * kDay + i * 10 * kSecond + jitter(rng));
    TestColumn& inf = make("infinities");
    inf.i64 = {INT64_MIN, 9497 * kDay, 9497 * kDay + kSecond, INT64_MAX, INT64_MAX, INT64_MIN};
  } else if (type == TypeId::Uuid) {
    for (uint64_t n : {uint64_t{1}, uint64_t{1025}, uint64_t{5000}}) {
      TestColumn& u = make("random/" + std::to_string(n));
      for (uint64_t i = 0; i < n; ++i) {
        std::string b(16, '\0');
        for (auto& ch : b) ch = static_cast<char>(rng());
        u.add_text(std::move(b));
      }
    }
    TestColumn& few = make("few-devices");
    for (int i = 0; i < 3000; ++i) few.add_text(std::string(15, '\x11') + static_cast<char>(i % 4));
  } else if (type == TypeId::Numeric) {
    TestColumn& prices = make("prices");
    std::uniform_int_distribution<int> cents(0, 1000000);
    for (int i = 0; i < 5000; ++i) {
      int c = cents(rng);
      prices.add_text(numerics(std::to_string(c / 100) + "." + std::to_string(100 + c % 100).substr(1)));
    }
    TestColumn& odd = make("specials");
    for (const char* v :
         {"0", "-0.000", "NaN", "Infinity", "-Infinity", "1e-1000", "123456789012345678901234567890",
          "-99999999999999999999.99999999999999999999", "0.1", "1.0", "1.00"})
      odd.add_text(numerics(v));
    odd.add_text(numerics(std::string(200, '9') + "." + std::string(50, '1')));  // longer than a zone bound
    odd.add_text(numerics("-" + std::string(150, '7')));
    TestColumn& constant = make("constant");
    for (int i = 0; i < 3000; ++i) constant.add_text(numerics("21.50"));
  }
  return out;
}

}  // namespace omendb::storage::columnar::testing
