// to_char(number, template) with PostgreSQL 15's NUM template patterns (9 0 . , D G S PL MI SG PR L B V
// EEEE RN TH FM and literal text) in the C locale (D is '.', G is ',', L is a space). The formatting of
// dates and times is common/datetime_format.h. No plans, LLVM or sockets here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace omendb::numfmt {

// Errors: 42601 for an invalid template ("multiple decimal points", "cannot use \"S\" twice" ...), as
// PostgreSQL. An integer part too wide for the template prints as '#'s.
std::string to_char_numeric(std::string_view num, std::string_view fmt);  // num: common/numeric.h's form
// integer, bigint: EEEE goes through float8 for integer, through numeric for bigint (int4_to_char,
// int8_to_char), which differ when rounding carries (99999 with 9.9EEEE: 1.0e+05, 10.0e+04).
std::string to_char_int(int64_t v, std::string_view fmt, bool bigint);
// double precision (float8_to_char: at most DBL_DIG = 15 significant digits) or, with `real`, a real
// (float4_to_char: FLT_DIG = 6, V's scaling in float).
std::string to_char_double(double v, std::string_view fmt, bool real = false);

// to_number(text, template): the inverse, reading `text` through the same template (formatting.c's
// NUM_processor reading mode): digits, the point, group separators, signs (S, MI, PL, SG, PR, a leading
// '-'); other characters of the template skip one input character. 22P02 when no digits are read;
// 42601 for an invalid template; 0A000 for RN and EEEE, which PostgreSQL 15 also rejects here.
std::string to_number(std::string_view text, std::string_view fmt);

}  // namespace omendb::numfmt
