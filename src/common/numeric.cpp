// PostgreSQL 15's numeric semantics (src/backend/utils/adt/numeric.c) over GMP integers: a finite value
// is coefficient * 10^-scale with coefficient >= 0 and a separate sign; results are rounded half away
// from zero to the scale PostgreSQL's rules pick, then stored in the normalised base-10000 bytes.
#include "common/numeric.h"

#include <gmpxx.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/error.h"

namespace omendb::num {

namespace {

constexpr uint16_t kSignPos = 0x0000;
constexpr uint16_t kSignNeg = 0x4000;
constexpr uint16_t kSignNaN = 0xC000;
constexpr uint16_t kSignPInf = 0xD000;
constexpr uint16_t kSignNInf = 0xF000;
constexpr int kMinSigDigits = 16;  // NUMERIC_MIN_SIG_DIGITS

uint16_t get16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
void put16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v & 0xFF);
}

// The header and digits of well-formed bytes.
struct View {
  int ndigits = 0;
  int weight = 0;
  uint16_t sign = kSignPos;
  int dscale = 0;
  const char* digits = nullptr;
  int digit(int i) const { return get16(digits + 2 * i); }
};

View view(std::string_view b) {
  View v;
  if (b.size() < kHeaderSize) {
    v.sign = kSignNaN;  // never produced: internal bytes are always well-formed
    return v;
  }
  v.ndigits = static_cast<int16_t>(get16(b.data()));
  v.weight = static_cast<int16_t>(get16(b.data() + 2));
  v.sign = get16(b.data() + 4);
  v.dscale = get16(b.data() + 6);
  v.digits = b.data() + kHeaderSize;
  return v;
}

std::string special(uint16_t sign) {
  std::string out(kHeaderSize, '\0');
  put16(out.data() + 4, sign);
  return out;
}

[[noreturn]] void overflow() {
  throw SqlError(SqlState::NumericValueOutOfRange, "value overflows numeric format");
}

[[noreturn]] void division_by_zero() {
  throw SqlError(SqlState::DivisionByZero, "division by zero");
}

// 10^n (n >= 0); the first 128 powers are computed once per thread.
mpz_class pow10(int n) {
  constexpr int kCached = 128;
  static thread_local std::vector<mpz_class> cache = [] {
    std::vector<mpz_class> c(kCached);
    for (int i = 0; i < kCached; ++i)
      mpz_ui_pow_ui(c[static_cast<size_t>(i)].get_mpz_t(), 10, static_cast<unsigned long>(i));
    return c;
  }();
  if (n < 0) n = 0;
  if (n < kCached) return cache[static_cast<size_t>(n)];
  mpz_class p;
  mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(n));
  return p;
}

// A value being computed: finite values are (neg ? -1 : 1) * coef * 10^-scale, scale >= 0.
struct Dec {
  Kind kind = Kind::Finite;
  bool neg = false;
  mpz_class coef;
  int scale = 0;
  int dscale = 0;

  bool is_zero() const { return kind == Kind::Finite && coef == 0; }
  int sign() const {
    switch (kind) {
      case Kind::PosInf:
        return 1;
      case Kind::NegInf:
        return -1;
      case Kind::NaN:
        return 0;
      case Kind::Finite:
        break;
    }
    return coef == 0 ? 0 : (neg ? -1 : 1);
  }
};

Dec special_dec(Kind k) {
  Dec d;
  d.kind = k;
  return d;
}

Kind kind_of_sign(uint16_t sign) {
  switch (sign) {
    case kSignNaN:
      return Kind::NaN;
    case kSignPInf:
      return Kind::PosInf;
    case kSignNInf:
      return Kind::NegInf;
    default:
      return Kind::Finite;
  }
}

Dec decode(std::string_view b) {
  View v = view(b);
  Dec d;
  d.kind = kind_of_sign(v.sign);
  if (d.kind != Kind::Finite) return d;
  d.neg = v.sign == kSignNeg;
  d.dscale = v.dscale;
  // Four base-10000 digits at a time fit a 64-bit word.
  uint64_t chunk = 0;
  int in_chunk = 0;
  for (int i = 0; i < v.ndigits; ++i) {
    chunk = chunk * 10000 + static_cast<uint64_t>(v.digit(i));
    if (++in_chunk == 4) {
      if (d.coef == 0) {
        d.coef = static_cast<unsigned long>(chunk);
      } else {
        d.coef *= 10000000000000000UL;
        d.coef += static_cast<unsigned long>(chunk);
      }
      chunk = 0;
      in_chunk = 0;
    }
  }
  if (in_chunk) {
    static const unsigned long kPow10000[] = {1UL, 10000UL, 100000000UL, 1000000000000UL};
    d.coef *= kPow10000[in_chunk];
    d.coef += static_cast<unsigned long>(chunk);
  }
  int frac_groups = v.ndigits - 1 - v.weight;
  if (frac_groups >= 0) {
    d.scale = 4 * frac_groups;
  } else {
    d.coef *= pow10(-4 * frac_groups);
    d.scale = 0;
  }
  return d;
}

int floor_div4(int e) {
  return e >= 0 ? e / 4 : -((-e + 3) / 4);
}

// Rounds (half away from zero) or truncates |coef| to `s` digits after the point (s may be negative).
void round_to(Dec& d, int s, bool truncate = false) {
  if (d.kind != Kind::Finite || s >= d.scale) return;
  int drop = d.scale - s;
  const mpz_class p = pow10(drop);
  mpz_class q, r;
  mpz_tdiv_qr(q.get_mpz_t(), r.get_mpz_t(), d.coef.get_mpz_t(), p.get_mpz_t());
  if (!truncate) {
    r *= 2;
    if (r >= p) q += 1;
  }
  if (s >= 0) {
    d.coef = std::move(q);
    d.scale = s;
  } else {
    d.coef = q * pow10(-s);
    d.scale = 0;
  }
}

// Encodes d with its dscale (rounding to it first; the dscale must be in 0..16383).
std::string encode(Dec d) {
  switch (d.kind) {
    case Kind::NaN:
      return special(kSignNaN);
    case Kind::PosInf:
      return special(kSignPInf);
    case Kind::NegInf:
      return special(kSignNInf);
    case Kind::Finite:
      break;
  }
  if (d.dscale < 0) d.dscale = 0;
  if (d.dscale > kDscaleMax) overflow();
  round_to(d, d.dscale);
  std::string out(kHeaderSize, '\0');
  put16(out.data() + 6, static_cast<uint16_t>(d.dscale));
  if (d.coef == 0) return out;
  std::string s = d.coef.get_str(10);
  const int len = static_cast<int>(s.size());
  const int int_digits = len - d.scale;  // decimal exponent of the first digit is int_digits - 1
  const int weight = floor_div4(int_digits - 1);
  if (weight > kWeightMax) overflow();
  const int last_weight = floor_div4(int_digits - len);  // weight of the last decimal digit's group
  std::vector<uint16_t> digits(static_cast<size_t>(weight - last_weight + 1), 0);
  static const uint16_t kPow[] = {1, 10, 100, 1000};
  for (int i = 0; i < len; ++i) {
    int e = int_digits - 1 - i;
    int g = floor_div4(e);
    digits[static_cast<size_t>(weight - g)] +=
        static_cast<uint16_t>((s[static_cast<size_t>(i)] - '0') * kPow[e - 4 * g]);
  }
  while (!digits.empty() && digits.back() == 0) digits.pop_back();
  put16(out.data(), static_cast<uint16_t>(digits.size()));
  put16(out.data() + 2, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  put16(out.data() + 4, d.neg ? kSignNeg : kSignPos);
  out.resize(kHeaderSize + 2 * digits.size());
  for (size_t i = 0; i < digits.size(); ++i) put16(out.data() + kHeaderSize + 2 * i, digits[i]);
  return out;
}

void align(Dec& a, Dec& b) {
  if (a.scale < b.scale) {
    a.coef *= pow10(b.scale - a.scale);
    a.scale = b.scale;
  } else if (b.scale < a.scale) {
    b.coef *= pow10(a.scale - b.scale);
    b.scale = a.scale;
  }
}

// Signed addition of finite values.
Dec add_finite(Dec a, Dec b, bool negate_b) {
  if (negate_b) b.neg = !b.neg;
  int dscale = std::max(a.dscale, b.dscale);
  align(a, b);
  mpz_class x = a.neg ? mpz_class(-a.coef) : a.coef;
  mpz_class y = b.neg ? mpz_class(-b.coef) : b.coef;
  Dec r;
  r.coef = x + y;
  r.neg = r.coef < 0;
  if (r.neg) r.coef = -r.coef;
  r.scale = a.scale;
  r.dscale = dscale;
  return r;
}

bool is_inf(Kind k) {
  return k == Kind::PosInf || k == Kind::NegInf;
}

Kind inf_of_sign(int s) {
  return s < 0 ? Kind::NegInf : Kind::PosInf;
}

// PostgreSQL's select_div_scale over the stored forms.
int div_scale(std::string_view a, std::string_view b) {
  View x = view(a), y = view(b);
  int w1 = 0, w2 = 0, f1 = 0, f2 = 0;
  if (x.ndigits > 0) {
    w1 = x.weight;
    f1 = x.digit(0);
  }
  if (y.ndigits > 0) {
    w2 = y.weight;
    f2 = y.digit(0);
  }
  int qweight = w1 - w2;
  if (f1 <= f2) qweight--;
  int rscale = kMinSigDigits - qweight * 4;
  rscale = std::max({rscale, x.dscale, y.dscale, 0});
  return std::min(rscale, kMaxDisplayScale);
}

// a / b of finite values, b != 0, rounded to rscale.
Dec div_finite(const Dec& a, const Dec& b, int rscale) {
  // a/b = (A / 10^sa) / (B / 10^sb); the result's coefficient is A * 10^(sb + rscale) / (B * 10^sa).
  mpz_class num = a.coef;
  mpz_class den = b.coef;
  int up = b.scale + rscale - a.scale;
  if (up >= 0) {
    num *= pow10(up);
  } else {
    den *= pow10(-up);
  }
  Dec r;
  mpz_class rem;
  mpz_tdiv_qr(r.coef.get_mpz_t(), rem.get_mpz_t(), num.get_mpz_t(), den.get_mpz_t());
  rem *= 2;
  if (rem >= den) r.coef += 1;
  r.scale = rscale;
  r.dscale = rscale;
  r.neg = a.neg != b.neg;
  return r;
}

bool ieq(std::string_view s, const char* word) {
  size_t n = std::strlen(word);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != word[i]) return false;
  return true;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

[[noreturn]] void bad_syntax(std::string_view text) {
  throw SqlError(SqlState::InvalidTextRepresentation,
                 "invalid input syntax for type numeric: \"" + std::string(text) + "\"");
}

// Number of decimal digits of c > 0.
int digit_count(const mpz_class& c) {
  int n = static_cast<int>(mpz_sizeinbase(c.get_mpz_t(), 10));  // exact or one too many
  if (n > 1 && c < pow10(n - 1)) --n;
  return n;
}

}  // namespace

std::string parse(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  // Special values: PostgreSQL matches these prefixes, then allows only trailing white space.
  static const struct {
    const char* word;
    uint16_t sign;
  } kSpecial[] = {{"nan", kSignNaN},        {"infinity", kSignPInf}, {"+infinity", kSignPInf},
                  {"-infinity", kSignNInf}, {"inf", kSignPInf},      {"+inf", kSignPInf},
                  {"-inf", kSignNInf}};
  for (const auto& sp : kSpecial) {
    if (ieq(s, sp.word)) {
      if (s.size() != std::strlen(sp.word)) bad_syntax(text);
      return special(sp.sign);
    }
  }
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  std::string digits;
  int frac = 0;
  bool point = false, any = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (!digits.empty() || c != '0') digits.push_back(c);
      if (point) ++frac;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) bad_syntax(text);
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (exponent < 1000000000) exponent = exponent * 10 + (s[i] - '0');
    }
    if (i == start) bad_syntax(text);
    if (exponent >= 1073741823) overflow();  // INT_MAX / 2, as PostgreSQL
    if (eneg) exponent = -exponent;
  }
  if (i != s.size()) bad_syntax(text);
  Dec d;
  d.neg = neg;
  int64_t dscale = std::max<int64_t>(0, frac - exponent);
  if (dscale > kDscaleMax) overflow();
  d.dscale = static_cast<int>(dscale);
  if (digits.empty()) return encode(std::move(d));
  // Digits before the point after applying the exponent: beyond the format's 131072, overflow.
  int64_t int_digits = static_cast<int64_t>(digits.size()) - frac + exponent;
  if (int_digits > 4 * static_cast<int64_t>(kWeightMax + 1)) overflow();
  d.coef.set_str(digits, 10);
  int64_t scale = frac - exponent;
  if (scale >= 0) {
    d.scale = static_cast<int>(scale);
  } else {
    d.coef *= pow10(static_cast<int>(-scale));
    d.scale = 0;
  }
  return encode(std::move(d));
}

void append_text(std::string_view num, std::string& out) {
  View v = view(num);
  switch (v.sign) {
    case kSignNaN:
      out += "NaN";
      return;
    case kSignPInf:
      out += "Infinity";
      return;
    case kSignNInf:
      out += "-Infinity";
      return;
    default:
      break;
  }
  if (v.sign == kSignNeg) out.push_back('-');
  auto digit_at = [&](int d) { return d >= 0 && d < v.ndigits ? v.digit(d) : 0; };
  char buf[8];
  if (v.weight < 0 || v.ndigits == 0) {
    out.push_back('0');
  } else {
    for (int d = 0; d <= v.weight; ++d) {
      int dig = digit_at(d);
      if (d == 0) {
        out += std::to_string(dig);
      } else {
        std::snprintf(buf, sizeof buf, "%04d", dig);
        out += buf;
      }
    }
  }
  if (v.dscale > 0) {
    out.push_back('.');
    size_t end = out.size() + static_cast<size_t>(v.dscale);
    int first = v.ndigits == 0 ? 0 : v.weight + 1;
    for (int d = first; out.size() < end; ++d) {
      std::snprintf(buf, sizeof buf, "%04d", digit_at(d));
      out += buf;
    }
    out.resize(end);
  }
}

std::string to_text(std::string_view num) {
  std::string out;
  append_text(num, out);
  return out;
}

Kind kind(std::string_view num) {
  return kind_of_sign(view(num).sign);
}

int dscale(std::string_view num) {
  return view(num).dscale;
}

namespace {
// -Infinity 0, negative 1, zero 2, positive 3, Infinity 4, NaN 5.
int order_class(const View& v) {
  switch (v.sign) {
    case kSignNInf:
      return 0;
    case kSignNeg:
      return v.ndigits == 0 ? 2 : 1;
    case kSignPos:
      return v.ndigits == 0 ? 2 : 3;
    case kSignPInf:
      return 4;
    default:
      return 5;
  }
}
// ---- Small values without GMP ---------------------------------------------------------------------
// Most stored numerics (prices, quantities, metrics) have at most 16 significant digits and 16 after the
// point. For those, add, sub, mul and sums run on 128-bit integers and encode straight to base-10000
// groups; every other value (and any result that might not fit) takes the GMP path above, which stays the
// definition: the bytes produced are the same (numeric_test's cases run through both).
using u128 = unsigned __int128;
using i128 = __int128;

constexpr int kSmallMaxScale = 16;
const u128 kSmallMaxCoef = static_cast<u128>(10000000000ULL) * 10000000000ULL;  // 10^20

std::atomic<bool> g_small_path{true};  // num::testing::set_small_path

struct Small {
  bool neg = false;
  u128 coef = 0;  // < 10^20
  int scale = 0;  // a multiple of 4, <= 16
  int dscale = 0;
};

u128 pow10_u128(int n) {
  u128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// A finite value of at most four base-10000 digits and four after the point.
bool small_of(std::string_view b, Small& s) {
  if (!g_small_path.load(std::memory_order_relaxed)) return false;
  View v = view(b);
  if ((v.sign != kSignPos && v.sign != kSignNeg) || v.ndigits > 4 || b.size() < kHeaderSize) return false;
  u128 c = 0;
  for (int i = 0; i < v.ndigits; ++i) c = c * 10000 + static_cast<u128>(v.digit(i));
  int frac_groups = v.ndigits - 1 - v.weight;
  if (frac_groups < 0) {
    if (frac_groups < -4) return false;
    for (int i = 0; i < -frac_groups; ++i) c *= 10000;
    frac_groups = 0;
  }
  if (4 * frac_groups > kSmallMaxScale || c >= kSmallMaxCoef) return false;
  s.neg = v.sign == kSignNeg;
  s.coef = c;
  s.scale = 4 * frac_groups;
  s.dscale = v.dscale;
  return true;
}

// encode()'s bytes for neg * coef * 10^-scale rounded to dscale (half away from zero), for coef < 10^38
// and scale <= 38.
std::string encode_small(bool neg, u128 coef, int scale, int dscale) {
  if (scale > dscale) {
    const u128 p = pow10_u128(scale - dscale);
    const u128 r = coef % p;
    coef /= p;
    if (r * 2 >= p) ++coef;
    scale = dscale;
  }
  std::string out(kHeaderSize, '\0');
  put16(out.data() + 6, static_cast<uint16_t>(dscale));
  if (coef == 0) return out;
  // Base-10000 groups from the least significant, the first aligned so that the point falls between
  // groups: its low `pad` decimal places are the zeros that make the scale a multiple of 4.
  const int pad = (4 - scale % 4) % 4;
  const int frac_groups = (scale + pad) / 4;
  uint16_t groups[12];
  int n = 0;
  static const uint32_t kPow[] = {1, 10, 100, 1000, 10000};
  groups[n++] = static_cast<uint16_t>((coef % kPow[4 - pad]) * kPow[pad]);
  coef /= kPow[4 - pad];
  while (coef != 0) {
    groups[n++] = static_cast<uint16_t>(coef % 10000);
    coef /= 10000;
  }
  const int weight = n - 1 - frac_groups;
  int low = 0;
  while (groups[low] == 0) ++low;  // trailing zero groups are not stored
  const int ndigits = n - low;
  put16(out.data(), static_cast<uint16_t>(ndigits));
  put16(out.data() + 2, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  put16(out.data() + 4, neg ? kSignNeg : kSignPos);
  out.resize(kHeaderSize + 2 * static_cast<size_t>(ndigits));
  for (int i = 0; i < ndigits; ++i) put16(out.data() + kHeaderSize + 2 * i, groups[n - 1 - i]);
  return out;
}

// a + b (negate_b: a - b) when both are small.
bool add_small(std::string_view a, std::string_view b, bool negate_b, std::string& out) {
  Small x, y;
  if (!small_of(a, x) || !small_of(b, y)) return false;
  const int scale = std::max(x.scale, y.scale);
  const i128 u = static_cast<i128>(x.coef * pow10_u128(scale - x.scale));  // < 10^36
  const i128 v = static_cast<i128>(y.coef * pow10_u128(scale - y.scale));
  const i128 r = (x.neg ? -u : u) + ((y.neg != negate_b) ? -v : v);
  out = encode_small(r < 0, static_cast<u128>(r < 0 ? -r : r), scale, std::max(x.dscale, y.dscale));
  return true;
}

bool mul_small(std::string_view a, std::string_view b, std::string& out) {
  Small x, y;
  if (!small_of(a, x) || !small_of(b, y)) return false;
  const u128 limit = pow10_u128(38);
  if (y.coef != 0 && x.coef > limit / y.coef) return false;
  out = encode_small(x.neg != y.neg, x.coef * y.coef, x.scale + y.scale,
                     std::min(x.dscale + y.dscale, kDscaleMax));
  return true;
}

}  // namespace

int compare(std::string_view a, std::string_view b) {
  View x = view(a), y = view(b);
  int cx = order_class(x), cy = order_class(y);
  if (cx != cy) return cx < cy ? -1 : 1;
  if (cx != 1 && cx != 3) return 0;
  int mag = 0;
  if (x.weight != y.weight) {
    mag = x.weight < y.weight ? -1 : 1;
  } else {
    int n = std::min(x.ndigits, y.ndigits);
    for (int i = 0; i < n && mag == 0; ++i) {
      int dx = x.digit(i), dy = y.digit(i);
      if (dx != dy) mag = dx < dy ? -1 : 1;
    }
    if (mag == 0 && x.ndigits != y.ndigits) mag = x.ndigits < y.ndigits ? -1 : 1;
  }
  return cx == 1 ? -mag : mag;
}

void append_key(std::string_view num, std::string& out) {
  View v = view(num);
  int c = order_class(v);
  out.push_back(static_cast<char>(c + 1));
  if (c != 1 && c != 3) return;
  // Magnitude: weight, then each digit + 1 (so that 0x0000 can end the digits), then 0x0000; all
  // inverted for negative values so that larger magnitudes sort first.
  const uint16_t flip = c == 1 ? 0xFFFF : 0;
  char buf[2];
  put16(buf, static_cast<uint16_t>(static_cast<uint16_t>(v.weight + 0x8000) ^ flip));
  out.append(buf, 2);
  for (int i = 0; i < v.ndigits; ++i) {
    put16(buf, static_cast<uint16_t>((v.digit(i) + 1) ^ flip));
    out.append(buf, 2);
  }
  put16(buf, flip);
  out.append(buf, 2);
}

std::string from_int64(int64_t v) {
  Dec d;
  d.neg = v < 0;
  uint64_t mag = d.neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  mpz_import(d.coef.get_mpz_t(), 1, 1, sizeof mag, 0, 0, &mag);
  return encode(std::move(d));
}

std::string from_double(double x, int digits) {
  if (std::isnan(x)) return special(kSignNaN);
  if (std::isinf(x)) return special(x > 0 ? kSignPInf : kSignNInf);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);  // DBL_DIG (FLT_DIG) digits, as float8_numeric
  return parse(buf);
}

int64_t to_int64(std::string_view num, int64_t min, int64_t max, const char* type) {
  Dec d = decode(num);
  if (d.kind == Kind::NaN)
    throw SqlError(SqlState::FeatureNotSupported, std::string("cannot convert NaN to ") + type);
  if (d.kind != Kind::Finite)
    throw SqlError(SqlState::FeatureNotSupported, std::string("cannot convert infinity to ") + type);
  round_to(d, 0);
  if (d.scale > 0) d.coef /= pow10(d.scale);
  mpz_class v = d.neg ? mpz_class(-d.coef) : d.coef;
  if (!mpz_fits_slong_p(v.get_mpz_t()) || v.get_si() < min || v.get_si() > max)
    throw SqlError(SqlState::NumericValueOutOfRange, std::string(type) + " out of range");
  return v.get_si();
}

double to_double(std::string_view num) {
  switch (kind(num)) {
    case Kind::NaN:
      return std::nan("");
    case Kind::PosInf:
      return HUGE_VAL;
    case Kind::NegInf:
      return -HUGE_VAL;
    case Kind::Finite:
      break;
  }
  std::string text = to_text(num);
  errno = 0;
  double d = std::strtod(text.c_str(), nullptr);
  if (errno == ERANGE && (d == 0 || d >= HUGE_VAL || d <= -HUGE_VAL))
    throw SqlError(SqlState::NumericValueOutOfRange,
                   "\"" + text + "\" is out of range for type double precision");
  return d;
}

std::string add(std::string_view a, std::string_view b) {
  if (std::string out; add_small(a, b, false, out)) return out;
  Kind ka = kind(a), kb = kind(b);
  if (ka == Kind::NaN || kb == Kind::NaN) return special(kSignNaN);
  if (is_inf(ka) || is_inf(kb)) {
    if (is_inf(ka) && is_inf(kb) && ka != kb) return special(kSignNaN);
    return encode(special_dec(is_inf(ka) ? ka : kb));
  }
  return encode(add_finite(decode(a), decode(b), false));
}

std::string sub(std::string_view a, std::string_view b) {
  if (std::string out; add_small(a, b, true, out)) return out;
  Kind ka = kind(a), kb = kind(b);
  if (ka == Kind::NaN || kb == Kind::NaN) return special(kSignNaN);
  if (is_inf(ka) || is_inf(kb)) {
    if (is_inf(ka) && is_inf(kb) && ka == kb) return special(kSignNaN);
    if (is_inf(ka)) return encode(special_dec(ka));
    return encode(special_dec(kb == Kind::PosInf ? Kind::NegInf : Kind::PosInf));
  }
  return encode(add_finite(decode(a), decode(b), true));
}

std::string mul(std::string_view a, std::string_view b) {
  if (std::string out; mul_small(a, b, out)) return out;
  Dec x = decode(a), y = decode(b);
  if (x.kind == Kind::NaN || y.kind == Kind::NaN) return special(kSignNaN);
  if (is_inf(x.kind) || is_inf(y.kind)) {
    int s = x.sign() * y.sign();
    if (s == 0) return special(kSignNaN);  // Infinity * 0
    return encode(special_dec(inf_of_sign(s)));
  }
  Dec r;
  r.coef = x.coef * y.coef;
  r.neg = x.neg != y.neg;
  r.scale = x.scale + y.scale;
  // The exact product, rounded only when its scale exceeds what the format can store.
  r.dscale = std::min(x.dscale + y.dscale, kDscaleMax);
  return encode(std::move(r));
}

std::string div(std::string_view a, std::string_view b) {
  Dec x = decode(a), y = decode(b);
  if (x.kind == Kind::NaN || y.kind == Kind::NaN) return special(kSignNaN);
  if (is_inf(x.kind)) {
    if (y.kind != Kind::Finite) return special(kSignNaN);  // Inf / Inf
    int s = y.sign();
    if (s == 0) division_by_zero();
    return encode(special_dec(inf_of_sign(x.sign() * s)));
  }
  if (is_inf(y.kind)) return encode(Dec{});  // finite / Inf = 0
  if (y.coef == 0) division_by_zero();
  return encode(div_finite(x, y, div_scale(a, b)));
}

std::string mod(std::string_view a, std::string_view b) {
  Dec x = decode(a), y = decode(b);
  if (x.kind == Kind::NaN || y.kind == Kind::NaN) return special(kSignNaN);
  if (is_inf(x.kind)) {
    if (y.sign() == 0 && y.kind == Kind::Finite) division_by_zero();
    return special(kSignNaN);
  }
  if (is_inf(y.kind)) return std::string(a);
  if (y.coef == 0) division_by_zero();
  int dscale = std::max(x.dscale, y.dscale);
  align(x, y);
  Dec r;
  mpz_tdiv_r(r.coef.get_mpz_t(), x.coef.get_mpz_t(), y.coef.get_mpz_t());
  r.neg = x.neg;
  r.scale = x.scale;
  r.dscale = dscale;
  return encode(std::move(r));
}

std::string negate(std::string_view a) {
  View v = view(a);
  std::string out(a);
  switch (v.sign) {
    case kSignPInf:
      put16(out.data() + 4, kSignNInf);
      break;
    case kSignNInf:
      put16(out.data() + 4, kSignPInf);
      break;
    case kSignPos:
      if (v.ndigits > 0) put16(out.data() + 4, kSignNeg);
      break;
    case kSignNeg:
      put16(out.data() + 4, kSignPos);
      break;
    default:
      break;
  }
  return out;
}

std::string abs(std::string_view a) {
  View v = view(a);
  std::string out(a);
  if (v.sign == kSignNeg) put16(out.data() + 4, kSignPos);
  if (v.sign == kSignNInf) put16(out.data() + 4, kSignPInf);
  return out;
}

namespace {
std::string round_or_trunc(std::string_view a, int64_t scale, bool truncate) {
  Dec d = decode(a);
  if (d.kind != Kind::Finite) return std::string(a);
  // PostgreSQL 15's numeric_round / numeric_trunc: at most NUMERIC_DSCALE_MAX digits after the point, and
  // no further left than one position past the largest weight (round may carry into it).
  const int64_t lowest = -4 * static_cast<int64_t>(kWeightMax + 1) - (truncate ? 0 : 1);
  int s = static_cast<int>(std::clamp<int64_t>(scale, lowest, kDscaleMax));
  round_to(d, s, truncate);
  d.dscale = std::max(s, 0);
  return encode(std::move(d));
}
}  // namespace

std::string round(std::string_view a, int64_t scale) {
  return round_or_trunc(a, scale, false);
}

std::string trunc(std::string_view a, int64_t scale) {
  return round_or_trunc(a, scale, true);
}

namespace {
std::string ceil_or_floor(std::string_view a, bool ceiling) {
  Dec d = decode(a);
  if (d.kind != Kind::Finite) return std::string(a);
  mpz_class q, r;
  mpz_tdiv_qr(q.get_mpz_t(), r.get_mpz_t(), d.coef.get_mpz_t(), pow10(d.scale).get_mpz_t());
  // Truncation moved towards zero: ceil of a positive and floor of a negative value go one further.
  if (r != 0 && (ceiling != d.neg)) q += 1;
  d.coef = q;
  d.scale = 0;
  d.dscale = 0;
  return encode(std::move(d));
}
}  // namespace

std::string ceil(std::string_view a) {
  return ceil_or_floor(a, true);
}

std::string floor(std::string_view a) {
  return ceil_or_floor(a, false);
}

std::string sign(std::string_view a) {
  Dec d = decode(a);
  if (d.kind == Kind::NaN) return special(kSignNaN);
  return from_int64(d.sign());
}

int32_t make_typmod(int64_t precision, int64_t scale) {
  if (precision < 1 || precision > kMaxPrecision)
    throw SqlError(SqlState::InvalidParameterValue, "NUMERIC precision " + std::to_string(precision) +
                                                        " must be between 1 and " +
                                                        std::to_string(kMaxPrecision));
  if (scale < kMinScale || scale > kMaxScale)
    throw SqlError(SqlState::InvalidParameterValue, "NUMERIC scale " + std::to_string(scale) +
                                                        " must be between " + std::to_string(kMinScale) +
                                                        " and " + std::to_string(kMaxScale));
  return static_cast<int32_t>(((precision << 16) | (scale & 0x7ff)) + 4);
}

int typmod_precision(int32_t typmod) {
  return ((typmod - 4) >> 16) & 0xffff;
}

int typmod_scale(int32_t typmod) {
  return (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
}

std::string type_name_with_typmod(int32_t typmod) {
  if (typmod < 0) return "numeric";
  return "numeric(" + std::to_string(typmod_precision(typmod)) + "," + std::to_string(typmod_scale(typmod)) +
         ")";
}

std::string apply_typmod(std::string_view num, int32_t typmod) {
  if (typmod < 4) return std::string(num);
  const int precision = typmod_precision(typmod), scale = typmod_scale(typmod);
  Dec d = decode(num);
  if (d.kind == Kind::NaN) return std::string(num);
  if (d.kind != Kind::Finite)
    throw std::move(SqlError(SqlState::NumericValueOutOfRange, "numeric field overflow")
                        .with_detail("A field with precision " + std::to_string(precision) + ", scale " +
                                     std::to_string(scale) + " cannot hold an infinite value."));
  round_to(d, scale);
  d.dscale = std::max(scale, 0);
  const int maxdigits = precision - scale;
  if (d.coef != 0 && digit_count(d.coef) - d.scale > maxdigits) {
    throw std::move(SqlError(SqlState::NumericValueOutOfRange, "numeric field overflow")
                        .with_detail("A field with precision " + std::to_string(precision) + ", scale " +
                                     std::to_string(scale) + " must round to an absolute value less than " +
                                     (maxdigits ? "10^" + std::to_string(maxdigits) : std::string("1")) +
                                     "."));
  }
  return encode(std::move(d));
}

std::string from_wire(std::string_view b) {
  if (b.size() < kHeaderSize)
    throw SqlError(SqlState::InvalidBinaryRepresentation, "insufficient data left in message");
  View v = view(b);
  if (v.ndigits < 0 || v.ndigits > kMaxPrecision + 1000 + 4)
    throw SqlError(SqlState::InvalidBinaryRepresentation, "invalid length in external \"numeric\" value");
  if (b.size() != kHeaderSize + 2 * static_cast<size_t>(v.ndigits))
    throw SqlError(SqlState::InvalidBinaryRepresentation, "insufficient data left in message");
  if (v.sign != kSignPos && v.sign != kSignNeg && v.sign != kSignNaN && v.sign != kSignPInf &&
      v.sign != kSignNInf)
    throw SqlError(SqlState::InvalidBinaryRepresentation, "invalid sign in external \"numeric\" value");
  if ((v.dscale & 0x3FFF) != v.dscale)
    throw SqlError(SqlState::InvalidBinaryRepresentation, "invalid scale in external \"numeric\" value");
  std::vector<int> digits(static_cast<size_t>(v.ndigits));
  for (int i = 0; i < v.ndigits; ++i) {
    digits[static_cast<size_t>(i)] = v.digit(i);
    if (digits[static_cast<size_t>(i)] >= 10000)
      throw SqlError(SqlState::InvalidBinaryRepresentation, "invalid digit in external \"numeric\" value");
  }
  if (v.sign != kSignPos && v.sign != kSignNeg) return special(v.sign);
  // Normalise on the digits: drop what dscale hides (PostgreSQL truncates), then zero digits at both ends.
  int weight = v.weight;
  const int keep = weight + 1 + (v.dscale + 3) / 4;  // digits up to the last one dscale shows
  if (keep < static_cast<int>(digits.size())) digits.resize(static_cast<size_t>(std::max(keep, 0)));
  if (v.dscale % 4 != 0 && keep >= 1 && keep == static_cast<int>(digits.size())) {
    static const int kUnit[] = {1, 1000, 100, 10};
    int unit = kUnit[v.dscale % 4];
    digits.back() = digits.back() / unit * unit;
  }
  while (!digits.empty() && digits.back() == 0) digits.pop_back();
  size_t lead = 0;
  while (lead < digits.size() && digits[lead] == 0) ++lead;
  weight -= static_cast<int>(lead);
  digits.erase(digits.begin(), digits.begin() + static_cast<std::ptrdiff_t>(lead));
  std::string out(kHeaderSize + 2 * digits.size(), '\0');
  put16(out.data() + 6, static_cast<uint16_t>(v.dscale));
  if (digits.empty()) return out;
  if (weight < -32768 || weight > kWeightMax) overflow();
  put16(out.data(), static_cast<uint16_t>(digits.size()));
  put16(out.data() + 2, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  put16(out.data() + 4, v.sign);
  for (size_t i = 0; i < digits.size(); ++i)
    put16(out.data() + kHeaderSize + 2 * i, static_cast<uint16_t>(digits[i]));
  return out;
}

// Accumulator: finite values summed as one GMP integer at the largest scale seen so far.
struct Accumulator::Impl {
  mpz_class sum;
  int scale = 0;
  int dscale = 0;
  int64_t nan = 0, pinf = 0, ninf = 0;
  // Small values (small_of) are summed in 128 bits at one scale and folded into `sum` when a value of
  // another scale comes or the total nears 10^36 (each value is below 10^20).
  i128 fast = 0;
  int fast_scale = 0;
  bool fast_used = false;

  void add_small(const Small& s) {
    static const i128 kFold = static_cast<i128>(pow10_u128(36));
    if (fast_used && (s.scale != fast_scale || fast > kFold || fast < -kFold)) fold();
    if (!fast_used) {
      fast_scale = s.scale;
      fast_used = true;
    }
    dscale = std::max(dscale, s.dscale);
    const auto v = static_cast<i128>(s.coef);
    fast += s.neg ? -v : v;
  }
  void fold() {
    if (!fast_used) return;
    const u128 m = static_cast<u128>(fast < 0 ? -fast : fast);
    Dec d;
    d.neg = fast < 0;
    d.coef = mpz_class(static_cast<unsigned long>(m >> 64));
    d.coef <<= 64;
    d.coef += static_cast<unsigned long>(static_cast<uint64_t>(m));
    d.scale = fast_scale;
    d.dscale = dscale;
    fast = 0;
    fast_used = false;
    add(std::move(d));
  }

  void add(Dec d) {
    switch (d.kind) {
      case Kind::NaN:
        ++nan;
        return;
      case Kind::PosInf:
        ++pinf;
        return;
      case Kind::NegInf:
        ++ninf;
        return;
      case Kind::Finite:
        break;
    }
    dscale = std::max(dscale, d.dscale);
    if (d.scale > scale) {
      sum *= pow10(d.scale - scale);
      scale = d.scale;
    } else if (d.scale < scale) {
      d.coef *= pow10(scale - d.scale);
    }
    if (d.neg) {
      sum -= d.coef;
    } else {
      sum += d.coef;
    }
  }

  Dec result() const {
    if (fast_used) {
      Impl folded = *this;
      folded.fold();
      return folded.result();
    }
    if (nan > 0 || (pinf > 0 && ninf > 0)) return special_dec(Kind::NaN);
    if (pinf > 0) return special_dec(Kind::PosInf);
    if (ninf > 0) return special_dec(Kind::NegInf);
    Dec d;
    d.neg = sum < 0;
    d.coef = d.neg ? mpz_class(-sum) : sum;
    d.scale = scale;
    d.dscale = dscale;
    return d;
  }
};

Accumulator::Accumulator() : impl_(std::make_unique<Impl>()) {}
Accumulator::~Accumulator() = default;

void Accumulator::add(std::string_view num) {
  ++count_;
  if (Small s; small_of(num, s)) {
    impl_->add_small(s);
    return;
  }
  impl_->add(decode(num));
}

void Accumulator::add_square(std::string_view num) {
  ++count_;
  Dec d = decode(num);
  if (d.kind == Kind::NegInf) d.kind = Kind::PosInf;
  // The exact square, as PostgreSQL's mul_var at twice the value's display scale.
  d.coef *= d.coef;
  d.neg = false;
  d.scale *= 2;
  d.dscale *= 2;
  impl_->add(std::move(d));
}

void Accumulator::add_int_square(int64_t v) {
  ++count_;
  Dec d;
  d.coef = mpz_class(static_cast<long>(v));
  d.coef *= d.coef;
  impl_->add(std::move(d));
}

void Accumulator::add_int(int64_t v) {
  ++count_;
  Impl& s = *impl_;
  if (s.scale == 0) {
    s.sum += static_cast<long>(v);
  } else {
    s.sum += mpz_class(static_cast<long>(v)) * pow10(s.scale);
  }
}

std::string Accumulator::sum() const {
  return encode(impl_->result());
}

std::string Accumulator::avg() const {
  std::string total = sum();
  return div(total, from_int64(count_));
}

std::string sqrt(std::string_view a, int rscale) {
  Dec x = decode(a);
  if (x.kind == Kind::NaN || x.kind == Kind::PosInf) return std::string(a);
  if (x.kind == Kind::NegInf || x.neg)
    throw SqlError(SqlState::InvalidArgumentForPowerFunction, "cannot take square root of a negative number");
  // floor(sqrt(x) * 10^(rscale + 1)), then rounded half up to rscale digits.
  mpz_class n = x.coef;
  const int up = 2 * (rscale + 1) - x.scale;
  if (up >= 0) {
    n *= pow10(up);
  } else {
    n /= pow10(-up);
  }
  mpz_class root;
  mpz_sqrt(root.get_mpz_t(), n.get_mpz_t());
  Dec r;
  r.coef = (root + 5) / 10;
  r.scale = rscale;
  r.dscale = rscale;
  return encode(std::move(r));
}

bool variance(const Accumulator& values, const Accumulator& squares, bool sample, bool stddev,
              std::string& out) {
  const int64_t n = values.count();
  if (n <= (sample ? 1 : 0)) return false;  // NaN and infinities count as values here
  std::string sx = values.sum(), sxx = squares.sum();
  if (kind(sx) != Kind::Finite || kind(sxx) != Kind::Finite) {
    out = special(kSignNaN);
    return true;
  }
  const std::string count = from_int64(n);
  // (N * sum(x^2) - sum(x)^2) / (N * (N - 1)) (sample) or / (N * N) (population), exactly until the
  // division; a numerator <= 0 (only from equal values) is 0.
  std::string numerator = sub(mul(count, sxx), mul(sx, sx));
  if (compare(numerator, from_int64(0)) <= 0) {
    out = from_int64(0);
    return true;
  }
  std::string v = div(numerator, mul(count, from_int64(sample ? n - 1 : n)));
  out = stddev ? sqrt(v, dscale(v)) : v;
  return true;
}

// ---- Mathematical functions (numeric.c's numeric_sqrt ... numeric_power) ----
//
// PostgreSQL picks each result's scale from rough estimates (estimate_ln_dweight, the double value of the
// argument); those estimates are reproduced exactly, since they decide how many digits are printed. The
// values themselves are computed in fixed point on GMP integers with guard digits and rounded once (half
// away from zero) to that scale; where PostgreSQL rounds intermediate results (log_var, power_var), the
// same intermediate roundings happen here.

namespace {

constexpr int kExpLimit = kMaxResultScale * 3;  // exp_var: |x| >= 6000 overflows (or underflows to 0)
constexpr int kGuard = 12;                      // guard digits of the fixed-point computations

// The value as a double without overflow errors (numericvar_to_double_no_overflow).
double approx(const Dec& d) {
  std::string s = (d.neg ? "-" : "") + d.coef.get_str(10) + "e-" + std::to_string(d.scale);
  return std::strtod(s.c_str(), nullptr);
}

// A finite value as a fixed-point integer with P digits after the point (truncated).
mpz_class to_fixed(const Dec& d, int P) {
  mpz_class v = d.coef;
  if (P >= d.scale) {
    v *= pow10(P - d.scale);
  } else {
    v /= pow10(d.scale - P);
  }
  return d.neg ? mpz_class(-v) : v;
}

Dec from_fixed(const mpz_class& v, int P) {
  Dec r;
  r.neg = v < 0;
  r.coef = r.neg ? mpz_class(-v) : v;
  r.scale = P;
  r.dscale = P;
  return r;
}

Dec zero_with_scale(int dscale) {
  Dec r;
  r.dscale = dscale;
  return r;
}

Dec one_dec() {
  Dec r;
  r.coef = 1;
  return r;
}

int clamp_scale(int rscale) {
  return std::min(std::max(rscale, 0), kMaxDisplayScale);
}

// How far the series arguments are reduced for P digits: below 10^-t with t ~ sqrt(P) / 2 balances the
// number of series terms (P / t) against the square roots or squarings (3.3 t).
int reduction_digits(int P) {
  return std::max(2, static_cast<int>(std::sqrt(static_cast<double>(P)) / 2));
}

// ln(m) for 1 <= m <= 10 in fixed point at P digits: square roots bring m below 1 + 10^-t, then
// ln(m) = 2 atanh((m - 1) / (m + 1)) by its series. Each square root doubles the error of the result,
// hence the extra digits.
mpz_class ln_reduced(mpz_class m, int P) {
  const int t = reduction_digits(P);
  const int extra = (4 * t + 8) * 3 / 10 + 2;
  m *= pow10(extra);
  P += extra;
  const mpz_class one = pow10(P);
  const mpz_class limit = one + one / pow10(t);
  int halvings = 0;
  while (m > limit) {
    m *= one;
    mpz_sqrt(m.get_mpz_t(), m.get_mpz_t());
    ++halvings;
  }
  mpz_class z = (m - one) * one / (m + one);
  mpz_class z2 = z * z / one;
  mpz_class term = z, sum = z;
  for (unsigned long n = 3;; n += 2) {
    term = term * z2 / one;
    if (term == 0) break;
    sum += term / n;
  }
  mpz_mul_2exp(sum.get_mpz_t(), sum.get_mpz_t(), static_cast<mp_bitcnt_t>(halvings + 1));
  return sum / pow10(extra);
}

// ln(10) at P digits, kept per thread at the highest precision asked so far.
mpz_class ln10(int P) {
  static thread_local int cached_p = -1;
  static thread_local mpz_class cached;
  if (cached_p < P) {
    cached_p = P + 50;
    cached = ln_reduced(pow10(cached_p + kGuard + 1), cached_p + kGuard) / pow10(kGuard);
  }
  return cached / pow10(cached_p - P);
}

// ln(x) of a finite x > 0 at P digits: x = m * 10^e with 1 <= m < 10, ln(x) = ln(m) + e ln(10).
mpz_class ln_fixed(const Dec& x, int P) {
  const int n = digit_count(x.coef);
  const int e = n - 1 - x.scale;
  const int guard = kGuard + static_cast<int>(std::to_string(std::abs(e)).size());
  const int Q = P + guard;
  mpz_class m = x.coef;
  const int shift = Q - (n - 1);
  if (shift >= 0) {
    m *= pow10(shift);
  } else {
    m /= pow10(-shift);
  }
  mpz_class r = ln_reduced(m, Q);
  if (e != 0) r += ln10(Q) * e;
  return r / pow10(guard);
}

// exp(x) of a finite |x| < 6000 at P digits: x / 2^k below 10^-t, its Taylor series, squared k times.
mpz_class exp_fixed(const Dec& x, int P) {
  const double xv = approx(x);
  const double bound = std::pow(10.0, -reduction_digits(P));
  int k = 0;
  while (std::fabs(xv) / std::ldexp(1.0, k) > bound) ++k;
  const int W = P + std::max(0, static_cast<int>(std::ceil(xv * 0.434294481903252))) + k * 302 / 1000 + 1 +
                kGuard + static_cast<int>(std::to_string(P).size());
  const mpz_class one = pow10(W);
  mpz_class r = to_fixed(x, W);
  mpz_tdiv_q_2exp(r.get_mpz_t(), r.get_mpz_t(), static_cast<mp_bitcnt_t>(k));
  mpz_class sum = one, term = one;
  for (unsigned long n = 1;; ++n) {
    term = term * r / one / n;
    if (term == 0) break;
    sum += term;
  }
  for (int i = 0; i < k; ++i) sum = sum * sum / one;
  return sum / pow10(W - P);
}

// ln(x) (finite, > 0) rounded to rscale digits (ln_var).
Dec ln_rounded(const Dec& x, int rscale) {
  Dec r = from_fixed(ln_fixed(x, rscale + kGuard), rscale + kGuard);
  round_to(r, rscale);
  r.dscale = rscale;
  return r;
}

// exp(x) (finite) rounded to rscale digits, with exp_var's range check.
Dec exp_rounded(const Dec& x, int rscale) {
  const double val = approx(x);
  if (std::fabs(val) >= kExpLimit) {
    if (val > 0) overflow();
    return zero_with_scale(rscale);
  }
  Dec r = from_fixed(exp_fixed(x, rscale + kGuard), rscale + kGuard);
  round_to(r, rscale);
  r.dscale = rscale;
  return r;
}

// a * b rounded to rscale (mul_var).
Dec mul_rounded(const Dec& a, const Dec& b, int rscale) {
  Dec r;
  r.coef = a.coef * b.coef;
  r.neg = (a.neg != b.neg) && r.coef != 0;
  r.scale = a.scale + b.scale;
  round_to(r, rscale);
  r.dscale = rscale;
  return r;
}

// estimate_ln_dweight: the decimal weight of ln(x) PostgreSQL estimates (x finite).
int estimate_ln_dweight(const Dec& x) {
  if (x.neg || x.coef == 0) return 0;
  const Dec point_nine = [] {
    Dec d;
    d.coef = 9;
    d.scale = 1;
    return d;
  }();
  const Dec one_point_one = [] {
    Dec d;
    d.coef = 11;
    d.scale = 1;
    return d;
  }();
  auto compare_dec = [](Dec a, Dec b) {
    align(a, b);
    return cmp(a.coef, b.coef);
  };
  if (compare_dec(x, point_nine) >= 0 && compare_dec(x, one_point_one) <= 0) {
    Dec t = add_finite(x, one_dec(), true);
    if (t.coef == 0) return 0;
    return digit_count(t.coef) - 1 - t.scale;  // weight * 4 + (int) log10(digits[0])
  }
  // The first two base-10000 digits of the stored form.
  std::string bytes = encode(x);
  View v = view(bytes);
  if (v.ndigits == 0) return 0;
  int digits = v.digit(0);
  int dweight = v.weight * 4;
  if (v.ndigits > 1) {
    digits = digits * 10000 + v.digit(1);
    dweight -= 4;
  }
  double ln_var = std::log(static_cast<double>(digits)) + dweight * 2.302585092994046;
  return static_cast<int>(std::log10(std::fabs(ln_var)));
}

bool is_integral(const Dec& d) {
  return mpz_divisible_p(d.coef.get_mpz_t(), pow10(d.scale).get_mpz_t()) != 0;
}

// The integer value of an integral d.
mpz_class integer_of(const Dec& d) {
  mpz_class q = d.coef / pow10(d.scale);
  return d.neg ? mpz_class(-q) : q;
}

[[noreturn]] void log_error(bool zero) {
  throw SqlError(SqlState::InvalidArgumentForLog,
                 zero ? "cannot take logarithm of zero" : "cannot take logarithm of a negative number");
}

[[noreturn]] void power_error(bool zero) {
  throw SqlError(SqlState::InvalidArgumentForPowerFunction,
                 zero ? "zero raised to a negative power is undefined"
                      : "a negative number raised to a non-integer power yields a complex result");
}

void check_ln_argument(const Dec& x) {
  if (x.coef == 0) log_error(true);
  if (x.neg) log_error(false);
}

// power_var_int: base ^ n for an integer n in int32's range, rounded to rscale.
Dec power_int(const Dec& base, int64_t n, int rscale) {
  switch (n) {
    case 0: {
      Dec r = one_dec();
      r.dscale = rscale;
      return r;
    }
    case 1: {
      Dec r = base;
      round_to(r, rscale);
      r.dscale = rscale;
      return r;
    }
    case -1:
      return div_finite(one_dec(), base, rscale);
    case 2:
      return mul_rounded(base, base, rscale);
    default:
      break;
  }
  if (base.coef == 0) {
    if (n < 0) division_by_zero();
    return zero_with_scale(rscale);
  }
  // PostgreSQL's estimate of log10(result) from the leading digits: its overflow and underflow tests.
  std::string bytes = encode(base);
  View v = view(bytes);
  double f = v.digit(0);
  int p = v.weight * 4;
  for (int i = 1; i < v.ndigits && i * 4 < 16; ++i) {
    f = f * 10000 + v.digit(i);
    p -= 4;
  }
  f = static_cast<double>(n) * (std::log10(f) + p);
  // Beyond 131072 digits before the point (weight 32767) the result cannot be stored.
  if (f > 3.0 * 32767 * 4 || f >= 4.0 * (kWeightMax + 1) + 0.5) overflow();
  if (f + 1 < -rscale || f + 1 < -kMaxDisplayScale) return zero_with_scale(rscale);
  const uint64_t m = static_cast<uint64_t>(n < 0 ? -n : n);
  Dec r;
  if (static_cast<double>(digit_count(base.coef)) * static_cast<double>(m) <= 100000) {
    mpz_pow_ui(r.coef.get_mpz_t(), base.coef.get_mpz_t(), m);
    r.scale = static_cast<int>(static_cast<int64_t>(base.scale) * static_cast<int64_t>(m));
    r.neg = base.neg && (m & 1);
    if (n < 0) return div_finite(one_dec(), r, rscale);
    round_to(r, rscale);
    r.dscale = rscale;
    return r;
  }
  // Too many digits to compute exactly: square-and-multiply keeping `sig` significant digits (the
  // result's digits and guard digits for the log2(n) roundings), as power_var_int does.
  const int sig =
      std::max(rscale + static_cast<int>(f), 0) + static_cast<int>(std::to_string(m).size()) + kGuard;
  struct Float {
    mpz_class mant;  // value = mant * 10^exp
    int64_t exp = 0;
    void trim(int digits) {
      const int d = digit_count(mant);
      if (d <= digits) return;
      mant /= pow10(d - digits);
      exp += d - digits;
    }
  };
  Float b{base.coef, -static_cast<int64_t>(base.scale)}, acc{mpz_class(1), 0};
  b.trim(sig);
  for (uint64_t bits = m;;) {
    if (bits & 1) {
      acc.mant *= b.mant;
      acc.exp += b.exp;
      acc.trim(sig);
    }
    bits >>= 1;
    if (bits == 0) break;
    b.mant *= b.mant;
    b.exp *= 2;
    b.trim(sig);
  }
  r.coef = acc.mant;
  if (acc.exp >= 0) {
    r.coef *= pow10(static_cast<int>(acc.exp));
    r.scale = 0;
  } else {
    r.scale = static_cast<int>(-acc.exp);
  }
  if (n < 0) {
    r = div_finite(one_dec(), r, rscale);
  } else {
    round_to(r, rscale);
    r.dscale = rscale;
  }
  r.neg = base.neg && (m & 1) && r.coef != 0;
  return r;
}

}  // namespace

std::string sqrt(std::string_view a) {
  View v = view(a);
  if (kind_of_sign(v.sign) != Kind::Finite) return sqrt(a, 0);
  const int sweight = (v.weight + 1) * 4 / 2 - 1;
  return sqrt(a, clamp_scale(std::max(kMinSigDigits - sweight, v.dscale)));
}

std::string exp(std::string_view a) {
  Dec x = decode(a);
  if (x.kind == Kind::NegInf) return encode(Dec{});  // exp(-Infinity) = 0
  if (x.kind != Kind::Finite) return std::string(a);
  double w = approx(x) * 0.434294481903252;
  w = std::clamp(w, static_cast<double>(-kMaxResultScale), static_cast<double>(kMaxResultScale));
  const int rscale = clamp_scale(std::max(kMinSigDigits - static_cast<int>(w), x.dscale));
  return encode(exp_rounded(x, rscale));
}

std::string ln(std::string_view a) {
  Dec x = decode(a);
  if (x.kind == Kind::NegInf) log_error(false);
  if (x.kind != Kind::Finite) return std::string(a);
  const int rscale = clamp_scale(std::max(kMinSigDigits - estimate_ln_dweight(x), x.dscale));
  check_ln_argument(x);
  return encode(ln_rounded(x, rscale));
}

std::string log(std::string_view base, std::string_view a) {
  Dec b = decode(base), x = decode(a);
  if (b.kind != Kind::Finite || x.kind != Kind::Finite) {
    if (b.kind == Kind::NaN || x.kind == Kind::NaN) return special(kSignNaN);
    if (b.sign() < 0 || x.sign() < 0) log_error(false);
    if (b.sign() == 0 || x.sign() == 0) log_error(true);
    if (b.kind == Kind::PosInf) return x.kind == Kind::PosInf ? special(kSignNaN) : encode(Dec{});
    return special(kSignPInf);  // log(finite, Infinity)
  }
  // log_var
  const int ln_base_dweight = estimate_ln_dweight(b);
  const int ln_num_dweight = estimate_ln_dweight(x);
  const int result_dweight = ln_num_dweight - ln_base_dweight;
  const int rscale = clamp_scale(std::max({kMinSigDigits - result_dweight, b.dscale, x.dscale}));
  const int ln_base_rscale = std::max(rscale + result_dweight - ln_base_dweight + 8, 0);
  const int ln_num_rscale = std::max(rscale + result_dweight - ln_num_dweight + 8, 0);
  check_ln_argument(b);
  Dec ln_base = ln_rounded(b, ln_base_rscale);
  check_ln_argument(x);
  Dec ln_num = ln_rounded(x, ln_num_rscale);
  if (ln_base.coef == 0) division_by_zero();
  return encode(div_finite(ln_num, ln_base, rscale));
}

std::string power(std::string_view a, std::string_view b) {
  Dec x = decode(a), y = decode(b);
  if (x.kind != Kind::Finite || y.kind != Kind::Finite) {
    // POSIX pow(): NaN ^ 0 = 1, 1 ^ NaN = 1, other NaN inputs give NaN.
    if (x.kind == Kind::NaN) return y.kind == Kind::Finite && y.coef == 0 ? from_int64(1) : special(kSignNaN);
    if (y.kind == Kind::NaN) {
      if (x.kind == Kind::Finite && x.coef == pow10(x.scale) && !x.neg) return from_int64(1);
      return special(kSignNaN);
    }
    const int s1 = x.sign(), s2 = y.sign();
    if (s1 == 0 && s2 < 0) power_error(true);
    if (s1 < 0 && y.kind == Kind::Finite && !is_integral(y)) power_error(false);  // infinities are integral
    if (x.kind == Kind::Finite && x.coef == pow10(x.scale) && !x.neg) return from_int64(1);
    if (s2 == 0) return from_int64(1);
    if (s1 == 0 && s2 > 0) return encode(Dec{});
    if (is_inf(y.kind)) {
      bool abs_x_gt_one = true;
      if (x.kind == Kind::Finite) {
        if (x.neg && x.coef == pow10(x.scale)) return from_int64(1);  // -1 ^ +-Infinity
        Dec one = one_dec(), ax = x;
        ax.neg = false;
        align(ax, one);
        abs_x_gt_one = ax.coef > one.coef;
      }
      return abs_x_gt_one == (s2 > 0) ? special(kSignPInf) : encode(Dec{});
    }
    if (x.kind == Kind::PosInf) return s2 > 0 ? special(kSignPInf) : encode(Dec{});
    // x = -Infinity, y a finite integer
    if (s2 < 0) return encode(Dec{});
    const bool odd = mpz_odd_p(integer_of(y).get_mpz_t()) != 0;
    return special(odd ? kSignNInf : kSignPInf);
  }
  if (x.coef == 0 && y.sign() < 0) power_error(true);
  // power_var
  const bool y_integral = is_integral(y);
  if (y_integral) {
    mpz_class n = integer_of(y);
    if (n >= INT32_MIN && n <= INT32_MAX) {
      const int rscale = clamp_scale(std::max(kMinSigDigits, x.dscale));
      return encode(power_int(x, n.get_si(), rscale));
    }
  }
  if (x.coef == 0) return encode(zero_with_scale(kMinSigDigits));
  bool negative = false;
  if (x.neg) {
    if (!y_integral) power_error(false);
    negative = mpz_odd_p(integer_of(y).get_mpz_t()) != 0;
    x.neg = false;
  }
  const int ln_dweight = estimate_ln_dweight(x);
  int local_rscale = std::max(8 - ln_dweight, 0);
  Dec ln_num = mul_rounded(ln_rounded(x, local_rscale), y, local_rscale);
  double val = approx(ln_num);
  if (std::fabs(val) > kMaxResultScale * 3.01) {
    if (val > 0) overflow();
    return encode(zero_with_scale(kMaxDisplayScale));
  }
  val *= 0.434294481903252;
  const int rscale = clamp_scale(std::max({kMinSigDigits - static_cast<int>(val), x.dscale, y.dscale}));
  const int sig_digits = std::max(rscale + static_cast<int>(val), 0);
  local_rscale = std::max(sig_digits - ln_dweight + 8, 0);
  ln_num = mul_rounded(ln_rounded(x, local_rscale), y, local_rscale);
  Dec r = exp_rounded(ln_num, rscale);
  r.neg = negative && r.coef != 0;
  return encode(std::move(r));
}

std::string div_trunc(std::string_view a, std::string_view b) {
  Dec x = decode(a), y = decode(b);
  if (x.kind == Kind::NaN || y.kind == Kind::NaN) return special(kSignNaN);
  if (is_inf(x.kind)) {
    if (y.kind != Kind::Finite) return special(kSignNaN);
    if (y.sign() == 0) division_by_zero();
    return encode(special_dec(inf_of_sign(x.sign() * y.sign())));
  }
  if (is_inf(y.kind)) return encode(Dec{});
  if (y.coef == 0) division_by_zero();
  align(x, y);
  Dec r;
  r.coef = x.coef / y.coef;
  r.neg = x.neg != y.neg && r.coef != 0;
  return encode(std::move(r));
}

namespace {
// gcd_var / lcm_var: over the coefficients at a common scale; the result has the larger display scale and
// is never negative.
std::string gcd_or_lcm(std::string_view a, std::string_view b, bool lcm) {
  Dec x = decode(a), y = decode(b);
  if (x.kind != Kind::Finite || y.kind != Kind::Finite) return special(kSignNaN);
  const int dscale = std::max(x.dscale, y.dscale);
  align(x, y);
  Dec r;
  mpz_gcd(r.coef.get_mpz_t(), x.coef.get_mpz_t(), y.coef.get_mpz_t());
  if (lcm) r.coef = r.coef == 0 ? mpz_class(0) : mpz_class(x.coef / r.coef * y.coef);
  r.scale = x.scale;
  r.dscale = dscale;
  return encode(std::move(r));
}
}  // namespace

std::string gcd(std::string_view a, std::string_view b) {
  return gcd_or_lcm(a, b, false);
}

std::string lcm(std::string_view a, std::string_view b) {
  return gcd_or_lcm(a, b, true);
}

std::string factorial(int64_t n) {
  if (n < 0) throw SqlError(SqlState::NumericValueOutOfRange, "factorial of a negative number is undefined");
  if (n > 32177) overflow();
  Dec r;
  mpz_fac_ui(r.coef.get_mpz_t(), static_cast<unsigned long>(n));
  return encode(std::move(r));
}

namespace {
// get_min_scale over the stored form.
int min_scale_of(std::string_view a) {
  View v = view(a);
  int last = v.ndigits - 1;
  while (last >= 0 && v.digit(last) == 0) --last;
  if (last < 0) return 0;
  int s = (last - v.weight) * 4;
  if (s <= 0) return 0;
  for (int d = v.digit(last); d % 10 == 0; d /= 10) --s;
  return s;
}
}  // namespace

bool scale(std::string_view a, int32_t& out) {
  if (kind(a) != Kind::Finite) return false;
  out = dscale(a);
  return true;
}

bool min_scale(std::string_view a, int32_t& out) {
  if (kind(a) != Kind::Finite) return false;
  out = min_scale_of(a);
  return true;
}

std::string trim_scale(std::string_view a) {
  if (kind(a) != Kind::Finite) return std::string(a);
  std::string out(a);
  put16(out.data() + kDscaleOffset, static_cast<uint16_t>(min_scale_of(a)));
  return out;
}

int32_t width_bucket(std::string_view operand, std::string_view low, std::string_view high, int32_t count) {
  auto fail = [](const char* msg) { throw SqlError(SqlState::InvalidArgumentForWidthBucket, msg); };
  if (count <= 0) fail("count must be greater than zero");
  Kind ko = kind(operand), kl = kind(low), kh = kind(high);
  if (ko == Kind::NaN || kl == Kind::NaN || kh == Kind::NaN)
    fail("operand, lower bound, and upper bound cannot be NaN");
  if (kl != Kind::Finite || kh != Kind::Finite) fail("lower and upper bounds must be finite");
  const int c = compare(low, high);
  if (c == 0) fail("lower bound cannot equal upper bound");
  int64_t result;
  const bool reversed = c > 0;
  const int below = compare(operand, low), above = compare(operand, high);
  if (reversed ? below > 0 : below < 0) {
    result = 0;
  } else if (reversed ? above <= 0 : above >= 0) {
    result = static_cast<int64_t>(count) + 1;
  } else {
    // floor((operand - low) * count / (high - low)) + 1, exactly (compute_bucket)
    Dec o = decode(reversed ? sub(low, operand) : sub(operand, low));
    Dec w = decode(reversed ? sub(low, high) : sub(high, low));
    o.coef *= count;
    align(o, w);
    mpz_class q = o.coef / w.coef;
    result = q.get_si() + 1;
  }
  if (result > INT32_MAX) throw SqlError(SqlState::NumericValueOutOfRange, "integer out of range");
  return static_cast<int32_t>(result);
}

namespace testing {
void set_small_path(bool on) {
  g_small_path.store(on, std::memory_order_relaxed);
}
}  // namespace testing

}  // namespace omendb::num
