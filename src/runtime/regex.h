// Pattern matching for the regex operators (~, ~*, !~, !~*), LIKE / ILIKE and SIMILAR TO, and the
// regular-expression functions of common/text_sql.h (regexp_replace, regexp_match, regexp_matches,
// regexp_split_to_array, substring(text FROM pattern), regexp_like, regexp_count, regexp_substr), on PCRE2
// (docs/catalogs.md lists where PCRE2's syntax differs from PostgreSQL's ARE engine). Compiled patterns
// are cached per query, so a pattern that is the same for every row is compiled once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/datum.h"
#include "common/text_sql.h"

namespace omendb::runtime {

// How rt_match reads its pattern: flags of ExprOp::Match.
enum MatchFlags : int32_t {
  kMatchNegate = 1,  // !~, NOT LIKE
  kMatchIcase = 2,   // ~*, ILIKE
  kMatchLike = 4,    // a LIKE pattern (% _ and the escape character \), anchored at both ends
  kMatchAny = 8,     // x op ANY (patterns): the pattern is a text[] (rt_match_array)
  kMatchAll = 16,    // x op ALL (patterns)
};

class RegexCache {
 public:
  RegexCache();
  ~RegexCache();
  RegexCache(const RegexCache&) = delete;
  RegexCache& operator=(const RegexCache&) = delete;
  // Whether `subject` matches `pattern` (flags: MatchFlags without kMatchNegate). Throws SqlError 2201B
  // for an invalid regular expression.
  bool matches(int32_t flags, std::string_view subject, std::string_view pattern);
  // Evaluates a regular-expression function (textsql::is_regex) over `n` non-NULL args with PostgreSQL
  // 15's semantics: flags (g i c n m p w s x q t; b and e are 0A000, others 22023), start / n / subexpr
  // checks (22023), zero-length matches as PostgreSQL steps over them. A text or array result is written
  // to `buf`, which out.str points into; no match may give NULL.
  void eval(textsql::Func f, const Datum* args, size_t n, Datum& out, std::string& buf);

 private:
  struct Compiled;
  // The compiled form of `regex` with PCRE2 `options`, cached under `key`; `are`: `regex` is in
  // PostgreSQL's ARE syntax (translated first), else in PCRE2's (LIKE and SIMILAR TO, translated already).
  const Compiled& compile(std::string key, std::string_view regex, uint32_t options, bool are);
  std::unordered_map<std::string, std::unique_ptr<Compiled>> cache_;
};

// A LIKE pattern as a regular expression (PostgreSQL's rules: % any string, _ one character, \ escapes
// the next character; every other character stands for itself). A trailing escape raises 22025 when
// matching reaches it, as in PostgreSQL.
std::string like_to_regex(std::string_view pattern);

}  // namespace omendb::runtime
