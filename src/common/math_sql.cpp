#include "common/math_sql.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include "common/error.h"
#include "common/number_format.h"
#include "common/numeric.h"

namespace omendb::mathsql {

namespace {

using T = TypeId;

std::vector<Signature> make_signatures() {
  const T F = T::Float64, N = T::Numeric, S = T::Int16, I = T::Int32, L = T::Int64, X = T::Text;
  return {
      // Operators (PostgreSQL's pg_operator entries).
      {Func::PowerF, "^", F, {F, F}},
      {Func::PowerN, "^", N, {N, N}},
      {Func::SqrtF, "u|/", F, {F}},
      {Func::CbrtF, "u||/", F, {F}},
      {Func::AndI4, "&", I, {I, I}},
      {Func::AndI8, "&", L, {L, L}},
      {Func::OrI4, "|", I, {I, I}},
      {Func::OrI8, "|", L, {L, L}},
      {Func::XorI4, "#", I, {I, I}},
      {Func::XorI8, "#", L, {L, L}},
      {Func::NotI4, "u~", I, {I}},
      {Func::NotI8, "u~", L, {L}},
      {Func::ShlI4, "<<", I, {I, I}},
      {Func::ShlI8, "<<", L, {L, I}},
      {Func::ShrI4, ">>", I, {I, I}},
      {Func::ShrI8, ">>", L, {L, I}},
      {Func::AndI2, "&", S, {S, S}},
      {Func::OrI2, "|", S, {S, S}},
      {Func::XorI2, "#", S, {S, S}},
      {Func::NotI2, "u~", S, {S}},
      {Func::ShlI2, "<<", S, {S, I}},
      {Func::ShrI2, ">>", S, {S, I}},
      // Functions.
      {Func::RoundF, "round", F, {F}},
      {Func::RoundN, "round", N, {N}},
      {Func::RoundNScale, "round", N, {N, I}},
      {Func::TruncF, "trunc", F, {F}},
      {Func::TruncN, "trunc", N, {N}},
      {Func::TruncNScale, "trunc", N, {N, I}},
      {Func::CeilF, "ceil", F, {F}},
      {Func::CeilN, "ceil", N, {N}},
      {Func::CeilF, "ceiling", F, {F}},
      {Func::CeilN, "ceiling", N, {N}},
      {Func::FloorF, "floor", F, {F}},
      {Func::FloorN, "floor", N, {N}},
      {Func::SignF, "sign", F, {F}},
      {Func::SignN, "sign", N, {N}},
      {Func::SqrtF, "sqrt", F, {F}},
      {Func::SqrtN, "sqrt", N, {N}},
      {Func::CbrtF, "cbrt", F, {F}},
      {Func::ExpF, "exp", F, {F}},
      {Func::ExpN, "exp", N, {N}},
      {Func::LnF, "ln", F, {F}},
      {Func::LnN, "ln", N, {N}},
      {Func::Log10F, "log", F, {F}},
      {Func::Log10N, "log", N, {N}},
      {Func::LogN, "log", N, {N, N}},
      {Func::Log10F, "log10", F, {F}},
      {Func::Log10N, "log10", N, {N}},
      {Func::PowerF, "power", F, {F, F}},
      {Func::PowerN, "power", N, {N, N}},
      {Func::PowerF, "pow", F, {F, F}},
      {Func::PowerN, "pow", N, {N, N}},
      {Func::Pi, "pi", F, {}},
      {Func::Degrees, "degrees", F, {F}},
      {Func::Radians, "radians", F, {F}},
      {Func::Sin, "sin", F, {F}},
      {Func::Cos, "cos", F, {F}},
      {Func::Tan, "tan", F, {F}},
      {Func::Cot, "cot", F, {F}},
      {Func::Asin, "asin", F, {F}},
      {Func::Acos, "acos", F, {F}},
      {Func::Atan, "atan", F, {F}},
      {Func::Atan2, "atan2", F, {F, F}},
      {Func::Sind, "sind", F, {F}},
      {Func::Cosd, "cosd", F, {F}},
      {Func::Tand, "tand", F, {F}},
      {Func::Cotd, "cotd", F, {F}},
      {Func::Asind, "asind", F, {F}},
      {Func::Acosd, "acosd", F, {F}},
      {Func::Atand, "atand", F, {F}},
      {Func::Atan2d, "atan2d", F, {F, F}},
      {Func::Sinh, "sinh", F, {F}},
      {Func::Cosh, "cosh", F, {F}},
      {Func::Tanh, "tanh", F, {F}},
      {Func::Asinh, "asinh", F, {F}},
      {Func::Acosh, "acosh", F, {F}},
      {Func::Atanh, "atanh", F, {F}},
      {Func::Random, "random", F, {}},
      {Func::Setseed, "setseed", X, {F}},
      {Func::WidthBucketF, "width_bucket", I, {F, F, F, I}},
      {Func::WidthBucketN, "width_bucket", I, {N, N, N, I}},
      {Func::ModI4, "mod", I, {I, I}},
      {Func::ModI8, "mod", L, {L, L}},
      {Func::ModN, "mod", N, {N, N}},
      {Func::DivN, "div", N, {N, N}},
      {Func::GcdI4, "gcd", I, {I, I}},
      {Func::GcdI8, "gcd", L, {L, L}},
      {Func::GcdN, "gcd", N, {N, N}},
      {Func::LcmI4, "lcm", I, {I, I}},
      {Func::LcmI8, "lcm", L, {L, L}},
      {Func::LcmN, "lcm", N, {N, N}},
      {Func::Factorial, "factorial", N, {L}},
      {Func::Scale, "scale", I, {N}},
      {Func::MinScale, "min_scale", I, {N}},
      {Func::TrimScale, "trim_scale", N, {N}},
      {Func::ToNumber, "to_number", N, {X, X}},
  };
}

constexpr double kRadiansPerDegree = 0.0174532925199432957692;

[[noreturn]] void overflow_error() {
  throw SqlError(SqlState::NumericValueOutOfRange, "value out of range: overflow");
}
[[noreturn]] void underflow_error() {
  throw SqlError(SqlState::NumericValueOutOfRange, "value out of range: underflow");
}
[[noreturn]] void out_of_range_input() {
  throw SqlError(SqlState::NumericValueOutOfRange, "input is out of range");
}

// float.c's check_float8_val.
double checked(double r, bool inf_is_valid, bool zero_is_valid) {
  if (std::isinf(r) && !inf_is_valid) overflow_error();
  if (r == 0.0 && !zero_is_valid) underflow_error();
  return r;
}

double dsqrt(double x) {
  if (x < 0)
    throw SqlError(SqlState::InvalidArgumentForPowerFunction, "cannot take square root of a negative number");
  return checked(std::sqrt(x), std::isinf(x), x == 0);
}

double dexp(double x) {
  if (std::isnan(x)) return x;
  if (std::isinf(x)) return x > 0 ? x : 0;
  errno = 0;
  double r = std::exp(x);
  if (errno == ERANGE) {
    if (r != 0.0) overflow_error();
    underflow_error();
  }
  if (std::isinf(r)) overflow_error();
  if (r == 0.0) underflow_error();
  return r;
}

double dlog(double x, bool base10) {
  if (x == 0.0) throw SqlError(SqlState::InvalidArgumentForLog, "cannot take logarithm of zero");
  if (x < 0) throw SqlError(SqlState::InvalidArgumentForLog, "cannot take logarithm of a negative number");
  double r = base10 ? std::log10(x) : std::log(x);
  if (std::isinf(r) && !std::isinf(x)) overflow_error();
  if (r == 0.0 && x != 1.0) underflow_error();
  return r;
}

double dpow(double x, double y) {
  if (std::isnan(x)) return std::isnan(y) || y != 0.0 ? std::nan("") : 1.0;
  if (std::isnan(y)) return x != 1.0 ? std::nan("") : 1.0;
  if (x == 0 && y < 0)
    throw SqlError(SqlState::InvalidArgumentForPowerFunction, "zero raised to a negative power is undefined");
  if (x < 0 && std::floor(y) != y)
    throw SqlError(SqlState::InvalidArgumentForPowerFunction,
                   "a negative number raised to a non-integer power yields a complex result");
  if (std::isinf(y)) {
    double ax = std::fabs(x);
    if (ax == 1.0) return 1.0;
    if (y > 0) return ax > 1.0 ? y : 0.0;
    return ax > 1.0 ? 0.0 : -y;
  }
  if (std::isinf(x)) {
    if (y == 0.0) return 1.0;
    if (x > 0) return y > 0 ? x : 0.0;
    double half = y / 2;
    bool odd = std::floor(half) != half;
    if (y > 0) return odd ? x : -x;
    return odd ? -0.0 : 0.0;
  }
  errno = 0;
  double r = std::pow(x, y);
  if (errno == EDOM || std::isnan(r)) {
    if (x == 0.0) return 0.0;
    double ax = std::fabs(x);
    if (ax == 1.0) return 1.0;
    if (y >= 0.0 ? ax > 1.0 : ax < 1.0) overflow_error();
    underflow_error();
  }
  if (errno == ERANGE) {
    if (r != 0.0) overflow_error();
    underflow_error();
  }
  if (std::isinf(r)) overflow_error();
  if (r == 0.0 && x != 0.0) underflow_error();
  return r;
}

// sin, cos, tan, cot (radians): infinite inputs are out of range.
double dtrig(Func f, double x) {
  if (std::isnan(x)) return x;
  errno = 0;
  double r = f == Func::Sin ? std::sin(x) : f == Func::Cos ? std::cos(x) : std::tan(x);
  if (errno != 0 || std::isinf(x)) out_of_range_input();
  if (f == Func::Cot) return 1.0 / r;  // cot(0) is Infinity
  if (f != Func::Tan && std::isinf(r)) overflow_error();
  return r;
}

double dinverse(Func f, double x) {
  if (std::isnan(x)) return x;
  if (f != Func::Atan && (x < -1.0 || x > 1.0)) out_of_range_input();
  double r = f == Func::Asin ? std::asin(x) : f == Func::Acos ? std::acos(x) : std::atan(x);
  if (std::isinf(r)) overflow_error();
  return r;
}

// The degree-based functions (float.c): exact at the angles whose sines and cosines are 0, 1/2, 1.
struct DegreeConstants {
  double sin_30, one_minus_cos_60, asin_0_5, acos_0_5, atan_1_0, tan_45, cot_45;
};

double sind_0_to_30(const DegreeConstants& c, double x) {
  volatile double sin_x = std::sin(x * kRadiansPerDegree);
  return (sin_x / c.sin_30) / 2.0;
}
double cosd_0_to_60(const DegreeConstants& c, double x) {
  volatile double one_minus_cos_x = 1.0 - std::cos(x * kRadiansPerDegree);
  return 1.0 - (one_minus_cos_x / c.one_minus_cos_60) / 2.0;
}
double sind_q1(const DegreeConstants& c, double x) {
  return x <= 30.0 ? sind_0_to_30(c, x) : cosd_0_to_60(c, 90.0 - x);
}
double cosd_q1(const DegreeConstants& c, double x) {
  return x <= 60.0 ? cosd_0_to_60(c, x) : sind_0_to_30(c, 90.0 - x);
}
double asind_q1(const DegreeConstants& c, double x) {
  if (x <= 0.5) {
    volatile double asin_x = std::asin(x);
    return (asin_x / c.asin_0_5) * 30.0;
  }
  volatile double acos_x = std::acos(x);
  return 90.0 - (acos_x / c.acos_0_5) * 60.0;
}
double acosd_q1(const DegreeConstants& c, double x) {
  if (x <= 0.5) {
    volatile double asin_x = std::asin(x);
    return 90.0 - (asin_x / c.asin_0_5) * 30.0;
  }
  volatile double acos_x = std::acos(x);
  return (acos_x / c.acos_0_5) * 60.0;
}

const DegreeConstants& degree_constants() {
  static const DegreeConstants c = [] {
    DegreeConstants d{};
    volatile double thirty = 30.0, forty_five = 45.0, sixty = 60.0, half = 0.5, one = 1.0;
    d.sin_30 = std::sin(thirty * kRadiansPerDegree);
    d.one_minus_cos_60 = 1.0 - std::cos(sixty * kRadiansPerDegree);
    d.asin_0_5 = std::asin(half);
    d.acos_0_5 = std::acos(half);
    d.atan_1_0 = std::atan(one);
    d.tan_45 = sind_q1(d, forty_five) / cosd_q1(d, forty_five);
    d.cot_45 = cosd_q1(d, forty_five) / sind_q1(d, forty_five);
    return d;
  }();
  return c;
}

// sind, cosd, tand, cotd: the angle reduced to [0, 90] degrees with the sign of each symmetry.
double dtrigd(Func f, double x) {
  if (std::isnan(x)) return x;
  if (std::isinf(x)) out_of_range_input();
  const DegreeConstants& c = degree_constants();
  x = std::fmod(x, 360.0);
  double sign = 1.0;
  if (x < 0.0) {
    x = -x;
    if (f != Func::Cosd) sign = -sign;  // cosd(-x) = cosd(x), the others are odd
  }
  if (x > 180.0) {
    x = 360.0 - x;
    if (f != Func::Cosd) sign = -sign;
  }
  if (x > 90.0) {
    x = 180.0 - x;
    if (f != Func::Sind) sign = -sign;  // sind(180 - x) = sind(x)
  }
  double r;
  switch (f) {
    case Func::Sind:
      r = sign * sind_q1(c, x);
      break;
    case Func::Cosd:
      r = sign * cosd_q1(c, x);
      break;
    case Func::Tand: {
      volatile double tan_x = sind_q1(c, x) / cosd_q1(c, x);
      r = sign * (tan_x / c.tan_45);
      if (r == 0.0) r = 0.0;  // no minus zero
      return r;
    }
    default: {
      volatile double cot_x = cosd_q1(c, x) / sind_q1(c, x);
      r = sign * (cot_x / c.cot_45);
      if (r == 0.0) r = 0.0;
      return r;
    }
  }
  if (std::isinf(r)) overflow_error();
  return r;
}

double dinversed(Func f, double x) {
  if (std::isnan(x)) return x;
  const DegreeConstants& c = degree_constants();
  double r;
  if (f == Func::Atand) {
    volatile double atan_x = std::atan(x);
    r = (atan_x / c.atan_1_0) * 45.0;
  } else {
    if (x < -1.0 || x > 1.0) out_of_range_input();
    if (f == Func::Asind)
      r = x >= 0.0 ? asind_q1(c, x) : -asind_q1(c, -x);
    else
      r = x >= 0.0 ? acosd_q1(c, x) : 90.0 + asind_q1(c, -x);
  }
  if (std::isinf(r)) overflow_error();
  return r;
}

double datan2(double y, double x, bool degrees) {
  if (std::isnan(y) || std::isnan(x)) return std::nan("");
  double r = std::atan2(y, x);
  if (degrees) {
    volatile double a = r;
    r = (a / degree_constants().atan_1_0) * 45.0;
  }
  if (std::isinf(r)) overflow_error();
  return r;
}

double dhyperbolic(Func f, double x) {
  errno = 0;
  switch (f) {
    case Func::Sinh: {
      double r = std::sinh(x);
      if (errno == ERANGE) r = x < 0 ? -HUGE_VAL : HUGE_VAL;
      return r;
    }
    case Func::Cosh: {
      double r = std::cosh(x);
      if (errno == ERANGE) r = HUGE_VAL;
      if (r == 0.0) underflow_error();
      return r;
    }
    case Func::Tanh: {
      double r = std::tanh(x);
      if (std::isinf(r)) overflow_error();
      return r;
    }
    case Func::Asinh:
      return std::asinh(x);
    case Func::Acosh:
      if (x < 1.0) out_of_range_input();
      return std::acosh(x);
    default:  // Atanh
      if (x < -1.0 || x > 1.0) out_of_range_input();
      if (x == -1.0) return -HUGE_VAL;
      if (x == 1.0) return HUGE_VAL;
      return std::atanh(x);
  }
}

int32_t width_bucket_float(double operand, double b1, double b2, int32_t count) {
  auto fail = [](const char* msg) { throw SqlError(SqlState::InvalidArgumentForWidthBucket, msg); };
  if (count <= 0) fail("count must be greater than zero");
  if (std::isnan(operand) || std::isnan(b1) || std::isnan(b2))
    fail("operand, lower bound, and upper bound cannot be NaN");
  if (std::isinf(b1) || std::isinf(b2)) fail("lower and upper bounds must be finite");
  auto count_plus_one = [&]() -> int32_t {
    if (count == INT32_MAX) throw SqlError(SqlState::NumericValueOutOfRange, "integer out of range");
    return count + 1;
  };
  if (b1 < b2) {
    if (operand < b1) return 0;
    if (operand >= b2) return count_plus_one();
    double q = !std::isinf(b2 - b1) ? (operand - b1) / (b2 - b1) : (operand / 2 - b1 / 2) / (b2 / 2 - b1 / 2);
    auto r = static_cast<int32_t>(count * q);
    if (r >= count) r = count - 1;
    return r + 1;
  }
  if (b1 > b2) {
    if (operand > b1) return 0;
    if (operand <= b2) return count_plus_one();
    double q = !std::isinf(b1 - b2) ? (b1 - operand) / (b1 - b2) : (b1 / 2 - operand / 2) / (b1 / 2 - b2 / 2);
    auto r = static_cast<int32_t>(count * q);
    if (r >= count) r = count - 1;
    return r + 1;
  }
  throw SqlError(SqlState::InvalidArgumentForWidthBucket, "lower bound cannot equal upper bound");
}

[[noreturn]] void int_out_of_range(bool bigint) {
  throw SqlError(SqlState::NumericValueOutOfRange, bigint ? "bigint out of range" : "integer out of range");
}

// gcd / lcm of integers in [min, max] (int4gcd_internal, int8gcd_internal): results past max fail.
int64_t int_gcd(int64_t a, int64_t b, bool bigint) {
  const unsigned __int128 limit = bigint ? INT64_MAX : INT32_MAX;
  auto mag = [](int64_t v) { return v < 0 ? static_cast<unsigned __int128>(-static_cast<__int128>(v)) : v; };
  unsigned __int128 x = mag(a), y = mag(b);
  while (y != 0) {
    unsigned __int128 t = x % y;
    x = y;
    y = t;
  }
  if (x > limit) int_out_of_range(bigint);
  return static_cast<int64_t>(x);
}

int64_t int_lcm(int64_t a, int64_t b, bool bigint) {
  if (a == 0 || b == 0) return 0;
  const __int128 limit = bigint ? INT64_MAX : INT32_MAX;
  int64_t g = int_gcd(a, b, bigint);
  __int128 r = static_cast<__int128>(a / g) * b;
  if (r < 0) r = -r;
  if (r > limit) int_out_of_range(bigint);
  return static_cast<int64_t>(r);
}

int64_t int_mod(int64_t a, int64_t b) {
  if (b == 0) throw SqlError(SqlState::DivisionByZero, "division by zero");
  if (b == -1) return 0;
  return a % b;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t v = (state += 0x9E3779B97f4A7C15ULL);
  v = (v ^ (v >> 30)) * 0xBF58476D1CE4E5B9ULL;
  v = (v ^ (v >> 27)) * 0x94D049BB133111EBULL;
  return v ^ (v >> 31);
}

uint64_t rotl(uint64_t x, int bits) {
  return (x << bits) | (x >> (64 - bits));
}

void seed_u64(Random& r, uint64_t seed) {
  r.s0 = splitmix64(seed);
  r.s1 = splitmix64(seed);
  if (r.s0 == 0 && r.s1 == 0) {  // pg_prng_seed_check
    r.s0 = 0x5851F42D4C957F2DULL;
    r.s1 = 0x14057B7EF767814FULL;
  }
  r.seeded = true;
}

void set_float(Datum& out, double v) {
  out.f64 = v;
  out.is_null = 0;
}

void set_int(Datum& out, int64_t v) {
  out.i64 = v;
  out.is_null = 0;
}

void set_bytes(Datum& out, std::string r, std::string& bytes) {
  bytes = std::move(r);
  out.str = StrRef{bytes.data(), bytes.size()};
  out.is_null = 0;
}

std::string_view bytes_of(const Datum& d) {
  return d.str.view();
}

int32_t i32(const Datum& d) {
  return static_cast<int32_t>(d.i64);
}

}  // namespace

double Random::next() {
  if (!seeded) {
    auto t = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    seed_u64(*this, t ^ static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
  }
  uint64_t a = s0, x = s1 ^ a;
  uint64_t v = rotl(a * 5, 7) * 9;
  s0 = rotl(a, 24) ^ x ^ (x << 16);
  s1 = rotl(x, 37);
  return std::ldexp(static_cast<double>(v >> (64 - 52)), -52);
}

void Random::seed(double fseed) {
  auto seed = static_cast<int64_t>(static_cast<double>((UINT64_C(1) << 52) - 1) * fseed);
  seed_u64(*this, static_cast<uint64_t>(seed));
}

const std::vector<Signature>& signatures() {
  static const std::vector<Signature> all = make_signatures();
  return all;
}

const Signature& signature(Func f) {
  static const std::vector<const Signature*> by_func = [] {
    std::vector<const Signature*> v(static_cast<size_t>(Func::ShrI2) + 1, nullptr);  // the last Func
    for (const Signature& s : signatures())
      if (!v[static_cast<size_t>(s.func)]) v[static_cast<size_t>(s.func)] = &s;
    return v;
  }();
  auto i = static_cast<size_t>(f);
  if (i >= by_func.size() || !by_func[i]) throw std::logic_error("mathsql: unknown function");
  return *by_func[i];
}

bool is_volatile(Func f) {
  return f == Func::Random || f == Func::Setseed;
}

void eval(Func f, const Datum* a, Datum& out, std::string& bytes, Random& random) {
  out.is_null = 0;
  switch (f) {
    case Func::RoundF:
      return set_float(out, std::nearbyint(a[0].f64));
    case Func::TruncF:
      return set_float(out, std::trunc(a[0].f64));
    case Func::CeilF:
      return set_float(out, std::ceil(a[0].f64));
    case Func::FloorF:
      return set_float(out, std::floor(a[0].f64));
    case Func::SignF:
      return set_float(out, a[0].f64 > 0 ? 1.0 : a[0].f64 < 0 ? -1.0 : 0.0);
    case Func::SqrtF:
      return set_float(out, dsqrt(a[0].f64));
    case Func::CbrtF: {
      double x = a[0].f64;
      return set_float(out, checked(std::cbrt(x), std::isinf(x), x == 0));
    }
    case Func::ExpF:
      return set_float(out, dexp(a[0].f64));
    case Func::LnF:
      return set_float(out, dlog(a[0].f64, false));
    case Func::Log10F:
      return set_float(out, dlog(a[0].f64, true));
    case Func::PowerF:
      return set_float(out, dpow(a[0].f64, a[1].f64));
    case Func::Pi:
      return set_float(out, M_PI);
    case Func::Degrees: {
      double x = a[0].f64, r = x / kRadiansPerDegree;
      return set_float(out, checked(r, std::isinf(x), x == 0));
    }
    case Func::Radians: {
      double x = a[0].f64, r = x * kRadiansPerDegree;
      return set_float(out, checked(r, std::isinf(x), x == 0));
    }
    case Func::Sin:
    case Func::Cos:
    case Func::Tan:
    case Func::Cot:
      return set_float(out, dtrig(f, a[0].f64));
    case Func::Asin:
    case Func::Acos:
    case Func::Atan:
      return set_float(out, dinverse(f, a[0].f64));
    case Func::Atan2:
      return set_float(out, datan2(a[0].f64, a[1].f64, false));
    case Func::Sind:
    case Func::Cosd:
    case Func::Tand:
    case Func::Cotd:
      return set_float(out, dtrigd(f, a[0].f64));
    case Func::Asind:
    case Func::Acosd:
    case Func::Atand:
      return set_float(out, dinversed(f, a[0].f64));
    case Func::Atan2d:
      return set_float(out, datan2(a[0].f64, a[1].f64, true));
    case Func::Sinh:
    case Func::Cosh:
    case Func::Tanh:
    case Func::Asinh:
    case Func::Acosh:
    case Func::Atanh:
      return set_float(out, dhyperbolic(f, a[0].f64));
    case Func::Random:
      return set_float(out, random.next());
    case Func::Setseed: {
      double s = a[0].f64;
      if (s < -1 || s > 1 || std::isnan(s)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", s);
        throw SqlError(SqlState::InvalidParameterValue,
                       std::string("setseed parameter ") + buf + " is out of allowed range [-1,1]");
      }
      random.seed(s);
      return set_bytes(out, std::string(), bytes);  // void: an empty value
    }
    case Func::WidthBucketF:
      return set_int(out, width_bucket_float(a[0].f64, a[1].f64, a[2].f64, i32(a[3])));
    case Func::RoundN:
      return set_bytes(out, num::round(bytes_of(a[0]), 0), bytes);
    case Func::RoundNScale:
      return set_bytes(out, num::round(bytes_of(a[0]), a[1].i64), bytes);
    case Func::TruncN:
      return set_bytes(out, num::trunc(bytes_of(a[0]), 0), bytes);
    case Func::TruncNScale:
      return set_bytes(out, num::trunc(bytes_of(a[0]), a[1].i64), bytes);
    case Func::CeilN:
      return set_bytes(out, num::ceil(bytes_of(a[0])), bytes);
    case Func::FloorN:
      return set_bytes(out, num::floor(bytes_of(a[0])), bytes);
    case Func::SignN:
      return set_bytes(out, num::sign(bytes_of(a[0])), bytes);
    case Func::SqrtN:
      return set_bytes(out, num::sqrt(bytes_of(a[0])), bytes);
    case Func::ExpN:
      return set_bytes(out, num::exp(bytes_of(a[0])), bytes);
    case Func::LnN:
      return set_bytes(out, num::ln(bytes_of(a[0])), bytes);
    case Func::Log10N:
      return set_bytes(out, num::log(num::from_int64(10), bytes_of(a[0])), bytes);
    case Func::LogN:
      return set_bytes(out, num::log(bytes_of(a[0]), bytes_of(a[1])), bytes);
    case Func::PowerN:
      return set_bytes(out, num::power(bytes_of(a[0]), bytes_of(a[1])), bytes);
    case Func::ModN:
      return set_bytes(out, num::mod(bytes_of(a[0]), bytes_of(a[1])), bytes);
    case Func::DivN:
      return set_bytes(out, num::div_trunc(bytes_of(a[0]), bytes_of(a[1])), bytes);
    case Func::GcdN:
      return set_bytes(out, num::gcd(bytes_of(a[0]), bytes_of(a[1])), bytes);
    case Func::LcmN:
      return set_bytes(out, num::lcm(bytes_of(a[0]), bytes_of(a[1])), bytes);
    case Func::Factorial:
      return set_bytes(out, num::factorial(a[0].i64), bytes);
    case Func::Scale:
    case Func::MinScale: {
      int32_t s = 0;
      bool ok = f == Func::Scale ? num::scale(bytes_of(a[0]), s) : num::min_scale(bytes_of(a[0]), s);
      if (!ok) {
        out.is_null = 1;
        return;
      }
      return set_int(out, s);
    }
    case Func::TrimScale:
      return set_bytes(out, num::trim_scale(bytes_of(a[0])), bytes);
    case Func::WidthBucketN:
      return set_int(out, num::width_bucket(bytes_of(a[0]), bytes_of(a[1]), bytes_of(a[2]), i32(a[3])));
    case Func::ToNumber:
      if (bytes_of(a[1]).empty()) {  // an empty template gives NULL
        out.is_null = 1;
        return;
      }
      return set_bytes(out, numfmt::to_number(bytes_of(a[0]), bytes_of(a[1])), bytes);
    case Func::ModI4:
    case Func::ModI8:
      return set_int(out, int_mod(a[0].i64, a[1].i64));
    case Func::GcdI4:
    case Func::GcdI8:
      return set_int(out, int_gcd(a[0].i64, a[1].i64, f == Func::GcdI8));
    case Func::LcmI4:
    case Func::LcmI8:
      return set_int(out, int_lcm(a[0].i64, a[1].i64, f == Func::LcmI8));
    case Func::AndI2:
    case Func::AndI4:
    case Func::AndI8:
      return set_int(out, a[0].i64 & a[1].i64);
    case Func::OrI2:
    case Func::OrI4:
    case Func::OrI8:
      return set_int(out, a[0].i64 | a[1].i64);
    case Func::XorI2:
    case Func::XorI4:
    case Func::XorI8:
      return set_int(out, a[0].i64 ^ a[1].i64);
    case Func::NotI2:
    case Func::NotI4:
    case Func::NotI8:
      return set_int(out, ~a[0].i64);
    // x86-64's shifts use the count modulo the width, as PostgreSQL's C shifts do there.
    case Func::ShlI4:
      return set_int(out, static_cast<int32_t>(static_cast<uint32_t>(a[0].i64) << (a[1].i64 & 31)));
    case Func::ShlI8:
      return set_int(out, static_cast<int64_t>(static_cast<uint64_t>(a[0].i64) << (a[1].i64 & 63)));
    case Func::ShrI4:
      return set_int(out, static_cast<int32_t>(a[0].i64) >> (a[1].i64 & 31));
    case Func::ShrI8:
      return set_int(out, a[0].i64 >> (a[1].i64 & 63));
    // int2shl / int2shr shift the int promotion of the smallint, and the result is narrowed back.
    case Func::ShlI2:
      return set_int(out, static_cast<int16_t>(static_cast<uint32_t>(a[0].i64) << (a[1].i64 & 31)));
    case Func::ShrI2:
      return set_int(out, static_cast<int16_t>(static_cast<int32_t>(a[0].i64) >> (a[1].i64 & 31)));
  }
  throw std::logic_error("mathsql: unknown function");
}

int64_t float8_to_int(double v, TypeId to) {
  double r = std::rint(v);  // the default rounding mode: half to even
  // -2^15, 2^15, -2^31, 2^31 and 2^63 are exactly representable; NaN fails both comparisons.
  const double lo = to == TypeId::Int64 ? -9223372036854775808.0 : static_cast<double>(integer_min(to));
  const double hi = to == TypeId::Int64 ? 9223372036854775808.0 : static_cast<double>(integer_max(to)) + 1;
  if (!(r >= lo && r < hi))
    throw SqlError(SqlState::NumericValueOutOfRange, std::string(integer_out_of_range(to)));
  return static_cast<int64_t>(r);
}

double float8_to_float4(double v) {
  const float f = static_cast<float>(v);
  if (std::isinf(f) && !std::isinf(v))
    throw SqlError(SqlState::NumericValueOutOfRange, "value out of range: overflow");
  if (f == 0.0f && v != 0.0)
    throw SqlError(SqlState::NumericValueOutOfRange, "value out of range: underflow");
  return f;
}

}  // namespace omendb::mathsql
