#include "common/types.h"

namespace omendb {

std::string_view type_name(TypeId type) {
  switch (type) {
    case TypeId::Unknown:
      return "unknown";
    case TypeId::Bool:
      return "boolean";
    case TypeId::Int32:
      return "integer";
    case TypeId::Int64:
      return "bigint";
    case TypeId::Float64:
      return "double precision";
    case TypeId::Text:
      return "text";
  }
  return "unknown";
}

uint32_t type_oid(TypeId type) {
  switch (type) {
    case TypeId::Unknown:
      return 705;
    case TypeId::Bool:
      return 16;
    case TypeId::Int32:
      return 23;
    case TypeId::Int64:
      return 20;
    case TypeId::Float64:
      return 701;
    case TypeId::Text:
      return 25;
  }
  return 705;
}

int16_t type_wire_length(TypeId type) {
  switch (type) {
    case TypeId::Bool:
      return 1;
    case TypeId::Int32:
      return 4;
    case TypeId::Int64:
      return 8;
    case TypeId::Float64:
      return 8;
    case TypeId::Unknown:
    case TypeId::Text:
      return -1;
  }
  return -1;
}

}  // namespace omendb
