#include "common/error.h"

#include "common/sqlstate.h"

namespace omendb {

std::string_view sqlstate_code(SqlState state) {
  switch (state) {
#define OMENDB_SQLSTATE_CASE(name, code) \
  case SqlState::name:                   \
    return code;
    OMENDB_SQLSTATES(OMENDB_SQLSTATE_CASE)
#undef OMENDB_SQLSTATE_CASE
  }
  return "XX000";
}

void throw_unsupported(const std::string& feature, int position) {
  throw SqlError(SqlState::FeatureNotSupported, "OmenDB does not support " + feature + " yet").at(position);
}

}  // namespace omendb
