// PostgreSQL 15's configuration parameters as SET and SHOW know them: which names exist, what SHOW prints
// for the ones the session never set, and which values OmenDB accepts. The session's own settings (and
// the ones it implements: TimeZone, statement_timeout ...) live in the engine; this is what stands behind
// them for every other name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace omendb::engine {

// SHOW's text of PostgreSQL's default for a parameter `name` (lower case) that OmenDB accepts without
// implementing it (work_mem: "4MB"); nullopt for a name PostgreSQL does not know.
std::optional<std::string_view> pg_setting_default(std::string_view name);

// Checks SET / RESET / set_config() of a parameter that the engine does not implement itself (name in
// lower case): 42704 for a name PostgreSQL does not know (a custom "prefix.name" is accepted, as
// PostgreSQL's placeholders, except in OmenDB's own "omendb." prefix); 55P02 for one that cannot change
// in a session (server_version, shared_buffers ...); 22023 for a value PostgreSQL refuses (booleans and
// enumerations); 0A000 for a value that would change results in a way OmenDB does not implement
// (standard_conforming_strings = off, client_encoding other than UTF8 ...). Parameters
// whose value changes nothing OmenDB does (work_mem, enable_seqscan ...) are accepted.
void check_pg_setting(const std::string& name, const std::string& value, bool reset);

}  // namespace omendb::engine
