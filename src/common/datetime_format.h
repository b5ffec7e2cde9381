// PostgreSQL's template formatting of dates and times: to_char(timestamp | timestamptz | interval,
// template), to_timestamp(text, template) and to_date(text, template), with PostgreSQL 15's template
// patterns (formatting.c's DCH keywords) in the C locale. No plans, LLVM or sockets here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/datetime.h"

namespace omendb::dt {

// to_char(value, template) with PostgreSQL 15's template patterns (YYYY, MM, DD, HH24, MI, SS, MS, US,
// FF1-FF6, Month, Day, IW, TZ, OF ..., FM / TM / TH modifiers, "quoted text"; C locale). nullopt where
// PostgreSQL returns NULL: an empty template or an infinite timestamp. A timestamptz is shown in `tz`
// (TZ prints its abbreviation); an interval refuses calendar fields (Day, Mon, TZ ...) with 22007.
std::optional<std::string> to_char_timestamp(Timestamp t, std::string_view fmt);
std::optional<std::string> to_char_timestamptz(TimestampTz t, std::string_view fmt, const TimeZone& tz);
std::optional<std::string> to_char_interval(const Interval& iv, std::string_view fmt);

// to_timestamp(text, template) and to_date(text, template): PostgreSQL 15's reading of a template (the
// same patterns; outside FX mode spaces and separators are matched loosely; TZH / TZM set the offset,
// else the fields are local time in `session_tz`; TZ and OF are 0A000 as in PostgreSQL 15). Errors:
// 22007 (bad value for a field, conflicting fields), 22008 (field out of range).
TimestampTz to_timestamp_format(std::string_view input, std::string_view fmt, const TimeZone& session_tz);
Date to_date_format(std::string_view input, std::string_view fmt);

}  // namespace omendb::dt
