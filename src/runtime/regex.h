// Pattern matching for the regex operators (~, ~*, !~, !~*) and LIKE / ILIKE, on PCRE2 (docs/catalogs.md
// lists where PCRE2's syntax differs from PostgreSQL's ARE engine). Compiled patterns are cached per
// query, so a pattern that is the same for every row is compiled once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace omendb::runtime {

// How rt_match reads its pattern: flags of ExprOp::Match.
enum MatchFlags : int32_t {
  kMatchNegate = 1,  // !~, NOT LIKE
  kMatchIcase = 2,   // ~*, ILIKE
  kMatchLike = 4,    // a LIKE pattern (% _ and the escape character \), anchored at both ends
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

 private:
  struct Compiled;
  std::unordered_map<std::string, std::unique_ptr<Compiled>> cache_;
};

// A LIKE pattern as a regular expression (PostgreSQL's rules: % any string, _ one character, \ escapes
// the next character; every other character stands for itself). A trailing escape never matches
// (PostgreSQL raises 22025 when matching reaches it).
std::string like_to_regex(std::string_view pattern);

}  // namespace omendb::runtime
