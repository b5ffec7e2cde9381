// COPY's data formats (engine-internal): the options of COPY ... WITH (...) checked as PostgreSQL 15
// checks them, a streaming reader of text / CSV / binary input that yields one row of fields at a time,
// and the writer of rows in the same three formats. The engine (engine.cpp) runs the statement: it
// resolves the table, converts fields to values, inserts and counts rows. docs/copy.md describes COPY.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/datetime.h"
#include "common/datum.h"
#include "common/types.h"
#include "frontend/parser/ast.h"
#include "frontend/pgwire/server.h"
#include "server/wire_values.h"

namespace omendb::catalog {
class Context;
}

namespace omendb::engine::copy {

enum class Format { Text, Csv, Binary };

struct Options {
  Format format = Format::Text;
  char delimiter = '\t';
  std::string null_print = "\\N";
  bool header = false;
  bool header_match = false;  // HEADER MATCH (COPY FROM only)
  char quote = '"';
  char escape = '"';
  // Per COPY column (the order of the COPY's column list).
  bool force_quote_all = false;
  std::vector<bool> force_quote, force_not_null, force_null;
};

// Checks COPY's options as PostgreSQL 15's ProcessCopyOptions does, with its SQLSTATEs and messages
// (42601 conflicting or unknown options, 22023 / 0A000 bad values and combinations). `columns` are the
// COPY's column names (what FORCE_* may name); `table_columns` every column that exists (for 42703).
// `relation` names the table in errors (empty for COPY (query) TO).
Options parse_options(const std::vector<ast::CopyOption>& options, bool is_from,
                      const std::vector<std::string>& columns, const std::vector<std::string>& table_columns,
                      const std::string& relation);

// 22021 "invalid byte sequence for encoding "UTF8": 0x..." unless `s` is valid UTF-8 without NUL.
void check_utf8(std::string_view s);

// One field of an input row: its bytes (de-escaped, valid until the next row) or NULL.
struct Field {
  std::string_view value;
  bool is_null = false;
};

// Reads COPY FROM STDIN input from the client, one row at a time, holding only the current row (and the
// current chunk of input): constant memory for any input size. Errors carry PostgreSQL's CONTEXT
// ("COPY t, line 3: \"...\"").
class RowReader {
 public:
  RowReader(pgwire::CopyInStream& in, const Options& options, std::string relation,
            std::vector<std::string> column_names);
  // The next row's fields (exactly one per column), or false at the end of the data (CopyDone or the
  // \. end marker; the input after \. is read and ignored). Throws 22P04 for a malformed row.
  bool next(std::vector<Field>& fields);
  // The current line number (1-based, the header counts) and its text as PostgreSQL's CONTEXT shows it.
  uint64_t line() const { return line_no_; }
  std::string context_line() const;                                     // COPY t, line N: "text"
  std::string context_line_number() const;                              // COPY t, line N
  std::string context_column(size_t column, const Field& field) const;  // COPY t, line N, column c: "v"

 private:
  bool fill();       // appends the next chunk of input to buf_; false at the end
  bool read_line();  // one line (text / CSV: a CSV line may span several physical lines)
  bool read_binary_row(std::vector<Field>& fields);
  bool read_exact(size_t n, std::string& out);
  void read_binary_header();
  void split_text(std::vector<Field>& fields);
  void split_csv(std::vector<Field>& fields);
  [[noreturn]] void fail_line(std::string message) const;

  pgwire::CopyInStream& in_;
  const Options& opt_;
  std::string relation_;
  std::vector<std::string> columns_;
  std::string buf_;  // unread input: [pos_, size)
  size_t pos_ = 0;
  bool eof_ = false;
  bool ended_ = false;                            // \. seen or end of input
  std::string line_;                              // the current line without its end of line
  std::string values_;                            // the current row's de-escaped values
  std::vector<std::pair<size_t, size_t>> spans_;  // offset, length of each value in values_
  uint64_t line_no_ = 0;
  int eol_ = 0;  // 0 unknown, 1 \n, 2 \r, 3 \r\n (the first line decides, as PostgreSQL does)
  bool header_done_ = false;
};

// Encodes rows as COPY TO output, one CopyData message per row (plus the header / binary trailer).
class RowWriter {
 public:
  // `names`: the session's catalogs, for regclass / regtype / regnamespace values (encode_datum).
  RowWriter(pgwire::ResultWriter& out, const Options& options, std::vector<TypeId> types, OutputStyle style,
            const catalog::Context* names = nullptr);
  void begin(const std::vector<std::string>& column_names);  // CopyOutResponse, then the header
  void row(const Datum* values);
  void end();  // binary trailer, CopyDone

 private:
  void text_value(std::string_view s);
  void csv_value(std::string_view s, bool force_quote, bool single_column);

  pgwire::ResultWriter& out_;
  const Options& opt_;
  std::vector<TypeId> types_;
  OutputStyle style_;  // the session's TimeZone, extra_float_digits, bytea_output: text output
  const catalog::Context* names_;
  std::string buf_, tmp_;
  std::string pending_;  // binary: the file header, sent with the first row
};

}  // namespace omendb::engine::copy
