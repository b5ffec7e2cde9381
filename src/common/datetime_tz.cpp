// Derived from PostgreSQL (PostgreSQL Licence, see NOTICE and LICENSES/PostgreSQL.txt):
// Portions Copyright (c) 1996-2022, PostgreSQL Global Development Group;
// Portions Copyright (c) 1994, The Regents of the University of California.
// Time zones: IANA zones through cctz (Debian's libcctz, reading the system tz database, including the
// POSIX footer rule that carries a zone's DST past its last listed transition), fixed offsets, the
// abbreviation and keyword tables, and PostgreSQL's rules for resolving local times.
#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/datetime_internal.h"

namespace omendb::dt {

using namespace detail;

struct TimeZone::Impl {
  std::string name;
  bool is_fixed = true;
  int fixed_offset = 0;  // seconds east
  cctz::time_zone zone;
};

namespace {

const std::shared_ptr<const TimeZone::Impl>& utc_impl() {
  static const auto impl = [] {
    auto i = std::make_shared<TimeZone::Impl>();
    i->name = "UTC";
    return std::shared_ptr<const TimeZone::Impl>(i);
  }();
  return impl;
}

std::string tz_dir() {
  const char* env = std::getenv("TZDIR");
  return env && *env ? env : "/usr/share/zoneinfo";
}

// The zone file's path relative to the tz directory, matching each component case-insensitively as
// PostgreSQL does; empty if there is none.
std::string find_zone_file(std::string_view name) {
  namespace fs = std::filesystem;
  if (name.empty() || name.size() > 255 || name.front() == '/') return {};
  std::string rel;
  fs::path dir = tz_dir();
  size_t start = 0;
  std::error_code ec;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    std::string_view comp =
        name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (comp.empty() || comp == "." || comp == "..") return {};
    std::string found;
    if (fs::exists(dir / std::string(comp), ec)) {
      found = std::string(comp);
    } else {
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string f = e.path().filename().string();
        if (f.size() == comp.size() && std::equal(f.begin(), f.end(), comp.begin(), [](char a, char b) {
              return std::tolower((unsigned char)a) == std::tolower((unsigned char)b);
            })) {
          found = f;
          break;
        }
      }
      if (found.empty()) return {};
    }
    dir /= found;
    rel += rel.empty() ? found : "/" + found;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!fs::is_regular_file(dir, ec)) return {};
  return rel;
}

// POSIX "STDoffset" (no DST part), as PostgreSQL's tzparse accepts it (an empty STD name too).
std::optional<int> parse_posix_fixed(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '<') {
    size_t close = s.find('>', i);
    if (close == std::string_view::npos) return std::nullopt;
    i = close + 1;
  } else {
    while (i < s.size() && !std::isdigit((unsigned char)s[i]) && s[i] != ',' && s[i] != '-' && s[i] != '+')
      i++;
  }
  if (i >= s.size()) return std::nullopt;
  int sign = 1;  // POSIX: positive = west
  if (s[i] == '-' || s[i] == '+') {
    sign = s[i] == '-' ? -1 : 1;
    i++;
  }
  auto num = [&](int max, int* out) {
    if (i >= s.size() || !std::isdigit((unsigned char)s[i])) return false;
    int v = 0;
    while (i < s.size() && std::isdigit((unsigned char)s[i])) {
      v = v * 10 + (s[i] - '0');
      if (v > max) return false;
      i++;
    }
    *out = v;
    return true;
  };
  int h = 0, m = 0, sec = 0;
  if (!num(24 * 7 - 1, &h)) return std::nullopt;
  if (i < s.size() && s[i] == ':') {
    i++;
    if (!num(59, &m)) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      i++;
      if (!num(60, &sec)) return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;  // a DST part: not supported (docs/types.md)
  return -sign * (h * 3600 + m * 60 + sec);
}

std::mutex zone_cache_mutex;
std::unordered_map<std::string, std::shared_ptr<const TimeZone::Impl>>& zone_cache() {
  static std::unordered_map<std::string, std::shared_ptr<const TimeZone::Impl>> cache;
  return cache;
}

int64_t tp_seconds(const cctz::time_point<cctz::seconds>& tp) {
  return tp.time_since_epoch().count();
}
cctz::time_point<cctz::seconds> to_tp(int64_t s) {
  return cctz::time_point<cctz::seconds>(cctz::seconds(s));
}
const cctz::civil_second kCivilEpoch(1970, 1, 1, 0, 0, 0);

}  // namespace

TimeZone::TimeZone() : impl_(utc_impl()) {}

TimeZone TimeZone::fixed(int seconds_east) {
  auto i = std::make_shared<Impl>();
  i->fixed_offset = seconds_east;
  // PostgreSQL names such a zone by its POSIX spec, e.g. "<-03>+03".
  int w = -seconds_east;
  char buf[64];
  int a = std::abs(w);
  if (a % 60 == 0 && a % 3600 != 0)
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", w < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%c%02d", w < 0 ? '-' : '+', a / 3600);
  i->name = buf;
  TimeZone tz;
  tz.impl_ = std::move(i);
  return tz;
}

std::optional<TimeZone> TimeZone::find(std::string_view name) {
  if (name.empty() || name.size() > 255) return std::nullopt;
  std::string key(name);
  for (auto& c : key) c = (char)std::toupper((unsigned char)c);
  {
    std::lock_guard<std::mutex> lock(zone_cache_mutex);
    auto it = zone_cache().find(key);
    if (it != zone_cache().end()) {
      if (!it->second) return std::nullopt;
      TimeZone tz;
      tz.impl_ = it->second;
      return tz;
    }
  }
  std::shared_ptr<const Impl> result;
  if (name.front() != ':') {
    std::string file = find_zone_file(name);
    cctz::time_zone z;
    if (!file.empty() && cctz::load_time_zone(file, &z)) {
      auto i = std::make_shared<Impl>();
      i->name = file;
      i->is_fixed = false;
      i->zone = z;
      result = i;
    } else if (auto off = parse_posix_fixed(key)) {
      auto i = std::make_shared<Impl>();
      i->name = key;
      i->fixed_offset = *off;
      result = i;
    }
  }
  std::lock_guard<std::mutex> lock(zone_cache_mutex);
  // Unknown names are cached too (input like '2024-01-01 foo/bar' probes the file system), but only so
  // many: clients must not be able to grow the cache without bound.
  if (result) {
    // Another thread may have loaded the same zone meanwhile: keep one Impl per zone.
    auto [it, inserted] = zone_cache().emplace(key, result);
    if (!inserted) {
      if (it->second)
        result = it->second;
      else
        it->second = result;
    }
  } else if (zone_cache().size() < 4096) {
    zone_cache().emplace(key, result);
  }
  if (!result) return std::nullopt;
  TimeZone tz;
  tz.impl_ = result;
  return tz;
}

std::optional<TimeZone> TimeZone::for_setting(std::string_view value) {
  std::string s(value);
  char* end = nullptr;
  double hours = std::strtod(s.c_str(), &end);
  if (end != s.c_str() && *end == '\0') {
    if (!std::isfinite(hours) || std::fabs(hours) > 24 * 7) return std::nullopt;
    return fixed((int)std::lround(hours * 3600));  // SQL sign convention: east positive
  }
  return find(value);
}

const std::string& TimeZone::name() const {
  return impl_->name;
}

namespace {
// The period between two transitions that the last lookup on this thread fell into: time-series data
// arrives in order, so most lookups land in it and skip cctz's search. Zone Impls live for the process
// (the zone cache keeps them), so the pointer identifies the zone.
struct PeriodCache {
  const TimeZone::Impl* impl = nullptr;
  int64_t lo = 0, hi = 0;  // [lo, hi) in UTC seconds
  int offset = 0;
  bool is_dst = false;
};
thread_local PeriodCache period_cache;

int64_t transition_instant(const cctz::time_zone& z, const cctz::time_zone::civil_transition& tr) {
  auto cl = z.lookup(tr.to);
  return tp_seconds(cl.kind == cctz::time_zone::civil_lookup::UNIQUE ? cl.pre : cl.trans);
}
}  // namespace

int TimeZone::offset_at_utc(int64_t unix_seconds, bool* is_dst, std::string* abbrev) const {
  if (impl_->is_fixed) {
    if (is_dst) *is_dst = false;
    return impl_->fixed_offset;
  }
  PeriodCache& pc = period_cache;
  if (!abbrev && pc.impl == impl_.get() && unix_seconds >= pc.lo && unix_seconds < pc.hi) {
    if (is_dst) *is_dst = pc.is_dst;
    return pc.offset;
  }
  const auto& z = impl_->zone;
  auto al = z.lookup(to_tp(unix_seconds));
  if (is_dst) *is_dst = al.is_dst;
  if (abbrev) *abbrev = al.abbr;
  // cctz lists transitions explicitly only up to 2037 (later ones follow from the zone's rule and are
  // not returned by prev/next_transition), so periods are cached only within +-2^31 seconds of 1970.
  constexpr int64_t kCacheLo = -(int64_t{1} << 31), kCacheHi = int64_t{1} << 31;
  if (!abbrev && unix_seconds >= kCacheLo && unix_seconds < kCacheHi) {
    cctz::time_zone::civil_transition tr;
    int64_t lo = kCacheLo, hi = kCacheHi;
    if (z.prev_transition(to_tp(unix_seconds + 1), &tr)) lo = std::max(lo, transition_instant(z, tr));
    if (z.next_transition(to_tp(unix_seconds), &tr)) hi = std::min(hi, transition_instant(z, tr));
    if (lo <= unix_seconds && unix_seconds < hi) pc = PeriodCache{impl_.get(), lo, hi, al.offset, al.is_dst};
  }
  return al.offset;
}

int TimeZone::offset_for_local(int64_t local_seconds) const {
  if (impl_->is_fixed) return impl_->fixed_offset;
  // A local time at least a day away from both ends of the cached period maps into it unambiguously
  // (no transition moves the clock by a day).
  const PeriodCache& pc = period_cache;
  if (pc.impl == impl_.get()) {
    int64_t utc = local_seconds - pc.offset;
    if (utc >= pc.lo + 86400 && utc < pc.hi - 86400) return pc.offset;
  }
  auto cl = impl_->zone.lookup(kCivilEpoch + local_seconds);
  // Gap (SKIPPED): the offset before the transition; overlap (REPEATED): the offset after it.
  auto tp = cl.kind == cctz::time_zone::civil_lookup::REPEATED ? cl.post : cl.pre;
  return (int)(local_seconds - tp_seconds(tp));
}

std::optional<int> TimeZone::abbrev_offset(std::string_view abbrev, int64_t local_seconds) const {
  if (impl_->is_fixed) return std::nullopt;
  const auto& z = impl_->zone;
  int64_t t = local_seconds - offset_for_local(local_seconds);
  auto al = z.lookup(to_tp(t));
  if (abbrev == al.abbr) return al.offset;
  auto instant = [&](const cctz::time_zone::civil_transition& tr) {
    auto cl = z.lookup(tr.to);
    return tp_seconds(cl.kind == cctz::time_zone::civil_lookup::UNIQUE ? cl.pre : cl.trans);
  };
  // The latest period before t that used the abbreviation, else the first one after.
  cctz::time_zone::civil_transition tr;
  auto tp = to_tp(t);
  for (int n = 0; n < 2000 && z.prev_transition(tp, &tr); n++) {
    int64_t at = instant(tr);
    auto before = z.lookup(to_tp(at - 1));
    if (abbrev == before.abbr) return before.offset;
    tp = to_tp(at);
  }
  tp = to_tp(t);
  for (int n = 0; n < 2000 && z.next_transition(tp, &tr); n++) {
    int64_t at = instant(tr);
    auto after = z.lookup(to_tp(at));
    if (abbrev == after.abbr) return after.offset;
    tp = to_tp(at);
  }
  return std::nullopt;
}

std::optional<int> TimeZone::constant_offset() const {
  if (impl_->is_fixed) return impl_->fixed_offset;
  cctz::time_zone::civil_transition tr;
  if (impl_->zone.next_transition(to_tp(INT64_MIN / 4), &tr)) return std::nullopt;
  return impl_->zone.lookup(to_tp(0)).offset;
}

namespace detail {

namespace {

struct NamedToken {
  std::string_view name;  // at most 10 characters (PostgreSQL's TOKMAXLEN)
  TokType type;
  int value;
};

// PostgreSQL's datetktbl (keywords in date/time input), sorted.
const NamedToken kDateTokens[] = {
    {"-infinity", kReserved, DTK_EARLY},
    {"ad", kAdBc, DTK_AD},
    {"allballs", kReserved, DTK_ZULU},
    {"am", kAmPm, DTK_AM},
    {"apr", kMonth, 4},
    {"april", kMonth, 4},
    {"at", kIgnore, 0},
    {"aug", kMonth, 8},
    {"august", kMonth, 8},
    {"bc", kAdBc, DTK_BC},
    {"d", kUnits, DTK_DAY},
    {"dec", kMonth, 12},
    {"december", kMonth, 12},
    {"dow", kUnits, DTK_DOW},
    {"doy", kUnits, DTK_DOY},
    {"dst", kDtzMod, 3600},
    {"epoch", kReserved, DTK_EPOCH},
    {"feb", kMonth, 2},
    {"february", kMonth, 2},
    {"fri", kDow, 5},
    {"friday", kDow, 5},
    {"h", kUnits, DTK_HOUR},
    {"infinity", kReserved, DTK_LATE},
    {"isodow", kUnits, DTK_ISODOW},
    {"isoyear", kUnits, DTK_ISOYEAR},
    {"j", kUnits, DTK_JULIAN},
    {"jan", kMonth, 1},
    {"january", kMonth, 1},
    {"jd", kUnits, DTK_JULIAN},
    {"jul", kMonth, 7},
    {"julian", kUnits, DTK_JULIAN},
    {"july", kMonth, 7},
    {"jun", kMonth, 6},
    {"june", kMonth, 6},
    {"m", kUnits, DTK_MONTH},
    {"mar", kMonth, 3},
    {"march", kMonth, 3},
    {"may", kMonth, 5},
    {"mm", kUnits, DTK_MINUTE},
    {"mon", kDow, 1},
    {"monday", kDow, 1},
    {"nov", kMonth, 11},
    {"november", kMonth, 11},
    {"now", kReserved, DTK_NOW},
    {"oct", kMonth, 10},
    {"october", kMonth, 10},
    {"on", kIgnore, 0},
    {"pm", kAmPm, DTK_PM},
    {"s", kUnits, DTK_SECOND},
    {"sat", kDow, 6},
    {"saturday", kDow, 6},
    {"sep", kMonth, 9},
    {"sept", kMonth, 9},
    {"september", kMonth, 9},
    {"sun", kDow, 0},
    {"sunday", kDow, 0},
    {"t", kIsoTime, DTK_TIME},
    {"thu", kDow, 4},
    {"thur", kDow, 4},
    {"thurs", kDow, 4},
    {"thursday", kDow, 4},
    {"today", kReserved, DTK_TODAY},
    {"tomorrow", kReserved, DTK_TOMORROW},
    {"tue", kDow, 2},
    {"tues", kDow, 2},
    {"tuesday", kDow, 2},
    {"wed", kDow, 3},
    {"wednesday", kDow, 3},
    {"weds", kDow, 3},
    {"y", kUnits, DTK_YEAR},
    {"yesterday", kReserved, DTK_YESTERDAY},
};

// PostgreSQL's deltatktbl (interval units), sorted; names are compared on 10 characters.
const NamedToken kDeltaTokens[] = {
    {"@", kIgnore, 0},
    {"ago", kAgo, 0},
    {"c", kUnits, DTK_CENTURY},
    {"cent", kUnits, DTK_CENTURY},
    {"centuries", kUnits, DTK_CENTURY},
    {"century", kUnits, DTK_CENTURY},
    {"d", kUnits, DTK_DAY},
    {"day", kUnits, DTK_DAY},
    {"days", kUnits, DTK_DAY},
    {"dec", kUnits, DTK_DECADE},
    {"decade", kUnits, DTK_DECADE},
    {"decades", kUnits, DTK_DECADE},
    {"decs", kUnits, DTK_DECADE},
    {"h", kUnits, DTK_HOUR},
    {"hour", kUnits, DTK_HOUR},
    {"hours", kUnits, DTK_HOUR},
    {"hr", kUnits, DTK_HOUR},
    {"hrs", kUnits, DTK_HOUR},
    {"m", kUnits, DTK_MINUTE},
    {"microsecon", kUnits, DTK_MICROSEC},
    {"mil", kUnits, DTK_MILLENNIUM},
    {"millennia", kUnits, DTK_MILLENNIUM},
    {"millennium", kUnits, DTK_MILLENNIUM},
    {"millisecon", kUnits, DTK_MILLISEC},
    {"mils", kUnits, DTK_MILLENNIUM},
    {"min", kUnits, DTK_MINUTE},
    {"mins", kUnits, DTK_MINUTE},
    {"minute", kUnits, DTK_MINUTE},
    {"minutes", kUnits, DTK_MINUTE},
    {"mon", kUnits, DTK_MONTH},
    {"mons", kUnits, DTK_MONTH},
    {"month", kUnits, DTK_MONTH},
    {"months", kUnits, DTK_MONTH},
    {"ms", kUnits, DTK_MILLISEC},
    {"msec", kUnits, DTK_MILLISEC},
    {"mseconds", kUnits, DTK_MILLISEC},
    {"msecs", kUnits, DTK_MILLISEC},
    {"qtr", kUnits, DTK_QUARTER},
    {"quarter", kUnits, DTK_QUARTER},
    {"s", kUnits, DTK_SECOND},
    {"sec", kUnits, DTK_SECOND},
    {"second", kUnits, DTK_SECOND},
    {"seconds", kUnits, DTK_SECOND},
    {"secs", kUnits, DTK_SECOND},
    {"timezone", kUnits, DTK_TZ},
    {"timezone_h", kUnits, DTK_TZ_HOUR},
    {"timezone_m", kUnits, DTK_TZ_MINUTE},
    {"us", kUnits, DTK_MICROSEC},
    {"usec", kUnits, DTK_MICROSEC},
    {"useconds", kUnits, DTK_MICROSEC},
    {"usecs", kUnits, DTK_MICROSEC},
    {"w", kUnits, DTK_WEEK},
    {"week", kUnits, DTK_WEEK},
    {"weeks", kUnits, DTK_WEEK},
    {"y", kUnits, DTK_YEAR},
    {"year", kUnits, DTK_YEAR},
    {"years", kUnits, DTK_YEAR},
    {"yr", kUnits, DTK_YEAR},
    {"yrs", kUnits, DTK_YEAR},
};

struct AbbrevEntry {
  const char* name;
  bool dst;
  int offset;
  const char* zone;
};
const AbbrevEntry kAbbrevs[] = {
#include "common/datetime_abbrevs.inc"
};

// Binary search over a copy of the table sorted once (the source tables read alphabetically, but
// sorting here keeps the lookup right whatever their order).
template <typename T, size_t N>
const T* search_sorted(const T (&table)[N], std::string_view key) {
  static const std::vector<const T*> sorted = [&] {
    std::vector<const T*> v;
    for (const auto& t : table) v.push_back(&t);
    std::sort(v.begin(), v.end(),
              [](const T* a, const T* b) { return std::string_view(a->name) < std::string_view(b->name); });
    return v;
  }();
  if (key.size() > 10) key = key.substr(0, 10);
  auto it = std::lower_bound(sorted.begin(), sorted.end(), key,
                             [](const T* a, std::string_view k) { return std::string_view(a->name) < k; });
  if (it != sorted.end() && std::string_view((*it)->name) == key) return *it;
  return nullptr;
}

template <size_t N>
std::optional<Token> search(const NamedToken (&table)[N], std::string_view key) {
  if (const NamedToken* t = search_sorted(table, key)) return Token{t->type, t->value};
  return std::nullopt;
}

}  // namespace

std::optional<Token> lookup_datetoken(std::string_view lower) {
  return search(kDateTokens, lower);
}
std::optional<Token> lookup_deltatoken(std::string_view lower) {
  return search(kDeltaTokens, lower);
}

std::optional<Abbrev> lookup_abbrev(std::string_view lower) {
  if (const AbbrevEntry* a = search_sorted(kAbbrevs, lower)) return Abbrev{a->dst, a->offset, a->zone};
  return std::nullopt;
}

void raise(SqlState state, std::string message) {
  throw SqlError(state, std::move(message));
}

std::string lowercase(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = (char)std::tolower((unsigned char)c);
  return r;
}

int determine_offset(Tm* tm, const TimeZone& tz) {
  if (!valid_julian(tm->year, tm->mon, tm->mday)) return 0;  // PostgreSQL: out of range, assume UTC
  int64_t day = (int64_t)(date2j(tm->year, tm->mon, tm->mday) - kUnixEpochJdate) * 86400;
  int64_t local = day + tm->hour * 3600 + tm->min * 60 + tm->sec;
  return tz.offset_for_local(local);
}

int determine_abbrev_offset(Tm* tm, std::string_view abbrev, const TimeZone& tz) {
  if (!valid_julian(tm->year, tm->mon, tm->mday)) return 0;
  int64_t day = (int64_t)(date2j(tm->year, tm->mon, tm->mday) - kUnixEpochJdate) * 86400;
  int64_t local = day + tm->hour * 3600 + tm->min * 60 + tm->sec;
  std::string up(abbrev);
  for (auto& c : up) c = (char)std::toupper((unsigned char)c);
  if (auto off = tz.abbrev_offset(up, local)) return *off;
  return tz.offset_for_local(local);
}

ZoneSpec resolve_zone(std::string_view name) {
  std::string lower = lowercase(name);
  if (auto a = lookup_abbrev(lower)) {
    if (!a->zone) return ZoneSpec{ZoneSpec::kFixed, a->offset, TimeZone(), {}};
    if (auto z = TimeZone::find(a->zone)) return ZoneSpec{ZoneSpec::kDynamic, 0, *z, std::string(name)};
  }
  if (auto z = TimeZone::find(name)) return ZoneSpec{ZoneSpec::kZone, 0, *z, {}};
  raise(SqlState::InvalidParameterValue, "time zone \"" + std::string(name) + "\" not recognized");
}

}  // namespace detail
}  // namespace omendb::dt
