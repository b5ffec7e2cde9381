// What to_char's two template languages share (common/datetime_format.cpp and common/number_format.cpp,
// PostgreSQL's formatting.c): double-quoted literal text and the ordinal suffix of TH / th. Internal to
// src/common.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace omendb::fmt_template {

// At f[i] == '"': consumes the quoted text and its closing quote (or the rest of f), calling emit(j) for
// the position j of each literal character; a backslash makes the next character literal.
template <class Emit>
void read_quoted(std::string_view f, size_t& i, Emit&& emit) {
  ++i;
  while (i < f.size()) {
    if (f[i] == '"') {
      ++i;
      return;
    }
    if (f[i] == '\\' && i + 1 < f.size()) ++i;
    emit(i);  // advances i past the character
  }
}

// PostgreSQL's get_th: "st", "nd", "rd" or "th" for the number's text (teens take "th"); 22P02 if it does
// not end in a digit.
inline std::string ordinal_suffix(std::string_view num, bool upper) {
  size_t n = num.size();
  char last = n ? num[n - 1] : ' ';
  if (last < '0' || last > '9')
    throw SqlError(SqlState::InvalidTextRepresentation, "\"" + std::string(num) + "\" is not a number");
  if (n > 1 && num[n - 2] == '1') last = '0';
  const char* s = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
  std::string r = s;
  if (upper)
    for (char& c : r) c = static_cast<char>(c - 'a' + 'A');
  return r;
}

}  // namespace omendb::fmt_template
