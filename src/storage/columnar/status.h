// The result of a columnar encode or decode step. Decoders never throw and never read outside their
// input: malformed, truncated or inconsistent bytes come back as a Corruption status (the integration
// maps it to SQLSTATE XX001), a caller mistake (unsupported type for a codec, too many rows) as
// InvalidArgument.
#pragma once

#include <string>
#include <utility>

namespace omendb::storage::columnar {

class [[nodiscard]] Status {
 public:
  enum class Code { Ok, Corruption, InvalidArgument };

  Status() = default;
  static Status ok() { return {}; }
  static Status corruption(std::string message) { return Status(Code::Corruption, std::move(message)); }
  static Status invalid_argument(std::string message) {
    return Status(Code::InvalidArgument, std::move(message));
  }

  bool is_ok() const { return code_ == Code::Ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::Ok;
  std::string message_;
};

// Returns from the enclosing function when `expr` is not ok.
#define OMENDB_COLUMNAR_RETURN_IF_ERROR(expr)        \
  do {                                               \
    ::omendb::storage::columnar::Status _s = (expr); \
    if (!_s.is_ok()) return _s;                      \
  } while (0)

}  // namespace omendb::storage::columnar
