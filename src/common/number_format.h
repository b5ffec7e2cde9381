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
std::string to_char_int(int64_t v, std::string_view fmt);                 // integer, bigint
std::string to_char_double(double v, std::string_view fmt);               // double precision

}  // namespace omendb::numfmt
