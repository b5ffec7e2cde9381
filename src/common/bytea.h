// BYTEA and UUID: PostgreSQL 15's binary string and UUID types (docs/types.md, "bytea and uuid"). Every
// stage holds both as variable-length bytes like text (a StrRef, a row's varint-framed bytes): a bytea
// its raw bytes, a uuid exactly 16 bytes. Both compare bytewise (memcmp, then the shorter first: byteacmp
// and uuid_cmp), hash by their bytes and encode in keys as text does (storage/key_codec.h), so ordering,
// grouping, joins and keys need nothing of their own. Their text forms, casts and functions live here
// once; every error is a SqlError with PostgreSQL's SQLSTATE and message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/datum.h"

namespace omendb::bytea {

// byteain: "\x" then hex digits in pairs (white space allowed before a pair; 22023 "invalid hexadecimal
// digit: "g"" / "invalid hexadecimal data: odd number of digits"), else the escape format (\\ is a
// backslash, \ooo an octal byte, other bytes as they are; any other backslash is 22P02).
std::string parse(std::string_view text);
// byteaout: with bytea_output = hex (`escape` false) "\x" and two lower-case hex digits a byte; with
// bytea_output = escape a backslash doubled, the bytes 0x20 .. 0x7e as they are and every other byte as
// \ooo (three octal digits).
std::string to_text(std::string_view bytes, bool escape);
void append_text(std::string_view bytes, bool escape, std::string& out);

// uuid_in: 32 hex digits (either case), optionally in braces, with a hyphen allowed after any group of
// four digits; 22P02 "invalid input syntax for type uuid: "x"". Returns the 16 bytes.
std::string uuid_parse(std::string_view text);
// uuid_out: lower-case 8-4-4-4-12.
std::string uuid_to_text(std::string_view bytes);
void uuid_append_text(std::string_view bytes, std::string& out);
inline constexpr size_t kUuidSize = 16;

// encode(bytes, format) / decode(text, format) for "hex", "base64" and "escape" (in any case);
// 22023 "unrecognized encoding: "x"".
std::string encode(std::string_view bytes, std::string_view format);
std::string decode(std::string_view text, std::string_view format);

// The functions and casts over bytea and uuid (ExprOp::Bytes: func = Func). Arguments and results are
// Datums of the signature's types (bytea, uuid and text as StrRefs, integers in i64).
enum class Func : int32_t {
  ByteaIn,   // text -> bytea (a cast)
  ByteaOut,  // bytea -> text (a cast)
  UuidIn,    // text -> uuid (a cast)
  UuidOut,   // uuid -> text (a cast)
  Length,    // length(bytea), octet_length(bytea): int4
  Substr,    // substring / substr(bytea, int4 [, int4]): bytea
  Position,  // position(bytea IN bytea): args (haystack, needle), int4
  GetByte,   // get_byte(bytea, int4): int4
  SetByte,   // set_byte(bytea, int4, int4): bytea
  Encode,    // encode(bytea, text): text
  Decode,    // decode(text, text): bytea
  Md5,       // md5(bytea) and md5(text): text, 32 hex digits
  Sha224,    // sha224(bytea) .. sha512(bytea): bytea
  Sha256,
  Sha384,
  Sha512,
  ConvertTo,      // convert_to(text, name): bytea (UTF8 and LATIN1)
  ConvertFrom,    // convert_from(bytea, name): text (UTF8 and LATIN1)
  GenRandomUuid,  // gen_random_uuid(): uuid (version 4, OpenSSL's RAND_bytes); volatile
};

// The function's SQL name (the casts: the target type's name).
const char* func_name(Func func);
// gen_random_uuid(): a value per call, never folded or shared between rows.
inline bool is_volatile(Func func) {
  return func == Func::GenRandomUuid;
}

// Evaluates `func` over `n` non-NULL args into `out` (is_null cleared); a StrRef result points into
// `buf` (the caller copies it where it must live). ByteaOut prints as the session's bytea_output
// (`escape_output`: escape, else hex).
void eval(Func func, const Datum* args, size_t n, bool escape_output, Datum& out, std::string& buf);

}  // namespace omendb::bytea
