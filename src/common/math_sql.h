// The mathematical functions and operators of PostgreSQL 15 over integer, bigint, double precision and
// numeric (docs/types.md, "Mathematical functions"): one signature table (signatures()) that the binder
// resolves calls and operators against with PostgreSQL's rules, and one eval() over Datums that compiled
// code calls through one runtime function (rt_math). The numeric variants are common/numeric.h's, the
// double precision ones follow float.c (its NaN / Infinity rules and errors), to_number is
// common/number_format.h's. No plans, LLVM or sockets here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/datum.h"
#include "common/types.h"

namespace omendb::mathsql {

// PostgreSQL's random() generator (pg_prng.c, xoroshiro128**): one per session, seeded by setseed() or,
// before the first setseed(), from the clock.
struct Random {
  uint64_t s0 = 0, s1 = 0;
  bool seeded = false;
  double next();            // pg_prng_double: [0, 1)
  void seed(double fseed);  // pg_prng_fseed
};

enum class Func : uint8_t {
  // double precision (float.c)
  RoundF,
  TruncF,
  CeilF,
  FloorF,
  SignF,
  SqrtF,
  CbrtF,
  ExpF,
  LnF,
  Log10F,
  PowerF,
  Pi,
  Degrees,
  Radians,
  Sin,
  Cos,
  Tan,
  Cot,
  Asin,
  Acos,
  Atan,
  Atan2,
  Sind,
  Cosd,
  Tand,
  Cotd,
  Asind,
  Acosd,
  Atand,
  Atan2d,
  Sinh,
  Cosh,
  Tanh,
  Asinh,
  Acosh,
  Atanh,
  Random,
  Setseed,
  WidthBucketF,
  // numeric (numeric.c)
  RoundN,
  RoundNScale,
  TruncN,
  TruncNScale,
  CeilN,
  FloorN,
  SignN,
  SqrtN,
  ExpN,
  LnN,
  Log10N,  // log(x), log10(x): log(10, x)
  LogN,    // log(b, x)
  PowerN,
  ModN,
  DivN,
  GcdN,
  LcmN,
  Factorial,
  Scale,
  MinScale,
  TrimScale,
  WidthBucketN,
  ToNumber,
  // integer, bigint (int.c, int8.c)
  ModI4,
  ModI8,
  GcdI4,
  GcdI8,
  LcmI4,
  LcmI8,
  AndI4,
  AndI8,
  OrI4,
  OrI8,
  XorI4,
  XorI8,
  NotI4,
  NotI8,
  ShlI4,
  ShlI8,
  ShrI4,
  ShrI8,
  // smallint's (int2and ... int2shr: the result is smallint). ShrI2 stays last (mathsql::signature).
  AndI2,
  OrI2,
  XorI2,
  NotI2,
  ShlI2,
  ShrI2,
};

// One signature: `name` is the SQL function name or the operator symbol ("^", "&", "|", "#", "<<",
// ">>"; prefix operators "u|/", "u||/", "u~").
struct Signature {
  Func func;
  const char* name;
  TypeId result;
  std::vector<TypeId> args;
};

const std::vector<Signature>& signatures();
const Signature& signature(Func f);
// Whether f gives a new value at each call (random(), setseed()).
bool is_volatile(Func f);

// Evaluates f over non-NULL arguments of its signature's types into out (is_null = 1 for the NULL results
// of scale() and min_scale() on NaN and infinities). Numeric results are written to `bytes`, which out.str
// points into. `random` is the session's generator. Errors: SqlError with PostgreSQL's SQLSTATE (2201E,
// 2201F, 2201G, 22003, 22012, 22023, 22P02 ...).
void eval(Func f, const Datum* args, Datum& out, std::string& bytes, Random& random);

// The cast double precision -> integer / bigint (`to`), PostgreSQL's dtoi4 / dtoi8: rounds half to even
// (rint); 22003 for NaN and values outside the range. Constants (the binder) and compiled casts both
// call it.
int64_t float8_to_int(double v, TypeId to);

// The cast double precision -> real, PostgreSQL's dtof: the nearest float (as a double); 22003 "value out
// of range: overflow" when a finite value becomes infinite, "... underflow" when a non-zero one becomes 0.
// Every float8 -> float4 conversion (casts, assignments, constants) calls it.
double float8_to_float4(double v);

}  // namespace omendb::mathsql
