#include "common/bytea.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "common/text_sql.h"

namespace omendb::bytea {

namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

using textsql::char_len;

// PostgreSQL's hex_decode: white space before a pair is skipped.
std::string hex_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size() / 2);
  size_t i = 0;
  auto digit = [&](size_t at) {
    int v = hex_value(s[at]);
    if (v < 0)
      throw SqlError(SqlState::InvalidParameterValue,
                     "invalid hexadecimal digit: \"" + std::string(s.substr(at, char_len(s, at))) + "\"");
    return v;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    int hi = digit(i++);
    if (i >= s.size())
      throw SqlError(SqlState::InvalidParameterValue, "invalid hexadecimal data: odd number of digits");
    int lo = digit(i++);
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

bool is_octal(char c, char hi = '7') {
  return c >= '0' && c <= hi;
}

// The escape format (byteain's and decode(..., 'escape')'s).
std::string escape_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '\\') {
      out.push_back(s[i++]);
    } else if (i + 3 < s.size() && is_octal(s[i + 1], '3') && is_octal(s[i + 2]) && is_octal(s[i + 3])) {
      out.push_back(static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
      i += 4;
    } else if (i + 1 < s.size() && s[i + 1] == '\\') {
      out.push_back('\\');
      i += 2;
    } else {
      throw SqlError(SqlState::InvalidTextRepresentation, "invalid input syntax for type bytea");
    }
  }
  return out;
}

std::string escape_encode(std::string_view b) {
  std::string out;
  out.reserve(b.size());
  for (char ch : b) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0 || c >= 0x80) {
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + (c >> 6)));
      out.push_back(static_cast<char>('0' + ((c >> 3) & 7)));
      out.push_back(static_cast<char>('0' + (c & 7)));
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// pg_base64_encode: a newline after every 76 characters.
std::string base64_encode(std::string_view b) {
  std::string out;
  size_t line = 0;
  uint32_t buf = 0;
  int pos = 2;
  for (char ch : b) {
    buf |= static_cast<uint32_t>(static_cast<unsigned char>(ch)) << (pos << 3);
    if (--pos < 0) {
      for (int k = 18; k >= 0; k -= 6) out.push_back(kBase64[(buf >> k) & 0x3f]);
      line += 4;
      pos = 2;
      buf = 0;
    }
    if (line >= 76) {
      out.push_back('\n');
      line = 0;
    }
  }
  if (pos != 2) {
    out.push_back(kBase64[(buf >> 18) & 0x3f]);
    out.push_back(kBase64[(buf >> 12) & 0x3f]);
    out.push_back(pos == 0 ? kBase64[(buf >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

// pg_base64_decode.
std::string base64_decode(std::string_view s) {
  std::string out;
  uint32_t buf = 0;
  int pos = 0, end = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    int b = 0;
    if (c == '=') {
      if (!end) {
        if (pos == 2) {
          end = 1;
        } else if (pos == 3) {
          end = 2;
        } else {
          throw SqlError(SqlState::InvalidParameterValue, "unexpected \"=\" while decoding base64 sequence");
        }
      }
    } else {
      const char* p = c > 0 ? std::strchr(kBase64, c) : nullptr;
      if (!p || c == '\0')
        throw SqlError(SqlState::InvalidParameterValue, "invalid symbol \"" +
                                                            std::string(s.substr(i, char_len(s, i))) +
                                                            "\" found while decoding base64 sequence");
      b = static_cast<int>(p - kBase64);
    }
    buf = (buf << 6) + static_cast<uint32_t>(b);
    if (++pos == 4) {
      out.push_back(static_cast<char>((buf >> 16) & 255));
      if (end == 0 || end > 1) out.push_back(static_cast<char>((buf >> 8) & 255));
      if (end == 0 || end > 2) out.push_back(static_cast<char>(buf & 255));
      buf = 0;
      pos = 0;
    }
  }
  if (pos != 0)
    throw SqlError(SqlState::InvalidParameterValue, "invalid base64 end sequence")
        .with_hint("Input data is missing padding, is truncated, or is otherwise corrupted.");
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// PostgreSQL's clean_encoding_name: lower case, letters and digits only.
std::string clean_encoding(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out;
}

enum class Encoding { Utf8, Latin1 };
Encoding encoding(std::string_view name, const char* what) {
  std::string n = clean_encoding(name);
  if (n == "utf8" || n == "unicode") return Encoding::Utf8;
  if (n == "latin1" || n == "iso88591") return Encoding::Latin1;
  throw SqlError(SqlState::FeatureNotSupported, std::string(what) + " with encoding \"" + std::string(name) +
                                                    "\" is not supported by OmenDB (only UTF8 and LATIN1)");
}

// The length of the valid UTF-8 character at s[i], or 0 (PostgreSQL's pg_utf8_verifychar).
size_t utf8_valid(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (n == 2 && c < 0xC2) return 0;
  if (n == 3 && ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F))) return 0;
  if (n == 4 && ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F) || c > 0xF4)) return 0;
  return n;
}

std::string byte_list(std::string_view s, size_t i, size_t n) {
  std::string out;
  for (size_t k = 0; k < n && i + k < s.size(); ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if (k) out.push_back(' ');
    out += "0x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string convert_from(std::string_view b, Encoding e) {
  if (e == Encoding::Latin1) {
    std::string out;
    for (char ch : b) {
      auto c = static_cast<unsigned char>(ch);
      if (c == 0)
        throw SqlError(SqlState::CharacterNotInRepertoire,
                       "invalid byte sequence for encoding \"LATIN1\": 0x00");
      if (c < 0x80) {
        out.push_back(ch);
      } else {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      }
    }
    return out;
  }
  for (size_t i = 0; i < b.size();) {
    size_t n = utf8_valid(b, i);
    if (n == 0)
      throw SqlError(SqlState::CharacterNotInRepertoire,
                     "invalid byte sequence for encoding \"UTF8\": " + byte_list(b, i, char_len(b, i)));
    i += n;
  }
  return std::string(b);
}

std::string convert_to(std::string_view s, Encoding e) {
  if (e == Encoding::Utf8) return std::string(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = char_len(s, i);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (n == 2 && c <= 0xC3) {
      out.push_back(static_cast<char>(((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F)));
    } else {
      throw SqlError(SqlState::UntranslatableCharacter,
                     "character with byte sequence " + byte_list(s, i, n) +
                         " in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"");
    }
    i += n;
  }
  return out;
}

std::string digest(const EVP_MD* md, std::string_view b) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(b.data(), b.size(), out, &n, md, nullptr) != 1)
    throw SqlError(SqlState::InternalError, "could not compute a digest (OpenSSL)");
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string_view str(const Datum& d) {
  return d.str.view();
}

}  // namespace

std::string parse(std::string_view text) {
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') return hex_decode(text.substr(2));
  return escape_decode(text);
}

void append_text(std::string_view bytes, bool escape, std::string& out) {
  if (escape) {
    out.reserve(out.size() + bytes.size());
    for (char ch : bytes) {
      auto c = static_cast<unsigned char>(ch);
      if (c == '\\') {
        out += "\\\\";
      } else if (c < 0x20 || c > 0x7e) {
        out.push_back('\\');
        out.push_back(static_cast<char>('0' + (c >> 6)));
        out.push_back(static_cast<char>('0' + ((c >> 3) & 7)));
        out.push_back(static_cast<char>('0' + (c & 7)));
      } else {
        out.push_back(ch);
      }
    }
    return;
  }
  out.reserve(out.size() + 2 + 2 * bytes.size());
  out += "\\x";
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
}

std::string to_text(std::string_view bytes, bool escape) {
  std::string out;
  append_text(bytes, escape, out);
  return out;
}

std::string uuid_parse(std::string_view text) {
  auto bad = [&]() -> std::string {
    throw SqlError(SqlState::InvalidTextRepresentation,
                   "invalid input syntax for type uuid: \"" + std::string(text) + "\"");
  };
  std::string out;
  size_t i = 0;
  bool braces = !text.empty() && text[0] == '{';
  if (braces) ++i;
  for (size_t k = 0; k < kUuidSize; ++k) {
    if (i + 2 > text.size()) return bad();
    int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 2;
    if (i < text.size() && text[i] == '-' && k % 2 == 1 && k < kUuidSize - 1) ++i;
  }
  if (braces) {
    if (i >= text.size() || text[i] != '}') return bad();
    ++i;
  }
  if (i != text.size()) return bad();
  return out;
}

void uuid_append_text(std::string_view bytes, std::string& out) {
  for (size_t k = 0; k < bytes.size(); ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) out.push_back('-');
    auto c = static_cast<unsigned char>(bytes[k]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
}

std::string uuid_to_text(std::string_view bytes) {
  std::string out;
  uuid_append_text(bytes, out);
  return out;
}

std::string encode(std::string_view bytes, std::string_view format) {
  std::string f = lower(format);
  if (f == "hex") return to_text(bytes, false).substr(2);
  if (f == "base64") return base64_encode(bytes);
  if (f == "escape") return escape_encode(bytes);
  throw SqlError(SqlState::InvalidParameterValue, "unrecognized encoding: \"" + std::string(format) + "\"");
}

std::string decode(std::string_view text, std::string_view format) {
  std::string f = lower(format);
  if (f == "hex") return hex_decode(text);
  if (f == "base64") return base64_decode(text);
  if (f == "escape") return escape_decode(text);
  throw SqlError(SqlState::InvalidParameterValue, "unrecognized encoding: \"" + std::string(format) + "\"");
}

const char* func_name(Func func) {
  static const char* const kNames[] = {"bytea",  "text",       "uuid",         "text",           "length",
                                       "substr", "position",   "get_byte",     "set_byte",       "encode",
                                       "decode", "md5",        "sha224",       "sha256",         "sha384",
                                       "sha512", "convert_to", "convert_from", "gen_random_uuid"};
  static_assert(sizeof kNames / sizeof kNames[0] == static_cast<size_t>(Func::GenRandomUuid) + 1);
  return kNames[static_cast<size_t>(func)];
}

void eval(Func func, const Datum* args, size_t n, bool escape_output, Datum& out, std::string& buf) {
  out.is_null = 0;
  out.str = StrRef{nullptr, 0};
  auto text_out = [&](std::string s) {
    buf = std::move(s);
    out.str = StrRef{buf.data(), buf.size()};
  };
  switch (func) {
    case Func::ByteaIn:
      return text_out(parse(str(args[0])));
    case Func::ByteaOut:
      return text_out(to_text(str(args[0]), escape_output));
    case Func::UuidIn:
      return text_out(uuid_parse(str(args[0])));
    case Func::UuidOut:
      return text_out(uuid_to_text(str(args[0])));
    case Func::Length:
      out.i64 = static_cast<int64_t>(args[0].str.len);
      return;
    case Func::Substr: {
      std::string_view s = str(args[0]);
      auto [b, e] = textsql::substring_range(args[1].i64, n > 2, n > 2 ? args[2].i64 : 0);
      size_t bo = std::min<size_t>(static_cast<size_t>(b), s.size());
      size_t eo = e < 0 ? s.size() : std::min<size_t>(static_cast<size_t>(e), s.size());
      return text_out(std::string(s.substr(bo, eo > bo ? eo - bo : 0)));
    }
    case Func::Position: {
      std::string_view hay = str(args[0]), needle = str(args[1]);
      size_t at = hay.find(needle);
      out.i64 = at == std::string_view::npos ? 0 : static_cast<int64_t>(at) + 1;
      return;
    }
    case Func::GetByte:
    case Func::SetByte: {
      std::string_view s = str(args[0]);
      int64_t i = args[1].i64;
      if (i < 0 || i >= static_cast<int64_t>(s.size()))
        throw SqlError(SqlState::ArraySubscriptError, "index " + std::to_string(i) +
                                                          " out of valid range, 0.." +
                                                          std::to_string(static_cast<int64_t>(s.size()) - 1));
      if (func == Func::GetByte) {
        out.i64 = static_cast<unsigned char>(s[static_cast<size_t>(i)]);
        return;
      }
      std::string r(s);
      r[static_cast<size_t>(i)] = static_cast<char>(args[2].i64 & 0xFF);
      return text_out(std::move(r));
    }
    case Func::Encode:
      return text_out(encode(str(args[0]), str(args[1])));
    case Func::Decode:
      return text_out(decode(str(args[0]), str(args[1])));
    case Func::Md5:
      return text_out(to_text(digest(EVP_md5(), str(args[0])), false).substr(2));
    case Func::Sha224:
      return text_out(digest(EVP_sha224(), str(args[0])));
    case Func::Sha256:
      return text_out(digest(EVP_sha256(), str(args[0])));
    case Func::Sha384:
      return text_out(digest(EVP_sha384(), str(args[0])));
    case Func::Sha512:
      return text_out(digest(EVP_sha512(), str(args[0])));
    case Func::ConvertTo:
      return text_out(convert_to(str(args[0]), encoding(str(args[1]), "convert_to")));
    case Func::ConvertFrom:
      return text_out(convert_from(str(args[0]), encoding(str(args[1]), "convert_from")));
    case Func::GenRandomUuid: {
      unsigned char b[kUuidSize];
      if (RAND_bytes(b, sizeof b) != 1)
        throw SqlError(SqlState::InternalError, "could not generate random values");
      b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
      b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
      return text_out(std::string(reinterpret_cast<const char*>(b), sizeof b));
    }
  }
  throw SqlError(SqlState::InternalError, "unknown bytea function");
}

}  // namespace omendb::bytea
