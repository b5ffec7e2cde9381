#include "common/json.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "common/array.h"
#include "common/error.h"
#include "common/numeric.h"

namespace omendb::json {

namespace {

enum Tag : uint8_t { kNull = 0, kFalse = 1, kTrue = 2, kNumber = 3, kString = 4, kArray = 5, kObject = 6 };

[[noreturn]] void too_deep() {
  throw SqlError(SqlState::StatementTooComplex, "stack depth limit exceeded")
      .with_hint("JSON values nest at most " + std::to_string(kMaxDepth) + " levels deep in OmenDB.");
}

// ---- The tree: parsed text, decoded binary form, results under construction ----

struct Node {
  Tag tag = kNull;
  std::string s;                  // a string's UTF-8, a number's numeric bytes
  std::vector<Node> items;        // array elements, object values
  std::vector<std::string> keys;  // object keys (parallel to items)
  std::string_view raw;           // json: the value's text in the input
};

// Objects: keys sorted by (length, bytes), the last of equal keys kept (uniqueifyJsonbObject).
bool key_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

void normalise(Node& n) {
  if (n.tag != kObject || n.keys.size() < 2) return;
  std::vector<size_t> order(n.keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return key_less(n.keys[a], n.keys[b]); });
  std::vector<std::string> keys;
  std::vector<Node> items;
  for (size_t k = 0; k < order.size(); ++k) {
    size_t i = order[k];
    if (!keys.empty() && keys.back() == n.keys[i]) {  // a later duplicate replaces the earlier one
      items.back() = std::move(n.items[i]);
      continue;
    }
    keys.push_back(std::move(n.keys[i]));
    items.push_back(std::move(n.items[i]));
  }
  n.keys = std::move(keys);
  n.items = std::move(items);
}

// ---- Text input: PostgreSQL's json lexer and recursive-descent parser (jsonapi.c) ----

bool alnum(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         u >= 0x80;
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t utf8_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
}

enum class Tok { End, String, Number, True, False, Null, LBrace, RBrace, LBracket, RBracket, Comma, Colon };

class Parser {
 public:
  Parser(std::string_view text, bool build) : in_(text), build_(build) {}

  Node run() {
    next();
    Node n = value(0);
    if (tok_ != Tok::End) fail_detail("Expected end of input, but found \"" + token() + "\".");
    return n;
  }

 private:
  std::string_view in_;
  bool build_;  // jsonb: de-escape strings, check \u escapes; json: validate only
  size_t pos_ = 0;
  Tok tok_ = Tok::End;
  size_t start_ = 0, end_ = 0;  // the current token
  std::string str_;             // the current string token, de-escaped (build_)

  std::string token() const { return std::string(in_.substr(start_, end_ - start_)); }

  [[noreturn]] void fail_detail(const std::string& detail) const {
    throw SqlError(SqlState::InvalidTextRepresentation, "invalid input syntax for type json")
        .with_detail(detail);
  }
  [[noreturn]] void invalid_token() const { fail_detail("Token \"" + token() + "\" is invalid."); }

  void skip_space() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r'))
      ++pos_;
  }

  void next() {
    skip_space();
    start_ = pos_;
    if (pos_ >= in_.size()) {
      tok_ = Tok::End;
      end_ = pos_;
      return;
    }
    char c = in_[pos_];
    auto punct = [&](Tok t) {
      tok_ = t;
      end_ = ++pos_;
    };
    switch (c) {
      case '{':
        return punct(Tok::LBrace);
      case '}':
        return punct(Tok::RBrace);
      case '[':
        return punct(Tok::LBracket);
      case ']':
        return punct(Tok::RBracket);
      case ',':
        return punct(Tok::Comma);
      case ':':
        return punct(Tok::Colon);
      case '"':
        return lex_string();
      case '-':
        ++pos_;
        return lex_number();
      default:
        break;
    }
    if (c >= '0' && c <= '9') return lex_number();
    size_t p = pos_;
    while (p < in_.size() && alnum(in_[p])) ++p;
    if (p == pos_) {
      end_ = pos_ + 1;
      invalid_token();
    }
    end_ = pos_ = p;
    std::string_view w = in_.substr(start_, p - start_);
    if (w == "true")
      tok_ = Tok::True;
    else if (w == "false")
      tok_ = Tok::False;
    else if (w == "null")
      tok_ = Tok::Null;
    else
      invalid_token();
  }

  void lex_number() {
    bool error = false;
    auto digit = [&](size_t p) { return p < in_.size() && in_[p] >= '0' && in_[p] <= '9'; };
    if (pos_ < in_.size() && in_[pos_] == '0') {
      ++pos_;
    } else if (digit(pos_)) {
      while (digit(pos_)) ++pos_;
    } else {
      error = true;
    }
    if (pos_ < in_.size() && in_[pos_] == '.') {
      ++pos_;
      if (!digit(pos_)) error = true;
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      if (!digit(pos_)) error = true;
      while (digit(pos_)) ++pos_;
    }
    while (pos_ < in_.size() && alnum(in_[pos_])) {
      ++pos_;
      error = true;
    }
    end_ = pos_;
    if (error) invalid_token();
    tok_ = Tok::Number;
  }

  void lex_string() {
    ++pos_;  // the opening quote
    str_.clear();
    int hi_surrogate = -1;
    auto hex = [](char h) -> int {
      if (h >= '0' && h <= '9') return h - '0';
      if (h >= 'a' && h <= 'f') return h - 'a' + 10;
      if (h >= 'A' && h <= 'F') return h - 'A' + 10;
      return -1;
    };
    for (;;) {
      if (pos_ >= in_.size()) {
        end_ = pos_;
        invalid_token();
      }
      unsigned char c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') break;
      if (c < 0x20) {
        end_ = pos_;
        char buf[64];
        std::snprintf(buf, sizeof buf, "Character with value 0x%02x must be escaped.", c);
        fail_detail(buf);
      }
      if (c != '\\') {
        if (build_ && hi_surrogate != -1) fail_detail("Unicode low surrogate must follow a high surrogate.");
        if (build_) str_ += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;  // the backslash
      if (pos_ >= in_.size()) {
        end_ = pos_;
        invalid_token();
      }
      char e = in_[pos_];
      if (e == 'u') {
        int ch = 0;
        for (int i = 0; i < 4; ++i) {
          ++pos_;
          if (pos_ >= in_.size()) {
            end_ = pos_;
            invalid_token();
          }
          int h = hex(in_[pos_]);
          if (h < 0) fail_detail("\"\\u\" must be followed by four hexadecimal digits.");
          ch = ch * 16 + h;
        }
        ++pos_;
        if (!build_) continue;
        if (ch >= 0xD800 && ch <= 0xDBFF) {
          if (hi_surrogate != -1) fail_detail("Unicode high surrogate must not follow a high surrogate.");
          hi_surrogate = ch;
          continue;
        }
        if (ch >= 0xDC00 && ch <= 0xDFFF) {
          if (hi_surrogate == -1) fail_detail("Unicode low surrogate must follow a high surrogate.");
          ch = 0x10000 + ((hi_surrogate - 0xD800) << 10) + (ch - 0xDC00);
          hi_surrogate = -1;
        }
        if (hi_surrogate != -1) fail_detail("Unicode low surrogate must follow a high surrogate.");
        if (ch == 0)
          throw SqlError(SqlState::UntranslatableCharacter, "unsupported Unicode escape sequence")
              .with_detail("\\u0000 cannot be converted to text.");
        append_utf8(static_cast<uint32_t>(ch), str_);
        continue;
      }
      if (build_ && hi_surrogate != -1) fail_detail("Unicode low surrogate must follow a high surrogate.");
      char out;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out = e;
          break;
        case 'b':
          out = '\b';
          break;
        case 'f':
          out = '\f';
          break;
        case 'n':
          out = '\n';
          break;
        case 'r':
          out = '\r';
          break;
        case 't':
          out = '\t';
          break;
        default: {
          size_t n = std::min(utf8_len(static_cast<unsigned char>(e)), in_.size() - pos_);
          fail_detail("Escape sequence \"\\" + std::string(in_.substr(pos_, n)) + "\" is invalid.");
        }
      }
      if (build_) str_ += out;
      ++pos_;
    }
    if (build_ && hi_surrogate != -1) fail_detail("Unicode low surrogate must follow a high surrogate.");
    end_ = ++pos_;
    tok_ = Tok::String;
  }

  Node value(int depth) {
    if (depth >= kMaxDepth) too_deep();
    Node n;
    size_t begin = start_;
    switch (tok_) {
      case Tok::String:
        n.tag = kString;
        if (build_) n.s = std::move(str_);
        next();
        break;
      case Tok::Number:
        n.tag = kNumber;
        if (build_) n.s = num::parse(in_.substr(start_, end_ - start_));
        next();
        break;
      case Tok::True:
      case Tok::False:
      case Tok::Null:
        n.tag = tok_ == Tok::True ? kTrue : tok_ == Tok::False ? kFalse : kNull;
        next();
        break;
      case Tok::LBracket:
        n.tag = kArray;
        next();
        if (tok_ == Tok::RBracket) {
          next();
          break;
        }
        for (;;) {
          if (tok_ == Tok::End) fail_detail("The input string ended unexpectedly.");
          if (!starts_value()) fail_detail("Expected array element or \"]\", but found \"" + token() + "\".");
          n.items.push_back(value(depth + 1));
          if (tok_ == Tok::Comma) {
            next();
            continue;
          }
          if (tok_ == Tok::RBracket) {
            next();
            break;
          }
          if (tok_ == Tok::End) fail_detail("The input string ended unexpectedly.");
          fail_detail("Expected \",\" or \"]\", but found \"" + token() + "\".");
        }
        break;
      case Tok::LBrace:
        n.tag = kObject;
        next();
        if (tok_ == Tok::RBrace) {
          next();
          break;
        }
        for (;;) {
          if (tok_ == Tok::End) fail_detail("The input string ended unexpectedly.");
          if (tok_ != Tok::String) {
            fail_detail(n.keys.empty() ? "Expected string or \"}\", but found \"" + token() + "\"."
                                       : "Expected string, but found \"" + token() + "\".");
          }
          n.keys.push_back(build_ ? std::move(str_) : raw_key(in_.substr(start_ + 1, end_ - start_ - 2)));
          next();
          if (tok_ == Tok::End) fail_detail("The input string ended unexpectedly.");
          if (tok_ != Tok::Colon) fail_detail("Expected \":\", but found \"" + token() + "\".");
          next();
          if (tok_ == Tok::End) fail_detail("The input string ended unexpectedly.");
          if (!starts_value()) fail_detail("Expected JSON value, but found \"" + token() + "\".");
          n.items.push_back(value(depth + 1));
          if (tok_ == Tok::Comma) {
            next();
            continue;
          }
          if (tok_ == Tok::RBrace) {
            next();
            break;
          }
          if (tok_ == Tok::End) fail_detail("The input string ended unexpectedly.");
          fail_detail("Expected \",\" or \"}\", but found \"" + token() + "\".");
        }
        if (build_) normalise(n);
        break;
      case Tok::End:
        fail_detail("The input string ended unexpectedly.");
      default:
        fail_detail("Expected JSON value, but found \"" + token() + "\".");
    }
    n.raw = in_.substr(begin, (tok_ == Tok::End ? end_ : start_) - begin);
    // raw ends where the next token starts: trim the white space before it
    while (!n.raw.empty() &&
           (n.raw.back() == ' ' || n.raw.back() == '\t' || n.raw.back() == '\n' || n.raw.back() == '\r'))
      n.raw.remove_suffix(1);
    return n;
  }

  // json (validation only): a key's text without its quotes, de-escaped when it has escapes.
  static std::string raw_key(std::string_view inner) {
    if (inner.find('\\') == std::string_view::npos) return std::string(inner);
    Parser p("\"" + std::string(inner) + "\"", true);
    try {
      return p.run().s;
    } catch (const SqlError&) {  // \u0000 or an unpaired surrogate: compared as written
      return std::string(inner);
    }
  }

  bool starts_value() const {
    return tok_ == Tok::String || tok_ == Tok::Number || tok_ == Tok::True || tok_ == Tok::False ||
           tok_ == Tok::Null || tok_ == Tok::LBrace || tok_ == Tok::LBracket;
  }
};

// ---- The binary form ----

void put_varint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

uint64_t get_varint(std::string_view b, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; pos < b.size() && shift < 64; shift += 7) {
    uint8_t c = static_cast<uint8_t>(b[pos++]);
    v |= static_cast<uint64_t>(c & 0x7F) << shift;
    if (!(c & 0x80)) return v;
  }
  throw SqlError(SqlState::DataCorrupted, "corrupt jsonb value");
}

void encode_value(const Node& n, std::string& out) {
  out += static_cast<char>(n.tag);
  switch (n.tag) {
    case kNumber:
    case kString:
      put_varint(n.s.size(), out);
      out += n.s;
      return;
    case kArray:
    case kObject: {
      std::string body;
      for (size_t i = 0; i < n.items.size(); ++i) {
        if (n.tag == kObject) {
          put_varint(n.keys[i].size(), body);
          body += n.keys[i];
        }
        encode_value(n.items[i], body);
      }
      put_varint(n.items.size(), out);
      put_varint(body.size(), out);
      out += body;
      return;
    }
    default:
      return;
  }
}

std::string encode(const Node& n) {
  std::string out(1, static_cast<char>(kVersion));
  encode_value(n, out);
  return out;
}

// A value of the binary form, read in place.
struct Val {
  Tag tag = kNull;
  std::string_view payload;  // string bytes, numeric bytes, a container's body
  uint64_t count = 0;        // a container's elements or pairs
  std::string_view whole;    // the value's encoding (tag included)
};

Val read_value(std::string_view b, size_t& pos) {
  if (pos >= b.size()) throw SqlError(SqlState::DataCorrupted, "corrupt jsonb value");
  Val v;
  size_t begin = pos;
  v.tag = static_cast<Tag>(b[pos++]);
  switch (v.tag) {
    case kNull:
    case kFalse:
    case kTrue:
      break;
    case kNumber:
    case kString: {
      uint64_t n = get_varint(b, pos);
      if (n > b.size() - pos) throw SqlError(SqlState::DataCorrupted, "corrupt jsonb value");
      v.payload = b.substr(pos, n);
      pos += n;
      break;
    }
    case kArray:
    case kObject: {
      v.count = get_varint(b, pos);
      uint64_t n = get_varint(b, pos);
      if (n > b.size() - pos) throw SqlError(SqlState::DataCorrupted, "corrupt jsonb value");
      v.payload = b.substr(pos, n);
      pos += n;
      break;
    }
    default:
      throw SqlError(SqlState::DataCorrupted, "corrupt jsonb value");
  }
  v.whole = b.substr(begin, pos - begin);
  return v;
}

Val root(std::string_view jsonb) {
  if (jsonb.empty() || static_cast<uint8_t>(jsonb[0]) != kVersion)
    throw SqlError(SqlState::DataCorrupted, "corrupt jsonb value");
  size_t pos = 1;
  return read_value(jsonb, pos);
}

// Walks a container's members: for objects key() is the key.
class Members {
 public:
  explicit Members(const Val& c) : body_(c.payload), object_(c.tag == kObject), left_(c.count) {}
  bool next() {
    if (left_ == 0) return false;
    --left_;
    if (object_) {
      uint64_t n = get_varint(body_, pos_);
      if (n > body_.size() - pos_) throw SqlError(SqlState::DataCorrupted, "corrupt jsonb value");
      key_ = body_.substr(pos_, n);
      pos_ += n;
    }
    val_ = read_value(body_, pos_);
    return true;
  }
  std::string_view key() const { return key_; }
  const Val& value() const { return val_; }

 private:
  std::string_view body_;
  bool object_;
  uint64_t left_;
  size_t pos_ = 0;
  std::string_view key_;
  Val val_;
};

Node decode(const Val& v) {
  Node n;
  n.tag = v.tag;
  if (v.tag == kNumber || v.tag == kString) n.s = std::string(v.payload);
  if (v.tag == kArray || v.tag == kObject) {
    Members m(v);
    while (m.next()) {
      if (v.tag == kObject) n.keys.emplace_back(m.key());
      n.items.push_back(decode(m.value()));
    }
  }
  return n;
}

// A value's encoding as a jsonb of its own.
std::string as_jsonb(const Val& v) {
  std::string out(1, static_cast<char>(kVersion));
  out += v.whole;
  return out;
}

// ---- Text output ----

void escape_string(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// pretty: jsonb_pretty's layout (4 spaces a level; an empty container still opens a line).
void write_value(const Val& v, std::string& out, bool pretty, int level) {
  auto indent = [&](int l) {
    out += '\n';
    out.append(static_cast<size_t>(l) * 4, ' ');
  };
  switch (v.tag) {
    case kNull:
      out += "null";
      return;
    case kFalse:
      out += "false";
      return;
    case kTrue:
      out += "true";
      return;
    case kNumber:
      num::append_text(v.payload, out);
      return;
    case kString:
      escape_string(v.payload, out);
      return;
    case kArray:
    case kObject: {
      const bool obj = v.tag == kObject;
      out += obj ? '{' : '[';
      Members m(v);
      bool first = true;
      while (m.next()) {
        if (!first) out += ',';
        if (pretty)
          indent(level + 1);
        else if (!first)
          out += ' ';
        first = false;
        if (obj) {
          escape_string(m.key(), out);
          out += ": ";
        }
        write_value(m.value(), out, pretty, level + 1);
      }
      if (pretty) indent(level);
      out += obj ? '}' : ']';
      return;
    }
  }
}

// The text ->> gives: a string's own text, null as SQL NULL (false returned), others their jsonb text.
bool scalar_text(const Val& v, std::string& out) {
  if (v.tag == kNull) return false;
  if (v.tag == kString)
    out.assign(v.payload);
  else
    write_value(v, out, false, 0);
  return true;
}

// ---- Order, equality, hash, containment ----

int type_rank(Tag t) {  // jbvNull < jbvString < jbvNumeric < jbvBool < jbvArray < jbvObject
  switch (t) {
    case kNull:
      return 0;
    case kString:
      return 1;
    case kNumber:
      return 2;
    case kFalse:
    case kTrue:
      return 3;
    case kArray:
      return 4;
    default:
      return 5;
  }
}

int cmp_bytes(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int compare_scalars(const Val& a, const Val& b) {
  switch (a.tag) {
    case kString:
      return cmp_bytes(a.payload, b.payload);
    case kNumber: {
      int c = num::compare(a.payload, b.payload);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case kFalse:
    case kTrue:
      return (a.tag == kTrue) - (b.tag == kTrue);
    default:
      return 0;
  }
}

int compare_values(const Val& a, const Val& b) {
  int ra = type_rank(a.tag), rb = type_rank(b.tag);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (a.tag != kArray && a.tag != kObject) return compare_scalars(a, b);
  if (a.count != b.count) return a.count < b.count ? -1 : 1;
  Members ma(a), mb(b);
  while (ma.next() && mb.next()) {
    if (a.tag == kObject)
      if (int c = cmp_bytes(ma.key(), mb.key()); c != 0) return c;
    if (int c = compare_values(ma.value(), mb.value()); c != 0) return c;
  }
  return 0;
}

bool is_scalar(const Val& v) {
  return v.tag != kArray && v.tag != kObject;
}

bool scalar_equal(const Val& a, const Val& b) {
  if (a.tag != b.tag) return false;
  return compare_scalars(a, b) == 0;
}

void hash_walk(const Val& v, std::string& out) {
  out += static_cast<char>(v.tag == kTrue || v.tag == kFalse ? v.tag : v.tag);
  switch (v.tag) {
    case kNumber:  // the value without its display scale
      if (v.payload.size() >= num::kHeaderSize) {
        out.append(v.payload.substr(0, num::kDscaleOffset));
        out.append(v.payload.substr(num::kDscaleOffset + 2));
      }
      out += '\0';
      return;
    case kString:
      put_varint(v.payload.size(), out);
      out.append(v.payload);
      return;
    case kArray:
    case kObject: {
      put_varint(v.count, out);
      Members m(v);
      while (m.next()) {
        if (v.tag == kObject) {
          put_varint(m.key().size(), out);
          out.append(m.key());
        }
        hash_walk(m.value(), out);
      }
      return;
    }
    default:
      return;
  }
}

// JsonbDeepContains: whether `a` contains `b` (both containers of one kind, or scalars).
bool contains(const Val& a, const Val& b) {
  if (a.tag != b.tag) return false;
  if (a.tag == kObject) {
    if (b.count > a.count) return false;
    Members mb(b);
    while (mb.next()) {
      Members ma(a);
      bool found = false;
      while (ma.next()) {
        if (ma.key() != mb.key()) continue;
        const Val& x = ma.value();
        const Val& y = mb.value();
        if (is_scalar(x) != is_scalar(y)) return false;
        if (is_scalar(y) ? !scalar_equal(x, y) : !contains(x, y)) return false;
        found = true;
        break;
      }
      if (!found) return false;
    }
    return true;
  }
  if (a.tag == kArray) {
    Members mb(b);
    while (mb.next()) {
      const Val& y = mb.value();
      bool found = false;
      Members ma(a);
      while (!found && ma.next()) {
        const Val& x = ma.value();
        found = is_scalar(y) ? (is_scalar(x) && scalar_equal(x, y)) : (!is_scalar(x) && contains(x, y));
      }
      if (!found) return false;
    }
    return true;
  }
  return scalar_equal(a, b);
}

// Top level: a scalar is a one-element "raw scalar" array. An array may contain a raw scalar, a raw
// scalar only another raw scalar.
bool contains_top(const Val& a, const Val& b) {
  if (is_scalar(b)) {
    if (is_scalar(a)) return scalar_equal(a, b);
    if (a.tag != kArray) return false;
    Members ma(a);
    while (ma.next())
      if (is_scalar(ma.value()) && scalar_equal(ma.value(), b)) return true;
    return false;
  }
  if (is_scalar(a)) return false;
  return contains(a, b);
}

// ---- Lookups ----

// The object member `key`, if any.
bool find_key(const Val& obj, std::string_view key, Val& out) {
  if (obj.tag != kObject) return false;
  Members m(obj);
  while (m.next()) {
    if (m.key().size() > key.size()) return false;  // keys sorted by (length, bytes)
    if (m.key() == key) {
      out = m.value();
      return true;
    }
  }
  return false;
}

// The array element at `index` (negative: from the end).
bool find_index(const Val& arr, int64_t index, Val& out) {
  if (arr.tag != kArray) return false;
  int64_t n = static_cast<int64_t>(arr.count);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  Members m(arr);
  for (int64_t i = 0; i <= index; ++i) m.next();
  out = m.value();
  return true;
}

// A path step's integer (jsonb's #> over an array): an optional sign and digits, else not an index.
bool path_index(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') neg = s[i++] == '-';
  if (i >= s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
    if (v > INT32_MAX) return false;
  }
  out = neg ? -v : v;
  return true;
}

bool follow_path(Val v, std::string_view path_array, Val& out) {
  arr::View path(path_array);
  for (const arr::Element& e : path.elements) {
    if (e.null) return false;
    Val next;
    int64_t idx;
    if (v.tag == kObject) {
      if (!find_key(v, e.bytes, next)) return false;
    } else if (v.tag == kArray) {
      if (!path_index(e.bytes, idx) || !find_index(v, idx, next)) return false;
    } else {
      return false;
    }
    v = next;
  }
  out = v;
  return true;
}

// json (text) lookups: the parsed tree with raw spans.
const Node* json_find(const Node& n, const Datum& step, bool by_index) {
  if (by_index) {
    if (n.tag != kArray) return nullptr;
    int64_t i = step.i64, size = static_cast<int64_t>(n.items.size());
    if (i < 0) i += size;
    return i >= 0 && i < size ? &n.items[static_cast<size_t>(i)] : nullptr;
  }
  if (n.tag != kObject) return nullptr;
  const Node* found = nullptr;  // the last of duplicate keys, as PostgreSQL's json ->
  for (size_t i = 0; i < n.keys.size(); ++i)
    if (n.keys[i] == step.str.view()) found = &n.items[i];
  return found;
}

// A json string's de-escaped text.
std::string json_string_text(std::string_view raw) {
  Node n = Parser(raw, true).run();
  return n.s;
}

// ---- Builders ----

Node parse_tree(std::string_view text) {
  return Parser(text, true).run();
}

void set_text(Datum& out, std::string& buf, std::string s) {
  buf = std::move(s);
  out.str = StrRef{buf.data(), buf.size()};
  out.is_null = 0;
}

void set_bool(Datum& out, bool b) {
  out.i64 = b ? 1 : 0;
  out.is_null = 0;
}

[[noreturn]] void invalid_param(const std::string& msg) {
  throw SqlError(SqlState::InvalidParameterValue, msg);
}

// jsonb_set / #- : the tree with the value at `path` replaced / removed. A NULL step (`nulls`) is 22004
// once the walk reaches it, as PostgreSQL's setPath.
bool set_path(Node& n, const std::vector<std::string_view>& path, const std::vector<bool>& nulls, size_t i,
              const Node* value, bool create) {
  if (nulls[i])
    throw SqlError(SqlState::NullValueNotAllowed,
                   "path element at position " + std::to_string(i + 1) + " is null");
  std::string_view step = path[i];
  const bool last = i + 1 == path.size();
  if (n.tag == kObject) {
    for (size_t k = 0; k < n.keys.size(); ++k) {
      if (n.keys[k] != step) continue;
      if (!last) return set_path(n.items[k], path, nulls, i + 1, value, create);
      if (value) {
        n.items[k] = *value;
      } else {
        n.keys.erase(n.keys.begin() + static_cast<ptrdiff_t>(k));
        n.items.erase(n.items.begin() + static_cast<ptrdiff_t>(k));
      }
      return true;
    }
    if (last && value && create) {
      n.keys.emplace_back(step);
      n.items.push_back(*value);
      normalise(n);
    }
    return true;
  }
  if (n.tag == kArray) {
    int64_t idx;
    if (!path_index(step, idx)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "path element at position %zu is not an integer: \"", i + 1);
      throw SqlError(SqlState::InvalidTextRepresentation, std::string(buf) + std::string(step) + "\"");
    }
    int64_t size = static_cast<int64_t>(n.items.size());
    int64_t at = idx < 0 ? idx + size : idx;
    if (at >= 0 && at < size) {
      if (!last) return set_path(n.items[static_cast<size_t>(at)], path, nulls, i + 1, value, create);
      if (value)
        n.items[static_cast<size_t>(at)] = *value;
      else
        n.items.erase(n.items.begin() + at);
      return true;
    }
    if (last && value && create) {  // before the first or after the last element
      if (at < 0)
        n.items.insert(n.items.begin(), *value);
      else
        n.items.push_back(*value);
    }
    return true;
  }
  return true;
}

std::vector<std::string_view> path_steps(std::string_view path_array, std::vector<bool>& nulls) {
  arr::View path(path_array);
  std::vector<std::string_view> steps;
  for (const arr::Element& e : path.elements) {
    nulls.push_back(e.null);
    steps.push_back(e.bytes);
  }
  return steps;
}

std::string text_array(const std::vector<std::string>& items, const std::vector<bool>* nulls = nullptr) {
  arr::Builder b(TypeId::Text);
  for (size_t i = 0; i < items.size(); ++i) {
    Datum d{};
    d.is_null = nulls && (*nulls)[i];
    d.str = StrRef{items[i].data(), items[i].size()};
    b.add(d);
  }
  return b.finish();
}

void strip_nulls(Node& n) {
  if (n.tag == kObject) {
    std::vector<std::string> keys;
    std::vector<Node> items;
    for (size_t i = 0; i < n.keys.size(); ++i) {
      if (n.items[i].tag == kNull) continue;
      strip_nulls(n.items[i]);
      keys.push_back(std::move(n.keys[i]));
      items.push_back(std::move(n.items[i]));
    }
    n.keys = std::move(keys);
    n.items = std::move(items);
  } else if (n.tag == kArray) {
    for (Node& c : n.items) strip_nulls(c);
  }
}

}  // namespace

// ---- Public API ----

void validate(std::string_view text) {
  Parser(text, false).run();
}

std::string parse(std::string_view text) {
  return encode(parse_tree(text));
}

std::string to_text(std::string_view jsonb) {
  std::string out;
  append_text(jsonb, out);
  return out;
}

void append_text(std::string_view jsonb, std::string& out) {
  write_value(root(jsonb), out, false, 0);
}

std::string from_wire(std::string_view bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != 1)
    throw SqlError(SqlState::InvalidBinaryRepresentation,
                   "unsupported jsonb version number " +
                       std::to_string(bytes.empty() ? 0 : static_cast<uint8_t>(bytes[0])));
  return parse(bytes.substr(1));
}

void append_wire(std::string_view jsonb, std::string& out) {
  out += '\1';
  append_text(jsonb, out);
}

int compare(std::string_view a, std::string_view b) {
  Val x = root(a), y = root(b);
  const bool sx = is_scalar(x), sy = is_scalar(y);
  if (sx && sy) return compare_values(x, y);
  if (sx && y.tag == kArray) return y.count == 0 ? 1 : -1;  // raw scalar vs array: [] < scalar < [x, ...]
  if (sy && x.tag == kArray) return x.count == 0 ? -1 : 1;
  if (sx) return -1;  // a raw scalar is an array: below any object
  if (sy) return 1;
  return compare_values(x, y);
}

std::string hash_key(std::string_view jsonb) {
  std::string out;
  hash_walk(root(jsonb), out);
  return out;
}

const char* func_name(Func func) {
  switch (func) {
    case Func::JsonIn:
      return "json";
    case Func::JsonbIn:
    case Func::JsonToJsonb:
      return "jsonb";
    case Func::JsonbOut:
      return "text";
    case Func::Field:
    case Func::Index:
    case Func::JsonField:
    case Func::JsonIndex:
      return "->";
    case Func::FieldText:
    case Func::IndexText:
    case Func::JsonFieldText:
    case Func::JsonIndexText:
      return "->>";
    case Func::Path:
    case Func::JsonPath:
      return "#>";
    case Func::PathText:
    case Func::JsonPathText:
      return "#>>";
    case Func::Contains:
      return "@>";
    case Func::ContainedBy:
      return "<@";
    case Func::Exists:
      return "?";
    case Func::ExistsAny:
      return "?|";
    case Func::ExistsAll:
      return "?&";
    case Func::Concat:
      return "||";
    case Func::DeleteKey:
    case Func::DeleteIndex:
    case Func::DeleteKeys:
      return "-";
    case Func::DeletePath:
      return "#-";
    case Func::Typeof:
      return "jsonb_typeof";
    case Func::JsonTypeof:
      return "json_typeof";
    case Func::ArrayLength:
      return "jsonb_array_length";
    case Func::JsonArrayLength:
      return "json_array_length";
    case Func::Pretty:
      return "jsonb_pretty";
    case Func::StripNulls:
      return "jsonb_strip_nulls";
    case Func::Set:
      return "jsonb_set";
    case Func::ToJsonBool:
    case Func::ToJsonNumber:
    case Func::ToJsonString:
      return "to_json";
    case Func::BuildArray:
      return "jsonb_build_array";
    case Func::BuildObject:
      return "jsonb_build_object";
    case Func::JsonBuildArray:
      return "json_build_array";
    case Func::JsonBuildObject:
      return "json_build_object";
    case Func::AggArray:
      return "jsonb_agg";
    case Func::JsonAggArray:
      return "json_agg";
    case Func::AggObject:
      return "jsonb_object_agg";
    case Func::JsonAggObject:
      return "json_object_agg";
    case Func::Elements:
      return "jsonb_array_elements";
    case Func::ElementsText:
      return "jsonb_array_elements_text";
    case Func::Keys:
      return "jsonb_object_keys";
    case Func::Values:
      return "jsonb_each";
    case Func::ValuesText:
      return "jsonb_each_text";
    case Func::ToNumeric:
      return "numeric";
    case Func::ToBool:
      return "boolean";
  }
  return "?";
}

bool is_strict(Func func) {
  switch (func) {
    case Func::BuildArray:
    case Func::BuildObject:
    case Func::JsonBuildArray:
    case Func::JsonBuildObject:
    case Func::AggArray:
    case Func::JsonAggArray:
    case Func::AggObject:
    case Func::JsonAggObject:
    case Func::Set:
      return false;
    default:
      return true;
  }
}

void eval(Func func, const Datum* args, size_t n, Datum& out, std::string& buf) {
  out.is_null = 1;
  if (is_strict(func))
    for (size_t i = 0; i < n; ++i)
      if (args[i].is_null) return;
  auto sv = [&](size_t i) { return args[i].str.view(); };
  auto text_result = [&](std::string s) { set_text(out, buf, std::move(s)); };
  auto value_result = [&](const Val& v) { text_result(as_jsonb(v)); };
  auto scalar_text_result = [&](const Val& v) {
    std::string s;
    if (scalar_text(v, s)) text_result(std::move(s));
  };
  switch (func) {
    case Func::JsonIn:
      validate(sv(0));
      return text_result(std::string(sv(0)));
    case Func::JsonbIn:
    case Func::JsonToJsonb:
      return text_result(parse(sv(0)));
    case Func::JsonbOut:
      return text_result(to_text(sv(0)));
    case Func::Field:
    case Func::FieldText: {
      Val v;
      if (!find_key(root(sv(0)), sv(1), v)) return;
      return func == Func::Field ? value_result(v) : scalar_text_result(v);
    }
    case Func::Index:
    case Func::IndexText: {
      Val v;
      const Val r = root(sv(0));
      if (r.tag != kArray && r.tag != kObject) {
        // PostgreSQL keeps a jsonb scalar as a one-element "raw scalar" array: -> 0 and -> -1 give it.
        if (args[1].i64 != 0 && args[1].i64 != -1) return;
        v = r;
      } else if (!find_index(r, args[1].i64, v)) {
        return;
      }
      return func == Func::Index ? value_result(v) : scalar_text_result(v);
    }
    case Func::Path:
    case Func::PathText: {
      Val v;
      if (!follow_path(root(sv(0)), sv(1), v)) return;
      if (func == Func::Path) return value_result(v);
      if (v.tag == kNull) return;
      std::string s;
      if (v.tag == kString)
        s.assign(v.payload);
      else
        write_value(v, s, false, 0);
      return text_result(std::move(s));
    }
    case Func::JsonField:
    case Func::JsonIndex:
    case Func::JsonFieldText:
    case Func::JsonIndexText:
    case Func::JsonPath:
    case Func::JsonPathText: {
      Node tree = Parser(sv(0), false).run();
      const Node* at = &tree;
      if (func == Func::JsonPath || func == Func::JsonPathText) {
        arr::View path(sv(1));
        for (const arr::Element& e : path.elements) {
          if (e.null) return;
          Datum step{};
          int64_t idx = 0;
          if (at->tag == kArray) {
            if (!path_index(e.bytes, idx)) return;
            step.i64 = idx;
          }
          step.str = StrRef{e.bytes.data(), e.bytes.size()};
          at = json_find(*at, step, at->tag == kArray);
          if (!at) return;
        }
      } else {
        at = json_find(tree, args[1], func == Func::JsonIndex || func == Func::JsonIndexText);
        if (!at) return;
      }
      const bool as_text =
          func == Func::JsonFieldText || func == Func::JsonIndexText || func == Func::JsonPathText;
      if (as_text && at->tag == kNull) return;
      if (as_text && at->tag == kString) return text_result(json_string_text(at->raw));
      return text_result(std::string(at->raw));
    }
    case Func::Contains:
      return set_bool(out, contains_top(root(sv(0)), root(sv(1))));
    case Func::ContainedBy:
      return set_bool(out, contains_top(root(sv(1)), root(sv(0))));
    case Func::Exists:
    case Func::ExistsAny:
    case Func::ExistsAll: {
      Val v = root(sv(0));
      auto exists = [&](std::string_view key) {
        Val found;
        if (v.tag == kObject) return find_key(v, key, found);
        if (v.tag == kString) return v.payload == key;
        if (v.tag != kArray) return false;
        Members m(v);
        while (m.next())
          if (m.value().tag == kString && m.value().payload == key) return true;
        return false;
      };
      if (func == Func::Exists) return set_bool(out, exists(sv(1)));
      arr::View keys(sv(1));
      const bool all = func == Func::ExistsAll;
      bool result = all;
      for (const arr::Element& e : keys.elements) {
        if (e.null) continue;
        bool x = exists(e.bytes);
        if (all && !x) result = false;
        if (!all && x) result = true;
      }
      return set_bool(out, result);
    }
    case Func::Concat: {
      Node a = decode(root(sv(0))), b = decode(root(sv(1)));
      Node r;
      if (a.tag == kObject && b.tag == kObject) {
        r = std::move(a);
        for (size_t i = 0; i < b.keys.size(); ++i) {
          r.keys.push_back(std::move(b.keys[i]));
          r.items.push_back(std::move(b.items[i]));
        }
        normalise(r);
      } else {
        r.tag = kArray;
        auto add = [&](Node& x) {
          if (x.tag == kArray)
            for (Node& c : x.items) r.items.push_back(std::move(c));
          else
            r.items.push_back(std::move(x));
        };
        add(a);
        add(b);
      }
      return text_result(encode(r));
    }
    case Func::DeleteKey:
    case Func::DeleteKeys:
    case Func::DeleteIndex: {
      Node a = decode(root(sv(0)));
      if (a.tag != kArray && a.tag != kObject) invalid_param("cannot delete from scalar");
      if (func == Func::DeleteIndex) {
        if (a.tag == kObject) invalid_param("cannot delete from object using integer index");
        int64_t size = static_cast<int64_t>(a.items.size()), i = args[1].i64;
        if (i < 0) i += size;
        if (i >= 0 && i < size) a.items.erase(a.items.begin() + i);
        return text_result(encode(a));
      }
      std::vector<std::string_view> keys;
      std::unique_ptr<arr::View> view;
      if (func == Func::DeleteKey) {
        keys.push_back(sv(1));
      } else {
        view = std::make_unique<arr::View>(sv(1));
        for (const arr::Element& e : view->elements)
          if (!e.null) keys.push_back(e.bytes);
      }
      auto doomed = [&](std::string_view k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
      Node r;
      r.tag = a.tag;
      for (size_t i = 0; i < a.items.size(); ++i) {
        if (a.tag == kObject ? doomed(a.keys[i]) : (a.items[i].tag == kString && doomed(a.items[i].s)))
          continue;
        if (a.tag == kObject) r.keys.push_back(std::move(a.keys[i]));
        r.items.push_back(std::move(a.items[i]));
      }
      return text_result(encode(r));
    }
    case Func::DeletePath:
    case Func::Set: {
      if (func == Func::Set &&
          (args[0].is_null || args[1].is_null || args[2].is_null || (n > 3 && args[3].is_null)))
        return;
      Node a = decode(root(sv(0)));
      std::vector<bool> nulls;
      std::vector<std::string_view> path = path_steps(sv(1), nulls);
      if (func == Func::DeletePath) {
        if (a.tag != kArray && a.tag != kObject) invalid_param("cannot delete path in scalar");
        if (!path.empty() && !a.items.empty()) set_path(a, path, nulls, 0, nullptr, false);
        return text_result(encode(a));
      }
      if (a.tag != kArray && a.tag != kObject) invalid_param("cannot set path in scalar");
      Node value = decode(root(sv(2)));
      if (!path.empty()) set_path(a, path, nulls, 0, &value, n > 3 ? args[3].i64 != 0 : true);
      return text_result(encode(a));
    }
    case Func::ToNumeric:
    case Func::ToBool: {
      // PostgreSQL's jsonb_numeric / jsonb_int4 ... / jsonb_bool: a number (or boolean) scalar only.
      Val v = root(sv(0));
      if (func == Func::ToNumeric && v.tag == kNumber) return text_result(std::string(v.payload));
      if (func == Func::ToBool && (v.tag == kTrue || v.tag == kFalse)) return set_bool(out, v.tag == kTrue);
      static const char* const kNames[] = {"null",   "boolean", "boolean", "numeric",
                                           "string", "array",   "object"};
      invalid_param(std::string("cannot cast jsonb ") + kNames[v.tag] + " to type " +
                    (n > 1 ? std::string(sv(1)) : std::string(func_name(func))));
    }
    case Func::Typeof:
    case Func::JsonTypeof: {
      Tag t = func == Func::Typeof ? root(sv(0)).tag : Parser(sv(0), false).run().tag;
      static const char* const kNames[] = {"null",   "boolean", "boolean", "number",
                                           "string", "array",   "object"};
      return text_result(kNames[t]);
    }
    case Func::ArrayLength:
    case Func::JsonArrayLength: {
      Tag t;
      int64_t count;
      if (func == Func::ArrayLength) {
        Val v = root(sv(0));
        t = v.tag;
        count = static_cast<int64_t>(v.count);
      } else {
        Node tree = Parser(sv(0), false).run();
        t = tree.tag;
        count = static_cast<int64_t>(tree.items.size());
      }
      if (t == kObject) invalid_param("cannot get array length of a non-array");
      if (t != kArray) invalid_param("cannot get array length of a scalar");
      out.i64 = count;
      out.is_null = 0;
      return;
    }
    case Func::Pretty: {
      std::string s;
      write_value(root(sv(0)), s, true, 0);
      return text_result(std::move(s));
    }
    case Func::StripNulls: {
      Node a = decode(root(sv(0)));
      strip_nulls(a);
      return text_result(encode(a));
    }
    case Func::ToJsonBool:
      return text_result(args[0].i64 ? "true" : "false");
    case Func::ToJsonNumber: {
      std::string_view t = sv(0);
      if (t == "NaN" || t == "Infinity" || t == "-Infinity") {
        std::string s;
        escape_string(t, s);
        return text_result(std::move(s));
      }
      return text_result(std::string(t));
    }
    case Func::ToJsonString: {
      std::string s;
      escape_string(sv(0), s);
      return text_result(std::move(s));
    }
    case Func::BuildArray:
    case Func::JsonBuildArray: {
      if (func == Func::JsonBuildArray) {
        std::string s = "[";
        for (size_t i = 0; i < n; ++i) {
          if (i) s += ", ";
          s += args[i].is_null ? std::string_view("null") : sv(i);
        }
        return text_result(s + "]");
      }
      Node r;
      r.tag = kArray;
      for (size_t i = 0; i < n; ++i) r.items.push_back(args[i].is_null ? Node{} : parse_tree(sv(i)));
      return text_result(encode(r));
    }
    case Func::BuildObject:
    case Func::JsonBuildObject: {
      if (n % 2 != 0)
        throw SqlError(SqlState::InvalidParameterValue, "argument list must have even number of elements")
            .with_hint(std::string("The arguments of ") + func_name(func) +
                       "() must consist of alternating keys and values.");
      for (size_t i = 0; i < n; i += 2)
        if (args[i].is_null) invalid_param("argument " + std::to_string(i + 1) + ": key must not be null");
      if (func == Func::JsonBuildObject) {
        std::string s = "{";
        for (size_t i = 0; i < n; i += 2) {
          if (i) s += ", ";
          escape_string(sv(i), s);
          s += " : ";
          s += args[i + 1].is_null ? std::string_view("null") : sv(i + 1);
        }
        return text_result(s + "}");
      }
      Node r;
      r.tag = kObject;
      for (size_t i = 0; i < n; i += 2) {
        r.keys.emplace_back(sv(i));
        r.items.push_back(args[i + 1].is_null ? Node{} : parse_tree(sv(i + 1)));
      }
      normalise(r);
      return text_result(encode(r));
    }
    case Func::AggArray:
    case Func::JsonAggArray: {
      if (args[0].is_null) return;
      arr::View items(sv(0));
      if (func == Func::JsonAggArray) {
        std::string s = "[";
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) s += ", ";
          s += items.elements[i].null ? std::string_view("null") : items.elements[i].bytes;
        }
        return text_result(s + "]");
      }
      Node r;
      r.tag = kArray;
      for (const arr::Element& e : items.elements) r.items.push_back(e.null ? Node{} : parse_tree(e.bytes));
      return text_result(encode(r));
    }
    case Func::AggObject:
    case Func::JsonAggObject: {  // args[0]: text[] of the pairs' json texts, [key, value]
      if (args[0].is_null) return;
      arr::View pairs(sv(0));
      std::vector<Node> trees;
      for (const arr::Element& p : pairs.elements) {
        trees.push_back(Parser(p.bytes, false).run());
        if (trees.back().items.size() != 2 || trees.back().items[0].tag == kNull)
          throw SqlError(SqlState::InvalidParameterValue, "field name must not be null");
      }
      if (func == Func::JsonAggObject) {
        std::string s = "{ ";
        for (size_t i = 0; i < trees.size(); ++i) {
          if (i) s += ", ";
          s += trees[i].items[0].raw;
          s += " : ";
          s += trees[i].items[1].raw;
        }
        return text_result(s + " }");
      }
      Node r;
      r.tag = kObject;
      for (const Node& t : trees) {
        r.keys.push_back(json_string_text(t.items[0].raw));
        r.items.push_back(parse_tree(t.items[1].raw));
      }
      normalise(r);
      return text_result(encode(r));
    }
    case Func::Elements:
    case Func::ElementsText:
    case Func::Keys:
    case Func::Values:
    case Func::ValuesText: {
      Val v = root(sv(0));
      const bool on_array = func == Func::Elements || func == Func::ElementsText;
      const char* fname = func_name(func);
      if (on_array && v.tag != kArray)
        invalid_param(std::string("cannot extract elements from ") +
                      (v.tag == kObject ? "an object" : "a scalar"));
      if (!on_array && v.tag != kObject) {
        if (func == Func::Keys)
          invalid_param(std::string("cannot call ") + fname + " on " +
                        (v.tag == kArray ? "an array" : "a scalar"));
        invalid_param("cannot call " + std::string(fname) + " on a non-object");
      }
      std::vector<std::string> items;
      std::vector<bool> nulls;
      Members m(v);
      while (m.next()) {
        std::string s;
        bool null = false;
        if (func == Func::Keys)
          s.assign(m.key());
        else if (func == Func::Elements || func == Func::Values)
          write_value(m.value(), s, false, 0);
        else
          null = !scalar_text(m.value(), s);
        items.push_back(std::move(s));
        nulls.push_back(null);
      }
      return text_result(text_array(items, &nulls));
    }
  }
}

}  // namespace omendb::json
