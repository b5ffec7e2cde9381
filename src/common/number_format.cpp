// Derived from PostgreSQL (PostgreSQL Licence, see NOTICE and LICENSES/PostgreSQL.txt):
// Portions Copyright (c) 1996-2022, PostgreSQL Global Development Group.
// to_char() of numbers with PostgreSQL 15's NUM template patterns (formatting.c's NUMDesc_prepare,
// NUM_processor and NUM_numpart_to_char), in the C locale: 9 0 . , D G S PL MI SG PR L B V EEEE RN TH
// FM and literal text. Checked case by case against a running PostgreSQL by tests/sql/numeric/.
#include "common/number_format.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "common/format_template.h"
#include "common/numeric.h"

namespace omendb::numfmt {

namespace {

enum class K { Comma, Dec, Zero, Nine, B, C, D, E, FM, G, L, MI, PL, PR, RN, rn, SG, SP, S, TH, th, V };

struct Keyword {
  const char* name;
  K key;
};

// PostgreSQL's NUM_keywords: the first prefix match wins.
constexpr Keyword kKeywords[] = {
    {",", K::Comma}, {".", K::Dec},  {"0", K::Zero}, {"9", K::Nine}, {"B", K::B},   {"C", K::C},
    {"D", K::D},     {"EEEE", K::E}, {"FM", K::FM},  {"G", K::G},    {"L", K::L},   {"MI", K::MI},
    {"PL", K::PL},   {"PR", K::PR},  {"RN", K::RN},  {"SG", K::SG},  {"SP", K::SP}, {"S", K::S},
    {"TH", K::TH},   {"V", K::V},    {"b", K::B},    {"c", K::C},    {"d", K::D},   {"eeee", K::E},
    {"fm", K::FM},   {"g", K::G},    {"l", K::L},    {"mi", K::MI},  {"pl", K::PL}, {"pr", K::PR},
    {"rn", K::rn},   {"sg", K::SG},  {"sp", K::SP},  {"s", K::S},    {"th", K::th}, {"v", K::V},
};

struct Item {
  bool action = false;
  K key = K::Nine;
  std::string text;  // literal character(s)
};

// NUMDesc: what the template asks for.
struct Desc {
  int pre = 0, post = 0, multi = 0, zero_start = 0, zero_end = 0, pre_lsign_num = 0;
  bool decimal = false, ldecimal = false, zero = false, blank = false, fillmode = false, lsign = false,
       bracket = false, minus = false, plus = false, roman = false, multi_flag = false, eeee = false,
       minus_post = false, plus_post = false;
  enum { None, Pre, Post } lsign_pos = None;
};

[[noreturn]] void syntax(const std::string& msg, std::string detail = {}) {
  throw SqlError(SqlState::SyntaxError, msg).with_detail(std::move(detail));
}

void prepare(Desc& d, K k) {
  if (d.eeee && k != K::E) syntax("\"EEEE\" must be the last pattern used");
  switch (k) {
    case K::Nine:
      if (d.bracket) syntax("\"9\" must be ahead of \"PR\"");
      if (d.multi_flag) {
        ++d.multi;
        break;
      }
      if (d.decimal)
        ++d.post;
      else
        ++d.pre;
      break;
    case K::Zero:
      if (d.bracket) syntax("\"0\" must be ahead of \"PR\"");
      if (!d.zero && !d.decimal) {
        d.zero = true;
        d.zero_start = d.pre + 1;
      }
      if (!d.decimal)
        ++d.pre;
      else
        ++d.post;
      d.zero_end = d.pre + d.post;
      break;
    case K::B:
      if (d.pre == 0 && d.post == 0 && !d.zero) d.blank = true;
      break;
    case K::D:
      d.ldecimal = true;
      [[fallthrough]];
    case K::Dec:
      if (d.decimal) syntax("multiple decimal points");
      if (d.multi_flag) syntax("cannot use \"V\" and decimal point together");
      d.decimal = true;
      break;
    case K::FM:
      d.fillmode = true;
      break;
    case K::S:
      if (d.lsign) syntax("cannot use \"S\" twice");
      if (d.plus || d.minus || d.bracket) syntax("cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together");
      if (!d.decimal) {
        d.lsign_pos = Desc::Pre;
        d.pre_lsign_num = d.pre;
      } else {
        d.lsign_pos = Desc::Post;
      }
      d.lsign = true;
      break;
    case K::MI:
      if (d.lsign) syntax("cannot use \"S\" and \"MI\" together");
      d.minus = true;
      if (d.decimal) d.minus_post = true;
      break;
    case K::PL:
      if (d.lsign) syntax("cannot use \"S\" and \"PL\" together");
      d.plus = true;
      if (d.decimal) d.plus_post = true;
      break;
    case K::SG:
      if (d.lsign) syntax("cannot use \"S\" and \"SG\" together");
      d.minus = d.plus = true;
      break;
    case K::PR:
      if (d.lsign || d.plus || d.minus) syntax("cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together");
      d.bracket = true;
      break;
    case K::RN:
    case K::rn:
      d.roman = true;
      break;
    case K::V:
      if (d.decimal) syntax("cannot use \"V\" and decimal point together");
      d.multi_flag = true;
      break;
    case K::E:
      if (d.eeee) syntax("cannot use \"EEEE\" twice");
      if (d.blank || d.fillmode || d.lsign || d.bracket || d.minus || d.plus || d.roman || d.multi_flag)
        syntax("\"EEEE\" is incompatible with other formats",
               "\"EEEE\" may only be used together with digit and decimal point patterns.");
      d.eeee = true;
      break;
    default:
      break;
  }
}

std::vector<Item> parse(std::string_view f, Desc& d) {
  std::vector<Item> items;
  size_t i = 0;
  while (i < f.size()) {
    const Keyword* kw = nullptr;
    for (const Keyword& k : kKeywords) {
      size_t n = std::strlen(k.name);
      if (f.size() - i >= n && f.compare(i, n, k.name) == 0) {
        kw = &k;
        break;
      }
    }
    if (kw) {
      prepare(d, kw->key);
      items.push_back(Item{true, kw->key, {}});
      i += std::strlen(kw->name);
      continue;
    }
    if (f[i] == '"') {
      fmt_template::read_quoted(f, i, [&](size_t& j) {
        items.push_back(Item{false, K::Nine, std::string(1, f[j++])});
      });
      continue;
    }
    if (f[i] == '\\' && i + 1 < f.size() && f[i + 1] == '"') ++i;
    items.push_back(Item{false, K::Nine, std::string(1, f[i++])});
  }
  return items;
}

std::string roman(int number) {
  static constexpr const char* kRm1[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
  static constexpr const char* kRm10[] = {"X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
  static constexpr const char* kRm100[] = {"C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
  if (number > 3999 || number < 1) return std::string(15, '#');
  std::string digits = std::to_string(number), r;
  size_t len = digits.size();
  for (char c : digits) {
    int num = c - '1';
    if (num >= 0) {
      if (len > 3)
        r.append(static_cast<size_t>(num + 1), 'M');
      else
        r += len == 3 ? kRm100[num] : len == 2 ? kRm10[num] : kRm1[num];
    }
    --len;
  }
  return r;
}

// The digits to print (no sign), the sign and the leading spaces, as the *_to_char functions prepare
// them for NUM_processor; `number` is "###.##" when the integer part does not fit.
struct Prepared {
  std::string number;
  char sign = '+';
  int pre_spaces = 0;
};

void fit(Prepared& p, Desc& d) {
  size_t dot = p.number.find('.');
  int pre_len = static_cast<int>(dot == std::string::npos ? p.number.size() : dot);
  if (pre_len < d.pre) {
    p.pre_spaces = d.pre - pre_len;
  } else if (pre_len > d.pre) {
    p.number = std::string(static_cast<size_t>(d.pre + d.post + 1), '#');
    p.number[static_cast<size_t>(d.pre)] = '.';
  }
}

// EEEE of NaN or infinity: a row of '#' the width of the pattern.
std::string eeee_hashes(const Desc& d) {
  std::string s(static_cast<size_t>(d.pre + d.post + 6), '#');
  s[0] = ' ';
  s[static_cast<size_t>(d.pre + 1)] = '.';
  return s;
}

class Processor {
 public:
  Processor(Desc& d, std::string number, char sign, int pre_spaces)
      : d_(d), number_(std::move(number)), sign_(sign), pre_spaces_(pre_spaces) {}

  std::string run(const std::vector<Item>& items) {
    if (d_.zero_start) --d_.zero_start;
    if (d_.roman) {
      bool fm = d_.fillmode;
      d_ = Desc{};
      d_.fillmode = fm;
      d_.roman = true;
      pre_spaces_ = 0;
      sign_ = 0;
    }
    if (d_.plus || d_.minus) {
      sign_wrote_ = !(d_.plus && !d_.minus);
    } else {
      if (sign_ != '-' && d_.fillmode) d_.bracket = false;
      sign_wrote_ = sign_ == '+' && d_.fillmode && !d_.lsign;
      if (d_.lsign_pos == Desc::Pre && d_.pre == d_.pre_lsign_num) d_.lsign_pos = Desc::Post;
    }
    num_count_ = d_.post + d_.pre - 1;
    if (d_.fillmode && d_.decimal) {
      last_relevant_ = last_relevant_decnum();
      if (last_relevant_ >= 0 && d_.zero_end > pre_spaces_) {
        int last_zero = std::min(static_cast<int>(number_.size()) - 1, d_.zero_end - pre_spaces_);
        if (last_relevant_ < last_zero) last_relevant_ = last_zero;
      }
    }
    if (!sign_wrote_ && pre_spaces_ == 0) ++num_count_;
    const std::string decimal = ".";
    for (const Item& it : items) {
      if (!it.action) {
        out_ += it.text;
        continue;
      }
      switch (it.key) {
        case K::Nine:
        case K::Zero:
        case K::Dec:
        case K::D:
          numpart(it.key);
          break;
        case K::Comma:
        case K::G:
          if (!num_in_) {
            if (!d_.fillmode) out_ += ' ';
          } else {
            out_ += ',';
          }
          break;
        case K::L:
          out_ += ' ';  // the C locale has no currency symbol; PostgreSQL prints a space
          break;
        case K::RN:
        case K::rn: {
          std::string r = number_;
          if (it.key == K::rn)
            for (char& c : r)
              if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          if (!d_.fillmode && r.size() < 15) r.insert(0, 15 - r.size(), ' ');
          out_ += r;
          break;
        }
        case K::TH:
        case K::th:
          if (d_.roman || number_.starts_with('#') || sign_ == '-' || d_.decimal) break;
          out_ += fmt_template::ordinal_suffix(number_, it.key == K::TH);
          break;
        case K::MI:
          if (sign_ == '-')
            out_ += '-';
          else if (!d_.fillmode)
            out_ += ' ';
          break;
        case K::PL:
          if (sign_ == '+')
            out_ += '+';
          else if (!d_.fillmode)
            out_ += ' ';
          break;
        case K::SG:
          out_ += sign_;
          break;
        default:
          break;
      }
    }
    if (cut_ != std::string::npos) out_.resize(cut_);
    return out_;
  }

 private:
  int last_relevant_decnum() const {
    size_t dot = number_.find('.');
    if (dot == std::string::npos) return -1;
    int r = static_cast<int>(dot);
    for (size_t i = dot + 1; i < number_.size(); ++i)
      if (number_[i] != '0') r = static_cast<int>(i);
    return r;
  }
  char at(int i) const { return i >= 0 && i < static_cast<int>(number_.size()) ? number_[i] : '\0'; }
  bool predec_space() const { return !d_.zero && p_ == 0 && at(0) == '0' && d_.post != 0; }

  void numpart(K id) {
    if (d_.roman) return;
    num_in_ = false;
    if (!sign_wrote_ && (num_curr_ >= pre_spaces_ || (d_.zero && d_.zero_start == num_curr_)) &&
        (!predec_space() || (last_relevant_ >= 0 && at(last_relevant_) == '.'))) {
      if (d_.lsign) {
        if (d_.lsign_pos == Desc::Pre) {
          out_ += sign_ == '-' ? '-' : '+';
          sign_wrote_ = true;
        }
      } else if (d_.bracket) {
        out_ += sign_ == '+' ? ' ' : '<';
        sign_wrote_ = true;
      } else if (sign_ == '+') {
        if (!d_.fillmode) out_ += ' ';
        sign_wrote_ = true;
      } else if (sign_ == '-') {
        out_ += '-';
        sign_wrote_ = true;
      }
    }
    if (num_curr_ < pre_spaces_ && (d_.zero_start > num_curr_ || !d_.zero)) {
      if (!d_.fillmode) out_ += ' ';
    } else if (d_.zero && num_curr_ < pre_spaces_ && d_.zero_start <= num_curr_) {
      out_ += '0';
      num_in_ = true;
    } else {
      if (at(p_) == '.') {
        if (last_relevant_ < 0 || at(last_relevant_) != '.')
          out_ += '.';
        else if (d_.fillmode && last_relevant_ >= 0 && at(last_relevant_) == '.')
          out_ += '.';
      } else if (last_relevant_ >= 0 && p_ > last_relevant_ && id != K::Zero) {
        // a trailing zero FM drops
      } else if (predec_space()) {
        if (!d_.fillmode)
          out_ += ' ';
        else if (last_relevant_ >= 0 && at(last_relevant_) == '.')
          out_ += '0';
      } else {
        // Past the end of a short number (NaN) PostgreSQL writes its terminating NUL, which ends the
        // output there.
        if (at(p_) == '\0' && cut_ == std::string::npos) cut_ = out_.size();
        out_ += at(p_);
        num_in_ = true;
      }
      if (at(p_)) ++p_;
    }
    int end = num_count_ + (pre_spaces_ ? 1 : 0) + (d_.decimal ? 1 : 0);
    if (last_relevant_ >= 0 && last_relevant_ == p_) end = num_curr_;
    if (num_curr_ + 1 == end) {
      if (sign_wrote_ && d_.bracket)
        out_ += sign_ == '+' ? ' ' : '>';
      else if (d_.lsign && d_.lsign_pos == Desc::Post)
        out_ += sign_ == '-' ? '-' : '+';
    }
    ++num_curr_;
  }

  Desc& d_;
  std::string number_;
  char sign_;
  int pre_spaces_;
  std::string out_;
  bool sign_wrote_ = false, num_in_ = false;
  int num_count_ = 0, num_curr_ = 0, last_relevant_ = -1;
  int p_ = 0;                       // the next character of number_
  size_t cut_ = std::string::npos;  // where a NUL was written
};

// numeric_out_sci: the significand rounded to `scale` digits, exponent taken before rounding.
std::string numeric_sci(std::string_view value, int scale) {
  std::string text = num::to_text(num::abs(value));
  std::string digits;
  int exponent = 0;
  size_t dot = text.find('.');
  std::string ip = text.substr(0, dot), fp = dot == std::string::npos ? "" : text.substr(dot + 1);
  size_t nz = ip.find_first_not_of('0');
  if (nz != std::string::npos) {
    exponent = static_cast<int>(ip.size() - nz) - 1;
    digits = ip.substr(nz) + fp;
  } else {
    size_t f = fp.find_first_not_of('0');
    if (f != std::string::npos) {
      exponent = -static_cast<int>(f) - 1;
      digits = fp.substr(f);
    }
  }
  std::string sig =
      digits.empty() ? "0" : digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0");
  std::string rounded = num::to_text(num::round(num::parse(sig), scale));
  char buf[16];
  std::snprintf(buf, sizeof buf, "e%+03d", exponent);
  bool neg = num::compare(value, num::from_int64(0)) < 0;
  return (neg ? "-" : " ") + rounded + buf;
}

std::string double_sci(double v, int post) {
  if (std::isnan(v) || std::isinf(v)) return {};
  char buf[512];
  std::snprintf(buf, sizeof buf, "%+.*e", post, v);
  if (buf[0] == '+') buf[0] = ' ';
  return buf;
}

std::string finish(const std::vector<Item>& items, Desc& d, Prepared p) {
  return Processor(d, std::move(p.number), p.sign, p.pre_spaces).run(items);
}

// The number's text (a sign, digits, maybe a point and fraction) through the template.
std::string finish_text(const std::vector<Item>& items, Desc& d, std::string text) {
  Prepared p;
  if (text.starts_with('-')) {
    p.sign = '-';
    text.erase(0, 1);
  }
  p.number = std::move(text);
  fit(p, d);
  return finish(items, d, std::move(p));
}

// 10^n as a numeric (V's multiplier).
std::string pow10(int n) {
  return num::parse("1" + std::string(static_cast<size_t>(n), '0'));
}

}  // namespace

std::string to_char_numeric(std::string_view value, std::string_view fmt) {
  Desc d;
  std::vector<Item> items = parse(fmt, d);
  Prepared p;
  num::Kind kind = num::kind(value);
  if (d.roman) {
    if (kind != num::Kind::Finite) {
      p.number = std::string(15, '#');
    } else {
      std::string r = num::round(value, 0);
      p.number = roman(static_cast<int>(num::to_int64(r, INT32_MIN, INT32_MAX, "integer")));
    }
    return finish(items, d, p);
  }
  if (d.eeee) {
    if (kind != num::Kind::Finite) {
      p.number = eeee_hashes(d);
    } else {
      p.number = numeric_sci(value, d.post);
    }
    // NUM_processor copies an EEEE number as it is.
    return p.number;
  }
  std::string val(value);
  if (d.multi_flag) {
    val = num::mul(val, pow10(d.multi));
    d.pre += d.multi;
  }
  std::string text = num::to_text(kind == num::Kind::Finite ? num::round(val, d.post) : val);
  return finish_text(items, d, std::move(text));
}

std::string to_char_int(int64_t v, std::string_view fmt, bool bigint) {
  Desc d;
  std::vector<Item> items = parse(fmt, d);
  Prepared p;
  if (d.roman) {
    p.number = v < INT32_MIN || v > INT32_MAX ? std::string(15, '#') : roman(static_cast<int>(v));
    return finish(items, d, p);
  }
  if (d.eeee)
    return bigint ? numeric_sci(num::from_int64(v), d.post) : double_sci(static_cast<double>(v), d.post);
  std::string text;
  if (d.multi_flag) {
    text = num::to_text(num::mul(num::from_int64(v), pow10(d.multi)));
    d.pre += d.multi;
  } else {
    text = std::to_string(v);
  }
  if (d.post) text += "." + std::string(static_cast<size_t>(d.post), '0');
  return finish_text(items, d, std::move(text));
}

std::string to_char_double(double v, std::string_view fmt, bool real) {
  Desc d;
  std::vector<Item> items = parse(fmt, d);
  Prepared p;
  if (d.roman) {
    double r = std::rint(v);
    p.number = std::isnan(r) || r < 1 || r > 3999 ? std::string(15, '#') : roman(static_cast<int>(r));
    return finish(items, d, p);
  }
  if (d.eeee) {
    if (std::isnan(v) || std::isinf(v)) return eeee_hashes(d);
    return double_sci(v, d.post);
  }
  double val = v;
  if (d.multi_flag) {
    val = v * std::pow(10.0, d.multi);
    if (real) val = static_cast<float>(val);
    d.pre += d.multi;
  }
  // PostgreSQL's snprintf prints NaN and Infinity in words.
  auto fixed = [](double x, int digits) {
    if (std::isnan(x)) return std::string("NaN");
    if (std::isinf(x)) return std::string(x < 0 ? "-Infinity" : "Infinity");
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return std::string(buf);
  };
  const int max_digits = real ? FLT_DIG : DBL_DIG;
  int pre_len = static_cast<int>(fixed(std::fabs(val), 0).size());
  if (pre_len >= max_digits)
    d.post = 0;
  else if (pre_len + d.post > max_digits)
    d.post = max_digits - pre_len;
  std::string text = fixed(val, d.post);
  return finish_text(items, d, std::move(text));
}

namespace {

// NUM_processor reading `text` (to_number): the number's characters, a sign first.
class Reader {
 public:
  Reader(const Desc& d, std::string_view in) : d_(d), in_(in) {}

  std::string run(const std::vector<Item>& items) {
    for (const Item& it : items) {
      if (end()) break;
      if (!it.action) {  // a literal character of the template skips one input character
        p_ += char_len();
        continue;
      }
      switch (it.key) {
        case K::Nine:
        case K::Zero:
        case K::Dec:
        case K::D:
          numpart(it.key);
          break;
        case K::Comma:
          if (!num_in_ && d_.fillmode) continue;
          if (in_[p_] != ',') continue;  // skipped only where the input has one
          break;
        case K::G:
          if (!num_in_ && d_.fillmode) continue;
          if (p_ < in_.size() && in_[p_] == ',') break;  // the C locale's group separator
          continue;
        case K::L:
          eat_non_data(1);
          continue;
        case K::TH:
        case K::th:
          if (d_.decimal) continue;
          eat_non_data(2);
          continue;
        case K::MI:
          if (in_[p_] == '-') {
            sign_ = '-';
            break;
          }
          eat_non_data(1);
          continue;
        case K::PL:
          if (in_[p_] == '+') {
            sign_ = '+';
            break;
          }
          eat_non_data(1);
          continue;
        case K::SG:
          if (in_[p_] == '-' || in_[p_] == '+') {
            sign_ = in_[p_];
            break;
          }
          eat_non_data(1);
          continue;
        default:
          continue;
      }
      ++p_;
    }
    if (!number_.empty() && number_.back() == '.') number_.pop_back();
    return std::string(1, sign_) + number_;
  }

  int read_post() const { return read_post_; }

 private:
  bool end() const { return p_ >= in_.size(); }
  bool fits(size_t n) const { return p_ + n <= in_.size(); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  // One character of the input (UTF-8).
  size_t char_len() const {
    auto c = static_cast<unsigned char>(in_[p_]);
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return std::min(n, in_.size() - p_);
  }
  void eat_non_data(int n) {
    while (n-- > 0) {
      if (end() || std::strchr("0123456789.,+-", in_[p_]) != nullptr) break;
      p_ += char_len();
    }
  }

  // NUM_numpart_from_char
  void numpart(K id) {
    if (end()) return;
    if (in_[p_] == ' ') ++p_;
    if (end()) return;
    if (sign_ == ' ' && (id == K::Zero || id == K::Nine) && read_pre_ + read_post_ == 0) {
      if (d_.lsign && d_.lsign_pos == Desc::Pre) {
        if (in_[p_] == '-' || in_[p_] == '+') sign_ = in_[p_++];
      } else if (in_[p_] == '-' || (d_.bracket && in_[p_] == '<')) {
        sign_ = '-';
        ++p_;
      } else if (in_[p_] == '+') {
        sign_ = '+';
        ++p_;
      }
    }
    if (end()) return;
    bool read = false;
    if (is_digit(in_[p_])) {
      if (read_dec_ && read_post_ == d_.post) return;
      number_ += in_[p_];
      if (read_dec_)
        ++read_post_;
      else
        ++read_pre_;
      read = true;
    } else if (d_.decimal && !read_dec_ && in_[p_] == '.') {
      number_ += '.';
      read_dec_ = true;
      read = true;
    }
    num_in_ = num_in_ || read;
    if (end()) return;
    // A sign behind the last digit: S anchored to the number, or MI / PL / SG where their place is loose.
    if (sign_ == ' ' && read_pre_ + read_post_ > 0) {
      if (d_.lsign && read && p_ + 1 < in_.size() && !is_digit(in_[p_ + 1])) {
        if (fits(2) && (in_[p_ + 1] == '-' || in_[p_ + 1] == '+')) sign_ = in_[++p_];
      } else if (!read && !d_.lsign && (d_.plus || d_.minus)) {
        if (in_[p_] == '-' || in_[p_] == '+') sign_ = in_[p_];
      }
    }
  }

  const Desc& d_;
  std::string_view in_;
  size_t p_ = 0;
  char sign_ = ' ';
  std::string number_;
  bool read_dec_ = false, num_in_ = false;
  int read_pre_ = 0, read_post_ = 0;
};

}  // namespace

std::string to_number(std::string_view text, std::string_view fmt) {
  Desc d;
  std::vector<Item> items = parse(fmt, d);
  if (d.eeee) throw SqlError(SqlState::FeatureNotSupported, "\"EEEE\" not supported for input");
  if (d.roman) throw SqlError(SqlState::FeatureNotSupported, "\"RN\" not supported for input");
  Reader reader(d, text);
  std::string number = reader.run(items);
  // numeric_in with typmod numeric(pre + multi + read digits after the point, those digits)
  const int scale = reader.read_post();
  const int precision = d.pre + d.multi + scale;
  std::string result = num::apply_typmod(num::parse(number), ((precision << 16) | scale) + 4);
  if (d.multi_flag) result = num::mul(result, num::power(num::from_int64(10), num::from_int64(-d.multi)));
  return result;
}

}  // namespace omendb::numfmt
