// parser::parse / parser::fingerprint: drive libpg_query and keep its recursion off the caller's stack.
//
// libpg_query parses left-deep chains (1+1+1+...) without recursion, but serialising the tree to protobuf,
// unpacking it and transforming it all recurse once per level. So:
//  - SQL longer than kInlineParseLimit bytes is parsed on a helper thread whose stack is sized from the
//    text length (every nesting level needs at least two characters of SQL), so libpg_query's own
//    serialisers cannot overflow; it is parsed to JSON first (linear) and rejected if too deep, because
//    protobuf serialisation is quadratic in depth;
//  - the packed protobuf is scanned iteratively for its message nesting depth before protobuf-c unpacks
//    it (recursively), and the transform counts its own depth: both raise 54000.
extern "C" {
#include <pg_query.h>
}
#include <pg_query.pb-c.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.h"
#include "frontend/parser/parser.h"
#include "frontend/parser/transform.h"

namespace omendb::parser {
namespace {

// SQL up to this size is parsed on the calling thread: at most ~2k nesting levels, ~1.5 MB of stack.
constexpr size_t kInlineParseLimit = 4096;
// Protobuf message nesting accepted before unpacking (an expression level is about two messages).
constexpr size_t kMaxMessageDepth = 2 * detail::kMaxTransformDepth + 200;

[[noreturn]] void throw_too_deep(int position) {
  throw SqlError(SqlState::ProgramLimitExceeded, "statement is nested too deeply").at(position);
}

bool read_varint(const uint8_t* data, size_t end, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= end) return false;
    uint8_t b = data[pos++];
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Iteratively walks the packed message and reports whether sub-messages nest deeper than `limit`.
// A malformed buffer answers false and is left to protobuf-c to reject.
bool nests_deeper_than(const uint8_t* data, size_t len, const ProtobufCMessageDescriptor* root,
                       size_t limit) {
  struct Frame {
    size_t end;
    const ProtobufCMessageDescriptor* desc;
  };
  std::vector<Frame> stack;
  stack.push_back({len, root});
  size_t pos = 0;
  while (!stack.empty()) {
    const Frame frame = stack.back();
    if (pos >= frame.end) {
      stack.pop_back();
      continue;
    }
    uint64_t tag = 0, n = 0;
    if (!read_varint(data, frame.end, pos, tag)) return false;
    switch (tag & 7) {
      case 0:
        if (!read_varint(data, frame.end, pos, n)) return false;
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        if (!read_varint(data, frame.end, pos, n) || n > frame.end - pos) return false;
        const ProtobufCFieldDescriptor* field =
            protobuf_c_message_descriptor_get_field(frame.desc, static_cast<unsigned>(tag >> 3));
        if (field && field->type == PROTOBUF_C_TYPE_MESSAGE) {
          if (stack.size() >= limit) return true;
          stack.push_back({pos + n, static_cast<const ProtobufCMessageDescriptor*>(field->descriptor)});
        } else {
          pos += n;
        }
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

// Nesting depth of libpg_query's JSON output ({ and [ outside strings), scanned iteratively.
size_t json_depth(const char* json) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false;
  for (const char* p = json; *p; ++p) {
    if (in_string) {
      if (*p == '\\' && p[1]) {
        ++p;
      } else if (*p == '"') {
        in_string = false;
      }
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '{' || *p == '[') {
      if (++depth > max_depth) max_depth = depth;
    } else if ((*p == '}' || *p == ']') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

// Serialising a parse tree to protobuf costs time quadratic in its depth (protobuf-c sizes every
// sub-message again at each level), so a long statement is first parsed to JSON (linear) to measure
// how deep it is. Returns true if it nests too deeply to serialise.
bool too_deep_for_protobuf(const std::string& sql) {
  PgQueryParseResult r = pg_query_parse(sql.c_str());
  bool too_deep = !r.error && r.parse_tree && json_depth(r.parse_tree) > kMaxMessageDepth + 100;
  pg_query_free_parse_result(r);
  return too_deep;
}

std::vector<ast::StmtPtr> parse_here(const std::string& sql, bool check_depth_first,
                                     std::vector<ast::Expr*>* constants) {
  if (check_depth_first && too_deep_for_protobuf(sql)) throw_too_deep(0);
  struct Result {
    PgQueryProtobufParseResult r;
    ~Result() { pg_query_free_protobuf_parse_result(r); }
  } res{pg_query_parse_protobuf(sql.c_str())};

  if (res.r.error) {
    std::string message = res.r.error->message ? res.r.error->message : "syntax error";
    int cursor = res.r.error->cursorpos;  // already 1-based
    // Bison's own stack limit (10000 levels of right-nesting, e.g. parentheses).
    if (message.starts_with("memory exhausted")) throw_too_deep(cursor);
    // The grammar's checks of window frames ("frame start cannot be UNBOUNDED FOLLOWING", "frame starting
    // from current row cannot have preceding rows" ...) are ERRCODE_WINDOWING_ERROR in PostgreSQL.
    if (message.starts_with("frame "))
      throw SqlError(SqlState::WindowingError, std::move(message)).at(cursor);
    // gram.y's ERRCODE_FEATURE_NOT_SUPPORTED ("a column list with SET NULL is only supported for ON DELETE
    // actions").
    if (message.find(" is only supported for ") != std::string::npos)
      throw SqlError(SqlState::FeatureNotSupported, std::move(message)).at(cursor);
    // The scanner's check of an escape string's bytes (E'\xff') is ERRCODE_CHARACTER_NOT_IN_REPERTOIRE.
    if (message.starts_with("invalid byte sequence for encoding"))
      throw SqlError(SqlState::CharacterNotInRepertoire, std::move(message)).at(cursor);
    throw SqlError(SqlState::SyntaxError, std::move(message)).at(cursor);
  }

  const auto* data = reinterpret_cast<const uint8_t*>(res.r.parse_tree.data);
  const size_t len = res.r.parse_tree.len;
  if (nests_deeper_than(data, len, &pg_query__parse_result__descriptor, kMaxMessageDepth)) throw_too_deep(0);

  struct Unpacked {
    PgQuery__ParseResult* p;
    ~Unpacked() {
      if (p) pg_query__parse_result__free_unpacked(p, nullptr);
    }
  } tree{pg_query__parse_result__unpack(nullptr, len, data)};
  if (!tree.p) throw SqlError(SqlState::InternalError, "could not decode the parse tree");
  return detail::transform_parse_result(*tree.p, constants);
}

std::string fingerprint_here(const std::string& sql) {
  PgQueryFingerprintResult r = pg_query_fingerprint(sql.c_str());
  std::string out = (!r.error && r.fingerprint_str) ? std::string(r.fingerprint_str) : std::string();
  pg_query_free_fingerprint_result(r);
  return out;
}

// Runs fn() on a fresh thread whose stack is sized for `sql_len` bytes of SQL; rethrows its exception.
// libpg_query frees the thread's memory context itself (a pthread key destructor) when the thread ends.
template <class Fn>
void run_on_large_stack(size_t sql_len, Fn&& fn) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t size = (size_t{64} << 20) + sql_len * 1024;
  size = (size + page - 1) / page * page;
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mem == MAP_FAILED) throw SqlError(SqlState::OutOfMemory, "out of memory parsing a very long statement");
  mprotect(mem, page, PROT_NONE);  // guard page: an overflow faults instead of corrupting memory

  struct Task {
    std::remove_reference_t<Fn>* fn;
    std::exception_ptr error;
  } task{&fn, nullptr};
  auto trampoline = [](void* arg) -> void* {
    auto* t = static_cast<Task*>(arg);
    try {
      (*t->fn)();
    } catch (...) {
      t->error = std::current_exception();
    }
    return nullptr;
  };

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, mem, size);
  pthread_t tid;
  int rc = pthread_create(&tid, &attr, trampoline, &task);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    munmap(mem, size);
    throw SqlError(SqlState::OutOfMemory, "could not start a parser thread for a very long statement");
  }
  pthread_join(tid, nullptr);
  munmap(mem, size);
  if (task.error) std::rethrow_exception(task.error);
}

}  // namespace

std::vector<ast::StmtPtr> parse(std::string_view sql, std::vector<ast::Expr*>* constants) {
  const std::string text(sql);  // libpg_query wants NUL-terminated text
  if (text.size() <= kInlineParseLimit) return parse_here(text, false, constants);
  std::vector<ast::StmtPtr> out;
  run_on_large_stack(text.size(), [&] { out = parse_here(text, true, constants); });
  return out;
}

Value number_literal_value(std::string_view token, bool negated) {
  // scan.l's process_integer_literal: digits that fit int4 are an Integer node (the grammar negates its
  // value); anything else is a Float node, whose text the grammar prefixes with '-'.
  if (!token.empty() && token.size() <= 10 &&
      std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t v = 0;
    for (char c : token) v = v * 10 + (c - '0');
    if (v <= INT32_MAX) return Value::int32(static_cast<int32_t>(negated ? -v : v));
  }
  return detail::float_literal_value((negated ? "-" : "") + std::string(token));
}

std::string qualify_relations(std::string_view select_sql,
                              const std::function<bool(std::string_view)>& in_public) {
  const std::string sql(select_sql);
  struct Result {
    PgQueryProtobufParseResult r;
    ~Result() { pg_query_free_protobuf_parse_result(r); }
  } res{pg_query_parse_protobuf(sql.c_str())};
  if (res.r.error) return {};
  struct Unpacked {
    PgQuery__ParseResult* p;
    ~Unpacked() {
      if (p) pg_query__parse_result__free_unpacked(p, nullptr);
    }
  } tree{pg_query__parse_result__unpack(nullptr, res.r.parse_tree.len,
                                        reinterpret_cast<const uint8_t*>(res.r.parse_tree.data))};
  if (!tree.p || tree.p->n_stmts != 1) return {};
  auto* root = reinterpret_cast<ProtobufCMessage*>(tree.p->stmts[0]->stmt);
  std::vector<std::string> ctes;
  detail::for_each_message(root, [&](ProtobufCMessage* m) {
    if (m->descriptor == &pg_query__common_table_expr__descriptor)
      ctes.emplace_back(reinterpret_cast<PgQuery__CommonTableExpr*>(m)->ctename);
  });
  detail::for_each_message(root, [&](ProtobufCMessage* m) {
    if (m->descriptor != &pg_query__range_var__descriptor) return;
    auto* rv = reinterpret_cast<PgQuery__RangeVar*>(m);
    if ((rv->schemaname && *rv->schemaname) || !rv->relname) return;
    const std::string_view name = rv->relname;
    for (const std::string& cte : ctes)
      if (cte == name) return;
    if (!in_public(name)) return;
    // The empty schemaname is protobuf-c's shared empty string (never freed); the new one is malloc'd and
    // freed with the message.
    rv->schemaname = strdup("public");
  });
  return detail::deparse_statement(tree.p->stmts[0]->stmt);
}

std::string fingerprint(std::string_view statement_sql) {
  const std::string text(statement_sql);
  if (text.size() <= kInlineParseLimit) return fingerprint_here(text);
  std::string out;
  run_on_large_stack(text.size(), [&] { out = fingerprint_here(text); });
  return out;
}

}  // namespace omendb::parser
