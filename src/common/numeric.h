// NUMERIC: PostgreSQL 15's exact decimal type (docs/types.md). Every stage holds a numeric as the bytes
// of PostgreSQL's binary wire format (numeric_send), normalised: no leading or trailing zero base-10000
// digits, zero has no digits and a positive sign, special values (NaN, Infinity, -Infinity) have no
// digits and scale 0:
//
//   int16 ndigits, int16 weight, uint16 sign (0x0000 +, 0x4000 -, 0xC000 NaN, 0xD000 Inf, 0xF000 -Inf),
//   uint16 dscale (display scale: digits printed after the point), then ndigits int16 base-10000
//   digits, most significant first; all big-endian. The value is sum(digit[i] * 10000^(weight - i)).
//
// So a numeric is a variable-length string like text (rows, column batches, IR, sort and hash tables
// copy it as bytes), its binary wire form is the bytes themselves, and values that differ only in their
// display scale (1.0 and 1.00) differ only in bytes 6..7: equal_bytes()/hash skip those. Arithmetic runs
// on GMP integers (value = coefficient * 10^-scale) with PostgreSQL's result-scale rules and rounding
// (half away from zero). Every error is a SqlError with PostgreSQL's SQLSTATE and message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace omendb::num {

constexpr int kMaxPrecision = 1000;  // NUMERIC_MAX_PRECISION: numeric(p, s) has 1 <= p <= 1000
constexpr int kMinScale = -1000;     // NUMERIC_MIN_SCALE .. NUMERIC_MAX_SCALE (PostgreSQL 15)
constexpr int kMaxScale = 1000;
constexpr int kMaxDisplayScale = 1000;  // NUMERIC_MAX_DISPLAY_SCALE: division's result scale cap
constexpr int kMaxResultScale = 2000;   // NUMERIC_MAX_RESULT_SCALE (exp/power/log limits)
constexpr int kDscaleMax = 16383;       // NUMERIC_DSCALE_MAX
constexpr int kWeightMax = 32767;       // int16 weight: at most 131072 digits before the point
constexpr size_t kHeaderSize = 8;

enum class Kind : uint8_t { Finite, NaN, PosInf, NegInf };

// Text input (numeric_in): leading/trailing white space, sign, digits with one optional point, an
// exponent, NaN / Infinity / inf in any case. 22P02 on bad syntax, 22003 "value overflows numeric
// format" beyond the format's range.
std::string parse(std::string_view text);
// Text output (numeric_out): all dscale digits after the point, "NaN", "Infinity", "-Infinity".
std::string to_text(std::string_view num);
void append_text(std::string_view num, std::string& out);

Kind kind(std::string_view num);
// Display scale of a finite value.
int dscale(std::string_view num);

// PostgreSQL's order: -Infinity < finite values < Infinity < NaN, NaN = NaN; 1.0 = 1.00. Returns <0, 0, >0.
int compare(std::string_view a, std::string_view b);
// The bytes that identify the value (not its display scale), for hashing: callers hash
// [0, 6) and [8, end) of the bytes, i.e. everything but the dscale field.
inline constexpr size_t kDscaleOffset = 6;

// Order-preserving key encoding of the value (not its scale: 1.0 and 1.00 encode alike; rows keep the
// value itself). NaN sorts last, then Infinity, then finite values, -Infinity first.
void append_key(std::string_view num, std::string& out);

// Conversions.
std::string from_int64(int64_t v);
// float8 -> numeric as PostgreSQL (%.15g, then numeric input); NaN and +-Infinity map to themselves.
// float4 -> numeric is the same with FLT_DIG = 6 digits (float4_numeric: 3.1415927::real is 3.14159).
std::string from_double(double d, int digits = 15);
// numeric -> integer, rounding half away from zero. `type` names the target ("integer", "bigint",
// "smallint") in the 22003 "... out of range" and 0A000 "cannot convert NaN to ..." errors.
int64_t to_int64(std::string_view num, int64_t min, int64_t max, const char* type);
// numeric -> float8 through the text form, as PostgreSQL; 22003 when out of double's range.
double to_double(std::string_view num);

// Arithmetic with PostgreSQL's result scales: + - keep the larger input scale, * the sum (at most 16383),
// / select_div_scale (at least 16 significant digits, at least either input's scale, at most 1000),
// % the larger scale. Division by zero: 22012. Overflow of the format: 22003.
std::string add(std::string_view a, std::string_view b);
std::string sub(std::string_view a, std::string_view b);
std::string mul(std::string_view a, std::string_view b);
std::string div(std::string_view a, std::string_view b);
std::string mod(std::string_view a, std::string_view b);
std::string negate(std::string_view a);
std::string abs(std::string_view a);
// round(x, s) / trunc(x, s) (s may be negative; clamped to -131073 (trunc -131072) .. 16383, as PostgreSQL
// 15), ceil, floor, sign (-1, 0, 1).
std::string round(std::string_view a, int64_t scale);
std::string trunc(std::string_view a, int64_t scale);
std::string ceil(std::string_view a);
std::string floor(std::string_view a);
std::string sign(std::string_view a);

// The operations compiled code calls through one runtime function (rt_numeric), over Datums whose
// numerics are byte strings and whose integer arguments (round/trunc's scale, the typmod) are in i64.
enum class Func : uint8_t { Add, Sub, Mul, Div, Mod, Neg, Abs, Round, Trunc, Ceil, Floor, Sign, Typmod };

// numeric(p, s): PostgreSQL's typmod ((p << 16) | (s & 0x7ff)) + 4. make_typmod checks the ranges
// (22023 "NUMERIC precision 0 must be between 1 and 1000", "NUMERIC scale ... must be between -1000 and
// 1000"). apply_typmod rounds to the scale and raises 22003 "numeric field overflow" with PostgreSQL's
// DETAIL when the value does not fit; typmod < 0 means "no limit".
int32_t make_typmod(int64_t precision, int64_t scale);
int typmod_precision(int32_t typmod);
int typmod_scale(int32_t typmod);
std::string apply_typmod(std::string_view num, int32_t typmod);
// "numeric(10,2)" / "numeric" for a typmod.
std::string type_name_with_typmod(int32_t typmod);

// Binary wire input (numeric_recv): validates the bytes (22P03 on a bad sign, scale, digit or length) and
// returns them normalised (digits beyond dscale truncated, as PostgreSQL does).
std::string from_wire(std::string_view bytes);

// sum() / avg() state over numeric (and int8/int4 for sum(int8) and avg(int)): PostgreSQL's
// accumulation, NaN and infinities counted apart. Owned by the query (runtime::ExecContext).
class Accumulator {
 public:
  Accumulator();
  ~Accumulator();
  Accumulator(const Accumulator&) = delete;
  Accumulator& operator=(const Accumulator&) = delete;
  void add(std::string_view num);
  void add_int(int64_t v);
  // The square of a value (variance's sum of squares), exact.
  void add_square(std::string_view num);
  void add_int_square(int64_t v);
  int64_t count() const { return count_; }
  // sum(): the sum (count() > 0); avg(): sum / count with division's result scale.
  std::string sum() const;
  std::string avg() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int64_t count_ = 0;
};

// The square root of a >= 0 rounded (half up) to rscale digits after the point; NaN and +Infinity are
// themselves. A negative value: 2201F.
std::string sqrt(std::string_view a, int rscale);

// The mathematical functions of PostgreSQL 15's numeric.c, with its result scales (at least 16
// significant digits, at least the inputs' display scales, at most 1000) and special values. Errors:
// 2201F (square root or non-integer power of a negative number, zero to a negative power), 2201E
// (logarithm of zero or of a negative number), 22012, 22003 "value overflows numeric format".
std::string sqrt(std::string_view a);  // numeric_sqrt's scale
std::string exp(std::string_view a);
std::string ln(std::string_view a);
std::string log(std::string_view base, std::string_view a);  // log(b, x); log(x) and log10(x) are log(10, x)
std::string power(std::string_view a, std::string_view b);
// div(a, b): the quotient truncated towards zero, scale 0 (numeric_div_trunc).
std::string div_trunc(std::string_view a, std::string_view b);
// gcd / lcm of exact values (any scale): the result has the larger input scale; NaN or infinities: NaN.
std::string gcd(std::string_view a, std::string_view b);
std::string lcm(std::string_view a, std::string_view b);
// n! (22003 for n < 0 and past the format's range).
std::string factorial(int64_t n);
// scale(): the display scale; min_scale(): the fewest digits after the point that keep the value;
// false for NaN and infinities (the SQL functions return NULL). trim_scale() drops trailing zeros.
bool scale(std::string_view a, int32_t& out);
bool min_scale(std::string_view a, int32_t& out);
std::string trim_scale(std::string_view a);
// width_bucket(operand, low, high, count) (2201G for count <= 0, NaN, infinite or equal bounds;
// 22003 "integer out of range" when the bucket number overflows).
int32_t width_bucket(std::string_view operand, std::string_view low, std::string_view high, int32_t count);

// var_samp / var_pop (stddev: stddev_samp / stddev_pop) from the accumulated values and their squares
// (add_square), PostgreSQL's numeric_stddev_internal: exact sums, one division at division's result
// scale, then the square root at that scale; any NaN or infinity gives NaN. False for NULL: no values,
// or one for the sample forms.
bool variance(const Accumulator& values, const Accumulator& squares, bool sample, bool stddev,
              std::string& out);

namespace testing {
// Small values (at most 16 significant digits, 16 after the point) take a 128-bit path in add, sub, mul
// and Accumulator; off, they take the GMP path (the unit test compares the two).
void set_small_path(bool on);
}  // namespace testing

}  // namespace omendb::num
