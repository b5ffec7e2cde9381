// The one error type that carries a user-facing failure from any stage to the wire. It becomes an
// ErrorResponse at exactly one boundary (the pgwire session). Generated code never throws: it records
// an error in the query state and returns, and the caller raises a SqlError from it.
#pragma once

#include <exception>
#include <string>

#include "common/sqlstate.h"

namespace omendb {

class SqlError : public std::exception {
 public:
  SqlError(SqlState state, std::string message) : state_(state), message_(std::move(message)) {}

  SqlError&& with_detail(std::string d) && {
    detail_ = std::move(d);
    return std::move(*this);
  }
  SqlError&& with_hint(std::string h) && {
    hint_ = std::move(h);
    return std::move(*this);
  }
  // PostgreSQL's CONTEXT field: where the error happened ("COPY t, line 3, column v: \"abc\"").
  SqlError&& with_context(std::string c) && {
    context_ = std::move(c);
    return std::move(*this);
  }
  // PostgreSQL's schema_name, table_name and constraint_name fields (s, t, n) of an integrity violation.
  SqlError&& with_constraint(std::string schema, std::string table, std::string constraint) && {
    schema_ = std::move(schema);
    table_ = std::move(table);
    constraint_ = std::move(constraint);
    return std::move(*this);
  }
  // PostgreSQL's column_name field (c) of a not-null violation, with schema_name and table_name.
  SqlError&& with_column(std::string schema, std::string table, std::string column) && {
    schema_ = std::move(schema);
    table_ = std::move(table);
    column_ = std::move(column);
    return std::move(*this);
  }
  // 1-based character position in the query text, as PostgreSQL reports it (0 = none).
  SqlError&& at(int position) && {
    position_ = position;
    return std::move(*this);
  }

  SqlState state() const { return state_; }
  const std::string& message() const { return message_; }
  const std::string& detail() const { return detail_; }
  const std::string& hint() const { return hint_; }
  const std::string& context() const { return context_; }
  int position() const { return position_; }
  const std::string& schema_name() const { return schema_; }
  const std::string& table_name() const { return table_; }
  const std::string& constraint_name() const { return constraint_; }
  const std::string& column_name() const { return column_; }
  // PostgreSQL's R field: the C function that raised the error. Sent only where a client acts on it
  // (pgjdbc prepares a statement again on 0A000 from RevalidateCachedQuery).
  SqlError&& with_routine(std::string r) && {
    routine_ = std::move(r);
    return std::move(*this);
  }
  const std::string& routine() const { return routine_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  SqlState state_;
  std::string message_;
  std::string detail_;
  std::string hint_;
  std::string context_;
  std::string schema_;
  std::string table_;
  std::string constraint_;
  std::string column_;
  std::string routine_;
  int position_ = 0;
};

// Shorthand for the common "this SQL is valid but OmenDB does not do it yet" error (0A000).
[[noreturn]] void throw_unsupported(const std::string& feature, int position = 0);

}  // namespace omendb
