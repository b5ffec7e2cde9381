// Derived from PostgreSQL (PostgreSQL Licence, see NOTICE and LICENSES/PostgreSQL.txt):
// Portions Copyright (c) 1996-2022, PostgreSQL Global Development Group;
// Portions Copyright (c) 1994, The Regents of the University of California.
// Text input of DATE, TIME, TIMESTAMP, TIMESTAMPTZ and INTERVAL with PostgreSQL 15's grammar: the input
// is split into typed fields (ParseDateTime), which are then decoded left to right (dates and times) or
// right to left (intervals), with PostgreSQL's heuristics for ambiguous numbers (DateStyle MDY).
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/datetime_internal.h"

namespace omendb::dt {

using namespace detail;

namespace {

enum DtErr {
  kOk = 0,
  kBadFormat = -1,
  kFieldOverflow = -2,
  kMdFieldOverflow = -3,
  kIntervalOverflow = -4,
  kTzDispOverflow = -5
};

constexpr int M(int t) {
  return 1 << t;
}
constexpr int kDateM = M(kYear) | M(kMonth) | M(kDay);
constexpr int kAllSecsM = M(kSecond) | M(kMillisecond) | M(kMicrosecond);
constexpr int kTimeM = M(kHour) | M(kMinute) | kAllSecsM;
constexpr int kWeekM = 1 << 24, kDecadeM = 1 << 25, kCenturyM = 1 << 26, kMillenniumM = 1 << 27;
constexpr int kMaxDateFields = 25;

[[noreturn]] void parse_error(int dterr, std::string_view str, const char* type) {
  std::string s(str);
  switch (dterr) {
    case kFieldOverflow:
    case kMdFieldOverflow:
      raise(SqlState::DatetimeFieldOverflow, "date/time field value out of range: \"" + s + "\"");
    case kIntervalOverflow:
      raise(SqlState::IntervalFieldOverflow, "interval field value out of range: \"" + s + "\"");
    case kTzDispOverflow:
      raise(SqlState::InvalidTimeZoneDisplacementValue, "time zone displacement out of range: \"" + s + "\"");
    default:
      raise(SqlState::InvalidDatetimeFormat,
            std::string("invalid input syntax for type ") + type + ": \"" + s + "\"");
  }
}

// strtoll(s, end, 10) without the locale machinery: leading white space, one optional sign, digits.
// *range is set on int64 overflow (then the value saturates, as strtoll's does).
long long parse_int64(const char* s, const char** end, bool* range) {
  const char* p = s;
  while (std::isspace((unsigned char)*p)) p++;
  bool neg = false;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  if (!std::isdigit((unsigned char)*p)) {
    *end = s;  // no conversion
    *range = false;
    return 0;
  }
  unsigned long long v = 0;
  bool over = false;
  for (; std::isdigit((unsigned char)*p); p++) {
    unsigned d = (unsigned)(*p - '0');
    if (v > (ULLONG_MAX - d) / 10)
      over = true;
    else
      v = v * 10 + d;
  }
  *end = p;
  unsigned long long limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
  if (over || v > limit) {
    *range = true;
    return neg ? LLONG_MIN : LLONG_MAX;
  }
  *range = false;
  return neg ? (long long)(0 - v) : (long long)v;
}

// strtol into an int, flagging values outside int32 as ERANGE (PostgreSQL's strtoint).
int strtoint(const char* s, const char** end, bool* range) {
  long long v = parse_int64(s, end, range);
  if (v < INT_MIN || v > INT_MAX) *range = true;
  return (int)v;
}

struct Fields {
  Fields() {
    f.reserve(8);
    t.reserve(8);
  }
  std::vector<std::string> f;
  std::vector<int> t;
};

bool is_alpha(char c) {
  return std::isalpha((unsigned char)c);
}
bool is_digit(char c) {
  return std::isdigit((unsigned char)c);
}
bool is_alnum(char c) {
  return std::isalnum((unsigned char)c);
}
char lower(char c) {
  return (char)std::tolower((unsigned char)c);
}

// PostgreSQL's ParseDateTime. bufsize emulates its fixed work buffer (longer input is rejected).
int parse_fields(std::string_view in, Fields* out, size_t bufsize) {
  size_t used = 0;
  size_t i = 0;
  const size_t n = in.size();
  auto at = [&](size_t k) -> char { return k < n ? in[k] : '\0'; };
  while (i < n) {
    char c = in[i];
    if (std::isspace((unsigned char)c)) {
      i++;
      continue;
    }
    if ((int)out->f.size() >= kMaxDateFields) return kBadFormat;
    std::string field;
    int type = 0;
    auto append = [&](char ch) {
      if (used + 1 >= bufsize) return false;
      used++;
      field.push_back(ch);
      return true;
    };
#define APPEND(ch) \
  if (!append(ch)) return kBadFormat
    if (is_digit(c)) {
      APPEND(in[i++]);
      while (is_digit(at(i))) APPEND(in[i++]);
      if (at(i) == ':') {
        type = DTK_TIME;
        APPEND(in[i++]);
        while (is_digit(at(i)) || at(i) == ':' || at(i) == '.') APPEND(in[i++]);
      } else if (at(i) == '-' || at(i) == '/' || at(i) == '.') {
        char delim = in[i];
        APPEND(in[i++]);
        if (is_digit(at(i))) {
          type = delim == '.' ? DTK_NUMBER : DTK_DATE;
          while (is_digit(at(i))) APPEND(in[i++]);
          if (at(i) == delim) {
            type = DTK_DATE;
            APPEND(in[i++]);
            while (is_digit(at(i)) || at(i) == delim) APPEND(in[i++]);
          }
        } else {
          type = DTK_DATE;
          while (is_alnum(at(i)) || at(i) == delim) APPEND(lower(in[i++]));
        }
      } else {
        type = DTK_NUMBER;
      }
    } else if (c == '.') {
      APPEND(in[i++]);
      while (is_digit(at(i))) APPEND(in[i++]);
      type = DTK_NUMBER;
    } else if (is_alpha(c)) {
      type = DTK_STRING;
      APPEND(lower(in[i++]));
      while (is_alpha(at(i))) APPEND(lower(in[i++]));
      bool is_date = false;
      if (at(i) == '-' || at(i) == '/' || at(i) == '.') {
        is_date = true;
      } else if (at(i) == '+' || is_digit(at(i))) {
        if (!lookup_datetoken(field)) is_date = true;
      }
      if (is_date) {
        type = DTK_DATE;
        do {
          APPEND(lower(in[i++]));
        } while (at(i) == '+' || at(i) == '-' || at(i) == '/' || at(i) == '_' || at(i) == '.' ||
                 at(i) == ':' || is_alnum(at(i)));
      }
    } else if (c == '+' || c == '-') {
      APPEND(in[i++]);
      while (i < n && std::isspace((unsigned char)in[i])) i++;
      if (is_digit(at(i))) {
        type = DTK_TZ;
        APPEND(in[i++]);
        while (is_digit(at(i)) || at(i) == ':' || at(i) == '.' || at(i) == '-') APPEND(in[i++]);
      } else if (is_alpha(at(i))) {
        type = DTK_SPECIAL;
        APPEND(lower(in[i++]));
        while (is_alpha(at(i))) APPEND(lower(in[i++]));
      } else {
        return kBadFormat;
      }
    } else if (std::ispunct((unsigned char)c)) {
      i++;
      continue;
    } else {
      return kBadFormat;
    }
#undef APPEND
    if (used + 1 >= bufsize + 1) return kBadFormat;
    used++;  // the field's terminator
    out->f.push_back(std::move(field));
    out->t.push_back(type);
  }
  return kOk;
}

int parse_fraction(const char* cp, double* frac) {
  if (cp[1] == '\0') {
    *frac = 0;
    return kOk;
  }
  errno = 0;
  char* end = nullptr;
  *frac = std::strtod(cp, &end);
  if (*end != '\0' || errno != 0) return kBadFormat;
  return kOk;
}

int parse_fractional_second(const char* cp, int64_t* fsec) {
  // Fast path: up to 6 digits are exact in microseconds (rint(strtod(".ddd") * 1e6) gives the same).
  int n = 0;
  int64_t v = 0;
  while (n < 7 && std::isdigit((unsigned char)cp[1 + n])) v = v * 10 + (cp[1 + n++] - '0');
  if (n <= 6 && cp[1 + n] == '\0') {
    for (int i = n; i < 6; i++) v *= 10;
    *fsec = v;
    return kOk;
  }
  double frac;
  int e = parse_fraction(cp, &frac);
  if (e) return e;
  *fsec = (int64_t)std::rint(frac * 1000000);
  return kOk;
}

// PostgreSQL's DecodeTimezone: "+hh", "+hhmm", "+hh:mm[:ss]" -> seconds WEST (tzp convention).
int decode_timezone(const char* str, int* tzp) {
  if (*str != '+' && *str != '-') return kBadFormat;
  bool range;
  const char* cp;
  int hr = strtoint(str + 1, &cp, &range);
  if (range) return kTzDispOverflow;
  int min = 0, sec = 0;
  if (*cp == ':') {
    min = strtoint(cp + 1, &cp, &range);
    if (range) return kTzDispOverflow;
    if (*cp == ':') {
      sec = strtoint(cp + 1, &cp, &range);
      if (range) return kTzDispOverflow;
    }
  } else if (*cp == '\0' && std::strlen(str) > 3) {
    min = hr % 100;
    hr = hr / 100;
  }
  if (hr < 0 || hr > 15) return kTzDispOverflow;
  if (min < 0 || min >= 60) return kTzDispOverflow;
  if (sec < 0 || sec >= 60) return kTzDispOverflow;
  int tz = (hr * 60 + min) * 60 + sec;
  if (*str == '-') tz = -tz;
  *tzp = -tz;
  if (*cp != '\0') return kBadFormat;
  return kOk;
}

// Concatenated number fields: yyyymmdd, yymmdd, hhmmss, hhmm (with optional fraction).
int decode_number_field(std::string str, int fmask, int* tmask, Tm* tm, int64_t* fsec, bool* is2digits) {
  size_t dot = str.find('.');
  if (dot != std::string::npos) {
    double frac = 0;
    errno = 0;
    frac = std::strtod(str.c_str() + dot, nullptr);
    if (errno != 0) return kBadFormat;
    *fsec = (int64_t)std::rint(frac * 1000000);
    str.resize(dot);
  } else if ((fmask & kDateM) != kDateM) {
    size_t len = str.size();
    if (len >= 6) {
      *tmask = kDateM;
      tm->mday = std::atoi(str.c_str() + (len - 2));
      str[len - 2] = '\0';
      tm->mon = std::atoi(str.c_str() + (len - 4));
      str[len - 4] = '\0';
      tm->year = std::atoi(str.c_str());
      if (len - 4 == 2) *is2digits = true;
      return DTK_DATE;
    }
  }
  size_t len = str.size();
  if ((fmask & kTimeM) != kTimeM) {
    if (len == 6) {
      *tmask = kTimeM;
      tm->sec = std::atoi(str.substr(4).c_str());
      tm->min = std::atoi(str.substr(2, 2).c_str());
      tm->hour = std::atoi(str.substr(0, 2).c_str());
      return DTK_TIME;
    } else if (len == 4) {
      *tmask = kTimeM;
      tm->sec = 0;
      tm->min = std::atoi(str.substr(2, 2).c_str());
      tm->hour = std::atoi(str.substr(0, 2).c_str());
      return DTK_TIME;
    }
  }
  return kBadFormat;
}

int decode_number(const std::string& str, bool have_text_month, int fmask, int* tmask, Tm* tm, int64_t* fsec,
                  bool* is2digits) {
  int flen = (int)str.size();
  *tmask = 0;
  bool range;
  const char* cp;
  int val = strtoint(str.c_str(), &cp, &range);
  if (range) return kFieldOverflow;
  if (cp == str.c_str()) return kBadFormat;
  if (*cp == '.') {
    if (cp - str.c_str() > 2) {
      int e = decode_number_field(str, fmask | kDateM, tmask, tm, fsec, is2digits);
      return e < 0 ? e : kOk;
    }
    int e = parse_fractional_second(cp, fsec);
    if (e) return e;
  } else if (*cp != '\0') {
    return kBadFormat;
  }
  if (flen == 3 && (fmask & kDateM) == M(kYear) && val >= 1 && val <= 366) {
    *tmask = M(kDoy) | M(kMonth) | M(kDay);
    tm->yday = val;
    return kOk;
  }
  switch (fmask & kDateM) {
    case 0:
      if (flen >= 3) {  // DateOrder MDY
        *tmask = M(kYear);
        tm->year = val;
      } else {
        *tmask = M(kMonth);
        tm->mon = val;
      }
      break;
    case M(kYear):
      *tmask = M(kMonth);
      tm->mon = val;
      break;
    case M(kMonth):
      if (have_text_month) {
        if (flen >= 3) {
          *tmask = M(kYear);
          tm->year = val;
        } else {
          *tmask = M(kDay);
          tm->mday = val;
        }
      } else {
        *tmask = M(kDay);
        tm->mday = val;
      }
      break;
    case M(kYear) | M(kMonth):
      if (have_text_month) {
        if (flen >= 3 && *is2digits) {
          *tmask = M(kDay);
          tm->mday = tm->year;
          tm->year = val;
          *is2digits = false;
        } else {
          *tmask = M(kDay);
          tm->mday = val;
        }
      } else {
        *tmask = M(kDay);
        tm->mday = val;
      }
      break;
    case M(kDay):
      *tmask = M(kMonth);
      tm->mon = val;
      break;
    case M(kMonth) | M(kDay):
      *tmask = M(kYear);
      tm->year = val;
      break;
    case M(kYear) | M(kMonth) | M(kDay): {
      int e = decode_number_field(str, fmask, tmask, tm, fsec, is2digits);
      return e < 0 ? e : kOk;
    }
    default:
      return kBadFormat;
  }
  if (*tmask == M(kYear)) *is2digits = flen <= 2;
  return kOk;
}

int decode_date(const std::string& s, int fmask, int* tmask, bool* is2digits, Tm* tm) {
  std::string fields[kMaxDateFields];
  size_t nfields = 0;
  *tmask = 0;
  size_t i = 0;
  while (i < s.size() && nfields < (size_t)kMaxDateFields) {
    while (i < s.size() && !is_alnum(s[i])) i++;
    if (i >= s.size()) return kBadFormat;
    size_t start = i;
    if (is_digit(s[i])) {
      while (i < s.size() && is_digit(s[i])) i++;
    } else if (is_alpha(s[i])) {
      while (i < s.size() && is_alpha(s[i])) i++;
    }
    fields[nfields++].assign(s, start, i - start);
    if (i < s.size()) i++;  // the separator
  }
  bool have_text_month = false;
  bool done[kMaxDateFields] = {};
  for (size_t k = 0; k < nfields; k++) {
    if (!fields[k].empty() && is_alpha(fields[k][0])) {
      auto tok = lookup_datetoken(fields[k]);
      if (tok && tok->type == kIgnore) continue;
      if (!tok || tok->type != kMonth) return kBadFormat;
      int dmask = M(kMonth);
      tm->mon = tok->value;
      have_text_month = true;
      if (fmask & dmask) return kBadFormat;
      fmask |= dmask;
      *tmask |= dmask;
      done[k] = true;
    }
  }
  for (size_t k = 0; k < nfields; k++) {
    if (done[k]) continue;
    if (fields[k].empty()) return kBadFormat;
    int dmask;
    int64_t fsec = 0;
    int e = decode_number(fields[k], have_text_month, fmask, &dmask, tm, &fsec, is2digits);
    if (e) return e;
    if (fmask & dmask) return kBadFormat;
    fmask |= dmask;
    *tmask |= dmask;
  }
  if ((fmask & ~(M(kDoy) | M(kTz))) != kDateM) return kBadFormat;
  return kOk;
}

// hh:mm[:ss[.frac]] or mm:ss.frac -> microseconds (PostgreSQL's DecodeTimeCommon).
// hh:mm[:ss[.frac]] or mm:ss.frac, fields kept as written (PostgreSQL's DecodeTime; hour may be large
// for intervals).
// qualifier: an interval field qualifier's range; MINUTE TO SECOND reads hh:mm as mm:ss.
int decode_time_fields(const std::string& s, int* tmask, long long* hour_out, int* min_out, int* sec_out,
                       int64_t* fsec_out, int qualifier = kIntervalFullRange) {
  *tmask = kTimeM;
  bool range;
  const char* cp;
  long long hour = parse_int64(s.c_str(), &cp, &range);
  if (range) return kFieldOverflow;
  if (*cp != ':') return kBadFormat;
  int min = strtoint(cp + 1, &cp, &range);
  if (range) return kFieldOverflow;
  int sec = 0;
  int64_t fsec = 0;
  if (*cp == '\0') {
    sec = 0;
    if (qualifier == (kIntervalMinute | kIntervalSecond)) {
      if (hour > INT_MAX || hour < INT_MIN) return kFieldOverflow;
      sec = min;
      min = (int)hour;
      hour = 0;
    }
  } else if (*cp == '.') {
    int e = parse_fractional_second(cp, &fsec);
    if (e) return e;
    sec = min;
    min = (int)hour;
    hour = 0;
  } else if (*cp == ':') {
    sec = strtoint(cp + 1, &cp, &range);
    if (range) return kFieldOverflow;
    if (*cp == '.') {
      int e = parse_fractional_second(cp, &fsec);
      if (e) return e;
    } else if (*cp != '\0') {
      return kBadFormat;
    }
  } else {
    return kBadFormat;
  }
  if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > kUsecPerSec)
    return kFieldOverflow;
  *hour_out = hour;
  *min_out = min;
  *sec_out = sec;
  *fsec_out = fsec;
  return kOk;
}

// The same as microseconds (intervals).
int decode_time_common(const std::string& s, int* tmask, int64_t* usec, int qualifier) {
  long long hour;
  int min, sec;
  int64_t fsec;
  int e = decode_time_fields(s, tmask, &hour, &min, &sec, &fsec, qualifier);
  if (e) return e;
  __int128 v =
      (__int128)hour * kUsecPerHour + (__int128)min * kUsecPerMinute + (__int128)sec * kUsecPerSec + fsec;
  if (v > INT64_MAX) return kFieldOverflow;
  *usec = (int64_t)v;
  return kOk;
}

int decode_time(const std::string& s, int* tmask, Tm* tm, int64_t* fsec) {
  long long hour;
  int e = decode_time_fields(s, tmask, &hour, &tm->min, &tm->sec, fsec);
  if (e) return e;
  if (hour > INT_MAX) return kFieldOverflow;
  tm->hour = (int)hour;
  return kOk;
}

bool time_overflows(int hour, int min, int sec, int64_t fsec) {
  if (hour < 0 || hour > 24 || min < 0 || min >= 60 || sec < 0 || sec > 60 || fsec < 0 || fsec > kUsecPerSec)
    return true;
  return ((((int64_t)hour * 60 + min) * 60 + sec) * kUsecPerSec + fsec) > kUsecPerDay;
}

int validate_date(int fmask, bool isjulian, bool is2digits, bool bc, Tm* tm) {
  if (fmask & M(kYear)) {
    if (isjulian) {
    } else if (bc) {
      if (tm->year <= 0) return kFieldOverflow;
      tm->year = -(tm->year - 1);
    } else if (is2digits) {
      if (tm->year < 0) return kFieldOverflow;
      if (tm->year < 70)
        tm->year += 2000;
      else if (tm->year < 100)
        tm->year += 1900;
    } else {
      if (tm->year <= 0) return kFieldOverflow;
    }
  }
  if (fmask & M(kDoy)) j2date(date2j(tm->year, 1, 1) + tm->yday - 1, &tm->year, &tm->mon, &tm->mday);
  if (fmask & M(kMonth)) {
    if (tm->mon < 1 || tm->mon > 12) return kMdFieldOverflow;
  }
  if (fmask & M(kDay)) {
    if (tm->mday < 1 || tm->mday > 31) return kMdFieldOverflow;
  }
  if ((fmask & kDateM) == kDateM) {
    if (tm->mday > days_in_month(tm->year, tm->mon)) return kFieldOverflow;
  }
  return kOk;
}

// A DTK_STRING / DTK_SPECIAL field as DecodeDateTime sees it: abbreviations first, then keywords.
struct Special {
  TokType type;
  int value;                    // keyword value, or seconds east for fixed abbreviations
  std::optional<TimeZone> dyn;  // dynamic abbreviation's zone
};
Special decode_special(const std::string& f) {
  if (auto a = lookup_abbrev(f)) {
    if (a->zone) {
      if (auto z = TimeZone::find(a->zone)) return {kDynTz, 0, *z};
    } else {
      return {a->dst ? kDtz : kTz, a->offset, std::nullopt};
    }
  }
  if (auto t = lookup_datetoken(f)) return {t->type, t->value, std::nullopt};
  return {kUnknown, 0, std::nullopt};
}

[[noreturn]] void zone_not_recognized(const std::string& f) {
  raise(SqlState::InvalidParameterValue, "time zone \"" + f + "\" not recognized");
}

void current_date_fields(const DateTimeContext& ctx, Tm* out, int64_t* fsec, int* tzp) {
  Tm t;
  int64_t fs = 0;
  timestamp2tm(ctx.now, &t, &fs, &ctx.tz);
  *out = t;
  if (fsec) *fsec = fs;
  if (tzp) *tzp = -t.gmtoff;
}

// PostgreSQL's DecodeDateTime. *tzp is seconds WEST. Returns kOk, 1 (time but no date), or an error.
int decode_date_time(Fields& fl, int* dtype, Tm* tm, int64_t* fsec, int* tzp, const DateTimeContext& ctx) {
  int fmask = 0, tmask = 0;
  int ptype = 0;
  int mer = 0;  // 0 = 24h, DTK_AM, DTK_PM
  bool have_text_month = false, isjulian = false, is2digits = false, bc = false;
  std::optional<TimeZone> named_tz, abbrev_tz;
  std::string abbrev;
  *dtype = DTK_DATE;
  tm->hour = tm->min = tm->sec = 0;
  *fsec = 0;
  tm->isdst = -1;
  *tzp = 0;
  const int nf = (int)fl.f.size();
  for (int i = 0; i < nf; i++) {
    std::string& f = fl.f[i];
    switch (fl.t[i]) {
      case DTK_DATE:
        if (ptype == DTK_JULIAN) {
          const char* cp;
          bool range;
          int jday = strtoint(f.c_str(), &cp, &range);
          if (range || jday < 0) return kFieldOverflow;
          j2date(jday, &tm->year, &tm->mon, &tm->mday);
          isjulian = true;
          int e = decode_timezone(cp, tzp);
          if (e) return e;
          tmask = kDateM | kTimeM | M(kTz);
          ptype = 0;
          break;
        } else if (ptype != 0 || (fmask & (M(kMonth) | M(kDay))) == (M(kMonth) | M(kDay))) {
          if (is_digit(f[0]) || ptype != 0) {
            if (ptype != 0) {
              if (ptype != DTK_TIME) return kBadFormat;
              ptype = 0;
            }
            if ((fmask & kTimeM) == kTimeM) return kBadFormat;
            size_t dash = f.find('-');
            if (dash == std::string::npos) return kBadFormat;
            int e = decode_timezone(f.c_str() + dash, tzp);
            if (e) return e;
            e = decode_number_field(f.substr(0, dash), fmask, &tmask, tm, fsec, &is2digits);
            if (e < 0) return e;
            tmask |= M(kTz);
          } else {
            named_tz = TimeZone::find(f);
            if (!named_tz) zone_not_recognized(f);
            tmask = M(kTz);
          }
        } else {
          int e = decode_date(f, fmask, &tmask, &is2digits, tm);
          if (e) return e;
        }
        break;
      case DTK_TIME: {
        if (ptype != 0) {
          if (ptype != DTK_TIME) return kBadFormat;
          ptype = 0;
        }
        int e = decode_time(f, &tmask, tm, fsec);
        if (e) return e;
        if (time_overflows(tm->hour, tm->min, tm->sec, *fsec)) return kFieldOverflow;
        break;
      }
      case DTK_TZ: {
        int tz;
        int e = decode_timezone(f.c_str(), &tz);
        if (e) return e;
        *tzp = tz;
        tmask = M(kTz);
        break;
      }
      case DTK_NUMBER:
        if (ptype != 0) {
          const char* cp;
          bool range;
          int value = strtoint(f.c_str(), &cp, &range);
          if (range) return kFieldOverflow;
          if (*cp != '.' && *cp != '\0') return kBadFormat;
          switch (ptype) {
            case DTK_YEAR:
              tm->year = value;
              tmask = M(kYear);
              break;
            case DTK_MONTH:
              if ((fmask & M(kMonth)) && (fmask & M(kHour))) {
                tm->min = value;
                tmask = M(kMinute);
              } else {
                tm->mon = value;
                tmask = M(kMonth);
              }
              break;
            case DTK_DAY:
              tm->mday = value;
              tmask = M(kDay);
              break;
            case DTK_HOUR:
              tm->hour = value;
              tmask = M(kHour);
              break;
            case DTK_MINUTE:
              tm->min = value;
              tmask = M(kMinute);
              break;
            case DTK_SECOND:
              tm->sec = value;
              tmask = M(kSecond);
              if (*cp == '.') {
                int e = parse_fractional_second(cp, fsec);
                if (e) return e;
                tmask = kAllSecsM;
              }
              break;
            case DTK_TZ: {
              tmask = M(kTz);
              int e = decode_timezone(f.c_str(), tzp);
              if (e) return e;
              break;
            }
            case DTK_JULIAN:
              if (value < 0) return kFieldOverflow;
              tmask = kDateM;
              j2date(value, &tm->year, &tm->mon, &tm->mday);
              isjulian = true;
              if (*cp == '.') {
                double time;
                int e = parse_fraction(cp, &time);
                if (e) return e;
                time *= (double)kUsecPerDay;
                dt2time((int64_t)time, &tm->hour, &tm->min, &tm->sec, fsec);
                tmask |= kTimeM;
              }
              break;
            case DTK_TIME: {
              int e = decode_number_field(f, fmask | kDateM, &tmask, tm, fsec, &is2digits);
              if (e < 0) return e;
              if (tmask != kTimeM) return kBadFormat;
              break;
            }
            default:
              return kBadFormat;
          }
          ptype = 0;
          *dtype = DTK_DATE;
        } else {
          size_t flen = f.size();
          size_t dot = f.find('.');
          if (dot != std::string::npos && !(fmask & kDateM)) {
            int e = decode_date(f, fmask, &tmask, &is2digits, tm);
            if (e) return e;
          } else if (dot != std::string::npos && dot > 2) {
            int e = decode_number_field(f, fmask, &tmask, tm, fsec, &is2digits);
            if (e < 0) return e;
          } else if (flen >= 6 && (!(fmask & kDateM) || !(fmask & kTimeM))) {
            int e = decode_number_field(f, fmask, &tmask, tm, fsec, &is2digits);
            if (e < 0) return e;
          } else {
            int e = decode_number(f, have_text_month, fmask, &tmask, tm, fsec, &is2digits);
            if (e) return e;
          }
        }
        break;
      case DTK_STRING:
      case DTK_SPECIAL: {
        Special sp = decode_special(f);
        if (sp.type == kIgnore) continue;
        tmask = M(sp.type);
        switch (sp.type) {
          case kReserved:
            switch (sp.value) {
              case DTK_NOW:
                tmask = kDateM | kTimeM | M(kTz);
                *dtype = DTK_DATE;
                current_date_fields(ctx, tm, fsec, tzp);
                break;
              case DTK_YESTERDAY:
              case DTK_TODAY:
              case DTK_TOMORROW: {
                tmask = kDateM;
                *dtype = DTK_DATE;
                Tm cur;
                current_date_fields(ctx, &cur, nullptr, nullptr);
                int delta = sp.value == DTK_YESTERDAY ? -1 : sp.value == DTK_TOMORROW ? 1 : 0;
                j2date(date2j(cur.year, cur.mon, cur.mday) + delta, &tm->year, &tm->mon, &tm->mday);
                break;
              }
              case DTK_ZULU:
                tmask = kTimeM | M(kTz);
                *dtype = DTK_DATE;
                tm->hour = tm->min = tm->sec = 0;
                *tzp = 0;
                break;
              default:
                *dtype = sp.value;
            }
            break;
          case kMonth:
            if ((fmask & M(kMonth)) && !have_text_month && !(fmask & M(kDay)) && tm->mon >= 1 &&
                tm->mon <= 31) {
              tm->mday = tm->mon;
              tmask = M(kDay);
            }
            have_text_month = true;
            tm->mon = sp.value;
            break;
          case kDtzMod:
            tmask |= M(kDtz);
            tm->isdst = 1;
            *tzp -= sp.value;
            break;
          case kDtz:
            tmask |= M(kTz);
            tm->isdst = 1;
            *tzp = -sp.value;
            break;
          case kTz:
            tm->isdst = 0;
            *tzp = -sp.value;
            break;
          case kDynTz:
            tmask |= M(kTz);
            abbrev_tz = sp.dyn;
            abbrev = f;
            break;
          case kAmPm:
            mer = sp.value;
            break;
          case kAdBc:
            bc = sp.value == DTK_BC;
            break;
          case kDow:
            tm->wday = sp.value;
            break;
          case kUnits:
            tmask = 0;
            ptype = sp.value;
            break;
          case kIsoTime:
            tmask = 0;
            if ((fmask & kDateM) != kDateM) return kBadFormat;
            if (i >= nf - 1 ||
                (fl.t[i + 1] != DTK_NUMBER && fl.t[i + 1] != DTK_TIME && fl.t[i + 1] != DTK_DATE))
              return kBadFormat;
            ptype = sp.value;
            break;
          case kUnknown:
            named_tz = TimeZone::find(f);
            if (!named_tz) return kBadFormat;
            tmask = M(kTz);
            break;
          default:
            return kBadFormat;
        }
        break;
      }
      default:
        return kBadFormat;
    }
    if (tmask & fmask) return kBadFormat;
    fmask |= tmask;
  }
  int e = validate_date(fmask, isjulian, is2digits, bc, tm);
  if (e) return e;
  if (mer != 0 && tm->hour > 12) return kFieldOverflow;
  if (mer == DTK_AM && tm->hour == 12)
    tm->hour = 0;
  else if (mer == DTK_PM && tm->hour != 12)
    tm->hour += 12;
  if (*dtype == DTK_DATE) {
    if ((fmask & kDateM) != kDateM) {
      if ((fmask & kTimeM) == kTimeM) return 1;
      return kBadFormat;
    }
    if (named_tz) {
      if (fmask & M(kDtzMod)) return kBadFormat;
      *tzp = -determine_offset(tm, *named_tz);
    }
    if (abbrev_tz) {
      if (fmask & M(kDtzMod)) return kBadFormat;
      *tzp = -determine_abbrev_offset(tm, abbrev, *abbrev_tz);
    }
    if (!(fmask & M(kTz))) {
      if (fmask & M(kDtzMod)) return kBadFormat;
      *tzp = -determine_offset(tm, ctx.tz);
    }
  }
  return kOk;
}

// PostgreSQL's DecodeTimeOnly (TIME input).
int decode_time_only(Fields& fl, Tm* tm, int64_t* fsec, const DateTimeContext& ctx) {
  int fmask = 0, tmask = 0, ptype = 0, mer = 0;
  bool isjulian = false, is2digits = false, bc = false;
  std::optional<TimeZone> named_tz;
  int tz = 0;
  int* tzp = &tz;
  tm->hour = tm->min = tm->sec = 0;
  *fsec = 0;
  const int nf = (int)fl.f.size();
  for (int i = 0; i < nf; i++) {
    std::string& f = fl.f[i];
    switch (fl.t[i]) {
      case DTK_DATE:
        if (i == 0 && nf >= 2 && (fl.t[nf - 1] == DTK_DATE || fl.t[1] == DTK_TIME)) {
          int e = decode_date(f, fmask, &tmask, &is2digits, tm);
          if (e) return e;
        } else if (is_digit(f[0])) {
          if ((fmask & kTimeM) == kTimeM) return kBadFormat;
          size_t dash = f.find('-');
          if (dash == std::string::npos) return kBadFormat;
          int e = decode_timezone(f.c_str() + dash, tzp);
          if (e) return e;
          e = decode_number_field(f.substr(0, dash), fmask | kDateM, &tmask, tm, fsec, &is2digits);
          if (e < 0) return e;
          fl.t[i] = e;
          tmask |= M(kTz);
        } else {
          named_tz = TimeZone::find(f);
          if (!named_tz) zone_not_recognized(f);
          fl.t[i] = DTK_TZ;
          tmask = M(kTz);
        }
        break;
      case DTK_TIME: {
        if (ptype != 0) {
          if (ptype != DTK_TIME) return kBadFormat;
          ptype = 0;
        }
        int e = decode_time(f, &tmask, tm, fsec);
        if (e) return e;
        break;
      }
      case DTK_TZ: {
        int e = decode_timezone(f.c_str(), tzp);
        if (e) return e;
        tmask = M(kTz);
        break;
      }
      case DTK_NUMBER:
        if (ptype != 0) {
          const char* cp;
          bool range;
          int value = strtoint(f.c_str(), &cp, &range);
          if (range) return kFieldOverflow;
          if (*cp != '.' && *cp != '\0') return kBadFormat;
          switch (ptype) {
            case DTK_YEAR:
              tm->year = value;
              tmask = M(kYear);
              break;
            case DTK_MONTH:
              if ((fmask & M(kMonth)) && (fmask & M(kHour))) {
                tm->min = value;
                tmask = M(kMinute);
              } else {
                tm->mon = value;
                tmask = M(kMonth);
              }
              break;
            case DTK_DAY:
              tm->mday = value;
              tmask = M(kDay);
              break;
            case DTK_HOUR:
              tm->hour = value;
              tmask = M(kHour);
              break;
            case DTK_MINUTE:
              tm->min = value;
              tmask = M(kMinute);
              break;
            case DTK_SECOND:
              tm->sec = value;
              tmask = M(kSecond);
              if (*cp == '.') {
                int e = parse_fractional_second(cp, fsec);
                if (e) return e;
                tmask = kAllSecsM;
              }
              break;
            case DTK_JULIAN: {
              if (value < 0) return kFieldOverflow;
              tmask = kDateM;
              j2date(value, &tm->year, &tm->mon, &tm->mday);
              isjulian = true;
              if (*cp == '.') {
                double time;
                int e = parse_fraction(cp, &time);
                if (e) return e;
                time *= (double)kUsecPerDay;
                dt2time((int64_t)time, &tm->hour, &tm->min, &tm->sec, fsec);
                tmask |= kTimeM;
              }
              break;
            }
            case DTK_TIME: {
              int e = decode_number_field(f, fmask | kDateM, &tmask, tm, fsec, &is2digits);
              if (e < 0) return e;
              fl.t[i] = e;
              if (tmask != kTimeM) return kBadFormat;
              break;
            }
            default:
              return kBadFormat;
          }
          ptype = 0;
        } else {
          size_t flen = f.size();
          size_t dot = f.find('.');
          if (dot != std::string::npos) {
            if (i == 0 && nf >= 2 && fl.t[nf - 1] == DTK_DATE) {
              int e = decode_date(f, fmask, &tmask, &is2digits, tm);
              if (e) return e;
            } else if (dot > 2) {
              int e = decode_number_field(f, fmask | kDateM, &tmask, tm, fsec, &is2digits);
              if (e < 0) return e;
              fl.t[i] = e;
            } else {
              return kBadFormat;
            }
          } else if (flen > 4) {
            int e = decode_number_field(f, fmask | kDateM, &tmask, tm, fsec, &is2digits);
            if (e < 0) return e;
            fl.t[i] = e;
          } else {
            int e = decode_number(f, false, fmask | kDateM, &tmask, tm, fsec, &is2digits);
            if (e) return e;
          }
        }
        break;
      case DTK_STRING:
      case DTK_SPECIAL: {
        Special sp = decode_special(f);
        if (sp.type == kIgnore) continue;
        tmask = M(sp.type);
        switch (sp.type) {
          case kReserved:
            switch (sp.value) {
              case DTK_NOW: {
                tmask = kTimeM;
                int64_t fs;
                Tm cur;
                current_date_fields(ctx, &cur, &fs, nullptr);
                tm->hour = cur.hour;
                tm->min = cur.min;
                tm->sec = cur.sec;
                *fsec = fs;
                break;
              }
              case DTK_ZULU:
                tmask = kTimeM | M(kTz);
                tm->hour = tm->min = tm->sec = 0;
                break;
              default:
                return kBadFormat;
            }
            break;
          case kDtzMod:
            tmask |= M(kDtz);
            *tzp -= sp.value;
            break;
          case kDtz:
            tmask |= M(kTz);
            *tzp = -sp.value;
            fl.t[i] = DTK_TZ;
            break;
          case kTz:
            *tzp = -sp.value;
            fl.t[i] = DTK_TZ;
            break;
          case kDynTz:
            tmask |= M(kTz);
            fl.t[i] = DTK_TZ;
            break;
          case kAmPm:
            mer = sp.value;
            break;
          case kAdBc:
            bc = sp.value == DTK_BC;
            break;
          case kUnits:
            tmask = 0;
            ptype = sp.value;
            break;
          case kIsoTime:
            tmask = 0;
            if (i >= nf - 1 ||
                (fl.t[i + 1] != DTK_NUMBER && fl.t[i + 1] != DTK_TIME && fl.t[i + 1] != DTK_DATE))
              return kBadFormat;
            ptype = sp.value;
            break;
          case kUnknown:
            named_tz = TimeZone::find(f);
            if (!named_tz) return kBadFormat;
            tmask = M(kTz);
            break;
          default:
            return kBadFormat;
        }
        break;
      }
      default:
        return kBadFormat;
    }
    if (tmask & fmask) return kBadFormat;
    fmask |= tmask;
  }
  int e = validate_date(fmask, isjulian, is2digits, bc, tm);
  if (e) return e;
  if (mer != 0 && tm->hour > 12) return kFieldOverflow;
  if (mer == DTK_AM && tm->hour == 12)
    tm->hour = 0;
  else if (mer == DTK_PM && tm->hour != 12)
    tm->hour += 12;
  if (time_overflows(tm->hour, tm->min, tm->sec, *fsec)) return kFieldOverflow;
  if ((fmask & kTimeM) != kTimeM) return kBadFormat;
  if (named_tz) {
    if (fmask & M(kDtzMod)) return kBadFormat;
    if (!named_tz->constant_offset() && (fmask & kDateM) != kDateM) return kBadFormat;
  }
  if (!(fmask & M(kTz))) {
    if (fmask & M(kDtzMod)) return kBadFormat;
    if ((fmask & kDateM) != 0 && (fmask & kDateM) != kDateM) return kBadFormat;
  }
  return kOk;
}

// ---- intervals ----

struct ItmIn {
  int64_t usec = 0;
  int mday = 0, mon = 0, year = 0;
};

bool add_s32(int a, int64_t b, int* out) {
  int64_t r = (int64_t)a + b;
  if (r < INT_MIN || r > INT_MAX) return false;
  *out = (int)r;
  return true;
}
bool add_s64(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

bool adjust_fract_microseconds(double frac, int64_t scale, ItmIn* itm) {
  if (frac == 0) return true;
  frac *= (double)scale;
  int64_t usec = (int64_t)frac;
  frac -= (double)usec;
  usec += (int64_t)std::rint(frac);
  return add_s64(itm->usec, usec, &itm->usec);
}
bool adjust_fract_days(double frac, int scale, ItmIn* itm) {
  if (frac == 0) return true;
  frac *= scale;
  int extra = (int)frac;
  if (!add_s32(itm->mday, extra, &itm->mday)) return false;
  frac -= extra;
  return adjust_fract_microseconds(frac, kUsecPerDay, itm);
}
bool adjust_fract_years(double frac, int scale, ItmIn* itm) {
  int extra = (int)std::rint(frac * scale * 12);
  return add_s32(itm->mon, extra, &itm->mon);
}
bool adjust_microseconds(int64_t val, double fval, int64_t scale, ItmIn* itm) {
  int64_t p;
  if (__builtin_mul_overflow(val, scale, &p)) return false;
  if (!add_s64(itm->usec, p, &itm->usec)) return false;
  return adjust_fract_microseconds(fval, scale, itm);
}
bool adjust_days(int64_t val, int mult, ItmIn* itm) {
  if (val < INT_MIN || val > INT_MAX) return false;
  int days;
  if (__builtin_mul_overflow((int)val, mult, &days)) return false;
  return add_s32(itm->mday, days, &itm->mday);
}
bool adjust_months(int64_t val, ItmIn* itm) {
  if (val < INT_MIN || val > INT_MAX) return false;
  return add_s32(itm->mon, val, &itm->mon);
}
bool adjust_years(int64_t val, int scale, ItmIn* itm) {
  if (val < INT_MIN || val > INT_MAX) return false;
  int years;
  if (__builtin_mul_overflow((int)val, scale, &years)) return false;
  return add_s32(itm->year, years, &itm->year);
}

// qualifier: the field qualifier's range (kIntervalFullRange for none), as PostgreSQL's DecodeInterval.
int decode_interval(Fields& fl, int* dtype, ItmIn* itm, int qualifier) {
  bool is_before = false, parsing_unit_val = false;
  int fmask = 0, tmask = 0, type = DTK_NONE;
  *dtype = DTK_DELTA;
  *itm = ItmIn{};
  const int nf = (int)fl.f.size();
  for (int i = nf - 1; i >= 0; i--) {
    std::string& f = fl.f[i];
    bool number_case = false;
    switch (fl.t[i]) {
      case DTK_TIME: {
        int64_t usec;
        int e = decode_time_common(f, &tmask, &usec, qualifier);
        if (e) return e;
        if (!add_s64(itm->usec, usec, &itm->usec)) return kFieldOverflow;
        type = DTK_DAY;
        parsing_unit_val = false;
        break;
      }
      case DTK_TZ: {
        int64_t usec;
        if (f.find(':', 1) != std::string::npos &&
            decode_time_common(f.substr(1), &tmask, &usec, qualifier) == kOk) {
          if (f[0] == '-') usec = -usec;
          if (!add_s64(itm->usec, usec, &itm->usec)) return kFieldOverflow;
          type = DTK_DAY;
          parsing_unit_val = false;
          break;
        }
        number_case = true;
        break;
      }
      case DTK_DATE:
      case DTK_NUMBER:
        number_case = true;
        break;
      case DTK_STRING:
      case DTK_SPECIAL: {
        if (parsing_unit_val) return kBadFormat;
        std::optional<Token> tok = lookup_deltatoken(f);
        if (!tok) tok = lookup_datetoken(f);
        if (!tok) return kBadFormat;
        if (tok->type == kIgnore) continue;
        tmask = 0;
        switch (tok->type) {
          case kUnits:
            type = tok->value;
            parsing_unit_val = true;
            break;
          case kAgo:
            // As PostgreSQL (its AGO value is DTK_NUMBER, no unit): a bare number right before "ago"
            // ('1 ago', '@ 31 ago') is 22007, not seconds.
            is_before = true;
            type = DTK_NUMBER;
            break;
          default:  // including 'infinity': PostgreSQL 15 has no infinite intervals
            return kBadFormat;
        }
        break;
      }
      default:
        return kBadFormat;
    }
    if (number_case) {
      if (type == DTK_NONE) {  // a bare number: the qualifier's last field says what it counts
        switch (qualifier) {
          case kIntervalYear:
            type = DTK_YEAR;
            break;
          case kIntervalMonth:
          case kIntervalYear | kIntervalMonth:
            type = DTK_MONTH;
            break;
          case kIntervalDay:
            type = DTK_DAY;
            break;
          case kIntervalHour:
          case kIntervalDay | kIntervalHour:
            type = DTK_HOUR;
            break;
          case kIntervalMinute:
          case kIntervalHour | kIntervalMinute:
          case kIntervalDay | kIntervalHour | kIntervalMinute:
            type = DTK_MINUTE;
            break;
          default:
            type = DTK_SECOND;
            break;
        }
      }
      const char* cp = nullptr;
      bool range;
      long long v = parse_int64(f.c_str(), &cp, &range);
      if (range) return kFieldOverflow;
      int64_t val = v;
      double fval = 0;
      if (*cp == '-') {
        const char* cp2;
        bool range;
        int val2 = strtoint(cp + 1, &cp2, &range);
        if (range || val2 < 0 || val2 >= 12) return kFieldOverflow;
        if (*cp2 != '\0') return kBadFormat;
        type = DTK_MONTH;
        if (f[0] == '-') val2 = -val2;
        if (__builtin_mul_overflow(val, (int64_t)12, &val)) return kFieldOverflow;
        if (__builtin_add_overflow(val, (int64_t)val2, &val)) return kFieldOverflow;
        fval = 0;
      } else if (*cp == '.') {
        int e = parse_fraction(cp, &fval);
        if (e) return e;
        if (f[0] == '-') fval = -fval;
      } else if (*cp == '\0') {
        fval = 0;
      } else {
        return kBadFormat;
      }
      tmask = 0;
      switch (type) {
        case DTK_MICROSEC:
          if (!adjust_microseconds(val, fval, 1, itm)) return kFieldOverflow;
          tmask = M(kMicrosecond);
          break;
        case DTK_MILLISEC:
          if (!adjust_microseconds(val, fval, 1000, itm)) return kFieldOverflow;
          tmask = M(kMillisecond);
          break;
        case DTK_SECOND:
          if (!adjust_microseconds(val, fval, kUsecPerSec, itm)) return kFieldOverflow;
          tmask = fval == 0 ? M(kSecond) : kAllSecsM;
          break;
        case DTK_MINUTE:
          if (!adjust_microseconds(val, fval, kUsecPerMinute, itm)) return kFieldOverflow;
          tmask = M(kMinute);
          break;
        case DTK_HOUR:
          if (!adjust_microseconds(val, fval, kUsecPerHour, itm)) return kFieldOverflow;
          tmask = M(kHour);
          type = DTK_DAY;
          break;
        case DTK_DAY:
          if (!adjust_days(val, 1, itm) || !adjust_fract_microseconds(fval, kUsecPerDay, itm))
            return kFieldOverflow;
          tmask = M(kDay);
          break;
        case DTK_WEEK:
          if (!adjust_days(val, 7, itm) || !adjust_fract_days(fval, 7, itm)) return kFieldOverflow;
          tmask = kWeekM;
          break;
        case DTK_MONTH:
          if (!adjust_months(val, itm) || !adjust_fract_days(fval, 30, itm)) return kFieldOverflow;
          tmask = M(kMonth);
          break;
        case DTK_YEAR:
          if (!adjust_years(val, 1, itm) || !adjust_fract_years(fval, 1, itm)) return kFieldOverflow;
          tmask = M(kYear);
          break;
        case DTK_DECADE:
          if (!adjust_years(val, 10, itm) || !adjust_fract_years(fval, 10, itm)) return kFieldOverflow;
          tmask = kDecadeM;
          break;
        case DTK_CENTURY:
          if (!adjust_years(val, 100, itm) || !adjust_fract_years(fval, 100, itm)) return kFieldOverflow;
          tmask = kCenturyM;
          break;
        case DTK_MILLENNIUM:
          if (!adjust_years(val, 1000, itm) || !adjust_fract_years(fval, 1000, itm)) return kFieldOverflow;
          tmask = kMillenniumM;
          break;
        default:
          return kBadFormat;
      }
      parsing_unit_val = false;
    }
    if (tmask & fmask) return kBadFormat;
    fmask |= tmask;
  }
  if (fmask == 0) return kBadFormat;
  if (parsing_unit_val) return kBadFormat;
  if (is_before) {
    if (itm->usec == INT64_MIN || itm->mday == INT_MIN || itm->mon == INT_MIN || itm->year == INT_MIN)
      return kFieldOverflow;
    itm->usec = -itm->usec;
    itm->mday = -itm->mday;
    itm->mon = -itm->mon;
    itm->year = -itm->year;
  }
  return kOk;
}

int parse_iso8601_number(const char* str, const char** end, int64_t* ipart, double* fpart) {
  if (!(is_digit(*str) || *str == '-' || *str == '.')) return kBadFormat;
  errno = 0;
  char* e = nullptr;
  double val = std::strtod(str, &e);
  *end = e;
  if (e == str || errno != 0) return kBadFormat;
  if (std::isnan(val) || val < -1.0e15 || val > 1.0e15) return kFieldOverflow;
  *ipart = val >= 0 ? (int64_t)std::floor(val) : (int64_t)-std::floor(-val);
  *fpart = val - (double)*ipart;
  return kOk;
}

int iso8601_integer_width(const char* s) {
  if (*s == '-') s++;
  return (int)std::strspn(s, "0123456789");
}

int decode_iso8601_interval(const std::string& in, ItmIn* itm) {
  *itm = ItmIn{};
  if (in.size() < 2 || in[0] != 'P') return kBadFormat;
  const char* str = in.c_str() + 1;
  bool datepart = true, havefield = false;
  while (*str) {
    if (*str == 'T') {
      datepart = false;
      havefield = false;
      str++;
      continue;
    }
    const char* fieldstart = str;
    int64_t val;
    double fval;
    int e = parse_iso8601_number(str, &str, &val, &fval);
    if (e) return e;
    char unit = *str;
    if (unit) str++;
    if (datepart) {
      switch (unit) {
        case 'Y':
          if (!adjust_years(val, 1, itm) || !adjust_fract_years(fval, 1, itm)) return kFieldOverflow;
          break;
        case 'M':
          if (!adjust_months(val, itm) || !adjust_fract_days(fval, 30, itm)) return kFieldOverflow;
          break;
        case 'W':
          if (!adjust_days(val, 7, itm) || !adjust_fract_days(fval, 7, itm)) return kFieldOverflow;
          break;
        case 'D':
          if (!adjust_days(val, 1, itm) || !adjust_fract_microseconds(fval, kUsecPerDay, itm))
            return kFieldOverflow;
          break;
        case 'T':
        case '\0':
          if (iso8601_integer_width(fieldstart) == 8 && !havefield) {
            if (!adjust_years(val / 10000, 1, itm) || !adjust_months((val / 100) % 100, itm) ||
                !adjust_days(val % 100, 1, itm) || !adjust_fract_microseconds(fval, kUsecPerDay, itm))
              return kFieldOverflow;
            if (unit == '\0') return kOk;
            datepart = false;
            havefield = false;
            continue;
          }
          [[fallthrough]];
        case '-':
          if (havefield) return kBadFormat;
          if (!adjust_years(val, 1, itm) || !adjust_fract_years(fval, 1, itm)) return kFieldOverflow;
          if (unit == '\0') return kOk;
          if (unit == 'T') {
            datepart = false;
            havefield = false;
            continue;
          }
          e = parse_iso8601_number(str, &str, &val, &fval);
          if (e) return e;
          if (!adjust_months(val, itm) || !adjust_fract_days(fval, 30, itm)) return kFieldOverflow;
          if (*str == '\0') return kOk;
          if (*str == 'T') {
            datepart = false;
            havefield = false;
            continue;
          }
          if (*str != '-') return kBadFormat;
          str++;
          e = parse_iso8601_number(str, &str, &val, &fval);
          if (e) return e;
          if (!adjust_days(val, 1, itm) || !adjust_fract_microseconds(fval, kUsecPerDay, itm))
            return kFieldOverflow;
          if (*str == '\0') return kOk;
          if (*str == 'T') {
            datepart = false;
            havefield = false;
            continue;
          }
          return kBadFormat;
        default:
          return kBadFormat;
      }
    } else {
      switch (unit) {
        case 'H':
          if (!adjust_microseconds(val, fval, kUsecPerHour, itm)) return kFieldOverflow;
          break;
        case 'M':
          if (!adjust_microseconds(val, fval, kUsecPerMinute, itm)) return kFieldOverflow;
          break;
        case 'S':
          if (!adjust_microseconds(val, fval, kUsecPerSec, itm)) return kFieldOverflow;
          break;
        case '\0':
          if (iso8601_integer_width(fieldstart) == 6 && !havefield) {
            if (!adjust_microseconds(val / 10000, 0, kUsecPerHour, itm) ||
                !adjust_microseconds((val / 100) % 100, 0, kUsecPerMinute, itm) ||
                !adjust_microseconds(val % 100, 0, kUsecPerSec, itm) ||
                !adjust_fract_microseconds(fval, 1, itm))
              return kFieldOverflow;
            return kOk;
          }
          [[fallthrough]];
        case ':':
          if (havefield) return kBadFormat;
          if (!adjust_microseconds(val, fval, kUsecPerHour, itm)) return kFieldOverflow;
          if (unit == '\0') return kOk;
          e = parse_iso8601_number(str, &str, &val, &fval);
          if (e) return e;
          if (!adjust_microseconds(val, fval, kUsecPerMinute, itm)) return kFieldOverflow;
          if (*str == '\0') return kOk;
          if (*str != ':') return kBadFormat;
          str++;
          e = parse_iso8601_number(str, &str, &val, &fval);
          if (e) return e;
          if (!adjust_microseconds(val, fval, kUsecPerSec, itm)) return kFieldOverflow;
          if (*str == '\0') return kOk;
          return kBadFormat;
        default:
          return kBadFormat;
      }
    }
    havefield = true;
  }
  return kOk;
}

constexpr size_t kDateBuf = 128 + kMaxDateFields;

}  // namespace

Date date_in(std::string_view str, const DateTimeContext& ctx) {
  Fields fl;
  Tm tm;
  int64_t fsec = 0;
  int dtype = 0, tz = 0;
  int e = parse_fields(str, &fl, kDateBuf);
  if (e == kOk) e = decode_date_time(fl, &dtype, &tm, &fsec, &tz, ctx);
  if (e != kOk) parse_error(e, str, "date");
  switch (dtype) {
    case DTK_DATE:
      break;
    case DTK_EPOCH:
      tm.year = 1970;
      tm.mon = 1;
      tm.mday = 1;
      break;
    case DTK_LATE:
      return kDatePosInfinity;
    case DTK_EARLY:
      return kDateNegInfinity;
    default:
      parse_error(kBadFormat, str, "date");
  }
  if (!valid_julian(tm.year, tm.mon, tm.mday))
    raise(SqlState::DatetimeFieldOverflow, "date out of range: \"" + std::string(str) + "\"");
  int64_t d = (int64_t)date2j(tm.year, tm.mon, tm.mday) - kPostgresEpochJdate;
  if (!valid_date(d))
    raise(SqlState::DatetimeFieldOverflow, "date out of range: \"" + std::string(str) + "\"");
  return (Date)d;
}

Time time_in(std::string_view str, const DateTimeContext& ctx) {
  Fields fl;
  Tm tm;
  int64_t fsec = 0;
  int e = parse_fields(str, &fl, kDateBuf);
  if (e == kOk) e = decode_time_only(fl, &tm, &fsec, ctx);
  if (e != kOk) parse_error(e, str, "time");
  return time2t(tm.hour, tm.min, tm.sec, fsec);
}

namespace {
Timestamp timestamp_in_common(std::string_view str, const DateTimeContext& ctx, bool with_tz) {
  const char* type = with_tz ? "timestamp with time zone" : "timestamp";
  Fields fl;
  Tm tm;
  int64_t fsec = 0;
  int dtype = 0, tz = 0;
  int e = parse_fields(str, &fl, kDateBuf);
  if (e == kOk) e = decode_date_time(fl, &dtype, &tm, &fsec, &tz, ctx);
  if (e != kOk) parse_error(e, str, type);
  switch (dtype) {
    case DTK_DATE: {
      Timestamp r;
      int east = -tz;
      if (!tm2timestamp(tm, fsec, with_tz ? &east : nullptr, &r))
        raise(SqlState::DatetimeFieldOverflow, "timestamp out of range: \"" + std::string(str) + "\"");
      return r;
    }
    case DTK_EPOCH:
      return kUnixEpochTs;
    case DTK_LATE:
      return kTsPosInfinity;
    case DTK_EARLY:
      return kTsNegInfinity;
    default:
      raise(SqlState::InternalError, "unexpected dtype " + std::to_string(dtype) + " while parsing " + type +
                                         " \"" + std::string(str) + "\"");
  }
}
}  // namespace

Timestamp timestamp_in(std::string_view str, const DateTimeContext& ctx) {
  return timestamp_in_common(str, ctx, false);
}
TimestampTz timestamptz_in(std::string_view str, const DateTimeContext& ctx) {
  return timestamp_in_common(str, ctx, true);
}

Interval interval_in(std::string_view str, int range) {
  Fields fl;
  ItmIn itm;
  int dtype = DTK_DELTA;
  int e = parse_fields(str, &fl, 256);
  if (e == kOk) e = decode_interval(fl, &dtype, &itm, range);
  if (e == kBadFormat) {
    dtype = DTK_DELTA;
    e = decode_iso8601_interval(std::string(str), &itm);
  }
  if (e != kOk) {
    if (e == kFieldOverflow) e = kIntervalOverflow;
    parse_error(e, str, "interval");
  }
  int64_t months = (int64_t)itm.year * 12 + itm.mon;
  if (months > INT_MAX || months < INT_MIN) raise(SqlState::DatetimeFieldOverflow, "interval out of range");
  return Interval{itm.usec, itm.mday, (int32_t)months};
}

}  // namespace omendb::dt
