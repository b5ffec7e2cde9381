#include "runtime/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/array.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omendb::runtime {

struct RegexCache::Compiled {
  pcre2_code* code = nullptr;
  pcre2_match_data* data = nullptr;
  size_t groups = 0;  // capture groups
  ~Compiled() {
    if (data) pcre2_match_data_free(data);
    if (code) pcre2_code_free(code);
  }
};

RegexCache::RegexCache() = default;
RegexCache::~RegexCache() = default;

std::string like_to_regex(std::string_view pattern) {
  std::string out = "\\A(?:";
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      // A trailing escape: PostgreSQL's MatchText raises 22025 when it gets there (or to a % just before
      // it) with text left; the callout (`callout_context`) does the same, and fails the path at the end
      // of the text (a % before it backtracks to leave text). No start-of-match optimisation may skip an
      // attempt.
      if (i + 1 == pattern.size()) {
        out.insert(0, "(*NO_START_OPT)(*NO_AUTO_POSSESS)(*NO_DOTSTAR_ANCHOR)");
        out += "(?C1)";
        break;
      }
      c = pattern[++i];
    } else if (c == '%') {
      out += ".*";
      continue;
    } else if (c == '_') {
      out += '.';
      continue;
    }
    // A literal character: quoted unless it is plainly alphanumeric or a UTF-8 continuation byte.
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          (static_cast<unsigned char>(c) & 0x80)))
      out += '\\';
    out += c;
  }
  return out + ")\\z";
}

namespace {

// PostgreSQL's AREs (and LIKE) treat a newline as an ordinary character: `.` matches it, and `$` only
// matches at the very end.
// PCRE2_UCP: \\w, \\d, \\b and the POSIX classes ([[:alpha:]] ...) know Unicode's letters, as PostgreSQL's
// do in a UTF8 database.
constexpr uint32_t kDefaultOptions = PCRE2_UTF | PCRE2_UCP | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY;

// The match context whose callout stops a match with PCRE2_ERROR_CALLOUT (like_to_regex's (?C1)).
pcre2_match_context* callout_context() {
  static pcre2_match_context* context = [] {
    pcre2_match_context* c = pcre2_match_context_create(nullptr);
    if (!c) throw std::bad_alloc();
    pcre2_set_callout(
        c,
        [](pcre2_callout_block* b, void*) -> int {
          if (b->current_position < b->subject_length) return PCRE2_ERROR_CALLOUT;
          return 1;  // at the end of the text: this path does not match
        },
        nullptr);
    return c;
  }();
  return context;
}

// Whether `c` matches `subject` from byte `start`; throws on PCRE2's limits. `options`: 0, or
// PCRE2_NO_UTF_CHECK when an earlier call already checked this subject (PCRE2 checks the whole subject
// on every call, which makes a loop over the matches of a long text quadratic).
bool run(const pcre2_code* code, pcre2_match_data* data, std::string_view subject, size_t start,
         uint32_t options = 0) {
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), start, options,
                       data, callout_context());
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_CALLOUT)  // like_to_regex's trailing escape was reached
    throw SqlError(SqlState::InvalidEscapeSequence, "LIKE pattern must not end with escape character");
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
    throw SqlError(SqlState::ProgramLimitExceeded, "regular expression is too complex");
  PCRE2_UCHAR message[256];
  pcre2_get_error_message(rc, message, sizeof message);
  throw SqlError(SqlState::InvalidRegularExpression,
                 "regular expression failed: " + std::string(reinterpret_cast<const char*>(message)));
}

// PostgreSQL's parse_re_flags: the PCRE2 options the flag letters ask for, and whether 'g' was given.
struct Flags {
  uint32_t options = kDefaultOptions;
  bool global = false;
};

Flags parse_flags(std::string_view s, uint32_t options = kDefaultOptions) {
  Flags f;
  f.options = options;
  uint32_t newline = PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_MULTILINE;
  for (size_t i = 0; i < s.size(); i += textsql::char_len(s, i)) {
    switch (s[i]) {
      case 'g':
        f.global = true;
        break;
      case 'i':
        f.options |= PCRE2_CASELESS;
        break;
      case 'c':
        f.options &= ~PCRE2_CASELESS;
        break;
      case 'n':
      case 'm':  // newline-sensitive: . stops at newlines, ^ and $ match at them
        f.options = (f.options & ~newline) | PCRE2_MULTILINE;
        break;
      case 'p':  // partial newline-sensitive: . stops at newlines only
        f.options = (f.options & ~newline) | PCRE2_DOLLAR_ENDONLY;
        break;
      case 'w':  // inverse partial: ^ and $ match at newlines only
        f.options = (f.options & ~newline) | PCRE2_DOTALL | PCRE2_MULTILINE;
        break;
      case 's':
        f.options = (f.options & ~newline) | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY;
        break;
      case 'x':
        f.options |= PCRE2_EXTENDED;
        break;
      case 'q':
        f.options |= PCRE2_LITERAL;
        break;
      case 't':
        f.options &= ~(PCRE2_EXTENDED | PCRE2_LITERAL);
        break;
      case 'b':
      case 'e':
        throw SqlError(SqlState::FeatureNotSupported,
                       std::string("regular expression option \"") + s[i] +
                           "\" (basic and extended POSIX syntax) is not supported by OmenDB");
      default:
        throw SqlError(SqlState::InvalidParameterValue,
                       "invalid regular expression option: \"" +
                           std::string(s.substr(i, textsql::char_len(s, i))) + "\"");
    }
  }
  // q: the pattern is a literal string; PCRE2 refuses the newline options with it (they change nothing).
  if (f.options & PCRE2_LITERAL) f.options &= PCRE2_LITERAL | PCRE2_CASELESS | PCRE2_UTF;
  // ARE's newline-sensitive ^ also matches after a newline that ends the text.
  if (f.options & PCRE2_MULTILINE) f.options |= PCRE2_ALT_CIRCUMFLEX;
  return f;
}

// PostgreSQL's messages for the compile errors both libraries share; PCRE2's own text for the others.
std::string compile_error(int error) {
  switch (error) {
    case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS:
    case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS:
      return "parentheses () not balanced";
    case PCRE2_ERROR_MISSING_SQUARE_BRACKET:
      return "brackets [] not balanced";
    case PCRE2_ERROR_CLASS_RANGE_ORDER:
      return "invalid character range";
    case PCRE2_ERROR_QUANTIFIER_OUT_OF_ORDER:
    case PCRE2_ERROR_QUANTIFIER_TOO_BIG:
      return "invalid repetition count(s)";
    case PCRE2_ERROR_QUANTIFIER_INVALID:
      return "quantifier operand invalid";
    case PCRE2_ERROR_END_BACKSLASH:
    case PCRE2_ERROR_UNKNOWN_ESCAPE:
      return "invalid escape \\ sequence";
    case PCRE2_ERROR_BAD_SUBPATTERN_REFERENCE:
      return "invalid backreference number";
    default: {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      return reinterpret_cast<const char*>(message);
    }
  }
}

[[noreturn]] void bad_repetition() {
  throw SqlError(SqlState::InvalidRegularExpression,
                 "invalid regular expression: invalid repetition count(s)");
}

// An ARE (PostgreSQL's regular expression syntax) in PCRE2's syntax, where they differ: the word-boundary
// escapes \m \M \y \Y and \Z, bounds above PostgreSQL's DUPMAX (255), and the embedded options of a
// leading (?letters), which go to `embedded` (PCRE2 reads (?n) as "no auto capture").
std::string are_to_pcre(std::string_view re, std::string* embedded) {
  std::string out;
  size_t i = 0;
  if (re.starts_with("(?")) {
    size_t close = re.find(')');
    bool letters = close != std::string_view::npos && close > 2;
    for (size_t k = 2; letters && k < close; ++k) letters = re[k] >= 'a' && re[k] <= 'z';
    if (letters) {
      embedded->assign(re.substr(2, close - 2));
      i = close + 1;
    }
  }
  bool in_bracket = false;
  for (; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      const char e = re[i + 1];
      const char* with = nullptr;
      if (!in_bracket) {
        if (e == 'm')
          with = "\\b(?=\\w)";
        else if (e == 'M')
          with = "\\b(?<=\\w)";
        else if (e == 'y')
          with = "\\b";
        else if (e == 'Y')
          with = "\\B";
        else if (e == 'Z')
          with = "\\z";
      }
      if (with)
        out += with;
      else
        out.append(re.substr(i, 2));
      ++i;
      continue;
    }
    if (in_bracket) {
      if (c == '[' && i + 1 < re.size() && (re[i + 1] == ':' || re[i + 1] == '.' || re[i + 1] == '=')) {
        const char kind = re[i + 1];
        size_t end = re.find(std::string{kind, ']'}, i + 2);
        if (end != std::string_view::npos) {
          out.append(re.substr(i, end + 2 - i));
          i = end + 1;
          continue;
        }
      }
      if (c == ']') in_bracket = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_bracket = true;
      out += c;
      if (i + 1 < re.size() && re[i + 1] == '^') out += re[++i];
      if (i + 1 < re.size() && re[i + 1] == ']') out += re[++i];  // a leading ] is literal
      continue;
    }
    if (c == '{') {  // a bound {m}, {m,}, {m,n}: PostgreSQL allows at most 255
      size_t k = i + 1;
      auto number = [&](int64_t* v) {
        size_t from = k;
        *v = 0;
        while (k < re.size() && re[k] >= '0' && re[k] <= '9' && k - from < 10) *v = *v * 10 + (re[k++] - '0');
        return k > from;
      };
      int64_t lo = 0, hi = 0;
      if (number(&lo)) {
        hi = lo;
        if (k < re.size() && re[k] == ',') {
          ++k;
          if (!number(&hi)) hi = -1;
        }
        const bool ok = k < re.size() && re[k] == '}';
        if (ok && (lo > 255 || hi > 255 || (hi >= 0 && hi < lo))) bad_repetition();
      }
    }
    out += c;
  }
  return out;
}

[[noreturn]] void no_global(const char* function, const char* hint = nullptr) {
  SqlError e(SqlState::InvalidParameterValue,
             std::string(function) + "() does not support the \"global\" option");
  if (hint) throw std::move(e).with_hint(hint);
  throw e;
}

[[noreturn]] void bad_parameter(const char* name, int64_t v) {
  throw SqlError(SqlState::InvalidParameterValue,
                 std::string("invalid value for parameter \"") + name + "\": " + std::to_string(v));
}

// One match: byte offsets of the whole match and of each group (-1 for a group that did not take part).
struct Match {
  std::vector<std::pair<int64_t, int64_t>> spans;  // [0] the match, [k] group k
};

}  // namespace

const RegexCache::Compiled& RegexCache::compile(std::string key, std::string_view regex, uint32_t options,
                                                bool are) {
  auto it = cache_.find(key);
  if (it != cache_.end()) return *it->second;
  std::string translated;
  if (are && !(options & PCRE2_LITERAL)) {
    std::string embedded;
    translated = are_to_pcre(regex, &embedded);
    if (!embedded.empty()) options = parse_flags(embedded, options).options;
    // Case-insensitive, PostgreSQL's [[:upper:]] and [[:lower:]] match every letter (PCRE2's stay as
    // they are).
    if (options & PCRE2_CASELESS)
      for (const char* cls : {"[:upper:]", "[:lower:]"})
        for (size_t at = translated.find(cls); at != std::string::npos; at = translated.find(cls, at))
          translated.replace(at, 9, "[:alpha:]");
    regex = translated;
  }
  if (cache_.size() >= 256) cache_.clear();  // a pattern per row: do not keep them all
  int error = 0;
  PCRE2_SIZE offset = 0;
  auto c = std::make_unique<Compiled>();
  c->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(), options, &error, &offset,
                          nullptr);
  if (!c->code) {
    throw SqlError(SqlState::InvalidRegularExpression, "invalid regular expression: " + compile_error(error));
  }
  c->data = pcre2_match_data_create_from_pattern(c->code, nullptr);
  if (!c->data) throw std::bad_alloc();
  uint32_t groups = 0;
  pcre2_pattern_info(c->code, PCRE2_INFO_CAPTURECOUNT, &groups);
  c->groups = groups;
  return *cache_.emplace(std::move(key), std::move(c)).first->second;
}

bool RegexCache::matches(int32_t flags, std::string_view subject, std::string_view pattern) {
  std::string key(1, static_cast<char>('0' + (flags & (kMatchIcase | kMatchLike))));
  key.append(pattern);
  uint32_t options = kDefaultOptions;
  if (flags & kMatchIcase) options |= PCRE2_CASELESS;
  auto it = cache_.find(key);
  const Compiled& c = it != cache_.end()     ? *it->second
                      : (flags & kMatchLike) ? compile(std::move(key), like_to_regex(pattern), options, false)
                                             : compile(std::move(key), pattern, options, true);
  return run(c.code, c.data, subject, 0);
}

void RegexCache::eval(textsql::Func f, const Datum* args, size_t n, Datum& out, std::string& buf) {
  using textsql::Func;
  out.is_null = 0;
  out.str = StrRef{nullptr, 0};
  std::string_view s = args[0].str.view();
  std::string_view pattern = args[1].str.view();
  // The flags argument's place per function and arity.
  std::string_view flag_text;
  if ((f == Func::RegexpReplace && n == 4) || (f == Func::RegexpReplaceAt && n == 6) ||
      ((f == Func::RegexpMatch || f == Func::RegexpMatchesAll || f == Func::RegexpSplitToArray ||
        f == Func::RegexpLike) &&
       n == 3) ||
      (f == Func::RegexpCount && n == 4) || (f == Func::RegexpSubstr && n >= 5))
    flag_text = args[f == Func::RegexpSubstr ? 4 : n - 1].str.view();
  if (f == Func::RegexpReplace && n == 4 && !flag_text.empty() && flag_text[0] >= '0' && flag_text[0] <= '9')
    throw SqlError(SqlState::InvalidParameterValue,
                   "invalid regular expression option: \"" + std::string(flag_text.substr(0, 1)) + "\"")
        .with_hint(
            "If you meant to use regexp_replace() with a start parameter, cast the fourth argument to "
            "integer "
            "explicitly.");
  // substring(text SIMILAR pattern ESCAPE e): the SIMILAR TO pattern as a regular expression.
  std::string similar;
  if (f == Func::RegexpSubstring && n == 3) {
    similar = textsql::similar_to_regex(pattern, true, args[2].str.view());
    pattern = similar;
  }
  // Parameters checked before the flags, as PostgreSQL does.
  int64_t start = 1, nth = 1, subexpr = 0;
  if (f == Func::RegexpReplaceAt) {
    start = args[3].i64;
    if (start <= 0) bad_parameter("start", start);
    if (n >= 5) {
      nth = args[4].i64;
      if (nth < 0) bad_parameter("n", nth);
    }
  }
  if ((f == Func::RegexpCount || f == Func::RegexpSubstr) && n >= 3) {
    start = args[2].i64;
    if (start <= 0) bad_parameter("start", start);
  }
  if (f == Func::RegexpSubstr && n >= 4) {
    nth = args[3].i64;
    if (nth <= 0) bad_parameter("n", nth);
  }
  if (f == Func::RegexpSubstr && n >= 6) {
    subexpr = args[5].i64;
    if (subexpr < 0) bad_parameter("subexpr", subexpr);
  }
  Flags flags = parse_flags(flag_text);
  if (flags.global) {
    switch (f) {
      case Func::RegexpMatch:
        no_global("regexp_match", "Use the regexp_matches function instead.");
      case Func::RegexpSplitToArray:
        no_global("regexp_split_to_array");
      case Func::RegexpLike:
        no_global("regexp_like");
      case Func::RegexpCount:
        no_global("regexp_count");
      case Func::RegexpSubstr:
        no_global("regexp_substr");
      default:
        break;
    }
  }
  std::string key = "f" + std::to_string(flags.options) + ":";
  key.append(pattern);
  const Compiled& c = compile(std::move(key), pattern, flags.options, true);
  const size_t groups = c.groups;

  // PostgreSQL's setup_regexp_matches: every match from `from` (byte offset), or the first; after a
  // zero-length match the search moves one character on. `degenerate` false: drop zero-length matches at
  // the end of the text or right after the previous match (regexp_split_*).
  auto find_all = [&](size_t from, bool all, bool degenerate, auto&& each) {
    int64_t prev_end = 0;
    size_t at = from;
    for (uint32_t checked = 0; at <= s.size() && run(c.code, c.data, s, at, checked);
         checked = PCRE2_NO_UTF_CHECK) {
      poll_interrupt();  // one match at a time: a long text's matches may take long
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(c.data);
      auto so = static_cast<int64_t>(ov[0]), eo = static_cast<int64_t>(ov[1]);
      if (degenerate || (so < static_cast<int64_t>(s.size()) && eo > prev_end)) {
        Match m;
        for (size_t g = 0; g <= groups; ++g)
          m.spans.push_back(ov[2 * g] == PCRE2_UNSET
                                ? std::pair<int64_t, int64_t>{-1, -1}
                                : std::pair<int64_t, int64_t>{static_cast<int64_t>(ov[2 * g]),
                                                              static_cast<int64_t>(ov[2 * g + 1])});
        if (!each(m)) return;
      }
      prev_end = eo;
      if (!all) return;
      at = static_cast<size_t>(eo);
      if (so == eo) {
        if (at >= s.size()) return;
        at += textsql::char_len(s, at);
      }
    }
  };
  auto span_text = [&](const std::pair<int64_t, int64_t>& sp) {
    return s.substr(static_cast<size_t>(sp.first), static_cast<size_t>(sp.second - sp.first));
  };
  auto text_out = [&](std::string_view v) {
    buf.assign(v);
    out.str = StrRef{buf.data(), buf.size()};
  };
  // A match as regexp_match shows it: the groups, or the whole match without groups.
  auto match_array = [&](const Match& m) {
    arr::Builder b(TypeId::Text);
    for (size_t g = groups ? 1 : 0; g <= groups; ++g) {
      Datum d{};
      d.is_null = m.spans[g].first < 0;
      if (!d.is_null) {
        std::string_view v = span_text(m.spans[g]);
        d.str = StrRef{v.data(), v.size()};
      }
      b.add(d);
    }
    return b.finish();
  };
  const size_t from = textsql::char_offset(s, start - 1);

  switch (f) {
    case Func::RegexpReplace:
    case Func::RegexpReplaceAt: {
      // PostgreSQL's replace_text_regexp: the nth match (0: all) from `start`; \1..\9 and \& insert
      // groups, \\ a backslash, any other backslash stays.
      if (n <= 4) nth = flags.global ? 0 : 1;  // no n: the 'g' flag decides
      std::string_view rep = args[2].str.view();
      std::string r;
      size_t copied = 0;
      int64_t count = 0;
      find_all(from, true, true, [&](const Match& m) {
        ++count;
        if (nth > 0 && count != nth) return true;
        r.append(s.substr(copied, static_cast<size_t>(m.spans[0].first) - copied));
        for (size_t i = 0; i < rep.size(); ++i) {
          if (rep[i] != '\\') {
            r.push_back(rep[i]);
            continue;
          }
          if (i + 1 == rep.size()) {
            r.push_back('\\');
            break;
          }
          char e = rep[i + 1];
          size_t g;
          if (e >= '1' && e <= '9') {
            g = static_cast<size_t>(e - '0');
          } else if (e == '&') {
            g = 0;
          } else if (e == '\\') {
            r.push_back('\\');
            ++i;
            continue;
          } else {
            r.push_back('\\');
            continue;
          }
          ++i;
          if (g <= groups && m.spans[g].first >= 0) r.append(span_text(m.spans[g]));
        }
        copied = static_cast<size_t>(m.spans[0].second);
        return nth == 0;
      });
      r.append(s.substr(copied));
      buf = std::move(r);
      out.str = StrRef{buf.data(), buf.size()};
      return;
    }
    case Func::RegexpMatch: {
      bool found = false;
      find_all(0, false, true, [&](const Match& m) {
        buf = match_array(m);
        found = true;
        return false;
      });
      if (!found) {
        out.is_null = 1;
        return;
      }
      out.str = StrRef{buf.data(), buf.size()};
      return;
    }
    case Func::RegexpMatchesAll: {
      arr::Builder rows(TypeId::Text);
      std::vector<std::string> texts;
      find_all(0, flags.global, true, [&](const Match& m) {
        texts.push_back(arr::to_text(match_array(m), TypeId::TextArray, dt::TimeZone(), OutputSettings{}));
        return true;
      });
      for (const std::string& t : texts) {
        Datum d{};
        d.str = StrRef{t.data(), t.size()};
        rows.add(d);
      }
      buf = rows.finish();
      out.str = StrRef{buf.data(), buf.size()};
      return;
    }
    case Func::RegexpSplitToArray: {
      arr::Builder b(TypeId::Text);
      size_t piece = 0;
      auto add = [&](std::string_view v) {
        Datum d{};
        d.str = StrRef{v.data(), v.size()};
        b.add(d);
      };
      find_all(0, true, false, [&](const Match& m) {
        add(s.substr(piece, static_cast<size_t>(m.spans[0].first) - piece));
        piece = static_cast<size_t>(m.spans[0].second);
        return true;
      });
      add(s.substr(piece));
      buf = b.finish();
      out.str = StrRef{buf.data(), buf.size()};
      return;
    }
    case Func::RegexpSubstring: {  // the first group, or the whole match; NULL without either
      bool found = false;
      find_all(0, false, true, [&](const Match& m) {
        const auto& sp = m.spans[groups ? 1 : 0];
        if (sp.first >= 0) {
          text_out(span_text(sp));
          found = true;
        }
        return false;
      });
      if (!found) out.is_null = 1;
      return;
    }
    case Func::RegexpLike:
      out.i64 = run(c.code, c.data, s, 0) ? 1 : 0;
      return;
    case Func::RegexpCount: {
      int64_t count = 0;
      find_all(from, true, true, [&](const Match&) {
        ++count;
        return true;
      });
      out.i64 = count;
      return;
    }
    case Func::RegexpSubstr: {
      int64_t count = 0;
      bool found = false;
      find_all(from, true, true, [&](const Match& m) {
        if (++count < nth) return true;
        if (static_cast<size_t>(subexpr) <= groups && m.spans[static_cast<size_t>(subexpr)].first >= 0) {
          text_out(span_text(m.spans[static_cast<size_t>(subexpr)]));
          found = true;
        }
        return false;
      });
      if (!found) out.is_null = 1;
      return;
    }
    default:
      break;
  }
  throw SqlError(SqlState::InternalError, "regex: not a regular-expression function");
}

}  // namespace omendb::runtime
