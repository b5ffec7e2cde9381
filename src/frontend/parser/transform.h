// Internal to omendb_parser: libpg_query's unpacked protobuf parse tree -> ast.h statements.
// Keeps the pg_query headers out of parser.h and ast.h.
#pragma once

#include <pg_query.pb-c.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "frontend/parser/ast.h"

namespace omendb::parser::detail {

// Expression / statement nesting the transform accepts before it raises 54000.
inline constexpr int kMaxTransformDepth = 1000;

// Transforms every RawStmt. Throws SqlError (0A000 for unsupported expression nodes, 54000 when nested
// too deeply).
// `constants`: when set, every non-NULL Constant expression made from an A_Const is listed there.
std::vector<ast::StmtPtr> transform_parse_result(const PgQuery__ParseResult& result,
                                                 std::vector<ast::Expr*>* constants = nullptr);

// The value of a Float node (libpg_query's decimal and real tokens, and integers too big for int4, with the
// grammar's folded '-'): bigint when it is an integer that fits, else numeric (22P02 / 22003 from
// num::parse, without a position).
Value float_literal_value(const std::string& text);

// The SQL text of one statement node as libpg_query's deparser writes it (with the parentheses its
// version 15 leaves out: see deparse_statement); empty if it cannot.
std::string deparse_statement(PgQuery__Node* node);

// Calls f on every message under `m` (m included), through protobuf-c's descriptors. f may replace a
// message's sub-messages: the walk goes on into the new ones.
template <typename F>
void for_each_message(ProtobufCMessage* m, const F& f) {
  if (!m) return;
  f(m);
  const ProtobufCMessageDescriptor* d = m->descriptor;
  for (unsigned i = 0; i < d->n_fields; ++i) {
    const ProtobufCFieldDescriptor& field = d->fields[i];
    if (field.type != PROTOBUF_C_TYPE_MESSAGE) continue;
    // A oneof's members share one pointer: only the member its case names is there.
    if ((field.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(m) + field.quantifier_offset) != field.id)
      continue;
    char* at = reinterpret_cast<char*>(m) + field.offset;
    if (field.label == PROTOBUF_C_LABEL_REPEATED) {
      const size_t n = *reinterpret_cast<size_t*>(reinterpret_cast<char*>(m) + field.quantifier_offset);
      auto** items = *reinterpret_cast<ProtobufCMessage***>(at);
      for (size_t k = 0; k < n; ++k) for_each_message(items[k], f);
    } else {
      for_each_message(*reinterpret_cast<ProtobufCMessage**>(at), f);
    }
  }
}

}  // namespace omendb::parser::detail
