// The string functions as SQL sees them (docs/types.md, "String functions"): PostgreSQL 15's text
// functions, defined once over Datums. The binder resolves calls against the signature table
// (signatures()) with PostgreSQL's rules for unknown literals; compiled code calls eval() through one
// runtime function (ExprOp::Text). Characters are UTF-8 characters, not bytes. The regular-expression
// functions are in the same table (so that one overload set resolves them) but run in runtime/regex.h,
// next to the PCRE2 matcher (is_regex()). bytea's functions (md5, encode ...) stay in common/bytea.h.
// Every error is a SqlError with PostgreSQL's SQLSTATE and message. No plans, LLVM or sockets here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/datum.h"
#include "common/types.h"

namespace omendb::textsql {

enum class Func : uint8_t {
  Length,       // length / char_length / character_length(text): characters
  OctetLength,  // octet_length(text)
  BitLength,    // bit_length(text)
  Lower,        // lower / upper / initcap: Unicode case mapping of the C.UTF-8 locale
  Upper,
  Initcap,
  Substr,     // substr / substring(text, int4 [, int4]): characters
  Position,   // position(needle IN text) = position(text, needle), strpos(text, needle)
  Replace,    // replace(text, from, to)
  SplitPart,  // split_part(text, delimiter, int4): negative fields count from the end
  Lpad,       // lpad / rpad(text, length [, fill]): fill defaults to a space
  Rpad,
  Concat,    // concat(any...): the arguments' text, NULLs skipped; not strict
  ConcatWs,  // concat_ws(separator, any...): NULL separator -> NULL; not strict
  Format,    // format(fmt [, any...]): %s %I %L %%, positions, widths; not strict
  Chr,       // chr(int4)
  Ascii,     // ascii(text): the first character's code point, 0 for ''
  ToHex32,   // to_hex(int4), to_hex(int8)
  ToHex64,
  QuoteLiteral,   // quote_literal(text)
  QuoteIdent,     // quote_ident(text)
  QuoteNullable,  // quote_nullable(text): NULL -> 'NULL'; not strict
  Translate,      // translate(text, from, to)
  Left,           // left / right(text, int4): a negative count drops characters from the other end
  Right,
  Repeat,      // repeat(text, int4)
  Reverse,     // reverse(text)
  StartsWith,  // starts_with(text, prefix): bool
  Btrim,       // btrim / ltrim / rtrim(text [, characters]) and TRIM(BOTH/LEADING/TRAILING ...)
  Ltrim,
  Rtrim,
  Overlay,            // overlay(text placing text from int4 [for int4])
  StringToArray,      // string_to_array(text, delimiter [, null string]): text[]; not strict
  LikeEscape,         // like_escape(pattern, escape): a LIKE pattern rewritten to escape with backslash
  SimilarEscape,      // similar_to_escape(pattern [, escape]): a SIMILAR TO pattern as a regular expression
  CharAssign,         // internal: a value stored into varchar(n) (char_assign_length); no SQL name
  BpcharTypmod,       // internal: (text, n, explicit) -> character(n) (bpchar_typmod); no SQL name
  BpcharOut,          // internal: a bpchar's text with its padding (bpcharout, for concat / format)
  BpcharOctetLength,  // octet_length(bpchar): its bytes, padding included
  // Regular expressions (runtime/regex.h evaluates them):
  RegexpReplace,       // regexp_replace(text, pattern, replacement [, flags])
  RegexpReplaceAt,     // regexp_replace(text, pattern, replacement, start [, n [, flags]])
  RegexpMatch,         // regexp_match(text, pattern [, flags]): text[], NULL without a match
  RegexpMatchesAll,    // regexp_matches' rows: text[] whose elements are each row's text[] (as text)
  RegexpSplitToArray,  // regexp_split_to_array(text, pattern [, flags]) (and regexp_split_to_table)
  RegexpSubstring,     // substring(text FROM pattern) and substring(text SIMILAR pattern ESCAPE e)
  RegexpLike,          // regexp_like(text, pattern [, flags]): bool
  RegexpCount,         // regexp_count(text, pattern [, start [, flags]]): int4
  RegexpSubstr,        // regexp_substr(text, pattern [, start [, n [, flags [, subexpr]]]])
};

// One signature. `variadic`: after `args`, one or more arguments of any type, passed as their text
// output (the binder converts them; bool prints as t / f). `strict`: NULL for any NULL argument.
struct Signature {
  Func func;
  const char* name;
  TypeId result;
  std::vector<TypeId> args;
  bool variadic = false;
  bool strict = true;
};

// Every signature (function names in lower case).
const std::vector<Signature>& signatures();
// The SQL name of f (EXPLAIN).
const char* func_name(Func f);
bool is_strict(Func f);
// Whether runtime/regex.h evaluates f.
inline bool is_regex(Func f) {
  return f >= Func::RegexpReplace;
}

// Evaluates a function that is not is_regex() over `n` args (NULLs passed as is_null for the functions
// that are not strict). Sets out (is_null, i64 or str); a text result is written to `buf`, which out.str
// then points into.
void eval(Func f, const Datum* args, size_t n, Datum& out, std::string& buf);

// Helpers the regular-expression functions share.
// The bytes of the UTF-8 character starting at s[i] (at least 1, at most what is left).
size_t char_len(std::string_view s, size_t i);
// The number of UTF-8 characters of s.
int64_t char_count(std::string_view s);
// The byte offset of the k-th (0-based) character of s, or s.size().
size_t char_offset(std::string_view s, int64_t k);
// A value assigned to a varchar(n) column, as PostgreSQL's length coercion for assignment: characters
// past n must all be spaces (else 22001 "value too long for type character varying(n)"), and are dropped.
// Returns the byte length of the value to store (a prefix of s). The one place of this rule: INSERT /
// UPDATE (Func::CharAssign), COPY, and the storage's checks use it.
size_t char_assign_length(std::string_view s, int64_t n);
// PostgreSQL's bpchar(bpchar, typmod, isExplicit): s as a character(n): longer than n characters, an
// explicit cast keeps the first n, an assignment drops the excess when it is all spaces (else 22001 "value
// too long for type character(n)"); shorter, padded with spaces to n characters. The one place of this
// rule: casts to char(n), INSERT / UPDATE (Func::BpcharTypmod), COPY and the storage's checks use it.
std::string bpchar_typmod(std::string_view s, int64_t n, bool is_explicit);
// PostgreSQL's quote_ident: the name as is when it is lower-case letters, digits and underscores not
// starting with a digit and no reserved keyword, else in double quotes.
std::string quote_ident(std::string_view name);
// PostgreSQL's text_substring / bytea_substring bounds: units from max(start, 1) to start + count - 1 as
// [begin, end) unit indexes (end -1: to the end); 22011 for a negative count.
std::pair<int64_t, int64_t> substring_range(int64_t start, bool has_count, int64_t count);
// similar_to_escape(pattern, escape): the regular expression SIMILAR TO matches with (has_escape false:
// the default escape, a backslash; an empty escape: none). 22025 for an escape of several characters.
std::string similar_to_regex(std::string_view pattern, bool has_escape, std::string_view escape);

}  // namespace omendb::textsql
