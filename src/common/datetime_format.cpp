// Derived from PostgreSQL (PostgreSQL Licence, see NOTICE and LICENSES/PostgreSQL.txt):
// Portions Copyright (c) 1996-2022, PostgreSQL Global Development Group.
// to_char() for timestamps, timestamptz and intervals with PostgreSQL 15's template patterns
// (formatting.c's DCH_* keywords, the FM / TM prefixes and TH / th / SP suffixes, double-quoted literal
// text), in the C locale. Checked case by case against a running PostgreSQL by tests/sql/datetime/.
#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common/datetime_format.h"
#include "common/datetime_internal.h"
#include "common/format_template.h"

namespace omendb::dt {

using detail::Tm;

namespace {

enum class Key {
  A_D,
  A_M,
  AD,
  AM,
  B_C,
  BC,
  CC,
  DAY,
  DDD,
  DD,
  DY,
  Day,
  Dy,
  D,
  FF1,
  FF2,
  FF3,
  FF4,
  FF5,
  FF6,
  FX,
  HH24,
  HH12,
  HH,
  IDDD,
  ID,
  IW,
  IYYY,
  IYY,
  IY,
  I,
  J,
  MI,
  MM,
  MONTH,
  MON,
  MS,
  Month,
  Mon,
  OF,
  P_M,
  PM,
  Q,
  RM,
  SSSSS,
  SSSS,
  SS,
  TZH,
  TZM,
  TZ,
  US,
  WW,
  W,
  Y_YYY,
  YYYY,
  YYY,
  YY,
  Y,
  a_d,
  a_m,
  ad,
  am,
  b_c,
  bc,
  day,
  dy,
  month,
  mon,
  p_m,
  pm,
  rm,
  tz
};

struct Keyword {
  const char* name;
  Key key;
};

// PostgreSQL's DCH_keywords: case-sensitive, the longest of a first letter's names listed first, so the
// first prefix match wins. Lower-case names of numeric fields mean the same as upper-case ones; those of
// names (day, month, am ...) print lower case.
constexpr Keyword kKeywords[] = {
    {"A.D.", Key::A_D},    {"A.M.", Key::A_M},    {"AD", Key::AD},       {"AM", Key::AM},
    {"B.C.", Key::B_C},    {"BC", Key::BC},       {"CC", Key::CC},       {"DAY", Key::DAY},
    {"DDD", Key::DDD},     {"DD", Key::DD},       {"DY", Key::DY},       {"Day", Key::Day},
    {"Dy", Key::Dy},       {"D", Key::D},         {"FF1", Key::FF1},     {"FF2", Key::FF2},
    {"FF3", Key::FF3},     {"FF4", Key::FF4},     {"FF5", Key::FF5},     {"FF6", Key::FF6},
    {"FX", Key::FX},       {"HH24", Key::HH24},   {"HH12", Key::HH12},   {"HH", Key::HH},
    {"IDDD", Key::IDDD},   {"ID", Key::ID},       {"IW", Key::IW},       {"IYYY", Key::IYYY},
    {"IYY", Key::IYY},     {"IY", Key::IY},       {"I", Key::I},         {"J", Key::J},
    {"MI", Key::MI},       {"MM", Key::MM},       {"MONTH", Key::MONTH}, {"MON", Key::MON},
    {"MS", Key::MS},       {"Month", Key::Month}, {"Mon", Key::Mon},     {"OF", Key::OF},
    {"P.M.", Key::P_M},    {"PM", Key::PM},       {"Q", Key::Q},         {"RM", Key::RM},
    {"SSSSS", Key::SSSSS}, {"SSSS", Key::SSSS},   {"SS", Key::SS},       {"TZH", Key::TZH},
    {"TZM", Key::TZM},     {"TZ", Key::TZ},       {"US", Key::US},       {"WW", Key::WW},
    {"W", Key::W},         {"Y,YYY", Key::Y_YYY}, {"YYYY", Key::YYYY},   {"YYY", Key::YYY},
    {"YY", Key::YY},       {"Y", Key::Y},         {"a.d.", Key::a_d},    {"a.m.", Key::a_m},
    {"ad", Key::ad},       {"am", Key::am},       {"b.c.", Key::b_c},    {"bc", Key::bc},
    {"cc", Key::CC},       {"day", Key::day},     {"ddd", Key::DDD},     {"dd", Key::DD},
    {"dy", Key::dy},       {"d", Key::D},         {"ff1", Key::FF1},     {"ff2", Key::FF2},
    {"ff3", Key::FF3},     {"ff4", Key::FF4},     {"ff5", Key::FF5},     {"ff6", Key::FF6},
    {"fx", Key::FX},       {"hh24", Key::HH24},   {"hh12", Key::HH12},   {"hh", Key::HH},
    {"iddd", Key::IDDD},   {"id", Key::ID},       {"iw", Key::IW},       {"iyyy", Key::IYYY},
    {"iyy", Key::IYY},     {"iy", Key::IY},       {"i", Key::I},         {"j", Key::J},
    {"mi", Key::MI},       {"mm", Key::MM},       {"month", Key::month}, {"mon", Key::mon},
    {"ms", Key::MS},       {"of", Key::OF},       {"p.m.", Key::p_m},    {"pm", Key::pm},
    {"q", Key::Q},         {"rm", Key::rm},       {"sssss", Key::SSSSS}, {"ssss", Key::SSSS},
    {"ss", Key::SS},       {"tz", Key::tz},       {"us", Key::US},       {"ww", Key::WW},
    {"w", Key::W},         {"y,yyy", Key::Y_YYY}, {"yyyy", Key::YYYY},   {"yyy", Key::YYY},
    {"yy", Key::YY},       {"y", Key::Y},
};

const Keyword* match_keyword(std::string_view s) {
  for (const Keyword& k : kKeywords) {
    size_t n = std::strlen(k.name);
    if (s.size() >= n && s.compare(0, n, k.name) == 0) return &k;
  }
  return nullptr;
}

constexpr int kFm = 1, kTm = 2, kThUpper = 4, kThLower = 8;

// One parsed template item: a keyword with its prefix/suffix flags, or literal text.
enum class ItemKind : uint8_t { Action, Char, Separator, Space };

struct Item {
  const Keyword* kw = nullptr;  // Action
  int flags = 0;
  ItemKind kind = ItemKind::Action;
  std::string text;  // one character (UTF-8) of literal text
};

size_t char_len(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;  // PostgreSQL reads the terminating NUL here and stays put
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
  return std::min(n, s.size() - i);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
// PostgreSQL's is_separator_char: printable ASCII that is not a letter or digit.
bool is_separator(char c) {
  return c > 0x20 && c < 0x7F && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') &&
         !(c >= '0' && c <= '9');
}

// The template as items: keywords with their FM / TM prefix and TH / th / SP suffix, and one item per
// character of literal text (double-quoted text is always a plain character; outside quotes a
// backslash escapes only a double quote).
std::vector<Item> parse_format(std::string_view f) {
  std::vector<Item> items;
  size_t i = 0;
  auto literal = [&](ItemKind kind) {
    size_t n = char_len(f, i);
    items.push_back(Item{nullptr, 0, kind, std::string(f.substr(i, n))});
    i += n;
  };
  while (i < f.size()) {
    int flags = 0;
    std::string_view rest = f.substr(i);
    if (rest.starts_with("FM") || rest.starts_with("fm")) {
      flags |= kFm;
      i += 2;
    } else if (rest.starts_with("TM") || rest.starts_with("tm")) {
      flags |= kTm;
      i += 2;
    }
    if (i >= f.size()) break;
    if (const Keyword* k = match_keyword(f.substr(i))) {
      i += std::strlen(k->name);
      rest = f.substr(i);
      if (rest.starts_with("TH")) {
        flags |= kThUpper;
        i += 2;
      } else if (rest.starts_with("th")) {
        flags |= kThLower;
        i += 2;
      } else if (rest.starts_with("SP")) {
        i += 2;  // PostgreSQL accepts SP and ignores it
      }
      items.push_back(Item{k, flags, ItemKind::Action, {}});
      continue;
    }
    if (f[i] == '"') {
      fmt_template::read_quoted(f, i, [&](size_t&) { literal(ItemKind::Char); });
      continue;
    }
    if (f[i] == '\\' && i + 1 < f.size() && f[i + 1] == '"') ++i;
    literal(is_separator(f[i]) ? ItemKind::Separator : is_space(f[i]) ? ItemKind::Space : ItemKind::Char);
  }
  return items;
}

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};
constexpr const char* kRomanUpper[] = {"XII", "XI", "X",  "IX",  "VIII", "VII",
                                       "VI",  "V",  "IV", "III", "II",   "I"};
constexpr const char* kRomanLower[] = {"xii", "xi", "x",  "ix",  "viii", "vii",
                                       "vi",  "v",  "iv", "iii", "ii",   "i"};

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}
std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string fmt_int(long long v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, v);
  return buf;
}
std::string pad_right(const std::string& s, int width) {
  return s.size() >= static_cast<size_t>(width) ? s : s + std::string(width - s.size(), ' ');
}

// What to_char needs of a value: its broken-down fields, fraction, zone, and whether it is an interval.
struct Fields {
  Tm tm;
  int64_t fsec = 0;
  int64_t hour = 0;  // an interval's hours can exceed int
  bool interval = false;
  const std::string* tzn = nullptr;  // zone abbreviation (timestamptz only)
};

void invalid_for_interval(const Fields& v) {
  if (v.interval)
    throw SqlError(SqlState::InvalidDatetimeFormat, "invalid format specification for an interval value")
        .with_hint("Intervals are not tied to specific calendar dates.");
}

int adjust_year(int year, bool interval) {
  return interval ? year : (year <= 0 ? -(year - 1) : year);
}

// PostgreSQL's int arithmetic wraps around (it is built with -fwrapv); so does ours on garbage input
// (intervals of millions of years, a 10-digit CC), without undefined behaviour.
int wrap(int64_t v) {
  return static_cast<int>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

int isoweek2j(int year, int week) {
  int day4 = date2j(year, 1, 4);
  int day0 = j2day(wrap(int64_t{day4} - 1));
  return wrap((int64_t{week} - 1) * 7 + (int64_t{day4} - day0));
}

std::string render(const std::vector<Item>& items, const Fields& v) {
  const Tm& tm = v.tm;
  std::string out;
  for (const Item& it : items) {
    if (it.kind != ItemKind::Action) {
      out += it.text;
      continue;
    }
    bool fm = it.flags & kFm;
    bool tmode = it.flags & kTm;
    std::string s;
    bool numeric = true;  // TH / th apply
    auto two = [&](long long x) { return fmt_int(x, fm ? 0 : (x >= 0 ? 2 : 3)); };
    switch (it.kw->key) {
      case Key::A_M:
      case Key::P_M:
        s = tm.hour % 24 >= 12 ? "P.M." : "A.M.";
        numeric = false;
        break;
      case Key::AM:
      case Key::PM:
        s = tm.hour % 24 >= 12 ? "PM" : "AM";
        numeric = false;
        break;
      case Key::a_m:
      case Key::p_m:
        s = tm.hour % 24 >= 12 ? "p.m." : "a.m.";
        numeric = false;
        break;
      case Key::am:
      case Key::pm:
        s = tm.hour % 24 >= 12 ? "pm" : "am";
        numeric = false;
        break;
      case Key::HH:
      case Key::HH12: {
        long long h = v.hour % 12 == 0 ? 12 : v.hour % 12;
        s = fmt_int(h, fm ? 0 : (v.hour >= 0 ? 2 : 3));
        break;
      }
      case Key::HH24:
        s = fmt_int(v.hour, fm ? 0 : (v.hour >= 0 ? 2 : 3));
        break;
      case Key::MI:
        s = two(tm.min);
        break;
      case Key::SS:
        s = two(tm.sec);
        break;
      case Key::FF1:
        s = fmt_int(v.fsec / 100000, 1);
        break;
      case Key::FF2:
        s = fmt_int(v.fsec / 10000, 2);
        break;
      case Key::FF3:
      case Key::MS:
        s = fmt_int(v.fsec / 1000, 3);
        break;
      case Key::FF4:
        s = fmt_int(v.fsec / 100, 4);
        break;
      case Key::FF5:
        s = fmt_int(v.fsec / 10, 5);
        break;
      case Key::FF6:
      case Key::US:
        s = fmt_int(v.fsec, 6);
        break;
      case Key::SSSSS:
      case Key::SSSS:
        s = std::to_string(v.hour * 3600 + tm.min * 60 + tm.sec);
        break;
      case Key::tz:
      case Key::TZ:
        invalid_for_interval(v);
        if (v.tzn) s = it.kw->key == Key::tz ? lower(*v.tzn) : *v.tzn;
        numeric = false;
        break;
      case Key::TZH: {
        invalid_for_interval(v);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%c%02d", tm.gmtoff >= 0 ? '+' : '-', std::abs(tm.gmtoff) / 3600);
        s = buf;
        numeric = false;
        break;
      }
      case Key::TZM: {
        invalid_for_interval(v);
        s = fmt_int(std::abs(tm.gmtoff) % 3600 / 60, 2);
        numeric = false;
        break;
      }
      case Key::OF: {
        invalid_for_interval(v);
        int a = std::abs(tm.gmtoff);
        s = std::string(1, tm.gmtoff >= 0 ? '+' : '-') + fmt_int(a / 3600, fm ? 0 : 2);
        if (a % 3600 != 0) s += ":" + fmt_int(a % 3600 / 60, 2);
        numeric = false;
        break;
      }
      case Key::A_D:
      case Key::B_C:
        invalid_for_interval(v);
        s = tm.year <= 0 ? "B.C." : "A.D.";
        numeric = false;
        break;
      case Key::AD:
      case Key::BC:
        invalid_for_interval(v);
        s = tm.year <= 0 ? "BC" : "AD";
        numeric = false;
        break;
      case Key::a_d:
      case Key::b_c:
        invalid_for_interval(v);
        s = tm.year <= 0 ? "b.c." : "a.d.";
        numeric = false;
        break;
      case Key::ad:
      case Key::bc:
        invalid_for_interval(v);
        s = tm.year <= 0 ? "bc" : "ad";
        numeric = false;
        break;
      case Key::MONTH:
      case Key::Month:
      case Key::month: {
        invalid_for_interval(v);
        numeric = false;
        if (!tm.mon) break;
        std::string name = kMonths[tm.mon - 1];
        if (it.kw->key == Key::MONTH) name = upper(name);
        if (it.kw->key == Key::month) name = lower(name);
        s = fm || tmode ? name : pad_right(name, 9);
        break;
      }
      case Key::MON:
      case Key::Mon:
      case Key::mon: {
        invalid_for_interval(v);
        numeric = false;
        if (!tm.mon) break;
        std::string name = std::string(kMonths[tm.mon - 1]).substr(0, 3);
        if (it.kw->key == Key::MON) name = upper(name);
        if (it.kw->key == Key::mon) name = lower(name);
        s = name;
        break;
      }
      case Key::MM:
        s = two(tm.mon);
        break;
      case Key::DAY:
      case Key::Day:
      case Key::day: {
        invalid_for_interval(v);
        numeric = false;
        std::string name = kDays[tm.wday];
        if (it.kw->key == Key::DAY) name = upper(name);
        if (it.kw->key == Key::day) name = lower(name);
        s = fm || tmode ? name : pad_right(name, 9);
        break;
      }
      case Key::DY:
      case Key::Dy:
      case Key::dy: {
        invalid_for_interval(v);
        numeric = false;
        std::string name = std::string(kDays[tm.wday]).substr(0, 3);
        if (it.kw->key == Key::DY) name = upper(name);
        if (it.kw->key == Key::dy) name = lower(name);
        s = name;
        break;
      }
      case Key::DDD:
        s = fmt_int(tm.yday, fm ? 0 : 3);
        break;
      case Key::IDDD:
        s = fmt_int(wrap(int64_t{date2j(tm.year, tm.mon, tm.mday)} -
                         isoweek2j(detail::date2isoyear(tm.year, tm.mon, tm.mday), 1) + 1),
                    fm ? 0 : 3);
        break;
      case Key::DD:
        s = fmt_int(tm.mday, fm ? 0 : 2);
        break;
      case Key::D:
        invalid_for_interval(v);
        s = std::to_string(tm.wday + 1);
        break;
      case Key::ID:
        invalid_for_interval(v);
        s = std::to_string(tm.wday == 0 ? 7 : tm.wday);
        break;
      case Key::WW:
        s = fmt_int((tm.yday - 1) / 7 + 1, fm ? 0 : 2);
        break;
      case Key::IW:
        s = fmt_int(detail::date2isoweek(tm.year, tm.mon, tm.mday), fm ? 0 : 2);
        break;
      case Key::Q:
        if (!tm.mon) continue;
        s = std::to_string((tm.mon - 1) / 3 + 1);
        break;
      case Key::CC: {
        int c = v.interval ? tm.year / 100 : (tm.year > 0 ? (tm.year - 1) / 100 + 1 : tm.year / 100 - 1);
        s = c <= 99 && c >= -99 ? fmt_int(c, fm ? 0 : (c >= 0 ? 2 : 3)) : std::to_string(c);
        break;
      }
      case Key::Y_YYY: {
        int y = adjust_year(tm.year, v.interval);
        int k = y / 1000;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%d,%03d", k, y - k * 1000);
        s = buf;
        break;
      }
      case Key::YYYY:
      case Key::IYYY:
      case Key::YYY:
      case Key::IYY:
      case Key::YY:
      case Key::IY:
      case Key::Y:
      case Key::I: {
        Key k = it.kw->key;
        bool iso = k == Key::IYYY || k == Key::IYY || k == Key::IY || k == Key::I;
        int y = adjust_year(iso ? detail::date2isoyear(tm.year, tm.mon, tm.mday) : tm.year, v.interval);
        int digits = k == Key::YYYY || k == Key::IYYY ? 4
                     : k == Key::YYY || k == Key::IYY ? 3
                     : k == Key::YY || k == Key::IY   ? 2
                                                      : 1;
        // The width follows the calendar year's sign even for an ISO year, as PostgreSQL's.
        bool nonneg = adjust_year(tm.year, v.interval) >= 0;
        std::string full = fmt_int(y, fm && digits != 1 ? 0 : (nonneg ? digits : digits + 1));
        if (digits == 4 || full.size() <= static_cast<size_t>(digits))
          s = full;
        else
          s = full.substr(full.size() - digits);
        break;
      }
      case Key::RM:
      case Key::rm: {
        numeric = false;
        if (!tm.mon && !tm.year) break;
        int idx = tm.mon == 0 ? (tm.year >= 0 ? 0 : 11) : tm.mon < 0 ? -(tm.mon + 1) : 12 - tm.mon;
        std::string r = it.kw->key == Key::RM ? kRomanUpper[idx] : kRomanLower[idx];
        s = fm ? r : pad_right(r, 4);
        break;
      }
      case Key::W:
        s = std::to_string((tm.mday - 1) / 7 + 1);
        break;
      case Key::J:
        s = std::to_string(date2j(tm.year, tm.mon, tm.mday));
        break;
      case Key::FX:
        numeric = false;
        break;
    }
    if (numeric && (it.flags & (kThUpper | kThLower)))
      s += fmt_template::ordinal_suffix(s, it.flags & kThUpper);
    out += s;
  }
  return out;
}

void set_calendar_days(Tm& tm) {
  int j = date2j(tm.year, tm.mon, tm.mday);
  tm.yday = j - date2j(tm.year, 1, 1) + 1;
  tm.wday = (j + 1) % 7;
}

// ---- to_timestamp(text, template) / to_date(text, template): PostgreSQL's DCH_from_char ----

enum class DateMode { None, Gregorian, IsoWeek };

DateMode date_mode(Key k) {
  switch (k) {
    case Key::DDD:
    case Key::DD:
    case Key::D:
    case Key::MM:
    case Key::MONTH:
    case Key::MON:
    case Key::Month:
    case Key::Mon:
    case Key::month:
    case Key::mon:
    case Key::RM:
    case Key::rm:
    case Key::WW:
    case Key::W:
    case Key::Y_YYY:
    case Key::YYYY:
    case Key::YYY:
    case Key::YY:
    case Key::Y:
      return DateMode::Gregorian;
    case Key::IDDD:
    case Key::ID:
    case Key::IW:
    case Key::IYYY:
    case Key::IYY:
    case Key::IY:
    case Key::I:
      return DateMode::IsoWeek;
    default:
      return DateMode::None;
  }
}

// Keywords whose field is a number (PostgreSQL's is_digit): a template item after one of them must be
// matched at a fixed width unless FM or a separator follows.
bool is_digit_key(Key k) {
  switch (k) {
    case Key::CC:
    case Key::DDD:
    case Key::DD:
    case Key::D:
    case Key::FF1:
    case Key::FF2:
    case Key::FF3:
    case Key::FF4:
    case Key::FF5:
    case Key::FF6:
    case Key::HH24:
    case Key::HH12:
    case Key::HH:
    case Key::IDDD:
    case Key::ID:
    case Key::IW:
    case Key::IYYY:
    case Key::IYY:
    case Key::IY:
    case Key::I:
    case Key::J:
    case Key::MI:
    case Key::MM:
    case Key::MS:
    case Key::Q:
    case Key::SSSSS:
    case Key::SSSS:
    case Key::SS:
    case Key::TZM:
    case Key::US:
    case Key::WW:
    case Key::W:
    case Key::Y_YYY:
    case Key::YYYY:
    case Key::YYY:
    case Key::YY:
    case Key::Y:
      return true;
    default:
      return false;
  }
}

// What the input set (PostgreSQL's TmFromChar); 0 means not set.
struct FromChar {
  DateMode mode = DateMode::None;
  int hh = 0, pm = 0, mi = 0, ss = 0, ssss = 0, d = 0, dd = 0, ddd = 0, mm = 0, ms = 0, year = 0, bc = 0,
      ww = 0, w = 0, cc = 0, j = 0, us = 0, yysz = 0, ff = 0, tzsign = 0, tzh = 0, tzm = 0;
  bool clock12 = false;
};

[[noreturn]] void bad_format(std::string msg, std::string detail = {}, std::string hint = {}) {
  throw SqlError(SqlState::InvalidDatetimeFormat, std::move(msg))
      .with_detail(std::move(detail))
      .with_hint(std::move(hint));
}

void set_field(int& dest, int value, const Item& it) {
  if (dest != 0 && dest != value)
    bad_format(std::string("conflicting values for \"") + it.kw->name + "\" field in formatting string",
               "This value contradicts a previous setting for the same field type.");
  dest = value;
}

bool next_is_separator(const std::vector<Item>& items, size_t n) {
  const Item& it = items[n];
  if (it.kind == ItemKind::Action && (it.flags & (kThUpper | kThLower))) return true;
  if (n + 1 >= items.size()) return true;  // the end of the template counts as a separator
  const Item& next = items[n + 1];
  if (next.kind == ItemKind::Action) return !is_digit_key(next.kw->key);
  return !(next.text.size() == 1 && next.text[0] >= '0' && next.text[0] <= '9');
}

// strtol over s from i: returns the value, sets `end`. Leading white space and a sign are accepted.
long parse_long(std::string_view s, size_t i, size_t* end, bool* overflow) {
  size_t p = i;
  while (p < s.size() && is_space(s[p])) ++p;
  bool neg = false;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) neg = s[p++] == '-';
  size_t digits = p;
  long long v = 0;
  *overflow = false;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
    if (v > (LLONG_MAX - 9) / 10)
      *overflow = true;
    else
      v = v * 10 + (s[p] - '0');
    ++p;
  }
  if (p == digits) {
    *end = i;
    return 0;
  }
  *end = p;
  return static_cast<long>(neg ? -v : v);
}

// PostgreSQL's from_char_parse_int_len: an integer of exactly `len` characters, or as many as there are
// in FM mode or before a separator. Returns the characters consumed.
int parse_int_field(int* dest, std::string_view s, size_t& pos, int len, const std::vector<Item>& items,
                    size_t n) {
  const Item& it = items[n];
  while (pos < s.size() && is_space(s[pos])) ++pos;
  size_t init = pos;
  std::string copy(s.substr(pos, static_cast<size_t>(len)));
  bool overflow = false;
  long result;
  if ((it.flags & kFm) || next_is_separator(items, n)) {
    size_t end;
    result = parse_long(s, pos, &end, &overflow);
    pos = end;
  } else {
    if (copy.size() < static_cast<size_t>(len))
      bad_format(std::string("source string too short for \"") + it.kw->name + "\" formatting field",
                 "Field requires " + std::to_string(len) + " characters, but only " +
                     std::to_string(copy.size()) + " remain.",
                 "If your source string is not fixed-width, try using the \"FM\" modifier.");
    size_t end;
    result = parse_long(copy, 0, &end, &overflow);
    if (end > 0 && end < static_cast<size_t>(len))
      bad_format("invalid value \"" + copy + "\" for \"" + it.kw->name + "\"",
                 "Field requires " + std::to_string(len) + " characters, but only " + std::to_string(end) +
                     " could be parsed.",
                 "If your source string is not fixed-width, try using the \"FM\" modifier.");
    pos += end;
  }
  if (pos == init)
    bad_format("invalid value \"" + copy + "\" for \"" + it.kw->name + "\"", "Value must be an integer.");
  if (overflow || result < INT_MIN || result > INT_MAX)
    throw SqlError(SqlState::DatetimeFieldOverflow,
                   std::string("value for \"") + it.kw->name + "\" in source string is out of range")
        .with_detail("Value must be in the range -2147483648 to 2147483647.");
  if (dest) set_field(*dest, static_cast<int>(result), it);
  return static_cast<int>(pos - init);
}

// PostgreSQL's from_char_seq_search: the first of `words` that the input starts with, case-insensitively.
int match_word(std::string_view s, size_t& pos, const char* const* words, size_t count, const Item& it,
               size_t prefix = 0) {
  for (size_t w = 0; w < count; ++w) {
    std::string_view word = prefix ? std::string_view(words[w], prefix) : std::string_view(words[w]);
    if (s.size() - pos < word.size()) continue;
    bool eq = true;
    for (size_t k = 0; k < word.size() && eq; ++k) {
      char a = s[pos + k], b = word[k];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
      eq = a == b;
    }
    if (eq) {
      pos += word.size();
      return static_cast<int>(w);
    }
  }
  std::string copy(s.substr(pos));
  for (size_t k = 0; k < copy.size(); ++k)
    if (is_space(copy[k])) {
      copy.resize(k);
      break;
    }
  bad_format("invalid value \"" + copy + "\" for \"" + it.kw->name + "\"",
             "The given value did not match any of the allowed values for this field.");
}

void skip_th(std::string_view s, size_t& pos, const Item& it) {
  if (!(it.flags & (kThUpper | kThLower))) return;
  for (int k = 0; k < 2 && pos < s.size(); ++k) pos += char_len(s, pos);
}

int adjust_partial_year(int year) {
  if (year < 70) return year + 2000;
  if (year < 100) return year + 1900;
  if (year < 520) return year + 2000;
  if (year < 1000) return year + 1000;
  return year;
}

FromChar from_char(std::string_view s, const std::vector<Item>& items) {
  static constexpr const char* kAmPm[] = {"am", "pm"};
  static constexpr const char* kAmPmLong[] = {"a.m.", "p.m."};
  static constexpr const char* kAdBc[] = {"ad", "bc"};
  static constexpr const char* kAdBcLong[] = {"a.d.", "b.c."};
  FromChar out;
  bool fx = false;
  int extra_skip = 0;
  size_t pos = 0;
  for (size_t n = 0; n < items.size() && pos < s.size(); ++n) {
    const Item& it = items[n];
    if (!fx && (it.kind == ItemKind::Action ? it.kw->key != Key::FX : n == 0)) {
      while (pos < s.size() && is_space(s[pos])) {
        ++pos;
        ++extra_skip;
      }
    }
    if (it.kind == ItemKind::Space || it.kind == ItemKind::Separator) {
      if (!fx) {
        // One template space or separator matches one space or separator of the input, or nothing.
        --extra_skip;
        if (pos < s.size() && (is_space(s[pos]) || is_separator(s[pos]))) {
          ++pos;
          ++extra_skip;
        }
      } else {
        pos += char_len(s, pos);
      }
      continue;
    }
    if (it.kind == ItemKind::Char) {
      // Literal text consumes one input character, whatever it is (unless spaces were skipped).
      if (!fx && extra_skip > 0)
        --extra_skip;
      else
        pos += char_len(s, pos);
      continue;
    }
    Key k = it.kw->key;
    DateMode m = date_mode(k);
    if (m != DateMode::None) {
      if (out.mode == DateMode::None)
        out.mode = m;
      else if (out.mode != m)
        bad_format("invalid combination of date conventions", {},
                   "Do not mix Gregorian and ISO week date conventions in a formatting template.");
    }
    int len = static_cast<int>(std::strlen(it.kw->name));
    switch (k) {
      case Key::FX:
        fx = true;
        break;
      case Key::A_M:
      case Key::P_M:
      case Key::a_m:
      case Key::p_m:
        set_field(out.pm, match_word(s, pos, kAmPmLong, 2, it) % 2, it);
        out.clock12 = true;
        break;
      case Key::AM:
      case Key::PM:
      case Key::am:
      case Key::pm:
        set_field(out.pm, match_word(s, pos, kAmPm, 2, it) % 2, it);
        out.clock12 = true;
        break;
      case Key::HH:
      case Key::HH12:
        parse_int_field(&out.hh, s, pos, 2, items, n);
        out.clock12 = true;
        skip_th(s, pos, it);
        break;
      case Key::HH24:
        parse_int_field(&out.hh, s, pos, 2, items, n);
        skip_th(s, pos, it);
        break;
      case Key::MI:
        parse_int_field(&out.mi, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::SS:
        parse_int_field(&out.ss, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::MS: {
        int used = parse_int_field(&out.ms, s, pos, 3, items, n);
        out.ms = wrap(int64_t{out.ms} * (used == 1   ? 100
                                         : used == 2 ? 10
                                                     : 1));  // 25 and 250 are 0.25 s; 025 is 0.025 s
        skip_th(s, pos, it);
        break;
      }
      case Key::FF1:
      case Key::FF2:
      case Key::FF3:
      case Key::FF4:
      case Key::FF5:
      case Key::FF6:
      case Key::US: {
        if (k != Key::US) out.ff = static_cast<int>(k) - static_cast<int>(Key::FF1) + 1;
        int used = parse_int_field(&out.us, s, pos, k == Key::US ? 6 : out.ff, items, n);
        static constexpr int kScale[] = {1, 100000, 10000, 1000, 100, 10, 1};
        out.us = wrap(int64_t{out.us} * kScale[std::min(used, 6)]);
        skip_th(s, pos, it);
        break;
      }
      case Key::SSSSS:
      case Key::SSSS:
        parse_int_field(&out.ssss, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::tz:
      case Key::TZ:
      case Key::OF:
        throw SqlError(SqlState::FeatureNotSupported,
                       std::string("formatting field \"") + it.kw->name + "\" is only supported in to_char");
      case Key::TZH:
        // A negative TZH's minus sign may have been skipped as a separator.
        if (pos < s.size() && (s[pos] == '+' || s[pos] == '-' || s[pos] == ' ')) {
          out.tzsign = s[pos] == '-' ? -1 : 1;
          ++pos;
        } else {
          out.tzsign = extra_skip > 0 && pos > 0 && s[pos - 1] == '-' ? -1 : 1;
        }
        parse_int_field(&out.tzh, s, pos, 2, items, n);
        break;
      case Key::TZM:
        if (!out.tzsign) out.tzsign = 1;
        parse_int_field(&out.tzm, s, pos, 2, items, n);
        break;
      case Key::A_D:
      case Key::B_C:
      case Key::a_d:
      case Key::b_c:
        set_field(out.bc, match_word(s, pos, kAdBcLong, 2, it) % 2, it);
        break;
      case Key::AD:
      case Key::BC:
      case Key::ad:
      case Key::bc:
        set_field(out.bc, match_word(s, pos, kAdBc, 2, it) % 2, it);
        break;
      case Key::MONTH:
      case Key::Month:
      case Key::month:
        set_field(out.mm, match_word(s, pos, kMonths, 12, it) + 1, it);
        break;
      case Key::MON:
      case Key::Mon:
      case Key::mon:
        set_field(out.mm, match_word(s, pos, kMonths, 12, it, 3) + 1, it);
        break;
      case Key::MM:
        parse_int_field(&out.mm, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::DAY:
      case Key::Day:
      case Key::day:
        set_field(out.d, match_word(s, pos, kDays, 7, it), it);
        out.d++;
        break;
      case Key::DY:
      case Key::Dy:
      case Key::dy:
        set_field(out.d, match_word(s, pos, kDays, 7, it, 3), it);
        out.d++;
        break;
      case Key::DDD:
        parse_int_field(&out.ddd, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::IDDD:
        parse_int_field(&out.ddd, s, pos, 3, items, n);
        skip_th(s, pos, it);
        break;
      case Key::DD:
        parse_int_field(&out.dd, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::D:
        parse_int_field(&out.d, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::ID:
        parse_int_field(&out.d, s, pos, 1, items, n);
        out.d = wrap(int64_t{out.d} + 1);
        if (out.d > 7) out.d = 1;  // Gregorian numbering: Sunday = 1
        skip_th(s, pos, it);
        break;
      case Key::WW:
      case Key::IW:
        parse_int_field(&out.ww, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::Q:  // parsed and ignored, as PostgreSQL
        parse_int_field(nullptr, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::CC:
        parse_int_field(&out.cc, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::Y_YYY: {
        size_t end1, end2;
        bool of1 = false, of2 = false;
        long millennia = parse_long(s, pos, &end1, &of1);
        bool ok = end1 > pos && end1 < s.size() && s[end1] == ',';
        long years = 0;
        if (ok) {
          // %03d: up to three digits
          std::string three(s.substr(end1 + 1, 3));
          size_t e;
          years = parse_long(three, 0, &e, &of2);
          ok = e > 0;
          end2 = end1 + 1 + e;
        }
        if (!ok) bad_format("invalid input string for \"Y,YYY\"");
        set_field(out.year,
                  wrap(static_cast<int64_t>(static_cast<uint64_t>(years) +
                                            static_cast<uint64_t>(millennia) * 1000)),
                  it);
        out.yysz = 4;
        pos = end2;
        skip_th(s, pos, it);
        break;
      }
      case Key::YYYY:
      case Key::IYYY:
        parse_int_field(&out.year, s, pos, len, items, n);
        out.yysz = 4;
        skip_th(s, pos, it);
        break;
      case Key::YYY:
      case Key::IYY:
      case Key::YY:
      case Key::IY:
      case Key::Y:
      case Key::I: {
        int used = parse_int_field(&out.year, s, pos, len, items, n);
        if (used < 4) out.year = adjust_partial_year(out.year);
        out.yysz = len;
        skip_th(s, pos, it);
        break;
      }
      case Key::RM:
      case Key::rm:
        set_field(out.mm, 12 - match_word(s, pos, kRomanLower, 12, it), it);
        break;
      case Key::W:
        parse_int_field(&out.w, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
      case Key::J:
        parse_int_field(&out.j, s, pos, len, items, n);
        skip_th(s, pos, it);
        break;
    }
    if (!fx) {
      extra_skip = 0;
      while (pos < s.size() && is_space(s[pos])) {
        ++pos;
        ++extra_skip;
      }
    }
  }
  return out;
}

[[noreturn]] void field_overflow(std::string_view input) {
  detail::raise(SqlState::DatetimeFieldOverflow,
                "date/time field value out of range: \"" + std::string(input) + "\"");
}

// PostgreSQL's do_to_timestamp: the fields of `input` read with `fmt`; sets the zone offset (seconds
// east) when the template had TZH / TZM.
void to_tm(std::string_view input, std::string_view fmt, Tm& tm, int64_t& fsec, std::optional<int>& offset,
           int* precision = nullptr) {
  tm = Tm{};
  tm.mday = tm.mon = 1;
  fsec = 0;
  if (fmt.empty()) return;
  FromChar f = from_char(input, parse_format(fmt));
  constexpr int kYear = 1, kMonth = 2, kDay = 4, kDate = kYear | kMonth | kDay;
  int fmask = 0;
  if (f.ssss) {
    tm.hour = f.ssss / 3600;
    tm.min = f.ssss % 3600 / 60;
    tm.sec = f.ssss % 60;
  }
  if (f.ss) tm.sec = f.ss;
  if (f.mi) tm.min = f.mi;
  if (f.hh) tm.hour = f.hh;
  if (f.clock12) {
    if (tm.hour < 1 || tm.hour > 12)
      bad_format("hour \"" + std::to_string(tm.hour) + "\" is invalid for the 12-hour clock", {},
                 "Use the 24-hour clock, or give an hour between 1 and 12.");
    if (f.pm && tm.hour < 12)
      tm.hour += 12;
    else if (!f.pm && tm.hour == 12)
      tm.hour = 0;
  }
  if (f.year) {
    if (f.cc && f.yysz <= 2) {
      // CC with YY: YY are the low digits of a year of that century (the 21st is 2001-2100).
      if (f.bc) f.cc = wrap(-int64_t{f.cc});
      tm.year = f.year % 100;
      if (tm.year) {
        if (f.cc >= 0)
          tm.year = wrap(tm.year + (int64_t{f.cc} - 1) * 100);
        else
          tm.year = wrap((int64_t{f.cc} + 1) * 100 - tm.year + 1);
      } else {
        tm.year = wrap(int64_t{f.cc} * 100 + (f.cc >= 0 ? 0 : 1));
      }
    } else {
      tm.year = f.year;
      if (f.bc) tm.year = wrap(-int64_t{tm.year});
      if (tm.year < 0) tm.year++;  // year 0 is 1 BC
    }
    fmask |= kYear;
  } else if (f.cc) {
    if (f.bc) f.cc = wrap(-int64_t{f.cc});
    tm.year = wrap(f.cc >= 0 ? (int64_t{f.cc} - 1) * 100 + 1 : int64_t{f.cc} * 100 + 1);
    fmask |= kYear;
  }
  if (f.j) {
    j2date(f.j, &tm.year, &tm.mon, &tm.mday);
    fmask |= kDate;
  }
  if (f.ww) {
    if (f.mode == DateMode::IsoWeek) {
      int jday = isoweek2j(tm.year, f.ww);
      if (f.d) jday = wrap(int64_t{jday} + (f.d > 1 ? int64_t{f.d} - 2 : 6));  // Sunday = 1 -> Monday = 1
      j2date(jday, &tm.year, &tm.mon, &tm.mday);
      fmask |= kDate;
    } else {
      f.ddd = wrap((int64_t{f.ww} - 1) * 7 + 1);
    }
  }
  if (f.w) f.dd = wrap((int64_t{f.w} - 1) * 7 + 1);
  if (f.dd) {
    tm.mday = f.dd;
    fmask |= kDay;
  }
  if (f.mm) {
    tm.mon = f.mm;
    fmask |= kMonth;
  }
  if (f.ddd && (tm.mon <= 1 || tm.mday <= 1)) {
    if (!tm.year && !f.bc) bad_format("cannot calculate day of year without year information");
    if (f.mode == DateMode::IsoWeek) {
      int64_t j0 = int64_t{isoweek2j(tm.year, 1)} - 1;
      j2date(wrap(j0 + f.ddd), &tm.year, &tm.mon, &tm.mday);
      fmask |= kDate;
    } else {
      static constexpr int kYsum[2][13] = {{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
                                           {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}};
      const int* y = kYsum[is_leap(tm.year) ? 1 : 0];
      int i = 1;
      for (; i <= 12; i++)
        if (f.ddd <= y[i]) break;
      if (tm.mon <= 1) tm.mon = i;
      if (tm.mday <= 1) tm.mday = wrap(int64_t{f.ddd} - y[i - 1]);
      fmask |= kMonth | kDay;
    }
  }
  if (precision) *precision = f.ff;
  if (f.ms) fsec += static_cast<int64_t>(f.ms) * 1000;
  if (f.us) fsec += f.us;
  if (fmask) {
    if ((fmask & kMonth) && (tm.mon < 1 || tm.mon > 12)) field_overflow(input);
    if ((fmask & kDay) && (tm.mday < 1 || tm.mday > 31)) field_overflow(input);
    if ((fmask & kDate) == kDate && tm.mday > days_in_month(tm.year, tm.mon)) field_overflow(input);
  }
  if (tm.hour < 0 || tm.hour >= 24 || tm.min < 0 || tm.min >= 60 || tm.sec < 0 || tm.sec >= 60 || fsec < 0 ||
      fsec >= kUsecPerSec)
    field_overflow(input);
  if (f.tzsign) {
    if (f.tzh < 0 || f.tzh > 15 || f.tzm < 0 || f.tzm >= 60)
      detail::raise(SqlState::InvalidTimeZoneDisplacementValue,
                    "time zone displacement out of range: \"" + std::string(input) + "\"");
    offset = f.tzsign * (f.tzh * 3600 + f.tzm * 60);
  }
}

}  // namespace

std::optional<std::string> to_char_timestamp(Timestamp t, std::string_view fmt) {
  if (fmt.empty() || !ts_finite(t)) return std::nullopt;
  Fields v;
  if (!detail::timestamp2tm(t, &v.tm, &v.fsec, nullptr)) detail::ts_out_of_range();
  set_calendar_days(v.tm);
  v.hour = v.tm.hour;
  return render(parse_format(fmt), v);
}

std::optional<std::string> to_char_timestamptz(TimestampTz t, std::string_view fmt, const TimeZone& tz) {
  if (fmt.empty() || !ts_finite(t)) return std::nullopt;
  Fields v;
  if (!detail::timestamp2tm(t, &v.tm, &v.fsec, &tz)) detail::ts_out_of_range();
  set_calendar_days(v.tm);
  v.hour = v.tm.hour;
  std::string abbrev;
  int64_t utime = (t - v.fsec) / kUsecPerSec + (int64_t)(kPostgresEpochJdate - kUnixEpochJdate) * 86400;
  tz.offset_at_utc(utime, nullptr, &abbrev);
  v.tzn = &abbrev;
  return render(parse_format(fmt), v);
}

std::optional<std::string> to_char_interval(const Interval& iv, std::string_view fmt) {
  if (fmt.empty()) return std::nullopt;
  Fields v;
  v.interval = true;
  v.tm.year = iv.month / 12;
  v.tm.mon = iv.month % 12;
  v.tm.mday = iv.day;
  int64_t time = iv.time;
  v.hour = time / kUsecPerHour;
  time -= v.hour * kUsecPerHour;
  v.tm.min = static_cast<int>(time / kUsecPerMinute);
  time -= static_cast<int64_t>(v.tm.min) * kUsecPerMinute;
  v.tm.sec = static_cast<int>(time / kUsecPerSec);
  v.fsec = time - static_cast<int64_t>(v.tm.sec) * kUsecPerSec;
  v.tm.hour = static_cast<int>(v.hour % 24);
  // wday is meaningless; yday approximates the span in days, as PostgreSQL's interval_to_char.
  v.tm.yday = wrap((int64_t{v.tm.year} * 12 + v.tm.mon) * 30 + v.tm.mday);
  return render(parse_format(fmt), v);
}

TimestampTz to_timestamp_format(std::string_view input, std::string_view fmt, const TimeZone& session_tz) {
  Tm tm;
  int64_t fsec;
  std::optional<int> offset;
  int precision = 0;
  to_tm(input, fmt, tm, fsec, offset, &precision);
  int east = offset ? *offset : detail::determine_offset(&tm, session_tz);
  Timestamp r;
  if (!detail::tm2timestamp(tm, fsec, &east, &r)) detail::ts_out_of_range();
  return precision ? timestamp_round(r, precision) : r;  // FFn rounds to n digits
}

Date to_date_format(std::string_view input, std::string_view fmt) {
  Tm tm;
  int64_t fsec;
  std::optional<int> offset;
  to_tm(input, fmt, tm, fsec, offset);
  auto out_of_range = [&] {
    detail::raise(SqlState::DatetimeFieldOverflow, "date out of range: \"" + std::string(input) + "\"");
  };
  if (!detail::valid_julian(tm.year, tm.mon, tm.mday)) out_of_range();
  int64_t d = static_cast<int64_t>(date2j(tm.year, tm.mon, tm.mday)) - kPostgresEpochJdate;
  if (!detail::valid_date(d)) out_of_range();
  return static_cast<Date>(d);
}

}  // namespace omendb::dt
