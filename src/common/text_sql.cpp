#include "common/text_sql.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>

#include "common/array.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omendb::textsql {

namespace {

using T = TypeId;

// PostgreSQL's MaxAllocSize: no value may be larger (54000 "requested length too large" before that).
constexpr int64_t kMaxAlloc = 0x3fffffff;

std::string_view str(const Datum& d) {
  return d.str.view();
}

// Polls for cancel and statement_timeout (poll_interrupt) once per megabyte a loop has produced, so
// that building one long text (repeat(), lpad() ...) stops as PostgreSQL's does.
class ProgressPoll {
 public:
  void operator()(size_t produced) {
    if (produced < next_) return;
    poll_interrupt();
    next_ = produced + kStep;
  }

 private:
  static constexpr size_t kStep = size_t{1} << 20;
  size_t next_ = kStep;
};

// The code point of the UTF-8 character at s[i] (n = its length).
char32_t decode(std::string_view s, size_t i, size_t n) {
  auto c = static_cast<unsigned char>(s[i]);
  if (n == 1) return c;
  char32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The C.UTF-8 locale's character classes, as PostgreSQL's lower / upper / initcap use them in a UTF8
// database created with that locale (the reference cluster's); ASCII rules if the system lacks it.
locale_t utf8_locale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

enum class Case { Lower, Upper, Initcap };

std::string change_case(std::string_view s, Case mode) {
  const locale_t loc = utf8_locale();
  std::string out;
  out.reserve(s.size());
  bool was_alnum = false;
  for (size_t i = 0; i < s.size();) {
    size_t n = char_len(s, i);
    auto wc = static_cast<wint_t>(decode(s, i, n));
    bool lower = mode == Case::Lower || (mode == Case::Initcap && was_alnum);
    if (loc) {
      wc = lower ? towlower_l(wc, loc) : towupper_l(wc, loc);
      was_alnum = iswalnum_l(wc, loc) != 0;
    } else {
      if (wc < 0x80)
        wc = static_cast<wint_t>(lower ? std::tolower(static_cast<int>(wc))
                                       : std::toupper(static_cast<int>(wc)));
      was_alnum = wc < 0x80 && std::isalnum(static_cast<int>(wc));
    }
    encode(static_cast<char32_t>(wc), out);
    i += n;
  }
  return out;
}

std::string_view substring(std::string_view s, int64_t start, bool has_count, int64_t count) {
  auto [b, e] = substring_range(start, has_count, count);
  size_t bo = char_offset(s, b);
  size_t eo = e < 0 ? s.size() : char_offset(s, e);
  return s.substr(bo, eo > bo ? eo - bo : 0);
}

[[noreturn]] void too_large() {
  throw SqlError(SqlState::ProgramLimitExceeded, "requested length too large");
}

// lpad / rpad: the string cut or padded to `len` characters.
std::string pad(std::string_view s, int64_t len, std::string_view fill, bool left) {
  if (len < 0) len = 0;
  // PostgreSQL sizes the result for 4 bytes a character (the encoding's maximum) plus a header.
  if (len * 4 + 4 > kMaxAlloc) too_large();
  int64_t chars = char_count(s);
  std::string_view body = chars > len ? s.substr(0, char_offset(s, len)) : s;
  int64_t missing = fill.empty() ? 0 : len - std::min(chars, len);
  std::string padding;
  ProgressPoll poll;
  for (size_t i = 0; missing > 0; --missing) {
    poll(padding.size());
    size_t n = char_len(fill, i);
    padding.append(fill.substr(i, n));
    i += n;
    if (i >= fill.size()) i = 0;
  }
  return left ? padding + std::string(body) : std::string(body) + padding;
}

// Whether the character s[i, i + n) is one of `set`'s characters.
bool in_set(std::string_view s, size_t i, size_t n, std::string_view set) {
  for (size_t k = 0; k < set.size();) {
    size_t m = char_len(set, k);
    if (m == n && set.compare(k, m, s.substr(i, n)) == 0) return true;
    k += m;
  }
  return false;
}

std::string_view trim(std::string_view s, std::string_view set, bool leading, bool trailing) {
  if (s.empty() || set.empty()) return s;
  size_t b = 0, e = s.size();
  if (leading) {
    while (b < e) {
      size_t n = char_len(s, b);
      if (!in_set(s, b, n, set)) break;
      b += n;
    }
  }
  if (trailing) {
    while (e > b) {
      size_t start = e - 1;
      while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
      if (!in_set(s, start, e - start, set)) break;
      e = start;
    }
  }
  return s.substr(b, e - b);
}

std::string translate(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  ProgressPoll poll;
  for (size_t i = 0; i < s.size();) {
    poll(i);
    size_t n = char_len(s, i);
    size_t index = 0, k = 0;
    for (; k < from.size(); ++index) {
      size_t m = char_len(from, k);
      if (m == n && from.compare(k, m, s.substr(i, n)) == 0) break;
      k += m;
    }
    if (k < from.size()) {  // substitute the to character at the same index, or drop it
      size_t p = char_offset(to, static_cast<int64_t>(index));
      if (p < to.size()) out.append(to.substr(p, char_len(to, p)));
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string split_part(std::string_view s, std::string_view sep, int64_t field) {
  if (field == 0) throw SqlError(SqlState::InvalidParameterValue, "field position must not be zero");
  if (s.empty()) return "";
  if (sep.empty()) return field == 1 || field == -1 ? std::string(s) : "";
  std::vector<std::string_view> fields;
  for (size_t at = 0;;) {
    size_t hit = s.find(sep, at);
    if (hit == std::string_view::npos) {
      fields.push_back(s.substr(at));
      break;
    }
    fields.push_back(s.substr(at, hit - at));
    at = hit + sep.size();
  }
  auto count = static_cast<int64_t>(fields.size());
  int64_t index = field > 0 ? field - 1 : count + field;
  if (index < 0 || index >= count) return "";
  return std::string(fields[static_cast<size_t>(index)]);
}

std::string chr(int64_t code) {
  if (code < 0) throw SqlError(SqlState::InvalidParameterValue, "character number must be positive");
  if (code == 0) throw SqlError(SqlState::ProgramLimitExceeded, "null character not permitted");
  if (code > 0x10FFFF)
    throw SqlError(SqlState::ProgramLimitExceeded,
                   "requested character too large for encoding: " + std::to_string(code));
  if (code >= 0xD800 && code <= 0xDFFF)
    throw SqlError(SqlState::ProgramLimitExceeded,
                   "requested character not valid for encoding: " + std::to_string(code));
  std::string out;
  encode(static_cast<char32_t>(code), out);
  return out;
}

std::string to_hex(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  do {
    out.push_back(kHex[v & 15]);
    v >>= 4;
  } while (v);
  std::reverse(out.begin(), out.end());
  return out;
}

// PostgreSQL's quote_literal_cstr: quotes and backslashes doubled, E'' when there is a backslash.
std::string quote_literal(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 3);
  if (s.find('\\') != std::string_view::npos) out.push_back('E');
  out.push_back('\'');
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back(c);
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// PostgreSQL 15's keywords that are not unreserved (pg_get_keywords() where catcode <> 'U'): an identifier
// spelled as one of them needs quotes.
bool is_reserved_keyword(std::string_view s) {
  static const char* const kWords[] = {"all",
                                       "analyse",
                                       "analyze",
                                       "and",
                                       "any",
                                       "array",
                                       "as",
                                       "asc",
                                       "asymmetric",
                                       "authorization",
                                       "between",
                                       "bigint",
                                       "binary",
                                       "bit",
                                       "boolean",
                                       "both",
                                       "case",
                                       "cast",
                                       "char",
                                       "character",
                                       "check",
                                       "coalesce",
                                       "collate",
                                       "collation",
                                       "column",
                                       "concurrently",
                                       "constraint",
                                       "create",
                                       "cross",
                                       "current_catalog",
                                       "current_date",
                                       "current_role",
                                       "current_schema",
                                       "current_time",
                                       "current_timestamp",
                                       "current_user",
                                       "dec",
                                       "decimal",
                                       "default",
                                       "deferrable",
                                       "desc",
                                       "distinct",
                                       "do",
                                       "else",
                                       "end",
                                       "except",
                                       "exists",
                                       "extract",
                                       "false",
                                       "fetch",
                                       "float",
                                       "for",
                                       "foreign",
                                       "freeze",
                                       "from",
                                       "full",
                                       "grant",
                                       "greatest",
                                       "group",
                                       "grouping",
                                       "having",
                                       "ilike",
                                       "in",
                                       "initially",
                                       "inner",
                                       "inout",
                                       "int",
                                       "integer",
                                       "intersect",
                                       "interval",
                                       "into",
                                       "is",
                                       "isnull",
                                       "join",
                                       "lateral",
                                       "leading",
                                       "least",
                                       "left",
                                       "like",
                                       "limit",
                                       "localtime",
                                       "localtimestamp",
                                       "national",
                                       "natural",
                                       "nchar",
                                       "none",
                                       "normalize",
                                       "not",
                                       "notnull",
                                       "null",
                                       "nullif",
                                       "numeric",
                                       "offset",
                                       "on",
                                       "only",
                                       "or",
                                       "order",
                                       "out",
                                       "outer",
                                       "overlaps",
                                       "overlay",
                                       "placing",
                                       "position",
                                       "precision",
                                       "primary",
                                       "real",
                                       "references",
                                       "returning",
                                       "right",
                                       "row",
                                       "select",
                                       "session_user",
                                       "setof",
                                       "similar",
                                       "smallint",
                                       "some",
                                       "substring",
                                       "symmetric",
                                       "table",
                                       "tablesample",
                                       "then",
                                       "time",
                                       "timestamp",
                                       "to",
                                       "trailing",
                                       "treat",
                                       "trim",
                                       "true",
                                       "union",
                                       "unique",
                                       "user",
                                       "using",
                                       "values",
                                       "varchar",
                                       "variadic",
                                       "verbose",
                                       "when",
                                       "where",
                                       "window",
                                       "with",
                                       "xmlattributes",
                                       "xmlconcat",
                                       "xmlelement",
                                       "xmlexists",
                                       "xmlforest",
                                       "xmlnamespaces",
                                       "xmlparse",
                                       "xmlpi",
                                       "xmlroot",
                                       "xmlserialize",
                                       "xmltable"};
  for (const char* w : kWords)
    if (s == w) return true;
  return false;
}

// ---- format() (PostgreSQL's text_format) ----

[[noreturn]] void format_error(const std::string& message, bool hint = false) {
  SqlError e(SqlState::InvalidParameterValue, message);
  if (hint) throw std::move(e).with_hint("For a single \"%\" use \"%%\".");
  throw e;
}

class Formatter {
 public:
  Formatter(const Datum* args, size_t n) : args_(args), n_(n) {}

  std::string run() {
    std::string_view fmt = str(args_[0]);
    std::string out;
    for (p_ = 0; p_ < fmt.size(); ++p_) {
      char c = fmt[p_];
      if (c != '%') {
        out.push_back(c);
        continue;
      }
      advance(fmt);
      if (fmt[p_] == '%') {
        out.push_back('%');
        continue;
      }
      int64_t argpos = -1, widthpos = -1, width = 0;
      bool minus = false;
      parse_spec(fmt, argpos, widthpos, width, minus);
      char type = fmt[p_];
      if (type != 's' && type != 'I' && type != 'L')
        format_error(
            "unrecognized format() type specifier \"" + std::string(fmt.substr(p_, char_len(fmt, p_))) + "\"",
            true);
      if (widthpos >= 0) {
        if (widthpos > 0) arg_ = static_cast<size_t>(widthpos);
        if (arg_ >= n_) format_error("too few arguments for format()");
        const Datum& w = args_[arg_++];
        width = w.is_null ? 0 : parse_int(str(w));
      }
      if (argpos > 0) arg_ = static_cast<size_t>(argpos);
      if (arg_ >= n_) format_error("too few arguments for format()");
      const Datum& v = args_[arg_++];
      if (v.is_null) {
        if (type == 'I')
          throw SqlError(SqlState::NullValueNotAllowed,
                         "null values cannot be formatted as an SQL identifier");
        append(out, type == 'L' ? "NULL" : "", minus, width);
      } else if (type == 's') {
        append(out, str(v), minus, width);
      } else {
        append(out, type == 'I' ? quote_ident(str(v)) : quote_literal(str(v)), minus, width);
      }
    }
    return out;
  }

 private:
  void advance(std::string_view fmt) {
    if (++p_ >= fmt.size()) format_error("unterminated format() type specifier", true);
  }

  // Digits at p_ into n (22003 past int4); false when there are none.
  bool digits(std::string_view fmt, int64_t& n) {
    bool found = false;
    n = 0;
    while (fmt[p_] >= '0' && fmt[p_] <= '9') {
      n = n * 10 + (fmt[p_] - '0');
      if (n > INT32_MAX) throw SqlError(SqlState::NumericValueOutOfRange, "number is out of range");
      found = true;
      advance(fmt);
    }
    return found;
  }

  void parse_spec(std::string_view fmt, int64_t& argpos, int64_t& widthpos, int64_t& width, bool& minus) {
    int64_t n = 0;
    if (digits(fmt, n)) {
      if (fmt[p_] != '$') {  // just a width
        width = n;
        return;
      }
      argpos = n;
      if (n == 0) format_error("format specifies argument 0, but arguments are numbered from 1");
      advance(fmt);
    }
    while (fmt[p_] == '-') {
      minus = true;
      advance(fmt);
    }
    if (fmt[p_] == '*') {
      advance(fmt);
      if (digits(fmt, n)) {
        if (fmt[p_] != '$') format_error("width argument position must be ended by \"$\"");
        widthpos = n;
        if (n == 0) format_error("format specifies argument 0, but arguments are numbered from 1");
        advance(fmt);
      } else {
        widthpos = 0;
      }
    } else if (digits(fmt, n)) {
      width = n;
    }
  }

  // A width argument: its text read as int4 (PostgreSQL's int4in).
  static int64_t parse_int(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    bool neg = i < s.size() && (s[i] == '-' || s[i] == '+') && s[i++] == '-';
    int64_t v = 0;
    size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      v = v * 10 + (s[i] - '0');
      if (v > static_cast<int64_t>(INT32_MAX) + 1)
        throw SqlError(SqlState::NumericValueOutOfRange,
                       "value \"" + std::string(s) + "\" is out of range for type integer");
    }
    while (i < s.size() && s[i] == ' ') ++i;
    if (i == start || i != s.size())
      throw SqlError(SqlState::InvalidTextRepresentation,
                     "invalid input syntax for type integer: \"" + std::string(s) + "\"");
    v = neg ? -v : v;
    if (v > INT32_MAX)
      throw SqlError(SqlState::NumericValueOutOfRange,
                     "value \"" + std::string(s) + "\" is out of range for type integer");
    return v;
  }

  static void append(std::string& out, std::string_view s, bool minus, int64_t width) {
    if (width == 0) {
      out.append(s);
      return;
    }
    if (width < 0) {
      if (width <= INT32_MIN) throw SqlError(SqlState::NumericValueOutOfRange, "number is out of range");
      minus = true;
      width = -width;
    }
    int64_t len = char_count(s);
    if (minus) out.append(s);
    if (len < width) out.append(static_cast<size_t>(width - len), ' ');
    if (!minus) out.append(s);
  }

  const Datum* args_;
  size_t n_;
  size_t p_ = 0;
  size_t arg_ = 1;
};

// PostgreSQL's like_escape: the pattern with `escape` as its escape character rewritten to use a backslash.
std::string like_escape(std::string_view pattern, std::string_view escape) {
  std::string out;
  if (escape.empty()) {  // no escape character: backslashes are literal
    for (char c : pattern) {
      if (c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out;
  }
  if (char_len(escape, 0) != escape.size())
    throw SqlError(SqlState::InvalidEscapeSequence, "invalid escape string")
        .with_hint("Escape string must be empty or one character.");
  if (escape == "\\") return std::string(pattern);
  bool after_escape = false;
  for (size_t i = 0; i < pattern.size();) {
    size_t n = char_len(pattern, i);
    std::string_view c = pattern.substr(i, n);
    if (c == escape && !after_escape) {
      out.push_back('\\');
      after_escape = true;
    } else if (c == "\\") {
      out.push_back('\\');
      if (!after_escape) out.push_back('\\');
      after_escape = false;
    } else {
      out.append(c);
      after_escape = false;
    }
    i += n;
  }
  return out;
}

std::string string_to_array(const Datum* args, size_t n) {
  std::string_view s = str(args[0]);
  const bool has_null_string = n > 2 && !args[2].is_null;
  std::string_view null_string = has_null_string ? str(args[2]) : std::string_view();
  arr::Builder b(TypeId::Text);
  auto add = [&](std::string_view field) {
    Datum d{};
    d.is_null = has_null_string && field == null_string;
    d.str = StrRef{field.data(), field.size()};
    b.add(d);
  };
  if (s.empty()) return b.finish();
  if (args[1].is_null) {  // each character an element
    for (size_t i = 0; i < s.size();) {
      size_t m = char_len(s, i);
      add(s.substr(i, m));
      i += m;
    }
    return b.finish();
  }
  std::string_view sep = str(args[1]);
  if (sep.empty()) {
    add(s);
    return b.finish();
  }
  for (size_t at = 0;;) {
    size_t hit = s.find(sep, at);
    if (hit == std::string_view::npos) {
      add(s.substr(at));
      break;
    }
    add(s.substr(at, hit - at));
    at = hit + sep.size();
  }
  return b.finish();
}

std::string overlay(std::string_view s, std::string_view placing, int64_t from, bool has_count,
                    int64_t count) {
  if (!has_count) count = char_count(placing);
  if (from <= 0) throw SqlError(SqlState::SubstringError, "negative substring length not allowed");
  int64_t rest = from + count;
  if (rest > INT32_MAX || rest < INT32_MIN)
    throw SqlError(SqlState::NumericValueOutOfRange, "integer out of range");
  std::string out(substring(s, 1, true, from - 1));
  out.append(placing);
  out.append(substring(s, rest, false, 0));
  return out;
}

}  // namespace

std::pair<int64_t, int64_t> substring_range(int64_t start, bool has_count, int64_t count) {
  int64_t s1 = std::max<int64_t>(start, 1);
  if (!has_count) return {s1 - 1, -1};
  if (count < 0) throw SqlError(SqlState::SubstringError, "negative substring length not allowed");
  int64_t e = start + count;
  if (e > INT32_MAX) return {s1 - 1, -1};  // int4 overflow: to the end, as PostgreSQL
  if (e < 1) return {0, 0};
  return {s1 - 1, std::max<int64_t>(e - 1, s1 - 1)};
}

size_t char_len(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
  return std::min(n, s.size() - i);
}

int64_t char_count(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

size_t char_assign_length(std::string_view s, int64_t n) {
  size_t len = s.size();
  if (len > static_cast<size_t>(n)) {
    size_t trimmed = len;
    while (trimmed > 0 && s[trimmed - 1] == ' ') --trimmed;
    if (char_count(s.substr(0, trimmed)) > n)
      throw SqlError(SqlState::StringDataRightTruncation,
                     "value too long for type character varying(" + std::to_string(n) + ")");
    len = std::max(trimmed, char_offset(s, n));
  }
  return len;
}

std::string bpchar_typmod(std::string_view s, int64_t n, bool is_explicit) {
  const int64_t chars = char_count(s);
  if (chars > n) {
    const size_t keep = char_offset(s, n);
    if (!is_explicit && s.find_first_not_of(' ', keep) != std::string_view::npos)
      throw SqlError(SqlState::StringDataRightTruncation,
                     "value too long for type character(" + std::to_string(n) + ")");
    return std::string(s.substr(0, keep));
  }
  std::string out(s);
  out.append(static_cast<size_t>(n - chars), ' ');
  return out;
}

size_t char_offset(std::string_view s, int64_t k) {
  size_t i = 0;
  for (; k > 0 && i < s.size(); --k) i += char_len(s, i);
  return i;
}

std::string quote_ident(std::string_view s) {
  bool safe = !s.empty() && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_');
  for (char c : s) safe = safe && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (safe && !is_reserved_keyword(s)) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// PostgreSQL 15's similar_escape_internal: ^(?: ... )$ around the pattern, % and _ as .* and ., groups
// made non-capturing, the escape-double-quote separators (at most two) marking the part substring()
// returns, other regex metacharacters quoted.
std::string similar_to_regex(std::string_view p, bool has_escape, std::string_view escape) {
  if (!has_escape) escape = "\\";
  if (!escape.empty() && char_len(escape, 0) != escape.size())
    throw SqlError(SqlState::InvalidEscapeSequence, "invalid escape string")
        .with_hint("Escape string must be empty or one character.");
  std::string r = "^(?:";
  bool after_escape = false, in_class = false;
  int quotes = 0;
  for (size_t i = 0; i < p.size();) {
    size_t n = char_len(p, i);
    std::string_view c = p.substr(i, n);
    i += n;
    if (after_escape) {
      if (c == "\"" && !in_class) {
        if (quotes == 0) {
          r += "){1,1}?(";
        } else if (quotes == 1) {
          r += "){1,1}(?:";
        } else {
          throw SqlError(
              SqlState::InvalidUseOfEscapeCharacter,
              "SQL regular expression may not contain more than two escape-double-quote separators");
        }
        ++quotes;
      } else {
        r += '\\';
        r.append(c);
      }
      after_escape = false;
    } else if (!escape.empty() && c == escape) {
      after_escape = true;
    } else if (in_class) {
      if (c == "\\") r += '\\';
      r.append(c);
      if (c == "]") in_class = false;
    } else if (c == "[") {
      r += '[';
      in_class = true;
    } else if (c == "%") {
      r += ".*";
    } else if (c == "_") {
      r += '.';
    } else if (c == "(") {
      r += "(?:";
    } else if (c == "\\" || c == "." || c == "^" || c == "$") {
      r += '\\';
      r.append(c);
    } else {
      r.append(c);
    }
  }
  return r + ")$";
}

const std::vector<Signature>& signatures() {
  static const std::vector<Signature> kSigs = {
      {Func::Length, "length", T::Int32, {T::Text}},
      {Func::Length, "char_length", T::Int32, {T::Text}},
      {Func::Length, "character_length", T::Int32, {T::Text}},
      {Func::OctetLength, "octet_length", T::Int32, {T::Text}},
      {Func::BpcharOctetLength, "octet_length", T::Int32, {T::BpChar}},
      {Func::BitLength, "bit_length", T::Int32, {T::Text}},
      {Func::Lower, "lower", T::Text, {T::Text}},
      {Func::Upper, "upper", T::Text, {T::Text}},
      {Func::Initcap, "initcap", T::Text, {T::Text}},
      {Func::Substr, "substr", T::Text, {T::Text, T::Int32}},
      {Func::Substr, "substr", T::Text, {T::Text, T::Int32, T::Int32}},
      {Func::Substr, "substring", T::Text, {T::Text, T::Int32}},
      {Func::Substr, "substring", T::Text, {T::Text, T::Int32, T::Int32}},
      {Func::Position, "position", T::Int32, {T::Text, T::Text}},
      {Func::Position, "strpos", T::Int32, {T::Text, T::Text}},
      {Func::Replace, "replace", T::Text, {T::Text, T::Text, T::Text}},
      {Func::SplitPart, "split_part", T::Text, {T::Text, T::Text, T::Int32}},
      {Func::Lpad, "lpad", T::Text, {T::Text, T::Int32}},
      {Func::Lpad, "lpad", T::Text, {T::Text, T::Int32, T::Text}},
      {Func::Rpad, "rpad", T::Text, {T::Text, T::Int32}},
      {Func::Rpad, "rpad", T::Text, {T::Text, T::Int32, T::Text}},
      {Func::Concat, "concat", T::Text, {}, true, false},
      {Func::ConcatWs, "concat_ws", T::Text, {T::Text}, true, false},
      {Func::Format, "format", T::Text, {T::Text}, false, false},
      {Func::Format, "format", T::Text, {T::Text}, true, false},
      {Func::Chr, "chr", T::Text, {T::Int32}},
      {Func::Ascii, "ascii", T::Int32, {T::Text}},
      {Func::ToHex32, "to_hex", T::Text, {T::Int32}},
      {Func::ToHex64, "to_hex", T::Text, {T::Int64}},
      {Func::QuoteLiteral, "quote_literal", T::Text, {T::Text}},
      {Func::QuoteIdent, "quote_ident", T::Text, {T::Text}},
      {Func::QuoteNullable, "quote_nullable", T::Text, {T::Text}, false, false},
      {Func::Translate, "translate", T::Text, {T::Text, T::Text, T::Text}},
      {Func::Left, "left", T::Text, {T::Text, T::Int32}},
      {Func::Right, "right", T::Text, {T::Text, T::Int32}},
      {Func::Repeat, "repeat", T::Text, {T::Text, T::Int32}},
      {Func::Reverse, "reverse", T::Text, {T::Text}},
      {Func::StartsWith, "starts_with", T::Bool, {T::Text, T::Text}},
      {Func::Btrim, "btrim", T::Text, {T::Text}},
      {Func::Btrim, "btrim", T::Text, {T::Text, T::Text}},
      {Func::Ltrim, "ltrim", T::Text, {T::Text}},
      {Func::Ltrim, "ltrim", T::Text, {T::Text, T::Text}},
      {Func::Rtrim, "rtrim", T::Text, {T::Text}},
      {Func::Rtrim, "rtrim", T::Text, {T::Text, T::Text}},
      {Func::Overlay, "overlay", T::Text, {T::Text, T::Text, T::Int32}},
      {Func::Overlay, "overlay", T::Text, {T::Text, T::Text, T::Int32, T::Int32}},
      {Func::StringToArray, "string_to_array", T::TextArray, {T::Text, T::Text}, false, false},
      {Func::StringToArray, "string_to_array", T::TextArray, {T::Text, T::Text, T::Text}, false, false},
      {Func::LikeEscape, "like_escape", T::Text, {T::Text, T::Text}},
      {Func::SimilarEscape, "similar_to_escape", T::Text, {T::Text}},
      {Func::SimilarEscape, "similar_to_escape", T::Text, {T::Text, T::Text}},
      {Func::RegexpReplace, "regexp_replace", T::Text, {T::Text, T::Text, T::Text}},
      {Func::RegexpReplace, "regexp_replace", T::Text, {T::Text, T::Text, T::Text, T::Text}},
      {Func::RegexpReplaceAt, "regexp_replace", T::Text, {T::Text, T::Text, T::Text, T::Int32}},
      {Func::RegexpReplaceAt, "regexp_replace", T::Text, {T::Text, T::Text, T::Text, T::Int32, T::Int32}},
      {Func::RegexpReplaceAt,
       "regexp_replace",
       T::Text,
       {T::Text, T::Text, T::Text, T::Int32, T::Int32, T::Text}},
      {Func::RegexpMatch, "regexp_match", T::TextArray, {T::Text, T::Text}},
      {Func::RegexpMatch, "regexp_match", T::TextArray, {T::Text, T::Text, T::Text}},
      {Func::RegexpSplitToArray, "regexp_split_to_array", T::TextArray, {T::Text, T::Text}},
      {Func::RegexpSplitToArray, "regexp_split_to_array", T::TextArray, {T::Text, T::Text, T::Text}},
      {Func::RegexpSplitToArray, "regexp_split_to_table", T::TextArray, {T::Text, T::Text}},
      {Func::RegexpSplitToArray, "regexp_split_to_table", T::TextArray, {T::Text, T::Text, T::Text}},
      {Func::RegexpMatchesAll, "regexp_matches", T::TextArray, {T::Text, T::Text}},
      {Func::RegexpMatchesAll, "regexp_matches", T::TextArray, {T::Text, T::Text, T::Text}},
      {Func::RegexpSubstring, "substring", T::Text, {T::Text, T::Text}},
      {Func::RegexpSubstring, "substring", T::Text, {T::Text, T::Text, T::Text}},  // SIMILAR ... ESCAPE
      {Func::RegexpLike, "regexp_like", T::Bool, {T::Text, T::Text}},
      {Func::RegexpLike, "regexp_like", T::Bool, {T::Text, T::Text, T::Text}},
      {Func::RegexpCount, "regexp_count", T::Int32, {T::Text, T::Text}},
      {Func::RegexpCount, "regexp_count", T::Int32, {T::Text, T::Text, T::Int32}},
      {Func::RegexpCount, "regexp_count", T::Int32, {T::Text, T::Text, T::Int32, T::Text}},
      {Func::RegexpSubstr, "regexp_substr", T::Text, {T::Text, T::Text}},
      {Func::RegexpSubstr, "regexp_substr", T::Text, {T::Text, T::Text, T::Int32}},
      {Func::RegexpSubstr, "regexp_substr", T::Text, {T::Text, T::Text, T::Int32, T::Int32}},
      {Func::RegexpSubstr, "regexp_substr", T::Text, {T::Text, T::Text, T::Int32, T::Int32, T::Text}},
      {Func::RegexpSubstr,
       "regexp_substr",
       T::Text,
       {T::Text, T::Text, T::Int32, T::Int32, T::Text, T::Int32}},
  };
  return kSigs;
}

const char* func_name(Func f) {
  if (f == Func::CharAssign) return "varchar";  // (EXPLAIN only: not callable from SQL)
  if (f == Func::BpcharTypmod) return "bpchar";
  if (f == Func::BpcharOut) return "bpcharout";
  for (const Signature& s : signatures())
    if (s.func == f) return s.name;
  return "?";
}

bool is_strict(Func f) {
  return f != Func::Concat && f != Func::ConcatWs && f != Func::Format && f != Func::QuoteNullable &&
         f != Func::StringToArray;
}

void eval(Func f, const Datum* args, size_t n, Datum& out, std::string& buf) {
  out.is_null = 0;
  out.str = StrRef{nullptr, 0};
  auto text_out = [&](std::string s) {
    buf = std::move(s);
    out.str = StrRef{buf.data(), buf.size()};
  };
  auto view_out = [&](std::string_view s) { text_out(std::string(s)); };
  auto int_out = [&](int64_t v) { out.i64 = v; };
  switch (f) {
    case Func::Length:
      return int_out(char_count(str(args[0])));
    case Func::OctetLength:
      return int_out(static_cast<int64_t>(args[0].str.len));
    case Func::BitLength:
      return int_out(static_cast<int64_t>(args[0].str.len) * 8);
    case Func::Lower:
      return text_out(change_case(str(args[0]), Case::Lower));
    case Func::Upper:
      return text_out(change_case(str(args[0]), Case::Upper));
    case Func::Initcap:
      return text_out(change_case(str(args[0]), Case::Initcap));
    case Func::Substr:
      return view_out(substring(str(args[0]), args[1].i64, n > 2, n > 2 ? args[2].i64 : 0));
    case Func::Position: {
      std::string_view hay = str(args[0]), needle = str(args[1]);
      size_t at = hay.find(needle);
      return int_out(at == std::string_view::npos ? 0 : char_count(hay.substr(0, at)) + 1);
    }
    case Func::Replace: {  // an empty `from` leaves the text as it is
      std::string_view s = str(args[0]), from = str(args[1]), to = str(args[2]);
      if (from.empty()) return view_out(s);
      std::string r;
      ProgressPoll poll;
      for (size_t at = 0;;) {
        poll(at);
        size_t hit = s.find(from, at);
        r.append(s.substr(at, hit == std::string_view::npos ? std::string_view::npos : hit - at));
        if (hit == std::string_view::npos) break;
        r.append(to);
        at = hit + from.size();
      }
      return text_out(std::move(r));
    }
    case Func::SplitPart:
      return text_out(split_part(str(args[0]), str(args[1]), args[2].i64));
    case Func::Lpad:
    case Func::Rpad:
      return text_out(pad(str(args[0]), args[1].i64, n > 2 ? str(args[2]) : " ", f == Func::Lpad));
    case Func::Concat:
    case Func::ConcatWs: {
      const bool ws = f == Func::ConcatWs;
      if (ws && args[0].is_null) {
        out.is_null = 1;
        return;
      }
      std::string r;
      bool first = true;
      for (size_t i = ws ? 1 : 0; i < n; ++i) {
        if (args[i].is_null) continue;
        if (ws && !first) r.append(str(args[0]));
        r.append(str(args[i]));
        first = false;
      }
      return text_out(std::move(r));
    }
    case Func::Format:
      if (args[0].is_null) {
        out.is_null = 1;
        return;
      }
      return text_out(Formatter(args, n).run());
    case Func::Chr:
      return text_out(chr(args[0].i64));
    case Func::Ascii: {
      std::string_view s = str(args[0]);
      return int_out(s.empty() ? 0 : static_cast<int64_t>(decode(s, 0, char_len(s, 0))));
    }
    case Func::ToHex32:
      return text_out(to_hex(static_cast<uint32_t>(args[0].i64)));
    case Func::ToHex64:
      return text_out(to_hex(static_cast<uint64_t>(args[0].i64)));
    case Func::QuoteLiteral:
      return text_out(quote_literal(str(args[0])));
    case Func::QuoteIdent:
      return text_out(quote_ident(str(args[0])));
    case Func::QuoteNullable:
      return text_out(args[0].is_null ? "NULL" : quote_literal(str(args[0])));
    case Func::Translate:
      return text_out(translate(str(args[0]), str(args[1]), str(args[2])));
    case Func::Left:
    case Func::Right: {
      std::string_view s = str(args[0]);
      int64_t k = args[1].i64, len = char_count(s);
      if (f == Func::Left) return view_out(s.substr(0, char_offset(s, k < 0 ? len + k : k)));
      return view_out(s.substr(char_offset(s, k < 0 ? -k : len - k)));
    }
    case Func::Repeat: {
      std::string_view s = str(args[0]);
      int64_t count = std::max<int64_t>(args[1].i64, 0);
      if (count * static_cast<int64_t>(s.size()) + 4 > kMaxAlloc) too_large();
      std::string r;
      r.reserve(static_cast<size_t>(count) * s.size());
      ProgressPoll poll;
      for (int64_t i = 0; i < count; ++i) {
        poll(r.size());
        r.append(s);
      }
      return text_out(std::move(r));
    }
    case Func::Reverse: {
      std::string_view s = str(args[0]);
      std::string r;
      r.reserve(s.size());
      for (size_t e = s.size(); e > 0;) {
        size_t b = e - 1;
        while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
        r.append(s.substr(b, e - b));
        e = b;
      }
      return text_out(std::move(r));
    }
    case Func::StartsWith: {
      std::string_view s = str(args[0]), prefix = str(args[1]);
      return int_out(s.substr(0, prefix.size()) == prefix ? 1 : 0);
    }
    case Func::CharAssign:  // (text, n)
      out.str = args[0].str;
      out.str.len = char_assign_length(str(args[0]), args[1].i64);
      return;
    case Func::BpcharTypmod:  // (text, n, explicit)
      return text_out(bpchar_typmod(str(args[0]), args[1].i64, args[2].i64 != 0));
    case Func::BpcharOut:
      out.str = args[0].str;
      return;
    case Func::BpcharOctetLength:
      return int_out(static_cast<int64_t>(str(args[0]).size()));
    case Func::Btrim:
    case Func::Ltrim:
    case Func::Rtrim:
      return view_out(trim(str(args[0]), n > 1 ? str(args[1]) : " ", f != Func::Rtrim, f != Func::Ltrim));
    case Func::Overlay:
      return text_out(overlay(str(args[0]), str(args[1]), args[2].i64, n > 3, n > 3 ? args[3].i64 : 0));
    case Func::StringToArray:
      if (args[0].is_null) {
        out.is_null = 1;
        return;
      }
      return text_out(string_to_array(args, n));
    case Func::LikeEscape:
      return text_out(like_escape(str(args[0]), str(args[1])));
    case Func::SimilarEscape:
      return text_out(similar_to_regex(str(args[0]), n > 1, n > 1 ? str(args[1]) : std::string_view()));
    default:
      break;
  }
  throw SqlError(SqlState::InternalError, "textsql::eval: a regular-expression function");
}

}  // namespace omendb::textsql
