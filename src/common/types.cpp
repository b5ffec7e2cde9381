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
    case TypeId::Date:
      return "date";
    case TypeId::Time:
      return "time without time zone";
    case TypeId::Timestamp:
      return "timestamp without time zone";
    case TypeId::TimestampTz:
      return "timestamp with time zone";
    case TypeId::Interval:
      return "interval";
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
    case TypeId::Date:
      return 1082;
    case TypeId::Time:
      return 1083;
    case TypeId::Timestamp:
      return 1114;
    case TypeId::TimestampTz:
      return 1184;
    case TypeId::Interval:
      return 1186;
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
    case TypeId::Date:
      return 4;
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
      return 8;
    case TypeId::Interval:
      return 16;
    case TypeId::Unknown:
    case TypeId::Text:
      return -1;
  }
  return -1;
}

PhysType physical_type(TypeId type) {
  switch (type) {
    case TypeId::Bool:
      return PhysType::Bool;
    case TypeId::Int32:
    case TypeId::Date:
      return PhysType::Int32;
    case TypeId::Int64:
    case TypeId::Time:
    case TypeId::Timestamp:
    case TypeId::TimestampTz:
      return PhysType::Int64;
    case TypeId::Float64:
      return PhysType::Float64;
    case TypeId::Interval:
      return PhysType::Interval;
    case TypeId::Unknown:
    case TypeId::Text:
      return PhysType::Text;
  }
  return PhysType::Text;
}

}  // namespace omendb
