// The simple protocol's statement cache key: a cheap scan of one statement's text that replaces its
// literals by markers of their kind, so that statements differing only in literal values share one key
// (docs/architecture.md, "The simple protocol's statement cache"). It never calls libpg_query.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omendb::parser {

struct KeyToken {
  uint32_t begin = 0;  // byte offsets in the text; a string literal's token starts at its E or $tag$
  uint32_t end = 0;
  int literal = -1;  // index into StatementKey::literals, -1 for any other token
};

struct KeyLiteral {
  enum class Kind { Number, String };
  Kind kind = Kind::Number;
  // A number as written (digits, '.', exponent: PostgreSQL's integer, decimal and real tokens); a
  // string's value with its quotes and escapes resolved ('it''s' and E'it\'s' are both it's).
  std::string value;
  int token = -1;  // index into StatementKey::tokens
};

struct StatementKey {
  // The tokens as written, one space between two, each literal replaced by "\x01n" (number) or "\x01s"
  // (string). Equal keys: the texts are the same token sequence but for literal values (whitespace and
  // comments aside), so libpg_query parses them to the same tree but for those values.
  std::string key;
  std::vector<KeyToken> tokens;
  std::vector<KeyLiteral> literals;
};

// Statements longer than this are not scanned (they are parsed on a thread of their own: parser.cpp).
inline constexpr size_t kMaxKeyedStatement = 4096;

// The key of `sql` if it is one statement (a trailing ';' allowed) the scan is sure to read as
// PostgreSQL's scanner does (standard_conforming_strings on, which OmenDB always has); nothing for
// anything else: several statements, unterminated quotes or comments, $n parameters, bit strings, U&''
// and N'' literals, E'' escapes other than \\ \' \b \f \n \r \t and a backslash before another
// non-digit character, a string literal continued by another across a newline, a number directly followed
// by a letter, '.' or '$', characters that are neither tokens nor whitespace, text longer than
// kMaxKeyedStatement bytes. The caller then takes the normal path.
std::optional<StatementKey> statement_key(std::string_view sql);

// Maps an error position (1-based byte offset, SqlError::position) in `from`'s text to the same place in
// `to`'s text: two texts with equal keys, so token i of one is token i of the other (a position inside a
// literal keeps its offset, at most the literal's length). 0 stays 0.
int map_position(int position, const StatementKey& from, const StatementKey& to, size_t to_length);

}  // namespace omendb::parser
