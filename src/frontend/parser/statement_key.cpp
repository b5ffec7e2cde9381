// statement_key: PostgreSQL 15's scanner rules (scan.l) for the tokens that matter to a cache key, and a
// refusal for everything else. Being wrong here must never mean a wrong answer: the engine also checks, when
// it keeps a statement, that each literal the parser made is one of these tokens with the same value.
#include "frontend/parser/statement_key.h"

#include <algorithm>

namespace omendb::parser {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool ident_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool ident_cont(char c) {
  return ident_start(c) || is_digit(c) || c == '$';
}
bool dolq_cont(char c) {
  return ident_start(c) || is_digit(c);
}
bool op_char(char c) {
  switch (c) {
    case '~':
    case '!':
    case '@':
    case '#':
    case '^':
    case '&':
    case '|':
    case '`':
    case '?':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '<':
    case '>':
    case '=':
      return true;
    default:
      return false;
  }
}

class Scanner {
 public:
  explicit Scanner(std::string_view sql) : s_(sql) {}

  std::optional<StatementKey> run() {
    if (s_.size() > kMaxKeyedStatement || s_.find('\0') != std::string_view::npos) return std::nullopt;
    bool ended = false;  // a ';' was seen: only whitespace and comments may follow
    for (;;) {
      if (!skip_space()) return std::nullopt;
      if (i_ >= s_.size()) break;
      if (ended) return std::nullopt;  // several statements
      const size_t begin = i_;
      const char c = s_[i_];
      if (c == '\'') {
        if (!quoted_string(begin, false)) return std::nullopt;
      } else if (c == '"') {
        if (!quoted_identifier()) return std::nullopt;
      } else if (c == '$') {
        if (!dollar_string(begin)) return std::nullopt;
      } else if (is_digit(c) || (c == '.' && i_ + 1 < s_.size() && is_digit(s_[i_ + 1]))) {
        if (!number()) return std::nullopt;
      } else if (ident_start(c)) {
        if (!identifier(begin)) return std::nullopt;
      } else if (op_char(c)) {
        op();
      } else if (c == ':') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '=') return std::nullopt;
        i_ += i_ + 1 < s_.size() && s_[i_ + 1] == ':' ? 2 : 1;
        plain(begin);
      } else if (c == '.') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '.') return std::nullopt;
        ++i_;
        plain(begin);
      } else if (c == ',' || c == '(' || c == ')' || c == '[' || c == ']' || c == ';') {
        ++i_;
        plain(begin);
        ended = c == ';';
      } else {
        return std::nullopt;
      }
    }
    return std::move(out_);
  }

 private:
  // Skips whitespace and comments; false for an unterminated /* comment.
  bool skip_space() {
    while (i_ < s_.size()) {
      if (is_space(s_[i_])) {
        ++i_;
      } else if (s_.substr(i_, 2) == "--") {
        while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') ++i_;
      } else if (s_.substr(i_, 2) == "/*") {
        int depth = 0;
        for (;;) {
          if (i_ + 1 >= s_.size()) return false;
          if (s_[i_] == '/' && s_[i_ + 1] == '*') {
            ++depth;
            i_ += 2;
          } else if (s_[i_] == '*' && s_[i_ + 1] == '/') {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            ++i_;
          }
        }
      } else {
        break;
      }
    }
    return true;
  }

  void add_token(size_t begin, int literal) {
    if (!out_.tokens.empty()) out_.key += ' ';
    out_.tokens.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(i_), literal});
  }
  void plain(size_t begin) {
    add_token(begin, -1);
    out_.key.append(s_.substr(begin, i_ - begin));
  }
  void literal(size_t begin, KeyLiteral::Kind kind, std::string value) {
    const int index = static_cast<int>(out_.literals.size());
    add_token(begin, index);
    out_.key += kind == KeyLiteral::Kind::Number ? "\x01n" : "\x01s";
    out_.literals.push_back({kind, std::move(value), static_cast<int>(out_.tokens.size() - 1)});
  }

  // A string literal followed (across whitespace and comments) by another is PostgreSQL's continuation
  // ('a'\n'b' is 'ab') or a syntax error: not keyed.
  bool string_followed_by_string() {
    const size_t saved = i_;
    bool ok = skip_space();
    bool follows = ok && i_ < s_.size() && s_[i_] == '\'';
    i_ = saved;
    return !ok || follows;
  }

  // '...' (backslashes are plain characters: standard_conforming_strings is on), or with `escapes`
  // E'...' from its quote, `begin` being the E.
  bool quoted_string(size_t begin, bool escapes) {
    std::string value;
    ++i_;
    for (;;) {
      if (i_ >= s_.size()) return false;
      const char c = s_[i_];
      if (c == '\'') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '\'') {
          value += '\'';
          i_ += 2;
          continue;
        }
        ++i_;
        break;
      }
      if (c != '\\' || !escapes) {
        value += c;
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) return false;
      const char e = s_[i_ + 1];
      // Octal, hex and Unicode escapes and escaped non-ASCII bytes (their encoding checks): not keyed.
      if (is_digit(e) || e == 'x' || e == 'u' || e == 'U' || static_cast<unsigned char>(e) >= 0x80)
        return false;
      switch (e) {
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        default:
          value += e;
          break;  // \\, \' and any other character stand for themselves
      }
      i_ += 2;
    }
    if (string_followed_by_string()) return false;
    literal(begin, KeyLiteral::Kind::String, std::move(value));
    return true;
  }

  bool dollar_string(size_t begin) {
    size_t j = i_ + 1;
    if (j < s_.size() && s_[j] != '$') {
      if (!ident_start(s_[j])) return false;  // $1 (a parameter) or a lone $
      while (j < s_.size() && dolq_cont(s_[j])) ++j;
      if (j >= s_.size() || s_[j] != '$') return false;
    }
    if (j >= s_.size()) return false;
    const std::string_view delim = s_.substr(i_, j + 1 - i_);
    const size_t close = s_.find(delim, j + 1);
    if (close == std::string_view::npos) return false;
    std::string value(s_.substr(j + 1, close - (j + 1)));
    i_ = close + delim.size();
    literal(begin, KeyLiteral::Kind::String, std::move(value));
    return true;
  }

  bool quoted_identifier() {
    const size_t begin = i_;
    ++i_;
    for (;;) {
      if (i_ >= s_.size()) return false;
      if (s_[i_] == '"') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '"') {
          i_ += 2;
          continue;
        }
        ++i_;
        break;
      }
      ++i_;
    }
    if (i_ - begin == 2) return false;  // "" is an error
    plain(begin);
    return true;
  }

  bool identifier(size_t begin) {
    while (i_ < s_.size() && ident_cont(s_[i_])) ++i_;
    const std::string_view word = s_.substr(begin, i_ - begin);
    const bool quote_follows = i_ < s_.size() && s_[i_] == '\'';
    if (word.size() == 1) {
      const char w = static_cast<char>(word[0] | 0x20);
      if (quote_follows && w == 'e') return quoted_string(begin, true);
      if (quote_follows && (w == 'b' || w == 'x' || w == 'n')) return false;  // bit strings, N''
      if (w == 'u' && i_ < s_.size() && s_[i_] == '&') return false;          // U&'' and U&""
    }
    plain(begin);
    return true;
  }

  // PostgreSQL's integer, decimal and real tokens; anything its scanner would read differently (1..2, 1e,
  // 1abc, 0x1f) is not keyed.
  bool number() {
    const size_t begin = i_;
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    if (i_ < s_.size() && s_[i_] == '.') {
      if (i_ + 1 < s_.size() && s_[i_ + 1] == '.') return false;
      ++i_;
      while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      size_t j = i_ + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      if (j >= s_.size() || !is_digit(s_[j])) return false;
      while (j < s_.size() && is_digit(s_[j])) ++j;
      i_ = j;
    }
    if (i_ < s_.size() && (ident_cont(s_[i_]) || s_[i_] == '.')) return false;
    literal(begin, KeyLiteral::Kind::Number, std::string(s_.substr(begin, i_ - begin)));
    return true;
  }

  // scan.l's {operator}: a run of operator characters, cut before a comment, with trailing + and - given
  // back unless the run has one of ~!@#^&|`?% (so that a=-1 is a, =, -, 1).
  void op() {
    const size_t begin = i_;
    size_t j = i_;
    while (j < s_.size() && op_char(s_[j])) {
      if (j > begin && (s_.substr(j, 2) == "--" || s_.substr(j, 2) == "/*")) break;
      ++j;
    }
    size_t n = j - begin;
    if (n > 1 && (s_[begin + n - 1] == '+' || s_[begin + n - 1] == '-')) {
      const std::string_view run = s_.substr(begin, n);
      if (run.find_first_of("~!@#^&|`?%") == std::string_view::npos) {
        while (n > 1 && (s_[begin + n - 1] == '+' || s_[begin + n - 1] == '-')) --n;
      }
    }
    i_ = begin + n;
    plain(begin);
  }

  std::string_view s_;
  size_t i_ = 0;
  StatementKey out_;
};

}  // namespace

std::optional<StatementKey> statement_key(std::string_view sql) {
  return Scanner(sql).run();
}

int map_position(int position, const StatementKey& from, const StatementKey& to, size_t to_length) {
  if (position <= 0) return position;
  const auto b = static_cast<uint32_t>(position - 1);
  const auto& ft = from.tokens;
  const auto& tt = to.tokens;
  if (ft.empty() || ft.size() != tt.size()) return std::min(position, static_cast<int>(to_length) + 1);
  if (b < ft[0].begin) return static_cast<int>(std::min(b, tt[0].begin)) + 1;
  size_t k = static_cast<size_t>(std::upper_bound(ft.begin(), ft.end(), b,
                                                  [](uint32_t v, const KeyToken& t) { return v < t.begin; }) -
                                 ft.begin()) -
             1;
  uint32_t mapped;
  if (b < ft[k].end) {
    const uint32_t length = tt[k].end - tt[k].begin;
    mapped = tt[k].begin + std::min(b - ft[k].begin, length ? length - 1 : 0);
  } else {  // in the whitespace after token k
    const uint32_t limit = k + 1 < tt.size() ? tt[k + 1].begin : static_cast<uint32_t>(to_length);
    mapped = std::min(tt[k].end + (b - ft[k].end), limit);
  }
  return static_cast<int>(mapped) + 1;
}

}  // namespace omendb::parser
