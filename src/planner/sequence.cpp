// CREATE / ALTER SEQUENCE options and identity columns' sequence options: PostgreSQL 15's init_params
// (src/backend/commands/sequence.c), its defaults, checks and messages.
#include <charconv>
#include <cstdint>
#include <limits>
#include <set>

#include "common/error.h"
#include "planner/planner.h"

namespace omendb::planner {

namespace {

int pos_of(int location) {
  return location >= 0 ? location + 1 : 0;
}

int64_t type_min(int8_t width) {
  return width == 2   ? std::numeric_limits<int16_t>::min()
         : width == 4 ? std::numeric_limits<int32_t>::min()
                      : std::numeric_limits<int64_t>::min();
}
int64_t type_max(int8_t width) {
  return width == 2   ? std::numeric_limits<int16_t>::max()
         : width == 4 ? std::numeric_limits<int32_t>::max()
                      : std::numeric_limits<int64_t>::max();
}

int64_t option_value(const ast::SequenceOption& o) {
  const std::string& t = o.value;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range)
    throw SqlError(SqlState::NumericValueOutOfRange, "value \"" + t + "\" is out of range for type bigint");
  if (ec != std::errc() || end != t.data() + t.size())
    throw SqlError(SqlState::InvalidTextRepresentation,
                   "invalid input syntax for type bigint: \"" + t + "\"");
  return v;
}

}  // namespace

const char* sequence_type_name(int8_t width) {
  return width == 2 ? "smallint" : width == 4 ? "integer" : "bigint";
}

SequenceOptionsResult apply_sequence_options(const std::vector<ast::SequenceOption>& options,
                                             storage::SequenceDef& def, bool create, bool for_identity) {
  SequenceOptionsResult result;
  const ast::SequenceOption *as = nullptr, *increment = nullptr, *min = nullptr, *max = nullptr,
                            *start = nullptr, *restart = nullptr, *cache = nullptr, *cycle = nullptr,
                            *owned = nullptr, *name = nullptr;
  for (const ast::SequenceOption& o : options) {
    const ast::SequenceOption** slot = o.name == "as"              ? &as
                                       : o.name == "increment"     ? &increment
                                       : o.name == "minvalue"      ? &min
                                       : o.name == "maxvalue"      ? &max
                                       : o.name == "start"         ? &start
                                       : o.name == "restart"       ? &restart
                                       : o.name == "cache"         ? &cache
                                       : o.name == "cycle"         ? &cycle
                                       : o.name == "owned_by"      ? &owned
                                       : o.name == "sequence_name" ? &name
                                                                   : nullptr;
    if (!slot || (o.name == "sequence_name" && !for_identity))
      throw SqlError(SqlState::SyntaxError, "option \"" + o.name + "\" not recognized")
          .at(pos_of(o.location));
    if (o.name == "owned_by" && for_identity)
      throw SqlError(SqlState::SyntaxError, "invalid sequence option OWNED BY").at(pos_of(o.location));
    if (*slot)
      throw SqlError(SqlState::SyntaxError, "conflicting or redundant options").at(pos_of(o.location));
    *slot = &o;
  }
  const int8_t old_width = def.width;
  const int64_t old_min = def.min_value, old_max = def.max_value;
  if (as) {
    const std::string& t = as->value;
    if (t == "int2" || t == "smallint")
      def.width = 2;
    else if (t == "int4" || t == "integer" || t == "int")
      def.width = 4;
    else if (t == "int8" || t == "bigint")
      def.width = 8;
    else
      throw SqlError(SqlState::InvalidParameterValue, "sequence type must be smallint, integer, or bigint");
  } else if (create) {
    def.width = 8;
  }
  if (increment) {
    def.increment = option_value(*increment);
    if (def.increment == 0) throw SqlError(SqlState::InvalidParameterValue, "INCREMENT must not be zero");
  } else if (create) {
    def.increment = 1;
  }
  if (cycle)
    def.cycle = cycle->flag;
  else if (create)
    def.cycle = false;
  // MAXVALUE / MINVALUE: a given value; else the type's bound in the direction of INCREMENT when
  // creating, for NO MAXVALUE / NO MINVALUE, or when AS changes and the old value was the old type's bound.
  if (max && max->has_arg) {
    def.max_value = option_value(*max);
  } else if (create || max || (as && old_max == type_max(old_width))) {
    def.max_value = def.increment > 0 ? type_max(def.width) : -1;
  }
  if (def.max_value < type_min(def.width) || def.max_value > type_max(def.width))
    throw SqlError(SqlState::InvalidParameterValue, "MAXVALUE (" + std::to_string(def.max_value) +
                                                        ") is out of range for sequence data type " +
                                                        sequence_type_name(def.width));
  if (min && min->has_arg) {
    def.min_value = option_value(*min);
  } else if (create || min || (as && old_min == type_min(old_width))) {
    def.min_value = def.increment > 0 ? 1 : type_min(def.width);
  }
  if (def.min_value < type_min(def.width) || def.min_value > type_max(def.width))
    throw SqlError(SqlState::InvalidParameterValue, "MINVALUE (" + std::to_string(def.min_value) +
                                                        ") is out of range for sequence data type " +
                                                        sequence_type_name(def.width));
  if (def.min_value >= def.max_value)
    throw SqlError(SqlState::InvalidParameterValue, "MINVALUE (" + std::to_string(def.min_value) +
                                                        ") must be less than MAXVALUE (" +
                                                        std::to_string(def.max_value) + ")");
  if (start) {
    def.start = option_value(*start);
  } else if (create) {
    def.start = def.increment > 0 ? def.min_value : def.max_value;
  }
  if (def.start < def.min_value)
    throw SqlError(SqlState::InvalidParameterValue, "START value (" + std::to_string(def.start) +
                                                        ") cannot be less than MINVALUE (" +
                                                        std::to_string(def.min_value) + ")");
  if (def.start > def.max_value)
    throw SqlError(SqlState::InvalidParameterValue, "START value (" + std::to_string(def.start) +
                                                        ") cannot be greater than MAXVALUE (" +
                                                        std::to_string(def.max_value) + ")");
  if (restart) result.restart = restart->has_arg ? option_value(*restart) : def.start;
  if (create && result.restart) {  // CREATE SEQUENCE ... RESTART n: the first value is n
    int64_t r = *result.restart;
    if (r < def.min_value)
      throw SqlError(SqlState::InvalidParameterValue, "RESTART value (" + std::to_string(r) +
                                                          ") cannot be less than MINVALUE (" +
                                                          std::to_string(def.min_value) + ")");
    if (r > def.max_value)
      throw SqlError(SqlState::InvalidParameterValue, "RESTART value (" + std::to_string(r) +
                                                          ") cannot be greater than MAXVALUE (" +
                                                          std::to_string(def.max_value) + ")");
  }
  if (cache) {
    def.cache = option_value(*cache);
    if (def.cache <= 0)
      throw SqlError(SqlState::InvalidParameterValue,
                     "CACHE (" + std::to_string(def.cache) + ") must be greater than zero");
  } else if (create) {
    def.cache = 1;
  }
  if (owned) {
    result.owned_by_given = true;
    if (owned->list.size() == 1 && owned->list[0] == "none") {
      result.owned_by_none = true;
    } else if (owned->list.size() == 2) {
      result.owned_table = owned->list[0];
      result.owned_column = owned->list[1];
    } else if (owned->list.size() == 3) {
      result.owned_schema = owned->list[0];
      result.owned_table = owned->list[1];
      result.owned_column = owned->list[2];
    } else {
      throw SqlError(SqlState::SyntaxError, "invalid OWNED BY option")
          .with_hint("Specify OWNED BY table.column or OWNED BY NONE.");
    }
  }
  if (name && !name->list.empty()) result.sequence_name = name->list.back();
  return result;
}

}  // namespace omendb::planner
