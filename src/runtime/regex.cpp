#include "runtime/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/error.h"

namespace omendb::runtime {

struct RegexCache::Compiled {
  pcre2_code* code = nullptr;
  pcre2_match_data* data = nullptr;
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
      // A trailing escape: PostgreSQL raises 22025 only if matching gets that far; here it never matches.
      if (i + 1 == pattern.size()) {
        out += "(*FAIL)";
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

bool RegexCache::matches(int32_t flags, std::string_view subject, std::string_view pattern) {
  std::string key(1, static_cast<char>('0' + (flags & (kMatchIcase | kMatchLike))));
  key.append(pattern);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    if (cache_.size() >= 256) cache_.clear();  // a pattern per row: do not keep them all
    std::string regex = (flags & kMatchLike) ? like_to_regex(pattern) : std::string(pattern);
    // PostgreSQL's AREs (and LIKE) treat a newline as an ordinary character: `.` matches it, and `$` only
    // matches at the very end.
    uint32_t options = PCRE2_UTF | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY;
    if (flags & kMatchIcase) options |= PCRE2_CASELESS;
    int error = 0;
    PCRE2_SIZE offset = 0;
    auto c = std::make_unique<Compiled>();
    c->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(), options, &error,
                            &offset, nullptr);
    if (!c->code) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      throw SqlError(SqlState::InvalidRegularExpression,
                     "invalid regular expression: " + std::string(reinterpret_cast<const char*>(message)));
    }
    c->data = pcre2_match_data_create_from_pattern(c->code, nullptr);
    if (!c->data) throw std::bad_alloc();
    it = cache_.emplace(std::move(key), std::move(c)).first;
  }
  const Compiled& c = *it->second;
  int rc = pcre2_match(c.code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, c.data,
                       nullptr);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
    throw SqlError(SqlState::ProgramLimitExceeded, "regular expression is too complex");
  PCRE2_UCHAR message[256];
  pcre2_get_error_message(rc, message, sizeof message);
  throw SqlError(SqlState::InvalidRegularExpression,
                 "regular expression failed: " + std::string(reinterpret_cast<const char*>(message)));
}

}  // namespace omendb::runtime
