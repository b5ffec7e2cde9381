#include "server/copy.h"

#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "server/wire_values.h"

namespace omendb::engine::copy {

namespace {

[[noreturn]] void conflicting(const ast::CopyOption& o) {
  SqlError e(SqlState::SyntaxError, "conflicting or redundant options");
  if (o.location >= 0) throw std::move(e).at(o.location + 1);
  throw e;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// defGetBoolean: no argument is true; true/false/on/off/1/0 (and unique prefixes of true/false/on/off).
std::optional<bool> boolean_value(const ast::CopyOption& o) {
  if (o.arg == ast::CopyOption::Arg::None) return true;
  if (o.arg != ast::CopyOption::Arg::Value) return std::nullopt;
  std::string v = lower(o.value);
  if (v == "1") return true;
  if (v == "0") return false;
  if (!v.empty() && std::string("true").starts_with(v)) return true;
  if (!v.empty() && std::string("false").starts_with(v)) return false;
  if (v == "on") return true;
  if (v == "off" || v == "of") return false;
  return std::nullopt;
}

std::string string_value(const ast::CopyOption& o) {
  if (o.arg != ast::CopyOption::Arg::Value)
    throw SqlError(SqlState::SyntaxError, o.name + " requires a parameter");
  return o.value;
}

// Limits a value shown in CONTEXT to 100 bytes (at a character boundary) plus "...", as PostgreSQL does.
std::string printout(std::string_view s) {
  constexpr size_t kMax = 100;
  if (s.size() <= kMax) return std::string(s);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

bool valid_utf8(std::string_view s, size_t* bad) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) {
        *bad = i;
        return false;
      }
      ++i;
      continue;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len != 0 && i + len <= n;
    uint32_t cp = ok ? c & (0xFF >> (len + 1)) : 0;
    for (size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    if (!ok) {
      *bad = i;
      return false;
    }
    i += len;
  }
  return true;
}

constexpr char kBinarySignature[] = "PGCOPY\n\377\r\n";  // + '\0': 11 bytes

}  // namespace

// 22021 "invalid byte sequence for encoding "UTF8": 0xc3 0x28", as PostgreSQL reports it.
void check_utf8(std::string_view s) {
  size_t bad = 0;
  if (valid_utf8(s, &bad)) return;
  std::string bytes;
  static const char* hex = "0123456789abcdef";
  for (size_t k = bad; k < s.size() && k < bad + 2; ++k) {
    if (!bytes.empty()) bytes += ' ';
    auto b = static_cast<unsigned char>(s[k]);
    bytes += "0x";
    bytes += hex[b >> 4];
    bytes += hex[b & 15];
    if (b < 0x80) break;
  }
  throw SqlError(SqlState::CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": " + bytes);
}

Options parse_options(const std::vector<ast::CopyOption>& options, bool is_from,
                      const std::vector<std::string>& columns, const std::vector<std::string>& table_columns,
                      const std::string& relation) {
  Options opt;
  bool format_given = false, freeze_given = false, header_given = false;
  std::optional<std::string> delim, null_print, quote, escape, encoding;
  bool force_quote_given = false;
  std::vector<std::string> force_quote, force_not_null, force_null;
  bool force_not_null_given = false, force_null_given = false;
  for (const ast::CopyOption& o : options) {
    if (o.name == "format") {
      if (format_given) conflicting(o);
      format_given = true;
      std::string f = string_value(o);
      if (f == "text") {
        opt.format = Format::Text;
      } else if (f == "csv") {
        opt.format = Format::Csv;
      } else if (f == "binary") {
        opt.format = Format::Binary;
      } else {
        SqlError e(SqlState::InvalidParameterValue, "COPY format \"" + f + "\" not recognized");
        throw o.location >= 0 ? std::move(e).at(o.location + 1) : std::move(e);
      }
    } else if (o.name == "freeze") {
      if (freeze_given) conflicting(o);
      freeze_given = true;
      if (!boolean_value(o)) throw SqlError(SqlState::SyntaxError, o.name + " requires a Boolean value");
    } else if (o.name == "delimiter") {
      if (delim) conflicting(o);
      delim = string_value(o);
    } else if (o.name == "null") {
      if (null_print) conflicting(o);
      null_print = string_value(o);
    } else if (o.name == "header") {
      if (header_given) conflicting(o);
      header_given = true;
      if (o.arg == ast::CopyOption::Arg::Value && lower(o.value) == "match") {
        if (!is_from)
          throw SqlError(SqlState::FeatureNotSupported,
                         "cannot use \"" + o.value + "\" with HEADER in COPY TO");
        opt.header = opt.header_match = true;
      } else if (auto b = boolean_value(o)) {
        opt.header = *b;
      } else {
        throw SqlError(SqlState::SyntaxError, o.name + " requires a Boolean value or \"match\"");
      }
    } else if (o.name == "quote") {
      if (quote) conflicting(o);
      quote = string_value(o);
    } else if (o.name == "escape") {
      if (escape) conflicting(o);
      escape = string_value(o);
    } else if (o.name == "force_quote") {
      if (force_quote_given) conflicting(o);
      force_quote_given = true;
      if (o.arg == ast::CopyOption::Arg::Star) {
        opt.force_quote_all = true;
      } else if (o.arg == ast::CopyOption::Arg::List) {
        force_quote = o.list;
      } else {
        throw SqlError(SqlState::InvalidParameterValue,
                       "argument to option \"" + o.name + "\" must be a list of column names");
      }
    } else if (o.name == "force_not_null" || o.name == "force_null") {
      bool& given = o.name == "force_null" ? force_null_given : force_not_null_given;
      if (given) conflicting(o);
      given = true;
      if (o.arg != ast::CopyOption::Arg::List)
        throw SqlError(SqlState::InvalidParameterValue,
                       "argument to option \"" + o.name + "\" must be a list of column names");
      (o.name == "force_null" ? force_null : force_not_null) = o.list;
    } else if (o.name == "encoding") {
      if (encoding) conflicting(o);
      encoding = string_value(o);
      std::string e = lower(*encoding);
      e.erase(std::remove_if(e.begin(), e.end(), [](char c) { return c == '-' || c == '_'; }), e.end());
      if (e != "utf8" && e != "unicode")
        throw_unsupported("COPY ENCODING other than UTF8 (OmenDB stores and sends UTF-8 only)");
    } else {
      SqlError e(SqlState::SyntaxError, "option \"" + o.name + "\" not recognized");
      throw o.location >= 0 ? std::move(e).at(o.location + 1) : std::move(e);
    }
  }
  const bool csv = opt.format == Format::Csv, binary = opt.format == Format::Binary;
  if (binary && delim) throw SqlError(SqlState::SyntaxError, "cannot specify DELIMITER in BINARY mode");
  if (binary && null_print) throw SqlError(SqlState::SyntaxError, "cannot specify NULL in BINARY mode");
  std::string d = delim.value_or(csv ? "," : "\t");
  opt.null_print = null_print.value_or(csv ? "" : "\\N");
  if (d.size() != 1)
    throw SqlError(SqlState::FeatureNotSupported, "COPY delimiter must be a single one-byte character");
  opt.delimiter = d[0];
  if (d[0] == '\n' || d[0] == '\r')
    throw SqlError(SqlState::InvalidParameterValue, "COPY delimiter cannot be newline or carriage return");
  if (opt.null_print.find_first_of("\r\n") != std::string::npos)
    throw SqlError(SqlState::InvalidParameterValue,
                   "COPY null representation cannot use newline or carriage return");
  if (!csv && std::strchr("\\.abcdefghijklmnopqrstuvwxyz0123456789", d[0]))
    throw SqlError(SqlState::InvalidParameterValue, "COPY delimiter cannot be \"" + d + "\"");
  if (binary && opt.header)
    throw SqlError(SqlState::FeatureNotSupported, "cannot specify HEADER in BINARY mode");
  if (!csv && quote) throw SqlError(SqlState::FeatureNotSupported, "COPY quote available only in CSV mode");
  std::string q = quote.value_or("\"");
  if (csv && q.size() != 1)
    throw SqlError(SqlState::FeatureNotSupported, "COPY quote must be a single one-byte character");
  if (csv && d[0] == q[0])
    throw SqlError(SqlState::InvalidParameterValue, "COPY delimiter and quote must be different");
  if (!csv && escape) throw SqlError(SqlState::FeatureNotSupported, "COPY escape available only in CSV mode");
  std::string esc = escape.value_or(q);
  if (csv && esc.size() != 1)
    throw SqlError(SqlState::FeatureNotSupported, "COPY escape must be a single one-byte character");
  opt.quote = q.empty() ? '"' : q[0];
  opt.escape = esc.empty() ? opt.quote : esc[0];
  if (!csv && force_quote_given)
    throw SqlError(SqlState::FeatureNotSupported, "COPY force quote available only in CSV mode");
  if (force_quote_given && is_from)
    throw SqlError(SqlState::FeatureNotSupported, "COPY force quote only available using COPY TO");
  if (!csv && force_not_null_given)
    throw SqlError(SqlState::FeatureNotSupported, "COPY force not null available only in CSV mode");
  if (force_not_null_given && !is_from)
    throw SqlError(SqlState::FeatureNotSupported, "COPY force not null only available using COPY FROM");
  if (!csv && force_null_given)
    throw SqlError(SqlState::FeatureNotSupported, "COPY force null available only in CSV mode");
  if (force_null_given && !is_from)
    throw SqlError(SqlState::FeatureNotSupported, "COPY force null only available using COPY FROM");
  if (!binary && opt.null_print.find(opt.delimiter) != std::string::npos)
    throw SqlError(SqlState::FeatureNotSupported, "COPY delimiter must not appear in the NULL specification");
  if (csv && opt.null_print.find(opt.quote) != std::string::npos)
    throw SqlError(SqlState::FeatureNotSupported,
                   "CSV quote character must not appear in the NULL specification");

  // FORCE_* name columns of the COPY.
  auto resolve = [&](const std::vector<std::string>& names, const char* option, std::vector<bool>& out) {
    out.assign(columns.size(), false);
    for (const std::string& n : names) {
      if (std::find(table_columns.begin(), table_columns.end(), n) == table_columns.end()) {
        if (relation.empty())
          throw SqlError(SqlState::UndefinedColumn, "column \"" + n + "\" does not exist");
        throw SqlError(SqlState::UndefinedColumn,
                       "column \"" + n + "\" of relation \"" + relation + "\" does not exist");
      }
      auto it = std::find(columns.begin(), columns.end(), n);
      if (it == columns.end())
        throw SqlError(SqlState::InvalidColumnReference,
                       std::string(option) + " column \"" + n + "\" not referenced by COPY");
      out[static_cast<size_t>(it - columns.begin())] = true;
    }
  };
  resolve(force_quote, "FORCE_QUOTE", opt.force_quote);
  resolve(force_not_null, "FORCE_NOT_NULL", opt.force_not_null);
  resolve(force_null, "FORCE_NULL", opt.force_null);
  return opt;
}

// ---------------------------------------------------------------------------------------------------
// Reading

RowReader::RowReader(pgwire::CopyInStream& in, const Options& options, std::string relation,
                     std::vector<std::string> column_names)
    : in_(in), opt_(options), relation_(std::move(relation)), columns_(std::move(column_names)) {}

bool RowReader::fill() {
  if (eof_) return false;
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  std::string chunk;
  while (chunk.empty()) {
    if (!in_.next(chunk)) {
      eof_ = true;
      return false;
    }
  }
  buf_.append(chunk);
  return true;
}

std::string RowReader::context_line() const {
  return "COPY " + relation_ + ", line " + std::to_string(line_no_) + ": \"" + printout(line_) + "\"";
}
std::string RowReader::context_line_number() const {
  return "COPY " + relation_ + ", line " + std::to_string(line_no_);
}
std::string RowReader::context_column(size_t column, const Field& field) const {
  std::string s = "COPY " + relation_ + ", line " + std::to_string(line_no_) + ", column " + columns_[column];
  if (field.is_null) return s + ": null input";
  return s + ": \"" + printout(field.value) + "\"";
}

void RowReader::fail_line(std::string message) const {
  throw SqlError(SqlState::BadCopyFileFormat, std::move(message)).with_context(context_line());
}

// One line of text or CSV input into line_, without its end of line. Text: a backslash protects the next
// character (an escaped newline belongs to the line). CSV: newlines inside quotes belong to the line.
bool RowReader::read_line() {
  line_.clear();
  const bool csv = opt_.format == Format::Csv;
  bool in_quote = false, escaped = false, quote_escape = false;
  auto carriage_return_error = [&] {
    fail_line(csv ? "unquoted carriage return found in data" : "literal carriage return found in data");
  };
  auto newline_error = [&] {
    fail_line(csv ? "unquoted newline found in data" : "literal newline found in data");
  };
  size_t i = pos_;
  for (;;) {
    if (i >= buf_.size()) {
      line_.append(buf_, pos_, i - pos_);
      pos_ = i;
      if (!fill()) {
        if (line_.empty() && !escaped) return false;
        ++line_no_;
        if (csv && in_quote) fail_line("unterminated CSV quoted field");
        return true;  // the last line, without an end of line
      }
      i = pos_;
      continue;
    }
    char c = buf_[i];
    if (escaped) {  // text: the character after a backslash is data, even a newline
      escaped = false;
      ++i;
      continue;
    }
    if (quote_escape) {  // CSV, inside quotes, after the escape character
      quote_escape = false;
      if (c == opt_.quote || c == opt_.escape) {
        ++i;
        continue;
      }
    }
    if (csv) {
      if (in_quote) {
        // A line end inside a quoted field is data, but counts as an input line for the line numbers
        // of errors, as in PostgreSQL (CopyReadLineText counts the end-of-line character of the file).
        if (c == (eol_ == 2 ? '\r' : '\n')) ++line_no_;
        if (c == opt_.escape && opt_.escape != opt_.quote) {
          quote_escape = true;
        } else if (c == opt_.quote) {
          in_quote = false;
        }
        ++i;
        continue;
      }
      if (c == opt_.quote) {
        in_quote = true;
        ++i;
        continue;
      }
    } else if (c == '\\') {
      escaped = true;
      ++i;
      continue;
    }
    if (c != '\n' && c != '\r') {
      ++i;
      continue;
    }
    // End of line. The first line decides between \n, \r and \r\n, as PostgreSQL does.
    line_.append(buf_, pos_, i - pos_);
    ++line_no_;
    pos_ = i + 1;
    if (c == '\n') {
      if (eol_ == 0) eol_ = 1;
      if (eol_ != 1) newline_error();
      return true;
    }
    if (pos_ >= buf_.size()) fill();
    bool crlf = pos_ < buf_.size() && buf_[pos_] == '\n';
    if (eol_ == 0) eol_ = crlf ? 3 : 2;
    if (eol_ == 1 || (eol_ == 3 && !crlf)) carriage_return_error();
    if (eol_ == 2 && crlf) newline_error();
    if (crlf) ++pos_;
    return true;
  }
}

bool RowReader::next(std::vector<Field>& fields) {
  if (ended_) return false;
  if (opt_.format == Format::Binary) {
    if (!header_done_) {
      read_binary_header();
      header_done_ = true;
    }
    return read_binary_row(fields);
  }
  for (;;) {
    if (!read_line()) {
      ended_ = true;
      return false;
    }
    if (line_ == "\\.") {  // end-of-data marker: the rest of the input is ignored
      ended_ = true;
      std::string ignored;
      while (!eof_ && in_.next(ignored)) {
      }
      return false;
    }
    if (opt_.format == Format::Csv) {
      split_csv(fields);
    } else {
      split_text(fields);
    }
    if (!header_done_ && opt_.header) {
      header_done_ = true;
      if (opt_.header_match) {
        if (fields.size() != columns_.size())
          fail_line("wrong number of fields in header line: field count is " + std::to_string(fields.size()) +
                    ", expected " + std::to_string(columns_.size()));
        for (size_t i = 0; i < fields.size(); ++i) {
          if (fields[i].is_null)
            fail_line("column name mismatch in header line field " + std::to_string(i + 1) +
                      ": got null value (\"" + opt_.null_print + "\"), expected \"" + columns_[i] + "\"");
          if (fields[i].value != columns_[i])
            fail_line("column name mismatch in header line field " + std::to_string(i + 1) + ": got \"" +
                      std::string(fields[i].value) + "\", expected \"" + columns_[i] + "\"");
        }
      }
      continue;
    }
    header_done_ = true;
    if (fields.size() > columns_.size()) fail_line("extra data after last expected column");
    if (fields.size() < columns_.size())
      fail_line("missing data for column \"" + columns_[fields.size()] + "\"");
    return true;
  }
}

// PostgreSQL's CopyReadAttributesText: fields split at unescaped delimiters; NULL is decided on the raw
// text; then \b \f \n \r \t \v, \ooo (octal), \xhh (hex) and \c (c itself) are de-escaped.
void RowReader::split_text(std::vector<Field>& fields) {
  values_.clear();
  spans_.clear();
  std::vector<bool> nulls;
  const std::string& s = line_;
  const char delim = opt_.delimiter;
  size_t i = 0;
  bool saw_non_ascii = false;
  for (;;) {
    size_t raw_start = i;
    size_t start = values_.size();
    bool found_delim = false;
    while (i < s.size()) {
      char c = s[i++];
      if (c == delim) {
        found_delim = true;
        break;
      }
      if (c == '\\') {
        if (i >= s.size()) {  // a backslash at the end of the line is data
          values_.push_back('\\');
          break;
        }
        c = s[i++];
        switch (c) {
          case '0':
          case '1':
          case '2':
          case '3':
          case '4':
          case '5':
          case '6':
          case '7': {
            int v = c - '0';
            for (int k = 0; k < 2 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k)
              v = v * 8 + (s[i++] - '0');
            c = static_cast<char>(v & 0xFF);
            if (static_cast<unsigned char>(c) >= 0x80 || c == 0) saw_non_ascii = true;
            break;
          }
          case 'x':
            if (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) {
              auto hexval = [](char h) {
                return std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10);
              };
              int v = hexval(s[i++]);
              if (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])))
                v = v * 16 + hexval(s[i++]);
              c = static_cast<char>(v & 0xFF);
              if (static_cast<unsigned char>(c) >= 0x80 || c == 0) saw_non_ascii = true;
            }
            break;
          case 'b':
            c = '\b';
            break;
          case 'f':
            c = '\f';
            break;
          case 'n':
            c = '\n';
            break;
          case 'r':
            c = '\r';
            break;
          case 't':
            c = '\t';
            break;
          case 'v':
            c = '\v';
            break;
          default:
            break;  // \c is c (\\ is a backslash, \<delimiter> the delimiter)
        }
      }
      values_.push_back(c);
    }
    size_t raw_end = found_delim ? i - 1 : i;
    bool is_null = std::string_view(s).substr(raw_start, raw_end - raw_start) == opt_.null_print;
    spans_.emplace_back(start, values_.size() - start);
    nulls.push_back(is_null);
    if (!found_delim) break;
  }
  (void)saw_non_ascii;  // validated per value (check_utf8) by the caller
  fields.resize(spans_.size());
  for (size_t k = 0; k < spans_.size(); ++k) {
    fields[k].is_null = nulls[k];
    fields[k].value = std::string_view(values_).substr(spans_[k].first, spans_[k].second);
  }
}

// PostgreSQL's CopyReadAttributesCSV: quoted parts may hold delimiters and newlines; inside quotes the
// escape character protects a quote (or itself). An unquoted field equal to the NULL string is NULL
// (FORCE_NOT_NULL: never; FORCE_NULL: quoted ones too).
void RowReader::split_csv(std::vector<Field>& fields) {
  values_.clear();
  spans_.clear();
  std::vector<bool> nulls;
  const std::string& s = line_;
  const char delim = opt_.delimiter, quote = opt_.quote, escape = opt_.escape;
  size_t i = 0;
  for (;;) {
    size_t raw_start = i;
    size_t start = values_.size();
    bool saw_quote = false, found_delim = false;
    while (i < s.size()) {
      char c = s[i++];
      if (c == delim) {
        found_delim = true;
        break;
      }
      if (c == quote) {
        saw_quote = true;
        for (;;) {
          if (i >= s.size()) {
            fail_line("unterminated CSV quoted field");
          }
          c = s[i++];
          if (c == escape && i < s.size() && (s[i] == quote || s[i] == escape)) {
            values_.push_back(s[i++]);
            continue;
          }
          if (c == quote) break;
          values_.push_back(c);
        }
        continue;
      }
      values_.push_back(c);
    }
    size_t raw_end = found_delim ? i - 1 : i;
    size_t col = spans_.size();
    std::string_view value = std::string_view(values_).substr(start);
    bool is_null = false;
    if (!saw_quote) {
      is_null = std::string_view(s).substr(raw_start, raw_end - raw_start) == opt_.null_print;
    } else if (col < opt_.force_null.size() && opt_.force_null[col]) {
      is_null = value == opt_.null_print;
    }
    if (is_null && col < opt_.force_not_null.size() && opt_.force_not_null[col] && !saw_quote)
      is_null = false;
    spans_.emplace_back(start, values_.size() - start);
    nulls.push_back(is_null);
    if (!found_delim) break;
  }
  fields.resize(spans_.size());
  for (size_t k = 0; k < spans_.size(); ++k) {
    fields[k].is_null = nulls[k];
    fields[k].value = std::string_view(values_).substr(spans_[k].first, spans_[k].second);
  }
}

bool RowReader::read_exact(size_t n, std::string& out) {
  while (buf_.size() - pos_ < n) {
    if (!fill()) return false;
  }
  out.assign(buf_, pos_, n);
  pos_ += n;
  return true;
}

void RowReader::read_binary_header() {
  std::string b;
  if (!read_exact(11, b) || std::memcmp(b.data(), kBinarySignature, 11) != 0)
    throw SqlError(SqlState::BadCopyFileFormat, "COPY file signature not recognized");
  if (!read_exact(4, b))
    throw SqlError(SqlState::BadCopyFileFormat, "invalid COPY file header (missing flags)");
  uint32_t flags = (uint32_t{static_cast<uint8_t>(b[0])} << 24) |
                   (uint32_t{static_cast<uint8_t>(b[1])} << 16) |
                   (uint32_t{static_cast<uint8_t>(b[2])} << 8) | static_cast<uint8_t>(b[3]);
  if (flags & (1u << 16)) throw SqlError(SqlState::BadCopyFileFormat, "invalid COPY file header (WITH OIDS)");
  if (flags & 0xFFFF0000u & ~(1u << 16))
    throw SqlError(SqlState::BadCopyFileFormat, "unrecognized critical flags in COPY file header");
  if (!read_exact(4, b))
    throw SqlError(SqlState::BadCopyFileFormat, "invalid COPY file header (missing length)");
  uint32_t ext = (uint32_t{static_cast<uint8_t>(b[0])} << 24) | (uint32_t{static_cast<uint8_t>(b[1])} << 16) |
                 (uint32_t{static_cast<uint8_t>(b[2])} << 8) | static_cast<uint8_t>(b[3]);
  while (ext > 0) {
    size_t n = std::min<size_t>(ext, 1 << 16);
    if (!read_exact(n, b))
      throw SqlError(SqlState::BadCopyFileFormat, "invalid COPY file header (wrong length)");
    ext -= static_cast<uint32_t>(n);
  }
}

bool RowReader::read_binary_row(std::vector<Field>& fields) {
  std::string b;
  line_.clear();
  if (!read_exact(2, b)) {
    // PostgreSQL accepts a missing trailer when the input ends at a row boundary.
    if (buf_.size() == pos_) {
      ended_ = true;
      return false;
    }
    ++line_no_;
    throw SqlError(SqlState::BadCopyFileFormat, "unexpected EOF in COPY data")
        .with_context(context_line_number());
  }
  ++line_no_;
  auto count = static_cast<int16_t>((static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]));
  if (count == -1) {  // trailer: the rest of the input must be empty
    ended_ = true;
    std::string rest;
    while (!eof_ && in_.next(rest)) {
      if (!rest.empty())
        throw SqlError(SqlState::BadCopyFileFormat, "received copy data after EOF marker")
            .with_context(context_line_number());
    }
    return false;
  }
  if (count != static_cast<int16_t>(columns_.size()))
    throw SqlError(SqlState::BadCopyFileFormat, "row field count is " + std::to_string(count) +
                                                    ", expected " + std::to_string(columns_.size()))
        .with_context(context_line_number());
  values_.clear();
  spans_.clear();
  std::vector<bool> nulls;
  for (int16_t k = 0; k < count; ++k) {
    if (!read_exact(4, b))
      throw SqlError(SqlState::BadCopyFileFormat, "unexpected EOF in COPY data")
          .with_context(context_line_number());
    auto len = static_cast<int32_t>((uint32_t{static_cast<uint8_t>(b[0])} << 24) |
                                    (uint32_t{static_cast<uint8_t>(b[1])} << 16) |
                                    (uint32_t{static_cast<uint8_t>(b[2])} << 8) | static_cast<uint8_t>(b[3]));
    if (len == -1) {
      spans_.emplace_back(values_.size(), 0);
      nulls.push_back(true);
      continue;
    }
    if (len < 0)
      throw SqlError(SqlState::BadCopyFileFormat, "invalid field size").with_context(context_line_number());
    if (!read_exact(static_cast<size_t>(len), b))
      throw SqlError(SqlState::BadCopyFileFormat, "unexpected EOF in COPY data")
          .with_context(context_line_number());
    spans_.emplace_back(values_.size(), b.size());
    values_.append(b);
    nulls.push_back(false);
  }
  fields.resize(spans_.size());
  for (size_t k = 0; k < spans_.size(); ++k) {
    fields[k].is_null = nulls[k];
    fields[k].value = std::string_view(values_).substr(spans_[k].first, spans_[k].second);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Writing

RowWriter::RowWriter(pgwire::ResultWriter& out, const Options& options, std::vector<TypeId> types,
                     OutputStyle style, const catalog::Context* names)
    : out_(out), opt_(options), types_(std::move(types)), style_(std::move(style)), names_(names) {}

void RowWriter::begin(const std::vector<std::string>& column_names) {
  out_.copy_out(opt_.format == Format::Binary ? 1 : 0, types_.size());
  if (opt_.format == Format::Binary) {
    // The file header goes out with the first row (or the trailer), in its CopyData, as PostgreSQL does.
    pending_.assign(kBinarySignature, 11);
    pending_.append(8, '\0');  // flags, header extension length
    return;
  }
  if (!opt_.header) return;
  buf_.clear();
  for (size_t i = 0; i < column_names.size(); ++i) {
    if (i) buf_.push_back(opt_.delimiter);
    if (opt_.format == Format::Csv) {
      csv_value(column_names[i], false, column_names.size() == 1);
    } else {
      text_value(column_names[i]);
    }
  }
  buf_.push_back('\n');
  out_.copy_data(buf_);
}

// PostgreSQL's CopyAttributeOutText.
void RowWriter::text_value(std::string_view s) {
  const char delim = opt_.delimiter;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) {
      char e = 0;
      switch (c) {
        case '\b':
          e = 'b';
          break;
        case '\f':
          e = 'f';
          break;
        case '\n':
          e = 'n';
          break;
        case '\r':
          e = 'r';
          break;
        case '\t':
          e = 't';
          break;
        case '\v':
          e = 'v';
          break;
        default:
          if (c == delim) e = c;
          break;
      }
      if (e) {
        buf_.push_back('\\');
        buf_.push_back(e);
      } else {
        buf_.push_back(c);
      }
    } else if (c == '\\' || c == delim) {
      buf_.push_back('\\');
      buf_.push_back(c);
    } else {
      buf_.push_back(c);
    }
  }
}

// PostgreSQL's CopyAttributeOutCSV: quoted when forced, when equal to the NULL string, when it holds the
// delimiter, the quote, a newline or a carriage return, or is \. alone in a single column.
void RowWriter::csv_value(std::string_view s, bool force_quote, bool single_column) {
  const char delim = opt_.delimiter, quote = opt_.quote, escape = opt_.escape;
  bool use_quote = force_quote || s == opt_.null_print || (single_column && s == "\\.");
  if (!use_quote) {
    for (char c : s) {
      if (c == delim || c == quote || c == '\n' || c == '\r') {
        use_quote = true;
        break;
      }
    }
  }
  if (!use_quote) {
    buf_.append(s);
    return;
  }
  buf_.push_back(quote);
  for (char c : s) {
    if (c == quote || c == escape) buf_.push_back(escape);
    buf_.push_back(c);
  }
  buf_.push_back(quote);
}

void RowWriter::row(const Datum* values) {
  buf_.clear();
  const size_t n = types_.size();
  if (opt_.format == Format::Binary) {
    buf_.swap(pending_);
    buf_.push_back(static_cast<char>(n >> 8));
    buf_.push_back(static_cast<char>(n));
    for (size_t i = 0; i < n; ++i) {
      if (values[i].is_null) {
        buf_.append(4, '\xFF');
        continue;
      }
      size_t at = buf_.size();
      buf_.append(4, '\0');
      encode_datum(values[i], types_[i], 1, style_, buf_);  // the per-type binary format, defined once
      auto len = static_cast<uint32_t>(buf_.size() - at - 4);
      buf_[at] = static_cast<char>(len >> 24);
      buf_[at + 1] = static_cast<char>(len >> 16);
      buf_[at + 2] = static_cast<char>(len >> 8);
      buf_[at + 3] = static_cast<char>(len);
    }
    out_.copy_data(buf_);
    return;
  }
  const bool csv = opt_.format == Format::Csv;
  for (size_t i = 0; i < n; ++i) {
    if (i) buf_.push_back(opt_.delimiter);
    if (values[i].is_null) {
      buf_.append(opt_.null_print);
      continue;
    }
    std::string_view v;
    if (is_string_type(types_[i])) {
      v = values[i].str.view();
    } else {
      tmp_.clear();
      encode_datum(values[i], types_[i], 0, style_, tmp_, names_);  // PostgreSQL's text output, defined once
      v = tmp_;
    }
    if (csv) {
      csv_value(v, opt_.force_quote_all || (i < opt_.force_quote.size() && opt_.force_quote[i]), n == 1);
    } else {
      text_value(v);
    }
  }
  buf_.push_back('\n');
  out_.copy_data(buf_);
}

void RowWriter::end() {
  if (opt_.format == Format::Binary) {
    pending_.append("\xFF\xFF", 2);
    out_.copy_data(pending_);
  }
  out_.copy_done();
}

}  // namespace omendb::engine::copy
