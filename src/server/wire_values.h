// Values on the wire for the extended query protocol: Bind's parameters in text or binary format, result
// columns in either format, and the PostgreSQL type OIDs of OmenDB's types (engine-internal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/datetime_sql.h"
#include "common/datum.h"
#include "common/types.h"
#include "common/value.h"

namespace omendb::catalog {
class Context;
}

namespace omendb::engine {

// PostgreSQL type OIDs OmenDB maps onto its types.
namespace oid {
constexpr uint32_t kUnspecified = 0;
constexpr uint32_t kBool = 16;
constexpr uint32_t kChar = 18;
constexpr uint32_t kName = 19;
constexpr uint32_t kOid = 26;
constexpr uint32_t kInt8 = 20;
constexpr uint32_t kInt2 = 21;
constexpr uint32_t kInt4 = 23;
constexpr uint32_t kText = 25;
constexpr uint32_t kFloat4 = 700;
constexpr uint32_t kFloat8 = 701;
constexpr uint32_t kUnknown = 705;
constexpr uint32_t kVarchar = 1043;
constexpr uint32_t kDate = 1082;
constexpr uint32_t kTime = 1083;
constexpr uint32_t kTimestamp = 1114;
constexpr uint32_t kTimestampTz = 1184;
constexpr uint32_t kInterval = 1186;
constexpr uint32_t kNumeric = 1700;
}  // namespace oid

// The OmenDB type of a parameter type OID a client declared in Parse: 0 and unknown (705) -> Unknown
// (inferred); int2 -> Int16, float4 -> Float32, float8 -> Float64, varchar -> Text. Other OIDs: 0A000
// naming the type (OmenDB has no such type yet).
TypeId type_from_oid(uint32_t type_oid);

// The OID a declared type name maps to (PREPARE p(int2) ...): 0 when OmenDB does not know it.
uint32_t oid_from_type_name(std::string_view name);

// Decodes Bind parameter `index` (0-based) into a Value of `type`. `type_oid` is the parameter's OID
// (decides binary widths: int2 2 bytes, float4 4 bytes). Errors as PostgreSQL: 22P02 / 22003 for text
// input, 22P03 for a binary value of the wrong length, 08P01 for one too short, 22021 for a NUL or invalid
// UTF-8 in text.
// Date/time text is read with the session's zone and clock `dt`.
Value decode_param(std::optional<std::string_view> bytes, int16_t format, uint32_t type_oid, TypeId type,
                   size_t index, const dtsql::EvalContext& dt);

// What a result's text format follows from the session: its TimeZone (timestamptz) and its
// extra_float_digits and bytea_output.
struct OutputStyle {
  dt::TimeZone tz;
  OutputSettings settings;
};

// Appends a non-NULL result value in text (format 0, PostgreSQL's output, as the session's `style`
// asks) or binary (format 1) format.
// regclass, regtype, regnamespace print their names as `names` (the session's catalogs) shows them, or
// their numbers without it.
void encode_datum(const Datum& d, TypeId type, int16_t format, const OutputStyle& style, std::string& out,
                  const catalog::Context* names = nullptr);

}  // namespace omendb::engine
